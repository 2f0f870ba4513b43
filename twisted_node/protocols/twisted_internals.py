"""The one place that reads Twisted's private attributes (of
twisted.internet.tcp.Connection: its write buffer and close machinery), for
two things Twisted's public API cannot do. Both check the attributes they
use (`possible`) and fall back to the public API where they are missing;
tests/test_twisted_internals.py fails loudly when a Twisted release changes
them, so that the speed-up or the clean close is not lost in silence.

Writer: writing to a plain TCP transport without the epoll round trip.
Twisted's transport.write() queues, asks the reactor to watch the socket for
writability and sends on the next loop iteration: two epoll_ctl calls and
one more event per write. When the transport's buffer is empty, Writer puts
the data in it without the watch, and sends it at the end of the reactor's
turn (_Flusher), with the turn's other writes: under load the reads of one
poll are all handled before any peer is woken with its answer, which costs
far less per request than answering each at once (sending each at once was
this module's first way). What the socket does not take is left to the
reactor as usual, and whatever Twisted does to the transport meanwhile
(loseConnection, write) finds the data in its own buffer, so ordering,
producer signals ("drain") and closing behave exactly as before. On a
connection with TLS, transport.write encrypts first: a turn's small writes
are gathered and encrypted together at the end of the turn, with the other
connections' (start_tls's _TurnAggregator, in place of Twisted's callLater
per connection), and the ciphertext goes to the socket at once (start_tls's
transport for the TLS layer).

close_now: forceClose()'s ordinary close (see there).

replace_tls_connection: a server TLS connection made again, from another
context, before its first byte (see tls_tickets).

start_tls: transport.startTLS() without the work Twisted repeats for every
connection (see there): about a tenth of a resumed TLS handshake's CPU; and
the ciphertext sent at once as Writer sends plain TCP.

LeanEPollReactor: the epoll reactor without the logging context Twisted
sets up around each socket event (log.callWithLogger copies the log context
dict and pushes it for every read and write, about a fifth of the CPU an
HTTP request costs). Exceptions are caught and logged as before; what they
log lacks the selectable's prefix ("system"). The command-line runner
installs it (install_lean_reactor); under twistd or in a host application
the reactor is theirs, and nothing changes.

accept_queued_then_close: a listening port closed at once after accepting
what the kernel queued on it (a graceful stop: protocols/listening.py).
keep_socket_file: a UNIX socket passed by systemd keeps its path when we
stop listening on it. use_systemd_sockets: the systemd endpoint string uses
the sockets we captured at start (Twisted reads the environment once, when
its endpoints module is first imported, and ignores sockets without names).
"""

from __future__ import annotations

import select

from twisted.internet import tcp as twisted_tcp
from twisted.internet.abstract import FileDescriptor
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import ISSLTransport
from twisted.protocols.tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from zope.interface import directlyProvides, providedBy
from zope.interface.declarations import Declaration
from twisted.python import log
from twisted.python.failure import Failure

_FIELDS = (
    "TLS",
    "writeSomeData",
    "dataBuffer",
    "offset",
    "_tempDataBuffer",
    "_tempDataLen",
    "connected",
    "disconnected",
    "disconnecting",
    "_writeDisconnecting",
    "reactor",
    "stopReading",
    "stopWriting",
    "startWriting",
    "doWrite",
    "_maybePauseProducer",
    "connectionLost",
)


# Writes this large go to the socket at once when nothing waits before them:
# a bulk transfer gains nothing from waiting for the turn's end, and would
# pay a copy (Twisted's doWrite joins its buffer). Measured with bench/tcp.py:
# throughput 0.89x when these waited too.
SEND_AT_ONCE = 16 * 1024


class Writer:
    """write(data) for one connection's transport: sent by the end of this
    turn of the reactor, without the epoll round trip (see the module's
    docstring)."""

    __slots__ = ("transport", "direct", "due")

    def __init__(self, transport) -> None:
        self.transport = transport
        self.direct = possible(transport)
        self.due = False  # data of ours waits in the transport for _Flusher

    def write(self, data: bytes) -> None:
        transport = self.transport
        if not self.direct or transport.TLS:
            transport.write(data)
        elif self.due and transport.connected:
            self._make_due(data)  # behind what is due already
        elif not _socket_idle(transport):
            transport.write(data)  # behind what waits for writability
        elif len(data) < SEND_AT_ONCE:
            self._make_due(data)
            self.due = True
            _flusher(transport.reactor).add(self)
        else:
            data = _send_now(transport, data)  # bulk: now, without a copy or a wait
            if data:
                transport.write(data)

    def _make_due(self, data: bytes) -> None:
        # Into the transport's buffer, as transport.write() puts it, but
        # without asking the reactor to watch for writability: sent at the
        # end of this turn, with whatever else is written meanwhile.
        # Whatever Twisted does to the transport before then (close it,
        # write to it) finds the data where its own would be.
        transport = self.transport
        transport._tempDataBuffer.append(data)
        transport._tempDataLen += len(data)
        transport._maybePauseProducer()

    def flush(self) -> None:
        """Send what waits, as the transport's doWrite() does; what the
        socket does not take (or an error) is left to the reactor, which
        watches for writability as after any transport.write()."""
        self.due = False
        transport = self.transport
        if not transport.connected or transport.disconnecting or transport._writeDisconnecting:
            return  # closing: Twisted writes the buffer out itself (loseConnection watches for it)
        if not transport._tempDataLen and len(transport.dataBuffer) == transport.offset:
            return
        failed = transport.doWrite()
        if failed is not None or transport._tempDataLen or len(transport.dataBuffer) > transport.offset:
            transport.startWriting()


class _Flusher:
    """The writers with data due, flushed once per reactor turn (a
    callLater(0) runs before the reactor polls again). Sending a turn's
    responses together, after its reads, rather than each as it is made:
    under load, about a third less CPU per HTTP request than sending each
    at once (28 vs 44 us, wrk over 50 connections), as the reads of one
    poll are all handled before the peers are woken with their answers.
    What at_turn_end() was given runs first, so that what it writes goes
    out in the same turn."""

    __slots__ = ("reactor", "writers", "first", "call")

    def __init__(self, reactor) -> None:
        self.reactor = reactor
        self.writers: list[Writer] = []
        self.first: list = []  # at_turn_end's callables
        self.call = None

    def add(self, writer: Writer) -> None:
        self.writers.append(writer)
        if self.call is None:
            self.call = self.reactor.callLater(0, self.flush)

    def add_first(self, fn) -> None:
        self.first.append(fn)
        if self.call is None:
            self.call = self.reactor.callLater(0, self.flush)

    def flush(self) -> None:
        self.call = None
        while self.first:  # what these add (more of them, writers) is done in this flush too
            first, self.first = self.first, []
            for fn in first:
                try:
                    fn()
                except Exception:
                    log.err(None, "twisted_node: work at the end of a reactor turn")
        self.send()

    def send(self) -> None:
        writers, self.writers = self.writers, []
        for writer in writers:
            try:
                writer.flush()
            except Exception:
                log.err(None, "twisted_node: sending a connection's data")


def send_due(reactor) -> None:
    """Send what is due this turn now (a program ending: the handles are
    about to close, and what it wrote last must go out as it would have
    had it been sent at once)."""
    flusher = _FLUSHERS.get(reactor)
    if flusher is not None and flusher.writers:
        if not flusher.first and flusher.call is not None and flusher.call.active():
            flusher.call.cancel()
            flusher.call = None
        flusher.send()


def at_turn_end(reactor, fn) -> None:
    """Have fn() called once, at the end of this turn of the reactor (before
    it polls again), before the turn's writes are sent: what fn writes goes
    out with them. Exceptions are logged."""
    _flusher(reactor).add_first(fn)


def _flusher(reactor) -> _Flusher:
    flusher = _FLUSHERS.get(reactor)
    if flusher is None:
        flusher = _FLUSHERS[reactor] = _Flusher(reactor)
    return flusher


_FLUSHERS: dict = {}  # reactor -> its _Flusher (a process has one reactor, tests a few)


def _send_now(transport, data: bytes) -> bytes:
    """Send what the socket takes now; the rest (b"" if none)."""
    sent = transport.writeSomeData(data)
    # An int is what the socket took; anything else (an error) is left to
    # the transport, which meets it again and closes as usual.
    if isinstance(sent, int) and sent > 0:
        return data[sent:]
    return data


def possible(transport) -> bool:
    """A Twisted TCP connection with the fields Writer reads (known per
    class: its __init__ sets them, or the class has them)."""
    cls = type(transport)
    known = _POSSIBLE.get(cls)
    if known is None:
        known = _POSSIBLE[cls] = isinstance(transport, twisted_tcp.Connection) and all(
            hasattr(transport, name) for name in _FIELDS
        )
    return known


_POSSIBLE: dict = {}  # transport class -> possible() (a few classes)


def close_now(transport) -> bool:
    """End a plain TCP connection at once with an ordinary close (FIN), as
    forceClose() must: what the transport holds unsent gets one try at the
    socket (data a Writer made due this turn would have been sent by now:
    what the kernel takes goes out before the FIN), the rest is dropped.
    loseConnection() would wait to write first (forever, if the peer reads
    nothing); abortConnection() resets. This is abortConnection's way, with
    a clean close at the end. False where it cannot be done (TLS, another
    transport): the caller closes as it can."""
    if not possible(transport) or transport.TLS or transport.disconnected:
        return False
    unsent = transport.dataBuffer[transport.offset :] + b"".join(transport._tempDataBuffer)
    if unsent and transport.connected:
        _send_now(transport, unsent)
    transport.dataBuffer = b""
    transport.offset = 0
    transport._tempDataBuffer = []
    transport._tempDataLen = 0
    transport.stopReading()
    transport.stopWriting()
    transport.doRead = transport.doWrite = _nothing  # no more I/O on it meanwhile
    transport.reactor.callLater(0, transport.connectionLost, Failure(ConnectionDone()))
    return True


def _nothing(*args) -> None:
    return None


def _socket_idle(transport) -> bool:
    """Nothing queued in the transport before what comes now (TLS or not:
    below TLS, see _UndeclaredBypass)."""
    return (
        transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnecting
        and not transport._tempDataLen
        and len(transport.dataBuffer) == transport.offset
    )


def tls_connection_replaceable(tls_protocol) -> bool:
    """A Twisted TLS protocol, whose OpenSSL connection (once made: see
    replace_tls_connection) can be replaced."""
    return isinstance(tls_protocol, TLSMemoryBIOProtocol)


def replace_tls_connection(tls_protocol, connection) -> bool:
    """Have a server TLS protocol that has received nothing yet use
    `connection` (an SSL.Connection) instead of the one its factory made,
    set up as Twisted sets up its own. False if this Twisted keeps it
    elsewhere (the caller goes on with the one made)."""
    if getattr(tls_protocol, "_tlsConnection", None) is None:
        return False
    connection.set_accept_state()
    connection.set_app_data(tls_protocol)
    tls_protocol._tlsConnection = connection
    return True


# -- starting TLS -----------------------------------------------------------------

try:
    from twisted.internet._newtls import ConnectionMixin as _TLSMixin, _BypassTLS
except ImportError:  # a Twisted without them: start_tls is transport.startTLS
    _TLSMixin = _BypassTLS = None
try:
    from twisted.protocols.tls import _AggregateSmallWrites
except ImportError:  # a Twisted without it: its own aggregation stays
    _AggregateSmallWrites = None


if _BypassTLS is not None:

    class _UndeclaredBypass(_BypassTLS):
        """Twisted's transport for the TLS layer (it writes past the
        encryption), declaring no interfaces. TLSMemoryBIOProtocol's
        makeConnection copies onto itself, one directlyProvides call each,
        every interface its transport provides (ten for a TCP connection,
        each declaration made and dropped: zope keeps them weakly). With
        this transport it copies nothing; start_tls gives the layer the
        declaration it would have ended with, computed once per class."""

        # What zope.interface's providedBy() returns: a declaration without
        # bases, whose iteration ends at once (the class's own would walk
        # the bases for nothing). __provides__ too, or __getattr__ would
        # hand over the transport's.
        __providedBy__ = Declaration()
        __provides__ = None

        _direct = False  # set by start_tls where Writer's way is possible

        def write(self, data: bytes) -> None:
            # Ciphertext goes to the socket at once when nothing waits before
            # it, as Writer does for plain TCP.
            connection = self._connection
            if self._direct and _socket_idle(connection):
                data = _send_now(connection, data)
                if not data:
                    return
            self._base.write(connection, data)


def start_tls(transport, creator) -> None:
    """transport.startTLS(creator), for a TCP transport of Twisted's: the
    same TLS layer, made as Twisted's startTLS makes it, less what that
    repeats for every connection: a TLSMemoryBIOFactory (one per `creator`
    here, kept on it) and zope interface declarations (the transport's
    ISSLTransport and what the layer copies from the transport: computed
    once per class, see _UndeclaredBypass); and the layer's small writes
    gathered per reactor turn (_TurnAggregator). Where this Twisted differs
    from what it reads, transport.startTLS does it."""
    if not _lean_tls_possible(transport):
        transport.startTLS(creator)
        return
    client = transport._tlsClientDefault
    producer, streaming = transport.producer, transport.streamingProducer
    if producer is not None:
        transport.unregisterProducer()
    factory = _tls_factory(creator, client)
    tls_protocol = factory.protocol(factory, transport.protocol, False)
    if _AggregateSmallWrites is not None and isinstance(
        getattr(tls_protocol, "_aggregator", None), _AggregateSmallWrites
    ):
        aggregator = _TurnAggregator(tls_protocol, _flusher(transport.reactor))
        tls_protocol._aggregator = aggregator
        tls_protocol.write = aggregator.write
    transport.protocol = tls_protocol
    transport.getHandle = tls_protocol.getHandle
    transport.getPeerCertificate = tls_protocol.getPeerCertificate
    _declare_once(transport, ("ssl", type(transport)), lambda: directlyProvides(transport, ISSLTransport))
    _declare_once(
        tls_protocol,
        ("layer", type(tls_protocol), type(transport)),
        lambda: _copy_declarations(tls_protocol, transport),
    )
    transport.TLS = True
    bypass = _UndeclaredBypass(FileDescriptor, transport)
    bypass._direct = possible(transport)
    if client:
        tls_protocol.makeConnection(bypass)
    else:
        # makeConnection's first handshake step, on a server, can only find
        # that no ClientHello has come (OpenSSL's "want read", an exception
        # in pyOpenSSL: about 3% of a resumed TLS handshake's CPU); the
        # first data received takes that step anyway.
        tls_protocol._aborted = True
        try:
            tls_protocol.makeConnection(bypass)
        finally:
            tls_protocol._aborted = False
    if producer is not None:
        transport.registerProducer(producer, streaming)


class _TurnAggregator:
    """A TLS connection's small writes gathered and encrypted together, as
    Twisted's BufferingTLSTransport gathers them, but flushed with the
    reactor turn's other writes (_Flusher: one callLater per turn) instead
    of a callLater(0) of each connection's own."""

    __slots__ = ("_encrypt", "_flusher", "_buffer", "_size", "due")

    LIMIT = 64_000  # as Twisted's: past it, encrypted at once

    def __init__(self, tls_protocol, flusher) -> None:
        self._encrypt = TLSMemoryBIOProtocol.write.__get__(tls_protocol)
        self._flusher = flusher
        self._buffer: list[bytes] = []
        self._size = 0
        self.due = False

    def write(self, data: bytes) -> None:
        self._buffer.append(bytes(data))
        self._size += len(data)
        if self._size > self.LIMIT:
            self.flush()
        elif not self.due:
            self.due = True
            self._flusher.add(self)

    def flush(self) -> None:
        self.due = False
        buffer = self._buffer
        if buffer:
            data = buffer[0] if len(buffer) == 1 else b"".join(buffer)
            self._buffer = []
            self._size = 0
            self._encrypt(data)

    def close(self) -> None:
        self._buffer = []  # the connection is gone: nothing more to send
        self._size = 0


def _lean_tls_possible(transport) -> bool:
    return (
        _BypassTLS is not None
        and getattr(type(transport), "startTLS", None) is _TLSMixin.startTLS
        and hasattr(transport, "_tlsClientDefault")
        and hasattr(transport, "streamingProducer")
        and getattr(TLSMemoryBIOProtocol, "_aborted", None) is False  # start_tls skips a step with it
    )


def _tls_factory(creator, client: bool) -> TLSMemoryBIOFactory:
    # An attribute of the creator, not a WeakKeyDictionary: the factory
    # holds the creator, which would keep such an entry alive for ever.
    factories = getattr(creator, "_twisted_node_tls_factories", None)
    if factories is None:
        factories = {}
        try:
            creator._twisted_node_tls_factories = factories
        except AttributeError:  # a creator with __slots__: one factory per connection, as Twisted
            pass
    factory = factories.get(client)
    if factory is None:
        # Twisted's BufferingTLSTransport stays, though it holds each write
        # for a callLater(0): without it, HTTPS keep-alive cost more CPU per
        # request, not less (encrypting in the middle of reading, measured).
        factory = factories[client] = TLSMemoryBIOFactory(creator, client, None)
    return factory


def _copy_declarations(tls_protocol, transport) -> None:
    """What TLSMemoryBIOProtocol.makeConnection declares on the layer."""
    for interface in providedBy(transport):
        directlyProvides(tls_protocol, interface)


_DECLARATIONS: dict = {}  # key -> the zope declaration (__provides__) it gave


def _declare_once(obj, key, declare) -> None:
    """The declaration `declare()` gives `obj`, computed for the first
    object of each key and shared by the others, as zope shares it."""
    declaration = _DECLARATIONS.get(key)
    if declaration is None:
        declare()
        _DECLARATIONS[key] = obj.__provides__
    else:
        obj.__provides__ = declaration


# -- the reactor ------------------------------------------------------------------

try:
    from twisted.internet.epollreactor import EPollReactor
except ImportError:  # no epoll on this system
    EPollReactor = None


if EPollReactor is not None:

    class LeanEPollReactor(EPollReactor):
        """EPollReactor, each ready socket handled without a log context
        (see the module's docstring). `lean` is False if this Twisted lacks
        what it reads: then it polls as EPollReactor does."""

        def __init__(self) -> None:
            super().__init__()
            self.lean = all(hasattr(self, name) for name in ("_poller", "_selectables", "_doReadOrWrite"))

        def doPoll(self, timeout) -> None:
            if not self.lean:
                return EPollReactor.doPoll(self, timeout)
            selectables = self._selectables
            try:
                ready = self._poller.poll(-1 if timeout is None else timeout, max(1, len(selectables)))
            except InterruptedError:
                return None
            handle = self._doReadOrWrite  # catches and logs what a protocol raises
            for fd, event in ready:
                selectable = selectables.get(fd)
                if selectable is None:
                    continue  # removed by a handler earlier in this loop
                try:
                    handle(selectable, fd, event)
                except KeyboardInterrupt:
                    raise
                except BaseException:
                    log.err()  # from the disconnect machinery itself, as Twisted would
            return None

        doIteration = doPoll

else:
    LeanEPollReactor = None


def install_lean_reactor() -> bool:
    """Install LeanEPollReactor as the global reactor if no reactor is
    installed yet and this system has epoll; False otherwise (Twisted's
    default reactor is used as before)."""
    import sys

    if LeanEPollReactor is None or "twisted.internet.reactor" in sys.modules:
        return False
    from twisted.internet.main import installReactor

    installReactor(LeanEPollReactor())
    return True


# -- listening ports --------------------------------------------------------------

# What accept_queued_then_close uses of twisted.internet.tcp.Port (UNIX ports
# are Ports too).
_PORT_FIELDS = ("connected", "disconnecting", "stopReading", "doRead", "fileno", "connectionLost")
# Each doRead() accepts up to the port's numberAccepts (100 and up): a full
# backlog of 511 takes a few rounds; a bound, so that a flood cannot hold the
# stop forever.
_ACCEPT_ROUNDS = 64


def can_close_now(port) -> bool:
    """A listening Twisted TCP or UNIX port accept_queued_then_close can stop."""
    return (
        isinstance(port, twisted_tcp.Port)
        and all(hasattr(port, name) for name in _PORT_FIELDS)
        and port.connected
        and not port.disconnecting
    )


def accept_queued_then_close(port) -> None:
    """Stop listening on `port` without resetting the connections the kernel
    has queued on it: accept them all (the factory builds their protocols as
    for any other), then close the socket at once. stopListening() stops
    reading and closes a reactor turn later, and the connections that
    queue meanwhile are reset."""
    if not can_close_now(port):
        port.stopListening()
        return
    port.stopReading()
    port.disconnecting = True  # as stopListening() marks it
    poller = select.poll()
    poller.register(port.fileno(), select.POLLIN)
    for _ in range(_ACCEPT_ROUNDS):
        if not poller.poll(0):  # a listening socket is readable while its queue is not empty
            break
        port.doRead()
    port.connectionLost(Failure(ConnectionDone()))


def keep_socket_file(port) -> None:
    """A UNIX port Twisted made from an inherited socket unlinks the socket's
    path when it closes, though the path is the service manager's: the next
    process it starts would find nothing to connect to. An abstract name
    ("\\0...") makes Twisted leave the path alone."""
    if getattr(port, "_bindPath", None) is not None:
        port._bindPath = b"\0"


def use_systemd_sockets(descriptors, names) -> bool:
    """Have the "systemd:" endpoint string parser use these descriptors and
    names. False if this Twisted keeps them elsewhere (its own reading of
    the environment then stands)."""
    from twisted.internet import endpoints
    from twisted.python.systemd import ListenFDs

    parser = getattr(endpoints, "_SystemdParser", None)
    if parser is None or not hasattr(parser, "_sddaemon"):
        return False
    parser._sddaemon = ListenFDs(list(descriptors), tuple(names))
    return True
