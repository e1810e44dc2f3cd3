"""The sensitive-data filter: PNR data revealing racial or ethnic origin, religion, health or sex
life is masked at ingress (EU PNR Directive 2016/681 Art. 13(4), ICAO Doc 9944; DESIGN.md §6.7).

What is sensitive is data, per profile: SSR codes by category (religious and medical meal codes,
medical and mobility SSRs) and free-text patterns for OSI (IFT), SSR free text and PNR history
(LTS, Gr11). Masking overwrites the characters with ``X`` *in place*: the masked interchange has
the same length and the same segments, so every finding's byte offset and position stays true,
counts in UNT still hold, and the masked copy is what the gateway stores, forwards and shows.
The findings record that a mask happened (category and place), never what it hid.

Pure: offsets in, offsets out. ``mask`` applies the spans to the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from validators.edifact.delimiters import Delimiters
from validators.edifact.envelope import Interchange
from validators.edifact.tokenizer import Segment
from validators.pnrgov.sensitive_codes import DEFAULT_FREE_TEXT, DEFAULT_SSR_CODES, STRUCTURED_SSR_CODES, upper_pattern  # noqa: F401 - the tables it applies
from validators.pnrgov.sensitive_codes import UPPER as _UPPER

MASK = "X"

_FREE_TEXT_TAGS = frozenset({"SSR", "IFT", "LTS"})


class Masked(NamedTuple):
    """One masked item: where (segment, 1-based element and component) and which category."""

    message: int  # 1-based index of the message in its file
    segment: Segment
    element: int
    component: int | None
    category: str
    kind: str  # "service code" or "free text"
    spans: tuple[tuple[int, int], ...]  # byte ranges overwritten with MASK


class SensitiveRules(NamedTuple):
    ssr_codes: Mapping[str, str]
    free_text: re.Pattern[str] | None  # one alternation with a named group per category
    categories: tuple[str, ...]  # group name → category, by index


def compile_rules(ssr_codes: Mapping[str, str], free_text: Mapping[str, tuple[str, ...]]) -> SensitiveRules:
    """The profile's tables as one compiled matcher (called once per profile, not per message)."""
    categories = tuple(category for category, patterns in free_text.items() if patterns)
    alternatives = [f"(?P<c{index}>{'|'.join(upper_pattern(p) for p in free_text[category])})"
                    for index, category in enumerate(categories)]
    pattern = re.compile(r"(?<![A-Z0-9])(?:" + "|".join(alternatives) + r")(?![A-Z0-9])") if alternatives else None
    return SensitiveRules(dict(ssr_codes), pattern, categories)


def find_sensitive(interchanges: list[Interchange], rules: SensitiveRules) -> list[Masked]:
    """Every sensitive item of the PNRGOV messages of a file, in file order."""
    found: list[Masked] = []
    ssr_codes, free_text = rules.ssr_codes, rules.free_text
    for interchange in interchanges:
        for message in interchange.messages:
            if message.type != "PNRGOV":
                continue
            for segment in message.segments:
                tag = segment.tag
                if tag not in _FREE_TEXT_TAGS:
                    continue
                # the usual SSR and OSI are let go here, without a generator; _in_segment places a hit
                code = segment.raw[4:8] if tag == "SSR" else ""
                if (code in ssr_codes or (free_text is not None and code not in STRUCTURED_SSR_CODES
                                          and free_text.search(segment.raw.translate(_UPPER)) is not None)):
                    found.extend(_in_segment(message.index, segment, interchange.delimiters, rules))
    return found


def mask(data: bytes, items: list[Masked]) -> bytes:
    """``data`` with every masked span overwritten (same length, same separators)."""
    if not items:
        return data
    out = bytearray(data)
    filler = ord(MASK)
    for item in items:
        for start, end in item.spans:
            out[start:end] = bytes([filler]) * (end - start)
    return bytes(out)


def _in_segment(index: int, segment: Segment, delimiters: Delimiters, rules: SensitiveRules) -> Iterator[Masked]:
    # the SSR code (9962, four letters) read off the raw text: most SSRs are never split at all
    code = segment.raw[4:8] if segment.tag == "SSR" else ""
    code_category = rules.ssr_codes.get(code) if code else None
    if code_category is not None and segment.value(1, 1) != code:
        code_category = None  # a longer or shorter code that merely starts with a listed one
    if code_category is None and (rules.free_text is None or code in STRUCTURED_SSR_CODES
                                  or rules.free_text.search(segment.raw.translate(_UPPER)) is None):
        return  # the usual case, decided on the whole segment at once; the places are worked out only on a hit
    spans = list(_component_spans(segment, delimiters))
    if code_category is not None:
        # the code itself says it (MOML is a Muslim meal): mask it and the request's free text
        hidden = tuple((start, end) for element, component, start, end in spans
                       if element == 1 and (component == 1 or component >= 9) and end > start)
        yield Masked(index, segment, 1, 1, code_category, "service code", hidden)
        return
    if rules.free_text is None:
        return
    for element, component, start, end in spans:
        if segment.tag == "SSR" and element == 1 and component < 9:
            continue  # codes, status, counts and airports: no free text
        if segment.tag == "IFT" and element == 1:
            continue  # the OSI qualifier
        text = segment.raw[start - segment.offset:end - segment.offset].translate(_UPPER)
        for match in rules.free_text.finditer(text):
            group = next(name for name, value in match.groupdict().items() if value is not None)
            category = rules.categories[int(group[1:])]
            yield Masked(index, segment, element, component, category, "free text",
                         ((start + match.start(), start + match.end()),))


def _component_spans(segment: Segment, delimiters: Delimiters) -> Iterator[tuple[int, int, int, int]]:
    """(element, component, start, end) of every component of ``segment``'s data, 1-based positions
    and absolute byte offsets, honouring the release character."""
    raw = segment.raw
    base = segment.offset
    element, component = 0, 1
    start = None
    index = 0
    while index < len(raw):
        char = raw[index]
        if delimiters.release is not None and char == delimiters.release:
            index += 2
            continue
        if char == delimiters.element:
            if start is not None:
                yield element, component, base + start, base + index
            element, component, start = element + 1, 1, index + 1
        elif char == delimiters.component and start is not None:
            yield element, component, base + start, base + index
            component, start = component + 1, index + 1
        index += 1
    if start is not None:
        yield element, component, base + start, base + len(raw)
