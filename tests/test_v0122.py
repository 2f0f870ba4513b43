"""Node v0.1.22 behaviours that programs rely on (issue 12) which a JS
program alone cannot check: what goes to stderr."""

from __future__ import annotations

import json
import os

from twisted.trial import unittest

from tests.jsrun import JS_DIR, run_js

V0122 = os.path.join(JS_DIR, "v0122")


class BareSetSecureTests(unittest.TestCase):
    def test_set_secure_without_arguments(self):
        code, out, err = run_js(os.path.join(V0122, "bare_secure.js"))
        self.assertEqual(code, 0, err.decode())
        result = json.loads(out.decode().splitlines()[-1])
        self.assertEqual(result["threw"], [], "setSecure() with no arguments threw")
        # No handshake can succeed with a server that has no certificate.
        self.assertEqual((result["tcp1Closed"], result["tcp2Closed"]), (True, True))
        self.assertNotIn("tcp1", result)
        self.assertEqual(result["httpError"], "EPROTO")
        self.assertNotIn("httpResponse", result)
        # The servers say why, once each however many clients come.
        lines = err.decode().splitlines()
        for kind in ("tcp", "http"):
            said = [line for line in lines if f"the {kind} server" in line]
            self.assertEqual(len(said), 1, err.decode())
            self.assertIn("no private_key and certificate", said[0])
