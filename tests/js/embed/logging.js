// Every kind of output a program makes, then an exception nobody catches
// (tests/test_logging.py).
var sys = require("sys");
sys.puts("out line");
sys.print("piece ");
sys.print("joined\n");
sys.debug("dbg");
process.stdio.writeError("err line\n");
sys.error("sys error {not a format}");
process.stdio.write("binary \u00c3\u00a9\n", "binary"); // the UTF-8 bytes of "é"
setTimeout(function () {
  throw new Error("uncaught boom");
}, 0);
