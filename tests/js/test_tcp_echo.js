// The manual's echo server, and a client that checks every event and
// readyState on both sides.
var tcp = require("tcp");
var assert = require("assert");

var serverEvents = [], clientEvents = [], serverClosed = false;
var received = "";

var server = tcp.createServer(function (socket) {
  serverEvents.push("connection");
  assert.equal(socket.remoteAddress, "127.0.0.1");
  socket.setEncoding("utf8");
  socket.addListener("connect", function () {
    serverEvents.push("connect");
    assert.equal(socket.readyState, "open");
    socket.send("hello\r\n");
  });
  socket.addListener("receive", function (data) {
    socket.send(data, "utf8");
  });
  socket.addListener("eof", function () {
    serverEvents.push("eof");
    assert.equal(socket.readyState, "writeOnly");
    socket.send("goodbye\r\n");
    socket.close();
    assert.equal(socket.readyState, "closed");
  });
  socket.addListener("close", function (had_error) {
    serverEvents.push("close");
    assert.equal(had_error, false);
    server.close();
  });
});
server.addListener("close", function (errorno) {
  assert.equal(errorno, 0);
  serverClosed = true;
});
server.listen(0, "127.0.0.1");
assert.ok(server.port > 0);
assert.equal(server.address().port, server.port);

var client = tcp.createConnection(server.port);
assert.equal(client.readyState, "opening");
client.setEncoding("utf8");
client.addListener("connect", function () {
  clientEvents.push("connect");
  assert.equal(client.readyState, "open");
  assert.equal(client.send("caf\u00e9 \u20ac", "utf8"), true);
  client.close();
  assert.equal(client.readyState, "readOnly");
});
client.addListener("receive", function (data) {
  received += data;
});
client.addListener("eof", function () {
  clientEvents.push("eof");
  assert.equal(client.readyState, "closed");
});
client.addListener("close", function (had_error) {
  clientEvents.push("close");
  assert.equal(had_error, false);
  assert.equal(client.readyState, "closed");
});

process.addListener("exit", function () {
  assert.deepEqual(serverEvents, ["connection", "connect", "eof", "close"]);
  assert.deepEqual(clientEvents, ["connect", "eof", "close"]);
  assert.equal(received, "hello\r\ncaf\u00e9 \u20acgoodbye\r\n");
  assert.ok(serverClosed);
});
