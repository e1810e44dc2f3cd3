"""What the gateway knows about a sender that the bytes alone cannot tell, checked as findings.

An account may only send as itself (DESIGN.md §6.5): its UNB sender ids and the carriers whose
flights it reports are listed in the carrier registry. An interchange whose sender, control
reference and preparation time were seen before with different bytes is a duplicate (DESIGN.md
§6.1, UCI 0085 26). The gateway looks these facts up; this module turns them into findings in the
same report, so the CONTRL, the JSON answer and the conformance kit say them the same way.
"""

from __future__ import annotations

import msgspec

from validators.edifact.envelope import Interchange
from validators.findings import Findings
from validators.pnrgov.model import PnrPush
from validators.report import Scope


class Admission(msgspec.Struct, frozen=True):
    """The sending account's allowances and the duplicates found in the store. Empty = no limit."""

    senders: tuple[str, ...] = ()  # UNB 0004 values the account may use
    carriers: tuple[str, ...] = ()  # airline designators whose flights it may report (TDT)
    duplicate_of: dict[int, str] = {}  # interchange number → the receipt that first carried it


def flight_carrier(flight: str, carrier: str | None) -> str:
    """The designator a TDT names: C040 3127 when given, else the first two characters of 8028."""
    return carrier or flight[:2]


def check_admission(interchanges: list[Interchange], findings: Findings, admission: Admission) -> None:
    for interchange in interchanges:
        header = interchange.header
        if header is None:
            continue
        sender = interchange.sender[0]
        if admission.senders and sender and sender not in admission.senders:
            findings.add("EDI-UNB-SENDER", Scope.INTERCHANGE, header.offset, interchange=interchange.number,
                         segment_tag="UNB", element=2, component=1, value=sender, allowed=", ".join(admission.senders))
        first = admission.duplicate_of.get(interchange.number)
        if first is not None:
            findings.add("EDI-UNB-DUPLICATE", Scope.INTERCHANGE, header.offset, interchange=interchange.number,
                         segment_tag="UNB", element=5, reference=interchange.control_reference, sender=sender,
                         receipt=first)
        if admission.carriers:
            _check_carriers(interchange, findings, admission.carriers)


def _check_carriers(interchange: Interchange, findings: Findings, allowed: tuple[str, ...]) -> None:
    """The flight's carrier: PAXLST TDT (8028 flight, C040 carrier), PNRGOV level-0 TVL (C306
    marketing carrier); a PNR's own itinerary may hold other airlines' flights, so only the pushed
    flight counts."""
    for message in interchange.messages:
        if message.type == "PAXLST":
            flights = [(s, flight_carrier(s.value(2), s.value(5) or None), 5 if s.value(5) else 2, 1 if s.value(5) else None)
                       for s in message.segments if s.tag == "TDT"]
        elif message.type == "PNRGOV":
            tvl = next((s for s in message.segments if s.tag == "TVL"), None)  # level 0 comes before any PNR
            flights = [(tvl, tvl.value(4, 1), 4, 1)] if tvl is not None else []
        else:
            continue
        for segment, designator, element, component in flights:
            if designator and designator not in allowed:
                findings.add("MSG-CARRIER-NOT-ALLOWED", Scope.SEGMENT, segment.offset, interchange=interchange.number,
                             group=message.group.number if message.group else None, message=message.index,
                             segment_position=segment.position, segment_tag=segment.tag, element=element,
                             component=component, value=designator, allowed=", ".join(allowed))


def check_push_admission(pushes: list[PnrPush], findings: Findings, admission: Admission) -> None:
    """An XML push has no envelope to check; its flight's carrier still must be the account's."""
    for push in pushes:
        carrier = push.flight.carrier if push.flight is not None else ""
        if admission.carriers and carrier and carrier not in admission.carriers:
            findings.add("MSG-CARRIER-NOT-ALLOWED", Scope.MESSAGE, None, message=push.message,
                         path="/IATA_PNRGOV_NotifRQ/FlightLeg/@CarrierCode", value=carrier,
                         allowed=", ".join(admission.carriers))
