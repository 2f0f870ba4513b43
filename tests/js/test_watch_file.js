// process.watchFile sees an append and a rewrite (a new file renamed over the
// old one), gives (curr, prev) as posix.Stats, and stops after unwatchFile:
// the program then ends, since nothing else holds it.
var assert = require("assert");
var sys = require("sys");
var posix = require("posix");

var file = "/tmp/twisted_node_watch_" + process.pid + ".txt";
var changes = [];
var step = 0;
var afterUnwatch = 0;

sys.exec("printf 'first\\n' > " + file).wait();

function listener(curr, prev) {
  if (step === 3) { afterUnwatch++; return; }
  changes.push([curr, prev]);
  if (step === 1) {
    step = 2;
    // rewrite: a new inode renamed over the old name, as editors save
    sys.exec("printf 'rewritten!\\n' > " + file + ".new && mv " + file + ".new " + file);
  } else if (step === 2) {
    step = 3;
    process.unwatchFile(file);
    process.unwatchFile(file);  // harmless twice
    // this change must go unnoticed; the exec keeps us alive long enough
    sys.exec("printf more >> " + file + "; sleep 0.7; rm -f " + file);
  }
}

var watcher = process.watchFile(file, listener);
assert.ok(watcher instanceof process.EventEmitter);
step = 1;
sys.exec("printf 'second line\\n' >> " + file);

assert.throws(function () { process.watchFile(file); }, /listener must be a function/);
assert.throws(function () { process.watchFile(42, listener); }, /filename/);
assert.throws(function () { process.watchFile(file, { interval: "fast" }, listener); }, /interval/);

process.addListener("exit", function () {
  assert.equal(changes.length, 2);
  var append = changes[0], rewrite = changes[1];
  assert.ok(append[0] instanceof posix.Stats);
  assert.ok(append[1] instanceof posix.Stats);
  assert.equal(append[1].size, 6);
  assert.equal(append[0].size, 18);
  assert.equal(append[0].ino, append[1].ino);
  assert.ok(append[0].isFile());
  assert.ok(append[0].mtime instanceof Date);
  assert.ok(append[0].mtime.getTime() >= append[1].mtime.getTime());
  assert.equal(rewrite[0].size, 11);
  assert.notEqual(rewrite[0].ino, rewrite[1].ino);
  assert.equal(rewrite[1].size, 18);
  assert.equal(afterUnwatch, 0);
});
