"""TCP echo: twisted-node vs Node.js 20 vs a bare Twisted echo Protocol.

    python bench/tcp.py [--mb 200] [--seconds 3] [--connections 50] [--size 64] [--rounds 3]
                        [--baseline DIR]

One echo server at a time, each in its own process on 127.0.0.1 pinned to
CPU 0, all measured in the same run by the same load generator (on CPU 1):

* throughput: one connection; the client streams --mb megabytes and reads the
  echo back concurrently (with back-pressure on both ends); MB/s of echoed data.
* messages/s: --connections connections, each in a ping-pong loop of
  --size byte messages (the next message leaves when the echo came back),
  for --seconds seconds; echoed messages per second over all connections.

The load generator is a Node.js program when `node` is on PATH (it costs less
per message than the servers, so it does not cap them), else Python.
Targets (issue 3): throughput >= 0.5x Node.js; messages/s >= 0.7x Twisted.
--baseline DIR: another checkout of this project serves too, as
"twisted-node@base", with this checkout's ratios to it: a change's before and
after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import pinned  # noqa: E402
from tests.ports import free_port, wait_for_port  # noqa: E402

BASE = "twisted-node@base"  # --baseline's server

# The same echo server three times. Each reads in the connection's native
# form (JS "binary" strings, Node Buffers, Python bytes) and stops reading
# while its write buffer is full, as a well-behaved echo server does.
TWISTED_NODE_SERVER = r"""
var tcp = require("tcp");
tcp.createServer(function (socket) {
  socket.setEncoding("binary");
  socket.setNoDelay(true);
  socket.setTimeout(0);
  socket.addListener("receive", function (data) {
    if (!socket.send(data, "binary")) socket.readPause();
  });
  socket.addListener("drain", function () { socket.readResume(); });
  socket.addListener("eof", function () { socket.close(); });
}).listen(Number(process.ARGV[2]), "127.0.0.1");
"""

NODE_SERVER = r"""
const net = require("net");
net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on("data", (data) => { if (!socket.write(data)) socket.pause(); });
  socket.on("drain", () => socket.resume());
  socket.on("end", () => socket.end());
  socket.on("error", () => {});
}).listen(Number(process.argv[2]), "127.0.0.1");
"""

TWISTED_SERVER = r"""
import sys
from twisted.internet import reactor
from twisted.internet.protocol import Factory, Protocol

class Echo(Protocol):
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)

    def dataReceived(self, data):
        self.transport.write(data)

reactor.listenTCP(int(sys.argv[1]), Factory.forProtocol(Echo), interface="127.0.0.1")
reactor.run()
"""

NODE_CLIENT = r"""
const net = require("net");
const [mode, port, a, b, c] = process.argv.slice(2);
if (mode === "throughput") {
  const total = Number(a) * 1024 * 1024;
  const block = Buffer.alloc(256 * 1024, 97);
  let sent = 0, received = 0, start;
  const s = net.connect(Number(port), "127.0.0.1", () => {
    start = process.hrtime.bigint();
    const pump = () => {
      // No end(): a bare Twisted echo Protocol drops what it had not yet
      // echoed when the peer half-closes. The client closes after the echo.
      while (sent < total) {
        sent += block.length;
        if (!s.write(block)) return;
      }
    };
    s.on("drain", pump);
    pump();
  });
  s.on("data", (d) => {
    received += d.length;
    if (received >= total) {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      console.log(JSON.stringify({ bytes: received, seconds }));
      s.destroy();
    }
  });
} else {
  const seconds = Number(a), connections = Number(b), size = Number(c);
  const message = Buffer.alloc(size, 98);
  let count = 0, counting = false, open = 0, done = false;
  for (let i = 0; i < connections; i++) {
    const s = net.connect(Number(port), "127.0.0.1", () => {
      s.setNoDelay(true);
      s.write(message);
      if (++open === connections) {
        setTimeout(() => { counting = true; count = 0; }, 500);  // warm-up
        setTimeout(() => { counting = false; done = true; }, 500 + seconds * 1000);
        setTimeout(() => {
          console.log(JSON.stringify({ messages: finalCount, seconds }));
          process.exit(0);
        }, 600 + seconds * 1000);
      }
    });
    let pending = 0;
    s.on("data", (d) => {
      pending += d.length;
      while (pending >= size) {
        pending -= size;
        if (counting) count++;
        if (!done) s.write(message);
      }
      if (!done) finalCount = count;
    });
    s.on("error", () => {});
  }
  var finalCount = 0;
}
"""


# -- Python load generator (used when node is missing) ------------------------------


def python_throughput(port: int, megabytes: int) -> dict:
    import threading

    total = megabytes * 1024 * 1024
    block = b"a" * (256 * 1024)
    s = socket.create_connection(("127.0.0.1", port))

    def send():
        sent = 0
        while sent < total:
            s.sendall(block)
            sent += len(block)

    start = time.perf_counter()
    sender = threading.Thread(target=send)
    sender.start()
    received, buf = 0, bytearray(1 << 20)
    while received < total:
        n = s.recv_into(buf)
        if not n:
            break
        received += n
    seconds = time.perf_counter() - start
    sender.join()
    s.close()
    return {"bytes": received, "seconds": seconds}


def python_messages(port: int, seconds: float, connections: int, size: int) -> dict:
    import selectors

    message = b"b" * size
    sel = selectors.DefaultSelector()
    pending = {}
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        pending[s] = 0
        s.send(message)
    count, start = 0, time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        for key, _ in sel.select(timeout=0.1):
            s = key.fileobj
            data = s.recv(65536)
            pending[s] += len(data)
            while pending[s] >= size:
                pending[s] -= size
                count += 1
                s.send(message)
    elapsed = time.perf_counter() - start
    for s in pending:
        s.close()
    return {"messages": count, "seconds": elapsed}


# -- running ------------------------------------------------------------------------


class Bench:
    def __init__(self, args, tmp: str):
        self.args = args
        self.tmp = tmp
        self.node = shutil.which("node")

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def servers(self) -> list[tuple[str, list[str]]]:
        ours = self.write("tn_echo.js", TWISTED_NODE_SERVER)
        servers = [
            ("twisted-node", [sys.executable, "-m", "twisted_node", ours]),
            ("twisted", [sys.executable, self.write("tw_echo.py", TWISTED_SERVER)]),
        ]
        if self.args.baseline:
            servers.append((BASE, servers[0][1]))
        if self.node:
            servers.insert(1, ("node", [self.node, self.write("node_echo.js", NODE_SERVER)]))
        return servers

    def load(self, mode: str, port: int) -> dict:
        a = self.args
        if self.node:
            client = self.write("client.js", NODE_CLIENT)
            extra = [a.mb] if mode == "throughput" else [a.seconds, a.connections, a.size]
            out = subprocess.run(
                pinned(1, [self.node, client, mode, str(port), *map(str, extra)]),
                capture_output=True,
                check=True,
                timeout=300,
            ).stdout
            return json.loads(out.decode().strip().splitlines()[-1])
        if mode == "throughput":
            return python_throughput(port, a.mb)
        return python_messages(port, a.seconds, a.connections, a.size)

    def measure(self, name: str, command: list[str]) -> tuple[float, float]:
        port = free_port()
        env = cwd = None
        if name == BASE:  # its own checkout first on the path (`python -m` puts the cwd first)
            cwd = os.path.abspath(self.args.baseline)
            env = dict(os.environ, PYTHONPATH=cwd)
        command = pinned(0, [*command, str(port)])
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
        try:
            wait_for_port(port)
            t = self.load("throughput", port)
            m = self.load("messages", port)
        finally:
            server.kill()
            server.wait()
        return t["bytes"] / t["seconds"] / (1024 * 1024), m["messages"] / m["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="DIR", help="another checkout to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(args, tmp)
        print(
            f"echo over 127.0.0.1: throughput = {args.mb} MB through 1 connection; "
            f"messages = {args.connections} connections x {args.size} B ping-pong for "
            f"{args.seconds:g} s; load generator: {'node' if bench.node else 'python'}; "
            f"{args.rounds} rounds, servers taking turns, medians reported"
        )
        servers = bench.servers()
        samples = {name: ([], []) for name, _ in servers}
        for _ in range(args.rounds):
            for name, command in servers:
                mbps, mps = bench.measure(name, command)
                samples[name][0].append(mbps)
                samples[name][1].append(mps)
                print(f"  {name:13s} {mbps:8.1f} MB/s  {mps:9.0f} messages/s", flush=True)
    results = {}
    for name, (mbps, mps) in samples.items():
        results[name] = (statistics.median(mbps), statistics.median(mps))
        print(
            f"{name:13s} throughput {results[name][0]:8.1f} MB/s   "
            f"messages {results[name][1]:9.0f} /s   (medians)"
        )
    ours = results["twisted-node"]
    if "node" in results:
        ratio = ours[0] / results["node"][0]
        print(f"throughput twisted-node / node:    {ratio:.2f}x (target >= 0.5x)")
        print(f"messages/s twisted-node / node:    {ours[1] / results['node'][1]:.2f}x")
    else:
        print("node not on PATH: no Node.js ratios")
    if BASE in results:
        base = results[BASE]
        print(f"throughput twisted-node / twisted-node@base: {ours[0] / base[0]:.2f}x")
        print(f"messages/s twisted-node / twisted-node@base: {ours[1] / base[1]:.2f}x")
    print(f"throughput twisted-node / twisted: {ours[0] / results['twisted'][0]:.2f}x")
    ratio = ours[1] / results["twisted"][1]
    print(f"messages/s twisted-node / twisted: {ratio:.2f}x (target >= 0.7x)")


if __name__ == "__main__":
    main()
