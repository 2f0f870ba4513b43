"""multipart end to end over HTTP: examples/upload_server.js answering curl -F
and a raw streaming client, and the self-checking HTTP program
tests/js/multipart/http_parse.js (runtime server and runtime client)."""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import zlib

from twisted.trial import unittest

from tests.jsrun import run_js
from tests.ports import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UPLOAD_SERVER = os.path.join(ROOT, "examples", "upload_server.js")
BOUNDARY = "tn-large-upload-5d1c"


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def read_response(conn: socket.socket) -> tuple[bytes, bytes]:
    """(status line, body) of one HTTP response with a Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            raise AssertionError(f"connection closed in the response head: {data!r}")
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in lines[1:] if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return lines[0], body


class UploadServerTests(unittest.TestCase):
    """One upload server for the whole class would be faster, but each test
    gets its own so that a crash in one cannot hide behind another."""

    def setUp(self):
        self.port = free_port()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "twisted_node", UPLOAD_SERVER, str(self.port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.addCleanup(self._stop)
        ready, _, _ = select.select([self.server.stdout], [], [], 30)
        self.assertTrue(ready, "upload server did not start")
        line = self.server.stdout.readline()
        if b"Upload server at" not in line:
            self.server.kill()
            self.fail(f"upload server failed: {line + self.server.stderr.read()!r}")
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def _stop(self):
        self.server.terminate()
        self.server.wait(10)
        self.server.stdout.close()
        self.server.stderr.close()

    def curl(self, *args) -> tuple[int, str]:
        out = subprocess.run(
            ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", *args, self.url()],
            capture_output=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(out.returncode, 0, out.stderr)
        body, _, status = out.stdout.decode("utf-8").rpartition("\n")
        return int(status), body

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def write_file(self, name: str, data: bytes) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_curl_fields_and_files(self):
        if shutil.which("curl") is None:
            raise unittest.SkipTest("curl is not installed")
        binary = bytes(range(256)) * 4096 + b"\r\n--" + b"\r\n"
        text = "caf\u00e9 \u2603\n".encode() * 100
        notes_name = "n\u00f6tes \u2603.txt"  # sent by curl as raw UTF-8
        status, body = self.curl(
            "-F",
            "title=hello world",
            "-F",
            f"bin=@{self.write_file('all.bin', binary)}",
            "-F",
            f"notes=@{self.write_file(notes_name, text)};type=text/plain; charset=utf-8",
            "-F",
            "empty=",
        )
        self.assertEqual(status, 200, body)
        self.assertEqual(
            body.splitlines(),
            [
                f"title - 11 {zlib.adler32(b'hello world')}",
                f"bin all.bin {len(binary)} {zlib.adler32(binary)}",
                f"notes {notes_name} {len(text)} {zlib.adler32(text)}",
                f"empty - 0 {zlib.adler32(b'')}",
            ],
        )

    def test_bad_requests_answered_and_server_keeps_serving(self):
        if shutil.which("curl") is None:
            raise unittest.SkipTest("curl is not installed")
        cases = [
            (
                ["-H", "Content-Type: text/plain", "--data-binary", "x"],
                "not a multipart",
            ),
            (
                ["-H", "Content-Type: multipart/form-data", "--data-binary", "x"],
                "no boundary parameter",
            ),
            (
                [
                    "-H",
                    "Content-Type: multipart/form-data; boundary=a\tb",
                    "--data-binary",
                    "x",
                ],
                "bad boundary",
            ),
            (
                [
                    "-H",
                    "Content-Type: multipart/form-data; boundary=xyz",
                    "--data-binary",
                    "junk",
                ],
                "malformed body",
            ),
            (
                [
                    "-H",
                    "Content-Type: multipart/form-data; boundary=xyz",
                    "--data-binary",
                    '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\ncut sh',
                ],
                "ended before the closing boundary",
            ),
        ]
        for args, words in cases:
            status, body = self.curl(*args)
            self.assertEqual(status, 400, body)
            self.assertIn(words, body)
        status, body = self.curl("-F", "still=serving")
        self.assertEqual((status, body), (200, f"still - 7 {zlib.adler32(b'serving')}\n"))

    def test_large_upload_streams_with_flat_memory(self):
        """100 MB through the upload server: its RSS, sampled while the body
        is being sent, stays flat after the first 16 MB (buffering the upload
        would add at least 100 MB), and the checksum matches."""
        size = 100 * 1024 * 1024
        chunk = bytes(range(256)) * 256  # 64 KB
        head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="big"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        request_head = (
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(head) + size + len(tail)}\r\n\r\n"
        ).encode()
        checksum = 1
        samples = []
        with socket.create_connection(("127.0.0.1", self.port), timeout=120) as conn:
            conn.sendall(request_head + head)
            for i in range(size // len(chunk)):
                conn.sendall(chunk)
                checksum = zlib.adler32(chunk, checksum)
                if i % 64 == 0:  # every 4 MB
                    samples.append(rss_kb(self.server.pid))
            conn.sendall(tail)
            status_line, body = read_response(conn)
        self.assertIn(b" 200 ", status_line, body)
        self.assertEqual(body.decode(), f"big big.bin {size} {checksum}\n")
        baseline = samples[4]  # after 16 MB: the runtime's working set is up
        growth_mb = (max(samples[4:]) - baseline) / 1024
        self.assertLess(growth_mb, 40, f"RSS samples (KB): {samples}")


class HttpProgramTests(unittest.TestCase):
    def test_runtime_client_and_server(self):
        script = os.path.join(HERE, "js", "multipart", "http_parse.js")
        code, out, err = run_js(script, str(free_port()))
        self.assertEqual(code, 0, (out + err).decode("utf-8", "replace"))
        self.assertIn(b"http_parse: ok", out)
