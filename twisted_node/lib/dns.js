// require("dns"): the manual's DNS module.
//
// process.binding("dns") asks the DNS servers (TWISTED_NODE_DNS_SERVERS, else
// /etc/resolv.conf) through twisted.names and returns a process.Promise that
// keeps the program alive until it fires:
//   success (addresses or domains, ttl, cname)
//   error   (code, msg), code being one of the constants below.
// A name or address that is not well formed is a query that fails with
// BADQUERY through the errback; only an argument that is not a string at all
// throws, like every other wrong argument in this runtime.
var binding = process.binding("dns");

exports.TEMPFAIL = binding.TEMPFAIL;  // timeout, SERVFAIL or similar
exports.PROTOCOL = binding.PROTOCOL;  // got garbled reply
exports.NXDOMAIN = binding.NXDOMAIN;  // domain does not exist
exports.NODATA = binding.NODATA;      // domain exists but no data of reqd type
exports.NOMEM = binding.NOMEM;        // out of memory while processing
exports.BADQUERY = binding.BADQUERY;  // the query is malformed

function query(fn, what, argName) {
  return function (value) {
    if (typeof value !== "string") {
      throw new TypeError("dns." + what + "(" + argName + "): " + argName +
                          " must be a string, not " + (value === null ? "null" : typeof value));
    }
    return fn(value);
  };
}

exports.resolve4 = query(binding.resolve4, "resolve4", "domain");
exports.resolve6 = query(binding.resolve6, "resolve6", "domain");
exports.reverse = query(binding.reverse, "reverse", "ip");
