"""The table process.binding("posix") is made from (bindings/posix.py), for
a real Runtime: promises (Deferreds) with the manual's success arguments, the
Sync variants, the program's open files closed when it ends."""

from __future__ import annotations

import os
import shutil
import tempfile

from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from twisted.internet.task import deferLater
from twisted.trial import unittest

from tests.inprocess import booted_runtime
from tests.test_posix import _close_quietly, _fds_open_on
from twisted_node.bindings import posix as posix_binding
from twisted_node.jsbridge.promises import Args
from twisted_node.protocols import posix


class BindingTests(unittest.TestCase):
    """The table process.binding("posix") is made from (the bridge turns its
    Deferreds into promises and Args into several success arguments), for a
    real Runtime on trial's reactor."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twisted_node_posix_")
        self.addCleanup(shutil.rmtree, self.dir)
        self.runtime = booted_runtime(self, reactor, keep_alive=True)
        self.table = posix_binding.binding(self.runtime.host)

    def program_ends(self):
        """The program ends (as by process.exit); fires once it has."""
        self.runtime.stop(0)
        return self.runtime.whenFinished()

    @inlineCallbacks
    def test_success_arguments(self):
        p = os.path.join(self.dir, "f")
        fd = yield self.table["open"](p, os.O_CREAT | os.O_RDWR, 0o600)
        self.addCleanup(_close_quietly, fd)
        self.assertEqual((yield self.table["write"](fd, "hello", None, "utf8")), 5)
        result = yield self.table["read"](fd, 10, 0, None)
        self.assertEqual((type(result), result), (Args, ("hello", 5)))
        self.assertEqual((yield self.table["close"](fd)), Args())
        self.assertEqual((yield self.table["stat"](p))[7], 5)

    def test_sync_variants_are_the_blocking_calls(self):
        for name, call in posix.BLOCKING_CALLS.items():
            if name not in ("open", "close"):  # these also track open files
                self.assertIs(self.table[name + "Sync"], call)
        self.assertEqual(self.table["constants"], posix.constants())

    @inlineCallbacks
    def test_files_left_open_are_closed_when_the_program_ends(self):
        paths = [os.path.join(self.dir, name) for name in ("a", "b", "c", "d")]
        flags = os.O_CREAT | os.O_WRONLY
        a = yield self.table["open"](paths[0], flags, 0o600)
        b = self.table["openSync"](paths[1], flags, 0o600)
        c = yield self.table["open"](paths[2], flags, 0o600)
        d = self.table["openSync"](paths[3], flags, 0o600)
        yield self.table["close"](c)
        self.table["closeSync"](d)
        # The host opens a file, which may get the number c or d had.
        host_fd = os.open(os.path.join(self.dir, "host"), flags, 0o600)
        self.addCleanup(os.close, host_fd)
        self.assertEqual(
            sorted(_fds_open_on(paths[0]) + _fds_open_on(paths[1])),
            sorted([str(a), str(b)]),
        )
        yield self.program_ends()
        self.assertEqual([_fds_open_on(p) for p in paths], [[], [], [], []])
        os.fstat(host_fd)  # still open: the program closed only its own

    @inlineCallbacks
    def test_files_are_closed_after_the_calls_still_running(self):
        """A write still on the pool when the program ends finishes on its
        own file before that file is closed."""
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)
        fd = self.table["openSync"](fifo, os.O_RDWR, 0)
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self.addCleanup(os.close, reader)
        size = 256 * 1024  # more than a pipe holds: the write blocks
        writing = self.table["write"](fd, "x" * size, None)
        yield self.program_ends()
        both = {str(reader), str(fd)}
        self.assertEqual(set(_fds_open_on(fifo)), both)
        received = 0
        for _ in range(500):  # bounded: drain the pipe, a turn at a time
            try:
                received += len(os.read(reader, size))
            except BlockingIOError:
                pass
            if received == size and set(_fds_open_on(fifo)) != both:
                break
            yield deferLater(reactor, 0.01, lambda: None)
        self.assertEqual(received, size)
        self.assertEqual((yield writing), size)
        self.assertEqual(_fds_open_on(fifo), [str(reader)])

    def test_unknown_encoding_throws_before_the_thread(self):
        p = os.path.join(self.dir, "f")
        for name, args in [
            ("read", (0, 1, None, "ebcdic")),
            ("write", (1, "x", None, "utf16")),
            ("cat", (p, "klingon")),
        ]:
            error = self.assertRaises(ValueError, self.table[name], *args)
            self.assertIn("encoding", str(error))
