"""process.stdio end to end with bytes we choose on stdin and check on
stdout: encodings that the child-process tests (ascii output) cannot see."""

from __future__ import annotations

import os
import re

from tests.jsrun import run_js
from twisted.trial import unittest

PROC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "proc")


def echo(data: bytes, *args: str):
    code, out, err = run_js(os.path.join(PROC, "stdin_echo.js"), *args, stdin=data, cwd=PROC)
    return code, out, err.decode("utf-8", "replace")


class StdinEchoTests(unittest.TestCase):
    def test_utf8_text_from_a_pipe(self):
        text = "".join(f"{i} h\u00e9llo \u20ac \u4e16\u754c \U0001f600\n" for i in range(30000))
        code, out, err = echo(text.encode("utf-8"))
        self.assertEqual(code, 0, err)
        self.assertEqual(out, text.encode("utf-8"))
        # astral characters are two UTF-16 units in JS, as in Node
        chars = len(text) + text.count("\U0001f600")
        self.assertRegex(err, rf"^chars {chars} chunks \d+\n$")

    def test_binary(self):
        data = bytes(range(256)) * 2000
        code, out, err = echo(data, "binary")
        self.assertEqual(code, 0, err)
        self.assertEqual(out, data)

    def test_empty_input_closes_at_once(self):
        code, out, err = echo(b"")
        self.assertEqual((code, out), (0, b""))
        self.assertEqual(err, "chars 0 chunks 0\n")

    def test_bad_encoding_is_a_clear_error(self):
        code, _, err = echo(b"x", "utf16")
        self.assertEqual(code, 1)
        self.assertTrue(re.search(r"unknown encoding 'utf16'", err), err)
