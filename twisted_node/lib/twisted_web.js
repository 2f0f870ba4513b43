// The JavaScript half of twisted_node.web.NodeResource (twisted_node/web.py):
// requests a twisted.web site hands to a function the main module exports,
// as the manual's http.ServerRequest and http.ServerResponse. The runtime
// loads this module with the first such request; programs do not require it.
//
// The classes inherit http's and replace only what touches the connection:
// twisted.web parses the request and frames the response (status line,
// chunking, keep-alive, HEAD, TLS), so a response goes down as its
// status and headers, then its body chunks, through the "web" binding
// (bindings/web.py, which says what crosses). What is checked of them is
// lib/internal/headers.js's, as for http.Server.
//
// Per request, one call from Python carries the whole request (twisted.web
// reads a body before it hands the request on): the handler runs, then
// "body" (one, with the whole body, if there is one) and "complete" are
// emitted, and what the handler answered meanwhile is the call's result.
// Writes made later go down once per tick (several sendBody() calls of one
// tick together), and at once past 64 KiB, so that a streamed body reaches
// the client as it is made and the connection's back-pressure applies:
// sendBody() returns false while twisted.web's buffer is full, and "drain"
// follows.
//
// request.uri is the manual's object for the URI relative to the resource's
// place (a handler at /api sees /api/users?x=1 as path "/users"), with
// `full` the URI as the client sent it. request.connection stands for this
// request's connection: remoteAddress, remotePort, close(), forceClose(),
// and "close" (also on the request and the response) when the client goes
// away before the response is finished; what is written after that is
// dropped, without an error.
//
// A handler that throws (or a "body" or "complete" listener) costs its own
// request only: it is answered 500 (or its connection is closed, when some
// of the response went out already), the error goes to the log (or stderr)
// with its stack, and the program goes on. Nothing of a request lives
// outside its own objects.

var http = require("http");
var binding = process.binding("web");
var host = internal("host"), text = internal("text"), headerRules = internal("headers");
var batch = internal("batch");
var EventEmitter = process.EventEmitter, inherits = process.inherits;

var WRITE = binding.WRITE, FINISH = binding.FINISH, FAILED = binding.FAILED;
var PENDING_LIMIT = 64 * 1024;
var NON_ASCII = /[\x80-\xff]/;

// Requests that can still get events (the client went away, drain), by the
// number the binding gave them.
var requests = new Map();

// --- the connection, as this request sees it --------------------------------------

function WebConnection(id) {
  EventEmitter.call(this);
  this._handle = id;          // the binding's number for the request; null once it can no longer write
  this._peer = null;          // [address, port], asked for on first use
  this._full = false;         // a write found twisted.web's buffer full; "drain" follows
  this._dispatching = false;  // the call bringing the request is running: output is its result
  this.readyState = "open";
}
inherits(WebConnection, EventEmitter);
exports.WebConnection = WebConnection;

// Asked for on first use and kept: read once the request has ended (and
// never before), it is ["", 0].
function peer(conn) {
  if (conn._peer === null) conn._peer = binding.peer(conn._handle);
  return conn._peer;
}
Object.defineProperty(WebConnection.prototype, "remoteAddress", {
  get: function () { return peer(this)[0]; }, enumerable: true, configurable: true
});
Object.defineProperty(WebConnection.prototype, "remotePort", {
  get: function () { return peer(this)[1]; }, enumerable: true, configurable: true
});

// Closes the connection once what was written has gone out.
WebConnection.prototype.close = function () {
  if (this._handle !== null) binding.close(this._handle);
};
WebConnection.prototype.forceClose = function () {
  if (this._handle !== null) binding.forceClose(this._handle);
};
// The Site's own timeout (Site.timeOut) governs its connections.
WebConnection.prototype.setTimeout = function () {};

// --- the request ------------------------------------------------------------------------

function WebRequest(conn, method, url, full, version, headers) {
  http.ServerRequest.call(this, conn, method, url, version, headers);
  this._full = full;
  this._bodyEncoding = "binary";
  this._heldBody = null;  // the body, while the request is paused
}
inherits(WebRequest, http.ServerRequest);
exports.WebRequest = WebRequest;

Object.defineProperty(WebRequest.prototype, "uri", {
  get: function () {
    if (this._uri === null) {
      this._uri = http.parseUri(this._url);
      this._uri.full = this._full;
    }
    return this._uri;
  },
  set: function (value) { this._uri = value; },
  enumerable: true, configurable: true
});

WebRequest.prototype.setBodyEncoding = function (encoding) {
  this._bodyEncoding = text.encodingName(encoding === undefined ? "binary" : encoding, "setBodyEncoding");
};

// The body arrived whole: emitted now, or on resume().
WebRequest.prototype._arrived = function (body) {
  if (this._paused) {
    this._heldBody = body;
    this._completePending = true;
    return;
  }
  if (body.length > 0) {
    var enc = this._bodyEncoding;
    this.emit("body", enc === "binary" || !NON_ASCII.test(body) ? body : binding.decode(body, enc));
  }
  this._emitComplete();
};

WebRequest.prototype.pause = function () {
  if (!this._complete) this._paused = true;
};

WebRequest.prototype.resume = function () {
  if (!this._paused) return;
  this._paused = false;
  if (this._completePending) {
    this._completePending = false;
    var self = this, body = this._heldBody;
    this._heldBody = null;
    setTimeout(function () { self._arrived(body); }, 0);
  }
};

// --- the response ---------------------------------------------------------------------------

function WebResponse(conn, req, name) {
  EventEmitter.call(this);
  this.connection = conn;
  this._request = req;      // named in the warning of a write after finish()
  this._name = name;        // the export answering
  this._head = null;        // "status\0name\0value...", until it goes down with the first output
  this._headerSent = false;
  this._finished = false;
  this._pending = null;     // body of this tick not yet written
  this._warnedLate = false;
}
inherits(WebResponse, http.ServerResponse);
exports.WebResponse = WebResponse;

WebResponse.prototype.sendHeader = function (statusCode, headers) {
  if (this._headerSent) throw new Error("sendHeader: already called for this response");
  var head = String(headerRules.status(statusCode));
  headerRules.each(headers, "sendHeader", function (name, value) { head += "\0" + name + "\0" + value; });
  this._head = head;
  this._headerSent = true;
};

WebResponse.prototype.sendBody = function (chunk, encoding) {
  if (this._finished) return this._lateWrite("sendBody");
  if (!this._headerSent) throw new Error("sendBody: sendHeader must be called first");
  var data = text.toBinary(chunk, encoding, "sendBody");
  if (this._pending === null) {
    this._pending = data;
    var self = this;
    batch.after(function () { self._send(WRITE); });
  } else {
    this._pending += data;
  }
  if (this._pending.length >= PENDING_LIMIT) return this._send(WRITE);
  return !this.connection._full;
};

WebResponse.prototype.finish = function () {
  if (!this._finishing()) return;
  // While the request's own call runs, its result carries the response.
  if (!this.connection._dispatching) this._send(FINISH);
};

// What has not gone down yet, packed for the binding (null: nothing).
WebResponse.prototype._take = function (flag) {
  var head = this._head, body = this._pending;
  if (flag === WRITE && head === null && body === null) return null;
  this._head = this._pending = null;
  return flag + (head === null ? "" : head) + "\n" + (body === null ? "" : body);
};

WebResponse.prototype._send = function (flag) {
  var conn = this.connection, handle = conn._handle;
  var packed = this._take(flag);
  if (packed === null) return !conn._full;
  if (handle === null) return false; // the client is gone: dropped
  if (flag === FINISH) ended(conn);
  var ok = binding.send(handle, packed);
  if (!ok) conn._full = true;
  return ok;
};

// --- events from the binding ------------------------------------------------------------

// head: "<mount> <method> <uri> <version>\n<headers>" (protocols/web.py).
function onRequest(id, name, head, body) {
  var sp0 = head.indexOf(" "), sp1 = head.indexOf(" ", sp0 + 1), sp2 = head.indexOf(" ", sp1 + 1);
  var nl = head.indexOf("\n", sp2 + 1);
  var full = head.slice(sp1 + 1, sp2), url = full.slice(Number(head.slice(0, sp0)));
  if (url.charAt(0) !== "/") url = "/" + url;
  var conn = new WebConnection(id);
  var req = new WebRequest(conn, head.slice(sp0 + 1, sp1), url, full, head.slice(sp2 + 1, nl), head.slice(nl + 1));
  var res = new WebResponse(conn, req, name);
  conn._request = req;
  conn._response = res;
  conn._id = id;
  requests.set(id, conn);
  conn._dispatching = true;
  try {
    host.exported(name).call(null, req, res);
    req._arrived(body);
  } catch (e) {
    host.passExit(e);
    return failed(conn, e);
  } finally {
    conn._dispatching = false;
  }
  if (!res._finished) return res._take(WRITE);
  ended(conn);
  return res._take(FINISH);
}

// The handler threw: its request is answered for it (see the top).
function failed(conn, e) {
  var res = conn._response;
  ended(conn);
  res._finished = res._warnedLate = true; // what it writes later is dropped quietly
  res._head = res._pending = null;
  return FAILED + res._name + "\n" + host.stackOf(e);
}

// The request gets no more events, and writes nothing more.
function ended(conn) {
  requests.delete(conn._id);
  conn._handle = null;
}

function onClose(id, hadError) {
  var conn = requests.get(id);
  if (conn === undefined) return;
  ended(conn);
  conn.readyState = "closed";
  conn.emit("close", hadError);
  conn._request.emit("close");
  conn._response.emit("close");
}

function onDrain(id) {
  var conn = requests.get(id);
  if (conn === undefined) return;
  conn._full = false;
  conn._response.emit("drain");
  conn.emit("drain");
}

var REQUEST = binding.REQUEST, CLOSE = binding.CLOSE, DRAIN = binding.DRAIN;

binding.init(internal("events").handler(function onEvent(id, code, a, b, c) {
  switch (code) {
    case REQUEST: return onRequest(id, a, b, c);
    case CLOSE: return onClose(id, a);
    case DRAIN: return onDrain(id);
  }
}));
