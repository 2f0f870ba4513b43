"""The write side shared by tcp connections and http channels
(twisted_node.protocols.outbox), through tcp.TCPConnection over real sockets
on 127.0.0.1: undrained writes are bounded per connection and for the whole
process, and draining them costs no copy of the queue."""

from __future__ import annotations

import socket
import tracemalloc

from twisted.internet import defer, reactor
from twisted.trial import unittest

from twisted_node.errors import NodeError
from twisted_node.protocols import outbox, tcp

from tests.test_tcp_protocol import ServerFixture, deferLater

MB = 1024 * 1024


class Counter:
    """A connection's events: counts received characters, fires `drained`
    on DRAIN and `closed` on CLOSE."""

    def __init__(self):
        self.received = 0
        self.drained = defer.Deferred()
        self.closed = defer.Deferred()
        self.conn = None

    def __call__(self, event, argument):
        if event == tcp.RECEIVE:
            self.received += len(argument)
        elif event == tcp.DRAIN and not self.drained.called:
            self.drained.callback(None)
        elif event == tcp.CLOSE:
            self.closed.callback(None)


class OutboxTests(unittest.TestCase):
    timeout = 60

    @defer.inlineCallbacks
    def pair(self, small_buffers=False):
        """(client connection, its Counter, the server side's Counter), with
        the server side not reading."""
        server = ServerFixture(self, make_recorder=Counter)
        client = Counter()
        conn = tcp.connect(reactor, server.port, "127.0.0.1", client)
        self.addCleanup(conn.force_close)
        side = yield server.accepted
        side.conn.read_pause()
        while not conn.connected_at_tcp:
            yield deferLater(0.01)
        if small_buffers:  # what is not read stays with us, not with the kernel
            side.conn.transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            conn.transport.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return conn, client, side

    @defer.inlineCallbacks
    def test_draining_does_not_copy_the_queue(self):
        conn, client, side = yield self.pair()
        chunk = "q" * MB
        for _ in range(32):
            conn.send(chunk)  # ignoring False
        self.assertGreater(conn._outbox.queued, 24 * MB)
        tracemalloc.start()
        self.addCleanup(tracemalloc.stop)
        side.conn.read_resume()
        yield client.drained
        while side.received < 32 * MB:
            yield deferLater(0.01)
        peak = tracemalloc.get_traced_memory()[1]
        # Twisted alone joins its whole buffer into one bytes object when it
        # starts sending it: 32 MiB more. The outbox feeds it chunk by chunk.
        self.assertLess(peak, 8 * MB)

    @defer.inlineCallbacks
    def test_limits_per_connection_and_for_the_process(self):
        budget = outbox.Budget(3 * MB)
        self.patch(outbox, "PROCESS", budget)
        self.patch(outbox, "MAX_UNDRAINED", 2 * MB)
        chunk = "z" * (256 * 1024)
        first, _, _ = yield self.pair(small_buffers=True)
        with self.assertRaises(NodeError) as caught:
            for _ in range(100):
                first.send(chunk)
        self.assertEqual(caught.exception.props["code"], "ENOBUFS")
        self.assertIn("more than 2097152 bytes", caught.exception.message)
        self.assertEqual(budget.used, first._outbox.queued)
        second, second_events, _ = yield self.pair(small_buffers=True)
        with self.assertRaises(NodeError) as caught:
            for _ in range(100):
                second.send(chunk)
        self.assertIn("TWISTED_NODE_MAX_UNDRAINED_TOTAL", caught.exception.message)
        self.assertLessEqual(budget.used, budget.limit)
        # A connection that goes gives its queue back to the process.
        second.force_close()
        yield second_events.closed
        self.assertEqual(budget.used, first._outbox.queued)
        first.force_close()
        while budget.used:
            yield deferLater(0.01)
