"""A server's ticket key rotation that keeps the previous key valid.

OpenSSL encrypts and decrypts a server's session tickets with the key of the
context the connection was made from (its "session context", fixed when the
connection is made: SNI's switch of context does not change it), and
pyOpenSSL can neither set that key nor add an older one beside it. So a
rotation is a new session context (tls.ServerContextFactory), and the one
before it is kept for one more period: a connection whose ClientHello offers
a ticket made under the previous key is made from the previous context,
where it resumes. A ticket older than that gets a full handshake.

Which key made a ticket: OpenSSL's tickets begin with the 16-byte name of
their key (TLS 1.2 and 1.3 alike). A context's key name is learnt once, when
the context is retired, from a ticket it issues to a TLS 1.2 handshake made
in memory (TLS 1.2 sends its NewSessionTicket unencrypted).

Routing: until the ClientHello is complete, the server's TLS protocol
(Twisted's TLSMemoryBIOProtocol) receives through a HelloRouter, which holds
the bytes (at most HELLO_LIMIT), picks the context, and hands them on. Only
servers that have rotated pay for it.
"""

from __future__ import annotations

from OpenSSL import SSL

from twisted_node.protocols import twisted_internals

HELLO_LIMIT = 16 * 1024  # bytes held for a ClientHello; beyond, no routing
_KEY_NAME_SIZE = 16  # OpenSSL's tick_key_name

_HANDSHAKE = 22  # the TLS record type
_CLIENT_HELLO, _NEW_SESSION_TICKET = 1, 4  # handshake message types
_SESSION_TICKET, _PRE_SHARED_KEY = 35, 41  # ClientHello extensions

MORE = object()  # offered_ticket: the ClientHello is not complete yet


def _handshake_stream(data: bytes) -> bytes:
    """The handshake messages carried by the complete TLS records at the
    start of `data`; a record of another type (ChangeCipherSpec: what
    follows is encrypted) ends them."""
    stream = bytearray()
    pos = 0
    while pos + 5 <= len(data) and data[pos] == _HANDSHAKE:
        end = pos + 5 + int.from_bytes(data[pos + 3 : pos + 5], "big")
        if end > len(data):
            break
        stream += data[pos + 5 : end]
        pos = end
    return bytes(stream)


def offered_ticket(data: bytes):
    """The session ticket (TLS 1.2) or first PSK identity (TLS 1.3) a
    client's first bytes offer; None when there is none or the bytes are
    not a ClientHello; MORE when the ClientHello is not complete yet."""
    stream = _handshake_stream(data)
    if len(stream) < 4:
        return MORE if _could_be_hello(data) else None
    if stream[0] != _CLIENT_HELLO:
        return None
    end = 4 + int.from_bytes(stream[1:4], "big")
    if len(stream) < end:
        return MORE
    return _ticket_in_hello(stream[4:end])


def _could_be_hello(data: bytes) -> bool:
    return not data or data[0] == _HANDSHAKE


def _ticket_in_hello(body: bytes) -> bytes | None:
    try:
        pos = 2 + 32  # client_version, random
        pos += 1 + body[pos]  # session_id
        pos += 2 + int.from_bytes(body[pos : pos + 2], "big")  # cipher_suites
        pos += 1 + body[pos]  # compression_methods
        end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
        pos += 2
    except IndexError:
        return None
    ticket = None
    while pos + 4 <= min(end, len(body)):
        kind = int.from_bytes(body[pos : pos + 2], "big")
        size = int.from_bytes(body[pos + 2 : pos + 4], "big")
        extension = body[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if kind == _PRE_SHARED_KEY and len(extension) >= 4:
            # identities<7..2^16-1>, the first: identity<1..2^16-1>, age
            size = int.from_bytes(extension[2:4], "big")
            return extension[4 : 4 + size] or None
        if kind == _SESSION_TICKET and extension:
            ticket = extension  # TLS 1.3 resumption, when offered too, wins
    return ticket


def key_name(session_ctx: SSL.Context, server_name: bytes | None = None) -> bytes | None:
    """The name of the ticket key of `session_ctx` (a server's session
    context, whose server-name callback gives the credentials; `server_name`
    is sent when only a name has them), or None when no ticket came."""
    client_ctx = SSL.Context(SSL.TLS_METHOD)
    client_ctx.set_max_proto_version(SSL.TLS1_2_VERSION)  # the ticket in the clear
    client = SSL.Connection(client_ctx, None)
    client.set_connect_state()
    if server_name:
        client.set_tlsext_host_name(server_name)
    server = SSL.Connection(session_ctx, None)
    server.set_accept_state()
    from_server = bytearray()
    try:
        for _ in range(4):  # a full TLS 1.2 handshake is two round trips
            for side, peer in ((client, server), (server, client)):
                try:
                    side.do_handshake()
                except SSL.WantReadError:
                    pass
                data = _read_all(side)
                if side is server:
                    from_server += data
                if data:
                    peer.bio_write(data)
    except SSL.Error:
        return None
    stream = _handshake_stream(bytes(from_server))
    pos = 0
    while pos + 4 <= len(stream):
        kind = stream[pos]
        end = pos + 4 + int.from_bytes(stream[pos + 1 : pos + 4], "big")
        if kind == _NEW_SESSION_TICKET:
            # ticket_lifetime_hint(4), ticket<0..2^16-1>
            ticket = stream[pos + 10 : end]
            return ticket[:_KEY_NAME_SIZE] if len(ticket) > _KEY_NAME_SIZE else None
        pos = end
    return None


def _read_all(connection: SSL.Connection) -> bytes:
    chunks = []
    while True:
        try:
            chunks.append(connection.bio_read(65536))
        except SSL.WantReadError:
            return b"".join(chunks)


def made_under(ticket: bytes, name: bytes) -> bool:
    """Whether `ticket` was made under the key named `name` (key_name)."""
    return ticket[:_KEY_NAME_SIZE] == name


class HelloRouter:
    """Installed as a server TLS protocol's dataReceived until its
    ClientHello is in; then `choose(client_hello)` gives the session context
    the connection is to be made from, and when it is not `made_from` (the
    context its factory used) the connection is made again from it."""

    __slots__ = ("protocol", "made_from", "choose", "held")

    def __init__(self, protocol, made_from: SSL.Context, choose):
        self.protocol = protocol
        self.made_from = made_from
        self.choose = choose
        self.held = b""

    @classmethod
    def install(cls, protocol, made_from: SSL.Context, choose) -> None:
        if twisted_internals.tls_connection_replaceable(protocol):
            protocol.dataReceived = cls(protocol, made_from, choose)

    def __call__(self, data: bytes) -> None:
        held = self.held = self.held + data
        if len(held) <= HELLO_LIMIT and offered_ticket(held) is MORE:
            return  # the connection's own timeouts bound how long
        protocol = self.protocol
        del protocol.dataReceived  # its own from now on
        self.held = b""
        ctx = self.choose(held)
        if ctx is not self.made_from:
            twisted_internals.replace_tls_connection(protocol, SSL.Connection(ctx, None))
        protocol.dataReceived(held)
