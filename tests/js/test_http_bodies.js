// Bodies that stream both ways: uploads and downloads of a few MB, chunked
// and with Content-Length, checked with a checksum computed on both sides;
// a UTF-8 body split inside a character, in both directions; bodies given
// as arrays of byte values.
var sys = require("sys"), http = require("http"), assert = require("assert");

var MB = 1024 * 1024;

// Adler-32 over a binary string, fed piece by piece.
function Adler() { this.a = 1; this.b = 0; this.n = 0; }
Adler.prototype.update = function (s) {
  var a = this.a, b = this.b;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    assert.ok(c < 256, "binary body chars are bytes");
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  this.a = a; this.b = b; this.n += s.length;
};
Adler.prototype.digest = function () { return this.n + ":" + this.b + ":" + this.a; };

// A deterministic binary payload of `size` bytes in `pieces` strings.
function payload(size, seed) {
  var pieces = [], piece = [], x = seed;
  for (var i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    piece.push((x >> 16) & 0xff);
    if (piece.length === 65536 || i === size - 1) {
      pieces.push(String.fromCharCode.apply(null, piece));
      piece = [];
    }
  }
  return pieces;
}

var DOWN = payload(3 * MB + 17, 7);
var downSum = new Adler();
DOWN.forEach(function (p) { downSum.update(p); });
var UP = payload(2 * MB + 5, 11);
var upSum = new Adler();
UP.forEach(function (p) { upSum.update(p); });
var SNOWMAN = "\u2603 h\u00e9llo \u20ac";

var server = http.createServer(function (req, res) {
  var path = req.uri.path;
  if (path === "/download") {
    // streamed, one sendBody per piece; chunked unless asked for a length
    var headers = {"Content-Type": "application/octet-stream"};
    if (req.uri.params.length === "yes") headers["Content-Length"] = String(downSum.n);
    res.sendHeader(200, headers);
    var i = 0;
    (function next() {
      if (i === DOWN.length) { res.finish(); return; }
      res.sendBody(DOWN[i++], "binary");
      setTimeout(next, 0);
    })();
  } else if (path === "/upload") {
    var sum = new Adler(), events = 0;
    req.addListener("body", function (chunk) { events++; sum.update(chunk); });
    req.addListener("complete", function () {
      var answer = sum.digest() + " " + (req.headers["transfer-encoding"] || "length");
      res.sendHeader(200, {"Content-Length": answer.length});
      res.sendBody(answer);
      res.finish();
    });
  } else if (path === "/utf8-down") {
    // one character split across two writes, with a pause between them
    var bytes = unescape(encodeURIComponent(SNOWMAN)); // binary string of UTF-8
    res.sendHeader(200, {"Content-Type": "text/plain; charset=utf-8"});
    res.sendBody(bytes.slice(0, 1), "binary");
    setTimeout(function () {
      res.sendBody(bytes.slice(1, 4), "binary");
      setTimeout(function () { res.sendBody(bytes.slice(4), "binary"); res.finish(); }, 20);
    }, 20);
  } else if (path === "/utf8-up") {
    req.setBodyEncoding("utf8");
    var text = "", chunks = 0;
    req.addListener("body", function (chunk) {
      chunks++;
      assert.equal(chunk.indexOf("\ufffd"), -1, "no replacement character: the split char arrives whole");
      text += chunk;
    });
    req.addListener("complete", function () {
      res.sendHeader(200, {"Content-Type": "text/plain; charset=utf-8"});
      res.sendBody(text, "utf8");
      res.finish();
    });
  } else if (path === "/bytes") {
    res.sendHeader(200, {"Content-Length": "4"});
    res.sendBody([0, 255, 256 + 65, 10]);
    res.finish();
  }
});
server.listen(0, "127.0.0.1");
var client = http.createClient(server.port, "127.0.0.1");
var done = {};

function download(length) {
  var sum = new Adler(), path = "/download" + (length ? "?length=yes" : "");
  client.request("GET", path).finish(function (res) {
    assert.equal(res.statusCode, 200);
    if (length) assert.equal(res.headers["content-length"], String(downSum.n));
    else assert.equal(res.headers["transfer-encoding"], "chunked");
    res.addListener("body", function (chunk) { sum.update(chunk); });
    res.addListener("complete", function () {
      assert.equal(sum.digest(), downSum.digest());
      done[path] = true;
    });
  });
}

function upload(chunked) {
  var headers = chunked ? {"Transfer-Encoding": "chunked"} : {"Content-Length": String(upSum.n)};
  var req = client.request("PUT", "/upload", headers);
  UP.forEach(function (piece) { req.sendBody(piece, "binary"); });
  req.finish(function (res) {
    var body = "";
    res.addListener("body", function (c) { body += c; });
    res.addListener("complete", function () {
      assert.equal(body, upSum.digest() + " " + (chunked ? "chunked" : "length"));
      done["upload " + chunked] = true;
    });
  });
}

download(false);
download(true);
upload(true);
upload(false);

// No length given: the client streams it chunked, as the manual suggests.
(function () {
  var req = client.request("POST", "/upload");
  req.sendBody("abc");
  req.sendBody([100, 101]);
  req.finish(function (res) {
    var body = "";
    res.addListener("body", function (c) { body += c; });
    res.addListener("complete", function () {
      var s = new Adler(); s.update("abcde");
      assert.equal(body, s.digest() + " chunked");
      done.unsized = true;
    });
  });
})();

client.request("GET", "/utf8-down").finish(function (res) {
  res.setBodyEncoding("utf8");
  var text = "", chunks = 0;
  res.addListener("body", function (chunk) {
    chunks++;
    assert.equal(chunk.indexOf("\ufffd"), -1);
    text += chunk;
  });
  res.addListener("complete", function () {
    assert.equal(text, SNOWMAN);
    done.utf8down = true;
  });
});

(function () {
  var req = client.request("POST", "/utf8-up", {"Transfer-Encoding": "chunked"});
  var bytes = unescape(encodeURIComponent(SNOWMAN));
  req.sendBody(bytes.slice(0, 2), "binary"); // inside the 3-byte snowman
  setTimeout(function () {
    req.sendBody(bytes.slice(2), "binary");
    req.finish(function (res) {
      res.setBodyEncoding("utf8");
      var text = "";
      res.addListener("body", function (c) { text += c; });
      res.addListener("complete", function () {
        assert.equal(text, SNOWMAN);
        done.utf8up = true;
      });
    });
  }, 50);
})();

client.request("GET", "/bytes").finish(function (res) {
  var body = "";
  res.addListener("body", function (c) { body += c; });
  res.addListener("complete", function () {
    assert.equal(body, "\u0000\u00ffA\n");
    done.bytes = true;
    server.close();
  });
});

process.addListener("exit", function () {
  assert.deepEqual(Object.keys(done).sort(),
    ["/download", "/download?length=yes", "bytes", "unsized", "upload false", "upload true", "utf8down", "utf8up"]);
  sys.puts("ok");
});
