"""protocols/twisted_internals.py reads private attributes of Twisted's TCP
transport, TLS protocol and epoll reactor. If a Twisted release renames or
drops one, the direct writes, forceClose's clean close, the previous ticket
key and the lean reactor fall back silently to slower or harsher ways: these
tests make that loud."""

from __future__ import annotations

import json
import subprocess
import sys

from twisted.internet import defer, protocol, reactor, task
from twisted.internet.error import ConnectionDone
from twisted.trial import unittest

from tests.jsrun import child_env
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
        transport = client.transport
        writer = twisted_internals.Writer(transport)
        self.assertTrue(writer.direct)
        writer.write(b"hel")
        writer.write(b"lo")
        # In the transport's buffer, without the reactor watching the socket
        # for writability (the epoll round trip Writer saves)...
        self.assertEqual(transport._tempDataLen, 5)
        self.assertNotIn(transport, reactor.getWriters())
        # ...and sent by the end of the reactor's turn.
        yield task.deferLater(reactor, 0, lambda: None)
        self.assertEqual(transport._tempDataLen + len(transport.dataBuffer) - transport.offset, 0)
        self.assertNotIn(transport, reactor.getWriters())
        transport.loseConnection()
        yield server_side.lost
        self.assertEqual(server_side.received, b"hello")

    @defer.inlineCallbacks
    def test_bulk_goes_to_the_socket_at_once(self):
        client, server_side = yield self.connected_pair()
        transport = client.transport
        writer = twisted_internals.Writer(transport)
        writer.write(b"y" * twisted_internals.SEND_AT_ONCE)
        self.assertFalse(writer.due)
        self.assertEqual(transport._tempDataLen + len(transport.dataBuffer) - transport.offset, 0)
        transport.loseConnection()
        yield server_side.lost
        self.assertEqual(len(server_side.received), twisted_internals.SEND_AT_ONCE)

    @defer.inlineCallbacks
    def test_data_due_goes_out_before_a_close(self):
        """loseConnection() right after a write: Twisted finds the data in
        its buffer and writes it before it closes."""
        client, server_side = yield self.connected_pair()
        writer = twisted_internals.Writer(client.transport)
        writer.write(b"last words")
        client.transport.loseConnection()
        reason = yield server_side.lost
        self.assertIsInstance(reason, ConnectionDone)
        self.assertEqual(server_side.received, b"last words")

    @defer.inlineCallbacks
    def test_a_peer_that_reads_nothing_gets_the_reactor_watching(self):
        """What the socket does not take waits for writability, as after
        transport.write(); it all arrives once the peer reads."""
        client, server_side = yield self.connected_pair()
        server_side.transport.pauseProducing()  # the peer stops reading
        writer = twisted_internals.Writer(client.transport)
        chunk = b"x" * 8192  # below SEND_AT_ONCE: due at the turn's end
        for _ in range(512):  # 4 MiB: more than the kernel's buffers hold
            writer.write(chunk)
        self.assertTrue(writer.due)
        yield task.deferLater(reactor, 0, lambda: None)
        transport = client.transport
        self.assertGreater(transport._tempDataLen + len(transport.dataBuffer) - transport.offset, 0)
        self.assertIn(transport, reactor.getWriters())
        server_side.transport.resumeProducing()
        for _ in range(400):
            if len(server_side.received) == 512 * 8192:
                break
            yield task.deferLater(reactor, 0.01, lambda: None)
        self.assertEqual(len(server_side.received), 512 * 8192)
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


class TLSPeer(Peer):
    """Starts TLS with start_tls as soon as it is connected; given a line,
    writes its answer and closes."""

    def __init__(self, creator, answer=b""):
        super().__init__()
        self.creator = creator
        self.answer = answer

    def connectionMade(self):
        self.lean = twisted_internals._lean_tls_possible(self.transport)
        twisted_internals.start_tls(self.transport, self.creator)
        self.tls_layer = self.transport.protocol
        self.aggregator = getattr(self.tls_layer, "_aggregator", None)
        super().connectionMade()

    def dataReceived(self, data):
        super().dataReceived(data)
        if self.received.endswith(b"\n"):
            self.peer_certificate = self.transport.getPeerCertificate()
            self.transport.write(self.answer[:2])  # gathered with the rest, encrypted once
            self.transport.write(self.answer[2:])
            self.transport.loseConnection()  # the answer and close_notify go to the socket now
            transport = self.transport  # what of it Twisted still has to send
            self.queued = transport._tempDataLen + len(transport.dataBuffer) - transport.offset


class StartTLSTests(unittest.TestCase):
    timeout = 15

    @defer.inlineCallbacks
    def test_start_tls_makes_twisted_tls_once_per_creator(self):
        from twisted.internet import ssl
        from twisted.internet.interfaces import ISSLTransport
        from zope.interface import providedBy

        from tests.test_tls import server_factory

        secure = server_factory(ca=None, crl=None)
        client_options = ssl.CertificateOptions()
        servers = []

        def accept():
            servers.append(TLSPeer(secure, answer=b"bye\n"))
            return servers[-1]

        port = reactor.listenTCP(0, protocol.Factory.forProtocol(accept), interface="127.0.0.1")
        self.addCleanup(port.stopListening)
        for n in range(2):
            client = TLSPeer(client_options)
            creator = protocol.ClientCreator(reactor, lambda c=client: c)
            yield creator.connectTCP("127.0.0.1", port.getHost().port)
            yield client.made
            self.assertTrue(client.lean, "Twisted's startTLS changed: start_tls falls back to it")
            client.transport.write(b"hello %d\n" % n)
            yield servers[n].lost
            yield client.lost
            self.assertEqual(servers[n].received, b"hello %d\n" % n)
            self.assertEqual(client.received, b"bye\n")
            self.assertTrue(servers[n].lean)
            self.assertIsNotNone(client.peer_certificate)  # the server's
            self.assertIsNone(servers[n].peer_certificate)  # the client sent none
            self.assertTrue(ISSLTransport.providedBy(servers[n].transport))
            tls_layer = servers[n].tls_layer
            # The saving: the TLS layer's transport declares nothing to copy.
            self.assertEqual(list(providedBy(tls_layer.transport)), [])
            # The ciphertext sent at once (nothing left queued in Twisted).
            self.assertEqual(servers[n].queued, 0)
            # Small writes gathered per reactor turn, with the turn's others.
            self.assertIsInstance(servers[n].aggregator, twisted_internals._TurnAggregator)
        first, second = (server.tls_layer.factory for server in servers)
        self.assertIs(first, second, "one TLSMemoryBIOFactory per creator")
        self.assertEqual(first.protocols, {}, "closed connections stay registered")

    def test_start_tls_declares_what_twisted_declares(self):
        """The layer and the transport provide the interfaces Twisted's
        startTLS gives them (Twisted adapts the layer, e.g. to
        IHalfCloseableProtocol when the peer half-closes), from the first
        connection of a process on. In a child: what zope caches on a class
        once any TLS layer was made in this process would hide a difference."""
        result = subprocess.run(
            [sys.executable, "-c", DECLARATIONS_CHILD], env=child_env(), capture_output=True, timeout=60
        )
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        seen = json.loads(result.stdout)
        self.assertEqual(seen["ours"], [seen["twisted"], seen["twisted"]])


# start_tls's connections first (twice), then Twisted's startTLS: what each
# transport and its TLS layer provide, and that the layer adapts.
DECLARATIONS_CHILD = r"""
import json
from twisted.internet import reactor
from twisted.internet.interfaces import IHalfCloseableProtocol
from zope.interface import providedBy
from tests.socketless import server_transport
from tests.test_tls import server_factory
from twisted_node.protocols import twisted_internals

secure = server_factory(ca=None, crl=None)

def declared(transport):
    layer = transport.protocol
    adapted = IHalfCloseableProtocol(layer, None)
    return [repr(list(providedBy(transport))), repr(list(providedBy(layer))), repr(adapted)]

ours = []
for _ in range(2):
    transport = server_transport(reactor)
    twisted_internals.start_tls(transport, secure)
    ours.append(declared(transport))
transport = server_transport(reactor)
transport.startTLS(secure)
print(json.dumps({"ours": ours, "twisted": declared(transport)}))
"""


# Run in a child: a process has one global reactor, and trial's is installed.
LEAN_REACTOR_CHILD = r"""
import json, socket
from twisted_node.protocols import twisted_internals
installed = twisted_internals.install_lean_reactor()
from twisted.internet import reactor, protocol, threads
from twisted.python import log

errors = []
log.addObserver(lambda event: event.get("isError") and errors.append(str(event.get("failure").value)))

class Echo(protocol.Protocol):
    def dataReceived(self, data):
        if data == b"boom":
            raise ValueError("the protocol raised")
        self.transport.write(data)

port = reactor.listenTCP(0, protocol.Factory.forProtocol(Echo), interface="127.0.0.1").getHost().port

def clients():
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as bad:
        bad.sendall(b"boom")
        out.append(bad.recv(100))  # b"": the connection is dropped
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as good:
            good.sendall(b"hello")
            out.append(good.recv(100))
    return out

def done(out):
    print(json.dumps({
        "installed": installed, "kind": type(reactor).__name__, "lean": reactor.lean,
        "replies": [o.decode() for o in out], "errors": errors,
    }))
    reactor.stop()

reactor.callWhenRunning(lambda: threads.deferToThread(clients).addCallback(done))
reactor.run()
"""


class LeanReactorTests(unittest.TestCase):
    def test_the_lean_reactor_serves_and_logs_errors(self):
        """Installed where no reactor is yet; it reads what it needs of this
        Twisted (lean is True); sockets are served; an exception in a
        protocol is logged and drops that connection only."""
        result = subprocess.run(
            [sys.executable, "-c", LEAN_REACTOR_CHILD], env=child_env(), capture_output=True, timeout=60
        )
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        seen = json.loads(result.stdout)
        self.assertEqual((seen["installed"], seen["kind"], seen["lean"]), (True, "LeanEPollReactor", True))
        self.assertEqual(seen["replies"], ["", "hello", "hello", "hello"])
        self.assertEqual(seen["errors"], ["the protocol raised"])

    def test_not_installed_over_another_reactor(self):
        from twisted.internet import reactor

        self.assertFalse(twisted_internals.install_lean_reactor())
        self.assertNotIsInstance(reactor, twisted_internals.LeanEPollReactor)


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
