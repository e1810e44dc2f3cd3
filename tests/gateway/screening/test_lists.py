"""Loaders: UN XML, FtM JSON lines and our CSV, on small hand-written fixtures and generated lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.screening.generate import generate, write_list
from gateway.screening.lists import Dob, ListError, detect_format, load_list

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "watchlists"


def by_id(path: Path, fmt: str | None = None) -> tuple[dict, object]:
    entries, report = load_list(path, fmt)
    return {e.id: e for e in entries}, report


def test_un_individuals_with_dirty_data() -> None:
    entries, report = by_id(FIXTURES / "un-small.xml")
    assert report.format == "un" and report.entries == 3
    assert report.skipped_records == 1  # the ENTITY
    karim = entries["QDi.900"]
    assert karim.names == ("KARIM ABDUL TESTOV", "كريم عبد", "KAREEM ABD TESTOV")  # original script kept as a name
    assert karim.weak_names == ("ABU TESTA",)  # QUALITY=Low; the empty alias is dropped
    assert karim.nationalities == ("IRQ", "IRN")  # English names → ISO 3166 alpha-3
    assert karim.dobs == (Dob(1971, 1971, 3, 4), Dob(1969, 1972))
    assert karim.documents == (("A1234567", "IRQ"), ("77120045", "IRN"))  # spaces/dashes gone; COUNTRY_OF_ISSUE read too
    assert karim.source == "Al-Qaida"
    rodrigo = entries["CDi.901"]
    assert rodrigo.dobs == (Dob(1965, 1965, approximate=True),)
    assert rodrigo.nationalities == ("COD",) and rodrigo.documents == ()
    assert report.unreadable_dates == 1 and report.empty_documents >= 2
    assert entries["KPi.902"].names == ("ЮРИЙ ЩУКИН", "Yuriy Shchukin")


def test_un_doctype_is_refused(tmp_path: Path) -> None:
    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?>\n<!-- hi -->\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n'
                    "<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")
    with pytest.raises(ListError, match="DOCTYPE"):
        load_list(evil)


def test_un_external_entity_is_never_read(tmp_path: Path) -> None:
    """Even without the DOCTYPE check, lxml is configured not to resolve entities or use the network."""
    broken = tmp_path / "broken.xml"
    broken.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>")
    with pytest.raises(ListError, match="not well-formed"):
        load_list(broken)


def test_ftm_people_passports_and_weak_aliases() -> None:
    entries, report = by_id(FIXTURES / "ftm-small.jsonl")
    assert report.format == "ftm" and report.entries == 3
    assert report.skipped_records == 2  # the Company and the Sanction
    hans = entries["os-invented-1"]
    assert hans.names == ("Hans-Jürgen Müller", "Hans Juergen Mueller")
    assert hans.weak_names == ("Der Bäcker",)
    assert hans.nationalities == ("DEU", "AUT")  # nationality and citizenship, ISO2 lower case
    assert hans.documents == (("C01X00T47", None),)
    assert hans.dobs == (Dob(1962, 1962, 7, 19),)
    minh = entries["os-invented-2"]
    assert minh.names == ("Nguyễn Thị Minh",)  # firstName + lastName when there is no name
    assert minh.dobs == (Dob(1980, 1980),)
    okafor = entries["os-invented-3"]
    assert okafor.dobs == (Dob(1975, 1975, 11), Dob(1976, 1976))  # year-month and year
    assert okafor.documents == (("A05551234", "NGA"),)  # from the Passport entity that names its holder


def test_csv_national_list() -> None:
    entries, report = by_id(FIXTURES / "national.csv")
    assert report.format == "csv" and report.entries == 4
    omar = entries["N-001"]
    assert omar.names == ("Al-Rashid, Omar", "Omar Rashid") and omar.weak_names == ("Abu Omar",)
    assert omar.documents == (("N08812345", "JOR"),)
    assert entries["N-002"].dobs == (Dob(1960, 1962),) and entries["N-002"].nationalities == ("ESP",)
    pieter = entries["N-003"]  # two rows, one entry
    assert pieter.dobs == (Dob(1955, 1955), Dob(1956, 1956, 4, 1))
    assert pieter.documents == (("NX998877", "NLD"), ("PB1234567", "BEL"))
    assert entries["N-004"].dobs == () and entries["N-004"].nationalities == ()
    assert report.unreadable_dates == 1 and report.unknown_countries == 1


def test_csv_without_its_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("entry_id,name\n1,X\n")
    with pytest.raises(ListError, match="surname"):
        load_list(bad, "csv")


def test_format_detection() -> None:
    assert detect_format(b"\xef\xbb\xbf  <?xml version='1.0'?><CONSOLIDATED_LIST/>") == "un"
    assert detect_format(b'{"id": "x", "schema": "Person"}\n') == "ftm"
    assert detect_format(b"list_id,entry_id,surname\n") == "csv"
    with pytest.raises(ListError, match="--format"):
        detect_format(b"hello world\n")


@pytest.mark.parametrize("fmt", ["un", "ftm", "csv"])
def test_generated_lists_load_back(tmp_path: Path, fmt: str) -> None:
    made = generate(300, seed=5)
    path = tmp_path / f"list.{fmt}"
    write_list(made, fmt, path)
    loaded, report = by_id(path)
    assert report.format == fmt and len(loaded) == 300
    for entry in made:
        back = loaded[entry.id]
        assert set(back.names) == set(entry.names)
        assert back.weak_names == entry.weak_names
        assert back.documents == entry.documents
        assert {d.year_from for d in back.dobs} == {d.year_from for d in entry.dobs if fmt != "ftm" or d.year_from == d.year_to}


def test_generator_is_deterministic_and_varied() -> None:
    a, b = generate(400, seed=9), generate(400, seed=9)
    assert a == b
    cultures = {e.source for e in a}
    assert cultures >= {"arabic", "russian", "chinese", "hispanic", "vietnamese", "nigerian", "south_asian", "germanic"}
    assert any(not n.isascii() for e in a for n in e.names)  # Arabic / Cyrillic original scripts
    assert any(e.weak_names for e in a) and any(not e.dobs for e in a) and any(len(e.dobs) > 1 for e in a)
    assert any(d.year_from != d.year_to for e in a for d in e.dobs) and any(d.approximate for e in a for d in e.dobs)
