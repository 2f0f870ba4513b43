"""Requests read in one reactor turn go up to the program in one call
(protocols/http_server.py's _RequestTurn); each must still be handled as if
it had come alone: its exceptions, its process.nextTick callbacks, a
promise.wait() that needs the requests behind it, and each answer on its
own connection. Real sockets against tests/js/http/one_turn.js; a /busy
request holds the loop while the others are sent, so that they are read in
the same turn."""

from __future__ import annotations

import os
import time

from tests.test_http_js import FIXTURES, RuntimeServerCase
from tests.test_http_safety import connect, read_response, request

ONE_TURN = os.path.join(FIXTURES, "one_turn.js")


class OneTurnTests(RuntimeServerCase):
    def setUp(self):
        self.port = self.start(ONE_TURN)

    def in_one_turn(self, paths: list[str]) -> list[bytes]:
        """Send a request for each path on its own connection while the
        server is busy, so that they arrive together; each one's answer."""
        busy = connect(self.port)
        self.addCleanup(busy.close)
        busy.sendall(request("/busy?ms=400"))
        time.sleep(0.15)  # the server is spinning now (if not, the test is merely weaker)
        socks = []
        for path in paths:
            sock = connect(self.port)
            self.addCleanup(sock.close)
            sock.sendall(request(path))
            socks.append(sock)
        self.assertEqual(read_response(busy)[2], b"busy\n")
        return [read_response(sock)[2] for sock in socks]

    def log(self) -> bytes:
        with connect(self.port) as sock:
            sock.sendall(request("/log"))
            return read_response(sock)[2]

    def test_each_answer_on_its_own_connection(self):
        paths = [f"/client{i}" for i in range(20)]
        answers = self.in_one_turn(paths)
        self.assertEqual(answers, [f"private data for {path}\n".encode() for path in paths])

    def test_a_throw_reaches_no_other_request(self):
        answers = self.in_one_turn(["/a", "/throw", "/b", "/throw", "/c"])
        own = [b"private data for /a\n", b"private data for /b\n", b"private data for /c\n"]
        self.assertEqual(answers, [own[0], b"thrown\n", own[1], b"thrown\n", own[2]])
        self.assertEqual(self.log(), b";2\n")

    def test_next_tick_runs_before_the_next_request(self):
        answers = self.in_one_turn(["/tick?n=1", "/tick?n=2", "/tick?n=3"])
        self.assertEqual(answers, [b"tick 1\n", b"tick 2\n", b"tick 3\n"])
        self.assertEqual(self.log(), b"request 1,tick 1,request 2,tick 2,request 3,tick 3;0\n")

    def test_a_wait_for_a_request_behind_it_in_the_same_turn(self):
        # /wait is handed up, and waits for /release, which is behind it in
        # the same call: it must come during the wait, not after it. (The
        # first connection accepted after /busy tends to be read alone.)
        answers = self.in_one_turn(["/first", "/wait", "/release", "/after"])
        self.assertEqual(
            answers, [b"private data for /first\n", b"waited\n", b"released\n", b"private data for /after\n"]
        )

    def test_a_character_beyond_the_bmp_shifts_no_other_answer(self):
        with connect(self.port) as sock:
            sock.sendall(request("/astral"))
            alone = read_response(sock)[2]
        self.assertEqual(alone, b"x\x00y\n")
        answers = self.in_one_turn(["/astral", "/a", "/astral", "/b"])
        self.assertEqual(answers, [alone, b"private data for /a\n", alone, b"private data for /b\n"])

    def test_a_wait_does_not_hold_back_the_answers_before_it(self):
        # /second is answered before /wait waits in the same call: that
        # answer must reach its client during the wait, whose end this
        # client brings about once it has it. (The first connection
        # accepted after /busy tends to be read alone.)
        busy = connect(self.port)
        self.addCleanup(busy.close)
        busy.sendall(request("/busy?ms=400"))
        time.sleep(0.15)
        socks = []
        for path in ("/first", "/second", "/wait"):
            sock = connect(self.port)
            self.addCleanup(sock.close)
            sock.sendall(request(path))
            socks.append(sock)
        self.assertEqual(read_response(busy)[2], b"busy\n")
        self.assertEqual(read_response(socks[0])[2], b"private data for /first\n")
        self.assertEqual(read_response(socks[1])[2], b"private data for /second\n")
        with connect(self.port) as sock:
            sock.sendall(request("/release"))
            self.assertEqual(read_response(sock)[2], b"released\n")
        self.assertEqual(read_response(socks[2])[2], b"waited\n")
