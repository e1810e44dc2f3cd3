"""National profiles differ in real ways, as data: required data, accepted directories, severities."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.profiles import load_profile
from validators.acks import acknowledge, cusres
from validators.edifact.contrl import ContrlContext
from validators.profiles import BASELINE, ProfileError
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CLEAN = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes()
CREW_D02B = (FIXTURES / "paxlst-v3-crew.edi").read_bytes()
CONTEXT = ContrlContext(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "A1")


def codes(report, code: str):
    return [f for f in report.findings if f.code == code]


def test_utopia_requires_birth_place_for_every_traveller():
    utopia = load_profile("utopia")
    report = validate(CLEAN, utopia)
    required = codes(report, "PAXLST-REQUIRED")
    assert [f.location.segment_position for f in required] == [11, 23, 37]  # each traveller's NAD
    assert all(f.severity == "error" and f.scope == "business" for f in required)
    assert "place of birth" in required[0].message and "utopia" in required[0].message
    assert report.verdict == "accepted_with_warnings"  # data requirements never reject the list …
    [answer] = acknowledge(report, utopia, CONTEXT)
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+7'" in answer.payload  # … nor the CONTRL
    assert codes(validate(CLEAN), "PAXLST-REQUIRED") == []  # the baseline requires nothing


def test_utopia_is_satisfied_by_complete_data():
    text = CLEAN.decode("latin-1")
    for n, nat in enumerate(("IRL", "JOR", "DEU")):
        text = text.replace(f"NAT+2+{nat}'", f"LOC+180+:::PLACE {n}'\r\nNAT+2+{nat}'", 1)
    text = text.replace("UNT+49+", "UNT+52+")
    assert codes(validate(text.encode("latin-1"), load_profile("utopia")), "PAXLST-REQUIRED") == []


def test_erewhon_accepts_d02b_only():
    erewhon = load_profile("erewhon")
    assert codes(validate(CREW_D02B, erewhon), "PAXLST-DIRECTORY") == []
    report = validate(CLEAN, erewhon)
    [finding] = codes(report, "PAXLST-DIRECTORY")
    assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("UNH", 2, 3)
    assert finding.expected == "one of D:02B" and report.verdict == "rejected"
    [answer] = acknowledge(report, erewhon, CONTEXT)
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+4+14+UNH+3:3'" in answer.payload


def test_directories_without_a_table_are_read_with_the_d05b_table_where_accepted():
    d12b = CLEAN.replace(b"PAXLST:D:05B", b"PAXLST:D:12B")
    assert [f.code for f in validate(d12b).findings if f.severity == "error"] == ["PAXLST-DIRECTORY"]
    allowing = BASELINE.overlay({"paxlst": {"directories": ["05B", "12B"]}}, "test")
    report = validate(d12b, allowing)
    assert [f.code for f in report.findings if f.severity == "error"] == []
    assert report.travellers == 3  # read, with the D.05B guideline table


@pytest.mark.parametrize(("table", "key"), [
    ({"paxlst": {"require": ["shoe_size"]}}, "paxlst.require"),
    ({"paxlst": {"directories": "05B"}}, "paxlst.directories"),
    ({"paxlst": {"crew": True}}, "paxlst.crew"),
])
def test_paxlst_tables_are_checked(table, key):
    with pytest.raises(ProfileError) as error:
        BASELINE.overlay(table, "x.toml")
    assert error.value.key == key


def test_directive_codes_come_from_the_profile():
    clean = validate(CLEAN)
    [default] = cusres(clean, BASELINE, CONTEXT)
    assert default.payload.count(b"ERC+0Z'") == 3
    sita = BASELINE.overlay({"iapi": {"board": "8501", "insufficient": "8630"}}, "sita-style")
    [answer] = cusres(clean, sita, CONTEXT)
    assert answer.payload.count(b"ERC+8501'") == 3 and b"ERC+0Z'" not in answer.payload
    with pytest.raises(ProfileError) as error:
        BASELINE.overlay({"iapi": {"maybe": "0Z"}}, "x.toml")
    assert error.value.key == "iapi.maybe"


def test_cusres_answers_a_list_read_with_the_fallback_table():
    d12b = validate(CLEAN.replace(b"PAXLST:D:05B", b"PAXLST:D:12B"),
                    BASELINE.overlay({"paxlst": {"directories": ["05B", "12B"]}}, "test"))
    assert [m.message for m in d12b.manifests] == [1]
    [answer] = cusres(d12b, BASELINE, CONTEXT)
    assert answer.payload.count(b"ERC+0Z'") == 3
