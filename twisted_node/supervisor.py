"""The supervisor of `--workers N`: the program runs in N worker processes
(`python -m twisted_node`, worker.py), each listening on the same TCP ports
(SO_REUSEPORT: the kernel spreads connections among them), and this
process, which serves nothing, keeps them running.

- A worker that exits with a status other than 0, or is killed, is started
  again (its slot keeps its workerId). One that dies at start (before it
  reported ready, or within STARTUP_WINDOW seconds) waits before it is
  started again, twice as long each time (FIRST_DELAY .. MAX_DELAY).
- A worker whose program ends with status 0 is not started again; when
  every slot's has, the supervisor ends with 0.
- stopService() (SIGTERM or SIGINT to `twisted-node --workers`, twistd's
  stop): SIGTERM to every worker, which stops gracefully; those still
  running `shutdown_timeout + KILL_GRACE` seconds later get SIGKILL.
- reload() (SIGHUP): one slot at a time, a fresh worker is started, and
  once it reports ready (notify.py: READY=1 on a socket of ours) the old one
  gets SIGTERM; the next slot waits until the old worker has ended. The
  kernel gives new connections to the workers listening meanwhile, so none
  is refused (protocols/reuseport.py).

Sockets passed by systemd are passed on to every worker (descriptors 3...).
The supervisor reports READY=1, RELOADING=1 and STOPPING=1 to systemd
(Type=notify) when it has a NOTIFY_SOCKET.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile

from twisted.application.service import Service
from twisted.internet import defer
from twisted.internet.protocol import DatagramProtocol, ProcessProtocol

from twisted_node import notify, socket_activation, worker
from twisted_node.options import DEFAULT_SHUTDOWN_TIMEOUT

STARTUP_WINDOW = 5.0
FIRST_DELAY, MAX_DELAY = 0.5, 30.0
KILL_GRACE = 5.0
# A new worker of a reload that has not reported ready by then is stopped
# and the reload abandoned (the old workers keep serving).
READY_TIMEOUT = 60.0


def describe_end(why) -> str:
    """How a worker process ended, in words."""
    sig = getattr(why, "signal", None)
    if sig is not None:
        try:
            return f"was killed by {signal.Signals(sig).name}"
        except ValueError:
            return f"was killed by signal {sig}"
    return f"exited with status {getattr(why, 'exitCode', None) or 0}"


def ended_normally(why) -> bool:
    return getattr(why, "signal", None) is None and not getattr(why, "exitCode", 0)


class _Worker(ProcessProtocol):
    """One worker process. `ready` fires True once it reported READY=1,
    False if it ended first; `ended` fires with how it ended."""

    def __init__(self, slot: int, started_at: float, on_end):
        self.slot = slot
        self.started_at = started_at
        self.ready = defer.Deferred()
        self.ended = defer.Deferred()
        self._on_end = on_end

    pid: int | None = None  # once spawned (the transport forgets it when the process ends)

    was_ready = False

    def report_ready(self) -> None:
        if not self.ready.called:
            self.was_ready = True
            self.ready.callback(True)

    def signal(self, sig: str) -> None:
        try:
            self.transport.signalProcess(sig)
        except Exception:  # already gone: processEnded is on its way
            pass

    def processEnded(self, reason) -> None:
        if not self.ready.called:
            self.ready.callback(False)
        self.ended.callback(reason.value)
        self._on_end(self, reason.value)


class _Notifications(DatagramProtocol):
    noisy = False  # twistd's log needs no line for our private socket

    def __init__(self, supervisor):
        self._supervisor = supervisor

    def datagramReceived(self, datagram, address):
        fields = notify.parse(datagram)
        if fields.get("READY") == "1":
            self._supervisor.worker_ready(fields.get("MAINPID"))


def _stderr(message: str) -> None:
    sys.stderr.write(f"twisted-node: {message}\n")
    sys.stderr.flush()


class Supervisor(Service):
    def __init__(
        self,
        script: str,
        args=(),
        count: int = 1,
        shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
        reactor=None,
        log=_stderr,
    ):
        if reactor is None:
            from twisted.internet import reactor
        self.reactor = reactor
        self.script = os.path.abspath(script)
        self.args = list(args)
        self.count = count
        self.shutdown_timeout = shutdown_timeout
        self.log = log
        self.current: dict[int, _Worker] = {}  # slot -> the worker serving it
        self._live: set[_Worker] = set()  # every process not yet ended (reloads overlap)
        self._done: set[int] = set()  # slots whose program ended with status 0
        self._delays: dict[int, float] = {}
        self._restarts: dict[int, object] = {}  # slot -> DelayedCall
        self._stopping = False
        self._reloading = False
        self._reload_again = False
        self._kill_timer = None
        self._finished: list[defer.Deferred] = []
        self.exit_code: int | None = None
        self._tmp = None
        self._notifications = None
        self._previous_sighup = None

    # -- life ----------------------------------------------------------------

    def startService(self) -> None:
        super().startService()
        self._passed = socket_activation.capture()
        self._parent_notify = notify.take()  # systemd's, if any: ours is the workers'
        self._tmp = tempfile.mkdtemp(prefix="twisted-node-")
        self._notify_path = os.path.join(self._tmp, "notify")
        self._notifications = self.reactor.listenUNIXDatagram(self._notify_path, _Notifications(self))
        self._env = socket_activation.child_environment(os.environ, self._passed)
        self._devnull = os.open(os.devnull, os.O_RDONLY)
        initial = [self._start(slot) for slot in range(1, self.count + 1)]
        defer.DeferredList([w.ready for w in initial]).addCallback(lambda _: self._tell_parent("READY=1"))
        if self._is_main_thread():
            self._previous_sighup = signal.signal(signal.SIGHUP, self._on_sighup)

    def stopService(self):
        """Stop every worker gracefully; fires once all have ended."""
        super().stopService()
        d = self.whenFinished()
        if self.exit_code is None and not self._stopping:
            self._stopping = True
            self._tell_parent("STOPPING=1")
            for call in self._restarts.values():
                if call.active():
                    call.cancel()
            self._restarts.clear()
            for w in list(self._live):
                w.signal("TERM")
            self._kill_timer = self.reactor.callLater(self.shutdown_timeout + KILL_GRACE, self._kill_the_rest)
            self._maybe_finished()
        return d

    def whenFinished(self) -> defer.Deferred:
        """Fires with the exit status once every worker has ended (stopped,
        or its program ended with 0)."""
        d = defer.Deferred()
        if self.exit_code is not None:
            d.callback(self.exit_code)
        else:
            self._finished.append(d)
        return d

    def _kill_the_rest(self) -> None:
        for w in list(self._live):
            self._kill(w)

    def _kill(self, w: _Worker) -> None:
        self.log(f"worker {w.slot} (pid {w.pid}) still running after the shutdown timeout: SIGKILL")
        w.signal("KILL")

    def _maybe_finished(self) -> None:
        if self.exit_code is not None or self._live or self._restarts:
            return
        if not self._stopping and len(self._done) < self.count:
            return
        self.exit_code = 0
        if self._kill_timer is not None and self._kill_timer.active():
            self._kill_timer.cancel()
        if self._previous_sighup is not None:
            signal.signal(signal.SIGHUP, self._previous_sighup)
        self._notifications.stopListening()
        shutil.rmtree(self._tmp, ignore_errors=True)
        os.close(self._devnull)
        if self.running:
            Service.stopService(self)
        waiting, self._finished = self._finished, []
        for d in waiting:
            d.callback(0)

    # -- workers ---------------------------------------------------------------

    def _start(self, slot: int, serving: bool = True) -> _Worker:
        """A new worker process for `slot`; `serving`: it is the slot's
        worker at once (not a reload's, which takes over once ready)."""
        w = _Worker(slot, self.reactor.seconds(), self._worker_ended)
        env = worker.environment(self._env, slot, os.getpid(), self._notify_path)
        argv = [sys.executable, "-m", "twisted_node", "--shutdown-timeout", repr(self.shutdown_timeout)]
        fds = {0: self._devnull, 1: 1, 2: 2}
        for i, fd in enumerate(self._passed.descriptors):
            fds[socket_activation.FIRST + i] = fd
        process = self.reactor.spawnProcess(
            w, sys.executable, [*argv, self.script, *self.args], env=env, childFDs=fds
        )
        w.pid = process.pid
        self._live.add(w)
        if serving:
            self.current[slot] = w
        return w

    def worker_ready(self, pid) -> None:
        for w in self._live:
            if str(w.pid) == pid:
                w.report_ready()

    def _worker_ended(self, w: _Worker, why) -> None:
        self._live.discard(w)
        if self.current.get(w.slot) is not w or self._stopping:
            self._maybe_finished()  # a worker a reload retired, or the stop
            return
        del self.current[w.slot]
        if ended_normally(why):
            self.log(f"worker {w.slot} (pid {w.pid}) ended: its program exited with status 0")
            self._done.add(w.slot)
            self._maybe_finished()
            return
        at_start = not w.was_ready or self.reactor.seconds() - w.started_at < STARTUP_WINDOW
        if at_start:
            delay = min(max(self._delays.get(w.slot, 0.0) * 2, FIRST_DELAY), MAX_DELAY)
        else:
            delay = 0.0
        self._delays[w.slot] = delay
        self.log(f"worker {w.slot} (pid {w.pid}) {describe_end(why)}; starting another in {delay:g} s")
        self._restarts[w.slot] = self.reactor.callLater(delay, self._restart, w.slot)

    def _restart(self, slot: int) -> None:
        self._restarts.pop(slot, None)
        if not self._stopping:
            self._start(slot)

    # -- reload ----------------------------------------------------------------

    def _on_sighup(self, signum, frame) -> None:
        self.reactor.callFromThread(self.reload)

    def reload(self) -> defer.Deferred:
        """Replace the workers one at a time with fresh ones (SIGHUP)."""
        if self._stopping:
            return defer.succeed(None)
        if self._reloading:
            self._reload_again = True
            return defer.succeed(None)
        return self._reload()

    @defer.inlineCallbacks
    def _reload(self):
        self._reloading = True
        self._tell_parent("RELOADING=1")
        self.log(f"reloading {self.script}: replacing the workers one at a time")
        try:
            for slot in sorted(self.current):
                if self._stopping:
                    return
                fresh = self._start(slot, serving=False)
                timer = self.reactor.callLater(READY_TIMEOUT, fresh.signal, "KILL")
                ready = yield fresh.ready
                if timer.active():
                    timer.cancel()
                if self._stopping:
                    return
                if not ready:
                    self.log(f"reload stopped: the new worker {slot} ended before it was ready")
                    return
                previous = self._take_over(slot, fresh)
                if previous is not None:
                    yield self._retire(previous)
            self.log("reload done")
        finally:
            self._reloading = False
            self._tell_parent("READY=1")
            if self._reload_again and not self._stopping:
                self._reload_again = False
                self.reactor.callLater(0, self.reload)

    def _retire(self, old: _Worker) -> defer.Deferred:
        """Stop `old` gracefully, and kill it if it outlives its shutdown
        timeout (a program of its own mind may ignore SIGTERM)."""
        old.signal("TERM")
        killer = self.reactor.callLater(self.shutdown_timeout + KILL_GRACE, self._kill, old)
        return old.ended.addBoth(lambda why: killer.active() and killer.cancel() or why)

    def _take_over(self, slot: int, fresh: _Worker) -> _Worker | None:
        """`fresh` serves `slot` from now on; the worker it replaces (the old
        one, or one restarted after the old one died meanwhile), to retire."""
        call = self._restarts.pop(slot, None)
        if call is not None and call.active():
            call.cancel()
        previous = self.current.get(slot)
        self.current[slot] = fresh
        return previous

    # -- service manager ---------------------------------------------------------

    def _tell_parent(self, state: str) -> None:
        path = self._parent_notify
        if path:
            notify.send_to(path, state)

    @staticmethod
    def _is_main_thread() -> bool:
        import threading

        return threading.current_thread() is threading.main_thread()


def run(script: str, args, count: int, shutdown_timeout: float) -> int:
    """`twisted-node --workers N`: supervise until the workers have ended;
    the exit status. SIGTERM and SIGINT stop gracefully, SIGHUP reloads."""
    from twisted.internet import reactor

    supervisor = Supervisor(script, args, count, shutdown_timeout, reactor=reactor)
    status: list[int] = []

    def finished(code):
        status.append(code)
        if reactor.running:
            reactor.stop()

    def stop(signum, frame):
        reactor.callFromThread(supervisor.stopService)

    def begin():
        # After Twisted's own handlers (which would stop the reactor at once).
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        supervisor.startService()

    supervisor.whenFinished().addCallback(finished)
    reactor.callWhenRunning(begin)
    reactor.run()
    return status[0] if status else 1
