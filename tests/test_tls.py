"""twisted_node.protocols.tls: contexts from PEM strings, verify_peer codes,
peer DN strings, over real TLS connections on 127.0.0.1 (tcp protocol
layer, no JavaScript), and against openssl s_client / s_server; session
resumption (server and client side), several certificates per server (SNI),
rotation of credentials and of the ticket key, and the security defaults.
The same seen from JavaScript programs (tests/js/tls/) is at the end."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from OpenSSL import SSL
from OpenSSL._util import lib as _openssl
from twisted.internet import defer, reactor, threads
from twisted.trial import unittest

from tests.certs import make_pki, rsa_server, write_pki
from tests.jsrun import child_env, run_js, runtime_command
from tests.test_tcp_protocol import (
    Recorder,
    ServerFixture,
    TCPTestCase,
    free_port,
)
from twisted_node.errors import NodeError
from twisted_node.protocols import tcp, tls, tls_tickets


def pki():
    return make_pki()


def server_factory(cert="server_cert", key="server_key", ca="ca_cert", crl="crl"):
    p = pki()
    return tls.server_context_factory(
        "X509_PEM", p[ca] if ca else None, p[crl] if crl else None, p[key], p[cert]
    )


def client_factory(hostname, ca="ca_cert", cert=None, key=None):
    p = pki()
    return tls.client_context_factory(
        "X509_PEM",
        p[ca] if ca else None,
        None,
        p[key] if key else None,
        p[cert] if cert else None,
        hostname,
    )


class ArgumentTests(unittest.TestCase):
    def assertNamed(self, word, fn, *args):
        with self.assertRaises(NodeError) as caught:
            fn(*args)
        self.assertIn(word, caught.exception.message)

    def test_wrong_format(self):
        p = pki()
        self.assertNamed(
            "format_type",
            tls.server_context_factory,
            "PKCS12",
            p["ca_cert"],
            None,
            p["server_key"],
            p["server_cert"],
        )

    def test_each_bad_pem_is_named(self):
        p = pki()
        good = [p["ca_cert"], p["crl"], p["server_key"], p["server_cert"]]
        for index, name in enumerate(["ca_certs", "crl_list", "private_key", "certificate"]):
            args = list(good)
            args[index] = "-----BEGIN GARBAGE-----\nnot base64\n-----END GARBAGE-----\n"
            self.assertNamed(name, tls.server_context_factory, "X509_PEM", *args)
            self.assertNamed(name, tls.client_context_factory, "X509_PEM", *args, "localhost")

    def test_key_must_match_certificate(self):
        p = pki()
        self.assertNamed(
            "does not match",
            tls.server_context_factory,
            "X509_PEM",
            None,
            None,
            p["client_key"],
            p["server_cert"],
        )

    def test_client_contexts_name_a_wrong_argument(self):
        """The shared client contexts check as setSecure does, also an
        argument that is not a string at all."""
        contexts = tls.ClientContexts()
        self.assertNamed("ca_certs", contexts.get, "X509_PEM", {"not": "pem"})
        self.assertNamed("ca_certs", contexts.get, "X509_PEM", "not pem")
        self.assertNamed("format_type", contexts.get, "PKCS12")
        p = pki()
        self.assertIs(contexts.get("X509_PEM", p["ca_cert"]), contexts.get("X509_PEM", p["ca_cert"]))

    def test_server_without_key_and_certificate(self):
        """Allowed, as in v0.1 (its handshakes fail: see tests/test_v0122.py),
        but not one without the other."""
        self.assertFalse(tls.server_context_factory("X509_PEM").has_credentials)
        self.assertFalse(tls.server_context_factory(None).has_credentials)
        p = pki()
        with_both = tls.server_context_factory("X509_PEM", None, None, p["server_key"], p["server_cert"])
        self.assertTrue(with_both.has_credentials)
        self.assertNamed(
            "together", tls.server_context_factory, "X509_PEM", None, None, p["server_key"], None
        )


def _pump(client, server) -> None:
    """Move bytes between two memory-BIO connections until neither has more."""
    moved = True
    while moved:
        moved = False
        for side, peer in ((client, server), (server, client)):
            try:
                side.do_handshake()
            except SSL.WantReadError:
                pass
            while True:
                try:
                    data = side.bio_read(65536)
                except SSL.WantReadError:
                    break
                peer.bio_write(data)
                moved = True


def _memory_handshake(server_ctx, client_ctx):
    """A handshake between two OpenSSL connections over memory buffers;
    returns (client, server) once both are done, or raises SSL.Error."""
    server = SSL.Connection(server_ctx, None)
    server.set_accept_state()
    client = SSL.Connection(client_ctx, None)
    client.set_connect_state()
    _pump(client, server)
    for side in (client, server):
        side.do_handshake()  # done: nothing; stalled: SSL.WantReadError
    return client, server


class ProtocolVersionTests(unittest.TestCase):
    def legacy_client(self, max_version):
        """A client that would speak TLS 1.0 up to `max_version`: security
        level 0 and every cipher, so that only the server can refuse."""
        ctx = SSL.Context(SSL.TLS_METHOD)
        ctx.set_min_proto_version(SSL.TLS1_VERSION)
        ctx.set_max_proto_version(max_version)
        ctx.set_cipher_list(b"ALL:@SECLEVEL=0")
        return ctx

    def test_tls_1_2_minimum(self):
        server_ctx = server_factory(ca=None, crl=None).getContext()
        for max_version in (SSL.TLS1_VERSION, SSL.TLS1_1_VERSION):
            with self.assertRaises(SSL.Error) as caught:
                _memory_handshake(server_ctx, self.legacy_client(max_version))
            self.assertIn("unsupported protocol", str(caught.exception))
        # The same client allowed TLS 1.2 gets it.
        client, server = _memory_handshake(server_ctx, self.legacy_client(SSL.TLS1_2_VERSION))
        self.assertEqual(client.get_protocol_version_name(), "TLSv1.2")
        self.assertEqual(server.get_protocol_version_name(), "TLSv1.2")


class HandshakeMixin:
    @defer.inlineCallbacks
    def handshake(self, server_secure, client_secure, hostname="127.0.0.1"):
        """Connect with TLS on both sides; returns (client log, server log,
        client verify, server verify, client DN, server DN) at "connect"."""
        seen = {}

        def on_server_connect(c, _):
            seen["server"] = (c.verify_peer(), c.peer_dn_string())
            c.send("hi from server")
            c.close()

        def on_client_connect(c, _):
            seen["client"] = (c.verify_peer(), c.peer_dn_string())

        server = ServerFixture(self, lambda: Recorder(connect=on_server_connect), secure=server_secure)
        client = Recorder(connect=on_client_connect)
        conn = tcp.TCPConnection(reactor, client, hostname=hostname)
        client.conn = conn
        conn.set_secure(client_secure)
        tcp.connect(reactor, server.port, "127.0.0.1", client, conn)
        self.addCleanup(conn.force_close)
        yield client.closed
        server_log = None
        if server.recorders:
            yield server.recorders[0].closed
            server_log = server.recorders[0].log
        return client.log, server_log, seen


class HandshakeTests(HandshakeMixin, TCPTestCase):
    @defer.inlineCallbacks
    def test_server_only(self):
        client_log, _server_log, seen = yield self.handshake(
            server_factory(ca=None, crl=None), client_factory("127.0.0.1")
        )
        self.assertEqual(seen["client"][0], tls.VERIFIED)
        self.assertEqual(seen["server"], (tls.NO_CERTIFICATE, None))
        self.assertIn("CN=localhost", seen["client"][1])
        self.assertIn(("receive", "hi from server"), client_log)

    @defer.inlineCallbacks
    def test_mutual(self):
        _, _, seen = yield self.handshake(
            server_factory(),
            client_factory("localhost", cert="client_cert", key="client_key"),
        )
        self.assertEqual(seen["client"], (tls.VERIFIED, "CN=localhost,O=twisted_node tests"))
        self.assertEqual(seen["server"], (tls.VERIFIED, "CN=client,O=twisted_node tests"))

    @defer.inlineCallbacks
    def test_several_cas_each_trusted(self):
        """Every certificate of ca_certs is trusted, not just the first: the
        server checks client certificates issued by either of its two CAs,
        and a client trusts a server through the second of its CAs."""
        p = pki()
        both = p["ca_cert"] + p["other_ca_cert"]
        for cert, dn in (("client_cert", "CN=client"), ("other_client_cert", "CN=other client")):
            key = cert.replace("_cert", "_key")
            _, _, seen = yield self.handshake(
                tls.server_context_factory("X509_PEM", both, "", p["server_key"], p["server_cert"]),
                client_factory("localhost", cert=cert, key=key),
            )
            self.assertEqual(seen["server"], (tls.VERIFIED, dn + ",O=twisted_node tests"))
        client = tls.client_context_factory(
            "X509_PEM", p["other_ca_cert"] + p["ca_cert"], None, None, None, "localhost"
        )
        _, _, seen = yield self.handshake(server_factory(), client, hostname="localhost")
        self.assertEqual(seen["client"][0], tls.VERIFIED)

    @defer.inlineCallbacks
    def test_client_trusting_another_ca(self):
        _, _, seen = yield self.handshake(server_factory(), client_factory("localhost", ca="other_ca_cert"))
        self.assertEqual(seen["client"][0], tls.UNTRUSTED)

    @defer.inlineCallbacks
    def test_server_certificate_from_another_ca(self):
        _, _, seen = yield self.handshake(
            server_factory(cert="other_server_cert", key="other_server_key"),
            client_factory("localhost"),
        )
        self.assertEqual(seen["client"][0], tls.UNTRUSTED)

    @defer.inlineCallbacks
    def test_untrusted_client_certificate_is_reported_not_refused(self):
        _, _, seen = yield self.handshake(
            server_factory(),
            client_factory("localhost", cert="other_server_cert", key="other_server_key"),
        )
        self.assertEqual(seen["server"][0], tls.UNTRUSTED)

    @defer.inlineCallbacks
    def test_expired_server_certificate(self):
        _, _, seen = yield self.handshake(
            server_factory(cert="expired_server_cert", key="expired_server_key"),
            client_factory("localhost"),
        )
        self.assertEqual(seen["client"][0], tls.OUT_OF_DATE)

    @defer.inlineCallbacks
    def test_hostname_mismatch(self):
        _, _, seen = yield self.handshake(
            server_factory(), client_factory("example.com"), hostname="example.com"
        )
        self.assertEqual(seen["client"][0], tls.HOSTNAME_MISMATCH)

    @defer.inlineCallbacks
    def test_revoked_client_refused(self):
        client_log, server_log, seen = yield self.handshake(
            server_factory(),
            client_factory("localhost", cert="revoked_client_cert", key="revoked_client_key"),
        )
        self.assertNotIn("server", seen)
        self.assertNotIn("connect", [name for name, _ in server_log])
        self.assertEqual(server_log[-1], ("close", True))
        self.assertNotIn(("receive", "hi from server"), client_log)
        self.assertEqual(client_log[-1][0], "close")


def openssl_path():
    return shutil.which("openssl")


class OpenSSLFiles:
    """For tests with openssl as a peer: skipped without it; the PKI in
    files (self.files, name -> path)."""

    def setUp(self):
        if openssl_path() is None:
            raise unittest.SkipTest("openssl command not found")
        self.files = write_pki(tempfile.mkdtemp(prefix="tn-pki-"))
        self.addCleanup(shutil.rmtree, os.path.dirname(self.files["ca_cert"]), True)
        super().setUp()


class OpenSSLInteropTests(OpenSSLFiles, TCPTestCase):
    timeout = 30

    @defer.inlineCallbacks
    def test_openssl_s_client_against_our_server(self):
        """Mutual TLS with a real peer: the server verifies openssl's client
        certificate and openssl verifies ours (Verify return code: 0)."""
        seen = {}

        def on_connect(c, _):
            seen["verify"] = c.verify_peer()
            seen["dn"] = c.peer_dn_string()

        def on_receive(c, data):
            c.send("echo:" + data)
            c.close()

        server = ServerFixture(
            self,
            lambda: Recorder(connect=on_connect, receive=on_receive),
            secure=server_factory(),
        )
        f = self.files
        command = [
            openssl_path(), "s_client", "-connect", f"127.0.0.1:{server.port}",
            "-CAfile", f["ca_cert"], "-cert", f["client_cert"], "-key", f["client_key"],
            "-verify_return_error", "-verify_ip", "127.0.0.1", "-ign_eof",
        ]  # fmt: skip
        result = yield threads.deferToThread(
            subprocess.run, command, input=b"ping\n", capture_output=True, timeout=20
        )
        out = result.stdout.decode("latin-1")
        self.assertIn("Verify return code: 0 (ok)", out)
        self.assertIn("echo:ping", out)
        self.assertEqual(seen, {"verify": tls.VERIFIED, "dn": "CN=client,O=twisted_node tests"})

    def s_client_with_version(self, port, version_flag):
        # Security level 0: the client itself would refuse TLS 1.0 and 1.1
        # (their SHA-1 signatures), and only the server's refusal is tested.
        command = [
            openssl_path(), "s_client", "-connect", f"127.0.0.1:{port}",
            version_flag, "-cipher", "ALL@SECLEVEL=0", "-CAfile", self.files["ca_cert"],
        ]  # fmt: skip
        return threads.deferToThread(subprocess.run, command, input=b"", capture_output=True, timeout=20)

    @defer.inlineCallbacks
    def test_tls_versions(self):
        """TLS 1.2 and 1.3 are spoken; TLS 1.0 and 1.1 are refused by the
        server, for their version."""
        server = ServerFixture(self, secure=server_factory(ca=None, crl=None))
        for flag, name in (("-tls1_2", b"TLSv1.2"), ("-tls1_3", b"TLSv1.3")):
            result = yield self.s_client_with_version(server.port, flag)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(b"New, " + name + b", Cipher is ", result.stdout)
        for flag in ("-tls1", "-tls1_1"):
            result = yield self.s_client_with_version(server.port, flag)
            self.assertNotEqual(result.returncode, 0, flag)
            self.assertIn(b"New, (NONE), Cipher is (NONE)", result.stdout, flag)
            self.assertIn(b"alert protocol version", result.stderr, flag)

    @defer.inlineCallbacks
    def test_our_client_against_openssl_s_server(self):
        port = free_port()
        f = self.files
        server = subprocess.Popen(
            [
                openssl_path(), "s_server", "-accept", str(port), "-naccept", "1",
                "-cert", f["server_cert"], "-key", f["server_key"],
                "-CAfile", f["ca_cert"], "-Verify", "1", "-rev",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.addCleanup(lambda: server.poll() is None and server.kill())
        self.addCleanup(server.wait)
        self.addCleanup(server.stdout.close)
        seen = {}

        def on_connect(c, _):
            seen["verify"] = c.verify_peer()
            seen["dn"] = c.peer_dn_string()
            c.send("hello\n")

        def on_receive(c, data):
            if "olleh" in "".join(a for n, a in c.recorder.log if n == "receive"):
                c.force_close()

        for _ in range(100):  # wait until s_server listens
            client = Recorder(connect=on_connect, receive=on_receive)
            conn = tcp.TCPConnection(reactor, client, hostname="localhost")
            conn.recorder = client
            client.conn = conn
            conn.set_secure(client_factory("localhost", cert="client_cert", key="client_key"))
            tcp.connect(reactor, port, "127.0.0.1", client, conn)
            log = yield client.closed
            if log[0][0] == "connect":
                break
            d = defer.Deferred()
            reactor.callLater(0.05, d.callback, None)
            yield d
        self.assertEqual(seen["verify"], tls.VERIFIED)
        self.assertEqual(seen["dn"], "CN=localhost,O=twisted_node tests")
        self.assertIn("olleh", client.data())


# -- session resumption ------------------------------------------------------------


def session_reused(tls_connection) -> bool:
    """Whether the handshake resumed a session. pyOpenSSL has no
    SSL_session_reused; the OpenSSL binding it is built on has (tests only)."""
    return _openssl.SSL_session_reused(tls._ssl_connection(tls_connection)._ssl) == 1


def _drain(connection) -> None:
    """Read what arrived (tickets, close_notify); nothing is expected."""
    try:
        connection.recv(65536)
    except (SSL.WantReadError, SSL.ZeroReturnError):
        pass


class Visit:
    """One connection from `client_ctx` to a server factory over memory
    BIOs: handshake, the tickets read, both sides shut down cleanly (a
    session whose connection was not shut down is not resumed)."""

    def __init__(self, factory, client_ctx, session=None, server_name=None, max_version=None):
        client = SSL.Connection(client_ctx, None)
        client.set_connect_state()
        if max_version == SSL.TLS1_2_VERSION:
            client.set_options(SSL.OP_NO_TLSv1_3)
        if server_name:
            client.set_tlsext_host_name(server_name)
        if session is not None:
            client.set_session(session)
        try:
            client.do_handshake()
        except SSL.WantReadError:
            pass
        hello = client.bio_read(65536)
        # The context the server's connection is made from, as HelloRouter
        # picks it over a socket.
        server = SSL.Connection(factory.context_for_hello(hello), None)
        server.set_accept_state()
        server.bio_write(hello)
        _pump(client, server)
        _drain(client)  # TLS 1.3 tickets arrive after the handshake
        self.reused = session_reused(server)
        self.verify = tls.verify_peer(server)
        self.dn = tls.peer_dn_string(server)
        self.session = client.get_session()
        client.shutdown()
        _pump(client, server)
        _drain(server)
        server.shutdown()
        _pump(client, server)
        self.client, self.server = client, server


def plain_client_ctx(cert=None, key=None, options=0):
    ctx = SSL.Context(SSL.TLS_METHOD)
    if options:
        ctx.set_options(options)
    if cert:
        from cryptography import x509
        from OpenSSL import crypto

        p = pki()
        ctx.use_certificate(x509.load_pem_x509_certificate(p[cert].encode()))
        ctx.use_privatekey(crypto.load_privatekey(crypto.FILETYPE_PEM, p[key].encode()))
    return ctx


class SessionTests(unittest.TestCase):
    """Resumption on the server side, in memory: the three ways a client
    comes back, the ticket key's rotation, and verifyPeer on a resumed
    session."""

    def test_session_cache_and_tickets(self):
        cases = [
            ("TLS 1.2 ticket", SSL.TLS1_2_VERSION, 0),
            ("TLS 1.2 session id (cache)", SSL.TLS1_2_VERSION, SSL.OP_NO_TICKET),
            ("TLS 1.3 ticket", None, 0),
        ]
        factory = server_factory(ca=None, crl=None)
        for name, max_version, options in cases:
            ctx = plain_client_ctx(options=options)
            first = Visit(factory, ctx, max_version=max_version)
            self.assertFalse(first.reused, name)
            again = Visit(factory, ctx, first.session, max_version=max_version)
            self.assertTrue(again.reused, name)
            self.assertEqual(
                again.server.get_protocol_version_name(),
                "TLSv1.2" if max_version else "TLSv1.3",
                name,
            )

    def test_ticket_key_rotates(self):
        """One ticket key per server, replaced every TICKET_KEY_LIFETIME
        seconds; tickets made under the previous key still resume (TLS 1.2
        and 1.3), those from before it get a full handshake (and a new
        ticket, which resumes)."""
        for max_version in (SSL.TLS1_2_VERSION, None):
            factory = server_factory(ca=None, crl=None)
            now = [1000.0]
            factory.clock = lambda now=now: now[0]
            ctx = plain_client_ctx()
            first = Visit(factory, ctx, max_version=max_version)
            now[0] += tls.TICKET_KEY_LIFETIME - 1
            self.assertTrue(Visit(factory, ctx, first.session, max_version=max_version).reused)
            now[0] += 2  # a new key; the first one is the previous
            self.assertTrue(Visit(factory, ctx, first.session, max_version=max_version).reused)
            fresh = Visit(factory, ctx, max_version=max_version)
            now[0] += tls.TICKET_KEY_LIFETIME  # the first key is gone
            after = Visit(factory, ctx, first.session, max_version=max_version)
            self.assertFalse(after.reused)
            self.assertTrue(Visit(factory, ctx, after.session, max_version=max_version).reused)
            self.assertTrue(Visit(factory, ctx, fresh.session, max_version=max_version).reused)

    def test_verify_peer_remembered_for_resumed_sessions(self):
        """A resumed session carries the peer's certificate but no new
        verification: verifyPeer gives what the full handshake found, for a
        trusted, an untrusted and a wrong-purpose (a server's) certificate."""
        factory = server_factory()
        for cert, expected in (
            ("client_cert", tls.VERIFIED),
            ("other_client_cert", tls.UNTRUSTED),
            ("server_cert", tls.OTHER_FAILURE),
        ):
            for max_version in (SSL.TLS1_2_VERSION, None):
                ctx = plain_client_ctx(cert, cert.replace("_cert", "_key"))
                first = Visit(factory, ctx, max_version=max_version)
                again = Visit(factory, ctx, first.session, max_version=max_version)
                self.assertEqual((first.reused, first.verify), (False, expected), cert)
                self.assertEqual((again.reused, again.verify), (True, expected), cert)
                self.assertEqual(again.dn, first.dn)

    def test_resumed_after_rotation_verified_with_the_new_credentials(self):
        """setSecure again keeps the sessions (the ticket key is the
        server's, not the certificate's), and verifyPeer on a session resumed
        after it follows the new ca_certs."""
        p = pki()
        factory = server_factory()
        ctx = plain_client_ctx("client_cert", "client_key")
        first = Visit(factory, ctx)
        self.assertEqual(first.verify, tls.VERIFIED)
        tls.server_context_factory(
            "X509_PEM", p["other_ca_cert"], None, p["server_key"], p["server_cert"], current=factory
        )
        again = Visit(factory, ctx, first.session)
        self.assertEqual((again.reused, again.verify), (True, tls.UNTRUSTED))
        tls.server_context_factory(
            "X509_PEM", p["ca_cert"], p["crl"], p["server_key"], p["server_cert"], current=factory
        )
        back = Visit(factory, ctx, first.session)
        self.assertEqual((back.reused, back.verify), (True, tls.VERIFIED))

    def test_revoked_after_the_session_was_made(self):
        """A CRL that arrives with new credentials revokes a client whose
        session was made before: resumed (the handshake checks nothing), but
        verifyPeer says REVOKED."""
        p = pki()
        factory = server_factory(crl=None)
        ctx = plain_client_ctx("revoked_client_cert", "revoked_client_key")
        first = Visit(factory, ctx)
        self.assertEqual(first.verify, tls.VERIFIED)
        tls.server_context_factory(
            "X509_PEM", p["ca_cert"], p["crl"], p["server_key"], p["server_cert"], current=factory
        )
        again = Visit(factory, ctx, first.session)
        self.assertEqual((again.reused, again.verify), (True, tls.REVOKED))


class _SocketVisit:
    """What _socket_visit saw."""

    reused = False
    session = None
    received = b""


def _socket_visit(port, ctx, session, pieces=1):
    """A blocking pyOpenSSL client over a real socket (in a thread): its
    ClientHello sent in `pieces` writes 50 ms apart, "x" sent, the echo read
    until the server closes; the session kept for the next visit."""
    visit = _SocketVisit()
    client = SSL.Connection(ctx, None)
    client.set_connect_state()
    if session is not None:
        client.set_session(session)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            client.do_handshake()
        except SSL.WantReadError:
            pass
        hello = client.bio_read(65536)
        step = -(-len(hello) // pieces)
        for start in range(0, len(hello), step):
            sock.sendall(hello[start : start + step])
            time.sleep(0.05)
        sent_data = closed = False
        while not closed:
            try:
                client.do_handshake()
                if not sent_data:
                    client.send(b"x")
                    sent_data = True
                while True:
                    visit.received += client.recv(65536)
            except SSL.WantReadError:
                pass
            except SSL.ZeroReturnError:  # the server closed: so do we
                client.shutdown()
                closed = True
            try:
                sock.sendall(client.bio_read(65536))
            except SSL.WantReadError:
                pass
            if not closed:
                data = sock.recv(65536)
                if data:
                    client.bio_write(data)
                closed = not data
    visit.reused = session_reused(client)
    visit.session = client.get_session()
    return visit


def _raw_exchange(port, data: bytes) -> bytes:
    """Send `data` on a plain socket; what came back before the close."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        while chunk := sock.recv(65536):
            received += chunk
    return received


class TicketRoutingTests(unittest.TestCase):
    """tls_tickets: a ticket found in a ClientHello, a key's name learnt in
    memory, and what bytes that are not a whole ClientHello give."""

    def hello(self, ctx, session=None, max_version=None):
        client = SSL.Connection(ctx, None)
        client.set_connect_state()
        if max_version:
            client.set_options(SSL.OP_NO_TLSv1_3)
        if session is not None:
            client.set_session(session)
        try:
            client.do_handshake()
        except SSL.WantReadError:
            pass
        return client.bio_read(65536)

    def test_the_ticket_offered_and_its_key(self):
        for max_version in (SSL.TLS1_2_VERSION, None):
            factory = server_factory(ca=None, crl=None)
            ctx = plain_client_ctx()
            self.assertIsNone(tls_tickets.offered_ticket(self.hello(ctx, max_version=max_version)))
            session = Visit(factory, ctx, max_version=max_version).session
            hello = self.hello(ctx, session, max_version)
            ticket = tls_tickets.offered_ticket(hello)
            self.assertIsInstance(ticket, bytes)
            name = tls_tickets.key_name(factory.getContext())
            self.assertEqual(len(name), 16)
            self.assertTrue(tls_tickets.made_under(ticket, name))
            other_server = server_factory().getContext()
            self.assertFalse(tls_tickets.made_under(ticket, tls_tickets.key_name(other_server)))
            for end in range(len(hello)):  # every prefix asks for more
                self.assertIs(tls_tickets.offered_ticket(hello[:end]), tls_tickets.MORE, end)

    def test_bytes_that_are_no_client_hello(self):
        for data in (
            b"GET / HTTP/1.1\r\n",
            b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",  # a whole ServerHello-typed message
            b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\xff",  # a ClientHello cut short inside
            bytes(range(256)) * 4,
        ):
            self.assertIsNone(tls_tickets.offered_ticket(data), data)

    def test_a_key_name_needs_credentials(self):
        """Without a key no handshake completes: no name, and so no routing."""
        self.assertIsNone(tls_tickets.key_name(tls.server_context_factory().getContext()))


class ResumptionTests(OpenSSLFiles, TCPTestCase):
    """Resumption over real sockets: openssl s_client against the server,
    and the runtime's own client (sessions kept by tls.ClientContexts)
    against it."""

    timeout = 60

    def serve(self, factory):
        """An echo server (answers, then closes) recording, per connection
        at "connect": (resumed, verifyPeer, peer DN)."""
        seen = []

        def on_connect(c, _):
            seen.append((session_reused(c.transport), c.verify_peer(), c.peer_dn_string()))

        def on_receive(c, data):
            c.send("echo:" + data)
            c.close()

        server = ServerFixture(
            self,
            lambda: Recorder(connect=on_connect, receive=on_receive, eof=lambda c, _: c.close()),
            secure=factory,
        )
        return server, seen

    def s_client(self, port, *flags, data=b""):
        f = self.files
        command = [
            openssl_path(), "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", f["ca_cert"],
            *flags,
        ]  # fmt: skip
        return threads.deferToThread(subprocess.run, command, input=data, capture_output=True, timeout=30)

    @defer.inlineCallbacks
    def test_openssl_reconnect_tls_1_2(self):
        """`s_client -reconnect` (TLS 1.2): "New" once, then "Reused" five
        times, each with the client certificate verified on the server."""
        server, seen = self.serve(server_factory())
        f = self.files
        result = yield self.s_client(
            server.port, "-tls1_2", "-reconnect", "-cert", f["client_cert"], "-key", f["client_key"]
        )
        out = result.stdout.decode("latin-1")
        self.assertEqual(len(re.findall(r"^New, TLSv1\.2", out, re.M)), 1, out)
        self.assertEqual(len(re.findall(r"^Reused, TLSv1\.2", out, re.M)), 5, out)
        dn = "CN=client,O=twisted_node tests"
        self.assertEqual(seen, [(False, tls.VERIFIED, dn)] + [(True, tls.VERIFIED, dn)] * 5)

    @defer.inlineCallbacks
    def test_openssl_untrusted_client_stays_untrusted_when_resumed(self):
        server, seen = self.serve(server_factory())
        f = self.files
        result = yield self.s_client(
            server.port,
            "-tls1_2",
            "-reconnect",
            "-cert",
            f["other_client_cert"],
            "-key",
            f["other_client_key"],
        )
        self.assertIn(b"Reused, TLSv1.2", result.stdout)
        self.assertEqual([r for r, _, _ in seen], [False] + [True] * 5)
        self.assertEqual({v for _, v, _ in seen}, {tls.UNTRUSTED})

    @defer.inlineCallbacks
    def test_openssl_ticket_tls_1_3(self):
        """TLS 1.3: a ticket saved by one s_client (-sess_out) resumes the
        next (-sess_in); the client certificate is still verified."""
        server, seen = self.serve(server_factory())
        f = self.files
        session_file = os.path.join(os.path.dirname(f["ca_cert"]), "session.pem")
        cert = ["-cert", f["client_cert"], "-key", f["client_key"], "-ign_eof"]
        first = yield self.s_client(server.port, "-tls1_3", "-sess_out", session_file, *cert, data=b"a\n")
        second = yield self.s_client(server.port, "-tls1_3", "-sess_in", session_file, *cert, data=b"b\n")
        self.assertIn(b"New, TLSv1.3", first.stdout)
        self.assertIn(b"echo:a", first.stdout)
        self.assertIn(b"Reused, TLSv1.3", second.stdout)
        self.assertIn(b"echo:b", second.stdout)
        dn = "CN=client,O=twisted_node tests"
        self.assertEqual(seen, [(False, tls.VERIFIED, dn), (True, tls.VERIFIED, dn)])

    @defer.inlineCallbacks
    def test_openssl_ticket_across_a_key_rotation(self):
        """Over sockets (the ClientHello routed by tls_tickets.HelloRouter):
        a ticket saved before the key changed resumes after it, TLS 1.2 and
        1.3; after a second change it gets a full handshake."""
        factory = server_factory(ca=None, crl=None)
        now = [1000.0]
        factory.clock = lambda: now[0]
        server, seen = self.serve(factory)
        directory = os.path.dirname(self.files["ca_cert"])
        for version in ("-tls1_2", "-tls1_3"):
            session_file = os.path.join(directory, f"session{version}.pem")
            visit = functools.partial(self.s_client, server.port, version, "-ign_eof", data=b"x\n")
            first = yield visit("-sess_out", session_file)
            self.assertIn(b"New, TLSv1.", first.stdout)
            now[0] += tls.TICKET_KEY_LIFETIME + 1
            again = yield visit("-sess_in", session_file)
            self.assertIn(b"Reused, TLSv1.", again.stdout)
            self.assertIn(b"echo:x", again.stdout)
            now[0] += tls.TICKET_KEY_LIFETIME
            late = yield visit("-sess_in", session_file)
            self.assertIn(b"New, TLSv1.", late.stdout)
            self.assertIn(b"echo:x", late.stdout)
        self.assertEqual([r for r, _, _ in seen], [False, True, False] * 2)

    @defer.inlineCallbacks
    def test_client_hello_in_pieces_across_a_key_rotation(self):
        """A ClientHello that arrives in three pieces is held until it is
        whole, then routed; bytes that are no ClientHello go to OpenSSL,
        which refuses them, and the server serves on."""
        factory = server_factory(ca=None, crl=None)
        now = [1000.0]
        factory.clock = lambda: now[0]
        server, seen = self.serve(factory)
        ctx = plain_client_ctx()
        first = yield threads.deferToThread(_socket_visit, server.port, ctx, None)
        now[0] += tls.TICKET_KEY_LIFETIME + 1
        again = yield threads.deferToThread(_socket_visit, server.port, ctx, first.session, pieces=3)
        self.assertEqual((first.reused, again.reused), (False, True))
        self.assertEqual(again.received, b"echo:x")
        garbage = yield threads.deferToThread(_raw_exchange, server.port, b"GET / HTTP/1.0\r\n\r\n")
        self.assertNotIn(b"echo", garbage)
        last = yield threads.deferToThread(_socket_visit, server.port, ctx, again.session)
        self.assertTrue(last.reused)
        self.assertEqual([r for r, _, _ in seen], [False, True, True])

    @defer.inlineCallbacks
    def runtime_client_visits(self, factory, times=3, hostname="localhost"):
        """The runtime's client connects `times` times with the same settings
        (mutual TLS); returns (server's view, client's view) per connection."""
        server, seen = self.serve(factory)
        contexts = tls.ClientContexts()
        p = pki()
        client_seen = []
        for _ in range(times):
            secure = contexts.get("X509_PEM", p["ca_cert"], None, p["client_key"], p["client_cert"])

            def on_connect(c, _):
                client_seen.append((c.verify_peer(), c.peer_dn_string()))
                c.send("hi")

            client = Recorder(connect=on_connect)
            conn = tcp.TCPConnection(reactor, client, hostname=hostname)
            client.conn = conn
            conn.set_secure(secure.for_host(hostname, server.port))
            tcp.connect(reactor, server.port, "127.0.0.1", client, conn)
            self.addCleanup(conn.force_close)
            log = yield client.closed
            self.assertIn(("receive", "echo:hi"), log)
        return seen, client_seen

    @defer.inlineCallbacks
    def test_runtime_client_resumes_tls_1_3(self):
        seen, client_seen = yield self.runtime_client_visits(server_factory())
        self.assertEqual([r for r, _, _ in seen], [False, True, True])
        self.assertEqual({v for _, v, _ in seen}, {tls.VERIFIED})
        self.assertEqual(set(client_seen), {(tls.VERIFIED, "CN=localhost,O=twisted_node tests")})

    @defer.inlineCallbacks
    def test_runtime_client_resumes_tls_1_2(self):
        factory = server_factory()
        factory.getContext().set_max_proto_version(SSL.TLS1_2_VERSION)
        seen, client_seen = yield self.runtime_client_visits(factory)
        self.assertEqual([r for r, _, _ in seen], [False, True, True])
        self.assertEqual({v for _, v, _ in seen}, {tls.VERIFIED})
        self.assertEqual(set(client_seen), {(tls.VERIFIED, "CN=localhost,O=twisted_node tests")})

    @defer.inlineCallbacks
    def test_hostname_checked_on_resumed_connections(self):
        """A client resuming a session to a name the certificate does not
        carry still gets HOSTNAME_MISMATCH (the name check is the client's,
        on the session's certificate)."""
        seen, client_seen = yield self.runtime_client_visits(server_factory(), hostname="example.com")
        self.assertEqual([r for r, _, _ in seen], [False, True, True])
        self.assertEqual({v for v, _ in client_seen}, {tls.HOSTNAME_MISMATCH})

    @defer.inlineCallbacks
    def test_sessions_are_per_host_and_settings(self):
        """Another port, or other client settings (another client
        certificate), never resume a session made for the first."""
        factory = server_factory()
        server, seen = self.serve(factory)
        other, other_seen = self.serve(factory)
        contexts = tls.ClientContexts()
        p = pki()
        plans = [
            (server.port, "client"),
            (other.port, "client"),  # same settings, another port: a session of its own
            (server.port, "other_client"),  # another certificate: another identity
            (server.port, "client"),  # resumed
        ]
        for port, who in plans:
            secure = contexts.get("X509_PEM", p["ca_cert"], None, p[who + "_key"], p[who + "_cert"])
            client = Recorder(connect=lambda c, _: c.send("hi"))
            conn = tcp.TCPConnection(reactor, client, hostname="localhost")
            client.conn = conn
            conn.set_secure(secure.for_host("localhost", port))
            tcp.connect(reactor, port, "127.0.0.1", client, conn)
            self.addCleanup(conn.force_close)
            yield client.closed
        self.assertEqual([r for r, _, _ in seen], [False, False, True])
        self.assertEqual([r for r, _, _ in other_seen], [False])
        self.assertEqual(seen[1][2], "CN=other client,O=twisted_node tests")


# -- several certificates (SNI) ----------------------------------------------------


def sni_factory():
    """localhost's certificate by default, a.example.com's and
    *.b.example.com's for those names."""
    p = pki()
    factory = server_factory(ca=None, crl=None)
    factory.add_context("a.example.com", "X509_PEM", None, None, p["sni_a_key"], p["sni_a_cert"])
    factory.add_context("*.b.example.com", "X509_PEM", None, None, p["sni_wild_key"], p["sni_wild_cert"])
    return factory


class SNITests(HandshakeMixin, TCPTestCase):
    timeout = 60

    @defer.inlineCallbacks
    def test_openssl_servername_picks_the_certificate(self):
        if openssl_path() is None:
            raise unittest.SkipTest("openssl command not found")
        server = ServerFixture(self, secure=sni_factory())
        expected = {
            "a.example.com": "a.example.com",
            "A.Example.COM": "a.example.com",  # names are case-insensitive
            "x.b.example.com": "*.b.example.com",
            "b.example.com": "localhost",  # a wildcard covers one label, not its parent
            "y.x.b.example.com": "localhost",  # ... nor two
            "c.example.com": "localhost",
            None: "localhost",  # no SNI at all
        }
        for name, common_name in expected.items():
            flags = ["-servername", name] if name else ["-noservername"]
            result = yield threads.deferToThread(
                subprocess.run,
                [openssl_path(), "s_client", "-connect", f"127.0.0.1:{server.port}", *flags],
                input=b"",
                capture_output=True,
                timeout=30,
            )
            out = result.stdout.decode("latin-1")
            self.assertIn(f"subject=O = twisted_node tests, CN = {common_name}\n", out, name)

    @defer.inlineCallbacks
    def test_runtime_client_sends_the_name_it_was_given(self):
        """The client's SNI is the host name it connects to: each name gets
        its certificate, which then matches it (verifyPeer 1)."""
        for name, dn in (
            ("a.example.com", "CN=a.example.com,O=twisted_node tests"),
            ("x.b.example.com", "CN=*.b.example.com,O=twisted_node tests"),
            ("localhost", "CN=localhost,O=twisted_node tests"),
        ):
            _, _, seen = yield self.handshake(sni_factory(), client_factory(name), hostname=name)
            self.assertEqual(seen["client"], (tls.VERIFIED, dn), name)
        _, _, seen = yield self.handshake(
            sni_factory(), client_factory("c.example.com"), hostname="c.example.com"
        )
        self.assertEqual(seen["client"], (tls.HOSTNAME_MISMATCH, "CN=localhost,O=twisted_node tests"))

    @defer.inlineCallbacks
    def test_sni_contexts_ask_for_client_certificates_their_own_way(self):
        """ca_certs are per context: a.example.com's asks for a client
        certificate and checks it with its own CA; the default does not ask."""
        p = pki()
        factory = server_factory(ca=None, crl=None)
        factory.add_context("a.example.com", "X509_PEM", p["ca_cert"], None, p["sni_a_key"], p["sni_a_cert"])
        mutual = client_factory("a.example.com", cert="client_cert", key="client_key")
        _, _, seen = yield self.handshake(factory, mutual, hostname="a.example.com")
        self.assertEqual(seen["server"], (tls.VERIFIED, "CN=client,O=twisted_node tests"))
        mutual = client_factory("localhost", cert="client_cert", key="client_key")
        _, _, seen = yield self.handshake(factory, mutual, hostname="localhost")
        self.assertEqual(seen["server"], (tls.NO_CERTIFICATE, None))


class AddContextArgumentTests(unittest.TestCase):
    def assertNamed(self, word, fn, *args):
        with self.assertRaises(NodeError) as caught:
            fn(*args)
        self.assertIn(word, caught.exception.message)
        self.assertIn("addContext", caught.exception.message)

    def test_hostname(self):
        p = pki()
        factory = server_factory(ca=None, crl=None)
        for bad in ("", "a.*.example.com", "*", "*.", "**.example.com", "a b.com", None, 42):
            self.assertNamed(
                "hostname", factory.add_context, bad, "X509_PEM", None, None, p["sni_a_key"], p["sni_a_cert"]
            )

    def test_each_bad_pem_is_named(self):
        p = pki()
        factory = server_factory(ca=None, crl=None)
        good = [p["ca_cert"], p["crl"], p["sni_a_key"], p["sni_a_cert"]]
        for index, name in enumerate(["ca_certs", "crl_list", "private_key", "certificate"]):
            args = list(good)
            args[index] = "-----BEGIN GARBAGE-----\nnot base64\n-----END GARBAGE-----\n"
            self.assertNamed(name, factory.add_context, "a.example.com", "X509_PEM", *args)
        self.assertNamed("format_type", factory.add_context, "a.example.com", "PKCS12", *good)

    def test_key_and_certificate_required(self):
        p = pki()
        factory = server_factory(ca=None, crl=None)
        self.assertNamed("private_key and certificate", factory.add_context, "a.example.com", "X509_PEM")
        self.assertNamed(
            "does not match",
            factory.add_context,
            "a.example.com",
            "X509_PEM",
            None,
            None,
            p["server_key"],
            p["sni_a_cert"],
        )

    def test_before_set_secure(self):
        p = pki()
        self.assertNamed(
            "setSecure", tls.add_server_context, None, "a.example.com", "X509_PEM", None, None,
            p["sni_a_key"], p["sni_a_cert"],
        )  # fmt: skip


# -- rotation ----------------------------------------------------------------------


class RotationTests(TCPTestCase):
    """setSecure (or addContext) again on a listening server: new handshakes
    get the new credentials, established connections keep theirs."""

    timeout = 30

    def echo_server(self, factory):
        return ServerFixture(
            self,
            lambda: Recorder(receive=lambda c, d: c.send("echo:" + d), eof=lambda c, _: c.close()),
            secure=factory,
        )

    def open(self, port, hostname="localhost"):
        """A connected TLS client: Deferred -> (connection, recorder), after
        "connect"."""
        connected = defer.Deferred()
        client = Recorder(connect=lambda c, _: connected.callback((c, client)))
        conn = tcp.TCPConnection(reactor, client, hostname=hostname)
        client.conn = conn
        conn.set_secure(client_factory(hostname))
        tcp.connect(reactor, port, "127.0.0.1", client, conn)
        self.addCleanup(conn.force_close)
        return connected

    @staticmethod
    def received(recorder, text):
        """Deferred fired once `text` has arrived on the recorder's connection."""
        d = defer.Deferred()

        def check(c, _):
            if text in recorder.data() and not d.called:
                d.callback(None)

        recorder.reactions["receive"] = check
        return d

    @defer.inlineCallbacks
    def test_set_secure_again_while_listening(self):
        p = pki()
        factory = server_factory(ca=None, crl=None)
        server = self.echo_server(factory)
        before, before_log = yield self.open(server.port)
        self.assertEqual(before.peer_dn_string(), "CN=localhost,O=twisted_node tests")

        same = tls.server_context_factory(
            "X509_PEM", None, None, p["renewed_server_key"], p["renewed_server_cert"], current=factory
        )
        self.assertIs(same, factory)
        after, _ = yield self.open(server.port)
        self.assertEqual(after.peer_dn_string(), "CN=localhost renewed,O=twisted_node tests")
        self.assertEqual(after.verify_peer(), tls.VERIFIED)

        # The connection made before the rotation is undisturbed.
        echoed = self.received(before_log, "echo:still here")
        before.send("still here")
        yield echoed
        self.assertEqual(before.peer_dn_string(), "CN=localhost,O=twisted_node tests")

    @defer.inlineCallbacks
    def test_mismatched_pair_throws_and_the_old_credentials_serve(self):
        p = pki()
        factory = sni_factory()
        server = self.echo_server(factory)
        with self.assertRaises(NodeError) as caught:
            tls.server_context_factory(
                "X509_PEM", None, None, p["client_key"], p["renewed_server_cert"], current=factory
            )
        self.assertIn("private_key does not match certificate", caught.exception.message)
        with self.assertRaises(NodeError):
            factory.add_context("a.example.com", "X509_PEM", None, None, p["server_key"], p["sni_a_cert"])
        conn, _ = yield self.open(server.port)
        self.assertEqual(conn.peer_dn_string(), "CN=localhost,O=twisted_node tests")
        conn, _ = yield self.open(server.port, "a.example.com")
        self.assertEqual(conn.peer_dn_string(), "CN=a.example.com,O=twisted_node tests")

    @defer.inlineCallbacks
    def test_add_context_again_replaces_that_name(self):
        p = pki()
        factory = sni_factory()
        server = self.echo_server(factory)
        factory.add_context(
            "a.example.com", "X509_PEM", None, None, p["renewed_server_key"], p["renewed_server_cert"]
        )
        conn, _ = yield self.open(server.port, "a.example.com")
        self.assertEqual(conn.peer_dn_string(), "CN=localhost renewed,O=twisted_node tests")
        conn, _ = yield self.open(server.port, "x.b.example.com")
        self.assertEqual(conn.peer_dn_string(), "CN=*.b.example.com,O=twisted_node tests")


# -- security defaults -------------------------------------------------------------


class SecurityDefaultTests(unittest.TestCase):
    """TLS >= 1.2 (ProtocolVersionTests, OpenSSLInteropTests.test_tls_versions),
    no compression, no client-initiated renegotiation, and no TLS 1.2 cipher
    without forward secrecy."""

    def rsa_factory(self):
        p = rsa_server()
        return tls.server_context_factory("X509_PEM", None, None, p["rsa_server_key"], p["rsa_server_cert"])

    def test_options(self):
        options = SSL.Connection(self.rsa_factory().getContext(), None).set_options(0)
        self.assertTrue(options & SSL.OP_NO_COMPRESSION)
        self.assertTrue(options & SSL.OP_NO_RENEGOTIATION)
        self.assertTrue(options & SSL.OP_CIPHER_SERVER_PREFERENCE)

    def test_tls_1_2_ciphers_are_forward_secret(self):
        """With an RSA key (which could do RSA key exchange), every TLS 1.2
        suite is ECDHE or DHE; a client offering only RSA key exchange is
        refused."""
        factory = self.rsa_factory()
        ciphers = SSL.Connection(factory.getContext(), None).get_cipher_list()
        tls12 = [name for name in ciphers if not name.startswith("TLS_")]
        self.assertTrue(tls12)
        for name in tls12:
            self.assertTrue(name.startswith(("ECDHE-", "DHE-")), name)
        client = plain_client_ctx()
        client.set_max_proto_version(SSL.TLS1_2_VERSION)
        client.set_cipher_list(b"AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256")
        with self.assertRaises(SSL.Error) as caught:
            Visit(factory, client)
        self.assertIn("no shared cipher", str(caught.exception))
        client = plain_client_ctx()
        client.set_max_proto_version(SSL.TLS1_2_VERSION)
        self.assertTrue(Visit(factory, client).server.get_cipher_name().startswith("ECDHE-RSA-"))

    def test_no_client_initiated_renegotiation(self):
        factory = server_factory(ca=None, crl=None)
        server = factory.serverConnectionForTLS(None)
        server.set_accept_state()
        client = SSL.Connection(plain_client_ctx(), None)
        client.set_options(SSL.OP_NO_TLSv1_3)
        client.set_connect_state()
        _pump(client, server)
        self.assertTrue(client.renegotiate())
        with self.assertRaises(SSL.WantReadError):
            client.do_handshake()  # its ClientHello goes out
        _pump(client, server)
        _drain(server)  # the server answers with a no_renegotiation alert
        with self.assertRaises(SSL.Error) as caught:
            _pump(client, server)
        self.assertIn("no renegotiation", str(caught.exception))
        self.assertEqual(server.total_renegotiations(), 0)


# -- from JavaScript programs ------------------------------------------------------

JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "tls")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def pki_env() -> dict:
    return {"TN_PKI_" + name.upper(): pem for name, pem in pki().items()}


def last_json(out: bytes) -> dict:
    return json.loads(out.decode().strip().splitlines()[-1])


class ProgramTests(OpenSSLFiles, unittest.TestCase):
    """The same seen from programs: server.addContext, setSecure again on a
    listening server, and the runtime's tcp and http clients resuming their
    sessions; openssl s_client and s_server, curl and the test DNS server as
    the peers."""

    timeout = 120

    def run_program(self, script, *args):
        code, out, err = run_js(os.path.join(JS, script), *args, env=pki_env())
        self.assertEqual(code, 0, f"stdout:\n{out.decode()}\nstderr:\n{err.decode()}")
        return last_json(out)

    def start(self, command, ready: bytes, env=None) -> tuple[subprocess.Popen, bytes]:
        """A server process, once it printed a line starting with `ready`
        (returned); killed at the end."""
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
        )

        def stop():
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=10)

        self.addCleanup(stop)
        for _ in range(200):
            line = process.stdout.readline()
            if not line or line.startswith(ready):
                return process, line
        self.fail(f"{command[:3]} never printed {ready!r}")

    def subject(self, port, *flags) -> str:
        result = subprocess.run(
            [openssl_path(), "s_client", "-connect", f"127.0.0.1:{port}", *flags],
            input=b"",
            capture_output=True,
            timeout=30,
        )
        match = re.search(r"^subject=(.*)$", result.stdout.decode("latin-1"), re.M)
        return match.group(1) if match else result.stdout.decode("latin-1")

    @defer.inlineCallbacks
    def test_tcp_server_add_context(self):
        """Clients connecting by name (resolved by the test DNS server) get
        a.example.com's, *.b.example.com's or the default certificate, each
        matching its name but the last; addContext's bad calls throw Errors
        naming the argument."""
        from tests.dnsserver import run_js_async, start_dns_server
        from tests.test_dns import zone

        dns = start_dns_server(
            [
                zone(
                    "$ORIGIN example.com.",
                    "$TTL 300",
                    "@ IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 60",
                    "a IN A 127.0.0.1",
                    "x.b IN A 127.0.0.1",
                    "c IN A 127.0.0.1",
                )
            ]
        )
        self.addCleanup(dns.stop)
        names = ["a.example.com", "x.b.example.com", "c.example.com"]
        code, out, err = yield run_js_async(
            os.path.join(JS, "sni.js"), *names, env={**pki_env(), **dns.env()}
        )
        self.assertEqual(code, 0, f"stdout:\n{out.decode()}\nstderr:\n{err.decode()}")
        result = last_json(out)
        self.assertEqual(
            result["names"],
            {
                "a.example.com": {"dn": "CN=a.example.com,O=twisted_node tests", "verify": 1},
                "x.b.example.com": {"dn": "CN=*.b.example.com,O=twisted_node tests", "verify": 1},
                "c.example.com": {"dn": "CN=localhost,O=twisted_node tests", "verify": -4},
            },
        )
        errors = result["errors"]
        self.assertIn("addContext", errors["hostname"])
        self.assertIn("hostname", errors["hostname"])
        self.assertIn("certificate", errors["certificate"])
        self.assertIn("private_key does not match certificate", errors["mismatch"])
        for kind in ("tcpNotSecure", "httpNotSecure"):
            self.assertIn("setSecure", errors[kind])

    def test_tcp_server_rotation(self):
        result = self.run_program("rotate.js")
        self.assertEqual(
            result,
            {
                "first": "CN=localhost,O=twisted_node tests",
                "mismatch": "setSecure: private_key does not match certificate",
                "second": "CN=localhost renewed,O=twisted_node tests",
                "secondVerify": 1,
                "firstAfter": "echo:still here",
                "firstStill": "CN=localhost,O=twisted_node tests",
            },
        )

    def test_runtime_clients_resume_with_openssl_s_server(self):
        """tcp connections and an http.Client reconnecting to the same host
        resume their session, TLS 1.2 and 1.3, and verifyPeer() stays 1."""
        f = self.files
        for version in ("-tls1_2", "-tls1_3"):
            port = free_port()
            self.start(
                [
                    openssl_path(), "s_server", "-accept", f"127.0.0.1:{port}", version, "-www",
                    "-cert", f["server_cert"], "-key", f["server_key"],
                ],
                b"ACCEPT",
            )  # fmt: skip
            result = self.run_program("resume_client.js", str(port))
            dn = "CN=localhost,O=twisted_node tests"
            for kind in ("tcp", "http"):
                self.assertEqual(
                    result[kind],
                    [
                        {"reused": False, "verify": 1, "dn": dn},
                        {"reused": True, "verify": 1, "dn": dn},
                    ],
                    (version, kind),
                )

    def test_https_server_sni_and_resumption(self):
        """http.Server.addContext, seen by curl (which checks the name) and
        openssl s_client; the program's server resumes s_client's sessions,
        TLS 1.2 (-reconnect) and 1.3 (a saved ticket)."""
        _, line = self.start(runtime_command(os.path.join(JS, "https_sni.js")), b"port", child_env(pki_env()))
        port = int(line.split()[1])
        f = self.files
        if shutil.which("curl"):
            for name in ("a.example.com", "localhost"):
                answer = subprocess.run(
                    [
                        "curl", "-sS", "--cacert", f["ca_cert"], "--resolve", f"{name}:{port}:127.0.0.1",
                        f"https://{name}:{port}/",
                    ],
                    capture_output=True, timeout=30,
                )  # fmt: skip
                self.assertEqual((answer.stdout, answer.stderr), (b"hello\n", b""), name)
        self.assertEqual(
            self.subject(port, "-servername", "a.example.com"), "O = twisted_node tests, CN = a.example.com"
        )
        self.assertEqual(
            self.subject(port, "-servername", "c.example.com"), "O = twisted_node tests, CN = localhost"
        )
        reconnect = subprocess.run(
            [openssl_path(), "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-reconnect"],
            input=b"",
            capture_output=True,
            timeout=30,
        ).stdout.decode("latin-1")
        self.assertEqual(len(re.findall(r"^Reused, TLSv1\.2", reconnect, re.M)), 5, reconnect)
        session = os.path.join(os.path.dirname(f["ca_cert"]), "session.pem")
        request = b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        runs = [
            subprocess.run(
                [openssl_path(), "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_3", "-ign_eof", *flags],
                input=request,
                capture_output=True,
                timeout=30,
            ).stdout
            for flags in (["-sess_out", session], ["-sess_in", session])
        ]
        self.assertIn(b"New, TLSv1.3", runs[0])
        self.assertIn(b"Reused, TLSv1.3", runs[1])
        self.assertIn(b"hello\n", runs[1])

    def test_readme_reload_example(self):
        """examples/https_reload.js (the README's): a renewed pair is served
        after SIGHUP, the first pair again after the certificate file
        changes, and a mismatched pair is refused while the old serves on."""
        f = self.files
        directory = os.path.dirname(f["ca_cert"])
        key_file = os.path.join(directory, "live_key.pem")
        cert_file = os.path.join(directory, "live_cert.pem")
        p = pki()

        def install(key, cert, keep_mtime=False):
            """Each file written aside and renamed over (as a deployment
            would); with keep_mtime the certificate keeps the mtime it had,
            so that the watcher (which compares mtimes) leaves it alone."""
            for path, text in ((key_file, p[key]), (cert_file, p[cert])):
                with open(path + ".new", "w") as out:
                    out.write(text)
                if keep_mtime and path == cert_file:
                    before = os.stat(path)
                    os.utime(path + ".new", ns=(before.st_atime_ns, before.st_mtime_ns))
                os.replace(path + ".new", path)

        install("server_key", "server_cert")
        process, line = self.start(
            runtime_command(os.path.join(EXAMPLES, "https_reload.js"), "0", key_file, cert_file),
            b"listening",
            child_env(),
        )
        port = int(line.split()[-1])
        localhost = "O = twisted_node tests, CN = localhost"
        renewed = localhost + " renewed"
        self.assertEqual(self.subject(port), localhost)

        def next_line():
            return process.stdout.readline().decode()

        # SIGHUP: the renewed pair, left to the signal.
        install("renewed_server_key", "renewed_server_cert", keep_mtime=True)
        os.kill(process.pid, signal.SIGHUP)
        self.assertEqual(next_line(), "certificate loaded\n")
        self.assertEqual(self.subject(port), renewed)

        # The watcher: a key that does not match its certificate is refused...
        install("client_key", "server_cert")
        self.assertIn("certificate not loaded", next_line())
        self.assertEqual(self.subject(port), renewed)
        # ... and the right one taken.
        install("server_key", "server_cert")
        self.assertEqual(next_line(), "certificate loaded\n")
        self.assertEqual(self.subject(port), localhost)
