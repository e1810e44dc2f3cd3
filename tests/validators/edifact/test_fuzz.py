"""Robustness: whatever the bytes, ``validate`` returns a coherent report and never raises.

Four sources of input: arbitrary bytes; arbitrary bytes behind a plausible interchange start; a
"token soup" of EDIFACT fragments (tags, separators, release characters, counts, dates), which
reaches the envelope checks far more often than random bytes; and valid PAXLST interchanges from
``conformance.builders`` with a few mutations (byte flips and replacements, truncation, deletion,
duplication, insertion of separators, release characters and UNA/UNB/UNZ fragments).

Every report must be self-consistent: a verdict, catalogue codes only, offsets inside the data and
line/column that match the offset, segments whose offsets slice out their own raw text. When the
report can be acknowledged, the CONTRL we would send must itself pass our syntax check.

The number of examples comes from PAXGATE_FUZZ_EXAMPLES (200 by default; ``make fuzz`` sets 20000).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conformance.builders import PaxlstSpec, paxlst
from validators.acks import Acknowledgement, NoAcknowledgement, acknowledge
from validators.catalog import RULES
from validators.edifact.contrl import ContrlContext
from validators.edifact.delimiters import Delimiters
from validators.profiles import BASELINE
from validators.report import Scope, Severity, Verdict
from validators.validate import validate

EXAMPLES = int(os.environ.get("PAXGATE_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])
CONTEXT = ContrlContext(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "R1")
VERDICTS = {Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS, Verdict.REJECTED}

# A CONTRL repeats parts of the received header: its separators, syntax identifier, sender and
# recipient, group and message references and identifiers. When those carry an error, the answer
# may carry it too (it must not "correct" a reference). The CONTRL is then held only to being
# well-formed: one interchange, one CONTRL message, the segments a CONTRL has, and none of the
# structural errors below. When the separators themselves are unusable (a UNA clash or a letter as
# separator), the answer has to reuse them, so only "it can be validated" is asked of it.
_ECHOED_TAGS = frozenset({"UNA", "UNB", "UNG", "UNH"})
_UNUSABLE_SEPARATORS = frozenset({"EDI-UNA-CHAR", "EDI-UNA-CLASH"})
_CONTRL_TAGS = frozenset({"UNB", "UNH", "UCI", "UCF", "UCM", "UCS", "UCD", "UNT", "UNZ"})
_STRUCTURAL = frozenset({
    "EDI-SEG-TAG", "EDI-SEG-EMPTY", "EDI-SEG-UNTERMINATED", "EDI-RELEASE-TRAILING", "EDI-UNB-MISSING",
    "EDI-UNZ-MISSING", "EDI-UNZ-REFERENCE", "EDI-UNZ-COUNT", "EDI-UNT-MISSING", "EDI-UNT-REFERENCE",
    "EDI-UNT-COUNT", "EDI-UNH-DUPLICATE", "EDI-SEG-OUTSIDE", "EDI-INTERCHANGE-EMPTY", "EDI-PRE-JUNK-AFTER",
    "EDI-PRE-JUNK-BEFORE", "EDI-PRE-BUNDLE",
})


# --- the seeds -------------------------------------------------------------------------------------

def _seeds() -> list[bytes]:
    odd = Delimiters("^", "|", ",", "!", "*", "~")
    specs = [
        (PaxlstSpec(passengers=2), None),
        (PaxlstSpec(passengers=2, newlines=True, acknowledgement_request="1"), None),
        (PaxlstSpec(passengers=1, una=False, groups=False, version="3"), None),
        (PaxlstSpec(passengers=2, syntax="UNOC", seed=7), None),
        (PaxlstSpec(passengers=1, syntax="IATA", version="1", groups=False, seed=3), None),
        (PaxlstSpec(passengers=2, newlines=True, seed=5), odd),
        (PaxlstSpec(passengers=0, groups=False), None),
    ]
    seeds = [paxlst(spec, d) if d else paxlst(spec) for spec, d in specs]
    seeds.append(seeds[0] + seeds[3])  # a bundle of two interchanges
    return seeds


SEEDS = _seeds()

FRAGMENTS = [
    b"UNA", b"UNB", b"UNZ", b"UNH", b"UNT", b"UNG", b"UNE", b"UNA:+.? '", b"UNA:+.? 'UNB+", b"UNB+UNOA:4+",
    b"UNA^|,! ~", b"'UNZ+1+X'", b"'UNT+2+M1'", b"UNH+M1+PAXLST:D:05B:UN'", b"?", b"??", b"?'", b"?+", b"?:",
    b"'", b"+", b":", b"*", b"~", b"|", b"^", b"!", b"\r\n", b"\n", b" ", b"\t", b"\x00", b"\x03", b"\x1c", b"\x1d",
    b"\x1f", b"\xff", b"\xc9", b"\xb2", b"\xb3", b"\xb9", b"\xbd", b"\xef\xbb\xbf", b"9" * 12, b"0", b"",
]
INTERESTING_BYTES = sorted({b for f in FRAGMENTS for b in f} | {0x30, 0x39, 0x41, 0x5a, 0x61, 0x7f, 0x80, 0xa0})


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    byte = st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255))
    fragment = st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=8))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, 1 << 16)) % (len(data) + 1)
        kind = draw(st.sampled_from(("flip", "set", "insert", "delete", "truncate", "duplicate")))
        if kind in ("flip", "set") and at < len(data):
            data[at] = data[at] ^ draw(st.integers(1, 255)) if kind == "flip" else draw(byte)
        elif kind == "insert":
            data[at:at] = draw(fragment)
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "duplicate":
            piece = bytes(data[at:at + draw(st.integers(1, 200))])
            to = draw(st.integers(0, 1 << 16)) % (len(data) + 1)
            data[to:to] = piece
    return bytes(data)


SOUP = [
    b"UNA", b"UNB", b"UNG", b"UNH", b"UNT", b"UNE", b"UNZ", b"BGM", b"NAD", b"UCI",
    b"+", b"+", b"+", b":", b":", b"'", b"'", b"'", b"?", b"*", b"\r\n", b" ",
    b"UNOA", b"UNOC", b"UNOY", b"IATA", b"4", b"3", b"1", b"2", b"0", b"261123", b"20261123", b"0700", b"2500",
    b"PAXLST", b"D", b"05B", b"UN", b"M1", b"R1", b"ZZ", b"A" * 40, b"\xb2", b"\xb3", b"\xc9", b"\xff", b"\x00",
]
soups = st.lists(st.sampled_from(SOUP), max_size=80).map(b"".join)
starts = st.sampled_from([b"UNA:+.? 'UNB+", b"UNB+UNOA:4+A+B+261123:0700+R'UNH+", b"UNA^|,! ~UNB|", b"UNB+UNOY:4+"])


# --- the invariants ----------------------------------------------------------------------------------

def check(data: bytes) -> None:
    report = validate(data)
    assert report.verdict in VERDICTS
    assert isinstance(report.format, str)
    text = data.decode("latin-1")
    for finding in report.findings:
        assert finding.code in RULES, finding.code
        assert finding.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        assert finding.scope in set(Scope)
        assert finding.syntax_error is None or 1 <= finding.syntax_error <= 99
        assert finding.message
        loc = finding.location
        for position in (loc.interchange, loc.group, loc.message, loc.segment_position, loc.element, loc.component):
            assert position is None or position >= 1, (finding.code, loc)
        if loc.offset is None:
            assert loc.line is None and loc.column is None
        else:
            assert 0 <= loc.offset <= len(data), (finding.code, loc)
            assert loc.line is not None and loc.column is not None
            assert loc.line >= 1 and loc.column >= 1
            assert loc.line == data.count(b"\n", 0, loc.offset) + 1, (finding.code, loc)
            assert loc.column == loc.offset - (data.rfind(b"\n", 0, loc.offset) + 1) + 1, (finding.code, loc)
    for interchange in report.interchanges:
        assert 0 <= interchange.start <= interchange.end <= len(data)
        for segment in interchange.segments:
            assert interchange.start <= segment.offset <= segment.end <= len(data)
            assert text[segment.offset:segment.end] == segment.raw
            assert isinstance(segment.elements, list)  # splitting never raises either
        for message in interchange.messages:
            assert message.segments[0] is message.header
            assert [s.position for s in message.segments] == list(range(1, len(message.segments) + 1))
    check_acknowledgements(report)


def check_acknowledgements(report) -> None:
    """A CONTRL we would send passes our own syntax check."""
    answers = acknowledge(report, BASELINE, CONTEXT)
    assert [a.interchange for a in answers] == [i.number for i in report.interchanges]
    for answer in answers:
        if isinstance(answer, NoAcknowledgement):
            assert answer.reason
            continue
        assert isinstance(answer, Acknowledgement) and answer.kind == "contrl"
        contrl = validate(answer.payload)
        answered = [f for f in report.findings if f.location.interchange == answer.interchange
                    and f.severity is Severity.ERROR]
        if any(f.code in _UNUSABLE_SEPARATORS for f in answered):
            continue
        where = f"our CONTRL {answer.payload!r}"
        errors = [(f.code, f.location) for f in contrl.findings if f.severity is Severity.ERROR]
        assert [e for e in errors if e[0] in _STRUCTURAL] == [], f"{where} is not well-formed"
        assert contrl.format == "contrl"
        (interchange,) = contrl.interchanges
        assert interchange.header is not None and interchange.trailer is not None, where
        (message,) = interchange.messages
        assert message.type == "CONTRL" and message.trailer is not None, where
        assert {s.tag for s in interchange.segments} <= _CONTRL_TAGS, where
        echoed_faults = [f for f in answered if f.location.segment_tag in _ECHOED_TAGS
                         or f.code.startswith(("EDI-UNA-", "EDI-SYNTAX-"))]
        if not echoed_faults:
            assert errors == [], f"{where} does not pass our own check"


# --- the properties ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS, ids=[f"seed{i}" for i in range(len(SEEDS))])
def test_seeds_are_clean(seed):
    """The mutation base: valid interchanges that draw no warning or error, and that we can answer."""
    report = validate(seed)
    assert report.verdict is Verdict.ACCEPTED, [(f.code, f.location) for f in report.findings]
    assert report.messages >= 1
    check(seed)

@SETTINGS
@given(st.binary(max_size=4096))
@example(b"")
@example(b"UNA")
@example(b"UNA:+.? '")
@example(b"UNAUNB")
@example(b"UNB")
def test_arbitrary_bytes(data):
    check(data)


@SETTINGS
@given(starts, st.binary(max_size=512))
def test_bytes_after_an_interchange_start(start, tail):
    check(start + tail)


@SETTINGS
@given(soups)
def test_token_soup(data):
    check(data)


@SETTINGS
@given(mutated())
@example(SEEDS[0])
@example(SEEDS[-1])
def test_mutated_interchanges(data):
    check(data)


# Minimal inputs this campaign found (each the smallest showing one fault; all fixed in 509f4db), kept
# as plain cases so they are checked on every run whatever the random seed.
FOUND = {
    # int() on a value str.isdigit() accepted: '²' (0xB2 in Latin-1) is a digit to isdigit but not to int()
    "superscript-digit-in-UNT-count": b"UNB+UNOC:4+A+B+261123:0700+R'UNH+1+PAXLST:D:05B:UN'UNT+\xb2+1'UNZ+1+R'",
    "superscript-digit-in-UNB-date": b"UNB+UNOC:4+A+B+26112\xb3:0700+R'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNZ+1+R'",
    # the CONTRL's UCI 0135 (service segment tag) repeats a stray segment's invalid tag verbatim
    "contrl-echoes-invalid-tag-in-UCI": b"UNB+UNOA:4+A+B+261123:0700+R'abc'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNZ+1+R'",
    # a sender id the answer's charset cannot encode becomes '?' after escaping: a bare release character
    "contrl-unencodable-sender": b"UNB+UNOA:4+\xc9+B+261123:0700+R'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNZ+1+R'",
}


@pytest.mark.parametrize("data", FOUND.values(), ids=FOUND.keys())
def test_found_by_fuzzing(data):
    check(data)
