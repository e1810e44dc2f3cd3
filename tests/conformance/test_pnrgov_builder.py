"""The PNRGOV push generator and its seeded defects.

pydifact is the independent oracle for the bytes (it must read every push, and read the same
segments we do); our own syntax pass must find nothing wrong with a clean push. The labels of the
seeded defects are checked against the written bytes (the labelled position holds the segment
the defect was put in, with the fault in it), and against the validator's findings as far as the
validator checks PNRGOV today: envelope codes always, the PNRGOV rules once their codes are in
the catalogue.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter

import pytest
from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange

from conformance.builders import SeededDefect
from conformance.pnrgov import DEFECTS, PushSpec, multipart_push, push, push_draft, push_with_defects
from validators.catalog import RULES
from validators.report import Report, Severity
from validators.validate import validate

Segments = list[tuple[str, list[list[str]]]]


def ours(data: bytes) -> Segments:
    """(tag, elements) of every segment our syntax pass reads, UNA aside."""
    report = validate(data)
    return [(s.tag, s.elements) for i in report.interchanges for s in i.segments]


def theirs(data: bytes) -> Segments:
    """The same from pydifact's Interchange (the oracle), components as lists."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns about every service segment (no segments.xml)
        interchange = Interchange.from_str(data.decode("latin-1"))
        segments = [interchange.get_header_segment(), *interchange.segments, interchange.get_footer_segment()]
    return [(s.tag, [e if isinstance(e, list) else [e] for e in s.elements]) for s in segments]


def message_segments(data: bytes) -> list[tuple[str, list[list[str]]]]:
    """The first message's segments in order (index 0 = UNH = position 1)."""
    [message] = validate(data).interchanges[0].messages
    return [(s.tag, s.elements) for s in message.segments]


def errors(report: Report, prefix: str = "") -> list[str]:
    return [f.code for f in report.findings if f.severity is not Severity.INFO and f.code.startswith(prefix)]


def pnr_blocks(segments: list[tuple[str, list[list[str]]]]) -> list[list[tuple[str, list[list[str]]]]]:
    """Each PNR's segments, from its SRC to the next SRC or UNT."""
    blocks: list[list[tuple[str, list[list[str]]]]] = []
    for tag, elements in segments:
        if tag == "SRC":
            blocks.append([])
        if tag == "UNT":
            break
        if blocks:
            blocks[-1].append((tag, elements))
    return blocks


CLEAN = [PushSpec(), PushSpec(pnrs=1, seed=4), PushSpec(pnrs=25, seed=9, newlines=True),
         PushSpec(pnrs=12, version="13.1", kind="update", cancelled=3, seed=3),
         PushSpec(pnrs=8, hours_before=1, sensitive=4, seed=5), PushSpec(pnrs=6, una=False, groups=False, seed=6),
         PushSpec(pnrs=6, decimal=",", seed=7), PushSpec(pnrs=300, seed=11)]
IDS = ["default", "one", "newlines", "update-13.1", "check-in", "bare", "decimal-comma", "300"]


# --- the clean push ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", CLEAN, ids=IDS)
def test_clean_push_reads_the_same_in_pydifact_and_has_no_syntax_errors(spec: PushSpec) -> None:
    data = push(spec)
    assert ours(data) == theirs(data)
    report = validate(data)
    assert report.format == "pnrgov"
    assert errors(report) == []  # no error or warning at any level the validator checks


@pytest.mark.parametrize("spec", CLEAN, ids=IDS)
def test_counts_and_eqn(spec: PushSpec) -> None:
    segments = message_segments(push(spec))
    tags = [tag for tag, _ in segments]
    assert segments[-1] == ("UNT", [[str(len(segments))], [spec.reference]])
    assert tags[:5] == ["UNH", "MSG", "ORG", "TVL", "EQN"]
    assert segments[4][1] == [[str(spec.pnrs)]]
    assert tags.count("SRC") == spec.pnrs
    assert segments[1][1] == [["", "22" if spec.kind == "full" else "141"]]


def test_envelope_and_headers() -> None:
    data = push(PushSpec(version="13.1", reference="PNR0000000077"))
    text = data.decode("latin-1")
    assert text.startswith("UNA:+.? 'UNB+IATA:1+ZZ+PAXGATEPNR+")
    assert "UNG+PNRGOV+ZZ+PAXGATEPNR+" in text and "+PNR0000000077+IA+13:1'" in text
    assert "UNH+PNR0000000077+PNRGOV:13:1:IA+ZZ0456/241126/0800/01+01:F'" in text
    assert "MSG+:22'ORG+ZZ:LHR+++ZZ:SYS'TVL+241126:0800:241126:1450+LHR+IST+ZZ+0456'EQN+3'SRC'RCI+ZZ:" in text
    assert text.endswith("UNE+1+PNR0000000077'UNZ+1+PNR0000000077'")
    assert "UNH+PNR0000000001+PNRGOV:11:1:IA+ZZ0456/241126/0800+01:F'" in push(PushSpec(push_suffix="")).decode()


def test_every_pnr_has_the_iata_shape() -> None:
    blocks = pnr_blocks(message_segments(push(PushSpec(pnrs=40, seed=2, hours_before=2))))
    locators = set()
    for block in blocks:
        tags = [tag for tag, _ in block]
        assert tags[:2] == ["SRC", "RCI"]
        rci = block[1][1][0]
        assert rci[0] == "ZZ" and re.fullmatch(r"[A-Z0-9]{6}", rci[1]) and re.fullmatch(r"\d{6}", rci[3])
        assert re.fullmatch(r"\d{6}", rci[4])
        locators.add(rci[1])
        assert "DAT" in tags and "ORG" in tags and "TIF" in tags and "TVL" in tags
        pushed = [e for tag, e in block if tag == "TVL" and e[1:4] == [["LHR"], ["IST"], ["ZZ"]]]
        assert len(pushed) == 1 and pushed[0][4][0] == "0456"
        docs = [e[0][8] for tag, e in block if tag == "SSR" and e[0][0] == "DOCS"]
        assert docs and all(re.fullmatch(r"/P/[A-Z]{3}/[A-Z0-9]{9}/[A-Z]{3}/\d\d[A-Z]{3}\d\d/(M|F|MI|FI)/\d\d[A-Z]{3}\d\d/"
                                         r"[A-Z' -]+/[A-Z ]+", d) for d in docs)
        tickets = [e[0] for tag, e in block if tag == "TKT"]
        assert tickets and all(re.fullmatch(r"\d{13}", t[0]) and t[1:] == ["T", "1"] for t in tickets)
        assert tags.count("TKT") == tags.count("MON") == tags.count("FOP")
        assert "DAT" in tags[tags.index("TVL"):] and "TRI" in tags and "SSD" in tags  # check-in, 2 h before departure
    assert len(locators) == 40
    refs = [e[1][2] for block in blocks for tag, e in block[:next(i for i, (t, _) in enumerate(block) if t == "TVL")]
            if tag == "TIF" and len(e) > 1]
    assert refs and all(r.isdigit() for r in refs)


def test_no_check_in_data_a_day_before_or_in_an_update() -> None:
    for spec in (PushSpec(pnrs=20), PushSpec(pnrs=20, kind="update", hours_before=1)):
        tags = [tag for tag, _ in message_segments(push(spec))]
        assert "TRI" not in tags and "SSD" not in tags and "TBD" not in tags


def test_codeshare_feeder_infants_groups_and_releases_occur() -> None:
    data = push(PushSpec(pnrs=120, seed=1, hours_before=0))
    text = data.decode("latin-1")
    assert "TVL+++++" in text and "TRA+YY+" in text and "+ZZ:YY+" in text  # operating TVL, TRA, marketing:operating
    assert ":IN:" in text and "SSR+INFT:HK:1:ZZ" in text and re.search(r"TIF\+[A-Z' ?-]+\+[A-Z ]+:A:\d+:1'", text)
    assert re.search(r"TIF\+[A-Z' ?-]+:G'", text)  # a group's name TIF
    assert "?'" in text  # O'BRIEN and ST MARY'S written with the release character
    assert "?+44 20 7946" in text  # a phone number's plus sign, released
    assert "FOP+CC::" in text and "FOP+CA::" in text and "XXXXXXXXXXXX" in text
    assert "TBD++" in text and "SSD+" in text and "DAT+2:" in text


def test_decimal_comma_when_asked() -> None:
    comma = push(PushSpec(pnrs=5, decimal=",")).decode("latin-1")
    assert comma.startswith("UNA:+,? 'UNB+IATA:1+")
    amounts = re.findall(r"MON\+B:([\d.,]+):GBP\+T:([\d.,]+):GBP'", comma)
    assert amounts and all(re.fullmatch(r"\d+,\d\d", a) for pair in amounts for a in pair)
    bare = push(PushSpec(pnrs=5, una=False)).decode("latin-1")  # no UNA: IATA's default decimal comma
    assert bare.startswith("UNB+IATA:1+") and re.search(r"MON\+B:\d+,\d\d:", bare)
    point = push(PushSpec(pnrs=5)).decode("latin-1")
    assert re.search(r"MON\+B:\d+\.\d\d:", point) and not re.search(r"MON\+B:\d+,\d\d:", point)
    with pytest.raises(ValueError, match="decimal mark is ','"):
        push(PushSpec(una=False, decimal="."))


def test_cancelled_pnrs_are_src_rci_and_empty_org() -> None:
    spec = PushSpec(pnrs=15, kind="update", cancelled=5, seed=8)
    blocks = pnr_blocks(message_segments(push(spec)))
    cancelled = [b for b in blocks if [t for t, _ in b] == ["SRC", "RCI", "ORG"]]
    assert len(cancelled) == 5
    assert all(b[2][1] == [] and b[1][1][0][1] for b in cancelled)  # empty ORG, RCI with its locator
    assert all(len(b) > 3 for b in blocks if b not in cancelled)
    assert "ORG'" in push(spec).decode()
    with pytest.raises(ValueError, match="update pushes only"):
        push(PushSpec(cancelled=1))


def test_sensitive_ssrs_when_asked() -> None:
    sensitive = re.compile(r"SSR\+(MOML|KSML|HNML|MEDA|WCHR|DEAF|BLND):HK:1:ZZ")
    osi = re.compile(r"IFT\+4:28::ZZ\+[A-Z0-9 ]+'")
    assert not sensitive.search(push(PushSpec(pnrs=30)).decode()) and not osi.search(push(PushSpec(pnrs=30)).decode())
    text = push(PushSpec(pnrs=30, sensitive=7)).decode()
    assert len(sensitive.findall(text)) == 7 and len(osi.findall(text)) == 7
    with pytest.raises(ValueError, match="sensitive passengers"):
        push(PushSpec(pnrs=1, sensitive=10))


def test_same_seed_same_push_other_seed_other_push() -> None:
    assert push(PushSpec(pnrs=20, seed=5)) == push(PushSpec(pnrs=20, seed=5))
    assert push(PushSpec(pnrs=20, seed=5)) != push(PushSpec(pnrs=20, seed=6))
    assert push_draft(PushSpec(pnrs=4)).write() == push(PushSpec(pnrs=4))


def test_names_are_synthetic_and_from_many_cultures() -> None:
    text = push(PushSpec(pnrs=200, seed=3)).decode()
    surnames = set(re.findall(r"TIF\+([A-Z' ?-]+)\+", text))
    assert len(surnames) >= 15


# --- multipart ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("parts", [1, 2, 4])
def test_multipart_shares_0068_counts_on_s010_and_eqn_is_the_total(parts: int) -> None:
    spec = PushSpec(pnrs=9, seed=12)
    datas = multipart_push(spec, parts)
    assert len(datas) == parts
    headers, references, srcs = [], set(), 0
    for n, data in enumerate(datas, start=1):
        assert ours(data) == theirs(data)
        assert errors(validate(data), "EDI-") == []
        segments = message_segments(data)
        unh = segments[0][1]
        headers.append(unh[2][0])
        assert unh[3] == [f"{n:02d}", "F" if n == parts else "C"]
        assert segments[4] == ("EQN", [["9"]])
        srcs += [t for t, _ in segments].count("SRC")
        references.add(validate(data).interchanges[0].control_reference)
    assert len(set(headers)) == 1 and headers[0] == "ZZ0456/241126/0800/01"
    assert len(references) == parts
    assert srcs == 9
    whole = pnr_blocks(message_segments(push(spec)))
    split = [b for data in datas for b in pnr_blocks(message_segments(data))]
    assert split == whole  # the same PNRs, in order


def test_multipart_refuses_more_parts_than_pnrs() -> None:
    with pytest.raises(ValueError, match="at least one PNR"):
        multipart_push(PushSpec(pnrs=2), 3)


# --- defects -----------------------------------------------------------------------------------------------------

# what the segment at the labelled position must show: its tag and a test on its elements
FAULT = {
    "eqn-total": ("EQN", lambda e, spec: e[0][0] != str(spec.pnrs)),
    "locator-missing": ("SRC", lambda e, spec: True),
    "locator-duplicate": ("RCI", lambda e, spec: True),
    "docs-unreadable": ("SSR", lambda e, spec: e[0][0] == "DOCS" and e[0][8].count("/") < 8),
    "docs-date": ("SSR", lambda e, spec: e[0][0] == "DOCS" and "/31FEB80/" in e[0][8]),
    "docs-country": ("SSR", lambda e, spec: e[0][0] == "DOCS" and e[0][8].split("/")[4] == "XYZ"),
    "traveller-ref-duplicate": ("TIF", lambda e, spec: True),
    "msg-function": ("MSG", lambda e, spec: e == [["", "99"]]),
    "tvl-date": ("TVL", lambda e, spec: e[0][0] == "320226"),
    "unknown-segment": ("XYZ", lambda e, spec: e == [["1"]]),
    "missing-flight": ("ORG", lambda e, spec: True),
    "unt-count": ("UNT", lambda e, spec: True),
}


def test_catalogue_is_the_one_the_validator_is_built_to() -> None:
    assert {name: d.codes for name, d in DEFECTS.items()} == {
        "eqn-total": ("PNR-EQN-TOTAL",), "locator-missing": ("PNR-LOCATOR-MISSING",),
        "locator-duplicate": ("PNR-LOCATOR-DUPLICATE",), "docs-unreadable": ("PNR-DOCS-UNREADABLE",),
        "docs-date": ("PNR-DOCS-DATE",), "docs-country": ("PNR-DOCS-COUNTRY",),
        "traveller-ref-duplicate": ("PNR-TRAVELLER-REF-DUPLICATE",), "msg-function": ("MSG-ELEMENT-CODE",),
        "tvl-date": ("MSG-ELEMENT-DATE",), "unknown-segment": ("MSG-SEGMENT-UNKNOWN",),
        "missing-flight": ("MSG-SEGMENT-MISSING",), "unt-count": ("EDI-UNT-COUNT",)}
    assert set(FAULT) == set(DEFECTS)


def labelled(labels: list[SeededDefect]) -> Counter[tuple[str, str | None, int | None, int | None, int | None]]:
    return Counter((e.code, e.segment_tag, e.segment_position, e.element, e.component)
                   for label in labels for e in label.findings)


def found(report: Report, codes: set[str]) -> Counter[tuple[str, str | None, int | None, int | None, int | None]]:
    return Counter((f.code, f.location.segment_tag, f.location.segment_position, f.location.element, f.location.component)
                   for f in report.findings if f.code in codes)


def check_label(data: bytes, label: SeededDefect, spec: PushSpec) -> None:
    segments = message_segments(data)
    tag, fault = FAULT[label.name]
    assert label.segment_tag == tag
    assert label.segment_position is not None
    at, elements = segments[label.segment_position - 1]
    assert at == tag, (label.name, at)
    assert fault(elements, spec), (label.name, elements)
    for expected in label.findings:
        assert segments[expected.segment_position - 1][0] == expected.segment_tag
    if label.traveller is not None:  # a PNR defect lies in its PNR's Gr1 (from its SRC to the next)
        starts = [i + 1 for i, (t, _) in enumerate(segments) if t == "SRC"] + [len(segments)]
        assert starts[label.traveller] <= label.segment_position < starts[label.traveller + 1]


def check_findings(data: bytes, labels: list[SeededDefect]) -> None:
    """The validator agrees with the labels on every code it checks PNRGOV for: envelope codes
    always, PNRGOV structure and content once their rules are in the catalogue; nothing else is found."""
    report = validate(data)
    pnrgov_rules = any(code.startswith("PNR-") for code in RULES)
    known = {code for label in labels for code in label.codes if code.startswith("EDI-") or pnrgov_rules}
    assert found(report, known) == Counter({k: n for k, n in labelled(labels).items() if k[0] in known})
    assert set(errors(report)) <= known


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(DEFECTS))
def test_defect_alone_is_where_its_label_says(name: str, seed: int) -> None:
    spec = PushSpec(pnrs=5, seed=seed + 30)
    data, labels = push_with_defects(spec, [name], seed=seed)
    [label] = labels
    assert data != push(spec)
    assert label.name == name and label.codes == DEFECTS[name].codes
    assert ours(data) == theirs(data)  # still readable EDIFACT: the fault is in the content
    check_label(data, label, spec)
    check_findings(data, labels)


def test_locator_and_traveller_reference_defects_do_what_they_say() -> None:
    spec = PushSpec(pnrs=6, seed=4, hours_before=1)
    data, labels = push_with_defects(spec, ["locator-missing", "locator-duplicate", "traveller-ref-duplicate"], seed=1)
    blocks = pnr_blocks(message_segments(data))
    missing, _, refs = labels
    assert "RCI" not in [t for t, _ in blocks[missing.traveller]]
    locators = [b[1][1][0][1] for b in blocks if b[1][0] == "RCI"]
    assert len(locators) == 5 and len(set(locators)) == 4
    block = blocks[refs.traveller]
    gr2 = block[:next(i for i, (t, _) in enumerate(block) if t == "TVL")]
    tif_refs = [e[1][2] for t, e in gr2 if t == "TIF" and len(e) > 1]
    assert len(tif_refs) != len(set(tif_refs))
    ssr_refs = {e[1][2] for t, e in block if t == "SSR" and len(e) > 1 and len(e[1]) > 2}
    assert ssr_refs <= set(tif_refs)  # no SSR is left pointing at a traveller no TIF names


def test_all_compatible_defects_together() -> None:
    names = [n for n in DEFECTS if n != "missing-flight"]
    spec = PushSpec(pnrs=40, seed=2, hours_before=1)
    data, labels = push_with_defects(spec, names, seed=3)
    assert [label.name for label in labels] == names  # catalogue order
    pnrs = [label.traveller for label in labels if label.traveller is not None]
    assert len(pnrs) == len(set(pnrs)) == 7
    for label in labels:
        check_label(data, label, spec)
    check_findings(data, labels)
    assert push_with_defects(spec, list(reversed(names)), seed=3) == (data, labels)
    assert push_with_defects(spec, names, seed=4)[0] != data


@pytest.mark.parametrize(("spec", "names", "why"), [
    (PushSpec(), ["no-such-defect"], "unknown defect"),
    (PushSpec(), ["tvl-date", "missing-flight"], "both change flight"),
    (PushSpec(), ["docs-date", "docs-date"], "once per push"),
    (PushSpec(pnrs=2), ["docs-date", "docs-country", "docs-unreadable"], "needs a PNR of its own"),
    (PushSpec(pnrs=3, kind="update", cancelled=3), ["docs-date"], "needs a PNR of its own"),
    (PushSpec(pnrs=1), ["locator-duplicate"], "after another one"),
    (PushSpec(sequence=1, first_last="C"), ["eqn-total"], "single-part"),
])
def test_impossible_requests_are_refused(spec: PushSpec, names: list[str], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        push_with_defects(spec, names, seed=0)


def test_samples_shape_is_matched_by_pydifact_segments() -> None:
    """Our reading equals pydifact's Parser on a grouped, multi-line push too (the bench's check)."""
    data = push(PushSpec(pnrs=10, newlines=True, seed=21))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = [(s.tag, [e if isinstance(e, list) else [e] for e in s.elements])
                  for s in Parser().parse(data.decode("latin-1")) if s.tag != "UNA"]
    assert parsed == ours(data)
