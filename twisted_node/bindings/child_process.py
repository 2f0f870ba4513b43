"""The "child_process" binding: process.createChildProcess and sys.exec for
lib/child_process.js, over protocols/process.py.

lib/child_process.js numbers its children and passes the number to
``spawn``; a child's events are then (id, OUTPUT, text), (id, ERROR, text)
and, last, (id, EXIT, code). OUTPUT and ERROR carry null once, when the
child closes that stream. ``spawn`` returns the opaque child handle that
write, close, kill and pid take.

sys.exec's result becomes the promise's arguments: (stdout, stderr) on
success, (code, stdout, stderr) on failure.
"""

from __future__ import annotations

import json

from twisted_node import encodings
from twisted_node.bindings.events import Events
from twisted_node.jsbridge.promises import Args, Rejection
from twisted_node.protocols.process import (
    Child,
    ChildProtocol,
    ExecFailed,
    exec_command,
    spawn,
)
from twisted_node.signals import signal_number

OUTPUT, ERROR, EXIT = 1, 2, 3


def _string_list(value, what: str) -> list[str]:
    items = json.loads(value) if isinstance(value, str) else value
    if not isinstance(items, list):
        raise TypeError(f"{what} must be an array")
    return [str(x) for x in items]


def _environment(value) -> dict[str, str] | None:
    if value is None:
        return None
    env = json.loads(value) if isinstance(value, str) else value
    if not isinstance(env, dict):
        raise TypeError("env must be an object of NAME: value pairs")
    return {str(k): str(v) for k, v in env.items()}


def _exec_failed(failure):
    failure.trap(ExecFailed)
    raise Rejection(*failure.value.args)


def binding(host) -> dict:
    events = Events(host)

    def spawn_child(id, command, args_json, env_json, encoding):
        """args_json / env_json: JSON text (one crossing each way). Returns the
        opaque child handle; its pid comes from `pid(handle)`."""
        if not isinstance(command, str) or not command:
            raise TypeError("command must be a non-empty string")
        args = _string_list(args_json, "args")
        env = _environment(env_json)
        encoding = encodings.normalize(encoding, "utf8")
        child = None

        def exited(code):
            child.release()
            events(id, EXIT, code)

        protocol = ChildProtocol(
            lambda text: events(id, OUTPUT, text),
            lambda text: events(id, ERROR, text),
            exited,
            encoding,
        )
        transport = spawn(host.reactor, command, args, env, protocol)
        hold = host.hold(f"child process {command}")
        child = Child(protocol, transport, hold)
        hold.close = child.abandon
        return child

    def pid(child):
        return child.pid

    def write(child, data, encoding=None):
        if not isinstance(child, Child):
            raise TypeError("not a child process handle")
        encoding = encodings.normalize(encoding, "ascii")
        return child.write(encodings.encode(str(data), encoding))

    def close(child):
        child.close_stdin()

    def kill(child, sig=None):
        return child.kill(signal_number("SIGTERM" if sig is None else sig))

    def exec_(command, env_json=None):
        if not isinstance(command, str):
            raise TypeError("command must be a string")
        d = exec_command(host.reactor, command, _environment(env_json))
        return d.addCallbacks(lambda result: Args(*result), _exec_failed)

    return {
        "OUTPUT": OUTPUT,
        "ERROR": ERROR,
        "EXIT": EXIT,
        "init": events.init,
        "spawn": spawn_child,
        "pid": pid,
        "write": write,
        "close": close,
        "kill": kill,
        "exec": exec_,
    }
