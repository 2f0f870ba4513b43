"""A throw-away test PKI, generated with `cryptography`.

Two certificate authorities: "CA" signs the server (localhost, 127.0.0.1),
a client ("client"), a revoked client (listed in the CA's CRL) and an expired
server; "Other CA" signs a server and a client ("other client") that only a
peer trusting it too accepts. "CA" also signs certificates for SNI and
rotation: "a.example.com", "*.b.example.com", and a renewed localhost
certificate with a subject of its own ("localhost renewed"). Everything is
PEM text, so a test can hand it to setSecure as is, or `write_pki` it to
files for openssl.

EC P-256 keys keep generation fast; the PKI is still built once per process.
`rsa_server()` adds an RSA-2048 localhost certificate (slower to make, so
only on demand: the benchmark and the cipher tests).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ONE_DAY = datetime.timedelta(days=1)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "twisted_node tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


LOCALHOST = ("localhost", "127.0.0.1", "::1")


def _key_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _cert_pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _make_ca(common_name: str, now: datetime.datetime):
    key = _key()
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - ONE_DAY)
        .not_valid_after(now + 3650 * ONE_DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_leaf(ca_key, ca_cert, common_name, *, server, not_before, not_after, names=LOCALHOST, key=None):
    """A leaf certificate; a server's names (DNS names and IP addresses) go
    in its subjectAltName."""
    key = key or _key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(name) for name in names]), critical=False
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


@functools.cache
def _ca():
    """The key and certificate of "CA" (both PKI functions sign with it)."""
    return _make_ca("twisted_node test CA", datetime.datetime.now(datetime.UTC))


@functools.cache
def make_pki() -> dict:
    """PEM strings: ca_cert, ca_key, server_cert, server_key, client_cert,
    client_key, revoked_client_cert, revoked_client_key, crl, other_ca_cert,
    other_ca_key, other_server_cert, other_server_key, other_client_cert,
    other_client_key, expired_server_cert, expired_server_key,
    sni_a_cert, sni_a_key (a.example.com), sni_wild_cert, sni_wild_key
    (*.b.example.com), renewed_server_cert, renewed_server_key. Built once
    per process; treat the dict as read-only."""
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_before": now - ONE_DAY, "not_after": now + 365 * ONE_DAY}

    ca_key, ca_cert = _ca()
    other_ca_key, other_ca_cert = _make_ca("twisted_node other CA", now)
    server_key, server_cert = _make_leaf(ca_key, ca_cert, "localhost", server=True, **valid)
    client_key, client_cert = _make_leaf(ca_key, ca_cert, "client", server=False, **valid)
    revoked_key, revoked_cert = _make_leaf(ca_key, ca_cert, "revoked client", server=False, **valid)
    other_server_key, other_server_cert = _make_leaf(
        other_ca_key, other_ca_cert, "localhost", server=True, **valid
    )
    other_client_key, other_client_cert = _make_leaf(
        other_ca_key, other_ca_cert, "other client", server=False, **valid
    )
    expired_key, expired_cert = _make_leaf(
        ca_key,
        ca_cert,
        "localhost",
        server=True,
        not_before=now - 30 * ONE_DAY,
        not_after=now - 2 * ONE_DAY,
    )
    sni_a_key, sni_a_cert = _make_leaf(
        ca_key, ca_cert, "a.example.com", server=True, names=["a.example.com"], **valid
    )
    sni_wild_key, sni_wild_cert = _make_leaf(
        ca_key, ca_cert, "*.b.example.com", server=True, names=["*.b.example.com"], **valid
    )
    renewed_key, renewed_cert = _make_leaf(ca_key, ca_cert, "localhost renewed", server=True, **valid)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - ONE_DAY)
        .next_update(now + 365 * ONE_DAY)
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(revoked_cert.serial_number)
            .revocation_date(now - ONE_DAY)
            .build()
        )
        .sign(ca_key, hashes.SHA256())
    )
    return {
        "ca_cert": _cert_pem(ca_cert),
        "ca_key": _key_pem(ca_key),
        "server_cert": _cert_pem(server_cert),
        "server_key": _key_pem(server_key),
        "client_cert": _cert_pem(client_cert),
        "client_key": _key_pem(client_key),
        "revoked_client_cert": _cert_pem(revoked_cert),
        "revoked_client_key": _key_pem(revoked_key),
        "crl": crl.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "other_ca_cert": _cert_pem(other_ca_cert),
        "other_ca_key": _key_pem(other_ca_key),
        "other_server_cert": _cert_pem(other_server_cert),
        "other_server_key": _key_pem(other_server_key),
        "other_client_cert": _cert_pem(other_client_cert),
        "other_client_key": _key_pem(other_client_key),
        "expired_server_cert": _cert_pem(expired_cert),
        "expired_server_key": _key_pem(expired_key),
        "sni_a_cert": _cert_pem(sni_a_cert),
        "sni_a_key": _key_pem(sni_a_key),
        "sni_wild_cert": _cert_pem(sni_wild_cert),
        "sni_wild_key": _key_pem(sni_wild_key),
        "renewed_server_cert": _cert_pem(renewed_cert),
        "renewed_server_key": _key_pem(renewed_key),
    }


@functools.cache
def rsa_server() -> dict:
    """An RSA-2048 server certificate for localhost signed by "CA" (of
    make_pki): PEM strings rsa_server_cert, rsa_server_key."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, ca_cert = _ca()
    key, cert = _make_leaf(
        ca_key,
        ca_cert,
        "localhost",
        server=True,
        not_before=now - ONE_DAY,
        not_after=now + 365 * ONE_DAY,
        key=_rsa_key(),
    )
    return {"rsa_server_cert": _cert_pem(cert), "rsa_server_key": _key_pem(key)}


def write_pki(directory: str) -> dict:
    """Write every PEM of `make_pki()` to `directory/<name>.pem`; returns
    name -> path (for openssl, curl or a JS program reading files)."""
    os.makedirs(directory, exist_ok=True)
    paths = {}
    for name, pem in make_pki().items():
        path = os.path.join(directory, name + ".pem")
        with open(path, "w", encoding="ascii") as f:
            f.write(pem)
        paths[name] = path
    return paths
