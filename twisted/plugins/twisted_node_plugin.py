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
        [
            "repl-port",
            None,
            None,
            "serve a REPL on the program's global scope at PORT, HOST:PORT or a "
            "server endpoint string (loopback unless an interface is named)",
        ],
    ]

    optParameters += [
        [
            "workers",
            None,
            None,
            'run the program in N worker processes sharing its ports ("auto": one per core)',
        ],
        [
            "shutdown-timeout",
            None,
            None,
            "seconds a graceful stop lets connections in flight finish (default 30)",
        ],
    ]

    def parseArgs(self, *args):
        self["args"] = list(args)

    def postOptions(self):
        if not self["script"]:
            raise usage.UsageError("--script is required")
        from twisted_node import options

        try:
            if self["workers"] is not None:
                self["workers"] = options.workers(self["workers"])
            if self["shutdown-timeout"] is None:
                self["shutdown-timeout"] = options.DEFAULT_SHUTDOWN_TIMEOUT
            else:
                self["shutdown-timeout"] = options.shutdown_timeout(self["shutdown-timeout"])
        except ValueError as e:
            raise usage.UsageError(str(e)) from None
        if self["workers"] is not None and self["repl-port"] is not None:
            raise usage.UsageError("--repl-port serves one program's scope: it does not go with --workers")
        if self["repl-port"] is not None:
            from twisted_node.protocols.repl import endpoint_string

            try:
                endpoint_string(self["repl-port"])
            except ValueError as e:
                raise usage.UsageError(f"--repl-port: {e}") from None


@implementer(IServiceMaker, IPlugin)
class NodeServiceMaker:
    tapname = "node"
    description = "Run a Node.js v0.1 program on Twisted (twisted_node)."
    options = Options

    def makeService(self, options):
        from twisted_node.daemon import daemon_service

        return daemon_service(
            options["script"],
            options["args"],
            options["repl-port"],
            workers=options["workers"],
            shutdown_timeout=options["shutdown-timeout"],
        )


serviceMaker = NodeServiceMaker()
