"""Which acknowledgement a file gets, decided once for the CLI, the conformance kit and the gateway.

DESIGN.md §6.3: a CONTRL answers an EDIFACT interchange whenever UNB 0031 asks for one or the
profile says to send it always; "indication of receipt" (0031 = 2, syntax version 4) gets a CONTRL
with action 8 only. A CONTRL is never answered with a CONTRL, and an interchange whose header
cannot be read (no UNB, no sender, no control reference) cannot be answered at all: the reason is
returned so the caller can say so.

CUSRES (DESIGN.md §6.9) answers an interactive API request: every interchange holding PAXLST
messages gets one, whatever UNB 0031 says, with paxgate's default data-sufficiency decision.

ACKRES answers a PNRGOV push, besides the CONTRL, where the profile's ``[ackres] enabled`` asks for
it; ``paxgate ack --as ackres`` writes it whatever the profile says, to show a carrier its layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from validators.edifact.charsets import SUPPORTED_VERSIONS, SYNTAX_IDENTIFIERS
from validators.edifact.contrl import ContrlContext, write_contrl
from validators.edifact.envelope import Interchange
from validators.paxlst.cusres import Decision, DirectiveKey, Directives, MessageAnswer, default_answers, write_cusres
from validators.pnrgov.ackres import write_ackres
from validators.profiles import Profile
from validators.report import Report


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    kind: str  # "contrl", "cusres" or "ackres"
    interchange: int  # 1-based index of the interchange it answers
    payload: bytes


@dataclass(frozen=True, slots=True)
class NoAcknowledgement:
    interchange: int
    reason: str


def acknowledge(report: Report, profile: Profile, context: ContrlContext) -> list[Acknowledgement | NoAcknowledgement]:
    """One entry per interchange in the file: its acknowledgement, or why none is sent."""
    answers: list[Acknowledgement | NoAcknowledgement] = []
    for interchange in report.interchanges:
        reason = _why_not(interchange, profile)
        if reason is not None:
            answers.append(NoAcknowledgement(interchange.number, reason))
            continue
        receipt_only = interchange.acknowledgement_request == "2" and interchange.rules_version == "4"
        payload = write_contrl(report, interchange, context, receipt_only=receipt_only)
        answers.append(Acknowledgement("contrl", interchange.number, payload))
    return answers


def answers(report: Report, profile: Profile, context: ContrlContext, *,
            decisions: Mapping[tuple[int, int], tuple[DirectiveKey, str | None]] | None = None,
            ) -> list[Acknowledgement | NoAcknowledgement]:
    """Everything a file is answered with, as the gateway sends it: the CONTRL (or why none) per
    interchange, a CUSRES for each interactive API request (DESIGN.md §6.9), and an ACKRES for each
    PNRGOV push where the profile's ``[ackres] enabled`` says so. The CUSRES and ACKRES take the
    context's reference prefixed with ``I`` and ``A``, so one clock and counter serves all three."""
    found = acknowledge(report, profile, context)
    if any(interactive(i, profile) for i in report.interchanges):
        found += cusres(report, profile, _prefixed(context, "I"), decisions=decisions, only_interactive=True)
    if profile.ackres.enabled and report.pushes:
        found += [a for a in ackres(report, profile, _prefixed(context, "A")) if isinstance(a, Acknowledgement)]
    return found


def _prefixed(context: ContrlContext, prefix: str) -> ContrlContext:
    # UNB 0020 is an..14: a long reference keeps its (changing) tail, so answers stay distinct
    return ContrlContext(context.prepared, prefix + context.interchange_reference[-13:], context.message_reference)


def interactive(interchange: Interchange, profile: Profile) -> bool:
    """An interactive API request: its UNB application reference (0026) is one the profile names."""
    return interchange.header is not None and interchange.header.value(7) in profile.iapi_references


def cusres(report: Report, profile: Profile, context: ContrlContext, *,
           decisions: Mapping[tuple[int, int], tuple[DirectiveKey, str | None]] | None = None,
           only_interactive: bool = False) -> list[Acknowledgement | NoAcknowledgement]:
    """One entry per interchange: the CUSRES answering its PAXLST messages, or why none is sent,
    with the directive codes the profile's ``[iapi]`` table names (China NIA's by default).

    ``decisions`` — (message index, traveller NAD position) → (directive, text) — are a national
    decision hook's answers and replace paxgate's default data-sufficiency decision for those
    travellers. ``only_interactive`` answers only the interchanges ``interactive`` picks out."""
    directives = Directives(**profile.iapi_directives)
    answers: list[Acknowledgement | NoAcknowledgement] = []
    for interchange in report.interchanges:
        if only_interactive and not interactive(interchange, profile):
            continue
        reason = _unreadable(interchange, "CUSRES")
        if reason is None and not any(m.type == "PAXLST" for m in interchange.messages):
            found = ", ".join(dict.fromkeys(m.type or "?" for m in interchange.messages)) or "no message"
            reason = f"a CUSRES answers PAXLST (interactive API) requests; this interchange holds {found}"
        if reason is not None:
            answers.append(NoAcknowledgement(interchange.number, reason))
            continue
        replies = default_answers(report, interchange, directives)
        if decisions:
            replies = [_decided(reply, decisions, directives) for reply in replies]
        payload = write_cusres(report, interchange, replies, context, directives)
        answers.append(Acknowledgement("cusres", interchange.number, payload))
    return answers


def ackres(report: Report, profile: Profile, context: ContrlContext) -> list[Acknowledgement | NoAcknowledgement]:
    """One entry per interchange: the ACKRES answering its PNRGOV messages (the profile's layout),
    or why none is sent."""
    answers: list[Acknowledgement | NoAcknowledgement] = []
    for interchange in report.interchanges:
        reason = _unreadable(interchange, "ACKRES")
        if reason is None and not any(m.type == "PNRGOV" for m in interchange.messages):
            found = ", ".join(dict.fromkeys(m.type or "?" for m in interchange.messages)) or "no message"
            reason = f"an ACKRES answers PNRGOV pushes; this interchange holds {found}"
        if reason is not None:
            answers.append(NoAcknowledgement(interchange.number, reason))
            continue
        answers.append(Acknowledgement("ackres", interchange.number, write_ackres(report, interchange, context, profile.ackres)))
    return answers


def _decided(reply: MessageAnswer, decisions: Mapping[tuple[int, int], tuple[DirectiveKey, str | None]],
             directives: Directives) -> MessageAnswer:
    if reply.manifest is None:
        return reply
    index = reply.manifest.message
    chosen = {}
    for position, default in reply.decisions.items():
        given = decisions.get((index, position))
        chosen[position] = Decision(directives.code(given[0]), given[1]) if given else default
    return MessageAnswer(reply.message, reply.manifest, chosen)


def _unreadable(interchange: Interchange, kind: str) -> str | None:
    """Why an answer of ``kind`` cannot be addressed or written at all, or None."""
    if interchange.header is None:
        return "the interchange has no readable UNB header, so there is nobody to answer"
    identifier = interchange.syntax_identifier
    if identifier not in SYNTAX_IDENTIFIERS or interchange.syntax_version not in SUPPORTED_VERSIONS:
        return (f"syntax {identifier or '?'}:{interchange.syntax_version or '?'} is not supported, so no {kind} "
                "can be written that the sender could read")
    if not interchange.sender[0] or not interchange.control_reference:
        return "UNB lacks the sender identification (0004) or the interchange control reference (0020)"
    return None


def _why_not(interchange: Interchange, profile: Profile) -> str | None:
    reason = _unreadable(interchange, "CONTRL")
    if reason is not None:
        return reason
    if any(m.type == "CONTRL" for m in interchange.messages):
        return "a CONTRL is never answered with a CONTRL"
    if interchange.acknowledgement_request in ("1", "2") or profile.contrl == "always":
        return None
    return f"UNB 0031 requests no acknowledgement and profile {profile.name!r} sends CONTRL only on request"
