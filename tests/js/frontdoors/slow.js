// An HTTP server whose answers take 300 ms: a request is in flight when the
// embedding test stops the service (GLOBAL.port, GLOBAL.requests for it).
var http = require("http");
GLOBAL.requests = 0;
var server = http.createServer(function (request, response) {
  GLOBAL.requests++;
  setTimeout(function () {
    response.sendHeader(200, { "Content-Type": "text/plain", "Content-Length": "5" });
    response.sendBody("done\n");
    response.finish();
  }, 300);
});
server.listen(0, "127.0.0.1");
GLOBAL.port = server.port;
process.addListener("exit", function (code) { GLOBAL.exitedWith = code; });
