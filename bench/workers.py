"""Workers: the hello-world HTTP server with `--workers 1` and with
`--workers N` (N = the cores this process may use, or --workers), under the
same load, printing requests per second and the scaling ratio.

    python bench/workers.py [--seconds 5] [--rounds 3] [--connections 64] [--workers N]

The server is bench/http.py's (sendHeader / sendBody / finish). wrk
(Debian's package, installed with apt-get when missing) loads it with
keep-alive from --threads threads, not pinned: the workers need every core,
and the load generator takes its share of them, measured (its CPU time over
the wall time, in cores) and printed next to each figure, since on a small
machine it bounds the scaling. Best round of each, rounds interleaved.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.common import ensure_wrk, start  # noqa: E402
from bench.http import RUNTIME_SERVER  # noqa: E402
from tests.ports import free_port  # noqa: E402
from twisted_node.options import cores  # noqa: E402


def wrk_run(wrk, port, connections, threads, seconds) -> tuple[float, float]:
    """(requests per second, cores the load generator used)."""
    duration = f"-d{max(1, round(seconds))}s"  # wrk takes whole seconds
    cmd = [wrk, f"-t{threads}", f"-c{connections}", duration, "--timeout", "10s", f"http://127.0.0.1:{port}/"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), cpu / wall


def start_workers(script: str, count: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "twisted_node", "--workers", str(count), script, str(port)]
    return start(cmd, port, cpu=None), port


def stop_workers(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)  # a graceful stop of every worker
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--warmup", type=float, default=1)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--workers", type=int, default=cores())
    options = p.parse_args()
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "hello.js")
        with open(script, "w") as f:
            f.write(RUNTIME_SERVER)
        counts = [1, options.workers]
        servers = {n: start_workers(script, n) for n in counts}
        results: dict[int, list[tuple[float, float]]] = {n: [] for n in counts}
        try:
            for _ in range(options.rounds):
                for n in counts:
                    port = servers[n][1]
                    load = (wrk, port, options.connections, options.threads)
                    wrk_run(*load, options.warmup)
                    results[n].append(wrk_run(*load, options.seconds))
        finally:
            for proc, _ in servers.values():
                stop_workers(proc)
    print(
        f"cores available: {cores()}; wrk: {options.threads} thread(s), {options.connections} connections, "
        f"{options.seconds:g} s x {options.rounds} rounds (best shown)"
    )
    best = {}
    for n in counts:
        rate, load_cores = max(results[n])
        best[n] = rate
        rounds = ", ".join(f"{r:.0f}" for r, _ in results[n])
        print(
            f"  --workers {n:<3} {rate:>9.0f} req/s   (load generator: {load_cores:.2f} cores)   "
            f"rounds: {rounds}"
        )
    print(f"  scaling: {best[options.workers] / best[1]:.2f}x with {options.workers} workers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
