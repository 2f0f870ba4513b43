"""The "tcp" binding: tcp.Server and tcp.Connection (lib/tcp.js) over
protocols/tcp.py.

Events (bindings/events.py), `onEvent(id, code, ...)`, one call each:

  (server id, SERVER_CLOSE, errno)    the server stopped listening
  (connection id, RECEIVE, text)      -> what the listeners did (below)
  (connection id, FULL)               the batched writes filled the buffer
      (send() says the same by returning false)
  (0, EVENTS, packed, handle...)      -> [index, result, ...]: the others,
      a reactor turn's of all connections in one call at its end
      (bindings/tcp_events.py), one item each in `packed`, comma-separated:
      "<key> <server id> <secure 1|0> <remote address>" for CONNECTION (a
      server's new connection; its handle is the next of the handles),
      "<key>" for CONNECT (connected, after the TLS handshake), EOF, DRAIN,
      TIMEOUT and CLOSE (nothing follows), "<key>!" for a CLOSE with
      had_error; key = connection id * KEY + code. The result of each item
      that has one, by its index; false for a refused connection.
      handBack(count, results) from inside it: a listener began a
      promise.wait() (tcp_events.Turn.hand_back).

What a connection's listeners did to it while its event was dispatched
comes back as the event's result: see bindings/tcp_events.py.

A connection keeps the program alive until its CLOSE was delivered, a
listening server until it is closed.
"""

from __future__ import annotations

import weakref

from twisted_node.bindings.args import dn_format
from twisted_node.bindings.events import Events
from twisted_node.bindings.tcp_events import CONNECTION, EVENTS, FULL, Route, Turn, run_commands
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

# Event codes of this binding (those of the protocol, and its own;
# CONNECTION, FULL and EVENTS: tcp_events).
SERVER_CLOSE = 11


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


def binding(host) -> dict:
    reactor = host.reactor
    events = Events(host)
    turn = Turn(reactor, events)
    resolve = resolver(reactor)
    # Connections made again with the same setSecure arguments to the same
    # host and port resume their TLS session (protocols/tls.py).
    client_contexts = tls.ClientContexts()
    ports: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # client connection -> port

    def attach(conn: TCPConnection, id) -> Route:
        """The connection's events go to JS object `id`; the program stays
        alive until CLOSE was delivered."""
        route = Route(turn, id, conn, host.hold("tcp connection", close=conn.force_close))
        conn.on_receive = route.receive
        conn.on_event = route
        return route

    def create_server(server_id):
        def accepted(conn, remote_address, secure):
            if secure and not server.secure.has_credentials:
                warn_once(server, "tcp", host.output)
            if host.finished:
                return None
            route = attach(conn, turn.next_id())
            turn.accepted(route, server_id, remote_address, secure)
            return route

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
                turn.before_direct()
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
        "EVENTS": EVENTS,
        "CLOSE": CLOSE,
        "init": events.init,
        "handBack": turn.hand_back,
        "createServer": create_server,
        "listen": listen,
        "closeServer": close_server,
        "setServerSecure": set_server_secure,
        "addServerContext": add_server_context,
        "serverAddress": address,
        "connect": connect_js,
        "send": TCPConnection.send,  # the hot path: no frame of our own
        "run": run_commands,  # close() and the setters (tcp_events.run_commands)
        "forceClose": lambda conn: conn.force_close(),
        "readPause": lambda conn: conn.read_pause(),
        "readResume": lambda conn: conn.read_resume(),
        "secureContext": secure_context,
        "setSecure": set_secure,
        "verifyPeer": lambda conn: conn.verify_peer(),
        "getPeerCertificate": get_peer_certificate,
    }
