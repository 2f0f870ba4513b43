"""HTTP hello world: twisted-node vs a twisted.web Site vs Node.js 20, and a
memory soak of twisted-node.

    python bench/http.py [--seconds 3] [--rounds 5] [--connections 50] [--soak 300000]
                         [--baseline DIR]

Three servers answer every request with the same bytes (status 200,
"Content-Type: text/plain", the body "Hello World\\n" sent chunked: the
manual's sendHeader / sendBody / finish, twisted.web's request.write +
finish, Node's writeHead / write / end). One server at a time runs in its own
process pinned to CPU 0; wrk (Debian's package, installed with apt-get when
missing) loads it from CPU 1 with keep-alive and --connections connections,
after a warm-up, in --rounds interleaved rounds. Printed: the best round of
each (the machine is shared: the best round is the one least disturbed by
the rest of it; every round is printed too), and the ratios.
Targets (issue 4): twisted-node >= 1.5x twisted.web, >= 0.35x Node.js.

--baseline DIR: another checkout of this project (say a `git worktree` of
the last release) serves too, as "twisted-node@base", and the ratio of this
checkout to it is printed: a change's before and after in one run.

Soak: --soak keep-alive requests against twisted-node's hello world, printing
the server's RSS after the first tenth and after all of them; the second may
exceed the first by at most 10% (objects crossing between Python and V8 are
the classic leak of embedded V8). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ROOT, ensure_wrk, pinned, rss_kb, start, stop  # noqa: E402
from tests.ports import free_port  # noqa: E402

RUNTIME_SERVER = """\
var http = require("http");
http.createServer(function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain"});
  response.sendBody("Hello World\\n");
  response.finish();
}).listen(parseInt(process.ARGV[2], 10), "127.0.0.1");
"""

# A twisted.web hello-world resource (bench/web_resource.py serves it too).
TWISTED_HELLO = """\
import sys
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor
from twisted.web import resource, server

class Hello(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"text/plain")
        request.write(b"Hello World\\n")
        request.finish()
        return server.NOT_DONE_YET
"""

# Serves `root` on port argv[1].
TWISTED_SITE = """\
site = server.Site(root)
site.log = lambda request: None  # no access log, as the others
reactor.listenTCP(int(sys.argv[1]), site, interface="127.0.0.1")
reactor.run()
"""

TWISTED_SERVER = TWISTED_HELLO + "\nroot = Hello()\n" + TWISTED_SITE

NODE_SERVER = """\
require("http").createServer(function (request, response) {
  response.writeHead(200, {"Content-Type": "text/plain"});
  response.write("Hello World\\n");
  response.end();
}).listen(+process.argv[2], "127.0.0.1");
"""

BASE = "twisted-node@base"  # --baseline's server

# Stops each wrk thread after a number of responses (for the soak).
COUNT_LUA = """\
local limit = tonumber(os.getenv("SOAK_LIMIT"))
local done = 0
response = function(status, headers, body)
  done = done + 1
  if done >= limit then wrk.thread:stop() end
end
"""


def wrk_requests(wrk, port, connections, count, rate, script) -> None:
    """Exactly about `count` keep-alive requests: wrk has no request limit,
    so a Lua script stops its thread after `count` responses, and the
    duration (which wrk waits out anyway) is sized from the measured rate."""
    remaining = count
    while remaining > 0:
        env = dict(os.environ, SOAK_LIMIT=str(remaining))
        seconds = max(2, int(remaining / max(rate, 1000) * 1.3) + 1)
        cmd = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script]
        cmd.append(f"http://127.0.0.1:{port}/")
        out = subprocess.run(pinned(1, cmd), capture_output=True, text=True, check=True, env=env)
        done = int(re.search(r"(\d+) requests in", out.stdout).group(1))
        if done == 0:
            raise RuntimeError("the server answered nothing:\n" + out.stdout)
        remaining -= done


def wrk_run(wrk, port, connections, seconds, script=None, env=None) -> float:
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(f"http://127.0.0.1:{port}/")
    out = subprocess.run(pinned(1, cmd), capture_output=True, text=True, check=True, env=env).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--soak", type=int, default=300_000)
    parser.add_argument("--baseline", metavar="DIR", help="another checkout to compare with")
    options = parser.parse_args()
    wrk = ensure_wrk()
    node = shutil.which("node")
    failed = False

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in (
            ("hello.js", RUNTIME_SERVER),
            ("twisted_hello.py", TWISTED_SERVER),
            ("node_hello.js", NODE_SERVER),
            ("count.lua", COUNT_LUA),
        ):
            files[name] = os.path.join(tmp, name)
            with open(files[name], "w") as f:
                f.write(text)

        python = sys.executable
        servers = [
            ("twisted-node", [python, "-m", "twisted_node", files["hello.js"]]),
            ("twisted.web", [python, files["twisted_hello.py"]]),
        ]
        roots = {}
        if options.baseline:
            roots[BASE] = os.path.abspath(options.baseline)
            servers.append((BASE, servers[0][1]))
        if node:
            version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
            servers.append((f"node {version}", [node, files["node_hello.js"]]))
        else:
            print("node is not on PATH: no Node.js figure")

        # All three run (idle but for the one being loaded); the rounds are
        # interleaved so that noise from the rest of the machine hits each
        # alike; the figure is the best round.
        ports, procs = {}, {}
        try:
            for name, command in servers:
                ports[name] = free_port()
                procs[name] = start([*command, str(ports[name])], ports[name], roots.get(name, ROOT))
            samples = {name: [] for name, _ in servers}
            for _ in range(options.rounds):
                for name, _ in servers:
                    wrk_run(wrk, ports[name], options.connections, options.warmup)
                    samples[name].append(wrk_run(wrk, ports[name], options.connections, options.seconds))
        finally:
            for proc in procs.values():
                stop(proc)
        rates = {name: max(values) for name, values in samples.items()}
        for name, _ in servers:
            runs = " ".join(f"{v:.0f}" for v in samples[name])
            print(f"{name:16s} {rates[name]:10.0f} requests/s  (rounds: {runs})", flush=True)

        ours = rates["twisted-node"]
        ratio = ours / rates["twisted.web"]
        ok = ratio >= 1.5
        failed |= not ok
        print(f"twisted-node / twisted.web: {ratio:.2f}x (target >= 1.5x) {'ok' if ok else 'MISSED'}")
        if options.baseline:
            print(f"twisted-node / twisted-node@base: {ours / rates[BASE]:.2f}x")
        if node:
            ratio = ours / rates[servers[-1][0]]
            ok = ratio >= 0.35
            failed |= not ok
            print(f"twisted-node / node:        {ratio:.2f}x (target >= 0.35x) {'ok' if ok else 'MISSED'}")

        if options.soak:
            port = free_port()
            proc = start([*servers[0][1], str(port)], port)
            try:
                first = options.soak // 10
                count = files["count.lua"]
                wrk_requests(wrk, port, options.connections, first, ours, count)
                rss_first = rss_kb(proc.pid)
                wrk_requests(wrk, port, options.connections, options.soak - first, ours, count)
                rss_last = rss_kb(proc.pid)
            finally:
                stop(proc)
            growth = (rss_last - rss_first) / rss_first
            ok = growth <= 0.10
            failed |= not ok
            print(
                f"soak: RSS {rss_first / 1024:.1f} MiB after {first} requests, "
                f"{rss_last / 1024:.1f} MiB after {options.soak}: {growth * 100:+.1f}% "
                f"(target <= +10%) {'ok' if ok else 'MISSED'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
