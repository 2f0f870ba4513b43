"""The "posix" binding: require("posix")'s calls as process.Promises.

The calls themselves are twisted_node/protocols/posix.py. This exposes each
twice: "NAME" runs it on the reactor's thread pool and returns its Deferred,
which JavaScript receives as a process.Promise; "NAMESync" is the blocking
function itself (the later v0.1 Sync variants). Promise results follow the
manual: no success argument for the calls that return nothing, two
(data, bytes_read) for read, one for the rest. A call's OSError becomes
the JS Error it fails with (the bridge gives it message, errno, code and
path). lib/posix.js checks the arguments and builds posix.Stats from a
stat's flat values. No events: the promises are the only way results come
back.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet.defer import Deferred

from twisted_node import encodings
from twisted_node.jsbridge.promises import Args
from twisted_node.protocols.posix import (
    BLOCKING_CALLS,
    FileSystem,
    OpenFiles,
    close_file,
    constants,
    open_file,
)

# Calls taking an encoding: (index of that argument, its default). The name
# is checked before the call goes to a thread, so an unknown encoding throws
# in the caller instead of failing the promise later.
_ENCODING_ARGUMENT = {"read": (3, "binary"), "write": (3, "binary"), "cat": (1, "utf8")}


def _normalize_encoding_argument(args: tuple, index: int, default: str) -> tuple:
    if len(args) <= index:
        return args
    return (
        *args[:index],
        encodings.normalize(args[index], default),
        *args[index + 1 :],
    )


def binding(host) -> dict:
    fs = FileSystem(host.reactor, host.reactor.getThreadPool())
    # The program's open files are closed when it ends (see OpenFiles).
    files = OpenFiles()
    host.add_cleanup(lambda: fs.when_idle(files.close_all))

    def in_thread(name: str, call: Callable) -> Callable[..., Deferred]:
        several = name == "read"
        encoding_arg = _ENCODING_ARGUMENT.get(name)

        # "on success: no parameters" for the calls that return nothing;
        # read gives two (data, bytes_read); the rest give one.
        def shape(value):
            if value is None:
                return Args()
            return Args(*value) if several else value

        def start(*args) -> Deferred:
            if encoding_arg is not None:
                args = _normalize_encoding_argument(args, *encoding_arg)
            return fs.run(call, *args).addCallback(shape)

        return start

    table: dict[str, object] = {"constants": constants()}
    for name, call in BLOCKING_CALLS.items():
        table[name] = in_thread(name, call)
        table[name + "Sync"] = call

    # open and close also keep the table of the program's open files.
    start_open, start_close = table["open"], table["close"]

    def open_(*args) -> Deferred:
        return start_open(*args).addCallback(files.opened)

    def open_sync(*args) -> int:
        return files.opened(open_file(*args))

    def close_(fd) -> Deferred:
        files.closing(fd)
        return start_close(fd)

    def close_sync(fd) -> None:
        files.closing(fd)
        close_file(fd)

    table.update(open=open_, openSync=open_sync, close=close_, closeSync=close_sync)
    return table
