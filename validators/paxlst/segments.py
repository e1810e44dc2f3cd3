"""PAXLST segment layouts as data: every data element and component, for directories D.02B and D.05B.

What the layouts follow
    The UN/EDIFACT segment directories D.02B and D.05B (element and component identifiers, order,
    status M/C, formats ``an..35``, ``n..18`` …), read from the public machine-readable directory
    (GitHub ``php-edifact/edifact-mapping``, ``src/Mapping/D02B|D05B/segments.xml``), profiled on the
    WCO/IATA/ICAO API guidelines as carriers actually send them (STANDARDS.md §2.2, §2.3, §9) and on
    the public samples (``../shared/samples``). The code lists are the ones the guidelines use; each
    carries its STANDARDS.md section and confidence tag. They are module-level named tuples so a
    national profile can refer to them, widen or narrow them.

Where the repository was incomplete (not a departure from the UN directory, a repair of its copy)
    The XML drops trailing components or elements in a few places; the UN directory (as rendered by
    stedi.com's EDIFACT reference) has them, so they are here: LOC C553 and 5479, NAD C819 3229/1131/3228
    (the XML keeps only 3055), MEA C502 6155/6154, and in D.02B the TDT C228 *transport means*
    (without it every carrier's ``TDT+20+UA0989+++UA`` would put the carrier in 8101).

Deliberate departures from the raw UN directory (each one because real traffic or the guidelines
need it; each is marked ``# PROFILE`` where it is written)
    - COM: UN has one C076. Carriers send up to three channels as consecutive data elements
      (``COM+703-555-1212:TE+703-555-4545:FX``; syntax 3 has no repetition separator), so the layout
      has three C076 elements, only the first mandatory (§2.2 COM, [S S3], all samples).
    - MEA C174/6411 (unit) is M in UN; ``MEA+CT++:2`` (count, no unit) is real traffic, so it is C.
      ``MEA+CT++2`` (count in the unit slot) also occurs (§9 #7) and passes because 6411 is an..8
      (an..3 in D.02B); which one is right is a content rule, not a format fault.
    - BGM C002 and its 1001 are C in UN; the document code is what a PAXLST *is* (passenger list,
      crew list, close-out …), so both are M here. The same for DOC C002/1001 (the document type).
    - DTM C507/2380 (the value) is C in UN; an API date without its value is meaningless, so it is M
      (``DTM+329`` alone is a *missing* fault). 2380 is an..35 in UN; every format the guidelines use
      (none, 101, 102, 201, 203, 204) is digits only, so it is ``n..14``: a letter in a date is a
      CONTRL 37 (not numeric) here, not a content finding later. Calendar validity depends on 2379 and
      belongs to content rules.
    - Code lists: UN lists (1001, 3035, 3227, 2005, 1153 …) are hundreds of codes long; here they are
      restricted to the values the guidelines use, and widened with the non-UN codes that traffic
      carries: RFF 1153 ``SEA`` and ``YZY``, TDT 8051 ``34``, FTX 4451 ``BAG``, EMP 9005 ``CR1``…``CR5``,
      GEI 7365 ``173``/``174``/``ZZZ``, ATT 9019 gender ``M``/``F``/``U``/``X``.
    - Layouts are per tag, but a tag serves several groups (NAD in SG1 and SG4, LOC in SG3/SG4/SG5,
      DTM in SG2/SG3/SG4/SG5, RFF at the top, in SG4 and SG5). The codes given here are the union
      over the groups; which code belongs in which group (MS only in SG1; FL/FM/… only in SG4; 91
      only in SG5 …) is a content rule, with the per-group tuples below as its data.

Left open on purpose (documented so nobody "fixes" it by accident)
    - BGM C106/1004: CBP and China put a sub-code there (``BGM+250+C``, ``BGM+266+CLOB``, ``745+CP``),
      but 1004 is the *document identifier* in UN and other programmes may send a real identifier, so
      it is not restricted; :data:`BGM_SUBCODES` holds the known sub-codes for content rules.
    - DOC C002/1131 and 3055: the guideline examples send ``110`` / ``111`` (CBP) or ``110`` / ``ZZZ``
      (China); whether any other value is forbidden is not known ([M]), so they are format-checked only.
    - MEA 6411 units, NAT 3293 and LOC 3225 values (ISO 3166 / ICAO / IATA codes) are content rules.
    - FTX: only ``BAG`` is seen in API traffic ([S S3], GTAS parses nothing else). SG6 (GID) and SG7
      (TDT) FTX subjects are not known from any sample; a profile that meets them must widen
      :data:`FTX_SUBJECT_CODES`.
"""

from __future__ import annotations

from validators.elements import Component, Element, composite, simple

DIRECTORIES: tuple[str, ...] = ("02B", "05B")

# --- code lists the guidelines use (STANDARDS.md section and confidence tag on each) ----------------------------

# §2.3.1 [V S2 names; API meaning S S3]: 745 passenger list, 250 crew list, 266 flight status / close-out,
# 336 CBP master crew list, 655 CBP gate pass.
BGM_DOCUMENT_CODES: tuple[str, ...] = ("745", "250", "266", "336", "655")
# §2.3.1 [S S3, S4, S17]: the sub-codes carriers put in C106/1004, per document code. Not enforced by
# the layout (1004 stays open, see the module docstring); data for content rules and profiles.
BGM_SUBCODES: dict[str, tuple[str, ...]] = {
    "745": ("CP", "XR", "RP"),
    "250": ("C", "CC", "B", "BC", "A", "D", "E", "EC", "F", "FC"),
    "266": ("CL", "CLNB", "CLOB", "XF", "CF"),
    "336": ("G", "H", "I"),
    "655": (),
}

# §2.3.2: MS reporting party (SG1) [S S3]; FL passenger, FM crew member [V S2]; DDU / DDT in-transit
# passenger / crew [S S3]; COT involved party (WCO IG, meaning not verified [M]); ZZZ the China iAPI
# flight-close dummy NAD [S S4].
NAD_REPORTING_PARTY_CODES: tuple[str, ...] = ("MS",)
NAD_TRAVELLER_CODES: tuple[str, ...] = ("FL", "FM", "DDT", "DDU", "COT", "ZZZ")
NAD_PARTY_CODES: tuple[str, ...] = NAD_REPORTING_PARTY_CODES + NAD_TRAVELLER_CODES

# §2.3.3 [V S2 names; use S S3, S17], by group.
LOC_FLIGHT_CODES: tuple[str, ...] = ("125", "87", "92", "130", "188", "172")  # SG3 leg airports
LOC_TRAVELLER_CODES: tuple[str, ...] = ("22", "174", "178", "179", "180")  # SG4
LOC_DOCUMENT_CODES: tuple[str, ...] = ("91",)  # SG5 place of document issue
LOC_FUNCTION_CODES: tuple[str, ...] = LOC_FLIGHT_CODES + LOC_TRAVELLER_CODES + LOC_DOCUMENT_CODES

# §2.3.4 [V S2 names]: 189 departure, 232 arrival, 554 filed (CBP MCL, S S17) in SG3; 329 birth in SG4;
# 36 expiry and 182 issue (S) in SG5.
DTM_FLIGHT_CODES: tuple[str, ...] = ("189", "232", "554")
DTM_TRAVELLER_CODES: tuple[str, ...] = ("329",)
DTM_DOCUMENT_CODES: tuple[str, ...] = ("36", "182")
DTM_FUNCTION_CODES: tuple[str, ...] = DTM_FLIGHT_CODES + DTM_TRAVELLER_CODES + DTM_DOCUMENT_CODES
# §2.3.4 [V S2]: 101 YYMMDD, 102 CCYYMMDD, 201 YYMMDDHHMM, 203 CCYYMMDDHHMM, 204 CCYYMMDDHHMMSS. Optional:
# ``DTM+329:720907`` (no format code) is the usual date of birth.
DTM_FORMAT_CODES: tuple[str, ...] = ("101", "102", "201", "203", "204")

# §2.3.5 [S S3, S4, S17]: P passport, V visa, I/A/C identity cards (state-defined use), IP passport card,
# AC crew member certificate, F approved non-standard document, L pilot licence (CBP), T China iAPI other
# document. ``M`` is named in STANDARDS §10 as an open question only, with no sample: not included.
DOC_TYPE_CODES: tuple[str, ...] = ("P", "V", "I", "A", "C", "IP", "AC", "F", "L", "T")
# §2.3.5 [V samples]: the code list / agency the examples send after the document code. Not enforced.
DOC_CODE_LIST_IDS: tuple[str, ...] = ("110",)
DOC_CODE_LIST_AGENCIES: tuple[str, ...] = ("111", "ZZZ")

# §2.3.6 [V S2]: 9017 = 2 person. Gender values [S S17, S4]; exact WCO wording of U vs X is [M].
ATT_FUNCTION_CODES: tuple[str, ...] = ("2",)
GENDER_CODES: tuple[str, ...] = ("M", "F", "U", "X")

# §2.3.6 [V S2]: 1 at birth, 2 current, 3 previous nationality.
NAT_QUALIFIERS: tuple[str, ...] = ("1", "2", "3")

# §2.3.6 [V S2 for AVF, ABO, AEA, CR, TN; S S3/S17 for SEA; S S4 for YZY]. SEA (seat) and YZY (ticket
# number + coupon) are not in UN 1153 but are real traffic.
RFF_QUALIFIERS: tuple[str, ...] = ("AVF", "ABO", "SEA", "AEA", "CR", "YZY", "TN")

# §2.3.6 [V S2]: 20 main carriage; 34 overflight is CBP usage, not in UN 8051 [S S3].
TDT_STAGE_CODES: tuple[str, ...] = ("20", "34")

# §2.3.6: 9649 = 4 party type information [V S2]; 7365 173 verified, 174 not verified, ZZZ [S S3, S17].
GEI_QUALIFIERS: tuple[str, ...] = ("4",)
GEI_INDICATOR_CODES: tuple[str, ...] = ("173", "174", "ZZZ")

# §2.3.6 [S S17]: 9003 = 1; CR1 cockpit crew, CR2 cabin crew, CR3 operations management with cockpit
# access, CR4 cargo non-cockpit crew / non-crew, CR5 pilot on board not on duty.
EMP_QUALIFIERS: tuple[str, ...] = ("1",)
CREW_FUNCTION_CODES: tuple[str, ...] = ("CR1", "CR2", "CR3", "CR4", "CR5")

# §2.3.6 [V S2]: 42 total passengers, 41 total crew (some third-party parsers swap them: §9 #2).
CNT_QUALIFIERS: tuple[str, ...] = ("41", "42")

# §2.3.6 [V S2]: TE telephone, FX telefax, EM e-mail.
COM_CHANNEL_CODES: tuple[str, ...] = ("TE", "FX", "EM")

# §2.3.6 [S S3]: BAG bag tag id (not in UN 4451). Nothing else is seen in API traffic (see docstring).
FTX_SUBJECT_CODES: tuple[str, ...] = ("BAG",)

# §2.3.6 [S S3]: CT checked bag count, WT checked bag weight. Units (KGM, LBR) are not enforced on
# 6411 because ``MEA+CT++2`` puts the count there (§9 #7): content rules use MEA_UNIT_CODES.
MEA_PURPOSE_CODES: tuple[str, ...] = ("CT", "WT")
MEA_UNIT_CODES: tuple[str, ...] = ("KGM", "LBR")


# --- building blocks -------------------------------------------------------------------------------------------

def _c(ident: str, name: str, status: str, fmt: str, codes: tuple[str, ...] | None = None) -> Component:
    return Component(ident, name, status, fmt, None, codes)


def _code_list() -> Component:
    return _c("1131", "code list identification code", "C", "an..17")


def _agency() -> Component:
    return _c("3055", "code list responsible agency code", "C", "an..3")


def _unit_format(directory: str) -> str:
    """6411 measurement unit code: an..3 in D.02B, widened to an..8 by D.05B (verified in both XMLs)."""
    return "an..3" if directory == "02B" else "an..8"


# --- segments, in PAXLST order ---------------------------------------------------------------------------------

def _bgm() -> tuple[Element, ...]:
    return (
        composite("C002", "document/message name", "M",  # PROFILE: C in UN, see module docstring
                  _c("1001", "document name code", "M", "an..3", BGM_DOCUMENT_CODES),  # PROFILE: C in UN
                  _code_list(), _agency(),
                  _c("1000", "document name", "C", "an..35")),
        composite("C106", "document/message identification", "C",
                  _c("1004", "document identifier", "C", "an..35"),  # open: sub-codes in BGM_SUBCODES
                  _c("1056", "version identifier", "C", "an..9"),
                  _c("1060", "revision identifier", "C", "an..6")),
        simple("1225", "message function code", "C", "an..3"),
        simple("4343", "response type code", "C", "an..3"),
    )


def _rff() -> tuple[Element, ...]:
    return (
        composite("C506", "reference", "M",
                  _c("1153", "reference code qualifier", "M", "an..3", RFF_QUALIFIERS),
                  _c("1154", "reference identifier", "C", "an..70"),
                  _c("1156", "document line identifier", "C", "an..6"),
                  _c("4000", "reference version identifier", "C", "an..35"),
                  _c("1060", "revision identifier", "C", "an..6")),
    )


def _dtm() -> tuple[Element, ...]:
    return (
        composite("C507", "date/time/period", "M",
                  _c("2005", "date or time or period function code qualifier", "M", "an..3", DTM_FUNCTION_CODES),
                  _c("2380", "date or time or period text", "M", "n..14"),  # PROFILE: C an..35 in UN
                  _c("2379", "date or time or period format code", "C", "an..3", DTM_FORMAT_CODES)),
    )


def _nad() -> tuple[Element, ...]:
    return (
        simple("3035", "party function code qualifier", "M", "an..3", NAD_PARTY_CODES),
        composite("C082", "party identification details", "C",  # NAD+MS+ABC9876: a CBP profile id
                  _c("3039", "party identifier", "M", "an..35"),
                  _code_list(), _agency()),
        composite("C058", "name and address", "C",
                  _c("3124", "name and address description", "M", "an..35"),
                  *(_c("3124", "name and address description", "C", "an..35") for _ in range(4))),
        composite("C080", "party name", "C",  # surname : given names … (NAD+FL+++CLARK:MICHAEL)
                  _c("3036", "party name", "M", "an..35"),
                  *(_c("3036", "party name", "C", "an..35") for _ in range(4)),
                  _c("3045", "party name format code", "C", "an..3")),
        composite("C059", "street", "C",
                  _c("3042", "street and number or post office box identifier", "M", "an..35"),
                  *(_c("3042", "street and number or post office box identifier", "C", "an..35") for _ in range(3))),
        simple("3164", "city name", "C", "an..35"),
        composite("C819", "country subdivision details", "C",  # components missing from the XML: see docstring
                  _c("3229", "country subdivision identifier", "C", "an..9"),
                  _code_list(), _agency(),
                  _c("3228", "country subdivision name", "C", "an..70")),
        simple("3251", "postal identification code", "C", "an..17"),
        simple("3207", "country identifier", "C", "an..3"),
    )


def _cta() -> tuple[Element, ...]:
    return (
        simple("3139", "contact function code", "C", "an..3"),
        composite("C056", "contact details", "C",
                  _c("3413", "contact identifier", "C", "an..17"),
                  _c("3412", "contact name", "C", "an..35")),
    )


def _com() -> tuple[Element, ...]:
    # PROFILE: one C076 in UN; up to three channels sent as consecutive data elements (module docstring).
    def channel(status: str) -> Element:
        return composite("C076", "communication contact", status,
                         _c("3148", "communication address identifier", "M", "an..512"),
                         _c("3155", "communication means type code", "M", "an..3", COM_CHANNEL_CODES))
    return (channel("M"), channel("C"), channel("C"))


def _tdt(directory: str) -> tuple[Element, ...]:
    if directory == "02B":
        means = composite("C228", "transport means", "C",  # missing from the D02B XML: see docstring
                          _c("8179", "transport means description code", "C", "an..8"),
                          _c("8178", "transport means description", "C", "an..17"))
        identification = (_c("8213", "transport means identification name identifier", "C", "an..9"),
                          _code_list(), _agency(),
                          _c("8212", "transport means identification name", "C", "an..35"))
    else:
        means = composite("C001", "transport means", "C",
                          _c("8179", "transport means description code", "C", "an..8"),
                          _code_list(), _agency(),
                          _c("8178", "transport means description", "C", "an..17"))
        identification = (_c("8213", "transport means identification name identifier", "C", "an..35"),
                          _code_list(), _agency(),
                          _c("8212", "transport means identification name", "C", "an..70"))
    return (
        simple("8051", "transport stage code qualifier", "M", "an..3", TDT_STAGE_CODES),
        simple("8028", "means of transport journey identifier", "C", "an..17"),  # airline + flight number
        composite("C220", "mode of transport", "C",
                  _c("8067", "transport mode name code", "C", "an..3"),
                  _c("8066", "transport mode name", "C", "an..17")),
        means,
        composite("C040", "carrier", "C",
                  _c("3127", "carrier identifier", "C", "an..17"),
                  _code_list(), _agency(),
                  _c("3128", "carrier name", "C", "an..35")),
        simple("8101", "transit direction indicator code", "C", "an..3"),
        composite("C401", "excess transportation information", "C",
                  _c("8457", "excess transportation reason code", "M", "an..3"),
                  _c("8459", "excess transportation responsibility code", "M", "an..3"),
                  _c("7130", "customer shipment authorisation identifier", "C", "an..17")),
        composite("C222", "transport identification", "C", *identification,
                  _c("8453", "transport means nationality code", "C", "an..3")),
        simple("8281", "transport means ownership indicator code", "C", "an..3"),
    )


def _loc() -> tuple[Element, ...]:
    return (
        simple("3227", "location function code qualifier", "M", "an..3", LOC_FUNCTION_CODES),
        composite("C517", "location identification", "C",  # LOC+180+:::HARTFORD USA uses 3224
                  _c("3225", "location name code", "C", "an..35"),
                  _code_list(), _agency(),
                  _c("3224", "location name", "C", "an..256")),
        composite("C519", "related location one identification", "C",
                  _c("3223", "first related location name code", "C", "an..25"),
                  _code_list(), _agency(),
                  _c("3222", "first related location name", "C", "an..70")),
        composite("C553", "related location two identification", "C",  # missing from the XML: see docstring
                  _c("3233", "second related location name code", "C", "an..25"),
                  _code_list(), _agency(),
                  _c("3232", "second related location name", "C", "an..70")),
        simple("5479", "relation code", "C", "an..3"),  # missing from the XML: see docstring
    )


def _att() -> tuple[Element, ...]:
    return (
        simple("9017", "attribute function code qualifier", "M", "an..3", ATT_FUNCTION_CODES),
        composite("C955", "attribute type", "C",
                  _c("9021", "attribute type description code", "C", "an..17"),
                  _code_list(), _agency(),
                  _c("9020", "attribute type description", "C", "an..70")),
        composite("C956", "attribute detail", "C",  # ATT+2++M: gender in 9019
                  _c("9019", "attribute description code", "C", "an..17", GENDER_CODES),
                  _code_list(), _agency(),
                  _c("9018", "attribute description", "C", "an..256")),
    )


def _mea(directory: str) -> tuple[Element, ...]:
    return (
        simple("6311", "measurement purpose code qualifier", "M", "an..3", MEA_PURPOSE_CODES),
        composite("C502", "measurement details", "C",  # 6155/6154 missing from the XML: see docstring
                  _c("6313", "measured attribute code", "C", "an..3"),
                  _c("6321", "measurement significance code", "C", "an..3"),
                  _c("6155", "non-discrete measurement name code", "C", "an..17"),
                  _c("6154", "non-discrete measurement name", "C", "an..70")),
        composite("C174", "value/range", "C",
                  _c("6411", "measurement unit code", "C", _unit_format(directory)),  # PROFILE: M in UN (MEA+CT++:2)
                  _c("6314", "measure", "C", "an..18"),
                  _c("6162", "range minimum quantity", "C", "n..18"),
                  _c("6152", "range maximum quantity", "C", "n..18"),
                  _c("6432", "significant digits quantity", "C", "n..2")),
        simple("7383", "surface or layer code", "C", "an..3"),
    )


def _gei() -> tuple[Element, ...]:
    return (
        simple("9649", "processing information code qualifier", "M", "an..3", GEI_QUALIFIERS),
        composite("C012", "processing indicator", "C",
                  _c("7365", "processing indicator description code", "C", "an..3", GEI_INDICATOR_CODES),
                  _code_list(), _agency(),
                  _c("7364", "processing indicator description", "C", "an..35")),
        simple("7187", "process type description code", "C", "an..17"),
    )


def _ftx() -> tuple[Element, ...]:
    return (
        simple("4451", "text subject code qualifier", "M", "an..3", FTX_SUBJECT_CODES),
        simple("4453", "free text function code", "C", "an..3"),
        composite("C107", "text reference", "C",
                  _c("4441", "free text description code", "M", "an..17"),
                  _code_list(), _agency()),
        composite("C108", "text literal", "C",  # FTX+BAG+++AF012345:3: first tag and count
                  _c("4440", "free text", "M", "an..512"),
                  *(_c("4440", "free text", "C", "an..512") for _ in range(4))),
        simple("3453", "language name code", "C", "an..3"),
        simple("4447", "free text format code", "C", "an..3"),
    )


def _emp() -> tuple[Element, ...]:
    return (
        simple("9003", "employment details code qualifier", "M", "an..3", EMP_QUALIFIERS),
        composite("C948", "employment category", "C",  # EMP+1+CR1:110:111
                  _c("9005", "employment category description code", "C", "an..3", CREW_FUNCTION_CODES),
                  _code_list(), _agency(),
                  _c("9004", "employment category description", "C", "an..35")),
        composite("C951", "occupation", "C",
                  _c("9009", "occupation description code", "C", "an..3"),
                  _code_list(), _agency(),
                  _c("9008", "occupation description", "C", "an..35"),
                  _c("9008", "occupation description", "C", "an..35")),
        composite("C950", "qualification classification", "C",
                  _c("9007", "qualification classification description code", "C", "an..3"),
                  _code_list(), _agency(),
                  _c("9006", "qualification classification description", "C", "an..35"),
                  _c("9006", "qualification classification description", "C", "an..35")),
        simple("3494", "job title description", "C", "an..35"),
        simple("9035", "qualification application area code", "C", "an..3"),
    )


def _nat() -> tuple[Element, ...]:
    return (
        simple("3493", "nationality code qualifier", "M", "an..3", NAT_QUALIFIERS),
        composite("C042", "nationality details", "C",
                  _c("3293", "nationality name code", "C", "an..3"),  # ISO 3166 / ICAO 9303: content rule
                  _code_list(), _agency(),
                  _c("3292", "nationality name", "C", "a..35")),  # a..35 as both XMLs give it
    )


def _doc() -> tuple[Element, ...]:
    return (
        composite("C002", "document/message name", "M",
                  _c("1001", "document name code", "M", "an..3", DOC_TYPE_CODES),  # PROFILE: C in UN
                  _code_list(),  # 110 in every example; open (DOC_CODE_LIST_IDS)
                  _agency(),  # 111 (CBP) or ZZZ (China); open (DOC_CODE_LIST_AGENCIES)
                  _c("1000", "document name", "C", "an..35")),
        composite("C503", "document/message details", "C",
                  _c("1004", "document identifier", "C", "an..35"),  # the document number
                  _c("1373", "document status code", "C", "an..3"),
                  _c("1366", "document source description", "C", "an..70"),
                  _c("3453", "language name code", "C", "an..3"),
                  _c("1056", "version identifier", "C", "an..9"),
                  _c("1060", "revision identifier", "C", "an..6")),
        simple("3153", "communication medium type code", "C", "an..3"),
        simple("1220", "document copies required quantity", "C", "n..2"),
        simple("1218", "document originals required quantity", "C", "n..2"),
    )


def _cpi() -> tuple[Element, ...]:
    return (
        composite("C229", "charge category", "C",
                  _c("5237", "charge category code", "M", "an..3"),
                  _code_list(), _agency()),
        composite("C231", "method of payment", "C",
                  _c("4215", "transport charges payment method code", "M", "an..3"),
                  _code_list(), _agency()),
        simple("4237", "payment arrangement code", "C", "an..3"),
    )


def _qty(directory: str) -> tuple[Element, ...]:
    return (
        composite("C186", "quantity details", "M",
                  _c("6063", "quantity type code qualifier", "M", "an..3"),
                  _c("6060", "quantity", "M", "an..35"),
                  _c("6411", "measurement unit code", "C", _unit_format(directory))),
    )


def _gid() -> tuple[Element, ...]:
    def packages() -> Element:
        return composite("C213", "number and type of packages", "C",
                         _c("7224", "package quantity", "C", "n..8"),
                         _c("7065", "package type description code", "C", "an..17"),
                         _code_list(), _agency(),
                         _c("7064", "type of packages", "C", "an..35"),
                         _c("7233", "packaging related description code", "C", "an..3"))
    return (simple("1496", "goods item number", "C", "n..5"), *(packages() for _ in range(5)))


def _cnt(directory: str) -> tuple[Element, ...]:
    return (
        composite("C270", "control", "M",  # CNT+42:2 (CNT+41+8 is a wrong separator: §9 #3)
                  _c("6069", "control total type code qualifier", "M", "an..3", CNT_QUALIFIERS),
                  _c("6066", "control total quantity", "M", "n..18"),
                  _c("6411", "measurement unit code", "C", _unit_format(directory))),
    )


def _aut() -> tuple[Element, ...]:
    return (
        simple("9280", "validation result text", "M", "an..35"),
        simple("9282", "validation key identifier", "C", "an..35"),
    )


def layouts(directory: str) -> dict[str, tuple[Element, ...]]:
    """Every PAXLST segment's layout for a directory (``"02B"`` or ``"05B"``), keyed by tag."""
    if directory not in DIRECTORIES:
        raise ValueError(f"no PAXLST segment layouts for directory {directory!r} (have {', '.join(DIRECTORIES)})")
    return {
        "BGM": _bgm(), "RFF": _rff(), "DTM": _dtm(), "NAD": _nad(), "CTA": _cta(), "COM": _com(),
        "TDT": _tdt(directory), "LOC": _loc(), "ATT": _att(), "MEA": _mea(directory), "GEI": _gei(),
        "FTX": _ftx(), "EMP": _emp(), "NAT": _nat(), "DOC": _doc(), "CPI": _cpi(), "QTY": _qty(directory),
        "GID": _gid(), "CNT": _cnt(directory), "AUT": _aut(),
    }


LAYOUTS: dict[str, dict[str, tuple[Element, ...]]] = {directory: layouts(directory) for directory in DIRECTORIES}
