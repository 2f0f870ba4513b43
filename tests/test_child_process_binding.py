"""bindings/child_process.py on a stand-in host (no V8): a child's events in
the one convention, and sys.exec's results as the promise's arguments."""

from __future__ import annotations

from contextlib import nullcontext

from twisted.internet import reactor
from twisted.internet.defer import Deferred, inlineCallbacks
from twisted.trial import unittest

from twisted_node.bindings import child_process
from twisted_node.bindings.events import KEY
from twisted_node.jsbridge.promises import Args, Rejection
from twisted_node.loop import Loop


class StandInHost:
    """What the binding uses of a Host, with Python callables for JS ones."""

    def __init__(self):
        self.reactor = reactor
        self.loop = Loop(reactor, lambda: None)
        self.hold = self.loop.hold
        self.finished = False

    def callback(self, fn):
        return fn

    def running(self):
        return nullcontext()

    def add_cleanup(self, fn):
        pass


class EventTests(unittest.TestCase):
    def setUp(self):
        self.host = StandInHost()
        self.binding = child_process.binding(self.host)
        self.events = []
        self.exited = Deferred()
        self.binding["init"](self._event)

    def _event(self, key, *args):
        id, code = divmod(key, KEY)  # as lib/internal/events.js splits the key
        self.events.append((id, code, *args))
        if code == child_process.EXIT:
            self.exited.callback(None)

    @inlineCallbacks
    def test_events_name_the_child_by_its_id(self):
        b = self.binding
        handle = b["spawn"](7, "sh", '["-c", "echo out; echo err >&2; exit 3"]', None, "utf8")
        self.assertIsInstance(b["pid"](handle), int)
        self.assertEqual(self.host.loop.labels(), ["child process sh"])
        yield self.exited
        OUTPUT, ERROR, EXIT = b["OUTPUT"], b["ERROR"], b["EXIT"]
        self.assertEqual(len({OUTPUT, ERROR, EXIT}), 3)
        self.assertEqual({e[0] for e in self.events}, {7})
        self.assertEqual([e[2] for e in self.events if e[1] == OUTPUT], ["out\n", None])
        self.assertEqual([e[2] for e in self.events if e[1] == ERROR], ["err\n", None])
        self.assertEqual(self.events[-1], (7, EXIT, 3))
        self.assertEqual(self.host.loop.count, 0)  # the child no longer holds the program

    @inlineCallbacks
    def test_write_close_kill(self):
        b = self.binding
        handle = b["spawn"](1, "cat", "[]", None, "utf8")
        self.assertTrue(b["write"](handle, "caf\u00e9\n", "utf8"))
        b["close"](handle)
        yield self.exited
        self.assertEqual([e[2] for e in self.events if e[1] == b["OUTPUT"]], ["caf\u00e9\n", None])
        self.assertFalse(b["kill"](handle, "SIGTERM"))  # nothing left to signal


class ExecTests(unittest.TestCase):
    def setUp(self):
        self.exec = child_process.binding(StandInHost())["exec"]

    @inlineCallbacks
    def test_success_is_stdout_and_stderr(self):
        result = yield self.exec("echo out; echo err >&2")
        self.assertIsInstance(result, Args)
        self.assertEqual(tuple(result), ("out\n", "err\n"))

    @inlineCallbacks
    def test_failure_is_code_stdout_and_stderr(self):
        try:
            yield self.exec("echo partial; exit 7")
        except Rejection as e:
            self.assertEqual(e.args, (7, "partial\n", ""))
        else:
            self.fail("exit 7 did not fail")
