"""The blocked index, searched a manifest at a time: the same hits as one traveller at a time, exact scores.

``ListIndex.search_many`` does every step once for the whole manifest (shared posting reads, one filter pass,
one vectorised scorer), so a bug in how travellers are grouped would show as a traveller's hits depending on
who else is on the flight. These tests compare the batch with one traveller at a time on a seeded manifest of
true variants, look-alikes, travellers without a date of birth and document holders, on 16-bit and on 32-bit
posting rows; with the two ways of reading a two-token subset (pair postings, filtered token postings) forced in
turn; and the vectorised name scores with the scalar scorer bit for bit.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.screening import index as index_module
from gateway.screening.accuracy import build_cases
from gateway.screening.generate import generate
from gateway.screening.index import ListIndex, Probe
from gateway.screening.lists import Dob, Entry
from gateway.screening.match import name_score
from gateway.screening.screener import prepare
from gateway.screening.subjects import Subject

UNSPECIFIED = "XXX"  # ICAO Doc 9303: person of unspecified nationality, a state no listed document names

LONG = Entry("LONG-1", ("ABDULRAHMAN KHALIFA BIN SALEH MUBARAK QASIMI NOURI JABBAR TARIQ",), (), (Dob(1970, 1970, 5, 6),),
             ("ARE",), (("X1234567", "ARE"),))
# its last two tokens, common given names, lie past the row matrix (six wide)
LONG_TAIL = Entry("LONG-2", ("ZAKARIYA QUDSI BARAKZAI DURRANI SHINWARI POPALZAI OMAR HASSAN",), (), (Dob(1975, 1975, 1, 1),))
# two dates, one a range too wide to block on: posted under "year unknown", yet an exact date still counts
WIDE = Entry("WIDE-1", ("TEOFIL BOGUSLAW KOWALCZYK",), (), (Dob(1960, 1960, 3, 4), Dob(1900, 1950)), ("POL",))
ENTRIES = [LONG, WIDE, LONG_TAIL, *generate(4000, seed=31)]


@pytest.fixture(scope="module")
def index() -> ListIndex:
    return ListIndex("generated", ENTRIES, 0.85)


def _made_up(rnd: random.Random) -> str:
    return "".join(rnd.choice("BDFGKLMNPRSTVZ") + rnd.choice("AEIOU") for _ in range(rnd.randint(3, 4)))


def test_a_vocabulary_past_16_bits_gets_the_same_hits_one_at_a_time_and_by_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A national list of a million people has more distinct name parts than 16-bit posting rows can hold: the
    rows are then 32-bit (padding -1, wildcard -2), a path the generated lists above never take."""
    rnd = random.Random(9)
    common = [_made_up(rnd) for _ in range(40)]
    entries = [Entry(f"V{i}", (f"{rnd.choice(common)} {_made_up(rnd)} {_made_up(rnd)}",), (),
                     (Dob(y, y, 1, 1),) if (y := rnd.randint(1940, 2000)) % 4 else ()) for i in range(36_000)]
    entries.append(Entry("VLONG", (" ".join([*(_made_up(rnd) for _ in range(6)), common[0], common[1]]),), (), ()))
    index = ListIndex("national", entries, 0.85)
    assert len(index.tokens) > 1 << 16 and index.post_rows.dtype == "int32"
    names = [rnd.choice(entries).names[0].split() for _ in range(150)]
    subjects = [Subject(f"s{i}", name[-1], tuple(name[:-1]), rnd.choice((None, "1970-01-01"))) for i, name in enumerate(names)]
    subjects += [Subject(f"c{i}", rnd.choice(common), (rnd.choice(common),), None) for i in range(30)]
    subjects.append(Subject("tail", common[1], (common[0],), None))  # the two tokens of VLONG past its row
    probes = [prepare(s) for s in subjects]
    batch = index.search_many(probes, limit=1000)
    assert batch == [index.search(p, limit=1000) for p in probes]
    assert sum(map(len, batch)) > 50
    queries = index._queries(probes)
    candidates = []
    for cost in (0.0, float("inf")):
        monkeypatch.setattr(index_module, "PAIR_COST", cost)
        assert index.search_many(probes, limit=1000) == batch
        candidates.append([a.tolist() for a in index._candidates(queries)])
    assert candidates[0] == candidates[1]


def manifest(seed: int) -> list[Probe]:
    """A few hundred travellers: every accuracy kind (variants and look-alikes), listed names born two years
    off (the edge of the window), names doubling a common token, families sharing a surname, a long name, and
    document holders (listed numbers, some with another state), in a shuffled order."""
    rnd = random.Random(seed)
    subjects = [c.subject for c in build_cases(ENTRIES[3:], seed=seed, per_kind=12)]
    dated = [e for e in ENTRIES[3:] if e.dobs and e.dobs[0].year_from == e.dobs[0].year_to and e.dobs[0].month]
    for i, entry in enumerate(rnd.sample(dated, 30)):
        d = entry.dobs[0]
        tokens = entry.names[0].split()
        born = f"{d.year_from + rnd.choice((-2, 2)):04d}-{d.month:02d}-{max(d.day, 1):02d}"
        subjects.append(Subject(f"w{i}", tokens[-1], tuple(tokens[:-1]), born))
    for i, (first, surname) in enumerate((("MOHAMMED", "MOHAMED"), ("HASSAN", "HASAN"), ("ALI", "ALY"), ("AHMED", "AHMAD"))):
        subjects.append(Subject(f"m{i}", surname, (first, rnd.choice(("KHALID", "OMAR", "YUSUF"))), f"{1950 + 7 * i}-01-01"))
        subjects.append(Subject(f"n{i}", surname, (first,), None))
    for i, entry in enumerate(rnd.sample(ENTRIES[3:], 30)):
        surname = entry.names[0].split()[-1]
        born = None if i % 3 else "1980-02-03"
        subjects.append(Subject(f"f{i}", surname, (rnd.choice(("ANNA", "OMAR", "IVAN", "MARIA")),), born))
    documented = [e for e in ENTRIES if e.documents][:20]
    for i, entry in enumerate(documented):
        number, state = entry.documents[0]
        subjects.append(Subject(f"d{i}", "NOBODY", ("ELSE",), None, None, ((number, state if i % 2 else UNSPECIFIED),)))
    subjects.append(Subject("long", "QASIMI", ("ABDULRAHMAN", "KHALIFA", "SALEH", "MUBARAK", "NOURI", "JABBAR"), "1970-05-06"))
    subjects.append(Subject("long2", "JABBAR", ("TARIQ",), "1970-05-06", "ARE"))  # tokens past the row width
    subjects.append(Subject("wide", "KOWALSKI", ("TEOFIL",), "1960-03-04"))  # a name score of 0.79: the date decides
    rnd.shuffle(subjects)
    return [prepare(s) for s in subjects]


@pytest.mark.parametrize("seed", [3, 17])
def test_a_manifest_gets_the_hits_of_one_traveller_at_a_time(index: ListIndex, seed: int) -> None:
    probes = manifest(seed)
    batch = index.search_many(probes, limit=1000)
    assert batch == [index.search(p, limit=1000) for p in probes]
    found = {h.entry_id for hits in batch for h in hits}
    assert {"LONG-1", "WIDE-1"} <= found
    assert sum(map(len, batch)) > 100  # not vacuous: plenty of hits to compare
    half = probes[::2]  # another company on the flight changes nothing for a traveller
    assert index.search_many(half, limit=1000) == batch[::2]


def test_pair_postings_and_filtered_postings_find_the_same_names(index: ListIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    probes = manifest(5)
    queries = index._queries(probes)
    found, candidates = [], []
    for cost in (0.0, index_module.PAIR_COST, float("inf")):  # every two-token subset by pairs, the default, none
        monkeypatch.setattr(index_module, "PAIR_COST", cost)
        found.append(index.search_many(probes, limit=1000))
        candidates.append([a.tolist() for a in index._candidates(queries)])
    assert found[0] == found[1] == found[2]
    assert candidates[0] == candidates[1] == candidates[2]
    assert len(candidates[0][0]) > 1000


def test_a_long_name_is_found_by_its_tokens_past_the_row(index: ListIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """OMAR and HASSAN are both needed and both common: the read of one is filtered by the other, which for LONG-2
    is only in its whole row (the posting row is cut at the matrix width)."""
    queries = index._queries([prepare(Subject("t", "HASSAN", ("OMAR",), "1975-01-01"))])
    for cost in (0.0, float("inf")):  # by pair postings, by filtered postings
        monkeypatch.setattr(index_module, "PAIR_COST", cost)
        _query_ids, nids = index._candidates(queries)
        assert 2 in index.name_entry[nids].tolist()


@st.composite
def _variants(draw: st.DrawFn, listed: list[str]) -> tuple[str, ...]:
    """A traveller form made from a listed name: tokens kept, misspelt, cut to an initial, dropped or reordered."""
    out = []
    for token in listed:
        how = draw(st.sampled_from(("keep", "keep", "typo", "initial", "drop", "vowel")))
        if how == "typo" and len(token) > 2:
            at = draw(st.integers(1, len(token) - 1))
            token = token[:at] + draw(st.sampled_from("AEIKLMNRSTY")) + token[at + 1:]
        elif how == "initial":
            token = token[0]
        elif how == "drop":
            continue
        elif how == "vowel":
            token = token.replace("A", "E").replace("OU", "U")
        out.append(token)
    return tuple(draw(st.permutations(out))) or (listed[0],)


@given(data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_vectorised_name_scores_are_the_scalar_scores(index: ListIndex, data: st.DataObject) -> None:
    forms: list[tuple[str, ...]] = []
    pairs: list[tuple[int, int]] = []
    for q in range(data.draw(st.integers(1, 4))):
        around = data.draw(st.integers(0, index.names - 1))
        forms.append(data.draw(_variants(index.listed(around))))
        nids = {around, *data.draw(st.lists(st.integers(0, index.names - 1), max_size=6))}
        nids |= {n for n in range(max(0, around - 3), min(index.names, around + 4))}  # neighbours: aliases, spellings
        pairs.extend((q, n) for n in sorted(nids))
    weights = [[index.weight(t) for t in form] for form in forms]
    queries = np.asarray([q for q, _n in pairs], dtype=np.int64)
    nids_ = np.asarray([n for _q, n in pairs], dtype=np.int64)
    expected = [name_score(forms[q], weights[q], index.listed(n), [index.weight(t) for t in index.listed(n)])[0]
                for q, n in pairs]
    assert index._name_scores(forms, weights, queries, nids_, -1.0).tolist() == expected
    # the bound may drop a name only when it cannot reach the floor: a floor at a score, or a hair either side of it
    floor = data.draw(st.sampled_from(expected)) + data.draw(st.sampled_from((-1e-9, -1e-12, 0.0, 1e-12, 1e-9)))
    bounded = index._name_scores(forms, weights, queries, nids_, floor).tolist()
    assert all(got == want if want >= floor else got in (0.0, want) for got, want in zip(bounded, expected, strict=True))


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of one ListIndex method (still doing its work)."""
    calls: list[int] = []
    method = getattr(ListIndex, name)

    def spy(self: ListIndex, *args: object) -> object:
        calls.append(1)
        return method(self, *args)

    monkeypatch.setattr(ListIndex, name, spy)
    return calls


def test_the_pair_postings_are_read_when_cheaper_and_never_when_infinitely_dear(index: ListIndex,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    probes = manifest(5)
    calls = _spy(monkeypatch, "_pair_ranges")
    monkeypatch.setattr(index_module, "PAIR_COST", 0.0)
    with_pairs = index.search_many(probes, limit=1000)
    assert calls
    calls.clear()
    monkeypatch.setattr(index_module, "PAIR_COST", float("inf"))
    assert index.search_many(probes, limit=1000) == with_pairs
    assert not calls


def test_over_the_budget_no_pair_postings_are_built_and_the_hits_stay(index: ListIndex,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    probes = manifest(3)
    expected = index.search_many(probes, limit=1000)
    monkeypatch.setattr(index_module, "PAIR_BUDGET", 0)
    without = ListIndex("generated", ENTRIES, 0.85)
    assert without.pairs_indexed is False and not len(without.pair_key) and index.pairs_indexed
    calls = _spy(monkeypatch, "_pair_ranges")
    monkeypatch.setattr(index_module, "PAIR_COST", 0.0)  # pairs would be preferred: the flag must still keep them out
    assert without.search_many(probes, limit=1000) == expected
    assert not calls


def test_a_list_of_long_names_goes_without_pair_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve-token names under six birth years would make 5.5 pair postings per posting: over the budget. With the
    budget lifted, the long names' pairs are built in numpy: the same pairs as counting them out in Python."""
    rnd = random.Random(4)
    parts = [_made_up(rnd) for _ in range(300)]
    entries = [Entry(f"L{i}", (" ".join(rnd.sample(parts, 12)),), (), (Dob(y, y + 5),) if (y := 1950 + i % 40) else ())
               for i in range(400)]
    lean = ListIndex("long", entries, 0.85)
    assert lean.pairs_indexed is False and not len(lean.pair_key)
    monkeypatch.setattr(index_module, "PAIR_BUDGET", 10**6)
    full = ListIndex("long", entries, 0.85)
    assert full.pairs_indexed
    expected = sorted((int(k), nid) for nid, row in full._long.items()
                      for a, b in itertools.combinations(sorted({t for t in row.tolist() if full.tok_len[t] >= 2}), 2)
                      for y in range(entries[int(full.name_entry[nid])].dobs[0].year_from,
                                     entries[int(full.name_entry[nid])].dobs[0].year_to + 1)
                      for k in [(a << 40) | (b << 16) | y])
    assert sorted(zip(full.pair_key.tolist(), full.pair_nid.tolist(), strict=True)) == expected
    # two of the twelve tokens find the names (by pairs where built), six make hits
    two = [prepare(Subject(f"s{i}", (t := e.names[0].split())[3], (t[7],), rnd.choice((None, "1960-01-01"))))
           for i, e in enumerate(entries[::5])]
    six = [prepare(Subject(f"h{i}", (t := e.names[0].split())[0], tuple(t[2:7]), None)) for i, e in enumerate(entries[::7])]
    monkeypatch.setattr(index_module, "PAIR_COST", 0.0)
    calls = _spy(monkeypatch, "_pair_ranges")
    candidates = [[a.tolist() for a in i._candidates(i._queries(two))] for i in (lean, full)]
    assert candidates[0] == candidates[1] and len(candidates[0][1]) >= len(two) and calls
    assert lean.search_many(six, limit=1000) == full.search_many(six, limit=1000)
    assert sum(map(len, full.search_many(six, limit=1000))) >= len(six)


def test_batches_and_pieces_give_the_hits_of_one_pass(index: ListIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reads go in batches under READ_BUDGET and what they find in pieces of SCORE_CHUNK names: tiny budgets
    (a batch per query, a piece of seven names) change nothing but the memory."""
    probes = manifest(17)
    expected = index.search_many(probes, limit=1000)
    pieces = _spy(monkeypatch, "_name_scores")
    monkeypatch.setattr(index_module, "READ_BUDGET", 1)
    monkeypatch.setattr(index_module, "SCORE_CHUNK", 7)
    assert index.search_many(probes, limit=1000) == expected
    assert len(pieces) > 100


def test_a_list_of_initials_only_builds_and_still_matches_documents() -> None:
    """No name token is indexed (initials are compared, never posted): the index is empty of postings, yet builds,
    ships and finds the entry by its document."""
    entries = [Entry("I-1", ("J K",), (), (Dob(1970, 1970, 1, 2),), ("USA",), (("X1234567", "USA"),)), Entry("I-2", ("A B C",))]
    index = ListIndex("initials", entries, 0.85)
    assert index.postings() == 0
    [hits] = index.search_many([prepare(Subject("t", "K", ("J",), "1970-01-02", "USA", (("X1234567", "USA"),)))])
    assert [h.entry_id for h in hits] == ["I-1"] and hits[0].document
    assert index.search_many([prepare(Subject("u", "SMITH", ("JOHN",), None))]) == [[]]
