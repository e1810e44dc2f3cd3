"""The kit against a running gateway on all three channels, with real clients only: aiohttp over
HTTPS with the harness's trustme CA, asyncssh over SFTP with the account's key and the gateway's
host key pinned, aio-pika against the real RabbitMQ.

The whole catalogue runs on each channel and must pass, online-only scenarios included (assembly,
duplicates, resends); the evidence (receipt ids, gateway history) must be what the channel can
show. A second run against the same gateway must pass too (new references and content per run), a
wrong expectation must fail, and the command line writes the JSON evidence and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import aiormq.exceptions
import msgspec
import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from gateway_harness import Running, start

from adapters.sftp import SftpTransport
from conformance import catalogue
from conformance.catalogue import Expect, MessagePlan, Scenario
from conformance.online import Endpoint, run_online
from conformance.runner import FAILED, ONLINE_ONLY, PASSED, Renderer

pytestmark = pytest.mark.asyncio(loop_scope="module")

BROKER_URL = os.environ.get("PAXGATE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
URL_ENV = "PAXGATE_TEST_CONFORMANCE_AMQP_URL"
RUN = f"pxc-{secrets.token_hex(4)}"
TOKEN = "ck-token-0123456789abcdef"


def _broker_problem() -> str | None:
    parts = urlsplit(BROKER_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return None
    except OSError as error:
        return f"no RabbitMQ reachable at {parts.hostname}:{parts.port or 5672} ({error}); start one: rabbitmq-server -detached"


BROKER_PROBLEM = _broker_problem()
EXTRA = """
[[accounts]]
name = "CK"
senders = ["CK"]
carriers = ["CK"]
channels = ["https", "sftp", "amqp"]
token_file = "CK.token"
create_ssh_key = true
ssh_key_file = "keys/ck.key"
""" + ("" if BROKER_PROBLEM else f"""
[amqp]
url_env = "{URL_ENV}"
queue_prefix = "{RUN}.in."
ack_prefix = "{RUN}.ack."
dead_letter_queue = "{RUN}.dead"
""")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def gw(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    tmp = tmp_path_factory.mktemp("conformance-gw")
    (tmp / "CK.token").write_text(TOKEN + "\n")
    os.environ[URL_ENV] = BROKER_URL
    # the harness's [sftp] table leaves the server off; switch it on (and keep taken files in archive/,
    # where the receipt id shows) for this gateway only
    overrides = {"PAXGATE__SFTP__ENABLED": "true", "PAXGATE__SFTP__ARCHIVE_DAYS": "1"}
    os.environ.update(overrides)
    try:
        running = await start(tmp, extra=EXTRA)
    finally:
        for key in overrides:
            os.environ.pop(key, None)
    try:
        yield running
    finally:
        await running.gateway.stop()
        if not BROKER_PROBLEM:
            async with await aio_pika.connect(BROKER_URL) as connection:
                for name in (f"{RUN}.in.CK", f"{RUN}.ack.CK", f"{RUN}.dead"):
                    channel = await connection.channel()
                    with contextlib.suppress(aiormq.exceptions.AMQPError):
                        await channel.queue_delete(name)


def https_endpoint(gw: Running) -> Endpoint:
    ca = gw.data_dir / "clients-ca.pem"  # the harness's trustme CA signed the server certificate too
    return Endpoint(url=gw.url, account="CK", token=TOKEN, cacert=ca, timeout=30)


def sftp_endpoint(gw: Running) -> Endpoint:
    transport = next(t for t in gw.gateway.transports if isinstance(t, SftpTransport))
    host_key = (gw.data_dir / "ssh" / "host_ed25519_key.pub").read_text().split()
    known_hosts = gw.data_dir / "conformance.known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{transport.port} {host_key[0]} {host_key[1]}\n")
    return Endpoint(url=f"sftp://CK@127.0.0.1:{transport.port}", account="CK", ssh_key=gw.data_dir / "keys" / "ck.key",
                    known_hosts=known_hosts, timeout=30)


def amqp_endpoint() -> Endpoint:
    return Endpoint(url=BROKER_URL, account="CK", queue_prefix=f"{RUN}.in.", timeout=30)


def by_id(cases):
    return {c.id: c for c in cases}


def assert_all_passed(cases) -> None:
    failed = {c.id: [(i, x.name, x.expected, x.actual) for i, x in c.failures] or
              [m.observed.error for m in c.messages if m.observed.error] or c.detail
              for c in cases if c.status != PASSED}
    assert not failed, failed
    assert {c.id for c in cases} == {s.id for s in catalogue.load()}


async def test_https_runs_the_whole_catalogue_with_receipts_and_history(gw: Running) -> None:
    cases, version = await run_online(catalogue.load(), https_endpoint(gw), Renderer("CK", Renderer.online_prefix(), 17))
    assert_all_passed(cases)
    assert version == "carrier API 1"
    cases = by_id(cases)
    # every message has the gateway's receipt id, and the online-only checks were really made
    assert all(m.observed.receipt and m.observed.receipt.startswith("r") for c in cases.values() for m in c.messages)
    replay = cases["duplicate-resend"].messages
    assert replay[1].observed.receipt == replay[0].observed.receipt and replay[1].observed.replayed is True
    held = cases["multipart-missing-final"].messages
    assert all("part_held" in (m.observed.history or []) for m in held)
    assert "assembled" in (cases["multipart-complete"].messages[2].observed.history or [])
    outcomes = {c.outcome for case in cases.values() for m in case.messages for c in m.checks}
    assert outcomes == {"pass"}, "over HTTPS every expectation is observable"
    duplicate = cases["duplicate-interchange-reference"].messages[1].observed
    assert duplicate.verdict == "rejected" and "EDI-UNB-DUPLICATE" in {f["code"] for f in duplicate.findings or []}
    assert [k for k, _ in cases["iapi-request"].messages[0].observed.acks] == ["contrl", "cusres"]


async def test_a_second_run_against_the_same_gateway_passes_too(gw: Running) -> None:
    """Certification is re-run after fixes: each run numbers its interchanges afresh and moves the
    builder seeds, so nothing of the first run reads as a duplicate."""
    scenarios = catalogue.load("certification")
    for offset in (101, 202):
        cases, _ = await run_online(scenarios, https_endpoint(gw), Renderer("CK", Renderer.online_prefix(), offset))
        assert all(c.status == PASSED for c in cases), [(c.id, c.failures) for c in cases if c.status != PASSED]


async def test_a_wrong_expectation_fails_the_case(gw: Running) -> None:
    wrong = Scenario("wrong", "test", "A clean list expected to be rejected", "", "",
                     (MessagePlan(builder="paxlst", spec={"seed": 5, "flight": "0999"},
                                  expect=Expect(verdict=("rejected",), action="4", findings=("EDI-UNT-COUNT",))),))
    cases, _ = await run_online([wrong], https_endpoint(gw), Renderer("CK", Renderer.online_prefix()))
    assert cases[0].status == FAILED
    assert {c.name for _, c in cases[0].failures} == {"verdict", "CONTRL action (0083)", "finding"}


async def test_sftp_runs_the_whole_catalogue(gw: Running) -> None:
    cases, version = await run_online(catalogue.load(), sftp_endpoint(gw), Renderer("CK", Renderer.online_prefix(), 31))
    assert_all_passed(cases)
    assert version is None
    cases = by_id(cases)
    # SFTP shows acknowledgements only: a rejection's finding is checked through its CONTRL 0085 code
    check = next(c for c in cases["defect-envelope-count"].messages[0].checks if c.name.startswith("finding"))
    assert check.outcome == "pass" and "0085 29" in check.expected and "29" in check.actual
    business = next(c for c in cases["defect-business-document"].messages[0].checks if c.name == "finding")
    assert business.outcome == "not observable"  # a warning travels in JSON only, never in a CONTRL
    unseen = [c for c in cases["multipart-complete"].messages[0].checks if c.name == "receipt history"]
    assert unseen and unseen[0].outcome == "not observable"
    # the kit collected and removed its acknowledgements, as a carrier's job does
    outbox = gw.data_dir / "sftp" / "CK" / "outbox"
    assert not list(outbox.iterdir())
    assert cases["ack-none-for-contrl"].messages[0].observed.receipt_document is not None
    # with archive/ kept, the receipt id shows, and a resend of the same bytes names the first receipt
    replay = cases["duplicate-resend"].messages
    assert replay[0].observed.receipt and replay[1].observed.receipt == replay[0].observed.receipt


@pytest.mark.skipif(BROKER_PROBLEM is not None, reason=BROKER_PROBLEM or "")
async def test_amqp_runs_the_whole_catalogue(gw: Running) -> None:
    cases, _ = await run_online(catalogue.load(), amqp_endpoint(), Renderer("CK", Renderer.online_prefix(), 47))
    assert_all_passed(cases)
    cases = by_id(cases)
    replay = cases["duplicate-resend"].messages
    assert replay[1].observed.replayed is True and replay[1].observed.receipt == replay[0].observed.receipt
    assert all(m.observed.receipt for c in cases.values() for m in c.messages)


async def test_the_command_line_runs_online_and_writes_the_evidence(gw: Running, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN)
    report = tmp_path / "evidence.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway.cli", "conformance", "run", "--endpoint", gw.url, "--carrier", "CK",
        "--scenarios", "certification,pnrgov", "--token-file", str(token), "--cacert", str(gw.data_dir / "clients-ca.pem"),
        "--json", str(report), "--junit", str(tmp_path / "junit.xml"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=Path(__file__).resolve().parents[2])
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, (out.decode()[-3000:], err.decode()[-3000:])
    evidence = msgspec.json.decode(report.read_bytes())
    assert evidence["mode"] == "online" and evidence["channel"] == "https" and evidence["carrier"] == "CK"
    assert evidence["scenario_set"] == "certification,pnrgov" and evidence["passed"] is True
    assert evidence["endpoint"] == gw.url and evidence["run_id"] and evidence["started"] <= evidence["finished"]
    assert evidence["gateway_version"] == "carrier API 1"
    messages = [m for case in evidence["cases"] for m in case["messages"]]
    assert messages and all(m["receipt"] and len(m["sha256"]) == 64 for m in messages)
    assert TOKEN not in report.read_text() and TOKEN not in out.decode()
    assert sum(1 for c in evidence["cases"] if c["status"] == "passed") == len(catalogue.load("certification,pnrgov"))


async def test_online_only_is_an_offline_status_never_an_online_one(gw: Running) -> None:
    cases, _ = await run_online(catalogue.load("certification"), https_endpoint(gw), Renderer("CK", Renderer.online_prefix(), 5))
    assert ONLINE_ONLY not in {c.status for c in cases}
