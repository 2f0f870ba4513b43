// Run by tests/test_dns_js.py against a DNS server that fails: the expected
// code's name is the first argument ("TEMPFAIL" for a server that never
// answers or answers SERVFAIL, "PROTOCOL" for a garbled reply).
var assert = require("assert");
var dns = require("dns");

var expected = process.ARGV[2];
assert.ok(expected in dns, "unknown code name " + expected);
var failures = [];

function check(promise, subject) {
  promise.addCallback(function () {
    assert.ok(false, subject + " resolved against a failing server");
  });
  promise.addErrback(function (code, msg) {
    assert.strictEqual(code, dns[expected], subject + ": code " + code + " (" + msg + ")");
    assert.ok(msg.indexOf(subject) >= 0, msg + " does not name " + subject);
    failures.push(subject);
  });
}

check(dns.resolve4("www.node.test"), "www.node.test");
check(dns.resolve6("v6.node.test"), "v6.node.test");
check(dns.reverse("10.0.0.80"), "10.0.0.80");

process.addListener("exit", function () {
  assert.strictEqual(failures.length, 3, "failed: " + failures.join(", "));
  puts(expected + " ok");
});
