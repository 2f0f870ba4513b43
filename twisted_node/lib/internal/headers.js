// What the runtime's HTTP requests and responses check of the status and
// headers a program gives them (lib/internal/: loaded with
// `internal("headers")`, not requirable): lib/http.js frames them for its
// own connections, lib/twisted_web.js hands them to twisted.web.

var HEADER_TEXT = /[\r\n\0]/;
var TOKEN = exports.TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// Calls field(name, value) for an object of headers or an array of
// [name, value] pairs (for repeated headers), checking both.
exports.each = function (headers, what, field) {
  if (headers === undefined || headers === null) return;
  var i, name;
  if (Array.isArray(headers)) {
    for (i = 0; i < headers.length; i++) {
      var pair = headers[i];
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(what + ": headers must be an object or an array of [name, value] pairs");
      }
      checkedField(pair[0], pair[1], what, field);
    }
  } else if (typeof headers === "object") {
    for (name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name)) checkedField(name, headers[name], what, field);
    }
  } else {
    throw new TypeError(what + ": headers must be an object or an array of [name, value] pairs");
  }
};

function checkedField(name, value, what, field) {
  name = String(name);
  value = String(value);
  if (!TOKEN.test(name)) throw new Error(what + ": invalid header name " + JSON.stringify(name));
  if (HEADER_TEXT.test(value)) {
    throw new Error(what + ": header " + name + " has a line break or NUL in its value");
  }
  field(name, value, name.toLowerCase());
}

// sendHeader's status code as a number, or a TypeError saying what was expected.
exports.status = function (statusCode) {
  var status = Number(statusCode);
  if (!(status >= 100 && status <= 999 && status % 1 === 0)) {
    throw new TypeError("sendHeader(statusCode, headers): statusCode must be a 3-digit number, got " + statusCode);
  }
  return status;
};
