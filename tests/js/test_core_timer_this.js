// In a setTimeout or setInterval callback, `this` is the timer's own id (as
// in Node v0.1.22, where the timer emitted its "timeout" event): an interval
// can stop itself with clearInterval(this).
var assert = require("assert");

var ticks = 0, extra = [];
var interval = setInterval(function (a, b) {
  assert.strictEqual(this, interval, "this is the id setInterval returned");
  extra.push(a + b);
  ticks++;
  if (ticks === 3) clearInterval(this);
}, 1, 2, 3);

var timeoutThis = null;
var timeout = setTimeout(function () { timeoutThis = this; }, 1);

process.addListener("exit", function () {
  assert.equal(ticks, 3, "clearInterval(this) stopped the interval");
  assert.deepEqual(extra, [5, 5, 5], "extra arguments still reach the callback");
  assert.strictEqual(timeoutThis, timeout);
});
