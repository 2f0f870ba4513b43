// cat fed through child.write (queued in order, in the given encoding) and
// child.close(); the output comes back whole.
var assert = require("assert");

var expected = "";
var out = "";
var exitCode = null;

var cat = process.createChildProcess("cat");
cat.addListener("output", function (d) { if (d !== null) out += d; });
cat.addListener("exit", function (code) { exitCode = code; });

for (var i = 0; i < 3000; i++) {
  var line = "line " + i + " " + new Array(40).join("x") + "\n";
  assert.equal(cat.write(line), true);
  expected += line;
}
// "binary": chars 0-255 as bytes; the lone byte 0xe9 is not UTF-8, and
// output is read as UTF-8: it comes back as U+FFFD
cat.write("\u00e9\n", "binary");
expected += "\ufffd\n";
// "utf8": two bytes, read back as the one character
cat.write("\u00e9\n", "utf8");
expected += "\u00e9\n";
cat.close();

assert.throws(function () { cat.write("too late"); }, /close/);
var wrongEncoding = process.createChildProcess("cat");
assert.throws(function () { wrongEncoding.write("x", "utf16"); }, /encoding/);
wrongEncoding.close();

process.addListener("exit", function () {
  assert.equal(exitCode, 0);
  assert.equal(out.length, expected.length);
  assert.ok(out === expected, "cat's output differs from what was written");
});
