"""Reading a PNRGOV EDIFACT message into the typed PnrPush (validators.pnrgov.model).

The walker has already placed every segment in its group (validators.pnrgov.tables); this module
only reads values. It keeps what forwarding, screening and compliance need and nothing else: SSR
and OSI free text (where sensitive data lives) never enters the model, card numbers shrink to
their last four digits, and two-digit years are anchored on the pushed flight's date the way a
border officer would read them (a birth is never after the flight, an expiry never more than
fifteen years after it).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import NamedTuple

import msgspec

from validators.edifact.envelope import Message
from validators.edifact.tokenizer import Segment
from validators.pnrgov.model import (
    Contact,
    ItinerarySegment,
    Passenger,
    Payment,
    Pnr,
    PnrPush,
    PushFlight,
    PushPart,
    TravelDocument,
)
from validators.pnrgov.segments import PUSH_FUNCTIONS
from validators.structure import Node

_replace = msgspec.structs.replace

_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DOCS_DATE = re.compile(r"(\d{2})([A-Z]{3})(\d{2})")
INFANT_GENDERS = ("MI", "FI")  # SSR DOCS gender of a lap infant, attached to the adult's TIF
_READ_SSR = frozenset({"DOCS", "CTCE", "CTCM"})  # the SSRs a passenger is read from (SSR 9962 is four letters)
DOCS_FIELDS = 9  # type / issuer / number / nationality / birth / gender / expiry / surname / given (STANDARDS.md §3.2)


def ddmmyy(value: str) -> date | None:
    """A PADIS date (DDMMYY), None when it is no real date."""
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        return None
    try:
        return date(2000 + int(value[4:6]), int(value[2:4]), int(value[:2]))
    except ValueError:
        return None


@functools.lru_cache(maxsize=8192)  # pure, keyed by a bare date (no name, no number): the push and its rules read each twice
def docs_date(value: str, anchor: date | None, *, birth: bool) -> date | None:
    """A DOCS date (``15MAR80``) with its century chosen around ``anchor`` (the flight's day)."""
    match = _DOCS_DATE.fullmatch(value.replace(" ", ""))
    if match is None or match.group(2) not in _MONTHS:
        return None
    day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    base = anchor or date(2000 + year, 12, 31)
    century = base.year // 100 * 100
    found = []
    for candidate in (century - 100 + year, century + year):
        try:
            found.append(date(candidate, month, day))  # 29FEB00 is real in 2000, not in 1900
        except ValueError:
            continue
    limit = base if birth else date(base.year + 15, 12, 31)
    fitting = [d for d in found if d <= limit]
    return max(fitting) if fitting else None


def docs_fields(segment: Segment) -> tuple[str, ...] | None:
    """The slash-separated fields of an SSR DOCS free text (component 9, 4440, on), None when unreadable.

    Carriers wrap long free text over components and PDFs wrap it over lines with spaces: the
    components are joined as the carrier's system would, and a value's inner spaces are kept for
    names only."""
    elements = segment.elements
    return _docs_fields(":".join(elements[0][8:])) if elements and len(elements[0]) > 8 else None


def _docs_fields(text: str) -> tuple[str, ...] | None:
    if not text.startswith("/"):
        return None
    fields = tuple(text[1:].split("/"))
    return fields if len(fields) >= DOCS_FIELDS else None


@functools.lru_cache(maxsize=8192)  # a push repeats its flight's dates in nearly every PNR
def _time(day: str, clock: str) -> str | None:
    found = ddmmyy(day)
    if found is None:
        return None
    if len(clock) >= 4 and clock[:4].isascii() and clock[:4].isdigit() and int(clock[:2]) < 24 and int(clock[2:4]) < 60:
        return datetime(found.year, found.month, found.day, int(clock[:2]), int(clock[2:4])).isoformat()
    return found.isoformat()


def _flight(tvl: Segment) -> PushFlight:
    return PushFlight(carrier=tvl.value(4), number=tvl.value(5), departure_airport=tvl.value(2) or None,
                      arrival_airport=tvl.value(3) or None, departure_local=_time(tvl.value(1, 1), tvl.value(1, 2)),
                      arrival_local=_time(tvl.value(1, 3), tvl.value(1, 4)))


def build_push(message: Message, root: Node, push_number_from: str) -> PnrPush:
    """The PnrPush of one PNRGOV message. ``push_number_from`` is the profile's choice: "sequence"
    (S010), "reference-suffix" (the last ``/`` part of UNH 0068) or "none"."""
    identifier = message.identifier
    msg, tvl, org, eqn = root.first("MSG"), root.first("TVL"), root.first("ORG"), root.first("EQN")
    flight = _flight(tvl) if tvl is not None else None
    anchor = ddmmyy(tvl.value(1, 1)) if tvl is not None else None
    sequence = message.sequence
    part = PushPart(message.common_access_reference or None, int(sequence) if sequence.isascii() and sequence.isdigit() else None,
                    message.first_last or None)
    declared = eqn.value(1) if eqn is not None else ""
    legs: dict[tuple[str, ...], ItinerarySegment] = {}
    return PnrPush(
        message=message.index,
        format="pnrgov",
        version=".".join(identifier[1:3]),
        kind=PUSH_FUNCTIONS.get(msg.value(1, 2), "other") if msg is not None else "other",
        flight=flight,
        message_reference=message.reference or None,
        push_number=_push_number(part, push_number_from),
        sender=":".join(v for v in (org.value(1, 1), org.value(1, 2)) if v) or None if org is not None else None,
        declared_pnrs=int(declared) if declared.isascii() and declared.isdigit() else None,
        pnrs=tuple(build_pnr(group, anchor, legs) for group in root.children("Gr1")),
        part=part,
    )


def _push_number(part: PushPart, source: str) -> int | None:
    if source == "sequence":
        return part.sequence
    if source == "reference-suffix" and part.common_access_reference:
        pieces = part.common_access_reference.split("/")
        last = pieces[-1]
        return int(last) if len(pieces) > 1 and last.isascii() and last.isdigit() else None
    return None


def is_cancellation(group: Node) -> bool:
    """An update push's cancellation: an ORG with no data (STANDARDS.md §3.3)."""
    org = group.first("ORG")
    return org is not None and not any(v for element in org.elements for v in element)


def build_pnr(group: Node, anchor: date | None, legs: dict[tuple[str, ...], ItinerarySegment] | None = None) -> Pnr:
    src = group.segments[0]
    rci = group.first("RCI")
    dat = group.first("DAT")
    dates = {}
    if dat is not None:
        for element in dat.elements:
            if len(element) >= 2:
                dates[element[0]] = _time(element[1], element[2] if len(element) > 2 else "")
    org = group.first("ORG")
    travellers = [_passenger(traveller, anchor) for traveller in group.children("Gr2")]
    passengers = [t.passenger for t in travellers]
    infant_docs = [fields for t in travellers for fields in t.infant_docs]
    if infant_docs:
        passengers = _with_infant_documents(passengers, infant_docs, anchor)
    passengers = _with_check_in(passengers, group)
    contacts = []
    for add in group.all("ADD"):
        address, phone = _address(add), add.value(2, 8).strip()
        contacts += [Contact(kind, text) for kind, text in (("address", address), ("phone", phone)) if text]
    contacts += [c for t in travellers for c in t.contacts]
    return Pnr(
        locator=rci.value(1, 2) if rci is not None else "",
        carrier=(rci.value(1, 1) or None) if rci is not None else None,
        position=src.position,
        created=_time(rci.value(1, 4), rci.value(1, 5)) if rci is not None else None,
        last_modified=dates.get("700"),
        ticket_issued=dates.get("710"),
        cancelled=is_cancellation(group),
        originator=(":".join(v for v in (org.value(1, 1), org.value(1, 2)) if v) or None) if org is not None else None,
        split_from=tuple(r.value(1, 2) for split in group.children("Gr8") for r in split.all("RCI") if r.value(1, 2)),
        passengers=tuple(passengers),
        itinerary=_itinerary(group, {} if legs is None else legs),
        contacts=tuple(contacts),
        payments=tuple(_payment(element) for traveller in group.children("Gr2") for ticket in traveller.groups
                       for fop_group in ticket.groups for element in fop_group.segments[0].elements if element and element[0]),
    )


_NO_ELEMENT = ("",)  # what an absent data element reads as: every value empty


class _Traveller(NamedTuple):
    """What one pass over a traveller group's SSRs found: the passenger, a lap infant's DOCS (they
    belong to the infant's own TIF) and the contacts (CTCE e-mail, CTCM mobile)."""

    passenger: Passenger
    infant_docs: list[tuple[str, ...]]
    contacts: list[Contact]


def _passenger(group: Node, anchor: date | None) -> _Traveller:
    tif = group.segments[0].elements  # C324 name, then C322: given name, passenger type, reference
    name = tif[0] if tif else _NO_ELEMENT
    traveller = tif[1] if len(tif) > 1 else _NO_ELEMENT
    given = traveller[0]
    kind = traveller[1] if len(traveller) > 1 else ""
    reference = traveller[2] if len(traveller) > 2 else ""
    documents: list[TravelDocument] = []
    infant_docs: list[tuple[str, ...]] = []
    contacts: list[Contact] = []
    birth = gender = nationality = None
    for ssr in group.segments:
        if ssr.tag != "SSR" or ssr.raw[4:8] not in _READ_SSR:  # the code from the raw text: no split for the rest
            continue
        elements = ssr.elements
        request = elements[0] if elements else ()
        code = request[0] if request else ""
        if code == "DOCS":
            fields = docs_fields(ssr)
            if fields is None:
                continue
            if fields[5].replace(" ", "") in INFANT_GENDERS:
                infant_docs.append(fields)
                continue
            document, born = _document(fields, anchor)
            if document.number or document.type:
                documents.append(document)
            birth = birth or born
            gender = gender or (fields[5].strip() or None)
            nationality = nationality or (fields[3].strip() or None)
        elif code in ("CTCE", "CTCM") and len(request) > 8:
            text = ":".join(request[8:])
            if code == "CTCE":
                contacts.append(Contact("email", text.strip("/").replace("//", "@")))
            else:
                contacts.append(Contact("phone", text.strip("/")))
    fti = group.first("FTI")
    tickets = []
    for ticket in group.groups:  # Gr3: a ticket's TKT (and its fares and payments)
        for segment in ticket.segments:
            if segment.tag == "TKT" and (number := segment.value(1, 1)):
                tickets.append(number)
    passenger = Passenger(
        surname=name[0],
        given_names=tuple(given.split()) if given else (),
        reference=reference or None,
        type=kind or None,
        infant=kind == "IN",  # 9945 = 1 says an adult travels *with* a lap infant
        birth_date=birth,
        gender=gender,
        nationality=nationality,
        documents=tuple(documents),
        frequent_flyer=":".join(v for v in (fti.value(1, 1), fti.value(1, 2)) if v) or None if fti is not None else None,
        tickets=tuple(tickets),
    )
    return _Traveller(passenger, infant_docs, contacts)


def _document(fields: tuple[str, ...], anchor: date | None) -> tuple[TravelDocument, str | None]:
    born = docs_date(fields[4], anchor, birth=True)
    expiry = docs_date(fields[6], anchor, birth=False)
    return TravelDocument(type=fields[0].strip() or None, number=fields[2].replace(" ", "") or None,
                          issuing_state=fields[1].strip() or None, nationality=fields[3].strip() or None,
                          expiry=expiry.isoformat() if expiry else None), born.isoformat() if born else None


def _with_infant_documents(passengers: list[Passenger], infant_docs: list[tuple[str, ...]],
                           anchor: date | None) -> list[Passenger]:
    """A lap infant's DOCS (gender MI/FI) travels under the adult's TIF; it belongs to the infant's
    own TIF when the PNR has one with that surname."""
    for fields in infant_docs:
        surname = fields[7].replace(" ", "")
        for index, passenger in enumerate(passengers):
            if passenger.infant and passenger.surname.replace(" ", "") == surname and passenger.birth_date is None:
                document, born = _document(fields, anchor)
                documents = (*passenger.documents, document) if document.number else passenger.documents
                passengers[index] = _replace(passenger, birth_date=born, gender=fields[5].strip(),
                                             nationality=fields[3].strip() or None, documents=documents)
                break
    return passengers


def _with_check_in(passengers: list[Passenger], group: Node) -> list[Passenger]:
    """Seats, bags and check-in status from Gr5's check-in groups (Gr6/Gr7), matched by the
    traveller reference, else by name; and seats from SSR SEAT by reference."""
    by_ref = {p.reference: i for i, p in enumerate(passengers) if p.reference}
    seats: dict[int, list[str]] = {}
    bags: dict[int, int] = {}
    checked: set[int] = set()
    for segment in group.children("Gr5"):
        for ssr in segment.segments:
            if ssr.tag != "SSR" or ssr.raw[4:8] != "SEAT" or ssr.value(1, 1) != "SEAT":  # tag, then prefix: no split
                continue
            index, seat = by_ref.get(ssr.value(2, 3)), ssr.value(2, 1)
            if index is not None and seat:
                seats.setdefault(index, []).append(seat)
        if not segment.groups:
            continue
        for check_in in segment.children("Gr6"):
            for tri_group in check_in.children("Gr7"):
                tri, tif = tri_group.segments[0], tri_group.first("TIF")
                reference = tri.value(2, 4)
                index = by_ref.get(reference) if reference else None
                if index is None and tif is not None:
                    index = by_ref.get(tif.value(2, 3))
                    if index is None:
                        surname = tif.value(1, 1)
                        index = next((i for i, p in enumerate(passengers) if p.surname == surname), None)
                if index is None:
                    continue
                checked.add(index)
                ssd, tbd = tri_group.first("SSD"), tri_group.first("TBD")
                seat = ssd.value(1, 1) if ssd is not None else ""
                if seat:
                    seats.setdefault(index, []).append(seat)
                pieces = tbd.value(2, 1) if tbd is not None else ""
                if pieces.isascii() and pieces.isdigit():
                    bags[index] = bags.get(index, 0) + int(pieces)
    return [_replace(p, seats=tuple(dict.fromkeys(seats.get(i, ()))), bags=bags.get(i), checked_in=i in checked)
            if i in seats or i in bags or i in checked else p for i, p in enumerate(passengers)]


def _itinerary(group: Node, legs: dict[tuple[str, ...], ItinerarySegment]) -> tuple[ItinerarySegment, ...]:
    """The PNR's flights. ``legs`` is the push's memo: the pushed flight's TVL/RPI/APD come in nearly
    every PNR with the same text, and an ItinerarySegment is immutable, so it is read once per push."""
    segments: list[ItinerarySegment] = []
    for leg in group.children("Gr5"):
        tvl = leg.segments[0]
        if segments and not tvl.value(2) and not tvl.value(1, 1) and tvl.value(5, 1):
            # a codeshare's operating flight follows its marketing TVL with only the flight number
            segments[-1] = _replace(segments[-1], operating_number=tvl.value(5, 1))
            continue
        key = tuple(s.raw for s in leg.segments if s.tag in _LEG_TAGS)
        found = legs.get(key)
        if found is None:
            found = legs[key] = _leg(tvl, leg.first("TRA"), leg.first("RPI"), leg.first("APD"))
        segments.append(found)
    return tuple(segments)


_LEG_TAGS = ("TVL", "TRA", "RPI", "APD")


def _leg(tvl: Segment, tra: Segment | None, rpi: Segment | None, apd: Segment | None) -> ItinerarySegment:
    party = rpi.value(1) if rpi is not None else ""
    return ItinerarySegment(
        carrier=tvl.value(4, 1) or None, number=tvl.value(5, 1) or None,
        departure_airport=tvl.value(2) or None, arrival_airport=tvl.value(3) or None,
        departure_local=_time(tvl.value(1, 1), tvl.value(1, 2)), arrival_local=_time(tvl.value(1, 3), tvl.value(1, 4)),
        booking_class=tvl.value(5, 2) or None, status=(rpi.value(2) or None) if rpi is not None else None,
        party=int(party) if party.isascii() and party.isdigit() else None,
        operating_carrier=(tra.value(1) if tra is not None else tvl.value(4, 2)) or None,
        operating_number=(tra.value(2, 1) or None) if tra is not None else None,
        equipment=(apd.value(1) or None) if apd is not None else None)


def _address(add: Segment) -> str:
    parts = [v.strip() for v in add.elements[1][1:7]] if len(add.elements) > 1 else []
    return ", ".join(v for v in parts if v)


def _payment(element: list[str]) -> Payment:
    card = element[4] if len(element) > 4 else ""
    digits = "".join(c for c in card if c.isdigit())
    return Payment(type=element[0], amount=(element[2] or None) if len(element) > 2 else None,
                   vendor=(element[3] or None) if len(element) > 3 else None, card_last4=digits[-4:] or None)
