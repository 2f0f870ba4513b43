// Holds one handle of each kind until it is stopped: a tcp server and the
// connections made to it, an http server and its keep-alive connections, and
// a child process. The embedding test reads the ports and the child's pid
// from GLOBAL.handles, and checks that each is closed once the program has
// ended: stopped by its host, or by itself (process.exit(5) when a tcp
// connection receives "exit").
var tcp = require("tcp"), http = require("http");

GLOBAL.connections = 0;
GLOBAL.requests = 0;

var server = tcp.createServer(function (connection) {
  GLOBAL.connections++;
  connection.addListener("receive", function (data) {
    if (data === "exit") process.exit(5);
  });
});
server.listen(0, "127.0.0.1");

var web = http.createServer(function (request, response) {
  GLOBAL.requests++;
  response.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": "3"});
  response.sendBody("hi\n");
  response.finish();
});
web.listen(0, "127.0.0.1");

var child = process.createChildProcess("sleep", ["600"]);

GLOBAL.handles = JSON.stringify({tcp: server.port, http: web.port, child: child.pid});
