"""Runtime: one V8 context, one program, on a Twisted reactor.

Boot order: lib/bridge.js (value helpers), lib/node.js (process, events,
promises, timers, require), then the main module through the single door.
From then on every call from Python into JavaScript goes through a
`Runtime.callback`, bound to lib/node.js's `door`, which is where uncaught
exceptions, process.exit and the nextTick queue are handled. `call(name,
*args)` calls a function the main module exports (calls.py).
"""

from __future__ import annotations

import json
import os
import sys
import types

import STPyV8
from twisted.internet.defer import Deferred

from twisted_node import bindings
from twisted_node.bindings.host import Host, NativesHost
from twisted_node.jsbridge import errors, promises
from twisted_node.jsbridge.calls import ExportCalls
from twisted_node.jsbridge.context import LIB_DIR, CompileError, Context, lib_source
from twisted_node.jsbridge.convert import Converter, crosses_as_is
from twisted_node.jsbridge.heap import heap_statistics
from twisted_node.loop import Loop
from twisted_node.protocols import twisted_internals
from twisted_node.protocols.output import ConsoleOutput


class Runtime:
    """Runs `script` with `argv` on `reactor`.

    ``start()`` boots V8 and runs the main module; ``whenFinished()`` fires
    with the exit status once "exit" has been emitted and every handle of the
    program is closed. The reactor is never stopped here: that is the front
    door's decision (the CLI stops it, a NodeService does not). `output` is
    where the program's output goes (protocols/output.py; the console by
    default, twisted.logger for a NodeService).
    """

    def __init__(self, script, argv=(), reactor=None, executable="twisted-node", worker_id=None, output=None):
        """`worker_id`: 1..N in a worker of `--workers N` (process.workerId;
        its TCP ports are shared with the other workers). `output`: where
        the program's output goes (protocols/output.py; the console by
        default)."""
        if reactor is None:
            from twisted.internet import reactor
        self.reactor = reactor
        self.worker_id = worker_id
        self._listening = None
        self._stopping_gracefully = False
        self.script = os.path.abspath(script) if script is not None else None
        self.argv = [executable] + ([self.script] if self.script else []) + list(argv)
        self.loop = Loop(reactor, self._idle)
        self.output = ConsoleOutput() if output is None else output
        self.calls = ExportCalls(self)
        self.context = Context()
        self.finished = False  # no more calls into JS
        self._closed = False  # and every handle is closed
        self.exit_code = None
        self._waiting: list[Deferred] = []
        self._cleanups: list = []
        self.js = None
        self.convert = None
        self._bind_door = None
        self.host = Host(self)  # what bindings may use of this runtime

    # -- life ---------------------------------------------------------------

    def start(self) -> None:
        """Boot and run the main module."""
        if not self._booted():
            return
        if self.script is not None:
            self.js.run_main(self.script)
        if not self.finished:
            self.loop.arm()
            self.calls.started()

    def run_source(self, source: str, origin: str) -> None:
        """Boot and run a built-in program (the REPL) instead of a file."""
        if not self._booted():
            return
        self.js.run_source(source, origin)
        if not self.finished:
            self.loop.arm()
            self.calls.started()

    def require(self, name: str) -> None:
        """require(name) in the program, for the host's own needs (a REPL
        server loading lib/repl.js into a program that never required it)."""
        if self.js is not None:
            self.js.require(name)

    def call(self, name: str, *args) -> Deferred:
        """exports[name](*args) in the program: a Deferred that fires with
        its value, or with what the process.Promise it returns succeeds with,
        or fails with errors.JavaScriptError (see calls.py)."""
        return self.calls.call(name, args)

    @property
    def serving(self) -> bool:
        """The main module has run and the program has not ended: its
        exports can be called."""
        return self.loop.armed and not self.finished

    def whenFinished(self) -> Deferred:
        d = Deferred()
        if self._closed:
            d.callback(self.exit_code)
        else:
            self._waiting.append(d)
        return d

    def stop(self, code: int = 0) -> None:
        """End the program from outside (a host stopping its NodeService):
        "exit" is emitted as for process.exit(code)."""
        if not self.finished and self.js is not None:
            self.js.finish(code)
        if not self.finished:
            self.exit(code)

    @property
    def listening(self):
        """Where the program's servers listen (protocols/listening.py), made
        when the first binding asks: it imports the TCP and TLS layers, which
        a program that never serves does not need."""
        if self._listening is None:
            from twisted_node.protocols.listening import Listening

            self._listening = Listening(self.reactor, shared=self.worker_id is not None)
        return self._listening

    def stop_gracefully(self, timeout: float | None) -> Deferred:
        """End the program from outside without dropping what is in flight:
        its servers stop listening (what the kernel queued is still
        accepted), the connections they accepted end on their own (a kept-
        alive HTTP connection at once, one carrying a request once it is
        answered) or are closed after `timeout` seconds; then "exit" is
        emitted as for stop(0). Fires with the exit status, as whenFinished."""
        d = self.whenFinished()
        if self.finished or self.js is None or self._listening is None:
            self.stop(0)
        elif not self._stopping_gracefully:
            self._stopping_gracefully = True
            self._listening.stop_all(timeout).addBoth(lambda _: self.stop(0))
        return d

    def exit(self, code: int) -> None:
        """Called (from JS, after "exit" was emitted) when the program ends.
        The first call decides the status, as in Node."""
        if self.finished:
            return
        self.finished = True
        self.exit_code = int(code) & 0xFF if isinstance(code, int) else 0
        # Let the JS stack that asked for the exit unwind first.
        self.reactor.callLater(0, self._finish)

    def add_cleanup(self, fn) -> None:
        """Run `fn` when the program ends (restore what it changed process-wide)."""
        self._cleanups.append(fn)

    def _finish(self) -> None:
        twisted_internals.send_due(self.reactor)  # what the program wrote last, before its handles close
        self.loop.close_all()
        for fn in self._cleanups:
            fn()
        self.calls.ended()
        self.context.release_resident()
        self.output.flush()
        self._closed = True
        waiting, self._waiting = self._waiting, []
        for d in waiting:
            d.callback(self.exit_code)

    def _idle(self) -> None:
        # Nothing can produce another event: emit "exit" and end with status 0
        # (unless an "exit" listener calls process.exit with another one).
        self.js.finish(0)

    # -- the single door ----------------------------------------------------

    def callback(self, fn):
        """A Python callable that calls the JS function `fn` through the door:
        exceptions never escape into Python (they go to "uncaughtException"
        listeners or end the program), process.exit is honoured, the nextTick
        queue is run. It does nothing once the program has ended.

        Wrap each JS function once and keep the result. STPyV8 hands a JS
        value that Python holds back to JS intact only the first time; later
        crossings arrive as Python host objects. So `fn` crosses once, here,
        into a JS closure that Python only ever calls.
        """
        with self.context:
            bound = self._bind_door(fn)
        to_js = self.convert.to_js

        context = self.context

        def call(*args):
            if self.finished:
                return None
            plain = crosses_as_is(args)
            try:
                # Converted inside the context (a dict or list is built by JS).
                if context.resident:
                    return bound(*args) if plain else bound(*map(to_js, args))
                with context:
                    return bound(*args) if plain else bound(*map(to_js, args))
            except STPyV8.JSError as e:  # only a bug in lib/node.js gets here
                self._internal_failure(e)
                return None

        return call

    def to_js(self, value):
        return self.convert.to_js(value)

    def to_py(self, value):
        return self.convert.to_py(value)

    def error(self, exc: BaseException):
        """A JS Error object for a Python exception (for promise errbacks)."""
        name, message, props = errors.describe(exc)
        return self.js.make_error(name, message, json.dumps(props) if props else None)

    def binding(self, name: str):
        """process.binding(name), built once per name (lib/node.js caches
        the JS object: handing it back to JS twice would not work)."""
        return self.to_js(bindings.load(name, self.host))

    # -- boot ---------------------------------------------------------------

    def _booted(self) -> bool:
        self.context.make_resident()
        try:
            with self.context:
                self._boot()
        except Exception as e:
            self._internal_failure(e)
            return False
        return True

    def _boot(self) -> None:
        helpers = self.context.compile(lib_source("bridge.js"), os.path.join(LIB_DIR, "bridge.js"))
        self._helpers = helpers
        self.convert = Converter(helpers, self._wrap_callable, self._to_promise)
        bootstrap = self.context.compile(lib_source("node.js"), os.path.join(LIB_DIR, "node.js"))
        natives = bindings.load("natives", self._natives_host())
        natives["setDoorBinder"] = self._set_door_binder
        natives["settleCall"] = self.calls.settle
        entry = bootstrap(self.to_js(natives))
        # Python's ways into the program, each bound to the door once.
        self.js = types.SimpleNamespace(
            run_main=self.callback(entry.runMain),
            run_source=self.callback(entry.runSource),
            require=self.callback(entry.require),
            finish=self.callback(entry.finish),
            call_export=self.callback(entry.callExport),
            cancel_call=self.callback(entry.cancelCall),
            new_promise=entry.newPromise,
            make_error=entry.makeError,
            settled=entry.promiseSettled,
        )

    def _natives_host(self) -> NativesHost:
        def wait(is_done):
            self.loop.iterate_until(lambda: bool(is_done()), lambda: self.finished)

        return NativesHost(
            self,
            compile=self.context.compile,
            binding=self.binding,
            wait=wait,
            heap_statistics=heap_statistics,
        )

    def _set_door_binder(self, bind) -> None:
        self._bind_door = bind

    def _wrap_callable(self, fn):
        """A JS function calling the Python callable `fn`: its result is
        converted, and an exception becomes a thrown JS Error."""
        to_js = self.convert.to_js
        throw_box = self._helpers.throwBox

        def call(*args):
            try:
                return to_js(fn(*args))
            except CompileError as e:
                return throw_box(e.name, e.message, json.dumps({"stack": e.stack()}))
            except Exception as e:
                name, message, props = errors.describe(e)
                return throw_box(name, message, json.dumps(props) if props else None)

        return self._helpers.wrap(call)

    def _to_promise(self, d: Deferred):
        return promises.to_promise(self, d)

    def _internal_failure(self, e) -> None:
        sys.stderr.write(f"twisted_node internal error: {getattr(e, 'stackTrace', e)}\n")
        sys.stderr.flush()
        self.exit(70)
