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
from datetime import UTC, datetime, timedelta

import msgspec
import structlog

from gateway.accounts import authorize
from gateway.assembly import assembled_unit, completeness, describe, is_multipart, unit_identity
from gateway.config import Config
from gateway.iapi import DecisionHook
from gateway.metrics import Metrics
from gateway.processing import Job, Outcome, UnitPart, process_packed, unpack
from gateway.profiles import load_profile
from gateway.store import AccountRecord, Completion, Event, NewDelivery, Receipt, Store, utcnow
from gateway.store.base import StoredPart, UnitState, iso
from validators.admission import Admission
from validators.profiles import Profile

log = structlog.get_logger("paxgate.pipeline")


def new_receipt_id() -> str:
    """Time-ordered and unguessable: 13 hex digits of microseconds, then 8 random hex digits."""
    return f"r{time.time_ns() // 1000:013x}{secrets.token_hex(4)}"


class Pipeline:
    def __init__(self, config: Config, store: Store, pool: Executor, metrics: Metrics, hook: DecisionHook,
                 on_outbox: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self.hook = hook
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

    async def submit(self, account: AccountRecord, channel: str, payload: bytes, *,
                     filename: str | None = None) -> tuple[Receipt, bool]:
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
            await self.process(stored, payload)
        self.metrics.ack_seconds.observe(time.perf_counter() - started)
        final = await self.store.receipt(stored.id)
        assert final is not None
        return final, new

    async def resume(self, older_than: str | None = None) -> int:
        """Process every receipt a previous run stored but did not finish (crash, kill -9), or, with
        ``older_than``, any left ``received`` since then (a processing step that failed midway)."""
        pending = [r for r in await self.store.unfinished() if older_than is None or r.received_at < older_than]
        for receipt in pending:
            if receipt.id in self._inflight:
                continue
            payload = await self.store.payload(receipt.id)
            if payload is not None:
                log.info("message_resumed", receipt=receipt.id, account=receipt.account)
                await self.process(receipt, payload)
        return len(pending)

    async def process(self, receipt: Receipt, payload: bytes) -> None:
        """Validate, decide and commit one receipt, once even when asked twice at the same time."""
        running = self._inflight.get(receipt.id)
        if running is not None:
            await asyncio.shield(running)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight[receipt.id] = future
        try:
            await self._process(receipt, payload)
            future.set_result(None)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[receipt.id]

    async def _process(self, receipt: Receipt, payload: bytes) -> None:
        latest = await self.store.receipt(receipt.id)
        if latest is None or latest.state != "received":
            return  # processed meanwhile (by the resume sweep, or a replay that won the race)
        receipt = latest
        account = await self.store.account(receipt.account)
        if account is None:
            raise LookupError(f"receipt {receipt.id} names unknown account {receipt.account}")
        profile = self.profile(account.profile)
        admission = Admission(senders=account.senders, carriers=account.carriers)
        job = Job(receipt=receipt.id, profile=profile, admission=admission, prepared=datetime.now(UTC),
                  reference=str(receipt.seq))
        outcome = await self._validate(payload, job)
        decided: list[Event] = []
        if outcome.iapi is not None:  # an interactive request: the state's decision hook decides
            started = time.perf_counter()
            decisions, source = await self.hook.decide(receipt.id, account.name, outcome.iapi)
            if decisions:
                job = msgspec.structs.replace(job, decisions=decisions)
                outcome = await self._validate(payload, job)
            elapsed = round((time.perf_counter() - started) * 1000)
            decided.append(Event(utcnow(), "iapi_decided", {"source": source, "ms": elapsed}))
            self.metrics.iapi.labels(source).inc()
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
            plan = Plan() if duplicate else await self._plan(receipt, account.name, profile, outcome.units)
            deliveries = tuple(plan.deliveries)
            events = [Event(utcnow(), "validated", {"format": outcome.format, "verdict": outcome.verdict,
                                                    "messages": outcome.messages, "travellers": outcome.travellers}),
                      Event(utcnow(), "acknowledged", {"kinds": [a.kind for a in outcome.acks]})]
            if duplicate:
                events.append(Event(utcnow(), "duplicate", {"kind": duplicate, "of": duplicate_of}))
            events.extend(decided)
            events.extend(plan.events)
            if deliveries:
                events.append(Event(utcnow(), "queued", {"deliveries": len(deliveries)}))
            await self.store.complete(Completion(
                receipt=receipt.id, format=outcome.format, verdict=outcome.verdict, messages=outcome.messages,
                travellers=outcome.travellers, content_hash=outcome.content_hash, result=_result(outcome),
                acks=outcome.acks, interchanges=() if earlier else outcome.interchanges, deliveries=deliveries,
                duplicate=duplicate, duplicate_of=duplicate_of, events=tuple(events), parts=tuple(plan.parts),
                units=tuple(plan.units)))
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

    async def _plan(self, receipt: Receipt, account: str, profile: Profile, units: tuple[UnitPart, ...]) -> Plan:
        """What to forward now and which parts to keep (gateway.assembly): a single-part message is a
        unit by itself; a part joins its unit's open version and completes it when nothing is missing."""
        plan = Plan()
        now = utcnow()
        seen: dict[str, tuple[UnitState | None, list[StoredPart]]] = {}
        for unit in units:
            identity = unit_identity(unit)
            if identity not in seen:
                current = await self.store.current_unit(account, identity)
                parts = await self.store.unit_parts(account, identity, current.version) if current else []
                seen[identity] = (current, parts)
            current, parts = seen[identity]
            key = f"{receipt.id}:{unit.message}"
            replaces = current.key if current is not None and current.state != "open" else None
            if not is_multipart(unit):
                version = current.version + 1 if current is not None else 1
                state = UnitState(unit=identity, version=version, state="complete", opened_at=now, deadline=now,
                                  test=receipt.test, key=key)
                plan.forward(self._sinks, receipt.test, key, _body(receipt, state, replaces, unit.document))
                seen[identity] = (state, [])
                plan.units.append(state)
                continue
            if current is None or current.state == "complete":
                deadline = iso(datetime.now(UTC) + timedelta(minutes=profile.assembly_minutes))
                current, parts = UnitState(unit=identity, version=(current.version + 1) if current else 1, state="open",
                                           opened_at=now, deadline=deadline, test=receipt.test), []
            elif current.state == "incomplete":  # a late part: a new version carries what came before
                parts = [msgspec.structs.replace(p, version=current.version + 1) for p in parts]
                plan.parts.extend(parts)
                current = msgspec.structs.replace(current, version=current.version + 1, state="open")
            part = StoredPart(unit=identity, version=current.version, sequence=unit.sequence or 1,
                              final=unit.first_last == "F", receipt=receipt.id, message=unit.message, received_at=now,
                              document=unit.document)
            parts = [p for p in parts if p.sequence != part.sequence] + [part]
            plan.parts.append(part)
            done = completeness(parts)
            if done.complete:
                current = msgspec.structs.replace(current, state="complete", key=key)
                body = msgspec.json.encode(assembled_unit(parts, done))
                plan.forward(self._sinks, receipt.test, key, _body(receipt, current, replaces, body))
                plan.events.append(Event(now, "assembled", {"parts": len(parts), "version": current.version}))
            else:
                plan.events.append(Event(now, "part_held", {"count": len(parts), "missing": list(done.missing)}))
            seen[identity] = (current, parts)
            plan.units.append(current)
        return plan

    async def expire_units(self, now: str | None = None) -> int:
        """Forward, flagged incomplete, every open unit whose completeness timer has fired by ``now``."""
        closed = 0
        for account, unit in await self.store.expired_units(now or utcnow()):
            lock = self._decide.setdefault(account, asyncio.Lock())
            async with lock:
                parts = await self.store.unit_parts(account, unit.unit, unit.version)
                if not parts:
                    continue
                done = completeness(parts)
                last = max(parts, key=lambda p: p.received_at)
                key = f"{last.receipt}:{last.message}:incomplete"
                state = msgspec.structs.replace(unit, state="incomplete", key=key)
                receipt = await self.store.receipt(last.receipt)
                assert receipt is not None
                body = _body(receipt, state, None, msgspec.json.encode(assembled_unit(parts, done)))
                plan = Plan()
                plan.forward(self._sinks, unit.test, key, body)
                event = Event(utcnow(), "assembly_incomplete", {"missing": list(done.missing), "parts": len(parts),
                                                               "final_received": done.last is not None})
                if await self.store.close_unit(account, state, tuple(plan.deliveries), last.receipt, event):
                    closed += 1
                    self.metrics.incomplete.labels(account).inc()
                    log.warning("assembly_incomplete", account=account, receipt=last.receipt, count=len(parts),
                                codes=[str(n) for n in done.missing])
        if closed:
            self.on_outbox()
        return closed


class Plan:
    """What processing one receipt decided to forward and to keep."""

    def __init__(self) -> None:
        self.deliveries: list[NewDelivery] = []
        self.parts: list[StoredPart] = []
        self.units: list[UnitState] = []
        self.events: list[Event] = []

    def forward(self, sinks: list[tuple[str, str]], test: bool, key: str, body: bytes) -> None:
        """One outbox row per sink of the traffic class: a carrier not yet certified reaches test sinks only."""
        traffic = "test" if test else "production"
        self.deliveries.extend(NewDelivery(name, key, body) for name, kind in sinks if kind == traffic)


def _body(receipt: Receipt, state: UnitState, replaces: str | None, document: bytes) -> bytes:
    """The forwarded JSON: who sent it, which flight, which version of the unit, then the unit."""
    return msgspec.json.encode({
        "key": state.key, "receipt": receipt.id, "account": receipt.account, "test": receipt.test,
        "received_at": receipt.received_at, **describe(state.unit), "version": state.version, "replaces": replaces,
        "unit": msgspec.Raw(document)})


def _result(outcome: Outcome) -> bytes:
    """What the store keeps to answer ``GET /v1/messages/{id}`` and ``paxgate receipts show`` again."""
    return msgspec.json.encode({"interchanges": len(outcome.interchanges), "findings": msgspec.Raw(outcome.findings),
                                "no_acknowledgement": outcome.no_ack})


def default_workers(config: Config) -> int:
    return config.pipeline.workers or os.cpu_count() or 1
