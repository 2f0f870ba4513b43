"""What the HTTP server and client protocols share: the incoming-message reader.

Both directions read messages the same way. httptools (llhttp) calls the
parser callbacks while a chunk is fed; those callbacks only queue events.
After the chunk is parsed the queue is delivered, one call per event, to the
layer above (lib/http.js through the binding): a message head ("request" or
"response"), then body events. Adjacent events of one message are merged so
that one read costs as few calls as possible: all the body pieces of a read
become one body event, and "complete" rides on the last body event (or on the
head itself, for a message without a body).

Why the queue: pause() must stop events at once, even in the middle of a
read; events already parsed wait in the queue (bounded by one read, since
reading the socket stops too) and are delivered on resume(). Bodies are
decoded when delivered, so setBodyEncoding() called in a "request" or
"response" listener applies to the whole body.

A protocol (docs/ARCHITECTURE.md): no JavaScript here; the layer above
gives plain callables and a `token` (whatever it wants passed back with each
event).
"""

from __future__ import annotations

from collections import deque

from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)

from twisted_node import encodings
from twisted_node.errors import NodeError

# Kinds of queued events (index 0 of each event list).
HEAD_EVENT = 0  # [HEAD_EVENT, head (str or tuple), flags]: a message head
BODY_EVENT = 1  # [BODY_EVENT, [bytes, ...], complete]

# Flags delivered with a message head.
COMPLETE = 1  # the message has no (more) body: "complete" follows at once
KEEP_ALIVE = 2  # the connection may carry another message after this one

# A head (request line or status line and headers) larger than this is
# refused: 431 on the server, an error on the client.
MAX_HEAD = 80 * 1024


class BadHead(Exception):
    """Raised from a parser callback to stop parsing a head that must be
    refused; `status` is what a server answers (400, or 431: too large)."""

    def __init__(self, status: int = 400):
        super().__init__(status)
        self.status = status


def head_too_large(error: BaseException) -> bool:
    """Whether a parser error was raised for a head over MAX_HEAD."""
    return getattr(error.__context__, "status", None) == 431


class MessageReader:
    """Event queue, pause/resume and body decoding of one connection.

    Subclasses feed a parser whose callbacks call `_queue_head`,
    `_queue_body` and `_queue_complete`, then call `_deliver()`; they
    implement `_emit_head(args, flags)` and `_emit_body(text, complete)`.
    `_update_reading()` is where a subclass decides whether the socket is
    read, and tells `_set_reading`.
    """

    def _init_reader(self, reactor) -> None:
        self._reactor = reactor
        self._queue: deque = deque()
        self._decoder = None  # None: "binary", the manual's default
        self._user_paused = False
        self._delivering = False
        self._resume_call = None
        self._quiet = 0  # bytes fed since the parser last called us back
        self._reading = True  # the transport is being read

    def _set_reading(self, want: bool) -> None:
        if want != self._reading and not self._closed:
            self._reading = want
            if want:
                self.transport.resumeProducing()
            else:
                self.transport.pauseProducing()

    # -- parser side --------------------------------------------------------

    def _queue_head(self, args: tuple, flags: int) -> None:
        self._queue.append([HEAD_EVENT, args, flags])

    def _queue_body(self, data: bytes) -> None:
        q = self._queue
        # A non-empty queue only ever holds events of the message being
        # parsed (delivery is in order), so merging into its tail is safe.
        if q and q[-1][0] == BODY_EVENT:
            q[-1][1].append(data)
        else:
            q.append([BODY_EVENT, [data], False])

    def _queue_complete(self) -> None:
        q = self._queue
        if q:
            last = q[-1]
            if last[0] == HEAD_EVENT:
                last[2] |= COMPLETE
            else:
                last[2] = True
        else:
            q.append([BODY_EVENT, [], True])

    def _drop_unsent_message(self) -> bool:
        """Forget the queued events of the message being parsed. True if its
        head had not been delivered yet (so nobody has seen it)."""
        q = self._queue
        while q:
            if q.pop()[0] == HEAD_EVENT:
                return True
        return False

    # -- delivery -----------------------------------------------------------

    def set_body_encoding(self, encoding) -> None:
        """For the message whose head was delivered last."""
        enc = encodings.normalize(encoding, "binary")
        self._decoder = None if enc == "binary" else encodings.Decoder(enc)

    def _deliver(self) -> None:
        if self._delivering:
            return  # called from inside an event: the outer loop goes on
        self._delivering = True
        q = self._queue
        try:
            while q and not self._user_paused and not self._awaiting and self.token is not None:
                event = q.popleft()
                if event[0] == HEAD_EVENT:
                    self._decoder = None
                    self._emit_head(event[1], event[2])
                else:
                    chunks, complete = event[1], event[2]
                    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                    decoder = self._decoder
                    if decoder is None:
                        text = data.decode("latin-1")
                    else:
                        text = decoder.decode(data)
                        if complete:
                            text += decoder.flush()
                    self._emit_body(text, complete)
        finally:
            self._delivering = False
        self._update_reading()

    def pause_reading(self) -> None:
        """The program's pause(): no more events, and the socket is not read."""
        self._user_paused = True
        self._update_reading()

    def resume_reading(self) -> None:
        self._user_paused = False
        # Queued events go out from a fresh reactor turn, not from inside
        # the resume() call, as with events coming from the socket.
        if self._queue and self._resume_call is None:
            self._resume_call = self._reactor.callLater(0, self._resumed)
        self._update_reading()

    def _resumed(self) -> None:
        self._resume_call = None
        self._deliver()

    def _stop_reader(self) -> None:
        self._queue.clear()
        if self._resume_call is not None and self._resume_call.active():
            self._resume_call.cancel()
        self._resume_call = None

    # -- for subclasses -----------------------------------------------------

    token = None
    _awaiting = False  # a message handed up waits for its answer (the server's _RequestTurn)

    def _emit_head(self, args: tuple, flags: int) -> None:
        raise NotImplementedError

    def _emit_body(self, text: str, complete: bool) -> None:
        raise NotImplementedError

    def _update_reading(self) -> None:
        raise NotImplementedError


def headers_text(parts: list) -> str:
    """Header names and values, alternating, as one NUL-separated string.

    lib/http.js splits it, lower-cases the names and joins repeated ones only
    when the program reads `headers` (llhttp refuses NUL in a header, so the
    separator is unambiguous). One string is the cheapest thing to cross.
    """
    return b"\x00".join(parts).decode("latin-1")


def no_delay(transport) -> None:
    """TCP_NODELAY: writes are already gathered per event, so what is written
    should go out now rather than wait for the peer's ACK (Nagle)."""
    set_no_delay = getattr(transport, "setTcpNoDelay", None)
    if set_no_delay is not None:
        try:
            set_no_delay(True)
        except OSError:  # a UNIX socket: no Nagle to turn off
            pass


def connection_error(reason) -> tuple[str, str]:
    """(message, code) for why a connection failed or broke."""
    exc = getattr(reason, "value", reason)
    if isinstance(exc, NodeError):  # the dns module's failures carry their code
        return exc.message, str(exc.props.get("code", "EIO"))
    if isinstance(exc, ConnectionRefusedError):
        return "ECONNREFUSED, connection refused", "ECONNREFUSED"
    if isinstance(exc, DNSLookupError):
        return f"ENOTFOUND, host not found: {exc}", "ENOTFOUND"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)):
        return "ETIMEDOUT, connection timed out", "ETIMEDOUT"
    if isinstance(exc, (ConnectionDone, ConnectionLost)):
        return "ECONNRESET, connection closed before the response was complete", "ECONNRESET"
    if type(exc).__module__.startswith("OpenSSL"):
        return f"EPROTO, TLS failure: {exc}", "EPROTO"
    return f"{type(exc).__name__}: {exc}", "EIO"
