"""setSecure -> pyOpenSSL connection creators; verifyPeer; getPeerCertificate.

Used by the tcp and http bindings. The objects returned by
`server_context_factory` and `client_context_factory` provide Twisted's
IOpenSSLServerConnectionCreator / IOpenSSLClientConnectionCreator (and the
older getContext()), so they work with `transport.startTLS`,
`TLSMemoryBIOFactory`, `listenSSL` and `connectSSL` alike.

Verification follows the manual's verifyPeer(): the handshake itself does not
fail because a peer certificate is missing or untrusted; the verify callback
records what OpenSSL found and `verify_peer` reports it afterwards. The one
exception is a server refusing a client certificate that its CRL revokes.

Secure defaults: TLS 1.2 and 1.3 only, forward-secret AEAD ciphers for TLS 1.2
(no NULL, export, RC4, 3DES or MD5 suites), no compression, no renegotiation.
"""

from __future__ import annotations

import ipaddress
import re
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

# OpenSSL connection -> first X509 error seen by the verify callback. Weak so
# that a finished connection takes its entry with it.
_verify_errors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# -- building contexts ----------------------------------------------------------


def _text(value, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise NodeError(f"setSecure: {what} must be a PEM string")
    return value


def _check_format(format_type) -> None:
    if format_type != "X509_PEM":
        raise NodeError(
            f'setSecure: format_type must be "X509_PEM", got {format_type!r}',
            code="EINVAL",
        )


def _load_certificates(pem: str, what: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem.encode("ascii", "replace"))
    except ValueError:
        raise NodeError(
            f"setSecure: {what} is not valid PEM (expected one or more certificates)",
            code="EINVAL",
        ) from None


def _load_crls(pem: str) -> list[x509.CertificateRevocationList]:
    blocks = _PEM_CRL.findall(pem)
    if not blocks:
        raise NodeError("setSecure: crl_list is not valid PEM (expected X509 CRLs)", code="EINVAL")
    try:
        return [x509.load_pem_x509_crl(b.encode("ascii", "replace")) for b in blocks]
    except ValueError:
        raise NodeError("setSecure: crl_list holds an unparsable CRL", code="EINVAL") from None


def _load_key(pem: str):
    try:
        return crypto.load_privatekey(crypto.FILETYPE_PEM, pem.encode("ascii", "replace"))
    except crypto.Error:
        raise NodeError(
            "setSecure: private_key is not a valid unencrypted PEM private key",
            code="EINVAL",
        ) from None


def _record(connection, x509_cert, errno: int, depth: int, ok: int) -> bool:
    """Verify callback: remember the first failure, never abort the handshake."""
    if errno != _X509_V_OK and connection not in _verify_errors:
        _verify_errors[connection] = errno
    return True


def _record_refusing_revoked(connection, x509_cert, errno: int, depth: int, ok: int) -> bool:
    """Server side: as `_record`, but a revoked client certificate ends the handshake."""
    _record(connection, x509_cert, errno, depth, ok)
    return errno != _X509_V_ERR_CERT_REVOKED


def _context(ca_certs, crl_list, private_key, certificate, *, server: bool) -> SSL.Context:
    ca_pem = _text(ca_certs, "ca_certs")
    crl_pem = _text(crl_list, "crl_list")
    key_pem = _text(private_key, "private_key")
    cert_pem = _text(certificate, "certificate")
    if (key_pem is None) != (cert_pem is None):
        raise NodeError("setSecure: private_key and certificate must be given together")

    # Parsed in argument order, so the first wrong argument is the one named.
    cas = _load_certificates(ca_pem, "ca_certs") if ca_pem is not None else []
    crls = _load_crls(crl_pem) if crl_pem is not None else []
    key = _load_key(key_pem) if key_pem is not None else None
    chain = _load_certificates(cert_pem, "certificate") if cert_pem is not None else []

    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
    ctx.set_options(SSL.OP_NO_COMPRESSION | SSL.OP_NO_RENEGOTIATION | SSL.OP_NO_TICKET)
    ctx.set_cipher_list(_CIPHERS)
    if server:
        ctx.set_options(SSL.OP_CIPHER_SERVER_PREFERENCE)
        # No resumption: every connection gets a full handshake, so the verify
        # callback sees every peer certificate.
        ctx.set_session_cache_mode(SSL.SESS_CACHE_OFF)

    if chain:
        ctx.use_certificate(crypto.X509.from_cryptography(chain[0]))
        for extra in chain[1:]:
            ctx.add_extra_chain_cert(crypto.X509.from_cryptography(extra))
        try:
            ctx.use_privatekey(key)
            ctx.check_privatekey()
        except SSL.Error:
            raise NodeError("setSecure: private_key does not match certificate", code="EINVAL") from None

    store = ctx.get_cert_store()
    for ca in cas:
        store.add_cert(crypto.X509.from_cryptography(ca))
        if server:
            ctx.add_client_ca(crypto.X509.from_cryptography(ca))
    if not cas and not server:
        ctx.set_default_verify_paths()  # a client without ca_certs trusts the system's CAs
    for crl in crls:
        store.add_crl(crl)
    if crls:
        store.set_flags(crypto.X509StoreFlags.CRL_CHECK)

    if server:
        if ca_pem is not None:  # ask for a client certificate, but do not insist
            ctx.set_verify(SSL.VERIFY_PEER, _record_refusing_revoked)
    else:
        ctx.set_verify(SSL.VERIFY_PEER, _record)
    return ctx


@implementer(IOpenSSLServerConnectionCreator)
class ServerContextFactory:
    def __init__(self, ctx: SSL.Context, has_credentials: bool = True):
        self._ctx = ctx
        # Without a key and certificate every handshake fails (no cipher can
        # be agreed): the bindings say so when a client connects.
        self.has_credentials = has_credentials

    def getContext(self) -> SSL.Context:
        return self._ctx

    def serverConnectionForTLS(self, tls_protocol) -> SSL.Connection:
        return SSL.Connection(self._ctx, None)


@implementer(IOpenSSLClientConnectionCreator)
class ClientContextFactory:
    def __init__(self, ctx: SSL.Context, hostname: str | None):
        self._ctx = ctx
        self.hostname = hostname
        # SNI carries DNS names only, never IP literals (RFC 6066).
        self._sni = hostname.encode("idna") if hostname and not is_ip(hostname) else None

    def getContext(self) -> SSL.Context:
        return self._ctx

    def for_host(self, hostname: str | None) -> ClientContextFactory:
        """The same settings for a connection to `hostname` (SNI, and the
        name verify_peer checks)."""
        return ClientContextFactory(self._ctx, hostname)

    def clientConnectionForTLS(self, tls_protocol) -> SSL.Connection:
        connection = SSL.Connection(self._ctx, None)
        if self._sni:
            connection.set_tlsext_host_name(self._sni)
        return connection


def server_context_factory(
    format_type="X509_PEM", ca_certs=None, crl_list=None, private_key=None, certificate=None
) -> ServerContextFactory:
    """For server.setSecure(): raises NodeError naming a wrong argument. Every
    argument is optional, as in v0.1 (see ServerContextFactory)."""
    _check_format(format_type if format_type is not None else "X509_PEM")
    ctx = _context(ca_certs, crl_list, private_key, certificate, server=True)
    return ServerContextFactory(ctx, has_credentials=_text(private_key, "private_key") is not None)


def no_credentials_warning(kind: str, port) -> str:
    """What a server whose setSecure() had no key and certificate says when
    a client connects (once: a client cannot make it say more)."""
    return (
        f"twisted-node: a client connected to the {kind} server on port {port}, whose setSecure() "
        "was given no private_key and certificate: its TLS handshakes fail\n"
    )


def client_context_factory(
    format_type,
    ca_certs=None,
    crl_list=None,
    private_key=None,
    certificate=None,
    hostname=None,
) -> ClientContextFactory:
    """For connection.setSecure(): all but format_type optional. Without
    ca_certs the system's trusted CAs are used by verify_peer."""
    _check_format(format_type if format_type is not None else "X509_PEM")
    ctx = _context(ca_certs, crl_list, private_key, certificate, server=False)
    return ClientContextFactory(ctx, hostname)


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
    if connection is None or connection.get_peer_certificate() is None:
        return NO_CERTIFICATE
    errno = _verify_errors.get(connection, _X509_V_OK)
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


def peer_dn_string(tls_connection) -> str | None:
    """getPeerCertificate("DNstring"): the peer's subject as RFC 2253 text
    (RFC 4514, its successor, writes the same string), or None."""
    connection = _ssl_connection(tls_connection)
    if connection is None:
        return None
    cert = connection.get_peer_certificate(as_cryptography=True)
    return cert.subject.rfc4514_string() if cert is not None else None
