"""Durability of the running gateway, end to end: real ``paxgate serve`` processes, real sockets.

What is checked (DESIGN.md §2, gateway/app.py, gateway/forwarding/outbox.py):

- kill -9 of the gateway while carriers are submitting loses nothing: every acknowledged receipt,
  and every receipt stored whose answer never left, is processed after a restart, and each unit
  reaches the webhook sink (at least once on the wire, exactly once per idempotency key);
- the validation workers of a killed gateway do not linger as orphans (they exit by themselves);
- a sink outage piles deliveries up in the outbox, which drains once the sink is back;
- SIGTERM lets the requests in flight finish: each one gets its 200 or a connection error, never
  a 5xx, and the process exits 0.

Each gateway runs in its own session (process group), so teardown can kill whatever is left of
it, orphaned workers included, even when a test fails half way.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import random
import re
import signal
import socket
import sqlite3
import ssl
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from served import Served, ServeError
from served import carrier as demo_carrier
from served import write_config as served_config

from conformance.builders import PaxlstSpec, paxlst

PAXGATE = Path(sys.executable).parent / "paxgate"
START_TIMEOUT_S = 30.0
CONNECTION_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)

FORWARDING = """
[forwarding]
max_attempts = 1000                 # never dead-letter during a test's outage
initial_backoff_seconds = 0.05
max_backoff_seconds = 0.5
poll_seconds = 0.1
"""

WEBHOOK_SINK = """
[[sinks]]
name = "hook"
type = "webhook"
traffic = "test"
url = {sink_url}
timeout_seconds = 5
"""


def write_config(tmp_path: Path, data_dir: Path, sink_url: str) -> Path:
    """One validation worker, logging at info (the tests read its events), the operator admin and the demo
    carrier with generated tokens, quick outbox retries, and the webhook sink at ``sink_url``."""
    extra = FORWARDING + WEBHOOK_SINK.format(sink_url=json.dumps(sink_url)) + demo_carrier(token=True)
    return served_config(tmp_path / "paxgate.toml", data_dir, workers=1, log_level=None, operator_admin=True, extra=extra)


def message(n: int) -> bytes:
    """Submission ``n``: its own interchange reference, flight and travellers, so it is neither an
    interchange duplicate nor a content duplicate of any other."""
    return paxlst(PaxlstSpec(seed=n, flight=f"ZZ{1000 + n}", reference=f"ZZ{n:010d}"))


# --- processes -----------------------------------------------------------------------------------


async def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.05):
    """Poll ``condition`` (sync or async) until it returns something truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")
        await asyncio.sleep(interval_s)


class Gateway(Served):
    """``paxgate serve`` (bench/served.py: its own session, ports from its greeting), waited on from the event loop."""

    def log_tail(self, lines: int = 30) -> str:
        return super().log_tail(lines)

    async def exit_status(self, timeout_s: float) -> int:
        await wait_until(lambda: self.poll() is not None, timeout_s, f"paxgate (pid {self.pid}) to exit")
        return self.returncode  # type: ignore[return-value]

    @property
    def operator_token(self) -> str:
        return self.token("operator-admin.token")

    async def operator_get(self, session: aiohttp.ClientSession, path: str) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.operator_token}"}
        async with session.get(self.operator_url + path, headers=headers) as response:
            return response.status, await response.read()

    async def outbox_depth(self, session: aiohttp.ClientSession) -> dict[str, float]:
        status, body = await self.operator_get(session, "/metrics")
        assert status == 200
        text = body.decode()
        depth = {m.group(1): float(m.group(2))
                 for m in re.finditer(r'^paxgate_outbox_depth\{state="(\w+)"\} (\S+)$', text, re.MULTILINE)}
        # delivered rows are counted by this process's deliveries counter (the gauge covers waiting rows)
        depth["delivered"] = sum(float(m.group(1)) for m in re.finditer(r'^paxgate_deliveries_total\{[^}]*\} (\S+)$', text,
                                                                         re.MULTILINE))
        return depth


class Gateways:
    """Starts ``paxgate serve`` processes (the installed script), each in its own session, and kills what is left
    at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Gateway] = []

    async def start(self, config: Path, data_dir: Path) -> Gateway:
        served = Gateway(config, data_dir, logs=self.tmp_path / f"serve-{len(self.started)}", program=[str(PAXGATE)])
        self.started.append(served.launch())

        def announced() -> bool:
            try:
                return served.announced()
            except ServeError as error:
                pytest.fail(str(error))

        await wait_until(announced, START_TIMEOUT_S, "paxgate serve to be ready")
        return served

    def cleanup(self) -> None:
        for served in self.started:
            served.close()  # the whole session: orphaned workers too


@pytest.fixture
def gateways(tmp_path: Path) -> Iterator[Gateways]:
    started = Gateways(tmp_path)
    try:
        yield started
    finally:
        started.cleanup()


# --- the webhook sink's far end ------------------------------------------------------------------


@dataclass
class Webhook:
    """Records every delivery (idempotency key, receipt header) and answers 200."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    runner: web.AppRunner | None = None
    port: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        key = request.headers.get("Idempotency-Key", "")
        receipt = request.headers.get("X-Paxgate-Receipt", "")
        body = json.loads(await request.read())
        if body.get("key") != key or body.get("receipt") != receipt:
            self.mismatched.append(key)
        self.requests.append((key, receipt))
        return web.Response(status=200)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/units", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/units"

    def keys(self) -> Counter[str]:
        return Counter(key for key, _ in self.requests)

    def receipts(self) -> set[str]:
        return {receipt for _, receipt in self.requests}


@pytest_asyncio.fixture
async def webhook() -> AsyncIterator[Webhook]:
    hook = Webhook()
    try:
        yield hook
    finally:
        await hook.stop()


def free_port() -> int:
    """A port nothing listens on, below the ephemeral range: the gateway's own outgoing connections
    take ephemeral ports, and one of them could otherwise connect to itself (TCP simultaneous open)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.sample(range(max(1024, low - 12000), low), 50):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port below the ephemeral range")


# --- the carrier's side --------------------------------------------------------------------------


@dataclass
class Outcomes:
    acknowledged: dict[str, int] = field(default_factory=dict)  # receipt → submission number
    unanswered: list[int] = field(default_factory=list)  # connection error: stored or not, nobody told us
    refused: list[tuple[int, int, str]] = field(default_factory=list)  # (submission, status, body)
    verdicts: Counter[str] = field(default_factory=Counter)


def carrier_session(served: Gateway) -> aiohttp.ClientSession:
    context = ssl.create_default_context(cafile=str(served.certificate))
    token = served.token("demo-carrier.token")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/edifact", "Accept": "application/json"}
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context, limit=32), headers=headers,
                                 timeout=aiohttp.ClientTimeout(total=60))


async def submit(session: aiohttp.ClientSession, served: Gateway, n: int, outcomes: Outcomes) -> bool:
    """One submission; False when the connection failed (the gateway is gone or going)."""
    try:
        async with session.post(served.carrier_url, data=message(n)) as response:
            body = await response.read()
            status = response.status
    except CONNECTION_ERRORS:
        outcomes.unanswered.append(n)
        return False
    if status != 200:
        outcomes.refused.append((n, status, body[:300].decode(errors="replace")))
        return True
    document = json.loads(body)
    outcomes.acknowledged[document["receipt"]] = n
    outcomes.verdicts[document["verdict"]] += 1
    return True


def read_store(data_dir: Path) -> tuple[dict[str, tuple[str, str | None, str | None, str]], list[tuple[str, str, str, int]]]:
    """receipts: id → (state, verdict, duplicate, sha256); outbox rows: (receipt, key, state, attempts). Read-only."""
    with contextlib.closing(sqlite3.connect(f"file:{data_dir / 'paxgate.db'}?mode=ro", uri=True)) as db:
        receipts = {r[0]: tuple(r[1:]) for r in db.execute("SELECT id, state, verdict, duplicate, sha256 FROM receipts")}
        outbox = [tuple(r) for r in db.execute("SELECT receipt, key, state, attempts FROM outbox ORDER BY id")]
    return receipts, outbox  # type: ignore[return-value]


def count_log_events(tmp_path: Path, event: str) -> int:
    return sum(1 for path in tmp_path.glob("serve-*.err") for line in path.read_text(errors="replace").splitlines()
               if f'"event":"{event}"' in line.replace(" ", ""))


async def stop_gracefully(served: Gateway, timeout_s: float = 45.0) -> None:
    served.terminate()
    status = await served.exit_status(timeout_s)
    assert status == 0, f"paxgate exited with {status} after SIGTERM:\n{served.log_tail()}"


# --- tests ---------------------------------------------------------------------------------------

ROUNDS = 4
IN_FLIGHT = 16


@pytest.mark.asyncio
async def test_kill_9_loses_nothing_and_forwards_each_unit_once(tmp_path: Path, gateways: Gateways,
                                                                 webhook: Webhook) -> None:
    started = time.monotonic()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    await webhook.start()
    data_dir = tmp_path / "data"
    config = write_config(tmp_path, data_dir, webhook.url)
    numbers = itertools.count(1)
    outcomes = Outcomes()
    orphans: list[int] = []
    orphan_seconds: list[float] = []

    served = await gateways.start(config, data_dir)
    for _ in range(ROUNDS):
        killed = asyncio.Event()

        async def carrier(session: aiohttp.ClientSession, served: Gateway = served, killed: asyncio.Event = killed) -> None:
            while not killed.is_set() and await submit(session, served, next(numbers), outcomes):
                pass

        async with carrier_session(served) as session:
            clients = [asyncio.create_task(carrier(session)) for _ in range(IN_FLIGHT)]
            await asyncio.sleep(rng.uniform(0.3, 1.5))  # chaos timing: when the crash hits, not an assertion
            served.kill()  # the process crashes; its workers are orphaned
            killed.set()
            await asyncio.gather(*clients)
        assert await served.exit_status(10) == -signal.SIGKILL
        orphans.append(len(served.members()))  # the validation worker and the resource tracker, for now
        # Nobody reaps the session of a crashed process: its workers must notice and exit themselves.
        gone_at = time.monotonic()
        await wait_until(lambda served=served: not served.members(), 10,
                         "the killed gateway's orphaned workers to exit by themselves", interval_s=0.1)
        orphan_seconds.append(time.monotonic() - gone_at)
        served = await gateways.start(config, data_dir)

    async with aiohttp.ClientSession() as operator:
        depth = await wait_until(lambda: _drained(served, operator), 30, "the outbox to drain")
    await stop_gracefully(served)

    assert not outcomes.refused, f"only 200s or connection errors expected, got {outcomes.refused[:5]}"
    assert outcomes.acknowledged, "no submission was acknowledged: the crash came too early every round"
    assert set(outcomes.verdicts) == {"accepted"}, outcomes.verdicts
    receipts, outbox = read_store(data_dir)

    # Nothing acknowledged is lost, and nothing stored is left unprocessed (answered or not).
    missing = set(outcomes.acknowledged) - set(receipts)
    assert not missing, f"{len(missing)} acknowledged receipts are not in the store: {sorted(missing)[:5]}"
    unprocessed = {r: s[0] for r, s in receipts.items() if s[0] != "processed"}
    assert not unprocessed, f"receipts left unprocessed after restart: {unprocessed}"
    stored_unanswered = set(receipts) - set(outcomes.acknowledged)
    unanswered_bytes = {hashlib.sha256(message(n)).hexdigest() for n in outcomes.unanswered}
    phantoms = {r for r in stored_unanswered if receipts[r][3] not in unanswered_bytes}
    assert not phantoms, f"receipts that match no unanswered submission: {phantoms}"
    odd = {r: s for r, s in receipts.items() if s[1:3] != ("accepted", None)}
    assert not odd, f"every submission is distinct and valid, yet: {odd}"

    # Each accepted receipt has its one outbox row, delivered; the webhook saw every key.
    per_receipt = Counter(row[0] for row in outbox)
    assert set(per_receipt) == set(receipts)
    assert set(per_receipt.values()) == {1}
    assert {row[2] for row in outbox} == {"delivered"}, Counter(row[2] for row in outbox)
    assert (depth["pending"], depth["dead"]) == (0, 0), depth  # delivered: every row, checked in the store above
    keys = webhook.keys()
    outbox_keys = {row[1] for row in outbox}
    assert len(outbox_keys) == len(outbox)
    assert set(keys) == outbox_keys, f"keys never delivered: {sorted(outbox_keys - set(keys))[:5]}"
    assert webhook.receipts() == set(per_receipt)
    assert not webhook.mismatched, "body key/receipt differ from the headers"
    key_receipts = {(key, receipt) for key, receipt in webhook.requests}
    assert len(key_receipts) == len(keys), "one idempotency key arrived with two different receipts"

    submitted = len(outcomes.acknowledged) + len(outcomes.unanswered)
    print(f"\ncrash test (seed {seed}): {ROUNDS} kills, {submitted} submitted, {len(outcomes.acknowledged)} acknowledged, "
          f"{len(outcomes.unanswered)} unanswered (killed mid-flight), {len(stored_unanswered)} of those stored and "
          f"processed after restart, {count_log_events(tmp_path, 'message_resumed')} resumed at start-up, "
          f"{len(outbox)} units forwarded, {sum(keys.values()) - len(keys)} raw redeliveries, "
          f"orphans per kill {orphans} gone after {max(orphan_seconds):.1f} s at most, {time.monotonic() - started:.1f} s")


async def _drained(served: Gateway, session: aiohttp.ClientSession) -> dict[str, float] | None:
    depth = await served.outbox_depth(session)
    return depth if depth.get("pending") == 0 else None


@pytest.mark.asyncio
async def test_outbox_grows_while_the_sink_is_down_and_drains_when_it_returns(tmp_path: Path, gateways: Gateways,
                                                                               webhook: Webhook) -> None:
    port = free_port()  # nothing listens here until the sink "comes back"
    data_dir = tmp_path / "data"
    served = await gateways.start(write_config(tmp_path, data_dir, f"http://127.0.0.1:{port}/units"), data_dir)
    outcomes = Outcomes()
    count = 10
    async with carrier_session(served) as session:
        answered = await asyncio.gather(*(submit(session, served, n, outcomes) for n in range(1, count + 1)))
    assert all(answered) and not outcomes.refused, outcomes
    assert outcomes.verdicts == {"accepted": count}

    async with aiohttp.ClientSession() as operator:
        async def retried() -> bool:  # each unit waits in the outbox, pending, after failed attempts
            for receipt in outcomes.acknowledged:
                status, body = await served.operator_get(operator, f"/v1/receipts/{receipt}")
                assert status == 200, body
                deliveries = json.loads(body)["deliveries"]
                assert [d["state"] for d in deliveries] == ["pending"], deliveries
                if deliveries[0]["attempts"] < 2:
                    return False
            return True

        await wait_until(retried, 20, "every delivery to have failed at least twice", interval_s=0.1)
        depth = await served.outbox_depth(operator)
        assert depth["pending"] == count and depth["delivered"] == 0 and depth["dead"] == 0, depth

        await webhook.start(port)  # the sink is back
        back_at = time.monotonic()
        await wait_until(lambda: len(webhook.keys()) == count, 30, f"{count} distinct units at the webhook")
        drain_seconds = time.monotonic() - back_at
        depth = await wait_until(lambda: _drained(served, operator), 10, "the outbox to drain")
        assert depth["pending"] == 0 and depth["delivered"] == count and depth["dead"] == 0, depth
        for receipt in outcomes.acknowledged:
            status, body = await served.operator_get(operator, f"/v1/receipts/{receipt}")
            assert status == 200 and [d["state"] for d in json.loads(body)["deliveries"]] == ["delivered"], body
    await stop_gracefully(served)

    keys = webhook.keys()
    assert set(keys.values()) == {1}, f"redelivered without a crash: {[k for k, c in keys.items() if c > 1]}"
    assert webhook.receipts() == set(outcomes.acknowledged)
    assert not webhook.mismatched
    _, outbox = read_store(data_dir)
    assert {row[1] for row in outbox} == set(keys)
    assert all(row[2] == "delivered" and row[3] >= 3 for row in outbox), outbox  # ≥ 2 failures, then the success
    print(f"\noutage test: {count} acknowledged while the sink was down, attempts per delivery "
          f"{sorted(row[3] for row in outbox)}, all at the sink {drain_seconds:.2f} s after it came back")


@pytest.mark.asyncio
async def test_sigterm_finishes_in_flight_requests(tmp_path: Path, gateways: Gateways, webhook: Webhook) -> None:
    await webhook.start()
    data_dir = tmp_path / "data"
    served = await gateways.start(write_config(tmp_path, data_dir, webhook.url), data_dir)
    outcomes = Outcomes()
    numbers = iter(range(1, 201))
    some_answered = asyncio.Event()

    async def carrier(session: aiohttp.ClientSession) -> None:
        for n in numbers:
            if not await submit(session, served, n, outcomes):
                return
            if len(outcomes.acknowledged) >= 10:
                some_answered.set()

    async with carrier_session(served) as session:
        clients = [asyncio.create_task(carrier(session)) for _ in range(IN_FLIGHT)]
        waiting = asyncio.create_task(some_answered.wait())
        await asyncio.wait([waiting, *clients], return_when=asyncio.FIRST_COMPLETED, timeout=30)
        assert some_answered.is_set(), "no answers before SIGTERM"
        sent_at = time.monotonic()
        served.terminate()  # requests are in flight: 16 clients submit back to back
        await asyncio.gather(*clients)
        waiting.cancel()
    status = await served.exit_status(45)
    stop_seconds = time.monotonic() - sent_at
    assert status == 0, f"paxgate exited with {status} after SIGTERM:\n{served.log_tail()}"

    assert not outcomes.refused, f"only 200s or connection errors expected during shutdown: {outcomes.refused[:5]}"
    assert set(outcomes.verdicts) == {"accepted"}
    receipts, _ = read_store(data_dir)
    missing = set(outcomes.acknowledged) - set(receipts)
    assert not missing, f"acknowledged receipts missing from the store: {sorted(missing)}"
    unprocessed = {r: s[0] for r, s in receipts.items() if s[0] != "processed"}
    assert not unprocessed, f"a graceful shutdown left receipts unprocessed: {unprocessed}"
    await wait_until(lambda: not served.members(), 5, "the gateway's workers to exit with it")
    # The log is one process's, in order: what was processed after "gateway_stopping" was in flight.
    events = [json.loads(line).get("event") for line in served.stderr_path.read_text().splitlines() if line.startswith("{")]
    assert "gateway_stopping" in events, served.log_tail()
    finished = events[events.index("gateway_stopping"):].count("message_processed")
    assert finished >= 1, "SIGTERM found no request in flight: the test proved nothing about finishing them"
    # A request the gateway stored was in its hands when SIGTERM came: it must have been answered.
    stored_unanswered = set(receipts) - set(outcomes.acknowledged)
    assert not stored_unanswered, f"stored, then dropped unanswered by the shutdown: {sorted(stored_unanswered)}"
    print(f"\nsigterm test: {len(outcomes.acknowledged)} acknowledged, {finished} processed after SIGTERM, "
          f"{len(outcomes.unanswered)} connection errors (none stored), exit 0 after {stop_seconds:.2f} s")
