"""A simulated week of carrier traffic: schedules, API passenger lists and what went wrong, labelled.

For the compliance ledger's tests and demos: many carriers, each with its own habits (how often it
is late, forgets a list, sends one the gateway rejects, resends the same list, leaves out data), and
every message labelled with what the generator meant, so a test can recompute each carrier's figures
from the labels alone, not by calling the code it checks. Messages are built with
:mod:`conformance.builders` (a :class:`~conformance.builders.Draft` re-aimed at the flight, with
catalogue defects seeded into it). Everything is synthetic and seeded: the same seed, the same week.

Receive times are part of the labels: a harness stores each message as received at that moment (the
gateway's intake takes a receipt with its time), since a week cannot be waited for in a test.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from conformance.builders import DEFECTS, FLIGHT_TIME, Draft, PaxlstSpec, draft
from validators.reference.airports import AIRPORT_ZONES

AIRPORTS = ("LHR", "JFK", "CDG", "FRA", "DXB", "SIN", "NRT", "GRU", "YYZ", "AMS", "MAD", "IST", "DEL", "SYD", "JNB", "MEX")
# what a message's lateness label means, in minutes relative to the scheduled departure, for a profile
# whose API passenger list is due between T-72 h and T-30 min (see SIM_PROFILE)
ON_TIME = (-2880, -45)
LATE = (-20, 120)
SIM_PROFILE = """
extends = "baseline"
name = "simulated"
description = "The simulated week's profile: API passenger list between 72 h and 30 min before departure"

[obligations.api_passengers]
message = "api"
opens_minutes = -4320
due_minutes = -30
elements = ["date_of_birth", "nationality", "document", "document_expiry"]
"""
ELEMENTS = ("date_of_birth", "nationality", "document", "document_expiry")
# outcome of the API obligation of one flight → weight, shifted per carrier by its habits
OUTCOMES = ("on_time", "late", "missing", "rejected", "incomplete", "fixed")


@dataclass(frozen=True, slots=True)
class Habits:
    """How one carrier behaves: the chance of each outcome, of a duplicate resend, of data faults."""

    outcome_weights: tuple[int, ...]  # in OUTCOMES order
    duplicate: float
    multipart: float
    missing_nationality: float  # per traveller
    expired_document: float
    long_document_number: float
    unscheduled: float  # a flight its schedule does not name


@dataclass(frozen=True, slots=True)
class SimFlight:
    carrier: str
    designator: str  # as sent, e.g. QA0101
    departure_airport: str
    arrival_airport: str
    departure_local: datetime  # naive local time
    arrival_local: datetime
    departure_utc: datetime
    scheduled: bool
    outcome: str  # what the generator made of its API obligation (OUTCOMES)


@dataclass(frozen=True, slots=True)
class SimMessage:
    """One submission with the generator's labels."""

    carrier: str
    flight: SimFlight
    data: bytes
    received_at: datetime
    timing: str  # on_time / late (relative to the window)
    rejected: bool  # built with a defect the gateway rejects the message for
    duplicate: bool  # the same list again under new envelope references
    sequence: int | None
    final: bool
    travellers: int
    valid: dict[str, int]  # element → travellers carrying it valid (for lists the gateway accepts)


@dataclass(slots=True)
class Week:
    start: date
    carriers: tuple[str, ...]
    flights: list[SimFlight] = field(default_factory=list)
    messages: list[SimMessage] = field(default_factory=list)

    def schedule_csv(self, carrier: str) -> str:
        """The carrier's schedule in paxgate's CSV form (the flights it announced)."""
        lines = ["carrier,flight,departure_airport,arrival_airport,departure_local,arrival_local"]
        for f in self.flights:
            if f.carrier == carrier and f.scheduled:
                lines.append(f"{f.carrier},{f.designator},{f.departure_airport},{f.arrival_airport},"
                             f"{f.departure_local:%Y-%m-%dT%H:%M},{f.arrival_local:%Y-%m-%dT%H:%M}")
        return "\n".join(lines) + "\n"


def carrier_codes(count: int) -> tuple[str, ...]:
    """Two-letter designators Q? and then X?, none of which the builders' own examples use."""
    letters = "ABCDEFGHIJKLMNOPRSTUVWY"
    return tuple(f"{'QX'[n // len(letters)]}{letters[n % len(letters)]}" for n in range(count))


def _habits(rnd: random.Random) -> Habits:
    good = rnd.random()
    return Habits(outcome_weights=(int(60 + 35 * good), int(12 - 8 * good) + 1, rnd.randint(0, 6), rnd.randint(0, 4),
                                   rnd.randint(0, 3), rnd.randint(0, 5)),
                  duplicate=rnd.uniform(0, 0.12), multipart=rnd.uniform(0, 0.3), missing_nationality=rnd.uniform(0, 0.1),
                  expired_document=rnd.uniform(0, 0.06), long_document_number=rnd.uniform(0, 0.05),
                  unscheduled=rnd.uniform(0, 0.08))


def week(seed: int = 1, carriers: int = 20, start: date = date(2026, 11, 16), days: int = 7) -> Week:
    rnd = random.Random(seed)
    sim = Week(start, carrier_codes(carriers))
    counter = iter(range(1, 10 ** 9))
    for carrier in sim.carriers:
        habits = _habits(random.Random(f"{seed}/{carrier}"))
        routes = [tuple(rnd.sample(AIRPORTS, 2)) for _ in range(rnd.randint(1, 3))]
        for day in range(days):
            for number, (dep, arr) in enumerate(routes, start=1):
                local = datetime.combine(start + timedelta(days=day), datetime.min.time()) + timedelta(
                    hours=rnd.randint(6, 21), minutes=rnd.choice((0, 15, 30, 45)))
                departure_utc = local.replace(tzinfo=ZoneInfo(AIRPORT_ZONES[dep])).astimezone(UTC)
                arrival_local = (departure_utc + FLIGHT_TIME).astimezone(ZoneInfo(AIRPORT_ZONES[arr])).replace(tzinfo=None)
                scheduled = rnd.random() >= habits.unscheduled
                outcome = rnd.choices(OUTCOMES, weights=habits.outcome_weights)[0]
                if not scheduled and outcome == "missing":
                    outcome = "on_time"  # a flight nobody announced and nobody reported is invisible
                flight = SimFlight(carrier, f"{carrier}{number * 100 + 1:04d}", dep, arr, local, arrival_local, departure_utc,
                                   scheduled, outcome)
                sim.flights.append(flight)
                sim.messages.extend(_messages(flight, habits, rnd, counter))
    sim.messages.sort(key=lambda m: m.received_at)
    return sim


def _at(flight: SimFlight, window: tuple[int, int], rnd: random.Random) -> datetime:
    return flight.departure_utc + timedelta(minutes=rnd.randint(*window), seconds=rnd.randint(0, 59))


def _messages(flight: SimFlight, habits: Habits, rnd: random.Random, counter: Iterator[int]) -> list[SimMessage]:
    outcome = flight.outcome
    if outcome == "missing":
        return []
    out: list[SimMessage] = []
    passengers = rnd.randint(3, 8)
    if outcome in ("rejected", "fixed"):
        out.append(_list(flight, habits, rnd, counter, passengers, _at(flight, ON_TIME, rnd), "on_time", reject=True))
        if outcome == "rejected":
            return out
    timing = "late" if outcome == "late" else "on_time"
    first = out[0].received_at if out else None
    when = _at(flight, LATE if timing == "late" else ON_TIME, rnd)
    if first is not None and when <= first:  # the corrected list follows the rejected one
        when = first + timedelta(minutes=5)
        timing = "late" if (when - flight.departure_utc) > timedelta(minutes=-30) else timing
    if outcome == "incomplete" or rnd.random() < habits.multipart:
        part = _list(flight, habits, rnd, counter, passengers, when - timedelta(minutes=10), timing, sequence=1, final=False)
        out.append(part)
        if outcome == "incomplete":
            return out
        out.append(_list(flight, habits, rnd, counter, rnd.randint(1, 4), when, timing, sequence=2, final=True))
    else:
        out.append(_list(flight, habits, rnd, counter, passengers, when, timing))
    if rnd.random() < habits.duplicate:
        original = out[-1]
        again = _list(flight, habits, random.Random(original.data), counter, 0, original.received_at + timedelta(minutes=7),
                      original.timing, copy_of=original)
        out.append(again)
    return out


def _list(flight: SimFlight, habits: Habits, rnd: random.Random, counter: Iterator[int], passengers: int, received_at: datetime,
          timing: str, *, reject: bool = False, sequence: int | None = None, final: bool = True,
          copy_of: SimMessage | None = None) -> SimMessage:
    number = next(counter)
    reference = f"{flight.carrier}{number:010d}"
    if copy_of is not None:  # the same list under a new UNB reference: a content duplicate (DESIGN.md §6.1)
        text = copy_of.data.decode("latin-1")
        old = text.split("+")[5].split("'")[0] if text.startswith("UNB") else _reference(text)
        data = text.replace(old, reference).encode("latin-1")
        return SimMessage(flight.carrier, flight, data, received_at, timing, copy_of.rejected, True, copy_of.sequence,
                          copy_of.final, copy_of.travellers, copy_of.valid)
    seed = rnd.randrange(10 ** 9)
    spec = PaxlstSpec(passengers=passengers, seed=seed, carrier=flight.carrier, flight=flight.designator, reference=reference,
                      sequence=sequence or 1, first_last="F" if final else "C")
    built = draft(spec)
    _aim(built, flight, received_at)
    seats = list(range(passengers))
    rnd.shuffle(seats)
    valid = dict.fromkeys(ELEMENTS, passengers)
    defects: list[tuple[str, int | None]] = []
    if reject:
        defects.append(("unt-count", None))
    for name, chance, element in (("doc-expired", habits.expired_document, "document_expiry"),
                                  ("doc-number-long", habits.long_document_number, "document")):
        if seats and rnd.random() < chance * passengers:
            defects.append((name, seats.pop()))
            valid[element] -= 1
    for name, traveller in defects:
        DEFECTS[name].seed(built, random.Random(f"{seed}/{name}"), traveller)
    for traveller in list(seats):
        if rnd.random() < habits.missing_nationality:
            built.remove(built.find("NAT", traveller))
            valid["nationality"] -= 1
    return SimMessage(flight.carrier, flight, built.write(), received_at, timing, reject, False, sequence, final, passengers,
                      valid)


def _reference(text: str) -> str:
    start = text.index("UNB+")
    return text[start:].split("'", maxsplit=1)[0].split("+")[5]


def _aim(built: Draft, flight: SimFlight, sent: datetime) -> None:
    """Point the builder's list at this flight: designator, airports, local times, envelope dates."""
    prepared = [f"{sent:%y%m%d}", f"{sent:%H%M}"]
    for seg in built.segments:
        if seg.tag in {"UNB", "UNG"}:
            seg.elements[3] = prepared
        elif seg.tag == "UNH":
            seg.elements[2] = f"{flight.designator}/{flight.departure_local:%y%m%d/%H%M}"
        elif seg.tag == "TDT":
            seg.elements[1] = flight.designator
            seg.elements[4] = flight.carrier
        elif seg.tag == "LOC" and seg.traveller is None:
            seg.elements[1] = flight.departure_airport if seg.elements[0] == "125" else flight.arrival_airport
        elif seg.tag == "LOC" and seg.elements[0] in ("178", "179"):
            seg.elements[1] = flight.departure_airport if seg.elements[0] == "178" else flight.arrival_airport
        elif seg.tag == "DTM" and seg.traveller is None:
            qualifier = seg.elements[0][0] if isinstance(seg.elements[0], list) else seg.elements[0]
            moment = flight.departure_local if qualifier == "189" else flight.arrival_local
            seg.elements[0] = [qualifier, f"{moment:%y%m%d%H%M}", "201"]


def flight_on(carrier: str, designator: str, departure_airport: str, arrival_airport: str, departure_local: datetime,
              *, scheduled: bool = True) -> SimFlight:
    """One flight (local departure time at ``departure_airport``), for hand-made scenarios."""
    departure_utc = departure_local.replace(tzinfo=ZoneInfo(AIRPORT_ZONES[departure_airport])).astimezone(UTC)
    arrival_local = (departure_utc + FLIGHT_TIME).astimezone(ZoneInfo(AIRPORT_ZONES[arrival_airport])).replace(tzinfo=None)
    return SimFlight(carrier, designator, departure_airport, arrival_airport, departure_local, arrival_local, departure_utc,
                     scheduled, "on_time")


def api_list(flight: SimFlight, sent: datetime, *, reference: str, passengers: int = 4, seed: int = 1,
             sequence: int | None = None, final: bool = True, defects: tuple[str, ...] = ()) -> bytes:
    """One API passenger list (or one part of it) for ``flight``, prepared at ``sent``, with catalogue
    defects of the envelope or message (not traveller defects) seeded into it."""
    spec = PaxlstSpec(passengers=passengers, seed=seed, carrier=flight.carrier, flight=flight.designator, reference=reference,
                      sequence=sequence or 1, first_last="F" if final else "C")
    built = draft(spec)
    _aim(built, flight, sent)
    for name in defects:
        DEFECTS[name].seed(built, random.Random(f"{seed}/{name}"), None)
    return built.write()
