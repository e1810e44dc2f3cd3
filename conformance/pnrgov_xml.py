"""PNRGOV XML pushes of any size, with seeded and labelled defects, for tests, fixtures and benchmarks.

The documents follow paxgate's schema (``configs/schemas/pnrgov-xml-13.1.xsd``) the way a carrier's
system writes them: the IATA namespace, an Originator and the pushed FlightLeg, then one PNR per
booking with its locator, point of sale, contact, passengers (names, SSR DOCS, loyalty, ticket with
its form of payment, seat, bags, check-in) and the itinerary. Every tenth PNR is a codeshare, every
seventh carries an infant on a lap, every thirteenth is a group booking. Everything is synthetic:
no real person's data; card numbers are the well-known test numbers.

A defect from :data:`DEFECTS` is seeded into a known PNR (:attr:`Defect.pnr`, 1-based, clamped to
the PNRs there are), so a test knows which finding code must come out and where, without asking the
validator it is checking.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

IATA_NS = "http://www.iata.org/IATA/2007/00"

_SURNAMES = ("SCHMIDT", "O'NEILL", "GARCIA LOPEZ", "TREMBLAY", "NOVAK", "PHAM", "KAPOOR", "BIANCHI", "SATO",
             "PEREIRA", "LEFEBVRE", "WISNIEWSKA", "AL-FARSI", "HANSEN", "OKONKWO", "VAN DIJK", "MORENO", "LI")
_GIVEN = ("ANNA", "LUCA", "MEI", "JONAS", "AMARA", "DIEGO", "ELENA", "KWAME", "NOOR", "PAUL", "INES", "RAVI",
          "SOFIA", "TOMAS", "YARA", "HUGO", "LEILA", "MARC ANDRE")
_COUNTRIES = ("DEU", "CAN", "FRA", "IND", "ITA", "JPN", "BRA", "POL", "OMN", "NGA", "NLD", "ESP", "VNM")
_LOCATOR = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_TEST_CARDS = (("VI", "4111111111111111"), ("CA", "5555555555554444"), ("AX", "378282246310005"))

FLIGHT = ("LH", "0474", "FRA", "YUL", "2025-06-14T15:50:00", "2025-06-14T17:20:00")
FLIGHT_DATE = date(2025, 6, 14)


@dataclass(frozen=True, slots=True)
class Defect:
    """A fault seeded on purpose: the finding ``code`` it must produce, in PNR ``pnr`` (1-based; 0 = the header)."""

    code: str
    pnr: int
    what: str


DEFECTS: dict[str, Defect] = {
    "bad-birth-date": Defect("PNR-XML-SCHEMA", 2, "DOCS DateOfBirth 30 February"),
    "bad-gender": Defect("PNR-XML-SCHEMA", 3, "DOCS Gender Q"),
    "lowercase-locator": Defect("PNR-XML-SCHEMA", 1, "BookingRefID ID in lower case"),
    "missing-surname": Defect("PNR-XML-SCHEMA", 2, "a Passenger without Surname"),
    "unexpected-element": Defect("PNR-XML-SCHEMA", 1, "a Remark element the schema does not know"),
    "missing-carrier": Defect("PNR-XML-SCHEMA", 0, "FlightLeg without CarrierCode"),
    "count-mismatch": Defect("PNR-XML-PNR-COUNT", 0, "NumberOfPnrs one more than the PNRs sent"),
    "expired-document": Defect("PNR-XML-DOC-EXPIRED", 2, "a passport that expired before the flight"),
    "duplicate-locator": Defect("PNR-XML-DUPLICATE-PNR", 2, "PNR 2 repeats the locator of PNR 1"),
    "no-namespace": Defect("PNR-XML-NAMESPACE", 0, "the document in no namespace"),
    "doctype": Defect("PNR-XML-DOCTYPE", 0, "a DOCTYPE with an internal entity"),
}


def defect_pnr(name: str, pnrs: int) -> int:
    """The 1-based PNR a defect lands in for a push of ``pnrs`` PNRs (0: the header)."""
    wanted = DEFECTS[name].pnr
    return min(wanted, pnrs) if wanted else 0


def pnrgov_xml_push(pnrs: int, seed: int = 0, defects: Sequence[str] = ()) -> bytes:
    """A full PNRGOV XML push of ``pnrs`` PNRs for flight LH0474 FRA-YUL, with ``defects`` seeded (names from DEFECTS)."""
    unknown = [d for d in defects if d not in DEFECTS]
    if unknown:
        raise ValueError(f"unknown defects {unknown}; known: {', '.join(DEFECTS)}")
    wanted = set(defects)
    at = {name: defect_pnr(name, pnrs) for name in wanted}
    r = random.Random(seed)
    carrier, number, origin, destination, departure, arrival = FLIGHT
    namespace = "" if "no-namespace" in wanted else f' xmlns="{IATA_NS}"'
    declared = pnrs + 1 if "count-mismatch" in wanted else pnrs
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    if "doctype" in wanted:
        out.append('<!DOCTYPE IATA_PNRGOV_NotifRQ [<!ENTITY x "expanded">]>\n')
    out.append(f'<IATA_PNRGOV_NotifRQ{namespace} Version="13.1" TimeStamp="2025-06-13T15:50:00Z" '
               f'TransactionIdentifier="LH0474-20250614-01" SequenceNmbr="1" PushType="Full">\n'
               f'  <Originator AirlineCode="LH" SystemCode="LHRES" AirlineContactInfo="PNRGOV DESK +49 69 0000 0000"/>\n')
    carrier_attr = "" if "missing-carrier" in wanted else f' CarrierCode="{carrier}"'
    out.append(f'  <FlightLeg{carrier_attr} FlightNumber="{number}" DepartureDateTime="{departure}" '
               f'ArrivalDateTime="{arrival}">\n'
               f'    <DepartureAirport LocationCode="{origin}"/>\n    <ArrivalAirport LocationCode="{destination}"/>\n'
               f'  </FlightLeg>\n  <PNRs NumberOfPnrs="{declared}">\n')
    locators: list[str] = []
    for index in range(1, pnrs + 1):
        locator = "".join(r.choice(_LOCATOR) for _ in range(6))
        if "duplicate-locator" in wanted and index == at["duplicate-locator"] and locators:
            locator = locators[0]
        locators.append(locator)
        if "lowercase-locator" in wanted and index == at["lowercase-locator"]:
            locator = locator.lower()
        out.append(_pnr(r, index, locator, wanted, at))
    out.append('  </PNRs>\n</IATA_PNRGOV_NotifRQ>\n')
    return "".join(out).encode("utf-8")


def _pnr(r: random.Random, index: int, locator: str, wanted: set[str], at: dict[str, int]) -> str:
    def here(defect: str) -> bool:
        return defect in wanted and at[defect] == index

    group = index % 13 == 0
    infant = index % 7 == 0
    codeshare = index % 10 == 0
    adults = r.randint(9, 12) if group else r.randint(1, 3)
    created = FLIGHT_DATE - timedelta(days=r.randint(2, 120))
    parts = [f'    <PNR NumberOfPassengers="{adults + infant}" PNR_CreationDate="{created.isoformat()}" '
             f'PNR_TransDate="{(created + timedelta(days=1)).isoformat()}T09:{r.randint(10, 59)}:00Z">\n'
             f'      <BookingRefID ID="{locator}"><CompanyName Code="LH"/></BookingRefID>\n'
             f'      <POS><Source AirlineVendorID="1A" PseudoCityCode="FRA1A0{r.randint(100, 999)}" ISOCountry="DE"/></POS>\n']
    if here("unexpected-element"):
        parts.append('      <Remark>CALL PAX</Remark>\n')
    surname = r.choice(_SURNAMES)
    parts.append(f'      <ContactInfo PhoneNumber="+49 69 555 {r.randint(1000, 9999)}" '
                 f'EmailAddress="{surname.lower().replace(" ", ".").replace(chr(39), "")}@example.com">\n'
                 f'        <AddressLine>{r.randint(1, 99)} {escape("HAUPTSTRASSE")}</AddressLine>'
                 f'<CityName>FRANKFURT</CityName><PostalCode>60311</PostalCode><CountryName>DE</CountryName>\n'
                 f'      </ContactInfo>\n')
    card_vendor, card = r.choice(_TEST_CARDS)
    for p in range(1, adults + 1):
        family = surname if (group or p == 1 or r.random() < 0.5) else r.choice(_SURNAMES)
        given = r.choice(_GIVEN)
        nationality = r.choice(_COUNTRIES)
        birth = date(r.randint(1950, 2004), r.randint(1, 12), r.randint(1, 28)).isoformat()
        if here("bad-birth-date") and p == 1:
            birth = f"{birth[:4]}-02-30"
        gender = "Q" if here("bad-gender") and p == 1 else r.choice("MF")
        expiry = (FLIGHT_DATE + timedelta(days=r.randint(200, 3000))).isoformat()
        if here("expired-document") and p == 1:
            expiry = (FLIGHT_DATE - timedelta(days=40)).isoformat()
        surname_element = "" if here("missing-surname") and p == 1 else f"<Surname>{escape(family)}</Surname>"
        seat_row = r.randint(10, 45)
        ticket = f"220{r.randrange(10**10):010d}"
        amount = f"{r.randint(300, 1800)}.{r.randint(0, 99):02d}"
        payment = (f'<PaymentInfo PaymentType="CC" PaymentAmount="{amount}" VendorCode="{card_vendor}" AccountNbr="{card}" '
                   f'ExpiryDate="1229"/>' if p == 1 else f'<PaymentInfo PaymentType="CA" PaymentAmount="{amount}"/>')
        checked_in = r.random() < 0.6
        parts.append(
            f'      <Passenger RPH="{p}" PassengerTypeCode="{"G" if group else "A"}">\n'
            f'        <GivenName>{escape(given)}</GivenName>{surname_element}\n'
            + (f'        <CustLoyalty ProgramID="LH" MembershipID="992{r.randrange(10**12):012d}"/>\n'
               if r.random() < 0.3 else "")
            + f'        <DOC_SSR SSR_Code="DOCS" Status="HK"><DOCS DocType="P" DocID="C{r.randrange(10**8):08d}" '
            f'DocIssueCountry="{nationality}" PaxNationality="{nationality}" DateOfBirth="{birth}" Gender="{gender}" '
            f'ExpiryDate="{expiry}" Surname={quoteattr(family)} FirstGivenName={quoteattr(given)}/></DOC_SSR>\n'
            f'        <TicketDocument TicketDocumentNbr="{ticket}" Type="T" DateOfIssue="{created.isoformat()}">'
            f'<TotalFare Amount="{amount}" CurrencyCode="EUR"/>{payment}</TicketDocument>\n'
            f'        <Seat SeatNumber="{seat_row}{r.choice("ABCDEFGHK")}" FlightRPH="1"/>\n'
            + (f'        <Bag Quantity="{r.randint(1, 2)}" Weight="{r.randint(12, 23)}" UnitOfMeasureCode="KG" '
               f'BagTagNumber="LH{r.randrange(10**6):06d}"/>\n'
               f'        <CheckIn CheckInDateTime="2025-06-14T13:{r.randint(10, 59)}:00" '
               f'CheckInSequence="{r.randint(1, 300)}"/>\n' if checked_in else "")
            + '      </Passenger>\n')
    if infant:
        birth = (FLIGHT_DATE - timedelta(days=r.randint(60, 700))).isoformat()
        given = r.choice(_GIVEN)
        parts.append(
            f'      <Passenger RPH="{adults + 1}" PassengerTypeCode="IN" AccompaniedByRPH="1">\n'
            f'        <GivenName>{escape(given)}</GivenName><Surname>{escape(surname)}</Surname>\n'
            f'        <DOC_SSR SSR_Code="DOCS" Status="HK"><DOCS DocType="P" DocID="C{r.randrange(10**8):08d}" '
            f'DocIssueCountry="DEU" PaxNationality="DEU" DateOfBirth="{birth}" Gender="{r.choice(("MI", "FI"))}" '
            f'ExpiryDate="{(FLIGHT_DATE + timedelta(days=1500)).isoformat()}"/></DOC_SSR>\n'
            f'      </Passenger>\n')
    party = adults + infant
    if codeshare:
        parts.append(f'      <Flight FlightNumber="9100" DepartureDateTime="{FLIGHT[4]}" ArrivalDateTime="{FLIGHT[5]}" '
                     f'ResBookDesigCode="Y" Status="HK" NumberInParty="{party}" RPH="1">'
                     f'<DepartureAirport LocationCode="FRA"/><ArrivalAirport LocationCode="YUL"/>'
                     f'<MarketingAirline Code="AC"/><OperatingAirline Code="LH" FlightNumber="0474"/>'
                     f'<Equipment AirEquipType="359"/></Flight>\n')
    else:
        parts.append(f'      <Flight FlightNumber="0474" DepartureDateTime="{FLIGHT[4]}" ArrivalDateTime="{FLIGHT[5]}" '
                     f'ResBookDesigCode="{r.choice("YMBKL")}" Status="HK" NumberInParty="{party}" RPH="1">'
                     f'<DepartureAirport LocationCode="FRA"/><ArrivalAirport LocationCode="YUL"/>'
                     f'<MarketingAirline Code="LH"/><Equipment AirEquipType="359"/></Flight>\n')
    if r.random() < 0.4:
        parts.append(f'      <Flight FlightNumber="{r.randint(8000, 8999)}" DepartureDateTime="2025-06-14T19:05:00" '
                     f'ArrivalDateTime="2025-06-14T20:25:00" ResBookDesigCode="Y" Status="HK" NumberInParty="{party}" RPH="2">'
                     f'<DepartureAirport LocationCode="YUL"/><ArrivalAirport LocationCode="YYZ"/>'
                     f'<MarketingAirline Code="AC"/></Flight>\n')
    parts.append('    </PNR>\n')
    return "".join(parts)
