"""A few thousand malformed requests, generated from a fixed seed, against a
server run by the runtime (tests/js/http/hostile.js) over real sockets: each
gets a clean 4xx and a close (or, once the program has the request, a
close), and a normal request keeps being served all along.

Two generators: requests broken on purpose in one place, each a way the
RFC 9112 grammar (or the server's limits) refuses, so the answer must be a
400 (431 for a head over the limit); and valid requests mutated at random
(bytes flipped, inserted, dropped, lines doubled), which may or may not stay
valid, so the answer must only be well-formed responses and a close. The
client half-closes after sending, so that every exchange ends without
waiting for a timeout.
"""

from __future__ import annotations

import random
import socket

from tests.test_http_js import RuntimeServerCase
from tests.test_http_safety import HOSTILE, connect, own, read_until_closed, request, take_response

SEED = 20261129
GOOD_LINE = b"GET /fuzz?a=1 HTTP/1.1\r\n"
TOKEN = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
NOT_TOKEN = b'()<>@,;:\\"/[]?={}\x00\x01\x08\x0b\x0c\x1f\x7f'
CTL = bytes([c for c in range(32) if c not in (9, 10)]) + b"\x7f"  # HTAB is allowed, LF ends a line


def head(line: bytes = GOOD_LINE, headers=(b"Host: fuzz",), body=b"") -> bytes:
    return line + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


class Broken:
    """Requests broken in one place, each refused by the grammar: (bytes,
    expected status). A generator method per kind of break."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def insert(self, text: bytes, alphabet: bytes) -> bytes:
        at = self.rng.randrange(1, len(text)) if len(text) > 1 else 1
        return text[:at] + bytes([self.rng.choice(alphabet)]) + text[at:]

    def method(self):
        bad = self.insert(self.rng.choice([b"GET", b"POST", b"PUT", b"DELETE"]), NOT_TOKEN)
        return head(bad + b" /fuzz HTTP/1.1\r\n"), 400

    def target(self):
        bad = self.insert(b"/fuzz/path?q=1", CTL.replace(b"\r", b""))
        return head(b"GET " + bad + b" HTTP/1.1\r\n"), 400

    def version(self):
        bad = self.rng.choice(
            [b"HTTP/11", b"HTTP/1", b"HTTP/a.b", b"HTTPS/1.1", b"http/1.1", b"HTTP/1.1x", b"HTTP/1.1 x", b""]
        )
        return head(b"GET /fuzz " + bad + b"\r\n"), 400

    def header_name(self):
        name = self.rng.choice([b"X-Fuzz", b"Accept", b"Content-Type", b"A"])
        # (a colon inserted would only end the name early: still a header)
        inserted = self.insert(name, NOT_TOKEN.replace(b":", b""))
        bad = self.rng.choice([inserted, b"", name + b" ", b" " + name])
        return head(headers=(b"Host: fuzz", bad + b": value")), 400

    def header_value(self):
        value = b"some value here"
        bad = self.rng.choice([self.insert(value, CTL.replace(b"\r", b"")), value + b"\rx"])  # or a bare CR
        return head(headers=(b"Host: fuzz", b"X-Fuzz: " + bad)), 400

    def content_length(self):
        bad = self.rng.choice(
            [
                [b"Content-Length: " + self.rng.choice([b"abc", b"-1", b"+1", b"1.5", b"0x10", b"1 2", b""])],
                [b"Content-Length: 99999999999999999999999"],
                [b"Content-Length: 1", b"Content-Length: 2"],
                [b"Content-Length: 1, 2"],
            ]
        )
        return head(b"POST /fuzz HTTP/1.1\r\n", (b"Host: fuzz", *bad), b"ab"), 400

    def length_and_chunked(self):
        headers = [b"Host: fuzz", b"Content-Length: 5", b"Transfer-Encoding: chunked"]
        self.rng.shuffle(headers)
        return head(b"POST /fuzz HTTP/1.1\r\n", headers, b"0\r\n\r\n"), 400

    def transfer_coding(self):
        if self.rng.random() < 0.5:  # HTTP/1.0 with any coding
            coding = self.rng.choice([b"chunked", b"identity", b"gzip, chunked"])
            return head(b"POST /fuzz HTTP/1.0\r\n", (b"Transfer-Encoding: " + coding,), b"0\r\n\r\n"), 400
        coding = self.rng.choice([b"gzip", b"chunked, gzip", b"chunked, identity", b"identity"])
        return head(b"POST /fuzz HTTP/1.1\r\n", (b"Host: fuzz", b"Transfer-Encoding: " + coding)), 400

    def host(self):
        bad = self.rng.choice(
            [
                [],
                [b"Host: a", b"Host: b"],
                [b"Host: a", b"Host: a"],
                [b"Host: " + self.insert(b"example.com", b' /@"<>\\^`{|}')],
                [b"Host: [::1"],
                [b"Host: a:b"],
            ]
        )
        return head(headers=bad), 400

    def folded(self):
        return head(headers=(b"Host: fuzz", b"X-Fuzz: a", self.rng.choice([b" folded", b"\tfolded"]))), 400

    def too_large(self):
        size = self.rng.randrange(81 * 1024, 120 * 1024)
        if self.rng.random() < 0.5:
            return head(headers=(b"Host: fuzz", b"X-Big: " + b"b" * size)), 431
        return head(b"GET /" + b"u" * size + b" HTTP/1.1\r\n"), 431

    def garbage(self):
        first = self.rng.choice(NOT_TOKEN.replace(b"\r", b""))
        rest = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(0, 200)))
        return bytes([first]) + rest + b"\r\n\r\n", 400

    KINDS = (
        "method",
        "target",
        "version",
        "header_name",
        "header_value",
        "content_length",
        "length_and_chunked",
        "transfer_coding",
        "host",
        "folded",
        "too_large",
        "garbage",
    )

    def next(self) -> tuple[str, bytes, int]:
        kind = self.rng.choice(self.KINDS)
        data, status = getattr(self, kind)()
        return kind, data, status


def mutate(rng: random.Random) -> bytes:
    """A valid request, then one to three random edits."""
    data = bytearray(
        rng.choice(
            [
                head(),
                head(b"POST /fuzz HTTP/1.1\r\n", (b"Host: fuzz", b"Content-Length: 5"), b"hello"),
                head(
                    b"POST /fuzz HTTP/1.1\r\n",
                    (b"Host: fuzz", b"Transfer-Encoding: chunked"),
                    b"5\r\nhello\r\n0\r\n\r\n",
                ),
                head(b"GET /fuzz HTTP/1.0\r\n", (b"Connection: keep-alive",)),
            ]
        )
    )
    for _ in range(rng.randrange(1, 4)):
        edit = rng.randrange(5)
        at = rng.randrange(len(data))
        if edit == 0:
            data[at] ^= 1 << rng.randrange(8)
        elif edit == 1:
            data.insert(at, rng.randrange(256))
        elif edit == 2 and len(data) > 1:
            del data[at]
        elif edit == 3:
            lines = bytes(data).split(b"\r\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            data = bytearray(b"\r\n".join(lines))
        else:
            data[at] = rng.choice(b"\r\n\x00 :")
    return bytes(data)


def exchange(port: int, data: bytes) -> bytes:
    """Send `data`, half-close, read until the server closes (a reset ends
    it too: what had arrived is returned)."""
    received = []
    with connect(port) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            while chunk := sock.recv(65536):
                received.append(chunk)
        except (ConnectionResetError, BrokenPipeError):
            pass
    return b"".join(received)


def responses(data: bytes) -> list[tuple[int, dict, bytes]]:
    """The Content-Length framed responses `data` holds, which must be all of it."""
    out = []
    while data:
        taken = take_response(data)
        if taken is None or not data.startswith(b"HTTP/1.1 "):
            raise AssertionError(f"not a well-formed response: {data[:200]!r}")
        status, headers, body, data = taken
        out.append((status, headers, body))
    return out


class FuzzTests(RuntimeServerCase):
    timeout = 600

    def setUp(self):
        self.port = self.start(HOSTILE)

    def assertServing(self):
        with connect(self.port) as sock:
            sock.sendall(request("/alive", close=True))
            self.assertEqual(take_response(read_until_closed(sock))[2], own("/alive"))
        self.assertIsNone(self.server.poll(), "the server is still running")

    def test_broken_requests_refused_cleanly(self):
        rng = random.Random(SEED)
        broken = Broken(rng)
        good = request("/good")
        for i in range(2000):
            kind, data, status = broken.next()
            before = rng.random() < 0.5  # after a good request in the same packet
            answer = responses(exchange(self.port, good + data if before else data))
            case = (i, kind, data[:120])
            self.assertEqual([r[0] for r in answer], [200, status] if before else [status], case)
            self.assertEqual(answer[-1][1]["connection"], "close", case)
            if before:
                self.assertEqual(answer[0][2], own("/good"), case)
            if i % 100 == 0:
                self.assertServing()
        self.assertServing()

    def test_mutated_requests_answered_well_formed(self):
        rng = random.Random(SEED + 1)
        for i in range(1000):
            data = mutate(rng)
            answer = responses(exchange(self.port, data))
            case = (i, data)
            statuses = [r[0] for r in answer]
            self.assertTrue(set(statuses) <= {200, 400, 431}, case)
            if any(s >= 400 for s in statuses):
                self.assertGreaterEqual(statuses[-1], 400, case)  # an error ends the stream
                self.assertEqual(answer[-1][1]["connection"], "close", case)
            for status, _, body in answer:
                if status == 200:
                    self.assertTrue(body.startswith(b"private data for /"), case)
            if i % 100 == 0:
                self.assertServing()
        self.assertServing()
