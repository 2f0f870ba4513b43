"""posix JS programs that need arguments or a particular user: run here rather
than by the automatic tests/js runner."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile

from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from twisted.trial import unittest

from tests.jsrun import child_env, run_js, runtime_command
from twisted_node.jsbridge.runtime import Runtime

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "js", "posix")
# Dropping these makes root see permissions as any other user does.
_OVERRIDES = "-dac_override,-dac_read_search,-fowner"


def _unprivileged_prefix() -> list[str] | None:
    """How to run a command so that file permissions apply to it: as it is
    for a normal user; for root, without the capabilities that bypass them
    (util-linux setpriv); None when that is not possible here."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, f"--inh-caps={_OVERRIDES}", f"--bounding-set={_OVERRIDES}"]


class PosixProgramTests(unittest.TestCase):
    def scratch(self) -> str:
        top = tempfile.mkdtemp(prefix="twisted_node_posix_")
        self.addCleanup(shutil.rmtree, top, True)
        return top

    def test_permission_errors(self):
        """EACCES from open, cat, readdir, stat, mkdir and rename, with the
        path on the Error. (run_js cannot drop capabilities, hence Popen.)"""
        prefix = _unprivileged_prefix()
        if prefix is None:
            raise unittest.SkipTest("running as root without setpriv: permissions never apply")
        target = os.path.join(self.scratch(), "eacces")
        proc = subprocess.run(
            [*prefix, *runtime_command(os.path.join(PROGRAMS, "eacces.js"), target)],
            check=False,
            cwd=PROGRAMS,
            env=child_env(),
            capture_output=True,
            timeout=60,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr.decode("utf-8", "replace"))

    def test_exit_with_operations_in_flight(self):
        """process.exit() does not wait for file operations on the thread
        pool, and none of their callbacks runs after "exit"."""
        top = self.scratch()
        code, out, err = run_js(os.path.join(PROGRAMS, "exit_in_flight.js"), top, cwd=PROGRAMS)
        self.assertEqual((code, out), (3, b"exit 3\n"), err.decode("utf-8", "replace"))

    def test_exit_with_a_read_waiting_on_a_pipe(self):
        """A read that would wait forever does not keep the process from
        exiting (run_js fails the test if the program is still running)."""
        fifo = os.path.join(self.scratch(), "fifo")
        os.mkfifo(fifo)
        code, out, err = run_js(os.path.join(PROGRAMS, "exit_blocked.js"), fifo, timeout=30)
        self.assertEqual((code, out), (4, b""), err.decode("utf-8", "replace"))

    def test_stats_of_each_kind_of_file(self):
        """posix.Stats: each is*() method true on a file of its kind, and
        only there (a FIFO, a socket and a block device included)."""
        top = self.scratch()
        fifo, sock_path, regular = (os.path.join(top, name) for name in ("fifo", "socket", "file"))
        os.mkfifo(fifo)
        with open(regular, "w"):
            pass
        listener = socket.socket(socket.AF_UNIX)
        self.addCleanup(listener.close)
        listener.bind(sock_path)
        code, out, err = run_js(
            os.path.join(PROGRAMS, "file_types.js"),
            f"isFile={regular}",
            f"isDirectory={top}",
            f"isFIFO={fifo}",
            f"isSocket={sock_path}",
            "isCharacterDevice=/dev/null",
            f"isBlockDevice={_block_device(top)}",
            cwd=PROGRAMS,
        )
        self.assertEqual(code, 0, err.decode("utf-8", "replace"))

    @inlineCallbacks
    def test_program_in_a_host_leaves_no_file_open(self):
        """Run in this process (as a NodeService runs it), a program that
        ends with files open does not leave them open in the host."""
        top = self.scratch()
        runtime = Runtime(os.path.join(PROGRAMS, "leave_open.js"), [top], reactor=reactor)
        finished = runtime.whenFinished()
        runtime.start()
        self.assertEqual((yield finished), 0)
        self.assertEqual(sorted(os.listdir(top)), ["async", "async2", "sync"])
        with open(os.path.join(top, "async"), "rb") as f:
            self.assertEqual(f.read(), b"left open")
        open_here = [os.readlink(f"/proc/self/fd/{fd}") for fd in _fd_numbers()]
        self.assertEqual([p for p in open_here if p.startswith(top)], [])


def _block_device(scratch: str) -> str:
    """A block device to stat: one of /dev, else one made in `scratch`
    (needs CAP_MKNOD); the test cannot run without either."""
    for entry in os.scandir("/dev"):
        if stat.S_ISBLK(entry.stat(follow_symlinks=False).st_mode):
            return entry.path
    path = os.path.join(scratch, "block")
    try:
        os.mknod(path, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    except PermissionError:
        raise unittest.SkipTest("no block device in /dev, and none can be made here") from None
    return path


def _fd_numbers() -> list[str]:
    numbers = []
    for fd in os.listdir("/proc/self/fd"):
        if os.path.exists(f"/proc/self/fd/{fd}"):  # not the one that listed them
            numbers.append(fd)
    return numbers
