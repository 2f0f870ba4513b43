// Rotation under a running tcp server: a connection is made, then
// server.setSecure() is called again with a renewed certificate, and with a
// key that does not match its certificate (which throws and changes
// nothing). A second connection gets the renewed certificate; the first,
// made before, still echoes. Prints one JSON line of what each saw.
var tcp = require("tcp"), sys = require("sys");

var env = process.ENV;
function pem(name) { return env["TN_PKI_" + name.toUpperCase()]; }

var server = tcp.createServer(function (socket) {
  socket.setEncoding("utf8");
  socket.addListener("receive", function (data) { socket.send("echo:" + data, "utf8"); });
  socket.addListener("eof", function () { socket.close(); });
});
server.setSecure("X509_PEM", null, null, pem("server_key"), pem("server_cert"));
server.listen(0, "127.0.0.1");

// `trust`: the second connection's differs (the same CA, twice), so that it
// has a client context of its own, without the first one's session: a
// resumed session keeps the certificate it was made with.
function connect(trust, then) {
  var client = tcp.createConnection(server.port, "localhost");
  client.setEncoding("utf8");
  client.setSecure("X509_PEM", trust);
  client.addListener("connect", function () { then(client); });
  return client;
}

var result = {};
connect(pem("ca_cert"), function (first) {
  result.first = first.getPeerCertificate("DNstring");
  server.setSecure("X509_PEM", null, null, pem("renewed_server_key"), pem("renewed_server_cert"));
  try {
    server.setSecure("X509_PEM", null, null, pem("client_key"), pem("server_cert"));
  } catch (e) {
    result.mismatch = e.message;
  }
  connect(pem("ca_cert") + pem("ca_cert"), function (second) {
    result.second = second.getPeerCertificate("DNstring");
    result.secondVerify = second.verifyPeer();
    second.close();
    first.addListener("receive", function (data) {
      result.firstAfter = data;
      result.firstStill = first.getPeerCertificate("DNstring");
      first.close();
    });
    first.send("still here", "utf8");
  });
  first.addListener("close", function () { server.close(); });
});

process.addListener("exit", function () { sys.puts(JSON.stringify(result)); });
