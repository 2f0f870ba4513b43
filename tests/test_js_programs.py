"""Every self-checking program tests/js/test_*.js, each as one trial test.

A program passes when it exits with status 0: it asserts with the "assert"
module, and an uncaught AssertionError prints its stack and exits 1. Counters
checked in a process "exit" listener catch callbacks that never fired.
"""

from __future__ import annotations

import glob
import os

from twisted.trial import unittest

from tests.jsrun import JS_DIR, run_js


class JSPrograms(unittest.TestCase):
    def check(self, script):
        code, out, err = run_js(script)
        if code != 0:
            self.fail(
                f"{os.path.basename(script)} exited with {code}\n--- stdout\n"
                f"{out.decode(errors='replace')}\n--- stderr\n{err.decode(errors='replace')}"
            )


def _add(script):
    name = "test_" + os.path.basename(script)[len("test_") : -len(".js")]
    setattr(JSPrograms, name, lambda self: self.check(script))


for _script in sorted(glob.glob(os.path.join(JS_DIR, "test_*.js"))):
    _add(_script)
