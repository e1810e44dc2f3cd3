"""The screener: loading, hot reload under concurrent screening, allow-list, subjects and identity keys."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from gateway.config import load_config
from gateway.screening import screener as screener_module
from gateway.screening.generate import generate, write_list
from gateway.screening.lists import Dob, Entry, ListError, write_csv
from gateway.screening.screener import AllowList, ListSpec, Screener, specs_from_config
from gateway.screening.subjects import Subject, identity_key, subjects_of_manifest, subjects_of_push
from validators.pnrgov.model import Passenger, Pnr, PnrPush, TravelDocument
from validators.validate import validate

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
PLANTED = Entry("PLANTED-1", ("OMAR AL-RASHID",), (), (Dob(1979, 1979, 1, 2),), ("JOR",))
SUBJECT = Subject("m1/t23", "AL-RASHID", ("OMAR",), "1979-01-02", "JOR")


def write(path: Path, entries: list[Entry]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(entries, out, "TEST")


def test_load_several_lists_and_stats(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", [PLANTED, *generate(200, seed=1)])
    screener = Screener.load([ListSpec("un", str(FIXTURES / "watchlists" / "un-small.xml")),
                              ListSpec("national", str(tmp_path / "a.csv"), "csv", 0.9)])
    stats = {s.name: s for s in screener.stats()}
    assert stats["un"].entries == 3 and stats["un"].format == "un"
    assert stats["national"].entries == 201 and stats["national"].threshold == 0.9
    assert stats["national"].names >= 201 and stats["national"].postings > 0 and stats["national"].index_bytes > 0
    [result] = screener.screen([SUBJECT])
    assert [h.entry_id for h in result.hits] == ["PLANTED-1"] and result.hits[0].list == "national"


def test_bad_specs(tmp_path: Path) -> None:
    with pytest.raises(ListError, match="twice"):
        Screener.load([ListSpec("a", "x"), ListSpec("a", "y")])
    with pytest.raises(ListError, match="threshold"):
        Screener.load([ListSpec("a", "x", threshold=85)])
    with pytest.raises(ListError, match="cannot read"):
        Screener.load([ListSpec("a", str(tmp_path / "missing.csv"))])


def test_hot_reload_swaps_atomically_while_screening_keeps_answering(tmp_path: Path) -> None:
    """Readers run the whole time; every answer comes from the old list or the new one, never neither."""
    path = tmp_path / "list.csv"
    background = generate(3000, seed=2)
    write(path, [PLANTED, *background])
    screener = Screener.load([ListSpec("national", str(path))])
    renamed = Entry("PLANTED-2", PLANTED.names, (), PLANTED.dobs, PLANTED.nationalities)
    write(path, [renamed, *background])  # the next version of the list

    seen: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                [result] = screener.screen([SUBJECT])
                seen.append("|".join(h.entry_id for h in result.hits))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    before = len(seen)
    screener.reload()
    during = len(seen)
    time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert during > before  # readers answered while the new index was being built
    assert set(seen) <= {"PLANTED-1", "PLANTED-2"}  # never a half index, never nothing
    assert seen[-1] == "PLANTED-2" and screener.reloads == 1


def test_failed_reload_keeps_the_old_lists(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    write(path, [PLANTED])
    screener = Screener.load([ListSpec("national", str(path))])
    path.write_text("not,a,list\n")
    with pytest.raises(ListError):
        screener.reload()
    assert screener.screen([SUBJECT])[0].hits[0].entry_id == "PLANTED-1"


class _DyingBuildPool(ProcessPoolExecutor):
    """A build pool whose subprocess dies on its first task, as one the kernel kills for memory would."""

    def submit(self, fn: object, /, *args: object, **kwargs: object) -> Future[None]:  # type: ignore[override]
        return super().submit(os._exit, 1)


def test_a_build_subprocess_that_dies_keeps_the_old_lists_and_the_poller(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A reload whose build subprocess dies (BrokenProcessPool, not a ListError) is logged by type only; the old
    lists keep answering and the poller keeps polling."""
    path = tmp_path / "list.csv"
    write(path, [PLANTED])
    screener = Screener.load([ListSpec("national", str(path))])
    write(path, [PLANTED, Entry("PLANTED-2", ("OMAR AL-RASHID",), (), (Dob(1979, 1979, 1, 2),), ("JOR",))])
    os.utime(path, (time.time() + 5, time.time() + 5))
    monkeypatch.setattr(screener_module, "ProcessPoolExecutor", _DyingBuildPool)

    async def main() -> tuple[list[dict[str, object]], bool]:
        with capture_logs() as logs:
            task = asyncio.create_task(screener.watch(0.2))
            deadline = time.monotonic() + 30
            while not any(e["event"] == "watchlist_reload_failed" for e in logs) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            running = not task.done()
            task.cancel()
        return logs, running

    logs, running = asyncio.run(main())
    failed = [e for e in logs if e["event"] == "watchlist_reload_failed"]
    assert failed and failed[0]["error"] == "BrokenProcessPool" and running
    assert "RASHID" not in repr(logs) and "OMAR" not in repr(logs)
    assert screener.reloads == 0
    assert [h.entry_id for h in screener.screen([SUBJECT])[0].hits] == ["PLANTED-1"]


def test_async_reload_does_not_stall_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    write(path, [PLANTED, *generate(20000, seed=4)])
    screener = Screener.load([ListSpec("national", str(path))])

    async def main() -> tuple[int, float]:
        ticks = 0
        worst = 0.0

        async def ticker() -> None:
            nonlocal ticks, worst
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                worst = max(worst, now - last)
                last = now
                ticks += 1

        task = asyncio.create_task(ticker())
        await screener.reload_async()
        task.cancel()
        return ticks, worst

    ticks, worst = asyncio.run(main())
    assert ticks > 5  # the loop kept running while the index was built in a subprocess
    assert screener.reloads == 1
    print(f"event loop during a 20k-entry reload: {ticks} ticks, worst gap {worst * 1000:.0f} ms")


def test_changed_files_are_noticed(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    write(path, [PLANTED])
    screener = Screener.load([ListSpec("national", str(path))])
    assert not screener.changed()
    time.sleep(0.01)
    write(path, [PLANTED, *generate(5, seed=1)])
    import os  # noqa: PLC0415
    os.utime(path, (time.time() + 5, time.time() + 5))
    assert screener.changed()


def test_allow_list_suppresses_one_decided_pair(tmp_path: Path) -> None:
    other = Entry("OTHER", ("OMAR RASHID",), (), (Dob(1979, 1979, 1, 2),))
    screener = Screener.from_entries([(ListSpec("national", "memory"), [PLANTED, other])])
    identity = identity_key(SUBJECT)
    allow = AllowList([(identity, "national", "PLANTED-1")])
    [result] = screener.screen([SUBJECT], suppressed=allow)
    assert [h.entry_id for h in result.hits] == ["OTHER"]
    allow.add(identity, "national", "OTHER")
    assert screener.screen([SUBJECT], suppressed=allow) == []
    allow.remove(identity, "national", "OTHER")
    assert len(allow) == 1
    someone_else = Subject("m1/t99", "AL-RASHID", ("OMAR",), "1979-01-02", "JOR", (("X99999999", "JOR"),))
    assert len(screener.screen([someone_else], suppressed=allow)[0].hits) == 2  # another identity is not silenced


def test_identity_key_is_stable_and_not_the_name() -> None:
    key = identity_key(SUBJECT)
    assert len(key) == 32 and "RASHID" not in key.upper()
    assert identity_key(Subject("other-ref", "Al Rashid", ("omar",), "1979-01-02")) == key  # order, case, punctuation
    assert identity_key(Subject("x", "OMAR", ("AL-RASHID",), "1979-01-02")) == key
    assert identity_key(Subject("x", "AL-RASHID", ("OMAR",), "1979-01-03")) != key
    assert identity_key(Subject("x", "AL-RASHID", ("OMAR",), "1979-01-02", None, (("N08812345", "JOR"),))) != key


def test_subjects_of_a_manifest() -> None:
    report = validate((FIXTURES / "edifact" / "paxlst-d05b-clean.edi").read_bytes())
    subjects = [s for m in report.manifests for s in subjects_of_manifest(m)]
    omar = next(s for s in subjects if s.surname == "AL-RASHID")
    assert omar == Subject("m1/t23", "AL-RASHID", ("OMAR",), "1979-01-02", "JOR", (("N08812345", "JOR"), ("C1234567", "USA")))


def test_subjects_of_a_push() -> None:
    push = PnrPush(message=3, format="pnrgov", version="13.1", kind="full", pnrs=(
        Pnr("ABC123", passengers=(
            Passenger("AL-RASHID", ("OMAR",), reference="2", birth_date="1979-01-02",
                      documents=(TravelDocument("P", "N08812345", "JOR", "JOR"),)),
            Passenger("DOE", ("JANE",)),
        )),
        Pnr("ZZZ999", cancelled=True, passengers=(Passenger("GONE"),)),
    ))
    subjects = subjects_of_push(push)
    assert [s.ref for s in subjects] == ["p3/ABC123/2", "p3/ABC123/#2"]  # a passenger without a reference: its position
    assert subjects[0].nationality == "JOR" and subjects[0].documents == (("N08812345", "JOR"),)
    assert subjects[1].surname == "DOE" and subjects[1].birth_date is None


def test_specs_from_config(tmp_path: Path) -> None:
    config_file = tmp_path / "paxgate.toml"
    config_file.write_text(f'data_dir = "{tmp_path}"\n[screening]\nreload_seconds = 60\n'
                           '[[screening.lists]]\nname = "un"\npath = "lists/un.xml"\nformat = "un"\n'
                           '[[screening.lists]]\nname = "nat"\npath = "/abs/nat.csv"\nthreshold = 0.8\n')
    specs = specs_from_config(load_config(config_file))
    assert specs == [ListSpec("un", str(tmp_path / "lists" / "un.xml"), "un", 0.85), ListSpec("nat", "/abs/nat.csv", None, 0.8)]


def test_generated_list_in_every_format_finds_the_planted_traveller(tmp_path: Path) -> None:
    for fmt in ("un", "ftm", "csv"):
        path = tmp_path / f"list.{fmt}"
        write_list([PLANTED, *generate(100, seed=8)], fmt, path)
        [result] = Screener.load([ListSpec(fmt, str(path))]).screen([SUBJECT])
        assert result.hits[0].entry_id == "PLANTED-1", fmt


def test_greek_and_hebrew_script_travellers_are_screened_by_name() -> None:
    """Such names used to fold to no token, so these travellers were never compared with any listed name."""
    greek = Entry("GR-1", ("GEORGIOS PAPADOPOULOS",), (), (Dob(1961, 1961, 3, 4),), ("GRC",))
    hebrew = Entry("IL-1", ("BINYAMIN NETANYAHU",), (), (Dob(1949, 1949, 10, 21),), ("ISR",))
    screener = Screener.from_entries([(ListSpec("national", "memory"), [greek, hebrew, *generate(300, seed=2)])])
    found = screener.screen([Subject("g", "ΠΑΠΑΔΟΠΟΥΛΟΣ", ("ΓΕΩΡΓΙΟΣ",), "1961-03-04", "GRC"),
                             Subject("h", "נתניהו", ("בנימין",), "1949-10-21", "ISR")])
    assert {r.subject_ref: [h.entry_id for h in r.hits][:1] for r in found} == {"g": ["GR-1"], "h": ["IL-1"]}


def test_a_saved_index_maps_back_with_the_same_answers(tmp_path: Path) -> None:
    """What a build subprocess ships (ListIndex.save) must screen exactly like the index it came from,
    including names longer than the row matrix (kept aside whole) and documents."""
    from gateway.screening.index import ROW_WIDTH, ListIndex  # noqa: PLC0415
    from gateway.screening.screener import prepare  # noqa: PLC0415

    long_name = " ".join(["ABDULRAHMAN", "KHALIFA", "BIN", "SALEH", "MUBARAK", "QASIMI", "NOURI", "JABBAR", "TARIQ"])
    long_entry = Entry("LONG-1", (long_name,), (), (Dob(1970, 1970, 5, 6),), ("ARE",), (("X1234567", "ARE"),))
    entries = [PLANTED, long_entry, *generate(3000, seed=5)]
    built = ListIndex("national", entries, 0.85)
    assert any(len(built.listed(nid)) > ROW_WIDTH for nid in range(built.names))
    path = tmp_path / "national.index"
    built.save(str(path))
    mapped = ListIndex.open(str(path))
    path.unlink()  # the mapping outlives the file
    subjects = [SUBJECT, Subject("r2", "QASIMI", ("ABDULRAHMAN", "KHALIFA", "SALEH", "MUBARAK", "NOURI", "JABBAR", "TARIQ"),
                                 "1970-05-06"), Subject("r3", "NOBODY", ("ELSE",), None, None, (("X 1234-567", "ARE"),))]
    for entry in entries[2:60]:
        subjects.append(Subject(f"g-{entry.id}", entry.names[0], (), None))
    for subject in subjects:
        probe = prepare(subject)
        assert [(h.entry_id, h.score, h.explanation) for h in built.search(probe)] == \
            [(h.entry_id, h.score, h.explanation) for h in mapped.search(probe)]
    assert [h.entry_id for h in mapped.search(prepare(subjects[1]))][:1] == ["LONG-1"]
    assert [h.entry_id for h in mapped.search(prepare(subjects[2]))] == ["LONG-1"]
    assert mapped.entry(1) == long_entry and mapped.names == built.names
