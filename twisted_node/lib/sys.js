// The "sys" module: output, inspection, inheritance.
var stdio = process.binding("stdio");

exports.print = function (s) { stdio.write(String(s), "utf8"); };
exports.puts = function (s) { stdio.write(String(s) + "\n", "utf8"); };
// Synchronous: out before this returns, after everything printed earlier
// (on the console as "DEBUG: " + s; in a host application's log, a debug event).
exports.debug = function (s) { stdio.debug("" + s); };
exports.error = function (s) { stdio.writeError(String(s) + "\n"); };
exports.p = function (x) { exports.puts(exports.inspect(x)); };
exports.inherits = process.inherits;
exports.exec = function (command) { return require("child_process").exec(command); };

// Node v0.1.22's layout: arrays and objects one item per line, indented one
// space per level, keys quoted as JSON, "[]" and "{}" when empty; functions
// are "[Function]", getters and setters are named, not called ("[Getter]",
// "[Setter]", "[Getter/Setter]"), a value inside itself is "[Circular]".
// Properties are those a for-in loop sees (inherited enumerable ones too),
// and an array with properties besides its items shows as an object.
// Choices beyond v0.1 (which showed {} for these, and [Circular] for any
// object met a second time): dates, regexps and errors show what they are,
// and only a real cycle is [Circular]. Never throws (host objects, hostile
// values), so it is safe in error paths.
exports.inspect = function (value) {
  var parents = [];

  function format(v, indent) {
    switch (typeof v) {
      case "string": return JSON.stringify(v);
      case "undefined": return "undefined";
      case "function": return "[Function]";
      case "object": return v === null ? "null" : formatObject(v, indent);
      default: return String(v); // number, boolean, and later bigint, symbol
    }
  }

  function formatObject(v, indent) {
    if (parents.indexOf(v) >= 0) return "[Circular]";
    if (v instanceof Date) return isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    var head = v instanceof Error ? "[" + v.name + ": " + v.message + "]" : "";
    var keys = enumerableKeys(v);
    if (head && keys.length === 0) return head;
    var isList = Array.isArray(v) && Object.keys(v).length === v.length;
    var inner = indent + " ";
    parents.push(v);
    var lines = keys.map(function (k) {
      var item = entry(v, k, inner);
      return inner + (isList ? item : JSON.stringify(k) + ": " + item);
    });
    parents.pop();
    var open = isList ? "[" : "{", close = isList ? "]" : "}";
    var body = lines.length ? open + "\n" + lines.join(",\n") + "\n" + indent + close : open + close;
    return head ? head + " " + body : body;
  }

  function entry(v, k, indent) {
    var getter = lookup("__lookupGetter__", v, k), setter = lookup("__lookupSetter__", v, k);
    if (getter) return setter ? "[Getter/Setter]" : "[Getter]";
    if (setter) return "[Setter]";
    try { return format(v[k], indent); } catch (e) { return "[Getter threw: " + e + "]"; }
  }

  function lookup(how, v, k) {
    try { return Object.prototype[how].call(v, k); } catch (e) { return undefined; }
  }

  function enumerableKeys(v) {
    var keys = [];
    try { for (var k in v) keys.push(k); } catch (e) { /* a host object that lists nothing */ }
    return keys;
  }

  try {
    return format(value, "");
  } catch (e) {
    try { return String(value); } catch (e2) { return "[uninspectable]"; }
  }
};
