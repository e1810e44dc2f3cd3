"""The embedded store: durable across reopen, replays the same bytes, isolates one broken write in a
group commit, survives callers that give up, and moves outbox rows through their states."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest
import pytest_asyncio

from gateway.store import AccountRecord, Completion, InterchangeKey, NewDelivery, Receipt, StoredAck, utcnow
from gateway.store.sqlite import SqliteStore

pytestmark = pytest.mark.asyncio


def receipt(n: int, payload: bytes, account: str = "ZZ") -> Receipt:
    return Receipt(id=f"r{n:04d}", seq=0, account=account, channel="https", received_at=utcnow(),
                   sha256=hashlib.sha256(payload).hexdigest(), size=len(payload), test=True, state="received")


def completion(receipt_id: str, deliveries: tuple[NewDelivery, ...] = ()) -> Completion:
    return Completion(receipt=receipt_id, format="paxlst", verdict="accepted", messages=1, travellers=3, content_hash="c1",
                      result=b'{"findings":[]}', acks=(StoredAck(1, "contrl", b"UNB'"),),
                      interchanges=(InterchangeKey(1, "ZZ", "REF1", "261123:0700"),), deliveries=deliveries)


@pytest_asyncio.fixture
async def store(tmp_path: Path):
    opened = SqliteStore(tmp_path / "store.db")
    await opened.open()
    yield opened
    await opened.close()


async def test_what_intake_stored_is_there_after_reopening(tmp_path: Path):
    first = SqliteStore(tmp_path / "s.db")
    await first.open()
    stored, new = await first.intake(receipt(1, b"UNA:+.? 'UNB"), b"UNA:+.? 'UNB")
    await first.close()
    again = SqliteStore(tmp_path / "s.db")
    await again.open()
    try:
        assert new and (await again.receipt(stored.id)).state == "received"
        assert await again.payload(stored.id) == b"UNA:+.? 'UNB"
        assert [r.id for r in await again.unfinished()] == [stored.id]
        assert [e.stage for e in await again.events(stored.id)] == ["received"]
    finally:
        await again.close()


async def test_the_same_bytes_from_the_same_account_return_the_first_receipt(store: SqliteStore):
    first, new = await store.intake(receipt(1, b"same"), b"same")
    second, again = await store.intake(receipt(2, b"same"), b"same")
    other, other_new = await store.intake(receipt(3, b"same", account="XX"), b"same")
    assert new and not again and other_new
    assert second.id == first.id and other.id != first.id
    assert [e.stage for e in await store.events(first.id)] == ["received", "replayed"]


async def test_one_broken_write_does_not_undo_the_others_in_its_batch(store: SqliteStore):
    payloads = [f"m{n}".encode() for n in range(20)]
    results = await asyncio.gather(*(store.intake(receipt(n, p), p) for n, p in enumerate(payloads)),
                                   store.settle(lambda _: completion("no-such-receipt")), return_exceptions=True)
    assert isinstance(results[-1], LookupError)  # the completion of an unknown receipt fails alone
    assert all(not isinstance(r, BaseException) for r in results[:-1])
    assert len(await store.receipts(limit=100)) == 20


async def test_a_caller_that_gives_up_does_not_stop_the_writer(store: SqliteStore):
    task = asyncio.ensure_future(store.intake(receipt(1, b"a"), b"a"))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    _, new = await store.intake(receipt(2, b"b"), b"b")
    assert new and await store.writable()


async def test_completion_is_one_commit_with_acks_identities_and_outbox(store: SqliteStore):
    stored, _ = await store.intake(receipt(1, b"x"), b"x")
    await store.settle(lambda _: completion(stored.id, (NewDelivery("hook", f"{stored.id}:1", b"{}"),)))
    done = await store.receipt(stored.id)
    assert done.state == "processed" and done.verdict == "accepted" and done.travellers == 3
    assert [a.kind for a in await store.acknowledgements(stored.id)] == ["contrl"]
    looked, _ = await store.settle(lambda lookup: (lookup.first_interchange("ZZ", InterchangeKey(1, "ZZ", "REF1", "261123:0700")),
                                                    lookup.first_content("ZZ", "c1", before=done.seq + 1)))
    assert looked == (stored.id, stored.id)
    assert [d.key for d in await store.due_deliveries(utcnow(), 10)] == [f"{stored.id}:1"]
    assert await store.unfinished() == []


async def test_outbox_rows_retry_dead_letter_and_redrive(store: SqliteStore):
    stored, _ = await store.intake(receipt(1, b"x"), b"x")
    await store.settle(lambda _: completion(stored.id, (NewDelivery("hook", "k1", b"{}"),)))
    row = (await store.due_deliveries(utcnow(), 10))[0]
    await store.delivery_failed(row.id, "webhook 503", "2999-01-01T00:00:00.000000Z")
    assert await store.due_deliveries(utcnow(), 10) == []  # waiting for its next attempt
    await store.delivery_failed(row.id, "webhook 400: refused", None)
    assert (await store.deliveries(stored.id))[0].state == "dead"
    assert await store.outbox_depth() == {"pending": 0, "dead": 1}
    assert await store.redrive(stored.id, "operator:ada") == 1
    again = (await store.due_deliveries(utcnow(), 10))[0]
    assert again.attempts == 0 and again.state == "pending"
    await store.delivered(again.id)
    assert (await store.deliveries(stored.id))[0].state == "delivered"
    assert (await store.audit_trail(stored.id))[0].action == "redrive"
    assert [e.stage for e in await store.events(stored.id)][-2:] == ["dead_lettered", "forwarded"]


async def test_config_seeding_keeps_an_operators_status_change(store: SqliteStore):
    account = AccountRecord(name="ZZ", kind="carrier", status="testing", senders=("ZZ",), carriers=("ZZ",), channels=("https",),
                            profile="baseline", token_sha256="a" * 64)
    await store.seed_account(account)
    await store.set_account_status("ZZ", "certified", "operator:ada")
    reseeded = await store.seed_account(account)
    assert reseeded.status == "certified" and reseeded.token_sha256 == "a" * 64
    assert (await store.account_by_token("a" * 64)).name == "ZZ"
    assert (await store.audit_trail())[0].detail == {"account": "ZZ", "from": "testing", "to": "certified"}


async def test_a_write_that_fails_midway_leaves_nothing_and_its_batch_neighbours_commit(store: SqliteStore):
    def half_then_fail(conn):
        conn.execute("INSERT INTO audit (at, actor, action, receipt, detail) VALUES ('t', 'half', 'x', NULL, NULL)")
        raise RuntimeError("broken after writing")

    results = await asyncio.gather(store.intake(receipt(1, b"a"), b"a"), store._write(half_then_fail),
                                   store.intake(receipt(2, b"b"), b"b"), return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    assert [a.actor for a in await store.audit_trail()] == []  # its half write was rolled back to its savepoint
    assert len(await store.receipts()) == 2  # the others in the same transaction were committed
