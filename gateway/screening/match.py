"""Scoring one traveller against one list entry, and explaining the score.

The score is on a 0..1 scale (thresholds are on the same scale; 0.85 by default) and is built from
independent pieces so an analyst can see why it is what it is:

1. **Name** (:func:`name_score`): tokens are paired one-to-one, best pairs first, in any order (so
   swapped given and family names still match). A pair's similarity is Jaro-Winkler (rapidfuzz),
   lifted to 0.92 when both tokens have the same consonant skeleton (transliteration variants:
   ``YUSUF``/``YOUSEF``; 0.85 for two-letter skeletons such as ``IURII``/``YURIY``), 0.8 for an
   initial against a name with that first letter, and 0 below 0.8 (unrelated tokens give no partial
   credit). Tokens of very different lengths are penalised, since Jaro-Winkler alone rewards a shared
   prefix (``RASHID`` is not ``RASHIDNAJ``). Each token has a weight: short tokens and tokens that
   are common (a built-in list of very frequent name parts, or frequent in the loaded list) weigh
   less. The name score is ``0.6 × (share of the traveller's weight explained) + 0.4 × (share of the
   listed name's weight explained)``; unmatched *listed* tokens count half, so a traveller who omits a
   middle name still matches. Finally an **information cap** keeps a match made only of common or
   short tokens below 1: one common token (``ALI``) caps at about 0.69, so it never alerts alone.
2. **Date of birth** (:func:`dob_evidence`): exact +0.08, day/month swapped +0.05, same year (or a
   year-only list date) +0.04, inside a listed range +0.03, one year off 0, two years off −0.05,
   further −0.20. Missing on either side: 0. A contradicting date lowers the score; agreement raises it.
3. **Nationality**: same +0.02, different −0.03 (dual nationals exist, so it is weak evidence).
4. **Weak aliases** (UN QUALITY=Low, FtM weakAlias) never alert alone: when the best name is a weak
   alias the score stays just under the threshold unless the date of birth agrees or a document matches.
5. **Documents**: the same normalised number *and* issuing state is a strong key: score 1.0 whatever
   the name says; the same number with the state unknown on one side gives 0.95; the same number from a
   different state only adds +0.05 to the name evidence.

Explanations are only built for hits (they cost more than the score).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
from rapidfuzz.distance import JaroWinkler

from gateway.screening.lists import Dob, Entry
from gateway.screening.normalise import skeleton

TOKEN_CUTOFF = 0.8  # Jaro-Winkler below this gives no credit
PHONETIC_SIM = 0.92  # same consonant skeleton (3+ letters)
PHONETIC_SHORT_SIM = 0.85  # same two-letter skeleton, both tokens 4+ letters
INITIAL_SIM = 0.8  # "J" against "JOHN"
LENGTH_RATIO = 0.8  # tokens of 4+ letters whose lengths differ more than this are penalised
TRAVELLER_SHARE = 0.6  # weight of the traveller-side coverage in the name score
UNMATCHED_LISTED = 0.5  # an unmatched listed token (a middle name the traveller omitted) counts this much
CAP_FLOOR, CAP_STRENGTH = 0.55, 1.5  # information cap: floor + (1 - floor) * min(1, strength / CAP_STRENGTH)
CREDIT_BASE, CREDIT_SPAN = 0.6, 0.4  # a fuzzy pair's credit: (similarity - base) / span (see credit)
COMMON_FACTOR = 0.6

DOB_EXACT, DOB_SWAPPED, DOB_YEAR, DOB_RANGE, DOB_ONE_OFF, DOB_TWO_OFF, DOB_CONTRADICTS = 0.08, 0.05, 0.04, 0.03, 0.0, -0.05, -0.20
NATIONALITY_SAME, NATIONALITY_DIFFERENT = 0.02, -0.03
# The most a date of birth and a nationality can add to the name score. The index's candidate bound and its
# birth-year filter rely on them: a larger bonus added above must be covered here, or hits would silently go missing.
DOB_BONUS_MAX = max(DOB_EXACT, DOB_SWAPPED, DOB_YEAR, DOB_RANGE, DOB_ONE_OFF)
NATIONALITY_BONUS_MAX = NATIONALITY_SAME
BONUS_MAX = DOB_BONUS_MAX + NATIONALITY_BONUS_MAX  # the most the non-name evidence can add
DOB_WINDOW = 2  # years: beyond it the date contradicts (blocking window of the index)
DOCUMENT_STRONG, DOCUMENT_NUMBER_ONLY, DOCUMENT_OTHER_STATE = 1.0, 0.95, 0.05

def _words(text: str) -> list[str]:
    """A word list written as one string (data reads better as prose than as a list of quoted words)."""
    return text.split()


# Name parts so frequent world-wide that they identify nobody on their own (folded spellings).
COMMON_TOKENS: frozenset[str] = frozenset(_words("""
MOHAMMED MOHAMMAD MOHAMED MUHAMMAD MUHAMMED MOHAMAD MUHAMAD MD ALI AHMED AHMAD HASSAN HASAN HUSSEIN HUSSAIN HUSAIN
HOSSEIN ABDUL ABD ABDEL ABDUL ABDULLAH ABDALLAH OMAR UMAR IBRAHIM YUSUF YOUSEF YOUSSEF KHAN MAHMOUD MAHMUD MUSTAFA
KHALID KHALED SAID SAEED RAHMAN AZIZ KARIM MALIK ISMAIL YASIN NOOR NUR BIBI BEGUM FATIMA AISHA MARYAM ZAINAB
JOHN JAMES DAVID MICHAEL ROBERT WILLIAM RICHARD THOMAS PAUL PETER MARK GEORGE JOSEPH CHARLES DANIEL MARY ANNA ANA
MARIA MARIE ELENA SARA SARAH LAURA JOSE JUAN CARLOS LUIS JORGE PEDRO MANUEL ANTONIO FRANCISCO JESUS MIGUEL
GARCIA LOPEZ RODRIGUEZ MARTINEZ HERNANDEZ GONZALEZ PEREZ SANCHEZ RAMIREZ TORRES FLORES DIAZ GOMEZ SILVA SANTOS
SMITH JONES BROWN WILLIAMS JOHNSON TAYLOR MILLER WILSON DAVIES EVANS MUELLER MULLER SCHMIDT SCHNEIDER FISCHER
WEBER MEYER WAGNER BECKER ROSSI RUSSO MARTIN BERNARD DUBOIS LEE KIM PARK CHOI JUNG KANG CHO WANG LI ZHANG LIU CHEN
YANG HUANG ZHAO WU ZHOU XU SUN MA HU ZHU GUO NGUYEN TRAN PHAM HOANG VU VO DANG BUI DO HO NGO DUONG THI VAN
SINGH KUMAR SHARMA PATEL DEVI GUPTA SHAH DAS RAO REDDY LAL RAM PRASAD IVANOV IVANOVA IVAN SMIRNOV KUZNETSOV
POPOV SERGEI SERGEY ALEXANDER ALEKSANDR ANDREI VLADIMIR DMITRI OLGA TATIANA NATALIA YILMAZ KAYA DEMIR SAHIN
OKAFOR OKEKE ADEBAYO MUSA BELLO ABUBAKAR SANI IDRIS AMINU CHUKWU OLUWASEUN TANAKA SATO SUZUKI TAKAHASHI
"""))


def token_weight(token: str, common: bool) -> float:
    """Why weights: a match on ``KHAN`` says less than a match on ``TESTOVSKY``, and an initial says little."""
    n = len(token)
    base = 0.25 if n == 1 else 0.5 if n == 2 else 0.75 if n == 3 else 1.0
    return base * (COMMON_FACTOR if common else 1.0)


_SIM_CACHE: dict[tuple[str, str], float] = {}
_SIM_CACHE_MAX = 1_000_000


def token_sim(a: str, b: str) -> float:
    """Similarity of two folded tokens on 0..1, 0 when they are not alike enough to count.

    Cached per pair: a manifest compares the same few hundred traveller tokens with the same listed
    tokens over and over.
    """
    if a == b:
        return 1.0
    key = (a, b)
    cached = _SIM_CACHE.get(key)
    if cached is not None:
        return cached
    sim = _token_sim(a, b)
    if len(_SIM_CACHE) >= _SIM_CACHE_MAX:
        _SIM_CACHE.clear()
    _SIM_CACHE[key] = sim
    return sim


def _token_sim(a: str, b: str) -> float:
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        return INITIAL_SIM if a[0] == b[0] else 0.0
    sim = JaroWinkler.normalized_similarity(a, b)
    shorter, longer = (la, lb) if la < lb else (lb, la)
    if shorter >= 4 and shorter < LENGTH_RATIO * longer:
        # Jaro-Winkler rewards a shared prefix: RASHID is not RASHIDNAJ. Abbreviations (ABD/ABDUL) are shorter than 4.
        sim *= 1 - (1 - shorter / longer) / 2
    if sim < PHONETIC_SIM:
        ska = skeleton(a)
        if ska == skeleton(b):
            if len(ska) >= 3:
                sim = PHONETIC_SIM
            elif len(ska) == 2 and la >= 4 and lb >= 4:  # IURII / YURIY: short skeleton, weaker lift
                sim = max(sim, PHONETIC_SHORT_SIM)
    return sim if sim >= TOKEN_CUTOFF else 0.0


def credit(sim: float) -> float:
    """Credit of a paired token: an initial keeps its 0.8, fuzzy pairs are stretched so 0.8 → 0.5 and 1 → 1.

    Why stretched: a pair at the cut-off is barely evidence, so it should count half, not 80 %. The index's
    vectorised scorer calls :func:`credits`, the same formula over an array.
    """
    return sim if sim == INITIAL_SIM else (sim - CREDIT_BASE) / CREDIT_SPAN


def credits(sims: np.ndarray) -> np.ndarray:
    """:func:`credit` of every similarity of an array, bit for bit the same; 0 where the similarity is 0 (no pair)."""
    return np.where(sims == INITIAL_SIM, INITIAL_SIM, (sims - CREDIT_BASE) / CREDIT_SPAN) * (sims > 0)


class NameMatch(msgspec.Struct):
    score: float
    pairs: list[tuple[str, str, float]]  # (traveller token, listed token, similarity)
    unmatched_traveller: list[str]
    unmatched_listed: list[str]
    capped: bool


def name_score(query: Sequence[str], query_weights: Sequence[float], listed: Sequence[str], listed_weights: Sequence[float],
               detail: bool = False) -> tuple[float, NameMatch | None]:
    """Order-free best-pair token score of two folded names (see the module docstring)."""
    m, k = len(query), len(listed)
    if not m or not k:
        return 0.0, None
    candidates: list[tuple[float, int, int]] = []
    for i, q in enumerate(query):
        for j, n in enumerate(listed):
            s = token_sim(q, n)
            if s:
                candidates.append((s, i, j))
    if not candidates:
        return 0.0, None
    candidates.sort(reverse=True)
    used_q = [False] * m
    used_n = [False] * k
    covered_q = covered_n = strength = 0.0
    pairs: list[tuple[int, int, float]] = []
    for s, i, j in candidates:
        if used_q[i] or used_n[j]:
            continue
        used_q[i] = used_n[j] = True
        c = credit(s)
        covered_q += c * query_weights[i]
        covered_n += c * listed_weights[j]
        strength += c * min(query_weights[i], listed_weights[j])
        pairs.append((i, j, s))
    total_q = sum(query_weights)
    matched_n = sum(listed_weights[j] for j in range(k) if used_n[j])
    unmatched_n = sum(listed_weights[j] for j in range(k) if not used_n[j])
    listed_share = covered_n / (matched_n + UNMATCHED_LISTED * unmatched_n)
    score = TRAVELLER_SHARE * covered_q / total_q + (1 - TRAVELLER_SHARE) * listed_share
    cap = CAP_FLOOR + (1 - CAP_FLOOR) * min(1.0, strength / CAP_STRENGTH)
    capped = score > cap
    score = min(score, cap)
    if not detail:
        return score, None
    return score, NameMatch(score, [(query[i], listed[j], s) for i, j, s in pairs],
                            [query[i] for i in range(m) if not used_q[i]], [listed[j] for j in range(k) if not used_n[j]], capped)


def dob_evidence(traveller: tuple[int, int, int] | None, dobs: Sequence[Dob]) -> tuple[float, str]:
    """The best agreement between the traveller's date of birth and any listed one, with its reason."""
    if traveller is None:
        return 0.0, "no date of birth on the traveller"
    if not dobs:
        return 0.0, "no date of birth on the list"
    year, month, day = traveller
    best: tuple[float, str] | None = None
    for d in dobs:
        low = d.year_from - (1 if d.approximate else 0)
        high = d.year_to + (1 if d.approximate else 0)
        if d.year_from == d.year_to and d.month and d.day:
            if (d.year_from, d.month, d.day) == (year, month, day):
                found = (DOB_EXACT, f"date of birth equal ({d.describe()})")
            elif (d.year_from, d.month, d.day) == (year, day, month):
                found = (DOB_SWAPPED, f"date of birth equal with day and month swapped ({d.describe()})")
            elif d.year_from == year:
                found = (DOB_YEAR - 0.02, f"same birth year, different day ({d.describe()})")
            else:
                found = _years_apart(abs(d.year_from - year), d)
        elif low <= year <= high:
            if d.year_from == d.year_to and not d.approximate:
                same_month = not d.month or d.month == month
                found = (DOB_YEAR if same_month else DOB_YEAR - 0.02, f"birth year equal (list gives {d.describe()})")
            else:
                found = (DOB_RANGE, f"birth year inside the listed range {low}..{high}")
        else:
            found = _years_apart(min(abs(low - year), abs(high - year)), d)
        if best is None or found[0] > best[0]:
            best = found
    assert best is not None
    return best


def _years_apart(years: int, d: Dob) -> tuple[float, str]:
    if years <= 1:
        return DOB_ONE_OFF, f"date of birth one year from the listed {d.describe()}"
    if years <= DOB_WINDOW:
        return DOB_TWO_OFF, f"date of birth {years} years from the listed {d.describe()}"
    return DOB_CONTRADICTS, f"date of birth contradicts the listed {d.describe()} ({years} years apart)"


def nationality_evidence(traveller: str | None, listed: Sequence[str]) -> tuple[float, str | None]:
    if not traveller or not listed:
        return 0.0, None
    if traveller in listed:
        return NATIONALITY_SAME, f"nationality {traveller} is listed"
    return NATIONALITY_DIFFERENT, f"nationality {traveller} differs from the listed {'/'.join(listed)}"


def document_evidence(documents: Sequence[tuple[str, str | None]], entry: Entry) -> tuple[float, str | None]:
    """The strongest document agreement: (score floor or bonus, reason). Numbers are normalised on both sides."""
    best: tuple[float, str | None] = (0.0, None)
    for number, state in documents:
        for listed_number, listed_state in entry.documents:
            if number != listed_number:
                continue
            if state and listed_state and state == listed_state:
                return DOCUMENT_STRONG, f"document number and issuing state {state} equal (strong key)"
            if not state or not listed_state:
                found = (DOCUMENT_NUMBER_ONLY, "document number equal (issuing state not given on one side)")
            else:
                found = (DOCUMENT_OTHER_STATE, f"same document number but issued by {listed_state}, not {state}")
            if found[0] > best[0]:
                best = found
    return best


def explain_name(match: NameMatch, weak: bool) -> list[str]:
    """Readable reasons for the name part: which tokens paired and how."""
    lines = []
    for q, n, s in match.pairs:
        how = "exact" if s == 1.0 else "initial" if s == INITIAL_SIM and (len(q) == 1 or len(n) == 1) else \
            "phonetic" if s == PHONETIC_SIM else f"similar {s:.2f}"
        lines.append(f"name part {q} ~ {n}: {how}")
    if match.unmatched_listed:
        lines.append(f"listed name parts not on the traveller: {' '.join(match.unmatched_listed)}")
    if match.unmatched_traveller:
        lines.append(f"traveller name parts not on the list: {' '.join(match.unmatched_traveller)}")
    if match.capped:
        lines.append("matched parts are common or short: name evidence capped")
    if weak:
        lines.append("matched a weak (low-quality) alias: never alerts on the name alone")
    lines.append(f"name score {match.score:.2f}")
    return lines
