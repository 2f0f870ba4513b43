// pause() and resume(): no "body" event while paused, on a request (an
// upload) and on a response (a download); everything arrives after resume(),
// and "complete" still comes exactly once.
var sys = require("sys"), http = require("http"), assert = require("assert");

var SIZE = 1024 * 1024, PIECE = new Array(64 * 1024 + 1).join("u");
var serverPaused = false, serverBytes = 0, serverPausedEvents = 0, serverCompletes = 0;
var clientPaused = false, clientBytes = 0, clientPausedEvents = 0, clientCompletes = 0;
var pausesDone = 0;

var server = http.createServer(function (req, res) {
  if (req.uri.path === "/up") {
    req.pause(); // from the start: no body until resume()
    serverPaused = true;
    setTimeout(function () {
      assert.equal(serverBytes, 0, "no body while paused");
      serverPaused = false;
      pausesDone++;
      req.resume();
    }, 200);
    req.addListener("body", function (chunk) {
      if (serverPaused) serverPausedEvents++;
      serverBytes += chunk.length;
      if (serverBytes >= SIZE / 2 && serverBytes - chunk.length < SIZE / 2) {
        // and once more in the middle of the upload
        req.pause();
        serverPaused = true;
        setTimeout(function () { serverPaused = false; pausesDone++; req.resume(); }, 100);
      }
    });
    req.addListener("complete", function () {
      serverCompletes++;
      res.sendHeader(200, {"Content-Length": String(String(serverBytes).length)});
      res.sendBody(String(serverBytes));
      res.finish();
    });
  } else {
    res.sendHeader(200, {});
    for (var sent = 0; sent < SIZE; sent += PIECE.length) res.sendBody(PIECE);
    res.finish();
  }
});
server.listen(0, "127.0.0.1");
var client = http.createClient(server.port, "127.0.0.1");

var up = client.request("POST", "/up", {"Content-Length": String(SIZE)});
for (var sent = 0; sent < SIZE; sent += PIECE.length) up.sendBody(PIECE);
up.finish(function (res) {
  var body = "";
  res.addListener("body", function (c) { body += c; });
  res.addListener("complete", function () {
    assert.equal(body, String(SIZE));
    download();
  });
});

function download() {
  client.request("GET", "/down").finish(function (res) {
    res.pause();
    clientPaused = true;
    setTimeout(function () {
      assert.equal(clientBytes, 0, "no body while paused");
      clientPaused = false;
      pausesDone++;
      res.resume();
    }, 200);
    res.addListener("body", function (chunk) {
      if (clientPaused) clientPausedEvents++;
      clientBytes += chunk.length;
    });
    res.addListener("complete", function () {
      clientCompletes++;
      server.close();
    });
  });
}

process.addListener("exit", function () {
  assert.equal(serverBytes, SIZE);
  assert.equal(clientBytes, SIZE);
  assert.equal(serverPausedEvents, 0);
  assert.equal(clientPausedEvents, 0);
  assert.equal(serverCompletes, 1);
  assert.equal(clientCompletes, 1);
  assert.equal(pausesDone, 3);
  sys.puts("ok");
});
