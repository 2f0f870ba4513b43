"""require("tcp") end to end: fixture programs in tests/js/tcp/ (which need
certificates, arguments or a peer process) run as `python -m twisted_node`
subprocesses. The self-checking programs tests/js/test_tcp_*.js are run by
tests/test_js_programs.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from twisted.trial import unittest

from tests.certs import make_pki, write_pki
from tests.jsrun import child_env, run_js, runtime_command
from tests.ports import free_port, wait_for_port

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "js", "tcp")
EXAMPLE = os.path.join(os.path.dirname(HERE), "examples", "echo_server.js")
MB = 1024 * 1024


def pki_env() -> dict:
    """The test PKI as TN_PKI_<NAME> environment variables (PEM strings)."""
    return {"TN_PKI_" + name.upper(): pem for name, pem in make_pki().items()}


def start(script, *args, env=None) -> subprocess.Popen:
    """A program that runs alongside the test (a server, or one whose memory
    the test samples); `finish` collects it."""
    return subprocess.Popen(
        runtime_command(script, *map(str, args)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(env),
        cwd=FIXTURES,
    )


def finish(testcase, process, timeout=60) -> str:
    out, err = process.communicate(timeout=timeout)
    testcase.assertEqual(
        process.returncode,
        0,
        f"exit {process.returncode}\nstdout:\n{out.decode()}\nstderr:\n{err.decode()}",
    )
    return out.decode()


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def rss_mb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            match = re.search(r"VmRSS:\s+(\d+)", f.read())
    except OSError:
        return None
    return int(match.group(1)) // 1024 if match else None


class BulkTransferTests(unittest.TestCase):
    timeout = 120

    def test_100_mb_checksum_and_flat_memory(self):
        """100 MB through one connection with readPause/readResume on the
        receiving side and drain-driven sending: every byte arrives (same
        hash both sides) and RSS stops growing once the transfer runs."""
        process = start(os.path.join(FIXTURES, "bulk.js"), 100)
        samples = []
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            rss = rss_mb(process.pid)
            if rss:
                samples.append(rss)
            time.sleep(0.05)
        result = last_json(finish(self, process))
        self.assertEqual(result["sent"], 100 * MB)
        self.assertEqual(result["received"], 100 * MB)
        self.assertEqual(result["sendHash"], result["receiveHash"])
        self.assertGreater(result["falseSends"], 0)
        self.assertEqual(result["drains"], result["falseSends"])
        self.assertGreaterEqual(result["pauses"], 10)
        # Flat: from a quarter of the run on, RSS grows by far less than the
        # 100 MB that went through (a leak or unbounded buffer would show).
        self.assertGreater(len(samples), 8, samples)
        baseline = samples[len(samples) // 4]
        self.assertLess(max(samples) - baseline, 32, f"RSS samples (MB): {samples}")


class TLSProgramTests(unittest.TestCase):
    timeout = 60

    def run_pair(self, mode) -> dict:
        code, out, err = run_js(os.path.join(FIXTURES, "tls_pair.js"), mode, env=pki_env())
        self.assertEqual(code, 0, f"stdout:\n{out.decode()}\nstderr:\n{err.decode()}")
        return last_json(out.decode())

    def test_server_only(self):
        seen = self.run_pair("server-only")
        self.assertEqual(seen["client"]["verify"], 1)
        self.assertEqual(seen["server"]["verify"], 0)
        self.assertIsNone(seen["server"]["dn"])
        self.assertEqual(seen["reply"], "echo:caf\u00e9")
        self.assertEqual(seen["clientEvents"], ["connect", "eof", "close:false"])
        self.assertEqual(seen["serverEvents"], ["connection", "connect", "close:false"])

    def test_mutual(self):
        seen = self.run_pair("mutual")
        self.assertEqual(seen["client"]["verify"], 1)
        self.assertEqual(seen["server"]["verify"], 1)
        self.assertEqual(seen["client"]["dn"], "CN=localhost,O=twisted_node tests")
        self.assertEqual(seen["server"]["dn"], "CN=client,O=twisted_node tests")

    def test_wrong_ca_is_negative(self):
        seen = self.run_pair("wrong-ca")
        self.assertLess(seen["client"]["verify"], 0)
        self.assertEqual(seen["reply"], "echo:caf\u00e9")  # reported, not refused

    def test_revoked_client_refused(self):
        seen = self.run_pair("revoked")
        self.assertEqual(seen["serverEvents"], ["connection", "close:true"])
        self.assertEqual(seen["clientEvents"][-1], "close:true")
        self.assertEqual(seen["reply"], "")


class OpenSSLPeerTests(unittest.TestCase):
    timeout = 60

    def setUp(self):
        self.openssl = shutil.which("openssl")
        if self.openssl is None:
            raise unittest.SkipTest("openssl command not found")
        directory = tempfile.mkdtemp(prefix="tn-pki-")
        self.addCleanup(shutil.rmtree, directory, True)
        self.files = write_pki(directory)

    def test_openssl_s_client_against_js_server(self):
        server = start(os.path.join(FIXTURES, "tls_server.js"), env=pki_env())
        self.addCleanup(lambda: server.poll() is None and server.kill())
        port = int(server.stdout.readline().split()[1])
        f = self.files
        client = subprocess.run(
            [
                self.openssl, "s_client", "-connect", f"127.0.0.1:{port}",
                "-CAfile", f["ca_cert"], "-cert", f["client_cert"], "-key", f["client_key"],
                "-verify_return_error", "-verify_hostname", "localhost", "-ign_eof",
            ],
            check=False, input=b"ping\n", capture_output=True, timeout=30,
        )  # fmt: skip
        out = client.stdout.decode("latin-1")
        self.assertIn("Verify return code: 0 (ok)", out)
        self.assertIn("echo:ping", out)
        result = last_json(finish(self, server))
        self.assertEqual(result["verify"], 1)
        self.assertEqual(result["dn"], "CN=client,O=twisted_node tests")

    def test_js_client_against_openssl_s_server(self):
        port = free_port()
        f = self.files
        server = subprocess.Popen(
            [
                self.openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
                "-cert", f["server_cert"], "-key", f["server_key"],
                "-CAfile", f["ca_cert"], "-Verify", "1", "-rev",
            ],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.addCleanup(lambda: server.poll() is None and server.kill())
        self.addCleanup(server.stdout.close)
        # s_server prints ACCEPT when it listens (probing would use up its
        # single -naccept connection).
        for _ in range(50):
            line = server.stdout.readline()
            if not line or line.startswith(b"ACCEPT"):
                break
        result = last_json(
            finish(
                self,
                start(os.path.join(FIXTURES, "tls_client.js"), port, env=pki_env()),
            )
        )
        self.assertEqual(result["verify"], 1)
        self.assertEqual(result["dn"], "CN=localhost,O=twisted_node tests")
        self.assertIn("olleh", result["received"])
        server.wait(timeout=10)
        report = server.stdout.read()
        self.assertIn(b"Peer certificate: O = twisted_node tests, CN = client", report)
        self.assertIn(b"Verification: OK", report)


class EchoExampleTests(unittest.TestCase):
    timeout = 60

    def test_manual_echo_server(self):
        port = free_port()
        server = start(EXAMPLE, port)
        self.addCleanup(lambda: server.poll() is None and server.kill())
        self.addCleanup(server.communicate)
        wait_for_port(port)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"echo me\n")
            s.shutdown(socket.SHUT_WR)
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        self.assertEqual(data, b"hello\r\necho me\ngoodbye\r\n")
        server.kill()
