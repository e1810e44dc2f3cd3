"""The ISO 9735 service segments (UNB/UNZ, UNG/UNE, UNH/UNT) as data, for syntax versions 3 and 4.

Each data element lists its components with status (M/C), format (``an..14``, ``n..6``, ``a4``)
and, where the standard fixes them, the allowed code values. A generic checker walks these
tables; nothing about a particular element is written as code.

Versions 1 and 2 (and the IATA identifiers, which say ``:1``) are read with the version 3 table.
Dates: ISO 9735 v4 widened 0017 to CCYYMMDD, but API traffic under ``UNOA:4`` sends YYMMDD, so
both lengths are accepted in version 4.
"""

from __future__ import annotations

from validators.elements import Component, Element, composite, simple


def _date_time(date_format: str, status: str = "M") -> Element:
    return composite("S004", "date and time of preparation", status,
                     Component("0017", "date", "M", date_format, "date"),
                     Component("0019", "time", "M", "n4", "time"))


def _unb(version: str) -> tuple[Element, ...]:
    v4 = version == "4"
    return (
        composite("S001", "syntax identifier", "M",
                  Component("0001", "syntax identifier", "M", "a4"),
                  Component("0002", "syntax version number", "M", "an1"),
                  *((Component("0080", "service code list directory version", "C", "an..6"),
                     Component("0133", "character encoding", "C", "an..3"),
                     Component("0076", "syntax release number", "C", "an2")) if v4 else ())),
        composite("S002", "interchange sender", "M",
                  Component("0004", "sender identification", "M", "an..35"),
                  Component("0007", "identification code qualifier", "C", "an..4"),
                  Component("0008", "sender internal identification", "C", "an..35" if v4 else "an..14"),
                  *((Component("0042", "sender internal sub-identification", "C", "an..35"),) if v4 else ())),
        composite("S003", "interchange recipient", "M",
                  Component("0010", "recipient identification", "M", "an..35"),
                  Component("0007", "identification code qualifier", "C", "an..4"),
                  Component("0014", "recipient internal identification", "C", "an..35" if v4 else "an..14"),
                  *((Component("0046", "recipient internal sub-identification", "C", "an..35"),) if v4 else ())),
        _date_time("n6|n8" if v4 else "n6"),
        simple("0020", "interchange control reference", "M", "an..14"),
        composite("S005", "recipient reference/password details", "C",
                  Component("0022", "recipient reference/password", "M", "an..14"),
                  Component("0025", "recipient reference/password qualifier", "C", "an2")),
        simple("0026", "application reference", "C", "an..14"),
        simple("0029", "processing priority code", "C", "a1"),
        simple("0031", "acknowledgement request", "C", "n1", ("1", "2") if v4 else ("1",)),
        simple("0032", "interchange agreement identifier", "C", "an..35"),
        simple("0035", "test indicator", "C", "n1", ("1", "2", "3", "4") if v4 else ("1",)),
    )


def _ung(version: str) -> tuple[Element, ...]:
    v4 = version == "4"
    status = "C" if v4 else "M"
    return (
        simple("0038", "message group identification", status, "an..6"),
        composite("S006", "application sender identification", status,
                  Component("0040", "application sender identification", "M", "an..35"),
                  Component("0007", "identification code qualifier", "C", "an..4")),
        composite("S007", "application recipient identification", status,
                  Component("0044", "application recipient identification", "M", "an..35"),
                  Component("0007", "identification code qualifier", "C", "an..4")),
        _date_time("n6|n8" if v4 else "n6", status),
        simple("0048", "group reference number", "M", "an..14"),
        simple("0051", "controlling agency", status, "an..3" if v4 else "an..2"),
        composite("S008", "message version", status,
                  Component("0052", "message version number", "M", "an..3"),
                  Component("0054", "message release number", "M", "an..3"),
                  Component("0057", "association assigned code", "C", "an..6")),
        simple("0058", "application password", "C", "an..14"),
    )


def _unh(version: str) -> tuple[Element, ...]:
    v4 = version == "4"
    elements = (
        simple("0062", "message reference number", "M", "an..14"),
        composite("S009", "message identifier", "M",
                  Component("0065", "message type", "M", "an..6"),
                  Component("0052", "message version number", "M", "an..3"),
                  Component("0054", "message release number", "M", "an..3"),
                  Component("0051", "controlling agency", "M", "an..3" if v4 else "an..2"),
                  Component("0057", "association assigned code", "C", "an..6"),
                  *((Component("0110", "code list directory version", "C", "an..6"),
                     Component("0113", "message type sub-function identification", "C", "an..6")) if v4 else ())),
        simple("0068", "common access reference", "C", "an..35"),
        composite("S010", "status of the transfer", "C",
                  Component("0070", "sequence of transfers", "M", "n..2"),
                  Component("0073", "first and last transfer", "C", "a1", None, ("C", "F"))),
    )
    if v4:
        elements += (
            composite("S016", "message subset identification", "C",
                      Component("0115", "message subset identification", "M", "an..14"),
                      Component("0116", "message subset version number", "C", "an..3"),
                      Component("0118", "message subset release number", "C", "an..3"),
                      Component("0051", "controlling agency", "C", "an..3")),
            composite("S017", "message implementation guideline identification", "C",
                      Component("0121", "message implementation guideline identification", "M", "an..14"),
                      Component("0122", "message implementation guideline version number", "C", "an..3"),
                      Component("0124", "message implementation guideline release number", "C", "an..3"),
                      Component("0051", "controlling agency", "C", "an..3")),
            composite("S018", "scenario identification", "C",
                      Component("0127", "scenario identification", "M", "an..14"),
                      Component("0128", "scenario version number", "C", "an..3"),
                      Component("0130", "scenario release number", "C", "an..3"),
                      Component("0051", "controlling agency", "C", "an..3")),
        )
    return elements


def _tables(version: str) -> dict[str, tuple[Element, ...]]:
    v4 = version == "4"
    return {
        "UNB": _unb(version),
        "UNZ": (simple("0036", "interchange control count", "M", "n..6"),
                simple("0020", "interchange control reference", "M", "an..14")),
        "UNG": _ung(version),
        "UNE": (simple("0060", "number of messages", "M", "n..6"),
                simple("0048", "group reference number", "M", "an..14")),
        "UNH": _unh(version),
        "UNT": (simple("0074", "number of segments in the message", "M", "n..10" if v4 else "n..6"),
                simple("0062", "message reference number", "M", "an..14")),
    }


SERVICE_SEGMENTS: dict[str, dict[str, tuple[Element, ...]]] = {"3": _tables("3"), "4": _tables("4")}


def rules_version(syntax_version: str) -> str:
    """Which table applies: version 4 for 4, version 3 for everything older (and IATA's 1)."""
    return "4" if syntax_version == "4" else "3"
