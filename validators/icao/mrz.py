"""Machine-readable zones (ICAO Doc 9303): TD1, TD2, TD3 documents and MRV-A / MRV-B visas.

Why a parser of our own: PAXLST content rules (issue 3) check the MRZ that carriers copy into FTX,
and the conformance kit builds MRZs; both need exact positions and *every* fault at once, not the first
exception. :func:`parse_mrz` never raises on bad MRZ text: it returns the fields it could read and a
tuple of :class:`MrzProblem` values (plain data with stable codes and 1-based line/column ranges).

Problems never quote the name, the document number or the optional (personal) data: ``found`` holds
only the offending character, a check digit, a code, a length, or a description such as "month out of
range", because problems end up in logs, acknowledgements and dashboards (DESIGN.md §5, §6.7).

Layouts are STANDARDS.md §6.2 (0-based, end exclusive, as the tables below hold them):

* TD3 2×44, TD2 2×36, TD1 3×30: check digits on document number, birth date, expiry, TD3 personal
  number, and a composite check digit over all of them (TD1: over line 1 from column 6 too).
* MRV-A 2×44 and MRV-B 2×36 (document code ``V``): the same first-line and field positions as TD3/TD2
  but no composite check digit and no check digit on the optional data.
* A document number longer than nine characters (TD1 and TD2): the check digit position holds ``<``;
  the rest of the number and then its check digit open the optional data field, ended by ``<``.

Problem codes (stable; downstream catalogues key on them):

=================== ==========================================================================
MRZ-LENGTH          wrong number of lines or line length, so no layout applies
MRZ-CHARSET         a character outside ``A-Z 0-9 <``
MRZ-CHECK-DIGIT     a check digit that is not the computed one (``expected`` holds the right digit)
MRZ-DOC-CODE        document code not allowed for the layout (STANDARDS.md §6.2)
MRZ-SEX             sex not ``M``, ``F``, ``X`` or ``<``
MRZ-DATE            birth or expiry date not a calendar date in YYMMDD form
MRZ-COUNTRY         issuing state or nationality not a known code for that role (see countries.py)
MRZ-NAME            name field empty or holding digits
=================== ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import msgspec

from validators.icao import countries
from validators.icao.check_digit import MRZ_ALPHABET, check_digit, is_mrz_text

FILLER = "<"
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_ALPHABET = frozenset(MRZ_ALPHABET)
_SEXES = frozenset("MFX<")


class MrzFormat(StrEnum):
    TD1 = "TD1"
    TD2 = "TD2"
    TD3 = "TD3"
    MRV_A = "MRV-A"
    MRV_B = "MRV-B"


class MrzProblem(msgspec.Struct, frozen=True):
    """One fault in an MRZ. ``line`` is 1-based; ``start``/``end`` are 1-based columns, both inclusive.

    ``found`` and ``expected`` describe the fault without personal data (never a name, document
    number or optional-data value). ``line``/``start``/``end`` are ``None`` for whole-MRZ faults.
    """

    code: str
    field: str
    line: int | None
    start: int | None
    end: int | None
    found: str | None
    expected: str | None


class Mrz(msgspec.Struct, frozen=True):
    """What an MRZ says, as read, plus its problems.

    Identifiers have fillers turned into single spaces; document number and optional data have
    trailing fillers removed; codes have MRZ fillers removed (``D<<`` → ``D``); dates are the raw
    ``YYMMDD`` text (the century is a business rule, not an MRZ fact); ``sex`` is the raw character.
    ``optional_data_2`` is TD1's second optional field (line 2), empty elsewhere. When no layout
    fits (``format`` is ``None``) every field is empty and ``problems`` says why.
    """

    format: MrzFormat | None
    document_code: str = ""
    issuing_state: str = ""
    primary_identifier: str = ""
    secondary_identifier: str = ""
    document_number: str = ""
    nationality: str = ""
    birth_date: str = ""
    sex: str = ""
    expiry_date: str = ""
    optional_data: str = ""
    optional_data_2: str = ""
    problems: tuple[MrzProblem, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems


class Span(NamedTuple):
    """A field's place: 0-based line, 0-based start column, end column exclusive."""

    line: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Layout:
    format: MrzFormat
    lines: int
    width: int
    document_code: Span
    issuing_state: Span
    name: Span
    document_number: Span
    document_number_check: Span
    nationality: Span
    birth_date: Span
    birth_date_check: Span
    sex: Span
    expiry_date: Span
    expiry_date_check: Span
    optional_data: Span
    optional_data_check: Span | None = None
    optional_data_2: Span | None = None
    composite_check: Span | None = None
    composite: tuple[Span, ...] = ()
    overflow: bool = False  # long document numbers continue in optional_data (TD1, TD2)

    def fields(self) -> list[tuple[str, Span]]:
        """(name, span) of every field, for naming the field a bad character sits in."""
        names = ("document_code", "issuing_state", "name", "document_number", "document_number_check", "nationality",
                 "birth_date", "birth_date_check", "sex", "expiry_date", "expiry_date_check", "optional_data",
                 "optional_data_check", "optional_data_2", "composite_check")
        return [(n, s) for n in names if (s := getattr(self, n)) is not None]


def _two_line(fmt: MrzFormat, width: int) -> Layout:
    """TD3/TD2/MRV share line 2 positions up to column 28; they differ in optional data and composite."""
    composite = fmt in (MrzFormat.TD3, MrzFormat.TD2)
    return Layout(
        format=fmt, lines=2, width=width,
        document_code=Span(0, 0, 2), issuing_state=Span(0, 2, 5), name=Span(0, 5, width),
        document_number=Span(1, 0, 9), document_number_check=Span(1, 9, 10), nationality=Span(1, 10, 13),
        birth_date=Span(1, 13, 19), birth_date_check=Span(1, 19, 20), sex=Span(1, 20, 21),
        expiry_date=Span(1, 21, 27), expiry_date_check=Span(1, 27, 28),
        optional_data=Span(1, 28, width - 2 if fmt is MrzFormat.TD3 else width - 1 if composite else width),
        optional_data_check=Span(1, 42, 43) if fmt is MrzFormat.TD3 else None,
        composite_check=Span(1, width - 1, width) if composite else None,
        composite=(Span(1, 0, 10), Span(1, 13, 20), Span(1, 21, width - 1)) if composite else (),
        overflow=fmt is MrzFormat.TD2,
    )


LAYOUTS: dict[MrzFormat, Layout] = {
    MrzFormat.TD3: _two_line(MrzFormat.TD3, 44),
    MrzFormat.TD2: _two_line(MrzFormat.TD2, 36),
    MrzFormat.MRV_A: _two_line(MrzFormat.MRV_A, 44),
    MrzFormat.MRV_B: _two_line(MrzFormat.MRV_B, 36),
    MrzFormat.TD1: Layout(
        format=MrzFormat.TD1, lines=3, width=30,
        document_code=Span(0, 0, 2), issuing_state=Span(0, 2, 5), document_number=Span(0, 5, 14),
        document_number_check=Span(0, 14, 15), optional_data=Span(0, 15, 30),
        birth_date=Span(1, 0, 6), birth_date_check=Span(1, 6, 7), sex=Span(1, 7, 8),
        expiry_date=Span(1, 8, 14), expiry_date_check=Span(1, 14, 15), nationality=Span(1, 15, 18),
        optional_data_2=Span(1, 18, 29), composite_check=Span(1, 29, 30),
        composite=(Span(0, 5, 30), Span(1, 0, 7), Span(1, 8, 15), Span(1, 18, 29)),
        name=Span(2, 0, 30), overflow=True,
    ),
}

_DOC_CODE_RULES: dict[MrzFormat, tuple[frozenset[str], str]] = {
    MrzFormat.TD3: (frozenset("P"), "P followed by a letter or <"),
    MrzFormat.TD2: (frozenset("ACI"), "A, C or I followed by a letter other than V, or <"),
    MrzFormat.TD1: (frozenset("ACI"), "A, C or I followed by a letter other than V, or <"),
    MrzFormat.MRV_A: (frozenset("V"), "V followed by a letter or <"),
    MrzFormat.MRV_B: (frozenset("V"), "V followed by a letter or <"),
}

_DATE_EXPECTED = "a calendar date YYMMDD (month 01-12, day valid for the month)"
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def split_lines(mrz: str | Iterable[str]) -> list[str]:
    """The MRZ as a list of lines: line breaks split, blank lines before and after dropped, nothing else changed."""
    text = mrz if isinstance(mrz, str) else "\n".join(mrz)
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def detect_format(lines: list[str]) -> MrzFormat | None:
    """The layout the line count and lengths fit; a leading ``V`` on 2-line zones means a visa."""
    widths = {len(line) for line in lines}
    if len(widths) != 1:
        return None
    width = widths.pop()
    visa = lines[0].startswith("V")
    match (len(lines), width):
        case (3, 30):
            return MrzFormat.TD1
        case (2, 36):
            return MrzFormat.MRV_B if visa else MrzFormat.TD2
        case (2, 44):
            return MrzFormat.MRV_A if visa else MrzFormat.TD3
    return None


class _Checker:
    """Collects the problems of one MRZ against one layout."""

    def __init__(self, lines: list[str], layout: Layout) -> None:
        self.lines = lines
        self.layout = layout
        self.problems: list[MrzProblem] = []

    def text(self, span: Span) -> str:
        return self.lines[span.line][span.start:span.end]

    def add(self, code: str, field: str, span: Span, found: str | None, expected: str | None) -> None:
        self.problems.append(MrzProblem(code, field, span.line + 1, span.start + 1, span.end, found, expected))

    def field_at(self, line: int, column: int) -> str:
        for name, span in self.layout.fields():
            if span.line == line and span.start <= column < span.end:
                return name
        return "unused"

    def charset(self) -> None:
        for n, line in enumerate(self.lines):
            for col, ch in enumerate(line):
                if ch not in _ALPHABET:
                    self.add("MRZ-CHARSET", self.field_at(n, col), Span(n, col, col + 1),
                             f"{ch!r} (U+{ord(ch):04X})", "an upper-case letter A-Z, a digit 0-9 or the filler <")

    def check(self, field: str, data: str, digit_span: Span, *, filler_when_empty: bool = False) -> None:
        """Verify one check digit; silent when the data or the digit has a bad character (MRZ-CHARSET covers it)."""
        digit = self.text(digit_span)
        if not is_mrz_text(data) or digit not in _ALPHABET:
            return
        computed = check_digit(data)
        if digit in _DIGITS and int(digit) == computed:
            return
        if filler_when_empty and digit == FILLER and data.strip(FILLER) == "":
            return
        expected = f"{computed} or <, the field being empty" if filler_when_empty and data.strip(FILLER) == "" else str(computed)
        self.add("MRZ-CHECK-DIGIT", f"{field}_check", digit_span, digit, expected)

    def document_code(self) -> str:
        span = self.layout.document_code
        code = self.text(span)
        firsts, expected = _DOC_CODE_RULES[self.layout.format]
        if not all(ch in _ALPHABET for ch in code):
            return code.rstrip(FILLER)  # MRZ-CHARSET already says what is wrong
        second_ok = code[1] in _LETTERS or code[1] == FILLER
        if self.layout.format in (MrzFormat.TD1, MrzFormat.TD2) and code[1] == "V":
            second_ok = False
        if code[0] not in firsts or not second_ok:
            self.add("MRZ-DOC-CODE", "document_code", span, code, expected)
        return code.rstrip(FILLER)

    def country(self, field: str, span: Span, role: countries.Role, check_codes: bool) -> str:
        raw = self.text(span)
        code = raw.rstrip(FILLER)
        what = "an issuing state or organisation" if role == "issuer" else "a nationality"
        if not code or not all(c in _LETTERS for c in code):
            if all(c in _ALPHABET for c in raw):  # a bad character is MRZ-CHARSET's to report
                self.add("MRZ-COUNTRY", field, span, raw, f"{what} code: letters, filled with < to three characters")
            return code
        accepted = countries.is_issuer(code) if role == "issuer" else countries.is_nationality(code)
        if check_codes and not accepted:
            hint = countries.did_you_mean(code, role)
            suffix = f"; did you mean {', '.join(hint)}?" if hint else ""
            self.add("MRZ-COUNTRY", field, span, code, f"{what} code (ISO 3166-1 alpha-3 or ICAO Doc 9303){suffix}")
        return code

    def date(self, field: str, span: Span, *, unknown_allowed: bool) -> str:
        raw = self.text(span)
        if not all(c in _ALPHABET for c in raw):
            return raw
        fault = _date_fault(raw, unknown_allowed)
        if fault:
            expected = _DATE_EXPECTED + ("; unknown parts of a birth date filled with <" if unknown_allowed else "")
            self.add("MRZ-DATE", field, span, fault, expected)
        return raw

    def sex(self) -> str:
        span = self.layout.sex
        value = self.text(span)
        if value in _ALPHABET and value not in _SEXES:
            self.add("MRZ-SEX", "sex", span, value, "M, F, X or < (unspecified)")
        return value

    def name(self) -> tuple[str, str]:
        span = self.layout.name
        raw = self.text(span)
        for col, ch in enumerate(raw):
            if ch in _DIGITS:
                self.add("MRZ-NAME", "name", Span(span.line, span.start + col, span.start + col + 1), "a digit",
                         "letters A-Z, with < between name parts and << between primary and secondary identifiers")
        if raw.startswith(FILLER):
            self.add("MRZ-NAME", "name", Span(span.line, span.start, span.start + 1), "a filler in the first position",
                     "the primary identifier starting in the first position of the name field")
        primary, _sep, secondary = raw.partition(FILLER * 2)
        return _words(primary), _words(secondary)

    def document_number(self) -> tuple[str, str]:
        """(document number, optional data) with the TD1/TD2 long-number rule applied."""
        layout = self.layout
        number = self.text(layout.document_number)
        digit_span = layout.document_number_check
        optional = self.text(layout.optional_data)
        if layout.overflow and self.text(digit_span) == FILLER:
            run = optional.split(FILLER, 1)[0]
            if run:
                opt = layout.optional_data
                overflow_digit = Span(opt.line, opt.start + len(run) - 1, opt.start + len(run))
                self.check("document_number", number + run[:-1], overflow_digit)
                return (number + run[:-1]).rstrip(FILLER), optional[len(run) + 1:].rstrip(FILLER)
        self.check("document_number", number, digit_span)
        return number.rstrip(FILLER), optional.rstrip(FILLER)


def _words(part: str) -> str:
    return " ".join(w for w in part.split(FILLER) if w)


def _date_fault(raw: str, unknown_allowed: bool) -> str | None:
    """Why ``raw`` is not a YYMMDD date, or None. Leap days are accepted when YY is a multiple of 4
    (the century is unknown; 2000 was a leap year, so 00 qualifies too)."""
    if unknown_allowed and (raw == FILLER * 6 or _partial_known(raw)):
        return None
    if not all(c in _DIGITS for c in raw):
        return "not six digits"
    year, month, day = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    if not 1 <= month <= 12:
        return "month out of range"
    limit = _DAYS[month - 1] if month != 2 else (29 if year % 4 == 0 else 28)
    if not 1 <= day <= limit:
        return "day out of range for the month"
    return None


def _partial_known(raw: str) -> bool:
    """``YY<<<<`` or ``YYMM<<``: Doc 9303 fills unknown parts of a birth date with fillers."""
    if raw[2:] == FILLER * 4:
        return all(c in _DIGITS for c in raw[:2])
    if raw[4:] == FILLER * 2:
        return all(c in _DIGITS for c in raw[:4]) and 1 <= int(raw[2:4]) <= 12
    return False


def _length_problems(lines: list[str]) -> list[MrzProblem]:
    """Say which line is off when the count fits a layout; the count itself when the lengths point elsewhere."""
    lengths = {len(line) for line in lines}
    count_wrong = (len(lines) not in (2, 3)
                   or (len(lines) == 3 and 30 not in lengths and bool(lengths & {36, 44}))
                   or (len(lines) == 2 and 30 in lengths and not lengths & {36, 44}))
    if count_wrong:
        return [MrzProblem("MRZ-LENGTH", "lines", None, None, None, f"{len(lines)} lines",
                           "2 lines of 44 (TD3, MRV-A) or 36 (TD2, MRV-B) characters, or 3 lines of 30 (TD1)")]
    if len(lines) == 3:
        widths: tuple[int, ...] = (30,)
        expected = "30 characters (TD1)"
    else:
        fitting = [len(line) for line in lines if len(line) in (36, 44)]
        widths = (fitting[0],) if fitting else (36, 44)
        expected = {
            (36,): "36 characters (TD2, MRV-B), like the other line",
            (44,): "44 characters (TD3, MRV-A), like the other line",
        }.get(widths, "36 (TD2, MRV-B) or 44 (TD3, MRV-A) characters")
    return [MrzProblem("MRZ-LENGTH", "line", n + 1, 1, max(len(line), 1), f"{len(line)} characters", expected)
            for n, line in enumerate(lines) if len(line) not in widths]


def parse_mrz(mrz: str | Iterable[str], *, check_codes: bool = True) -> Mrz:
    """Read and check an MRZ given as one string with line breaks or as its lines.

    ``check_codes=False`` skips the code-list check of issuing state and nationality (the format check
    stays), for specimens with the fictional state ``UTO`` or where a profile checks codes itself.
    """
    lines = split_lines(mrz)
    fmt = detect_format(lines)
    if fmt is None:
        return Mrz(format=None, problems=tuple(_length_problems(lines)))
    layout = LAYOUTS[fmt]
    c = _Checker(lines, layout)
    c.charset()
    document_code = c.document_code()
    issuing_state = c.country("issuing_state", layout.issuing_state, "issuer", check_codes)
    primary, secondary = c.name()
    document_number, optional_data = c.document_number()
    nationality = c.country("nationality", layout.nationality, "nationality", check_codes)
    birth_date = c.date("birth_date", layout.birth_date, unknown_allowed=True)
    c.check("birth_date", c.text(layout.birth_date), layout.birth_date_check)
    sex = c.sex()
    expiry_date = c.date("expiry_date", layout.expiry_date, unknown_allowed=False)
    c.check("expiry_date", c.text(layout.expiry_date), layout.expiry_date_check)
    if layout.optional_data_check is not None:
        c.check("optional_data", c.text(layout.optional_data), layout.optional_data_check, filler_when_empty=True)
    optional_data_2 = c.text(layout.optional_data_2).rstrip(FILLER) if layout.optional_data_2 else ""
    if layout.composite_check is not None:
        c.check("composite", "".join(c.text(s) for s in layout.composite), layout.composite_check)
    problems = sorted(c.problems, key=lambda p: (p.line or 0, p.start or 0, p.code))
    return Mrz(
        format=fmt, document_code=document_code, issuing_state=issuing_state, primary_identifier=primary,
        secondary_identifier=secondary, document_number=document_number, nationality=nationality,
        birth_date=birth_date, sex=sex, expiry_date=expiry_date, optional_data=optional_data,
        optional_data_2=optional_data_2, problems=tuple(problems),
    )
