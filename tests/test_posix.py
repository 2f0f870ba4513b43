"""The file operations of require("posix") without JavaScript
(protocols/posix.py): blocking calls on the reactor's thread pool, results on
the reactor thread, OSErrors that name their path. The binding's table is
tested in test_posix_binding.py."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import threading

from twisted.internet import reactor
from twisted.internet.defer import (
    CancelledError,
    Deferred,
    gatherResults,
    inlineCallbacks,
)
from twisted.internet.task import deferLater
from twisted.trial import unittest

from twisted_node.protocols import posix

ALL_BYTES = bytes(range(256))


class FileSystemTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="twisted_node_posix_")
        self.addCleanup(shutil.rmtree, self.dir)
        self.fs = posix.FileSystem(reactor, reactor.getThreadPool())

    def path(self, *names: str) -> str:
        return os.path.join(self.dir, *names)

    def make_file(self, name: str, content: bytes) -> str:
        p = self.path(name)
        with open(p, "wb") as f:
            f.write(content)
        return p

    def open_fd(self, name: str, flags: int) -> int:
        fd = os.open(self.path(name), flags, 0o644)
        self.addCleanup(_close_quietly, fd)
        return fd

    @inlineCallbacks
    def assertOSError(self, d, code: int, path: str):
        """The Deferred fails with an OSError of that errno about that path."""
        failure = yield self.assertFailure(d, OSError)
        self.assertEqual(errno.errorcode[failure.errno], errno.errorcode[code])
        self.assertEqual(failure.filename, path)

    @inlineCallbacks
    def test_stat_gives_the_fields_in_order(self):
        p = self.make_file("f", b"12345")
        values = yield self.fs.run(posix.stat_path, p)
        st = os.stat(p)
        self.assertEqual(len(values), len(posix.STAT_FIELDS))
        fields = dict(zip(posix.STAT_FIELDS, values, strict=True))
        self.assertEqual(fields["size"], 5)
        self.assertEqual(fields["ino"], st.st_ino)
        self.assertEqual(fields["mode"], st.st_mode)
        self.assertTrue(stat.S_ISREG(fields["mode"]))
        self.assertEqual(fields["mtime"], st.st_mtime_ns // 1_000_000)
        for value in values:
            self.assertIsInstance(value, int)

    @inlineCallbacks
    def test_results_fire_on_the_reactor_thread(self):
        p = self.make_file("f", b"")
        threads = []

        def called_in(value):
            threads.append(threading.current_thread())
            return value

        yield self.fs.run(posix.stat_path, p).addCallback(called_in)
        yield self.assertFailure(
            self.fs.run(posix.stat_path, self.path("missing")).addErrback(called_in),
            OSError,
        )
        self.assertEqual(threads, [threading.main_thread()] * 2)

    @inlineCallbacks
    def test_a_thousand_stats_in_flight(self):
        names = [self.make_file(f"f{i}", b"x" * i) for i in range(20)]
        results = yield gatherResults([self.fs.run(posix.stat_path, names[i % 20]) for i in range(1000)])
        sizes = [values[posix.STAT_FIELDS.index("size")] for values in results]
        self.assertEqual(sizes, [i % 20 for i in range(1000)])

    @inlineCallbacks
    def test_errors_name_their_path(self):
        missing = self.path("missing")
        a_file = self.make_file("file", b"")
        os.mkdir(self.path("full"))
        self.make_file("full/inside", b"")
        yield self.assertOSError(self.fs.run(posix.stat_path, missing), errno.ENOENT, missing)
        yield self.assertOSError(
            self.fs.run(posix.rename_path, missing, self.path("x")),
            errno.ENOENT,
            missing,
        )
        yield self.assertOSError(self.fs.run(posix.unlink_path, missing), errno.ENOENT, missing)
        yield self.assertOSError(self.fs.run(posix.mkdir_path, a_file, 0o755), errno.EEXIST, a_file)
        yield self.assertOSError(
            self.fs.run(posix.rmdir_path, self.path("full")),
            errno.ENOTEMPTY,
            self.path("full"),
        )
        yield self.assertOSError(self.fs.run(posix.readdir_names, a_file), errno.ENOTDIR, a_file)
        yield self.assertOSError(self.fs.run(posix.open_file, missing, os.O_RDONLY, 0), errno.ENOENT, missing)
        yield self.assertOSError(self.fs.run(posix.cat_file, missing), errno.ENOENT, missing)
        yield self.assertOSError(
            self.fs.run(posix.cat_file, self.path("full")),
            errno.EISDIR,
            self.path("full"),
        )

    @inlineCallbacks
    def test_directory_calls(self):
        d = self.path("d")
        yield self.fs.run(posix.mkdir_path, d, 0o750)
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode) & 0o700, 0o700)
        self.make_file("d/a", b"")
        self.make_file("d/b", b"")
        names = yield self.fs.run(posix.readdir_names, d)
        self.assertEqual(sorted(names), ["a", "b"])
        yield self.fs.run(posix.rename_path, self.path("d", "a"), self.path("d", "c"))
        yield self.fs.run(posix.unlink_path, self.path("d", "b"))
        names = yield self.fs.run(posix.readdir_names, d)
        self.assertEqual(names, ["c"])
        yield self.fs.run(posix.unlink_path, self.path("d", "c"))
        yield self.fs.run(posix.rmdir_path, d)
        self.assertFalse(os.path.exists(d))

    @inlineCallbacks
    def test_all_byte_values_round_trip(self):
        p = self.path("bytes")
        fd = yield self.fs.run(posix.open_file, p, os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o600)
        self.addCleanup(_close_quietly, fd)
        written = yield self.fs.run(posix.write_file, fd, ALL_BYTES.decode("latin-1"), 0, "binary")
        self.assertEqual(written, 256)
        with open(p, "rb") as f:
            self.assertEqual(f.read(), ALL_BYTES)
        data, n = yield self.fs.run(posix.read_file, fd, 1000, 0, "binary")
        self.assertEqual((data.encode("latin-1"), n), (ALL_BYTES, 256))
        # ascii reads clear the high bit; past the end is ("", 0).
        data, n = yield self.fs.run(posix.read_file, fd, 2, 200, "ascii")
        self.assertEqual((data, n), (chr(200 & 0x7F) + chr(201 & 0x7F), 2))
        self.assertEqual((yield self.fs.run(posix.read_file, fd, 10, 256, "binary")), ("", 0))
        yield self.fs.run(posix.close_file, fd)

    @inlineCallbacks
    def test_position_none_uses_the_current_position(self):
        fd = self.open_fd("pos", os.O_CREAT | os.O_RDWR)
        yield self.fs.run(posix.write_file, fd, "hello ", None, "ascii")
        yield self.fs.run(posix.write_file, fd, "world", None, "ascii")
        # a positioned write does not move the current position
        yield self.fs.run(posix.write_file, fd, "J", 0, "ascii")
        yield self.fs.run(posix.write_file, fd, "!", None, "ascii")
        os.lseek(fd, 0, os.SEEK_SET)
        first, n1 = yield self.fs.run(posix.read_file, fd, 5, None, "utf8")
        rest, n2 = yield self.fs.run(posix.read_file, fd, 100, None, "utf8")
        self.assertEqual((first, n1, rest, n2), ("Jello", 5, " world!", 7))

    @inlineCallbacks
    def test_utf8_counts_bytes(self):
        fd = self.open_fd("u", os.O_CREAT | os.O_RDWR)
        text = "h\u00e9 \u20ac \U0001f600"
        written = yield self.fs.run(posix.write_file, fd, text, 0, "utf8")
        self.assertEqual(written, len(text.encode("utf-8")))
        content = yield self.fs.run(posix.cat_file, self.path("u"))
        self.assertEqual(content, text)
        content = yield self.fs.run(posix.cat_file, self.path("u"), "binary")
        self.assertEqual(content, text.encode("utf-8").decode("latin-1"))

    @inlineCallbacks
    def test_fd_errors(self):
        fd = self.open_fd("ro", os.O_CREAT | os.O_RDONLY)
        failure = yield self.assertFailure(self.fs.run(posix.write_file, fd, "x", None), OSError)
        self.assertEqual(failure.errno, errno.EBADF)
        os.close(fd)
        failure = yield self.assertFailure(self.fs.run(posix.close_file, fd), OSError)
        self.assertEqual(failure.errno, errno.EBADF)

    @inlineCallbacks
    def test_links_modes_and_truncate(self):
        p = self.make_file("target", b"0123456789")
        link = self.path("link")
        yield self.fs.run(posix.symlink_path, "target", link)
        self.assertEqual((yield self.fs.run(posix.readlink_path, link)), "target")
        # the error is about the link that exists already, not its target
        yield self.assertOSError(self.fs.run(posix.symlink_path, "target", link), errno.EEXIST, link)
        followed = yield self.fs.run(posix.stat_path, link)
        itself = yield self.fs.run(posix.lstat_path, link)
        self.assertTrue(stat.S_ISREG(followed[2]))
        self.assertTrue(stat.S_ISLNK(itself[2]))
        yield self.fs.run(posix.chmod_path, p, 0o604)
        self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o604)
        yield self.fs.run(posix.truncate_file, p, 4)
        self.assertEqual(os.path.getsize(p), 4)
        fd = self.open_fd("target", os.O_RDWR)
        yield self.fs.run(posix.truncate_file, fd, 1)
        self.assertEqual(os.path.getsize(p), 1)

    def test_numbers_from_javascript(self):
        """JS numbers beyond 32 bits cross as floats; whole ones are fine."""
        self.assertEqual(posix._integer(2.0**40, "position"), 2**40)
        self.assertRaises(TypeError, posix._integer, 1.5, "fd")
        self.assertRaises(TypeError, posix._integer, True, "fd")
        error = self.assertRaises(TypeError, posix._integer, "3", "length")
        self.assertIn("length", str(error))
        self.assertRaises(ValueError, posix.read_file, 0, -1)
        self.assertRaises(ValueError, posix.cat_file, self.make_file("f", b""), "klingon")

    @inlineCallbacks
    def test_open_cancelled_in_flight_closes_the_file(self):
        """A program that ends while open() is on a thread leaks no fd."""
        release, opened = threading.Event(), threading.Event()
        p = self.make_file("f", b"")

        def open_when_released(*args):
            release.wait(10)
            fd = posix.open_file(*args)
            opened.set()
            return fd

        posix._ORPHAN_CLEANUP[open_when_released] = posix._close_quietly
        self.addCleanup(posix._ORPHAN_CLEANUP.pop, open_when_released)
        d = self.fs.run(open_when_released, p, os.O_RDONLY, 0)
        d.cancel()
        release.set()
        yield self.assertFailure(d, CancelledError)
        # Bounded polls: the file is opened, then closed, on pool threads.
        for _ in range(200):
            if opened.is_set() and not _fds_open_on(p):
                break
            yield deferLater(reactor, 0.01, lambda: None)
        self.assertTrue(opened.is_set())
        self.assertEqual(_fds_open_on(p), [])

    @inlineCallbacks
    def test_read_on_a_pipe_waits_for_data(self):
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        fd = self.open_fd("fifo", os.O_RDWR)
        reading = self.fs.run(posix.read_file, fd, 100, None, "binary")
        yield deferLater(reactor, 0.05, lambda: None)  # let it start waiting
        self.assertFalse(reading.called)
        os.write(fd, b"ping")
        self.assertEqual((yield reading), ("ping", 4))

    @inlineCallbacks
    def test_cancelled_read_on_a_pipe_gives_up(self):
        """The program ended while a read waited on a pipe nobody writes to:
        its thread comes back, so that the process can exit."""
        fifo = self.path("fifo")
        os.mkfifo(fifo)
        fd = self.open_fd("fifo", os.O_RDWR)
        # Should the read not give up, this wakes its thread after the test
        # failed, so that the test run can still end.
        self.addCleanup(os.write, fd, b"x")
        reading = self.fs.run(posix.read_file, fd, 100, None, "binary")
        yield deferLater(reactor, 0.05, lambda: None)  # let it start waiting
        reading.cancel()
        yield self.assertFailure(reading, CancelledError)
        idle = Deferred()
        self.fs.when_idle(lambda: idle.callback(None))
        yield idle  # (trial's timeout fails the test if the thread never returns)

    test_cancelled_read_on_a_pipe_gives_up.timeout = 30  # type: ignore[attr-defined]

    def test_constants(self):
        table = posix.constants()
        for name in (
            "O_RDONLY",
            "O_WRONLY",
            "O_RDWR",
            "O_CREAT",
            "O_EXCL",
            "O_TRUNC",
            "O_APPEND",
        ):
            self.assertEqual(table[name], getattr(os, name))
        self.assertEqual(table["S_IFDIR"], stat.S_IFDIR)
        for mode in (0o100644, 0o40755, 0o120777, 0o20666, 0o10600, 0o140755, 0o60660):
            self.assertEqual(mode & table["S_IFMT"], stat.S_IFMT(mode))

    @inlineCallbacks
    def test_callbacks_may_iterate_the_reactor(self):
        """promise.wait() inside a callback runs the reactor re-entrantly;
        no result is delivered twice and the nested one arrives."""
        p = self.make_file("f", b"abc")
        calls = []

        def waits_inside(values):
            calls.append("outer")
            nested = self.fs.run(posix.stat_path, p).addCallback(lambda v: calls.append("inner"))
            for _ in range(500):  # bounded, as promise.wait()'s loop is
                if nested.called:
                    break
                reactor.iterate(0.01)
            return nested

        yield gatherResults([self.fs.run(posix.stat_path, p).addCallback(waits_inside)])
        yield deferLater(reactor, 0.05, lambda: None)  # room for a wrong second delivery
        self.assertEqual(calls, ["outer", "inner"])


def _fds_open_on(path: str) -> list[str]:
    """This process's fds open on `path` (Linux /proc)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == path:
                found.append(fd)
        except OSError:  # the fd that listed the directory, now closed
            pass
    return found


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
