"""The three front doors: the console script, the twistd plugin, NodeService."""

from __future__ import annotations

import json
import os
import socket
import subprocess

from twisted.internet import defer, reactor, task
from twisted.trial import unittest

from tests.jsrun import JS_DIR, TWISTD, child_env, twistd_node
from tests.polling import eventually
from tests.ports import refused
from twisted_node.service import NodeService

FRONT = os.path.join(JS_DIR, "frontdoors")


class Twistd(unittest.TestCase):
    def twistd(self, *args):
        tmp = self.mktemp()
        os.makedirs(tmp)
        return subprocess.run(twistd_node(*args), cwd=tmp, env=child_env(), capture_output=True, timeout=60)

    def test_listed(self):
        out = subprocess.run(
            [*TWISTD, "--help"], env=child_env(), capture_output=True, timeout=60
        ).stdout.decode()
        self.assertIn("node", out.split())

    def test_runs_script_and_exits_with_its_status(self):
        done = self.twistd("--script", os.path.join(FRONT, "status.js"), "--", "7", "x")
        self.assertEqual(done.returncode, 7, done.stdout + done.stderr)
        self.assertIn(b'args ["7","x"]', done.stdout)

    def test_status_zero(self):
        done = self.twistd("--script", os.path.join(FRONT, "status.js"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_script_required(self):
        done = self.twistd()
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(b"--script is required", done.stdout + done.stderr)


class Embedded(unittest.TestCase):
    """NodeService inside this trial process: the reactor is trial's, and it
    must keep running after the programs end."""

    @defer.inlineCallbacks
    def test_finishes_without_stopping_the_reactor(self):
        svc = NodeService(os.path.join(FRONT, "status.js"), argv=["3"])
        svc.startService()
        status = yield svc.whenFinished()
        self.assertEqual(status, 3)
        self.assertFalse(svc.running)
        self.assertTrue(reactor.running)
        # And the reactor still serves other work afterwards.
        yield task.deferLater(reactor, 0.01, lambda: None)

    @defer.inlineCallbacks
    def test_stop_service_emits_exit(self):
        svc = NodeService(os.path.join(FRONT, "server.js"))
        svc.startService()
        yield task.deferLater(reactor, 0.1, lambda: None)
        self.assertIsNone(svc.exit_code)  # still alive: its interval holds it
        yield svc.stopService()
        self.assertEqual(svc.exit_code, 0)
        self.assertEqual(svc.runtime.loop.count, 0)
        with svc.runtime.context:
            self.assertEqual(svc.runtime.context.glob.exitedWith, 0)

    @defer.inlineCallbacks
    def start_busy(self):
        """busy.js in a NodeService, with a client connected to each of its
        servers (an HTTP one after a keep-alive request): (service, handles
        it printed, [tcp socket, http socket])."""
        # The tcp client never closes: a graceful stop closes it after the
        # shutdown timeout.
        svc = NodeService(os.path.join(FRONT, "busy.js"), shutdown_timeout=0.5)
        svc.startService()
        self.addCleanup(lambda: svc.running and svc.stopService())
        yield eventually(lambda: self.js_global(svc, "handles") is not None, "the program started")
        handles = json.loads(self.js_global(svc, "handles"))
        self.addCleanup(_kill_quietly, handles["child"])
        tcp_client = socket.create_connection(("127.0.0.1", handles["tcp"]), timeout=5)
        http_client = socket.create_connection(("127.0.0.1", handles["http"]), timeout=5)
        for sock in (tcp_client, http_client):
            self.addCleanup(sock.close)
            sock.setblocking(False)
        http_client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        yield eventually(lambda: self.js_global(svc, "connections") == 1, "the tcp connection accepted")
        yield eventually(lambda: self.js_global(svc, "requests") == 1, "the http request received")
        self.assertFalse(_peer_closed(tcp_client) or _peer_closed(http_client))
        self.assertFalse(_gone(handles["child"]))
        return svc, handles, [tcp_client, http_client]

    def js_global(self, svc, name):
        with svc.runtime.context:
            return getattr(svc.runtime.context.glob, name, None)

    @defer.inlineCallbacks
    def assertAllClosed(self, handles, clients):
        """What the outside world sees of a program that has ended: its
        ports refuse connections, its peers see their connections closed,
        its child process is gone."""
        for kind in ("tcp", "http"):
            yield eventually(lambda port=handles[kind]: refused(port), f"the {kind} server's port closed")
        for sock in clients:
            yield eventually(lambda sock=sock: _peer_closed(sock), "the connection closed")
        yield eventually(lambda: _gone(handles["child"]), "the child process ended")

    @defer.inlineCallbacks
    def test_stop_service_closes_servers_connections_and_children(self):
        svc, handles, clients = yield self.start_busy()
        yield svc.stopService()
        self.assertEqual(svc.exit_code, 0)
        yield self.assertAllClosed(handles, clients)

    @defer.inlineCallbacks
    def test_program_exit_closes_servers_connections_and_children(self):
        svc, handles, clients = yield self.start_busy()
        clients[0].sendall(b"exit")
        self.assertEqual((yield svc.whenFinished()), 5)
        yield self.assertAllClosed(handles, clients)

    @defer.inlineCallbacks
    def test_two_services_have_separate_globals(self):
        a = NodeService(os.path.join(FRONT, "server.js"))
        b = NodeService(os.path.join(FRONT, "status.js"))
        a.startService()
        b.startService()
        yield b.whenFinished()
        with a.runtime.context:
            self.assertEqual(a.runtime.context.glob.marker, "server.js")
        with b.runtime.context:
            self.assertEqual(b.runtime.context.compile("typeof marker", "probe"), "undefined")
        yield a.stopService()


def _peer_closed(sock: socket.socket) -> bool:
    """True once the other end has closed `sock` (non-blocking; what it
    sent before closing is read and dropped)."""
    try:
        while sock.recv(65536):
            pass
    except BlockingIOError:
        return False
    except ConnectionResetError:
        pass
    return True


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
