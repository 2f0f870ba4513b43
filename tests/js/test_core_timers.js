// setTimeout / clearTimeout / setInterval / clearInterval (manual: "Timers").
var assert = require("assert");

var order = [];
// Ordered by due time, whatever the order they were set in; same due time in
// creation order.
setTimeout(function () { order.push("30"); }, 30);
setTimeout(function () { order.push("10"); }, 10);
setTimeout(function () { order.push("20a"); }, 20);
setTimeout(function () { order.push("20b"); }, 20);
setTimeout(function () { order.push("0"); }, 0);
setTimeout(function () { order.push("20c"); }, 20);
setTimeout(function () { order.push("undefined delay"); });

// Extra arguments go to the callback; `this` is the timer's id (Node v0.1.22).
var extra = null, thisInTimer = null;
var withExtra = setTimeout(function (a, b, c) { extra = [a, b, c]; thisInTimer = this; }, 1, "x", 2, { y: 3 });

// clearTimeout before it fires.
var cleared = false;
var id = setTimeout(function () { cleared = true; }, 5);
assert.ok(id !== undefined && id !== null, "setTimeout returns an id");
clearTimeout(id);
clearTimeout(id);          // twice is harmless
clearTimeout(undefined);   // so is nonsense
clearTimeout(null);
clearTimeout(12345);

// clearTimeout of another timer from inside a callback.
var victimRan = false;
var victim = setTimeout(function () { victimRan = true; }, 25);
setTimeout(function () { clearTimeout(victim); }, 15);

// setInterval repeats, passes extra arguments, and can be cleared from inside.
var ticks = 0, intervalArgs = [];
var iv = setInterval(function (tag) {
  ticks++;
  intervalArgs.push(tag);
  if (ticks === 4) clearInterval(iv);
}, 2, "tag");

// An interval cleared from outside. (Checked at "exit": an assertion failing
// inside a timer would land in the "uncaughtException" listener below.)
var outsideTicks = 0, ticksAtClear = null, ticksLater = null;
var iv2 = setInterval(function () { outsideTicks++; }, 3);
setTimeout(function () {
  clearInterval(iv2);
  ticksAtClear = outsideTicks;
  setTimeout(function () { ticksLater = outsideTicks; }, 15);
}, 20);

// A timer set from inside a timer callback, and one set with the same due time
// as an already pending one: still ordered.
var chain = [];
setTimeout(function () {
  chain.push("first");
  setTimeout(function () { chain.push("second"); }, 1);
}, 1);

// A throwing timer callback goes to "uncaughtException" and the rest still run.
// Every uncaught exception is kept, so that an unexpected one (a cleared
// timer's assert.fail below, say) fails the test at "exit".
var caught = [], afterThrow = false;
process.addListener("uncaughtException", function (e) { caught.push(e); });
setTimeout(function () { throw new Error("timer threw"); }, 2);
setTimeout(function () { afterThrow = true; }, 2);

// A long timer that is cleared does not keep the program alive (this test
// would otherwise run for a minute).
clearTimeout(setTimeout(function () { assert.fail("cleared timer fired"); }, 60000));
clearInterval(setInterval(function () { assert.fail("cleared interval fired"); }, 60000));

// Bad arguments give clear errors.
assert.throws(function () { setTimeout("code string", 10); }, TypeError);
assert.throws(function () { setInterval(null, 10); }, /callback must be a function/);

var exits = 0;
process.addListener("exit", function () {
  exits++;
  assert.deepEqual(order, ["0", "undefined delay", "10", "20a", "20b", "20c", "30"]);
  assert.deepEqual(extra, ["x", 2, { y: 3 }]);
  assert.strictEqual(thisInTimer, withExtra);
  assert.strictEqual(cleared, false, "a cleared timeout never fires");
  assert.strictEqual(victimRan, false, "clearTimeout from another callback works");
  assert.strictEqual(ticks, 4, "clearInterval from inside its own callback stops it");
  assert.deepEqual(intervalArgs, ["tag", "tag", "tag", "tag"]);
  assert.ok(outsideTicks >= 2, "an interval repeats: " + outsideTicks);
  assert.ok(ticksAtClear !== null && ticksLater !== null, "the clearInterval timers ran");
  assert.strictEqual(ticksLater, ticksAtClear, "no tick after clearInterval");
  assert.deepEqual(chain, ["first", "second"]);
  assert.strictEqual(caught.length, 1, "uncaught: " + caught.join("; "));
  assert.ok(caught[0] instanceof Error && caught[0].message === "timer threw");
  assert.strictEqual(afterThrow, true);
  assert.strictEqual(exits, 1);
});
