"""The scenario catalogue as data: it loads, covers what certification needs, and refuses broken
scenario files with the file, the scenario and the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import catalogue
from conformance.builders import DEFECTS
from conformance.catalogue import CatalogueError, load, load_set, parse_set


def test_every_set_loads_and_ids_are_unique() -> None:
    scenarios = load()
    assert {s.set for s in scenarios} == {"certification", "defects", "pnrgov"}
    assert len({s.id for s in scenarios}) == len(scenarios)
    assert load("certification,pnrgov") == [s for s in scenarios if s.set in ("certification", "pnrgov")]


def test_the_catalogue_covers_what_certification_needs() -> None:
    by_id = {s.id: s for s in load()}
    documents = {(m.variant.get("document", "745"), m.variant.get("subcode", ""), m.variant.get("crew", False))
                 for s in by_id.values() for m in s.messages if m.builder}
    wanted = {("745", "", False), ("250", "C", True), ("266", "CLOB", False), ("266", "XF", False), ("745", "CP", False)}
    assert wanted <= documents
    routes = {(m.variant.get("departure"), m.variant.get("arrival")) for s in by_id.values() for m in s.messages}
    assert ("LHR", "JFK") in routes and ("JFK", "LHR") in routes  # departure and arrival lists
    multipart = by_id["multipart-missing-final"]
    assert multipart.online_only and all(m.spec.get("first_last") != "F" for m in multipart.messages)
    assert by_id["duplicate-resend"].messages[1].resend == 1
    assert by_id["duplicate-interchange-reference"].messages[1].reference_of == 1
    assert by_id["duplicate-content"].messages[1].content_of == 1
    assert by_id["iapi-request"].messages[0].expect.ack == "cusres"
    acks = {(m.expect.ack, m.expect.action) for s in by_id.values() for m in s.messages}
    assert {("contrl", "7"), ("contrl", "4"), ("contrl", "8"), ("cusres", None), ("json", None)} <= acks
    pushes = [s for s in by_id.values() if s.set == "pnrgov"]
    assert len(pushes) >= 3 and all(not m.expect.findings for s in pushes for m in s.messages)  # verdict and ack only
    families = {s.family for s in by_id.values() if s.set == "defects"}
    assert len(families) >= 10
    seeded = {d for s in by_id.values() for m in s.messages for d in m.defects}
    assert seeded <= set(DEFECTS)


def test_message_files_are_templates_for_the_carrier_and_reference() -> None:
    for scenario in load():
        for plan in scenario.messages:
            if plan.file:
                text = (catalogue.MESSAGE_DIR / plan.file).read_text(encoding="latin-1")
                assert "{{CARRIER}}" in text and "{{REF}}" in text, plan.file


BASE = {"set": "t", "scenarios": [{"id": "a", "title": "A", "purpose": "p",
                                   "messages": [{"builder": "paxlst", "expect": {"verdict": "accepted"}}]}]}


def broken(**changes) -> dict:
    """The valid BASE set with one scenario changed (None removes a key)."""
    message = {**BASE["scenarios"][0]["messages"][0], **changes.pop("message", {})}
    more = changes.pop("more", [])
    scenario = {**BASE["scenarios"][0], **changes, "messages": [message, *more]}
    scenario["messages"] = [{k: v for k, v in m.items() if v is not None} for m in scenario["messages"]]
    return {"set": "t", "scenarios": [scenario]}


@pytest.mark.parametrize(("data", "words"), [
    (broken(message={"spec": {"passengerz": 3}}), "spec: unknown field(s) passengerz"),
    (broken(message={"defects": ["no-such-defect"]}), "'no-such-defect' is no defect"),
    (broken(message={"expect": {"verdict": "fine"}}), "verdict: 'fine'"),
    (broken(message={"expect": {"findings": ["NOPE-1"]}}), "'NOPE-1' is no finding code"),
    (broken(message={"file": "missing.edi", "builder": None}), "missing.edi is not in"),
    (broken(message={"file": "contrl-from-carrier.edi"}), "exactly one of file, builder"),
    (broken(message={"colour": "red"}), "unknown key(s) colour"),
    (broken(more=[{"resend": 1, "expect": {"replayed": True}}]), "set online_only = true"),
    (broken(more=[{"resend": 2}], online_only=True), "resend: expected the number of an earlier message"),
    (broken(channels=["ftp"]), "channels: 'ftp'"),
    ({"set": "t", "scenarios": []}, "holds no scenarios"),
])
def test_a_broken_scenario_file_names_the_scenario_and_key(data: dict, words: str) -> None:
    with pytest.raises(CatalogueError) as error:
        parse_set(data, "t.toml")
    assert words in str(error.value) and "t.toml" in str(error.value)


def test_an_unknown_set_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"known sets: certification, defects, pnrgov"):
        load_set("nosuchset")
    bad = tmp_path / "bad.toml"
    bad.write_text("set = [")
    with pytest.raises(CatalogueError, match=r"bad\.toml"):
        load_set(str(bad))
