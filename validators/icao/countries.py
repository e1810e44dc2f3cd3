"""Nationality and issuing-state codes for ICAO Doc 9303 documents and PAXLST NAT/LOC/DOC fields.

Why a module of literal tables: validators are sans-I/O and must give the same answer on every
machine, so the ISO 3166 list is frozen here as data instead of being read from ``pycountry`` (or a
file) at run time. The ISO tables below were generated once (``pycountry`` 26.2.16, the dev extra
``pycountry>=24``) by this script, its output pasted between the "generated" markers::

    import importlib.metadata, pycountry
    print(f'ISO_SOURCE = "pycountry {importlib.metadata.version("pycountry")}"')
    current = {c.alpha_3 for c in pycountry.countries}
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):      # -> ISO_3166_1
        print(f"    {c.alpha_3!r}: ({c.alpha_2!r}, {c.name!r}, {getattr(c, 'common_name', None)!r}),")
    for c in sorted(pycountry.historic_countries, key=lambda c: c.alpha_3):  # -> ISO_3166_3_FORMER
        if c.alpha_3 not in current:
            print(f"    {c.alpha_3!r}: {c.name!r},")

i.e. every ``pycountry.countries`` entry as ``alpha_3: (alpha_2, name, common_name)`` and every
``pycountry.historic_countries`` alpha-3 that no current country reuses. The test suite compares the
tables against the installed ``pycountry`` (a real peer), so a newer ISO release shows up as a failing
test with the exact difference; regenerate, review the diff, and update ``ISO_SOURCE``.

On top of ISO 3166-1 come the Doc 9303 Part 3 codes of STANDARDS.md §6.3, each with a *role*:

* usable as a **nationality** (the code describes a person's status: a British nationality class,
  stateless, refugee, unspecified, or an organisation "or one of its officials/emissaries"),
* usable as an **issuer** (issuing state or organisation: a travel document can be issued by it),
* **historic** (neither: it may still be named and suggested from, but a current document cannot carry it).

Every ISO 3166-1 code is accepted in both roles: Doc 9303 refers to the whole ISO list and does not
say which territories issue documents, so narrowing it is a profile's decision, not this table's.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Role = Literal["nationality", "issuer"]

# --- generated from pycountry 26.2.16: do not edit by hand (see the module docstring) ---
ISO_SOURCE = "pycountry 26.2.16"
# alpha-3: (alpha-2, ISO 3166-1 English short name, common name or None)
ISO_3166_1: dict[str, tuple[str, str, str | None]] = {
    'ABW': ('AW', 'Aruba', None),
    'AFG': ('AF', 'Afghanistan', None),
    'AGO': ('AO', 'Angola', None),
    'AIA': ('AI', 'Anguilla', None),
    'ALA': ('AX', 'Åland Islands', None),
    'ALB': ('AL', 'Albania', None),
    'AND': ('AD', 'Andorra', None),
    'ARE': ('AE', 'United Arab Emirates', None),
    'ARG': ('AR', 'Argentina', None),
    'ARM': ('AM', 'Armenia', None),
    'ASM': ('AS', 'American Samoa', None),
    'ATA': ('AQ', 'Antarctica', None),
    'ATF': ('TF', 'French Southern Territories', None),
    'ATG': ('AG', 'Antigua and Barbuda', None),
    'AUS': ('AU', 'Australia', None),
    'AUT': ('AT', 'Austria', None),
    'AZE': ('AZ', 'Azerbaijan', None),
    'BDI': ('BI', 'Burundi', None),
    'BEL': ('BE', 'Belgium', None),
    'BEN': ('BJ', 'Benin', None),
    'BES': ('BQ', 'Bonaire, Sint Eustatius and Saba', None),
    'BFA': ('BF', 'Burkina Faso', None),
    'BGD': ('BD', 'Bangladesh', None),
    'BGR': ('BG', 'Bulgaria', None),
    'BHR': ('BH', 'Bahrain', None),
    'BHS': ('BS', 'Bahamas', None),
    'BIH': ('BA', 'Bosnia and Herzegovina', None),
    'BLM': ('BL', 'Saint Barthélemy', None),
    'BLR': ('BY', 'Belarus', None),
    'BLZ': ('BZ', 'Belize', None),
    'BMU': ('BM', 'Bermuda', None),
    'BOL': ('BO', 'Bolivia, Plurinational State of', 'Bolivia'),
    'BRA': ('BR', 'Brazil', None),
    'BRB': ('BB', 'Barbados', None),
    'BRN': ('BN', 'Brunei Darussalam', None),
    'BTN': ('BT', 'Bhutan', None),
    'BVT': ('BV', 'Bouvet Island', None),
    'BWA': ('BW', 'Botswana', None),
    'CAF': ('CF', 'Central African Republic', None),
    'CAN': ('CA', 'Canada', None),
    'CCK': ('CC', 'Cocos (Keeling) Islands', None),
    'CHE': ('CH', 'Switzerland', None),
    'CHL': ('CL', 'Chile', None),
    'CHN': ('CN', 'China', None),
    'CIV': ('CI', "Côte d'Ivoire", None),
    'CMR': ('CM', 'Cameroon', None),
    'COD': ('CD', 'Congo, The Democratic Republic of the', None),
    'COG': ('CG', 'Congo', None),
    'COK': ('CK', 'Cook Islands', None),
    'COL': ('CO', 'Colombia', None),
    'COM': ('KM', 'Comoros', None),
    'CPV': ('CV', 'Cabo Verde', None),
    'CRI': ('CR', 'Costa Rica', None),
    'CUB': ('CU', 'Cuba', None),
    'CUW': ('CW', 'Curaçao', None),
    'CXR': ('CX', 'Christmas Island', None),
    'CYM': ('KY', 'Cayman Islands', None),
    'CYP': ('CY', 'Cyprus', None),
    'CZE': ('CZ', 'Czechia', None),
    'DEU': ('DE', 'Germany', None),
    'DJI': ('DJ', 'Djibouti', None),
    'DMA': ('DM', 'Dominica', None),
    'DNK': ('DK', 'Denmark', None),
    'DOM': ('DO', 'Dominican Republic', None),
    'DZA': ('DZ', 'Algeria', None),
    'ECU': ('EC', 'Ecuador', None),
    'EGY': ('EG', 'Egypt', None),
    'ERI': ('ER', 'Eritrea', None),
    'ESH': ('EH', 'Western Sahara', None),
    'ESP': ('ES', 'Spain', None),
    'EST': ('EE', 'Estonia', None),
    'ETH': ('ET', 'Ethiopia', None),
    'FIN': ('FI', 'Finland', None),
    'FJI': ('FJ', 'Fiji', None),
    'FLK': ('FK', 'Falkland Islands (Malvinas)', None),
    'FRA': ('FR', 'France', None),
    'FRO': ('FO', 'Faroe Islands', None),
    'FSM': ('FM', 'Micronesia, Federated States of', None),
    'GAB': ('GA', 'Gabon', None),
    'GBR': ('GB', 'United Kingdom', None),
    'GEO': ('GE', 'Georgia', None),
    'GGY': ('GG', 'Guernsey', None),
    'GHA': ('GH', 'Ghana', None),
    'GIB': ('GI', 'Gibraltar', None),
    'GIN': ('GN', 'Guinea', None),
    'GLP': ('GP', 'Guadeloupe', None),
    'GMB': ('GM', 'Gambia', None),
    'GNB': ('GW', 'Guinea-Bissau', None),
    'GNQ': ('GQ', 'Equatorial Guinea', None),
    'GRC': ('GR', 'Greece', None),
    'GRD': ('GD', 'Grenada', None),
    'GRL': ('GL', 'Greenland', None),
    'GTM': ('GT', 'Guatemala', None),
    'GUF': ('GF', 'French Guiana', None),
    'GUM': ('GU', 'Guam', None),
    'GUY': ('GY', 'Guyana', None),
    'HKG': ('HK', 'Hong Kong', None),
    'HMD': ('HM', 'Heard Island and McDonald Islands', None),
    'HND': ('HN', 'Honduras', None),
    'HRV': ('HR', 'Croatia', None),
    'HTI': ('HT', 'Haiti', None),
    'HUN': ('HU', 'Hungary', None),
    'IDN': ('ID', 'Indonesia', None),
    'IMN': ('IM', 'Isle of Man', None),
    'IND': ('IN', 'India', None),
    'IOT': ('IO', 'British Indian Ocean Territory', None),
    'IRL': ('IE', 'Ireland', None),
    'IRN': ('IR', 'Iran, Islamic Republic of', 'Iran'),
    'IRQ': ('IQ', 'Iraq', None),
    'ISL': ('IS', 'Iceland', None),
    'ISR': ('IL', 'Israel', None),
    'ITA': ('IT', 'Italy', None),
    'JAM': ('JM', 'Jamaica', None),
    'JEY': ('JE', 'Jersey', None),
    'JOR': ('JO', 'Jordan', None),
    'JPN': ('JP', 'Japan', None),
    'KAZ': ('KZ', 'Kazakhstan', None),
    'KEN': ('KE', 'Kenya', None),
    'KGZ': ('KG', 'Kyrgyzstan', None),
    'KHM': ('KH', 'Cambodia', None),
    'KIR': ('KI', 'Kiribati', None),
    'KNA': ('KN', 'Saint Kitts and Nevis', None),
    'KOR': ('KR', 'Korea, Republic of', 'South Korea'),
    'KWT': ('KW', 'Kuwait', None),
    'LAO': ('LA', "Lao People's Democratic Republic", 'Laos'),
    'LBN': ('LB', 'Lebanon', None),
    'LBR': ('LR', 'Liberia', None),
    'LBY': ('LY', 'Libya', None),
    'LCA': ('LC', 'Saint Lucia', None),
    'LIE': ('LI', 'Liechtenstein', None),
    'LKA': ('LK', 'Sri Lanka', None),
    'LSO': ('LS', 'Lesotho', None),
    'LTU': ('LT', 'Lithuania', None),
    'LUX': ('LU', 'Luxembourg', None),
    'LVA': ('LV', 'Latvia', None),
    'MAC': ('MO', 'Macao', None),
    'MAF': ('MF', 'Saint Martin (French part)', None),
    'MAR': ('MA', 'Morocco', None),
    'MCO': ('MC', 'Monaco', None),
    'MDA': ('MD', 'Moldova, Republic of', 'Moldova'),
    'MDG': ('MG', 'Madagascar', None),
    'MDV': ('MV', 'Maldives', None),
    'MEX': ('MX', 'Mexico', None),
    'MHL': ('MH', 'Marshall Islands', None),
    'MKD': ('MK', 'North Macedonia', None),
    'MLI': ('ML', 'Mali', None),
    'MLT': ('MT', 'Malta', None),
    'MMR': ('MM', 'Myanmar', None),
    'MNE': ('ME', 'Montenegro', None),
    'MNG': ('MN', 'Mongolia', None),
    'MNP': ('MP', 'Northern Mariana Islands', None),
    'MOZ': ('MZ', 'Mozambique', None),
    'MRT': ('MR', 'Mauritania', None),
    'MSR': ('MS', 'Montserrat', None),
    'MTQ': ('MQ', 'Martinique', None),
    'MUS': ('MU', 'Mauritius', None),
    'MWI': ('MW', 'Malawi', None),
    'MYS': ('MY', 'Malaysia', None),
    'MYT': ('YT', 'Mayotte', None),
    'NAM': ('NA', 'Namibia', None),
    'NCL': ('NC', 'New Caledonia', None),
    'NER': ('NE', 'Niger', None),
    'NFK': ('NF', 'Norfolk Island', None),
    'NGA': ('NG', 'Nigeria', None),
    'NIC': ('NI', 'Nicaragua', None),
    'NIU': ('NU', 'Niue', None),
    'NLD': ('NL', 'Netherlands', None),
    'NOR': ('NO', 'Norway', None),
    'NPL': ('NP', 'Nepal', None),
    'NRU': ('NR', 'Nauru', None),
    'NZL': ('NZ', 'New Zealand', None),
    'OMN': ('OM', 'Oman', None),
    'PAK': ('PK', 'Pakistan', None),
    'PAN': ('PA', 'Panama', None),
    'PCN': ('PN', 'Pitcairn', None),
    'PER': ('PE', 'Peru', None),
    'PHL': ('PH', 'Philippines', None),
    'PLW': ('PW', 'Palau', None),
    'PNG': ('PG', 'Papua New Guinea', None),
    'POL': ('PL', 'Poland', None),
    'PRI': ('PR', 'Puerto Rico', None),
    'PRK': ('KP', "Korea, Democratic People's Republic of", 'North Korea'),
    'PRT': ('PT', 'Portugal', None),
    'PRY': ('PY', 'Paraguay', None),
    'PSE': ('PS', 'Palestine, State of', None),
    'PYF': ('PF', 'French Polynesia', None),
    'QAT': ('QA', 'Qatar', None),
    'REU': ('RE', 'Réunion', None),
    'ROU': ('RO', 'Romania', None),
    'RUS': ('RU', 'Russian Federation', None),
    'RWA': ('RW', 'Rwanda', None),
    'SAU': ('SA', 'Saudi Arabia', None),
    'SDN': ('SD', 'Sudan', None),
    'SEN': ('SN', 'Senegal', None),
    'SGP': ('SG', 'Singapore', None),
    'SGS': ('GS', 'South Georgia and the South Sandwich Islands', None),
    'SHN': ('SH', 'Saint Helena, Ascension and Tristan da Cunha', None),
    'SJM': ('SJ', 'Svalbard and Jan Mayen', None),
    'SLB': ('SB', 'Solomon Islands', None),
    'SLE': ('SL', 'Sierra Leone', None),
    'SLV': ('SV', 'El Salvador', None),
    'SMR': ('SM', 'San Marino', None),
    'SOM': ('SO', 'Somalia', None),
    'SPM': ('PM', 'Saint Pierre and Miquelon', None),
    'SRB': ('RS', 'Serbia', None),
    'SSD': ('SS', 'South Sudan', None),
    'STP': ('ST', 'Sao Tome and Principe', None),
    'SUR': ('SR', 'Suriname', None),
    'SVK': ('SK', 'Slovakia', None),
    'SVN': ('SI', 'Slovenia', None),
    'SWE': ('SE', 'Sweden', None),
    'SWZ': ('SZ', 'Eswatini', None),
    'SXM': ('SX', 'Sint Maarten (Dutch part)', None),
    'SYC': ('SC', 'Seychelles', None),
    'SYR': ('SY', 'Syrian Arab Republic', 'Syria'),
    'TCA': ('TC', 'Turks and Caicos Islands', None),
    'TCD': ('TD', 'Chad', None),
    'TGO': ('TG', 'Togo', None),
    'THA': ('TH', 'Thailand', None),
    'TJK': ('TJ', 'Tajikistan', None),
    'TKL': ('TK', 'Tokelau', None),
    'TKM': ('TM', 'Turkmenistan', None),
    'TLS': ('TL', 'Timor-Leste', None),
    'TON': ('TO', 'Tonga', None),
    'TTO': ('TT', 'Trinidad and Tobago', None),
    'TUN': ('TN', 'Tunisia', None),
    'TUR': ('TR', 'Türkiye', None),
    'TUV': ('TV', 'Tuvalu', None),
    'TWN': ('TW', 'Taiwan, Province of China', 'Taiwan'),
    'TZA': ('TZ', 'Tanzania, United Republic of', 'Tanzania'),
    'UGA': ('UG', 'Uganda', None),
    'UKR': ('UA', 'Ukraine', None),
    'UMI': ('UM', 'United States Minor Outlying Islands', None),
    'URY': ('UY', 'Uruguay', None),
    'USA': ('US', 'United States', None),
    'UZB': ('UZ', 'Uzbekistan', None),
    'VAT': ('VA', 'Holy See (Vatican City State)', None),
    'VCT': ('VC', 'Saint Vincent and the Grenadines', None),
    'VEN': ('VE', 'Venezuela, Bolivarian Republic of', 'Venezuela'),
    'VGB': ('VG', 'Virgin Islands, British', None),
    'VIR': ('VI', 'Virgin Islands, U.S.', None),
    'VNM': ('VN', 'Viet Nam', 'Vietnam'),
    'VUT': ('VU', 'Vanuatu', None),
    'WLF': ('WF', 'Wallis and Futuna', None),
    'WSM': ('WS', 'Samoa', None),
    'YEM': ('YE', 'Yemen', None),
    'ZAF': ('ZA', 'South Africa', None),
    'ZMB': ('ZM', 'Zambia', None),
    'ZWE': ('ZW', 'Zimbabwe', None),
}
# ISO 3166-3 former codes (alpha-3 only) that no current country reuses: alpha-3 -> name
ISO_3166_3_FORMER: dict[str, str] = {
    'AFI': 'French Afars and Issas',
    'ANT': 'Netherlands Antilles',
    'ATB': 'British Antarctic Territory',
    'ATN': 'Dronning Maud Land',
    'BUR': 'Burma, Socialist Republic of the Union of',
    'BYS': 'Byelorussian SSR Soviet Socialist Republic',
    'CSK': 'Czechoslovakia, Czechoslovak Socialist Republic',
    'CTE': 'Canton and Enderbury Islands',
    'DDR': 'German Democratic Republic',
    'DHY': 'Dahomey',
    'FXX': 'France, Metropolitan',
    'GEL': 'Gilbert and Ellice Islands',
    'HVO': 'Upper Volta, Republic of',
    'JTN': 'Johnston Island',
    'MID': 'Midway Islands',
    'NHB': 'New Hebrides',
    'NTZ': 'Neutral Zone',
    'PCI': 'Pacific Islands (trust territory)',
    'PCZ': 'Panama Canal Zone',
    'PUS': 'US Miscellaneous Pacific Islands',
    'RHO': 'Southern Rhodesia',
    'SCG': 'Serbia and Montenegro',
    'SKM': 'Sikkim',
    'SUN': 'USSR, Union of Soviet Socialist Republics',
    'TMP': 'East Timor',
    'VDR': 'Viet-Nam, Democratic Republic of',
    'WAK': 'Wake Island',
    'YMD': "Yemen, Democratic, People's Democratic Republic of",
    'YUG': 'Yugoslavia, (Socialist) Federal Republic of',
    'ZAR': 'Zaire, Republic of',
}
# --- end of generated tables ---


@dataclass(frozen=True, slots=True)
class IcaoCode:
    """A Doc 9303 code that is not an ISO 3166-1 alpha-3 code, with the roles it may play."""

    meaning: str
    nationality: bool
    issuer: bool
    historic: bool = False
    iso_equivalent: str | None = None  # the ISO 3166-1 code of the same state, where there is one


# Doc 9303 Part 3 codes beyond ISO 3166-1 (STANDARDS.md §6.3, [V S5]). One decision per row:
ICAO_CODES: dict[str, IcaoCode] = {
    # Germany writes "D<<" in the MRZ (issuing state and nationality alike); ISO 3166-1 has only DEU.
    # Accepted in both roles; PAXLST profiles may warn and map it to DEU (STANDARDS.md §6.3 [D]).
    "D": IcaoCode("Germany (MRZ code; ISO 3166-1 alpha-3 is DEU)", nationality=True, issuer=True, iso_equivalent="DEU"),
    # The five British nationality classes describe the holder, not an issuer: the passports are issued
    # by the United Kingdom (issuing state GBR) with the class in the nationality field.
    "GBD": IcaoCode("British Overseas Territories Citizen", nationality=True, issuer=False),
    "GBN": IcaoCode("British National (Overseas)", nationality=True, issuer=False),
    "GBO": IcaoCode("British Overseas Citizen", nationality=True, issuer=False),
    "GBP": IcaoCode("British Protected Person", nationality=True, issuer=False),
    "GBS": IcaoCode("British Subject", nationality=True, issuer=False),
    # The EU issues the laissez-passer; the holder keeps the nationality of a member state, and
    # Doc 9303's wording has no "or one of its officials", so EUE is never a nationality.
    "EUE": IcaoCode("European Union (EU)", nationality=False, issuer=True),
    # "United Nations Organization or one of its officials": the UN issues the laissez-passer and
    # Doc 9303 explicitly lets the code stand for the official, so both roles.
    "UNO": IcaoCode("United Nations Organization or one of its officials", nationality=True, issuer=True),
    # Same wording for the specialised agencies: both roles.
    "UNA": IcaoCode("United Nations specialized agency or one of its officials", nationality=True, issuer=True),
    # Describes a person (a resident of Kosovo holding an UNMIK travel document) and was the issuer
    # code written on those documents by UNMIK: both roles.
    "UNK": IcaoCode("Resident of Kosovo to whom a travel document has been issued by the United Nations Interim "
                    "Administration Mission in Kosovo (UNMIK)", nationality=True, issuer=True),
    # Kosovo's own passports carry RKS as issuing state and nationality. Listed by the public MRZ code we
    # checked (S5) but its ICAO status is from memory, so accepted in both roles to avoid false errors on
    # real documents; a profile can tighten it.
    "RKS": IcaoCode("Republic of Kosovo", nationality=True, issuer=True),
    # XXK is a Kosovo code some systems use (listed by S5, not a Doc 9303 code as far as we know); same
    # treatment as RKS.
    "XXK": IcaoCode("Kosovo", nationality=True, issuer=True),
    # Organisations without "or one of its officials/emissaries": they issue documents (laissez-passer,
    # certificates) but nobody is a national of them. Issuer only.
    "XBA": IcaoCode("African Development Bank (ADB)", nationality=False, issuer=True),
    "XIM": IcaoCode("African Export-Import Bank (AFREXIM bank)", nationality=False, issuer=True),
    "XCE": IcaoCode("Council of Europe", nationality=False, issuer=True),
    "XCO": IcaoCode("Common Market for Eastern and Southern Africa (COMESA)", nationality=False, issuer=True),
    "XEC": IcaoCode("Economic Community of West African States (ECOWAS)", nationality=False, issuer=True),
    "XPO": IcaoCode("International Criminal Police Organization (INTERPOL)", nationality=False, issuer=True),
    "XES": IcaoCode("Organization of Eastern Caribbean States (OECS)", nationality=False, issuer=True),
    "XDC": IcaoCode("Southern African Development Community", nationality=False, issuer=True),
    # Doc 9303 words these two "... or one of its emissaries", exactly parallel to UNO/UNA's "or one of
    # its officials", so the code may stand for the person as well: both roles. (This deliberately
    # differs from treating CARICOM as an issuer only; see the module docstring's role rules.)
    "XCC": IcaoCode("Caribbean Community or one of its emissaries (CARICOM)", nationality=True, issuer=True),
    "XOM": IcaoCode("Sovereign Military Order of Malta or one of its emissaries", nationality=True, issuer=True),
    # Statuses of persons: written in the nationality field of travel documents issued by a state
    # (e.g. a 1954/1951 Convention travel document); a status never issues anything. Nationality only.
    "XXA": IcaoCode("Stateless person, as defined in Article 1 of the 1954 Convention Relating to the Status of "
                    "Stateless Persons", nationality=True, issuer=False),
    "XXB": IcaoCode("Refugee, as defined in Article 1 of the 1951 Convention Relating to the Status of Refugees as "
                    "amended by the 1967 Protocol", nationality=True, issuer=False),
    "XXC": IcaoCode("Refugee, other than as defined under the code XXB", nationality=True, issuer=False),
    "XXX": IcaoCode("Person of unspecified nationality", nationality=True, issuer=False),
    # Historic (also ISO 3166-3): the Netherlands Antilles were dissolved in 2010 and their last
    # passports have expired; the Neutral Zone was divided in 1991. Named, never accepted.
    "ANT": IcaoCode("Netherlands Antilles", nationality=False, issuer=False, historic=True),
    "NTZ": IcaoCode("Neutral Zone", nationality=False, issuer=False, historic=True),
}

# Codes people write instead of the right one (IOC/FIFA sport codes, alpha-2 slips, pre-2002 ISO,
# common abbreviations). Data, so a profile or a later review can extend it. Order = preference.
COMMON_MISTAKES: dict[str, tuple[str, ...]] = {
    "GER": ("DEU",), "DE": ("DEU",), "BRD": ("DEU",),
    "UK": ("GBR",), "ENG": ("GBR",), "SCO": ("GBR",), "WAL": ("GBR",), "NIR": ("GBR",), "GB": ("GBR",),
    "SUI": ("CHE",), "SWI": ("CHE",), "CH": ("CHE",),
    "NED": ("NLD",), "HOL": ("NLD",),
    "DEN": ("DNK",), "POR": ("PRT",), "GRE": ("GRC",), "CRO": ("HRV",), "BUL": ("BGR",),
    "SLO": ("SVN",), "LAT": ("LVA",), "ROM": ("ROU",), "IRE": ("IRL",), "SPA": ("ESP",),
    "RSA": ("ZAF",), "SAF": ("ZAF",), "UAE": ("ARE",), "KSA": ("SAU",), "IRI": ("IRN",),
    "MAS": ("MYS",), "INA": ("IDN",), "PHI": ("PHL",), "TPE": ("TWN",), "VIE": ("VNM",),
    "CHI": ("CHL", "CHN"), "PRC": ("CHN",), "ROK": ("KOR",), "DPRK": ("PRK",),
    "ALG": ("DZA",), "ANG": ("AGO",), "ZIM": ("ZWE",), "ZAM": ("ZMB",), "NGR": ("NGA",), "NIG": ("NGA", "NER"),
    "MGL": ("MNG",), "SIN": ("SGP",), "SRI": ("LKA",), "KUW": ("KWT",), "LIB": ("LBN", "LBY"),
    "BAN": ("BGD",), "NEP": ("NPL",), "PAR": ("PRY",), "URU": ("URY",), "GUA": ("GTM",), "HON": ("HND",),
    "CRC": ("CRI",), "ESA": ("SLV",), "HAI": ("HTI",), "PUR": ("PRI",), "TRI": ("TTO",), "BAH": ("BHS", "BHR"),
    "TRK": ("TUR",), "JAP": ("JPN",), "BRZ": ("BRA",), "US": ("USA",),
    # names that are not ISO short names
    "ENGLAND": ("GBR",), "SCOTLAND": ("GBR",), "WALES": ("GBR",), "NORTHERN IRELAND": ("GBR",),
    "GREAT BRITAIN": ("GBR",), "BRITAIN": ("GBR",), "HOLLAND": ("NLD",), "BURMA": ("MMR",),
    "CZECH REPUBLIC": ("CZE",), "SWAZILAND": ("SWZ",), "IVORY COAST": ("CIV",), "CAPE VERDE": ("CPV",),
    "MACEDONIA": ("MKD",), "EAST TIMOR": ("TLS",), "TURKEY": ("TUR",), "AMERICA": ("USA",),
}

# Where a former (historic) code points today; only clear successions are listed.
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "ANT": ("CUW", "SXM", "BES"), "BUR": ("MMR",), "BYS": ("BLR",), "CSK": ("CZE", "SVK"), "DDR": ("DEU",),
    "DHY": ("BEN",), "HVO": ("BFA",), "NHB": ("VUT",), "RHO": ("ZWE",), "SCG": ("SRB", "MNE"),
    "TMP": ("TLS",), "VDR": ("VNM",), "YMD": ("YEM",), "YUG": ("SRB", "MNE"), "ZAR": ("COD",),
    "GEL": ("KIR", "TUV"), "PCZ": ("PAN",), "SKM": ("IND",), "AFI": ("DJI",),
    "SUN": ("RUS",),  # the continuator state only; the other fourteen successors are not guessed
}

SUGGESTION_LIMIT = 5


def normalise(code: str) -> str:
    """Upper-case, trimmed, MRZ fillers removed: ``"d<<"`` → ``"D"``, ``" deu "`` → ``"DEU"``."""
    return code.strip().upper().rstrip("<").strip()


def is_iso(code: str) -> bool:
    """True for a current ISO 3166-1 alpha-3 code."""
    return normalise(code) in ISO_3166_1


def is_nationality(code: str) -> bool:
    """True when the code may stand in a nationality field (MRZ nationality, PAXLST NAT)."""
    if code in ISO_3166_1:  # the usual case, already in normal form
        return True
    c = normalise(code)
    if c in ISO_3166_1:
        return True
    extra = ICAO_CODES.get(c)
    return extra is not None and extra.nationality


def is_issuer(code: str) -> bool:
    """True when the code may stand as issuing state or organisation (MRZ issuing state, PAXLST LOC+91)."""
    if code in ISO_3166_1:  # the usual case, already in normal form
        return True
    c = normalise(code)
    if c in ISO_3166_1:
        return True
    extra = ICAO_CODES.get(c)
    return extra is not None and extra.issuer


def is_historic(code: str) -> bool:
    """True for a code that once existed (ISO 3166-3 or Doc 9303 historic) and is no longer valid."""
    c = normalise(code)
    extra = ICAO_CODES.get(c)
    return (extra is not None and extra.historic) or c in ISO_3166_3_FORMER


def iso_equivalent(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code for the same state (``D`` → ``DEU``, ``FRA`` → ``FRA``), else None."""
    c = normalise(code)
    if c in ISO_3166_1:
        return c
    extra = ICAO_CODES.get(c)
    return extra.iso_equivalent if extra else None


def name_of(code: str) -> str | None:
    """The English name or meaning of a code (ISO short name, Doc 9303 meaning, or former name), else None."""
    c = normalise(code)
    if c in ISO_3166_1:
        return ISO_3166_1[c][1]
    if c in ICAO_CODES:
        return ICAO_CODES[c].meaning
    return ISO_3166_3_FORMER.get(c)


def _accepts(code: str, role: Role | None) -> bool:
    if role == "nationality":
        return is_nationality(code)
    if role == "issuer":
        return is_issuer(code)
    return is_nationality(code) or is_issuer(code)


def _osa_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): swaps like ``DUE``/``DEU`` cost 1."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def _name_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for alpha3, (_alpha2, name, common) in ISO_3166_1.items():
        for n in (name, common):
            if n:
                index.setdefault(n.upper(), []).append(alpha3)
    for code, extra in ICAO_CODES.items():
        if not extra.historic:
            index.setdefault(extra.meaning.upper(), []).append(code)
    return index


_NAMES = _name_index()
_ALPHA2 = {alpha2: alpha3 for alpha3, (alpha2, _name, _common) in ISO_3166_1.items()}
_ALL_CODES = tuple(sorted(set(ISO_3166_1) | {c for c, e in ICAO_CODES.items() if not e.historic}))


def did_you_mean(code: str, role: Role | None = None) -> list[str]:
    """Valid codes the writer probably meant, best first (at most :data:`SUGGESTION_LIMIT`).

    A code already valid for ``role`` is returned alone (``"USA"`` → ``["USA"]``). Otherwise, in order
    of trust: the common-mistakes table (``GER`` → ``DEU``, ``UK`` → ``GBR``), ISO alpha-2 codes
    (``FR`` → ``FRA``), the successors of a former code (``YUG`` → ``SRB``, ``MNE``); failing those,
    names (``GERMANY`` → ``DEU``) and codes one edit away (``DUE`` → ``DEU``, transpositions included).
    An exact ISO name (``"SOUTH KOREA"``) wins over fuzzy matches. ``role`` keeps only suggestions valid
    as a nationality or as an issuer. Empty when nothing is close.
    """
    c = normalise(code)
    if not c:
        return []
    if _accepts(c, role):
        return [c]
    known: list[str] = []
    known += COMMON_MISTAKES.get(c, ())
    if c in _ALPHA2:
        known.append(_ALPHA2[c])
    known += SUCCESSORS.get(c, ())
    found = _dedupe([k for k in known if _accepts(k, role)])
    if found:
        return found[:SUGGESTION_LIMIT]
    exact = [k for k in _NAMES.get(c, ()) if _accepts(k, role)]
    if exact:
        return exact[:SUGGESTION_LIMIT]
    candidates: list[str] = []
    if len(c) >= 4:
        for name, codes in _NAMES.items():
            if name.startswith(c):
                candidates += codes
        for name in difflib.get_close_matches(c, _NAMES, n=SUGGESTION_LIMIT, cutoff=0.75):
            candidates += _NAMES[name]
    if len(c) <= 4:
        scored = sorted((_osa_distance(c, other), other) for other in _ALL_CODES)
        candidates += [other for dist, other in scored if dist <= 1]
    return _dedupe([k for k in candidates if _accepts(k, role)])[:SUGGESTION_LIMIT]


def _dedupe(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))
