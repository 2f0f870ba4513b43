// process.addListener("SIGUSR1", f) then process.kill(process.pid, "SIGUSR1"):
// f runs from the event loop (not inside kill), once per signal.
var assert = require("assert");

var calls = 0, duringKill = null, thisInListener = null;
var guard = setTimeout(function () {}, 10000);  // keeps us alive until the signal

function onUsr1() {
  calls++;
  thisInListener = this;
  if (calls === 1) {
    process.kill(process.pid, "SIGUSR1");  // a second one, sent from a listener
  } else {
    process.removeListener("SIGUSR1", onUsr1);
    clearTimeout(guard);
  }
}
process.addListener("SIGUSR1", onUsr1);
process.kill(process.pid, "SIGUSR1");
duringKill = calls;

assert.throws(function () { process.kill(process.pid, "SIGNOTHING"); }, /signal/);

process.addListener("exit", function () {
  assert.equal(duringKill, 0, "listener ran inside process.kill");
  assert.equal(calls, 2);
  assert.ok(thisInListener === process);
});
