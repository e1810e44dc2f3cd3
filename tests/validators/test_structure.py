"""The segment-table walker, on PAXLST as carriers send it and on deliberately broken copies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from conformance.builders import PaxlstSpec, paxlst
from validators.acks import acknowledge
from validators.edifact.contrl import ContrlContext
from validators.edifact.delimiters import LEVEL_A_DEFAULT
from validators.edifact.tokenizer import Segment, Splitter
from validators.paxlst.tables import PAXLST_D05B
from validators.profiles import BASELINE
from validators.structure import MessageTable, group, seg, walk
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
CLEAN = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes().decode("latin-1")
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def structure(text: str) -> list[tuple[str, int | None, str | None]]:
    report = validate(text.encode("latin-1"))
    return [(f.code, f.location.segment_position, f.location.segment_tag)
            for f in report.findings if f.code.startswith("MSG-")]  # segment structure and element layouts


def finding(text: str, code: str):
    [found] = [f for f in validate(text.encode("latin-1")).findings if f.code == code]
    return found


def segments(*tags: str) -> list[Segment]:
    out = []
    for position, tag in enumerate(tags, start=2):
        segment = Segment(tag, tag, position * 10, position * 10 + 3, Splitter(LEVEL_A_DEFAULT))
        segment.position = position
        out.append(segment)
    return out


def test_clean_lists_and_generated_lists_have_no_structure_findings():
    assert structure(CLEAN) == []
    assert structure((FIXTURES / "paxlst-v3-crew.edi").read_text("latin-1")) == []
    assert structure(paxlst(PaxlstSpec(passengers=120)).decode("latin-1")) == []


@pytest.mark.parametrize("name", ["paxlst-p1-two-legs.edi", "paxlst-p2-three-legs.edi", "paxlst-p4-crew-negative.edi"])
def test_real_carrier_lists_fit_the_guideline_table(name: str):
    # the UN table would reject these (SG2 DTM missing, RFF repeated); the guideline table must not
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"public samples not found at {SAMPLES}")
    faults = [f for f in structure(path.read_bytes().decode("latin-1")) if not f[0].startswith("MSG-ELEMENT-")]
    assert faults == []


def test_nesting_builds_group_instances():
    body = segments("BGM", "TDT", "LOC", "DTM", "LOC", "DTM", "NAD", "ATT", "DOC", "DTM", "DOC", "NAD", "CNT")
    root, faults = walk(PAXLST_D05B, body[0], body, body[-1])
    assert faults == []
    [flight] = root.children("SG2")
    assert [len(leg.segments) for leg in flight.children("SG3")] == [2, 2]
    travellers = root.children("SG4")
    assert [t.first("NAD").position for t in travellers] == [8, 13]
    assert [len(t.children("SG5")) for t in travellers] == [2, 0]
    assert [s.tag for s in root.segments] == ["BGM", "CNT"]


def test_missing_mandatory_segment_is_reported_after_the_last_segment_read():
    # CONTRL 0096 for a missing segment: the position of the last segment processed before the gap
    text = CLEAN.replace("BGM+745'\r\n", "").replace("UNT+49+", "UNT+48+")
    found = finding(text, "MSG-SEGMENT-MISSING")
    assert (found.location.segment_position, found.location.segment_tag, found.syntax_error) == (1, "UNH", 13)
    assert "BGM" in found.message and "RFF came instead" in found.message and found.expected == "BGM before RFF"


def test_missing_mandatory_group_at_the_end_is_reported_after_the_last_segment():
    text = ("UNA:+.? 'UNB+UNOA:4+ZZAIR+PAXGATE+261123:0645+R1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'"
            "UNT+3+1'UNZ+1+R1'")
    found = finding(text, "MSG-GROUP-MISSING")
    assert (found.location.segment_position, found.location.segment_tag) == (2, "BGM")
    assert "UNT came instead" in found.message
    assert "SG2" in found.message and "TDT" in found.message


def test_misplaced_segment_names_what_could_come_instead():
    # a DOC before any traveller NAD: DOC exists in PAXLST, but only inside SG4/SG5
    text = CLEAN.replace("NAD+FL+++O?'BRIEN", "DOC+P:110:111+X1234567'\r\nNAD+FL+++O?'BRIEN").replace(
        "UNT+49+", "UNT+50+")
    found = finding(text, "MSG-SEGMENT-UNEXPECTED")
    assert (found.location.segment_position, found.location.segment_tag, found.syntax_error) == (11, "DOC", 15)
    assert found.expected.startswith("one of: ") and "NAD" in found.expected and "LOC" in found.expected


def test_unknown_segment_and_recovery_after_it():
    # one stray segment costs one finding: the reader resumes where it stood
    text = CLEAN.replace("ATT+2++M'", "ATT+2++M'\r\nXYZ+1'").replace("UNT+49+", "UNT+50+")
    assert structure(text) == [("MSG-SEGMENT-UNKNOWN", 25, "XYZ")]
    assert "PAXLST" in finding(text, "MSG-SEGMENT-UNKNOWN").message


def test_segment_repeated_too_often():
    text = CLEAN.replace("BGM+745'", "BGM+745'\r\nBGM+745'").replace("UNT+49+", "UNT+50+")
    found = finding(text, "MSG-SEGMENT-REPEAT")
    assert (found.location.segment_position, found.syntax_error) == (3, 35)


def test_group_repeated_too_often():
    flights = "".join(f"TDT+20+ZZ{n:04d}'LOC+125+LHR'LOC+87+JFK'" for n in range(11))
    text = (f"UNB+UNOA:4+ZZAIR+PAXGATE+261123:0645+R1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'{flights}"
            f"UNT+{3 + 33}+1'UNZ+1+R1'")
    found = finding(text, "MSG-GROUP-REPEAT")
    assert (found.location.segment_position, found.location.segment_tag, found.syntax_error) == (3 + 30, "TDT", 36)
    assert "SG2" in found.message and found.expected == "at most 10"


def test_structure_faults_reach_contrl_as_segment_pointers():
    text = CLEAN.replace("ATT+2++M'", "ATT+2++M'\r\nXYZ+1'").replace("UNT+49+", "UNT+50+")
    [answer] = acknowledge(validate(text.encode()), BASELINE, ContrlContext(datetime(2026, 11, 23, tzinfo=UTC), "A1"))
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+4'UCS+25+15'UNT+" in answer.payload


def test_d02b_table_applies_to_d02b_messages():
    text = (FIXTURES / "paxlst-v3-crew.edi").read_text("latin-1")
    ftx = "".join("FTX+BAG+++ZZ123456'" for _ in range(6))  # D.02B allows 5 FTX per traveller, D.05B 99
    broken = text.replace("DTM+329:770519'", "DTM+329:770519'" + ftx).replace("UNT+29+1", "UNT+35+1")
    assert [code for code, _, _ in structure(broken)] == ["MSG-SEGMENT-REPEAT"]
    assert structure(broken.replace("PAXLST:D:02B", "PAXLST:D:05B")) == []


def test_tables_insist_on_a_trigger_segment():
    with pytest.raises(ValueError, match="trigger"):
        group("SGX", "C", 1, seg("DTM", "C", 1))


def test_a_generic_table_is_walked_the_same_way():
    table = MessageTable("TEST", "a test table", (
        seg("AAA", "M", 1), group("SG1", "M", 2, seg("BBB", "M", 1), seg("CCC", "C", 2)), seg("DDD", "C", 1)))
    body = segments("AAA", "BBB", "CCC", "CCC", "CCC", "BBB", "BBB", "EEE", "DDD")
    _, faults = walk(table, body[0], body, body[-1])
    assert [(f.code, f.segment.position) for f in faults] == [
        ("MSG-SEGMENT-REPEAT", 6), ("MSG-GROUP-REPEAT", 8), ("MSG-SEGMENT-UNKNOWN", 9)]
