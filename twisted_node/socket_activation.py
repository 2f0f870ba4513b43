"""Sockets passed by a service manager: systemd's socket activation
(sd_listen_fds(3)), or the supervisor passing them on to its workers.

The protocol: descriptors 3, 4, ... are listening sockets, LISTEN_FDS says
how many, LISTEN_PID names the process they are meant for (so that a child
inheriting the variables does not take them for its own), LISTEN_FDNAMES
their names (FileDescriptorName=; without it, each is "unknown", as
sd_listen_fds_with_names has it). A program listens on one with
`listen("systemd:domain=INET:index=0")` or `"systemd:domain=INET:name=web"`.

Read once, the first time asked (a worker first claims the sockets its
supervisor passed on: claim_inherited). Twisted's systemd: endpoint parser
reads the environment once too, when its module is first imported, which may
be before a worker's claim: listening.py hands it what was read here.
Neutral: the supervisor and protocols/listening.py read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

FIRST = 3  # SD_LISTEN_FDS_START


@dataclass(frozen=True)
class Passed:
    descriptors: tuple[int, ...] = ()
    names: tuple[str, ...] = ()


_passed: Passed | None = None


def capture(environ=None) -> Passed:
    """The sockets passed to this process (read the first time only)."""
    global _passed
    if _passed is None:
        _passed = read(os.environ if environ is None else environ, os.getpid())
    return _passed


passed = capture


def read(environ, pid: int) -> Passed:
    if environ.get("LISTEN_PID") != str(pid):
        return Passed()
    try:
        count = int(environ.get("LISTEN_FDS", ""))
    except ValueError:
        return Passed()
    if count <= 0:
        return Passed()
    names = tuple(environ.get("LISTEN_FDNAMES", "").split(":"))
    if len(names) != count:
        names = ("unknown",) * count
    return Passed(tuple(range(FIRST, FIRST + count)), names)


def claim_inherited(environ=None) -> None:
    """In a worker: the supervisor passes its sockets on as descriptors 3...
    with LISTEN_FDS and LISTEN_FDNAMES but no LISTEN_PID, which it cannot
    know before the worker exists; the worker names itself."""
    environ = os.environ if environ is None else environ
    if "LISTEN_FDS" in environ and "LISTEN_PID" not in environ:
        environ["LISTEN_PID"] = str(os.getpid())


def child_environment(environ, passed_on: Passed) -> dict:
    """The environment of a worker: the sockets in `passed_on` (descriptors
    3... in the worker too), none of the variables otherwise."""
    env = {k: v for k, v in environ.items() if k not in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")}
    if passed_on.descriptors:
        env["LISTEN_FDS"] = str(len(passed_on.descriptors))
        env["LISTEN_FDNAMES"] = ":".join(passed_on.names)
    return env
