"""The fast paths of validation agree with the plain readings they stand in for.

- ``check_segment`` first asks one regular expression compiled from the layout whether a segment
  can hold a fault at all; whatever the text, its answer must be the value-by-value check's.
- ``LayoutChecker`` offers a whole message to one expression made of those patterns; it must
  find the faults the segment-by-segment check finds.
- ``tokenizer._split_on`` finds released separators by searching for them; it must split exactly
  as a reader going character by character does.
- A region laid out one segment per line is split at "terminator CR LF" in one go
  (``tokenizer._lines``); what it reads must be what the careful segment-by-segment loop reads.
- ``valid_calendar`` and the Manifest's date reading judge dates from their digits, never through
  ``datetime.date``; they must agree with it for every month and day. The content rules compare
  the ISO dates as text; that must order them as dates.
- ``LineIndex`` counts lines and columns from the nearest offset it was asked before.
- The tokenizer takes a segment's tag from a memo of the tags it has seen, by the segment's first
  four characters; it must read what looking for the element separator every time reads.

Texts are drawn from the characters that matter (separators, release, digits, letters, a code's
characters) around real segments, so the edges (empty and surplus elements, released separators,
lengths at the limits) come up often.
"""

from __future__ import annotations

import bisect
import re
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from validators.edifact import tokenizer
from validators.edifact.delimiters import LEVEL_A_DEFAULT
from validators.edifact.tokenizer import LineIndex, Segment, SegmentRun, Splitter, _split_on, read_segments
from validators.elements import LayoutChecker, _check_values, check_segment, valid_calendar
from validators.paxlst.manifest import _iso_date, _Latest
from validators.paxlst.rules import _days_before
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
# a mandatory element whose first component is optional (PNRGOV MSG C302, RCI C330) must still hold a value
@example("MSG+", "PNRGOV")
@example("MSG+:", "PNRGOV")
@example("RCI+::::+ZZ:ABC123", "PNRGOV")
@settings(max_examples=3000, deadline=None)
def test_clean_pattern_agrees_with_the_value_by_value_check(raw: str, directory: str) -> None:
    cut = raw.find("+")
    tag = raw if cut == -1 else raw[:cut]
    layout = LAYOUTS[directory].get(tag)
    if layout is None:
        return
    def segment() -> Segment:
        return Segment(tag, raw, 0, len(raw), Splitter(LEVEL_A_DEFAULT))

    expected = _check_values(segment(), layout)
    assert check_segment(segment(), layout) == expected
    assert LayoutChecker(LAYOUTS[directory], LEVEL_A_DEFAULT)(segment()) == expected


@given(st.lists(st.one_of(segment_texts(), st.sampled_from(SEGMENTS), st.sampled_from(("FTX+É", "XYZ+1", "", "NAD"))),
                max_size=12), st.sampled_from(sorted(LAYOUTS)))
@example(["NAD+FL+++SMITH:JOHN", "ATT+2++M", "DTM+329:850101"], "05B")
@example(["LOC+178+LHR", "NAT+2+USAX", "LOC+178+LHR", "COM+?+44 20:TE"], "05B")
@settings(max_examples=2000, deadline=None)
def test_a_body_matched_whole_has_the_faults_of_its_segments_one_by_one(raws: list[str], directory: str) -> None:
    """``LayoutChecker.faults`` first offers the whole run of segments to one expression; whatever
    the segments, it must find what checking each segment by itself finds. Texts with release
    characters or non-ASCII values and tags no layout has are mixed in, with repeats. (PNRGOV's
    layouts, with calendar components, are always checked one by one: drawn all the same.)"""
    layouts = LAYOUTS[directory]
    splitter = Splitter(LEVEL_A_DEFAULT)
    segments = [Segment(raw.split("+", 1)[0], raw, 0, len(raw), splitter) for raw in raws]
    one_by_one = [(segment, faults) for segment in segments if segment.tag in layouts
                  and (faults := _check_values(segment, layouts[segment.tag]))]
    assert LayoutChecker(layouts, LEVEL_A_DEFAULT).faults(segments) == one_by_one


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


def _reading(run: SegmentRun) -> tuple[object, ...]:
    return ([(s.tag, s.raw, s.offset, s.end) for s in run.segments], run.end,
            [(a.code, a.offset, a.params) for a in run.anomalies], run.between_segments())


@st.composite
def line_per_segment_files(draw: st.DrawFn) -> str:
    """Interchanges written one segment per line, with the faults that must send a region to the
    careful reading drawn in now and then: spaces and blank lines between segments, a line break
    inside a segment, a released terminator before a line break, a missing UNZ or a cut-off end."""
    body = [draw(segment_texts()) for _ in range(draw(st.integers(0, 6)))]
    segments = ["UNB+UNOA:4+ZZ+PAXGATE+261124:0700+R1", "UNH+M1+PAXLST:D:05B:UN:IATA", *body, "UNT+9+M1", "UNZ+1+R1"]
    if draw(st.booleans()):
        segments.pop()  # no UNZ
    text = "UNA:+.? '" + draw(st.sampled_from(("", "\r\n", "\n", " \r\n")))
    for segment in segments:
        text += segment + "'" + draw(st.sampled_from(("\r\n",) * 6 + ("", "\n", "\r\n ", "\r\n\r\n", "?'\r\n")))
    if draw(st.booleans()):
        text += draw(st.sampled_from(("UNB+UNOA:4+ZZ+PAXGATE+261124:0700+R2'\r\n", "UNZ+1", "NAD+FL\r\n", "\r\n")))
    return text


@given(line_per_segment_files())
@settings(max_examples=1500, deadline=None)
def test_one_segment_per_line_reads_as_the_careful_loop(text: str) -> None:
    fast = _reading(read_segments(text, 9, LEVEL_A_DEFAULT))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer, "_lines", lambda region, term, rel: None)
        careful = _reading(read_segments(text, 9, LEVEL_A_DEFAULT))
    assert fast == careful


_CHECK_TAG = tokenizer._check_tag


def _remembering_nothing(segment: Segment, known: dict[str, str], anomalies: list) -> None:
    _CHECK_TAG(segment, {}, anomalies)  # the reading without its memo of tags


@given(st.one_of(line_per_segment_files(), st.text("UNABZH+:?' \r\nX", max_size=120).map(lambda t: "UNA:+.? '" + t)))
@example("UNA:+.? 'UNA+1'UNH+1'UNA+2'UNZ+1'")  # a UNA read as the first segment must not hide the next one
@example("UNA:+.? 'UNB+1'UNH+1'UNB+2'UNZ+1'")
@settings(max_examples=1500, deadline=None)
def test_tags_remembered_by_their_first_characters_read_as_the_full_look(text: str) -> None:
    """A segment whose first four characters began a well-formed tag before takes that tag without a
    search; UNA and UNB are never remembered, so the next interchange is still found (``UNA+`` and
    ``UNB+`` repeated in the drawn texts and the examples)."""
    fast = _reading(read_segments(text, 9, LEVEL_A_DEFAULT))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer, "_check_tag", _remembering_nothing)
        plain = _reading(read_segments(text, 9, LEVEL_A_DEFAULT))
    assert fast == plain


def _calendar_by_date(kind: str, value: str) -> bool:
    if not (value.isascii() and value.isdigit()):
        return False
    if kind == "ddmmyy":
        value = value[4:6] + value[2:4] + value[:2]
    year, month, day = ((int(value[:4]), int(value[4:6]), int(value[6:8])) if len(value) == 8
                        else (2000 + int(value[:2]), int(value[2:4]), int(value[4:6])))
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def test_valid_calendar_agrees_with_date_for_every_six_digits() -> None:
    wrong = [(kind, f"{n:06d}") for n in range(1_000_000) for kind in ("date", "ddmmyy")
             if valid_calendar(kind, f"{n:06d}") != _calendar_by_date(kind, f"{n:06d}")]
    assert wrong == []


def test_valid_calendar_agrees_with_date_for_eight_digits() -> None:
    years = [*range(0, 12), *range(1596, 1604), *range(1896, 1904), *range(1996, 2104), 9999]
    wrong = [value for year in years for number in range(1300) if valid_calendar("date", value := f"{year:04d}{number:04d}")
             != _calendar_by_date("date", value)]
    assert wrong == []
    assert not valid_calendar("date", "２０２６１１２４")  # full-width digits are no digits


def _iso_by_date(value: str, latest: date | None) -> str | None:
    """The reading _iso_date stands in for: through datetime.date, century by comparison."""
    if not (value.isascii() and value.isdigit()) or len(value) not in (6, 8):
        return None
    try:
        if len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
        if latest is None:
            return None
        month, day = int(value[2:4]), int(value[4:6])
        year = latest.year // 100 * 100 + int(value[:2])
        if date(year, month, day if (month, day) != (2, 29) else 28) > latest:
            year -= 100
        return date(year, month, day).isoformat()
    except ValueError:
        return None


@pytest.mark.parametrize("latest", [date(2026, 11, 24), date(2000, 2, 28), date(2000, 2, 29), date(1999, 12, 31),
                                    date(2100, 2, 28), date(2041, 3, 1), date(50, 6, 1), date(1, 1, 1), None])
def test_manifest_dates_agree_with_date(latest: date | None) -> None:
    anchor = _Latest.of(latest)
    values = [f"{n:06d}" for n in range(0, 1_000_000, 7)] + ["000229", "960229", "000228", "19000229", "20000229",
                                                             "00000101", "99991231", "1x0101", "1234567"]
    wrong = [value for value in values if _iso_date(value, anchor) != _iso_by_date(value, latest)]
    assert wrong == []


@given(st.dates(), st.dates(), st.integers(0, 50_000))
@example(date(121, 3, 1), date(1, 1, 1), 120 * 366)  # the earliest birth would be before the year 1
@settings(max_examples=3000, deadline=None)
def test_content_rules_compare_iso_dates_as_dates(flight: date, other: date, days: int) -> None:
    """The content rules compare the Manifest's ISO dates as text: a birth after the flight or more
    than so many days before it, an expiry before it."""
    born = other.isoformat()
    assert (born > flight.isoformat()) == (other > flight)
    assert (born < _days_before(flight, days)) == ((flight - other).days > days)


@given(st.text("ab\n\r", max_size=120), st.data())
@settings(max_examples=1000, deadline=None)
def test_line_index_counts_from_the_nearest_known_offset(text: str, data: st.DataObject) -> None:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    index = LineIndex(text)
    for offset in data.draw(st.lists(st.integers(0, len(text)), min_size=1, max_size=40)):  # any order, repeats too
        line = bisect.bisect_right(starts, offset)
        assert index.line_column(offset) == (line, offset - starts[line - 1] + 1)
