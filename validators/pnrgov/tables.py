"""PNRGOV segment tables (IATA PADIS "PNR data pushed to States"), as data for the generic walker.

Order and nesting follow the implementation guide's group numbering Gr1–Gr12 as the public GTAS
parser reads it (STANDARDS.md §3.2, tagged [S S3]); statuses and repeats are from memory [M]
where the licensed guide was not at hand, so they are lenient on purpose: a repeat the guide may
allow is never a reason to reject a push ("validate order and nesting strictly, repeats leniently").

Departures from the guide, each because real traffic needs it:

- Gr1 RCI (the record locator) is M in the guide but often missing in real pushes (GTAS relaxed
  it): conditional here, and its absence is the finding ``PNR-LOCATOR-MISSING``, whose severity a
  profile sets.
- Level-0 ORG is M in the guide, yet GTAS treats it as conditional and pushes without it are seen:
  conditional here.

Versions: 11.1 is the EU minimum and the version of every public sample. Later versions (12.1 to
17.1+) changed data elements more than the segment table; the 13.1 table adds, from memory [M],
the Gr2 DAT (passenger-level dates) that 13.1 traffic carries. (A Gr5 DAT outside check-in cannot
be told from the Gr6 check-in trigger, so it is not added.)
A version without a table of its own is read with the closest earlier one (``table_for``).
"""

from __future__ import annotations

from validators.structure import Group, MessageTable, Seg, group, seg

_MANY = 99999  # a push holds as many PNRs as the flight has bookings


def _tickets() -> Group:
    return group("Gr3", "C", 999,
                 seg("TKT", "M", 1, "ticket number"),
                 seg("MON", "C", 1, "ticket amounts"),
                 seg("PTK", "C", 1, "pricing and ticketing details"),
                 seg("TXD", "C", 99, "taxes"),
                 seg("DAT", "C", 1, "ticket issue date"),
                 group("Gr4", "C", 99,
                       seg("FOP", "M", 1, "form of payment"),
                       seg("IFT", "C", 1, "card holder"),
                       seg("ADD", "C", 1, "payer address"),
                       title="form of payment"),
                 title="ticket")


def _traveller(version_13: bool) -> Group:
    extra: tuple[Seg, ...] = (seg("DAT", "C", 9, "passenger dates"),) if version_13 else ()
    return group("Gr2", "C", 999,
                 seg("TIF", "M", 1, "traveller"),
                 seg("FTI", "C", 9, "frequent flyer"),
                 seg("IFT", "C", 99, "other service information"),
                 seg("REF", "C", 9, "unique passenger reference"),
                 seg("EBD", "C", 9, "excess baggage"),
                 seg("FAR", "C", 9, "fare"),
                 seg("SSR", "C", 999, "special service requests (DOCS, DOCA, DOCO …)"),
                 seg("ADD", "C", 9, "addresses and emergency contact"),
                 *extra,
                 _tickets(),
                 title="traveller")


def _itinerary() -> Group:
    return group("Gr5", "C", 999,
                 seg("TVL", "M", 1, "flight segment"),
                 seg("TRA", "C", 1, "operating carrier"),
                 seg("RPI", "C", 1, "number in party and status"),
                 seg("APD", "C", 1, "equipment"),
                 seg("SSR", "C", 999, "segment special service requests (seats …)"),
                 seg("RCI", "C", 1, "segment record locator"),
                 seg("IFT", "C", 99, "other service information"),
                 group("Gr6", "C", 999,
                       seg("DAT", "M", 1, "check-in transaction"),
                       seg("ORG", "C", 1, "check-in agent"),
                       group("Gr7", "C", 999,
                             seg("TRI", "M", 1, "check-in sequence"),
                             seg("TIF", "C", 1, "traveller checked in"),
                             seg("SSD", "C", 1, "seat"),
                             seg("TBD", "C", 1, "bags"),
                             title="checked-in traveller"),
                       title="check-in"),
                 title="itinerary segment")


def _history() -> Group:
    return group("Gr10", "C", 999,
                 seg("ABI", "M", 1, "history credit"),
                 seg("DAT", "C", 1, "history time"),
                 group("Gr11", "C", 999,
                       seg("SAC", "M", 1, "history action"),
                       seg("TIF", "C", 1, "traveller"),
                       seg("SSR", "C", 1, "special service request"),
                       seg("IFT", "C", 1, "other service information"),
                       seg("TBD", "C", 1, "bags"),
                       group("Gr12", "C", 1,
                             seg("TVL", "M", 1, "flight segment"),
                             seg("RPI", "C", 1, "number in party and status"),
                             title="history flight"),
                       title="history item"),
                 title="history")


def _pnrgov(version: str, version_13: bool) -> MessageTable:
    return MessageTable("PNRGOV", f"IATA PNRGOV {version} (order from the guide, repeats lenient)", (
        seg("MSG", "M", 1, "push type (full or update)"),
        seg("ORG", "C", 1, "sender"),
        seg("TVL", "M", 1, "pushed flight"),
        seg("EQN", "M", 1, "PNRs in the whole push"),
        group("Gr1", "C", _MANY,
              seg("SRC", "M", 1, "PNR start"),
              seg("RCI", "C", 1, "record locator"),
              seg("SSR", "C", 999, "PNR special service requests"),
              seg("DAT", "C", 1, "last transaction and ticket dates"),
              seg("IFT", "C", 999, "other service information (OSI)"),
              seg("ORG", "C", 1, "booking originator (empty: cancelled)"),
              seg("ADD", "C", 99, "PNR contact address"),
              seg("EBD", "C", 99, "excess baggage"),
              _traveller(version_13),
              _itinerary(),
              group("Gr8", "C", 999,
                    seg("EQN", "M", 1, "split PNR"),
                    seg("RCI", "C", 999, "the other records of a split PNR"),
                    title="split PNR"),
              group("Gr9", "C", 999,
                    seg("MSG", "M", 1, "non-air service"),
                    seg("TVL", "C", 9, "non-air segment"),
                    title="non-air service"),
              _history(),
              seg("LTS", "C", 9999, "unstructured history"),
              title="PNR"),
    ))


PNRGOV_11_1 = _pnrgov("11.1", version_13=False)
PNRGOV_13_1 = _pnrgov("13.1", version_13=True)

# UNH S009 (0052 version, 0054 release) → table; other versions read with the closest earlier table
TABLES: dict[tuple[str, str], MessageTable] = {("11", "1"): PNRGOV_11_1, ("13", "1"): PNRGOV_13_1}


def table_for(version: str, release: str) -> MessageTable:
    """The table for PNRGOV ``version``:``release``: its own, or the closest earlier one (10.1 and
    12.1 read as 11.1, 14.1 and later as 13.1)."""
    if (version, release) in TABLES:
        return TABLES[(version, release)]
    number = int(version) if version.isascii() and version.isdigit() else 0
    earlier = [key for key in TABLES if int(key[0]) <= number]
    return TABLES[max(earlier, key=lambda key: int(key[0]))] if earlier else PNRGOV_11_1
