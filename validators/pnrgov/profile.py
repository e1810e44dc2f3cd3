"""The PNRGOV tables of a national profile: ``[pnrgov]``, ``[sensitive]`` and ``[ackres]``.

``[pnrgov]``: ``versions`` accepted (``["11.1", "13.1"]``), ``push_number`` (``none``, ``sequence``
for S010, ``reference-suffix`` for the last ``/`` part of UNH 0068) and ``xml_schema`` (the path of
the official XSD a deployment holds; read by the gateway's profile loader, not here).

``[sensitive]``: ``enabled``; ``ssr_codes``, a table SSR code = category laid over the defaults
(an empty category removes a code); ``free_text``, a table category = list of patterns (regular
expressions, matched case-insensitively as whole words) replacing that category's defaults.

``[ackres]``: the acknowledgement layout (validators.pnrgov.ackres.AckresLayout).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from validators.pnrgov.ackres_layout import read_layout
from validators.pnrgov.sensitive_codes import upper_pattern
from validators.profiles import SECTIONS, Profile, ProfileError

_PUSH_NUMBERS = ("none", "sequence", "reference-suffix")
_VERSION = re.compile(r"\d{1,2}\.\d{1,2}")


def read_pnrgov(profile: Profile, table: Mapping[str, Any], source: str) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    for key, value in table.items():
        if key == "versions":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and _VERSION.fullmatch(v) for v in value):
                raise ProfileError(source, "pnrgov.versions", "expected a list of versions such as \"11.1\", \"13.1\"")
            updates["pnrgov_versions"] = tuple(value)
        elif key == "push_number":
            if value not in _PUSH_NUMBERS:
                raise ProfileError(source, "pnrgov.push_number", f"expected one of {', '.join(_PUSH_NUMBERS)}")
            updates["pnrgov_push_number"] = value
        elif key == "xml_schema":
            if not isinstance(value, str) or not value:
                raise ProfileError(source, "pnrgov.xml_schema", "expected the path of an XSD file")
        else:
            raise ProfileError(source, f"pnrgov.{key}", "unknown key; expected versions, push_number or xml_schema")
    return updates


def read_sensitive(profile: Profile, table: Mapping[str, Any], source: str) -> dict[str, Any]:
    ssr = dict(profile.sensitive_ssr)
    text = dict(profile.sensitive_text)
    for key, value in table.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise ProfileError(source, "sensitive.enabled", "expected true or false")
            if not value:
                ssr, text = {}, {}
        elif key == "ssr_codes":
            if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
                raise ProfileError(source, "sensitive.ssr_codes", "expected a table of SSR code = category (\"\" removes one)")
            for code, category in value.items():
                if category:
                    ssr[code] = category
                else:
                    ssr.pop(code, None)
        elif key == "free_text":
            if not isinstance(value, Mapping):
                raise ProfileError(source, "sensitive.free_text", "expected a table of category = [patterns]")
            for category, patterns in value.items():
                if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
                    raise ProfileError(source, f"sensitive.free_text.{category}", "expected a list of patterns")
                for pattern in patterns:
                    try:
                        re.compile(pattern)
                        re.compile(upper_pattern(pattern))  # what is matched: validators.pnrgov.sensitive
                    except re.error as problem:
                        raise ProfileError(source, f"sensitive.free_text.{category}",
                                           f"{pattern!r} is not a regular expression: {problem}") from None
                text[category] = tuple(patterns)
        else:
            raise ProfileError(source, f"sensitive.{key}", "unknown key; expected enabled, ssr_codes or free_text")
    return {"sensitive_ssr": ssr, "sensitive_text": text}


def read_ackres(profile: Profile, table: Mapping[str, Any], source: str) -> dict[str, Any]:
    return {"ackres": read_layout(profile.ackres, table, source, ProfileError)}


SECTIONS.update(pnrgov=read_pnrgov, sensitive=read_sensitive, ackres=read_ackres)
