"""What the benchmarks share: where the project is, pinning to a CPU, starting
and stopping servers, reading a process's memory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # for tests.ports, tests.certs


def pinned(cpu: int, cmd: list[str]) -> list[str]:
    """Servers on CPU 0 and the load generator on CPU 1 (with two cores or
    more): otherwise the two share a core, and the figures say more about
    the scheduler than about the server."""
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(cpu), *cmd] if taskset and (os.cpu_count() or 1) >= 2 else cmd


def wait_listening(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start listening")


def start(
    cmd: list[str], port: int, root: str = ROOT, env: dict | None = None, cpu: int | None = 0
) -> subprocess.Popen:
    """A server on CPU `cpu` (None: on any), once it listens. `root`: the
    checkout whose twisted_node a runtime server runs (also its working
    directory: `python -m` puts that first on the path)."""
    env = dict(os.environ, **(env or {}))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    cmd = cmd if cpu is None else pinned(cpu, cmd)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, cwd=root)
    wait_listening(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk not found: installing Debian's package", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        wrk = shutil.which("wrk")
    return wrk
