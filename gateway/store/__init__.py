"""Where everything the gateway must not lose lives: receipts, payloads, acknowledgements, the
outbox, accounts and the audit trail. ``Store`` is the interface; ``sqlite.SqliteStore`` the
embedded backend (a PostgreSQL backend will implement the same interface for scale-out)."""

from gateway.store.base import (
    AccountRecord,
    AuditEntry,
    Completion,
    Event,
    InterchangeKey,
    NewDelivery,
    OutboxRow,
    Receipt,
    Store,
    StoredAck,
    utcnow,
)

__all__ = [
    "AccountRecord",
    "AuditEntry",
    "Completion",
    "Event",
    "InterchangeKey",
    "NewDelivery",
    "OutboxRow",
    "Receipt",
    "Store",
    "StoredAck",
    "utcnow",
]
