"""protocols/stdio.py without JavaScript: the stdout writer thread and the
stdin reader, on pipes. (stdin as a program sees it, through the binding:
test_stdio_stdin.py and test_stdio_js.py.)"""

from __future__ import annotations

import os

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.task import deferLater
from twisted.trial import unittest

from twisted_node.protocols import stdio


def _pipe(testcase) -> tuple[int, int]:
    """The test closes the write end itself (closing a number twice could
    close what the reactor opened under it since)."""
    r, w = os.pipe()
    testcase.addCleanup(os.close, r)
    return r, w


class StdoutWriterTests(unittest.TestCase):
    def test_writes_arrive_in_order_once_flushed(self):
        r, w = _pipe(self)
        writer = stdio.StdoutWriter(w)
        for i in range(100):
            writer.write(b"%d," % i)
        writer.flush()
        writer.write_sync(b"sync")
        os.close(w)
        expected = b"".join(b"%d," % i for i in range(100)) + b"sync"
        self.assertEqual(os.read(r, 65536), expected)


class StdinReaderTests(unittest.TestCase):
    @inlineCallbacks
    def test_data_then_eof(self):
        r, w = _pipe(self)
        chunks, eof = [], Deferred()
        reader = stdio.StdinReader(reactor, chunks.append, lambda: eof.callback(None), r)
        reader.startReading()
        os.write(w, b"hello")
        os.close(w)
        yield eof
        self.assertEqual(b"".join(chunks), b"hello")
        os.fstat(r)  # the reader leaves its fd open

    @inlineCallbacks
    def test_stop_is_not_end_of_input(self):
        r, w = _pipe(self)
        events = []
        reader = stdio.StdinReader(reactor, events.append, lambda: events.append("eof"), r)
        reader.startReading()
        reader.stop()
        os.write(w, b"unread")
        os.close(w)
        yield deferLater(reactor, 0.05, lambda: None)
        self.assertEqual(events, [])
        self.assertEqual(os.read(r, 100), b"unread")
