"""Screening in the running gateway: every traveller of a forwarded unit is checked against the
configured lists before the outbox row is written; hits travel in the forwarded document, the
receipt history says how many (never who), and an analyst's suppression takes effect at once."""

from __future__ import annotations

import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import ADMIN, TOKENS, VIEWER, Running, start, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "edifact"
UPDATE = (FIXTURES / "pnrgov-13-update-push.edi").read_bytes()

# Two invented list entries: one is a traveller of the update push (same name, birth date and
# passport), one shares only a common given name with nobody on board.
LIST = """list_id,entry_id,surname,given_names,aliases,birth_date,nationality,document_number,document_state,reason
NAT,N-100,HADDAD,LAYLA,,1985-01-12,JOR,N1234567,JOR,Invented entry for the gateway test
NAT,N-200,OKONKWO,CHIDI,,1970,NGA,,,Invented entry nobody matches
"""
SCREENING = """
[screening]
[[screening.lists]]
name = "national"
path = "watchlists/national.csv"
threshold = 0.85
"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("screen")
    (folder / "watchlists").mkdir()
    (folder / "watchlists" / "national.csv").write_text(LIST, encoding="utf-8")
    running = await start(folder, extra=SCREENING)
    yield running
    await running.gateway.stop()


async def send(gw: Running, body: bytes) -> str:
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session, session.post(
            f"{gw.url}/v1/messages", data=body,
            headers={"Authorization": f"Bearer {TOKENS['ZZ']}", "Content-Type": "application/edifact"}) as response:
        assert response.status == 200 and response.headers["X-Paxgate-Verdict"] == "accepted"
        return response.headers["X-Paxgate-Receipt"]


def forwarded(gw: Running, receipt: str) -> dict:
    folder = gw.data_dir / "out" / "test"
    if not folder.exists():
        return {}
    found = [msgspec.json.decode(p.read_bytes()) for p in folder.iterdir() if p.name.startswith(receipt)]
    return found[0] if found else {}


async def operator(gw: Running, method: str, path: str, token: str, body: object = None) -> tuple[int, object]:
    async with aiohttp.ClientSession() as session, session.request(
            method, f"{gw.operator_url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, await response.json(content_type=None)


async def test_hits_travel_with_the_unit_and_a_suppression_takes_effect(gw: Running):
    receipt = await send(gw, UPDATE)
    await wait_for(lambda: bool(forwarded(gw, receipt)))
    screening = forwarded(gw, receipt)["unit"]["screening"]
    assert screening["lists"] == [{"name": "national", "entries": 2}] and screening["travellers"] == 3
    [subject] = screening["hits"]
    assert subject["subject_ref"].startswith("p1/K7WQ2D/")  # the PNR and passenger reference, not a name
    [hit] = subject["hits"]
    assert (hit["list"], hit["entry_id"], hit["document"]) == ("national", "N-100", True) and hit["score"] >= 0.85
    assert hit["explanation"]  # an analyst can read why
    events = [e for e in await gw.gateway.store.events(receipt) if e.stage == "screened"]
    assert [(e.detail["travellers"], e.detail["with_hits"]) for e in events] == [(3, 1)]
    assert "HADDAD" not in gw.log.getvalue()  # logs and events carry counts only

    status, _ = await operator(gw, "POST", "/v1/screening/suppressions", VIEWER,
                               {"identity": subject["identity"], "list": "national", "entry_id": "N-100", "reason": "x"})
    assert status == 403  # a viewer cannot decide
    decision = {"identity": subject["identity"], "list": "national", "entry_id": "N-100",
                "reason": "different person: checked with the carrier, case 2026-118"}
    status, body = await operator(gw, "POST", "/v1/screening/suppressions", ADMIN, decision)
    assert status == 201 and body["created"] is True  # type: ignore[index]
    status, listed = await operator(gw, "GET", "/v1/screening/suppressions", VIEWER)
    assert status == 200 and [(s["entry_id"], s["actor"]) for s in listed] == [("N-100", "operator:ada")]  # type: ignore[union-attr]
    trail = await gw.gateway.store.audit_trail()
    assert any(a.action == "screening_suppressed" and a.detail["entry_id"] == "N-100" for a in trail)

    # the same traveller on a later push (new references, new content): the decided hit is gone
    later = UPDATE.replace(b"PNR0000000731", b"PNR0000000732").replace(b"DAT+700:041226:2210", b"DAT+700:051226:0810")
    second = await send(gw, later)
    await wait_for(lambda: bool(forwarded(gw, second)))
    assert forwarded(gw, second)["unit"]["screening"]["hits"] == []
