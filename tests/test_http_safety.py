"""The HTTP server under attack (issue 18): what a client that stalls,
disconnects, floods or lies, and a program that throws at any point of a
request's life, do to a server run by the runtime. Real sockets on
127.0.0.1 against tests/js/http/hostile.js and flood_many.js.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import time

from tests.test_http_js import FIXTURES, RuntimeServerCase, read_until_closed

HOSTILE = os.path.join(FIXTURES, "hostile.js")
FLOOD_MANY = os.path.join(FIXTURES, "flood_many.js")
MB = 1024 * 1024


def request(path: str, close=False, body=b"", method="GET") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: test\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode() + body


def own(path: str) -> bytes:
    """What the server answers a request for `path` (a query is not part of it)."""
    return b"private data for " + path.split("?")[0].encode() + b"\n"


def connect(port: int, timeout=10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def take_response(data: bytes):
    """(status, headers, body, rest) for the Content-Length framed response
    at the start of `data`, or None while it is incomplete."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    size = int(headers.get("content-length", "0"))
    if len(rest) < size:
        return None
    return int(lines[0].split()[1]), headers, rest[:size], rest[size:]


def read_response(sock: socket.socket, data: bytes = b""):
    """The next response from `sock` (after what `data` already holds):
    (status, headers, body, what came after it)."""
    while True:
        taken = take_response(data)
        if taken is not None:
            return taken
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed by the server after {data!r}")
        data += chunk


def server_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def close_wait_sockets(port: int) -> int:
    """Sockets in CLOSE-WAIT whose local port is `port` (the server's side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "08":
                count += 1
    return count


def eventually(check, seconds=30.0, what="the condition"):
    """Poll `check()` until it is true (a bounded loop, not a timing assertion:
    the deadline only stops a test that would otherwise hang)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


class ThrowingHandlerTests(RuntimeServerCase):
    """A response never reaches another connection, whatever the program
    throws and wherever (issue 18, item 1)."""

    # Where the handler throws, and whether Alice's response was finished
    # before the throw (so that she must get it).
    POINTS = {
        "request-before": False,
        "request-head": False,
        "request-body": False,
        "request-finish": True,
        "body-finish": True,
        "complete-finish": True,
        "complete-before": False,
        "timer-finish": True,
        "wait-finish": True,
    }

    def setUp(self):
        self.port = self.start(HOSTILE)

    def alice_then_bob(self, point: str, answered: bool):
        alice = connect(self.port)
        self.addCleanup(alice.close)
        path = f"/alice?throw={point}"
        body = b"hello" if point.startswith("body") else b""
        alice.sendall(request(path, body=body, method="POST" if body else "GET"))
        if answered and point != "wait-finish":
            # Alice's own response, at once (it was finished before the throw)
            status, _, text, rest = read_response(alice)
            self.assertEqual((status, text, rest), (200, own(path), b""), point)
        # Bob, on another connection (inside Alice's wait() for wait-finish)
        with connect(self.port) as bob:
            bob.sendall(request("/bob", close=True))
            bob_data = read_until_closed(bob)
        status, _, text, rest = take_response(bob_data)
        self.assertEqual((status, text, rest), (200, own("/bob"), b""), f"Bob's stream, {point}")
        if answered and point == "wait-finish":
            status, _, text, rest = read_response(alice)
            self.assertEqual((status, text, rest), (200, own(path), b""), point)
        if answered:
            # and Alice's connection carries her next request, nothing else
            alice.sendall(request("/alice2", close=True))
            status, _, text, rest = take_response(read_until_closed(alice))
            self.assertEqual((status, text, rest), (200, own("/alice2"), b""), point)

    def test_a_throw_at_each_point_of_a_request(self):
        for point, answered in self.POINTS.items():
            self.alice_then_bob(point, answered)
        with connect(self.port) as sock:
            sock.sendall(request("/throws", close=True))
            status, _, text, _ = take_response(read_until_closed(sock))
        self.assertEqual(text, str(len(self.POINTS)).encode(), "every point threw once")

    def test_pipelined_requests_after_a_throw(self):
        """A throw after finishing the first of two pipelined requests: both
        are answered, in order, on their own connection."""
        with connect(self.port) as alice:
            alice.sendall(request("/a1?throw=request-finish") + request("/a2", close=True))
            data = read_until_closed(alice)
        first = take_response(data)
        second = take_response(first[3])
        self.assertEqual([first[2], second[2], second[3]], [own("/a1"), own("/a2"), b""])


class ClosingClientTests(RuntimeServerCase):
    """A client that goes away while its request is unanswered (item 2)."""

    def setUp(self):
        self.port = self.start(HOSTILE)

    def test_unanswered_requests_of_closed_clients_hold_nothing(self):
        pid = self.server.pid
        with connect(self.port) as sock:  # warm up: the first connection's objects
            sock.sendall(request("/", close=True))
            read_until_closed(sock)
        start = server_fds(pid)
        for i in range(100):
            sock = connect(self.port)
            sock.sendall(request(f"/never{i}?never" if i % 2 else f"/thrown{i}?throw=request-before"))
            sock.close()
        eventually(lambda: server_fds(pid) <= start, what="the server closing its 100 sockets")
        eventually(lambda: close_wait_sockets(self.port) == 0, what="no socket left in CLOSE-WAIT")
        self.assertServingHostile()

    def test_half_closed_client_gets_the_connection_closed(self):
        with connect(self.port) as sock:
            sock.sendall(request("/never?never"))
            sock.shutdown(socket.SHUT_WR)
            self.assertEqual(read_until_closed(sock), b"")  # closed by the server

    def test_answers_to_gone_clients_are_dropped_quietly(self):
        for i in range(5):
            sock = connect(self.port)
            sock.sendall(request(f"/late{i}?late=200"))
            sock.close()
        # A client that stays: its answer is due after theirs.
        with connect(self.port) as sock:
            sock.sendall(request("/stayed?late=400"))
            self.assertEqual(read_response(sock)[2], own("/stayed"))
            sock.sendall(request("/throws", close=True))
            status, _, text, _ = take_response(read_until_closed(sock))
        self.assertEqual(text, b"0", "answering a gone client threw")

    def assertServingHostile(self):
        with connect(self.port) as sock:
            sock.sendall(request("/ok", close=True))
            self.assertEqual(take_response(read_until_closed(sock))[2], own("/ok"))


class SlowClientTests(RuntimeServerCase):
    """Slow heads and stalled bodies (slowloris) meet the server's time
    limits (item 3): headersTimeout 1000 ms, requestTimeout 3000 ms here."""

    def setUp(self):
        self.port = self.start(HOSTILE, "1000", "3000")

    def test_slow_head_answered_408_while_others_are_served(self):
        slow = connect(self.port)
        self.addCleanup(slow.close)
        slow.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\nX-Trickle: ")
        slow.settimeout(0.2)
        answer = b""
        for _ in range(400):  # 80 s of trickling at most, a 400-byte header
            try:
                slow.sendall(b"x")
                chunk = slow.recv(65536)
            except TimeoutError:
                chunk = None
            except (BrokenPipeError, ConnectionResetError):
                break
            if chunk == b"":
                break
            if chunk:
                answer += chunk
            # meanwhile, a normal client is served
            with connect(self.port) as other:
                other.sendall(request("/normal", close=True))
                self.assertEqual(take_response(read_until_closed(other))[2], own("/normal"))
        status, headers, _, rest = take_response(answer)
        self.assertEqual((status, headers["connection"], rest), (408, "close", b""))

    def test_connection_that_sends_nothing_answered_408(self):
        with connect(self.port) as silent:
            status, headers, _, rest = take_response(read_until_closed(silent))
        self.assertEqual((status, headers["connection"], rest), (408, "close", b""))

    def test_stalled_body_answered_408(self):
        """The program waits for "complete", which never comes."""
        with connect(self.port) as sock:
            sock.sendall(
                b"POST /up?oncomplete HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789"
            )
            status, headers, _, rest = take_response(read_until_closed(sock))
        self.assertEqual((status, headers["connection"], rest), (408, "close", b""))

    def test_stalled_body_of_an_answered_request_closes(self):
        """The program answered at once: the connection is closed after its
        answer, with no 408 behind it."""
        with connect(self.port) as sock:
            sock.sendall(b"POST /up HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789")
            status, _, text, rest = take_response(read_until_closed(sock))
        self.assertEqual((status, text, rest), (200, own("/up"), b""))

    def test_server_under_a_descriptor_limit_recovers(self):
        """With its descriptors all taken by slow clients, the server serves
        nobody; once their head timeout fires, it serves again."""
        pid = self.server.pid
        limit = server_fds(pid) + 24
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
        slow = []
        for _ in range(40):
            sock = socket.socket()
            sock.settimeout(10)
            try:
                sock.connect(("127.0.0.1", self.port))
                sock.sendall(b"GET /slow HTTP/1.1\r\nHost: test\r\nX-Trickle: ")
            except OSError:
                sock.close()
                continue
            slow.append(sock)
        self.addCleanup(lambda: [s.close() for s in slow])
        eventually(lambda: server_fds(pid) >= limit - 1, what="the slow clients taking every descriptor")
        served = []

        def normal_request_served() -> bool:
            try:
                with connect(self.port, timeout=2) as other:
                    other.sendall(request("/normal", close=True))
                    served.append(take_response(read_until_closed(other))[2])
            except (OSError, TypeError):
                return False  # refused, reset, closed at once or not answered
            return served[-1] == own("/normal")

        eventually(normal_request_served, what="a normal request served after the head timeouts")
        answered = 0
        for sock in slow:
            sock.settimeout(5)
            try:
                data = read_until_closed(sock)
            except OSError:
                continue
            answered += data.startswith(b"HTTP/1.1 408 ")
        self.assertGreater(answered, 10, "the slow clients that got in were answered 408")


def memory_kib(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (the peak) of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


class StalledReaderTests(RuntimeServerCase):
    """Writes nobody drains are bounded for the whole process (item 5)."""

    def test_stalled_readers_under_the_process_wide_limit(self):
        total = 96 * MB
        port = self.start(FLOOD_MANY, env={"TWISTED_NODE_MAX_UNDRAINED_TOTAL": str(total)})
        pid = self.server.pid
        before = memory_kib(pid, "VmRSS")
        readers, results = [], []
        for _ in range(4):  # each could queue 64 MiB on its own
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request("/"))  # and never read
            readers.append(sock)
            results.append(json.loads(self.server.stdout.readline()))
        self.addCleanup(lambda: [s.close() for s in readers])
        self.assertEqual([r["code"] for r in results], ["ENOBUFS"] * 4)
        self.assertIn("TWISTED_NODE_MAX_UNDRAINED_TOTAL", results[-1]["message"])
        # What the four could queue: the process's limit, plus what the
        # kernel and the transports took before each connection was full.
        self.assertLess(sum(r["queued"] for r in results), total + 4 * 4 * MB)
        # Memory: the limit and a small constant, not the sum of the
        # connections' limits (256 MiB), nor twice what was queued.
        grown = (memory_kib(pid, "VmHWM") - before) * 1024
        self.assertLess(grown, total + 48 * MB)
