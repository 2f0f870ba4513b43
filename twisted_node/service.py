"""NodeService: a Node.js v0.1 program as a twisted.application Service.

The program's end ("exit" emitted: its loop ran dry, process.exit, or an
uncaught exception) stops only this service; `whenFinished()` fires with the
exit status. The host's reactor keeps running.

stopService() stops the program gracefully (Runtime.stop_gracefully): its
servers stop listening, the requests and connections in flight finish, for
at most `shutdown_timeout` seconds, then "exit" is emitted; the Deferred it
returns fires when the program has ended.

Inside a host the program is part of the application: what it prints, and
the stack of an exception nobody caught, go to twisted.logger in the
namespace "twisted_node.<script file name>" (protocols/output.py), and
Python calls the functions it exports with `call(name, *args)`, a Deferred.
A program that only exports functions (for call() and
twisted_node.web.NodeResource) would end as soon as its main module has
run: `persistent=True` (or `persist()`) keeps it running until the service
stops.
"""

from __future__ import annotations

import os

from twisted.application.service import Service
from twisted.internet.defer import Deferred, fail
from twisted.logger import Logger

from twisted_node.errors import ProgramNotRunning
from twisted_node.jsbridge.runtime import Runtime
from twisted_node.options import DEFAULT_SHUTDOWN_TIMEOUT
from twisted_node.protocols.output import LogOutput

log = Logger()


class NodeService(Service):
    def __init__(
        self,
        script: str,
        argv=(),
        reactor=None,
        executable: str = "twisted-node",
        repl_port: str | None = None,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
        persistent: bool = False,
    ):
        """`repl_port`: serve a REPL on the program's global scope there
        (PORT, HOST:PORT or a server endpoint string; loopback by default).
        `shutdown_timeout`: how long stopService() lets connections in
        flight finish, in seconds. `persistent`: keep the program running
        until the service stops, even when nothing is left for it to do."""
        self.script = script
        self.shutdown_timeout = shutdown_timeout
        self.repl_port = repl_port
        self.argv = list(argv)
        self._reactor = reactor
        self._executable = executable
        self.runtime: Runtime | None = None
        self._finished: list[Deferred] = []
        self.exit_code: int | None = None
        self.persistent = persistent
        self.log_namespace = f"twisted_node.{os.path.basename(script)}"

    def startService(self) -> None:
        super().startService()
        self.runtime = Runtime(
            self.script,
            self.argv,
            reactor=self._reactor,
            executable=self._executable,
            output=LogOutput(self.log_namespace),
        )
        if self.persistent:
            self._hold_open()
        self.runtime.whenFinished().addCallback(self._program_ended)
        self.runtime.reactor.callWhenRunning(self.runtime.start)
        if self.repl_port is not None:
            self.runtime.reactor.callWhenRunning(self._serve_repl)

    def _serve_repl(self) -> None:
        from twisted_node.bindings.repl import listen_repl

        def failed(failure):
            log.failure("cannot serve the REPL on {where}", failure, where=self.repl_port)
            if self.runtime is not None:
                self.runtime.stop(1)

        runtime = self.runtime
        listen_repl(runtime.host, runtime.require, self.repl_port).addErrback(failed)

    def persist(self) -> None:
        """Keep the program running until this service stops, even when it
        has nothing left to do (a program that only exports functions for
        the host). A NodeResource does this for its service."""
        if not self.persistent:
            self.persistent = True
            if self.runtime is not None and not self.runtime.finished:
                self._hold_open()

    def _hold_open(self) -> None:
        # Like a listening server: released only when the program ends.
        self.runtime.loop.hold("persistent NodeService")

    def call(self, name: str, *args) -> Deferred:
        """`exports[name](*args)` in the program: a Deferred firing with its
        value (converted: numbers, strings, lists, dicts, None), or with what
        the process.Promise it returns succeeds with; it fails with
        errors.JavaScriptError (the JS error's name, message and stack),
        with errors.ProgramNotRunning when the service is not running, and
        cancelling it cancels the promise. A call made before the main
        module has run waits for it."""
        if self.runtime is None:
            return fail(ProgramNotRunning(f"cannot call exports.{name}(): {self.script} was not started"))
        return self.runtime.call(name, *args)

    def stopService(self):
        super().stopService()
        if self.runtime is not None and self.exit_code is None:
            d = self.whenFinished()
            self.runtime.stop_gracefully(self.shutdown_timeout)
            return d
        return None

    def whenFinished(self) -> Deferred:
        """Fires with the program's exit status when it has ended."""
        d = Deferred()
        if self.exit_code is not None:
            d.callback(self.exit_code)
        else:
            self._finished.append(d)
        return d

    def _program_ended(self, code: int) -> None:
        self.exit_code = code
        if self.running:
            Service.stopService(self)
        waiting, self._finished = self._finished, []
        for d in waiting:
            d.callback(code)
