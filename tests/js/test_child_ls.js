// createChildProcess with arguments: ls lists exactly what it is given;
// "output" ends with one null, and "exit" comes after it.
var assert = require("assert");

var events = [];
var out = "";
var ls = process.createChildProcess("ls", ["-1", "-d", "/tmp", "/"]);
assert.equal(typeof ls.pid, "number");
assert.ok(ls.pid > 0);
assert.ok(ls instanceof process.EventEmitter);

ls.addListener("output", function (data) {
  if (data === null) events.push("output null");
  else out += data;
});
ls.addListener("error", function (data) {
  if (data === null) events.push("error null");
  else events.push("stderr " + data);
});
ls.addListener("exit", function (code) {
  events.push("exit " + code);
});

// args default to [] and the PATH lookup finds "pwd"
var pwdOut = "", pwdExit = null;
var pwd = process.createChildProcess("pwd");
pwd.addListener("output", function (data) { if (data !== null) pwdOut += data; });
pwd.addListener("exit", function (code) { pwdExit = code; });

// arguments reach the program as they are: no shell expands or splits them
var echoOut = "";
process.createChildProcess("echo", ["a  b", "$HOME", "*", "'q'"])
  .addListener("output", function (data) { if (data !== null) echoOut += data; });

process.addListener("exit", function () {
  assert.equal(echoOut, "a  b $HOME * 'q'\n");
  assert.equal(out, "/\n/tmp\n");  // ls sorts what it is given
  assert.equal(events.length, 3);
  assert.equal(events[2], "exit 0");
  assert.deepEqual(events.slice(0, 2).sort(), ["error null", "output null"]);
  assert.equal(pwdExit, 0);
  assert.equal(pwdOut, process.cwd() + "\n");
});
