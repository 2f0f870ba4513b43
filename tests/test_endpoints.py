"""Where servers listen besides a TCP port: UNIX socket paths, endpoint
strings (tcp6:, unix:), sockets passed by systemd's socket activation
(LISTEN_FDS/LISTEN_PID set here as systemd sets them), and the graceful
stop of an embedded program (NodeService.stopService)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import tempfile

from twisted.internet import defer
from twisted.trial import unittest

from tests.jsrun import JS_DIR, run_js
from tests.load import body, fetch
from tests.polling import eventually, until
from tests.ports import free_port, refused
from tests.supervised import Supervised
from twisted_node.service import NodeService

HELLO = os.path.join(JS_DIR, "workers", "hello.js")

# What systemd does before it runs a socket-activated service: the sockets at
# descriptors 3..., and the variables naming them and the process they are for.
AS_SYSTEMD = """\
import os, sys
fd = int(sys.argv[1])
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="web")
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


class Endpoints(unittest.TestCase):
    def socket_dir(self) -> str:
        # Not under _trial_temp: a UNIX socket's path has at most 107 bytes.
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        return tmp

    def serve(self, where, *options, command=None, pass_fds=()):
        sup = Supervised(self.mktemp(), *options, env={"PORT": where}, command=command, pass_fds=pass_fds)
        self.addCleanup(sup.kill)
        return sup

    def answer(self, sup, get):
        def attempt():
            try:
                return body(get())
            except (OSError, ValueError):
                if sup.proc.poll() is not None:
                    raise AssertionError(f"the server ended:\n{sup.stderr}") from None
                return None

        return until(attempt, 60, "an answer")

    def test_unix_socket_path(self):
        path = os.path.join(self.socket_dir(), "app.sock")
        sup = self.serve(path)
        self.assertTrue(self.answer(sup, lambda: fetch(socket.AF_UNIX, path)).startswith("worker undefined"))

    def test_unix_endpoint_string(self):
        path = os.path.join(self.socket_dir(), "app.sock")
        sup = self.serve("unix:" + path)
        self.assertTrue(self.answer(sup, lambda: fetch(socket.AF_UNIX, path)).startswith("worker undefined"))

    def test_tcp6_endpoint_string(self):
        port = free_port()
        sup = self.serve(f"tcp6:{port}:interface=\\:\\:1")
        self.answer(sup, lambda: fetch(socket.AF_INET6, ("::1", port)))

    def passed_socket(self):
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        return listener

    def systemd_command(self, listener, *options, where="systemd:domain=INET:index=0"):
        command = [
            sys.executable,
            "-c",
            AS_SYSTEMD,
            str(listener.fileno()),
            "-m",
            "twisted_node",
            *options,
            HELLO,
        ]
        return self.serve(where, command=command, pass_fds=(listener.fileno(),))

    def test_systemd_socket(self):
        listener = self.passed_socket()
        sup = self.systemd_command(listener)
        port = listener.getsockname()[1]
        self.answer(sup, lambda: fetch(socket.AF_INET, ("127.0.0.1", port)))

    def test_systemd_socket_by_name(self):
        listener = self.passed_socket()
        sup = self.systemd_command(listener, where="systemd:domain=INET:name=web")
        port = listener.getsockname()[1]
        self.answer(sup, lambda: fetch(socket.AF_INET, ("127.0.0.1", port)))

    def test_systemd_socket_shared_by_workers(self):
        listener = self.passed_socket()
        sup = self.systemd_command(listener, "--workers", "2")
        port = listener.getsockname()[1]
        sup.workers_answering(port, 2)
        listener.close()  # ours; the workers keep theirs
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_listen_arguments(self):
        code, out, err = run_js(os.path.join(JS_DIR, "workers", "listen_errors.js"), self.socket_dir())
        self.assertEqual(code, 0, out + err)


class GracefulStop(unittest.TestCase):
    @defer.inlineCallbacks
    def test_stop_service_lets_a_request_in_flight_finish(self):
        svc = NodeService(os.path.join(JS_DIR, "frontdoors", "slow.js"))
        svc.startService()
        self.addCleanup(lambda: svc.running and svc.stopService())
        port = yield eventually(lambda: _global(svc, "port"), "listening")
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.addCleanup(client.close)
        client.setblocking(False)
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        yield eventually(lambda: _global(svc, "requests") == 1, "the request received")
        stopped = svc.stopService()
        yield eventually(lambda: refused(port), "the port closed")  # no new connections
        self.assertIsNone(svc.exit_code)  # still answering the one in flight
        self.assertEqual((yield stopped), 0)
        answer = _read_all(client)  # to the end: the server closed the connection after it
        self.assertIn(b"HTTP/1.1 200 OK", answer)
        self.assertIn(b"\r\nConnection: close\r\n", answer)  # so the client does not reuse it
        self.assertTrue(answer.endswith(b"done\n"))
        self.assertEqual(_global(svc, "exitedWith"), 0)


def _global(svc, name):
    with svc.runtime.context:
        return getattr(svc.runtime.context.glob, name, None)


def _read_all(sock) -> bytes:
    sock.setblocking(True)
    sock.settimeout(10)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
