"""The validators' front door: bytes in, a report out. Pure: no files, no sockets, no clock."""

from __future__ import annotations

from validators.edifact.envelope import Interchange, read_interchanges
from validators.edifact.tokenizer import LineIndex
from validators.findings import Findings
from validators.profiles import BASELINE, Profile
from validators.report import Report

# UNH 0065 message type → the format name used in reports and JSON (DESIGN.md §6.10).
FORMATS = {"PAXLST": "paxlst", "PNRGOV": "pnrgov", "CUSRES": "cusres", "CONTRL": "contrl", "ACKRES": "ackres"}


def validate(data: bytes, profile: Profile = BASELINE) -> Report:
    """Check one file's bytes; never raises on bad input, whatever the bytes are."""
    text = data.decode("latin-1")  # one character per byte: offsets stay byte offsets
    findings = Findings(profile, LineIndex(text))
    interchanges = read_interchanges(text, findings)
    return Report(format=detect_format(interchanges), findings=findings.result(), interchanges=interchanges)


def detect_format(interchanges: list[Interchange]) -> str:
    for interchange in interchanges:
        for message in interchange.messages:
            return FORMATS.get(message.type, "edifact")
    return "edifact" if interchanges else "unknown"
