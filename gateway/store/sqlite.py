"""The embedded store: one SQLite file in WAL mode, one writer thread with group commit.

Durability first: ``synchronous=FULL`` means a commit has reached the disk when it returns, so an
acknowledgement sent after ``intake`` survives kill -9 and power loss alike. Throughput comes from
group commit, not from weaker syncing: every write waiting when the writer thread wakes goes into
the same transaction (each in its own savepoint, so one failing write cannot undo the others), and
one fsync serves them all. Reads run on a second connection (WAL readers never block the writer).
The event loop never touches SQLite: both connections live in their own threads.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from gateway.store.base import (
    AccountRecord,
    AuditEntry,
    Certification,
    Completion,
    Event,
    FlightMessage,
    InterchangeKey,
    Lookup,
    OutboxRow,
    Receipt,
    ScheduledFlight,
    StoredAck,
    StoredPart,
    Suppression,
    UnitClosure,
    UnitState,
    utcnow,
)

T = TypeVar("T")
_BATCH = 256

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, senders TEXT NOT NULL, carriers TEXT NOT NULL,
    channels TEXT NOT NULL, profile TEXT NOT NULL, token_sha256 TEXT, client_certificates TEXT NOT NULL,
    updated_at TEXT NOT NULL, ssh_keys TEXT NOT NULL DEFAULT '[]', amqp_user TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS receipts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account TEXT NOT NULL, channel TEXT NOT NULL,
    filename TEXT, received_at TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, test INTEGER NOT NULL,
    state TEXT NOT NULL, format TEXT, verdict TEXT, messages INTEGER, travellers INTEGER, duplicate TEXT,
    duplicate_of TEXT, content_hash TEXT, result BLOB, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS receipts_bytes ON receipts (account, sha256);
CREATE INDEX IF NOT EXISTS receipts_content ON receipts (account, content_hash);
CREATE INDEX IF NOT EXISTS receipts_state ON receipts (state);
CREATE TABLE IF NOT EXISTS payloads (receipt TEXT PRIMARY KEY, data BLOB NOT NULL, masked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS acknowledgements (
    receipt TEXT NOT NULL, interchange INTEGER NOT NULL, kind TEXT NOT NULL, payload BLOB NOT NULL,
    PRIMARY KEY (receipt, interchange, kind));
CREATE TABLE IF NOT EXISTS interchanges (
    account TEXT NOT NULL, sender TEXT NOT NULL, reference TEXT NOT NULL, prepared TEXT NOT NULL, receipt TEXT NOT NULL,
    PRIMARY KEY (account, sender, reference, prepared));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, receipt TEXT NOT NULL, at TEXT NOT NULL, stage TEXT NOT NULL, detail BLOB);
CREATE INDEX IF NOT EXISTS events_receipt ON events (receipt);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, receipt TEXT NOT NULL, sink TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL,
    test INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
    last_error TEXT, created_at TEXT NOT NULL, delivered_at TEXT, UNIQUE (sink, key));
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_receipt ON outbox (receipt);
CREATE TABLE IF NOT EXISTS parts (
    account TEXT NOT NULL, unit TEXT NOT NULL, version INTEGER NOT NULL, sequence INTEGER NOT NULL, final INTEGER NOT NULL,
    receipt TEXT NOT NULL, message INTEGER NOT NULL, received_at TEXT NOT NULL, document BLOB NOT NULL,
    PRIMARY KEY (account, unit, version, sequence));
CREATE TABLE IF NOT EXISTS units (
    account TEXT NOT NULL, unit TEXT NOT NULL, version INTEGER NOT NULL, state TEXT NOT NULL, opened_at TEXT NOT NULL,
    deadline TEXT NOT NULL, test INTEGER NOT NULL, key TEXT, PRIMARY KEY (account, unit, version));
CREATE INDEX IF NOT EXISTS units_open ON units (state, deadline);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, receipt TEXT,
    detail BLOB);
CREATE TABLE IF NOT EXISTS flight_messages (
    receipt TEXT NOT NULL, message INTEGER NOT NULL, kind TEXT NOT NULL, carrier TEXT NOT NULL, flight TEXT NOT NULL,
    departure_airport TEXT, arrival_airport TEXT, departure_local TEXT, departure_utc TEXT, sequence INTEGER,
    first_last TEXT, travellers INTEGER NOT NULL, rejected INTEGER NOT NULL, elements BLOB NOT NULL, codes BLOB NOT NULL,
    received_at TEXT NOT NULL, PRIMARY KEY (receipt, message));
CREATE INDEX IF NOT EXISTS flight_messages_departure ON flight_messages (carrier, departure_utc);
CREATE INDEX IF NOT EXISTS flight_messages_received ON flight_messages (carrier, received_at);
CREATE INDEX IF NOT EXISTS receipts_received ON receipts (received_at);
CREATE TABLE IF NOT EXISTS schedules (
    carrier TEXT NOT NULL, flight TEXT NOT NULL, departure_airport TEXT NOT NULL, arrival_airport TEXT NOT NULL,
    departure_local TEXT NOT NULL, departure_utc TEXT NOT NULL, arrival_local TEXT, arrival_utc TEXT, source TEXT NOT NULL,
    imported_at TEXT NOT NULL, PRIMARY KEY (carrier, flight, departure_utc));
CREATE INDEX IF NOT EXISTS schedules_departure ON schedules (departure_utc);
CREATE TABLE IF NOT EXISTS certifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, run_id TEXT NOT NULL, scenario_set TEXT NOT NULL,
    versions BLOB NOT NULL, scenarios INTEGER NOT NULL, receipts BLOB NOT NULL, report_sha256 TEXT NOT NULL,
    certified_by TEXT NOT NULL, certified_at TEXT NOT NULL, previous_status TEXT NOT NULL, UNIQUE (account, run_id));
CREATE TABLE IF NOT EXISTS suppressions (
    identity TEXT NOT NULL, list TEXT NOT NULL, entry_id TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (identity, list, entry_id));
"""

_RECEIPT_COLUMNS = ("id, seq, account, channel, filename, received_at, sha256, size, test, state, format, verdict, messages, "
                    "travellers, duplicate, duplicate_of, content_hash, result, updated_at")
_DELIVERY_COLUMNS = "id, receipt, sink, key, body, test, state, attempts, next_attempt_at, last_error, created_at, delivered_at"
_UNIT_COLUMNS = "unit, version, state, opened_at, deadline, test, key"
_PART_COLUMNS = "unit, version, sequence, final, receipt, message, received_at, document"
_UNIT_UPSERT = ("INSERT INTO units (account, unit, version, state, opened_at, deadline, test, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (account, unit, version) DO UPDATE SET state = excluded.state, deadline = excluded.deadline, "
                "key = excluded.key")
_ACCOUNT_COLUMNS = ("name, kind, status, senders, carriers, channels, profile, token_sha256, client_certificates, updated_at, "
                    "ssh_keys, amqp_user")
# Columns added after a table was first created: (table, column, definition). Applied once, in order.
_ADDED_COLUMNS = (("accounts", "ssh_keys", "TEXT NOT NULL DEFAULT '[]'"), ("accounts", "amqp_user", "TEXT NOT NULL DEFAULT ''"))


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring a store written by an older paxgate up to date: add the columns it lacks."""
    for table, column, definition in _ADDED_COLUMNS:
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def _json(value: object) -> bytes:
    return msgspec.json.encode(value)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=30000")
    return connection


class _Writer(threading.Thread):
    """The one thread that writes: runs queued operations in batches, one commit per batch."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="paxgate-store-writer", daemon=True)
        self.connection = _connect(path)
        self.connection.executescript(SCHEMA)
        _migrate(self.connection)
        self.jobs: queue.SimpleQueue[tuple[Callable[[sqlite3.Connection], Any], Future[Any]] | None] = queue.SimpleQueue()

    def submit(self, operation: Callable[[sqlite3.Connection], T]) -> Future[T]:
        future: Future[T] = Future()
        self.jobs.put((operation, future))
        return future

    def run(self) -> None:
        while True:
            first = self.jobs.get()
            if first is None:
                break
            batch = [first]
            stop = False
            while len(batch) < _BATCH:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._run_batch(batch)
            if stop:
                break
        self.connection.close()

    def _run_batch(self, batch: list[tuple[Callable[[sqlite3.Connection], Any], Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        conn = self.connection
        try:
            conn.execute("BEGIN IMMEDIATE")
            for operation, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue  # the caller gave up before the write began: nobody waits for it, nobody is told
                conn.execute("SAVEPOINT op")
                try:
                    value = operation(conn)
                except Exception as error:  # one broken write must not undo the batch
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                    outcomes.append((future, None, error))
                else:
                    conn.execute("RELEASE op")
                    outcomes.append((future, value, None))
            conn.execute("COMMIT")
        except Exception as error:  # the commit itself failed (disk full, I/O error): nobody's write is durable
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for _, future in batch:  # nobody's write is durable: every caller still waiting hears so
                if future.done() or (not future.running() and not future.set_running_or_notify_cancel()):
                    continue
                future.set_exception(error)
            return
        for future, value, error in outcomes:  # only now, after the fsync, do callers learn of success
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)

    def stop(self) -> None:
        self.jobs.put(None)


class _Lookup:
    """Reads on the writer's own connection, inside its open transaction (see ``SqliteStore.settle``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def receipt(self, receipt_id: str) -> Receipt | None:
        row = self.conn.execute(f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE id = ?", (receipt_id,)).fetchone()
        return _receipt(row) if row else None

    def first_interchange(self, account: str, key: InterchangeKey) -> str | None:
        row = self.conn.execute("SELECT receipt FROM interchanges WHERE account = ? AND sender = ? AND reference = ? "
                                "AND prepared = ?", (account, key.sender, key.reference, key.prepared)).fetchone()
        return row[0] if row else None

    def first_content(self, account: str, content_hash: str, before: int) -> str | None:
        row = self.conn.execute("SELECT id FROM receipts WHERE account = ? AND content_hash = ? AND seq < ? "
                                "AND duplicate IS NULL AND verdict != 'rejected' ORDER BY seq LIMIT 1",
                                (account, content_hash, before)).fetchone()
        return row[0] if row else None

    def current_unit(self, account: str, unit: str) -> UnitState | None:
        row = self.conn.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE account = ? AND unit = ? ORDER BY version DESC LIMIT 1",
                                (account, unit)).fetchone()
        return _unit(row) if row else None

    def unit_parts(self, account: str, unit: str, version: int) -> list[StoredPart]:
        rows = self.conn.execute(f"SELECT {_PART_COLUMNS} FROM parts WHERE account = ? AND unit = ? AND version = ? "
                                 "ORDER BY sequence", (account, unit, version)).fetchall()
        return [_part(r) for r in rows]


class SqliteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: _Writer | None = None
        self._reader: sqlite3.Connection | None = None
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paxgate-store-reader")

    # --- plumbing ---------------------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        writer = _Writer(self.path)
        writer.start()
        self._writer = writer
        self._reader = await asyncio.get_running_loop().run_in_executor(self._reads, _connect, self.path)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            await asyncio.to_thread(self._writer.join)
            self._writer = None
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await asyncio.get_running_loop().run_in_executor(self._reads, reader.close)
        self._reads.shutdown(wait=True)

    async def _write(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        if self._writer is None:
            raise RuntimeError("the store is closed")
        return await asyncio.wrap_future(self._writer.submit(operation))

    async def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        reader = self._reader
        if reader is None:
            raise RuntimeError("the store is closed")
        return await asyncio.get_running_loop().run_in_executor(self._reads, lambda: reader.execute(sql, params).fetchall())

    async def writable(self) -> bool:
        try:
            await asyncio.wait_for(self._write(lambda c: c.execute("SELECT 1").fetchone()), timeout=5)
        except Exception:
            return False
        return True

    # --- accounts ---------------------------------------------------------------------------------
    async def seed_account(self, account: AccountRecord) -> AccountRecord:
        """Insert or refresh an account from config. Its status is the store's once it exists:
        an operator's promotion or suspension is not undone by a restart."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO accounts ({_ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, senders = excluded.senders, "
                "carriers = excluded.carriers, channels = excluded.channels, profile = excluded.profile, "
                "token_sha256 = excluded.token_sha256, client_certificates = excluded.client_certificates, "
                "updated_at = excluded.updated_at, ssh_keys = excluded.ssh_keys, amqp_user = excluded.amqp_user",
                (account.name, account.kind, account.status, _json(account.senders), _json(account.carriers),
                 _json(account.channels), account.profile, account.token_sha256, _json(account.client_certificates), now,
                 _json(account.ssh_keys), account.amqp_user))

        await self._write(op)
        stored = await self.account(account.name)
        assert stored is not None
        return stored

    async def account(self, name: str) -> AccountRecord | None:
        rows = await self._read(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE name = ?", (name,))
        return _account(rows[0]) if rows else None

    async def accounts(self) -> list[AccountRecord]:
        return [_account(r) for r in await self._read(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY name")]

    async def account_by_token(self, token_sha256: str) -> AccountRecord | None:
        rows = await self._read(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE token_sha256 = ?", (token_sha256,))
        return _account(rows[0]) if rows else None

    async def account_by_amqp_user(self, user: str) -> AccountRecord | None:
        for account in await self.accounts():
            if (account.amqp_user or account.name) == user:
                return account
        return None

    async def account_by_certificate(self, fingerprint: str) -> AccountRecord | None:
        for account in await self.accounts():
            if fingerprint in account.client_certificates:
                return account
        return None

    async def set_account_status(self, name: str, status: str, actor: str) -> AccountRecord | None:
        now = utcnow()

        def op(conn: sqlite3.Connection) -> bool:
            row = conn.execute("SELECT status FROM accounts WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False
            conn.execute("UPDATE accounts SET status = ?, updated_at = ? WHERE name = ?", (status, now, name))
            conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, ?, NULL, ?)",
                         (now, actor, "account_status", _json({"account": name, "from": row[0], "to": status})))
            return True

        return await self.account(name) if await self._write(op) else None

    # --- intake and processing --------------------------------------------------------------------
    async def intake(self, receipt: Receipt, payload: bytes) -> tuple[Receipt, bool]:
        """Store the bytes and their receipt durably. The same bytes again from the same account
        return the first receipt instead (``False``): a transport redelivery is never processed twice."""

        def op(conn: sqlite3.Connection) -> tuple[str, bool]:
            row = conn.execute("SELECT id FROM receipts WHERE account = ? AND sha256 = ? ORDER BY seq LIMIT 1",
                               (receipt.account, receipt.sha256)).fetchone()
            if row is not None:
                conn.execute("INSERT INTO events (receipt, at, stage, detail) VALUES (?, ?, 'replayed', ?)",
                             (row[0], receipt.received_at, _json({"channel": receipt.channel})))
                return row[0], False
            conn.execute(
                "INSERT INTO receipts (id, account, channel, filename, received_at, sha256, size, test, state, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?)",
                (receipt.id, receipt.account, receipt.channel, receipt.filename, receipt.received_at, receipt.sha256,
                 receipt.size, int(receipt.test), receipt.received_at))
            conn.execute("INSERT INTO payloads (receipt, data) VALUES (?, ?)", (receipt.id, payload))
            conn.execute("INSERT INTO events (receipt, at, stage, detail) VALUES (?, ?, 'received', ?)",
                         (receipt.id, receipt.received_at, _json({"channel": receipt.channel, "size": receipt.size})))
            return receipt.id, True

        def read_back(conn: sqlite3.Connection) -> tuple[Receipt, bool]:
            receipt_id, new = op(conn)
            return _receipt(conn.execute(f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE id = ?", (receipt_id,)).fetchone()), new

        return await self._write(read_back)

    async def receipt(self, receipt_id: str) -> Receipt | None:
        rows = await self._read(f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE id = ?", (receipt_id,))
        return _receipt(rows[0]) if rows else None

    async def receipts(self, *, account: str | None = None, state: str | None = None, limit: int = 100) -> list[Receipt]:
        where, params = [], []
        if account is not None:
            where.append("account = ?")
            params.append(account)
        if state is not None:
            where.append("state = ?")
            params.append(state)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = await self._read(f"SELECT {_RECEIPT_COLUMNS} FROM receipts {clause}ORDER BY seq DESC LIMIT ?", (*params, limit))
        return [_receipt(r) for r in rows]

    async def unfinished(self) -> list[Receipt]:
        rows = await self._read(f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE state = 'received' ORDER BY seq")
        return [_receipt(r) for r in rows]

    async def payload(self, receipt_id: str) -> bytes | None:
        rows = await self._read("SELECT data FROM payloads WHERE receipt = ?", (receipt_id,))
        return bytes(rows[0][0]) if rows else None

    async def acknowledgements(self, receipt_id: str) -> list[StoredAck]:
        rows = await self._read("SELECT interchange, kind, payload FROM acknowledgements WHERE receipt = ? ORDER BY interchange",
                                (receipt_id,))
        return [StoredAck(r[0], r[1], bytes(r[2])) for r in rows]

    async def settle(self, decide: Callable[[Lookup], Completion | T]) -> tuple[Completion | T, Receipt | None]:
        """Decide and record in one transaction, on the writer thread: ``decide`` reads what earlier
        receipts committed (duplicates, open units) through ``Lookup`` and returns the Completion to
        apply, or anything else to apply nothing. No other write can come between the reads and the
        write, so two submissions can never both be "the first" — without a lock around the pool."""

        def op(conn: sqlite3.Connection) -> tuple[Completion | T, Receipt | None]:
            decided = decide(_Lookup(conn))
            if isinstance(decided, Completion):
                _apply(conn, decided)
                row = conn.execute(f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE id = ?", (decided.receipt,)).fetchone()
                return decided, _receipt(row)
            return decided, None

        return await self._write(op)

    async def reopen(self, receipt_id: str, actor: str) -> bool:
        """Put a processed receipt back to ``received`` so it is processed again (after a profile fix)."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> bool:
            changed = conn.execute("UPDATE receipts SET state = 'received', updated_at = ? WHERE id = ? AND state != 'received'",
                                   (now, receipt_id)).rowcount
            if changed:
                conn.execute("DELETE FROM interchanges WHERE receipt = ?", (receipt_id,))
                conn.execute("INSERT INTO events (receipt, at, stage, detail) VALUES (?, ?, 'reprocess_requested', ?)",
                             (receipt_id, now, _json({"actor": actor})))
                conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, 'reprocess', ?, ?)",
                             (now, actor, receipt_id, _json({})))
            return bool(changed)

        return await self._write(op)

    async def events(self, receipt_id: str) -> list[Event]:
        rows = await self._read("SELECT at, stage, detail FROM events WHERE receipt = ? ORDER BY id", (receipt_id,))
        return [Event(r[0], r[1], msgspec.json.decode(r[2]) if r[2] else {}) for r in rows]

    # --- multi-part assembly -----------------------------------------------------------------------
    async def expired_units(self, now: str) -> list[tuple[str, UnitState]]:
        rows = await self._read(f"SELECT account, {_UNIT_COLUMNS} FROM units WHERE state = 'open' AND deadline <= ? "
                                "ORDER BY deadline", (now,))
        return [(r[0], _unit(r[1:])) for r in rows]

    async def expire(self, decide: Callable[[Lookup], UnitClosure | None]) -> UnitClosure | None:
        """Close one open unit whose timer fired, deciding on what the store holds in the same transaction."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> UnitClosure | None:
            closure = decide(_Lookup(conn))
            if closure is None:
                return None
            u = closure.unit
            conn.execute("UPDATE units SET state = ?, key = ? WHERE account = ? AND unit = ? AND version = ?",
                         (u.state, u.key, closure.account, u.unit, u.version))
            conn.executemany(
                "INSERT INTO outbox (receipt, sink, key, body, test, state, next_attempt_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (sink, key) DO NOTHING",
                [(closure.receipt, d.sink, d.key, d.body, int(u.test), now, now) for d in closure.deliveries])
            conn.execute("INSERT INTO events (receipt, at, stage, detail) VALUES (?, ?, ?, ?)",
                         (closure.receipt, closure.event.at, closure.event.stage, _json(closure.event.detail)))
            return closure

        return await self._write(op)

    # --- outbox -----------------------------------------------------------------------------------
    async def due_deliveries(self, now: str, limit: int) -> list[OutboxRow]:
        rows = await self._read(f"SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                                "ORDER BY next_attempt_at, id LIMIT ?", (now, limit))
        return [_delivery(r) for r in rows]

    async def deliveries(self, receipt_id: str) -> list[OutboxRow]:
        rows = await self._read(f"SELECT {_DELIVERY_COLUMNS} FROM outbox WHERE receipt = ? ORDER BY id", (receipt_id,))
        return [_delivery(r) for r in rows]

    async def delivered(self, delivery_id: int) -> None:
        now = utcnow()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL "
                         "WHERE id = ?", (now, delivery_id))
            conn.execute("INSERT INTO events (receipt, at, stage, detail) "
                         "SELECT receipt, ?, 'forwarded', ? FROM outbox WHERE id = ?",
                         (now, _json({"delivery": delivery_id}), delivery_id))

        await self._write(op)

    async def delivery_failed(self, delivery_id: int, error: str, next_attempt_at: str | None) -> None:
        """Count a failed attempt; ``next_attempt_at`` None dead-letters the delivery."""
        now = utcnow()
        state = "pending" if next_attempt_at is not None else "dead"

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                         (state, next_attempt_at or now, error, delivery_id))
            if state == "dead":
                conn.execute("INSERT INTO events (receipt, at, stage, detail) SELECT receipt, ?, 'dead_lettered', ? FROM outbox "
                             "WHERE id = ?", (now, _json({"delivery": delivery_id, "error": error}), delivery_id))

        await self._write(op)

    async def redrive(self, receipt_id: str | None, actor: str) -> int:
        """Dead-lettered deliveries (of one receipt, or all) back to pending, audited."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> int:
            if receipt_id is None:
                count = conn.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? "
                                     "WHERE state = 'dead'",
                                     (now,)).rowcount
            else:
                count = conn.execute("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? "
                                     "WHERE state = 'dead' AND receipt = ?", (now, receipt_id)).rowcount
            conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, 'redrive', ?, ?)",
                         (now, actor, receipt_id, _json({"deliveries": count})))
            return count

        return await self._write(op)

    async def outbox_depth(self) -> dict[str, int]:
        """Rows waiting and dead-lettered (index range counts: delivered rows, which only grow, are not
        counted here; the deliveries counter metric has them)."""
        rows = await self._read("SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending'), "
                                "(SELECT COUNT(*) FROM outbox WHERE state = 'dead')")
        return {"pending": rows[0][0], "dead": rows[0][1]}

    # --- retention ----------------------------------------------------------------------------------
    async def forget(self, *, payloads_before: str, delivered_before: str, parts_before: str) -> dict[str, int]:
        """Delete personal data past its retention: raw payloads of processed receipts, bodies of
        delivered outbox rows, parts of units no longer open. Receipts, findings and the audit trail
        stay (they hold no names or document numbers). The run itself is audited."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> dict[str, int]:
            counts = {
                "payloads": conn.execute("DELETE FROM payloads WHERE receipt IN (SELECT id FROM receipts "
                                         "WHERE state = 'processed' AND received_at < ?)", (payloads_before,)).rowcount,
                "deliveries": conn.execute("UPDATE outbox SET body = X'' WHERE state = 'delivered' AND delivered_at < ? "
                                           "AND length(body) > 0", (delivered_before,)).rowcount,
                "parts": conn.execute("DELETE FROM parts WHERE received_at < ? AND NOT EXISTS (SELECT 1 FROM units u WHERE "
                                      "u.account = parts.account AND u.unit = parts.unit AND u.version = parts.version "
                                      "AND u.state = 'open')", (parts_before,)).rowcount,
            }
            if any(counts.values()):
                conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, 'paxgate', 'retention', NULL, ?)",
                             (now, _json(counts)))
            return counts

        return await self._write(op)

    # --- compliance (gateway.compliance) ------------------------------------------------------------------
    async def flight_messages(self, *, since: str, until: str, carrier: str | None = None,
                              flight: str | None = None) -> list[FlightMessage]:
        """Messages about flights departing in [since, until), or, where the departure is unknown,
        received then; with the receipt's account, verdict and duplicate flag."""
        where = ["((m.departure_utc >= ? AND m.departure_utc < ?) OR (m.departure_utc IS NULL AND m.received_at >= ? "
                 "AND m.received_at < ?))"]
        params: list[object] = [since, until, since, until]
        if carrier is not None:
            where.append("m.carrier = ?")
            params.append(carrier)
        if flight is not None:
            where.append("m.flight = ?")
            params.append(flight)
        columns = ", ".join(f"m.{c.strip()}" for c in _FLIGHT_MESSAGE_COLUMNS.split(","))
        rows = await self._read(f"SELECT {columns}, r.account, r.verdict, r.duplicate FROM flight_messages m "
                                f"JOIN receipts r ON r.id = m.receipt WHERE {' AND '.join(where)} "
                                "ORDER BY m.received_at, m.receipt, m.message", tuple(params))
        return [_flight_message(r) for r in rows]

    async def receipts_between(self, since: str, until: str, accounts: tuple[str, ...] = ()) -> list[Receipt]:
        """Processed receipts received in [since, until) (of these accounts, when named)."""
        sql = f"SELECT {_RECEIPT_COLUMNS} FROM receipts WHERE received_at >= ? AND received_at < ? AND state = 'processed'"
        params: tuple[object, ...] = (since, until)
        if accounts:
            sql += f" AND account IN ({', '.join('?' for _ in accounts)})"
            params += tuple(accounts)
        return [_receipt(r) for r in await self._read(sql + " ORDER BY seq", params)]

    async def save_schedule(self, flights: list[ScheduledFlight], actor: str) -> int:
        """Insert or replace scheduled flights (a re-import of the same season updates them), audited."""
        now = utcnow()

        def op(conn: sqlite3.Connection) -> int:
            conn.executemany(
                f"INSERT INTO schedules ({_SCHEDULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (carrier, flight, departure_utc) DO UPDATE SET departure_airport = excluded.departure_airport, "
                "arrival_airport = excluded.arrival_airport, departure_local = excluded.departure_local, "
                "arrival_local = excluded.arrival_local, arrival_utc = excluded.arrival_utc, source = excluded.source, "
                "imported_at = excluded.imported_at",
                [(f.carrier, f.flight, f.departure_airport, f.arrival_airport, f.departure_local, f.departure_utc,
                  f.arrival_local, f.arrival_utc, f.source, now) for f in flights])
            carriers = sorted({f.carrier for f in flights})
            conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, 'schedule_imported', NULL, ?)",
                         (now, actor, _json({"flights": len(flights), "carriers": carriers})))
            return len(flights)

        return await self._write(op)

    async def schedule(self, *, since: str, until: str, carrier: str | None = None,
                       flight: str | None = None) -> list[ScheduledFlight]:
        sql = f"SELECT {_SCHEDULE_COLUMNS} FROM schedules WHERE departure_utc >= ? AND departure_utc < ?"
        params: tuple[object, ...] = (since, until)
        if carrier is not None:
            sql += " AND carrier = ?"
            params += (carrier,)
        if flight is not None:
            sql += " AND flight = ?"
            params += (flight,)
        return [_scheduled(r) for r in await self._read(sql + " ORDER BY departure_utc, flight", params)]

    async def certify(self, certification: Certification) -> Certification | None:
        """Record a certification and set the account ``certified`` in one commit, audited; None when
        the account does not exist. A run already used for this account raises ``ValueError``."""
        now = utcnow()
        c = certification

        def op(conn: sqlite3.Connection) -> Certification | None:
            row = conn.execute("SELECT status FROM accounts WHERE name = ?", (c.account,)).fetchone()
            if row is None:
                return None
            if conn.execute("SELECT 1 FROM certifications WHERE account = ? AND run_id = ?", (c.account, c.run_id)).fetchone():
                raise ValueError(f"run {c.run_id} already certified account {c.account}")
            cursor = conn.execute(
                "INSERT INTO certifications (account, run_id, scenario_set, versions, scenarios, receipts, report_sha256, "
                "certified_by, certified_at, previous_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (c.account, c.run_id, c.scenario_set, _json(c.versions), c.scenarios, _json(c.receipts), c.report_sha256,
                 c.certified_by, now, row[0]))
            conn.execute("UPDATE accounts SET status = 'certified', updated_at = ? WHERE name = ?", (now, c.account))
            conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, 'account_certified', NULL, ?)",
                         (now, c.certified_by, _json({"account": c.account, "run_id": c.run_id, "from": row[0],
                                                      "scenario_set": c.scenario_set, "versions": c.versions})))
            return msgspec.structs.replace(c, id=cursor.lastrowid or 0, certified_at=now, previous_status=row[0])

        return await self._write(op)

    async def certifications(self, account: str | None = None) -> list[Certification]:
        if account is None:
            rows = await self._read(f"SELECT {_CERTIFICATION_COLUMNS} FROM certifications ORDER BY id DESC")
        else:
            rows = await self._read(f"SELECT {_CERTIFICATION_COLUMNS} FROM certifications WHERE account = ? ORDER BY id DESC",
                                    (account,))
        return [_certification(r) for r in rows]

    # --- audit ------------------------------------------------------------------------------------
    # --- screening decisions --------------------------------------------------------------------------
    async def suppress(self, identity: str, list_name: str, entry_id: str, actor: str, reason: str) -> bool:
        now = utcnow()

        def op(conn: sqlite3.Connection) -> bool:
            done = conn.execute("INSERT OR IGNORE INTO suppressions (identity, list, entry_id, actor, reason, at) "
                                "VALUES (?, ?, ?, ?, ?, ?)", (identity, list_name, entry_id, actor, reason, now)).rowcount
            if done:
                conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, ?, NULL, ?)",
                             (now, actor, "screening_suppressed",
                              _json({"identity": identity, "list": list_name, "entry_id": entry_id, "reason": reason})))
            return bool(done)

        return await self._write(op)

    async def suppressions(self) -> list[Suppression]:
        rows = await self._read("SELECT identity, list, entry_id, actor, reason, at FROM suppressions ORDER BY at", ())
        return [Suppression(*row) for row in rows]

    async def audit(self, actor: str, action: str, receipt_id: str | None, detail: dict[str, object]) -> None:
        now = utcnow()
        sql = "INSERT INTO audit (at, actor, action, receipt, detail) VALUES (?, ?, ?, ?, ?)"
        await self._write(lambda conn: conn.execute(sql, (now, actor, action, receipt_id, _json(detail))))

    async def audit_trail(self, receipt_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        if receipt_id is None:
            rows = await self._read("SELECT at, actor, action, receipt, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = await self._read("SELECT at, actor, action, receipt, detail FROM audit WHERE receipt = ? "
                                    "ORDER BY id DESC LIMIT ?",
                                    (receipt_id, limit))
        return [AuditEntry(r[0], r[1], r[2], r[3], msgspec.json.decode(r[4]) if r[4] else {}) for r in rows]


def _apply(conn: sqlite3.Connection, c: Completion) -> None:
    """Write everything a Completion says, inside the caller's transaction."""
    now = utcnow()
    row = conn.execute("SELECT account, test, received_at FROM receipts WHERE id = ?", (c.receipt,)).fetchone()
    if row is None:
        raise LookupError(f"no receipt {c.receipt} to complete")
    account, test, received_at = row
    conn.execute(
        "UPDATE receipts SET state = 'processed', format = ?, verdict = ?, messages = ?, travellers = ?, duplicate = ?, "
        "duplicate_of = ?, content_hash = ?, result = ?, updated_at = ? WHERE id = ?",
        (c.format, c.verdict, c.messages, c.travellers, c.duplicate, c.duplicate_of, c.content_hash, c.result, now,
         c.receipt))
    conn.execute("DELETE FROM acknowledgements WHERE receipt = ?", (c.receipt,))
    conn.executemany("INSERT INTO acknowledgements (receipt, interchange, kind, payload) VALUES (?, ?, ?, ?)",
                     [(c.receipt, a.interchange, a.kind, a.payload) for a in c.acks])
    conn.executemany("INSERT OR IGNORE INTO interchanges (account, sender, reference, prepared, receipt) "
                     "VALUES (?, ?, ?, ?, ?)",
                     [(account, k.sender, k.reference, k.prepared, c.receipt) for k in c.interchanges])
    conn.executemany(
        "INSERT INTO outbox (receipt, sink, key, body, test, state, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (sink, key) DO UPDATE SET body = excluded.body, "
        "state = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, last_error = NULL",
        [(c.receipt, d.sink, d.key, d.body, test, now, now) for d in c.deliveries])
    conn.executemany("INSERT INTO events (receipt, at, stage, detail) VALUES (?, ?, ?, ?)",
                     [(c.receipt, e.at, e.stage, _json(e.detail)) for e in c.events])
    conn.executemany(
        "INSERT INTO parts (account, unit, version, sequence, final, receipt, message, received_at, document) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, unit, version, sequence) DO UPDATE SET "
        "final = excluded.final, receipt = excluded.receipt, message = excluded.message, "
        "received_at = excluded.received_at, document = excluded.document",
        [(account, p.unit, p.version, p.sequence, int(p.final), p.receipt, p.message, p.received_at, p.document)
         for p in c.parts])
    conn.executemany(_UNIT_UPSERT, [(account, u.unit, u.version, u.state, u.opened_at, u.deadline, int(u.test), u.key)
                                    for u in c.units])
    if c.masked_payload is not None:
        conn.execute("UPDATE payloads SET data = ?, masked = 1 WHERE receipt = ?", (c.masked_payload, c.receipt))
    conn.execute("DELETE FROM flight_messages WHERE receipt = ?", (c.receipt,))  # reprocessed: what it says now
    conn.executemany(_FLIGHT_MESSAGE_INSERT, [_flight_message_row(o, received_at) for o in c.observations])



_FLIGHT_MESSAGE_COLUMNS = ("receipt, message, kind, carrier, flight, departure_airport, arrival_airport, departure_local, "
                           "departure_utc, sequence, first_last, travellers, rejected, elements, codes, received_at")
_FLIGHT_MESSAGE_INSERT = (f"INSERT INTO flight_messages ({_FLIGHT_MESSAGE_COLUMNS}) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_SCHEDULE_COLUMNS = ("carrier, flight, departure_airport, arrival_airport, departure_local, departure_utc, arrival_local, "
                     "arrival_utc, source, imported_at")
_CERTIFICATION_COLUMNS = ("id, account, run_id, scenario_set, versions, scenarios, receipts, report_sha256, certified_by, "
                          "certified_at, previous_status")


def _flight_message_row(o: FlightMessage, received_at: str) -> tuple[object, ...]:
    return (o.receipt, o.message, o.kind, o.carrier, o.flight, o.departure_airport, o.arrival_airport, o.departure_local,
            o.departure_utc, o.sequence, o.first_last, o.travellers, int(o.rejected), _json(o.elements), _json(o.codes),
            received_at)


def _flight_message(r: tuple[Any, ...]) -> FlightMessage:
    elements = {k: (v[0], v[1]) for k, v in msgspec.json.decode(r[13]).items()}
    return FlightMessage(receipt=r[0], message=r[1], kind=r[2], carrier=r[3], flight=r[4], departure_airport=r[5],
                         arrival_airport=r[6], departure_local=r[7], departure_utc=r[8], sequence=r[9], first_last=r[10],
                         travellers=r[11], rejected=bool(r[12]), elements=elements, codes=msgspec.json.decode(r[14]),
                         received_at=r[15], account=r[16], verdict=r[17] or "", duplicate=r[18])


def _scheduled(r: tuple[Any, ...]) -> ScheduledFlight:
    return ScheduledFlight(carrier=r[0], flight=r[1], departure_airport=r[2], arrival_airport=r[3], departure_local=r[4],
                           departure_utc=r[5], arrival_local=r[6], arrival_utc=r[7], source=r[8], imported_at=r[9])


def _certification(r: tuple[Any, ...]) -> Certification:
    return Certification(id=r[0], account=r[1], run_id=r[2], scenario_set=r[3], versions=msgspec.json.decode(r[4]),
                         scenarios=r[5], receipts=tuple(msgspec.json.decode(r[6])), report_sha256=r[7], certified_by=r[8],
                         certified_at=r[9], previous_status=r[10])


def _account(row: tuple[Any, ...]) -> AccountRecord:
    return AccountRecord(name=row[0], kind=row[1], status=row[2], senders=tuple(msgspec.json.decode(row[3])),
                         carriers=tuple(msgspec.json.decode(row[4])), channels=tuple(msgspec.json.decode(row[5])),
                         profile=row[6], token_sha256=row[7], client_certificates=tuple(msgspec.json.decode(row[8])),
                         updated_at=row[9], ssh_keys=tuple(msgspec.json.decode(row[10])), amqp_user=row[11])


def _receipt(row: tuple[Any, ...]) -> Receipt:
    return Receipt(id=row[0], seq=row[1], account=row[2], channel=row[3], filename=row[4], received_at=row[5], sha256=row[6],
                   size=row[7], test=bool(row[8]), state=row[9], format=row[10], verdict=row[11], messages=row[12],
                   travellers=row[13], duplicate=row[14], duplicate_of=row[15], content_hash=row[16],
                   result=bytes(row[17]) if row[17] is not None else None, updated_at=row[18])


def _part(r: tuple[Any, ...]) -> StoredPart:
    return StoredPart(unit=r[0], version=r[1], sequence=r[2], final=bool(r[3]), receipt=r[4], message=r[5],
                      received_at=r[6], document=bytes(r[7]))


def _unit(row: tuple[Any, ...]) -> UnitState:
    return UnitState(unit=row[0], version=row[1], state=row[2], opened_at=row[3], deadline=row[4], test=bool(row[5]), key=row[6])


def _delivery(row: tuple[Any, ...]) -> OutboxRow:
    return OutboxRow(id=row[0], receipt=row[1], sink=row[2], key=row[3], body=bytes(row[4]), test=bool(row[5]), state=row[6],
                    attempts=row[7], next_attempt_at=row[8], last_error=row[9], created_at=row[10], delivered_at=row[11])
