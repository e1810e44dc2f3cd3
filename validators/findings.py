"""Collecting findings: the catalogue text, the profile's severity and the position in one place."""

from __future__ import annotations

from validators.catalog import RULES
from validators.edifact.tokenizer import LineIndex
from validators.profiles import Profile
from validators.report import Finding, Location, Scope, Severity

FINDING_LIMIT = 1000


class Findings:
    """Builds findings from catalogue codes; stops listing at ``limit`` so hostile input stays cheap."""

    def __init__(self, profile: Profile, lines: LineIndex, limit: int = FINDING_LIMIT) -> None:
        self.profile = profile
        self.lines = lines
        self.limit = limit
        self.items: list[Finding] = []
        self.dropped = 0

    def add(self, code: str, scope: Scope, offset: int | None, *, interchange: int | None = None,
            group: int | None = None, message: int | None = None, segment_position: int | None = None,
            segment_tag: str | None = None, element: int | None = None, component: int | None = None,
            **params: object) -> None:
        if len(self.items) >= self.limit:
            self.dropped += 1
            return
        rule = RULES[code]
        line = column = None
        if offset is not None:
            line, column = self.lines.line_column(offset)
        text = {k: str(v) for k, v in params.items()}
        self.items.append(Finding(
            code=code,
            severity=self.profile.severity_of(code),
            message=rule.explanation.format(**text),
            syntax_error=rule.syntax_error,
            scope=scope,
            location=Location(interchange, group, message, segment_position, segment_tag, element, component,
                              line, column, offset),
            expected=rule.expected.format(**text) if rule.expected else None,
        ))

    def result(self) -> list[Finding]:
        """All findings in file order, with a closing note when some were not listed."""
        items = sorted(self.items, key=lambda f: (f.location.offset if f.location.offset is not None else -1))
        if self.dropped:
            items.append(Finding("EDI-LIMIT-FINDINGS", Severity.WARNING,
                                 RULES["EDI-LIMIT-FINDINGS"].explanation.format(limit=self.limit),
                                 None, Scope.INTERCHANGE, Location()))
        return items
