// 1,000 short children, at most MAX_ALIVE at once: every "exit" arrives with
// its code, and no file descriptor is left open afterwards.
var assert = require("assert");
var posix = require("posix");

var TOTAL = 1000, MAX_ALIVE = 30;
var started = 0, exited = 0, alive = 0, maxAlive = 0;
var zeros = 0, ones = 0, nullsSeen = 0, badPids = 0;
var fdsBefore = null, fdsAfter = null;

// Our open fds (the listing's own directory fd is there both times).
function countFds() {
  return posix.readdir("/proc/self/fd").wait().length;
}

function startOne() {
  var n = started++;
  alive++;
  if (alive > maxAlive) maxAlive = alive;
  var child = process.createChildProcess(n % 2 ? "false" : "true");
  // set at once, even for a child that is already gone
  if (typeof child.pid !== "number" || !(child.pid > 0)) badPids++;
  child.addListener("output", function (d) { if (d === null) nullsSeen++; });
  child.addListener("error", function (d) { if (d === null) nullsSeen++; });
  child.addListener("exit", function (code) {
    alive--;
    exited++;
    if (code === 0) zeros++;
    else if (code === 1) ones++;
    if (started < TOTAL) startOne();
    else if (exited === TOTAL) fdsAfter = countFds();
  });
}

fdsBefore = countFds();
for (var i = 0; i < MAX_ALIVE; i++) startOne();

process.addListener("exit", function () {
  assert.equal(exited, TOTAL, "every child reported its exit");
  assert.equal(zeros, TOTAL / 2);
  assert.equal(ones, TOTAL / 2);
  assert.equal(nullsSeen, 2 * TOTAL);
  assert.equal(badPids, 0, "child.pid missing");
  assert.ok(maxAlive <= MAX_ALIVE);
  assert.ok(fdsBefore > 3, "fd count measured");
  assert.equal(fdsAfter, fdsBefore, "file descriptors leaked");
});
