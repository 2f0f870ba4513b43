"""A program's output inside a host application: twisted.logger events in
the namespace "twisted_node.<script>" (protocols/output.py); on the command
line, stdout and stderr as before."""

from __future__ import annotations

import os
import subprocess

from twisted.internet import defer
from twisted.logger import LogLevel
from twisted.trial import unittest

from tests import embedding
from tests.jsrun import child_env, run_js, twistd_node
from twisted_node.protocols.output import MAX_LINE, LogOutput

LOGGING_JS = os.path.join(embedding.EMBED, "logging.js")


class ServiceLogTests(unittest.TestCase):
    @defer.inlineCallbacks
    def test_output_and_uncaught_exception_become_log_events(self):
        events = embedding.captured_events(self, "twisted_node.logging.js")
        service = embedding.started_service(self, LOGGING_JS)
        status = yield embedding.with_timeout(service.whenFinished(), "the program's end")
        self.assertEqual(status, 1, "an uncaught exception ends the program with 1")
        seen = [(e["log_level"], e["stream"], e["text"]) for e in events]
        self.assertEqual(
            seen[:6],
            [
                (LogLevel.info, "stdout", "out line"),
                (LogLevel.info, "stdout", "piece joined"),
                (LogLevel.debug, "debug", "dbg"),
                (LogLevel.warn, "stderr", "err line"),
                (LogLevel.warn, "stderr", "sys error {not a format}"),
                (LogLevel.info, "stdout", "binary \u00e9"),
            ],
        )
        level, stream, text = seen[6]
        self.assertEqual((level, stream), (LogLevel.critical, "uncaught"))
        self.assertTrue(text.startswith("Error: uncaught boom\n"), text)
        self.assertIn("logging.js:12", text, "with the JS stack")
        self.assertEqual(len(seen), 7)


class TwistdLogFileTests(unittest.TestCase):
    def test_output_in_twistds_log_file(self):
        logfile = os.path.abspath(self.mktemp())
        cmd = twistd_node("--script", LOGGING_JS, logfile=logfile)
        done = subprocess.run(
            cmd, env=child_env(), capture_output=True, timeout=60, cwd=os.path.dirname(logfile)
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertNotIn(b"out line", done.stdout, "not on stdout: in the log")
        with open(logfile, encoding="utf-8") as f:
            log = f.read()
        for line in (
            "[twisted_node.logging.js#info] out line",
            "[twisted_node.logging.js#debug] dbg",
            "[twisted_node.logging.js#warn] err line",
            "[twisted_node.logging.js#critical] Error: uncaught boom",
        ):
            self.assertIn(line, log)
        self.assertIn("logging.js:12", log, "the JS stack")


class CommandLineTests(unittest.TestCase):
    def test_console_output_as_before(self):
        status, out, err = run_js(LOGGING_JS)
        self.assertEqual(status, 1)
        self.assertEqual(out, "out line\npiece joined\nDEBUG: dbg\nbinary \u00e9\n".encode())
        self.assertTrue(err.startswith(b"err line\nsys error {not a format}\nError: uncaught boom\n"), err)


class LogOutputTests(unittest.TestCase):
    """protocols/output.py alone, with an observer of its own."""

    def setUp(self):
        self.events = []
        self.output = LogOutput("twisted_node.x.js", observer=self.events.append)

    def texts(self):
        return [(e["log_level"].name, e["text"]) for e in self.events]

    def test_whole_lines_only(self):
        self.output.write("a")
        self.output.write("b\nc")
        self.assertEqual(self.texts(), [("info", "ab")])
        self.output.write("\nd\ne\n")
        self.assertEqual(self.texts(), [("info", "ab"), ("info", "c\nd\ne")], "one write, one event")
        self.assertEqual(self.events[0]["log_namespace"], "twisted_node.x.js")

    def test_unfinished_line_logged_at_the_end(self):
        self.output.write("no newline")
        self.output.error("nor here")
        self.assertEqual(self.texts(), [])
        self.output.flush()
        self.assertEqual(self.texts(), [("info", "no newline"), ("warn", "nor here")])

    def test_endless_line_is_bounded(self):
        for _ in range(3):
            self.output.write("x" * (MAX_LINE // 2 + 1))
        self.assertEqual([len(e["text"]) for e in self.events], [MAX_LINE + 2])
        self.output.flush()
        self.assertEqual(len(self.events), 2)

    def test_debug_and_uncaught_come_after_what_was_printed(self):
        self.output.write("before")
        self.output.debug("d")
        self.output.write("again")
        self.output.uncaught("Error: x\n    at y")
        self.assertEqual(
            self.texts(),
            [("info", "before"), ("debug", "d"), ("info", "again"), ("critical", "Error: x\n    at y")],
        )
