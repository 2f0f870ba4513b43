// The manual's module rules, against the fixtures in core/mods.
var assert = require("assert");

var a = require("./core/mods/a");
assert.strictEqual(a.name, "a");
assert.strictEqual(a.b.name, "b", "./ is relative to the requiring file");
assert.strictEqual(a.b.c.name, "c", "../ is relative to the requiring file");
assert.strictEqual(a.filename, __dirname + "/core/mods/a.js", "__filename in a module");
assert.strictEqual(a.dirname, __dirname + "/core/mods", "__dirname in a module");
assert.strictEqual(a.moduleIsModule, true);

// One cached instance per file, however it is named.
var c = require("./core/mods/c");
assert.strictEqual(c, a.b.c);
assert.strictEqual(require("./core/mods/c.js"), c);
assert.strictEqual(require("./core/../core/mods/./c"), c);
assert.strictEqual(require(__dirname + "/core/mods/c"), c, "an absolute path");
assert.strictEqual(GLOBAL.cModuleRuns, 1, "a module body runs once");

// exports, this and module.exports.
var t = require("./core/mods/this_exports");
assert.strictEqual(t.viaThis, "set through this");
assert.strictEqual(t.thisIsExports, true);
assert.strictEqual(t.moduleExportsIsExports, true);
assert.strictEqual(require("./core/mods/replace")(), "replaced", "module.exports can be replaced");
// Variables local to a module are private (circle.js's PI).
var circle = require("./modules/circle");
assert.strictEqual(typeof PI, "undefined");
assert.strictEqual(circle.area(2), 3.14 * 4);

// Cycles give the partial exports.
var ca = require("./core/mods/cycle_a");
assert.strictEqual(ca.b.sawBefore, "a-before");
assert.strictEqual(ca.b.sawAfter, undefined, "b ran before a finished");
assert.strictEqual(ca.b.partial, ca, "the partial exports object is the final one");
assert.strictEqual(ca.afterB, "a-after");

// A module that throws makes require throw; it is not cached, so a second
// require runs it again.
assert.throws(function () { require("./core/mods/throws"); }, /module body failed/);
assert.strictEqual(require("./core/mods/throws").ok, true);
assert.strictEqual(GLOBAL.throwsRuns, 2);

// A syntax error in a module throws a SyntaxError naming the file and line.
var syntax = null;
try { require("./core/mods/bad_syntax"); } catch (e) { syntax = e; }
assert.ok(syntax instanceof SyntaxError, "SyntaxError, got " + syntax);
assert.ok(/bad_syntax\.js:3/.test(syntax.stack), syntax.stack);

// A missing module: an Error naming it and the paths searched.
var missing = null;
try { require("./core/mods/no_such_module"); } catch (e) { missing = e; }
assert.ok(missing instanceof Error);
assert.ok(/no_such_module/.test(missing.message), missing.message);
assert.ok(missing.message.indexOf(__dirname + "/core/mods/no_such_module.js") >= 0, missing.message);
assert.ok(missing.message.indexOf(__dirname + "/core/mods/no_such_module/index.js") >= 0, missing.message);
var missingBare = null;
try { require("no_such_library_anywhere"); } catch (e) { missingBare = e; }
assert.ok(/no_such_library_anywhere/.test(missingBare.message), missingBare.message);
require.paths.forEach(function (p) {
  assert.ok(missingBare.message.indexOf(p + "/no_such_library_anywhere.js") >= 0, "searched " + p + ": " + missingBare.message);
});
assert.throws(function () { require(""); }, /path must be a non-empty string/);
assert.throws(function () { require(42); }, TypeError);

// In each place: NAME.js, NAME.node, NAME/index.js, NAME/index.node, then NAME.py.
assert.strictEqual(require("./core/mods/order_js/m").picked, "m.js");
var addonError = null;
try { require("./core/mods/order_node/m"); } catch (e) { addonError = e; }
assert.ok(addonError instanceof Error, "NAME.node comes before NAME/index.js");
assert.ok(/C\+\+ addons/.test(addonError.message) && /m\.node/.test(addonError.message), addonError.message);
assert.strictEqual(require("./core/mods/order_index/m").picked, "m/index.js");
assert.throws(function () { require("./core/mods/order_index_node/m"); }, /C\+\+ addons/);
assert.strictEqual(require("./core/mods/order_py/m").picked, "m.py");

// A Python addon whose init fails, or that has no init, makes require throw.
assert.throws(function () { require("./core/mods/bad_addon"); }, /addon init failed on purpose/);
assert.throws(function () { require("./core/mods/no_init"); }, /does not define init\(target\)/);

// Bare names: built-ins first, then require.paths (which can be changed at run time).
require.paths.unshift(__dirname + "/core/mods/libpath");
assert.strictEqual(require("libmod").name, "libmod");
assert.strictEqual(require("pkg").name, "pkg/index.js");
assert.strictEqual(typeof require("sys").puts, "function", "the built-in sys, not libpath/sys.js");
