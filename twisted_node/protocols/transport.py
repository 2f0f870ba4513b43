"""What tcp connections and HTTP channels (server and client) share, besides
their write side (outbox.py): the idle timer and the peer-certificate checks.
"""

from __future__ import annotations

from collections.abc import Callable

from twisted_node.protocols import tls


class IdleTimer:
    """Calls `on_idle()` once nothing has `touch`ed it for `timeout` seconds
    (0: never). One DelayedCall, moved only when it fires: activity just
    records a time stamp (`last`), which costs nothing on the hot path."""

    __slots__ = ("_reactor", "_on_idle", "timeout", "last", "_call")

    def __init__(self, reactor, on_idle: Callable[[], object], timeout: float):
        self._reactor = reactor
        self._on_idle = on_idle
        self.timeout = timeout
        self.last = 0.0
        self._call = None

    def touch(self) -> None:
        self.last = self._reactor.seconds()

    def start(self) -> None:
        """From now (a connection is made, or the timeout changed)."""
        self.stop()
        self.touch()
        if self.timeout > 0:
            self._call = self._reactor.callLater(self.timeout, self._check)

    def set_timeout(self, seconds: float, running: bool) -> None:
        self.timeout = max(0.0, float(seconds))
        if running:
            self.start()

    def stop(self) -> None:
        if self._call is not None:
            if self._call.active():
                self._call.cancel()
            self._call = None

    def _check(self) -> None:
        self._call = None
        if self.timeout <= 0:
            return
        remaining = self.last + self.timeout - self._reactor.seconds()
        if remaining > 0.001:
            self._call = self._reactor.callLater(remaining, self._check)
        else:
            self._on_idle()


class PeerCertificates:
    """verifyPeer() and getPeerCertificate() for what may run TLS: it sets
    `secure` (its TLS context factory) and says, through `_tls_live()`,
    whether its transport can still be asked (or overrides `_tls_transport`
    when the transport is another object's)."""

    secure = None
    peer_hostname: str | None = None  # a client's: the name the certificate must match

    def _tls_live(self) -> bool:
        raise NotImplementedError

    def _tls_transport(self):
        """The TLS transport to ask, or None (not secure, or gone)."""
        return self.transport if self.secure is not None and self._tls_live() else None

    def verify_peer(self) -> int:
        transport = self._tls_transport()
        return tls.NO_CERTIFICATE if transport is None else tls.verify_peer(transport, self.peer_hostname)

    def peer_dn_string(self) -> str | None:
        transport = self._tls_transport()
        return None if transport is None else tls.peer_dn_string(transport)
