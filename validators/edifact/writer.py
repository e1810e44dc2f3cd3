"""Writing segments: values escaped with the release character, no trailing separators.

Every segment paxgate emits goes through here, so generated acknowledgements always pass the
same syntax checks we apply to carriers (ISO 9735 v4 forbids trailing separators, code 45).
"""

from __future__ import annotations

from collections.abc import Sequence

from validators.edifact.delimiters import Delimiters

Element = str | Sequence[str]


def escape(value: str, delimiters: Delimiters) -> str:
    rel = delimiters.release
    if rel is None:
        return value
    for char in (rel, *(c for c in delimiters.service_characters() if c != rel)):  # release itself first
        value = value.replace(char, rel + char)
    return value


def segment(tag: str, elements: Sequence[Element], delimiters: Delimiters) -> str:
    """One segment with its terminator; empty trailing elements and components are left out."""
    parts = [tag]
    for element in elements:
        components = [element] if isinstance(element, str) else list(element)
        while components and not components[-1]:
            components.pop()
        parts.append(delimiters.component.join(escape(c, delimiters) for c in components))
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return delimiters.element.join(parts) + delimiters.segment
