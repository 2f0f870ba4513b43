"""Python values <-> native JS values.

STPyV8 hands a Python dict or list to JavaScript as a host object, which
JSON.stringify and Array.isArray do not recognise, and it truncates characters
beyond the Basic Multilingual Plane to 16 bits. Everything that crosses from
Python to JavaScript with a shape of its own therefore goes through here.
"""

from __future__ import annotations

import json
import re
import sys

import STPyV8
from twisted.internet.defer import Deferred

_PLAIN = frozenset({int, float, bool, type(None)})
_HANDLES = (STPyV8.JSObject, STPyV8.JSFunction)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Size of a one-byte (latin-1) and a two-byte compact str of length 0, to tell
# the storage width of a str in O(1) (PEP 393): only four-byte strings can
# hold characters outside the BMP.
_UCS2_BASE = sys.getsizeof("\u0100") - 2 * 2


def _surrogate_pair(match: re.Match) -> str:
    c = ord(match.group()) - 0x10000
    return chr(0xD800 + (c >> 10)) + chr(0xDC00 + (c & 0x3FF))


def js_str(s: str) -> str:
    """A str that STPyV8 passes to V8 intact: astral characters as UTF-16
    surrogate pairs (V8 strings are UTF-16)."""
    if s.isascii() or sys.getsizeof(s) <= _UCS2_BASE + 2 * (len(s) + 1):
        return s
    return _ASTRAL.sub(_surrogate_pair, s)


def _json_default(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise _NotData


class _NotData(Exception):
    """Raised by the JSON encoder for a value JSON cannot carry (a function,
    a Deferred, a JS handle): the converter then builds the value piecewise."""


class Converter:
    """Bound to one context's helper functions (lib/bridge.js)."""

    def __init__(self, helpers, wrap_callable, to_promise):
        self._parse = helpers.parse
        self._new_object = helpers.newObject
        self._new_array = helpers.newArray
        self._set = helpers.set
        self._push = helpers.push
        self._wrap_callable = wrap_callable
        self._to_promise = to_promise

    def to_js(self, value):
        """Any Python value -> the JS value a JS programmer would expect."""
        t = type(value)
        if t in _PLAIN:
            return value
        if t is str:
            return js_str(value)
        if isinstance(value, _HANDLES):
            return value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).decode("latin-1")
        if isinstance(value, Deferred):
            return self._to_promise(value)
        if isinstance(value, (dict, list, tuple)):
            try:
                # One crossing for plain data; ensure_ascii also writes astral
                # characters as surrogate-pair escapes, which V8 reads right.
                text = json.dumps(value, default=_json_default, allow_nan=True)
            except _NotData:
                return self._build(value)
            return self._parse(text)
        if callable(value):
            return self._wrap_callable(value)
        return value  # an opaque handle for JS to pass back to Python

    def _build(self, value):
        if isinstance(value, dict):
            obj = self._new_object()
            for k, v in value.items():
                self._set(obj, js_str(str(k)), self.to_js(v))
            return obj
        arr = self._new_array()
        for v in value:
            self._push(arr, self.to_js(v))
        return arr

    def to_py(self, value):
        """JS value -> plain Python (arrays -> list, objects -> dict); JS
        functions stay handles."""
        if isinstance(value, STPyV8.JSArray):
            return [self.to_py(v) for v in value]
        if isinstance(value, STPyV8.JSFunction):
            return value
        if isinstance(value, STPyV8.JSObject):
            return {k: self.to_py(value[k]) for k in value.keys()}
        return value
