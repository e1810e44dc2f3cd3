"""Interactive API: a PAXLST whose UNB 0026 the profile marks interactive is answered at once with a
CUSRES; the directives come from the national decision hook (a real HTTP server here) within the
deadline, or from the configured fallback when the hook is slow, broken or unreadable."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio
from aiohttp import web

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import TOKENS, Running, start

from conformance.builders import PaxlstSpec, paxlst

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Hook:
    """The state's decision service: answers no_board for the first traveller, or misbehaves."""

    def __init__(self) -> None:
        self.mode = "answer"
        self.requests: list[dict] = []
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.mode == "slow":
            await asyncio.sleep(5)
        if self.mode == "broken":
            return web.Response(status=500)
        if self.mode == "garbage":
            return web.json_response({"decisions": [{"message": 1, "position": 1, "directive": "shoot"}]})
        first = body["messages"][0]
        return web.json_response({"decisions": [{"message": first["message"], "position": first["default"][0]["position"],
                                                 "directive": "no_board", "text": "CONTACT BORDER AGENCY"}]})


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def hook():
    server = Hook()
    app = web.Application()
    app.router.add_post("/decide", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = site._server.sockets[0].getsockname()[1]
    yield server
    await runner.cleanup()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory, hook: Hook):
    extra = f'[iapi]\nhook_url = "http://127.0.0.1:{hook.port}/decide"\ndeadline_seconds = 0.5\nfallback = "advisory"\n'
    running = await start(tmp_path_factory.mktemp("iapi"), extra=extra)
    yield running
    await running.gateway.stop()


def request(seed: int) -> bytes:
    """A check-in request: UNB application reference (0026) IAPI marks it interactive."""
    body = paxlst(PaxlstSpec(seed=seed, passengers=2, flight=f"ZZ{seed:04d}", reference=f"IAPI{seed:08d}"))
    return body.replace(f"+IAPI{seed:08d}'".encode(), f"+IAPI{seed:08d}++IAPI'".encode(), 1)


async def post(gw: Running, body: bytes, accept: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Authorization": f"Bearer {TOKENS['ZZ']}", "Content-Type": "application/edifact"}
    if accept:
        headers["Accept"] = accept
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session, \
            session.post(f"{gw.url}/v1/messages", data=body, headers=headers) as response:
        return response.status, dict(response.headers), await response.read()


def directives(cusres: bytes) -> list[str]:
    return [segment.split("+")[1] for segment in cusres.decode("latin-1").split("'") if segment.startswith("ERC+")]


async def decided_by(gw: Running, receipt: str) -> str:
    events = await gw.gateway.store.events(receipt)
    return next(e.detail["source"] for e in events if e.stage == "iapi_decided")


async def test_the_hook_decides_and_the_carrier_gets_a_cusres(gw: Running, hook: Hook):
    hook.mode = "answer"
    status, headers, body = await post(gw, request(1))
    assert status == 200 and body.startswith(b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZ:ZZ+")
    assert b"UNH+" in body and b"CUSRES:D:05B:UN:IATA" in body
    assert directives(body) == ["1Z", "0Z"]  # the hook's no_board for the first traveller, the default for the other
    assert b"FTX+AAP+++CONTACT BORDER AGENCY'" in body
    sent = hook.requests[-1]
    assert sent["account"] == "ZZ" and sent["receipt"] == headers["X-Paxgate-Receipt"]
    assert len(sent["messages"][0]["manifest"]["travellers"]) == 2
    assert await decided_by(gw, headers["X-Paxgate-Receipt"]) == "hook"


@pytest.mark.parametrize("mode", ["slow", "broken", "garbage"])
async def test_without_a_usable_answer_in_time_the_fallback_decides(gw: Running, hook: Hook, mode: str):
    hook.mode = mode
    status, headers, body = await post(gw, request(2 + len(mode)))
    assert status == 200
    assert directives(body) == ["2Z", "2Z"]  # fallback = advisory, for everyone
    assert await decided_by(gw, headers["X-Paxgate-Receipt"]) == "fallback"


async def test_the_json_answer_holds_both_the_contrl_and_the_cusres(gw: Running, hook: Hook):
    hook.mode = "answer"
    _, _, body = await post(gw, request(20), accept="application/json")
    kinds = [a["kind"] for a in msgspec.json.decode(body)["acknowledgements"]]
    assert kinds == ["contrl", "cusres"]


async def test_a_batch_list_is_not_interactive(gw: Running, hook: Hook):
    before = len(hook.requests)
    _, _, body = await post(gw, paxlst(PaxlstSpec(seed=30, flight="ZZ0030", reference="BATCH0000030")))
    assert b"CONTRL" in body and b"CUSRES" not in body and len(hook.requests) == before
