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


def length_prefixed(packed: str) -> list[str]:
    """The strings of "<length>:<string>" ... as JS packs them (lib/http.js's
    answers): its lengths count UTF-16 code units (String.length), and a
    character beyond the BMP, two units there, is one character here. So
    when there is one, the lengths are followed in UTF-16."""
    pieces = []
    if packed.isascii() or _ASTRAL.search(packed) is None:
        pos, size = 0, len(packed)
        while pos < size:
            colon = packed.index(":", pos)
            start = colon + 1
            end = start + int(packed[pos:colon])
            pieces.append(packed[start:end])
            pos = end
        return pieces
    units = packed.encode("utf-16-le", "surrogatepass")  # two bytes a unit
    pos, size = 0, len(units)
    while pos < size:
        colon = pos
        while units[colon : colon + 2] != b":\x00":  # past the length's digits
            colon += 2
        start = colon + 2
        end = start + 2 * int(units[pos:colon].decode("utf-16-le"))
        pieces.append(units[start:end].decode("utf-16-le", "surrogatepass"))
        pos = end
    return pieces


def crosses_as_is(args: tuple) -> bool:
    """True if each value goes to V8 unchanged (numbers, booleans, None,
    ASCII strings): an event's usual arguments, checked in less time than
    converting each (about 0.4 us of a call into V8, bench/crossing.py)."""
    for value in args:
        t = type(value)
        if t is str:
            if not value.isascii():
                return False
        elif t not in _PLAIN:
            return False
    return True


def json_default(value):
    """For json.dumps: bytes as "binary" strings, sets as lists; anything
    else JSON cannot carry raises a TypeError."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise _NotData(f"{type(value).__name__} is not plain data")


class _NotData(TypeError):
    """Raised by json_default for a value JSON cannot carry (a function, a
    Deferred, a JS handle)."""


# Marks, in the JSON skeleton of a container, where a value JSON cannot carry
# goes: {"\u0000slot": index}. No JSON from elsewhere is parsed with it.
_SLOT = "\u0000slot"


class Converter:
    """Bound to one context's helper functions (lib/bridge.js)."""

    def __init__(self, helpers, wrap_callable, to_promise):
        self._parse = helpers.parse
        self._assemble = helpers.assemble
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
                text = json.dumps(value, default=json_default, allow_nan=True)
            except _NotData:
                return self._build(value)
            return self._parse(text)
        if callable(value):
            return self._wrap_callable(value)
        return value  # an opaque handle for JS to pass back to Python

    def _build(self, value):
        """A container holding values JSON cannot carry, made in ONE call into
        JS: a JS value Python holds can cross back only once (from the second
        time on STPyV8 hands JS a host object), so the container cannot be
        filled from here piece by piece. JS parses the JSON skeleton and asks
        for each slot's value once, through `take(index)`."""
        extras = []

        def slot(v):
            try:
                return json_default(v)
            except _NotData:
                extras.append(v)
                return {_SLOT: len(extras) - 1}

        text = json.dumps(value, default=slot, allow_nan=True)
        return self._assemble(text, lambda index: self.to_js(extras[int(index)]))

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
