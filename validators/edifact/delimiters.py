"""Service characters: the UNA service string advice and the defaults that apply without it.

Separators are read from UNA every time and never assumed: real traffic carries ``UNA:+.?*'``,
``UNA:+.\\*'``, ``UNA:*.? $`` and ``UNA:(.) -`` (inside Type B). Without UNA the defaults follow
the syntax identifier: level A ``:+.? '`` for UNOx, the same with a decimal comma for IATA, and the
information separators IS1/IS3/IS4 for level B / IATB.

The repetition separator (UNA position 5, syntax version 4) is honoured for release purposes
(``?*`` is a literal ``*``) but never splits data: no data element of PAXLST or PNRGOV repeats,
and PNRGOV senders routinely declare ``*`` while using it in free text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delimiters:
    component: str
    element: str
    decimal: str
    release: str | None  # None: no release character (UNA position 4 is a space)
    repetition: str | None  # None: none declared (syntax version 3 reserves the position)
    segment: str

    def service_characters(self) -> tuple[str, ...]:
        chars = [self.component, self.element, self.segment]
        chars += [c for c in (self.release, self.repetition) if c is not None]
        return tuple(chars)

    def una(self) -> str:
        """The UNA segment declaring exactly these characters."""
        return "UNA" + self.component + self.element + self.decimal + (self.release or " ") + (
            self.repetition or " ") + self.segment


LEVEL_A_DEFAULT = Delimiters(":", "+", ".", "?", None, "'")
IATA_DEFAULT = Delimiters(":", "+", ",", "?", None, "'")
LEVEL_B_DEFAULT = Delimiters("\x1f", "\x1d", ".", "?", None, "\x1c")
IATB_DEFAULT = Delimiters("\x1f", "\x1d", ",", "?", None, "\x1c")  # IATA's level B: decimal comma, like IATA

_ROLES = ("component separator", "data element separator", "decimal mark", "release character",
          "repetition separator", "segment terminator")


@dataclass(frozen=True, slots=True)
class UnaProblem:
    """A fault in the service string advice, described without I/O or exceptions."""

    code: str
    position: int  # 1-based position within the six UNA characters
    params: dict[str, str]


def parse_una(advice: str, syntax_identifier: str, syntax_version: str | None) -> tuple[Delimiters, list[UnaProblem]]:
    """Read the six characters after ``UNA``.

    Faults are reported, and the declared characters are still used where they are usable, so
    that one odd choice (say a letter as decimal mark) does not hide every later finding.
    """
    comp, elem, dec, rel, rep, term = advice
    problems: list[UnaProblem] = []
    roles = dict(zip(_ROLES, advice, strict=True))
    for index, (role, char) in enumerate(roles.items(), start=1):
        optional = role in ("release character", "repetition separator")
        if char == " " and optional:
            continue
        line_break = char in "\r\n" and role != "segment terminator"  # a few senders end segments with CR/LF
        if char.isalnum() or char == " " or line_break:
            extra = "; a space leaves it unused" if optional else ""
            problems.append(UnaProblem("EDI-UNA-CHAR", index, {"role": role, "char": repr(char), "extra": extra}))
    if dec not in ".,":
        problems.append(UnaProblem("EDI-UNA-DECIMAL", 3, {"char": repr(dec)}))
    seen: dict[str, str] = {}
    for index, (role, char) in enumerate(roles.items(), start=1):
        if role == "decimal mark" or (char == " " and role in ("release character", "repetition separator")):
            continue
        if char in seen:
            problems.append(UnaProblem("EDI-UNA-CLASH", index, {"char": repr(char), "role": role, "other": seen[char]}))
        else:
            seen[char] = role
    if rep != " " and syntax_identifier.startswith("UNO") and syntax_version is not None and syntax_version < "4":
        problems.append(UnaProblem("EDI-UNA-REPETITION-V3", 5, {"char": repr(rep), "version": syntax_version}))
    return Delimiters(comp, elem, dec, None if rel == " " else rel, None if rep == " " else rep, term), problems
