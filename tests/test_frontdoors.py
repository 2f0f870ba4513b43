"""The three front doors: the console script, the twistd plugin, NodeService."""

from __future__ import annotations

import os
import subprocess
import sys

from twisted.internet import defer, reactor, task
from twisted.trial import unittest

from tests.jsrun import JS_DIR, child_env
from twisted_node.service import NodeService

FRONT = os.path.join(JS_DIR, "frontdoors")
# twistd, from whichever environment runs the tests.
TWISTD = [
    sys.executable,
    "-c",
    "import sys; from twisted.scripts.twistd import run; sys.argv[0] = 'twistd'; run()",
]


class Twistd(unittest.TestCase):
    def twistd(self, *args):
        tmp = self.mktemp()
        os.makedirs(tmp)
        cmd = [*TWISTD, "-n", "--pidfile", "", "--logfile", "-", "node", *args]
        return subprocess.run(cmd, cwd=tmp, env=child_env(), capture_output=True, timeout=60)

    def test_listed(self):
        out = subprocess.run(
            [*TWISTD, "--help"], env=child_env(), capture_output=True, timeout=60
        ).stdout.decode()
        self.assertIn("node", out.split())

    def test_runs_script_and_exits_with_its_status(self):
        done = self.twistd("--script", os.path.join(FRONT, "status.js"), "--", "7", "x")
        self.assertEqual(done.returncode, 7, done.stdout + done.stderr)
        self.assertIn(b'args ["7","x"]', done.stdout)

    def test_status_zero(self):
        done = self.twistd("--script", os.path.join(FRONT, "status.js"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_script_required(self):
        done = self.twistd()
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(b"--script is required", done.stdout + done.stderr)


class Embedded(unittest.TestCase):
    """NodeService inside this trial process: the reactor is trial's, and it
    must keep running after the programs end."""

    @defer.inlineCallbacks
    def test_finishes_without_stopping_the_reactor(self):
        svc = NodeService(os.path.join(FRONT, "status.js"), argv=["3"])
        svc.startService()
        status = yield svc.whenFinished()
        self.assertEqual(status, 3)
        self.assertFalse(svc.running)
        self.assertTrue(reactor.running)
        # And the reactor still serves other work afterwards.
        yield task.deferLater(reactor, 0.01, lambda: None)

    @defer.inlineCallbacks
    def test_stop_service_emits_exit_and_closes(self):
        svc = NodeService(os.path.join(FRONT, "server.js"))
        svc.startService()
        yield task.deferLater(reactor, 0.1, lambda: None)
        self.assertIsNone(svc.exit_code)  # still alive: its interval holds it
        yield svc.stopService()
        self.assertEqual(svc.exit_code, 0)
        self.assertEqual(svc.runtime.loop.count, 0)
        with svc.runtime.context:
            self.assertEqual(svc.runtime.context.glob.exitedWith, 0)

    @defer.inlineCallbacks
    def test_two_services_have_separate_globals(self):
        a = NodeService(os.path.join(FRONT, "server.js"))
        b = NodeService(os.path.join(FRONT, "status.js"))
        a.startService()
        b.startService()
        yield b.whenFinished()
        with a.runtime.context:
            self.assertEqual(a.runtime.context.glob.marker, "server.js")
        with b.runtime.context:
            self.assertEqual(b.runtime.context.compile("typeof marker", "probe"), "undefined")
        yield a.stopService()
