"""twisted_node.web.NodeResource: JavaScript request handlers inside a
twisted.web Site of this process, reached by real clients on loopback
(tests/js/embed/web_app.js is the program)."""

from __future__ import annotations

import json

from twisted.internet import defer, endpoints, protocol, reactor, ssl
from twisted.internet.task import deferLater
from twisted.trial import unittest
from twisted.web.resource import Resource
from twisted.web.static import Data
from twisted.web.vhost import NameVirtualHost

from tests import embedding
from tests.certs import make_pki
from tests.embedding import connect, fetch, get, post, whole_response
from twisted_node.errors import ProgramNotRunning
from twisted_node.protocols import outbox
from twisted_node.service import NodeService
from twisted_node.web import NodeResource


class Leaf(Resource):
    """The same page for every path below it."""

    isLeaf = True

    def __init__(self, page: bytes):
        super().__init__()
        self.page = page

    def render(self, request):
        return self.page


class Sessioned(Resource):
    """Starts a twisted.web session, then lets `inner` answer."""

    isLeaf = True

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def render(self, request):
        request.getSession()
        return self.inner.render(request)


class RequestsTests(unittest.TestCase):
    def setUp(self):
        self.service = embedding.started_service(self)
        self.log = embedding.captured_events(self, "twisted_node.web_app.js")
        deep = Resource()
        deep.putChild(b"b", NodeResource(self.service, "echo"))
        self.site = site = embedding.site_with(
            self,
            self.service,
            {
                b"api": "echo",
                b"a": deep,
                b"stream": "stream",
                b"hang": "hang",
                b"flood": "flood",
                b"ignore": "ignoreFull",
                b"boom": "boom",
                b"misuse": "misuse",
                b"missing": "missing",
                b"static": Data(b"plain twisted.web", "text/plain"),
                b"session": Sessioned(NodeResource(self.service, "echo")),
            },
        )
        self.port = embedding.listen(self, site)

    def fetch(self, request: bytes):
        return fetch(self, self.port, request)

    @defer.inlineCallbacks
    def test_get(self):
        status, headers, body = yield self.fetch(get("/api/users/7?x=1&y=two", "X-Custom-Thing: Yes\r\n"))
        self.assertEqual(status, 200)
        seen = json.loads(body)
        self.assertEqual(seen["method"], "GET")
        self.assertEqual(seen["path"], "/users/7", "relative to the resource's place")
        self.assertEqual(seen["full"], "/api/users/7?x=1&y=two", "the URI as sent")
        self.assertEqual(seen["params"], {"x": "1", "y": "two"})
        self.assertEqual(seen["headers"]["x-custom-thing"], "Yes", "names lower-cased")
        self.assertEqual(seen["headers"]["host"], "localhost")
        self.assertEqual(seen["version"], "1.1")
        self.assertEqual(seen["remoteAddress"], "127.0.0.1")
        self.assertEqual(headers["content-type"], ["application/json"], "the program's, not text/html")
        self.assertEqual(headers["set-cookie"], ["js=1"])

    @defer.inlineCallbacks
    def test_head_gets_no_body(self):
        head = get("/api/h").replace(b"GET", b"HEAD", 1)
        client = yield connect(self, self.port, head + get("/api/next"))
        raw = yield client.until(lambda r: r.count(b"HTTP/1.1 200") == 2 and r.endswith(b"0\r\n\r\n"), "2")
        first, _, rest = raw.partition(b"\r\n\r\n")
        self.assertIn(b"Content-Type: application/json", first)
        self.assertTrue(rest.startswith(b"HTTP/1.1 200 "), "the next response follows the head at once")
        self.assertIn(b'"path":"/next"', rest)

    @defer.inlineCallbacks
    def test_post_with_body(self):
        text = "héllo, wörld " * 1000
        status, _, body = yield self.fetch(post("/api/form", text.encode("utf-8")))
        self.assertEqual(status, 200)
        seen = json.loads(body)
        self.assertEqual((seen["method"], seen["path"], seen["body"]), ("POST", "/form", text))

    @defer.inlineCallbacks
    def test_body_over_the_bound_answered_413(self):
        small = embedding.site_with(
            self, self.service, {b"api": NodeResource(self.service, "echo", max_body=10)}
        )
        port = embedding.listen(self, small)
        status, _, body = yield fetch(self, port, post("/api", b"0123456789"))
        self.assertEqual((status, json.loads(body)["body"]), (200, "0123456789"))
        status, _, body = yield fetch(self, port, post("/api", b"0123456789+"))
        self.assertEqual((status, body), (413, b"413 Content Too Large\n"))

    @defer.inlineCallbacks
    def test_places_in_the_tree(self):
        # Deeper in the tree: the path is relative to /a/b.
        _, _, body = yield self.fetch(get("/a/b/c/d?q=%20"))
        seen = json.loads(body)
        self.assertEqual((seen["path"], seen["full"], seen["params"]), ("/c/d", "/a/b/c/d?q=%20", {"q": " "}))
        # The resource's own place.
        _, _, body = yield self.fetch(get("/api"))
        self.assertEqual(json.loads(body)["path"], "/")

    @defer.inlineCallbacks
    def test_at_the_site_root(self):
        site = embedding.site_with(self, self.service, {}, root=NodeResource(self.service, "echo"))
        port = embedding.listen(self, site)
        _, _, body = yield fetch(self, port, get("/x/y?z=1"))
        seen = json.loads(body)
        self.assertEqual((seen["path"], seen["full"]), ("/x/y", "/x/y?z=1"))

    @defer.inlineCallbacks
    def test_streamed_response_arrives_as_it_is_sent(self):
        client = yield connect(self, self.port, get("/stream"))
        # Each piece is made only after the client has read the one before:
        # a response buffered until finish() could never get past the first.
        yield client.contains(b"piece 0\n")
        for n in (1, 2):
            self.assertNotIn(b"piece %d" % n, client.received)
            yield self.service.call("more")
            yield client.contains(b"piece %d\n" % n)
        self.assertFalse(whole_response(client.received))
        self.assertEqual((yield self.service.call("more")), "finished")
        raw = yield client.until(whole_response, "the end of the stream")
        self.assertEqual(embedding.split_response(raw)[2], b"piece 0\npiece 1\npiece 2\n")

    @defer.inlineCallbacks
    def test_streams_of_two_clients_stay_apart(self):
        first = yield connect(self, self.port, get("/stream"))
        yield first.contains(b"piece 0\n")
        second = yield connect(self, self.port, get("/stream"))
        yield second.contains(b"piece 0\n")
        for _ in range(3):  # more() writes to the first stream only
            yield self.service.call("more")
        yield first.until(whole_response, "the first stream's end")
        self.assertNotIn(b"piece 1", second.received)
        for _ in range(3):
            yield self.service.call("more")
        raw = yield second.until(whole_response, "the second stream's end")
        self.assertEqual(embedding.split_response(raw)[2], b"piece 0\npiece 1\npiece 2\n")

    @defer.inlineCallbacks
    def test_back_pressure_of_a_slow_client(self):
        pieces = 512  # 32 MiB: more than the sockets' buffers hold
        client = yield embedding.counting_client(self, self.port, get(f"/flood?pieces={pieces}"))
        client.transport.pauseProducing()  # the client reads nothing for now
        yield embedding.with_timeout(self.service.call("stalled"), "sendBody() returning false")
        self.assertLess(client.count, pieces * 64 * 1024)
        client.transport.resumeProducing()
        yield client.until(lambda c: c.tail.endswith(b"0\r\n\r\n"), "the end of the body")
        self.assertGreater(client.count, pieces * 64 * 1024)

    @defer.inlineCallbacks
    def test_writes_past_the_bound_are_refused(self):
        self.patch(outbox, "MAX_UNDRAINED", 1024 * 1024)
        client = yield embedding.counting_client(self, self.port, get("/ignore"))
        client.transport.pauseProducing()
        # The handler runs to its end within the one request event.
        refusals = yield embedding.with_timeout(self.poll_refusals(), "a refused write")
        self.assertEqual(refusals[0]["code"], "ENOBUFS", refusals)
        self.assertIn('without waiting for "drain"', refusals[0]["message"])
        # Bounded: the socket buffers, then 1 MiB more at most.
        self.assertLess(refusals[0]["accepted"], 64 * 1024 * 1024)
        client.transport.resumeProducing()
        yield client.until(lambda c: c.tail.endswith(b"0\r\n\r\n"), "the end of the body")
        self.assertEqual(outbox.PROCESS.used, 0, "the budget is given back")

    @defer.inlineCallbacks
    def poll_refusals(self):
        for _ in range(1000):
            refusals = yield self.service.call("refused")
            if refusals:
                return refusals
            yield deferLater(reactor, 0.01, lambda: None)
        raise AssertionError("no write was refused")

    @defer.inlineCallbacks
    def test_client_disconnect_reaches_the_program(self):
        client = yield connect(self, self.port, get("/hang"))
        yield client.contains(b"waiting\n")
        closed = self.service.call("closed")
        self.assertNoResult(closed)
        client.transport.loseConnection()
        seen = yield embedding.with_timeout(closed, '"close" in the program')
        self.assertEqual(seen, ["connection,request,response"])
        # The program goes on serving.
        status, _, _ = yield self.fetch(get("/api"))
        self.assertEqual(status, 200)
        # And holds nothing for the gone request.
        self.assertEqual([h for h in self.service.runtime.loop.labels() if "request" in h], [])

    @defer.inlineCallbacks
    def test_silent_responses_are_given_up(self):
        quick = {
            b"silent": NodeResource(self.service, "silent", timeout=0.05),
            b"hang": NodeResource(self.service, "hang", timeout=0.05),
        }
        port = embedding.listen(self, embedding.site_with(self, self.service, quick))
        status, _, body = yield fetch(self, port, get("/silent"))
        self.assertEqual((status, body), (504, b"504 Gateway Timeout\n"))
        # Part of the response went out: the connection is cut, and the
        # program hears "close" as if the client had gone.
        client = yield connect(self, port, get("/hang"))
        raw = yield embedding.with_timeout(client.closed, "the cut")
        self.assertIn(b"waiting", raw)
        self.assertFalse(whole_response(raw))
        seen = yield embedding.with_timeout(self.service.call("closed"), '"close" in the program')
        self.assertEqual(seen, ["connection,request,response"])
        self.assertEqual([h for h in self.service.runtime.loop.labels() if "request" in h], [])

    @defer.inlineCallbacks
    def test_throwing_handler_gives_500_to_its_request_only(self):
        for at in ("handler", "complete"):
            client = yield connect(self, self.port, get(f"/boom?at={at}") + get("/api/next"))
            # Both answers come on the one kept-alive connection: the 500,
            # then the next request's.
            raw = yield client.until(lambda r: r.count(b"HTTP/1.1 ") == 2 and r.endswith(b"0\r\n\r\n"), "2")
            self.assertTrue(raw.startswith(b"HTTP/1.1 500 "), raw)
            self.assertIn(b'"path":"/next"', raw)
            client.transport.loseConnection()
        messages = [e["text"] for e in self.log if e["log_level"].name == "critical"]
        self.assertEqual(len(messages), 2, messages)
        self.assertIn("Error: boom in the handler", messages[0])
        self.assertIn("web_app.js:", messages[0], "with the JS stack")
        self.assertIn("exports.boom threw on GET /boom?at=handler", messages[0])
        self.assertIn("TypeError: boom on complete", messages[1])

    @defer.inlineCallbacks
    def test_throw_after_part_of_the_body_cuts_the_response(self):
        client = yield connect(self, self.port, get("/boom?at=after-body"))
        raw = yield embedding.with_timeout(client.closed, "the connection closed")
        self.assertTrue(raw.startswith(b"HTTP/1.1 200 "), raw)
        self.assertFalse(whole_response(raw), "a cut response must not look complete")
        status, _, _ = yield self.fetch(get("/api"))
        self.assertEqual(status, 200)

    @defer.inlineCallbacks
    def test_missing_export_gives_500(self):
        status, _, _ = yield self.fetch(get("/missing"))
        self.assertEqual(status, 500)
        self.assertIn("exports.missing is not a function", self.log[-1]["text"])

    @defer.inlineCallbacks
    def test_wrong_arguments_throw_errors_that_say_what_was_expected(self):
        _, _, body = yield self.fetch(get("/misuse"))
        errors = json.loads(body)
        self.assertEqual(len(errors), 6)
        self.assertIn("sendHeader must be called first", errors[0])
        self.assertIn("statusCode must be a 3-digit number", errors[1])
        self.assertIn('invalid header name "bad name"', errors[2])
        self.assertIn("line break or NUL", errors[3])
        self.assertIn("headers must be an object or an array", errors[4])
        self.assertIn("already called", errors[5])

    @defer.inlineCallbacks
    def test_other_resources_and_sessions_keep_working(self):
        status, _, body = yield self.fetch(get("/static"))
        self.assertEqual((status, body), (200, b"plain twisted.web"))
        status, headers, _ = yield self.fetch(get("/session/x"))
        for session in list(self.site.sessions.values()):
            session.expire()
        self.assertEqual(status, 200)
        cookies = headers["set-cookie"]
        self.assertIn("js=1", cookies, "the program's cookie")
        self.assertTrue([c for c in cookies if c.startswith("TWISTED_SESSION")], cookies)

    @defer.inlineCallbacks
    def test_virtual_hosts(self):
        vhosts = NameVirtualHost()
        vhosts.default = Leaf(b"default host")
        js_root = Resource()
        js_root.putChild(b"api", NodeResource(self.service, "echo"))
        vhosts.addHost(b"js.example", js_root)
        port = embedding.listen(self, embedding.site_with(self, self.service, {}, root=vhosts))
        _, _, body = yield fetch(self, port, b"GET /api/v HTTP/1.1\r\nHost: js.example\r\n\r\n")
        self.assertEqual(json.loads(body)["path"], "/v")
        _, _, body = yield fetch(self, port, b"GET /api/v HTTP/1.1\r\nHost: other.example\r\n\r\n")
        self.assertEqual(body, b"default host")

    @defer.inlineCallbacks
    def test_https_site(self):
        pki = make_pki()
        server = ssl.PrivateCertificate.loadPEM(pki["server_cert"] + pki["server_key"]).options()
        port = embedding.listen(
            self, embedding.site_with(self, self.service, {b"api": "echo"}), context_factory=server
        )
        client_tls = ssl.optionsForClientTLS("localhost", trustRoot=ssl.Certificate.loadPEM(pki["ca_cert"]))
        endpoint = endpoints.wrapClientTLS(
            client_tls, endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
        )
        client = yield endpoint.connect(protocol.Factory.forProtocol(embedding.RawClient))
        self.addCleanup(client.transport.abortConnection)
        client.transport.write(get("/api/secure"))
        raw = yield client.until(whole_response, "a response over TLS")
        self.assertEqual(json.loads(embedding.split_response(raw)[2])["path"], "/secure")
        client.transport.loseConnection()
        yield client.closed

    @defer.inlineCallbacks
    def test_program_stays_alive_for_its_resource(self):
        # web_app.js holds nothing of its own: the NodeResource keeps it.
        yield self.fetch(get("/api"))
        self.assertTrue(self.service.runtime.serving)
        yield self.service.stopService()
        self.assertEqual(self.service.exit_code, 0)


class NotRunningTests(unittest.TestCase):
    @defer.inlineCallbacks
    def test_503_before_start_and_after_end(self):
        service = NodeService(embedding.WEB_APP)
        port = embedding.listen(self, embedding.site_with(self, service, {b"api": "echo"}))
        status, _, _ = yield fetch(self, port, get("/api"))
        self.assertEqual(status, 503)
        service.startService()
        yield service.call("nothing")  # the main module has run
        status, _, _ = yield fetch(self, port, get("/api"))
        self.assertEqual(status, 200)
        yield service.stopService()
        status, _, _ = yield fetch(self, port, get("/api"))
        self.assertEqual(status, 503)

    @defer.inlineCallbacks
    def test_program_that_exits_during_a_request(self):
        service = embedding.started_service(self)
        port = embedding.listen(self, embedding.site_with(self, service, {b"hang": "hang"}))
        client = yield connect(self, port, get("/hang"))
        yield client.contains(b"waiting\n")
        exiting = service.call("exit", 0)
        yield self.assertFailure(exiting, ProgramNotRunning)
        yield embedding.with_timeout(service.whenFinished(), "the program's end")
        raw = yield embedding.with_timeout(client.closed, "the connection closed")
        self.assertFalse(whole_response(raw))

    def test_name_must_be_a_string(self):
        service = NodeService(embedding.WEB_APP)
        for bad in ("", None, b"api"):
            with self.assertRaises(TypeError) as caught:
                NodeResource(service, bad)
            self.assertIn("name must be a non-empty string", str(caught.exception))
        with self.assertRaises(TypeError) as caught:
            NodeResource(service, "api", max_body="1k")
        self.assertIn("max_body must be a number of bytes", str(caught.exception))
        with self.assertRaises(TypeError) as caught:
            NodeResource(service, "api", timeout=0)
        self.assertIn("timeout must be a number of seconds or None", str(caught.exception))
