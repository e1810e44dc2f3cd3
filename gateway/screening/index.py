"""The in-memory index of one watchlist, and the search of one traveller in it.

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
  each year they allow. A traveller with a date of birth reads, found by binary search, only the
  "unknown" run and ±:data:`~gateway.screening.match.DOB_WINDOW` years; a traveller without one reads
  the whole posting (still screened, just dearer).
* **Weighted combination (prefix filtering).** The name score can only reach the threshold when the
  matched traveller tokens carry a share ``β`` of the traveller's token weight (``β`` follows from the
  score formula, the threshold and the most the date of birth and nationality can add). So the
  candidates are the union, over the *minimal* token subsets that carry ``β``, of the names matching
  every token of the subset. A subset reads only the postings of its smallest token and keeps the
  names whose own token row holds a token similar to each other member (each posting carries its
  name's token row, so this is a sequential numpy pass; the large postings of common tokens such as
  ``MOHAMMED`` are never read when a rarer token is in the subset). One deliberate approximation: a
  token that qualifies alone but whose posting in the window exceeds :data:`LARGE_POSTING` is only taken
  together with a second matched token (the bench reports what this costs in recall against brute force).
* **Vectorised pre-score.** The candidates of one traveller form are scored together
  (:meth:`ListIndex._prescore`: token similarities by one rapidfuzz ``cdist`` over the distinct listed
  tokens, the greedy pairing in numpy); only those that can reach the floor are scored again by the
  scalar :func:`~gateway.screening.match.name_score`, which is what the hit reports.
* **Documents** are a sorted array of normalised numbers mapping to entries: exact, independent of names.

Storage is a few flat numpy arrays (postings, name token rows, the compact key and document maps, the
entries as one msgpack buffer) plus the vocabulary: no per-name Python objects. :meth:`ListIndex.save`
writes them to one file and :meth:`ListIndex.open` maps it, which is how a build subprocess hands an
index to the serving process. The index is immutable once built, so any number of threads may search
it; the screener swaps whole indexes to reload.
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import sys
import time
from array import array
from collections.abc import Sequence
from itertools import chain

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
    DOB_CONTRADICTS,
    DOB_WINDOW,
    DOCUMENT_NUMBER_ONLY,
    DOCUMENT_OTHER_STATE,
    INITIAL_SIM,
    LENGTH_RATIO,
    NATIONALITY_SAME,
    PHONETIC_SHORT_SIM,
    PHONETIC_SIM,
    TOKEN_CUTOFF,
    TRAVELLER_SHARE,
    UNMATCHED_LISTED,
    dob_evidence,
    document_evidence,
    explain_name,
    name_score,
    nationality_evidence,
    token_sim,
    token_weight,
)
from gateway.screening.normalise import all_forms, keys, skeleton

LARGE_POSTING = 256  # a token alone qualifying but with more names than this in the window needs a second token
COMMON_SHARE = 0.001  # a token in more than this share of the listed names (and 50+) counts as common
MAX_WIDE_RANGE = 20  # a listed birth range wider than this many years is treated as unknown
MAX_QUERY_TOKENS = 6
MAX_HITS_PER_LIST = 10
_SIMILAR_CACHE_MAX = 200_000
SCALAR_CANDIDATES = 40  # up to this many candidates the scalar scorer alone is cheaper (A/B at 100k and 1M: 40 best of 0..250)
ROW_WIDTH = 6  # name rows wider than this (rare) are kept aside whole
_PRESCORE_MARGIN = 1e-6  # the vectorised pre-score only drops names this far below the floor; the scalar scorer decides
_EMPTY = np.zeros(0, dtype=np.uint32)


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


class ListIndex:
    """One list, indexed for search. Build with the entries; never mutated afterwards."""

    def __init__(self, name: str, entries: Sequence[Entry], threshold: float) -> None:
        started = time.perf_counter()
        self.name = name
        self.threshold = threshold
        self._entry_list: Sequence[Entry] | None = entries  # only while building; then the compact store
        # β: the share of traveller token weight that must be matched for the threshold to be reachable
        self.beta = max(0.0, (threshold - BONUS_MAX - (1 - TRAVELLER_SHARE)) / TRAVELLER_SHARE)
        # beyond the window a date contradicts (−0.20): year blocking is safe only when that cannot still alert
        self.year_blocking = threshold > 1 + DOB_CONTRADICTS + NATIONALITY_SAME
        self._name_floor = threshold - BONUS_MAX  # name scores below this cannot become hits without a document
        self._build()
        self._entry_list = None
        self.build_seconds = time.perf_counter() - started
        self._caches()

    def _caches(self) -> None:
        self._similar: dict[str, tuple[int, ...]] = {}
        self._similar_arrays: dict[tuple[int, ...], np.ndarray] = {}
        self._decoder = msgspec.msgpack.Decoder(Entry)

    # --- build -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        """Names as token-id rows (CSR) and postings as three flat numpy arrays sorted by (token, year, name).

        Why flat arrays: search reads postings as slices and filters and scores whole candidate sets with
        vectorised numpy, and the whole index is a handful of buffers (cheap to keep, cheap to ship from
        a build subprocess) instead of millions of Python objects.
        """
        vocab: dict[str, int] = {}
        tokens: list[str] = []
        df: list[int] = []
        name_entry = array("I")
        name_slot = array("H")
        name_weak = array("B")
        name_ptr = array("I", [0])
        name_tok = array("i")
        entry_first = array("I")
        p_tid = array("I")
        p_year = array("H")
        p_nid = array("I")
        docs: dict[str, list[int]] = {}
        blob = bytearray()
        entry_at = array("q", [0])
        encoder = msgspec.msgpack.Encoder()
        assert self._entry_list is not None
        for e_idx, entry in enumerate(self._entry_list):
            encoder.encode_into(entry, blob, -1)
            entry_at.append(len(blob))
            entry_first.append(len(name_entry))
            years = _entry_years(entry)
            seen: set[str] = set()
            strong = len(entry.names)
            for slot, raw in enumerate(chain(entry.names, entry.weak_names)):
                for form in all_forms(raw):
                    text = " ".join(form)
                    if text in seen:
                        continue
                    seen.add(text)
                    nid = len(name_entry)
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
                    for token in set(form):
                        if len(token) < 2:
                            continue  # initials are compared, never indexed
                        tid = vocab[token]
                        df[tid] += 1
                        for year in years:
                            p_tid.append(tid)
                            p_year.append(year)
                            p_nid.append(nid)
            for number, _state in entry.documents:
                docs.setdefault(number, []).append(e_idx)
        entry_first.append(len(name_entry))
        tid_arr = np.frombuffer(p_tid, dtype=np.uint32)
        year_arr = np.frombuffer(p_year, dtype=np.uint16)
        nid_arr = np.frombuffer(p_nid, dtype=np.uint32)
        order = np.lexsort((nid_arr, year_arr, tid_arr))
        self.post_nid = nid_arr[order]
        # one sorted key per posting, token id << 16 | birth year: a window of every similar token is one searchsorted
        self.key_dtype = np.uint32 if len(tokens) < 1 << 16 else np.uint64
        self.post_key = (tid_arr[order].astype(self.key_dtype) << 16) | year_arr[order].astype(self.key_dtype)
        del order, tid_arr, year_arr, nid_arr, p_tid, p_year, p_nid
        self.post_ptr = np.searchsorted(self.post_key, np.arange(len(tokens) + 1, dtype=self.key_dtype) << self.key_dtype(16))
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
        self._key_str, self._key_ptr, self._key_tids = _compact_map(key_map)
        del key_map
        self.vocab = vocab
        self.tokens = tokens
        total = max(1, len(name_entry))
        common_df = max(50, int(COMMON_SHARE * total))
        self.weights = {t: token_weight(t, t in COMMON_TOKENS or df[i] >= common_df) for i, t in enumerate(tokens)}
        self.common_df = common_df
        # per-token facts for the vectorised similarity; one extra slot (id -1) is the padding of short name rows
        self.tok_weight = np.array([self.weights[t] for t in tokens] + [0.0], dtype=np.float64)
        self.tok_len = np.array([len(t) for t in tokens] + [0], dtype=np.int64)
        self.tok_first = np.array([ord(t[0]) for t in tokens] + [0], dtype=np.int64)
        skel_ids: dict[str, int] = {}
        self.tok_skel = np.array([skel_ids.setdefault(skeleton(t), len(skel_ids)) for t in tokens] + [-1], dtype=np.int64)
        self.skel_ids = skel_ids
        self._name_rows(np.frombuffer(name_ptr, dtype=np.uint32).astype(np.int64), np.frombuffer(name_tok, dtype=np.int32))
        self.name_entry = np.frombuffer(name_entry, dtype=np.uint32).copy()
        self.name_slot = np.frombuffer(name_slot, dtype=np.uint16).copy()
        self.name_weak = np.frombuffer(name_weak, dtype=np.uint8).copy()
        self.entry_first = np.frombuffer(entry_first, dtype=np.uint32).copy()
        # each posting carries its name's token row: filtering a token's postings by the other traveller tokens
        # then reads memory in posting order instead of one random row per name
        # (uint16 when the vocabulary allows: the padding -1 becomes 65535, which no token id reaches)
        self.post_rows = self.name_rows[self.post_nid]
        if len(tokens) < (1 << 16) - 1:
            self.post_rows = self.post_rows.astype(np.uint16)
        self.name_text = NameTexts(self)
        self._doc_str, self._doc_ptr, self._doc_entries = _compact_map(docs)
        del docs
        # the entries as one msgpack buffer: decoded one at a time for hits, a few hundred MB less than objects
        self._entry_blob = np.frombuffer(blob, dtype=np.uint8).copy()
        del blob
        self._entry_at = np.frombuffer(entry_at, dtype=np.int64).copy()

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
    _META = ("name", "threshold", "beta", "year_blocking", "_name_floor", "build_seconds", "tokens", "_long", "key_dtype",
             "common_df")

    def _arrays(self) -> dict[str, np.ndarray]:
        names = ("post_nid", "post_key", "post_ptr", "post_rows", "name_rows", "_long_mask", "name_entry", "name_slot",
                 "name_weak", "entry_first", "tok_weight", "tok_len", "tok_first", "tok_skel", "_key_str", "_key_ptr",
                 "_key_tids", "_doc_str", "_doc_ptr", "_doc_entries", "_entry_blob", "_entry_at")
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
        self._entry_list = None
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
        self._similar[token] = result
        return result

    def _similar_array(self, tids: tuple[int, ...]) -> np.ndarray:
        """``tids`` as an array, cached with the tuple (the same few hundred traveller tokens recur)."""
        cached = self._similar_arrays.get(tids)
        if cached is None:
            if len(self._similar_arrays) >= _SIMILAR_CACHE_MAX:
                self._similar_arrays = {}
            cached = self._similar_arrays[tids] = np.asarray(tids, dtype=np.int64)
        return cached

    def _mask(self, tids: tuple[int, ...]) -> np.ndarray:
        """A vocabulary-wide boolean mask of ``tids`` (the padding, -1 or 65535 in uint16 rows, stays False)."""
        mask = np.zeros(max(len(self.tokens) + 1, 1 << 16), dtype=bool)
        mask[list(tids)] = True
        return mask

    # --- search ------------------------------------------------------------------------------------------
    def _slices(self, tids: np.ndarray, year: int | None) -> tuple[np.ndarray, np.ndarray, int]:
        """(starts, ends) of the posting runs a traveller born in ``year`` must read, and their total length.

        Per similar token: the "unknown year" run and the ±DOB_WINDOW run (or the whole posting without a year),
        found for all tokens by one ``searchsorted`` on the (token, year) keys.
        """
        starts, ends = self.post_ptr[tids], self.post_ptr[tids + 1]
        if year is None:
            return starts, ends, int((ends - starts).sum())
        dtype = self.key_dtype
        base = tids.astype(dtype) << dtype(16)
        # the bounds are interleaved per token so they are ascending: numpy's binary search then starts each
        # look-up from the previous result (under cProfile a third less time than the four groups one after another)
        bounds = np.stack((base, base + dtype(1), base + dtype(year - DOB_WINDOW), base + dtype(year + DOB_WINDOW + 1)),
                          axis=1).ravel()
        found = np.searchsorted(self.post_key, bounds).reshape(-1, 2)
        starts, ends = found[:, 0], found[:, 1]
        keep = ends > starts
        starts, ends = starts[keep], ends[keep]
        return starts, ends, int((ends - starts).sum())

    def _materialise(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """The posting positions of the given runs, concatenated (one gather, no Python loop)."""
        if len(starts) == 1:
            return np.arange(starts[0], ends[0])
        lengths = ends - starts
        offsets = np.cumsum(lengths) - lengths
        return np.arange(int(lengths.sum())) - np.repeat(offsets - starts, lengths)

    def _rows(self, nids: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The token ids of each name as a padded matrix (padding -1, or 65535 in uint16 posting rows), one row per name.

        ``rows``: the names' rows already read (from the postings); only the rare long names are patched in.
        """
        if rows is None:
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

    def candidates(self, form: tuple[str, ...], year: int | None) -> np.ndarray:
        """Name ids (ascending, unique) that can reach the threshold for this name form (see the module docstring).

        Each minimal qualifying token subset reads only the postings of its smallest token and keeps the names
        whose own tokens include one similar to each other token of the subset: a name found through one token
        has the same birth years under every token, so this is the intersection without reading the large
        postings. A listed token may satisfy two traveller tokens here (a superset of the strict pairing);
        the scorer decides.
        """
        weights = [self.weight(t) for t in form]
        need = self.beta * sum(weights) - 1e-9
        found: list[tuple[float, tuple[int, ...]]] = []
        for token, w in zip(form, weights, strict=True):
            if len(token) >= 2:
                tids = self.similar(token)
                if tids:
                    found.append((w, tids))
        if not found:
            return _EMPTY
        found.sort(key=lambda f: -f[0])
        found = found[:MAX_QUERY_TOKENS]
        if sum(f[0] for f in found) < need:
            return _EMPTY
        window = year if self.year_blocking else None
        sliced = [self._slices(self._similar_array(tids), window) for _w, tids in found]
        # minimal qualifying subsets of the traveller's tokens
        subsets: list[tuple[int, ...]] = []
        for r in range(1, len(found) + 1):
            for combo in itertools.combinations(range(len(found)), r):
                if sum(found[i][0] for i in combo) >= need and sliced[combo[0]][2] and \
                        not any(set(s) <= set(combo) for s in subsets):
                    subsets.append(combo)
        expanded: list[tuple[int, ...]] = []
        for combo in subsets:
            if len(combo) == 1 and sliced[combo[0]][2] > LARGE_POSTING and len(found) > 1:
                expanded.extend((combo[0], j) for j in range(len(found)) if j != combo[0])
            else:
                expanded.append(combo)
        parts: list[np.ndarray] = []
        bases: dict[int, np.ndarray] = {}
        base_rows: dict[int, np.ndarray] = {}
        masks: dict[int, np.ndarray] = {}
        for combo in dict.fromkeys(tuple(sorted(c, key=lambda i: sliced[i][2])) for c in expanded):
            if any(not sliced[i][2] for i in combo):
                continue
            first = combo[0]
            base = bases.get(first)
            if base is None:
                base = bases[first] = self._materialise(sliced[first][0], sliced[first][1])
            if len(combo) > 1:
                rows = base_rows.get(first)
                if rows is None:
                    rows = base_rows[first] = self._rows(self.post_nid[base], self.post_rows[base])
                keep = np.ones(len(base), dtype=bool)
                for other in combo[1:]:
                    mask = masks.get(other)
                    if mask is None:
                        mask = masks[other] = self._mask(found[other][1])
                    keep &= _any_column(mask[rows])
                base = base[keep]
            if len(base):
                parts.append(self.post_nid[base])
        if not parts:
            return _EMPTY
        return np.unique(np.concatenate(parts) if len(parts) > 1 else parts[0])  # a name posted under several years repeats

    def _sims(self, form: tuple[str, ...], tids: np.ndarray) -> np.ndarray:
        """token_sim of every traveller token against every listed token id in ``tids``, as an (m, len) matrix.

        The same rules as :func:`~gateway.screening.match.token_sim`, vectorised: Jaro-Winkler by rapidfuzz
        ``cdist`` (C, GIL released), then the length penalty, the skeleton lift, initials and the cut-off.
        """
        choices = [self.tokens[t] for t in tids.tolist()]
        lb = self.tok_len[tids]
        sims = np.zeros((len(form), len(tids)), dtype=np.float64)
        multi = [i for i, q in enumerate(form) if len(q) > 1]
        if multi:
            sims[multi] = process.cdist([form[i] for i in multi], choices, scorer=JaroWinkler.normalized_similarity,
                                        dtype=np.float64, workers=1)
        for i, q in enumerate(form):
            row = sims[i]
            la = len(q)
            if la == 1:
                same_first = self.tok_first[tids] == ord(q[0])
                row[:] = np.where(same_first, np.where(lb == 1, 1.0, INITIAL_SIM), 0.0)  # "J" ~ "J" is exact
                continue
            shorter = np.minimum(lb, la)
            longer = np.maximum(lb, la)
            penal = (shorter >= 4) & (shorter < LENGTH_RATIO * longer)
            if penal.any():
                row[penal] *= 1 - (1 - shorter[penal] / longer[penal]) / 2
            skel = skeleton(q)
            sid = self.skel_ids.get(skel)
            if sid is not None:
                same = (self.tok_skel[tids] == sid) & (row < PHONETIC_SIM)
                if len(skel) >= 3:
                    row[same] = PHONETIC_SIM
                elif len(skel) == 2 and la >= 4:
                    lift = same & (lb >= 4)
                    row[lift] = np.maximum(row[lift], PHONETIC_SHORT_SIM)
            row[lb == 1] = np.where(self.tok_first[tids[lb == 1]] == ord(q[0]), INITIAL_SIM, 0.0)
            row[row < TOKEN_CUTOFF] = 0.0
        return sims

    def _prescore(self, form: tuple[str, ...], form_weights: list[float], nids: np.ndarray) -> np.ndarray:
        """The name score of ``form`` against every name in ``nids`` (vectorised :func:`name_score`).

        The greedy one-to-one pairing takes, per round and per name, the best remaining (similarity, traveller
        position, listed position), exactly the order of the scalar scorer. Used to drop the names that cannot
        reach the floor; the survivors are scored again by the scalar scorer, so float rounding never decides.
        """
        rows = self._rows(nids)
        n, k = rows.shape
        m = len(form)
        uniq, inv = np.unique(rows, return_inverse=True)
        inv = inv.reshape(rows.shape)
        if uniq[0] < 0:  # the padding of short rows: similarity 0
            sims = np.zeros((m, len(uniq)), dtype=np.float64)
            sims[:, 1:] = self._sims(form, uniq[1:])
        else:
            sims = self._sims(form, uniq)
        cube = np.ascontiguousarray(sims[:, inv].transpose(1, 0, 2))  # (n, m, k)
        qw = np.asarray(form_weights, dtype=np.float64)
        lw = self.tok_weight[rows]
        flat = cube.reshape(n, m * k)
        span = np.arange(n)
        covered_q = np.zeros(n)
        covered_n = np.zeros(n)
        strength = np.zeros(n)
        used = np.zeros((n, k), dtype=bool)
        for _ in range(min(m, k)):
            back = flat[:, ::-1].argmax(axis=1)
            pos = m * k - 1 - back
            s = flat[span, pos]
            live = s > 0
            if not live.any():
                break
            i, j = pos // k, pos % k
            credit = np.where(s == INITIAL_SIM, INITIAL_SIM, (s - 0.6) / 0.4) * live
            wq = qw[i]
            wn = lw[span, j]
            covered_q += credit * wq
            covered_n += credit * wn
            strength += credit * np.minimum(wq, wn)
            used[span, j] |= live
            cube[span, i, :] = 0.0
            cube[span, :, j] = 0.0
        matched = (lw * used).sum(axis=1)
        unmatched = (lw * ~used).sum(axis=1)
        denom = matched + UNMATCHED_LISTED * unmatched
        share = np.divide(covered_n, denom, out=np.zeros(n), where=denom > 0)
        score = TRAVELLER_SHARE * covered_q / sum(form_weights) + (1 - TRAVELLER_SHARE) * share
        cap = CAP_FLOOR + (1 - CAP_FLOOR) * np.minimum(1.0, strength / CAP_STRENGTH)
        return np.minimum(score, cap)

    def search(self, probe: Probe, limit: int = MAX_HITS_PER_LIST) -> list[Hit]:
        """The hits of one traveller in this list, best first (at most ``limit``)."""
        year = probe.dob[0] if probe.dob else None
        best: dict[int, tuple[float, int, tuple[str, ...]]] = {}  # entry → (name score, name id, traveller form)
        name_entry, name_weak = self.name_entry, self.name_weak
        for form in probe.forms:
            if not form:
                continue
            nids = self.candidates(form, year)
            if not len(nids):
                continue
            form_weights = [self.weight(t) for t in form]
            if len(nids) > SCALAR_CANDIDATES:
                nids = nids[self._prescore(form, form_weights, nids) >= self._name_floor - _PRESCORE_MARGIN]
            for nid in nids.tolist():
                listed = self.listed(nid)
                score = name_score(form, form_weights, listed, [self.weight(t) for t in listed])[0]
                if score < self._name_floor:
                    continue
                e_idx = int(name_entry[nid])
                held = best.get(e_idx)
                # a strong name beats a weak one of the same score
                if held is None or score > held[0] or (score == held[0] and name_weak[held[1]] and not name_weak[nid]):
                    best[e_idx] = (score, nid, form)
        documents: set[int] = set()
        for number, _state in probe.documents:
            documents.update(_lookup(self._doc_str, self._doc_ptr, self._doc_entries, (number,)).tolist())
        hits = [hit for e_idx in set(best) | documents if (hit := self._hit(probe, e_idx, best.get(e_idx))) is not None]
        hits.sort(key=lambda h: (-h.score, h.entry_id))
        return hits[:limit]

    def _best_name(self, probe: Probe, e_idx: int) -> tuple[float, int, tuple[str, ...]] | None:
        """The best name of an entry found only by its document (its names were not candidates)."""
        best: tuple[float, int, tuple[str, ...]] | None = None
        for nid in range(int(self.entry_first[e_idx]), int(self.entry_first[e_idx + 1])):
            listed = self.listed(nid)
            for form in probe.forms:
                if form:
                    score, _ = name_score(form, [self.weight(t) for t in form], listed, [self.weight(t) for t in listed])
                    if best is None or score > best[0]:
                        best = (score, nid, form)
        return best
    def _hit(self, probe: Probe, e_idx: int, named: tuple[float, int, tuple[str, ...]] | None) -> Hit | None:
        entry = self.entry(e_idx)
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


def _any_column(hits: np.ndarray) -> np.ndarray:
    """``hits.any(axis=1)`` for a narrow boolean matrix: OR-ing its few columns is several times faster."""
    out = hits[:, 0].copy()
    for col in range(1, hits.shape[1]):
        out |= hits[:, col]
    return out


def _compact_map(mapping: dict[str, list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A str → ints dict as sorted byte strings, offsets and values (no per-key Python objects to keep or ship)."""
    ordered = sorted(mapping)
    strings = np.array([k.encode("ascii", "replace") for k in ordered], dtype=bytes) if ordered else np.zeros(0, dtype="S1")
    lengths = np.fromiter((len(mapping[k]) for k in ordered), dtype=np.int64, count=len(ordered))
    ptr = np.zeros(len(ordered) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    values = np.fromiter(chain.from_iterable(mapping[k] for k in ordered), dtype=np.int32, count=int(ptr[-1]))
    return strings, ptr, values


def _lookup(strings: np.ndarray, ptr: np.ndarray, values: np.ndarray, wanted: Sequence[str]) -> np.ndarray:
    """The values of every key in ``wanted`` found in a :func:`_compact_map` (missing keys give nothing)."""
    if not len(strings):
        return _EMPTY
    probe = [w.encode("ascii", "replace") for w in wanted if len(w) <= strings.dtype.itemsize]
    if not probe:
        return _EMPTY
    keys_ = np.array(probe, dtype=strings.dtype)
    pos = np.searchsorted(strings, keys_)
    pos = pos[pos < len(strings)]
    pos = pos[strings[pos] == keys_[:len(pos)]] if len(pos) == len(keys_) else pos[np.isin(strings[pos], keys_)]
    if not len(pos):
        return _EMPTY
    if len(pos) == 1:
        return values[ptr[pos[0]]:ptr[pos[0] + 1]]
    return np.concatenate([values[ptr[p]:ptr[p + 1]] for p in pos.tolist()])
