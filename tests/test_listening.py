"""protocols/listening.py and reuseport.py with trial alone (no V8): ports
shared by workers, what worker mode refuses, and a graceful stop that loses
no connection and is bounded by its timeout."""

from __future__ import annotations

import socket

from twisted.internet import defer, reactor, task
from twisted.trial import unittest

from twisted_node.errors import NodeError
from twisted_node.protocols.listening import Listening
from twisted_node.protocols.tcp import TCPServerFactory
from tests.polling import eventually
from tests.ports import free_port, refused


def server(accepted: list) -> TCPServerFactory:
    def on_connection(conn, remote_address, secure):
        accepted.append(conn)
        return lambda *event: None

    return TCPServerFactory(reactor, on_connection)


class Servers(unittest.TestCase):
    timeout = 30

    def server(self, accepted: list) -> TCPServerFactory:
        """A server whose connections are closed when the test ends."""

        def close_all():
            for conn in accepted:
                conn.force_close()
            return task.deferLater(reactor, 0.05, lambda: None)

        self.addCleanup(close_all)
        return server(accepted)


class SharedPorts(Servers):
    def listen_shared(self, port, accepted):
        factory = self.server(accepted)
        Listening(reactor, shared=True).listen(factory, port, "127.0.0.1")
        self.addCleanup(lambda: factory.port is not None and factory.port.stopListening())
        return factory

    def test_two_members_bind_one_port_and_share_connections(self):
        port = free_port()
        first, second = [], []
        self.listen_shared(port, first)
        self.listen_shared(port, second)
        with self.assertRaises(NodeError) as caught:  # not shared: the port is taken
            Listening(reactor).listen(server([]), port, "127.0.0.1")
        self.assertEqual(caught.exception.props["code"], "EADDRINUSE")
        clients = []

        @defer.inlineCallbacks
        def connect_until_both_accepted():
            for _ in range(200):  # the kernel picks by a hash of the client's port
                c = socket.create_connection(("127.0.0.1", port))
                clients.append(c)
                yield task.deferLater(reactor, 0.005, lambda: None)
                if first and second:
                    return
            self.fail("the connections all went to one member")

        self.addCleanup(lambda: [c.close() for c in clients])
        return connect_until_both_accepted()

    def test_worker_mode_refuses_port_0_and_unix_paths(self):
        shared = Listening(reactor, shared=True)
        with self.assertRaises(NodeError) as caught:
            shared.listen(server([]), 0)
        self.assertIn("port 0 cannot be used with workers", str(caught.exception))
        with self.assertRaises(NodeError) as caught:
            shared.listen(server([]), "/tmp/x.sock")
        self.assertIn("cannot be shared by workers", str(caught.exception))

    @defer.inlineCallbacks
    def test_a_leaving_member_loses_no_connection(self):
        """Clients connect without a pause while one of two members stops
        gracefully: every connection is accepted by one or the other."""
        port = free_port()
        staying, leaving = [], []
        self.listen_shared(port, staying)
        factory = self.server(leaving)
        listening = Listening(reactor, shared=True)
        listening.listen(factory, port, "127.0.0.1")
        clients = []
        self.addCleanup(lambda: [c.close() for c in clients])
        stopped = listening.stop_all(timeout=0)
        while not stopped.called:
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            clients.append(c)
            yield task.deferLater(reactor, 0.002, lambda: None)
        for _ in range(20):  # a few more after the member left
            clients.append(socket.create_connection(("127.0.0.1", port)))
        yield eventually(lambda: len(staying) + len(leaving) == len(clients))
        self.assertIsNone(factory.port)


class GracefulStop(Servers):
    @defer.inlineCallbacks
    def test_connections_left_are_closed_after_the_timeout(self):
        accepted = []
        factory = self.server(accepted)
        listening = Listening(reactor)
        port = listening.listen(factory, 0, "127.0.0.1")
        client = socket.create_connection(("127.0.0.1", port))
        self.addCleanup(client.close)
        yield eventually(lambda: accepted)
        stopped = listening.stop_all(timeout=0.2)
        yield eventually(lambda: refused(port))
        self.assertFalse(stopped.called)  # the connection is still open
        yield stopped  # and closed after 0.2 s
        client.settimeout(10)
        self.assertEqual(client.recv(10), b"")
        self.assertEqual(factory.connections, set())

    @defer.inlineCallbacks
    def test_stop_waits_for_connections_to_end(self):
        accepted = []
        factory = self.server(accepted)
        listening = Listening(reactor)
        port = listening.listen(factory, 0, "127.0.0.1")
        client = socket.create_connection(("127.0.0.1", port))
        yield eventually(lambda: accepted)
        stopped = listening.stop_all(timeout=None)
        yield eventually(lambda: refused(port))
        self.assertFalse(stopped.called)
        accepted[0].close()  # as the program closes it (after its "eof", say)
        client.close()
        yield stopped
