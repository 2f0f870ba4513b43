"""The one way a binding's events reach JavaScript (see bindings/__init__.py).

lib/NAME.js calls ``binding.init(onEvent)`` once; from then on the binding
calls ``events(id, code, *args)``, which is ``onEvent(id, code, ...args)``
through the door. `id` names the JS object (lib/NAME.js keeps the table),
`code` is one of the binding's event constants.

Batched writes (what saves a crossing per reply): while lib/NAME.js
dispatches an event to one of its objects, what the program writes to that
same object is gathered there and returned as the event function's result,
a "binary" string (one char per byte), instead of being written through the
binding one call at a time; lib/internal/batch.js holds the JS half, and
writes the batch itself if a listener throws. The binding hands that result
to `write_batch` with the object's writer when the call returns.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted_node.bindings.args import wire_bytes


class Events:
    """`events(id, code, *args)`; on a hot path, `events.call` (the same,
    one Python frame fewer) once init() has run."""

    __slots__ = ("_host", "call")

    def __init__(self, host):
        self._host = host
        self.call = None

    def init(self, on_event) -> None:
        """For lib/NAME.js: its one event function (called once)."""
        self.call = self._host.callback(on_event)

    def __call__(self, id, code, *args):
        call = self.call
        if call is None:
            raise RuntimeError("events before init(): lib/*.js must call binding.init first")
        return call(id, code, *args)


def write_batch(write: Callable[[bytes], object], result):
    """Write an event's batched result (a "binary" string), if any; returns
    what `write` returned (None when there was nothing)."""
    if result:
        return write(wire_bytes(result))
    return None
