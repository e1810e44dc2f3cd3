"""Differential tests: our tokenizer against pydifact 0.2.3 as the oracle (DESIGN.md §4, LIBS.md §1).

Hypothesis builds whole interchanges (UNA, UNB, optional UNG/UNE, UNH … UNT messages, UNZ) with
random but valid service characters and random segments whose values contain the separators, the
release character and envelope-looking fragments, all escaped by ``writer.segment``. Three readings
must agree: ours (``validate``), pydifact's ``Parser().parse`` and what was generated. On top of
pydifact, we check what it cannot: every segment's byte offset and end, CONTRL positions inside
messages, and that the envelope of such a well-formed interchange draws no finding at all.

The common ground, i.e. where pydifact's behaviour is well defined and equal to the ISO 9735 reading
(each restriction below keeps generation inside it; none of them hides a case our tokenizer must
handle, those are covered by the fuzz and round-trip tests):

* Separators (component, element, release, segment terminator, and the repetition separator when
  declared) are distinct printable ASCII characters that are neither letters, digits nor space, and
  differ from the decimal mark. pydifact takes a release character of ' ' literally (every space would
  release the next character) and skips spaces after a terminator, so a space can be none of them.
* The repetition separator is either absent (UNA position 5 is a space) or a distinct character.
  Neither reader splits on it: pydifact has no repetition support and ours keeps it as data by design
  (delimiters.py); the writer escapes it, and both unescape ``?*`` to ``*``.
* Between segments only space, CR and LF occur (pydifact's ``line_terminators``; it does not skip a
  tab, ours does), and between UNA and UNB only CR and LF (pydifact ``lstrip("\\r\\n")`` there).
* No trailing empty data elements or components: pydifact drops an empty trailing component
  (``A:`` reads as ``'A'``) where ours keeps ``['A', '']``. ``writer.segment`` never writes them
  (ISO 9735 v4 forbids them, syntax error 45), so generated values are compared after the same
  trimming.
* Values are printable ASCII (no CR/LF: pydifact raises on a release character before a newline, and
  a line break inside data is an error finding for us). The UNA is always present and first, so
  pydifact's search for ``'UNA`` anywhere in the text (LIBS.md: it ignores the release character)
  never runs.
* Tags are three characters, an upper-case letter then upper-case letters or digits (pydifact raises
  ValueError otherwise), never a service segment tag: the envelope is ours to build.
* A segment may have no data element at all. pydifact warns about it (SyntaxWarning) and about
  every service segment (MissingImplementationWarning: no ``segments.xml`` in its wheel); the
  warnings are silenced and the segments are still compared.
"""

from __future__ import annotations

import os
import string
import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydifact.parser import Parser

from validators.edifact.delimiters import LEVEL_A_DEFAULT, Delimiters
from validators.edifact.tokenizer import read_segments
from validators.edifact.writer import segment, trimmed
from validators.report import Verdict
from validators.validate import validate

EXAMPLES = int(os.environ.get("PAXGATE_FUZZ_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SERVICE_TAGS = frozenset({"UNA", "UNB", "UNZ", "UNG", "UNE", "UNH", "UNT"})
PUNCTUATION = string.punctuation  # the 32 printable ASCII characters that are neither letters, digits nor space
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))


# --- strategies ------------------------------------------------------------------------------------

@st.composite
def delimiter_sets(draw):
    """A valid, distinct set of service characters; the level A defaults now and then."""
    if draw(st.integers(0, 9)) == 0:
        return LEVEL_A_DEFAULT
    decimal = draw(st.sampled_from(".,"))
    pool = [c for c in PUNCTUATION if c != decimal]
    comp, elem, rel, term, rep = draw(st.lists(st.sampled_from(pool), min_size=5, max_size=5, unique=True))
    return Delimiters(comp, elem, decimal, rel, rep if draw(st.booleans()) else None, term)


def values(delimiters: Delimiters, max_chunks: int = 4):
    """Printable ASCII text, leaning on the characters and fragments that stress a tokenizer."""
    d = delimiters
    service = [c for c in d.service_characters()] + [d.decimal]
    fragments = [
        "UNA", "UNB", "UNZ", "UNH", "UNT", "UNG", "UNE",
        d.segment + "UNZ" + d.element, d.segment + "UNZ" + d.segment, d.segment + "UNA", d.segment + "UNB" + d.element,
        d.una(), d.una()[3:], "UNZ" + d.element + "1" + d.element + "R" + d.segment,
        (d.release or "") * 2, (d.release or "") * 3, " ", "  ",
    ]
    chunk = st.one_of(
        st.text(alphabet=st.sampled_from(PRINTABLE), max_size=8),
        st.text(alphabet=st.sampled_from(service), min_size=1, max_size=4),
        st.sampled_from(fragments),
    )
    return st.lists(chunk, max_size=max_chunks).map("".join)


def elements_of(delimiters: Delimiters):
    component = values(delimiters)
    element = st.one_of(component, st.lists(component, min_size=1, max_size=3))
    return st.lists(element, max_size=5)


UPPER = string.ascii_uppercase
tags = st.tuples(st.sampled_from(UPPER), st.sampled_from(UPPER + string.digits), st.sampled_from(UPPER + string.digits)).map(
    lambda t: "".join(t) if "".join(t) not in SERVICE_TAGS else "X" + "".join(t)[1:])
between = st.sampled_from(["", "", "", "\n", "\r\n", " ", "\r\n ", "  \n"])  # pydifact's line_terminators only
after_una = st.sampled_from(["", "\n", "\r\n", "\r\n\r\n"])
references = st.text(alphabet=st.sampled_from(UPPER + string.digits), min_size=1, max_size=14)


def simple_or_list(elements: list[list[str]]) -> list:
    """Our elements in pydifact's shape: a one-component element is a plain string."""
    return [components[0] if len(components) == 1 else components for components in elements]


@st.composite
def interchanges(draw):
    """(bytes, delimiters, expected segments) for a well-formed interchange.

    The expected segments are (tag, trimmed elements, offset, position), with the offset of the tag
    in the bytes as we placed it and the CONTRL position (UNH = 1) inside messages, 0 outside.
    """
    d = draw(delimiter_sets())
    text = d.una() + draw(after_una)
    expected: list[tuple[str, list[list[str]], int, int]] = []

    def put(tag, elements, position=0):
        nonlocal text
        if expected:
            text += draw(between)
        expected.append((tag, trimmed(elements), len(text), position))
        text += segment(tag, elements, d)

    control = draw(references)
    put("UNB", [["UNOB", "4"], ["SENDER", "ZZ"], ["PAXGATE", "ZZ"], ["261123", "0700"], control])
    grouped = draw(st.booleans())
    if grouped:
        put("UNG", ["SYNTAX", ["SENDER", "ZZ"], ["PAXGATE", "ZZ"], ["261123", "0700"], "G1", "UN", ["D", "05B"]])
    count = draw(st.integers(1, 3))
    for number in range(1, count + 1):
        reference = f"M{number}"
        put("UNH", [reference, ["SYNTAX", "D", "05B", "UN"]], 1)
        body = draw(st.lists(st.tuples(tags, elements_of(d)), max_size=6))
        for position, (tag, elements) in enumerate(body, start=2):
            put(tag, elements, position)
        put("UNT", [str(len(body) + 2), reference], len(body) + 2)
    if grouped:
        put("UNE", [str(count), "G1"])
    put("UNZ", ["1" if grouped else str(count), control])
    text += draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode("latin-1"), d, expected


def pydifact_segments(text: str) -> list[tuple[str, list]]:
    """pydifact's reading, without its UNA pseudo-segment (we do not yield UNA as a segment)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MissingImplementationWarning on service segments, SyntaxWarning on empty ones
        return [(s.tag, list(s.elements)) for s in Parser().parse(text) if s.tag != "UNA"]


# --- properties ------------------------------------------------------------------------------------
# One generated interchange feeds every check (generation is most of the cost).

@SETTINGS
@given(interchanges())
def test_tokenizer_agrees_with_pydifact_and_places_segments(case):
    data, delimiters, expected = case
    report = validate(data)
    check_against_pydifact(data, report, expected)
    check_offsets_positions_and_envelope(data, delimiters, report, expected)
    check_read_segments(data, delimiters, expected)


def check_against_pydifact(data, report, expected):
    assert len(report.interchanges) == 1
    ours = [(s.tag, simple_or_list(s.elements)) for s in report.interchanges[0].segments]
    oracle = pydifact_segments(data.decode("latin-1"))
    assert ours == oracle, "our tokenizer and pydifact disagree"
    assert ours == [(tag, simple_or_list(elements)) for tag, elements, _, _ in expected], "both differ from what was written"


def check_offsets_positions_and_envelope(data, delimiters, report, expected):
    text = data.decode("latin-1")
    assert [(f.code, f.location) for f in report.findings if f.severity != "info"] == []
    assert report.verdict is Verdict.ACCEPTED
    (interchange,) = report.interchanges
    assert interchange.delimiters == delimiters
    segments = interchange.segments
    assert [(s.tag, s.elements, s.offset, s.position) for s in segments] == expected
    for s in segments:
        assert data[s.offset:s.offset + 3] == s.tag.encode("ascii")
        assert text[s.offset:s.end] == s.raw
        assert data[s.end:s.end + 1] == delimiters.segment.encode("ascii")  # end points at the terminator
    assert interchange.end == len(data.rstrip(b"\r\n")), "the interchange ends just past UNZ's terminator"
    # Messages: UNH … UNT, numbered as CONTRL counts them, and the UNT count is the real count.
    assert [m.header.tag for m in interchange.messages] == ["UNH"] * len(interchange.messages)
    for message in interchange.messages:
        assert message.trailer is message.segments[-1]
        assert [s.position for s in message.segments] == list(range(1, len(message.segments) + 1))
        assert message.trailer.value(1) == str(len(message.segments))
    inside = {id(s) for m in interchange.messages for s in m.segments}
    assert all(s.position == 0 for s in segments if id(s) not in inside)


def check_read_segments(data, delimiters, expected):
    """The tokenizer alone, from the first byte after UNA: same segments, no anomalies, stops past UNZ."""
    text = data.decode("latin-1")
    run = read_segments(text, 9, delimiters)
    assert run.anomalies == []
    assert [(s.tag, s.elements, s.offset) for s in run.segments] == [e[:3] for e in expected]
    assert run.end == len(text.rstrip("\r\n"))
    assert all(text[at] in " \r\n" for at in run.whitespace)
