"""What surrounds the interchanges in a file: Type B / STX-ETX wrappers, junk, bundles, the format.

Real files are dirty: a SITA Type B header and STX/ETX around the interchange, spooler junk before
``UNA``, text after ``UNZ``, several interchanges (each with its own ``UNA``) in one file. This finds
each interchange's start, reports everything else as a finding (its severity is the profile's
tolerance) and hands each interchange to the envelope reader.
"""

from __future__ import annotations

import re

from validators.edifact import charsets
from validators.edifact.envelope import Interchange, read_interchange
from validators.findings import Findings
from validators.report import Scope

_START = re.compile(r"UNA|UNB(?=[^A-Za-z0-9]|\Z)")
_TYPE_B = re.compile(r"[\x01\x02\x03]|^\s*[A-Z]{2} (?:[A-Z0-9]{7}\s+)+\.[A-Z0-9]{7} ", re.M)

# UNH 0065 message type → the format name used in reports and JSON (DESIGN.md §6.10).
FORMATS = {"PAXLST": "paxlst", "PNRGOV": "pnrgov", "CUSRES": "cusres", "CONTRL": "contrl", "ACKRES": "ackres"}


def read_interchanges(text: str, findings: Findings) -> list[Interchange]:
    """Every interchange in the file, in order, with the envelope findings recorded."""
    if not text.strip():
        findings.add("EDI-PRE-EMPTY", Scope.INTERCHANGE, 0 if text else None)
        return []
    start = _find_start(text, 0)
    if start is None:
        findings.add("EDI-PRE-NO-INTERCHANGE", Scope.INTERCHANGE, 0, what=_describe(text))
        return []
    wrapped = _report_preamble(text, 0, start, findings, interchange=1)
    interchanges: list[Interchange] = []
    messages = 0
    while start is not None:
        interchange = read_interchange(text, start, len(interchanges) + 1, findings, first_message=messages + 1)
        interchanges.append(interchange)
        messages += len(interchange.messages)
        start = _find_start(text, interchange.end)
        if start is not None:
            _report_preamble(text, interchange.end, start, findings, interchange=len(interchanges) + 1)
    tail = text[interchanges[-1].end:]
    stripped = tail.strip()
    if wrapped:
        stripped = stripped.removeprefix("\x03").strip()  # the ETX closing the wrapper reported above
    if stripped:
        offset = len(text) - len(tail.lstrip()) if not wrapped else text.index(stripped, interchanges[-1].end)
        findings.add("EDI-PRE-JUNK-AFTER", Scope.INTERCHANGE, offset, interchange=len(interchanges), size=len(stripped))
    if len(interchanges) > 1:  # on each of them: a profile that rejects bundles rejects every part alike
        for interchange in interchanges:
            findings.add("EDI-PRE-BUNDLE", Scope.INTERCHANGE, interchange.start, interchange=interchange.number,
                         count=len(interchanges))
    return interchanges


def _find_start(text: str, pos: int) -> int | None:
    """The next UNA or UNB that really opens an interchange (a UNB follows a UNA closely)."""
    for match in _START.finditer(text, pos):
        at = match.start()
        if match.group() == "UNB":
            return at
        window = text[at + 3:at + 48]
        unb = window.find("UNB")
        # six service characters, maybe a line break, then UNB; a few characters more or less is a
        # UNA of the wrong length (reported as such), anything further is text that says "UNA"
        if unb != -1 and (unb <= 9 or not window[6:unb].strip(" \t\r\n")):
            return at
    return None


def _report_preamble(text: str, begin: int, end: int, findings: Findings, interchange: int) -> bool:
    """Report what precedes an interchange; True when it is a Type B / STX-ETX wrapper."""
    preamble = text[begin:end]
    if not preamble.strip():
        return False
    offset = begin + (len(preamble) - len(preamble.lstrip()))
    if _TYPE_B.search(preamble):
        findings.add("EDI-PRE-TYPEB", Scope.INTERCHANGE, offset, interchange=interchange, size=len(preamble.strip()))
        return True
    findings.add("EDI-PRE-JUNK-BEFORE", Scope.INTERCHANGE, offset, interchange=interchange, size=len(preamble.strip()))
    return False


def _describe(text: str) -> str:
    head = text.lstrip()[:64]
    if head.startswith("<"):
        return "the file looks like an XML document"
    if charsets.CONTROL_CHARACTERS.search(head):
        return "the file looks like binary data"
    if "UNH" in text:
        return "it holds a message (UNH) without the interchange header UNB around it"
    return "no 'UNA' or 'UNB' segment occurs in the text"


def detect_format(interchanges: list[Interchange]) -> str:
    for interchange in interchanges:
        for message in interchange.messages:
            return FORMATS.get(message.type, "edifact")
    return "edifact" if interchanges else "unknown"
