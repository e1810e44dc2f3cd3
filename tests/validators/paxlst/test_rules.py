"""PAXLST content rules: code-list faults reject like syntax, business rules only report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from validators.acks import acknowledge
from validators.edifact.contrl import ContrlContext
from validators.profiles import BASELINE
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CLEAN = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes().decode("latin-1")
CONTEXT = ContrlContext(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "A1")


def check(text: str, profile=BASELINE):
    return validate(text.encode("latin-1"), profile)


def only(report, code: str):
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


def contrl(report, profile=BASELINE) -> bytes:
    [answer] = acknowledge(report, profile, CONTEXT)
    return answer.payload


def test_clean_list_breaks_no_rule():
    assert [f.code for f in check(CLEAN).findings if f.code.startswith("PAXLST-")] == []


def test_wrong_nationality_code_gets_did_you_mean_and_rejects_at_its_element():
    report = check(CLEAN.replace("NAT+2+DEU", "NAT+2+GER"))
    finding = only(report, "PAXLST-COUNTRY-CODE")
    assert (finding.location.segment_tag, finding.location.segment_position, finding.location.element) == ("NAT", 42, 2)
    assert finding.syntax_error == 12 and finding.expected == "did you mean DEU?"
    assert report.verdict == "rejected"
    assert b"UCS+42'UCD+12+3'" in contrl(report)


def test_a_faulty_text_on_every_traveller_is_reported_on_every_one():
    """Clean traveller texts are judged once per list; one with a fault is reported wherever it comes."""
    text = CLEAN
    for code in ("IRL", "JOR", "DEU"):
        text = text.replace(f"NAT+2+{code}'", "NAT+2+GER'")
    report = check(text.replace("LOC+178+LHR'", "LOC+125+LHR'"))
    positions = {code: sorted(f.location.segment_position for f in report.findings if f.code == code)
                 for code in ("PAXLST-COUNTRY-CODE", "PAXLST-QUALIFIER-GROUP")}
    assert len(positions["PAXLST-COUNTRY-CODE"]) == 3 and len(set(positions["PAXLST-COUNTRY-CODE"])) == 3
    assert len(positions["PAXLST-QUALIFIER-GROUP"]) == 3 and len(set(positions["PAXLST-QUALIFIER-GROUP"])) == 3


def test_a_faulty_text_in_every_document_is_reported_on_every_one():
    """Document groups remember their clean texts apart from the travellers' (their qualifiers differ):
    a stateless status is no issuing state wherever it comes, and LOC+178 belongs to the traveller."""
    text = CLEAN
    for code in ("DEU", "IRL", "JOR"):
        text = text.replace(f"LOC+91+{code}'", "LOC+91+XXA'")
    report = check(text.replace("LOC+91+USA'", "LOC+178+LHR'"))  # as every traveller's group has it
    issuers = [f for f in report.findings if f.code == "PAXLST-COUNTRY-CODE"]
    assert len({f.location.segment_position for f in issuers}) == 3
    assert {f.location.segment_tag for f in issuers} == {"LOC"}
    assert only(report, "PAXLST-QUALIFIER-GROUP").location.segment_tag == "LOC"
    assert [f.code for f in check(CLEAN).findings if f.code == "PAXLST-COUNTRY-CODE"] == []


@pytest.mark.parametrize(("old", "new", "valid"), [
    ("NAT+2+DEU", "NAT+2+D", True),  # Germany as the MRZ writes it
    ("NAT+2+DEU", "NAT+2+XXA", True),  # stateless person: a nationality status
    ("LOC+91+DEU", "LOC+91+XXA", False),  # … but no issuing state
    ("LOC+91+DEU", "LOC+91+EUE", True),  # the EU issues laissez-passer
    ("LOC+174+IRL", "LOC+174+IRE", False),
])
def test_country_codes_by_role(old: str, new: str, valid: bool):
    report = check(CLEAN.replace(old, new))
    assert ("PAXLST-COUNTRY-CODE" in [f.code for f in report.findings]) is not valid


@pytest.mark.parametrize(("old", "new"), [("DTM+329:850412", "DTM+329:851332"), ("DTM+36:310911", "DTM+36:3109"),
                                          ("DTM+189:2611231030:201", "DTM+189:2611231090:201")])
def test_dates_that_are_no_dates(old: str, new: str):
    finding = only(check(CLEAN.replace(old, new)), "PAXLST-DATE")
    assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("DTM", 1, 2)
    assert finding.syntax_error == 12


def test_expired_document_is_reported_but_never_rejects():
    report = check(CLEAN.replace("DTM+36:310911", "DTM+36:260101"))
    finding = only(report, "PAXLST-DOC-EXPIRED")
    assert finding.scope == "business" and finding.severity == "warning" and "326 day(s)" in finding.message
    assert report.verdict == "accepted_with_warnings"
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+7'" in contrl(report)
    strict = BASELINE.overlay({"severity": {"PAXLST-DOC-EXPIRED": "reject"}}, "strict")
    report = check(CLEAN.replace("DTM+36:310911", "DTM+36:260101"), strict)
    assert only(report, "PAXLST-DOC-EXPIRED").severity == "error"
    assert report.verdict == "accepted_with_warnings"  # a business rule never rejects the message
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+7'" in contrl(report, strict)


def test_birth_after_the_flight_and_implausible_age():
    assert only(check(CLEAN.replace("DTM+329:850412", "DTM+329:20271130")), "PAXLST-BIRTH-FUTURE").scope == "business"
    assert only(check(CLEAN.replace("DTM+329:850412", "DTM+329:18850412")), "PAXLST-BIRTH-AGE").severity == "warning"


@pytest.mark.parametrize(("number", "flagged"), [("PX1234567", False), ("PX12345678", True), ("PX-12345", True)])
def test_passport_numbers_as_the_mrz_holds_them(number: str, flagged: bool):
    report = check(CLEAN.replace("DOC+P:110:111+PX1234567", f"DOC+P:110:111+{number}"))
    assert ("PAXLST-DOC-NUMBER" in [f.code for f in report.findings]) is flagged


def test_control_totals():
    finding = only(check(CLEAN.replace("CNT+42:3", "CNT+42:4")), "PAXLST-CNT-TOTAL")
    assert finding.expected == "3" and finding.scope == "business"
    # a first part of a multi-part list carries the total of all parts: not checked here
    assert "PAXLST-CNT-TOTAL" not in [f.code for f in check(CLEAN.replace("CNT+42:3", "CNT+42:4").replace(
        "+01:F'", "+01:C'")).findings]


def test_findings_never_repeat_personal_data():
    text = (CLEAN.replace("DTM+36:310911", "DTM+36:260101").replace("DTM+329:850412", "DTM+329:20271130")
            .replace("DOC+P:110:111+PX1234567", "DOC+P:110:111+PX12345678"))
    for finding in check(text).findings:
        rendered = f"{finding.message} {finding.expected}"
        for secret in ("260101", "2026-01-01", "20271130", "PX12345678", "O'BRIEN", "SIOBHAN"):
            assert secret not in rendered, (finding.code, rendered)


def test_multi_part_markers_and_references():
    def part(s010: str, reference: str = "ZZ0123/261123/1420") -> list[str]:
        text = CLEAN.replace("+ZZ0123/261123/1420+01:F'", f"+{reference}+{s010}'" if reference else f"++{s010}'")
        return [f.code for f in check(text).findings if f.code.startswith("PAXLST-PART")]

    assert part("01:F") == [] and part("01:C") == [] and part("02") == [] and part("03:F") == []
    assert part("01") == []  # a lone 01 is a single list in CBP practice
    assert part("02:C") == ["PAXLST-PART-MARKER"]
    assert part("02", reference="") == ["PAXLST-PART-REFERENCE"]
    assert part("01:F", reference="") == []  # a single list needs no common access reference


def test_the_same_part_twice_in_one_interchange():
    second = "UNH+PAX002+PAXLST:D:05B:UN:IATA+ZZ0123/261123/1420+01:F'BGM+745'TDT+20+ZZ0123'UNT+4+PAX002'"
    text = CLEAN.replace("UNE+1+1", second + "UNE+2+1")
    finding = only(check(text), "PAXLST-PART-DUPLICATE")
    assert finding.location.message == 2 and "message 1" in finding.message


@pytest.mark.parametrize(("departure", "arrival", "flagged"), [
    ("2611231030", "2611231420", False),  # LHR 10:30 → JFK 14:20 local: 8h50 in UTC
    ("2611231030", "2611230900", False),  # JFK 09:00 local is 14:00 UTC: still after 10:30 UTC
    ("2611231030", "2611230500", True),   # 10:00 UTC, before the 10:30 UTC departure
    ("2611231030", "2611241030", True),   # 29 hours: no such flight
])
def test_arrival_after_departure_in_utc(departure: str, arrival: str, flagged: bool):
    text = CLEAN.replace("DTM+189:2611231030:201", f"DTM+189:{departure}:201").replace(
        "DTM+232:2611231420:201", f"DTM+232:{arrival}:201")
    report = check(text)
    assert ("PAXLST-FLIGHT-TIMES" in [f.code for f in report.findings]) is flagged
    if flagged:
        assert only(report, "PAXLST-FLIGHT-TIMES").scope == "business"


def test_unknown_airport_is_named():
    finding = only(check(CLEAN.replace("LOC+87+JFK", "LOC+87+QQQ")), "PAXLST-AIRPORT")
    assert finding.location.segment_tag == "LOC" and "'QQQ'" in finding.message
