"""protocols/twisted_internals.py reads private attributes of Twisted's TCP
transport and TLS protocol. If a Twisted release renames or drops one, the
direct writes, forceClose's clean close and the previous ticket key fall back
silently to slower or harsher ways: these tests make that loud."""

from __future__ import annotations

from twisted.internet import defer, protocol, reactor
from twisted.internet.error import ConnectionDone
from twisted.trial import unittest

from twisted_node.protocols import twisted_internals


class Peer(protocol.Protocol):
    def __init__(self):
        self.received = b""
        self.made = defer.Deferred()
        self.lost = defer.Deferred()

    def connectionMade(self):
        self.made.callback(self)

    def dataReceived(self, data):
        self.received += data

    def connectionLost(self, reason):
        self.lost.callback(reason.value)  # the exception: a Failure would errback


class TwistedInternalsTests(unittest.TestCase):
    timeout = 15

    @defer.inlineCallbacks
    def connected_pair(self):
        server_side = Peer()
        factory = protocol.Factory.forProtocol(lambda: server_side)
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        client = Peer()
        yield protocol.ClientCreator(reactor, lambda: client).connectTCP("127.0.0.1", port.getHost().port)
        yield client.made
        yield server_side.made
        return client, server_side

    @defer.inlineCallbacks
    def test_the_transport_has_every_field_used(self):
        client, server_side = yield self.connected_pair()
        missing = [name for name in twisted_internals._FIELDS if not hasattr(client.transport, name)]
        self.assertEqual(missing, [], "Twisted's tcp.Connection changed")
        writer = twisted_internals.Writer(client.transport)
        self.assertTrue(writer.direct)
        writer.write(b"hello")
        # Sent at once, not queued for the next reactor turn.
        self.assertEqual(len(client.transport.dataBuffer) - client.transport.offset, 0)
        self.assertEqual(client.transport._tempDataLen, 0)
        client.transport.loseConnection()
        yield server_side.lost

    @defer.inlineCallbacks
    def test_close_now_is_a_clean_close(self):
        client, server_side = yield self.connected_pair()
        client.transport.write(b"x" * 10)
        self.assertTrue(twisted_internals.close_now(client.transport))
        reason = yield server_side.lost
        self.assertIsInstance(reason, ConnectionDone, "the peer saw a reset, not a FIN")
        yield client.lost


class TLSProtocolTests(unittest.TestCase):
    def test_the_tls_connection_can_be_replaced(self):
        """The OpenSSL connection a server TLS protocol was made with can be
        swapped before its first byte (tls_tickets.HelloRouter)."""
        from OpenSSL import SSL
        from twisted.internet.testing import StringTransport
        from twisted.protocols.tls import TLSMemoryBIOFactory

        from tests.test_tls import server_factory

        secure = server_factory(ca=None, crl=None)
        factory = TLSMemoryBIOFactory(secure, False, protocol.Factory.forProtocol(protocol.Protocol))
        tls_protocol = factory.buildProtocol(None)
        self.assertTrue(twisted_internals.tls_connection_replaceable(tls_protocol))
        tls_protocol.makeConnection(StringTransport())
        replacement = SSL.Connection(secure.getContext(), None)
        self.assertTrue(twisted_internals.replace_tls_connection(tls_protocol, replacement))
        self.assertIs(tls_protocol.getHandle(), replacement)
        self.assertIs(replacement.get_app_data(), tls_protocol)


class ListeningInternalsTests(unittest.TestCase):
    """What a graceful stop and socket activation use (protocols/listening.py)."""

    timeout = 15

    @defer.inlineCallbacks
    def test_queued_connections_are_accepted_before_the_port_closes(self):
        import socket

        accepted = []
        factory = protocol.Factory.forProtocol(Peer)
        factory.buildProtocol = lambda addr: accepted.append(addr) or Peer()
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
        self.assertTrue(twisted_internals.can_close_now(port))
        port.stopReading()  # connections now wait in the kernel's queue
        clients = [socket.create_connection(("127.0.0.1", port.getHost().port)) for _ in range(5)]
        for c in clients:
            self.addCleanup(c.close)
        twisted_internals.accept_queued_then_close(port)
        self.assertEqual(len(accepted), 5)  # none reset
        self.assertFalse(port.connected)
        self.assertFalse(twisted_internals.can_close_now(port))
        yield defer.succeed(None)

    def test_an_adopted_unix_socket_keeps_its_path(self):
        import os
        import shutil
        import socket
        import tempfile

        tmp = tempfile.mkdtemp()  # a UNIX socket path has at most 107 bytes
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, "s")
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(path)
        sock.listen(5)
        sock.setblocking(False)
        port = reactor.adoptStreamPort(sock.fileno(), socket.AF_UNIX, protocol.Factory.forProtocol(Peer))
        sock.close()
        twisted_internals.keep_socket_file(port)
        d = defer.maybeDeferred(port.stopListening)
        return d.addCallback(lambda _: self.assertTrue(os.path.exists(path)))

    def test_the_systemd_parser_takes_our_sockets(self):
        from twisted.internet import endpoints

        parser = endpoints._SystemdParser
        saved = parser._sddaemon
        self.addCleanup(setattr, parser, "_sddaemon", saved)
        self.assertTrue(twisted_internals.use_systemd_sockets([7], ["web"]))
        self.assertEqual(parser._sddaemon.inheritedDescriptors(), [7])
        self.assertEqual(parser._sddaemon.inheritedNamedDescriptors(), {"web": 7})
