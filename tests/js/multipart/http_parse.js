// multipart over HTTP, runtime server and runtime client in one program:
// the manual's Stream example and parse() on requests, a binary upload with
// a checksum, a chunked body in pieces of every size, and malformed requests
// answered with 400 while the server keeps serving.
// Run by tests/test_multipart_http.py with a free port as the argument.
var assert = require("assert");
var sys = require("sys");
var http = require("http");
var multipart = require("multipart");

var port = parseInt(process.ARGV[2], 10);
var B = "----tn-http-boundary-91fe";

function adler32(s) {
  var a = 1, b = 0;
  for (var i = 0; i < s.length; i++) {
    a = (a + (s.charCodeAt(i) & 0xff)) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

function formBody(parts) {
  var out = "";
  parts.forEach(function (p) {
    out += "--" + B + "\r\n" + p.headers.join("\r\n") + "\r\n\r\n" + p.body + "\r\n";
  });
  return out + "--" + B + "--\r\n";
}

function field(name, value) {
  return { headers: ['Content-Disposition: form-data; name="' + name + '"'], body: value };
}

function upload(name, filename, value) {
  return { headers: ['Content-Disposition: form-data; name="' + name + '"; filename="' + filename + '"',
                     "Content-Type: application/octet-stream"], body: value };
}

// A binary file: every byte value, in an order that is not just counting.
var binary = "";
for (var i = 0; i < 200000; i++) binary += String.fromCharCode((i * 7919 + (i >> 8)) & 0xff);

var body = formBody([field("title", "hello"), upload("file", "data.bin", binary), field("empty", "")]);

function summary(name, filename, text) {
  return { filename: filename, length: text.length, adler: adler32(text) };
}

function reply(res, status, object) {
  var text = JSON.stringify(object);
  res.sendHeader(status, { "Content-Type": "application/json", "Content-Length": text.length });
  res.sendBody(text);
  res.finish();
}

var server = http.createServer(function (req, res) {
  if (req.uri.path === "/stream") {
    // The manual's example.
    var stream = new multipart.Stream(req);
    var parts = {};
    stream.addListener("part", function (part) {
      var buffer = "";
      part.addListener("body", function (chunk) { buffer = buffer + chunk; });
      part.addListener("complete", function () { parts[part.name] = summary(part.name, part.filename, buffer); });
    });
    stream.addListener("complete", function () {
      reply(res, 200, { parts: parts, bytesTotal: stream.bytesTotal, bytesReceived: stream.bytesReceived });
    });
    stream.addListener("error", function (e) { reply(res, 400, { error: e.message, code: e.code }); });
  } else {
    multipart.parse(req).addCallback(function (parts) {
      var out = {};
      for (var name in parts) out[name] = summary(name, undefined, parts[name]);
      reply(res, 200, { parts: out });
    }).addErrback(function (e) {
      reply(res, 400, { error: e.message, code: e.code });
    });
  }
});
server.listen(port, "127.0.0.1");

var client = http.createClient(port, "127.0.0.1");

// POST `chunks` (binary strings) to `path`; callback(status, parsed JSON).
function post(path, contentType, chunks, callback, chunked) {
  var headers = { "Content-Type": contentType };
  if (chunked) headers["Transfer-Encoding"] = "chunked";
  else headers["Content-Length"] = chunks.join("").length;
  var request = client.request("POST", path, headers);
  chunks.forEach(function (c) { request.sendBody(c, "binary"); });
  request.finish(function (response) {
    var text = "";
    response.setBodyEncoding("utf8");
    response.addListener("body", function (chunk) { text += chunk; });
    response.addListener("complete", function () { callback(response.statusCode, JSON.parse(text)); });
  });
}

var FORM = "multipart/form-data; boundary=" + B;
var steps = [];
var done = 0;

function checkParts(parts) {
  assert.equal(undefined, parts.title.filename);
  assert.equal(5, parts.title.length);
  assert.equal(adler32("hello"), parts.title.adler);
  assert.equal(binary.length, parts.file.length);
  assert.equal(adler32(binary), parts.file.adler);
  assert.equal(0, parts.empty.length);
}

steps.push(function (next) {
  post("/stream", FORM, [body], function (status, result) {
    assert.equal(200, status, JSON.stringify(result));
    checkParts(result.parts);
    assert.equal("data.bin", result.parts.file.filename);
    assert.equal(body.length, result.bytesTotal);
    assert.equal(body.length, result.bytesReceived);
    next();
  });
});

steps.push(function (next) {
  post("/parse", 'multipart/form-data; charset=utf-8; boundary="' + B + '"', [body], function (status, result) {
    assert.equal(200, status, JSON.stringify(result));
    checkParts(result.parts);
    next();
  });
});

// Chunked, in pieces of 1, 2, 3, ... bytes: boundaries fall at many offsets.
steps.push(function (next) {
  var small = formBody([field("a", "first"), upload("b", "b.bin", binary.slice(0, 3000)), field("c", "")]);
  var pieces = [], at = 0, n = 1;
  while (at < small.length) {
    pieces.push(small.slice(at, at + n));
    at += n;
    n = n % 97 + 1;
  }
  post("/stream", FORM, pieces, function (status, result) {
    assert.equal(200, status, JSON.stringify(result));
    assert.equal(adler32("first"), result.parts.a.adler);
    assert.equal(adler32(binary.slice(0, 3000)), result.parts.b.adler);
    assert.equal(0, result.parts.c.length);
    assert.equal(small.length, result.bytesReceived);
    next();
  }, true);
});

[
  ["text/plain", body, "NOT_MULTIPART", "not a multipart request"],
  ["multipart/form-data", body, "BAD_BOUNDARY", "no boundary parameter"],
  ["multipart/form-data; boundary=" + B, "garbage", "MALFORMED", "malformed body"],
  ["multipart/form-data; boundary=" + B, body.slice(0, 1000), "MALFORMED", "closing boundary"]
].forEach(function (bad) {
  ["/parse", "/stream"].forEach(function (path) {
    steps.push(function (next) {
      post(path, bad[0], [bad[1]], function (status, result) {
        assert.equal(400, status, path + " " + bad[0]);
        assert.equal(bad[2], result.code);
        assert.ok(result.error.indexOf(bad[3]) >= 0, result.error);
        next();
      });
    });
  });
});

// ... and the server still serves.
steps.push(function (next) {
  post("/parse", FORM, [body], function (status, result) {
    assert.equal(200, status);
    checkParts(result.parts);
    next();
  });
});

function run() {
  if (done === steps.length) {
    server.close();
    return;
  }
  steps[done](function () {
    done++;
    run();
  });
}
run();

process.addListener("exit", function () {
  assert.equal(steps.length, done);
  sys.puts("http_parse: ok");
});
