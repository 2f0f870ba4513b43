// The manual's DNS example: resolve a name, then reverse-resolve each address.
// Usage: twisted-node examples/dns_resolve.js [domain]   (default www.google.com)
// The servers asked are those of /etc/resolv.conf, or TWISTED_NODE_DNS_SERVERS
// ("host:port,host:port") when it is set.
// The body is the manual's, unchanged: note that its callbacks share the
// variable `a`, so with several addresses each line names the last one.
var dns = require("dns");
var domain = process.ARGV[2] || "www.google.com";

var resolution = dns.resolve4(domain);
resolution.addCallback(function (addresses, ttl, cname) {
  puts("addresses: " + JSON.stringify(addresses));
  puts("ttl: " + JSON.stringify(ttl));
  puts("cname: " + JSON.stringify(cname));
  for (var i = 0; i < addresses.length; i++) {
    var a = addresses[i];
    var reversing = dns.reverse(a);
    reversing.addCallback( function (domains, ttl, cname) {
      puts("reverse for " + a + ": " + JSON.stringify(domains));
    });
    reversing.addErrback( function (code, msg) {
      puts("reverse for " + a + " failed: " + msg);
    });
  }
});
resolution.addErrback(function (code, msg) {
  puts("error: " + msg);
});
