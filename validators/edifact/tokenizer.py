"""The position-aware EDIFACT tokenizer (ISO 9735 syntax level, sans-I/O).

Every segment keeps where it came from: its byte offset and end in the file, so a finding can be
pinned to a line and column and a CONTRL can point at the element and component. Segments are
read one at a time up to the interchange trailer UNZ, so a file that bundles several interchanges
(each with its own UNA) is read with the right separators for each.

The text is the file decoded as ISO 8859-1 (one character per byte), so offsets are byte offsets.
"""

from __future__ import annotations

import bisect
import re
import sys
from dataclasses import dataclass, field

import msgspec

from validators.edifact.delimiters import Delimiters

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}\Z")


def is_tag(text: str) -> bool:
    """Whether ``text`` is a well-formed segment tag: an upper-case letter, then two letters or digits."""
    return _TAG.match(text) is not None


def between_segments(delimiters: Delimiters) -> str:
    """The characters skipped between segments (and noted): spaces, tabs, CR, LF, unless one terminates."""
    return " \t\r\n".replace(delimiters.segment, "")
_BETWEEN_SEGMENTS = re.compile(r"[ \t\r\n]+")
RELEASE_FINDINGS = 20  # misused release characters reported per interchange
_NEXT_INTERCHANGE = frozenset(("UNA", "UNB"))  # tags that begin the next interchange: asked about every time


class Splitter:
    """How the segments of one interchange are taken apart into data elements.

    Element lists are shared by every segment with the same text: a list repeats segments
    (``LOC+178+LHR``, ``ATT+2++M``) once per traveller, and each distinct text is split once
    (``read`` holds them, by text). The lists are therefore read-only for everyone. Values are
    decoded here when the interchange's syntax identifier names an encoding other than Latin-1 (the
    tokenizer's one-byte-per-character reading), so no later pass has to rewrite them.
    """

    __slots__ = ("delimiters", "encoding", "read")

    def __init__(self, delimiters: Delimiters, encoding: str | None = None) -> None:
        self.delimiters = delimiters
        self.encoding = encoding  # None: values stay as read (ASCII or Latin-1)
        self.read: dict[str, list[list[str]]] = {}

    def split(self, raw: str) -> list[list[str]]:
        """The elements of a text not split yet (a segment looks in ``read`` itself first)."""
        delimiters = self.delimiters
        rel = delimiters.release
        if rel is None or rel not in raw:
            elem, comp = delimiters.element, delimiters.component
            _, separator, rest = raw.partition(elem)  # the tag, cut off without a list to hold it
            # most texts split for the first time in a list hold one data element (DTM+329:850101,
            # RFF+AVF:AB12CD: one per traveller): no comprehension for them (a call of its own on this Python)
            if elem not in rest:
                elements = [rest.split(comp)] if separator else []
            else:
                elements = [part.split(comp) for part in rest.split(elem)]
        else:
            elements = _released_split(raw, delimiters)
        encoding = self.encoding
        if encoding is not None and not raw.isascii():
            elements = [[v if v.isascii() else v.encode("latin-1").decode(encoding, "replace") for v in components]
                        for components in elements]
        self.read[raw] = elements
        return elements


class Segment(msgspec.Struct, gc=False, eq=False):
    """One segment: its tag, its data elements as lists of components, and its place in the file.

    ``elements[i][j]`` is component j+1 of data element i+1 (the 0098/0104 positions CONTRL uses);
    a simple data element is a one-component list. Values are unescaped. Elements are split from
    the raw text on first use (the syntax pass needs only tags and offsets for most segments) and
    are shared with every segment of the same text: read them, never change them.

    A msgspec struct (its constructor is C; one is made per segment read) that the garbage
    collector need not track: a segment refers to strings, lists of strings and its splitter,
    never back to anything that holds it.
    """

    tag: str
    raw: str  # the segment as sent, without its terminator
    offset: int  # byte offset of the first tag character
    end: int  # byte offset of the segment terminator (or end of data when unterminated)
    splitter: Splitter
    position: int = 0  # position in its message as CONTRL counts it (UNH = 1); 0 outside messages
    _elements: list[list[str]] | None = None

    @property
    def elements(self) -> list[list[str]]:
        elements = self._elements
        if elements is None:  # the text's elements as split for an earlier segment, else split now
            raw = self.raw
            elements = self.splitter.read.get(raw)
            if elements is None:
                elements = self.splitter.split(raw)
            self._elements = elements
        return elements

    def value(self, element: int, component: int = 1) -> str:
        """The value at 1-based element/component positions, '' when absent."""
        elements = self._elements  # read directly: this is called for most values read
        if elements is None:
            elements = self.elements
        if element > len(elements):
            return ""
        components = elements[element - 1]
        return components[component - 1] if component <= len(components) else ""

    def __repr__(self) -> str:
        return f"Segment({self.tag!r}, {self.elements!r}, offset={self.offset})"


def _released_split(raw: str, delimiters: Delimiters) -> list[list[str]]:
    """A segment's data elements when its text holds the release character (``delimiters.release``)."""
    rel = delimiters.release
    assert rel is not None
    unescape = _unescaper(rel)
    result: list[list[str]] = []
    for element in _split_on(raw, delimiters.element, rel)[1:]:
        components = _split_on(element, delimiters.component, rel)
        result.append([unescape.sub(r"\1", c) if rel in c else c for c in components])
    return result


@dataclass(slots=True)
class Anomaly:
    """A tokenizer-level fault, as raw facts; the envelope layer turns it into a finding."""

    code: str
    offset: int
    segment: Segment | None = None
    params: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SegmentRun:
    segments: list[Segment]
    end: int  # offset just past the last segment read (past UNZ's terminator, or end of data)
    anomalies: list[Anomaly]
    whitespace: list[int]  # offsets where whitespace between segments was skipped
    line_breaks: int = 0  # CR LF after the terminators of a one-segment-per-line region, stripped in bulk

    def between_segments(self) -> tuple[int, int] | None:
        """Where whitespace between segments was first skipped and how often, or None."""
        count = len(self.whitespace) + self.line_breaks
        if not count:
            return None
        firsts = self.whitespace[:1] + ([self.segments[0].end + 1] if self.line_breaks else [])
        return min(firsts), count


def read_segments(text: str, start: int, delimiters: Delimiters, encoding: str | None = None) -> SegmentRun:
    """Read segments from ``text[start:]`` up to and including UNZ, or up to the next UNA/UNB.

    ``encoding`` is the values' encoding when it is not Latin-1 (see ``Splitter``).

    Stops before a segment whose tag is UNA or UNB (that is the next interchange; a missing UNZ is
    for the envelope layer to report) and after UNZ. The region up to the first unreleased UNZ is
    split in one pass; the per-segment loop only slices, so the cost stays linear in the file.
    """
    term, rel, elem, comp = delimiters.segment, delimiters.release, delimiters.element, delimiters.component
    splitter = Splitter(delimiters, encoding)
    whitespace_chars = between_segments(delimiters)
    separators = (elem, comp)
    stop = _region_end(text, start, delimiters)
    whitespace: list[int] = []
    region = text[start:stop].lstrip(whitespace_chars)  # e.g. a line break after UNA
    pos = stop - len(region)
    if pos > start:
        whitespace.append(start)
    parts = _lines(region, term, rel)
    gap = 0 if parts is None else 2  # the CR LF after each terminator, split off with it
    if parts is None:
        parts = region.split(term) if rel is None else _split_on(region, term, rel)
    tail = parts.pop()  # what follows the last terminator: nothing, whitespace, or an unterminated segment
    # what no segment can have unless the region shows it, asked once instead of for every segment
    breaks = not gap and ("\n" in region or "\r" in region)
    # one regular expression each, which looks for the terminator and then behind or past it: a
    # substring search per pair of characters stops at every terminator, several times over
    spaced = not gap and re.search(f"{re.escape(term)}[{re.escape(whitespace_chars)}]", region) is not None
    trailing = re.search(f"{re.escape(term)}(?<=[{re.escape(elem + comp)}]{re.escape(term)})", region) is not None
    segments: list[Segment] = []
    append = segments.append
    anomalies: list[Anomaly] = []
    known: dict[str, str] = {}  # the first four characters of a segment → its well-formed tag
    lead = 0  # characters between the previous terminator and this segment, stripped in bulk
    stopped = ""  # why the loop ended early: "UNZ", or "UNB" when the next interchange begins
    for raw in parts:
        offset = pos + lead
        lead = gap
        if spaced and raw and raw[0] in whitespace_chars:
            if raw[:2] == "\r\n" and raw[2:3] not in whitespace_chars:
                skip = 2  # the usual CR/LF after each terminator, without a regex
            else:
                match = _BETWEEN_SEGMENTS.match(raw)
                assert match is not None
                skip = match.end()
            whitespace.append(offset)
            raw = raw[skip:]
            offset += skip
        # a segment whose first four characters began a segment with a well-formed tag before (the tag
        # and its element separator) has that tag, which is neither UNA nor UNB (never remembered) nor
        # UNZ (the first one ends the reading): the usual segment is past every question with one look-up
        tag = known.get(raw[:4])
        new = tag is None
        if new:
            cut_at = raw.find(elem)
            tag = raw if cut_at == -1 else raw[:cut_at]
            if tag[:1] == "U" and segments and (tag == "UNB" or raw.startswith("UNA")):
                pos, stopped = offset, "UNB"  # the next interchange begins: leave it for the next read
                break
        end = offset + len(raw)
        pos = end + 1
        segment = Segment(tag, raw, offset, end, splitter)
        append(segment)
        if new:
            _check_tag(segment, known, anomalies)
        if breaks and ("\n" in raw or "\r" in raw):
            anomalies.append(Anomaly("EDI-SEG-LINEBREAK", offset + _first_break(raw), segment))
        if trailing and raw[-1:] in separators and not _released_at(raw, len(raw) - 1, rel):
            anomalies.append(Anomaly("EDI-SEG-TRAILING-SEPARATOR", end - 1, segment))
        if new and tag == "UNZ":
            stopped = tag
            break
    # the line breaks split off in bulk are whitespace between segments too (one before the next interchange)
    line_breaks = max(len(segments) - 1 + (stopped == "UNB"), 0) if gap else 0
    if not stopped:
        pos = _read_unterminated(tail, pos, segments, splitter, anomalies, whitespace)
    if rel is not None:
        _misused_releases(text, start, pos, delimiters, anomalies)
    return SegmentRun(segments, pos, anomalies, whitespace, line_breaks)


def _lines(region: str, term: str, rel: str | None) -> list[str] | None:
    """The region split at "terminator CR LF" when that is how every segment ends (the usual one
    segment per line): the line breaks go with the split, so the reader never looks at a segment's
    start. The last part is what follows the last terminator, as a plain split gives it. None when
    the region is laid out otherwise (a line break anywhere else, a space after one, a released
    terminator before one): the careful reading handles those."""
    lines = region.count("\r\n")
    if (term in "\r\n" or not lines or region.count("\r") != lines or region.count("\n") != lines
            or region.count(term + "\r\n") != lines or "\r\n " in region or "\r\n\t" in region):
        return None
    released = 0
    if rel is not None and rel + term in region:
        if rel + rel + term in region or rel + term + "\r\n" in region:
            return None  # release runs or a released terminator before a line break: the careful split tells
        released = region.count(rel + term)
    final = region.endswith(term)
    if region.count(term) - released != lines + final:
        return None  # a terminator not followed by a line break
    parts = region.split(term + "\r\n")
    if final:  # the region ends at its last terminator (UNZ's): nothing follows it
        parts[-1] = parts[-1][:-1]
        parts.append("")
    else:  # what follows the last terminator, with the line break that came after it
        parts[-1] = "\r\n" + parts[-1]
    return parts


def _check_tag(segment: Segment, known: dict[str, str], anomalies: list[Anomaly]) -> None:
    """A segment whose start the reader has not seen yet: its tag is remembered by the segment's first
    four characters when well-formed (a well-formed tag is three characters, so they are the tag and
    what ends it), but not UNA and UNB, which may begin the next interchange; a malformed one
    is reported. Remembered tags are interned: every later segment shares the one string, whose
    hash and comparisons (``tag == "LOC"``) are then the cheapest Python has."""
    tag = segment.tag
    if is_tag(tag):
        if tag not in _NEXT_INTERCHANGE:
            known[segment.raw[:4]] = sys.intern(tag)
    elif not segment.raw.strip():
        anomalies.append(Anomaly("EDI-SEG-EMPTY", segment.offset, segment))
    else:
        anomalies.append(Anomaly("EDI-SEG-TAG", segment.offset, segment, {"tag": tag}))


def _first_break(raw: str) -> int:
    return min(i for i in (raw.find("\n"), raw.find("\r")) if i != -1)


def _read_unterminated(tail: str, pos: int, segments: list[Segment], splitter: Splitter,
                       anomalies: list[Anomaly], whitespace: list[int]) -> int:
    """The text after the last terminator: nothing, whitespace, the next interchange, or a cut-off segment."""
    delimiters = splitter.delimiters
    stripped = tail.lstrip(between_segments(delimiters))
    if not stripped:
        if tail:
            whitespace.append(pos)
        return pos + len(tail)
    offset = pos + len(tail) - len(stripped)
    if stripped.startswith(("UNA", "UNB")) and segments:
        return offset  # a (truncated) next interchange: the next read reports it
    cut_at = stripped.find(delimiters.element)
    tag = stripped if cut_at == -1 else stripped[:cut_at]
    segment = Segment(tag, stripped, offset, offset + len(stripped), splitter)
    segments.append(segment)
    _check_tag(segment, {}, anomalies)
    if "\n" in stripped or "\r" in stripped:
        anomalies.append(Anomaly("EDI-SEG-LINEBREAK", offset + _first_break(stripped), segment))
    rel = delimiters.release
    if rel is not None and stripped.endswith(rel) and _released_at(stripped, len(stripped), rel):
        anomalies.append(Anomaly("EDI-RELEASE-TRAILING", segment.end - 1, segment, {"release": repr(rel)}))
    anomalies.append(Anomaly("EDI-SEG-UNTERMINATED", offset, segment,
                             {"tag": tag, "terminator": repr(delimiters.segment)}))
    return segment.end


def _region_end(text: str, start: int, delimiters: Delimiters) -> int:
    """Offset just past the terminator of the first unreleased UNZ segment, or the end of data."""
    term, rel = delimiters.segment, delimiters.release
    finder = re.compile(re.escape(term) + r"[ \t\r\n]*UNZ(?=" + re.escape(delimiters.element) + "|" +
                        re.escape(term) + ")")
    at = start
    while True:
        match = finder.search(text, at)
        if match is None:
            return len(text)
        if not _released_at(text, match.start(), rel):
            break
        at = match.start() + 1
    k = text.find(term, match.end())
    while k != -1 and _released_at(text, k, rel):
        k = text.find(term, k + 1)
    return len(text) if k == -1 else k + 1


def _misused_releases(text: str, begin: int, end: int, delimiters: Delimiters, anomalies: list[Anomaly]) -> None:
    """A release character before something that is not a service character."""
    rel = delimiters.release
    assert rel is not None
    if rel not in text[begin:end]:
        return
    service = delimiters.service_characters()
    found = 0
    for match in _unescaper(rel).finditer(text, begin, end):
        if match.group(1) not in service:
            anomalies.append(Anomaly("EDI-RELEASE-DATA", match.start(), None,
                                     {"release": repr(rel), "char": repr(match.group(1))}))
            found += 1
            if found == RELEASE_FINDINGS:
                break  # enough to show the habit; a file full of them must not cost more


def _released_at(raw: str, index: int, rel: str | None) -> bool:
    """Whether the character at ``index`` is preceded by an odd run of release characters."""
    if rel is None:
        return False
    run = index
    while run > 0 and raw[run - 1] == rel:
        run -= 1
    return (index - run) % 2 == 1


def _split_on(raw: str, sep: str, rel: str) -> list[str]:
    """Split on ``sep`` where it is not released; released separators stay in the parts.

    Splits everywhere, then joins back the parts that end at a released separator. Those are
    found by searching ``raw`` for release-then-separator (a run of release characters cannot reach
    past a separator), so the cost stays linear and the parts in between are only copied in slices
    however many released separators a segment or file holds.
    """
    parts = raw.split(sep)
    if rel == sep:
        return parts  # no part can end in the character it was split on
    released = rel + sep
    at = raw.find(released)
    if at == -1:
        return parts
    ends: list[int] = []  # the parts that end at a released separator, in order
    index = counted = 0  # separators before offset ``counted``: the index of the part ending there
    while at != -1:
        index += raw.count(sep, counted, at + 1)
        counted = at + 1
        if _released_at(raw, at + 1, rel):
            ends.append(index)
        at = raw.find(released, at + 1)
    joined: list[str] = []
    done = run = 0  # parts[:done] are in ``joined``; ends[run] begins the current run of released parts
    for n, index in enumerate(ends):
        if n + 1 < len(ends) and ends[n + 1] == index + 1:
            continue  # the next part ends at a released separator too: one join for the whole run
        first = ends[run]
        joined += parts[done:first]
        joined.append(sep.join(parts[first:index + 2]))
        done, run = index + 2, n + 1
    joined += parts[done:]
    return joined


def _unescaper(rel: str) -> re.Pattern[str]:
    return re.compile(re.escape(rel) + "(.)", re.S)  # re caches the compiled pattern


class SegmentMap:
    """Where each data element and component of a segment's raw text starts, found in one pass.

    ``position(index)`` gives the 1-based (element, component) holding character ``index``:
    ``(None, None)`` for the tag itself, and component None when the element has only one (a
    simple data element, as CONTRL's S011 leaves 0104 out for it). Built only when a finding must
    be located, once per segment however many findings it holds.
    """

    __slots__ = ("_components", "_composite", "_elements")

    def __init__(self, raw: str, delimiters: Delimiters) -> None:
        rel, elem, comp = delimiters.release, delimiters.element, delimiters.component
        self._elements: list[int] = []  # start index of data elements 1, 2, …
        self._components: list[list[int]] = []  # per element, start index of components 2, 3, …
        self._composite: list[bool] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if rel is not None and ch == rel:
                i += 2
                continue
            if ch == elem:
                self._elements.append(i + 1)
                self._components.append([])
                self._composite.append(False)
            elif ch == comp and self._elements:
                self._components[-1].append(i + 1)
                self._composite[-1] = True
            i += 1

    def position(self, index: int) -> tuple[int | None, int | None]:
        element = bisect.bisect_right(self._elements, index)
        if element == 0:
            return None, None
        if not self._composite[element - 1]:
            return element, None
        return element, bisect.bisect_right(self._components[element - 1], index) + 1


class LineIndex:
    """Byte offset → 1-based line and column, counted from the nearest offset looked up before (a
    few C-level scans of the text between them), so a file is never indexed line by line: findings
    come mostly in file order, and a list of 5,000 lines with twenty findings should not pay for the
    5,000."""

    __slots__ = ("_known", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # offsets looked up so far, in order, each with its line and the offset its line starts at
        self._known: list[tuple[int, int, int]] = [(0, 1, 0)]

    def line_column(self, offset: int) -> tuple[int, int]:
        known = self._known
        at = bisect.bisect_right(known, (offset, _AFTER_ANY_LINE)) - 1
        base, line, start = known[at]
        if offset != base:
            text = self._text
            breaks = text.count("\n", base, offset)
            if breaks:
                line += breaks
                start = text.rfind("\n", base, offset) + 1
            known.insert(at + 1, (offset, line, start))
        return line, offset - start + 1


_AFTER_ANY_LINE = 1 << 62  # sorts after every (offset, line, start) entry of the same offset
