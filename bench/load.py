"""Load: typical 50-traveller PAXLSTs posted to a real ``paxgate serve`` at increasing rates.

    .venv/bin/python bench/load.py [--duration 60] [--rates 100,200,300,400] [--travellers 50] [--workers 0]
    make bench-load

A quick look takes a minute or two: ``.venv/bin/python bench/load.py --duration 10`` (or
``--duration 5 --rates 50,100``). The full default run is four 60 s steps plus start-up and the
outbox drain, about five minutes, longer when the server falls behind (a step lasts until its last
answer), and writes a few GB into a temporary data directory that is removed afterwards (``--keep``
keeps it for a look with ``sqlite3``).

What happens:

* ``paxgate serve`` starts as a subprocess (``python -m gateway.cli serve`` in this checkout, by
  ``bench/served.py``) on a fresh data directory with a generated config: ports 0, the demo carrier
  ZZ (testing, so its data goes to the ``test`` directory sink), no rate limit,
  ``logging.level = "warning"``, ``pipeline.workers`` from ``--workers`` (0 = one per core).
* Before any clock starts, each step's messages are generated: valid PAXLST D:05B interchanges
  from ``conformance.builders.paxlst`` with ``--travellers`` travellers, every one distinct in
  interchange reference, flight and travellers, so none is a duplicate (see :class:`Messages`).
* Each rate step is an **open-loop** client (one aiohttp session, TLS, keep-alive, up to
  ``--connections`` connections): request *i* is due at ``start + i / rate`` by the wall clock,
  whether or not earlier requests were answered. Latency is measured from the time a request was
  *due* until its whole response (the CONTRL) was read, so it includes every queue a late server
  builds up, the client's own connection queue included (no coordinated omission).
* Achieved msgs/s is the completion rate over the step (responses between the first and the last
  completion); a server that falls behind completes late and shows a lower rate and a long tail.
* After the steps, the outbox is drained (``paxgate_outbox_depth{state="pending"}`` on the operator
  listener's ``/metrics``), the server is stopped with SIGTERM and the SQLite store is checked:
  every receipt id answered with 200 is ``processed``, every outbox row is ``delivered`` and the
  sink directory holds one file per delivered row.

Nothing here asserts on speed: the script prints the figures and whether each step met the target
(achieved ≥ 99 % of the rate, the 1 % being timer granularity, and p99 ≤ 100 ms, no errors). It exits
1 when correctness fails: an error response or a client error, an acknowledged message lost or not
forwarded, or a server that does not stop cleanly. Client and server share this machine's cores, so
the client's CPU is taken from the server's budget; the second table shows it per step, with the
server's main process, its validation pool and whatever else ran on the machine meanwhile (from
/proc: other work on a shared box shows up there and explains a bad step).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import shutil
import sqlite3
import ssl
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout even without the editable install

import aiohttp  # noqa: E402
from machine import python_and_system, version  # noqa: E402 - bench/, this script's folder
from served import TEST_SINK, TEST_SINK_DIR, Served, carrier, write_config  # noqa: E402

from conformance.builders import PaxlstSpec, paxlst  # noqa: E402
from gateway.config import load_config  # noqa: E402
from gateway.pipeline import default_workers  # noqa: E402
from validators.validate import validate  # noqa: E402

P99_TARGET_MS = 100.0
RATE_TOLERANCE = 0.99  # achieved/target that still counts as "kept up" (timer granularity, first/last completion)
TARGET_RATE, TARGET_SECONDS = 300, 60  # from the issue: >= 300 msg/s sustained for 60 s with p99 <= 100 ms
WARM_UP = 50  # messages sent before the first step: first TLS handshakes, first pool calls, SQLite caches
BASES = 1000  # distinct traveller lists built by paxlst; flights multiply them (see Messages)
FLIGHTS = 9999  # ZZ0001 … ZZ9999; coprime with BASES
SINK_DIR = TEST_SINK_DIR


# --- messages --------------------------------------------------------------------------------------------------


class Messages:
    """Distinct, valid PAXLSTs, fast enough to make 24,000 of them before a step starts.

    ``paxlst`` takes about 3.5 ms for 50 travellers, too slow for the 60,000 lists of a full run.
    So :data:`BASES` lists are built once (seed = traveller data), each with a placeholder flight
    and interchange reference, and message *i* is base ``i % BASES`` with flight ``ZZ`` + (``i %
    9999`` + 1) and reference ``PX`` + *i*, substituted byte for byte. The flight only appears in
    UNH and TDT and the reference only in UNB and UNZ, both are digits of fixed width, and the
    seeded random draws do not depend on them, so the result is exactly what
    ``paxlst(PaxlstSpec(passengers, seed, flight, reference))`` writes (:meth:`check` verifies
    samples against it). Every message differs in reference (no interchange duplicate) and in
    content: 1000 and 9999 are coprime, so (traveller list, flight) pairs repeat only after
    9,999,000 messages (no content duplicate either). Consecutive messages are lists of different
    flights, as a carrier's traffic is; a flight comes again (a new version of its list, which
    replaces the previous one downstream) only every 9,999 messages.
    """

    def __init__(self, travellers: int) -> None:
        self.travellers = travellers
        self.bases: list[bytes] = []
        for k in range(BASES):
            data = paxlst(self._spec(k, self._flight_placeholder(), self._reference(k)))
            if data.count(self._flight_placeholder().encode()) != 2 or data.count(self._reference(k).encode()) != 2:
                raise AssertionError("builder layout changed: the flight must appear in UNH and TDT only, "
                                     "the reference in UNB and UNZ only")
            self.bases.append(data)

    def _spec(self, k: int, flight: str, reference: str) -> PaxlstSpec:
        return PaxlstSpec(passengers=self.travellers, seed=k + 1, carrier="ZZ", flight=flight, reference=reference)

    @staticmethod
    def _flight_placeholder() -> str:
        return "ZZ0000"

    @staticmethod
    def _reference(i: int) -> str:
        return f"PX{i:010d}"

    @staticmethod
    def _flight(i: int) -> str:
        if i >= BASES * FLIGHTS:
            raise ValueError(f"more than {BASES * FLIGHTS:,} distinct messages asked for")
        return f"ZZ{i % FLIGHTS + 1:04d}"

    def message(self, i: int) -> bytes:
        k = i % BASES
        return (self.bases[k].replace(self._flight_placeholder().encode(), self._flight(i).encode())
                .replace(self._reference(k).encode(), self._reference(i).encode()))

    def batch(self, start: int, count: int) -> list[bytes]:
        return [self.message(i) for i in range(start, start + count)]

    def check(self, indexes: list[int]) -> None:
        """The substituted bytes are the builder's own, and the gateway's validator accepts them."""
        for i in indexes:
            data = self.message(i)
            if data != paxlst(self._spec(i % BASES, self._flight(i), self._reference(i))):
                raise AssertionError(f"message {i} differs from what paxlst writes for its spec")
            verdict = validate(data).verdict.value
            if verdict != "accepted":
                raise AssertionError(f"message {i} is {verdict}, a load test needs accepted lists")


# --- the server --------------------------------------------------------------------------------------------------


class Server(Served):
    """``paxgate serve`` on a fresh data directory, as a subprocess: ports 0, the demo carrier ZZ (testing) with its
    token, the operator admin with its own, the directory sink for test traffic, logging at warning."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        config = write_config(data_dir / "load.toml", data_dir, workers=workers, operator_admin=True,
                              extra=TEST_SINK + carrier(token=True))
        super().__init__(config, data_dir)
        self.workers = default_workers(load_config(config))  # what the server computes from the same file

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificate))


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def machine_cpu_seconds() -> float:
    """CPU seconds all processes of the machine used since boot (user, nice, system, irq, softirq, steal), from
    /proc/stat; 0 where there is none. Other work on the machine takes cores from the server: it shows here."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / TICK  # minus idle and iowait


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of ``pid`` and of its child processes (the validation pool), from
    /proc; (0, 0) where there is no /proc."""

    def stat(path: Path) -> tuple[int, float] | None:
        try:
            fields = path.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid, utime + stime

    own = stat(Path(f"/proc/{pid}/stat"))
    if own is None:
        return 0.0, 0.0
    children = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = stat(entry / "stat")
            if found is not None and found[0] == pid:
                children += found[1]
    return own[1], children


# --- the client --------------------------------------------------------------------------------------------------


def percentile_ms(seconds: list[float], p: float) -> float:
    """Nearest rank, in milliseconds."""
    if not seconds:
        return float("nan")
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))] * 1000


@dataclass
class Step:
    rate: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, due → whole response read
    lags: list[float] = field(default_factory=list)  # seconds the client started a request after it was due
    first_done: float = 0.0
    last_done: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    receipts: list[tuple[str, str]] = field(default_factory=list)  # (X-Paxgate-Receipt, X-Paxgate-Verdict) of each 200
    seconds: float = 0.0
    peak_in_flight: int = 0
    server: dict[str, float] = field(default_factory=dict)  # figures from /metrics and /proc for this step

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def failures(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + sum(self.errors.values())

    @property
    def achieved(self) -> float:
        if self.completed < 2 or self.last_done <= self.first_done:
            return 0.0
        return (self.completed - 1) / (self.last_done - self.first_done)

    def percentile(self, p: float) -> float:
        return percentile_ms(self.latencies, p)

    def met(self) -> bool:
        return self.failures == 0 and self.achieved >= RATE_TOLERANCE * self.rate and self.percentile(99) <= P99_TARGET_MS


async def post(session: aiohttp.ClientSession, url: str, headers: dict[str, str], body: bytes, due: float,
               step: Step, in_flight: list[int]) -> None:
    loop = asyncio.get_running_loop()
    step.lags.append(loop.time() - due)
    in_flight[0] += 1
    step.peak_in_flight = max(step.peak_in_flight, in_flight[0])
    try:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            done = loop.time()
            step.statuses[response.status] += 1
            if response.status == 200:
                verdict = response.headers.get("X-Paxgate-Verdict", "")
                step.receipts.append((response.headers.get("X-Paxgate-Receipt", ""), verdict))
                step.verdicts[verdict] += 1
    except Exception as error:  # a transport failure is a failed submission too: counted, reported, exit 1
        step.errors[type(error).__name__] += 1
        return
    finally:
        in_flight[0] -= 1
    step.latencies.append(done - due)
    step.first_done = done if step.completed == 1 else min(step.first_done, done)
    step.last_done = max(step.last_done, done)


async def run_step(session: aiohttp.ClientSession, url: str, headers: dict[str, str], bodies: list[bytes],
                   rate: float) -> Step:
    """Open loop: request i is started when it is due (start + i / rate), never waiting for answers."""
    loop = asyncio.get_running_loop()
    step = Step(rate=rate)
    tasks: set[asyncio.Task[None]] = set()
    in_flight = [0]
    start = loop.time() + 0.01
    for i, body in enumerate(bodies):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(post(session, url, headers, body, due, step, in_flight))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        step.sent += 1
    if tasks:
        await asyncio.gather(*tasks)
    step.seconds = loop.time() - start
    return step


async def warm_up(session: aiohttp.ClientSession, url: str, headers: dict[str, str], bodies: list[bytes]) -> Step:
    """A few messages, four at a time, outside any measurement."""
    loop = asyncio.get_running_loop()
    step = Step(rate=0)
    gate = asyncio.Semaphore(4)
    in_flight = [0]

    async def one(body: bytes) -> None:
        async with gate:
            await post(session, url, headers, body, loop.time(), step, in_flight)

    await asyncio.gather(*(one(b) for b in bodies))
    return step


async def scrape(session: aiohttp.ClientSession, url: str, token: str) -> dict[str, float]:
    """The operator listener's /metrics as {'name{labels}': value}."""
    async with session.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}) as response:
        response.raise_for_status()
        text = await response.text()
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                values[name] = float(value)
    return values


PENDING = 'paxgate_outbox_depth{state="pending"}'


def mean_ms(before: dict[str, float], after: dict[str, float], histogram: str) -> float:
    count = after.get(f"{histogram}_count", 0) - before.get(f"{histogram}_count", 0)
    total = after.get(f"{histogram}_sum", 0) - before.get(f"{histogram}_sum", 0)
    return total / count * 1000 if count else float("nan")


@dataclass
class Run:
    """What a run found so far: kept when a later step fails, so the store check still sees every 200."""

    warm: Step = field(default_factory=lambda: Step(rate=0))
    steps: list[Step] = field(default_factory=list)
    drained: float | None = None  # seconds after the last step, None when it did not drain in time
    pending: float = float("nan")


async def drive(server: Server, messages: Messages, rates: list[float], args: argparse.Namespace, run: Run) -> None:
    headers = {"Authorization": f"Bearer {server.token('demo-carrier.token')}", "Content-Type": "application/edifact"}
    operator_token = server.token("operator-admin.token")
    connector = aiohttp.TCPConnector(limit=args.connections, ssl=server.tls_context(), keepalive_timeout=60)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=args.timeout)) as session, \
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as operator:

        async def metrics() -> dict[str, float]:
            return await scrape(operator, server.operator_url, operator_token)

        run.warm = await warm_up(session, server.carrier_url, headers, messages.batch(0, WARM_UP))
        next_index = WARM_UP
        print_table_header()
        for rate in rates:
            count = max(1, round(rate * args.duration))
            bodies = messages.batch(next_index, count)  # before the clock starts
            next_index += count
            before = await metrics()
            cpu_before, client_before, machine_before = cpu_seconds(server.pid), time.process_time(), machine_cpu_seconds()
            step = await run_step(session, server.carrier_url, headers, bodies, rate)
            cpu_after, client_after, machine_after = cpu_seconds(server.pid), time.process_time(), machine_cpu_seconds()
            run.steps.append(step)
            after = await metrics()
            del bodies
            delivered = 'paxgate_deliveries_total{sink="test"}'
            figures = {
                "ack_ms": mean_ms(before, after, "paxgate_acknowledgement_seconds"),
                "validation_ms": mean_ms(before, after, "paxgate_validation_seconds"),
                "pending": after.get(PENDING, float("nan")),
                "delivered": after.get(delivered, 0) - before.get(delivered, 0),
                "cpu_main": (cpu_after[0] - cpu_before[0]) / step.seconds * 100,
                "cpu_pool": (cpu_after[1] - cpu_before[1]) / step.seconds * 100,
                "cpu_client": (client_after - client_before) / step.seconds * 100,
                "cpu_machine": (machine_after - machine_before) / step.seconds * 100,
            }
            figures["cpu_others"] = max(0.0, figures["cpu_machine"] - figures["cpu_main"] - figures["cpu_pool"]
                                        - figures["cpu_client"])
            step.server = figures
            print_step(step, messages.travellers)
        # the outbox: wait (bounded) until everything committed has been forwarded
        began = time.monotonic()
        while time.monotonic() - began < args.drain_timeout:
            if (await metrics()).get(PENDING, 1) == 0:
                run.drained = time.monotonic() - began
                break
            await asyncio.sleep(0.5)
        run.pending = (await metrics()).get(PENDING, float("nan"))


# --- output ------------------------------------------------------------------------------------------------------


def print_table_header() -> None:
    print("| target msg/s | achieved msg/s | travellers/s | p50 ms | p95 ms | p99 ms | max ms | sent | 200 | errors "
          f"| target met (≥ {RATE_TOLERANCE:.0%} of rate, p99 ≤ {P99_TARGET_MS:g} ms) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")


def print_step(step: Step, travellers: int) -> None:
    errors = ", ".join([f"HTTP {s}: {n}" for s, n in sorted(step.statuses.items()) if s != 200]
                       + [f"{kind}: {n}" for kind, n in step.errors.most_common()]) or "0"
    print(f"| {step.rate:g} | {step.achieved:.1f} | {step.achieved * travellers:,.0f} | {step.percentile(50):.1f} | "
          f"{step.percentile(95):.1f} | {step.percentile(99):.1f} | {step.percentile(100):.1f} | {step.sent} | "
          f"{step.statuses.get(200, 0)} | {errors} | {'yes' if step.met() else 'NO'} |", flush=True)


def print_details(steps: list[Step]) -> None:
    print(f"\nWhere the time goes, per step (server figures from /metrics and /proc; CPU in % of one core, "
          f"the machine has {(os.cpu_count() or 1) * 100}%):\n")
    print("| target msg/s | server ack mean ms | pool mean ms (queue + validation) | client start lag p99 ms "
          "| peak in flight | outbox delivered | outbox pending after | CPU server main | CPU pool | CPU client "
          "| CPU other processes | CPU machine |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for step in steps:
        s = step.server
        lag99 = percentile_ms(step.lags, 99)
        print(f"| {step.rate:g} | {s['ack_ms']:.1f} | {s['validation_ms']:.1f} | {lag99:.1f} | {step.peak_in_flight} | "
              f"{s['delivered']:.0f} | {s['pending']:.0f} | {s['cpu_main']:.0f} | {s['cpu_pool']:.0f} | {s['cpu_client']:.0f} | "
              f"{s['cpu_others']:.0f} | {s['cpu_machine']:.0f} |")


@dataclass
class LossCheck:
    acknowledged: int = 0
    missing: int = 0
    not_processed: int = 0
    unacknowledged_stored: int = 0
    outbox: Counter[str] = field(default_factory=Counter)
    accepted_without_outbox: int = 0
    files: int = 0
    temp_files: int = 0

    @property
    def zero_loss(self) -> bool:
        delivered = self.outbox.get("delivered", 0)
        return (self.acknowledged > 0 and self.missing == 0 and self.not_processed == 0 and self.accepted_without_outbox == 0
                and sum(self.outbox.values()) == delivered and self.files == delivered)


def check_store(data_dir: Path, acknowledged: list[str], accepted: set[str]) -> LossCheck:
    check = LossCheck(acknowledged=len(acknowledged))
    connection = sqlite3.connect(data_dir / "paxgate.db")
    try:
        states = dict(connection.execute("SELECT id, state FROM receipts"))
        check.outbox.update(dict(connection.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")))
        with_outbox = {r[0] for r in connection.execute("SELECT DISTINCT receipt FROM outbox")}
    finally:
        connection.close()
    wanted = set(acknowledged)
    check.missing = sum(1 for r in wanted if r not in states)
    check.not_processed = sum(1 for r in wanted if r in states and states[r] != "processed")
    check.unacknowledged_stored = len(set(states) - wanted)
    check.accepted_without_outbox = len(accepted - with_outbox)
    sink = data_dir / SINK_DIR
    check.files = sum(1 for _ in sink.glob("*.json"))
    check.temp_files = sum(1 for _ in sink.glob(".*.tmp"))
    return check


# --- main --------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=TARGET_SECONDS,
                        help=f"seconds per rate step (default {TARGET_SECONDS}; 10 for a quick look)")
    parser.add_argument("--rates", default="100,200,300,400", help="messages per second, one step each (default 100,200,300,400)")
    parser.add_argument("--travellers", type=int, default=50, help="travellers per PAXLST (default 50)")
    parser.add_argument("--workers", type=int, default=0, help="the server's validation processes (default 0: one per core)")
    parser.add_argument("--connections", type=int, default=128, help="client connection limit (default 128)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds a client waits for one acknowledgement before counting an error (default 600)")
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="seconds to wait for the outbox (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (store, sink files, server log)")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if not rates or min(rates) <= 0 or args.duration <= 0:
        parser.error("rates and duration must be positive")

    data_dir = Path(tempfile.mkdtemp(prefix="paxgate-load-"))
    try:
        return load(args, rates, data_dir)
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def load(args: argparse.Namespace, rates: list[float], data_dir: Path) -> int:
    server = Server(data_dir, args.workers)
    print("# paxgate load: PAXLST over HTTPS, intake + validation + store + acknowledgement + outbox\n")
    print(f"- machine: {os.cpu_count()} CPUs (os.cpu_count()), {python_and_system()}; client and server share the CPUs")
    print(f"- paxgate {version('paxgate')}, aiohttp {version('aiohttp')}; server: {server.workers} validation worker(s) "
          f"(pipeline.workers = {args.workers}), SQLite WAL synchronous=FULL, directory sink, logging at warning")
    began = time.perf_counter()
    messages = Messages(args.travellers)
    messages.check([0, 1, BASES - 1, BASES, 2 * BASES + 17])
    print(f"- messages: PAXLST D:05B, {args.travellers} travellers, {len(messages.message(0)):,} bytes each, all distinct "
          f"({BASES} traveller lists × {FLIGHTS} flights; {time.perf_counter() - began:.1f} s to build the lists), "
          f"generated before each step's clock starts")
    print(f"- steps: {', '.join(f'{r:g}' for r in rates)} msg/s, {args.duration:g} s each, open loop, "
          f"≤ {args.connections} keep-alive TLS connections; latency = due time → whole CONTRL read")
    print(f"- data directory: {data_dir}{' (kept)' if args.keep else ' (removed at the end)'}\n")

    failures: list[str] = []
    run = Run()
    try:
        server.start()
        print(f"- server pid {server.pid}: {server.carrier_url}, operator {server.operator_url}\n", flush=True)
        asyncio.run(drive(server, messages, rates, args, run))
    except Exception as error:
        failures.append(f"the run failed: {type(error).__name__}: {error}")
    finally:
        status = server.stop()
    if status != 0:
        failures.append(f"paxgate serve did not stop cleanly (exit status {status})")

    if run.steps:
        print_details(run.steps)
        print()
        if run.drained is not None:
            print(f"outbox drained {run.drained:.1f} s after the last step")
        else:
            print(f"outbox NOT drained within {args.drain_timeout:g} s: {run.pending:.0f} deliveries pending")
        best = max((s.rate for s in run.steps if s.met()), default=0)
        print(f"sustained: {best:g} msg/s ({best * args.travellers:,.0f} travellers/s) is the highest step that met "
              f"the target, with {server.workers} validation worker(s) on {os.cpu_count()} CPUs")
        at_target = [s for s in run.steps if s.rate >= TARGET_RATE]
        verdict = ("MET" if any(s.met() for s in at_target) else "NOT MET") if at_target else \
            f"not tried (no step at {TARGET_RATE} msg/s or above)"
        note = "" if args.duration >= TARGET_SECONDS else \
            f" (steps of {args.duration:g} s: indicative, the target asks for {TARGET_SECONDS} s)"
        print(f"target (≥ {TARGET_RATE} msg/s sustained for {TARGET_SECONDS} s, p99 ≤ {P99_TARGET_MS:g} ms): {verdict}{note}")

    every = [run.warm, *run.steps]
    acknowledged = [r for s in every for r, _ in s.receipts]
    accepted = {r for s in every for r, verdict in s.receipts if verdict == "accepted"}
    verdicts = sum((s.verdicts for s in every), Counter())
    errors = sum(s.failures for s in every)
    if errors:
        failures.append(f"{errors} submission(s) failed (error responses or client errors)")
    if set(verdicts) - {"accepted"}:
        failures.append(f"verdicts other than accepted: {dict(verdicts)}")
    if acknowledged and (data_dir / "paxgate.db").exists():
        loss = check_store(data_dir, acknowledged, accepted)
        print(f"zero loss: {'yes' if loss.zero_loss else 'NO'} - {loss.acknowledged} acknowledged (200), "
              f"{loss.missing} missing from the store, {loss.not_processed} not processed, "
              f"{loss.unacknowledged_stored} stored without a 200; outbox {dict(loss.outbox) or '{}'}, "
              f"{loss.accepted_without_outbox} accepted without an outbox row; {loss.files} files in the sink directory"
              f"{f', {loss.temp_files} temp files left' if loss.temp_files else ''}")
        if not loss.zero_loss:
            failures.append("messages lost or not forwarded")
    else:
        print("zero loss: NO - nothing was acknowledged")
        failures.append("nothing was acknowledged")

    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        print(f"server log (last lines of {server.stderr_path}):\n{server.log_tail()}")
    return 1 if failures else 0

if __name__ == "__main__":
    sys.exit(main())
