"""Python calling the functions a program's main module exports
(NodeService.call): a Deferred per call, one crossing, values as JSON.

lib/node.js's callExport(id, name, argsJSON) runs exports[name](...args)
through the door and answers at once with the outcome as one string: "="
and the value as JSON, "!" and the error as JSON ({name, message, stack,
props}), or "" when the value is a process.Promise, which settles the call
later through natives.settleCall(id, outcome) ("x": it was cancelled). JS
keeps `id -> promise` while it is pending (Python holds no JS object), so
that cancelling the Deferred cancels the promise (cancelCall(id)).

JSON is the crossing because the values are plain data both ways (numbers,
strings, lists, dicts, None), and one string is the cheapest thing to cross:
a dict as a host object would cost a crossing per key read.

Calls made before the main module has run wait for it; calls into a program
that has ended, and calls still waiting when it ends, fail with
errors.ProgramNotRunning.
"""

from __future__ import annotations

import itertools
import json

from twisted.internet.defer import CancelledError, Deferred, fail

from twisted_node.errors import JavaScriptError, ProgramNotRunning
from twisted_node.jsbridge.convert import json_default


def error_from_json(text: str) -> JavaScriptError:
    """lib/node.js's describeError() as the Python exception."""
    d = json.loads(text)
    return JavaScriptError(d.get("message", ""), d.get("name", "Error"), d.get("stack", ""), d.get("props"))


class ExportCalls:
    def __init__(self, runtime):
        self._runtime = runtime
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Deferred, str]] = {}  # id -> (Deferred, name): a promise settles it
        # Calls made before the main module ran, id -> (Deferred, name,
        # arguments); None once it has.
        self._early: dict[int, tuple[Deferred, str, str]] | None = {}

    def call(self, name, args) -> Deferred:
        if not isinstance(name, str) or not name:
            return fail(TypeError(f"call(name, *args): name must be a non-empty string, got {name!r}"))
        try:
            args_json = json.dumps(list(args), default=json_default, allow_nan=False)
        except (TypeError, ValueError) as e:
            return fail(
                TypeError(
                    f"call({name!r}, ...): arguments must be plain values (numbers, strings, "
                    f"lists, dicts, None): {e}"
                )
            )
        if self._runtime.finished:
            return fail(ProgramNotRunning(f"cannot call exports.{name}(): the program has ended"))
        call_id = next(self._ids)
        d = Deferred(lambda d: self._cancel(call_id))
        if self._early is not None:
            self._early[call_id] = (d, name, args_json)
        else:
            self._call(call_id, d, name, args_json)
        return d

    def _call(self, call_id: int, d: Deferred, name: str, args_json: str) -> None:
        self._pending[call_id] = (d, name)
        outcome = self._runtime.js.call_export(call_id, name, args_json)
        if outcome:
            self.settle(call_id, outcome)
        elif outcome is None and self._pending.pop(call_id, None) is not None:
            # The door returned nothing: the function called process.exit().
            d.errback(ProgramNotRunning(f"the program exited during exports.{name}()"))

    def settle(self, call_id: int, outcome: str) -> None:
        """For lib/node.js (natives.settleCall): the call's outcome."""
        entry = self._pending.pop(call_id, None)
        if entry is None:
            return  # cancelled by its caller meanwhile
        d, name = entry
        kind, text = outcome[0], outcome[1:]
        if kind == "=":
            d.callback(json.loads(text))
        elif kind == "x":
            d.errback(CancelledError(f"the promise exports.{name}() returned was cancelled"))
        else:
            d.errback(error_from_json(text))

    def _cancel(self, call_id: int) -> None:
        # The Deferred errbacks with CancelledError once this returns.
        if self._early is not None and self._early.pop(call_id, None) is not None:
            return
        if self._pending.pop(call_id, None) is not None and not self._runtime.finished:
            self._runtime.js.cancel_call(call_id)

    def started(self) -> None:
        """The main module has run: calls made before go in now."""
        early, self._early = self._early or {}, None
        for call_id, (d, name, args_json) in early.items():
            if not self._runtime.finished:
                self._call(call_id, d, name, args_json)
            else:
                d.errback(ProgramNotRunning(f"the program ended before exports.{name}() could be called"))

    def ended(self) -> None:
        """The program has ended: nothing it was asked will answer now."""
        early, self._early = self._early or {}, None
        pending, self._pending = self._pending, {}
        for d, name, _ in early.values():
            d.errback(ProgramNotRunning(f"the program ended before exports.{name}() could be called"))
        for d, name in pending.values():
            d.errback(ProgramNotRunning(f"the program ended before exports.{name}() answered"))
