"""Round trip: what ``writer.segment`` writes, the tokenizer reads back value for value.

Values are drawn with the service characters (separators, the release character, the repetition
separator) over-represented, plus non-ASCII text: Latin-1 under UNOC, any Unicode under UNOY/UNOW
(UTF-8 bytes, re-decoded after tokenizing). Written segments never draw the trailing-separator
warning (ISO 9735 v4 syntax error 45), and a whole interchange built from them validates clean.
"""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validators.edifact.delimiters import IATA_DEFAULT, LEVEL_A_DEFAULT, Delimiters
from validators.edifact.tokenizer import Splitter, read_segments
from validators.edifact.writer import escape, segment, trimmed
from validators.report import Verdict
from validators.validate import validate

EXAMPLES = int(os.environ.get("PAXGATE_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
LATIN1 = ASCII + "".join(chr(c) for c in range(0xA0, 0x100))  # UNOC: printable ASCII and the defined upper half
SERVICE_TAGS = frozenset({"UNA", "UNB", "UNZ", "UNG", "UNE", "UNH", "UNT"})


@st.composite
def delimiter_sets(draw):
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return LEVEL_A_DEFAULT
    if choice == 1:
        return IATA_DEFAULT
    decimal = draw(st.sampled_from(".,"))
    pool = [c for c in string.punctuation if c != decimal]
    comp, elem, rel, term, rep = draw(st.lists(st.sampled_from(pool), min_size=5, max_size=5, unique=True))
    return Delimiters(comp, elem, decimal, rel, rep if draw(st.booleans()) else None, term)


def values(delimiters: Delimiters, alphabet, service: bool = True):
    """Text over ``alphabet`` (a string or a strategy), with runs of service characters mixed in."""
    letters = st.sampled_from(alphabet) if isinstance(alphabet, str) else alphabet
    chunk = st.text(alphabet=letters, max_size=8)
    if service:
        chars = "".join(delimiters.service_characters()) + delimiters.decimal
        chunk = st.one_of(chunk, st.text(alphabet=st.sampled_from(chars), min_size=1, max_size=4))
    return st.lists(chunk, max_size=3).map("".join)


def elements_of(delimiters: Delimiters, alphabet, service: bool = True):
    component = values(delimiters, alphabet, service)
    return st.lists(st.one_of(component, st.lists(component, min_size=1, max_size=3)), max_size=5)


tags = st.tuples(*[st.sampled_from(string.ascii_uppercase)] * 3).map("".join).map(
    lambda t: "X" + t[1:] if t in SERVICE_TAGS else t)


# --- one segment, straight through the tokenizer -----------------------------------------------------

@st.composite
def one_segment(draw):
    d = draw(delimiter_sets())
    return d, draw(tags), draw(elements_of(d, LATIN1))


@SETTINGS
@given(one_segment())
def test_segment_reads_back(case):
    d, tag, elements = case
    written = segment(tag, elements, d)
    assert written.endswith(d.segment)
    run = read_segments(written, 0, d)
    assert run.anomalies == []  # in particular no EDI-SEG-TRAILING-SEPARATOR, EDI-RELEASE-*
    (read,) = run.segments
    assert (read.tag, read.elements, read.offset, read.end) == (tag, trimmed(elements), 0, len(written) - 1)


@SETTINGS
@given(st.data())
def test_escaped_value_splits_back(data):
    d = data.draw(delimiter_sets())
    components = data.draw(st.lists(values(d, LATIN1), min_size=2, max_size=4))
    raw = "TAG" + d.element + d.component.join(escape(c, d) for c in components)
    assert Splitter(d).split(raw) == [components]


@SETTINGS
@given(st.data())
def test_without_release_character(data):
    """UNA position 4 a space: nothing is escaped, so values free of service characters still round-trip."""
    base = data.draw(delimiter_sets())
    d = Delimiters(base.component, base.element, base.decimal, None, base.repetition, base.segment)
    service = set(d.service_characters())
    plain = "".join(c for c in LATIN1 if c not in service)
    tag, elements = data.draw(tags), data.draw(elements_of(d, plain, service=False))
    written = segment(tag, elements, d)
    run = read_segments(written, 0, d)
    assert run.anomalies == []
    assert [(s.tag, s.elements) for s in run.segments] == [(tag, trimmed(elements))]


# --- whole interchanges through validate() ----------------------------------------------------------

SYNTAXES = {
    "UNOC": ("latin-1", st.sampled_from(LATIN1)),
    "UNOY": ("utf-8", st.characters(blacklist_categories=("Cs", "Cc"))),
    "UNOW": ("utf-8", st.characters(blacklist_categories=("Cs", "Cc"))),
}


@st.composite
def interchanges(draw):
    syntax = draw(st.sampled_from(sorted(SYNTAXES)))
    encoding, letters = SYNTAXES[syntax]
    d = draw(delimiter_sets())
    with_una = d not in (LEVEL_A_DEFAULT,) or draw(st.booleans())  # UNOx without UNA means the level A defaults
    body = draw(st.lists(st.tuples(tags, elements_of(d, letters)), max_size=5))
    newline = draw(st.sampled_from(["", "\r\n", "\n"]))
    lines = [segment("UNB", [[syntax, "4"], ["SENDER", "ZZ"], ["PAXGATE", "ZZ"], ["20261123", "0700"], "R1"], d),
             segment("UNH", ["M1", ["SYNTAX", "D", "05B", "UN"]], d)]
    lines += [segment(tag, elements, d) for tag, elements in body]
    lines += [segment("UNT", [str(len(body) + 2), "M1"], d), segment("UNZ", ["1", "R1"], d)]
    text = (d.una() + newline if with_una else "") + newline.join(lines) + newline
    return text.encode(encoding), d, body


@SETTINGS
@given(interchanges())
def test_interchange_reads_back(case):
    data, d, body = case
    report = validate(data)
    assert [(f.code, f.location) for f in report.findings if f.severity != "info"] == []
    assert report.verdict is Verdict.ACCEPTED
    (interchange,) = report.interchanges
    assert interchange.delimiters == d
    (message,) = interchange.messages
    read = [(s.tag, s.elements) for s in message.segments[1:-1]]
    assert read == [(tag, trimmed(elements)) for tag, elements in body]
