"""PAXLST content rules: country codes, dates, document numbers, totals (ICAO Doc 9303 and sense).

Two kinds, as DESIGN.md §6.3 sets out. Code-list and format faults (a nationality that is no
ISO 3166 / ICAO code, a date that is no date) are syntax-level findings at their element, so a
CONTRL points at them. Business rules (a document expired before the flight, a birth after it,
control totals) are BUSINESS findings: reported, never rejecting, severity set by the profile.

Finding texts never repeat the personal data they are about: no names, document numbers or
dates of birth, only what kind of fault it is and where.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from validators.edifact.tokenizer import Segment
from validators.elements import MONTH_DAYS, valid_calendar
from validators.icao import countries
from validators.icao.countries import ISO_3166_1, Role
from validators.paxlst import segments
from validators.paxlst.manifest import Manifest, local_datetime
from validators.paxlst.requirements import REQUIREMENTS
from validators.profiles import Profile
from validators.reference.airports import AIRPORT_ZONES
from validators.report import Scope
from validators.structure import Node

# (code, scope, segment, element, component, params) → a finding; supplied by the caller
Report = Callable[[str, Scope, Segment, int | None, int | None, dict[str, str]], None]

# DTM 2005 qualifiers whose value is a date (YYMMDD/CCYYMMDD) or a date and time (format 201/203)
DATE_QUALIFIERS = {"329": "date of birth", "36": "document expiry date", "182": "document issue date"}
TIME_QUALIFIERS = {"189": "departure date/time", "232": "arrival date/time", "554": "filed date/time"}
# LOC 3227 qualifiers in a traveller group whose place is a country code
COUNTRY_PLACES = {"174": "country of residence"}
# Document numbers as the MRZ can hold them: passports and visas 9 characters (longer only by the TD1
# overflow rule, which passports do not use); other documents up to 35.
DOCUMENT_NUMBER = {"P": re.compile(r"[A-Z0-9]{1,9}"), "V": re.compile(r"[A-Z0-9]{1,9}")}
OTHER_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9]{1,35}")
OLDEST_AGE = 120
LONGEST_FLIGHT_HOURS = 20  # the longest scheduled flights take about 19 hours
# CNT 6069 → the traveller roles it totals (STANDARDS.md §2.3.6: 42 passengers, 41 crew)
TOTALS = {"42": ("passenger", "in-transit passenger"), "41": ("crew", "in-transit crew")}


# Which qualifiers belong in which segment group: a LOC+91 (document issue) read into a flight's
# SG3 is a structure fault the tag alone cannot show (0085 14, value not supported in this position).
GROUP_QUALIFIERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("SG1", "NAD"): segments.NAD_REPORTING_PARTY_CODES, ("SG4", "NAD"): segments.NAD_TRAVELLER_CODES,
    ("SG3", "LOC"): segments.LOC_FLIGHT_CODES, ("SG4", "LOC"): segments.LOC_TRAVELLER_CODES,
    ("SG5", "LOC"): segments.LOC_DOCUMENT_CODES,
    ("SG3", "DTM"): segments.DTM_FLIGHT_CODES, ("SG4", "DTM"): segments.DTM_TRAVELLER_CODES,
    ("SG5", "DTM"): segments.DTM_DOCUMENT_CODES,
}
_QUALIFIER_UNIONS = {"NAD": segments.NAD_PARTY_CODES, "LOC": segments.LOC_FUNCTION_CODES, "DTM": segments.DTM_FUNCTION_CODES}
# The same data arranged for the check that looks at every segment of every group: group name → tag →
# (codes allowed there, as listed and as a set; the codes any group knows, as a set).
_GROUP_QUALIFIER_SETS: dict[str, dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]]] = {}
for (_group_name, _tag), _allowed in GROUP_QUALIFIERS.items():
    _GROUP_QUALIFIER_SETS.setdefault(_group_name, {})[_tag] = (
        _allowed, frozenset(_allowed), frozenset(_QUALIFIER_UNIONS[_tag]))
_TRAVELLER_QUALIFIERS = _GROUP_QUALIFIER_SETS["SG4"]
_DOCUMENT_QUALIFIERS = _GROUP_QUALIFIER_SETS["SG5"]
_TRAVELLER_TAGS = frozenset({*_TRAVELLER_QUALIFIERS, "NAT"})  # the traveller segments a rule here looks at


def check_content(root: Node, manifest: Manifest, flight_day: date | None, profile: Profile, report: Report) -> None:
    """Every content rule over one PAXLST message (its walked groups and its Manifest)."""
    _check_group_qualifiers(root, report)
    for group in root.children("SG2"):
        _check_flight_times(group, report)
    for group in root.children("SG2"):
        for leg in group.children("SG3"):
            for dtm in leg.all("DTM"):
                _check_date(dtm, dtm.elements, report)
    travellers = [group for group in root.groups if group.rule.name == "SG4"]
    required = [REQUIREMENTS[name] for name in profile.paxlst_require]
    # the Manifest's dates are ISO text, which orders as the dates do: the flight day and the earliest
    # plausible birth are compared as text too, not turned into a date for every traveller
    day = flight_day.isoformat() if flight_day is not None else ""
    earliest_birth = _days_before(flight_day, OLDEST_AGE * 366)
    # the texts of traveller segments (dates aside) found clean so far: the checks depend on the text
    # alone, and a list repeats most of them on every traveller (LOC+178+LHR, NAT+2+GBR)
    clean: set[str] = set()
    clean_in_documents: set[str] = set()  # the same for document groups, whose qualifiers differ (LOC+91+GBR)
    for group, traveller in zip(travellers, manifest.travellers, strict=True):
        # one pass over the traveller's segments, the usual values judged inline (this runs for every
        # person on every list); a value that fails is explained by the helper that names the fault
        for segment in group.segments:
            tag = segment.tag
            if tag not in _TRAVELLER_TAGS or segment.raw in clean:
                continue
            elements = segment.elements
            qualifier = elements[0][0] if elements else ""
            qualifiers = _TRAVELLER_QUALIFIERS.get(tag)
            fine = True
            if qualifiers is not None and qualifier not in qualifiers[1]:
                _check_qualifier(segment, qualifier, group, qualifiers, report)
                fine = False
            if tag == "DTM":
                _check_date(segment, elements, report)
                continue  # dates are mostly distinct: not remembered
            if tag == "NAT" or (tag == "LOC" and qualifier in COUNTRY_PLACES):
                code = elements[1][0] if len(elements) > 1 else ""
                if code and code not in ISO_3166_1:
                    place = "nationality" if tag == "NAT" else COUNTRY_PLACES[qualifier]
                    _check_country(segment, 2, place, countries.is_nationality, "nationality", report)
                    fine = False
            if fine:
                clean.add(segment.raw)
        born = traveller.birth_date
        if born and day and (born > day or born < earliest_birth):
            birth = next(d for d in group.all("DTM") if d.value(1, 1) == "329")  # where birth_date was read
            if born > day:
                report("PAXLST-BIRTH-FUTURE", Scope.BUSINESS, birth, 1, 2, {})
            else:
                report("PAXLST-BIRTH-AGE", Scope.BUSINESS, birth, 1, 2, {"years": str(OLDEST_AGE)})
        if traveller.documents:
            documents = iter(traveller.documents)
            for doc_group in group.groups:
                if doc_group.rule.name == "SG5":
                    _check_document(doc_group, next(documents).expiry, day, clean_in_documents, report)
        if required:
            missing = [requirement.words for requirement in required if not requirement.present(traveller)]
            if missing:
                report("PAXLST-REQUIRED", Scope.BUSINESS, group.segments[0], None, None, {
                    "profile": profile.name, "missing": ", ".join(missing)})
    _check_totals(root, manifest, report)


def check_part(header: Segment, manifest: Manifest, report: Report) -> None:
    """UNH 0068 and S010 of one message: a multi-part list must be joinable and its markers sane.

    Parts are C (first) … F (final), numbered from 01; middle parts may carry no marker, and a lone
    ``01`` without one is common for single lists (CBP crew lists), so it passes. Whether
    all parts arrived, and their totals, is the gateway's to judge across messages (DESIGN.md §6.4).
    """
    part = manifest.part
    sequence, marker = part.sequence, part.first_last
    if sequence is None:
        return
    multipart = sequence > 1 or marker == "C"
    if marker == "C" and sequence != 1:
        report("PAXLST-PART-MARKER", Scope.MESSAGE, header, 4, 2, {
            "marker": "C (first part)", "sequence": f"{sequence:02d}", "why": "only transfer 01 can be the first"})
    if multipart and not part.common_access_reference:
        report("PAXLST-PART-REFERENCE", Scope.MESSAGE, header, 3, None, {"sequence": f"{sequence:02d}"})


def _check_group_qualifiers(node: Node, report: Report) -> None:
    """The qualifiers of the groups above the travellers (SG1-SG3); a traveller's (SG4, SG5) are
    checked in the pass over the traveller, with its other rules."""
    for group in node.groups:
        if group.rule.name == "SG4":
            continue
        by_tag = _GROUP_QUALIFIER_SETS.get(group.rule.name)
        if by_tag is not None:
            for segment in group.segments:
                qualifiers = by_tag.get(segment.tag)
                if qualifiers is not None:
                    elements = segment.elements
                    _check_qualifier(segment, elements[0][0] if elements else "", group, qualifiers, report)
        if group.groups:
            _check_group_qualifiers(group, report)


def _check_qualifier(segment: Segment, qualifier: str, group: Node,
                     qualifiers: tuple[tuple[str, ...], frozenset[str], frozenset[str]], report: Report) -> None:
    allowed, allowed_set, known = qualifiers
    # a code no group knows is the layout's MSG-ELEMENT-CODE; here only codes of another group
    if qualifier and qualifier not in allowed_set and qualifier in known:
        report("PAXLST-QUALIFIER-GROUP", Scope.SEGMENT, segment, 1, 1 if segment.tag == "DTM" else None, {
            "tag": segment.tag, "value": qualifier, "group_name": f"{group.rule.name} ({group.rule.title})",
            "allowed": ", ".join(allowed)})


def _check_flight_times(flight: Node, report: Report) -> None:
    """Each arrival after the departure before it, compared in UTC (times are local airport times),
    and no leg longer than the longest flights flown; unknown airports are named, not guessed."""
    departure: tuple[datetime, Segment] | None = None
    for leg in flight.children("SG3"):
        loc = leg.first("LOC")
        assert loc is not None
        airport = loc.value(2)
        if airport and loc.value(1) in segments.LOC_FLIGHT_CODES and airport not in AIRPORT_ZONES:
            report("PAXLST-AIRPORT", Scope.BUSINESS, loc, 2, None, {"value": repr(airport)})
        for dtm in leg.all("DTM"):
            moment = _utc(dtm, AIRPORT_ZONES.get(airport))
            if moment is None:
                continue
            if dtm.value(1, 1) == "189":
                departure = (moment, dtm)
            elif dtm.value(1, 1) == "232" and departure is not None:
                hours = (moment - departure[0]).total_seconds() / 3600
                if hours <= 0:
                    report("PAXLST-FLIGHT-TIMES", Scope.BUSINESS, dtm, 1, 2, {
                        "what": f"is {-hours:.1f} hours before the departure (in UTC)"})
                elif hours > LONGEST_FLIGHT_HOURS:
                    report("PAXLST-FLIGHT-TIMES", Scope.BUSINESS, dtm, 1, 2, {
                        "what": f"is {hours:.1f} hours after the departure (in UTC), longer than any flight"})
                departure = None


def _utc(dtm: Segment, zone: str | None) -> datetime | None:
    """A DTM 189/232 time in UTC, when it is a time and its airport is known."""
    if zone is None or dtm.value(1, 1) not in ("189", "232"):
        return None
    local = local_datetime(dtm)
    try:
        return None if local is None else local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    except ZoneInfoNotFoundError:
        return None


def _check_country(segment: Segment, element: int, what: str, accepts: Callable[[str], bool], role: Role,
                   report: Report) -> None:
    code = segment.value(element)
    if not code or accepts(code):
        return
    suggestions = countries.did_you_mean(code, role)
    hint = f"did you mean {' or '.join(suggestions)}?" if suggestions else "an ISO 3166-1 alpha-3 or ICAO Doc 9303 code"
    report("PAXLST-COUNTRY-CODE", Scope.SEGMENT, segment, element, None, {"what": what, "value": repr(code), "suggestion": hint})


def _check_date(dtm: Segment, elements: list[list[str]], report: Report) -> None:
    """A DTM's value as its qualifier wants it; ``elements`` are the DTM's, already read by the caller."""
    c507 = elements[0] if elements else ("",)
    value = c507[1] if len(c507) > 1 else ""
    if not value:
        return
    qualifier = c507[0]
    if qualifier in DATE_QUALIFIERS:
        # the usual YYMMDD of a birth or an expiry passes on its month and day (valid_calendar's test) at once
        if (len(value) == 6 and (month_day := value[2:]) in MONTH_DAYS and month_day != "0229"
                and value.isdigit() and value.isascii()):
            return
        if len(value) not in (6, 8) or not valid_calendar("date", value):
            report("PAXLST-DATE", Scope.SEGMENT, dtm, 1, 2, {
                "what": DATE_QUALIFIERS[qualifier], "format": "YYMMDD or CCYYMMDD"})
    elif qualifier in TIME_QUALIFIERS:
        fmt = c507[2] if len(c507) > 2 else ""
        expected = 12 if fmt == "203" else 10
        if len(value) != expected or not (valid_calendar("date", value[:expected - 4])
                                         and valid_calendar("time", value[expected - 4:])):
            report("PAXLST-DATE", Scope.SEGMENT, dtm, 1, 2, {
                "what": TIME_QUALIFIERS[qualifier], "format": "CCYYMMDDHHMM" if fmt == "203" else "YYMMDDHHMM"})


def _days_before(day: date | None, days: int) -> str:
    """The ISO date ``days`` before ``day``; "" (before any ISO date) when there is no day or that
    would be before the year 1."""
    if day is None or day.toordinal() <= days:
        return ""
    return (day - timedelta(days=days)).isoformat()


def _check_document(group: Node, expiry: str | None, day: str, clean: set[str], report: Report) -> None:
    """One pass over a document group: the DOC (its trigger, always first), then its dates and
    issuing state in table order (DTM before LOC). ``day`` is the flight day as ISO text, "" when
    unknown; ``clean`` the texts (dates aside) found clean in document groups so far."""
    segments = group.segments
    doc = segments[0]
    elements = doc.elements
    kind = elements[0][0] if elements else ""
    number = elements[1][0] if len(elements) > 1 else ""
    pattern = DOCUMENT_NUMBER.get(kind, OTHER_DOCUMENT_NUMBER)
    if number and not pattern.fullmatch(number):
        report("PAXLST-DOC-NUMBER", Scope.BUSINESS, doc, 2, None, {
            "type": kind or "?", "length": str(len(number)),
            "expected": "up to 9 letters A-Z and digits" if pattern is not OTHER_DOCUMENT_NUMBER
            else "up to 35 letters A-Z and digits"})
    for segment in segments[1:]:
        tag = segment.tag
        qualifiers = _DOCUMENT_QUALIFIERS.get(tag)
        if qualifiers is None or segment.raw in clean:
            continue
        elements = segment.elements
        qualifier = elements[0][0] if elements else ""
        fine = qualifier in qualifiers[1]
        if not fine:
            _check_qualifier(segment, qualifier, group, qualifiers, report)
        if tag == "DTM":
            _check_date(segment, elements, report)
            continue  # dates are mostly distinct: not remembered
        if qualifier == "91":
            code = elements[1][0] if len(elements) > 1 else ""
            if code and code not in ISO_3166_1:
                _check_country(segment, 2, "document issuing state", countries.is_issuer, "issuer", report)
                fine = False
        if fine:
            clean.add(segment.raw)
    if expiry and expiry < day:
        dtm = next(d for d in group.all("DTM") if d.value(1, 1) == "36")
        days = date.fromisoformat(day) - date.fromisoformat(expiry)
        report("PAXLST-DOC-EXPIRED", Scope.BUSINESS, dtm, 1, 2, {"days": str(days.days)})


def _check_totals(root: Node, manifest: Manifest, report: Report) -> None:
    for cnt in root.all("CNT"):
        qualifier, value = cnt.value(1, 1), cnt.value(1, 2)
        roles = TOTALS.get(qualifier)
        if roles is None or manifest.part.first_last == "C" or (manifest.part.sequence or 1) > 1:
            continue  # a part of a multi-part list: the totals are the gateway's to check across parts
        actual = sum(1 for t in manifest.travellers if t.role in roles)
        if value.isascii() and value.isdigit() and int(value) != actual:
            report("PAXLST-CNT-TOTAL", Scope.BUSINESS, cnt, 1, 2, {
                "found": value, "actual": str(actual), "what": "passengers" if qualifier == "42" else "crew members"})
