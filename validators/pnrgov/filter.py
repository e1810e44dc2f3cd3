"""Applying the sensitive-data filter to one file: findings, masked bytes, masked counts per PNR.

Kept apart from ``sensitive`` (what is sensitive, how to find and overwrite it) because it is the
step that joins those spans to the report: a finding per masked item (category and place only),
and each PNR's ``masked`` count, so an analyst sees *that* data was withheld.
"""

from __future__ import annotations

import functools
from bisect import bisect_right

import msgspec

from validators.edifact.envelope import Interchange
from validators.findings import Findings
from validators.pnrgov.model import PnrPush
from validators.pnrgov.sensitive import SensitiveRules, compile_rules, find_sensitive, mask
from validators.profiles import Profile
from validators.report import Scope


@functools.lru_cache(maxsize=32)
def _compiled(ssr: tuple[tuple[str, str], ...], text: tuple[tuple[str, tuple[str, ...]], ...]) -> SensitiveRules:
    return compile_rules(dict(ssr), dict(text))


def rules_of(profile: Profile) -> SensitiveRules:
    """The profile's filter, compiled once per distinct table."""
    return _compiled(tuple(sorted(profile.sensitive_ssr.items())), tuple(sorted(profile.sensitive_text.items())))


def filter_sensitive(data: bytes, interchanges: list[Interchange], pushes: list[PnrPush],
                     findings: Findings) -> tuple[list[PnrPush], bytes | None]:
    """Find the sensitive items of the PNRGOV messages; report each, count them per PNR and return
    the masked bytes (None when nothing was masked)."""
    items = find_sensitive(interchanges, rules_of(findings.profile))
    if not items:
        return pushes, None
    places = {m.index: (i.number, m.group.number if m.group else None) for i in interchanges for m in i.messages}
    counts: dict[tuple[int, int], int] = {}  # (message, SRC position of the PNR) → masked items
    starts = {p.message: [pnr.position or 0 for pnr in p.pnrs] for p in pushes}
    for item in items:
        interchange, group = places[item.message]
        segment = item.segment
        findings.add("PNR-SENSITIVE-MASKED", Scope.BUSINESS, segment.offset, interchange=interchange, group=group,
                     message=item.message, segment_position=segment.position, segment_tag=segment.tag, element=item.element,
                     component=item.component, category=item.category, kind=item.kind)
        positions = starts.get(item.message, [])
        at = bisect_right(positions, segment.position) - 1
        if at >= 0:
            key = (item.message, positions[at])
            counts[key] = counts.get(key, 0) + 1
    masked_pushes = [msgspec.structs.replace(push, pnrs=tuple(
        msgspec.structs.replace(pnr, masked=counts[(push.message, pnr.position or 0)])
        if (push.message, pnr.position or 0) in counts else pnr for pnr in push.pnrs)) for push in pushes]
    return masked_pushes, mask(data, items)
