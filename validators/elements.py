"""Data element rules as data, and the one checker that applies them to any segment.

A segment's layout is a tuple of ``Element`` (simple or composite), each component with its
status (M/C), format (``an..35``, ``n..6``, ``a3``, alternatives as ``n6|n8``), an optional
calendar kind and an optional code list. The service segments (UNB…UNZ) and every message
segment (PAXLST, PNRGOV …) are described this way and checked by ``check_segment``, which returns
faults as plain facts; the caller names them (EDI-ENV-… for the envelope, MSG-ELEMENT-… inside
messages) and places them.
"""

from __future__ import annotations

import functools
import re
from itertools import compress
from operator import attrgetter
from typing import NamedTuple

from validators.edifact.delimiters import Delimiters
from validators.edifact.tokenizer import Segment

_FORMAT = re.compile(r"(an|a|n)(\.\.)?(\d+)")


class Component(NamedTuple):
    ident: str
    name: str
    status: str  # "M" or "C"
    format: str  # e.g. "an..14", "n6", "a4"; alternatives separated by "|"
    # "date" (YYMMDD or CCYYMMDD by length), "ddmmyy" (IATA PADIS dates: DDMMYY) or "time" (HHMM): calendar values
    kind: str | None = None
    codes: tuple[str, ...] | None = None  # allowed values, when the rule fixes them


class Element(NamedTuple):
    ident: str
    name: str
    status: str
    components: tuple[Component, ...]


class ElementFault(NamedTuple):
    """What is wrong, where (1-based element and component; component None for a simple element)."""

    kind: str  # missing | too-many | not-numeric | too-long | too-short | date | code
    element: int
    component: int | None
    params: dict[str, str]


def simple(ident: str, name: str, status: str, fmt: str, codes: tuple[str, ...] | None = None,
           kind: str | None = None) -> Element:
    return Element(ident, name, status, (Component(ident, name, "M", fmt, kind, codes),))


def composite(ident: str, name: str, status: str, *components: Component) -> Element:
    return Element(ident, name, status, components)


def check_segment(segment: Segment, layout: tuple[Element, ...]) -> list[ElementFault]:
    """Every element and component of ``segment`` against ``layout``.

    Runs for every segment of every message. Most segments are clean, so one regular expression
    compiled from the layout (``_clean_pattern``) first says whether anything can be wrong at all;
    only a segment it rejects (or one it cannot judge: release characters, non-ASCII values) is
    taken apart value by value, through plain tuples compiled once, and ``check_value`` builds
    the fault when one fails.
    """
    delimiters = segment.splitter.delimiters
    return _layout_faults(segment, (layout, _clean_pattern(layout, delimiters)), delimiters.release)


class LayoutChecker:
    """``check_segment`` for the segments of one interchange against one set of layouts (a message
    table's, keyed by tag): each tag's layout and clean pattern are looked up once, not per segment,
    and each distinct segment text is checked once (``LOC+178+LHR`` on every traveller of a list).

    Most messages are clean throughout, so a whole message is first offered to one expression made
    of every tag's clean pattern (``_body_pattern``): when it matches, no segment needs a look of its own."""

    __slots__ = ("_body", "_checked", "_layouts", "_release", "_terminator")

    def __init__(self, layouts: dict[str, tuple[Element, ...]], delimiters: Delimiters) -> None:
        self._release = delimiters.release
        self._terminator = delimiters.segment
        self._layouts: dict[str, tuple[tuple[Element, ...], _Clean | None]] = {
            tag: (layout, _clean_pattern(layout, delimiters)) for tag, layout in layouts.items()}
        self._body = _body_pattern(layouts, self._layouts, delimiters)
        self._checked: dict[str, list[ElementFault]] = {}  # segment text → its faults

    def faults(self, segments: list[Segment]) -> list[tuple[Segment, list[ElementFault]]]:
        """The segments that have faults, with them, in order. A tag no layout has is not checked
        (nor its text remembered: a PNR's SSR free texts are long and mostly distinct)."""
        if self._body is not None and segments:
            segments = self._unvouched(self._body, segments)
        return self._one_by_one(segments)

    def _one_by_one(self, segments: list[Segment]) -> list[tuple[Segment, list[ElementFault]]]:
        """``faults`` without the whole-message expression: each segment's text judged on its own, once."""
        layouts, checked, release, found = self._layouts, self._checked, self._release, []
        for segment in segments:
            entry = layouts.get(segment.tag)
            if entry is None:
                continue
            raw = segment.raw
            faults = checked.get(raw, _UNSEEN)
            if faults is _UNSEEN:
                faults = checked[raw] = _layout_faults(segment, entry, release)
            if faults:
                found.append((segment, faults))
        return found

    def _unvouched(self, body: re.Pattern[str], segments: list[Segment]) -> list[Segment]:
        """The segments ``body`` cannot vouch for, in order: every one when it does not match, else
        those whose text the clean patterns do not judge (release characters, non-ASCII: see
        ``_layout_faults``), which it does not read. What it reads is the segments' distinct texts,
        each with its terminator: the tokenizer took out whatever came between them, and a text
        repeated on every traveller of a list (``LOC+178+LHR``) is read once. The passes over all
        the segments are C-level: a list has thousands."""
        release, term = self._release, self._terminator
        unique = dict(zip(map(_RAW, segments), segments, strict=True))  # each distinct text, with a segment of it
        text = term.join(unique)
        judged = list(unique)
        if release is not None and release in text:
            judged = [raw for raw in judged if release not in raw]
        if not text.isascii():
            judged = [raw for raw in judged if raw.isascii()]
        aside = unique.keys() - judged if len(judged) < len(unique) else set()
        if aside:
            text = term.join(judged)
        if text and body.fullmatch(text + term) is None:
            return segments
        # a text set aside is checked on one of its segments first; its other segments only need a look
        # when it has faults (the segments are many, the texts with release characters few)
        if not self._one_by_one([unique[raw] for raw in aside]):
            return []
        return list(compress(segments, map(aside.__contains__, map(_RAW, segments))))

    def __call__(self, segment: Segment) -> list[ElementFault] | None:
        """The segment's faults, as ``check_segment`` finds them; None when no layout has its tag."""
        entry = self._layouts.get(segment.tag)
        return None if entry is None else _layout_faults(segment, entry, self._release)


_RAW = attrgetter("raw")
_UNSEEN: list[ElementFault] = []  # the cache's "not checked yet", told apart by identity


def _layout_faults(segment: Segment, entry: tuple[tuple[Element, ...], _Clean | None], release: str | None) -> list[ElementFault]:
    """The clean pattern's word first (``entry`` is a layout and its pattern), the value-by-value
    check only when it cannot vouch for the text. It judges only text whose values are a plain split
    of it: ASCII (no re-decoding by the splitter changed them) and without release characters; the
    tag ends where its pattern begins, at the first element separator."""
    layout, clean = entry
    raw = segment.raw
    if clean is not None and raw.isascii() and (release is None or release not in raw):
        match = clean.pattern.fullmatch(raw, len(segment.tag))
        if match is not None and (not clean.calendar or _calendar_valid(match, clean.calendar)):
            return []
    return _check_values(segment, layout)


def _calendar_valid(match: re.Match[str], calendar: tuple[tuple[str, str], ...]) -> bool:
    """The captured calendar values of a clean match are real dates and times."""
    for name, kind in calendar:
        value = match.group(name)
        if value and not valid_calendar(kind, value):
            return False
    return True


def _check_values(segment: Segment, layout: tuple[Element, ...]) -> list[ElementFault]:
    """``check_segment`` the long way: element by element, value by value."""
    compiled, mandatory = _compiled(layout)
    faults: list[ElementFault] = []
    elements = segment.elements
    count = len(elements)
    # surplus that is empty is a trailing separator, which the tokenizer reports on its own
    if count > len(layout) and any(any(c) for c in elements[len(layout):]):
        faults.append(ElementFault("too-many", len(layout) + 1, None, {
            "what": "data elements", "count": str(count), "max": str(len(layout))}))
    for e_index in range(min(count, len(layout))):
        components = elements[e_index]
        spec = layout[e_index]
        rules = compiled[e_index]
        if not any(components):
            if spec.status == "M":
                faults.append(_missing_element(spec, e_index + 1))
            continue
        single = len(rules) == 1
        if len(components) > len(rules) and any(components[len(rules):]):
            faults.append(ElementFault("too-many", e_index + 1, len(rules) + 1, {
                "what": f"components in {spec.ident}", "count": str(len(components)), "max": str(len(rules))}))
        for c_index, (comp, required, numeric, low, high, codes) in enumerate(rules):
            value = components[c_index] if c_index < len(components) else ""
            if value:
                size = len(value)
                if (low <= size <= high and (not numeric or (value.isascii() and value.isdigit()))
                        and comp.kind is None and (codes is None or value in codes)):
                    continue
            elif not required:
                continue
            fault = check_value(comp, value, e_index + 1, None if single else c_index + 1)
            if fault is not None:
                faults.append(fault)
    for e_index in mandatory:
        if e_index >= count:
            faults.append(_missing_element(layout[e_index], e_index + 1))
    return faults


_Rule = tuple[Component, bool, bool, int, int, frozenset[str] | None]
_COMPILED: dict[int, tuple[tuple[Element, ...], tuple[tuple[_Rule, ...], ...], tuple[int, ...]]] = {}
_CLEAN: dict[tuple[int, str, str, str], tuple[tuple[Element, ...], _Clean | None]] = {}
_BODY: dict[tuple[int, str, str, str], tuple[dict[str, tuple[Element, ...]], re.Pattern[str] | None]] = {}
# sets of separators come from the senders' UNA: the caches forget them all past this many (per table)
_PATTERNS_KEPT = 64


def _compiled(layout: tuple[Element, ...]) -> tuple[tuple[tuple[_Rule, ...], ...], tuple[int, ...]]:
    """Per component: (component, mandatory, numeric, shortest, longest, codes); and the mandatory
    element indexes. Layouts are module constants, so they are cached by identity (and kept alive
    by the cache). A format with alternatives (``n6|n8``) sets the fast range to nothing, sending
    every value to ``check_value``."""
    entry = _COMPILED.get(id(layout))
    if entry is None or entry[0] is not layout:
        rules = []
        for spec in layout:
            element_rules = []
            for comp in spec.components:
                numeric, lengths = _parsed_format(comp.format)
                low, high = lengths[0] if len(lengths) == 1 else (1, 0)
                codes = frozenset(comp.codes) if comp.codes is not None else None
                element_rules.append((comp, comp.status == "M", numeric, low, high, codes))
            rules.append(tuple(element_rules))
        mandatory = tuple(i for i, spec in enumerate(layout) if spec.status == "M")
        entry = _COMPILED[id(layout)] = (layout, tuple(rules), mandatory)
    return entry[1], entry[2]


class _Clean(NamedTuple):
    """A layout's clean pattern and the calendar components it captures (group name, kind), whose
    values a regular expression cannot judge (30 February) and ``_layout_faults`` checks after a match."""

    pattern: re.Pattern[str]
    calendar: tuple[tuple[str, str], ...]


def _body_pattern(layouts: dict[str, tuple[Element, ...]], cleans: dict[str, tuple[tuple[Element, ...], _Clean | None]],
                  delimiters: Delimiters) -> re.Pattern[str] | None:
    """One alternative per tag, its tag then its clean pattern then the terminator; one more for a
    segment of any other tag. As no clean value holds a terminator, each alternative matches a
    whole segment or nothing, which is why each is atomic (a segment, once read, is never read
    another way) and the whole match takes linear time even when it fails. Its match says of every
    segment what ``_layout_faults`` says of each: clean.

    None when a tag has calendar components (a pattern cannot tell 30 February: PNRGOV's TVL and
    RCI, on every PNR) or no clean pattern: the segments are then checked one by one. Cached per
    layouts and separators, like the clean patterns."""
    key = (id(layouts), delimiters.element, delimiters.component, delimiters.segment)
    entry = _BODY.get(key)
    if entry is None or entry[0] is not layouts:
        if len(_BODY) >= _PATTERNS_KEPT:
            _BODY.clear()
        body = None
        judged = [(tag, clean) for tag, (_, clean) in cleans.items() if clean is not None and not clean.calendar]
        if judged and len(judged) == len(cleans):
            elem, term = re.escape(delimiters.element), re.escape(delimiters.segment)
            alternatives = [f"{re.escape(tag)}(?:{clean.pattern.pattern}){term}" for tag, clean in judged]
            tags = "|".join(re.escape(tag) for tag in cleans)
            alternatives.append(f"(?!(?:{tags})(?:{elem}|{term}))[^{term}]*{term}")
            body = re.compile(f"(?:(?>{'|'.join(alternatives)}))*+")
        entry = _BODY[key] = (layouts, body)
    return entry[1]


def _clean_pattern(layout: tuple[Element, ...], delimiters: Delimiters) -> _Clean | None:
    """The layout as one regular expression over a segment's text from its first element separator:
    it matches exactly the texts (split plainly on the element and component separators) in which
    ``check_segment`` finds no fault, once its captured calendar values are real dates and times.
    No value it takes holds the segment terminator, so a match never runs on into the next segment
    (``_body_pattern``). Cached like ``_compiled``, per set of separators (element, component,
    terminator). None when the separators coincide."""
    key = (id(layout), delimiters.element, delimiters.component, delimiters.segment)
    entry = _CLEAN.get(key)
    if entry is None or entry[0] is not layout:
        if len(_CLEAN) >= _PATTERNS_KEPT * 64:
            _CLEAN.clear()
        clean = None
        if delimiters.element != delimiters.component:
            calendar: list[tuple[str, str]] = []
            clean = _Clean(re.compile(_layout_regex(layout, delimiters, calendar)), tuple(calendar))
        entry = _CLEAN[key] = (layout, clean)
    return entry[1]


def _layout_regex(layout: tuple[Element, ...], delimiters: Delimiters, calendar: list[tuple[str, str]]) -> str:
    """Data elements in order, each after its separator; the text may stop before the first
    mandatory element left, and may end with empty surplus elements (a trailing separator is the
    tokenizer's finding, not a fault of the layout)."""
    elem, comp = re.escape(delimiters.element), re.escape(delimiters.component)
    text = f"(?:{elem}(?:{comp})*)*"
    for index in range(len(layout) - 1, -1, -1):
        text = elem + _element_regex(layout[index], delimiters, calendar) + text
        if all(spec.status != "M" for spec in layout[index:]):
            text = f"(?:{text})?"
    return text


def _element_regex(spec: Element, delimiters: Delimiters, calendar: list[tuple[str, str]]) -> str:
    """One data element: its components in order, each present and valid unless optional, then only
    empty surplus components. A conditional element may be empty altogether (it is then skipped); a
    mandatory one must hold some value."""
    elem, comp, term = (re.escape(c) for c in (delimiters.element, delimiters.component, delimiters.segment))
    text = f"(?:{comp})*"
    components = spec.components
    for index in range(len(components) - 1, 0, -1):
        text = comp + _component_regex(components[index], delimiters, calendar) + text
        if all(c.status != "M" for c in components[index:]):
            text = f"(?:{text})?"
    text = _component_regex(components[0], delimiters, calendar) + text
    if spec.status == "M":
        if components[0].status == "M":
            return text  # a mandatory first component holds a value: the element does too, without a look ahead
        return f"(?=[^{elem}{term}]*[^{elem}{comp}{term}]){text}"
    return f"(?:{text}|(?:{comp})*)"


def _component_regex(component: Component, delimiters: Delimiters, calendar: list[tuple[str, str]]) -> str:
    """The values ``check_value`` passes: a code of the list, or characters of the format within one
    of its length ranges; nothing at all when the component is optional. A calendar component is
    captured, under a name of its own, for ``_layout_faults`` to check."""
    separators = (delimiters.element, delimiters.component, delimiters.segment)
    numeric, lengths = _parsed_format(component.format)
    if component.codes is not None:
        codes = [code for code in component.codes if code and not any(c in code for c in separators)
                 and (not numeric or is_number(code)) and any(low <= len(code) <= high for low, high in lengths)]
        value = "|".join(re.escape(code) for code in codes) or "(?!)"
    else:
        excluded = "".join(re.escape(c) for c in separators)
        character = "[0-9]" if numeric else f"[^{excluded}]"
        value = "|".join(f"{character}{{{max(low, 1)},{high}}}" for low, high in lengths if high >= 1) or "(?!)"
    if component.kind is not None:
        name = f"k{len(calendar)}"
        calendar.append((name, component.kind))
        value = f"(?P<{name}>{value})"
    return f"(?:{value})" if component.status == "M" else f"(?:{value})?"


def _missing_element(spec: Element, e_pos: int) -> ElementFault:
    return ElementFault("missing", e_pos, 1 if len(spec.components) > 1 else None, {
        "name": spec.name, "ident": spec.ident, "format": describe_format(spec.components[0])})


def check_value(comp: Component, value: str, e_pos: int, c_pos: int | None) -> ElementFault | None:
    if not value:
        return ElementFault("missing", e_pos, c_pos, _names(comp)) if comp.status == "M" else None
    numeric, lengths = _parsed_format(comp.format)
    if numeric and not is_number(value):
        return ElementFault("not-numeric", e_pos, c_pos, _names(comp))
    size = len(value)
    if not any(low <= size <= high for low, high in lengths):
        longest = max(high for _, high in lengths)
        if size > longest:
            return ElementFault("too-long", e_pos, c_pos, {**_names(comp), "length": str(size), "max": str(longest)})
        shortest = min(low for low, _ in lengths if low)
        return ElementFault("too-short", e_pos, c_pos, {**_names(comp), "length": str(size), "min": str(shortest)})
    if comp.kind is not None and not valid_calendar(comp.kind, value):
        return ElementFault("date", e_pos, c_pos, {**_names(comp), "value": repr(value), "kind": comp.kind})
    if comp.codes is not None and value not in comp.codes:
        return ElementFault("code", e_pos, c_pos, {**_names(comp), "value": repr(value), "allowed": " or ".join(comp.codes)})
    return None


@functools.cache
def _parsed_format(fmt: str) -> tuple[bool, tuple[tuple[int, int], ...]]:
    """(numeric, allowed length ranges) of a format such as ``an..35`` or ``n6|n8``; parsed once."""
    lengths = []
    numeric = False
    for alternative in fmt.split("|"):
        match = _FORMAT.fullmatch(alternative)
        if match is None:
            raise ValueError(f"format {fmt!r} is not an EDIFACT format")
        kind, upto, size = match.groups()
        numeric = kind == "n"
        lengths.append((0 if upto else int(size), int(size)))
    return numeric, tuple(lengths)


def _names(comp: Component) -> dict[str, str]:
    return {"name": comp.name, "ident": comp.ident, "format": describe_format(comp)}


def is_number(value: str) -> bool:
    """Digits 0-9 only (str.isdigit also accepts '²' and other Unicode digits)."""
    return value.isascii() and value.isdigit()


def valid_calendar(kind: str, value: str) -> bool:
    """A real time (HHMM) or date (YYMMDD, CCYYMMDD, or DDMMYY for ``ddmmyy``) — only called on values of
    the right length. Dates are judged by their month and day against a table, not by building a
    date: this runs for every date of every list (two-digit years are 2000-2099, as ISO 9735 reads them)."""
    if not (value.isascii() and value.isdigit()):
        return False
    if kind == "date":
        if len(value) == 8:
            month_day, year = value[4:], value[:4]
            if year == "0000":
                return False  # Python's calendar has no year 0 (date.min is 0001-01-01)
        else:
            month_day, year = value[2:], value[:2]
    elif kind == "ddmmyy":
        month_day, year = value[2:4] + value[:2], value[4:]
    else:  # time
        return int(value[:2]) < 24 and int(value[2:4]) < 60
    if month_day not in MONTH_DAYS:
        return False
    if month_day != "0229":
        return True
    number = int(year) if len(year) == 4 else 2000 + int(year)
    return number % 4 == 0 and (number % 100 != 0 or number % 400 == 0)


# every MMDD of a leap year: a date is real when its MMDD is here (and 0229 falls in a leap year)
MONTH_DAYS = frozenset(f"{month:02d}{day:02d}" for month, days in enumerate((31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), 1)
                        for day in range(1, days + 1))


def describe_format(comp: Component) -> str:
    formats = " or ".join(comp.format.split("|"))
    codes = f", one of {', '.join(comp.codes)}" if comp.codes else ""
    what = {"date": " (YYMMDD" + (" or CCYYMMDD" if "n8" in comp.format else "") + ")", "time": " (HHMM)",
            "ddmmyy": " (DDMMYY)"}.get(
        comp.kind or "", "")
    return f"{comp.ident} as {formats}{what}{codes}"
