// A command that cannot be started: a clear message on "error", null on both
// streams, exit 127 as from a shell. Bad arguments throw at once.
var assert = require("assert");

var err = "", nulls = 0, code = null;
var child = process.createChildProcess("no-such-command-twisted-node", ["x"]);
assert.strictEqual(child.pid, null);
child.addListener("output", function (d) { if (d === null) nulls++; });
child.addListener("error", function (d) { if (d === null) nulls++; else err += d; });
child.addListener("exit", function (c) { code = c; });

// writing to it or killing it is harmless
child.write("ignored");
assert.equal(child.kill(), false);

// not on the child's PATH, even though it is on ours
var noPath = null;
process.createChildProcess("ls", [], { PATH: "/nonexistent" })
  .addListener("exit", function (c) { noPath = c; });

assert.throws(function () { process.createChildProcess(); }, /command must be a non-empty string/);
assert.throws(function () { process.createChildProcess(42); }, TypeError);
assert.throws(function () { process.createChildProcess("ls", "-l"); }, /args must be an array/);

process.addListener("exit", function () {
  assert.equal(err, "no-such-command-twisted-node: command not found\n");
  assert.equal(nulls, 2);
  assert.equal(code, 127);
  assert.equal(noPath, 127);
});
