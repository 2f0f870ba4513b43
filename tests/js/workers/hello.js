// Answers every request with the worker that served it; a request for /slow
// is answered after the delay given in ms (?ms=...), to be in flight when a
// graceful stop begins. PORT: the port (or path, or endpoint string) to listen on.
var http = require("http");
var where = process.ENV.PORT;
http.createServer(function (req, res) {
  var body = "worker " + process.workerId + " pid " + process.pid + "\n";
  var answer = function () {
    res.sendHeader(200, { "Content-Type": "text/plain", "Content-Length": body.length });
    res.sendBody(body);
    res.finish();
  };
  if (req.uri.path === "/slow") {
    process.stdio.writeError("slow request in worker " + process.workerId + "\n");
    setTimeout(answer, parseInt(req.uri.params.ms || "2000", 10));
  }
  else answer();
}).listen(/^\d+$/.test(where) ? parseInt(where, 10) : where, process.ENV.HOST);
process.addListener("exit", function () {
  process.stdio.writeError("exit event in worker " + process.workerId + "\n");
});
