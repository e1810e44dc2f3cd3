"""What the compliance ledger learns from one validated file, computed in the validation worker.

Runs beside validation in the process pool (gateway.processing), so the store's writer thread only
inserts rows. The output holds counts and finding codes, never names or document numbers: it is
kept after retention has forgotten the payload, and it is what scorecards are made of.

Data-element sufficiency per traveller: an element is *present* when the traveller carries it
(validators.paxlst.requirements) and *valid* when it is present and no error or warning finding
points at the segment that carries it in that traveller's group. Segments before the traveller's
first DOC belong to the person (ATT gender, DTM date of birth, NAT nationality …), DOC and what
follows it to the document (DTM expiry, LOC issuing state).
"""

from __future__ import annotations

from collections import Counter

from gateway.compliance.flights import normalise_flight, stamp, utc_of
from gateway.store.base import FlightMessage
from validators.obligations import ELEMENTS
from validators.paxlst.manifest import Manifest
from validators.paxlst.requirements import REQUIREMENTS
from validators.report import Finding, Report, Scope, Severity

# (segment tag, in the document part of the group) → the elements a finding there makes invalid
_ELEMENT_AT: dict[tuple[str, bool], tuple[str, ...]] = {
    ("NAD", False): ("surname", "given_names"),
    ("ATT", False): ("gender",),
    ("DTM", False): ("date_of_birth",),
    ("NAT", False): ("nationality",),
    ("DOC", True): ("document",),
    ("DTM", True): ("document_expiry",),
    ("LOC", True): ("document_issuing_state",),
}
_CREW_DOCUMENTS = ("250",)  # BGM 1001: crew list; 745 (passenger list) and others count as passenger lists


def observe(report: Report, receipt: str) -> tuple[FlightMessage, ...]:
    """One FlightMessage per PAXLST message or PNRGOV push whose flight can be told."""
    blocked = {f.location.interchange for f in report.findings
               if f.severity is Severity.ERROR and f.scope in (Scope.INTERCHANGE, Scope.GROUP)}
    rejected = {f.location.message for f in report.findings
                if f.severity is Severity.ERROR and f.scope in (Scope.MESSAGE, Scope.SEGMENT)}
    interchange_of = {m.index: i.number for i in report.interchanges for m in i.messages}
    documents = {m.index: [s.position for s in m.segments if s.tag == "DOC"] for i in report.interchanges for m in i.messages}
    by_message: dict[int | None, list[Finding]] = {}
    for finding in report.findings:
        by_message.setdefault(finding.location.message, []).append(finding)
    observed = []
    for manifest in report.manifests:
        own = by_message.get(manifest.message, [])
        is_rejected = manifest.message in rejected or interchange_of.get(manifest.message) in blocked
        made = _from_manifest(manifest, receipt, own, is_rejected, documents.get(manifest.message, []))
        if made is not None:
            observed.append(made)
    for push in getattr(report, "pushes", ()):  # PNRGOV, once the validators model pushes
        flight = push.flight
        if flight is None:
            continue
        named = normalise_flight(flight.number, flight.carrier)
        if named is None:
            continue
        departure = utc_of(flight.departure_airport, flight.departure_local)
        own = by_message.get(push.message, [])
        observed.append(FlightMessage(
            receipt=receipt, message=push.message, kind="pnr", carrier=named[0], flight=named[1],
            departure_airport=flight.departure_airport, arrival_airport=flight.arrival_airport,
            departure_local=flight.departure_local, departure_utc=stamp(departure) if departure else None,
            sequence=push.part.sequence, first_last=push.part.first_last, travellers=sum(len(p.passengers) for p in push.pnrs),
            rejected=push.message in rejected or interchange_of.get(push.message) in blocked,
            codes=dict(Counter(f.code for f in own))))
    return tuple(observed)


def _from_manifest(manifest: Manifest, receipt: str, own: list[Finding], rejected: bool,
                   documents: list[int]) -> FlightMessage | None:
    if not manifest.flights:
        return None
    first = manifest.flights[0]
    named = normalise_flight(first.flight, first.carrier)
    if named is None:
        return None
    departure = next((leg for leg in first.legs if leg.function == "125"), None)
    arrival = next((leg for leg in first.legs if leg.function == "87"), None)
    moment = utc_of(departure.airport, departure.time_local) if departure else None
    return FlightMessage(
        receipt=receipt, message=manifest.message, kind="api_crew" if manifest.document in _CREW_DOCUMENTS else "api",
        carrier=named[0], flight=named[1], departure_airport=departure.airport if departure else None,
        arrival_airport=arrival.airport if arrival else None, departure_local=departure.time_local if departure else None,
        departure_utc=stamp(moment) if moment else None, sequence=manifest.part.sequence, first_last=manifest.part.first_last,
        travellers=len(manifest.travellers), rejected=rejected, elements=_sufficiency(manifest, own, documents),
        codes=dict(Counter(f.code for f in own)))


def _sufficiency(manifest: Manifest, own: list[Finding], documents: list[int]) -> dict[str, tuple[int, int]]:
    """Element → (travellers carrying it, travellers carrying it valid)."""
    faulty = {f.location.segment_position for f in own
              if f.severity in (Severity.ERROR, Severity.WARNING) and f.location.segment_position is not None}
    tags = {f.location.segment_position: f.location.segment_tag for f in own}
    starts = [t.position for t in manifest.travellers]
    counts = {name: [0, 0] for name in ELEMENTS}
    for index, traveller in enumerate(manifest.travellers):
        end = starts[index + 1] if index + 1 < len(starts) else None
        invalid: set[str] = set()
        first_document = next((p for p in documents if p > traveller.position and (end is None or p < end)), None)
        for position in (p for p in faulty if p >= traveller.position and (end is None or p < end)):
            in_document = first_document is not None and position >= first_document
            invalid.update(_ELEMENT_AT.get((tags.get(position) or "", in_document), ()))
        for name in ELEMENTS:
            if REQUIREMENTS[name].present(traveller):
                counts[name][0] += 1
                if name not in invalid:
                    counts[name][1] += 1
    return {name: (present, valid) for name, (present, valid) in counts.items()}
