// Starts a long sleep, prints its pid, and ends with process.exit while the
// child still runs: the runtime must not leave it behind.
var sys = require("sys");
var sleeper = process.createChildProcess("sleep", ["60"]);
sys.puts(sleeper.pid);
setTimeout(function () { process.exit(0); }, 100);
