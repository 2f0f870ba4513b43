// Listens for SIGTERM itself: the program decides, not the worker's graceful
// stop. ON_SIGTERM=exit: exit 3 at once; ON_SIGTERM=ignore: go on serving
// (the supervisor kills it once the shutdown timeout is over).
var http = require("http");
http.createServer(function (req, res) {
  var body = "worker " + process.workerId + " pid " + process.pid + "\n";
  res.sendHeader(200, { "Content-Length": body.length });
  res.sendBody(body);
  res.finish();
}).listen(parseInt(process.ENV.PORT, 10), "127.0.0.1");
process.addListener("SIGTERM", function () {
  if (process.ENV.ON_SIGTERM === "ignore") {
    process.stdio.writeError("SIGTERM ignored\n");
    return;
  }
  process.stdio.writeError("the program got SIGTERM\n");
  process.exit(3);
});
