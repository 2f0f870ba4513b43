// A TLS server for openssl s_client: asks for client certificates, prints
// "port N", answers one connection with "echo:" + data, then prints what
// verifyPeer() and getPeerCertificate() said and stops.
var tcp = require("tcp");
var sys = require("sys");

var env = process.ENV;
var result = {};
var server = tcp.createServer(function (socket) {
  socket.setEncoding("utf8");
  socket.addListener("connect", function () {
    result.verify = socket.verifyPeer();
    result.dn = socket.getPeerCertificate("DNstring");
  });
  socket.addListener("receive", function (data) {
    socket.send("echo:" + data, "utf8");
    socket.close();
  });
  socket.addListener("close", function (had_error) {
    result.had_error = had_error;
    server.close();
  });
});
server.setSecure("X509_PEM", env.TN_PKI_CA_CERT, env.TN_PKI_CRL, env.TN_PKI_SERVER_KEY, env.TN_PKI_SERVER_CERT);
server.listen(0, "127.0.0.1");
sys.puts("port " + server.port);

process.addListener("exit", function () {
  sys.puts(JSON.stringify(result));
});
