"""A real DNS server on 127.0.0.1 (or ::1) for tests, and a way to run a JS program
against it without blocking the reactor that serves it.

The server lives in the trial process (twisted.names authoritative server,
UDP and TCP on the same free port), so a test can count what it received and
switch behaviours without another process. The program under test is a
subprocess; because the server needs trial's reactor to answer, it must be run
with `run_js_async` (a Deferred), never with the blocking tests.jsrun.run_js.

    server = start_dns_server([ZONE_TEXT])
    self.addCleanup(server.stop)
    code, out, err = yield run_js_async(script, env=server.env())

Modes:
  "zone"      authoritative answers from the zones (BIND format text written
              by the test; $ORIGIN and $TTL supported); a UDP answer longer
              than 512 bytes is sent truncated, so clients retry over TCP
  "silent"    receives queries and never answers
  "servfail"  answers every query with SERVFAIL
  "refused"   answers every query with REFUSED
  "garbled"   answers every query with bytes that are not a DNS message

Also runnable by hand (prints the port, serves until interrupted):
    python -m tests.dnsserver [--mode MODE] ZONEFILE...
"""

from __future__ import annotations

import os
import sys
import tempfile

from twisted.internet import defer, error
from twisted.internet.protocol import DatagramProtocol, ProcessProtocol
from twisted.names import authority, server
from twisted.names import dns as wire

from tests.jsrun import JS_DIR, child_env, runtime_command

MODES = ("zone", "silent", "servfail", "refused", "garbled")
UDP_LIMIT = 512


class _ZoneFactory(server.DNSServerFactory):
    """An authoritative server whose UDP answers obey the classic 512-byte
    limit (twisted.names never truncates), so the TCP fallback is real."""

    def __init__(self, authorities, counter):
        super().__init__(authorities=authorities)
        self._counter = counter

    def messageReceived(self, message, proto, address=None):
        self._counter.received += 1
        super().messageReceived(message, proto, address)

    def sendReply(self, protocol, message, address):
        if address is not None and len(message.toStr()) > UDP_LIMIT:
            message.answers, message.authority, message.additional = [], [], []
            message.trunc = 1
        super().sendReply(protocol, message, address)


class _RcodeFactory(server.DNSServerFactory):
    """Answers every query with one response code."""

    def __init__(self, rcode, counter):
        super().__init__()
        self._rcode = rcode
        self._counter = counter

    def messageReceived(self, message, proto, address=None):
        self._counter.received += 1
        reply = wire.Message(id=message.id, answer=1, opCode=message.opCode, recDes=message.recDes)
        reply.rCode = self._rcode
        reply.queries = message.queries
        if address is None:
            proto.writeMessage(reply)
        else:
            proto.writeMessage(reply, address)


class _Silent(DatagramProtocol):
    def __init__(self, counter):
        self._counter = counter

    def datagramReceived(self, data, addr):
        self._counter.received += 1


class _Garbled(DatagramProtocol):
    def __init__(self, counter):
        self._counter = counter

    def datagramReceived(self, data, addr):
        self._counter.received += 1
        # The query's id, then a header claiming one answer that is not there
        # and bytes that are no record.
        self.transport.write(data[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\xff", addr)


class DNSTestServer:
    """A running server. `received` counts the queries that reached it."""

    def __init__(self, mode: str, tcp: bool = True, interface: str = "127.0.0.1"):
        self.mode = mode
        self.tcp = tcp
        self.interface = interface
        self.received = 0
        self.port: int | None = None
        self._listening: list = []
        self._zone_dir: tempfile.TemporaryDirectory | None = None

    @property
    def address(self) -> str:
        if ":" in self.interface:
            return f"[{self.interface}]:{self.port}"
        return f"{self.interface}:{self.port}"

    def env(self, **extra) -> dict:
        """The environment of a program that must use this server."""
        return {"TWISTED_NODE_DNS_SERVERS": self.address, **extra}

    def _listen(self, reactor, zones) -> None:
        if self.mode == "zone":
            factory = _ZoneFactory(self._authorities(zones), self)
            udp, tcp = wire.DNSDatagramProtocol(factory), factory
        elif self.mode in ("servfail", "refused"):
            code = wire.ESERVER if self.mode == "servfail" else wire.EREFUSED
            factory = _RcodeFactory(code, self)
            udp, tcp = wire.DNSDatagramProtocol(factory), factory
        elif self.mode == "silent":
            udp, tcp = _Silent(self), None
        elif self.mode == "garbled":
            udp, tcp = _Garbled(self), None
        else:
            raise ValueError(f"unknown mode {self.mode!r}; one of {MODES}")
        if tcp is None or not self.tcp:
            self._listening = [reactor.listenUDP(0, udp, interface=self.interface)]
            self.port = self._listening[0].getHost().port
            return
        # TCP on a free port, then UDP on the same number (retried: another
        # test may own that UDP port). In this order a failed attempt leaves
        # the UDP protocol untouched for the next one.
        for _ in range(50):
            tcp_port = reactor.listenTCP(0, tcp, interface=self.interface)
            port = tcp_port.getHost().port
            try:
                udp_port = reactor.listenUDP(port, udp, interface=self.interface)
            except error.CannotListenError:
                tcp_port.stopListening()
                continue
            self._listening = [udp_port, tcp_port]
            break
        else:
            raise RuntimeError("no free port for both UDP and TCP")
        self.port = port

    def _authorities(self, zones):
        self._zone_dir = tempfile.TemporaryDirectory(prefix="dnszone")
        authorities = []
        for i, text in enumerate(zones):
            path = os.path.join(self._zone_dir.name, f"zone{i}")
            with open(path, "w") as f:
                f.write(text)
            authorities.append(authority.BindAuthority(path))
        return authorities

    def stop(self) -> defer.Deferred:
        listening, self._listening = self._listening, []
        if self._zone_dir is not None:
            self._zone_dir.cleanup()
            self._zone_dir = None
        return defer.gatherResults([defer.maybeDeferred(p.stopListening) for p in listening])


def start_dns_server(
    zones=(), mode: str = "zone", reactor=None, tcp: bool = True, interface="127.0.0.1"
) -> DNSTestServer:
    """Start serving at once (listening is synchronous); stop() when done.
    tcp=False serves UDP only (a truncated answer then cannot be completed);
    interface="::1" serves on IPv6 loopback."""
    if reactor is None:
        from twisted.internet import reactor
    dns_server = DNSTestServer(mode, tcp, interface)
    dns_server._listen(reactor, zones)
    return dns_server


class _Collect(ProcessProtocol):
    def __init__(self, done: defer.Deferred, stdin: bytes | None):
        self._done = done
        self._stdin = stdin
        self.out: list[bytes] = []
        self.err: list[bytes] = []

    def connectionMade(self):
        if self._stdin:
            self.transport.write(self._stdin)
        self.transport.closeStdin()

    def outReceived(self, data):
        self.out.append(data)

    def errReceived(self, data):
        self.err.append(data)

    def processEnded(self, reason):
        code = reason.value.exitCode
        if code is None:  # killed by a signal
            code = -(reason.value.signal or 1)
        self._done.callback((code, b"".join(self.out), b"".join(self.err)))


def run_js_async(script, *args, env=None, stdin=None, timeout=60, cwd=None, reactor=None) -> defer.Deferred:
    """tests.jsrun.run_js without blocking the reactor (same command, same
    environment, a relative `script` is under tests/js).

    Fires with (exit_code, stdout_bytes, stderr_bytes);
    a program still running after `timeout` seconds is killed (exit code
    negative) so that a hung test ends with its output.
    """
    if reactor is None:
        from twisted.internet import reactor
    if not os.path.isabs(script):
        script = os.path.join(JS_DIR, script)
    done: defer.Deferred = defer.Deferred()
    command = runtime_command(script, *map(str, args))
    process = reactor.spawnProcess(
        _Collect(done, stdin),
        command[0],
        command,
        env=child_env(env),
        path=cwd or os.path.dirname(script),
    )
    killer = reactor.callLater(timeout, process.signalProcess, "KILL")

    def disarm(result):
        if killer.active():
            killer.cancel()
        return result

    return done.addBoth(disarm)


def main(argv: list[str]) -> None:
    from twisted.internet import reactor

    mode = "zone"
    if argv[:1] == ["--mode"]:
        mode, argv = argv[1], argv[2:]
    zones = []
    for path in argv:
        with open(path) as f:
            zones.append(f.read())
    running = start_dns_server(zones, mode, reactor)
    print(running.port, flush=True)
    reactor.run()


if __name__ == "__main__":
    main(sys.argv[1:])
