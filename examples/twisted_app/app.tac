"""A twisted.web application with JavaScript inside:

    PORT=8080 twistd -ny examples/twisted_app/app.tac

- /          a static page (twisted.web)
- /api/...   JavaScript (api.js's exports.api, through NodeResource), which
             queries a Python addon (inventory.py, SQLite through adbapi)
- /status    Python, which calls api.js's exports.stats() (NodeService.call)

What api.js prints goes to twistd's log, in the namespace
"twisted_node.api.js".
"""

import json
import os

from twisted.application import service, strports
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Site
from twisted.web.static import Data

from twisted_node.service import NodeService
from twisted_node.web import NodeResource

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = int(os.environ.get("PORT", "8080"))


class Status(Resource):
    """Python asking the JavaScript side how it is doing."""

    isLeaf = True

    def __init__(self, node):
        super().__init__()
        self.node = node

    def render_GET(self, request):
        def answer(stats):
            request.setHeader(b"content-type", b"application/json")
            request.write(json.dumps({"javascript": stats}).encode() + b"\n")
            request.finish()

        def failed(failure):
            request.setResponseCode(500)
            request.write(f"{failure.getErrorMessage()}\n".encode())
            request.finish()

        self.node.call("stats").addCallbacks(answer, failed)
        return NOT_DONE_YET


application = service.Application("twisted_app")
node = NodeService(os.path.join(HERE, "api.js"))
node.setServiceParent(application)

root = Resource()
root.putChild(b"", Data(b"<p>Try <a href='/api/items'>/api/items</a> and <a href='/status'>/status</a>.</p>\n", "text/html"))
root.putChild(b"api", NodeResource(node, "api"))
root.putChild(b"status", Status(node))
strports.service(f"tcp:{PORT}:interface=127.0.0.1", Site(root)).setServiceParent(application)
