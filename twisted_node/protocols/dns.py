"""Name resolution over twisted.names: the resolver behind the dns module
(bindings/dns.py), and `resolve_host` through which tcp and http turn host
names into addresses.

twisted.names does the wire format, the retries across servers, the merging
of identical queries in flight and the TCP fallback on truncation. Two things
are done here on top of its client.Resolver, because the runtime needs them:

* A reply that cannot be parsed fails the query at once as PROTOCOL (Twisted
  drops it silently and waits for the timeout, which would say TEMPFAIL).
* Every query can be cancelled: the runtime cancels what is in flight when the
  program ends, and then no socket and no timer of that query may be left.

Pure Twisted: results are Answers, failures DNSErrors; bindings/dns.py makes
them the promise's arguments.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import socket
import struct
import weakref
from typing import NamedTuple

from twisted.internet import defer
from twisted.internet import error as net_error
from twisted.internet.abstract import isIPAddress, isIPv6Address
from twisted.internet.endpoints import (
    TCP4ClientEndpoint,
    TCP6ClientEndpoint,
    connectProtocol,
)
from twisted.internet.error import CannotListenError
from twisted.internet.protocol import DatagramProtocol
from twisted.names import client, error, hosts
from twisted.names import dns as wire
from twisted.python.failure import Failure
from twisted.python.filepath import FilePath

from twisted_node.errors import NodeError

# The error codes of the manual. The numbers are those of udns, the resolver
# library under Node v0.1's dns module, so programs that printed them match.
TEMPFAIL = -1
PROTOCOL = -2
NXDOMAIN = -3
NODATA = -4
NOMEM = -5
BADQUERY = -6
CODE_NAMES = {
    TEMPFAIL: "TEMPFAIL",
    PROTOCOL: "PROTOCOL",
    NXDOMAIN: "NXDOMAIN",
    NODATA: "NODATA",
    NOMEM: "NOMEM",
    BADQUERY: "BADQUERY",
}

# Seconds to wait for each server on the first round, then on the second. One
# dead server therefore costs 3 s before TEMPFAIL; libc's default would be 10 s
# per try, which is far longer than "a few seconds".
ATTEMPT_TIMEOUTS = (1, 2)
TCP_TIMEOUT = 5  # a TCP retry after a truncated reply: connect + answer
MAX_CNAME_HOPS = 8  # further queries made to follow a CNAME chain
MAX_IN_FLIGHT = 256  # UDP sockets open at once; more queries wait for a slot
DNS_PORT = 53
RESOLV_CONF = "/etc/resolv.conf"
HOSTS_FILE = "/etc/hosts"
SERVERS_ENV = "TWISTED_NODE_DNS_SERVERS"

_LABEL = re.compile(rb"[A-Za-z0-9_-]{1,63}\Z")
_TYPE_NAMES = {wire.A: "A", wire.AAAA: "AAAA", wire.PTR: "PTR"}


class DNSError(NodeError):
    """A failed lookup: `dns_code` is one of the codes above, the message an
    English sentence naming the domain. As a NodeError it reaches JavaScript as
    an Error whose `code` is the code's name ("NXDOMAIN"), which is what tcp
    and http show when a host name does not resolve."""

    def __init__(self, dns_code: int, message: str):
        super().__init__(message, code=CODE_NAMES[dns_code])
        self.dns_code = dns_code


class Answer(NamedTuple):
    values: list[str]  # addresses, or domain names for a reverse lookup
    ttl: int  # the smallest TTL of the records used, CNAMEs included
    cname: str  # canonical name after following CNAMEs


# --- which servers ---------------------------------------------------------


def parse_server_list(text: str) -> tuple[tuple[str, int], ...]:
    """Parse "host:port,host:port" (port optional, IPv6 as "[::1]:53")."""
    servers = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        host, port = item, DNS_PORT
        if item.startswith("["):
            host, sep, rest = item[1:].partition("]")
            if not sep or (rest and not rest.startswith(":")):
                raise ValueError(f"{SERVERS_ENV}: {item!r} is not host:port")
            if rest:
                port = _port(rest[1:], item)
        elif item.count(":") == 1:
            host, port_text = item.split(":")
            port = _port(port_text, item)
        servers.append((_server_address(host, item), port))
    if not servers:
        raise ValueError(f"{SERVERS_ENV} is set but names no server")
    return tuple(servers)


def _port(text: str, item: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{SERVERS_ENV}: {item!r} has no valid port")
    return int(text)


def _server_address(host: str, item: str) -> str:
    try:
        # Normalised, so that replies (whose source address the kernel
        # spells its own way) are recognised as coming from this server.
        return str(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:
        raise ValueError(f"{SERVERS_ENV}: {item!r}: the server must be an IP address") from None


def parse_resolv_conf(content: bytes) -> tuple[tuple[str, int], ...]:
    """The nameservers of a resolv.conf; 127.0.0.1 when it names none, like libc."""
    servers = []
    for line in content.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == b"nameserver":
            try:
                address = ipaddress.ip_address(words[1].decode("ascii").split("%")[0])
            except (UnicodeDecodeError, ValueError):
                continue
            servers.append((str(address), DNS_PORT))
    return tuple(servers) or (("127.0.0.1", DNS_PORT),)


_resolv_conf_cache: dict[str, tuple[float, tuple]] = {}


def configured_servers(path: str = RESOLV_CONF) -> tuple[tuple[str, int], ...]:
    """TWISTED_NODE_DNS_SERVERS when set, else the servers of resolv.conf
    (re-read only when the file changed, so a long-running program follows
    a new network configuration)."""
    override = os.environ.get(SERVERS_ENV)
    if override:
        return parse_server_list(override)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return (("127.0.0.1", DNS_PORT),)
    cached = _resolv_conf_cache.get(path)
    if cached is None or cached[0] != mtime:
        try:
            with open(path, "rb") as f:
                cached = (mtime, parse_resolv_conf(f.read()))
        except OSError:
            return (("127.0.0.1", DNS_PORT),)
        _resolv_conf_cache[path] = cached
    return cached[1]


# --- the wire: one UDP socket per query -------------------------------------


class GarbledReply(Exception):
    """The server answered with something that is not a DNS message."""


class _ServerUnreachable(error.DNSQueryTimeoutError):
    """ICMP port unreachable: treated like a timeout, so that twisted.names
    moves on to the next server (just sooner)."""


class _UDPQuery(DatagramProtocol):
    """One query on its own connected UDP socket.

    A fresh socket per query gives a fresh random source port (as
    twisted.names does), and "connected" makes the kernel drop datagrams from
    anyone but the server and report a closed port at once. Since only the
    server can reach this socket, a reply that does not parse is garbled.
    """

    def __init__(self, reactor, address, message: wire.Message, timeout: float):
        self._reactor = reactor
        self._address = address
        self._message = message
        self._timeout = timeout
        self._timer = None
        self._port = None
        self.deferred = defer.Deferred(canceller=lambda d: self._close())

    def send(self, interface: str) -> defer.Deferred:
        try:
            self._port = self._reactor.listenUDP(0, self, interface=interface)
        except CannotListenError:  # out of file descriptors, most likely
            self._finish(Failure())
            return self.deferred
        try:
            self._port.connect(*self._address)
            self.transport.write(self._message.toStr())
        except OSError:  # no route to this server: try the next one
            self._finish(Failure(_ServerUnreachable(self._message.id)))
            return self.deferred
        self._timer = self._reactor.callLater(self._timeout, self._timed_out)
        return self.deferred

    def datagramReceived(self, data: bytes, addr) -> None:
        reply = wire.Message()
        try:
            reply.fromStr(data)
        except (EOFError, ValueError) as e:
            if data[:2] != self._message.id.to_bytes(2, "big"):
                return  # a stray datagram to a recycled port: not our reply
            if len(data) >= 4 and data[2] & 0x82 == 0x82:
                # A truncated reply cut mid-record: its header is all that
                # matters, twisted.names retries over TCP.
                reply = wire.Message(id=self._message.id, answer=1, trunc=1)
                reply.queries = self._message.queries
            else:
                self._finish(Failure(GarbledReply(f"{len(data)} bytes that do not parse: {e}")))
                return
        if reply.id != self._message.id or not reply.answer:
            return
        # twisted.names stops quietly at the end of the data; a reply with
        # fewer records than its header announces is garbled (unless it says
        # it was truncated, and then TCP gives the whole answer).
        parsed = (reply.queries, reply.answers, reply.authority, reply.additional)
        announced = struct.unpack("!4H", data[4:12])
        if not reply.trunc and announced != tuple(map(len, parsed)):
            error_text = f"{len(data)} bytes, fewer records than announced"
            self._finish(Failure(GarbledReply(error_text)))
            return
        reply.server = self._address  # where a TCP retry must go
        self._finish(reply)

    def connectionRefused(self) -> None:
        self._finish(Failure(_ServerUnreachable(self._message.id)))

    def _timed_out(self) -> None:
        self._timer = None
        self._finish(Failure(error.DNSQueryTimeoutError(self._message.id)))

    def _close(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None
        if self._port is not None:
            port, self._port = self._port, None
            port.stopListening()

    def _finish(self, result) -> None:
        self._close()
        if not self.deferred.called:
            self.deferred.callback(result)


class _TCPController:
    """What twisted.names' DNSProtocol reports to; a one-shot query needs none of it."""

    def connectionMade(self, protocol):
        pass

    def connectionLost(self, protocol):
        pass

    def messageReceived(self, message, protocol, address=None):
        pass


class _Client(client.Resolver):
    """client.Resolver with cancellable queries, a cap on open sockets, and
    garbled replies reported instead of ignored."""

    def __init__(self, reactor, servers):
        super().__init__(servers=list(servers), timeout=ATTEMPT_TIMEOUTS, reactor=reactor)
        self._slots = defer.DeferredSemaphore(MAX_IN_FLIGHT)

    def _query(self, address, queries, timeout, id=None):
        # Called by client.Resolver for the first try and every retry.
        message = wire.Message(secrets.randbelow(0x10000) if id is None else id, recDes=1)
        message.queries = queries
        interface = "::" if isIPv6Address(address[0]) else ""

        def send():
            return _UDPQuery(self._reactor, address, message, timeout).send(interface)

        return self._slots.run(send)

    def filterAnswers(self, message):
        if message.trunc:
            server = getattr(message, "server", None) or self.servers[0]
            return self._query_tcp(server, message.queries).addCallback(self.filterAnswers)
        return super().filterAnswers(message)

    def _query_tcp(self, address, queries) -> defer.Deferred:
        host, port = address
        endpoint_type = TCP6ClientEndpoint if isIPv6Address(host) else TCP4ClientEndpoint
        endpoint = endpoint_type(self._reactor, host, port, timeout=TCP_TIMEOUT)
        protocol = wire.DNSProtocol(_TCPController(), reactor=self._reactor)

        def ask(connected):
            return connected.query(queries, TCP_TIMEOUT)

        def hang_up(result):
            # DNSProtocol leaves its timers behind when the connection goes.
            for _, timer in (protocol.liveMessages or {}).values():
                if timer.active():
                    timer.cancel()
            if protocol.transport is not None:
                protocol.transport.loseConnection()
            if isinstance(result, Failure) and result.check(error.DNSQueryTimeoutError):
                return Failure(defer.TimeoutError("no answer over TCP"))
            if not isinstance(result, Failure):
                result.trunc = 0  # take what TCP gave; never loop back to TCP
            return result

        return connectProtocol(endpoint, protocol).addCallback(ask).addBoth(hang_up)


# --- names ------------------------------------------------------------------


def encode_domain(domain: str) -> bytes:
    """The wire form of a domain name, or DNSError(BADQUERY) saying what is wrong."""
    name = domain.removesuffix(".")
    if not name:
        raise DNSError(BADQUERY, f'Malformed query: "{domain}" is an empty domain name')
    try:
        raw = name.encode("ascii") if name.isascii() else name.encode("idna")
    except UnicodeError:
        raise DNSError(BADQUERY, f'Malformed query: "{domain}" is not a valid domain name') from None
    if len(raw) > 253:
        raise DNSError(
            BADQUERY,
            f'Malformed query: the domain name "{domain}" is too long ({len(raw)} characters, at most 253)',
        )
    for label in raw.split(b"."):
        if not _LABEL.match(label):
            raise DNSError(
                BADQUERY,
                f'Malformed query: "{domain}" is not a valid domain name '
                "(labels are 1 to 63 letters, digits, hyphens or underscores)",
            )
    return raw


def reverse_name(ip: str) -> str:
    """in-addr.arpa / ip6.arpa name of an address, or DNSError(BADQUERY)."""
    try:
        address = ipaddress.ip_address(ip.split("%")[0] if ":" in ip else ip)
    except ValueError:
        raise DNSError(BADQUERY, f'Malformed query: "{ip}" is not an IPv4 or IPv6 address') from None
    return address.reverse_pointer


def _text(name: wire.Name) -> str:
    return name.name.decode("ascii", "backslashreplace")


def _value(record: wire.RRHeader) -> str:
    payload = record.payload
    if record.type == wire.A:
        return payload.dottedQuad()
    if record.type == wire.AAAA:
        return socket.inet_ntop(socket.AF_INET6, payload.address)
    return _text(payload.name)


# --- the resolver of a reactor ------------------------------------------------


class NodeResolver:
    """DNS lookups as the dns module reports them, and host names as a libc
    resolver would find them (hosts file, then DNS), for one reactor and one
    list of servers."""

    def __init__(self, reactor, servers, hosts_file: str = HOSTS_FILE):
        self.servers = tuple(servers)
        self._client = _Client(reactor, self.servers)
        self._hosts = FilePath(hosts_file)

    # The dns module: DNS only, like Node's, so TTL and cname mean something.

    def resolve4(self, domain: str) -> defer.Deferred[Answer]:
        return self._lookup_domain(domain, wire.A)

    def resolve6(self, domain: str) -> defer.Deferred[Answer]:
        return self._lookup_domain(domain, wire.AAAA)

    def reverse(self, ip: str) -> defer.Deferred[Answer]:
        try:
            name = reverse_name(ip)
        except DNSError:
            return defer.fail()
        return self.lookup(name.encode("ascii"), wire.PTR, f'"{name}" (the reverse name of {ip})')

    def _lookup_domain(self, domain: str, rtype: int) -> defer.Deferred[Answer]:
        try:
            raw = encode_domain(domain)
        except DNSError:
            return defer.fail()
        return self.lookup(raw, rtype, f'"{domain}"')

    def lookup(self, name: bytes, rtype: int, subject: str) -> defer.Deferred[Answer]:
        """Records of `rtype` for `name`, following CNAMEs across as many
        queries as the servers make necessary. `subject` names the query in
        error messages (quoted: '"example.com"')."""
        return defer.Deferred.fromCoroutine(self._lookup(name, rtype, subject))

    async def _lookup(self, name: bytes, rtype: int, subject: str) -> Answer:
        current = name
        ttls: list[int] = []
        for _ in range(MAX_CNAME_HOPS + 1):
            try:
                answers, _, _ = await self._client.query(wire.Query(current, rtype, wire.IN))
            except defer.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - every failure becomes a code
                raise _translate(e, subject) from None
            current, followed, found = _walk(answers, current, rtype, ttls)
            if found:
                ttls.extend(r.ttl for r in found)
                return Answer(
                    [_value(r) for r in found],
                    min(ttls),
                    current.decode("ascii", "backslashreplace"),
                )
            if not followed:
                raise DNSError(
                    NODATA,
                    f"The domain {subject} exists but has no {_TYPE_NAMES[rtype]} records",
                )
        raise DNSError(
            PROTOCOL,
            f"Gave up resolving {subject}: its chain of CNAMEs is too long or loops",
        )

    # tcp and http: one address, the way connect() by name finds it.

    def resolve_host(self, host: str) -> defer.Deferred[str]:
        if not isinstance(host, str):
            return defer.fail(TypeError(f"a host name must be a string, not {host!r}"))
        if host.startswith("[") and host.endswith("]") and isIPv6Address(host[1:-1]):
            host = host[1:-1]
        if isIPAddress(host) or isIPv6Address(host):
            return defer.succeed(host)
        try:
            raw = encode_domain(host)
        except DNSError:
            return defer.fail()
        return defer.Deferred.fromCoroutine(self._resolve_host(host, raw))

    async def _resolve_host(self, host: str, raw: bytes) -> str:
        # The hosts file is read on each lookup (libc does the same); it is
        # tiny and cached by the OS.
        listed = hosts.searchFileForAll(self._hosts, raw.lower())
        if listed:
            return min(listed, key=lambda a: ":" in a)  # IPv4 first, then file order
        if raw.lower() == b"localhost" or raw.lower().endswith(b".localhost"):
            return "127.0.0.1"  # RFC 6761, even without a hosts entry
        try:
            return (await self.lookup(raw, wire.A, f'"{host}"')).values[0]
        except DNSError as e:
            if e.dns_code != NODATA:
                raise
        try:
            return (await self.lookup(raw, wire.AAAA, f'"{host}"')).values[0]
        except DNSError as e:
            if e.dns_code != NODATA:
                raise
            raise DNSError(NODATA, f'The domain "{host}" exists but has no address') from None


def _walk(answers, current: bytes, rtype: int, ttls: list[int]):
    """Follow CNAMEs from `current` through one answer section.

    Returns (canonical name, whether a CNAME was followed, the records of
    `rtype` owned by that name). Records for other names are ignored: an
    answer may carry them (twisted.names adds the target's other addresses).
    """
    by_owner: dict[bytes, list] = {}
    for record in answers:
        by_owner.setdefault(record.name.name.lower(), []).append(record)
    followed = False
    seen = {current.lower()}
    while True:
        records = by_owner.get(current.lower(), [])
        found = [r for r in records if r.type == rtype]
        if found:
            return current, followed, found
        alias = next((r for r in records if r.type == wire.CNAME), None)
        if alias is None or alias.payload.name.name.lower() in seen:
            return current, followed, []
        ttls.append(alias.ttl)
        current = alias.payload.name.name
        seen.add(current.lower())
        followed = True


# The ways a TCP retry (after a truncated UDP answer) can fail to connect.
_UNREACHABLE = (
    net_error.ConnectError,
    net_error.ConnectionLost,
    net_error.ConnectionDone,
    net_error.TimeoutError,
)


def _translate(exc: BaseException, subject: str) -> DNSError:
    """A twisted.names failure as the dns module reports it."""
    if isinstance(exc, DNSError):
        return exc
    if isinstance(exc, error.DNSNameError):
        return DNSError(NXDOMAIN, f"The domain {subject} does not exist")
    if isinstance(exc, error.DNSServerError):
        return DNSError(
            TEMPFAIL,
            f"Temporary failure resolving {subject}: the DNS server failed (SERVFAIL)",
        )
    if isinstance(exc, error.DNSQueryRefusedError):
        return DNSError(
            TEMPFAIL,
            f"Temporary failure resolving {subject}: the DNS server refused the query",
        )
    if isinstance(exc, (defer.TimeoutError, error.DNSQueryTimeoutError, TimeoutError)):
        return DNSError(TEMPFAIL, f"Timeout while resolving {subject}: no DNS server answered")
    if isinstance(exc, _UNREACHABLE):
        return DNSError(
            TEMPFAIL,
            f"Temporary failure resolving {subject}: the DNS server could not be reached over TCP ({exc})",
        )
    if isinstance(exc, GarbledReply):
        return DNSError(PROTOCOL, f"Garbled reply from the DNS server for {subject}: {exc}")
    if isinstance(exc, (error.DNSFormatError, error.DNSNotImplementedError, error.DNSUnknownError)):
        rcode = exc.args[0].rCode if exc.args and hasattr(exc.args[0], "rCode") else "?"
        return DNSError(
            PROTOCOL,
            f"The DNS server could not handle the query for {subject} (rcode {rcode})",
        )
    if isinstance(exc, MemoryError):
        return DNSError(NOMEM, f"Out of memory while resolving {subject}")
    if isinstance(exc, (OSError, CannotListenError)):
        return DNSError(TEMPFAIL, f"Temporary failure resolving {subject}: {exc}")
    return DNSError(PROTOCOL, f"Unexpected reply while resolving {subject}: {exc!r}")


# One resolver per reactor and server list: queries of one program share the
# merging of identical queries and the cap on open sockets.
_resolvers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def resolver_for(reactor) -> NodeResolver:
    servers = configured_servers()
    per_reactor = _resolvers.setdefault(reactor, {})
    resolver = per_reactor.get(servers)
    if resolver is None:
        resolver = per_reactor[servers] = NodeResolver(reactor, servers)
    return resolver


def resolve_host(reactor, host: str) -> defer.Deferred[str]:
    """The address to connect to for `host` (an IP literal at once), with the
    resolver of `reactor`. Fails with DNSError, whose message names the host,
    when it does not resolve."""
    try:
        resolver = resolver_for(reactor)
    except ValueError as e:
        return defer.fail(DNSError(TEMPFAIL, f'Cannot resolve "{host}": {e}'))
    return resolver.resolve_host(host)
