"""Watchlist screening benchmark: a 500-traveller PAXLST against generated lists of 100k and 1M entries.

Prints, per list size: generation, index build time and RSS; manifest wall time (p50/p95 over
repeats) for the indexed screener; single-traveller latency (p50/p99); candidates scored; and the
brute-force peer measured in the same run: rapidfuzz ``process.cdist`` (``fuzz.ratio`` on pre-sorted
tokens, cut-off 70, both cores) over every indexed name, its candidates put through the *same*
final scorer, so "recall vs brute force" compares candidate generation only. Planted true variants
(reused from ``gateway.screening.accuracy``) are reported too, and 5 % of travellers have no DOB.

    python bench/screening.py                      # 100,000 and 1,000,000 entries
    python bench/screening.py --entries 20000      # quick
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from rapidfuzz import fuzz, process

from conformance.builders import PaxlstSpec, draft
from gateway.screening.accuracy import perturb
from gateway.screening.generate import Generator, write_list
from gateway.screening.index import ListIndex, _BestName
from gateway.screening.match import name_score
from gateway.screening.normalise import fold_tokens
from gateway.screening.screener import ListSpec, Screener, prepare
from gateway.screening.subjects import Subject, subjects_of_manifest
from validators.validate import validate

COMMON_GIVEN = ("MOHAMMED", "AHMED", "JOSE", "ALI", "IVAN", "OMAR", "HASSAN", "KHALID", "MARIA", "YUSUF", "JUAN", "IBRAHIM",
                "CARLOS", "SERGEI", "HUSSEIN", "ABDULLAH")
COMMON_SURNAMES = ("ALI", "HASSAN", "GARCIA", "NGUYEN", "WANG", "LI", "LOPEZ", "ZHANG", "TRAN", "IBRAHIM", "OMAR", "KHALID",
                   "MAHMOUD", "MUSTAFA", "SAID", "KARIM")
KINDS = ("exact", "swapped", "missing_middle", "typo", "initial", "transliteration", "dob_plus_one", "dob_day_month")
BRUTE_CUTOFF = 70


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def manifest(entries, travellers: int, seed: int):
    """A builder PAXLST with 5 % planted variants of listed people and 5 % travellers without DOB."""
    rnd = random.Random(seed)
    d = draft(PaxlstSpec(passengers=travellers, seed=seed))
    planted: dict[int, tuple[str, str]] = {}
    pool = [e for e in entries if e.dobs and e.dobs[0].month and e.dobs[0].day and e.dobs[0].year_from == e.dobs[0].year_to]
    slots = rnd.sample(range(travellers), travellers // 10)
    plant_slots, nodob_slots = slots[: travellers // 20], slots[travellers // 20:]
    for k, t in enumerate(plant_slots):
        while True:
            entry = rnd.choice(pool)
            name = next((n for n in entry.names if n.isascii()), None)
            tokens = fold_tokens(name) if name else []
            if len(tokens) < 2:
                continue
            dob = (entry.dobs[0].year_from, entry.dobs[0].month, entry.dobs[0].day)
            kind = KINDS[k % len(KINDS)]
            variant = perturb(tokens, dob, kind, rnd)
            if variant is not None:
                break
        vtokens, vdob = variant
        nad = d.find("NAD", traveller=t)
        nad.elements[3] = [vtokens[-1], " ".join(vtokens[:-1])]
        dtm = d.find("DTM", traveller=t, qualifier="329")
        dtm.elements[0] = ["329", f"{vdob[0] % 100:02d}{vdob[1]:02d}{vdob[2]:02d}"]
        planted[t] = (entry.id, kind)
    for t in nodob_slots:
        d.remove(d.find("DTM", traveller=t, qualifier="329"))
    report = validate(d.write())
    subjects = [s for m in report.manifests for s in subjects_of_manifest(m)]
    assert len(subjects) == travellers, (len(subjects), report.verdict)
    return subjects, {subjects[t].ref: v for t, v in planted.items()}


def common_names(travellers: int, seed: int) -> list[Subject]:
    """Travellers of three very common name parts and no date of birth (PNRGOV passengers often have none): the
    dearest manifest for the index, which then reads whole postings. Reported for its time and peak search memory."""
    rnd = random.Random(seed)
    return [Subject(f"c{i}", rnd.choice(COMMON_SURNAMES), (rnd.choice(COMMON_GIVEN), rnd.choice(COMMON_GIVEN)), None)
            for i in range(travellers)]


def brute_force(index: ListIndex, subjects) -> tuple[set[tuple[str, str]], float, int]:
    """cdist over every indexed name, then the same final scorer on its candidates."""
    probes = [prepare(s) for s in subjects]
    queries: list[str] = []
    owners: list[int] = []
    forms: list[tuple[str, ...]] = []
    for i, p in enumerate(probes):
        for form in p.forms:
            queries.append(" ".join(sorted(form)))
            owners.append(i)
            forms.append(form)
    choices = [" ".join(sorted(t.split(" "))) for t in index.name_text]
    started = time.perf_counter()
    pairs: list[tuple[int, int]] = []
    chunk = 200_000
    for lo in range(0, len(choices), chunk):
        m = process.cdist(queries, choices[lo:lo + chunk], scorer=fuzz.ratio, score_cutoff=BRUTE_CUTOFF, dtype=np.uint8,
                          workers=-1)
        qs, ns = np.nonzero(m)
        pairs.extend(zip(qs.tolist(), (ns + lo).tolist(), strict=True))
    stage1 = time.perf_counter() - started
    best: dict[tuple[int, int], _BestName] = {}
    for q, nid in pairs:
        i, form = owners[q], forms[q]
        listed = index.name_text[nid].split(" ")
        score, _ = name_score(form, [index.weight(t) for t in form], listed, [index.weight(t) for t in listed])
        key = (i, index.name_entry[nid])
        if key not in best or score > best[key].score:
            best[key] = _BestName(score, nid, form)
    hits: set[tuple[str, str]] = set()
    for (i, e_idx), named in best.items():
        hit = index._hit(probes[i], e_idx, named)
        if hit is not None and not hit.document:
            hits.add((subjects[i].ref, hit.entry_id))
    print(f"    brute force (cdist, ratio on sorted tokens >= {BRUTE_CUTOFF}): stage 1 {stage1 * 1000:,.0f} ms, "
          f"{len(pairs):,} candidate pairs")
    return hits, stage1, len(pairs)


def run(n: int, travellers: int, seed: int, repeats: int, brute: bool, reload: bool) -> None:
    print(f"== {n:,} entries, {travellers} travellers (seed {seed})")
    gc.collect()
    base = rss_mb()
    started = time.perf_counter()
    entries = list(Generator(seed).entries(n))
    print(f"  generate: {time.perf_counter() - started:.1f} s, RSS +{rss_mb() - base:,.0f} MB (entries)")
    before = rss_mb()
    started = time.perf_counter()
    screener = Screener.from_entries([(ListSpec("generated", "memory", threshold=0.85), entries)])
    build = time.perf_counter() - started
    gc.collect()
    stats = screener.stats()[0]
    print(f"  index build: {build:.1f} s, RSS +{rss_mb() - before:,.0f} MB (index), process RSS {rss_mb():,.0f} MB; "
          f"{stats.names:,} names, {stats.tokens:,} tokens, {stats.postings:,} postings, "
          f"~{stats.index_bytes / 2**20:,.0f} MB est.")
    subjects, planted = manifest(entries, travellers, seed + 100)
    no_dob = sum(1 for s in subjects if s.birth_date is None)
    screener.max_hits = 10**6  # compare every hit with brute force
    times, cold = [], []
    for _ in range(repeats):
        screener._state.indexes[0]._caches()  # cold token and plan caches: the first manifest after a load
        started = time.perf_counter()
        screener.screen(subjects)
        cold.append(time.perf_counter() - started)
    for _ in range(repeats):  # a running gateway: token look-ups cached from earlier manifests
        started = time.perf_counter()
        result = screener.screen(subjects)
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    ours = {(r.subject_ref, h.entry_id) for r in result for h in r.hits if not h.document}
    print(f"  manifest ({travellers} travellers, {no_dob} without DOB): p50 {statistics.median(times) * 1000:,.1f} ms, "
          f"p95 {p95 * 1000:,.1f} ms over {repeats} runs (warm token cache); cold token cache p50 "
          f"{statistics.median(cold) * 1000:,.1f} ms; {len(result)} travellers with hits, {len(ours)} hits")
    singles = []
    for s in subjects:
        started = time.perf_counter()
        screener.screen([s])
        singles.append(time.perf_counter() - started)
    singles.sort()
    p99 = singles[int(len(singles) * 0.99)]
    print(f"  single traveller: p50 {statistics.median(singles) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms,"
          f" max {singles[-1] * 1000:.2f} ms")
    common = common_names(travellers, seed + 200)
    started = time.perf_counter()
    common_hits = screener.screen(common)
    took = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    screener.screen(common)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  common names without DOB ({travellers} travellers): {took * 1000:,.0f} ms, {len(common_hits)} travellers with "
          f"hits; peak traced memory of the search {peak / 2**20:,.1f} MB")
    found = {ref: kind for ref, (eid, kind) in planted.items() if (ref, eid) in ours}
    print(f"  planted variants found: {len(found)}/{len(planted)}"
          + "".join(f"; missed {kind}" for ref, (_e, kind) in planted.items() if ref not in found))
    if brute:
        started = time.perf_counter()
        reference, stage1, _pairs = brute_force(screener._state.indexes[0], subjects)
        total = time.perf_counter() - started
        kept = len(reference & ours)
        recall = kept / len(reference) if reference else 1.0
        print(f"    brute force total (with the same final scorer): {total * 1000:,.0f} ms; its hits {len(reference)}")
        print(f"  recall vs brute force: {recall:.4f} ({kept}/{len(reference)}); hits only the index found "
              f"(initials, particles, phonetics): {len(ours - reference)}")
        print(f"  speed-up vs brute-force stage 1 alone: {stage1 / statistics.median(times):,.1f}x")
        missed = sorted(reference - ours)[:5]
        if missed:
            print(f"  e.g. missed: {missed}")
    if reload:
        reload_figures(screener, entries, subjects, len(result))
    del screener, entries
    gc.collect()


def reload_figures(screener: Screener, entries: list, subjects: list, with_hits: int) -> None:  # type: ignore[type-arg]
    """A reload as the gateway does it (``reload_async`` from the event loop, the list read from a file), timed from
    the loop: the worst gap between 1 ms ticks, and the process's peak RSS (sampled every 5 ms) against its RSS with
    only the serving index (the bench's own generated entries are dropped first). The new index is mapped, so its
    pages count once searched: the RSS after one manifest on it is printed too."""
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/generated.csv"
        write_list(entries, "csv", path)
        entries.clear()
        gc.collect()
        spec = ListSpec("generated", path, "csv", 0.85)
        serving = rss_mb()
        peak = serving
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb())
                time.sleep(0.005)

        async def main() -> tuple[float, int, float]:
            worst, ticks = 0.0, 0

            async def ticker() -> None:
                nonlocal worst, ticks
                last = time.perf_counter()
                while True:
                    await asyncio.sleep(0.001)
                    now = time.perf_counter()
                    worst, ticks, last = max(worst, now - last), ticks + 1, now

            task = asyncio.create_task(ticker())
            started = time.perf_counter()
            await screener.reload_async([spec])
            took = time.perf_counter() - started
            await asyncio.sleep(0.05)
            task.cancel()
            return took, ticks, worst

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        took, ticks, worst = asyncio.run(main())
        done.set()
        sampler.join()
        gc.collect()
        print(f"  reload_async from a CSV file (build in a subprocess): {took:.1f} s; event loop worst tick gap "
              f"{worst * 1000:.1f} ms ({ticks:,} ticks); RSS serving {serving:,.0f} MB, peak {peak:,.0f} MB, after "
              f"{rss_mb():,.0f} MB")
        result = screener.screen(subjects)
        print(f"  after the reload: {len(result)} travellers with hits (before: {with_hits}); RSS after one manifest on the "
              f"mapped index {rss_mb():,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--travellers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-brute", action="store_true", help="skip the brute-force peer")
    parser.add_argument("--no-reload", action="store_true", help="skip the reload measurement")
    args = parser.parse_args()
    for n in args.entries:
        run(n, args.travellers, args.seed, args.repeats, not args.no_brute, not args.no_reload)


if __name__ == "__main__":
    main()
