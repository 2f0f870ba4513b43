// Wrong arguments and busy ports throw right away, with errors that say what
// was expected; listen() with no host accepts IPv4 (and IPv6) clients.
var tcp = require("tcp");
var assert = require("assert");

function throwsWith(fn, pattern, code) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, "not an Error: " + e);
    assert.ok(pattern.test(e.message), "message " + JSON.stringify(e.message) + " does not match " + pattern);
    if (code !== undefined) assert.equal(e.code, code);
    return;
  }
  assert.ok(false, "did not throw: " + pattern);
}

var server = tcp.createServer(function (socket) {
  socket.addListener("connect", function () { socket.close(); });
  socket.addListener("eof", function () { socket.close(); });
});
server.listen(0); // all addresses, IPv6 included
var port = server.port;

var busy = tcp.createServer(function () {});
throwsWith(function () { busy.listen(port); }, /EADDRINUSE/, "EADDRINUSE");
throwsWith(function () { busy.listen(port, "127.0.0.1"); }, /EADDRINUSE/, "EADDRINUSE");
throwsWith(function () { busy.listen(0, "192.0.2.1"); }, /EADDRNOTAVAIL/, "EADDRNOTAVAIL");
throwsWith(function () { busy.listen("http"); }, /port must be a number/);
throwsWith(function () { busy.listen(70000); }, /port must be a number/);
throwsWith(function () { busy.setSecure("PKCS12", null, null, "k", "c"); }, /format_type must be "X509_PEM"/);
throwsWith(function () { busy.setSecure("X509_PEM", "nonsense", null, "k", "c"); }, /ca_certs/);
throwsWith(function () { busy.setSecure("X509_PEM", null, "nonsense", "k", "c"); }, /crl_list/);
throwsWith(function () { busy.setSecure("X509_PEM", null, null, "nonsense", "c"); }, /private_key|certificate/);
throwsWith(function () { tcp.createServer(42); }, /listener must be a function/);

throwsWith(function () { tcp.createConnection("nope"); }, /port must be a number/);
var unused = new tcp.Connection();
throwsWith(function () { unused.connect(-5); }, /port must be a number/);
assert.equal(unused.readyState, "closed");
throwsWith(function () { server.listen(0); }, /already listening/);

var c = new tcp.Connection();
assert.equal(c.readyState, "closed");
throwsWith(function () { c.send("x"); }, /not open for writing/);
throwsWith(function () { c.setEncoding("latin9"); }, /unknown encoding/);
throwsWith(function () { c.setTimeout("soon"); }, /timeout must be a number/);
throwsWith(function () { c.setSecure("PEM"); }, /format_type must be "X509_PEM"/);
throwsWith(function () { c.getPeerCertificate("PEM"); }, /DNstring/);
assert.equal(c.verifyPeer(), 0);
assert.equal(c.getPeerCertificate("DNstring"), null);

var done = [];
function connectTo(host) {
  var client = tcp.createConnection(port, host);
  client.addListener("connect", function () {
    assert.equal(client.verifyPeer(), 0); // not TLS
    throwsWith(function () { client.send({}); }, /string or an array/);
    throwsWith(function () { client.send("x", "ebcdic"); }, /unknown encoding/);
  });
  client.addListener("eof", function () { client.close(); });
  client.addListener("close", function (had_error) {
    done.push(host + ":" + had_error);
    if (done.length === 3) server.close();
  });
}
connectTo("127.0.0.1");
connectTo("::1");

// forceClose(): "close" (no error) at once on our side, and the peer sees
// the connection go away too.
var forced = tcp.createConnection(port);
forced.addListener("connect", function () {
  forced.send("lost in the abort");
  forced.forceClose();
  assert.equal(forced.readyState, "closed");
  forced.forceClose(); // idempotent
});
forced.addListener("receive", function () { assert.ok(false, "receive after forceClose"); });
forced.addListener("close", function (had_error) {
  done.push("forced:" + had_error);
  if (done.length === 3) server.close();
});

process.addListener("exit", function () {
  assert.deepEqual(done.sort(), ["127.0.0.1:false", "::1:false", "forced:false"]);
});
