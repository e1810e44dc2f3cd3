"""PNRGOV XML pushes (``IATA_PNRGOV_NotifRQ``): hardened parsing, XSD validation, the typed PnrPush.

Sans-I/O like the rest of ``validators``: bytes and the schema's *text* come in, findings and
:class:`~validators.pnrgov.model.PnrPush` models go out. Nothing here opens a file or a socket,
whatever the document or the schema says:

* the document is refused unread when it carries a DOCTYPE (XXE, external DTDs, entity expansion
  and parameter entities all need one), and then parsed by lxml with entities unresolved, no
  network, no DTD loading and libxml2's size and depth limits on (``huge_tree=False``);
* XInclude is never processed (it is reported), processing instructions are never followed;
* the schema must be self-contained (no ``xs:include``/``xs:import`` with a schemaLocation), and
  xmlschema is built with ``allow="none"`` and never follows ``xsi:schemaLocation`` hints.

Validation is lxml's (about 26 times faster than xmlschema, LIBS.md §2). Only when lxml says a
document is invalid is it re-explained with xmlschema, whose errors name the place readably
(``/IATA_PNRGOV_NotifRQ/PNRs/PNR[2]/Passenger[1]/DOC_SSR/DOCS``). Findings carry that path, the
line and the byte offset of the element; they never carry a value from the document (the catalogue's
rule: positions, codes and counts only), so a finding can be logged.

Namespace: paxgate's schema declares IATA's PADIS namespace (``http://www.iata.org/IATA/2007/00``);
many carriers send the same elements in no namespace. Either is accepted: the document's elements
are moved into the schema's namespace before validation, with a note (PNR-XML-NAMESPACE) a profile
may raise to a rejection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from lxml import etree

from validators.findings import ERRORS_PER_PLACE, Findings
from validators.pnrgov.model import (
    Contact,
    ItinerarySegment,
    Passenger,
    Payment,
    Pnr,
    PnrPush,
    PushFlight,
    TravelDocument,
)
from validators.report import Scope

if TYPE_CHECKING:
    import xmlschema  # imported for real on the failure path only (~0.1 s to import, ~0.15 s to build a schema)

IATA_NS = "http://www.iata.org/IATA/2007/00"
ROOT_NAME = "IATA_PNRGOV_NotifRQ"
FORMAT = "pnrgov-xml"
DEFAULT_VERSION = "13.1"  # the first PNRGOV XML version (EU minimum, STANDARDS.md §3.1)
_XSD_NS = "http://www.w3.org/2001/XMLSchema"
_XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
_MESSAGE = 1  # an XML document is one message: findings' location.message
_REASON_MAX = 240

# "<!DOCTYPE" as it appears in every encoding libxml2 detects on its own: a DTD is refused before
# the parser sees it. (The parsed tree is checked again, for encodings not listed here.)
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
_BOMS_16_32 = (b"\xff\xfe", b"\xfe\xff")
_DECLARED_ENCODING = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']")
_WIDE_ENCODINGS = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "ucs-4", "ucs4", "iso-10646")
_LXML_POSITION = re.compile(r",? line \d+, column \d+\s*$")
_CLARK = re.compile(r"\{[^{}\s]*:[^{}\s]*\}")  # {namespace-uri}name: the URI always has a colon
_QUOTED = re.compile(r"'[^']*'")
_ENCODING_ERRORS = frozenset({"ERR_INVALID_ENCODING", "ERR_UNSUPPORTED_ENCODING", "ERR_UNKNOWN_ENCODING"})
_INFANT_TYPES = frozenset({"IN", "INF"})


# --- front door ------------------------------------------------------------------------------------
def is_xml(data: bytes) -> bool:
    """Whether the bytes are an XML document rather than EDIFACT: after an optional byte-order mark
    and whitespace they start with ``<`` (EDIFACT starts with UNA or UNB)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in _BOMS_16_32:  # a UTF-16 document: '<' is followed by a zero byte
        rest = data[2:].lstrip(b" \t\r\n\x00")
        return rest.startswith(b"<")
    return data.lstrip(b" \t\r\n").startswith(b"<")


def check_xml(data: bytes, findings: Findings, schema: str | None, schema_name: str | None) -> list[PnrPush]:
    """Check one PNRGOV XML document and read it; never raises, whatever the bytes are.

    ``schema`` is the XSD text the profile holds (None: well-formedness, root and the shape paxgate
    reads are checked, and a note says no schema was loaded); ``schema_name`` names it in findings.
    Returns the push read (even from an invalid document, as far as it could be read), or nothing
    when the document could not be parsed or is no PNRGOV push.
    """
    doc = _Document(data, findings)
    root = doc.parse()
    if root is None:
        return []
    name = schema_name or "(unnamed schema)"
    compiled: _Schema | None = None
    if schema is not None:
        try:
            compiled = _compile(schema)
        except _SchemaUnusableError as problem:
            findings.add("PNR-XML-SCHEMA-UNUSABLE", Scope.MESSAGE, None, message=_MESSAGE, schema=name,
                         profile=findings.profile.name, reason=str(problem))
            return []
    accepted, namespace = doc.check_root(root, compiled, name)
    if not accepted:
        return []
    doc.check_hazards(root)
    if compiled is not None:
        doc.validate(root, compiled, name)
    else:
        findings.add("PNR-XML-NO-SCHEMA", Scope.MESSAGE, None, message=_MESSAGE, profile=findings.profile.name)
        doc.check_shape(root, namespace)
    reader = _Reader(doc, namespace)
    push = reader.push(root)
    reader.check_business(push)
    return [push]


# --- the document: parsing, hazards, positions -----------------------------------------------------
class _Document:
    """One document's bytes, its findings and the byte offset of any line or element."""

    def __init__(self, data: bytes, findings: Findings) -> None:
        self.data = data
        self.findings = findings
        self._line_starts: list[int] | None = None

    def add(self, code: str, scope: Scope, element: etree._Element | None = None, *, offset: int | None = None,
            path: str | None = None, **params: object) -> None:
        if element is not None:
            offset = self.offset_of(element) if offset is None else offset
            path = element_path(element) if path is None else path
        self.findings.add(code, scope, offset, message=_MESSAGE, path=path, **params)

    def parse(self) -> etree._Element | None:
        data = self.data
        for marker in _DOCTYPE_MARKERS:
            at = data.find(marker)
            if at >= 0:
                self.add("PNR-XML-DOCTYPE", Scope.MESSAGE, offset=at)
                return None
        lie = _encoding_lie(data)
        if lie is not None:
            self.add("PNR-XML-ENCODING", Scope.MESSAGE, offset=0, reason=lie)
            return None
        # A new parser per document: lxml parsers are not to be shared between threads.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                                 huge_tree=False, remove_pis=False, collect_ids=False, remove_blank_text=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            self._syntax_error(error, parser)
            return None
        except (ValueError, etree.LxmlError) as error:  # lxml refusing the input outright (e.g. an empty or odd buffer)
            self.add("PNR-XML-MALFORMED", Scope.MESSAGE, offset=0, reason=_clean(str(error)) or "unreadable input")
            return None
        if root is None:
            self.add("PNR-XML-MALFORMED", Scope.MESSAGE, offset=0, reason="no root element")
            return None
        info = root.getroottree().docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
            self.add("PNR-XML-DOCTYPE", Scope.MESSAGE, offset=0)  # an encoding the byte scan does not know
            return None
        return root

    def _syntax_error(self, error: etree.XMLSyntaxError, parser: etree.XMLParser) -> None:
        entries = list(parser.error_log)
        first = entries[0] if entries else None
        kind = first.type_name if first is not None else ""
        line = first.line if first is not None else (error.lineno or 1)
        column = first.column if first is not None else 1
        reason = _clean(first.message if first is not None else (error.msg or str(error))) or "unreadable"
        code = "PNR-XML-MALFORMED"
        if kind in _ENCODING_ERRORS:
            code = "PNR-XML-ENCODING"
        elif kind == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in reason:
            code = "PNR-XML-LIMIT"
            reason = reason.replace(", use XML_PARSE_HUGE option", "").replace(", try XML_PARSE_HUGE", "")
        self.add(code, Scope.MESSAGE, offset=self.offset_at(line, column), reason=_withhold_values(reason))

    def check_root(self, root: etree._Element, schema: _Schema | None, schema_name: str) -> tuple[bool, str | None]:
        """Whether the document is a PNRGOV push, and the namespace to read it in. Its root may be in
        no namespace, in IATA's or in the schema's; when that differs from the schema's, the
        document's elements are moved into the schema's namespace (with a note) before validation."""
        qname = etree.QName(root)
        found = qname.namespace
        wanted = schema.namespace if schema is not None else found
        if qname.localname != ROOT_NAME or found not in (None, IATA_NS, schema.namespace if schema is not None else None):
            shown = qname.localname if found is None else f"{qname.localname} in namespace {found}"
            self.add("PNR-XML-ROOT", Scope.MESSAGE, root, found=_safe_name(qname.localname) if found is None else shown,
                     namespace=wanted or IATA_NS)
            return False, None
        if found != wanted:
            _move_namespace(root, found, wanted)
            self.add("PNR-XML-NAMESPACE", Scope.MESSAGE, root, found=_namespace_words(found),
                     wanted=_namespace_words(wanted), schema=schema_name)
        return True, wanted

    def check_hazards(self, root: etree._Element) -> None:
        """Report what a hostile or careless document may carry that paxgate never acts on. In an
        ASCII-compatible document a byte scan says first whether there is anything to look for,
        which spares two walks over a clean tree."""
        data = self.data
        wide = data[:2] in _BOMS_16_32 or b"\x00" in data[:4]
        if wide or b"XInclude" in data:
            for namespace in _XINCLUDE_NAMESPACES:
                for element in root.iter(f"{{{namespace}}}*"):
                    self.add("PNR-XML-XINCLUDE", Scope.MESSAGE, element, name=etree.QName(element).localname)
        declared = re.match(rb"<\?xml\s", data.lstrip(b"\xef\xbb\xbf \t\r\n")) is not None
        if not wide and data.count(b"<?") <= declared:
            return
        pis = [*root.itersiblings(etree.ProcessingInstruction, preceding=True),
               *root.iter(etree.ProcessingInstruction), *root.itersiblings(etree.ProcessingInstruction)]
        for pi in pis:
            parent = pi.getparent()
            self.add("PNR-XML-PI", Scope.MESSAGE, offset=self.offset_at(pi.sourceline or 1, 1),
                     path=element_path(parent) if parent is not None else None, target=_safe_name(pi.target))

    def validate(self, root: etree._Element, schema: _Schema, name: str) -> None:
        if schema.lxml.validate(root):
            return
        log = list(schema.lxml.error_log)
        explained = 0
        try:
            for error in schema.explainer().iter_errors(root, use_location_hints=False):
                element = error.elem if isinstance(error.elem, etree._Element) else None
                reason = _withhold_values(_clean(error.reason or str(error)), error.obj)
                self.add("PNR-XML-SCHEMA", Scope.MESSAGE, element, schema=name, reason=reason)
                explained += 1
                if explained >= ERRORS_PER_PLACE:
                    break
        except Exception:  # xmlschema only explains: lxml's own log below still rejects the document
            explained = 0
        if explained:
            return
        tree = root.getroottree()
        for entry in log[:ERRORS_PER_PLACE]:
            element = _resolve(tree, entry.path)
            offset = self.offset_of(element) if element is not None else self.offset_at(entry.line, 1)
            self.add("PNR-XML-SCHEMA", Scope.MESSAGE, element, offset=offset, schema=name,
                     reason=_withhold_values(_clean(entry.message)))

    def check_shape(self, root: etree._Element, namespace: str | None) -> None:
        """Without a schema: what paxgate reads must be there, or the push would be read wrongly."""
        t = _Tags(namespace)
        originator = root.find(t.Originator)
        if originator is None or not originator.get("AirlineCode"):
            self.add("PNR-XML-SHAPE", Scope.MESSAGE, originator if originator is not None else root,
                     what="Originator/@AirlineCode", wanted="the sending airline's code")
        leg = root.find(t.FlightLeg)
        if leg is None or not leg.get("CarrierCode") or not leg.get("FlightNumber"):
            self.add("PNR-XML-SHAPE", Scope.MESSAGE, leg if leg is not None else root,
                     what="FlightLeg with @CarrierCode and @FlightNumber", wanted="the pushed flight")
        pnrs = root.find(t.PNRs)
        if pnrs is None:
            self.add("PNR-XML-SHAPE", Scope.MESSAGE, root, what="PNRs", wanted="the PNRs element, even when empty")
            return
        for pnr in pnrs.iterchildren(t.PNR):
            ref = pnr.find(t.BookingRefID)
            if ref is None or not ref.get("ID"):
                self.add("PNR-XML-SHAPE", Scope.MESSAGE, pnr, what="BookingRefID/@ID", wanted="the PNR's record locator")
            for passenger in pnr.iterchildren(t.Passenger):
                surname = passenger.find(t.Surname)
                if surname is None or not (surname.text or "").strip():
                    self.add("PNR-XML-SHAPE", Scope.MESSAGE, passenger, what="Passenger/Surname", wanted="the surname")

    # positions ------------------------------------------------------------------------------------
    def offset_at(self, line: int | None, column: int | None) -> int:
        """Byte offset of a 1-based line and column (columns counted as bytes: exact for ASCII lines)."""
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer(rb"\n", self.data))]
        starts = self._line_starts
        index = min(max((line or 1) - 1, 0), len(starts) - 1)
        return min(starts[index] + max((column or 1) - 1, 0), max(len(self.data) - 1, 0))

    def offset_of(self, element: etree._Element) -> int:
        """Byte offset of the element's start tag. libxml2 records the line where the start tag *ends*,
        so the tag is the last ``<name`` before that line's end, skipping the same-named elements
        that start later on the same line."""
        line = element.sourceline or 1
        start = self.offset_at(line, 1)
        if not isinstance(element.tag, str):
            return start
        name = re.escape(etree.QName(element).localname.encode("utf-8", "replace"))
        # any prefix: the document's own may differ from the tree's after a namespace move
        pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + name + rb"(?=[\s/>])")
        starts = self._line_starts or []
        end = starts[line] if line < len(starts) else len(self.data)
        later = 0
        for other in chain(element.iterdescendants(element.tag), element.itersiblings(element.tag)):
            if other.sourceline != line:
                break
            later += 1
        found = list(pattern.finditer(self.data, max(0, end - _START_TAG_WINDOW), end))
        return found[-1 - later].start() if later < len(found) else start


_START_TAG_WINDOW = 65536  # how far back from its last line an element's start tag is looked for


def _encoding_lie(data: bytes) -> str | None:
    """A declared encoding the bytes plainly contradict, which libxml2 would misreport or guess past."""
    match = _DECLARED_ENCODING.match(data)
    if match is None:
        return None
    declared = match.group(1).decode("ascii").lower()
    if declared.startswith(_WIDE_ENCODINGS):
        return f"the declaration says {_safe_name(declared)} but the bytes are 8-bit (no byte-order mark)"
    if data.startswith(b"\xef\xbb\xbf") and declared not in ("utf-8", "utf8"):
        return f"the declaration says {_safe_name(declared)} but a UTF-8 byte-order mark starts the file"
    return None


def _clean(message: str) -> str:
    """An lxml or xmlschema message made readable: no position suffix, no {namespace} in names, bounded."""
    text = _LXML_POSITION.sub("", message.strip())
    text = _CLARK.sub("", text).replace("\n", " ").strip().rstrip(".")
    return text[:_REASON_MAX]


def _withhold_values(reason: str, value: object = None) -> str:
    """A reason without the document's values: findings are logged and must not carry personal data."""
    if isinstance(value, str) and value:
        reason = reason.replace(repr(value), "(value withheld)").replace(f"'{value}'", "(value withheld)")
    # lxml: "[facet 'pattern'] The value 'SMITH1' is not accepted …": withhold what follows "value"/"'…' is not"
    reason = re.sub(r"(?i)(\bvalue\s+)'[^']*'", r"\1(withheld)", reason)
    reason = re.sub(r"'[^']*'(?= is not (?:a valid|accepted|an element))", "(value withheld)", reason)
    return re.sub(r"(=)'[^']*'", r"\1(value withheld)", reason)


def _safe_name(name: str) -> str:
    """A name from the document (PI target, encoding) shown only when it is a plain short token."""
    return name if re.fullmatch(r"[A-Za-z0-9._:-]{1,40}", name or "") else "(an unusual name)"


def _namespace_words(namespace: str | None) -> str:
    return "no namespace" if namespace is None else f"namespace {namespace}"


def _move_namespace(root: etree._Element, old: str | None, new: str | None) -> None:
    """Put every element of namespace ``old`` into ``new`` in place (other namespaces stay)."""
    prefix = f"{{{old}}}" if old else None
    target = f"{{{new}}}" if new else ""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if prefix is None:
            if tag[0] != "{":
                element.tag = target + tag
        elif tag.startswith(prefix):
            element.tag = target + tag[len(prefix):]


def _resolve(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    """The element an lxml error path such as ``/*/*[3]/*[2]`` names, if any."""
    if not path or not re.fullmatch(r"(/\*(\[\d+\])?)+|(/[A-Za-z_][\w.:-]*(\[\d+\])?)+", path):
        return None
    try:
        found = tree.xpath(path)
    except etree.XPathError:
        return None
    return found[0] if found and isinstance(found[0], etree._Element) else None


def element_path(element: etree._Element) -> str:
    """A readable path to the element, namespaces left out, ``[n]`` where siblings share its name
    (the convention of xmlschema's error paths): ``/IATA_PNRGOV_NotifRQ/PNRs/PNR[2]/Passenger``."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = etree.QName(node).localname if isinstance(node.tag, str) else "(node)"
        if parent is not None:
            same = [sibling for sibling in parent.iterchildren(node.tag)] if isinstance(node.tag, str) else []
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


# --- schemas: compiled once per text ---------------------------------------------------------------
class _SchemaUnusableError(ValueError):
    """The profile's XSD cannot be used as it is (the reason names why, never a file's content)."""


@dataclass(eq=False)
class _Schema:
    lxml: etree.XMLSchema
    namespace: str | None  # the schema's targetNamespace
    text: str
    _explainer: xmlschema.XMLSchema | None = None

    def explainer(self) -> xmlschema.XMLSchema:
        """xmlschema's view of the same schema, built on the first invalid document (it takes ~0.1 s)."""
        if self._explainer is None:
            import xmlschema  # noqa: PLC0415 - the slow path only

            self._explainer = xmlschema.XMLSchema(self.text, allow="none", defuse="always")
        return self._explainer


def schema_problem(text: str) -> str | None:
    """Why an XSD text cannot serve as the PNRGOV XML schema, or None when it can (for profile loading)."""
    try:
        _compile(text)
    except _SchemaUnusableError as problem:
        return str(problem)
    return None


@lru_cache(maxsize=8)
def _compile(text: str) -> _Schema:
    body = re.sub(r"\A\ufeff?\s*<\?xml[^>]*\?>", "", text)  # a str cannot keep its encoding declaration
    if "<!DOCTYPE" in body:
        raise _SchemaUnusableError("it has a DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        doc = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise _SchemaUnusableError(f"not well-formed: {_clean(str(error))}") from None
    if etree.QName(doc).namespace != _XSD_NS or etree.QName(doc).localname != "schema":
        raise _SchemaUnusableError("its root is not xs:schema")
    for kind in ("include", "import", "redefine", "override"):
        for element in doc.iter(f"{{{_XSD_NS}}}{kind}"):
            if element.get("schemaLocation"):
                raise _SchemaUnusableError(f"xs:{kind} with a schemaLocation would read another file")
    try:
        compiled = etree.XMLSchema(doc)
    except etree.XMLSchemaParseError as error:
        raise _SchemaUnusableError(_clean(str(error))) from None
    namespace = doc.get("targetNamespace") or None
    if doc.find(f"{{{_XSD_NS}}}element[@name='{ROOT_NAME}']") is None:
        raise _SchemaUnusableError(f"it declares no global element {ROOT_NAME}")
    return _Schema(compiled, namespace, text)


# --- reading the push ------------------------------------------------------------------------------
class _Tags:
    """Qualified element names in one namespace (or none), built once per document."""

    def __init__(self, namespace: str | None) -> None:
        q = f"{{{namespace}}}" if namespace else ""
        for name in ("Originator", "FlightLeg", "DepartureAirport", "ArrivalAirport", "PNRs", "PNR", "BookingRefID",
                     "CompanyName", "POS", "Source", "SplitPNR", "ContactInfo", "AddressLine", "CityName", "StateProv",
                     "PostalCode", "CountryName", "Passenger", "GivenName", "Surname", "CustLoyalty", "DOC_SSR", "DOCS",
                     "DOCO", "TicketDocument", "PaymentInfo", "Seat", "Bag", "CheckIn", "Flight", "MarketingAirline",
                     "OperatingAirline", "Equipment"):
            setattr(self, name, q + name)

    def __getattr__(self, name: str) -> str:  # only for type checkers: every name is set in __init__
        raise AttributeError(name)


class _Reader:
    """Builds the PnrPush from a parsed document, and checks the business rules on it."""

    def __init__(self, doc: _Document, namespace: str | None) -> None:
        self.doc = doc
        t = self.t = _Tags(namespace)
        self._passenger_tags = (t.Surname, t.GivenName, t.DOC_SSR, t.TicketDocument, t.Seat, t.Bag, t.CheckIn, t.CustLoyalty,
                                t.DOCS, t.DOCO, t.PaymentInfo)
        self.pnrs_element: etree._Element | None = None
        self.pnr_elements: list[etree._Element] = []
        self.pnr_paths: list[str] = []

    def push(self, root: etree._Element) -> PnrPush:
        t = self.t
        kind = {"full": "full", "update": "update", "": "full"}.get((root.get("PushType") or "").strip().lower(), "other")
        originator = root.find(t.Originator)
        sender = None
        if originator is not None and originator.get("AirlineCode"):
            sender = _joined(originator.get("AirlineCode"), originator.get("SystemCode"))
        pnrs_element = self.pnrs_element = root.find(t.PNRs)
        pnrs: list[Pnr] = []
        if pnrs_element is not None:
            elements = list(pnrs_element.iterchildren(t.PNR))
            base = element_path(pnrs_element) + "/PNR"
            many = len(elements) > 1
            for index, element in enumerate(elements, 1):
                path = f"{base}[{index}]" if many else base
                self.pnr_elements.append(element)
                self.pnr_paths.append(path)
                pnrs.append(self._pnr(element, path))
        return PnrPush(
            message=_MESSAGE, format=FORMAT, version=(root.get("Version") or "").strip() or DEFAULT_VERSION, kind=kind,
            flight=self._flight(root.find(t.FlightLeg)), message_reference=root.get("TransactionIdentifier") or None,
            push_number=_int(root.get("SequenceNmbr")), sender=sender,
            declared_pnrs=_int(pnrs_element.get("NumberOfPnrs")) if pnrs_element is not None else None,
            pnrs=tuple(pnrs))

    def _flight(self, leg: etree._Element | None) -> PushFlight | None:
        if leg is None:
            return None
        t = self.t
        return PushFlight(carrier=leg.get("CarrierCode") or "", number=leg.get("FlightNumber") or "",
                          departure_airport=_code(leg.find(t.DepartureAirport)),
                          arrival_airport=_code(leg.find(t.ArrivalAirport)),
                          departure_local=_iso(leg.get("DepartureDateTime")), arrival_local=_iso(leg.get("ArrivalDateTime")))

    def _pnr(self, element: etree._Element, path: str) -> Pnr:
        # One pass over the children (not one search per kind): this loop is most of the read's cost.
        t = self.t
        locator, carrier, originator, cancelled = "", None, None, False
        split: list[str] = []
        passengers: list[Passenger] = []
        itinerary: list[ItinerarySegment] = []
        contacts: list[Contact] = []
        payments: list[Payment] = []
        issued: list[str] = []
        for child in element:
            tag = child.tag
            if tag == t.Passenger:
                passengers.append(self._passenger(child, payments, issued))
            elif tag == t.Flight:
                itinerary.append(self._segment(child))
            elif tag == t.BookingRefID:
                locator = child.get("ID") or ""
                company = _first(child, t.CompanyName)
                carrier = company.get("Code") if company is not None else None
            elif tag == t.ContactInfo:
                contacts.extend(self._contacts(child))
            elif tag == t.POS:
                source = _first(child, t.Source)
                if source is not None:
                    originator = _joined(source.get("AirlineVendorID"), source.get("PseudoCityCode"))
            elif tag == t.SplitPNR and child.get("ID"):
                split.append(child.get("ID"))
        cancelled = (element.get("CancelledInd") or "").strip().lower() in ("true", "1")
        return Pnr(locator=locator, carrier=carrier, path=path, created=_iso(element.get("PNR_CreationDate")),
                   last_modified=_iso(element.get("PNR_TransDate")), ticket_issued=min(issued) if issued else None,
                   cancelled=cancelled, originator=originator, split_from=tuple(split), passengers=tuple(passengers),
                   itinerary=tuple(itinerary), contacts=tuple(contacts), payments=tuple(payments))

    def _passenger(self, element: etree._Element, payments: list[Payment], issued: list[str]) -> Passenger:
        (surname_tag, given_tag, ssr_tag, ticket_tag, seat_tag, bag_tag, checkin_tag, loyalty_tag, docs_tag, doco_tag,
         payment_tag) = self._passenger_tags  # locals: this loop runs for every traveller of the push
        surname = ""
        given: list[str] = []
        documents: list[TravelDocument] = []
        tickets: list[str] = []
        seats: list[str] = []
        birth = gender = nationality = frequent_flyer = None
        bags: int | None = None
        checked_in = False
        for child in element:
            tag = child.tag
            if tag == surname_tag:
                surname = (child.text or "").strip()
            elif tag == given_tag:
                name = (child.text or "").strip()
                if name:
                    given.append(name)
            elif tag == ssr_tag:
                for ssr in child:
                    if ssr.tag == docs_tag:
                        get = ssr.get
                        documents.append(TravelDocument(type=get("DocType"), number=get("DocID"),
                                                        issuing_state=get("DocIssueCountry"), nationality=get("PaxNationality"),
                                                        expiry=_iso(get("ExpiryDate"))))
                        birth = birth or _iso(get("DateOfBirth"))
                        gender = gender or get("Gender")
                        nationality = nationality or get("PaxNationality")
                    elif ssr.tag == doco_tag:
                        documents.append(TravelDocument(type=ssr.get("TravelDocType"), number=ssr.get("TravelDocNbr"),
                                                        issuing_state=ssr.get("CountryState")))
            elif tag == ticket_tag:
                number = child.get("TicketDocumentNbr")
                if number:
                    tickets.append(number)
                when = _iso(child.get("DateOfIssue"))
                if when:
                    issued.append(when)
                for info in child:
                    if info.tag == payment_tag:
                        payments.append(_payment(info))
            elif tag == seat_tag:
                seat = child.get("SeatNumber")
                if seat:
                    seats.append(seat)
            elif tag == bag_tag:
                pieces = _int(child.get("Quantity"))
                bags = (bags or 0) + (pieces or 0)
            elif tag == checkin_tag:
                checked_in = True
            elif tag == loyalty_tag:
                frequent_flyer = _joined(child.get("ProgramID"), child.get("MembershipID"))
        kind = element.get("PassengerTypeCode")
        return Passenger(
            surname=surname, given_names=tuple(given), reference=element.get("RPH"), type=kind,
            infant=kind in _INFANT_TYPES or element.get("AccompaniedByRPH") is not None or gender in ("MI", "FI"),
            birth_date=birth, gender=gender, nationality=nationality, documents=tuple(documents),
            frequent_flyer=frequent_flyer, tickets=tuple(tickets), seats=tuple(seats), bags=bags, checked_in=checked_in)

    def _segment(self, flight: etree._Element) -> ItinerarySegment:
        t = self.t
        carrier = departure = arrival = operating_carrier = operating_number = equipment = None
        for child in flight:
            tag = child.tag
            if tag == t.DepartureAirport:
                departure = child.get("LocationCode")
            elif tag == t.ArrivalAirport:
                arrival = child.get("LocationCode")
            elif tag == t.MarketingAirline:
                carrier = child.get("Code")
            elif tag == t.OperatingAirline:
                operating_carrier, operating_number = child.get("Code"), child.get("FlightNumber")
            elif tag == t.Equipment:
                equipment = child.get("AirEquipType")
        get = flight.get
        return ItinerarySegment(
            carrier=carrier, number=get("FlightNumber"), departure_airport=departure, arrival_airport=arrival,
            departure_local=_iso(get("DepartureDateTime")), arrival_local=_iso(get("ArrivalDateTime")),
            booking_class=get("ResBookDesigCode"), status=get("Status"), party=_int(get("NumberInParty")),
            operating_carrier=operating_carrier, operating_number=operating_number, equipment=equipment)

    def _contacts(self, info: etree._Element) -> list[Contact]:
        t = self.t
        lines: list[str] = []
        for child in info:
            if child.tag in (t.AddressLine, t.CityName, t.StateProv, t.PostalCode, t.CountryName):
                text = (child.text or "").strip()
                if text:
                    lines.append(text)
        address = ", ".join(lines)
        phone, email = info.get("PhoneNumber"), info.get("EmailAddress")
        if (info.get("ContactType") or "").strip().lower() == "emergency":
            value = phone or email or address
            return [Contact("emergency", value)] if value else []
        found = [Contact("address", address)] if address else []
        if phone:
            found.append(Contact("phone", phone))
        if email:
            found.append(Contact("email", email))
        return found

    # business rules: observations that never reject (DESIGN.md §6.3) ------------------------------
    def check_business(self, push: PnrPush) -> None:
        doc = self.doc
        if push.declared_pnrs is not None and push.declared_pnrs != len(push.pnrs):
            doc.add("PNR-XML-PNR-COUNT", Scope.BUSINESS, self.pnrs_element, declared=push.declared_pnrs, actual=len(push.pnrs))
        seen: dict[str, int] = {}
        flight_day = _day(push.flight.departure_local) if push.flight else None
        for position, (pnr, element, path) in enumerate(zip(push.pnrs, self.pnr_elements, self.pnr_paths, strict=True), 1):
            if pnr.locator:
                first = seen.setdefault(pnr.locator, position)
                if first != position:
                    doc.add("PNR-XML-DUPLICATE-PNR", Scope.BUSINESS, element, path=path, position=position, first=first)
            if pnr.cancelled:
                if push.kind == "full":
                    doc.add("PNR-XML-CANCELLED-IN-FULL", Scope.BUSINESS, element, path=path, position=position)
                continue
            if not pnr.passengers:
                doc.add("PNR-XML-NO-PASSENGER", Scope.BUSINESS, element, path=path, position=position)
            if push.flight is not None and push.flight.carrier and not _holds_flight(pnr, push.flight):
                doc.add("PNR-XML-FLIGHT-MISSING", Scope.BUSINESS, element, path=path, position=position,
                        flight=_safe_name(push.flight.flight))
            if flight_day is None:
                continue
            for index, passenger in enumerate(pnr.passengers, 1):
                for document in passenger.documents:
                    expiry = _day(document.expiry)
                    if expiry is not None and expiry < flight_day:
                        passengers = list(element.iterchildren(self.t.Passenger))
                        where = f"{path}/Passenger[{index}]" if len(passengers) > 1 else f"{path}/Passenger"
                        doc.add("PNR-XML-DOC-EXPIRED", Scope.BUSINESS, passengers[index - 1], path=where,
                                days=(flight_day - expiry).days)


def _holds_flight(pnr: Pnr, flight: PushFlight) -> bool:
    number = flight.number.lstrip("0")
    for segment in pnr.itinerary:
        if segment.carrier == flight.carrier and (segment.number or "").lstrip("0") == number:
            return True
        if segment.operating_carrier == flight.carrier and (segment.operating_number or "").lstrip("0") == number:
            return True
    return False


def _payment(info: etree._Element) -> Payment:
    """A form of payment summarised: the card number is cut to its last four digits here, never kept whole."""
    account = (info.get("AccountNbr") or "").strip()
    last4 = account[-4:] if len(account) >= 4 and account[-4:].isdigit() else None
    return Payment(type=info.get("PaymentType") or "", amount=info.get("PaymentAmount"), vendor=info.get("VendorCode"),
                   card_last4=last4)


def _first(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child with this tag: cheaper than ``find``, which parses a path each time."""
    return next(element.iterchildren(tag), None)


def _code(element: etree._Element | None) -> str | None:
    return element.get("LocationCode") if element is not None else None


def _joined(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return ":".join(kept) if kept else None


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _iso(value: str | None) -> str | None:
    """An XML date or date-time as ISO 8601 (minutes when the seconds are zero), None when invalid."""
    return _iso_cached(value) if value else None


@lru_cache(maxsize=4096)  # a push repeats the same few dates hundreds of times
def _iso_cached(value: str) -> str | None:
    value = value.strip()
    if not value or len(value) > 40:
        return None
    try:
        if "T" not in value:
            return date.fromisoformat(value[:10]).isoformat() if len(value) == 10 else None
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.isoformat(timespec="minutes" if not moment.second and not moment.microsecond else "seconds")


@lru_cache(maxsize=4096)
def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
