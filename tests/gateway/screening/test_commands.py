"""``paxgate watchlist check|stats|generate`` as a user runs it (a subprocess of the console script)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EDIFACT = ROOT / "tests" / "fixtures" / "edifact"
WATCHLISTS = ROOT / "tests" / "fixtures" / "watchlists"
# Omar Al-Rashid of paxlst-d05b-clean.edi, listed with another spelling and his date of birth
PLANTED_ROW = "GEN,PLANTED-1,Al Rashid,Omar,Umar al-Rasheed,1979-01-02,Jordan,,,planted for the CLI test\n"


def paxgate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)


def test_generate_then_check_finds_the_listed_traveller(tmp_path: Path) -> None:
    listed = tmp_path / "generated.csv"
    made = paxgate("watchlist", "generate", "--format", "csv", "--entries", "500", "--seed", "4", listed)
    assert made.returncode == 0, made.stderr
    with listed.open("a", encoding="utf-8") as out:
        out.write(PLANTED_ROW)
    result = paxgate("watchlist", "check", "--list", f"national={listed}", "--list", WATCHLISTS / "un-small.xml",
                     EDIFACT / "paxlst-d05b-clean.edi", EDIFACT / "paxlst-v3-crew.edi")
    assert result.returncode == 1, result.stdout + result.stderr  # a hit at or above the threshold
    assert "m1/t23 AL-RASHID OMAR (1979-01-02)" in result.stdout
    assert "national PLANTED-1 score" in result.stdout
    assert "date of birth equal (1979-01-02)" in result.stdout
    assert "3 traveller(s) screened, 1 with hits" in result.stdout


def test_check_json(tmp_path: Path) -> None:
    listed = tmp_path / "list.csv"
    listed.write_text("list_id,entry_id,surname,given_names,aliases,birth_date,nationality,document_number,document_state,reason\n"
                      + PLANTED_ROW)
    result = paxgate("watchlist", "check", "--json", "--list", listed, EDIFACT / "paxlst-d05b-clean.edi")
    assert result.returncode == 1
    [file] = json.loads(result.stdout)
    assert file["travellers"] == 3 and file["verdict"] == "accepted"
    [subject] = file["results"]
    assert subject["subject_ref"] == "m1/t23" and len(subject["identity"]) == 32
    assert subject["hits"][0]["list"] == "list" and subject["hits"][0]["entry_id"] == "PLANTED-1"


def test_no_hit_exits_zero_and_pnrgov_is_screened(tmp_path: Path) -> None:
    result = paxgate("watchlist", "check", "--list", WATCHLISTS / "un-small.xml", "--format", "un",
                     EDIFACT / "paxlst-d05b-clean.edi", EDIFACT / "pnrgov-iata-push.edi")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pnrgov-iata-push.edi" in result.stdout


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    missing = paxgate("watchlist", "check", "--list", tmp_path / "nope.csv", EDIFACT / "paxlst-d05b-clean.edi")
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    no_list = paxgate("watchlist", "check", EDIFACT / "paxlst-d05b-clean.edi")
    assert no_list.returncode == 2
    assert "1 at least one hit" in paxgate("watchlist", "check", "--help").stdout


def test_stats() -> None:
    result = paxgate("watchlist", "stats", "--list", WATCHLISTS / "un-small.xml", "--list", WATCHLISTS / "national.csv")
    assert result.returncode == 0, result.stderr
    assert "un-small: un" in result.stdout and "3 entries" in result.stdout and "national: csv" in result.stdout
    as_json = json.loads(paxgate("watchlist", "stats", "--json", "--list", WATCHLISTS / "ftm-small.jsonl").stdout)
    assert as_json["lists"][0]["entries"] == 3 and as_json["lists"][0]["report"]["format"] == "ftm"
