// process.stdio: stdout never blocks the event loop; stderr is synchronous.
var binding = process.binding("stdio");
var stdio = module.exports = new process.EventEmitter();

stdio.write = function (data, encoding) {
  binding.write(String(data), encoding === undefined ? "utf8" : encoding);
};

stdio.writeError = function (data) {
  binding.writeError(String(data));
};

// stdin: open(encoding="utf8") starts reading; "data" (string) per chunk read,
// "close" at end of input. The program stays alive while stdin is open, until
// stdio.close() or "close". close() only stops reading (fd 0 stays open, so a
// later open() reads on) and emits nothing.
stdio.open = function (encoding) {
  binding.openStdin(
    encoding === undefined ? "utf8" : encoding,
    function (data) { stdio.emit("data", data); },
    function () { stdio.emit("close"); }
  );
};

stdio.close = function () {
  binding.closeStdin();
};
