"""PAXLST segment tables, profiled on the WCO/IATA/ICAO API guidelines and real traffic.

Order and nesting follow the UN directories (D.02B, D.05B: STANDARDS.md §2.1); status and repeats
follow the guidelines where real messages and the raw UN table disagree (§2.1 ⚠):

- SG2's DTM is mandatory in the UN table but never sent: departure and arrival times travel in
  SG3 (LOC+125/DTM+189, LOC+87/DTM+232). Conditional here.
- SG4's RFF is ``C 1`` in the UN table, yet every carrier repeats it (AVF, ABO, SEA, AEA, CR, YZY…):
  ``C 9`` here.
- SG4 repeats up to 99999 as in D.98B and the guidelines (D.02B/D.05B say 9999; a 10,000-person
  list is not a syntax fault worth rejecting).

A national profile that wants the raw UN limits can say so; these are the baseline's.
"""

from __future__ import annotations

from validators.structure import MessageTable, group, seg


def _paxlst(directory: str, sg4_ftx: int) -> MessageTable:
    return MessageTable("PAXLST", f"WCO/IATA/ICAO API guidelines, directory D.{directory}", (
        seg("BGM", "M", 1, "beginning of message"),
        seg("RFF", "C", 1, "transaction reference"),
        seg("DTM", "C", 9, "date/time"),
        group("SG1", "C", 5,
              seg("NAD", "M", 1, "reporting party"),
              seg("CTA", "C", 1, "contact"),
              seg("COM", "C", 9, "communication contact"),
              title="reporting party"),
        group("SG2", "M", 10,
              seg("TDT", "M", 1, "flight"),
              seg("DTM", "C", 1, "date/time"),
              group("SG3", "C", 99,
                    seg("LOC", "M", 1, "airport"),
                    seg("DTM", "C", 5, "departure/arrival time"),
                    title="leg airport and time"),
              title="flight"),
        group("SG4", "C", 99999,
              seg("NAD", "M", 1, "traveller name and address"),
              seg("ATT", "C", 9, "gender"),
              seg("DTM", "C", 9, "date of birth"),
              seg("MEA", "C", 9, "bags"),
              seg("GEI", "C", 5, "verification"),
              seg("FTX", "C", sg4_ftx, "free text (bag tags)"),
              seg("LOC", "C", 25, "itinerary, residence, birth place"),
              seg("COM", "C", 1, "traveller contact"),
              seg("EMP", "C", 9, "crew function"),
              seg("NAT", "C", 9, "nationality"),
              seg("RFF", "C", 9, "references"),
              group("SG5", "C", 5,
                    seg("DOC", "M", 1, "travel document"),
                    seg("DTM", "C", 5, "document dates"),
                    seg("GEI", "C", 9, "verification"),
                    seg("RFF", "C", 9, "references"),
                    seg("LOC", "C", 2, "place of issue"),
                    seg("CPI", "C", 1, "charge payment"),
                    seg("QTY", "C", 9, "quantity"),
                    title="travel document"),
              group("SG6", "C", 99,
                    seg("GID", "M", 1, "goods item"),
                    seg("FTX", "C", 9, "free text"),
                    seg("QTY", "C", 9, "quantity"),
                    title="goods item"),
              group("SG7", "C", 1,
                    seg("TDT", "M", 1, "onward transport"),
                    seg("FTX", "C", 1, "free text"),
                    title="onward transport"),
              title="traveller"),
        seg("CNT", "C", 1, "control total"),
        seg("AUT", "C", 1, "authentication"),
    ))


PAXLST_D02B = _paxlst("02B", sg4_ftx=5)
PAXLST_D05B = _paxlst("05B", sg4_ftx=99)
