// Run by tests/test_dns_js.py against a server that never answers: the
// program exits while its queries are in flight, which must end it at once
// with its own status (the queries are cancelled, no callback runs).
var dns = require("dns");

var called = false;
for (var i = 0; i < 20; i++) {
  var p = dns.resolve4("h" + i + ".node.test");
  p.addCallback(function () { called = true; });
  p.addErrback(function () { called = true; });
}
setTimeout(function () { process.exit(called ? 1 : 3); }, 100);
