"""The "multipart" binding: lib/multipart.js's parsers, over the streaming
parser of protocols/multipart.py.

No call into JavaScript per parser event: JS feeds a chunk with
``write(parser, chunk)`` (a "binary" string) and gets back the events that
chunk produced, which it emits itself. That is one crossing per chunk, and
no re-entry into V8 from inside a JS call. Input that is not multipart or
has a bad boundary throws an Error whose code says so (NOT_MULTIPART,
BAD_BOUNDARY); a malformed body is an "error" event (MALFORMED).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from twisted_node import encodings
from twisted_node.errors import NodeError
from twisted_node.protocols.multipart import MultipartError, StreamParser, boundary_from_content_type


class _EventBatch:
    """A StreamParser whose events are collected as lists for one return to
    JS: ["part", name, filename, headersJSON], ["body", binaryString],
    ["partEnd"], ["complete"], ["error", message, code]; or, when a chunk
    gave nothing but body data, that data as a string."""

    def __init__(self, boundary: str):
        self.events: list[list] = []
        self.parser = StreamParser(
            boundary,
            self._part,
            self._data,
            lambda: self.events.append(["partEnd"]),
            lambda: self.events.append(["complete"]),
        )

    def _part(self, name, filename, headers) -> None:
        self.events.append(["part", name, filename, json.dumps(headers)])

    def _data(self, data: bytes) -> None:
        self.events.append(["body", encodings.decode(data, "binary")])

    def run(self, step: Callable[[], None]) -> list[list] | str:
        try:
            step()
        except MultipartError as e:
            self.events.append(["error", e.message, e.code])
        events, self.events = self.events, []
        if len(events) == 1 and events[0][0] == "body":
            # Most chunks of a large upload are only body data: return it as
            # a plain string, which crosses to V8 as it is (a list goes
            # through JSON, where every byte above 0x7f takes six chars).
            return events[0][1]
        return events


def _as_node_error(e: MultipartError) -> NodeError:
    return NodeError(e.message, code=e.code)


def binding(host) -> dict:
    def boundary(content_type):
        try:
            return boundary_from_content_type(content_type)
        except MultipartError as e:
            raise _as_node_error(e) from None

    def new_parser(boundary):
        try:
            return _EventBatch(boundary)
        except MultipartError as e:
            raise _as_node_error(e) from None

    def write(batch, chunk):
        if not isinstance(batch, _EventBatch):
            raise TypeError("multipart write: expected a parser handle")
        if not isinstance(chunk, str):
            raise TypeError("multipart write: expected a binary string chunk")
        data = encodings.encode(chunk, "binary")
        return batch.run(lambda: batch.parser.feed(data))

    def end(batch):
        if not isinstance(batch, _EventBatch):
            raise TypeError("multipart end: expected a parser handle")
        return batch.run(batch.parser.finish)

    return {"boundary": boundary, "newParser": new_parser, "write": write, "end": end}
