"""protocols/web.py alone (no JavaScript): a WebExchange answering requests
of a real twisted.web Site, reached by a raw client on loopback."""

from __future__ import annotations

from twisted.internet import defer
from twisted.trial import unittest
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site

from tests import embedding
from tests.embedding import connect, fetch, get, whole_response
from twisted_node.protocols.web import WebExchange, mount_length


class Answering(Resource):
    """Each request becomes a WebExchange handed to `answer(exchange)`."""

    isLeaf = True

    def __init__(self, answer):
        super().__init__()
        self.answer = answer
        self.exchanges: list[WebExchange] = []

    def render(self, request):
        exchange = WebExchange(request)
        self.exchanges.append(exchange)
        self.answer(exchange)
        return NOT_DONE_YET


class WebExchangeTests(unittest.TestCase):
    def serve(self, answer, place=(b"api",)) -> tuple[int, Answering]:
        resource = Answering(answer)
        root = parent = Resource()
        for segment in place[:-1]:
            child = Resource()
            parent.putChild(segment, child)
            parent = child
        parent.putChild(place[-1], resource)
        return embedding.listen(self, Site(root)), resource

    @defer.inlineCallbacks
    def test_head_and_mount(self):
        seen = []

        def answer(exchange):
            seen.append((exchange.head(), mount_length(exchange.request), exchange.peer()[0]))
            exchange.start(202, [])
            exchange.write(b"ok")
            exchange.finish()

        port, _ = self.serve(answer, place=(b"a", b"b"))
        status, _, _ = yield fetch(self, port, get("/a/b/c%2Fd?x=1", "X-Two: 2\r\nx-two: 3\r\n"))
        self.assertEqual(status, 202)
        head, mount, peer = seen[0]
        first, _, headers = head.partition("\n")
        self.assertEqual(first, "4 GET /a/b/c%2Fd?x=1 1.1")
        self.assertEqual(mount, 4, "/a/b")
        self.assertIn("x-two", headers.lower())
        self.assertEqual(peer, "127.0.0.1")

    @defer.inlineCallbacks
    def test_headers_are_the_programs(self):
        def answer(exchange):
            exchange.start(
                201,
                [
                    (b"Server", b"mine"),
                    (b"X-Many", b"1"),
                    (b"X-Many", b"2"),
                    (b"Set-Cookie", b"a=1"),
                    (b"Set-Cookie", b"b=2"),
                    (b"Connection", b"close"),
                    (b"Transfer-Encoding", b"gzip"),
                ],
            )
            exchange.write(b"body")
            exchange.finish()

        port, _ = self.serve(answer)
        status, headers, body = yield fetch(self, port, get("/api"))
        self.assertEqual((status, body), (201, b"body"))
        self.assertEqual(headers["server"], ["mine"], "replaces twisted.web's own")
        self.assertEqual(headers["x-many"], ["1", "2"])
        self.assertEqual(headers["set-cookie"], ["a=1", "b=2"])
        self.assertNotIn("content-type", headers, "no text/html made up")
        self.assertNotIn("connection", headers, "framing is twisted.web's")
        self.assertEqual(headers["transfer-encoding"], ["chunked"])

    @defer.inlineCallbacks
    def test_fail_before_and_after_output(self):
        port, _ = self.serve(lambda exchange: exchange.fail())
        status, _, body = yield fetch(self, port, get("/api"))
        self.assertEqual((status, body), (500, b"500 Internal Server Error\n"))

        def answer(exchange):
            exchange.start(200, [])
            exchange.write(b"part")
            exchange.fail()

        port, _ = self.serve(answer)
        client = yield connect(self, port, get("/api"))
        raw = yield embedding.with_timeout(client.closed, "the cut")
        self.assertIn(b"part", raw)
        self.assertFalse(whole_response(raw))

    @defer.inlineCallbacks
    def test_client_gone(self):
        lost = defer.Deferred()

        def answer(exchange):
            exchange.on_lost = lost.callback
            exchange.start(200, [])
            exchange.write(b"waiting")

        port, resource = self.serve(answer)
        client = yield connect(self, port, get("/api"))
        yield client.contains(b"waiting")
        client.transport.abortConnection()
        yield embedding.with_timeout(lost, "on_lost")
        exchange = resource.exchanges[0]
        self.assertTrue(exchange.done)
        self.assertFalse(exchange.write(b"more"), "dropped")
        exchange.finish()  # no error either

    @defer.inlineCallbacks
    def test_back_pressure(self):
        answered, drained = defer.Deferred(), defer.Deferred()
        piece = b"x" * 65536
        full = []

        def answer(exchange):
            exchange.start(200, [])

            def pump():
                for _ in range(10000):  # bounded; the buffer fills long before
                    if not exchange.write(piece):
                        full.append(exchange.undrained)
                        return
                exchange.finish()

            def on_drain():
                if not drained.called:
                    drained.callback(None)
                exchange.finish()

            exchange.on_drain = on_drain
            pump()
            answered.callback(None)

        port, _ = self.serve(answer)
        client = yield embedding.counting_client(self, port, get("/api"))
        yield embedding.with_timeout(answered, "the request")
        # Twisted's transport buffer is past its mark long before the socket
        # has taken anything.
        self.assertEqual(len(full), 1, "write() said the client is not keeping up")
        yield embedding.with_timeout(drained, "on_drain")
        yield client.until(lambda c: c.tail.endswith(b"0\r\n\r\n"), "the end")
