"""A Python addon (docs/ARCHITECTURE.md, "Addons"): init(target) fills in the exports.

Functions returning a Deferred give JavaScript a process.Promise."""

from twisted.internet import defer, reactor

from twisted_node.errors import NodeError
from twisted_node.jsbridge.promises import Args, Rejection

LOADS = []
CANCELLED = []


def init(target):
    LOADS.append(1)
    target.hello = "world"
    target.loads = len(LOADS)
    target.add = lambda a, b: a + b
    target.later = later
    target.later_pair = lambda: _after(Args("first", 2))
    target.already = lambda v: defer.succeed(v)
    target.fails = fails
    target.rejects = lambda: _fail_after(Rejection("ECODE", "plain values"))
    target.throws = throws
    target.data = {"list": [1, 2, 3], "nested": {"k": None}}
    target.pending = pending
    target.cancelled = lambda: len(CANCELLED)


def _after(value):
    d = defer.Deferred()
    reactor.callLater(0.001, d.callback, value)
    return d


def _fail_after(exc):
    d = defer.Deferred()
    reactor.callLater(0.001, d.errback, exc)
    return d


def later(value):
    return _after(value * 2)


def fails():
    return _fail_after(OSError(2, "No such file or directory", "/nowhere"))


def throws(message):
    raise NodeError(message, name="RangeError", code="EADDON")


def pending(canceller_raises=False):
    """Fires only when cancelled; its canceller counts (or raises)."""

    def cancel(d):
        CANCELLED.append(1)
        if canceller_raises:
            raise RuntimeError("a broken canceller")

    return defer.Deferred(cancel)
