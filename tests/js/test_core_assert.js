// The "assert" module: every function of the manual, passing and failing, and
// the AssertionError it throws.
var assert = require("assert");

function failure(block) {
  try { block(); } catch (e) { return e; }
  throw new Error("expected an AssertionError, nothing was thrown");
}

function checkError(e, actual, expected, operator, message) {
  if (!(e instanceof assert.AssertionError)) throw new Error("not an AssertionError: " + e);
  if (!(e instanceof Error)) throw new Error("an AssertionError is not an Error");
  if (e.name !== "AssertionError") throw new Error("name is " + e.name);
  if (!sameValue(e.actual, actual)) throw new Error("actual is " + e.actual);
  if (!sameValue(e.expected, expected)) throw new Error("expected is " + e.expected);
  if (e.operator !== operator) throw new Error("operator is " + e.operator + ", not " + operator);
  if (message !== undefined && e.message !== message) throw new Error("message is " + e.message);
  if (typeof e.message !== "string" || e.message === "") throw new Error("no message");
  if (typeof e.stack !== "string") throw new Error("no stack");
}

function sameValue(a, b) {
  return a === b || (a !== a && b !== b) || JSON.stringify(a) === JSON.stringify(b);
}

// The module itself is assert.ok.
assert(true);
checkError(failure(function () { assert(0, "module call"); }), 0, true, "==", "module call");

// ok
assert.ok(1);
assert.ok("x");
checkError(failure(function () { assert.ok(false, "not ok"); }), false, true, "==", "not ok");
checkError(failure(function () { assert.ok(""); }), "", true, "==");

// fail(actual, expected, message, operator)
checkError(failure(function () { assert.fail(1, 2, "failed on purpose", ">"); }), 1, 2, ">", "failed on purpose");
var noMessage = failure(function () { assert.fail(1, 2, undefined, ">"); });
checkError(noMessage, 1, 2, ">");
assert.ok(/1/.test(noMessage.message) && />/.test(noMessage.message) && /2/.test(noMessage.message), noMessage.message);

// equal / notEqual (coercive)
assert.equal(1, "1");
assert.equal(null, undefined);
checkError(failure(function () { assert.equal(1, 2); }), 1, 2, "==");
checkError(failure(function () { assert.equal("a", "b", "msg"); }), "a", "b", "==", "msg");
assert.notEqual(1, 2);
checkError(failure(function () { assert.notEqual(1, "1"); }), 1, "1", "!=");

// strictEqual / notStrictEqual
assert.strictEqual(1, 1);
checkError(failure(function () { assert.strictEqual(1, "1"); }), 1, "1", "===");
assert.notStrictEqual(1, "1");
checkError(failure(function () { assert.notStrictEqual(2, 2, "same"); }), 2, 2, "!==", "same");

// deepEqual / notDeepEqual
assert.deepEqual({ a: [1, 2, { b: 3 }] }, { a: [1, 2, { b: 3 }] });
assert.deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 }, "key order does not matter");
assert.deepEqual(new Date(5), new Date(5));
assert.deepEqual(/x/g, /x/g);
assert.deepEqual(4, "4", "primitives compare with ==");
var c1 = { n: 1 }; c1.self = c1;
var c2 = { n: 1 }; c2.self = c2;
assert.deepEqual(c1, c2, "cyclic structures do not recurse forever");
checkError(failure(function () { assert.deepEqual({ a: 1 }, { a: 2 }); }), { a: 1 }, { a: 2 }, "deepEqual");
checkError(failure(function () { assert.deepEqual([1, 2], [1, 2, 3]); }), [1, 2], [1, 2, 3], "deepEqual");
checkError(failure(function () { assert.deepEqual({ a: 1 }, { a: 1, b: undefined }); }),
           { a: 1 }, { a: 1, b: undefined }, "deepEqual");
checkError(failure(function () { assert.deepEqual(new Date(5), new Date(6)); }), new Date(5), new Date(6), "deepEqual");
assert.notDeepEqual({ a: 1 }, { a: 2 });
assert.notDeepEqual([1], [1, 1]);
assert.notDeepEqual({ a: [1] }, { a: [2] });
checkError(failure(function () { assert.notDeepEqual([1, { x: 2 }], [1, { x: 2 }]); }),
           [1, { x: 2 }], [1, { x: 2 }], "notDeepEqual");

// throws(block, error, message)
assert.throws(function () { throw new Error("x"); });
assert.throws(function () { throw new TypeError("x"); }, TypeError);
assert.throws(function () { throw new Error("matching text"); }, /matching/);
assert.throws(function () { throw "a string"; });
var missing = failure(function () { assert.throws(function () {}, Error, "wanted one"); });
checkError(missing, undefined, Error, "throws");
assert.ok(/Missing expected exception/.test(missing.message) && /wanted one/.test(missing.message), missing.message);
// The wrong kind of error is rethrown as it was.
var wrongKind = failure(function () {
  assert.throws(function () { throw new RangeError("range"); }, TypeError);
});
assert.ok(wrongKind instanceof RangeError, "an unexpected error type propagates");
// throws(block, message) with the message as second argument.
var msgOnly = failure(function () { assert.throws(function () {}, "second-arg message"); });
assert.ok(/second-arg message/.test(msgOnly.message), msgOnly.message);

// doesNotThrow(block, error, message)
assert.doesNotThrow(function () {});
var unwanted = failure(function () { assert.doesNotThrow(function () { throw new Error("bad thing"); }, "ctx"); });
checkError(unwanted, unwanted.actual, null, "doesNotThrow");
assert.ok(unwanted.actual instanceof Error && unwanted.actual.message === "bad thing");
assert.ok(/Got unwanted exception/.test(unwanted.message) && /ctx/.test(unwanted.message), unwanted.message);
// With an error type: only that type counts as a failure; others propagate.
var typed = failure(function () { assert.doesNotThrow(function () { throw new TypeError("t"); }, TypeError); });
assert.ok(typed instanceof assert.AssertionError);
var other = failure(function () { assert.doesNotThrow(function () { throw new RangeError("r"); }, TypeError); });
assert.ok(other instanceof RangeError, "another error type propagates as it was");

// AssertionError can be built directly, and prints usefully.
var made = new assert.AssertionError({ actual: 1, expected: 2, operator: "<", message: "custom" });
assert.strictEqual(made.name, "AssertionError");
assert.strictEqual(made.message, "custom");
assert.strictEqual(String(made), "AssertionError: custom");
// As in Node v0.1.22, the constructor itself is an Error too (programs of the
// time test `assert.AssertionError instanceof Error`); it is still a function
// that can be called, applied and subclassed.
assert.ok(assert.AssertionError instanceof Error, "AssertionError instanceof Error");
assert.strictEqual(typeof assert.AssertionError, "function");
function StrictFailure(options) { assert.AssertionError.call(this, options); }
require("sys").inherits(StrictFailure, assert.AssertionError);
var sub = new StrictFailure({ actual: 1, expected: 2, operator: "<", message: "sub" });
assert.ok(sub instanceof assert.AssertionError && sub instanceof Error);
assert.strictEqual(sub.message, "sub");
assert.ok(/test_core_assert\.js/.test(failure(function () { assert.equal(1, 2); }).stack),
          "the stack points at the caller");
