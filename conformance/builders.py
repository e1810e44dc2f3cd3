"""Message builders: realistic PAXLST interchanges of any size, for fixtures, demos and benchmarks.

The output follows the WCO/IATA/ICAO PAXLST guideline layout as carriers send it (UNA, UNB, UNG,
UNH with a common access reference and S010, BGM, header NAD/COM, TDT with LOC/DTM legs, then per
traveller NAD, ATT, DTM, LOC, NAT, RFF, DOC/DTM/LOC, then CNT and the trailers). Names come from
many cultures and include characters that need the release character (O'BRIEN, hyphens, spaces).
Everything is synthetic: no real person's data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from validators.edifact.delimiters import LEVEL_A_DEFAULT, Delimiters
from validators.edifact.writer import Element, segment

_SURNAMES = ("SMITH", "O'BRIEN", "GARCIA LOPEZ", "MUELLER", "IVANOV", "NGUYEN", "KHAN", "ROSSI", "TANAKA",
             "SILVA", "DUBOIS", "KOWALSKI", "AL-RASHID", "PETERSEN", "ABDULLAH", "WANG", "OKAFOR", "VAN DER BERG",
             "PAPADOPOULOS", "BEN DAVID", "HAKIMI", "DE SOUZA", "MCALLISTER", "NAKAMURA-SMITH")
_GIVEN = ("JOHN", "MARY", "AHMED", "LI", "OLGA", "JOSE", "FATIMA", "PETER", "ANNA", "YUKI", "CARLOS",
          "EMMA", "IVAN", "SARA", "OMAR", "CHEN", "CHIAMAKA", "SIOBHAN", "DMITRI", "AISHA", "MARIE CLAIRE")
_COUNTRIES = ("USA", "GBR", "DEU", "IND", "CHN", "BRA", "NGA", "FRA", "JPN", "EGY", "RUS", "CAN")
_AIRPORTS = ("LHR", "JFK", "CDG", "FRA", "DXB", "SIN", "NRT", "GRU", "LOS", "CAI", "YYZ", "ATL")


@dataclass(frozen=True, slots=True)
class PaxlstSpec:
    passengers: int = 3
    seed: int = 1
    syntax: str = "UNOA"
    version: str = "4"
    una: bool = True
    groups: bool = True
    newlines: bool = False
    acknowledgement_request: str = ""
    carrier: str = "ZZ"
    flight: str = "ZZ0101"
    reference: str = "ZZ0000000001"


def paxlst(spec: PaxlstSpec = PaxlstSpec(), delimiters: Delimiters = LEVEL_A_DEFAULT) -> bytes:
    """A complete, valid PAXLST interchange (passenger list, one leg) as bytes."""
    rnd = random.Random(spec.seed)
    out: list[str] = []

    def put(tag: str, *elements: Element) -> None:
        out.append(segment(tag, elements, delimiters))

    dep, arr = rnd.sample(_AIRPORTS, 2)
    unb: list[Element] = [[spec.syntax, spec.version], [spec.carrier, "ZZ"], ["PAXGATE", "ZZ"],
                          ["261123", "0700"], spec.reference]
    if spec.acknowledgement_request:
        unb += ["", "APIS", "", spec.acknowledgement_request]
    put("UNB", *unb)
    if spec.groups:
        put("UNG", "PAXLST", [spec.carrier, "ZZ"], ["PAXGATE", "ZZ"], ["261123", "0700"], "1", "UN", ["D", "05B"])
    body_start = len(out)
    put("UNH", "M1", ["PAXLST", "D", "05B", "UN", "IATA"], f"{spec.flight}/261124/1030", ["01", "F"])
    put("BGM", "745")
    put("NAD", "MS", "", "", "OPERATIONS CONTROL")
    put("COM", ["+44 20 7946 0000", "TE"])
    put("TDT", "20", spec.flight, "", "", spec.carrier)
    put("LOC", "125", dep)
    put("DTM", ["189", "2611240710", "201"])
    put("LOC", "87", arr)
    put("DTM", ["232", "2611241030", "201"])
    for n in range(spec.passengers):
        nationality = rnd.choice(_COUNTRIES)
        put("NAD", "FL", "", "", [rnd.choice(_SURNAMES), rnd.choice(_GIVEN), rnd.choice(("", "", "A", "MARIA"))])
        put("ATT", "2", "", rnd.choice("MF"))
        put("DTM", ["329", f"{rnd.randint(40, 99):02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"])
        put("LOC", "178", dep)
        put("LOC", "179", arr)
        put("NAT", "2", nationality)
        put("RFF", ["AVF", f"{rnd.randrange(36 ** 6):06X}"])
        put("RFF", ["ABO", f"P{n + 1:04d}"])
        put("DOC", ["P", "110", "111"], f"{rnd.choice('ABCKLX')}{rnd.randrange(10 ** 8):08d}")
        put("DTM", ["36", f"{rnd.randint(27, 35)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"])
        put("LOC", "91", nationality)
    put("CNT", ["42", str(spec.passengers)])
    put("UNT", str(len(out) - body_start + 1), "M1")
    if spec.groups:
        put("UNE", "1", "1")
    put("UNZ", "1", spec.reference)
    newline = "\r\n" if spec.newlines else ""
    una = delimiters.una() + newline if spec.una else ""
    return (una + newline.join(out) + newline).encode("latin-1")
