"""What a binding may use of the runtime that loads it.

A binding never sees the Runtime: only this. Each entry is one thing the
bindings need, named by what it does:

- reactor: the Twisted reactor the program runs on.
- callback(js_function) -> a Python callable calling it through the single
  door (uncaught exceptions, process.exit, nextTick; a no-op once the
  program has ended). Wrap each JS function once and keep the result.
- hold(label, close=None) -> a loop.Hold: the program lives while it is held;
  `close` runs if the program ends first (closing the socket, killing the
  child).
- running(): a context manager around a JS callback whose hold was just
  released (see loop.Loop.running).
- add_cleanup(fn): run `fn` when the program ends.
- finished: True once the program has ended (no more calls into JS).
- listening: where servers listen, a protocols.listening.Listening (ports
  shared with the other workers in worker mode; a graceful stop ends them).

- output: where the program's output goes (protocols/output.py: the
  console, or twisted.logger under twistd and in a host application).

The natives binding (process itself) needs more of the runtime: it gets a
NativesHost, with the extra services named there.
"""

from __future__ import annotations


class Host:
    __slots__ = ("reactor", "callback", "hold", "running", "add_cleanup", "output", "_runtime")

    def __init__(self, runtime):
        self._runtime = runtime
        self.reactor = runtime.reactor
        self.callback = runtime.callback
        self.hold = runtime.loop.hold
        self.running = runtime.loop.running
        self.add_cleanup = runtime.add_cleanup
        self.output = runtime.output

    @property
    def finished(self) -> bool:
        return self._runtime.finished

    @property
    def listening(self):
        return self._runtime.listening


class NativesHost(Host):
    """For the natives binding, the process object's: the program's argv,
    exit(code), compile(source, origin) for modules, binding(name) for
    process.binding, wait(is_done) for promise.wait(), require(name) for the
    host's own needs, heap_statistics() for memoryUsage, worker_id (None
    without workers) for process.workerId."""

    __slots__ = ("argv", "exit", "compile", "binding", "wait", "heap_statistics", "worker_id")

    def __init__(self, runtime, *, compile, binding, wait, heap_statistics):
        super().__init__(runtime)
        self.argv = runtime.argv
        self.exit = runtime.exit
        self.compile = compile
        self.binding = binding
        self.wait = wait
        self.heap_statistics = heap_statistics
        self.worker_id = runtime.worker_id
