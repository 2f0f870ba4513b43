// The "sys" module: inspect (what users print while debugging) and inherits.
// Output ordering of puts/print/debug/error is checked by tests/test_core_programs.py.
var assert = require("assert");
var sys = require("sys");

["puts", "print", "debug", "error", "inspect", "inherits", "exec"].forEach(function (name) {
  assert.strictEqual(typeof sys[name], "function", "sys." + name);
});
assert.strictEqual(require("sys"), sys, "one cached instance of a built-in");

var inspect = sys.inspect;
// The layout of Node v0.1.22: one item per line, one space of indent per
// level, keys quoted as JSON.
assert.strictEqual(inspect(1), "1");
assert.strictEqual(inspect("str"), '"str"');
assert.strictEqual(inspect('say "hi"\n'), '"say \\"hi\\"\\n"');
assert.strictEqual(inspect(null), "null");
assert.strictEqual(inspect(undefined), "undefined");
assert.strictEqual(inspect(true), "true");
assert.strictEqual(inspect([]), "[]");
assert.strictEqual(inspect({}), "{}");
assert.strictEqual(inspect([1, 2]), "[\n 1,\n 2\n]");
assert.strictEqual(inspect([1, "a", null]), '[\n 1,\n "a",\n null\n]');
assert.strictEqual(inspect({ a: 1 }), '{\n "a": 1\n}');
assert.strictEqual(inspect({ a: 1, b: "x" }), '{\n "a": 1,\n "b": "x"\n}');
assert.strictEqual(inspect({ a: { b: 2 } }), '{\n "a": {\n  "b": 2\n }\n}');
assert.strictEqual(inspect({ list: [1, [2]], none: {} }),
                   '{\n "list": [\n  1,\n  [\n   2\n  ]\n ],\n "none": {}\n}');
assert.strictEqual(inspect({ "a key": 1 }), '{\n "a key": 1\n}');
// Functions, with or without a name or properties of their own.
assert.strictEqual(inspect(function named() {}), "[Function]");
var fnWithProps = function tagged() {};
fnWithProps.extra = 1;
assert.strictEqual(inspect({ f: fnWithProps }), '{\n "f": [Function]\n}');
// Inherited enumerable properties are shown, like a for-in loop sees them.
function Shape() { this.sides = 3; }
Shape.prototype.kind = "shape";
assert.strictEqual(inspect(new Shape()), '{\n "sides": 3,\n "kind": "shape"\n}');
// Getters and setters are named, not called.
var accessors = {};
accessors.__defineGetter__("g", function () { throw new Error("never called"); });
accessors.__defineGetter__("gs", function () { return 1; });
accessors.__defineSetter__("gs", function (v) {});
accessors.__defineSetter__("s", function (v) {});
assert.strictEqual(inspect(accessors), '{\n "g": [Getter],\n "gs": [Getter/Setter],\n "s": [Setter]\n}');
// An array with properties besides its items shows as an object.
var tagged = [1];
tagged.tag = "t";
assert.strictEqual(inspect(tagged), '{\n "0": 1,\n "tag": "t"\n}');
// Cycles are shown, not followed.
var cyclic = { name: "c" };
cyclic.self = cyclic;
cyclic.list = [cyclic];
assert.strictEqual(inspect(cyclic),
                   '{\n "name": "c",\n "self": [Circular],\n "list": [\n  [Circular]\n ]\n}');
// The same object twice, not in a cycle, is shown twice.
var twice = { x: 1 };
assert.ok(!/Circular/.test(inspect({ a: twice, b: twice })), inspect({ a: twice, b: twice }));
// Never throws: an object whose keys cannot be listed, an object without a
// prototype, one whose conversions throw.
var noProto = Object.create(null);
noProto.k = "v";
assert.strictEqual(inspect(noProto), '{\n "k": "v"\n}');
var badToString = { toString: function () { throw new Error("no"); }, valueOf: function () { throw new Error("no"); } };
assert.strictEqual(typeof inspect(badToString), "string");
// Dates, regexps and errors show what they are (beyond v0.1, which showed {}).
assert.strictEqual(inspect(/ab+c/g), "/ab+c/g");
assert.strictEqual(inspect(new Date(Date.UTC(2010, 0, 2))), "2010-01-02T00:00:00.000Z");
assert.strictEqual(inspect(new Error("oops")), "[Error: oops]");
// Deep nesting is printed in full.
var deep = {}, cur = deep;
for (var i = 0; i < 50; i++) { cur.next = {}; cur = cur.next; }
assert.strictEqual(inspect(deep).split("\n").length, 50 * 2 + 1);
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
