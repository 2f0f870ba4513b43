// What a listener sends and does to its own connection is gathered and done
// when its event returns (lib/internal/batch.js): the order it was called
// in holds, and nothing gathered waits through a promise.wait() in the
// listener.
var tcp = require("tcp");
var assert = require("assert");

var seen = { waited: false, order: "", utf8: "", timedOut: false, closes: 0 };
var modes = ["wait", "order", "settings"];

var server = tcp.createServer(function (socket) {
  var mode = modes.shift();
  if (mode === "settings") {
    // Done with the "connection" event's result: all of them take effect.
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.setTimeout(50);
    socket.addListener("receive", function (data) { seen.utf8 += data; });
    socket.addListener("timeout", function () { seen.timedOut = true; });
    socket.addListener("eof", function () { socket.close(); }); // the client gave up waiting
    return;
  }
  socket.setEncoding("binary");
  socket.addListener("receive", function (data) {
    if (mode === "wait" && data === "hello") {
      // The client answers what this sends: the wait would never end if
      // the send were held until the listener returns.
      socket.send("ping", "binary");
      var answered = new process.Promise();
      socket.addListener("receive", function (more) {
        if (more === "pong") answered.emitSuccess();
      });
      answered.timeout(5000);
      answered.wait();
      seen.waited = true;
      socket.close();
    } else if (mode === "order") {
      socket.send("a", "binary");
      socket.setTimeout(1000);
      socket.send("b", "binary");
      socket.close(); // the FIN after both
      assert.strictEqual(socket.readyState, "readOnly", "close() takes effect for the program at once");
      assert.throws(function () { socket.send("c"); }, "no send after close()");
    }
  });
});
server.listen(0, "127.0.0.1");

function client(setup, done) {
  var c = tcp.createConnection(server.port, "127.0.0.1");
  c.setEncoding("binary");
  c.addListener("eof", function () { c.close(); });
  c.addListener("close", function () {
    seen.closes++;
    done();
  });
  setup(c);
}

client(function (c) {
  c.addListener("connect", function () { c.send("hello"); });
  c.addListener("receive", function (data) { if (data === "ping") c.send("pong"); });
}, function () {
  client(function (c) {
    c.addListener("connect", function () { c.send("go"); });
    c.addListener("receive", function (data) { seen.order += data; });
  }, function () {
    client(function (c) {
      c.addListener("connect", function () { c.send("\u00e9t\u00e9", "utf8"); }); // then stalls,
      // for far longer than the server's timeout, unless that was ignored
      var fallback = setTimeout(function () { c.close(); }, 5000);
      c.addListener("close", function () { clearTimeout(fallback); });
    }, function () { server.close(); });
  });
});

process.addListener("exit", function () {
  assert.ok(seen.waited, "a wait() in a listener sees the answer to what it sent before");
  assert.strictEqual(seen.order, "ab", "sends, then the FIN, in the order called");
  assert.strictEqual(seen.utf8, "\u00e9t\u00e9", "setEncoding() in the \"connection\" listener applies");
  assert.ok(seen.timedOut, "setTimeout() in the \"connection\" listener applies");
  assert.strictEqual(seen.closes, 3);
});
