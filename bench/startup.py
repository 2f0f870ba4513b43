"""Time from launch to exit of a trivial script: twisted-node vs Node.js.

    python bench/startup.py [runs] [--baseline DIR]

Both run the same file (a program that prints one line) alternately, so
machine noise hits both alike; the figure is the median wall time of each,
and the ratio twisted-node / node; the fastest run of each too, the least
disturbed by a noisy machine. Target: at most 3x Node.js. --baseline DIR:
another checkout of this project runs in the same rounds, with this
checkout's ratio to it (a change's before and after).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPT = 'var sys = require("sys"); sys.puts("hello");\n'
NODE_SCRIPT = 'console.log("hello");\n'


def timed(cmd: list[str], root: str | None = None) -> float:
    """`root`: another checkout to run (first on the path, and the working
    directory, which `python -m` puts first)."""
    env = None if root is None else dict(os.environ, PYTHONPATH=root)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=root)
    return time.perf_counter() - start


# Run in a child: the modules twisted-node imports on first use
# (twisted_node.import_on_use) that a trivial program left unloaded.
UNLOADED_CHECK = """
import os
import sys
from twisted_node import cli, import_on_use
cli.run(sys.argv[1], [], "twisted-node")
left = [n for n in import_on_use.MODULES if isinstance(sys.modules.get(n), import_on_use.ModuleOnFirstUse)]
print(f"{len(left)}/{len(import_on_use.MODULES)}", " ".join(left), file=sys.stderr, flush=True)
os._exit(0)  # as the CLI leaves: V8's teardown at exit is slow
"""


def unloaded(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", UNLOADED_CHECK, script], capture_output=True, text=True, check=True
    )
    return done.stderr.strip()


def main() -> None:
    args = sys.argv[1:]
    base = None
    if "--baseline" in args:
        i = args.index("--baseline")
        base = os.path.abspath(args[i + 1])
        del args[i : i + 2]
    runs = int(args[0]) if args else 20
    node = shutil.which("node")
    with tempfile.TemporaryDirectory() as tmp:
        ours = os.path.join(tmp, "hello.js")
        theirs = os.path.join(tmp, "hello_node.js")
        with open(ours, "w") as f:
            f.write(SCRIPT)
        with open(theirs, "w") as f:
            f.write(NODE_SCRIPT)
        cmd = [sys.executable, "-m", "twisted_node", ours]
        timed(cmd)  # warm the page cache and the .pyc files
        print(f"imported on first use, still unloaded at exit: {unloaded(ours)}")
        tn, nd, bs = [], [], []
        for _ in range(runs):
            tn.append(timed(cmd))
            if node:
                nd.append(timed([node, theirs]))
            if base:
                bs.append(timed(cmd, base))
    tn_med = statistics.median(tn)
    print(f"twisted-node  median {tn_med * 1000:7.1f} ms  (min {min(tn) * 1000:.1f}) over {runs} runs")
    if base:
        bs_med = statistics.median(bs)
        print(f"baseline      median {bs_med * 1000:7.1f} ms  (min {min(bs) * 1000:.1f}) over {runs} runs")
        ratio, fastest = tn_med / bs_med, min(tn) / min(bs)
        print(f"ratio twisted-node / baseline: {ratio:.2f}x of medians, {fastest:.2f}x fastest")
    if node:
        nd_med = statistics.median(nd)
        print(f"node          median {nd_med * 1000:7.1f} ms  (min {min(nd) * 1000:.1f}) over {runs} runs")
        print(f"ratio twisted-node / node: {tn_med / nd_med:.2f}x of medians (target <= 3x),")
        print(f"                           {min(tn) / min(nd):.2f}x of the fastest runs")
    else:
        print("node not on PATH: no ratio")


if __name__ == "__main__":
    main()
