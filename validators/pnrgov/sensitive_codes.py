"""What the sensitive-data filter masks by default (validators.pnrgov.sensitive applies it): data only,
so profiles can hold it without importing the filter. A profile's ``[sensitive]`` table changes it."""

from __future__ import annotations

# SSR code → category (IATA AIRIMP special service and meal codes). Religious meals reveal religion;
# medical meals, medical and mobility assistance reveal health.
DEFAULT_SSR_CODES: dict[str, str] = {
    **dict.fromkeys(("MOML", "KSML", "HNML", "VJML"), "religion"),
    **dict.fromkeys(("DBML", "GFML", "LSML", "LFML", "NLML", "BLML", "LCML", "PRML", "SPML"), "health"),
    **dict.fromkeys(("MEDA", "WCHR", "WCHS", "WCHC", "WCMP", "WCBD", "WCBW", "WCLB", "WCOB", "BLND", "DEAF", "DPNA",
                     "STCR", "OXYG", "MAAS", "ESAN", "SVAN"), "health"),
}
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
