"""A throw-away test PKI, generated with `cryptography`.

Two certificate authorities: "CA" signs the server (localhost, 127.0.0.1),
a client ("client"), a revoked client (listed in the CA's CRL) and an expired
server; "Other CA" signs a server and a client ("other client") that only a
peer trusting it too accepts. Everything is PEM text, so a
test can hand it to setSecure as is, or `write_pki` it to files for openssl.

EC P-256 keys keep generation fast; the PKI is still built once per process.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
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


def _make_leaf(ca_key, ca_cert, common_name, *, server, not_before, not_after):
    key = _key()
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
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


@functools.cache
def make_pki() -> dict:
    """PEM strings: ca_cert, ca_key, server_cert, server_key, client_cert,
    client_key, revoked_client_cert, revoked_client_key, crl, other_ca_cert,
    other_ca_key, other_server_cert, other_server_key, other_client_cert,
    other_client_key, expired_server_cert, expired_server_key. Built once
    per process; treat the dict as read-only."""
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_before": now - ONE_DAY, "not_after": now + 365 * ONE_DAY}

    ca_key, ca_cert = _make_ca("twisted_node test CA", now)
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
    }


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
