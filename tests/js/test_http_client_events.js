// http.Client reports its connection as Node v0.1's client (a
// tcp.Connection) did (issue 12): "connect", "eof", "close" (had_error) and
// "timeout". A server that accepts and closes without answering is an end
// of stream, not an error: "eof", then "close" with had_error false, and the
// request ends without a response (the next one goes on a new connection).
var http = require("http"), tcp = require("tcp"), assert = require("assert");

var logs = {};
function record(name, client) {
  var log = logs[name] = [];
  ["connect", "eof", "timeout"].forEach(function (event) {
    client.addListener(event, function () { log.push(event); });
  });
  client.addListener("close", function (hadError) { log.push("close " + hadError); });
  client.addListener("error", function (e) { log.push("error " + e.code); });
  return log;
}

// 1. Accepted, read, closed without a word; twice.
var silent = tcp.createServer(function (socket) {
  socket.addListener("receive", function () { socket.close(); });
});
silent.listen(0, "127.0.0.1");
var client = http.createClient(silent.port, "127.0.0.1");
var log = record("silent", client);
var responses = 0;
client.request("GET", "/first").finish(function () { responses++; });
client.request("GET", "/second").finish(function () { responses++; });
client.addListener("close", function () {
  if (log.filter(function (e) { return e === "close false"; }).length === 2) {
    silent.close();
    idle();
  }
});

// 2. An answered request, then the connection idles past setTimeout's ms.
function idle() {
  var web = http.createServer(function (req, res) {
    res.sendHeader(200, {"Content-Length": "2"});
    res.sendBody("ok");
    res.finish();
  });
  web.listen(0, "127.0.0.1");
  var c = http.createClient(web.port, "127.0.0.1");
  var log = record("idle", c);
  c.setTimeout(200);
  c.request("GET", "/").finish(function (res) {
    res.addListener("complete", function () { log.push("complete"); });
  });
  c.addListener("close", function () {
    web.close();
    refused();
  });
}

// 3. Refused: the error, then the close.
function refused() {
  var probe = tcp.createServer(function () {});
  probe.listen(0, "127.0.0.1");
  var port = probe.port;
  probe.close();
  var c = http.createClient(port, "127.0.0.1");
  record("refused", c);
  c.request("GET", "/").finish(function () { assert.fail("no response when refused"); });
}

process.addListener("exit", function () {
  assert.deepEqual(logs.silent, ["connect", "eof", "close false", "connect", "eof", "close false"]);
  assert.strictEqual(responses, 0);
  assert.deepEqual(logs.idle, ["connect", "complete", "timeout", "close false"]);
  assert.deepEqual(logs.refused, ["error ECONNREFUSED", "close true"]);
});
