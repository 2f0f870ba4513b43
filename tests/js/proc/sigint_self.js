// Sends itself SIGINT: with ARGV[2] == "listen" while a listener is
// installed (it must survive, print "survived" and exit 0), otherwise after
// the last listener was removed (the default action kills it, as in Node).
var sys = require("sys");
var heard = 0;
function onInt() { heard++; }
process.addListener("SIGINT", onInt);
if (process.ARGV[2] !== "listen") process.removeListener("SIGINT", onInt);
process.kill(process.pid, "SIGINT");
setTimeout(function () {
  process.kill(process.pid, "SIGINT");
  setTimeout(function () { sys.puts("survived " + heard); }, 200);
}, 200);
