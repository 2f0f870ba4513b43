"""Running JavaScript programs under the runtime, as a user would, in a
child process (`python -m twisted_node script.js args...`)."""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "js")
PROJECT = os.path.dirname(HERE)


# twistd, from whichever environment runs the tests.
TWISTD = [
    sys.executable,
    "-c",
    "import sys; from twisted.scripts.twistd import run; sys.argv[0] = 'twistd'; run()",
]


def runtime_command(script: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "twisted_node", script, *args]


def twistd_node(*args: str, logfile: str = "-") -> list[str]:
    """`twistd node ARGS` in the foreground, without a pid file."""
    return [*TWISTD, "-n", "--pidfile", "", "--logfile", logfile, "node", *args]


def child_env(env: dict | None = None) -> dict:
    """The environment for a runtime child: the test's own, plus `env`, with
    this checkout importable even when the project is not installed."""
    merged = dict(os.environ)
    merged["PYTHONPATH"] = os.pathsep.join(p for p in (PROJECT, merged.get("PYTHONPATH")) if p)
    if env:
        merged.update(env)
    return merged


def run_js(script: str, *args: str, env=None, stdin=None, timeout=60, cwd=None):
    """Run `script` to its end: (exit status, stdout bytes, stderr bytes).

    `stdin` is bytes to feed (or None for an empty stdin). A program still
    running after `timeout` seconds is killed and the test fails with what it
    had printed.
    """
    if not os.path.isabs(script):
        script = os.path.join(JS_DIR, script)
    proc = subprocess.Popen(
        runtime_command(script, *args),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(env),
        cwd=cwd or os.path.dirname(script),
    )
    try:
        out, err = proc.communicate(stdin or b"", timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(
            f"{script} still running after {timeout}s\n--- stdout\n{out.decode(errors='replace')}"
            f"\n--- stderr\n{err.decode(errors='replace')}"
        ) from None
    # Twisted's mark of an exception no code of the runtime handled: a bug
    # whatever the test checks (it reaches no program, only stderr).
    if b"Unhandled Error" in err:
        stderr = err.decode(errors="replace")
        raise AssertionError(f"{script}: an exception went unhandled\n--- stderr\n{stderr}")
    return proc.returncode, out, err
