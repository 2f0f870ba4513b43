// listen()'s wrong arguments throw at once, saying what is expected; a UNIX
// socket path and an endpoint string listen, for tcp and http servers alike.
var tcp = require("tcp"), http = require("http"), assert = require("assert");

function throwsWith(fn, pattern) {
  try {
    fn();
  } catch (e) {
    assert.ok(pattern.test(e.message), "message " + JSON.stringify(e.message) + " does not match " + pattern);
    return;
  }
  assert.ok(false, "did not throw: " + pattern);
}

var s = tcp.createServer(function () {});
throwsWith(function () { s.listen("http"); }, /port must be a number.*UNIX socket path.*endpoint string/);
throwsWith(function () { s.listen({}); }, /port must be a number/);
throwsWith(function () { s.listen("nosuch:1"); }, /bad endpoint string 'nosuch:1'/);
throwsWith(function () { s.listen("tcp:notaport"); }, /bad endpoint string/);
throwsWith(function () { s.listen("systemd:domain=INET:index=0"); }, /passed no such socket \(0 passed/);
throwsWith(function () { s.listen("./x.sock", "localhost"); }, /takes no host/);
throwsWith(function () { s.listen(process.ARGV[2] + "/no/such/dir/x.sock"); }, /cannot listen/);

var web = http.createServer(function (req, res) {
  res.sendHeader(200, { "Content-Length": "2" });
  res.sendBody("ok");
  res.finish();
});
var path = process.ARGV[2] + "/web.sock";
web.listen("unix:" + path);
assert.equal(web.port, path);
throwsWith(function () { web.listen(8080); }, /already listening/);

var raw = tcp.createServer(function (c) {
  c.addListener("receive", function (d) { c.send(d); c.close(); });
});
raw.listen(process.ARGV[2] + "/raw.sock");

// Both answer over their UNIX sockets (the tcp binding's client only dials
// TCP, so a child does: a sh one-liner would need socat; python is there).
var done = 0;
function check(kind, sockPath, send, expect) {
  var child = process.createChildProcess(process.execPath, ["-c",
    "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); " +
    "s.sendall(sys.argv[2].encode()); b=b''\nwhile True:\n  d=s.recv(9999)\n  if not d: break\n  b+=d\nsys.stdout.write(b.decode())",
    sockPath, send]);
  var out = "";
  child.addListener("output", function (d) { if (d) out += d; });
  child.addListener("exit", function () {
    assert.ok(out.indexOf(expect) >= 0, kind + ": " + JSON.stringify(out));
    if (++done === 2) { web.close(); raw.close(); }
  });
}
check("http", path, "GET / HTTP/1.0\r\n\r\n", "ok");
check("tcp", process.ARGV[2] + "/raw.sock", "echo", "echo");
process.addListener("exit", function () { assert.equal(done, 2); });
