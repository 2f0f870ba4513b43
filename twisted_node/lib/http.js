// The manual's http module: http.Server, ServerRequest, ServerResponse,
// http.Client, ClientRequest, ClientResponse, as thin objects over the
// "http" binding (twisted_node/bindings/http.py, over protocols/http_server.py
// and http_client.py; parsing by httptools).
//
// What crosses the bridge, per request: the binding calls onRequest once
// with plain strings (headers as one NUL-separated string, parsed here only
// if the program reads request.headers); the response is framed here and
// goes down in as few binding.write calls as possible: the head waits for
// the first body chunk, and finish() carries whatever is left, so a small
// response is one write. Everything written is a "binary" string (one char
// per byte): utf8 text is encoded here so that chunk sizes are byte counts.
//
// Back-pressure: sendBody() returns false when the connection's write buffer
// is full, and the response (and request.connection) emit "drain" when it
// has emptied; while it is full the server also stops reading requests from
// that connection. A program that ignores the return value still works, at
// the cost of buffering in memory, up to 64 MiB past the full mark
// (TWISTED_NODE_TCP_MAX_UNDRAINED, as for tcp): then sendBody() throws an
// Error with code "ENOBUFS" and queues nothing. ClientRequest.sendBody also
// returns false when the connection is full, and the request emits "drain".
//
// Pipelining: responses go out in request order; a response to a later
// request, written before the earlier ones are finished, waits here (in
// memory) for its turn.
//
// Time limits, createServer's options (ms; 0: none): `timeout` (default
// 60000) closes a keep-alive connection idle that long (also
// request.connection.setTimeout(ms)), and one whose client reads nothing of
// what is written for that long; `headersTimeout` (60000) and
// `requestTimeout` (300000) are how long a request head, and a whole
// request, may take to arrive from its first byte: then it is answered 408
// and the connection is closed, whatever the program was doing with it.
//
// Whatever the program throws, and wherever, output stays with its own
// connection: nothing written for one connection is kept anywhere but on
// that connection's objects (see connWrite).

var binding = process.binding("http");
var text = internal("text"), batch = internal("batch"), headerRules = internal("headers"), door = internal("host");
var eachHeader = headerRules.each, TOKEN = headerRules.TOKEN;
var EventEmitter = process.EventEmitter;
var inherits = process.inherits;

var COMPLETE = binding.COMPLETE, KEEP_ALIVE = binding.KEEP_ALIVE;
var END_NONE = binding.END_NONE, END_KEEP = binding.END_KEEP, END_CLOSE = binding.END_CLOSE;
var START = binding.START, END = binding.END, HEAD_METHOD = binding.HEAD_METHOD;

// The binding's events name servers, connections and clients by the number
// given here (a JS object handed back from Python would arrive as a slow
// host object); these tables hold them only while they can get events.
var servers = new Map(), connections = new Map(), clients = new Map();
var lastId = 0;

var STATUS_CODES = exports.STATUS_CODES = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
  204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
  304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
  404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
  407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
  411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
  417: "Expectation Failed", 422: "Unprocessable Entity", 426: "Upgrade Required",
  428: "Precondition Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported"
};

function checkBodyEncoding(encoding, what) {
  return text.encodingName(encoding, what);
}

// --- headers and URIs --------------------------------------------------------------

function setOwn(object, key, value) {
  if (key === "__proto__") {
    Object.defineProperty(object, key, { value: value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

// "name\0value\0name\0value" from the binding -> { name: value }, names
// lower-cased, repeated headers joined with ", ".
function parseHeaders(flat) {
  var headers = {};
  if (!flat) return headers;
  var parts = flat.split("\0");
  for (var i = 0; i + 1 < parts.length; i += 2) {
    var name = parts[i].toLowerCase();
    if (Object.prototype.hasOwnProperty.call(headers, name)) headers[name] += ", " + parts[i + 1];
    else setOwn(headers, name, parts[i + 1]);
  }
  return headers;
}

function decodeComponent(s) {
  s = s.replace(/\+/g, " ");
  try { return decodeURIComponent(s); } catch (e) { return s; }
}

function parseQuery(query) {
  var params = {};
  if (!query) return params;
  var pairs = query.split("&");
  for (var i = 0; i < pairs.length; i++) {
    if (pairs[i] === "") continue;
    var eq = pairs[i].indexOf("=");
    var key = decodeComponent(eq < 0 ? pairs[i] : pairs[i].slice(0, eq));
    var value = eq < 0 ? "" : decodeComponent(pairs[i].slice(eq + 1));
    if (!Object.prototype.hasOwnProperty.call(params, key)) setOwn(params, key, value);
    else if (Array.isArray(params[key])) params[key].push(value);
    else params[key] = [params[key], value];
  }
  return params;
}

// scheme://[user[:password]@]host[:port] at the start of an absolute URI
var AUTHORITY = /^([a-zA-Z][a-zA-Z0-9+.\-]*):\/\/(([^\/]*)@)?(\[[^\]\/]*\]|[^\/:]*)(:([^\/]*))?/;

// The manual's request.uri: { full, path, queryString, params, fragment },
// and for an absolute URI (a proxy request) the parts of its authority too,
// those present: protocol, authority, userInfo, user, password, host, port.
function parseURI(full) {
  var rest = full, fragment = "", queryString = "";
  var hash = rest.indexOf("#");
  if (hash >= 0) { fragment = rest.slice(hash + 1); rest = rest.slice(0, hash); }
  var q = rest.indexOf("?");
  if (q >= 0) { queryString = rest.slice(q + 1); rest = rest.slice(0, q); }
  var uri = { full: full, path: rest, queryString: queryString, params: parseQuery(queryString), fragment: fragment };
  var m = AUTHORITY.exec(rest);
  if (m !== null) {
    uri.path = rest.slice(m[0].length) || "/";
    uri.protocol = m[1];
    uri.authority = m[0].slice(m[1].length + 3);
    if (m[2] !== undefined) {
      uri.userInfo = m[3];
      var colon = m[3].indexOf(":");
      uri.user = colon < 0 ? m[3] : m[3].slice(0, colon);
      if (colon >= 0) uri.password = m[3].slice(colon + 1);
    }
    if (m[4] !== "") uri.host = m[4];
    if (m[6]) uri.port = m[6];
  }
  return uri;
}

// Node v0.1.22's export: what request.uri is, for any URI string (frameworks
// of the time parsed form bodies with it: parseUri("?" + body).params).
exports.parseUri = function (string) {
  if (typeof string !== "string") throw new TypeError("parseUri(string): string must be a string, got " + string);
  return parseURI(string);
};

var CLOSE_TOKEN = /(^|,)\s*close\s*(,|$)/i;
var CHUNKED_LAST = /(^|,)\s*chunked\s*$/i;

// --- http.Server ---------------------------------------------------------------------

function Server(requestListener, options) {
  EventEmitter.call(this);
  this._draining = false; // see onDraining
  if (requestListener !== undefined && requestListener !== null) {
    if (typeof requestListener !== "function") {
      throw new TypeError("createServer(request_listener, options): request_listener must be a function");
    }
    this.addListener("request", requestListener);
  }
  var timeouts = [null, null, null]; // ms, null for the defaults
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError("createServer(request_listener, options): options must be an object");
    ["timeout", "headersTimeout", "requestTimeout"].forEach(function (name, i) {
      var ms = options[name];
      if (ms === undefined || ms === null) return;
      if (typeof ms !== "number" || !(ms >= 0)) {
        throw new TypeError("createServer(request_listener, options): options." + name +
                            " must be a number of milliseconds >= 0 (0: no limit), got " + ms);
      }
      timeouts[i] = ms;
    });
  }
  this._handle = binding.createServer(timeouts[0], timeouts[1], timeouts[2]);
  this._id = ++lastId;
}
inherits(Server, EventEmitter);
exports.Server = Server;

exports.createServer = function (requestListener, options) {
  return new Server(requestListener, options);
};

// `port` may also be a UNIX socket path or a server endpoint string, as for
// tcp.Server.listen.
Server.prototype.listen = function (port, hostname) {
  // The bound port (as tcp.Server has it): useful after listen(0).
  this.port = binding.listen(this._handle, this._id, port, hostname === undefined ? null : hostname);
  servers.set(this._id, this);
  return this;
};

Server.prototype.close = function () {
  var self = this;
  binding.closeServer(this._handle).addCallback(function (errorno) {
    servers.delete(self._id);
    self.emit("close", errorno);
  });
};

Server.prototype.setSecure = function (format, caCerts, crlList, privateKey, certificate) {
  binding.setServerSecure(this._handle, format, caCerts, crlList, privateKey, certificate);
};

// Beyond the manual (the later Node name): as tcp.Server's addContext.
Server.prototype.addContext = function (hostname, format, caCerts, crlList, privateKey, certificate) {
  binding.addServerContext(this._handle, hostname, format, caCerts, crlList, privateKey, certificate);
};

// Beyond the manual (later Node): the bound { address, port }, e.g. after listen(0).
Server.prototype.address = function () {
  return binding.serverAddress(this._handle);
};

// http.Connection: request.connection, and the server's "connection" event.
function Connection(server, handle, remoteAddress, remotePort) {
  this.server = server;
  this._handle = handle;
  this.remoteAddress = remoteAddress;
  this.remotePort = remotePort;
  this.readyState = "open";
  this._responses = [];   // unfinished responses, in request order
  this._incoming = null;  // the request whose body is arriving
  this._full = false;     // a write found the socket's buffer full; "drain" follows
  this._batch = null;     // a response finished during this connection's event (see connWrite)
  this._batchDepth = 0;
}
inherits(Connection, EventEmitter);
exports.Connection = Connection;

Connection.prototype.verifyPeer = function () {
  return this._handle === null ? 0 : binding.verifyPeer(this._handle);
};
Connection.prototype.getPeerCertificate = function (format) {
  return this._handle === null ? null : binding.getPeerCertificate(this._handle, format === undefined ? null : format);
};
Connection.prototype.setTimeout = function (ms) {
  if (this._handle !== null) binding.setTimeout(this._handle, ms);
};
Connection.prototype.close = function () {
  if (this._handle !== null) binding.closeConnection(this._handle);
};
Connection.prototype.forceClose = function () {
  if (this._handle !== null) binding.forceClose(this._handle);
};

// --- events from the binding (server side) ---------------------------------------------

// A graceful stop began (workers, NodeService.stopService): every response
// not yet begun says "Connection: close", and the connection closes after it.
function onDraining(serverId) {
  var server = servers.get(serverId);
  if (server !== undefined) server._draining = true;
  return null;
}

// An accepted connection: its id (nothing: refused).
function onConnection(serverId, handle, remoteAddress, remotePort) {
  var server = servers.get(serverId);
  if (server === undefined) return null;
  var conn = new Connection(server, handle, remoteAddress, remotePort);
  var id = ++lastId;
  connections.set(id, conn);
  server.emit("connection", conn);
  return id;
}

// `packed` is "<flags><method> <url> <version>\n<headers>" (see ServerEvents
// in protocols/http_server.py).
function onRequest(id, packed) {
  var conn = connections.get(id);
  var flags = packed.charCodeAt(0) - 48;
  var sp1 = packed.indexOf(" ", 1), sp2 = packed.indexOf(" ", sp1 + 1), nl = packed.indexOf("\n", sp2 + 1);
  var method = packed.slice(1, sp1), url = packed.slice(sp1 + 1, sp2);
  var version = packed.slice(sp2 + 1, nl), headers = packed.slice(nl + 1);
  var req = new ServerRequest(conn, method, url, version, headers);
  var res = new ServerResponse(conn, req, flags);
  conn._incoming = req;
  conn._responses.push(res);
  return batch.dispatch(conn, emitRequest, req, res, flags);
}

// The requests without a body of one reactor turn, in one call (see
// REQUESTS in twisted_node/bindings/http.py): each handled as if it had come
// alone, its answer "<length>:<onRequest's result>", in order. A handler
// that wait()s would hold back the requests behind it, which may be what it
// waits for, and the answers before it, which their clients may need to
// bring its end about: both go back to the binding first (handBack), which
// sends those answers and hands the requests up again during the wait.
var handingUp = null; // the innermost onRequests under way: {packed, pos, count}

function onRequests(packed) {
  var outer = handingUp, call = {packed: packed, pos: 0, count: 0, out: ""};
  handingUp = call;
  try {
    while (call.pos < call.packed.length && !door.exiting()) {
      var pos = call.pos, comma = packed.indexOf(",", pos), colon = packed.indexOf(":", comma);
      var id = +packed.slice(pos, comma), end = colon + 1 + +packed.slice(comma + 1, colon);
      var head = packed.slice(colon + 1, end);
      call.pos = end;
      call.count++;
      // A connection closed by an earlier one's handler is left out.
      var finished = connections.has(id) ? door.asEvent(onRequest, id, head) : null;
      call.out += finished ? finished.length + ":" + finished : "0:";
    }
  } finally {
    handingUp = outer;
  }
  return call.out;
}

door.beforeWait(function () {
  var call = handingUp;
  if (call !== null && (call.pos < call.packed.length || call.out !== "")) {
    var answers = call.out;
    call.packed = ""; // onRequests' loop ends after the request that waits
    call.out = "";
    binding.handBack(call.count, answers);
  }
});

function emitRequest(conn, req, res, flags) {
  conn.server.emit("request", req, res);
  if (flags & COMPLETE) completeRequest(conn, req);
}

function onBody(id, text, complete) {
  var conn = connections.get(id);
  var req = conn._incoming;
  if (req === null) return null;
  return batch.dispatch(conn, emitBody, req, text, complete);
}

function emitBody(conn, req, text, complete) {
  if (text.length > 0) req.emit("body", text);
  if (complete) completeRequest(conn, req);
}

function completeRequest(conn, req) {
  if (conn._incoming === req) conn._incoming = null;
  if (req._paused) {
    req._completePending = true; // emitted on resume()
    return;
  }
  req._emitComplete();
}

function onDrain(id) {
  var conn = connections.get(id);
  conn._full = false;
  var res = conn._responses[0];
  if (res) res.emit("drain");
  conn.emit("drain");
}

function onClose(id, hadError) {
  var conn = connections.get(id);
  connections.delete(id);
  conn.readyState = "closed";
  conn._handle = null;
  conn._responses = [];
  conn._incoming = null;
  conn._batch = null;
  conn.emit("close", hadError);
}

// --- http.ServerRequest ------------------------------------------------------------------

function ServerRequest(conn, method, url, version, headers) {
  this.connection = conn;
  this.method = method;
  this.httpVersion = version;
  this._url = url;
  this._uri = null;
  this._rawHeaders = headers;
  this._headers = null;
  this._paused = false;
  this._pausedSocket = false;
  this._completePending = false;
  this._complete = false;
}
inherits(ServerRequest, EventEmitter);
exports.ServerRequest = ServerRequest;

// Parsed on first use: a hello-world handler never pays for them.
Object.defineProperty(ServerRequest.prototype, "uri", {
  get: function () { return this._uri || (this._uri = parseURI(this._url)); },
  set: function (value) { this._uri = value; },
  enumerable: true, configurable: true
});

function headersProperty(proto) {
  Object.defineProperty(proto, "headers", {
    get: function () {
      if (this._headers === null) {
        this._headers = parseHeaders(this._rawHeaders);
        this._rawHeaders = null;
      }
      return this._headers;
    },
    set: function (value) { this._headers = value; this._rawHeaders = null; },
    enumerable: true, configurable: true
  });
}
headersProperty(ServerRequest.prototype);

ServerRequest.prototype.setBodyEncoding = function (encoding) {
  var e = checkBodyEncoding(encoding === undefined ? "binary" : encoding, "setBodyEncoding");
  var conn = this.connection;
  if (conn._incoming === this && conn._handle !== null) binding.setBodyEncoding(conn._handle, e);
};

ServerRequest.prototype.pause = function () {
  if (this._paused || this._complete) return;
  this._paused = true;
  var conn = this.connection;
  // The socket stops being read only for the request still arriving.
  this._pausedSocket = conn._incoming === this && conn._handle !== null;
  if (this._pausedSocket) binding.pause(conn._handle);
};

ServerRequest.prototype.resume = function () {
  if (!this._paused) return;
  this._paused = false;
  var conn = this.connection;
  if (this._pausedSocket && conn._handle !== null) binding.resume(conn._handle);
  this._pausedSocket = false;
  if (this._completePending) {
    this._completePending = false;
    var self = this;
    setTimeout(function () { self._emitComplete(); }, 0);
  }
};

ServerRequest.prototype._emitComplete = function () {
  if (this._complete) return;
  this._complete = true;
  this.emit("complete");
};

// --- http.ServerResponse ------------------------------------------------------------------

function ServerResponse(conn, req, flags) {
  this.connection = conn;
  this._keepAlive = (flags & KEEP_ALIVE) !== 0;
  this._http10 = req.httpVersion !== "1.1";
  this._isHead = req.method === "HEAD";
  this._head = null;        // the head, until it goes out with the first chunk
  this._headerSent = false;
  this._chunked = false;
  this._noBody = false;
  this._closeAfter = false;
  this._finished = false;
  this._pending = null;     // output of this tick, not yet written
  this._held = null;        // output held back while an earlier response is unfinished
  this._request = req;      // named in the warning of a write after finish()
  this._warnedLate = false;
}
inherits(ServerResponse, EventEmitter);
exports.ServerResponse = ServerResponse;

ServerResponse.prototype.sendHeader = function (statusCode, headers) {
  if (this._headerSent) throw new Error("sendHeader: already called for this response");
  var status = headerRules.status(statusCode);
  var head = "HTTP/1.1 " + status + " " + (STATUS_CODES[status] || "Unknown") + "\r\n";
  var hasLength = false, transferEncoding = null, connection = null, http10 = this._http10;
  eachHeader(headers, "sendHeader", function (name, value, lower) {
    if (lower === "content-length") hasLength = true;
    else if (lower === "transfer-encoding") {
      transferEncoding = value;
      if (http10) return; // never chunked to HTTP/1.0: leave the header out
    } else if (lower === "connection") connection = value;
    head += name + ": " + value + "\r\n";
  });
  var close = !this._keepAlive || this.connection.server._draining ||
    (connection !== null && CLOSE_TOKEN.test(connection));
  var noBody = this._isHead || status < 200 || status === 204 || status === 304;
  if (!noBody) {
    if (transferEncoding !== null && !http10) {
      this._chunked = CHUNKED_LAST.test(transferEncoding);
      if (!this._chunked) close = true; // some other coding: the close ends the body
    } else if (!hasLength) {
      if (http10) close = true; // HTTP/1.0: the body ends with the connection
      else {
        this._chunked = true;
        head += "Transfer-Encoding: chunked\r\n";
      }
    }
  }
  if (connection === null) head += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
  this._noBody = noBody;
  this._closeAfter = close;
  this._head = head + "\r\n";
  this._headerSent = true;
};

ServerResponse.prototype.sendBody = function (chunk, encoding) {
  if (this._finished) return this._lateWrite("sendBody");
  if (!this._headerSent) throw new Error("sendBody: sendHeader must be called first");
  var data = text.toBinary(chunk, encoding, "sendBody");
  if (this._noBody || data.length === 0) {
    data = "";
  } else if (this._chunked) {
    data = data.length.toString(16) + "\r\n" + data + "\r\n";
  }
  if (this._head !== null) {
    data = this._head + data;
    this._head = null;
  }
  // Held until the event being handled is over, or the end of the tick
  // (batch.after): a handler that sends its body and finishes at once costs
  // one write, and one crossing.
  if (this._pending === null) {
    this._pending = data;
    var self = this;
    batch.after(function () { self._writePending(); });
  } else {
    this._pending += data;
  }
  if (this._pending.length >= PENDING_LIMIT) {
    // Streaming within one event: write as it comes, so that the
    // back-pressure of the connection applies.
    data = this._pending;
    this._pending = null;
    return this._write(data, END_NONE);
  }
  return !this.connection._full;
};

var PENDING_LIMIT = 64 * 1024;

ServerResponse.prototype._writePending = function () {
  var data = this._pending;
  if (data === null) return; // finish() took it
  this._pending = null;
  this._write(data, END_NONE);
};

// finish()'s checks, also lib/twisted_web.js's: false for a second finish()
// (warned about once), a throw before sendHeader.
ServerResponse.prototype._finishing = function () {
  if (this._finished) {
    this._lateWrite("finish");
    return false;
  }
  if (!this._headerSent) throw new Error("finish: sendHeader must be called first");
  this._finished = true;
  return true;
};

ServerResponse.prototype.finish = function () {
  if (!this._finishing()) return;
  var data = this._chunked ? "0\r\n\r\n" : "";
  if (this._head !== null) {
    data = this._head + data;
    this._head = null;
  }
  if (this._pending !== null) {
    data = this._pending + data;
    this._pending = null;
  }
  this._write(data, this._closeAfter ? END_CLOSE : END_KEEP);
};

// sendBody() or finish() on a finished response. Node v0.1 sent nothing
// and threw nothing (the response had left its connection's queue), and
// programs of the time rely on it: a log streamer's second timer writes
// after finish(). Nothing may reach the connection (on keep-alive it would
// corrupt the next response); one line on stderr, the first time, makes the
// program's bug visible.
ServerResponse.prototype._lateWrite = function (method) {
  if (!this._warnedLate) {
    this._warnedLate = true;
    var req = this._request, url = req._url;
    if (url.length > 200) url = url.slice(0, 200) + "...";
    process.binding("stdio").writeError("twisted-node: " + method + "() after finish() on the response to " +
                                        req.method + " " + url + ": ignored, nothing sent\n");
  }
  return true;
};

ServerResponse.prototype._write = function (data, end) {
  var conn = this.connection;
  if (conn._handle === null) return false; // the connection is gone
  var queue = conn._responses;
  if (queue[0] !== this) {
    // A pipelined response waits for the ones before it.
    if (queue.indexOf(this) < 0) return false;
    if (this._held === null) this._held = [];
    this._held.push(data);
    return true;
  }
  var ok = connWrite(conn, data, end);
  if (end !== END_NONE) {
    queue.shift();
    if (end === END_CLOSE) conn._responses = [];
    else flushHeld(conn);
  }
  return ok;
};

// While an event of a connection is dispatched, a response finished there
// is not written through the binding but batched on the connection and
// returned to the binding when the event is over (lib/internal/batch.js:
// one crossing fewer per request). Its first char tells the binding how it
// ends: "K" (the connection may carry another) or "C" (close after it); so
// at most one is batched. Any other write to the connection writes it
// first, so the order on the wire is kept.
function connWrite(conn, data, end) {
  if (end !== END_NONE && batch.add(conn, (end === END_KEEP ? "K" : "C") + data, true)) return !conn._full;
  batch.flush(conn);
  // Three functions rather than an `end` argument: each argument costs.
  var ok = end === END_NONE ? binding.write(conn._handle, data) :
    end === END_KEEP ? binding.finish(conn._handle, data) : binding.finishClose(conn._handle, data);
  if (!ok) conn._full = true;
  return ok;
}

// For batch.flush: the batched finished response, written now.
Connection.prototype._writeBatch = function (tagged) {
  if (this._handle === null) return;
  var data = tagged.slice(1);
  var ok = tagged.charAt(0) === "K" ? binding.finish(this._handle, data) : binding.finishClose(this._handle, data);
  if (!ok) this._full = true;
};

// The response now first in line may have output (or all of it) waiting.
function flushHeld(conn) {
  var queue = conn._responses;
  while (queue.length > 0 && conn._handle !== null) {
    var res = queue[0];
    if (res._held === null) return;
    var data = res._held.join("");
    res._held = null;
    if (!res._finished) {
      if (data.length > 0) connWrite(conn, data, END_NONE);
      return;
    }
    var end = res._closeAfter ? END_CLOSE : END_KEEP;
    connWrite(conn, data, end);
    queue.shift();
    if (end === END_CLOSE) conn._responses = [];
  }
}

// --- http.Client ---------------------------------------------------------------------------

// Beyond the manual, as v0.1's client (a tcp.Connection) had them: the
// events of its connection, "connect" (after the TLS handshake on HTTPS),
// "eof" (the server closed it), "close" (had_error) and "timeout" (idle for
// setTimeout's ms, 60000 by default: it is then closed). A server that
// closes without answering is no error: "eof" and "close", and the request
// ends without a response, as in v0.1.
function Client(port, host) {
  EventEmitter.call(this);
  this.port = port;
  this.host = host === undefined || host === null || host === "" ? "127.0.0.1" : String(host);
  this._id = ++lastId;
  this._handle = binding.createClient(port, this.host, this._id);
  this._requests = []; // [0] is in flight, the others wait their turn
  this._secure = false;
  this._connected = false; // a connection is open: its events will come
}
inherits(Client, EventEmitter);
exports.Client = Client;

exports.createClient = function (port, host) {
  return new Client(port, host);
};

Client.prototype.request = function (method, path, headers) {
  if (typeof path !== "string") { // request(path, [headers])
    headers = path;
    path = method;
    method = "GET";
  }
  if (typeof method !== "string" || !TOKEN.test(method)) {
    throw new TypeError("request([method], path, [headers]): method must be a word like \"GET\", got " + method);
  }
  if (typeof path !== "string" || path === "" || /[\s\0]/.test(path)) {
    throw new TypeError("request([method], path, [headers]): path must be a non-empty string without spaces, got " +
                        JSON.stringify(path));
  }
  var req = new ClientRequest(this, method, path, headers);
  this._requests.push(req);
  if (this._requests.length === 1) {
    clients.set(this._id, this);
    req._begin();
  }
  return req;
};

// The shortcuts of Node v0.1.
Client.prototype.get = function (path, headers) { return this.request("GET", path, headers); };
Client.prototype.head = function (path, headers) { return this.request("HEAD", path, headers); };
Client.prototype.post = function (path, headers) { return this.request("POST", path, headers); };
Client.prototype.put = function (path, headers) { return this.request("PUT", path, headers); };
Client.prototype.del = function (path, headers) { return this.request("DELETE", path, headers); };

Client.prototype.setSecure = function (format, caCerts, crlList, privateKey, certificate) {
  binding.clientSetSecure(this._handle, format, caCerts, crlList, privateKey, certificate);
  this._secure = true;
};
Client.prototype.verifyPeer = function () { return binding.verifyPeer(this._handle); };
Client.prototype.getPeerCertificate = function (format) {
  return binding.getPeerCertificate(this._handle, format === undefined ? null : format);
};
// Closes the connection; requests not yet answered are dropped silently.
Client.prototype.close = function () {
  this._requests = [];
  if (!this._connected) clients.delete(this._id); // else after its "close"
  binding.clientClose(this._handle);
};

Client.prototype.setTimeout = function (ms) {
  if (typeof ms !== "number" || !(ms >= 0)) {
    throw new TypeError("setTimeout(timeout): timeout must be a number of milliseconds >= 0");
  }
  binding.clientSetTimeout(this._handle, ms);
};

// The client is in `clients` from its first request until the "close" of
// its connection (every connection, and every attempt, ends with one) when
// no request is pending, so that the events of both find it.
Client.prototype._next = function () {
  var req = this._requests[0];
  if (req !== undefined && !req._begun) req._begin();
};

// --- http.ClientRequest ----------------------------------------------------------------------
//
// The head is complete when request() returns (its headers can no longer
// change) and goes out with the first body chunk or with finish(), in one
// write, as soon as it is this request's turn on the connection. Framing:
// Content-Length or "Transfer-Encoding: chunked" as the headers say; with
// neither, a body sent with sendBody() is chunked, and finish() without a
// body sends none. A "Host" header is added when the program gave none.

function ClientRequest(client, method, path, headers) {
  EventEmitter.call(this);
  this.client = client;
  this.method = method;
  this.path = path;
  var head = method + " " + path + " HTTP/1.1\r\n";
  var hasHost = false, hasLength = false, chunked = false, hasTE = false;
  eachHeader(headers, "request", function (name, value, lower) {
    if (lower === "host") hasHost = true;
    else if (lower === "content-length") hasLength = true;
    else if (lower === "transfer-encoding") {
      hasTE = true;
      chunked = CHUNKED_LAST.test(value);
    }
    head += name + ": " + value + "\r\n";
  });
  if (!hasHost) {
    var defaultPort = client._secure ? 443 : 80;
    var host = client.host.indexOf(":") >= 0 ? "[" + client.host + "]" : client.host;
    head += "Host: " + host + (Number(client.port) === defaultPort ? "" : ":" + client.port) + "\r\n";
  }
  this._head = head;           // without its final CRLF until the framing is known
  this._framed = hasLength || hasTE;
  this._chunked = chunked;
  this._held = [];             // output before this request's turn
  this._heldEnd = false;
  this._begun = false;         // its turn came: output goes to the binding
  this._sentStart = false;
  this._finished = false;
  this._failed = false;
  this._response = null;
}
inherits(ClientRequest, EventEmitter);
exports.ClientRequest = ClientRequest;

ClientRequest.prototype._takeHead = function (streaming) {
  if (this._head === null) return "";
  var head = this._head;
  if (!this._framed && streaming) {
    // A body without a length: chunked, as the manual suggests.
    this._chunked = true;
    head += "Transfer-Encoding: chunked\r\n";
  }
  this._framed = true;
  this._head = null;
  return head + "\r\n";
};

ClientRequest.prototype.sendBody = function (chunk, encoding) {
  if (this._finished) throw new Error("sendBody: the request is already finished");
  var data = text.toBinary(chunk, encoding, "sendBody");
  if (data.length === 0) return true; // an empty chunk would end a chunked body
  var head = this._takeHead(true);
  if (this._chunked) data = data.length.toString(16) + "\r\n" + data + "\r\n";
  return this._send(head + data, false);
};

ClientRequest.prototype.finish = function (responseListener) {
  if (responseListener !== undefined) {
    if (typeof responseListener !== "function") {
      throw new TypeError("finish(responseListener): responseListener must be a function");
    }
    this.addListener("response", responseListener);
  }
  if (this._finished) throw new Error("finish: the request is already finished");
  this._finished = true;
  var data = this._takeHead(false) + (this._chunked ? "0\r\n\r\n" : "");
  this._send(data, true);
  return this;
};

ClientRequest.prototype._send = function (data, end) {
  if (this._failed) return false;
  if (!this._begun) {
    this._held.push(data);
    this._heldEnd = end;
    return true;
  }
  var client = this.client, flags = end ? END : 0;
  if (!this._sentStart) {
    this._sentStart = true;
    flags |= START | (this.method === "HEAD" ? HEAD_METHOD : 0);
  }
  return binding.clientSend(client._handle, data, flags, client._id);
};

ClientRequest.prototype._begin = function () {
  this._begun = true;
  if (this._held.length > 0) {
    var data = this._held.join("");
    this._held = [];
    this._send(data, this._heldEnd);
  }
};

// --- http.ClientResponse -------------------------------------------------------------------------

function ClientResponse(client, status, version, headers) {
  this.client = client;
  this.statusCode = status;
  this.httpVersion = version;
  this._rawHeaders = headers;
  this._headers = null;
  this._paused = false;
  this._completePending = false;
  this._complete = false;
}
inherits(ClientResponse, EventEmitter);
exports.ClientResponse = ClientResponse;
headersProperty(ClientResponse.prototype);

ClientResponse.prototype.setBodyEncoding = function (encoding) {
  var e = checkBodyEncoding(encoding === undefined ? "binary" : encoding, "setBodyEncoding");
  if (!this._complete) binding.setBodyEncoding(this.client._handle, e);
};

ClientResponse.prototype.pause = function () {
  if (this._paused || this._complete) return;
  this._paused = true;
  binding.clientPause(this.client._handle);
};

ClientResponse.prototype.resume = function () {
  if (!this._paused) return;
  this._paused = false;
  binding.clientResume(this.client._handle);
  if (this._completePending) {
    this._completePending = false;
    var self = this;
    setTimeout(function () { self._emitComplete(); }, 0);
  }
};

ClientResponse.prototype._emitComplete = ServerRequest.prototype._emitComplete;

// --- events from the binding (client side) ------------------------------------------------------

function onResponse(id, status, version, headers, flags) {
  var client = clients.get(id);
  if (client === undefined) return;
  var req = client._requests[0];
  if (req === undefined) return;
  var res = req._response = new ClientResponse(client, status, version, headers);
  try {
    req.emit("response", res);
  } finally {
    if (flags & COMPLETE) completeResponse(client, req, res);
  }
}

function onClientBody(id, text, complete) {
  var client = clients.get(id);
  if (client === undefined) return;
  var req = client._requests[0];
  var res = req === undefined ? null : req._response;
  if (res === null) return;
  if (text.length > 0) res.emit("body", text);
  if (complete) completeResponse(client, req, res);
}

function completeResponse(client, req, res) {
  client._requests.shift();
  try {
    if (res._paused) res._completePending = true; // emitted on resume()
    else res._emitComplete();
  } finally {
    client._next();
  }
}

function onClientError(id, message, code) {
  var client = clients.get(id);
  if (client === undefined) return;
  var req = client._requests.shift();
  if (req !== undefined) req._failed = true;
  var err = new Error(message);
  err.code = code;
  err.request = req;
  try {
    if (client.listeners("error").length === 0) throw err; // nobody listens: uncaught
    client.emit("error", err);
  } finally {
    client._next();
  }
}

function onClientDrain(id) {
  var client = clients.get(id);
  if (client === undefined) return;
  var req = client._requests[0];
  if (req !== undefined) req.emit("drain");
}

// The request in flight ended with neither a response nor an error.
function onDropped(id) {
  var client = clients.get(id);
  if (client === undefined) return;
  var req = client._requests.shift();
  if (req !== undefined) req._failed = true;
  client._next();
}

// The events of the client's connection.
function onClientConnection(id, name, hadError) {
  var client = clients.get(id);
  if (client === undefined) return;
  if (name === "connect") client._connected = true;
  if (name !== "close") {
    client.emit(name);
    return;
  }
  client._connected = false;
  if (client._requests.length === 0) clients.delete(id);
  client.emit("close", hadError);
}

// --- the binding's events --------------------------------------------------------------------

var CONNECTION = binding.CONNECTION, REQUEST = binding.REQUEST, BODY = binding.BODY,
    DRAIN = binding.DRAIN, CLOSE = binding.CLOSE, RESPONSE = binding.RESPONSE,
    RESPONSE_BODY = binding.RESPONSE_BODY, ERROR = binding.ERROR, REQUEST_DRAIN = binding.REQUEST_DRAIN,
    DROPPED = binding.DROPPED, CONNECT = binding.CONNECT, EOF = binding.EOF, TIMEOUT = binding.TIMEOUT,
    CLOSE_CLIENT = binding.CLOSE_CLIENT, DRAINING = binding.DRAINING, REQUESTS = binding.REQUESTS;

binding.init(internal("events").handler(function onEvent(id, code, a, b, c, d) {
  switch (code) {
    case REQUESTS: return onRequests(a);
    case REQUEST: return onRequest(id, a);
    case BODY: return onBody(id, a, b);
    case CONNECTION: return onConnection(id, a, b, c);
    case DRAIN: return onDrain(id);
    case CLOSE: return onClose(id, a);
    case RESPONSE: return onResponse(id, a, b, c, d);
    case RESPONSE_BODY: return onClientBody(id, a, b);
    case ERROR: return onClientError(id, a, b);
    case REQUEST_DRAIN: return onClientDrain(id);
    case DROPPED: return onDropped(id);
    case CONNECT: return onClientConnection(id, "connect");
    case EOF: return onClientConnection(id, "eof");
    case TIMEOUT: return onClientConnection(id, "timeout");
    case CLOSE_CLIENT: return onClientConnection(id, "close", a);
    case DRAINING: return onDraining(id);
  }
}));
