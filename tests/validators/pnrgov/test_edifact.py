"""PNRGOV EDIFACT: tables per version, the PnrPush model, content rules, the profile's [pnrgov] table.

The fixtures are ours: ``pnrgov-iata-push.edi`` (11.1 full push, two PNRs) and
``pnrgov-13-update-push.edi`` (13.1 update push: an active PNR with an infant, check-in, seat, bags,
a card payment, a religious meal SSR and a health OSI; a cancelled PNR; a split codeshare PNR).
Expected values are read off the fixture text by eye, not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.profiles import load_profile
from validators.pnrgov.tables import PNRGOV_11_1, PNRGOV_13_1, table_for
from validators.profiles import ProfileError
from validators.report import Report
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
FULL = FIXTURES / "pnrgov-iata-push.edi"
UPDATE = FIXTURES / "pnrgov-13-update-push.edi"
BASELINE = load_profile(None)


def run(data: bytes, profile: object = BASELINE) -> Report:
    return validate(data, profile)  # type: ignore[arg-type]


def codes(report: Report, severity: str | None = None) -> list[str]:
    return [f.code for f in report.findings if severity is None or f.severity == severity]


def edit(path: Path, old: str, new: str, *, count_delta: int = 0) -> bytes:
    """The fixture with one text replaced; UNT's count follows when segments are added or removed."""
    text = path.read_text(encoding="latin-1")
    assert old in text, old
    text = text.replace(old, new, 1)
    if count_delta:
        head, _, rest = text.partition("UNT+")
        number, _, tail = rest.partition("+")
        text = f"{head}UNT+{int(number) + count_delta}+{tail}"
    return text.encode("latin-1")


# --- tables and versions -----------------------------------------------------------------------------
def test_versions_pick_their_table_or_the_closest_earlier():
    assert table_for("11", "1") is PNRGOV_11_1 and table_for("13", "1") is PNRGOV_13_1
    assert table_for("10", "1") is PNRGOV_11_1 and table_for("12", "1") is PNRGOV_11_1
    assert table_for("17", "1") is PNRGOV_13_1


def test_both_fixtures_are_accepted_with_their_pnrs():
    full, update = run(FULL.read_bytes()), run(UPDATE.read_bytes())
    assert full.verdict == "accepted" and full.format == "pnrgov" and full.pnrs == 2
    assert update.verdict == "accepted" and update.pnrs == 3
    assert codes(full) == ["EDI-SEG-WHITESPACE"]


def test_a_profile_may_refuse_a_version():
    profile = BASELINE.overlay({"pnrgov": {"versions": ["13.1"]}}, "test")
    report = run(FULL.read_bytes(), profile)
    assert report.verdict == "rejected"
    [finding] = [f for f in report.findings if f.code == "PNR-VERSION"]
    assert finding.syntax_error == 14 and finding.location.segment_tag == "UNH"
    assert (finding.location.element, finding.location.component) == (2, 2)
    assert finding.expected == "one of 13.1"
    assert report.pushes == []  # a message the profile refuses is not read further


def test_structure_faults_name_the_segment_and_group():
    data = edit(FULL, "EQN+2'\n", "")  # the mandatory level-0 EQN removed
    report = run(data.replace(b"UNT+32+", b"UNT+31+"))
    missing = [f for f in report.findings if f.code == "MSG-SEGMENT-MISSING"]
    assert len(missing) == 1 and missing[0].syntax_error == 13
    assert missing[0].location.segment_tag == "TVL" and missing[0].location.segment_position == 4
    unknown = run(edit(FULL, "REF+:Q8XK2M-1'\n", "REF+:Q8XK2M-1'\nXYZ+1'\n", count_delta=1))
    [fault] = [f for f in unknown.findings if f.code == "MSG-SEGMENT-UNKNOWN"]
    assert fault.location.segment_tag == "XYZ" and fault.location.segment_position == 12


def test_element_layouts_check_dates_and_push_function():
    bad_date = run(edit(FULL, "TVL+241126:0800:241126:1110+LHR+IST+ZZ+0456'", "TVL+321126:0800:241126:1110+LHR+IST+ZZ+0456'"))
    [date] = [f for f in bad_date.findings if f.code == "MSG-ELEMENT-DATE"]
    assert (date.location.segment_tag, date.location.segment_position, date.location.element, date.location.component) == (
        "TVL", 4, 1, 1)
    assert "DDMMYY" in (date.expected or "")
    bad_function = run(edit(FULL, "MSG+:22'", "MSG+:99'"))
    [code] = [f for f in bad_function.findings if f.code == "MSG-ELEMENT-CODE"]
    assert (code.location.segment_tag, code.location.element, code.location.component) == ("MSG", 1, 2)
    assert bad_function.verdict == "rejected"


# --- the PnrPush model -------------------------------------------------------------------------------
def test_full_push_model():
    [push] = run(FULL.read_bytes()).pushes
    assert (push.format, push.version, push.kind, push.declared_pnrs) == ("pnrgov", "11.1", "full", 2)
    assert push.flight is not None and push.flight.flight == "ZZ0456"
    assert (push.flight.departure_airport, push.flight.arrival_airport) == ("LHR", "IST")
    assert push.flight.departure_local == "2026-11-24T08:00:00" and push.flight.arrival_local == "2026-11-24T11:10:00"
    assert push.part.common_access_reference == "ZZ0456/241126/0800/01" and push.part.final
    first, second = push.pnrs
    assert (first.locator, first.carrier, first.position) == ("Q8XK2M", "ZZ", 6)
    assert first.last_modified == "2026-11-22T09:30:00" and first.ticket_issued == "2026-11-01T14:15:00"
    [kaya] = first.passengers
    assert (kaya.surname, kaya.given_names, kaya.birth_date, kaya.gender) == ("KAYA", ("MEHMET", "MR"), "1980-03-15", "M")
    [passport] = kaya.documents
    assert (passport.type, passport.number, passport.issuing_state, passport.expiry) == ("P", "U12345678", "TUR", "2032-03-14")
    assert kaya.tickets == ("1252345678901",)
    [card] = first.payments
    assert (card.type, card.vendor, card.card_last4, card.amount) == ("CC", "VI", "1111", "512,35")
    assert [p.surname + "/" + p.given_names[0] for p in second.passengers] == ["DEMIR/AYSE", "DEMIR/CAN"]
    assert second.itinerary[0].party == 2 and second.itinerary[0].booking_class == "M"


def test_update_push_model_cancellation_infant_check_in_split_codeshare():
    [push] = run(UPDATE.read_bytes()).pushes
    assert (push.version, push.kind, push.declared_pnrs) == ("13.1", "update", 3)
    active, cancelled, split = push.pnrs
    assert cancelled.cancelled and cancelled.locator == "P3MNX8" and not cancelled.passengers
    layla, sami = active.passengers
    assert layla.seats == ("14C",) and layla.bags == 2 and layla.checked_in
    assert layla.frequent_flyer == "ZZ:992211334455"
    assert sami.infant and sami.type == "IN" and sami.birth_date == "2025-03-03" and sami.documents[0].number == "N7654321"
    assert not layla.infant and layla.documents[0].number == "N1234567"
    assert {c.kind for c in active.contacts} == {"address", "email"}
    assert split.split_from == ("T9BVD5",)
    feeder, main = split.itinerary
    assert (feeder.carrier, feeder.operating_carrier, feeder.operating_number) == ("LH", "ZZ", "0731")
    assert main.number == "0731"


def test_push_number_comes_from_where_the_profile_says():
    data = UPDATE.read_bytes()
    assert run(data).pushes[0].push_number is None
    suffix = BASELINE.overlay({"pnrgov": {"push_number": "reference-suffix"}}, "test")
    assert run(data, suffix).pushes[0].push_number == 3  # ZZ0731/051226/1405/03
    sequence = BASELINE.overlay({"pnrgov": {"push_number": "sequence"}}, "test")
    assert run(data, sequence).pushes[0].push_number == 1  # S010 01:F


# --- content rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "code", "where"), [
    ("EQN+2'", "EQN+3'", "PNR-EQN-TOTAL", ("EQN", 5, 1, 1)),
    ("RCI+ZZ:R2TT7P::151026:0801'", "RCI+ZZ:Q8XK2M::151026:0801'", "PNR-LOCATOR-DUPLICATE", ("RCI", 20, 1, 2)),
    ("TIF+DEMIR:I+CAN MSTR::2'", "TIF+DEMIR:I+CAN MSTR::1'", "PNR-TRAVELLER-REF-DUPLICATE", ("TIF", 26, 2, 3)),
    ("/P/TUR/U87654321/TUR/02JUL92/F/01JUL31/DEMIR/AYSE", "/P/TUR/U87654321/TUR", "PNR-DOCS-UNREADABLE", ("SSR", 25, 1, 9)),
    ("/P/TUR/U87654321/TUR/02JUL92/", "/P/TUR/U87654321/TUR/31FEB92/", "PNR-DOCS-DATE", ("SSR", 25, 1, 9)),
    ("/P/TUR/U87654321/TUR/02JUL92/", "/P/TUR/U87654321/XYZ/02JUL92/", "PNR-DOCS-COUNTRY", ("SSR", 25, 1, 9)),
    ("/02JUL92/F/", "/02JUL92/Q/", "PNR-DOCS-GENDER", ("SSR", 25, 1, 9)),
])
def test_each_rule_reports_without_rejecting(old: str, new: str, code: str, where: tuple[object, ...]):
    report = run(edit(FULL, old, new))
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, codes(report)
    loc = found[0].location
    assert (loc.segment_tag, loc.segment_position, loc.element, loc.component) == where
    assert found[0].scope == "business" and report.verdict == "accepted_with_warnings"


def test_missing_locator_and_flight_not_in_itinerary():
    report = run(edit(FULL, "RCI+ZZ:R2TT7P::151026:0801'\n", "", count_delta=-1))
    [missing] = [f for f in report.findings if f.code == "PNR-LOCATOR-MISSING"]
    assert (missing.location.segment_tag, missing.location.segment_position) == ("SRC", 19)
    leg = "TVL+241126:0800:241126:1110+LHR+IST+ZZ+0456:M'"
    elsewhere = run(edit(FULL, leg, leg.replace("0456", "0999")))
    [note] = [f for f in elsewhere.findings if f.code == "PNR-FLIGHT-NOT-IN-ITINERARY"]
    assert note.severity == "info" and note.location.segment_position == 19


def test_cancellation_rules():
    full_push = run(edit(UPDATE, "MSG+:141'", "MSG+:22'"))
    assert [f.location.segment_position for f in full_push.findings if f.code == "PNR-CANCELLED-IN-FULL"] == [33]
    stuffed = run(edit(UPDATE, "RCI+ZZ:P3MNX8::151126:1402'\nORG'", "RCI+ZZ:P3MNX8::151126:1402'\nORG'\nTIF+GONE+AWAY'",
                       count_delta=1))
    [extra] = [f for f in stuffed.findings if f.code == "PNR-CANCELLED-CONTENT"]
    assert "Gr2" in extra.message


def test_eqn_is_not_checked_on_a_part_of_a_longer_push():
    report = run(edit(FULL, "EQN+2'", "EQN+9'").replace(b"/01+01:F'", b"/01+01:C'"))
    assert "PNR-EQN-TOTAL" not in codes(report)


def test_pnrgov_profile_table_is_checked():
    with pytest.raises(ProfileError, match=r"pnrgov\.push_number"):
        BASELINE.overlay({"pnrgov": {"push_number": "guess"}}, "test")
    with pytest.raises(ProfileError, match=r"pnrgov\.versions"):
        BASELINE.overlay({"pnrgov": {"versions": ["eleven"]}}, "test")
    with pytest.raises(ProfileError, match=r"pnrgov\.colour"):
        BASELINE.overlay({"pnrgov": {"colour": "blue"}}, "test")


def test_a_leap_day_birth_in_2000_is_a_real_date():
    report = run(edit(FULL, "/02JUL92/F/01JUL31/DEMIR/AYSE", "/29FEB00/F/01JUL31/DEMIR/AYSE"))
    assert "PNR-DOCS-DATE" not in codes(report)
    assert report.pushes[0].pnrs[1].passengers[0].birth_date == "2000-02-29"
    assert "PNR-DOCS-DATE" in codes(run(edit(FULL, "/02JUL92/F/01JUL31/DEMIR/AYSE", "/29FEB01/F/01JUL31/DEMIR/AYSE")))
