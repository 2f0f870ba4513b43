"""loop.Loop: active-handle accounting (the program ends when nothing can
produce another event) and nested iteration for promise.wait()."""

from __future__ import annotations

from twisted.internet import defer, reactor
from twisted.internet.task import Clock
from twisted.trial import unittest

from twisted_node.loop import Loop


class Accounting(unittest.TestCase):
    def setUp(self):
        self.clock = Clock()
        self.idle = []
        self.loop = Loop(self.clock, lambda: self.idle.append(len(self.idle)))

    def test_idle_only_after_arm(self):
        h = self.loop.hold("timer")
        h.release()
        self.clock.advance(0)
        self.assertEqual(self.idle, [], "not idle before the main module ran")
        self.loop.arm()
        self.clock.advance(0)
        self.assertEqual(self.idle, [0])

    def test_arm_with_nothing_held_is_idle(self):
        self.loop.arm()
        self.assertEqual(self.idle, [], "checked from a later reactor turn")
        self.clock.advance(0)
        self.assertEqual(self.idle, [0])

    def test_idle_once_when_last_hold_released(self):
        a = self.loop.hold("a")
        b = self.loop.hold("b")
        self.assertEqual(self.loop.count, 2)
        self.assertEqual(self.loop.labels(), ["a", "b"])
        self.loop.arm()
        self.clock.advance(0)
        a.release()
        self.clock.advance(0)
        self.assertEqual(self.idle, [])
        b.release()
        b.release()  # idempotent
        a.release()
        self.clock.advance(0)
        self.clock.advance(0)
        self.assertEqual(self.idle, [0], "idle reported once")
        self.assertEqual(self.loop.count, 0)
        self.assertFalse(a.held)
        self.assertIn("released", repr(a))

    def test_new_hold_in_same_turn_keeps_alive(self):
        """A callback that releases its hold and takes a new one (a "close"
        listener reconnecting) does not end the program."""
        h = self.loop.hold("connection")
        self.loop.arm()
        h.release()
        again = self.loop.hold("connection")
        self.clock.advance(0)
        self.assertEqual(self.idle, [])
        again.release()
        self.clock.advance(0)
        self.assertEqual(self.idle, [0])

    def test_track(self):
        d = defer.Deferred()
        results = []
        tracked = self.loop.track(d, "dns query")
        tracked.addCallback(results.append)
        self.assertEqual(self.loop.labels(), ["dns query"])
        self.loop.arm()
        self.clock.advance(0)
        self.assertEqual(self.idle, [])
        d.callback("answer")
        self.assertEqual(results, ["answer"], "the result passes through")
        self.clock.advance(0)
        self.assertEqual(self.idle, [0])

    def test_track_failure_releases(self):
        d = defer.Deferred()
        failures = []
        self.loop.track(d, "op").addErrback(failures.append)
        d.errback(RuntimeError("failed"))
        self.assertEqual(self.loop.count, 0)
        self.assertEqual(len(failures), 1)

    def test_close_all_calls_closers(self):
        closed = []
        self.loop.hold("server", close=lambda: closed.append("server"))
        self.loop.hold("no closer")

        def broken():
            closed.append("broken")
            raise RuntimeError("closing failed")

        self.loop.hold("broken", close=broken)
        self.loop.hold("child", close=lambda: closed.append("child"))
        released = self.loop.hold("released", close=lambda: closed.append("released"))
        released.release()
        self.loop.arm()
        self.loop.close_all()
        self.assertEqual(sorted(closed), ["broken", "child", "server"])
        self.assertEqual(self.loop.count, 0)
        self.clock.advance(0)
        self.assertEqual(self.idle, [], "a closed loop does not report idle")

    def test_close_all_cancels_tracked_deferred(self):
        d = defer.Deferred()
        failures = []
        self.loop.track(d, "op").addErrback(failures.append)
        self.loop.close_all()
        self.assertEqual(len(failures), 1)
        failures[0].trap(defer.CancelledError)

    def test_releases_after_close_all_are_harmless(self):
        h = self.loop.hold("x")
        self.loop.arm()
        self.loop.close_all()
        h.release()
        self.clock.advance(0)
        self.assertEqual(self.idle, [])


class IterateUntil(unittest.TestCase):
    """Nested iteration runs the real reactor re-entrantly (as wait() does)."""

    def test_needs_a_reentrant_reactor(self):
        loop = Loop(Clock(), lambda: None)
        with self.assertRaises(RuntimeError) as caught:
            loop.iterate_until(lambda: False, lambda: False)
        self.assertIn("re-entrant reactor", str(caught.exception))

    def test_returns_at_once_when_done(self):
        loop = Loop(reactor, lambda: None)
        loop.iterate_until(lambda: True, lambda: False)

    def test_runs_events_until_done(self):
        loop = Loop(reactor, lambda: None)
        fired = []
        h = loop.hold("timer")

        def fire(n):
            fired.append(n)
            if n == 2:
                h.release()

        reactor.callLater(0.001, fire, 1)
        reactor.callLater(0.002, fire, 2)
        loop.iterate_until(lambda: len(fired) == 2, lambda: False)
        self.assertEqual(fired, [1, 2])

    def test_nothing_could_fire(self):
        loop = Loop(reactor, lambda: None)
        with self.assertRaises(RuntimeError) as caught:
            loop.iterate_until(lambda: False, lambda: False)
        self.assertIn("block forever", str(caught.exception))

    def test_program_exiting(self):
        loop = Loop(reactor, lambda: None)
        h = loop.hold("server")
        self.addCleanup(h.release)
        with self.assertRaises(RuntimeError) as caught:
            loop.iterate_until(lambda: False, lambda: True)
        self.assertIn("exiting", str(caught.exception))
