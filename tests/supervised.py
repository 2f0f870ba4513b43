"""A program run with `twisted-node --workers N` (or other front-door
options) in a child process, for tests: its stderr (the supervisor's log
and the workers') read as it comes, with bounded waits for lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.jsrun import JS_DIR, child_env
from tests.load import body, get
from tests.polling import until

HELLO = os.path.join(JS_DIR, "workers", "hello.js")


class Supervised:
    def __init__(self, tmp: str, *options: str, script: str = HELLO, env=None, command=None, pass_fds=()):
        os.makedirs(tmp, exist_ok=True)
        self._err_path = os.path.join(tmp, "stderr")
        self._out_path = os.path.join(tmp, "stdout")
        with open(self._err_path, "wb") as err, open(self._out_path, "wb") as out:
            cmd = command or [sys.executable, "-m", "twisted_node", *options, script]
            self.proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=child_env(env),
                cwd=tmp,
                pass_fds=pass_fds,
            )

    @property
    def stderr(self) -> str:
        with open(self._err_path, "rb") as f:
            return f.read().decode(errors="replace")

    @property
    def stdout(self) -> str:
        with open(self._out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_for(self, text: str, count: int = 1, seconds: float = 60) -> None:
        until(lambda: self.stderr.count(text) >= count or self._ended(), seconds, repr(text))
        if self.stderr.count(text) < count:
            raise AssertionError(f"ended without {text!r}:\n{self.stderr}")

    def _ended(self) -> bool:
        return self.proc.poll() is not None

    def workers_answering(self, port: int, count: int, seconds: float = 60) -> dict[str, str]:
        """Request until `count` different workers answered: {worker id: pid}."""
        seen: dict[str, str] = {}

        def enough():
            try:
                words = body(get(port, timeout=5)).split()
            except (OSError, ValueError):
                if self._ended():
                    raise AssertionError(f"the supervisor ended:\n{self.stderr}") from None
                return False
            seen[words[1]] = words[3]
            return len(seen) >= count

        until(enough, seconds, f"{count} workers answering")
        return seen

    def signal(self, sig) -> None:
        self.proc.send_signal(sig)

    def wait(self, seconds: float = 60) -> int:
        try:
            return self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {seconds} s:\n{self.stderr}") from None

    def kill(self) -> None:
        """Whatever is left, supervisor and workers (the workers follow their
        supervisor: worker.py)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)
