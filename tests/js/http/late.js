// A server whose program writes to a response after finishing it, as a log
// streamer of the v0.1 era did when a second timer fired. Prints {"port": N}
// and serves until killed.
//   /late   "ok\n" (Content-Length 3), finished; 50 ms later sendBody(),
//           finish() and sendBody() again on that finished response
//   /next   "next\n", answered only once the late writes of /late are done
//   /       the manual's hello world
var sys = require("sys"), http = require("http");

var lateDone = false, waiting = null;

function answerNext(res) {
  res.sendHeader(200, {"Content-Length": "5"});
  res.sendBody("next\n");
  res.finish();
}

var server = http.createServer(function (req, res) {
  var path = req.uri.path;
  if (path === "/late") {
    res.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": "3"});
    res.sendBody("ok\n");
    res.finish();
    setTimeout(function () {
      res.sendBody("LATE");
      res.finish();
      res.sendBody("LATER");
      lateDone = true;
      if (waiting !== null) answerNext(waiting);
    }, 50);
  } else if (path === "/next") {
    if (lateDone) answerNext(res);
    else waiting = res;
  } else {
    res.sendHeader(200, {"Content-Type": "text/plain"});
    res.sendBody("Hello World\n");
    res.finish();
  }
});
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
