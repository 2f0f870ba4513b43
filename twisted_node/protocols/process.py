"""Child processes (process.createChildProcess) and sys.exec, over
reactor.spawnProcess: pure Twisted, events as calls of plain callables.
bindings/child_process.py turns them into the JavaScript module's events.

Decisions where the manual is silent:
- The command is looked up on the PATH of the child's environment, like
  execvp, but in Python before spawning: a command that cannot be found is
  reported as a shell would ("<cmd>: command not found" on "error", exit
  127) instead of as a Python traceback from a forked child.
- "exit" comes after both output streams reported their end (null), which
  Twisted's processEnded already guarantees. A child killed by a signal
  exits with 128 + the signal number, as a shell reports it (SIGTERM -> 143,
  SIGKILL -> 137).
- Output is decoded with the encoding given at spawn, "utf8" unless told
  otherwise: Node v0.1.22's ChildProcess decoded stdout and stderr as UTF-8
  (sys.exec, built on it, too). Decoding is incremental, so a character split
  across two reads arrives whole. Input (child.write) defaults to "ascii",
  as the manual says.
"""

from __future__ import annotations

import os
import shutil
import signal

from twisted.internet import error
from twisted.internet.defer import Deferred
from twisted.internet.protocol import ProcessProtocol

from twisted_node import encodings
from twisted_node.errors import NodeError

# execvp's search path when the environment has no PATH at all.
_DEFAULT_PATH = os.defpath
_NOT_FOUND = 127
_NOT_EXECUTABLE = 126
_SHELL = "/bin/sh"


def exit_code(reason) -> int:
    """The status a shell would report for how the child ended."""
    value = reason.value
    code = getattr(value, "exitCode", None)
    if code is not None:
        return code
    sig = getattr(value, "signal", None)
    if sig is not None:
        return 128 + sig
    return 0


def find_executable(command: str, env: dict[str, str]) -> str | None:
    """execvp's lookup: a name with a slash is used as it is, any other is
    searched on the PATH the child will get."""
    return shutil.which(command, path=env.get("PATH", _DEFAULT_PATH))


class ChildProtocol(ProcessProtocol):
    """Turns one child's pipes into calls of plain callables:
    on_output(str | None), on_error(str | None), on_exit(int).

    The callables are dropped once the child has ended, so that nothing they
    hold on to outlives the child.
    """

    def __init__(self, on_output, on_error, on_exit, encoding: str = "utf8"):
        self._on_output = on_output
        self._on_error = on_error
        self._on_exit = on_exit
        self._decoders = {
            1: encodings.Decoder(encoding),
            2: encodings.Decoder(encoding),
        }
        self.ended = False
        self.stdin_closed = False
        self.pid = None

    def connectionMade(self):
        # Read now: a child that ends at once can be reaped inside
        # spawnProcess, after which the transport's pid is None.
        self.pid = self.transport.pid

    def _emit(self, fd: int, text: str | None) -> None:
        callback = self._on_output if fd == 1 else self._on_error
        if callback is not None:
            callback(text)

    def childDataReceived(self, childFD, data):
        decoder = self._decoders.get(childFD)
        if decoder is None:
            return
        text = decoder.decode(data)
        if text:
            self._emit(childFD, text)

    def childConnectionLost(self, childFD):
        if childFD == 0:
            self.stdin_closed = True
            return
        decoder = self._decoders.pop(childFD, None)
        if decoder is None:
            return
        rest = decoder.flush()
        if rest:
            self._emit(childFD, rest)
        self._emit(childFD, None)

    def processEnded(self, reason):
        self.ended = True
        self.stdin_closed = True
        on_exit = self._on_exit
        self._on_output = self._on_error = self._on_exit = None
        if on_exit is not None:
            on_exit(exit_code(reason))


class _NeverStarted:
    """Stands in for the transport of a child that could not be started, so
    that write/close/kill on it behave as on a child that already ended."""

    pid = None

    def write(self, data):
        pass

    def closeStdin(self):
        pass

    def loseConnection(self):
        pass

    def signalProcess(self, signum):
        raise error.ProcessExitedAlready()


class Child:
    """One child as its owner drives it (write, close stdin, kill), with the
    `hold` that keeps the owner's program alive (anything with release(), or
    None), let go by release() once the child has exited."""

    __slots__ = ("_closed_by_program", "_hold", "protocol", "transport")

    def __init__(self, protocol: ChildProtocol, transport, hold):
        self.protocol = protocol
        # spawn() gave None: the child could not be started
        self.transport = _NeverStarted() if transport is None else transport
        self._hold = hold
        self._closed_by_program = False

    @property
    def pid(self):
        return self.protocol.pid

    def write(self, data: bytes) -> bool:
        """Queued in order, never blocks. False once the child's stdin is gone."""
        if self._closed_by_program:
            raise NodeError("cannot write to a child process after child.close()")
        if self.protocol.stdin_closed:
            return False
        self.transport.write(data)
        return True

    def close_stdin(self) -> None:
        self._closed_by_program = True
        self.transport.closeStdin()

    def kill(self, signum: int) -> bool:
        """False when the child has already ended (nothing to signal)."""
        if self.protocol.ended:
            return False
        try:
            self.transport.signalProcess(signum)
        except error.ProcessExitedAlready:
            return False
        return True

    def release(self) -> None:
        if self._hold is not None:
            self._hold.release()
            self._hold = None

    def abandon(self) -> None:
        """The program ended while the child ran: it must not outlive it, and
        neither must our ends of its pipes (a grandchild may hold the others)."""
        self.kill(signal.SIGTERM)
        self.transport.loseConnection()


def spawn(
    reactor,
    command: str,
    args: list[str],
    env: dict[str, str] | None,
    protocol: ChildProtocol,
):
    """Start `command` with `args` (argv[1:]) in `env` (None: ours).

    Returns the transport, or None when the command could not be started, in
    which case the protocol is given a shell's message and status (127 not
    found, 126 not executable) on the next reactor turn, as events.
    """
    if env is None:
        env = dict(os.environ)
    executable = find_executable(command, env)
    if executable is None:
        # the shell's words: a bare name is searched, a path is checked
        if "/" not in command:
            problem, status = f"{command}: command not found\n", _NOT_FOUND
        elif os.path.exists(command):
            problem, status = f"{command}: permission denied\n", _NOT_EXECUTABLE
        else:
            problem, status = f"{command}: no such file or directory\n", _NOT_FOUND
    else:
        try:
            return reactor.spawnProcess(protocol, executable, [command, *args], env=env)
        except OSError as e:
            status = _NOT_FOUND if isinstance(e, FileNotFoundError) else _NOT_EXECUTABLE
            problem = f"{command}: {e.strerror or e}\n"
    reactor.callLater(0, _report_not_started, protocol, problem, status)
    return None


def _report_not_started(protocol: ChildProtocol, message: str, status: int) -> None:
    protocol.childDataReceived(2, message.encode("utf-8"))
    protocol.childConnectionLost(0)
    protocol.childConnectionLost(1)
    protocol.childConnectionLost(2)
    protocol.processEnded(_Failed(status))


class _Failed:
    """A failure reason carrying just an exit code, for `exit_code`."""

    def __init__(self, status: int):
        self.value = error.ProcessTerminated(exitCode=status)


# -- sys.exec -----------------------------------------------------------------


class ExecFailed(Exception):
    """sys.exec's command exited with a status other than 0: `args` are
    (code, stdout, stderr), the arguments of the promise's error."""

    def __init__(self, code: int, stdout: str, stderr: str):
        super().__init__(code, stdout, stderr)
        self.code = code
        self.stdout = stdout
        self.stderr = stderr


class _BufferingProtocol(ProcessProtocol):
    """Collects a child's stdout and stderr and fires `done` with
    (exit code, stdout bytes, stderr bytes)."""

    def __init__(self):
        self.done = Deferred(self._cancel)
        self._out: list[bytes] = []
        self._err: list[bytes] = []

    def _cancel(self, d):
        if self.transport is not None:
            try:
                self.transport.signalProcess("KILL")
            except error.ProcessExitedAlready:
                pass
            # the shell's own children may hold the pipes: close our ends
            self.transport.loseConnection()

    def childDataReceived(self, childFD, data):
        (self._out if childFD == 1 else self._err).append(data)

    def processEnded(self, reason):
        if not self.done.called:
            self.done.callback((exit_code(reason), b"".join(self._out), b"".join(self._err)))


def exec_command(
    reactor, command: str, env: dict[str, str] | None = None, encoding: str = "utf8"
) -> Deferred:
    """Run `command` through /bin/sh (sys.exec). Fires with (stdout, stderr)
    on exit 0, fails with ExecFailed(code, stdout, stderr) otherwise."""
    protocol = _BufferingProtocol()
    transport = reactor.spawnProcess(
        protocol,
        _SHELL,
        [_SHELL, "-c", command],
        env=dict(os.environ) if env is None else env,
    )
    transport.closeStdin()  # the command reads no input from us: EOF at once

    def settle(result):
        code, out, err = result
        out, err = encodings.decode(out, encoding), encodings.decode(err, encoding)
        if code == 0:
            return out, err
        raise ExecFailed(code, out, err)

    return protocol.done.addCallback(settle)
