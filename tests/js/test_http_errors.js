// What goes wrong reaches the program as it should: a refused connection
// and a broken response are one "error" event on the client (the response
// never gets "complete"); the client reconnects after the server closed the
// connection (Connection: close, or the idle keep-alive timeout); wrong
// arguments throw Errors that say what was expected; a busy port throws.
var sys = require("sys"), http = require("http"), tcp = require("tcp"), assert = require("assert");

var events = [];
function throwsLike(fn, pattern) {
  try { fn(); } catch (e) {
    assert.ok(pattern.test(e.message), "message " + JSON.stringify(e.message) + " should match " + pattern);
    return e;
  }
  assert.fail("expected an exception matching " + pattern);
}

// 1. refused: listen, learn the port, close, then connect to it.
var probe = http.createServer(function () {});
probe.listen(0, "127.0.0.1");
var deadPort = probe.port;
probe.close();
probe.addListener("close", function () {
  var client = http.createClient(deadPort, "127.0.0.1");
  client.addListener("error", function (err) {
    assert.equal(err.code, "ECONNREFUSED");
    assert.ok(err instanceof Error);
    events.push("refused");
    broken();
  });
  client.request("GET", "/").finish(function () { assert.fail("no response to a refused request"); });
});

// 2. a server (plain tcp) that promises 100 bytes and closes after 5
function broken() {
  var raw = tcp.createServer(function (socket) {
    socket.addListener("receive", function () {
      socket.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
      socket.close();
    });
  });
  raw.listen(0, "127.0.0.1");
  var client = http.createClient(raw.port, "127.0.0.1");
  var gotResponse = false;
  client.addListener("error", function (err) {
    assert.equal(err.code, "ECONNRESET");
    assert.ok(gotResponse);
    events.push("broken");
    raw.close();
    reconnects();
  });
  client.request("GET", "/").finish(function (res) {
    gotResponse = true;
    assert.equal(res.statusCode, 200);
    res.addListener("complete", function () { assert.fail("a broken response never completes"); });
  });
}

// 3. the server closes between requests: the client reconnects by itself
function reconnects() {
  var connections = 0, served = 0;
  var server = http.createServer(function (req, res) {
    served++;
    var headers = {"Content-Length": "2"};
    if (req.uri.path === "/close") headers.Connection = "close";
    res.sendHeader(200, headers);
    res.sendBody("ok");
    res.finish();
  }, {timeout: 150}); // idle keep-alive connections close after 150 ms
  server.addListener("connection", function (conn) {
    connections++;
    conn.addListener("close", function () { events.push("conn closed"); });
  });
  server.listen(0, "127.0.0.1");
  var client = http.createClient(server.port, "127.0.0.1");
  function get(path, then) {
    client.request("GET", path).finish(function (res) {
      var body = "";
      res.addListener("body", function (c) { body += c; });
      res.addListener("complete", function () { assert.equal(body, "ok"); then(); });
    });
  }
  get("/close", function () {
    get("/a", function () {
      get("/b", function () {
        // wait for the idle timeout to close the connection
        setTimeout(function () {
          get("/after-idle", function () {
            assert.equal(served, 4);
            assert.equal(connections, 3);
            events.push("reconnects");
            server.close();
            argumentErrors();
          });
        }, 400);
      });
    });
  });
}

// 4. wrong arguments and a busy port
function argumentErrors() {
  throwsLike(function () { http.createServer(42); }, /request_listener must be a function/);
  var server = http.createServer(function (req, res) {
    throwsLike(function () { res.sendBody("x"); }, /sendHeader must be called first/);
    throwsLike(function () { res.sendHeader("abc", {}); }, /statusCode must be a 3-digit number/);
    throwsLike(function () { res.sendHeader(200, {"X-Bad": "a\r\nInjected: yes"}); }, /line break/);
    throwsLike(function () { res.sendHeader(200, {"Bad Name": "x"}); }, /invalid header name/);
    throwsLike(function () { res.sendHeader(200, "nope"); }, /headers must be an object/);
    res.sendHeader(200, {"Content-Length": "2"});
    throwsLike(function () { res.sendHeader(200, {}); }, /already called/);
    throwsLike(function () { res.sendBody({}); }, /chunk must be a string or an array/);
    throwsLike(function () { res.sendBody("x", "ebcdic"); }, /unknown encoding/);
    throwsLike(function () { req.setBodyEncoding("ebcdic"); }, /unknown encoding/);
    res.sendBody("ok");
    res.finish();
    res.finish(); // again: nothing is sent and nothing throws, as in v0.1 (see tests/js/http/late.js)
    events.push("argument errors");
  });
  server.listen(0, "127.0.0.1");
  var busy = http.createServer(function () {});
  var e = throwsLike(function () { busy.listen(server.port, "127.0.0.1"); }, /EADDRINUSE/);
  assert.equal(e.code, "EADDRINUSE");
  var client = http.createClient(server.port, "127.0.0.1");
  throwsLike(function () { client.request("GET", "/has space"); }, /path must be a non-empty string/);
  throwsLike(function () { client.request("GE T", "/"); }, /method must be a word/);
  client.request("GET", "/").finish(function (res) {
    res.addListener("complete", function () { server.close(); });
  });
}

process.addListener("exit", function () {
  assert.deepEqual(events.filter(function (e) { return e !== "conn closed"; }),
                   ["refused", "broken", "reconnects", "argument errors"]);
  assert.equal(events.filter(function (e) { return e === "conn closed"; }).length, 3);
  sys.puts("ok");
});
