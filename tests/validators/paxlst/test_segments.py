"""The PAXLST segment layouts (validators/paxlst/segments.py) against their own rules and real traffic.

(a) Every layout is well formed: EDIFACT identifiers, parseable formats, consistent statuses, code
    lists that fit the component they sit on, and the known D.02B / D.05B differences.
(b) Every segment of the public samples (P1, P2, P3, P4, the iAPI template P5), of the repository
    fixtures and of a generated 50-traveller list passes ``check_segment`` — except the real defects
    of a sample, which must be caught, exactly.
(c) One minimal failing case per fault kind, on realistic segments, and the guideline variants that
    must pass (``MEA+CT++:2`` and ``MEA+CT++2``, three COM channels, short DOC …).

The public samples are read in place from ``../shared/samples`` (never copied); without that folder
the sample tests skip (CI provides it, and the suite's CI policy turns a skip into a failure there).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.builders import PaxlstSpec, paxlst
from validators.edifact.delimiters import LEVEL_A_DEFAULT
from validators.edifact.tokenizer import Segment, Splitter
from validators.elements import Component, Element, ElementFault, check_segment, check_value
from validators.paxlst import segments as seg
from validators.paxlst.segments import LAYOUTS, layouts
from validators.validate import validate

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"

PAXLST_TAGS = {"BGM", "RFF", "DTM", "NAD", "CTA", "COM", "TDT", "LOC", "ATT", "MEA", "GEI", "FTX", "EMP",
               "NAT", "DOC", "CPI", "QTY", "GID", "CNT", "AUT"}
_FORMAT = re.compile(r"(an|a|n)(\.\.)?([1-9][0-9]*)")

Fault = tuple[str, int, int | None]  # kind, element, component


def segment(raw: str) -> Segment:
    """A segment from its text in the default level A separators (no terminator)."""
    return Segment(raw[:3], raw, 0, len(raw), Splitter(LEVEL_A_DEFAULT))


def faults(raw: str, directory: str = "05B") -> list[Fault]:
    found = check_segment(segment(raw), LAYOUTS[directory][raw[:3]])
    return [(f.kind, f.element, f.component) for f in found]


def every_component() -> list[tuple[str, str, Element, Component]]:
    return [(d, tag, element, comp) for d, table in LAYOUTS.items() for tag, layout in table.items()
            for element in layout for comp in element.components]


# --- (a) the layouts are well formed ---------------------------------------------------------------------------

def test_both_directories_describe_every_paxlst_tag():
    assert set(LAYOUTS) == {"02B", "05B"}
    for table in LAYOUTS.values():
        assert set(table) == PAXLST_TAGS
        assert all(layout for layout in table.values())
    assert layouts("02B") == LAYOUTS["02B"]
    with pytest.raises(ValueError, match="98B"):
        layouts("98B")


@pytest.mark.parametrize(("directory", "tag", "element", "comp"), every_component(),
                         ids=lambda v: v if isinstance(v, str) else getattr(v, "ident", None))
def test_every_component_is_well_formed(directory, tag, element, comp):
    assert comp.status in ("M", "C")
    assert re.fullmatch(r"[0-9]{4}", comp.ident), comp
    for alternative in comp.format.split("|"):
        assert _FORMAT.fullmatch(alternative), comp.format
    check_value(comp, "1", 1, None)  # the checker itself accepts the format (it raises on one it cannot read)
    assert comp.kind is None  # calendar checks depend on 2379: content rules, not layouts
    if comp.codes is not None:
        assert comp.codes and len(set(comp.codes)) == len(comp.codes), comp.codes
        for code in comp.codes:  # every listed code fits the component it restricts
            assert check_value(comp, code, 1, None) is None, (tag, comp.ident, code)


def test_simple_and_composite_elements_follow_the_checker_convention():
    """``check_segment`` tells a composite by its component count, so identifiers and shapes must agree."""
    for table in LAYOUTS.values():
        for tag, layout in table.items():
            for element in layout:
                assert element.status in ("M", "C")
                if re.fullmatch(r"C[0-9]{3}", element.ident):
                    assert len(element.components) >= 2, (tag, element.ident)
                else:
                    assert re.fullmatch(r"[0-9]{4}", element.ident), (tag, element.ident)
                    [comp] = element.components  # simple(): the element carries the status
                    assert (comp.ident, comp.status) == (element.ident, "M"), (tag, element.ident)


def test_a_mandatory_composite_starts_with_a_mandatory_component():
    """An M composite whose first component were C could be sent as ``:value`` with no qualifier."""
    mandatory = {(tag, element.ident): element.components[0] for table in LAYOUTS.values()
                 for tag, layout in table.items() for element in layout
                 if element.status == "M" and len(element.components) > 1}
    assert set(mandatory) == {("BGM", "C002"), ("RFF", "C506"), ("DTM", "C507"), ("COM", "C076"),
                              ("DOC", "C002"), ("QTY", "C186"), ("CNT", "C270")}
    assert all(first.status == "M" for first in mandatory.values())


def test_every_segment_starts_with_a_mandatory_element_except_the_all_conditional_ones():
    for table in LAYOUTS.values():
        for tag, layout in table.items():
            expected = "C" if tag in ("CTA", "CPI", "GID") else "M"  # UN gives these no mandatory element
            assert layout[0].status == expected, tag


def test_the_qualifiers_carry_the_named_code_lists():
    def codes(tag: str, element: int, component: int = 1, directory: str = "05B") -> tuple[str, ...] | None:
        return LAYOUTS[directory][tag][element - 1].components[component - 1].codes

    for directory in LAYOUTS:
        assert codes("BGM", 1, directory=directory) is seg.BGM_DOCUMENT_CODES
        assert codes("NAD", 1, directory=directory) is seg.NAD_PARTY_CODES
        assert codes("LOC", 1, directory=directory) is seg.LOC_FUNCTION_CODES
        assert codes("DTM", 1, 1, directory) is seg.DTM_FUNCTION_CODES
        assert codes("DTM", 1, 3, directory) is seg.DTM_FORMAT_CODES
        assert codes("ATT", 1, directory=directory) is seg.ATT_FUNCTION_CODES
        assert codes("ATT", 3, 1, directory) is seg.GENDER_CODES
        assert codes("NAT", 1, directory=directory) is seg.NAT_QUALIFIERS
        assert codes("TDT", 1, directory=directory) is seg.TDT_STAGE_CODES
        assert codes("GEI", 1, directory=directory) is seg.GEI_QUALIFIERS
        assert codes("GEI", 2, 1, directory) is seg.GEI_INDICATOR_CODES
        assert codes("EMP", 1, directory=directory) is seg.EMP_QUALIFIERS
        assert codes("EMP", 2, 1, directory) is seg.CREW_FUNCTION_CODES
        assert codes("CNT", 1, 1, directory) is seg.CNT_QUALIFIERS
        assert all(codes("COM", n, 2, directory) is seg.COM_CHANNEL_CODES for n in (1, 2, 3))
        assert codes("FTX", 1, directory=directory) is seg.FTX_SUBJECT_CODES
        assert codes("RFF", 1, 1, directory) is seg.RFF_QUALIFIERS
        assert codes("DOC", 1, 1, directory) is seg.DOC_TYPE_CODES
        assert codes("MEA", 1, directory=directory) is seg.MEA_PURPOSE_CODES
        # left open on purpose (module docstring): BGM 1004, DOC 1131/3055, MEA 6411
        assert codes("BGM", 2, 1, directory) is None
        assert codes("DOC", 1, 2, directory) is None and codes("DOC", 1, 3, directory) is None
        assert codes("MEA", 3, 1, directory) is None
    assert set(seg.NAD_PARTY_CODES) == {"MS", "FL", "FM", "DDT", "DDU", "COT", "ZZZ"}
    assert set(seg.LOC_FUNCTION_CODES) == {"125", "87", "92", "130", "188", "172", "22", "174", "178", "179", "180", "91"}
    assert {"SEA", "YZY"} <= set(seg.RFF_QUALIFIERS)  # not UN 1153, but real traffic
    assert set(seg.BGM_SUBCODES) == set(seg.BGM_DOCUMENT_CODES)


def test_the_two_directories_differ_where_the_un_directories_differ():
    def formats(directory: str, tag: str) -> dict[str, str]:
        return {comp.ident: comp.format for element in LAYOUTS[directory][tag] for comp in element.components}

    for tag in ("CNT", "MEA", "QTY"):  # 6411 widened from an..3 to an..8
        assert formats("02B", tag)["6411"] == "an..3"
        assert formats("05B", tag)["6411"] == "an..8"
    tdt02, tdt05 = LAYOUTS["02B"]["TDT"], LAYOUTS["05B"]["TDT"]
    assert [e.ident for e in tdt02] == ["8051", "8028", "C220", "C228", "C040", "8101", "C401", "C222", "8281"]
    assert [e.ident for e in tdt05] == ["8051", "8028", "C220", "C001", "C040", "8101", "C401", "C222", "8281"]
    assert (formats("02B", "TDT")["8213"], formats("05B", "TDT")["8213"]) == ("an..9", "an..35")
    assert (formats("02B", "TDT")["8212"], formats("05B", "TDT")["8212"]) == ("an..35", "an..70")
    same = PAXLST_TAGS - {"CNT", "MEA", "QTY", "TDT"}
    assert all(LAYOUTS["02B"][tag] == LAYOUTS["05B"][tag] for tag in same)


def test_the_gaps_of_the_repository_copy_are_filled():
    """Components the php-edifact XML drops but the UN directory has (module docstring)."""
    def idents(directory: str, tag: str, ident: str) -> list[str]:
        [element] = [e for e in LAYOUTS[directory][tag] if e.ident == ident]
        return [c.ident for c in element.components]

    for directory in LAYOUTS:
        assert idents(directory, "NAD", "C819") == ["3229", "1131", "3055", "3228"]
        assert idents(directory, "LOC", "C553") == ["3233", "1131", "3055", "3232"]
        assert [e.ident for e in LAYOUTS[directory]["LOC"]] == ["3227", "C517", "C519", "C553", "5479"]
        assert idents(directory, "MEA", "C502") == ["6313", "6321", "6155", "6154"]
        assert [e.ident for e in LAYOUTS[directory]["NAD"]] == [
            "3035", "C082", "C058", "C080", "C059", "3164", "C819", "3251", "3207"]
    assert idents("02B", "TDT", "C228") == ["8179", "8178"]
    assert faults("NAD+FL+++DOE:JOHN+1 MAIN ST+ANYCITY+VA:::VIRGINIA+10053+USA") == []


def test_the_profile_departures_are_in_place():
    """The departures the module docstring lists, checked one by one so none is lost in an edit."""
    for table in LAYOUTS.values():
        assert [(e.ident, e.status) for e in table["COM"]] == [("C076", "M"), ("C076", "C"), ("C076", "C")]
        assert table["MEA"][2].components[0].status == "C"  # 6411: M in UN
        assert (table["BGM"][0].status, table["BGM"][0].components[0].status) == ("M", "M")  # C in UN
        assert table["DOC"][0].components[0].status == "M"  # 1001: C in UN
        assert (table["DTM"][0].components[1].status, table["DTM"][0].components[1].format) == ("M", "n..14")


# --- (b) real traffic passes, real defects are caught ----------------------------------------------------------

def segment_faults(data: bytes) -> tuple[int, dict[str, list[Fault]]]:
    """Check every message segment (UNH/UNT are the envelope's) against its directory's layout.

    Returns how many segments were checked and the faults of each faulty one, keyed by position:raw.
    """
    report = validate(data)
    checked, found = 0, {}
    for interchange in report.interchanges:
        for message in interchange.messages:
            assert message.type == "PAXLST"
            directory = message.identifier[2]
            for s in message.segments:
                if s.tag in ("UNH", "UNT"):
                    continue
                assert s.tag in LAYOUTS[directory], f"{s.tag} has no layout"
                checked += 1
                problems = check_segment(s, LAYOUTS[directory][s.tag])
                if problems:
                    found[f"{s.position}:{s.raw}"] = [(f.kind, f.element, f.component) for f in problems]
    return checked, found


@pytest.fixture(scope="module")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"public samples folder {SAMPLES} is absent (CI provides it beside the repository as ../shared/samples)")
    return SAMPLES


def p3_as_interchange(samples: Path) -> bytes:
    """P3 is a message body (UNH…UNE) from Astra's test code: give it the UNA/UNB/UNG/UNZ it lacks."""
    body = (samples / "paxlst-p3-d02b-body.edi").read_bytes()
    assert body.startswith(b"UNH+1+PAXLST:D:02B:UN:IATA") and body.rstrip().endswith(b"UNE+1+1'")
    head = b"UNA:+.? 'UNB+UNOA:4+OK+APIS+071008:1045+1'UNG+PAXLST+OK+APIS+071008:1045+1+UN+D:02B'\n"
    return head + body + b"UNZ+1+1'"


P5_VALUES = {  # the test-harness placeholders of Astra's iAPI template, with realistic values
    b"xxxxxx:xxxx": b"261124:0715",
    b"$(get ediref_paxlst)": b"CA339A1B2",
    b"$(yymmdd)": b"261124",
    b"$(get pax_id1)": b"2200012345",
    b"$(get pax_id2)": b"2200012346",
    b"$(date_format %y +1y)": b"27",
}


def p5_filled(samples: Path) -> bytes:
    """P5 with its placeholders filled; Sirena's in-house ``SIRE`` syntax (terminator ``"``) declared by a UNA."""
    data = (samples / "iapi-p5-request-template.edi").read_bytes()
    assert data.startswith(b"UNB+SIRE:4+")
    for placeholder, value in P5_VALUES.items():
        assert placeholder in data
        data = data.replace(placeholder, value)
    assert b"$(" not in data and b"xx" not in data
    return b'UNA:+.? "' + data.replace(b"UNB+SIRE:4+", b"UNB+UNOA:4+", 1)


@pytest.mark.parametrize(("name", "minimum"), [("paxlst-p1-two-legs.edi", 30), ("paxlst-p2-three-legs.edi", 43)])
def test_public_samples_pass_every_segment(samples: Path, name: str, minimum: int):
    checked, found = segment_faults((samples / name).read_bytes())
    assert checked >= minimum
    assert found == {}


def test_p3_d02b_body_passes_every_segment(samples: Path):
    checked, found = segment_faults(p3_as_interchange(samples))
    assert checked == 35  # UNT 37 minus UNH and UNT
    assert found == {}


def test_p5_iapi_template_passes_every_segment(samples: Path):
    checked, found = segment_faults(p5_filled(samples))
    assert checked == 36  # UNT 38 minus UNH and UNT: GEI, RFF+YZY and DOC+P:110:ZZZ included
    assert found == {}


def test_p4_crew_list_fails_only_on_its_wrong_cnt_separator(samples: Path):
    """P4's real defect at the element level is ``CNT+41+8`` (``+`` for ``:``, §9 #3): caught, twice over.

    Its ``DOC+P:1812019+123456789`` sends code list ``1812019`` instead of the usual ``110``: an..17
    allows it, so it is *not* a format fault; that 1131 is not restricted is a documented choice
    (DOC_CODE_LIST_IDS is data for a profile that wants it). Its lower-case names are a character
    repertoire fault (UNOA) and its 1961 expiry a business rule: neither belongs to the layouts.
    """
    data = (samples / "paxlst-p4-crew-negative.edi").read_bytes()
    checked, found = segment_faults(data)
    assert checked == 105  # 107 segments from UNH to UNT
    assert found == {"106:CNT+41+8": [("too-many", 2, None), ("missing", 1, 2)]}
    assert data.count(b"DOC+P:1812019+123456789'") == 8
    assert faults("DOC+P:1812019+123456789", "02B") == []


@pytest.mark.parametrize(("name", "count"), [("paxlst-d05b-clean.edi", 47), ("paxlst-typeb-wrapped.edi", 15),
                                           ("paxlst-v3-crew.edi", 27)])
def test_repository_fixtures_pass_every_segment(name: str, count: int):
    checked, found = segment_faults((FIXTURES / name).read_bytes())
    assert checked == count  # UNT's count minus UNH and UNT
    assert found == {}


def test_broken_envelope_fixture_passes_every_layout():
    """``RFF+AVF:K3QW7Z+`` ends with a separator, but the element it opens is empty: that is the
    tokenizer's EDI-SEG-TRAILING-SEPARATOR, not a second fault (too many elements) from the layout."""
    _, found = segment_faults((FIXTURES / "paxlst-broken-envelope.edi").read_bytes())
    assert found == {}


def test_every_fixture_file_is_covered():
    covered = {"paxlst-d05b-clean.edi", "paxlst-typeb-wrapped.edi", "paxlst-v3-crew.edi", "paxlst-broken-envelope.edi"}
    assert {p.name for p in FIXTURES.glob("paxlst-*.edi")} == covered


def test_generated_fifty_traveller_list_passes_every_segment():
    checked, found = segment_faults(paxlst(PaxlstSpec(passengers=50)))
    assert checked == 8 + 50 * 11 + 1
    assert found == {}


# --- (c) one minimal failing case per fault kind, and the variants that must pass -----------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    # code: a value outside the guideline list
    ("NAD+XX+++SMITH", [("code", 1, None)]),
    ("ATT+2++Q", [("code", 3, 1)]),
    ("ATT+1++M", [("code", 1, None)]),
    ("BGM+999", [("code", 1, 1)]),
    ("RFF+ZZZ:ABC123", [("code", 1, 1)]),
    ("DTM+137:261124", [("code", 1, 1)]),
    ("DTM+189:2611240710:999", [("code", 1, 3)]),
    ("LOC+5+LHR", [("code", 1, None)]),
    ("NAT+9+CAN", [("code", 1, None)]),
    ("DOC+Z:110:111+X1234567", [("code", 1, 1)]),
    ("TDT+21+ZZ0101", [("code", 1, None)]),
    ("GEI+4+999", [("code", 2, 1)]),
    ("EMP+1+CR9:110:111", [("code", 2, 1)]),
    ("CNT+43:2", [("code", 1, 1)]),
    ("COM+703-555-1212:TE+703-555-4545:XX", [("code", 2, 2)]),
    ("FTX+AAI+++FREE TEXT", [("code", 1, None)]),
    ("MEA+LN++CMT:180", [("code", 1, None)]),
    # missing: a mandatory element or component left out
    ("DTM+329", [("missing", 1, 2)]),
    ("DTM+:720907", [("missing", 1, 1)]),
    ("BGM", [("missing", 1, 1)]),
    ("DOC++P1234567", [("missing", 1, 1)]),
    ("COM+:TE", [("missing", 1, 1)]),
    ("NAD+FL+++:JOHN", [("missing", 4, 1)]),
    ("CNT+42", [("missing", 1, 2)]),
    # too-many: more data elements or components than the layout has
    ("CNT+41+8", [("too-many", 2, None), ("missing", 1, 2)]),
    ("COM+1:TE+2:FX+3@X.ORG:EM+4:TE", [("too-many", 4, None)]),
    ("ATT+2++M:1:2:3:4", [("too-many", 3, 5)]),
    ("RFF+AVF:ABC123:1:2:3:4", [("too-many", 1, 6)]),
    # not-numeric: letters in an n field
    ("CNT+42:abc", [("not-numeric", 1, 2)]),
    ("DTM+189:07021915AB:201", [("not-numeric", 1, 2)]),
    ("GID+1A", [("not-numeric", 1, None)]),
    # too-long: over the maximum length
    ("NAT+2+CANADA", [("too-long", 2, 1)]),
    ("NAD+FL+++" + "S" * 36 + ":JOHN", [("too-long", 4, 1)]),
    ("RFF+AVF:" + "X" * 71, [("too-long", 1, 2)]),
    ("DTM+189:202611240710001:204", [("too-long", 1, 2)]),
])
def test_minimal_failing_cases(raw: str, expected: list[Fault]):
    for directory in LAYOUTS:
        assert faults(raw, directory) == expected, directory


def test_a_code_fault_names_the_allowed_codes():
    [fault] = check_segment(segment("NAD+XX+++SMITH"), LAYOUTS["05B"]["NAD"])
    assert fault == ElementFault("code", 1, None, {
        "name": "party function code qualifier", "ident": "3035",
        "format": "3035 as an..3, one of MS, FL, FM, DDT, DDU, COT, ZZZ",
        "value": "'XX'", "allowed": "MS or FL or FM or DDT or DDU or COT or ZZZ"})


def test_the_unit_width_follows_the_directory():
    assert faults("MEA+WT++KILOGRAM:28", "02B") == [("too-long", 3, 1)]
    assert faults("MEA+WT++KILOGRAM:28", "05B") == []


@pytest.mark.parametrize("raw", [
    "MEA+CT++:2",  # count, no unit (§9 #7)
    "MEA+CT++2",  # count in the unit slot (§9 #7)
    "MEA+WT++KGM:28",
    "COM+703-555-1212:TE+703-555-4545:FX+OPS@EXAMPLE.COM:EM",  # three channels as consecutive elements
    "COM+44 20 7946 0000:TE",
    "NAD+MS+ABC9876",  # CBP reporting-party profile id in C082
    "NAD+MS+++JOHN SMITH",
    "NAD+FL+++DOE:JOHN:WAYNE+20 MAIN STREET+ANYCITY+VA+10053+USA",  # person name and address parts
    "NAD+FM+++OKAFOR:CHIAMAKA",
    "NAD+DDU+++NGUYEN:LI",
    "NAD+ZZZ",  # China iAPI flight close-out dummy
    "BGM+745",
    "BGM+250+C",
    "BGM+266+CLOB",
    "BGM+336+G",
    "RFF+TN:BART34567890:::1",
    "RFF+SEA:23A",
    "RFF+YZY:7842836432717C2",
    "DTM+329:720907",
    "DTM+36:20301231:102",
    "DTM+554:2611240100:201",
    "DTM+189:202611240710:203",
    "LOC+180+:::HARTFORD USA",
    "LOC+188+XXX",
    "ATT+2++X",
    "GEI+4+174",
    "GEI+4+ZZZ",
    "FTX+BAG+++BA987654",
    "FTX+BAG+++AF012345:3",
    "EMP+1+CR5:110:111",
    "NAT+1+DEU",
    "DOC+P+720915106",  # short form
    "DOC+T:110:ZZZ+T12345678",
    "DOC+IP:110:111+C03005988",
    "DOC+AC:110:111+AC12345",
    "TDT+34+ZZ0101+++ZZ",
    "TDT+20+UA0989+++UA",
    "CNT+41:8",
    "QTY+1:2",
    "CPI+1",
    "AUT+A1B2C3D4",
    "CTA+IC+:OPS DESK",
    "GID+1+2",
])
def test_guideline_variants_pass(raw: str):
    for directory in LAYOUTS:
        assert faults(raw, directory) == [], directory
