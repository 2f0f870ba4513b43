// The server that tests/test_http_safety.py attacks. Prints {"port": N} and
// serves until killed. An "uncaughtException" listener keeps it alive when a
// handler throws, as a production program's would; each throw is counted.
//
// Every response is "private data for <path>\n" (Content-Length framed), so a
// client can tell its own response from another client's. The query says
// where the handler throws (?throw=POINT) and when it answers:
//   request-before   throw in "request" before answering (no response)
//   request-head     after sendHeader            (no response)
//   request-body     after sendBody               (no response)
//   request-finish   after finish                 (response sent)
//   body-finish      answer and throw in the first "body" listener call
//   complete-finish  answer and throw in "complete"
//   complete-before  throw in "complete" before answering (no response)
//   timer-finish     answer in a timer, then throw there
//   wait-finish      answer, then wait() for a promise that the next
//                    request (of any connection) fulfils: that request is
//                    handled inside the wait; then throw
//   ?never           never answer; ?late=MS answer after MS (maybe to a
//                    client long gone); ?oncomplete answer on "complete"
//   /throws          answers the number of exceptions thrown so far
// Options from argv: headersTimeout and requestTimeout in ms.
var sys = require("sys"), http = require("http");

var throws = 0;
process.addListener("uncaughtException", function () { throws++; });

function answer(req, res, text) {
  var body = text === undefined ? "private data for " + req.uri.path + "\n" : text;
  res.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": String(body.length)});
  res.sendBody(body);
  res.finish();
}

var options = {};
if (process.ARGV[2]) options.headersTimeout = Number(process.ARGV[2]);
if (process.ARGV[3]) options.requestTimeout = Number(process.ARGV[3]);

var waiting = null; // the promise a wait-finish handler waits for

var server = http.createServer(function (req, res) {
  if (waiting !== null) {
    var promise = waiting;
    waiting = null;
    promise.emitSuccess();
  }
  var params = req.uri.params, point = params["throw"];
  if (req.uri.path === "/throws") {
    answer(req, res, String(throws));
    return;
  }
  if ("never" in params) return;
  if ("oncomplete" in params) {
    req.addListener("complete", function () { answer(req, res); });
    return;
  }
  if ("late" in params) {
    setTimeout(function () { answer(req, res); }, Number(params.late));
    return;
  }
  var bodySeen = false;
  req.addListener("body", function () {
    if (bodySeen) return;
    bodySeen = true;
    if (point === "body-finish") { answer(req, res); throw new Error(point); }
  });
  req.addListener("complete", function () {
    if (point === "complete-before") throw new Error(point);
    if (point === "complete-finish") { answer(req, res); throw new Error(point); }
    if (point === "body-finish" && !bodySeen) answer(req, res); // no body came
  });
  switch (point) {
    case "request-before": throw new Error(point);
    case "request-head":
      res.sendHeader(200, {"Content-Type": "text/plain"});
      throw new Error(point);
    case "request-body":
      res.sendHeader(200, {"Content-Type": "text/plain"});
      res.sendBody("part of a response that never ends\n");
      throw new Error(point);
    case "request-finish": answer(req, res); throw new Error(point);
    case "timer-finish":
      setTimeout(function () { answer(req, res); throw new Error(point); }, 0);
      return;
    case "wait-finish":
      answer(req, res);
      waiting = new process.Promise();
      waiting.wait();
      throw new Error(point);
    case "body-finish": case "complete-finish": case "complete-before": return;
  }
  answer(req, res);
}, options);
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
