"""setSecure -> pyOpenSSL connection creators; verifyPeer; getPeerCertificate;
session resumption, several certificates per server (SNI) and their rotation.

Used by the tcp and http bindings. The objects returned by
`server_context_factory` and `ClientContexts.get` provide Twisted's
IOpenSSLServerConnectionCreator / IOpenSSLClientConnectionCreator (and the
older getContext()), so they work with `transport.startTLS`,
`TLSMemoryBIOFactory`, `listenSSL` and `connectSSL` alike.

Verification follows the manual's verifyPeer(): the handshake itself does not
fail because a peer certificate is missing or untrusted; the verify callback
records what OpenSSL found and `verify_peer` reports it afterwards. The one
exception is a server refusing a client certificate that its CRL revokes.

Secure defaults: TLS 1.2 and 1.3 only, forward-secret AEAD ciphers for TLS 1.2
(no NULL, export, RC4, 3DES or MD5 suites, no RSA key exchange), no
compression, no renegotiation.

Servers. A listening server holds one ServerContextFactory for its life.
Every connection is made from the factory's *session context*, which holds
the TLS settings, the session cache (TLS 1.2 session ids), OpenSSL's ticket
key (TLS 1.2 and 1.3 tickets) and the server-name callback; that callback
switches the connection to the credentials for the name the client asked
for (addContext; "*.example.com" covers one label), or setSecure's, the
default. setSecure or addContext again replaces credentials for the
handshakes that follow: connections already made keep theirs, and sessions
stay resumable (the ticket key is the server's, not a certificate's). The
ticket key is a new one every TICKET_KEY_LIFETIME seconds: a new session
context, whose key OpenSSL makes at random; the previous context stays for
one more period, for the tickets made under its key (tls_tickets: pyOpenSSL
cannot give a context two keys). TLS 1.2 session ids live in the session
context's cache and do not outlast a rotation.

Clients. ClientContexts (one per binding, so per program) keeps one context
per set of setSecure arguments, and in it the last session per (host,
port): a connection made again with the same arguments to the same host and
port offers it. TLS 1.3 sessions are taken when their tickets arrive.

A resumed session carries the peer's certificate but no new verification.
Each context remembers, per peer certificate, what the verify callback found
in the full handshake; verifyPeer on a resumed connection reports that, or,
when the credentials were replaced since (or the result was forgotten),
verifies the certificate again against the current ca_certs and crl_list.
"""

from __future__ import annotations

import ipaddress
import re
import time
import weakref

from cryptography import x509
from OpenSSL import SSL, crypto
from service_identity import VerificationError
from service_identity.pyopenssl import verify_hostname, verify_ip_address
from twisted.internet.interfaces import (
    IOpenSSLClientConnectionCreator,
    IOpenSSLServerConnectionCreator,
)
from zope.interface import implementer

from twisted_node.errors import NodeError
from twisted_node.protocols import tls_tickets

# verifyPeer() results (see verify_peer for their meaning).
VERIFIED = 1
NO_CERTIFICATE = 0
UNTRUSTED = -1
REVOKED = -2
OUT_OF_DATE = -3
HOSTNAME_MISMATCH = -4
OTHER_FAILURE = -5

_X509_V_OK = 0
_X509_V_ERR_CERT_REVOKED = 23
# X509_V_ERR_* codes: no issuer / self-signed / untrusted / rejected ...
_UNTRUSTED_ERRORS = frozenset({2, 18, 19, 20, 21, 27, 28})
# ... and certificate not yet valid / expired.
_DATE_ERRORS = frozenset({9, 10})

# TLS 1.2 suites; TLS 1.3 suites are all AEAD and OpenSSL's defaults are kept.
_CIPHERS = b"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!MD5:!DSS"
_PEM_CRL = re.compile(r"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)

# Seconds a session can be resumed (a TLS 1.2 cache entry, a ticket's
# lifetime), as OpenSSL's default; and how long one ticket key is used.
SESSION_LIFETIME = 2 * 3600
TICKET_KEY_LIFETIME = 12 * 3600
# The same for every server context: sessions cannot cross servers anyway
# (each has its own cache and ticket key), and a context switched to by SNI
# must keep the one the session was made under.
_SESSION_ID_CONTEXT = b"twisted_node"
_RESULTS_LIMIT = 4096  # peer certificates whose verification a context remembers
_SESSIONS_LIMIT = 256  # (host, port) whose session a client context keeps
_CONTEXTS_LIMIT = 32  # client contexts (sets of setSecure arguments) kept per program

# OpenSSL connection -> first X509 error the verify callback saw in its
# handshake (0 when none: it was verified). Weak so that a finished
# connection takes its entry with it.
_verify_errors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- building contexts ----------------------------------------------------------


def _text(value, what: str, call: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise NodeError(f"{call}: {what} must be a PEM string")
    return value


def _check_format(format_type, call: str) -> None:
    if format_type is None:
        return  # optional: "X509_PEM"
    if format_type != "X509_PEM":
        raise NodeError(
            f'{call}: format_type must be "X509_PEM", got {format_type!r}',
            code="EINVAL",
        )


def _load_certificates(pem: str, what: str, call: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem.encode("ascii", "replace"))
    except ValueError:
        raise NodeError(
            f"{call}: {what} is not valid PEM (expected one or more certificates)",
            code="EINVAL",
        ) from None


def _load_crls(pem: str, call: str) -> list[x509.CertificateRevocationList]:
    blocks = _PEM_CRL.findall(pem)
    if not blocks:
        raise NodeError(f"{call}: crl_list is not valid PEM (expected X509 CRLs)", code="EINVAL")
    try:
        return [x509.load_pem_x509_crl(b.encode("ascii", "replace")) for b in blocks]
    except ValueError:
        raise NodeError(f"{call}: crl_list holds an unparsable CRL", code="EINVAL") from None


def _load_key(pem: str, call: str):
    try:
        return crypto.load_privatekey(crypto.FILETYPE_PEM, pem.encode("ascii", "replace"))
    except crypto.Error:
        raise NodeError(
            f"{call}: private_key is not a valid unencrypted PEM private key",
            code="EINVAL",
        ) from None


def _record(connection, x509_cert, errno: int, depth: int, ok: int) -> bool:
    """Verify callback: remember the first failure, never abort the handshake.
    At the peer's own certificate (depth 0) the result so far is also
    remembered by the credentials, for sessions resumed later."""
    first = _verify_errors.get(connection)
    if first is None or (first == _X509_V_OK and errno != _X509_V_OK):
        _verify_errors[connection] = first = errno
    if depth == 0:
        credentials = connection.get_context().get_app_data()
        if credentials is not None:
            credentials.remember(x509_cert, first)
    return True


def _record_refusing_revoked(connection, x509_cert, errno: int, depth: int, ok: int) -> bool:
    """Server side: as `_record`, but a revoked client certificate ends the handshake."""
    _record(connection, x509_cert, errno, depth, ok)
    return errno != _X509_V_ERR_CERT_REVOKED


def _harden(ctx: SSL.Context, server: bool) -> None:
    """The settings every context gets (see the module's docstring)."""
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    ctx.set_options(SSL.OP_NO_COMPRESSION | SSL.OP_NO_RENEGOTIATION)
    ctx.set_cipher_list(_CIPHERS)
    if server:
        ctx.set_options(SSL.OP_CIPHER_SERVER_PREFERENCE)
        ctx.set_session_id(_SESSION_ID_CONTEXT)


class _Credentials:
    """One setSecure's (or addContext's) key, certificate chain and trust,
    as an SSL.Context, and what verification found for the peer
    certificates it saw in full handshakes."""

    def __init__(self, ctx: SSL.Context, has_key: bool, asks_certificate: bool = True):
        self.ctx = ctx
        self.has_key = has_key
        self.asks_certificate = asks_certificate  # a server's: it has ca_certs
        self._results: dict[bytes, int] = {}
        ctx.set_app_data(self)  # how the verify callback and verify_peer find us

    def remember(self, x509_cert, errno: int) -> None:
        results = self._results
        digest = x509_cert.digest("sha256")
        if digest not in results and len(results) >= _RESULTS_LIMIT:
            del results[next(iter(results))]  # the oldest
        results[digest] = errno

    def recall(self, x509_cert) -> int | None:
        return self._results.get(x509_cert.digest("sha256"))


def _credentials(
    call, format_type, ca_certs, crl_list, private_key, certificate, *, server: bool
) -> _Credentials:
    """Credentials from setSecure's (or addContext's) arguments; raises
    NodeError naming the first wrong one (parsed in argument order)."""
    _check_format(format_type, call)
    ca_pem = _text(ca_certs, "ca_certs", call)
    crl_pem = _text(crl_list, "crl_list", call)
    key_pem = _text(private_key, "private_key", call)
    cert_pem = _text(certificate, "certificate", call)
    if (key_pem is None) != (cert_pem is None):
        raise NodeError(f"{call}: private_key and certificate must be given together")

    cas = _load_certificates(ca_pem, "ca_certs", call) if ca_pem is not None else []
    crls = _load_crls(crl_pem, call) if crl_pem is not None else []
    key = _load_key(key_pem, call) if key_pem is not None else None
    chain = _load_certificates(cert_pem, "certificate", call) if cert_pem is not None else []

    ctx = SSL.Context(SSL.TLS_METHOD)
    _harden(ctx, server)
    if chain:
        ctx.use_certificate(chain[0])
        for extra in chain[1:]:
            ctx.add_extra_chain_cert(extra)
        try:
            ctx.use_privatekey(key)
            ctx.check_privatekey()
        except SSL.Error:
            raise NodeError(f"{call}: private_key does not match certificate", code="EINVAL") from None

    store = ctx.get_cert_store()
    for ca in cas:
        store.add_cert(crypto.X509.from_cryptography(ca))  # X509 only (pyOpenSSL)
        if server:
            ctx.add_client_ca(ca)
    if not cas and not server:
        ctx.set_default_verify_paths()  # a client without ca_certs trusts the system's CAs
    for crl in crls:
        store.add_crl(crl)
    if crls:
        store.set_flags(crypto.X509StoreFlags.CRL_CHECK)

    if server:
        # Whether to ask for a client certificate (without insisting) is
        # decided per connection, once its name is known (see _select).
        return _Credentials(ctx, key is not None, asks_certificate=ca_pem is not None)
    ctx.set_verify(SSL.VERIFY_PEER, _record)
    return _ClientCredentials(ctx, key is not None)


# -- servers --------------------------------------------------------------------


def _sni_key(hostname) -> str:
    """addContext's hostname as the server-name callback looks it up:
    lower case, IDNA A-labels, no trailing dot; "*.example.com" for a
    wildcard (one label, the leftmost)."""
    wrong = NodeError(
        "addContext: hostname must be a host name such as "
        f'"example.com" or "*.example.com", got {hostname!r}',
        code="EINVAL",
    )
    if not isinstance(hostname, str):
        raise wrong
    name = hostname.strip().lower().rstrip(".")
    wildcard = name.startswith("*.")
    if wildcard:
        name = name[2:]
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise wrong from None
    labels = name.split(".")
    if not name or not all(re.fullmatch(r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?", label) for label in labels):
        raise wrong
    return "*." + name if wildcard else name


@implementer(IOpenSSLServerConnectionCreator)
class ServerContextFactory:
    """What a listening server holds (see the module's docstring): the
    default credentials (setSecure's), those added per name (addContext's),
    and the session context its connections are made from."""

    def __init__(self):
        self._default: _Credentials | None = None
        self._names: dict[str, _Credentials] = {}  # "a.example.com" or "*.example.com"
        self._session_ctx: SSL.Context | None = None
        self._rotate_at = 0.0
        self._previous: tuple[bytes, SSL.Context] | None = None  # its key name, the context
        self.clock = time.monotonic  # when the ticket key is due (tests set it)

    @property
    def has_credentials(self) -> bool:
        """Without a key and certificate every handshake fails (no cipher
        can be agreed): the bindings say so when a client connects."""
        return (self._default is not None and self._default.has_key) or bool(self._names)

    def set_default(self, credentials: _Credentials) -> None:
        self._default = credentials

    def add_context(
        self, hostname, format_type, ca_certs=None, crl_list=None, private_key=None, certificate=None
    ):
        """server.addContext(): credentials for one name or *.domain; again
        for the same name replaces them. Raises NodeError naming a wrong
        argument, and then changes nothing."""
        key = _sni_key(hostname)
        if (
            _text(private_key, "private_key", "addContext") is None
            or _text(certificate, "certificate", "addContext") is None
        ):
            raise NodeError("addContext: private_key and certificate are required", code="EINVAL")
        self._names[key] = _credentials(
            "addContext", format_type, ca_certs, crl_list, private_key, certificate, server=True
        )

    def _session_context(self) -> SSL.Context:
        now = self.clock()
        ctx = self._session_ctx
        if ctx is None or now >= self._rotate_at:
            if ctx is not None:
                name = tls_tickets.key_name(ctx, self._any_server_name())
                self._previous = (name, ctx) if name else None
            ctx = SSL.Context(SSL.TLS_METHOD)
            _harden(ctx, server=True)
            ctx.set_session_cache_mode(SSL.SESS_CACHE_SERVER)
            ctx.set_timeout(SESSION_LIFETIME)
            # Connections inherit this verify callback (and keep a reference
            # to it); those whose credentials have no ca_certs turn it off.
            ctx.set_verify(SSL.VERIFY_PEER, _record_refusing_revoked)
            ctx.set_tlsext_servername_callback(self._select)
            self._session_ctx, self._rotate_at = ctx, now + TICKET_KEY_LIFETIME
        return ctx

    def _any_server_name(self) -> bytes | None:
        """A name that has credentials, when the default has none."""
        if (self._default is not None and self._default.has_key) or not self._names:
            return None
        name = next(iter(self._names))
        return ("x" + name[1:] if name.startswith("*.") else name).encode("ascii")

    def _select(self, connection) -> None:
        """The server-name callback (called with or without SNI): the
        connection takes the credentials for the name the client asked for."""
        credentials = self._default
        if self._names:
            name = connection.get_servername()
            if name:
                name = name.decode("ascii", "replace").lower().rstrip(".")
                found = self._names.get(name)
                if found is None and "." in name:
                    found = self._names.get("*." + name.split(".", 1)[1])
                if found is not None:
                    credentials = found
        if credentials is None:
            connection.set_verify(SSL.VERIFY_NONE)  # no certificate: the handshake fails
            return
        connection.set_context(credentials.ctx)
        if not credentials.asks_certificate:
            connection.set_verify(SSL.VERIFY_NONE)

    def getContext(self) -> SSL.Context:
        return self._session_context()

    def serverConnectionForTLS(self, tls_protocol) -> SSL.Connection:
        ctx = self._session_context()
        if self._previous is not None:
            tls_tickets.HelloRouter.install(tls_protocol, ctx, self.context_for_hello)
        return SSL.Connection(ctx, None)

    def context_for_hello(self, client_hello: bytes) -> SSL.Context:
        """The session context for a connection whose first bytes are
        `client_hello`: the previous one for a ticket made under its key."""
        ctx = self._session_context()
        previous = self._previous
        if previous is not None:
            ticket = tls_tickets.offered_ticket(client_hello)
            if isinstance(ticket, bytes) and tls_tickets.made_under(ticket, previous[0]):
                return previous[1]
        return ctx


def server_context_factory(
    format_type="X509_PEM", ca_certs=None, crl_list=None, private_key=None, certificate=None, current=None
) -> ServerContextFactory:
    """For server.setSecure(): raises NodeError naming a wrong argument. Every
    argument is optional, as in v0.1 (see ServerContextFactory). With
    `current` (the factory a server already holds), its default credentials
    are replaced and it is returned; on an error nothing changes."""
    credentials = _credentials(
        "setSecure", format_type, ca_certs, crl_list, private_key, certificate, server=True
    )
    factory = current if current is not None else ServerContextFactory()
    factory.set_default(credentials)
    return factory


def add_server_context(
    current, hostname, format_type, ca_certs=None, crl_list=None, private_key=None, certificate=None
) -> None:
    """For server.addContext(): `current` is the server's factory (None
    before setSecure, which makes a server secure and gives the default)."""
    if current is None:
        raise NodeError(
            "addContext: the server is not secure: call setSecure() first (its credentials are the default)",
            code="EINVAL",
        )
    current.add_context(hostname, format_type, ca_certs, crl_list, private_key, certificate)


def no_credentials_warning(kind: str, port) -> str:
    """What a server whose setSecure() had no key and certificate says when
    a client connects (once: a client cannot make it say more)."""
    return (
        f"twisted-node: a client connected to the {kind} server on port {port}, whose setSecure() "
        "was given no private_key and certificate: its TLS handshakes fail\n"
    )


# -- clients --------------------------------------------------------------------


class _ClientCredentials(_Credentials):
    """A client context, and the last session per (host, port) made with it."""

    def __init__(self, ctx: SSL.Context, has_key: bool):
        super().__init__(ctx, has_key)
        self._sessions: dict[tuple, SSL.Session] = {}
        # connection -> [(host, port), state]: state 1 once a TLS 1.3
        # handshake is done (its own exit follows), 2 after that (a session
        # that changes now came with a ticket).
        self._connections: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        ctx.set_info_callback(self._info)

    def connection(self, key: tuple, sni: bytes | None) -> SSL.Connection:
        connection = SSL.Connection(self.ctx, None)
        if sni:
            connection.set_tlsext_host_name(sni)
        session = self._sessions.get(key)
        if session is not None:
            connection.set_session(session)
        self._connections[connection] = [key, 0]
        return connection

    def _info(self, connection, where: int, ret: int) -> None:
        entry = self._connections.get(connection)
        if entry is None:
            return
        if where & SSL.SSL_CB_HANDSHAKE_DONE:
            if connection.get_protocol_version_name() == "TLSv1.3":
                entry[1] = 1  # the session is only resumable once a ticket came
            else:
                self._keep(entry[0], connection.get_session())
        elif where == SSL.SSL_CB_CONNECT_EXIT and ret == 1 and entry[1]:
            if entry[1] == 1:
                entry[1] = 2  # the handshake's own exit
            else:
                self._keep(entry[0], connection.get_session())  # a NewSessionTicket

    def _keep(self, key: tuple, session) -> None:
        if session is None:
            return
        sessions = self._sessions
        sessions.pop(key, None)
        if len(sessions) >= _SESSIONS_LIMIT:
            del sessions[next(iter(sessions))]
        sessions[key] = session


@implementer(IOpenSSLClientConnectionCreator)
class ClientContextFactory:
    def __init__(self, credentials: _ClientCredentials, hostname: str | None, port: int | None = None):
        self._credentials = credentials
        self.hostname = hostname
        self.port = port
        # SNI carries DNS names only, never IP literals (RFC 6066).
        self._sni = hostname.encode("idna") if hostname and not is_ip(hostname) else None

    def getContext(self) -> SSL.Context:
        return self._credentials.ctx

    def for_host(self, hostname: str | None, port: int | None = None) -> ClientContextFactory:
        """The same settings for a connection to `hostname` (SNI, and the
        name verify_peer checks) on `port` (with the host, which session to
        offer)."""
        return ClientContextFactory(self._credentials, hostname, port)

    def clientConnectionForTLS(self, tls_protocol) -> SSL.Connection:
        return self._credentials.connection((self.hostname, self.port), self._sni)


def client_context_factory(
    format_type,
    ca_certs=None,
    crl_list=None,
    private_key=None,
    certificate=None,
    hostname=None,
    port=None,
) -> ClientContextFactory:
    """For connection.setSecure(): all but format_type optional. Without
    ca_certs the system's trusted CAs are used by verify_peer. A context of
    its own: ClientContexts.get shares one (and its sessions) between calls."""
    credentials = _credentials(
        "setSecure", format_type, ca_certs, crl_list, private_key, certificate, server=False
    )
    return ClientContextFactory(credentials, hostname, port)


class ClientContexts:
    """A program's client contexts, one per set of setSecure arguments (the
    most recently used _CONTEXTS_LIMIT), so that connections made again with
    the same arguments share a context and resume its sessions."""

    def __init__(self):
        self._contexts: dict[tuple, ClientContextFactory] = {}

    def get(self, format_type, ca_certs=None, crl_list=None, private_key=None, certificate=None):
        """A ClientContextFactory for no host yet (see for_host); raises
        NodeError naming a wrong argument."""
        key = (format_type, ca_certs or None, crl_list or None, private_key or None, certificate or None)
        if not all(part is None or isinstance(part, str) for part in key):
            # Not a key (it may not even hash): the error naming the argument.
            return client_context_factory(format_type, ca_certs, crl_list, private_key, certificate)
        contexts = self._contexts
        factory = contexts.pop(key, None)
        if factory is None:
            factory = client_context_factory(format_type, ca_certs, crl_list, private_key, certificate)
            if len(contexts) >= _CONTEXTS_LIMIT:
                del contexts[next(iter(contexts))]  # the least recently used
        contexts[key] = factory
        return factory


# -- after the handshake --------------------------------------------------------


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _ssl_connection(tls_connection):
    """Accept an OpenSSL Connection or a Twisted TLS transport."""
    if tls_connection is None or isinstance(tls_connection, SSL.Connection):
        return tls_connection
    get_handle = getattr(tls_connection, "getHandle", None)
    handle = get_handle() if get_handle is not None else None
    return handle if isinstance(handle, SSL.Connection) else None


def verify_peer(tls_connection, hostname: str | None = None) -> int:
    """verifyPeer(): 1 trusted, 0 no certificate, negative on failure.

    `tls_connection` is the OpenSSL Connection (or the TLS transport) after
    the handshake; `hostname` is the host a client connected to (None on the
    server side, where no name is checked). Codes:
      1  VERIFIED           trusted by ca_certs, unrevoked, in date, name matches
      0  NO_CERTIFICATE     no peer certificate, or not a TLS connection
     -1  UNTRUSTED          the chain does not lead to a trusted CA
     -2  REVOKED            a certificate is revoked by a CRL in crl_list
     -3  OUT_OF_DATE        expired or not yet valid
     -4  HOSTNAME_MISMATCH  (client) certificate not issued for `hostname`
     -5  OTHER_FAILURE      any other X509 error, e.g. no CRL for the issuing CA
                            while CRLs are enforced, bad signature, wrong purpose
    """
    connection = _ssl_connection(tls_connection)
    peer = connection.get_peer_certificate() if connection is not None else None
    if peer is None:
        return NO_CERTIFICATE
    errno = _verify_errors.get(connection)
    if errno is None:  # no verification in this handshake: a resumed session
        errno = _verify_errors[connection] = _resumed_result(connection, peer)
    if errno != _X509_V_OK:
        if errno in _UNTRUSTED_ERRORS:
            return UNTRUSTED
        if errno == _X509_V_ERR_CERT_REVOKED:
            return REVOKED
        if errno in _DATE_ERRORS:
            return OUT_OF_DATE
        return OTHER_FAILURE
    if hostname:
        try:
            if is_ip(hostname):
                verify_ip_address(connection, hostname.split("%", 1)[0])
            else:
                verify_hostname(connection, hostname)
        except VerificationError:
            return HOSTNAME_MISMATCH
    return VERIFIED


def _resumed_result(connection, peer) -> int:
    """The first X509 error (or 0) for a resumed session's peer certificate:
    what its full handshake found, if these credentials saw it, else a
    verification now against their ca_certs and crl_list."""
    ctx = connection.get_context()
    credentials = ctx.get_app_data()
    errno = credentials.recall(peer) if isinstance(credentials, _Credentials) else None
    if errno is not None:
        return errno
    chain = connection.get_peer_cert_chain()
    try:
        crypto.X509StoreContext(ctx.get_cert_store(), peer, chain).verify_certificate()
    except crypto.X509StoreContextError as e:
        return e.errors[0]
    return _X509_V_OK


def peer_dn_string(tls_connection) -> str | None:
    """getPeerCertificate("DNstring"): the peer's subject as RFC 2253 text
    (RFC 4514, its successor, writes the same string), or None."""
    connection = _ssl_connection(tls_connection)
    if connection is None:
        return None
    cert = connection.get_peer_certificate(as_cryptography=True)
    return cert.subject.rfc4514_string() if cert is not None else None
