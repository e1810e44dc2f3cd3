"""The sending account may only push flights of its own carriers: PNRGOV level-0 TVL and XML FlightLeg."""

from __future__ import annotations

from pathlib import Path

from gateway.profiles import load_profile
from validators.admission import Admission
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROFILE = load_profile(None)


def test_edifact_push_of_another_carrier_is_refused_at_the_pushed_flight():
    data = (FIXTURES / "edifact" / "pnrgov-13-update-push.edi").read_bytes()  # pushes ZZ0731; one PNR also flies LH
    assert validate(data, PROFILE, Admission(carriers=("ZZ",))).verdict == "accepted"  # the LH feeder leg is not checked
    report = validate(data, PROFILE, Admission(carriers=("LH",)))
    [refused] = [f for f in report.findings if f.code == "MSG-CARRIER-NOT-ALLOWED"]
    assert report.verdict == "rejected" and refused.syntax_error == 12
    loc = refused.location
    assert (loc.segment_tag, loc.segment_position, loc.element, loc.component) == ("TVL", 4, 4, 1)


def test_xml_push_of_another_carrier_is_refused_with_its_path():
    data = (FIXTURES / "xml" / "pnrgov-xml-full-push.xml").read_bytes()  # FlightLeg CarrierCode="LH"
    assert "MSG-CARRIER-NOT-ALLOWED" not in [f.code for f in validate(data, PROFILE, Admission(carriers=("LH",))).findings]
    report = validate(data, PROFILE, Admission(carriers=("ZZ", "ZY")))
    [refused] = [f for f in report.findings if f.code == "MSG-CARRIER-NOT-ALLOWED"]
    assert report.verdict == "rejected"
    assert refused.location.path == "/IATA_PNRGOV_NotifRQ/FlightLeg/@CarrierCode" and "ZZ, ZY" in (refused.expected or "")
