"""A running gateway in the test's own event loop, on ephemeral ports, with trustme certificates.

Shared by the HTTPS and operator tests (imported by path: the suite runs with --import-mode=importlib).
"""

from __future__ import annotations

import asyncio
import io
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from gateway.app import Gateway
from gateway.config import load_config
from gateway.logs import configure_logging

TOKENS = {"ZZ": "zz-token-0123456789", "SU": "su-token-0123456789", "XX": "xx-token-0123456789",
          "NS": "ns-token-0123456789", "RL": "rl-token-0123456789"}
ADMIN, VIEWER = "admin-token-0123456789", "viewer-token-0123456789"


def fingerprint(leaf: trustme.LeafCert) -> str:
    return x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()).fingerprint(hashes.SHA256()).hex()


@dataclass
class Running:
    gateway: Gateway
    data_dir: Path
    ca: trustme.CA
    client_cert: trustme.LeafCert
    stranger_cert: trustme.LeafCert
    log: io.StringIO
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.gateway.carrier_port}"

    @property
    def operator_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway.operator_port}"

    def client_context(self, cert: trustme.LeafCert | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        if cert is not None:
            cert.configure_cert(context)
        return context


def write_config(tmp: Path, ca: trustme.CA, client_fingerprint: str, *, rate_per_minute: int = 0, rate_burst: int = 60,
                 max_body_bytes: int = 65536, body_timeout: float = 2.0, extra: str = "") -> Path:
    server = ca.issue_cert("127.0.0.1", "localhost")
    server.private_key_pem.write_to_path(str(tmp / "server.key"))
    server.cert_chain_pems[0].write_to_path(str(tmp / "server.pem"))
    ca.cert_pem.write_to_path(str(tmp / "clients-ca.pem"))
    for name, token in TOKENS.items():
        (tmp / f"{name}.token").write_text(token + "\n")
    (tmp / "admin.token").write_text(ADMIN)
    (tmp / "viewer.token").write_text(VIEWER)
    text = f"""
data_dir = "{tmp}"
[https]
port = 0
certificate = "server.pem"
private_key = "server.key"
client_ca = "clients-ca.pem"
max_body_bytes = {max_body_bytes}
body_timeout_seconds = {body_timeout}
idle_timeout_seconds = 3
rate_per_minute = {rate_per_minute}
rate_burst = {rate_burst}
[operator]
port = 0
[sftp]
port = 0
[[operator.users]]
name = "ada"
role = "admin"
token_file = "admin.token"
[[operator.users]]
name = "vic"
role = "viewer"
token_file = "viewer.token"
[pipeline]
workers = 1
[forwarding]
initial_backoff_seconds = 0.05
max_backoff_seconds = 0.2
poll_seconds = 0.05
max_attempts = 3
[logging]
level = "info"
[[sinks]]
name = "screening"
type = "directory"
traffic = "production"
path = "out/production"
[[sinks]]
name = "test"
type = "directory"
traffic = "test"
path = "out/test"
[[accounts]]
name = "ZZ"
senders = ["ZZ", "ZZAIR"]
carriers = ["ZZ"]
token_file = "ZZ.token"
[[accounts]]
name = "MT"
kind = "provider"
status = "certified"
senders = ["ZZ"]
carriers = ["ZZ"]
client_certificates = ["{client_fingerprint}"]
[[accounts]]
name = "SU"
status = "suspended"
senders = ["ZZ"]
token_file = "SU.token"
[[accounts]]
name = "XX"
senders = ["ZZ"]
carriers = ["XX"]
token_file = "XX.token"
[[accounts]]
name = "NS"
senders = ["OTHER"]
token_file = "NS.token"
[[accounts]]
name = "RL"
senders = ["ZZ"]
token_file = "RL.token"
channels = ["sftp"]
""" + extra
    path = tmp / "paxgate.toml"
    path.write_text(text)
    return path


async def start(tmp: Path, **options: object) -> Running:
    ca = trustme.CA()
    client = ca.issue_cert("mt-client@example.test")
    stranger = ca.issue_cert("stranger@example.test")
    config = load_config(write_config(tmp, ca, fingerprint(client), **options))  # type: ignore[arg-type]
    log = io.StringIO()
    configure_logging("info", log)
    gateway = Gateway(config)
    await gateway.start()
    return Running(gateway, tmp, ca, client, stranger, log)


async def wait_for(predicate, timeout: float = 20.0) -> None:
    """Poll ``predicate`` (sync or async) until true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.05)
