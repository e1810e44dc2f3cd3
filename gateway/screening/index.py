"""The in-memory index of one watchlist, and the search of a whole manifest in it.

Why this shape (measured alternatives in ``shared/WATCHLIST.md`` §6.2): scoring every listed name
is seconds per manifest at 1M entries, and blocking on one phonetic key per token fails because
common given names make blocks of 100k+. So candidates come from **token postings** and are
**combined by weight**:

* **Vocabulary.** Every distinct folded token of every listed name gets an id. Each token is reachable
  through its blocking keys (:func:`~gateway.screening.normalise.keys`: consonant skeleton plus its
  one-deletion neighbours), so a traveller's token finds the listed tokens it could pair with
  (transliteration variants, one typo) by a few look-ups in a sorted key array; the pair is then confirmed with the
  real token similarity (cached per distinct token).
* **Postings sorted by birth year.** Each token id holds the ids of the names containing it, in order
  of the entry's birth years (``0`` = unknown, first), as one run of a flat array sorted by the key
  ``token id << 16 | year``. Entries with several dates, ranges or "approximately" are posted under
  each year they allow. A traveller with a date of birth reads only the "unknown" run and
  ±:data:`~gateway.screening.match.DOB_WINDOW` years, found by two look-ups in a per-token year
  directory; a traveller without one reads the whole posting (still screened, just dearer).
* **Weighted combination (prefix filtering).** The name score can only reach the threshold when the
  matched traveller tokens carry a share ``β`` of the traveller's token weight (``β`` follows from the
  score formula, the threshold and the most the date of birth and nationality can add). So the
  candidates are the union, over the *minimal* token subsets that carry ``β``, of the names matching
  every token of the subset. A subset reads only the postings of its smallest token and keeps the
  names whose own token row holds a token similar to each other member (each posting carries its
  name's token row, so this is a sequential numpy pass; the large postings of common tokens such as
  ``MOHAMMED`` are never read when a rarer token is in the subset). When both tokens of a two-token
  subset are common (``KHAN`` and ``MARY``) the **pair postings** (every two tokens of a name, under its
  years) give the names holding both directly. They grow with the square of a name's length, so they
  are built only while they number at most :data:`PAIR_BUDGET` times the ordinary postings (a list of
  long names goes without, and its subsets are all read by filtering).
* **Approximations** (names a brute-force scalar scorer would find and the index does not; the brute-force
  reference test pins them down): a token that qualifies alone but whose posting in the window exceeds
  :data:`LARGE_POSTING` is only taken together with a second matched token (the bench reports what this
  costs in recall against brute force). Initials are compared, never searched (``J`` would read every name
  with a J), and only the traveller's tokens of two letters or more that share a blocking key with a listed
  token can carry the share ``β``: a name that reaches the threshold only with the weight of a traveller's
  initial (``S MARKUS SERGEEVICH RYBLOVSHILOV`` for ``RYBLOVSHILOV SERGEI SERGEEVICH`` with date and
  nationality), or through a similar pair sharing no key (``SIGNH``/``SINGH``: a transposition across a
  rewritten digraph), is not found; nor is one whose listed initial stands for a needed traveller token
  (``S I PETROV`` for ``SERGEI IVANOVICH PETROV``). Counting an initial's weight as matched would find the
  first kind, at half as many candidates again on the bench manifest.
* **A manifest at a time.** :meth:`ListIndex.search_many` runs each step once for all travellers:
  one pass finds every posting run, one filters every read posting, one scores every candidate. The
  scorer is :func:`~gateway.screening.match.name_score` vectorised and exact to the bit (same
  similarities, same order of pairing and of addition); a bound drops first the names that cannot
  reach the threshold. Only hits are explained, by the scalar scorer. The memory stays bounded
  whatever the manifest: the postings are read in batches of whole travellers' name forms
  (:data:`READ_BUDGET`) and the candidates scored :data:`SCORE_CHUNK` at a time, so a flight of common
  names without dates of birth costs time, not gigabytes.
* **Documents** are a sorted array of normalised numbers mapping to entries: exact, independent of names.

Storage is a few flat numpy arrays (postings, pair postings, name token rows, the year directory, the
compact key and document maps, the entries as one msgpack buffer) plus the vocabulary: no per-name
Python objects. :meth:`ListIndex.save` writes them to one file and :meth:`ListIndex.open` maps it,
which is how a build subprocess hands an index to the serving process. The index is immutable once
built, so any number of threads may search it; the screener swaps whole indexes to reload.
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import sys
import time
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any, NamedTuple, TypeVar

import msgspec
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from gateway.screening.lists import Entry
from gateway.screening.match import (
    BONUS_MAX,
    CAP_FLOOR,
    CAP_STRENGTH,
    COMMON_TOKENS,
    DOB_BONUS_MAX,
    DOB_CONTRADICTS,
    DOB_WINDOW,
    DOCUMENT_NUMBER_ONLY,
    DOCUMENT_OTHER_STATE,
    INITIAL_SIM,
    LENGTH_RATIO,
    NATIONALITY_BONUS_MAX,
    PHONETIC_SHORT_SIM,
    PHONETIC_SIM,
    TOKEN_CUTOFF,
    TRAVELLER_SHARE,
    UNMATCHED_LISTED,
    credits,
    dob_evidence,
    document_evidence,
    explain_name,
    name_score,
    nationality_evidence,
    token_sim,
    token_weight,
)
from gateway.screening.normalise import all_forms, keys, skeleton

PAIR_COST = 3  # a pair look-up costs about as much as checking this many postings (A/B at 1M: 3 best of 1..30)
PAIR_BUDGET = 4  # pair postings are built only while there are at most this many per ordinary posting
LARGE_POSTING = 256  # a token alone qualifying but with more names than this in the window needs a second token
READ_BUDGET = 1_000_000  # postings read (a pair look-up counting PAIR_COST) per batch of a manifest's name forms
SCORE_CHUNK = 50_000  # candidate (form, name) pairs found and scored at a time
COMMON_SHARE = 0.001  # a token in more than this share of the listed names (and 50+) counts as common
MAX_WIDE_RANGE = 20  # a listed birth range wider than this many years is treated as unknown
MAX_QUERY_TOKENS = 6
MAX_HITS_PER_LIST = 10
_SIMILAR_CACHE_MAX = 200_000
_PLAN_CACHE_MAX = 10_000
ROW_WIDTH = 6  # name rows wider than this (rare) are kept aside whole
_SIM_SLACK = 1e-9  # vectorised Jaro-Winkler may differ from the scalar one in the last bit: values this near are redone
_ROUND_SLACK = 1e-4  # a hit's score is rounded to 4 decimals: a score this far under the threshold may still round up to it
_BOUND_SLACK = 1e-9  # the score bound is computed differently from the score: this much rounding may separate them
_EMPTY = np.zeros(0, dtype=np.uint32)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_WILDCARD = -2  # in a posting row: "any token" (the cut-off end of a long name)
_PAIR_FILTER_BITS = 25  # 4 MB of filter: 2 % of its bits set by the 650k distinct pairs of 1M generated entries
_TOKEN_BITS, _YEAR_BITS = 24, 16  # a pair key: low token id << 40 | high token id << 16 | year (see _pair_key)
_PAIR_VOCABULARY = 1 << _TOKEN_BITS  # larger vocabularies go without pair postings


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


class NameTexts(Sequence[str]):
    """The indexed name forms as space-joined text, built on demand from the token rows (no million strings kept)."""

    def __init__(self, index: ListIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index.name_entry)

    def __getitem__(self, nid: int) -> str:  # type: ignore[override]
        return " ".join(self._index.listed(nid))


class _Queries(NamedTuple):
    """Every name form of a manifest (a *query*), with what the search needs of it; query ``q`` is position ``q``."""

    forms: list[tuple[str, ...]]
    owners: list[int]  # the traveller (position in the manifest) of each form
    weights: list[list[float]]  # the token weights of each form
    years: list[int]  # the birth year whose window is read; -1 reads whole postings (no date, or no year blocking)


class _BestName(NamedTuple):
    """A traveller's best name of one entry: its name score, the indexed name and the traveller's form that scored it."""

    score: float
    nid: int
    form: tuple[str, ...]


class _Segments(NamedTuple):
    """Per segment, one (query, traveller token) read: the similar listed tokens and their posting runs."""

    tids: np.ndarray  # the similar listed tokens of every segment, one after the other
    offsets: np.ndarray  # segment ``s`` holds ``tids[offsets[s]:offsets[s + 1]]``
    runs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # per tid: unknown-year and window runs (_runs)
    years: np.ndarray  # per segment: the birth year of its query


class _Reads(NamedTuple):
    """How a manifest's candidates are read (:meth:`ListIndex._read_plan`); every list is in query order."""

    segments: _Segments
    filtered: list[tuple[int, int, list[tuple[str, ...]]]]  # (query, segment, the other tokens of each subset)
    plain: list[tuple[int, int]]  # (query, segment): every posting read is a candidate
    paired: list[tuple[int, int, int]]  # (query, segment, segment): a two-token subset read from the pair postings
    costs: list[int]  # per query: the postings it reads, a pair look-up counting PAIR_COST (ints: no GC-tracked tuples)


class _Ranges(NamedTuple):
    """Runs of name ids found for queries (:meth:`ListIndex._pair_ranges`), in query order."""

    query: np.ndarray  # per run: its query
    starts: np.ndarray
    ends: np.ndarray
    source: np.ndarray  # the name ids the runs index (``pair_nid`` or ``post_nid``)


class _TokenSims(NamedTuple):
    """The similarities of a candidate set, once per distinct (query, listed token) *link* (:meth:`ListIndex._links`)."""

    inverse: np.ndarray  # (names, row width): the link of each listed token of each name; link 0 is the padding
    query: np.ndarray  # per link: its query
    tid: np.ndarray  # per link: its listed token (-1 for the padding)
    sims: np.ndarray  # (links, form width): token_sim of each token of the query with the listed token


class _Collected:
    """What one pass over the entries gathers (:func:`_collect`): flat typed arrays and the vocabulary, no per-name
    objects. Attributes are deleted as :meth:`ListIndex._build` turns them into the index, so that a build's peak
    memory never holds both."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.tokens: list[str] = []
        self.df: list[int] = []  # per token: the names holding it
        self.name_entry = array("I")
        self.name_slot = array("H")
        self.name_weak = array("B")
        self.name_ptr = array("I", [0])
        self.name_tok = array("i")
        self.entry_first = array("I")
        self.entry_years = array("H")  # the birth years a date of birth can agree with: (0, 0) none, (0, 65535) any
        self.long_years: dict[int, tuple[int, ...]] = {}  # names longer than a row: their years, for their pair postings
        self.pair_count = 0  # the pair postings the names would make: counted before any is made (PAIR_BUDGET)
        self.post_tid = array("I")
        self.post_year = array("H")
        self.post_nid = array("I")
        self.docs: dict[str, list[int]] = {}
        self.blob = bytearray()
        self.entry_at = array("q", [0])


class ListIndex:
    """One list, indexed for search. Build with the entries; never mutated afterwards."""

    def __init__(self, name: str, entries: Sequence[Entry], threshold: float) -> None:
        started = time.perf_counter()
        self.name = name
        self.threshold = threshold
        # β: the share of traveller token weight that must be matched for the threshold to be reachable
        self.beta = max(0.0, (threshold - BONUS_MAX - (1 - TRAVELLER_SHARE)) / TRAVELLER_SHARE)
        # beyond the window a date contradicts (−0.20): year blocking is safe only when that cannot still alert
        self.year_blocking = threshold > 1 + DOB_CONTRADICTS + NATIONALITY_BONUS_MAX
        self._name_floor = threshold - BONUS_MAX  # name scores below this cannot become hits without a document
        self._build(entries)
        self.build_seconds = time.perf_counter() - started
        self._caches()

    def _caches(self) -> None:
        self._similar: dict[str, tuple[int, ...]] = {}
        self._similar_arrays: dict[str, np.ndarray] = {}
        self._plans: dict[tuple[object, ...], dict[int, list[tuple[int, ...]]]] = {}
        self._decoder = msgspec.msgpack.Decoder(Entry)

    # --- build -----------------------------------------------------------------------------------------
    def _build(self, entries: Sequence[Entry]) -> None:
        """Names as token-id rows (CSR) and postings as three flat numpy arrays sorted by (token, year, name).

        Why flat arrays: search reads postings as slices and filters and scores whole candidate sets with
        vectorised numpy, and the whole index is a handful of buffers (cheap to keep, cheap to ship from
        a build subprocess) instead of millions of Python objects.
        """
        c = _collect(entries)
        post_key = self._postings(c)
        self._key_str, self._key_ptr, self._key_tids = _compact_map(_key_map(c.tokens))
        self.vocab = c.vocab
        self.tokens = tokens = c.tokens
        common_df = max(50, int(COMMON_SHARE * max(1, len(c.name_entry))))
        self.weights = {t: token_weight(t, t in COMMON_TOKENS or c.df[i] >= common_df) for i, t in enumerate(tokens)}
        self._token_facts()
        self._name_rows(np.frombuffer(c.name_ptr, dtype=np.uint32).astype(np.int64), np.frombuffer(c.name_tok, dtype=np.int32))
        del c.name_ptr, c.name_tok
        self.name_entry = np.frombuffer(c.name_entry, dtype=np.uint32).copy()
        self.name_slot = np.frombuffer(c.name_slot, dtype=np.uint16).copy()
        self.name_weak = np.frombuffer(c.name_weak, dtype=np.uint8).copy()
        self.entry_first = np.frombuffer(c.entry_first, dtype=np.uint32).copy()
        self.entry_years = np.frombuffer(c.entry_years, dtype=np.uint16).reshape(-1, 2).copy()
        # each posting carries its name's token row: filtering a token's postings by the other traveller tokens
        # then reads memory in posting order instead of one random row per name. A long name's row (cut at the
        # matrix width) ends in the wildcard -2, for which the filter looks the whole row up. uint16 when the
        # vocabulary allows: the padding -1 becomes 65535 and the wildcard 65534, which no token id reaches.
        self.post_rows = self.name_rows[self.post_nid]
        if self._long:
            self.post_rows[self._long_mask[self.post_nid], -1] = _WILDCARD
        if len(tokens) < (1 << 16) - 2:
            self.post_rows = self.post_rows.astype(np.uint16)
        self.name_text = NameTexts(self)
        self._doc_str, self._doc_ptr, self._doc_entries = _compact_map(c.docs)
        del c.docs
        # the entries as one msgpack buffer: decoded one at a time for hits, a few hundred MB less than objects
        self._entry_blob = np.frombuffer(c.blob, dtype=np.uint8).copy()
        del c.blob
        self._entry_at = np.frombuffer(c.entry_at, dtype=np.int64).copy()
        # last, once the copies above are done with: their peak and these structures' never add up
        self._year_directory(post_key)
        self._pair_postings(post_key, c.long_years, c.pair_count)

    def _postings(self, c: _Collected) -> np.ndarray:
        """Sort the postings into ``post_nid`` and ``post_ptr`` (per token, its run); return their sorted keys.

        The key of a posting is ``token id << 16 | birth year``: the token runs, the year directory and the pair
        postings are made from it (the search needs none of it, so it is not kept).
        """
        tid_arr = np.frombuffer(c.post_tid, dtype=np.uint32)
        year_arr = np.frombuffer(c.post_year, dtype=np.uint16)
        nid_arr = np.frombuffer(c.post_nid, dtype=np.uint32)
        order = np.lexsort((nid_arr, year_arr, tid_arr))
        self.post_nid = nid_arr[order]
        key_type = np.uint32 if len(c.tokens) < 1 << 16 else np.uint64
        post_key = (tid_arr[order].astype(key_type) << 16) | year_arr[order].astype(key_type)
        del order, tid_arr, year_arr, nid_arr, c.post_tid, c.post_year, c.post_nid
        self.post_ptr = np.searchsorted(post_key, np.arange(len(c.tokens) + 1, dtype=key_type) << key_type(16))
        return post_key

    def _token_facts(self) -> None:
        """Per token, what the vectorised similarity needs; one extra slot (id -1) is the padding of short name rows."""
        tokens = self.tokens
        self.tok_weight = np.array([self.weights[t] for t in tokens] + [0.0], dtype=np.float64)
        self.tok_len = np.array([len(t) for t in tokens] + [0], dtype=np.int64)
        self.tok_first = np.array([ord(t[0]) for t in tokens] + [0], dtype=np.int64)
        self.tok_letters = np.array([_letters(t) for t in tokens] + [0], dtype=np.int64)
        skel_ids: dict[str, int] = {}
        self.tok_skel = np.array([skel_ids.setdefault(skeleton(t), len(skel_ids)) for t in tokens] + [-1], dtype=np.int64)
        self.skel_ids = skel_ids

    def _year_directory(self, post_key: np.ndarray) -> None:
        """Where each birth year starts in each token's posting, so a window is found by look-ups, not searches.

        ``year_cum[year_at[t] + j]`` is the first posting of token ``t`` born in ``year_lo[t] + j`` or later, for
        ``j`` from 0 to the token's span of known years (the last entry is the end of the posting); the postings
        before ``year_cum[year_at[t]]`` have no year. Why: a 500-traveller manifest at 1M entries reads the windows
        of some 36k (similar token, year) pairs, and binary searches in the six million postings were a fifth of
        its time.
        """
        count = len(self.tokens)
        if not len(post_key):  # no token is indexed (a list of initials only): every token has an empty posting
            self.year_at = np.arange(count + 1, dtype=np.int64)
            self.year_cum = np.zeros(count, dtype=np.uint32)
            self.year_lo = np.full(count, 0xFFFF, dtype=np.int64)
            return
        key_type = post_key.dtype.type
        known = np.searchsorted(post_key, (np.arange(count, dtype=key_type) << key_type(16)) | key_type(1))  # first dated
        ends = self.post_ptr[1:]
        has = known < ends
        last = len(post_key) - 1
        low = np.where(has, post_key[np.minimum(known, last)] & key_type(0xFFFF), 0xFFFF).astype(np.int64)  # none: past any
        span = np.where(has, (post_key[np.maximum(ends - 1, 0)] & key_type(0xFFFF)).astype(np.int64) - low + 1, 0)
        self.year_at = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(span + 1, out=self.year_at[1:])
        token = np.repeat(np.arange(count, dtype=key_type), span + 1)
        year = (np.arange(int(self.year_at[-1]), dtype=np.int64) - np.repeat(self.year_at[:-1] - low, span + 1)).astype(key_type)
        wide = np.uint32 if len(post_key) < 1 << 32 else np.int64
        self.year_cum = np.searchsorted(post_key, (token << key_type(16)) | year).astype(wide)
        self.year_lo = low

    def _pair_postings(self, post_key: np.ndarray, long_years: dict[int, tuple[int, ...]], pair_count: int) -> None:
        """Postings of token pairs: every two distinct indexed tokens of a name, under each of its birth years.

        Why: "the names holding a token like KHAN and a token like MARY, born around 1974" is then a few hundred
        look-ups instead of reading every KHAN of those years (:meth:`_pair_ranges`). Sorted keys (:func:`_pair_key`)
        in ``pair_key``, the name ids in ``pair_nid``, and ``pair_filter``, one bit per hash bucket of the pairs
        held (:func:`_pair_bucket`): most look-ups are of pairs no name holds, and the filter rules them out
        without a search. Made from the posting rows (a posting of its lower token, with each higher token of its
        row); long names from their whole rows (:meth:`_long_pair_postings`).

        A name of n tokens makes n(n-1)/2 pairs per year: a list of long names (twelve tokens, six years) would make
        gigabytes of them. So they are counted first (``pair_count``) and built only within :data:`PAIR_BUDGET`
        times the ordinary postings; otherwise ``pairs_indexed`` is False and every subset is read by filtering
        (same candidates, slower for common pairs). The vocabulary must also fit the key's 24-bit token ids.
        """
        count = len(self.tokens)
        self.pairs_indexed = count < _PAIR_VOCABULARY and pair_count <= PAIR_BUDGET * len(post_key)
        self.pair_key, self.pair_nid = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32)
        self.pair_filter = np.zeros(0, dtype=np.uint8)
        if not self.pairs_indexed:
            return
        extra_keys, extra_nids = self._long_pair_postings(long_years)
        keys_: list[np.ndarray] = []
        nids: list[np.ndarray] = []
        self.pair_filter = np.zeros(1 << (_PAIR_FILTER_BITS - 3), dtype=np.uint8)
        # in eight slices of whole tokens (a slice's keys all sort after the previous slice's), so that the sort
        # and its temporaries are an eighth of the size: a build's memory is its peak
        step = max(1, len(post_key) // 8)
        cuts = sorted({0, count, *np.searchsorted(self.post_ptr, np.arange(step, len(post_key), step)).tolist()})
        for first_token, end_token in itertools.pairwise(cuts):
            start, stop = int(self.post_ptr[first_token]), int(self.post_ptr[end_token])
            low = (post_key[start:stop] >> post_key.dtype.type(16)).astype(np.int32)
            year = post_key[start:stop] & post_key.dtype.type(0xFFFF)
            short = ~self._long_mask[self.post_nid[start:stop]]
            slice_keys, slice_nids = [], []
            for col in range(self.post_rows.shape[1]):
                high = self.post_rows[start:stop, col].astype(np.int32)
                ok = (high > low) & (high < count) & short
                ok[ok] = self.tok_len[high[ok]] >= 2
                slice_keys.append(_pair_key(low[ok], high[ok], year[ok]))
                slice_nids.append(self.post_nid[start:stop][ok])
            extra_start, extra_stop = np.searchsorted(extra_keys, _pair_key(np.asarray([first_token, end_token]), 0, 0))
            slice_keys.append(extra_keys[extra_start:extra_stop])
            slice_nids.append(extra_nids[extra_start:extra_stop])
            joined = np.concatenate(slice_keys)
            order = np.argsort(joined, kind="stable")
            keys_.append(joined[order])
            nids.append(np.concatenate(slice_nids)[order])
            bucket = _pair_bucket(*_pair_tokens(joined))
            np.bitwise_or.at(self.pair_filter, bucket >> 3, (1 << (bucket & 7)).astype(np.uint8))
        self.pair_key = np.concatenate(keys_)
        self.pair_nid = np.concatenate(nids)

    def _long_pair_postings(self, long_years: dict[int, tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray]:
        """The pair postings of the names longer than a row, sorted by key: (keys, name ids).

        In numpy, names grouped by their length and then by their count of distinct indexed tokens (a handful of
        groups), so a list of long names costs array operations, not a Python tuple per pair.
        """
        if not self._long:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32)
        long_nids = np.fromiter(self._long, dtype=np.int64, count=len(self._long))
        rows = list(self._long.values())
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        absent = np.int64(_PAIR_VOCABULARY)  # sorts after every token id
        keys_: list[np.ndarray] = []
        nids: list[np.ndarray] = []
        for length in np.unique(lengths).tolist():
            members = np.flatnonzero(lengths == length)
            matrix = np.stack([rows[i] for i in members.tolist()]).astype(np.int64)
            matrix = np.sort(np.where(self.tok_len[matrix] >= 2, matrix, absent), axis=1)  # initials are not indexed
            repeated = np.zeros(matrix.shape, dtype=bool)
            repeated[:, 1:] = matrix[:, 1:] == matrix[:, :-1]
            matrix = np.sort(np.where(repeated, absent, matrix), axis=1)  # each name's distinct tokens, ascending
            distinct = (matrix < absent).sum(axis=1)
            for width in np.unique(distinct[distinct >= 2]).tolist():
                group = distinct == width
                tokens = matrix[group, :width]
                lower, higher = np.triu_indices(width, 1)
                base = _pair_key(tokens[:, lower], tokens[:, higher], 0)  # (names, pairs)
                group_nids = long_nids[members[group]]
                years = [long_years[nid] for nid in group_nids.tolist()]
                year_counts = np.fromiter(map(len, years), dtype=np.int64, count=len(years))
                flat_years = np.fromiter(chain.from_iterable(years), dtype=np.uint64, count=int(year_counts.sum()))
                keys_.append((np.repeat(base, year_counts, axis=0) | flat_years[:, None]).ravel())
                nids.append(np.repeat(group_nids, year_counts * len(lower)))
        if not keys_:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint32)
        all_keys, all_nids = np.concatenate(keys_), np.concatenate(nids)
        order = np.lexsort((all_nids, all_keys))
        return all_keys[order], all_nids[order].astype(np.uint32)

    def _name_rows(self, ptr: np.ndarray, flat: np.ndarray) -> None:
        """Token ids of every name as one padded matrix (-1 pads) of at most :data:`ROW_WIDTH` columns.

        Why a matrix: filtering and scoring gather whole rows for thousands of names at once. The rare longer
        names keep their full rows in a dict (``_long``) and are patched in by :meth:`_rows`.
        """
        lengths = np.diff(ptr)
        width = max(1, min(ROW_WIDTH, int(lengths.max()) if len(lengths) else 1))
        offsets = np.arange(width)
        valid = offsets < lengths[:, None]
        rows = flat[np.where(valid, ptr[:-1, None] + offsets, 0)] if len(flat) else np.zeros(valid.shape, dtype=np.int32)
        rows[~valid] = -1
        self.name_rows = rows.astype(np.int32)
        self._long = {nid: flat[ptr[nid]:ptr[nid + 1]].copy() for nid in np.flatnonzero(lengths > width).tolist()}
        self._long_mask = np.zeros(len(lengths), dtype=bool)
        self._long_mask[list(self._long)] = True

    # --- facts -------------------------------------------------------------------------------------------
    @property
    def names(self) -> int:
        return len(self.name_entry)

    def postings(self) -> int:
        return len(self.post_nid)

    def index_bytes(self) -> int:
        """Size of the index: its arrays (entries' compact store included) exactly, the vocabulary dicts roughly."""
        total = sum(a.nbytes for a in self._arrays().values())
        total += sum(sys.getsizeof(x) for x in (self.vocab, self.weights, self.skel_ids))
        return total + sum(sys.getsizeof(t) for t in self.tokens)

    def entry(self, e_idx: int) -> Entry:
        """One listed entry, decoded from the compact store."""
        return self._decoder.decode(memoryview(self._entry_blob)[self._entry_at[e_idx]:self._entry_at[e_idx + 1]])

    @property
    def entry_count(self) -> int:
        return len(self._entry_at) - 1

    # --- shipping: a build subprocess writes the index to one file, the serving process maps it -----------
    _META = ("name", "threshold", "beta", "year_blocking", "_name_floor", "build_seconds", "tokens", "_long",
             "pairs_indexed")

    def _arrays(self) -> dict[str, np.ndarray]:
        names = ("post_nid", "post_ptr", "post_rows", "year_at", "year_lo", "year_cum", "pair_key", "pair_nid",
                 "pair_filter", "name_rows", "_long_mask", "name_entry", "name_slot", "name_weak", "entry_first", "entry_years",
                 "tok_weight", "tok_len", "tok_first", "tok_skel", "tok_letters", "_key_str", "_key_ptr", "_key_tids",
                 "_doc_str", "_doc_ptr", "_doc_entries", "_entry_blob", "_entry_at")
        return {n: getattr(self, n) for n in names}

    def save(self, path: str) -> None:
        """Write the index as one file: a pickled header (small facts, the vocabulary) and the raw arrays.

        Why: the serving process maps the arrays (:meth:`open`) instead of unpickling millions of objects,
        so taking over an index built elsewhere costs milliseconds of GIL, not seconds.
        """
        arrays = self._arrays()
        layout: list[tuple[str, str, tuple[int, ...], int]] = []
        offset = 0
        for name, a in arrays.items():
            layout.append((name, a.dtype.str, a.shape, offset))
            offset += (a.nbytes + 63) // 64 * 64
        meta = {n: getattr(self, n) for n in self._META}
        meta["skeletons"] = list(self.skel_ids)
        header = pickle.dumps((meta, layout), protocol=pickle.HIGHEST_PROTOCOL)
        start = (16 + len(header) + 63) // 64 * 64
        with open(path, "wb") as f:
            f.write(struct.pack("<QQ", len(header), start))
            f.write(header)
            for (_name, _dtype, _shape, at), a in zip(layout, arrays.values(), strict=True):
                f.seek(start + at)
                f.write(np.ascontiguousarray(a).tobytes())
            f.truncate(start + offset)

    @classmethod
    def open(cls, path: str) -> ListIndex:
        """Map an index written by :meth:`save` (the file may be deleted afterwards; the mapping stays)."""
        with open(path, "rb") as f:
            size, start = struct.unpack("<QQ", f.read(16))
            meta, layout = pickle.loads(f.read(size))
        raw = np.memmap(path, dtype=np.uint8, mode="r", offset=start) if os.path.getsize(path) > start else np.zeros(0, np.uint8)
        self = cls.__new__(cls)
        for name, value in meta.items():
            if name != "skeletons":
                setattr(self, name, value)
        for name, dtype, shape, at in layout:
            count = int(np.prod(shape)) if shape else 1
            nbytes = count * np.dtype(dtype).itemsize
            setattr(self, name, np.asarray(raw[at:at + nbytes]).view(dtype).reshape(shape))
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        self.weights = dict(zip(self.tokens, self.tok_weight[:-1].tolist(), strict=True))
        self.skel_ids = {k: i for i, k in enumerate(meta["skeletons"])}
        self.name_text = NameTexts(self)
        self._caches()
        return self

    def listed(self, nid: int) -> list[str]:
        """The tokens of one indexed name form, in written order."""
        tokens = self.tokens
        row = self._long.get(nid)
        if row is None:
            row = self.name_rows[nid]
        return [tokens[t] for t in row.tolist() if t >= 0]

    def weight(self, token: str) -> float:
        w = self.weights.get(token)
        return w if w is not None else token_weight(token, token in COMMON_TOKENS)

    def similar(self, token: str) -> tuple[int, ...]:
        """Vocabulary ids of the listed tokens this token can pair with (shared key and real similarity)."""
        cached = self._similar.get(token)
        if cached is not None:
            return cached
        found: set[int] = set(_lookup(self._key_str, self._key_ptr, self._key_tids, keys(token)).tolist())
        exact = self.vocab.get(token)
        if exact is not None:
            found.add(exact)
        tokens = self.tokens
        result = tuple(sorted(tid for tid in found if token_sim(token, tokens[tid])))
        if len(self._similar) >= _SIMILAR_CACHE_MAX:
            self._similar = {}
            self._similar_arrays = {}
        self._similar[token] = result
        return result

    def _similar_array(self, token: str) -> np.ndarray:
        """:meth:`similar` as an array, cached with it (the same few hundred traveller tokens recur)."""
        cached = self._similar_arrays.get(token)
        if cached is None:
            cached = self._similar_arrays[token] = np.asarray(self.similar(token), dtype=np.int64)
        return cached

    # --- search ------------------------------------------------------------------------------------------
    def _rows(self, nids: np.ndarray) -> np.ndarray:
        """The token ids of each name as a padded matrix (padding -1), one row per name, long names whole."""
        rows = self.name_rows[nids]
        if self._long:
            longs = np.flatnonzero(self._long_mask[nids])
            if len(longs):
                width = max(len(self._long[int(nids[i])]) for i in longs)
                wide = np.full((len(nids), width), -1, dtype=np.int32)
                wide[:, :rows.shape[1]] = rows
                for i in longs.tolist():
                    row = self._long[int(nids[i])]
                    wide[i, :len(row)] = row
                rows = wide
        return rows

    def search(self, probe: Probe, limit: int = MAX_HITS_PER_LIST) -> list[Hit]:
        """The hits of one traveller in this list, best first (at most ``limit``): a manifest of one."""
        return self.search_many((probe,), limit)[0]

    def search_many(self, probes: Sequence[Probe], limit: int = MAX_HITS_PER_LIST) -> list[list[Hit]]:
        """The hits of every traveller of a manifest, best first (at most ``limit`` each), in ``probes`` order.

        Why a manifest at a time: per traveller the work is a few hundred small numpy calls, and their overhead
        was most of the time. Here every step runs once for the whole manifest (in bounded batches, see
        :meth:`_scored`): one pass finds the posting runs of every traveller token, one pass filters every read
        posting (:meth:`_read`), one vectorised scorer scores every candidate (:meth:`_name_scores`). A
        traveller's hits do not depend on who else is in the manifest (the tests compare with one traveller at a
        time, and both with a brute-force scalar reference).
        """
        best, reachable = self._best_names(probes, self._queries(probes))
        out: list[list[Hit]] = []
        for i, (probe, named, documents) in enumerate(zip(probes, best, self._documents(probes), strict=True)):
            hits = [hit for e_idx in reachable.get(i, set()) | documents
                    if (hit := self._hit(probe, e_idx, named.get(e_idx), e_idx in documents)) is not None]
            hits.sort(key=lambda h: (-h.score, h.entry_id))
            out.append(hits[:limit])
        return out

    def _best_names(self, probes: Sequence[Probe],
                    queries: _Queries) -> tuple[list[dict[int, _BestName]], dict[int, set[int]]]:
        """Per traveller: its best name of every entry whose name score reaches the name floor, and (by traveller
        position, only for travellers that have some) the entries among them that its date of birth and nationality
        could still lift to the threshold.

        The best name: highest score, a strong name before a weak one of the same score, then the first found (forms
        in order, names ascending). Only a date of birth inside the years an entry is posted under (any, when a
        listed range is too wide to post) can add to the name; the other entries cannot reach the threshold unless
        a document matches (checked by the caller), and are not decoded and explained.
        """
        best: list[dict[int, _BestName]] = [{} for _ in probes]
        reachable: dict[int, set[int]] = {}
        query_ids, nids, scores = self._scored(queries)
        if not len(nids):
            return best, reachable
        owner = np.asarray(queries.owners, dtype=np.int64)[query_ids]
        entries = self.name_entry[nids]
        order = np.lexsort((nids, query_ids, self.name_weak[nids], -scores, entries, owner))
        owner, entries = owner[order], entries[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (owner[1:] != owner[:-1]) | (entries[1:] != entries[:-1])
        owner, entries = owner[first], entries[first]
        query_ids, nids, scores = query_ids[order][first], nids[order][first], scores[order][first]
        year = np.asarray([p.dob[0] if p.dob else -1 for p in probes], dtype=np.int64)[owner]
        date_adds = (self.entry_years[entries, 0] <= year) & (year <= self.entry_years[entries, 1])
        most = scores + np.where(date_adds, DOB_BONUS_MAX, 0.0) + NATIONALITY_BONUS_MAX
        reach = most >= self.threshold - _ROUND_SLACK
        for p, e_idx, q, nid, score, can in zip(owner.tolist(), entries.tolist(), query_ids.tolist(), nids.tolist(),
                                                scores.tolist(), reach.tolist(), strict=True):
            best[p][e_idx] = _BestName(score, nid, queries.forms[q])
            if can:
                reachable.setdefault(p, set()).add(e_idx)
        return best, reachable

    def _queries(self, probes: Sequence[Probe]) -> _Queries:
        """Every name form of the manifest (a query): the forms, their travellers, token weights and birth years.

        The birth year bounds the postings read; -1 reads them whole (no date, or a list where a date cannot block).
        """
        queries = _Queries([], [], [], [])
        for i, probe in enumerate(probes):
            year = probe.dob[0] if probe.dob is not None and self.year_blocking else -1
            for form in probe.forms:
                if form:
                    queries.forms.append(form)
                    queries.owners.append(i)
                    queries.weights.append([self.weight(t) for t in form])
                    queries.years.append(year)
        return queries

    def _documents(self, probes: Sequence[Probe]) -> list[set[int]]:
        """Per traveller, the entries listing one of its document numbers (one look-up for the whole manifest)."""
        wanted = [(i, number) for i, probe in enumerate(probes) for number, _state in probe.documents]
        found: list[set[int]] = [set() for _ in probes]
        for (i, _number), at in zip(wanted, _find(self._doc_str, [n for _i, n in wanted]).tolist(), strict=True):
            if at >= 0:
                found[i].update(self._doc_entries[self._doc_ptr[at]:self._doc_ptr[at + 1]].tolist())
        return found

    def _scored(self, queries: _Queries) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query, name id, name score) of every candidate whose name score reaches the name floor.

        Why in batches and pieces: without a date of birth a common name reads whole postings, and 500 such
        travellers find millions of candidates at 1M entries (gigabytes, read and scored at once). The reads go
        in batches of whole queries costing at most :data:`READ_BUDGET` postings (:meth:`_batches`), what a batch
        finds comes in pieces of at most :data:`SCORE_CHUNK` names (:meth:`_read`), and only the few that reach the
        floor are kept: the memory is bounded by the budgets, whatever the manifest. A candidate's score depends
        on nothing else in its batch or piece, so the results are those of one pass; an ordinary manifest is a
        batch or two.
        """
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for batch in self._batches(self._read_plan(queries)):
            for query_ids, nids in self._read(batch):
                for start in range(0, len(nids), SCORE_CHUNK):  # a query finding more than a piece alone
                    chunk = slice(start, start + SCORE_CHUNK)
                    scores = self._name_scores(queries.forms, queries.weights, query_ids[chunk], nids[chunk],
                                               self._name_floor)
                    keep = scores >= self._name_floor
                    kept.append((query_ids[chunk][keep], nids[chunk][keep], scores[keep]))
        if not kept:
            return _EMPTY_IDS, _EMPTY_IDS, np.zeros(0)
        return np.concatenate([k[0] for k in kept]), np.concatenate([k[1] for k in kept]), np.concatenate([k[2] for k in kept])

    def _candidates(self, queries: _Queries) -> tuple[np.ndarray, np.ndarray]:
        """(query, name id) of every name that can reach the threshold for each form, sorted and unique (all batches)."""
        found = [piece for batch in self._batches(self._read_plan(queries)) for piece in self._read(batch)]
        if not found:
            return _EMPTY_IDS, _EMPTY_IDS
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])

    def _runs(self, tids: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per token id and birth year: the posting runs to read, (start, end) of the unknown-year run and of the window.

        Two look-ups in the year directory (:meth:`_year_directory`) each, no binary search. Year -1 (none): the
        whole posting is the first run and the window run is empty.
        """
        start, end = self.post_ptr[tids], self.post_ptr[tids + 1]
        at = self.year_at[tids]
        span = self.year_at[tids + 1] - at - 1
        low = self.year_lo[tids]
        w_start = self.year_cum[at + np.clip(years - DOB_WINDOW - low, 0, span)]
        w_end = self.year_cum[at + np.clip(years + DOB_WINDOW + 1 - low, 0, span)]
        none = years < 0
        return start, np.where(none, end, self.year_cum[at]), w_start, np.where(none, w_start, w_end)

    def _plan(self, weights: tuple[float, ...], need: float, totals: list[int]) -> dict[int, list[tuple[int, ...]]]:
        """The reads of one traveller form: first token → the other tokens each combination must also match.

        ``weights``: of the form's tokens with similar listed tokens, heaviest first; ``totals``: how many postings
        each reads in the window. The candidates are the union, over the minimal token subsets that carry
        ``need``, of the names matching every token of the subset (see the module docstring); a subset reads the
        postings of its smallest token only. The plan depends on the totals only through their order and whether
        each is empty or large, so it is remembered by that shape (a manifest has a few dozen shapes).
        """
        distinct = sorted(set(totals))
        shape = (weights, need, tuple(distinct.index(t) for t in totals),
                 tuple(0 if not t else 1 if t <= LARGE_POSTING else 2 for t in totals))
        reads = self._plans.get(shape)
        if reads is not None:
            return reads
        subsets: list[tuple[int, ...]] = []
        for r in range(1, len(weights) + 1):
            for combo in itertools.combinations(range(len(weights)), r):
                if sum(weights[i] for i in combo) >= need and totals[combo[0]] and \
                        not any(set(s) <= set(combo) for s in subsets):
                    subsets.append(combo)
        expanded: list[tuple[int, ...]] = []
        for combo in subsets:
            if len(combo) == 1 and totals[combo[0]] > LARGE_POSTING and len(weights) > 1:
                expanded.extend((combo[0], j) for j in range(len(weights)) if j != combo[0])
            else:
                expanded.append(combo)
        reads = {}
        for combo in dict.fromkeys(tuple(sorted(c, key=totals.__getitem__)) for c in expanded):
            if all(totals[i] for i in combo):
                reads.setdefault(combo[0], []).append(combo[1:])
        if len(self._plans) >= _PLAN_CACHE_MAX:
            self._plans = {}
        self._plans[shape] = reads
        return reads

    def _read_plan(self, queries: _Queries) -> _Reads | None:
        """How to read the candidates of every query (None: nothing to read).

        A read is one form's first token of a token subset: the postings of every listed token similar to it, in
        the form's window (:meth:`_plan`). A name found through one token has the same birth years under every
        token, so keeping the read names whose token row holds a token similar to each other member of the
        subset is the intersection, without reading the large postings of the others (:meth:`_filtered_reads`).
        When a two-token subset pairs few listed tokens but reads many postings (a common surname with a
        common given name), the pair postings give the same names directly (:meth:`_pair_ranges`). A listed
        token may satisfy two traveller tokens here (a superset of the strict pairing); the scorer decides.
        """
        segment_tokens: list[str] = []  # one per (form, found token): the token whose similar listed tokens are read
        segment_years: list[int] = []
        plans: list[tuple[int, list[tuple[float, str]], float, int]] = []  # (form, found, need, first segment)
        for q, (form, form_weights) in enumerate(zip(queries.forms, queries.weights, strict=True)):
            need = self.beta * sum(form_weights) - 1e-9
            found = [(w, t) for t, w in zip(form, form_weights, strict=True) if len(t) >= 2 and self.similar(t)]
            found.sort(key=lambda f: -f[0])
            found = found[:MAX_QUERY_TOKENS]
            if not found or sum(f[0] for f in found) < need:
                continue
            plans.append((q, found, need, len(segment_tokens)))
            segment_tokens.extend(t for _w, t in found)
            segment_years.extend(queries.years[q] for _ in found)
        if not plans:
            return None
        arrays = [self._similar_array(t) for t in segment_tokens]
        sizes = [len(a) for a in arrays]
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        tids = np.concatenate(arrays)
        years = np.asarray(segment_years, dtype=np.int64)
        runs = self._runs(tids, np.repeat(years, sizes))
        totals = np.add.reduceat((runs[1] - runs[0]) + (runs[3] - runs[2]), offsets[:-1]).tolist()
        reads = _Reads(_Segments(tids, offsets, runs, years), [], [], [], [0] * len(queries.forms))
        for q, found, need, first_segment in plans:
            cost = 0
            for first, others in self._plan(tuple(w for w, _t in found), need,
                                            totals[first_segment:first_segment + len(found)]).items():
                segment = first_segment + first
                if () in others:
                    reads.plain.append((q, segment))
                    cost += totals[segment]
                elif self.pairs_indexed and all(len(o) == 1 for o in others) and \
                        (pair_cost := PAIR_COST * sizes[segment] * sum(sizes[first_segment + o[0]] for o in others)) < \
                        totals[segment]:
                    reads.paired.extend((q, segment, first_segment + o[0]) for o in others)
                    cost += pair_cost
                else:
                    reads.filtered.append((q, segment, [tuple(found[o][1] for o in combo) for combo in others]))
                    cost += totals[segment]
            reads.costs[q] = cost
        return reads

    def _batches(self, reads: _Reads | None) -> Iterator[_Reads]:
        """The reads in batches of whole queries costing at most :data:`READ_BUDGET` each (a dearer query alone).

        A query's reads stay in one batch, so a (query, name) is found in one batch only.
        """
        if reads is None:
            return
        cuts = [0]
        spent = 0
        for q, cost in enumerate(reads.costs):
            if spent and spent + cost > READ_BUDGET:
                cuts.append(q)
                spent = 0
            spent += cost
        if len(cuts) == 1:
            yield reads
            return
        cuts.append(len(reads.costs))
        for low, high in itertools.pairwise(cuts):
            yield reads._replace(filtered=_queries_between(reads.filtered, low, high),
                                 plain=_queries_between(reads.plain, low, high),
                                 paired=_queries_between(reads.paired, low, high))

    def _read(self, reads: _Reads) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(query, name id) of every name the reads find, sorted and unique, in pieces of whole queries.

        A piece holds at most :data:`SCORE_CHUNK` names (a query finding more alone is a piece of its own). Why
        pieces: the reads of a batch are bounded, but what they find is not (two common tokens without a date of
        birth: a few hundred pair look-ups find tens of thousands of names), so the pair postings' runs are
        counted first and drawn a piece at a time.
        """
        names = np.int64(len(self.name_entry))
        queries = len(reads.costs)
        filtered = _unique(self._filtered_reads(reads, names)) if reads.filtered or reads.plain else _EMPTY_IDS
        ranges = self._pair_ranges(reads) if reads.paired else []
        per_query = np.bincount(filtered // names, minlength=queries)
        for r in ranges:
            per_query += np.bincount(r.query, weights=r.ends - r.starts, minlength=queries).astype(np.int64)
        for low, high in _pieces(per_query, SCORE_CHUNK):
            found = [filtered[np.searchsorted(filtered, low * names):np.searchsorted(filtered, high * names)]]
            for r in ranges:
                first, end = np.searchsorted(r.query, (low, high))
                at = _materialise(r.starts[first:end], r.ends[first:end])
                found.append(np.repeat(r.query[first:end], r.ends[first:end] - r.starts[first:end]) * names +
                             r.source.take(at))
            # a name posted under several years in the window, or found by two reads of its form, repeats
            unique = _unique(np.concatenate(found))
            if len(unique):
                yield unique // names, unique % names

    def _filtered_reads(self, reads: _Reads, names: np.int64) -> np.ndarray:
        """The names of the read postings (as ``query * names + name id``) that pass their read's filter.

        Every read posting is checked at once: each other token gets one bit of a vocabulary-wide table (64 at a
        time, :func:`_filter_bits`), a posting's token row is looked up in it, and a subset passes when all its
        bits are set. Plain reads (after the filtered ones) pass whole.
        """
        chunks, masks = _filter_bits(reads.filtered)
        read_list = [(q, s) for q, s, _others in reads.filtered] + reads.plain
        positions, read_bounds = self._read_positions([s for _q, s in read_list], reads.segments)
        passed = np.ones(len(positions), dtype=bool)
        chunk_ends = [r for r, _bits in chunks[1:]] + [len(reads.filtered)] * bool(chunks)
        table = np.zeros(max(len(self.tokens) + 2, 1 << 16), dtype=np.uint64)  # the last two slots: wildcard, padding
        wildcard = np.asarray(_WILDCARD).astype(self.post_rows.dtype)
        for (first_read, chunk_bits), end_read in zip(chunks, chunk_ends, strict=True):
            start, stop = int(read_bounds[first_read]), int(read_bounds[end_read])
            if start == stop:
                continue
            table[:] = 0
            for token, bit in chunk_bits.items():
                table[self._similar_array(token)] |= np.uint64(1 << bit)
            rows = self.post_rows.take(positions[start:stop], axis=0)
            row_bits = table.take(rows[:, 0])
            for col in range(1, rows.shape[1]):
                row_bits |= table.take(rows[:, col])
            if self._long:  # a row cut short (wildcard) is looked up whole
                for i in np.flatnonzero(rows[:, -1] == wildcard).tolist():
                    row_bits[i] = np.bitwise_or.reduce(table[self._long[int(self.post_nid[positions[start + i]])]])
            lengths = np.diff(read_bounds[first_read:end_read + 1])
            chunk_masks = masks[first_read:end_read]
            ok = np.zeros(stop - start, dtype=bool)
            for k in range(max(map(len, chunk_masks))):
                need = np.repeat(np.asarray([m[k] if k < len(m) else m[0] for m in chunk_masks], dtype=np.uint64), lengths)
                ok |= (row_bits & need) == need
            passed[start:stop] = ok
        position_read = np.repeat(np.arange(len(read_list)), np.diff(read_bounds))
        read_query = np.asarray([q for q, _s in read_list], dtype=np.int64)
        return read_query[position_read[passed]] * names + self.post_nid.take(positions[passed])

    def _read_positions(self, read_segments: list[int], segments: _Segments) -> tuple[np.ndarray, np.ndarray]:
        """The posting positions every read covers, read after read, and where each read's positions start."""
        at = np.asarray(read_segments, dtype=np.int64)
        elements = _materialise(segments.offsets[at], segments.offsets[at + 1])
        element_read = np.repeat(np.arange(len(at)), segments.offsets[at + 1] - segments.offsets[at])
        # each element (a similar listed token) has two runs, kept together so a read's postings are contiguous
        runs = segments.runs
        starts = np.stack((runs[0][elements], runs[2][elements]), axis=1).ravel()
        ends = np.stack((runs[1][elements], runs[3][elements]), axis=1).ravel()
        run_read = np.repeat(element_read, 2)
        nonempty = ends > starts
        starts, ends, run_read = starts[nonempty], ends[nonempty], run_read[nonempty]
        read_bounds = np.zeros(len(at) + 1, dtype=np.int64)
        np.cumsum(np.bincount(run_read, weights=ends - starts, minlength=len(at)).astype(np.int64), out=read_bounds[1:])
        return _materialise(starts, ends), read_bounds

    def _pair_ranges(self, reads: _Reads) -> list[_Ranges]:
        """Where the names holding a listed token similar to each of two traveller tokens are: runs of the pair
        postings, and runs of the ordinary postings (a listed token similar to both qualifies alone, as in
        :meth:`_filtered_reads`), both in query order.

        Each (listed token, listed token) pair of the two similar sets is looked up in the pair postings, in the
        form's window. Why: the two tokens may each have thousands of postings in the window while a few dozen of
        their pairs point at the handful of names that hold both.
        """
        offsets, tids = reads.segments.offsets, reads.segments.tids
        first = np.asarray([s for _q, s, _o in reads.paired], dtype=np.int64)
        other = np.asarray([o for _q, _s, o in reads.paired], dtype=np.int64)
        n_first, n_other = offsets[first + 1] - offsets[first], offsets[other + 1] - offsets[other]
        counts = n_first * n_other
        local = _materialise(np.zeros(len(first), dtype=np.int64), counts)
        width = np.repeat(n_other, counts)
        a = tids[np.repeat(offsets[first], counts) + local // width]
        b = tids[np.repeat(offsets[other], counts) + local % width]
        query = np.repeat(np.asarray([q for q, _s, _o in reads.paired], dtype=np.int64), counts)
        year = np.repeat(reads.segments.years[first], counts)
        shared = a == b
        low, high = np.minimum(a, b), np.maximum(a, b)
        # most pairs of two similar sets are held by no name: the membership filter drops them before any search
        held = ~shared & (self.pair_filter[(bucket := _pair_bucket(low, high)) >> 3] >> (bucket & 7) & 1).astype(bool)
        base = _pair_key(low[held], high[held], 0)
        pair_year = year[held]
        dated = pair_year >= 0
        since = np.maximum(pair_year - DOB_WINDOW, 1).astype(np.uint64)
        until = (pair_year + DOB_WINDOW + 1).astype(np.uint64)
        # per pair: the unknown-year run and the window (dated), or the whole pair (no year)
        bounds = np.stack((base, np.where(dated, base | np.uint64(1), base + np.uint64(1 << _YEAR_BITS)),
                           np.where(dated, base | since, base), np.where(dated, base | until, base)), axis=1)
        found = np.searchsorted(self.pair_key, bounds.ravel()).reshape(-1, 2)
        ranges = [_Ranges(np.repeat(query[held], 2), found[:, 0], found[:, 1], self.pair_nid)]
        if shared.any():
            runs = self._runs(a[shared], year[shared])
            ranges.append(_Ranges(np.repeat(query[shared], 2), np.stack((runs[0], runs[2]), axis=1).ravel(),
                                  np.stack((runs[1], runs[3]), axis=1).ravel(), self.post_nid))
        return ranges

    # --- scoring -----------------------------------------------------------------------------------------
    def _name_scores(self, forms: list[tuple[str, ...]], weights: list[list[float]], queries: np.ndarray,
                     nids: np.ndarray, floor: float) -> np.ndarray:
        """:func:`~gateway.screening.match.name_score` of each (form, name) pair that can reach ``floor``, exactly.

        The others get 0. Token similarities come once per distinct (form, listed token) (:meth:`_links`). An
        upper bound first (:func:`_score_bound`) drops the names that cannot reach the floor: nine in ten at 1M,
        before the pairing (:func:`_pairing_scores`), which is the dear part. The similarities are the scalar
        ones and the pairing adds the same terms in the same order, so the scores are the scalar scorer's bit
        for bit (a test holds this).
        """
        rows = self._rows(nids)
        width = max(map(len, forms))
        links = self._links(forms, queries, rows, width)
        form_weights = np.zeros((len(forms), width), dtype=np.float64)
        for q, token_weights in enumerate(weights):
            form_weights[q, :len(token_weights)] = token_weights
        listed_weights = self.tok_weight[rows]
        totals = np.asarray([sum(w) for w in weights], dtype=np.float64)[queries]  # sum(): the scalar order of addition
        bound = _score_bound(links, form_weights, listed_weights, totals)
        live = np.flatnonzero(bound >= floor - _BOUND_SLACK)
        scores = np.zeros(len(nids))
        if len(live):
            inverse = links.inverse[live]
            self._exact_sims(forms, links, np.unique(inverse))
            scores[live] = _pairing_scores(links.sims[inverse], form_weights[queries[live]], listed_weights[live],
                                           totals[live])
        return scores

    def _links(self, forms: list[tuple[str, ...]], queries: np.ndarray, rows: np.ndarray, width: int) -> _TokenSims:
        """The distinct (query, listed token) links of a candidate set and their similarities (:meth:`_token_sims`)."""
        vocabulary = np.int64(len(self.tokens) + 1)
        real = rows >= 0
        unique, inverse_real = np.unique((queries[:, None] * vocabulary + rows)[real], return_inverse=True)
        inverse = np.zeros(rows.shape, dtype=np.int64)  # link 0: the padding of short rows, similarity 0
        inverse[real] = inverse_real.ravel() + 1
        link_query = np.concatenate(([0], unique // vocabulary))
        link_tid = np.concatenate(([-1], unique % vocabulary))
        sims = np.zeros((len(unique) + 1, width), dtype=np.float64)
        sims[1:] = self._token_sims(forms, link_query[1:], link_tid[1:], width)
        return _TokenSims(inverse, link_query, link_tid, sims)

    def _token_sims(self, forms: list[tuple[str, ...]], link_query: np.ndarray, link_tid: np.ndarray,
                    width: int) -> np.ndarray:
        """:func:`~gateway.screening.match.token_sim` of each form token against each (form, listed token) link.

        Returns a (links, width) matrix, column i for the form's i-th token (0 past its end). Most links share too
        few letters to reach the cut-off: a bound from the letters they share (:func:`_letters`) sets them to 0
        without computing anything. The rest get Jaro-Winkler from one rapidfuzz ``cpdist`` call, then the rules
        of ``token_sim`` vectorised (length penalty, skeleton lift, initials, cut-off). ``cpdist`` may differ from
        the scalar Jaro-Winkler in the last bit: values a hair under the cut-off are redone here, the non-zero ones
        by :meth:`_exact_sims` where a score must be exact.
        """
        tokens = self.tokens
        # per form token (padding: length 0, a skeleton no listed token has): length, first letter, skeleton, letters
        facts: dict[str, tuple[int, int, int, int, int]] = {}
        table = np.zeros((len(forms), width, 5), dtype=np.int64)
        table[:, :, 2] = -2
        for q in _unique(link_query).tolist():
            for i, t in enumerate(forms[q]):
                found = facts.get(t)
                if found is None:
                    skel = skeleton(t)
                    found = facts[t] = (len(t), ord(t[0]), self.skel_ids.get(skel, -2), len(skel), _letters(t))
                table[q, i] = found
        la, first, skel, skel_len, mine = table[link_query].transpose(2, 0, 1)
        lb = self.tok_len[link_tid][:, None]
        same_first = first == self.tok_first[link_tid][:, None]
        same_skel = skel == self.tok_skel[link_tid][:, None]
        shorter, longer = np.minimum(la, lb), np.maximum(la, lb)
        penal = (shorter >= 4) & (shorter < LENGTH_RATIO * longer)
        # Jaro counts matching letters: at most the letters the two share, so Jaro-Winkler is at most this
        theirs = self.tok_letters[link_tid][:, None]
        shared = np.bitwise_count(mine & theirs) + np.minimum(la - np.bitwise_count(mine), lb - np.bitwise_count(theirs))
        with np.errstate(divide="ignore", invalid="ignore"):
            jaro = (shared / la + shared / lb + 1) / 3
        bound = np.where(penal, 1 - (1 - shorter / np.maximum(longer, 1)) / 2, 1.0) * \
            (jaro + np.where(same_first, 4 * 0.1, 0.0) * (1 - jaro))
        sims = np.zeros((len(link_tid), width), dtype=np.float64)
        p, i = np.nonzero((la > 1) & (lb > 1) & ((bound >= TOKEN_CUTOFF - _BOUND_SLACK) | same_skel))
        listed = [tokens[t] for t in link_tid[p].tolist()]
        sims[p, i] = process.cpdist([forms[q][c] for q, c in zip(link_query[p].tolist(), i.tolist(), strict=True)], listed,
                                    scorer=JaroWinkler.normalized_similarity, dtype=np.float64, workers=1)
        sims[penal] *= 1 - (1 - shorter[penal] / longer[penal]) / 2
        same = same_skel & (sims < PHONETIC_SIM)
        sims[same & (skel_len >= 3)] = PHONETIC_SIM
        lift = same & (skel_len == 2) & (la >= 4) & (lb >= 4)
        sims[lift] = np.maximum(sims[lift], PHONETIC_SHORT_SIM)
        initial = ((la == 1) | (lb == 1)) & (la > 0)
        sims[initial] = np.where(same_first[initial], np.where((la == lb)[initial], 1.0, INITIAL_SIM), 0.0)
        below = ~initial & (sims < TOKEN_CUTOFF)
        for p, i in zip(*np.nonzero(below & (sims >= TOKEN_CUTOFF - _SIM_SLACK)), strict=True):
            sims[p, i] = token_sim(forms[int(link_query[p])][i], tokens[int(link_tid[p])])
            below[p, i] = False
        sims[below] = 0.0
        return sims

    def _exact_sims(self, forms: list[tuple[str, ...]], links: _TokenSims, which: np.ndarray) -> None:
        """Replace the non-zero similarities of the given links by :func:`~gateway.screening.match.token_sim` itself."""
        tokens = self.tokens
        fuzzy = links.sims[which]
        fuzzy[fuzzy == 1.0] = 0.0  # equal tokens: exact already (Jaro-Winkler is 1 for equal strings only)
        rows, cols = np.nonzero(fuzzy)
        at = which[rows]
        links.sims[at, cols] = [token_sim(forms[q][i], tokens[t]) for q, i, t in
                                zip(links.query[at].tolist(), cols.tolist(), links.tid[at].tolist(), strict=True)]

    def _best_name(self, probe: Probe, e_idx: int) -> _BestName | None:
        """The best name of an entry found only by its document (its names were not candidates)."""
        best: _BestName | None = None
        for nid in range(int(self.entry_first[e_idx]), int(self.entry_first[e_idx + 1])):
            listed = self.listed(nid)
            for form in probe.forms:
                if form:
                    score, _ = name_score(form, [self.weight(t) for t in form], listed, [self.weight(t) for t in listed])
                    if best is None or score > best.score:
                        best = _BestName(score, nid, form)
        return best

    def _hit(self, probe: Probe, e_idx: int, named: _BestName | None,
             documented: bool = True) -> Hit | None:
        """The hit of one entry, or None under the threshold. ``documented=False``: none of the traveller's document
        numbers is listed for this entry (the index said so), so the documents need no comparing."""
        entry = self.entry(e_idx)
        doc_score, doc_reason = document_evidence(probe.documents, entry) if documented and probe.documents and \
            entry.documents else (0.0, None)
        if named is None:
            named = self._best_name(probe, e_idx)
        name_part, nid, form = named if named is not None else _BestName(0.0, -1, ())
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
            listed = self.listed(nid)
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


def _collect(entries: Sequence[Entry]) -> _Collected:
    """One pass over the entries: the vocabulary, every name form as a token row, the postings, the documents and
    the entries themselves as one msgpack buffer.

    A name form is posted once per distinct indexed token (two letters or more: initials are compared, never
    indexed) per birth year of its entry. Locals stand for the arrays in the loop: it runs once per name form of a
    million entries.
    """
    c = _Collected()
    vocab, tokens, df = c.vocab, c.tokens, c.df
    name_entry, name_slot, name_weak, name_ptr, name_tok = c.name_entry, c.name_slot, c.name_weak, c.name_ptr, c.name_tok
    post_tid, post_year, post_nid = c.post_tid, c.post_year, c.post_nid
    docs, blob, entry_at = c.docs, c.blob, c.entry_at
    pair_count = 0
    encoder = msgspec.msgpack.Encoder()
    for e_idx, entry in enumerate(entries):
        encoder.encode_into(entry, blob, -1)
        entry_at.append(len(blob))
        c.entry_first.append(len(name_entry))
        years = _entry_years(entry)
        c.entry_years.extend((years[0], years[-1]) if years[0] else (0, 0xFFFF if entry.dobs else 0))
        seen: set[str] = set()
        strong = len(entry.names)
        for slot, raw in enumerate(chain(entry.names, entry.weak_names)):
            for form in all_forms(raw):
                text = " ".join(form)
                if text in seen:
                    continue
                seen.add(text)
                nid = len(name_entry)
                if len(form) > ROW_WIDTH:
                    c.long_years[nid] = years
                name_entry.append(e_idx)
                name_slot.append(slot)
                name_weak.append(slot >= strong)
                for token in form:
                    tid = vocab.get(token)
                    if tid is None:
                        tid = vocab[token] = len(tokens)
                        tokens.append(token)
                        df.append(0)
                    name_tok.append(tid)
                name_ptr.append(len(name_tok))
                indexed = 0
                for token in set(form):
                    if len(token) < 2:
                        continue
                    tid = vocab[token]
                    df[tid] += 1
                    indexed += 1
                    for year in years:
                        post_tid.append(tid)
                        post_year.append(year)
                        post_nid.append(nid)
                pair_count += indexed * (indexed - 1) // 2 * len(years)
        for number, _state in entry.documents:
            docs.setdefault(number, []).append(e_idx)
    c.entry_first.append(len(name_entry))
    c.pair_count = pair_count
    return c


def _key_map(tokens: list[str]) -> dict[str, list[int]]:
    """Blocking key → the ids of the indexed tokens that have it (:func:`~gateway.screening.normalise.keys`)."""
    key_map: dict[str, list[int]] = {}
    for tid, token in enumerate(tokens):
        if len(token) < 2:
            continue
        for key in keys(token):
            bucket = key_map.get(key)
            if bucket is None:
                key_map[key] = [tid]
            else:
                bucket.append(tid)
    return key_map


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


def _letters(token: str) -> int:
    """A token's letters, for a cheap bound of the letters two tokens share (:meth:`ListIndex._token_sims`).

    Bit c when letter c occurs, bit 32 + c when it occurs twice or more. Two tokens share at most the bits they have
    in common plus the fewer of their remaining letters (a token's length less its bits). Letters outside A-Z share
    bits: that only raises the bound.
    """
    once = twice = 0
    for letter, count in Counter(token).items():
        bit = 1 << (ord(letter) - 65) % 26
        once |= bit
        if count > 1:
            twice |= bit
    return once | twice << 32


def _score_bound(links: _TokenSims, form_weights: np.ndarray, listed_weights: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """An upper bound of each name's score, as if every token on either side could take its best partner.

    ``form_weights``: per query, its token weights (padded); ``listed_weights``: per name, its token weights;
    ``totals``: per name, its query's total weight. Why a bound: it costs a few array passes per name, while the
    exact pairing (:func:`_pairing_scores`) is a loop of rounds, and nine names in ten fail the bound.
    """
    credit = credits(links.sims)
    inverse = links.inverse
    cover_query = (credit * form_weights[links.query]).max(axis=1)[inverse].sum(axis=1)
    cover_listed = (listed_weights * credit.max(axis=1)[inverse]).sum(axis=1)
    capped = CAP_FLOOR + (1 - CAP_FLOOR) * np.minimum(1.0, np.minimum(cover_query, cover_listed) / CAP_STRENGTH)
    share = TRAVELLER_SHARE * cover_query / totals + (1 - TRAVELLER_SHARE) * cover_listed / \
        (UNMATCHED_LISTED * listed_weights.sum(axis=1) + (1 - UNMATCHED_LISTED) * cover_listed)
    return np.minimum(capped, share)


def _pairing_scores(sims: np.ndarray, form_weights: np.ndarray, listed_weights: np.ndarray,
                    totals: np.ndarray) -> np.ndarray:
    """The scores of :func:`~gateway.screening.match.name_score` for many names at once, bit for bit.

    ``sims``: per name, (listed tokens, form width) similarities; ``form_weights``: per name, its form's token
    weights; ``listed_weights``, ``totals`` as in :func:`_score_bound`. The greedy one-to-one pairing takes, per
    round and per name, the best remaining (similarity, traveller position, listed position), the order of the
    scalar scorer's sort; every sum adds the same terms in the same order.
    """
    n, k, width = sims.shape
    cube = np.ascontiguousarray(sims.transpose(0, 2, 1))  # (names, form width, listed tokens)
    flat = cube.reshape(n, width * k)
    span = np.arange(n)
    covered_query = np.zeros(n)
    covered_listed = np.zeros(n)
    strength = np.zeros(n)
    used = np.zeros((n, k), dtype=bool)
    for _ in range(min(width, k)):
        pos = width * k - 1 - flat[:, ::-1].argmax(axis=1)  # the last maximum: highest traveller, then listed position
        best = flat[span, pos]
        paired = best > 0
        if not paired.any():
            break
        i, j = pos // k, pos % k
        pair_credit = credits(best)
        query_weight = form_weights[span, i]
        listed_weight = listed_weights[span, j]
        covered_query += pair_credit * query_weight
        covered_listed += pair_credit * listed_weight
        strength += pair_credit * np.minimum(query_weight, listed_weight)
        used[span, j] |= paired
        cube[span, i, :] = 0.0
        cube[span, :, j] = 0.0
    matched = np.zeros(n)
    unmatched = np.zeros(n)
    for j in range(k):  # column by column: the scalar scorer's order of addition
        matched += np.where(used[:, j], listed_weights[:, j], 0.0)
        unmatched += np.where(used[:, j], 0.0, listed_weights[:, j])
    listed_share = covered_listed / (matched + UNMATCHED_LISTED * unmatched)
    score = TRAVELLER_SHARE * covered_query / totals + (1 - TRAVELLER_SHARE) * listed_share
    cap = CAP_FLOOR + (1 - CAP_FLOOR) * np.minimum(1.0, strength / CAP_STRENGTH)
    return np.minimum(score, cap)


def _filter_bits(filtered: list[tuple[int, int, list[tuple[str, ...]]]]) -> tuple[list[tuple[int, dict[str, int]]],
                                                                                    list[list[int]]]:
    """Bits for the filtered reads' other tokens, 64 to a chunk of consecutive reads.

    Returns the chunks, (first read, other token → bit), and per read one bit mask per subset (the bits its
    other tokens must all set).
    """
    chunks: list[tuple[int, dict[str, int]]] = []
    masks: list[list[int]] = []
    bits: dict[str, int] = {}
    for _q, _s, others in filtered:
        wanted = sorted({t for combo in others for t in combo})
        if len(bits.keys() | wanted) > 64 or not chunks:
            bits = {}
            chunks.append((len(masks), bits))
        for token in wanted:
            bits.setdefault(token, len(bits))
        masks.append([sum(1 << bits[t] for t in set(combo)) for combo in others])
    return chunks, masks


def _pieces(per_query: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """Consecutive query ranges ``[low, high)`` finding at most ``budget`` names each (a dearer query alone)."""
    low, spent = 0, 0
    for q, found in enumerate(per_query.tolist()):
        if spent and spent + found > budget:
            yield low, q
            low, spent = q, 0
        spent += found
    if spent:
        yield low, len(per_query)


_Read = TypeVar("_Read", bound=tuple[Any, ...])


def _queries_between(reads: list[_Read], low: int, high: int) -> list[_Read]:
    """The reads (tuples starting with their query, in query order) of the queries from ``low`` to before ``high``."""
    return reads[bisect_left(reads, low, key=lambda r: r[0]):bisect_left(reads, high, key=lambda r: r[0])]


def _unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` for a flat array: sorting and dropping repeats is several times faster than its hash table here."""
    ordered = np.sort(values)
    new = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return ordered[new]


def _pair_key(low: np.ndarray | int, high: np.ndarray | int, year: np.ndarray | int) -> np.ndarray:
    """The pair postings' key of two token ids (``low`` < ``high``) in a birth year: ``low << 40 | high << 16 | year``.

    Why one helper: the build, the filter buckets and the look-ups must agree on the bit layout (24-bit token ids,
    16-bit years; :func:`_pair_tokens` reads it back).
    """
    return (np.asarray(low).astype(np.uint64) << np.uint64(_TOKEN_BITS + _YEAR_BITS)) | \
        (np.asarray(high).astype(np.uint64) << np.uint64(_YEAR_BITS)) | np.asarray(year).astype(np.uint64)


def _pair_tokens(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two token ids of pair keys (:func:`_pair_key`), as int64."""
    low = (key >> np.uint64(_TOKEN_BITS + _YEAR_BITS)).astype(np.int64)
    high = ((key >> np.uint64(_YEAR_BITS)) & np.uint64(_PAIR_VOCABULARY - 1)).astype(np.int64)
    return low, high


def _pair_bucket(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A token pair's bucket in the pair postings' membership filter (a multiplicative hash, 25 bits)."""
    mixed = (low.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + high.astype(np.uint64)) * np.uint64(0xBF58476D1CE4E5B9)
    return (mixed >> np.uint64(64 - _PAIR_FILTER_BITS)).astype(np.int64)


def _materialise(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every index of the runs ``[starts[i], ends[i])``, concatenated (one gather, no Python loop)."""
    lengths = ends - starts
    offsets = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)


def _compact_map(mapping: dict[str, list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A str → ints dict as sorted byte strings, offsets and values (no per-key Python objects to keep or ship)."""
    ordered = sorted(mapping)
    strings = np.array([k.encode("ascii", "replace") for k in ordered], dtype=bytes) if ordered else np.zeros(0, dtype="S1")
    lengths = np.fromiter((len(mapping[k]) for k in ordered), dtype=np.int64, count=len(ordered))
    ptr = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    values = np.fromiter(chain.from_iterable(mapping[k] for k in ordered), dtype=np.int32, count=int(ptr[-1]))
    return strings, ptr, values


def _find(strings: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """The index of each key of ``wanted`` among the sorted keys of a :func:`_compact_map`, -1 where it is absent."""
    out = np.full(len(wanted), -1, dtype=np.int64)
    fits = [i for i, w in enumerate(wanted) if len(w) <= strings.dtype.itemsize]
    if not len(strings) or not fits:
        return out
    keys_ = np.array([wanted[i].encode("ascii", "replace") for i in fits], dtype=strings.dtype)
    pos = np.minimum(np.searchsorted(strings, keys_), len(strings) - 1)
    hit = strings[pos] == keys_
    out[np.asarray(fits)[hit]] = pos[hit]
    return out


def _lookup(strings: np.ndarray, ptr: np.ndarray, values: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """The values of every key in ``wanted`` found in a :func:`_compact_map` (missing keys give nothing)."""
    pos = _find(strings, wanted)
    pos = pos[pos >= 0]
    if not len(pos):
        return _EMPTY
    if len(pos) == 1:
        return values[ptr[pos[0]]:ptr[pos[0] + 1]]
    return np.concatenate([values[ptr[p]:ptr[p + 1]] for p in pos.tolist()])
