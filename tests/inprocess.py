"""A real Runtime inside the test process, for tests of one binding's Python
layer: V8 booted with lib/node.js, running no script, on the reactor the test
gives (trial's for real I/O, a task.Clock when only time is involved)."""

from __future__ import annotations

from twisted.internet.task import Clock

from twisted_node.jsbridge.runtime import Runtime


def booted_runtime(testcase, reactor, *, keep_alive: bool = False) -> Runtime:
    """The runtime ends as a program does, when nothing holds it, and at the
    latest with the test, which waits for its end (files, sockets and
    children it still holds are closed then).

    `keep_alive`: hold it until the test ends. A test calling a binding
    straight from Python holds nothing (the promises of the bridge do), so
    without this the program ends at the next reactor turn."""
    runtime = Runtime(None, reactor=reactor)
    runtime.run_source("GLOBAL.bootedForTest = true;", "/test/boot.js")
    testcase.assertIsNotNone(runtime.js, "the runtime did not boot")
    if keep_alive:
        runtime.loop.hold("the test")

    def end():
        runtime.stop(0)
        if isinstance(reactor, Clock):
            reactor.advance(0)
        return runtime.whenFinished()

    testcase.addCleanup(end)
    return runtime
