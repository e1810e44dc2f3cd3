"""Scorecards: one carrier's figures for a period, made from the ledger and its receipts.

What engagement staff take to the airline: timeliness (share of due obligations met on time),
rejection (share of its receipts rejected), data-element sufficiency (share of travellers carrying
each required element valid), a day-by-day trend, and the findings that recur most with example
receipt ids to look at. Pure: the service (gateway.compliance.service) reads the store.

Definitions (kept here so exports, dashboard and CLI say the same):
- timeliness % = on_time / obligations due (pending ones excluded), over flights departing in the period;
- rejection % = rejected receipts / receipts received in the period, duplicates included;
- sufficiency % per element = travellers carrying it valid / travellers on accepted, non-duplicate
  API passenger lists of those flights; overall = the sum over the required elements.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

import msgspec

from gateway.compliance.ledger import DUE_STATES, FlightLedger
from gateway.store.base import Receipt
from validators.catalog import RULES


class Period(msgspec.Struct, frozen=True):
    label: str  # 2026-11, 2026-W47, 2026-11-23, or 2026-11-01..2026-11-15
    since: datetime  # inclusive, UTC
    until: datetime  # exclusive

    def previous(self) -> Period:
        span = self.until - self.since
        return Period(f"before {self.label}", self.since - span, self.since)

    def days(self) -> list[str]:
        count = max(1, round((self.until - self.since) / timedelta(days=1)))
        return [(self.since + timedelta(days=n)).date().isoformat() for n in range(count)]


class FindingCount(msgspec.Struct, frozen=True):
    code: str
    title: str
    severity: str
    count: int  # occurrences
    receipts: int  # receipts showing it
    examples: tuple[str, ...]  # receipt ids


class DayPoint(msgspec.Struct, frozen=True):
    day: str
    due: int
    on_time: int
    receipts: int
    rejected: int
    timeliness: float | None
    rejection: float | None


class Scorecard(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    period: str
    since: str
    until: str
    as_of: str
    accounts: tuple[str, ...]
    status: str  # the account's: testing / certified / suspended (worst of several)
    flights: int
    scheduled_flights: int
    unscheduled_flights: int  # first seen in traffic
    obligations_due: int
    obligations_pending: int
    outcomes: dict[str, int]  # on_time / early / late / incomplete / rejected / missing → count
    timeliness: float | None  # percent
    receipts: int
    rejected_receipts: int
    duplicate_receipts: int
    rejection: float | None
    travellers: int
    sufficiency: float | None
    elements: dict[str, float | None]  # element → percent valid
    trend: tuple[DayPoint, ...]
    previous_timeliness: float | None = None
    previous_rejection: float | None = None
    findings: tuple[FindingCount, ...] = ()
    late_examples: tuple[str, ...] = ()  # flight keys
    missing_examples: tuple[str, ...] = ()


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def scorecard(carrier: str, period: Period, as_of: datetime, ledgers: list[FlightLedger], receipts: list[Receipt],
              *, accounts: tuple[str, ...] = (), status: str = "", previous: tuple[float | None, float | None] = (None, None),
              top: int = 8) -> Scorecard:
    own = [f for f in ledgers if f.carrier == carrier]
    outcomes: Counter[str] = Counter()
    pending = 0
    by_day_due: Counter[str] = Counter()
    by_day_on_time: Counter[str] = Counter()
    late_examples: list[str] = []
    missing_examples: list[str] = []
    for flight in own:
        day = flight.departure_utc[:10]
        for e in flight.expectations:
            if e.status == "pending":
                pending += 1
                continue
            outcomes[e.status] += 1
            by_day_due[day] += 1
            by_day_on_time[day] += e.status == "on_time"
            if e.status == "late" and len(late_examples) < 5:
                late_examples.append(flight.key)
            if e.status in ("missing", "incomplete") and len(missing_examples) < 5:
                missing_examples.append(flight.key)
    due = sum(outcomes.values())
    travellers = sum(f.travellers for f in own)
    element_totals: dict[str, list[int]] = {}
    for flight in own:
        for element, (count, valid) in flight.sufficiency.items():
            pair = element_totals.setdefault(element, [0, 0])
            pair[0] += count
            pair[1] += valid
    rejected = sum(1 for r in receipts if r.verdict == "rejected")
    by_day_receipts: Counter[str] = Counter(r.received_at[:10] for r in receipts)
    by_day_rejected: Counter[str] = Counter(r.received_at[:10] for r in receipts if r.verdict == "rejected")
    trend = tuple(DayPoint(day, by_day_due[day], by_day_on_time[day], by_day_receipts[day], by_day_rejected[day],
                           percent(by_day_on_time[day], by_day_due[day]), percent(by_day_rejected[day], by_day_receipts[day]))
                  for day in period.days())
    return Scorecard(
        carrier=carrier, period=period.label, since=period.since.isoformat(), until=period.until.isoformat(),
        as_of=as_of.isoformat(), accounts=accounts, status=status, flights=len(own),
        scheduled_flights=sum(1 for f in own if f.scheduled), unscheduled_flights=sum(1 for f in own if not f.scheduled),
        obligations_due=due, obligations_pending=pending, outcomes={s: outcomes[s] for s in DUE_STATES},
        timeliness=percent(outcomes["on_time"], due), receipts=len(receipts), rejected_receipts=rejected,
        duplicate_receipts=sum(1 for r in receipts if r.duplicate), rejection=percent(rejected, len(receipts)),
        travellers=travellers,
        sufficiency=percent(sum(v for _, v in element_totals.values()), sum(c for c, _ in element_totals.values())),
        elements={k: percent(v, c) for k, (c, v) in sorted(element_totals.items())}, trend=trend,
        previous_timeliness=previous[0], previous_rejection=previous[1], findings=recurring(receipts, top),
        late_examples=tuple(late_examples), missing_examples=tuple(missing_examples))


def recurring(receipts: list[Receipt], top: int) -> tuple[FindingCount, ...]:
    """The finding codes seen most (by receipts showing them, then occurrences), worst severity first on ties."""
    occurrences: Counter[str] = Counter()
    showing: dict[str, list[str]] = {}
    severity: dict[str, str] = {}
    for receipt in receipts:
        for code, level in _codes(receipt):
            occurrences[code] += 1
            severity.setdefault(code, level)
            ids = showing.setdefault(code, [])
            if not ids or ids[-1] != receipt.id:
                ids.append(receipt.id)
    rank = {"error": 0, "warning": 1, "info": 2}
    codes = sorted(occurrences, key=lambda c: (-len(showing[c]), -occurrences[c], rank.get(severity[c], 3), c))[:top]
    return tuple(FindingCount(code, explain(code), severity[code], occurrences[code], len(showing[code]),
                              tuple(showing[code][:3])) for code in codes)


def explain(code: str) -> str:
    """The catalogue's explanation of a code with its placeholders elided: the rule, never the values
    (which may hold personal data), so it is safe for every role and every export."""
    rule = RULES.get(code)
    return re.sub(r"\{[^}]*\}", "…", rule.explanation) if rule else code


class _Finding(msgspec.Struct):
    code: str
    severity: str


class _Result(msgspec.Struct):
    findings: list[_Finding] = []


def _codes(receipt: Receipt) -> list[tuple[str, str]]:
    if not receipt.result:
        return []
    try:
        result = msgspec.json.decode(receipt.result, type=_Result)
    except msgspec.ValidationError:
        return []
    return [(f.code, f.severity) for f in result.findings]
