"""Loads a simulated week (conformance.traffic) into a store through the real pipeline.

Each message is stored with the receipt time the generator chose (``Store.intake`` takes the receipt
as built) and then processed by ``Pipeline.process`` — validation, duplicate detection, assembly and
the settle transaction that records the ledger's observations — exactly as a resumed receipt is.
Validation runs in a thread pool here (the process pool's start-up would cost seconds, not coverage).

Imported by path (the suite runs with --import-mode=importlib).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conformance.traffic import SIM_PROFILE, Week
from gateway.accounts import seed_accounts
from gateway.config import Config, load_config
from gateway.iapi import DecisionHook
from gateway.metrics import Metrics
from gateway.pipeline import Pipeline, new_receipt_id
from gateway.store.base import Receipt, iso
from gateway.store.sqlite import SqliteStore


def sim_config(tmp: Path, week: Week, extra: str = "") -> Config:
    profile = tmp / "simulated.toml"
    profile.write_text(SIM_PROFILE)
    accounts = "".join(f'\n[[accounts]]\nname = "{c}"\nsenders = ["{c}"]\ncarriers = ["{c}"]\nprofile = "{profile}"\n'
                       for c in week.carriers)
    text = f'data_dir = "{tmp}"\n[pipeline]\nworkers = 1\n{extra}\n{accounts}'
    (tmp / "paxgate.toml").write_text(text)
    return load_config(tmp / "paxgate.toml")


async def load_week(store: SqliteStore, config: Config, week: Week) -> dict[int, str]:
    """Store and process every message; returns message index → receipt id."""
    await seed_accounts(config, store)
    hook = DecisionHook(config.iapi, {}, None)
    pipeline = Pipeline(config, store, lambda: ThreadPoolExecutor(1), Metrics(), hook)
    receipts = {}
    try:
        for index, message in enumerate(week.messages):
            account = await store.account(message.carrier)
            assert account is not None
            receipt = Receipt(id=new_receipt_id(), seq=0, account=account.name, channel="https",
                              received_at=iso(message.received_at), sha256=hashlib.sha256(message.data).hexdigest(),
                              size=len(message.data), test=True, state="received")
            stored, new = await store.intake(receipt, message.data)
            assert new
            await pipeline.process(stored, message.data, account)
            receipts[index] = stored.id
    finally:
        pipeline.pool.shutdown(wait=True)
        await hook.close()
    return receipts
