"""The carrier AMQP channel (RabbitMQ, AMQP 0-9-1): queue in, acknowledgement out (DESIGN.md §2, §6.5, §6.6).

Thin by design, like ``adapters.https``: it names the account a message belongs to, hands the bytes
to the pipeline and publishes the acknowledgement the pipeline committed. What it owns is the
delivery contract with the broker, because that is where "nothing lost" is won or lost:

- **Identity.** A message on ``<queue_prefix><ACCOUNT>`` (``paxgate.in.ZZ``) is that account's: the
  broker's permissions decide who may write there, so give each carrier user write access to its
  own queue only. On the optional ``shared_queue`` the account is the message's ``user_id``
  property, which RabbitMQ validates against the user of the publishing connection (a mismatch
  closes the publisher's channel), matched to ``AccountConfig.amqp_user`` (default: the account
  name). A free header never names an account. A shared-queue message without ``user_id`` or with
  one no account has goes to the dead-letter queue at once: retrying cannot give it an identity.
- **Manual acks, after the commit.** A delivery is acked only after ``Pipeline.submit`` returned
  (the receipt and its acknowledgement are committed) *and* the acknowledgement was confirmed by the
  broker. A crash before that leaves the message unacked, the broker delivers it again, and the
  pipeline answers it from the store (same bytes, same account: the first receipt, ``replayed``).
  Carriers therefore see an answer at least once; its ``message_id`` (``<receipt>:ack``) is the same
  every time, so they can drop the repeat.
- **Answers** go to the message's ``reply_to`` (with its ``correlation_id``, or its ``message_id``
  when it has none) through the default exchange, or, without ``reply_to`` or when nothing is bound
  to it, to ``<ack_prefix><ACCOUNT>``; persistent, with publisher confirms, ``content_type``
  ``application/edifact`` (the acknowledgement interchanges, one per line) or ``application/json``
  (the receipt document, when the profile asks for no acknowledgement), headers
  ``x-paxgate-receipt``, ``x-paxgate-verdict``, ``x-paxgate-replayed`` (``"true"``/``"false"`` as
  over HTTPS) and ``x-paxgate-account``. A failed publish leaves the delivery unacked (requeued).
- **Poison** (a refusal, an empty body, the pipeline failing) is retried with a short backoff and
  goes to ``dead_letter_queue`` on the ``max_attempts``-th delivery: the original body and
  properties, plus ``x-paxgate-reason``, ``x-paxgate-detail``, ``x-paxgate-queue``,
  ``x-paxgate-attempts``, ``x-paxgate-account``, ``x-paxgate-user`` and ``x-paxgate-message-id``
  (the carrier's; the copy has its own, see :meth:`AmqpTransport._dead_letter`); then the carrier is told on
  its reply path (``application/problem+json``, best effort). Quorum queues count deliveries on the
  broker (``x-delivery-count``), so the limit holds across restarts and crashes; classic queues
  have no such count, so it is kept in this process's memory and starts again after a restart
  (an operator who needs a hard limit there uses quorum queues). The body is never logged.
- **Reconnects.** One supervisor loop connects, declares (per-account queues and ack queues for
  every account whose channels include ``amqp``, the shared queue, the dead-letter queue; durable,
  of ``queue_type``), consumes, and on any loss of the connection or a channel reconnects with
  doubling backoff (0.5 s … ``reconnect_max_seconds``, jittered); a queue deleted under a consumer
  (the broker cancels it) counts as a loss, so the queue is declared again. Deliveries in flight at
  the loss finish their processing in tasks of ours (not aio-pika's, which the closing channel
  cancels), cannot be acked and come back: answered from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import aiormq.exceptions
import msgspec
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue

from gateway.accounts import Refusal
from gateway.answers import ACK_MEDIA_TYPE, acknowledgement_bytes, receipt_document
from gateway.config import AmqpConfig
from gateway.pipeline import Overloaded, Pipeline, ProcessingFailed, Submitted
from gateway.store import AccountRecord, Store

log = structlog.get_logger("paxgate.amqp")

CHANNEL = "amqp"
RECONNECT_INITIAL_SECONDS = 0.5
RETRY_BASE_SECONDS = 0.2  # pause before a failed delivery goes back: 0.2, 0.4, 0.8 … 5 s
RETRY_MAX_SECONDS = 5.0
OVERLOAD_PAUSE_SECONDS = 0.05  # first wait while the pipeline is full (pipeline.max_in_flight); doubles up to 5 s
STOP_GRACE_SECONDS = 30.0  # deliveries in flight at shutdown may finish (they are committed before answered)
CLASSIC_ATTEMPTS_REMEMBERED = 10_000
_BROKER_HEADERS = frozenset({"x-delivery-count", "x-death", "x-first-death-exchange", "x-first-death-queue",
                             "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason"})

# What a lost connection, a closed channel, a timeout or a broker refusal raises out of aio-pika.
BROKER_ERRORS: tuple[type[BaseException], ...] = (aiormq.exceptions.AMQPError, aiormq.exceptions.ChannelInvalidStateError,
                                                  ConnectionError, OSError, TimeoutError, RuntimeError)


class _Poison(Exception):  # noqa: N818 - a verdict on a message, not an error of ours
    """A delivery that cannot be processed; ``at_once``: retrying cannot change that (no identity, too large)."""

    def __init__(self, reason: str, detail: str, *, at_once: bool = False, account: str = "", stored: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.detail, self.at_once, self.account = reason, detail, at_once, account
        self.stored = stored  # the bytes are in the store: the carrier must not read the notice as "lost"


class AmqpTransport:
    """Consumes carrier queues and answers on reply queues; started and stopped by ``gateway.app``."""

    def __init__(self, config: AmqpConfig, url: str, pipeline: Pipeline, store: Store) -> None:
        quiet_library_logs()
        self.config = config
        self.url = url
        self.pipeline = pipeline
        self.store = store
        self.connected = asyncio.Event()  # set while consuming; tests and readiness watch it
        self._stopping = asyncio.Event()
        self._tried = asyncio.Event()  # the first connection attempt is over, one way or the other
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._publisher: AbstractChannel | None = None
        self._classic_attempts: OrderedDict[str, int] = OrderedDict()
        self._rng = random.Random()

    @property
    def safe_url(self) -> str:
        """The broker URL as logs may show it: without user info (``gateway.logs`` strips it from ``url`` too)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"

    def status(self) -> dict[str, bool]:
        return {"amqp_connected": self.connected.is_set()}

    async def start(self) -> None:
        """Start consuming; waits for the first connection attempt only, so an unreachable broker
        does not stop the gateway (HTTPS and SFTP go on) — the loop keeps trying in the background."""
        self._task = asyncio.create_task(self._supervise(), name="paxgate-amqp")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tried.wait(), timeout=self.config.timeout_seconds * 2)

    async def stop(self) -> None:
        """Stop taking deliveries, let those in flight finish (bounded), then close the connection:
        what is still unacked returns to its queue."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_GRACE_SECONDS + self.config.timeout_seconds)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None

    # --- connection lifecycle --------------------------------------------------------------------

    async def _supervise(self) -> None:
        delay = RECONNECT_INITIAL_SECONDS
        while not self._stopping.is_set():
            lost = asyncio.Event()
            connection: AbstractConnection | None = None
            try:
                connection = await aio_pika.connect(self.url, timeout=self.config.timeout_seconds,
                                                    client_properties={"connection_name": "paxgate-ingress"})
                connection.close_callbacks.add(_setter(lost))
                consumers = await self._open(connection, lost)
                self.connected.set()
                self._tried.set()
                log.info("amqp_consuming", url=self.safe_url, count=len(consumers), channel=CHANNEL)
                delay = RECONNECT_INITIAL_SECONDS
                await _first(lost.wait(), self._stopping.wait())
                if self._stopping.is_set():
                    await self._drain(consumers)
                else:
                    log.warning("amqp_connection_lost", url=self.safe_url, channel=CHANNEL)
            except asyncio.CancelledError:
                raise
            except aiormq.exceptions.ChannelPreconditionFailed as error:
                log.error("amqp_declare_failed", url=self.safe_url, error=error,
                          reason="a queue exists with other arguments (queue_type?); delete it or change the config")
            except Exception as error:  # connect refused, auth failed, broker gone mid-setup
                log.warning("amqp_connect_failed", url=self.safe_url, error=error, seconds=round(delay, 2))
            finally:
                self.connected.clear()
                self._tried.set()
                self._publisher = None
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), timeout=self.config.timeout_seconds)
            if self._stopping.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._rng.uniform(delay / 2, delay))
            delay = min(delay * 2, self.config.reconnect_max_seconds)
        if self._inflight:  # deliveries of a lost connection still finishing their processing
            await asyncio.wait(set(self._inflight), timeout=STOP_GRACE_SECONDS)
        log.info("amqp_stopped", channel=CHANNEL)

    async def _open(self, connection: AbstractConnection, lost: asyncio.Event) -> list[tuple[AbstractQueue, str]]:
        """Channels, queues and consumers for one connection; any channel closing ends the connection."""
        config = self.config
        timeout = config.timeout_seconds
        consuming = await connection.channel(publisher_confirms=False)
        publisher = await connection.channel(publisher_confirms=True, on_return_raises=True)
        for channel in (consuming, publisher):
            channel.close_callbacks.add(_setter(lost))
        # A queue deleted under us cancels its consumer: reconnecting declares it again.
        (await consuming.get_underlay_channel()).on_consumer_cancel_callbacks.add(_setter(lost))
        await consuming.set_qos(prefetch_count=config.prefetch, timeout=timeout)
        arguments = {"x-queue-type": "quorum"} if config.queue_type == "quorum" else None
        accounts = [a for a in await self.store.accounts() if CHANNEL in a.channels]
        await publisher.declare_queue(config.dead_letter_queue, durable=True, arguments=arguments, timeout=timeout)
        sources: list[tuple[str, str]] = []  # (queue, account it belongs to; "" = by user_id)
        for account in accounts:
            await publisher.declare_queue(config.ack_prefix + account.name, durable=True, arguments=arguments, timeout=timeout)
            sources.append((config.queue_prefix + account.name, account.name))
        if config.shared_queue:
            sources.append((config.shared_queue, ""))
        consumers: list[tuple[AbstractQueue, str]] = []
        for name, owner in sources:
            queue = await consuming.declare_queue(name, durable=True, arguments=arguments, timeout=timeout)

            async def on_message(message: AbstractIncomingMessage, name: str = name, owner: str = owner) -> None:
                # Our own task, not aio-pika's: closing the channel cancels its consumer tasks, and a
                # submission cut off half way would only be finished by the resume sweep a minute later.
                task = asyncio.create_task(self._tracked(name, owner, message), name="paxgate-amqp-delivery")
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)

            tag = await queue.consume(on_message, timeout=timeout)
            consumers.append((queue, tag))
        self._publisher = publisher
        return consumers

    async def _drain(self, consumers: list[tuple[AbstractQueue, str]]) -> None:
        for queue, tag in consumers:
            with contextlib.suppress(*BROKER_ERRORS):
                await queue.cancel(tag, timeout=self.config.timeout_seconds)
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=STOP_GRACE_SECONDS)

    # --- one delivery ------------------------------------------------------------------------------

    async def _tracked(self, queue: str, owner: str, message: AbstractIncomingMessage) -> None:
        try:
            await self._handle(queue, owner, message)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug here must not kill the consumer; the delivery comes back
            log.exception("amqp_delivery_failed", queue=queue, error=error)
            await _settle(message.nack(requeue=True))

    async def _handle(self, queue: str, owner: str, message: AbstractIncomingMessage) -> None:
        attempt = self._attempt(queue, message)
        account: AccountRecord | None = None
        try:
            account = await self._account(owner, message)
            if not message.body:
                raise _Poison("empty-body", "the message body holds no message", account=account.name)
            if len(message.body) > self.config.max_message_bytes:
                raise _Poison("too-large", f"{len(message.body)} bytes; the limit is {self.config.max_message_bytes}",
                              at_once=True, account=account.name)
            submitted = await self._submit(account, message)
            if submitted is None:  # shutting down while the pipeline was full: the broker keeps it
                await _settle(message.nack(requeue=True))
                return
        except asyncio.CancelledError:
            raise
        except _Poison as poison:
            await self._failed(queue, message, attempt, poison)
            return
        except Refusal as refusal:
            self.pipeline.metrics.refused.labels(CHANNEL, refusal.kind).inc()
            name = account.name if account is not None else ""
            await self._failed(queue, message, attempt, _Poison(refusal.kind, refusal.detail, account=name))
            return
        except ProcessingFailed as failed:  # stored: the sweep will process and forward it; say so, not "not taken"
            await self._failed(queue, message, attempt, _Poison(
                "processing-failed", f"stored as receipt {failed.receipt} but not processed yet; it will be processed "
                "and forwarded later, and a resend is answered from the store", account=account.name if account else "",
                stored=True))
            return
        except Exception as error:
            log.warning("amqp_processing_failed", queue=queue, error=error, attempt=attempt)
            name = account.name if account is not None else ""
            await self._failed(queue, message, attempt,
                               _Poison("processing-failed", f"the gateway could not process it ({type(error).__name__})",
                                       account=name))
            return
        assert account is not None
        try:
            await self._answer(account, message, submitted)
        except BROKER_ERRORS as error:
            # Not acked: the broker delivers it again and the pipeline answers it from the store.
            log.warning("amqp_answer_failed", queue=queue, receipt=submitted.receipt.id, error=error)
            await _settle(message.nack(requeue=True))
            return
        self._forget(queue, message)
        await _settle(message.ack())

    async def _submit(self, account: AccountRecord, message: AbstractIncomingMessage) -> Submitted | None:
        """``Pipeline.submit``, holding the delivery while the pipeline is full (``Overloaded``): the
        prefetch window then stays full and the broker keeps the rest, which is AMQP's own
        back-pressure. Requeueing instead would spend one of the message's ``max_attempts``."""
        pause = OVERLOAD_PAUSE_SECONDS
        while True:
            try:
                return await self.pipeline.submit(account, CHANNEL, message.body)
            except Overloaded:
                if self._stopping.is_set():
                    return None
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX_SECONDS)

    async def _account(self, owner: str, message: AbstractIncomingMessage) -> AccountRecord:
        """The account a delivery belongs to: the queue's owner, or on the shared queue the account of
        the broker-validated ``user_id`` (read from the store each time, so a suspension applies at once)."""
        if owner:
            account = await self.store.account(owner)
            if account is None:
                raise _Poison("unknown-account", f"no account {owner} for this queue", at_once=True)
            return account
        user = message.user_id
        if not user:
            raise _Poison("no-user-id", "on the shared queue the user_id property names the sender", at_once=True)
        account = await self.store.account_by_amqp_user(user)
        if account is None:
            raise _Poison("unknown-user", "the broker user in user_id belongs to no account", at_once=True)
        return account

    def _attempt(self, queue: str, message: AbstractIncomingMessage) -> int:
        """Which delivery of this message this is (1 = the first)."""
        if self.config.queue_type == "quorum":
            count = (message.headers or {}).get("x-delivery-count")
            return int(count) + 1 if isinstance(count, int) else (2 if message.redelivered else 1)
        key = self._classic_key(queue, message)
        attempt = self._classic_attempts.pop(key, 0) + 1
        self._classic_attempts[key] = attempt
        while len(self._classic_attempts) > CLASSIC_ATTEMPTS_REMEMBERED:
            self._classic_attempts.popitem(last=False)
        return attempt

    def _forget(self, queue: str, message: AbstractIncomingMessage) -> None:
        if self.config.queue_type == "classic":
            self._classic_attempts.pop(self._classic_key(queue, message), None)

    @staticmethod
    def _classic_key(queue: str, message: AbstractIncomingMessage) -> str:
        return f"{queue}\0{message.user_id or ''}\0{hashlib.sha256(message.body).hexdigest()}"

    async def _failed(self, queue: str, message: AbstractIncomingMessage, attempt: int, poison: _Poison) -> None:
        if not poison.at_once and attempt < self.config.max_attempts:
            log.warning("amqp_delivery_retried", queue=queue, account=poison.account or None, reason=poison.reason,
                        attempt=attempt, attempts=self.config.max_attempts)
            await asyncio.sleep(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1)))
            await _settle(message.nack(requeue=True))
            return
        try:
            await self._dead_letter(queue, message, attempt, poison)
        except BROKER_ERRORS as error:
            log.warning("amqp_dead_letter_failed", queue=queue, reason=poison.reason, error=error)
            await asyncio.sleep(RETRY_MAX_SECONDS)  # not acked: it comes back; not at once, the broker has a problem
            await _settle(message.nack(requeue=True))
            return
        log.warning("amqp_dead_lettered", queue=queue, account=poison.account or None, reason=poison.reason,
                    attempt=attempt)
        self._forget(queue, message)
        await _settle(message.ack())
        try:
            await self._tell(message, poison)
        except BROKER_ERRORS as error:  # the message is safe in the dead-letter queue; the notice is a courtesy
            log.warning("amqp_notice_failed", queue=queue, reason=poison.reason, error=error)

    # --- publishing ------------------------------------------------------------------------------

    def _channel(self) -> AbstractChannel:
        channel = self._publisher
        if channel is None or channel.is_closed:
            raise aiormq.exceptions.ChannelInvalidStateError("no publishing channel (reconnecting)")
        return channel

    async def _publish(self, body: bytes, routing_key: str, *, ours: bool = False, **properties: object) -> None:
        """Persistent, mandatory, confirmed. ``ours``: a queue paxgate declares (dead-letter, ack queues);
        deleted under us, it is declared again and the publish repeated once."""
        message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties)
        timeout = self.config.timeout_seconds
        try:
            await self._channel().default_exchange.publish(message, routing_key=routing_key, mandatory=True, timeout=timeout)
        except aiormq.exceptions.PublishError:
            if not ours:
                raise
            arguments = {"x-queue-type": "quorum"} if self.config.queue_type == "quorum" else None
            await self._channel().declare_queue(routing_key, durable=True, arguments=arguments, timeout=timeout)
            log.warning("amqp_queue_declared_again", queue=routing_key)
            await self._channel().default_exchange.publish(message, routing_key=routing_key, mandatory=True, timeout=timeout)

    async def _reply(self, account: str, message: AbstractIncomingMessage, body: bytes, **properties: object) -> None:
        """To ``reply_to`` when it routes, else to the account's ack queue (which paxgate declared)."""
        correlation = message.correlation_id or message.message_id
        if message.reply_to and not self._reply_allowed(account, message.reply_to):
            # paxgate publishes with its own rights: never into its input queues or another account's answers
            log.warning("amqp_reply_to_refused", account=account, queue=message.reply_to)
            headers = properties.get("headers")
            properties["headers"] = {**(headers if isinstance(headers, dict) else {}), "x-paxgate-reply-to": "refused"}
        elif message.reply_to:
            try:
                await self._publish(body, message.reply_to, correlation_id=correlation, **properties)
                return
            except aiormq.exceptions.PublishError:  # returned: no queue of that name
                if not account:
                    raise
                headers = properties.get("headers")
                properties["headers"] = {**(headers if isinstance(headers, dict) else {}), "x-paxgate-reply-to": "unroutable"}
        if account:
            await self._publish(body, self.config.ack_prefix + account, ours=True, correlation_id=correlation, **properties)

    def _reply_allowed(self, account: str, queue: str) -> bool:
        """A carrier's own reply queue, or its own ack queue; not a queue paxgate consumes or another
        account's acknowledgements."""
        config = self.config
        ours = (queue.startswith(config.queue_prefix) or queue.startswith(config.ack_prefix)
                or queue in (config.shared_queue, config.dead_letter_queue))
        return not ours or queue == config.ack_prefix + account

    async def _answer(self, account: AccountRecord, message: AbstractIncomingMessage, submitted: Submitted) -> None:
        receipt, new, acks = submitted.receipt, submitted.new, list(submitted.acks)
        if acks:
            body, content_type = acknowledgement_bytes(acks), ACK_MEDIA_TYPE
        else:
            body, content_type = msgspec.json.encode(receipt_document(receipt, acks, replayed=not new)), "application/json"
        headers = {"x-paxgate-receipt": receipt.id, "x-paxgate-verdict": receipt.verdict or "",
                   "x-paxgate-replayed": "false" if new else "true", "x-paxgate-account": account.name}
        await self._reply(account.name, message, body, content_type=content_type, headers=headers,
                          message_id=f"{receipt.id}:ack")

    async def _dead_letter(self, queue: str, message: AbstractIncomingMessage, attempt: int, poison: _Poison) -> None:
        """The original body and properties and why. Not ``user_id`` (the broker would refuse ours) and
        not the carrier's ``message_id`` (kept in ``x-paxgate-message-id``): aiormq matches a returned
        message to its publish by ``message_id``, and carriers reuse theirs, so two copies in flight
        with one id could mix up which was returned — one would pass for confirmed and its original be
        acked and lost. Each copy gets a unique id instead."""
        headers = {k: v for k, v in _mapping(message.headers).items() if k not in _BROKER_HEADERS}
        headers.update({"x-paxgate-reason": poison.reason, "x-paxgate-detail": poison.detail, "x-paxgate-queue": queue,
                        "x-paxgate-attempts": attempt, "x-paxgate-account": poison.account,
                        "x-paxgate-user": message.user_id or "", "x-paxgate-message-id": message.message_id or ""})
        await self._publish(message.body, self.config.dead_letter_queue, ours=True, headers=headers,
                            content_type=message.content_type, content_encoding=message.content_encoding,
                            correlation_id=message.correlation_id, reply_to=message.reply_to, message_id=_unique("dead"),
                            timestamp=message.timestamp, type=message.type, app_id=message.app_id)

    async def _tell(self, message: AbstractIncomingMessage, poison: _Poison) -> None:
        """The carrier learns that its message was not taken (like an HTTP 4xx problem document)."""
        if not (message.reply_to or poison.account):
            return
        title, status = ("Stored, not processed yet", 503) if poison.stored else ("Message not accepted", 422)
        document = {"type": f"urn:paxgate:problem:{poison.reason}", "title": title, "status": status,
                    "detail": poison.detail, "dead_lettered": True, "stored": poison.stored}
        await self._reply(poison.account, message, msgspec.json.encode(document), content_type="application/problem+json",
                          headers={"x-paxgate-reason": poison.reason, "x-paxgate-account": poison.account},
                          message_id=_unique("notice"))


def _unique(kind: str) -> str:
    return f"paxgate-{kind}-{uuid.uuid4().hex}"


def quiet_library_logs() -> None:
    """aio-pika and aiormq log through the standard library, outside ``gateway.logs``' redaction, and
    some of their lines print whole frames or messages (``Got frame for closed channel %d: %r``,
    ``Unhandled message %r returning``): a body must never reach a log. This adapter and the sink
    log what matters (connection lost, connect failed, dead-lettered) as structured events."""
    for name in ("aiormq", "aio_pika"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _setter(event: asyncio.Event) -> Callable[..., None]:
    """A close callback (aio-pika passes the sender and the exception) that sets ``event``."""

    def callback(*_: object) -> None:
        event.set()

    return callback


def _mapping(headers: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(headers) if headers else {}


async def _settle(operation: Any) -> None:  # noqa: ANN401 - aio-pika's ack/nack coroutines
    """Ack or nack; when the channel is gone the broker redelivers anyway, so a failure is not an error."""
    with contextlib.suppress(*BROKER_ERRORS):
        await operation


async def _first(*waits: Any) -> None:  # noqa: ANN401 - coroutines of Event.wait
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
