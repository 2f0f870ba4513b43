"""The write side of one connection, shared by tcp connections and http channels.

Data goes to the socket by the end of the reactor's turn, without the epoll
round trip, when nothing is queued (twisted_internals.Writer), into
Twisted's transport buffer up to its mark (64 KiB), and past the mark into a
queue of our own, which is fed to the transport as the transport empties.
Why our own queue: Twisted joins everything in its buffer into one bytes
object when it starts sending it, so a large amount left in the transport
costs twice its size while it drains; the queue costs what it holds, and
the transport never holds much more than one chunk of it.

Bytes in the queue are "undrained": written by a program that went on past a
full buffer. Memory stays bounded: a write is refused with an ENOBUFS error
(and nothing of it is queued) once its connection would hold more than
MAX_UNDRAINED of them, or all the connections of the process together more
than MAX_UNDRAINED_TOTAL.

The owner (a Protocol registered as its transport's streaming producer)
passes on the transport's signals: pauseProducing -> `pause()`,
resumeProducing -> `resumed()`, which feeds the transport and leaves
`paused` false once everything has gone into it (the time for "drain").
`discard()` when the connection is gone gives the queue's bytes back.
"""

from __future__ import annotations

import os
from collections import deque

from twisted_node.errors import NodeError
from twisted_node.protocols import twisted_internals

MiB = 1024 * 1024
MAX_UNDRAINED = int(os.environ.get("TWISTED_NODE_TCP_MAX_UNDRAINED") or 64 * MiB)
MAX_UNDRAINED_TOTAL = int(os.environ.get("TWISTED_NODE_MAX_UNDRAINED_TOTAL") or 256 * MiB)


class Budget:
    """Undrained bytes of the whole process (every Runtime in it)."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0


PROCESS = Budget(MAX_UNDRAINED_TOTAL)


def check_room(held: int, size: int, limit: int, budget: Budget, what: str) -> None:
    """Raise ENOBUFS, naming `what` (the program's call), if `size` more
    undrained bytes would take a connection holding `held` over `limit`, or
    the process over its budget."""
    if held + size > limit:
        raise NodeError(
            f'{what}: more than {limit} bytes sent without waiting for "drain"; this data was not queued',
            code="ENOBUFS",
        )
    if budget.used + size > budget.limit:
        raise NodeError(
            f"{what}: the process holds {budget.used} bytes that its connections have not "
            f"drained, and its limit is {budget.limit} (TWISTED_NODE_MAX_UNDRAINED_TOTAL); "
            "this data was not queued",
            code="ENOBUFS",
        )


class Outbox:
    __slots__ = ("_writer", "_queue", "queued", "paused", "_limit", "_budget", "_on_empty")

    def __init__(self, transport, limit: int | None = None, budget: Budget | None = None) -> None:
        self._writer = twisted_internals.Writer(transport)
        self._queue: deque[bytes] | None = None  # made when first needed: a deque costs 760 B
        self.queued = 0  # bytes in the queue
        self.paused = False  # the transport is over its mark, or the queue not empty
        # The module's values when None, read now (tests set them).
        self._limit = MAX_UNDRAINED if limit is None else limit
        self._budget = PROCESS if budget is None else budget
        self._on_empty = None  # see when_sent

    def write(self, data: bytes, what: str = "send", limited: bool = True) -> bool:
        """Send or queue `data`; False when the connection is over its mark.

        `limited` False: queued whatever the limits say (small framing bytes,
        or data already accepted elsewhere); otherwise over a limit raises
        ENOBUFS, naming `what` (the program's call), and nothing is queued.
        """
        if not self.paused:
            self._writer.write(data)  # may pause us, from inside the transport
            return not self.paused
        size = len(data)
        if limited:
            self._check(size, what)
        if self._queue is None:
            self._queue = deque()
        self._queue.append(data)
        self.queued += size
        self._budget.used += size
        return False

    def _check(self, size: int, what: str) -> None:
        check_room(self.queued, size, self._limit, self._budget, what)

    def pause(self) -> None:
        self.paused = True

    def resumed(self) -> None:
        """The transport's buffer is empty: give it the queue, a chunk at a
        time until it is over its mark again."""
        self.paused = False
        queue = self._queue
        while queue and not self.paused:
            data = queue.popleft()
            self.queued -= len(data)
            self._budget.used -= len(data)
            self._writer.write(data)  # may pause us again
        if not queue:
            self._queue = None  # an idle connection keeps no deque
            if self._on_empty is not None:
                on_empty, self._on_empty = self._on_empty, None
                on_empty()

    def when_sent(self, then) -> None:
        """Call `then` once the queue has gone into the transport (at once if
        it is empty): closing must wait for it, since the transport only
        flushes what it holds itself."""
        if self._queue:
            self._on_empty = then
        else:
            then()

    def discard(self) -> None:
        """The connection is gone (or cut): what is queued will never be sent."""
        self._budget.used -= self.queued
        self._queue = None
        self.queued = 0
        self._on_empty = None
