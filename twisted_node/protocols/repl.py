"""The REPL served over TCP for daemons (``twistd node --script app.js
--repl-port 127.0.0.1:7001``): the --repl-port value and the connections.

The evaluation loop itself is JavaScript (lib/repl.js), shared by the stdio
REPL and every TCP session. Here each TCP connection is only UTF-8 text in
and out, reported to plain callables; bindings/repl.py ties them to the
sessions of lib/repl.js.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from twisted.internet.interfaces import IHalfCloseableProtocol
from twisted.internet.protocol import Factory, Protocol
from zope.interface import implementer

from twisted_node import encodings

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
