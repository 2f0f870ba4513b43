// Listens for SIGTERM itself: the program decides (here: exit 3 at once),
// not the worker's graceful stop.
var http = require("http");
http.createServer(function (req, res) {
  var body = "worker " + process.workerId + " pid " + process.pid + "\n";
  res.sendHeader(200, { "Content-Length": body.length });
  res.sendBody(body);
  res.finish();
}).listen(parseInt(process.ENV.PORT, 10), "127.0.0.1");
process.addListener("SIGTERM", function () {
  process.stdio.writeError("the program got SIGTERM\n");
  process.exit(3);
});
