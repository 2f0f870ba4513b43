"""process.stdio's I/O, pure Twisted: stdout that never blocks the reactor,
synchronous stderr, and the reader of stdin.

stdout is written by one writer thread fed through a queue: writes return at
once even when stdout is a full pipe or a slow file, bytes leave in the order
they were written, and `flush_stdout()` (run when a program ends) waits until
all of them are out. A thread is used rather than putting fd 1 in
non-blocking mode, because that flag is shared with every other process
holding the same open file (the shell, a pipeline), which Node learned the
hard way. A writer that outruns its reader queues in memory, as Node did.

The "stdio" binding (twisted_node/bindings/stdio.py) gives these to
lib/stdio.js and lib/sys.js, and reads stdin with StdinReader for
process.stdio.open().
"""

from __future__ import annotations

import errno
import os
import select
import threading
from collections import deque

from twisted.internet.abstract import FileDescriptor
from twisted.internet.main import CONNECTION_DONE, CONNECTION_LOST

from twisted_node import encodings


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:  # somebody else made the fd non-blocking
            select.select([], [fd], [])
            continue
        except OSError as e:
            if e.errno == errno.EPIPE:  # the reader went away: drop, as Node does
                return
            raise
        view = view[n:]


class StdoutWriter:
    def __init__(self, fd: int = 1):
        self._fd = fd
        self._queue: deque[bytes] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._busy = False  # the writer thread holds bytes not yet written
        self._thread = None

    def write(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            self._queue.append(data)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="stdout", daemon=True)
                self._thread.start()
            self._wake.notify()

    def flush(self) -> None:
        """Block until everything written so far has reached the fd."""
        with self._lock:
            while self._queue or self._busy:
                self._wake.wait()

    def write_sync(self, data: bytes) -> None:
        """sys.debug: out now, after whatever was queued before it."""
        self.flush()
        _write_all(self._fd, data)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._busy = False
                    self._wake.notify_all()
                    self._wake.wait()
                chunk = b"".join(self._queue)
                self._queue.clear()
                self._busy = True
            try:
                _write_all(self._fd, chunk)
            except OSError:
                pass  # stdout is gone (closed fd): nothing left to tell
            with self._lock:
                self._busy = bool(self._queue)
                if not self._busy:
                    self._wake.notify_all()


_stdout = StdoutWriter()


def write_stdout(data: str, encoding: str = "utf8") -> None:
    _stdout.write(encodings.encode(data, encodings.normalize(encoding, "utf8")))


def write_stdout_sync(data: str) -> None:
    _stdout.write_sync(encodings.encode(data, "utf8"))


def flush_stdout() -> None:
    _stdout.flush()


def write_stderr(data: str) -> None:
    """Synchronous, as the manual says: the text is out when this returns."""
    _write_all(2, encodings.encode(str(data), "utf8"))


# -- stdin ----------------------------------------------------------------------
#
# fd 0 is read by a reactor reader without setting O_NONBLOCK on it, for the
# reason given above for stdout: a pipe or tty polled readable has data for
# one read() (and readFromFD-style EAGAIN handling covers anyone else having
# set the flag). A regular file or /dev/null cannot be registered with epoll;
# Twisted's epoll reactor polls those continuously, which reads a redirected
# file to its end at once. fd 0 itself is never closed: stop() only stops
# reading, so a reader started later reads on.

_STDIN_CHUNK = 65536  # fewer, larger "data" events than FileDescriptor's 8 KB


class StdinReader(FileDescriptor):
    """Calls on_data(bytes) for each chunk read from `fd` and on_eof() once
    at end of input (or when reading fails), until stop()."""

    def __init__(self, reactor, on_data, on_eof, fd: int = 0):
        super().__init__(reactor=reactor)
        self._fd = fd
        self._on_data = on_data
        self._on_eof = on_eof
        self.connected = 1

    def fileno(self) -> int:
        return self._fd

    def doRead(self):
        try:
            data = os.read(self._fd, _STDIN_CHUNK)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            return CONNECTION_LOST
        if not data:
            return CONNECTION_DONE
        self._on_data(data)
        return None

    def connectionLost(self, reason):
        # fd 0 belongs to the process, not to this reader: leave it open.
        self.disconnected = 1
        self.connected = 0
        self.stopReading()
        on_eof, self._on_eof, self._on_data = self._on_eof, None, None
        if on_eof is not None:
            on_eof()

    def stop(self) -> None:
        """Stop reading without reporting end of input."""
        self._on_eof = self._on_data = None
        self.stopReading()
        self.connected = 0
        self.disconnected = 1
