"""PNRGOV content rules: what one message says, checked beyond its structure and formats.

Every rule here is a business rule or a tolerance (DESIGN.md §6.3): it reports, it never rejects
a push — real PNRGOV traffic is dirty, and a state wants the PNRs with their findings rather than
a rejected push. A profile sets each rule's severity. Totals across the parts of a multi-message
push (EQN against the PNRs of all parts) are the gateway's, once the final part is in (§6.4);
here EQN is checked only when the message is the whole push.
"""

from __future__ import annotations

from collections.abc import Callable

from validators.edifact.envelope import Message
from validators.edifact.tokenizer import Segment
from validators.icao import countries
from validators.icao.countries import ISO_3166_1
from validators.pnrgov.model import PnrPush
from validators.pnrgov.push import INFANT_GENDERS, docs_date, docs_fields, is_cancellation
from validators.report import Scope
from validators.structure import Node

Report = Callable[[str, Scope, Segment, "int | None", "int | None", dict[str, str]], None]
# the fields of SSR DOCS that are dates, with whether each is a date of birth
_DOCS_DATES = ((4, "date of birth", True), (6, "expiry date", False))


def check_push(message: Message, root: Node, push: PnrPush, report: Report) -> None:
    _check_total(message, root, push, report)
    locators: dict[str, int] = {}
    flight = push.flight
    for group, pnr in zip(root.children("Gr1"), push.pnrs, strict=True):
        src = group.segments[0]
        rci = group.first("RCI")
        if rci is None or not rci.value(1, 2):
            report("PNR-LOCATOR-MISSING", Scope.BUSINESS, src if rci is None else rci, None if rci is None else 1,
                   None if rci is None else 2, {})
        elif rci.value(1, 2) in locators:
            report("PNR-LOCATOR-DUPLICATE", Scope.BUSINESS, rci, 1, 2, {"first": str(locators[rci.value(1, 2)])})
        else:
            locators[rci.value(1, 2)] = src.position
        if is_cancellation(group):
            _check_cancellation(group, push, report)
            continue
        _check_travellers(group, report)
        if flight is not None and pnr.itinerary and not any(
                (leg.carrier == flight.carrier and _same_number(leg.number, flight.number))
                or (leg.operating_carrier == flight.carrier and _same_number(leg.operating_number, flight.number))
                for leg in pnr.itinerary):
            report("PNR-FLIGHT-NOT-IN-ITINERARY", Scope.BUSINESS, src, None, None, {"flight": flight.flight})


def _same_number(number: str | None, other: str) -> bool:
    return number is not None and number.lstrip("0") == other.lstrip("0")


def _check_total(message: Message, root: Node, push: PnrPush, report: Report) -> None:
    eqn = root.first("EQN")
    whole = push.part.sequence in (None, 1) and push.part.first_last in (None, "F")
    if eqn is None or push.declared_pnrs is None or not whole:
        return
    if push.declared_pnrs != len(push.pnrs):
        report("PNR-EQN-TOTAL", Scope.BUSINESS, eqn, 1, 1, {"declared": str(push.declared_pnrs), "found": str(len(push.pnrs))})


def _check_cancellation(group: Node, push: PnrPush, report: Report) -> None:
    src = group.segments[0]
    if push.kind == "full":
        report("PNR-CANCELLED-IN-FULL", Scope.BUSINESS, src, None, None, {})
    extra = [s.tag for s in group.segments[1:] if s.tag not in ("RCI", "ORG")] + [g.rule.name for g in group.groups]
    if extra:
        report("PNR-CANCELLED-CONTENT", Scope.BUSINESS, src, None, None, {"extra": ", ".join(dict.fromkeys(extra))})


def _check_travellers(group: Node, report: Report) -> None:
    references: set[str] = set()
    for traveller in group.children("Gr2"):
        tif = traveller.segments[0]
        reference = tif.value(2, 3)
        if reference and reference in references:
            report("PNR-TRAVELLER-REF-DUPLICATE", Scope.BUSINESS, tif, 2, 3, {"reference": reference})
        references.add(reference)
        for ssr in traveller.segments:
            # tag, then the code's prefix: the other SSRs are never split
            if ssr.tag == "SSR" and ssr.raw[4:8] == "DOCS" and ssr.value(1, 1) == "DOCS":
                _check_docs(ssr, report)


def _check_docs(ssr: Segment, report: Report) -> None:
    fields = docs_fields(ssr)
    if fields is None:
        report("PNR-DOCS-UNREADABLE", Scope.BUSINESS, ssr, 1, 9, {})
        return
    for index, what, birth in _DOCS_DATES:
        value = fields[index].replace(" ", "")
        if value and docs_date(value, None, birth=birth) is None:
            report("PNR-DOCS-DATE", Scope.BUSINESS, ssr, 1, 9, {"what": what})
    for index, what in ((1, "issuing state"), (3, "nationality")):
        value = fields[index].strip()
        if value and value not in ISO_3166_1 and not (
                countries.is_issuer(value) if index == 1 else countries.is_nationality(value)):
            suggestions = countries.did_you_mean(value)
            hint = f"did you mean {' or '.join(suggestions)}?" if suggestions else "an ISO 3166-1 alpha-3 or ICAO Doc 9303 code"
            report("PNR-DOCS-COUNTRY", Scope.BUSINESS, ssr, 1, 9, {"what": what, "value": repr(value), "suggestion": hint})
    gender = fields[5].replace(" ", "")
    if gender and gender not in ("M", "F", "U", "X", *INFANT_GENDERS):
        report("PNR-DOCS-GENDER", Scope.BUSINESS, ssr, 1, 9, {"value": gender})
