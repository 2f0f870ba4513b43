// The later v0.1 "path" module.
exports.join = function () {
  return exports.normalize(Array.prototype.join.call(arguments, "/"));
};

exports.normalizeArray = function (parts, keepBlanks) {
  var out = [];
  parts.forEach(function (part) {
    if (part === "." || (!keepBlanks && part === "" && out.length > 0)) return;
    // Nothing is above the root: "/.." is "/".
    if (part === ".." && out.length === 1 && out[0] === "") return;
    if (part === ".." && out.length > 0 && out[out.length - 1] !== ".." && out[out.length - 1] !== "") {
      out.pop();
      return;
    }
    out.push(part);
  });
  return out;
};

exports.normalize = function (path, keepBlanks) {
  var trailing = path.length > 1 && path.charAt(path.length - 1) === "/";
  var out = exports.normalizeArray(path.split("/"), keepBlanks).join("/");
  if (out === "") out = path.charAt(0) === "/" ? "/" : ".";
  if (trailing && out.charAt(out.length - 1) !== "/") out += "/";
  return out;
};

exports.dirname = function (path) {
  if (path.length > 1 && path.charAt(path.length - 1) === "/") path = path.slice(0, -1);
  var i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
};

exports.basename = function (path, ext) {
  var base = path.replace(/\/+$/, "");
  base = base.slice(base.lastIndexOf("/") + 1);
  if (ext && base.slice(-ext.length) === ext && base !== ext) base = base.slice(0, -ext.length);
  return base;
};

exports.extname = function (path) {
  var base = exports.basename(path), i = base.lastIndexOf(".");
  return i <= 0 ? "" : base.slice(i);
};

exports.exists = function (path, callback) {
  require("posix").stat(path)
    .addCallback(function () { if (callback) callback(true); })
    .addErrback(function () { if (callback) callback(false); });
};
