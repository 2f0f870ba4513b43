"""stdin reading (bindings/stdio.py Stdin, over protocols/stdio.py's
StdinReader) of a real Runtime: a pipe and a regular file stand in for fd 0,
read through the real reactor."""

from __future__ import annotations

import os

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.trial import unittest

from tests.inprocess import booted_runtime
from twisted_node.bindings import stdio


class Reading:
    def __init__(self, testcase, fd, encoding="utf8"):
        self.runtime = booted_runtime(testcase, reactor)
        self.stdin = stdio.Stdin(self.runtime.host, fd)
        self.chunks = []
        self.closed = Deferred()
        self.stdin.open(
            encoding,
            self.chunks.append,
            lambda: self.closed.callback("".join(self.chunks)),
        )


class StdinTests(unittest.TestCase):
    @inlineCallbacks
    def test_pipe_data_then_close_at_eof(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        reading = Reading(self, r)
        self.assertEqual(reading.runtime.loop.labels(), ["stdin"])
        payload = "".join(f"line {i} \u00e9\u20ac\n" for i in range(20000)).encode()
        # written from the reactor thread, a full pipe would block the reader
        reactor.callInThread(_write_and_close, w, payload)
        text = yield reading.closed
        self.assertEqual(text.encode(), payload)
        self.assertEqual(reading.runtime.loop.count, 0)
        self.assertFalse(reading.stdin.is_open)

    @inlineCallbacks
    def test_split_utf8_character_arrives_whole(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        reading = Reading(self, r)
        euro = "\u20ac".encode()
        os.write(w, b"a" + euro[:1])
        # "a" delivered: the first read has happened, and it ended inside
        # the euro sign, whose first byte the decoder holds back.
        for _ in range(500):
            if reading.chunks:
                break
            yield _turns(1)
        self.assertEqual(reading.chunks, ["a"])
        os.write(w, euro[1:] + b"b")
        os.close(w)
        text = yield reading.closed
        self.assertEqual(text, "a\u20acb")
        self.assertEqual(reading.chunks, ["a", "\u20acb"])

    @inlineCallbacks
    def test_regular_file(self):
        path = self.mktemp()
        payload = os.urandom(300000)
        with open(path, "wb") as f:
            f.write(payload)
        fd = os.open(path, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        reading = Reading(self, fd, "binary")
        text = yield reading.closed
        self.assertEqual(text.encode("latin-1"), payload)

    @inlineCallbacks
    def test_close_stops_reading_and_releases(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        reading = Reading(self, r)
        os.write(w, b"before\n")
        for _ in range(100):
            if reading.chunks:
                break
            yield _turns(1)
        reading.stdin.close()
        reading.stdin.close()  # idempotent
        self.assertEqual(reading.runtime.loop.count, 0)
        os.write(w, b"after\n")
        yield _turns(5)
        self.assertEqual(reading.chunks, ["before\n"])
        self.assertFalse(reading.closed.called)  # close() is not end of input
        os.fstat(r)  # and the fd itself stays open

    def test_no_stdin_is_an_error(self):
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        stdin = stdio.Stdin(booted_runtime(self, reactor).host, r)
        self.assertRaises(OSError, stdin.open, "utf8", print, print)
        self.assertFalse(stdin.is_open)

    def test_bad_encoding_is_an_error(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        stdin = stdio.Stdin(booted_runtime(self, reactor).host, r)
        self.assertRaises(ValueError, stdin.open, "utf16", print, print)
        self.assertFalse(stdin.is_open)


def _write_and_close(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.close(fd)


def _turns(n):
    d = Deferred()
    reactor.callLater(0.01 * n, d.callback, None)
    return d
