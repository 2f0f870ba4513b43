"""The HTTP/1.x server connection behind lib/http.js's http.Server.

One `ServerChannel` per TCP (or TLS) connection. It parses requests with
httptools and hands them up as events (see http_common.MessageReader); the
program's responses come back down through `write(data, end)`, already
framed by lib/http.js, in request order (lib/http.js holds back the
responses to later pipelined requests until the earlier ones finish).

What this layer decides on its own, because the program cannot:
- Bad input (a malformed request line or header, an unknown method, a bad
  chunked body, a head over MAX_HEAD, an HTTP/1.1 request without Host, a
  Host header twice or with an invalid value, Transfer-Encoding on an
  HTTP/1.0 request: RFC 9112 sections 3.2 and 6.1) is answered 400 or 431
  with "Connection: close", after the responses to the good requests before
  it; the program never sees the bad request. A request already handed to
  the program that then turns bad (a broken chunked body) cannot be answered
  any more: the connection is closed.
- Keep-alive: after a request that does not allow another one (HTTP/1.0
  without keep-alive, "Connection: close", an upgrade we do not speak) the
  rest of the input is ignored and the connection closes once the responses
  are out.
- The client closed its side (FIN): what was written goes out, a request
  still being answered is abandoned (what the program writes for it later
  is dropped) and the connection closes, as Node.js does.
- Time limits (see Timeouts), so that no client holds a connection forever:
  an idle keep-alive connection is closed after `idle_timeout`; a request
  head must arrive within `headers_timeout` and a whole request within
  `request_timeout` of its first byte, or it is answered 408 and the
  connection closed; a connection whose writes make no progress (the client
  does not read) for `idle_timeout` is cut.
- Back-pressure: the channel is a streaming producer for its transport.
  While the transport's write buffer is full, `write()` returns False (the
  program sees sendBody() return false and gets "drain" later) and the
  socket is not read, so pipelined requests cannot pile up responses; at
  most MAX_PIPELINE requests may wait for their responses before reading
  stops as well. A program that streams on regardless may queue up to the
  outbox's limits (see outbox.py); the next chunk is refused with an
  ENOBUFS error (as tcp's send() is).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from httptools import HttpParserError, HttpParserUpgrade, HttpRequestParser
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from twisted.internet.protocol import Protocol
from twisted.python import log
from zope.interface import implementer

from twisted_node.protocols import tls, twisted_internals
from twisted_node.protocols.http_common import (
    COMPLETE,
    KEEP_ALIVE,
    MAX_HEAD,
    BadHead,
    MessageReader,
    headers_text,
    no_delay,
)
from twisted_node.protocols.outbox import Outbox
from twisted_node.protocols.tcp import TCPServerFactory, display_address
from twisted_node.protocols.transport import PeerCertificates

# `end` argument of ServerChannel.write
END_NONE = 0  # more of this response follows
END_KEEP = 1  # the response is finished; the connection may carry another
END_CLOSE = 2  # the response is finished; close the connection after it

MAX_PIPELINE = 16
BATCH_LIMIT = 64 * 1024
# Seconds; createServer's options may change each, and 0 disables one.
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_HEADERS_TIMEOUT = 60.0
DEFAULT_REQUEST_TIMEOUT = 300.0
# Seconds a connection that has not sent its first request yet is given for
# it once its server is closing: a client that has just connected is, as a
# rule, sending it now (an idle kept-alive connection is closed at once).
FIRST_REQUEST_GRACE = 1.0

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}
_METHODS: dict[bytes, str] = {}
# RFC 9110 section 7.2: uri-host [ ":" port ], uri-host an IP literal in
# brackets or a reg-name (unreserved, pct-encoded and sub-delims; may be empty).
_HOST = re.compile(rb"(?:\[[0-9A-Za-z:._~!$&'()*+,;=%-]+\]|[0-9A-Za-z._~!$&'()*+,;=%-]*)(?::[0-9]*)?\Z")


def error_response(status: int) -> bytes:
    body = f"{status} {_REASONS[status]}\n".encode("ascii")
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


@dataclass
class ServerEvents:
    """The callables a server channel calls (the binding supplies them).

    connection(channel, remote_host, remote_port) -> token, passed back as
    the first argument of every other call; a None token refuses the
    connection. request(token, head): the request as one string (one
    argument crosses into V8 far cheaper than five),
    "<flags><method> <url> <version>\\n<headers>": flags a digit of
    http_common's COMPLETE | KEEP_ALIVE, headers as http_common.headers_text;
    neither the method, the URL nor the version can hold a space or a line
    feed (llhttp refuses them). body(token, text, complete). Both may
    return (data, end) for a response finished while they ran, end END_KEEP
    or END_CLOSE: the same as write(data, end) from inside them (one call
    fewer). drain(token) after a write() returned False and the buffer
    emptied. close(token, had_error).

    requests([(token, head), ...], hand_back), if given: the requests
    without a body read in one turn of the reactor, handed up together at
    its end (see _RequestTurn), each as request(token, head) would have
    been; it returns what request() would have, for each in order (a
    shorter list if the program ended meanwhile). hand_back(count, answers)
    from inside it: a handler runs the reactor (promise.wait()); `answers`
    are those of the first count - 1, to be sent now, and the requests
    after the first `count` were not handed up and are to be later.
    """

    connection: Callable
    request: Callable
    body: Callable
    drain: Callable
    close: Callable
    requests: Callable | None = None


@dataclass
class Timeouts:
    """A server's time limits, in seconds (0: none)."""

    idle: float = DEFAULT_IDLE_TIMEOUT  # keep-alive between requests; writes making no progress
    headers: float = DEFAULT_HEADERS_TIMEOUT  # a request head, from its first byte
    request: float = DEFAULT_REQUEST_TIMEOUT  # a whole request, from its first byte


@implementer(IHalfCloseableProtocol, IPushProducer)
class ServerChannel(Protocol, MessageReader, PeerCertificates):
    def __init__(self, events: ServerEvents, reactor, timeouts: Timeouts, secure=None):
        self._events = events
        self.secure = secure  # a tls server context factory, for HTTPS
        self.remote_address = ""
        self.remote_port = 0
        self.on_lost: Callable[[], object] | None = None  # after the close event
        self._init_reader(reactor)
        self._seconds = reactor.seconds
        self.idle_timeout = timeouts.idle
        self._request_timeout = timeouts.request
        # How long a head may take: the nearer of the two limits set.
        limits = [t for t in (timeouts.headers, timeouts.request) if t]
        self._head_timeout = min(limits) if limits else 0.0
        self._shortest = 0.0  # see _arm_timer
        self._set_shortest()
        self._parser = HttpRequestParser(self)
        self._received = 0  # requests whose head was parsed
        self._finished = 0  # responses the program finished
        self._in_head = True  # between messages, or inside a head
        self._message_open = False  # head parsed, message not complete
        self._url = b""
        self._header_parts: list[bytes] = []
        self._head_size = 0
        self._expect_continue = False
        self._hosts = 0  # Host headers in the head
        self._bad_host = False
        self._transfer_encoding = False
        self._ignore_input = False  # no further request will be read
        self._close_when_done = False  # close once every response is out
        self._pending_error = b""  # an error response waiting for its turn
        self._response_started = False  # bytes of the response now owed were written
        self._want_drain = False
        self._closing = False  # closed, or closing: nothing more is written
        self._closed = False
        self._aborted = False
        # Timeouts (see _check_timers): when the request being read began
        # (None: none is), when the last activity was, when writing stalled.
        self._request_began: float | None = None
        self._last_activity = 0.0
        self._stalled_since: float | None = None
        self._reading_stopped_at: float | None = None
        self._timer = None
        self._first_request_timer = None  # see stop_keep_alive
        self._batch: list[bytes] | None = None
        self._batch_size = 0
        self._outbox: Outbox | None = None  # once connected

    # -- connection ---------------------------------------------------------

    def connectionMade(self) -> None:
        # Writes are already gathered per event (see _flush_batch): what is
        # written should go out now, not wait for the peer's ACK.
        no_delay(self.transport)
        if self.secure is not None:
            twisted_internals.start_tls(self.transport, self.secure)
        self._outbox = Outbox(self.transport)
        self.transport.registerProducer(self, True)
        factory = self.factory
        factory.connections.add(self)
        self.token = self._events.connection(self, self.remote_address, self.remote_port)
        if self.token is None:
            self._closing = self._closed = True
            self.transport.abortConnection()
            return
        # The first request's clock starts now: a client that connects and
        # sends nothing, or a head byte by byte, is held no longer than that.
        self._last_activity = self._request_began = self._seconds()
        self._arm_timer()
        if factory.draining:  # accepted from the queue of a server stopping
            self.stop_keep_alive()

    def connectionLost(self, reason=None) -> None:
        self._closing = self._closed = True
        self._stop_reader()
        if self._outbox is not None:
            self._outbox.discard()
        self._cancel_timer()
        if self._first_request_timer is not None and self._first_request_timer.active():
            self._first_request_timer.cancel()
        token, self.token = self.token, None
        if token is not None:
            # A connection the client closed cleanly, or that we closed after
            # a response, is not an error.
            had_error = reason is not None and not _clean_close(reason)
            self._events.close(token, had_error)
        if self.on_lost is not None:
            self.on_lost()
        self.factory.connection_ended(self)

    def readConnectionLost(self) -> None:
        # The client closed its side, as Node.js takes it: it will read no
        # more answers than those already written, which still go out; a
        # request in progress is abandoned and the connection closes.
        if self._message_open:
            self._abort()  # its body was cut short
            return
        self._ignore_input = True
        if self._received == self._finished:
            self._close_when_done = True
            self._close_if_done()  # an error response still owed goes first
        else:
            self._lose()

    def writeConnectionLost(self) -> None:
        self._abort()

    def stop_keep_alive(self) -> None:
        """The server is closing: answer what was asked, then close. A
        request whose head arrives from now on is answered with
        "Connection: close"; a connection yet to send its first request
        gets FIRST_REQUEST_GRACE for it."""
        if self._closing:
            return
        self._close_when_done = True
        if self._message_open:
            return
        if self._received == 0:
            if self._first_request_timer is None:
                self._first_request_timer = self._reactor.callLater(
                    FIRST_REQUEST_GRACE, self._no_first_request
                )
            return
        self._ignore_input = True
        self._close_if_done()

    def _no_first_request(self) -> None:
        if not self._closing and self._received == 0 and not self._message_open:
            self._ignore_input = True
            self._close_if_done()

    def close(self) -> None:
        """The program closes the connection (after what was written)."""
        if not self._closing:
            self._ignore_input = True
            self._lose()

    def _lose(self) -> None:
        """Close once what was written has gone out (or writing stalls: see
        _check_timers); nothing more is written."""
        self._flush_batch()
        self._closing = True
        self._outbox.when_sent(self._lose_now)

    def _lose_now(self) -> None:
        if self._closed:
            return
        # A TLS transport waits for its producer to go away before it sends
        # close_notify; nothing more will be written by then anyway.
        self.transport.unregisterProducer()
        self.transport.loseConnection()
        # Until the transport has flushed and closed, this counts as a
        # stalled write: a client that does not read cannot keep it open.
        self._stalled_since = self._seconds()

    def _abort(self) -> None:
        if not self._closed and not self._aborted:
            self._aborted = self._closing = True  # and nothing more is written
            self._ignore_input = True
            self._batch = None
            self._outbox.discard()
            self.transport.abortConnection()

    # -- reading ------------------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        if self._ignore_input:
            return
        self._last_activity = self._seconds()
        # Responses written while this read is handled (the common case: a
        # handler that answers at once) go out together when it is done.
        self._batch = []
        try:
            self._parse(data)
        finally:
            self._flush_batch()

    def _parse(self, data: bytes) -> None:
        quiet = self._quiet
        self._quiet = -1
        try:
            self._parser.feed_data(data)
        except HttpParserUpgrade:
            # We do not speak the protocol asked for: the request is answered
            # like any other (its KEEP_ALIVE flag was cleared), then we close.
            self._stop_after_this_message()
        except HttpParserError as e:
            if not self._close_when_done:  # data after "Connection: close"
                self._fail(getattr(e.__context__, "status", 400))
        else:
            # Parser callbacks set _quiet to 0. Bytes that made none (the
            # middle of one huge header line, which httptools buffers) count
            # towards the head limit.
            if self._quiet == -1:
                self._quiet = quiet + len(data)
                if self._quiet > MAX_HEAD:
                    self._fail(431)
        self._deliver()

    def on_message_begin(self) -> None:
        self._quiet = 0
        self._in_head = True
        self._url = b""
        self._header_parts = []
        self._head_size = 0
        self._expect_continue = False
        self._hosts = 0
        self._bad_host = False
        self._transfer_encoding = False
        if self._received:  # the first request's clock started with the connection
            self._request_began = self._last_activity  # the read that brought its first byte

    def on_url(self, piece: bytes) -> None:
        self._quiet = 0
        self._url += piece
        self._head_size += len(piece)
        if self._head_size > MAX_HEAD:
            raise BadHead(431)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._quiet = 0
        if not self._in_head:
            return  # a trailer after a chunked body: not part of the head
        self._header_parts += (name, value)
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_HEAD:
            raise BadHead(431)
        size = len(name)
        if size == 4 and name.lower() == b"host":
            self._hosts += 1
            self._bad_host = _HOST.match(value) is None
        elif size == 6 and name.lower() == b"expect":
            self._expect_continue = value.lower() == b"100-continue"
        elif size == 17 and name.lower() == b"transfer-encoding":
            self._transfer_encoding = True

    def on_headers_complete(self) -> None:
        self._quiet = 0
        parser = self._parser
        version = parser.get_http_version()
        if self._hosts > 1 or self._bad_host or (self._hosts == 0 and version == "1.1"):
            raise BadHead(400)  # RFC 9112 section 3.2
        if self._transfer_encoding and version != "1.1":
            # RFC 9112 section 6.1: an HTTP/1.0 message with Transfer-Encoding
            # has a body we cannot trust the framing of; answered and closed,
            # so nothing can be smuggled behind it.
            raise BadHead(400)
        raw_method = parser.get_method()
        method = _METHODS.get(raw_method)
        if method is None:
            method = _METHODS[raw_method] = raw_method.decode("ascii")
        keep = parser.should_keep_alive() and not parser.should_upgrade() and not self._close_when_done
        if self._expect_continue and version == "1.1" and self._received == self._finished:
            # Tell the client to send the body now rather than after its
            # own wait (curl waits a second for large uploads).
            self._send(_CONTINUE)
        self._received += 1
        self._in_head = False
        self._message_open = True
        # The request head as it goes up (see ServerEvents); the flags are
        # put in front when it is delivered.
        head = f"{method} {self._url.decode('latin-1')} {version}\n{headers_text(self._header_parts)}"
        self._queue_head(head, KEEP_ALIVE if keep else 0)

    def on_body(self, data: bytes) -> None:
        self._quiet = 0
        self._queue_body(data)

    def on_message_complete(self) -> None:
        self._quiet = 0
        self._in_head = True
        self._message_open = False
        self._request_began = None
        self._queue_complete()
        if self._close_when_done or not self._parser.should_keep_alive():
            self._stop_after_this_message()

    def _stop_after_this_message(self) -> None:
        self._ignore_input = True
        self._close_when_done = True

    def _fail(self, status: int) -> None:
        """Bad input (or too slow): stop reading requests, answer `status`
        in turn, close."""
        self._ignore_input = True
        self._request_began = None
        if self._message_open:
            self._message_open = False
            if not self._drop_unsent_message():
                # The program already has this request and may be answering
                # it: no room for an error response in the stream.
                self._abort()
                return
            self._received -= 1
        self._pending_error = error_response(status)
        self._close_if_done()

    def _emit_head(self, head: str, flags: int) -> None:
        turn = self.factory.turn
        if turn is not None and flags & COMPLETE:
            # Up with this turn's other requests (_RequestTurn); this
            # connection's later events wait for it (see _answered).
            self._awaiting = True
            turn.add(self, f"{flags}{head}")
            return
        finished = self._events.request(self.token, f"{flags}{head}")
        if finished is not None:
            self.write(*finished)

    def _answered(self, finished) -> None:
        """The request _RequestTurn took has been handed up: `finished` is
        what request() returned."""
        self._awaiting = False
        if finished is not None:
            self.write(*finished)
        self._deliver()  # what arrived behind it meanwhile; the reading state

    def _emit_body(self, text: str, complete: bool) -> None:
        finished = self._events.body(self.token, text, complete)
        if finished is not None:
            self.write(*finished)

    def _update_reading(self) -> None:
        want = not (
            self._user_paused
            or self._outbox.paused
            or self._queue
            or self._received - self._finished > MAX_PIPELINE
        )
        if want != self._reading and not self._closed:
            # Time the server does not read is not the client's: the
            # request's clock stops meanwhile.
            if not want:
                self._reading_stopped_at = self._seconds()
            elif self._reading_stopped_at is not None:
                if self._request_began is not None:
                    self._request_began += self._seconds() - self._reading_stopped_at
                self._reading_stopped_at = None
            self._set_reading(want)

    # -- writing ------------------------------------------------------------

    def write(self, data: bytes, end: int = END_NONE) -> bool:
        """Response bytes, framed by the caller. False: the transport's
        buffer is full (drain() will be called when it empties). Once the
        connection is closing, whatever comes is dropped."""
        if self._closing:
            return False
        if data:
            self._response_started = True
            # The end of a response is never refused: the stream cannot go
            # on without it, and it is small (lib/http.js writes a body past
            # 64 KiB as it comes, where the limits apply).
            self._send(data, None if end else "sendBody")
        if end:
            self._finished += 1
            self._response_started = False
            self._last_activity = self._seconds()
            if end == END_CLOSE:
                self._ignore_input = True
                self._stop_reader()
                self._lose()
                return False
            self._close_if_done()
            self._update_reading()
        if self._outbox.paused:
            self._want_drain = True
            return False
        return True

    def _close_if_done(self) -> None:
        if self._closing or self._received != self._finished:
            return
        if self._pending_error:
            self._send(self._pending_error)
            self._pending_error = b""
            self._lose()
        elif self._close_when_done:
            self._lose()

    def _send(self, data: bytes, limited_as: str | None = None) -> None:
        """Into this read's batch, or the outbox. `limited_as`: the program's
        call, to refuse its data past the outbox's limits (the batch only
        gathers while the transport is below its mark)."""
        batch = self._batch
        if batch is None or self._outbox.paused:
            if batch:
                self._flush_batch()
                self._batch = []
            if limited_as is None:
                self._outbox.write(data, limited=False)
            else:
                self._outbox.write(data, limited_as)
            return
        batch.append(data)
        self._batch_size += len(data)
        if self._batch_size >= BATCH_LIMIT:
            # A large response: into the transport now, so that its producer
            # signals (and write()'s False) apply.
            self._flush_batch()
            self._batch = []

    def _flush_batch(self) -> None:
        batch, self._batch = self._batch, None
        self._batch_size = 0
        if batch:
            self._outbox.write(batch[0] if len(batch) == 1 else b"".join(batch), limited=False)

    # IPushProducer, for the transport: its write buffer is full / drained.
    def pauseProducing(self) -> None:
        self._outbox.pause()
        if self._stalled_since is None:
            self._stalled_since = self._seconds()
        self._update_reading()

    def resumeProducing(self) -> None:
        # Progress, whether or not the queue is through: a slow reader that
        # reads is not stalled. Feeding the transport may pause us again, or
        # end in _lose_now: both start a new stall.
        self._stalled_since = None
        outbox = self._outbox
        outbox.resumed()
        if outbox.paused or self._closing:
            return
        if self._want_drain and self.token is not None:
            self._want_drain = False
            self._events.drain(self.token)
        self._update_reading()

    def stopProducing(self) -> None:
        pass  # connectionLost follows

    # -- TLS ------------------------------------------------------------------

    def _tls_live(self) -> bool:
        return not self._closed

    # -- timeouts -------------------------------------------------------------
    #
    # One timer per connection, and nothing on the hot path but time stamps.
    # The timer fires at the nearest deadline it knows of, and never later
    # than the shortest of the limits (`_shortest`) after it was set: every
    # deadline lies at least that far from where it begins (a request's first
    # byte, a write stalling), so the timer, set before that, fires before it
    # runs out, and is then set for it exactly.

    def set_timeout(self, seconds: float) -> None:
        """Idle keep-alive timeout; 0 disables it."""
        self.idle_timeout = max(0.0, float(seconds))
        self._set_shortest()
        self._cancel_timer()
        self._arm_timer()

    def _set_shortest(self) -> None:
        limits = [t for t in (self.idle_timeout, self._head_timeout, self._request_timeout) if t]
        self._shortest = min(limits) if limits else 0.0

    def _arm_timer(self) -> None:
        if self._closed or not self._shortest:
            return
        delay = self._shortest
        times = [t for t in self._deadlines() if t is not None]
        if times:
            delay = min(delay, min(times) - self._seconds())
        self._timer = self._reactor.callLater(max(0.0, delay), self._check_timers)

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None

    def _deadlines(self) -> tuple[float | None, float | None, float | None]:
        """(request, stall, idle): when each limit that applies now runs out."""
        request = stall = idle = None
        began = self._request_began
        if began is not None and self._reading_stopped_at is None and not self._ignore_input:
            limit = self._head_timeout if self._in_head else self._request_timeout
            if limit:
                request = began + limit
        if self._stalled_since is not None and self.idle_timeout:
            stall = self._stalled_since + self.idle_timeout
        if (
            self.idle_timeout
            and began is None
            and not self._message_open
            and self._received == self._finished
            and not self._closing
        ):
            idle = self._last_activity + self.idle_timeout
        return request, stall, idle

    def _check_timers(self) -> None:
        self._timer = None
        if self._closed:
            return
        request, stall, idle = self._deadlines()
        now = self._seconds()
        if stall is not None and stall <= now:
            self._abort()  # the client does not read what we write
            return
        if request is not None and request <= now:
            self._timed_out()
        elif idle is not None and idle <= now:
            self._ignore_input = True
            self._lose()
        self._arm_timer()  # for what follows (a close that stalls, say)

    def _timed_out(self) -> None:
        """A request (or its head) too slow to arrive: 408 and close. When
        the program already answered it, the connection is closed after the
        answer; when it began to, cut."""
        if not self._message_open or self._queue:
            self._fail(408)  # the program has not seen it: answered in turn
            return
        self._ignore_input = True
        self._message_open = False
        self._request_began = None
        self._stop_reader()
        owed = self._received - self._finished
        if owed == 1 and not self._response_started:
            # The program has the request but has not begun answering it:
            # answered for it; what it sends later is dropped.
            self._send(error_response(408))
            self._lose()
        elif owed == 0:
            self._lose()
        else:
            self._abort()


class _RequestTurn:
    """The requests without a body that a server's connections read in one
    turn of the reactor, handed to the program in one call at the turn's end
    (ServerEvents.requests) rather than one call each: under load a poll
    brings many, and every call into V8 has a cost of its own, larger than
    the program's work for a simple request (HTTP hello over 50 connections:
    1.6x the requests per second, HTTPS 1.55x). Each connection's own
    events stay in order (its later ones wait for its request to go up:
    _awaiting), and each request is handed up as if alone (its exceptions,
    process.nextTick; lib/http.js's onRequests). The turn's end comes before
    the reactor polls again, and the answers go out in the same turn
    (twisted_internals.at_turn_end)."""

    __slots__ = ("_reactor", "_requests", "_waiting")

    def __init__(self, reactor, requests: Callable) -> None:
        self._reactor = reactor
        self._requests = requests
        self._waiting: list[tuple[ServerChannel, str]] = []  # (channel, head), in the order read

    def add(self, channel: ServerChannel, head: str) -> None:
        if not self._waiting:
            twisted_internals.at_turn_end(self._reactor, self._hand_up)
        self._waiting.append((channel, head))

    def _hand_up(self) -> None:
        waiting, self._waiting = self._waiting, []  # a handler's wait() may start the next turn's
        # A connection closed since its request was read is left out (it
        # has nothing left to do).
        live = [(channel, head) for channel, head in waiting if channel.token is not None]

        answered = 0  # live[:answered] have gone on with their answers

        def answer(answers: list, upto: int) -> None:
            # Every connection handed up goes on, with the answer to its own
            # request: `answers` are those of live[answered:upto], in order
            # (fewer if the program ended).
            nonlocal answered
            for i, (channel, _) in enumerate(live[answered:upto]):
                try:
                    channel._answered(answers[i] if i < len(answers) else None)
                except Exception:
                    log.err(None, "twisted_node: answering an HTTP request")
            answered = max(answered, upto)

        def hand_back(count: int, answers: list) -> None:
            # A handler wait()s: the answers before it go out now (their
            # clients may be what brings the wait's end about), the requests
            # behind it come during the wait (they may be what it waits
            # for), from the turns it runs.
            answer(answers, count - 1)
            for channel, head in live[count:]:
                self.add(channel, head)
            del live[count:]

        answers: list = []
        try:
            if live:
                answers = self._requests([(channel.token, head) for channel, head in live], hand_back)
        finally:
            answer(answers, len(live))  # whatever happened above


class ServerFactory(TCPServerFactory):
    """Builds a ServerChannel per accepted connection. listen() and close()
    are tcp.Server's (synchronous listen, EADDRINUSE as a JS error, both
    IPv6 and IPv4 when no host is given); `secure` is set by setSecure."""

    noisy = False

    def __init__(self, events: ServerEvents, reactor, timeouts: Timeouts | None = None):
        super().__init__(reactor, None)
        self.events = events
        self.turn = None if events.requests is None else _RequestTurn(reactor, events.requests)
        self.timeouts = Timeouts() if timeouts is None else timeouts
        self.draining = False  # a graceful stop is under way
        # Called when it begins: the responses still to come say "Connection: close".
        self.on_draining = lambda: None

    def buildProtocol(self, addr) -> ServerChannel:
        channel = ServerChannel(self.events, self.reactor, self.timeouts, self.secure)
        channel.factory = self
        channel.remote_address = display_address(getattr(addr, "host", "") or "")
        channel.remote_port = getattr(addr, "port", 0)
        return channel

    def close(self):
        """Stop listening; open connections finish the requests they carry
        and close, idle keep-alive ones at once (as Node does since v19)."""
        for channel in list(self.connections):
            channel.stop_keep_alive()
        return super().close()

    def stop_gracefully(self, close_port):
        """As close(), but what the kernel queued is accepted and served too
        (one request each, "Connection: close"), and the Deferred fires once
        every connection has ended."""
        self.draining = True
        self.on_draining()
        for channel in list(self.connections):
            channel.stop_keep_alive()
        return super().stop_gracefully(close_port)

    def abort_connections(self) -> None:
        for channel in list(self.connections):
            channel._abort()

    def set_secure(self, fmt, ca_certs=None, crl_list=None, private_key=None, certificate=None):
        # Again while listening: new handshakes get the new credentials,
        # connections already made keep theirs; on an error nothing changes.
        self.secure = tls.server_context_factory(
            fmt, ca_certs, crl_list, private_key, certificate, current=self.secure
        )
        self.warned = False  # see tcp.warn_once


def _clean_close(reason) -> bool:
    return reason.check(ConnectionDone) is not None
