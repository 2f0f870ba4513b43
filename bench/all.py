"""Every row of the performance table, twisted-node against Node.js 20, in one run.

    python -m bench [--rounds 3] [--seconds 3] [--idle 9000] [--only ROW ...]
    python bench/all.py ...

Servers run one at a time in their own process pinned to CPU 0; the load
(wrk, or a Node.js client) runs on CPU 1. Each row takes --rounds
interleaved rounds and keeps the best of each side (the machine is shared:
the best round is the one least disturbed); the table gives both figures,
the ratio and the target.

The last column is the floor: the same work done by Twisted alone, without
JavaScript (a bare Protocol answering a canned response, echoing, idling;
for memory and start-up, a process that only imports the reactor and
STPyV8), as a ratio to Node.js. A row whose floor misses the target cannot
meet it on Twisted and STPyV8, whatever this project does above them.
Rows:

  http       hello world over HTTP/1.1 keep-alive, wrk, 50 connections
  https      the same over TLS (a P-256 certificate)
  tls-rsa    TLS handshakes per second: one request per connection
             ("Connection: close"), an RSA-2048 certificate
  tls-p256   the same with a P-256 certificate
  tcp        echo messages per second (bench/tcp.py's ping-pong, 50 x 64 B)
  idle-conn  RSS per idle tcp connection, --idle connections open
  idle-rss   RSS of a tcp server with no connection
  startup    start-up of a trivial script (bench/startup.py)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import http as http_bench  # noqa: E402
from bench import startup as startup_bench  # noqa: E402
from bench import tcp as tcp_bench  # noqa: E402
from bench.common import ensure_wrk, pinned, rss_kb, start, stop  # noqa: E402
from tests.certs import make_pki, rsa_server  # noqa: E402
from tests.ports import free_port  # noqa: E402

# -- the servers ------------------------------------------------------------------

HTTPS_RUNTIME = """\
var http = require("http");
var server = http.createServer(function (request, response) {
  response.sendHeader(200, {"Content-Type": "text/plain"});
  response.sendBody("Hello World\\n");
  response.finish();
});
server.setSecure("X509_PEM", null, null, process.ENV.BENCH_KEY, process.ENV.BENCH_CERT);
server.listen(parseInt(process.ARGV[2], 10), "127.0.0.1");
"""

HTTPS_NODE = """\
require("https").createServer({key: process.env.BENCH_KEY, cert: process.env.BENCH_CERT},
  function (request, response) {
    response.writeHead(200, {"Content-Type": "text/plain"});
    response.write("Hello World\\n");
    response.end();
  }).listen(+process.argv[2], "127.0.0.1");
"""

IDLE_RUNTIME = """\
require("tcp").createServer(function (socket) { socket.setTimeout(0); })
  .listen(Number(process.ARGV[2]), "127.0.0.1");
"""

IDLE_NODE = """\
require("net").createServer(function (socket) {}).listen(+process.argv[2], "127.0.0.1");
"""

# Twisted alone: an HTTP/1.1 server that answers every request it reads
# with the same bytes as the others (no parsing beyond finding the end of
# each head), closing after it when the request asked so; over TLS when
# BENCH_KEY and BENCH_CERT are set.
HTTP_FLOOR = """\
import os, sys
from twisted.internet import epollreactor
epollreactor.install()
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol

RESPONSE = (b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
            b"c\\r\\nHello World\\n\\r\\n0\\r\\n\\r\\n")

class Canned(Protocol):
    buffer = b""
    def dataReceived(self, data):
        self.buffer += data
        while b"\\r\\n\\r\\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\\r\\n\\r\\n")
            self.transport.write(RESPONSE)
            if b"onnection: close" in head:
                self.transport.loseConnection()
                return

factory = Factory.forProtocol(Canned)
port = int(sys.argv[1])
if os.environ.get("BENCH_KEY"):
    from twisted.internet import ssl
    options = ssl.PrivateCertificate.loadPEM(os.environ["BENCH_KEY"] + os.environ["BENCH_CERT"]).options()
    reactor.listenSSL(port, factory, options, interface="127.0.0.1")
else:
    reactor.listenTCP(port, factory, interface="127.0.0.1")
reactor.run()
"""

IDLE_FLOOR = """\
import sys
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol
import STPyV8  # what twisted-node cannot do without: the reactor, and V8
reactor.listenTCP(int(sys.argv[1]), Factory.forProtocol(Protocol), backlog=511, interface="127.0.0.1")
reactor.run()
"""

# What any program of ours must do before its first line runs, with the
# start-up tricks of cli.py (no cyclic GC while importing, modules only TLS
# needs imported on first use, no interpreter teardown).
STARTUP_FLOOR = (
    "import gc, os; gc.disable(); from twisted_node import import_on_use; import_on_use.defer(); "
    "import twisted.internet.reactor, STPyV8; os._exit(0)"
)


def certificate(kind: str) -> tuple[str, str]:
    """A certificate for localhost, "rsa" (RSA-2048) or P-256, made by
    tests/certs.py as bench/tls.py's are: (key PEM, certificate PEM)."""
    if kind == "rsa":
        pki = rsa_server()
        return pki["rsa_server_key"], pki["rsa_server_cert"]
    pki = make_pki()
    return pki["server_key"], pki["server_cert"]


# -- measuring ------------------------------------------------------------------


def wrk(port: int, seconds: int, scheme="http", connections=50, close=False) -> float:
    cmd = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append(f"{scheme}://127.0.0.1:{port}/")
    out = subprocess.run(pinned(1, cmd), capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


class Table:
    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, work, r: dict, unit, target, higher_is_better=True):
        """`r`: the figures of "ours", "node" and "floor" (Twisted alone)."""
        ours, node, floor = r["ours"], r["node"], r["floor"]
        ratio = ours / node if node else float("nan")
        ok = ratio >= target if higher_is_better else ratio <= target
        sign = ">=" if higher_is_better else "<="
        figures = (f"{ours:,.1f} {unit}", f"{node:,.1f} {unit}", f"{ratio:.2f}x", f"{sign} {target}x")
        self.rows.append((work, *figures, ok, f"{floor / node:.2f}x ({floor:,.1f})"))
        print(
            f"  {work}: twisted-node {ours:,.1f} {unit}, node {node:,.1f} {unit}: {ratio:.2f}x; "
            f"Twisted alone {floor:,.1f} {unit}: {floor / node:.2f}x",
            flush=True,
        )

    def print(self) -> bool:
        head = ("work", "twisted-node", "Node.js 20", "ratio", "target", "", "Twisted alone")
        rows = [head] + [(*r[:5], "ok" if r[5] else "MISSED", r[6]) for r in self.rows]
        widths = [max(len(str(r[i])) for r in rows) for i in range(7)]
        for r in rows:
            print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        return all(r[5] for r in self.rows)


class Runner:
    def __init__(self, args, tmp: str):
        self.args = args
        self.tmp = tmp
        self.node = shutil.which("node")
        self.python = sys.executable

    def file(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def runtime(self, name: str, text: str) -> list[str]:
        return [self.python, "-m", "twisted_node", self.file(name, text)]

    def node_cmd(self, name: str, text: str) -> list[str]:
        return [self.node, self.file(name, text)]

    def python_cmd(self, name: str, text: str) -> list[str]:
        return [self.python, self.file(name, text)]

    def best_of(self, servers: dict, measure, env=None) -> dict:
        """{name: best of --rounds}, the servers taking turns."""
        results = {name: [] for name in servers}
        for _ in range(self.args.rounds):
            for name, cmd in servers.items():
                port = free_port()
                proc = start([*cmd, str(port)], port, env=env)
                try:
                    results[name].append(measure(port))
                finally:
                    stop(proc)
        return {name: max(values) for name, values in results.items()}

    def http(self, table: Table) -> None:
        s = self.args.seconds
        servers = {
            "ours": self.runtime("hello.js", http_bench.RUNTIME_SERVER),
            "node": self.node_cmd("hello_node.js", http_bench.NODE_SERVER),
            "floor": self.python_cmd("http_floor.py", HTTP_FLOOR),
        }

        def measure(port):
            wrk(port, 1)  # warm-up
            return wrk(port, s)

        r = self.best_of(servers, measure)
        table.add("HTTP hello, keep-alive, 50 connections", r, "req/s", 0.6)

    def tls(self, table: Table, row: str) -> None:
        kind = "rsa" if row == "tls-rsa" else "p256"
        key, cert = certificate(kind)
        env = {"BENCH_KEY": key, "BENCH_CERT": cert}
        servers = {
            "ours": self.runtime("hello_tls.js", HTTPS_RUNTIME),
            "node": self.node_cmd("hello_tls_node.js", HTTPS_NODE),
            "floor": self.python_cmd("http_floor.py", HTTP_FLOOR),
        }
        s = self.args.seconds
        if row == "https":

            def measure(port):
                wrk(port, 1, "https")
                return wrk(port, s, "https")

            r = self.best_of(servers, measure, env)
            table.add("HTTPS hello, keep-alive (P-256)", r, "req/s", 0.6)
            return

        def handshakes(port):
            wrk(port, 1, "https", connections=10, close=True)
            return wrk(port, s, "https", connections=10, close=True)

        r = self.best_of(servers, handshakes, env)
        name = "RSA-2048" if kind == "rsa" else "P-256"
        table.add(f"TLS handshakes, 1 request each, {name}", r, "/s", 0.95)

    def tcp(self, table: Table) -> None:
        class Args:
            mb, seconds, connections, size = 100, self.args.seconds, 50, 64

        bench = tcp_bench.Bench(Args, self.tmp)
        servers = {
            "ours": self.runtime("echo.js", tcp_bench.TWISTED_NODE_SERVER),
            "node": self.node_cmd("echo_node.js", tcp_bench.NODE_SERVER),
            "floor": self.python_cmd("echo_floor.py", tcp_bench.TWISTED_SERVER),
        }

        def measure(port):
            m = bench.load("messages", port)
            return m["messages"] / m["seconds"]

        r = self.best_of(servers, measure)
        table.add("tcp echo messages/s (bench/tcp)", r, "/s", 0.6)

    def idle(self, table: Table, row: str) -> None:
        servers = {
            "ours": self.runtime("idle.js", IDLE_RUNTIME),
            "node": self.node_cmd("idle_node.js", IDLE_NODE),
            "floor": self.python_cmd("idle_floor.py", IDLE_FLOOR),
        }
        count = self.args.idle
        results = {name: [] for name in servers}
        for _ in range(self.args.rounds):
            for name, cmd in servers.items():
                port = free_port()
                proc = start([*cmd, str(port)], port)
                try:
                    time.sleep(1.0)  # let it settle after start-up
                    before = rss_kb(proc.pid)
                    if row == "idle-rss":
                        results[name].append(before / 1024)
                        continue
                    socks = []
                    try:
                        for _ in range(count):
                            socks.append(socket.create_connection(("127.0.0.1", port)))
                        time.sleep(1.0 + count / 5000)  # every one accepted
                        results[name].append((rss_kb(proc.pid) - before) / count)
                    finally:
                        for sock in socks:
                            sock.close()
                finally:
                    stop(proc)
        # Memory: the least of the rounds (what the server needs, not noise).
        r = {name: min(values) for name, values in results.items()}
        if row == "idle-rss":
            table.add("RSS of an idle tcp server", r, "MB", 1.2, higher_is_better=False)
        else:
            table.add(f"RSS per idle tcp connection ({count:,} open)", r, "KB", 1.0, False)

    def startup(self, table: Table) -> None:
        ours = self.file("startup.js", startup_bench.SCRIPT)
        theirs = self.file("startup_node.js", startup_bench.NODE_SCRIPT)
        cmd = [self.python, "-m", "twisted_node", ours]
        floor = [self.python, "-c", STARTUP_FLOOR]
        startup_bench.timed(cmd)  # warm the page cache and the .pyc files
        startup_bench.timed(floor)
        times = {"ours": [], "node": [], "floor": []}
        for _ in range(max(10, self.args.rounds * 5)):
            times["ours"].append(startup_bench.timed(cmd))
            times["node"].append(startup_bench.timed([self.node, theirs]))
            times["floor"].append(startup_bench.timed(floor))
        r = {name: statistics.median(values) * 1000 for name, values in times.items()}
        table.add("start-up of a trivial script (medians)", r, "ms", 2.0, higher_is_better=False)


ROWS = ("http", "https", "tls-rsa", "tls-p256", "tcp", "idle-conn", "idle-rss", "startup")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=9000, help="connections for the idle-conn row")
    parser.add_argument("--only", nargs="*", choices=ROWS, help="these rows only")
    args = parser.parse_args(argv)
    if shutil.which("node") is None:
        print("node is not on PATH: there is nothing to compare with", file=sys.stderr)
        return 2
    # The idle-conn row opens --idle connections from this process.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.idle + 1000)), hard))
    table = Table()
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(args, tmp)
        for row in args.only or ROWS:
            print(f"{row}...", flush=True)
            if row in ("https", "tls-rsa", "tls-p256"):
                runner.tls(table, row)
            elif row in ("idle-conn", "idle-rss"):
                runner.idle(table, row)
            else:
                getattr(runner, row)(table)
    print()
    return 0 if table.print() else 1


if __name__ == "__main__":
    sys.exit(main())
