"""Country codes: the frozen ISO table against pycountry (a real peer), the Doc 9303 extras and their roles."""

from __future__ import annotations

import ast
from pathlib import Path

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

import validators.icao.countries as countries_module
from validators.icao.countries import (
    COMMON_MISTAKES,
    ICAO_CODES,
    ISO_3166_1,
    ISO_3166_3_FORMER,
    ISO_SOURCE,
    SUCCESSORS,
    did_you_mean,
    is_historic,
    is_iso,
    is_issuer,
    is_nationality,
    iso_equivalent,
    name_of,
    normalise,
)

# STANDARDS.md §6.3, typed in from the table there.
STANDARDS_6_3 = {"D", "GBD", "GBN", "GBO", "GBP", "GBS", "EUE", "UNO", "UNA", "UNK", "RKS", "XXK", "XBA", "XIM", "XCC",
                 "XCE", "XCO", "XEC", "XPO", "XES", "XOM", "XDC", "XXA", "XXB", "XXC", "XXX", "ANT", "NTZ"}


def test_iso_table_is_exactly_pycountry() -> None:
    peer = {c.alpha_3: (c.alpha_2, c.name, getattr(c, "common_name", None)) for c in pycountry.countries}
    missing = sorted(set(peer) - set(ISO_3166_1))
    extra = sorted(set(ISO_3166_1) - set(peer))
    changed = sorted(code for code in set(peer) & set(ISO_3166_1) if peer[code] != ISO_3166_1[code])
    assert (missing, extra, changed) == ([], [], []), "regenerate the ISO tables (see countries.py docstring)"
    assert len(ISO_3166_1) == 249


def test_former_table_is_exactly_pycountry() -> None:
    current = {c.alpha_3 for c in pycountry.countries}
    peer = {c.alpha_3: c.name for c in pycountry.historic_countries if c.alpha_3 not in current}
    assert peer == ISO_3166_3_FORMER


def test_source_is_named() -> None:
    assert ISO_SOURCE.startswith("pycountry ")
    assert ISO_SOURCE.removeprefix("pycountry ") in (countries_module.__doc__ or "")


def test_no_runtime_pycountry_or_io() -> None:
    """Sans-I/O: the module imports nothing but the standard library's pure parts."""
    tree = ast.parse(Path(countries_module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "difflib", "dataclasses", "typing"}


def test_all_standards_codes_present_and_apart_from_iso() -> None:
    assert set(ICAO_CODES) == STANDARDS_6_3
    assert not set(ICAO_CODES) & set(ISO_3166_1)


@pytest.mark.parametrize("code", ["GBD", "GBN", "GBO", "GBP", "GBS", "XXA", "XXB", "XXC", "XXX"])
def test_person_statuses_are_nationalities_not_issuers(code: str) -> None:
    assert is_nationality(code)
    assert not is_issuer(code)


@pytest.mark.parametrize("code", ["EUE", "XBA", "XIM", "XCE", "XCO", "XEC", "XPO", "XES", "XDC"])
def test_organisations_issue_but_are_nobodys_nationality(code: str) -> None:
    assert is_issuer(code)
    assert not is_nationality(code)


@pytest.mark.parametrize("code", ["UNO", "UNA", "UNK", "XCC", "XOM", "D", "RKS", "XXK"])
def test_both_roles(code: str) -> None:
    """UNO/UNA "or one of its officials", XCC/XOM "or one of its emissaries", UNK, D, Kosovo codes."""
    assert is_issuer(code)
    assert is_nationality(code)


@pytest.mark.parametrize("code", ["ANT", "NTZ", "SUN", "YUG", "CSK", "DDR", "ZAR"])
def test_historic_codes_are_named_but_refused(code: str) -> None:
    assert is_historic(code)
    assert not is_nationality(code)
    assert not is_issuer(code)
    assert name_of(code)


def test_every_iso_code_plays_both_roles() -> None:
    for code in ISO_3166_1:
        assert is_iso(code) and is_issuer(code) and is_nationality(code) and not is_historic(code), code


def test_names_and_equivalents() -> None:
    assert name_of("DEU") == "Germany"
    assert name_of("d<<") == ICAO_CODES["D"].meaning
    assert "Germany" in (name_of("D") or "")
    assert name_of("GBN") == "British National (Overseas)"
    assert name_of("XPO") == "International Criminal Police Organization (INTERPOL)"
    assert name_of("ZZZ") is None
    assert iso_equivalent("D<<") == "DEU"
    assert iso_equivalent("fra") == "FRA"
    assert iso_equivalent("GBN") is None
    assert iso_equivalent("ZZZ") is None


def test_normalise() -> None:
    assert normalise("d<<") == "D"
    assert normalise(" deu ") == "DEU"
    assert is_nationality("D<<") and is_issuer(" gbr")
    assert not is_nationality("") and not is_issuer("<<<")


@pytest.mark.parametrize(("given_code", "expected"), [
    ("GER", ["DEU"]), ("UK", ["GBR"]), ("USA", ["USA"]), ("SUI", ["CHE"]), ("NED", ["NLD"]), ("ROM", ["ROU"]),
    ("RSA", ["ZAF"]), ("uae", ["ARE"]), ("FR", ["FRA"]), ("de", ["DEU"]), ("YUG", ["SRB", "MNE"]),
    ("CSK", ["CZE", "SVK"]), ("GERMANY", ["DEU"]), ("Germany", ["DEU"]), ("SOUTH KOREA", ["KOR"]),
    ("ENGLAND", ["GBR"]), ("D<<", ["D"]), ("GBN", ["GBN"]), ("", []), ("QQQ", []),
])
def test_did_you_mean(given_code: str, expected: list[str]) -> None:
    assert did_you_mean(given_code) == expected


def test_did_you_mean_by_edit_distance() -> None:
    assert did_you_mean("DUE")[0] == "DEU"  # transposition
    assert "FRA" in did_you_mean("FRQ")  # substitution
    assert did_you_mean("GERMNY") == ["DEU"]  # a misspelt name
    assert did_you_mean("IRAN") == ["IRN"]  # a name prefix wins over a similar name (IRAQ)


def test_did_you_mean_respects_the_role() -> None:
    assert did_you_mean("EUE", "issuer") == ["EUE"]
    assert "EUE" not in did_you_mean("EUE", "nationality")
    assert did_you_mean("XPO", "nationality") == []
    assert all(is_issuer(c) for c in did_you_mean("GBX", "issuer"))
    assert all(is_nationality(c) for c in did_you_mean("GBX", "nationality"))
    assert {"GBD", "GBN"} <= set(did_you_mean("GBX", "nationality"))
    assert not {"GBD", "GBN"} & set(did_you_mean("GBX", "issuer"))


def test_tables_point_at_valid_codes() -> None:
    for wrong, targets in COMMON_MISTAKES.items():
        assert targets and all(is_iso(t) for t in targets), wrong
        assert not (is_nationality(wrong) or is_issuer(wrong)), wrong  # a "mistake" must never shadow a real code
    for old, targets in SUCCESSORS.items():
        assert is_historic(old) and all(is_iso(t) for t in targets), old


@given(st.sampled_from(sorted(ISO_3166_1)))
def test_valid_codes_suggest_themselves(code: str) -> None:
    assert did_you_mean(code) == [code]
    assert did_you_mean(code.lower() + "<") == [code]


@given(st.text(max_size=12))
def test_suggestions_are_always_valid_and_few(text: str) -> None:
    for role in (None, "nationality", "issuer"):
        found = did_you_mean(text, role)  # type: ignore[arg-type]
        assert len(found) <= 5
        assert all(is_nationality(c) or is_issuer(c) for c in found)
        if role == "nationality":
            assert all(is_nationality(c) for c in found)
        if role == "issuer":
            assert all(is_issuer(c) for c in found)
