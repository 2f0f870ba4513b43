// A refused connection gives "close" with had_error true and no "connect";
// the same Connection object is then reused with connect() on a live server.
var tcp = require("tcp");
var assert = require("assert");

// A port nobody listens on: listen, note the port, close.
var probe = tcp.createServer(function () {});
probe.listen(0, "127.0.0.1");
var deadPort = probe.port;
probe.close();

var server = tcp.createServer(function (socket) {
  socket.addListener("connect", function () { socket.send("welcome"); socket.close(); });
  socket.addListener("eof", function () { socket.close(); });
  socket.addListener("close", function () { server.close(); });
});
server.listen(0, "127.0.0.1");

var events = [], got = "";
var c = tcp.createConnection(deadPort);
c.addListener("connect", function () { events.push("connect"); });
c.addListener("receive", function (data) { got += data; });
c.addListener("eof", function () { events.push("eof"); c.close(); });
c.addListener("close", function (had_error) {
  events.push("close:" + had_error);
  assert.equal(c.readyState, "closed");
  if (events.length === 1) {
    assert.throws(function () { c.send("x"); });
    c.connect(String(server.port), "localhost"); // port as a string, host by name
    assert.equal(c.readyState, "opening");
    assert.throws(function () { c.connect(server.port); });
  }
});

process.addListener("exit", function () {
  assert.deepEqual(events, ["close:true", "connect", "eof", "close:false"]);
  assert.equal(got, "welcome");
});
