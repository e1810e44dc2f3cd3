"""Offline runs: the catalogue and an airline's own files through the validators, from Python and
through ``paxgate conformance run --offline`` (exit codes, reports, profiles)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import msgspec

from conformance import catalogue
from conformance.runner import FAILED, ONLINE_ONLY, PASSED, run_offline_files, run_offline_scenarios
from gateway.profiles import load_profile  # the CLI's loader: the kit itself takes a Profile
from validators.profiles import BASELINE

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "edifact"


def paxgate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          check=False)


def test_the_catalogue_passes_offline_and_marks_what_needs_a_gateway() -> None:
    cases = run_offline_scenarios(catalogue.load(), BASELINE)
    statuses = {c.id: c.status for c in cases}
    online = {s.id for s in catalogue.load() if s.online_only}
    assert {i for i, s in statuses.items() if s == ONLINE_ONLY} == online
    assert all(s == PASSED for i, s in statuses.items() if i not in online), {i: s for i, s in statuses.items() if s != PASSED}
    defect = next(c for c in cases if c.id == "defect-country-code").messages[0]
    assert "PAXLST-COUNTRY-CODE" in {f["code"] for f in defect.observed.findings or []}
    assert defect.observed.acks and defect.observed.acks[0][0] == "contrl"


def test_a_stricter_profile_turns_tolerated_dirt_into_a_failure() -> None:
    scenario = [s for s in catalogue.load("defects") if s.id == "defect-trailing-separator"]
    assert run_offline_scenarios(scenario, BASELINE)[0].status == PASSED
    strict = run_offline_scenarios(scenario, load_profile("strict-iso9735"))[0]
    assert strict.status == FAILED and {c.name for _, c in strict.failures} >= {"verdict", "CONTRL action (0083)"}


def test_each_file_is_a_case_that_passes_when_accepted() -> None:
    names = ["paxlst-broken-envelope.edi", "paxlst-d05b-clean.edi", "paxlst-typeb-wrapped.edi", "paxlst-v3-crew.edi",
             "pnrgov-iata-push.edi"]
    cases = run_offline_files([FIXTURES / n for n in names], BASELINE)
    assert {c.id: c.status for c in cases} == {
        "paxlst-broken-envelope.edi": FAILED, "paxlst-d05b-clean.edi": PASSED, "paxlst-typeb-wrapped.edi": PASSED,
        "paxlst-v3-crew.edi": PASSED, "pnrgov-iata-push.edi": PASSED}


def test_the_command_line_offline_with_files_writes_three_reports_and_exits_1_on_a_rejected_file(tmp_path: Path) -> None:
    junit, html, report = tmp_path / "junit.xml", tmp_path / "report.html", tmp_path / "report.json"
    result = paxgate("conformance", "run", "--offline", "--profile", "baseline", "--junit", str(junit), "--html", str(html),
                     "--json", str(report), str(FIXTURES / "paxlst-d05b-clean.edi"), str(FIXTURES / "paxlst-broken-envelope.edi"))
    assert result.returncode == 1, result.stderr
    assert "FAIL" in result.stdout and "EDI-UNT-COUNT" in result.stdout
    suites = ET.parse(junit).getroot()
    assert suites.get("tests") == "2" and suites.get("failures") == "1"
    evidence = msgspec.json.decode(report.read_bytes())
    assert evidence["mode"] == "offline" and evidence["profile"] == "baseline" and evidence["passed"] is False
    assert html.read_text().startswith("<!DOCTYPE html>")
    clean = paxgate("conformance", "run", "--offline", str(FIXTURES / "paxlst-d05b-clean.edi"))
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_the_command_line_offline_catalogue_passes(tmp_path: Path) -> None:
    result = paxgate("conformance", "run", "--offline", "--scenarios", "certification,defects,pnrgov")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "online only" in result.stdout.lower() and "PASSED" in result.stdout.splitlines()[-1]


def test_usage_errors_exit_2() -> None:
    for args in (["conformance", "run", "--offline", "--profile", "no-such-profile"],
                 ["conformance", "run", "--offline", "no-such-file.edi"],
                 ["conformance", "run", "--offline", "--scenarios", "nosuchset"],
                 ["conformance", "run", "--endpoint", "https://127.0.0.1:1"],  # no --carrier
                 ["conformance", "run", "--endpoint", "ftp://x", "--carrier", "ZZ", "--token-file", __file__],
                 ["conformance", "run", "--endpoint", "https://127.0.0.1:1", "--carrier", "ZZ"],  # no credentials
                 ["conformance", "run"],  # neither --offline nor --endpoint
                 ["conformance", "list", "--scenarios", "nosuchset"]):
        result = paxgate(*args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.strip(), args


def test_list_prints_the_catalogue() -> None:
    result = paxgate("conformance", "list", "--scenarios", "pnrgov")
    assert result.returncode == 0 and "pnrgov (3 scenarios)" in result.stdout and "pnrgov-full-push" in result.stdout
    rows = msgspec.json.decode(paxgate("conformance", "list", "--json").stdout)
    assert {r["id"] for r in rows} == {s.id for s in catalogue.load()}
    assert next(r for r in rows if r["id"] == "duplicate-resend")["online_only"] is True
