// A TLS server and client in one program, certificates from the environment
// (TN_PKI_* PEM strings written by tests/certs.py). ARGV[2] picks the case:
//   server-only  server certificate only; client verifies it (1), server sees none (0)
//   mutual       both present certificates; verifyPeer() === 1 on both sides
//   wrong-ca     the client trusts another CA: negative verifyPeer()
//   revoked      the client presents a certificate the CRL revokes: refused
// Prints one JSON line describing what each side saw.
var tcp = require("tcp");
var sys = require("sys");
var assert = require("assert");

var env = process.ENV, mode = process.ARGV[2];
function pem(name) { return env["TN_PKI_" + name.toUpperCase()]; }

var seen = { server: {}, client: {}, serverEvents: [], clientEvents: [] };

var server = tcp.createServer(function (socket) {
  seen.serverEvents.push("connection");
  socket.setEncoding("utf8");
  socket.addListener("connect", function () {
    seen.serverEvents.push("connect");
    seen.server.verify = socket.verifyPeer();
    seen.server.dn = socket.getPeerCertificate("DNstring");
    assert.equal(socket.readyState, "open");
  });
  socket.addListener("receive", function (data) {
    socket.send("echo:" + data, "utf8");
    socket.close();
  });
  socket.addListener("eof", function () { seen.serverEvents.push("eof"); });
  socket.addListener("close", function (had_error) {
    seen.serverEvents.push("close:" + had_error);
    server.close();
  });
});
var ca = mode === "server-only" ? null : pem("ca_cert");
var crl = mode === "server-only" ? null : pem("crl");
server.setSecure("X509_PEM", ca, crl, pem("server_key"), pem("server_cert"));
server.listen(0, "127.0.0.1");

var client = tcp.createConnection(server.port, "localhost");
var clientCa = mode === "wrong-ca" ? pem("other_ca_cert") : pem("ca_cert");
if (mode === "mutual" || mode === "wrong-ca") {
  client.setSecure("X509_PEM", clientCa, null, pem("client_key"), pem("client_cert"));
} else if (mode === "revoked") {
  client.setSecure("X509_PEM", clientCa, null, pem("revoked_client_key"), pem("revoked_client_cert"));
} else {
  client.setSecure("X509_PEM", clientCa);
}
client.setEncoding("utf8");
var reply = "";
client.addListener("connect", function () {
  seen.clientEvents.push("connect");
  seen.client.verify = client.verifyPeer();
  seen.client.dn = client.getPeerCertificate("DNstring");
  client.send("caf\u00e9", "utf8");
});
client.addListener("receive", function (data) { reply += data; });
client.addListener("eof", function () { seen.clientEvents.push("eof"); });
client.addListener("close", function (had_error) {
  seen.clientEvents.push("close:" + had_error);
  seen.reply = reply;
  // A refused handshake may leave the server waiting for more: end it.
  if (mode === "revoked") setTimeout(function () { server.close(); }, 200);
});

process.addListener("exit", function () {
  sys.puts(JSON.stringify(seen));
});
