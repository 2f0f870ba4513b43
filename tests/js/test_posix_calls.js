// Every documented posix call, in callback form, with its success and its
// common errors (code, errno, path on the Error).
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var dir = scratch.path("calls");
var file = dir + "/a", moved = dir + "/b", missing = dir + "/missing";
var steps = [], passed = [];

function step(name, body) { steps.push({ name: name, body: body }); }

function next() {
  var s = steps.shift();
  if (s) s.body(function () { passed.push(s.name); next(); });
}

// The promise succeeds; check(args...) sees the success arguments.
function succeeds(promise, done, check) {
  promise.addErrback(function (e) { throw e; });
  promise.addCallback(function () {
    if (check) check.apply(null, arguments);
    done();
  });
}

// The promise fails with an Error carrying that code, a numeric errno, and
// (for calls about a path) that path.
function fails(promise, code, path, done) {
  promise.addCallback(function () { assert.ok(false, "expected " + code); });
  promise.addErrback(function (e) {
    assert.ok(e instanceof Error, "an Error");
    assert.equal(code, e.code);
    assert.equal("number", typeof e.errno);
    assert.ok(e.errno > 0);
    assert.equal(path, e.path);
    assert.ok(e.message.indexOf(code) >= 0, e.message);
    done();
  });
}

step("mkdir", function (done) {
  succeeds(posix.mkdir(dir, 0755), done, function () {
    assert.equal(0, arguments.length, "mkdir: no success arguments");
  });
});
step("mkdir EEXIST", function (done) { fails(posix.mkdir(dir, 0755), "EEXIST", dir, done); });
step("mkdir ENOENT", function (done) {
  fails(posix.mkdir(missing + "/sub", 0755), "ENOENT", missing + "/sub", done);
});

var fd;
step("open to write", function (done) {
  var flags = process.O_CREAT | process.O_WRONLY | process.O_TRUNC;
  succeeds(posix.open(file, flags, 0644), done, function (n) {
    assert.equal("number", typeof n);
    fd = n;
  });
});
step("open ENOENT", function (done) {
  fails(posix.open(missing, process.O_RDONLY, 0), "ENOENT", missing, done);
});
step("open EEXIST", function (done) {
  fails(posix.open(file, process.O_CREAT | process.O_EXCL | process.O_WRONLY, 0644),
        "EEXIST", file, done);
});
step("open EISDIR", function (done) {
  fails(posix.open(dir, process.O_WRONLY, 0), "EISDIR", dir, done);
});
step("write at the current position", function (done) {
  succeeds(posix.write(fd, "hello world", null, "utf8"), done, function (written) {
    assert.equal(11, written);
  });
});
step("write at a position", function (done) {
  succeeds(posix.write(fd, "J", 0), done, function (written) { assert.equal(1, written); });
});
step("write after a positioned write continues where the file position is", function (done) {
  succeeds(posix.write(fd, "!", null), done, function (written) { assert.equal(1, written); });
});
step("read EBADF on a write-only fd", function (done) {
  fails(posix.read(fd, 10, 0), "EBADF", undefined, done);
});
step("close", function (done) {
  succeeds(posix.close(fd), done, function () { assert.equal(0, arguments.length); });
});
step("close EBADF", function (done) { fails(posix.close(fd), "EBADF", undefined, done); });
step("write EBADF", function (done) { fails(posix.write(fd, "x", null), "EBADF", undefined, done); });

step("read at a position and at the current one", function (done) {
  posix.open(file, process.O_RDONLY).addCallback(function (rfd) {
    posix.read(rfd, 5, 0, "utf8").addCallback(function (data, bytesRead) {
      assert.equal("Jello", data);
      assert.equal(5, bytesRead);
      // pread left the current position at 0
      posix.read(rfd, 100, null).addCallback(function (data, bytesRead) {
        assert.equal("Jello world!", data);
        assert.equal(12, bytesRead);
        posix.read(rfd, 100, null).addCallback(function (data, bytesRead) {
          assert.equal("", data, "0 bytes at the end of the file");
          assert.equal(0, bytesRead);
          succeeds(posix.close(rfd), done);
        });
      });
    });
  });
});

step("stat a file", function (done) {
  succeeds(posix.stat(file), done, function (stats) {
    assert.ok(stats instanceof posix.Stats);
    assert.ok(stats.isFile());
    assert.ok(!stats.isDirectory());
    assert.ok(!stats.isSymbolicLink() && !stats.isFIFO() && !stats.isSocket());
    assert.ok(!stats.isBlockDevice() && !stats.isCharacterDevice());
    assert.equal(12, stats.size);
    assert.equal(1, stats.nlink);
    assert.equal(0644, stats.mode & 0777);
    ["dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks"]
      .forEach(function (k) { assert.equal("number", typeof stats[k], k); });
    ["atime", "mtime", "ctime"].forEach(function (k) {
      assert.ok(stats[k] instanceof Date, k);
      // written a moment ago
      assert.ok(Math.abs(new Date() - stats[k]) < 3600 * 1000, k + " " + stats[k]);
    });
  });
});
step("stat a directory", function (done) {
  succeeds(posix.stat(dir), done, function (stats) {
    assert.ok(stats.isDirectory());
    assert.ok(!stats.isFile());
  });
});
step("stat a character device", function (done) {
  succeeds(posix.stat("/dev/null"), done, function (stats) {
    assert.ok(stats.isCharacterDevice());
    assert.ok(!stats.isFile());
  });
});
step("stat ENOENT", function (done) { fails(posix.stat(missing), "ENOENT", missing, done); });
step("stat ENOTDIR", function (done) { fails(posix.stat(file + "/x"), "ENOTDIR", file + "/x", done); });

step("readdir", function (done) {
  succeeds(posix.readdir(dir), done, function (names) {
    assert.ok(Array.isArray(names), "an array");
    assert.deepEqual(["a"], names);
  });
});
step("readdir ENOENT", function (done) { fails(posix.readdir(missing), "ENOENT", missing, done); });
step("readdir ENOTDIR", function (done) { fails(posix.readdir(file), "ENOTDIR", file, done); });

step("cat", function (done) {
  succeeds(posix.cat(file), done, function (content) { assert.equal("Jello world!", content); });
});
step("cat ENOENT", function (done) { fails(posix.cat(missing), "ENOENT", missing, done); });
step("cat EISDIR", function (done) { fails(posix.cat(dir), "EISDIR", dir, done); });

step("rename", function (done) {
  succeeds(posix.rename(file, moved), done, function () { assert.equal(0, arguments.length); });
});
step("rename ENOENT", function (done) { fails(posix.rename(file, moved), "ENOENT", file, done); });
step("readdir after rename", function (done) {
  succeeds(posix.readdir(dir), done, function (names) { assert.deepEqual(["b"], names); });
});

step("rmdir ENOTEMPTY", function (done) { fails(posix.rmdir(dir), "ENOTEMPTY", dir, done); });
step("rmdir ENOTDIR", function (done) { fails(posix.rmdir(moved), "ENOTDIR", moved, done); });
step("unlink", function (done) {
  succeeds(posix.unlink(moved), done, function () { assert.equal(0, arguments.length); });
});
step("unlink ENOENT", function (done) { fails(posix.unlink(moved), "ENOENT", moved, done); });
step("unlink EISDIR", function (done) { fails(posix.unlink(dir), "EISDIR", dir, done); });
step("rmdir", function (done) {
  succeeds(posix.rmdir(dir), done, function () { assert.equal(0, arguments.length); });
});
step("rmdir ENOENT", function (done) { fails(posix.rmdir(dir), "ENOENT", dir, done); });

var expected = steps.length;
next();

process.addListener("exit", function () {
  assert.equal(expected, passed.length, "steps passed: " + passed.join(", "));
});
