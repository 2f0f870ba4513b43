// A response streamed by a program that ignores sendBody()'s false: once the
// limit past the full mark (TWISTED_NODE_TCP_MAX_UNDRAINED) is reached,
// sendBody throws ENOBUFS. Prints {"port": N}, then after the one request
// {"code": ..., "sawFalse": ..., "queued": bytes accepted}.
var sys = require("sys"), http = require("http");
var PIECE = new Array(64 * 1024 + 1).join("f");
var server = http.createServer(function (req, res) {
  res.sendHeader(200, {"Content-Type": "application/octet-stream"});
  var queued = 0, sawFalse = false, code = null;
  try {
    for (var i = 0; i < 4096; i++) { // 256 MiB at most
      if (!res.sendBody(PIECE)) sawFalse = true;
      queued += PIECE.length;
    }
  } catch (e) {
    code = e.code;
  }
  sys.puts(JSON.stringify({code: code, sawFalse: sawFalse, queued: queued}));
  req.connection.forceClose();
  server.close();
});
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
