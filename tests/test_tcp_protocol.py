"""The tcp binding's Python layer (twisted_node.protocols.tcp) over real
sockets on 127.0.0.1, without JavaScript."""

from __future__ import annotations

import socket

from twisted.internet import defer, reactor, task
from twisted.trial import unittest

from twisted_node.errors import NodeError
from twisted_node.protocols import outbox, tcp

from tests.ports import free_port

NAMES = {
    tcp.CONNECT: "connect",
    tcp.RECEIVE: "receive",
    tcp.EOF: "eof",
    tcp.DRAIN: "drain",
    tcp.TIMEOUT: "timeout",
    tcp.CLOSE: "close",
}


class Recorder:
    """Records (event name, argument) pairs, runs per-event reactions, and
    fires `closed` with the log when CLOSE arrives."""

    def __init__(self, **reactions):
        self.log: list[tuple[str, object]] = []
        self.closed = defer.Deferred()
        self.reactions = reactions
        self.conn = None

    def __call__(self, event, argument):
        name = NAMES[event]
        self.log.append((name, argument))
        reaction = self.reactions.get(name)
        if reaction is not None:
            reaction(self.conn, argument)
        if event == tcp.CLOSE:
            self.closed.callback(self.log)

    def events(self) -> list[str]:
        return [name for name, _ in self.log]

    def data(self) -> str:
        return "".join(arg for name, arg in self.log if name == "receive")


class ServerFixture:
    """A listening TCPServerFactory whose accepted connections get a
    Recorder built by `make_recorder()`."""

    def __init__(self, testcase, make_recorder=None, host="127.0.0.1", secure=None):
        self.recorders: list[Recorder] = []
        self.accepted = defer.Deferred()
        # By default a server closes its side when the client has.
        self.make_recorder = make_recorder or (lambda: Recorder(eof=lambda c, _: c.close()))
        self.factory = tcp.TCPServerFactory(reactor, self.on_connection)
        self.factory.secure = secure
        self.port = self.factory.listen(0, host)
        testcase.addCleanup(self.factory.close)
        testcase.addCleanup(lambda: [r.conn.force_close() for r in self.recorders])

    def on_connection(self, conn, remote_address, secure):
        recorder = self.make_recorder()
        recorder.conn = conn
        recorder.remote_address = remote_address
        self.recorders.append(recorder)
        if not self.accepted.called:
            self.accepted.callback(recorder)
        return recorder


_clients: list[tcp.TCPConnection] = []


def open_client(port, recorder: Recorder, host="127.0.0.1", **kw) -> tcp.TCPConnection:
    conn = tcp.TCPConnection(reactor, recorder, hostname=host)
    _clients.append(conn)
    recorder.conn = conn
    for name, value in kw.items():
        getattr(conn, name)(value)
    return tcp.connect(reactor, port, host, recorder, conn)


class TCPTestCase(unittest.TestCase):
    timeout = 15

    def tearDown(self):
        while _clients:
            _clients.pop().force_close()


class EchoTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_echo_events_in_order(self):
        """The manual's echo server: connect, receive, eof and close arrive
        in order on both sides, and a half-close lets the reply through."""

        def server_recorder():
            return Recorder(
                connect=lambda c, _: c.send("hello\r\n"),
                receive=lambda c, data: c.send(data, "utf8"),
                eof=lambda c, _: (c.send("goodbye\r\n"), c.close()),
            )

        server = ServerFixture(self, server_recorder)
        client = Recorder(connect=lambda c, _: (c.send("ping \u00e9", "utf8"), c.close()))
        conn = open_client(server.port, client)
        conn.set_encoding("utf8")
        server_side = yield server.accepted
        server_side.conn.set_encoding("utf8")
        yield client.closed
        yield server_side.closed
        self.assertEqual(client.events()[0], "connect")
        self.assertEqual(client.events()[-2:], ["eof", "close"])
        self.assertEqual(client.data(), "hello\r\nping \u00e9goodbye\r\n")
        self.assertEqual(server_side.events()[0], "connect")
        self.assertEqual(server_side.events()[-2:], ["eof", "close"])
        self.assertEqual(server_side.data(), "ping \u00e9")
        self.assertEqual(server_side.remote_address, "127.0.0.1")
        self.assertEqual(client.log[-1], ("close", False))
        self.assertEqual(server_side.log[-1], ("close", False))

    @defer.inlineCallbacks
    def test_binary_all_byte_values(self):
        every_byte = "".join(map(chr, range(256)))
        server = ServerFixture(
            self,
            lambda: Recorder(eof=lambda c, _: (c.send(c.received, "binary"), c.close())),
        )

        def collect(c, data):
            c.received = getattr(c, "received", "") + data

        server.make_recorder = lambda: Recorder(
            receive=collect,
            eof=lambda c, _: (c.send(c.received, "binary"), c.close()),
        )
        client = Recorder(connect=lambda c, _: (c.send(every_byte, "binary"), c.close()))
        conn = open_client(server.port, client)
        conn.set_encoding("binary")
        yield client.closed
        self.assertEqual(client.data(), every_byte)

    @defer.inlineCallbacks
    def test_utf8_character_split_across_sends(self):
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        conn.set_no_delay(True)
        side = yield server.accepted
        side.conn.set_encoding("utf8")
        encoded = "\u20ac".encode()  # three bytes
        conn.send(encoded[:1].decode("latin-1"), "binary")
        yield deferLater(0.05)
        conn.send(encoded[1:].decode("latin-1"), "binary")
        conn.close()
        yield side.closed
        self.assertEqual([a for n, a in side.log if n == "receive"], ["\u20ac"])

    @defer.inlineCallbacks
    def test_ascii_clears_high_bit(self):
        server = ServerFixture(self)
        client = Recorder(connect=lambda c, _: (c.send("\xc1b", "binary"), c.close()))
        open_client(server.port, client)
        side = yield server.accepted
        side.conn.set_encoding("ascii")
        yield side.closed
        self.assertEqual(side.data(), "Ab")


class ReturnedDataTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_batched_writes_after_receive(self):
        """write_batch (what lib/tcp.js batched in "receive" listeners, see
        bindings/events.py) is written as it is, in order."""

        class Echo(Recorder):
            def __call__(self, event, argument):
                super().__call__(event, argument)
                if event == tcp.RECEIVE:
                    self.conn.write_batch(argument.upper().encode("latin-1") + b"\xff")

        server = ServerFixture(self, lambda: Echo(eof=lambda c, _: c.close()))
        client = Recorder(connect=lambda c, _: (c.send("abc"), c.close()))
        conn = open_client(server.port, client)
        conn.set_encoding("binary")
        yield client.closed
        self.assertEqual(client.data(), "ABC\xff")


class ConnectTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_refused(self):
        """A refused connection: "close" with had_error true and no "connect"."""
        client = Recorder()
        open_client(free_port(), client)
        yield client.closed
        self.assertEqual(client.log, [("close", True)])

    @defer.inlineCallbacks
    def test_host_name_resolved(self):
        server = ServerFixture(self)
        client = Recorder(connect=lambda c, _: c.force_close())
        open_client(server.port, client, host="localhost")
        yield client.closed
        self.assertEqual(client.log, [("connect", None), ("close", False)])

    @defer.inlineCallbacks
    def test_unresolvable_host(self):
        client = Recorder()
        open_client(9, client, host="no-such-host.invalid")
        yield client.closed
        self.assertEqual(client.log, [("close", True)])

    @defer.inlineCallbacks
    def test_send_before_connect_is_delivered(self):
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        self.assertTrue(conn.send("early"))
        conn.close()
        side = yield server.accepted
        yield side.closed
        self.assertEqual(side.data(), "early")

    @defer.inlineCallbacks
    def test_force_close_while_resolving(self):
        client = Recorder()
        conn = open_client(9, client, host="localhost")
        conn.force_close()
        yield client.closed
        self.assertEqual(client.log, [("close", False)])

    def test_send_after_close_throws(self):
        conn = tcp.TCPConnection(reactor)
        conn.close()
        with self.assertRaises(NodeError) as caught:
            conn.send("x")
        self.assertEqual(caught.exception.props["code"], "EPIPE")


class HalfCloseTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_server_keeps_writing_after_client_fin(self):
        """The client half-closes; the server gets "eof", is still writable
        and sends for a while before closing; the client reads it all."""
        chunks = [f"chunk {i}\n" for i in range(5)]

        def on_eof(c, _):
            def later(rest):
                if rest:
                    c.send(rest[0])
                    reactor.callLater(0.01, later, rest[1:])
                else:
                    c.close()

            later(chunks)

        server = ServerFixture(self, lambda: Recorder(eof=on_eof))
        client = Recorder(connect=lambda c, _: c.close())
        open_client(server.port, client)
        yield client.closed
        self.assertEqual(client.data(), "".join(chunks))
        self.assertEqual(client.events()[-2:], ["eof", "close"])

    @defer.inlineCallbacks
    def test_client_keeps_writing_after_server_fin(self):
        server = ServerFixture(self, lambda: Recorder(connect=lambda c, _: c.close()))
        client = Recorder(eof=lambda c, _: (c.send("after eof"), c.close()))
        open_client(server.port, client)
        side = yield server.accepted
        yield side.closed
        yield client.closed
        self.assertEqual(side.data(), "after eof")
        self.assertEqual(client.events(), ["connect", "eof", "close"])


class TimeoutTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_idle_timeout(self):
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        conn.set_timeout(0.1)
        yield client.closed
        self.assertEqual(client.events(), ["connect", "timeout", "close"])
        self.assertEqual(client.log[-1], ("close", False))

    @defer.inlineCallbacks
    def test_activity_postpones_timeout(self):
        """Data every 40 ms keeps a 150 ms timeout from firing; 150 ms of
        silence then times out. The connection's time is a task.Clock (its
        socket is real), so a slow machine cannot stretch the gaps."""
        clock = task.Clock()
        server = ServerFixture(self)
        received = []
        client = Recorder(receive=lambda c, data: received.append(data))
        conn = tcp.TCPConnection(clock, client, hostname="127.0.0.1")
        client.conn = conn
        _clients.append(conn)
        tcp.connect(reactor, server.port, "127.0.0.1", client, conn)
        side = yield server.accepted
        conn.set_timeout(0.15)
        for n in range(1, 9):
            side.conn.send("x")
            while len("".join(received)) < n:  # bounded by the test's timeout
                yield deferLater(0.01)
            clock.advance(0.04)
            self.assertNotIn("timeout", client.events())
        clock.advance(0.15)
        yield client.closed
        self.assertEqual(client.events()[-2:], ["timeout", "close"])

    def test_default_timeout_is_60s(self):
        self.assertEqual(tcp.TCPConnection(reactor)._idle.timeout, 60.0)

    @defer.inlineCallbacks
    def test_zero_disables(self):
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        conn.set_timeout(0)
        yield deferLater(0.05)
        self.assertIsNone(conn._idle._call)
        conn.force_close()
        yield client.closed


class FlowControlTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_send_false_when_full_then_drain(self):
        """send() returns False once the buffer passes the high-water mark;
        "drain" fires when it emptied; nothing is lost."""
        total = []

        def collect(c, data):
            total.append(len(data))

        server = ServerFixture(self, lambda: Recorder(receive=collect, eof=lambda c, _: c.close()))
        drained = defer.Deferred()
        client = Recorder(drain=lambda c, _: drained.called or drained.callback(None))
        conn = open_client(server.port, client)
        side = yield server.accepted
        # The peer reads nothing meanwhile: however much the kernel's
        # buffers take (loopback's grow to several MiB), they fill.
        side.conn.read_pause()
        yield deferLater(0.05)
        block = "x" * 65536
        sent = 0
        for _ in range(256):
            sent += len(block)
            if not conn.send(block):
                break
        self.assertLess(sent, 256 * 65536, "send() never reported a full buffer")
        side.conn.read_resume()
        yield drained
        conn.close()
        yield side.closed
        self.assertEqual(sum(total), sent)

    @defer.inlineCallbacks
    def test_ignoring_drain_is_bounded(self):
        """A sender that ignores False gets an ENOBUFS Error past
        MAX_UNDRAINED, and the refused data is not queued."""
        self.patch(outbox, "MAX_UNDRAINED", 1 << 20)
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        side = yield server.accepted
        side.conn.read_pause()
        yield deferLater(0.05)
        block = "y" * 65536
        with self.assertRaises(NodeError) as caught:
            for _ in range(200):
                conn.send(block)
        self.assertEqual(caught.exception.props["code"], "ENOBUFS")
        conn.force_close()
        yield client.closed


class ReadPauseTests(TCPTestCase):
    @defer.inlineCallbacks
    def test_no_receive_while_paused_and_nothing_lost(self):
        server = ServerFixture(self)
        client = Recorder()
        conn = open_client(server.port, client)
        side = yield server.accepted
        side.conn.read_pause()
        payload = "".join(f"{i:06d}" for i in range(20000))
        conn.send(payload)
        conn.close()
        yield deferLater(0.1)
        self.assertEqual(side.events(), ["connect"])
        side.conn.read_resume()
        yield side.closed
        self.assertEqual(side.data(), payload)
        self.assertEqual(side.events()[-2:], ["eof", "close"])


class ListenTests(TCPTestCase):
    def test_port_in_use(self):
        server = ServerFixture(self)
        other = tcp.TCPServerFactory(reactor, lambda *a: None)
        with self.assertRaises(NodeError) as caught:
            other.listen(server.port, "127.0.0.1")
        self.assertEqual(caught.exception.props["code"], "EADDRINUSE")
        self.assertIn(str(server.port), caught.exception.message)

    def test_address_not_available(self):
        other = tcp.TCPServerFactory(reactor, lambda *a: None)
        with self.assertRaises(NodeError) as caught:
            other.listen(0, "192.0.2.1")
        self.assertEqual(caught.exception.props["code"], "EADDRNOTAVAIL")

    def test_bad_port(self):
        other = tcp.TCPServerFactory(reactor, lambda *a: None)
        for port in ("http", -1, 70000, None):
            with self.assertRaises(NodeError):
                other.listen(port, "127.0.0.1")

    @defer.inlineCallbacks
    def test_port_as_string_and_all_addresses(self):
        """Host omitted: IPv4 and IPv6 clients both get in."""
        port = free_port()
        accepted = []

        def accept(conn, addr, secure):
            # the client's forced close is an end of stream: closed in turn
            recorder = Recorder(eof=lambda c, _: c.close())
            recorder.conn = conn
            accepted.append(recorder)
            return recorder

        server = tcp.TCPServerFactory(reactor, accept)
        self.assertEqual(server.listen(str(port)), port)
        self.addCleanup(server.close)
        hosts = ["127.0.0.1"] + (["::1"] if has_ipv6_loopback() else [])
        for host in hosts:
            client = Recorder(connect=lambda c, _: c.force_close())
            open_client(port, client, host=host)
            yield client.closed
            self.assertEqual(client.events(), ["connect", "close"], host)
            yield accepted[-1].closed

    @defer.inlineCallbacks
    def test_close_stops_accepting(self):
        server = ServerFixture(self)
        yield server.factory.close()
        client = Recorder()
        open_client(server.port, client)
        yield client.closed
        self.assertEqual(client.log, [("close", True)])


def deferLater(seconds):
    d = defer.Deferred()
    reactor.callLater(seconds, d.callback, None)
    return d


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True
