"""ACKRES, the PNRGOV acknowledgement response: its layout and error codes as data.

The public record of ACKRES is thin (STANDARDS.md §3.5: the guide lists it and its MSG and ERC
segments; the layout below is from memory [M]): ``UNH+…+ACKRES:11:1:IA'`` ``MSG+:22'`` then, per
reported finding, ``ERC+<PADIS 9321 code>'`` ``IFT+3+<text>'``, ``UNT``. So the whole body is
templates in an :class:`AckresLayout`, which a profile's ``[ackres]`` table replaces piece by
piece: a state that holds the licensed guide corrects the layout without code.

Templates are written like segments, ``+`` between elements and ``:`` between components, with
``{placeholders}`` filled from the acknowledged message and escaped with the sender's own
separators. Placeholders: ``{function}`` (the push's MSG 1225), ``{carrier}``, ``{flight}``
(number), ``{departure}`` (DDMMYY), ``{origin}``, ``{destination}``, ``{reference}`` (the pushed
message's UNH 0062), ``{pnrs}``; in error templates also ``{error}`` (the ERC code for the
finding), ``{code}`` (paxgate's finding code), ``{segment}`` (tag), ``{position}`` and ``{text}``.
Text never carries personal data: findings' texts hold only codes, positions and counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from validators.edifact.contrl import ContrlContext, encode
from validators.edifact.envelope import Interchange, Message
from validators.edifact.writer import Element, reply_date, reply_header, segment
from validators.pnrgov.ackres_layout import AckresLayout
from validators.pnrgov.model import PnrPush
from validators.report import Finding, Report, Scope, Severity


def write_ackres(report: Report, interchange: Interchange, context: ContrlContext, layout: AckresLayout) -> bytes:
    """The ACKRES interchange answering the PNRGOV messages of ``interchange``, one message each."""
    delimiters = interchange.delimiters
    lines = reply_header(interchange, context.prepared, context.interchange_reference)
    pushes = {p.message: p for p in report.pushes}
    messages = [m for m in interchange.messages if m.type == "PNRGOV"]
    group = interchange.groups[0] if interchange.groups else None
    if group is not None:
        lines.append(segment("UNG", ["ACKRES", group.recipient, group.sender, reply_date(interchange, context.prepared),
                                     group.reference, layout.agency, [layout.version, layout.release]], delimiters))
    for n, message in enumerate(messages, start=1):
        reference = context.message_reference if n == 1 else f"{context.message_reference}{n}"[-14:]
        body = _message_body(report, interchange, message, pushes.get(message.index), layout)
        lines.append(segment("UNH", [reference, ["ACKRES", layout.version, layout.release, layout.agency]], delimiters))
        lines += [segment(tag, elements, delimiters) for tag, elements in body]
        lines.append(segment("UNT", [str(len(body) + 2), reference], delimiters))
    if group is not None:
        lines.append(segment("UNE", [str(len(messages)), group.reference], delimiters))
    lines.append(segment("UNZ", [str(1 if group is not None else len(messages)), context.interchange_reference], delimiters))
    return encode("".join(lines), interchange.syntax_identifier)


_TEXT_LIMIT = 70  # IFT 4440 is an..70


def _message_body(report: Report, interchange: Interchange, message: Message, push: PnrPush | None,
                  layout: AckresLayout) -> list[tuple[str, list[Element]]]:
    flight = push.flight if push is not None else None
    values = {
        "function": next((s.value(1, 2) for s in message.segments if s.tag == "MSG"), ""),
        "carrier": flight.carrier if flight else "", "flight": flight.number if flight else "",
        "departure": _ddmmyy(flight.departure_local) if flight else "",
        "origin": (flight.departure_airport or "") if flight else "",
        "destination": (flight.arrival_airport or "") if flight else "",
        "reference": message.reference, "pnrs": str(len(push.pnrs)) if push is not None else "",
    }
    out = [_filled(template, values) for template in layout.body]
    reported = _reported(report, interchange, message, layout)
    for finding in reported[:layout.max_errors]:
        where = finding.location
        text = (f"{finding.code} {where.segment_tag or ''}"
                f"{'/' + str(where.segment_position) if where.segment_position else ''}: {finding.message}")[:_TEXT_LIMIT]
        fields = {**values, "error": _erc(finding.code, layout.codes), "code": finding.code,
                  "segment": where.segment_tag or "", "position": str(where.segment_position or ""), "text": text}
        out += [_filled(template, fields) for template in layout.error]
    if len(reported) > layout.max_errors:
        out.append(("IFT", [["3"], [f"{len(reported) - layout.max_errors} more findings not listed"]]))
    return out


def _reported(report: Report, interchange: Interchange, message: Message, layout: AckresLayout) -> list[Finding]:
    found = []
    for finding in report.findings:
        where = finding.location
        if where.interchange != interchange.number or where.message not in (None, message.index):
            continue
        if where.message is None and finding.scope in (Scope.SEGMENT, Scope.MESSAGE, Scope.BUSINESS):
            continue
        rejects = finding.severity is Severity.ERROR and finding.scope is not Scope.BUSINESS
        if rejects or (layout.warnings and finding.severity is not Severity.INFO):
            found.append(finding)
    return found


def _erc(code: str, codes: Mapping[str, str]) -> str:
    if code in codes:
        return codes[code]
    family = code.split("-", 1)[0] + "-"
    return codes.get(family) or codes.get("*", "")


def _filled(template: str, values: Mapping[str, str]) -> tuple[str, list[Element]]:
    tag, _, rest = template.partition("+")
    elements: list[Element] = [[component.format_map(values) for component in element.split(":")] for element in rest.split("+")]
    return tag, elements if rest else []


def _ddmmyy(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%d%m%y")
    except ValueError:
        return ""


def pushes_answered(interchanges: Sequence[Interchange]) -> bool:
    """Whether any interchange holds a PNRGOV message (an ACKRES has something to answer)."""
    return any(m.type == "PNRGOV" for i in interchanges for m in i.messages)
