"""Multi-part lists: joined in sequence order whatever order the parts come in, forwarded once
complete, or flagged incomplete with the gaps when the completeness timer fires; versions."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import TOKENS, Running, start, wait_for

from conformance.builders import PaxlstSpec, paxlst
from gateway.store.base import iso

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    running = await start(tmp_path_factory.mktemp("asm"))
    yield running
    await running.gateway.stop()


async def send(gw: Running, body: bytes) -> str:
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session, session.post(
            f"{gw.url}/v1/messages", data=body,
            headers={"Authorization": f"Bearer {TOKENS['ZZ']}", "Content-Type": "application/edifact"}) as response:
        assert response.status == 200 and response.headers["X-Paxgate-Verdict"] != "rejected"
        return response.headers["X-Paxgate-Receipt"]


def part(flight: str, sequence: int, first_last: str, seed: int) -> bytes:
    return paxlst(PaxlstSpec(seed=seed, flight=flight, reference=f"{flight}{sequence:02d}{seed:04d}", sequence=sequence,
                             first_last=first_last))


def forwarded(gw: Running) -> list[dict]:
    folder = gw.data_dir / "out" / "test"
    return [msgspec.json.decode(p.read_bytes()) for p in sorted(folder.glob("*.json"))]  # not the sink's .tmp files


def for_flight(gw: Running, flight: str) -> list[dict]:
    return [u for u in forwarded(gw) if u["flight"] == flight]


async def test_parts_in_any_order_are_forwarded_once_all_are_in(gw: Running):
    second = await send(gw, part("ZZ0700", 2, "C", 1))
    await send(gw, part("ZZ0700", 3, "F", 2))
    assert for_flight(gw, "ZZ0700") == []
    stages = [e.stage for e in await gw.gateway.store.events(second)]
    assert "part_held" in stages
    last = await send(gw, part("ZZ0700", 1, "C", 3))
    await wait_for(lambda: len(for_flight(gw, "ZZ0700")) == 1)
    unit = for_flight(gw, "ZZ0700")[0]
    assert unit["key"] == f"{last}:1" and unit["version"] == 1 and unit["replaces"] is None
    assert unit["unit"]["sequences"] == [1, 2, 3] and unit["unit"]["incomplete"] is False
    assert [p["manifest"]["part"]["sequence"] for p in unit["unit"]["parts"]] == [1, 2, 3]
    assert unit["common_access_reference"] == "ZZ0700/261124/1030"


async def test_the_completeness_timer_forwards_what_arrived_with_the_gaps(gw: Running):
    await send(gw, part("ZZ0800", 1, "C", 4))
    await send(gw, part("ZZ0800", 3, "F", 5))
    assert await gw.gateway.pipeline.expire_units() == 0  # 30 minutes have not passed
    later = iso(datetime.now(UTC) + timedelta(minutes=31))
    assert await gw.gateway.pipeline.expire_units(now=later) == 1
    await wait_for(lambda: len(for_flight(gw, "ZZ0800")) == 1)
    unit = for_flight(gw, "ZZ0800")[0]
    assert unit["unit"]["incomplete"] is True and unit["unit"]["missing"] == [2] and unit["unit"]["sequences"] == [1, 3]
    assert unit["key"].endswith(":incomplete")
    # the late part completes a new version that replaces the incomplete one
    await send(gw, part("ZZ0800", 2, "C", 6))
    await wait_for(lambda: len(for_flight(gw, "ZZ0800")) == 2)
    newer = next(u for u in for_flight(gw, "ZZ0800") if u["version"] == 2)
    assert newer["unit"]["sequences"] == [1, 2, 3] and newer["unit"]["incomplete"] is False
    assert newer["replaces"] == unit["key"]


async def test_a_corrected_single_part_list_is_a_new_version_replacing_the_old(gw: Running):
    first = await send(gw, paxlst(PaxlstSpec(seed=7, flight="ZZ0900", reference="VERSION00001")))
    second = await send(gw, paxlst(PaxlstSpec(seed=8, flight="ZZ0900", reference="VERSION00002")))
    await wait_for(lambda: len(for_flight(gw, "ZZ0900")) == 2)
    by_version = {u["version"]: u for u in for_flight(gw, "ZZ0900")}
    assert by_version[1]["receipt"] == first and by_version[2]["receipt"] == second
    assert by_version[2]["replaces"] == f"{first}:1"
