"""The AMQP sink against the real RabbitMQ: what a downstream consumer receives, and that every way a
publish can fail is a retryable DeliveryError (the row waits in the outbox) until the broker side is
fixed, after which the same sink object delivers again.

Queue and exchange names carry a random run id and are deleted afterwards. The broker URL comes
from ``PAXGATE_TEST_AMQP_URL`` (default: guest on 127.0.0.1:5672); without a reachable broker the
module is skipped with the reason (and CI turns the skip into a failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aio_pika
import aiormq.exceptions
import msgspec
import pytest
import pytest_asyncio

from gateway.config import ForwardingConfig
from gateway.forwarding.amqp_sink import AmqpSink
from gateway.forwarding.outbox import Dispatcher
from gateway.forwarding.sinks import Delivery, DeliveryError, Sink
from gateway.metrics import Metrics
from gateway.store import Completion, NewDelivery, Receipt, utcnow
from gateway.store.sqlite import SqliteStore

BROKER_URL = os.environ.get("PAXGATE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RUN = f"pxs-{secrets.token_hex(4)}"


def _broker_problem() -> str | None:
    parts = urlsplit(BROKER_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return None
    except OSError as error:
        return f"no RabbitMQ reachable at {parts.hostname}:{parts.port or 5672} ({error}); start one: rabbitmq-server -detached"


BROKER_PROBLEM = _broker_problem()
pytestmark = [pytest.mark.asyncio, pytest.mark.skipif(BROKER_PROBLEM is not None, reason=BROKER_PROBLEM or "")]


def delivery(n: int, *, test: bool = False) -> Delivery:
    body = msgspec.json.encode({"key": f"r{n:04d}:1", "receipt": f"r{n:04d}", "unit": {"flight": "ZZ0101"}})
    return Delivery(key=f"r{n:04d}:1", receipt=f"r{n:04d}", body=body, test=test)


@pytest_asyncio.fixture
async def broker() -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A downstream consumer's channel; every queue and exchange of this run is deleted afterwards."""
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    created: list[tuple[str, str]] = []
    channel.created = created  # type: ignore[attr-defined]
    try:
        yield channel
    finally:
        for kind, name in created:
            cleanup = await connection.channel()
            with contextlib.suppress(aiormq.exceptions.AMQPError):
                if kind == "queue":
                    await cleanup.queue_delete(name)
                else:
                    await cleanup.exchange_delete(name)
        await connection.close()


async def queue(channel: aio_pika.abc.AbstractChannel, suffix: str) -> aio_pika.abc.AbstractQueue:
    name = f"{RUN}.{suffix}"
    channel.created.append(("queue", name))  # type: ignore[attr-defined]
    return await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})


async def drain(q: aio_pika.abc.AbstractQueue, count: int, timeout: float = 10.0) -> list[aio_pika.abc.AbstractIncomingMessage]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    got: list[aio_pika.abc.AbstractIncomingMessage] = []
    while len(got) < count:
        message = await q.get(fail=False)
        if message is None:
            if loop.time() > deadline:
                raise AssertionError(f"{len(got)} of {count} messages arrived within {timeout} s")
            await asyncio.sleep(0.05)
            continue
        await message.ack()
        got.append(message)
    return got


async def test_a_delivery_arrives_persistent_with_its_key_as_message_id(broker) -> None:
    target = await queue(broker, "units")
    sink = AmqpSink("bus", BROKER_URL, routing_key=target.name)
    assert isinstance(sink, Sink)
    try:
        await sink.deliver(delivery(1, test=True))
        await sink.deliver(delivery(2))
    finally:
        await sink.close()
    first, second = await drain(target, 2)
    assert first.body == delivery(1).body and first.content_type == "application/json"
    assert first.message_id == "r0001:1" and first.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert first.headers["x-paxgate-receipt"] == "r0001" and first.headers["x-paxgate-test"] == "true"
    assert second.message_id == "r0002:1" and second.headers["x-paxgate-test"] == "false"
    assert "guest" not in repr(sink) and BROKER_URL not in repr(sink)


async def test_an_exchange_and_routing_key_route_it(broker) -> None:
    exchange_name = f"{RUN}.units-exchange"
    broker.created.append(("exchange", exchange_name))
    exchange = await broker.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
    target = await queue(broker, "screening")
    await target.bind(exchange, routing_key="paxlst.#")
    sink = AmqpSink("bus", BROKER_URL, exchange=exchange_name, routing_key="paxlst.zz")
    try:
        await asyncio.gather(*(sink.deliver(delivery(n)) for n in range(1, 41)))  # concurrent, one confirming channel
    finally:
        await sink.close()
    assert sorted(m.message_id for m in await drain(target, 40)) == [f"r{n:04d}:1" for n in range(1, 41)]


async def test_unroutable_and_missing_exchange_are_retryable_until_fixed(broker) -> None:
    name = f"{RUN}.later"
    sink = AmqpSink("bus", BROKER_URL, routing_key=name)
    try:
        with pytest.raises(DeliveryError) as unroutable:  # no queue yet: returned by the broker, not dropped
            await sink.deliver(delivery(1))
        assert unroutable.value.retryable and "unroutable" in unroutable.value.reason
        target = await queue(broker, "later")
        await sink.deliver(delivery(1))  # the same sink, once the queue exists
        assert [m.message_id for m in await drain(target, 1)] == ["r0001:1"]
    finally:
        await sink.close()

    exchange_name = f"{RUN}.not-yet"
    missing = AmqpSink("bus", BROKER_URL, exchange=exchange_name, routing_key="k")
    try:
        with pytest.raises(DeliveryError) as error:
            await missing.deliver(delivery(2))
        assert error.value.retryable and "does not exist" in error.value.reason
        broker.created.append(("exchange", exchange_name))
        exchange = await broker.declare_exchange(exchange_name, aio_pika.ExchangeType.DIRECT)
        target = await queue(broker, "not-yet-queue")
        await target.bind(exchange, routing_key="k")
        await missing.deliver(delivery(2))  # the closed channel was replaced
        assert [m.message_id for m in await drain(target, 1)] == ["r0002:1"]
    finally:
        await missing.close()


async def test_an_unreachable_broker_and_a_lost_connection_are_retryable(broker) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = AmqpSink("bus", f"amqp://guest:guest@127.0.0.1:{port}/", routing_key="x", timeout_s=2)
    with pytest.raises(DeliveryError) as error:
        await down.deliver(delivery(1))
    assert error.value.retryable and "guest" not in error.value.reason
    await down.close()

    target = await queue(broker, "reconnect")
    sink = AmqpSink("bus", BROKER_URL, routing_key=target.name)
    try:
        await sink.deliver(delivery(1))
        assert sink._connection is not None
        await sink._connection.close()  # the connection goes away under the sink
        await sink.deliver(delivery(2))  # the next delivery opens a new one
    finally:
        await sink.close()
    assert [m.message_id for m in await drain(target, 2)] == ["r0001:1", "r0002:1"]


async def test_an_empty_key_is_refused_for_good() -> None:
    sink = AmqpSink("bus", BROKER_URL, routing_key="x")
    with pytest.raises(DeliveryError) as error:
        await sink.deliver(Delivery(key="", receipt="r1", body=b"{}"))
    assert not error.value.retryable
    with pytest.raises(ValueError, match="routing_key"):
        AmqpSink("bus", BROKER_URL)


async def test_the_dispatcher_drains_the_outbox_into_the_broker(broker, tmp_path) -> None:
    """Rows committed while the queue did not exist wait in the outbox, then arrive once each."""
    store = SqliteStore(tmp_path / "paxgate.db")
    await store.open()
    name = f"{RUN}.outbox"
    sink = AmqpSink("bus", BROKER_URL, routing_key=name)
    config = ForwardingConfig(initial_backoff_seconds=0.05, max_backoff_seconds=0.2, poll_seconds=0.05, max_attempts=100)
    dispatcher = Dispatcher(store, {"bus": sink}, config, Metrics())
    try:
        for n in range(1, 6):
            receipt = Receipt(id=f"r{n:04d}", seq=0, account="ZZ", channel="amqp", received_at=utcnow(), sha256=f"{n:064x}",
                              size=1, test=True, state="received")
            await store.intake(receipt, b"x")
            completion = Completion(receipt=receipt.id, format="paxlst", verdict="accepted", messages=1, travellers=1,
                                    content_hash=None, result=b"{}", acks=(), interchanges=(),
                                    deliveries=(NewDelivery("bus", f"r{n:04d}:1", delivery(n).body),))
            await store.settle(lambda _, completion=completion: completion)
        dispatcher.start()
        await asyncio.sleep(0.5)  # attempts fail: nothing is bound for the routing key yet
        assert (await store.outbox_depth()).get("pending") == 5
        target = await queue(broker, "outbox")
        received = await drain(target, 5)
        assert sorted(m.message_id for m in received) == [f"r{n:04d}:1" for n in range(1, 6)]
        for _ in range(100):
            if (await store.outbox_depth()).get("pending") == 0:
                break
            await asyncio.sleep(0.05)
        assert [row.state for row in await store.deliveries("r0001")] == ["delivered"]
        assert (await store.outbox_depth()) == {"pending": 0, "dead": 0}
    finally:
        await dispatcher.stop()
        await sink.close()
        await store.close()
