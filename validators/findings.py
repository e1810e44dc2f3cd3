"""Collecting findings: the catalogue text, the profile's severity and the position in one place."""

from __future__ import annotations

from validators.catalog import RULES
from validators.edifact.tokenizer import LineIndex, is_tag
from validators.profiles import Profile
from validators.report import Finding, Location, Scope, Severity

FINDING_LIMIT = 1000  # warnings and notes listed per file
ERRORS_PER_PLACE = 100  # errors listed per message (or per envelope level) — one always is, so verdicts hold


def shown_tag(tag: str | None) -> str | None:
    """A segment tag as findings may show it: a garbled "tag" is the start of data (say, a name
    after an unreleased apostrophe), so it is described, never repeated."""
    if tag is None or is_tag(tag):
        return tag
    return f"(an invalid tag of {len(tag)} characters)" if tag else "(an empty tag)"


class Findings:
    """Builds findings from catalogue codes, keeping hostile input cheap without losing a verdict.

    Warnings and notes stop being listed after ``limit``. Errors are listed up to
    ``ERRORS_PER_PLACE`` per message (or envelope level), so every rejected message keeps at least
    one error to reject it: the verdict and the CONTRL never come out of a truncated list.
    """

    def __init__(self, profile: Profile, lines: LineIndex, limit: int = FINDING_LIMIT) -> None:
        self.profile = profile
        self.lines = lines
        self.limit = limit
        self.items: list[Finding] = []
        self.dropped = 0
        self._others = 0
        self._errors_at: dict[tuple[int | None, int | None, int | None], int] = {}

    def add(self, code: str, scope: Scope, offset: int | None, *, interchange: int | None = None,
            group: int | None = None, message: int | None = None, segment_position: int | None = None,
            segment_tag: str | None = None, element: int | None = None, component: int | None = None,
            path: str | None = None, **params: object) -> None:
        """Record one finding; ``path`` places it in an XML document (the element's path), where
        segment positions mean nothing."""
        severity = self.profile.severity_of(code)
        if severity is Severity.ERROR and scope is not Scope.BUSINESS:
            place = (interchange, group, message)
            kept = self._errors_at.get(place, 0)
            if kept >= ERRORS_PER_PLACE:
                self.dropped += 1
                return
            self._errors_at[place] = kept + 1
        elif self._others >= self.limit:
            self.dropped += 1
            return
        else:
            self._others += 1
        rule = RULES[code]
        line = column = None
        if offset is not None:
            line, column = self.lines.line_column(offset)
        text = {k: str(v) for k, v in params.items()}
        if "tag" in text:
            text["tag"] = shown_tag(text["tag"]) or ""
        self.items.append(Finding(
            code=code,
            severity=severity,
            message=rule.explanation.format(**text),
            syntax_error=rule.syntax_error,
            scope=scope,
            location=Location(interchange, group, message, segment_position, shown_tag(segment_tag), element, component,
                              line, column, offset, path),
            expected=rule.expected.format(**text) if rule.expected else None,
        ))

    def result(self) -> list[Finding]:
        """All findings in file order, with a closing note when some were not listed."""
        items = sorted(self.items, key=lambda f: (f.location.offset if f.location.offset is not None else -1))
        if self.dropped:
            items.append(Finding("EDI-LIMIT-FINDINGS", Severity.WARNING,
                                 RULES["EDI-LIMIT-FINDINGS"].explanation.format(limit=self.limit, dropped=self.dropped),
                                 None, Scope.INTERCHANGE, Location()))
        return items
