"""A reactor turn's tcp events other than "receive" go up to the program in
one call (bindings/tcp_events.py); each must still be handled as if it had
come alone: its exceptions, its process.nextTick callbacks, a
promise.wait() that needs the events behind it or the peer's answer to one
before it, and each connection's own answer. Real sockets against
tests/js/tcp/one_turn.js; a "busy" line holds the loop while the clients
end their side (or connect), so that their "eof" (or "connection") events
come in the same turn."""

from __future__ import annotations

import os
import socket
import time

from tests.load import read_until_closed
from tests.test_http_js import RuntimeServerCase
from tests.test_http_safety import connect

ONE_TURN = os.path.join(os.path.dirname(__file__), "js", "tcp", "one_turn.js")


def read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


class OneTurnTests(RuntimeServerCase):
    def setUp(self):
        self.port = self.start(ONE_TURN)

    def named(self, name: str) -> socket.socket:
        sock = connect(self.port)
        self.addCleanup(sock.close)
        sock.sendall(name.encode() + b"\n")
        self.assertEqual(read_line(sock), b"hi " + name.encode() + b"\n")
        return sock

    def end_in_one_turn(self, socks: list[socket.socket]) -> None:
        """End each client's side while the server is busy, so that the
        "eof" events arrive together."""
        busy = connect(self.port)
        self.addCleanup(busy.close)
        busy.sendall(b"busy 400\n")
        time.sleep(0.15)  # the server is spinning now (if not, the test is merely weaker)
        for sock in socks:
            sock.shutdown(socket.SHUT_WR)
        self.assertEqual(read_line(busy), b"busy\n")

    def line(self, text: bytes) -> bytes:
        with connect(self.port) as sock:
            sock.sendall(text)
            return read_line(sock)

    def test_each_answer_on_its_own_connection(self):
        names = [f"client{i}" for i in range(20)]
        socks = [self.named(name) for name in names]
        self.end_in_one_turn(socks)
        self.assertEqual(
            [read_until_closed(sock) for sock in socks],
            [f"private data for {name}\n".encode() for name in names],
        )

    def test_a_throw_reaches_no_other_connection(self):
        names = ["a", "throw", "b", "throw", "c"]
        socks = [self.named(name) for name in names]
        self.end_in_one_turn(socks)
        answers = [read_until_closed(sock) for sock in socks]
        own = [b"private data for a\n", b"private data for b\n", b"private data for c\n"]
        self.assertEqual(answers, [own[0], b"thrown\n", own[1], b"thrown\n", own[2]])
        self.assertEqual(self.line(b"log\n"), b";2\n")

    def test_next_tick_runs_before_the_next_event(self):
        socks = [self.named(f"tick-{i}") for i in (1, 2, 3)]
        self.end_in_one_turn(socks)
        self.assertEqual([read_until_closed(sock) for sock in socks], [b"tick 1\n", b"tick 2\n", b"tick 3\n"])
        log = self.line(b"log\n").decode().rstrip("\n").split(";")
        events = log[0].split(",")
        # Each "eof" listener's tick before the next "eof"; the closes after.
        self.assertEqual(events[:6], ["eof 1", "tick 1", "eof 2", "tick 2", "eof 3", "tick 3"])
        self.assertEqual(sorted(events[6:]), ["close 1", "close 2", "close 3"])

    def test_a_wait_for_an_event_behind_it_in_the_same_turn(self):
        # "wait" waits for "releaser", behind it in the same call: it must
        # come during the wait, not after it.
        socks = [self.named(name) for name in ("first", "wait", "releaser", "after")]
        self.end_in_one_turn(socks)
        self.assertEqual(
            [read_until_closed(sock) for sock in socks],
            [b"private data for first\n", b"waited\n", b"released\n", b"private data for after\n"],
        )

    def test_a_wait_does_not_hold_back_what_was_done_before_it(self):
        # "first" is answered and closed before "wait" waits in the same
        # call: that answer must reach its client during the wait, whose
        # end this client brings about once it has it.
        socks = [self.named(name) for name in ("first", "wait")]
        self.end_in_one_turn(socks)
        self.assertEqual(read_until_closed(socks[0]), b"private data for first\n")
        self.assertEqual(self.line(b"release\n"), b"released\n")
        self.assertEqual(read_until_closed(socks[1]), b"waited\n")

    def test_a_refused_connection_takes_no_other_with_it(self):
        # Four connections accepted in one turn; the "connection" listener
        # throws for the first and the third: those are dropped, the
        # others are served, and so is the connection made before them.
        control = connect(self.port)
        self.addCleanup(control.close)
        control.sendall(b"refuse\n")
        self.assertEqual(read_line(control), b"refusing\n")
        control.sendall(b"busy 400\n")
        time.sleep(0.15)
        socks = [connect(self.port) for _ in range(4)]
        self.assertEqual(read_line(control), b"busy\n")
        for sock in socks:
            self.addCleanup(sock.close)
        served = []
        for sock in socks:
            try:
                sock.sendall(b"who\n")
                served.append(read_line(sock))
            except ConnectionResetError:
                served.append(b"")
        self.assertEqual(served, [b"", b"hi who\n", b"", b"hi who\n"])
        control.sendall(b"log\n")
        self.assertEqual(read_line(control), b";2\n")
