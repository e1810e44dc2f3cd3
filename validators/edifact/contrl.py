"""The CONTRL writer (syntax and service report, ISO 9735 part 6 / UN CONTRL).

It answers one received interchange in the sender's own syntax: the same syntax identifier and
version, the same separators (and a UNA only when the sender sent one), CONTRL:4:1:UN for version
4 and CONTRL:D:3:UN below. Errors are placed at the lowest level that can carry them: UCI for the
interchange (UNA/UNB/UNZ), UCF for a functional group, UCM for a message (UNH/UNT), and UCS/UCD
for a segment and its element/component inside a message. One UCM answers every message.

Only error findings appear: a CONTRL pointer means "rejected here". Warnings travel in the JSON
report. Clock and references come in through ``ContrlContext`` so output is exact in tests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from validators.edifact import charsets
from validators.edifact.envelope import Interchange, Message
from validators.edifact.tokenizer import is_tag
from validators.edifact.writer import Element, reply_header, segment
from validators.report import Finding, Report, Scope

ACCEPTED, REJECTED, RECEIVED = "7", "4", "8"
UNSPECIFIED = 18
# 0085 codes each syntax version defines (STANDARDS.md §4.4); others are sent as 18 (unspecified).
_SYNTAX_ERRORS = {
    "3": frozenset({2, 7, *range(12, 44)}),
    "4": frozenset({2, 7, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 32, 33, 35, 36, 37,
                    39, 40, 45, 46, 47, 48}),
}
_MAX_UCS, _MAX_UCD = 999, 99
# When one level has several errors, the one that explains the others goes into the single 0085 slot:
# a wrong recipient, then bad service characters; otherwise file order. (An unsupported syntax gets
# no CONTRL at all: validators/acks.py.)
_PRECEDENCE = {7: 0, 20: 1, 22: 2}


@dataclass(frozen=True, slots=True)
class ContrlContext:
    """What the gateway supplies: its clock and its own reference counters."""

    prepared: datetime
    interchange_reference: str
    message_reference: str = "1"


def write_contrl(report: Report, interchange: Interchange, context: ContrlContext, *,
                 receipt_only: bool = False) -> bytes:
    """The CONTRL answering ``interchange`` (one of ``report.interchanges``), encoded for the wire."""
    version = interchange.rules_version
    delimiters = interchange.delimiters
    lines: list[str] = []

    def put(tag: str, *elements: Element) -> None:
        lines.append(segment(tag, elements, delimiters))

    lines += reply_header(interchange, context.prepared, context.interchange_reference)
    body_start = len(lines)
    identifier = ["CONTRL", "4", "1", "UN"] if version == "4" else ["CONTRL", "D", "3", "UN"]
    put("UNH", context.message_reference, identifier)

    ich_errors = report.errors_in(interchange.number, scope=Scope.INTERCHANGE)
    rejected = bool(ich_errors)
    action = RECEIVED if receipt_only else (REJECTED if rejected else ACCEPTED)
    put("UCI", interchange.control_reference, interchange.sender, interchange.recipient, action,
        *([] if receipt_only else _error_pointer(ich_errors, version)))
    if not receipt_only:
        for message in interchange.messages:  # SG1: messages outside groups come before any UCF (SG3)
            if message.group is None:
                _message_response(put, report, interchange, message, rejected, version)
        if interchange.groups:
            for group in interchange.groups:
                group_errors = report.errors_in(interchange.number, group=group.number, scope=Scope.GROUP)
                group_rejected = rejected or bool(group_errors)
                put("UCF", group.reference, group.sender, group.recipient,
                    REJECTED if group_rejected else ACCEPTED, *_error_pointer(group_errors, version))
                for message in group.messages:
                    _message_response(put, report, interchange, message, group_rejected, version)
    put("UNT", str(len(lines) - body_start + 1), context.message_reference)
    put("UNZ", "1", context.interchange_reference)
    return encode("".join(lines), interchange.syntax_identifier)


def encode(text: str, syntax_identifier: str) -> bytes:
    """Encode for the wire, echoing the sender's own bytes where they broke their repertoire.

    Values quoted back (sender ids, references) were read as ISO 8859-1, so for the ASCII-based
    identifiers Latin-1 gives back exactly the bytes received. Where a character has no encoding
    (a byte undefined in the declared part of ISO 8859), it becomes "_": a replacement such as "?"
    could be read as a release character and corrupt the answer.
    """
    identifier = charsets.SYNTAX_IDENTIFIERS.get(syntax_identifier)
    encoding = identifier.encoding if identifier else "latin-1"
    if encoding == "ascii":
        encoding = "latin-1"
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return "".join(c if _encodable(c, encoding) else "_" for c in text).encode(encoding)


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _message_response(put: Callable[..., None], report: Report, interchange: Interchange, message: Message,
                      parent_rejected: bool, version: str) -> None:
    errors = report.errors_in(interchange.number, message=message.index)
    message_level = [f for f in errors if f.scope is Scope.MESSAGE]
    segment_level = [f for f in errors if f.scope is Scope.SEGMENT and f.location.segment_position]
    rejected = parent_rejected or bool(errors)
    put("UCM", message.reference, message.identifier, REJECTED if rejected else ACCEPTED,
        *_error_pointer(message_level, version))
    by_position: dict[int, list[Finding]] = defaultdict(list)
    for finding in segment_level:
        by_position[finding.location.segment_position or 0].append(finding)
    for position in sorted(by_position)[:_MAX_UCS]:
        findings = by_position[position]
        whole = [f for f in findings if f.location.element is None]
        put("UCS", str(position), *([_code(whole[0], version)] if whole else []))
        seen: set[tuple[int, int | None]] = set()
        for finding in findings:
            loc = finding.location
            if loc.element is None or (loc.element, loc.component) in seen or len(seen) == _MAX_UCD:
                continue
            seen.add((loc.element, loc.component))
            put("UCD", _code(finding, version), _s011(loc.element, loc.component))


def _error_pointer(errors: list[Finding], version: str) -> list[Element]:
    """0085 + 0135 (service segment tag) + S011 for UCI/UCF/UCM, from the first error."""
    if not errors:
        return []
    first = min(errors, key=lambda f: _PRECEDENCE.get(f.syntax_error or 0, len(_PRECEDENCE)))  # stable: file order
    loc = first.location
    pointer = _s011(loc.element, loc.component) if loc.element is not None else []
    tag = loc.segment_tag or ""
    if not is_tag(tag):  # a garbled tag cannot be echoed as 0135
        tag, pointer = "", []
    return [_code(first, version), tag, pointer]


def _s011(element: int, component: int | None) -> list[str]:
    """S011 0098:0104. ISO 9735 counts the segment tag as position 1, so data element n (our
    locations count from the first element after the tag, as people read a segment) is n + 1."""
    return [str(element + 1)] + ([str(component)] if component else [])


def _code(finding: Finding, version: str) -> str:
    code = finding.syntax_error
    if code is None or code not in _SYNTAX_ERRORS[version]:
        code = UNSPECIFIED
    return str(code)

