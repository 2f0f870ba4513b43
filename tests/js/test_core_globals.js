// Global objects and the synchronous parts of the process object, as the
// manual's "Global Objects" and "The process Object" sections describe them.
var assert = require("assert");
var sys = require("sys");

// --- globals ---------------------------------------------------------------
assert.ok(GLOBAL === this || GLOBAL.GLOBAL === GLOBAL, "GLOBAL is the global object");
assert.strictEqual(GLOBAL.GLOBAL, GLOBAL);
assert.strictEqual(GLOBAL.process, process);
assert.strictEqual(typeof require, "function");
assert.ok(Array.isArray(require.paths), "require.paths is an array");
assert.ok(require.paths.length >= 2, "default require.paths: ~/.node_libraries and $PREFIX/lib/node/libraries");
assert.ok(/\/\.node_libraries$/.test(require.paths[require.paths.length - 2]), require.paths.join(","));
assert.ok(/\/lib\/node\/libraries$/.test(require.paths[require.paths.length - 1]), require.paths.join(","));
assert.strictEqual(__filename, process.cwd() + "/test_core_globals.js");
assert.strictEqual(__dirname, process.cwd());
assert.strictEqual(typeof module, "object");
assert.ok(module instanceof process.Module, "module is a process.Module");
assert.strictEqual(module.exports, exports, "module.exports === exports");
assert.strictEqual(this, exports, "`this` at a module's top level is exports");
// A global variable created without var is visible through GLOBAL.
leakedGlobal = 42;
assert.strictEqual(GLOBAL.leakedGlobal, 42);
delete GLOBAL.leakedGlobal;

// --- process: plain properties ----------------------------------------------
assert.ok(Array.isArray(process.ARGV));
assert.strictEqual(process.ARGV[1], __filename);
assert.strictEqual(process.ARGV.length, 2);
assert.strictEqual(typeof process.ENV, "object");
assert.strictEqual(process.ENV.PATH, process.ENV["PATH"]);
assert.ok(typeof process.ENV.PATH === "string" && process.ENV.PATH.length > 0, "ENV carries PATH");
assert.strictEqual(typeof process.pid, "number");
assert.ok(process.pid > 0 && process.pid === Math.floor(process.pid));
assert.strictEqual(process.platform, "linux2");

var mem = process.memoryUsage();
assert.strictEqual(typeof mem.rss, "number");
assert.strictEqual(typeof mem.vsize, "number");
assert.ok(mem.rss > 1024 * 1024, "rss is a real figure: " + mem.rss);
assert.ok(mem.vsize >= mem.rss, "vsize >= rss");
if ("heapTotal" in mem || "heapUsed" in mem) {
  assert.strictEqual(typeof mem.heapTotal, "number");
  assert.strictEqual(typeof mem.heapUsed, "number");
  assert.ok(mem.heapUsed > 0 && mem.heapUsed <= mem.heapTotal, JSON.stringify(mem));
}
// Native object: JSON sees its keys.
assert.ok(/"rss":\d+/.test(JSON.stringify(mem)), JSON.stringify(mem));

// O_* constants: numbers, the ones the posix module needs.
["O_CREAT", "O_RDONLY", "O_WRONLY", "O_RDWR", "O_TRUNC", "O_APPEND", "O_EXCL"].forEach(function (name) {
  assert.strictEqual(typeof process[name], "number", name);
});
assert.strictEqual(process.O_RDONLY, 0);
assert.notEqual(process.O_WRONLY, process.O_RDWR);
assert.ok((process.O_CREAT & process.O_EXCL) === 0, "distinct flag bits");

// --- cwd / chdir --------------------------------------------------------------
var start = process.cwd();
process.chdir("core");
assert.strictEqual(process.cwd(), start + "/core");
process.chdir("..");
assert.strictEqual(process.cwd(), start);
var chdirError = null;
try { process.chdir(start + "/no-such-directory"); } catch (e) { chdirError = e; }
assert.ok(chdirError instanceof Error, "chdir to a missing directory throws an Error");
assert.strictEqual(chdirError.code, "ENOENT");
assert.strictEqual(typeof chdirError.errno, "number");
assert.ok(/no-such-directory/.test(chdirError.message), chdirError.message);
assert.strictEqual(process.cwd(), start, "a failed chdir leaves cwd alone");
assert.throws(function () { process.chdir(42); }, TypeError);

// --- umask: returns the old mask ----------------------------------------------
var original = process.umask(0x12); // 022
assert.strictEqual(typeof original, "number");
assert.strictEqual(process.umask(0x3f), 0x12);   // 077
assert.strictEqual(process.umask(original), 0x3f);
assert.strictEqual(process.umask(), original, "umask() reads without changing");
assert.strictEqual(process.umask(), original);

// --- compile ------------------------------------------------------------------
assert.strictEqual(process.compile("1 + 2", "three.js"), 3);
// It runs in the global scope, not in this module's function scope.
var moduleLocal = "local";
assert.strictEqual(process.compile("typeof moduleLocal", "scope.js"), "undefined");
process.compile("var compiledGlobal = 'g'; function compiledFn() { return 7; }", "defs.js");
assert.strictEqual(GLOBAL.compiledGlobal, "g");
assert.strictEqual(compiledFn(), 7);
var compileError = null;
try {
  process.compile("\n\nfunction f() { throw new Error('boom'); }\nf();", "my-origin.js");
} catch (e) { compileError = e; }
assert.ok(compileError instanceof Error);
assert.strictEqual(compileError.message, "boom");
assert.ok(/my-origin\.js:4/.test(compileError.stack), "stack names the origin and line:\n" + compileError.stack);
var syntaxError = null;
try { process.compile("var = ;", "bad-syntax.js"); } catch (e) { syntaxError = e; }
assert.ok(syntaxError instanceof SyntaxError, "a syntax error throws SyntaxError: " + syntaxError);
assert.ok(/bad-syntax\.js:1:/.test(syntaxError.stack), "a syntax error names the origin:\n" + syntaxError.stack);
var laterLine = null;
try { process.compile("var ok = 1;\n\nvar broken = = 2;", "third-line.js"); } catch (e) { laterLine = e; }
assert.ok(/third-line\.js:3:14/.test(laterLine.stack), laterLine.stack);
// A function body that is not a valid program is still the eval's own error.
assert.throws(function () { process.compile("return 1;", "top-return.js"); }, SyntaxError);

// --- mixin --------------------------------------------------------------------
var target = { a: 1, keep: "yes" };
var returned = process.mixin(target, { a: 2, b: { c: 3 } }, { d: 4 });
assert.strictEqual(returned, target, "mixin returns the target");
assert.deepEqual(target, { a: 2, keep: "yes", b: { c: 3 }, d: 4 });
var shared = { inner: { x: 1 } };
var shallow = process.mixin({}, shared);
assert.strictEqual(shallow.inner, shared.inner, "a shallow copy shares structure");
var deep = process.mixin(true, {}, shared);
assert.notStrictEqual(deep.inner, shared.inner, "a deep copy does not share structure");
assert.deepEqual(deep.inner, { x: 1 });
deep.inner.x = 2;
assert.strictEqual(shared.inner.x, 1);
var deepArr = process.mixin(true, {}, { list: [1, [2, 3]] });
assert.ok(Array.isArray(deepArr.list) && Array.isArray(deepArr.list[1]), "deep copy keeps arrays arrays");
assert.deepEqual(deepArr.list, [1, [2, 3]]);
// Deep merge into an existing nested object.
var merged = process.mixin(true, { o: { a: 1 } }, { o: { b: 2 } });
assert.deepEqual(merged.o, { a: 1, b: 2 });
// An own property whose value is undefined is copied, as Node v0.1.22 did.
var withUndef = process.mixin({ u: "replaced" }, { u: undefined, v: undefined });
assert.ok("u" in withUndef && withUndef.u === undefined, "undefined value copied over a value");
assert.ok("v" in withUndef && withUndef.v === undefined, "undefined value copied");
// Getters and setters are copied as accessors, not as their current values.
var reads = 0;
var live = { plain: 1 };
live.__defineGetter__("count", function () { return ++reads; });
var box = { v: 1 };
live.__defineGetter__("boxed", function () { return box.v; });
live.__defineSetter__("boxed", function (x) { box.v = x; });
var gotAccessors = process.mixin({}, live);
assert.strictEqual(reads, 0, "mixin calls no getter");
assert.strictEqual(gotAccessors.count, 1);
assert.strictEqual(gotAccessors.count, 2, "the copy reads through the getter each time");
gotAccessors.boxed = 7;
assert.strictEqual(box.v, 7, "the copy writes through the setter");
assert.strictEqual(gotAccessors.boxed, 7);
assert.strictEqual(gotAccessors.plain, 1);
// A deep copy copies nested plain objects and arrays (the target shares none
// of them); other objects (instances of a class, dates) are copied by reference.
function Point(x) { this.x = x; }
var origin = new Point(0);
var nestedSource = { nested: { list: [1, { y: 2 }] }, at: origin, when: new Date(0) };
var deepCopy = process.mixin(true, {}, nestedSource);
assert.notStrictEqual(deepCopy.nested, nestedSource.nested);
assert.notStrictEqual(deepCopy.nested.list, nestedSource.nested.list);
assert.notStrictEqual(deepCopy.nested.list[1], nestedSource.nested.list[1]);
deepCopy.nested.list[1].y = 3;
assert.strictEqual(nestedSource.nested.list[1].y, 2, "the source is untouched");
assert.strictEqual(deepCopy.at, origin, "an instance keeps its identity and prototype");
assert.strictEqual(deepCopy.when, nestedSource.when);
// Inherited properties are copied.
function Base() {}
Base.prototype.inherited = "from prototype";
var child = new Base();
child.own = "own";
var withInherited = process.mixin({}, child);
assert.strictEqual(withInherited.inherited, "from prototype");
assert.strictEqual(withInherited.own, "own");
// No target: GLOBAL is extended (the manual's mixin(GLOBAL, require(...)) idiom too).
var r1 = process.mixin({ mixedIntoGlobal: "yes" });
assert.strictEqual(r1, GLOBAL);
assert.strictEqual(mixedIntoGlobal, "yes");
process.mixin(GLOBAL, require("./modules/circle"));
assert.strictEqual(area(1), 3.14);

// --- process.inherits / sys.inherits ---------------------------------------------
assert.strictEqual(sys.inherits, process.inherits);

// --- nextTick: after the current stack, in order, before timers -------------
var ticks = [];
process.nextTick(function () {
  ticks.push("tick1");
  process.nextTick(function () { ticks.push("nested"); });
});
process.nextTick(function () { ticks.push("tick2"); });
setTimeout(function () { ticks.push("timeout"); }, 0);
ticks.push("sync");
assert.throws(function () { process.nextTick("not a function"); }, TypeError);

var exits = 0;
process.addListener("exit", function (code) {
  exits++;
  assert.strictEqual(code, 0);
  assert.strictEqual(exits, 1, "exit emitted exactly once");
  assert.deepEqual(ticks, ["sync", "tick1", "tick2", "nested", "timeout"]);
});
