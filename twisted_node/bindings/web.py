"""The "web" binding: twisted.web requests handed to the program by
twisted_node.web.NodeResource (lib/twisted_web.js), over
protocols/web.py's WebExchange.

Per request, ONE call into JavaScript carries it all (twisted.web has read
the whole request by then): the handler runs, "body" and "complete" are
emitted, and what the program answered meanwhile is the call's result.
Output made later (a handler answering from a callback) comes down through
send(id, packed).

Like the REPL's sessions, requests are numbered here: a request is born in
twisted.web, before JavaScript knows of it, and JavaScript writes to it (by
its number) while the event announcing it runs. JS keeps `id -> request`
only while the request can get events, and the hub `id -> WebExchange`
only until the response is finished or the client is gone: JS holds no
Python object of a request (a V8 handle of one would keep twisted.web's
Request alive until V8 next collects its garbage).

Events (bindings/events.py), `onEvent(id, code, ...)`:
  (id, REQUEST, name, head, body) -> packed output, or null
      head: WebExchange.head(); body: a "binary" string; `name` the export
  (id, CLOSE, had_error)   the client went away before the response was finished
  (id, DRAIN)              a write had returned false; the buffer has emptied

Packed output, one string: a flag (WRITE: more follows, FINISH: the
response is finished, FAILED: the handler threw), then the status and
headers if they have not gone down yet ("status\\0name\\0value..."; names
are tokens and values hold no line break or NUL: lib/internal/headers.js),
"\\n", then body bytes as a "binary" string. FAILED is followed by the
export's name, "\\n" and the JS stack.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted_node import encodings
from twisted_node.bindings.args import wire_bytes
from twisted_node.bindings.events import NumberingHub

REQUEST, CLOSE, DRAIN = 1, 2, 3
WRITE, FINISH, FAILED = "W", "F", "E"


class WebHub(NumberingHub):
    """A program's twisted.web requests, between the NodeResources and the
    event function of lib/twisted_web.js (loaded by deliver()'s `load_js`
    on the first request: programs never require it themselves)."""

    def __init__(self, host):
        super().__init__(host)
        self._exchanges: dict[int, tuple] = {}  # id -> (WebExchange, its hold)
        host.add_cleanup(self.forget)

    def deliver(self, name: str, exchange) -> None:
        """Hand `exchange` to exports[name]."""
        if not self.ready():
            exchange.fail(503)
            return
        request_id = self.next_id()
        events = self._events
        # The program lives while a request waits for its answer (like an open
        # connection); if it ends first, the request is answered 503 or cut.
        hold = self._host.hold("twisted.web request", close=lambda: exchange.fail(503))
        self._exchanges[request_id] = (exchange, hold)

        def lost(had_error):
            self._done(request_id)
            events(request_id, CLOSE, had_error)

        exchange.on_lost = lost
        exchange.on_drain = lambda: events(request_id, DRAIN)
        body = exchange.body().decode("latin-1")
        packed = events(request_id, REQUEST, name, exchange.head(), body)
        if packed:
            self.send(request_id, packed)
        elif packed is None and self._host.finished:
            exchange.fail(503)  # the handler ended the program (process.exit)

    def _done(self, request_id: int):
        """The request gets and takes nothing more: its exchange, or None."""
        entry = self._exchanges.pop(request_id, None)
        if entry is None:
            return None
        entry[1].release()
        return entry[0]

    def send(self, request_id: int, packed: str) -> bool:
        """Output of lib/twisted_web.js (see the module docstring); False
        when the client is not keeping up ("drain" follows) or is gone."""
        flag = packed[0]
        if flag == WRITE:
            entry = self._exchanges.get(request_id)
            exchange = entry[0] if entry is not None else None
        else:
            exchange = self._done(request_id)
        if exchange is None:
            return False  # the client went away meanwhile
        head, _, rest = packed[1:].partition("\n")
        if flag == FAILED:  # head: the export's name, rest: the JS stack
            outcome = "its connection was closed" if exchange.started else "it was answered 500"
            where = f"exports.{head} threw on {_request_line(exchange)}"
            self._host.output.uncaught(f"{rest}\n    ({where}: {outcome})")
            exchange.fail()
            return False
        if head:
            parts = head.split("\0")
            headers = [(wire_bytes(parts[i]), wire_bytes(parts[i + 1])) for i in range(1, len(parts) - 1, 2)]
            exchange.start(int(parts[0]), headers)
        ok = exchange.write(wire_bytes(rest), limited=flag != FINISH)
        if flag == FINISH:
            exchange.finish()
        return ok

    def peer(self, request_id: int) -> list:
        entry = self._exchanges.get(request_id)
        return list(entry[0].peer()) if entry is not None else ["", 0]

    def close(self, request_id: int) -> None:
        entry = self._exchanges.get(request_id)
        if entry is not None:
            entry[0].close()

    def abort(self, request_id: int) -> None:
        entry = self._exchanges.get(request_id)
        if entry is not None:
            entry[0].abort()


def _request_line(exchange) -> str:
    request = exchange.request
    return f"{request.method.decode('latin-1')} {request.uri.decode('latin-1')}"


def deliver(host, require: Callable[[str], object], name: str, exchange) -> None:
    """Hand a twisted.web request (a protocols.web.WebExchange) to the
    function the program whose Host is `host` exports as `name`.
    `require(name)` is the runtime's: the first request loads
    lib/twisted_web.js with it."""
    if host.finished:
        exchange.fail(503)
        return
    hub = WebHub.of(host)
    hub.load_js = lambda: require("twisted_web")
    hub.deliver(name, exchange)


def binding(host) -> dict:
    hub = WebHub.of(host)
    return {
        "REQUEST": REQUEST,
        "CLOSE": CLOSE,
        "DRAIN": DRAIN,
        "WRITE": WRITE,
        "FINISH": FINISH,
        "FAILED": FAILED,
        "init": hub.init,
        "send": hub.send,
        "peer": hub.peer,
        "decode": lambda data, encoding: encodings.decode(wire_bytes(data), encodings.normalize(encoding)),
        "close": hub.close,
        "forceClose": hub.abort,
    }
