"""How a tcp connection's events reach lib/tcp.js, and what comes back.

Each connection known to JS has a `Route` (its JS id, its writer, its
hold on the program). "receive" goes up at once, one call each (the hot
path of an echo: its answer is written as the call returns). The other
events, a server's new connection (CONNECTION) and a connection's CONNECT,
EOF, DRAIN, TIMEOUT and CLOSE, wait for the end of the reactor's turn,
where `Turn` hands all of a program's in one call (EVENTS): a call into V8
costs more than most of these events' work once it alternates with other
work (the TLS handshakes of bench/tls: four calls per connection were about
an eighth of its CPU). Order is kept: any event that goes up on its own
first hands up those waiting (`Turn.before_direct`), and lib/tcp.js's
onEvents handles each as if it had come alone (its exceptions, then
process.nextTick, before the next one).

The events of a turn came before anything its listeners do: a readPause()
made by one holds back (protocols/tcp.py) what comes for that connection
from then on, not what the same call already carries for it.

So that the events of a connection accepted in a turn can follow it in the
same call, the binding numbers accepted connections itself (`next_id`:
even ids; lib/tcp.js gives odd ones to what it makes). A connection whose
"connection" listener throws is refused when the call returns.

An event's result is what the connection's listeners did to it meanwhile
(lib/internal/batch.js): null; the "binary" string of what they sent; or
[that string or null, commands], the commands being what they called on
it besides send(), in order (`run_commands`). The writes are made first,
then the commands.
"""

from __future__ import annotations

import itertools

from twisted.python import log

from twisted_node.bindings.args import seconds, wire_bytes
from twisted_node.bindings.events import Events, key
from twisted_node.errors import NodeError
from twisted_node.protocols.tcp import CLOSE, RECEIVE, TCPConnection
from twisted_node.protocols.twisted_internals import at_turn_end

# Event codes of the tcp binding that this module sends.
CONNECTION = 10
FULL = 12
EVENTS = 13


def run_commands(conn: TCPConnection, commands: str) -> None:
    """What a program called on a connection during one of its events,
    done now, in order (lib/tcp.js command): "c" close(), "t<ms>"
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


class Route:
    """Where one connection's events go: JS object `id`; the connection's
    on_event (it is called as one: no bound method to hold). An object of
    its own rather than closures: an idle connection holds it, and this is
    the smallest form (closures and their cells cost about twice as much).
    `hold` keeps the program alive until the connection's CLOSE was
    delivered."""

    __slots__ = ("turn", "raw", "id", "receive_key", "write", "conn", "hold")

    def __init__(self, turn: Turn, id, conn: TCPConnection, hold) -> None:
        self.turn = turn
        self.raw = turn.events.raw  # set by the event that made the connection known to JS
        self.id = id
        self.receive_key = key(id, RECEIVE)
        self.write = conn.write_batch
        self.conn = conn
        self.hold = hold

    def receive(self, text: str) -> None:
        """The hot path: as few frames as can be (the batch written inline)."""
        turn = self.turn
        if turn.items:
            turn.hand_up()
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
                self.full()

    def __call__(self, code: int, argument) -> None:
        """on_event: at the turn's end."""
        self.turn.add(self, code, argument)

    def done(self, out) -> None:
        """An event's result (see the module's docstring)."""
        if out.__class__ is str:
            writes, commands = out, None
        else:
            writes, commands = out[0], out[1]
        if writes and not self.write(wire_bytes(writes)):
            self.full()
        if commands:
            run_commands(self.conn, commands)

    def full(self) -> None:
        """The batched writes filled the buffer: JS learns it at once."""
        self.turn.before_direct()
        self.turn.events(self.id, FULL)


class Turn:
    """A program's connection events of one reactor turn, handed up in one
    call at its end (see the module's docstring); one per binding."""

    __slots__ = ("events", "_reactor", "items", "_handing_up", "_ids")

    def __init__(self, reactor, events: Events) -> None:
        self.events = events
        self._reactor = reactor
        self.items: list[tuple[Route, int, object]] = []  # (route, code, argument), in order
        self._handing_up: list = []  # hand_back of each call under way, the innermost last
        self._ids = itertools.count(2, 2)

    def next_id(self) -> int:
        """The JS id of a connection a server accepted."""
        return next(self._ids)

    def accepted(self, route: Route, server_id: int, remote_address: str, secure: bool) -> None:
        """A server's new connection: its "connection" event, at the turn's end."""
        self.add(route, CONNECTION, (server_id, remote_address, secure))

    def add(self, route: Route, code: int, argument) -> None:
        if not self.items:
            at_turn_end(self._reactor, self.hand_up)
        self.items.append((route, code, argument))

    def before_direct(self) -> None:
        """An event about to go up on its own: those before it first."""
        if self.items:
            self.hand_up()

    def hand_up(self) -> None:
        items, self.items = self.items, []
        if not items:
            return  # handed up before the turn's end
        settled = 0  # items[:settled]: their results applied, their CLOSE released

        def settle(upto: int, results) -> None:
            nonlocal settled
            if results is not None:  # [index, result, ...] for the items with one
                for j in range(0, len(results), 2):
                    route = items[int(results[j])][0]
                    result = results[j + 1]
                    try:
                        if result is False:  # a "connection" listener threw
                            route.conn.refuse()
                        else:
                            route.done(result)
                    except Exception:  # that connection's own trouble: the others go on
                        log.err(None, "twisted_node: the result of a tcp event")
            for route, code, _ in items[settled:upto]:
                if code == CLOSE:
                    route.hold.release()
            settled = max(settled, upto)

        def hand_back(count: int, results) -> None:
            # A listener began a promise.wait(): what the events before it
            # did is done now, and the events after it come during the
            # wait, from the turns it runs (one of them may be what it
            # waits for), before any that came meanwhile.
            settle(count - 1, results)
            rest = items[count:]
            del items[count:]
            if rest:
                if not self.items:
                    at_turn_end(self._reactor, self.hand_up)
                self.items[:0] = rest

        packed, handles = _pack(items)
        results = None
        self._handing_up.append(hand_back)
        try:
            results = self.events.raw(EVENTS, packed, *handles)
        finally:
            self._handing_up.pop()
            # Whatever happened in the call, every connection's CLOSE that
            # went up lets the program go (one not delivered, because the
            # program ended, too).
            settle(len(items), results)

    def hand_back(self, count: int, results) -> None:
        """lib/tcp.js, as a listener begins a promise.wait(): the innermost
        EVENTS call under way took `count` items (the last one waits), and
        `results` are those of the ones before it."""
        self._handing_up[-1](int(count), results)


def _pack(items) -> tuple[str, list]:
    """EVENTS' arguments for `items` (bindings/tcp.py's docstring): the
    packed string, and the handles of the new connections, in order."""
    parts = []
    handles = []
    for route, code, argument in items:
        k = key(route.id, code)
        if code == CONNECTION:
            server_id, remote_address, secure = argument
            parts.append(f"{k} {server_id} {1 if secure else 0} {remote_address}")
            handles.append(route.conn)
        elif code == CLOSE and argument:
            parts.append(f"{k}!")
        else:
            parts.append(str(k))
    return ",".join(parts), handles
