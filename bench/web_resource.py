"""JavaScript inside a Twisted application: what a NodeResource request and a
NodeService.call cost.

    python bench/web_resource.py [--seconds 3] [--rounds 3] [--connections 50] [--calls 20000]

HTTP: hello world over keep-alive (wrk, as bench/http.py), three servers,
each a process pinned to CPU 0: a twisted.web Site whose root is a Python
resource (the floor: what twisted.web costs), the same Site whose root is a
NodeResource answering from JavaScript, and twisted-node's own http.Server.
Printed: the best round of each and the ratios to the twisted.web floor.

Calls: --calls NodeService.call("add", i, 1) in this process, one after the
other (each waits for the last) and all at once; microseconds per call.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

# The project's root instead of bench/, whose http.py would hide the standard
# library's http from Twisted in this process.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from bench.common import ensure_wrk, start, stop  # noqa: E402
from bench.http import RUNTIME_SERVER, TWISTED_HELLO, TWISTED_SITE, wrk_run  # noqa: E402
from tests.ports import free_port  # noqa: E402

HELLO_JS = """\
exports.hello = function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain"});
  response.sendBody("Hello World\\n");
  response.finish();
};
exports.add = function (a, b) { return a + b; };
"""

# argv: port, then "python" or the path of HELLO_JS.
SITE_SERVER = (
    TWISTED_HELLO
    + """
if sys.argv[2] == "python":
    root = Hello()
else:
    from twisted_node.service import NodeService
    from twisted_node.web import NodeResource
    node = NodeService(sys.argv[2])
    root = NodeResource(node, "hello")
    node.startService()
"""
    + TWISTED_SITE
)


def http_rows(options, tmp: str) -> None:
    wrk = ensure_wrk()
    files = {}
    for name, text in (("hello.js", HELLO_JS), ("site.py", SITE_SERVER), ("server.js", RUNTIME_SERVER)):
        files[name] = os.path.join(tmp, name)
        with open(files[name], "w") as f:
            f.write(text)
    python = sys.executable
    servers = [
        ("twisted.web, Python resource", lambda port: [python, files["site.py"], str(port), "python"]),
        ("twisted.web, NodeResource", lambda port: [python, files["site.py"], str(port), files["hello.js"]]),
        (
            "twisted-node http.Server",
            lambda port: [python, "-m", "twisted_node", files["server.js"], f"{port}"],
        ),
    ]
    ports, procs = {}, {}
    try:
        for name, command in servers:
            ports[name] = free_port()
            procs[name] = start(command(ports[name]), ports[name])
        samples = {name: [] for name, _ in servers}
        for _ in range(options.rounds):
            for name, _ in servers:
                wrk_run(wrk, ports[name], options.connections, 1)  # warm-up
                samples[name].append(wrk_run(wrk, ports[name], options.connections, options.seconds))
    finally:
        for proc in procs.values():
            stop(proc)
    floor = max(samples[servers[0][0]])
    what = f"{options.connections} connections (requests/s, best of {options.rounds})"
    print(f"hello world, keep-alive, {what}")
    for name, _ in servers:
        best = max(samples[name])
        rounds = " ".join(f"{s:.0f}" for s in samples[name])
        print(f"  {name:30} {best:9.0f}  {best / floor:5.2f}x the floor   rounds: {rounds}")


def call_rows(options, tmp: str) -> None:
    from twisted.internet import defer, reactor

    from twisted_node.service import NodeService

    script = os.path.join(tmp, "calls.js")
    with open(script, "w") as f:
        f.write(HELLO_JS)
    node = NodeService(script, persistent=True)
    n = options.calls

    @defer.inlineCallbacks
    def run():
        try:
            yield node.call("add", 0, 0)  # the main module has run
            began = time.perf_counter()
            for i in range(n):
                yield node.call("add", i, 1)
            one_by_one = time.perf_counter() - began
            began = time.perf_counter()
            results = yield defer.gatherResults([node.call("add", i, 1) for i in range(n)])
            at_once = time.perf_counter() - began
            assert results == [i + 1 for i in range(n)]
            print(f"NodeService.call, {n} calls (us per call)")
            print(f"  one after the other           {one_by_one / n * 1e6:9.1f}")
            print(f"  all at once                   {at_once / n * 1e6:9.1f}")
        finally:
            yield node.stopService()
            reactor.stop()

    node.startService()
    reactor.callWhenRunning(run)
    reactor.run()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        http_rows(options, tmp)
        call_rows(options, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
