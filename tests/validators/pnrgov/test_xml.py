"""PNRGOV XML: every rule, the typed PnrPush read exactly, the schema, namespaces and positions.

The fixtures under tests/fixtures/xml are written by hand (synthetic people); larger documents and
seeded defects come from conformance.pnrgov_xml, whose labels say which finding must come out where.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from conformance.pnrgov_xml import DEFECTS, defect_pnr, pnrgov_xml_push
from validators.pnrgov import xml as pnrxml
from validators.pnrgov.model import Contact, Payment
from validators.profiles import BASELINE, Profile
from validators.report import Finding, Report, Scope, Severity, Verdict
from validators.validate import validate

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "xml"
SCHEMA_PATH = REPO / "configs" / "schemas" / "pnrgov-xml-13.1.xsd"
SCHEMA = SCHEMA_PATH.read_text(encoding="utf-8")
WITH_SCHEMA = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=SCHEMA, pnrgov_xml_schema_name=SCHEMA_PATH.name)
ROOT = "/IATA_PNRGOV_NotifRQ"


def check(data: bytes, profile: Profile = WITH_SCHEMA) -> Report:
    return validate(data, profile)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def only(report: Report, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in report.findings]
    return found[0]


def line_of(data: bytes, needle: bytes, start: int = 0) -> tuple[int, int]:
    offset = data.index(needle, start)
    return data.count(b"\n", 0, offset) + 1, offset


# --- the full push, read exactly -------------------------------------------------------------------
def test_full_push_is_clean_and_read_exactly():
    report = check(fixture("pnrgov-xml-full-push.xml"))
    assert report.format == "pnrgov-xml" and report.verdict is Verdict.ACCEPTED and report.findings == []
    assert report.pnrs == 3 and report.interchanges == [] and report.messages == 1  # one document, one push
    [push] = report.pushes
    assert (push.message, push.format, push.version, push.kind) == (1, "pnrgov-xml", "13.1", "full")
    assert (push.message_reference, push.push_number, push.sender, push.declared_pnrs) == ("LH0474-20250614-01", 1, "LH:LHRES", 3)
    flight = push.flight
    assert (flight.flight, flight.departure_airport, flight.arrival_airport) == ("LH0474", "FRA", "YUL")
    assert (flight.departure_local, flight.arrival_local) == ("2025-06-14T15:50", "2025-06-14T17:20")

    family, codeshare, group = push.pnrs
    assert [p.locator for p in push.pnrs] == ["K7QX2M", "ZT4R8P", "G9GRP4"]
    assert [p.path for p in push.pnrs] == [f"{ROOT}/PNRs/PNR[{i}]" for i in (1, 2, 3)]
    assert (family.carrier, family.created, family.last_modified, family.ticket_issued, family.originator) == (
        "LH", "2025-03-02", "2025-06-10T08:12+00:00", "2025-03-02", "1A:FRALH08AA")
    assert not family.cancelled and family.split_from == ()
    jonas, erika, lina = family.passengers
    assert (jonas.surname, jonas.given_names, jonas.reference, jonas.type, jonas.infant) == (
        "MUSTERMANN", ("JONAS", "PETER"), "1", "A", False)
    assert (jonas.birth_date, jonas.gender, jonas.nationality, jonas.frequent_flyer) == (
        "1984-08-12", "M", "DEU", "LH:992000111222333")
    assert [(d.type, d.number, d.issuing_state, d.nationality, d.expiry) for d in jonas.documents] == [
        ("P", "C01X00T47", "DEU", "DEU", "2031-01-31")]
    assert (jonas.tickets, jonas.seats, jonas.bags, jonas.checked_in) == (("2204567890123",), ("31C",), 2, True)
    assert [(d.type, d.number, d.issuing_state) for d in erika.documents] == [
        ("P", "C01X00T58", "DEU"), ("V", "CA1234567", "CAN")]
    assert (erika.bags, erika.checked_in) == (None, True)
    assert (lina.type, lina.infant, lina.gender, lina.birth_date, lina.seats) == ("IN", True, "FI", "2024-09-20", ())
    assert family.contacts == (Contact("address", "12 BEISPIELWEG, FRANKFURT, 60311, DE"), Contact("phone", "+49 69 5550 1234"),
                               Contact("email", "family.example@example.com"), Contact("emergency", "+49 30 5550 9876"))
    assert family.payments == (Payment("CC", "2736.20", "VI", "1111"),)
    [leg] = family.itinerary
    assert (leg.carrier, leg.number, leg.booking_class, leg.status, leg.party, leg.equipment, leg.operating_carrier) == (
        "LH", "0474", "K", "HK", 3, "359", None)

    assert codeshare.payments == (Payment("CC", "1480.00", "CA", "4444"),)  # a masked number keeps its last four
    marketing, connection = codeshare.itinerary
    assert (marketing.carrier, marketing.number, marketing.operating_carrier, marketing.operating_number) == (
        "AC", "9100", "LH", "0474")
    assert (connection.departure_airport, connection.arrival_airport, connection.departure_local) == (
        "YUL", "YYZ", "2025-06-14T19:05")
    assert codeshare.created == "2025-05-20T10:41+00:00"
    assert codeshare.contacts == (Contact("email", "traveller.two@example.org"),)

    assert [p.type for p in group.passengers] == ["G"] * 4 and group.itinerary[0].party == 4
    assert group.contacts[0] == Contact("address", "CHORVERBAND BEISPIEL E.V., POSTFACH 1 01, MUENCHEN, 80331, DE")
    assert [p.given_names for p in group.passengers][2] == ("MARC ANDRE",)
    assert group.payments == (Payment("MS", "2400.00"),)


def test_card_numbers_are_never_kept():
    report = check(fixture("pnrgov-xml-full-push.xml"))
    encoded = msgspec.json.encode(report.pushes) + msgspec.json.encode(report.findings)
    assert b"4111111111111111" not in encoded and b"411111111111" not in encoded
    big = check(pnrgov_xml_push(40, seed=3))
    encoded = msgspec.json.encode(big.pushes)
    for card in (b"4111111111111111", b"5555555555554444", b"378282246310005"):
        assert card not in encoded
    assert b'"card_last4":"' in encoded


def test_update_push_in_no_namespace_with_a_cancelled_pnr():
    data = fixture("pnrgov-xml-update-push.xml")
    report = check(data)
    assert report.verdict is Verdict.ACCEPTED and codes(report) == ["PNR-XML-NAMESPACE"]
    note = report.findings[0]
    assert note.severity is Severity.INFO and note.location.path == ROOT
    assert (note.location.line, note.location.offset) == line_of(data, b"<IATA_PNRGOV_NotifRQ")
    [push] = report.pushes
    assert (push.kind, push.version, push.push_number, push.declared_pnrs) == ("update", "14.1", 3, 2)
    cancelled, changed = push.pnrs
    assert (cancelled.locator, cancelled.carrier, cancelled.cancelled, cancelled.passengers) == ("ZT4R8P", "AC", True, ())
    assert (changed.locator, changed.split_from, changed.cancelled) == ("M2VN6T", ("K7QX2M",), False)
    assert changed.passengers[0].seats == ("12A",)


def test_namespace_note_can_be_raised_to_a_rejection_by_a_profile():
    strict = WITH_SCHEMA.overlay({"name": "strict-xml", "severity": {"PNR-XML-NAMESPACE": "reject"}}, "x.toml")
    strict = msgspec.structs.replace(strict, pnrgov_xml_schema=SCHEMA, pnrgov_xml_schema_name="pnrgov-xml-13.1.xsd")
    assert check(fixture("pnrgov-xml-update-push.xml"), strict).verdict is Verdict.REJECTED


# --- schema faults ---------------------------------------------------------------------------------
def test_schema_faults_are_explained_with_paths_and_lines():
    data = fixture("pnrgov-xml-schema-faults.xml")
    report = check(data)
    assert report.verdict is Verdict.REJECTED and report.pnrs == 2  # still read as far as it goes
    faults = [f for f in report.findings if f.code == "PNR-XML-SCHEMA"]
    assert all(f.scope is Scope.MESSAGE and f.severity is Severity.ERROR and f.syntax_error is None for f in faults)
    assert [f.location.path for f in faults] == [
        f"{ROOT}/FlightLeg/DepartureAirport", f"{ROOT}/PNRs/PNR[1]/Passenger/DOC_SSR/DOCS",
        f"{ROOT}/PNRs/PNR[2]/Passenger[1]", f"{ROOT}/PNRs/PNR[2]/Passenger[2]"]
    assert (faults[0].location.line, faults[0].location.offset) == line_of(data, b'<DepartureAirport LocationCode="fra"')
    assert (faults[1].location.line, faults[1].location.offset) == line_of(data, b"<DOCS DocType")
    assert faults[0].location.column == 5 and faults[0].location.message == 1
    assert "month" in faults[1].message and "Surname" in faults[2].message and "Meal" in faults[3].message
    for fault in faults:  # never the document's values: findings are logged
        assert "fra'" not in fault.message and "1984-13-12" not in fault.message and "{http" not in fault.message
        assert fault.message.startswith("Not valid against pnrgov-xml-13.1.xsd: ")


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_seeded_defect_gives_its_finding_where_it_was_seeded(name):
    defect = DEFECTS[name]
    report = check(pnrgov_xml_push(4, seed=11, defects=[name]))
    found = [f for f in report.findings if f.code == defect.code]
    assert found, (name, codes(report))
    assert set(codes(report)) == {defect.code}, codes(report)
    pnr = defect_pnr(name, 4)
    if pnr:
        assert found[0].location.path.startswith(f"{ROOT}/PNRs/PNR[{pnr}]"), found[0].location.path
    rejected = defect.code in ("PNR-XML-SCHEMA", "PNR-XML-DOCTYPE")
    assert (report.verdict is Verdict.REJECTED) is rejected


def test_generator_is_deterministic_and_clean():
    assert pnrgov_xml_push(20, seed=5) == pnrgov_xml_push(20, seed=5) != pnrgov_xml_push(20, seed=6)
    report = check(pnrgov_xml_push(60, seed=5))
    assert report.findings == [] and report.pnrs == 60
    pnrs = report.pushes[0].pnrs
    assert any(p.passengers[-1].infant for p in pnrs) and any(s.operating_carrier for p in pnrs for s in p.itinerary)
    assert max(len(p.passengers) for p in pnrs) >= 9  # group bookings
    with pytest.raises(ValueError, match="unknown defects"):
        pnrgov_xml_push(1, defects=["nope"])


def test_xmlschema_only_explains_failures(monkeypatch):
    """The slow explainer never runs on a valid document; when it cannot explain, lxml's own log rejects."""
    schema = pnrxml._compile(SCHEMA)

    def refuse(self):
        raise RuntimeError("xmlschema unavailable")

    monkeypatch.setattr(type(schema), "explainer", refuse)
    assert check(fixture("pnrgov-xml-full-push.xml")).findings == []
    data = fixture("pnrgov-xml-schema-faults.xml")
    report = check(data)
    faults = [f for f in report.findings if f.code == "PNR-XML-SCHEMA"]
    assert report.verdict is Verdict.REJECTED and len(faults) >= 4
    assert faults[0].location.path == f"{ROOT}/FlightLeg/DepartureAirport"  # lxml's /*/*[2]/*[1] resolved to names
    assert faults[0].location.line == line_of(data, b'LocationCode="fra"')[0]
    assert all("fra'" not in f.message and "1984-13-12" not in f.message for f in faults)


# --- without a schema ------------------------------------------------------------------------------
def test_without_a_schema_shape_is_checked_and_a_note_says_so():
    report = check(fixture("pnrgov-xml-full-push.xml"), BASELINE)
    assert codes(report) == ["PNR-XML-NO-SCHEMA"] and report.verdict is Verdict.ACCEPTED and report.pnrs == 3
    assert "baseline" in report.findings[0].message
    broken = fixture("pnrgov-xml-update-push.xml").replace(b'<BookingRefID ID="M2VN6T">', b'<BookingRefID>').replace(
        b'CarrierCode="LH" ', b"")
    report = check(broken, BASELINE)
    shape = [f for f in report.findings if f.code == "PNR-XML-SHAPE"]
    assert [f.location.path for f in shape] == [f"{ROOT}/FlightLeg", f"{ROOT}/PNRs/PNR[2]"]
    assert report.verdict is Verdict.REJECTED and report.pushes[0].pnrs[1].locator == ""
    assert "PNR-XML-NAMESPACE" not in codes(report)  # nothing is moved without a schema


def test_profile_schema_that_reads_other_files_is_unusable():
    including = SCHEMA.replace('<xs:annotation>', '<xs:include schemaLocation="http://127.0.0.1:9/x.xsd"/><xs:annotation>', 1)
    assert "schemaLocation" in pnrxml.schema_problem(including)
    assert pnrxml.schema_problem(SCHEMA) is None
    assert "well-formed" in pnrxml.schema_problem("<xs:schema")
    assert "IATA_PNRGOV_NotifRQ" in pnrxml.schema_problem('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>')
    profile = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=including, pnrgov_xml_schema_name="official.xsd")
    report = check(fixture("pnrgov-xml-full-push.xml"), profile)
    finding = only(report, "PNR-XML-SCHEMA-UNUSABLE")
    assert report.verdict is Verdict.REJECTED and "official.xsd" in finding.message and report.pushes == []


def test_a_schema_in_no_namespace_reads_iata_documents():
    declaration = 'xmlns="http://www.iata.org/IATA/2007/00"\n           targetNamespace="http://www.iata.org/IATA/2007/00"\n'
    plain = SCHEMA.replace(declaration, "")
    assert "targetNamespace" not in plain.split("<xs:annotation>")[0]
    profile = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=plain, pnrgov_xml_schema_name="plain.xsd")
    report = check(fixture("pnrgov-xml-full-push.xml"), profile)
    assert codes(report) == ["PNR-XML-NAMESPACE"] and report.pnrs == 3
    assert "no namespace" in report.findings[0].message
    assert check(fixture("pnrgov-xml-update-push.xml"), profile).findings == []


# --- root, business rules --------------------------------------------------------------------------
@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><IATA_PNRGOV_NotifRS xmlns="http://www.iata.org/IATA/2007/00"/>',
    b'<IATA_PNRGOV_NotifRQ xmlns="urn:someone-else"/>',
    b"<html><body>not a push</body></html>",
])
def test_other_documents_are_no_push(data):
    for profile in (WITH_SCHEMA, BASELINE):
        report = check(data, profile)
        assert report.format == "pnrgov-xml" and report.pushes == [] and report.verdict is Verdict.REJECTED
        assert "PNR-XML-ROOT" in codes(report)


def _business(report: Report) -> list[tuple[str, str | None]]:
    return [(f.code, f.location.path) for f in report.findings if f.scope is Scope.BUSINESS]


def test_business_rules_flag_but_never_reject():
    data = fixture("pnrgov-xml-update-push.xml").replace(b'PushType="Update"', b'PushType="Full"')
    data = data.replace(b'NumberOfPnrs="2"', b'NumberOfPnrs="5"')
    data = data.replace(b'<Flight FlightNumber="0474"', b'<Flight FlightNumber="0475"')
    data = data.replace(b'ExpiryDate="2029-11-30"', b'ExpiryDate="2025-06-04"')
    report = check(data)
    assert _business(report) == [
        ("PNR-XML-PNR-COUNT", f"{ROOT}/PNRs"), ("PNR-XML-CANCELLED-IN-FULL", f"{ROOT}/PNRs/PNR[1]"),
        ("PNR-XML-FLIGHT-MISSING", f"{ROOT}/PNRs/PNR[2]"), ("PNR-XML-DOC-EXPIRED", f"{ROOT}/PNRs/PNR[2]/Passenger")]
    assert report.verdict is Verdict.ACCEPTED_WITH_WARNINGS
    assert "10 day(s)" in only(report, "PNR-XML-DOC-EXPIRED").message
    assert "LH0474" in only(report, "PNR-XML-FLIGHT-MISSING").message


def test_duplicate_and_empty_pnrs():
    data = fixture("pnrgov-xml-update-push.xml").replace(b'<PNR CancelledInd="true">', b"<PNR>").replace(b"M2VN6T", b"ZT4R8P")
    report = check(data)
    assert _business(report) == [("PNR-XML-NO-PASSENGER", f"{ROOT}/PNRs/PNR[1]"),
                                 ("PNR-XML-FLIGHT-MISSING", f"{ROOT}/PNRs/PNR[1]"),
                                 ("PNR-XML-DUPLICATE-PNR", f"{ROOT}/PNRs/PNR[2]")]
    assert only(report, "PNR-XML-DUPLICATE-PNR").message == "PNR 2 repeats the record locator of PNR 1."
    assert "ZT4R8P" not in " ".join(f.message for f in report.findings)


def test_codeshare_and_leading_zeros_hold_the_pushed_flight():
    report = check(fixture("pnrgov-xml-full-push.xml"))  # PNR 2 holds AC9100 operated as LH0474, PNR 3 writes 474
    assert "PNR-XML-FLIGHT-MISSING" not in codes(report)


# --- routing and small parts -----------------------------------------------------------------------
@pytest.mark.parametrize(("data", "xml"), [
    (b"<a/>", True), (b"\xef\xbb\xbf  \r\n<a/>", True), (b"\n\t <a/>", True), ("<a/>".encode("utf-16"), True),
    (b"UNA:+.? 'UNB+UNOA:4+X+Y+250101:1200+1'", False), (b"", False), (b"   ", False), (b"\xef\xbb\xbfUNB+", False),
])
def test_xml_is_recognised_by_its_first_character(data, xml):
    assert pnrxml.is_xml(data) is xml
    assert (validate(data).format == "pnrgov-xml") is xml


def test_utf16_and_bom_documents_are_read():
    text = fixture("pnrgov-xml-full-push.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    report = check(text.encode("utf-16"))
    assert report.findings == [] and report.pnrs == 3
    report = check(b"\xef\xbb\xbf" + fixture("pnrgov-xml-full-push.xml"))
    assert report.findings == [] and report.pnrs == 3


@pytest.mark.parametrize(("value", "iso"), [
    ("2025-06-14", "2025-06-14"), ("2025-06-14T15:50:00", "2025-06-14T15:50"), ("2025-06-14T15:50:07", "2025-06-14T15:50:07"),
    ("2025-06-14T15:50:00Z", "2025-06-14T15:50+00:00"), ("2025-02-30", None), ("14JUN25", None), ("", None), (None, None),
])
def test_dates_become_iso_8601(value, iso):
    assert pnrxml._iso(value) == iso


def test_findings_json_carries_the_path():
    report = check(fixture("pnrgov-xml-schema-faults.xml"))
    encoded = msgspec.json.decode(msgspec.json.encode(report.findings))
    assert encoded[0]["location"]["path"] == f"{ROOT}/FlightLeg/DepartureAirport"
    assert encoded[0]["location"]["segment_position"] is None
