"""Message-level checks and models: each message read against the table of its type and version.

Which segment table reads a message is data, keyed by UNH S009 (message type, version, release).
A message whose type or directory has no table is checked at the syntax level only. What a table
reads is also turned into the typed model of its message (a ``Manifest`` for PAXLST).
"""

from __future__ import annotations

from datetime import date

from validators.edifact.contrl_tables import CONTRL
from validators.edifact.envelope import Interchange, Message
from validators.edifact.tokenizer import Segment
from validators.elements import Element, ElementFault, check_segment, valid_calendar
from validators.findings import Findings
from validators.paxlst.manifest import Manifest, build_manifest, flight_day
from validators.paxlst.rules import check_content, check_part
from validators.paxlst.segments import LAYOUTS
from validators.paxlst.tables import PAXLST_D02B, PAXLST_D05B
from validators.report import Scope
from validators.structure import MessageTable, walk

TABLES: dict[tuple[str, str, str], MessageTable] = {
    ("PAXLST", "D", "02B"): PAXLST_D02B,
    ("PAXLST", "D", "05B"): PAXLST_D05B,
    ("CONTRL", "4", "1"): CONTRL,
    ("CONTRL", "D", "3"): CONTRL,
}
# segment layouts (elements, formats, code lists) per table
SEGMENT_LAYOUTS: dict[MessageTable, dict[str, tuple[Element, ...]]] = {
    PAXLST_D02B: LAYOUTS["02B"],
    PAXLST_D05B: LAYOUTS["05B"],
}
_ELEMENT_CODES = {"missing": "MSG-ELEMENT-MISSING", "too-many": "MSG-ELEMENT-TOO-MANY", "not-numeric": "MSG-ELEMENT-NOT-NUMERIC",
                  "too-long": "MSG-ELEMENT-TOO-LONG", "too-short": "MSG-ELEMENT-TOO-SHORT", "date": "MSG-ELEMENT-DATE",
                  "code": "MSG-ELEMENT-CODE"}


def check_messages(interchanges: list[Interchange], findings: Findings) -> list[Manifest]:
    """Walk every message that has a table, record each structure fault at its segment, and
    return the models of the messages read."""
    manifests: list[Manifest] = []
    for interchange in interchanges:
        prepared = _prepared(interchange)
        parts_seen: dict[tuple[str | None, int | None], int] = {}  # (0068, sequence) → first message index
        for message in interchange.messages:
            identifier = message.identifier
            table = _table_for(message.type, identifier, findings, interchange, message)
            if table is None:
                continue
            body = message.segments[1:-1] if message.trailer is not None else message.segments[1:]
            end = message.trailer if message.trailer is not None else message.segments[-1]
            root, faults = walk(table, message.header, body, end)
            checked: dict[str, list[ElementFault]] = {}
            group = message.group.number if message.group else None
            for fault in faults:
                segment = fault.segment
                findings.add(fault.code, Scope.SEGMENT, segment.offset, interchange=interchange.number, group=group,
                             message=message.index, segment_position=segment.position, segment_tag=segment.tag,
                             **fault.params)
            layouts = SEGMENT_LAYOUTS.get(table, {})
            for segment in body:
                layout = layouts.get(segment.tag)
                if layout is None:
                    continue
                # the same segment text has the same faults: LOC+178+LHR need not be checked 300 times
                element_faults = checked.get(segment.raw)
                if element_faults is None:
                    element_faults = checked[segment.raw] = check_segment(segment, layout)
                for element_fault in element_faults:
                    findings.add(_ELEMENT_CODES[element_fault.kind], Scope.SEGMENT, segment.offset,
                                 interchange=interchange.number, group=group, message=message.index,
                                 segment_position=segment.position, segment_tag=segment.tag, element=element_fault.element,
                                 component=element_fault.component, tag=segment.tag, **element_fault.params)
            if table.message == "PAXLST":
                manifest = build_manifest(message, root, prepared)
                manifests.append(manifest)

                def report(code: str, scope: Scope, segment: Segment, element: int | None, component: int | None,
                           params: dict[str, str], message_index: int = message.index, group_number: int | None = group,
                           interchange_number: int = interchange.number) -> None:
                    findings.add(code, scope, segment.offset, interchange=interchange_number, group=group_number,
                                 message=message_index, segment_position=segment.position, segment_tag=segment.tag,
                                 element=element, component=component, **params)

                check_content(root, manifest, flight_day(manifest) or prepared, findings.profile, report)
                check_part(message.header, manifest, report)
                key = (manifest.part.common_access_reference, manifest.part.sequence)
                if key[0] and key in parts_seen:
                    report("PAXLST-PART-DUPLICATE", Scope.MESSAGE, message.header, 4, 1,
                           {"sequence": f"{key[1] or 0:02d}", "first": str(parts_seen[key])})
                parts_seen.setdefault(key, message.index)
    return manifests


def _table_for(message_type: str, identifier: list[str], findings: Findings, interchange: Interchange,
               message: Message) -> MessageTable | None:
    """The table for UNH S009; for PAXLST, first whether the profile accepts the directory at all.

    A PAXLST directory the profile accepts but no table here describes (D.12B, D.15B in traffic)
    is read with the D.05B guideline table: the messages changed little, and a state that accepts
    them has said so in its profile.
    """
    if len(identifier) < 3:
        return None
    version, release = identifier[1], identifier[2]
    if message_type == "PAXLST":
        accepted = findings.profile.paxlst_directories
        if release not in accepted:
            findings.add("PAXLST-DIRECTORY", Scope.MESSAGE, message.header.offset, interchange=interchange.number,
                         group=message.group.number if message.group else None, message=message.index,
                         segment_position=1, segment_tag="UNH", element=2, component=3,
                         found=f"{version}:{release}", profile=findings.profile.name,
                         allowed=", ".join(f"D:{d}" for d in accepted))
        elif (message_type, version, release) not in TABLES:
            return PAXLST_D05B
    return TABLES.get((message_type, version, release))


def _prepared(interchange: Interchange) -> date | None:
    """The UNB preparation date, when it is a real date."""
    value = interchange.header.value(4, 1) if interchange.header else ""
    if len(value) not in (6, 8) or not valid_calendar("date", value):
        return None
    if len(value) == 8:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    return date(2000 + int(value[:2]), int(value[2:4]), int(value[4:6]))
