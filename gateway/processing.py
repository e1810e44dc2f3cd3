"""What a validation worker does with one stored submission: bytes in, everything the pipeline
needs to decide and commit out.

This runs in the process pool (DESIGN.md §3): pure-Python validation would starve the event loop.
Its input and output are small msgspec structs, so crossing the process boundary costs little; the
parsed segments never leave the worker. No I/O happens here: the pipeline owns the store.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from datetime import datetime

import msgspec

from gateway.compliance.observe import observe
from gateway.store.base import FlightMessage, InterchangeKey, StoredAck
from validators.acks import Acknowledgement, interactive
from validators.acks import answers as acks_for
from validators.admission import Admission
from validators.edifact.contrl import ContrlContext
from validators.edifact.envelope import Interchange
from validators.paxlst.cusres import DirectiveKey, Directives, default_answers
from validators.pnrgov.model import PnrPush
from validators.profiles import Profile
from validators.report import Finding, Report, Scope, Severity
from validators.validate import validate


class Job(msgspec.Struct, frozen=True, kw_only=True):
    receipt: str
    profile: Profile
    admission: Admission
    prepared: datetime  # the time our acknowledgement says it was prepared
    reference: str  # our interchange control reference (UNB 0020 of the acknowledgement)
    # an interactive request's decisions from the national hook: (message, traveller position) → (directive, text)
    decisions: dict[tuple[int, int], tuple[DirectiveKey, str | None]] = {}


class UnitPart(msgspec.Struct, frozen=True, kw_only=True):
    """One message that may be forwarded, with what assembly needs to place it."""

    message: int  # 1-based index in the file
    format: str
    interchange: int = 1  # 1-based index of its interchange in the file
    document_type: str = ""  # BGM 1001: a crew list (250) and a passenger list (745) of one flight are different units
    flight: str | None = None  # e.g. ZZ0123
    flight_date: str | None = None  # ISO date of the first departure or arrival
    common_access_reference: str | None = None  # UNH 0068
    sequence: int | None = None  # S010 0070
    first_last: str | None = None  # S010 0073: C first, F final
    travellers: int = 0
    document: bytes = b"{}"  # the message's normalized JSON with its own findings


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    verdict: str
    messages: int
    travellers: int
    interchanges: tuple[InterchangeKey, ...]
    findings: bytes  # JSON array, as `paxgate validate --json` prints them
    acks: tuple[StoredAck, ...]
    no_ack: tuple[str, ...]
    content_hash: str | None
    units: tuple[UnitPart, ...]  # messages fit to forward (not rejected by syntax or structure)
    iapi: bytes | None = None  # an interactive request, as the decision hook receives it (JSON); None otherwise
    observations: tuple[FlightMessage, ...] = ()  # for the compliance ledger (gateway.compliance.observe)
    masked: bytes | None = None  # the payload with sensitive PNR data overwritten: replaces the stored bytes (§6.7)


def init_worker(parent: int | None = None) -> None:
    """Pool initializer. Validation allocates many short-lived objects and no cycles worth chasing:
    fewer collections of the young generation save about a fifth of the time (bench/). With
    ``parent``, a watcher ends the worker when the gateway process is gone: after a kill -9 nobody
    else would, as a spawned worker holds its own end of the call queue and never sees EOF."""
    gc.set_threshold(50_000, 50, 100)
    gc.freeze()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), name="paxgate-parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def process_packed(payload: bytes, job: Job) -> bytes:
    """``process`` for the pool: the outcome travels back as MessagePack (smaller and faster than pickle)."""
    return msgspec.msgpack.encode(process(payload, job))


def unpack(data: bytes) -> Outcome:
    return msgspec.msgpack.decode(data, type=Outcome)


def process(payload: bytes, job: Job) -> Outcome:
    report = validate(payload, job.profile, job.admission)
    requests = [i for i in report.interchanges if interactive(i, job.profile)]
    answers = acks_for(report, job.profile, ContrlContext(job.prepared, job.reference), decisions=job.decisions)
    acks = tuple(StoredAck(a.interchange, a.kind, a.payload) for a in answers if isinstance(a, Acknowledgement))
    no_ack = tuple(f"interchange {a.interchange}: {a.reason}" for a in answers if not isinstance(a, Acknowledgement))
    if not answers:
        no_ack = (report.findings[0].message if report.findings else "no interchange",)
    return Outcome(
        format=report.format,
        verdict=report.verdict.value,
        messages=report.messages,
        travellers=report.travellers,
        interchanges=_interchange_keys(report),
        findings=msgspec.json.encode(report.findings),
        acks=acks,
        no_ack=no_ack,
        content_hash=_content_hash(report),
        units=_units(report),
        iapi=_iapi_request(report, requests, job.profile) if requests else None,
        observations=observe(report, job.receipt),
        masked=report.masked,
    )


def _iapi_request(report: Report, requests: list[Interchange], profile: Profile) -> bytes:
    """What the national decision hook is asked: each request's travellers and paxgate's default
    decision for each (ERC code and text), keyed by message index and traveller NAD position."""
    directives = Directives(**profile.iapi_directives)
    messages = []
    for interchange in requests:
        for reply in default_answers(report, interchange, directives):
            if reply.manifest is None:
                continue
            messages.append({"message": reply.manifest.message, "manifest": reply.manifest,
                             "default": [{"position": position, "code": d.code, "text": d.text}
                                         for position, d in reply.decisions.items()]})
    return msgspec.json.encode({"messages": messages})


def _interchange_keys(report: Report) -> tuple[InterchangeKey, ...]:
    keys = []
    for interchange in report.interchanges:
        if interchange.header is None or not interchange.control_reference:
            continue
        prepared = ":".join(interchange.header.elements[3]) if len(interchange.header.elements) > 3 else ""
        keys.append(InterchangeKey(interchange.number, interchange.sender[0], interchange.control_reference, prepared))
    return tuple(keys)


def _content_hash(report: Report) -> str | None:
    """SHA-256 of what the messages say, without envelope references (UNB/UNH/UNT/UNZ): the same
    list resent under new references hashes the same (DESIGN.md §6.1)."""
    digest = hashlib.sha256()
    seen = False
    for interchange in report.interchanges:
        for message in interchange.messages:
            seen = True
            digest.update(message.type.encode("latin-1") + b"\x1e")
            for segment in message.segments[1:-1] if message.trailer is not None else message.segments[1:]:
                digest.update(segment.raw.encode("latin-1") + b"\x1f")
    return digest.hexdigest() if seen else None


def _units(report: Report) -> tuple[UnitPart, ...]:
    """The messages fit to forward, each with its model and its own findings (§6.2: a message with
    business-rule findings is forwarded with them; one rejected by syntax is not forwarded)."""
    blocked = {f.location.interchange for f in report.findings
               if f.severity is Severity.ERROR and f.scope in (Scope.INTERCHANGE, Scope.GROUP)}
    rejected = {f.location.message for f in report.findings
                if f.severity is Severity.ERROR and f.scope in (Scope.MESSAGE, Scope.SEGMENT)}
    by_message = {m.message: m for m in report.manifests}
    pushes = {p.message: p for p in report.pushes}
    units = []
    if report.format == "pnrgov-xml":  # one document, one push; XML has no interchanges
        return tuple(_push_unit(report, push, 1, report.findings) for push in report.pushes if 1 not in rejected)
    for interchange in report.interchanges:
        if interchange.number in blocked:
            continue
        for message in interchange.messages:
            own = [f for f in report.findings if f.location.message == message.index]
            push = pushes.get(message.index)
            if push is not None and message.index not in rejected:
                units.append(_push_unit(report, push, interchange.number, own))
                continue
            manifest = by_message.get(message.index)
            if message.index in rejected or manifest is None:
                continue  # messages without a model (no table yet) are kept and shown, not forwarded
            flight = manifest.flights[0] if manifest.flights else None
            when = next((leg.time_local for f in manifest.flights for leg in f.legs if leg.time_local), None)
            document = {"format": report.format, "message": message.index, "manifest": manifest, "findings": own}
            units.append(UnitPart(
                message=message.index, format=report.format, interchange=interchange.number, document_type=manifest.document,
                flight=flight.flight if flight else None,
                flight_date=when[:10] if when else None, common_access_reference=manifest.part.common_access_reference,
                sequence=manifest.part.sequence, first_last=manifest.part.first_last, travellers=len(manifest.travellers),
                document=msgspec.json.encode(document)))
    return tuple(units)


def _push_unit(report: Report, push: PnrPush, interchange: int, own: list[Finding]) -> UnitPart:
    """A PNRGOV push (EDIFACT message or XML document) as a unit part: the push and its findings,
    already masked (the model holds no SSR/OSI free text at all)."""
    flight = push.flight
    document = {"format": report.format, "message": push.message, "push": push, "findings": own}
    return UnitPart(
        message=push.message, format=report.format, interchange=interchange, document_type="PNRGOV",
        flight=flight.flight if flight else None,
        flight_date=flight.departure_local[:10] if flight and flight.departure_local else None,
        common_access_reference=push.part.common_access_reference, sequence=push.part.sequence,
        first_last=push.part.first_last, travellers=sum(len(pnr.passengers) for pnr in push.pnrs),
        document=msgspec.json.encode(document))


def ping() -> int:
    """A readiness probe for the pool: answers with the worker's pid."""
    return os.getpid()
