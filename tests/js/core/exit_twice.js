// process.exit(7), then an "exit" listener calls process.exit(9): "exit" is
// emitted once, the listener's call decides the status (as Node's would).
var sys = require("sys");
var emitted = 0;
process.addListener("exit", function (code) {
  emitted++;
  sys.puts("exit " + code + " #" + emitted);
  process.exit(9);
});
process.exit(7);
