"""SFTP ingest: 1,000 small PAXLST files uploaded with paramiko to a real ``paxgate serve``, end to end.

    .venv/bin/python bench/sftp_ingest.py [--files 1000] [--connections 8] [--travellers 3] [--workers 0] [--no-peer]
    make bench-sftp

What happens:

* ``paxgate serve`` starts as a subprocess (``python -m gateway.cli serve`` in this checkout, by
  ``bench/served.py``) on a fresh temporary data directory with a generated config: all ports 0,
  ``logging.level = "warning"``, the demo carrier ZZ with its generated SSH key pair,
  ``pipeline.workers`` from ``--workers`` (0 = one per core). The SFTP port and host key come from
  its greeting and ``DATA_DIR/ssh/``.
* Before the clock starts, the files are generated (``conformance.builders.paxlst``, each distinct in
  interchange reference, flight and travellers, so none is a duplicate) and the paramiko connections
  are opened (authenticated with the demo key, host key pinned in a known_hosts file).
* The clock runs from the first upload until every acknowledgement is in ``outbox/`` as the carrier
  sees it (listed over SFTP). Each connection uploads its share one file after another
  (``putfo``: write, CLOSE, stat); paxgate answers a CLOSE after the file is stored and acknowledged,
  so the per-file latency printed is the carrier's wait for a durable intake.
* Zero loss is checked afterwards in the SQLite store: every file has a ``processed`` receipt on
  channel sftp under its name, and ``outbox/<name>.contrl`` holds the CONTRL for that file's UNB
  reference.
* Peer, same run, same clients and files: a plain asyncssh SFTP server writing the files to a
  directory (no intake, no fsync, no acknowledgement) shows what the transport alone costs here; the
  ratio says how much of the time is paxgate's durable intake.

Nothing asserts on speed (the target, 100 files/s, is printed next to the figure). The script exits 1
when a file is lost: no receipt, not processed, or no acknowledgement.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncssh
import paramiko

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from served import TEST_SINK, Served, ServeError, carrier, write_config  # noqa: E402 - bench/, this script's folder

from conformance.builders import PaxlstSpec, paxlst  # noqa: E402 - after the path set-up, like a script must

TARGET_FILES_PER_S = 100.0
START_TIMEOUT_S = 60.0

SFTP_ON = """
[sftp]
enabled = true
port = 0
"""


def files(count: int, travellers: int) -> list[tuple[str, str, bytes]]:
    """(name, UNB reference, bytes) for each file, all distinct."""
    out = []
    for i in range(count):
        reference = f"SB{i:010d}"
        out.append((f"bench-{i:05d}.edi", reference,
                    paxlst(PaxlstSpec(seed=i + 1, passengers=travellers, flight=f"ZZ{i % 10000:04d}", reference=reference))))
    return out


def connect(port: int, key: Path, known_hosts: Path, user: str = "ZZ") -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect("127.0.0.1", port, username=user, pkey=paramiko.Ed25519Key.from_private_key_file(str(key)),
                   look_for_keys=False, allow_agent=False, timeout=30, banner_timeout=30, auth_timeout=30)
    return client


def upload(clients: list[paramiko.SSHClient], batch: list[tuple[str, str, bytes]], remote_dir: str) -> tuple[float, list[float]]:
    """Each connection uploads its share, one file after another; returns (seconds, per-file latencies)."""
    shares = [batch[i::len(clients)] for i in range(len(clients))]
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)

    def worker(client: paramiko.SSHClient, share: list[tuple[str, str, bytes]]) -> None:
        with client.open_sftp() as sftp:
            barrier.wait()
            mine = []
            for name, _, data in share:
                started = time.perf_counter()
                sftp.putfo(io.BytesIO(data), f"{remote_dir}/{name}")
                mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    with ThreadPoolExecutor(len(clients)) as pool:
        futures = [pool.submit(worker, c, s) for c, s in zip(clients, shares, strict=True)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        return time.perf_counter() - started, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


# --- paxgate serve --------------------------------------------------------------------------------


def serve(tmp: Path, workers: int) -> tuple[Served, Path]:
    """paxgate serve (bench/served.py) and a known_hosts file pinning its SFTP host key."""
    data = tmp / "data"
    config = write_config(tmp / "paxgate.toml", data, workers=workers,
                          extra=SFTP_ON + TEST_SINK + carrier(["sftp"], ssh_key=True))
    try:
        server = Served(config, data).start(START_TIMEOUT_S)
    except ServeError as error:
        sys.exit(f"paxgate serve did not start: {error}")
    if server.sftp_port is None:
        server.stop()
        sys.exit(f"paxgate serve did not start its SFTP listener:\n{server.log_tail()}")
    known_hosts = tmp / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{server.sftp_port} {(data / 'ssh' / 'host_ed25519_key.pub').read_text().strip()}\n")
    return server, known_hosts


def check(data: Path, batch: list[tuple[str, str, bytes]]) -> list[str]:
    """What was lost: a file without a processed sftp receipt or without its CONTRL in outbox/."""
    with sqlite3.connect(data / "paxgate.db") as db:
        rows = dict(db.execute("SELECT filename, state FROM receipts WHERE channel = 'sftp' AND account = 'ZZ'").fetchall())
    problems = []
    outbox = data / "sftp" / "ZZ" / "outbox"
    for name, reference, _ in batch:
        if rows.get(name) != "processed":
            problems.append(f"{name}: receipt {rows.get(name) or 'missing'}")
            continue
        ack = outbox / f"{name}.contrl"
        if not ack.is_file() or f"UCI+{reference}+".encode() not in ack.read_bytes():
            problems.append(f"{name}: acknowledgement missing or for another file")
    return problems


def paxgate_run(args: argparse.Namespace, batch: list[tuple[str, str, bytes]], tmp: Path) -> tuple[float, list[float], int]:
    server, known_hosts = serve(tmp, args.workers)
    data = server.data_dir
    try:
        key = data / "demo-carrier.key"
        clients = [connect(server.sftp_port, key, known_hosts) for _ in range(args.connections)]  # type: ignore[arg-type]
        try:
            started = time.perf_counter()
            _, latencies = upload(clients, batch, "inbox")
            wanted = {f"{name}.contrl" for name, _, _ in batch}
            with clients[0].open_sftp() as sftp:
                while not wanted <= set(sftp.listdir("outbox")):
                    time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            for client in clients:
                client.close()
    finally:
        status = server.stop(60)
    if status != 0:
        print(f"warning: paxgate serve exited with {status}", file=sys.stderr)
    lost = check(data, batch)
    for problem in lost[:20]:
        print(f"LOST {problem}")
    return elapsed, latencies, len(lost)


# --- the peer: a plain asyncssh SFTP server, no intake ---------------------------------------------


class _PlainServer(asyncssh.SFTPServer):
    def __init__(self, chan: asyncssh.SSHServerChannel, root: Path) -> None:
        super().__init__(chan, chroot=str(root))


def peer_run(args: argparse.Namespace, batch: list[tuple[str, str, bytes]], tmp: Path) -> float:
    root = tmp / "peer"
    (root / "inbox").mkdir(parents=True)
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_path = tmp / "peer-client.key"
    key_path.write_bytes(client_key.export_private_key())
    key_path.chmod(0o600)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, object] = {}

    async def start() -> None:
        holder["acceptor"] = acceptor = await asyncssh.create_server(
            asyncssh.SSHServer, "127.0.0.1", 0, server_host_keys=[host_key],
            authorized_client_keys=asyncssh.import_authorized_keys(client_key.export_public_key().decode()),
            sftp_factory=lambda chan: _PlainServer(chan, root))
        holder["port"] = acceptor.get_port()
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    ready.wait(30)
    port = int(holder["port"])  # type: ignore[call-overload]
    known_hosts = tmp / "peer.known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode().strip()}\n")
    clients = [connect(port, key_path, known_hosts, user="peer") for _ in range(args.connections)]
    try:
        elapsed, _ = upload(clients, batch, "inbox")
    finally:
        for client in clients:
            client.close()

        async def shutdown() -> None:
            acceptor = holder["acceptor"]
            acceptor.close()  # type: ignore[attr-defined]
            await asyncio.sleep(0.2)  # the sessions the clients just closed finish
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--travellers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0, help="validation processes (0 = one per core)")
    parser.add_argument("--no-peer", action="store_true", help="skip the plain asyncssh SFTP server run")
    args = parser.parse_args()
    batch = files(args.files, args.travellers)
    size = sum(len(data) for _, _, data in batch) / len(batch)
    print(f"{args.files} PAXLST files of {size:.0f} bytes on average ({args.travellers} travellers), "
          f"{args.connections} paramiko connections, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="paxgate-bench-sftp-") as name:
        tmp = Path(name)
        elapsed, latencies, lost = paxgate_run(args, batch, tmp)
        rate = args.files / elapsed
        print(f"paxgate: {rate:.0f} files/s end to end (upload to every acknowledgement in outbox/), "
              f"{elapsed:.2f} s; target ≥ {TARGET_FILES_PER_S:.0f} files/s: {'met' if rate >= TARGET_FILES_PER_S else 'NOT met'}")
        print(f"  per-file put (write + CLOSE answered after the durable intake + stat): "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
        print(f"  loss: {lost} of {args.files} ({'zero loss' if not lost else 'FILES LOST'}: every file has a processed "
              f"receipt on channel sftp and its CONTRL in outbox/)")
        if not args.no_peer:
            peer = peer_run(args, batch, tmp)
            peer_rate = args.files / peer
            print(f"peer, plain asyncssh SFTP server (same clients, files written to a directory, no intake): "
                  f"{peer_rate:.0f} files/s; paxgate/peer = {rate / peer_rate:.2f}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
