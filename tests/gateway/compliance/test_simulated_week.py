"""A simulated week for 20 carriers, through the real pipeline and store, scored by the ledger; every
figure is recomputed here from the generator's own labels (what it meant to send), not by the code
under test. The CLI's JSON export must carry the same figures."""

from __future__ import annotations

import asyncio
import io
import sys
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from simulation import load_week, sim_config

from conformance.traffic import ELEMENTS, SimMessage, week
from gateway.cli import main
from gateway.compliance.schedule import parse_schedule
from gateway.compliance.service import Compliance, parse_period
from gateway.profiles import load_profile
from gateway.store.sqlite import SqliteStore

PERIOD = "2026-11-13..2026-11-24"  # every departure of the week and every list sent for it
AS_OF = datetime(2026, 11, 26, tzinfo=UTC)


def expected_status(messages: list[SimMessage]) -> str:
    """What the generator's labels say the flight's API obligation came to."""
    usable = [m for m in messages if not m.rejected and not m.duplicate]
    if not messages:
        return "missing"
    if not usable:
        return "rejected"
    if not any(m.final for m in usable):
        return "incomplete"
    return "late" if any(m.timing == "late" for m in usable) else "on_time"


def cli(argv: list[str]) -> str:
    """Run ``paxgate`` in this process (in a thread: it runs its own event loop) and return its stdout."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@pytest.mark.asyncio
async def test_a_simulated_week_scores_as_its_labels_say(tmp_path: Path):
    sim = week(seed=7, carriers=20)
    assert len(sim.carriers) == 20
    config = sim_config(tmp_path, sim)
    store = SqliteStore(config.path(config.store.path))
    await store.open()
    try:
        await load_week(store, config, sim)
        for carrier in sim.carriers[1:]:
            await store.save_schedule(parse_schedule(sim.schedule_csv(carrier), carrier=carrier), "test")
    finally:
        await store.close()
    first = sim.carriers[0]  # one schedule goes in through the CLI, as an operator would import it
    schedule = tmp_path / "schedule.csv"
    schedule.write_text(sim.schedule_csv(first))
    assert await asyncio.to_thread(main, ["compliance", "import-schedule", str(schedule), "--carrier", first, "--config",
                                          str(tmp_path / "paxgate.toml")]) == 0

    by_flight: dict[tuple[str, str, datetime], list[SimMessage]] = defaultdict(list)
    for m in sim.messages:
        by_flight[(m.carrier, m.flight.designator, m.flight.departure_utc)].append(m)
    expected: dict[str, dict[str, object]] = {}
    for carrier in sim.carriers:
        flights = [f for f in sim.flights if f.carrier == carrier]
        statuses = Counter(expected_status(by_flight[(carrier, f.designator, f.departure_utc)]) for f in flights)
        sent = [m for m in sim.messages if m.carrier == carrier]
        counted = [m for m in sent if not m.rejected and not m.duplicate]
        travellers = sum(m.travellers for m in counted)
        valid = {e: sum(m.valid[e] for m in counted) for e in ELEMENTS}
        expected[carrier] = {
            "flights": len(flights), "scheduled": sum(f.scheduled for f in flights), "due": len(flights),
            "statuses": statuses, "timeliness": pct(statuses["on_time"], len(flights)), "receipts": len(sent),
            "rejected": sum(m.rejected for m in sent), "duplicates": sum(m.duplicate for m in sent),
            "rejection": pct(sum(m.rejected for m in sent), len(sent)), "travellers": travellers,
            "elements": {e: pct(valid[e], travellers) for e in ELEMENTS},
            "sufficiency": pct(sum(valid.values()), travellers * len(ELEMENTS)),
        }
    # the week has every kind of outcome, or the comparison below would prove less than it seems
    overall = sum((e["statuses"] for e in expected.values()), Counter())  # type: ignore[misc]
    assert all(overall[s] > 0 for s in ("on_time", "late", "missing", "rejected", "incomplete")), overall
    assert sum(e["duplicates"] for e in expected.values()) > 0  # type: ignore[misc]
    assert any(e["sufficiency"] != 100.0 for e in expected.values())

    store = SqliteStore(config.path(config.store.path))
    await store.open()
    try:
        cards = {c.carrier: c for c in await Compliance(store, load_profile).scorecards(parse_period(PERIOD), AS_OF)}
    finally:
        await store.close()
    assert sorted(cards) == sorted(sim.carriers)
    for carrier, want in expected.items():
        card = cards[carrier]
        got = {"flights": card.flights, "scheduled": card.scheduled_flights, "due": card.obligations_due,
               "statuses": Counter({k: v for k, v in card.outcomes.items() if v}), "timeliness": card.timeliness,
               "receipts": card.receipts, "rejected": card.rejected_receipts, "duplicates": card.duplicate_receipts,
               "rejection": card.rejection, "travellers": card.travellers, "elements": card.elements,
               "sufficiency": card.sufficiency}
        assert got == want, carrier
        assert card.obligations_pending == 0
        if card.rejected_receipts:  # the rejections' finding is among the worst, with example receipts
            worst = {f.code: f for f in card.findings}
            assert worst["EDI-UNT-COUNT"].receipts == card.rejected_receipts
            assert worst["EDI-UNT-COUNT"].examples

    exported = {c["carrier"]: c for c in msgspec.json.decode(await asyncio.to_thread(
        cli, ["compliance", "report", "--period", PERIOD, "--as-of", AS_OF.isoformat(), "--json",
              "--config", str(tmp_path / "paxgate.toml")]))}
    for carrier, want in expected.items():
        assert exported[carrier]["timeliness"] == want["timeliness"]
        assert exported[carrier]["rejection"] == want["rejection"]
        assert exported[carrier]["sufficiency"] == want["sufficiency"]
    header, row = (await asyncio.to_thread(
        cli, ["compliance", "report", "--carrier", first, "--period", PERIOD, "--as-of", AS_OF.isoformat(), "--csv",
              "--config", str(tmp_path / "paxgate.toml")])).splitlines()
    line = dict(zip(header.split(","), row.split(","), strict=True))
    assert line["carrier"] == first
    assert line["timeliness_pct"] == str(expected[first]["timeliness"])
    assert int(line["receipts"]) == expected[first]["receipts"]
