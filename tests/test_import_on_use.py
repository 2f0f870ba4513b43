"""twisted_node.import_on_use: stand-ins that import the real module when first read.

Each test builds its own throwaway modules in a temporary directory, so the
modules the CLI defers (already imported in this process) are not touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap

from twisted.trial import unittest

from twisted_node import import_on_use

COUNTING_MODULE = """
import builtins
builtins.RUNS = getattr(builtins, "RUNS", {})
builtins.RUNS[__name__] = builtins.RUNS.get(__name__, 0) + 1
VALUE = 42
"""


class ImportOnUseTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        sys.path.insert(0, self.root)
        self.addCleanup(sys.path.remove, self.root)
        self.pkg = f"ionu_{os.path.basename(self.root).replace('-', '_')}"
        self.write(f"{self.pkg}/__init__.py", "")
        self.addCleanup(self.forget)

    def write(self, relative, text):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))

    def forget(self):
        import builtins

        for name in [n for n in sys.modules if n == self.pkg or n.startswith(self.pkg + ".")]:
            del sys.modules[name]
        for name in list(getattr(builtins, "RUNS", {})):
            if name.startswith(self.pkg):
                del builtins.RUNS[name]

    def runs(self, name):
        import builtins

        return getattr(builtins, "RUNS", {}).get(name, 0)

    def test_module_runs_on_first_attribute_read_only(self):
        name = f"{self.pkg}.plain"
        self.write(f"{self.pkg}/plain.py", COUNTING_MODULE)
        import_on_use.defer([name])
        stand_in = sys.modules[name]
        self.assertIsInstance(stand_in, import_on_use.ModuleOnFirstUse)
        # Importing it, in either form, reads no attribute of it.
        exec(f"import {name}\nfrom {self.pkg} import plain", {})
        self.assertEqual(self.runs(name), 0)
        self.assertEqual(stand_in.__file__, os.path.join(self.root, self.pkg, "plain.py"))
        self.assertEqual(self.runs(name), 0)

        self.assertEqual(stand_in.VALUE, 42)
        self.assertEqual(self.runs(name), 1)
        real = sys.modules[name]
        self.assertNotIsInstance(real, import_on_use.ModuleOnFirstUse)
        self.assertIs(sys.modules[self.pkg].plain, real)
        # The stand-in keeps forwarding, and the module never runs again.
        self.assertEqual(stand_in.VALUE, 42)
        self.assertIn("VALUE", dir(stand_in))
        namespace = {}
        exec(f"from {name} import VALUE", namespace)
        self.assertEqual(namespace["VALUE"], 42)
        self.assertEqual(self.runs(name), 1)

    def test_module_that_replaces_itself_in_sys_modules(self):
        # What Twisted's deprecatedModuleAttribute does to twisted.internet.ssl.
        name = f"{self.pkg}.proxied"
        self.write(
            f"{self.pkg}/proxied.py",
            COUNTING_MODULE
            + """
import sys, types
class Proxy(types.ModuleType):
    pass
proxy = Proxy(__name__)
proxy.VALUE = VALUE
sys.modules[__name__] = proxy
""",
        )
        import_on_use.defer([name])
        stand_in = sys.modules[name]
        self.assertEqual(stand_in.VALUE, 42)
        self.assertEqual(type(sys.modules[name]).__name__, "Proxy")
        self.assertEqual(self.runs(name), 1)

    def test_package_submodule_imported_before_the_package(self):
        name = f"{self.pkg}.sub"
        self.write(f"{self.pkg}/sub/__init__.py", COUNTING_MODULE + "from .leaf import VALUE as LEAF\n")
        self.write(f"{self.pkg}/sub/leaf.py", COUNTING_MODULE)
        import_on_use.defer([name])
        namespace = {}
        exec(f"from {name}.leaf import VALUE", namespace)
        self.assertEqual(namespace["VALUE"], 42)
        self.assertEqual((self.runs(name), self.runs(f"{name}.leaf")), (0, 1))

        self.assertEqual(sys.modules[name].VALUE, 42)
        package = sys.modules[name]
        self.assertNotIsInstance(package, import_on_use.ModuleOnFirstUse)
        # The package ran once, the leaf was not run again, and the package
        # has the leaf as its attribute, as after an ordinary import.
        self.assertEqual((self.runs(name), self.runs(f"{name}.leaf")), (1, 1))
        self.assertIs(package.leaf, sys.modules[f"{name}.leaf"])

    def test_missing_or_already_imported_modules_are_left_alone(self):
        self.write(f"{self.pkg}/done.py", COUNTING_MODULE)
        exec(f"import {self.pkg}.done", {})
        real = sys.modules[f"{self.pkg}.done"]
        import_on_use.defer([f"{self.pkg}.done", f"{self.pkg}.absent"])
        self.assertIs(sys.modules[f"{self.pkg}.done"], real)
        self.assertNotIn(f"{self.pkg}.absent", sys.modules)
        with self.assertRaises(ImportError):
            exec(f"import {self.pkg}.absent", {})

    def test_failing_import_raises_at_first_use(self):
        name = f"{self.pkg}.broken"
        self.write(f"{self.pkg}/broken.py", "raise ImportError('broken on purpose')\n")
        import_on_use.defer([name])
        with self.assertRaises(ImportError) as caught:
            getattr(sys.modules[name], "anything")  # noqa: B009 (the read is the test)
        self.assertIn("broken on purpose", str(caught.exception))
