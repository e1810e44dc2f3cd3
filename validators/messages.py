"""Message-level checks: each message read against the segment table of its type and version.

Which table applies is data, keyed by UNH S009 (message type, version, release). A message whose
type or directory has no table here is checked at the syntax level only.
"""

from __future__ import annotations

from validators.edifact.envelope import Interchange
from validators.findings import Findings
from validators.paxlst.tables import PAXLST_D02B, PAXLST_D05B
from validators.report import Scope
from validators.structure import MessageTable, walk

TABLES: dict[tuple[str, str, str], MessageTable] = {
    ("PAXLST", "D", "02B"): PAXLST_D02B,
    ("PAXLST", "D", "05B"): PAXLST_D05B,
}


def check_structure(interchanges: list[Interchange], findings: Findings) -> None:
    """Walk every message that has a table; record each structure fault at its segment."""
    for interchange in interchanges:
        for message in interchange.messages:
            identifier = message.identifier
            table = TABLES.get((message.type, *identifier[1:3])) if len(identifier) >= 3 else None
            if table is None:
                continue
            body = message.segments[1:-1] if message.trailer is not None else message.segments[1:]
            end = message.trailer if message.trailer is not None else message.segments[-1]
            _, faults = walk(table, body, end)
            group = message.group.number if message.group else None
            for fault in faults:
                segment = fault.segment
                findings.add(fault.code, Scope.SEGMENT, segment.offset, interchange=interchange.number, group=group,
                             message=message.index, segment_position=segment.position, segment_tag=segment.tag,
                             **fault.params)
