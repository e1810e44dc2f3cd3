"""The operator listener: health, readiness, metrics and the admin API with roles and audit."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import ADMIN, TOKENS, VIEWER, Running, start, wait_for

from conformance.builders import PaxlstSpec, paxlst
from gateway.cli import main

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    running = await start(tmp_path_factory.mktemp("op"))
    yield running
    await running.gateway.stop()


async def call(gw: Running, method: str, path: str, token: str | None = None, json: object = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.request(method, gw.operator_url + path, headers=headers,
                                                                   json=json) as response:
        body = await response.read()
        return response.status, body


async def submit(gw: Running, seed: int) -> str:
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    body = paxlst(PaxlstSpec(seed=seed, flight=f"ZZ{seed:04d}", reference=f"OPS{seed:09d}"))
    async with aiohttp.ClientSession(connector=connector) as session, session.post(
            f"{gw.url}/v1/messages", data=body,
            headers={"Authorization": f"Bearer {TOKENS['ZZ']}", "Content-Type": "application/edifact"}) as response:
        assert response.status == 200
        return response.headers["X-Paxgate-Receipt"]


async def test_health_and_readiness_need_no_token(gw: Running):
    assert (await call(gw, "GET", "/healthz"))[0] == 200
    status, body = await call(gw, "GET", "/readyz")
    assert status == 200 and b'"store_writable":true' in body and b'"validation_pool":true' in body


async def test_metrics_count_what_happened(gw: Running):
    await submit(gw, 1)
    status, body = await call(gw, "GET", "/metrics")
    text = body.decode()
    assert status == 200
    assert 'paxgate_messages_received_total{account="ZZ",channel="https"}' in text
    assert 'paxgate_messages_processed_total{account="ZZ",format="paxlst",verdict="accepted"}' in text
    assert "paxgate_validation_seconds_bucket" in text and 'paxgate_outbox_depth{state="pending"}' in text


async def test_admin_routes_need_an_operator_token_and_the_right_role(gw: Running):
    receipt = await submit(gw, 2)
    assert (await call(gw, "GET", "/v1/receipts"))[0] == 401
    assert (await call(gw, "GET", "/v1/receipts", TOKENS["ZZ"]))[0] == 401  # a carrier token is no operator token
    status, _ = await call(gw, "GET", "/v1/receipts", VIEWER)
    assert status == 200
    assert (await call(gw, "POST", f"/v1/receipts/{receipt}/reprocess", VIEWER))[0] == 403


async def test_showing_a_receipt_is_audited_and_shows_history_and_deliveries(gw: Running):
    receipt = await submit(gw, 3)
    await wait_for((gw.data_dir / "out" / "test" / f"{receipt}%3A1.json").exists)
    status, body = await call(gw, "GET", f"/v1/receipts/{receipt}", VIEWER)
    assert status == 200
    doc = msgspec.json.decode(body)
    assert doc["deliveries"][0]["sink"] == "test" and doc["deliveries"][0]["state"] == "delivered"
    assert [h["stage"] for h in doc["history"]] == ["received", "validated", "acknowledged", "queued", "forwarded"]
    trail = await gw.gateway.store.audit_trail(receipt)
    assert trail[0].actor == "operator:vic" and trail[0].action == "receipt_viewed"


async def test_reprocess_validates_a_stored_receipt_again(gw: Running):
    receipt = await submit(gw, 4)
    status, body = await call(gw, "POST", f"/v1/receipts/{receipt}/reprocess", ADMIN)
    assert status == 200 and b'"reprocessed":true' in body
    stages = [e.stage for e in await gw.gateway.store.events(receipt)]
    assert stages.count("validated") == 2 and "reprocess_requested" in stages
    keys = [d.key for d in await gw.gateway.store.deliveries(receipt)]
    assert keys == [f"{receipt}:1", f"{receipt}:1:v2"]  # the corrected body travels under a key of its own
    await wait_for((gw.data_dir / "out" / "test" / f"{receipt}%3A1%3Av2.json").exists)
    second = msgspec.json.decode((gw.data_dir / "out" / "test" / f"{receipt}%3A1%3Av2.json").read_bytes())
    assert second["version"] == 2 and second["replaces"] == f"{receipt}:1"
    assert (await gw.gateway.store.audit_trail(receipt))[0].action == "reprocess"


async def test_account_status_changes_are_audited_and_take_effect(gw: Running):
    status, body = await call(gw, "POST", "/v1/accounts/XX/status", ADMIN, {"status": "suspended"})
    assert status == 200 and b'"suspended"' in body
    assert (await call(gw, "POST", "/v1/accounts/XX/status", ADMIN, {"status": "sleepy"}))[0] == 400
    assert (await call(gw, "POST", "/v1/accounts/NOPE/status", ADMIN, {"status": "certified"}))[0] == 404
    entry = (await gw.gateway.store.audit_trail())[0]
    assert entry.action == "account_status" and entry.actor == "operator:ada"
    assert entry.detail == {"account": "XX", "from": "testing", "to": "suspended"}
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session, session.post(
            f"{gw.url}/v1/messages", data=paxlst(PaxlstSpec(seed=5)),
            headers={"Authorization": f"Bearer {TOKENS['XX']}", "Content-Type": "application/edifact"}) as response:
        assert response.status == 403
    status, body = await call(gw, "GET", "/v1/accounts", VIEWER)
    assert b"token_sha256" not in body and b'"name":"XX"' in body


async def test_the_receipts_command_works_through_the_admin_api(gw: Running, capsys: pytest.CaptureFixture[str]):
    receipt = await submit(gw, 6)
    common = ["--operator-url", gw.operator_url, "--token-file", str(gw.data_dir / "admin.token")]
    assert await asyncio.to_thread(main, ["receipts", "list", "--account", "ZZ", *common]) == 0
    listing = capsys.readouterr().out
    assert receipt in listing and "processed" in listing and "paxlst" in listing
    assert await asyncio.to_thread(main, ["receipts", "show", receipt, *common]) == 0
    shown = msgspec.json.decode(capsys.readouterr().out)
    assert shown["receipt"] == receipt and shown["history"][0]["stage"] == "received"
    assert await asyncio.to_thread(main, ["receipts", "reprocess", receipt, *common]) == 0
    assert '"reprocessed": true' in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["receipts", "redrive", *common]) == 0
    assert '"redriven"' in capsys.readouterr().out
    viewer = ["--operator-url", gw.operator_url, "--token-file", str(gw.data_dir / "viewer.token")]
    assert await asyncio.to_thread(main, ["receipts", "reprocess", receipt, *viewer]) == 1
    assert "403" in capsys.readouterr().err


async def test_retention_forgets_personal_data_and_keeps_the_record(gw: Running):
    receipt = await submit(gw, 7)
    await wait_for((gw.data_dir / "out" / "test" / f"{receipt}%3A1.json").exists)
    await wait_for(lambda: _delivered(gw, receipt))
    assert await gw.gateway.apply_retention() == {"payloads": 0, "deliveries": 0, "parts": 0}  # nothing is old yet
    forgotten = await gw.gateway.apply_retention(now=datetime.now(UTC) + timedelta(days=91))
    assert forgotten["payloads"] >= 1 and forgotten["deliveries"] >= 1
    store = gw.gateway.store
    assert await store.payload(receipt) is None
    assert (await store.deliveries(receipt))[0].body == b""
    kept = await store.receipt(receipt)
    assert kept.verdict == "accepted" and kept.sha256  # the record stays: who sent what when, and the verdict
    entry = (await store.audit_trail())[0]
    assert entry.actor == "paxgate" and entry.action == "retention"
    assert (await call(gw, "POST", f"/v1/receipts/{receipt}/reprocess", ADMIN))[1] == b'{"receipt":"' + receipt.encode() + \
        b'","reprocessed":false}'  # nothing left to reprocess, and the receipt stays processed
    assert (await store.receipt(receipt)).state == "processed"


async def _delivered(gw: Running, receipt: str) -> bool:
    return [d.state for d in await gw.gateway.store.deliveries(receipt)] == ["delivered"]


async def test_a_receipt_is_processed_once_even_when_asked_again(gw: Running):
    receipt_id = await submit(gw, 8)
    store = gw.gateway.store
    receipt, payload = await store.receipt(receipt_id), await store.payload(receipt_id)
    again = await gw.gateway.pipeline.process(receipt, payload, await store.account("ZZ"))  # e.g. the resume sweep, late
    assert again is None
    assert [e.stage for e in await store.events(receipt_id)].count("validated") == 1
    assert len(await store.deliveries(receipt_id)) == 1
