// watchFile options: persistent: false does not keep the program alive; an
// interval is accepted; creation and deletion are changes (a missing file has
// a stat of zeros); several listeners share one watcher.
var assert = require("assert");
var sys = require("sys");

var file = "/tmp/twisted_node_watch_opts_" + process.pid + ".txt";
var seen = [], secondListener = 0;

// Not persistent: were it holding the program, "exit" would never come.
process.watchFile("/tmp/twisted_node_never_" + process.pid, { persistent: false }, function () {});

var w1 = process.watchFile(file, { interval: 50 }, function (curr, prev) {
  seen.push([prev.nlink, curr.nlink, curr.size]);
  if (seen.length === 1) {
    sys.exec("rm " + file);
  } else {
    process.unwatchFile(file);
  }
});
var w2 = process.watchFile(file, function () { secondListener++; });
assert.ok(w1 === w2, "one watcher per file name");

// created whole (renamed into place), so that no empty file is ever seen
sys.exec("printf abc > " + file + ".tmp && mv " + file + ".tmp " + file);

process.addListener("exit", function () {
  assert.deepEqual(seen, [[0, 1, 3], [1, 0, 0]]);
  assert.equal(secondListener, 2);
});
