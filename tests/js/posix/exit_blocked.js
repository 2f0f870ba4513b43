// process.exit() while a read waits on a pipe that nobody writes to (the
// FIFO given as argument): the program still ends, with its status.
var posix = require("posix"),
    sys = require("sys");

var fd = posix.openSync(process.argv[2], process.O_RDWR);
posix.read(fd, 10, null).addCallback(function (data) { sys.puts("read " + data); });
posix.write(fd, "", null).addCallback(function () {
  // the pipe works, and the read above is still waiting: end now
  setTimeout(function () { process.exit(4); }, 50);
});
