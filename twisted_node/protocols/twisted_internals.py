"""The one place that reads Twisted's private attributes (of
twisted.internet.tcp.Connection: its write buffer and close machinery), for
two things Twisted's public API cannot do. Both check the attributes they
use (`possible`) and fall back to the public API where they are missing;
tests/test_twisted_internals.py fails loudly when a Twisted release changes
them, so that the speed-up or the clean close is not lost in silence.

Writer: writing to a plain TCP transport at once when nothing is queued in
it. Twisted's transport.write() always queues, asks the reactor to watch the
socket for writability and sends on the next loop iteration: two epoll_ctl
calls and one more event per write. When the transport's buffer is empty the
data may as well go to the socket right away, which is what Node does; what
the socket does not take is queued as usual, so ordering, producer signals
("drain") and write() on a full buffer behave exactly as before. A
connection once TLS is started on it keeps transport.write (it encrypts
first).

close_now: forceClose()'s ordinary close (see there).

replace_tls_connection: a server TLS connection made again, from another
context, before its first byte (see tls_tickets).

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
from twisted.internet.error import ConnectionDone
from twisted.protocols.tls import TLSMemoryBIOProtocol
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
    "connectionLost",
)


class Writer:
    """write(data) for one connection's transport, sending at once if possible."""

    __slots__ = ("transport", "direct")

    def __init__(self, transport) -> None:
        self.transport = transport
        self.direct = possible(transport)

    def write(self, data: bytes) -> None:
        transport = self.transport
        if self.direct and _nothing_queued(transport):
            sent = transport.writeSomeData(data)
            # An int is what the socket took; anything else (an error) is left
            # to the transport, which meets it again and closes as usual.
            if isinstance(sent, int) and sent > 0:
                if sent == len(data):
                    return
                data = data[sent:]
        transport.write(data)


def possible(transport) -> bool:
    """A Twisted TCP connection with the fields Writer reads."""
    return isinstance(transport, twisted_tcp.Connection) and all(hasattr(transport, name) for name in _FIELDS)


def close_now(transport) -> bool:
    """End a plain TCP connection at once with an ordinary close (FIN), as
    forceClose() must: what the transport holds unsent is dropped, what the
    kernel holds still goes out before the FIN. loseConnection() would wait
    to write first (forever, if the peer reads nothing); abortConnection()
    resets. This is abortConnection's way, with a clean close at the end.
    False where it cannot be done (TLS, another transport): the caller
    closes as it can."""
    if not possible(transport) or transport.TLS or transport.disconnected:
        return False
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


def _nothing_queued(transport) -> bool:
    return (
        not transport.TLS  # startTLS sets it, at any time
        and transport.connected
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
