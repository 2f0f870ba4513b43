// A child's stdout and stderr arrive as UTF-8 text, as in Node v0.1.22: on
// "output" and "error", and in sys.exec's buffers. A character whose bytes
// come in two reads arrives whole. child.write keeps the manual's "ascii"
// default (the low 8 bits of each char), so text for the child is written
// with "utf8" explicitly.
var assert = require("assert");
var sys = require("sys");

function collect(child) {
  var r = { out: "", err: "", code: null };
  child.addListener("output", function (d) { if (d !== null) r.out += d; });
  child.addListener("error", function (d) { if (d !== null) r.err += d; });
  child.addListener("exit", function (code) { r.code = code; });
  return r;
}

// "café" on stdout, "naïve ☃" on stderr
var plain = collect(process.createChildProcess("sh", ["-c",
  "printf 'caf\\303\\251\\n'; printf 'na\\303\\257ve \\342\\230\\203\\n' >&2"]));

// the euro sign's three bytes in two writes, apart in time, so in two reads
var split = collect(process.createChildProcess("sh", ["-c",
  "printf '\\342\\202'; sleep 0.2; printf '\\254\\n'; " +
  "{ printf '\\342'; sleep 0.2; printf '\\202\\254\\n'; } >&2"]));

// cat echoes what it is given in UTF-8
var cat = process.createChildProcess("cat");
var echoed = collect(cat);
cat.write("caf\u00e9 \u2603\n", "utf8");
cat.close();

var exec = null;
sys.exec("printf 'caf\\303\\251'; printf '\\342\\230\\203' >&2").addCallback(function (stdout, stderr) {
  exec = [stdout, stderr];
});

process.addListener("exit", function () {
  assert.equal(plain.code, 0);
  assert.equal(plain.out, "caf\u00e9\n");
  assert.equal(plain.err, "na\u00efve \u2603\n");
  assert.equal(split.code, 0);
  assert.equal(split.out, "\u20ac\n");
  assert.equal(split.err, "\u20ac\n");
  assert.equal(echoed.out, "caf\u00e9 \u2603\n");
  assert.deepEqual(exec, ["caf\u00e9", "\u2603"]);
});
