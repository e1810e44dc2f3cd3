"""The outbox dispatcher: delivers committed outbox rows to their sinks, retrying until they land.

Rows are written in the same commit as the validation result (DESIGN.md §2 step 8), so nothing is
forwarded that was not recorded and nothing recorded is forgotten: a downstream outage piles rows
up in the store, not in memory, and a restart picks them up. A delivery that keeps failing waits
longer each time (exponential backoff with full jitter, so a recovering sink is not hit by every
row at once) and is dead-lettered after ``max_attempts``; an operator re-drives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import UTC, datetime, timedelta

import structlog

from gateway.config import ForwardingConfig
from gateway.forwarding.sinks import Delivery, DeliveryError, Sink
from gateway.metrics import Metrics
from gateway.store import OutboxRow, Store, utcnow
from gateway.store.base import iso

log = structlog.get_logger("paxgate.outbox")


def backoff(attempt: int, config: ForwardingConfig, rng: random.Random) -> float:
    """Seconds before attempt ``attempt + 1``: full jitter over an exponentially growing cap."""
    cap = min(config.max_backoff_seconds, config.initial_backoff_seconds * 2 ** max(attempt - 1, 0))
    return rng.uniform(cap / 2, cap)


class Dispatcher:
    def __init__(self, store: Store, sinks: dict[str, Sink], config: ForwardingConfig, metrics: Metrics) -> None:
        self.store = store
        self.sinks = sinks
        self.config = config
        self.metrics = metrics
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy: set[int] = set()
        self._rng = random.Random()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="paxgate-outbox")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Let the deliveries in flight finish (up to ``grace_seconds``), then stop; what is left
        stays in the store for the next start. A delivery cut off is simply delivered again."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_seconds)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                worked = await self.drain_once()
                await self._refresh_depth()
            except asyncio.CancelledError:
                raise
            except Exception:  # the store itself failed: wait and try again, never die silently
                log.exception("outbox_failed")
                worked = 0
            if not worked and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.config.poll_seconds)

    async def drain_once(self) -> int:
        """Deliver every row due now (up to ``concurrency`` at a time); returns how many were tried."""
        rows = [r for r in await self.store.due_deliveries(utcnow(), 200) if r.id not in self._busy]
        if not rows:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(row: OutboxRow) -> None:
            async with gate:
                await self._deliver(row)

        self._busy.update(r.id for r in rows)
        try:
            await asyncio.gather(*(one(r) for r in rows))
        finally:
            self._busy.difference_update(r.id for r in rows)
        return len(rows)

    async def _deliver(self, row: OutboxRow) -> None:
        sink = self.sinks.get(row.sink)
        if sink is None:
            await self.store.delivery_failed(row.id, f"sink {row.sink} is not configured any more", None)
            log.error("delivery_dead_lettered", receipt=row.receipt, sink=row.sink, reason="sink_not_configured")
            return
        try:
            await sink.deliver(Delivery(key=row.key, receipt=row.receipt, body=row.body, test=row.test))
        except DeliveryError as error:
            attempts = row.attempts + 1
            self.metrics.sink_errors.labels(row.sink, str(error.retryable).lower()).inc()
            if not error.retryable or attempts >= self.config.max_attempts:
                await self.store.delivery_failed(row.id, error.reason, None)
                log.error("delivery_dead_lettered", receipt=row.receipt, sink=row.sink, attempts=attempts, reason=error.reason)
                return
            hint = min(error.retry_after_s or 0.0, self.config.max_backoff_seconds)  # a sink's hint, within reason
            wait = max(backoff(attempts, self.config, self._rng), hint)
            next_at = iso(datetime.now(UTC) + timedelta(seconds=wait))
            await self.store.delivery_failed(row.id, error.reason, next_at)
            log.warning("delivery_failed", receipt=row.receipt, sink=row.sink, attempts=attempts, reason=error.reason,
                        seconds=round(wait, 3))
            return
        await self.store.delivered(row.id)
        self.metrics.delivered.labels(row.sink).inc()
        log.info("message_forwarded", receipt=row.receipt, sink=row.sink, idempotency_key=row.key, attempts=row.attempts + 1)

    async def _refresh_depth(self) -> None:
        for state, count in (await self.store.outbox_depth()).items():
            self.metrics.outbox.labels(state).set(count)
