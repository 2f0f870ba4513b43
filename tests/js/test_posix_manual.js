// The manual's POSIX examples: unlink with a callback, rename+stat chained,
// the same with promise.wait(), and cat.
var posix = require("posix"),
    sys = require("sys"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var dir = scratch.make("manual");
var hello = dir + "/hello", world = dir + "/world";
var seen = {};

function makeFile(path, content) {
  var fd = posix.openSync(path, process.O_CREAT | process.O_WRONLY | process.O_TRUNC, 0644);
  posix.writeSync(fd, content, null, "utf8");
  posix.closeSync(fd);
}

// JSON.stringify(stats) looks as the manual shows it: the fields in order,
// the times as "2009-06-29T11:11:55Z".
function checkStatsJSON(stats, size) {
  var json = JSON.stringify(stats);
  var parsed = JSON.parse(json);
  assert.deepEqual(["dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize",
                    "blocks", "atime", "mtime", "ctime"], Object.keys(parsed));
  assert.equal(size, parsed.size);
  ["atime", "mtime", "ctime"].forEach(function (k) {
    assert.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(parsed[k]), k + ": " + parsed[k]);
    // the same instant, to the second
    assert.equal(Math.floor(stats[k].getTime() / 1000) * 1000, Date.parse(parsed[k]));
  });
  return json;
}

// 1. Deleting a file.
makeFile(hello, "x");
var promise = posix.unlink(hello);
promise.addCallback(function () {
  sys.puts("successfully deleted " + hello);
  seen.unlink = true;

  // 2. The correct way: chain the promises.
  makeFile(hello, "hello");
  posix.rename(hello, world).addCallback(function () {
    posix.stat(world).addCallback(function (stats) {
      sys.puts("stats: " + checkStatsJSON(stats, 5));
      seen.chained = true;
      waitForm();
    });
  });
});

// 3. Or use the promise.wait() functionality.
function waitForm() {
  makeFile(hello, "hello, wait");
  posix.rename(hello, world).wait();
  var stats = posix.stat(world).wait();
  sys.puts("stats: " + checkStatsJSON(stats, 11));
  assert.ok(stats instanceof posix.Stats);

  // Several success arguments come back from wait() as an array.
  var fd = posix.open(world, process.O_RDONLY).wait();
  assert.deepEqual(["hello", 5], posix.read(fd, 5, 0, "utf8").wait());
  assert.equal(undefined, posix.close(fd).wait());

  // An error makes wait() throw it.
  var error = null;
  try {
    posix.stat(hello).wait();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, "wait() throws");
  assert.equal("ENOENT", error.code);
  assert.equal(hello, error.path);
  seen.wait = true;

  // 4. cat.
  posix.cat(world).addCallback(function (content) {
    sys.puts(content);
    assert.equal("hello, wait", content);
    seen.cat = true;
  });
}

process.addListener("exit", function () {
  assert.deepEqual({ unlink: true, chained: true, wait: true, cat: true }, seen);
});
