// require("posix"): file I/O as in the manual's POSIX section.
//
// Every call checks its arguments here (a wrong type throws at once, naming
// the argument), then hands plain values to process.binding("posix"), which
// runs the system call on Twisted's thread pool and returns a process.Promise
// (it keeps the program alive until it fires). NAMESync variants run the same
// call in place and return its result or throw. The binding is
// bindings/posix.py, the calls themselves protocols/posix.py.
var binding = process.binding("posix");
var text = internal("text");
var constants = binding.constants;

// The manual puts the open(2) flags on process (process.O_CREAT ...).
for (var name in constants) {
  if (name.charAt(0) === "O" && !(name in process)) process[name] = constants[name];
}

// ---- posix.Stats -----------------------------------------------------------

var S_IFMT = constants.S_IFMT;

function Stats() {}
exports.Stats = Stats;

function fileTypeIs(bits) {
  return function () { return (this.mode & S_IFMT) === bits; };
}
Stats.prototype.isFile = fileTypeIs(constants.S_IFREG);
Stats.prototype.isDirectory = fileTypeIs(constants.S_IFDIR);
Stats.prototype.isBlockDevice = fileTypeIs(constants.S_IFBLK);
Stats.prototype.isCharacterDevice = fileTypeIs(constants.S_IFCHR);
Stats.prototype.isSymbolicLink = fileTypeIs(constants.S_IFLNK);
Stats.prototype.isFIFO = fileTypeIs(constants.S_IFIFO);
Stats.prototype.isSocket = fileTypeIs(constants.S_IFSOCK);

// The times of a Stats are real Dates whose JSON is the manual's
// "2009-06-29T11:11:55Z" (whole seconds, no milliseconds).
function StatsDate() {}
StatsDate.prototype = Object.create(Date.prototype);
StatsDate.prototype.constructor = Date;
StatsDate.prototype.toJSON = function () {
  return isNaN(this.getTime()) ? null : this.toISOString().replace(/\.\d+Z$/, "Z");
};

function statsDate(ms) {
  var d = new Date(ms);
  Object.setPrototypeOf(d, StatsDate.prototype);
  return d;
}

// [dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks,
//  atime, mtime, ctime] (times in milliseconds since the epoch) -> Stats.
// This is the shape the binding gives; process.watchFile uses it too.
function statsFromArray(values) {
  var s = new Stats();
  s.dev = values[0];
  s.ino = values[1];
  s.mode = values[2];
  s.nlink = values[3];
  s.uid = values[4];
  s.gid = values[5];
  s.rdev = values[6];
  s.size = values[7];
  s.blksize = values[8];
  s.blocks = values[9];
  s.atime = statsDate(values[10]);
  s.mtime = statsDate(values[11]);
  s.ctime = statsDate(values[12]);
  return s;
}
exports.statsFromArray = statsFromArray;

// ---- argument checking -----------------------------------------------------

function describe(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "the string " + JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return typeof value + " " + String(value);
}

function fail(Ctor, call, arg, expected, value) {
  throw new Ctor("posix." + call + ": " + arg + " must be " + expected +
                 ", got " + describe(value));
}

function isWhole(value) {
  return typeof value === "number" && isFinite(value) && value % 1 === 0;
}

// Each checker takes (value, call name, argument name, all arguments) and
// returns the value to pass on (a default for an omitted optional argument).
function path(value, call, arg) {
  if (typeof value !== "string") fail(TypeError, call, arg, "a string (a file path)", value);
  return value;
}

// A whole number from 0 to `max` (the C type the system call takes).
function wholeUpTo(max) {
  return function (value, call, arg) {
    if (!isWhole(value)) fail(TypeError, call, arg, "a whole number", value);
    if (value < 0 || value > max) fail(RangeError, call, arg, "from 0 to " + max, value);
    return value;
  };
}

var count = wholeUpTo(9007199254740991),  // lengths and positions
    fd = wholeUpTo(2147483647),           // int
    mode = wholeUpTo(4294967295);         // mode_t

function optional(check, fallback) {
  return function (value, call, arg) {
    return value === undefined || value === null ? fallback : check(value, call, arg);
  };
}

function encoding(value, call, arg) {
  if (value !== undefined && value !== null && typeof value !== "string") {
    fail(TypeError, call, arg, 'a string ("utf8", "ascii" or "binary")', value);
  }
  return value; // the binding knows the names and throws for an unknown one
}

// Bytes given as an array travel as a "binary" string, whatever was asked.
function writeEncoding(value, call, arg, args) {
  return Array.isArray(args[1]) ? "binary" : encoding(value, call, arg);
}

var OPEN_FLAGS = {
  "r": constants.O_RDONLY,
  "r+": constants.O_RDWR,
  "w": constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY,
  "w+": constants.O_CREAT | constants.O_TRUNC | constants.O_RDWR,
  "a": constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY,
  "a+": constants.O_APPEND | constants.O_CREAT | constants.O_RDWR
};

function flags(value, call, arg) {
  if (typeof value === "string" && OPEN_FLAGS.hasOwnProperty(value)) return OPEN_FLAGS[value];
  if (!isWhole(value) || value < 0 || value > 2147483647) {
    fail(TypeError, call, arg, 'a number (process.O_* flags or\'d together) or ' +
         'one of "r", "r+", "w", "w+", "a", "a+"', value);
  }
  return value;
}

function pathOrFd(value, call, arg) {
  if (typeof value === "string") return value;
  if (typeof value !== "number") fail(TypeError, call, arg, "a string (a file path) or an fd", value);
  return fd(value, call, arg);
}

// write() data: a string, or an array of byte values (sent as "binary").
function data(value, call, arg) {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return byteValues(value, call, arg);
  return fail(TypeError, call, arg, "a string or an array of byte values", value);
}

// Stricter than text.bytesToBinary, which keeps the low 8 bits of any
// number: each value must be a byte, and the error names the one that is not.
function byteValues(bytes, call, arg) {
  for (var i = 0; i < bytes.length; i++) {
    var b = bytes[i];
    if (!isWhole(b) || b < 0 || b > 255) {
      fail(TypeError, call, arg + "[" + i + "]", "a byte value (0-255)", b);
    }
  }
  return text.bytesToBinary(bytes, "posix." + call);
}

// ---- the calls ---------------------------------------------------------------

// A process.Promise that gives convert(result of `inner`) and forwards errors.
function converted(inner, convert) {
  var promise = new process.Promise();
  inner.addCallback(function (value) { promise.emitSuccess(convert(value)); });
  inner.addErrback(function () { promise.emitError.apply(promise, arguments); });
  return promise;
}

// Defines posix.NAME (a promise) and posix.NAMESync (blocking) from the
// argument list [[argument name, checker], ...]; `convert` shapes the result.
function define(name, params, convert) {
  var inThread = binding[name], inPlace = binding[name + "Sync"];

  function checked(call, args) {
    var out = new Array(params.length);
    for (var i = 0; i < params.length; i++) {
      out[i] = params[i][1](args[i], call, params[i][0], args);
    }
    return out;
  }

  exports[name] = function () {
    var promise = inThread.apply(null, checked(name, arguments));
    return convert ? converted(promise, convert) : promise;
  };
  exports[name + "Sync"] = function () {
    var result = inPlace.apply(null, checked(name + "Sync", arguments));
    return convert ? convert(result) : result;
  };
}

define("rename", [["path1", path], ["path2", path]]);
define("stat", [["path", path]], statsFromArray);
define("lstat", [["path", path]], statsFromArray);
define("unlink", [["path", path]]);
define("rmdir", [["path", path]]);
define("mkdir", [["path", path], ["mode", optional(mode, 511 /* 0777 */)]]);
define("readdir", [["path", path]]);
define("open", [["path", path], ["flags", flags], ["mode", optional(mode, 438 /* 0666 */)]]);
define("close", [["fd", fd]]);
define("write", [["fd", fd], ["data", data], ["position", optional(count, null)],
                 ["encoding", writeEncoding]]);
define("read", [["fd", fd], ["length", count], ["position", optional(count, null)],
                ["encoding", encoding]]);
define("cat", [["filename", path], ["encoding", encoding]]);
define("chmod", [["path", path], ["mode", mode]]);
define("symlink", [["target", path], ["path", path]]);
define("readlink", [["path", path]]);
define("truncate", [["path or fd", pathOrFd], ["length", optional(count, 0)]]);
