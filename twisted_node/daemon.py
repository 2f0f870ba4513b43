"""What the twistd plugin builds: a NodeService whose end ends twistd, with
the program's exit status."""

from __future__ import annotations

import atexit
import os
import sys

from twisted_node.service import NodeService


def _exit_with(code: int) -> None:
    # twistd itself always exits 0 once its reactor stops; this runs at
    # interpreter exit, after twistd has removed its pid file and closed its
    # log, and makes the script's status the process's.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def daemon_service(script: str, args, repl_port: str | None = None) -> NodeService:
    service = NodeService(script, args, executable="twistd", repl_port=repl_port)

    def ended(code):
        from twisted.internet import reactor

        if code:
            atexit.register(_exit_with, code)
        if reactor.running:
            reactor.stop()

    service.whenFinished().addCallback(ended)
    return service
