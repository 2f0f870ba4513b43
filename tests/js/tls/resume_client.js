// The runtime's clients coming back to an `openssl s_server -www` on port
// ARGV[2] (it answers one HTTP/1.0 request per connection with a page that
// says "New, ..." or "Reused, ..." of its session, then closes): two tcp
// connections made with the same setSecure arguments, then two requests of
// one http.Client (each on a new connection). Prints one JSON line: per
// connection, whether it was resumed, verifyPeer() and the peer's DN.
var tcp = require("tcp"), http = require("http"), sys = require("sys");

var env = process.ENV, port = parseInt(process.ARGV[2], 10);
function pem(name) { return env["TN_PKI_" + name.toUpperCase()]; }
var result = { tcp: [], http: [] };

function viaTcp(then) {
  var seen = {}, page = "";
  result.tcp.push(seen);
  var client = tcp.createConnection(port, "localhost");
  client.setEncoding("utf8");
  client.setSecure("X509_PEM", pem("ca_cert"));
  client.addListener("connect", function () {
    seen.verify = client.verifyPeer();
    seen.dn = client.getPeerCertificate("DNstring");
    client.send("GET / HTTP/1.0\r\n\r\n");
  });
  client.addListener("receive", function (data) { page += data; });
  client.addListener("close", function () {
    seen.reused = /Reused, TLSv/.test(page);
    then();
  });
}

var client = http.createClient(port, "localhost");
client.setSecure("X509_PEM", pem("ca_cert"));
client.addListener("connect", function () {
  result.http.push({ verify: client.verifyPeer(), dn: client.getPeerCertificate("DNstring") });
});

function viaHttp(then) {
  client.request("GET", "/").finish(function (response) {
    var page = "";
    response.setBodyEncoding("utf8");
    response.addListener("body", function (chunk) { page += chunk; });
    response.addListener("complete", function () {
      result.http[result.http.length - 1].reused = /Reused, TLSv/.test(page);
      then();
    });
  });
}

viaTcp(function () {
  viaTcp(function () {
    viaHttp(function () {
      viaHttp(function () {});
    });
  });
});

process.addListener("exit", function () { sys.puts(JSON.stringify(result)); });
