"""examples/twisted_app/app.tac under twistd, in a child process, as its
README says to run it."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

from twisted.trial import unittest

from tests.jsrun import PROJECT, TWISTD, child_env
from tests.ports import free_port, wait_for_port

APP = os.path.join(PROJECT, "examples", "twisted_app", "app.tac")


class TwistedAppExample(unittest.TestCase):
    def setUp(self):
        self.port = free_port()
        self.logfile = os.path.abspath(self.mktemp())
        cmd = [*TWISTD, "-ny", APP, "--pidfile", "", "--logfile", self.logfile]
        self.proc = subprocess.Popen(
            cmd,
            env=child_env({"PORT": str(self.port)}),
            cwd=os.path.dirname(self.logfile),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(self.stop)
        wait_for_port(self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def fetch(self, path: str, data: bytes | None = None):
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, data=data, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def log(self) -> str:
        with open(self.logfile, encoding="utf-8") as f:
            return f.read()

    def test_api_addon_and_calls_from_python(self):
        # JavaScript under /api, answering from the Python addon's queries.
        self.assertEqual(self.fetch("/api/items/apple"), (200, {"name": "apple", "count": 12}))
        self.assertEqual(self.fetch("/api/items/kiwi"), (404, {"error": "no such item"}))
        self.assertEqual(self.fetch("/api/items/kiwi", b"5"), (200, {"restocked": "kiwi", "count": 5}))
        status, items = self.fetch("/api/items")
        self.assertEqual((status, [i["name"] for i in items]), (200, ["apple", "kiwi", "pear", "plum"]))
        self.assertEqual(self.fetch("/api/items/kiwi", b"none")[0], 400)
        # Python calling the program's exports.stats().
        self.assertEqual(self.fetch("/status"), (200, {"javascript": {"served": 5, "failed": 0}}))
        # The program's output is in twistd's log, under its namespace.
        # twistd ends by the SIGTERM it got, after a clean shutdown.
        self.stop()
        self.assertEqual(self.proc.returncode, -15)
        log = self.log()
        self.assertIn("Server Shut Down.", log)
        self.assertNotIn("Traceback", log)
        self.assertIn("[twisted_node.api.js#info] api.js ready", log)
        self.assertIn("[twisted_node.api.js#info] restocked 5 kiwi", log)
