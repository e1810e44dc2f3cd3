"""The fast paths of validation agree with the plain readings they stand in for.

- ``check_segment`` first asks one regular expression compiled from the layout whether a segment
  can hold a fault at all; whatever the text, its answer must be the value-by-value check's.
- ``tokenizer._split_on`` finds released separators by searching for them; it must split exactly
  as a reader going character by character does.

Texts are drawn from the characters that matter (separators, release, digits, letters, a code's
characters) around real segments, so the edges (empty and surplus elements, released separators,
lengths at the limits) come up often.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from validators.edifact.delimiters import LEVEL_A_DEFAULT
from validators.edifact.tokenizer import Segment, _split_on
from validators.elements import LayoutChecker, _check_values, check_segment
from validators.paxlst.segments import LAYOUTS as PAXLST_LAYOUTS
from validators.pnrgov.segments import LAYOUTS as PNRGOV_LAYOUTS

# the layouts with calendar components (DTM, TVL, RCI) are matched by the pattern, then their captured
# dates and times checked one by one: 300226 and 2561 must fail the fast path as they fail the slow one
LAYOUTS = {**PAXLST_LAYOUTS, "PNRGOV": PNRGOV_LAYOUTS}

SEGMENTS = ("NAD+FL+++SMITH:JOHN", "ATT+2++M", "DTM+329:850101", "DTM+189:2611240710:201", "LOC+178+LHR",
            "NAT+2+USA", "RFF+AVF:ABC123", "DOC+P:110:111+X12345678", "CNT+42:50", "BGM+745", "TDT+20+ZZ0101+++ZZ",
            "COM+703-555-1212:TE+703-555-4545:FX", "MEA+CT++:2", "GEI+4+173", "EMP+1+CR1:110:111", "FTX+BAG+++1234",
            "TVL+241126:0800:241126:1110+LHR+IST+ZZ+0456:Y", "TVL+300226::290226+SIN+OOL+TZ+0006:S", "TVL+++++972:M",
            "RCI+ZZ:Q8XK2M::011126:1412+AC:P46KA5", "MSG+:22", "MSG+8", "EQN+2", "TIF+KAYA:I+MEHMET MR:A:1:1",
            "RPI+1+HK", "TKT+1252345678901:T:1", "DTM+36:291302")
CHARACTERS = "+:?' AZMF012369X"


@st.composite
def segment_texts(draw: st.DrawFn) -> str:
    text = list(draw(st.sampled_from(SEGMENTS)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(("replace", "insert", "delete")))
        if edit == "replace" and at < len(text):
            text[at] = draw(st.sampled_from(CHARACTERS))
        elif edit == "delete":
            del text[at:at + draw(st.integers(1, 12))]
        else:
            text[at:at] = draw(st.text(CHARACTERS, min_size=1, max_size=40))
    return "".join(text).replace("'", "?'")  # a segment's text holds no unreleased terminator


@given(segment_texts(), st.sampled_from(sorted(LAYOUTS)))
@settings(max_examples=3000, deadline=None)
def test_clean_pattern_agrees_with_the_value_by_value_check(raw: str, directory: str) -> None:
    cut = raw.find("+")
    tag = raw if cut == -1 else raw[:cut]
    layout = LAYOUTS[directory].get(tag)
    if layout is None:
        return
    expected = _check_values(Segment(tag, raw, 0, len(raw), LEVEL_A_DEFAULT), layout)
    assert check_segment(Segment(tag, raw, 0, len(raw), LEVEL_A_DEFAULT), layout) == expected
    assert LayoutChecker(LAYOUTS[directory], LEVEL_A_DEFAULT)(Segment(tag, raw, 0, len(raw), LEVEL_A_DEFAULT)) == expected


def _split_by_hand(raw: str, sep: str, rel: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(raw):
        if raw[i] == rel and i + 1 < len(raw):
            current += raw[i:i + 2]
            i += 2
        elif raw[i] == sep:
            parts.append(current)
            current, i = "", i + 1
        else:
            current += raw[i]
            i += 1
    return [*parts, current]


@given(st.text("?':A", max_size=30))
@settings(max_examples=3000, deadline=None)
def test_split_on_released_separators(raw: str) -> None:
    assert _split_on(raw, "'", "?") == _split_by_hand(raw, "'", "?")
    assert _split_on(raw, ":", "?") == _split_by_hand(raw, ":", "?")
