"""A running gateway (tests/gateway/gateway_harness.py) with a hand-made compliance scenario for
carrier ZZ, stored through the real pipeline with chosen receive times.

Yesterday (UTC), LHR → JFK:
- ZZ0777 departs 10:00 local: its API list comes in four parts; part 1 and the final part 4 on
  time, part 2 twenty minutes after departure (late), part 3 never (missing) → ``incomplete``;
- ZZ0778 is scheduled and nothing is sent → ``missing``;
- ZZ0779 gets one list the gateway rejects (UNT count wrong), then nothing → ``rejected``.

Imported by path (the suite runs with --import-mode=importlib).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from gateway_harness import Running

from conformance.traffic import api_list, flight_on
from gateway.pipeline import new_receipt_id
from gateway.store.base import Receipt, iso


@dataclass
class Scenario:
    day: datetime
    incomplete_key: str
    receipts: dict[str, str]  # label → receipt id
    schedule_csv: str


def build(now: datetime | None = None) -> tuple[Scenario, list[tuple[str, bytes, datetime]]]:
    now = now or datetime.now(UTC)
    day = (now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if day.month != now.month:  # keep the scenario inside the dashboard's default period (this month)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    f777 = flight_on("ZZ", "ZZ0777", "LHR", "JFK", day + timedelta(hours=10))
    f778 = flight_on("ZZ", "ZZ0778", "LHR", "JFK", day + timedelta(hours=12))
    f779 = flight_on("ZZ", "ZZ0779", "LHR", "JFK", day + timedelta(hours=14))
    lines = ["carrier,flight,departure_airport,arrival_airport,departure_local,arrival_local"]
    lines += [f"ZZ,{f.designator},LHR,JFK,{f.departure_local:%Y-%m-%dT%H:%M},{f.arrival_local:%Y-%m-%dT%H:%M}"
              for f in (f777, f778, f779)]
    dep = f777.departure_utc
    sends = [
        ("part1", api_list(f777, dep - timedelta(hours=3), reference="ZZ7770001", seed=1, sequence=1, final=False),
         dep - timedelta(hours=3)),
        ("part4", api_list(f777, dep - timedelta(hours=1), reference="ZZ7770004", seed=4, sequence=4, final=True),
         dep - timedelta(hours=1)),
        ("part2", api_list(f777, dep + timedelta(minutes=20), reference="ZZ7770002", seed=2, sequence=2, final=False),
         dep + timedelta(minutes=20)),
        ("rejected", api_list(f779, f779.departure_utc - timedelta(hours=2), reference="ZZ7790001", seed=9,
                              defects=("unt-count",)), f779.departure_utc - timedelta(hours=2)),
    ]
    key = f"ZZ777@{dep:%Y-%m-%dT%H%M}"
    return Scenario(day, key, {}, "\n".join(lines) + "\n"), sends


async def load(gw: Running, scenario: Scenario, sends: list[tuple[str, bytes, datetime]]) -> None:
    gateway = gw.gateway
    assert gateway.pipeline is not None
    account = await gateway.store.account("ZZ")
    assert account is not None
    for label, data, at in sends:
        receipt = Receipt(id=new_receipt_id(), seq=0, account="ZZ", channel="https", received_at=iso(at),
                          sha256=hashlib.sha256(data).hexdigest(), size=len(data), test=True, state="received")
        stored, _ = await gateway.store.intake(receipt, data)
        await gateway.pipeline.process(stored, data, account)
        scenario.receipts[label] = stored.id
