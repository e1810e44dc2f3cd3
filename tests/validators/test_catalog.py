"""The finding catalogue is consistent: codes, templates and the parameters findings fill in."""

from __future__ import annotations

import inspect
import re
import string

from validators.catalog import RULES
from validators.findings import Findings

# keyword arguments of Findings.add that place a finding; a template field of the same name could
# never be filled (the call would fail), so the catalogue must not use them
RESERVED = set(inspect.signature(Findings.add).parameters) - {"self", "params"}


def fields(template: str | None) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template or "") if name}


def test_codes_are_stable_identifiers():
    for code, rule in RULES.items():
        assert code == rule.code
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", code), code


def test_template_fields_never_collide_with_location_arguments():
    for rule in RULES.values():
        clash = (fields(rule.explanation) | fields(rule.expected)) & RESERVED
        assert not clash, f"{rule.code} uses {clash}"


def test_every_template_formats_with_its_own_fields():
    for rule in RULES.values():
        values = {name: "x" for name in fields(rule.explanation) | fields(rule.expected)}
        rule.explanation.format(**values)
        if rule.expected:
            rule.expected.format(**values)


def test_syntax_error_codes_are_iso_9735_codes():
    for rule in RULES.values():
        assert rule.syntax_error is None or 2 <= rule.syntax_error <= 48, rule.code
