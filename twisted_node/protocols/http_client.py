"""The HTTP/1.x client behind lib/http.js's http.Client.

An `HTTPClient` owns at most one connection to its server and carries one
request at a time (the manual's client does not pipeline; lib/http.js
queues the program's requests and starts the next one when the previous
response is complete). Responses are parsed by httptools, a fresh parser
per request, and handed up as events (see http_common.MessageReader).

- The connection is made when the first request starts, kept after a
  keep-alive response and reused; after a response that does not allow
  keep-alive, or after the server closed the idle connection, the next
  request connects again.
- A server may close a kept-alive connection just as we send a request on
  it. If that connection closes before a single byte of the response came
  back, the request (kept while it is at most REPLAY_LIMIT bytes) is sent
  again once on a new connection, so the program does not see that race.
- A refused connection, a failed name lookup, a TLS failure or a connection
  broken before the response is complete end the request with one error
  event; a broken response never gets its "complete". A server that accepts
  and closes without answering a byte is an end of stream, as for v0.1's
  client (a tcp.Connection): the request ends without an error.
- The client also reports its connection as v0.1's did: connect (after the
  TLS handshake on HTTPS), eof (the server closed it), close(had_error) for
  every connection made or attempted, and timeout when a connection has
  been idle for `timeout` seconds (default 60, as tcp's): it is then closed,
  and a request still on it ends without an error.
- Responses to HEAD, 1xx (skipped, except 101), 204 and 304 have no body; a
  response without Content-Length or chunked coding ends when the
  connection closes (httptools has no finish(), so that is done here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from httptools import HttpParserError, HttpResponseParser
from twisted.internet.error import ConnectionDone
from twisted.internet.interfaces import IHandshakeListener, IPushProducer
from twisted.internet.protocol import ClientFactory, Protocol
from zope.interface import implementer

from twisted_node.protocols.http_common import (
    COMPLETE,
    KEEP_ALIVE,
    MAX_HEAD,
    BadHead,
    MessageReader,
    connection_error,
    head_too_large,
    headers_text,
    no_delay,
)
from twisted_node.protocols import twisted_internals
from twisted_node.protocols.outbox import Outbox
from twisted_node.protocols.transport import IdleTimer, PeerCertificates

# `flags` argument of HTTPClient.send
START = 1  # these are the first bytes of a new request
END = 2  # the request is fully sent
HEAD_METHOD = 4  # the request is a HEAD: its response has no body

REPLAY_LIMIT = 1024 * 1024
DEFAULT_TIMEOUT = 60.0


def _ignore(*args) -> None:
    return None


@dataclass
class ClientEvents:
    """The callables a client calls (the binding supplies them). The
    request's: response(token, status, version, headers, flags),
    body(token, text, complete), error(token, message, code), drain(token),
    with the token of the request (see HTTPClient.send). The connection's:
    connect(token), eof(token), close(token, had_error), timeout(token), with
    the client's own token (HTTPClient.client_token)."""

    response: Callable
    body: Callable
    error: Callable
    drain: Callable
    connect: Callable = _ignore
    eof: Callable = _ignore
    close: Callable = _ignore
    timeout: Callable = _ignore
    # dropped(token): the request ended with neither a response nor an
    # error (see above), so the layer above can start the next one.
    dropped: Callable = _ignore


class HTTPClient(PeerCertificates):
    def __init__(self, reactor, connect: Callable, events: ClientEvents, token):
        """`connect(factory)` starts a connection attempt for `factory` (name
        lookup, TCP or TLS) and returns something with cancel()."""
        self.reactor = reactor
        self.token = token
        self.client_token = None  # what the connection's events carry
        self.timeout = DEFAULT_TIMEOUT  # seconds a connection may stay idle (0: no limit)
        self.secure = None  # a tls client context factory, for HTTPS
        self.hostname = None  # checked by verify_peer
        self.port = None  # with the host name, which TLS session to resume
        # Called with True when a request starts and False when it is over
        # (the binding keeps the program alive in between).
        self.on_active: Callable[[bool], object] | None = None
        self._connect_with = connect
        self._events = events
        self._channel: ClientChannel | None = None
        self._reader: ClientChannel | None = None  # carries the current response
        self._attempt = None
        self._unsent: list[bytes] = []  # before the connection is made
        self._active = False
        self._head_request = False
        self._replay: list[bytes] | None = None
        self._replay_size = 0
        self._retried = False
        self.closed = False

    @property
    def channel(self):
        """The open connection, if any (for TLS peer checks)."""
        return self._channel

    @property
    def active(self) -> bool:
        return self._active

    def send(self, data: bytes, flags: int, token=None) -> bool:
        """Bytes of the current request. With START, `token` is what the
        events of this request will carry. False: the transport's buffer is
        full (drain follows)."""
        if flags & START:
            self.token = token
            self._start(bool(flags & HEAD_METHOD))
        elif not self._active:
            return False  # the request already failed
        if self._replay is not None and data:
            self._replay.append(data)
            self._replay_size += len(data)
            if self._replay_size > REPLAY_LIMIT:
                self._replay = None
        channel = self._channel
        if channel is not None:
            return channel.write(data) if data else not channel.write_blocked
        if data:
            self._unsent.append(data)
        return True

    def _start(self, head_request: bool) -> None:
        if not self._active and self.on_active is not None:
            self.on_active(True)
        self._active = True
        self._head_request = head_request
        self._retried = False
        self._replay_size = 0
        if self._channel is not None:
            # A reused connection may be closing under us: keep the bytes.
            self._replay = []
            self._reader = self._channel
            self._channel.expect_response(head_request)
        else:
            self._replay = None
            self._connect()

    def _connect(self) -> None:
        if self._attempt is None and not self.closed:
            self._attempt = _Attempt(self)
            self._attempt.handle = self._connect_with(self._attempt)

    # -- from the connection ------------------------------------------------

    def _connected(self, channel: ClientChannel) -> None:
        self._attempt = None
        if self.closed:
            channel.transport.abortConnection()
            return
        self._channel = channel
        if self._active:
            self._reader = channel
            channel.expect_response(self._head_request)
        unsent, self._unsent = self._unsent, []
        for data in unsent:
            channel.write(data, limited=False)  # accepted already

    def _connect_failed(self, reason) -> None:
        self._attempt = None
        self._unsent = []
        self._fail(reason)
        self._events.close(self.client_token, True)

    def _response_started(self) -> None:
        self._replay = None  # the server answered: never send it twice

    def _end_request(self):
        """The request in flight is over; returns its token, which we keep
        no longer (it may be a JS object: see the binding)."""
        self._active = False
        self._replay = None
        token, self.token = self.token, None
        if self.on_active is not None:
            self.on_active(False)
        return token

    def _response_done(self, channel: ClientChannel, keep_alive: bool) -> None:
        """Called just before "complete" goes up, so that a request started
        from a "complete" listener finds the client ready (or reconnects)."""
        self._end_request()
        if not keep_alive and self._channel is channel:
            self._channel = None
            channel.lose()

    def _channel_lost(self, channel: ClientChannel, reason, response_seen: bool, done: bool) -> None:
        if channel is not self._channel:
            return  # a connection we had already let go
        self._channel = None
        if not self._active or done:
            # An idle keep-alive connection closed (the next request
            # reconnects), or the response is complete but still queued.
            return
        if not response_seen and self._replay is not None and not self._retried:
            self._retried = True
            self._unsent, self._replay = self._replay, None
            self._connect()
            return
        if channel.timed_out or (not response_seen and reason.check(ConnectionDone)):
            # No answer and no error: the end of the stream, or our own
            # timeout, which v0.1 ended the same way (see above).
            self._events.dropped(self._end_request())
            return
        self._fail(reason)

    def _connection_closed(self, channel: ClientChannel, reason) -> None:
        """The connection's own events, after its request's."""
        clean = reason is None or reason.check(ConnectionDone) is not None
        if clean and not channel.closed_by_us:
            self._events.eof(self.client_token)
        self._events.close(self.client_token, not (clean or channel.closed_by_us))

    def set_timeout(self, seconds: float) -> None:
        self.timeout = max(0.0, float(seconds))
        if self._channel is not None:
            self._channel.idle.set_timeout(self.timeout, running=True)

    def _fail(self, reason) -> None:
        if not self._active:
            return
        token = self._end_request()
        message, code = connection_error(reason)
        self._events.error(token, message, code)

    def _protocol_error(self, channel: ClientChannel, message: str) -> None:
        if channel is self._channel:
            self._channel = None
        channel.transport.abortConnection()
        if self._active:
            token = self._end_request()
            self._events.error(token, message, "EPROTO")

    # -- from the program ---------------------------------------------------

    def pause_reading(self) -> None:
        if self._reader is not None:
            self._reader.pause_reading()

    def resume_reading(self) -> None:
        if self._reader is not None:
            self._reader.resume_reading()

    def set_body_encoding(self, encoding) -> None:
        if self._reader is not None:
            self._reader.set_body_encoding(encoding)

    def set_secure(self, context_factory) -> None:
        """HTTPS from the next connection on; an idle plain connection is
        dropped so that the next request does not go out in the clear."""
        self.secure = context_factory
        if self._channel is not None and not self._active:
            channel, self._channel = self._channel, None
            channel.lose()

    @property
    def peer_hostname(self) -> str | None:
        return self.hostname

    def _tls_transport(self):
        channel = self._channel
        return channel.transport if self.secure is not None and channel is not None else None

    def close(self) -> None:
        """Close the connection and forget the request in flight, silently
        (the program is ending, or asked for it)."""
        self.closed = True
        if self._active:
            self._end_request()
        self._unsent = []
        if self._attempt is not None:
            self._attempt.cancel()
            self._attempt = None
        channel, self._channel = self._channel, None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.token = None
            reader._stop_reader()
        if channel is not None:
            channel.token = None
            channel.closed_by_us = True
            channel.transport.abortConnection()


class _Attempt(ClientFactory):
    """One connection attempt; a cancelled one drops what it connects."""

    protocol = None
    noisy = False

    def __init__(self, client: HTTPClient):
        self.client = client
        self.handle = None
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self.handle is not None:
            self.handle.cancel()

    def buildProtocol(self, addr):
        channel = ClientChannel(self.client)
        channel.factory = self
        return channel

    def clientConnectionFailed(self, connector, reason) -> None:
        if not self.cancelled:
            self.client._connect_failed(reason)


def _keep_alive(version: str, connection: bytes) -> bool:
    tokens = {t.strip() for t in connection.split(b",")}
    if version == "1.1":
        return b"close" not in tokens
    return b"keep-alive" in tokens


@implementer(IPushProducer, IHandshakeListener)
class ClientChannel(Protocol, MessageReader):
    def __init__(self, client: HTTPClient):
        self._client = client
        self._init_reader(client.reactor)
        self.token = client.token
        self._parser = None
        self._want_drain = False
        self._closed = False
        self.closed_by_us = False
        self.timed_out = False
        self._outbox: Outbox | None = None  # once connected
        self.idle = IdleTimer(client.reactor, self._timed_out, client.timeout)
        self._reset(False)

    def _reset(self, head_request: bool) -> None:
        self._head_request = head_request
        self._response_seen = False
        self._message_open = False
        self._done = False
        self._informational = False
        self._close_delimited = False
        self._keep_alive = True
        self._header_parts: list[bytes] = []
        self._head_size = 0
        self._has_length = False
        self._chunked = False
        self._connection = b""

    def expect_response(self, head_request: bool) -> None:
        self.token = self._client.token
        self._reset(head_request)
        self._parser = HttpResponseParser(self)

    # -- connection ---------------------------------------------------------

    def connectionMade(self) -> None:
        if self.factory.cancelled:
            self.transport.abortConnection()
            return
        no_delay(self.transport)  # a request's head and body go out as written
        if self._client.secure is not None:
            twisted_internals.start_tls(self.transport, self._client.secure)
        self._outbox = Outbox(self.transport)
        self.transport.registerProducer(self, True)
        self.idle.start()
        self._client._connected(self)
        if self._client.secure is None:
            self._announce()

    def handshakeCompleted(self) -> None:
        self._announce()

    def _announce(self) -> None:
        if not self._closed and self._client._channel is self:
            self._client._events.connect(self._client.client_token)

    def lose(self) -> None:
        self.closed_by_us = True
        # A TLS transport waits for its producer to go away before closing.
        self.transport.unregisterProducer()
        self.transport.loseConnection()

    def connectionLost(self, reason=None) -> None:
        self._closed = True
        self.idle.stop()
        if self._outbox is not None:
            self._outbox.discard()
        if self._message_open and self._close_delimited and not self._done:
            self._done = True  # the body ran to the end of the connection
            self._queue_complete()
        if not self._done:
            self._stop_reader()
        self._client._channel_lost(self, reason, self._response_seen, self._done)
        self._deliver()
        if not self.factory.cancelled:
            self._client._connection_closed(self, reason)

    def _timed_out(self) -> None:
        if self._closed:
            return
        self.timed_out = True
        self._client._events.timeout(self._client.client_token)
        if not self._closed:
            self.lose()

    @property
    def write_blocked(self) -> bool:
        return self._outbox is not None and self._outbox.paused

    def write(self, data: bytes, limited: bool = True) -> bool:
        """False: over the mark (drain follows). Past the outbox's limits
        the program's data is refused with ENOBUFS."""
        if self._closed:
            return False
        self.idle.touch()
        if not self._outbox.write(data, "sendBody", limited):
            self._want_drain = True
            return False
        return True

    # IPushProducer, for the transport's write buffer.
    def pauseProducing(self) -> None:
        self._outbox.pause()

    def resumeProducing(self) -> None:
        self._outbox.resumed()
        if self._outbox.paused:
            return
        if self._want_drain and self.token is not None:
            self._want_drain = False
            self._client._events.drain(self.token)

    def stopProducing(self) -> None:
        pass

    # -- reading ------------------------------------------------------------

    def dataReceived(self, data: bytes) -> None:
        self.idle.touch()
        if self._parser is None or self._done:
            # Nothing was asked: a server that talks out of turn is not
            # speaking HTTP/1.1 to us.
            self._client._protocol_error(self, "EPROTO, data from the server without a request")
            return
        if not self._response_seen:
            self._response_seen = True
            self._client._response_started()
        quiet = self._quiet
        self._quiet = -1
        try:
            self._parser.feed_data(data)
        except HttpParserError as e:
            if not self._done:
                if head_too_large(e):
                    message = f"EPROTO, response head larger than {MAX_HEAD} bytes"
                else:
                    message = f"EPROTO, malformed HTTP response: {e}"
                self._stop_reader()
                self._client._protocol_error(self, message)
                return
        else:
            if self._quiet == -1:
                self._quiet = quiet + len(data)
                if self._quiet > MAX_HEAD and not self._message_open:
                    self._stop_reader()
                    self._client._protocol_error(self, f"EPROTO, response head larger than {MAX_HEAD} bytes")
                    return
        self._deliver()

    def on_message_begin(self) -> None:
        self._quiet = 0
        self._header_parts = []
        self._head_size = 0
        self._has_length = False
        self._chunked = False
        self._connection = b""

    def on_header(self, name: bytes, value: bytes) -> None:
        self._quiet = 0
        if self._done or self._message_open:
            return  # trailers, or bytes after the response we wanted
        self._header_parts += (name, value)
        self._head_size += len(name) + len(value) + 4
        if self._head_size > MAX_HEAD:
            raise BadHead(431)
        lname = name.lower()
        if lname == b"content-length":
            self._has_length = True
        elif lname == b"transfer-encoding":
            self._chunked = value.lower().rstrip().endswith(b"chunked")
        elif lname == b"connection":
            self._connection += b"," + value.lower()

    def on_headers_complete(self) -> None:
        self._quiet = 0
        if self._done:
            return
        parser = self._parser
        status = parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self._informational = True  # 100 Continue and the like
            return
        self._keep_alive = keep = parser.should_keep_alive() and status != 101
        flags = KEEP_ALIVE if keep else 0
        args = (status, parser.get_http_version(), headers_text(self._header_parts))
        if self._head_request or status in (204, 304) or status == 101:
            # No body, whatever Content-Length says; llhttp cannot be told
            # so (it would wait for the body, or for the close when there is
            # no length), and this parser is not used again.
            self._done = True
            self._keep_alive = keep = status != 101 and _keep_alive(
                parser.get_http_version(), self._connection
            )
            self._queue_head(args, (KEEP_ALIVE if keep else 0) | COMPLETE)
            return
        self._message_open = True
        self._close_delimited = not (self._has_length or self._chunked)
        if self._close_delimited:
            self._keep_alive = False
        self._queue_head(args, flags)

    def on_body(self, data: bytes) -> None:
        self._quiet = 0
        if self._message_open and not self._done:
            self._queue_body(data)

    def on_message_complete(self) -> None:
        self._quiet = 0
        if self._informational:
            self._informational = False
            return
        if self._done:
            return
        self._done = True
        self._message_open = False
        self._keep_alive = self._keep_alive and self._parser.should_keep_alive()
        self._queue_complete()

    def _emit_head(self, args: tuple, flags: int) -> None:
        token = self.token
        if flags & COMPLETE:
            self.token = None
            self._client._response_done(self, self._keep_alive)
        self._client._events.response(token, args[0], args[1], args[2], flags)

    def _emit_body(self, text: str, complete: bool) -> None:
        token = self.token
        if complete:
            self.token = None
            self._client._response_done(self, self._keep_alive)
        self._client._events.body(token, text, complete)

    def _update_reading(self) -> None:
        self._set_reading(not (self._user_paused or self._queue))
