// response.sendBody(string) and request.sendBody(string) without an encoding
// write "ascii", the manual's default: one byte per char, its low 8 bits
// ("\u00e9" -> 0xE9, "\u20ac" -> 0xAC), not UTF-8. Bodies are read in the
// default "binary" body encoding, so bytes are chars; both are chunked, so
// that a wrong byte count cannot break the framing.
var http = require("http");
var assert = require("assert");

var TEXT = "caf\u00e9 \u20ac";
var ASCII_BYTES = "caf\u00e9 \u00ac";

var atServer = null, atClient = null;
var server = http.createServer(function (request, response) {
  var body = "";
  request.addListener("body", function (chunk) { body += chunk; });
  request.addListener("complete", function () {
    atServer = body;
    response.sendHeader(200, {"Content-Type": "text/plain"});
    response.sendBody(TEXT);
    response.finish();
  });
});
server.listen(0, "127.0.0.1");

var client = http.createClient(server.port, "127.0.0.1");
var request = client.request("POST", "/", {"Transfer-Encoding": "chunked"});
request.sendBody(TEXT);
request.finish(function (response) {
  var body = "";
  response.addListener("body", function (chunk) { body += chunk; });
  response.addListener("complete", function () {
    atClient = body;
    server.close();
  });
});

process.addListener("exit", function () {
  assert.equal(atServer, ASCII_BYTES, "the request body the client sent");
  assert.equal(atClient, ASCII_BYTES, "the response body the server sent");
});
