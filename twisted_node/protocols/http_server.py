"""The HTTP/1.x server connection behind lib/http.js's http.Server.

One `ServerChannel` per TCP (or TLS) connection. It parses requests with
httptools and hands them up as events (see http_common.MessageReader); the
program's responses come back down through `write(data, end)`, already
framed by lib/http.js, in request order (lib/http.js holds back the
responses to later pipelined requests until the earlier ones finish).

What this layer decides on its own, because the program cannot:
- Bad input (a malformed request line or header, an unknown method, a bad
  chunked body, a head over MAX_HEAD) is answered 400 or 431 with
  "Connection: close", after the responses to the good requests before it;
  the program never sees the bad request. A request already handed to the
  program that then turns bad (a broken chunked body) cannot be answered
  any more: the connection is closed.
- Keep-alive: after a request that does not allow another one (HTTP/1.0
  without keep-alive, "Connection: close", an upgrade we do not speak, the
  client's half-close) the rest of the input is ignored and the connection
  closes once the responses are out.
- An idle keep-alive connection (no request in progress, no response owed)
  is closed after `idle_timeout` seconds.
- Back-pressure: the channel is a streaming producer for its transport.
  While the transport's write buffer is full, `write()` returns False (the
  program sees sendBody() return false and gets "drain" later) and the
  socket is not read, so pipelined requests cannot pile up responses; at
  most MAX_PIPELINE requests may wait for their responses before reading
  stops as well. A program that streams on regardless may queue up to
  tcp.MAX_UNDRAINED bytes (64 MiB) past the full mark; the next chunk is
  refused with an ENOBUFS error (as tcp's send() does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from httptools import HttpParserError, HttpParserUpgrade, HttpRequestParser
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IHalfCloseableProtocol, IPushProducer
from twisted.internet.protocol import Protocol
from zope.interface import implementer

from twisted_node.protocols import direct_send, tls
from twisted_node.protocols.http_common import (
    KEEP_ALIVE,
    MAX_HEAD,
    HeadTooLarge,
    MessageReader,
    headers_text,
    no_delay,
)
from twisted_node.jsbridge.errors import JSError
from twisted_node.protocols.tcp import MAX_UNDRAINED, TCPServerFactory, display_address

# `end` argument of ServerChannel.write
END_NONE = 0  # more of this response follows
END_KEEP = 1  # the response is finished; the connection may carry another
END_CLOSE = 2  # the response is finished; close the connection after it

MAX_PIPELINE = 16
BATCH_LIMIT = 64 * 1024
DEFAULT_IDLE_TIMEOUT = 60.0

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_REASONS = {400: "Bad Request", 431: "Request Header Fields Too Large"}
_METHODS: dict[bytes, str] = {}


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
    return the bytes of a response finished while they ran, the same as
    write(data, END_KEEP) from inside them (one call fewer). drain(token) after a write()
    returned False and the buffer emptied. close(token, had_error).
    """

    connection: Callable
    request: Callable
    body: Callable
    drain: Callable
    close: Callable


@implementer(IHalfCloseableProtocol, IPushProducer)
class ServerChannel(Protocol, MessageReader):
    def __init__(self, events: ServerEvents, reactor, idle_timeout: float, secure=None):
        self._events = events
        self.secure = secure  # a tls server context factory, for HTTPS
        self.remote_address = ""
        self.remote_port = 0
        self.on_lost: Callable[[], object] | None = None  # after the close event
        self._init_reader(reactor)
        self._seconds = reactor.seconds
        self.idle_timeout = idle_timeout
        self._parser = HttpRequestParser(self)
        self._received = 0  # requests whose head was parsed
        self._finished = 0  # responses the program finished
        self._in_head = True  # between messages, or inside a head
        self._message_open = False  # head parsed, message not complete
        self._url = b""
        self._header_parts: list[bytes] = []
        self._head_size = 0
        self._expect_continue = False
        self._ignore_input = False  # no further request will be read
        self._close_when_done = False  # close once every response is out
        self._pending_error = b""  # an error response waiting for its turn
        self._write_blocked = False
        self._undrained = 0  # bytes written while the transport said "full"
        self._want_drain = False
        self._closed = False
        self._aborted = False
        self._last_activity = 0.0
        self._idle_call = None
        self._batch: list[bytes] | None = None
        self._batch_size = 0
        self._writer = None  # a direct_send.Writer once connected

    # -- connection ---------------------------------------------------------

    def connectionMade(self) -> None:
        # Writes are already gathered per event (see _flush_batch): what is
        # written should go out now, not wait for the peer's ACK.
        no_delay(self.transport)
        if self.secure is not None:
            self.transport.startTLS(self.secure)
        self.transport.registerProducer(self, True)
        self._writer = direct_send.Writer(self.transport)
        self.factory.channels.add(self)
        self.token = self._events.connection(self, self.remote_address, self.remote_port)
        if self.token is None:
            self._closed = True
            self.transport.abortConnection()
            return
        self._last_activity = self._seconds()
        self._arm_idle_timer(self.idle_timeout)

    def connectionLost(self, reason=None) -> None:
        self._closed = True
        self.factory.channels.discard(self)
        self._stop_reader()
        if self._idle_call is not None and self._idle_call.active():
            self._idle_call.cancel()
        self._idle_call = None
        token, self.token = self.token, None
        if token is not None:
            # A connection the client closed cleanly, or that we closed after
            # a response, is not an error.
            had_error = reason is not None and not _clean_close(reason)
            self._events.close(token, had_error)
        if self.on_lost is not None:
            self.on_lost()

    def readConnectionLost(self) -> None:
        # The client half-closed: it sends no more requests, but still waits
        # for the responses to those it sent.
        if self._message_open:
            self._abort()
            return
        self._ignore_input = True
        self._close_when_done = True
        self._close_if_done()

    def writeConnectionLost(self) -> None:
        self._abort()

    def stop_keep_alive(self) -> None:
        """The server is closing: answer what was asked, then close."""
        if self._closed:
            return
        self._close_when_done = True
        if not self._message_open:
            self._ignore_input = True
            self._close_if_done()

    def close(self) -> None:
        """The program closes the connection (after what was written)."""
        if not self._closed:
            self._ignore_input = True
            self._lose()

    def _lose(self) -> None:
        self._flush_batch()
        # A TLS transport waits for its producer to go away before it sends
        # close_notify; nothing more will be written by then anyway.
        self.transport.unregisterProducer()
        self.transport.loseConnection()

    def _abort(self) -> None:
        if not self._closed and not self._aborted:
            self._aborted = True  # and nothing more is written
            self._ignore_input = True
            self._batch = None
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
                too_large = isinstance(e.__context__, HeadTooLarge)
                self._fail(431 if too_large else 400)
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

    def on_url(self, piece: bytes) -> None:
        self._quiet = 0
        self._url += piece
        self._head_size += len(piece)
        if self._head_size > MAX_HEAD:
            raise HeadTooLarge()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._quiet = 0
        if not self._in_head:
            return  # a trailer after a chunked body: not part of the head
        self._header_parts += (name, value)
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_HEAD:
            raise HeadTooLarge()
        if len(name) == 6 and name.lower() == b"expect":
            self._expect_continue = value.lower() == b"100-continue"

    def on_headers_complete(self) -> None:
        self._quiet = 0
        parser = self._parser
        raw_method = parser.get_method()
        method = _METHODS.get(raw_method)
        if method is None:
            method = _METHODS[raw_method] = raw_method.decode("ascii")
        version = parser.get_http_version()
        keep = parser.should_keep_alive() and not parser.should_upgrade()
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
        self._queue_complete()
        if self._close_when_done or not self._parser.should_keep_alive():
            self._stop_after_this_message()

    def _stop_after_this_message(self) -> None:
        self._ignore_input = True
        self._close_when_done = True

    def _fail(self, status: int) -> None:
        """Bad input: stop reading requests, answer `status` in turn, close."""
        self._ignore_input = True
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
        finished = self._events.request(self.token, f"{flags}{head}")
        if finished is not None:
            self.write(finished, END_KEEP)

    def _emit_body(self, text: str, complete: bool) -> None:
        finished = self._events.body(self.token, text, complete)
        if finished is not None:
            self.write(finished, END_KEEP)

    def _update_reading(self) -> None:
        want = not (
            self._user_paused
            or self._write_blocked
            or self._queue
            or self._received - self._finished > MAX_PIPELINE
        )
        self._set_reading(want)

    # -- writing ------------------------------------------------------------

    def write(self, data: bytes, end: int = END_NONE) -> bool:
        """Response bytes, framed by the caller. False: the transport's
        buffer is full (drain() will be called when it empties)."""
        if self._closed or self._aborted:
            return False
        if self._write_blocked and data and not end:
            # A program streaming on although sendBody() said false: as with
            # tcp's send(), memory stays bounded and it is told so.
            self._undrained += len(data)
            if self._undrained > MAX_UNDRAINED:
                self._undrained -= len(data)
                raise JSError(
                    f'sendBody: more than {MAX_UNDRAINED} bytes sent without waiting for "drain"; '
                    "this chunk was not queued",
                    code="ENOBUFS",
                )
        if data:
            self._send(data)
        if end:
            self._finished += 1
            self._last_activity = self._seconds()
            if end == END_CLOSE:
                self._ignore_input = True
                self._stop_reader()
                self._lose()
                return False
            self._close_if_done()
            self._update_reading()
        if self._write_blocked:
            self._want_drain = True
            return False
        return True

    def _close_if_done(self) -> None:
        if self._closed or self._aborted or self._received != self._finished:
            return
        if self._pending_error:
            self._send(self._pending_error)
            self._pending_error = b""
            self._lose()
        elif self._close_when_done:
            self._lose()

    def _send(self, data: bytes) -> None:
        batch = self._batch
        if batch is None:
            self._writer.write(data)
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
        if not batch:
            return
        self._writer.write(batch[0] if len(batch) == 1 else b"".join(batch))

    # IPushProducer, for the transport: its write buffer is full / drained.
    def pauseProducing(self) -> None:
        self._write_blocked = True
        self._update_reading()

    def resumeProducing(self) -> None:
        self._write_blocked = False
        self._undrained = 0
        if self._want_drain and self.token is not None:
            self._want_drain = False
            self._events.drain(self.token)
        self._update_reading()

    def stopProducing(self) -> None:
        pass  # connectionLost follows

    # -- TLS ------------------------------------------------------------------

    def verify_peer(self) -> int:
        if self.secure is None or self._closed:
            return tls.NO_CERTIFICATE
        return tls.verify_peer(self.transport, None)

    def peer_dn_string(self) -> str | None:
        if self.secure is None or self._closed:
            return None
        return tls.peer_dn_string(self.transport)

    # -- idle timeout -------------------------------------------------------

    def set_timeout(self, seconds: float) -> None:
        """Idle keep-alive timeout; 0 disables it."""
        self.idle_timeout = max(0.0, float(seconds))
        self._arm_idle_timer(self.idle_timeout)

    def _arm_idle_timer(self, delay: float) -> None:
        if self._idle_call is not None and self._idle_call.active():
            self._idle_call.cancel()
        self._idle_call = None
        if delay > 0 and not self._closed:
            self._idle_call = self._reactor.callLater(delay, self._check_idle)

    def _check_idle(self) -> None:
        # One timer per connection, re-armed only when it fires: cheaper
        # than resetting it on every read.
        self._idle_call = None
        timeout = self.idle_timeout
        if self._closed or timeout <= 0:
            return
        busy = self._received != self._finished or self._message_open
        idle_for = self._seconds() - self._last_activity
        if busy or idle_for < timeout:
            self._arm_idle_timer(timeout if busy else timeout - idle_for)
        else:
            self._ignore_input = True
            self._lose()


class ServerFactory(TCPServerFactory):
    """Builds a ServerChannel per accepted connection. listen() and close()
    are tcp.Server's (synchronous listen, EADDRINUSE as a JS error, both
    IPv6 and IPv4 when no host is given); `secure` is set by setSecure."""

    noisy = False

    def __init__(self, events: ServerEvents, reactor, idle_timeout: float = DEFAULT_IDLE_TIMEOUT):
        super().__init__(reactor, None)
        self.events = events
        self.idle_timeout = idle_timeout
        self.channels: set[ServerChannel] = set()

    def buildProtocol(self, addr) -> ServerChannel:
        channel = ServerChannel(self.events, self.reactor, self.idle_timeout, self.secure)
        channel.factory = self
        channel.remote_address = display_address(getattr(addr, "host", "") or "")
        channel.remote_port = getattr(addr, "port", 0)
        return channel

    def close(self):
        """Stop listening; open connections finish the requests they carry
        and close, idle keep-alive ones at once (as Node does since v19)."""
        for channel in list(self.channels):
            channel.stop_keep_alive()
        return super().close()

    def set_secure(self, fmt, ca_certs=None, crl_list=None, private_key=None, certificate=None):
        self.secure = tls.server_context_factory(fmt, ca_certs, crl_list, private_key, certificate)


def _clean_close(reason) -> bool:
    return reason.check(ConnectionDone) is not None
