// The "sys" module: inspect (what users print while debugging) and inherits.
// Output ordering of puts/print/debug/error is checked by tests/test_core_programs.py.
var assert = require("assert");
var sys = require("sys");

["puts", "print", "debug", "error", "inspect", "inherits", "exec"].forEach(function (name) {
  assert.strictEqual(typeof sys[name], "function", "sys." + name);
});
assert.strictEqual(require("sys"), sys, "one cached instance of a built-in");

var inspect = sys.inspect;
assert.strictEqual(inspect(1), "1");
assert.strictEqual(inspect("str"), '"str"');
assert.strictEqual(inspect(null), "null");
assert.strictEqual(inspect(undefined), "undefined");
assert.strictEqual(inspect(true), "true");
assert.strictEqual(inspect([]), "[]");
assert.strictEqual(inspect({}), "{}");
assert.strictEqual(inspect([1, "a", null]), '[ 1, "a", null ]');
assert.strictEqual(inspect({ a: 1, b: "x" }), '{ a: 1, b: "x" }');
// Nested objects and arrays show their contents.
var nested = inspect({ list: [1, [2, [3]]], obj: { deeper: { deepest: "here" } } });
assert.ok(/deepest: "here"/.test(nested), nested);
assert.ok(/\[ 1, \[ 2, \[ 3 \] \] \]/.test(nested), nested);
// Keys that are not identifiers are quoted.
assert.ok(/"a key": 1/.test(inspect({ "a key": 1 })), inspect({ "a key": 1 }));
// Functions.
assert.strictEqual(inspect(function named() {}), "[Function: named]");
assert.ok(/^\[Function/.test(inspect(function () {})), inspect(function () {}));
var fnWithProps = function tagged() {};
fnWithProps.extra = 1;
assert.ok(/extra: 1/.test(inspect(fnWithProps)), inspect(fnWithProps));
// Cycles are shown, not followed.
var cyclic = { name: "c" };
cyclic.self = cyclic;
cyclic.list = [cyclic];
var text = inspect(cyclic);
assert.ok(/self: \[Circular\]/.test(text), text);
assert.ok(/list: \[ \[Circular\] \]/.test(text), text);
// The same object twice, not in a cycle, is shown twice.
var twice = { x: 1 };
assert.ok(!/Circular/.test(inspect({ a: twice, b: twice })), inspect({ a: twice, b: twice }));
// Never throws: a throwing getter, an object whose keys cannot be listed,
// and an object without a prototype.
var evil = { ok: 1 };
Object.defineProperty(evil, "bad", { enumerable: true, get: function () { throw new Error("getter boom"); } });
var evilText = inspect(evil);
assert.ok(/ok: 1/.test(evilText) && /getter boom/.test(evilText), evilText);
var noProto = Object.create(null);
noProto.k = "v";
assert.ok(/k: "v"/.test(inspect(noProto)), inspect(noProto));
var badToString = { toString: function () { throw new Error("no"); }, valueOf: function () { throw new Error("no"); } };
assert.strictEqual(typeof inspect(badToString), "string");
// Dates, regexps, errors.
assert.strictEqual(inspect(/ab+c/g), "/ab+c/g");
assert.ok(/2010/.test(inspect(new Date(Date.UTC(2010, 0, 2)))), inspect(new Date(Date.UTC(2010, 0, 2))));
assert.ok(/Error: oops/.test(inspect(new Error("oops"))), inspect(new Error("oops")));
// Deep nesting is cut off rather than overflowing.
var deep = {}, cur = deep;
for (var i = 0; i < 50; i++) { cur.next = {}; cur = cur.next; }
assert.ok(/\[Object\]/.test(inspect(deep)), inspect(deep));
// A process object (big, with host-provided values) inspects without throwing.
assert.strictEqual(typeof inspect(process), "string");
assert.strictEqual(typeof inspect(GLOBAL), "string");

// inherits: prototype chain, super_, constructor.
function Animal(name) { this.name = name; }
Animal.prototype.speak = function () { return this.name + " makes a sound"; };
function Dog(name) { Animal.call(this, name); }
sys.inherits(Dog, Animal);
Dog.prototype.bark = function () { return "woof"; };
var d = new Dog("rex");
assert.ok(d instanceof Dog && d instanceof Animal);
assert.strictEqual(d.speak(), "rex makes a sound");
assert.strictEqual(d.bark(), "woof");
assert.strictEqual(Dog.super_, Animal);
assert.strictEqual(d.constructor, Dog);
assert.strictEqual(Animal.prototype.bark, undefined, "the parent prototype is untouched");
