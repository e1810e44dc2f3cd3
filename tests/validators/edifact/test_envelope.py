"""ISO 9735 envelope rules, one failing and one passing case each, on realistic interchanges."""

from __future__ import annotations

from pathlib import Path

import pytest

from validators.profiles import BASELINE
from validators.report import Finding
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CLEAN = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes().decode("latin-1")


def check(text: str, profile=BASELINE):
    return validate(text.encode("latin-1"), profile)


def only(report, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [f.code for f in report.findings]
    return found[0]


def errors(report) -> list[str]:
    return [f.code for f in report.findings if f.severity == "error"]


def test_clean_fixture_is_accepted():
    report = check(CLEAN)
    assert report.verdict == "accepted"
    assert errors(report) == []
    assert report.format == "paxlst" and report.messages == 1
    ich = report.interchanges[0]
    assert ich.control_reference == "ZZ2611230645" and ich.sender == ["ZZAIR", "ZZ"]
    assert ich.acknowledgement_request == "1" and ich.syntax_version == "4"
    message = ich.messages[0]
    assert (message.reference, message.type, message.common_access_reference, message.sequence,
            message.first_last) == ("PAX001", "PAXLST", "ZZ0123/261123/1420", "01", "F")
    # the message names its group through a weak proxy (no reference cycle): the same group, not a copy
    assert message.group.header is ich.groups[0].header and ich.groups[0].reference == "1"
    assert ich.groups[0].messages == [message]


# --- UNB / UNZ -------------------------------------------------------------------------------------
def test_missing_unb():
    # a UNA with no UNB after it opens nothing: the file holds no interchange
    report = check("UNA:+.? 'UNH+1+PAXLST:D:05B:UN'BGM+745'UNT+3+1'UNZ+1+R1'")
    assert errors(report) == ["EDI-PRE-NO-INTERCHANGE"]
    assert "UNH" in report.findings[0].message  # says what it found instead


def test_interchange_whose_first_segment_is_not_unb():
    # the UNB that follows the UNA closely opens the interchange, but it is not a UNB segment
    report = check("UNA:+.? 'UNBX+UNOA:4+ZZ+PAXGATE+261123:0645+R1'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNZ+1+R1'")
    assert only(report, "EDI-UNB-MISSING").location.segment_tag == "(an invalid tag of 4 characters)"


def test_missing_unz():
    report = check(CLEAN.replace("UNZ+1+ZZ2611230645'\r\n", ""))
    finding = only(report, "EDI-UNZ-MISSING")
    assert finding.syntax_error == 13 and finding.scope == "interchange"
    assert "ZZ2611230645" in finding.expected


def test_unz_reference_must_match_unb():
    report = check(CLEAN.replace("UNZ+1+ZZ2611230645", "UNZ+1+ZZ2611230646"))
    finding = only(report, "EDI-UNZ-REFERENCE")
    assert (finding.syntax_error, finding.location.segment_tag, finding.location.element) == (28, "UNZ", 2)
    assert finding.expected == "ZZ2611230645"


def test_unz_counts_groups_when_groups_are_used():
    report = check(CLEAN.replace("UNZ+1+", "UNZ+2+"))
    finding = only(report, "EDI-UNZ-COUNT")
    assert finding.syntax_error == 29 and "functional groups" in finding.message


def test_unz_counts_messages_without_groups():
    text = (FIXTURES / "paxlst-v3-crew.edi").read_text("latin-1")
    assert errors(check(text)) == []
    finding = only(check(text.replace("UNZ+1+", "UNZ+3+")), "EDI-UNZ-COUNT")
    assert "messages" in finding.message and finding.expected == "1"


def test_unknown_syntax_identifier_and_version():
    assert only(check(CLEAN.replace("UNOA:4", "UNOQ:4")), "EDI-SYNTAX-ID").syntax_error == 2
    assert only(check(CLEAN.replace("UNOA:4", "UNOA:7")), "EDI-SYNTAX-VERSION").syntax_error == 2


def test_unb_mandatory_element_missing():
    report = check(CLEAN.replace("+PAXGATE:ZZ+261123:0645+ZZ2611230645", "+PAXGATE:ZZ+261123:0645+"))
    finding = only(report, "EDI-ENV-MISSING")
    assert (finding.syntax_error, finding.location.segment_tag, finding.location.element) == (13, "UNB", 5)
    assert "0020" in finding.message


def test_unb_reference_too_long():
    report = check(CLEAN.replace("ZZ2611230645", "ZZ26112306450001", 1))
    finding = only(report, "EDI-ENV-TOO-LONG")
    assert finding.syntax_error == 39 and "at most 14" in finding.message


@pytest.mark.parametrize(("date", "valid"), [("261123:0645", True), ("20261123:0645", True), ("261323:0645", False),
                                             ("261131:0645", False), ("261123:2460", False)])
def test_unb_preparation_date(date: str, valid: bool):
    report = check(CLEAN.replace("PAXGATE:ZZ+261123:0645+ZZ", f"PAXGATE:ZZ+{date}+ZZ"))
    assert ("EDI-ENV-DATE" in errors(report)) is not valid


def test_eight_digit_date_only_in_version_4():
    text = (FIXTURES / "paxlst-v3-crew.edi").read_text("latin-1").replace("+261124:0500+", "+20261124:0500+")
    assert only(check(text), "EDI-ENV-TOO-LONG").location.component == 1


@pytest.mark.parametrize(("version", "code", "valid"), [("4", "1", True), ("4", "2", True), ("4", "3", False),
                                                        ("3", "1", True), ("3", "2", False)])
def test_acknowledgement_request_codes(version: str, code: str, valid: bool):
    text = CLEAN.replace("UNOA:4", f"UNOA:{version}").replace("++APIS++1'", f"++APIS++{code}'")
    report = check(text)
    assert ("EDI-ENV-CODE" in errors(report)) is not valid


@pytest.mark.parametrize(("version", "code", "valid"), [("4", "1", True), ("4", "4", True), ("4", "5", False),
                                                        ("3", "1", True), ("3", "2", False)])
def test_test_indicator_codes(version: str, code: str, valid: bool):
    text = CLEAN.replace("UNOA:4", f"UNOA:{version}").replace("++APIS++1'", f"++APIS++1++{code}'")
    report = check(text)
    assert ("EDI-ENV-CODE" in errors(report)) is not valid
    if valid:
        assert report.interchanges[0].test_indicator == code


def test_non_numeric_control_count():
    finding = only(check(CLEAN.replace("UNZ+1+", "UNZ+ONE+")), "EDI-ENV-NOT-NUMERIC")
    assert finding.syntax_error == 37 and finding.location.segment_tag == "UNZ"


def test_too_many_data_elements_in_a_service_segment():
    finding = only(check(CLEAN.replace("UNZ+1+ZZ2611230645", "UNZ+1+ZZ2611230645+X")), "EDI-ENV-TOO-MANY")
    assert finding.syntax_error == 16 and finding.location.element == 3


def test_recipient_checked_when_the_profile_names_us():
    profile = BASELINE.overlay({"envelope": {"recipients": ["PAXGATE"]}}, "test")
    assert errors(check(CLEAN, profile)) == []
    other = BASELINE.overlay({"envelope": {"recipients": ["USCSAPIS"]}}, "test")
    finding = only(check(CLEAN, other), "EDI-UNB-RECIPIENT")
    assert finding.syntax_error == 7 and finding.expected == "one of: USCSAPIS"


# --- UNG / UNE -------------------------------------------------------------------------------------
def test_une_reference_and_count():
    assert only(check(CLEAN.replace("UNE+1+1", "UNE+1+2")), "EDI-UNE-REFERENCE").syntax_error == 28
    finding = only(check(CLEAN.replace("UNE+1+1", "UNE+4+1")), "EDI-UNE-COUNT")
    assert (finding.syntax_error, finding.scope, finding.location.group) == (29, "group", 1)


def test_missing_une():
    report = check(CLEAN.replace("UNE+1+1'\r\n", ""))
    assert only(report, "EDI-UNE-MISSING").scope == "group"


def test_empty_group():
    text = CLEAN.replace("UNE+1+1'", "UNE+1+1'\r\nUNG+PAXLST+ZZ:ZZ+PAXGATE:ZZ+261123:0645+2+UN+D:05B'\r\nUNE+0+2'")
    text = text.replace("UNZ+1+", "UNZ+2+")
    assert only(check(text), "EDI-UNG-EMPTY").syntax_error == 32


def test_groups_and_bare_messages_mixed():
    bare = "UNH+M2+PAXLST:D:05B:UN'BGM+745'UNT+3+M2'"
    text = CLEAN.replace("UNZ+1+", bare + "UNZ+1+")
    assert only(check(text), "EDI-UNG-MIXED").syntax_error == 30


def test_message_type_must_match_group():
    finding = only(check(CLEAN.replace("UNG+PAXLST+", "UNG+CUSRES+")), "EDI-UNG-MESSAGE-TYPE")
    assert finding.location.segment_tag == "UNH" and "CUSRES" in finding.expected


# --- UNH / UNT -------------------------------------------------------------------------------------
def test_unt_count_includes_unh_and_unt():
    assert errors(check(CLEAN)) == []
    finding = only(check(CLEAN.replace("UNT+49+PAX001", "UNT+48+PAX001")), "EDI-UNT-COUNT")
    assert (finding.syntax_error, finding.location.segment_position, finding.location.element) == (29, 49, 1)
    assert finding.expected == "49"


def test_unt_reference_must_match_unh():
    finding = only(check(CLEAN.replace("UNT+49+PAX001", "UNT+49+PAX002")), "EDI-UNT-REFERENCE")
    assert (finding.syntax_error, finding.scope, finding.expected) == (28, "message", "PAX001")


def test_missing_unt_closes_the_message_at_the_next_header():
    text = CLEAN.replace("UNT+49+PAX001'\r\n", "")
    report = check(text)
    finding = only(report, "EDI-UNT-MISSING")
    assert finding.syntax_error == 13 and finding.location.message == 1


def test_duplicate_message_reference_in_one_interchange():
    second = "UNH+PAX001+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+PAX001'"
    text = CLEAN.replace("UNE+1+1", second + "UNE+2+1")
    finding = only(check(text), "EDI-UNH-DUPLICATE")
    assert finding.syntax_error == 26 and finding.location.message == 2


def test_unh_message_identifier_components_are_mandatory():
    finding = only(check(CLEAN.replace("PAXLST:D:05B:UN:IATA", "PAXLST:D:05B")), "EDI-ENV-MISSING")
    assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("UNH", 2, 4)


def test_first_last_transfer_code():
    finding = only(check(CLEAN.replace("+01:F'", "+01:X'")), "EDI-ENV-CODE")
    assert (finding.location.element, finding.location.component) == (4, 2)


def test_segment_outside_a_message():
    finding = only(check(CLEAN.replace("UNE+1+1'", "NAD+FL+++STRAY'UNE+1+1'")), "EDI-SEG-OUTSIDE")
    assert finding.syntax_error == 33 and finding.location.segment_position is None


def test_interchange_without_messages():
    text = "UNA:+.? 'UNB+UNOA:4+ZZ+PAXGATE+261123:0645+R1'UNZ+0+R1'"
    assert only(check(text), "EDI-INTERCHANGE-EMPTY").syntax_error == 32


# --- character repertoire --------------------------------------------------------------------------
@pytest.mark.parametrize(("syntax", "name", "valid"), [
    ("UNOA", "SMITH", True), ("UNOA", "Smith", False), ("UNOB", "Smith", True), ("UNOB", "SMITHÉ", False),
    ("UNOC", "MÜLLER", True), ("UNOC", "MÜLLER\x07", False),
])
def test_character_repertoire(syntax: str, name: str, valid: bool):
    text = CLEAN.replace("UNOA:4", f"{syntax}:4").replace("MUELLER:ANNA", f"{name}:ANNA")
    report = check(text)
    assert ("EDI-CHAR-INVALID" in errors(report)) is not valid
    if not valid:
        finding = only(report, "EDI-CHAR-INVALID")
        assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("NAD", 4, 1)
        assert finding.syntax_error == 21


def test_utf8_syntax_rejects_invalid_byte_sequences():
    data = CLEAN.replace("UNOA:4", "UNOW:4").encode("latin-1").replace(b"MUELLER", b"M\xfcLLER")  # latin-1, not UTF-8
    report = validate(data)
    finding = only(report, "EDI-CHAR-INVALID")
    assert finding.location.offset == data.index(b"\xfc")
    good = CLEAN.replace("UNOA:4", "UNOW:4").replace("MUELLER", "MÜLLER").encode("utf-8")
    assert errors(validate(good)) == []
    assert validate(good).interchanges[0].messages[0].segments[36].elements[3][0] == "MÜLLER"


def test_character_findings_never_repeat_the_data():
    text = CLEAN.replace("MUELLER:ANNA", "Mueller:Anna")
    for finding in check(text).findings:
        assert "ueller" not in finding.message and "nna" not in finding.message


# --- real-world dirt and tolerance -----------------------------------------------------------------
def test_type_b_wrapper_is_stripped_and_noted():
    report = validate((FIXTURES / "paxlst-typeb-wrapped.edi").read_bytes())
    assert report.verdict == "accepted"
    assert only(report, "EDI-PRE-TYPEB").severity == "info"
    assert report.interchanges[0].delimiters.element == "("
    assert report.interchanges[0].messages[0].segments[8].elements[3] == ["TREMBLAY", "JEAN-LUC"]


def test_junk_before_the_interchange():
    report = check("GARBAGE FROM A SPOOLER\n" + CLEAN)
    finding = only(report, "EDI-PRE-JUNK-BEFORE")
    assert finding.severity == "warning" and finding.location.offset == 0 and "22 bytes" in finding.message
    assert report.messages == 1


def test_junk_after_unz():
    finding = only(check(CLEAN + "13Nov09\r\n"), "EDI-PRE-JUNK-AFTER")
    assert finding.severity == "warning" and "7 bytes" in finding.message


def test_several_interchanges_with_their_own_una():
    second = (FIXTURES / "paxlst-typeb-wrapped.edi").read_text("latin-1").split("\x02")[1].rstrip("\x03\r\n")
    report = check(CLEAN + second)
    assert len(report.interchanges) == 2 and report.messages == 2
    # noted on each interchange, so a profile that rejects bundles rejects every part alike
    assert [f.location.interchange for f in report.findings if f.code == "EDI-PRE-BUNDLE"] == [1, 2]
    assert [i.delimiters.element for i in report.interchanges] == ["+", "("]
    assert [m.index for i in report.interchanges for m in i.messages] == [1, 2]
    assert errors(report) == []


def test_interchange_missing_unz_followed_by_another():
    first = CLEAN.replace("UNZ+1+ZZ2611230645'\r\n", "")
    report = check(first + CLEAN)
    assert len(report.interchanges) == 2
    assert only(report, "EDI-UNZ-MISSING").location.interchange == 1


def test_tolerance_changes_severity_and_verdict():
    dirty = CLEAN.replace("RFF+ABO:ZZ0123-001'", "RFF+ABO:ZZ0123-001+'")
    assert check(dirty).verdict == "accepted_with_warnings"
    strict = BASELINE.overlay({"severity": {"EDI-SEG-TRAILING-SEPARATOR": "reject"}}, "test")
    assert check(dirty, strict).verdict == "rejected"
    lenient = BASELINE.overlay({"severity": {"EDI-SEG-TRAILING-SEPARATOR": "accept"}}, "test")
    assert check(dirty, lenient).verdict == "accepted"


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\x00\x01\x02binary"])
def test_not_an_interchange_gets_a_clear_finding(data: bytes):
    report = validate(data)
    assert report.verdict == "rejected" and report.format == "unknown"
    assert report.findings[0].code in ("EDI-PRE-EMPTY", "EDI-PRE-NO-INTERCHANGE")


def test_xml_goes_to_the_xml_path_not_the_edifact_one():
    report = validate(b"<?xml version='1.0'?><PNR/>")  # XML is PNRGOV XML's (validators/pnrgov/xml.py)
    assert report.verdict == "rejected" and report.format == "pnrgov-xml"
    assert "PNR-XML-ROOT" in [f.code for f in report.findings]


def test_errors_survive_the_finding_limit():
    # 1,500 warnings (trailing separators) before an error in a second interchange: the list of
    # warnings is cut, the error is not, so the verdict and the CONTRL still reject
    first = CLEAN.replace("CNT+42:3'", "CNT+42:3'" + "FTX+BAG+++A+'" * 1500).replace("UNT+49+", "UNT+1549+")
    second = CLEAN.replace("UNZ+1+ZZ2611230645", "UNZ+1+WRONG")
    report = check(first + second)
    assert "EDI-LIMIT-FINDINGS" in [f.code for f in report.findings]
    assert only(report, "EDI-UNZ-REFERENCE").location.interchange == 2
    assert report.verdict == "rejected"


def test_garbled_segment_tags_are_described_not_repeated():
    # an unreleased apostrophe in a name: the rest of the name reads like a segment
    report = check(CLEAN.replace("NAD+FL+++O?'BRIEN:SIOBHAN", "NAD+FL+++O'BRIEN:SIOBHAN"))
    for finding in report.findings:
        shown = f"{finding.message} {finding.expected} {finding.location.segment_tag}"
        assert "BRIEN" not in shown and "SIOBHAN" not in shown, (finding.code, shown)
    assert "an invalid tag of" in only(report, "EDI-SEG-TAG").message
