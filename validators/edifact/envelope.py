"""Interchanges, groups and messages: reading the ISO 9735 envelope and checking its rules.

Given where an interchange starts (``validators.preprocess`` finds that), this picks its
separators (UNA, or the defaults of its syntax identifier), tokenizes it, nests its segments into
groups (UNG/UNE) and messages (UNH/UNT), numbers every message segment as CONTRL counts it, and
checks the envelope: references and counts in the trailers, mandatory and well-formed service data
elements, the character repertoire. Every fault becomes a finding with its position; nothing here
raises on bad input.
"""

from __future__ import annotations

import bisect
import codecs
import re
import weakref
from dataclasses import dataclass, field

from validators.edifact import charsets
from validators.edifact.delimiters import LEVEL_A_DEFAULT, LEVEL_B_DEFAULT, Delimiters, parse_una
from validators.edifact.service_segments import SERVICE_SEGMENTS, rules_version
from validators.edifact.tokenizer import Anomaly, Segment, SegmentMap, read_segments
from validators.elements import check_segment, is_number
from validators.findings import Findings
from validators.report import Scope

_ENVELOPE_CODES = {"missing": "EDI-ENV-MISSING", "too-many": "EDI-ENV-TOO-MANY", "not-numeric": "EDI-ENV-NOT-NUMERIC",
                   "too-long": "EDI-ENV-TOO-LONG", "too-short": "EDI-ENV-TOO-SHORT", "date": "EDI-ENV-DATE",
                   "code": "EDI-ENV-CODE"}
_SCAN_LIMIT = 10_000  # invalid characters looked at per interchange
_UTF8_LIMIT = 100  # invalid UTF-8 sequences looked at per interchange
_CHARACTER_FINDINGS = 20  # components reported one by one before the rest is summed up
_READ_AS_IS = ("ascii", "latin-1", "iso8859_1")  # encodings the tokenizer's Latin-1 reading already gives
_NESTING_TAGS = frozenset(("UNG", "UNH", "UNT", "UNE", "UNZ"))  # the tags that open or close a level
_SCOPE_OF_TAG = {"UNB": Scope.INTERCHANGE, "UNZ": Scope.INTERCHANGE, "UNG": Scope.GROUP, "UNE": Scope.GROUP,
                 "UNH": Scope.MESSAGE, "UNT": Scope.MESSAGE}


@dataclass(slots=True, eq=False)
class Message:
    index: int  # 1-based in the file
    number: int  # 1-based in its interchange
    header: Segment
    segments: list[Segment] = field(default_factory=list)  # UNH … UNT, both included
    trailer: Segment | None = None
    group: Group | None = None

    @property
    def reference(self) -> str:
        return self.header.value(1)

    @property
    def identifier(self) -> list[str]:
        """UNH S009: message type, version, release, agency, association code …"""
        return self.header.elements[1] if len(self.header.elements) > 1 else []

    @property
    def type(self) -> str:
        return self.header.value(2, 1)

    @property
    def common_access_reference(self) -> str:
        return self.header.value(3)

    @property
    def sequence(self) -> str:
        return self.header.value(4, 1)

    @property
    def first_last(self) -> str:
        return self.header.value(4, 2)


@dataclass(slots=True, eq=False, weakref_slot=True)
class Group:
    number: int
    header: Segment
    messages: list[Message] = field(default_factory=list)
    trailer: Segment | None = None

    @property
    def reference(self) -> str:
        return self.header.value(5)

    @property
    def message_group(self) -> str:
        return self.header.value(1)

    @property
    def sender(self) -> list[str]:
        return self.header.elements[1] if len(self.header.elements) > 1 else [""]

    @property
    def recipient(self) -> list[str]:
        return self.header.elements[2] if len(self.header.elements) > 2 else [""]


@dataclass(slots=True, eq=False)
class Interchange:
    number: int
    start: int  # offset of UNA (or UNB)
    end: int  # offset just past the last segment
    una: str | None  # the six service characters as sent, or None without UNA
    delimiters: Delimiters
    syntax_identifier: str
    syntax_version: str
    segments: list[Segment]
    header: Segment | None = None
    trailer: Segment | None = None
    groups: list[Group] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def sender(self) -> list[str]:
        return self.header.elements[1] if self.header and len(self.header.elements) > 1 else [""]

    @property
    def recipient(self) -> list[str]:
        return self.header.elements[2] if self.header and len(self.header.elements) > 2 else [""]

    @property
    def control_reference(self) -> str:
        return self.header.value(5) if self.header else ""

    @property
    def acknowledgement_request(self) -> str:
        return self.header.value(9) if self.header else ""

    @property
    def test_indicator(self) -> str:
        return self.header.value(11) if self.header else ""

    @property
    def rules_version(self) -> str:
        return rules_version(self.syntax_version)


def _scope_of(segment: Segment) -> Scope:
    """The CONTRL level a fault in ``segment`` belongs to: its envelope level, or UCS inside a message."""
    return _SCOPE_OF_TAG.get(segment.tag, Scope.SEGMENT if segment.position else Scope.INTERCHANGE)


def _peek_syntax(text: str, at: int, element: str, component: str) -> tuple[str, str]:
    """Syntax identifier and version from the UNB at ``at``, before the separators are settled."""
    if not text.startswith("UNB", at):
        return "", ""
    end = text.find(element, at + 4)
    s001 = text[at + 4:end if end != -1 else at + 40]
    parts = s001.split(component)
    return parts[0], parts[1] if len(parts) > 1 else ""


def read_interchange(text: str, start: int, number: int, findings: Findings, first_message: int) -> Interchange:
    """The interchange whose UNA or UNB is at ``start``; ``number`` and ``first_message`` count from 1 in the file."""
    una: str | None = None
    una_problems = []
    if text.startswith("UNA", start):
        unb = text.find("UNB", start + 3)
        if unb - (start + 3) < 6 or text[start + 9:unb].strip(" \t\r\n"):
            findings.add("EDI-UNA-LENGTH", Scope.INTERCHANGE, start, interchange=number, segment_tag="UNA",
                         length=unb - (start + 3))
            seg_start = unb
        else:
            una = text[start + 3:start + 9]
            seg_start = start + 9
    else:
        seg_start = start
    ws = re.compile(r"[ \t\r\n]*").match(text, seg_start)
    unb_at = ws.end() if ws else seg_start
    if una is not None:
        identifier, version = _peek_syntax(text, unb_at, una[1], una[0])
        delimiters, una_problems = parse_una(una, identifier, version or None)
    else:
        after = text[unb_at + 3:unb_at + 4]
        if after == LEVEL_B_DEFAULT.element:
            identifier, version = _peek_syntax(text, unb_at, LEVEL_B_DEFAULT.element, LEVEL_B_DEFAULT.component)
            known = charsets.SYNTAX_IDENTIFIERS.get(identifier)
            delimiters = known.defaults if known and known.defaults.element == LEVEL_B_DEFAULT.element else LEVEL_B_DEFAULT
        else:
            identifier, version = _peek_syntax(text, unb_at, after or "+", ":")
            known = charsets.SYNTAX_IDENTIFIERS.get(identifier)
            delimiters = known.defaults if known else LEVEL_A_DEFAULT
    for problem in una_problems:
        findings.add(problem.code, Scope.INTERCHANGE, start + 2 + problem.position, interchange=number,
                     segment_tag="UNA", position=problem.position, **problem.params)

    syntax = charsets.SYNTAX_IDENTIFIERS.get(identifier)
    encoding = syntax.encoding if syntax is not None and syntax.encoding not in _READ_AS_IS else None
    run = read_segments(text, seg_start, delimiters, encoding)
    interchange = Interchange(number, start, run.end, una, delimiters, identifier, version, run.segments)
    checker = _EnvelopeChecker(text, interchange, findings, first_message)
    checker.walk()
    checker.check_repertoire()
    checker.report_anomalies(run.anomalies, run.between_segments())
    return interchange


class _EnvelopeChecker:
    """Nests one interchange's segments and records every envelope finding."""

    def __init__(self, text: str, interchange: Interchange, findings: Findings, first_message: int) -> None:
        self.text = text
        self.ich = interchange
        self.findings = findings
        self.next_message = first_message
        self.tables = SERVICE_SEGMENTS[interchange.rules_version]
        self.identifier = charsets.SYNTAX_IDENTIFIERS.get(interchange.syntax_identifier)
        self._message_offsets: list[int] = []
        self._group_offsets: list[int] = []

    # --- locating ------------------------------------------------------------------------------
    def where(self, segment: Segment, element: int | None = None, component: int | None = None,
              offset: int | None = None) -> dict[str, object]:
        """Keyword arguments for Findings.add that place a finding on ``segment``."""
        message = self.message_of(segment)
        group = message.group if message else self.group_of(segment)
        return {
            "interchange": self.ich.number,
            "group": group.number if group else None,
            "message": message.index if message else None,
            "segment_position": segment.position or None,
            "segment_tag": segment.tag or None,
            "element": element,
            "component": component,
            "offset": segment.offset if offset is None else offset,
        }

    def message_of(self, segment: Segment) -> Message | None:
        if not segment.position:
            return None
        i = bisect.bisect_right(self._message_offsets, segment.offset) - 1
        return self.ich.messages[i] if i >= 0 else None

    def group_of(self, segment: Segment) -> Group | None:
        """The group whose UNG…UNE span holds ``segment`` (groups are in file order: a bisection)."""
        i = bisect.bisect_right(self._group_offsets, segment.offset) - 1
        if i < 0:
            return None
        group = self.ich.groups[i]
        return group if group.trailer is None or segment.offset <= group.trailer.offset else None

    def add(self, code: str, scope: Scope, segment: Segment | None, element: int | None = None,
            component: int | None = None, offset: int | None = None, **params: object) -> None:
        if segment is None:
            self.findings.add(code, scope, offset, interchange=self.ich.number, **params)  # type: ignore[arg-type]
            return
        place = self.where(segment, element, component, offset)
        off = place.pop("offset")
        self.findings.add(code, scope, off, **place, **params)  # type: ignore[arg-type]

    # --- nesting -------------------------------------------------------------------------------
    def walk(self) -> None:
        ich = self.ich
        segments = ich.segments
        if not segments:
            self.add("EDI-UNB-MISSING", Scope.INTERCHANGE, None, offset=ich.start, tag="nothing")
            return
        first = segments[0]
        body = segments
        if first.tag == "UNB":
            ich.header = first
            body = segments[1:]
            self.check_elements(first, Scope.INTERCHANGE)
            self.check_syntax_identifier(first)
        else:
            self.add("EDI-UNB-MISSING", Scope.INTERCHANGE, first, tag=first.tag)
        message: Message | None = None
        held: list[Segment] = []  # the open message's segments
        group: Group | None = None
        bare_messages = 0
        mixed_reported = False
        seen_references: dict[str, Message] = {}
        for segment in body:
            tag = segment.tag
            if message is not None and tag not in _NESTING_TAGS:  # the usual case, first (a stray UNB too)
                held.append(segment)
                segment.position = len(held)
            elif tag == "UNH":
                if message is not None:
                    self.close_message(message, None, found=tag)
                # the message points at its group through a weak proxy: a Group -> Message -> Group cycle
                # would leave a whole interchange (every segment and element list) to the cyclic garbage
                # collector instead of being freed at once when the report goes (measured: 8 % of a push)
                message = Message(self.next_message, len(ich.messages) + 1, segment, [segment],
                                  group=weakref.proxy(group) if group is not None else None)
                held = message.segments
                self.next_message += 1
                segment.position = 1
                ich.messages.append(message)
                self._message_offsets.append(segment.offset)
                if group is not None:
                    group.messages.append(message)
                else:
                    bare_messages += 1
                if group is None and ich.groups and not mixed_reported:
                    self.add("EDI-UNG-MIXED", Scope.INTERCHANGE, segment)
                    mixed_reported = True
                self.check_elements(segment, Scope.MESSAGE)
                earlier = seen_references.get(message.reference)
                if earlier is not None and message.reference:
                    self.add("EDI-UNH-DUPLICATE", Scope.MESSAGE, segment, 1, reference=message.reference,
                             first=earlier.index)
                else:
                    seen_references[message.reference] = message
            elif tag == "UNT":
                if message is None:
                    self.add("EDI-SEG-OUTSIDE", Scope.INTERCHANGE, segment, tag=tag)
                    continue
                message.segments.append(segment)
                segment.position = len(message.segments)
                self.close_message(message, segment, found=tag)
                message = None
            elif tag == "UNG":
                if message is not None:
                    self.close_message(message, None, found=tag)
                    message = None
                if group is not None:
                    self.close_group(group, None)
                group = Group(len(ich.groups) + 1, segment)
                ich.groups.append(group)
                self._group_offsets.append(segment.offset)
                if bare_messages and not mixed_reported:
                    self.add("EDI-UNG-MIXED", Scope.INTERCHANGE, segment)
                    mixed_reported = True
                self.check_elements(segment, Scope.GROUP)
            elif tag == "UNE":
                if message is not None:
                    self.close_message(message, None, found=tag)
                    message = None
                if group is None:
                    self.add("EDI-SEG-OUTSIDE", Scope.INTERCHANGE, segment, tag=tag)
                    continue
                group.trailer = segment
                self.close_group(group, segment)
                group = None
            elif tag == "UNZ":
                if message is not None:
                    self.close_message(message, None, found=tag)
                    message = None
                if group is not None:
                    self.close_group(group, None)
                    group = None
                ich.trailer = segment
            else:  # a stray UNB included
                self.add("EDI-SEG-OUTSIDE", Scope.INTERCHANGE, segment, tag=tag)
        if message is not None:
            self.close_message(message, None, found="the end of the interchange")
        if group is not None:
            self.close_group(group, None)
        self.close_interchange()

    def close_message(self, message: Message, trailer: Segment | None, found: str) -> None:
        if trailer is None:  # reported where the UNT should have been, naming UNT (CONTRL 0135)
            self.findings.add("EDI-UNT-MISSING", Scope.MESSAGE, message.segments[-1].end, interchange=self.ich.number,
                              group=message.group.number if message.group else None, message=message.index,
                              segment_tag="UNT", reference=message.reference or "(none)", found=found)
            return
        message.trailer = trailer
        self.check_elements(trailer, Scope.MESSAGE)
        count, reference = trailer.value(1), trailer.value(2)
        if reference and reference != message.reference:
            self.add("EDI-UNT-REFERENCE", Scope.MESSAGE, trailer, 2, None, found=reference,
                     reference=message.reference)
        if is_number(count) and int(count) != len(message.segments):
            self.add("EDI-UNT-COUNT", Scope.MESSAGE, trailer, 1, None, found=count, actual=len(message.segments))

    def close_group(self, group: Group, trailer: Segment | None) -> None:
        if not group.messages:
            self.add("EDI-UNG-EMPTY", Scope.GROUP, group.header, reference=group.reference or "(none)")
        declared = group.message_group
        if declared:
            for message in group.messages:
                if message.type and message.type != declared:
                    self.add("EDI-UNG-MESSAGE-TYPE", Scope.GROUP, message.header, 2, 1, found=message.type,
                             group_type=declared)
                    break
        if trailer is None:
            last = group.messages[-1].segments[-1] if group.messages else group.header
            self.findings.add("EDI-UNE-MISSING", Scope.GROUP, last.end, interchange=self.ich.number, group=group.number,
                              segment_tag="UNE", reference=group.reference or "(none)")
            return
        self.check_elements(trailer, Scope.GROUP)
        count, reference = trailer.value(1), trailer.value(2)
        if reference and reference != group.reference:
            self.add("EDI-UNE-REFERENCE", Scope.GROUP, trailer, 2, None, found=reference, reference=group.reference)
        if is_number(count) and int(count) != len(group.messages):
            self.add("EDI-UNE-COUNT", Scope.GROUP, trailer, 1, None, found=count, actual=len(group.messages))

    def close_interchange(self) -> None:
        ich = self.ich
        if not ich.messages and ich.header is not None:
            self.add("EDI-INTERCHANGE-EMPTY", Scope.INTERCHANGE, ich.header)
        trailer = ich.trailer
        if trailer is None:
            self.findings.add("EDI-UNZ-MISSING", Scope.INTERCHANGE, ich.segments[-1].end, interchange=ich.number,
                              segment_tag="UNZ", reference=ich.control_reference or "<reference>")
            return
        self.check_elements(trailer, Scope.INTERCHANGE)
        count, reference = trailer.value(1), trailer.value(2)
        if ich.header is not None and reference and reference != ich.control_reference:
            self.add("EDI-UNZ-REFERENCE", Scope.INTERCHANGE, trailer, 2, None, found=reference,
                     reference=ich.control_reference)
        if is_number(count):
            actual, what = (len(ich.groups), "functional groups") if ich.groups else (len(ich.messages), "messages")
            if int(count) != actual:
                self.add("EDI-UNZ-COUNT", Scope.INTERCHANGE, trailer, 1, None, found=count, actual=actual, what=what)

    # --- service data elements -----------------------------------------------------------------
    def check_syntax_identifier(self, unb: Segment) -> None:
        identifier, version = unb.value(1, 1), unb.value(1, 2)
        if identifier and identifier not in charsets.SYNTAX_IDENTIFIERS:
            self.add("EDI-SYNTAX-ID", Scope.INTERCHANGE, unb, 1, 1, value=repr(identifier))
        if version and version not in charsets.SUPPORTED_VERSIONS:
            self.add("EDI-SYNTAX-VERSION", Scope.INTERCHANGE, unb, 1, 2, value=repr(version))
        allowed = self.findings.profile.recipients
        recipient = unb.value(3, 1)
        if allowed and recipient and recipient not in allowed:
            self.add("EDI-UNB-RECIPIENT", Scope.INTERCHANGE, unb, 3, 1, value=repr(recipient),
                     allowed=", ".join(allowed))

    def check_elements(self, segment: Segment, scope: Scope) -> None:
        for fault in check_segment(segment, self.tables[segment.tag]):
            params = fault.params
            if fault.kind == "code":  # the service code lists differ between syntax versions
                params = {**params, "allowed": f"{params['allowed']} (syntax version {self.ich.syntax_version or '?'})"}
            offset = segment.end if fault.kind == "missing" and fault.element > len(segment.elements) else None
            self.add(_ENVELOPE_CODES[fault.kind], scope, segment, fault.element, fault.component, offset=offset,
                     tag=segment.tag, **params)

    # --- characters ----------------------------------------------------------------------------
    def check_repertoire(self) -> None:
        """Characters outside the declared repertoire: one finding per component, at most 20."""
        ich, identifier = self.ich, self.identifier
        if identifier is None or not ich.segments:
            return
        begin, end = ich.segments[0].offset, ich.end
        offsets: list[int] = []
        if identifier.utf8:
            data = self.text[begin:end].encode("latin-1")
            pos = 0
            view = memoryview(data)
            while len(offsets) < _UTF8_LIMIT:
                try:
                    codecs.utf_8_decode(view[pos:], "strict", True)  # a view: no copy of the rest of the file
                    break
                except UnicodeDecodeError as error:
                    offsets.append(begin + pos + error.start)
                    pos += error.end
            service = set(ich.delimiters.service_characters())
            offsets += [m.start() for m in charsets.CONTROL_CHARACTERS.finditer(self.text, begin, end)
                        if m.group() not in service][:_SCAN_LIMIT]
            offsets.sort()
        else:
            pattern = charsets.invalid_characters(identifier, ich.delimiters)
            if pattern is None:
                return
            # the usual case in one C pass over the bytes (the search below costs a regex step per character)
            if not self.text[begin:end].encode("latin-1").translate(None, charsets.allowed_bytes(identifier, ich.delimiters)):
                return
            for match in pattern.finditer(self.text, begin, end):
                offsets.append(match.start())
                if len(offsets) >= _SCAN_LIMIT:
                    break
        starts = [s.offset for s in ich.segments]
        places: dict[tuple[int, int | None, int | None], list[int]] = {}
        maps: dict[int, SegmentMap] = {}
        for offset in offsets:
            i = bisect.bisect_right(starts, offset) - 1
            if i < 0 or offset >= ich.segments[i].end:
                continue  # whitespace between segments is judged on its own
            segment = ich.segments[i]
            if i not in maps:
                maps[i] = SegmentMap(segment.raw, ich.delimiters)
            element, component = maps[i].position(offset - segment.offset)
            places.setdefault((i, element, component), []).append(offset)
        for n, ((i, element, component), found) in enumerate(places.items()):
            segment = ich.segments[i]
            scope = _scope_of(segment)
            if n == _CHARACTER_FINDINGS:  # the rest in one finding, placed where the first of them is
                rest = sum(len(v) for v in list(places.values())[n:])
                self.add("EDI-CHAR-INVALID", scope, segment, element, component, offset=found[0], count=rest,
                         what=f"the first here, the others in {len(places) - n - 1} more places", syntax=identifier.code,
                         allowed=identifier.describe_allowed())
                break
            kinds = sorted({charsets.describe_character(self.text[o]) for o in found})
            self.add("EDI-CHAR-INVALID", scope, segment, element, component, offset=found[0], count=len(found),
                     what=" and ".join(kinds), syntax=identifier.code,
                     allowed=charsets.hint(identifier, kinds) or identifier.describe_allowed())

    def report_anomalies(self, anomalies: list[Anomaly], whitespace: tuple[int, int] | None) -> None:
        """Tokenizer faults as findings; ``whitespace`` is where whitespace between segments was
        first seen and how often."""
        starts: list[int] = []  # where each segment begins, for an anomaly without one (made when first needed)
        maps: dict[int, SegmentMap] = {}
        for anomaly in anomalies:
            segment = anomaly.segment
            if segment is None:
                starts = starts or [s.offset for s in self.ich.segments]
                i = bisect.bisect_right(starts, anomaly.offset) - 1
                segment = self.ich.segments[i] if i >= 0 else None
            if segment is None:
                self.add(anomaly.code, Scope.INTERCHANGE, None, offset=anomaly.offset, **anomaly.params)
                continue
            index = anomaly.offset - segment.offset
            if anomaly.code == "EDI-SEG-TRAILING-SEPARATOR":
                index += 1  # point at the empty element or component the separator opens
            if id(segment) not in maps:
                maps[id(segment)] = SegmentMap(segment.raw, self.ich.delimiters)
            element, component = maps[id(segment)].position(index)
            if anomaly.code in ("EDI-SEG-TAG", "EDI-SEG-EMPTY", "EDI-SEG-UNTERMINATED"):
                element = component = None
            scope = _scope_of(segment)
            self.add(anomaly.code, scope, segment, element, component, offset=anomaly.offset, **anomaly.params)
        if whitespace is not None:
            self.add("EDI-SEG-WHITESPACE", Scope.INTERCHANGE, None, offset=whitespace[0], count=whitespace[1])
