// A directory tree (3 levels, 3 directories and 2 files in each) created and
// removed again with the asynchronous calls, many of them in flight at once.
var posix = require("posix"),
    assert = require("assert"),
    scratch = require("./posix/scratch");

var root = scratch.path("tree");
var DEPTH = 3, FANOUT = 3, FILES = 2;
var created = { dirs: 0, files: 0 }, removed = { dirs: 0, files: 0 };
var finished = false;

// Calls done() once, after n calls of the function it returns.
function countdown(n, done) {
  if (n === 0) done();
  return function () { if (--n === 0) done(); };
}

function fail(e) { throw e; }

function build(path, depth, done) {
  posix.mkdir(path, 0755).addErrback(fail).addCallback(function () {
    created.dirs++;
    var children = depth < DEPTH ? FANOUT : 0;
    var one = countdown(children + FILES, done);
    for (var f = 0; f < FILES; f++) {
      (function (file) {
        posix.open(file, process.O_CREAT | process.O_WRONLY, 0644).addErrback(fail)
          .addCallback(function (fd) {
            posix.write(fd, file, null).addCallback(function () {
              posix.close(fd).addCallback(function () { created.files++; one(); });
            });
          });
      })(path + "/file" + f);
    }
    for (var c = 0; c < children; c++) build(path + "/dir" + c, depth + 1, one);
  });
}

// Counts what is under path, checking every file's content on the way.
function survey(path, done) {
  var found = { dirs: 1, files: 0 };
  posix.readdir(path).addErrback(fail).addCallback(function (names) {
    var one = countdown(names.length, function () { done(found); });
    names.forEach(function (name) {
      var child = path + "/" + name;
      posix.stat(child).addErrback(fail).addCallback(function (stats) {
        if (stats.isDirectory()) {
          survey(child, function (sub) { found.dirs += sub.dirs; found.files += sub.files; one(); });
        } else {
          posix.cat(child).addCallback(function (content) {
            assert.equal(child, content);
            found.files++;
            one();
          });
        }
      });
    });
  });
}

function remove(path, done) {
  posix.stat(path).addErrback(fail).addCallback(function (stats) {
    if (!stats.isDirectory()) {
      posix.unlink(path).addErrback(fail).addCallback(function () { removed.files++; done(); });
      return;
    }
    posix.readdir(path).addCallback(function (names) {
      var one = countdown(names.length, function () {
        posix.rmdir(path).addErrback(fail).addCallback(function () { removed.dirs++; done(); });
      });
      names.forEach(function (name) { remove(path + "/" + name, one); });
    });
  });
}

// 1 + 3 + 9 + 27 directories, 2 files in each
var DIRS = 40, ALL_FILES = 80;

build(root, 0, function () {
  assert.deepEqual({ dirs: DIRS, files: ALL_FILES }, created);
  survey(root, function (found) {
    assert.deepEqual({ dirs: DIRS, files: ALL_FILES }, found);
    remove(root, function () {
      posix.stat(root).addErrback(function (e) {
        assert.equal("ENOENT", e.code);
        finished = true;
      });
    });
  });
});

process.addListener("exit", function () {
  assert.deepEqual({ dirs: DIRS, files: ALL_FILES }, removed);
  assert.ok(finished, "the tree is gone");
});
