"""The list generator and its seeded defects, checked against the real validator.

The labels a defect carries are what tests and benchmarks trust as the right answer, so every
defect is validated here alone and in company: it must produce exactly its labelled findings at
the labelled segment, and nothing else. The codes each defect produces are also written out below
by hand (verified by running the validator), so a change in the validator or the catalogue that
shifts them shows up as a failure to look at, not as a silently relabelled defect.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.builders import DEFECTS, PaxlstSpec, SeededDefect, paxlst, paxlst_with_defects
from validators.catalog import RULES
from validators.report import Finding, Report, Severity, Verdict
from validators.validate import validate

# sha256 of the valid generator's output (pinned again when arrival times became real local times,
# so legs that cross time zones arrive after they depart in UTC): a change shows up here first
PINNED = {
    PaxlstSpec(): "e0d1ce2d82fcddfb2e5fcd20d963f863a10ce11ae02f01bbff2cde7fc52d84ac",
    PaxlstSpec(passengers=500): "9b8998f1bb43a1d7e5a25e3cf0179702a6317c0c0485fb69067356909f7de83a",
    PaxlstSpec(passengers=40, seed=7, groups=False, newlines=True, acknowledgement_request="1"):
        "6ca7eb52a9e0ce7bf11d7bbd73ea9988dc688c3fd1f0d96a99373ae90aff09b2",
}

# defect → (the codes it produces, verified by running it; the tag of the segment it is put in)
VERIFIED: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "unt-count": (("EDI-UNT-COUNT",), frozenset({"UNT"})),
    "unz-reference": (("EDI-UNZ-REFERENCE",), frozenset({"UNZ"})),
    "une-count": (("EDI-UNE-COUNT",), frozenset({"UNE"})),
    "lower-case-unoa": (("EDI-CHAR-INVALID",), frozenset({"NAD"})),
    "unreleased-apostrophe": (("EDI-SEG-TAG", "MSG-SEGMENT-UNKNOWN", "EDI-UNT-COUNT"), frozenset({"NAD"})),
    "trailing-separator": (("EDI-SEG-TRAILING-SEPARATOR",), frozenset({"NAD"})),
    "missing-bgm": (("MSG-SEGMENT-MISSING",), frozenset({"UNH"})),
    # the DOC fits nowhere; its DTM+36 and LOC+91 land in the last flight leg (SG3), where they do not belong
    "doc-before-nad": (("MSG-SEGMENT-UNEXPECTED", "PAXLST-QUALIFIER-GROUP", "PAXLST-QUALIFIER-GROUP"), frozenset({"DOC"})),
    "unknown-segment": (("MSG-SEGMENT-UNKNOWN",), frozenset({"SSR", "TIF", "PTK"})),
    "eleven-flights": (("MSG-GROUP-REPEAT",), frozenset({"TDT"})),
    "gender-code": (("MSG-ELEMENT-CODE",), frozenset({"ATT"})),
    "cnt-separator": (("MSG-ELEMENT-TOO-MANY", "MSG-ELEMENT-MISSING"), frozenset({"CNT"})),
    "nationality-code": (("PAXLST-COUNTRY-CODE",), frozenset({"NAT"})),
    "birth-date-invalid": (("PAXLST-DATE",), frozenset({"DTM"})),
    "doc-expired": (("PAXLST-DOC-EXPIRED",), frozenset({"DTM"})),
    "birth-future": (("PAXLST-BIRTH-FUTURE",), frozenset({"DTM"})),
    "cnt-total": (("PAXLST-CNT-TOTAL",), frozenset({"CNT"})),
    "doc-number-long": (("PAXLST-DOC-NUMBER",), frozenset({"DOC"})),
}
# what tells an expected finding from another: code and every part of its pointer
Key = tuple[str, str | None, int | None, int | None, int | None]


def found(report: Report) -> Counter[Key]:
    return Counter(_key(f) for f in report.findings)


def _key(f: Finding) -> Key:
    loc = f.location
    return (f.code, loc.segment_tag, loc.segment_position, loc.element, loc.component)


def labelled(labels: list[SeededDefect]) -> Counter[Key]:
    return Counter((e.code, e.segment_tag, e.segment_position, e.element, e.component)
                   for label in labels for e in label.findings)


def compatible(names: list[str]) -> list[str]:
    """The names, without those whose claim an earlier one already holds."""
    kept, claims = [], set()
    for name in names:
        claim = DEFECTS[name].claims
        if claim and claim in claims:
            continue
        claims.add(claim)
        kept.append(name)
    return kept


# --- the valid generator -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", list(PINNED), ids=lambda s: f"{s.passengers}pax")
def test_valid_output_is_unchanged(spec: PaxlstSpec) -> None:
    assert hashlib.sha256(paxlst(spec)).hexdigest() == PINNED[spec]


@pytest.mark.parametrize("spec", [PaxlstSpec(passengers=1), PaxlstSpec(passengers=5, seed=9), PaxlstSpec(passengers=500),
                                  PaxlstSpec(passengers=20, groups=False, newlines=True, una=False)],
                         ids=["1pax", "5pax", "500pax", "bare-newlines"])
def test_clean_list_has_no_findings(spec: PaxlstSpec) -> None:
    report = validate(paxlst(spec))
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    assert report.verdict is Verdict.ACCEPTED
    assert report.travellers == spec.passengers


def test_no_defects_is_the_valid_list() -> None:
    data, labels = paxlst_with_defects(PaxlstSpec(passengers=7), [], seed=5)
    assert data == paxlst(PaxlstSpec(passengers=7))
    assert labels == []


# --- the catalogue -----------------------------------------------------------------------------------------------


def test_catalogue_is_the_verified_one() -> None:
    assert {name: d.codes for name, d in DEFECTS.items()} == {name: codes for name, (codes, _) in VERIFIED.items()}


def test_catalogue_entries_are_well_formed() -> None:
    for name, defect in DEFECTS.items():
        assert defect.name == name
        assert defect.description and "\n" not in defect.description
        assert defect.codes and all(code in RULES for code in defect.codes), name
    # one defect per rule family a carrier can get wrong: envelope, characters, structure, elements, content
    families = {code.split("-")[0] + "-" + code.split("-")[1] for d in DEFECTS.values() for code in d.codes}
    assert {"EDI-UNT", "EDI-UNZ", "EDI-UNE", "EDI-CHAR", "EDI-SEG", "MSG-SEGMENT", "MSG-GROUP", "MSG-ELEMENT",
            "PAXLST-COUNTRY", "PAXLST-DATE", "PAXLST-DOC", "PAXLST-BIRTH", "PAXLST-CNT"} <= families


# --- each defect alone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", list(DEFECTS))
def test_defect_alone_gives_exactly_its_findings(name: str, seed: int) -> None:
    spec = PaxlstSpec(passengers=6, seed=seed + 20)
    data, labels = paxlst_with_defects(spec, [name], seed=seed)
    [label] = labels
    assert data != paxlst(spec)
    report = validate(data)
    assert found(report) == labelled(labels), [f.message for f in report.findings]
    assert tuple(f.code for f in report.findings) == VERIFIED[name][0]  # in file order, nothing else
    assert label.codes == VERIFIED[name][0]
    assert label.segment_tag in VERIFIED[name][1]
    assert report.verdict is (Verdict.ACCEPTED_WITH_WARNINGS if all(
        RULES[c].severity is Severity.WARNING for c in label.codes) else Verdict.REJECTED)
    [message] = report.interchanges[0].messages
    if label.segment_position is None:  # an envelope trailer: no position in a message
        assert label.segment_tag in {"UNE", "UNZ"}
    else:
        assert message.segments[label.segment_position - 1].tag == label.segment_tag


@pytest.mark.parametrize("name", [n for n, d in DEFECTS.items() if d.traveller and not d.first_traveller])
def test_traveller_defect_lands_in_its_travellers_group(name: str) -> None:
    spec = PaxlstSpec(passengers=12)
    for seed in range(4):
        data, [label] = paxlst_with_defects(spec, [name], seed=seed)
        report = validate(data)
        starts = [t.position for t in report.manifests[0].travellers] + [10 ** 6]
        assert label.traveller is not None
        assert starts[label.traveller] <= label.segment_position < starts[label.traveller + 1]


def test_doc_before_nad_is_on_the_first_traveller() -> None:
    data, [label] = paxlst_with_defects(PaxlstSpec(passengers=4), ["doc-before-nad"], seed=3)
    report = validate(data)
    assert label.traveller == 0
    assert label.segment_position == report.manifests[0].travellers[0].position - 3  # DOC, DTM, LOC, then NAD
    assert report.manifests[0].travellers[0].documents == ()


@pytest.mark.parametrize("spec", [PaxlstSpec(passengers=3, newlines=True), PaxlstSpec(passengers=3, groups=False, una=False)],
                         ids=["newlines", "no-groups"])
def test_defects_hold_in_other_layouts(spec: PaxlstSpec) -> None:
    for name in DEFECTS:
        if name == "une-count" and not spec.groups:
            continue
        data, labels = paxlst_with_defects(spec, [name], seed=4)
        report = validate(data)
        assert found(report) - Counter({("EDI-SEG-WHITESPACE", None, None, None, None): 1}) == labelled(labels), name


# --- several together, on a 500-traveller list -------------------------------------------------------------------

TOGETHER = [
    compatible(list(DEFECTS)),  # every defect whose claim is free: 16 of the 18
    ["unreleased-apostrophe", "cnt-separator", "doc-before-nad", "eleven-flights", "gender-code", "doc-expired",
     "unz-reference"],
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("names", TOGETHER, ids=["sixteen", "seven"])
def test_defects_together_on_500_travellers(names: list[str], seed: int) -> None:
    spec = PaxlstSpec(passengers=500)
    data, labels = paxlst_with_defects(spec, names, seed=seed)
    report = validate(data)
    assert [label.name for label in labels] == [n for n in DEFECTS if n in names]
    assert found(report) == labelled(labels), [f.message for f in report.findings]
    travellers = [label.traveller for label in labels if label.traveller is not None]
    assert len(travellers) == len(set(travellers))
    assert report.verdict is Verdict.REJECTED
    assert report.travellers == 500


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.sampled_from(list(DEFECTS)), unique=True, max_size=len(DEFECTS)),
       seed=st.integers(0, 2 ** 32), passengers=st.integers(18, 60), list_seed=st.integers(1, 1000))
def test_any_compatible_set_is_found_exactly(names: list[str], seed: int, passengers: int, list_seed: int) -> None:
    names = compatible(names)
    data, labels = paxlst_with_defects(PaxlstSpec(passengers=passengers, seed=list_seed), names, seed=seed)
    assert found(validate(data)) == labelled(labels)


# --- determinism and refusals ------------------------------------------------------------------------------------


def test_same_seed_same_list_and_labels() -> None:
    names = TOGETHER[0]
    first = paxlst_with_defects(PaxlstSpec(passengers=80), names, seed=11)
    assert paxlst_with_defects(PaxlstSpec(passengers=80), names, seed=11) == first
    assert paxlst_with_defects(PaxlstSpec(passengers=80), list(reversed(names)), seed=11) == first  # order does not matter


def test_seeds_choose_different_travellers_and_values() -> None:
    outcomes = [paxlst_with_defects(PaxlstSpec(passengers=80), TOGETHER[0], seed=seed) for seed in range(5)]
    assert len({data for data, _ in outcomes}) == 5
    assert len({tuple(label.traveller for label in labels) for _, labels in outcomes}) == 5


@pytest.mark.parametrize(("spec", "names", "why"), [
    (PaxlstSpec(), ["no-such-defect"], "unknown defect"),
    (PaxlstSpec(), ["cnt-total", "cnt-separator"], "both change CNT"),
    (PaxlstSpec(), ["unt-count", "unreleased-apostrophe"], "both change UNT"),
    (PaxlstSpec(), ["gender-code", "gender-code"], "once per list"),
    (PaxlstSpec(passengers=2), ["gender-code", "doc-expired", "birth-future"], "need as many travellers"),
    (PaxlstSpec(groups=False), ["une-count"], "functional group"),
    (PaxlstSpec(syntax="UNOB"), ["lower-case-unoa"], "UNOA"),
])
def test_impossible_requests_are_refused(spec: PaxlstSpec, names: list[str], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        paxlst_with_defects(spec, names, seed=0)
