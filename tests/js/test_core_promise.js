// process.Promise as the manual documents it: callbacks, one outcome only,
// cancel, timeout, and wait() with its nested semantics.
var assert = require("assert");

// A wait() that nothing could ever satisfy throws instead of hanging (nothing
// is pending yet at this point of the program).
var never = new process.Promise(), neverError = null;
try { never.wait(); } catch (e) { neverError = e; }
assert.ok(neverError instanceof Error, "wait() on a promise that can never fire throws");
assert.ok(/^promise.wait\(\) would block forever/.test(neverError.message), neverError.message);

// --- listeners, return values, several arguments -------------------------------
var p = new process.Promise();
assert.ok(p instanceof process.EventEmitter, "a Promise is an EventEmitter");
var log = [];
assert.strictEqual(p.addCallback(function (a, b, c) { log.push(["ok", a, b, c]); }), p);
assert.strictEqual(p.addErrback(function (e) { log.push(["err", e]); }), p);
assert.strictEqual(p.addCancelback(function () { log.push(["cancel"]); }), p);
p.emitSuccess(1, "two", [3]);
assert.deepEqual(log, [["ok", 1, "two", [3]]]);
// One outcome only: nothing after the first.
p.emitSuccess(9);
p.emitError(new Error("late"));
assert.strictEqual(log.length, 1, "a promise emits one event only");
// A callback added after success is called with the values it fired with.
var late = null;
p.addCallback(function () { late = Array.prototype.slice.call(arguments); });
assert.deepEqual(late, [1, "two", [3]]);
var lateErr = false;
p.addErrback(function () { lateErr = true; });
assert.strictEqual(lateErr, false);

var pe = new process.Promise(), errArgs = null, okAfterErr = false;
pe.addErrback(function () { errArgs = Array.prototype.slice.call(arguments); });
pe.addCallback(function () { okAfterErr = true; });
pe.emitError("code", "message", 3);
pe.emitSuccess("too late");
assert.deepEqual(errArgs, ["code", "message", 3]);
assert.strictEqual(okAfterErr, false);

// emit("success", ...) works like emitSuccess (the manual's noted bug is fixed).
var viaEmit = new process.Promise(), viaEmitArgs = null;
viaEmit.addCallback(function (a, b) { viaEmitArgs = [a, b]; });
viaEmit.emit("success", "a", "b");
assert.deepEqual(viaEmitArgs, ["a", "b"]);
viaEmit.emitError("ignored");

// emitCancel: a "cancel" event with arguments; a later success still comes through.
var pc = new process.Promise(), cancelArgs = null, okAfterCancel = null;
pc.addCancelback(function (x, y) { cancelArgs = [x, y]; });
pc.addCallback(function (v) { okAfterCancel = v; });
pc.emitCancel("why", 2);
assert.deepEqual(cancelArgs, ["why", 2]);
pc.emitSuccess("still");
assert.strictEqual(okAfterCancel, "still");

// cancel(): clears success and error listeners, then emits "cancel".
var pk = new process.Promise(), kLog = [];
pk.addCallback(function () { kLog.push("ok"); });
pk.addErrback(function () { kLog.push("err"); });
pk.addCancelback(function () { kLog.push("cancel"); });
var liveSuccess = pk.listeners("success");
pk.cancel();
assert.deepEqual(kLog, ["cancel"]);
assert.strictEqual(pk.listeners("success").length, 0);
assert.strictEqual(pk.listeners("error").length, 0);
assert.strictEqual(pk.listeners("success"), liveSuccess, "cancel() empties the live array in place");
pk.emitSuccess(1);
pk.emitError(new Error("ignored after cancel"));
assert.deepEqual(kLog, ["cancel"]);

// cancel() also clears a timeout: no "timeout" error, and the program is not
// kept alive by it (a 60 s timeout would hold the test until the trial timeout).
var pt = new process.Promise(), ptErr = null;
pt.timeout(60000);
pt.cancel();
pt.addErrback(function (e) { ptErr = e; });

// An error emitted before anyone listens is not lost (nor uncaught) when an
// errback is added in the same tick: it is called with the error.
var lateHandled = new process.Promise(), lateHandledErr = null;
lateHandled.emitError(new Error("handled late"));
lateHandled.addErrback(function (e) { lateHandledErr = e; });
assert.strictEqual(lateHandledErr && lateHandledErr.message, "handled late");

// --- timeout -------------------------------------------------------------------
var timed = new process.Promise(), timedErr = null, timedOk = false;
assert.strictEqual(timed.timeout(), undefined, "no timeout set yet");
timed.timeout(20);
assert.strictEqual(timed.timeout(), 20, "timeout() returns the current value");
timed.addCallback(function () { timedOk = true; });
timed.addErrback(function (e) { timedErr = e; });
// Success before the timeout cancels it.
var beaten = new process.Promise(), beatenErr = null, beatenOk = null;
beaten.timeout(30);
beaten.addErrback(function (e) { beatenErr = e; });
beaten.addCallback(function (v) { beatenOk = v; });
setTimeout(function () { beaten.emitSuccess("in time"); }, 1);
// An error emitted before the timeout also cancels it (a single error arrives).
var errFirst = new process.Promise(), errFirstCount = 0;
errFirst.timeout(15);
errFirst.addErrback(function () { errFirstCount++; });
errFirst.emitError(new Error("first"));

// --- wait() ----------------------------------------------------------------------
function later(ms) {
  var promise = new process.Promise(), args = Array.prototype.slice.call(arguments, 1);
  setTimeout(function () { promise.emitSuccess.apply(promise, args); }, ms);
  return promise;
}
assert.strictEqual(later(1, "one").wait(), "one", "one success argument is returned");
assert.deepEqual(later(1, "a", "b", 3).wait(), ["a", "b", 3], "several are returned as an array");
assert.strictEqual(later(1).wait(), undefined);
// A promise that already fired returns at once.
var fired = new process.Promise();
fired.emitSuccess("already");
assert.strictEqual(fired.wait(), "already");
// Error: wait() throws it.
var failing = new process.Promise();
setTimeout(function () { failing.emitError(new Error("it failed")); }, 1);
assert.throws(function () { failing.wait(); }, /it failed/);
var failingPlain = new process.Promise(), plainErr = null;
setTimeout(function () { failingPlain.emitError("ENOENT", "no such thing"); }, 1);
try { failingPlain.wait(); } catch (e) { plainErr = e; }
assert.ok(plainErr instanceof Error, "non-Error error values still throw an Error");
assert.ok(/ENOENT/.test(plainErr.message) && /no such thing/.test(plainErr.message), plainErr.message);
// A timeout makes wait() throw the "timeout" Error.
var slow = new process.Promise();
slow.timeout(5);
var slowErr = null;
try { slow.wait(); } catch (e) { slowErr = e; }
assert.ok(slowErr instanceof Error);
assert.strictEqual(slowErr.message, "timeout");

// Nested waits: events set up before a wait keep firing while it blocks, and
// the outer wait returns only after the inner one has returned.
var events = [];
var outer = new process.Promise(), inner = new process.Promise();
setTimeout(function () {
  events.push("inner wait starts");
  var v = inner.wait();
  events.push("inner wait returned " + v);
}, 5);
setTimeout(function () { events.push("outer fires"); outer.emitSuccess("O"); }, 15);
setTimeout(function () { events.push("inner fires"); inner.emitSuccess("I"); }, 40);
var tickDuringWait = false;
process.nextTick(function () { tickDuringWait = true; });
var outerValue = outer.wait();
events.push("outer wait returned " + outerValue);
assert.deepEqual(events, [
  "inner wait starts", "outer fires", "inner fires", "inner wait returned I", "outer wait returned O"
]);
assert.strictEqual(tickDuringWait, true, "nextTick callbacks run while wait() blocks");

var exits = 0;
process.addListener("exit", function () {
  exits++;
  assert.strictEqual(timedOk, false);
  assert.ok(timedErr instanceof Error, "timeout emits an Error");
  assert.strictEqual(timedErr.message, "timeout");
  assert.strictEqual(beatenOk, "in time");
  assert.strictEqual(beatenErr, null, "success cancels the timeout");
  assert.strictEqual(errFirstCount, 1, "an error cancels the timeout");
  assert.strictEqual(ptErr, null, "cancel() clears the timeout");
  assert.strictEqual(exits, 1);
});
