"""The service manager's readiness protocol, sd_notify(3): datagrams such as
"READY=1" sent to the UNIX socket $NOTIFY_SOCKET names. systemd reads them
from a Type=notify service's main process; the supervisor of `--workers`
reads them from its workers (it gives each the path of a socket of its own),
so that a reload waits until a new worker has run its main module.

Neutral: the front doors send, the supervisor receives.
"""

from __future__ import annotations

import os
import socket

_socket: list[str | None] = []


def _path() -> str | None:
    # Taken out of the environment the first time, so that the program's
    # own child processes do not report to our service manager.
    if not _socket:
        _socket.append(os.environ.pop("NOTIFY_SOCKET", None) or None)
    return _socket[0]


def take() -> str | None:
    """$NOTIFY_SOCKET as this process got it (read once)."""
    return _path()


def send(state: str) -> bool:
    """Send `state` ("READY=1", "RELOADING=1", "STOPPING=1") with our pid as
    MAINPID; False without a service manager listening."""
    return send_to(_path(), state)


def send_to(path: str | None, state: str) -> bool:
    if not path:
        return False
    address = "\0" + path[1:] if path.startswith("@") else path  # "@name": Linux's abstract namespace
    message = f"{state}\nMAINPID={os.getpid()}".encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(message, address)
    except OSError:
        return False
    return True


def parse(datagram: bytes) -> dict[str, str]:
    """A notification's KEY=VALUE lines (malformed lines are skipped)."""
    fields = {}
    for line in datagram.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key] = value
    return fields
