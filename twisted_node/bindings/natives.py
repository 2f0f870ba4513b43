"""The "natives" binding: what lib/node.js needs from the host to build the
process object and the module system. Module loading reads files
synchronously, as the manual says require() does. Unlike the others, it
gets a NativesHost (bindings/host.py): process itself needs the runtime's
argv, exit, compile and binding loader."""

from __future__ import annotations

import importlib.util
import itertools
import os
import sys
import types

from twisted_node.errors import NodeError
from twisted_node.jsbridge.context import LIB_DIR
from twisted_node.signals import Signals, signal_number

# lib/ files that are part of the runtime itself, not modules a program can require.
_INTERNAL_LIB = {"bridge", "node"}

_addon_serial = itertools.count()


def builtin_names() -> list[str]:
    return sorted(f[:-3] for f in os.listdir(LIB_DIR) if f.endswith(".js") and f[:-3] not in _INTERNAL_LIB)


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


def memory_usage(heap_statistics) -> dict:
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
        raise NodeError(f"Python addon {path} does not define init(target)")
    target = AddonTarget()
    init(target)
    return dict(vars(target))


def binding(host) -> dict:
    home = os.path.expanduser("~")
    signals: list[Signals] = []

    def init_signals(deliver):
        s = Signals(host.reactor, host.callback(deliver))
        signals.append(s)
        host.add_cleanup(s.restore_all)

    def watch_signal(name):
        signals[0].watch(name)

    def unwatch_signal(name):
        signals[0].unwatch(name)

    def wait(is_done):
        try:
            host.wait(is_done)
        except RuntimeError as e:
            # Thrown in JS as a plain Error with the loop's message (not
            # "RuntimeError: ..."): it says why wait() cannot go on.
            raise NodeError(str(e)) from None

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
        "argv": host.argv,
        "env": dict(os.environ),
        "pid": os.getpid(),
        "workerId": host.worker_id,
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
        "binding": host.binding,  # cached by process.binding in lib/node.js
        "exit": host.exit,
        "writeError": host.output.error,
        "reportUncaught": host.output.uncaught,
        "cwd": os.getcwd,
        "chdir": os.chdir,
        "umask": umask,
        "kill": kill,
        "memoryUsage": lambda: memory_usage(host.heap_statistics),
        "initSignals": init_signals,
        "watchSignal": watch_signal,
        "unwatchSignal": unwatch_signal,
        "findModule": find_module,
        "readSource": read_source,
        "compile": host.compile,
        "loadAddon": load_addon,
        "wait": wait,
    }
