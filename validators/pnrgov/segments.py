"""PNRGOV segment layouts: the data elements checked for format, as data.

Only segments whose layout is public enough to reject on are described (STANDARDS.md §3.2, from
the IG examples and the GTAS parser [S S3]); every other PADIS segment is read for the model but
not format-checked, because a wrong guess at a licensed layout would reject real pushes. Formats
are generous (``an..35`` where the guide's exact length is not known) and each layout ends with
room for the trailing elements later versions added. Dates in PADIS segments are DDMMYY (kind
``ddmmyy``); times HHMM.

The same tag serves several groups (MSG at level 0 and in Gr9, DAT in Gr1/Gr3/Gr6/Gr10, TVL at
level 0 and in Gr5/Gr12): a layout is the union over them, and what belongs where is a content
rule (validators.pnrgov.rules).
"""

from __future__ import annotations

from validators.elements import Component, Element, composite, simple

# MSG C302/1225 at level 0: 22 full push, 141 update push (STANDARDS.md §3.3 [V S10]).
PUSH_FUNCTIONS: dict[str, str] = {"22": "full", "141": "update"}


def _c(ident: str, name: str, status: str, fmt: str, codes: tuple[str, ...] | None = None,
       kind: str | None = None) -> Component:
    return Component(ident, name, status, fmt, kind, codes)


def _spare(count: int) -> tuple[Element, ...]:
    """Trailing elements later versions added: open text, never a reason to reject."""
    return tuple(composite("C999", "further details", "C", *(_c("9999", "detail", "C", "an..70") for _ in range(9)))
                 for _ in range(count))


def _locator(status: str) -> Element:
    return composite("C330", "reservation control information", status,
                     _c("9906", "company", "C", "an..3"),
                     _c("9956", "record locator", "C", "an..20"),
                     _c("9958", "reservation control type", "C", "an..1"),
                     _c("9916", "date", "C", "n6", kind="ddmmyy"),
                     _c("9994", "time", "C", "n4|n6"))


LAYOUTS: dict[str, tuple[Element, ...]] = {
    "MSG": (
        composite("C302", "message function", "M",
                  _c("9800", "business function", "C", "an..3"),
                  _c("1225", "message function", "C", "an..3", codes=tuple(PUSH_FUNCTIONS))),
        *_spare(2),
    ),
    "TVL": (
        composite("C309", "flight dates and times", "C",
                  _c("9916", "departure date", "C", "n6", kind="ddmmyy"),
                  _c("9918", "departure time", "C", "n4", kind="time"),
                  _c("9920", "arrival date", "C", "n6", kind="ddmmyy"),
                  _c("9922", "arrival time", "C", "n4", kind="time"),
                  _c("9914", "date variation", "C", "an..2")),
        composite("C328", "departure airport", "C", _c("3225", "airport", "C", "an..25"), _c("3224", "name", "C", "an..17")),
        composite("C328", "arrival airport", "C", _c("3225", "airport", "C", "an..25"), _c("3224", "name", "C", "an..17")),
        composite("C306", "carrier", "C", _c("9906", "marketing carrier", "C", "an..3"),
                  _c("9906", "operating carrier", "C", "an..3")),
        composite("C308", "flight", "C", _c("9908", "flight number", "C", "an..8"), _c("7037", "booking class", "C", "an..2"),
                  _c("9909", "flight suffix", "C", "an..1")),
        *_spare(3),
    ),
    "EQN": (
        composite("C523", "number of units", "M", _c("6350", "number", "M", "n..15"), _c("6353", "qualifier", "C", "an..3")),
    ),
    "RCI": (_locator("M"), *(_locator("C") for _ in range(8))),
    "TIF": (
        composite("C322", "traveller surname", "M", _c("9936", "surname", "M", "an..70"), _c("9941", "type", "C", "an..3"),
                  _c("9939", "status", "C", "an..3")),
        *(composite("C324", "traveller details", "C", _c("9942", "given name", "C", "an..70"),
                    _c("9939", "passenger type", "C", "an..3"), _c("9944", "traveller reference", "C", "an..10"),
                    _c("9945", "infant indicator", "C", "an..1"), _c("9946", "other name", "C", "an..70"))
          for _ in range(9)),
    ),
    "RPI": (
        simple("6060", "number in party", "C", "n..3"),
        simple("4405", "status", "C", "an..3"),
        *_spare(2),
    ),
    "TKT": (
        composite("C667", "ticket", "C", _c("1004", "ticket number", "C", "an..35"), _c("1001", "document type", "C", "an..3"),
                  _c("7240", "total", "C", "n..2"), _c("9988", "conjunction number", "C", "an..3")),
        *_spare(3),
    ),
}
