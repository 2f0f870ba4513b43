// process.kill(pid[, signal]) on a process the trial test started:
// ARGV[2] pid, ARGV[3] signal name ("" for the default SIGTERM).
var assert = require("assert");
var pid = parseInt(process.ARGV[2], 10);
if (process.ARGV[3]) process.kill(pid, process.ARGV[3]); else process.kill(pid);
assert.throws(function () { process.kill(pid, "SIGNOSUCH"); }, /unknown signal/);
assert.throws(function () { process.kill("not a pid"); }, TypeError);
var gone = null;
try { process.kill(999999999, "SIGTERM"); } catch (e) { gone = e; }
assert.ok(gone instanceof Error && gone.code === "ESRCH", "no such process: " + gone);
require("sys").puts("sent");
