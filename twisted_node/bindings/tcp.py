"""The "tcp" binding: tcp.Server and tcp.Connection (lib/tcp.js) over
protocols/tcp.py.

Events (bindings/events.py), `onEvent(id, code, ...)`:

  (server id, CONNECTION, handle, remote address, secure) -> the id JS gives
      the new connection (null: refused), or [id, commands]
  (server id, SERVER_CLOSE, errno)    the server stopped listening
  (connection id, RECEIVE, text)      -> what the listeners did (below)
  (connection id, CONNECT | EOF | DRAIN | TIMEOUT)  -> the same; CONNECT:
      connected (after the TLS handshake)
  (connection id, FULL)               the batched writes filled the buffer
      (send() says the same by returning false)
  (connection id, CLOSE, had_error)   nothing follows

What a connection's listeners did to it while its event was dispatched
comes back as the event's result (lib/internal/batch.js): null; the
"binary" string of what they sent; or [that string or null, commands],
the commands being what they called on it besides send, in order
(`run_commands`). The writes are made first, then the commands.

A connection keeps the program alive until its CLOSE was delivered, a
listening server until it is closed.
"""

from __future__ import annotations

import weakref

from twisted_node.bindings.args import dn_format, seconds, wire_bytes
from twisted_node.bindings.events import Events, key
from twisted_node.errors import NodeError
from twisted_node.protocols import dns, listening, tls
from twisted_node.protocols.tcp import (
    CLOSE,
    CONNECT,
    DRAIN,
    EOF,
    RECEIVE,
    TIMEOUT,
    ServerConnection,
    TCPConnection,
    TCPServerFactory,
    connect,
    parse_port,
)

# Event codes of this binding (those of the protocol, and its own).
CONNECTION = 10
SERVER_CLOSE = 11
FULL = 12


def warn_once(server, kind: str, output) -> None:
    """A TLS client reached a server whose setSecure() gave no key and
    certificate: said on the program's stderr (`output`, host.output), once
    (a client cannot make it say more)."""
    if not getattr(server, "warned", False):
        server.warned = True
        where = listening.address(server.port) if server.port is not None else None
        port = where["port"] if isinstance(where, dict) else where or "?"
        output.error(tls.no_credentials_warning(kind, port))


def resolver(reactor):
    """Host names as the program's own lookups see them (the dns module:
    TWISTED_NODE_DNS_SERVERS, the hosts file)."""
    return lambda host: dns.resolve_host(reactor, host)


def run_commands(conn: TCPConnection, commands: str) -> None:
    """What a program called on a connection during one of its events,
    done now, in order (lib/tcp.js _runDeferred): "c" close(), "t<ms>"
    setTimeout, "e<encoding>" setEncoding, "n1" / "n0" setNoDelay, joined
    by newlines. lib/tcp.js checked the arguments when they were called."""
    for command in commands.split("\n"):
        op, argument = command[:1], command[1:]
        if op == "c":
            conn.close()
        elif op == "t":
            conn.set_timeout(seconds(argument, "setTimeout"))
        elif op == "e":
            conn.set_encoding(argument)
        elif op == "n":
            conn.set_no_delay(argument == "1")
        else:
            raise NodeError(f"tcp: unknown connection command {command!r}")


class _Route:
    """Where one connection's events go: JS object `id`. An object of its
    own rather than closures: an idle connection holds it, and this is the
    smallest form (closures and their cells cost about twice as much)."""

    __slots__ = ("events", "raw", "id", "receive_key", "write", "conn")

    def __init__(self, events: Events, id, conn: TCPConnection) -> None:
        self.events = events
        self.raw = events.raw  # set by the event that made the connection known to JS
        self.id = id
        self.receive_key = key(id, RECEIVE)
        self.write = conn.write_batch
        self.conn = conn

    def receive(self, text: str) -> None:
        """The hot path: as few frames as can be (the batch written inline)."""
        out = self.raw(self.receive_key, text)
        if out:
            if out.__class__ is not str:
                self.done(out)
                return
            try:
                data = out.encode("latin-1")
            except UnicodeEncodeError:
                data = wire_bytes(out)
            if not self.write(data):
                self.events(self.id, FULL)

    def event(self, code: int, argument) -> None:
        if code == CLOSE:
            self.events(self.id, CLOSE, bool(argument))
        else:
            out = self.events(self.id, code)
            if out:
                self.done(out)

    def done(self, out) -> None:
        """An event's result (see the module's docstring): its writes, then
        its commands."""
        if out.__class__ is str:
            writes, commands = out, None
        else:
            writes, commands = out[0], out[1]
        if writes and not self.write(wire_bytes(writes)):
            self.events(self.id, FULL)
        if commands:
            run_commands(self.conn, commands)


def binding(host) -> dict:
    reactor = host.reactor
    events = Events(host)
    resolve = resolver(reactor)
    # Connections made again with the same setSecure arguments to the same
    # host and port resume their TLS session (protocols/tls.py).
    client_contexts = tls.ClientContexts()
    ports: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # client connection -> port

    def attach(conn: TCPConnection, id) -> None:
        """The connection's events go to JS object `id`; the program stays
        alive until CLOSE was delivered."""
        conn.on_closed = host.hold("tcp connection", close=conn.force_close).release
        route = _Route(events, id, conn)
        conn.on_receive = route.receive
        conn.on_event = route.event

    def create_server(server_id):
        def accepted(conn, remote_address, secure):
            if secure and not server.secure.has_credentials:
                warn_once(server, "tcp", host.output)
            # JS builds the tcp.Connection, emits "connection" and gives
            # its id, with what the listeners did to it: one crossing.
            id = events(server_id, CONNECTION, conn, remote_address, secure)
            if id is None:
                return None
            commands = None
            if not isinstance(id, int):
                id, commands = id[0], id[1]
            attach(conn, id)
            if commands:
                run_commands(conn, commands)
            return conn.on_event

        server = TCPServerFactory(reactor, accepted)
        server.server_id = server_id
        server.hold = None
        return server

    def listen(server, port, host_name=None, backlog=None):
        if server.port is not None:
            raise NodeError("listen: the server is already listening; close() it first")
        bound = host.listening.listen(server, port, host_name, backlog)
        if server.hold is None:
            server.hold = host.hold("tcp server", close=server.close)
        return bound

    def close_server(server):
        if server.port is None:
            return
        hold, server.hold = server.hold, None

        def closed(result):
            try:
                events(server.server_id, SERVER_CLOSE, 0)
            finally:
                if hold is not None:
                    hold.release()

        server.close().addBoth(closed)

    def set_server_secure(server, fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        # Again on a listening server: new handshakes get the new
        # credentials; on an error the old ones stay.
        server.secure = tls.server_context_factory(fmt, ca_certs, crl_list, key, cert, current=server.secure)
        server.warned = False

    def add_server_context(server, hostname, fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        tls.add_server_context(server.secure, hostname, fmt, ca_certs, crl_list, key, cert)

    def connect_js(id, port, host_name):
        port = parse_port(port)  # before taking a hold: a bad port throws
        conn = TCPConnection(reactor, hostname=host_name or "127.0.0.1")
        ports[conn] = port
        attach(conn, id)
        return connect(reactor, port, host_name, None, conn, resolve)

    def secure_context(fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        # Checked when JS calls setSecure, before or after connect.
        return client_contexts.get(fmt, ca_certs, crl_list, key, cert)

    def set_secure(conn, context_factory):
        if not isinstance(conn, TCPConnection) or isinstance(conn, ServerConnection):
            raise NodeError("setSecure: only a client connection can be made secure this way")
        conn.set_secure(context_factory.for_host(conn.peer_hostname, ports.get(conn)))

    def get_peer_certificate(conn, fmt="DNstring"):
        dn_format(fmt)
        return conn.peer_dn_string()

    def address(server):
        return None if server.port is None else listening.address(server.port)

    return {
        "CONNECTION": CONNECTION,
        "SERVER_CLOSE": SERVER_CLOSE,
        "CONNECT": CONNECT,
        "RECEIVE": RECEIVE,
        "EOF": EOF,
        "DRAIN": DRAIN,
        "TIMEOUT": TIMEOUT,
        "FULL": FULL,
        "CLOSE": CLOSE,
        "init": events.init,
        "createServer": create_server,
        "listen": listen,
        "closeServer": close_server,
        "setServerSecure": set_server_secure,
        "addServerContext": add_server_context,
        "serverAddress": address,
        "connect": connect_js,
        "send": TCPConnection.send,  # the hot path: no frame of our own
        "setEncoding": lambda conn, encoding: conn.set_encoding(encoding),
        "close": lambda conn: conn.close(),
        "run": run_commands,
        "forceClose": lambda conn: conn.force_close(),
        "readPause": lambda conn: conn.read_pause(),
        "readResume": lambda conn: conn.read_resume(),
        "setTimeout": lambda conn, ms: conn.set_timeout(seconds(ms, "setTimeout")),
        "setNoDelay": lambda conn, flag=True: conn.set_no_delay(flag),
        "secureContext": secure_context,
        "setSecure": set_secure,
        "verifyPeer": lambda conn: conn.verify_peer(),
        "getPeerCertificate": get_peer_certificate,
    }
