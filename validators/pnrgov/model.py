"""The typed PnrPush: what a PNRGOV push says, whichever syntax carried it (EDIFACT or XML).

One model for both formats, so forwarding, screening and compliance never ask which one came.
Fields keep the carrier's values; dates are also given as ISO 8601 where they are valid. Flight
times in PNRGOV are local airport times (``*_local``), transaction times are UTC unless agreed.

This is personal data: it is built for forwarding and screening, never for logs. Card numbers are
never kept (only the card's vendor code and the last four digits); sensitive SSR/OSI content is
masked before the model is built (validators.pnrgov.sensitive).
"""

from __future__ import annotations

import msgspec


class PushFlight(msgspec.Struct, frozen=True, omit_defaults=True):
    """The flight the push is about (level-0 TVL, or XML FlightLeg)."""

    carrier: str
    number: str
    departure_airport: str | None = None
    arrival_airport: str | None = None
    departure_local: str | None = None  # ISO 8601 local time (date alone when no time was sent)
    arrival_local: str | None = None

    @property
    def flight(self) -> str:
        return f"{self.carrier}{self.number}"


class TravelDocument(msgspec.Struct, frozen=True, omit_defaults=True):
    """A document from SSR DOCS (or XML DOC_SSR): the strong key for screening."""

    type: str | None = None  # P passport, I identity card, …
    number: str | None = None
    issuing_state: str | None = None
    nationality: str | None = None
    expiry: str | None = None  # ISO date


class Passenger(msgspec.Struct, frozen=True, omit_defaults=True):
    """One traveller of a PNR (TIF, with what SSR/TRI/SSD/TBD say of them)."""

    surname: str
    given_names: tuple[str, ...] = ()
    reference: str | None = None  # TIF traveller reference, unique within the PNR
    type: str | None = None  # passenger type code: A adult, C child, IN infant, G group …
    infant: bool = False  # a lap infant (passenger type IN), listed with its own TIF
    birth_date: str | None = None  # ISO date, from SSR DOCS
    gender: str | None = None  # from SSR DOCS: M, F, MI, FI, U, X
    nationality: str | None = None  # from SSR DOCS
    documents: tuple[TravelDocument, ...] = ()
    frequent_flyer: str | None = None  # FTI airline:number
    tickets: tuple[str, ...] = ()  # TKT numbers
    seats: tuple[str, ...] = ()  # SSD seat numbers (or SSR SEAT)
    bags: int | None = None  # TBD pieces checked in
    checked_in: bool = False  # a check-in transaction (Gr6 DAT 2 / TRI) names this traveller


class ItinerarySegment(msgspec.Struct, frozen=True, omit_defaults=True):
    """One flight of the PNR's itinerary (Gr5 TVL and its details)."""

    carrier: str | None = None
    number: str | None = None
    departure_airport: str | None = None
    arrival_airport: str | None = None
    departure_local: str | None = None
    arrival_local: str | None = None
    booking_class: str | None = None
    status: str | None = None  # RPI status: HK, YG …
    party: int | None = None  # RPI number in party
    operating_carrier: str | None = None  # codeshare: the operating TVL or TRA
    operating_number: str | None = None
    equipment: str | None = None  # APD


class Contact(msgspec.Struct, frozen=True, omit_defaults=True):
    kind: str  # address, phone, email, emergency
    value: str


class Payment(msgspec.Struct, frozen=True, omit_defaults=True):
    """A form of payment, summarised: never the full card number."""

    type: str  # FOP 9888: CC card, CA cash, CK cheque, MS miscellaneous, GR government request …
    amount: str | None = None
    vendor: str | None = None  # card vendor code (AX, VI, CA …)
    card_last4: str | None = None


class Pnr(msgspec.Struct, frozen=True, omit_defaults=True):
    """One PNR of the push (EDIFACT Gr1 from SRC, XML PNR element)."""

    locator: str  # RCI record locator ("" when the carrier sent none)
    carrier: str | None = None  # RCI company that owns the locator
    position: int | None = None  # segment position of SRC in its message (EDIFACT), for findings
    path: str | None = None  # XML path of the PNR element, for findings
    created: str | None = None  # ISO date/time the PNR was created (RCI)
    last_modified: str | None = None  # DAT 700, ISO
    ticket_issued: str | None = None  # DAT 710, ISO
    cancelled: bool = False  # update push: SRC + RCI + empty ORG only (STANDARDS.md §3.3)
    originator: str | None = None  # booking agent/GDS (ORG)
    split_from: tuple[str, ...] = ()  # Gr8 EQN + RCI: the locators of the other parts of a divided PNR
    passengers: tuple[Passenger, ...] = ()
    itinerary: tuple[ItinerarySegment, ...] = ()
    contacts: tuple[Contact, ...] = ()
    payments: tuple[Payment, ...] = ()
    masked: int = 0  # how many sensitive items were masked in this PNR (never what they said)


class PushPart(msgspec.Struct, frozen=True, omit_defaults=True):
    """Which part of a multi-message push this message is (UNH 0068 and S010)."""

    common_access_reference: str | None = None
    sequence: int | None = None
    first_last: str | None = None  # C first (or more to come), F final

    @property
    def final(self) -> bool:
        return self.first_last == "F"


class PnrPush(msgspec.Struct, frozen=True, omit_defaults=True):
    """One PNRGOV message (EDIFACT) or document (XML)."""

    message: int  # 1-based index of the message in its file (findings' location.message); 1 for XML
    format: str  # "pnrgov" or "pnrgov-xml"
    version: str  # e.g. "11.1", "13.1"
    kind: str  # "full" (MSG 1225 = 22), "update" (141), or "other"
    flight: PushFlight | None = None
    message_reference: str | None = None
    push_number: int | None = None  # from S010, or the 0068 suffix where the profile says so
    sender: str | None = None  # level-0 ORG airline (and system)
    declared_pnrs: int | None = None  # level-0 EQN: PNRs in the whole push, across its parts
    pnrs: tuple[Pnr, ...] = ()
    part: PushPart = PushPart()
