// process.stdio.write to a pipe and to a file: a program writing about 10 MB
// and exiting at once delivers every byte, in order. And stdin read from a
// regular file.
var assert = require("assert");
var sys = require("sys");

var PYTHON = process.execPath;
var LINES = 200000;
var LINE_SIZE = "line 0 ".length + 48 + 1;  // grows with the digits of i
var expectedSize = 0;
for (var i = 0, digits = 1, next = 10; i < LINES; i++) {
  if (i === next) { digits++; next *= 10; }
  expectedSize += LINE_SIZE - 1 + digits;
}

function q(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }
var file = "/tmp/twisted_node_stdout_" + process.pid;
var fileCopy = file + ".copy";

// to a pipe
var piped = "", pipedCode = null;
var bulk = process.createChildProcess(PYTHON, ["-m", "twisted_node", "proc/stdout_bulk.js", String(LINES)]);
bulk.addListener("output", function (d) { if (d !== null) piped += d; });
bulk.addListener("exit", function (c) { pipedCode = c; });

// to a file, then that file as another program's stdin, echoed into a second file
var fileCheck = null, copyCheck = null;
var check = "awk '$2 != NR - 1 { bad++ } END { print NR, bad + 0 }' ";
// (v0.1 promises do not chain: each step starts the next from its callback)
sys.exec(q(PYTHON) + " -m twisted_node proc/stdout_bulk.js " + LINES + " > " + file)
  .addCallback(function () {
    sys.exec("wc -c < " + file + "; " + check + file).addCallback(function (out) {
      fileCheck = out;
      sys.exec(q(PYTHON) + " -m twisted_node proc/stdin_echo.js < " + file + " > " + fileCopy)
        .addCallback(function () {
          sys.exec("cmp " + file + " " + fileCopy + " && echo same; rm -f " + file + " " + fileCopy)
            .addCallback(function (out) { copyCheck = out; });
        });
    });
  });

process.addListener("exit", function () {
  assert.equal(pipedCode, 0);
  assert.equal(piped.length, expectedSize);
  var lines = piped.split("\n");
  assert.equal(lines.length, LINES + 1);
  var misplaced = 0;
  for (var i = 0; i < LINES; i++) if (lines[i].indexOf("line " + i + " ") !== 0) misplaced++;
  assert.equal(misplaced, 0, "lines lost or out of order");
  assert.equal(fileCheck, expectedSize + "\n" + LINES + " 0\n");
  assert.equal(copyCheck, "same\n");
});
