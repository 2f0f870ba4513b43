"""What makes a `twisted-node` process one of the workers of `--workers N`
(the supervisor, supervisor.py, starts them): the environment it gets, and
how it ends.

- TWISTED_NODE_WORKER_ID: its number, 1..N (process.workerId); its TCP
  ports are then shared with the other workers (protocols/listening.py).
- TWISTED_NODE_SUPERVISOR: the supervisor's pid; the worker stops when the
  supervisor is gone (killed with -9, it cannot tell its workers).
- SIGTERM and SIGINT stop the program gracefully (Runtime.stop_gracefully),
  unless the program listens for the signal itself: its listener replaces
  this handler while it is there (signals.Signals).
- Once the main module has run (its listen() calls made), the worker reports
  "READY=1" (notify.py): a reload waits for it before it retires an old one.
"""

from __future__ import annotations

import os
import signal

from twisted_node import notify, socket_activation

WORKER_ID = "TWISTED_NODE_WORKER_ID"
SUPERVISOR = "TWISTED_NODE_SUPERVISOR"

_PR_SET_PDEATHSIG = 1  # prctl(2)


def environment(base: dict, worker_id: int, supervisor_pid: int, notify_socket: str) -> dict:
    """A worker's environment, for the supervisor."""
    env = dict(base)
    env[WORKER_ID] = str(worker_id)
    env[SUPERVISOR] = str(supervisor_pid)
    env["NOTIFY_SOCKET"] = notify_socket
    return env


def take_worker_id() -> int | None:
    """This process's worker number (None unless a supervisor started it).
    The variables are removed: the program's own children are no workers."""
    notify.take()  # before the program can start children
    value = os.environ.pop(WORKER_ID, None)
    supervisor = os.environ.pop(SUPERVISOR, None)
    if value is None:
        return None
    socket_activation.claim_inherited()
    if supervisor is not None:
        _end_with(int(supervisor))
    return int(value)


def _end_with(supervisor_pid: int) -> None:
    # SIGTERM from the kernel when the supervisor dies: the same graceful stop.
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != supervisor_pid:  # it died before prctl
        os.kill(os.getpid(), signal.SIGTERM)


def stop_gracefully_on_signals(runtime, shutdown_timeout: float) -> None:
    reactor = runtime.reactor

    def handler(signum, frame):
        # Never call into the runtime from a signal handler: from the reactor.
        reactor.callFromThread(runtime.stop_gracefully, shutdown_timeout)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def ready(runtime) -> None:
    """The main module has run: tell the supervisor (or systemd)."""
    if not runtime.finished:
        notify.send("READY=1")
