"""Writing segments: values escaped with the release character, no trailing separators.

Every segment paxgate emits goes through here, so generated acknowledgements always pass the
same syntax checks we apply to carriers (ISO 9735 v4 forbids trailing separators, code 45).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from validators.edifact.delimiters import Delimiters

if TYPE_CHECKING:  # the envelope module writes nothing; only answers to it are written here
    from validators.edifact.envelope import Interchange

Element = str | Sequence[str]


def escape(value: str, delimiters: Delimiters) -> str:
    rel = delimiters.release
    if rel is None:
        return value
    for char in (rel, *(c for c in delimiters.service_characters() if c != rel)):  # release itself first
        value = value.replace(char, rel + char)
    return value


def trimmed(elements: Sequence[Element]) -> list[list[str]]:
    """The elements as a segment carries them: no empty trailing components or data elements."""
    result = []
    for element in elements:
        components = [element] if isinstance(element, str) else list(element)
        while components and not components[-1]:
            components.pop()
        result.append(components or [""])
    while result and result[-1] == [""]:
        result.pop()
    return result


def segment(tag: str, elements: Sequence[Element], delimiters: Delimiters) -> str:
    """One segment with its terminator; empty trailing elements and components are left out."""
    parts = [tag] + [delimiters.component.join(escape(c, delimiters) for c in components)
                     for components in trimmed(elements)]
    return delimiters.element.join(parts) + delimiters.segment


def reply_header(interchange: Interchange, prepared: datetime, reference: str, *, echo_application: bool = False) -> list[str]:
    """UNA (only if the sender sent one) and the UNB of an answer to ``interchange``.

    Our sender is their recipient and the reverse; the syntax identifier, version and separators
    are theirs, the date is written in the length they used, and a test interchange is answered
    as a test. ``echo_application`` also returns their application reference (UNB 0026).
    """
    lines = ["UNA" + interchange.una] if interchange.una is not None else []
    header = interchange.header
    unb: list[Element] = [[interchange.syntax_identifier, interchange.syntax_version], interchange.recipient,
                          interchange.sender, reply_date(interchange, prepared), reference]
    application = header.value(7) if header and echo_application else ""
    test = interchange.test_indicator == "1"
    if application or test:
        unb += ["", application]
    if test:
        unb += ["", "", "", "1"]
    lines.append(segment("UNB", unb, interchange.delimiters))
    return lines


def reply_date(interchange: Interchange, prepared: datetime) -> list[str]:
    """S004 date and time for an answer, the date as long as the sender wrote theirs (6 or 8 digits)."""
    received = interchange.header.value(4, 1) if interchange.header else ""
    return [prepared.strftime("%Y%m%d" if len(received) == 8 else "%y%m%d"), prepared.strftime("%H%M")]
