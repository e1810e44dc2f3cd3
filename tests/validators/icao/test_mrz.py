"""MRZ parsing and checking: ICAO specimens, one failing case per problem code, and properties.

Specimen MRZs are built here from the verified vectors of STANDARDS.md §6.1; every check digit the
tests need is computed by the tiny reference ``cd`` below (``int(ch, 36)``), never by the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validators.icao.mrz import Mrz, MrzFormat, MrzProblem, detect_format, parse_mrz, split_lines

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def val(ch: str) -> int:
    return 0 if ch == "<" else int(ch, 36)


def cd(text: str) -> str:
    return str(sum(val(ch) * (7, 3, 1)[i % 3] for i, ch in enumerate(text)) % 10)


def codes(result: Mrz) -> list[str]:
    return [p.code for p in result.problems]


# --- ICAO specimens (STANDARDS.md §6.1 / §6.2) --------------------------------------------------------

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907ABC<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<1", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
MRV_A = ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C<3UTO6908061F9406236ZE184226B<<<<<<<"]
MRV_B = ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L898902C<3UTO6908061F9406236ZE184226"]


def test_specimens_are_what_the_reference_computes() -> None:
    """Guards the fixtures themselves: every digit re-derived independently."""
    l2 = TD3[1]
    assert (l2[9], l2[19], l2[27], l2[42]) == (cd("L898902C3"), cd("740812"), cd("120415"), cd("ZE184226B<<<<<"))
    assert l2[43] == cd(l2[0:10] + l2[13:20] + l2[21:43]) == "0"
    assert TD1[0][14] == cd("D23145890")
    assert TD1[1][29] == cd(TD1[0][5:30] + TD1[1][0:7] + TD1[1][8:15] + TD1[1][18:29]) == "1"
    assert TD2[1][35] == cd(TD2[1][0:10] + TD2[1][13:20] + TD2[1][21:35]) == "6"
    assert MRV_A[1][9] == cd("L898902C<") == "3"
    assert (MRV_A[1][19], MRV_A[1][27]) == (cd("690806"), cd("940623"))
    assert [len(x) for x in (*TD3, *TD1, *TD2, *MRV_A, *MRV_B)] == [44, 44, 30, 30, 30, 36, 36, 44, 44, 36, 36]


def test_td3_specimen() -> None:
    r = parse_mrz(TD3, check_codes=False)
    assert r == Mrz(format=MrzFormat.TD3, document_code="P", issuing_state="UTO", primary_identifier="ERIKSSON",
                    secondary_identifier="ANNA MARIA", document_number="L898902C3", nationality="UTO",
                    birth_date="740812", sex="F", expiry_date="120415", optional_data="ZE184226B")
    assert r.valid


def test_td1_specimen() -> None:
    r = parse_mrz(TD1, check_codes=False)
    assert r == Mrz(format=MrzFormat.TD1, document_code="I", issuing_state="UTO", primary_identifier="ERIKSSON",
                    secondary_identifier="ANNA MARIA", document_number="D23145890", nationality="UTO",
                    birth_date="740812", sex="F", expiry_date="120415", optional_data="ABC")


def test_td2_specimen() -> None:
    r = parse_mrz(TD2, check_codes=False)
    assert r == Mrz(format=MrzFormat.TD2, document_code="I", issuing_state="UTO", primary_identifier="ERIKSSON",
                    secondary_identifier="ANNA MARIA", document_number="D23145890", nationality="UTO",
                    birth_date="740812", sex="F", expiry_date="120415")


@pytest.mark.parametrize(("lines", "fmt", "optional"), [(MRV_A, MrzFormat.MRV_A, "ZE184226B"),
                                                         (MRV_B, MrzFormat.MRV_B, "ZE184226")])
def test_visa_specimens_have_no_composite(lines: list[str], fmt: MrzFormat, optional: str) -> None:
    r = parse_mrz(lines, check_codes=False)
    assert (r.format, r.document_code, r.document_number, r.birth_date, r.expiry_date, r.optional_data) == (
        fmt, "V", "L898902C", "690806", "940623", optional)
    assert r.problems == ()
    # the last character of a visa is optional data, not a composite check digit: any value is fine
    for last in "0A<":
        assert parse_mrz([lines[0], lines[1][:-1] + last], check_codes=False).problems == ()


def test_codes_are_checked_by_default() -> None:
    r = parse_mrz(TD3)  # UTO is ICAO's fictional Utopia, in no code list
    assert [(p.code, p.field, p.line, p.start, p.end, p.found) for p in r.problems] == [
        ("MRZ-COUNTRY", "issuing_state", 1, 3, 5, "UTO"),
        ("MRZ-COUNTRY", "nationality", 2, 11, 13, "UTO"),
    ]


def test_real_codes_pass() -> None:
    l2 = TD3[1].replace("UTO", "D<<")
    l2 = l2[:43] + cd(l2[0:10] + l2[13:20] + l2[21:43])  # nationality is outside the composite; unchanged
    assert parse_mrz([TD3[0].replace("UTO", "D<<"), l2]).problems == ()
    assert parse_mrz([TD3[0].replace("UTO", "D<<"), l2]).nationality == "D"


# --- input forms ------------------------------------------------------------------------------------

@pytest.mark.parametrize("given_as", [
    "\n".join(TD3), "\r\n".join(TD3) + "\r\n", "\n\n" + "\n".join(TD3) + "\n  \n", TD3, tuple(TD3), ["\n".join(TD3)],
])
def test_input_forms(given_as: object) -> None:
    assert parse_mrz(given_as, check_codes=False).problems == ()  # type: ignore[arg-type]


def test_detect_format() -> None:
    assert detect_format(TD1) is MrzFormat.TD1
    assert detect_format(TD2) is MrzFormat.TD2
    assert detect_format(TD3) is MrzFormat.TD3
    assert detect_format(MRV_A) is MrzFormat.MRV_A
    assert detect_format(MRV_B) is MrzFormat.MRV_B
    assert detect_format([TD3[0], TD2[1]]) is None
    assert detect_format([]) is None
    assert split_lines("\n A\nB\n\n") == [" A", "B"]


# --- one failing case per problem code ------------------------------------------------------------

def only(result: Mrz) -> MrzProblem:
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_length_one_short_line() -> None:
    p = only(parse_mrz([TD3[0], TD3[1][:-1]], check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-LENGTH", "line", 2, 1, 43, "43 characters")
    assert "44" in (p.expected or "")


def test_length_line_count() -> None:
    p = only(parse_mrz([*TD3, TD3[1]]))
    assert (p.code, p.field, p.line, p.found) == ("MRZ-LENGTH", "lines", None, "3 lines")
    assert only(parse_mrz(TD3[0])).found == "1 lines"
    assert only(parse_mrz(TD1[:2])).found == "2 lines"
    assert only(parse_mrz("")).found == "0 lines"


def test_length_td1_and_unmatched_pair() -> None:
    r = parse_mrz([TD1[0], TD1[1] + "<", TD1[2]])
    assert [(p.code, p.line, p.found) for p in r.problems] == [("MRZ-LENGTH", 2, "31 characters")]
    r = parse_mrz(["A" * 40, "B" * 41])
    either = "36 (TD2, MRV-B) or 44 (TD3, MRV-A) characters"
    assert [(p.line, p.expected) for p in r.problems] == [(1, either), (2, either)]
    assert r.format is None and r.document_number == ""


def test_charset() -> None:
    line1 = TD3[0].replace("ANNA", "AnNA")
    p = only(parse_mrz([line1, TD3[1]], check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-CHARSET", "name", 1, 17, 17, "'n' (U+006E)")


def test_charset_in_a_checked_field_is_not_also_a_check_digit_problem() -> None:
    line2 = TD3[1][:3] + " " + TD3[1][4:]
    p = only(parse_mrz([TD3[0], line2], check_codes=False))
    assert (p.code, p.field, p.line, p.start) == ("MRZ-CHARSET", "document_number", 2, 4)


@pytest.mark.parametrize(("index", "field"), [
    (9, "document_number_check"), (19, "birth_date_check"), (27, "expiry_date_check"),
    (42, "optional_data_check"), (43, "composite_check"),
])
def test_check_digit_td3(index: int, field: str) -> None:
    right = TD3[1][index]
    wrong = str((int(right) + 1) % 10)
    line2 = TD3[1][:index] + wrong + TD3[1][index + 1:]
    r = parse_mrz([TD3[0], line2], check_codes=False)
    mine = [p for p in r.problems if p.field == field]
    assert [(p.code, p.line, p.start, p.end, p.found, p.expected) for p in mine] == [
        ("MRZ-CHECK-DIGIT", 2, index + 1, index + 1, wrong, right)]
    # a wrong field check digit also breaks the composite, which covers the check digits
    assert set(codes(r)) == {"MRZ-CHECK-DIGIT"}
    assert len(r.problems) == (1 if field == "composite_check" else 2)


def test_check_digit_data_changed() -> None:
    line2 = TD3[1].replace("740812", "740813")
    r = parse_mrz([TD3[0], line2], check_codes=False)
    assert [(p.field, p.found, p.expected) for p in r.problems] == [
        ("birth_date_check", "2", cd("740813")), ("composite_check", "0", cd(line2[0:10] + line2[13:20] + line2[21:43]))]


def test_check_digit_td1_and_td2() -> None:
    r = parse_mrz([TD1[0], TD1[1][:29] + "2", TD1[2]], check_codes=False)
    assert [(p.code, p.field, p.line, p.start, p.found, p.expected) for p in r.problems] == [
        ("MRZ-CHECK-DIGIT", "composite_check", 2, 30, "2", "1")]
    r = parse_mrz([TD2[0], TD2[1][:35] + "<"], check_codes=False)
    assert [(p.field, p.found, p.expected) for p in r.problems] == [("composite_check", "<", "6")]


def test_td3_empty_personal_number_may_have_a_filler_check_digit() -> None:
    def with_optional(optional: str, digit: str) -> list[str]:
        body = TD3[1][:28] + optional + digit
        return [TD3[0], body + cd(body[0:10] + body[13:20] + body[21:43])]

    assert parse_mrz(with_optional("<" * 14, "<"), check_codes=False).problems == ()
    assert parse_mrz(with_optional("<" * 14, "0"), check_codes=False).problems == ()
    p = only(parse_mrz(with_optional("ZE184226B<<<<<", "<"), check_codes=False))
    assert (p.field, p.found, p.expected) == ("optional_data_check", "<", "1")
    p = only(parse_mrz(with_optional("<" * 14, "5"), check_codes=False))
    assert (p.field, p.found, p.expected) == ("optional_data_check", "5", "0 or <, the field being empty")


def test_mandatory_check_digit_may_not_be_a_filler() -> None:
    line2 = TD3[1][:19] + "<" + TD3[1][20:]
    r = parse_mrz([TD3[0], line2], check_codes=False)
    assert ("birth_date_check", "<", "2") in [(p.field, p.found, p.expected) for p in r.problems]


def td1(line1: str, line2_head: str, name: str = "ERIKSSON<<ANNA<MARIA") -> list[str]:
    """A TD1 with its composite computed by the reference; ``line2_head`` is the first 29 characters."""
    return [line1, line2_head + cd(line1[5:30] + line2_head[0:7] + line2_head[8:15] + line2_head[18:29]),
            name.ljust(30, "<")]


def test_td1_long_document_number() -> None:
    """Number D23145890124: nine characters, '<' in the check position, '124' + its check digit in optional data.

    STANDARDS.md §6.2 quotes 'D23145890<1240<XYZ…' from S5 as number D23145890124 with check digit 0,
    but 0 is not that number's check digit (by hand: 91+6+3+7+12+5+56+27+0+7+6+4 = 224 -> 4); S5's own
    test expects that MRZ to be invalid. The layout is right; the digit is 4.
    """
    assert cd("D23145890124") == "4"
    lines = td1("I<UTOD23145890<1244<XYZ<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<")
    r = parse_mrz(lines, check_codes=False)
    assert r.problems == ()
    assert (r.document_number, r.optional_data) == ("D23145890124", "XYZ")
    bad = td1("I<UTOD23145890<1240<XYZ<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<")
    p = only(parse_mrz(bad, check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end, p.found, p.expected) == (
        "MRZ-CHECK-DIGIT", "document_number_check", 1, 19, 19, "0", "4")


def test_td1_filler_check_digit_without_overflow() -> None:
    lines = td1("I<UTOD23145890<<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<")
    p = only(parse_mrz(lines, check_codes=False))
    assert (p.field, p.line, p.start, p.found, p.expected) == ("document_number_check", 1, 15, "<", cd("D23145890"))


def test_td2_long_document_number() -> None:
    head = "D23145890<UTO7408122F1204159" + "1244<<<"
    line2 = head + cd(head[0:10] + head[13:20] + head[21:35])
    r = parse_mrz([TD2[0], line2], check_codes=False)
    assert r.problems == ()
    assert (r.document_number, r.optional_data) == ("D23145890124", "")


def test_td1_second_optional_field() -> None:
    lines = td1(TD1[0], "7408122F1204159UTOAB12<<<<<<<")
    r = parse_mrz(lines, check_codes=False)
    assert r.problems == ()
    assert r.optional_data_2 == "AB12"


@pytest.mark.parametrize(("lines", "code"), [
    ([TD3[0].replace("P<", "I<", 1), TD3[1]], "I<"),  # an ID card code in a passport layout
    ([TD3[0].replace("P<", "P1", 1), TD3[1]], "P1"),
    ([TD2[0].replace("I<", "P<", 1), TD2[1]], "P<"),
    ([TD2[0].replace("I<", "IV", 1), TD2[1]], "IV"),  # V may not follow in TD1/TD2
    ([TD1[0].replace("I<", "IV", 1), *TD1[1:]], "IV"),
    ([TD1[0].replace("I<", "B<", 1), *TD1[1:]], "B<"),
    ([MRV_A[0].replace("V<", "V2", 1), MRV_A[1]], "V2"),
])
def test_document_code(lines: list[str], code: str) -> None:
    p = only(parse_mrz(lines, check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-DOC-CODE", "document_code", 1, 1, 2, code)


@pytest.mark.parametrize(("lines", "code"), [
    ([TD3[0].replace("P<", "PD", 1), TD3[1]], "PD"), ([TD2[0].replace("I<", "AC", 1), TD2[1]], "AC"),
    ([TD1[0].replace("I<", "ID", 1), *TD1[1:]], "ID"), ([MRV_B[0].replace("V<", "VB", 1), MRV_B[1]], "VB"),
])
def test_document_code_accepted(lines: list[str], code: str) -> None:
    r = parse_mrz(lines, check_codes=False)
    assert r.problems == ()
    assert r.document_code == code


@pytest.mark.parametrize("sex", ["M", "F", "X", "<"])
def test_sex_accepted(sex: str) -> None:
    r = parse_mrz([TD3[0], TD3[1][:20] + sex + TD3[1][21:]], check_codes=False)
    assert (r.problems, r.sex) == ((), sex)


def test_sex() -> None:
    p = only(parse_mrz([TD3[0], TD3[1][:20] + "U" + TD3[1][21:]], check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-SEX", "sex", 2, 21, 21, "U")


def td3_with(birth: str = "740812", expiry: str = "120415") -> list[str]:
    body = f"L898902C36UTO{birth}{cd(birth)}F{expiry}{cd(expiry)}ZE184226B<<<<<1"
    return [TD3[0], body + cd(body[0:10] + body[13:20] + body[21:43])]


@pytest.mark.parametrize(("birth", "expiry", "field", "found"), [
    ("741312", "120415", "birth_date", "month out of range"),
    ("740001", "120415", "birth_date", "month out of range"),
    ("740431", "120415", "birth_date", "day out of range for the month"),
    ("010229", "120415", "birth_date", "day out of range for the month"),
    ("7408<2", "120415", "birth_date", "not six digits"),
    ("74<<12", "120415", "birth_date", "not six digits"),
    ("74AB12", "120415", "birth_date", "not six digits"),
    ("740812", "120230", "expiry_date", "day out of range for the month"),
    ("740812", "<<<<<<", "expiry_date", "not six digits"),
    ("740812", "1204<<", "expiry_date", "not six digits"),
    ("740812", "120400", "expiry_date", "day out of range for the month"),
])
def test_date(birth: str, expiry: str, field: str, found: str) -> None:
    p = only(parse_mrz(td3_with(birth, expiry), check_codes=False))
    start = 14 if field == "birth_date" else 22
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-DATE", field, 2, start, start + 5, found)


@pytest.mark.parametrize("birth", ["000229", "960229", "<<<<<<", "74<<<<", "7408<<", "991231", "000101"])
def test_date_accepted(birth: str) -> None:
    r = parse_mrz(td3_with(birth), check_codes=False)
    assert r.problems == ()
    assert r.birth_date == birth


@pytest.mark.parametrize(("state", "nationality", "problems"), [
    ("GER", "DEU", [("issuing_state", "GER", "DEU")]),
    ("D<<", "GER", [("nationality", "GER", "DEU")]),
    ("D<<", "EUE", [("nationality", "EUE", None)]),  # the EU issues laissez-passers; it is nobody's nationality
    ("XXA", "XXA", [("issuing_state", "XXA", None)]),  # a stateless person's status issues nothing
    ("EUE", "FRA", []),
    ("GBR", "GBN", []),
    ("UNO", "UNO", []),
    ("XPO", "XPO", [("nationality", "XPO", None)]),
])
def test_country(state: str, nationality: str, problems: list[tuple[str, str, str | None]]) -> None:
    line2 = TD3[1][:10] + nationality + TD3[1][13:]
    r = parse_mrz([TD3[0].replace("UTO", state, 1), line2])
    assert [(p.code, p.field, p.found) for p in r.problems] == [("MRZ-COUNTRY", f, found) for f, found, _hint in problems]
    for p, (_f, _found, hint) in zip(r.problems, problems, strict=True):
        if hint:
            assert f"did you mean {hint}" in (p.expected or "")


def test_country_format_is_checked_even_without_code_lists() -> None:
    line2 = TD3[1][:10] + "1AB" + TD3[1][13:]
    p = only(parse_mrz([TD3[0].replace("UTO", "<AB", 1), TD3[1]], check_codes=False))
    assert (p.code, p.field, p.start, p.found) == ("MRZ-COUNTRY", "issuing_state", 3, "<AB")
    p = only(parse_mrz([TD3[0], line2], check_codes=False))
    assert (p.code, p.field, p.line, p.start, p.end) == ("MRZ-COUNTRY", "nationality", 2, 11, 13)


def test_name_with_digit_and_empty_primary() -> None:
    r = parse_mrz([TD3[0].replace("ERIKSSON", "ERIK5SON"), TD3[1]], check_codes=False)
    p = only(r)
    assert (p.code, p.field, p.line, p.start, p.end, p.found) == ("MRZ-NAME", "name", 1, 10, 10, "a digit")
    p = only(parse_mrz(["P<UTO" + "<" * 39, TD3[1]], check_codes=False))
    assert (p.code, p.start, p.found) == ("MRZ-NAME", 6, "a filler in the first position")


def test_names_split_on_double_filler() -> None:
    r = parse_mrz(["P<UTOVAN<DER<BERG<<JAN<<<<<<<<<<<<<<<<<<<<<<"[:44], TD3[1]], check_codes=False)
    assert (r.primary_identifier, r.secondary_identifier) == ("VAN DER BERG", "JAN")
    r = parse_mrz(["P<UTOMADONNA".ljust(44, "<"), TD3[1]], check_codes=False)
    assert (r.primary_identifier, r.secondary_identifier) == ("MADONNA", "")


def test_problems_carry_no_personal_data() -> None:
    """Everything wrong at once; no problem may quote the name, number or personal number."""
    line1 = "P1GERZyxWVUTSRQ<<PONMLKJI".ljust(44, "<")
    line2 = "QW8E7R6T54GER7413322U<<<<<<9ABCDEFGHIJKLM<17"
    r = parse_mrz([line1, line2])
    assert {"MRZ-CHARSET", "MRZ-CHECK-DIGIT", "MRZ-DATE", "MRZ-SEX", "MRZ-COUNTRY", "MRZ-DOC-CODE"} <= set(codes(r))
    secrets = ("ZYX", "ZYXWVUTSRQ", "WVUTSRQ", "PONMLKJI", "QW8E7R6T5", "ABCDEFGHIJKLM", "741332")
    for p in r.problems:
        text = f"{p.found} {p.expected}".upper()
        assert not any(s in text for s in secrets), p


def test_problems_are_json_and_sorted() -> None:
    r = parse_mrz([TD3[0].replace("P<", "X<"), TD3[1][:20] + "Q" + TD3[1][21:]], check_codes=False)
    decoded = msgspec.json.decode(msgspec.json.encode(r))
    assert decoded["format"] == "TD3"
    assert [(p["code"], p["line"], p["start"]) for p in decoded["problems"]] == [("MRZ-DOC-CODE", 1, 1), ("MRZ-SEX", 2, 21)]


# --- properties ---------------------------------------------------------------------------------------

ISSUERS = [*sorted(c.alpha_3 for c in pycountry.countries), "D", "EUE", "UNO", "XPO"]
NATIONALITIES = [*sorted(c.alpha_3 for c in pycountry.countries), "D", "GBN", "XXA", "XXX", "UNK"]


@dataclass(frozen=True)
class Doc:
    fmt: MrzFormat
    lines: tuple[str, ...]
    document_code: str
    issuing_state: str
    primary: str
    secondary: str
    number: str
    nationality: str
    birth: str
    sex: str
    expiry: str
    optional: str
    optional_2: str


def code_field(code: str) -> str:
    return code.ljust(3, "<")


def name_field(primary: list[str], secondary: list[str], width: int) -> str:
    text = "<".join(primary) + ("<<" + "<".join(secondary) if secondary else "")
    assert len(text) <= width
    return text.ljust(width, "<")


def filled(pieces: list[str]) -> str:
    return "<".join(pieces)


@st.composite
def documents(draw: st.DrawFn, fmt: MrzFormat | None = None) -> Doc:
    fmt = fmt or draw(st.sampled_from(list(MrzFormat)))
    width = {MrzFormat.TD1: 30, MrzFormat.TD2: 36, MrzFormat.MRV_B: 36}.get(fmt, 44)
    name_width = 30 if fmt is MrzFormat.TD1 else width - 5
    word = st.text(LETTERS, min_size=1, max_size=(name_width - 4) // 4)
    primary = draw(st.lists(word, min_size=1, max_size=2))
    secondary = draw(st.lists(word, max_size=2))
    if fmt is MrzFormat.TD3:
        second_letters, first = LETTERS + "<", "P"
    elif fmt in (MrzFormat.MRV_A, MrzFormat.MRV_B):
        second_letters, first = LETTERS + "<", "V"
    else:
        second_letters, first = LETTERS.replace("V", "") + "<", draw(st.sampled_from("ACI"))
    doc_code = first + draw(st.sampled_from(second_letters))
    issuer = draw(st.sampled_from(ISSUERS))
    nationality = draw(st.sampled_from(NATIONALITIES))
    date = st.dates(dt.date(1920, 1, 1), dt.date(2079, 12, 31)).map(lambda d: d.strftime("%y%m%d"))
    birth, expiry = draw(date), draw(date)
    sex = draw(st.sampled_from("MFX<"))
    alnum = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=5)
    overflow_ok = fmt in (MrzFormat.TD1, MrzFormat.TD2)
    number = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12 if overflow_ok else 9))
    opt_len = {MrzFormat.TD1: 15, MrzFormat.TD2: 7, MrzFormat.TD3: 14, MrzFormat.MRV_A: 16, MrzFormat.MRV_B: 8}[fmt]
    if len(number) > 9:
        head, tail = number[:9], number[9:]
        room = opt_len - len(tail) - 2
        optional = filled(draw(st.lists(alnum, max_size=2)))[:room].rstrip("<")
        optional_field = (tail + cd(number) + "<" + optional).ljust(opt_len, "<")
        number_field, number_check = head, "<"
    else:
        optional = filled(draw(st.lists(alnum, max_size=3)))[:opt_len].rstrip("<")
        optional_field = optional.ljust(opt_len, "<")
        number_field, number_check = number.ljust(9, "<"), cd(number.ljust(9, "<"))
    optional_2 = filled(draw(st.lists(alnum, max_size=2)))[:11].rstrip("<") if fmt is MrzFormat.TD1 else ""

    if fmt is MrzFormat.TD1:
        line1 = doc_code + code_field(issuer) + number_field + number_check + optional_field
        head2 = birth + cd(birth) + sex + expiry + cd(expiry) + code_field(nationality) + optional_2.ljust(11, "<")
        line2 = head2 + cd(line1[5:30] + head2[0:7] + head2[8:15] + head2[18:29])
        lines: tuple[str, ...] = (line1, line2, name_field(primary, secondary, 30))
    else:
        line1 = doc_code + code_field(issuer) + name_field(primary, secondary, width - 5)
        line2 = (number_field + number_check + code_field(nationality) + birth + cd(birth) + sex + expiry + cd(expiry)
                 + optional_field)
        if fmt is MrzFormat.TD3:
            opt_check = draw(st.sampled_from(["<", "0"])) if not optional else cd(optional_field)
            line2 += opt_check
        if fmt in (MrzFormat.TD3, MrzFormat.TD2):
            line2 += cd(line2[0:10] + line2[13:20] + line2[21:])
        lines = (line1, line2)
    assert all(len(line) == width for line in lines), (fmt, lines)
    return Doc(fmt, lines, doc_code.rstrip("<"), issuer, " ".join(primary), " ".join(secondary), number, nationality,
               birth, sex, expiry, optional, optional_2)


@settings(max_examples=300)
@given(documents())
def test_built_mrz_parses_back(doc: Doc) -> None:
    r = parse_mrz(list(doc.lines))
    assert r.problems == ()
    assert r == Mrz(format=doc.fmt, document_code=doc.document_code, issuing_state=doc.issuing_state,
                    primary_identifier=doc.primary, secondary_identifier=doc.secondary, document_number=doc.number,
                    nationality=doc.nationality, birth_date=doc.birth, sex=doc.sex, expiry_date=doc.expiry,
                    optional_data=doc.optional, optional_data_2=doc.optional_2)


def protected(fmt: MrzFormat) -> set[tuple[int, int]]:
    """Positions (line, column, 0-based) some check digit covers, check digits included: STANDARDS.md §6.2."""
    def cols(line: int, start: int, end: int) -> set[tuple[int, int]]:
        return {(line, c) for c in range(start, end)}

    if fmt is MrzFormat.TD1:
        return cols(0, 5, 30) | cols(1, 0, 7) | cols(1, 8, 15) | cols(1, 18, 30)
    if fmt is MrzFormat.TD3:
        return cols(1, 0, 10) | cols(1, 13, 20) | cols(1, 21, 44)
    if fmt is MrzFormat.TD2:
        return cols(1, 0, 10) | cols(1, 13, 20) | cols(1, 21, 36)
    return cols(1, 0, 10) | cols(1, 13, 20) | cols(1, 21, 28)  # visas: no composite, optional data unchecked


@settings(max_examples=400)
@given(documents(), st.data())
def test_single_substitution_detection(doc: Doc, data: st.DataObject) -> None:
    """Exactly what the arithmetic guarantees, no more.

    In a protected position, a substitution whose value differs modulo 10 always changes a check
    digit's sum (weights 7/3/1 are coprime with 10; TD1/TD2/TD3 composites cover every protected
    position), so some MRZ-CHECK-DIGIT must be reported. Differences of 0 mod 10 (``<``/``0``, ``A``/``K``)
    are invisible to the arithmetic and asserted nothing about. Outside protected positions no check
    digit is involved, so none may complain (the document code is left out: changing it can change
    the layout, e.g. a leading ``V`` makes a visa).
    """
    line = data.draw(st.integers(0, len(doc.lines) - 1))
    col = data.draw(st.integers(0, len(doc.lines[line]) - 1))
    old = doc.lines[line][col]
    new = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != old))
    lines = list(doc.lines)
    lines[line] = lines[line][:col] + new + lines[line][col + 1:]
    r = parse_mrz(lines)
    found = "MRZ-CHECK-DIGIT" in codes(r)
    if (line, col) in protected(doc.fmt):
        if (val(new) - val(old)) % 10:
            assert found, (doc.fmt, line, col, old, new, r.problems)
    elif not (line == 0 and col < 2):
        assert not found, (doc.fmt, line, col, old, new, r.problems)


@given(documents(), st.data())
def test_foreign_character_is_reported_where_it_is(doc: Doc, data: st.DataObject) -> None:
    line = data.draw(st.integers(0, len(doc.lines) - 1))
    col = data.draw(st.integers(0, len(doc.lines[line]) - 1))
    new = data.draw(st.sampled_from(["a", " ", "É", "-", "\u0301", "*", "\t", "\u00a0"]))
    lines = list(doc.lines)
    lines[line] = lines[line][:col] + new + lines[line][col + 1:]
    r = parse_mrz(lines)
    charset = [p for p in r.problems if p.code == "MRZ-CHARSET"]
    assert [(p.line, p.start, p.end) for p in charset] == [(line + 1, col + 1, col + 1)]
