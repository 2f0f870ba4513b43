"""Module resolution: the host side (bindings/natives.py) in-process, and NODE_PATH /
require.paths as a program sees them. The rest of the module rules are
checked from JavaScript by tests/js/test_core_modules.js and
tests/js/test_core_addon.js."""

from __future__ import annotations

import json
import os
import signal
import sys

from twisted.trial import unittest

from tests.jsrun import JS_DIR, run_js
from twisted_node.bindings import natives
from twisted_node.errors import NodeError

CORE = os.path.join(JS_DIR, "core")
MODS = os.path.join(CORE, "mods")


class FindModule(unittest.TestCase):
    def test_first_existing_file_wins(self):
        candidates = [
            os.path.join(MODS, "order_js", "m"),  # a directory: skipped
            os.path.join(MODS, "order_js", "nothing.js"),
            os.path.join(MODS, "order_js", "m.node"),
            os.path.join(MODS, "order_js", "m.js"),
        ]
        self.assertEqual(natives.find_module("\0".join(candidates)), candidates[2])

    def test_none_found(self):
        self.assertIsNone(natives.find_module("/no/such/a.js\0/no/such/b.js"))
        self.assertIsNone(natives.find_module(""))


class ReadSource(unittest.TestCase):
    def test_shebang_line_kept_as_comment(self):
        path = self.mktemp()
        with open(path, "w") as f:
            f.write("#!/usr/bin/env twisted-node\nvar x = 1;\n")
        source = natives.read_source(path)
        self.assertTrue(source.startswith("//"))
        self.assertEqual(source.count("\n"), 2, "line numbers stay the same")

    def test_invalid_utf8_does_not_fail(self):
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b"var s = '\xff';\n")
        self.assertIn("\ufffd", natives.read_source(path))


class LoadAddon(unittest.TestCase):
    def test_exports_from_init(self):
        exports = natives.load_addon(os.path.join(MODS, "order_py", "m.py"))
        self.assertEqual(exports, {"picked": "m.py"})

    def test_each_load_is_a_fresh_module(self):
        path = os.path.join(MODS, "pyaddon.py")
        first = natives.load_addon(path)
        second = natives.load_addon(path)
        self.assertEqual((first["loads"], second["loads"]), (1, 1))

    def test_missing_init(self):
        path = self.mktemp() + ".py"
        with open(path, "w") as f:
            f.write("x = 1\n")
        with self.assertRaises(NodeError) as caught:
            natives.load_addon(path)
        self.assertIn("init(target)", caught.exception.message)
        self.assertIn(path, caught.exception.message)


class Builtins(unittest.TestCase):
    def test_internal_files_are_not_modules(self):
        names = natives.builtin_names()
        for name in ("sys", "assert", "events", "path"):
            self.assertIn(name, names)
        self.assertNotIn("node", names)
        self.assertNotIn("bridge", names)


class SignalNumber(unittest.TestCase):
    def test_names_and_numbers(self):
        self.assertEqual(natives.signal_number("SIGTERM"), signal.SIGTERM)
        self.assertEqual(natives.signal_number("usr1"), signal.SIGUSR1)
        self.assertEqual(natives.signal_number("HUP"), signal.SIGHUP)
        self.assertEqual(natives.signal_number(9), 9)
        self.assertEqual(natives.signal_number(15.0), 15)

    def test_bad_signals(self):
        with self.assertRaises(NodeError) as caught:
            natives.signal_number("SIGNOPE")
        self.assertEqual(caught.exception.props["code"], "EINVAL")
        self.assertRaises(TypeError, natives.signal_number, True)
        self.assertRaises(TypeError, natives.signal_number, None)
        self.assertRaises(TypeError, natives.signal_number, 1.5)


class RequirePaths(unittest.TestCase):
    def test_node_path_in_front_of_the_defaults(self):
        home = os.path.abspath(self.mktemp())
        libpath = os.path.join(MODS, "libpath")
        code, out, err = run_js(
            os.path.join(CORE, "node_path.js"),
            env={"NODE_PATH": f"{libpath}:{MODS}", "HOME": home},
        )
        self.assertEqual(code, 0, err.decode(errors="replace"))
        seen = json.loads(out)
        self.assertEqual(
            seen["paths"],
            [
                libpath,
                MODS,
                os.path.join(home, ".node_libraries"),
                os.path.join(sys.prefix, "lib", "node", "libraries"),
            ],
        )
        self.assertEqual(seen["libmod"], "libmod", "found in the first NODE_PATH entry")
        self.assertEqual(seen["viaSecond"], "c", "found in the second NODE_PATH entry")
        self.assertTrue(seen["sysIsBuiltin"], "built-ins come before require.paths")
