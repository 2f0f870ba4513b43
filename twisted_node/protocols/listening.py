"""Where a program's servers listen, and how they stop listening.

`server.listen(where, host, backlog)` (tcp and http alike) takes:

- a port number (or a string of digits): TCP, on `host` or on every
  interface, through TCPServerFactory.listen and reactor.listenTCP (the fast
  path: nothing here is on it);
- a Twisted server endpoint string ("tcp6:8080", "unix:/run/app.sock",
  "systemd:domain=INET:index=0"), through
  twisted.internet.endpoints.serverFromString;
- a string with a "/" in it ("/run/app.sock", "./app.sock"): a UNIX socket
  path, as later Node versions take it (a bare word such as "http" is a
  mistaken port more often than a socket file, and is refused).

Worker mode (`shared`): every TCP port is bound with SO_REUSEPORT
(reuseport.py), also those of endpoint strings, so that each worker's
listen() on a port joins the same group; port 0 and UNIX socket paths are
refused, since no other worker could share them. Sockets passed by systemd
are shared as they are: every worker inherits the same socket.

A graceful stop (`stop_all`) stops every server listening without losing a
connection the kernel already accepted (close_gracefully), lets the
connections in flight end (each factory's stop_gracefully), and after
`timeout` closes those that remain. listen() and stop_all() are all the
bindings use of this; the factories do the rest (protocols/tcp.py,
http_server.py).
"""

from __future__ import annotations

import re
import socket
import weakref
from functools import partial

from twisted.internet import defer, error
from twisted.internet.task import deferLater
from twisted.python.failure import Failure

from twisted_node import socket_activation
from twisted_node.errors import NodeError
from twisted_node.protocols import reuseport, twisted_internals
from twisted_node.protocols.tcp import DEFAULT_BACKLOG, display_address, listen_error, parse_port

# How a listening port stops gracefully (see close_gracefully).
OWN, SHARED, INHERITED = "own", "shared", "inherited"

# "type:..." where type is an endpoint parser's name; a path never starts so
# ("./a:b", "/run/a:b", "a.sock").
_ENDPOINT = re.compile(r"[A-Za-z][A-Za-z0-9_+.-]*:")
# Endpoint types whose listening socket takes a backlog= argument.
_BACKLOG_TYPES = {"tcp", "tcp6", "ssl", "unix"}

_SHARED_PORT_0 = (
    "listen: port 0 cannot be used with workers (--workers): each worker would get "
    "a port of its own; give a port number"
)
_SHARED_UNIX = (
    "listen: a UNIX socket cannot be shared by workers (--workers): give a TCP port, "
    'or a socket passed by systemd ("systemd:domain=UNIX:index=0")'
)


def is_port(where) -> bool:
    return (
        isinstance(where, (int, float))
        and not isinstance(where, bool)
        or (isinstance(where, str) and where.strip().isdigit())
    )


def is_endpoint(where: str) -> bool:
    return _ENDPOINT.match(where) is not None


class Listening:
    """One per program: listen() for its servers, stop_all() to end them."""

    def __init__(self, reactor, shared: bool = False):
        self.reactor = reactor
        self.shared = shared
        # Every factory that listened, while something (the program, one of
        # its connections) still refers to it: a graceful stop waits for the
        # connections of a server the program closed itself, too.
        self._factories: weakref.WeakSet = weakref.WeakSet()
        self._kinds: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # port -> OWN...

    def listen(self, factory, where, host=None, backlog=None):
        """Listen with `factory` (a TCPServerFactory) on `where`; synchronous,
        as the manual's listen() is: errors raise NodeError. Returns the
        bound port number, or the path of a UNIX socket."""
        if factory.port is not None:
            raise NodeError("listen: the server is already listening; close() it first")
        if is_port(where):
            if self.shared:
                if parse_port(where) == 0:
                    raise NodeError(_SHARED_PORT_0, code="EINVAL")
                bound = factory.listen(where, host, backlog, self._listen_shared)
            else:
                bound = factory.listen(where, host, backlog)
        elif isinstance(where, str) and (is_endpoint(where) or "/" in where):
            if host is not None and host != "":
                raise NodeError(
                    f"listen: {where!r} is a UNIX socket path or an endpoint string; "
                    "it takes no host (an endpoint string names its interface: tcp:8080:interface=::1)",
                    name="TypeError",
                )
            if is_endpoint(where):
                factory.port = self._listen_endpoint(factory, where, backlog)
            else:
                factory.port = self._listen_unix(factory, where, backlog)
            bound = address(factory.port)
            bound = bound["port"] if isinstance(bound, dict) else bound
        else:
            raise NodeError(
                "listen: port must be a number from 0 to 65535, a UNIX socket path with a / in it "
                f'("./app.sock") or a server endpoint string ("unix:/run/app.sock", "tcp6:8080"), '
                f"got {_describe(where)}",
                name="TypeError",
            )
        self._factories.add(factory)
        return bound

    # -- where ---------------------------------------------------------------

    def _listen_shared(self, port, factory, backlog, interface):
        listening = reuseport.listen_shared(self.reactor, port, factory, backlog, interface)
        self._kinds[listening] = SHARED
        return listening

    def _listen_unix(self, factory, path: str, backlog):
        if self.shared:
            raise NodeError(_SHARED_UNIX, code="EINVAL")
        try:
            return self.reactor.listenUNIX(path, factory, _backlog(backlog))
        except error.CannotListenError as e:
            raise listen_error(path, e) from None

    def _listen_endpoint(self, factory, description: str, backlog):
        from twisted.internet.endpoints import serverFromString

        kind = description.split(":", 1)[0].lower()
        if kind == "systemd":
            passed = socket_activation.passed()
            if passed.descriptors:
                twisted_internals.use_systemd_sockets(passed.descriptors, passed.names)
        full = description
        if kind in _BACKLOG_TYPES and "backlog=" not in description:
            full += f":backlog={_backlog(backlog)}"
        try:
            endpoint = serverFromString(_Recording(self), full)
        except (IndexError, KeyError) as e:
            if kind != "systemd":
                raise NodeError(
                    f"listen: bad endpoint string {description!r}: {e!r}", code="EINVAL"
                ) from None
            count = len(socket_activation.passed().descriptors)
            raise NodeError(
                f"listen: {description!r}: the service manager passed no such socket "
                f"({count} passed: LISTEN_FDS, LISTEN_FDNAMES)",
                code="EINVAL",
            ) from None
        except Exception as e:
            raise NodeError(f"listen: bad endpoint string {description!r}: {e}", code="EINVAL") from None
        outcome: list = []
        d = endpoint.listen(factory)
        d.addBoth(outcome.append)
        if not outcome:
            d.cancel()
            raise NodeError(
                f"listen: the endpoint {description!r} does not listen at once, and listen() is synchronous",
                code="EINVAL",
            )
        result = outcome[0]
        if not isinstance(result, Failure):
            return result
        exc = result.value
        if isinstance(exc, NodeError):
            raise exc
        if isinstance(exc, error.CannotListenError):
            raise listen_error(description, exc) from None
        raise NodeError(f"listen: cannot listen on {description!r}: {exc}", code="EINVAL")

    # -- stopping --------------------------------------------------------------

    def close_gracefully(self, port) -> defer.Deferred:
        """Stop listening on `port` without losing the connections the kernel
        accepted on it: they are accepted (and served) first. A port shared
        with other workers first refuses new connections, which then go to
        the others (reuseport.py); a socket passed by systemd is left as it
        is, with what is queued on it, for whoever holds it next."""
        kind = self._kinds.get(port, OWN)
        if kind == INHERITED or not twisted_internals.can_close_now(port):
            return defer.maybeDeferred(port.stopListening)
        if kind == SHARED and reuseport.refuse_new_connections(port.fileno()):
            wait = deferLater(self.reactor, reuseport.HANDSHAKE_WAIT, lambda: None)
        else:
            wait = defer.succeed(None)
        return wait.addCallback(lambda _: twisted_internals.accept_queued_then_close(port))

    def stop_all(self, timeout: float | None) -> defer.Deferred:
        """Every server stops listening, then the connections they accepted
        end on their own or, `timeout` seconds after this call, are closed
        (also those accepted from a port's queue after that). Fires once
        none is left."""
        factories = list(self._factories)
        time_is_up = []

        def close_port(factory, port):
            def closed(_):
                if time_is_up:
                    factory.abort_connections()

            return self.close_gracefully(port).addCallback(closed)

        done = defer.DeferredList(
            [defer.maybeDeferred(f.stop_gracefully, partial(close_port, f)) for f in factories],
            consumeErrors=True,
        )
        if timeout is None or not factories:
            return done

        def abort_all():
            time_is_up.append(True)
            for f in factories:
                f.abort_connections()

        timer = self.reactor.callLater(max(0.0, timeout), abort_all)

        def finished(result):
            if timer.active():
                timer.cancel()
            return result

        return done.addBoth(finished)


class _Recording:
    """The reactor as an endpoint string's parser sees it: a TCP port is
    bound shared in worker mode, a UNIX socket refused there, and how each
    port was made is noted for close_gracefully."""

    def __init__(self, listening: Listening):
        self._listening = listening
        self._reactor = listening.reactor

    def __getattr__(self, name):
        return getattr(self._reactor, name)

    def listenTCP(self, port, factory, backlog=50, interface=""):
        listening = self._listening
        if listening.shared:
            if port == 0:
                raise NodeError(_SHARED_PORT_0, code="EINVAL")
            return listening._listen_shared(port, factory, backlog, interface)
        return self._reactor.listenTCP(port, factory, backlog, interface)

    def listenSSL(self, port, factory, contextFactory, backlog=50, interface=""):
        if not self._listening.shared:
            return self._reactor.listenSSL(port, factory, contextFactory, backlog, interface)
        from twisted.protocols.tls import TLSMemoryBIOFactory

        return self.listenTCP(port, TLSMemoryBIOFactory(contextFactory, False, factory), backlog, interface)

    def listenUNIX(self, address, factory, backlog=50, mode=0o666, wantPID=0):
        if self._listening.shared:
            raise NodeError(_SHARED_UNIX, code="EINVAL")
        return self._reactor.listenUNIX(address, factory, backlog, mode, wantPID)

    def adoptStreamPort(self, fileno, family, factory):
        port = self._reactor.adoptStreamPort(fileno, family, factory)
        self._listening._kinds[port] = INHERITED
        if family == socket.AF_UNIX:
            # Its path is the service manager's, and stays after we stop.
            twisted_internals.keep_socket_file(port)
        return port


def address(port):
    """Where `port` listens: {address, port} for TCP, the path for a UNIX
    socket (as Node gives it)."""
    where = port.getHost()
    if hasattr(where, "port"):
        return {"address": display_address(where.host), "port": where.port}
    name = where.name
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, (str, int, float)):
        return repr(value)
    return "an object"


def _backlog(backlog) -> int:
    if backlog is None:
        return DEFAULT_BACKLOG
    try:
        return int(backlog)
    except (TypeError, ValueError):
        raise NodeError(f"listen: backlog must be a number, got {backlog!r}") from None
