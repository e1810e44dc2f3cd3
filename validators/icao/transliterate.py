"""Names into the MRZ character set, as ICAO Doc 9303 Part 3 (section 6) transliterates them.

Why here: the MRZ name check, the conformance kit's builders and the screening normaliser must agree
on how ``Müller`` or ``Щукин`` is written in a machine-readable zone, or a PAXLST name that matches the
passport would look like a mismatch.

What is implemented:

* Latin letters with diacritics. The Doc 9303 special cases are a table (``Ä`` → ``AE``, ``Å`` → ``AA``,
  ``Æ`` → ``AE``, ``Ö``/``Ø`` → ``OE``, ``Ü`` → ``UE``, ``ß`` → ``SS``, ``Þ`` → ``TH``, ``Ĳ`` → ``IJ``,
  ``Œ`` → ``OE``, plus letters with no Unicode decomposition such as ``Ð``/``Đ`` → ``D``, ``Ł`` → ``L``,
  ``Ħ`` → ``H``, ``ı`` → ``I``, ``Ŋ`` → ``N``, ``Ŧ`` → ``T``); every other accented Latin letter loses its
  diacritic through Unicode canonical decomposition (``É`` → ``E``, ``Ç`` → ``C``, ``Ñ`` → ``N``).
  Doc 9303 also permits national alternatives for some letters (e.g. ``Ä`` → ``A``); this module gives
  the primary form only, so screening should compare both spellings when it matters.
* Cyrillic, the Doc 9303 table for Russian, Ukrainian, Belarusian, Serbian, Macedonian and Bulgarian
  letters (``Ж`` → ``ZH``, ``Х`` → ``KH``, ``Ц`` → ``TS``, ``Щ`` → ``SHCH``, ``Ю`` → ``IU``, ``Я`` → ``IA``,
  ``Й`` → ``I``, ``Ъ`` → ``IE``, ``Ь`` omitted …).
* Punctuation: hyphens and spaces become the filler ``<``; apostrophes (straight or typographic),
  commas and full stops are omitted. Runs of fillers inside one name part collapse to one ``<`` so a
  name can never produce the ``<<`` that separates primary from secondary identifiers.

Not implemented, deliberately: Greek and Arabic (we could not check the Doc 9303 tables against the
text, and a wrong table is worse than an honest report), and every other script. Such characters,
digits and unknown symbols are left out and reported in :attr:`Transliteration.untransliterated`, so
the caller decides whether that is an error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Latin letters whose Doc 9303 form is not "drop the diacritic", or that have no decomposition.
LATIN: dict[str, str] = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS", "ẞ": "SS",
    "Þ": "TH", "Ĳ": "IJ", "Œ": "OE",
    "Ð": "D", "Đ": "D", "Ł": "L", "Ħ": "H", "ı": "I", "Ŋ": "N", "Ŧ": "T", "Ŀ": "L",
}

# Doc 9303 Part 3 Cyrillic table (upper case; lower case is upper-cased first).
CYRILLIC: dict[str, str] = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Ґ": "G", "Д": "D", "Ђ": "D", "Ѓ": "G", "Е": "E", "Ё": "E",
    "Є": "IE", "Ж": "ZH", "З": "Z", "Ѕ": "DZ", "И": "I", "І": "I", "Ї": "I", "Й": "I", "Ј": "J", "К": "K",
    "Л": "L", "Љ": "LJ", "М": "M", "Н": "N", "Њ": "NJ", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T",
    "Ћ": "C", "Ќ": "K", "У": "U", "Ў": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Џ": "DZ",
    "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU", "Я": "IA",
}

FILLER = "<"
# Characters that separate name words (→ filler) and punctuation that is simply left out.
SEPARATORS = frozenset(" -\u2010\u2011\u2012\u2013\u00a0\t")
OMITTED = frozenset("'\u2019\u2018\u02bc\u0060\u00b4,.")

_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class Transliteration:
    """The MRZ form of a name, and the characters that had no MRZ form (left out of ``text``)."""

    text: str
    untransliterated: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every character of the input found its way into ``text`` (or was a separator)."""
        return not self.untransliterated


def _letter(ch: str) -> str | None:
    """One upper-cased character as MRZ letters, ``None`` when it has no form here."""
    if ch in _ASCII_UPPER:
        return ch
    if ch in LATIN:
        return LATIN[ch]
    if ch in CYRILLIC:
        return CYRILLIC[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if base and base != ch and all(c in _ASCII_UPPER or c in LATIN for c in base):
        return "".join(_letter(c) or "" for c in base)
    return None


def transliterate(name: str) -> Transliteration:
    """``name`` in MRZ characters: letters ``A``-``Z`` and ``<`` for word breaks, no leading/trailing filler.

    Characters without an MRZ form (other scripts, digits, symbols) are left out and listed, each once,
    in input order.
    """
    out: list[str] = []
    missing: list[str] = []
    # NFC first so a decomposed "A + combining diaeresis" meets the same table entry as "Ä".
    for original in unicodedata.normalize("NFC", name):
        if original in SEPARATORS or original.isspace():
            if out and out[-1] != FILLER:
                out.append(FILLER)
            continue
        if original in OMITTED:
            continue
        # upper() may give several characters ("ß" → "SS", "ŉ" → "ʼN"); omitted punctuation among them goes.
        pieces = [_letter(c) for c in original.upper() if c not in OMITTED]
        if any(p is None for p in pieces):
            if original not in missing:
                missing.append(original)
            continue
        out.append("".join(p for p in pieces if p))
    text = "".join(out).strip(FILLER)
    return Transliteration(text, tuple(missing))


def mrz_name_field(primary: str, secondary: str = "", width: int | None = None) -> Transliteration:
    """The MRZ name field ``PRIMARY<<SECONDARY<NAMES``, with what could not be transliterated.

    With ``width`` (39 for TD3, 31 for TD2, 30 for TD1) the field is padded with fillers, or cut to the
    width when too long. Doc 9303's truncation rules are finer (shorten secondary identifiers first and
    mark truncation); cutting keeps this function predictable, and the caller can see the loss by
    comparing lengths. With no secondary identifier the field is the primary identifier alone.
    """
    first = transliterate(primary)
    second = transliterate(secondary)
    text = first.text + (FILLER * 2 + second.text if second.text else "")
    if width is not None:
        text = text[:width].ljust(width, FILLER)
    missing = tuple(dict.fromkeys(first.untransliterated + second.untransliterated))
    return Transliteration(text, missing)


def mrz_name(primary: str, secondary: str = "", width: int | None = None) -> str:
    """:func:`mrz_name_field` without the report: ``mrz_name("Eriksson", "Anna María")`` → ``ERIKSSON<<ANNA<MARIA``."""
    return mrz_name_field(primary, secondary, width).text
