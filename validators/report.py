"""Findings, locations and verdicts: the one vocabulary every validator speaks.

A finding says *what* is wrong (a stable code from the catalogue), *how bad* it is (severity after
the profile's overrides), *which ISO 9735 syntax error* it is when it belongs in a CONTRL (data
element 0085), and *where* it is, down to the component and the byte. Acknowledgement writers,
the CLI, the gateway and the conformance kit all read the same structures, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from validators.edifact.envelope import Interchange
    from validators.paxlst.manifest import Manifest
    from validators.pnrgov.model import PnrPush


class Severity(StrEnum):
    """How a finding weighs on the verdict: errors reject, warnings flag, info only records."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"


class Scope(StrEnum):
    """The CONTRL level a finding belongs to: UCI, UCF, UCM, or UCS/UCD inside a message.

    BUSINESS findings (document expiry, check digits, plausibility, totals) are no syntax fault:
    they never appear in a CONTRL and never reject an interchange, whatever their severity
    (DESIGN.md §6.3); they travel in CUSRES, ACKRES and JSON.
    """

    INTERCHANGE = "interchange"
    GROUP = "group"
    MESSAGE = "message"
    SEGMENT = "segment"
    BUSINESS = "business"


class Location(msgspec.Struct, frozen=True, omit_defaults=False):
    """Where a finding is. Positions are 1-based as CONTRL counts them (UNH = segment 1).

    ``segment_position`` is only set inside a message; envelope segments (UNB, UNG, UNE, UNZ)
    have a tag but no position. ``element`` counts data elements after the tag, as people read a
    segment (``NAD+FL+++SMITH``: the name is element 4); CONTRL's 0098 counts the tag as 1, so its
    writer adds one. ``component`` is 0104, None for a simple data element. ``offset`` is in bytes
    from the start of the file; ``line``/``column`` are 1-based. ``interchange``, ``group`` and
    ``message`` are 1-based indexes within the file.
    """

    interchange: int | None = None
    group: int | None = None
    message: int | None = None
    segment_position: int | None = None
    segment_tag: str | None = None
    element: int | None = None
    component: int | None = None
    line: int | None = None
    column: int | None = None
    offset: int | None = None
    path: str | None = None  # XML documents: the element's path, e.g. /IATA_PNRGOV_NotifRQ/PNRs/PNR[2]/Passenger[1]


class Finding(msgspec.Struct, frozen=True):
    """One thing a carrier must know about its message."""

    code: str
    severity: Severity
    message: str
    syntax_error: int | None
    scope: Scope
    location: Location
    expected: str | None = None


_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.INFO: 0}


def verdict_of(findings: list[Finding] | tuple[Finding, ...]) -> Verdict:
    """The worst severity decides: an error rejects, a warning flags; a business-rule error flags
    too, since business rules never reject a message (DESIGN.md §6.3)."""
    worst = 0
    for f in findings:
        rank = _RANK[f.severity]
        if f.scope is Scope.BUSINESS:
            rank = min(rank, 1)
        worst = max(worst, rank)
    if worst == 2:
        return Verdict.REJECTED
    if worst == 1:
        return Verdict.ACCEPTED_WITH_WARNINGS
    return Verdict.ACCEPTED


@dataclass(slots=True, eq=False)
class Report:
    """What validating one file found: its format, its findings and what was read.

    ``interchanges`` holds the parsed envelope (``validators.edifact.envelope.Interchange``), which
    the acknowledgement writers answer; ``manifests`` the typed model of each PAXLST message read.
    """

    format: str
    findings: list[Finding]
    interchanges: list[Interchange] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    pushes: list[PnrPush] = field(default_factory=list)
    masked: bytes | None = None  # the file with its sensitive PNR data overwritten, when there was any (§6.7)

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.findings)

    @property
    def messages(self) -> int:
        """EDIFACT messages; an XML document (no interchange) is one message per push read."""
        return sum(len(i.messages) for i in self.interchanges) if self.interchanges else len(self.pushes)

    @property
    def travellers(self) -> int:
        """PAXLST travellers and PNRGOV passengers read."""
        return sum(len(m.travellers) for m in self.manifests) + sum(len(p.passengers) for u in self.pushes for p in u.pnrs)

    @property
    def pnrs(self) -> int:
        return sum(len(p.pnrs) for p in self.pushes)

    def errors_in(self, interchange: int, *, group: int | None = None, message: int | None = None,
                  scope: Scope | None = None) -> list[Finding]:
        """The error findings that reject one interchange, group or message (for CONTRL)."""
        found = []
        for f in self.findings:
            loc = f.location
            if f.severity is not Severity.ERROR or f.scope is Scope.BUSINESS or loc.interchange != interchange:
                continue
            if scope is not None and f.scope is not scope:
                continue
            if group is not None and loc.group != group:
                continue
            if message is not None and loc.message != message:
                continue
            found.append(f)
        return found
