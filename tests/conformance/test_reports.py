"""The three reports from one run: JUnit XML a CI server reads, a self-contained HTML page, and
the JSON evidence record."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import msgspec
import pytest

from conformance import catalogue
from conformance.reports import html, junit
from conformance.reports import json as json_report
from conformance.runner import RunResult, run_offline_scenarios
from validators.profiles import BASELINE


@pytest.fixture(scope="module")
def run() -> RunResult:
    scenarios = [s for s in catalogue.load() if s.id in ("pax-departure", "defect-envelope-count", "duplicate-resend")]
    cases = run_offline_scenarios(scenarios, BASELINE)
    cases[0].messages[0].checks[0].outcome = "fail"  # one failure, so every report has one to show
    cases[0].status = "failed"
    started = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    return RunResult("run-1", "offline", started, started.replace(minute=1), "ZZ", "baseline", "all", cases=cases)


def test_junit_has_a_case_per_scenario_with_failures_and_skips(run: RunResult) -> None:
    root = ET.fromstring(junit.render(run))
    assert root.tag == "testsuites" and root.get("tests") == "3" and root.get("failures") == "1" and root.get("skipped") == "1"
    cases = {c.get("name").split(":")[0]: c for c in root.iter("testcase")}
    assert cases["pax-departure"].find("failure") is not None
    assert "How to fix" in cases["pax-departure"].find("failure").text
    assert cases["duplicate-resend"].find("skipped").get("message").startswith("online only")
    assert cases["defect-envelope-count"].find("failure") is None and cases["defect-envelope-count"].find("skipped") is None


def test_json_is_the_evidence_record(run: RunResult) -> None:
    document = msgspec.json.decode(json_report.render(run))
    assert {k: document[k] for k in ("run_id", "mode", "carrier", "profile", "scenario_set", "passed")} == {
        "run_id": "run-1", "mode": "offline", "carrier": "ZZ", "profile": "baseline", "scenario_set": "all", "passed": False}
    assert document["started"] == "2026-11-23T07:00:00Z" and document["finished"] == "2026-11-23T07:01:00Z"
    message = next(c for c in document["cases"] if c["id"] == "defect-envelope-count")["messages"][0]
    assert len(message["sha256"]) == 64 and message["acknowledgements"][0]["kind"] == "contrl"
    assert "EDI-UNT-COUNT" in {f["code"] for f in message["findings"]}
    assert "NAD+FL" not in json_report.render(run).decode()  # message bodies stay out (their digest identifies them)


def test_html_is_self_contained_and_escaped(run: RunResult) -> None:
    page = html.render(run).decode()
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    for external in ("http://", "https://", "<script", "<link", "@import", "src="):
        assert external not in page, external
    assert "EDI-UNT-COUNT" in page and "How to fix" in page and "online only" in page
    assert "O'BRIEN" not in page or "O&#x27;BRIEN" in page
