// An upload server built on the manual's multipart.Stream example.
//
//   twisted-node examples/upload_server.js [port]
//   curl -F title=hello -F file=@/etc/hostname http://127.0.0.1:8000/
//
// GET / serves a form; POST / answers with one line per part: its name, its
// filename (for files), its size in bytes and its Adler-32 checksum (so a
// client can check that a binary file arrived intact; `python3 -c "import
// zlib,sys; print(zlib.adler32(open(sys.argv[1],'rb').read()))" FILE`).
// Parts are streamed: a large upload is never held in memory.
var sys = require("sys"),
    http = require("http"),
    multipart = require("multipart");

var port = parseInt(process.ARGV[2] || "8000", 10);

var FORM = '<form method="post" enctype="multipart/form-data">' +
           '<input name="title"> <input type="file" name="file"> <input type="submit"></form>\n';

// Adler-32 over a binary string, one chunk at a time.
function Adler32() { this.a = 1; this.b = 0; }
Adler32.prototype.update = function (chunk) {
  var a = this.a, b = this.b;
  for (var i = 0; i < chunk.length; i++) {
    a += chunk.charCodeAt(i) & 0xff;
    b += a;
    if ((i & 0xfff) === 0xfff) { a %= 65521; b %= 65521; }
  }
  this.a = a % 65521;
  this.b = b % 65521;
};
Adler32.prototype.digest = function () { return this.b * 65536 + this.a; };

function reply(res, status, text) {
  var bytes = unescape(encodeURIComponent(text)); // UTF-8, one char per byte
  res.sendHeader(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": bytes.length });
  res.sendBody(bytes, "binary");
  res.finish();
}

http.createServer(function (req, res) {
  if (req.method !== "POST") {
    res.sendHeader(200, { "Content-Type": "text/html", "Content-Length": FORM.length });
    res.sendBody(FORM);
    res.finish();
    return;
  }
  var stream = new multipart.Stream(req);
  var lines = [];
  stream.addListener("part", function (part) {
    var size = 0, sum = new Adler32();
    part.addListener("body", function (chunk) {
      size += chunk.length;
      sum.update(chunk);
    });
    part.addListener("complete", function () {
      lines.push(part.name + " " + (part.filename === undefined ? "-" : part.filename) +
                 " " + size + " " + sum.digest());
    });
  });
  stream.addListener("complete", function () {
    reply(res, 200, lines.join("\n") + "\n");
  });
  stream.addListener("error", function (e) {
    reply(res, 400, e.message + "\n");
  });
}).listen(port, "127.0.0.1");

sys.puts("Upload server at http://127.0.0.1:" + port + "/");
