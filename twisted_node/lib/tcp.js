// tcp: tcp.Server and tcp.Connection (the manual's TCP section), thin objects
// over process.binding("tcp") (twisted_node/bindings/tcp.py, over
// protocols/tcp.py).
//
// Events come through the binding's one event function, onEvent(id, code,
// ...), `id` naming the connection or server in the tables below (they hold
// an object only while it can get events): "receive" one call each, the
// others of a reactor turn together (onEvents, at the turn's end).
//
// Flow control: send() returns false once the write buffer is over its
// high-water mark (64 KiB); "drain" is emitted when it has emptied. Sends
// from a listener of the connection's own events are batched
// (lib/internal/batch.js) and written when the event returns, up to
// BATCH_LIMIT: the send that would go past it writes the batch and itself
// at once, so there the false comes with the send after the one that
// filled the buffer (a "drain" listener that sends until false stops in
// time). A sender that ignores this keeps being accepted (false each time)
// until 64 MiB are queued (or the process's limit): send() then throws an
// Error with code "ENOBUFS" and does not queue that data.
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
var text = internal("text"), batch = internal("batch"), door = internal("host");
var KEY = internal("events").KEY;

var CONNECTION = binding.CONNECTION,
    SERVER_CLOSE = binding.SERVER_CLOSE,
    CONNECT = binding.CONNECT,
    RECEIVE = binding.RECEIVE,
    EOF = binding.EOF,
    DRAIN = binding.DRAIN,
    TIMEOUT = binding.TIMEOUT,
    FULL = binding.FULL,
    EVENTS = binding.EVENTS,
    CLOSE = binding.CLOSE;

var RECEIVE_CHUNK = 8192;
var BATCH_LIMIT = 65536; // the write buffer's high-water mark

var connections = new Map(), servers = new Map();
// Ids of the objects made here are odd; the binding numbers the connections
// a server accepts, with even ones (bindings/tcp_events.py).
var lastId = -1;

function nextId() {
  return (lastId += 2);
}

function nullable(value) {
  return value === undefined ? null : value;
}

function onEvent(id, code, a) {
  if (code === RECEIVE) {
    var receiving = connections.get(id);
    return receiving === undefined ? null : receiving._receive(a); // undefined: refused
  }
  if (code === SERVER_CLOSE) {
    var server = servers.get(id);
    servers.delete(id);
    server.emit("close", a);
    return;
  }
  var conn = connections.get(id);
  if (conn === undefined) return null; // refused (its "connection" listener threw)
  if (code === FULL) {
    conn._full = true;
  } else if (code === CLOSE) {
    connections.delete(id);
    conn.readyState = "closed";
    conn._handle = null;
    conn._batch = null;
    conn._deferred = null;
    conn._held = null;
    conn._full = false;
    conn.emit("close", a);
  } else {
    // What its listeners send or do to the connection comes back as the
    // result (lib/internal/batch.js).
    return batch.dispatch(conn, emitEvent, code);
  }
}

// A reactor turn's connection events other than "receive", in one call at
// its end (bindings/tcp_events.py): args are (key, packed, handles of the
// new connections...). Each is handled as if it had come alone
// (door.asEvent), and the result of each that has one is returned as
// [index, result, ...]; a new connection's is false if it was refused. A
// listener's promise.wait() hands back the events after it, to come during
// the wait (one may be what it waits for), with the results of those
// before it.
var handingUp = null; // the innermost onEvents under way

function onEvents(args) {
  var outer = handingUp;
  var call = handingUp = {items: args[1].split(","), pos: 0, results: null, handles: args, handle: 2};
  try {
    while (call.pos < call.items.length && !door.exiting()) {
      var item = call.items[call.pos++];
      var key = parseInt(item, 10), code = key % KEY, id = (key - code) / KEY, result;
      if (code === CONNECTION) {
        // "<key> <server id> <secure: 1 or 0> <remote address>"
        var handle = call.handles[call.handle++];
        result = door.asEvent(accept, id, handle, item);
        if (!connections.has(id)) result = false;
      } else if (connections.has(id)) {
        result = door.asEvent(onEvent, id, code, item.charCodeAt(item.length - 1) === 33); // "!"
      } else {
        continue; // refused, or closed by the program meanwhile
      }
      if (result || result === false) {
        if (call.results === null) call.results = [];
        call.results.push(call.pos - 1, result);
      }
    }
  } finally {
    handingUp = outer;
  }
  return call.results;
}

function accept(id, handle, item) {
  var a = item.indexOf(" "), b = item.indexOf(" ", a + 1); // around the server id
  var server = servers.get(+item.slice(a + 1, b));
  if (server === undefined) return null;
  return server._accept(id, handle, item.slice(b + 3), item.charCodeAt(b + 1) === 49); // "1": secure
}

door.beforeWait(function () {
  var call = handingUp;
  if (call === null || (call.pos >= call.items.length && call.results === null)) return;
  var results = call.results;
  call.results = null;
  call.items = []; // the loop ends after the event that waits
  binding.handBack(call.pos, results);
});

function emitEvent(conn, code) {
  switch (code) {
    case CONNECT:
      if (conn.readyState === "opening") conn.readyState = "open";
      conn.emit("connect");
      break;
    case EOF:
      conn.readyState = conn.readyState === "readOnly" ? "closed" : "writeOnly";
      conn.emit("eof");
      break;
    case DRAIN:
      conn._full = false;
      conn.emit("drain");
      break;
    case TIMEOUT:
      conn.emit("timeout");
      break;
  }
}

var dispatchEvent = internal("events").handler(onEvent);
binding.init(function (key, a, b, c, d) {
  return key === EVENTS ? onEvents(arguments) : dispatchEvent(key, a, b, c, d);
});

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
  // What listeners send and do to the connection while one of its events
  // is dispatched is gathered (lib/internal/batch.js): sends in _batch;
  // close(), setTimeout(), setEncoding() and setNoDelay() in _deferred.
  this._batch = null;
  this._batchDepth = 0;
  this._deferred = null;
  this._held = null; // the rest of a read that readPause() cut short
  this._heldScheduled = false;
  this._full = false; // the write buffer is known to be over its mark
}
process.inherits(Connection, process.EventEmitter);
exports.Connection = Connection;

// "receive" for `data`; returns what the listeners sent, batched.
Connection.prototype._receive = function (data) {
  return batch.dispatch(this, data.length <= RECEIVE_CHUNK ? emitReceive : emitInChunks, data);
};

function emitReceive(conn, data) {
  conn.emit("receive", data);
}

function emitInChunks(conn, data) {
  var i = 0;
  while (i < data.length) {
    if (conn._handle === null) return; // closed by a listener: nothing more
    if (conn._paused) { // readPause() in a listener
      conn._held = data.slice(i);
      return;
    }
    var end = Math.min(i + RECEIVE_CHUNK, data.length);
    var last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
    conn.emit("receive", data.slice(i, end));
    i = end;
  }
}

// After readResume(): what readPause() held back, then the socket again
// (unless a listener paused once more).
Connection.prototype._deliverHeld = function () {
  this._heldScheduled = false;
  if (this._paused || this._handle === null) return;
  var held = this._held;
  this._held = null;
  batch.run(this, emitInChunks, held);
  if (this._held === null && !this._paused && this._handle !== null) binding.readResume(this._handle);
};

// For batch.flush: what listeners sent, written now.
Connection.prototype._writeBatch = function (data) {
  if (this._handle !== null && !binding.send(this._handle, data, "binary")) this._full = true;
};

// What close() and the setters do to the socket, as the commands of
// bindings/tcp_events.py's run_commands: "c" close(), "t<ms>" setTimeout,
// "e<encoding>" setEncoding, "n1" / "n0" setNoDelay, joined by "\n".
// Gathered with batch.defer while an event of the connection is dispatched
// (the event's result carries them: a crossing saved), else done at once.
function command(conn, cmd) {
  if (!batch.defer(conn, cmd)) binding.run(conn._handle, cmd);
}

// For batch.flush: the gathered commands, done now.
Connection.prototype._runDeferred = function (commands) {
  if (this._handle !== null) binding.run(this._handle, commands);
};

Connection.prototype.connect = function (port, host) {
  if (this._handle !== null) {
    throw new Error("connect: the connection is " + this.readyState + "; wait for \"close\" before reusing it");
  }
  if (port === undefined || port === null) throw new TypeError("connect(port, host): port is required");
  var id = nextId();
  this._handle = binding.connect(id, port, nullable(host));
  connections.set(id, this);
  this.readyState = "opening";
  var handle = this._handle, settings = [];
  if (this._encoding !== null) settings.push("e" + this._encoding);
  if (this._timeout !== null) settings.push("t" + this._timeout);
  if (this._noDelay !== null) settings.push(this._noDelay ? "n1" : "n0");
  if (settings.length > 0) binding.run(handle, settings.join("\n"));
  if (this._secure !== null) binding.setSecure(handle, this._secure);
  if (this._paused) binding.readPause(handle);
};

Connection.prototype.setEncoding = function (encoding) {
  this._encoding = text.encodingName(encoding === undefined ? "binary" : encoding, "setEncoding");
  if (this._handle !== null) command(this, "e" + this._encoding);
};

Connection.prototype.send = function (data, encoding) {
  var state = this.readyState;
  if (state !== "open" && state !== "writeOnly" && state !== "opening") {
    throw new Error("send: connection is not open for writing (readyState is \"" + state + "\")");
  }
  if (typeof data === "string") {
    if (encoding === undefined) encoding = "ascii";
    else if (encoding !== "binary" && encoding !== "ascii" && encoding !== "utf8") {
      encoding = text.encodingName(encoding, "send");
    }
  } else if (data instanceof Array) {
    data = text.bytesToBinary(data, "send(data)");
    encoding = "binary";
  } else {
    throw new TypeError("send(data, encoding): data must be a string or an array of byte values");
  }
  // "ascii" and "binary" both write the low 8 bits of each char: during an
  // event of the connection they are batched, unless the buffer is full,
  // where the binding must see the send to refuse it (ENOBUFS), or the
  // batch would go past BATCH_LIMIT.
  if (
    !this._full && encoding !== "utf8" && state !== "opening" &&
    (this._batch === null || this._batch.length + data.length <= BATCH_LIMIT) && batch.add(this, data)
  ) {
    return true;
  }
  batch.flush(this);
  var ok = binding.send(this._handle, data, encoding);
  if (!ok) this._full = true;
  return ok;
};

// Half-close: sends FIN once the buffered data is out; "receive" goes on.
Connection.prototype.close = function () {
  if (this._handle === null) return;
  var state = this.readyState;
  if (state === "open" || state === "opening") this.readyState = "readOnly";
  else if (state === "writeOnly") this.readyState = "closed";
  // The FIN goes after what listeners sent: with the result of the event
  // being dispatched, if one is, which writes first.
  command(this, "c");
};

Connection.prototype.forceClose = function () {
  if (this._handle === null) return;
  this.readyState = "closed";
  batch.flush(this); // what listeners sent goes as a send() would have
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
  if (this._handle !== null) command(this, "t" + timeout);
};

Connection.prototype.setNoDelay = function (noDelay) {
  this._noDelay = noDelay === undefined ? true : !!noDelay;
  if (this._handle !== null) command(this, this._noDelay ? "n1" : "n0");
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
  this._id = nextId();
  this._handle = binding.createServer(this._id);
}
process.inherits(Server, process.EventEmitter);
exports.Server = Server;

// An accepted connection, `id` numbered by the binding: known here unless a
// "connection" listener throws (it is refused). Returns what the listeners
// did to it, null or [null, commands] (see _runDeferred; their sends are not
// gathered: it is "opening").
Server.prototype._accept = function (id, handle, remoteAddress, secure) {
  var connection = new Connection();
  connection._handle = handle;
  connection.server = this; // as in v0.1.22: the server that accepted it
  connection.remoteAddress = remoteAddress;
  connection.readyState = "opening";
  var out = batch.dispatch(connection, emitConnection, this);
  connections.set(id, connection);
  return out;
};

function emitConnection(connection, server) {
  server.emit("connection", connection);
}

// `port` may also be a UNIX socket path or a Twisted server endpoint string
// ("unix:/run/app.sock", "tcp6:8080", "systemd:domain=INET:index=0"):
// twisted_node/protocols/listening.py.
Server.prototype.listen = function (port, host, backlog) {
  if (port === undefined || port === null) {
    throw new TypeError("listen(port, host, backlog): a port, a UNIX socket path or an endpoint string is required");
  }
  this.port = binding.listen(this._handle, port, nullable(host), nullable(backlog)); // default 511
  servers.set(this._id, this);
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

// Beyond the manual (the later Node name, with setSecure's arguments): the
// credentials for clients asking for `hostname` ("*.example.com": any one
// label) by SNI; setSecure's serve the other names. Again for a name, or
// setSecure again, replaces credentials for the handshakes that follow.
Server.prototype.addContext = function (hostname, format_type, ca_certs, crl_list, private_key, certificate) {
  binding.addServerContext(
    this._handle, hostname, format_type === undefined ? "X509_PEM" : format_type, nullable(ca_certs),
    nullable(crl_list), nullable(private_key), nullable(certificate)
  );
};

exports.createServer = function (connection_listener) {
  return new Server(connection_listener);
};
