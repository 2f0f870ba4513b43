// Scratch directories for the posix test programs: a unique path under /tmp
// per program and tag, removed with everything in it when the program exits
// (whether its assertions passed or not). Uses the Sync calls, which the
// exit listener needs (nothing asynchronous runs after "exit").
var posix = require("posix");

function removeTree(path) {
  var stats;
  try {
    stats = posix.lstatSync(path);
  } catch (e) {
    if (e.code === "ENOENT") return;
    throw e;
  }
  if (stats.isDirectory()) {
    posix.readdirSync(path).forEach(function (name) { removeTree(path + "/" + name); });
    posix.rmdirSync(path);
  } else {
    posix.unlinkSync(path);
  }
}
exports.removeTree = removeTree;

// The path of a scratch directory (not created), removed at exit.
exports.path = function (tag) {
  var dir = "/tmp/twisted_node_posix_" + process.pid + "_" + tag;
  removeTree(dir); // a leftover of an earlier run with the same pid
  process.addListener("exit", function () { removeTree(dir); });
  return dir;
};

// The same, created (mode 0700).
exports.make = function (tag) {
  var dir = exports.path(tag);
  posix.mkdirSync(dir, 0700);
  return dir;
};
