"""listen()'s backlog: 511 by default (the manual said 128, which a burst of
connections overflows), the given one when the program gives one. Read from
the kernel with `ss`, which shows a listening socket's backlog as its Send-Q."""

from __future__ import annotations

import json
import shutil
import subprocess

from twisted.trial import unittest

from tests.jsrun import child_env, runtime_command

PROGRAM = """
var tcp = require("tcp"), http = require("http"), sys = require("sys");
var plain = tcp.createServer(function () {}); plain.listen(0, "127.0.0.1");
var given = tcp.createServer(function () {}); given.listen(0, "127.0.0.1", 64);
var web = http.createServer(function () {}); web.listen(0, "127.0.0.1");
sys.puts(JSON.stringify([plain.port, given.port, web.port]));
process.stdio.open();
process.stdio.addListener("close", function () { plain.close(); given.close(); web.close(); });
"""


def backlogs() -> dict[int, int]:
    """Listening port -> backlog, for 127.0.0.1."""
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        fields = line.split()
        local = fields[3]
        if local.startswith("127.0.0.1:"):
            found[int(local.rsplit(":", 1)[1])] = int(fields[2])
    return found


class BacklogTests(unittest.TestCase):
    def test_default_and_given_backlog(self):
        if shutil.which("ss") is None:
            raise unittest.SkipTest("ss (iproute2) is not installed (.ci/run installs it)")
        script = self.mktemp() + ".js"
        with open(script, "w") as f:
            f.write(PROGRAM)
        proc = subprocess.Popen(
            runtime_command(script), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_env()
        )
        try:
            plain, given, web = json.loads(proc.stdout.readline())
            seen = backlogs()
            somaxconn = int(open("/proc/sys/net/core/somaxconn").read())
            self.assertEqual(seen[plain], min(511, somaxconn))
            self.assertEqual(seen[web], min(511, somaxconn))
            self.assertEqual(seen[given], 64)
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
