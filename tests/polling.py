"""Bounded waits for a condition, for tests (never a fixed sleep that a slow
machine could outrun): `until` blocks (the test runs no reactor meanwhile),
`eventually` polls between reactor turns and returns a Deferred."""

from __future__ import annotations

import time

from twisted.internet import defer, reactor, task


def until(condition, seconds: float = 30, what: str = "a condition"):
    """Poll `condition` until it returns something true; its value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"still waiting for {what} after {seconds} s")


def eventually(condition, what: str = "a condition", tries: int = 1000) -> defer.Deferred:
    """Fires with `condition()`'s value once it is true, polling between
    reactor turns (bounded: fails saying `what` did not happen)."""

    @defer.inlineCallbacks
    def poll():
        for _ in range(tries):
            value = condition()
            if value:
                return value
            yield task.deferLater(reactor, 0.02, lambda: None)
        raise AssertionError(f"never happened: {what}")

    return poll()
