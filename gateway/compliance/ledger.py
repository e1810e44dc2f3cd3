"""The ledger: per carrier and flight, which messages were due when, and what arrived.

Pure (no store, no clock): the caller passes scheduled flights, the messages seen in traffic, the
obligations that apply to each carrier and the moment to judge at (``as_of``), so the same inputs
always give the same ledger, in tests, in the dashboard and in exports.

A flight is a scheduled flight, or one first seen in traffic (no schedule names it). A message is
attached to the scheduled flight with its designator departing within ``MATCH_HOURS`` of the time
the message states (carriers round or restate departure times), else to a flight of its own.

Each obligation of a message kind is a window [opens, due] around the scheduled departure. A message
belongs to the window it arrived in; one that arrived between two windows, or after the last,
belongs to the last window already open (it is late for that one); one before the first window is
early for the first. An obligation is then:

- ``on_time``: complete (every part up to the final one, accepted, not a duplicate) within its window;
- ``early`` / ``late``: complete, but before the window opened / after it was due;
- ``incomplete``: due, parts arrived but a part or the final part is missing;
- ``rejected``: due, and everything that arrived was rejected;
- ``missing``: due, and nothing arrived;
- ``pending``: not yet due and not yet complete (not counted in timeliness).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import msgspec

from gateway.compliance.flights import parse_stamp, stamp
from gateway.store.base import FlightMessage, ScheduledFlight
from validators.obligations import Obligation

MATCH_HOURS = 6
TIMELY = ("on_time",)
DUE_STATES = ("on_time", "early", "late", "incomplete", "rejected", "missing")


class PartView(msgspec.Struct, frozen=True, kw_only=True):
    """One message as it counts for an obligation (no personal data)."""

    receipt: str
    message: int
    sequence: int | None
    final: bool
    received_at: str
    minutes: int  # received relative to the scheduled departure (negative = before)
    status: str  # on_time / early / late / rejected / duplicate
    verdict: str
    travellers: int


class Expectation(msgspec.Struct, frozen=True, kw_only=True):
    obligation: str
    message: str
    description: str
    opens_at: str
    due_at: str
    status: str
    completed_at: str | None = None
    parts: tuple[PartView, ...] = ()
    missing_parts: tuple[int, ...] = ()
    final_missing: bool = False
    duplicates: int = 0
    rejected: int = 0


class FlightLedger(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    flight: str
    departure_airport: str | None
    arrival_airport: str | None
    departure_local: str | None
    departure_utc: str
    scheduled: bool
    expectations: tuple[Expectation, ...]
    unexpected: tuple[PartView, ...] = ()  # messages of a kind no obligation names (kept, shown, not scored)
    travellers: int = 0  # on the accepted API passenger lists counted for sufficiency
    sufficiency: dict[str, tuple[int, int]] = {}  # element → (travellers, travellers carrying it valid)

    @property
    def key(self) -> str:
        """Stable id for URLs: designator and scheduled departure (UTC, to the minute)."""
        return f"{self.flight}@{self.departure_utc[:16].replace(':', '')}"


def flights(scheduled: list[ScheduledFlight], messages: list[FlightMessage],
            obligations_for: Callable[[str], tuple[Obligation, ...]], as_of: datetime) -> list[FlightLedger]:
    """Every flight with its expectations judged at ``as_of``, ordered by departure."""
    slots: list[tuple[dict[str, object], list[FlightMessage]]] = []
    by_flight: dict[tuple[str, str], list[int]] = {}
    for s in scheduled:
        by_flight.setdefault((s.carrier, s.flight), []).append(len(slots))
        slots.append(({"carrier": s.carrier, "flight": s.flight, "departure_airport": s.departure_airport,
                       "arrival_airport": s.arrival_airport, "departure_local": s.departure_local,
                       "departure_utc": s.departure_utc, "scheduled": True}, []))
    window = timedelta(hours=MATCH_HOURS)
    for m in sorted((m for m in messages if m.departure_utc), key=lambda m: (m.departure_utc or "", m.received_at)):
        stated = parse_stamp(m.departure_utc or "")
        best, gap = None, window
        for index in by_flight.get((m.carrier, m.flight), []):
            distance = abs(parse_stamp(str(slots[index][0]["departure_utc"])) - stated)
            if distance <= gap:
                best, gap = index, distance
        if best is None:  # first seen in traffic
            best = len(slots)
            by_flight.setdefault((m.carrier, m.flight), []).append(best)
            slots.append(({"carrier": m.carrier, "flight": m.flight, "departure_airport": m.departure_airport,
                           "arrival_airport": m.arrival_airport, "departure_local": m.departure_local,
                           "departure_utc": m.departure_utc, "scheduled": False}, []))
        slots[best][1].append(m)
    ledgers = [_judge(info, attached, obligations_for(str(info["carrier"])), as_of) for info, attached in slots]
    return sorted(ledgers, key=lambda f: (f.departure_utc, f.flight))


def _judge(info: dict[str, object], messages: list[FlightMessage], obligations: tuple[Obligation, ...],
           as_of: datetime) -> FlightLedger:
    departure = parse_stamp(str(info["departure_utc"]))
    expectations = []
    assigned: dict[str, list[FlightMessage]] = {o.name: [] for o in obligations}
    unexpected = []
    for m in sorted(messages, key=lambda m: (m.received_at, m.receipt, m.message)):
        windows = sorted((o for o in obligations if o.message == m.kind), key=lambda o: o.opens_minutes)
        if not windows:
            unexpected.append(_part(m, departure, None))
            continue
        offset = parse_stamp(m.received_at) - departure
        inside = [o for o in windows if timedelta(minutes=o.opens_minutes) <= offset <= timedelta(minutes=o.due_minutes)]
        opened = [o for o in windows if timedelta(minutes=o.opens_minutes) <= offset]
        chosen = inside[0] if inside else (opened[-1] if opened else windows[0])
        assigned[chosen.name].append(m)
    travellers = 0
    sufficiency: dict[str, list[int]] = {}
    for o in obligations:
        got = assigned[o.name]
        expectations.append(_expectation(o, got, departure, as_of))
        if o.elements:
            for m in got:
                if m.rejected or m.duplicate:
                    continue
                travellers += m.travellers
                for element in o.elements:
                    valid = m.elements.get(element, (0, 0))[1]
                    pair = sufficiency.setdefault(element, [0, 0])
                    pair[0] += m.travellers
                    pair[1] += valid
    return FlightLedger(carrier=str(info["carrier"]), flight=str(info["flight"]),
                        departure_airport=info["departure_airport"],  # type: ignore[arg-type]
                        arrival_airport=info["arrival_airport"],  # type: ignore[arg-type]
                        departure_local=info["departure_local"],  # type: ignore[arg-type]
                        departure_utc=str(info["departure_utc"]), scheduled=bool(info["scheduled"]),
                        expectations=tuple(expectations), unexpected=tuple(unexpected), travellers=travellers,
                        sufficiency={k: (v[0], v[1]) for k, v in sufficiency.items()})


def _minutes(m: FlightMessage, departure: datetime) -> int:
    return int((parse_stamp(m.received_at) - departure).total_seconds() // 60)


def _part(m: FlightMessage, departure: datetime, o: Obligation | None) -> PartView:
    minutes = _minutes(m, departure)
    offset = parse_stamp(m.received_at) - departure  # exact: a list 30 s past a due minute is late
    if m.duplicate:
        status = "duplicate"
    elif m.rejected:
        status = "rejected"
    elif o is None:
        status = "unexpected"
    elif offset < timedelta(minutes=o.opens_minutes):
        status = "early"
    elif offset > timedelta(minutes=o.due_minutes):
        status = "late"
    else:
        status = "on_time"
    return PartView(receipt=m.receipt, message=m.message, sequence=m.sequence, final=_final(m), received_at=m.received_at,
                    minutes=minutes, status=status, verdict=m.verdict, travellers=m.travellers)


def _final(m: FlightMessage) -> bool:
    return m.first_last == "F" or (m.sequence is None and m.first_last is None)


def _expectation(o: Obligation, got: list[FlightMessage], departure: datetime, as_of: datetime) -> Expectation:
    opens, due = departure + timedelta(minutes=o.opens_minutes), departure + timedelta(minutes=o.due_minutes)
    parts = tuple(_part(m, departure, o) for m in got)
    usable = [m for m in got if not m.rejected and not m.duplicate]
    first_of: dict[int, FlightMessage] = {}
    for m in usable:  # the first accepted arrival of each part number counts
        first_of.setdefault(m.sequence or 1, m)
    finals = [seq for seq, m in first_of.items() if _final(m)]
    last = max(finals) if finals else None
    upto = last if last is not None else max(first_of, default=0)
    missing = tuple(n for n in range(1, upto + 1) if n not in first_of)
    complete = bool(first_of) and last is not None and not missing
    completed_at = max((first_of[n].received_at for n in range(1, (last or 0) + 1)), default=None) if complete else None
    due_passed = as_of > due
    if complete and completed_at is not None:
        moment = parse_stamp(completed_at)
        started = min(parse_stamp(first_of[n].received_at) for n in first_of)
        status = "late" if moment > due else ("early" if started < opens else "on_time")
    elif not due_passed:
        status = "pending"
    elif usable:
        status = "incomplete"
    elif got and all(m.rejected for m in got if not m.duplicate) and any(not m.duplicate for m in got):
        status = "rejected"
    else:
        status = "missing"
    return Expectation(obligation=o.name, message=o.message, description=o.description, opens_at=stamp(opens),
                       due_at=stamp(due), status=status, completed_at=completed_at, parts=parts,
                       missing_parts=missing if status in ("incomplete", "pending") else (),
                       final_missing=bool(first_of) and last is None,
                       duplicates=sum(1 for m in got if m.duplicate), rejected=sum(1 for m in got if m.rejected))
