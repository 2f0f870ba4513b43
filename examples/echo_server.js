// The manual's echo server (tcp section). Try it with
//   twisted-node examples/echo_server.js [port]   and   nc localhost 7000
var tcp = require("tcp");
var port = process.ARGV[2] === undefined ? 7000 : Number(process.ARGV[2]);

var server = tcp.createServer(function (socket) {
  socket.setEncoding("utf8");
  socket.addListener("connect", function () {
    socket.send("hello\r\n");
  });
  socket.addListener("receive", function (data) {
    socket.send(data);
  });
  socket.addListener("eof", function () {
    socket.send("goodbye\r\n");
    socket.close();
  });
});
server.listen(port, "localhost");
