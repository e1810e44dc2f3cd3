"""Multi-part assembly (DESIGN.md §2 step 6, §6.2): the parts of one list are forwarded together.

A PAXLST too large for one message is sent in parts sharing the UNH common access reference (0068)
and numbered by S010 (0070 sequence, 0073 ``C`` first / ``F`` final). Parts arrive in any order,
over several submissions; the gateway keeps them in the store and forwards the unit once the final
part is in and no sequence number is missing, or, when the profile's completeness timer fires,
what has arrived, flagged ``incomplete`` with the gaps. A unit that was already forwarded and
arrives again with different content is a new **version** that replaces the old one.

This module decides; the pipeline and the store carry out. Keeping the decision pure makes it
testable without a store and identical for every backend.
"""

from __future__ import annotations

import msgspec

from gateway.processing import UnitPart
from gateway.store.base import StoredPart


def unit_identity(part: UnitPart) -> str:
    """Carrier flight, its date, the common access reference and the document type (BGM): one list
    of one flight (its crew list is another unit)."""
    return "/".join((part.flight or "-", part.flight_date or "-", part.common_access_reference or "-", part.document_type or "-",
                     part.format))


def describe(identity: str) -> dict[str, str | None]:
    """The fields a unit identity is made of (the common access reference may itself hold '/')."""
    flight, day, rest = identity.split("/", 2)
    reference, document, format_ = rest.rsplit("/", 2)
    return {"format": format_, "document": None if document == "-" else document, "flight": None if flight == "-" else flight,
            "flight_date": None if day == "-" else day, "common_access_reference": None if reference == "-" else reference}


def is_multipart(part: UnitPart) -> bool:
    """A part of a longer list: S010 says so (a first part, or any part numbered above 1 or not final)."""
    if part.sequence is None and part.first_last is None:
        return False
    return not (part.sequence in (None, 1) and part.first_last == "F")


class Completeness(msgspec.Struct, frozen=True):
    complete: bool
    last: int | None  # the final part's sequence number, when the final part is in
    missing: tuple[int, ...]  # sequence numbers not (yet) received, up to the final one or the highest seen


def completeness(parts: list[StoredPart]) -> Completeness:
    sequences = {p.sequence for p in parts}
    finals = [p.sequence for p in parts if p.final]
    last = max(finals) if finals else None
    upto = last if last is not None else max(sequences, default=0)
    missing = tuple(n for n in range(1, upto + 1) if n not in sequences)
    return Completeness(last is not None and not missing, last, missing)


def push_totals(parts: list[StoredPart]) -> dict[str, object] | None:
    """EQN across the parts of a PNRGOV push (DESIGN.md §6.4): every part declares the PNRs of the
    whole push, so the check can only be made here, on the assembled unit, once the parts are in.
    None for a unit that is not a push."""
    declared: set[int] = set()
    found = 0
    for part in parts:
        push = msgspec.json.decode(part.document).get("push")
        if push is None:
            return None
        if push.get("declared_pnrs") is not None:
            declared.add(push["declared_pnrs"])
        found += len(push.get("pnrs", ()))
    stated = min(declared) if len(declared) == 1 else None
    return {"declared_pnrs": sorted(declared), "pnrs": found,
            "consistent": len(declared) <= 1, "matches": stated is not None and stated == found}


def assembled_unit(parts: list[StoredPart], state: Completeness) -> dict[str, object]:
    """The forwarded body of a multi-part unit: its parts in sequence order, the gaps named, and for
    a PNRGOV push its PNR totals against EQN."""
    ordered = sorted(parts, key=lambda p: p.sequence)
    totals = push_totals(ordered)
    return {
        "parts": [msgspec.Raw(p.document) for p in ordered],
        "receipts": list(dict.fromkeys(p.receipt for p in ordered)),
        "sequences": [p.sequence for p in ordered],
        "incomplete": not state.complete,
        "missing": list(state.missing),
        "final_received": state.last is not None,
        **({"totals": totals} if totals is not None else {}),
    }
