"""Online runs: the catalogue sent to a live gateway over HTTPS, SFTP or AMQP, as a carrier sends it.

The kit uses only what a carrier has (DESIGN.md §1: conformance talks to the gateway through the
public protocols): a bearer token or client certificate for HTTPS, an SSH key for SFTP, a broker
login for AMQP. Each channel client turns one message into an :class:`~conformance.runner.Observed`:

- **HTTPS**: ``POST /v1/messages`` exactly as in production (the answer body is the acknowledgement,
  the headers name the receipt, verdict and replay), then ``GET /v1/messages/{receipt}`` for what
  the acknowledgement cannot carry: findings, duplicate flag, receipt history.
- **SFTP**: upload to ``inbox/<name>`` (the CLOSE is answered after intake), collect
  ``outbox/<name>.<kind>`` and delete it, as a carrier's job would; the receipt id shows only
  when the gateway keeps ``archive/<receipt>-<name>``.
- **AMQP**: publish to ``<queue_prefix><ACCOUNT>`` with ``reply_to`` (a private reply queue),
  ``correlation_id`` and the broker-validated ``user_id``; the answer carries the receipt, verdict
  and replay in its headers.

Credentials are read from files and never written to reports or logs; endpoint URLs are shown
without passwords.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import msgspec

from conformance.catalogue import Scenario
from conformance.runner import (
    ONLINE_ONLY,
    CaseResult,
    MessageResult,
    Observed,
    Renderer,
    Sent,
    ack_kind,
    check,
    conclude,
    new_case,
    render_for,
)

NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to reach the gateway; secrets are loaded from files by the caller's options."""

    url: str
    account: str
    token: str | None = None  # HTTPS bearer token
    cacert: Path | None = None  # trust anchor for HTTPS / AMQPS (default: the system's)
    client_cert: Path | None = None  # HTTPS mutual TLS
    client_key: Path | None = None
    ssh_key: Path | None = None  # SFTP
    known_hosts: Path | None = None  # SFTP host keys (default: ~/.ssh/known_hosts)
    password: str | None = None  # AMQP (or in the URL)
    queue_prefix: str = "paxgate.in."
    timeout: float = 60.0  # seconds to wait for one acknowledgement

    @property
    def scheme(self) -> str:
        return urlsplit(self.url).scheme.lower()

    @property
    def channel(self) -> str:
        return {"https": "https", "http": "https", "sftp": "sftp", "amqp": "amqp", "amqps": "amqp"}[self.scheme]

    @property
    def shown(self) -> str:
        """The URL without any password, for reports."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = (f"{parts.username}@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class Channel(Protocol):
    name: str

    async def open(self) -> None: ...
    async def send(self, sent: Sent) -> Observed: ...
    async def close(self) -> None: ...
    async def version(self) -> str | None: ...


def channel_for(endpoint: Endpoint) -> Channel:
    scheme = endpoint.scheme
    if scheme in ("https", "http"):
        return HttpsChannel(endpoint)
    if scheme == "sftp":
        return SftpChannel(endpoint)
    if scheme in ("amqp", "amqps"):
        return AmqpChannel(endpoint)
    raise ValueError(f"endpoint {endpoint.shown}: expected an https://, sftp:// or amqp(s):// URL")


def _tls(endpoint: Endpoint) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(endpoint.cacert) if endpoint.cacert else None)
    if endpoint.client_cert is not None:
        context.load_cert_chain(str(endpoint.client_cert), str(endpoint.client_key) if endpoint.client_key else None)
    return context


def _document(body: bytes) -> dict[str, Any] | None:
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None
    return value if isinstance(value, dict) else None


def _from_document(observed: Observed, document: dict[str, Any]) -> None:
    """Fill what a receipt document (DESIGN.md §6.10) shows."""
    observed.receipt = observed.receipt or document.get("receipt")
    observed.verdict = observed.verdict or document.get("verdict")
    if "duplicate" in document:
        observed.duplicate = document.get("duplicate") or "none"
    if isinstance(document.get("findings"), list):
        observed.findings = [f for f in document["findings"] if isinstance(f, dict)]
    if isinstance(document.get("history"), list):
        observed.history = [str(e.get("stage")) for e in document["history"] if isinstance(e, dict)]
    if isinstance(document.get("acknowledgements"), list):
        observed.acks = [(str(a.get("kind")), str(a.get("payload", "")).encode("latin-1"))
                         for a in document["acknowledgements"] if isinstance(a, dict)]


def _split_acks(body: bytes) -> list[tuple[str, bytes]]:
    """An answer body holding acknowledgement interchanges, one per line."""
    return [(ack_kind(line), line) for line in (part.strip() for part in body.split(b"\n")) if line]


# --- HTTPS -----------------------------------------------------------------------------------------------------


class HttpsChannel:
    name = "https"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        base = endpoint.url.rstrip("/")
        self.base = base[: -len("/v1/messages")] if base.endswith("/v1/messages") else base
        self.session: Any = None

    async def open(self) -> None:
        import aiohttp  # noqa: PLC0415 - each channel loads only its own client library

        connector = aiohttp.TCPConnector(ssl=_tls(self.endpoint) if self.endpoint.scheme == "https" else False)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=self.endpoint.timeout))

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.endpoint.token}"} if self.endpoint.token else {}

    async def send(self, sent: Sent) -> Observed:
        observed = Observed("https")
        try:
            async with self.session.post(f"{self.base}/v1/messages", data=sent.payload,
                                         headers={**self._headers(), "Content-Type": "application/edifact"}) as response:
                body = await response.read()
                observed.status = f"HTTP {response.status}"
                if response.status != 200:
                    observed.error = f"HTTP {response.status}: {body.decode('utf-8', 'replace')[:500]}"
                    return observed
                observed.receipt = response.headers.get("X-Paxgate-Receipt")
                observed.verdict = response.headers.get("X-Paxgate-Verdict") or None
                replayed = response.headers.get("X-Paxgate-Replayed")
                observed.replayed = None if replayed is None else replayed == "true"
                if response.content_type == "application/json":
                    observed.receipt_document = body
                    _from_document(observed, _document(body) or {})
                else:
                    observed.acks = _split_acks(body)
            if observed.receipt:
                async with self.session.get(f"{self.base}/v1/messages/{observed.receipt}", headers=self._headers()) as response:
                    if response.status == 200:
                        document = await response.read()
                        observed.receipt_document = document
                        _from_document(observed, _document(document) or {})
        except (OSError, TimeoutError) as error:
            observed.error = f"HTTPS: {type(error).__name__}: {error}"
        except Exception as error:  # aiohttp's client errors; the run goes on with the next message
            observed.error = f"HTTPS: {type(error).__name__}: {error}"
        return observed

    async def version(self) -> str | None:
        """The carrier API version the gateway's OpenAPI document states (the gateway build is not exposed)."""
        try:
            async with self.session.get(f"{self.base}/v1/openapi.json") as response:
                document = _document(await response.read()) if response.status == 200 else None
        except Exception:  # a version is nice to have, never a reason to fail a run
            return None
        info = (document or {}).get("info") or {}
        return f"carrier API {info['version']}" if info.get("version") else None

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


# --- SFTP ------------------------------------------------------------------------------------------------------


class SftpChannel:
    name = "sftp"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        parts = urlsplit(endpoint.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 22
        self.user = unquote(parts.username) if parts.username else endpoint.account
        self.connection: Any = None
        self.sftp: Any = None

    async def open(self) -> None:
        import asyncssh  # noqa: PLC0415

        known = str(self.endpoint.known_hosts) if self.endpoint.known_hosts else ()
        self.connection = await asyncssh.connect(
            self.host, self.port, username=self.user, known_hosts=known or (),
            client_keys=[str(self.endpoint.ssh_key)] if self.endpoint.ssh_key else None,
            agent_path=None, password=None, connect_timeout=self.endpoint.timeout)
        self.sftp = await self.connection.start_sftp_client()

    async def send(self, sent: Sent) -> Observed:
        observed = Observed("sftp")
        name = sent.name
        try:
            async with self.sftp.open(f"inbox/{name}", "wb") as remote:
                await remote.write(sent.payload)
            # the CLOSE is answered after intake, so the acknowledgement is normally there already
            deadline = time.monotonic() + self.endpoint.timeout
            files: list[str] = []
            while True:
                files = [f for f in await self.sftp.listdir("outbox") if f.startswith(name + ".")]
                if files or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
            if not files:
                observed.error = f"no outbox/{name}.* within {self.endpoint.timeout:g} s"
                return observed
            observed.status = "outbox: " + ", ".join(sorted(files))
            for file in sorted(files):
                async with self.sftp.open(f"outbox/{file}", "rb") as remote:
                    body = await remote.read()
                await self.sftp.remove(f"outbox/{file}")  # collected: the outbox counts against the quota
                kind = file[len(name) + 1:]
                if kind in ("contrl", "cusres"):
                    observed.acks += [(kind, line) for _, line in _split_acks(body)]
                elif kind == "json":
                    observed.receipt_document = body
                    _from_document(observed, _document(body) or {})
                else:
                    observed.error = f"outbox/{file}: {body.decode('utf-8', 'replace')[:500]}"
            with contextlib.suppress(Exception):  # archive/ exists only when the gateway keeps taken files
                archived = [f for f in await self.sftp.listdir("archive") if f.endswith("-" + name)]
                if archived:
                    observed.receipt = archived[0][: -len(name) - 1]
        except Exception as error:  # asyncssh's SFTPError and connection errors: recorded, the run goes on
            observed.error = f"SFTP: {type(error).__name__}: {error}"
        return observed

    async def version(self) -> str | None:
        return None  # SFTP shows only the server's SSH version string, not the gateway's

    async def close(self) -> None:
        if self.sftp is not None:
            self.sftp.exit()
        if self.connection is not None:
            self.connection.close()
            await self.connection.wait_closed()


# --- AMQP ------------------------------------------------------------------------------------------------------


class AmqpChannel:
    name = "amqp"

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        parts = urlsplit(endpoint.url)
        self.user = unquote(parts.username) if parts.username else "guest"
        self.connection: Any = None
        self.channel: Any = None
        self.replies: Any = None
        self.waiting: dict[str, asyncio.Future[Any]] = {}

    async def open(self) -> None:
        import aio_pika  # noqa: PLC0415

        parts = urlsplit(self.endpoint.url)
        password = self.endpoint.password if self.endpoint.password is not None else unquote(parts.password or "")
        options: dict[str, Any] = {}
        if self.endpoint.scheme == "amqps":
            options["ssl_context"] = _tls(self.endpoint)
        self.connection = await aio_pika.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5672,
                                                 login=self.user, password=password or "guest",
                                                 virtualhost=unquote(parts.path.lstrip("/")) or "/",
                                                 ssl=self.endpoint.scheme == "amqps", timeout=self.endpoint.timeout, **options)
        self.channel = await self.connection.channel(publisher_confirms=True)
        self.replies = await self.channel.declare_queue(exclusive=True, auto_delete=True)
        await self.replies.consume(self._on_reply)

    async def _on_reply(self, message: Any) -> None:  # noqa: ANN401 - aio_pika.IncomingMessage
        await message.ack()
        waiter = self.waiting.get(message.correlation_id or "")
        if waiter is not None and not waiter.done():
            waiter.set_result(message)

    async def send(self, sent: Sent) -> Observed:
        import aio_pika  # noqa: PLC0415

        observed = Observed("amqp")
        correlation = f"{sent.name}#{time.monotonic_ns()}"
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[correlation] = waiter
        queue = self.endpoint.queue_prefix + self.endpoint.account
        try:
            await self.channel.default_exchange.publish(
                aio_pika.Message(sent.payload, content_type="application/edifact", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                 reply_to=self.replies.name, correlation_id=correlation, message_id=correlation,
                                 user_id=self.user),
                routing_key=queue, mandatory=True)
            answer = await asyncio.wait_for(waiter, self.endpoint.timeout)
        except TimeoutError:
            observed.error = f"no answer on the reply queue within {self.endpoint.timeout:g} s (queue {queue})"
            return observed
        except Exception as error:  # unroutable (no such queue), channel closed …: recorded, the run goes on
            observed.error = f"AMQP: {type(error).__name__}: {error}"
            return observed
        finally:
            self.waiting.pop(correlation, None)
        headers = dict(answer.headers or {})
        observed.status = f"reply {answer.content_type or '?'}"
        observed.receipt = _text(headers.get("x-paxgate-receipt"))
        observed.verdict = _text(headers.get("x-paxgate-verdict"))
        replayed = _text(headers.get("x-paxgate-replayed"))
        observed.replayed = None if replayed is None else replayed == "true"
        if answer.content_type == "application/problem+json":
            observed.error = "refused: " + answer.body.decode("utf-8", "replace")[:500]
        elif answer.content_type == "application/json":
            observed.receipt_document = answer.body
            _from_document(observed, _document(answer.body) or {})
        else:
            observed.acks = _split_acks(answer.body)
        return observed

    async def version(self) -> str | None:
        return None

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value) or None


# --- the run ---------------------------------------------------------------------------------------------------


async def run_online(scenarios: Sequence[Scenario], endpoint: Endpoint, renderer: Renderer,
                     channel: Channel | None = None) -> tuple[list[CaseResult], str | None]:
    """Every scenario through one channel, message by message, in catalogue order. Returns the
    results and the gateway version the endpoint shows (None when it shows none)."""
    client = channel or channel_for(endpoint)
    results: list[CaseResult] = []
    await client.open()
    try:
        version = await client.version()
        for scenario in scenarios:
            case = new_case(scenario)
            if client.name not in scenario.channels:
                case.status, case.detail = NOT_APPLICABLE, f"the scenario is for {', '.join(scenario.channels)}"
                results.append(case)
                continue
            started = time.perf_counter()
            sent = render_for(renderer, scenario, case)
            if sent is None:
                results.append(case)
                continue
            seen: list[Observed] = []
            for plan, message in zip(scenario.messages, sent, strict=True):
                message.name = f"{renderer.prefix}-{message.name}"  # unique upload names per run
                observed = await client.send(message)
                case.messages.append(MessageResult(message, observed, check(plan.expect, observed, seen)))
                seen.append(observed)
            case.seconds = time.perf_counter() - started
            results.append(conclude(case))
    finally:
        await client.close()
    return results, version


__all__ = ["NOT_APPLICABLE", "ONLINE_ONLY", "Endpoint", "run_online"]
