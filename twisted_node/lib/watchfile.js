// process.watchFile(filename, [options,] listener) and process.unwatchFile.
//
// One watcher per filename (as given), shared by every listener added for it;
// unwatchFile(filename) stops it and drops them all. The watcher is an
// EventEmitter: each change of the file emits "change" (curr, prev), two
// posix.Stats. The binding is bindings/watch.py; the work is in
// protocols/watch.py: inotify on the file's directory where available,
// polling otherwise.
//
// options: {persistent: true, interval: 0}. persistent keeps the program
// alive while watching; interval is the polling period in milliseconds (0:
// the runtime's default, see protocols/watch.py).
var binding = process.binding("watch");
var posix = require("posix");

// The binding knows a watcher by a number: ids gives the watcher of a
// filename, watching the watcher of an id (until unwatchFile). Kept off the
// StatWatcher, which the program sees.
var ids = Object.create(null);       // filename -> id
var watching = Object.create(null);  // id -> StatWatcher
var lastId = 0;

// The binding's events: (id, CHANGE, curr, prev), the stats as JSON arrays.
binding.init(internal("events").handler(function (id, code, curr, prev) {
  var watcher = watching[id];
  if (watcher && code === binding.CHANGE) {
    watcher.emit("change", posix.statsFromArray(JSON.parse(curr)),
                 posix.statsFromArray(JSON.parse(prev)));
  }
}));

function StatWatcher(filename) {
  process.EventEmitter.call(this);
  this.filename = filename;
  this._handle = null;
}
process.inherits(StatWatcher, process.EventEmitter);
exports.StatWatcher = StatWatcher;

function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "the string " + JSON.stringify(value);
  return typeof value;
}

exports.watchFile = function (filename, options, listener) {
  var caller = "watchFile(filename, [options,] listener)";
  if (typeof filename !== "string" || filename === "") {
    throw new TypeError(caller + ": filename must be a non-empty string, got " + describe(filename));
  }
  if (typeof options === "function" && listener === undefined) {
    listener = options;
    options = {};
  }
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object") {
    throw new TypeError(caller + ": options must be an object, got " + describe(options));
  }
  if (typeof listener !== "function") {
    throw new TypeError(caller + ": listener must be a function, got " + describe(listener));
  }
  var persistent = options.persistent === undefined ? true : Boolean(options.persistent);
  var interval = options.interval === undefined ? 0 : options.interval;
  if (typeof interval !== "number" || !(interval >= 0)) {
    throw new TypeError(caller + ": options.interval must be a number of milliseconds >= 0, got " +
                        describe(interval));
  }

  var watcher = filename in ids ? watching[ids[filename]] : null;
  if (!watcher) {
    var id = ++lastId;
    watcher = new StatWatcher(filename);
    watcher._handle = binding.watchFile(id, filename, persistent, interval);
    ids[filename] = id;
    watching[id] = watcher;
  }
  watcher.addListener("change", listener);
  return watcher;
};

exports.unwatchFile = function (filename) {
  filename = String(filename);
  if (!(filename in ids)) return;
  var watcher = watching[ids[filename]];
  delete watching[ids[filename]];
  delete ids[filename];
  binding.unwatchFile(watcher._handle);
  watcher._handle = null;
};
