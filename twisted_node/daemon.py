"""What the twistd plugin builds: a NodeService (or, with --workers, a
Supervisor of worker processes) whose end ends twistd, with the program's
exit status. twistd's stop (SIGTERM, SIGINT) stops it gracefully."""

from __future__ import annotations

import atexit
import os
import sys

from twisted.logger import Logger

from twisted_node.options import DEFAULT_SHUTDOWN_TIMEOUT
from twisted_node.service import NodeService
from twisted_node.supervisor import Supervisor


def _exit_with(code: int) -> None:
    # twistd itself always exits 0 once its reactor stops; this runs at
    # interpreter exit, after twistd has removed its pid file and closed its
    # log, and makes the script's status the process's.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def daemon_service(
    script: str,
    args,
    repl_port: str | None = None,
    workers: int | None = None,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
):
    if workers is not None:
        # The supervisor's log (restarts, reloads) goes to twistd's log.
        log = Logger(namespace="twisted_node.supervisor")
        service = Supervisor(
            script, args, workers, shutdown_timeout, log=lambda text: log.info("{text}", text=text)
        )
    else:
        service = NodeService(
            script, args, executable="twistd", repl_port=repl_port, shutdown_timeout=shutdown_timeout
        )

    def ended(code):
        from twisted.internet import reactor

        if code:
            atexit.register(_exit_with, code)
        if reactor.running:
            reactor.stop()

    service.whenFinished().addCallback(ended)
    return service
