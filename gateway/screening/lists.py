"""Watchlist loaders: UN Security Council Consolidated List XML, OpenSanctions FtM JSON lines, and our CSV.

Every loader turns its source into the same :class:`Entry` records, keeping the names as written
(for display and audit) and normalising only what is compared without fuzziness: dates of birth
(:class:`Dob`), nationalities (ISO 3166-1 alpha-3), document numbers (alphanumerics, upper case).
Name folding happens once in the index (``index.py``), so all three formats meet the same rules.

Real lists are dirty, so nothing here trusts them: several dates of birth per person, years only,
ranges, "approximately"; empty alias and document elements; numbers with spaces and dashes;
countries written as English names. What cannot be read is counted (:class:`LoadReport`), never
guessed and never fatal for the rest of the list. What is *structurally* wrong (not XML, a DOCTYPE,
a CSV without its columns) raises :class:`ListError` naming the file and the problem.

The CSV format for national lists (UTF-8, header row, comma separated, RFC 4180 quoting):

=================  ============================================================================
column             content
=================  ============================================================================
list_id            the issuing list's own id (kept as the entry's ``source``)
entry_id           the entry's id, unique in the list; rows repeating an id add to that entry
surname            family name(s) as written
given_names        given names as written (space separated)
aliases            other names, ``|``-separated; a leading ``?`` marks a weak (low-quality) alias
birth_date         ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``YYYY..YYYY``; several ``;``-separated
nationality        ISO 3166-1 alpha-3 code or English country name; several ``;``-separated
document_number    a travel document number (spaces and dashes are ignored)
document_state     its issuing state (alpha-3 code or name), may be empty
reason             free text shown to the analyst
=================  ============================================================================
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec
from lxml import etree

from gateway.screening.normalise import country_code, document_number, parse_dob

FORMATS = ("un", "ftm", "csv")
CSV_COLUMNS = ("list_id", "entry_id", "surname", "given_names", "aliases", "birth_date", "nationality",
               "document_number", "document_state", "reason")
CSV_REQUIRED = ("entry_id", "surname")


class ListError(ValueError):
    """A list file that cannot be loaded at all (named file, what is wrong)."""


class Dob(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One date of birth of a list entry: a year range (equal for an exact year) and, when known, month and day."""

    year_from: int
    year_to: int
    month: int = 0
    day: int = 0
    approximate: bool = False  # UN APPROXIMATELY / "circa": the blocking window is widened by a year

    def describe(self) -> str:
        if self.year_from != self.year_to:
            return f"{self.year_from}..{self.year_to}"
        text = f"{self.year_from:04d}" + (f"-{self.month:02d}" if self.month else "") + (f"-{self.day:02d}" if self.day else "")
        return ("circa " if self.approximate else "") + text


class Entry(msgspec.Struct, frozen=True, gc=False):
    """One listed person. ``names`` alert; ``weak_names`` (UN QUALITY=Low, FtM weakAlias) only confirm."""

    id: str
    names: tuple[str, ...]
    weak_names: tuple[str, ...] = ()
    dobs: tuple[Dob, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-3 (or Doc 9303 codes)
    documents: tuple[tuple[str, str | None], ...] = ()  # (normalised number, issuing state alpha-3 or None)
    source: str | None = None  # the regime / programme / issuing list inside the file
    reason: str | None = None


class LoadReport(msgspec.Struct):
    """What a load read and what it could not (counts only: no personal data)."""

    format: str
    entries: int = 0
    skipped_records: int = 0  # organisations, vessels, records without any usable name
    unreadable_dates: int = 0
    unknown_countries: int = 0
    empty_documents: int = 0


class _Builder:
    """Collects one entry's fields while a loader walks its record; dedupes and counts problems."""

    __slots__ = ("documents", "dobs", "names", "nationalities", "report", "weak")

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.names: dict[str, None] = {}
        self.weak: dict[str, None] = {}
        self.dobs: dict[Dob, None] = {}
        self.nationalities: dict[str, None] = {}
        self.documents: dict[tuple[str, str | None], None] = {}

    def name(self, value: str | None, weak: bool = False) -> None:
        text = " ".join((value or "").split())
        if text:
            (self.weak if weak else self.names).setdefault(text, None)

    def dob(self, text: str | None, approximate: bool = False) -> None:
        if not text or not text.strip():
            return
        parsed = parse_dob(text, approximate)
        if parsed is None:
            self.report.unreadable_dates += 1
        else:
            self.dobs.setdefault(Dob(*parsed), None)

    def nationality(self, value: str | None) -> None:
        if not value or not value.strip():
            return
        code = country_code(value)
        if code is None:
            self.report.unknown_countries += 1
        else:
            self.nationalities.setdefault(code, None)

    def document(self, number: str | None, state: str | None) -> None:
        normal = document_number(number)
        if normal is None:
            self.report.empty_documents += 1
            return
        code = country_code(state) if state and state.strip() else None
        if state and state.strip() and code is None:
            self.report.unknown_countries += 1
        self.documents.setdefault((normal, code), None)

    def build(self, entry_id: str, source: str | None, reason: str | None) -> Entry | None:
        weak = tuple(n for n in self.weak if n not in self.names)
        if not self.names and not weak:
            self.report.skipped_records += 1
            return None
        self.report.entries += 1
        return Entry(entry_id, tuple(self.names), weak, tuple(self.dobs), tuple(self.nationalities),
                     tuple(self.documents), source or None, reason or None)


# --- format detection --------------------------------------------------------------------------------

def detect_format(head: bytes) -> str:
    """``un`` for XML, ``ftm`` for JSON lines, ``csv`` for a CSV with our header; ListError otherwise."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "un"
    if text.startswith(b"{"):
        return "ftm"
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    if "entry_id" in first and "surname" in first:
        return "csv"
    raise ListError("cannot tell the list format from its content (expected XML, JSON lines or a CSV with entry_id and "
                    "surname columns); give --format")


def load_list(path: str | Path, fmt: str | None = None) -> tuple[list[Entry], LoadReport]:
    """All person entries of one list file, with the report of what could not be read."""
    source = Path(path)
    try:
        with source.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ListError(f"{source}: cannot read: {error.strerror or error}") from None
    try:
        kind = fmt or detect_format(head)
    except ListError as error:
        raise ListError(f"{source}: {error}") from None
    if kind not in FORMATS:
        raise ListError(f"{source}: unknown format {kind!r}; expected one of {', '.join(FORMATS)}")
    report = LoadReport(kind)
    loader = {"un": _load_un, "ftm": _load_ftm, "csv": _load_csv}[kind]
    try:
        entries = list(loader(source, report))
    except ListError as error:
        raise ListError(f"{source}: {error}") from None
    return entries, report


# --- UN Security Council Consolidated List ------------------------------------------------------------

_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.S)


def _reject_doctype(path: Path) -> None:
    """A DOCTYPE can declare entities (billion laughs, external files): lists never need one, so refuse it."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    head = head.removeprefix(b"\xef\xbb\xbf")
    position = 0
    while True:
        match = _PROLOG_ITEM.match(head, position)
        if not match:
            break
        position = match.end()
    if head[position:].lstrip()[:9].upper() == b"<!DOCTYPE":
        raise ListError("XML with a DOCTYPE is refused (entity declarations are not allowed in a list)")


def _text(element: etree._Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _load_un(path: Path, report: LoadReport) -> Iterator[Entry]:
    _reject_doctype(path)
    try:
        context = etree.iterparse(str(path), events=("end",), tag=("INDIVIDUAL", "ENTITY"), resolve_entities=False,
                                  no_network=True, load_dtd=False, huge_tree=True)
        for _event, element in context:
            if element.tag == "ENTITY":  # organisations never travel
                report.skipped_records += 1
            else:
                entry = _un_individual(element, report)
                if entry is not None:
                    yield entry
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise ListError(f"not well-formed XML (line {error.lineno})") from None


def _un_individual(element: etree._Element, report: LoadReport) -> Entry | None:
    b = _Builder(report)
    parts = [_text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    b.name(" ".join(p for p in parts if p))
    b.name(_text(element, "NAME_ORIGINAL_SCRIPT"))
    for alias in element.iterfind("INDIVIDUAL_ALIAS"):
        b.name(_text(alias, "ALIAS_NAME"), weak=_text(alias, "QUALITY").lower() == "low")
    for value in element.iterfind("NATIONALITY/VALUE"):
        b.nationality(value.text)
    for dob in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob, "TYPE_OF_DATE").upper()
        approximate = kind == "APPROXIMATELY"
        low, high = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
        if low or high:
            b.dob(f"{low or high}..{high or low}", approximate)
        else:
            b.dob(_text(dob, "DATE") or _text(dob, "YEAR"), approximate)
    for document in element.iterfind("INDIVIDUAL_DOCUMENT"):
        number = _text(document, "NUMBER")
        if not number:
            report.empty_documents += 1
            continue
        b.document(number, _text(document, "ISSUING_COUNTRY") or _text(document, "COUNTRY_OF_ISSUE"))
    entry_id = _text(element, "REFERENCE_NUMBER") or _text(element, "DATAID")
    if not entry_id:
        report.skipped_records += 1
        return None
    return b.build(entry_id, _text(element, "UN_LIST_TYPE"), _text(element, "COMMENTS1")[:500])


# --- OpenSanctions / FollowTheMoney JSON lines ---------------------------------------------------------

class _FtmEntity(msgspec.Struct):
    id: str = ""
    schema: str = ""
    properties: dict[str, list[str]] = {}
    datasets: list[str] = []


_FTM_DECODER = msgspec.json.Decoder(_FtmEntity)


def _load_ftm(path: Path, report: LoadReport) -> Iterator[Entry]:
    people: list[_FtmEntity] = []
    documents: dict[str, list[tuple[str, str | None]]] = {}
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entity = _FTM_DECODER.decode(line)
            except msgspec.DecodeError:
                raise ListError(f"line {number}: not an FtM entity (JSON object with id, schema, properties)") from None
            props = entity.properties
            if entity.schema == "Person":
                people.append(entity)
            elif entity.schema in ("Passport", "Identification"):
                for holder in props.get("holder", ()):
                    for doc in props.get("number", ()):
                        documents.setdefault(holder, []).append((doc, (props.get("country") or [None])[0]))
            else:
                report.skipped_records += 1
    for entity in people:
        props = entity.properties
        b = _Builder(report)
        for key in ("name", "alias", "previousName"):
            for value in props.get(key, ()):
                b.name(value)
        for value in props.get("weakAlias", ()):
            b.name(value, weak=True)
        first, last = " ".join(props.get("firstName", ())), " ".join(props.get("lastName", ()))
        if first or last:
            b.name(f"{first} {last}".strip())
        for value in props.get("birthDate", ()):
            b.dob(value)
        for key in ("nationality", "citizenship"):
            for value in props.get(key, ()):
                b.nationality(value)
        for key in ("passportNumber", "idNumber"):
            for value in props.get(key, ()):
                b.document(value, None)
        for doc, state in documents.get(entity.id, ()):
            b.document(doc, state)
        reason = "; ".join(props.get("program", ()) or props.get("topics", ()))
        entry = b.build(entity.id, ",".join(entity.datasets), reason)
        if entry is not None:
            yield entry


# --- CSV ------------------------------------------------------------------------------------------------

def _load_csv(path: Path, report: LoadReport) -> Iterator[Entry]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or ()]
        missing = [c for c in CSV_REQUIRED if c not in header]
        if missing:
            raise ListError(f"CSV header lacks column(s) {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}")
        reader.fieldnames = header
        yield from _csv_entries(reader, report)


def _csv_entries(rows: Iterable[dict[str, str | None]], report: LoadReport) -> Iterator[Entry]:
    """Rows with the same entry_id (consecutive or not) merge into one entry, built at the end."""
    builders: dict[str, tuple[_Builder, str, str]] = {}
    for row in rows:
        entry_id = (row.get("entry_id") or "").strip()
        if not entry_id:
            report.skipped_records += 1
            continue
        held = builders.get(entry_id)
        if held is None:
            held = builders[entry_id] = (_Builder(report), (row.get("list_id") or "").strip(), (row.get("reason") or "").strip())
        b = held[0]
        surname, given = (row.get("surname") or "").strip(), (row.get("given_names") or "").strip()
        if surname or given:
            b.name(f"{surname}, {given}" if surname and given else surname or given)
        for alias in (row.get("aliases") or "").split("|"):
            alias = alias.strip()
            if alias:
                b.name(alias.lstrip("?").strip(), weak=alias.startswith("?"))
        for dob in (row.get("birth_date") or "").split(";"):
            b.dob(dob)
        for nationality in (row.get("nationality") or "").split(";"):
            b.nationality(nationality)
        number = (row.get("document_number") or "").strip()
        if number:
            b.document(number, row.get("document_state"))
    for entry_id, (b, source, reason) in builders.items():
        entry = b.build(entry_id, source, reason)
        if entry is not None:
            yield entry


def write_csv(entries: Iterable[Entry], out: io.TextIOBase | io.StringIO, list_id: str = "") -> None:
    """Entries as our CSV (one row per entry; extra documents as extra rows): used by the generator."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        surname, given = _split_display(e.names[0]) if e.names else ("", "")
        aliases = "|".join([*e.names[1:], *("?" + w for w in e.weak_names)])
        dobs = ";".join(d.describe().removeprefix("circa ") for d in e.dobs)
        docs = e.documents or ((None, None),)
        for i, (number, state) in enumerate(docs):
            if i == 0:
                writer.writerow((list_id or e.source or "", e.id, surname, given, aliases, dobs, ";".join(e.nationalities),
                                 number or "", state or "", e.reason or ""))
            else:
                writer.writerow((list_id or e.source or "", e.id, "", "", "", "", "", number or "", state or "", ""))


def _split_display(name: str) -> tuple[str, str]:
    if "," in name:
        surname, given = name.split(",", 1)
        return surname.strip(), given.strip()
    return name, ""
