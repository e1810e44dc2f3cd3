"""PNRGOV through the running gateway: stored masked in the validation commit, forwarded as a
PnrPush without the sensitive data, the pushed flight's carrier checked against the account."""

from __future__ import annotations

import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import TOKENS, Running, start, wait_for

from conformance.pnrgov import PushSpec, multipart_push

pytestmark = pytest.mark.asyncio(loop_scope="module")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"


UTOPIA_TOKEN = "ut-token-0123456789"
# an account under the Utopia profile, which answers every push with an ACKRES besides the CONTRL
UTOPIA_ACCOUNT = """
[[accounts]]
name = "UT"
senders = ["ZZ"]
carriers = ["ZZ"]
profile = "utopia"
token_file = "UT.token"
"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("pnr")
    (folder / "UT.token").write_text(UTOPIA_TOKEN)
    running = await start(folder, extra=UTOPIA_ACCOUNT)
    yield running
    await running.gateway.stop()


async def send(gw: Running, body: bytes, token: str = TOKENS["ZZ"]) -> tuple[str, str, bytes]:
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session, session.post(
            f"{gw.url}/v1/messages", data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/edifact"}) as response:
        assert response.status == 200
        return response.headers["X-Paxgate-Receipt"], response.headers["X-Paxgate-Verdict"], await response.read()


def forwarded(gw: Running) -> list[dict]:
    folder = gw.data_dir / "out" / "test"
    return [msgspec.json.decode(p.read_bytes()) for p in sorted(folder.glob("*.json"))]


async def test_sensitive_data_is_masked_in_the_store_and_never_forwarded(gw: Running):
    raw = (FIXTURES / "pnrgov-13-update-push.edi").read_bytes()
    receipt, verdict, contrl = await send(gw, raw)
    assert verdict == "accepted" and b"UCI+PNR0000000731+ZZ+PAXGATEPNR+7'" in contrl
    await wait_for(lambda: any(u.get("flight") == "ZZ0731" for u in forwarded(gw)))
    stored = await gw.gateway.store.payload(receipt)
    assert stored is not None and len(stored) == len(raw)
    assert b"MOML" not in stored and b"PREGNANT" not in stored and b"SSR+XXXX:HK" in stored
    [unit] = [u for u in forwarded(gw) if u.get("flight") == "ZZ0731"]
    body = msgspec.json.encode(unit)
    assert b"MOML" not in body and b"PREGNANT" not in body
    assert (unit["format"], unit["document"], unit["flight_date"]) == ("pnrgov", "PNRGOV", "2026-12-05")
    push = unit["unit"]["push"]
    assert [p["locator"] for p in push["pnrs"]] == ["K7WQ2D", "P3MNX8", "T9BVC4"]
    assert push["pnrs"][0]["masked"] == 2 and push["pnrs"][1]["cancelled"] is True
    masked = [f for f in unit["unit"]["findings"] if f["code"] == "PNR-SENSITIVE-MASKED"]
    assert [f["location"]["segment_tag"] for f in masked] == ["SSR", "IFT"]


async def test_a_push_for_another_carrier_is_refused_at_tvl(gw: Running):
    raw = (FIXTURES / "pnrgov-iata-push.edi").read_bytes().replace(b"+LHR+IST+ZZ+0456'", b"+LHR+IST+QQ+0456'", 1)
    _, verdict, contrl = await send(gw, raw.replace(b"PNR0000000042", b"PNR0000000043"))
    assert verdict == "rejected"
    # the level-0 TVL is segment 4; its carrier is element 4, which CONTRL's 0098 counts as 5 (the tag is 1)
    assert b"UCM+1+PNRGOV:11:1:IA+4'UCS+4'UCD+12+5:1'" in contrl


async def test_a_profile_that_asks_gets_an_ackres_besides_the_contrl(gw: Running):
    raw = (FIXTURES / "pnrgov-iata-push.edi").read_bytes().replace(b"PAXGATEPNR", b"UTOAPI").replace(
        b"PNR0000000042", b"PNR0000000044").replace(b"EQN+2'", b"EQN+3'")
    receipt, verdict, body = await send(gw, raw, UTOPIA_TOKEN)
    assert verdict == "accepted_with_warnings"  # EQN 3 for 2 PNRs: a business finding, never a rejection
    kinds = [a.kind for a in await gw.gateway.store.acknowledgements(receipt)]
    assert sorted(kinds) == ["ackres", "contrl"]
    # the HTTP answer carries both interchanges, each with its own UNB
    assert body.count(b"UNB+IATA:1+UTOAPI+ZZ+") == 2
    assert b"UCI+PNR0000000044+ZZ+UTOAPI+7'" in body
    assert b"UNH+1+ACKRES:11:1:IA'MSG+:22'ERC+102'IFT+3+PNR-EQN-TOTAL EQN/5?: EQN says the push holds 3 PNRs" in body


async def test_a_multipart_push_is_forwarded_whole_with_its_totals_against_eqn(gw: Running):
    parts = multipart_push(PushSpec(pnrs=5, seed=21, flight_number="0611", reference="PNR0000000611"), 3)
    for body in (parts[2], parts[0]):  # out of order, and the middle part still missing
        await send(gw, body)
    assert not [u for u in forwarded(gw) if u.get("flight") == "ZZ0611"]
    await send(gw, parts[1])
    await wait_for(lambda: any(u.get("flight") == "ZZ0611" for u in forwarded(gw)))
    [unit] = [u for u in forwarded(gw) if u.get("flight") == "ZZ0611"]
    assert unit["unit"]["sequences"] == [1, 2, 3] and unit["unit"]["incomplete"] is False
    assert unit["unit"]["totals"] == {"declared_pnrs": [5], "pnrs": 5, "consistent": True, "matches": True}
    assert [p["push"]["part"]["sequence"] for p in unit["unit"]["parts"]] == [1, 2, 3]
