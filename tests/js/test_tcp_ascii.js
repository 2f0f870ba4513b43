// connection.send(string) without an encoding writes "ascii", the manual's
// default: one byte per char, its low 8 bits ("\u00e9" -> 0xE9, "\u20ac" ->
// 0xAC), not UTF-8. Checked both ways: a client sending from its "connect"
// listener, and a server sending from inside its "receive" listener (a path
// of its own in lib/tcp.js). Both sides read "binary", so bytes are chars.
var tcp = require("tcp");
var assert = require("assert");

var TEXT = "caf\u00e9 \u20ac";
var ASCII_BYTES = "caf\u00e9 \u00ac";

var atServer = "", atClient = "";
var server = tcp.createServer(function (socket) {
  socket.setEncoding("binary");
  var answered = false;
  socket.addListener("receive", function (data) {
    atServer += data;
    if (!answered) {
      answered = true;
      socket.send(TEXT);
    }
  });
  socket.addListener("eof", function () {
    socket.close();
    server.close();
  });
});
server.listen(0, "127.0.0.1");

var client = tcp.createConnection(server.port, "127.0.0.1");
client.setEncoding("binary");
client.addListener("connect", function () { client.send(TEXT); });
client.addListener("receive", function (data) {
  atClient += data;
  if (atClient.length >= ASCII_BYTES.length) client.close();
});

process.addListener("exit", function () {
  assert.equal(atServer, ASCII_BYTES, "what the client sent");
  assert.equal(atClient, ASCII_BYTES, "what the server sent");
});
