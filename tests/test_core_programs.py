"""Whole programs of the runtime core run as a user runs them (a child
`python -m twisted_node prog.js args...`), for what only the outside can see:
exit statuses, stderr, ARGV and pid, signals, output ordering.

The fixtures are in tests/js/core/; the self-checking programs
tests/js/test_core_*.js run through tests/test_js_programs.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess

from twisted.trial import unittest

from tests.jsrun import JS_DIR, PROJECT, child_env, run_js, runtime_command

CORE = os.path.join(JS_DIR, "core")
README = os.path.join(PROJECT, "README.md")


def fixture(name: str) -> str:
    return os.path.join(CORE, name)


class ProgramTestCase(unittest.TestCase):
    def run_program(self, name, *args, **kw):
        code, out, err = run_js(fixture(name), *args, **kw)
        return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def assertStatus(self, result, status):
        code, out, err = result
        self.assertEqual(code, status, f"stdout:\n{out}\nstderr:\n{err}")


class ProcessInfo(ProgramTestCase):
    def test_argv_pid_env_cwd(self):
        """ARGV[0] is the runtime, ARGV[1] the script's absolute path, then
        the arguments as given; pid is the child's; ENV is the environment."""
        script = fixture("argv.js")
        args = ["plain", "with space", "", "--flag=1", "ünïcödé"]
        proc = subprocess.Popen(
            runtime_command(script, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env({"TN_CORE_MARK": "marked value"}),
            cwd=JS_DIR,
        )
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err.decode(errors="replace"))
        seen = json.loads(out.decode("utf-8"))
        self.assertEqual(seen["argv"][0], "twisted-node")
        self.assertEqual(seen["argv"][1], script)
        self.assertEqual(seen["argv"][2:], args)
        self.assertEqual(seen["pid"], proc.pid)
        self.assertEqual(seen["mark"], "marked value")
        self.assertEqual(seen["cwd"], JS_DIR)
        self.assertEqual(seen["filename"], script)

    def test_relative_script_path(self):
        """A script named relative to the cwd still gets an absolute ARGV[1]."""
        proc = subprocess.run(
            runtime_command("argv.js", "x"), capture_output=True, env=child_env(), cwd=CORE, timeout=60
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        seen = json.loads(proc.stdout)
        self.assertEqual(seen["argv"][1:], [fixture("argv.js"), "x"])


class Exit(ProgramTestCase):
    def test_exit_from_main(self):
        code, out, err = self.run_program("exit_main.js")
        self.assertStatus((code, out, err), 3)
        self.assertEqual(out, "before\nexit 3\n")

    def test_exit_from_callback(self):
        code, out, err = self.run_program("exit_callback.js")
        self.assertStatus((code, out, err), 4)
        self.assertEqual(out, "tick\ncallback\nexit 4\n")

    def test_exit_from_exit_listener(self):
        """The loop ran dry (exit code 0); the listener's process.exit(5)
        sets the status without emitting "exit" again."""
        code, out, err = self.run_program("exit_in_exit.js")
        self.assertStatus((code, out, err), 5)
        self.assertEqual(out, "timer\nexit 0 #1\n")

    def test_exit_during_wait(self):
        code, out, err = self.run_program("exit_in_wait.js")
        self.assertStatus((code, out, err), 3)
        self.assertEqual(out, "exit 3\n")
        self.assertEqual(err, "")

    def test_assertion_failing_in_exit_listener(self):
        """What every self-checking program relies on."""
        code, out, err = self.run_program("exit_assert.js")
        self.assertStatus((code, out, err), 1)
        self.assertIn("AssertionError: checked at exit", err)
        self.assertIn(f"{fixture('exit_assert.js')}:4:", err)

    def test_exit_twice(self):
        code, out, err = self.run_program("exit_twice.js")
        self.assertStatus((code, out, err), 9)
        self.assertEqual(out, "exit 7 #1\n")
        self.assertEqual(err, "")


class Failures(ProgramTestCase):
    def test_uncaught_in_callback(self):
        """Status 1, the stack with path:line:column on stderr, "exit" emitted
        with 1, and a pending 60 s timer does not hold the program."""
        code, out, err = self.run_program("uncaught.js")
        self.assertStatus((code, out, err), 1)
        self.assertEqual(out, "exit 1\n")
        self.assertIn("Error: deliberate failure", err)
        self.assertIn(f"at thrower ({fixture('uncaught.js')}:7:9)", err)
        self.assertIn(f"{fixture('uncaught.js')}:9:", err)

    def test_uncaught_non_error_from_main(self):
        code, out, err = self.run_program("uncaught_main.js")
        self.assertStatus((code, out, err), 1)
        self.assertEqual(out, "start\nexit 1\n")
        self.assertIn('"a plain string"', err)

    def test_rejected_wait(self):
        """wait() on a failed promise throws its Error; uncaught, status 1."""
        code, out, err = self.run_program("rejected_wait.js")
        self.assertStatus((code, out, err), 1)
        self.assertEqual(out, "exit 1\n")
        self.assertIn("Error: rejected reason", err)
        self.assertIn(f"{fixture('rejected_wait.js')}:6:", err)  # the wait() call
        self.assertNotIn("not reached", out)

    def test_unhandled_promise_error(self):
        """Dropped as Node v0.1.22 dropped it (status 0, the program goes
        on), but named on one line of stderr each, so it is not silent."""
        code, out, err = self.run_program("unhandled_error.js")
        self.assertStatus((code, out, err), 0)
        self.assertEqual(out, "still running\nexit 0\n")
        self.assertEqual(
            err.splitlines(),
            [
                "twisted-node: unhandled promise error: Error: nobody listened",
                'twisted-node: unhandled promise error: 404, "not\\nfound"',
                "twisted-node: unhandled promise error: Error: timeout",
            ],
        )

    def test_missing_module(self):
        code, out, err = self.run_program("missing_module.js")
        self.assertStatus((code, out, err), 1)
        self.assertIn("Cannot find module './does_not_exist_anywhere'", err)
        self.assertIn(fixture("does_not_exist_anywhere.js"), err)
        self.assertIn(f"{fixture('missing_module.js')}:2:", err)

    def test_syntax_error_in_module(self):
        code, out, err = self.run_program("syntax_module.js")
        self.assertStatus((code, out, err), 1)
        self.assertIn("SyntaxError", err)
        self.assertIn(fixture(os.path.join("mods", "bad_syntax.js")) + ":3:", err)

    def test_syntax_error_in_main(self):
        code, out, err = self.run_program("syntax_main.js")
        self.assertStatus((code, out, err), 1)
        self.assertIn("SyntaxError", err)
        self.assertIn(fixture("syntax_main.js") + ":3:", err)

    def test_missing_script(self):
        code, out, err = run_js(fixture("there_is_no_such_script.js"), cwd=CORE)
        self.assertNotEqual(code, 0)
        self.assertIn(b"there_is_no_such_script.js", err)


class Output(ProgramTestCase):
    def test_sys_output(self):
        """puts/print/debug in call order on stdout, error on stderr; debug is
        synchronous: its line (and all before it) is out even though the
        process is SIGKILLed right after."""
        code, out, err = self.run_program("output.js")
        self.assertEqual(code, -signal.SIGKILL, err)
        self.assertEqual(out, "one\ntwo three\nglobal puts\nDEBUG: synchronous\n")
        self.assertEqual(err, "to stderr\n")


class Signals(ProgramTestCase):
    def test_listener_then_default_restored(self):
        code, out, err = self.run_program("signal_default.js")
        self.assertEqual(code, -signal.SIGUSR1, f"stdout:\n{out}\nstderr:\n{err}")
        self.assertEqual(out, "DEBUG: handled SIGUSR1 #1\nDEBUG: other listener\nDEBUG: handled SIGUSR1 #2\n")

    def kill_child(self, signame, expected):
        child = subprocess.Popen(["sleep", "60"])
        self.addCleanup(lambda: child.poll() is None and child.kill())
        result = self.run_program("kill_pid.js", str(child.pid), signame)
        self.assertStatus(result, 0)
        self.assertEqual(child.wait(timeout=30), -expected)

    def test_kill_default_sigterm(self):
        self.kill_child("", signal.SIGTERM)

    def test_kill_by_name(self):
        self.kill_child("SIGINT", signal.SIGINT)

    def test_kill_by_short_name(self):
        self.kill_child("USR2", signal.SIGUSR2)


class WaitNever(ProgramTestCase):
    def test_wait_in_callbacks_on_promise_that_cannot_fire(self):
        """Known bug (see the report on issue 2's core tests): the timer slot
        and a Deferred's promise keep their hold while their JS callback runs,
        so iterate_until sees a hold and spins instead of throwing."""
        code, out, err = self.run_program("wait_never_in_callback.js", timeout=8)
        self.assertStatus((code, out, err), 0)
        message = "threw: promise.wait() would block forever: nothing is left that could fire the promise"
        self.assertEqual(out, f"timer {message}\npromise {message}\n")


class V8Differences(ProgramTestCase):
    def test_readme_list_is_true(self):
        """Each difference between today's V8 and 2009's that the README lists
        (its section "Running programs written for Node v0.1") is checked by
        v8_differences.js, in the README's order, and behaves as described."""
        with open(README, encoding="utf-8") as f:
            section = f.read().split("\n## Running programs written for Node v0.1\n", 1)[1]
        listed = re.findall(r"^- \*\*(.+?)\*\*", section.split("\n## ", 1)[0], re.MULTILINE)
        code, out, err = self.run_program("v8_differences.js")
        self.assertStatus((code, out, err), 0)
        self.assertEqual(out.splitlines(), listed)
