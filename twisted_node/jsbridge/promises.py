"""Deferred -> process.Promise, and back for Python callers."""

from __future__ import annotations

from twisted.internet.defer import CancelledError, Deferred
from twisted.logger import Logger

log = Logger()


class Args(tuple):
    """A Deferred result that the promise emits as several success arguments:
    ``d.callback(Args((data, bytes_read)))`` -> emitSuccess(data, bytes_read)."""

    def __new__(cls, *values):
        return super().__new__(cls, values)


class Rejection(Exception):
    """Fail a Deferred with this to emitError(*args) with exactly these
    arguments (the dns module's (code, msg), sys.exec's (code, stdout, stderr))."""


def to_promise(runtime, d: Deferred):
    """A process.Promise settled by `d`; the program stays alive until then.
    Its "cancel" (promise.cancel() or emitCancel()) cancels `d`."""
    # The promise crosses into JS once (our caller returns it); it is settled
    # through JS closures over it, bound to the door.
    made = runtime.js.new_promise(lambda: _cancel(d, hold))
    promise = made[0]
    emit_success = runtime.callback(made[1])
    emit_error = runtime.callback(made[2])

    # Released as the JS callbacks start, inside loop.running(): they may
    # start the next operation, and the program must not be seen idle in
    # between; but a wait() made inside them must not count this promise.
    hold = runtime.loop.hold("promise", close=d.cancel)

    def succeeded(result):
        with runtime.loop.running():
            hold.release()
            emit_success(*(result if isinstance(result, Args) else (result,)))

    def failed(failure):
        exc = failure.value
        with runtime.loop.running():
            hold.release()
            if isinstance(exc, CancelledError):
                return None  # the program is ending, or the promise was cancelled
            if isinstance(exc, Rejection):
                emit_error(*exc.args)
            else:
                emit_error(runtime.error(exc))

    d.addCallbacks(succeeded, failed)
    return promise


def _cancel(d: Deferred, hold) -> None:
    # Called from JavaScript, for a promise nobody waits for any more: it
    # holds the program no longer, even if `d` never fires (a canceller that
    # raises leaves it unfired), and an addon's canceller that raises must
    # not become an exception in the program that cancelled.
    hold.release()
    try:
        d.cancel()
    except Exception:
        log.failure("cancelling a Deferred for a cancelled process.Promise")


def to_deferred(runtime, promise) -> Deferred:
    """A Deferred fired by a process.Promise (for Python code calling into JS):
    the success arguments as Args (or the single one), failure as Rejection."""
    d = Deferred()

    def settle(ok, values):
        values = tuple(runtime.to_py(v) for v in values)
        if ok:
            d.callback(values[0] if len(values) == 1 else Args(*values))
        else:
            d.errback(Rejection(*values))

    runtime.js.settled(
        promise,
        runtime.to_js(lambda *v: settle(True, v)),
        runtime.to_js(lambda *v: settle(False, v)),
    )
    return d
