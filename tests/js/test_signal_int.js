// SIGINT with a listener no longer kills the program; without one (the last
// listener removed) it does, with a shell's 130 (128 + SIGINT).
var assert = require("assert");

var PYTHON = process.execPath;
var results = {};

function run(name, args) {
  var r = results[name] = { out: "", err: "", code: null };
  var child = process.createChildProcess(PYTHON, ["-m", "twisted_node", "proc/sigint_self.js"].concat(args));
  child.addListener("output", function (d) { if (d !== null) r.out += d; });
  child.addListener("error", function (d) { if (d !== null) r.err += d; });
  child.addListener("exit", function (c) { r.code = c; });
}

run("listening", ["listen"]);
run("default", []);

// and in this very process: a listener keeps SIGINT from killing us
var heard = 0;
process.addListener("SIGINT", function () { heard++; });
process.kill(process.pid, "SIGINT");
setTimeout(function () { process.kill(process.pid, "SIGINT"); }, 100);
setTimeout(function () {}, 300);

process.addListener("exit", function () {
  assert.equal(results.listening.code, 0, results.listening.err);
  assert.equal(results.listening.out, "survived 2\n");
  assert.equal(results["default"].code, 130, "without a listener SIGINT kills: " + results["default"].err);
  assert.equal(results["default"].out, "");
  assert.equal(heard, 2);
});
