// process.stdio end to end through a pipe on both sides: a child runtime
// reads its stdin (which we feed with child.write) and echoes it to its
// stdout (which we read): every char arrives, in order, and the child ends
// once its stdin is closed.
var assert = require("assert");

var PYTHON = process.execPath;
var expected = "", out = "", err = "", code = null;

var echo = process.createChildProcess(PYTHON, ["-m", "twisted_node", "proc/stdin_echo.js"]);
echo.addListener("output", function (d) { if (d !== null) out += d; });
echo.addListener("error", function (d) { if (d !== null) err += d; });
echo.addListener("exit", function (c) { code = c; });

for (var i = 0; i < 20000; i++) {
  var line = "chunk " + i + " abcdefghijklmnopqrstuvwxyz0123456789\n";
  echo.write(line);
  expected += line;
}
echo.close();

// stdio.close() ends a program whose stdin is still open at the other end
var holdOut = "", holdCode = null;
var hold = process.createChildProcess(PYTHON, ["-m", "twisted_node", "proc/stdin_hold.js"]);
hold.addListener("output", function (d) { if (d !== null) holdOut += d; });
hold.addListener("exit", function (c) {
  holdCode = c;
  clearTimeout(guard);
});
hold.write("12345");
var guard = setTimeout(function () { hold.kill("SIGKILL"); }, 30000);

process.addListener("exit", function () {
  assert.equal(code, 0, err);
  assert.equal(out.length, expected.length);
  assert.ok(out === expected, "echoed data differs");
  assert.ok(new RegExp("^chars " + expected.length + " chunks \\d+\\n$").test(err), err);
  assert.equal(holdCode, 0, "stdio.close() did not let the program end");
  assert.equal(holdOut, "got 5\nexit\n");
});
