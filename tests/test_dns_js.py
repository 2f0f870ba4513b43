"""require("dns") end to end: JS programs (tests/js/dns/) run as subprocesses
against a twisted.names server in this process, which they find through
TWISTED_NODE_DNS_SERVERS. The server answers on trial's reactor, so the
programs run with tests.dnsserver.run_js_async, never blocking it."""

from __future__ import annotations

import os

from twisted.internet import defer, reactor
from twisted.internet.protocol import Factory
from twisted.protocols.wire import Echo
from twisted.trial import unittest
from twisted.web.server import Site
from twisted.web.static import Data

from tests.dnsserver import run_js_async, start_dns_server
from tests.test_dns import MANY, ZONES

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "js", "dns")
EXAMPLE = os.path.join(os.path.dirname(HERE), "examples", "dns_resolve.js")


class _EchoFactory(Factory):
    protocol = Echo


class DNSModuleTests(unittest.TestCase):
    timeout = 90

    def serve(self, mode="zone"):
        server = start_dns_server(ZONES, mode)
        self.addCleanup(server.stop)
        return server

    @defer.inlineCallbacks
    def run_program(self, server, script, *args):
        code, out, err = yield run_js_async(script, *args, env=server.env(), timeout=60)
        self.assertEqual(code, 0, f"exit {code}\nstdout:\n{out.decode()}\nstderr:\n{err.decode()}")
        return out.decode()

    @defer.inlineCallbacks
    def test_answers_and_errors(self):
        # Several A, AAAA, a CNAME chain, the TTL, PTR for IPv4 and IPv6,
        # NXDOMAIN, NODATA and BADQUERY, as the program's callbacks see them.
        out = yield self.run_program(self.serve(), os.path.join(FIXTURES, "resolve.js"))
        self.assertIn("dns ok", out)

    @defer.inlineCallbacks
    def test_server_that_never_answers(self):
        server = self.serve("silent")
        out = yield self.run_program(server, os.path.join(FIXTURES, "failure.js"), "TEMPFAIL")
        self.assertIn("TEMPFAIL ok", out)
        self.assertTrue(server.received)

    @defer.inlineCallbacks
    def test_exit_with_queries_in_flight(self):
        server = self.serve("silent")
        code, out, err = yield run_js_async(
            os.path.join(FIXTURES, "exit_early.js"), env=server.env(), timeout=60
        )
        self.assertEqual((code, out, err), (3, b"", b""))
        self.assertEqual(server.received, 20)

    @defer.inlineCallbacks
    def test_servfail(self):
        out = yield self.run_program(self.serve("servfail"), os.path.join(FIXTURES, "failure.js"), "TEMPFAIL")
        self.assertIn("TEMPFAIL ok", out)

    @defer.inlineCallbacks
    def test_garbled_reply(self):
        out = yield self.run_program(self.serve("garbled"), os.path.join(FIXTURES, "failure.js"), "PROTOCOL")
        self.assertIn("PROTOCOL ok", out)

    @defer.inlineCallbacks
    def test_concurrent_queries(self):
        server = self.serve()
        out = yield self.run_program(server, os.path.join(FIXTURES, "concurrent.js"), MANY)
        self.assertIn(f"{MANY} answered", out)
        self.assertEqual(server.received, MANY)

    @defer.inlineCallbacks
    def test_manual_example(self):
        out = yield self.run_program(self.serve(), EXAMPLE, "www.node.test")
        self.assertEqual(
            out.splitlines(),
            [
                'addresses: ["10.0.0.80"]',
                "ttl: 300",
                'cname: "www.node.test"',
                'reverse for 10.0.0.80: ["www.node.test"]',
            ],
        )

    @defer.inlineCallbacks
    def test_tcp_and_http_connect_by_name(self):
        # The program checks what it received from each server (and that
        # the unknown name failed) before printing its last line.
        page = Data(b"served by name", "text/plain")
        page.isLeaf = True  # served at "/"
        echo = reactor.listenTCP(0, _EchoFactory(), interface="127.0.0.1")
        self.addCleanup(echo.stopListening)
        site = reactor.listenTCP(0, Site(page), interface="127.0.0.1")
        self.addCleanup(site.stopListening)
        out = yield self.run_program(
            self.serve(),
            os.path.join(FIXTURES, "connect_by_name.js"),
            echo.getHost().port,
            site.getHost().port,
        )
        self.assertIn("connected by name", out)

    @defer.inlineCallbacks
    def test_bad_server_setting_is_reported(self):
        code, _out, err = yield run_js_async(
            os.path.join(FIXTURES, "resolve.js"),
            env={"TWISTED_NODE_DNS_SERVERS": "dns.example:53"},
            timeout=60,
        )
        self.assertEqual(code, 1)
        self.assertIn(b"TWISTED_NODE_DNS_SERVERS", err)
