"""JUnit XML: one test case per scenario (or per file offline), one suite per scenario set, so an
airline's CI server shows conformance next to its own tests. Online-only and not-applicable
scenarios are *skipped* with the reason, never failed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from conformance.runner import ERROR, FAILED, PASSED, CaseResult, RunResult


def render(run: RunResult) -> bytes:
    cases = run.cases
    root = ET.Element("testsuites", name="paxgate conformance", tests=str(len(cases)),
                      failures=str(sum(c.status == FAILED for c in cases)), errors=str(sum(c.status == ERROR for c in cases)),
                      skipped=str(sum(c.status not in (PASSED, FAILED, ERROR) for c in cases)),
                      time=f"{sum(c.seconds for c in cases):.3f}", timestamp=run.started.isoformat())
    for name, group in groupby(cases, key=lambda c: c.set):
        members = list(group)
        suite = ET.SubElement(root, "testsuite", name=f"{name} ({run.mode})", tests=str(len(members)),
                              failures=str(sum(c.status == FAILED for c in members)),
                              errors=str(sum(c.status == ERROR for c in members)),
                              skipped=str(sum(c.status not in (PASSED, FAILED, ERROR) for c in members)),
                              time=f"{sum(c.seconds for c in members):.3f}")
        properties = ET.SubElement(suite, "properties")
        for key, value in (("run_id", run.run_id), ("carrier", run.carrier), ("profile", run.profile),
                           ("channel", run.channel), ("endpoint", run.endpoint)):
            if value:
                ET.SubElement(properties, "property", name=key, value=value)
        for case in members:
            _case(suite, case)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _case(suite: ET.Element, case: CaseResult) -> None:
    element = ET.SubElement(suite, "testcase", classname=f"paxgate.conformance.{case.set}", name=f"{case.id}: {case.title}",
                            time=f"{case.seconds:.3f}")
    if case.status == FAILED:
        failures = case.failures
        errors = [f"message {m.sent.index}: {m.observed.error}" for m in case.messages if m.observed.error]
        lines = errors + [f"message {i}: {c.name}: expected {c.expected}, got {c.actual}" for i, c in failures]
        failure = ET.SubElement(element, "failure", message=lines[0] if lines else "failed", type="conformance")
        failure.text = "\n".join(lines + ([f"How to fix: {case.fix}"] if case.fix else []))
    elif case.status == ERROR:
        ET.SubElement(element, "error", message=case.detail or "error", type="conformance")
    elif case.status != PASSED:
        ET.SubElement(element, "skipped", message=f"{case.status}: {case.detail}")
    out = [f"message {m.sent.index} ({m.sent.source}): receipt {m.observed.receipt or '-'}, verdict {m.observed.verdict or '-'}"
           for m in case.messages]
    if out:
        ET.SubElement(element, "system-out").text = "\n".join(out)
