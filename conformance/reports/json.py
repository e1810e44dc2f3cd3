"""The JSON report: the record an operator files as certification evidence (DESIGN.md §6.8).

It names the run (id, start and end in UTC, carrier, profile, scenario set, endpoint without
credentials, channel, gateway version when exposed) and, per message sent, the SHA-256 of the
bytes (which the gateway's receipt also records, so the two can be matched), the gateway's receipt
id, the acknowledgements that came back and every check. Message bodies are left out: the digest
identifies them, and a carrier's own files may hold personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from conformance.runner import CaseResult, MessageResult, RunResult

FORMAT_VERSION = 1


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def document(run: RunResult) -> dict[str, Any]:
    return {
        "kit": "paxgate conformance",
        "format": FORMAT_VERSION,
        "run_id": run.run_id,
        "mode": run.mode,
        "started": _time(run.started),
        "finished": _time(run.finished),
        "carrier": run.carrier,
        "profile": run.profile,
        "scenario_set": run.scenario_set,
        "endpoint": run.endpoint,
        "channel": run.channel,
        "gateway_version": run.gateway_version,
        "passed": not run.failed,
        "summary": run.counts(),
        "cases": [_case(c) for c in run.cases],
    }


def _case(case: CaseResult) -> dict[str, Any]:
    return {"id": case.id, "title": case.title, "set": case.set, "family": case.family or None, "status": case.status,
            "detail": case.detail or None, "seconds": round(case.seconds, 3), "messages": [_message(m) for m in case.messages]}


def _message(result: MessageResult) -> dict[str, Any]:
    sent, seen = result.sent, result.observed
    return {
        "index": sent.index, "source": sent.source, "name": sent.name, "sha256": sent.sha256, "size": len(sent.payload),
        "interchange_reference": sent.reference, "channel": seen.channel, "transport": seen.status or None,
        "receipt": seen.receipt, "verdict": seen.verdict, "replayed": seen.replayed, "duplicate": seen.duplicate,
        "acknowledgements": [{"kind": kind, "payload": payload.decode("latin-1")} for kind, payload in seen.acks],
        "findings": seen.findings, "history": seen.history, "error": seen.error,
        "checks": [{"check": c.name, "expected": c.expected, "actual": c.actual, "outcome": c.outcome} for c in result.checks],
    }


def render(run: RunResult) -> bytes:
    return msgspec.json.format(msgspec.json.encode(document(run)), indent=2) + b"\n"
