// Run by tests/test_dns_js.py against the zones of tests/test_dns.py, served
// on 127.0.0.1 and named by TWISTED_NODE_DNS_SERVERS.
var assert = require("assert");
var dns = require("dns");

var pending = 0;
var done = [];

// expect(promise, label, onSuccess) / expectError(promise, label, code, words)
function expect(promise, label, check) {
  pending++;
  promise.addCallback(function (values, ttl, cname) {
    check(values, ttl, cname);
    done.push(label);
    pending--;
  });
  promise.addErrback(function (code, msg) {
    assert.ok(false, label + ": unexpected error " + code + " " + msg);
  });
}

function expectError(promise, label, code, words) {
  pending++;
  promise.addCallback(function (values) {
    assert.ok(false, label + ": expected error " + code + ", got " + JSON.stringify(values));
  });
  promise.addErrback(function (gotCode, msg) {
    assert.strictEqual(gotCode, code, label + ": code " + gotCode + " (" + msg + ")");
    assert.strictEqual(typeof msg, "string");
    words.forEach(function (w) {
      assert.ok(msg.indexOf(w) >= 0, label + ": '" + msg + "' does not mention " + w);
    });
    done.push(label);
    pending--;
  });
}

// The codes: six distinct numbers.
var codes = [dns.TEMPFAIL, dns.PROTOCOL, dns.NXDOMAIN, dns.NODATA, dns.NOMEM, dns.BADQUERY];
codes.forEach(function (c, i) {
  assert.strictEqual(typeof c, "number");
  assert.strictEqual(codes.indexOf(c), i, "codes are distinct");
});

expect(dns.resolve4("multi.node.test"), "several A", function (addresses, ttl, cname) {
  assert.ok(Array.isArray(addresses), "addresses is a real array");
  assert.strictEqual(JSON.stringify(addresses), '["10.0.0.1","10.0.0.2","10.0.0.3"]');
  assert.strictEqual(ttl, 300);
  assert.strictEqual(cname, "multi.node.test");
});

expect(dns.resolve6("v6.node.test"), "AAAA", function (addresses, ttl, cname) {
  assert.deepEqual(addresses, ["2001:db8::1", "2001:db8::2"]);
  assert.strictEqual(ttl, 300);
  assert.strictEqual(cname, "v6.node.test");
});

expect(dns.resolve4("alias1.node.test"), "CNAME chain", function (addresses, ttl, cname) {
  assert.deepEqual(addresses, ["10.0.1.1"]);
  assert.strictEqual(ttl, 120, "the CNAME's TTL is the smallest");
  assert.strictEqual(cname, "dual.node.test");
});

expect(dns.resolve4("mixedttl.node.test"), "TTL", function (addresses, ttl) {
  assert.deepEqual(addresses, ["10.0.2.1", "10.0.2.2"]);
  assert.strictEqual(ttl, 30);
});

expect(dns.reverse("10.0.0.1"), "PTR v4", function (domains, ttl, cname) {
  assert.deepEqual(domains, ["multi.node.test", "first.node.test"]);
  assert.strictEqual(ttl, 90);
  assert.strictEqual(cname, "1.0.0.10.in-addr.arpa");
});

expect(dns.reverse("2001:db8::1"), "PTR v6", function (domains, ttl) {
  assert.deepEqual(domains, ["v6.node.test"]);
  assert.strictEqual(ttl, 45);
});

expectError(dns.resolve4("missing.node.test"), "NXDOMAIN", dns.NXDOMAIN, ["missing.node.test"]);
expectError(dns.resolve4("txt.node.test"), "NODATA", dns.NODATA, ["txt.node.test"]);
expectError(dns.resolve6("multi.node.test"), "NODATA AAAA", dns.NODATA, ["multi.node.test"]);
expectError(dns.reverse("10.9.9.9"), "PTR NXDOMAIN", dns.NXDOMAIN, ["10.9.9.9"]);

// Malformed queries fail through the errback, never by throwing.
var tooLong = new Array(130).join("x.") + "test";
expectError(dns.resolve4(""), "empty", dns.BADQUERY, ["empty"]);
expectError(dns.resolve4("a..node.test"), "empty label", dns.BADQUERY, ["a..node.test"]);
expectError(dns.resolve6(tooLong), "too long", dns.BADQUERY, ["too long"]);
expectError(dns.resolve4("bad name.test"), "space", dns.BADQUERY, ["bad name.test"]);
expectError(dns.reverse("10.0.0"), "bad ip", dns.BADQUERY, ["10.0.0"]);
expectError(dns.reverse("www.node.test"), "name as ip", dns.BADQUERY, ["www.node.test"]);

// Not a string at all: a wrong argument, which throws.
assert.throws(function () { dns.resolve4(42); }, TypeError);
assert.throws(function () { dns.reverse(); }, TypeError);
var threw = false;
try {
  dns.resolve6(null);
} catch (e) {
  threw = true;
  assert.ok(/domain must be a string/.test(e.message), e.message);
}
assert.ok(threw, "resolve6(null) throws");

process.addListener("exit", function () {
  assert.strictEqual(pending, 0, "still pending: " + pending);
  assert.strictEqual(done.length, 16, "done: " + done.join(", "));
  puts("dns ok");
});
