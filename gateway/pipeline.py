"""One submission's way through the gateway (DESIGN.md §2): intake → validate → decide → commit.

``submit`` returns only after the acknowledgement is committed with everything it implies, so the
adapter can answer at once. The order is the non-negotiable one: the raw bytes and their receipt
are committed **before** anything else happens, and the validation result, the acknowledgement and
the outbox rows are committed **together**. A crash between the two leaves the receipt
``received``; ``resume`` processes it again on the next start. The same bytes again from the same
account never reach a validator twice: they get the first receipt and its acknowledgement back.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime

import msgspec
import structlog

from gateway.accounts import authorize
from gateway.config import Config
from gateway.metrics import Metrics
from gateway.processing import Job, Outcome, UnitPart, process_packed, unpack
from gateway.profiles import load_profile
from gateway.store import AccountRecord, Completion, Event, NewDelivery, Receipt, Store, utcnow
from validators.admission import Admission
from validators.profiles import Profile

log = structlog.get_logger("paxgate.pipeline")


def new_receipt_id() -> str:
    """Time-ordered and unguessable: 13 hex digits of microseconds, then 8 random hex digits."""
    return f"r{time.time_ns() // 1000:013x}{secrets.token_hex(4)}"


class Pipeline:
    def __init__(self, config: Config, store: Store, pool: Executor, metrics: Metrics,
                 on_outbox: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self.store = store
        self.pool = pool
        self.metrics = metrics
        self.on_outbox = on_outbox  # wakes the dispatcher when new rows are committed
        self._profiles: dict[str, Profile] = {}
        self._inflight: dict[str, asyncio.Future[None]] = {}
        self._decide: dict[str, asyncio.Lock] = {}
        self._sinks = [(s.name, s.traffic) for s in config.sinks]

    def profile(self, name: str) -> Profile:
        profile = self._profiles.get(name)
        if profile is None:
            profile = self._profiles[name] = load_profile(name)
        return profile

    async def submit(self, account: AccountRecord, channel: str, payload: bytes, *, filename: str | None = None,
                     interactive: bool = False) -> tuple[Receipt, bool]:
        """Store, process and acknowledge one submission; returns its receipt and whether it was new.
        Raises ``accounts.Refusal`` (nothing stored) when the account may not submit now."""
        authorize(account, channel)
        started = time.perf_counter()
        receipt = Receipt(id=new_receipt_id(), seq=0, account=account.name, channel=channel, received_at=utcnow(),
                          sha256=hashlib.sha256(payload).hexdigest(), size=len(payload), test=account.status != "certified",
                          state="received", filename=filename)
        stored, new = await self.store.intake(receipt, payload)
        if new:
            self.metrics.received.labels(account.name, channel).inc()
            log.info("message_received", receipt=stored.id, account=account.name, channel=channel, size=stored.size,
                     sha256=stored.sha256)
        else:
            self.metrics.replayed.labels(account.name).inc()
            log.info("message_replayed", receipt=stored.id, account=account.name, channel=channel)
        if stored.state == "received":
            await self.process(stored, payload, interactive=interactive)
        self.metrics.ack_seconds.observe(time.perf_counter() - started)
        final = await self.store.receipt(stored.id)
        assert final is not None
        return final, new

    async def resume(self) -> int:
        """Process every receipt a previous run stored but did not finish (crash, kill -9)."""
        pending = await self.store.unfinished()
        for receipt in pending:
            payload = await self.store.payload(receipt.id)
            if payload is not None:
                log.info("message_resumed", receipt=receipt.id, account=receipt.account)
                await self.process(receipt, payload)
        return len(pending)

    async def process(self, receipt: Receipt, payload: bytes, *, interactive: bool = False) -> None:
        """Validate, decide and commit one receipt, once even when asked twice at the same time."""
        running = self._inflight.get(receipt.id)
        if running is not None:
            await asyncio.shield(running)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight[receipt.id] = future
        try:
            await self._process(receipt, payload, interactive)
            future.set_result(None)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[receipt.id]

    async def _process(self, receipt: Receipt, payload: bytes, interactive: bool) -> None:
        account = await self.store.account(receipt.account)
        if account is None:
            raise LookupError(f"receipt {receipt.id} names unknown account {receipt.account}")
        profile = self.profile(account.profile)
        admission = Admission(senders=account.senders, carriers=account.carriers)
        job = Job(receipt=receipt.id, profile=profile, admission=admission, prepared=datetime.now(UTC),
                  reference=str(receipt.seq), acknowledgement="cusres" if interactive else "contrl")
        outcome = await self._validate(payload, job)
        lock = self._decide.setdefault(account.name, asyncio.Lock())
        async with lock:  # duplicate decisions of one account see each other's commits
            duplicate = duplicate_of = None
            earlier = {}
            for key in outcome.interchanges:
                first = await self.store.first_interchange(account.name, key)
                if first is not None and first != receipt.id:
                    earlier[key.number] = first
            if earlier:
                job = msgspec.structs.replace(job, admission=msgspec.structs.replace(admission, duplicate_of=earlier))
                outcome = await self._validate(payload, job)
                duplicate, duplicate_of = "interchange", next(iter(earlier.values()))
            elif outcome.verdict != "rejected" and outcome.content_hash:
                duplicate_of = await self.store.first_content(account.name, outcome.content_hash, receipt.seq)
                duplicate = "content" if duplicate_of else None
            deliveries = () if duplicate else self._deliveries(receipt, outcome.units)
            events = [Event(utcnow(), "validated", {"format": outcome.format, "verdict": outcome.verdict,
                                                    "messages": outcome.messages, "travellers": outcome.travellers}),
                      Event(utcnow(), "acknowledged", {"kinds": [a.kind for a in outcome.acks]})]
            if duplicate:
                events.append(Event(utcnow(), "duplicate", {"kind": duplicate, "of": duplicate_of}))
            if deliveries:
                events.append(Event(utcnow(), "queued", {"deliveries": len(deliveries)}))
            await self.store.complete(Completion(
                receipt=receipt.id, format=outcome.format, verdict=outcome.verdict, messages=outcome.messages,
                travellers=outcome.travellers, content_hash=outcome.content_hash, result=_result(outcome),
                acks=outcome.acks, interchanges=() if earlier else outcome.interchanges, deliveries=deliveries,
                duplicate=duplicate, duplicate_of=duplicate_of, events=tuple(events)))
        self.metrics.processed.labels(account.name, outcome.format, outcome.verdict).inc()
        if duplicate:
            self.metrics.duplicates.labels(account.name, duplicate).inc()
        log.info("message_processed", receipt=receipt.id, account=account.name, format=outcome.format,
                 verdict=outcome.verdict, messages=outcome.messages, travellers=outcome.travellers, duplicate=duplicate,
                 deliveries=len(deliveries))
        if deliveries:
            self.on_outbox()

    async def _validate(self, payload: bytes, job: Job) -> Outcome:
        started = time.perf_counter()
        packed = await asyncio.get_running_loop().run_in_executor(self.pool, process_packed, payload, job)
        self.metrics.validation_seconds.observe(time.perf_counter() - started)
        return unpack(packed)

    def _deliveries(self, receipt: Receipt, units: tuple[UnitPart, ...]) -> tuple[NewDelivery, ...]:
        """One outbox row per forwardable message and sink of the receipt's traffic class (a carrier
        not yet certified reaches test sinks only). Key = receipt id + message: the idempotency key."""
        traffic = "test" if receipt.test else "production"
        rows = []
        for unit in units:
            key = f"{receipt.id}:{unit.message}"
            body = msgspec.json.encode({
                "key": key, "receipt": receipt.id, "account": receipt.account, "test": receipt.test,
                "received_at": receipt.received_at, "flight": unit.flight, "flight_date": unit.flight_date,
                "part": {"common_access_reference": unit.common_access_reference, "sequence": unit.sequence,
                         "first_last": unit.first_last},
                "unit": msgspec.Raw(unit.document)})
            rows.extend(NewDelivery(name, key, body) for name, kind in self._sinks if kind == traffic)
        return tuple(rows)


def _result(outcome: Outcome) -> bytes:
    """What the store keeps to answer ``GET /v1/messages/{id}`` and ``paxgate receipts show`` again."""
    return msgspec.json.encode({"interchanges": len(outcome.interchanges), "findings": msgspec.Raw(outcome.findings),
                                "no_acknowledgement": outcome.no_ack})


def default_workers(config: Config) -> int:
    return config.pipeline.workers or os.cpu_count() or 1
