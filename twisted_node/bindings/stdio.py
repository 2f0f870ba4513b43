"""The "stdio" binding: process.stdio (lib/stdio.js) and lib/sys.js's output.

Writing goes where the runtime's output goes (host.output,
protocols/output.py): on the command line protocols/stdio.py's stdout
(through its writer thread) and stderr (synchronously); under twistd and in
a host application, twisted.logger. Reading stdin is here: Stdin starts a
StdinReader on process.stdio.open(), decodes what it reads, and holds the
program alive until close() or end of input.

Events (bindings/events.py): stdin is one object, id STDIN (0); it gets
(STDIN, DATA, text) for each chunk read and (STDIN, CLOSE) once at end of
input. close() stops reading and sends nothing.
"""

from __future__ import annotations

import os

from twisted_node import encodings
from twisted_node.bindings.events import Events
from twisted_node.protocols.stdio import StdinReader

STDIN = 0  # the id of process.stdio, the only object with events here

DATA = 1
CLOSE = 2


class Stdin:
    """One program's view of stdin: open(encoding, on_data, on_close) starts
    reading and holds the program alive until close() or end of input."""

    def __init__(self, host, fd: int = 0):
        self._host = host
        self._fd = fd
        self._reader = None
        self._hold = None

    @property
    def is_open(self) -> bool:
        return self._reader is not None

    def open(self, encoding, on_data, on_close) -> None:
        if self._reader is not None:
            return
        os.fstat(self._fd)  # EBADF as a JS Error when there is no stdin at all
        decoder = encodings.Decoder(encodings.normalize(encoding, "utf8"))

        def data_received(data):
            text = decoder.decode(data)
            if text:
                on_data(text)

        def eof():
            self._finished()
            rest = decoder.flush()
            if rest:
                on_data(rest)
            on_close()

        reader = StdinReader(self._host.reactor, data_received, eof, self._fd)
        try:
            reader.startReading()
        except OSError as e:
            # fd 0 was closed when we started and now numbers something else
            # (the poller itself, when EINVAL)
            reader.stop()
            raise OSError(e.errno, f"cannot read stdin: {e.strerror}") from None
        self._reader = reader
        self._hold = self._host.hold("stdin", close=self.close)

    def close(self) -> None:
        reader = self._reader
        if reader is not None:
            reader.stop()
        self._finished()

    def _finished(self) -> None:
        self._reader = None
        if self._hold is not None:
            self._hold.release()
            self._hold = None


def binding(host) -> dict:
    events = Events(host)
    stdin = Stdin(host)

    def open_stdin(encoding) -> None:
        stdin.open(
            encoding,
            lambda text: events(STDIN, DATA, text),
            lambda: events(STDIN, CLOSE),
        )

    return {
        "DATA": DATA,
        "CLOSE": CLOSE,
        "init": events.init,
        "write": host.output.write,
        "debug": host.output.debug,
        "writeError": host.output.error,
        "flush": host.output.flush,
        "openStdin": open_stdin,
        "closeStdin": stdin.close,
    }
