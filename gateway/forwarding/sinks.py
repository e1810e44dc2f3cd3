"""Sinks: where forwarded units go (DESIGN.md §2 step 8, §6.2).

The outbox dispatcher calls ``await sink.deliver(delivery)`` and, on a retryable
:class:`DeliveryError`, tries again later with backoff; the outbox row stays until a delivery
succeeds. A crash between "the sink has it" and "the outbox row is marked done" therefore means the
same delivery is sent again: delivery is **at-least-once** to the sink. Every delivery carries an
idempotency key (receipt id + part), so a sink that honours the key sees each unit **exactly once**:

- :class:`WebhookSink` sends the key as ``Idempotency-Key`` and treats ``409 Conflict`` ("I already
  have that key") as success, so a redelivery after a crash does not loop forever.
- :class:`DirectorySink` names the file after the key, so a redelivery lands on the same file:
  identical bytes are a no-op, different bytes (a reprocessed unit) replace the file atomically.

Payloads are personal data: no reason, exception message or log line built here ever contains the
body (and the webhook's response body is not read into reasons either, as a sink may echo it back).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from ssl import SSLContext
from typing import Protocol, runtime_checkable

import aiohttp
import msgspec

__all__ = ["Delivery", "DeliveryError", "DirectorySink", "Sink", "WebhookSink", "file_name_for_key"]


class Delivery(msgspec.Struct, frozen=True):
    """One outbox row on its way to one sink.

    ``key`` is the idempotency key (receipt id + part, e.g. ``"r_01J...:1"``); it is the same on
    every redelivery of the same row, which is what lets a sink deduplicate.
    """

    key: str
    receipt: str
    body: bytes
    content_type: str = "application/json"
    test: bool = False  # the carrier is still in testing: the sink may route it away from live use


class DeliveryError(Exception):
    """A delivery that did not happen.

    ``retryable`` tells the dispatcher whether trying again can help (outage, timeout, throttling)
    or not (the sink refused this delivery: retrying the same bytes gives the same answer, so the
    row needs an operator). ``reason`` is short and never contains payload content.
    ``retry_after_s`` is the sink's own hint (HTTP ``Retry-After`` in seconds) when it gave one.
    """

    def __init__(self, reason: str, *, retryable: bool, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after_s = retry_after_s


@runtime_checkable
class Sink(Protocol):
    """What the dispatcher needs of a sink. ``deliver`` must be safe to repeat with the same key."""

    name: str

    async def deliver(self, delivery: Delivery) -> None: ...

    async def close(self) -> None: ...


# --- directory ---------------------------------------------------------------------------------

_SAFE_CHAR = re.compile(r"[A-Za-z0-9_.-]")
_MAX_STEM = 180  # leaves room for ".json" and the temp-file decoration within NAME_MAX (255 bytes)


def file_name_for_key(key: str) -> str:
    """The file name (``<stem>.json``) a :class:`DirectorySink` uses for an idempotency key.

    Injective, so two keys never share a file: letters, digits, ``_``, ``-`` and (not leading) ``.``
    are kept, every other UTF-8 byte becomes ``%HH`` (``r_01J:1`` → ``r_01J%3A1``). Over-long stems
    are cut and completed with ``~`` and a SHA-256 prefix of the key (``~`` is always escaped
    otherwise, so the cut form cannot collide with an uncut one).
    """
    parts: list[str] = []
    for index, char in enumerate(key):
        if _SAFE_CHAR.fullmatch(char) and not (index == 0 and char == "."):
            parts.append(char)
        else:
            parts.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    stem = "".join(parts)
    if len(stem) > _MAX_STEM:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        stem = f"{stem[: _MAX_STEM - 33]}~{digest}"
    return f"{stem}.json"


def _os_reason(action: str, error: OSError) -> str:
    detail = error.strerror or str(error) or "no detail"
    errno = f" [Errno {error.errno}]" if error.errno is not None else ""
    return f"{action}: {type(error).__name__}{errno} {detail}"


class DirectorySink:
    """Writes each delivery to ``<path>/<file_name_for_key(key)>``, atomically and durably.

    Readers never see a half-written file: the body goes to a hidden temp file in the same
    directory (``.<name>.<random>.tmp``, not matching ``*.json``), is flushed and fsynced, then
    ``os.replace``-d over the final name, and the directory is fsynced so the rename survives a power
    cut. Only after that does ``deliver`` return, so the dispatcher never marks a row done that a
    crash could still lose. Files are created mode 0600 (``tempfile.mkstemp``): the content is
    personal data.

    The directory is not created here: a missing directory (an unmounted share, a typo) is an
    operator's problem and must not be papered over by writing somewhere else; it is reported as a
    retryable error so the rows wait in the outbox.
    """

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = Path(path)

    async def deliver(self, delivery: Delivery) -> None:
        if not delivery.key:
            raise DeliveryError("empty idempotency key", retryable=False)
        file_name = file_name_for_key(delivery.key)
        try:
            await asyncio.to_thread(self._write, file_name, delivery.body)
        except OSError as error:
            raise DeliveryError(_os_reason(f"directory sink {self.name!r} cannot write", error), retryable=True) from error

    async def close(self) -> None:
        return None

    def _write(self, file_name: str, body: bytes) -> None:
        target = self.path / file_name
        if not self._same_content(target, body):
            fd, temp_name = tempfile.mkstemp(dir=self.path, prefix=f".{file_name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as temp:
                    temp.write(body)
                    temp.flush()
                    os.fsync(temp.fileno())
                os.replace(temp_name, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name)
                raise
        # Also on the no-op path: a concurrent delivery of the same key may have renamed but not yet
        # synced the directory, and "delivered" must mean durable.
        self._fsync_directory()

    @staticmethod
    def _same_content(target: Path, body: bytes) -> bool:
        try:
            if target.stat().st_size != len(body):
                return False
            return target.read_bytes() == body
        except FileNotFoundError:
            return False

    def _fsync_directory(self) -> None:
        if os.name == "nt":  # directories cannot be opened for fsync there; NTFS journals the rename
            return
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- webhook -----------------------------------------------------------------------------------

_RESERVED_HEADERS = frozenset({"content-type", "idempotency-key", "x-paxgate-receipt", "x-paxgate-test", "content-length"})
_RETRYABLE_4XX = frozenset({408, 425, 429})  # Request Timeout, Too Early, Too Many Requests
_MAX_REASON = 300


def _status_error(status: int, retry_after: str | None) -> DeliveryError | None:
    """``None`` when the status means "delivered", else the error the dispatcher should see."""
    if 200 <= status < 300:
        return None
    if status == 409:  # the sink already holds this idempotency key: that is a success
        return None
    if status in _RETRYABLE_4XX or 500 <= status < 600:
        return DeliveryError(f"webhook answered HTTP {status}", retryable=True, retry_after_s=_retry_after_seconds(retry_after))
    if 300 <= status < 400:
        return DeliveryError(
            f"webhook answered HTTP {status} (redirect); redirects are not followed, configure the final URL", retryable=False
        )
    if 400 <= status < 500:
        return DeliveryError(f"webhook refused the delivery: HTTP {status}", retryable=False)
    return DeliveryError(f"webhook answered unexpected HTTP {status}", retryable=False)


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: rare from webhooks, and the dispatcher's backoff applies anyway
    return seconds if seconds >= 0 else None


class WebhookSink:
    """POSTs each delivery's body to ``url``.

    Headers: ``Content-Type``, ``Idempotency-Key`` (the delivery key), ``X-Paxgate-Receipt``,
    ``X-Paxgate-Test: true|false``, plus the configured ``headers`` (e.g. ``Authorization``); the
    protocol headers cannot be overridden by configuration. Outcomes:

    - 2xx → delivered; 409 → delivered (the sink already has that key, typically our earlier
      attempt whose answer was lost);
    - 408, 425, 429, 5xx, connection errors, timeouts (``timeout_s`` for the whole exchange), TLS
      errors → retryable;
    - 3xx → not retryable: redirects are not followed, so the body and credentials never go to a
      place nobody configured;
    - any other 4xx → not retryable: the sink refused this delivery and the same bytes will be
      refused again.

    One ``aiohttp.ClientSession`` (with its connection pool) is created on first use, inside the
    running loop, and shared by all deliveries until :meth:`close`. ``ssl`` is the client TLS
    context (custom CA, client certificate for mTLS); ``None`` means default verification.
    """

    def __init__(
        self,
        name: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout_s: float = 10.0,
        ssl: SSLContext | None = None,
    ) -> None:
        extra = dict(headers or {})
        clashes = sorted(header for header in extra if header.lower() in _RESERVED_HEADERS)
        if clashes:
            raise ValueError(f"webhook sink {name!r}: headers set by paxgate cannot be configured: {', '.join(clashes)}")
        if timeout_s <= 0:
            raise ValueError(f"webhook sink {name!r}: timeout_s must be positive")
        self.name = name
        self.url = url
        self._headers = extra
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._ssl = ssl
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:  # never show the configured headers: they hold credentials
        return f"WebhookSink(name={self.name!r}, url={self.url!r})"

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(ssl=self._ssl if self._ssl is not None else True),
                cookie_jar=aiohttp.DummyCookieJar(),  # a sink's cookies must not ride along on later deliveries
            )
        return self._session

    async def deliver(self, delivery: Delivery) -> None:
        headers = {
            **self._headers,
            "Content-Type": delivery.content_type,
            "Idempotency-Key": delivery.key,
            "X-Paxgate-Receipt": delivery.receipt,
            "X-Paxgate-Test": "true" if delivery.test else "false",
        }
        try:
            async with self._client().post(self.url, data=delivery.body, headers=headers, allow_redirects=False) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            # ssl.SSLError is an OSError; aiohttp wraps most TLS failures in ClientSSLError anyway.
            # Neither aiohttp's nor the OS's messages include the request body.
            detail = str(error)
            reason = f"webhook {type(error).__name__}: {detail}" if detail else f"webhook {type(error).__name__}"
            raise DeliveryError(reason[:_MAX_REASON], retryable=True) from error
        failure = _status_error(status, retry_after)
        if failure is not None:
            raise failure

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
