"""One request of a twisted.web site answered by someone outside twisted.web.

twisted_node.web.NodeResource hands each request under its place in a Site
to a function the program exports. This is the twisted.web side of that,
pure Twisted (docs/ARCHITECTURE.md): a `WebExchange` wraps the
twisted.web Request, says what the request is (its head as one string, its
body) and takes the response as plain calls: start(status, headers),
write(data), finish(), fail(status). The layer above gives `on_lost` and
`on_drain` callables.

twisted.web frames the response (status line, chunked encoding,
keep-alive, HEAD, TLS): what comes here is the program's status,
headers and body bytes. It also reads a request's whole body before it hands
the request to a resource, so the body is there from the start.

What this layer decides on its own:
- The program's headers are the response's: twisted.web's default
  Content-Type ("text/html") is not added, and a header the program sets
  replaces twisted.web's own (Server, Date). Set-Cookie values join
  request.cookies, where twisted.web's sessions put theirs. Connection,
  Keep-Alive and Transfer-Encoding are twisted.web's to decide (HTTP/2
  forbids them): a program's are left out.
- Back-pressure: the exchange is the request's streaming producer. While
  the transport's buffer is full, write() returns False, and `on_drain` is
  called when it has emptied. What is written meanwhile waits in the
  transport's buffer, bounded as tcp's and http's queues are
  (outbox.check_room: per connection and for the process): past the bound
  a write raises ENOBUFS and nothing of it is kept.
- The client went away before the response was finished: `on_lost` is
  called, and what is written afterwards is dropped.
- A response the program cannot give (it threw): 500 when nothing of it
  went out yet, otherwise the connection is closed, so that the client sees
  a cut response rather than a complete-looking one.
- A response that stays silent for `idle_timeout` seconds (nothing written
  for that long) is given up the same way, with 504 or a cut, and
  `on_lost` is called as if the client had gone: twisted.web lifts its own
  idle timeout while a request is being answered, so without this a
  request its program forgets would hold its connection forever.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer

from twisted_node.protocols import outbox
from twisted_node.protocols.http_common import headers_text
from twisted_node.protocols.tcp import display_address

# Hop-by-hop headers: twisted.web's, whatever the program says.
_FRAMING = frozenset({b"connection", b"keep-alive", b"transfer-encoding"})
_REASONS = {
    413: b"Content Too Large",
    500: b"Internal Server Error",
    503: b"Service Unavailable",
    504: b"Gateway Timeout",
}


def error_response(request, status: int) -> None:
    """Answer `request` with a plain-text `status` page and finish it."""
    body = b"%d %s\n" % (status, _REASONS[status])
    request.setResponseCode(status)
    request.responseHeaders.setRawHeaders(b"content-type", [b"text/plain"])
    request.responseHeaders.setRawHeaders(b"content-length", [b"%d" % len(body)])
    request.write(body)
    request.finish()


def mount_length(request) -> int:
    """How many characters of the request's URI name the place of the
    resource answering it (its prepath): "/api" for /api/users under a
    resource at /api, 0 for the Site's root. Counted on the raw path, as
    the client sent it (twisted.web splits it on "/" before decoding each
    segment, so the segments match)."""
    depth = len(request.prepath or ())
    if depth == 0:
        return 0
    segments = request.path.split(b"/")  # "", then the segments
    return len(b"/".join(segments[: depth + 1]))


@implementer(IPushProducer)
class WebExchange:
    """A twisted.web request and its response, for an answer given from
    outside (see the module docstring)."""

    def __init__(self, request, idle_timeout: float | None = None):
        self.request = request
        self.on_lost: Callable[[bool], object] | None = None  # (had_error)
        self.on_drain: Callable[[], object] | None = None
        self.started = False  # status, headers or body went to twisted.web
        self.done = False  # finished, failed, or the client is gone: nothing more is written
        self.paused = False
        self._want_drain = False
        self.undrained = 0  # bytes written while paused (in the transport's buffer)
        self._budget = outbox.PROCESS
        self._status = 200
        self._headers: list[tuple[bytes, bytes]] = []
        # The program says what the content is, or nothing does.
        request.defaultContentType = None
        request.registerProducer(self, True)
        request.notifyFinish().addErrback(self._lost)
        self._idle_timeout = idle_timeout
        self._timer = None
        if idle_timeout is not None:
            site_reactor = getattr(getattr(request, "site", None), "reactor", None)
            if site_reactor is None:
                from twisted.internet import reactor as site_reactor
            self._timer = site_reactor.callLater(idle_timeout, self._timed_out)

    # -- the request ------------------------------------------------------------

    def head(self) -> str:
        """ "<mount> <method> <uri> <version>\\n<headers>": the mount as
        mount_length(), the URI as sent, the version as "1.1" (or "2"),
        headers as http_common.headers_text."""
        request = self.request
        parts = []
        for name, values in request.requestHeaders.getAllRawHeaders():
            for value in values:
                parts += (name, value)
        version = request.clientproto.decode("latin-1").partition("/")[2]
        return (
            f"{mount_length(request)} {request.method.decode('latin-1')} "
            f"{request.uri.decode('latin-1')} {version}\n{headers_text(parts)}"
        )

    def body_size(self) -> int:
        content = self.request.content
        if content is None:
            return 0
        content.seek(0, 2)  # twisted.web spools a large body to a file: its end, not its bytes
        return content.tell()

    def body(self) -> bytes:
        content = self.request.content
        if content is None:
            return b""
        content.seek(0)
        return content.read()

    def peer(self) -> tuple[str, int]:
        address = self.request.getClientAddress()
        return display_address(getattr(address, "host", "") or ""), getattr(address, "port", 0) or 0

    # -- the response -----------------------------------------------------------

    def start(self, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        """The status and headers; they go out with the first write or
        finish() (until then a failure can still answer 500 instead)."""
        self._status = status
        self._headers = headers

    def write(self, data: bytes, limited: bool = True) -> bool:
        """False: the client is not keeping up; on_drain() follows.
        `limited` False: the last piece of a finished response, taken
        whatever the bounds say (finish() cannot throw)."""
        if self.done:
            return False
        if self._timer is not None:
            self._timer.reset(self._idle_timeout)
        if self.paused and data:
            if limited:
                outbox.check_room(self.undrained, len(data), outbox.MAX_UNDRAINED, self._budget, "sendBody")
            self.undrained += len(data)
            self._budget.used += len(data)
        self._begin()
        if data:
            self.request.write(data)
        if self.paused:
            self._want_drain = True
            return False
        return True

    def finish(self) -> None:
        if self.done:
            return
        self._begin()
        self._end()
        self.request.finish()

    def fail(self, status: int = 500) -> None:
        """The response cannot be given: `status` (500: the program failed;
        503: no program can answer; 413: the request is too large), or a cut
        connection when some of it went out already."""
        if self.done:
            return
        self._end()
        if self.started:
            self.request.loseConnection()
        else:
            error_response(self.request, status)

    def close(self) -> None:
        """Close the connection once what was written has gone out."""
        if not self.done:
            self.request.loseConnection()

    def abort(self) -> None:
        """Drop the connection now."""
        transport = self.request.transport
        if not self.done and transport is not None:
            transport.abortConnection()

    def _begin(self) -> None:
        if self.started:
            return
        self.started = True
        request = self.request
        request.setResponseCode(self._status)
        headers = request.responseHeaders
        replaced = set()
        for name, value in self._headers:
            lower = name.lower()
            if lower in _FRAMING:
                continue
            if lower == b"set-cookie":
                request.cookies.append(value)  # twisted.web sets these last, all of them
            elif lower in replaced:
                headers.addRawHeader(name, value)
            else:
                replaced.add(lower)
                headers.setRawHeaders(name, [value])
        self._headers = []

    def _drained(self) -> None:
        self._budget.used -= self.undrained
        self.undrained = 0

    def _timed_out(self) -> None:
        self._timer = None
        if not self.done:
            on_lost, self.on_lost = self.on_lost, None
            self.fail(504)
            if on_lost is not None:
                on_lost(True)

    def _end(self) -> None:
        self._drained()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.done = True
        self.on_drain = None
        if self.request.producer is self:
            self.request.unregisterProducer()

    def _lost(self, reason) -> None:
        # The connection went before the response was finished.
        was_done = self.done
        self.request.producer = None  # its channel is gone: nothing to unregister from
        self._end()
        on_lost, self.on_lost = self.on_lost, None
        if on_lost is not None and not was_done:
            on_lost(reason.check(ConnectionDone) is None)

    # IPushProducer, for twisted.web: the transport's buffer is full / has room.
    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        self._drained()
        if self._want_drain and not self.done:
            self._want_drain = False
            if self.on_drain is not None:
                self.on_drain()

    def stopProducing(self) -> None:
        pass  # the connection is going: _lost follows
