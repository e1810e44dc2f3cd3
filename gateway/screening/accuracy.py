"""A labelled accuracy set built from a generated list: true variants and look-alike non-matches.

Why our own: public ground-truth sets are unavailable or licensed (``shared/WATCHLIST.md`` §4.2),
and a set labelled *by construction* needs no judgement: each case is made from one listed entry by
one named perturbation, so we know whether it must match that entry.

True variants (must hit their entry): the exact name, swapped name order, a missing middle name,
one typo, a given name reduced to its initial, another transliteration (``IU``/``YU``, ``KH``/``H``,
``OU``/``U``, ``MOHAMMED``/``MUHAMMAD``, umlaut spellings …), date of birth one year off, day and
month swapped, and no date of birth at all.

Non-matches (must not hit their entry): another person with the same surname (different given name
and date of birth), a short common name on its own, the same name with a date of birth far from the
listed one, and an unrelated person.

:func:`evaluate` screens every case and returns recall, precision and per-kind results; the test
suite holds recall ≥ 0.95 and precision ≥ 0.9, and the benchmark reuses :func:`perturb` to plant
travellers in a manifest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import msgspec

from gateway.screening.lists import Dob, Entry
from gateway.screening.match import COMMON_TOKENS
from gateway.screening.normalise import fold_tokens
from gateway.screening.subjects import Subject

POSITIVE_KINDS = ("exact", "swapped", "missing_middle", "typo", "initial", "transliteration", "dob_plus_one", "dob_day_month",
                  "no_dob")
NEGATIVE_KINDS = ("same_surname", "short_common", "different_dob", "unrelated")
_TRANSLITERATIONS = (("MOHAMMED", "MUHAMMAD"), ("MUHAMMAD", "MOHAMED"), ("YUSUF", "YOUSSEF"), ("IU", "YU"), ("IA", "YA"),
                     ("KH", "H"), ("OU", "U"), ("EE", "I"), ("AE", "A"), ("OE", "O"), ("UE", "U"), ("II", "IY"), ("ZH", "J"),
                     ("SH", "SCH"), ("Y", "I"), ("I", "Y"), ("C", "K"), ("PH", "F"))


class Case(msgspec.Struct, frozen=True):
    subject: Subject
    entry_id: str
    match: bool  # the label: must the subject hit entry_id?
    kind: str


class Result(msgspec.Struct):
    recall: float
    precision: float
    true_positives: int
    false_negatives: int
    false_positives: int
    true_negatives: int
    by_kind: dict[str, tuple[int, int]]  # kind → (correct, total)
    misses: list[str]  # "kind entry_id" of wrong answers (ids only)


def _tokens(entry: Entry) -> list[str] | None:
    """The entry's first name that folds to 2+ tokens of Latin letters, as tokens in written order."""
    for name in entry.names:
        if name.isascii():
            tokens = fold_tokens(name)
            if len(tokens) >= 2:
                return tokens
    return None


def _birth(dob: Dob | None, rnd: random.Random) -> tuple[int, int, int] | None:
    if dob is None:
        return None
    year = rnd.randint(dob.year_from, dob.year_to)
    return (year, dob.month or rnd.randint(1, 12), dob.day or rnd.randint(1, 28))


def _iso(date: tuple[int, int, int] | None) -> str | None:
    return None if date is None else f"{date[0]:04d}-{date[1]:02d}-{date[2]:02d}"


def _typo(token: str, rnd: random.Random) -> str:
    i = rnd.randrange(1, len(token) - 1)
    if rnd.random() < 0.5:  # swap neighbours
        return token[:i] + token[i + 1] + token[i] + token[i + 2:]
    return token[:i] + rnd.choice("AEIOURNSTLKM".replace(token[i], "")) + token[i + 1:]


def perturb(tokens: list[str], dob: tuple[int, int, int] | None, kind: str,
            rnd: random.Random) -> tuple[list[str], tuple[int, int, int] | None] | None:
    """A true variant of a listed person (name tokens in written order, birth date), or None when the
    perturbation does not apply to this name (e.g. no middle name to drop)."""
    tokens = list(tokens)
    if kind == "exact":
        return tokens, dob
    if kind == "swapped":
        return tokens[1:] + tokens[:1], dob
    if kind == "missing_middle":
        return (tokens[:1] + tokens[2:], dob) if len(tokens) >= 3 else None
    if kind == "typo":
        long = [i for i, t in enumerate(tokens) if len(t) >= 5]
        if not long:
            return None
        i = rnd.choice(long)
        tokens[i] = _typo(tokens[i], rnd)
        return tokens, dob
    if kind == "initial":
        rest = tokens[1:]
        if len(tokens) < 3 and all(t in COMMON_TOKENS or len(t) < 5 for t in rest):
            return None  # "J SMITH" identifies nobody: not a fair true variant
        return [tokens[0][0], *rest], dob
    if kind == "transliteration":
        text = " ".join(tokens)
        for old, new in _TRANSLITERATIONS:
            if old in text:
                return text.replace(old, new, 1).split(), dob
        return None
    if kind == "dob_plus_one":
        return (tokens, (dob[0] + rnd.choice((-1, 1)), dob[1], min(dob[2], 28))) if dob else None
    if kind == "dob_day_month":
        return (tokens, (dob[0], dob[2], dob[1])) if dob and dob[2] <= 12 and dob[1] != dob[2] else None
    if kind == "no_dob":
        return tokens, None
    raise ValueError(kind)


def _subject(ref: str, tokens: list[str], dob: tuple[int, int, int] | None, nationality: str | None) -> Subject:
    """PAXLST puts the family name first; lists write names in order, so the last token plays the surname."""
    return Subject(ref, tokens[-1], tuple(tokens[:-1]), _iso(dob), nationality)


def build_cases(entries: Sequence[Entry], seed: int = 7, per_kind: int = 40) -> list[Case]:
    """``per_kind`` cases of every positive and negative kind, drawn from ``entries`` (deterministic)."""
    rnd = random.Random(seed)
    usable = [(e, t) for e in entries if (t := _tokens(e)) is not None and e.dobs and e.dobs[0].year_from == e.dobs[0].year_to
              and len(e.dobs) == 1 and not e.dobs[0].approximate]
    rnd.shuffle(usable)
    cases: list[Case] = []
    n = 0
    for kind in POSITIVE_KINDS:
        made = 0
        for entry, tokens in usable:
            if made >= per_kind:
                break
            dob = _birth(entry.dobs[0], rnd)
            if kind == "dob_day_month" and entry.dobs[0].day == 0:
                continue
            variant = perturb(tokens, dob, kind, rnd)
            if variant is None:
                continue
            n += 1
            cases.append(Case(_subject(f"a{n}", variant[0], variant[1], entry.nationalities[0] if entry.nationalities else None),
                              entry.id, True, kind))
            made += 1
        rnd.shuffle(usable)
    others = [t for _e, t in usable]
    for kind in NEGATIVE_KINDS:
        made = 0
        for entry, tokens in usable:
            if made >= per_kind:
                break
            dob = _birth(entry.dobs[0], rnd)
            assert dob is not None
            far = (dob[0] + rnd.choice((-1, 1)) * rnd.randint(6, 20), dob[1], dob[2])
            if kind == "same_surname":
                given = next(t[0] for t in [*rnd.sample(others, 5), ["ZEBEDIAH"]] if t[0] not in tokens and t[0] != tokens[-1])
                subject_tokens, subject_dob = [given, tokens[-1]], far
            elif kind == "short_common":
                subject_tokens, subject_dob = [t for t in tokens if t in COMMON_TOKENS][:1], None
                if not subject_tokens:
                    continue
                subject_tokens = [subject_tokens[0], subject_tokens[0]][:1]
            elif kind == "different_dob":
                subject_tokens, subject_dob = tokens, far
            else:
                subject_tokens, subject_dob = rnd.choice(others), dob
                if set(subject_tokens) & set(tokens):
                    continue
            n += 1
            sub = Subject(f"a{n}", subject_tokens[-1], tuple(subject_tokens[:-1]), _iso(subject_dob), None)
            cases.append(Case(sub, entry.id, False, kind))
            made += 1
        rnd.shuffle(usable)
    return cases


def evaluate(screener: object, cases: Sequence[Case]) -> Result:
    """Screen every case; a case counts as predicted positive when it hits *its* entry."""
    from gateway.screening.screener import Screener  # noqa: PLC0415 - avoids an import cycle (screener imports subjects)

    assert isinstance(screener, Screener)
    results = {r.subject_ref: {h.entry_id for h in r.hits} for r in screener.screen([c.subject for c in cases])}
    tp = fn = fp = tn = 0
    by_kind: dict[str, tuple[int, int]] = {}
    misses: list[str] = []
    for case in cases:
        predicted = case.entry_id in results.get(case.subject.ref, set())
        correct = predicted == case.match
        if case.match:
            tp, fn = tp + predicted, fn + (not predicted)
        else:
            fp, tn = fp + predicted, tn + (not predicted)
        good, total = by_kind.get(case.kind, (0, 0))
        by_kind[case.kind] = (good + correct, total + 1)
        if not correct:
            misses.append(f"{case.kind} {case.entry_id}")
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return Result(round(recall, 4), round(precision, 4), tp, fn, fp, tn, by_kind, misses)
