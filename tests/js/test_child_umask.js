// "Child processes inherit the mask from the parent process" (the manual,
// process.umask): a child started after umask() reports the new mask, and
// a file it creates gets its permissions from it.
var assert = require("assert");
var posix = require("posix");

var path = "/tmp/twisted_node_umask_" + process.pid;
process.umask(0x17); // 027
var out = "", code = null;
var sh = process.createChildProcess("sh", ["-c", 'umask; rm -f "$1"; touch "$1"', "sh", path]);
sh.addListener("output", function (data) { if (data !== null) out += data; });
sh.addListener("exit", function (c) {
  code = c;
  var mode = posix.stat(path).wait().mode & 0x1ff;
  posix.unlink(path).wait();
  assert.strictEqual(mode, 0x1a0, "touch made a file of mode 0" + mode.toString(8)); // 0640
});

process.addListener("exit", function () {
  assert.strictEqual(code, 0);
  assert.strictEqual(out.trim(), "0027");
});
