"""Names, dates, countries and document numbers into the one comparable form screening works on.

Why one module: the list side (loaded once) and the traveller side (every message) must be folded by
exactly the same rules, or a name that is on the list looks different from the same name on a
manifest. Travellers arrive in ICAO Doc 9303 MRZ characters (A–Z), so everything is folded to that
alphabet with :func:`validators.icao.transliterate.transliterate` (Latin diacritics, the Doc 9303
Cyrillic table). Two additions live here, as data, because they are screening rules, not MRZ rules:

* **both spellings of the Doc 9303 umlaut letters** (``Ä`` → ``AE`` and ``A``, ``Ö`` → ``OE``|``O``,
  ``Ü`` → ``UE``|``U``, ``Å`` → ``AA``|``A``): Doc 9303 allows the national alternative, and a list
  written ``MÜLLER`` must meet both ``MUELLER`` and ``MULLER``;
* **an Arabic-script fold** (:data:`ARABIC`): lists carry names in their original script (UN
  ``NAME_ORIGINAL_SCRIPT``). The validators' MRZ transliterator deliberately refuses Arabic (no
  checked Doc 9303 table), and it must stay that way for MRZ checks; for screening a consonant-level
  fold is enough, because matching compares consonant skeletons (:func:`skeleton`) anyway;
* **Greek and Hebrew folds**, for the same reason (the MRZ transliterator refuses both, so such names
  used to fold to nothing and were never screened by name): Greek by ELOT 743 / ISO 843 transcription
  (:data:`GREEK`, the Latin form Greek passports print), Hebrew by a basic consonant table
  (:data:`HEBREW`; unpointed Hebrew writes few vowels, and the skeletons compare consonants).

Name parts are then cleaned of titles (``MR``, ``DR``, ``HAJI`` …) and particles (``AL``, ``BIN``,
``VAN``, ``DE`` …) are recognised, so ``AL-RASHID``, ``AL RASHID``, ``ALRASHID`` and ``RASHID`` can meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from validators.icao.countries import COMMON_MISTAKES, ICAO_CODES, ISO_3166_1
from validators.icao.transliterate import transliterate

# --- name folding ---------------------------------------------------------------------------------

# Screening-only Arabic/Persian fold (consonant level; short vowels are not written in Arabic script).
ARABIC: dict[str, str] = {
    "ا": "A", "أ": "A", "إ": "I", "آ": "A", "ٱ": "A", "ب": "B", "ت": "T", "ث": "TH", "ج": "J", "ح": "H",
    "خ": "KH", "د": "D", "ذ": "DH", "ر": "R", "ز": "Z", "س": "S", "ش": "SH", "ص": "S", "ض": "D", "ط": "T",
    "ظ": "Z", "ع": "A", "غ": "GH", "ف": "F", "ق": "Q", "ك": "K", "ل": "L", "م": "M", "ن": "N", "ه": "H",
    "و": "W", "ي": "Y", "ى": "A", "ة": "A", "ء": "", "ئ": "", "ؤ": "", "ـ": "",
    "پ": "P", "چ": "CH", "ژ": "ZH", "گ": "G", "ک": "K", "ی": "Y",
}
# Greek → Latin by ELOT 743 / ISO 843 (type 2, transcription), as Greek passports print names: letters, then the
# digraphs that read as one sound. Accents are dropped first; a diaeresis keeps its vowel out of any digraph.
GREEK: dict[str, str] = {
    "Α": "A", "Β": "V", "Γ": "G", "Δ": "D", "Ε": "E", "Ζ": "Z", "Η": "I", "Θ": "TH", "Ι": "I", "Κ": "K", "Λ": "L",
    "Μ": "M", "Ν": "N", "Ξ": "X", "Ο": "O", "Π": "P", "Ρ": "R", "Σ": "S", "Τ": "T", "Υ": "Y", "Φ": "F", "Χ": "CH",
    "Ψ": "PS", "Ω": "O",
}
GREEK_DIGRAPHS: dict[str, str] = {"ΓΓ": "NG", "ΓΞ": "NX", "ΓΧ": "NCH", "ΟΥ": "OU"}
GREEK_WORD_START: dict[str, str] = {"ΜΠ": "B", "ΝΤ": "D"}  # inside a word: MP, NT (letter by letter)
# ΑΥ, ΕΥ, ΗΥ: the Υ is F before a voiceless consonant or at the end of the word, V otherwise (ΕΥΑΓΓΕΛΟΣ EVANGELOS,
# ΕΥΘΥΜΙΟΣ EFTHYMIOS)
GREEK_U_DIPHTHONGS: dict[str, str] = {"ΑΥ": "A", "ΕΥ": "E", "ΗΥ": "I"}
GREEK_VOICELESS = frozenset("ΘΚΞΠΣΤΦΧΨ")
_GREEK_DIAERESIS = {"Ϊ": "I", "ϊ": "I", "ΐ": "I", "Ϋ": "Y", "ϋ": "Y", "ΰ": "Y"}  # already Latin: no digraph takes them
# Hebrew → Latin, consonant level (like the Arabic fold): unpointed Hebrew writes few vowels, points are dropped.
# Vav and yod are W and Y, which the skeleton reads as vowels inside a name; geresh letters are foreign sounds.
HEBREW: dict[str, str] = {
    "א": "A", "ב": "B", "ג": "G", "ד": "D", "ה": "H", "ו": "W", "ז": "Z", "ח": "H", "ט": "T", "י": "Y", "כ": "K",
    "ך": "K", "ל": "L", "מ": "M", "ם": "M", "נ": "N", "ן": "N", "ס": "S", "ע": "A", "פ": "P", "ף": "F", "צ": "TS",
    "ץ": "TS", "ק": "K", "ר": "R", "ש": "SH", "ת": "T", "װ": "V", "ױ": "OY", "ײ": "EY",
}
HEBREW_GERESH: dict[str, str] = {"ג": "J", "ז": "ZH", "צ": "CH"}  # ג׳ ז׳ צ׳ (geresh U+05F3 or an apostrophe)
# Doc 9303 primary form → the national alternative (both are kept on the list side).
UMLAUT_ALTERNATIVES: dict[str, str] = {"Ä": "A", "Ö": "O", "Ü": "U", "Å": "A", "ä": "a", "ö": "o", "ü": "u", "å": "a"}
_UMLAUTS = frozenset(UMLAUT_ALTERNATIVES)

# Titles and honorifics: never part of the name that is compared.
TITLES: frozenset[str] = frozenset({
    "MR", "MRS", "MS", "MISS", "MSTR", "MASTER", "DR", "PROF", "SIR", "DAME", "REV", "HAJI", "HAJJI", "HADJI",
    "SHEIKH", "SHAIKH", "SHAYKH", "SHEIK", "MULLAH", "MAULANA", "MAULAVI", "MAWLAWI", "SAYYID", "SAYED",
})
# Particles: kept out of the compared tokens, and glued to the next token in a second form, so
# ``VAN DER BERG`` meets ``VANDERBERG`` and ``BERG``; ``AL RASHID`` meets ``ALRASHID`` and ``RASHID``.
PARTICLES: frozenset[str] = frozenset({
    "AL", "EL", "UL", "BIN", "BEN", "IBN", "BINT", "BENT", "OULD", "VAN", "VON", "DER", "DEN", "TER", "TEN", "DE",
    "DEL", "DELLA", "DELLE", "DEGLI", "DI", "DA", "DAS", "DOS", "DO", "DU", "LA", "LE", "LES", "Y", "ZU", "AF", "AV",
})

_ASCII_NAME = re.compile(r"[A-Za-z' .,\-]*")
_SPLIT = re.compile(r"[\s\-\u2010-\u2015/,;()\[\]\"_.]+")
_DROP = str.maketrans("", "", "'`\u2019\u2018\u02bc\u00b4")
_TOKEN_CACHE: dict[str, tuple[str, ...]] = {}
_TOKEN_CACHE_MAX = 500_000


def _fold_word(word: str) -> tuple[str, ...]:
    """One whitespace-free word (any script) as MRZ tokens (a hyphenated word gives several)."""
    cached = _TOKEN_CACHE.get(word)
    if cached is not None:
        return cached
    if _ASCII_NAME.fullmatch(word):
        text = word.translate(_DROP).upper()
        tokens = tuple(t for t in _SPLIT.split(text) if t)
    else:
        text = unicodedata.normalize("NFKC", word)
        if any("\u0600" <= ch <= "\u06ff" for ch in text):
            text = "".join(ARABIC.get(ch, "" if "\u064b" <= ch <= "\u065f" else ch) for ch in text)
        if any("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff" for ch in text):
            text = _greek(text)
        if any("\u0590" <= ch <= "\u05ff" for ch in text):
            text = _hebrew(text)
        text = _SPLIT.sub(" ", text)
        tokens = tuple(t for t in transliterate(text).text.split("<") if t)
    if len(_TOKEN_CACHE) < _TOKEN_CACHE_MAX:
        _TOKEN_CACHE[word] = tokens
    return tokens


def _greek(text: str) -> str:
    """Greek letters of a word as Latin ones (ELOT 743 / ISO 843, :data:`GREEK`); other characters are kept."""
    for letter, latin in _GREEK_DIAERESIS.items():
        text = text.replace(letter, latin)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)).upper()
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if i == 0 and pair in GREEK_WORD_START:
            out.append(GREEK_WORD_START[pair])
            i += 2
        elif pair in GREEK_U_DIPHTHONGS:
            after = text[i + 2:i + 3]
            out.append(GREEK_U_DIPHTHONGS[pair] + ("F" if not after or after in GREEK_VOICELESS else "V"))
            i += 2
        elif pair in GREEK_DIGRAPHS:
            out.append(GREEK_DIGRAPHS[pair])
            i += 2
        else:
            out.append(GREEK.get(text[i], text[i]))
            i += 1
    return "".join(out)


def _hebrew(text: str) -> str:
    """Hebrew letters of a word as Latin consonants (:data:`HEBREW`); points dropped, other characters kept."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if "\u0591" <= ch <= "\u05c7" or ch in "\u05f3'":
            continue  # points and cantillation, or a geresh (read with its letter)
        if ch in HEBREW_GERESH and text[i + 1:i + 2] in ("\u05f3", "'"):
            out.append(HEBREW_GERESH[ch])
        else:
            out.append(HEBREW.get(ch, ch))
    return "".join(out)


def fold_tokens(name: str) -> list[str]:
    """A name as upper-case A–Z tokens in written order: ``"al-Rashid, Omar"`` → ``[AL, RASHID, OMAR]``.

    Titles are dropped; particles are kept here (see :func:`name_forms`). Characters with no A–Z form
    (Han, digits) are left out, as the MRZ transliteration does.
    """
    out: list[str] = []
    for word in _SPLIT.split(name):
        if word:
            out.extend(t for t in _fold_word(word) if t not in TITLES)
    return out


def spellings(name: str) -> list[str]:
    """The name as written, plus its umlaut alternative when it has one (``MÜLLER`` → also ``MULLER``)."""
    if not _UMLAUTS.isdisjoint(name):  # a set test in C: most names have no umlaut, and every traveller is asked
        return [name, "".join(UMLAUT_ALTERNATIVES.get(ch, ch) for ch in name)]
    return [name]


def name_forms(tokens: Iterable[str]) -> list[tuple[str, ...]]:
    """The compared forms of a token sequence: particles dropped, and (when there are particles) glued.

    ``[ABU, BAKR, AL, BAGHDADI]`` → ``(ABU, BAKR, BAGHDADI)`` and ``(ABU, BAKR, ALBAGHDADI)``. A name that
    is nothing but particles keeps them (``DE`` stays ``DE``).
    """
    tokens = list(tokens)
    plain = tuple(t for t in tokens if t not in PARTICLES)
    if len(plain) == len(tokens):
        return [plain] if plain else []
    if not plain:
        return [tuple(tokens)]
    glued: list[str] = []
    pending = ""
    for token in tokens:
        if token in PARTICLES:
            pending += token
        else:
            glued.append(pending + token)
            pending = ""
    if pending:
        glued.append(pending)
    forms = [plain]
    if tuple(glued) != plain:
        forms.append(tuple(glued))
    return forms


def all_forms(name: str) -> list[tuple[str, ...]]:
    """Every compared form of a raw name (both umlaut spellings × particle forms), without duplicates."""
    seen: dict[tuple[str, ...], None] = {}
    for spelling in spellings(name):
        for form in name_forms(fold_tokens(spelling)):
            seen.setdefault(form, None)
    return list(seen)


# --- phonetic skeleton -----------------------------------------------------------------------------

# Ordered rewrites: transliteration variants of the same sound meet (KH/H, PH/F, DZH/J, OU/U …).
_REWRITES: tuple[tuple[str, str], ...] = (
    ("SHCH", "S"), ("TSCH", "C"), ("DZH", "J"), ("SCH", "S"), ("TCH", "C"), ("TSH", "C"),
    ("CH", "C"), ("SH", "S"), ("ZH", "J"), ("DJ", "J"), ("KH", "H"), ("GH", "G"), ("PH", "F"), ("TH", "T"),
    ("CK", "K"), ("TS", "C"), ("TZ", "C"), ("DH", "D"), ("Q", "K"), ("X", "KS"), ("Z", "S"),
)
_VOWELS = frozenset("AEIOUYW")
_SKELETON_CACHE: dict[str, str] = {}


def skeleton(token: str) -> str:
    """A token's consonant skeleton: first sound kept, later vowels dropped, doubles collapsed.

    ``MOHAMMED``, ``MUHAMMAD`` and Arabic ``محمد`` all give ``MHMD``; ``YUSUF``, ``YOUSEF``, ``IUSUF`` give
    ``ASF``. Why: transliterations of one name differ mostly in vowels and digraphs; comparing
    skeletons (and their one-deletion neighbours, :func:`keys`) finds them without scanning the list.
    """
    cached = _SKELETON_CACHE.get(token)
    if cached is not None:
        return cached
    t = token
    for old, new in _REWRITES:
        if old in t:
            t = t.replace(old, new)
    if not t:
        return ""
    first = "V" if t[0] == "W" else "A" if t[0] in _VOWELS else t[0]
    out = [first]
    for ch in t[1:]:
        if ch in _VOWELS:  # W and Y inside a name are vowels in transliterations (MAHMOUD, MAHMWD)
            continue
        if out[-1] != ch:
            out.append(ch)
    result = "".join(out)
    if len(_SKELETON_CACHE) < _TOKEN_CACHE_MAX:
        _SKELETON_CACHE[token] = result
    return result


def keys(token: str) -> tuple[str, ...]:
    """The blocking keys of a token: its skeleton, and its deletion neighbourhood marked with ``~``.

    Two tokens whose skeletons are one edit apart (a typo, an inserted or lost consonant, a swap of
    neighbours) share a ``~`` key — the SymSpell idea on skeletons; skeletons of 5+ letters also get
    two-letter deletions, so two edits meet too (long glued names: ``RASHHADJAR``/``RASHDANJAR``).
    Keys live on the vocabulary only (one entry per distinct listed token), and every pair they
    propose is confirmed by the real token similarity, so a wide neighbourhood costs little.
    """
    skel = skeleton(token)
    if not skel:
        return ()
    marked = {skel + "~"}
    n = len(skel)
    if n >= 2:
        for i in range(n):
            one = skel[:i] + skel[i + 1:]
            marked.add(one + "~")
            if n >= 5:
                for j in range(i, n - 1):
                    marked.add(one[:j] + one[j + 1:] + "~")
    return (skel, *sorted(marked))


# --- dates of birth --------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_RANGE = re.compile(r"(\d{4})\s*(?:\.\.|–|-|to|TO)\s*(\d{4})")


def parse_dob(text: str | None, approximate: bool = False) -> tuple[int, int, int, int, bool] | None:
    """A list's date of birth as ``(year_from, year_to, month, day, approximate)``; None when unreadable.

    Accepts ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` and ranges ``YYYY..YYYY`` / ``YYYY to YYYY``; month and
    day are 0 when unknown. ``approximate`` (UN ``APPROXIMATELY``, "circa") widens the year by one.
    """
    if not text:
        return None
    text = text.strip()
    if text.lower().startswith(("circa", "c.", "approx", "about")):
        approximate = True
        text = text.split(None, 1)[1] if " " in text else ""
    match = _RANGE.fullmatch(text)
    if match:
        low, high = sorted((int(match[1]), int(match[2])))
        return (low, high, 0, 0, approximate) if 1800 <= low <= 2100 else None
    match = _ISO_DATE.fullmatch(text)
    if not match:
        return None
    year = int(match[1])
    month = int(match[2] or 0)
    day = int(match[3] or 0)
    if not 1800 <= year <= 2100 or not 0 <= month <= 12 or not 0 <= day <= 31:
        return None
    if month and day:
        try:
            date(year, month, day)
        except ValueError:
            return None
    return (year, year, month, day, approximate)


def traveller_dob(text: str | None) -> tuple[int, int, int] | None:
    """A traveller's ISO date of birth as ``(year, month, day)``; None when absent or not a date."""
    if not text or len(text) < 10:
        return None
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return (d.year, d.month, d.day)


# --- documents -------------------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
MIN_DOCUMENT_CHARS = 5


def document_number(text: str | None) -> str | None:
    """A document number without spaces, dashes or punctuation, upper case; None when too short to be a key.

    ``"D 123-456 "`` → ``"D123456"``. Numbers under :data:`MIN_DOCUMENT_CHARS` are no strong key (``"0"``,
    ``"N/A"``) and are dropped.
    """
    if not text:
        return None
    number = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).upper())
    return number if len(number) >= MIN_DOCUMENT_CHARS else None


# --- countries -------------------------------------------------------------------------------------

# English names used by lists (UN style and common forms) that are not ISO 3166-1 short or common names.
COUNTRY_NAMES: dict[str, str] = {
    "iran islamic republic of": "IRN", "democratic peoples republic of korea": "PRK", "north korea": "PRK",
    "republic of korea": "KOR", "south korea": "KOR", "korea": "KOR",
    "united kingdom of great britain and northern ireland": "GBR",
    "united kingdom": "GBR", "great britain": "GBR", "united states of america": "USA", "united states": "USA", "usa": "USA",
    "russia": "RUS", "russian federation": "RUS", "syria": "SYR", "syrian arab republic": "SYR", "libya": "LBY",
    "libyan arab jamahiriya": "LBY", "bolivia plurinational state of": "BOL", "venezuela bolivarian republic of": "VEN",
    "venezuela": "VEN", "united republic of tanzania": "TZA", "tanzania": "TZA", "viet nam": "VNM", "vietnam": "VNM",
    "lao peoples democratic republic": "LAO", "laos": "LAO", "democratic republic of the congo": "COD",
    "congo democratic republic": "COD", "dr congo": "COD", "republic of the congo": "COG", "congo": "COG",
    "cote divoire": "CIV", "ivory coast": "CIV", "turkiye": "TUR", "turkey": "TUR", "state of palestine": "PSE",
    "palestine": "PSE", "occupied palestinian territory": "PSE", "republic of moldova": "MDA", "moldova": "MDA",
    "north macedonia": "MKD", "the former yugoslav republic of macedonia": "MKD", "micronesia federated states of": "FSM",
    "sudan": "SDN", "south sudan": "SSD", "iran": "IRN", "iraq": "IRQ", "afghanistan": "AFG", "pakistan": "PAK",
    "yemen": "YEM", "somalia": "SOM", "saudi arabia": "SAU", "united arab emirates": "ARE", "kosovo": "RKS",
    "czechia": "CZE", "czech republic": "CZE", "eswatini": "SWZ", "swaziland": "SWZ", "myanmar": "MMR", "burma": "MMR",
    "holy see": "VAT", "vatican": "VAT", "brunei": "BRN", "cabo verde": "CPV", "cape verde": "CPV",
    "netherlands": "NLD", "the netherlands": "NLD", "taiwan": "TWN", "taiwan province of china": "TWN",
    "hong kong": "HKG", "macao": "MAC", "macau": "MAC", "gambia": "GMB", "the gambia": "GMB", "bahamas": "BHS",
}
# FtM country codes that are not ISO 3166-1 alpha-2 (lower case in FtM).
FTM_CODES: dict[str, str] = {"xk": "RKS", "uk": "GBR", "suhh": "RUS", "csxx": "SRB", "yucs": "SRB", "ddde": "DEU"}

_PUNCT = re.compile(r"[^a-z0-9 ]+")


def _country_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("'", "").replace("’", "")
    text = _PUNCT.sub(" ", text)
    words = [w for w in text.split() if w != "the"] if not text.startswith("the gambia") else text.split()
    return " ".join(words)


def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for alpha3, (_alpha2, name, common) in ISO_3166_1.items():
        for n in (name, common):
            if n:
                index.setdefault(_country_key(n), alpha3)
    for name, codes in COMMON_MISTAKES.items():
        if len(name) > 4 and len(codes) == 1:
            index.setdefault(_country_key(name), codes[0])
    for name, code in COUNTRY_NAMES.items():
        index[_country_key(name)] = code
    return index


_COUNTRIES = _country_index()
_ALPHA2 = {alpha2: alpha3 for alpha3, (alpha2, _n, _c) in ISO_3166_1.items()}


def country_code(value: str | None) -> str | None:
    """ISO 3166-1 alpha-3 (or a Doc 9303 code) for a list's country: a code, an FtM code or an English name.

    ``"IRQ"`` → IRQ, ``"iq"`` → IRQ, ``"Iran (Islamic Republic of)"`` → IRN, ``"D"`` → DEU; None when unknown.
    """
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    upper = text.upper()
    if upper in ISO_3166_1:
        return upper
    if upper in ICAO_CODES:
        return ICAO_CODES[upper].iso_equivalent or upper
    if text.lower() in FTM_CODES:
        return FTM_CODES[text.lower()]
    if len(upper) == 2 and upper in _ALPHA2:
        return _ALPHA2[upper]
    return _COUNTRIES.get(_country_key(text))
