"""The carrier registry: who may send, as whom, over which channel (DESIGN.md §6.5).

Accounts are seeded from the config file into the store at start-up; after that the store is the
truth (an operator's suspension or certification survives restarts and config reloads). Tokens are
kept only as SHA-256 digests; a token is compared by digest lookup, never by string comparison of
secrets. Refusals carry the HTTP status and a problem ``type`` so every adapter can say them
precisely (RFC 9457 for HTTPS, a log event and an error file or dead-letter for SFTP/AMQP).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.config import AccountConfig, Config, normalise_fingerprint, read_secret
from gateway.store import AccountRecord, Store

log = structlog.get_logger("paxgate.accounts")


class Refusal(Exception):  # noqa: N818 - a refusal is an answer, not an error of ours
    """A submission refused before anything was stored."""

    def __init__(self, status: int, kind: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_token(config: Config, file: str, what: str) -> Path:
    """Write a new random token to ``file`` (mode 0600) unless it exists; returns its path."""
    path = config.path(file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
        log.info("token_created", path=str(path), account=what)
    return path


def ssh_fingerprint(public_key: str) -> str:
    """OpenSSH's SHA-256 fingerprint (``SHA256:…``, as ``ssh-keygen -l`` prints it) of a public key line."""
    blob = base64.b64decode(public_key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def ensure_ssh_key(config: Config, account: AccountConfig) -> str | None:
    """With ``create_ssh_key``: the account's demo SSH key pair, made on first start so the demo carrier
    can use SFTP at once. The private key (OpenSSH format, mode 0600) goes to ``DATA_DIR/<ssh_key_file>``
    (default ``<name>.key``), the public key beside it (``.pub``). Returns the public key line to register,
    derived from the private key on every start, so a lost ``.pub`` changes nothing."""
    if not account.create_ssh_key:
        return None
    path = config.path(account.ssh_key_file or f"{account.name}.key")
    created = not path.exists()
    if not created:
        private = serialization.load_ssh_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path}: expected the ed25519 key paxgate wrote")
    else:
        private = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                    serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    line = f"{public.decode('ascii')} {account.name}@paxgate"
    pub = path.with_name(path.name + ".pub")
    if not pub.exists():
        pub.write_text(line + "\n", encoding="ascii")
    if created:
        log.info("ssh_key_created", path=str(path), account=account.name, fingerprint=ssh_fingerprint(line))
    return line


async def seed_accounts(config: Config, store: Store) -> list[AccountRecord]:
    seeded = []
    for account in config.accounts:
        if account.create_token:
            ensure_token(config, account.token_file, account.name)
        generated = ensure_ssh_key(config, account)
        seeded.append(await store.seed_account(_record(config, account, generated)))
    return seeded


def _record(config: Config, account: AccountConfig, generated_ssh_key: str | None = None) -> AccountRecord:
    token = read_secret(config, file=account.token_file, env=account.token_env, what=f"account {account.name} token")
    extra = (generated_ssh_key,) if generated_ssh_key and generated_ssh_key not in account.ssh_keys else ()
    ssh_keys = account.ssh_keys + extra
    return AccountRecord(
        name=account.name, kind=account.kind, status=account.status, senders=account.senders, carriers=account.carriers,
        channels=tuple(account.channels), profile=account.profile, token_sha256=token_digest(token) if token else None,
        client_certificates=tuple(normalise_fingerprint(f) for f in account.client_certificates),
        ssh_keys=ssh_keys, amqp_user=account.amqp_user)


def authorize(account: AccountRecord, channel: str) -> None:
    """Raise a Refusal unless ``account`` may submit over ``channel`` now."""
    if account.status == "suspended":
        raise Refusal(403, "account-suspended", "Account suspended",
                      f"account {account.name} is suspended; contact the border agency's carrier-engagement team")
    if channel not in account.channels:
        raise Refusal(403, "channel-not-allowed", "Channel not allowed",
                      f"account {account.name} may submit over {', '.join(account.channels) or 'no channel'}, not {channel}")
