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
import functools
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
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
from gateway.screening.attach import screen_async
from gateway.screening.screener import AllowList, Screener
from gateway.store import AccountRecord, Completion, Event, NewDelivery, Receipt, Store, StoredAck, utcnow
from gateway.store.base import Lookup, StoredPart, UnitClosure, UnitState, iso
from validators.admission import Admission
from validators.profiles import Profile

log = structlog.get_logger("paxgate.pipeline")


def new_receipt_id() -> str:
    """Time-ordered and unguessable: 13 hex digits of microseconds, then 8 random hex digits."""
    return f"r{time.time_ns() // 1000:013x}{secrets.token_hex(4)}"


class Pipeline:
    def __init__(self, config: Config, store: Store, new_pool: Callable[[], Executor], metrics: Metrics, hook: DecisionHook,
                 on_outbox: Callable[[], None] = lambda: None) -> None:
        self.config = config
        self.hook = hook
        self.new_pool = new_pool
        self.store = store
        self.pool = new_pool()
        self.metrics = metrics
        self.on_outbox = on_outbox  # wakes the dispatcher when new rows are committed
        self._profiles: dict[str, Profile] = {}
        self._inflight: dict[str, asyncio.Future[Submitted | None]] = {}
        self.in_flight = 0  # submissions between intake and answer (back-pressure: pipeline.max_in_flight)
        self._sinks = [(s.name, s.traffic) for s in config.sinks]
        self.screener: Screener | None = None  # set by the composition root when watchlists are configured
        self.allow = AllowList()  # analysts' decided false positives, rebuilt from the store at start

    async def _screened(self, outcome: Outcome, decided: list[Event]) -> Outcome:
        """The outcome with every forwardable traveller screened (gateway.screening.attach), when
        lists are loaded; one event records how many travellers and hits, never who."""
        if self.screener is None or not outcome.units:
            return outcome
        started = time.perf_counter()
        result = await screen_async(self.screener, outcome, self.allow)
        elapsed = round((time.perf_counter() - started) * 1000)
        decided[:] = [e for e in decided if e.stage != "screened"]  # a re-validation screens again
        decided.append(Event(utcnow(), "screened", {"travellers": result.travellers, "with_hits": result.hits, "ms": elapsed}))
        self.metrics.screened.labels("hit").inc(result.hits)
        self.metrics.screened.labels("clear").inc(result.travellers - result.hits)
        return result.outcome

    def profile(self, name: str) -> Profile:
        profile = self._profiles.get(name)
        if profile is None:
            profile = self._profiles[name] = load_profile(name)
        return profile

    async def submit(self, account: AccountRecord, channel: str, payload: bytes, *,
                     filename: str | None = None) -> Submitted:
        """Store, process and acknowledge one submission. Raises ``accounts.Refusal`` (nothing
        stored) when the account may not submit now, or ``Overloaded`` when too much is in flight."""
        authorize(account, channel)
        if self.in_flight >= self.config.pipeline.max_in_flight:
            self.metrics.refused.labels(channel, "overloaded").inc()
            raise Overloaded(self.in_flight)
        self.in_flight += 1
        try:
            return await self._submit(account, channel, payload, filename)
        finally:
            self.in_flight -= 1

    async def _submit(self, account: AccountRecord, channel: str, payload: bytes, filename: str | None) -> Submitted:
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
        try:
            settled = await self.process(stored, payload, account) if stored.state == "received" else None
        except Exception as error:  # stored, so not lost: the sweep retries it, a resend is answered from the store
            log.error("message_processing_failed", receipt=stored.id, account=account.name, error=type(error).__name__)
            raise ProcessingFailed(stored.id) from error
        if settled is None:  # a replay, or processed meanwhile by someone else: answer from the store
            settled = Submitted(await self.store.receipt(stored.id) or stored, new,
                                tuple(await self.store.acknowledgements(stored.id)))
        self.metrics.ack_seconds.observe(time.perf_counter() - started)
        return msgspec.structs.replace(settled, new=new)

    async def resume(self, older_than: str | None = None) -> int:
        """Process every receipt a previous run stored but did not finish (crash, kill -9), or, with
        ``older_than``, any left ``received`` since then (a processing step that failed midway)."""
        pending = [r for r in await self.store.unfinished() if older_than is None or r.received_at < older_than]
        for receipt in pending:
            if receipt.id in self._inflight:
                continue
            payload = await self.store.payload(receipt.id)
            account = await self.store.account(receipt.account)
            if payload is not None and account is not None:
                log.info("message_resumed", receipt=receipt.id, account=receipt.account)
                try:
                    await self.process(receipt, payload, account)
                except Exception as error:  # one receipt that cannot be processed must not hold up the others
                    log.error("message_processing_failed", receipt=receipt.id, account=receipt.account,
                              error=type(error).__name__)
        return len(pending)

    async def process(self, receipt: Receipt, payload: bytes, account: AccountRecord) -> Submitted | None:
        """Validate, decide and commit one receipt, once even when asked twice at the same time.
        None when it had been processed already (the caller answers from the store)."""
        running = self._inflight.get(receipt.id)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Submitted | None] = asyncio.get_running_loop().create_future()
        self._inflight[receipt.id] = future
        try:
            result = await self._process(receipt, payload, account)
            future.set_result(result)
            return result
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[receipt.id]

    async def _process(self, receipt: Receipt, payload: bytes, account: AccountRecord) -> Submitted | None:
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
        screened = await self._screened(outcome, decided)
        while True:
            outcome = screened
            decide = functools.partial(self._decide, receipt=receipt, profile=profile, job=job, outcome=outcome, decided=decided)
            settled, stored = await self.store.settle(decide)
            if not isinstance(settled, Revalidate):
                break
            # the interchange was seen before with other bytes: the acknowledgement must say so (UCI 0085 26)
            job = msgspec.structs.replace(job, admission=msgspec.structs.replace(admission, duplicate_of=settled.earlier))
            outcome = await self._validate(payload, job)
            screened = await self._screened(outcome, decided)
        if not isinstance(settled, Completion) or stored is None:
            return None
        self.metrics.processed.labels(account.name, outcome.format, outcome.verdict).inc()
        if settled.duplicate:
            self.metrics.duplicates.labels(account.name, settled.duplicate).inc()
        log.info("message_processed", receipt=receipt.id, account=account.name, format=outcome.format,
                 verdict=outcome.verdict, messages=outcome.messages, travellers=outcome.travellers,
                 duplicate=settled.duplicate, deliveries=len(settled.deliveries))
        if settled.deliveries:
            self.on_outbox()
        return Submitted(stored, True, settled.acks)

    def _decide(self, lookup: Lookup, receipt: Receipt, profile: Profile, job: Job, outcome: Outcome,
                decided: list[Event]) -> Completion | Revalidate | None:
        """Duplicates, versions and assembly against what the store holds, inside its write
        transaction (DESIGN.md §6.1, §6.2). Runs on the store's writer thread: no awaiting here."""
        current = lookup.receipt(receipt.id)
        if current is None or current.state != "received":
            return None  # processed meanwhile (the resume sweep, or a replay that won the race)
        account = receipt.account
        earlier = {}
        for key in outcome.interchanges:
            first = lookup.first_interchange(account, key)
            if first is not None and first != receipt.id:
                earlier[key.number] = first
        if earlier and earlier != job.admission.duplicate_of:
            return Revalidate(earlier)
        duplicate = duplicate_of = None
        if earlier:
            duplicate, duplicate_of = "interchange", next(iter(earlier.values()))
        elif outcome.verdict != "rejected" and outcome.content_hash:
            duplicate_of = lookup.first_content(account, outcome.content_hash, current.seq)
            duplicate = "content" if duplicate_of else None
        # a file may bundle interchanges: only the ones seen before are duplicates; the others go on
        fresh = tuple(u for u in outcome.units if u.interchange not in earlier)
        plan = Plan() if duplicate == "content" else self._plan(lookup, receipt, profile, fresh)
        now = utcnow()
        events = [Event(now, "validated", {"format": outcome.format, "verdict": outcome.verdict,
                                           "messages": outcome.messages, "travellers": outcome.travellers}),
                  Event(now, "acknowledged", {"kinds": [a.kind for a in outcome.acks]}), *decided]
        if duplicate:
            events.append(Event(now, "duplicate", {"kind": duplicate, "of": duplicate_of}))
        events.extend(plan.events)
        if plan.deliveries:
            events.append(Event(now, "queued", {"deliveries": len(plan.deliveries)}))
        return Completion(
            receipt=receipt.id, format=outcome.format, verdict=outcome.verdict, messages=outcome.messages,
            travellers=outcome.travellers, content_hash=outcome.content_hash, result=_result(outcome), acks=outcome.acks,
            interchanges=tuple(k for k in outcome.interchanges if k.number not in earlier), deliveries=tuple(plan.deliveries),
            duplicate=duplicate,
            duplicate_of=duplicate_of, events=tuple(events), parts=tuple(plan.parts), units=tuple(plan.units),
            observations=outcome.observations, masked_payload=outcome.masked)

    async def _validate(self, payload: bytes, job: Job) -> Outcome:
        started = time.perf_counter()
        try:
            packed = await asyncio.get_running_loop().run_in_executor(self.pool, process_packed, payload, job)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, and this job once more
            log.error("validation_pool_broken", receipt=job.receipt)
            self.pool = self.new_pool()
            packed = await asyncio.get_running_loop().run_in_executor(self.pool, process_packed, payload, job)
        self.metrics.validation_seconds.observe(time.perf_counter() - started)
        return unpack(packed)

    def _plan(self, lookup: Lookup, receipt: Receipt, profile: Profile, units: tuple[UnitPart, ...]) -> Plan:
        """What to forward now and which parts to keep (gateway.assembly): a single-part message is a
        unit by itself; a part joins its unit's open version and completes it when nothing is missing."""
        plan = Plan()
        now = utcnow()
        account = receipt.account
        seen: dict[str, tuple[UnitState | None, list[StoredPart]]] = {}
        for unit in units:
            identity = unit_identity(unit)
            if identity not in seen:
                current = lookup.current_unit(account, identity)
                parts = lookup.unit_parts(account, identity, current.version) if current else []
                seen[identity] = (current, parts)
            current, parts = seen[identity]
            key = f"{receipt.id}:{unit.message}"
            replaces = current.key if current is not None and current.state != "open" else None
            if replaces is not None and replaces.startswith(key):  # this receipt reprocessed: a new key for the new body
                key = f"{key}:v{current.version + 1}"
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
            closure = await self.store.expire(lambda lookup, a=account, u=unit: self._close(lookup, a, u))
            if closure is None:
                continue
            closed += 1
            self.metrics.incomplete.labels(account).inc()
            log.warning("assembly_incomplete", account=account, receipt=closure.receipt,
                        count=closure.event.detail.get("parts"), codes=[str(n) for n in closure.event.detail["missing"]])
        if closed:
            self.on_outbox()
        return closed

    def _close(self, lookup: Lookup, account: str, unit: UnitState) -> UnitClosure | None:
        """Forward an open unit as it is, unless a part completed it meanwhile (writer thread)."""
        current = lookup.current_unit(account, unit.unit)
        if current is None or current.version != unit.version or current.state != "open":
            return None
        parts = lookup.unit_parts(account, unit.unit, unit.version)
        if not parts:
            return None
        done = completeness(parts)
        last = max(parts, key=lambda p: p.received_at)
        receipt = lookup.receipt(last.receipt)
        if receipt is None:
            return None
        state = msgspec.structs.replace(current, state="incomplete", key=f"{last.receipt}:{last.message}:incomplete")
        plan = Plan()
        plan.forward(self._sinks, state.test, state.key or "", _body(receipt, state, None,
                                                                      msgspec.json.encode(assembled_unit(parts, done))))
        event = Event(utcnow(), "assembly_incomplete", {"missing": list(done.missing), "parts": len(parts),
                                                       "final_received": done.last is not None})
        return UnitClosure(account=account, unit=state, receipt=last.receipt, deliveries=tuple(plan.deliveries), event=event)


class Submitted(msgspec.Struct, frozen=True):
    """What an adapter answers with: the committed receipt, whether it is new, its acknowledgements."""

    receipt: Receipt
    new: bool
    acks: tuple[StoredAck, ...]


class Revalidate(msgspec.Struct, frozen=True):
    earlier: dict[int, str]  # interchange number → the receipt that carried it first


class ProcessingFailed(Exception):  # noqa: N818 - an answer to the caller, like Refusal
    """The submission was stored but processing it failed; it stays ``received`` for the next sweep."""

    def __init__(self, receipt: str) -> None:
        super().__init__(f"receipt {receipt} stored, not processed")
        self.receipt = receipt


class Overloaded(Exception):  # noqa: N818 - an answer to the caller, like Refusal
    """Too many submissions in flight: the caller should try again shortly (nothing was stored)."""

    def __init__(self, in_flight: int) -> None:
        super().__init__(f"{in_flight} submissions in flight")


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
