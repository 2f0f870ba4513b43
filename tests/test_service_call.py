"""NodeService.call(name, *args): Python calling the functions a program
exports, with Deferreds (tests/js/embed/web_app.js is the program)."""

from __future__ import annotations

import os

from twisted.internet import defer
from twisted.trial import unittest

from tests import embedding
from twisted_node.errors import JavaScriptError, NodeError, ProgramNotRunning
from twisted_node.service import NodeService


class CallTests(unittest.TestCase):
    def setUp(self):
        self.service = embedding.started_service(self, persistent=True)

    def call(self, name, *args):
        return embedding.with_timeout(self.service.call(name, *args), f"exports.{name}()")

    @defer.inlineCallbacks
    def test_value(self):
        self.assertEqual((yield self.call("add", 2, 3)), 5)
        self.assertEqual((yield self.call("add", "a", "b")), "ab")
        self.assertIsNone((yield self.call("nothing")), "undefined is None")

    @defer.inlineCallbacks
    def test_plain_values_cross_both_ways(self):
        value = {
            "n": 1.5,
            "s": "h\u00e9 \U0001f600",
            "list": [1, None, True, [2]],
            "d": {"k": {}},
            "none": None,
        }
        self.assertEqual((yield self.call("echoValue", value)), value)
        self.assertEqual((yield self.call("echoValue", (1, 2))), [1, 2], "a tuple arrives as a list")

    @defer.inlineCallbacks
    def test_error(self):
        e = yield self.assertFailure(self.call("fails", "out of range"), JavaScriptError)
        self.assertEqual((e.name, e.message), ("RangeError", "out of range"))
        self.assertTrue(e.stack.startswith("RangeError: out of range\n"), e.stack)
        self.assertIn("web_app.js:", e.stack, "where it was thrown")
        self.assertEqual(e.props, {"code": "EFAILS"})
        self.assertIsInstance(e, NodeError)

    @defer.inlineCallbacks
    def test_promise(self):
        self.assertEqual((yield self.call("laterOne", {"a": [1]})), {"a": [1]})
        self.assertEqual((yield self.call("later", 7)), [7, "second"], "several success values: a list")

    @defer.inlineCallbacks
    def test_promise_error(self):
        e = yield self.assertFailure(self.call("laterFails", "no luck"), JavaScriptError)
        self.assertEqual((e.name, e.message), ("Error", "no luck"))
        self.assertIn("web_app.js:", e.stack)

    @defer.inlineCallbacks
    def test_cancel_cancels_the_promise(self):
        d = self.service.call("forever")
        yield self.call("nothing")  # the call has reached the program
        self.assertNoResult(d)
        d.cancel()
        yield self.assertFailure(d, defer.CancelledError)
        self.assertEqual((yield self.call("cancelled")), 1)

    @defer.inlineCallbacks
    def test_not_exported(self):
        for name in ("missing", "notAFunction", "toString"):
            e = yield self.assertFailure(self.call(name), JavaScriptError)
            self.assertEqual(e.name, "TypeError")
            self.assertIn(f"exports.{name} is not a function", e.message)
            self.assertEqual(e.props, {"code": "ERR_NOT_EXPORTED"})

    @defer.inlineCallbacks
    def test_wrong_arguments(self):
        e = yield self.assertFailure(self.service.call("add", object()), TypeError)
        self.assertIn("arguments must be plain values", str(e))
        e = yield self.assertFailure(self.service.call("add", float("nan")), TypeError)
        e = yield self.assertFailure(self.service.call(""), TypeError)
        self.assertIn("name must be a non-empty string", str(e))
        e = yield self.assertFailure(self.call("notData"), JavaScriptError)
        self.assertEqual(e.name, "TypeError")
        self.assertIn("a function cannot cross to Python", e.message)
        # And the program goes on answering.
        self.assertEqual((yield self.call("add", 1, 1)), 2)


class LifetimeTests(unittest.TestCase):
    @defer.inlineCallbacks
    def test_call_before_the_main_module_ran_waits_for_it(self):
        service = NodeService(embedding.WEB_APP)
        early = service.call("add", 1, 2)  # not started
        yield self.assertFailure(early, ProgramNotRunning)
        service.startService()
        self.addCleanup(service.stopService)
        d = service.call("add", 20, 22)  # started, main module not run yet
        self.assertNoResult(d)
        self.assertEqual((yield embedding.with_timeout(d, "the call")), 42)

    @defer.inlineCallbacks
    def test_calls_after_the_end_fail(self):
        service = embedding.started_service(self)
        pending = service.call("forever")
        yield service.call("nothing")
        yield service.stopService()
        e = yield self.assertFailure(pending, ProgramNotRunning)
        self.assertIn("ended before exports.forever() answered", str(e))
        e = yield self.assertFailure(service.call("add", 1, 2), ProgramNotRunning)
        self.assertIn("has ended", str(e))

    @defer.inlineCallbacks
    def test_program_that_ends_by_itself(self):
        # Not persistent: with nothing to do, the program ends after its main
        # module; a call made meanwhile still runs first.
        service = embedding.started_service(self)
        self.assertEqual((yield service.call("add", 1, 2)), 3)
        yield embedding.with_timeout(service.whenFinished(), "the end")
        yield self.assertFailure(service.call("add", 1, 2), ProgramNotRunning)

    @defer.inlineCallbacks
    def test_exit_during_a_call(self):
        service = embedding.started_service(self, persistent=True)
        e = yield self.assertFailure(service.call("exit", 3), ProgramNotRunning)
        self.assertIn("exited during exports.exit()", str(e))
        self.assertEqual((yield service.whenFinished()), 3)

    @defer.inlineCallbacks
    def test_module_exports_replaced(self):
        script = os.path.join(self.mktemp() + ".js")
        with open(script, "w") as f:
            f.write("module.exports = {twice: function (x) { return 2 * x; }};\n")
        service = embedding.started_service(self, script, persistent=True)
        self.assertEqual((yield service.call("twice", 21)), 42)
