"""The "http" binding: http.Server, http.Client and their requests and
responses (lib/http.js) over protocols/http_server.py and http_client.py.

It keeps the program alive while a server listens, a connection is open or
a client request is in flight, and converts what crosses ("binary" strings
from lib/http.js, bytes on the wire). Per request on the hot path: one call
into JS with the request head as one string, and a response finished during
it comes back as the call's result (bindings/events.py, batched writes).

Events (bindings/events.py), `onEvent(id, code, ...)`:

  server side, `id` a server's or a connection's:
  (server, CONNECTION, channel, address, port) -> the connection's id (null: refused)
  (connection, REQUEST, head) -> a response finished meanwhile, or null
      ("K" or "C", for keep-alive or close after it, then its bytes)
      head: "<flags><method> <url> <version>\\n<headers>" (http_server.ServerEvents)
  (0, REQUESTS, packed) -> answers: the requests without a body of one
      reactor turn, any servers' (http_server._RequestTurn), each
      "<connection>,<length>:<head>"; each answer "<length>:<what REQUEST
      returns>" ("0:" for null), in order (fewer if the program ended).
      handBack(count, answers) from inside it: a handler began a
      promise.wait(); `answers` are those of the first count - 1 (sent
      now), the requests after the first `count` are handed up again later.
  (connection, BODY, text, complete) -> likewise
  (connection, DRAIN)
  (connection, CLOSE, had_error)
  (server, DRAINING)        a graceful stop began: answers from now on close

  client side, `id` a client's:
  (client, RESPONSE, status, version, headers, flags)
  (client, RESPONSE_BODY, text, complete)
  (client, ERROR, message, code)
  (client, REQUEST_DRAIN)
  (client, DROPPED)         the request ended without response or error
  (client, CONNECT | EOF | TIMEOUT) (client, CLOSE_CLIENT, had_error): its connection's
"""

from __future__ import annotations

import weakref

from twisted_node.bindings.args import dn_format, seconds, wire_bytes
from twisted_node.bindings.events import KEY, Events
from twisted_node.bindings.tcp import resolver, warn_once
from twisted_node.errors import NodeError
from twisted_node.jsbridge.convert import length_prefixed
from twisted_node.protocols import http_client, http_common, http_server, listening, tcp, tls

# Event codes.
CONNECTION, REQUEST, BODY, DRAIN, CLOSE = 1, 2, 3, 4, 5
RESPONSE, RESPONSE_BODY, ERROR, REQUEST_DRAIN, DROPPED = 6, 7, 8, 9, 10
CONNECT, EOF, TIMEOUT, CLOSE_CLIENT, DRAINING = 11, 12, 13, 14, 15
REQUESTS = 16


def _finished(result):
    """A response lib/http.js finished during an event (batched writes):
    (bytes, END_KEEP or END_CLOSE), or None. Its first char says which
    (lib/http.js: FINISHED_KEEP or FINISHED_CLOSE)."""
    if not result:
        return None
    end = http_server.END_CLOSE if result[0] == "C" else http_server.END_KEEP
    return wire_bytes(result[1:]), end


def _pack_requests(items) -> str:
    # The heads are latin-1 (http_common.headers_text): their lengths here
    # are lib/http.js's too.
    return "".join([f"{id},{len(head)}:{head}" for id, head in items])


def _unpack_answers(packed) -> list:
    """REQUESTS' result: what _finished makes of each answer, in order."""
    return [_finished(answer) for answer in length_prefixed(packed)] if packed else []


class _Binding:
    def __init__(self, host):
        self.host = host
        self.reactor = host.reactor
        self.events = Events(host)
        self.clients: weakref.WeakSet = weakref.WeakSet()
        host.add_cleanup(self._close_clients)
        # A client connecting again with the same setSecure arguments to the
        # same host and port resumes its TLS session (protocols/tls.py).
        self.client_contexts = tls.ClientContexts()
        # hand_back of each REQUESTS call under way, the innermost last (see handBack).
        self.handing_up: list = []

    # -- server -------------------------------------------------------------

    def create_server(self, idle_ms=None, headers_ms=None, request_ms=None):
        """Timeouts in ms (None: the default; 0: none), checked by lib/http.js."""
        events = self.events
        hold = self.host.hold
        factory_ref: list = []

        def connection(channel, address, port):
            factory = factory_ref[0]
            server_id = factory.server_id
            if server_id is None:
                return None  # the server was closed meanwhile
            if channel.secure is not None and not channel.secure.has_credentials:
                warn_once(factory, "http", self.host.output)
            id = events(server_id, CONNECTION, channel, address, port)
            if id is None:
                return None
            channel.on_lost = hold("http connection", close=channel._abort).release
            return id

        def request(id, head):
            return _finished(events.raw(id * KEY + REQUEST, head))

        def requests(items, hand_back):  # the hot path: a turn's requests in one call
            self.handing_up.append(hand_back)
            try:
                return _unpack_answers(events.raw(REQUESTS, _pack_requests(items)))
            finally:
                self.handing_up.pop()

        channel_events = http_server.ServerEvents(
            connection=connection,
            request=request,
            body=lambda id, text, complete: _finished(events(id, BODY, text, complete)),
            drain=lambda id: events(id, DRAIN),
            close=lambda id, had_error: events(id, CLOSE, had_error),
            requests=requests,
        )
        timeouts = http_server.Timeouts()
        if idle_ms is not None:
            timeouts.idle = seconds(idle_ms, "createServer")
        if headers_ms is not None:
            timeouts.headers = seconds(headers_ms, "createServer")
        if request_ms is not None:
            timeouts.request = seconds(request_ms, "createServer")
        factory = http_server.ServerFactory(channel_events, self.reactor, timeouts)
        factory.server_id = None  # the number JS knows the server by, while it listens
        factory.hold = None
        factory.on_draining = lambda: factory.server_id is not None and events(factory.server_id, DRAINING)
        factory_ref.append(factory)
        return factory

    def listen(self, factory, server_id, port, host=None):
        if factory.port is not None:
            raise NodeError("listen: this server is already listening")
        bound = self.host.listening.listen(factory, port, host)
        factory.server_id = server_id
        factory.hold = self.host.hold("http server", close=factory.close)
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
        return None if factory.port is None else listening.address(factory.port)

    # -- client -------------------------------------------------------------

    def create_client(self, port, host=None, client_id=None):
        port = tcp.parse_port(port)
        host = "127.0.0.1" if host is None or host == "" else str(host)
        client = http_client.HTTPClient(self.reactor, None, self._client_events(self.events), None)
        client.hostname = host
        client.port = port
        client.client_token = client_id
        holds: list = []

        def on_active(active):
            # The program stays alive while a request is in flight, not while
            # an idle keep-alive connection stays open.
            if active:
                holds.append(self.host.hold("http client request", close=client.close))
            elif holds:
                holds.pop().release()

        client.on_active = on_active
        resolve = resolver(self.reactor)

        def connect(attempt):
            return _Connecting(self.reactor, resolve, host, port, attempt)

        client._connect_with = connect
        self.clients.add(client)
        return client

    @staticmethod
    def _client_events(events) -> http_client.ClientEvents:
        return http_client.ClientEvents(
            response=lambda id, status, version, headers, flags: events(
                id, RESPONSE, status, version, headers, flags
            ),
            body=lambda id, text, complete: events(id, RESPONSE_BODY, text, complete),
            error=lambda id, message, code: events(id, ERROR, message, code),
            drain=lambda id: events(id, REQUEST_DRAIN),
            connect=lambda id: events(id, CONNECT),
            eof=lambda id: events(id, EOF),
            close=lambda id, had_error: events(id, CLOSE_CLIENT, had_error),
            timeout=lambda id: events(id, TIMEOUT),
            dropped=lambda id: events(id, DROPPED),
        )

    def client_send(self, client, data, flags, client_id=None):
        if flags & http_client.START and client.closed:
            raise NodeError("request: this client was closed")
        return client.send(wire_bytes(data), flags, client_id)

    def client_set_secure(self, client, fmt, ca_certs=None, crl_list=None, key=None, cert=None):
        secure = self.client_contexts.get(fmt, ca_certs, crl_list, key, cert)
        client.set_secure(secure.for_host(client.hostname, client.port))

    def _close_clients(self) -> None:
        for client in list(self.clients):
            client.close()


class _Connecting:
    """A connection attempt in progress: name lookup, then TCP (TLS is
    started by the channel). cancel() stops it wherever it is."""

    def __init__(self, reactor, resolve, host, port, attempt):
        self.connector = None
        self.cancelled = False
        self._attempt = attempt
        d = tcp.resolve(reactor, host, resolve)
        d.addCallbacks(self._resolved, self._failed, callbackArgs=(reactor, port))

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


def _get_peer_certificate(handle, fmt=None):
    dn_format(fmt)
    return handle.peer_dn_string()


def binding(host) -> dict:
    b = _Binding(host)
    return {
        # event codes and flags, so that lib/http.js and Python agree by construction
        "CONNECTION": CONNECTION,
        "REQUEST": REQUEST,
        "BODY": BODY,
        "DRAIN": DRAIN,
        "CLOSE": CLOSE,
        "RESPONSE": RESPONSE,
        "RESPONSE_BODY": RESPONSE_BODY,
        "ERROR": ERROR,
        "REQUEST_DRAIN": REQUEST_DRAIN,
        "DROPPED": DROPPED,
        "CONNECT": CONNECT,
        "EOF": EOF,
        "TIMEOUT": TIMEOUT,
        "CLOSE_CLIENT": CLOSE_CLIENT,
        "DRAINING": DRAINING,
        "REQUESTS": REQUESTS,
        "COMPLETE": http_common.COMPLETE,
        "KEEP_ALIVE": http_common.KEEP_ALIVE,
        "END_NONE": http_server.END_NONE,
        "END_KEEP": http_server.END_KEEP,
        "END_CLOSE": http_server.END_CLOSE,
        "START": http_client.START,
        "END": http_client.END,
        "HEAD_METHOD": http_client.HEAD_METHOD,
        "init": b.events.init,
        # server
        "createServer": b.create_server,
        "listen": b.listen,
        "closeServer": b.close_server,
        "setServerSecure": lambda f, fmt, ca=None, crl=None, key=None, cert=None: f.set_secure(
            fmt, ca, crl, key, cert
        ),
        "addServerContext": lambda f, name, fmt, ca=None, crl=None, key=None, cert=None: (
            tls.add_server_context(f.secure, name, fmt, ca, crl, key, cert)
        ),
        "serverAddress": b.address,
        "handBack": lambda count, answers: b.handing_up[-1](int(count), _unpack_answers(answers)),
        "write": lambda channel, data: channel.write(wire_bytes(data), http_server.END_NONE),
        "finish": lambda channel, data: channel.write(wire_bytes(data), http_server.END_KEEP),
        "finishClose": lambda channel, data: channel.write(wire_bytes(data), http_server.END_CLOSE),
        "pause": lambda channel: channel.pause_reading(),
        "resume": lambda channel: channel.resume_reading(),
        "setBodyEncoding": lambda handle, encoding: handle.set_body_encoding(encoding),
        "closeConnection": lambda channel: channel.close(),
        "forceClose": lambda channel: channel._abort(),
        "setTimeout": lambda channel, ms: channel.set_timeout(seconds(ms, "setTimeout")),
        "verifyPeer": lambda handle: handle.verify_peer(),
        "getPeerCertificate": _get_peer_certificate,
        # client
        "createClient": b.create_client,
        "clientSend": b.client_send,
        "clientPause": lambda client: client.pause_reading(),
        "clientResume": lambda client: client.resume_reading(),
        "clientSetSecure": b.client_set_secure,
        "clientClose": lambda client: client.close(),
        "clientSetTimeout": lambda client, ms: client.set_timeout(seconds(ms, "setTimeout")),
    }
