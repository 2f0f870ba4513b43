// The manual's REPL example: a TCP server with a REPL beside it.
//
//   twisted-node examples/repl_server.js [port]
//   simple tcp server> nconnections        (after `nc 127.0.0.1 5000`)
//   1
//   simple tcp server> count
//   5
//
// Control+D leaves. For a daemon, the same REPL is served over TCP instead:
//   twistd -n node --script examples/repl_server.js --repl-port 127.0.0.1:7001
var sys = require("sys"),
    tcp = require("tcp"),
   repl = require("repl");

var port = parseInt(process.ARGV[2] || "5000", 10);

nconnections = 0;

tcp.createServer(function (c) {
  sys.error("Connection!");
  nconnections += 1;
  c.close();
}).listen(port, "127.0.0.1");

repl.start("simple tcp server> ");

// A module-local variable is not global: expose it to the REPL explicitly.
var count = 5;
repl.scope.count = count;
