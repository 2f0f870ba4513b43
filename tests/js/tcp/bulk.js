// 100 MB (or ARGV[2] MB) through one connection in one process: the sender
// pauses when send() returns false and resumes on "drain"; the receiver uses
// readPause()/readResume() every 8 MB and checks no "receive" arrives while
// paused. Both sides hash every byte; prints one JSON line at the end.
var tcp = require("tcp");
var sys = require("sys");
var assert = require("assert");

var MB = 1024 * 1024;
var total = (Number(process.ARGV[2]) || 100) * MB;
var CHUNK = 64 * 1024;

// One pseudo-random chunk; each send rotates it, so the stream is not periodic.
var seed = 12345, base = "";
for (var i = 0; i < CHUNK; i++) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  base += String.fromCharCode((seed >> 16) & 0xFF);
}

function hash(h, s) {
  for (var i = 0, n = s.length; i < n; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

var result = { sent: 0, received: 0, sendHash: 7, receiveHash: 7, falseSends: 0, drains: 0, pauses: 0 };

var server = tcp.createServer(function (socket) {
  socket.setEncoding("binary");
  var paused = false, nextPause = 8 * MB;
  socket.addListener("receive", function (data) {
    assert.ok(!paused, "receive while paused");
    result.received += data.length;
    result.receiveHash = hash(result.receiveHash, data);
    if (result.received >= nextPause) {
      nextPause += 8 * MB;
      paused = true;
      result.pauses++;
      socket.readPause();
      setTimeout(function () { paused = false; socket.readResume(); }, 50);
    }
  });
  socket.addListener("eof", function () { socket.close(); });
  socket.addListener("close", function () { server.close(); });
});
server.listen(0, "127.0.0.1");

var client = tcp.createConnection(server.port);
var k = 0;
function pump() {
  while (result.sent < total) {
    var r = k++ % CHUNK;
    var chunk = r === 0 ? base : base.substring(r) + base.substring(0, r);
    if (total - result.sent < chunk.length) chunk = chunk.substring(0, total - result.sent);
    result.sent += chunk.length;
    result.sendHash = hash(result.sendHash, chunk);
    if (!client.send(chunk, "binary")) {
      result.falseSends++;
      return; // wait for "drain"
    }
  }
  client.close();
}
client.addListener("connect", pump);
client.addListener("drain", function () { result.drains++; pump(); });
client.addListener("eof", function () { client.close(); });

process.addListener("exit", function () {
  sys.puts(JSON.stringify(result));
});
