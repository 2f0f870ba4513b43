"""What JavaScript passes to more than one binding, checked and converted
once here, with errors that name the program's call."""

from __future__ import annotations

from twisted_node import encodings
from twisted_node.errors import NodeError


def seconds(ms, what: str) -> float:
    """A timeout given in milliseconds, as seconds (negative: 0, no limit)."""
    try:
        value = float(ms)
    except (TypeError, ValueError):
        raise NodeError(f"{what}: timeout must be a number of ms, got {ms!r}") from None
    return max(0.0, value) / 1000.0


def wire_bytes(data) -> bytes:
    """A "binary" string from lib/*.js (one char per byte) as bytes."""
    if isinstance(data, str):
        try:
            return data.encode("latin-1")
        except UnicodeEncodeError:
            return encodings.encode(data, "binary")  # the low 8 bits of each char
    if data is None:
        return b""
    raise TypeError(f"expected a string of bytes, got {type(data).__name__}")


def dn_format(fmt) -> None:
    """getPeerCertificate(format): "DNstring" is the one format there is."""
    if fmt not in (None, "DNstring"):
        raise NodeError(f'getPeerCertificate: format must be "DNstring", got {fmt!r}')
