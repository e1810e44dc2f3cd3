"""The screener: the loaded watchlists of this process, searched for whole manifests, reloaded atomically.

One Screener per process (DESIGN.md §3: each instance holds its own copy of the index). It is
thread-safe without locking the readers: the current set of indexes is one immutable tuple held in
one attribute. :meth:`Screener.screen` reads that attribute once and works on what it got;
:meth:`Screener.reload` builds a complete new set off to the side (the old one keeps answering) and
replaces the attribute in one assignment. A reader therefore sees the old lists or the new lists,
never half of each, and is never blocked. Reloads are serialised by a lock among themselves only.

The event loop must not build indexes (a 1M-entry list takes seconds of Python): call
:meth:`Screener.reload_async` / :meth:`Screener.load_async`. They build each index in a spawned
subprocess, which writes it as one file of arrays (:meth:`ListIndex.save`); this process maps that
file (:meth:`ListIndex.open`). Why not a thread: building holds the GIL, and a thread stalled the loop
for over 100 ms at 1M entries; and the build's transient Python objects (about a GB at 1M) then
live and die in the child, so the serving process holds only the old index and the mapped new one.

Scores are on a 0..1 scale; each list has its own threshold (default 0.85). Screening informs, never
decides: hits are evidence for an analyst, and nothing here changes how a message is acknowledged.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor

import msgspec
import structlog

from gateway.config import Config
from gateway.screening.index import MAX_HITS_PER_LIST, Hit, ListIndex, Probe
from gateway.screening.lists import FORMATS, ListError, LoadReport, load_list
from gateway.screening.normalise import all_forms, country_code, document_number, traveller_dob
from gateway.screening.subjects import Subject, identity_key

__all__ = ["AllowList", "Hit", "ListSpec", "ListStats", "Screener", "SubjectHits", "prepare", "specs_from_config"]

log = structlog.get_logger()

Suppressed = Callable[[str, str, str], bool]


class ListSpec(msgspec.Struct, frozen=True):
    """One configured list: a name (shown on hits), a file, its format (None: detected) and a 0..1 threshold."""

    name: str
    path: str
    format: str | None = None
    threshold: float = 0.85


class ListStats(msgspec.Struct):
    name: str
    path: str
    format: str
    threshold: float
    entries: int
    names: int  # indexed name forms (names, aliases, spelling and particle variants)
    tokens: int  # distinct tokens in the vocabulary
    postings: int
    index_bytes: int  # approximate size of the index structures
    load_seconds: float  # reading and parsing the file
    build_seconds: float  # building the index
    loaded_at: float  # UNIX time
    report: LoadReport


class SubjectHits(msgspec.Struct):
    subject_ref: str
    identity: str  # identity_key(subject): what the analyst allow-list is keyed by
    hits: list[Hit]


class AllowList:
    """Analyst decisions "this traveller is not this listed person", keyed by (identity, list, entry id).

    The gateway persists the decisions (with who and when) in its store and rebuilds this set from
    them; an instance is a ``suppressed`` callable for :meth:`Screener.screen`. Keyed by the identity
    digest, so a decision applies to the same person (same name, date of birth and documents) on later
    flights and to nobody else.
    """

    def __init__(self, decisions: Iterable[tuple[str, str, str]] = ()) -> None:
        self._decisions: frozenset[tuple[str, str, str]] = frozenset(decisions)
        self._lock = threading.Lock()

    def add(self, identity: str, list_name: str, entry_id: str) -> None:
        with self._lock:
            self._decisions = self._decisions | {(identity, list_name, entry_id)}

    def remove(self, identity: str, list_name: str, entry_id: str) -> None:
        with self._lock:
            self._decisions = self._decisions - {(identity, list_name, entry_id)}

    def __call__(self, identity: str, list_name: str, entry_id: str) -> bool:
        return (identity, list_name, entry_id) in self._decisions

    def __len__(self) -> int:
        return len(self._decisions)


def prepare(subject: Subject) -> Probe:
    """Fold a subject once for every list: names into forms, date into a tuple, documents normalised."""
    forms = all_forms(" ".join((subject.surname, *subject.given_names)))
    documents = tuple((n, country_code(state) if state else None)
                      for number, state in subject.documents if (n := document_number(number)))
    nationality = country_code(subject.nationality) if subject.nationality else None
    return Probe(tuple(forms), traveller_dob(subject.birth_date), nationality, documents)


def specs_from_config(config: Config) -> list[ListSpec]:
    """The configured lists (``[[screening.lists]]``), paths resolved against the data directory."""
    return [ListSpec(w.name, str(config.path(w.path)), w.format or None, w.threshold) for w in config.screening.lists]


def _check_specs(specs: Sequence[ListSpec]) -> None:
    names: set[str] = set()
    for spec in specs:
        if not spec.name:
            raise ListError("a list needs a name")
        if spec.name in names:
            raise ListError(f"list {spec.name} is configured twice")
        names.add(spec.name)
        if spec.format is not None and spec.format not in FORMATS:
            raise ListError(f"list {spec.name}: format {spec.format!r}; expected one of {', '.join(FORMATS)}")
        if not 0 < spec.threshold <= 1:
            raise ListError(f"list {spec.name}: threshold {spec.threshold} is not in (0, 1] (scores are 0..1)")


def _index_bytes(index: ListIndex) -> int:
    """Rough size of the index (its arrays exactly, dicts and strings by sys.getsizeof; entries not counted)."""
    return index.index_bytes()


def _build(spec: ListSpec) -> tuple[ListIndex, ListStats]:
    started = time.perf_counter()
    entries, report = load_list(spec.path, spec.format)
    loaded = time.perf_counter()
    index = ListIndex(spec.name, entries, spec.threshold)
    stats = ListStats(spec.name, spec.path, report.format, spec.threshold, len(entries), index.names, len(index.tokens),
                      index.postings(), _index_bytes(index), round(loaded - started, 3), round(index.build_seconds, 3),
                      time.time(), report)
    log.info("watchlist_loaded", format=report.format, count=len(entries), seconds=round(time.perf_counter() - started, 3),
             errors=report.unreadable_dates + report.unknown_countries)
    return index, stats


def _build_to_file(spec: ListSpec, path: str) -> ListStats:
    """In the build subprocess: load and index one list, write the index to ``path``, return its stats."""
    index, stats = _build(spec)
    index.save(path)
    return stats


def _make_state_elsewhere(specs: Sequence[ListSpec]) -> _State:
    """Build every list in a spawned subprocess and map the results here (see the module docstring)."""
    _check_specs(specs)
    mtimes = tuple(_mtime(s.path) for s in specs)
    indexes: list[ListIndex] = []
    stats: list[ListStats] = []
    with tempfile.TemporaryDirectory(prefix="paxgate-screening-") as tmp, \
            ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        for i, spec in enumerate(specs):
            path = os.path.join(tmp, f"{i}.index")
            stats.append(pool.submit(_build_to_file, spec, path).result())
            indexes.append(ListIndex.open(path))  # mapped: the file may go, the pages stay until the index is freed
    return _State(tuple(specs), tuple(indexes), tuple(stats), mtimes)


class _State(msgspec.Struct, frozen=True):
    specs: tuple[ListSpec, ...]
    indexes: tuple[ListIndex, ...]
    stats: tuple[ListStats, ...]
    mtimes: tuple[float, ...]


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0


class Screener:
    """The process's watchlists. Build with :meth:`load`; screen from any thread; :meth:`reload` swaps atomically."""

    def __init__(self, state: _State) -> None:
        self._state = state
        self._reload_lock = threading.Lock()
        self.reloads = 0
        self.max_hits = MAX_HITS_PER_LIST  # per subject and list (the bench lifts it to compare with brute force)

    @staticmethod
    def _make_state(specs: Sequence[ListSpec]) -> _State:
        _check_specs(specs)
        mtimes = tuple(_mtime(s.path) for s in specs)
        built = [_build(spec) for spec in specs]
        return _State(tuple(specs), tuple(i for i, _ in built), tuple(s for _, s in built), mtimes)

    @classmethod
    def load(cls, specs: Sequence[ListSpec]) -> Screener:
        """Load and index every list (raises ListError naming the file on a list that cannot be read)."""
        return cls(cls._make_state(specs))

    @classmethod
    def from_entries(cls, lists: Sequence[tuple[ListSpec, Sequence]]) -> Screener:  # type: ignore[type-arg]
        """A screener over entries already in memory (tests, benchmarks, the accuracy set)."""
        indexes, stats = [], []
        for spec, entries in lists:
            index = ListIndex(spec.name, entries, spec.threshold)
            indexes.append(index)
            stats.append(ListStats(spec.name, spec.path, spec.format or "memory", spec.threshold, len(entries), index.names,
                                   len(index.tokens), index.postings(), _index_bytes(index), 0.0, round(index.build_seconds, 3),
                                   time.time(), LoadReport(spec.format or "memory", len(entries))))
        specs = tuple(spec for spec, _ in lists)
        _check_specs(specs)
        return cls(_State(specs, tuple(indexes), tuple(stats), tuple(-1.0 for _ in specs)))

    @property
    def specs(self) -> tuple[ListSpec, ...]:
        return self._state.specs

    def reload(self, specs: Sequence[ListSpec] | None = None) -> None:
        """Build the lists again (or new ones) off to the side, then swap them in with one assignment.

        Readers are never blocked and never see a half-built index. On any error the old lists stay
        in service and the error is raised.
        """
        with self._reload_lock:
            state = self._make_state(tuple(specs) if specs is not None else self._state.specs)
            self._state = state  # the atomic swap: one attribute assignment
            self.reloads += 1
        log.info("watchlist_reloaded", count=sum(s.entries for s in state.stats))

    def _reload_elsewhere(self, specs: Sequence[ListSpec] | None) -> None:
        with self._reload_lock:
            state = _make_state_elsewhere(tuple(specs) if specs is not None else self._state.specs)
            self._state = state  # the atomic swap: one attribute assignment; the old index is freed with it
            self.reloads += 1
        log.info("watchlist_reloaded", count=sum(s.entries for s in state.stats))

    async def reload_async(self, specs: Sequence[ListSpec] | None = None) -> None:
        """:meth:`reload` with the build in a subprocess, so the event loop keeps serving (no GIL-bound build here)."""
        await asyncio.get_running_loop().run_in_executor(None, self._reload_elsewhere, specs)

    @classmethod
    async def load_async(cls, specs: Sequence[ListSpec]) -> Screener:
        """:meth:`load` with the build in a subprocess (see :meth:`reload_async`)."""
        state = await asyncio.get_running_loop().run_in_executor(None, _make_state_elsewhere, tuple(specs))
        return cls(state)

    def changed(self) -> bool:
        """True when any list file's modification time differs from the one loaded (polling reload)."""
        state = self._state
        return any(_mtime(s.path) != m for s, m in zip(state.specs, state.mtimes, strict=True))

    async def watch(self, interval_seconds: float) -> None:
        """Poll the list files every ``interval_seconds`` and reload when one changed (run as a task; 0 = off).

        A reload that fails keeps the old lists serving and the poller running, whatever the failure: a list that
        cannot be read (ListError, OSError), or a build subprocess that died (``BrokenProcessPool``: killed, out
        of memory) or raised. Logged by the error's type only: a message could quote a listed name. The next
        poll tries again while the files still differ from the lists served.
        """
        if interval_seconds <= 0:
            return
        while True:
            await asyncio.sleep(interval_seconds)
            if self.changed():
                try:
                    await self.reload_async()
                except (ListError, OSError) as error:
                    log.warning("watchlist_reload_failed", error=type(error).__name__)
                except Exception as error:  # the build subprocess died or failed: not the operator's file, so louder
                    log.error("watchlist_reload_failed", error=type(error).__name__, build="subprocess")

    def screen(self, subjects: Sequence[Subject], suppressed: Suppressed | None = None) -> list[SubjectHits]:
        """Hits at or above each list's threshold, per subject (subjects without hits are left out).

        ``suppressed(identity, list, entry_id)`` drops decided false positives (see :class:`AllowList`).
        """
        state = self._state  # one read: the whole call uses one consistent set of lists
        probes = [prepare(subject) for subject in subjects]
        per_list = [index.search_many(probes, self.max_hits) for index in state.indexes]  # a manifest at a time
        out: list[SubjectHits] = []
        for i, subject in enumerate(subjects):
            found = [hit for hits in per_list for hit in hits[i]]
            if not found:
                continue
            identity = identity_key(subject)  # only for travellers with hits: it costs as much as folding the name
            hits = [hit for hit in found if suppressed is None or not suppressed(identity, hit.list, hit.entry_id)]
            if hits:
                hits.sort(key=lambda h: (-h.score, h.list, h.entry_id))
                out.append(SubjectHits(subject.ref, identity, hits))
        return out

    def stats(self) -> list[ListStats]:
        return list(self._state.stats)
