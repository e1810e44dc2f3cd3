"""Data element rules as data, and the one checker that applies them to any segment.

A segment's layout is a tuple of ``Element`` (simple or composite), each component with its
status (M/C), format (``an..35``, ``n..6``, ``a3``, alternatives as ``n6|n8``), an optional
calendar kind and an optional code list. The service segments (UNB…UNZ) and every message
segment (PAXLST, PNRGOV …) are described this way and checked by ``check_segment``, which returns
faults as plain facts; the caller names them (EDI-ENV-… for the envelope, MSG-ELEMENT-… inside
messages) and places them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from validators.edifact.tokenizer import Segment

_FORMAT = re.compile(r"(an|a|n)(\.\.)?(\d+)")


class Component(NamedTuple):
    ident: str
    name: str
    status: str  # "M" or "C"
    format: str  # e.g. "an..14", "n6", "a4"; alternatives separated by "|"
    kind: str | None = None  # "date" (YYMMDD or CCYYMMDD by length) or "time" (HHMM): checked as calendar values
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
    """Every element and component of ``segment`` against ``layout``."""
    faults: list[ElementFault] = []
    elements = segment.elements
    # surplus that is empty is a trailing separator, which the tokenizer reports on its own
    if len(elements) > len(layout) and any(any(c) for c in elements[len(layout):]):
        faults.append(ElementFault("too-many", len(layout) + 1, None, {
            "what": "data elements", "count": str(len(elements)), "max": str(len(layout))}))
    for e_pos, spec in enumerate(layout, start=1):
        components = elements[e_pos - 1] if e_pos <= len(elements) else []
        composite_element = len(spec.components) > 1
        if not any(components):
            if spec.status == "M":
                faults.append(ElementFault("missing", e_pos, 1 if composite_element else None, {
                    "name": spec.name, "ident": spec.ident, "format": describe_format(spec.components[0])}))
            continue
        if len(components) > len(spec.components) and any(components[len(spec.components):]):
            faults.append(ElementFault("too-many", e_pos, len(spec.components) + 1, {
                "what": f"components in {spec.ident}", "count": str(len(components)), "max": str(len(spec.components))}))
        for c_pos, comp in enumerate(spec.components, start=1):
            value = components[c_pos - 1] if c_pos <= len(components) else ""
            fault = check_value(comp, value, e_pos, c_pos if composite_element else None)
            if fault is not None:
                faults.append(fault)
    return faults


def check_value(comp: Component, value: str, e_pos: int, c_pos: int | None) -> ElementFault | None:
    names = {"name": comp.name, "ident": comp.ident, "format": describe_format(comp)}
    if not value:
        return ElementFault("missing", e_pos, c_pos, names) if comp.status == "M" else None
    lengths = []
    numeric = False
    for alternative in comp.format.split("|"):
        match = _FORMAT.fullmatch(alternative)
        if match is None:
            raise ValueError(f"{comp.ident}: format {comp.format!r} is not an EDIFACT format")
        kind, upto, size = match.groups()
        numeric = kind == "n"
        lengths.append((0 if upto else int(size), int(size)))
    if numeric and not is_number(value):
        return ElementFault("not-numeric", e_pos, c_pos, names)
    if not any(low <= len(value) <= high for low, high in lengths):
        longest = max(high for _, high in lengths)
        if len(value) > longest:
            return ElementFault("too-long", e_pos, c_pos, {**names, "length": str(len(value)), "max": str(longest)})
        shortest = min(low for low, _ in lengths if low)
        return ElementFault("too-short", e_pos, c_pos, {**names, "length": str(len(value)), "min": str(shortest)})
    if comp.kind is not None and not valid_calendar(comp.kind, value):
        return ElementFault("date", e_pos, c_pos, {**names, "value": repr(value), "kind": comp.kind})
    if comp.codes is not None and value not in comp.codes:
        return ElementFault("code", e_pos, c_pos, {**names, "value": repr(value), "allowed": " or ".join(comp.codes)})
    return None


def is_number(value: str) -> bool:
    """Digits 0-9 only (str.isdigit also accepts '²' and other Unicode digits)."""
    return value.isascii() and value.isdigit()


def valid_calendar(kind: str, value: str) -> bool:
    """A real time (HHMM) or date (YYMMDD, CCYYMMDD) — only called on values of the right length."""
    if not is_number(value):
        return False
    if kind == "time":
        return int(value[:2]) < 24 and int(value[2:4]) < 60
    if len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    else:
        year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:6])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def describe_format(comp: Component) -> str:
    formats = " or ".join(comp.format.split("|"))
    codes = f", one of {', '.join(comp.codes)}" if comp.codes else ""
    what = {"date": " (YYMMDD" + (" or CCYYMMDD" if "n8" in comp.format else "") + ")", "time": " (HHMM)"}.get(
        comp.kind or "", "")
    return f"{comp.ident} as {formats}{what}{codes}"
