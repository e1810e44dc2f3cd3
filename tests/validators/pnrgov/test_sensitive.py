"""The sensitive-data filter (DESIGN.md §6.7) and the ACKRES writer, on our PNRGOV fixtures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from gateway.profiles import load_profile
from validators.acks import Acknowledgement, ackres
from validators.edifact.contrl import ContrlContext
from validators.profiles import ProfileError
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
UPDATE = (FIXTURES / "pnrgov-13-update-push.edi").read_bytes()
FULL = (FIXTURES / "pnrgov-iata-push.edi").read_bytes()
BASELINE = load_profile(None)
CONTEXT = ContrlContext(__import__("datetime").datetime(2026, 12, 5, 12, 0), "ACK0001")


def test_religious_meal_and_health_osi_are_masked_in_place():
    report = validate(UPDATE, BASELINE)
    masked = report.masked
    assert masked is not None and len(masked) == len(UPDATE)  # same length: offsets and counts stay true
    assert b"MOML" in UPDATE and b"MOML" not in masked and b"PREGNANT" not in masked
    assert b"SSR+XXXX:HK:1:ZZ:::FRA:AMM+::1'" in masked  # status, airports and the traveller link are kept
    assert b"IFT+4:28::ZZ+PAX XXXXXXXX 6 MONTHS'" in masked
    # everything else is untouched, byte for byte
    assert [i for i, (a, b) in enumerate(zip(UPDATE, masked, strict=True)) if a != b] == [
        i for i, c in enumerate(masked) if c == ord("X") and UPDATE[i] != ord("X")]
    notes = [f for f in report.findings if f.code == "PNR-SENSITIVE-MASKED"]
    assert [(f.location.segment_tag, f.location.segment_position) for f in notes] == [("SSR", 15), ("IFT", 22)]
    assert "religion" in notes[0].message and "health" in notes[1].message
    assert all(b"MOML" not in f.message.encode() and "PREGNANT" not in f.message for f in report.findings)
    assert report.pushes[0].pnrs[0].masked == 2 and report.pushes[0].pnrs[2].masked == 0


def test_masked_copy_validates_the_same_and_masks_nothing_more():
    first = validate(UPDATE, BASELINE)
    assert first.masked is not None
    again = validate(first.masked, BASELINE)
    assert again.masked is None and again.verdict == first.verdict
    assert [f.code for f in again.findings] == [f.code for f in first.findings if f.code != "PNR-SENSITIVE-MASKED"]
    assert msgspec.json.encode(again.pushes[0].pnrs[1:]) == msgspec.json.encode(first.pushes[0].pnrs[1:])


def test_the_model_carries_no_free_text():
    encoded = msgspec.json.encode(validate(UPDATE, BASELINE).pushes)
    assert b"PREGNANT" not in encoded and b"MOML" not in encoded and b"4242" in encoded
    assert b"XXXXXXXXXXXX4242" not in encoded  # card numbers shrink to their last four digits


def test_profile_changes_what_is_sensitive():
    more = BASELINE.overlay({"sensitive": {"ssr_codes": {"CTCE": "contact", "MOML": ""},
                                            "free_text": {"health": ["MONTHS"]}}}, "test")
    report = validate(UPDATE, more)
    assert report.masked is not None
    assert b"MOML" in report.masked and b"LAYLA.HADDAD" not in report.masked
    assert b"PREGNANT" in report.masked and b"6 XXXXXX'" in report.masked
    off = BASELINE.overlay({"sensitive": {"enabled": False}}, "test")
    assert validate(UPDATE, off).masked is None
    with pytest.raises(ProfileError, match=r"sensitive\.free_text\.health"):
        BASELINE.overlay({"sensitive": {"free_text": {"health": ["(unclosed"]}}}, "test")


def test_paxlst_is_never_touched():
    paxlst = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes()
    assert validate(paxlst, BASELINE).masked is None


# --- ACKRES ------------------------------------------------------------------------------------------
def test_ackres_default_layout_answers_each_push():
    [answer] = ackres(validate(FULL, BASELINE), BASELINE, CONTEXT)
    assert isinstance(answer, Acknowledgement) and answer.kind == "ackres"
    assert answer.payload == (b"UNB+IATA:1+PAXGATEPNR+ZZ+261205:1200+ACK0001'"
                              b"UNG+ACKRES+PAXGATEPNR+ZZ+261205:1200+PNR0000000042+IA+11:1'"
                              b"UNH+1+ACKRES:11:1:IA'MSG+:22'UNT+3+1'UNE+1+PNR0000000042'UNZ+1+ACK0001'")


def test_ackres_reports_findings_with_the_profile_codes():
    broken = FULL.replace(b"EQN+2'", b"EQN+3'")
    profile = BASELINE.overlay({"ackres": {"codes": {"PNR-EQN-TOTAL": "77"},
                                           "error": ["ERC+{error}", "IFT+3+{code} {segment}/{position}"]}}, "test")
    [answer] = ackres(validate(broken, profile), profile, CONTEXT)
    assert isinstance(answer, Acknowledgement)
    assert b"MSG+:22'ERC+77'IFT+3+PNR-EQN-TOTAL EQN/5'UNT+5+1'" in answer.payload


def test_ackres_layout_errors_name_the_key():
    with pytest.raises(ProfileError, match=r"ackres\.error"):
        BASELINE.overlay({"ackres": {"error": ["ERC+{nonsense}"]}}, "test")
    with pytest.raises(ProfileError, match=r"ackres\.shape"):
        BASELINE.overlay({"ackres": {"shape": "round"}}, "test")


def test_no_ackres_for_a_paxlst():
    [answer] = ackres(validate((FIXTURES / "paxlst-d05b-clean.edi").read_bytes(), BASELINE), BASELINE, CONTEXT)
    assert not isinstance(answer, Acknowledgement) and "PNRGOV" in answer.reason


def test_cli_prints_ackres():
    done = subprocess.run([sys.executable, "-m", "gateway.cli", "ack", "--as", "ackres", "--now", "2026-12-05T12:00:00",
                           "--reference", "ACK0001", str(FIXTURES / "pnrgov-iata-push.edi")],
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert b"UNH+1+ACKRES:11:1:IA'MSG+:22'UNT+3+1'" in done.stdout


@pytest.mark.parametrize(("text", "category"), [
    ("PAX TRAVELS WITH SERVICE DOG", "health"), ("PAX CANNOT WALK LONG DISTANCES", "health"),
    ("NO BEEF PLEASE", "religion"), ("HALAL MEAL REQUESTED", "religion"), ("PAX NEEDS WHEELCHAIR TO GATE", "health"),
])
def test_osi_free_text_patterns(text: str, category: str):
    data = UPDATE.replace(b"PAX PREGNANT 6 MONTHS", text.encode())
    report = validate(data, BASELINE)
    notes = [f for f in report.findings if f.code == "PNR-SENSITIVE-MASKED" and f.location.segment_tag == "IFT"]
    assert len(notes) == 1 and category in notes[0].message
    assert report.masked is not None and text.encode() not in report.masked


def test_profile_patterns_match_whatever_their_case():
    lower = BASELINE.overlay({"sensitive": {"free_text": {"health": [r"pregnan\w*"]}}}, "test")
    report = validate(UPDATE.replace(b"PAX PREGNANT", b"pax Pregnant"), lower)
    assert report.masked is not None and b"pax XXXXXXXX 6 MONTHS" in report.masked


def test_ordinary_osi_is_left_alone():
    data = UPDATE.replace(b"PAX PREGNANT 6 MONTHS", b"PLS ADV PSGR MOBILE CONTACT")
    report = validate(data, BASELINE)
    assert b"PLS ADV PSGR MOBILE CONTACT" in (report.masked or b"")  # only the MOML SSR was masked


def test_names_and_numbers_in_structured_ssrs_are_never_masked_by_free_text_patterns():
    # a real surname that is also a free-text pattern word: the DOCS must stay readable for screening
    data = UPDATE.replace(b"/HADDAD/LAYLA+::1'", b"/GAY/LAYLA+::1'")
    report = validate(data, BASELINE)
    assert report.masked is not None and b"/GAY/LAYLA+::1'" in report.masked
    assert [f.location.segment_tag for f in report.findings if f.code == "PNR-SENSITIVE-MASKED"] == ["SSR", "IFT"]
