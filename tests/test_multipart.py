"""protocols/multipart.py: boundary checks and the streaming parser, no V8
(the binding's batches: tests/test_multipart_binding.py)."""

from __future__ import annotations

from twisted.trial import unittest

from twisted_node.protocols.multipart import (
    MultipartError,
    StreamParser,
    boundary_from_content_type,
)

BOUNDARY = "----twisted-node-boundary-4f2a"


def form_body(parts, boundary=BOUNDARY) -> bytes:
    """parts: (headers list, body bytes) in order, as a browser would send."""
    out = bytearray()
    for headers, body in parts:
        out += b"--" + boundary.encode() + b"\r\n"
        for header in headers:
            out += header.encode("utf-8") + b"\r\n"
        out += b"\r\n" + body + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return bytes(out)


def field(name, value: bytes):
    return ([f'Content-Disposition: form-data; name="{name}"'], value)


def upload(name, filename, value: bytes, ctype="application/octet-stream"):
    return (
        [
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"',
            f"Content-Type: {ctype}",
        ],
        value,
    )


class Recorder:
    """Collects a parser's events; consecutive data pieces are merged, so two
    feeds of one body compare equal whatever the split."""

    def __init__(self, boundary=BOUNDARY):
        self.events = []
        self.parser = StreamParser(boundary, self.part, self.data, self.part_end, self.complete)

    def part(self, name, filename, headers):
        self.events.append(("part", name, filename, dict(headers)))

    def data(self, chunk):
        assert isinstance(chunk, bytes) and chunk
        if self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + chunk)
        else:
            self.events.append(("data", chunk))

    def part_end(self):
        self.events.append(("end",))

    def complete(self):
        self.events.append(("complete",))

    def feed_all(self, *chunks):
        for chunk in chunks:
            self.parser.feed(chunk)
        self.parser.finish()
        return self.events


class BoundaryTests(unittest.TestCase):
    def test_quoted_and_unquoted(self):
        self.assertEqual(
            boundary_from_content_type("multipart/form-data; boundary=abc123"),
            "abc123",
        )
        self.assertEqual(
            boundary_from_content_type('multipart/form-data; boundary="a b:c"'),
            "a b:c",
        )

    def test_charset_and_case(self):
        self.assertEqual(
            boundary_from_content_type("Multipart/Form-Data; charset=UTF-8; BOUNDARY=xyz"),
            "xyz",
        )
        self.assertEqual(
            boundary_from_content_type('multipart/form-data;boundary="q=r?";charset=utf-8'),
            "q=r?",
        )

    def test_not_multipart(self):
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "", None):
            e = self.assertRaises(MultipartError, boundary_from_content_type, ctype)
            self.assertEqual(e.code, "NOT_MULTIPART")
            self.assertIn("multipart/form-data", e.message)

    def test_missing_boundary(self):
        e = self.assertRaises(MultipartError, boundary_from_content_type, "multipart/form-data")
        self.assertEqual(e.code, "BAD_BOUNDARY")
        self.assertIn("no boundary parameter", e.message)

    def test_bad_boundary(self):
        for bad in ("x" * 71, "a\x01b", '"ends-with-space "', '""'):
            e = self.assertRaises(
                MultipartError,
                boundary_from_content_type,
                f"multipart/form-data; boundary={bad}",
            )
            self.assertEqual(e.code, "BAD_BOUNDARY")
            self.assertIn("boundary", e.message)
        self.assertEqual(
            boundary_from_content_type("multipart/form-data; boundary=" + "x" * 70),
            "x" * 70,
        )


class ParserTests(unittest.TestCase):
    def test_fields_and_file(self):
        body = form_body(
            [
                field("title", b"hello world"),
                upload("file", "notes.txt", b"line 1\r\nline 2\r\n", "text/plain"),
            ]
        )
        events = Recorder().feed_all(body)
        self.assertEqual(
            events,
            [
                (
                    "part",
                    "title",
                    None,
                    {"content-disposition": 'form-data; name="title"'},
                ),
                ("data", b"hello world"),
                ("end",),
                (
                    "part",
                    "file",
                    "notes.txt",
                    {
                        "content-disposition": 'form-data; name="file"; filename="notes.txt"',
                        "content-type": "text/plain",
                    },
                ),
                ("data", b"line 1\r\nline 2\r\n"),
                ("end",),
                ("complete",),
            ],
        )

    def test_unquoted_parameters_and_charset(self):
        body = form_body(
            [
                (
                    [
                        "content-disposition: form-data; name=plain; filename=a.txt",
                        "Content-Type: text/plain; charset=utf-8",
                    ],
                    "caf\u00e9".encode(),
                ),
                (['Content-Disposition: form-data; name="sn\u00f6w \u2603"'], b"x"),
            ]
        )
        events = Recorder().feed_all(body)
        self.assertEqual(events[0][1:3], ("plain", "a.txt"))
        self.assertEqual(events[0][3]["content-type"], "text/plain; charset=utf-8")
        self.assertEqual(events[1], ("data", "caf\u00e9".encode()))
        self.assertEqual(events[3][1], "sn\u00f6w \u2603")

    def test_empty_parts(self):
        body = form_body([field("a", b""), upload("f", "", b""), field("b", b"")])
        events = Recorder().feed_all(body)
        self.assertEqual(
            [e[0] for e in events],
            ["part", "end", "part", "end", "part", "end", "complete"],
        )
        self.assertEqual(events[2][2], "")

    def test_many_parts(self):
        parts = [field(f"f{i}", str(i).encode() * (i % 7)) for i in range(600)]
        events = Recorder().feed_all(form_body(parts))
        names = [e[1] for e in events if e[0] == "part"]
        self.assertEqual(names, [f"f{i}" for i in range(600)])
        self.assertEqual(events[-1], ("complete",))

    def test_all_byte_values(self):
        payload = bytes(range(256)) * 4 + b"\r\n--" + BOUNDARY[:-1].encode()
        events = Recorder().feed_all(form_body([upload("bin", "all.bin", payload)]))
        self.assertEqual(events[1], ("data", payload))

    def test_split_at_every_offset(self):
        body = form_body(
            [
                field("one", b"first value"),
                upload("two", "b.bin", bytes(range(256)) + b"\r\n-\r\n--"),
                field("three", b""),
                field("four", b"\r\n"),
            ]
        )
        expected = Recorder().feed_all(body)
        for i in range(len(body) + 1):
            self.assertEqual(Recorder().feed_all(body[:i], body[i:]), expected, f"split at {i}")
        # and one byte at a time, the worst case for boundary look-behind
        self.assertEqual(
            Recorder().feed_all(*(body[i : i + 1] for i in range(len(body)))),
            expected,
        )

    def test_one_data_event_per_chunk(self):
        # Parser events are coalesced: a chunk gives one data event per part.
        body = form_body([upload("f", "x", b"ab\r\ncd\r\n-" * 1000)])
        recorder = Recorder()
        sizes = []
        recorder.data = lambda chunk: sizes.append(len(chunk))
        recorder.parser._on_data = recorder.data
        recorder.feed_all(body)
        self.assertEqual(len(sizes), 1)

    def test_streams_without_buffering(self):
        # 8 MB in 64 KB chunks: every data event is at most one chunk long,
        # so the parser holds no more than a chunk whatever the upload size.
        chunk = bytes(range(256)) * 256
        total = 128
        head = form_body([upload("big", "big.bin", b"")])
        head = head[: head.index(b"\r\n\r\n") + 4]
        tail = b"\r\n--" + BOUNDARY.encode() + b"--\r\n"
        seen = []
        parser = StreamParser(
            BOUNDARY,
            lambda *a: None,
            lambda d: seen.append(len(d)),
            lambda: None,
            lambda: seen.append(-1),
        )
        parser.feed(head)
        for _ in range(total):
            parser.feed(chunk)
        parser.feed(tail)
        parser.finish()
        self.assertEqual(seen[-1], -1)
        self.assertEqual(sum(seen[:-1]), total * len(chunk))
        self.assertLessEqual(max(seen[:-1]), len(chunk) + len(BOUNDARY) + 4)

    def test_epilogue_ignored(self):
        body = b"\r\n" + form_body([field("a", b"1")]) + b"trailing epilogue"
        self.assertEqual(Recorder().feed_all(body)[-1], ("complete",))


class MalformedTests(unittest.TestCase):
    def assertMalformed(self, body, words, boundary=BOUNDARY):
        recorder = Recorder(boundary)
        e = self.assertRaises(MultipartError, recorder.feed_all, body)
        self.assertEqual(e.code, "MALFORMED")
        self.assertIn("malformed body", e.message)
        self.assertIn(words, e.message)
        return recorder

    def test_garbage(self):
        self.assertMalformed(b"this is not multipart at all", "boundary")

    def test_wrong_boundary(self):
        self.assertMalformed(form_body([field("a", b"1")], "other"), "boundary")

    def test_truncated(self):
        body = form_body([field("a", b"1"), field("b", b"2")])
        recorder = self.assertMalformed(body[:-30], "ended before the closing boundary")
        # what was complete before the cut was still reported
        self.assertEqual(recorder.events[0][1], "a")
        self.assertEqual(recorder.events[2], ("end",))

    def test_empty(self):
        self.assertMalformed(b"", "empty")

    def test_bad_header_line(self):
        body = (
            b"--" + BOUNDARY.encode() + b"\r\nBad Header Name: x\r\n\r\nv\r\n"
            b"--" + BOUNDARY.encode() + b"--\r\n"
        )
        self.assertMalformed(body, "header")

    def test_input_after_error_is_ignored(self):
        recorder = Recorder()
        self.assertRaises(MultipartError, recorder.parser.feed, b"nonsense")
        recorder.parser.feed(form_body([field("a", b"1")]))
        recorder.parser.finish()
        self.assertEqual(recorder.events, [])
