// Child processes (process.createChildProcess, the manual's process.ChildProcess)
// and sys.exec, over process.binding("child_process") (bindings/child_process.py).
//
// The command is found on the PATH of the child's environment, like execvp;
// no shell is involved. Events:
//   "output" (data)  stdout, as strings; null once when the child closes it
//   "error"  (data)  the same for stderr
//   "exit"   (code)  after both streams ended. A child killed by a signal
//                    exits with 128 + the signal's number, as a shell says
//                    (SIGTERM: 143, SIGKILL: 137). A command that cannot be
//                    started says why on "error" and exits with 127 (not
//                    found) or 126 (not executable), like a shell.
// Output is decoded as UTF-8, as Node v0.1.22's ChildProcess did (a
// character split across two reads arrives whole), for "output", "error" and
// sys.exec alike. child.write keeps the manual's default, "ascii".
var binding = process.binding("child_process");
var OUTPUT = binding.OUTPUT, ERROR = binding.ERROR, EXIT = binding.EXIT;

// The children that can still get events, by the number the binding's
// events name them with; a child leaves at "exit", its last event.
var children = {};
var lastChild = 0;

binding.init(internal("events").handler(function (id, code, data) {
  var child = children[id];
  if (child === undefined) return;
  if (code === OUTPUT) {
    child.emit("output", data);
  } else if (code === ERROR) {
    child.emit("error", data);
  } else if (code === EXIT) {
    delete children[id];
    child.emit("exit", data);
  }
}));

function ChildProcess() {
  process.EventEmitter.call(this);
  this.pid = null;
  this._handle = null;
}
process.inherits(ChildProcess, process.EventEmitter);
exports.ChildProcess = ChildProcess;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "the string " + JSON.stringify(value);
  return typeof value;
}

// The environment as JSON text: one crossing, whatever its size. Values are
// strings in a real environment; undefined ones are left out.
function environmentJSON(env, caller) {
  if (env === undefined || env === null) env = process.ENV;
  if (typeof env !== "object" || Array.isArray(env)) {
    throw new TypeError(caller + ": env must be an object of NAME: value pairs, got " + describe(env));
  }
  var pairs = {};
  for (var name in env) {
    if (env[name] !== undefined) pairs[name] = String(env[name]);
  }
  return JSON.stringify(pairs);
}

function spawn(command, args, env, encoding) {
  var caller = "createChildProcess(command, args, env)";
  if (typeof command !== "string" || command === "") {
    throw new TypeError(caller + ": command must be a non-empty string, got " + describe(command));
  }
  if (args === undefined || args === null) args = [];
  if (!Array.isArray(args)) {
    throw new TypeError(caller + ": args must be an array of strings, got " + describe(args));
  }
  var argv = [];
  for (var i = 0; i < args.length; i++) argv.push(String(args[i]));

  var child = new ChildProcess();
  var id = ++lastChild;
  children[id] = child;
  try {
    child._handle = binding.spawn(id, command, JSON.stringify(argv), environmentJSON(env, caller), encoding);
  } catch (e) {
    delete children[id];
    throw e;
  }
  child.pid = binding.pid(child._handle);
  return child;
}

exports.createChildProcess = function (command, args, env) {
  return spawn(command, args, env, "utf8");
};

// Queued in order and never blocks. Returns false when the child no longer
// reads its stdin (it ended); writing after child.close() throws.
ChildProcess.prototype.write = function (data, encoding) {
  return binding.write(this._handle, String(data), encoding === undefined ? "ascii" : encoding);
};

// Closes the child's stdin: it sees end of input once what was written is read.
ChildProcess.prototype.close = function () {
  binding.close(this._handle);
};

// signal: a name ("SIGTERM", "SIGKILL", "SIGUSR1" ...) or a number. Returns
// false when the child had already ended.
ChildProcess.prototype.kill = function (signal) {
  return binding.kill(this._handle, signal === undefined ? "SIGTERM" : signal);
};

// sys.exec(command): through /bin/sh, output buffered. The promise succeeds
// with (stdout, stderr) on exit status 0 and fails with (code, stdout,
// stderr) otherwise. Buffering happens in Python: one crossing at the end.
exports.exec = function (command) {
  if (typeof command !== "string") {
    throw new TypeError("exec(command): command must be a string, got " + describe(command));
  }
  return binding.exec(command, environmentJSON(process.ENV, "exec(command)"));
};
