"""The outbox dispatcher against a real webhook: retries with backoff until the sink recovers,
dead-letters what the sink refuses, and delivers a re-driven row."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from gateway.config import ForwardingConfig
from gateway.forwarding.outbox import Dispatcher, backoff
from gateway.forwarding.sinks import WebhookSink
from gateway.metrics import Metrics
from gateway.store import Completion, NewDelivery, Receipt, utcnow
from gateway.store.sqlite import SqliteStore

pytestmark = pytest.mark.asyncio


class Downstream:
    def __init__(self) -> None:
        self.answers: list[int] = []  # statuses to give before answering 200
        self.keys: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.keys.append(request.headers["Idempotency-Key"])
        status = self.answers.pop(0) if self.answers else 200
        return web.Response(status=status)


@pytest_asyncio.fixture
async def downstream():
    sink = Downstream()
    app = web.Application()
    app.router.add_post("/units", sink.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sink.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/units"
    yield sink
    await runner.cleanup()


@pytest_asyncio.fixture
async def store(tmp_path: Path):
    opened = SqliteStore(tmp_path / "store.db")
    await opened.open()
    yield opened
    await opened.close()


async def queued(store: SqliteStore, key: str) -> str:
    receipt = Receipt(id=f"r-{key}", seq=0, account="ZZ", channel="https", received_at=utcnow(),
                      sha256=hashlib.sha256(key.encode()).hexdigest(), size=1, test=True, state="received")
    await store.intake(receipt, key.encode())
    await store.settle(lambda _: Completion(receipt=receipt.id, format="paxlst", verdict="accepted", messages=1, travellers=1,
                                            content_hash=None, result=b"{}", acks=(), interchanges=(),
                                            deliveries=(NewDelivery("hook", key, b'{"unit":1}'),)))
    return receipt.id


CONFIG = ForwardingConfig(max_attempts=4, initial_backoff_seconds=0.0, max_backoff_seconds=0.0, poll_seconds=0.01)


async def test_retryable_failures_are_retried_until_the_sink_takes_the_unit(store: SqliteStore, downstream: Downstream):
    downstream.answers = [503, 503]
    receipt = await queued(store, "k1")
    sink = WebhookSink("hook", downstream.url)
    dispatcher = Dispatcher(store, {"hook": sink}, CONFIG, Metrics())
    for _ in range(3):
        await dispatcher.drain_once()
    await sink.close()
    row = (await store.deliveries(receipt))[0]
    assert row.state == "delivered" and row.attempts == 3 and downstream.keys == ["k1", "k1", "k1"]


async def test_a_refusal_dead_letters_at_once_and_a_redrive_delivers(store: SqliteStore, downstream: Downstream):
    downstream.answers = [400]
    receipt = await queued(store, "k2")
    sink = WebhookSink("hook", downstream.url)
    dispatcher = Dispatcher(store, {"hook": sink}, CONFIG, Metrics())
    await dispatcher.drain_once()
    row = (await store.deliveries(receipt))[0]
    assert row.state == "dead" and "400" in row.last_error
    assert await dispatcher.drain_once() == 0  # a dead letter waits for an operator
    await store.redrive(receipt, "operator:ada")
    await dispatcher.drain_once()
    await sink.close()
    assert (await store.deliveries(receipt))[0].state == "delivered" and downstream.keys == ["k2", "k2"]


async def test_attempts_run_out_into_the_dead_letter_state(store: SqliteStore):
    receipt = await queued(store, "k3")
    sink = WebhookSink("hook", "http://127.0.0.1:9/units", timeout_s=1)  # discard port: nothing listens
    dispatcher = Dispatcher(store, {"hook": sink}, CONFIG, Metrics())
    for _ in range(CONFIG.max_attempts):
        await dispatcher.drain_once()
    await sink.close()
    row = (await store.deliveries(receipt))[0]
    assert row.state == "dead" and row.attempts == CONFIG.max_attempts


@pytest.mark.filterwarnings("ignore::pytest.PytestWarning")
def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    config = ForwardingConfig(initial_backoff_seconds=1, max_backoff_seconds=30)
    rng = random.Random(7)
    waits = [backoff(n, config, rng) for n in range(1, 9)]
    assert 0.5 <= waits[0] <= 1 and 1 <= waits[1] <= 2 and 2 <= waits[2] <= 4
    assert all(15 <= w <= 30 for w in waits[5:])
