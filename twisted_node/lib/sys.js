// The "sys" module: output, inspection, inheritance.
var stdio = process.binding("stdio");

exports.print = function (s) { stdio.write(String(s), "utf8"); };
exports.puts = function (s) { stdio.write(String(s) + "\n", "utf8"); };
// Synchronous: out before this returns, after everything printed earlier.
exports.debug = function (s) { stdio.writeSync("DEBUG: " + s + "\n"); };
exports.error = function (s) { stdio.writeError(String(s) + "\n"); };
exports.p = function (x) { exports.puts(exports.inspect(x)); };
exports.inherits = process.inherits;
exports.exec = function (command) { return require("child_process").exec(command); };

// A readable rendering of any value; never throws (cycles, getters that throw,
// host objects), so it is safe in error paths.
exports.inspect = function (value) {
  var seen = [];

  function str(s) { return JSON.stringify(s); }

  function key(k) { return /^[A-Za-z_$][\w$]*$/.test(k) ? k : str(k); }

  function format(v, depth) {
    switch (typeof v) {
      case "undefined": return "undefined";
      case "string": return str(v);
      case "number": case "boolean": case "bigint": return String(v);
      case "symbol": return v.toString();
      case "function":
        var fnKeys = safeKeys(v);
        var head = "[Function" + (v.name ? ": " + v.name : "") + "]";
        if (fnKeys.length === 0) return head;
        return formatObject(v, fnKeys, depth, head + " {", "}");
    }
    if (v === null) return "null";
    if (seen.indexOf(v) >= 0) return "[Circular]";
    if (v instanceof Date) return isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (v instanceof Error) {
      var errKeys = safeKeys(v);
      var text = "[" + (v.name || "Error") + ": " + v.message + "]";
      return errKeys.length ? formatObject(v, errKeys, depth, text + " {", "}") : text;
    }
    if (depth > 6) return Array.isArray(v) ? "[Array]" : "[Object]";
    if (Array.isArray(v)) {
      seen.push(v);
      var items = [];
      for (var i = 0; i < v.length; i++) items.push(format(v[i], depth + 1));
      safeKeys(v).forEach(function (k) {
        if (!/^\d+$/.test(k)) items.push(key(k) + ": " + format(get(v, k), depth + 1));
      });
      seen.pop();
      return "[" + (items.length ? " " + items.join(", ") + " " : "") + "]";
    }
    return formatObject(v, safeKeys(v), depth, "{", "}");
  }

  function formatObject(v, keys, depth, open, close) {
    if (keys.length === 0) return open + close;
    seen.push(v);
    var parts = keys.map(function (k) { return key(k) + ": " + format(get(v, k), depth + 1); });
    seen.pop();
    var oneLine = open + " " + parts.join(", ") + " " + close;
    if (oneLine.length <= 72) return oneLine;
    var pad = new Array(depth + 2).join("  ");
    return open + "\n" + pad + parts.join(",\n" + pad) + "\n" + pad.slice(2) + close;
  }

  function safeKeys(v) {
    try { return Object.keys(v); } catch (e) { return []; }
  }

  function get(v, k) {
    try { return v[k]; } catch (e) { return "[Getter threw: " + e + "]"; }
  }

  try {
    return format(value, 0);
  } catch (e) {
    try { return String(value); } catch (e2) { return "[uninspectable]"; }
  }
};
