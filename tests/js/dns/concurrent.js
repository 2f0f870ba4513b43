// Run by tests/test_dns_js.py: N queries at once (first argument), for names
// h0.node.test .. h(N-1).node.test of the test zone; all must complete.
var assert = require("assert");
var dns = require("dns");

var n = parseInt(process.ARGV[2], 10);
var answered = 0;

function ask(i) {
  var p = dns.resolve4("h" + i + ".node.test");
  p.addCallback(function (addresses, ttl) {
    assert.deepEqual(addresses, ["10.2." + (i >> 8) + "." + (i & 255)]);
    assert.strictEqual(ttl, 200);
    answered++;
  });
  p.addErrback(function (code, msg) {
    assert.ok(false, "h" + i + ": " + code + " " + msg);
  });
}

for (var i = 0; i < n; i++) ask(i);

process.addListener("exit", function () {
  assert.strictEqual(answered, n);
  puts(answered + " answered");
});
