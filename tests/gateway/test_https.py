"""The carrier HTTPS listener end to end: real TLS (trustme), real aiohttp and curl clients, a real
gateway with its validation pool and store. Every refusal is checked to have stored nothing."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from gateway_harness import TOKENS, Running, start, wait_for

from conformance.builders import PaxlstSpec, paxlst
from gateway.processing import ping

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory):
    running = await start(tmp_path_factory.mktemp("gw"))
    yield running
    await running.gateway.stop()


def count_receipts(gw: Running) -> int:
    with sqlite3.connect(gw.data_dir / "paxgate.db") as db:
        return db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0]


async def post(gw: Running, body: bytes, *, token: str | None = TOKENS["ZZ"], accept: str | None = None,
               content_type: str = "application/edifact", cert=None, query: str = "") -> tuple[int, dict, bytes]:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if accept:
        headers["Accept"] = accept
    connector = aiohttp.TCPConnector(ssl=gw.client_context(cert))
    async with aiohttp.ClientSession(connector=connector) as session, \
            session.post(f"{gw.url}/v1/messages{query}", data=body, headers=headers) as response:
        return response.status, dict(response.headers), await response.read()


def message(seed: int, *, carrier: str = "ZZ", flight: str | None = None, reference: str | None = None) -> bytes:
    return paxlst(PaxlstSpec(seed=seed, carrier=carrier, flight=flight or f"{carrier}{seed:04d}",
                             reference=reference or f"REF{seed:011d}"))


async def test_a_valid_list_gets_its_contrl_and_reaches_the_test_sink(gw: Running):
    status, headers, body = await post(gw, message(1))
    assert status == 200
    assert headers["Content-Type"].startswith("application/edifact")
    assert headers["X-Paxgate-Verdict"] == "accepted" and headers["X-Paxgate-Replayed"] == "false"
    receipt = headers["X-Paxgate-Receipt"]
    assert b"UCI+REF00000000001+ZZ:ZZ+PAXGATE:ZZ+7'" in body and b"UCM+M1+PAXLST:D:05B:UN:IATA+7'" in body
    # ZZ is still in testing: its data goes to the test sink only, never to production screening
    test_file = gw.data_dir / "out" / "test" / f"{receipt}%3A1.json"
    await wait_for(test_file.exists)
    unit = msgspec.json.decode(test_file.read_bytes())
    assert unit["receipt"] == receipt and unit["test"] is True and unit["flight"] == "ZZ0001"
    assert len(unit["unit"]["manifest"]["travellers"]) == 3
    assert not any((gw.data_dir / "out" / "production").iterdir())


async def test_json_answer_carries_verdict_findings_and_the_contrl(gw: Running):
    status, headers, body = await post(gw, message(2), accept="application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    doc = msgspec.json.decode(body)
    assert doc["verdict"] == "accepted" and doc["format"] == "paxlst" and doc["travellers"] == 3
    assert doc["state"] == "processed" and doc["account"] == "ZZ" and doc["test"] is True
    assert doc["acknowledgements"][0]["kind"] == "contrl" and "UCI+REF00000000002" in doc["acknowledgements"][0]["payload"]


async def test_the_same_bytes_again_replay_the_first_receipt(gw: Running):
    body = message(3)
    _, first, ack1 = await post(gw, body)
    before = count_receipts(gw)
    status, again, ack2 = await post(gw, body)
    assert status == 200 and again["X-Paxgate-Receipt"] == first["X-Paxgate-Receipt"]
    assert again["X-Paxgate-Replayed"] == "true" and ack1 == ack2
    assert count_receipts(gw) == before


async def test_same_interchange_reference_with_new_bytes_is_a_duplicate_uci_26(gw: Running):
    await post(gw, message(4, reference="DUPREF000001"))
    status, headers, body = await post(gw, message(5, reference="DUPREF000001"))
    assert status == 200 and headers["X-Paxgate-Verdict"] == "rejected"
    assert b"UCI+DUPREF000001+ZZ:ZZ+PAXGATE:ZZ+4+26+UNB+6'" in body
    assert not (gw.data_dir / "out" / "test" / f"{headers['X-Paxgate-Receipt']}%3A1.json").exists()


async def test_same_content_under_new_references_is_acknowledged_but_not_forwarded_again(gw: Running):
    original = message(6, reference="CONTENT00001")
    resend = original.replace(b"CONTENT00001", b"CONTENT00002")
    _, first, _ = await post(gw, original)
    status, _headers, body = await post(gw, resend, accept="application/json")
    doc = msgspec.json.decode(body)
    assert status == 200 and doc["verdict"] == "accepted"
    assert doc["duplicate"] == "content" and doc["duplicate_of"] == first["X-Paxgate-Receipt"]
    await wait_for((gw.data_dir / "out" / "test" / f"{first['X-Paxgate-Receipt']}%3A1.json").exists)
    assert not (gw.data_dir / "out" / "test" / f"{doc['receipt']}%3A1.json").exists()


@pytest.mark.parametrize(("token", "status", "kind"), [
    (None, 401, "unauthenticated"),
    ("not-a-known-token", 401, "unauthenticated"),
    (TOKENS["SU"], 403, "account-suspended"),
    (TOKENS["RL"], 403, "channel-not-allowed"),
])
async def test_refusals_are_problem_details_and_store_nothing(gw: Running, token, status, kind):
    before = count_receipts(gw)
    got, headers, body = await post(gw, message(7), token=token)
    problem = msgspec.json.decode(body)
    assert got == status and headers["Content-Type"].startswith("application/problem+json")
    assert problem["status"] == status and problem["type"] == f"urn:paxgate:problem:{kind}" and problem["detail"]
    assert count_receipts(gw) == before


async def test_a_sender_id_the_account_may_not_use_is_rejected_with_uci_23(gw: Running):
    status, headers, body = await post(gw, message(8), token=TOKENS["NS"])
    assert status == 200 and headers["X-Paxgate-Verdict"] == "rejected"
    assert b"+4+23+UNB+3:1'" in body  # UCI action 4, 0085 23 unknown sender, UNB element S002 (0098 3, as CONTRL counts)


async def test_a_flight_of_a_carrier_the_account_may_not_report_is_rejected_at_tdt(gw: Running):
    _status, _headers, body = await post(gw, message(9), token=TOKENS["XX"], accept="application/json")
    doc = msgspec.json.decode(body)
    assert doc["verdict"] == "rejected"
    finding = next(f for f in doc["findings"] if f["code"] == "MSG-CARRIER-NOT-ALLOWED")
    assert finding["location"]["segment_tag"] == "TDT" and finding["expected"] == "one of: XX"
    assert "UCD+12+6:1'" in doc["acknowledgements"][0]["payload"]


async def test_mutual_tls_identifies_the_account_and_certified_data_goes_to_production(gw: Running):
    status, headers, _ = await post(gw, message(10), token=None, cert=gw.client_cert)
    assert status == 200 and headers["X-Paxgate-Verdict"] == "accepted"
    receipt = headers["X-Paxgate-Receipt"]
    await wait_for((gw.data_dir / "out" / "production" / f"{receipt}%3A1.json").exists)
    assert not (gw.data_dir / "out" / "test" / f"{receipt}%3A1.json").exists()


async def test_a_valid_client_certificate_of_no_account_is_refused(gw: Running):
    status, _, body = await post(gw, message(11), token=None, cert=gw.stranger_cert)
    assert status == 401 and b"belongs to no account" in body


async def test_unsupported_media_type_and_oversized_bodies_are_refused(gw: Running):
    before = count_receipts(gw)
    status, _, _ = await post(gw, message(12), content_type="image/png")
    assert status == 415
    status, _, body = await post(gw, b"UNA:+.? '" + b"X" * 70000)
    assert status == 413 and b"65536" in body
    status, _, _ = await post(gw, b"")
    assert status == 400
    assert count_receipts(gw) == before


async def test_a_slow_body_gets_408_and_the_gateway_keeps_serving(gw: Running):
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.gateway.carrier_port, ssl=gw.client_context(),
                                                   server_hostname="127.0.0.1")
    writer.write(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/edifact\r\n"
                 b"Authorization: Bearer " + TOKENS["ZZ"].encode() + b"\r\nContent-Length: 5000\r\n\r\nUNA:+.? '")
    await writer.drain()
    served = asyncio.create_task(post(gw, message(13)))  # others are served meanwhile
    head = await asyncio.wait_for(reader.read(4096), timeout=15)
    assert head.startswith(b"HTTP/1.1 408")
    writer.close()
    assert (await served)[0] == 200


async def test_a_client_dribbling_its_request_head_is_disconnected(gw: Running):
    reader, writer = await asyncio.open_connection("127.0.0.1", gw.gateway.carrier_port, ssl=gw.client_context(),
                                                   server_hostname="127.0.0.1")
    writer.write(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n")  # and never the rest of the head
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), timeout=20) == b""  # closed by the server (idle_timeout_seconds = 3)
    writer.close()


async def test_a_carrier_reads_its_own_receipt_but_not_another_accounts(gw: Running):
    _, headers, _ = await post(gw, message(14))
    receipt = headers["X-Paxgate-Receipt"]
    connector = aiohttp.TCPConnector(ssl=gw.client_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(f"{gw.url}/v1/messages/{receipt}", headers={"Authorization": f"Bearer {TOKENS['ZZ']}"}) as r:
            doc = await r.json()
            assert r.status == 200 and doc["receipt"] == receipt
            assert [h["stage"] for h in doc["history"]][:3] == ["received", "validated", "acknowledged"]
        async with session.get(f"{gw.url}/v1/messages/{receipt}", headers={"Authorization": f"Bearer {TOKENS['XX']}"}) as r:
            assert r.status == 404


async def test_messages_full_of_personal_data_leave_no_trace_in_the_log(gw: Running):
    body = message(15).replace(b"NAD+FL+++", b"NAD+FL+++ZYXWVUTS:", 1)
    await post(gw, body)
    await post(gw, body.replace(b"UNB+", b"UNB+GARBLED", 1))  # a broken one too
    log = gw.log.getvalue()
    assert "message_received" in log and "message_processed" in log
    for secret in ("ZYXWVUTS", "NAD+FL", "DOC+P", "UNB+"):
        assert secret not in log


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_posts_a_file_as_the_readme_shows(gw: Running, tmp_path: Path):
    file = tmp_path / "api.edi"
    file.write_bytes(message(16))
    (tmp_path / "ca.pem").write_bytes(gw.ca.cert_pem.bytes())
    result = await asyncio.to_thread(subprocess.run, [
        "curl", "-sS", "--fail-with-body", "--cacert", str(tmp_path / "ca.pem"), "-H", f"Authorization: Bearer {TOKENS['ZZ']}",
        "-H", "Content-Type: application/edifact", "--data-binary", f"@{file}", f"{gw.url}/v1/messages"],
        capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZ:ZZ+")
    assert b"UCI+REF00000000016+ZZ:ZZ+PAXGATE:ZZ+7'" in result.stdout


async def test_rate_limit_answers_429_with_retry_after(tmp_path: Path):
    running = await start(tmp_path, rate_per_minute=60, rate_burst=2)
    try:
        statuses = [(await post(running, message(100 + n)))[0] for n in range(3)]
        assert statuses[:2] == [200, 200] and statuses[2] == 429
        status, headers, _ = await post(running, message(110))
        assert status == 429 and int(headers["Retry-After"]) >= 1
    finally:
        await running.gateway.stop()



async def test_a_bundle_with_one_resent_interchange_still_forwards_the_new_one(gw: Running):
    first = message(40, reference="BUNDLE000040")
    await post(gw, first)
    status, headers, body = await post(gw, first + message(41, reference="BUNDLE000041"), accept="application/json")
    doc = msgspec.json.decode(body)
    assert status == 200 and doc["duplicate"] == "interchange"
    receipt = headers["X-Paxgate-Receipt"]
    await wait_for((gw.data_dir / "out" / "test" / f"{receipt}%3A2.json").exists)  # message 2: the new interchange
    assert not (gw.data_dir / "out" / "test" / f"{receipt}%3A1.json").exists()  # message 1: the resent one


async def test_a_killed_validation_worker_is_replaced_and_the_next_message_is_answered(gw: Running):
    loop = asyncio.get_running_loop()
    pid = await loop.run_in_executor(gw.gateway.pipeline.pool, ping)
    os.kill(pid, signal.SIGKILL)
    status, headers, _ = await post(gw, message(42))
    assert status == 200 and headers["X-Paxgate-Verdict"] == "accepted"
    assert (await gw.gateway.ready())["validation_pool"] is True
