// Sends made inside "receive" listeners keep their order with other sends
// and close(), and an echo server that pauses reading when send() returns
// false (resuming on "drain") moves 16 MB intact.
var tcp = require("tcp");
var assert = require("assert");

var MB = 1024 * 1024, TOTAL = 16 * MB;
var serverFalseSends = 0, serverDrains = 0;

function hash(h, s) {
  for (var i = 0, n = s.length; i < n; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

var server = tcp.createServer(function (socket) {
  socket.setEncoding("binary");
  var first = true;
  socket.addListener("receive", function (data) {
    // Only a connection's first chunk says which test it is: the bulk data
    // holds every byte value, so a later read may well begin with "?".
    var isOrderTest = first && data.charAt(0) === "?";
    first = false;
    if (isOrderTest) {
      // Order test: deferred binary, a utf8 send (direct), an array, close.
      socket.send("a");
      socket.send("\u00e9", "utf8");
      socket.send([0x63]);
      socket.close();
      return;
    }
    if (!socket.send(data, "binary")) {
      serverFalseSends++;
      socket.readPause();
    }
  });
  socket.addListener("drain", function () { serverDrains++; socket.readResume(); });
  socket.addListener("eof", function () { socket.close(); });
  socket.addListener("close", function () { if (++closed === 2) server.close(); });
});
var closed = 0;
server.listen(0, "127.0.0.1");

var orderReply = "";
var order = tcp.createConnection(server.port);
order.setEncoding("binary");
order.addListener("connect", function () { order.send("?"); });
order.addListener("receive", function (data) { orderReply += data; });
order.addListener("eof", function () { order.close(); });

var block = "";
for (var i = 0; i < 65536; i++) block += String.fromCharCode((i * 7 + (i >> 8)) & 0xFF);
var sent = 0, received = 0, sendHash = 7, receiveHash = 7;
var bulk = tcp.createConnection(server.port);
bulk.setEncoding("binary");
function pump() {
  while (sent < TOTAL) {
    sent += block.length;
    sendHash = hash(sendHash, block);
    if (!bulk.send(block, "binary")) return;
  }
  bulk.close();
}
bulk.addListener("connect", function () {
  // Read nothing for a while, so the echo's buffers fill up.
  bulk.readPause();
  setTimeout(function () { bulk.readResume(); }, 300);
  pump();
});
bulk.addListener("drain", pump);
bulk.addListener("receive", function (data) {
  received += data.length;
  receiveHash = hash(receiveHash, data);
});

process.addListener("exit", function () {
  assert.equal(orderReply, "a\u00c3\u00a9c");
  assert.equal(received, TOTAL);
  assert.equal(receiveHash, sendHash);
  assert.ok(serverFalseSends > 0, "the echo never saw a full buffer");
  assert.ok(serverDrains >= serverFalseSends, "a false send without a drain");
});
