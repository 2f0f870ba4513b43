"""The "tcp" binding: Twisted protocol and factories behind tcp.Server and
tcp.Connection (lib/tcp.js).

Layer 1 of DESIGN.md: nothing here knows JavaScript. A connection reports
its events to ONE plain callable, ``on_event(event, argument)``, one call per
I/O event (the binding wraps a JS dispatch function with runtime.callback;
it also sets ``on_receive(text)``, which RECEIVE then uses instead):

  CONNECT  (None)      connected (after the TLS handshake on a secure connection)
  RECEIVE  (str)       data, decoded in the connection's encoding; on_event may
                       return a str to write as "binary" right away (the sends
                       of lib/tcp.js's "receive" listeners, collected: this
                       saves a JS -> Python crossing per echoed message)
  EOF      (None)      the peer sent FIN (or closed its TLS session)
  DRAIN    (None)      the write buffer emptied after it was over the mark
  TIMEOUT  (None)      idle for the timeout; a forced close follows
  CLOSE    (had_error) the connection is gone; nothing follows
  FULL     (None)      data returned for RECEIVE filled the write buffer
                       (send() reports the same by returning False)

Flow control. Each connection registers itself as a streaming producer on its
transport, so Twisted tells it when the transport's write buffer passes its
high-water mark (64 KiB) and when it has emptied again; writes go through an
outbox.Outbox. send() returns False from the moment the buffer is over the
mark, and DRAIN fires when everything has gone out again. A sender that
ignores this keeps being accepted, with False each time, until its
connection holds MAX_UNDRAINED bytes past the mark (64 MiB by default,
environment variable TWISTED_NODE_TCP_MAX_UNDRAINED), or the whole process
MAX_UNDRAINED_TOTAL: the next send() then throws an Error with code "ENOBUFS"
and queues nothing, so memory stays bounded and the program knows exactly
which data was not taken.

Reading. readPause() stops reading from the socket (transport.pauseProducing);
what was already read when it was called (TLS can decrypt several records at
once) is kept, in order, with any EOF/CLOSE, and delivered after
readResume(). (The rest of a read lib/tcp.js was cutting into "receive"
events when the program paused is held there, and delivered before it
resumes reading here.)

Closing. forceClose() and the idle timeout end the connection with an
ordinary close (FIN), as v0.1 did: what the program queued and the
transport holds is dropped, what the kernel already has is still delivered,
and the peer sees an end of stream, not a reset.
"""

from __future__ import annotations

import errno as _errno
import socket

from twisted.internet import defer, error
from twisted.internet.interfaces import (
    IHalfCloseableProtocol,
    IHandshakeListener,
    IPushProducer,
)
from twisted.internet.protocol import ClientFactory, Factory, Protocol
from twisted.python.failure import Failure
from zope.interface import implementer

from twisted_node import encodings
from twisted_node.jsbridge.errors import JSError
from twisted_node.protocols import direct_send, stdio, tls
from twisted_node.protocols.outbox import Outbox

CONNECT, RECEIVE, EOF, DRAIN, TIMEOUT, CLOSE = 1, 2, 3, 4, 5, 6
# Internal: data written for the "receive" listeners (returned by on_event,
# see dataReceived) filled the write buffer. send() tells the same by False.
FULL = 7
CLOSE_ERROR = 8  # CLOSE with had_error true, for lib/tcp.js's one-argument dispatch

DEFAULT_TIMEOUT_MS = 60000
FORCE_CLOSE_GRACE = 5.0  # seconds a forced TLS close may take to flush
DEFAULT_ENCODING = "binary"

_LISTEN_CODES = {
    _errno.EADDRINUSE: "EADDRINUSE",
    _errno.EADDRNOTAVAIL: "EADDRNOTAVAIL",
    _errno.EACCES: "EACCES",
    _errno.EPERM: "EACCES",
}


def _noop(*args) -> None:
    return None


def display_address(host: str) -> str:
    """A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; show a.b.c.d."""
    if host.startswith("::ffff:") and "." in host:
        return host[7:]
    return host


def resolve(runtime_or_reactor, host: str) -> defer.Deferred:
    """Host name -> address without blocking. The one place that chooses the
    resolver: the runtime's DNS module when present, else the reactor's."""
    if tls.is_ip(host):
        return defer.succeed(host)
    runtime = runtime_or_reactor if hasattr(runtime_or_reactor, "reactor") else None
    if runtime is not None:
        try:
            from twisted_node.protocols.dns import resolve_host
        except ImportError:
            pass
        else:
            return defer.maybeDeferred(resolve_host, runtime, host)
    reactor = runtime.reactor if runtime is not None else runtime_or_reactor
    return reactor.resolve(host)


def parse_port(port) -> int:
    """The manual allows the port as a number or a string."""
    try:
        value = int(port) if not isinstance(port, float) or port.is_integer() else None
    except (TypeError, ValueError):
        value = None
    if value is None or not 0 <= value <= 65535:
        raise JSError(f"port must be a number from 0 to 65535, got {port!r}", name="TypeError")
    return value


@implementer(IHalfCloseableProtocol, IHandshakeListener, IPushProducer)
class TCPConnection(Protocol):
    """One TCP (or TLS) connection, client or server side."""

    def __init__(self, reactor, on_event=_noop, *, hostname=None):
        self.reactor = reactor
        self._clock = reactor.seconds
        self.on_event = on_event
        # RECEIVE may have a callable of its own, on_receive(text) (the
        # binding's: one argument less to convert on the hot path).
        self.on_receive = None
        self.on_closed = _noop  # called once, after CLOSE was delivered
        self.hostname = hostname  # client side: checked by verify_peer
        self.decoder = encodings.Decoder(DEFAULT_ENCODING)
        self.remote_address = None
        self.secure = None  # a tls context factory once setSecure was called
        self.connected_at_tcp = False
        self.closed = False
        self.eof_received = False
        self.write_closed = False
        self.handshake_done = False
        self._pending_writes: list[bytes] = []  # sends before the socket connected
        self._no_delay = None
        self._read_paused = False
        self._queue: list[tuple[int, object]] = []  # events held back by readPause
        self._flush_call = None
        self._timeout = DEFAULT_TIMEOUT_MS / 1000.0
        self._timer = None
        self._last_activity = 0.0
        self._forced = False
        self._lost = False  # the transport is gone; CLOSE is being delivered
        self._connector = None
        self._outbox: Outbox | None = None  # once the socket connected
        self._grace_call = None  # see force_close

    # -- Twisted events -----------------------------------------------------

    def connectionMade(self) -> None:
        self.connected_at_tcp = True
        transport = self.transport
        if self._no_delay is not None:
            transport.setTcpNoDelay(self._no_delay)
        if self.secure is not None:
            transport.startTLS(self.secure)
        self._outbox = Outbox(transport)
        transport.registerProducer(self, True)
        if self._read_paused:
            transport.pauseProducing()
        self._touch()
        self._arm_timer()
        pending, self._pending_writes = self._pending_writes, []
        for data in pending:
            self._outbox.write(data, limited=False)  # accepted already
        if self.write_closed:  # close() was called while connecting
            self._shutdown_write()
        if not self._announce():
            return
        if self.secure is None:
            self.on_event(CONNECT, None)

    def _announce(self) -> bool:
        """Server side: tell the server about the new connection (client
        side: nothing to do). False if the connection was refused."""
        return True

    def handshakeCompleted(self) -> None:
        self.handshake_done = True
        if not self.closed:
            self.on_event(CONNECT, None)

    def dataReceived(self, data: bytes) -> None:
        self._last_activity = self._clock()
        if self._read_paused or self._queue:
            # Behind what is held back (reading may resume before the held
            # events are delivered, from the next reactor turn).
            self._queue.append((RECEIVE, data))
            return
        text = self.decoder.decode(data)
        if text:
            self._received(text)

    def _received(self, text: str) -> None:
        # on_event may return what the "receive" listeners sent, as a binary
        # string (lib/tcp.js collects it): written here, saving a crossing.
        on_receive = self.on_receive
        out = on_receive(text) if on_receive is not None else self.on_event(RECEIVE, text)
        if out and not self._lost and not self.write_closed:
            try:
                payload = out.encode("latin-1")  # the common case, inline
            except UnicodeEncodeError:
                payload = encodings.encode(out, "binary")
            # Collected only while the buffer was below its mark: accepted.
            if not self._outbox.write(payload, limited=False):
                self.on_event(FULL, None)

    def readConnectionLost(self) -> None:
        self._deliver(EOF, None)
        if self.write_closed:
            self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        if self.eof_received:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure) -> None:
        self._lost = True
        self._cancel_timer()
        if self._grace_call is not None:
            self._grace_call.cancel()
            self._grace_call = None
        if self._outbox is not None:
            self._outbox.discard()
        clean = reason.check(error.ConnectionDone) is not None
        if (
            clean
            and self.secure is not None
            and not self.eof_received
            and not self.write_closed
            and not self._forced
        ):
            self._deliver(EOF, None)  # the peer ended its TLS session
        self._deliver(CLOSE, not (clean or self._forced))

    # -- flow control: we are the transport's producer ------------------------

    def pauseProducing(self) -> None:
        self._outbox.pause()

    def resumeProducing(self) -> None:
        outbox = self._outbox
        if outbox.paused:
            outbox.resumed()
            if not outbox.paused and not self.closed:
                self.on_event(DRAIN, None)

    def stopProducing(self) -> None:
        pass

    # -- operations (from the binding) ---------------------------------------

    def send(self, data: str, encoding: str = "ascii") -> bool:
        if self.write_closed or self.closed:
            raise JSError("send: connection is not open for writing", code="EPIPE")
        if self._lost:
            # Only reachable from an "eof" listener of a TLS connection (TLS
            # ends both directions at once): the data cannot go anywhere and
            # "close" follows at once.
            return False
        payload = encodings.encode(data, encoding)
        if not self.connected_at_tcp:
            self._pending_writes.append(payload)
            return True
        self._last_activity = self._clock()
        return self._outbox.write(payload)

    def set_encoding(self, encoding) -> None:
        self.decoder = encodings.Decoder(encodings.normalize(encoding, DEFAULT_ENCODING))

    def close(self) -> None:
        """Half-close: FIN after the buffered data, keep reading. TLS cannot
        half-close through Twisted, so a secure connection sends close_notify
        and closes fully once the peer answers."""
        if self.write_closed or self.closed:
            return
        self.write_closed = True
        if self.connected_at_tcp and not self._lost:
            self._shutdown_write()

    def _shutdown_write(self) -> None:
        # After what is still queued: the transport only flushes what it holds.
        self._outbox.when_sent(self._shutdown_write_now)

    def _shutdown_write_now(self) -> None:
        if self._lost:
            return
        transport = self.transport
        transport.unregisterProducer()  # else Twisted waits for the producer
        if self.secure is not None or self.eof_received:
            transport.loseConnection()
        else:
            transport.loseWriteConnection()

    def force_close(self) -> None:
        """No more I/O: close now (FIN), dropping buffered data; CLOSE follows."""
        if self.closed:
            return
        self._forced = True
        self.write_closed = True
        self._queue = [item for item in self._queue if item[0] == CLOSE]
        if self.connected_at_tcp:
            if not self._lost:
                self._outbox.discard()
                transport = self.transport
                transport.unregisterProducer()
                if not direct_send.close_now(transport):
                    # TLS: close_notify after what it holds, within a grace
                    # period (a peer that reads nothing gets a reset).
                    transport.loseConnection()
                    self._grace_call = self.reactor.callLater(FORCE_CLOSE_GRACE, self._abort_if_open)
        elif self._connector is not None:
            self._connector.disconnect()
        else:  # still resolving the host name
            self._deliver(CLOSE, False)

    def _abort_if_open(self) -> None:
        self._grace_call = None
        if not self._lost:
            self.transport.abortConnection()

    def read_pause(self) -> None:
        self._read_paused = True
        if self._live():
            self.transport.pauseProducing()

    def read_resume(self) -> None:
        if not self._read_paused:
            return
        self._read_paused = False
        if self._live() and not self.eof_received:
            self.transport.resumeProducing()
        if self._queue and self._flush_call is None:
            # From a fresh reactor turn: never re-enter JS from inside the
            # readResume() call.
            self._flush_call = self.reactor.callLater(0, self._flush_queue)

    def _flush_queue(self) -> None:
        self._flush_call = None
        while self._queue and not self._read_paused:
            event, argument = self._queue.pop(0)
            if event == RECEIVE:
                text = self.decoder.decode(argument)
                if text:
                    self._received(text)
            else:
                self._deliver(event, argument)

    def set_timeout(self, ms) -> None:
        try:
            ms = float(ms)
        except (TypeError, ValueError):
            raise JSError(f"setTimeout: timeout must be a number of ms, got {ms!r}") from None
        self._timeout = max(0.0, ms) / 1000.0
        self._cancel_timer()
        if self._live():
            self._touch()
            self._arm_timer()

    def set_no_delay(self, flag) -> None:
        self._no_delay = bool(flag)
        if self._live():
            self.transport.setTcpNoDelay(self._no_delay)

    def set_secure(self, context_factory) -> None:
        """Client side: TLS from the start (before connecting) or from now."""
        if self.secure is not None:
            raise JSError("setSecure: the connection is already secure")
        self.secure = context_factory
        if self._live():
            self.transport.startTLS(context_factory)

    def verify_peer(self) -> int:
        if self.secure is None or not self.connected_at_tcp:
            return tls.NO_CERTIFICATE
        return tls.verify_peer(self.transport, self.hostname)

    def peer_dn_string(self) -> str | None:
        if self.secure is None or not self.connected_at_tcp:
            return None
        return tls.peer_dn_string(self.transport)

    # -- internals -------------------------------------------------------------

    def _live(self) -> bool:
        """Connected, and the transport still there to act on."""
        return self.connected_at_tcp and not self._lost

    def _deliver(self, event: int, argument) -> None:
        """EOF and CLOSE, in order behind any data held back by readPause."""
        if self.closed:
            return
        if self._queue or (self._read_paused and not self._forced):
            self._queue.append((event, argument))
            return
        if event == EOF:
            if self.eof_received:
                return
            self.eof_received = True
            rest = self.decoder.flush()
            if rest:
                self._received(rest)
            self.on_event(EOF, None)
        elif event == CLOSE:
            self.closed = True
            self._cancel_timer()
            on_event, self.on_event = self.on_event, _noop  # drop the JS handles
            self.on_receive = None
            try:
                on_event(CLOSE, argument)
            finally:
                self.on_closed()

    def _touch(self) -> None:
        self._last_activity = self.reactor.seconds()

    def _arm_timer(self) -> None:
        if self._timeout > 0 and self._timer is None:
            self._timer = self.reactor.callLater(self._timeout, self._check_idle)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None

    def _check_idle(self) -> None:
        # Activity only records a time stamp (cheap on the hot path); the
        # timer re-arms itself for the remainder until a full idle period.
        self._timer = None
        if self.closed or self._timeout <= 0:
            return
        remaining = self._last_activity + self._timeout - self.reactor.seconds()
        if remaining > 0.001:
            self._timer = self.reactor.callLater(remaining, self._check_idle)
            return
        self.on_event(TIMEOUT, None)
        self.force_close()


class ServerConnection(TCPConnection):
    def _announce(self) -> bool:
        on_event = self.factory.on_connection(self, self.remote_address, self.secure is not None)
        if on_event is None:  # refused (the program ended, or its listener threw)
            self._forced = True
            self.transport.abortConnection()
            return False
        self.on_event = on_event
        return True


class TCPServerFactory(Factory):
    """Builds server-side connections. `on_connection(conn, remote_address,
    secure)` is called for each accepted connection and returns the
    connection's on_event callable."""

    def __init__(self, reactor, on_connection):
        self.reactor = reactor
        self.on_connection = on_connection
        self.secure = None  # tls.ServerContextFactory after setSecure
        self.port = None

    def buildProtocol(self, addr):
        conn = ServerConnection(self.reactor)
        conn.factory = self
        conn.secure = self.secure
        conn.remote_address = display_address(getattr(addr, "host", "") or "")
        return conn

    def listen(self, port, host=None, backlog=128) -> int:
        """Synchronous, as the manual says: errors raise JSError here."""
        port = parse_port(port)
        try:
            backlog = int(backlog) if backlog is not None else 128
        except (TypeError, ValueError):
            raise JSError(f"listen: backlog must be a number, got {backlog!r}") from None
        if host is None or host == "":
            interfaces = ["::", ""] if socket.has_ipv6 else [""]
        else:
            interfaces = [_listen_address(str(host))]
        last = None
        for interface in interfaces:
            try:
                self.port = self.reactor.listenTCP(port, self, backlog, interface)
                break
            except error.CannotListenError as e:
                last = e
                err = getattr(e.socketError, "errno", None)
                # "::" fails without IPv6 support: fall back to IPv4 only.
                if interface == "::" and err in (
                    _errno.EAFNOSUPPORT,
                    _errno.EADDRNOTAVAIL,
                ):
                    continue
                break
        if self.port is None:
            err = getattr(last.socketError, "errno", None)
            code = _LISTEN_CODES.get(err, _errno.errorcode.get(err, "EINVAL"))
            reason = getattr(last.socketError, "strerror", None) or str(last.socketError)
            raise JSError(
                f"listen: cannot listen on {host or '*'}:{port}: {code}, {reason}",
                code=code,
                errno=err or 0,
            )
        return self.port.getHost().port

    def close(self) -> defer.Deferred:
        port, self.port = self.port, None
        if port is None:
            return defer.succeed(None)
        return defer.maybeDeferred(port.stopListening)


def _listen_address(host: str) -> str:
    """listen() is synchronous, so a host name is resolved synchronously
    (normally "localhost" from /etc/hosts); addresses pass through."""
    if tls.is_ip(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise JSError(f"listen: cannot resolve host {host!r}: {e.strerror}", code="ENOTFOUND") from None
    # Prefer IPv4, like the "127.0.0.1" default of createConnection.
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    return infos[0][4][0]


class _OneConnectionFactory(ClientFactory):
    def __init__(self, conn: TCPConnection):
        self.conn = conn

    def buildProtocol(self, addr):
        self.conn.factory = self
        return self.conn

    def clientConnectionFailed(self, connector, reason) -> None:
        conn = self.conn
        conn._deliver(CLOSE, not conn._forced)


def connect(reactor_or_runtime, port, host, on_event, conn: TCPConnection | None = None):
    """Start a client connection; returns the TCPConnection at once (events
    follow). `host` may be a name: it is resolved without blocking."""
    port = parse_port(port)
    host = "127.0.0.1" if host is None or host == "" else str(host)
    reactor = getattr(reactor_or_runtime, "reactor", reactor_or_runtime)
    if conn is None:
        conn = TCPConnection(reactor, on_event, hostname=host)

    def resolved(address):
        if conn.closed:
            return
        conn._connector = reactor.connectTCP(address, port, _OneConnectionFactory(conn))

    def failed(reason):
        conn._deliver(CLOSE, True)

    resolve(reactor_or_runtime, host).addCallbacks(resolved, failed)
    return conn


# -- the binding ------------------------------------------------------------------


def warn_once(server, kind: str) -> None:
    """A TLS client reached a server that has no credentials: said once."""
    if not getattr(server, "warned", False):
        server.warned = True
        port = server.port.getHost().port if server.port is not None else "?"
        stdio.write_stderr(tls.no_credentials_warning(kind, port))


def binding(runtime) -> dict:
    reactor = runtime.reactor

    def js_events(conn: TCPConnection, dispatch, label: str):
        """Wrap a JS dispatch function: one crossing per event, the program
        alive until CLOSE was delivered. JS tells events apart by type:
        dispatch(text) for RECEIVE, dispatch(code) for the others, where
        CLOSE with had_error true is CLOSE_ERROR."""
        conn.on_closed = runtime.loop.hold(label, close=conn.force_close).release
        call = conn.on_receive = runtime.callback(dispatch)

        def on_event(event, argument):
            if event == RECEIVE:
                return call(argument)
            if event == CLOSE and argument:
                event = CLOSE_ERROR
            return call(event)

        return on_event

    def create_server(on_connection, on_close):
        connection_cb = runtime.callback(on_connection)

        def accepted(conn, remote_address, secure):
            if secure and not server.secure.has_credentials:
                warn_once(server, "tcp")
            # JS builds the tcp.Connection, emits "connection" and returns
            # the connection's dispatch function: one crossing.
            dispatch = connection_cb(conn, remote_address, secure)
            if dispatch is None:
                return None
            return js_events(conn, dispatch, "tcp connection")

        server = TCPServerFactory(reactor, accepted)
        server.on_close = runtime.callback(on_close)
        server.hold = None
        return server

    def listen(server, port, host=None, backlog=128):
        if server.port is not None:
            raise JSError("listen: the server is already listening; close() it first")
        bound = server.listen(port, host, backlog)
        if server.hold is None:
            server.hold = runtime.loop.hold("tcp server", close=server.close)
        return bound

    def close_server(server):
        if server.port is None:
            return
        hold, server.hold = server.hold, None

        def closed(result):
            try:
                server.on_close(0)
            finally:
                if hold is not None:
                    hold.release()

        server.close().addBoth(closed)

    def set_server_secure(server, fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        server.secure = tls.server_context_factory(fmt, ca_certs, crl_list, key, cert)
        server.warned = False

    def connect_js(port, host, dispatch):
        port = parse_port(port)  # before taking a hold: a bad port throws
        conn = TCPConnection(reactor, hostname=host or "127.0.0.1")
        conn.on_event = js_events(conn, dispatch, "tcp connection")
        return connect(runtime, port, host, None, conn)

    def secure_context(fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        # Built (and checked) when JS calls setSecure, before or after connect.
        return tls.client_context_factory(fmt, ca_certs, crl_list, key, cert)

    def set_secure(conn, context_factory):
        if not isinstance(conn, TCPConnection) or isinstance(conn, ServerConnection):
            raise JSError("setSecure: only a client connection can be made secure this way")
        conn.set_secure(context_factory.for_host(conn.hostname))

    def get_peer_certificate(conn, fmt="DNstring"):
        if fmt != "DNstring":
            raise JSError(f'getPeerCertificate: format must be "DNstring", got {fmt!r}')
        return conn.peer_dn_string()

    def address(server):
        if server.port is None:
            return None
        host = server.port.getHost()
        return {"address": display_address(host.host), "port": host.port}

    return {
        "CONNECT": CONNECT,
        "RECEIVE": RECEIVE,
        "EOF": EOF,
        "DRAIN": DRAIN,
        "TIMEOUT": TIMEOUT,
        "CLOSE": CLOSE,
        "FULL": FULL,
        "CLOSE_ERROR": CLOSE_ERROR,
        "createServer": create_server,
        "listen": listen,
        "closeServer": close_server,
        "setServerSecure": set_server_secure,
        "serverAddress": address,
        "connect": connect_js,
        "send": TCPConnection.send,  # the hot path: no extra frame
        "setEncoding": lambda conn, encoding: conn.set_encoding(encoding),
        "close": lambda conn: conn.close(),
        "forceClose": lambda conn: conn.force_close(),
        "readPause": lambda conn: conn.read_pause(),
        "readResume": lambda conn: conn.read_resume(),
        "setTimeout": lambda conn, ms: conn.set_timeout(ms),
        "setNoDelay": lambda conn, flag=True: conn.set_no_delay(flag),
        "secureContext": secure_context,
        "setSecure": set_secure,
        "verifyPeer": lambda conn: conn.verify_peer(),
        "getPeerCertificate": get_peer_certificate,
    }
