"""twisted_node.protocols.tls: contexts from PEM strings, verify_peer codes,
peer DN strings, over real TLS connections on 127.0.0.1 (tcp protocol
layer, no JavaScript), and against openssl s_client / s_server."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from OpenSSL import SSL
from twisted.internet import defer, reactor, threads
from twisted.trial import unittest

from tests.certs import make_pki, write_pki
from tests.test_tcp_protocol import (
    Recorder,
    ServerFixture,
    TCPTestCase,
    free_port,
)
from twisted_node.errors import NodeError
from twisted_node.protocols import tcp, tls


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


def _memory_handshake(server_ctx, client_ctx):
    """A handshake between two OpenSSL connections over memory buffers;
    returns (client, server) once both are done, or raises SSL.Error."""
    server = SSL.Connection(server_ctx, None)
    server.set_accept_state()
    client = SSL.Connection(client_ctx, None)
    client.set_connect_state()
    done = set()
    while len(done) < 2:
        moved = False
        for side, peer in ((client, server), (server, client)):
            try:
                side.do_handshake()
                done.add(side)
            except SSL.WantReadError:
                pass
            while True:
                try:
                    data = side.bio_read(65536)
                except SSL.WantReadError:
                    break
                peer.bio_write(data)
                moved = True
        if not moved and len(done) < 2:
            raise AssertionError("the handshake stalled")
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


class HandshakeTests(TCPTestCase):
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


class OpenSSLInteropTests(TCPTestCase):
    timeout = 30

    def setUp(self):
        if openssl_path() is None:
            raise unittest.SkipTest("openssl command not found")
        self.files = write_pki(tempfile.mkdtemp(prefix="tn-pki-"))
        self.addCleanup(shutil.rmtree, os.path.dirname(self.files["ca_cert"]), True)

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
