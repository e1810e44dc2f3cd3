"""TLS for the carrier listener: the development certificate and the server context.

A real deployment points ``https.certificate``/``https.private_key`` at its own files and
``https.client_ca`` at the CA that signs carriers' client certificates. Without them paxgate
generates a self-signed certificate for ``localhost``/``127.0.0.1`` on first start (kept in the
data directory, so its fingerprint stays the same across restarts) and logs the fingerprint, so a
tester can pin it (``curl --cacert DIR/tls/cert.pem``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def development_certificate(directory: Path) -> tuple[Path, Path, bool]:
    """``(cert.pem, key.pem, created)`` in ``directory``, generating them when absent."""
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path, False
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paxgate development certificate")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.IPAddress(ipaddress.ip_address("::1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path, True


def certificate_fingerprint(pem_path: Path) -> str:
    certificate = x509.load_pem_x509_certificate(pem_path.read_bytes())
    return certificate.fingerprint(hashes.SHA256()).hex()


def der_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def server_context(certificate: Path, private_key: Path, client_ca: Path | None) -> ssl.SSLContext:
    """TLS 1.2+ server context; with a client CA, client certificates are verified when sent
    (optional, so token-authenticated carriers need none)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificate, private_key)
    if client_ca is not None:
        context.load_verify_locations(cafile=str(client_ca))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context
