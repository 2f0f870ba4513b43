// The "assert" module (CommonJS Unit Testing 1.0, as in Node v0.1).
var inspect = require("sys").inspect;

function AssertionError(options) {
  this.name = "AssertionError";
  this.actual = options.actual;
  this.expected = options.expected;
  this.operator = options.operator;
  this.message = options.message !== undefined && options.message !== null ? String(options.message) :
    inspect(this.actual) + " " + this.operator + " " + inspect(this.expected);
  if (Error.captureStackTrace) Error.captureStackTrace(this, options.stackStartFunction || fail);
}
process.inherits(AssertionError, Error);
AssertionError.prototype.toString = function () { return this.name + ": " + this.message; };

// Node v0.1.22 linked the constructor itself to Error.prototype, so
// `assert.AssertionError instanceof Error` holds; programs of the time test
// it. The link goes through an object that lends it the Function methods,
// so the constructor can still be called and applied (subclasses do).
var errorLikeFunction = Object.create(Error.prototype);
["call", "apply", "bind", "toString"].forEach(function (name) {
  Object.defineProperty(errorLikeFunction, name, { value: Function.prototype[name], writable: true, configurable: true });
});
Object.setPrototypeOf(AssertionError, errorLikeFunction);

var assert = module.exports = function ok(value, message) {
  if (!value) fail(value, true, message, "==", assert.ok);
};
assert.AssertionError = AssertionError;

function fail(actual, expected, message, operator, stackStartFunction) {
  throw new AssertionError({
    actual: actual, expected: expected, message: message, operator: operator,
    stackStartFunction: stackStartFunction
  });
}
assert.fail = fail;

assert.ok = function ok(value, message) {
  if (!value) fail(value, true, message, "==", assert.ok);
};

assert.equal = function equal(actual, expected, message) {
  if (actual != expected) fail(actual, expected, message, "==", assert.equal);
};

assert.notEqual = function notEqual(actual, expected, message) {
  if (actual == expected) fail(actual, expected, message, "!=", assert.notEqual);
};

assert.deepEqual = function deepEqual(actual, expected, message) {
  if (!deepEq(actual, expected, [])) fail(actual, expected, message, "deepEqual", assert.deepEqual);
};

assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
  if (deepEq(actual, expected, [])) fail(actual, expected, message, "notDeepEqual", assert.notDeepEqual);
};

assert.strictEqual = function strictEqual(actual, expected, message) {
  if (actual !== expected) fail(actual, expected, message, "===", assert.strictEqual);
};

assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
  if (actual === expected) fail(actual, expected, message, "!==", assert.notStrictEqual);
};

function deepEq(a, b, seen) {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a == b;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
  var ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
  if (ka.length !== kb.length) return false;
  for (var i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  seen.push([a, b]);
  for (i = 0; i < ka.length; i++) if (!deepEq(a[ka[i]], b[ka[i]], seen)) return false;
  seen.pop();
  return true;
}

function matches(actual, expected) {
  if (!expected) return true;
  if (expected instanceof RegExp) return expected.test(String(actual));
  if (typeof expected === "function") {
    if (actual instanceof expected) return true;
    if (expected.prototype !== undefined) return false; // a constructor that did not match
    return expected.call({}, actual) === true;
  }
  return false;
}

function threw(block) {
  try { block(); } catch (e) { return { error: e }; }
  return null;
}

assert.throws = function throws(block, error, message) {
  if (typeof error === "string") { message = error; error = null; }
  var got = threw(block);
  if (!got) fail(undefined, error, "Missing expected exception" + (message ? ": " + message : "."), "throws", assert.throws);
  if (!matches(got.error, error)) throw got.error;
};

assert.doesNotThrow = function doesNotThrow(block, error, message) {
  if (typeof error === "string") { message = error; error = null; }
  var got = threw(block);
  if (got && (!error || matches(got.error, error))) {
    fail(got.error, error, "Got unwanted exception" + (message ? ": " + message : ".") +
         " " + (got.error && got.error.message !== undefined ? got.error.message : inspect(got.error)),
         "doesNotThrow", assert.doesNotThrow);
  }
  if (got) throw got.error;
};
