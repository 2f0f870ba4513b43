"""The "dns" binding: resolve4, resolve6 and reverse for lib/dns.js, over the
resolver of protocols/dns.py.

Each returns a promise: success (addresses or domains, ttl, cname), error
(code, message) with code one of the manual's constants, exported here as
the binding's TEMPFAIL, PROTOCOL, NXDOMAIN, NODATA, NOMEM and BADQUERY.
"""

from __future__ import annotations

from twisted.python.failure import Failure

from twisted_node.jsbridge.promises import Args, Rejection
from twisted_node.protocols.dns import CODE_NAMES, Answer, DNSError, NodeResolver, resolver_for


def _answer(answer: Answer) -> Args:
    # The promise's door converts the list into a native JS array.
    return Args(answer.values, answer.ttl, answer.cname)


def _failure(f: Failure) -> Failure:
    f.trap(DNSError)
    return Failure(Rejection(f.value.dns_code, f.value.message))


def binding(host) -> dict:
    # Made now, so that a bad TWISTED_NODE_DNS_SERVERS throws at require("dns").
    resolver_for(host.reactor)

    def query(method):
        def call(name):
            if not isinstance(name, str):
                raise TypeError(f"expected a string, got {name!r}")
            return method(resolver_for(host.reactor), name).addCallbacks(_answer, _failure)

        return call

    return {
        "resolve4": query(NodeResolver.resolve4),
        "resolve6": query(NodeResolver.resolve6),
        "reverse": query(NodeResolver.reverse),
        **{name: code for code, name in CODE_NAMES.items()},
    }
