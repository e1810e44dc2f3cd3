"""Certification on evidence (DESIGN.md §6.8): a conformance run's JSON report, checked against
the store, then an operator's recorded decision.

The kit (``conformance/``) writes the report; the gateway does not trust it, it checks it: every
receipt the report names must exist, belong to the account being certified, and have the verdict
the report claims for it; every scenario must have passed; the run must name its id, scenario set
and versions. Only then is the promotion recorded (who, when, which run, which versions) together
with the status change, in one commit, audited.

The report shape read here (extra keys are ignored, so the kit may add more)::

    {"run_id": "…", "scenario_set": "certification", "account": "ZZ" (optional),
     "versions": {"kit": "…", "paxgate": "…", "profile": "…"},
     "scenarios": [{"id": "api-clean", "verdict": "passed",
                    "receipts": [{"id": "r…", "verdict": "accepted"}] or ["r…"]}]}

A scenario's ``verdict`` may also be given as ``status`` or ``passed: true``; a receipt entry may
use ``receipt`` for its id and ``gateway_verdict`` for the verdict.

The kit's own JSON report (``conformance/reports/json.py``) is read as well: ``cases`` for
scenarios (``status``), each case's ``messages`` for receipts (``receipt``, ``verdict``; a message
the gateway refused before storing has none and is not evidence of a receipt), ``carrier`` (must be
one of the account's carriers), ``mode`` (must be ``online``: an offline run never reached a
gateway), versions from ``gateway_version``, ``profile`` and the report ``format``. A scenario
without any receipt is accepted when it passed (e.g. an authentication case); the run as a whole
must name at least one receipt.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from gateway.store.base import Certification, Store

PASSED = ("passed", "pass", "ok", "success")


class EvidenceError(ValueError):
    """The report does not support certification; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _scenario_passed(scenario: dict[str, Any]) -> bool:
    if scenario.get("passed") is True:
        return True
    verdict = scenario.get("verdict", scenario.get("status", scenario.get("result")))
    return isinstance(verdict, str) and verdict.lower() in PASSED


def _receipt_claims(scenario: dict[str, Any]) -> list[tuple[str, str | None]]:
    claims = []
    entries = scenario.get("receipts") or scenario.get("messages") or ([scenario["receipt"]] if scenario.get("receipt") else [])
    for entry in entries:
        if isinstance(entry, str):
            claims.append((entry, None))
        elif isinstance(entry, dict) and isinstance(entry.get("id", entry.get("receipt")), str):
            claims.append((entry.get("id", entry.get("receipt")), entry.get("verdict", entry.get("gateway_verdict"))))
    return claims


# The conformance catalogue's sets that certify a carrier (conformance/scenarios): the API set and the
# PNR set; "defects" shows a carrier what is caught, it proves nothing about what it sends.
CERTIFYING_SETS = ("certification", "pnrgov")


async def check_evidence(store: Store, account: str, report: bytes, operator: str) -> Certification:
    """The Certification the report supports, or EvidenceError naming every problem found."""
    try:
        document = msgspec.json.decode(report)
    except msgspec.DecodeError as error:
        raise EvidenceError([f"the report is not JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise EvidenceError(["the report must be a JSON object"])
    problems = []
    run_id, scenario_set = document.get("run_id"), document.get("scenario_set")
    versions = document.get("versions") or {k: v for k, v in (("gateway", document.get("gateway_version")),
                                                              ("profile", document.get("profile")),
                                                              ("report_format", document.get("format"))) if v}
    if document.get("mode") not in (None, "online"):
        problems.append(f"a {document.get('mode')} run never reached this gateway: certify on an online run")
    if not isinstance(run_id, str) or not run_id:
        problems.append("run_id missing")
    if not isinstance(scenario_set, str) or not scenario_set:
        problems.append("scenario_set missing")
    elif scenario_set not in CERTIFYING_SETS:
        problems.append(f"scenario set {scenario_set!r} does not certify; run one of: {', '.join(CERTIFYING_SETS)}")
    if not isinstance(versions, dict) or not versions:
        problems.append("versions missing (kit, paxgate, profile …)")
    if document.get("account") not in (None, account):
        problems.append(f"the report is for account {document.get('account')}, not {account}")
    record = await store.account(account)
    carrier = document.get("carrier")
    if carrier is not None and record is not None and carrier not in record.carriers:
        problems.append(f"the report is for carrier {carrier}, which account {account} does not send for")
    scenarios = document.get("scenarios") or document.get("cases")
    if not isinstance(scenarios, list) or not scenarios:
        raise EvidenceError([*problems, "no scenarios in the report"])
    receipts: list[str] = []
    for index, scenario in enumerate(scenarios, start=1):
        if not isinstance(scenario, dict):
            problems.append(f"scenario {index} is not an object")
            continue
        name = scenario.get("id", scenario.get("name", f"#{index}"))
        if not _scenario_passed(scenario):
            problems.append(f"scenario {name} did not pass")
        claims = _receipt_claims(scenario)
        for receipt_id, verdict in claims:
            stored = await store.receipt(receipt_id)
            if stored is None:
                problems.append(f"scenario {name}: receipt {receipt_id} does not exist")
            elif stored.account != account:
                problems.append(f"scenario {name}: receipt {receipt_id} belongs to another account")
            elif verdict is not None and stored.verdict != verdict:
                problems.append(f"scenario {name}: receipt {receipt_id} is {stored.verdict}, the report says {verdict}")
            receipts.append(receipt_id)
    if not receipts:
        problems.append("the run names no gateway receipt")
    if problems:
        raise EvidenceError(problems)
    return Certification(account=account, run_id=str(run_id), scenario_set=str(scenario_set),
                         versions={str(k): str(v) for k, v in versions.items()}, scenarios=len(scenarios),
                         receipts=tuple(dict.fromkeys(receipts)), report_sha256=hashlib.sha256(report).hexdigest(),
                         certified_by=operator)
