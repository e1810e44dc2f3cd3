"""Running scenarios: messages rendered for a run, expectations checked, results kept as data.

The same checks serve both modes. **Offline**, a message's outcome is what the validators say
(verdict, findings) and the acknowledgements the validators write for the chosen profile; nothing
is sent anywhere. **Online** (``conformance.online``), the outcome is what a live gateway answered
over HTTPS, SFTP or AMQP. A check that a channel cannot show (receipt history over SFTP, say) is
recorded as *not observable*, never as passed or failed, so a report does not claim more than the
carrier's channel could see.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.builders import PaxlstSpec, Variant, paxlst_variant
from conformance.catalogue import MESSAGE_DIR, Expect, MessagePlan, Scenario
from validators.acks import Acknowledgement, answers
from validators.catalog import RULES
from validators.edifact.contrl import ContrlContext
from validators.profiles import BASELINE, Profile
from validators.report import Report, Severity
from validators.validate import validate

PASSED, FAILED, ONLINE_ONLY, ERROR = "passed", "failed", "online only", "error"
PASS, FAIL, UNSEEN = "pass", "fail", "not observable"
_OFFLINE_NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # offline acknowledgements are reproducible


# --- what was sent, what came back, what was checked -----------------------------------------------------


@dataclass(slots=True)
class Sent:
    index: int  # 1-based within the scenario
    source: str  # how the message came about, in words
    name: str  # the file name it travels under (SFTP upload name; report label)
    payload: bytes
    reference: str | None  # the UNB interchange control reference the run gave it

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


@dataclass(slots=True)
class Observed:
    """What came back for one message. None: the channel did not show it."""

    channel: str  # offline | https | sftp | amqp
    receipt: str | None = None
    verdict: str | None = None
    replayed: bool | None = None
    duplicate: str | None = None  # none | content | interchange, when shown
    acks: list[tuple[str, bytes]] = field(default_factory=list)  # (kind, payload), in the order received
    receipt_document: bytes | None = None  # the receipt as JSON, when one came back (no EDIFACT ack, or asked for)
    findings: list[dict[str, Any]] | None = None  # code, severity, message, expected, location
    history: list[str] | None = None
    status: str = ""  # the transport's answer in words (HTTP 200, outbox file, reply queue)
    error: str | None = None  # the message could not be sent or no answer came


@dataclass(slots=True)
class Check:
    name: str
    expected: str
    actual: str
    outcome: str  # pass | fail | not observable


@dataclass(slots=True)
class MessageResult:
    sent: Sent
    observed: Observed
    checks: list[Check]


@dataclass(slots=True)
class CaseResult:
    id: str
    title: str
    set: str
    status: str  # passed | failed | online only | error
    purpose: str = ""
    fix: str = ""
    family: str = ""
    messages: list[MessageResult] = field(default_factory=list)
    seconds: float = 0.0
    detail: str = ""

    @property
    def failures(self) -> list[tuple[int, Check]]:
        return [(m.sent.index, c) for m in self.messages for c in m.checks if c.outcome == FAIL]


@dataclass(slots=True)
class RunResult:
    run_id: str
    mode: str  # offline | online
    started: datetime
    finished: datetime
    carrier: str | None
    profile: str | None
    scenario_set: str | None
    endpoint: str | None = None  # without credentials
    channel: str | None = None
    gateway_version: str | None = None
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.status in (FAILED, ERROR) for c in self.cases)

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, ERROR: 0, ONLINE_ONLY: 0}
        for case in self.cases:
            counts[case.status] = counts.get(case.status, 0) + 1
        return counts


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


# --- rendering a scenario's messages for one run ---------------------------------------------------------


class Renderer:
    """Turns message plans into bytes for one run: the carrier's own code everywhere, a fresh
    interchange reference for every message (``prefix`` + counter, at most 14 characters), and
    builder seeds moved by ``seed_offset`` so a second online run sends new content rather than
    duplicates of the first run's lists."""

    def __init__(self, carrier: str, prefix: str, seed_offset: int = 0) -> None:
        if not (len(carrier) in (2, 3) and carrier.isascii() and carrier.isalnum() and carrier == carrier.upper()):
            raise ValueError(f"carrier {carrier!r}: expected a two- or three-character airline designator (upper case)")
        self.carrier, self.prefix, self.seed_offset = carrier, prefix, seed_offset
        self._counter = 0

    @staticmethod
    def online_prefix() -> str:
        return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(7))

    def next_reference(self) -> str:
        self._counter += 1
        return f"{self.prefix}{self._counter:05d}"[-14:]

    def render(self, scenario: Scenario) -> list[Sent]:
        sent: list[Sent] = []
        for index, plan in enumerate(scenario.messages, 1):
            name = f"{scenario.id}-{index}.edi"
            if plan.resend is not None:
                earlier = sent[plan.resend - 1]
                sent.append(Sent(index, plan.source, name, earlier.payload, earlier.reference))
                continue
            origin = scenario.messages[plan.content_of - 1] if plan.content_of is not None else plan
            reference = sent[plan.reference_of - 1].reference if plan.reference_of is not None else self.next_reference()
            sent.append(Sent(index, plan.source, name, self._bytes(origin, reference or ""), reference))
        return sent

    def _bytes(self, plan: MessagePlan, reference: str) -> bytes:
        if plan.file is not None:
            text = (MESSAGE_DIR / plan.file).read_bytes()
            return text.replace(b"{{CARRIER}}", self.carrier.encode()).replace(b"{{REF}}", reference.encode())
        values = dict(plan.spec)
        values["seed"] = int(values.get("seed", 1)) + self.seed_offset
        values["flight"] = self.carrier + str(values.get("flight", "0101"))
        spec = PaxlstSpec(**{**values, "carrier": self.carrier, "reference": reference})
        return paxlst_variant(spec, Variant(**plan.variant), plan.defects, seed=spec.seed)


# --- checking expectations ----------------------------------------------------------------------------------


def contrl_summary(payload: bytes) -> tuple[str | None, set[str]]:
    """A CONTRL's decisive action and every syntax error code (0085) it reports, read with the
    validators' own reader (a CONTRL is an interchange like any other). The action is 4 when the
    interchange, a group or any message was rejected (UCI/UCF/UCM 0083), otherwise UCI's (7 or 8):
    a carrier's message is refused by a UCM 4 under a UCI 7 just as much as by a UCI 4."""
    action: str | None = None
    rejected = False
    errors: set[str] = set()
    for interchange in validate(payload).interchanges:
        for segment in interchange.segments:
            if segment.tag == "UCI":
                action = action or segment.value(4) or None
            if segment.tag in ("UCI", "UCF"):  # UCI/UCF: reference, sender, recipient, action, 0085
                rejected = rejected or segment.value(4) == "4"
                if segment.value(5):
                    errors.add(segment.value(5))
            elif segment.tag == "UCM":  # UCM: reference, message identifier, action, 0085
                rejected = rejected or segment.value(3) == "4"
                if segment.value(4):
                    errors.add(segment.value(4))
            elif segment.tag == "UCS" and segment.value(2):
                errors.add(segment.value(2))
            elif segment.tag == "UCD" and segment.value(1):
                errors.add(segment.value(1))
    return ("4" if rejected else action), errors


def ack_kind(payload: bytes) -> str:
    """contrl, cusres or ackres, from the acknowledgement's UNH message type."""
    for interchange in validate(payload).interchanges:
        for message in interchange.messages:
            if message.header.value(2) in ("CUSRES", "ACKRES"):
                return message.header.value(2).lower()
    return "contrl"


def check(expect: Expect, observed: Observed, earlier: Sequence[Observed]) -> list[Check]:
    """Every expectation of one message against what came back."""
    if observed.error is not None:
        return [Check("answer", "an acknowledgement", observed.error, FAIL)]
    checks: list[Check] = []
    contrls = [p for kind, p in observed.acks if kind == "contrl"]
    action, errors = contrl_summary(contrls[0]) if contrls else (None, set())
    if expect.verdict:
        wanted = " or ".join(expect.verdict)
        if observed.verdict is not None:
            checks.append(Check("verdict", wanted, observed.verdict, PASS if observed.verdict in expect.verdict else FAIL))
        elif action is not None:  # SFTP: the CONTRL says rejected or not; warnings do not show
            rejected = action == "4"
            ok = ("rejected" in expect.verdict) == rejected
            shown = "rejected" if rejected else "not rejected (from CONTRL; warnings not visible here)"
            checks.append(Check("verdict", wanted, shown, PASS if ok else FAIL))
        else:
            checks.append(Check("verdict", wanted, "not shown on this channel", UNSEEN))
    kinds = [kind for kind, _ in observed.acks]
    if expect.ack is not None:
        got = ", ".join(kinds) if kinds else ("receipt JSON" if observed.receipt_document is not None else "nothing")
        ok = (not kinds) if expect.ack == "json" else expect.ack in kinds
        checks.append(Check("acknowledgement", expect.ack, got, PASS if ok else FAIL))
    if expect.action is not None:
        checks.append(Check("CONTRL action (0083)", expect.action, action or "no CONTRL",
                            PASS if action == expect.action else FAIL))
    checks += _finding_checks(expect.findings, observed, errors, bool(contrls))
    if expect.replayed is not None:
        if observed.replayed is None:
            checks.append(Check("replayed", str(expect.replayed).lower(), "not shown on this channel", UNSEEN))
        else:
            checks.append(Check("replayed", str(expect.replayed).lower(), str(observed.replayed).lower(),
                                PASS if observed.replayed == expect.replayed else FAIL))
    if expect.duplicate is not None:
        if observed.duplicate is None:
            checks.append(Check("duplicate", expect.duplicate, "not shown on this channel", UNSEEN))
        else:
            checks.append(Check("duplicate", expect.duplicate, observed.duplicate,
                                PASS if observed.duplicate == expect.duplicate else FAIL))
    for stage in expect.history:
        if observed.history is None:
            checks.append(Check("receipt history", stage, "not shown on this channel", UNSEEN))
        else:
            checks.append(Check("receipt history", stage, ", ".join(observed.history) or "empty",
                                PASS if stage in observed.history else FAIL))
    if expect.same_receipt_as is not None:
        first = earlier[expect.same_receipt_as - 1].receipt
        if first is None or observed.receipt is None:
            checks.append(Check("same receipt", f"as message {expect.same_receipt_as}", "receipt ids not shown", UNSEEN))
        else:
            checks.append(Check("same receipt", f"{first} (message {expect.same_receipt_as})", observed.receipt,
                                PASS if first == observed.receipt else FAIL))
    return checks


def _finding_checks(codes: Sequence[str], observed: Observed, errors: set[str], have_contrl: bool) -> list[Check]:
    """Finding codes where the channel shows findings; otherwise through the CONTRL. A CONTRL names
    syntax error codes (0085), not finding codes, and at most one error per segment, so there the
    check is that the rejection cites at least one of the 0085 codes the expected findings carry."""
    if not codes:
        return []
    if observed.findings is not None:
        found = sorted({f["code"] for f in observed.findings})
        return [Check("finding", code, ", ".join(found) or "none", PASS if code in found else FAIL) for code in codes]
    wanted = {code: str(RULES[code].syntax_error) for code in codes
              if RULES[code].syntax_error is not None and RULES[code].severity is Severity.ERROR}
    checks = [Check("finding", code, "findings not shown on this channel (only CONTRL errors are)", UNSEEN)
              for code in codes if code not in wanted]
    if wanted and have_contrl:
        expected = "0085 " + " or ".join(sorted(set(wanted.values()))) + f" ({', '.join(wanted)})"
        actual = "0085 " + (", ".join(sorted(errors)) or "none")
        checks.append(Check("findings (as CONTRL 0085)", expected, actual, PASS if errors & set(wanted.values()) else FAIL))
    elif wanted:
        checks += [Check("finding", code, "no CONTRL came back", FAIL) for code in wanted]
    return checks


def conclude(case: CaseResult) -> CaseResult:
    if case.status not in (ONLINE_ONLY, ERROR):
        case.status = FAILED if case.failures or any(m.observed.error for m in case.messages) else PASSED
    return case


# --- offline ----------------------------------------------------------------------------------------------------


def offline_observation(payload: bytes, profile: Profile) -> tuple[Observed, Report]:
    """What the validators make of one message under ``profile``: verdict, findings, and the
    acknowledgements the gateway would send (a CONTRL per interchange as the profile asks, a
    CUSRES for an interactive request), written with a fixed clock so reports are reproducible."""
    report = validate(payload, profile)
    context = ContrlContext(_OFFLINE_NOW, "CONFORMANCE")
    acks = [(a.kind, a.payload) for a in answers(report, profile, context) if isinstance(a, Acknowledgement)]
    findings = [finding_dict(f) for f in report.findings]
    observed = Observed("offline", verdict=report.verdict.value, acks=acks, findings=findings,
                        receipt_document=None if acks else b"{}", status="validated locally")
    return observed, report


def finding_dict(finding: Any) -> dict[str, Any]:  # noqa: ANN401 - validators.report.Finding
    loc = finding.location
    return {"code": finding.code, "severity": finding.severity.value, "message": finding.message,
            "expected": finding.expected, "syntax_error": finding.syntax_error,
            "location": {"message": loc.message, "segment_tag": loc.segment_tag, "segment_position": loc.segment_position,
                         "element": loc.element, "component": loc.component, "line": loc.line, "column": loc.column}}


def run_offline_scenarios(scenarios: Sequence[Scenario], profile: Profile = BASELINE, carrier: str = "ZZ",
                          clock: Callable[[], float] | None = None) -> list[CaseResult]:
    """The catalogue through the validators: scenarios that need the gateway's memory are listed as
    online only (not failed)."""
    import time  # noqa: PLC0415 - only for durations in reports

    now = clock or time.perf_counter
    renderer = Renderer(carrier, "CONF")
    results = []
    for scenario in scenarios:
        case = new_case(scenario)
        if scenario.online_only:
            case.status = ONLINE_ONLY
            case.detail = "needs a live gateway (assembly, duplicates, resends): run online"
            results.append(case)
            continue
        started = now()
        sent = render_for(renderer, scenario, case)
        if sent is None:
            results.append(case)
            continue
        seen: list[Observed] = []
        for plan, message in zip(scenario.messages, sent, strict=True):
            observed, _ = offline_observation(message.payload, profile)
            case.messages.append(MessageResult(message, observed, check(plan.expect, observed, seen)))
            seen.append(observed)
        case.seconds = now() - started
        results.append(conclude(case))
    return results


def new_case(scenario: Scenario) -> CaseResult:
    """The empty result of one scenario, offline or online."""
    return CaseResult(scenario.id, scenario.title, scenario.set, "", scenario.purpose, scenario.fix, scenario.family)


def render_for(renderer: Renderer, scenario: Scenario, case: CaseResult) -> list[Sent] | None:
    """The scenario's messages, or None with ``case`` marked as an error when they cannot be built."""
    try:
        return renderer.render(scenario)
    except (ValueError, OSError) as error:
        case.status, case.detail = ERROR, f"could not build the message: {error}"
        return None


def run_offline_files(paths: Sequence[Path], profile: Profile = BASELINE) -> list[CaseResult]:
    """An airline's own files, one case each: it passes when the file is accepted, with or without warnings."""
    results = []
    for path in paths:
        case = CaseResult(path.name, f"File {path.name}", "files", "", "The file is accepted (with or without warnings).",
                          "Each finding below names the rule and what would be right.")
        payload = path.read_bytes()
        observed, _ = offline_observation(payload, profile)
        expect = Expect(verdict=("accepted", "accepted_with_warnings"))
        sent = Sent(1, f"file {path}", path.name, payload, None)
        case.messages.append(MessageResult(sent, observed, check(expect, observed, [])))
        results.append(conclude(case))
    return results
