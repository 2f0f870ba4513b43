// What the runtime's modules share about text and bytes (lib/internal/:
// loaded with `internal("text")`, not requirable by programs).
//
// On the way to a socket or a file, data travels as a "binary" string, one
// char per byte: "ascii" and "binary" strings are written as they are (the
// low 8 bits of each char), "utf8" strings are encoded first, so that their
// length is their size in bytes.

var NAMES = {
  ascii: "ascii",
  utf8: "utf8", "utf-8": "utf8",
  binary: "binary", raw: "binary", latin1: "binary"
};

// "ascii", "utf8" or "binary" for any spelling the runtime accepts, else an
// Error saying what `what` (the program's call) expected.
exports.encodingName = function (encoding, what) {
  var name = NAMES[String(encoding).toLowerCase()];
  if (name === undefined) {
    throw new Error(what + ': unknown encoding "' + encoding + '": expected "ascii", "utf8" or "binary"');
  }
  return name;
};

// An array of byte values as a "binary" string (the low 8 bits of each),
// built in pieces: apply() has an argument limit.
exports.bytesToBinary = function (bytes, what) {
  var out = "", CHUNK = 8192;
  for (var i = 0; i < bytes.length; i += CHUNK) {
    var piece = bytes.slice(i, i + CHUNK);
    for (var j = 0; j < piece.length; j++) {
      var b = piece[j];
      if (typeof b !== "number") {
        throw new TypeError(what + ": an array must hold byte values (numbers 0-255)");
      }
      piece[j] = b & 0xff;
    }
    out += String.fromCharCode.apply(null, piece);
  }
  return out;
};

var NON_ASCII = /[^\x00-\x7f]/;

// A string's UTF-8 bytes as a "binary" string; a lone surrogate is written
// as U+FFFD, as V8 does.
exports.utf8Binary = function (s) {
  if (!NON_ASCII.test(s)) return s;
  try {
    return unescape(encodeURIComponent(s));
  } catch (e) {
    var out = "";
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { out += s.charAt(i) + s.charAt(i + 1); i++; continue; }
      }
      out += c >= 0xd800 && c <= 0xdfff ? "\ufffd" : s.charAt(i);
    }
    return unescape(encodeURIComponent(out));
  }
};

// A chunk the program gives (a string in `encoding`, default "ascii", or an
// array of byte values) as a "binary" string.
exports.toBinary = function (chunk, encoding, what) {
  if (typeof chunk === "string") {
    if (encoding === undefined || encoding === null || encoding === "ascii" || encoding === "binary") return chunk;
    return exports.encodingName(encoding, what) === "utf8" ? exports.utf8Binary(chunk) : chunk;
  }
  if (Array.isArray(chunk)) return exports.bytesToBinary(chunk, what);
  throw new TypeError(what + ": chunk must be a string or an array of byte values");
};
