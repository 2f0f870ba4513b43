"""Trial tests of the HTTP protocols alone (layer 1: no JavaScript).

Real sockets on 127.0.0.1: a ServerFactory whose events are answered by a
small Python application, raw TCP clients for what a browser or an attacker
might send, and the HTTPClient against both.
"""

from __future__ import annotations

import hashlib
import socket

from twisted.internet import defer, protocol, reactor
from twisted.internet.error import ConnectionRefusedError
from twisted.trial import unittest

from twisted_node.protocols import http_client, http_server
from twisted_node.protocols.http_common import COMPLETE, KEEP_ALIVE

# A handful of seconds for any single test: everything is on loopback.
TIMEOUT = 20


def parse_headers(text: str) -> dict:
    parts = text.split("\x00") if text else []
    headers: dict[str, str] = {}
    for name, value in zip(parts[0::2], parts[1::2], strict=True):
        name = name.lower()
        headers[name] = headers[name] + ", " + value if name in headers else value
    return headers


class Request:
    def __init__(self, conn, head):
        flags = int(head[0])
        line, _, headers = head[1:].partition("\n")
        method, url, version = line.split(" ")
        self.conn = conn
        self.method = method
        self.url = url
        self.version = version
        self.headers = parse_headers(headers)
        self.keep_alive = bool(flags & KEEP_ALIVE)
        self.body: list[str] = []
        self.complete = bool(flags & COMPLETE)
        self.completed = defer.Deferred()
        if self.complete:
            self.completed.callback(self)

    def respond(self, status=200, body=b"ok", headers=()):
        head = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *headers]
        if not self.keep_alive:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        end = http_server.END_KEEP if self.keep_alive else http_server.END_CLOSE
        return self.conn.channel.write(data, end)


class Conn:
    def __init__(self, app, channel, host, port):
        self.app = app
        self.channel = channel
        self.host = host
        self.current: Request | None = None
        self.closed = defer.Deferred()
        self.drains = 0


class App:
    """Records every event; `on_request(request)` decides what to do."""

    def __init__(self, on_request=None):
        self.on_request = on_request or (lambda r: r.respond(body=r.url.encode()))
        self.requests: list[Request] = []
        self.conns: list[Conn] = []

    def events(self) -> http_server.ServerEvents:
        return http_server.ServerEvents(
            connection=self._connection,
            request=self._request,
            body=self._body,
            drain=self._drain,
            close=self._close,
        )

    def _connection(self, channel, host, port):
        conn = Conn(self, channel, host, port)
        self.conns.append(conn)
        return conn

    def _request(self, conn, head):
        r = conn.current = Request(conn, head)
        self.requests.append(r)
        self.on_request(r)

    def _body(self, conn, text, complete):
        r = conn.current
        r.body.append(text)
        if complete:
            r.complete = True
            r.completed.callback(r)

    def _drain(self, conn):
        conn.drains += 1

    def _close(self, conn, had_error):
        conn.closed.callback(had_error)


class Collect(protocol.Protocol):
    """A raw client: sends `data`, collects everything until the close."""

    def __init__(self, data: bytes, half_close=False):
        self.data = data
        self.half_close = half_close
        self.received = bytearray()
        self.done = defer.Deferred()

    def connectionMade(self):
        self.transport.write(self.data)
        if self.half_close:
            self.transport.loseWriteConnection()

    def dataReceived(self, data):
        self.received += data

    def connectionLost(self, reason):
        self.done.callback(bytes(self.received))


class ServerTestCase(unittest.TestCase):
    timeout = TIMEOUT

    def listen(self, app: App, idle_timeout=http_server.DEFAULT_IDLE_TIMEOUT, **timeouts) -> int:
        """`timeouts`: the other fields of http_server.Timeouts (headers, request)."""
        factory = http_server.ServerFactory(
            app.events(), reactor, http_server.Timeouts(idle=idle_timeout, **timeouts)
        )
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        self.addCleanup(self._close_all, app)
        return port.getHost().port

    def _close_all(self, app):
        waits = []
        for c in app.conns:
            if not c.channel._closed:
                c.channel.transport.abortConnection()
                waits.append(c.closed)
        return defer.gatherResults(waits)

    def raw(self, port, data: bytes, half_close=False) -> defer.Deferred:
        client = Collect(data, half_close)
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        return client.done


def split_responses(data: bytes) -> list[tuple[int, dict, bytes]]:
    """Content-Length framed responses, in order."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        n = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


class ServerTests(ServerTestCase):
    @defer.inlineCallbacks
    def test_get_and_keep_alive(self):
        app = App()
        port = self.listen(app)
        data = yield self.raw(
            port,
            b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\n"
            b"GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        )
        self.assertEqual([r[2] for r in split_responses(data)], [b"/a?x=1", b"/b"])
        first, second = app.requests
        self.assertEqual((first.method, first.version, first.keep_alive), ("GET", "1.1", True))
        self.assertEqual(first.headers["x-twice"], "1, 2")
        self.assertTrue(first.complete)
        self.assertFalse(second.keep_alive)
        self.assertEqual(len(app.conns), 1)
        self.assertEqual(app.conns[0].host, "127.0.0.1")

    @defer.inlineCallbacks
    def test_http10_closes_unless_keep_alive(self):
        app = App()
        port = self.listen(app)
        data = yield self.raw(port, b"GET /x HTTP/1.0\r\n\r\n")
        self.assertEqual(split_responses(data)[0][2], b"/x")
        self.assertEqual(app.requests[0].version, "1.0")
        self.assertFalse(app.requests[0].keep_alive)
        data = yield self.raw(
            port,
            b"GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /l HTTP/1.0\r\n\r\n",
        )
        self.assertEqual([r[2] for r in split_responses(data)], [b"/k", b"/l"])
        self.assertTrue(app.requests[1].keep_alive)

    @defer.inlineCallbacks
    def test_pipelined_in_one_packet_answered_in_order(self):
        pending = []
        app = App(on_request=pending.append)
        port = self.listen(app)
        reqs = b"".join(b"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n" % i for i in range(5))
        done = self.raw(port, reqs + b"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        while len(pending) < 6:
            yield deferLater(0.01)
        for r in pending:
            r.respond(body=r.url.encode())
        data = yield done
        self.assertEqual([r[2] for r in split_responses(data)], [b"/0", b"/1", b"/2", b"/3", b"/4", b"/last"])

    @defer.inlineCallbacks
    def test_chunked_upload_body_and_trailers(self):
        app = App(
            on_request=lambda r: r.completed.addCallback(
                lambda r: r.respond(body=b"".join(s.encode("latin-1") for s in r.body))
            )
        )
        port = self.listen(app)
        data = yield self.raw(
            port,
            b"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        )
        self.assertEqual(split_responses(data)[0][2], b"hello world")
        self.assertNotIn("x-trailer", app.requests[0].headers)

    @defer.inlineCallbacks
    def test_utf8_body_split_inside_a_character(self):
        got = defer.Deferred()

        def on_request(r):
            r.conn.channel.set_body_encoding("utf8")
            r.completed.addCallback(lambda r: (got.callback(r.body), r.respond()))

        app = App(on_request=on_request)
        port = self.listen(app)
        text = "h\u00e9llo \u20ac \U0001f600".encode()
        client = Collect(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(text) + text[:2])
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        yield deferLater(0.1)
        client.transport.write(text[2:])
        body = yield got
        self.assertEqual("".join(body), "h\u00e9llo \u20ac \U0001f600")
        self.assertEqual(body[0], "h")  # the split character waited for its second byte
        client.transport.loseConnection()
        yield client.done

    @defer.inlineCallbacks
    def test_pause_stops_events_and_reading(self):
        requests = []

        def on_request(r):
            requests.append(r)
            r.conn.channel.pause_reading()

        app = App(on_request=on_request)
        port = self.listen(app)
        body = b"x" * 300_000
        client = Collect(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        while not requests:
            yield deferLater(0.01)
        yield deferLater(0.2)
        r = requests[0]
        self.assertEqual(r.body, [])  # paused: nothing delivered
        channel = r.conn.channel
        self.assertFalse(channel._reading)
        channel.resume_reading()
        yield r.completed
        self.assertEqual(sum(len(s) for s in r.body), len(body))
        r.respond()
        client.transport.loseConnection()
        yield client.done

    @defer.inlineCallbacks
    def test_expect_continue(self):
        app = App(on_request=lambda r: r.completed.addCallback(lambda r: r.respond()))
        port = self.listen(app)
        data = yield self.raw(
            port,
            b"PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
            b"Connection: close\r\n\r\nhi",
        )
        self.assertTrue(data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"))

    @defer.inlineCallbacks
    def test_half_close_still_answered(self):
        app = App()
        port = self.listen(app)
        data = yield self.raw(port, b"GET /h HTTP/1.1\r\nHost: x\r\n\r\n", half_close=True)
        self.assertEqual(split_responses(data)[0][2], b"/h")

    @defer.inlineCallbacks
    def test_idle_keep_alive_timeout(self):
        app = App()
        port = self.listen(app, idle_timeout=0.3)
        client = Collect(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        data = yield client.done  # closed by the server, not by us
        self.assertEqual(split_responses(data)[0][0], 200)
        had_error = yield app.conns[0].closed
        self.assertFalse(had_error)

    @defer.inlineCallbacks
    def test_busy_connection_is_not_idle(self):
        pending = []
        app = App(on_request=pending.append)
        port = self.listen(app, idle_timeout=0.2)
        done = self.raw(port, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        yield deferLater(0.6)  # longer than the timeout, response still owed
        pending[0].respond(body=b"late")
        data = yield done
        self.assertEqual(split_responses(data)[0][2], b"late")

    @defer.inlineCallbacks
    def test_backpressure_on_a_large_response(self):
        # The client does not read: writes start returning False, and drain
        # comes once it reads; the bytes all arrive, in order.
        results = []
        app = App(on_request=results.append)
        port = self.listen(app)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        self.addCleanup(sock.close)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        while not results:
            yield deferLater(0.01)
        r = results[0]
        channel = r.conn.channel
        # Small kernel buffers on both ends: writes go to the socket first
        # when nothing is queued, so only then does the transport's own
        # buffer fill within a few chunks.
        channel.transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        chunks = 24
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (chunks * 65536)
        channel.write(head)
        sha = hashlib.sha256()
        accepted = 0
        for i in range(chunks):
            chunk = bytes([i]) * 65536
            sha.update(chunk)
            if not channel.write(chunk):
                break
            accepted += 1
        self.assertLess(accepted, chunks)  # the transport said "enough"
        self.assertFalse(channel._reading)  # and no more requests are read
        self.assertEqual(r.conn.drains, 0)
        sock.setblocking(False)
        received = bytearray()
        total = len(head) + chunks * 65536
        written = accepted + 1
        for _ in range(20000):
            if len(received) >= total:
                break
            if r.conn.drains and written < chunks:
                # drained: stream the rest, chunk by chunk as the program would
                chunk = bytes([written]) * 65536
                sha.update(chunk)
                written += 1
                channel.write(chunk, http_server.END_KEEP if written == chunks else 0)
                r.conn.drains -= 1
                if written < chunks and channel.write(b""):
                    r.conn.drains += 1
            try:
                received += sock.recv(1 << 20)
            except BlockingIOError:
                yield deferLater(0.001)
        self.assertEqual(len(received), total)
        self.assertEqual(hashlib.sha256(bytes(received[len(head) :])).hexdigest(), sha.hexdigest())
        self.assertTrue(channel._reading)


# Each answered 400 (or 431) and closed; the good request before it in the
# same packet is answered first.
MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\n\r\n",
    b"FOO / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"get / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nNo-Colon\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\n folded: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
    b"GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)),  # TLS to a plain port
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * (90 * 1024) + b"\r\n\r\n",
    b"GET /" + b"u" * (90 * 1024) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(9000)) + b"\r\n",
]


class MalformedTests(ServerTestCase):
    @defer.inlineCallbacks
    def test_each_malformed_input_answered_and_next_good_request_served(self):
        app = App()
        port = self.listen(app)
        good = b"GET /good HTTP/1.1\r\nHost: h\r\n\r\n"
        self.assertGreaterEqual(len(MALFORMED), 20)
        for bad in MALFORMED:
            data = yield self.raw(port, good + bad)
            responses = split_responses(data)
            self.assertEqual(len(responses), 2, (bad[:60], data[:300]))
            self.assertEqual(responses[0][2], b"/good")
            status, headers, _ = responses[1]
            expected = 431 if len(bad) > 80 * 1024 else 400
            self.assertEqual(status, expected, bad[:60])
            self.assertEqual(headers["connection"], "close")
            # and the server goes on serving
            data = yield self.raw(port, b"GET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            self.assertEqual(split_responses(data)[0][2], b"/next")
        self.assertEqual([r.url for r in app.requests], ["/good", "/next"] * len(MALFORMED))

    @defer.inlineCallbacks
    def test_head_too_large_arriving_slowly(self):
        app = App()
        port = self.listen(app)
        client = Collect(b"GET / HTTP/1.1\r\nHost: h\r\nX-Slow: ")
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        for _ in range(20):
            yield deferLater(0.005)
            if client.transport is None or client.done.called:
                break
            client.transport.write(b"z" * 8192)
        data = yield client.done
        self.assertEqual(split_responses(data)[0][0], 431)

    @defer.inlineCallbacks
    def test_body_broken_after_delivery_closes(self):
        pending = []
        app = App(on_request=pending.append)
        port = self.listen(app)
        client = Collect(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port)
        while not pending:
            yield deferLater(0.01)
        client.transport.write(b"nonsense\r\n")
        data = yield client.done
        self.assertEqual(data, b"")
        had_error = yield app.conns[0].closed
        self.assertTrue(had_error)

    @defer.inlineCallbacks
    def test_upgrade_answered_then_closed(self):
        app = App()
        port = self.listen(app)
        data = yield self.raw(
            port,
            b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
        )
        self.assertEqual(split_responses(data)[0][2], b"/ws")
        self.assertFalse(app.requests[0].keep_alive)


def deferLater(seconds):
    from twisted.internet import task

    return task.deferLater(reactor, seconds, lambda: None)


# -- the client ----------------------------------------------------------------


class ClientRecorder:
    def __init__(self):
        self.responses: list[dict] = []
        self.errors: list[tuple[str, str]] = []
        self.drains = 0
        self.waiting: defer.Deferred | None = None
        self.on_response = None
        self.paused_bodies: list[str] = []  # body events that came while paused
        self.client = None

    def events(self) -> http_client.ClientEvents:
        return http_client.ClientEvents(
            response=self._response, body=self._body, error=self._error, drain=self._drain
        )

    def next(self) -> defer.Deferred:
        self.waiting = defer.Deferred()
        return self.waiting

    def _fire(self, value):
        d, self.waiting = self.waiting, None
        if d is not None:
            d.callback(value)

    def _response(self, token, status, version, headers, flags):
        r = {"status": status, "version": version, "headers": parse_headers(headers), "body": []}
        self.responses.append(r)
        if self.on_response is not None:
            self.on_response(r)
        if flags & COMPLETE:
            self._fire(r)

    def _body(self, token, text, complete):
        if self.client is not None and self.client._reader._user_paused:
            self.paused_bodies.append(text)
        self.responses[-1]["body"].append(text)
        if complete:
            self._fire(self.responses[-1])

    def _error(self, token, message, code):
        self.errors.append((message, code))
        self._fire((message, code))

    def _drain(self, token):
        self.drains += 1


def tcp_connect(port):
    def connect(factory):
        connector = reactor.connectTCP("127.0.0.1", port, factory, timeout=5)

        class Handle:
            def cancel(self):
                if connector.state == "connecting":
                    connector.stopConnecting()

        return Handle()

    return connect


class ClientTests(ServerTestCase):
    def client(self, port):
        rec = ClientRecorder()
        c = http_client.HTTPClient(reactor, tcp_connect(port), rec.events(), token=None)
        rec.client = c
        self.addCleanup(c.close)
        return c, rec

    def get(self, c, rec, path="/", method="GET"):
        d = rec.next()
        flags = http_client.START | http_client.END
        if method == "HEAD":
            flags |= http_client.HEAD_METHOD
        c.send(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), flags, "tok")
        return d

    @defer.inlineCallbacks
    def test_keep_alive_reuses_the_connection(self):
        app = App()
        port = self.listen(app)
        c, rec = self.client(port)
        for i in range(3):
            r = yield self.get(c, rec, f"/{i}")
            self.assertEqual((r["status"], "".join(r["body"])), (200, f"/{i}"))
        self.assertEqual(len(app.conns), 1)

    @defer.inlineCallbacks
    def test_reconnects_after_server_close(self):
        app = App(on_request=lambda r: r.respond(body=b"x", headers=["Connection: close"]))
        port = self.listen(app)
        c, rec = self.client(port)
        for _ in range(2):
            r = yield self.get(c, rec)
            self.assertEqual(r["status"], 200)
            yield deferLater(0.05)
        self.assertEqual(len(app.conns), 2)

    @defer.inlineCallbacks
    def test_idle_connection_closed_by_server_is_replaced(self):
        app = App()
        port = self.listen(app, idle_timeout=0.1)
        c, rec = self.client(port)
        yield self.get(c, rec)
        yield app.conns[0].closed
        r = yield self.get(c, rec, "/again")
        self.assertEqual("".join(r["body"]), "/again")

    @defer.inlineCallbacks
    def test_request_sent_as_the_server_closes_is_sent_again(self):
        # The first connection takes the request and closes without a byte
        # of response: the client must try once more on a new connection.
        seen = []

        def on_request(r):
            seen.append(r)
            if len(seen) == 2:
                r.conn.channel.transport.abortConnection()
            else:
                r.respond(body=b"fine")

        app = App(on_request=on_request)
        port = self.listen(app)
        c, rec = self.client(port)
        yield self.get(c, rec)
        r = yield self.get(c, rec, "/retry")
        self.assertEqual("".join(r["body"]), "fine")
        self.assertEqual([x.url for x in seen], ["/", "/retry", "/retry"])

    @defer.inlineCallbacks
    def test_refused_connection_is_one_error(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        c, rec = self.client(port)
        result = yield self.get(c, rec)
        self.assertEqual(result[1], "ECONNREFUSED")
        self.assertEqual(rec.responses, [])
        self.assertFalse(c.active)

    @defer.inlineCallbacks
    def test_broken_response_is_an_error_without_complete(self):
        server = protocol.ServerFactory()

        class Truncating(protocol.Protocol):
            def dataReceived(self, data):
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
                self.transport.loseConnection()

        server.protocol = Truncating
        port = reactor.listenTCP(0, server, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        c, rec = self.client(port.getHost().port)
        result = yield self.get(c, rec)
        self.assertEqual(result[1], "ECONNRESET")
        self.assertEqual(rec.responses[0]["status"], 200)

    @defer.inlineCallbacks
    def test_close_delimited_head_and_informational_responses(self):
        replies = [
            b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",  # to a HEAD
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
        ]
        server = protocol.ServerFactory()

        class Scripted(protocol.Protocol):
            def dataReceived(self, data):
                reply = replies.pop(0)
                self.transport.write(reply)
                if b"HTTP/1.0" in reply:
                    self.transport.loseConnection()

        server.protocol = Scripted
        port = reactor.listenTCP(0, server, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        c, rec = self.client(port.getHost().port)
        r = yield self.get(c, rec)
        self.assertEqual(("".join(r["body"]), r["version"]), ("until the end", "1.0"))
        r = yield self.get(c, rec)
        self.assertEqual((r["status"], "".join(r["body"])), (200, "ok"))
        r = yield self.get(c, rec, method="HEAD")
        self.assertEqual((r["status"], r["body"]), (200, []))
        r = yield self.get(c, rec)
        self.assertEqual((r["status"], r["body"]), (304, []))

    @defer.inlineCallbacks
    def test_malformed_response_is_an_error(self):
        server = protocol.ServerFactory()

        class Bad(protocol.Protocol):
            def dataReceived(self, data):
                self.transport.write(b"HTTP/1.1 2x0 What\r\n\r\n")

        server.protocol = Bad
        port = reactor.listenTCP(0, server, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        c, rec = self.client(port.getHost().port)
        result = yield self.get(c, rec)
        self.assertEqual(result[1], "EPROTO")

    @defer.inlineCallbacks
    def test_streamed_upload_and_download_with_pause(self):
        size = 3 * 1024 * 1024
        payload = bytes(range(256)) * (size // 256)

        def on_request(r):
            def done(r):
                body = "".join(r.body).encode("latin-1")
                digest = hashlib.sha256(body).hexdigest().encode()
                r.respond(body=digest + payload)

            r.completed.addCallback(done)

        app = App(on_request=on_request)
        port = self.listen(app)
        c, rec = self.client(port)
        d = rec.next()
        head = b"PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        c.send(head, http_client.START, "tok")
        for i in range(0, size, 65536):
            piece = payload[i : i + 65536]
            c.send(b"%x\r\n%s\r\n" % (len(piece), piece), 0)
        c.send(b"0\r\n\r\n", http_client.END)
        rec.on_response = lambda r: (c.pause_reading(), reactor.callLater(0.1, c.resume_reading))
        # the download is paused for a moment as soon as its head is in
        while rec.responses == [] or c._reader._user_paused:
            yield deferLater(0.01)
        r = yield d
        self.assertEqual(rec.paused_bodies, [])
        body = "".join(r["body"]).encode("latin-1")
        self.assertEqual(body[:64].decode(), hashlib.sha256(payload).hexdigest())
        self.assertEqual(hashlib.sha256(body[64:]).digest(), hashlib.sha256(payload).digest())


class ErrorMappingTests(unittest.TestCase):
    def test_refused(self):
        from twisted_node.protocols.http_common import connection_error

        self.assertEqual(connection_error(ConnectionRefusedError())[1], "ECONNREFUSED")

    def test_dns_failure_keeps_its_code(self):
        from twisted_node.errors import NodeError
        from twisted_node.protocols.http_common import connection_error

        message, code = connection_error(NodeError('Cannot resolve "x.invalid"', code="NXDOMAIN"))
        self.assertEqual((message, code), ('Cannot resolve "x.invalid"', "NXDOMAIN"))


class FramingRuleTests(ServerTestCase):
    """RFC 9112 sections 3.2 and 6.1: Host, and Transfer-Encoding in HTTP/1.0."""

    @defer.inlineCallbacks
    def assertRefused(self, app, port, bad: bytes):
        good = b"GET /good HTTP/1.1\r\nHost: h\r\n\r\n"
        data = yield self.raw(port, good + bad)
        responses = split_responses(data)
        self.assertEqual([r[0] for r in responses], [200, 400], bad)
        self.assertEqual(responses[1][1]["connection"], "close")

    @defer.inlineCallbacks
    def test_host_required_once_and_valid(self):
        app = App()
        port = self.listen(app)
        for host_lines in (
            b"",  # HTTP/1.1 without Host
            b"Host: a\r\nHost: a\r\n",
            b"Host: a\r\nhost: b\r\n",
            b"Host: a b\r\n",
            b"Host: a/b\r\n",
            b"Host: user@a\r\n",
            b"Host: [::1\r\n",
            b"Host: a:port\r\n",
            b'Host: a"b\r\n',
        ):
            yield self.assertRefused(app, port, b"GET /bad HTTP/1.1\r\n" + host_lines + b"\r\n")
        self.assertNotIn("/bad", [r.url for r in app.requests])
        accepted = [b"example.com:8080", b"[::1]:80", b"127.0.0.1", b"", b"xn--bcher-kva.example", b"a%20b"]
        for host in accepted:
            data = yield self.raw(
                port, b"GET /ok HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
            )
            self.assertEqual(split_responses(data)[0][0], 200, host)
        # HTTP/1.0 may leave Host out
        data = yield self.raw(port, b"GET /old HTTP/1.0\r\n\r\n")
        self.assertEqual(split_responses(data)[0][2], b"/old")

    @defer.inlineCallbacks
    def test_http10_with_transfer_encoding_refused_and_nothing_smuggled(self):
        app = App()
        port = self.listen(app)
        smuggled = b"GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"
        for coding in (b"chunked", b"gzip, chunked", b"identity"):
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
            yield self.assertRefused(
                app,
                port,
                b"POST /old HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: "
                + coding
                + b"\r\n\r\n"
                + body,
            )
        self.assertEqual({r.url for r in app.requests}, {"/good"})
