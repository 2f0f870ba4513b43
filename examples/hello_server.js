// The manual's hello world: node's first example, unchanged but for the
// port, which may be given on the command line (default 8000).
//   twisted-node examples/hello_server.js [port]
var sys = require("sys"),
   http = require("http");
var port = parseInt(process.ARGV[2] || "8000", 10);
var server = http.createServer(function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain"});
  response.sendBody("Hello World\n");
  response.finish();
});
server.listen(port);
sys.puts("Server running at http://127.0.0.1:" + server.port + "/");
