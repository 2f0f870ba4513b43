// SIGPIPE never kills the program (Node ignores it): sent to ourselves, met
// when writing to a child that closed its stdin, or when our stdout's
// reader goes away.
var assert = require("assert");
var sys = require("sys");

process.kill(process.pid, "SIGPIPE");

// a child that closes its stdin at once but keeps running for a while
var code = null;
var closer = process.createChildProcess("sh", ["-c", "exec 0<&-; sleep 0.5"]);
closer.addListener("exit", function (c) { code = c; });
var big = new Array(65537).join("x");
setTimeout(function () {
  for (var i = 0; i < 64; i++) closer.write(big);  // 4 MB into a closed pipe
}, 100);

// a runtime whose stdout reader (head) leaves after 10 bytes
function q(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }
var headStatus = null;
sys.exec("{ " + q(process.execPath) + " -m twisted_node proc/stdout_bulk.js 100000; echo status $? >&2; }" +
         " | head -c 10 > /dev/null").addCallback(function (stdout, stderr) { headStatus = stderr; });

var alive = false;
setTimeout(function () { alive = true; }, 200);

process.addListener("exit", function () {
  assert.ok(alive, "still running after SIGPIPE");
  assert.equal(code, 0);
  assert.equal(headStatus, "status 0\n");
});
