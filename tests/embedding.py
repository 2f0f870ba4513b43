"""For tests of a program embedded in this trial process (NodeService,
NodeResource): the service started and stopped with the test, a raw HTTP
client over real loopback sockets, and waiting for conditions with a
bounded timeout (no timing assertions)."""

from __future__ import annotations

import os

from twisted.internet import defer, endpoints, protocol, reactor
from twisted.logger import globalLogPublisher
from twisted.web.resource import Resource
from twisted.web.server import Site

from tests.jsrun import JS_DIR
from twisted_node.service import NodeService
from twisted_node.web import NodeResource

EMBED = os.path.join(JS_DIR, "embed")
WEB_APP = os.path.join(EMBED, "web_app.js")
TIMEOUT = 20.0  # seconds a condition may take before the test fails


def started_service(testcase, script: str = WEB_APP, **kwargs) -> NodeService:
    """A NodeService running `script`, stopped (and its end awaited) when
    the test ends."""
    service = NodeService(script, **kwargs)
    service.startService()

    def stop():
        if service.running:
            return service.stopService()
        return None

    testcase.addCleanup(stop)
    return service


def captured_events(testcase, namespace: str) -> list:
    """twisted.logger events in `namespace` while the test runs."""
    events: list = []

    def observer(event):
        if event.get("log_namespace") == namespace:
            events.append(event)

    globalLogPublisher.addObserver(observer)
    testcase.addCleanup(globalLogPublisher.removeObserver, observer)
    return events


def with_timeout(d: defer.Deferred, what: str, seconds: float = TIMEOUT) -> defer.Deferred:
    """`d`, failing the test if it has not fired after `seconds`."""

    def timed_out(failure):
        failure.trap(defer.TimeoutError)
        raise AssertionError(f"timed out after {seconds} s waiting for {what}")

    return d.addTimeout(seconds, reactor).addErrback(timed_out)


def site_with(testcase, service: NodeService, children: dict, *, root=None) -> Site:
    """A Site whose root has `children` (path bytes -> resource, or a str:
    a NodeResource for that export of `service`)."""
    root = root if root is not None else Resource()
    for path, child in children.items():
        root.putChild(path, NodeResource(service, child) if isinstance(child, str) else child)
    return Site(root)


def listen(testcase, site, *, context_factory=None) -> int:
    """Serve `site` on 127.0.0.1 (TLS with `context_factory`); its port."""
    if context_factory is None:
        port = reactor.listenTCP(0, site, interface="127.0.0.1")
    else:
        port = reactor.listenSSL(0, site, context_factory, interface="127.0.0.1")
    testcase.addCleanup(port.stopListening)
    return port.getHost().port


class RawClient(protocol.Protocol):
    """Bytes in, bytes out: what the server sent so far (`received`), and
    Deferreds for "it has sent this" and "it closed"."""

    def __init__(self):
        self.received = b""
        self.closed = defer.Deferred()
        self._waiting: list[tuple[object, defer.Deferred]] = []

    def dataReceived(self, data: bytes) -> None:
        self.received += data
        self._check()

    def connectionLost(self, reason) -> None:
        self.closed.callback(self.received)
        for _, d in self._waiting:
            d.errback(AssertionError(f"the server closed the connection; it had sent {self.received!r}"))
        self._waiting = []

    def until(self, check, what: str) -> defer.Deferred:
        """Fires once check(received) is true."""
        d = defer.Deferred()
        self._waiting.append((check, d))
        self._check()
        return with_timeout(d, what)

    def contains(self, data: bytes) -> defer.Deferred:
        return self.until(lambda received: data in received, repr(data))

    def _check(self) -> None:
        for entry in list(self._waiting):
            if entry[0](self.received):
                self._waiting.remove(entry)
                entry[1].callback(self.received)


@defer.inlineCallbacks
def connect(testcase, port: int, request: bytes = b""):
    """A RawClient connected to 127.0.0.1:port that has sent `request`."""
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port, timeout=TIMEOUT)
    client = yield endpoint.connect(protocol.Factory.forProtocol(RawClient))
    testcase.addCleanup(lambda: client.transport.abortConnection() if client.transport.connected else None)
    if request:
        client.transport.write(request)
    return client


class CountingClient(RawClient):
    """For large responses: keeps only how many bytes came and the last few."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self.tail = b""
        self.received = self  # what until()'s checks get

    def dataReceived(self, data: bytes) -> None:
        self.count += len(data)
        self.tail = (self.tail + data)[-64:]
        self._check()


@defer.inlineCallbacks
def counting_client(testcase, port: int, request: bytes):
    """A CountingClient connected to 127.0.0.1:port that has sent `request`."""
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port, timeout=TIMEOUT)
    client = yield endpoint.connect(protocol.Factory.forProtocol(CountingClient))
    testcase.addCleanup(lambda: client.transport.abortConnection() if client.transport.connected else None)
    client.transport.write(request)
    return client


def split_response(raw: bytes) -> tuple[int, dict, bytes]:
    """(status, headers lower-cased with repeated ones as lists, body) of
    one whole HTTP/1.1 response; a chunked body is decoded."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers: dict = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if headers.get("transfer-encoding") == ["chunked"]:
        body = dechunk(body)
    return status, headers, body


def dechunk(body: bytes) -> bytes:
    """The data of a whole chunked body."""
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out += body[:size]
        body = body[size + 2 :]


def whole_response(received: bytes) -> bool:
    """For RawClient.until: a whole response has arrived (one framed by
    Content-Length or chunked, as twisted.web frames them)."""
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        return body.endswith(b"0\r\n\r\n")
    for line in lower.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


@defer.inlineCallbacks
def fetch(testcase, port: int, request: bytes):
    """Send one request on a new connection: (status, headers, body)."""
    client = yield connect(testcase, port, request)
    raw = yield client.until(whole_response, "a whole response")
    client.transport.loseConnection()
    return split_response(raw)


def get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n".encode()


def post(path: str, body: bytes, headers: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode()
        + body
    )
