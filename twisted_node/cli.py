"""twisted-node and twisted-node-repl: argument parsing, then a Runtime."""

from __future__ import annotations

import gc
import os
import signal
import sys

from twisted_node import import_on_use, options, worker

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
    p.add_argument(
        "--workers",
        type=_option(options.workers),
        help='run the program in N worker processes sharing its ports ("auto": one per core)',
    )
    p.add_argument(
        "--shutdown-timeout",
        type=_option(options.shutdown_timeout),
        default=options.DEFAULT_SHUTDOWN_TIMEOUT,
        help="seconds a graceful stop (workers) lets connections in flight finish (default 30)",
    )
    p.add_argument("script", nargs="?", help="the program to run; none starts the REPL")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments, as process.ARGV[2:]")
    return p


def _option(read):
    import argparse

    def parse(text):
        try:
            return read(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


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


def run(
    script: str | None,
    args: list[str],
    executable: str,
    worker_id: int | None = None,
    shutdown_timeout: float = options.DEFAULT_SHUTDOWN_TIMEOUT,
) -> int:
    """Run one program on the global reactor until it ends; its exit status.
    `worker_id`: this process is a worker of `--workers` (worker.py)."""
    import_on_use.defer()
    from twisted_node.protocols import twisted_internals

    twisted_internals.install_lean_reactor()
    from twisted.internet import reactor

    from twisted_node.protocols import stdio
    from twisted_node.jsbridge.runtime import Runtime

    runtime = Runtime(script, args, reactor=reactor, executable=executable, worker_id=worker_id)
    status: list[int] = []

    def finished(code):
        status.append(code)
        if reactor.running:
            reactor.stop()

    def begin():
        # Node's defaults, not Twisted's: SIGINT and SIGTERM kill the program
        # (unless it listens for them), they do not stop the reactor politely.
        # A worker stops gracefully instead.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if worker_id is not None:
            worker.stop_gracefully_on_signals(runtime, shutdown_timeout)
        if script is None:
            runtime.run_source(REPL_PROGRAM, "repl")
        else:
            runtime.start()
        worker.ready(runtime)

    runtime.whenFinished().addCallback(finished)
    reactor.callWhenRunning(begin)
    _collect_garbage_again()
    reactor.run()
    stdio.flush_stdout()
    return status[0] if status else 1


def _parse(argv: list[str]):
    # The common case, `twisted-node app.js args...`, needs no option parser
    # (importing argparse is a noticeable part of a 180 ms start).
    if argv and not argv[0].startswith("-"):
        return _Options(argv[0], argv[1:])
    return _parser("twisted-node").parse_args(argv)


class _Options:
    workers = None
    shutdown_timeout = options.DEFAULT_SHUTDOWN_TIMEOUT

    def __init__(self, script, args):
        self.script = script
        self.args = args


def main(argv: list[str] | None = None) -> None:
    _no_garbage_collection_while_importing()
    parsed = _parse(sys.argv[1:] if argv is None else argv)
    script, args = parsed.script, parsed.args
    if script is not None and not os.path.isfile(script):
        sys.stderr.write(f"twisted-node: cannot open script {script!r}: no such file\n")
        sys.exit(1)
    if parsed.workers is not None:
        if script is None:
            sys.stderr.write("twisted-node: --workers needs a script (the REPL runs alone)\n")
            sys.exit(2)
        from twisted_node import supervisor

        code = supervisor.run(script, args, parsed.workers, parsed.shutdown_timeout)
    else:
        worker_id = worker.take_worker_id()
        code = run(script, args, _executable(), worker_id, parsed.shutdown_timeout)
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
