"""The in-memory index of one watchlist, and the search of one traveller in it.

Why this shape (measured alternatives in ``shared/WATCHLIST.md`` §6.2): scoring every listed name
is seconds per manifest at 1M entries, and blocking on one phonetic key per token fails because
common given names make blocks of 100k+. So candidates come from **token postings** and are
**combined by weight**:

* **Vocabulary.** Every distinct folded token of every listed name gets an id. Each token is reachable
  through its blocking keys (:func:`~gateway.screening.normalise.keys`: consonant skeleton plus its
  one-deletion neighbours), so a traveller's token finds the listed tokens it could pair with
  (transliteration variants, one typo) by a few dict look-ups; the pair is then confirmed with the
  real token similarity (cached per distinct token).
* **Postings sorted by birth year.** Each token id holds the ids of the names containing it, in order
  of the entry's birth years (``0`` = unknown, first). Entries with several dates, ranges or
  "approximately" are posted under each year they allow. A traveller with a date of birth reads, by
  bisection, only the "unknown" run and ±:data:`~gateway.screening.match.DOB_WINDOW` years; a
  traveller without one reads the whole posting (still screened, just dearer).
* **Weighted combination (prefix filtering).** The name score can only reach the threshold when the
  matched traveller tokens carry a share ``β`` of the traveller's token weight (``β`` follows from the
  score formula, the threshold and the most the date of birth and nationality can add). So the
  candidates are the union, over the *minimal* token subsets that carry ``β``, of the intersection of
  those tokens' postings. A rare surname alone qualifies and is read alone; ``MOHAMMED`` and ``ALI``
  only qualify together and are intersected (C-level set operations), so a common token's huge
  posting is never scored name by name. One deliberate approximation: a token that qualifies alone
  but whose posting in the window exceeds :data:`LARGE_POSTING` is only taken together with a second
  matched token (the bench reports what this costs in recall against brute force).
* **Documents** are a dict from normalised number to entries: exact, O(1), independent of names.

The index is immutable once built, so any number of threads may search it; the screener swaps whole
indexes to reload.
"""

from __future__ import annotations

import itertools
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import chain

import msgspec

from gateway.screening.lists import Entry
from gateway.screening.match import (
    BONUS_MAX,
    COMMON_TOKENS,
    DOB_CONTRADICTS,
    DOB_WINDOW,
    DOCUMENT_NUMBER_ONLY,
    DOCUMENT_OTHER_STATE,
    NATIONALITY_SAME,
    TRAVELLER_SHARE,
    dob_evidence,
    document_evidence,
    explain_name,
    name_score,
    nationality_evidence,
    token_sim,
    token_weight,
)
from gateway.screening.normalise import all_forms, keys

LARGE_POSTING = 256  # a token alone qualifying but with more names than this in the window needs a second token
COMMON_SHARE = 0.001  # a token in more than this share of the listed names (and 50+) counts as common
MAX_WIDE_RANGE = 20  # a listed birth range wider than this many years is treated as unknown
MAX_QUERY_TOKENS = 6
MAX_HITS_PER_LIST = 10
_SIMILAR_CACHE_MAX = 200_000


class Hit(msgspec.Struct):
    """One listed person a traveller resembles, at or above the list's threshold."""

    list: str
    entry_id: str
    score: float  # 0..1
    explanation: list[str]
    matched_name: str  # the listed name (as the list writes it) that matched best
    name_score: float = 0.0
    document: bool = False  # a document number matched
    weak_alias: bool = False


class Probe(msgspec.Struct, frozen=True):
    """A traveller prepared once for every list: folded name forms, date tuple, documents normalised."""

    forms: tuple[tuple[str, ...], ...]
    dob: tuple[int, int, int] | None
    nationality: str | None
    documents: tuple[tuple[str, str | None], ...]


class ListIndex:
    """One list, indexed for search. Build with the entries; never mutated afterwards."""

    def __init__(self, name: str, entries: Sequence[Entry], threshold: float) -> None:
        started = time.perf_counter()
        self.name = name
        self.threshold = threshold
        self.entries = list(entries)
        # β: the share of traveller token weight that must be matched for the threshold to be reachable
        self.beta = max(0.0, (threshold - BONUS_MAX - (1 - TRAVELLER_SHARE)) / TRAVELLER_SHARE)
        # beyond the window a date contradicts (−0.20): year blocking is safe only when that cannot still alert
        self.year_blocking = threshold > 1 + DOB_CONTRADICTS + NATIONALITY_SAME
        self._name_floor = threshold - BONUS_MAX  # name scores below this cannot become hits without a document
        self._build()
        self.build_seconds = time.perf_counter() - started
        self._similar: dict[str, tuple[int, ...]] = {}

    # --- build -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        vocab: dict[str, int] = {}
        tokens: list[str] = []
        df: list[int] = []
        name_entry = array("I")
        name_slot = array("H")
        name_weak = bytearray()
        name_text: list[str] = []
        entry_first = array("I")
        name_tids: list[tuple[int, ...]] = []
        by_year: dict[int, list[int]] = {}
        docs: dict[str, list[int]] = {}
        for e_idx, entry in enumerate(self.entries):
            entry_first.append(len(name_text))
            years = _entry_years(entry)
            seen: set[str] = set()
            strong = len(entry.names)
            for slot, raw in enumerate(chain(entry.names, entry.weak_names)):
                for form in all_forms(raw):
                    text = " ".join(form)
                    if text in seen:
                        continue
                    seen.add(text)
                    nid = len(name_text)
                    name_text.append(text)
                    name_entry.append(e_idx)
                    name_slot.append(slot)
                    name_weak.append(slot >= strong)
                    ids = []
                    for token in set(form):
                        if len(token) < 2:
                            continue  # initials are compared, never indexed
                        tid = vocab.get(token)
                        if tid is None:
                            tid = vocab[token] = len(tokens)
                            tokens.append(token)
                            df.append(0)
                        df[tid] += 1
                        ids.append(tid)
                    name_tids.append(tuple(ids))
                    for year in years:
                        bucket = by_year.get(year)
                        if bucket is None:
                            by_year[year] = [nid]
                        else:
                            bucket.append(nid)
            for number, _state in entry.documents:
                docs.setdefault(number, []).append(e_idx)
        entry_first.append(len(name_text))
        post_names: list[list[int]] = [[] for _ in tokens]
        post_years: list[list[int]] = [[] for _ in tokens]
        for year in sorted(by_year):
            for nid in by_year[year]:
                for tid in name_tids[nid]:
                    post_names[tid].append(nid)
                    post_years[tid].append(year)
        del by_year, name_tids
        self.post_names = [array("I", p) for p in post_names]
        del post_names
        self.post_years = [array("H", p) for p in post_years]
        del post_years
        key_map: dict[str, list[int]] = {}
        for tid, token in enumerate(tokens):
            for key in keys(token):
                bucket = key_map.get(key)
                if bucket is None:
                    key_map[key] = [tid]
                else:
                    bucket.append(tid)
        self.key_map = {k: tuple(v) for k, v in key_map.items()}
        self.vocab = vocab
        self.tokens = tokens
        total = max(1, len(name_text))
        common_df = max(50, int(COMMON_SHARE * total))
        self.weights = {t: token_weight(t, t in COMMON_TOKENS or df[i] >= common_df) for i, t in enumerate(tokens)}
        self.common_df = common_df
        self.name_entry, self.name_slot, self.name_weak, self.name_text = name_entry, name_slot, name_weak, name_text
        self.entry_first = entry_first
        self.docs = docs

    # --- facts -------------------------------------------------------------------------------------------
    @property
    def names(self) -> int:
        return len(self.name_text)

    def postings(self) -> int:
        return sum(len(p) for p in self.post_names)

    def weight(self, token: str) -> float:
        w = self.weights.get(token)
        return w if w is not None else token_weight(token, token in COMMON_TOKENS)

    def similar(self, token: str) -> tuple[int, ...]:
        """Vocabulary ids of the listed tokens this token can pair with (shared key and real similarity)."""
        cached = self._similar.get(token)
        if cached is not None:
            return cached
        found: set[int] = set()
        key_map = self.key_map
        for key in keys(token):
            found.update(key_map.get(key, ()))
        exact = self.vocab.get(token)
        if exact is not None:
            found.add(exact)
        tokens = self.tokens
        result = tuple(tid for tid in found if token_sim(token, tokens[tid]))
        if len(self._similar) >= _SIMILAR_CACHE_MAX:
            self._similar = {}
        self._similar[token] = result
        return result

    # --- search ------------------------------------------------------------------------------------------
    def _slices(self, tids: Sequence[int], year: int | None) -> tuple[list[tuple[int, int, int]], int]:
        """(tid, start, end) runs of the postings a traveller born in ``year`` must read, and their total."""
        out: list[tuple[int, int, int]] = []
        size = 0
        post_years, post_names = self.post_years, self.post_names
        for tid in tids:
            if year is None:
                n = len(post_names[tid])
                out.append((tid, 0, n))
                size += n
                continue
            years = post_years[tid]
            unknown = bisect_right(years, 0)
            if unknown:
                out.append((tid, 0, unknown))
                size += unknown
            lo = bisect_left(years, year - DOB_WINDOW, unknown)
            hi = bisect_right(years, year + DOB_WINDOW, lo)
            if hi > lo:
                out.append((tid, lo, hi))
                size += hi - lo
        return out, size

    def _materialise(self, runs: list[tuple[int, int, int]]) -> set[int]:
        found: set[int] = set()
        post_names = self.post_names
        for tid, lo, hi in runs:
            found.update(post_names[tid][lo:hi])
        return found

    def _intersect(self, base: set[int], runs: list[tuple[int, int, int]], size: int) -> set[int]:
        """Names of ``base`` that also appear in ``runs``: by reading the runs (C set operations) when they are
        not much larger than ``base``, else by looking at each base name's own tokens."""
        if size <= 12 * len(base):
            out: set[int] = set()
            post_names = self.post_names
            for tid, lo, hi in runs:
                out |= base.intersection(post_names[tid][lo:hi])
            return out
        wanted = {self.tokens[tid] for tid, _lo, _hi in runs}
        name_text = self.name_text
        return {nid for nid in base if not wanted.isdisjoint(name_text[nid].split(" "))}

    def candidates(self, form: tuple[str, ...], year: int | None) -> set[int]:
        """Name ids that can reach the threshold for this name form (see the module docstring)."""
        weights = [self.weight(t) for t in form]
        need = self.beta * sum(weights) - 1e-9
        found: list[tuple[float, tuple[int, ...]]] = []
        for token, w in zip(form, weights, strict=True):
            if len(token) >= 2:
                tids = self.similar(token)
                if tids:
                    found.append((w, tids))
        if not found:
            return set()
        found.sort(key=lambda f: -f[0])
        found = found[:MAX_QUERY_TOKENS]
        if sum(f[0] for f in found) < need:
            return set()
        window = year if self.year_blocking else None
        sliced = [self._slices(tids, window) for _w, tids in found]
        # minimal qualifying subsets of the traveller's tokens
        subsets: list[tuple[int, ...]] = []
        for r in range(1, len(found) + 1):
            for combo in itertools.combinations(range(len(found)), r):
                if sum(found[i][0] for i in combo) >= need and sliced[combo[0]][1] and \
                        not any(set(s) <= set(combo) for s in subsets):
                    subsets.append(combo)
        expanded: list[tuple[int, ...]] = []
        for combo in subsets:
            if len(combo) == 1 and sliced[combo[0]][1] > LARGE_POSTING and len(found) > 1:
                expanded.extend((combo[0], j) for j in range(len(found)) if j != combo[0])
            else:
                expanded.append(combo)
        result: set[int] = set()
        cache: dict[int, set[int]] = {}
        for combo in dict.fromkeys(tuple(sorted(c, key=lambda i: sliced[i][1])) for c in expanded):
            if any(not sliced[i][1] for i in combo):
                continue
            if len(combo) == 1:
                if combo[0] not in cache:
                    cache[combo[0]] = self._materialise(sliced[combo[0]][0])
                result |= cache[combo[0]]
                continue
            result |= self._combine(combo, found, sliced, cache)
        return result

    def _combine(self, combo: tuple[int, ...], found: list[tuple[float, tuple[int, ...]]],
                 sliced: list[tuple[list[tuple[int, int, int]], int]], cache: dict[int, set[int]]) -> set[int]:
        """Names matching every token of ``combo`` (smallest posting first). One listed token pairs with one
        traveller token only, so when two traveller tokens share similar listed tokens (MARY, MARIA → MARIA)
        the shared ones may satisfy one side of the pair, never both."""
        first = combo[0]
        current = cache.get(first)
        if current is None:
            current = cache[first] = self._materialise(sliced[first][0])
        for other in combo[1:]:
            if not current:
                break
            shared = set(found[first][1]).intersection(found[other][1])
            if not shared:
                current = self._intersect(current, sliced[other][0], sliced[other][1])
                continue
            own_runs = [r for r in sliced[other][0] if r[0] not in shared]
            via_other = self._intersect(current, own_runs, sum(hi - lo for _t, lo, hi in own_runs)) if own_runs else set()
            first_own = [r for r in sliced[first][0] if r[0] not in shared]
            base = self._materialise(first_own) if first_own else set()
            via_first = self._intersect(base, sliced[other][0], sliced[other][1]) if base else set()
            current = via_other | via_first
        return current

    def search(self, probe: Probe, limit: int = MAX_HITS_PER_LIST) -> list[Hit]:
        """The hits of one traveller in this list, best first (at most ``limit``)."""
        year = probe.dob[0] if probe.dob else None
        best: dict[int, tuple[float, int, tuple[str, ...]]] = {}  # entry → (name score, name id, traveller form)
        name_text, name_entry, name_weak = self.name_text, self.name_entry, self.name_weak
        for form in probe.forms:
            if not form:
                continue
            form_weights = [self.weight(t) for t in form]
            scored: dict[str, float] = {}  # the same name text is often listed for several people
            for nid in self.candidates(form, year):
                text = name_text[nid]
                score = scored.get(text)
                if score is None:
                    listed = text.split(" ")
                    score = scored[text] = name_score(form, form_weights, listed, [self.weight(t) for t in listed])[0]
                if score < self._name_floor:
                    continue
                e_idx = name_entry[nid]
                held = best.get(e_idx)
                # a strong name beats a weak one of the same score
                if held is None or score > held[0] or (score == held[0] and name_weak[held[1]] and not name_weak[nid]):
                    best[e_idx] = (score, nid, form)
        documents: set[int] = set()
        for number, _state in probe.documents:
            documents.update(self.docs.get(number, ()))
        hits = [hit for e_idx in set(best) | documents if (hit := self._hit(probe, e_idx, best.get(e_idx))) is not None]
        hits.sort(key=lambda h: (-h.score, h.entry_id))
        return hits[:limit]

    def _best_name(self, probe: Probe, e_idx: int) -> tuple[float, int, tuple[str, ...]] | None:
        """The best name of an entry found only by its document (its names were not candidates)."""
        best: tuple[float, int, tuple[str, ...]] | None = None
        for nid in range(self.entry_first[e_idx], self.entry_first[e_idx + 1]):
            listed = self.name_text[nid].split(" ")
            for form in probe.forms:
                if form:
                    score, _ = name_score(form, [self.weight(t) for t in form], listed, [self.weight(t) for t in listed])
                    if best is None or score > best[0]:
                        best = (score, nid, form)
        return best

    def _hit(self, probe: Probe, e_idx: int, named: tuple[float, int, tuple[str, ...]] | None) -> Hit | None:
        entry = self.entries[e_idx]
        doc_score, doc_reason = document_evidence(probe.documents, entry) if probe.documents and entry.documents else (0.0, None)
        if named is None:
            named = self._best_name(probe, e_idx)
        name_part, nid, form = named if named is not None else (0.0, -1, ())
        dob_score, dob_reason = dob_evidence(probe.dob, entry.dobs)
        nat_score, nat_reason = nationality_evidence(probe.nationality, entry.nationalities)
        weak = nid >= 0 and bool(self.name_weak[nid])
        score = name_part + dob_score + nat_score
        if doc_score == DOCUMENT_OTHER_STATE:
            score += doc_score
        if weak and dob_score <= 0 and doc_score < DOCUMENT_NUMBER_ONLY:
            score = min(score, self.threshold - 0.01)  # a weak alias never alerts on the name alone
        if doc_score >= DOCUMENT_NUMBER_ONLY:
            score = max(score, doc_score)
        score = round(max(0.0, min(1.0, score)), 4)
        if score < self.threshold:
            return None
        lines: list[str] = []
        if doc_reason:
            lines.append(doc_reason)
        matched_name = ""
        if nid >= 0:
            listed = self.name_text[nid].split(" ")
            _, detail = name_score(form, [self.weight(t) for t in form], listed, [self.weight(t) for t in listed], detail=True)
            if detail is not None:
                lines.extend(explain_name(detail, weak))
            else:
                lines.append(f"name does not match (name score {name_part:.2f})")
            slot = self.name_slot[nid]
            matched_name = (entry.names + entry.weak_names)[slot]
        lines.append(dob_reason + (f" ({dob_score:+.2f})" if dob_score else ""))
        if nat_reason:
            lines.append(f"{nat_reason} ({nat_score:+.2f})")
        lines.append(f"score {score:.2f} (threshold {self.threshold:.2f})")
        return Hit(self.name, entry.id, score, lines, matched_name, round(name_part, 4), doc_score > 0, weak)


def _entry_years(entry: Entry) -> tuple[int, ...]:
    """The birth years an entry is posted under; ``(0,)`` (unknown) when it has none or one is too vague."""
    years: set[int] = set()
    for d in entry.dobs:
        low = d.year_from - (1 if d.approximate else 0)
        high = d.year_to + (1 if d.approximate else 0)
        if high - low > MAX_WIDE_RANGE:
            return (0,)
        years.update(range(low, high + 1))
    return tuple(sorted(years)) or (0,)
