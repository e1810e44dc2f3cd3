"""The typed Manifest read from PAXLST lists, including the century choices for two-digit years."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.builders import PaxlstSpec, paxlst
from validators.paxlst.manifest import _READ_FIELDS, _SINGLE, TRAVELLER_PLACES, Traveller
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
CLEAN = (FIXTURES / "paxlst-d05b-clean.edi").read_bytes()


def manifest_of(data: bytes):
    report = validate(data)
    [manifest] = report.manifests
    return manifest


def test_passenger_list_fields():
    m = manifest_of(CLEAN)
    assert (m.message_reference, m.directory, m.document, m.kind) == ("PAX001", "D:05B", "745", "passenger list")
    assert m.transaction_reference == "ZZ0123261123" and m.reporting_party == "ZZ AIRLINES OPS CONTROL"
    [flight] = m.flights
    assert (flight.flight, flight.carrier, flight.mode) == ("ZZ0123", "ZZ", "20")
    assert [(leg.function, leg.airport, leg.time_local) for leg in flight.legs] == [
        ("125", "LHR", "2026-11-23T10:30"), ("87", "JFK", "2026-11-23T14:20")]
    assert [t.surname for t in m.travellers] == ["O'BRIEN", "AL-RASHID", "MUELLER"]
    first = m.travellers[0]
    assert (first.position, first.role, first.given_names, first.gender, first.birth_date, first.nationality) == (
        11, "passenger", ("SIOBHAN", "MARIE"), "F", "1985-04-12", "IRL")
    assert (first.residence, first.embarkation, first.debarkation) == ("IRL", "LHR", "JFK")
    assert first.references == {"AVF": ("K3QW7Z",), "ABO": ("ZZ0123-001",)}
    assert [(d.type, d.issuing_state, d.expiry) for d in m.travellers[1].documents] == [
        ("P", "JOR", "2029-03-04"), ("V", "USA", "2027-01-01")]
    assert m.totals == {"42": 3}
    assert (m.part.common_access_reference, m.part.sequence, m.part.first_last, m.part.final) == (
        "ZZ0123/261123/1420", 1, "F", True)
    assert validate(CLEAN).travellers == 3


def test_the_fields_read_by_name_are_those_the_segments_fill():
    """The Traveller is built positionally (cheaper than keywords, once per traveller): the fields
    taken from the reader's dictionary, in the struct's order, must be exactly those it fills."""
    filled = {*TRAVELLER_PLACES.values(), *(name for name, _ in _SINGLE.values()), "birth_date"}
    assert set(_READ_FIELDS) == filled and len(_READ_FIELDS) == len(filled)
    names = Traveller.__struct_fields__
    assert names[names.index(_READ_FIELDS[0]):names.index(_READ_FIELDS[-1]) + 1] == _READ_FIELDS


def test_crew_list_fields():
    m = manifest_of((FIXTURES / "paxlst-v3-crew.edi").read_bytes())
    assert (m.kind, m.document_subcode, m.directory) == ("crew list", "C", "D:02B")
    assert [(t.role, t.crew_function) for t in m.travellers] == [("crew", "CR1"), ("crew", "CR2")]
    assert m.totals == {"41": 2}


@pytest.mark.parametrize(("birth", "expiry", "born", "expires"), [
    ("850412", "310911", "1985-04-12", "2031-09-11"),
    ("261123", "410101", "2026-11-23", "2041-01-01"),  # born on the flight day; expiry 15 years on is the limit
    ("261124", "420101", "1926-11-24", "1942-01-01"),  # a day after the flight cannot be a birth; 2042 is too far
    ("19850412", "20310911", "1985-04-12", "2031-09-11"),  # four-digit years are taken as they are
    ("851332", "31091", None, None),  # not dates: left out, the raw segment still tells
])
def test_two_digit_years_take_the_plausible_century(birth, expiry, born, expires):
    text = CLEAN.decode("latin-1").replace("DTM+329:850412", f"DTM+329:{birth}").replace("DTM+36:310911", f"DTM+36:{expiry}")
    traveller = manifest_of(text.encode("latin-1")).travellers[0]
    assert traveller.birth_date == born
    assert traveller.documents[0].expiry == expires


def test_free_text_birth_place_and_multi_part_information():
    text = CLEAN.decode("latin-1").replace("LOC+174+IRL'", "LOC+174+IRL'\r\nLOC+180+:::CORK IRELAND'").replace(
        "UNT+49+", "UNT+50+").replace("+01:F'", "+02:C'")
    m = manifest_of(text.encode("latin-1"))
    assert m.travellers[0].birth_place == "CORK IRELAND"
    assert (m.part.sequence, m.part.first_last, m.part.final) == (2, "C", False)


def test_three_legs_of_a_real_list():
    path = SAMPLES / "paxlst-p2-three-legs.edi"
    if not path.exists():
        pytest.skip(f"public samples not found at {SAMPLES}")
    m = manifest_of(path.read_bytes())
    assert [f.flight for f in m.flights] == ["QQ877", "QQ827", "QQ827"]
    assert [leg.airport for f in m.flights for leg in f.legs] == ["MIA", "IAD", "IAD", "JFK", "JFK", "CDG"]
    assert [t.documents[0].expiry for t in m.travellers] == ["2008-12-30", "2009-09-16"]


def test_generated_lists_read_back_completely():
    data = paxlst(PaxlstSpec(passengers=40, seed=7))
    m = manifest_of(data)
    assert len(m.travellers) == 40 and m.totals == {"42": 40}
    assert all(t.documents and t.birth_date and t.nationality for t in m.travellers)


def test_manifest_command_prints_the_models():
    paxgate = Path(sys.executable).parent / "paxgate"
    result = subprocess.run([str(paxgate), "manifest", str(FIXTURES / "paxlst-d05b-clean.edi")],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    [entry] = json.loads(result.stdout)
    assert entry["verdict"] == "accepted"
    assert [t["surname"] for t in entry["manifests"][0]["travellers"]] == ["O'BRIEN", "AL-RASHID", "MUELLER"]
