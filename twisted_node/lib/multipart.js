// multipart/form-data parsing (the manual's "Multipart Parsing" section).
//
// The bytes are parsed in Python (python-multipart, which streams) behind
// process.binding("multipart"): each chunk is handed over once and the
// events it produced come back as one array, emitted here. Part bodies are
// "binary" strings (one char per byte), so file uploads arrive intact; decode
// text fields yourself if they hold UTF-8.
//
// Beyond the manual:
// - options may also be {headers: {"content-type": ...}, data} or, to feed
//   the body yourself, {boundary} / {headers} without data, then
//   stream.write(chunk) and stream.close();
// - a Stream emits "error" (an Error with code NOT_MULTIPART, BAD_BOUNDARY
//   or MALFORMED) for input that cannot be parsed; parse() rejects with it;
// - part.headers holds the part's headers with lower-cased names.
var binding = process.binding("multipart");
var EventEmitter = process.EventEmitter;

var USAGE = "options must be an http.ServerRequest or an object with a \"boundary\" " +
            "(or \"headers\" with a Content-Type) and \"data\" (a binary string)";

function Part(stream, name, filename, headers) {
  EventEmitter.call(this);
  this.stream = stream;
  this.name = name;
  if (filename !== null && filename !== undefined) this.filename = filename;
  this.headers = headers;
}
process.inherits(Part, EventEmitter);
exports.Part = Part;

function isRequest(options) {
  return typeof options.addListener === "function" && typeof options.setBodyEncoding === "function";
}

function header(headers, name) {
  if (!headers || typeof headers !== "object") return undefined;
  if (headers[name] !== undefined) return headers[name];
  for (var key in headers) {
    if (key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

function inputError(message, code) {
  var e = new Error(message);
  e.code = code;
  return e;
}

function Stream(options) {
  if (!(this instanceof Stream)) return new Stream(options);
  EventEmitter.call(this);
  if (options === null || typeof options !== "object") {
    throw new TypeError("multipart.Stream(options): " + USAGE);
  }
  var fromRequest = isRequest(options);
  if (!fromRequest && options.data !== undefined && typeof options.data !== "string") {
    throw new TypeError("multipart.Stream(options): options.data must be a string, not " + typeof options.data);
  }
  this.bytesReceived = 0;
  this.bytesTotal = undefined;
  this.part = null;          // the part whose body is arriving
  this._parser = null;
  this._ended = false;

  var self = this;
  try {
    if (options.boundary !== undefined && !fromRequest) {
      this._parser = binding.newParser(String(options.boundary));
    } else {
      var contentType = header(options.headers, "content-type");
      if (!fromRequest && (options.headers === null || typeof options.headers !== "object")) {
        throw new TypeError("multipart.Stream(options): " + USAGE);
      }
      this._parser = binding.newParser(binding.boundary(contentType === undefined ? null : String(contentType)));
    }
  } catch (e) {
    if (e instanceof TypeError) throw e;
    // Bad input rather than a wrong call: report it the way a malformed
    // body is reported, once listeners are attached.
    this._ended = true;
    process.nextTick(function () { self.emit("error", e); });
  }

  if (fromRequest) {
    var length = parseInt(header(options.headers, "content-length"), 10);
    if (!isNaN(length)) this.bytesTotal = length;
    if (this._parser === null) return;
    options.setBodyEncoding("binary");
    options.addListener("body", function (chunk) { self.write(chunk); });
    options.addListener("complete", function () { self.close(); });
  } else if (options.data !== undefined) {
    this.bytesTotal = options.data.length;
    if (this._parser === null) return;
    process.nextTick(function () {
      self.write(options.data);
      self.close();
    });
  }
}
process.inherits(Stream, EventEmitter);
exports.Stream = Stream;

// Feed a piece of the body (a binary string).
Stream.prototype.write = function (chunk) {
  if (typeof chunk !== "string") {
    throw new TypeError("multipart stream.write(chunk): chunk must be a binary string");
  }
  this.bytesReceived += chunk.length;
  if (this._ended) return;
  this._dispatch(binding.write(this._parser, chunk));
};

// End of the body: "complete" has been emitted, or "error" is.
Stream.prototype.close = function () {
  if (this._ended) return;
  this._dispatch(binding.end(this._parser));
  this._ended = true;
  this._parser = null;
};

Stream.prototype._dispatch = function (events) {
  if (typeof events === "string") { // nothing but more of the current part
    this.part.emit("body", events);
    return;
  }
  for (var i = 0; i < events.length; i++) {
    var ev = events[i];
    switch (ev[0]) {
      case "part":
        this.part = new Part(this, ev[1], ev[2], JSON.parse(ev[3]));
        this.emit("part", this.part);
        break;
      case "body":
        this.part.emit("body", ev[1]);
        break;
      case "partEnd":
        var part = this.part;
        this.part = null;
        part.emit("complete");
        break;
      case "complete":
        this._ended = true;
        this._parser = null;
        this.emit("complete");
        break;
      case "error":
        this._ended = true;
        this._parser = null;
        this.emit("error", inputError(ev[1], ev[2]));
        break;
    }
  }
};

// A promise for {name: value} of every part (the last part wins for a name
// given twice); rejected with an Error saying what is wrong with the input.
exports.parse = function (options) {
  var promise = new process.Promise();
  var stream = new Stream(options);
  var parts = {};
  stream.addListener("part", function (part) {
    var chunks = [];
    part.addListener("body", function (chunk) { chunks.push(chunk); });
    part.addListener("complete", function () { parts[part.name] = chunks.join(""); });
  });
  stream.addListener("complete", function () { promise.emitSuccess(parts); });
  stream.addListener("error", function (e) { promise.emitError(e); });
  return promise;
};
