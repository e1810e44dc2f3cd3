"""The carrier registry: who may send, as whom, over which channel (DESIGN.md §6.5).

Accounts are seeded from the config file into the store at start-up; after that the store is the
truth (an operator's suspension or certification survives restarts and config reloads). Tokens are
kept only as SHA-256 digests; a token is compared by digest lookup, never by string comparison of
secrets. Refusals carry the HTTP status and a problem ``type`` so every adapter can say them
precisely (RFC 9457 for HTTPS, a log event and an error file or dead-letter for SFTP/AMQP).
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import structlog

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


async def seed_accounts(config: Config, store: Store) -> list[AccountRecord]:
    seeded = []
    for account in config.accounts:
        if account.create_token:
            ensure_token(config, account.token_file, account.name)
        seeded.append(await store.seed_account(_record(config, account)))
    return seeded


def _record(config: Config, account: AccountConfig) -> AccountRecord:
    token = read_secret(config, file=account.token_file, env=account.token_env, what=f"account {account.name} token")
    return AccountRecord(
        name=account.name, kind=account.kind, status=account.status, senders=account.senders, carriers=account.carriers,
        channels=tuple(account.channels), profile=account.profile, token_sha256=token_digest(token) if token else None,
        client_certificates=tuple(normalise_fingerprint(f) for f in account.client_certificates),
        ssh_keys=account.ssh_keys, amqp_user=account.amqp_user)


def authorize(account: AccountRecord, channel: str) -> None:
    """Raise a Refusal unless ``account`` may submit over ``channel`` now."""
    if account.status == "suspended":
        raise Refusal(403, "account-suspended", "Account suspended",
                      f"account {account.name} is suspended; contact the border agency's carrier-engagement team")
    if channel not in account.channels:
        raise Refusal(403, "channel-not-allowed", "Channel not allowed",
                      f"account {account.name} may submit over {', '.join(account.channels) or 'no channel'}, not {channel}")
