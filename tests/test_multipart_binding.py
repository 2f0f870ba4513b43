"""bindings/multipart.py: the batches of events lib/multipart.js receives,
from JavaScript in a real Runtime (the parser itself: tests/test_multipart.py)."""

from __future__ import annotations

import json

from twisted.internet.task import Clock
from twisted.trial import unittest

from tests.inprocess import booted_runtime
from tests.test_multipart import BOUNDARY, field, form_body, upload


class BindingTests(unittest.TestCase):
    """The binding's batches as lib/multipart.js receives them: called from
    JavaScript through process.binding("multipart") in a real Runtime (on a
    task.Clock: nothing here waits for I/O)."""

    def setUp(self):
        self.runtime = booted_runtime(self, Clock())

    def run_js(self, params, body, *args):
        """Call `function (params) { body }` in the program, with `binding`
        in its scope, on `args`; its result comes back through JSON, so
        native arrays stay arrays and a host object would show."""
        with self.runtime.context:
            fn = self.runtime.context.compile(
                f"(function ({params}) {{ var binding = process.binding('multipart');"
                f" return JSON.stringify((function () {{ {body} }})()); }})",
                "/test/multipart_binding.js",
            )
            return json.loads(fn(*args))

    def test_events_per_chunk(self):
        body = form_body([field("a", b"\xff\x00z"), upload("f", "n.bin", b"")])
        split = body.index(b"z")
        first, second, end, plain = self.run_js(
            "boundary, first, second, bodyOnly",
            """
            var h = binding.newParser(boundary);
            var out = [binding.write(h, first), binding.write(h, second), binding.end(h)];
            // a chunk holding nothing but body data comes back as a plain string
            h = binding.newParser(boundary);
            binding.write(h, bodyOnly);
            return out.concat([binding.write(h, "\\xff\\x00")]);
            """,
            BOUNDARY,
            body[:split].decode("latin-1"),
            body[split:].decode("latin-1"),
            body[: body.index(b"\xff")].decode("latin-1"),
        )
        self.assertEqual(first[0][:3], ["part", "a", None])
        self.assertEqual(json.loads(first[0][3]), {"content-disposition": 'form-data; name="a"'})
        self.assertEqual(first[1:], [["body", "\xff\x00"]])
        self.assertEqual(second[0], ["body", "z"])
        self.assertEqual([e[0] for e in second[1:]], ["partEnd", "part", "partEnd", "complete"])
        self.assertEqual(end, [])
        self.assertEqual(plain, "\xff\x00")

    def test_errors_are_events(self):
        written, events = self.run_js(
            "boundary",
            """
            var h = binding.newParser(boundary);
            return [binding.write(h, "--" + boundary + "\\r\\n"), binding.end(h)];
            """,
            BOUNDARY,
        )
        self.assertEqual(written, [])
        self.assertEqual(events[0][0], "error")
        self.assertEqual(events[0][2], "MALFORMED")

    def test_bad_arguments(self):
        thrown = self.run_js(
            "boundary",
            """
            function thrown(f) {
              try { f(); } catch (e) { return [e.name, e.code || null]; }
              return null;
            }
            var h = binding.newParser(boundary);
            return [
              thrown(function () { binding.boundary("text/html"); }),
              thrown(function () { binding.newParser(""); }),
              thrown(function () { binding.write("not a handle", "x"); }),
              thrown(function () { binding.write(h, 42); })
            ];
            """,
            BOUNDARY,
        )
        self.assertEqual(
            thrown,
            [["Error", "NOT_MULTIPART"], ["Error", "BAD_BOUNDARY"], ["TypeError", None], ["TypeError", None]],
        )
