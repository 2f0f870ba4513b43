"""require("http") end to end, against real clients: curl, Python's
http.client and raw sockets talk to servers run by the runtime (fixture
programs in tests/js/http/ and examples/hello_server.js), over plain TCP and
over TLS with client certificates. The self-checking programs
tests/js/test_http_*.js are run by tests/test_js_programs.py.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile

from twisted.trial import unittest

from tests.certs import make_pki, write_pki
from tests.load import read_until_closed
from tests.jsrun import child_env, run_js, runtime_command
from tests.test_http_protocols import MALFORMED, split_responses

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "js", "http")
SERVER = os.path.join(FIXTURES, "server.js")
HELLO = os.path.join(os.path.dirname(HERE), "examples", "hello_server.js")
MB = 1024 * 1024
CURL = shutil.which("curl")


def pki_env() -> dict:
    return {"TN_PKI_" + name.upper(): pem for name, pem in make_pki().items()}


def pattern(size: int) -> bytes:
    """What /download?size=N sends: byte i is i % 251."""
    period = bytes(range(251))
    return (period * (size // 251 + 1))[:size]


class RuntimeServerCase(unittest.TestCase):
    timeout = 120

    def start(self, script, *args, env=None) -> int:
        """Run a server program; returns the port it printed. Killed at the end."""
        proc = subprocess.Popen(
            runtime_command(script, *args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(env),
            cwd=os.path.dirname(script),
        )
        self.addCleanup(self._stop, proc)
        line = proc.stdout.readline().decode()
        match = re.search(r'"port": ?(\d+)|127\.0\.0\.1:(\d+)', line)
        if match is None:
            proc.kill()
            self.fail(f"no port from {script}: {line!r} {proc.stderr.read().decode()}")
        self.server = proc
        return int(match.group(1) or match.group(2))

    def _stop(self, proc):
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)

    def raw(self, port, data: bytes, timeout=10) -> bytes:
        """Send `data`, read until the server closes."""
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(data)
            return read_until_closed(sock)

    def exchange(self, sock, request: bytes) -> tuple[http.client.HTTPResponse, bytes]:
        """Send one request on `sock` and read its whole response; the socket
        stays open for the next request (no reconnecting behind our back, as
        http.client does when the server closes)."""
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response, response.read()

    def assertServing(self, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        self.assertEqual(conn.getresponse().read(), b"Hello World\n")
        conn.close()
        self.assertIsNone(self.server.poll(), "the server is still running")


class AnswerThenExitTests(RuntimeServerCase):
    def test_the_last_answer_reaches_the_client(self):
        port = self.start(os.path.join(FIXTURES, "answer_then_exit.js"))
        answer = self.raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer)
        self.assertTrue(answer.endswith(b"\r\n\r\nbye\n"), answer)
        self.assertEqual(self.server.wait(30), 0)


class HelloWorldTests(RuntimeServerCase):
    def test_manual_example_with_python_http_client(self):
        port = self.start(HELLO, "0")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(conn.close)
        local_ports = set()
        for _ in range(3):
            conn.request("GET", "/")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            self.assertEqual(response.getheader("Content-Type"), "text/plain")
            self.assertEqual(response.read(), b"Hello World\n")
            # http.client drops a connection the server said it would close
            # (and opens a new one for the next request, silently).
            self.assertIsNotNone(conn.sock, "the server closed the connection after a response")
            local_ports.add(conn.sock.getsockname()[1])
        self.assertEqual(len(local_ports), 1, "keep-alive: one connection served every request")

    def test_manual_example_with_curl(self):
        if CURL is None:
            raise unittest.SkipTest("curl is not installed")
        port = self.start(HELLO, "0")
        url = f"http://127.0.0.1:{port}/"
        out = subprocess.run(
            [CURL, "-sS", "-i", url, url], capture_output=True, timeout=30, check=True
        ).stdout
        self.assertEqual(out.count(b"Hello World\n"), 2)
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertIn(b"Transfer-Encoding: chunked", out)


class StreamingTests(RuntimeServerCase):
    def setUp(self):
        self.port = self.start(SERVER)

    def test_content_length_upload_echoed(self):
        body = os.urandom(3 * MB)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("PUT", "/echo", body=body)
        response = conn.getresponse()
        self.assertEqual(response.getheader("Content-Length"), str(len(body)))
        echoed = response.read()
        self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(body).hexdigest())

    def test_chunked_upload_echoed_chunked(self):
        pieces = [os.urandom(100_000) for _ in range(30)]
        upload = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        upload += b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            response, echoed = self.exchange(sock, upload)
            self.assertEqual(response.getheader("Transfer-Encoding"), "chunked")
            expected = b"".join(pieces)
            self.assertEqual(hashlib.sha256(echoed).hexdigest(), hashlib.sha256(expected).hexdigest())
            # and the same connection is still good for another request
            response, body = self.exchange(sock, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual((response.status, body), (200, b"Hello World\n"))

    def test_chunked_download(self):
        size = 3 * MB + 123
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", f"/download?size={size}")
        response = conn.getresponse()
        self.assertEqual(response.getheader("Transfer-Encoding"), "chunked")
        self.assertEqual(hashlib.sha256(response.read()).digest(), hashlib.sha256(pattern(size)).digest())

    def test_curl_upload_and_download(self):
        if CURL is None:
            raise unittest.SkipTest("curl is not installed")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "up.bin")
            data = os.urandom(2 * MB)
            with open(path, "wb") as f:
                f.write(data)
            # -T: a PUT that sends "Expect: 100-continue" (answered at once)
            out = subprocess.run(
                [CURL, "-sS", "-T", path, f"http://127.0.0.1:{self.port}/echo"],
                capture_output=True,
                timeout=30,
                check=True,
            ).stdout
            self.assertEqual(hashlib.sha256(out).digest(), hashlib.sha256(data).digest())
        out = subprocess.run(
            [CURL, "-sS", f"http://127.0.0.1:{self.port}/download?size={MB}"],
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout
        self.assertEqual(out, pattern(MB))

    def test_request_as_the_program_sees_it(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest("POST", "/info?a=1&a=2&b=%C3%A9#f", skip_accept_encoding=True)
        conn.putheader("X-Repeated", "one")
        conn.putheader("x-repeated", "two")
        conn.putheader("Content-Length", "5")
        conn.endheaders(b"hello")
        info = json.loads(conn.getresponse().read())
        self.assertEqual(info["method"], "POST")
        self.assertEqual(info["httpVersion"], "1.1")
        self.assertEqual(info["bodyLength"], 5)
        self.assertEqual(info["headers"]["x-repeated"], "one, two")
        self.assertEqual(
            info["uri"],
            {
                "full": "/info?a=1&a=2&b=%C3%A9#f",
                "path": "/info",
                "queryString": "a=1&a=2&b=%C3%A9",
                "params": {"a": ["1", "2"], "b": "\u00e9"},
                "fragment": "f",
            },
        )

    def test_manual_request_uri_example(self):
        """The request of the manual's request.uri example gives its object,
        down to the empty fragment."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            _, body = self.exchange(
                sock, b"GET /status?name=ryan HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n"
            )
        self.assertEqual(
            json.loads(body),
            {
                "full": "/status?name=ryan",
                "path": "/status",
                "queryString": "name=ryan",
                "params": {"name": "ryan"},
                "fragment": "",
            },
        )


class WireTests(RuntimeServerCase):
    """What raw clients see: HTTP/1.0, pipelining, malformed input."""

    def setUp(self):
        self.port = self.start(SERVER)

    def test_http10_close_delimited(self):
        data = self.raw(self.port, b"GET /stream HTTP/1.0\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"Connection: close", head)
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(body, b"part0\npart1\npart2\n")

    def test_http10_keep_alive_with_length(self):
        data = self.raw(
            self.port,
            b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"  # no length: closes after
            b"GET / HTTP/1.0\r\n\r\n",
        )
        self.assertEqual(data.count(b"HTTP/1.1 200"), 1)
        self.assertTrue(data.endswith(b"Hello World\n"))
        data = self.raw(
            self.port,
            b"GET /info HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"  # a length: kept
            b"GET /info HTTP/1.0\r\n\r\n",
        )
        first, second = split_responses(data)
        self.assertEqual(first[1]["connection"], "keep-alive")
        self.assertEqual(json.loads(second[2])["httpVersion"], "1.0")

    def test_kept_alive_response_says_keep_alive(self):
        """As v0.1's http.js did: a response that keeps the connection open
        says so when the program set no Connection header (an HTTP/1.0 client
        that asked for keep-alive needs it to keep the connection)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            for request in (
                b"GET /info HTTP/1.1\r\nHost: x\r\n\r\n",  # Content-Length
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # chunked
                b"GET /info HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            ):
                response, _ = self.exchange(sock, request)
                self.assertEqual(response.msg.get_all("Connection"), ["keep-alive"], request)
            response, body = self.exchange(sock, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertEqual(response.msg.get_all("Connection"), ["close"])
            self.assertEqual(body, b"Hello World\n")

    def test_pipelined_requests_in_one_packet_answered_in_order(self):
        paths = ["/slow?ms=150", "/slow?ms=0", "/info", "/slow?ms=50", "/"]
        packet = b"".join(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % p.encode() for p in paths[:-1])
        packet += b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        data = self.raw(self.port, packet)
        # the last response (hello world) is chunked: split the framed ones
        *framed, last = data.split(b"HTTP/1.1 200 OK")
        responses = split_responses(b"HTTP/1.1 200 OK".join([b"", *framed[1:]]))
        self.assertEqual([r[2] for r in responses[:2]], [b"/slow?ms=150", b"/slow?ms=0"])
        self.assertEqual(json.loads(responses[2][2])["uri"]["path"], "/info")
        self.assertEqual(responses[3][2], b"/slow?ms=50")
        self.assertIn(b"Hello World\n", last)

    def test_malformed_requests_answered_and_server_keeps_serving(self):
        good = b"GET /slow?ms=0 HTTP/1.1\r\nHost: h\r\n\r\n"
        for bad in MALFORMED:
            data = self.raw(self.port, good + bad)
            responses = split_responses(data)
            self.assertEqual(len(responses), 2, (bad[:60], data[:200]))
            self.assertEqual(responses[0][2], b"/slow?ms=0")
            self.assertEqual(responses[1][0], 431 if len(bad) > 80 * 1024 else 400, bad[:60])
            self.assertEqual(responses[1][1]["connection"], "close")
        self.assertServing(self.port)

    def test_unknown_route_is_the_programs_business(self):
        data = self.raw(self.port, b"GET /nowhere HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        self.assertEqual(split_responses(data)[0][0], 404)


class LateWriteTests(RuntimeServerCase):
    """A program that writes to a response after finish() (tests/js/http/late.js):
    as in Node v0.1 nothing is sent and nothing throws, and one line on stderr
    names the request."""

    def test_late_writes_dropped_server_stays_up(self):
        port = self.start(os.path.join(FIXTURES, "late.js"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            response, body = self.exchange(sock, b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual((response.status, body), (200, b"ok\n"))
            # answered on the same connection only after the late writes
            sock.sendall(b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            rest = b""
            while chunk := sock.recv(65536):
                rest += chunk
        self.assertNotIn(b"LATE", rest)
        [(status, _, body)] = split_responses(rest)
        self.assertEqual((status, body), (200, b"next\n"))
        self.assertServing(port)
        self.server.kill()
        _, err = self.server.communicate(timeout=10)
        lines = err.decode().splitlines()
        self.assertEqual(len(lines), 1, err.decode())
        self.assertIn("GET /late", lines[0])
        self.assertIn("after finish()", lines[0])


class TLSTests(RuntimeServerCase):
    def setUp(self):
        self.env = pki_env()
        self.port = self.start(SERVER, "tls", env=self.env)

    def client(self, mode):
        code, out, err = run_js(os.path.join(FIXTURES, "tls_client.js"), str(self.port), mode, env=self.env)
        self.assertEqual(code, 0, err.decode())
        return json.loads(out.decode().strip().splitlines()[-1])

    def test_mutual_tls_between_runtime_client_and_server(self):
        result = self.client("mutual")
        self.assertEqual(result["status"], 200)
        self.assertEqual(result["clientVerify"], 1)  # trusted, and issued for "localhost"
        self.assertIn("CN=localhost", result["serverDn"])
        self.assertEqual(result["server"]["verify"], 1)  # the client certificate
        self.assertIn("CN=client", result["server"]["dn"])
        self.assertEqual(result["hello"], "Hello World\n")

    def test_runtime_client_reports_an_untrusted_server(self):
        result = self.client("other-ca")
        self.assertEqual(result["clientVerify"], -1)
        self.assertEqual(result["server"]["verify"], 0)  # no client certificate

    def test_curl_with_and_without_a_client_certificate(self):
        if CURL is None:
            raise unittest.SkipTest("curl is not installed")
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_pki(tmp)
            url = f"https://localhost:{self.port}/whoami"
            base = [
                CURL,
                "-sS",
                "--cacert",
                paths["ca_cert"],
                "--resolve",
                f"localhost:{self.port}:127.0.0.1",
            ]
            mutual = subprocess.run(
                [*base, "--cert", paths["client_cert"], "--key", paths["client_key"], url],
                capture_output=True,
                timeout=30,
            )
            self.assertEqual(mutual.returncode, 0, mutual.stderr.decode())
            answer = json.loads(mutual.stdout)
            self.assertEqual(answer["verify"], 1)
            self.assertIn("CN=client", answer["dn"])
            anonymous = subprocess.run([*base, url], capture_output=True, timeout=30)
            self.assertEqual(anonymous.returncode, 0, anonymous.stderr.decode())
            self.assertEqual(json.loads(anonymous.stdout), {"verify": 0, "dn": None})
            hello = subprocess.run(
                [*base, f"https://localhost:{self.port}/"], capture_output=True, timeout=30
            )
            self.assertEqual(hello.stdout, b"Hello World\n")


class BackPressureTests(RuntimeServerCase):
    def test_streaming_past_the_limit_is_refused(self):
        limit = 2 * MB
        port = self.start(
            os.path.join(FIXTURES, "flood.js"), env={"TWISTED_NODE_TCP_MAX_UNDRAINED": str(limit)}
        )
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        self.addCleanup(sock.close)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # and never read
        out, err = self.server.communicate(timeout=60)
        self.assertEqual(self.server.returncode, 0, err.decode())
        result = json.loads(out.decode().strip().splitlines()[-1])
        self.assertEqual(result["code"], "ENOBUFS")
        self.assertTrue(result["sawFalse"])
        # what was taken: the socket buffers and the transport's high-water
        # mark, plus the limit; nowhere near the 256 MiB the program tried
        self.assertLess(result["queued"], limit + 16 * MB)
