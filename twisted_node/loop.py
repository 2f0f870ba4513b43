"""Active-handle accounting: a program lives while something can still produce
an event (Node's ev_ref/ev_unref), and nested iteration for promise.wait().

Every binding that can still call into JavaScript holds a `Hold` while it can:
a listening server, an open connection, a pending timer, a running child, a
file operation or DNS query in flight, an open stdin, a persistent watchFile.
When the last hold is released after the main module has run, the runtime is
told (once the current call stack has unwound) and ends the program.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from twisted.internet.defer import Deferred


class Hold:
    """One reason for the program to stay alive. `release()` is idempotent.

    `close`, when given, is called if the program ends while the hold is still
    held (process.exit with a server listening, or a NodeService stopped by
    its host), so that no socket or child outlives the Runtime that owns it.
    """

    __slots__ = ("_loop", "label", "close", "held")

    def __init__(self, loop: Loop, label: str, close: Callable[[], object] | None):
        self._loop = loop
        self.label = label
        self.close = close
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._loop._released(self)

    def __repr__(self) -> str:
        return f"<Hold {self.label} {'held' if self.held else 'released'}>"


class Loop:
    def __init__(self, reactor, on_idle: Callable[[], None]):
        self.reactor = reactor
        self._on_idle = on_idle
        self._holds: set[Hold] = set()
        self._idle_check = None
        self._running = 0  # calls into JS in progress for an event (see running())
        self.armed = False  # set once the main module has run

    @property
    def count(self) -> int:
        return len(self._holds)

    def labels(self) -> list[str]:
        return sorted(h.label for h in self._holds)

    def hold(self, label: str, close: Callable[[], object] | None = None) -> Hold:
        h = Hold(self, label, close)
        self._holds.add(h)
        return h

    def track(self, d: Deferred, label: str) -> Deferred:
        """Keep the program alive until `d` fires (one-shot operations)."""
        h = self.hold(label, close=d.cancel)

        def done(result):
            h.release()
            return result

        return d.addBoth(done)

    @contextmanager
    def running(self):
        """Around the JS callback of an event whose hold was just released:
        the program is not idle while it runs (the callback may start the next
        operation), yet nothing is counted that could fire a promise.wait()
        made inside it."""
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            if not self._running and not self._holds:
                self._schedule_idle_check()

    def arm(self) -> None:
        """Called after the main module ran: from now on, idle means exit."""
        self.armed = True
        self._schedule_idle_check()

    def _released(self, h: Hold) -> None:
        self._holds.discard(h)
        if not self._holds:
            self._schedule_idle_check()

    def _schedule_idle_check(self) -> None:
        # Checked from a fresh reactor turn: the call stack that released the
        # last hold may still be about to take a new one (a "close" listener
        # that reconnects, a callback that starts the next request).
        if self.armed and self._idle_check is None:
            self._idle_check = self.reactor.callLater(0, self._check_idle)

    def _check_idle(self) -> None:
        self._idle_check = None
        if self.armed and not self._holds and not self._running:
            self._on_idle()

    def close_all(self) -> None:
        """The program is ending: close whatever is still open."""
        self.armed = False
        if self._idle_check is not None and self._idle_check.active():
            self._idle_check.cancel()
        self._idle_check = None
        holds, self._holds = list(self._holds), set()
        for h in holds:
            h.held = False
            if h.close is not None:
                try:
                    h.close()
                except Exception:  # closing one thing must not stop the rest
                    pass

    def iterate_until(self, done: Callable[[], bool], stopped: Callable[[], bool]) -> None:
        """Run the reactor re-entrantly until `done()` (promise.wait()).

        Events set up before the wait keep firing, as the manual describes.
        Raises RuntimeError when nothing is left that could make `done()` true,
        instead of blocking forever.

        Twisted's pass over the calls queued from threads (callFromThread) is
        not re-entrant: a wait() inside one of them would run the same queued
        calls again. So results from threads reach JavaScript through a fresh
        timed call (reactor.callLater(0, ...)), never from that queue directly.
        """
        reactor = self.reactor
        if not hasattr(reactor, "doIteration"):
            raise RuntimeError("promise.wait() needs a re-entrant reactor (epoll, poll or select)")
        while not done():
            if stopped():
                raise RuntimeError("the program is exiting")
            pending = [c for c in reactor.getDelayedCalls() if c is not self._idle_check]
            if not self._holds and not pending and not reactor.threadCallQueue:
                raise RuntimeError(
                    "promise.wait() would block forever: nothing is left that could fire the promise"
                )
            # reactor.iterate() without its sleep when the calls it ran just
            # fired the promise.
            reactor.runUntilCurrent()
            if done():
                break
            delay = reactor.timeout()
            reactor.doIteration(0.5 if delay is None else min(delay, 0.5))
