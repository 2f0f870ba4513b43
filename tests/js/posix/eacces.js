// EACCES, which only a user without the power to override file permissions
// sees: run by tests/test_posix_js.py as such a user, with a scratch
// directory path as its argument.
var posix = require("posix"),
    assert = require("assert");

var dir = process.argv[2];
var secret = dir + "/secret", locked = dir + "/locked", readOnly = dir + "/readonly";
var seen = [];

posix.mkdirSync(dir, 0755);
posix.mkdirSync(locked, 0);
posix.mkdirSync(readOnly, 0555);
posix.closeSync(posix.openSync(secret, process.O_CREAT | process.O_WRONLY, 0));

function eacces(name, path, promise) {
  promise.addCallback(function () { assert.ok(false, name + " should fail with EACCES"); });
  promise.addErrback(function (e) {
    assert.equal("EACCES", e.code, name + ": " + e.message);
    assert.equal(path, e.path, name);
    assert.equal("number", typeof e.errno);
    seen.push(name);
  });
}

eacces("open", secret, posix.open(secret, process.O_RDONLY));
eacces("cat", secret, posix.cat(secret));
eacces("readdir", locked, posix.readdir(locked));
eacces("stat", locked + "/x", posix.stat(locked + "/x"));
eacces("mkdir", readOnly + "/sub", posix.mkdir(readOnly + "/sub", 0755));
eacces("rename", secret, posix.rename(secret, readOnly + "/moved"));

process.addListener("exit", function () {
  assert.equal(6, seen.length, "EACCES seen for: " + seen.join(", "));
});
