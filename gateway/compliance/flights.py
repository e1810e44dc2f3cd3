"""Flight identity and times, shared by traffic observations, schedule imports and the ledger.

A flight is keyed by its normalised designator (carrier + number without leading zeros + suffix)
and its scheduled departure in UTC: carriers write ``ZZ0101``, ``ZZ101`` and ``ZZ 101`` for the same
flight, and local times only compare once the airport's time zone is applied (DESIGN.md §6.11).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from validators.reference.airports import AIRPORT_ZONES

_DESIGNATOR = re.compile(r"^([A-Z0-9]{2}[A-Z]?)\s*0*(\d{1,4})([A-Z]?)$")


def normalise_flight(designator: str, carrier: str | None = None) -> tuple[str, str] | None:
    """(carrier, flight) for a designator such as ``ZZ0101`` (→ ``ZZ``, ``ZZ101``); a bare number takes
    ``carrier``. None when it is no flight designator."""
    text = designator.strip().upper()
    if text.isdigit() and carrier:
        text = carrier.strip().upper() + text
    match = _DESIGNATOR.match(text)
    if match is None:
        return None
    airline, number, suffix = match.groups()
    if carrier and len(carrier.strip()) == 2 and len(airline) == 3 and airline.startswith(carrier.strip().upper()):
        return None  # "ZZA101" with carrier ZZ is ambiguous: say nothing rather than guess
    return airline, f"{airline}{int(number)}{suffix}"


def utc_of(airport: str | None, local: str | None) -> datetime | None:
    """A local airport time (ISO ``YYYY-MM-DDTHH:MM``) in UTC, or None when the airport is not in
    the shipped table or the time is no time."""
    if not airport or not local or len(local) < 16:
        return None
    zone = AIRPORT_ZONES.get(airport.upper())
    if zone is None:
        return None
    try:
        moment = datetime.fromisoformat(local[:16])
    except ValueError:
        return None
    return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def stamp(moment: datetime) -> str:
    """The store's time format (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
