// process.stdio: stdout never blocks the event loop; stderr is synchronous.
// The binding is bindings/stdio.py.
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
//
// stdin is the binding's one object (id 0), so the id is not looked at.
binding.init(internal("events").handler(function (id, code, data) {
  if (code === binding.DATA) stdio.emit("data", data);
  else if (code === binding.CLOSE) stdio.emit("close");
}));

stdio.open = function (encoding) {
  binding.openStdin(encoding === undefined ? "utf8" : encoding);
};

stdio.close = function () {
  binding.closeStdin();
};
