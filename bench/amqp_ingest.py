"""AMQP ingest: small PAXLSTs published to a real ``paxgate serve`` through RabbitMQ, end to end.

    .venv/bin/python bench/amqp_ingest.py [--count 10000] [--travellers 2] [--prefetch 32] [--workers 0]
    make bench-amqp

What happens:

* ``paxgate serve`` starts as a subprocess (``python -m gateway.cli serve``, by ``bench/served.py``)
  on a fresh data directory with a generated config: ports 0, SFTP off, ``logging.level =
  "warning"``, the demo carrier ZZ on the ``amqp`` channel (testing, so its units go to the
  ``test`` directory sink), queue names with a random run id, the broker URL from
  ``PAXGATE_BENCH_AMQP_URL`` (default guest on 127.0.0.1:5672), passed through ``amqp.url_env`` as
  an operator would.
* Before the clock starts, ``--count`` distinct PAXLSTs are built (``conformance.builders.paxlst``:
  own interchange reference, flight and travellers each, so none is a duplicate).
* The clock starts with the first publish. A carrier client publishes every message, persistent,
  with publisher confirms (up to ``--window`` unconfirmed at a time), ``reply_to`` its reply queue
  and ``correlation_id`` the message's index, and counts the answers arriving there.
* Figures: publish rate (confirmed by the broker), **end-to-end rate** = messages / (last answer −
  first publish), and latency from a message's publish to its answer (p50, p99, max).
* Zero loss: every message answered (distinct correlation ids), every answer ``accepted``, the
  inbound queue empty; after SIGTERM the store holds exactly one ``processed`` receipt per message
  (by SHA-256). The script exits 1 when any of that fails; speed is printed, never asserted
  (the issue's target, ≥ 500 msg/s, is shown beside the figure).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import platform
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout even without the editable install

import aio_pika  # noqa: E402
import aiormq.exceptions  # noqa: E402
from served import TEST_SINK, Served, ServeError, carrier, write_config  # noqa: E402 - bench/, this script's folder

from conformance.builders import PaxlstSpec, paxlst  # noqa: E402

URL_ENV = "PAXGATE_BENCH_AMQP_URL"
BROKER_URL = os.environ.get(URL_ENV, "amqp://guest:guest@127.0.0.1:5672/")
TARGET_RATE = 500.0  # msg/s end to end, from the issue

AMQP = """
[sftp]
enabled = false

[amqp]
url_env = "{url_env}"
queue_prefix = "{run}.in."
ack_prefix = "{run}.ack."
dead_letter_queue = "{run}.dead"
prefetch = {prefetch}
"""


def messages(count: int, travellers: int) -> list[bytes]:
    return [paxlst(PaxlstSpec(passengers=travellers, seed=n, flight=f"ZZ{n % 9999 + 1:04d}", reference=f"BA{n:012d}"))
            for n in range(count)]


def server(data_dir: Path, run: str, workers: int, prefetch: int) -> Served:
    """paxgate serve (bench/served.py), not started: the demo carrier ZZ on the amqp channel, the broker URL in URL_ENV."""
    config = write_config(data_dir.parent / "paxgate.toml", data_dir, workers=workers,
                          extra=TEST_SINK + carrier(["amqp"], senders=["ZZ"])
                          + AMQP.format(url_env=URL_ENV, run=run, prefetch=prefetch))
    return Served(config, data_dir, env={URL_ENV: BROKER_URL})


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


async def drive(bodies: list[bytes], run: str, window: int) -> dict[str, object]:
    count = len(bodies)
    sent_at: list[float] = [0.0] * count
    answered_at: dict[int, float] = {}
    verdicts: dict[str, int] = {}
    repeated = 0
    done = asyncio.Event()
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel(publisher_confirms=True)
        replies = await channel.declare_queue(exclusive=True)

        async def on_answer(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal repeated
            index = int(message.correlation_id or -1)
            if index in answered_at:
                repeated += 1
                return
            answered_at[index] = time.perf_counter()
            verdict = str((message.headers or {}).get("x-paxgate-verdict"))
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
            if len(answered_at) == count:
                done.set()

        await replies.consume(on_answer, no_ack=True)

        gate = asyncio.Semaphore(window)
        inbound = f"{run}.in.ZZ"

        async def publish(index: int) -> None:
            async with gate:
                sent_at[index] = time.perf_counter()
                await channel.default_exchange.publish(
                    aio_pika.Message(bodies[index], delivery_mode=aio_pika.DeliveryMode.PERSISTENT, reply_to=replies.name,
                                     correlation_id=str(index), content_type="application/edifact"), routing_key=inbound)

        started = time.perf_counter()
        await asyncio.gather(*(publish(i) for i in range(count)))
        published = time.perf_counter()
        timeout = max(120.0, count / 50)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=timeout)
        finished = max(answered_at.values(), default=time.perf_counter())
        left = (await channel.declare_queue(inbound, passive=True)).declaration_result.message_count
    finally:
        await connection.close()
    latencies = [answered_at[i] - sent_at[i] for i in answered_at]
    return {"publish_seconds": published - started, "seconds": finished - started, "answered": len(answered_at),
            "verdicts": verdicts, "repeated": repeated, "left": left, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "max": max(latencies, default=float("nan"))}


async def delete_queues(run: str) -> None:
    connection = await aio_pika.connect(BROKER_URL)
    try:
        for name in (f"{run}.in.ZZ", f"{run}.ack.ZZ", f"{run}.dead"):
            channel = await connection.channel()
            with contextlib.suppress(aiormq.exceptions.AMQPError):
                await channel.queue_delete(name)
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--travellers", type=int, default=2, help="travellers per PAXLST (small messages)")
    parser.add_argument("--prefetch", type=int, default=32, help="amqp.prefetch of the server (its default: 32)")
    parser.add_argument("--workers", type=int, default=0, help="pipeline.workers (0: one per core)")
    parser.add_argument("--window", type=int, default=1000, help="unconfirmed publishes at a time")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    built = time.perf_counter()
    bodies = messages(args.count, args.travellers)
    digests = sorted(hashlib.sha256(b).hexdigest() for b in bodies)
    print(f"built {len(bodies)} PAXLSTs ({args.travellers} travellers, {sum(map(len, bodies)) / len(bodies):.0f} bytes "
          f"on average) in {time.perf_counter() - built:.1f} s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"aio-pika {aio_pika.__version__}")

    run = f"bench-{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="paxgate-amqp-bench-"))
    served = server(tmp / "data", run, args.workers, args.prefetch)
    failures: list[str] = []
    try:
        try:
            served.start()
        except ServeError as error:
            raise SystemExit(f"paxgate serve did not start: {error}") from None
        result = asyncio.run(drive(bodies, run, args.window))
        status = served.stop()
        if status != 0:
            failures.append(f"paxgate serve exited with {status} after SIGTERM")
        with contextlib.closing(sqlite3.connect(tmp / "data" / "paxgate.db")) as db:
            stored = db.execute("SELECT sha256, state FROM receipts").fetchall()
    finally:
        served.stop()
        asyncio.run(delete_queues(run))
        if args.keep:
            print(f"data kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    count, seconds = args.count, float(result["seconds"])  # type: ignore[arg-type]
    rate = count / seconds if seconds > 0 else float("nan")
    print(f"published {count} with publisher confirms in {result['publish_seconds']:.2f} s "
          f"({count / float(result['publish_seconds']):.0f} msg/s)")  # type: ignore[arg-type]
    print(f"end to end (first publish → last answer): {seconds:.2f} s = {rate:.0f} msg/s "
          f"(target ≥ {TARGET_RATE:.0f}: {'met' if rate >= TARGET_RATE else 'NOT met'})")
    print(f"latency publish → answer: p50 {result['p50'] * 1000:.0f} ms, p99 {result['p99'] * 1000:.0f} ms, "  # type: ignore[operator]
          f"max {result['max'] * 1000:.0f} ms")  # type: ignore[operator]
    print(f"answers: {result['answered']} distinct, {result['repeated']} repeated, verdicts {result['verdicts']}, "
          f"inbound queue left {result['left']}")

    if result["answered"] != count:
        failures.append(f"{count - int(result['answered'])} messages never answered")  # type: ignore[call-overload]
    if result["verdicts"] != {"accepted": count}:
        failures.append(f"verdicts {result['verdicts']}")
    if result["left"] != 0:
        failures.append(f"{result['left']} messages left in the inbound queue")
    if sorted(s for s, _ in stored) != digests:
        failures.append(f"the store holds {len(stored)} receipts for {count} distinct messages")
    if any(state != "processed" for _, state in stored):
        failures.append("receipts left unprocessed")
    print(f"zero loss: {'yes' if not failures else 'NO'} ({len(stored)} receipts stored, each processed once)")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
