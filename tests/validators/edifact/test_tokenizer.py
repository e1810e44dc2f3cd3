"""Service string advice, release characters, segment positions and offsets."""

from __future__ import annotations

import pytest

from validators.edifact.delimiters import IATA_DEFAULT, LEVEL_A_DEFAULT, LEVEL_B_DEFAULT, parse_una
from validators.validate import validate

UNB4 = "UNB+UNOA:4+ZZAIR:ZZ+PAXGATE:ZZ+261123:0645+R1'"
# These tests are about the syntax layer alone, so their messages are of a type no segment table
# knows ("SYNTAX"): only syntax findings can appear, whatever segments a test puts inside.
UNH = "UNH+1+SYNTAX:D:05B:UN"


def codes(data: bytes | str) -> list[str]:
    raw = data.encode("latin-1") if isinstance(data, str) else data
    return [f.code for f in validate(raw).findings]


def segments(data: str):
    report = validate(data.encode("latin-1"))
    return [s for i in report.interchanges for s in i.segments]


def interchange(*body: str, una: str | None = "UNA:+.? '", unb: str = UNB4, term: str = "'") -> str:
    """A one-message interchange around ``body`` with correct counts."""
    msg = [UNH, *body]
    msg.append(f"UNT+{len(msg) + 1}+1")
    return (una or "") + unb + "".join(s + term for s in msg) + "UNZ+1+R1" + term


# --- UNA -----------------------------------------------------------------------------------------
def test_una_declares_every_separator():
    text = "UNA^|,!#~UNB|UNOA^4|A^ZZ|B^ZZ|261123^0645|R1~UNH|1|SYNTAX^D^05B^UN~NAD|FL|||O!~BRIEN^A!^B!|C~UNT|3|1~UNZ|1|R1~"
    report = validate(text.encode())
    assert [f.code for f in report.findings] == []
    ich = report.interchanges[0]
    assert (ich.delimiters.component, ich.delimiters.element, ich.delimiters.decimal, ich.delimiters.release,
            ich.delimiters.repetition, ich.delimiters.segment) == ("^", "|", ",", "!", "#", "~")
    nad = ich.segments[2]
    assert nad.elements == [["FL"], [""], [""], ["O~BRIEN", "A^B|C"]]


def test_defaults_without_una_are_level_a():
    report = validate(interchange("NAD+FL+++SMITH:JOHN", una=None).encode())
    assert report.interchanges[0].delimiters == LEVEL_A_DEFAULT
    assert report.interchanges[0].una is None
    assert report.verdict == "accepted"


def test_iata_identifier_defaults_to_decimal_comma():
    text = interchange("MON+B:420,00:GBP", una=None, unb="UNB+IATA:1+ZZ+PAXGATEPNR+261123:0800+R1'")
    report = validate(text.encode())
    assert report.interchanges[0].delimiters == IATA_DEFAULT
    assert report.interchanges[0].segments[2].elements == [["B", "420,00", "GBP"]]


def test_level_b_information_separators_detected_without_una():
    us, gs, fs = "\x1f", "\x1d", "\x1c"
    text = (f"UNB{gs}UNOB{us}4{gs}ZZ{gs}PAXGATE{gs}261123{us}0645{gs}R1{fs}UNH{gs}1{gs}SYNTAX{us}D{us}05B{us}UN{fs}"
            f"BGM{gs}745{fs}UNT{gs}3{gs}1{fs}UNZ{gs}1{gs}R1{fs}")
    report = validate(text.encode())
    assert report.interchanges[0].delimiters == LEVEL_B_DEFAULT
    assert report.verdict == "accepted", [f.code for f in report.findings]
    assert report.interchanges[0].segments[2].elements == [["745"]]


@pytest.mark.parametrize(("advice", "expected"), [
    (":+.? '", []),
    (":+,? '", []),
    (":+.?*'", []),
    (":+.\\*'", []),
    (":A.? '", ["EDI-UNA-CHAR"]),
    (":+:? '", ["EDI-UNA-DECIMAL"]),
    ("::.? '", ["EDI-UNA-CLASH"]),
    (":+.?+'", ["EDI-UNA-CLASH"]),
    (":+.?  ", ["EDI-UNA-CHAR"]),  # a space cannot terminate segments
])
def test_una_rules(advice: str, expected: list[str]):
    _, problems = parse_una(advice, "UNOA", "4")
    assert [p.code for p in problems] == expected


def test_repetition_separator_in_version_3_is_noted_not_used():
    _, problems = parse_una(":+.?*'", "UNOA", "3")
    assert [p.code for p in problems] == ["EDI-UNA-REPETITION-V3"]
    _, problems = parse_una(":+.?*'", "IATA", "1")  # PNRGOV senders declare it under IATA:1
    assert problems == []


def test_short_una_is_reported_and_defaults_apply():
    text = "UNA:+'" + interchange("BGM+745", una=None)
    report = validate(text.encode())
    assert "EDI-UNA-LENGTH" in [f.code for f in report.findings]
    assert report.interchanges[0].delimiters == LEVEL_A_DEFAULT
    assert report.messages == 1


# --- release character ---------------------------------------------------------------------------
def test_release_before_each_service_character():
    segs = segments(interchange("FTX+AAI+++A?:B?+C?'D??E"))
    assert segs[2].elements[3] == ["A:B+C'D?E"]


def test_release_before_release_then_separator():
    # "??" is a literal "?", so the following ":" separates components again
    segs = segments(interchange("NAD+FL+++X??:Y"))
    assert segs[2].elements[3] == ["X?", "Y"]


def test_released_terminator_does_not_end_the_segment():
    segs = segments(interchange("NAD+FL+++O?'BRIEN:A"))
    assert [s.tag for s in segs] == ["UNB", "UNH", "NAD", "UNT", "UNZ"]
    assert segs[2].elements[3] == ["O'BRIEN", "A"]


def test_release_before_ordinary_character_is_flagged_and_kept():
    report = validate(interchange("NAD+FL+++SMI?TH").encode())
    finding = next(f for f in report.findings if f.code == "EDI-RELEASE-DATA")
    assert finding.severity == "warning" and finding.syntax_error == 22
    # one component in the data: CONTRL's S011 names the element only
    assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("NAD", 4, None)
    assert report.interchanges[0].segments[2].elements[3] == ["SMITH"]
    assert validate(interchange("NAD+FL+++SMITH").encode()).findings == []


def test_trailing_release_at_end_of_data():
    text = "UNA:+.? '" + UNB4 + "UNH+1+SYNTAX:D:05B:UN'NAD+FL+++X?"
    found = codes(text)
    assert "EDI-RELEASE-TRAILING" in found and "EDI-SEG-UNTERMINATED" in found


def test_no_release_character_declared():
    text = interchange("FTX+AAI+++50? PCT", una="UNA:+.  '")
    report = validate(text.encode())
    assert report.interchanges[0].delimiters.release is None
    assert report.interchanges[0].segments[2].elements[3] == ["50? PCT"]


# --- positions -----------------------------------------------------------------------------------
def test_positions_offsets_lines_and_columns():
    text = "UNA:+.? '\r\n" + UNB4 + "\r\nUNH+1+SYNTAX:D:05B:UN'\r\nBGM+745'\r\nNAD+FL+++Smith'\r\nUNT+4+1'\r\nUNZ+1+R1'\r\n"
    report = validate(text.encode())
    segs = report.interchanges[0].segments
    assert [(s.tag, s.position) for s in segs] == [("UNB", 0), ("UNH", 1), ("BGM", 2), ("NAD", 3), ("UNT", 4), ("UNZ", 0)]
    for seg in segs:
        assert text.encode()[seg.offset:seg.offset + 3] == seg.tag.encode()
    char = next(f for f in report.findings if f.code == "EDI-CHAR-INVALID")
    assert (char.location.line, char.location.column) == (5, 11)  # NAD is on line 5; "m" is its 11th character
    assert char.location.offset == text.index("mith")
    assert (char.location.segment_position, char.location.element, char.location.component) == (3, 4, None)
    assert char.location.message == 1


def test_offsets_are_bytes_for_utf8():
    text = "UNA:+.? 'UNB+UNOW:4+ZZ+PAXGATE+261123:0645+R1'UNH+1+SYNTAX:D:05B:UN'NAD+FL+++MÜLLER:ZOË'BGM+745'UNT+4+1'UNZ+1+R1'"
    data = text.encode("utf-8")
    report = validate(data)
    assert report.verdict == "accepted", report.findings
    bgm = report.interchanges[0].segments[3]
    assert data[bgm.offset:bgm.offset + 3] == b"BGM"
    assert report.interchanges[0].segments[2].elements[3] == ["MÜLLER", "ZOË"]


# --- line breaks, whitespace, trailing separators --------------------------------------------------
def test_crlf_between_segments_is_a_note():
    report = validate(interchange("BGM+745").replace("'", "'\r\n").encode())
    assert [f.code for f in report.findings] == ["EDI-SEG-WHITESPACE"]
    assert report.findings[0].severity == "info"
    assert report.verdict == "accepted"


def test_line_break_inside_a_segment_is_an_error_with_position():
    report = validate(interchange("TXD++99.99::S\nGD").encode())
    finding = next(f for f in report.findings if f.code == "EDI-SEG-LINEBREAK")
    assert finding.severity == "error" and finding.syntax_error == 21
    assert (finding.location.segment_tag, finding.location.element, finding.location.component) == ("TXD", 2, 3)


@pytest.mark.parametrize("segment", ["RFF+AVF:K3QW7Z+", "RFF+AVF:", "NAD+FL+++"])
def test_trailing_separator(segment: str):
    report = validate(interchange(segment).encode())
    finding = next(f for f in report.findings if f.code == "EDI-SEG-TRAILING-SEPARATOR")
    assert finding.syntax_error == 45 and finding.severity == "warning"
    assert finding.location.segment_tag == segment[:3]


def test_released_separator_at_end_is_not_trailing():
    assert "EDI-SEG-TRAILING-SEPARATOR" not in codes(interchange("FTX+AAI+++A?+"))


@pytest.mark.parametrize(("segment", "code"), [("nad+FL", "EDI-SEG-TAG"), ("NADX+FL", "EDI-SEG-TAG"),
                                               ("N!D+FL", "EDI-SEG-TAG"), ("", "EDI-SEG-EMPTY")])
def test_malformed_tags(segment: str, code: str):
    report = validate(interchange("BGM+745", segment).encode())
    finding = next(f for f in report.findings if f.code == code)
    assert finding.location.segment_position == 3
