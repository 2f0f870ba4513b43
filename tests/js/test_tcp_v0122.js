// What Node v0.1.22 programs rely on in tcp (issue 12): connection.server,
// "receive" in pieces of at most 8 KiB, readPause() inside a "receive"
// listener taking effect at once, and forceClose() / the idle timeout
// ending with an ordinary close (the peer sees "eof", then a clean "close").
var tcp = require("tcp");
var assert = require("assert");

var BIG = new Array(100 * 1024 + 1).join("z"); // 100 KiB in one send
var results = {};
var modes = ["pieces", "pause", "force", "idle"];

var server = tcp.createServer(function (socket) {
  assert.strictEqual(socket.server, server, "a server-side connection knows its server");
  var mode = modes.shift();
  socket.setEncoding("binary");
  socket.addListener("connect", function () {
    if (mode === "pieces" || mode === "pause") {
      socket.send(BIG, "binary");
      socket.close();
    } else if (mode === "force") {
      socket.send("last words", "binary");
      socket.forceClose();
    } else if (mode === "idle") {
      socket.setTimeout(100);
    }
  });
  socket.addListener("timeout", function () { results.serverTimedOut = true; });
});
server.listen(0, "127.0.0.1");

function client(mode, setup, done) {
  var c = tcp.createConnection(server.port, "127.0.0.1");
  assert.strictEqual(c.server, undefined, "a client connection has no server");
  c.setEncoding("binary");
  var r = results[mode] = { sizes: [], data: "", events: [] };
  c.addListener("receive", function (data) { r.sizes.push(data.length); r.data += data; });
  c.addListener("eof", function () { r.events.push("eof"); c.close(); });
  c.addListener("close", function (hadError) {
    r.events.push("close " + hadError);
    done();
  });
  if (setup) setup(c, r);
}

function pieces() {
  client("pieces", null, pause);
}

function pause() {
  client("pause", function (c, r) {
    r.whilePaused = 0;
    var paused = false;
    c.addListener("receive", function () {
      if (paused) r.whilePaused++;
      if (r.sizes.length === 1) { // the first piece: stop at once, for a while
        paused = true;
        c.readPause();
        setTimeout(function () { paused = false; c.readResume(); }, 200);
      }
    });
  }, force);
}

function force() {
  client("force", null, idle);
}

function idle() {
  client("idle", null, function () { server.close(); });
}

pieces();

process.addListener("exit", function () {
  var p = results.pieces;
  assert.strictEqual(p.data, BIG, "everything arrives, in order");
  assert.ok(Math.max.apply(null, p.sizes) <= 8192, "pieces of at most 8 KiB: " + p.sizes);
  var q = results.pause;
  assert.strictEqual(q.data, BIG, "paused: everything arrives, in order");
  assert.strictEqual(q.whilePaused, 0, "no \"receive\" between readPause() and readResume()");
  assert.ok(Math.max.apply(null, q.sizes) <= 8192);
  var f = results.force;
  assert.deepEqual(f.events, ["eof", "close false"], "forceClose ends with a clean close");
  assert.strictEqual(f.data, "last words", "what the kernel had is delivered");
  assert.deepEqual(results.idle.events, ["eof", "close false"], "the idle timeout closes cleanly");
  assert.ok(results.serverTimedOut);
});
