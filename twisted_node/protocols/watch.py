"""process.watchFile: notice changes of one file promptly and cheaply.

Linux: inotify (twisted.internet.inotify) on the file's DIRECTORY, filtered
to the file's name. Watching the directory rather than the file sees every
way a file changes: written in place, appended, created, deleted, replaced by
a rename (how editors and `mv new old` rewrite files). Each event is
confirmed with a stat(), and the listener runs only when the stat differs, so
an editor's burst of events is one change when it is one change. stat()
runs on the reactor thread, as libev's ev_stat (Node's watcher) does: it
reads one inode's metadata and cannot wait on anything but the disk.

Everywhere (and when inotify cannot be used: no inotify, the limit of
instances reached, the directory missing or deleted) the file is polled.
With inotify a slow poll stays on as a safety net for what inotify cannot
see (network file systems, changes through a hard link elsewhere).

Decisions where the manual is silent:
- A file that does not exist (or cannot be stat'ed) has a stat of all zeros (dates at the epoch),
  as in Node; its creation and deletion are changes.
- atime alone is not a change: reading the file does not call the listener.
- interval 0 means 500 ms of polling without inotify and a 5 s safety poll
  with it; a non-zero interval sets the polling period in both cases.

The "watch" binding (twisted_node/bindings/watch.py) starts a FileWatcher
for each file lib/watchfile.js watches.
"""

from __future__ import annotations

import os

from twisted.internet.task import LoopingCall
from twisted.python.filepath import FilePath

from twisted_node.protocols.posix import STAT_FIELDS, stat_values

try:
    from twisted.internet import inotify
except ImportError:  # not Linux
    inotify = None

DEFAULT_POLL_INTERVAL = 0.5  # seconds, when polling is all there is
SAFETY_POLL_INTERVAL = 5.0  # seconds, beside inotify

_MISSING = [0] * len(STAT_FIELDS)

_EVENTS = 0
if inotify is not None:
    _EVENTS = (
        inotify.IN_MODIFY
        | inotify.IN_ATTRIB
        | inotify.IN_CLOSE_WRITE
        | inotify.IN_CREATE
        | inotify.IN_DELETE
        | inotify.IN_MOVED_FROM
        | inotify.IN_MOVED_TO
    )


class Snapshot:
    """One stat of the watched path: what the listener gets (posix.stat's
    flat values, times in ms) and what is compared to tell a change (times in
    ns, so that two writes within one millisecond are still two changes)."""

    __slots__ = ("_key", "values")

    def __init__(self, path: str):
        try:
            st = os.stat(path)  # follows symlinks, like posix.stat
        except OSError:  # gone, or not reachable (a directory lost its x bit)
            self.values, self._key = _MISSING, None
            return
        self.values = stat_values(st)
        # atime is left out: reading the file is not a change
        self._key = (
            st.st_dev,
            st.st_ino,
            st.st_mode,
            st.st_nlink,
            st.st_uid,
            st.st_gid,
            st.st_rdev,
            st.st_size,
            st.st_blocks,
            st.st_mtime_ns,
            st.st_ctime_ns,
        )

    def differs(self, other: Snapshot) -> bool:
        return self._key != other._key


def describe(values: list) -> dict:
    """Flat stat values as a dict of STAT_FIELDS (for Python callers and tests)."""
    return dict(zip(STAT_FIELDS, values, strict=True))


if inotify is not None:

    class _DirectoryNotifier(inotify.INotify):
        """One inotify instance watching one directory. Twisted drops the
        whole instance when the watched directory itself is deleted; `on_lost`
        lets the watcher fall back to polling then."""

        def __init__(self, reactor, on_lost):
            super().__init__(reactor=reactor)
            self._on_lost = on_lost

        def connectionLost(self, reason):
            super().connectionLost(reason)
            on_lost, self._on_lost = self._on_lost, None
            if on_lost is not None:
                on_lost()

        def stop(self):
            self._on_lost = None
            self.loseConnection()


class FileWatcher:
    """Calls `on_change(curr, prev)` (flat stat values, see STAT_FIELDS) whenever
    the file at `path` changes, until `stop()`."""

    def __init__(
        self,
        reactor,
        path: str,
        on_change,
        interval: float = 0,
        use_inotify: bool = True,
    ):
        self._reactor = reactor
        self.path = os.path.abspath(path)
        self._name = os.fsencode(os.path.basename(self.path))
        self._on_change = on_change
        self._interval = interval
        self._use_inotify = use_inotify and inotify is not None
        self._notifier = None
        self._poll = None
        self._last = None
        self.active = False

    @property
    def using_inotify(self) -> bool:
        return self._notifier is not None

    def start(self) -> None:
        self.active = True
        self._last = Snapshot(self.path)
        if self._use_inotify:
            self._notifier = self._start_inotify()
        self._start_polling()

    def _start_inotify(self):
        try:
            notifier = _DirectoryNotifier(self._reactor, self._inotify_lost)
        except (
            inotify.INotifyError,
            OSError,
        ):  # unavailable here, or too many instances
            return None
        try:
            notifier.watch(
                FilePath(os.path.dirname(self.path)),
                mask=_EVENTS,
                callbacks=[self._event],
            )
        except (inotify.INotifyError, OSError):  # the directory does not exist (yet)
            notifier.stop()
            return None
        notifier.startReading()
        return notifier

    def _poll_interval(self) -> float:
        if self._interval > 0:
            return self._interval
        return SAFETY_POLL_INTERVAL if self._notifier is not None else DEFAULT_POLL_INTERVAL

    def _start_polling(self) -> None:
        if self._poll is not None and self._poll.running:
            self._poll.stop()
        self._poll = LoopingCall(self.check)
        self._poll.clock = self._reactor
        self._poll.start(self._poll_interval(), now=False)

    def _inotify_lost(self) -> None:
        # The directory went away: only polling can see it come back.
        self._notifier = None
        if self.active:
            self._start_polling()
            self.check()

    def _event(self, _ignored, filepath, mask) -> None:
        if mask & inotify.IN_Q_OVERFLOW or filepath.asBytesMode().basename() == self._name:
            self.check()

    def check(self) -> None:
        """Stat now; call the listener if the file changed since last time."""
        if not self.active:
            return
        curr = Snapshot(self.path)
        if curr.differs(self._last):
            prev, self._last = self._last, curr
            self._on_change(curr.values, prev.values)

    def stop(self) -> None:
        """Idempotent. Drops the listener, so nothing the program handed over
        is kept alive by a stopped watcher."""
        if not self.active:
            return
        self.active = False
        self._on_change = None
        if self._poll is not None and self._poll.running:
            self._poll.stop()
        self._poll = None
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            notifier.stop()
