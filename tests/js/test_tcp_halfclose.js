// Half-close in both directions: after close() (FIN) a side keeps reading,
// and after "eof" a side keeps writing; readyState follows along.
var tcp = require("tcp");
var assert = require("assert");

var log = [];
var server = tcp.createServer(function (socket) {
  socket.setEncoding("utf8");
  var got = "";
  socket.addListener("receive", function (data) { got += data; });
  socket.mode = modes.shift();
  if (socket.mode === "client-closes-first") {
    // The client sent FIN right away: we get "eof" and answer slowly.
    socket.addListener("eof", function () {
      assert.equal(socket.readyState, "writeOnly");
      log.push("server eof (" + got + ")");
      var n = 0;
      var timer = setInterval(function () {
        assert.equal(socket.send("part" + n + ";"), true);
        if (++n === 3) {
          clearInterval(timer);
          socket.close();
          assert.equal(socket.readyState, "closed");
        }
      }, 20);
    });
  } else {
    // We close first; the client keeps sending after our FIN.
    socket.addListener("connect", function () {
      socket.send("bye now");
      socket.close();
      assert.equal(socket.readyState, "readOnly");
    });
    socket.addListener("eof", function () {
      log.push("server read after its FIN: " + got);
      assert.equal(socket.readyState, "closed");
    });
  }
  socket.addListener("close", function (had_error) {
    assert.equal(had_error, false);
    if (--open === 0) server.close();
  });
});
var open = 2;
var modes = ["client-closes-first", "server-closes-first"];
server.listen(0, "127.0.0.1");

var first = tcp.createConnection(server.port);
first.setEncoding("utf8");
var firstGot = "";
first.addListener("connect", function () {
  first.send("request");
  first.close();
  assert.equal(first.readyState, "readOnly");
});
first.addListener("receive", function (data) { firstGot += data; });
first.addListener("eof", function () {
  log.push("client read after its FIN: " + firstGot);
  assert.equal(first.readyState, "closed");
});
first.addListener("close", function () {
  var second = tcp.createConnection(server.port);
  second.setEncoding("utf8");
  var secondGot = "";
  second.addListener("receive", function (data) { secondGot += data; });
  second.addListener("eof", function () {
    assert.equal(second.readyState, "writeOnly");
    log.push("client eof (" + secondGot + ")");
    setTimeout(function () {
      second.send("still ");
      second.send("writing");
      second.close();
      assert.equal(second.readyState, "closed");
    }, 30);
  });
});

process.addListener("exit", function () {
  assert.deepEqual(log, [
    "server eof (request)",
    "client read after its FIN: part0;part1;part2;",
    "client eof (bye now)",
    "server read after its FIN: still writing"
  ]);
});
