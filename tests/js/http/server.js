// The server that tests/test_http_js.py talks to with real clients (curl,
// Python's http.client, raw sockets). Prints {"port": N} and serves until
// killed. With the argument "tls" it serves HTTPS with the test PKI from
// TN_PKI_* variables, asking for (not requiring) a client certificate.
//   /            the manual's hello world
//   /echo        the request body streamed back (Content-Length kept if given)
//   /download?size=N  N bytes, byte i = i % 251, chunked, in 64 KiB pieces
//   /slow?ms=N   answers its own URL after N ms (pipelining order)
//   /info        JSON: method, httpVersion, uri, headers, body length
//   /whoami      JSON: verifyPeer() and getPeerCertificate("DNstring")
//   /status      JSON: request.uri alone (the manual's request.uri example)
//   /stream      sendBody 3 times over 60 ms, no length (chunked or close-delimited)
var sys = require("sys"), http = require("http");

var secure = process.ARGV[2] === "tls";

function json(res, value) {
  var body = unescape(encodeURIComponent(JSON.stringify(value))); // UTF-8 bytes
  res.sendHeader(200, {"Content-Type": "application/json", "Content-Length": String(body.length)});
  res.sendBody(body, "binary");
  res.finish();
}

var PATTERN = (function () {
  var bytes = [];
  for (var i = 0; i < 251 * 261; i++) bytes.push(i % 251);
  return String.fromCharCode.apply(null, bytes); // 65511 bytes, a whole number of periods
})();

var server = http.createServer(function (req, res) {
  var path = req.uri.path;
  if (path === "/") {
    res.sendHeader(200, {"Content-Type": "text/plain"});
    res.sendBody("Hello World\n");
    res.finish();
  } else if (path === "/echo") {
    var headers = {"Content-Type": "application/octet-stream"};
    if (req.headers["content-length"] !== undefined) headers["Content-Length"] = req.headers["content-length"];
    res.sendHeader(200, headers);
    req.addListener("body", function (chunk) { res.sendBody(chunk, "binary"); });
    req.addListener("complete", function () { res.finish(); });
  } else if (path === "/download") {
    var left = parseInt(req.uri.params.size, 10);
    res.sendHeader(200, {"Content-Type": "application/octet-stream"});
    (function more() {
      if (left === 0) { res.finish(); return; }
      var piece = PATTERN.slice(0, Math.min(left, PATTERN.length));
      left -= piece.length;
      res.sendBody(piece, "binary");
      setTimeout(more, 0);
    })();
  } else if (path === "/slow") {
    setTimeout(function () {
      res.sendHeader(200, {"Content-Length": String(req.uri.full.length)});
      res.sendBody(req.uri.full);
      res.finish();
    }, parseInt(req.uri.params.ms, 10));
  } else if (path === "/info") {
    var length = 0;
    req.addListener("body", function (chunk) { length += chunk.length; });
    req.addListener("complete", function () {
      json(res, {method: req.method, httpVersion: req.httpVersion, uri: req.uri,
                 headers: req.headers, bodyLength: length});
    });
  } else if (path === "/status") {
    json(res, req.uri);
  } else if (path === "/whoami") {
    json(res, {verify: req.connection.verifyPeer(), dn: req.connection.getPeerCertificate("DNstring")});
  } else if (path === "/stream") {
    res.sendHeader(200, {"Content-Type": "text/plain"});
    var n = 0;
    (function tick() {
      res.sendBody("part" + n + "\n");
      if (++n === 3) res.finish();
      else setTimeout(tick, 20);
    })();
  } else {
    res.sendHeader(404, {"Content-Length": "10"});
    res.sendBody("not found\n");
    res.finish();
  }
});
if (secure) {
  var env = process.ENV;
  server.setSecure("X509_PEM", env.TN_PKI_CA_CERT, env.TN_PKI_CRL, env.TN_PKI_SERVER_KEY, env.TN_PKI_SERVER_CERT);
}
server.listen(0, "127.0.0.1");
sys.puts(JSON.stringify({port: server.port}));
