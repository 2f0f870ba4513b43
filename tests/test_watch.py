"""The file watcher alone (protocols/watch.py, no JavaScript), with inotify
and by polling."""

from __future__ import annotations

import os

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.task import deferLater
from twisted.trial import unittest

from twisted_node.protocols import watch


class Changes:
    """Records (curr, prev) pairs; `next()` is a Deferred for the next one."""

    def __init__(self):
        self.seen = []
        self._waiting = []

    def __call__(self, curr, prev):
        self.seen.append((watch.describe(curr), watch.describe(prev)))
        waiting, self._waiting = self._waiting, []
        for d in waiting:
            d.callback(self.seen[-1])

    def next(self, timeout=10):
        d = Deferred()
        self._waiting.append(d)
        timer = reactor.callLater(timeout, d.cancel)
        return d.addBoth(lambda r: (timer.active() and timer.cancel(), r)[1])


class WatcherMixin:
    use_inotify = True
    interval = 0

    def setUp(self):
        self.dir = os.path.abspath(self.mktemp())
        os.mkdir(self.dir)
        self.path = os.path.join(self.dir, "watched.txt")
        with open(self.path, "w") as f:
            f.write("first\n")
        self.changes = Changes()
        self.watcher = watch.FileWatcher(
            reactor,
            self.path,
            self.changes,
            self.interval,
            use_inotify=self.use_inotify,
        )
        self.watcher.start()
        self.addCleanup(self.watcher.stop)

    @inlineCallbacks
    def test_append(self):
        d = self.changes.next()
        with open(self.path, "a") as f:
            f.write("more\n")
        curr, prev = yield d
        self.assertEqual((prev["size"], curr["size"]), (6, 11))
        self.assertEqual(curr["ino"], prev["ino"])
        self.assertGreaterEqual(curr["mtime"], prev["mtime"])

    @inlineCallbacks
    def test_rewrite_by_rename(self):
        # how editors save: write a new file, rename it over the old one
        d = self.changes.next()
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write("replaced!\n")
        os.rename(tmp, self.path)
        curr, prev = yield d
        self.assertEqual(curr["size"], 10)
        self.assertNotEqual(curr["ino"], prev["ino"])

    @inlineCallbacks
    def test_delete_and_create(self):
        d = self.changes.next()
        os.unlink(self.path)
        curr, prev = yield d
        self.assertEqual((curr["nlink"], curr["size"], curr["mtime"]), (0, 0, 0))
        self.assertEqual(prev["size"], 6)
        d = self.changes.next()
        with open(self.path, "w") as f:
            f.write("back\n")
        curr, prev = yield d
        self.assertEqual((curr["size"], prev["nlink"]), (5, 0))

    @inlineCallbacks
    def test_reading_is_no_change_and_stop_stops(self):
        with open(self.path) as f:
            f.read()
        self.watcher.stop()
        self.watcher.stop()  # idempotent
        with open(self.path, "a") as f:
            f.write("unseen\n")
        # longer than the polling interval and any inotify delivery
        yield deferLater(reactor, 0.8, lambda: None)
        self.assertEqual(self.changes.seen, [])


class InotifyWatcherTests(WatcherMixin, unittest.TestCase):
    def test_uses_inotify(self):
        if watch.inotify is None:
            raise unittest.SkipTest("no inotify on this platform")
        self.assertTrue(self.watcher.using_inotify)

    @inlineCallbacks
    def test_directory_deleted_falls_back_to_polling(self):
        if watch.inotify is None:
            raise unittest.SkipTest("no inotify on this platform")
        d = self.changes.next()
        os.unlink(self.path)
        yield d
        os.rmdir(self.dir)
        for _ in range(50):  # bounded: the inotify instance learns of it promptly
            if not self.watcher.using_inotify:
                break
            yield deferLater(reactor, 0.05, lambda: None)
        self.assertFalse(self.watcher.using_inotify)
        d = self.changes.next()
        os.mkdir(self.dir)
        with open(self.path, "w") as f:
            f.write("again\n")
        curr, _ = yield d
        self.assertEqual(curr["size"], 6)


class PollingWatcherTests(WatcherMixin, unittest.TestCase):
    use_inotify = False
    interval = 0.05

    def test_polls(self):
        self.assertFalse(self.watcher.using_inotify)


class MissingDirectoryTests(unittest.TestCase):
    @inlineCallbacks
    def test_file_in_a_directory_created_later(self):
        base = os.path.abspath(self.mktemp())
        path = os.path.join(base, "later.txt")
        changes = Changes()
        watcher = watch.FileWatcher(reactor, path, changes, 0.05)
        watcher.start()
        self.addCleanup(watcher.stop)
        self.assertFalse(watcher.using_inotify)
        d = changes.next()
        os.mkdir(base)
        with open(path, "w") as f:
            f.write("x")
        curr, prev = yield d
        self.assertEqual((curr["size"], prev["size"], prev["ino"]), (1, 0, 0))
