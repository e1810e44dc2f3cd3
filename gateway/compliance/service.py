"""Reads the store and builds ledgers and scorecards: the one place the dashboard, the admin API,
exports and ``paxgate compliance report`` get their figures from (so they never disagree)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from gateway.compliance.flights import stamp
from gateway.compliance.ledger import FlightLedger, flights
from gateway.compliance.scorecards import Period, Scorecard, scorecard
from gateway.store.base import AccountRecord, Receipt, Store
from validators.obligations import DEFAULT_OBLIGATIONS, Obligation
from validators.profiles import Profile

# Messages for a flight arrive up to days before it departs (PNR at T-48 h) and after (closure): the
# receipts looked at for a period reach this far beyond it on both sides.
REACH = timedelta(days=4)
_STATUS_RANK = {"suspended": 0, "testing": 1, "certified": 2}


class PeriodError(ValueError):
    """A period that cannot be read (the message says which forms are accepted)."""


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-W47`` (an ISO week), ``2026-11-23`` (a day) or ``FROM..TO`` (days, TO included)."""
    text = text.strip()
    try:
        if ".." in text:
            first, last = text.split("..", 1)
            since = date.fromisoformat(first)
            until = date.fromisoformat(last) + timedelta(days=1)
        elif re.fullmatch(r"\d{4}-W\d{2}", text):
            since = date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
            until = since + timedelta(days=7)
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            since = date(int(text[:4]), int(text[5:]), 1)
            until = date(since.year + since.month // 12, since.month % 12 + 1, 1)
        else:
            since = date.fromisoformat(text)
            until = since + timedelta(days=1)
    except ValueError:
        raise PeriodError(f"period {text!r}: expected YYYY-MM, YYYY-Www, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD") from None
    if until <= since:
        raise PeriodError(f"period {text!r} ends before it starts")
    return Period(text, datetime.combine(since, datetime.min.time(), UTC), datetime.combine(until, datetime.min.time(), UTC))


class Compliance:
    """Ledgers and scorecards from the store; ``profile`` resolves an account's profile name."""

    def __init__(self, store: Store, profile: Callable[[str], Profile]) -> None:
        self.store = store
        self.profile = profile

    async def carriers(self) -> dict[str, list[AccountRecord]]:
        """Carrier designator → the accounts that may send for it (config and store)."""
        held: dict[str, list[AccountRecord]] = {}
        for account in await self.store.accounts():
            for carrier in account.carriers:
                held.setdefault(carrier, []).append(account)
        return held

    async def obligations(self) -> Callable[[str], tuple[Obligation, ...]]:
        held = await self.carriers()
        cache: dict[str, tuple[Obligation, ...]] = {}

        def of(carrier: str) -> tuple[Obligation, ...]:
            if carrier not in cache:
                accounts = held.get(carrier)
                cache[carrier] = self.profile(accounts[0].profile).obligations if accounts else DEFAULT_OBLIGATIONS
            return cache[carrier]
        return of

    async def ledger(self, period: Period, as_of: datetime, carrier: str | None = None,
                     flight: str | None = None) -> list[FlightLedger]:
        since, until = stamp(period.since), stamp(period.until)
        scheduled = await self.store.schedule(since=since, until=until, carrier=carrier, flight=flight)
        # messages stating a departure up to MATCH_HOURS outside the period may still belong to its flights
        reach = timedelta(hours=6)
        messages = await self.store.flight_messages(since=stamp(period.since - reach), until=stamp(period.until + reach),
                                                    carrier=carrier, flight=flight)
        found = flights(scheduled, messages, await self.obligations(), as_of)
        return [f for f in found if since <= f.departure_utc < until]

    async def _receipts(self, period: Period, held: dict[str, list[AccountRecord]]) -> dict[str, list[Receipt]]:
        """Carrier → its receipts received in the period: those whose messages name its flights, and
        those that name no flight (a file too broken to read) of an account sending for it alone."""
        since, until = stamp(period.since), stamp(period.until)
        messages = await self.store.flight_messages(since=stamp(period.since - REACH), until=stamp(period.until + REACH))
        carriers_of: dict[str, set[str]] = {}
        for m in messages:
            carriers_of.setdefault(m.receipt, set()).add(m.carrier)
        sole = {a.name: a.carriers[0] for accounts in held.values() for a in accounts if len(a.carriers) == 1}
        by_carrier: dict[str, list[Receipt]] = {}
        for r in await self.store.receipts_between(since, until):
            named = carriers_of.get(r.id) or ({sole[r.account]} if r.account in sole else set())
            for carrier in named:
                by_carrier.setdefault(carrier, []).append(r)
        return by_carrier

    async def scorecards(self, period: Period, as_of: datetime | None = None, carrier: str | None = None) -> list[Scorecard]:
        """Every known carrier's scorecard (or one carrier's), from one read of the store per period."""
        as_of = as_of or datetime.now(UTC)
        held = await self.carriers()
        before = period.previous()
        now_ledgers, now_receipts = await self.ledger(period, as_of, carrier), await self._receipts(period, held)
        old_ledgers, old_receipts = await self.ledger(before, as_of, carrier), await self._receipts(before, held)
        names = [carrier] if carrier else sorted(set(held) | {f.carrier for f in now_ledgers} | set(now_receipts))
        cards = []
        for name in names:
            accounts = held.get(name, [])
            earlier = scorecard(name, before, as_of, old_ledgers, old_receipts.get(name, []))
            status = min((a.status for a in accounts), key=lambda s: _STATUS_RANK.get(s, 1), default="")
            cards.append(scorecard(name, period, as_of, now_ledgers, now_receipts.get(name, []),
                                   accounts=tuple(a.name for a in accounts), status=status,
                                   previous=(earlier.timeliness, earlier.rejection)))
        return cards

    async def scorecard(self, carrier: str, period: Period, as_of: datetime | None = None) -> Scorecard:
        return (await self.scorecards(period, as_of, carrier))[0]
