// A Python addon (core/mods/pyaddon.py; docs/ARCHITECTURE.md, "Addons") loaded by require:
// init(target) fills in the exports; functions returning a Deferred give a
// process.Promise that settles with the Deferred's outcome.
var assert = require("assert");

// A Python addon: init(target) exports, plain calls, Deferreds as promises.
var addon = require("./core/mods/pyaddon");
assert.strictEqual(require("./core/mods/pyaddon"), addon, "an addon is cached too");
assert.strictEqual(addon.hello, "world");
assert.strictEqual(addon.loads, 1, "init ran once");
assert.strictEqual(addon.add(2, 3), 5);
assert.deepEqual(addon.data, { list: [1, 2, 3], nested: { k: null } });
assert.ok(Array.isArray(addon.data.list), "native array");
var thrown = null;
try { addon.throws("addon says no"); } catch (e) { thrown = e; }
assert.ok(thrown instanceof RangeError, "a NodeError from the addon throws in JS: " + thrown);
assert.strictEqual(thrown.message, "addon says no");
assert.strictEqual(thrown.code, "EADDON");

var results = {};
var p = addon.later(21);
assert.ok(p instanceof process.Promise, "a Deferred becomes a process.Promise");
p.addCallback(function (v) { results.later = v; });
addon.later_pair().addCallback(function (a, b) { results.pair = [a, b]; });
addon.already("now").addCallback(function (v) { results.already = v; });
addon.fails().addErrback(function (e) { results.fails = e; });
addon.rejects().addErrback(function (code, msg) { results.rejects = [code, msg]; });
assert.strictEqual(addon.later(5).wait(), 10, "wait() on an addon's promise");

// cancel() on an addon's promise cancels its Deferred; the promise then
// emits nothing more. A canceller that raises is the addon's problem: it is
// logged, and cancel() still returns.
var pending = addon.pending();
pending.addCallback(function () { results.afterCancel = "success"; });
pending.addErrback(function () { results.afterCancel = "error"; });
pending.cancel();
assert.strictEqual(addon.cancelled(), 1, "cancel() cancelled the Deferred");
addon.pending(true).cancel();
assert.strictEqual(addon.cancelled(), 2);

process.addListener("exit", function () {
  assert.strictEqual(results.later, 42);
  assert.deepEqual(results.pair, ["first", 2]);
  assert.strictEqual(results.already, "now");
  assert.ok(results.fails instanceof Error, "a failed Deferred emits an Error");
  assert.strictEqual(results.fails.code, "ENOENT");
  assert.strictEqual(results.fails.errno, 2);
  assert.strictEqual(results.fails.path, "/nowhere");
  assert.deepEqual(results.rejects, ["ECODE", "plain values"]);
  assert.strictEqual(results.afterCancel, undefined, "a cancelled promise emits nothing more");
});

// The exports object is a native JS object (not a Python host object), so
// for..in, Object.keys and JSON see every export.
assert.deepEqual(Object.keys(addon).sort(),
  ["add", "already", "cancelled", "data", "fails", "hello", "later", "later_pair", "loads", "pending",
   "rejects", "throws"]);
// The addon is found by its bare name through require.paths as well.
require.paths.unshift(__dirname + "/core/mods");
assert.strictEqual(require("pyaddon"), addon, "the same cached instance");
