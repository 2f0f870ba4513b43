// process.EventEmitter as the manual's "Events" section documents it, and the
// later "events" module that exports the same constructor.
var assert = require("assert");
var sys = require("sys");

var e = new process.EventEmitter();
assert.strictEqual(require("events").EventEmitter, process.EventEmitter);
assert.strictEqual(require("events").Promise, process.Promise);

// emit with no listener returns false and does nothing.
assert.strictEqual(e.emit("nothing", 1), false);

// "newListener" (event, listener), sent for every listener added.
var added = [];
function onNew(event, listener) { added.push([event, listener]); }
assert.strictEqual(e.addListener("newListener", onNew), e, "addListener returns the emitter");
var calls = [];
function first(a, b) { calls.push(["first", a, b, this]); return "ignored"; }
function second(a, b, c) { calls.push(["second", a, b, c]); }
assert.strictEqual(e.addListener("data", first), e);
e.addListener("data", second);
assert.strictEqual(added.length, 2);
assert.strictEqual(added[0][0], "data");
assert.strictEqual(added[0][1], first);
assert.strictEqual(added[1][1], second);

// emit: listeners in order, with the arguments, `this` is the emitter; returns true.
assert.strictEqual(e.emit("data", 1, "two", { three: 3 }), true);
assert.strictEqual(calls.length, 2);
assert.deepEqual(calls[0].slice(0, 3), ["first", 1, "two"]);
assert.strictEqual(calls[0][3], e);
assert.deepEqual(calls[1], ["second", 1, "two", { three: 3 }]);

// Many arguments, and none.
var got = null;
e.addListener("many", function () { got = Array.prototype.slice.call(arguments); });
e.emit("many", 1, 2, 3, 4, 5, 6);
assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
e.emit("many");
assert.deepEqual(got, []);

// listeners(event) is the live array: changing it changes what emit calls.
var list = e.listeners("data");
assert.ok(Array.isArray(list));
assert.strictEqual(list.length, 2);
assert.strictEqual(list[0], first);
assert.strictEqual(list, e.listeners("data"), "the same array each time");
list.splice(0, 1);                // remove `first` through the array
calls = [];
e.emit("data", "x");
assert.deepEqual(calls.map(function (c) { return c[0]; }), ["second"]);
var pushed = 0;
list.push(function () { pushed++; }); // add through the array
e.emit("data");
assert.strictEqual(pushed, 1);
// listeners() of an event never seen is an empty array that also is live.
var fresh = e.listeners("later");
assert.deepEqual(fresh, []);
var viaFresh = 0;
fresh.push(function () { viaFresh++; });
e.emit("later");
assert.strictEqual(viaFresh, 1);

// removeListener: removes that listener only, returns the emitter, unknown ones are ignored.
var order = [];
function a() { order.push("a"); }
function b() { order.push("b"); }
var r = new process.EventEmitter();
r.addListener("ev", a).addListener("ev", b).addListener("ev", a);
assert.strictEqual(r.removeListener("ev", a), r);
r.emit("ev");
assert.deepEqual(order, ["b", "a"], "removes one occurrence, the first");
r.removeListener("ev", function () {});
r.removeListener("unknown", a);
order = [];
r.emit("ev");
assert.deepEqual(order, ["b", "a"]);
// A listener removing another during emit: this emit still calls it (the
// manual warns indices shift; nothing is skipped or crashes).
var r2 = new process.EventEmitter(), seen = [];
function x() { seen.push("x"); r2.removeListener("go", y); }
function y() { seen.push("y"); }
function z() { seen.push("z"); }
r2.addListener("go", x).addListener("go", y).addListener("go", z);
r2.emit("go");
assert.deepEqual(seen, ["x", "y", "z"]);
seen = [];
r2.emit("go");
assert.deepEqual(seen, ["x", "z"]);

// A listener that is not a function is refused with a clear error.
assert.throws(function () { e.addListener("data", "nope"); }, TypeError);
assert.throws(function () { e.addListener("data"); }, /listener must be a function/);

// Subclassing with process.inherits (sys.inherits), as library code does.
function Server() { process.EventEmitter.call(this); this.name = "srv"; }
sys.inherits(Server, process.EventEmitter);
Server.prototype.start = function () { this.emit("started", this.name); };
var s = new Server(), started = null;
assert.ok(s instanceof process.EventEmitter);
assert.strictEqual(Server.super_, process.EventEmitter);
assert.strictEqual(s.constructor, Server);
s.addListener("started", function (n) { started = n; });
s.start();
assert.strictEqual(started, "srv");

// The exception of a listener propagates out of emit to the emitter's caller.
var thrower = new process.EventEmitter();
thrower.addListener("bad", function () { throw new Error("from listener"); });
assert.throws(function () { thrower.emit("bad"); }, /from listener/);

// process itself is an EventEmitter.
assert.ok(process instanceof process.EventEmitter);
