"""Streaming multipart/form-data parsing behind lib/multipart.js (through
bindings/multipart.py).

python-multipart does the byte-level work (it streams: nothing of a part's
body is kept beyond the chunk being parsed). This module adds what the
manual's multipart.Stream needs on top of it: the boundary taken from a
Content-Type header and checked, each part's headers collected and its
Content-Disposition read (name, filename), part data coalesced so that one
fed chunk gives at most one data event per part, and errors that say what
is wrong (not multipart, bad boundary, malformed or truncated body).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header


# RFC 2046 5.1.1: 1 to 70 characters from this set, not ending with a space.
_BOUNDARY_CHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{1,70}")

# python-multipart logs a warning for every malformed body; we report those
# errors to the program ourselves, so its log lines would only be noise on
# the program's stderr.
_quiet = logging.getLogger(__name__ + ".python_multipart")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class MultipartError(ValueError):
    """Bad multipart input. ``code`` says which kind: NOT_MULTIPART,
    BAD_BOUNDARY or MALFORMED."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def check_boundary(boundary) -> str:
    if not isinstance(boundary, str) or boundary == "":
        raise MultipartError(
            "multipart: missing boundary (expected a non-empty string)",
            "BAD_BOUNDARY",
        )
    if not _BOUNDARY_CHARS.fullmatch(boundary) or boundary.endswith(" "):
        raise MultipartError(
            f"multipart: bad boundary {boundary!r} (expected 1 to 70 letters, "
            "digits or '()+_,-./:=? , not ending with a space)",
            "BAD_BOUNDARY",
        )
    return boundary


def boundary_from_content_type(content_type) -> str:
    """The boundary parameter of a multipart/form-data Content-Type."""
    if not isinstance(content_type, str) or not content_type.strip():
        raise MultipartError(
            "multipart: request has no Content-Type (expected multipart/form-data)",
            "NOT_MULTIPART",
        )
    media_type, params = parse_options_header(content_type)
    if not media_type.startswith(b"multipart/"):
        raise MultipartError(
            f"multipart: not a multipart request (Content-Type {content_type!r}, "
            "expected multipart/form-data)",
            "NOT_MULTIPART",
        )
    boundary = params.get(b"boundary")
    if boundary is None:
        raise MultipartError(
            f"multipart: Content-Type {content_type!r} has no boundary parameter",
            "BAD_BOUNDARY",
        )
    return check_boundary(boundary.decode("latin-1"))


def _header_text(raw: bytes) -> str:
    # Browsers send non-ASCII field and file names as raw UTF-8; anything
    # that is not valid UTF-8 is taken byte for byte.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class StreamParser:
    """Feed body bytes, get part events through plain callables:

    - ``on_part(name, filename, headers)``: a part begins; headers is a dict
      with lower-cased names; filename is None unless the part is a file;
    - ``on_data(bytes)``: a piece of the current part's body;
    - ``on_part_end()``; ``on_complete()`` after the closing boundary.

    ``feed`` and ``finish`` raise MultipartError on a malformed or truncated
    body; after an error the parser ignores further input.
    """

    def __init__(
        self,
        boundary: str,
        on_part: Callable[[str | None, str | None, dict], object],
        on_data: Callable[[bytes], object],
        on_part_end: Callable[[], object],
        on_complete: Callable[[], object],
    ):
        self._on_part = on_part
        self._on_data = on_data
        self._on_part_end = on_part_end
        self._on_complete = on_complete
        self._parser = MultipartParser(
            check_boundary(boundary).encode("latin-1"),
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )
        self._parser.logger = _quiet
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[str, str] = {}
        self._disposition: bytes | None = None
        self._pending: list[bytes] = []
        self._boundary = boundary
        self._started = False  # the first boundary line has been seen
        self.bytes_received = 0
        self.done = False
        self.failed: MultipartError | None = None

    # -- input

    def feed(self, data: bytes) -> None:
        if self.failed is not None or self.done:
            return
        self.bytes_received += len(data)
        try:
            self._parser.write(data)
        except FormParserError as e:
            if self._started:
                self._fail(f"multipart: malformed body: {e}")
            else:
                self._fail(
                    "multipart: malformed body: it does not begin with the boundary "
                    f"line '--{self._boundary}'"
                )
        finally:
            # Whatever body bytes this chunk held go out as one event.
            self._flush()

    def finish(self) -> None:
        """End of input: the closing boundary must have been seen."""
        if self.failed is not None or self.done:
            return
        if self.bytes_received == 0:
            self._fail("multipart: malformed body: the body is empty")
        else:
            self._fail("multipart: malformed body: the data ended before the closing boundary")

    def _fail(self, message: str) -> None:
        self.failed = MultipartError(message, "MALFORMED")
        self._pending.clear()
        raise self.failed

    # -- python-multipart callbacks

    def _part_begin(self) -> None:
        self._started = True
        self._headers = {}
        self._disposition = None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        name = _header_text(bytes(self._field)).strip().lower()
        value = _header_text(bytes(self._value)).strip()
        if name == "content-disposition":
            # parsed from the bytes: its parameters may hold raw UTF-8
            self._disposition = bytes(self._value)
        self._field.clear()
        self._value.clear()
        if name in self._headers:
            value = self._headers[name] + ", " + value
        self._headers[name] = value

    def _headers_finished(self) -> None:
        name = filename = None
        if self._disposition is not None:
            _, params = parse_options_header(self._disposition)
            if b"name" in params:
                name = _header_text(params[b"name"])
            if b"filename" in params:
                filename = _header_text(params[b"filename"])
        self._on_part(name, filename, self._headers)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._pending.append(data[start:end])

    def _part_end(self) -> None:
        self._flush()
        self._on_part_end()

    def _end(self) -> None:
        self.done = True
        self._on_complete()

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._on_data(data)
