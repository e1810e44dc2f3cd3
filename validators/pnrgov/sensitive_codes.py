"""What the sensitive-data filter masks by default, and how its patterns are matched (validators.pnrgov.
sensitive applies them): kept free of the EDIFACT layer, so profiles can hold and check them without
importing the filter. A profile's ``[sensitive]`` table changes the defaults."""

from __future__ import annotations

import re
import string

# SSR code → category (IATA AIRIMP special service and meal codes). Religious meals reveal religion;
# medical meals, medical and mobility assistance reveal health.
DEFAULT_SSR_CODES: dict[str, str] = {
    **dict.fromkeys(("MOML", "KSML", "HNML", "VJML"), "religion"),
    **dict.fromkeys(("DBML", "GFML", "LSML", "LFML", "NLML", "BLML", "LCML", "PRML", "SPML"), "health"),
    **dict.fromkeys(("MEDA", "WCHR", "WCHS", "WCHC", "WCMP", "WCBD", "WCBW", "WCLB", "WCOB", "BLND", "DEAF", "DPNA",
                     "STCR", "OXYG", "MAAS", "ESAN", "SVAN"), "health"),
}
# SSRs whose "free text" is structured data, not remarks: names, document numbers, tickets, contacts,
# seats. They are never searched for free-text patterns (a surname GAY or BLIND must not be masked out
# of the DOCS screening reads); their codes can still be listed as sensitive.
STRUCTURED_SSR_CODES: frozenset[str] = frozenset({"DOCS", "DOCA", "DOCO", "TKNE", "TKNA", "FQTV", "FQTR", "FQTU", "SEAT",
                                                 "CTCE", "CTCM", "CTCR", "FOID", "INFT", "CHLD", "ADTK", "ASVC"})
# category → free-text patterns (case-insensitive, whole words), for OSI, SSR free text and history
DEFAULT_FREE_TEXT: dict[str, tuple[str, ...]] = {
    "religion": (r"HALAL", r"KOSHER", r"MUSLIM", r"JEWISH", r"HINDU", r"SIKH", r"BUDDHIST", r"RAMADAN", r"PILGRIM\w*",
                 r"HAJJ", r"UMRAH",
                 r"NO (?:BEEF|PORK)"),
    "health": (r"PREGNAN\w*", r"WHEEL ?CHAIR", r"OXYGEN", r"DIALYSIS", r"HIV", r"AIDS", r"DIABET\w*", r"EPILEP\w*",
               r"BLIND", r"DEAF", r"STRETCHER", r"MEDICAL\w*", r"MEDIF", r"DISABLED", r"DISABILITY", r"CANCER",
               r"ALLERG\w*", r"AUTIS\w*", r"DEMENTIA", r"PSYCHIATR\w*",
               r"SERVICE (?:DOG|ANIMAL)", r"CANNOT WALK\w*", r"ASSISTANCE DOG"),
    "sex life": (r"GAY", r"LESBIAN", r"HOMOSEXUAL", r"TRANSGENDER"),
    "ethnic origin": (r"ETHNIC\w*", r"RACE"),
}

# Case-insensitive matching, done the cheap way: the text is folded to upper case A-Z (same length, so
# offsets hold) and the patterns' letters are upper-cased once, which keeps the regular expression
# engine off its slow case-folding path (measured: 3x faster on real SSR and OSI text).
UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ESCAPED_OR_LETTER = re.compile(r"\\.|[a-z]")


def upper_pattern(pattern: str) -> str:
    """``pattern`` matching the upper-cased text: letters upper-cased, escapes (``\\w``, ``\\b``…) kept."""
    return _ESCAPED_OR_LETTER.sub(lambda m: m.group().upper() if len(m.group()) == 1 else m.group(), pattern)
