"""JavaScript request handlers inside a twisted.web site.

    from twisted.web.resource import Resource
    from twisted.web.server import Site
    from twisted_node.service import NodeService
    from twisted_node.web import NodeResource

    node = NodeService("app.js")
    root = Resource()
    root.putChild(b"api", NodeResource(node, "api"))
    site = Site(root)

Every request under the resource's place (/api, /api/users/7?x=1...) goes
to the function app.js exports as `exports.api` (looked up at each request,
so `module.exports = {api: ...}` works too), called with the manual's
http.ServerRequest and http.ServerResponse (lib/twisted_web.js says what
differs: request.uri.path is relative to the resource, request.uri.full is
the URI as sent; the body arrives whole). twisted.web does everything
around it: framing (keep-alive, chunking, HEAD), virtual hosts, sessions,
other resources, TLS.

A request body arrives whole, as one string in memory: bodies larger than
`max_body` bytes (16 MiB by default) are answered 413 without reaching the
program (twisted.web has spooled them to a temporary file meanwhile).

A response that stays silent for `timeout` seconds (300 by default; None:
no limit, say for long polling) is given up: 504 if nothing of it went
out, otherwise a cut connection, and the program sees "close" as if the
client had gone (twisted.web suspends the Site's own idle timeout while a
request is being answered).

A handler that throws costs its own request only (500, or a closed
connection when part of the response went out), and the error goes to the
service's log with its JavaScript stack. While the program is not running
(not started yet, or ended) requests are answered 503. A NodeResource keeps
its program running until the service stops (NodeService.persist()): the
program is the site's server, even with nothing else to do.
"""

from __future__ import annotations

from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET

from twisted_node.bindings import web
from twisted_node.protocols.web import WebExchange


MAX_BODY = 16 * 1024 * 1024
TIMEOUT = 300.0


class NodeResource(Resource):
    """Hands each request under its place in a Site to `exports[name]` of
    the program `node_service` runs."""

    isLeaf = True  # everything below its place is the handler's

    def __init__(self, node_service, name: str, max_body: int = MAX_BODY, timeout: float | None = TIMEOUT):
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"NodeResource(node_service, name): name must be a non-empty string, got {name!r}"
            )
        if not isinstance(max_body, int) or max_body < 0:
            raise TypeError(f"NodeResource: max_body must be a number of bytes, got {max_body!r}")
        if timeout is not None and (not isinstance(timeout, (int, float)) or not timeout > 0):
            raise TypeError(f"NodeResource: timeout must be a number of seconds or None, got {timeout!r}")
        super().__init__()
        self.service = node_service
        self.timeout = timeout
        self.name = name
        self.max_body = max_body
        node_service.persist()

    def render(self, request):
        exchange = WebExchange(request, self.timeout)
        runtime = self.service.runtime
        if runtime is None or not runtime.serving:
            exchange.fail(503)
        elif exchange.body_size() > self.max_body:
            exchange.fail(413)
        else:
            web.deliver(runtime.host, runtime.require, self.name, exchange)
        return NOT_DONE_YET
