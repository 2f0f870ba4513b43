// A tcp server with several certificates: setSecure's is the default,
// addContext adds a.example.com's and *.b.example.com's. Clients connect to
// it by the names in ARGV (the test's DNS server answers 127.0.0.1 for
// them), so each sends its name as SNI. Prints one JSON line: per name the
// certificate the client got (getPeerCertificate) and verifyPeer(); and the
// messages addContext's bad calls threw.
var tcp = require("tcp"), http = require("http"), sys = require("sys");

var env = process.ENV;
function pem(name) { return env["TN_PKI_" + name.toUpperCase()]; }
function thrown(f) {
  try { f(); } catch (e) { return e.message; }
  return null;
}

var server = tcp.createServer(function (socket) {
  socket.addListener("eof", function () { socket.close(); });
});
server.setSecure("X509_PEM", null, null, pem("server_key"), pem("server_cert"));
server.addContext("a.example.com", "X509_PEM", null, null, pem("sni_a_key"), pem("sni_a_cert"));
server.addContext("*.b.example.com", "X509_PEM", null, null, pem("sni_wild_key"), pem("sni_wild_cert"));
server.listen(0, "127.0.0.1");

var result = { names: {}, errors: {} };
result.errors.hostname = thrown(function () {
  server.addContext("a.*.example.com", "X509_PEM", null, null, pem("sni_a_key"), pem("sni_a_cert"));
});
result.errors.certificate = thrown(function () {
  server.addContext("c.example.com", "X509_PEM", null, null, pem("sni_a_key"), "not a certificate");
});
result.errors.mismatch = thrown(function () {
  server.addContext("a.example.com", "X509_PEM", null, null, pem("server_key"), pem("sni_a_cert"));
});
result.errors.tcpNotSecure = thrown(function () {
  tcp.createServer().addContext("a.example.com", "X509_PEM", null, null, pem("sni_a_key"), pem("sni_a_cert"));
});
result.errors.httpNotSecure = thrown(function () {
  http.createServer().addContext("a.example.com", "X509_PEM", null, null, pem("sni_a_key"), pem("sni_a_cert"));
});

var names = process.ARGV.slice(2), left = names.length;
names.forEach(function (name) {
  var client = tcp.createConnection(server.port, name);
  client.setSecure("X509_PEM", pem("ca_cert"));
  client.addListener("connect", function () {
    result.names[name] = { dn: client.getPeerCertificate("DNstring"), verify: client.verifyPeer() };
    client.close();
  });
  client.addListener("close", function () {
    if (--left === 0) server.close();
  });
});

process.addListener("exit", function () { sys.puts(JSON.stringify(result)); });
