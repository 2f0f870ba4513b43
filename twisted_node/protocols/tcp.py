"""TCP (and TLS) connections and servers, pure Twisted: what tcp.Server and
tcp.Connection (lib/tcp.js) stand on; bindings/tcp.py ties them to
JavaScript, and docs/ARCHITECTURE.md puts both in their place.

A connection reports its events to ONE plain callable, ``on_event(event,
argument)``, one call per I/O event:

  CONNECT  (None)      connected (after the TLS handshake on a secure connection)
  RECEIVE  (str)       data, decoded in the connection's encoding (to
                       `on_receive(text)` instead, where one is set)
  EOF      (None)      the peer sent FIN (or closed its TLS session)
  DRAIN    (None)      the write buffer emptied after it was over the mark
  TIMEOUT  (None)      idle for the timeout; a forced close follows
  CLOSE    (had_error) the connection is gone; nothing follows

Flow control. Each connection registers itself as a streaming producer on its
transport, so Twisted tells it when the transport's write buffer passes its
high-water mark (64 KiB) and when it has emptied again; writes go through an
outbox.Outbox. send() returns False from the moment the buffer is over the
mark, and DRAIN fires when everything has gone out again. A sender that
ignores this keeps being accepted, with False each time, until its
connection holds MAX_UNDRAINED bytes past the mark (64 MiB by default,
environment variable TWISTED_NODE_TCP_MAX_UNDRAINED), or the whole process
MAX_UNDRAINED_TOTAL: the next send() then raises a NodeError with code
"ENOBUFS" and queues nothing, so memory stays bounded and the program knows
exactly which data was not taken.

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
from collections.abc import Callable

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
from twisted_node.errors import NodeError
from twisted_node.protocols import tls, twisted_internals
from twisted_node.protocols.outbox import Outbox
from twisted_node.protocols.transport import IdleTimer, PeerCertificates

CONNECT, RECEIVE, EOF, DRAIN, TIMEOUT, CLOSE = 1, 2, 3, 4, 5, 6

DEFAULT_TIMEOUT = 60.0  # seconds
# The manual's default was 128; with it a burst of connections overflows the
# accept queue and clients stall a second on SYN retransmission. Node.js
# later chose 511 (capped by the kernel's somaxconn), and so do we.
DEFAULT_BACKLOG = 511
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


def _set_no_delay(transport, flag: bool) -> None:
    try:
        transport.setTcpNoDelay(flag)
    except OSError:  # a UNIX socket: no Nagle to turn off (Node ignores it too)
        pass


def display_address(host: str) -> str:
    """A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; show a.b.c.d."""
    if host.startswith("::ffff:") and "." in host:
        return host[7:]
    return host


Resolver = Callable[[str], defer.Deferred]


def resolve(reactor, host: str, resolver: Resolver | None = None) -> defer.Deferred:
    """Host name -> address without blocking: `resolver(host)` (the bindings
    give the dns module's), else the reactor's."""
    if tls.is_ip(host):
        return defer.succeed(host)
    if resolver is not None:
        return defer.maybeDeferred(resolver, host)
    return reactor.resolve(host)


def parse_port(port) -> int:
    """The manual allows the port as a number or a string."""
    try:
        value = int(port) if not isinstance(port, float) or port.is_integer() else None
    except (TypeError, ValueError):
        value = None
    if value is None or not 0 <= value <= 65535:
        raise NodeError(f"port must be a number from 0 to 65535, got {port!r}", name="TypeError")
    return value


@implementer(IHalfCloseableProtocol, IHandshakeListener, IPushProducer)
class TCPConnection(Protocol, PeerCertificates):
    """One TCP (or TLS) connection, client or server side."""

    def __init__(self, reactor, on_event=_noop, *, hostname=None):
        self.reactor = reactor
        self._clock = reactor.seconds
        self.on_event = on_event
        # RECEIVE may go to a callable of its own, on_receive(text): the hot
        # path, one call and one argument fewer (a binding sets it).
        self.on_receive = self._receive_as_event
        self.on_closed = _noop  # called once, after CLOSE was delivered
        self.peer_hostname = hostname  # client side: checked by verify_peer
        self.decoder = encodings.Decoder(DEFAULT_ENCODING)
        self.remote_address = None
        self.secure = None  # a tls context factory once setSecure was called
        self.connected_at_tcp = False
        self.closed = False
        self.eof_received = False
        self.write_closed = False
        self.handshake_done = False
        self._pending_writes: list[bytes] | None = None  # sends before the socket connected
        self._no_delay = None
        self._read_paused = False
        # Events held back by readPause; made when first needed (an empty
        # list per idle connection is memory for nothing).
        self._queue: list[tuple[int, object]] | None = None
        self._flush_call = None
        self._idle = IdleTimer(reactor, self._timed_out, DEFAULT_TIMEOUT)
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
            _set_no_delay(transport, self._no_delay)
        if self.secure is not None:
            twisted_internals.start_tls(transport, self.secure)
        self._outbox = Outbox(transport)
        transport.registerProducer(self, True)
        if self._read_paused:
            transport.pauseProducing()
        self._idle.start()
        pending, self._pending_writes = self._pending_writes or (), None
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
        self._idle.last = self._clock()  # touch(), inline: the hot path
        if self._read_paused or self._queue:
            # Behind what is held back (reading may resume before the held
            # events are delivered, from the next reactor turn).
            self._hold_back(RECEIVE, data)
            return
        text = self.decoder.decode(data)
        if text:
            self.on_receive(text)

    def _receive_as_event(self, text: str) -> None:
        self.on_event(RECEIVE, text)

    def readConnectionLost(self) -> None:
        self._deliver(EOF, None)
        if self.write_closed:
            self.transport.loseConnection()

    def writeConnectionLost(self) -> None:
        if self.eof_received:
            self.transport.loseConnection()

    def connectionLost(self, reason: Failure) -> None:
        self._lost = True
        self._idle.stop()
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
        """send(data, encoding): a string in the manual's encodings."""
        return self.write(encodings.encode(data, encoding))

    def write(self, payload: bytes) -> bool:
        """send(): False once over the mark; over the outbox's limits a
        NodeError (ENOBUFS), and nothing is queued."""
        if self.write_closed or self.closed:
            raise NodeError("send: connection is not open for writing", code="EPIPE")
        if self._lost:
            # Only reachable from an "eof" listener of a TLS connection (TLS
            # ends both directions at once): the data cannot go anywhere and
            # "close" follows at once.
            return False
        if not self.connected_at_tcp:
            if self._pending_writes is None:
                self._pending_writes = []
            self._pending_writes.append(payload)
            return True
        self._idle.touch()
        return self._outbox.write(payload)

    def write_batch(self, payload: bytes) -> bool:
        """What the program sent while an event of this connection was being
        handled (bindings/events.py), written when the event returns. It was
        gathered only while the buffer was below its mark, so it is taken
        whatever the limits say. False: the buffer is over its mark now."""
        if self._lost or self.write_closed or not self.connected_at_tcp:
            return True
        return self._outbox.write(payload, "send", False)

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
        if self._queue:
            self._queue = [item for item in self._queue if item[0] == CLOSE]
        if self.connected_at_tcp:
            if not self._lost:
                self._outbox.discard()
                transport = self.transport
                transport.unregisterProducer()
                if not twisted_internals.close_now(transport):
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

    def _hold_back(self, event: int, argument) -> None:
        if self._queue is None:
            self._queue = []
        self._queue.append((event, argument))

    def _flush_queue(self) -> None:
        self._flush_call = None
        while self._queue and not self._read_paused:
            event, argument = self._queue.pop(0)
            if event == RECEIVE:
                text = self.decoder.decode(argument)
                if text:
                    self.on_receive(text)
            else:
                self._deliver(event, argument)

    def set_timeout(self, seconds: float) -> None:
        """Idle timeout; 0 disables it."""
        self._idle.set_timeout(seconds, running=self._live())

    def set_no_delay(self, flag) -> None:
        self._no_delay = bool(flag)
        if self._live():
            _set_no_delay(self.transport, self._no_delay)

    def set_secure(self, context_factory) -> None:
        """Client side: TLS from the start (before connecting) or from now."""
        if self.secure is not None:
            raise NodeError("setSecure: the connection is already secure")
        self.secure = context_factory
        if self._live():
            twisted_internals.start_tls(self.transport, context_factory)

    # -- internals -------------------------------------------------------------

    def _live(self) -> bool:
        """Connected, and the transport still there to act on."""
        return self.connected_at_tcp and not self._lost

    def _tls_live(self) -> bool:
        return self.connected_at_tcp

    def _deliver(self, event: int, argument) -> None:
        """EOF and CLOSE, in order behind any data held back by readPause."""
        if self.closed:
            return
        if self._queue or (self._read_paused and not self._forced):
            self._hold_back(event, argument)
            return
        if event == EOF:
            if self.eof_received:
                return
            self.eof_received = True
            rest = self.decoder.flush()
            if rest:
                self.on_receive(rest)
            self.on_event(EOF, None)
        elif event == CLOSE:
            self.closed = True
            self._idle.stop()
            on_event, self.on_event = self.on_event, _noop  # drop what the binding gave
            self.on_receive = _noop
            try:
                on_event(CLOSE, argument)
            finally:
                self.on_closed()

    def _timed_out(self) -> None:
        if not self.closed:
            self.on_event(TIMEOUT, None)
            self.force_close()


class ServerConnection(TCPConnection):
    def _announce(self) -> bool:
        factory = self.factory
        on_event = factory.on_connection(self, self.remote_address, self.secure is not None)
        if on_event is None:  # refused (the program ended)
            self.refuse()
            return False
        self.on_event = on_event
        factory.connections.add(self)  # a graceful stop waits for it
        return True

    def refuse(self) -> None:
        """The program will not have it (its "connection" listener threw):
        gone at once, without a word to the peer."""
        if not self._lost:
            self._forced = True
            self.transport.abortConnection()

    def connectionLost(self, reason: Failure) -> None:
        super().connectionLost(reason)
        self.factory.connection_ended(self)


class TCPServerFactory(Factory):
    """Builds server-side connections. `on_connection(conn, remote_address,
    secure)` is called for each accepted connection and returns the
    connection's on_event callable."""

    def __init__(self, reactor, on_connection):
        self.reactor = reactor
        self.on_connection = on_connection
        self.secure = None  # tls.ServerContextFactory after setSecure
        self.port = None
        self.connections: set = set()  # those open, for a graceful stop
        self._all_ended: list[defer.Deferred] = []

    def buildProtocol(self, addr):
        conn = ServerConnection(self.reactor)
        conn.factory = self
        conn.secure = self.secure
        conn.remote_address = display_address(getattr(addr, "host", "") or "")
        return conn

    def listen(self, port, host=None, backlog=DEFAULT_BACKLOG, listen_tcp=None) -> int:
        """Synchronous, as the manual says: errors raise NodeError here.
        `listen_tcp`: reactor.listenTCP's twin for ports shared by workers
        (protocols/listening.py); other ways to listen are there too."""
        port = parse_port(port)
        try:
            backlog = int(backlog) if backlog is not None else DEFAULT_BACKLOG
        except (TypeError, ValueError):
            raise NodeError(f"listen: backlog must be a number, got {backlog!r}") from None
        if listen_tcp is None:
            listen_tcp = self.reactor.listenTCP
        if host is None or host == "":
            interfaces = ["::", ""] if socket.has_ipv6 else [""]
        else:
            interfaces = [_listen_address(str(host))]
        last = None
        for interface in interfaces:
            try:
                self.port = listen_tcp(port, self, backlog, interface)
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
            raise listen_error(f"{host or '*'}:{port}", last)
        return self.port.getHost().port

    def close(self) -> defer.Deferred:
        port, self.port = self.port, None
        if port is None:
            return defer.succeed(None)
        return defer.maybeDeferred(port.stopListening)

    # -- a graceful stop (protocols/listening.py's stop_all) -------------------

    def stop_gracefully(self, close_port) -> defer.Deferred:
        """Stop listening, through `close_port(port)` (a Deferred; what the
        kernel queued meanwhile is accepted and served), then fire once every
        connection of this server has ended."""
        port, self.port = self.port, None
        closed = close_port(port) if port is not None else defer.succeed(None)
        return closed.addCallback(lambda _: self.when_all_ended())

    def when_all_ended(self) -> defer.Deferred:
        if not self.connections:
            return defer.succeed(None)
        d = defer.Deferred()
        self._all_ended.append(d)
        return d

    def connection_ended(self, conn) -> None:
        self.connections.discard(conn)
        if not self.connections and self._all_ended:
            waiting, self._all_ended = self._all_ended, []
            for d in waiting:
                d.callback(None)

    def abort_connections(self) -> None:
        """The graceful stop's time is up: close what is left (FIN)."""
        for conn in list(self.connections):
            conn.force_close()


def listen_error(where: str, e: error.CannotListenError) -> NodeError:
    """The Error listen() throws when the OS refuses: EADDRINUSE and the like."""
    err = getattr(e.socketError, "errno", None)
    code = _LISTEN_CODES.get(err, _errno.errorcode.get(err, "EINVAL"))
    reason = getattr(e.socketError, "strerror", None) or str(e.socketError)
    return NodeError(f"listen: cannot listen on {where}: {code}, {reason}", code=code, errno=err or 0)


def _listen_address(host: str) -> str:
    """listen() is synchronous, so a host name is resolved synchronously
    (normally "localhost" from /etc/hosts); addresses pass through."""
    if tls.is_ip(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise NodeError(f"listen: cannot resolve host {host!r}: {e.strerror}", code="ENOTFOUND") from None
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


def connect(
    reactor, port, host, on_event, conn: TCPConnection | None = None, resolver: Resolver | None = None
):
    """Start a client connection; returns the TCPConnection at once (events
    follow). `host` may be a name: it is resolved without blocking (see
    resolve)."""
    port = parse_port(port)
    host = "127.0.0.1" if host is None or host == "" else str(host)
    if conn is None:
        conn = TCPConnection(reactor, on_event, hostname=host)

    def resolved(address):
        if conn.closed:
            return
        conn._connector = reactor.connectTCP(address, port, _OneConnectionFactory(conn))

    def failed(reason):
        conn._deliver(CLOSE, True)

    resolve(reactor, host, resolver).addCallbacks(resolved, failed)
    return conn
