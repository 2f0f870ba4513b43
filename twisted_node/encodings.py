"""The manual's three string encodings, in one place for every layer.

JavaScript strings cross the bridge as Python str. On the wire they are bytes:
- "binary": chars 0-255 <-> bytes 0-255 (the low 8 bits of each char are written);
- "ascii": written like "binary"; read with the high bit of each byte cleared;
- "utf8": UTF-8, decoded incrementally so that a character split across two
  reads arrives whole.
"""

from __future__ import annotations

import codecs
import functools

ENCODINGS = ("utf8", "ascii", "binary")

_ALIASES = {
    "utf8": "utf8",
    "utf-8": "utf8",
    "ascii": "ascii",
    "binary": "binary",
    "raw": "binary",
    "latin1": "binary",
}

_ASCII_READ = bytes(b & 0x7F for b in range(256))


def normalize(encoding: str | None, default: str = "ascii") -> str:
    """Map an encoding name to "utf8", "ascii" or "binary".

    Raises ValueError naming the accepted encodings for anything else, so a
    wrong argument becomes a JS Error that says what was expected.
    """
    if encoding is None:
        return default
    try:
        return _ALIASES[str(encoding).lower()]
    except KeyError:
        raise ValueError(f'unknown encoding {encoding!r}: expected "utf8", "ascii" or "binary"') from None


def _low_bytes(s: str) -> bytes:
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return bytes(ord(c) & 0xFF for c in s)


def encode(s: str, encoding: str) -> bytes:
    """JS string -> bytes for the wire or the disk."""
    if encoding == "utf8":
        # Lone surrogates cannot come out of V8 (STPyV8 turns them into U+FFFD),
        # but a Python caller may pass one: never raise on it.
        return s.encode("utf-8", "surrogatepass")
    if encoding in ("ascii", "binary"):
        return _low_bytes(s)
    return encode(s, normalize(encoding))


def decode(data: bytes, encoding: str) -> str:
    """Bytes -> JS string, for a complete buffer (see Decoder for streams)."""
    if encoding == "binary":
        return data.decode("latin-1")
    if encoding == "ascii":
        return data.translate(_ASCII_READ).decode("latin-1")
    if encoding == "utf8":
        return data.decode("utf-8", "replace")
    return decode(data, normalize(encoding))


_STATELESS = {
    "binary": functools.partial(bytes.decode, encoding="latin-1"),
    "ascii": functools.partial(decode, encoding="ascii"),
}


class Decoder:
    """Stream decoder: feed chunks, get strings; utf8 keeps a split character
    back until its remaining bytes arrive.

    `decode` is bound once, per encoding, to the cheapest callable that does
    the job: it runs for every read of every connection.
    """

    __slots__ = ("_utf8", "decode", "encoding")

    def __init__(self, encoding: str):
        self.encoding = normalize(encoding)
        if self.encoding == "utf8":
            self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
            self.decode = self._utf8.decode
        else:  # stateless: one callable per encoding, shared (a connection each costs memory)
            self._utf8 = None
            self.decode = _STATELESS[self.encoding]

    def flush(self) -> str:
        """End of stream: whatever partial character is left, as U+FFFD."""
        if self._utf8 is not None:
            return self._utf8.decode(b"", final=True)
        return ""
