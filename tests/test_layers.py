"""The direction of calls (docs/ARCHITECTURE.md): protocols know no
JavaScript, bindings never touch STPyV8, the bridge is the only code that
does. Checked on the source (every import, also inside functions) and by
importing each protocol module in a fresh interpreter."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from twisted.trial import unittest

from tests.jsrun import PROJECT, child_env

PACKAGE = os.path.join(PROJECT, "twisted_node")


def modules_in(folder: str) -> list[str]:
    return sorted(
        os.path.join(PACKAGE, folder, name)
        for name in os.listdir(os.path.join(PACKAGE, folder))
        if name.endswith(".py")
    )


def imported(path: str) -> set[str]:
    """Every module `path` imports (absolute names; `from x import y` gives
    x and x.y, since y may be a module)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# What each layer may not import.
STPYV8 = ("STPyV8", "_STPyV8")
ABOVE_PROTOCOLS = (*STPYV8, "twisted_node.jsbridge", "twisted_node.bindings")


class ImportRuleTests(unittest.TestCase):
    def test_protocols_import_no_javascript(self):
        wrong = {
            os.path.relpath(path, PROJECT): sorted(n for n in imported(path) if under(n, ABOVE_PROTOCOLS))
            for path in modules_in("protocols")
        }
        self.assertEqual({k: v for k, v in wrong.items() if v}, {})

    def test_only_the_bridge_imports_stpyv8(self):
        outside = [p for p in self._all_modules() if os.sep + "jsbridge" + os.sep not in p]
        wrong = {
            os.path.relpath(path, PROJECT): sorted(n for n in imported(path) if under(n, STPYV8))
            for path in outside
        }
        self.assertEqual({k: v for k, v in wrong.items() if v}, {})

    def test_importing_a_protocol_loads_no_v8(self):
        names = [
            "twisted_node.protocols." + os.path.basename(p)[:-3]
            for p in modules_in("protocols")
            if not p.endswith("__init__.py")
        ]
        probe = (
            "import sys\n"
            f"for name in {names!r}:\n"
            "    __import__(name)\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('STPyV8', '_STPyV8')\n"
            "                or m.startswith(('twisted_node.jsbridge', 'twisted_node.bindings')))\n"
            "print(','.join(loaded))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=child_env(), check=True
        ).stdout.strip()
        self.assertEqual(out, "", "importing the protocols loaded these")

    def _all_modules(self) -> list[str]:
        found = []
        for root, _, files in os.walk(PACKAGE):
            found += [os.path.join(root, f) for f in files if f.endswith(".py")]
        return found
