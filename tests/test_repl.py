"""The REPL over TCP: --repl-port values, the session server, listen_repl on
a running program, and twistd's --repl-port reached with a TCP client."""

from __future__ import annotations

import os
import socket
import subprocess

from twisted.internet import defer, error, reactor
from twisted.internet.endpoints import (
    TCP4ClientEndpoint,
    connectProtocol,
    serverFromString,
)
from twisted.internet.protocol import Protocol
from twisted.internet.task import deferLater
from twisted.trial import unittest

from tests.jsrun import child_env, twistd_node
from twisted_node.protocols.repl import ReplServerFactory, endpoint_string


class EndpointStringTests(unittest.TestCase):
    def test_forms(self):
        cases = {
            "7001": "tcp:7001:interface=127.0.0.1",
            "127.0.0.1:7001": "tcp:7001:interface=127.0.0.1",
            "localhost:7001": "tcp:7001:interface=localhost",
            "0.0.0.0:7001": "tcp:7001:interface=0.0.0.0",
            "[::1]:7001": r"tcp6:7001:interface=\:\:1",
            "tcp:7001": "tcp:7001:interface=127.0.0.1",
            "tcp6:7001": r"tcp6:7001:interface=\:\:1",
            "tcp:7001:interface=10.0.0.1": "tcp:7001:interface=10.0.0.1",
            "unix:/tmp/app.repl": "unix:/tmp/app.repl",
        }
        for given, expected in cases.items():
            self.assertEqual(endpoint_string(given), expected, given)

    def test_bad(self):
        for bad in ("", "host:", "a:b:c", "just-a-name"):
            e = self.assertRaises(ValueError, endpoint_string, bad)
            self.assertIn("expected PORT, HOST:PORT", str(e))


class Client(Protocol):
    def __init__(self):
        self.received = b""
        self.closed = defer.Deferred()

    def dataReceived(self, data):
        self.received += data

    def connectionLost(self, reason):
        self.closed.callback(self.received)


class ServerTests(unittest.TestCase):
    """The session server with plain callables standing in for lib/repl.js:
    an echo that upper-cases, as JS would answer each line."""

    @defer.inlineCallbacks
    def test_session_events(self):
        events = []
        connections = {}

        def on_open(connection):
            connections[1] = connection
            events.append(("open",))
            connection.send("> ")
            return 1

        def on_data(session_id, text):
            events.append(("data", session_id, text))
            connections[session_id].send(text.upper())

        def on_eof(session_id):
            events.append(("eof", session_id))
            connections[session_id].send("bye\n")
            connections[session_id].hangup()

        def on_close(session_id):
            events.append(("close", session_id))

        factory = ReplServerFactory(on_open, on_data, on_eof, on_close)
        port = yield serverFromString(reactor, endpoint_string("tcp:0")).listen(factory)
        self.addCleanup(port.stopListening)
        self.assertEqual(port.getHost().host, "127.0.0.1")

        client = Client()
        yield connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port), client)
        # a UTF-8 character split across two writes arrives whole
        snow = "\u2603".encode()
        client.transport.write(b"caf" + snow[:1])
        client.transport.write(snow[1:] + b"\n")
        client.transport.loseWriteConnection()
        received = yield client.closed
        self.assertEqual(received.decode("utf-8"), "> CAF\u2603\nbye\n")
        self.assertEqual(events[0], ("open",))
        self.assertEqual("".join(e[2] for e in events if e[0] == "data"), "caf\u2603\n")
        self.assertEqual(events[-2:], [("eof", 1), ("close", 1)])


REPL_FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "repl")
DAEMON = os.path.join(REPL_FIXTURES, "daemon.js")


class Session(Protocol):
    """A REPL client: send a line, wait until the answer ends with a prompt."""

    def __init__(self):
        self.buffer = ""
        self.closed = defer.Deferred()
        self._waiting = None

    def dataReceived(self, data):
        self.buffer += data.decode("utf-8")
        self._check()

    def _check(self):
        if self._waiting is not None and self.buffer.endswith(PROMPT):
            d, self._waiting = self._waiting, None
            text, self.buffer = self.buffer[: -len(PROMPT)], ""
            d.callback(text)

    def prompt(self):
        self._waiting = defer.Deferred()
        self._check()
        return self._waiting

    def ask(self, line):
        self.transport.write(line.encode("utf-8") + b"\n")
        return self.prompt()

    def connectionLost(self, reason):
        self.closed.callback(self.buffer)


PROMPT = "node> "


class ListenReplTests(unittest.TestCase):
    """bindings/repl.py's listen_repl, as twistd's --repl-port calls it, on a
    Runtime running in this process: TCP sessions on the program's global
    scope."""

    timeout = 30

    @defer.inlineCallbacks
    def test_sessions_on_a_running_program(self):
        from twisted_node.bindings.repl import listen_repl
        from twisted_node.jsbridge.runtime import Runtime

        runtime = Runtime(DAEMON, reactor=reactor)
        finished = runtime.whenFinished()
        runtime.start()
        self.addCleanup(lambda: runtime.finished or runtime.stop(0))
        port = yield listen_repl(runtime.host, runtime.require, "tcp:0")
        self.assertEqual(port.getHost().host, "127.0.0.1")
        address = port.getHost().port

        one, two = Session(), Session()
        for session in (one, two):
            yield connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", address), session)
            self.assertEqual((yield session.prompt()), "")

        self.assertEqual((yield one.ask("secret")), '"from the module scope"\n')
        self.assertEqual((yield one.ask("served + 1")), "42\n")
        # each session its own `_`, one global scope for all
        self.assertEqual((yield two.ask('"two"')), '"two"\n')
        self.assertEqual((yield one.ask("_")), "42\n")
        self.assertEqual((yield one.ask("var shared = [1, 2]")), "")
        self.assertEqual((yield two.ask("shared.length")), "2\n")
        self.assertEqual((yield two.ask("_")), "2\n")
        # an error does not end the session; input continues over lines
        self.assertEqual((yield one.ask("nosuch()")), "ReferenceError: nosuch is not defined\n")
        one.transport.write(b"function twice(n) {\n")
        self.assertEqual((yield one.ask("  return 2 * n;\n}")), "... ... ")
        self.assertEqual((yield one.ask("twice(21)")), "42\n")

        # end of input closes the session, not the program
        two.transport.loseWriteConnection()
        yield two.closed
        self.assertFalse(runtime.finished)

        self.assertEqual((yield one.ask("stop()")), '"stopping"\n')
        self.assertEqual((yield finished), 0)
        yield one.closed

    @defer.inlineCallbacks
    def test_program_without_repl_and_its_end(self):
        """A program that never required "repl" gets it on the first
        connection; stopping the program closes the port and its sessions."""
        from twisted_node.bindings.repl import listen_repl
        from twisted_node.jsbridge.runtime import Runtime

        runtime = Runtime(os.path.join(REPL_FIXTURES, "plain.js"), reactor=reactor)
        finished = runtime.whenFinished()
        runtime.start()
        port = yield listen_repl(runtime.host, runtime.require, "tcp:0")
        session = Session()
        yield connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port.getHost().port), session)
        yield session.prompt()
        self.assertEqual((yield session.ask("answer")), "42\n")
        runtime.stop(0)
        self.assertEqual((yield finished), 0)
        yield session.closed
        self.assertFalse(port.connected)


class TwistdReplPortTests(unittest.TestCase):
    """`twistd -n node --script daemon.js --repl-port 127.0.0.1:PORT`, reached
    with a plain TCP client, as an operator would."""

    timeout = 60

    @defer.inlineCallbacks
    def test_operator_session(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        rundir = self.mktemp()
        os.makedirs(rundir)
        twistd = subprocess.Popen(
            twistd_node("--script", DAEMON, "--repl-port", f"127.0.0.1:{port}"),
            cwd=rundir,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.addCleanup(twistd.stdout.close)
        self.addCleanup(twistd.wait, 10)
        self.addCleanup(lambda: twistd.poll() is None and twistd.kill())
        session = Session()
        for _ in range(300):  # bounded: until twistd listens
            try:
                yield connectProtocol(TCP4ClientEndpoint(reactor, "127.0.0.1", port), session)
                break
            except error.ConnectionRefusedError:
                self.assertIsNone(twistd.poll(), "twistd ended before listening")
                yield deferLater(reactor, 0.1, lambda: None)
        yield session.prompt()
        self.assertEqual((yield session.ask("served")), "41\n")
        self.assertEqual((yield session.ask("secret")), '"from the module scope"\n')
        self.assertEqual((yield session.ask("stop()")), '"stopping"\n')
        yield session.closed
        for _ in range(300):
            if twistd.poll() is not None:
                break
            yield deferLater(reactor, 0.1, lambda: None)
        status = twistd.poll()
        if status != 0:
            twistd.kill()
            self.fail(f"twistd status {status}: {twistd.stdout.read()!r}")
