// Several responses streamed by a program that ignores sendBody()'s false,
// one per request, each until sendBody throws ENOBUFS (at the connection's
// limit, TWISTED_NODE_TCP_MAX_UNDRAINED, or the process's,
// TWISTED_NODE_MAX_UNDRAINED_TOTAL). Prints {"port": N}, then per request
// {"code": ..., "message": ..., "queued": bytes accepted}. The connections
// stay open (their clients do not read) until the server is killed.
var sys = require("sys"), http = require("http");
var PIECE = new Array(1024 * 1024 + 1).join("f");
var server = http.createServer(function (req, res) {
  res.sendHeader(200, {"Content-Type": "application/octet-stream"});
  var queued = 0, code = null, message = null;
  try {
    for (var i = 0; i < 1024; i++) { // 1 GiB at most
      res.sendBody(PIECE);
      queued += PIECE.length;
    }
  } catch (e) {
    code = e.code;
    message = e.message;
  }
  sys.puts(JSON.stringify({code: code, message: message, queued: queued}));
});
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
