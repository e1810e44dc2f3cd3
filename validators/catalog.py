"""The catalogue of finding codes: one row per rule, as data.

Codes are stable: carriers key their own tooling on them, so a code is never reused for another
meaning. Each row gives the default severity (a profile or carrier tolerance may override it when
``adjustable``), the ISO 9735 syntax error code (data element 0085) that CONTRL reports, a
plain-English explanation and, where one exists, what would be right. ``{name}`` fields are filled
from the finding's parameters; parameters never carry personal data, only positions, tags, codes,
counts and references.

``paxgate codes`` prints this table and ``docs/FINDINGS.md`` is generated from it.
"""

from __future__ import annotations

from typing import NamedTuple

from validators.report import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


class Rule(NamedTuple):
    code: str
    severity: Severity
    syntax_error: int | None
    explanation: str
    expected: str | None = None
    adjustable: bool = True


_RULES: tuple[Rule, ...] = (
    # --- what arrives around the interchange (preprocessing) -------------------------------------
    Rule("EDI-PRE-EMPTY", E, 13, "The file is empty.", "an EDIFACT interchange starting with UNA or UNB", False),
    Rule("EDI-PRE-NO-INTERCHANGE", E, 13, "No EDIFACT interchange was found: {what}.",
         "an interchange starting with 'UNA' (service string advice) or 'UNB' (interchange header)", False),
    Rule("EDI-PRE-TYPEB", I, None, "A Type B / STX-ETX transmission wrapper ({size} bytes) around the interchange was removed.",
         "the interchange alone, starting with UNA or UNB"),
    Rule("EDI-PRE-JUNK-BEFORE", W, None, "{size} bytes before the interchange header were ignored.",
         "nothing before 'UNA' or 'UNB'"),
    Rule("EDI-PRE-JUNK-AFTER", W, None, "{size} bytes after the interchange trailer UNZ were ignored.",
         "nothing after the final UNZ segment"),
    Rule("EDI-PRE-BUNDLE", I, None, "The file holds {count} interchanges; each is checked and acknowledged on its own.",
         "one interchange per file"),
    Rule("EDI-LIMIT-FINDINGS", W, None, "{dropped} more findings are not listed (at most {limit} warnings and notes per file, "
         "100 errors per message); every rejected message still shows an error.", None, False),
    # --- service string advice (UNA) -------------------------------------------------------------
    Rule("EDI-UNA-LENGTH", E, 22, "The service string advice UNA holds {length} characters after 'UNA'.",
         "exactly six characters after 'UNA', e.g. UNA:+.? '", False),
    Rule("EDI-UNA-CHAR", E, 20, "UNA position {position} ({role}) is {char}, which cannot be a service character.",
         "a character that is neither a letter, a digit nor a space{extra}"),
    Rule("EDI-UNA-CLASH", E, 20, "UNA uses {char} both as {role} and as {other}.", "six distinct service characters", False),
    Rule("EDI-UNA-DECIMAL", W, 20, "UNA position 3 (decimal mark) is {char}.", "'.' or ','"),
    Rule("EDI-UNA-REPETITION-V3", I, 20,
         "UNA position 5 declares repetition separator {char}, but syntax version {version} has no repetition separator.",
         "a space in UNA position 5 (reserved) for syntax versions below 4"),
    # --- syntax identifier and character repertoire ----------------------------------------------
    Rule("EDI-SYNTAX-ID", E, 2, "Syntax identifier {value} is not supported.",
         "one of UNOA, UNOB, UNOC…UNOK, UNOW, UNOX, UNOY, IATA, IATB", False),
    Rule("EDI-SYNTAX-VERSION", E, 2, "Syntax version {value} is not supported.", "1, 2, 3 or 4", False),
    Rule("EDI-CHAR-INVALID", E, 21, "{count} character(s) not allowed by syntax identifier {syntax}: {what}.", "{allowed}"),
    Rule("EDI-SEG-LINEBREAK", E, 21, "A line break inside the segment is part of its data.",
         "line breaks only between segments, after the segment terminator"),
    # --- segment layer ---------------------------------------------------------------------------
    Rule("EDI-SEG-WHITESPACE", I, None, "Line breaks or spaces between segments ({count} places) were ignored.",
         "each segment to follow the previous terminator directly"),
    Rule("EDI-SEG-TAG", E, 12, "Segment tag {tag} is not valid.", "three characters: an upper-case letter then two upper-case letters or digits", False),
    Rule("EDI-SEG-EMPTY", E, 12, "An empty segment (a segment terminator with nothing before it).", "no empty segments", False),
    Rule("EDI-SEG-UNTERMINATED", E, 13, "The last segment ({tag}) has no segment terminator {terminator}.",
         "every segment to end with {terminator}", False),
    Rule("EDI-SEG-TRAILING-SEPARATOR", W, 45, "The segment ends with a separator: empty trailing data elements or components must be left out.",
         "the segment terminator right after the last non-empty data element or component"),
    Rule("EDI-RELEASE-TRAILING", E, 22, "The release character {release} at the end of the data releases nothing.",
         "the release character only directly before a service character", False),
    Rule("EDI-RELEASE-DATA", W, 22, "The release character {release} is followed by {char}, which is not a service character; the {char} is kept as data.",
         "the release character only before : + ' ? or another declared service character"),
    # --- envelope (UNB/UNZ, UNG/UNE, UNH/UNT) ----------------------------------------------------
    Rule("EDI-UNB-MISSING", E, 13, "The interchange does not start with an interchange header UNB (found {tag}).",
         "UNB right after the optional UNA", False),
    Rule("EDI-UNZ-MISSING", E, 13, "The interchange trailer UNZ is missing.", "UNZ+<count>+{reference}", False),
    Rule("EDI-UNZ-REFERENCE", E, 28, "UNZ interchange control reference {found} does not match UNB {reference}.", "{reference}"),
    Rule("EDI-UNZ-COUNT", E, 29, "UNZ says {found} {what}, the interchange holds {actual}.", "{actual}"),
    Rule("EDI-UNB-RECIPIENT", E, 7, "Interchange recipient {value} is not this gateway.", "one of: {allowed}"),
    Rule("EDI-UNB-ACK-REQUEST", E, 12, "Acknowledgement request (0031) {value} is not a valid code for syntax version {version}.", "{allowed}"),
    Rule("EDI-UNB-TEST-INDICATOR", E, 12, "Test indicator (0035) {value} is not a valid code for syntax version {version}.", "{allowed}"),
    Rule("EDI-UNB-SENDER", E, 23, "Interchange sender {value} is not among the sender ids of the account that sent it.",
         "one of: {allowed}", False),
    Rule("EDI-UNB-DUPLICATE", E, 26, "Interchange {reference} from {sender} was received before (receipt {receipt}) with different content.",
         "a new interchange control reference (0020) for every new interchange", False),
    Rule("EDI-UNG-MIXED", E, 30, "Functional groups (UNG) and messages outside groups are mixed in one interchange.",
         "either every message inside a UNG…UNE group or none"),
    Rule("EDI-UNE-MISSING", E, 13, "Functional group {reference} has no group trailer UNE.", "UNE+<count>+{reference}", False),
    Rule("EDI-UNE-REFERENCE", E, 28, "UNE group reference {found} does not match UNG {reference}.", "{reference}"),
    Rule("EDI-UNE-COUNT", E, 29, "UNE says {found} messages, the group holds {actual}.", "{actual}"),
    Rule("EDI-UNG-EMPTY", E, 32, "Functional group {reference} holds no message.", "at least one UNH…UNT message in the group"),
    Rule("EDI-UNG-MESSAGE-TYPE", E, 31, "Message type {found} differs from the group's message type {group_type}.",
         "only {group_type} messages in this group"),
    Rule("EDI-INTERCHANGE-EMPTY", E, 32, "The interchange holds no message.", "at least one UNH…UNT message"),
    Rule("EDI-UNT-MISSING", E, 13, "Message {reference} has no message trailer UNT (found {found}).", "UNT+<segment count>+{reference}", False),
    Rule("EDI-UNT-REFERENCE", E, 28, "UNT message reference {found} does not match UNH {reference}.", "{reference}"),
    Rule("EDI-UNT-COUNT", E, 29, "UNT says {found} segments, the message holds {actual} (UNH and UNT included).", "{actual}"),
    Rule("EDI-UNH-DUPLICATE", E, 26, "Message reference {reference} is used by message {first} already in this interchange.",
         "a message reference unique within the interchange"),
    Rule("EDI-SEG-OUTSIDE", E, 33, "Segment {tag} stands outside any message.", "every segment between UNH and UNT", False),
    # --- message structure (segment tables: validators/structure.py) -----------------------------
    Rule("MSG-CARRIER-NOT-ALLOWED", E, 12, "Carrier {value} is not among the carriers the sending account may report for.",
         "one of: {allowed}", False),
    Rule("MSG-SEGMENT-MISSING", E, 13, "Mandatory segment {tag} ({name}) is missing {where} after this segment; {found} came instead.",
         "{tag} before {found}"),
    Rule("MSG-GROUP-MISSING", E, 13, "Mandatory segment group {group_name}{title}, opened by {tag}, is missing {where} after this segment; {found} came instead.",
         "a {tag} segment opening {group_name} before {found}"),
    Rule("MSG-SEGMENT-UNEXPECTED", E, 15, "Segment {tag} cannot stand here (the reader is {where}).", "one of: {expected}"),
    Rule("MSG-SEGMENT-UNKNOWN", E, 15, "Segment {tag} is not part of {message_type} as the {profile} define it.",
         "one of: {expected}"),
    Rule("MSG-SEGMENT-REPEAT", E, 35, "Segment {tag} occurs more than {max} times {where}.", "at most {max} {tag} there"),
    Rule("MSG-GROUP-REPEAT", E, 36, "Segment group {group_name}{title}, opened by {tag}, occurs more than {max} times.",
         "at most {max}"),
    Rule("MSG-ELEMENT-MISSING", E, 13, "{tag} {name} ({ident}) is missing.", "{format}"),
    Rule("MSG-ELEMENT-TOO-MANY", E, 16, "{tag} has more {what} than its layout allows ({count} > {max}).", "at most {max}"),
    Rule("MSG-ELEMENT-NOT-NUMERIC", E, 37, "{tag} {name} ({ident}) must be numeric.", "{format}"),
    Rule("MSG-ELEMENT-TOO-LONG", E, 39, "{tag} {name} ({ident}) has {length} characters, at most {max} are allowed.", "{format}"),
    Rule("MSG-ELEMENT-TOO-SHORT", E, 40, "{tag} {name} ({ident}) has {length} characters, at least {min} are required.", "{format}"),
    Rule("MSG-ELEMENT-DATE", E, 12, "{tag} {name} ({ident}) is not a valid {kind}.", "{format}"),
    Rule("MSG-ELEMENT-CODE", E, 12, "{tag} {name} ({ident}) {value} is not in the code list.", "one of {allowed}"),
    # --- PAXLST content (validators/paxlst/rules.py): code lists and formats reject like syntax ----
    Rule("PAXLST-COUNTRY-CODE", E, 12, "The {what} {value} is not an ISO 3166-1 alpha-3 or ICAO Doc 9303 code for it.",
         "{suggestion}"),
    Rule("PAXLST-DIRECTORY", E, 14, "PAXLST directory {found} is not accepted by profile {profile}.", "one of {allowed}"),
    Rule("PAXLST-PART-MARKER", W, 12, "UNH S010 has {marker} on transfer {sequence}: {why}.",
         "C on transfer 01 of several, F on the last (or only) one, nothing or neither in between"),
    Rule("PAXLST-PART-REFERENCE", W, None, "Transfer {sequence} of a multi-part list has no common access reference (UNH 0068).",
         "the same 0068 (e.g. flight/date/time) on every part, so the parts can be joined"),
    Rule("PAXLST-PART-DUPLICATE", W, 26, "Transfer {sequence} of this list came already in message {first} of this interchange.",
         "each part once"),
    Rule("PAXLST-QUALIFIER-GROUP", E, 14, "{tag}+{value} belongs in another segment group, not in {group_name}.",
         "here, one of {allowed}; or the segment where it belongs"),
    Rule("PAXLST-DATE", E, 12, "The {what} is not a valid date in the format it declares.", "{format}"),
    # --- PAXLST business rules: findings that never reject (DESIGN.md §6.3); the profile sets severity
    Rule("PAXLST-DOC-EXPIRED", W, None, "The travel document expired {days} day(s) before the flight.",
         "a document valid on the day of travel"),
    Rule("PAXLST-DOC-NUMBER", W, None, "The document number ({type}) has {length} characters or characters outside A-Z 0-9.",
         "{expected}, as in the machine-readable zone"),
    Rule("PAXLST-BIRTH-FUTURE", W, None, "The date of birth is after the flight.", "the traveller's real date of birth"),
    Rule("PAXLST-BIRTH-AGE", W, None, "The date of birth makes the traveller older than {years} years.",
         "the traveller's real date of birth (a wrong century?)"),
    Rule("PAXLST-REQUIRED", W, None, "Profile {profile} requires {missing} for every traveller; this traveller has none.",
         "{missing}"),
    Rule("PAXLST-FLIGHT-TIMES", W, None, "The arrival time {what}.", "local times at each airport that keep arrival after departure"),
    Rule("PAXLST-AIRPORT", W, None, "Airport {value} is not an IATA airport code known here.", "the IATA code of the airport"),
    Rule("PAXLST-CNT-TOTAL", W, None, "CNT says {found} {what}, the message lists {actual}.", "{actual}"),
    # --- PNRGOV EDIFACT (validators/pnrgov/): the version, then business rules that never reject ------
    Rule("PNR-VERSION", E, 14, "PNRGOV version {found} is not accepted by profile {profile}.", "one of {allowed}"),
    Rule("PNR-EQN-TOTAL", W, None, "EQN says the push holds {declared} PNRs; this message, the whole push, holds {found}.",
         "{found}"),
    Rule("PNR-LOCATOR-MISSING", W, None, "The PNR has no record locator (RCI).",
         "RCI+<airline>:<record locator> right after SRC"),
    Rule("PNR-LOCATOR-DUPLICATE", W, None, "The record locator is the same as that of the PNR at segment {first}.",
         "each PNR once per push"),
    Rule("PNR-TRAVELLER-REF-DUPLICATE", W, None, "Traveller reference {reference} is given to two travellers of this PNR.",
         "a reference unique within the PNR (SSR and TRI point at travellers by it)"),
    Rule("PNR-DOCS-UNREADABLE", W, None, "The SSR DOCS free text does not hold the nine slash-separated fields.",
         "/type/issuer/number/nationality/DDMMMYY birth/gender/DDMMMYY expiry/surname/given names"),
    Rule("PNR-DOCS-DATE", W, None, "The SSR DOCS {what} is not a real date.", "DDMMMYY, e.g. 15MAR80"),
    Rule("PNR-DOCS-COUNTRY", W, None, "The SSR DOCS {what} {value} is not an ISO 3166-1 alpha-3 or ICAO Doc 9303 code.",
         "{suggestion}"),
    Rule("PNR-DOCS-GENDER", W, None, "The SSR DOCS gender {value} is not a known code.", "M, F, U, X, or MI/FI for an infant"),
    Rule("PNR-CANCELLED-IN-FULL", W, None, "A cancelled PNR (empty ORG) is in a full push.",
         "a full push leaves cancelled PNRs out; an update push reports them"),
    Rule("PNR-CANCELLED-CONTENT", W, None, "A cancelled PNR carries more than SRC, RCI and an empty ORG: {extra}.",
         "SRC, RCI and an empty ORG only"),
    Rule("PNR-FLIGHT-NOT-IN-ITINERARY", I, None, "The PNR's itinerary does not hold the pushed flight {flight}.",
         "the pushed flight among the PNR's segments (TVL), or the PNR left out of this push"),
    Rule("PNR-SENSITIVE-MASKED", I, None, "Sensitive data ({category}, {kind}) was masked at ingress; it is neither kept, "
         "forwarded nor shown.", None),
    # --- data elements of service segments (format checks) ----------------------------------------
    Rule("EDI-ENV-MISSING", E, 13, "{tag} {name} ({ident}) is missing.", "{format}"),
    Rule("EDI-ENV-TOO-LONG", E, 39, "{tag} {name} ({ident}) has {length} characters, at most {max} are allowed.", "{format}"),
    Rule("EDI-ENV-TOO-SHORT", E, 40, "{tag} {name} ({ident}) has {length} characters, at least {min} are required.", "{format}"),
    Rule("EDI-ENV-NOT-NUMERIC", E, 37, "{tag} {name} ({ident}) must be numeric.", "{format}"),
    Rule("EDI-ENV-TOO-MANY", E, 16, "{tag} has more {what} than the syntax allows ({count} > {max}).", "at most {max}"),
    Rule("EDI-ENV-DATE", E, 12, "{tag} {name} ({ident}) {value} is not a valid {kind}.", "{format}"),
    Rule("EDI-ENV-CODE", E, 12, "{tag} {name} ({ident}) {value} is not a valid code.", "{allowed}"),
    # --- PNRGOV XML (validators/pnrgov/xml.py) ----------------------------------------------------------
    # Format faults of an IATA_PNRGOV_NotifRQ document (scope message: they reject, no CONTRL 0085 code),
    # then business observations (scope business: never reject). Parameters never carry document values.
    Rule("PNR-XML-DOCTYPE", E, None, "The document has a document type declaration (DOCTYPE); it was refused unread, "
         "so no entity was expanded and no DTD or file was fetched.", "no DOCTYPE: a PNRGOV XML push needs no DTD", False),
    Rule("PNR-XML-MALFORMED", E, None, "The document is not well-formed XML: {reason}.", "well-formed XML 1.0", False),
    Rule("PNR-XML-ENCODING", E, None, "The document's bytes do not match its encoding: {reason}.",
         "UTF-8, or the encoding the XML declaration names, truthfully", False),
    Rule("PNR-XML-LIMIT", E, None, "The document exceeds a parser safety limit: {reason}.",
         "nesting under 256 levels, each text or attribute value under 10 MB", False),
    Rule("PNR-XML-XINCLUDE", E, None, "An XInclude element ({name}) was found; it is never followed.",
         "the data inline: a push includes nothing from elsewhere", False),
    Rule("PNR-XML-PI", W, None, "A processing instruction <?{target}?> was ignored; it is never followed.",
         "no processing instructions besides the XML declaration"),
    Rule("PNR-XML-ROOT", E, None, "The root element is {found}, not a PNRGOV push.",
         "IATA_PNRGOV_NotifRQ in no namespace or in {namespace}", False),
    Rule("PNR-XML-NAMESPACE", I, None, "The document is in {found}; it was read in {wanted}, the namespace of schema {schema}.",
         "{wanted}"),
    Rule("PNR-XML-SCHEMA", E, None, "Not valid against {schema}: {reason}.", None),
    Rule("PNR-XML-SCHEMA-UNUSABLE", E, None, "The XML schema {schema} of profile {profile} cannot be used ({reason}); "
         "the document was not validated.", "a self-contained XSD 1.0 (no xs:include, xs:import or xs:redefine with a "
         "schemaLocation)", False),
    Rule("PNR-XML-NO-SCHEMA", I, None, "Profile {profile} loads no XML schema: the document was checked for well-formedness, "
         "its root and the data paxgate reads, not against an XSD.", "a profile with an XSD (configs/schemas/pnrgov-xml-13.1.xsd "
         "by default, or [pnrgov] xml_schema)"),
    Rule("PNR-XML-SHAPE", E, None, "{what} is missing.", "{wanted}"),
    Rule("PNR-XML-PNR-COUNT", W, None, "PNRs says NumberOfPnrs={declared}, the document holds {actual} PNR elements.", "{actual}"),
    Rule("PNR-XML-DUPLICATE-PNR", W, None, "PNR {position} repeats the record locator of PNR {first}.", "each PNR once per push"),
    Rule("PNR-XML-CANCELLED-IN-FULL", W, None, "PNR {position} is marked cancelled in a full push.",
         "a full push leaves cancelled PNRs out; only an update push (PushType=\"Update\") reports them"),
    Rule("PNR-XML-NO-PASSENGER", W, None, "PNR {position} is active but names no passenger.",
         "every active PNR with its passengers"),
    Rule("PNR-XML-FLIGHT-MISSING", W, None, "The itinerary of PNR {position} does not hold the pushed flight {flight}.",
         "the pushed flight among the PNR's Flight elements (as marketing or operating flight)"),
    Rule("PNR-XML-DOC-EXPIRED", W, None, "A travel document expired {days} day(s) before the flight.",
         "a document valid on the day of travel"),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
