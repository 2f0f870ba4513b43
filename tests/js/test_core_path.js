// The later v0.1 "path" module (docs/ARCHITECTURE.md: welcome where it costs little).
var assert = require("assert");
var path = require("path");

assert.strictEqual(path.join("a", "b", "c"), "a/b/c");
assert.strictEqual(path.join("a", "b", "../c"), "a/c");
assert.strictEqual(path.join("/a", "../../b"), "/b", "nothing above the root");
assert.strictEqual(path.join("/", "a"), "/a");
assert.strictEqual(path.join("a/", "/b"), "a/b");

assert.strictEqual(path.normalize("/a/./b/../c"), "/a/c");
assert.strictEqual(path.normalize("/a/./b/../../.."), "/");
assert.strictEqual(path.normalize("/.."), "/");
assert.strictEqual(path.normalize("../a"), "../a");
assert.strictEqual(path.normalize("a/../.."), "..");
assert.strictEqual(path.normalize("./a"), "a");
assert.strictEqual(path.normalize("a//b"), "a/b");
assert.strictEqual(path.normalize("a/b/"), "a/b/", "a trailing slash is kept");
assert.strictEqual(path.normalize("."), ".");
assert.strictEqual(path.normalize("a/.."), ".");

assert.strictEqual(path.dirname("/a/b/c.js"), "/a/b");
assert.strictEqual(path.dirname("/a/b/"), "/a");
assert.strictEqual(path.dirname("/a"), "/");
assert.strictEqual(path.dirname("a"), ".");

assert.strictEqual(path.basename("/a/b/c.js"), "c.js");
assert.strictEqual(path.basename("/a/b/c.js", ".js"), "c");
assert.strictEqual(path.basename("/a/b/"), "b");
assert.strictEqual(path.basename(".js", ".js"), ".js");

assert.strictEqual(path.extname("x.tar.gz"), ".gz");
assert.strictEqual(path.extname("/a.b/c"), "");
assert.strictEqual(path.extname(".bashrc"), "");
assert.strictEqual(path.extname("file."), ".");

var existing = null, missing = null;
path.exists(__filename, function (yes) { existing = yes; });
path.exists(__dirname + "/no/such/file", function (yes) { missing = yes; });
process.addListener("exit", function () {
  assert.strictEqual(existing, true);
  assert.strictEqual(missing, false);
});
