// The runtime's HTTPS client against tests/js/http/server.js in TLS mode:
// ARGV port, then "mutual" (present the client certificate) or "other-ca"
// (trust a CA that did not sign the server). Prints one JSON line: the
// client's verifyPeer() and the server's /whoami answer.
var sys = require("sys"), http = require("http");
var env = process.ENV, port = parseInt(process.ARGV[2], 10), mode = process.ARGV[3];

var client = http.createClient(port, "localhost");
if (mode === "mutual") {
  client.setSecure("X509_PEM", env.TN_PKI_CA_CERT, null, env.TN_PKI_CLIENT_KEY, env.TN_PKI_CLIENT_CERT);
} else {
  client.setSecure("X509_PEM", env.TN_PKI_OTHER_CA_CERT);
}
var result = {};
client.addListener("error", function (err) { result.error = err.message; });
var first = client.request("GET", "/whoami");
first.finish(function (res) {
  result.status = res.statusCode;
  result.clientVerify = client.verifyPeer();
  result.serverDn = client.getPeerCertificate("DNstring");
  var body = "";
  res.setBodyEncoding("utf8");
  res.addListener("body", function (c) { body += c; });
  res.addListener("complete", function () {
    result.server = JSON.parse(body);
    // a second request on the same TLS connection
    client.request("GET", "/").finish(function (res) {
      var hello = "";
      res.addListener("body", function (c) { hello += c; });
      res.addListener("complete", function () { result.hello = hello; });
    });
  });
});
process.addListener("exit", function () { sys.puts(JSON.stringify(result)); });
