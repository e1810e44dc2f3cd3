"""Fuzzing the PNRGOV XML path: mutated pushes never raise, never expand, and report coherently.

Seeds are clean pushes from conformance.pnrgov_xml and the hand-written fixtures. Mutations flip and
replace bytes, truncate, delete and duplicate ranges, and insert XML fragments an attacker or a
broken writer would put there (DOCTYPEs and entities, XInclude, CDATA, PIs, stray tags, encodings,
huge-looking numbers). Whatever comes out: a report in format pnrgov-xml, codes from the catalogue,
offsets inside the data, line/column matching the offset, output bounded by the input (nothing
expanded), and rejection whenever an error outside the business rules was found.

The number of examples comes from PAXGATE_FUZZ_EXAMPLES (200 by default).
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.pnrgov_xml import pnrgov_xml_push
from validators.catalog import RULES
from validators.profiles import BASELINE
from validators.report import Scope, Severity, Verdict
from validators.validate import validate

REPO = Path(__file__).resolve().parents[3]
SCHEMA_PATH = REPO / "configs" / "schemas" / "pnrgov-xml-13.1.xsd"
WITH_SCHEMA = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=SCHEMA_PATH.read_text(encoding="utf-8"),
                                      pnrgov_xml_schema_name=SCHEMA_PATH.name)
EXAMPLES = int(os.environ.get("PAXGATE_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SEEDS = [pnrgov_xml_push(2, seed=1), pnrgov_xml_push(3, seed=2, defects=["no-namespace"]),
         *(p.read_bytes() for p in sorted((REPO / "tests" / "fixtures" / "xml").glob("*.xml")))]
FRAGMENTS = [
    b'<!DOCTYPE r [<!ENTITY x "xx">]>', b"&x;", b"&amp;", b"&#0;", b"&#x10FFFF;", b'<!ENTITY a "aaaa">', b"%p;",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>', b"<![CDATA[<x>&y;]]>",
    b'<?xml-stylesheet href="http://127.0.0.1:9/s"?>', b"<?pi?>", b"<!-- c -->", b"<PNR>", b"</PNR>", b"<Passenger/>",
    b'<?xml version="1.0" encoding="UTF-16"?>', b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xc3\x28", b' ID="', b'"',
    b"99999999999999999999", b"-1", b'xmlns="urn:x"', b'xmlns=""', b"<", b">", b"/>", b'CancelledInd="true"',
    b'PushType="Update"', b'NumberOfPnrs="0"', b'ExpiryDate="1900-01-01"', b'xsi:schemaLocation="a http://127.0.0.1:9/x"',
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "truncate", "delete", "duplicate", "replace"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif kind == "truncate":
            del data[at:]
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 400))]
        elif kind == "replace":
            data[at:at + draw(st.integers(1, 30))] = draw(st.binary(max_size=30))
    return bytes(data)


def _coherent(data: bytes, profile) -> None:
    report = validate(data, profile)
    assert report.format == "pnrgov-xml" or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    assert report.verdict in (Verdict.ACCEPTED, Verdict.ACCEPTED_WITH_WARNINGS, Verdict.REJECTED)
    for finding in report.findings:
        assert finding.code in RULES
        loc = finding.location
        if loc.offset is not None:
            assert 0 <= loc.offset <= max(len(data) - 1, 0)
            lines = data[:loc.offset].split(b"\n")
            assert (loc.line, loc.column) == (len(lines), len(lines[-1]) + 1)
        if finding.severity is Severity.ERROR and finding.scope is not Scope.BUSINESS:
            assert report.verdict is Verdict.REJECTED
    output = msgspec.json.encode([report.findings, report.pushes])
    assert len(output) <= 4 * len(data) + 60_000, "more came out than went in: something expanded"
    assert b"root:x:0:0" not in output


@SETTINGS
@given(mutated())
def test_mutated_pushes_never_raise_and_never_expand(data):
    _coherent(data, WITH_SCHEMA)
    _coherent(data, BASELINE)


@SETTINGS
@given(st.binary(max_size=400).map(lambda b: b"<" + b))
def test_arbitrary_bytes_after_a_bracket(data):
    _coherent(data, WITH_SCHEMA)
