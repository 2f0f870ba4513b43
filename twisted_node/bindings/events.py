"""The one way a binding's events reach JavaScript (see bindings/__init__.py).

lib/NAME.js calls ``binding.init(internal("events").handler(onEvent))`` once;
from then on the binding calls ``events(id, code, *args)``, and onEvent gets
``(id, code, ...args)`` through the door: `id` names the JS object
(lib/NAME.js keeps the table), `code` is one of the binding's event
constants (below KEY). Across the bridge the two travel as one number,
``key = id * KEY + code`` (lib/internal/events.js splits it): every argument
of a call into V8 costs a conversion (about 0.4 us), and an echo server
gets one event per message.

Batched writes (what saves a crossing per reply): while lib/NAME.js
dispatches an event to one of its objects, what the program writes to that
same object is gathered there and returned as the event function's result,
a "binary" string (one char per byte), instead of being written through the
binding one call at a time; lib/internal/batch.js holds the JS half, and
writes the batch itself if a listener throws. The binding hands that result
to `write_batch` with the object's writer when the call returns.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from twisted_node.bindings.args import wire_bytes


KEY = 32  # event codes are below it; see the docstring


def key(id: int, code: int) -> int:
    return id * KEY + code


class Events:
    """`events(id, code, *args)`. On a hot path, `events.raw(key(id, code),
    *args)`, with the key computed once: the same, one Python frame fewer."""

    __slots__ = ("_host", "raw")

    def __init__(self, host):
        self._host = host
        self.raw = None

    def init(self, on_event) -> None:
        """For lib/NAME.js: its one event function (called once)."""
        self.raw = self._host.callback(on_event)

    def __call__(self, id, code, *args):
        raw = self.raw
        if raw is None:
            raise RuntimeError("events before init(): lib/*.js must call binding.init first")
        return raw(id * KEY + code, *args)


class NumberingHub:
    """The base of a binding whose objects are born outside JavaScript and
    written to by it while the event announcing them still runs (REPL
    sessions, twisted.web requests): numbered here (`next_id()`), not by JS.
    Its lib file, which programs never require, is loaded into the program
    (`load_js`, set by whoever hands the hub its first object) when the
    first one comes, and calls `init`.

    One hub per program and kind, shared by the binding and the front door
    handing it objects: `Kind.of(host)`. It holds its host, and so the
    runtime: `forget()` when the program ends."""

    _by_host: dict

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._by_host = {}  # host -> its hub, per kind

    @classmethod
    def of(cls, host):
        hub = cls._by_host.get(host)
        if hub is None:
            hub = cls._by_host[host] = cls(host)
        return hub

    def forget(self) -> None:
        type(self)._by_host.pop(self._host, None)
        self._ready = False

    def __init__(self, host):
        self._host = host
        self._events = Events(host)
        self._ready = False  # the lib file has called init
        self._ids = itertools.count(1)
        self.load_js: Callable[[], object] | None = None

    def init(self, on_event) -> None:
        self._events.init(on_event)
        self._ready = True

    def next_id(self) -> int:
        return next(self._ids)

    def ready(self) -> bool:
        """Load the lib file if it is not yet; True when JS can take events
        (False too once the program has ended)."""
        if not self._ready and self.load_js is not None and not self._host.finished:
            self.load_js()  # through the door, like any call into JS
        return self._ready and not self._host.finished


def write_batch(write: Callable[[bytes], object], result):
    """Write an event's batched result (a "binary" string), if any; returns
    what `write` returned (None when there was nothing)."""
    if result:
        try:
            data = result.encode("latin-1")  # inline: the hot path of an echo
        except UnicodeEncodeError:
            data = wire_bytes(result)
        return write(data)
    return None
