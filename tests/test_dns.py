"""The resolver of protocols/dns.py against a real twisted.names server on
127.0.0.1 (tests/dnsserver.py), on trial's reactor."""

from __future__ import annotations

import os

from twisted.internet import defer, reactor
from twisted.internet.error import CannotListenError
from twisted.internet.protocol import DatagramProtocol
from twisted.trial import unittest

from tests.dnsserver import start_dns_server
from twisted_node.protocols import dns


def zone(*lines: str) -> str:
    """A zone file's text (BIND format, as tests/dnsserver.py serves it)."""
    return "\n".join(lines) + "\n"


MANY = 500  # names h0 .. h499, for the concurrency tests
BIG = 40  # A records of big.node.test: more than fits in 512 bytes of UDP

FORWARD_ZONE = zone(
    *[
        "$ORIGIN node.test.",
        "$TTL 300",
        "@ IN SOA ns.node.test. admin.node.test. 1 3600 600 86400 60",
        "ns IN A 127.0.0.1",
        "loopback IN A 127.0.0.1",
        "www IN A 10.0.0.80",
        "multi IN A 10.0.0.1",
        "multi IN A 10.0.0.2",
        "multi IN A 10.0.0.3",
        "v6 IN AAAA 2001:db8::1",
        "v6 IN AAAA 2001:db8::2",
        "dual IN A 10.0.1.1",
        "dual IN AAAA 2001:db8::11",
        "onlysix IN AAAA 2001:db8::66",
        "mixedttl 120 IN A 10.0.2.1",
        "mixedttl 30 IN A 10.0.2.2",
        "alias1 IN CNAME alias2.node.test.",
        "alias2 120 IN CNAME dual.node.test.",
        "loop1 IN CNAME loop2.node.test.",
        "loop2 IN CNAME loop1.node.test.",
        'txt IN TXT "no addresses here"',
        *(f"big IN A 10.1.0.{i}" for i in range(1, BIG + 1)),
        *(f"h{i} 200 IN A 10.2.{i // 256}.{i % 256}" for i in range(MANY)),
    ]
)
REVERSE4_ZONE = zone(
    *[
        "$ORIGIN 10.in-addr.arpa.",
        "$TTL 300",
        "@ IN SOA ns.node.test. admin.node.test. 1 3600 600 86400 60",
        "80.0.0.10.in-addr.arpa. IN PTR www.node.test.",
        "1.0.0.10.in-addr.arpa. 90 IN PTR multi.node.test.",
        "1.0.0.10.in-addr.arpa. 90 IN PTR first.node.test.",
    ]
)
V6_NAME = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
REVERSE6_ZONE = zone(
    *[
        "$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.",
        "$TTL 300",
        "@ IN SOA ns.node.test. admin.node.test. 1 3600 600 86400 60",
        f"{V6_NAME} 45 IN PTR v6.node.test.",
    ]
)
ZONES = [FORWARD_ZONE, REVERSE4_ZONE, REVERSE6_ZONE]


class ResolverTestsMixin:
    timeout = 30

    def start(self, mode="zone", zones=ZONES, tcp=True):
        server = start_dns_server(zones, mode, tcp=tcp)
        self.addCleanup(server.stop)
        return server

    def resolver(self, server, hosts_file="/etc/hosts"):
        return dns.NodeResolver(reactor, [("127.0.0.1", server.port)], hosts_file)

    @defer.inlineCallbacks
    def assertFails(self, d, code, *words):
        """`d` fails with DNSError `code` and a message containing `words`."""
        try:
            result = yield d
        except dns.DNSError as e:
            self.assertEqual(dns.CODE_NAMES[e.dns_code], dns.CODE_NAMES[code], e.message)
            for word in words:
                self.assertIn(word, e.message)
            return e
        self.fail(f"expected {dns.CODE_NAMES[code]}, got {result!r}")


class LookupTests(ResolverTestsMixin, unittest.TestCase):
    def setUp(self):
        self.server = self.start()
        self.dns = self.resolver(self.server)

    @defer.inlineCallbacks
    def test_several_a_records_in_answer_order(self):
        answer = yield self.dns.resolve4("multi.node.test")
        self.assertEqual(answer, (["10.0.0.1", "10.0.0.2", "10.0.0.3"], 300, "multi.node.test"))

    @defer.inlineCallbacks
    def test_aaaa(self):
        answer = yield self.dns.resolve6("v6.node.test")
        self.assertEqual(answer, (["2001:db8::1", "2001:db8::2"], 300, "v6.node.test"))

    @defer.inlineCallbacks
    def test_only_the_asked_type_is_returned(self):
        self.assertEqual((yield self.dns.resolve4("dual.node.test")).values, ["10.0.1.1"])
        self.assertEqual((yield self.dns.resolve6("dual.node.test")).values, ["2001:db8::11"])

    @defer.inlineCallbacks
    def test_ttl_is_the_smallest_of_the_answer(self):
        answer = yield self.dns.resolve4("mixedttl.node.test")
        self.assertEqual(answer.values, ["10.0.2.1", "10.0.2.2"])
        self.assertEqual(answer.ttl, 30)

    @defer.inlineCallbacks
    def test_cname_chain_is_followed_across_queries(self):
        # The server answers alias1 with its CNAME only, so the resolver has
        # to ask again for alias2, which gives the CNAME to dual and its A.
        answer = yield self.dns.resolve4("alias1.node.test")
        self.assertEqual(answer, (["10.0.1.1"], 120, "dual.node.test"))
        six = yield self.dns.resolve6("alias1.node.test")
        self.assertEqual(six, (["2001:db8::11"], 120, "dual.node.test"))

    @defer.inlineCallbacks
    def test_trailing_dot_and_case(self):
        answer = yield self.dns.resolve4("WWW.Node.Test.")
        self.assertEqual(answer.values, ["10.0.0.80"])

    def test_nxdomain(self):
        return self.assertFails(self.dns.resolve4("missing.node.test"), dns.NXDOMAIN, "missing.node.test")

    def test_nxdomain_at_the_end_of_a_cname(self):
        text = FORWARD_ZONE + "dangling IN CNAME gone.node.test.\n"
        server = self.start(zones=[text])
        return self.assertFails(
            self.resolver(server).resolve4("dangling.node.test"),
            dns.NXDOMAIN,
            "dangling.node.test",
        )

    def test_nodata(self):
        return self.assertFails(self.dns.resolve4("txt.node.test"), dns.NODATA, "txt.node.test", " A ")

    def test_nodata_aaaa(self):
        return self.assertFails(self.dns.resolve6("multi.node.test"), dns.NODATA, "AAAA")

    def test_cname_loop(self):
        return self.assertFails(self.dns.resolve4("loop1.node.test"), dns.PROTOCOL, "loop1")

    @defer.inlineCallbacks
    def test_reverse_ipv4(self):
        answer = yield self.dns.reverse("10.0.0.1")
        self.assertEqual(
            answer,
            (["multi.node.test", "first.node.test"], 90, "1.0.0.10.in-addr.arpa"),
        )

    @defer.inlineCallbacks
    def test_reverse_ipv6(self):
        for spelling in ("2001:db8::1", "2001:0DB8:0:0::0:1"):
            answer = yield self.dns.reverse(spelling)
            self.assertEqual(answer, (["v6.node.test"], 45, V6_NAME[:-1]))

    def test_reverse_nxdomain_names_the_address(self):
        return self.assertFails(self.dns.reverse("10.9.9.9"), dns.NXDOMAIN, "10.9.9.9")

    @defer.inlineCallbacks
    def test_truncated_udp_answer_is_retried_over_tcp(self):
        answer = yield self.dns.resolve4("big.node.test")
        self.assertEqual(answer.values, [f"10.1.0.{i}" for i in range(1, BIG + 1)])

    @defer.inlineCallbacks
    def test_server_on_ipv6_loopback(self):
        try:
            server = start_dns_server(ZONES, interface="::1")
        except CannotListenError:
            raise unittest.SkipTest("no IPv6 loopback here") from None
        self.addCleanup(server.stop)
        resolver = dns.NodeResolver(reactor, dns.parse_server_list(server.address))
        answer = yield resolver.resolve4("multi.node.test")
        self.assertEqual(answer.values, ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
        big = yield resolver.resolve4("big.node.test")  # TCP over IPv6 too
        self.assertEqual(len(big.values), BIG)

    def test_truncated_answer_without_tcp_gives_tempfail(self):
        server = self.start(tcp=False)
        return self.assertFails(self.resolver(server).resolve4("big.node.test"), dns.TEMPFAIL, "over TCP")

    @defer.inlineCallbacks
    def test_bad_queries_fail_without_asking(self):
        bad = [
            "",
            ".",
            "a..node.test",
            ".node.test",
            "x" * 64 + ".test",
            "with space.test",
            "a/b.test",
            "x." * 130 + "test",
        ]
        for name in bad:
            for method in (self.dns.resolve4, self.dns.resolve6):
                yield self.assertFails(method(name), dns.BADQUERY, repr(name)[1:-1][:20])
        for ip in [
            "",
            "10.0.0",
            "10.0.0.256",
            "example.com",
            "::g",
            "1:2:3:4:5:6:7:8:9",
        ]:
            yield self.assertFails(self.dns.reverse(ip), dns.BADQUERY, "address")
        self.assertEqual(self.server.received, 0)

    @defer.inlineCallbacks
    def test_international_name_is_encoded(self):
        e = yield self.assertFails(self.dns.resolve4("bücher.node.test"), dns.NXDOMAIN)
        self.assertIn("bücher.node.test", e.message)

    @defer.inlineCallbacks
    def test_many_concurrent_queries_all_complete(self):
        # More than MAX_IN_FLIGHT, so some wait for a socket.
        names = [f"h{i}.node.test" for i in range(MANY)]
        answers = yield defer.gatherResults([self.dns.resolve4(n) for n in names])
        self.assertEqual(
            [a.values[0] for a in answers],
            [f"10.2.{i // 256}.{i % 256}" for i in range(MANY)],
        )
        self.assertEqual({a.ttl for a in answers}, {200})
        self.assertEqual(self.server.received, MANY)

    @defer.inlineCallbacks
    def test_identical_queries_in_flight_share_one_question(self):
        answers = yield defer.gatherResults([self.dns.resolve4("www.node.test")] * 20)
        self.assertEqual({tuple(a.values) for a in answers}, {("10.0.0.80",)})
        self.assertEqual(self.server.received, 1)


class ServerFailureTests(ResolverTestsMixin, unittest.TestCase):
    timeout = 20  # the silent server must fail well within this

    @defer.inlineCallbacks
    def test_server_that_never_answers_gives_tempfail(self):
        server = self.start("silent")
        yield self.assertFails(
            self.resolver(server).resolve4("www.node.test"),
            dns.TEMPFAIL,
            "www.node.test",
        )
        # Bounded: one try per entry of ATTEMPT_TIMEOUTS, then give up.
        self.assertEqual(server.received, len(dns.ATTEMPT_TIMEOUTS))
        self.assertLessEqual(sum(dns.ATTEMPT_TIMEOUTS), 5)

    def test_servfail(self):
        server = self.start("servfail")
        return self.assertFails(self.resolver(server).resolve4("www.node.test"), dns.TEMPFAIL, "SERVFAIL")

    def test_refused(self):
        server = self.start("refused")
        return self.assertFails(self.resolver(server).resolve6("www.node.test"), dns.TEMPFAIL, "refused")

    def test_garbled_reply(self):
        server = self.start("garbled")
        return self.assertFails(
            self.resolver(server).reverse("10.0.0.1"),
            dns.PROTOCOL,
            "Garbled",
            "10.0.0.1",
        )

    @defer.inlineCallbacks
    def test_closed_port_gives_tempfail(self):
        # Nothing listens there: the ICMP "port unreachable" ends each try early.
        probe = reactor.listenUDP(0, DatagramProtocol(), interface="127.0.0.1")
        port = probe.getHost().port
        yield probe.stopListening()
        resolver = dns.NodeResolver(reactor, [("127.0.0.1", port)])
        yield self.assertFails(resolver.resolve4("www.node.test"), dns.TEMPFAIL)

    @defer.inlineCallbacks
    def test_second_server_is_tried_when_the_first_is_silent(self):
        silent, good = self.start("silent"), self.start()
        resolver = dns.NodeResolver(reactor, [("127.0.0.1", silent.port), ("127.0.0.1", good.port)])
        answer = yield resolver.resolve4("www.node.test")
        self.assertEqual(answer.values, ["10.0.0.80"])
        self.assertEqual((silent.received, good.received), (1, 1))

    @defer.inlineCallbacks
    def test_cancelled_query_leaves_nothing_behind(self):
        # What the runtime does to queries in flight when the program ends;
        # trial's reactor check then fails the test on a left-over socket
        # or timer.
        server = self.start("silent")
        d = self.resolver(server).resolve4("www.node.test")
        yield deferLater(0.05)
        d.cancel()
        yield self.assertFailure(d, defer.CancelledError)


def deferLater(seconds):
    from twisted.internet.task import deferLater as later

    return later(reactor, seconds, lambda: None)


class ResolveHostTests(ResolverTestsMixin, unittest.TestCase):
    def setUp(self):
        self.server = self.start()
        hosts_file = self.mktemp()
        with open(hosts_file, "w") as f:
            f.write("# test hosts\n127.0.0.1 localhost\n::1 six-only\n")
            f.write("10.5.5.5 pinned pinned.node.test\n2001:db8::5 pinned\n")
        self.dns = self.resolver(self.server, hosts_file)

    @defer.inlineCallbacks
    def test_ip_literals_at_once(self):
        for literal in ("127.0.0.1", "::1", "2001:db8::1"):
            self.assertEqual((yield self.dns.resolve_host(literal)), literal)
        self.assertEqual((yield self.dns.resolve_host("[::1]")), "::1")
        self.assertEqual(self.server.received, 0)

    @defer.inlineCallbacks
    def test_hosts_file_first(self):
        self.assertEqual((yield self.dns.resolve_host("localhost")), "127.0.0.1")
        self.assertEqual((yield self.dns.resolve_host("LocalHost")), "127.0.0.1")
        self.assertEqual((yield self.dns.resolve_host("pinned.node.test")), "10.5.5.5")
        self.assertEqual((yield self.dns.resolve_host("pinned")), "10.5.5.5")
        self.assertEqual((yield self.dns.resolve_host("six-only")), "::1")
        self.assertEqual(self.server.received, 0)

    @defer.inlineCallbacks
    def test_dns_after_hosts(self):
        self.assertEqual((yield self.dns.resolve_host("alias1.node.test")), "10.0.1.1")

    @defer.inlineCallbacks
    def test_aaaa_when_there_is_no_a(self):
        self.assertEqual((yield self.dns.resolve_host("onlysix.node.test")), "2001:db8::66")

    def test_unknown_host(self):
        return self.assertFails(
            self.dns.resolve_host("missing.node.test"),
            dns.NXDOMAIN,
            "missing.node.test",
        )

    def test_no_address(self):
        return self.assertFails(self.dns.resolve_host("txt.node.test"), dns.NODATA, "no address")

    def test_bad_name(self):
        return self.assertFails(self.dns.resolve_host("bad name"), dns.BADQUERY)

    @defer.inlineCallbacks
    def test_through_the_reactor_with_configured_servers(self):
        self.patch(os, "environ", {**os.environ, dns.SERVERS_ENV: self.server.address})
        self.assertEqual((yield dns.resolve_host(reactor, "www.node.test")), "10.0.0.80")
        self.assertIs(dns.resolver_for(reactor), dns.resolver_for(reactor))


class ConfigurationTests(unittest.TestCase):
    def test_server_list(self):
        self.assertEqual(
            dns.parse_server_list("127.0.0.1:5353, 10.0.0.1,[::1]:53,[0:0::2]"),
            (("127.0.0.1", 5353), ("10.0.0.1", 53), ("::1", 53), ("::2", 53)),
        )

    def test_bad_server_lists(self):
        for text in ("", ",", "localhost:53", "127.0.0.1:x", "127.0.0.1:70000", "[::1"):
            with self.assertRaises(ValueError) as caught:
                dns.parse_server_list(text)
            self.assertIn(dns.SERVERS_ENV, str(caught.exception))

    def test_resolv_conf(self):
        content = b"# c\nsearch x\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver bad\n"
        self.assertEqual(dns.parse_resolv_conf(content), (("10.0.0.53", 53), ("fe80::1", 53)))
        self.assertEqual(dns.parse_resolv_conf(b""), (("127.0.0.1", 53),))

    def test_environment_overrides_resolv_conf(self):
        self.patch(os, "environ", {**os.environ, dns.SERVERS_ENV: "127.0.0.1:1053"})
        self.assertEqual(dns.configured_servers(), (("127.0.0.1", 1053),))
        env = {k: v for k, v in os.environ.items() if k != dns.SERVERS_ENV}
        self.patch(os, "environ", env)
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"nameserver 10.9.8.7\n")
        self.assertEqual(dns.configured_servers(path), (("10.9.8.7", 53),))

    def test_codes_are_distinct(self):
        codes = [
            dns.TEMPFAIL,
            dns.PROTOCOL,
            dns.NXDOMAIN,
            dns.NODATA,
            dns.NOMEM,
            dns.BADQUERY,
        ]
        self.assertEqual(len(set(codes)), 6)
