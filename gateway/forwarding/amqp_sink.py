"""The AMQP sink: forwarded units published to a downstream RabbitMQ exchange (DESIGN.md §2 step 8).

Same contract as the sinks in :mod:`gateway.forwarding.sinks`: ``deliver`` returns only once the
broker has taken responsibility for the message, so the outbox row may be marked done. That means
**publisher confirms** (the broker's ``basic.ack``), ``delivery_mode`` persistent, and
``mandatory`` (a message no queue is bound for is returned, not silently dropped). Each message
carries ``message_id`` = the idempotency key, plus headers ``x-paxgate-receipt`` and
``x-paxgate-test``: a crash between the confirm and the outbox commit publishes the same key again,
and a downstream consumer that remembers ``message_id``\\s sees each unit exactly once.

Every failure is retryable: a nack, a returned (unroutable) message, a missing exchange, refused
credentials, a lost connection or a timeout are all states of the downstream broker or its setup
that an operator can fix, and until then the rows wait in the outbox (and are dead-lettered there
after ``forwarding.max_attempts``), which is where downstream outages belong. Reasons name the
error type only: the broker's messages may quote what was sent.

Why no robust connection (aio-pika's ``connect_robust``): it restores channels in the background but
does not replay a failed publish, and the outbox dispatcher already owns the retry loop with
backoff. So one plain connection is opened on first use and dropped on any error; the next delivery
opens a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aio_pika
import aiormq.exceptions
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from gateway.forwarding.sinks import Delivery, DeliveryError

__all__ = ["AmqpSink"]


class AmqpSink:
    """Publishes each delivery's body to ``exchange`` (``""``: the default exchange) with ``routing_key``."""

    def __init__(self, name: str, url: str, *, exchange: str = "", routing_key: str = "", timeout_s: float = 10.0) -> None:
        if timeout_s <= 0:
            raise ValueError(f"amqp sink {name!r}: timeout_s must be positive")
        if not exchange and not routing_key:
            raise ValueError(f"amqp sink {name!r}: with the default exchange, routing_key names the queue")
        for library in ("aiormq", "aio_pika"):  # their stdlib log lines can print whole messages (see adapters.amqp)
            logging.getLogger(library).setLevel(logging.CRITICAL)
        self.name = name
        self._url = url
        self.exchange = exchange
        self.routing_key = routing_key
        self._timeout = timeout_s
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._target: AbstractExchange | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the URL: it may hold the password
        return f"AmqpSink(name={self.name!r}, exchange={self.exchange!r}, routing_key={self.routing_key!r})"

    async def _exchange(self) -> AbstractExchange:
        async with self._lock:  # concurrent deliveries share one connection and one confirming channel
            if self._target is not None and self._channel is not None and not self._channel.is_closed:
                return self._target
            await self._drop()
            self._connection = await aio_pika.connect(self._url, timeout=self._timeout,
                                                      client_properties={"connection_name": f"paxgate-sink-{self.name}"})
            self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            if self.exchange:
                self._target = await self._channel.get_exchange(self.exchange, ensure=False)
            else:
                self._target = self._channel.default_exchange
            return self._target

    async def deliver(self, delivery: Delivery) -> None:
        if not delivery.key:
            raise DeliveryError("empty idempotency key", retryable=False)
        message = aio_pika.Message(delivery.body, content_type=delivery.content_type, message_id=delivery.key,
                                   delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                   headers={"x-paxgate-receipt": delivery.receipt,
                                            "x-paxgate-test": "true" if delivery.test else "false"})
        try:
            target = await self._exchange()
            await target.publish(message, routing_key=self.routing_key, mandatory=True, timeout=self._timeout)
        except aiormq.exceptions.PublishError as error:  # returned: nothing is bound for this routing key
            raise DeliveryError(f"amqp sink {self.name!r}: unroutable, no queue bound for the routing key",
                                retryable=True) from error
        except aiormq.exceptions.DeliveryError as error:  # nack: the broker did not take it
            raise DeliveryError(f"amqp sink {self.name!r}: the broker refused the message (nack)", retryable=True) from error
        except aiormq.exceptions.ChannelNotFoundEntity as error:
            await self._reset()
            raise DeliveryError(f"amqp sink {self.name!r}: exchange {self.exchange!r} does not exist", retryable=True) from error
        except (aiormq.exceptions.AMQPError, aiormq.exceptions.ChannelInvalidStateError, ConnectionError, OSError,
                TimeoutError) as error:
            await self._reset()
            raise DeliveryError(f"amqp sink {self.name!r}: {type(error).__name__}", retryable=True) from error

    async def _reset(self) -> None:
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, self._channel, self._target = self._connection, None, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=self._timeout)

    async def close(self) -> None:
        await self._reset()
