"""twisted-node and twisted-node-repl: argument parsing, then a Runtime."""

from __future__ import annotations

import gc
import os
import signal
import sys

from twisted_node import import_on_use

# Not repl.start: that writes its prompt even on a pipe, as Node v0.1 did;
# the standalone REPL stays quiet on a pipe, for scripting.
REPL_PROGRAM = 'require("repl")._startStandalone();'


def _parser(prog: str):
    import argparse

    p = argparse.ArgumentParser(
        prog=prog,
        description="Run a Node.js v0.1 program on Twisted (V8 through STPyV8).",
    )
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("script", nargs="?", help="the program to run; none starts the REPL")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments, as process.ARGV[2:]")
    return p


def _version() -> str:
    from twisted_node import __version__

    return f"twisted-node {__version__}"


def _no_garbage_collection_while_importing() -> None:
    """Start-up is mostly importing Twisted and STPyV8: hundreds of modules
    whose allocations set off the cyclic collector again and again, for
    nothing to collect (about 15 ms of a 200 ms start)."""
    gc.disable()


def _collect_garbage_again() -> None:
    # What start-up made lives as long as the process: keep it out of every
    # later collection, then collect as usual while the program runs.
    gc.freeze()
    gc.enable()


def _executable() -> str:
    """process.ARGV[0]: the command as typed, like Node's "node"."""
    argv0 = sys.argv[0]
    return "twisted-node" if argv0.endswith("__main__.py") or not argv0 else argv0


def run(script: str | None, args: list[str], executable: str) -> int:
    """Run one program on the global reactor until it ends; its exit status."""
    import_on_use.defer()
    from twisted_node.protocols import twisted_internals

    twisted_internals.install_lean_reactor()
    from twisted.internet import reactor

    from twisted_node.protocols import stdio
    from twisted_node.jsbridge.runtime import Runtime

    runtime = Runtime(script, args, reactor=reactor, executable=executable)
    status: list[int] = []

    def finished(code):
        status.append(code)
        if reactor.running:
            reactor.stop()

    def begin():
        # Node's defaults, not Twisted's: SIGINT and SIGTERM kill the program
        # (unless it listens for them), they do not stop the reactor politely.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if script is None:
            runtime.run_source(REPL_PROGRAM, "repl")
        else:
            runtime.start()

    runtime.whenFinished().addCallback(finished)
    reactor.callWhenRunning(begin)
    _collect_garbage_again()
    reactor.run()
    stdio.flush_stdout()
    return status[0] if status else 1


def _script_and_args(argv: list[str]) -> tuple[str | None, list[str]]:
    # The common case, `twisted-node app.js args...`, needs no option parser
    # (importing argparse is a noticeable part of a 180 ms start).
    if argv and not argv[0].startswith("-"):
        return argv[0], argv[1:]
    options = _parser("twisted-node").parse_args(argv)
    return options.script, options.args


def main(argv: list[str] | None = None) -> None:
    _no_garbage_collection_while_importing()
    script, args = _script_and_args(sys.argv[1:] if argv is None else argv)
    if script is not None and not os.path.isfile(script):
        sys.stderr.write(f"twisted-node: cannot open script {script!r}: no such file\n")
        sys.exit(1)
    code = run(script, args, _executable())
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: V8's own teardown at interpreter exit is slow and can crash
    # when contexts are still alive; everything of ours is flushed by now.
    os._exit(code)


def repl_main(argv: list[str] | None = None) -> None:
    import argparse

    _no_garbage_collection_while_importing()
    p = argparse.ArgumentParser(prog="twisted-node-repl", description="The Node.js v0.1 REPL on Twisted.")
    p.add_argument("--version", action="version", version=_version())
    p.parse_args(argv)
    code = run(None, [], "twisted-node-repl")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
