"""NodeService: a Node.js v0.1 program as a twisted.application Service.

The program's end ("exit" emitted: its loop ran dry, process.exit, or an
uncaught exception) stops only this service; `whenFinished()` fires with the
exit status. The host's reactor keeps running.

stopService() stops the program gracefully (Runtime.stop_gracefully): its
servers stop listening, the requests and connections in flight finish, for
at most `shutdown_timeout` seconds, then "exit" is emitted; the Deferred it
returns fires when the program has ended.
"""

from __future__ import annotations

from twisted.application.service import Service
from twisted.internet.defer import Deferred
from twisted.logger import Logger

from twisted_node.jsbridge.runtime import Runtime
from twisted_node.options import DEFAULT_SHUTDOWN_TIMEOUT

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
    ):
        """`repl_port`: serve a REPL on the program's global scope there
        (PORT, HOST:PORT or a server endpoint string; loopback by default).
        `shutdown_timeout`: how long stopService() lets connections in
        flight finish, in seconds."""
        self.script = script
        self.shutdown_timeout = shutdown_timeout
        self.repl_port = repl_port
        self.argv = list(argv)
        self._reactor = reactor
        self._executable = executable
        self.runtime: Runtime | None = None
        self._finished: list[Deferred] = []
        self.exit_code: int | None = None

    def startService(self) -> None:
        super().startService()
        self.runtime = Runtime(self.script, self.argv, reactor=self._reactor, executable=self._executable)
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
