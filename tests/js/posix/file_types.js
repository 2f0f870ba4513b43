// posix.Stats type checks on one file of each kind, given as arguments by
// tests/test_posix_js.py: KIND=PATH ..., where KIND names the one method
// that must be true for PATH (every other one false), e.g. isFIFO=/tmp/x.
var posix = require("posix");
var assert = require("assert");

var METHODS = ["isFile", "isDirectory", "isBlockDevice", "isCharacterDevice",
               "isSymbolicLink", "isFIFO", "isSocket"];
var checked = 0;

process.ARGV.slice(2).forEach(function (arg) {
  var kind = arg.slice(0, arg.indexOf("=")), path = arg.slice(arg.indexOf("=") + 1);
  assert.ok(METHODS.indexOf(kind) >= 0, "unknown kind " + kind);
  posix.stat(path).addCallback(function (stats) {
    var trueOnes = METHODS.filter(function (m) { return stats[m](); });
    assert.deepEqual(trueOnes, [kind], path + " (mode 0" + stats.mode.toString(8) + ")");
    checked++;
  });
});

process.addListener("exit", function () {
  assert.strictEqual(checked, process.ARGV.length - 2);
});
