// Beyond the manual: the Sync variants (blocking, return or throw), lstat,
// chmod, symlink/readlink, truncate and the "r"/"w"/"a" flag strings.
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var dir = scratch.path("sync"), file = dir + "/f", link = dir + "/link";
var asyncDone = 0;

function throwsCode(code, path, fn) {
  var error = null;
  try { fn(); } catch (e) { error = e; }
  assert.ok(error instanceof Error, "throws an Error for " + code);
  assert.equal(code, error.code);
  assert.equal(path, error.path);
  assert.equal("number", typeof error.errno);
}

// Sync calls return their result directly.
assert.equal(undefined, posix.mkdirSync(dir, 0755));
throwsCode("EEXIST", dir, function () { posix.mkdirSync(dir, 0755); });

var fd = posix.openSync(file, "w");
assert.equal("number", typeof fd);
assert.equal(5, posix.writeSync(fd, "hello", null, "utf8"));
assert.equal(6, posix.writeSync(fd, " world", null));
posix.closeSync(fd);
throwsCode("EBADF", undefined, function () { posix.closeSync(fd); });

fd = posix.openSync(file, "a");
posix.writeSync(fd, "!", null);
posix.closeSync(fd);
assert.equal("hello world!", posix.catSync(file));
assert.equal("hello world!", posix.catSync(file, "binary"));

fd = posix.openSync(file, "r");
assert.deepEqual(["world", 5], posix.readSync(fd, 5, 6, "utf8"));
assert.deepEqual(["hello", 5], posix.readSync(fd, 5, null));
assert.deepEqual(["", 0], posix.readSync(fd, 5, 100));
posix.closeSync(fd);
throwsCode("ENOENT", dir + "/none", function () { posix.openSync(dir + "/none", "r"); });
throwsCode("ENOENT", dir + "/none", function () { posix.catSync(dir + "/none"); });

var stats = posix.statSync(file);
assert.ok(stats instanceof posix.Stats && stats.isFile());
assert.equal(12, stats.size);
assert.ok(stats.mtime instanceof Date);
throwsCode("ENOENT", dir + "/none", function () { posix.statSync(dir + "/none"); });
assert.deepEqual(["f"], posix.readdirSync(dir));

// symlink, readlink, lstat
posix.symlinkSync("f", link);
assert.equal("f", posix.readlinkSync(link));
assert.ok(posix.lstatSync(link).isSymbolicLink());
assert.ok(!posix.statSync(link).isSymbolicLink());
assert.ok(posix.statSync(link).isFile());
throwsCode("EEXIST", link, function () { posix.symlinkSync("f", link); });
throwsCode("EINVAL", file, function () { posix.readlinkSync(file); });

// chmod, truncate (a path, or an open fd as node v0.1 took it)
posix.chmodSync(file, 0600);
assert.equal(0600, posix.statSync(file).mode & 0777);
posix.truncateSync(file, 5);
assert.equal("hello", posix.catSync(file));
fd = posix.openSync(file, "r+");
posix.truncateSync(fd, 2);
posix.closeSync(fd);
assert.equal("he", posix.catSync(file));
throwsCode("ENOENT", dir + "/none", function () { posix.chmodSync(dir + "/none", 0600); });

// renameSync, unlinkSync, rmdirSync
posix.renameSync(file, dir + "/g");
assert.deepEqual(["g", "link"], posix.readdirSync(dir).sort());
throwsCode("ENOTEMPTY", dir, function () { posix.rmdirSync(dir); });

// The promise forms of the calls beyond the manual.
posix.chmod(dir + "/g", 0640).addCallback(function () {
  assert.equal(0640, posix.statSync(dir + "/g").mode & 0777);
  posix.truncate(dir + "/g", 1).addCallback(function () {
    assert.equal("h", posix.catSync(dir + "/g"));
    posix.readlink(link).addCallback(function (target) {
      assert.equal("f", target);
      posix.lstat(link).addCallback(function (s) {
        assert.ok(s.isSymbolicLink());
        posix.symlink("g", dir + "/link2").addCallback(function () {
          assert.equal("h", posix.catSync(dir + "/link2"));
          posix.readlink(dir + "/g").addErrback(function (e) {
            assert.equal("EINVAL", e.code);
            asyncDone++;
            ["g", "link", "link2"].forEach(function (n) { posix.unlinkSync(dir + "/" + n); });
            posix.rmdirSync(dir);
            throwsCode("ENOENT", dir, function () { posix.rmdirSync(dir); });
          });
        });
      });
    });
  });
});

process.addListener("exit", function () {
  assert.equal(1, asyncDone);
});
