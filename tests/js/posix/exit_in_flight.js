// process.exit() while file operations are still on the thread pool: the
// program ends at once with that status, and no callback runs afterwards.
var posix = require("posix"),
    sys = require("sys");

var dir = process.argv[2];
for (var i = 0; i < 50; i++) {
  posix.open(dir + "/f" + i, process.O_CREAT | process.O_WRONLY, 0644).addCallback(function () {
    sys.puts("callback after exit");
  });
  posix.stat(dir).addCallback(function () { sys.puts("callback after exit"); });
}
process.addListener("exit", function (code) { sys.puts("exit " + code); });
process.exit(3);
