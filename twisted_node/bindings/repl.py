"""The "repl" binding: is stdin a terminal, and the REPL's TCP sessions, for
lib/repl.js; `listen_repl` serves them (twistd's --repl-port, NodeService).

Each connection of protocols/repl.py is a session, numbered here (it is born
from a connection, before JavaScript knows of it); lib/repl.js keeps a
Session per number. Its events: (id, OPEN), (id, DATA, text), (id, EOF) when
the client sends no more, (id, END) when the connection is gone. JS answers
with ``send(id, text)`` and ``hangup(id)``.

The REPL port does not keep a program alive by itself (an operator tool must
not turn a script that has finished into one that never ends); it is closed,
with its sessions, when the program ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from twisted.internet.defer import Deferred, fail
from twisted.internet.endpoints import serverFromString
from twisted.logger import Logger

from twisted_node.bindings.events import NumberingHub
from twisted_node.protocols.repl import ReplConnection, ReplServerFactory, endpoint_string

log = Logger()

OPEN, DATA, EOF, END = 1, 2, 3, 4


class SessionHub(NumberingHub):
    """A program's REPL sessions over TCP, between the connections and the
    event function of lib/repl.js (loaded by listen_repl's `load_js` into a
    program that never required it)."""

    def __init__(self, host):
        super().__init__(host)
        self.connections: dict[int, ReplConnection] = {}
        self._ports = []
        host.add_cleanup(self.close_all)

    # what JS calls (through the binding): init, and

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
        session_id = self.next_id()
        self.connections[session_id] = connection
        if not self.ready():
            state = "ended" if self._host.finished else "not started yet"
            connection.send(f"twisted_node: the program has {state}\n")
            connection.hangup()
        else:
            self._events(session_id, OPEN)
        return session_id

    def received(self, session_id: int, text: str) -> None:
        if self._ready and session_id in self.connections:
            self._events(session_id, DATA, text)

    def input_ended(self, session_id: int) -> None:
        if self._ready and session_id in self.connections:
            self._events(session_id, EOF)

    def closed(self, session_id: int) -> None:
        if self.connections.pop(session_id, None) is not None and self._ready:
            self._events(session_id, END)

    def listening(self, port) -> None:
        self._ports.append(port)

    def close_all(self) -> None:
        self.forget()
        for port in self._ports:
            port.stopListening()
        self._ports = []
        for connection in list(self.connections.values()):
            connection.hangup()


def listen_repl(host, require: Callable[[str], object], endpoint_description) -> Deferred:
    """Serve the REPL of the program whose Host is `host` on
    `endpoint_description` (see protocols/repl.py's endpoint_string). Fires
    with the listening port; each connection is a session on the program's
    global scope. `require(name)` is the runtime's: the first connection
    loads lib/repl.js with it when the program never required "repl"."""
    if host.finished:
        return fail(RuntimeError("cannot serve a REPL: the program has ended"))
    hub = SessionHub.of(host)
    hub.load_js = lambda: require("repl")
    endpoint = serverFromString(host.reactor, endpoint_string(endpoint_description))
    factory = ReplServerFactory(hub.opened, hub.received, hub.input_ended, hub.closed)
    d = endpoint.listen(factory)

    def listening(port):
        hub.listening(port)
        address = port.getHost()
        log.info("REPL listening on {address}", address=address)
        return port

    return d.addCallback(listening)


def binding(host) -> dict:
    hub = SessionHub.of(host)

    def isatty(fd):
        try:
            return os.isatty(int(fd))
        except (OSError, ValueError):
            return False

    return {
        "OPEN": OPEN,
        "DATA": DATA,
        "EOF": EOF,
        "END": END,
        "init": hub.init,
        "isatty": isatty,
        "send": hub.send,
        "hangup": hub.hangup,
    }
