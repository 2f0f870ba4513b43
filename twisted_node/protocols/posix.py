"""The file operations behind require("posix"), pure Twisted.

Node ran its blocking POSIX calls on libeio's thread pool; here each call runs
on the reactor's thread pool (deferToThreadPool), so the reactor never waits
on a disk, and its result fires on the reactor thread.

Each operation is written once, as a plain blocking function (BLOCKING_CALLS).
`FileSystem.run` puts one on a thread pool and returns a Deferred. Errors are
the OSErrors the os module raises, whose `filename` is the path the call was
about. Values are plain: paths and data are str, numbers are int, read gives
a (data, bytes_read) tuple, a stat is a flat list of numbers in STAT_FIELDS
order.

What JavaScript sees of this (a process.Promise per call, NAMESync variants,
the table of the program's open files kept and closed at its end) is the
binding's work: twisted_node/bindings/posix.py.
"""

from __future__ import annotations

import os
import select
import stat as _stat
import threading
from collections.abc import Callable

from twisted.internet.defer import CancelledError, Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure

from twisted_node import encodings

# The order of the values of a stat result; times are milliseconds since the
# epoch (what a JS Date is built from).
STAT_FIELDS = (
    "dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks",
    "atime", "mtime", "ctime",
)  # fmt: skip

_OPEN_FLAGS = (
    "O_RDONLY", "O_WRONLY", "O_RDWR", "O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC",
    "O_APPEND", "O_DIRECTORY", "O_NOFOLLOW", "O_SYNC", "O_NONBLOCK", "O_DSYNC",
    "O_NOATIME", "O_CLOEXEC",
)  # fmt: skip
_FILE_TYPES = (
    "S_IFREG",
    "S_IFDIR",
    "S_IFCHR",
    "S_IFBLK",
    "S_IFIFO",
    "S_IFLNK",
    "S_IFSOCK",
)


def constants() -> dict[str, int]:
    """process.O_* (for open) and the S_IF* file-type bits (for posix.Stats),
    as this platform defines them."""
    names = [n for n in _OPEN_FLAGS if hasattr(os, n)]
    table = {n: getattr(os, n) for n in names}
    table.update({n: getattr(_stat, n) for n in _FILE_TYPES})
    # The file-type mask (POSIX); Python's stat module only has it as a function.
    table["S_IFMT"] = 0o170000
    return table


def _integer(value, name: str) -> int:
    """JS numbers beyond 32 bits arrive as floats; lib/posix.js has already
    checked that they are whole."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError(f"{name} must be an integer, got {value!r}")


def _optional_position(position) -> int | None:
    return None if position is None else _integer(position, "position")


# -- the blocking calls ------------------------------------------------------


def stat_values(st: os.stat_result) -> list[int]:
    """A stat result as the flat list of STAT_FIELDS."""
    return [
        st.st_dev, st.st_ino, st.st_mode, st.st_nlink, st.st_uid, st.st_gid,
        st.st_rdev, st.st_size, st.st_blksize, st.st_blocks,
        st.st_atime_ns // 1_000_000, st.st_mtime_ns // 1_000_000, st.st_ctime_ns // 1_000_000,
    ]  # fmt: skip


def stat_path(path: str) -> list[int]:
    return stat_values(os.stat(path))


def lstat_path(path: str) -> list[int]:
    """Like stat_path, but a symbolic link is described itself, not followed."""
    return stat_values(os.lstat(path))


def rename_path(path1: str, path2: str) -> None:
    os.rename(path1, path2)


def unlink_path(path: str) -> None:
    os.unlink(path)


def rmdir_path(path: str) -> None:
    os.rmdir(path)


def mkdir_path(path: str, mode=0o777) -> None:
    os.mkdir(path, 0o777 if mode is None else _integer(mode, "mode"))


def readdir_names(path: str) -> list[str]:
    # os.listdir never lists "." and "..", as the manual wants.
    return os.listdir(path)


def open_file(path: str, flags, mode=0o666) -> int:
    return os.open(
        path,
        _integer(flags, "flags"),
        0o666 if mode is None else _integer(mode, "mode"),
    )


def close_file(fd) -> None:
    os.close(_integer(fd, "fd"))


# How often a call waiting on a pipe or terminal checks whether its program
# has ended.
_POLL_SLICE_MS = 100


def _waiter(fd: int, events: int, stop: threading.Event | None):
    """A poll object for `fd` when a call on it could block forever and must
    be able to give up: a pipe, terminal or socket (a regular file is always
    ready) read or written on the pool, where `stop` is set when the program
    ends (a thread stuck in read(2) cannot be woken, and it would keep the
    process from exiting). None when the call may simply block."""
    if stop is None or _stat.S_ISREG(os.fstat(fd).st_mode):
        return None
    poller = select.poll()
    poller.register(fd, events)
    return poller


def _wait_ready(poller, stop: threading.Event) -> None:
    """Until the fd is ready (or hung up, or in error: the call then reports
    it); CancelledError once `stop` is set."""
    while not stop.is_set():
        if poller.poll(_POLL_SLICE_MS):
            return
    raise CancelledError("the program ended")


def write_file(fd, data: str, position=None, encoding: str | None = None, *, stop=None) -> int:
    """Write all of `data`; return the number of bytes written.

    The system call may write less than asked (a pipe, a full disk, a
    signal); looping here means the caller never loses the rest. position
    None writes at the current position (write(2)), else at that offset
    (pwrite(2), which leaves the current position alone).
    """
    fd = _integer(fd, "fd")
    offset = _optional_position(position)
    payload = encodings.encode(data, encodings.normalize(encoding, "binary"))
    view = memoryview(payload)
    waiter = _waiter(fd, select.POLLOUT, stop)
    # Into a pipe, at most PIPE_BUF bytes once it is writable: never blocks.
    piece = len(payload) if waiter is None else select.PIPE_BUF
    written = 0
    while True:  # at least one call, so a bad fd fails even for empty data
        if waiter is not None:
            _wait_ready(waiter, stop)
        rest = view[written : written + piece]
        n = os.write(fd, rest) if offset is None else os.pwrite(fd, rest, offset + written)
        written += n
        if n == 0 or written >= len(payload):
            return written


def read_file(fd, length, position=None, encoding: str | None = None, *, stop=None) -> tuple[str, int]:
    """(data, bytes_read); ("", 0) at end of file. position None reads from
    the current position (read(2)), else from that offset (pread(2))."""
    fd = _integer(fd, "fd")
    length = _integer(length, "length")
    if length < 0:
        raise ValueError(f"length must not be negative, got {length}")
    offset = _optional_position(position)
    enc = encodings.normalize(encoding, "binary")
    waiter = _waiter(fd, select.POLLIN, stop)
    if waiter is not None:
        _wait_ready(waiter, stop)
    data = os.read(fd, length) if offset is None else os.pread(fd, length, offset)
    return encodings.decode(data, enc), len(data)


def cat_file(path: str, encoding: str | None = "utf8") -> str:
    """The whole content of a file, decoded."""
    enc = encodings.normalize(encoding, "utf8")
    with open(path, "rb") as f:
        return encodings.decode(f.read(), enc)


def chmod_path(path: str, mode) -> None:
    os.chmod(path, _integer(mode, "mode"))


def symlink_path(target: str, path: str) -> None:
    """Create `path` as a symbolic link pointing at `target`."""
    try:
        os.symlink(target, path)
    except OSError as e:
        # Python names the target first; the file this call is about (the
        # one that exists already, or cannot be created) is the link.
        raise OSError(e.errno, e.strerror, path, None, target) from None


def readlink_path(path: str) -> str:
    return os.readlink(path)


def truncate_file(path_or_fd, length=0) -> None:
    """A str is a path (truncate(2)); a number is an open fd (ftruncate(2),
    which is what node v0.1's posix.truncate(fd, len) took)."""
    length = 0 if length is None else _integer(length, "length")
    if isinstance(path_or_fd, str):
        os.truncate(path_or_fd, length)
    else:
        os.ftruncate(_integer(path_or_fd, "fd"), length)


# JS name -> blocking function. The binding exposes each as NAME (on the
# thread pool) and NAMESync (run in place).
BLOCKING_CALLS: dict[str, Callable] = {
    "rename": rename_path,
    "stat": stat_path,
    "lstat": lstat_path,
    "unlink": unlink_path,
    "rmdir": rmdir_path,
    "mkdir": mkdir_path,
    "readdir": readdir_names,
    "open": open_file,
    "close": close_file,
    "write": write_file,
    "read": read_file,
    "cat": cat_file,
    "chmod": chmod_path,
    "symlink": symlink_path,
    "readlink": readlink_path,
    "truncate": truncate_file,
}


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


# What to do with a result that arrives after its Deferred was cancelled
# (the program ended while the call was on a thread): a file opened for
# nobody must not stay open in a host process that keeps running.
_ORPHAN_CLEANUP: dict[Callable, Callable] = {open_file: _close_quietly}

# Calls that may wait forever on a pipe or terminal: given a `stop` Event,
# set when their Deferred is cancelled, so that they give up (see _waiter).
_INTERRUPTIBLE = frozenset({read_file, write_file})


class FileSystem:
    """Runs the blocking calls on a thread pool, one Deferred per call."""

    def __init__(self, reactor, threadpool):
        self._reactor = reactor
        self._pool = threadpool
        self._in_flight = 0
        self._when_idle: list[Callable[[], object]] = []

    def run(self, call: Callable, *args) -> Deferred:
        """`call(*args)` on the pool; the Deferred fires on the reactor thread
        with its result, or fails with the exception it raised.

        Cancelling the Deferred (the program ended) drops the result; a file
        opened for nobody is closed; a read or write waiting on a pipe gives
        up, so that no thread outlives the program.
        """
        kwargs = {}
        if call in _INTERRUPTIBLE:
            kwargs["stop"] = stop = threading.Event()
            done: Deferred = Deferred(lambda _d: stop.set())
        else:
            done = Deferred(lambda _d: None)
        cleanup = _ORPHAN_CLEANUP.get(call)
        self._in_flight += 1

        def settle(result) -> None:
            self._in_flight -= 1
            if done.called:  # cancelled while the call was on its thread
                if cleanup is not None and not isinstance(result, Failure):
                    cleanup(result)
            elif isinstance(result, Failure):
                done.errback(result)
            else:
                done.callback(result)
            if not self._in_flight:
                idle, self._when_idle = self._when_idle, []
                for fn in idle:
                    fn()

        def hand_over(result) -> None:
            # The thread's result reaches us from the reactor's queue of
            # calls from threads. That queue is not safe to re-enter: a
            # callback that runs promise.wait() (reactor.iterate) from there
            # would run the same queued call again. Timed calls are safe, so
            # the result goes on from a fresh one.
            self._reactor.callLater(0, settle, result)

        deferToThreadPool(self._reactor, self._pool, call, *args, **kwargs).addBoth(hand_over)
        return done

    def when_idle(self, fn: Callable[[], object]) -> None:
        """Call `fn` once no call is on the pool any more (now, if none is)."""
        if self._in_flight:
            self._when_idle.append(fn)
        else:
            fn()


class OpenFiles:
    """The fds a program opened and has not closed yet.

    Node's process exit closed them; a program run inside a host application
    (NodeService) must not leave them open in the host, so they are closed
    when the program ends, once no call that might still use one is on the
    pool (closing earlier could let a late write land in a file the host
    opened under the same number).
    """

    def __init__(self):
        self._fds: set[int] = set()

    def opened(self, fd: int) -> int:
        self._fds.add(fd)
        return fd

    def closing(self, fd) -> None:
        self._fds.discard(fd)

    def close_all(self) -> None:
        fds, self._fds = self._fds, set()
        for fd in fds:
            _close_quietly(fd)
