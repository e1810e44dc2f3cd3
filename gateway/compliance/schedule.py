"""Schedule import: which flights a carrier says it will operate, so a flight nobody reported is
still expected (a missing list is only visible against a schedule).

Two forms:

- **CSV** (documented, header required): ``carrier,flight,departure_airport,arrival_airport,
  departure_local,arrival_local`` with local times as ``YYYY-MM-DDTHH:MM``; ``arrival_local`` may be empty.
- **IATA SSIM chapter 7, record type 3** (flight leg records, 200 characters). Columns used, 1-based
  as SSIM counts them [M: from memory of SSIM ch. 7, confirm against the manual]: 2 operational
  suffix, 3-5 airline designator, 6-9 flight number, 15-21 period from (DDMMMYY), 22-28 period to
  (``00XXX00`` = open), 29-35 days of operation (1 = Monday … 7, blank = not operated), 37-39 departure
  station, 40-43 passenger STD (local HHMM), 55-57 arrival station, 62-65 passenger STA (local).
  Other record types (1, 2, 4, 5) are skipped; an open period is cut at ``horizon_days``.

Times are local to the airport; UTC comes from the shipped airport table (validators.reference).
An airport that is not in it is an error naming the line: a flight without UTC cannot be judged.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from gateway.compliance.flights import normalise_flight, stamp, utc_of
from gateway.store.base import ScheduledFlight

CSV_HEADER = ("carrier", "flight", "departure_airport", "arrival_airport", "departure_local", "arrival_local")


class ScheduleError(ValueError):
    """A schedule line that cannot be used, with the line number and why."""


def parse_schedule(text: str, *, carrier: str | None = None, source: str = "", horizon_days: int = 400,
                   today: date | None = None) -> list[ScheduledFlight]:
    """The flights of a CSV or SSIM file; with ``carrier``, every line must be that carrier's."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lower().startswith("carrier,"):
        flights = _csv(text, source)
    else:
        flights = _ssim(text, source, horizon_days, today or date.today())
    if carrier is not None:
        wrong = sorted({f.carrier for f in flights} - {carrier})
        if wrong:
            raise ScheduleError(f"the schedule holds flights of {', '.join(wrong)}, not only {carrier}")
    return flights


def _flight(carrier: str, designator: str, dep: str, arr: str, departure: str, arrival: str | None, where: str,
            source: str) -> ScheduledFlight:
    named = normalise_flight(designator, carrier)
    if named is None or named[0] != carrier.strip().upper():
        raise ScheduleError(f"{where}: {designator!r} is no flight of {carrier}")
    moment = utc_of(dep, departure)
    if moment is None:
        raise ScheduleError(f"{where}: departure {dep} {departure}: unknown airport or not YYYY-MM-DDTHH:MM")
    landing = utc_of(arr, arrival) if arrival else None
    if arrival and landing is None:
        raise ScheduleError(f"{where}: arrival {arr} {arrival}: unknown airport or not YYYY-MM-DDTHH:MM")
    return ScheduledFlight(carrier=named[0], flight=named[1], departure_airport=dep.upper(), arrival_airport=arr.upper(),
                           departure_local=departure[:16], departure_utc=stamp(moment),
                           arrival_local=arrival[:16] if arrival else None, arrival_utc=stamp(landing) if landing else None,
                           source=source)


def _csv(text: str, source: str) -> list[ScheduledFlight]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_HEADER[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise ScheduleError(f"line 1: the header lacks {', '.join(missing)} (expected {','.join(CSV_HEADER)})")
    flights = []
    for number, row in enumerate(reader, start=2):
        flights.append(_flight(row["carrier"].strip().upper(), row["flight"], row["departure_airport"].strip(),
                               row["arrival_airport"].strip(), row["departure_local"].strip(),
                               (row.get("arrival_local") or "").strip() or None, f"line {number}", source))
    return flights


def _ssim_date(text: str) -> date | None:
    if text.startswith("00") or not text.strip():
        return None
    return datetime.strptime(text.title(), "%d%b%y").date()


def _ssim(text: str, source: str, horizon_days: int, today: date) -> list[ScheduledFlight]:
    flights = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("3"):
            continue
        where = f"line {number}"
        if len(line) < 65:
            raise ScheduleError(f"{where}: a type 3 record is 200 characters; this one has {len(line)}")
        suffix, airline, flight = line[1].strip(), line[2:5].strip(), line[5:9].strip()
        try:
            first = _ssim_date(line[14:21])
            last = _ssim_date(line[21:28]) or (today + timedelta(days=horizon_days))
        except ValueError:
            raise ScheduleError(f"{where}: period of operation {line[14:28]!r} is not DDMMMYY") from None
        if first is None:
            raise ScheduleError(f"{where}: no period start")
        days = {int(c) for c in line[28:35] if c.isdigit()}
        dep, std, arr, sta = line[36:39], line[39:43], line[54:57], line[61:65]
        day = first
        while day <= last:
            if day.isoweekday() in days:
                departure = f"{day.isoformat()}T{std[:2]}:{std[2:]}"
                arrival_day = day if sta >= std else day + timedelta(days=1)  # no date variation read: overnight only
                arrival = f"{arrival_day.isoformat()}T{sta[:2]}:{sta[2:]}" if sta.strip() else None
                flights.append(_flight(airline, f"{airline}{flight}{suffix}", dep, arr, departure, arrival, where, source))
            day += timedelta(days=1)
    return flights
