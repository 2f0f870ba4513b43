// A TLS client for openssl s_server -rev (which answers each line reversed):
// connects to 127.0.0.1:ARGV[2] with a client certificate, sends "hello",
// waits for "olleh", prints verifyPeer() / getPeerCertificate() as JSON.
var tcp = require("tcp");
var sys = require("sys");

var env = process.ENV;
var result = { received: "" };
var client = new tcp.Connection();
client.setSecure("X509_PEM", env.TN_PKI_CA_CERT, null, env.TN_PKI_CLIENT_KEY, env.TN_PKI_CLIENT_CERT);
client.connect(Number(process.ARGV[2]), "localhost");
client.setEncoding("utf8");
client.addListener("connect", function () {
  result.verify = client.verifyPeer();
  result.dn = client.getPeerCertificate("DNstring");
  client.send("hello\n");
});
client.addListener("receive", function (data) {
  result.received += data;
  if (result.received.indexOf("olleh") >= 0) client.forceClose();
});
client.addListener("close", function (had_error) {
  result.had_error = had_error;
});

process.addListener("exit", function () {
  sys.puts(JSON.stringify(result));
});
