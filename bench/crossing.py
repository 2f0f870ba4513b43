"""The cost of one call from Python into JavaScript, the crossing every event
pays (an HTTP request, a tcp message): through the runtime's door
(Runtime.callback) and through STPyV8 alone, for an empty function and for
one returning a response-sized string.

    python bench/crossing.py [--calls 60000]

Each call is timed on its own, so that the spread shows: the median is the
usual call, the mean what a server pays on average. A pure Python call of
about the same work is timed the same way for comparison (its spread is the
timer's).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# The checkout instead of bench/ (whose http.py would hide the standard library's).
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from twisted.internet import reactor  # noqa: E402

from twisted_node.jsbridge.runtime import Runtime  # noqa: E402

FUNCTIONS = r"""
GLOBAL.empty = function (key, head) { return null; };
GLOBAL.response = function (key, head) {
  return "KHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n" +
    "Connection: keep-alive\r\n\r\nc\r\nHello World\n\r\n0\r\n\r\n";
};
"""
HEAD = "3GET / HTTP/1.1\nhost: 127.0.0.1:8000"


def timed(call, calls: int) -> list[float]:
    clock = time.perf_counter
    samples = []
    for i in range(calls):
        started = clock()
        call(i * 16 + 2, HEAD)
        samples.append(clock() - started)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    n = len(samples)
    us = [x * 1e6 for x in (samples[n // 2], samples[int(n * 0.9)], samples[int(n * 0.99)])]
    mean = statistics.fmean(samples) * 1e6
    print(f"{name:34} median {us[0]:5.2f}  p90 {us[1]:5.2f}  p99 {us[2]:6.2f}  mean {mean:5.2f} us")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60000)
    args = parser.parse_args()
    runtime = Runtime(None, reactor=reactor)
    runtime.run_source(FUNCTIONS, "/bench/crossing.js")
    glob = runtime.context.glob
    with runtime.context:
        door = {name: runtime.callback(glob[name]) for name in ("empty", "response")}
        bare = glob["empty"]  # held by Python from here on: STPyV8's own call
        for name, call in door.items():
            report(f"through the door, {name}", timed(call, args.calls))
        report("STPyV8 alone, empty", timed(bare, args.calls))

    def python_work(key, head):
        return sum(range(60))

    report("a Python function (the timer)", timed(python_work, args.calls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
