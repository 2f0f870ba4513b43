"""The stdio REPL driven as a user would: through a pipe (twisted-node-repl
prints no prompts there, for scripting; a program's repl.start does, as in
Node v0.1), through a pseudo-terminal (prompts, continuation, Control+D), and
repl.start beside a running server (the manual's example)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import termios
import time

from twisted.trial import unittest

from tests.ports import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REPL_COMMAND = [
    sys.executable,
    "-c",
    "from twisted_node.cli import repl_main; repl_main()",
]
NODE_COMMAND = [sys.executable, "-m", "twisted_node"]


def run_repl(command, text: str) -> tuple[int, str, str]:
    out = subprocess.run(
        command,
        input=text.encode(),
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    return out.returncode, out.stdout.decode(), out.stderr.decode()


SESSION = """\
1 + 1
_ * 2
var x = 40
x + 2
function f(a) {
  return a * 2;
}
f(21)
_
nosuch
throw new TypeError("bad thing")
"after the error"
(1 +
 2)
({a: 1, b: [1, "two"]})
undefined
null
[1, 2
.break
"caf\u00e9 \u2603"
"no newline at the end\""""

SESSION_OUTPUT = """\
2
4
42
42
42
ReferenceError: nosuch is not defined
TypeError: bad thing
"after the error"
3
{
 "a": 1,
 "b": [
  1,
  "two"
 ]
}
null
"caf\u00e9 \u2603"
"no newline at the end"
"""


class PipeTests(unittest.TestCase):
    def test_twisted_node_repl(self):
        code, out, err = run_repl(REPL_COMMAND, SESSION)
        self.assertEqual((code, out, err), (0, SESSION_OUTPUT, ""))

    def test_twisted_node_without_a_script(self):
        code, out, err = run_repl(NODE_COMMAND, SESSION)
        self.assertEqual((code, out, err), (0, SESSION_OUTPUT, ""))

    def test_exit_and_unfinished_input(self):
        self.assertEqual(run_repl(REPL_COMMAND, "1\nprocess.exit(3)\n2\n"), (3, "1\n", ""))
        self.assertEqual(run_repl(REPL_COMMAND, ".exit\n1\n"), (0, "", ""))
        code, out, _ = run_repl(REPL_COMMAND, "function g() {\n")
        self.assertEqual((code, out), (0, "SyntaxError: Unexpected end of input\n"))

    def test_repl_start_writes_its_prompt(self):
        """A program's repl.start(prompt) writes the prompt on a pipe too,
        before each input and "... " inside an unfinished one."""
        script = os.path.join(HERE, "js", "repl", "prompt.js")
        code, out, err = run_repl([*NODE_COMMAND, script, "my> "], "1 + 1\n(1 +\n2)\n")
        self.assertEqual((code, out, err), (0, "my> 2\nmy> ... 3\nmy> ", ""))
        code, out, err = run_repl([*NODE_COMMAND, script], "[]\n")
        self.assertEqual((code, out, err), (0, "node> []\nnode> ", ""))


class Terminal:
    """A REPL on a pseudo-terminal; reads are bounded by a deadline."""

    def __init__(self, command, env=None):
        self.master, slave = pty.openpty()
        # 24 rows of 80 columns, as a terminal window has (rlwrap needs a size)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: str, limit: float = 30.0, plain=lambda raw: raw) -> str:
        """Everything the terminal shows up to and including `text`, in
        what `plain` makes of the bytes shown."""
        token = text.encode()
        deadline = time.monotonic() + limit
        while token not in plain(self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared; the terminal shows {self.seen!r}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # the REPL has ended and closed the terminal
                    data = b""
                if not data:
                    raise AssertionError(f"{text!r} never appeared; the terminal shows {self.seen!r}")
                self.seen += data
        shown, _, self.seen = plain(self.seen).partition(token)
        return (shown + token).decode()

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        os.close(self.master)


class TerminalTests(unittest.TestCase):
    def test_prompts_continuation_and_control_d(self):
        term = Terminal(REPL_COMMAND)
        self.addCleanup(term.close)
        term.expect("node> ")
        # the terminal echoes what is typed, then the REPL answers
        term.type("1 + 1\n")
        self.assertEqual(term.expect("node> "), "1 + 1\r\n2\r\nnode> ")
        term.type("var who = 'world'\n")
        self.assertEqual(term.expect("node> "), "var who = 'world'\r\nnode> ")
        term.type("function hello() {\n")
        self.assertEqual(term.expect("... "), "function hello() {\r\n... ")
        term.type("  return 'hello ' + who;\n")
        term.expect("... ")
        term.type("}\n")
        self.assertEqual(term.expect("node> "), "}\r\nnode> ")
        term.type("hello()\n")
        self.assertEqual(term.expect("node> "), 'hello()\r\n"hello world"\r\nnode> ')
        term.type("_.length\n")
        self.assertEqual(term.expect("node> "), "_.length\r\n11\r\nnode> ")
        term.type("nosuch\n")
        self.assertEqual(
            term.expect("node> "),
            "nosuch\r\nReferenceError: nosuch is not defined\r\nnode> ",
        )
        term.type("\x04")  # Control+D: end of input
        self.assertEqual(term.process.wait(30), 0)


# What rlwrap adds around the lines it shows: cursor moves and erasures,
# bracketed-paste switches, backspaces and carriage returns.
_TERMINAL_CONTROL = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|[\x08\r]")


def without_terminal_control(raw: bytes) -> bytes:
    return _TERMINAL_CONTROL.sub(b"", raw)


class RlwrapTests(unittest.TestCase):
    """The REPL under rlwrap, which gives it line editing and history: rlwrap
    owns the terminal and hands the REPL whole lines on a pseudo-terminal of
    its own, and shows the REPL's prompts as its own."""

    def setUp(self):
        if shutil.which("rlwrap") is None:
            raise unittest.SkipTest("rlwrap is not installed (.ci/run installs it)")

    def test_session(self):
        term = Terminal(["rlwrap", *REPL_COMMAND], env={**os.environ, "TERM": "xterm"})
        self.addCleanup(term.close)

        def answer(typed: str, then: str = "node> ") -> str:
            term.type(typed + "\r")
            shown = term.expect("\n" + then, plain=without_terminal_control)
            # rlwrap shows the typed line again; what follows it is the REPL's.
            return shown.rpartition(typed + "\n")[2][: -len(then) - 1]

        term.expect("node> ", plain=without_terminal_control)
        self.assertEqual(answer("1 + 2"), "3")
        self.assertEqual(answer("var x = {a: [1, 2]}"), "")
        self.assertEqual(answer("x.a"), "[\n 1,\n 2\n]")
        self.assertEqual(answer("function f(y) {", then="... "), "")
        self.assertEqual(answer("  return y * 2;", then="... "), "")
        self.assertEqual(answer("}"), "")
        self.assertEqual(answer("f(21)"), "42")
        self.assertEqual(answer("_ + 1"), "43")
        self.assertEqual(answer("throw new TypeError('bad')"), "TypeError: bad")
        self.assertEqual(answer("x"), '{\n "a": [\n  1,\n  2\n ]\n}')
        term.type("\x04")  # Control+D: rlwrap ends the REPL's input
        self.assertEqual(term.process.wait(30), 0)


def connect_once(port: int) -> None:
    """One connection to the example server, which closes it at once."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        assert c.recv(100) == b""


def wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            connect_once(port)
            return
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # bounded: not listening yet


def repl_server(port: int, **streams) -> subprocess.Popen:
    script = os.path.join(ROOT, "examples", "repl_server.js")
    return subprocess.Popen([*NODE_COMMAND, script, str(port)], cwd=ROOT, **streams)


class ReplBesideServerTests(unittest.TestCase):
    timeout = 60

    def test_manual_example(self):
        """examples/repl_server.js through a pipe: the REPL sees the server's
        global counter and repl.scope's module variable, and writes its prompt
        before each answer; the end of the piped input ends the REPL, not the
        server."""
        port = free_port()
        pipe = subprocess.PIPE
        program = repl_server(port, stdin=pipe, stdout=pipe, stderr=pipe)
        self.addCleanup(program.stderr.close)
        self.addCleanup(program.stdout.close)
        self.addCleanup(program.wait, 10)
        self.addCleanup(program.kill)
        wait_until_listening(port)
        connect_once(port)
        connect_once(port)
        program.stdin.write(b'nconnections\ncount\ncount = 6\nrequire("repl").scope.count\n')
        program.stdin.close()
        answers = b"".join(program.stdout.readline() for _ in range(4))
        prompt = "simple tcp server> "
        self.assertEqual(answers.decode(), f"{prompt}3\n{prompt}5\n{prompt}6\n{prompt}6\n")
        # The prompt after the last answer (read before the program is
        # stopped: on a busy machine it may come a turn later).
        self.assertEqual(program.stdout.read(len(prompt)).decode(), prompt)
        connect_once(port)
        program.terminate()
        program.wait(30)
        self.assertEqual(program.stdout.read().decode(), "")
        self.assertEqual(program.stderr.read().decode(), "Connection!\n" * 4)

    def test_control_d_on_a_terminal_exits(self):
        port = free_port()
        term = Terminal([*NODE_COMMAND, os.path.join(ROOT, "examples", "repl_server.js"), str(port)])
        self.addCleanup(term.close)
        term.expect("simple tcp server> ")
        wait_until_listening(port)
        term.expect("Connection!")
        term.type("nconnections\n")
        self.assertEqual(
            term.expect("simple tcp server> "),
            "\r\nnconnections\r\n1\r\nsimple tcp server> ",
        )
        term.type("\x04")
        self.assertEqual(term.process.wait(30), 0)
