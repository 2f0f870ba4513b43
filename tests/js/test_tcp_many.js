// 500 clients connected to one server at the same time: the server answers
// only once all 500 are open, so they really are concurrent.
var tcp = require("tcp");
var assert = require("assert");

var N = 500;
var open = [], maxOpen = 0, answered = 0, closedClients = 0;

var server = tcp.createServer(function (socket) {
  socket.setEncoding("ascii");
  var id = "";
  socket.addListener("receive", function (data) {
    id += data;
    if (id.charAt(id.length - 1) !== "\n") return;
    open.push([socket, id]);
    maxOpen = Math.max(maxOpen, open.length);
    if (open.length === N) {
      open.forEach(function (pair) {
        pair[0].send("ok " + pair[1]);
        pair[0].close();
      });
    }
  });
  socket.addListener("eof", function () { socket.close(); });
  socket.addListener("close", function (had_error) {
    assert.equal(had_error, false);
    if (++answered === N) server.close();
  });
});
server.listen(0, "127.0.0.1", 1024);

function client(i) {
  var c = tcp.createConnection(server.port, "127.0.0.1");
  var got = "";
  c.setEncoding("ascii");
  c.addListener("connect", function () { c.send(i + "\n"); });
  c.addListener("receive", function (data) { got += data; });
  c.addListener("eof", function () { c.close(); });
  c.addListener("close", function (had_error) {
    assert.equal(had_error, false);
    assert.equal(got, "ok " + i + "\n");
    closedClients++;
  });
}
for (var i = 0; i < N; i++) client(i);

process.addListener("exit", function () {
  assert.equal(maxOpen, N);
  assert.equal(closedClients, N);
  assert.equal(answered, N);
});
