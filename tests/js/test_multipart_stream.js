// multipart.Stream and multipart.parse on {boundary, data} and
// {headers, data}: parts, binary bodies, every split offset, bad input.
var assert = require("assert");
var multipart = require("multipart");

var B = "----tn-boundary-7e3b";

function formBody(parts, boundary) {
  boundary = boundary || B;
  var out = "";
  parts.forEach(function (p) {
    out += "--" + boundary + "\r\n" + p.headers.join("\r\n") + "\r\n\r\n" + p.body + "\r\n";
  });
  return out + "--" + boundary + "--\r\n";
}

function field(name, value) {
  return { headers: ['Content-Disposition: form-data; name="' + name + '"'], body: value };
}

function upload(name, filename, value, type) {
  return {
    headers: ['Content-Disposition: form-data; name="' + name + '"; filename="' + filename + '"',
              "Content-Type: " + (type || "application/octet-stream")],
    body: value
  };
}

var allBytes = "";
for (var i = 0; i < 256; i++) allBytes += String.fromCharCode(i);

var body = formBody([
  field("title", "hello world"),
  upload("file", "all.bin", allBytes + "\r\n--" + B.slice(0, -1) + allBytes),
  field("empty", ""),
  { headers: ["content-disposition: form-data; name=plain; filename=a.txt",
              "Content-Type: text/plain; charset=utf-8"], body: "caf\u00c3\u00a9" }
]);

var done = {};

// Events of a Stream fed `chunks` with write()/close(), as one list of strings.
function trace(chunks) {
  var stream = new multipart.Stream({ boundary: B });
  var out = [];
  stream.addListener("part", function (part) {
    out.push("part " + part.name + " " + part.filename + " " + JSON.stringify(part.headers));
    var text = "";
    part.addListener("body", function (chunk) {
      assert.equal("string", typeof chunk);
      text += chunk;
    });
    part.addListener("complete", function () { out.push("body " + JSON.stringify(text)); });
  });
  stream.addListener("complete", function () { out.push("complete"); });
  stream.addListener("error", function (e) { out.push("error " + e.message); });
  chunks.forEach(function (c) { stream.write(c); });
  stream.close();
  assert.equal(chunks.join("").length, stream.bytesReceived);
  return out.join("\n");
}

// The manual's Stream example, fed by {boundary, data}.
(function () {
  var stream = new multipart.Stream({ boundary: B, data: body });
  assert.equal(body.length, stream.bytesTotal);
  var parts = {}, seen = [];
  stream.addListener("part", function (part) {
    assert.ok(part instanceof multipart.Part);
    seen.push(part);
    var buffer = "";
    part.addListener("body", function (chunk) { buffer = buffer + chunk; });
    part.addListener("complete", function () { parts[part.name] = buffer; });
  });
  stream.addListener("complete", function () {
    assert.equal("hello world", parts.title);
    assert.equal(allBytes + "\r\n--" + B.slice(0, -1) + allBytes, parts.file);
    assert.equal("", parts.empty);
    assert.equal("caf\u00c3\u00a9", parts.plain);
    assert.equal(undefined, seen[0].filename);
    assert.equal(false, "filename" in seen[0]);
    assert.equal("all.bin", seen[1].filename);
    assert.equal("application/octet-stream", seen[1].headers["content-type"]);
    assert.equal("a.txt", seen[3].filename);
    assert.equal("text/plain; charset=utf-8", seen[3].headers["content-type"]);
    assert.equal(body.length, stream.bytesReceived);
    done.stream = true;
  });
})();

// Boundaries split across chunks at every offset parse identically.
(function () {
  var whole = trace([body]);
  assert.ok(/complete$/.test(whole), whole);
  for (var i = 0; i <= body.length; i++) {
    assert.equal(whole, trace([body.slice(0, i), body.slice(i)]), "split at " + i);
  }
  var bytes = [];
  for (i = 0; i < body.length; i++) bytes.push(body.charAt(i));
  assert.equal(whole, trace(bytes), "one byte at a time");
  done.splits = true;
})();

// parse() on {boundary, data} and {headers, data}; many parts.
(function () {
  var many = [];
  for (var i = 0; i < 300; i++) many.push(field("f" + i, "v" + i));
  multipart.parse({ boundary: B, data: formBody(many) }).addCallback(function (parts) {
    assert.equal(300, Object.keys(parts).length);
    assert.equal("v0", parts.f0);
    assert.equal("v299", parts.f299);
    done.many = true;
  });
  multipart.parse({
    headers: { "Content-Type": 'multipart/form-data; charset=utf-8; boundary="' + B + '"' },
    data: body
  }).addCallback(function (parts) {
    assert.equal("hello world", parts.title);
    assert.equal(256 * 2 + B.length + 3, parts.file.length);
    done.headers = true;
  });
})();

// Bad input is rejected with an Error that says what is wrong.
function rejects(label, options, code, words) {
  multipart.parse(options).addCallback(function () {
    assert.ok(false, label + ": should have been rejected");
  }).addErrback(function (e) {
    assert.ok(e instanceof Error, label);
    assert.equal(code, e.code, label + ": " + e.message);
    assert.ok(e.message.indexOf(words) >= 0, label + ": " + e.message);
    done[label] = true;
  });
}
rejects("not multipart", { headers: { "content-type": "text/plain" }, data: "x" }, "NOT_MULTIPART",
        "not a multipart request");
rejects("no content type", { headers: {}, data: "x" }, "NOT_MULTIPART", "no Content-Type");
rejects("no boundary", { headers: { "content-type": "multipart/form-data" }, data: body }, "BAD_BOUNDARY",
        "no boundary parameter");
rejects("bad boundary", { boundary: "bad\u0001boundary", data: body }, "BAD_BOUNDARY", "bad boundary");
rejects("long boundary", { boundary: new Array(72).join("x"), data: body }, "BAD_BOUNDARY", "1 to 70");
rejects("wrong boundary", { boundary: "other", data: body }, "MALFORMED", "malformed body");
rejects("truncated", { boundary: B, data: body.slice(0, body.length - 10) }, "MALFORMED",
        "ended before the closing boundary");
rejects("empty", { boundary: B, data: "" }, "MALFORMED", "empty");
rejects("garbage", { boundary: B, data: "this is not a form" }, "MALFORMED", "malformed body");

// A wrong call throws at once, saying what was expected.
assert.throws(function () { multipart.parse("nope"); }, TypeError);
assert.throws(function () { new multipart.Stream({ boundary: B, data: 42 }); }, TypeError);
assert.throws(function () { new multipart.Stream({}); }, TypeError);
var nullOptions = null;
try {
  new multipart.Stream(null);
} catch (e) {
  nullOptions = e;
}
assert.ok(nullOptions instanceof TypeError, "new multipart.Stream(null) throws a TypeError");
assert.ok(/http.ServerRequest/.test(nullOptions.message), nullOptions.message);

var expected = ["stream", "splits", "many", "headers", "not multipart", "no content type", "no boundary",
                "bad boundary", "long boundary", "wrong boundary", "truncated", "empty", "garbage"];
process.addListener("exit", function () {
  expected.forEach(function (k) { assert.ok(done[k], "not done: " + k); });
});
