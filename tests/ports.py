"""Loopback ports for tests (and bench/) that start servers in other processes."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    """A port nothing listens on now (the server that takes it may race
    another program for it; on a test machine nothing else does)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    """Return once something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def refused(port: int) -> bool:
    """True if nothing accepts connections on 127.0.0.1:port (any more)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False
