"""The "timers" binding: one reactor DelayedCall for the earliest JS timer.

The timer list itself lives in lib/node.js, ordered by due time and then by
creation, so timers due at the same moment fire in the order they were set
(Twisted's DelayedCall heap does not promise that), and a thousand pending
timers cost one reactor entry.
"""

from __future__ import annotations


class TimerSlot:
    def __init__(self, runtime, on_timeout):
        self._runtime = runtime
        self._on_timeout = runtime.callback(on_timeout)
        self._call = None
        self._hold = None

    def schedule(self, delay_ms) -> None:
        delay = max(0.0, float(delay_ms)) / 1000.0
        if self._call is not None and self._call.active():
            self._call.reset(delay)
            return
        self._call = self._runtime.reactor.callLater(delay, self._fire)
        if self._hold is None:
            self._hold = self._runtime.loop.hold("timer", close=self.cancel)

    def cancel(self) -> None:
        if self._call is not None and self._call.active():
            self._call.cancel()
        self._call = None
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.release()

    def _fire(self) -> None:
        self._call = None
        # JS reschedules for the next timer, if any, before running() ends.
        hold, self._hold = self._hold, None
        with self._runtime.loop.running():
            if hold is not None:
                hold.release()
            self._on_timeout()


def binding(runtime) -> dict:
    slot: list[TimerSlot] = []

    def init(on_timeout):
        slot.append(TimerSlot(runtime, on_timeout))

    return {
        "init": init,
        "schedule": lambda ms: slot[0].schedule(ms),
        "cancel": lambda: slot[0].cancel(),
    }
