"""Message builders: realistic PAXLST interchanges of any size, for fixtures, demos and benchmarks.

The output follows the WCO/IATA/ICAO PAXLST guideline layout as carriers send it (UNA, UNB, UNG,
UNH with a common access reference and S010, BGM, header NAD/COM, TDT with LOC/DTM legs, then per
traveller NAD, ATT, DTM, LOC, NAT, RFF, DOC/DTM/LOC, then CNT and the trailers). Names come from
many cultures and include characters that need the release character (O'BRIEN, hyphens, spaces).
Everything is synthetic: no real person's data.

A list is first built as a :class:`Draft` (segments kept as data) and only then written, so a
:class:`Defect` from :data:`DEFECTS` can be seeded into it the way a carrier's software would get
it wrong: :func:`paxlst_with_defects` returns the bytes together with labels saying which finding
each defect must produce and at which segment, so tests and benchmarks know the right answer
without re-deriving it from the validator they are checking.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from validators.edifact.delimiters import LEVEL_A_DEFAULT, Delimiters
from validators.edifact.writer import Element, segment
from validators.findings import shown_tag
from validators.reference.airports import AIRPORT_ZONES

_SURNAMES = ("SMITH", "O'BRIEN", "GARCIA LOPEZ", "MUELLER", "IVANOV", "NGUYEN", "KHAN", "ROSSI", "TANAKA",
             "SILVA", "DUBOIS", "KOWALSKI", "AL-RASHID", "PETERSEN", "ABDULLAH", "WANG", "OKAFOR", "VAN DER BERG",
             "PAPADOPOULOS", "BEN DAVID", "HAKIMI", "DE SOUZA", "MCALLISTER", "NAKAMURA-SMITH")
_GIVEN = ("JOHN", "MARY", "AHMED", "LI", "OLGA", "JOSE", "FATIMA", "PETER", "ANNA", "YUKI", "CARLOS",
          "EMMA", "IVAN", "SARA", "OMAR", "CHEN", "CHIAMAKA", "SIOBHAN", "DMITRI", "AISHA", "MARIE CLAIRE")
_COUNTRIES = ("USA", "GBR", "DEU", "IND", "CHN", "BRA", "NGA", "FRA", "JPN", "EGY", "RUS", "CAN")
_AIRPORTS = ("LHR", "JFK", "CDG", "FRA", "DXB", "SIN", "NRT", "GRU", "LOS", "CAI", "YYZ", "ATL")
FLIGHT_TIME = timedelta(hours=6, minutes=20)  # every generated leg takes this long, whatever the time zones


def _arrival_local(departure_airport: str, arrival_airport: str, departure_local: str) -> str:
    """The arrival's local time (YYMMDDHHMM) for a departure at ``departure_local``: flight times are
    local airport times, so a list whose legs cross zones must still arrive after it departs in UTC."""
    leaving = datetime.strptime(departure_local, "%y%m%d%H%M").replace(tzinfo=ZoneInfo(AIRPORT_ZONES[departure_airport]))
    return (leaving + FLIGHT_TIME).astimezone(ZoneInfo(AIRPORT_ZONES[arrival_airport])).strftime("%y%m%d%H%M")


@dataclass(frozen=True, slots=True)
class PaxlstSpec:
    passengers: int = 3
    seed: int = 1
    syntax: str = "UNOA"
    version: str = "4"
    una: bool = True
    groups: bool = True
    newlines: bool = False
    acknowledgement_request: str = ""
    carrier: str = "ZZ"
    flight: str = "ZZ0101"
    reference: str = "ZZ0000000001"
    sequence: int = 1  # UNH S010 0070: which part of a multi-part list
    first_last: str = "F"  # UNH S010 0073: C first (or intermediate), F final


# --- drafts: a list as data, before it is written ---------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Seg:
    """One segment of a draft. Kept as tag and elements (written through the escaping writer) so a
    defect can change a value; ``raw`` holds exact text for faults the writer refuses to make."""

    tag: str
    elements: list[Element]
    traveller: int | None = None  # 0-based index of the traveller whose group holds it
    raw: str | None = None  # the exact text, terminator(s) included, written instead of tag/elements
    pieces: int = 1  # how many segments a reader sees in ``raw`` (an unreleased terminator splits it)

    def text(self, delimiters: Delimiters) -> str:
        return self.raw if self.raw is not None else segment(self.tag, self.elements, delimiters)


@dataclass(slots=True, eq=False)
class Draft:
    """A PAXLST interchange as an editable list of segments.

    Trailer counts (UNT, UNE, UNZ) are filled in when the draft is written, so a defect that adds
    or removes a segment does not also break a count by accident; ``miscount`` breaks one on purpose.
    """

    spec: PaxlstSpec
    delimiters: Delimiters
    segments: list[Seg]
    miscount: dict[str, int] = field(default_factory=dict)  # trailer tag → added to its true count

    def index(self, seg: Seg) -> int:
        return next(i for i, s in enumerate(self.segments) if s is seg)

    def find(self, tag: str, traveller: int | None = None, qualifier: str | None = None) -> Seg:
        """The first segment with this tag (in a traveller's group, with this first value)."""
        for s in self.segments:
            if s.tag != tag or (traveller is not None and s.traveller != traveller):
                continue
            if qualifier is None or _first_value(s) == qualifier:
                return s
        raise LookupError(f"no {tag} segment (traveller {traveller}, qualifier {qualifier}) in the draft")

    def insert(self, at: int, *new: Seg) -> None:
        self.segments[at:at] = new

    def remove(self, seg: Seg) -> None:
        del self.segments[self.index(seg)]

    def position(self, seg: Seg, piece: int = 0) -> int | None:
        """Where a reader will count ``seg`` in its message (UNH = 1, as CONTRL counts); None outside
        a message (UNB, UNG, UNE, UNZ carry no position)."""
        position: int | None = None
        for s in self.segments:
            if s.tag == "UNH":
                position = 0
            if position is not None:
                position += 1
                if s is seg:
                    return position + piece
                position += s.pieces - 1
            elif s is seg:
                return None
            if s.tag == "UNT":
                position = None
        raise LookupError(f"segment {seg.tag} is not in the draft")

    def write(self) -> bytes:
        """The interchange's bytes, with the trailer counts each trailer's opening segment implies.

        A segment counts once however many pieces a reader splits it into: that is how the carrier's
        software, which wrote it as one, counted it."""
        counts: dict[str, int] = {"UNT": 0, "UNE": 0, "UNZ": 0}
        for s in self.segments:
            if s.tag == "UNH":
                counts["UNT"] = 0
                counts["UNE"] += 1
                counts["UNZ"] += 0 if self.spec.groups else 1
            elif s.tag == "UNG":
                counts["UNE"] = 0
                counts["UNZ"] += 1
            counts["UNT"] += 1
            if s.tag in counts and s.raw is None:
                s.elements[0] = str(counts[s.tag] + self.miscount.get(s.tag, 0))
        newline = "\r\n" if self.spec.newlines else ""
        una = self.delimiters.una() + newline if self.spec.una else ""
        return (una + newline.join(s.text(self.delimiters) for s in self.segments) + newline).encode("latin-1")


def _first_value(seg: Seg) -> str:
    first = seg.elements[0] if seg.elements else ""
    return first if isinstance(first, str) else (first[0] if first else "")


def draft(spec: PaxlstSpec = PaxlstSpec(), delimiters: Delimiters = LEVEL_A_DEFAULT) -> Draft:
    """The valid list :func:`paxlst` writes, as a draft to change before writing."""
    rnd = random.Random(spec.seed)
    out: list[Seg] = []
    traveller: int | None = None

    def put(tag: str, *elements: Element) -> None:
        out.append(Seg(tag, list(elements), traveller))

    dep, arr = rnd.sample(_AIRPORTS, 2)
    unb: list[Element] = [[spec.syntax, spec.version], [spec.carrier, "ZZ"], ["PAXGATE", "ZZ"],
                          ["261123", "0700"], spec.reference]
    if spec.acknowledgement_request:
        unb += ["", "APIS", "", spec.acknowledgement_request]
    put("UNB", *unb)
    if spec.groups:
        put("UNG", "PAXLST", [spec.carrier, "ZZ"], ["PAXGATE", "ZZ"], ["261123", "0700"], "1", "UN", ["D", "05B"])
    put("UNH", "M1", ["PAXLST", "D", "05B", "UN", "IATA"], f"{spec.flight}/261124/1030",
        [f"{spec.sequence:02d}", spec.first_last])
    put("BGM", "745")
    put("NAD", "MS", "", "", "OPERATIONS CONTROL")
    put("COM", ["+44 20 7946 0000", "TE"])
    put("TDT", "20", spec.flight, "", "", spec.carrier)
    put("LOC", "125", dep)
    put("DTM", ["189", "2611240710", "201"])
    put("LOC", "87", arr)
    put("DTM", ["232", _arrival_local(dep, arr, "2611240710"), "201"])
    for n in range(spec.passengers):
        traveller = n
        nationality = rnd.choice(_COUNTRIES)
        put("NAD", "FL", "", "", [rnd.choice(_SURNAMES), rnd.choice(_GIVEN), rnd.choice(("", "", "A", "MARIA"))])
        put("ATT", "2", "", rnd.choice("MF"))
        put("DTM", ["329", f"{rnd.randint(40, 99):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"])
        put("LOC", "178", dep)
        put("LOC", "179", arr)
        put("NAT", "2", nationality)
        put("RFF", ["AVF", f"{rnd.randrange(36 ** 6):06X}"])
        put("RFF", ["ABO", f"P{n + 1:04d}"])
        put("DOC", ["P", "110", "111"], f"{rnd.choice('ABCKLX')}{rnd.randrange(10 ** 8):08d}")
        put("DTM", ["36", f"{rnd.randint(27, 35)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"])
        put("LOC", "91", nationality)
    traveller = None
    put("CNT", ["42", str(spec.passengers)])
    put("UNT", "", "M1")  # counts are filled in by Draft.write
    if spec.groups:
        put("UNE", "", "1")
    put("UNZ", "", spec.reference)
    return Draft(spec, delimiters, out)


def paxlst(spec: PaxlstSpec = PaxlstSpec(), delimiters: Delimiters = LEVEL_A_DEFAULT) -> bytes:
    """A complete, valid PAXLST interchange (passenger list, one leg) as bytes."""
    return draft(spec, delimiters).write()


# --- defects: what carriers get wrong, seeded with the finding it must produce ----------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """A finding a seeded defect must produce: its code and the segment (piece) it points at."""

    code: str
    seg: Seg
    piece: int = 0  # which of the segments a reader sees in ``seg`` (an unreleased terminator splits one)
    tag: str | None = None  # the tag the finding shows, when it is not ``seg.tag``
    element: int | None = None  # as findings count them: the first data element after the tag is 1
    component: int | None = None


# A seeder edits a draft and says which findings the edit must produce. It gets a random source
# derived from the caller's seed and the traveller chosen for it (None for defects of the envelope
# or the message as a whole).
Seeder = Callable[[Draft, random.Random, int | None], list[Mark]]


@dataclass(frozen=True, slots=True)
class Defect:
    """One way to get a PAXLST wrong, and the finding codes it must produce (all of them, in file order).

    ``claims`` names what the defect edits (a trailer, the CNT, the flight groups …); two defects
    claiming the same thing would mask each other, so they are never seeded together. Traveller
    defects claim their traveller instead: each gets a different one.
    """

    name: str
    description: str
    codes: tuple[str, ...]
    seed: Seeder
    traveller: bool = False
    claims: str = ""
    first_traveller: bool = False  # only the first traveller shows it (see the defect's description)


@dataclass(frozen=True, slots=True)
class ExpectedFinding:
    """Where a finding must point: its code, the tag it shows and its 1-based position in the
    message (None for UNB, UNG, UNE, UNZ, which stand outside messages), element and component."""

    code: str
    segment_tag: str | None
    segment_position: int | None
    element: int | None = None
    component: int | None = None


@dataclass(frozen=True, slots=True)
class SeededDefect:
    """The label of one defect seeded into a list: what it is, what it must produce, where it was put."""

    name: str
    codes: tuple[str, ...]
    segment_tag: str  # the segment the defect was put in (for a garbled segment: the one that was edited)
    segment_position: int | None
    traveller: int | None  # 0-based, for traveller defects
    findings: tuple[ExpectedFinding, ...]


def _nad_text(draft: Draft, nad: Seg) -> str:
    return segment(nad.tag, nad.elements, draft.delimiters)


def _unt_count(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    draft.miscount["UNT"] = rnd.choice((-2, -1, 1, 2))
    return [Mark("EDI-UNT-COUNT", draft.find("UNT"), element=1)]


def _unz_reference(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    unz = draft.find("UNZ")
    reference = draft.spec.reference
    last = rnd.choice([d for d in "0123456789" if d != reference[-1:]])
    unz.elements[1] = reference[:-1] + last
    return [Mark("EDI-UNZ-REFERENCE", unz, element=2)]


def _une_count(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    if not draft.spec.groups:
        raise ValueError("defect une-count needs a functional group (PaxlstSpec.groups)")
    draft.miscount["UNE"] = rnd.choice((1, 2))
    return [Mark("EDI-UNE-COUNT", draft.find("UNE"), element=1)]


def _lower_case(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    if draft.spec.syntax != "UNOA":
        raise ValueError("defect lower-case-unoa needs syntax UNOA")
    nad = draft.find("NAD", traveller)
    name = list(nad.elements[3])
    name[0] = name[0][0] + name[0][1:].lower()  # "Smith": a booking system's display form
    nad.elements[3] = name
    return [Mark("EDI-CHAR-INVALID", nad, element=4, component=1)]


_APOSTROPHE_SURNAMES = ("O'BRIEN", "D'SOUZA", "N'DIAYE", "O'NEILL")


def _unreleased_apostrophe(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    d = draft.delimiters
    if d.segment != "'":
        raise ValueError("defect unreleased-apostrophe needs the apostrophe as segment terminator")
    nad = draft.find("NAD", traveller)
    name = list(nad.elements[3])
    name[0] = rnd.choice(_APOSTROPHE_SURNAMES)
    nad.elements[3] = name
    written = _nad_text(draft, nad)
    released = d.release + "'" if d.release else "'"
    nad.raw = written.replace(released, "'", 1)  # the surname's apostrophe written without its release
    nad.pieces = 2
    rest = nad.raw.split("'")[1]  # what the reader takes for the next segment, tag and all
    garbled = shown_tag(rest.split(d.element)[0])
    return [Mark("EDI-SEG-TAG", nad, piece=1, tag=garbled), Mark("MSG-SEGMENT-UNKNOWN", nad, piece=1, tag=garbled),
            Mark("EDI-UNT-COUNT", draft.find("UNT"), element=1)]


def _trailing_separator(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    nad = draft.find("NAD", traveller)
    written = _nad_text(draft, nad)
    d = draft.delimiters
    nad.raw = written[:-len(d.segment)] + d.component + d.segment  # an empty name component written anyway
    sent = len(nad.elements[3]) - next(i for i, c in enumerate(reversed(nad.elements[3])) if c)  # the writer drops empty ones
    return [Mark("EDI-SEG-TRAILING-SEPARATOR", nad, element=4, component=sent + 1)]


def _missing_bgm(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    draft.remove(draft.find("BGM"))
    return [Mark("MSG-SEGMENT-MISSING", draft.find("UNH"))]


def _doc_before_nad(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    assert traveller is not None
    nad = draft.find("NAD", traveller)
    document = [s for s in draft.segments if s.traveller == traveller and s.tag in ("DOC", "DTM", "LOC")]
    document = document[next(i for i, s in enumerate(document) if s.tag == "DOC"):]
    for s in document:
        draft.remove(s)
    draft.insert(draft.index(nad), *document)
    # the DOC fits nowhere; its DTM and LOC are read into the last flight leg (SG3), where a
    # document's expiry (DTM+36) and issuing state (LOC+91) do not belong
    marks = [Mark("MSG-SEGMENT-UNEXPECTED", document[0])]
    marks += [Mark("PAXLST-QUALIFIER-GROUP", s, element=1, component=1 if s.tag == "DTM" else None) for s in document[1:]]
    return marks


_UNKNOWN = (("SSR", ["DOCS", "HK", "1"]), ("TIF", ["ADT"]), ("PTK", ["NR"]))


def _unknown_segment(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    tag, value = rnd.choice(_UNKNOWN)  # PNRGOV segments in a PAXLST: a mapper fed the wrong template
    nat = draft.find("NAT", traveller)
    unknown = Seg(tag, [value], traveller)
    draft.insert(draft.index(nat) + 1, unknown)
    return [Mark("MSG-SEGMENT-UNKNOWN", unknown)]


def _eleven_flights(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    segments = draft.segments
    start = draft.index(draft.find("TDT"))
    end = next(i for i in range(start + 1, len(segments)) if segments[i].traveller is not None or segments[i].tag == "CNT")
    flight = segments[start:end]  # TDT and its legs, sent ten more times (one per leg of a multi-stop trip)
    copies = [Seg(s.tag, list(s.elements)) for _ in range(10) for s in flight]
    draft.insert(end, *copies)
    return [Mark("MSG-GROUP-REPEAT", copies[9 * len(flight)])]


def _gender_code(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    att = draft.find("ATT", traveller)
    att.elements[2] = rnd.choice(("MALE", "FEMALE", "W", "1"))
    return [Mark("MSG-ELEMENT-CODE", att, element=3, component=1)]


def _cnt_separator(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    cnt = draft.find("CNT")
    cnt.elements = list(cnt.elements[0])  # CNT+42+3: the total in a data element of its own
    return [Mark("MSG-ELEMENT-TOO-MANY", cnt, element=2), Mark("MSG-ELEMENT-MISSING", cnt, element=1, component=2)]


def _nationality_code(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    nat = draft.find("NAT", traveller)
    nat.elements[1] = rnd.choice(("GER", "UK", "SUI", "NED"))  # sports and vehicle codes, not ISO 3166 alpha-3
    return [Mark("PAXLST-COUNTRY-CODE", nat, element=2)]


def _birth_date(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    dtm = draft.find("DTM", traveller, "329")
    dtm.elements[0] = ["329", rnd.choice(("700230", "831301", "910431", "650000"))]
    return [Mark("PAXLST-DATE", dtm, element=1, component=2)]


def _doc_expired(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    dtm = draft.find("DTM", traveller, "36")  # the flight departs 24 Nov 2026
    dtm.elements[0] = ["36", f"{rnd.randint(20, 25)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"]
    return [Mark("PAXLST-DOC-EXPIRED", dtm, element=1, component=2)]


def _birth_future(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    dtm = draft.find("DTM", traveller, "329")  # CCYYMMDD: a two-digit year would be read as last century
    dtm.elements[0] = ["329", f"2027{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}", "102"]
    return [Mark("PAXLST-BIRTH-FUTURE", dtm, element=1, component=2)]


def _cnt_total(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    cnt = draft.find("CNT")
    cnt.elements[0] = ["42", str(draft.spec.passengers + rnd.randint(1, 3))]
    return [Mark("PAXLST-CNT-TOTAL", cnt, element=1, component=2)]


def _doc_number(draft: Draft, rnd: random.Random, traveller: int | None) -> list[Mark]:
    doc = draft.find("DOC", traveller)
    doc.elements[1] = f"{doc.elements[1]}{rnd.randrange(10 ** 3):03d}"  # 12 characters: a passport holds 9
    return [Mark("PAXLST-DOC-NUMBER", doc, element=2)]


DEFECTS: dict[str, Defect] = {d.name: d for d in (
    # --- envelope (ISO 9735) -----------------------------------------------------------------------------------
    Defect("unt-count", "UNT states a segment count other than the message's", ("EDI-UNT-COUNT",), _unt_count,
           claims="UNT"),
    Defect("unz-reference", "UNZ repeats a control reference other than UNB's", ("EDI-UNZ-REFERENCE",), _unz_reference,
           claims="UNZ"),
    Defect("une-count", "UNE states a message count other than the group's", ("EDI-UNE-COUNT",), _une_count,
           claims="UNE"),
    # --- characters and segment syntax -------------------------------------------------------------------------
    Defect("lower-case-unoa", "a surname in mixed case although UNOA allows upper case only", ("EDI-CHAR-INVALID",),
           _lower_case, traveller=True),
    Defect("unreleased-apostrophe", "an apostrophe in a surname without the release character: the segment ends there "
           "and the rest of the name is read as a segment with a garbled tag (an invalid tag, and a segment PAXLST "
           "does not know), one segment more than UNT counts",
           ("EDI-SEG-TAG", "MSG-SEGMENT-UNKNOWN", "EDI-UNT-COUNT"), _unreleased_apostrophe, traveller=True, claims="UNT"),
    Defect("trailing-separator", "a traveller name ending with an empty component (SMITH:JOHN:)",
           ("EDI-SEG-TRAILING-SEPARATOR",), _trailing_separator, traveller=True),
    # --- message structure -------------------------------------------------------------------------------------
    Defect("missing-bgm", "the mandatory BGM is left out (reported on UNH, the segment before the gap)",
           ("MSG-SEGMENT-MISSING",), _missing_bgm, claims="BGM"),
    Defect("doc-before-nad", "the first traveller's document group (DOC, DTM, LOC) is sent before the traveller's NAD; "
           "on a later traveller it would read as the previous traveller's second document, which is valid",
           ("MSG-SEGMENT-UNEXPECTED", "PAXLST-QUALIFIER-GROUP", "PAXLST-QUALIFIER-GROUP"), _doc_before_nad, traveller=True,
           first_traveller=True),
    Defect("unknown-segment", "a PNRGOV segment (SSR, TIF or PTK) inside a traveller group", ("MSG-SEGMENT-UNKNOWN",),
           _unknown_segment, traveller=True),
    Defect("eleven-flights", "eleven flight groups (TDT with its legs) where at most ten may stand",
           ("MSG-GROUP-REPEAT",), _eleven_flights, claims="SG2"),
    Defect("gender-code", "a gender that is not in the code list (MALE, FEMALE, W, 1)", ("MSG-ELEMENT-CODE",),
           _gender_code, traveller=True),
    Defect("cnt-separator", "CNT written CNT+42+3: the total in a second data element instead of a component",
           ("MSG-ELEMENT-TOO-MANY", "MSG-ELEMENT-MISSING"), _cnt_separator, claims="CNT"),
    # --- content (code lists, dates) and business rules --------------------------------------------------------
    Defect("nationality-code", "a nationality that is no ISO 3166 / ICAO code (GER, UK, SUI, NED)",
           ("PAXLST-COUNTRY-CODE",), _nationality_code, traveller=True),
    Defect("birth-date-invalid", "a date of birth that is no calendar date (30 February, month 13 …)",
           ("PAXLST-DATE",), _birth_date, traveller=True),
    Defect("doc-expired", "a passport that expired before the flight", ("PAXLST-DOC-EXPIRED",), _doc_expired,
           traveller=True),
    Defect("birth-future", "a date of birth (CCYYMMDD) after the flight", ("PAXLST-BIRTH-FUTURE",), _birth_future,
           traveller=True),
    Defect("cnt-total", "CNT states more passengers than the list holds", ("PAXLST-CNT-TOTAL",), _cnt_total, claims="CNT"),
    Defect("doc-number-long", "a passport number of 12 characters (the MRZ holds 9)", ("PAXLST-DOC-NUMBER",), _doc_number,
           traveller=True),
)}


def paxlst_with_defects(spec: PaxlstSpec, defects: Sequence[str], seed: int = 0,
                        delimiters: Delimiters = LEVEL_A_DEFAULT) -> tuple[bytes, list[SeededDefect]]:
    """The list :func:`paxlst` would write for ``spec``, with each named defect seeded into it.

    Which travellers are hit and the wrong values used follow from ``seed`` alone; defects are
    applied in catalogue order, whatever order they are named in, so the same set and seed always
    give the same bytes. The labels come back in catalogue order with every finding each defect
    must produce, placed as the validator must place it.
    """
    chosen = choose(DEFECTS, defects, "list")
    travelling = [d for d in chosen if d.traveller]
    if len(travelling) > spec.passengers:
        raise ValueError(f"{len(travelling)} traveller defects need as many travellers; the list has {spec.passengers}")
    rnd = random.Random(seed)
    free = list(range(1 if any(d.first_traveller for d in travelling) else 0, spec.passengers))
    picked = iter(rnd.sample(free, sum(1 for d in travelling if not d.first_traveller)))
    seat = {d.name: 0 if d.first_traveller else next(picked) for d in travelling}

    built = draft(spec, delimiters)
    marks = seed_into(built, chosen, seat, seed)
    data = built.write()
    labels = []
    for d, traveller, found in marks:
        put = found[0].seg
        labels.append(SeededDefect(d.name, d.codes, put.tag, built.position(put), traveller, expected_findings(built, found)))
    return data, labels


class Seedable(Protocol):
    """A defect of any message family's catalogue (PAXLST here, PNRGOV in conformance.pnrgov)."""

    name: str
    codes: tuple[str, ...]
    claims: str

    def seed(self, draft: Draft, rnd: random.Random, where: int | None, /) -> list[Mark]: ...


S = TypeVar("S", bound=Seedable)


def choose(catalogue: dict[str, S], names: Sequence[str], what: str) -> list[S]:
    """The named defects in catalogue order, refusing unknown names, repeats and two defects that
    change the same thing (one would mask the other)."""
    unknown = [name for name in names if name not in catalogue]
    if unknown:
        raise ValueError(f"unknown defect(s) {', '.join(unknown)}; known: {', '.join(catalogue)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a defect can be seeded once per {what}")
    chosen = [d for d in catalogue.values() if d.name in names]
    claimed: dict[str, str] = {}
    for d in chosen:
        if d.claims and d.claims in claimed:
            raise ValueError(f"defects {claimed[d.claims]} and {d.name} both change {d.claims}: one would mask the other")
        if d.claims:
            claimed[d.claims] = d.name
    return chosen


def seed_into(built: Draft, chosen: Sequence[Seedable], seat: dict[str, int], seed: int,
              ) -> list[tuple[Seedable, int | None, list[Mark]]]:
    """Seed each chosen defect into ``built`` (at the traveller or PNR ``seat`` gives it), each with a
    random source derived from ``seed`` and its name alone, and check it marked what its catalogue
    entry promises."""
    marks: list[tuple[Seedable, int | None, list[Mark]]] = []
    for d in chosen:
        where = seat.get(d.name)
        found = d.seed(built, random.Random(f"{seed}/{d.name}"), where)
        if tuple(m.code for m in found) != d.codes:
            raise AssertionError(f"defect {d.name} marked {[m.code for m in found]}, its catalogue entry says {d.codes}")
        marks.append((d, where, found))
    return marks


def expected_findings(built: Draft, found: list[Mark]) -> tuple[ExpectedFinding, ...]:
    """Where the findings of one seeded defect must point, in the written message."""
    return tuple(ExpectedFinding(m.code, m.tag or m.seg.tag, built.position(m.seg, m.piece), m.element, m.component)
                 for m in found)


# --- variants: the other documents a carrier sends, for the conformance catalogue ------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """What makes a list other than the plain departure passenger list :func:`draft` writes.

    The conformance catalogue names these as data (``conformance/scenarios/*.toml``), so a scenario
    says "crew list, arrival into LHR" rather than carrying a file that drifts from the generator.
    """

    document: str = "745"  # BGM 1001: 745 passenger list, 250 crew list, 266 flight status / close-out
    subcode: str = ""  # BGM 1004: CP change, 250's C, 266's CLOB/XF …
    crew: bool = False  # NAD+FM travellers and CNT+41 instead of NAD+FL and CNT+42
    departure: str | None = None  # LOC+125 airport (IATA); None: the generator's random choice
    arrival: str | None = None  # LOC+87 airport
    application: str | None = None  # UNB 0026 application reference ("IAPI" marks an interactive request)
    travellers: bool = True  # False: no traveller groups (a flight close-out or cancellation)


def paxlst_variant(spec: PaxlstSpec, variant: Variant = Variant(), defects: Sequence[str] = (), seed: int = 0) -> bytes:
    """The list :func:`paxlst` writes for ``spec``, turned into ``variant``, or carrying the seeded
    ``defects`` of :func:`paxlst_with_defects` (a defect scenario is a plain passenger list: the
    seeders find the segments they edit where :func:`draft` puts them)."""
    if defects:
        if variant != Variant():
            raise ValueError("seeded defects apply to the plain passenger list only, not to a variant")
        return paxlst_with_defects(spec, defects, seed)[0]
    built = draft(spec)
    _apply_variant(built, variant)
    return built.write()


def _apply_variant(built: Draft, variant: Variant) -> None:
    bgm = built.find("BGM")
    bgm.elements = [variant.document, variant.subcode] if variant.subcode else [variant.document]
    if variant.application is not None:
        unb = built.find("UNB")
        while len(unb.elements) < 7:
            unb.elements.append("")
        unb.elements[6] = variant.application
    if variant.departure or variant.arrival:
        dep_loc, arr_loc = built.find("LOC", qualifier="125"), built.find("LOC", qualifier="87")
        dep = variant.departure or str(dep_loc.elements[1])
        arr = variant.arrival or str(arr_loc.elements[1])
        if dep == arr:
            raise ValueError(f"departure and arrival are both {dep}")
        dep_loc.elements[1], arr_loc.elements[1] = dep, arr
        built.find("DTM", qualifier="232").elements[0] = ["232", _arrival_local(dep, arr, "2611240710"), "201"]
        for s in built.segments:  # each traveller embarks and disembarks where the flight does
            if s.traveller is not None and s.tag == "LOC" and _first_value(s) in ("178", "179"):
                s.elements[1] = dep if _first_value(s) == "178" else arr
    if variant.crew:
        for s in built.segments:
            if s.traveller is not None and s.tag == "NAD" and _first_value(s) == "FL":
                s.elements[0] = "FM"
        cnt = built.find("CNT")
        cnt.elements[0] = ["41", *list(cnt.elements[0])[1:]]
    if not variant.travellers:
        for s in [s for s in built.segments if s.traveller is not None]:
            built.remove(s)
        cnt = built.find("CNT")
        cnt.elements[0] = [_first_value(cnt), "0"]
