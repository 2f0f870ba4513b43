"""The `node` twistd plugin: `twistd -n node --script app.js [-- args...]`.

This directory has no __init__.py on purpose: twisted/plugins is a namespace
that Twisted extends with every such directory on sys.path.
"""

from __future__ import annotations

from twisted.application.service import IServiceMaker
from twisted.plugin import IPlugin
from twisted.python import usage
from zope.interface import implementer


class Options(usage.Options):
    synopsis = "--script app.js [-- args...]"
    longdesc = "Run a Node.js v0.1 program (twisted_node) as a twistd daemon."
    optParameters = [
        ["script", "s", None, "the program to run"],
    ]

    def parseArgs(self, *args):
        self["args"] = list(args)

    def postOptions(self):
        if not self["script"]:
            raise usage.UsageError("--script is required")


@implementer(IServiceMaker, IPlugin)
class NodeServiceMaker:
    tapname = "node"
    description = "Run a Node.js v0.1 program on Twisted (twisted_node)."
    options = Options

    def makeService(self, options):
        from twisted_node.daemon import daemon_service

        return daemon_service(options["script"], options["args"])


serviceMaker = NodeServiceMaker()
