"""The REPL's Python half: is stdin a terminal, and the REPL served over TCP
for daemons (``twistd node --script app.js --repl-port 127.0.0.1:7001``).

The evaluation loop itself is JavaScript (lib/repl.js), shared by the stdio
REPL and every TCP session. Here each TCP connection is only bytes in and
out: the server calls JS once per event (open, text received, closed) through
one dispatch function that lib/repl.js registers with ``serve`` when it is
loaded, and JS writes back with ``send(id, text)`` / ``hangup(id)``.

The REPL port does not keep a program alive by itself (an operator tool must
not turn a script that has finished into one that never ends); it is closed,
with its sessions, when the program ends.
"""

from __future__ import annotations

import itertools
import os
import re
import weakref
from collections.abc import Callable

from twisted.internet.defer import Deferred, fail
from twisted.internet.endpoints import serverFromString
from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import Factory, Protocol
from twisted.logger import Logger
from zope.interface import implementer

from twisted_node import encodings

log = Logger()

_ENDPOINT_TYPES = {"tcp", "tcp6", "unix", "ssl", "systemd"}
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]+)):(?P<port>\d+)$")


def endpoint_string(description) -> str:
    """--repl-port value -> a Twisted server endpoint string, on loopback
    unless an interface is named.

    Accepts "7001", "host:7001", "[::1]:7001" or an endpoint string
    ("tcp:7001:interface=127.0.0.1", "unix:/run/app.repl", ...).
    """
    text = str(description).strip()
    if text.isdigit():
        return f"tcp:{int(text)}:interface=127.0.0.1"
    kind = text.split(":", 1)[0].lower()
    if kind not in _ENDPOINT_TYPES:
        m = _HOST_PORT.match(text)
        if m is None:
            raise ValueError(
                f"bad REPL port {description!r}: expected PORT, HOST:PORT, [IPv6]:PORT "
                "or an endpoint string such as tcp:7001:interface=127.0.0.1"
            )
        if m["v6"] is not None:
            interface = m["v6"].replace(":", "\\:")  # endpoint strings escape colons
            return f"tcp6:{m['port']}:interface={interface}"
        return f"tcp:{m['port']}:interface={m['host']}"
    if kind in ("tcp", "tcp6") and "interface=" not in text:
        return text + (":interface=127.0.0.1" if kind == "tcp" else r":interface=\:\:1")
    return text


@implementer(IHalfCloseableProtocol)
class ReplConnection(Protocol):
    """One REPL session's connection: UTF-8 text in and out. A client that
    shuts down its sending side (``printf '1+1\\n' | nc ...``) ends its input
    like Control+D: what it sent is evaluated, answered, then the connection
    closes."""

    def connectionMade(self):
        self._decoder = encodings.Decoder("utf8")
        self.session_id = self.factory.opened(self)

    def dataReceived(self, data: bytes):
        text = self._decoder.decode(data)
        if text:
            self.factory.received(self.session_id, text)

    def readConnectionLost(self):
        self.factory.input_ended(self.session_id)

    def writeConnectionLost(self):
        self.transport.loseConnection()

    def connectionLost(self, reason):
        self.factory.closed(self.session_id)

    def send(self, text: str) -> None:
        self.transport.write(encodings.encode(text, "utf8"))

    def hangup(self) -> None:
        self.transport.loseConnection()


class ReplServerFactory(Factory):
    """Connections -> plain callables: ``on_open(connection) -> id``,
    ``on_data(id, text)``, ``on_eof(id)`` (the client sends no more),
    ``on_close(id)``."""

    protocol = ReplConnection

    def __init__(
        self,
        on_open: Callable[[ReplConnection], int],
        on_data: Callable[[int, str], object],
        on_eof: Callable[[int], object],
        on_close: Callable[[int], object],
    ):
        self.opened = on_open
        self.received = on_data
        self.input_ended = on_eof
        self.closed = on_close


class SessionHub:
    """A runtime's REPL sessions over TCP, between the connections and the
    dispatch function of lib/repl.js."""

    def __init__(self, runtime):
        self._runtime = runtime
        self._ids = itertools.count(1)
        self.connections: dict[int, ReplConnection] = {}
        self.dispatch = None  # runtime.callback(JS dispatch(kind, id, text))
        self._ports = []
        runtime.add_cleanup(self.close_all)

    # what JS calls (through the binding)

    def serve(self, dispatch) -> None:
        self.dispatch = self._runtime.callback(dispatch)

    def send(self, session_id, text) -> None:
        connection = self.connections.get(session_id)
        if connection is not None:
            connection.send(str(text))

    def hangup(self, session_id) -> None:
        connection = self.connections.get(session_id)
        if connection is not None:
            connection.hangup()

    # what the connections call

    def opened(self, connection: ReplConnection) -> int:
        session_id = next(self._ids)
        self.connections[session_id] = connection
        if self.dispatch is None:
            self._load_js()
        if self._runtime.finished or self.dispatch is None:
            state = "ended" if self._runtime.finished else "not started yet"
            connection.send(f"twisted_node: the program has {state}\n")
            connection.hangup()
        else:
            self.dispatch("open", session_id, None)
        return session_id

    def received(self, session_id: int, text: str) -> None:
        if self.dispatch is not None and session_id in self.connections:
            self.dispatch("data", session_id, text)

    def input_ended(self, session_id: int) -> None:
        if self.dispatch is not None and session_id in self.connections:
            self.dispatch("eof", session_id, None)

    def closed(self, session_id: int) -> None:
        if self.connections.pop(session_id, None) is not None and self.dispatch is not None:
            self.dispatch("end", session_id, None)

    def _load_js(self) -> None:
        # lib/repl.js registers its dispatch function when it is loaded; a
        # script that never required it gets it loaded now, through the door.
        self._runtime.require("repl")

    def listening(self, port) -> None:
        self._ports.append(port)

    def close_all(self) -> None:
        # The hub holds its runtime: forget it, or _hubs would keep both.
        _hubs.pop(self._runtime, None)
        for port in self._ports:
            port.stopListening()
        self._ports = []
        for connection in list(self.connections.values()):
            connection.hangup()
        self.dispatch = None


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hub(runtime) -> SessionHub:
    hub = _hubs.get(runtime)
    if hub is None:
        hub = _hubs[runtime] = SessionHub(runtime)
    return hub


def listen_repl(runtime, endpoint_description) -> Deferred:
    """Serve the REPL of `runtime` on `endpoint_description` (see
    endpoint_string). Fires with the listening port; each connection is a
    session on the program's global scope."""
    if runtime.finished:
        return fail(RuntimeError("cannot serve a REPL: the program has ended"))
    hub = _hub(runtime)
    endpoint = serverFromString(runtime.reactor, endpoint_string(endpoint_description))
    factory = ReplServerFactory(hub.opened, hub.received, hub.input_ended, hub.closed)
    d = endpoint.listen(factory)

    def listening(port):
        hub.listening(port)
        address = port.getHost()
        log.info("REPL listening on {address}", address=address)
        return port

    return d.addCallback(listening)


def binding(runtime) -> dict:
    hub = _hub(runtime)

    def isatty(fd):
        try:
            return os.isatty(int(fd))
        except (OSError, ValueError):
            return False

    return {
        "isatty": isatty,
        "serve": hub.serve,
        "send": hub.send,
        "hangup": hub.hangup,
    }
