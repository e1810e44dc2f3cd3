"""The CUSRES writer: the answer to an interactive API (iAPI) request, one directive per traveller.

An iAPI request is a PAXLST (BGM 745) sent at check-in; the border answers with a CUSRES (BGM
962, "document response") that tells the carrier, traveller by traveller, whether to board
(STANDARDS.md §5.2, modelled on the China NIA exchange). The carrier matches the answer to its
request by what we echo, so echoing is the point of this writer: UNH 0068 and S010, the header
``RFF+TN`` and each traveller's ``RFF+AVF`` (record locator) and ``RFF+ABO`` (passenger id). The
envelope answers the sender in its own syntax, separators and UNA, as the CONTRL writer does.

Layout, one CUSRES message per PAXLST message of the interchange::

    UNH+<ours>+CUSRES:D:05B:UN:IATA+<0068>+<S010>   BGM+962   RFF+TN:<echo>
    SG3 per flight:    RFF+AF:<flight>  DTM+189  DTM+232  LOC+125  LOC+87
    SG4 header error:  ERP+1  ERC+<exception>  FTX+AAP+++<finding codes>    (only if rejected)
    SG4 per traveller: ERP+2  RFF+AVF  RFF+ABO  ERC+<directive>  FTX+AAP+++<text>
    UNT

The directive itself is not decided here (DESIGN.md §6.9): a national decision hook decides, and
``default_decision`` is paxgate's own fallback, which looks at data sufficiency only, never at a
watchlist. Directive codes differ by state, so they are data (``Directives``). Texts never carry
personal data: only finding codes and the names of missing items.

Sans-I/O: the clock and our references come in through ``ContrlContext``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from validators.edifact import charsets
from validators.edifact.contrl import ContrlContext, encode  # CONTRL's wire encoding: echoed bytes kept
from validators.edifact.envelope import Interchange, Message
from validators.edifact.writer import Element, reply_date, reply_header, segment
from validators.paxlst.manifest import Flight, Manifest, Traveller
from validators.report import Finding, Report, Scope, Severity

DirectiveKey = Literal["board", "no_board", "advisory", "insufficient"]

MESSAGE_IDENTIFIER = ("CUSRES", "D", "05B", "UN", "IATA")
DOCUMENT_RESPONSE = "962"  # BGM 1001: document response (Customs)
HEADER_SECTION, DETAIL_SECTION = "1", "2"  # ERP 1049
RESPONSE_TEXT = "AAP"  # FTX 4451: response (free text)
# LOC 3227 of a flight leg → the DTM 2005 qualifier of its time (departure 189, arrival 232)
_LEG_TIMES = {"125": "189", "87": "232"}
_MAX_SG3_REPEATS = 9  # DTM C9 and LOC C9 in SG3; RFF C9 in SG4 (UN D.05B)
_FTX_COMPONENT, _FTX_COMPONENTS = 512, 5  # C108: 4440 an..512, five times
_CODES_LISTED = 10  # finding codes named in one text before the rest are counted


@dataclass(frozen=True, slots=True)
class Directives:
    """ERC 9321 codes for each directive, as a state publishes them (China NIA's by default).

    Codes differ by programme (STANDARDS.md §5.2–5.3), so they are data a profile will set.
    ``exception`` is the header-level code (with ERP+1) sent when the request itself was rejected.
    """

    board: str = "0Z"
    no_board: str = "1Z"
    advisory: str = "2Z"
    insufficient: str = "4Z"
    exception: str = "1"

    def code(self, key: DirectiveKey) -> str:
        return str(getattr(self, key))


@dataclass(frozen=True, slots=True)
class Decision:
    """One traveller's answer: the ERC code as sent and an optional free text (FTX+AAP)."""

    code: str
    text: str | None = None


@dataclass(frozen=True, slots=True)
class MessageAnswer:
    """What answers one PAXLST message: its Manifest (None when it could not be read) and the
    decisions keyed by the traveller's NAD position; a traveller without a decision is left out."""

    message: Message
    manifest: Manifest | None
    decisions: Mapping[int, Decision] = field(default_factory=dict)


DEFAULT_DIRECTIVES = Directives()
Decide = Callable[[Traveller, Sequence[Finding]], tuple[DirectiveKey, str]]


# --- the default decision -------------------------------------------------------------------------
def default_decision(traveller: Traveller, findings: Sequence[Finding]) -> tuple[DirectiveKey, str]:
    """paxgate's own decision (DESIGN.md §6.9): data sufficiency only, never a watchlist.

    Insufficient when a traveller lacks a travel document, a date of birth, a nationality or a
    surname (the missing items are named), or when the request was rejected for its syntax (such
    data is not forwarded, DESIGN.md §6.2, so no authority has seen it). Otherwise "board"; a
    traveller's business findings (expiry, check digits …) never change that, they are only named
    by code so the carrier can correct them (those a profile accepts, severity info, are not).
    """
    missing = missing_items(traveller)
    rejected = any(_rejects(f) for f in findings)
    if missing or rejected:
        parts = ["INSUFFICIENT DATA"]
        if missing:
            parts.append("MISSING " + ", ".join(missing))
        if rejected:  # the codes are in the header's ERP+1 group, once for the message
            parts.append("MESSAGE REJECTED")
        return "insufficient", ", ".join(parts)
    business = _codes(f for f in findings if f.scope is Scope.BUSINESS and f.severity is not Severity.INFO)
    return "board", "OK TO BOARD" + (", FINDINGS " + business if business else "")


def missing_items(traveller: Traveller) -> list[str]:
    """The data an iAPI clearance cannot do without, named as the text tells the carrier."""
    missing = []
    if not any(d.number for d in traveller.documents):
        missing.append("TRAVEL DOCUMENT")
    if not traveller.birth_date:  # absent, or no valid date
        missing.append("DATE OF BIRTH")
    if not traveller.nationality:
        missing.append("NATIONALITY")
    if not traveller.surname:
        missing.append("SURNAME")
    return missing


def _rejects(finding: Finding) -> bool:
    return finding.severity is Severity.ERROR and finding.scope is not Scope.BUSINESS


def _codes(findings: Iterable[Finding]) -> str:
    """Unique finding codes in order, capped: codes only, never a finding's text (it may quote data)."""
    codes = list(dict.fromkeys(f.code for f in findings))
    shown = " ".join(codes[:_CODES_LISTED])
    return shown + (f" AND {len(codes) - _CODES_LISTED} MORE" if len(codes) > _CODES_LISTED else "")


# --- reading the request --------------------------------------------------------------------------
def paxlst_requests(report: Report, interchange: Interchange) -> list[tuple[Message, Manifest | None]]:
    """The PAXLST messages of ``interchange`` with their Manifests (None for a directory we cannot read).

    Each Manifest names the message it was read from (``Manifest.message``), so they pair exactly,
    whichever table (or none, for a directory the profile refuses) read each message.
    """
    found = {manifest.message: manifest for manifest in report.manifests}
    return [(m, found.get(m.index)) for m in interchange.messages if m.type == "PAXLST"]


def rejecting_errors(report: Report, interchange: Interchange, message: Message) -> list[Finding]:
    """The errors that reject ``message`` in a CONTRL: its own, its group's and its interchange's (file order)."""
    number = interchange.number
    errors = report.errors_in(number, scope=Scope.INTERCHANGE)
    if message.group is not None:
        errors += report.errors_in(number, group=message.group.number, scope=Scope.GROUP)
    errors += report.errors_in(number, message=message.index)
    chosen = {id(f) for f in errors}
    return [f for f in report.findings if id(f) in chosen]


def traveller_findings(report: Report, interchange: Interchange, message: Message, manifest: Manifest,
                       traveller: Traveller) -> list[Finding]:
    """The findings that concern one traveller, in file order: every finding inside its segment group
    (from its NAD to the next traveller's, or to CNT/AUT/UNT) and the errors that reject the message."""
    after = [t.position for t in manifest.travellers if t.position > traveller.position]
    end = min(after) if after else _end_of_travellers(message, traveller.position)
    chosen = {id(f) for f in rejecting_errors(report, interchange, message)}
    for f in report.findings:
        loc = f.location
        if (loc.interchange == interchange.number and loc.message == message.index and loc.segment_position is not None
                and traveller.position <= loc.segment_position < end):
            chosen.add(id(f))
    return [f for f in report.findings if id(f) in chosen]


def _end_of_travellers(message: Message, last_nad: int) -> int:
    for seg in message.segments:
        if seg.position > last_nad and seg.tag in ("CNT", "AUT", "UNT"):
            return seg.position
    return len(message.segments) + 1


def default_answers(report: Report, interchange: Interchange, directives: Directives = DEFAULT_DIRECTIVES, *,
                    decide: Decide = default_decision) -> list[MessageAnswer]:
    """Each PAXLST message of ``interchange`` with a decision for every traveller it names.

    The iAPI flight-close dummy (``NAD+ZZZ``, STANDARDS.md §2.3.2) is no traveller and gets none.
    """
    answers = []
    for message, manifest in paxlst_requests(report, interchange):
        decisions: dict[int, Decision] = {}
        if manifest is not None:
            for traveller in manifest.travellers:
                if traveller.role == "mutually defined":
                    continue
                key, text = decide(traveller, traveller_findings(report, interchange, message, manifest, traveller))
                decisions[traveller.position] = Decision(directives.code(key), text)
        answers.append(MessageAnswer(message, manifest, decisions))
    return answers


# --- writing --------------------------------------------------------------------------------------
def write_cusres(report: Report, interchange: Interchange, answers: Sequence[MessageAnswer], context: ContrlContext,
                 directives: Directives = DEFAULT_DIRECTIVES) -> bytes:
    """The CUSRES interchange answering ``interchange``, encoded for the wire.

    Our UNB sender is their recipient and the reverse; the syntax identifier, version, separators,
    UNA (only if they sent one), date length, application reference (0026) and test indicator
    follow theirs. A request in a functional group is answered in a group (UNG echoing its
    reference, sender and recipient swapped); otherwise the messages stand bare.
    """
    delimiters = interchange.delimiters
    lines: list[str] = []

    def put(tag: str, *elements: Element) -> None:
        lines.append(segment(tag, elements, delimiters))

    lines += reply_header(interchange, context.prepared, context.interchange_reference, echo_application=True)
    prepared = reply_date(interchange, context.prepared)

    texts = _TextFilter(interchange)
    numbered = [(n, answer) for n, answer in enumerate(answers, start=1)]
    if interchange.groups:
        by_group: dict[int, list[tuple[int, MessageAnswer]]] = {}
        fallback = next((a.message.group for a in answers if a.message.group is not None), interchange.groups[0])
        for n, answer in numbered:  # a bare message in a mixed interchange joins the first group: never mix (0085 30)
            by_group.setdefault((answer.message.group or fallback).number, []).append((n, answer))
        for group in interchange.groups:
            members = by_group.get(group.number)
            if not members:
                continue
            put("UNG", "CUSRES", group.recipient, group.sender, prepared, group.reference, "UN", list(MESSAGE_IDENTIFIER[1:3]))
            for n, answer in members:
                _message(put, lines, report, interchange, answer, _reference(context.message_reference, n), directives,
                         texts)
            put("UNE", str(len(members)), group.reference)
        count = len(by_group)
    else:
        for n, answer in numbered:
            _message(put, lines, report, interchange, answer, _reference(context.message_reference, n), directives, texts)
        count = len(answers)
    put("UNZ", str(count), context.interchange_reference)
    return encode("".join(lines), interchange.syntax_identifier)


def _reference(base: str, n: int) -> str:
    """UNH 0062 of our n-th message: the context's reference, then counted on (unique in the interchange)."""
    if n == 1:
        return base
    if base.isdigit():
        return str(int(base) + n - 1)
    suffix = str(n)
    return base[:14 - len(suffix)] + suffix


def _message(put: Callable[..., None], lines: list[str], report: Report, interchange: Interchange, answer: MessageAnswer,
             reference: str, directives: Directives, texts: _TextFilter) -> None:
    request, manifest = answer.message, answer.manifest
    start = len(lines)
    unh: list[Element] = [reference, list(MESSAGE_IDENTIFIER)]
    echoed = request.header.elements[2:4]  # 0068 common access reference, S010 sequence of transfers
    if any(any(components) for components in echoed):
        unh += [list(components) for components in echoed]
    put("UNH", *unh)
    put("BGM", DOCUMENT_RESPONSE)
    transaction = _transaction_reference(request)
    if transaction is not None:
        put("RFF", transaction)
    for flight in manifest.flights if manifest is not None else ():
        _flight(put, flight)
    errors = rejecting_errors(report, interchange, request)
    if errors or manifest is None:
        put("ERP", HEADER_SECTION)
        put("ERC", directives.exception)
        if errors:
            text = "REJECTED " + _codes(errors)
        else:
            text = f"NOT READ, {request.type} {''.join(request.identifier[1:3])} NOT SUPPORTED"
        put("FTX", RESPONSE_TEXT, "", "", texts.components(text))
    for traveller in manifest.travellers if manifest is not None else ():
        decision = answer.decisions.get(traveller.position)
        if decision is None:
            continue
        put("ERP", DETAIL_SECTION)
        references = [(q, v) for q in ("AVF", "ABO") for v in traveller.references.get(q, ()) if v]
        for qualifier, value in references[:_MAX_SG3_REPEATS]:
            put("RFF", [qualifier, value])
        put("ERC", decision.code)
        text = texts.components(decision.text or "")
        if text:  # no FTX for no text (nor for one the repertoire left empty)
            put("FTX", RESPONSE_TEXT, "", "", text)
    put("UNT", str(len(lines) - start + 1), reference)


def _transaction_reference(message: Message) -> list[str] | None:
    """The request's header RFF (C506) as sent, when it is a transaction reference (TN).

    Echoed whole (``TN:<ref>:::<revision>``): it is the carrier's own key for the transaction.
    """
    for seg in message.segments[1:]:
        if seg.tag in ("NAD", "TDT", "CNT", "UNT"):  # the header ends where the groups begin
            return None
        if seg.tag == "RFF" and seg.value(1) == "TN":
            return list(seg.elements[0])
    return None


def _flight(put: Callable[..., None], flight: Flight) -> None:
    """SG3: the flight (RFF+AF) with its departure/arrival times and airports, as the request gave them."""
    put("RFF", ["AF", flight.flight])
    legs = [leg for leg in flight.legs if leg.function in _LEG_TIMES]
    times = [(leg.function, leg.time_local) for leg in legs if leg.time_local]
    for function, local in times[:_MAX_SG3_REPEATS]:
        put("DTM", [_LEG_TIMES[function], datetime.fromisoformat(local).strftime("%y%m%d%H%M"), "201"])
    for leg in legs[:_MAX_SG3_REPEATS]:
        put("LOC", leg.function, leg.airport)


class _TextFilter:
    """Free text made safe for the sender's repertoire and separators.

    A decision hook may return lower case or characters the interchange cannot carry (UNOA has
    no lower case): upper-case where lower case is not allowed, anything else not allowed becomes
    a space. Without a release character a service character cannot be escaped, so it too becomes
    a space. The text is cut into FTX C108 components (an..512, five of them).
    """

    def __init__(self, interchange: Interchange) -> None:
        identifier = charsets.SYNTAX_IDENTIFIERS.get(interchange.syntax_identifier)
        delimiters = interchange.delimiters
        self.invalid = charsets.invalid_characters(identifier, delimiters) if identifier is not None else None
        self.upper = self.invalid is not None and bool(self.invalid.match("a"))
        self.unescapable = frozenset(delimiters.service_characters()) if delimiters.release is None else frozenset()

    def components(self, text: str) -> list[str]:
        if self.upper:
            text = text.upper()
        text = re.sub(r"[\r\n\t]", " ", text)
        if self.invalid is not None:
            text = self.invalid.sub(" ", text)
        if self.unescapable:
            text = "".join(" " if c in self.unescapable else c for c in text)
        text = " ".join(text.split())
        return [text[i:i + _FTX_COMPONENT] for i in range(0, len(text), _FTX_COMPONENT)][:_FTX_COMPONENTS]
