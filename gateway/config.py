"""The appliance's configuration: one TOML file, checked at start-up with precise errors.

Every key has a default (``configs/paxgate.toml`` documents them), so ``paxgate serve`` runs on the
embedded file alone. A broken file stops the start with the file, the key and what was expected —
an operator must never learn about a typo from a carrier's failed submission. Secrets never sit in
the TOML: tokens and header values are read from files (relative to the data directory) or from
environment variables.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import msgspec
import msgspec.inspect

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "paxgate.toml"


class ConfigError(ValueError):
    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


class _Table(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class StoreConfig(_Table):
    path: str = "paxgate.db"  # relative to the data directory


class HttpsConfig(_Table):
    host: str = "127.0.0.1"
    port: int = 8443
    certificate: str = ""  # PEM chain; empty: the development certificate in DATA_DIR/tls/
    private_key: str = ""
    client_ca: str = ""  # CA bundle for client certificates (mutual TLS); empty: tokens only
    max_body_bytes: int = 10 * 1024 * 1024
    body_timeout_seconds: float = 30.0  # a client that has not sent its whole body by then gets 408
    idle_timeout_seconds: float = 30.0  # a connection without a complete request head for this long is closed
    rate_per_minute: int = 600  # per account; 0: no limit
    rate_burst: int = 60


class OperatorUser(_Table):
    name: str
    role: Literal["admin", "viewer"] = "viewer"
    token_file: str = ""
    token_env: str = ""
    create_token: bool = False  # write a new random token to token_file on first start


class OperatorConfig(_Table):
    host: str = "127.0.0.1"
    port: int = 8080
    users: tuple[OperatorUser, ...] = ()


class PipelineConfig(_Table):
    workers: int = 0  # validation processes; 0: one per core
    max_in_flight: int = 256  # submissions being processed at once; more get 503 + Retry-After (nothing stored)


class ForwardingConfig(_Table):
    max_attempts: int = 12  # then the delivery is dead-lettered (redrive with `paxgate receipts redrive`)
    initial_backoff_seconds: float = 1.0
    max_backoff_seconds: float = 300.0
    poll_seconds: float = 1.0
    concurrency: int = 8


class SinkConfig(_Table):
    name: str
    type: Literal["directory", "webhook", "amqp"]
    traffic: Literal["production", "test"] = "production"  # a carrier in testing only ever reaches test sinks
    path: str = ""  # directory: relative to the data directory
    url: str = ""  # webhook; amqp: the broker URL without a password (or url_env)
    url_env: str = ""  # amqp: an environment variable holding the broker URL with its password
    exchange: str = ""  # amqp: the downstream exchange ("" = the default exchange, routing_key = a queue)
    routing_key: str = ""  # amqp: the routing key (with the default exchange: the queue's name)
    timeout_seconds: float = 10.0  # webhook: the whole request; amqp: connecting and the publisher confirm
    auth_header: str = ""  # e.g. Authorization; its value comes from auth_value_env or auth_value_file
    auth_value_env: str = ""
    auth_value_file: str = ""
    ca_file: str = ""  # webhook: the CA to trust instead of the system's


class AccountConfig(_Table):
    name: str  # a carrier code or a service provider's name; the login name on every channel
    kind: Literal["carrier", "provider"] = "carrier"
    status: Literal["testing", "certified", "suspended"] = "testing"  # seeds the store; the store then wins
    senders: tuple[str, ...] = ()  # UNB 0004 sender ids the account may use
    carriers: tuple[str, ...] = ()  # airline designators it may report flights for
    channels: tuple[Literal["https", "sftp", "amqp"], ...] = ("https",)
    profile: str = "baseline"
    ssh_keys: tuple[str, ...] = ()  # OpenSSH public keys ("ssh-ed25519 AAAA… comment") it logs in to SFTP with
    create_ssh_key: bool = False  # generate a key pair on first start: private key at DATA_DIR/<name>… (demo)
    ssh_key_file: str = ""  # where create_ssh_key writes the private key (0600; empty: <name>.key), .pub beside it
    amqp_user: str = ""  # the broker user whose messages on the shared queue are this account's (default: name)
    token_file: str = ""
    token_env: str = ""
    create_token: bool = False
    client_certificates: tuple[str, ...] = ()  # SHA-256 fingerprints (hex, colons optional) of its TLS client certs


class SftpPoller(_Table):
    """Client mode: paxgate fetches a carrier's (or service provider's) files from their SFTP drop."""

    account: str  # whose files these are
    host: str
    port: int = 22
    username: str = ""  # our login on their server; empty: "paxgate"
    key_file: str = ""  # our private key for their server (relative to the data directory)
    known_hosts: str = ""  # OpenSSH known_hosts holding their host key; checking is always on
    remote_inbox: str = "out"  # where they put files for us
    remote_acks: str = "in"  # where we put acknowledgements for them ("" = do not upload)
    after: Literal["delete", "move"] = "delete"  # what happens to a remote file after our local commit
    move_to: str = "done"
    interval_seconds: float = 60.0


class SftpConfig(_Table):
    """The SFTP server carriers push to (server mode) and the drops paxgate polls (client mode)."""

    # The embedded configs/paxgate.toml turns the server on; a config file without [sftp] leaves it off,
    # so an existing deployment's file (or a test's) never opens an SSH port nobody asked for.
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 2222
    host_key: str = "ssh/host_ed25519_key"  # generated on first start, relative to the data directory
    root: str = "sftp"  # DATA_DIR/sftp/<ACCOUNT>/{inbox,outbox,archive}
    max_file_bytes: int = 10 * 1024 * 1024
    quota_bytes: int = 100 * 1024 * 1024  # per account, inbox and outbox together
    idle_timeout_seconds: float = 300.0
    password_login: bool = False
    archive_days: int = 0  # 0: taken files are not kept in archive/; n: kept n days
    pollers: tuple[SftpPoller, ...] = ()


class AmqpConfig(_Table):
    """The message-queue ingress (RabbitMQ, AMQP 0-9-1); off while ``url`` and ``url_env`` are empty.

    Quorum queues are the default: they are replicated, always persistent, and count deliveries
    (``x-delivery-count``) on the broker, so ``max_attempts`` holds across gateway restarts. With
    ``classic`` the count is kept in the gateway's memory and starts again after a restart."""

    url: str = ""  # amqp://user@host:5672/vhost — no password here: put the whole URL in url_env's variable instead
    url_env: str = ""  # an environment variable holding the whole URL (with its password)
    queue_prefix: str = "paxgate.in."  # per-account queues: paxgate.in.<ACCOUNT>
    ack_prefix: str = "paxgate.ack."  # acknowledgements without reply_to: paxgate.ack.<ACCOUNT>
    shared_queue: str = ""  # optional: one queue for all, the account is the broker-validated user_id
    queue_type: Literal["quorum", "classic"] = "quorum"
    prefetch: int = 32  # unacknowledged messages in flight per consumer: how many are processed at once
    max_attempts: int = 5  # deliveries of one message before it goes to the dead-letter queue (keep it below a
    # quorum queue's delivery-limit policy, 20 by default from RabbitMQ 4.0, or the broker drops the message first)
    dead_letter_queue: str = "paxgate.dead"
    max_message_bytes: int = 10 * 1024 * 1024  # larger bodies go to the dead-letter queue at once
    timeout_seconds: float = 10.0  # connecting, declaring, and each publisher confirm
    reconnect_max_seconds: float = 30.0  # reconnect backoff doubles from 0.5 s up to this


class IapiConfig(_Table):
    """The national decision hook for interactive API requests (DESIGN.md §6.9)."""

    hook_url: str = ""  # empty: paxgate's own data-sufficiency decision answers every request
    deadline_seconds: float = 2.0  # the hook's answer must arrive by then, or the fallback answers
    fallback: Literal["default", "board", "no_board", "advisory", "insufficient"] = "default"
    auth_header: str = ""
    auth_value_env: str = ""
    auth_value_file: str = ""
    ca_file: str = ""


class RetentionConfig(_Table):
    """How long personal data stays (privacy by design: enforced by the gateway, not by a cron job)."""

    payload_days: int = 90  # the raw bytes of a receipt; afterwards it cannot be reprocessed
    delivered_days: int = 7  # the body of an outbox row its sink has taken
    parts_days: int = 30  # the parts of a forwarded multi-part unit


class LoggingConfig(_Table):
    level: Literal["debug", "info", "warning", "error"] = "info"


class WatchlistConfig(_Table):
    """One watchlist file screened against every traveller (gateway.screening)."""

    name: str  # shown on hits and used by analyst allow-list decisions
    path: str  # relative to the data directory
    format: Literal["", "un", "ftm", "csv"] = ""  # "": detected from the file's content
    threshold: float = 0.85  # alert threshold on the 0..1 score scale


class ScreeningConfig(_Table):
    """Watchlist screening; no lists: screening is off."""

    lists: tuple[WatchlistConfig, ...] = ()
    reload_seconds: float = 0.0  # poll the list files' modification times this often and reload; 0: off


class Config(_Table):
    data_dir: str = "./paxgate-data"
    store: StoreConfig = StoreConfig()
    https: HttpsConfig = HttpsConfig()
    operator: OperatorConfig = OperatorConfig()
    pipeline: PipelineConfig = PipelineConfig()
    forwarding: ForwardingConfig = ForwardingConfig()
    logging: LoggingConfig = LoggingConfig()
    retention: RetentionConfig = RetentionConfig()
    iapi: IapiConfig = IapiConfig()
    sftp: SftpConfig = SftpConfig()
    amqp: AmqpConfig = AmqpConfig()
    sinks: tuple[SinkConfig, ...] = ()
    accounts: tuple[AccountConfig, ...] = ()
    screening: ScreeningConfig = ScreeningConfig()

    def path(self, relative: str) -> Path:
        """A path from the file, relative to the data directory unless absolute."""
        path = Path(relative)
        return path if path.is_absolute() else Path(self.data_dir) / path


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")


def load_config(path: str | Path | None = None, *, data_dir: str | None = None) -> Config:
    source = Path(path) if path is not None else DEFAULT_CONFIG
    try:
        mapping = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(source), "(file)", "no such file") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(source), "(syntax)", str(error)) from None
    mapping = _environment_overrides(mapping, os.environ)
    try:
        config = msgspec.convert(mapping, Config)
    except msgspec.ValidationError as error:
        text = str(error)
        match = _AT.search(text)
        key = match["path"].lstrip(".") if match else "(top level)"
        problem = _AT.sub("", text).replace("Object contains unknown field", "unknown key")
        choices = _choices(key)
        if choices:
            problem += f"; expected one of: {', '.join(choices)}"
        raise ConfigError(str(source), key or "(top level)", problem) from None
    if data_dir is not None:
        config = msgspec.structs.replace(config, data_dir=data_dir)
    _check(config, str(source))
    return config


ENV_PREFIX = "PAXGATE__"


def _environment_overrides(mapping: dict[str, object], environ: Mapping[str, str]) -> dict[str, object]:
    """``PAXGATE__HTTPS__HOST=0.0.0.0`` sets ``https.host``: containers change a setting without a
    new file. A value is read as a TOML value when it is one (numbers, booleans, lists), else as text."""
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX):].split("__")]
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        table = mapping
        for part in path[:-1]:
            inner = table.setdefault(part, {})
            if not isinstance(inner, dict):
                raise ConfigError(name, ".".join(path), f"{part} is not a table")
            table = inner
        table[path[-1]] = value
    return mapping


def _choices(key: str) -> list[str]:
    """The allowed values of the setting at ``key`` (e.g. ``accounts[0].status``) when it is a choice."""
    info: msgspec.inspect.Type = msgspec.inspect.type_info(Config)
    for name in re.sub(r"\[\d+\]", "", key).split("."):
        while isinstance(info, msgspec.inspect.VarTupleType):
            info = info.item_type
        if not isinstance(info, msgspec.inspect.StructType):
            return []
        info = next((f.type for f in info.fields if f.name == name), msgspec.inspect.AnyType())
    while isinstance(info, msgspec.inspect.VarTupleType):
        info = info.item_type
    return sorted(str(v) for v in info.values) if isinstance(info, msgspec.inspect.LiteralType) else []


def _check(config: Config, source: str) -> None:
    """Cross-key rules msgspec's types cannot say."""
    for table, port in (("https.port", config.https.port), ("operator.port", config.operator.port),
                        ("sftp.port", config.sftp.port)):
        if not 0 <= port <= 65535:
            raise ConfigError(source, table, f"expected a TCP port 0…65535, got {port}")
    if bool(config.https.certificate) != bool(config.https.private_key):
        raise ConfigError(source, "https.private_key", "certificate and private_key go together: give both or neither")
    names: set[str] = set()
    for i, account in enumerate(config.accounts):
        key = f"accounts[{i}]"
        if not account.name or not account.name.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(source, f"{key}.name", "expected letters, digits, '-' or '_' (it is also a login name)")
        if account.name in names:
            raise ConfigError(source, f"{key}.name", f"account {account.name} is defined twice")
        names.add(account.name)
        if account.token_file and account.token_env:
            raise ConfigError(source, f"{key}.token_env", "give token_file or token_env, not both")
        if account.create_token and not account.token_file:
            raise ConfigError(source, f"{key}.create_token", "needs token_file: the file the new token is written to")
        for j, fingerprint in enumerate(account.client_certificates):
            if len(normalise_fingerprint(fingerprint)) != 64:
                raise ConfigError(source, f"{key}.client_certificates[{j}]", "expected a SHA-256 fingerprint: 64 hex digits")
    sink_names: set[str] = set()
    for i, sink in enumerate(config.sinks):
        key = f"sinks[{i}]"
        if sink.name in sink_names:
            raise ConfigError(source, f"{key}.name", f"sink {sink.name} is defined twice")
        sink_names.add(sink.name)
        if sink.type == "directory" and not sink.path:
            raise ConfigError(source, f"{key}.path", "a directory sink needs a path")
        if sink.type == "webhook" and not sink.url.startswith(("http://", "https://")):
            raise ConfigError(source, f"{key}.url", "a webhook sink needs an http:// or https:// url")
        if sink.type == "amqp":
            _check_broker_url(source, key, sink.url, sink.url_env)
            if not sink.exchange and not sink.routing_key:
                raise ConfigError(source, f"{key}.routing_key", "with the default exchange (exchange = '') it names the queue")
        if sink.auth_header and not (sink.auth_value_env or sink.auth_value_file):
            raise ConfigError(source, f"{key}.auth_header", "its value comes from auth_value_env or auth_value_file")
    for i, user in enumerate(config.operator.users):
        if not (user.token_file or user.token_env):
            raise ConfigError(source, f"operator.users[{i}]", "an operator needs token_file or token_env")
    _check_pollers(config, source)
    _check_identities(config, source)
    _check_ranges(config, source)
    if config.iapi.hook_url and not config.iapi.hook_url.startswith(("http://", "https://")):
        raise ConfigError(source, "iapi.hook_url", "expected an http:// or https:// url")
    if not 0 < config.iapi.deadline_seconds <= 30:
        raise ConfigError(source, "iapi.deadline_seconds", "expected more than 0 and at most 30 seconds")
    for key in ("payload_days", "delivered_days", "parts_days"):
        if getattr(config.retention, key) < 1:
            raise ConfigError(source, f"retention.{key}", "expected at least 1 day")
    if config.forwarding.max_attempts < 1:
        raise ConfigError(source, "forwarding.max_attempts", "expected at least 1")
    _check_amqp(config.amqp, source)
    _check_screening(config.screening, source)


def _check_broker_url(source: str, key: str, url: str, url_env: str) -> None:
    """A broker URL is amqp:// or amqps:// and carries no password: secrets never sit in the file."""
    if url and url_env:
        raise ConfigError(source, f"{key}.url_env", "give url or url_env, not both")
    if url:
        if not url.startswith(("amqp://", "amqps://")):
            raise ConfigError(source, f"{key}.url", "expected an amqp:// or amqps:// url")
        try:
            password = urlsplit(url).password
        except ValueError:
            raise ConfigError(source, f"{key}.url", "not a valid url") from None
        if password:
            raise ConfigError(source, f"{key}.url", "no password in the file: put the whole URL in the variable url_env names")


def _check_screening(screening: ScreeningConfig, source: str) -> None:
    names: set[str] = set()
    for i, watchlist in enumerate(screening.lists):
        key = f"screening.lists[{i}]"
        if not watchlist.name:
            raise ConfigError(source, f"{key}.name", "a list needs a name (it is shown on every hit)")
        if watchlist.name in names:
            raise ConfigError(source, f"{key}.name", f"list {watchlist.name} is defined twice")
        names.add(watchlist.name)
        if not watchlist.path:
            raise ConfigError(source, f"{key}.path", "a list needs the path of its file")
        if not 0 < watchlist.threshold <= 1:
            raise ConfigError(source, f"{key}.threshold", f"expected a score in (0, 1], got {watchlist.threshold}")
    if screening.reload_seconds < 0:
        raise ConfigError(source, "screening.reload_seconds", f"expected 0 (off) or more seconds, got {screening.reload_seconds}")


def _check_amqp(amqp: AmqpConfig, source: str) -> None:
    if amqp.url or amqp.url_env:
        _check_broker_url(source, "amqp", amqp.url, amqp.url_env)
    if amqp.prefetch < 1:
        raise ConfigError(source, "amqp.prefetch", "expected at least 1")
    if amqp.max_attempts < 1:
        raise ConfigError(source, "amqp.max_attempts", "expected at least 1")
    if amqp.max_message_bytes < 1:
        raise ConfigError(source, "amqp.max_message_bytes", "expected at least 1")
    if amqp.timeout_seconds <= 0:
        raise ConfigError(source, "amqp.timeout_seconds", "expected more than 0 seconds")
    if amqp.reconnect_max_seconds < 0.5:
        raise ConfigError(source, "amqp.reconnect_max_seconds", "expected at least 0.5 seconds")
    if not amqp.queue_prefix or not amqp.ack_prefix or amqp.queue_prefix == amqp.ack_prefix:
        raise ConfigError(source, "amqp.ack_prefix", "queue_prefix and ack_prefix must both be set and differ")
    if not amqp.dead_letter_queue:
        raise ConfigError(source, "amqp.dead_letter_queue", "expected a queue name")
    if amqp.shared_queue and amqp.shared_queue == amqp.dead_letter_queue:
        raise ConfigError(source, "amqp.shared_queue", "the shared queue cannot be the dead-letter queue")


def _check_identities(config: Config, source: str) -> None:
    """One credential, one account: a shared token, certificate or broker user would let one
    account submit as another (whichever the lookup finds first)."""
    seen: dict[tuple[str, str], str] = {}
    for i, account in enumerate(config.accounts):
        credentials = [("token_file", account.token_file), ("token_env", account.token_env),
                       ("amqp_user", account.amqp_user or account.name)]
        credentials += [("client_certificates", normalise_fingerprint(f)) for f in account.client_certificates]
        for kind, value in credentials:
            if not value:
                continue
            other = seen.setdefault((kind, value), account.name)
            if other != account.name:
                raise ConfigError(source, f"accounts[{i}].{kind}", f"{value!r} already belongs to account {other}")


def _check_ranges(config: Config, source: str) -> None:
    at_least = [("pipeline.workers", config.pipeline.workers, 0), ("pipeline.max_in_flight", config.pipeline.max_in_flight, 1),
                ("forwarding.concurrency", config.forwarding.concurrency, 1),
                ("https.max_body_bytes", config.https.max_body_bytes, 1),
                ("https.rate_per_minute", config.https.rate_per_minute, 0),
                ("https.rate_burst", config.https.rate_burst, 1), ("sftp.max_file_bytes", config.sftp.max_file_bytes, 1),
                ("sftp.quota_bytes", config.sftp.quota_bytes, 1), ("sftp.archive_days", config.sftp.archive_days, 0)]
    for key, value, least in at_least:
        if value < least:
            raise ConfigError(source, key, f"expected at least {least}, got {value}")
    positive = [("forwarding.poll_seconds", config.forwarding.poll_seconds),
                ("forwarding.initial_backoff_seconds", config.forwarding.initial_backoff_seconds),
                ("forwarding.max_backoff_seconds", config.forwarding.max_backoff_seconds),
                ("https.body_timeout_seconds", config.https.body_timeout_seconds),
                ("https.idle_timeout_seconds", config.https.idle_timeout_seconds),
                ("sftp.idle_timeout_seconds", config.sftp.idle_timeout_seconds)]
    for key, value in positive:
        if not value > 0:
            raise ConfigError(source, key, f"expected more than 0, got {value}")


def _check_pollers(config: Config, source: str) -> None:
    accounts = {a.name: a for a in config.accounts}
    for i, poller in enumerate(config.sftp.pollers):
        key = f"sftp.pollers[{i}]"
        account = accounts.get(poller.account)
        if account is None:
            raise ConfigError(source, f"{key}.account", f"no account {poller.account}; expected one of {', '.join(accounts)}")
        if "sftp" not in account.channels:
            raise ConfigError(source, f"{key}.account", f"account {poller.account} does not have the sftp channel")
        for field in ("host", "key_file", "known_hosts"):
            if not getattr(poller, field):
                raise ConfigError(source, f"{key}.{field}", "required: a poller checks the host key and logs in with a key")
        if poller.after == "move" and not poller.move_to:
            raise ConfigError(source, f"{key}.move_to", "after = \"move\" needs the remote folder to move files to")
        if poller.interval_seconds <= 0:
            raise ConfigError(source, f"{key}.interval_seconds", "expected more than 0 seconds")


def normalise_fingerprint(value: str) -> str:
    return value.replace(":", "").strip().lower()


def read_secret(config: Config, *, file: str, env: str, what: str) -> str | None:
    """A secret from a file (relative to the data directory) or an environment variable; None if unset."""
    if env:
        value = os.environ.get(env)
        if not value:
            raise ConfigError("environment", env, f"{what}: the variable is not set")
        return value.strip()
    if file:
        path = config.path(file)
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
    return None
