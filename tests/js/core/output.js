// puts, print, debug go to stdout in call order; error goes to stderr.
// debug is synchronous: it is out even though the process is killed at once.
var sys = require("sys");
sys.puts("one");
sys.print("two ");
sys.print("three\n");
sys.error("to stderr");
puts("global puts");
sys.debug("synchronous");
process.kill(process.pid, "SIGKILL");
