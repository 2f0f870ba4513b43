"""Signals by name or number, and process.addListener("SIGxxx") handlers.

Neutral: the natives binding (process signals, process.kill) and child
processes (child.kill) both use it."""

from __future__ import annotations

import signal

from twisted_node.errors import NodeError

_SIGNALS = {
    name: int(num)
    for name, num in signal.Signals.__members__.items()
    if name.startswith("SIG") and not name.startswith("SIG_")
}


def signal_number(sig) -> int:
    """A signal name ("SIGTERM", "TERM") or number -> number, or a clear error."""
    if isinstance(sig, bool):
        raise TypeError('signal must be a signal name such as "SIGTERM" or a number')
    if isinstance(sig, (int, float)) and int(sig) == sig:
        return int(sig)
    if isinstance(sig, str):
        name = sig.upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        if name in _SIGNALS:
            return _SIGNALS[name]
        raise NodeError(f"unknown signal: {sig!r}", code="EINVAL")
    raise TypeError('signal must be a signal name such as "SIGTERM" or a number')


class Signals:
    """process.addListener("SIGUSR1", f): the handler is installed with the
    first listener and the previous disposition restored with the last;
    deliver(name) is called from the reactor for each signal."""

    def __init__(self, reactor, deliver):
        self._reactor = reactor
        self._deliver = deliver
        self._previous: dict[int, object] = {}

    def watch(self, name: str) -> None:
        num = signal_number(name)
        if num in self._previous:
            return
        reactor = self._reactor

        def handler(signum, frame):
            # A signal can arrive in the middle of a call into V8: deliver it
            # from the reactor, never from here, and through a timed call (see
            # Loop.iterate_until: the queue of calls from threads is not
            # re-entrant, and the listener may wait()).
            reactor.callFromThread(reactor.callLater, 0, self._deliver, name)

        self._previous[num] = signal.signal(num, handler)

    def unwatch(self, name: str) -> None:
        num = signal_number(name)
        previous = self._previous.pop(num, None)
        if previous is not None:
            signal.signal(num, previous)

    def restore_all(self) -> None:
        for num, previous in self._previous.items():
            signal.signal(num, previous)
        self._previous.clear()
