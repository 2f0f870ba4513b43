// sys.exec(command): through /bin/sh, buffered; success (stdout, stderr) on
// exit 0, error (code, stdout, stderr) otherwise.
var assert = require("assert");
var sys = require("sys");

var ok = null, failed = null, waited = null, utf8 = null;

sys.exec("echo hello; echo warn >&2; echo $((6 * 7))").addCallback(function (stdout, stderr) {
  ok = [stdout, stderr];
});

sys.exec("printf partial; printf oops >&2; exit 4")
  .addCallback(function () { failed = "succeeded?"; })
  .addErrback(function (code, stdout, stderr) { failed = [code, stdout, stderr]; });

// a command that does not exist: the shell's own status and message
var missing = null;
sys.exec("no-such-command-twisted-node").addErrback(function (code, stdout, stderr) {
  missing = [code, stdout, stderr];
});

// output is text: UTF-8 comes back whole
sys.exec("printf '\\303\\251\\342\\202\\254'").addCallback(function (stdout) { utf8 = stdout; });

// promise.wait() gives both success arguments as an array
waited = sys.exec("echo waited").wait();

assert.throws(function () { sys.exec(); }, /command must be a string/);

process.addListener("exit", function () {
  assert.deepEqual(ok, ["hello\n42\n", "warn\n"]);
  assert.deepEqual(failed, [4, "partial", "oops"]);
  assert.equal(missing[0], 127);
  assert.equal(missing[1], "");
  assert.ok(/not found/.test(missing[2]), missing[2]);
  assert.equal(utf8, "\u00e9\u20ac");
  assert.deepEqual(waited, ["waited\n", ""]);
});
