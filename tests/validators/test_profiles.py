"""Profiles and tolerances are data: overlays, validation of the tables, and loading from configs/."""

from __future__ import annotations

import pytest

from gateway.profiles import available_profiles, load_profile
from validators.catalog import RULES
from validators.profiles import BASELINE, ProfileError
from validators.report import Severity


def test_baseline_uses_catalogue_defaults():
    for code, rule in RULES.items():
        assert BASELINE.severity_of(code) is rule.severity


def test_overlay_changes_only_what_it_names():
    profile = BASELINE.overlay({"name": "x", "severity": {"EDI-SEG-WHITESPACE": "reject"}}, "x.toml")
    assert profile.severity_of("EDI-SEG-WHITESPACE") is Severity.ERROR
    assert profile.severity_of("EDI-PRE-JUNK-AFTER") is Severity.WARNING
    assert BASELINE.severity_of("EDI-SEG-WHITESPACE") is Severity.INFO  # the base is untouched


@pytest.mark.parametrize(("mapping", "key"), [
    ({"severity": {"EDI-NOPE": "warn"}}, "severity.EDI-NOPE"),
    ({"severity": {"EDI-SEG-WHITESPACE": "sometimes"}}, "severity.EDI-SEG-WHITESPACE"),
    ({"severity": {"EDI-UNZ-MISSING": "accept"}}, "severity.EDI-UNZ-MISSING"),  # cannot be tolerated
    ({"acknowledgements": {"contrl": "maybe"}}, "acknowledgements.contrl"),
    ({"envelope": {"recipients": "PAXGATE"}}, "envelope.recipients"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_tables_name_the_key(mapping, key):
    with pytest.raises(ProfileError) as error:
        BASELINE.overlay(mapping, "bad.toml")
    assert error.value.key == key and error.value.source == "bad.toml"


def test_shipped_profiles_load():
    assert {"baseline", "strict-iso9735"} <= set(available_profiles())
    for name in available_profiles():
        assert load_profile(name).name == name
    strict = load_profile("strict-iso9735")
    assert strict.severity_of("EDI-PRE-TYPEB") is Severity.ERROR


def test_extends_chain_and_cycle(tmp_path):
    (tmp_path / "a.toml").write_text(f'extends = "{tmp_path / "b.toml"}"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "strict-iso9735"\nname = "b"\n[severity]\n"EDI-PRE-BUNDLE" = "accept"\n')
    profile = load_profile(str(tmp_path / "a.toml"))
    assert profile.name == "a"
    assert profile.severity_of("EDI-PRE-BUNDLE") is Severity.INFO  # b overrides strict
    assert profile.severity_of("EDI-PRE-TYPEB") is Severity.ERROR  # inherited from strict
    (tmp_path / "c.toml").write_text(f'extends = "{tmp_path / "d.toml"}"\n')
    (tmp_path / "d.toml").write_text(f'extends = "{tmp_path / "c.toml"}"\n')
    with pytest.raises(ProfileError, match="circle"):
        load_profile(str(tmp_path / "c.toml"))


def test_unknown_profile_lists_known_ones():
    with pytest.raises(ProfileError, match=r"known profiles: .*baseline"):
        load_profile("atlantis")
