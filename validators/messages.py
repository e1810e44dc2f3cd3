"""Message-level checks and models: each message read against the table of its type and version.

Which segment table reads a message is data, keyed by UNH S009 (message type, version, release).
A message whose type or directory has no table is checked at the syntax level only. What a table
reads is also turned into the typed model of its message (a ``Manifest`` for PAXLST).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from validators.edifact.contrl_tables import CONTRL
from validators.edifact.envelope import Interchange, Message
from validators.edifact.tokenizer import Segment
from validators.elements import Element, LayoutChecker, valid_calendar
from validators.findings import Findings
from validators.paxlst.manifest import Manifest, build_manifest, flight_day
from validators.paxlst.rules import check_content, check_part
from validators.paxlst.segments import LAYOUTS
from validators.paxlst.tables import PAXLST_D02B, PAXLST_D05B
from validators.pnrgov.model import PnrPush
from validators.pnrgov.push import build_push
from validators.pnrgov.rules import check_push
from validators.pnrgov.segments import LAYOUTS as PNRGOV_LAYOUTS
from validators.pnrgov.tables import TABLES as PNRGOV_TABLES
from validators.pnrgov.tables import table_for as pnrgov_table
from validators.profiles import Profile
from validators.report import Scope
from validators.structure import MessageTable, walk

TABLES: dict[tuple[str, str, str], MessageTable] = {
    ("PAXLST", "D", "02B"): PAXLST_D02B,
    ("PAXLST", "D", "05B"): PAXLST_D05B,
    ("CONTRL", "4", "1"): CONTRL,
    ("CONTRL", "D", "3"): CONTRL,
}
# segment layouts (elements, formats, code lists) per table
TABLES.update({("PNRGOV", version, release): table for (version, release), table in PNRGOV_TABLES.items()})
SEGMENT_LAYOUTS: dict[MessageTable, dict[str, tuple[Element, ...]]] = {
    PAXLST_D02B: LAYOUTS["02B"],
    PAXLST_D05B: LAYOUTS["05B"],
    **dict.fromkeys(PNRGOV_TABLES.values(), PNRGOV_LAYOUTS),
}
_ELEMENT_CODES = {"missing": "MSG-ELEMENT-MISSING", "too-many": "MSG-ELEMENT-TOO-MANY", "not-numeric": "MSG-ELEMENT-NOT-NUMERIC",
                  "too-long": "MSG-ELEMENT-TOO-LONG", "too-short": "MSG-ELEMENT-TOO-SHORT", "date": "MSG-ELEMENT-DATE",
                  "code": "MSG-ELEMENT-CODE"}


class _Reporter:
    """Findings on one message's segments, with the message's place in the file filled in once."""

    def __init__(self, findings: Findings, interchange: Interchange, message: Message) -> None:
        self.findings = findings
        self.place = {"interchange": interchange.number, "group": message.group.number if message.group else None,
                      "message": message.index}

    def __call__(self, code: str, scope: Scope, segment: Segment, element: int | None, component: int | None,
                 params: dict[str, str]) -> None:
        self.findings.add(code, scope, segment.offset, segment_position=segment.position, segment_tag=segment.tag,
                          element=element, component=component, **self.place, **params)


class Models(NamedTuple):
    """The typed models of the messages read, in file order."""

    manifests: list[Manifest]
    pushes: list[PnrPush]


def check_messages(interchanges: list[Interchange], findings: Findings) -> Models:
    """Read every message that has a table: structure, element layouts, then the typed model (a
    Manifest for PAXLST, a PnrPush for PNRGOV) and its content rules."""
    manifests: list[Manifest] = []
    pushes: list[PnrPush] = []
    for interchange in interchanges:
        prepared = _prepared(interchange)
        checkers: dict[int, LayoutChecker] = {}  # id(table) → its layouts, for this interchange's separators
        parts_seen: dict[tuple[str | None, int | None], int] = {}  # (0068, sequence) → first message index
        for message in interchange.messages:
            report = _Reporter(findings, interchange, message)
            table = _table_for(message, findings.profile, report)
            if table is None:
                continue
            body = message.segments[1:-1] if message.trailer is not None else message.segments[1:]
            end = message.trailer if message.trailer is not None else message.segments[-1]
            root, faults = walk(table, message.header, body, end)
            for fault in faults:
                report(fault.code, Scope.SEGMENT, fault.segment, None, None, fault.params)
            checker = checkers.get(id(table))
            if checker is None:
                checker = checkers[id(table)] = LayoutChecker(SEGMENT_LAYOUTS.get(table, {}), interchange.delimiters)
            _check_elements(checker, body, report)
            if table.message == "PNRGOV":
                push = build_push(message, root, findings.profile.pnrgov_push_number)
                pushes.append(push)
                check_push(message, root, push, report)
                continue
            if table.message != "PAXLST":
                continue
            manifest = build_manifest(message, root, prepared)
            manifests.append(manifest)
            check_content(root, manifest, flight_day(manifest) or prepared, findings.profile, report)
            check_part(message.header, manifest, report)
            key = (manifest.part.common_access_reference, manifest.part.sequence)
            if key[0] and key in parts_seen:
                report("PAXLST-PART-DUPLICATE", Scope.MESSAGE, message.header, 4, 1,
                       {"sequence": f"{key[1] or 0:02d}", "first": str(parts_seen[key])})
            parts_seen.setdefault(key, message.index)
    return Models(manifests, pushes)


def _check_elements(check: LayoutChecker, body: list[Segment], report: _Reporter) -> None:
    for segment, faults in check.faults(body):
        for fault in faults:
            report(_ELEMENT_CODES[fault.kind], Scope.SEGMENT, segment, fault.element, fault.component,
                   {"tag": segment.tag, **fault.params})


def _table_for(message: Message, profile: Profile, report: _Reporter) -> MessageTable | None:
    """The table for UNH S009; for PAXLST, first whether the profile accepts the directory at all.

    A PAXLST directory the profile accepts but no table here describes (D.12B, D.15B in traffic)
    is read with the D.05B guideline table: the messages changed little, and a state that accepts
    them has said so in its profile.
    """
    identifier = message.identifier
    if len(identifier) < 3:
        return None
    message_type, version, release = message.type, identifier[1], identifier[2]
    if message_type == "PAXLST":
        if release not in profile.paxlst_directories:
            report("PAXLST-DIRECTORY", Scope.MESSAGE, message.header, 2, 3, {
                "found": f"{version}:{release}", "profile": profile.name,
                "allowed": ", ".join(f"D:{d}" for d in profile.paxlst_directories)})
        elif (message_type, version, release) not in TABLES:
            return PAXLST_D05B
    if message_type == "PNRGOV":
        if f"{version}.{release}" not in profile.pnrgov_versions:
            report("PNR-VERSION", Scope.MESSAGE, message.header, 2, 2, {
                "found": f"{version}:{release}", "profile": profile.name,
                "allowed": ", ".join(profile.pnrgov_versions)})
            return None
        return pnrgov_table(version, release)
    return TABLES.get((message_type, version, release))


def _prepared(interchange: Interchange) -> date | None:
    """The UNB preparation date, when it is a real date."""
    value = interchange.header.value(4, 1) if interchange.header else ""
    if len(value) not in (6, 8) or not valid_calendar("date", value):
        return None
    if len(value) == 8:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:6]))
