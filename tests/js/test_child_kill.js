// child.kill(): SIGTERM by default, names accepted; a killed child exits with
// 128 + the signal number, as a shell reports it.
var assert = require("assert");

var codes = {};
function sleeper(name) {
  var child = process.createChildProcess("sleep", ["30"]);
  child.addListener("exit", function (code) { codes[name] = code; });
  return child;
}

var term = sleeper("term");
var kill = sleeper("kill");
var int = sleeper("int");
var number = sleeper("number");

assert.throws(function () { term.kill("SIGNOTHING"); }, /unknown signal/);
assert.equal(term.kill(), true);
kill.kill("SIGKILL");
int.kill("INT");
number.kill(9);

// a child that already ended: kill says false and does not throw
var done = process.createChildProcess("true");
var doneKilled = null;
done.addListener("exit", function () { doneKilled = done.kill(); });

process.addListener("exit", function () {
  assert.equal(codes.term, 143);
  assert.equal(codes.kill, 137);
  assert.equal(codes.int, 130);
  assert.equal(codes.number, 137);
  assert.equal(doneKilled, false);
});
