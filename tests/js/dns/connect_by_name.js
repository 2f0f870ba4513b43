// Run by tests/test_dns_js.py: tcp.createConnection and http.createClient
// given a host name that only the test DNS server knows (loopback.node.test,
// an A record for 127.0.0.1). Arguments: echo server port, HTTP server port.
var assert = require("assert");
var tcp = require("tcp");
var http = require("http");

var echoPort = parseInt(process.ARGV[2], 10);
var httpPort = parseInt(process.ARGV[3], 10);
var echoed = "", body = "", status = null, closed = false;

var c = tcp.createConnection(echoPort, "loopback.node.test");
c.setEncoding("utf8");
c.addListener("connect", function () { c.send("ping"); });
c.addListener("receive", function (data) {
  echoed += data;
  if (echoed === "ping") c.close();
});
c.addListener("close", function () { closed = true; });

var client = http.createClient(httpPort, "loopback.node.test");
client.get("/", {"Connection": "close"}).finish(function (res) {
  status = res.statusCode;
  res.setBodyEncoding("utf8");
  res.addListener("body", function (chunk) { body += chunk; });
});

// A name that does not exist: the connection reports an error, no crash.
var failed = false;
var bad = tcp.createConnection(echoPort, "missing.node.test");
bad.addListener("close", function (hadError) { failed = hadError; });

process.addListener("exit", function () {
  assert.strictEqual(echoed, "ping");
  assert.ok(closed);
  assert.strictEqual(status, 200);
  assert.strictEqual(body, "served by name");
  assert.ok(failed, "connecting to missing.node.test must fail");
  puts("connected by name");
});
