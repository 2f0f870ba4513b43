// tcp: tcp.Server and tcp.Connection (the manual's TCP section), thin objects
// over process.binding("tcp") (twisted_node/protocols/tcp.py).
//
// Python calls ONE dispatch function per connection, once per I/O event:
// dispatch(data) for "receive" (decoded already), dispatch(code) otherwise.
//
// Flow control: send() returns false once the write buffer is over its
// high-water mark (64 KiB); "drain" is emitted when it has emptied. Sends
// from a "receive" listener are written when the listener returns, so there
// the false comes with the send after the one that filled the buffer. A sender
// that ignores this keeps being accepted (false each time) until 64 MiB were
// sent since the buffer filled; send() then throws an Error with code
// "ENOBUFS" and does not queue that data.
//
// "receive" carries at most RECEIVE_CHUNK characters (8 KiB of "binary" or
// "ascii" data), as v0.1 read 8 KiB at a time: a larger read from the socket
// is cut into several events, still in one crossing. readPause() called in
// a "receive" listener stops the events at once: the rest of that read is
// held here, and readResume() delivers it (from a tick of its own, not
// inside the call) before the socket is read again.
//
// TLS: on a secure connection "connect" is emitted after the handshake, so
// verifyPeer() and getPeerCertificate() work in "connect" listeners. TLS
// cannot be half-closed: close() ends a secure connection in both
// directions (close_notify), and the peer's close_notify gives "eof"
// immediately followed by "close".
var binding = process.binding("tcp");

var CONNECT = binding.CONNECT,
    EOF = binding.EOF,
    DRAIN = binding.DRAIN,
    TIMEOUT = binding.TIMEOUT,
    CLOSE = binding.CLOSE,
    CLOSE_ERROR = binding.CLOSE_ERROR,
    FULL = binding.FULL;

var RECEIVE_CHUNK = 8192;

var ENCODINGS = { ascii: "ascii", utf8: "utf8", "utf-8": "utf8", binary: "binary", raw: "binary" };

function checkEncoding(method, encoding) {
  var name = ENCODINGS[String(encoding).toLowerCase()];
  if (name === undefined) {
    throw new Error(method + ': unknown encoding "' + encoding + '": expected "ascii", "utf8" or "binary"');
  }
  return name;
}

// An array of byte values -> a "binary" string, in chunks (apply() has an
// argument limit).
function bytesToString(bytes) {
  var out = "", CHUNK = 8192;
  for (var i = 0; i < bytes.length; i += CHUNK) {
    var part = bytes.slice(i, i + CHUNK);
    for (var j = 0; j < part.length; j++) {
      var b = part[j];
      if (typeof b !== "number") {
        throw new TypeError("send(data): an array must hold byte values (numbers 0-255)");
      }
      part[j] = b & 0xFF;
    }
    out += String.fromCharCode.apply(null, part);
  }
  return out;
}

function nullable(value) {
  return value === undefined ? null : value;
}

// --- tcp.Connection ------------------------------------------------------------

function Connection() {
  process.EventEmitter.call(this);
  this.readyState = "closed";
  this._handle = null;
  // Settings made before connect(), applied to each new socket.
  this._encoding = null;
  this._timeout = null;
  this._noDelay = null;
  this._secure = null;
  this._paused = false;
  // Sends made by "receive" listeners are collected and handed to Python as
  // the dispatch's return value (one crossing instead of one per send).
  this._receiving = 0;
  this._out = null;
  this._held = null; // the rest of a read that readPause() cut short
  this._heldScheduled = false;
  this._full = false; // the write buffer is known to be over its mark
}
process.inherits(Connection, process.EventEmitter);
exports.Connection = Connection;

// The function Python calls for every event of this connection's socket.
Connection.prototype._dispatcher = function () {
  var self = this;
  return function (event) {
    if (typeof event === "string") { // data: the "receive" event
      self._receive(event);
      var out = self._out;
      if (out === null) return;
      self._out = null;
      return out; // written by Python, as "binary", right after this returns
    }
    switch (event) {
      case FULL:
        self._full = true;
        break;
      case CONNECT:
        if (self.readyState === "opening") self.readyState = "open";
        self.emit("connect");
        break;
      case EOF:
        self.readyState = self.readyState === "readOnly" ? "closed" : "writeOnly";
        self.emit("eof");
        break;
      case DRAIN:
        self._full = false;
        self.emit("drain");
        break;
      case TIMEOUT:
        self.emit("timeout");
        break;
      case CLOSE:
      case CLOSE_ERROR:
        self.readyState = "closed";
        self._handle = null;
        self._out = null;
        self._held = null;
        self._full = false;
        self.emit("close", event === CLOSE_ERROR);
        break;
    }
  };
};

// Emits "receive" for `data`, collecting what the listeners send (see the
// dispatcher and _deliverHeld, which write it).
Connection.prototype._receive = function (data) {
  this._receiving++;
  var returned = false;
  try {
    if (data.length <= RECEIVE_CHUNK) this.emit("receive", data);
    else this._receiveInChunks(data);
    returned = true;
  } finally {
    this._receiving--;
    // A listener threw: what it sent goes out now, not with whatever
    // event this connection has next (if any).
    if (!returned && this._receiving === 0) this._flush();
  }
};

Connection.prototype._receiveInChunks = function (data) {
  var i = 0;
  while (i < data.length) {
    if (this._handle === null) return; // closed by a listener: nothing more
    if (this._paused) { // readPause() in a listener
      this._held = data.slice(i);
      return;
    }
    var end = Math.min(i + RECEIVE_CHUNK, data.length);
    var last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
    this.emit("receive", data.slice(i, end));
    i = end;
  }
};

// After readResume(): what readPause() held back, then the socket again
// (unless a listener paused once more).
Connection.prototype._deliverHeld = function () {
  this._heldScheduled = false;
  if (this._paused || this._handle === null) return;
  var held = this._held;
  this._held = null;
  this._receive(held);
  this._flush();
  if (this._held === null && !this._paused && this._handle !== null) binding.readResume(this._handle);
};

Connection.prototype.connect = function (port, host) {
  if (this._handle !== null) {
    throw new Error("connect: the connection is " + this.readyState + "; wait for \"close\" before reusing it");
  }
  if (port === undefined || port === null) throw new TypeError("connect(port, host): port is required");
  this._handle = binding.connect(port, nullable(host), this._dispatcher());
  this.readyState = "opening";
  var handle = this._handle;
  if (this._encoding !== null) binding.setEncoding(handle, this._encoding);
  if (this._timeout !== null) binding.setTimeout(handle, this._timeout);
  if (this._noDelay !== null) binding.setNoDelay(handle, this._noDelay);
  if (this._secure !== null) binding.setSecure(handle, this._secure);
  if (this._paused) binding.readPause(handle);
};

Connection.prototype.setEncoding = function (encoding) {
  this._encoding = checkEncoding("setEncoding", encoding === undefined ? "binary" : encoding);
  if (this._handle !== null) binding.setEncoding(this._handle, this._encoding);
};

Connection.prototype.send = function (data, encoding) {
  var state = this.readyState;
  if (state !== "open" && state !== "writeOnly" && state !== "opening") {
    throw new Error("send: connection is not open for writing (readyState is \"" + state + "\")");
  }
  if (typeof data === "string") {
    if (encoding === undefined) encoding = "ascii";
    else if (encoding !== "binary" && encoding !== "ascii" && encoding !== "utf8") encoding = checkEncoding("send", encoding);
  } else if (data instanceof Array) {
    data = bytesToString(data);
    encoding = "binary";
  } else {
    throw new TypeError("send(data, encoding): data must be a string or an array of byte values");
  }
  // "ascii" and "binary" both write the low 8 bits of each char: inside a
  // "receive" listener they are collected (see the dispatcher) unless the
  // buffer is full, where Python must see the send to refuse it (ENOBUFS).
  if (this._receiving > 0 && !this._full && encoding !== "utf8" && state !== "opening") {
    this._out = this._out === null ? data : this._out + data;
    return true;
  }
  this._flush();
  var ok = binding.send(this._handle, data, encoding);
  if (!ok) this._full = true;
  return ok;
};

// Write what "receive" listeners collected, before anything that must come
// after it (another send, close).
Connection.prototype._flush = function () {
  var out = this._out;
  if (out === null) return;
  this._out = null;
  if (!binding.send(this._handle, out, "binary")) this._full = true;
};

// Half-close: sends FIN once the buffered data is out; "receive" goes on.
Connection.prototype.close = function () {
  if (this._handle === null) return;
  var state = this.readyState;
  if (state === "open" || state === "opening") this.readyState = "readOnly";
  else if (state === "writeOnly") this.readyState = "closed";
  this._flush();
  binding.close(this._handle);
};

Connection.prototype.forceClose = function () {
  if (this._handle === null) return;
  this.readyState = "closed";
  this._out = null; // no more I/O: what was not written is dropped
  this._held = null;
  binding.forceClose(this._handle);
};

Connection.prototype.readPause = function () {
  this._paused = true;
  if (this._handle !== null) binding.readPause(this._handle);
};

Connection.prototype.readResume = function () {
  this._paused = false;
  if (this._handle === null) return;
  if (this._held === null) {
    binding.readResume(this._handle);
  } else if (!this._heldScheduled) {
    this._heldScheduled = true;
    var self = this;
    process.nextTick(function () { self._deliverHeld(); });
  }
};

Connection.prototype.setTimeout = function (timeout) {
  if (typeof timeout !== "number" || !(timeout >= 0)) {
    throw new TypeError("setTimeout(timeout): timeout must be a number of milliseconds >= 0");
  }
  this._timeout = timeout;
  if (this._handle !== null) binding.setTimeout(this._handle, timeout);
};

Connection.prototype.setNoDelay = function (noDelay) {
  this._noDelay = noDelay === undefined ? true : !!noDelay;
  if (this._handle !== null) binding.setNoDelay(this._handle, this._noDelay);
};

Connection.prototype.setSecure = function (format_type, ca_certs, crl_list, private_key, certificate) {
  if (this.server) throw new Error("setSecure: call server.setSecure() for server-side connections");
  this._secure = binding.secureContext(
    format_type === undefined ? "X509_PEM" : format_type,
    nullable(ca_certs), nullable(crl_list), nullable(private_key), nullable(certificate)
  );
  if (this._handle !== null) binding.setSecure(this._handle, this._secure);
};

Connection.prototype.verifyPeer = function () {
  return this._handle === null ? 0 : binding.verifyPeer(this._handle);
};

Connection.prototype.getPeerCertificate = function (format) {
  if (format === undefined) format = "DNstring";
  if (format !== "DNstring") throw new Error('getPeerCertificate(format): format must be "DNstring"');
  return this._handle === null ? null : binding.getPeerCertificate(this._handle, format);
};

exports.createConnection = function (port, host) {
  var connection = new Connection();
  connection.connect(port, host);
  return connection;
};

// --- tcp.Server ----------------------------------------------------------------

function Server(connection_listener) {
  process.EventEmitter.call(this);
  if (connection_listener !== undefined) {
    if (typeof connection_listener !== "function") {
      throw new TypeError("createServer(connection_listener): the listener must be a function");
    }
    this.addListener("connection", connection_listener);
  }
  var self = this;
  this._handle = binding.createServer(
    function (handle, remoteAddress, secure) {
      var connection = new Connection();
      connection._handle = handle;
      connection.server = self; // as in v0.1.22: the server that accepted it
      connection.remoteAddress = remoteAddress;
      connection.readyState = "opening";
      var dispatch = connection._dispatcher();
      self.emit("connection", connection);
      return dispatch;
    },
    function (errorno) {
      self.emit("close", errorno);
    }
  );
}
process.inherits(Server, process.EventEmitter);
exports.Server = Server;

Server.prototype.listen = function (port, host, backlog) {
  if (port === undefined || port === null) throw new TypeError("listen(port, host, backlog): port is required");
  this.port = binding.listen(this._handle, port, nullable(host), backlog === undefined ? 128 : backlog);
};

// Beyond the manual: where the server listens ({address, port}), for port 0.
Server.prototype.address = function () {
  return binding.serverAddress(this._handle);
};

Server.prototype.close = function () {
  binding.closeServer(this._handle);
};

// Every argument is optional, as in v0.1 (programs probe TLS support by
// calling it bare); a server left without private_key and certificate fails
// each handshake, saying why on stderr.
Server.prototype.setSecure = function (format_type, ca_certs, crl_list, private_key, certificate) {
  binding.setServerSecure(
    this._handle, format_type === undefined ? "X509_PEM" : format_type, nullable(ca_certs), nullable(crl_list),
    nullable(private_key), nullable(certificate)
  );
};

exports.createServer = function (connection_listener) {
  return new Server(connection_listener);
};
