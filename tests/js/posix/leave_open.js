// Opens files and ends without closing them (run inside a host process by
// tests/test_posix_js.py, which checks that none stays open there).
var posix = require("posix");

var dir = process.argv[2];
posix.openSync(dir + "/sync", "w");
posix.open(dir + "/async", "w").addCallback(function (fd) {
  posix.write(fd, "left open", null).addCallback(function () {
    posix.open(dir + "/async2", "w");
  });
});
