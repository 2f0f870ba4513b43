"""The "timers" binding: one reactor DelayedCall for the earliest JS timer.

The timer list itself lives in lib/node.js, ordered by due time and then by
creation, so timers due at the same moment fire in the order they were set
(Twisted's DelayedCall heap does not promise that), and a thousand pending
timers cost one reactor entry. Its one event: (0, TIMEOUT) when the slot's
time has come.
"""

from __future__ import annotations

from twisted_node.bindings.events import Events

TIMEOUT = 1


class TimerSlot:
    def __init__(self, host, events: Events):
        self._host = host
        self._events = events
        self._call = None
        self._hold = None

    def schedule(self, delay_ms) -> None:
        delay = max(0.0, float(delay_ms)) / 1000.0
        if self._call is not None and self._call.active():
            self._call.reset(delay)
            return
        self._call = self._host.reactor.callLater(delay, self._fire)
        if self._hold is None:
            self._hold = self._host.hold("timer", close=self.cancel)

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
        with self._host.running():
            if hold is not None:
                hold.release()
            self._events(0, TIMEOUT)


def binding(host) -> dict:
    events = Events(host)
    slot = TimerSlot(host, events)
    return {
        "TIMEOUT": TIMEOUT,
        "init": events.init,
        "schedule": slot.schedule,
        "cancel": slot.cancel,
    }
