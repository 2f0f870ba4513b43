"""The options `twisted-node` and `twistd node` share: --workers and
--shutdown-timeout, read the same way by both (a ValueError says what is
wrong with a value)."""

from __future__ import annotations

import os

# Seconds a graceful stop lets connections in flight finish before it closes them.
DEFAULT_SHUTDOWN_TIMEOUT = 30.0


def cores() -> int:
    """The cores this process may run on (a CPU set or taskset counts)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def workers(text) -> int:
    """--workers: a number of worker processes, or "auto" (one per core)."""
    value = str(text).strip().lower()
    if value == "auto":
        return cores()
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f'--workers takes a number of workers (1 or more) or "auto", not {text!r}')
    return count


def shutdown_timeout(text) -> float:
    """--shutdown-timeout: seconds, 0 or more."""
    try:
        seconds = float(text)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"--shutdown-timeout takes a number of seconds (0 or more), not {text!r}")
    return seconds
