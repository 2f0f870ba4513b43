"""Where a program's output goes: the console, or twisted.logger.

The command line writes what a program prints to stdout and stderr, as Node
does (stdio.py). Under twistd or inside a host application there may be no
terminal, and the host's log is where its operators look: there, every line
becomes a twisted.logger event in the namespace "twisted_node.<script>":
info for stdout (process.stdio.write, sys.puts, sys.print), warn for stderr
(process.stdio.writeError, sys.error, the runtime's own warnings), debug for
sys.debug, critical for an exception nobody caught, with its JavaScript
stack.

Both kinds have the same methods, which the "stdio" and "natives" bindings
export to JavaScript: write(text, encoding), debug(text), error(text),
uncaught(text) and flush() (when the program ends).
"""

from __future__ import annotations

from twisted.logger import Logger, LogLevel

from twisted_node import encodings
from twisted_node.protocols import stdio


class ConsoleOutput:
    """stdout and stderr of the process, exactly as Node writes them."""

    # Plain functions, not methods: a binding hands them to JavaScript as they
    # are, one Python frame fewer per write.
    write = staticmethod(stdio.write_stdout)
    error = staticmethod(stdio.write_stderr)
    flush = staticmethod(stdio.flush_stdout)

    @staticmethod
    def debug(text: str) -> None:
        stdio.write_stdout_sync(f"DEBUG: {text}\n")

    @staticmethod
    def uncaught(text: str) -> None:
        stdio.write_stderr(text + "\n")


# A line the program never ends is logged anyway once it is this long, so
# that a program printing without newlines cannot grow the buffer forever.
MAX_LINE = 64 * 1024


class _Lines:
    """Text written in pieces, logged as whole lines: what one write ends
    with a newline goes out as one event (several lines together stay
    together: sys.puts of a multi-line value), what follows the last
    newline waits for the next write."""

    __slots__ = ("_log", "_level", "_stream", "_rest")

    def __init__(self, log: Logger, level: LogLevel, stream: str):
        self._log = log
        self._level = level
        self._stream = stream
        self._rest = ""

    def add(self, text: str) -> None:
        text = self._rest + text
        end = text.rfind("\n")
        if end < 0:
            self._rest = text
            if len(text) >= MAX_LINE:
                self.flush()
            return
        self._rest = text[end + 1 :]
        self._emit(text[:end])

    def flush(self) -> None:
        if self._rest:
            rest, self._rest = self._rest, ""
            self._emit(rest)

    def _emit(self, text: str) -> None:
        # The text is a field, never the format: braces in it are the program's.
        self._log.emit(self._level, "{text}", text=text, stream=self._stream)


class LogOutput:
    """The program's output as twisted.logger events in `namespace`
    (`observer`: where they go; the global log publisher by default)."""

    def __init__(self, namespace: str, observer=None):
        self.log = Logger(namespace=namespace, observer=observer)
        self._stdout = _Lines(self.log, LogLevel.info, "stdout")
        self._stderr = _Lines(self.log, LogLevel.warn, "stderr")

    def write(self, data: str, encoding: str = "utf8") -> None:
        encoding = encodings.normalize(encoding, "utf8")
        if encoding != "utf8":
            # Bytes written as "binary" or "ascii" are what a terminal would
            # show them as: UTF-8.
            data = encodings.encode(data, encoding).decode("utf-8", "replace")
        self._stdout.add(data)

    def error(self, data: str) -> None:
        self._stderr.add(str(data))

    def debug(self, text: str) -> None:
        # Synchronous in Node: it comes after everything printed before it.
        self._stdout.flush()
        self.log.debug("{text}", text=text, stream="debug")

    def uncaught(self, text: str) -> None:
        self.flush()
        self.log.critical("{text}", text=text, stream="uncaught")

    def flush(self) -> None:
        self._stdout.flush()
        self._stderr.flush()
