"""The child-process layer alone (protocols/process.py): real children on the
real reactor, no JavaScript."""

from __future__ import annotations

import os
import signal
import sys

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.internet.process import ProcessReader
from twisted.internet.task import deferLater
from twisted.trial import unittest

from twisted_node.errors import NodeError
from twisted_node.protocols import process
from twisted_node.signals import signal_number


class Recorder:
    """Every event of one child, in order, and a Deferred fired at "exit"."""

    def __init__(self, encoding="ascii"):
        self.events = []
        self.exited = Deferred()
        self.protocol = process.ChildProtocol(
            lambda s: self.events.append(("output", s)),
            lambda s: self.events.append(("error", s)),
            self._exit,
            encoding,
        )

    def _exit(self, code):
        self.events.append(("exit", code))
        self.exited.callback(code)

    def text(self, kind):
        return "".join(s for k, s in self.events if k == kind and s is not None)


def start(command, args=(), env=None, encoding="ascii"):
    rec = Recorder(encoding)
    transport = process.spawn(reactor, command, list(args), env, rec.protocol)
    return rec, transport


def open_fds() -> dict[str, str]:
    """fd -> what it points at (the fd listdir itself used is gone by then)."""
    fds = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:
            pass
    return fds


class ChildProcessTests(unittest.TestCase):
    @inlineCallbacks
    def test_output_then_null_then_exit(self):
        rec, transport = start("echo", ["hello", "world"])
        self.assertIsInstance(rec.protocol.pid, int)
        self.assertEqual(rec.protocol.pid, process.Child(rec.protocol, transport, None).pid)
        code = yield rec.exited
        self.assertEqual(code, 0)
        self.assertEqual(rec.text("output"), "hello world\n")
        # each stream ends with exactly one null, and "exit" is the last event
        nulls = sorted(e for e in rec.events if e[1] is None)
        self.assertEqual(nulls, [("error", None), ("output", None)])
        self.assertEqual(rec.events[-1], ("exit", 0))

    @inlineCallbacks
    def test_stderr_and_exit_code(self):
        rec, _ = start("sh", ["-c", "echo oops >&2; exit 3"])
        code = yield rec.exited
        self.assertEqual(code, 3)
        self.assertEqual(rec.text("error"), "oops\n")
        self.assertEqual(rec.text("output"), "")

    @inlineCallbacks
    def test_write_and_close_stdin(self):
        rec, transport = start("cat")
        child = process.Child(rec.protocol, transport, None)
        for i in range(100):
            self.assertTrue(child.write(f"line {i}\n".encode()))
        child.close_stdin()
        code = yield rec.exited
        self.assertEqual(code, 0)
        self.assertEqual(rec.text("output"), "".join(f"line {i}\n" for i in range(100)))

    @inlineCallbacks
    def test_write_after_close_is_an_error(self):
        rec, transport = start("cat")
        child = process.Child(rec.protocol, transport, None)
        child.close_stdin()
        self.assertRaises(NodeError, child.write, b"late")
        yield rec.exited
        # after the child ended, kill reports there was nothing to signal
        self.assertFalse(child.kill(signal.SIGTERM))

    @inlineCallbacks
    def test_kill_reports_128_plus_signal(self):
        rec, transport = start("sleep", ["30"])
        child = process.Child(rec.protocol, transport, None)
        self.assertTrue(child.kill(signal_number("SIGTERM")))
        code = yield rec.exited
        self.assertEqual(code, 128 + signal.SIGTERM)

        rec, transport = start("sleep", ["30"])
        process.Child(rec.protocol, transport, None).kill(signal_number("KILL"))
        self.assertEqual((yield rec.exited), 128 + signal.SIGKILL)

    @inlineCallbacks
    def test_env_replaces_environment(self):
        env = {"ONLY_THIS": "value 1", "PATH": os.environ["PATH"]}
        rec, _ = start("env", env=env)
        yield rec.exited
        self.assertEqual(
            sorted(rec.text("output").splitlines()),
            sorted(f"{k}={v}" for k, v in env.items()),
        )

    @inlineCallbacks
    def test_command_looked_up_on_the_childs_path(self):
        # the child's PATH decides, not ours
        bindir = self.mktemp()
        os.mkdir(bindir)
        script = os.path.join(bindir, "only-here")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho found me\n")
        os.chmod(script, 0o755)
        rec, _ = start("only-here", env={"PATH": bindir})
        self.assertEqual((yield rec.exited), 0)
        self.assertEqual(rec.text("output"), "found me\n")

        rec, transport = start("only-here")
        self.assertIsNone(transport)
        self.assertEqual((yield rec.exited), 127)

    @inlineCallbacks
    def test_missing_command(self):
        rec, transport = start("no-such-command-twisted-node")
        self.assertIsNone(transport)
        code = yield rec.exited
        self.assertEqual(code, 127)
        self.assertEqual(rec.text("error"), "no-such-command-twisted-node: command not found\n")
        self.assertEqual(rec.events[-3:], [("output", None), ("error", None), ("exit", 127)])

    @inlineCallbacks
    def test_missing_path(self):
        rec, transport = start("/nonexistent/twisted-node")
        self.assertIsNone(transport)
        self.assertEqual((yield rec.exited), 127)
        self.assertEqual(rec.text("error"), "/nonexistent/twisted-node: no such file or directory\n")

    @inlineCallbacks
    def test_not_executable(self):
        path = self.mktemp()
        with open(path, "w") as f:
            f.write("echo hi\n")
        rec, _ = start(os.path.abspath(path))
        self.assertEqual((yield rec.exited), 126)
        self.assertIn("permission denied", rec.text("error"))

    @inlineCallbacks
    def test_encodings_of_output(self):
        data = "h\u00e9llo \u20ac"
        cmd = [
            sys.executable,
            "-c",
            f"import sys; sys.stdout.buffer.write({data.encode()!r})",
        ]
        rec, _ = start(cmd[0], cmd[1:], encoding="utf8")
        yield rec.exited
        self.assertEqual(rec.text("output"), data)
        rec, _ = start(cmd[0], cmd[1:])  # ascii: high bit cleared
        yield rec.exited
        self.assertEqual(rec.text("output"), "".join(chr(b & 0x7F) for b in data.encode()))

    @inlineCallbacks
    def test_many_children_leak_no_descriptors(self):
        # The first batch runs before counting: trial starts the reactor for
        # each test, which opens its SIGCHLD waker pipe when the first child is
        # spawned or reaped.
        codes = []
        before = None
        for _batch in range(10):
            recs = [start("sh", ["-c", f"exit {i % 3}"])[0] for i in range(20)]
            for rec in recs:
                codes.append((yield rec.exited))
            if before is None:
                before = open_fds()
        self.assertEqual(len(codes), 200)
        self.assertEqual(sorted(set(codes)), [0, 1, 2])
        self.assertEqual(codes.count(0), 70)
        self.assertEqual(open_fds(), before)


class ExecTests(unittest.TestCase):
    @inlineCallbacks
    def test_success(self):
        result = yield process.exec_command(reactor, "echo out; echo err >&2")
        self.assertEqual(result, ("out\n", "err\n"))

    @inlineCallbacks
    def test_failure(self):
        try:
            yield process.exec_command(reactor, "echo partial; exit 7")
        except process.ExecFailed as e:
            self.assertEqual(e.args, (7, "partial\n", ""))
        else:
            self.fail("exit 7 did not fail")

    @inlineCallbacks
    def test_cancel_kills(self):
        # what happens to sys.exec's child when the program ends meanwhile
        d = process.exec_command(reactor, "sleep 30")
        d.addErrback(lambda f: f.type.__name__)
        d.cancel()
        self.assertEqual((yield d), "CancelledError")
        # the child dies: its pipes close (bounded wait, no timing asserted)
        for _ in range(250):
            if not [r for r in reactor.getReaders() if isinstance(r, ProcessReader)]:
                break
            yield deferLater(reactor, 0.02, lambda: None)
        self.assertEqual([r for r in reactor.getReaders() if isinstance(r, ProcessReader)], [])
