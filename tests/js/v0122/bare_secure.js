// setSecure() with no arguments, as programs of Node v0.1 probe for TLS:
// it must not throw, on a tcp server, a tcp client, an http server and an
// http client. Clients then connect to the servers, which have no key and
// certificate: each handshake fails (the client's connection closes with
// had_error), and the servers say why on stderr. Prints one JSON line.
var tcp = require("tcp"), http = require("http"), sys = require("sys");
var result = {threw: []};

function probe(name, fn) {
  try { fn(); } catch (e) { result.threw.push(name + ": " + e.message); }
}

var server = tcp.createServer(function () {});
probe("tcp server", function () { server.setSecure(); });
server.listen(0, "127.0.0.1");
var web = http.createServer(function (req, res) { res.sendHeader(200, {}); res.finish(); });
probe("http server", function () { web.setSecure(); });
web.listen(0, "127.0.0.1");

var pending = 3;
function done() {
  if (--pending > 0) return;
  server.close();
  web.close();
  sys.puts(JSON.stringify(result));
}

// Two clients of the tcp server: the server's warning is written once.
[1, 2].forEach(function (n) {
  var c = tcp.createConnection(server.port, "127.0.0.1");
  probe("tcp client", function () { c.setSecure(); });
  c.addListener("connect", function () { result["tcp" + n] = "connected"; });
  c.addListener("close", function (hadError) { result["tcp" + n + "Closed"] = hadError; done(); });
});

var client = http.createClient(web.port, "127.0.0.1");
probe("http client", function () { client.setSecure(); });
client.addListener("error", function (e) { result.httpError = e.code; done(); });
client.request("GET", "/").finish(function () { result.httpResponse = true; done(); });
