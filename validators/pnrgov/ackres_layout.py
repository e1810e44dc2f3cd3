"""The ACKRES layout as data (validators.pnrgov.ackres writes it): a light module, so that profiles
can hold a layout without importing the writers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec


class AckresLayout(msgspec.Struct, frozen=True):
    version: str = "11"  # UNH S009 0052 of the ACKRES
    release: str = "1"  # 0054
    agency: str = "IA"  # 0051
    body: tuple[str, ...] = ("MSG+:{function}",)  # after UNH, before any error
    error: tuple[str, ...] = ("ERC+{error}", "IFT+3+{text}")  # per reported finding
    # paxgate finding code, or its family prefix ("EDI-", "MSG-", "PNR-"), → PADIS 9321 error code; "*" the rest
    codes: dict[str, str] = msgspec.field(default_factory=lambda: {"*": "102"})
    warnings: bool = True  # report business-rule findings too (they never reject the push)
    max_errors: int = 99  # findings reported per message; the rest are counted in one last IFT
    enabled: bool = False  # the gateway answers PNRGOV with ACKRES (besides CONTRL) when true


DEFAULT_LAYOUT = AckresLayout()


def read_layout(base: AckresLayout, table: Mapping[str, Any], source: str, error: type[Exception]) -> AckresLayout:
    """``base`` with a profile's ``[ackres]`` table laid over it; ``error(source, key, problem)``
    is raised for a key or value that cannot be used."""
    known = set(AckresLayout.__struct_fields__)
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise error(source, f"ackres.{key}", f"unknown key; expected one of {', '.join(sorted(known))}")
        if key in ("body", "error"):
            if not isinstance(value, list) or not all(isinstance(v, str) and len(v) >= 3 and v[:3].isalpha() for v in value):
                raise error(source, f"ackres.{key}", "expected a list of segment templates such as \"ERC+{error}\"")
            _check_placeholders(value, source, f"ackres.{key}", error, errors=key == "error")
            value = tuple(value)
        elif key == "codes":
            if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
                raise error(source, "ackres.codes", "expected a table of finding code (or prefix, or \"*\") = ERC code")
            value = {**base.codes, **value}
        elif key in ("warnings", "enabled"):
            if not isinstance(value, bool):
                raise error(source, f"ackres.{key}", "expected true or false")
        elif key == "max_errors":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 999:
                raise error(source, "ackres.max_errors", "expected a whole number from 1 to 999")
        elif not isinstance(value, str) or not value:
            raise error(source, f"ackres.{key}", "expected a non-empty string")
        changes[key] = value
    return msgspec.structs.replace(base, **changes)


_MESSAGE_FIELDS = ("function", "carrier", "flight", "departure", "origin", "destination", "reference", "pnrs")
_ERROR_FIELDS = ("error", "code", "segment", "position", "text")


def _check_placeholders(templates: list[str], source: str, key: str, error: type[Exception], *, errors: bool) -> None:
    allowed = _MESSAGE_FIELDS + (_ERROR_FIELDS if errors else ())
    values = dict.fromkeys(allowed, "")
    for template in templates:
        try:
            template.format_map(values)
        except (KeyError, ValueError, IndexError) as problem:
            raise error(source, key, f"template {template!r} uses an unknown placeholder {problem}; "
                                     f"known: {', '.join(allowed)}") from None
