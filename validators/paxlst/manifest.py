"""The typed Manifest: what a PAXLST says, read from the segment groups the walker built.

Fields keep the carrier's values (no guessing); dates are also given as ISO 8601 where they are
valid, with the century chosen the way a border officer would: a date of birth is never after the
flight, an expiry date never more than fifteen years after it. Flight times in
PAXLST are local airport times, so they are ISO local times without a zone (``*_local``).

This is personal data: it is built for forwarding and screening, never for logs.
"""

from __future__ import annotations

from calendar import isleap
from datetime import date, datetime
from typing import NamedTuple

import msgspec

from validators.edifact.envelope import Message
from validators.edifact.tokenizer import Segment
from validators.elements import MONTH_DAYS, valid_calendar
from validators.structure import Node

# NAD 3035 party function → traveller role (STANDARDS.md §2.3.2)
ROLES = {"FL": "passenger", "FM": "crew", "DDU": "in-transit passenger", "DDT": "in-transit crew",
         "COT": "involved party", "ZZZ": "mutually defined"}
# BGM 1001 → what the list is (STANDARDS.md §2.3.1)
KINDS = {"745": "passenger list", "250": "crew list", "266": "flight status (close-out or cancellation)",
         "336": "master crew list", "655": "gate pass"}
# LOC 3227 in a traveller group → Traveller field (STANDARDS.md §2.3.3)
TRAVELLER_PLACES = {"22": "clearance", "174": "residence", "178": "embarkation", "179": "debarkation", "180": "birth_place"}


class Leg(msgspec.Struct, frozen=True, omit_defaults=True):
    """One LOC(+DTM) of a flight: an airport with its role and, where given, its local time."""

    function: str  # LOC 3227: 125 departure, 87 arrival, 92 routing, 130 final destination …
    airport: str
    time_local: str | None = None  # ISO 8601 local time from DTM 189/232 (format 201/203)


class Flight(msgspec.Struct, frozen=True, omit_defaults=True):
    flight: str  # TDT 8028, e.g. ZZ0123
    carrier: str | None = None  # TDT C040 3127
    mode: str | None = None  # TDT 8051: 20 main carriage, 34 overflight
    legs: tuple[Leg, ...] = ()


class Document(msgspec.Struct, frozen=True, omit_defaults=True):
    type: str  # DOC 1001: P passport, V visa, I/A/C identity cards …
    number: str
    issuing_state: str | None = None  # LOC 91
    expiry: str | None = None  # ISO date (DTM 36)
    issued: str | None = None  # ISO date (DTM 182)


class Traveller(msgspec.Struct, frozen=True, omit_defaults=True):
    position: int  # segment position of the traveller's NAD in the message (for findings)
    role: str
    surname: str
    given_names: tuple[str, ...] = ()
    gender: str | None = None  # ATT: M, F, U, X
    birth_date: str | None = None  # ISO date (DTM 329)
    nationality: str | None = None  # NAT
    residence: str | None = None
    birth_place: str | None = None
    embarkation: str | None = None
    debarkation: str | None = None
    clearance: str | None = None
    crew_function: str | None = None  # EMP C948: CR1 … CR5
    verified: str | None = None  # GEI 7365: 173 verified, 174 not verified
    references: dict[str, tuple[str, ...]] = {}  # RFF qualifier → values (AVF record locator, ABO id, SEA seat …)
    documents: tuple[Document, ...] = ()


class Part(msgspec.Struct, frozen=True, omit_defaults=True):
    """Which part of a multi-part list this message is (UNH 0068 and S010)."""

    common_access_reference: str | None = None
    sequence: int | None = None
    first_last: str | None = None  # C first, F final

    @property
    def final(self) -> bool:
        return self.first_last == "F"


class Manifest(msgspec.Struct, frozen=True, omit_defaults=True):
    message: int  # 1-based index of the message in its file (findings' location.message)
    message_reference: str
    directory: str  # e.g. D:05B
    document: str  # BGM 1001
    kind: str
    document_subcode: str | None = None  # BGM 1004: CL, CLOB, XF, CP, C, CC …
    transaction_reference: str | None = None  # header RFF+TN
    reporting_party: str | None = None  # SG1 NAD+MS name
    flights: tuple[Flight, ...] = ()
    travellers: tuple[Traveller, ...] = ()
    totals: dict[str, int] = {}  # CNT 6069 → count: 42 passengers, 41 crew
    part: Part = Part()


def build_manifest(message: Message, root: Node, prepared: date | None) -> Manifest:
    """The Manifest of one PAXLST message.

    Two-digit years are anchored on the list's first flight day, else on ``prepared`` (the UNB
    preparation date): validators read no clock. Without either, such dates stay out (None).
    """
    bgm = root.first("BGM")
    header_rff = root.first("RFF")
    identifier = message.identifier
    flights = tuple(_flight(group) for group in root.children("SG2"))
    reference_day = _first_day(flights) or prepared
    births, expiries = _Latest.of(reference_day), _Latest.of(_years_after(reference_day, 15))
    sequence = message.sequence
    return Manifest(
        message=message.index,
        message_reference=message.reference,
        directory=":".join(identifier[1:3]),
        document=bgm.value(1) if bgm else "",
        kind=KINDS.get(bgm.value(1), "other") if bgm else "missing",
        document_subcode=(bgm.value(2) or None) if bgm else None,
        transaction_reference=(header_rff.value(1, 2) or None) if header_rff and header_rff.value(1) == "TN" else None,
        reporting_party=_reporting_party(root),
        flights=flights,
        travellers=tuple([_traveller(group, births, expiries) for group in root.groups if group.rule.name == "SG4"]),
        totals={c.value(1, 1): int(c.value(1, 2)) for c in root.all("CNT") if c.value(1, 2).isascii()
                and c.value(1, 2).isdigit()},
        part=Part(message.common_access_reference or None, int(sequence) if sequence.isascii() and sequence.isdigit()
                  else None, message.first_last or None),
    )


def _reporting_party(root: Node) -> str | None:
    for group in root.children("SG1"):
        nad = group.first("NAD")
        if nad is not None:
            return " ".join(v for v in nad.elements[3] if v) if len(nad.elements) > 3 else nad.value(2) or None
    return None


def _flight(group: Node) -> Flight:
    tdt = group.first("TDT")
    assert tdt is not None  # a group always holds its trigger
    legs = []
    for leg in group.children("SG3"):
        loc = leg.first("LOC")
        assert loc is not None
        dtm = leg.first("DTM")
        legs.append(Leg(loc.value(1), loc.value(2), _local_time(dtm) if dtm else None))
    return Flight(tdt.value(2), tdt.value(5) or None, tdt.value(1) or None, tuple(legs))


def flight_day(manifest: Manifest) -> date | None:
    """The local date of the list's first timed leg: the day rules measure documents and ages by."""
    return _first_day(manifest.flights)


def _first_day(flights: tuple[Flight, ...]) -> date | None:
    for flight in flights:
        for leg in flight.legs:
            if leg.time_local:
                return datetime.fromisoformat(leg.time_local).date()
    return None


def _traveller(group: Node, births: _Latest | None, expiries: _Latest | None) -> Traveller:
    """One pass over the traveller's segments (this runs for every person on every list), reading
    the split elements directly: ``first`` is the first data element, ``first[0]`` its qualifier.
    ``births`` and ``expiries`` are the latest days a two-digit year of a birth (or issue) date and
    of an expiry date may give (``_iso_date``)."""
    segments = group.segments
    fields: dict[str, object] = {}
    references: dict[str, tuple[str, ...]] = {}
    for segment in segments[1:]:
        tag, elements = segment.tag, segment.elements
        first = elements[0] if elements else _NO_ELEMENT
        if tag == "LOC":
            place = TRAVELLER_PLACES.get(first[0])
            if place is not None and len(elements) > 1:
                # a code (LOC+178+LHR) or, for a birth place, free text in 3224 (LOC+180+:::HARTFORD USA)
                fields[place] = elements[1][0] or " ".join(v for v in elements[1] if v) or None
        elif tag == "RFF":
            qualifier = first[0]
            references[qualifier] = (*references.get(qualifier, ()), first[1] if len(first) > 1 else "")
        elif tag == "DTM":
            if first[0] == "329" and "birth_date" not in fields:
                fields["birth_date"] = _iso_date(first[1] if len(first) > 1 else "", births)
        else:
            single = _SINGLE.get(tag)
            if single is not None and single[0] not in fields:
                name, element = single
                fields[name] = (elements[element][0] if len(elements) > element else "") or None
    elements = segments[0].elements  # the NAD
    function = elements[0][0] if elements else ""
    names = [v for v in elements[3] if v] if len(elements) > 3 else []
    # positional: msgspec matches keyword arguments by name, which costs several times the construction
    return Traveller(segments[0].position, ROLES.get(function, function), names[0] if names else "", tuple(names[1:]),
                     *map(fields.get, _READ_FIELDS),  # type: ignore[arg-type]
                     references, tuple([_document(doc, births, expiries) for doc in group.groups if doc.rule.name == "SG5"]))


# the Traveller fields read from the group's segments by name, in the struct's order: those between the
# NAD's (position, role, names) and the references and documents
_READ_FIELDS = Traveller.__struct_fields__[4:-2]
_NO_ELEMENT = ("",)  # what a segment without data elements reads as: every value empty
# the first of these segments in a traveller group fills one field, from the first component of an
# element (0-based: ATT's third data element is the gender)
_SINGLE = {"ATT": ("gender", 2), "NAT": ("nationality", 1), "EMP": ("crew_function", 1), "GEI": ("verified", 1)}


def _document(group: Node, births: _Latest | None, expiries: _Latest | None) -> Document:
    """One pass over a document group: its DOC (the trigger), dates by qualifier (the last of each
    wins), the first LOC+91."""
    segments = group.segments
    dates: dict[str, str] = {}
    issuing_state: str | None = None
    issued_in = False
    for segment in segments[1:]:
        tag = segment.tag
        if tag != "DTM" and (tag != "LOC" or issued_in):
            continue
        elements = segment.elements
        first = elements[0] if elements else _NO_ELEMENT
        if tag == "DTM":
            dates[first[0]] = first[1] if len(first) > 1 else ""
        elif first[0] == "91":
            issued_in = True
            issuing_state = (elements[1][0] if len(elements) > 1 else "") or None
    doc = segments[0].elements
    return Document(doc[0][0] if doc else "", doc[1][0] if len(doc) > 1 else "", issuing_state,  # type, number
                    _iso_date(dates["36"], expiries) if "36" in dates else None,  # expiry
                    _iso_date(dates["182"], births) if "182" in dates else None)  # issued


def _years_after(day: date | None, years: int) -> date | None:
    return None if day is None else day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def local_datetime(dtm: Segment) -> datetime | None:
    """DTM 201 (YYMMDDHHMM) or 203 (CCYYMMDDHHMM) as a naive local airport time; None when not a time."""
    value, fmt = dtm.value(1, 2), dtm.value(1, 3)
    pattern = "%Y%m%d%H%M" if fmt == "203" or len(value) == 12 else "%y%m%d%H%M"
    try:
        return datetime.strptime(value, pattern)  # a local airport time: no zone
    except ValueError:
        return None


def _local_time(dtm: Segment) -> str | None:
    moment = local_datetime(dtm)
    return moment.isoformat(timespec="minutes") if moment else None


class _Latest(NamedTuple):
    """The latest day a two-digit year may give, as the strings ``_iso_date`` compares and joins."""

    day: str  # CCYYMMDD
    century: str  # the day's century, "20" for 2026
    previous: str  # the century before, "19"; "" in the first century (no year 0 before it)

    @classmethod
    def of(cls, day: date | None) -> _Latest | None:
        if day is None:
            return None
        century = day.year // 100
        return cls(f"{day.year:04d}{day.month:02d}{day.day:02d}", f"{century:02d}", f"{century - 1:02d}" if century else "")


# every MMDD of a leap year → its ISO ending: the two-digit-year reading builds the date from it
_ISO_MONTH_DAY = {month_day: f"-{month_day[:2]}-{month_day[2:]}" for month_day in sorted(MONTH_DAYS)}


def _iso_date(value: str, latest: _Latest | None) -> str | None:
    """YYMMDD or CCYYMMDD as ISO. A two-digit year takes the latest century that keeps the date no
    later than ``latest``: the flight day for births and issue dates, fifteen years after it for
    expiry dates (no travel document is valid longer), so ``610218`` on a 2017 flight is 1961.

    Two dates per traveller on every list, so the digits are compared and joined as text (CCYYMMDD
    strings order as the dates do), never turned into numbers or a ``date``, and as few strings
    are made as can be (each costs more than the comparisons)."""
    if len(value) == 6 and latest is not None:
        month_day = value[2:]
        iso_month_day = _ISO_MONTH_DAY.get(month_day)  # "-MM-DD", for a real month and day
        if iso_month_day is None or not (value.isdigit() and value.isascii()):
            return None
        full = latest.century + value
        # 29 February compares as the 28th: whether the year is a leap year is asked once it is chosen
        if (full if month_day != "0229" else full[:4] + "0228") > latest.day:
            if not latest.previous:
                return None  # before the first century
            full = latest.previous + value
        if full < "0001" or (month_day == "0229" and not isleap(int(full[:4]))):
            return None  # the year 0, or 29 February of a century year that is no leap year (1900)
        return full[:4] + iso_month_day
    if len(value) == 8:
        return f"{value[:4]}-{value[4:6]}-{value[6:]}" if valid_calendar("date", value) else None
    return None  # without a day to place the century by, a two-digit year stays unread
