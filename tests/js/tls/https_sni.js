// An HTTPS server with setSecure's certificate as the default and
// a.example.com's added with addContext; answers "hello" on every request.
// Prints "port N" and serves until killed.
var http = require("http"), sys = require("sys");

var env = process.ENV;
function pem(name) { return env["TN_PKI_" + name.toUpperCase()]; }

var server = http.createServer(function (request, response) {
  response.sendHeader(200, { "Content-Type": "text/plain", "Content-Length": "6" });
  response.sendBody("hello\n");
  response.finish();
});
server.setSecure("X509_PEM", null, null, pem("server_key"), pem("server_cert"));
server.addContext("a.example.com", "X509_PEM", null, null, pem("sni_a_key"), pem("sni_a_cert"));
server.listen(0, "127.0.0.1");
sys.puts("port " + server.port);
