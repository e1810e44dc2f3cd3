"""PNRGOV push generator: realistic IATA PADIS PNRGOV EDIFACT pushes of any size, with seeded defects.

The PNRGOV counterpart of :mod:`conformance.builders` (PAXLST). A push is what a carrier's
reservation system sends a State for one flight (STANDARDS.md §3): UNA, UNB ``IATA:1``, UNG,
UNH ``PNRGOV:11:1:IA`` with the push's common access reference (``ZZ0456/241126/0800/01``) and
S010, then at level 0 MSG (``:22`` full, ``:141`` update), ORG, the pushed flight's TVL and EQN
(PNRs in the whole push), then one Gr1 per PNR: SRC, RCI, PNR-level SSR, DAT, ORG, ADD, the
passengers (Gr2 TIF with FTI, IFT, REF, SSR DOCS/INFT/TKNE, Gr3 TKT/MON/TXD, Gr4 FOP) and the
itinerary (Gr5 TVL with codeshare TVL or TRA, RPI, APD, SSR SEAT, and close to departure the
check-in Gr6 DAT with Gr7 TRI/TIF/SSD/TBD). An update push may carry cancellations: SRC, RCI
and an empty ORG only (§3.3).

It reuses the PAXLST builder's machinery rather than copying it: a push is a
:class:`~conformance.builders.Draft` of :class:`PnrSeg` segments (written through the escaping
writer, so O'BRIEN comes out released), and a seeded defect is labelled with the same
:class:`~conformance.builders.Mark` / :class:`~conformance.builders.SeededDefect` /
:class:`~conformance.builders.ExpectedFinding` the PAXLST tests trust. In a label,
``SeededDefect.traveller`` is the 0-based index of the PNR the defect was put in (PNRGOV defects
belong to PNRs, not to single travellers).

Everything is synthetic: names from the PAXLST pools, carrier ``ZZ`` and partner ``YY``, masked
card numbers, phone numbers in the UK's drama range. No real person's data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conformance.builders import (
    _COUNTRIES,
    _GIVEN,
    _SURNAMES,
    Draft,
    Mark,
    SeededDefect,
    Seg,
    choose,
    expected_findings,
    seed_into,
)
from validators.edifact.delimiters import IATA_DEFAULT, Delimiters
from validators.edifact.writer import Element
from validators.reference.airports import AIRPORT_ZONES

VERSIONS = {"11.1": ("11", "1"), "13.1": ("13", "1")}  # IG version → UNH S009 0052:0054 and UNG S008
KINDS = {"full": "22", "update": "141"}  # MSG C302/1225 (STANDARDS.md §3.3)
PARTNER = "YY"  # the codeshare / interline partner: synthetic, like the carrier ZZ
CHECK_IN_HOURS = 3  # a full push this close to departure carries check-in data (Gr6/Gr7)

_NATIONALITIES = (*_COUNTRIES, "TUR", "PAK", "ESP", "ITA", "NLD", "POL", "KOR", "MEX", "IRL")
_ONWARD = ("ESB", "ADB", "AYT", "TBS", "GYD", "DXB", "TLV", "AMM", "ATH", "VIE", "CAI", "BEY")
_FEEDER = ("MAN", "EDI", "DUB", "AMS", "CDG", "FRA", "MAD", "FCO", "WAW", "JFK")
_GROUP_NAMES = ("SUNRISE TOURS", "ST MARY'S CHOIR", "BLUE RIVER FC", "NORDIC DELEGATION", "GRAND BAZAAR TRIP")
_STREETS = ("12 EXAMPLE ROAD", "4 HIGH STREET", "77 KINGS AVENUE", "FLAT 3, 19 MILL LANE", "221 ORCHARD WAY")
_CITIES = (("LONDON", "", "GB", "N1 9XX"), ("ISTANBUL", "", "TR", "34000"), ("MANCHESTER", "", "GB", "M1 1XX"),
           ("BOSTON", "MA", "US", "02110"), ("TORONTO", "ON", "CA", "M5V 1X1"))
_OTHS = ("ADV TKT NUMBER BY {date} 1800Z OR WILL CANCEL", "PLS ADV PSGR MOBILE CONTACT", "FARE RULE TL APPLIES")
_TITLES_ADULT = (("MR", "M"), ("MRS", "F"), ("MS", "F"), ("DR", "M"), ("DR", "F"))
_EQUIPMENT = ("321", "320", "738", "789", "333")
_CLASSES = "YMBHKQVJC"
# Sensitive data (EU 2016/681 Art. 13(4)): what a religious meal or a medical need reveals. Each
# sensitive passenger carries one of these SSRs and one OSI; the gateway must filter both at ingress.
_SENSITIVE = (("MOML", "", "HALAL MEAL REQUESTED"), ("KSML", "", "KOSHER MEAL REQUESTED"),
              ("HNML", "", "NO BEEF PLEASE"), ("MEDA", "OXYGEN REQUIRED IN FLIGHT", "PAX IS PREGNANT 7 MONTHS"),
              ("MEDA", "INSULIN IN CABIN", "PAX IS DIABETIC"), ("WCHR", "", "PAX CANNOT WALK LONG DISTANCES"),
              ("DEAF", "", "PAX IS DEAF PLS BRIEF CREW"), ("BLND", "", "PAX TRAVELS WITH SERVICE DOG"))


@dataclass(frozen=True, slots=True)
class PushSpec:
    """What push to write. Field names ``una``, ``groups`` and ``newlines`` are the ones
    :class:`~conformance.builders.Draft` reads when it writes, as in ``PaxlstSpec``."""

    pnrs: int = 3
    seed: int = 1
    version: str = "11.1"  # IG version: "11.1" or "13.1"
    kind: str = "full"  # "full" (MSG 1225 = 22) or "update" (141)
    cancelled: int = 0  # update push: how many PNRs are cancellations (SRC, RCI, empty ORG)
    carrier: str = "ZZ"
    flight_number: str = "0456"
    origin: str = "LHR"
    departure: str = "2026-11-24T08:00"  # local time at the origin (PNRGOV flight times are local)
    destination: str = "IST"
    block_minutes: int = 230  # scheduled flight time: the arrival's local time follows from the zones
    hours_before: int = 24  # when the push is sent; a full push within CHECK_IN_HOURS carries check-in data
    reference: str = "PNR0000000001"  # UNB 0020 (also UNG 0048 and UNH 0062)
    push_suffix: str = "01"  # the trailing /NN of UNH 0068 (push number as carriers send it); "" for none
    sequence: int = 1  # UNH S010 0070: which part of a multi-part push
    first_last: str = "F"  # UNH S010 0073: C first (or more to come), F final
    recipient: str = "PAXGATEPNR"
    newlines: bool = False
    una: bool = True
    decimal: str | None = None  # UNA decimal mark; None: "." with UNA, "," (the IATA default) without
    groups: bool = True  # UNG/UNE
    sensitive: int = 0  # how many passengers carry a sensitive SSR and OSI
    currency: str = "GBP"


@dataclass(slots=True, eq=False)
class PnrSeg(Seg):
    """A segment of a push draft, with the PNR (0-based, None at level 0 and in the envelope) and
    the passenger within the PNR (0-based, Gr2 and what refers to one passenger) it belongs to."""

    pnr: int | None = None
    passenger: int | None = None


# --- planning: who travels, before any segment is written ---------------------------------------------------------


@dataclass(slots=True)
class _Pax:
    ref: str
    surname: str
    given: str
    title: str
    ptc: str  # A adult, C child, IN infant
    gender: str
    born: datetime
    nationality: str
    passport: str
    expiry: datetime
    carries_infant: bool = False
    infant: _Pax | None = None  # the infant on this adult's lap
    sensitive: tuple[str, str, str] | None = None  # SSR code, SSR free text, OSI text


@dataclass(slots=True)
class _Leg:
    dep: str
    arr: str
    leaves: datetime  # local
    arrives: datetime  # local
    carrier: str  # marketing (C306 component 1)
    number: str
    booking_class: str
    operating: tuple[str, str] | None = None  # (carrier, number) when another carrier operates it
    as_tra: bool = False  # operating carrier sent as TRA instead of an operating TVL
    pushed: bool = False


def _local(airport: str, when: datetime) -> datetime:
    return when.replace(tzinfo=ZoneInfo(AIRPORT_ZONES[airport]))


def _arrival(dep: str, arr: str, leaves: datetime, minutes: int) -> datetime:
    """The local arrival time at ``arr`` of a leg leaving ``dep`` at local ``leaves``."""
    return (_local(dep, leaves) + timedelta(minutes=minutes)).astimezone(ZoneInfo(AIRPORT_ZONES[arr])).replace(tzinfo=None)


def _ddmmyy(when: datetime) -> str:
    return when.strftime("%d%m%y")


def _hhmm(when: datetime) -> str:
    return when.strftime("%H%M")


def _ddmmmyy(when: datetime) -> str:
    return when.strftime("%d%b%y").upper()


def _amount(value: float, decimal: str) -> str:
    return f"{value:.2f}".replace(".", decimal)


def _delimiters(spec: PushSpec) -> Delimiters:
    decimal = spec.decimal if spec.decimal is not None else ("." if spec.una else ",")
    if decimal not in ".,":
        raise ValueError(f"decimal mark {decimal!r}: UNA allows '.' or ','")
    if not spec.una and decimal != ",":
        raise ValueError("without UNA the IATA default applies: the decimal mark is ','")
    return replace(IATA_DEFAULT, decimal=decimal)


def _check(spec: PushSpec) -> None:
    if spec.version not in VERSIONS:
        raise ValueError(f"version {spec.version!r}: one of {', '.join(VERSIONS)}")
    if spec.kind not in KINDS:
        raise ValueError(f"kind {spec.kind!r}: one of {', '.join(KINDS)}")
    if spec.cancelled and spec.kind != "update":
        raise ValueError("cancelled PNRs travel in update pushes only (a full push leaves them out)")
    if not 0 <= spec.cancelled <= spec.pnrs:
        raise ValueError(f"{spec.cancelled} cancellations in a push of {spec.pnrs} PNRs")
    if spec.pnrs < 0 or spec.first_last not in ("C", "F"):
        raise ValueError("pnrs must be >= 0 and first_last C or F")
    for airport in (spec.origin, spec.destination):
        if airport not in AIRPORT_ZONES:
            raise ValueError(f"airport {airport} has no known time zone")


class _Planner:
    """Draws every random choice of a push, in a fixed order, so one seed gives one push."""

    def __init__(self, spec: PushSpec) -> None:
        self.spec = spec
        self.rnd = random.Random(spec.seed)
        self.leaves = datetime.fromisoformat(spec.departure)
        self.arrives = _arrival(spec.origin, spec.destination, self.leaves, spec.block_minutes)
        self.sent = (_local(spec.origin, self.leaves) - timedelta(hours=spec.hours_before)).astimezone(ZoneInfo("UTC"))
        self.sent = self.sent.replace(tzinfo=None)
        self.locators: set[str] = set()
        self.seats: list[str] = []
        self.rows = 0
        self.check_in_sequence = 0

    def seat(self) -> str:
        """A seat no one else on the flight holds: 60 rows of a wide body at a time, as many as the push needs."""
        if not self.seats:
            self.seats = [f"{row}{letter}" for row in range(self.rows + 1, self.rows + 61) for letter in "ABCDEFGHJK"]
            self.rows += 60
            self.rnd.shuffle(self.seats)
        return self.seats.pop()

    def locator(self) -> str:
        while True:
            value = "".join(self.rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
            if value not in self.locators:
                self.locators.add(value)
                return value

    def party(self, index: int) -> tuple[int, int, int]:
        """Adults, children and infants of one PNR: 1–4 travellers, the second PNR always a party."""
        rnd = self.rnd
        seated = rnd.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
        if index == 1 and seated == 1:  # so every push of two or more PNRs has a party of several
            seated = 2
        children = rnd.randint(1, seated - 2) if seated >= 3 and rnd.random() < 0.5 else 0
        adults = seated - children
        infants = 1 if seated < 4 and rnd.random() < 0.2 else 0
        return adults, children, infants

    def person(self, ptc: str, surname: str, ref: str) -> _Pax:
        rnd, leaves = self.rnd, self.leaves
        years = {"A": (18, 80), "C": (2, 11), "IN": (0, 1)}[ptc]
        born = leaves - timedelta(days=rnd.randint(years[0] * 365 + 30, years[1] * 365 + 300))
        if ptc == "A":
            title, gender = rnd.choice(_TITLES_ADULT)
        elif ptc == "C":
            title, gender = rnd.choice((("MSTR", "M"), ("MISS", "F")))
        else:
            title, gender = "", rnd.choice(("MI", "FI"))
        nationality = rnd.choice(_NATIONALITIES)
        passport = rnd.choice((f"{rnd.choice('ABCKLPUX')}{rnd.randrange(10 ** 8):08d}", f"{rnd.randrange(10 ** 9):09d}",
                               f"{rnd.choice('ABCX')}{rnd.choice('ABKZ')}{rnd.randrange(10 ** 7):07d}"))
        expiry = leaves + timedelta(days=rnd.randint(60, 3600))
        return _Pax(ref, surname, rnd.choice(_GIVEN), title, ptc, gender, born, nationality, passport, expiry)

    def itinerary(self) -> list[_Leg]:
        spec, rnd = self.spec, self.rnd
        booking_class = rnd.choice(_CLASSES)
        pushed = _Leg(spec.origin, spec.destination, self.leaves, self.arrives, spec.carrier, spec.flight_number,
                      booking_class, pushed=True)
        legs = [pushed]
        if rnd.random() < 0.15:  # a feeder flight of the partner into the origin
            start = rnd.choice([a for a in _FEEDER if a not in (spec.origin, spec.destination)])
            minutes = rnd.randint(60, 420)
            arrives = self.leaves - timedelta(minutes=rnd.randint(90, 240))
            leaves = _arrival(spec.origin, start, arrives, -minutes)
            legs.insert(0, _Leg(start, spec.origin, leaves, arrives, spec.carrier, f"{rnd.randint(7000, 7999)}",
                                booking_class, operating=(PARTNER, f"{rnd.randint(100, 999)}"), as_tra=True))
        if rnd.random() < 0.3:  # an onward codeshare, operated by the partner
            end = rnd.choice([a for a in _ONWARD if a not in (spec.origin, spec.destination)])
            leaves = self.arrives + timedelta(minutes=rnd.randint(90, 240))
            legs.append(_Leg(spec.destination, end, leaves, _arrival(spec.destination, end, leaves, rnd.randint(55, 240)),
                             spec.carrier, f"{rnd.randint(7000, 7999)}", booking_class,
                             operating=(PARTNER, f"{rnd.randint(100, 999)}"), as_tra=rnd.random() < 0.5))
        elif rnd.random() < 0.4:  # a return flight a few days later
            leaves = (self.leaves + timedelta(days=rnd.randint(3, 14))).replace(hour=rnd.randint(6, 21),
                                                                               minute=rnd.choice((0, 15, 30, 45)))
            number = f"{(int(spec.flight_number) + 1) % 10000:04d}" if spec.flight_number.isdigit() else spec.flight_number
            legs.append(_Leg(spec.destination, spec.origin, leaves,
                             _arrival(spec.destination, spec.origin, leaves, spec.block_minutes + 15),
                             spec.carrier, number, booking_class))
        return legs


# --- the draft -----------------------------------------------------------------------------------------------------


class _Writer:
    """Appends the segments of one push to a list, tagging each with its PNR and passenger."""

    def __init__(self, spec: PushSpec, delimiters: Delimiters) -> None:
        self.spec = spec
        self.decimal = delimiters.decimal
        self.out: list[PnrSeg] = []
        self.pnr: int | None = None
        self.passenger: int | None = None

    def put(self, tag: str, *elements: Element) -> PnrSeg:
        seg = PnrSeg(tag, list(elements), pnr=self.pnr, passenger=self.passenger)
        self.out.append(seg)
        return seg


def _pnr_blocks(spec: PushSpec, planner: _Planner, delimiters: Delimiters) -> list[list[PnrSeg]]:
    """Every PNR of the push as its own list of segments (Gr1 from SRC), numbered 0… in push order."""
    rnd = planner.rnd
    parties = [planner.party(k) for k in range(spec.pnrs)]
    cancelled = set(rnd.sample(range(spec.pnrs), spec.cancelled))
    seated = [(k, i) for k, (adults, children, _) in enumerate(parties) if k not in cancelled
              for i in range(adults + children)]
    if spec.sensitive > len(seated):
        raise ValueError(f"{spec.sensitive} sensitive passengers asked; the push holds {len(seated)} (infants aside)")
    sensitive = set(rnd.sample(seated, spec.sensitive))
    w = _Writer(spec, delimiters)
    blocks: list[list[PnrSeg]] = []
    for k, party in enumerate(parties):
        w.pnr, w.passenger, w.out = k, None, []
        _write_pnr(spec, planner, w, party, cancelled=k in cancelled,
                   sensitive={i for (pk, i) in sensitive if pk == k})
        blocks.append(w.out)
    return blocks


def _write_pnr(spec: PushSpec, planner: _Planner, w: _Writer, party: tuple[int, int, int], *, cancelled: bool,
               sensitive: set[int]) -> None:
    rnd, carrier = planner.rnd, spec.carrier
    created = planner.sent - timedelta(days=rnd.randint(1, 120), minutes=rnd.randint(0, 1439), seconds=rnd.randint(0, 59))
    locator = planner.locator()
    w.put("SRC")
    w.put("RCI", [carrier, locator, "", _ddmmyy(created), created.strftime("%H%M%S")])
    if cancelled:
        w.put("ORG")  # a cancellation: SRC, RCI and an empty ORG, nothing else (STANDARDS.md §3.3)
        return
    adults, children, infants = party
    if rnd.random() < 0.2:
        text = rnd.choice(_OTHS).format(date=_ddmmmyy(created + timedelta(days=3)))
        w.put("SSR", ["OTHS", "", "", "", "", "", "", "", text])
    modified = created + timedelta(minutes=rnd.randint(5, 60 * 24 * 20))
    modified = min(modified, planner.sent - timedelta(minutes=5))
    ticketed = created + timedelta(minutes=rnd.randint(1, 240))
    ticketed = min(ticketed, modified)
    w.put("DAT", ["700", _ddmmyy(modified), _hhmm(modified)], ["710", _ddmmyy(ticketed), _hhmm(ticketed)])
    if rnd.random() < 0.5:
        w.put("ORG", [carrier, spec.origin], [f"{rnd.randrange(10 ** 8):08d}", f"{spec.origin}{carrier}0{rnd.randint(100, 999)}"],
              "", "1A", "", "GB")
    else:
        w.put("ORG", [carrier, spec.origin], ["", "WEB"], "", carrier)
    if rnd.random() < 0.4:
        city, state, country, zip_code = rnd.choice(_CITIES)
        phone = rnd.choice((f"+44 20 7946 0{rnd.randint(100, 999)}", f"H4420794{rnd.randint(10000, 99999)}"))
        w.put("ADD", "", ["700", rnd.choice(_STREETS), city, state, "", country, zip_code, phone])

    family = rnd.choice(_SURNAMES)
    people: list[_Pax] = []
    ref = 0
    for ptc in ["A"] * adults + ["C"] * children:
        ref += 1
        people.append(planner.person(ptc, family if rnd.random() < 0.75 else rnd.choice(_SURNAMES), str(ref)))
    for n in range(infants):
        ref += 1
        baby = planner.person("IN", people[n].surname, str(ref))
        people[n].carries_infant, people[n].infant = True, baby
    for i in sensitive:
        people[i].sensitive = rnd.choice(_SENSITIVE)
    legs = planner.itinerary()
    segment_of = legs[[leg.pushed for leg in legs].index(True)]
    fare = rnd.randint(90, 900) + rnd.choice((0, 0.5, 0.99))

    if len(people) >= 3 and rnd.random() < 0.3:
        w.put("TIF", [rnd.choice(_GROUP_NAMES), "G"])  # the group's name, before its members
    travellers = [p for person in people for p in ((person, person.infant) if person.infant else (person,))]
    for i, p in enumerate(travellers):
        w.passenger = i
        given = f"{p.given} {p.title}".strip()
        w.put("TIF", p.surname, [given, p.ptc, p.ref, "1" if p.carries_infant else ""])
        if p.ptc == "A" and rnd.random() < 0.3:
            w.put("FTI", [carrier, f"{rnd.randrange(10 ** 9):09d}", "", "", rnd.choice(("", "GOLD", "SILVER"))])
        if p.sensitive:
            w.put("IFT", ["4", "28", "", carrier], p.sensitive[2])
        w.put("REF", ["", f"{rnd.randrange(16 ** 16):016X}"])
        docs = (f"/P/{p.nationality}/{p.passport}/{p.nationality}/{_ddmmmyy(p.born)}/{p.gender}/"
                f"{_ddmmmyy(p.expiry)}/{p.surname}/{p.given}")
        w.put("SSR", ["DOCS", "HK", "1", carrier, "", "", "", "", docs], ["", "", p.ref])
        if p.infant:
            baby = p.infant
            w.put("SSR", ["INFT", "HK", "1", carrier, "", "", segment_of.dep, segment_of.arr,
                          f"{baby.surname}/{baby.given} {_ddmmmyy(baby.born)}"], ["", "", p.ref])
        if p.sensitive:
            code, free, _ = p.sensitive
            w.put("SSR", [code, "HK", "1", carrier, "", "", segment_of.dep, segment_of.arr, free], ["", "", p.ref])
        ticket = f"999{rnd.randrange(10 ** 10):010d}"
        for number, leg in enumerate(legs, start=1):
            prefix = "INF" if p.ptc == "IN" else ""
            w.put("SSR", ["TKNE", "HK", "1", carrier, "", "", leg.dep, leg.arr, f"{prefix}{ticket}C{number}"], ["", "", p.ref])
        base = fare * (0.1 if p.ptc == "IN" else 0.75 if p.ptc == "C" else 1.0)
        taxes = [(round(rnd.uniform(5, 90), 2), code) for code in rnd.sample(("GB", "UB", "YQ", "TR", "M6"), rnd.randint(1, 3))]
        total = base + sum(t for t, _ in taxes)
        w.put("TKT", [ticket, "T", "1"])
        w.put("MON", ["B", _amount(base, w.decimal), spec.currency], ["T", _amount(total, w.decimal), spec.currency])
        w.put("TXD", "", *[[_amount(t, w.decimal), "", spec.currency, code] for t, code in taxes])
        if rnd.random() < 0.7:
            w.put("FOP", ["CC", "", _amount(total, w.decimal), rnd.choice(("VI", "CA", "AX")),
                          f"XXXXXXXXXXXX{rnd.randrange(10 ** 4):04d}", f"{rnd.randint(1, 12):02d}{rnd.randint(27, 31)}"])
        else:
            w.put("FOP", ["CA", "", _amount(total, w.decimal)])
    w.passenger = None

    seated_people = [p for p in travellers if p.ptc != "IN"]
    with_seats = rnd.random() < 0.6
    check_in = spec.kind == "full" and spec.hours_before <= CHECK_IN_HOURS
    for leg in legs:
        w.put("TVL", [_ddmmyy(leg.leaves), _hhmm(leg.leaves), _ddmmyy(leg.arrives), _hhmm(leg.arrives)], leg.dep, leg.arr,
              [leg.carrier, leg.operating[0]] if leg.operating and not leg.as_tra else leg.carrier,
              [leg.number, leg.booking_class])
        if leg.operating and not leg.as_tra:
            w.put("TVL", "", "", "", "", [leg.operating[1], leg.booking_class])  # the operating flight
        elif leg.operating:
            w.put("TRA", leg.operating[0], [leg.operating[1], leg.booking_class])
        w.put("RPI", str(len(seated_people)), "HK")
        if not leg.operating:
            w.put("APD", rnd.choice(_EQUIPMENT))
        if not leg.pushed:
            continue
        seats = {p.ref: planner.seat() for p in seated_people}
        if with_seats:
            for i, p in enumerate(travellers):
                if p.ptc != "IN":
                    w.passenger = i
                    w.put("SSR", ["SEAT", "HK", "1", carrier, "", "", leg.dep, leg.arr], [seats[p.ref], "", p.ref, "N"])
            w.passenger = None
        if check_in:
            at = leg.leaves - timedelta(hours=spec.hours_before, minutes=rnd.randint(20, 150))
            w.put("DAT", ["2", _ddmmyy(at), _hhmm(at)])
            for i, p in enumerate(travellers):
                if p.ptc == "IN":
                    continue
                w.passenger = i
                planner.check_in_sequence += 1
                w.put("TRI", "", [str(planner.check_in_sequence), "", "", p.ref])
                w.put("TIF", p.surname, [f"{p.given} {p.title}".strip(), p.ptc, p.ref])
                w.put("SSD", seats[p.ref], "", "", "", "Y")
                pieces = rnd.choice((0, 1, 1, 2))
                if pieces:
                    tag = f"0999{rnd.randrange(10 ** 6):06d}"
                    w.put("TBD", "", [str(pieces), str(pieces * rnd.randint(12, 23)), "700"], "", "HP",
                          [carrier, tag, str(pieces), leg.arr])
            w.passenger = None


def _header(spec: PushSpec, planner: _Planner, delimiters: Delimiters, reference: str, sequence: int, first_last: str,
            blocks: list[list[PnrSeg]], total: int) -> Draft:
    """One message (in its own interchange) carrying ``blocks``, EQN stating ``total``."""
    out: list[Seg] = []

    def put(tag: str, *elements: Element) -> None:
        out.append(PnrSeg(tag, list(elements)))

    version, release = VERSIONS[spec.version]
    sent = [planner.sent.strftime("%y%m%d"), _hhmm(planner.sent)]
    put("UNB", ["IATA", "1"], spec.carrier, spec.recipient, sent, reference, "", "PNRGOV")
    if spec.groups:
        put("UNG", "PNRGOV", spec.carrier, spec.recipient, sent, reference, "IA", [version, release])
    access = f"{spec.carrier}{spec.flight_number}/{_ddmmyy(planner.leaves)}/{_hhmm(planner.leaves)}"
    access += f"/{spec.push_suffix}" if spec.push_suffix else ""
    put("UNH", spec.reference, ["PNRGOV", version, release, "IA"], access, [f"{sequence:02d}", first_last])
    put("MSG", ["", KINDS[spec.kind]])
    put("ORG", [spec.carrier, spec.origin], "", "", [spec.carrier, "SYS"])
    put("TVL", [_ddmmyy(planner.leaves), _hhmm(planner.leaves), _ddmmyy(planner.arrives), _hhmm(planner.arrives)],
        spec.origin, spec.destination, spec.carrier, spec.flight_number)
    put("EQN", str(total))
    for block in blocks:
        out.extend(block)
    put("UNT", "", spec.reference)  # counts are filled in by Draft.write
    if spec.groups:
        put("UNE", "", reference)
    put("UNZ", "", reference)
    return Draft(spec, delimiters, out)  # type: ignore[arg-type]  # Draft reads una/groups/newlines only


def push_draft(spec: PushSpec = PushSpec()) -> Draft:
    """The valid push :func:`push` writes, as a draft (of :class:`PnrSeg`) to change before writing."""
    _check(spec)
    delimiters = _delimiters(spec)
    planner = _Planner(spec)
    blocks = _pnr_blocks(spec, planner, delimiters)
    return _header(spec, planner, delimiters, spec.reference, spec.sequence, spec.first_last, blocks, spec.pnrs)


def push(spec: PushSpec = PushSpec()) -> bytes:
    """A complete, valid PNRGOV push (one message in one interchange) as bytes."""
    return push_draft(spec).write()


def _part_reference(reference: str, part: int) -> str:
    """The UNB 0020 of part ``part`` (1-based): the trailing number counted on, width kept."""
    digits = len(reference) - len(reference.rstrip("0123456789"))
    if not digits:
        return f"{reference}{part}"
    head, number = reference[:-digits], int(reference[-digits:]) + part - 1
    return f"{head}{number:0{digits}d}"


def multipart_push(spec: PushSpec, parts: int) -> list[bytes]:
    """The push for ``spec`` split over ``parts`` messages, each in its own interchange (own UNB
    0020, counted on from ``spec.reference``), all with the same UNH 0062 and 0068 and S010
    ``01:C`` … ``nn:F``; every part's EQN states the PNRs of the whole push (STANDARDS.md §3.3).
    The PNRs are those :func:`push` writes for ``spec``, in order, as evenly spread as possible;
    ``spec.sequence`` and ``spec.first_last`` are ignored."""
    _check(spec)
    if not 1 <= parts <= max(spec.pnrs, 1) or parts > 99:
        raise ValueError(f"{parts} parts for {spec.pnrs} PNRs: each part carries at least one PNR, at most 99 parts")
    delimiters = _delimiters(spec)
    planner = _Planner(spec)
    blocks = _pnr_blocks(spec, planner, delimiters)
    size, extra = divmod(len(blocks), parts)
    out, start = [], 0
    for n in range(1, parts + 1):
        end = start + size + (1 if n <= extra else 0)
        draft = _header(spec, planner, delimiters, _part_reference(spec.reference, n), n, "F" if n == parts else "C",
                        blocks[start:end], spec.pnrs)
        out.append(draft.write())
        start = end
    return out


# --- defects: what carriers get wrong in a push, with the finding each must produce ---------------------------------

# Where a DOCS finding points: the free text, SSR C334 component 9 (4440), which holds every DOCS field.
DOCS_AT: tuple[int | None, int | None] = (1, 9)

PushSeeder = Callable[[Draft, random.Random, int | None], list[Mark]]


@dataclass(frozen=True, slots=True)
class PushDefect:
    """One way to get a push wrong and the finding codes it must produce, in file order.

    ``needs`` says which PNR it can be put in (:data:`NEEDS`); "" for a defect of the message. Each
    PNR defect gets a PNR of its own. ``claims`` as in
    :class:`~conformance.builders.Defect`: two defects claiming one thing are never seeded together.
    """

    name: str
    description: str
    codes: tuple[str, ...]
    seed: PushSeeder
    needs: str = ""
    claims: str = ""


def _segs(draft: Draft, pnr: int, tag: str | None = None) -> list[PnrSeg]:
    return [s for s in draft.segments if isinstance(s, PnrSeg) and s.pnr == pnr and (tag is None or s.tag == tag)]


def _level0(draft: Draft, tag: str) -> PnrSeg:
    """The level-0 segment with this tag (before the first SRC)."""
    for s in draft.segments:
        if s.tag == "SRC":
            break
        if s.tag == tag:
            assert isinstance(s, PnrSeg)
            return s
    raise LookupError(f"no level-0 {tag} in the draft")


def _passenger_tifs(draft: Draft, pnr: int) -> list[PnrSeg]:
    """The Gr2 TIFs of a PNR that name a traveller (a group's name TIF carries no reference)."""
    tifs = []
    for s in _segs(draft, pnr):
        if s.tag == "TVL":
            break  # Gr5 on: the TIFs of check-in (Gr7) repeat the travellers
        if s.tag == "TIF" and s.passenger is not None:
            tifs.append(s)
    return tifs


def _docs_of(draft: Draft, pnr: int) -> list[PnrSeg]:
    return [s for s in _segs(draft, pnr, "SSR") if isinstance(s.elements[0], list) and s.elements[0][0] == "DOCS"]


def _single_part(draft: Draft) -> None:
    spec = draft.spec
    if getattr(spec, "sequence", 1) != 1 or getattr(spec, "first_last", "F") != "F":
        raise ValueError("defect eqn-total needs a single-part push (S010 01:F): EQN counts the whole push")


def _eqn_total(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    _single_part(draft)
    eqn = _level0(draft, "EQN")
    total = int(str(eqn.elements[0]))
    eqn.elements[0] = str(total + (1 if total == 0 else rnd.choice((-1, 1))))
    return [Mark("PNR-EQN-TOTAL", eqn, element=1, component=1)]  # C523 6350


def _locator_missing(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    assert pnr is not None
    draft.remove(_segs(draft, pnr, "RCI")[0])
    return [Mark("PNR-LOCATOR-MISSING", _segs(draft, pnr, "SRC")[0])]


def _locator_duplicate(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    assert pnr is not None
    rci = _segs(draft, pnr, "RCI")[0]
    others = [k for k in sorted({s.pnr for s in draft.segments if isinstance(s, PnrSeg) and s.pnr is not None})
              if k != pnr and _segs(draft, k, "RCI")]
    if not others:
        raise ValueError("defect locator-duplicate needs another PNR with a locator")
    earlier = [k for k in others if k < pnr]
    partner = earlier[-1] if earlier else others[0]
    partner_rci = _segs(draft, partner, "RCI")[0]
    first, second = (partner_rci, rci) if partner < pnr else (rci, partner_rci)
    second.elements[0] = [*list(second.elements[0])[:1], list(first.elements[0])[1], *list(second.elements[0])[2:]]
    return [Mark("PNR-LOCATOR-DUPLICATE", second, element=1, component=2)]


def _docs(draft: Draft, rnd: random.Random, pnr: int | None, change: Callable[[list[str]], list[str] | str]) -> PnrSeg:
    assert pnr is not None
    ssr = rnd.choice(_docs_of(draft, pnr))
    composite = list(ssr.elements[0])
    fields = composite[8].split("/")  # "", type, issuer, number, nationality, birth, gender, expiry, surname, given
    changed = change(fields)
    composite[8] = changed if isinstance(changed, str) else "/".join(changed)
    ssr.elements[0] = composite
    return ssr


def _docs_unreadable(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    def garble(fields: list[str]) -> str:  # a mapper that joined with spaces, or cut the text short
        return " ".join(fields[1:]) if rnd.random() < 0.5 else "/".join(fields[:rnd.randint(2, 5)])
    ssr = _docs(draft, rnd, pnr, garble)
    return [Mark("PNR-DOCS-UNREADABLE", ssr, element=DOCS_AT[0], component=DOCS_AT[1])]


def _docs_date(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    ssr = _docs(draft, rnd, pnr, lambda f: [*f[:5], "31FEB80", *f[6:]])
    return [Mark("PNR-DOCS-DATE", ssr, element=DOCS_AT[0], component=DOCS_AT[1])]


def _docs_country(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    ssr = _docs(draft, rnd, pnr, lambda f: [*f[:4], "XYZ", *f[5:]])
    return [Mark("PNR-DOCS-COUNTRY", ssr, element=DOCS_AT[0], component=DOCS_AT[1])]


# where a segment names its traveller: (element, component), 0-based as Seg.elements holds them
_REF_AT = {"TIF": (1, 2), "SSR": (1, 2), "TRI": (1, 3)}


def _traveller_ref_duplicate(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    assert pnr is not None
    first, second = _passenger_tifs(draft, pnr)[:2]
    new = list(first.elements[1])[2]
    for s in _segs(draft, pnr):  # every reference to the second traveller: nothing points at a missing one
        at = _REF_AT.get(s.tag)
        if s.passenger == second.passenger and at is not None:
            composite = list(s.elements[at[0]])
            composite[at[1]] = new
            s.elements[at[0]] = composite
    return [Mark("PNR-TRAVELLER-REF-DUPLICATE", second, element=2, component=3)]  # C324 9944


def _msg_function(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    msg = _level0(draft, "MSG")
    msg.elements[0] = ["", "99"]
    return [Mark("MSG-ELEMENT-CODE", msg, element=1, component=2)]


def _tvl_date(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    tvl = _level0(draft, "TVL")
    tvl.elements[0] = ["320226", *list(tvl.elements[0])[1:]]
    return [Mark("MSG-ELEMENT-DATE", tvl, element=1, component=1)]


def _unknown_segment(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    assert pnr is not None
    after = _segs(draft, pnr, "DAT")[:1] or _segs(draft, pnr, "RCI")[:1] or _segs(draft, pnr, "SRC")
    unknown = PnrSeg("XYZ", ["1"], pnr=pnr)
    draft.insert(draft.index(after[0]) + 1, unknown)
    return [Mark("MSG-SEGMENT-UNKNOWN", unknown)]


def _missing_flight(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    draft.remove(_level0(draft, "TVL"))
    return [Mark("MSG-SEGMENT-MISSING", _level0(draft, "ORG"))]


def _unt_count(draft: Draft, rnd: random.Random, pnr: int | None) -> list[Mark]:
    draft.miscount["UNT"] = rnd.choice((-2, -1, 1, 2))
    return [Mark("EDI-UNT-COUNT", draft.find("UNT"), element=1)]


DEFECTS: dict[str, PushDefect] = {d.name: d for d in (
    PushDefect("eqn-total", "level-0 EQN states one PNR more or fewer than the single-part push holds", ("PNR-EQN-TOTAL",),
               _eqn_total, claims="EQN"),
    PushDefect("locator-missing", "a PNR sent without its RCI (no record locator)", ("PNR-LOCATOR-MISSING",),
               _locator_missing, needs="pnr"),
    PushDefect("locator-duplicate", "two PNRs of the push carry the same record locator", ("PNR-LOCATOR-DUPLICATE",),
               _locator_duplicate, needs="later"),
    PushDefect("docs-unreadable", "an SSR DOCS free text with too few slashes to read its fields", ("PNR-DOCS-UNREADABLE",),
               _docs_unreadable, needs="passenger"),
    PushDefect("docs-date", "an SSR DOCS date of birth that is no calendar date (31FEB80)", ("PNR-DOCS-DATE",), _docs_date,
               needs="passenger"),
    PushDefect("docs-country", "an SSR DOCS nationality that is no ICAO 9303 code (XYZ)", ("PNR-DOCS-COUNTRY",),
               _docs_country, needs="passenger"),
    PushDefect("traveller-ref-duplicate", "two travellers of one PNR share a TIF traveller reference",
               ("PNR-TRAVELLER-REF-DUPLICATE",), _traveller_ref_duplicate, needs="party"),
    PushDefect("msg-function", "level-0 MSG with a message function that is neither 22 nor 141 (MSG+:99)",
               ("MSG-ELEMENT-CODE",), _msg_function, claims="MSG"),
    PushDefect("tvl-date", "the pushed flight's departure date is no calendar date (320226)", ("MSG-ELEMENT-DATE",),
               _tvl_date, claims="flight"),
    PushDefect("unknown-segment", "a segment PNRGOV does not know (XYZ+1) inside a PNR", ("MSG-SEGMENT-UNKNOWN",),
               _unknown_segment, needs="pnr"),
    PushDefect("missing-flight", "the level-0 TVL (the pushed flight) is left out (reported on ORG, before the gap)",
               ("MSG-SEGMENT-MISSING",), _missing_flight, claims="flight"),
    PushDefect("unt-count", "UNT states a segment count other than the message's", ("EDI-UNT-COUNT",), _unt_count,
               claims="UNT"),
)}


NEEDS = {"pnr": "any PNR", "later": "a PNR after another one", "passenger": "a PNR with passengers (no cancellation)",
         "party": "a PNR of two passengers or more"}


def _fits(draft: Draft, pnr: int, needs: str) -> bool:
    if needs == "pnr":
        return bool(_segs(draft, pnr, "RCI"))
    if needs == "later":  # a PNR after another one, whose locator it can repeat
        return pnr > 0 and bool(_segs(draft, pnr, "RCI"))
    if needs == "passenger":
        return bool(_docs_of(draft, pnr))
    if needs == "party":
        return len(_passenger_tifs(draft, pnr)) >= 2
    raise AssertionError(needs)


def push_with_defects(spec: PushSpec, defects: Sequence[str], seed: int = 0) -> tuple[bytes, list[SeededDefect]]:
    """The push :func:`push` would write for ``spec``, with each named defect seeded into it.

    As :func:`conformance.builders.paxlst_with_defects`: which PNRs are hit and the wrong values
    follow from ``seed`` alone, defects apply in catalogue order whatever order they are named in,
    and the labels come back in catalogue order, each finding placed as the validator must place
    it (positions 1-based with UNH = 1). ``SeededDefect.traveller`` holds the PNR's index.
    """
    chosen = choose(DEFECTS, defects, "push")
    built = push_draft(spec)
    rnd = random.Random(seed)
    taken: set[int] = set()
    seat: dict[str, int] = {}
    for d in chosen:  # PNRs are chosen on the clean push, so one defect's edit never moves another's choice
        if d.needs:
            free = [k for k in range(spec.pnrs) if k not in taken and _fits(built, k, d.needs)]
            if not free:
                raise ValueError(f"defect {d.name} needs a PNR of its own, {NEEDS[d.needs]}; the push has none left")
            seat[d.name] = rnd.choice(free)
            taken.add(seat[d.name])
    marks = seed_into(built, chosen, seat, seed)
    data = built.write()
    labels = []
    for d, pnr, found in marks:
        put = found[0].seg
        where = put.pnr if isinstance(put, PnrSeg) and put.pnr is not None else pnr  # locator-duplicate may mark its partner
        labels.append(SeededDefect(d.name, d.codes, put.tag, built.position(put), where, expected_findings(built, found)))
    return data, labels


__all__ = ["DEFECTS", "DOCS_AT", "KINDS", "VERSIONS", "PnrSeg", "PushDefect", "PushSpec", "multipart_push", "push",
           "push_draft", "push_with_defects"]
