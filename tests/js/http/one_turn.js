// The server of tests/test_http_turn.py: requests read in the same reactor
// turn are handed to JS together (protocols/http_server.py's _RequestTurn);
// each must still be handled as if it had come alone. Prints {"port": N}.
//   /busy?ms=N   spins N ms: what clients send meanwhile is read in one turn
//   /throw       throws after answering (counted by "uncaughtException")
//   /tick?n=ID   answers from a process.nextTick, logging "request ID" and
//                "tick ID": each tick runs before the next request's handler
//   /wait        wait()s for the promise /release fulfils, then answers
//   /release     fulfils it
//   /astral      answers with a character beyond the BMP
//   /log         answers the log, and the count of throws
var http = require("http"), sys = require("sys");

var log = [], throws = 0, released = new process.Promise();
process.addListener("uncaughtException", function () { throws++; });

function answer(res, text) {
  res.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": String(text.length)});
  res.sendBody(text);
  res.finish();
}

var server = http.createServer(function (req, res) {
  var path = req.uri.path, params = req.uri.params;
  if (path === "/busy") {
    var until = Date.now() + Number(params.ms);
    while (Date.now() < until) {}
    answer(res, "busy\n");
  } else if (path === "/throw") {
    answer(res, "thrown\n");
    throw new Error("thrown on purpose");
  } else if (path === "/tick") {
    log.push("request " + params.n);
    process.nextTick(function () { log.push("tick " + params.n); answer(res, "tick " + params.n + "\n"); });
  } else if (path === "/wait") {
    released.wait();
    answer(res, "waited\n");
  } else if (path === "/release") {
    released.emitSuccess();
    answer(res, "released\n");
  } else if (path === "/astral") {
    // A character beyond the BMP is two chars in JS and one in Python: its
    // answer must not shift the answers after it. (Sent as "ascii", as
    // the manual's default: the low 8 bits of each character, 4 bytes.)
    res.sendHeader(200, {"Content-Type": "text/plain", "Content-Length": "4"});
    res.sendBody("x\ud83d\ude00y\n");
    res.finish();
  } else if (path === "/log") {
    answer(res, log.join(",") + ";" + throws + "\n");
  } else {
    answer(res, "private data for " + path + "\n");
  }
});
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
