"""The "natives" binding: what lib/node.js needs from the host to build the
process object and the module system. Module loading reads files
synchronously, as the manual says require() does."""

from __future__ import annotations

import importlib.util
import itertools
import os
import signal
import sys
import types

from twisted_node.jsbridge.errors import JSError
from twisted_node.jsbridge.heap import heap_statistics
from twisted_node.protocols import stdio
from twisted_node.runtime import LIB_DIR

# lib/ files that are part of the runtime itself, not modules a program can require.
_INTERNAL_LIB = {"bridge", "node"}

_SIGNALS = {
    name: int(num)
    for name, num in signal.Signals.__members__.items()
    if name.startswith("SIG") and not name.startswith("SIG_")
}

_addon_serial = itertools.count()


def builtin_names() -> list[str]:
    return sorted(f[:-3] for f in os.listdir(LIB_DIR) if f.endswith(".js") and f[:-3] not in _INTERNAL_LIB)


def signal_number(sig) -> int:
    """A signal name ("SIGTERM", "TERM") or number -> number, or a clear error."""
    if isinstance(sig, bool):
        raise TypeError('signal must be a signal name such as "SIGTERM" or a number')
    if isinstance(sig, (int, float)) and int(sig) == sig:
        return int(sig)
    if isinstance(sig, str):
        name = sig.upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        if name in _SIGNALS:
            return _SIGNALS[name]
        raise JSError(f"unknown signal: {sig!r}", code="EINVAL")
    raise TypeError('signal must be a signal name such as "SIGTERM" or a number')


def find_module(candidates: str) -> str | None:
    """The first existing file among NUL-separated candidate paths."""
    for path in candidates.split("\0"):
        if path and os.path.isfile(path):
            return path
    return None


def read_source(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        source = f.read()
    if source.startswith("#!"):  # keep the line count: stacks point at real lines
        source = "//" + source[2:]
    return source


def memory_usage() -> dict:
    with open("/proc/self/statm") as f:
        size, resident = (int(x) for x in f.read().split()[:2])
    page = os.sysconf("SC_PAGE_SIZE")
    usage = {"rss": resident * page, "vsize": size * page}
    heap = heap_statistics()
    if heap is not None:
        usage["heapTotal"] = heap["heapTotal"]
        usage["heapUsed"] = heap["heapUsed"]
    return usage


class AddonTarget(types.SimpleNamespace):
    """What a Python addon's init(target) fills in, like V8's target object."""


def load_addon(path: str) -> dict:
    name = f"twisted_node_addon_{next(_addon_serial)}_{os.path.basename(path)[:-3]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    init = getattr(module, "init", None)
    if not callable(init):
        raise JSError(f"Python addon {path} does not define init(target)")
    target = AddonTarget()
    init(target)
    return dict(vars(target))


class Signals:
    """process.addListener("SIGUSR1", f): the handler is installed with the
    first listener and the previous disposition restored with the last."""

    def __init__(self, runtime, deliver):
        self._runtime = runtime
        self._deliver = runtime.callback(deliver)
        self._previous: dict[int, object] = {}

    def watch(self, name: str) -> None:
        num = signal_number(name)
        if num in self._previous:
            return
        reactor = self._runtime.reactor

        def handler(signum, frame):
            # A signal can arrive in the middle of a call into V8: deliver it
            # from the reactor, never from here, and through a timed call (see
            # Loop.iterate_until: the queue of calls from threads is not
            # re-entrant, and the listener may wait()).
            reactor.callFromThread(reactor.callLater, 0, self._deliver, name)

        self._previous[num] = signal.signal(num, handler)

    def unwatch(self, name: str) -> None:
        num = signal_number(name)
        previous = self._previous.pop(num, None)
        if previous is not None:
            signal.signal(num, previous)

    def restore_all(self) -> None:
        for num, previous in self._previous.items():
            signal.signal(num, previous)
        self._previous.clear()


def binding(runtime) -> dict:
    home = os.path.expanduser("~")
    signals: list[Signals] = []

    def init_signals(deliver):
        s = Signals(runtime, deliver)
        signals.append(s)
        runtime.add_cleanup(s.restore_all)

    def watch_signal(name):
        signals[0].watch(name)

    def unwatch_signal(name):
        signals[0].unwatch(name)

    def compile_module(source, origin):
        return runtime.context.compile(source, origin)

    def wait(is_done):
        try:
            runtime.loop.iterate_until(lambda: bool(is_done()), lambda: runtime.finished)
        except RuntimeError as e:
            # Thrown in JS as a plain Error with the loop's message (not
            # "RuntimeError: ..."): it says why wait() cannot go on.
            raise JSError(str(e)) from None

    def umask(mask=None):
        if mask is None:
            old = os.umask(0)
            os.umask(old)
            return old
        if isinstance(mask, str):
            mask = int(mask, 8)
        return os.umask(int(mask))

    def kill(pid, sig="SIGTERM"):
        os.kill(int(pid), signal_number("SIGTERM" if sig is None else sig))

    node_path = [p for p in os.environ.get("NODE_PATH", "").split(":") if p]
    return {
        "argv": runtime.argv,
        "env": dict(os.environ),
        "pid": os.getpid(),
        "platform": "linux2" if sys.platform.startswith("linux") else sys.platform,
        "execPath": sys.executable,
        "libDir": LIB_DIR,
        "builtins": builtin_names(),
        "requirePaths": node_path
        + [os.path.join(home, ".node_libraries"), os.path.join(sys.prefix, "lib", "node", "libraries")],
        "constants": {
            name: getattr(os, name)
            for name in (
                "O_CREAT",
                "O_RDONLY",
                "O_WRONLY",
                "O_RDWR",
                "O_TRUNC",
                "O_APPEND",
                "O_EXCL",
                "O_NOCTTY",
                "O_NONBLOCK",
                "O_SYNC",
                "O_DIRECTORY",
                "O_NOFOLLOW",
            )
            if hasattr(os, name)
        },
        "binding": runtime.binding,  # cached by process.binding in lib/node.js
        "exit": runtime.exit,
        "writeError": stdio.write_stderr,
        "cwd": os.getcwd,
        "chdir": os.chdir,
        "umask": umask,
        "kill": kill,
        "memoryUsage": memory_usage,
        "initSignals": init_signals,
        "watchSignal": watch_signal,
        "unwatchSignal": unwatch_signal,
        "findModule": find_module,
        "readSource": read_source,
        "compile": compile_module,
        "loadAddon": load_addon,
        "wait": wait,
    }
