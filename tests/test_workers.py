"""`twisted-node --workers N` and `twistd node --workers N`: the supervisor
(supervisor.py), its workers (worker.py), ports shared among them, restarts,
graceful stop and reload. Real processes, real sockets on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import threading

from twisted.trial import unittest

from tests.jsrun import JS_DIR, run_js, twistd_node
from tests.load import Load, body, get
from tests.ports import free_port
from tests.polling import until
from tests.supervised import Supervised

WORKERS = os.path.join(JS_DIR, "workers")


class Workers(unittest.TestCase):
    def supervise(self, *options, script=None, env=None, command=None):
        port = free_port()
        script = script or os.path.join(WORKERS, "hello.js")
        sup = Supervised(
            self.mktemp(), *options, script=script, env={"PORT": str(port), **(env or {})}, command=command
        )
        self.addCleanup(sup.kill)
        return sup, port

    def test_two_workers_share_the_port(self):
        sup, port = self.supervise("--workers", "2")
        sup.workers_answering(port, 2)
        load = Load(port, threads=4, limit=240).start()
        until(lambda: load.total >= 240 and not any(t.is_alive() for t in load._threads), 60, "240 requests")
        load.stop()
        self.assertEqual(load.failures, 0, load.errors)
        self.assertEqual(sum(load.answers.values()), 240)
        ids = {text.split()[1] for text in load.answers}
        self.assertEqual(ids, {"1", "2"})  # the kernel spread them over both
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_killed_worker_is_replaced_under_load(self):
        sup, port = self.supervise("--workers", "2")
        pids = sup.workers_answering(port, 2)
        load = Load(port, threads=4).start()
        try:
            os.kill(int(pids["1"]), signal.SIGKILL)
            sup.wait_for(f"worker 1 (pid {pids['1']}) was killed by SIGKILL")
            fresh = until(lambda: _new_pid(sup, port, "1", pids["1"]), 60, "a new worker 1")
            before = load.total
            until(lambda: load.total >= before + 100, 60, "100 more requests")
        finally:
            load.stop()
        self.assertNotEqual(fresh, pids["1"])
        answered_by = {text.split()[3] for text in load.answers}
        self.assertIn(fresh, answered_by)  # the new worker took its share
        self.assertIn(pids["2"], answered_by)
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_sigterm_lets_a_slow_request_finish(self):
        sup, port = self.supervise("--workers", "2", "--shutdown-timeout", "20")
        sup.workers_answering(port, 2)
        answer: list = []
        client = threading.Thread(target=lambda: answer.append(get(port, "/slow?ms=1500", timeout=30)))
        client.start()
        sup.wait_for("slow request in worker")
        sup.signal(signal.SIGTERM)
        client.join(30)
        self.assertTrue(answer, "no answer to the slow request")
        self.assertTrue(body(answer[0]).startswith("worker "))
        self.assertEqual(sup.wait(), 0, sup.stderr)
        self.assertEqual(sup.stderr.count("exit event in worker"), 2, sup.stderr)  # "exit" emitted in both

    def test_sigint_stops_gracefully_too(self):
        sup, port = self.supervise("--workers", "2")
        sup.workers_answering(port, 2)
        sup.signal(signal.SIGINT)
        self.assertEqual(sup.wait(), 0, sup.stderr)
        self.assertEqual(sup.stderr.count("exit event in worker"), 2, sup.stderr)

    def test_a_program_listening_for_sigterm_decides(self):
        script = os.path.join(WORKERS, "own_sigterm.js")
        sup, port = self.supervise("--workers", "2", script=script, env={"ON_SIGTERM": "exit"})
        sup.workers_answering(port, 2)
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)  # the supervisor was stopping: no restart
        self.assertEqual(sup.stderr.count("the program got SIGTERM"), 2, sup.stderr)
        self.assertNotIn("starting another", sup.stderr)

    def test_a_worker_ignoring_sigterm_is_killed_after_the_timeout(self):
        script = os.path.join(WORKERS, "own_sigterm.js")
        options = ("--workers", "1", "--shutdown-timeout", "0")
        sup, port = self.supervise(*options, script=script, env={"ON_SIGTERM": "ignore"})
        old = sup.workers_answering(port, 1)
        sup.signal(signal.SIGHUP)  # the reload kills the old worker after the timeout
        sup.wait_for("reload done")
        killed = f"worker 1 (pid {old['1']}) still running after the shutdown timeout: SIGKILL"
        self.assertIn(killed, sup.stderr)
        self.assertNotEqual(sup.workers_answering(port, 1), old)
        sup.signal(signal.SIGTERM)  # and so does the stop
        self.assertEqual(sup.wait(), 0, sup.stderr)
        self.assertEqual(sup.stderr.count("still running after the shutdown timeout: SIGKILL"), 2, sup.stderr)

    def test_without_workers_sigterm_ends_the_process_as_the_os_does(self):
        sup, port = self.supervise()  # plain twisted-node app.js: v0.1's signals
        until(lambda: _answers(port), 60, "the server")
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), -signal.SIGTERM, sup.stderr)
        self.assertNotIn("exit event", sup.stderr)

    def test_sighup_replaces_workers_without_a_failed_request(self):
        sup, port = self.supervise("--workers", "2")
        old = sup.workers_answering(port, 2)
        load = Load(port, threads=4).start()
        try:
            until(lambda: load.total >= 50, 60, "load")
            sup.signal(signal.SIGHUP)
            sup.wait_for("reload done")
            after = load.total
            until(lambda: load.total >= after + 100, 60, "100 requests after the reload")
        finally:
            load.stop()
        self.assertEqual(load.failures, 0, load.errors)
        now = sup.workers_answering(port, 2)
        self.assertEqual(set(now), {"1", "2"})
        self.assertFalse(set(now.values()) & set(old.values()), "the old workers still serve")
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_program_ending_normally_is_not_restarted(self):
        sup, _ = self.supervise("--workers", "2", script=os.path.join(WORKERS, "ends.js"))
        self.assertEqual(sup.wait(), 0, sup.stderr)
        self.assertEqual(sup.stderr.count("its program exited with status 0"), 2, sup.stderr)
        self.assertNotIn("starting another", sup.stderr)

    def test_dying_at_start_is_restarted_later_and_later(self):
        sup, _ = self.supervise("--workers", "1", script=os.path.join(WORKERS, "throws.js"))
        sup.wait_for("starting another in 1 s")  # 0.5 s, then 1 s, ...
        self.assertIn("worker 1 (pid", sup.stderr)
        self.assertIn("exited with status 1; starting another in 0.5 s", sup.stderr)
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_port_0_refused_in_workers(self):
        sup, _ = self.supervise("--workers", "1", script=os.path.join(WORKERS, "port0.js"))
        sup.wait_for("port 0 cannot be used with workers")
        sup.signal(signal.SIGTERM)
        self.assertEqual(sup.wait(), 0, sup.stderr)

    def test_twistd_workers(self):
        port = free_port()
        tmp = self.mktemp()
        os.makedirs(tmp)
        command = twistd_node("--script", os.path.join(WORKERS, "hello.js"), "--workers", "2")
        sup = Supervised(tmp, command=command, env={"PORT": str(port)})
        self.addCleanup(sup.kill)
        pids = sup.workers_answering(port, 2)
        os.kill(int(pids["2"]), signal.SIGKILL)  # the restart is logged in twistd's log
        until(lambda: "worker 2 (pid" in sup.stdout, 60, "the restart logged")
        sup.workers_answering(port, 2)
        sup.signal(signal.SIGTERM)
        # twistd ends itself with the signal it was stopped by (Twisted >= 21.2).
        self.assertIn(sup.wait(), (0, -signal.SIGTERM), sup.stderr + sup.stdout)
        self.assertEqual(sup.stderr.count("exit event in worker"), 2, sup.stderr)
        self.assertNotIn("still running after the shutdown timeout", sup.stderr + sup.stdout)

    def test_bad_options(self):
        for args, message in (
            (["--workers", "0"], b"--workers takes a number"),
            (["--workers", "many"], b"--workers takes a number"),
            (["--shutdown-timeout", "-1"], b"--shutdown-timeout takes a number"),
        ):
            code, _, err = _cli(*args)
            self.assertEqual(code, 2, err)
            self.assertIn(message, err)

    def test_worker_id_undefined_without_workers(self):
        code, out, err = run_js(os.path.join(WORKERS, "worker_id.js"))
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"undefined\n")


class Options(unittest.TestCase):
    def test_workers_and_shutdown_timeout(self):
        from twisted_node import options

        self.assertEqual(options.workers("auto"), options.cores())
        self.assertEqual(options.workers("3"), 3)
        self.assertEqual(options.shutdown_timeout("2.5"), 2.5)
        for bad in ("0", "-2", "x", ""):
            self.assertRaises(ValueError, options.workers, bad)
        for bad in ("-1", "nan", "inf", "soon"):
            self.assertRaises(ValueError, options.shutdown_timeout, bad)


def _new_pid(sup, port, worker_id, old_pid):
    try:
        words = body(get(port, timeout=5)).split()
    except (OSError, ValueError):
        return None
    return words[3] if words[1] == worker_id and words[3] != old_pid else None


def _answers(port) -> bool:
    try:
        return bool(body(get(port, timeout=5)))
    except (OSError, ValueError):
        return False


def _cli(*args):
    import subprocess
    import sys

    from tests.jsrun import child_env

    done = subprocess.run(
        [sys.executable, "-m", "twisted_node", *args, os.path.join(WORKERS, "ends.js")],
        env=child_env(),
        capture_output=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr
