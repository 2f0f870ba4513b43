"""The "http" binding: what lib/http.js reaches through process.binding("http").

The protocols live in http_server.py and http_client.py (layer 1, no
JavaScript); this module ties them to one Runtime: it wraps the JS event
functions once (`initServer`, `initClient`), keeps the program alive while a
server listens, a connection is open or a client request is in flight, and
converts what crosses (JS strings in the "binary" form lib/http.js builds,
bytes on the wire).

Crossings per request on the hot path: one call into JS with the request
(method, url, version, headers as one string, flags), and for a response
that fits, one `write(channel, data, end)` back.

Python never holds JS objects: events name their server, connection or
client by a number, and lib/http.js keeps the table from numbers to objects
(only while they can get events). A JS object handed from Python to JS a
second time would arrive as a slow host object (each property access a
crossing), and a JS and a Python object holding each other would never be
collected. JS holds the Python objects (channels, factories, clients) as
opaque handles it passes back to the binding functions.
"""

from __future__ import annotations

import itertools
import weakref

from twisted_node.jsbridge.errors import JSError
from twisted_node.protocols import http_client, http_common, http_server, tcp, tls


def _wire_bytes(data) -> bytes:
    """lib/http.js sends "binary" strings (one char per byte)."""
    if isinstance(data, str):
        try:
            return data.encode("latin-1")
        except UnicodeEncodeError:
            return bytes(ord(c) & 0xFF for c in data)
    if data is None:
        return b""
    raise TypeError(f"http: expected a string of bytes, got {type(data).__name__}")


def _timeout_seconds(ms) -> float:
    try:
        value = float(ms)
    except (TypeError, ValueError):
        raise JSError(f"setTimeout: timeout must be a number of ms, got {ms!r}") from None
    return max(0.0, value) / 1000.0


def _dn_format(fmt) -> None:
    if fmt not in (None, "DNstring"):
        raise JSError(f'getPeerCertificate: format must be "DNstring", got {fmt!r}')


class _Binding:
    def __init__(self, runtime):
        self.runtime = runtime
        self.reactor = runtime.reactor
        self.server_events = None  # the shared parts, after initServer
        self.client_events = None
        self.clients: weakref.WeakSet = weakref.WeakSet()
        self._connection_ids = itertools.count(1)
        runtime.add_cleanup(self._close_clients)

    # -- server -------------------------------------------------------------

    def init_server(self, on_connection, on_request, on_body, on_drain, on_close):
        cb = self.runtime.callback
        self.server_events = (cb(on_connection), cb(on_request), cb(on_body), cb(on_drain), cb(on_close))

    def create_server(self, idle_ms=None, headers_ms=None, request_ms=None):
        """Timeouts in ms (None: the default; 0: none), checked by lib/http.js."""
        if self.server_events is None:
            raise JSError("http: initServer was not called")
        on_connection, on_request, on_body, on_drain, on_close = self.server_events
        loop = self.runtime.loop
        ids = self._connection_ids
        factory_ref: list = []

        def connection(channel, host, port):
            factory = factory_ref[0]
            server_id = factory.server_id
            if server_id is None:
                return None  # the server was closed meanwhile
            if channel.secure is not None and not channel.secure.has_credentials:
                tcp.warn_once(factory, "http")
            token = next(ids)
            if not on_connection(server_id, token, channel, host, port):
                return None
            channel.on_lost = loop.hold("http connection", close=channel._abort).release
            return token

        # A response finished inside the event comes back as its result.
        def request(token, head):
            finished = on_request(token, head)
            return None if finished is None else _wire_bytes(finished)

        def body(token, text, complete):
            finished = on_body(token, text, complete)
            return None if finished is None else _wire_bytes(finished)

        events = http_server.ServerEvents(
            connection=connection, request=request, body=body, drain=on_drain, close=on_close
        )
        timeouts = http_server.Timeouts()
        if idle_ms is not None:
            timeouts.idle = _timeout_seconds(idle_ms)
        if headers_ms is not None:
            timeouts.headers = _timeout_seconds(headers_ms)
        if request_ms is not None:
            timeouts.request = _timeout_seconds(request_ms)
        factory = http_server.ServerFactory(events, self.reactor, timeouts)
        factory.server_id = None  # the number JS knows the server by, while it listens
        factory.hold = None
        factory_ref.append(factory)
        return factory

    def listen(self, factory, server_id, port, host=None):
        if factory.port is not None:
            raise JSError("listen: this server is already listening")
        bound = factory.listen(port, host)
        factory.server_id = server_id
        factory.hold = self.runtime.loop.hold("http server", close=factory.close)
        return bound

    def close_server(self, factory):
        """A Deferred (a promise in JS) that fires once the port is closed."""
        hold, factory.hold = factory.hold, None
        factory.server_id = None  # no more "connection" events
        d = factory.close()
        if hold is not None:
            d.addBoth(lambda result: hold.release() or result)
        return d.addCallback(lambda _: 0)

    def address(self, factory):
        if factory.port is None:
            return None
        host = factory.port.getHost()
        return self.runtime.to_js({"address": tcp.display_address(host.host), "port": host.port})

    # -- client -------------------------------------------------------------

    def init_client(self, on_response, on_body, on_error, on_drain, on_connection_event):
        cb = self.runtime.callback
        connection_event = cb(on_connection_event)
        self.client_events = http_client.ClientEvents(
            response=cb(on_response),
            body=cb(on_body),
            error=cb(on_error),
            drain=cb(on_drain),
            # The connection's events share one JS function: (name, id, had_error).
            connect=lambda token: connection_event("connect", token, False),
            eof=lambda token: connection_event("eof", token, False),
            close=lambda token, had_error: connection_event("close", token, had_error),
            timeout=lambda token: connection_event("timeout", token, False),
            dropped=lambda token: connection_event("dropped", token, False),
        )

    def create_client(self, port, host=None, client_id=None):
        if self.client_events is None:
            raise JSError("http: initClient was not called")
        port = tcp.parse_port(port)
        host = "127.0.0.1" if host is None or host == "" else str(host)
        client = http_client.HTTPClient(self.reactor, None, self.client_events, None)
        client.hostname = host
        client.client_token = client_id
        runtime = self.runtime
        holds: list = []

        def on_active(active):
            # The program stays alive while a request is in flight, not while
            # an idle keep-alive connection stays open.
            if active:
                holds.append(runtime.loop.hold("http client request", close=client.close))
            elif holds:
                holds.pop().release()

        client.on_active = on_active

        def connect(attempt):
            return _Connecting(runtime, host, port, attempt, client)

        client._connect_with = connect
        self.clients.add(client)
        return client

    def client_send(self, client, data, flags, client_id=None):
        if flags & http_client.START and client.closed:
            raise JSError("request: this client was closed")
        return client.send(_wire_bytes(data), flags, client_id)

    def client_set_secure(self, client, fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        client.set_secure(tls.client_context_factory(fmt, ca_certs, crl_list, key, cert, client.hostname))

    def _close_clients(self) -> None:
        for client in list(self.clients):
            client.close()


class _Connecting:
    """A connection attempt in progress: name lookup, then TCP (TLS is
    started by the channel). cancel() stops it wherever it is."""

    def __init__(self, runtime, host, port, attempt, client):
        self.connector = None
        self.cancelled = False
        self._attempt = attempt
        d = tcp.resolve(runtime, host)
        d.addCallbacks(self._resolved, self._failed, callbackArgs=(runtime.reactor, port))

    def _resolved(self, address, reactor, port):
        if not self.cancelled:
            self.connector = reactor.connectTCP(address, port, self._attempt, timeout=30)

    def _failed(self, failure):
        if not self.cancelled:
            self._attempt.clientConnectionFailed(None, failure)

    def cancel(self):
        self.cancelled = True
        if self.connector is not None and self.connector.state == "connecting":
            self.connector.stopConnecting()


def binding(runtime) -> dict:
    b = _Binding(runtime)
    return {
        # flags, so that lib/http.js and the protocols agree by construction
        "COMPLETE": http_common.COMPLETE,
        "KEEP_ALIVE": http_common.KEEP_ALIVE,
        "END_NONE": http_server.END_NONE,
        "END_KEEP": http_server.END_KEEP,
        "END_CLOSE": http_server.END_CLOSE,
        "START": http_client.START,
        "END": http_client.END,
        "HEAD_METHOD": http_client.HEAD_METHOD,
        # server
        "initServer": b.init_server,
        "createServer": b.create_server,
        "listen": b.listen,
        "closeServer": b.close_server,
        "setServerSecure": lambda f, fmt, ca=None, crl=None, key=None, cert=None: f.set_secure(
            fmt, ca, crl, key, cert
        ),
        "serverAddress": b.address,
        "write": lambda channel, data: channel.write(_wire_bytes(data), http_server.END_NONE),
        "finish": lambda channel, data: channel.write(_wire_bytes(data), http_server.END_KEEP),
        "finishClose": lambda channel, data: channel.write(_wire_bytes(data), http_server.END_CLOSE),
        "pause": lambda channel: channel.pause_reading(),
        "resume": lambda channel: channel.resume_reading(),
        "setBodyEncoding": lambda handle, encoding: handle.set_body_encoding(encoding),
        "closeConnection": lambda channel: channel.close(),
        "forceClose": lambda channel: channel._abort(),
        "setTimeout": lambda channel, ms: channel.set_timeout(_timeout_seconds(ms)),
        "verifyPeer": lambda handle: handle.verify_peer(),
        "getPeerCertificate": lambda handle, fmt=None: _dn_format(fmt) or handle.peer_dn_string(),
        # client
        "initClient": b.init_client,
        "createClient": b.create_client,
        "clientSend": b.client_send,
        "clientPause": lambda client: client.pause_reading(),
        "clientResume": lambda client: client.resume_reading(),
        "clientSetSecure": b.client_set_secure,
        "clientClose": lambda client: client.close(),
        "clientSetTimeout": lambda client, ms: client.set_timeout(_timeout_seconds(ms)),
    }
