"""PNRGOV XML through the gateway's edges: profiles load the XSD, ``paxgate validate --json`` shows it.

(These touch gateway/: the profile loader that reads the schema file, and the CLI's JSON shape.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.profiles import DEFAULT_XML_SCHEMA, load_profile
from validators.profiles import ProfileError

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "xml"


def test_every_loaded_profile_holds_the_default_schema():
    text = DEFAULT_XML_SCHEMA.read_text(encoding="utf-8")
    for name in ("baseline", "strict-iso9735"):
        profile = load_profile(name)
        assert profile.pnrgov_xml_schema == text and profile.pnrgov_xml_schema_name == "pnrgov-xml-13.1.xsd"


def test_a_profile_names_its_own_schema_relative_to_itself(tmp_path):
    official = DEFAULT_XML_SCHEMA.read_text(encoding="utf-8").replace('version="13.1-paxgate.1"', 'version="official-copy"')
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "official.xsd").write_text(official, encoding="utf-8")
    (tmp_path / "state.toml").write_text('name = "state"\n[pnrgov]\nxml_schema = "schemas/official.xsd"\n')
    (tmp_path / "child.toml").write_text(f'extends = "{tmp_path / "state.toml"}"\nname = "child"\n')
    for name in ("state.toml", "child.toml"):  # the child inherits what the profile it extends holds
        profile = load_profile(str(tmp_path / name))
        assert profile.pnrgov_xml_schema == official and profile.pnrgov_xml_schema_name == "official.xsd"


@pytest.mark.parametrize(("toml", "problem"), [
    ('[pnrgov]\nxml_schema = "missing.xsd"\n', "no such XSD file"),
    ('[pnrgov]\nxml_schema = ""\n', "expected the path of an XSD file"),
    ('[pnrgov]\nxml_schema = "bad.xsd"\n', "cannot be used"),
])
def test_a_broken_schema_stops_the_profile_loading(tmp_path, toml, problem):
    (tmp_path / "bad.xsd").write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                                      '<xs:include schemaLocation="x.xsd"/></xs:schema>')
    (tmp_path / "p.toml").write_text(toml)
    with pytest.raises(ProfileError) as error:
        load_profile(str(tmp_path / "p.toml"))
    assert error.value.key == "pnrgov.xml_schema" and problem in error.value.problem
    if "missing" in toml:
        assert str(tmp_path / "missing.xsd") in error.value.problem


def test_validate_json_shows_the_xml_format_and_pnr_count(capsysbinary):
    files = [str(FIXTURES / "pnrgov-xml-full-push.xml"), str(FIXTURES / "pnrgov-xml-schema-faults.xml")]
    status = main(["validate", "--json", *files])
    assert status == 1  # one file is rejected
    full, faults = json.loads(capsysbinary.readouterr().out)
    assert (full["format"], full["verdict"], full["pnrs"], full["findings"]) == ("pnrgov-xml", "accepted", 3, [])
    assert (full["messages"], full["interchanges"]) == (1, 0)  # one document, one push
    assert (faults["format"], faults["verdict"], faults["pnrs"]) == ("pnrgov-xml", "rejected", 2)
    first = faults["findings"][0]
    assert first["code"] == "PNR-XML-SCHEMA" and first["location"]["path"] == "/IATA_PNRGOV_NotifRQ/FlightLeg/DepartureAirport"
    assert (first["location"]["line"], first["location"]["column"]) == (6, 5)
