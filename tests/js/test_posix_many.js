// A thousand stats in flight at once (and a hundred failing ones): every
// promise fires, with the right result, and the program waits for them all.
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var dir = scratch.make("many");
var FILES = 10, STATS = 1000, MISSING = 100;
for (var i = 0; i < FILES; i++) {
  var fd = posix.openSync(dir + "/f" + i, process.O_CREAT | process.O_WRONLY, 0644);
  posix.writeSync(fd, new Array(i + 1).join("x"), null);
  posix.closeSync(fd);
}

var ok = 0, failed = 0, started = 0;

for (var n = 0; n < STATS; n++) {
  (function (n) {
    var promise = posix.stat(dir + "/f" + (n % FILES));
    promise.addCallback(function (stats) {
      assert.equal(n % FILES, stats.size, "stat " + n);
      ok++;
    });
    started++;
  })(n);
}
for (var m = 0; m < MISSING; m++) {
  posix.stat(dir + "/missing" + m).addErrback(function (e) {
    assert.equal("ENOENT", e.code);
    failed++;
  });
}
// The calls return at once; results come later, from the reactor.
assert.equal(0, ok);
assert.equal(STATS, started);

process.addListener("exit", function () {
  assert.equal(STATS, ok);
  assert.equal(MISSING, failed);
});
