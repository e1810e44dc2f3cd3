"""The store's records and interface, independent of the database behind it.

Times are UTC ISO 8601 strings with microseconds (``2026-11-23T08:42:18.123456Z``): they sort as
text in every SQL database, so the SQL stays portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, TypeVar

import msgspec

T = TypeVar("T")


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AccountRecord(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    kind: str
    status: str  # testing / certified / suspended
    senders: tuple[str, ...]
    carriers: tuple[str, ...]
    channels: tuple[str, ...]
    profile: str
    token_sha256: str | None = None
    client_certificates: tuple[str, ...] = ()
    ssh_keys: tuple[str, ...] = ()  # OpenSSH public keys (SFTP login)
    amqp_user: str = ""  # broker user id on a shared queue
    updated_at: str = ""


class Receipt(msgspec.Struct, frozen=True, kw_only=True):
    """One submission as stored: who sent what, when, and where it is now."""

    id: str
    seq: int  # store order; also our interchange control reference in acknowledgements
    account: str
    channel: str
    received_at: str
    sha256: str
    size: int
    test: bool
    state: str  # received → processed (validated, acknowledged and decided in one commit)
    filename: str | None = None
    format: str | None = None
    verdict: str | None = None
    messages: int | None = None
    travellers: int | None = None
    duplicate: str | None = None  # None, "interchange" (UCI 26) or "content" (same payload, new references)
    duplicate_of: str | None = None
    content_hash: str | None = None
    result: bytes | None = None  # JSON: findings and what was read (no personal data beyond the findings' codes)
    updated_at: str = ""


class StoredAck(msgspec.Struct, frozen=True):
    interchange: int
    kind: str
    payload: bytes


class InterchangeKey(msgspec.Struct, frozen=True):
    """UNB sender + control reference + preparation date/time: an interchange's identity (§6.1)."""

    number: int
    sender: str
    reference: str
    prepared: str


class OutboxRow(msgspec.Struct, frozen=True, kw_only=True):
    """One outbox row: a unit for one sink, delivered at least once, keyed for exactly-once."""

    id: int
    receipt: str
    sink: str
    key: str
    body: bytes
    test: bool
    state: str  # pending / delivered / dead
    attempts: int
    next_attempt_at: str
    last_error: str | None = None
    created_at: str = ""
    delivered_at: str | None = None


class NewDelivery(msgspec.Struct, frozen=True):
    sink: str
    key: str
    body: bytes


class Event(msgspec.Struct, frozen=True):
    at: str
    stage: str
    detail: dict[str, object] = {}


class AuditEntry(msgspec.Struct, frozen=True):
    at: str
    actor: str
    action: str
    receipt: str | None = None
    detail: dict[str, object] = {}


class StoredPart(msgspec.Struct, frozen=True, kw_only=True):
    """One part of a multi-part unit, kept until the unit is forwarded (gateway.assembly)."""

    unit: str
    version: int
    sequence: int
    final: bool
    receipt: str
    message: int
    received_at: str
    document: bytes


class UnitState(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a forwarded unit (a list or push): open while parts are missing."""

    unit: str
    version: int
    state: str  # open / complete / incomplete
    opened_at: str
    deadline: str  # when an open unit is forwarded as it is
    test: bool = False
    key: str | None = None  # the idempotency key it was forwarded under


class FlightMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a receipt as the compliance ledger sees it (gateway.compliance): which flight and
    kind, which part, how many travellers and how many carried each data element. Counts and codes
    only, never names or document numbers, so it may outlive the payload's retention."""

    receipt: str
    message: int
    kind: str  # api (passenger list), api_crew, pnr, other
    carrier: str
    flight: str  # normalised designator: carrier + number without leading zeros (+ suffix), e.g. ZZ101
    departure_airport: str | None = None
    arrival_airport: str | None = None
    departure_local: str | None = None  # ISO, the airport's local time as the carrier sent it
    departure_utc: str | None = None  # store time format; None when the airport or time is unknown
    sequence: int | None = None  # S010 part number
    first_last: str | None = None
    travellers: int = 0
    rejected: bool = False  # the message itself was rejected (syntax/structure), not only the receipt
    elements: dict[str, tuple[int, int]] = {}  # element → (travellers carrying it, carrying it valid)
    codes: dict[str, int] = {}  # finding code → count in this message
    # from the receipt, filled in when read
    account: str = ""
    received_at: str = ""
    verdict: str = ""
    duplicate: str | None = None


class ScheduledFlight(msgspec.Struct, frozen=True, kw_only=True):
    """A flight the carrier's schedule says will operate (SSIM or CSV import, gateway.compliance.schedule)."""

    carrier: str
    flight: str  # normalised designator, as FlightMessage.flight
    departure_airport: str
    arrival_airport: str
    departure_local: str  # ISO local date-time
    departure_utc: str
    arrival_local: str | None = None
    arrival_utc: str | None = None
    source: str = ""  # file name or "api"
    imported_at: str = ""


class Certification(msgspec.Struct, frozen=True, kw_only=True):
    """An operator's promotion of an account to ``certified`` on a conformance run's evidence (§6.8)."""

    account: str
    run_id: str
    scenario_set: str
    versions: dict[str, str]
    scenarios: int
    receipts: tuple[str, ...]
    report_sha256: str
    certified_by: str
    certified_at: str = ""
    previous_status: str = ""
    id: int = 0


class Completion(msgspec.Struct, frozen=True, kw_only=True):
    """Everything processing decided about a receipt, committed in one transaction (DESIGN.md §6.2)."""

    receipt: str
    format: str
    verdict: str
    messages: int
    travellers: int
    content_hash: str | None
    result: bytes
    acks: tuple[StoredAck, ...]
    interchanges: tuple[InterchangeKey, ...]
    deliveries: tuple[NewDelivery, ...]
    duplicate: str | None = None
    duplicate_of: str | None = None
    events: tuple[Event, ...] = ()
    masked_payload: bytes | None = None  # replaces the stored bytes (sensitive-data filter, §6.7)
    parts: tuple[StoredPart, ...] = ()  # multi-part pieces to keep (gateway.assembly)
    units: tuple[UnitState, ...] = ()  # unit versions opened, completed or updated by this receipt
    observations: tuple[FlightMessage, ...] = ()  # what the compliance ledger learns (gateway.compliance.observe)


class UnitClosure(msgspec.Struct, frozen=True, kw_only=True):
    """An open unit forwarded as it is because its completeness timer fired."""

    account: str
    unit: UnitState
    receipt: str  # the receipt whose history records it (the last part's)
    deliveries: tuple[NewDelivery, ...]
    event: Event


class Lookup(Protocol):
    """Reads a decision makes inside the store's write transaction (``Store.settle``/``expire``)."""

    def receipt(self, receipt_id: str) -> Receipt | None: ...
    def first_interchange(self, account: str, key: InterchangeKey) -> str | None: ...
    def first_content(self, account: str, content_hash: str, before: int) -> str | None: ...
    def current_unit(self, account: str, unit: str) -> UnitState | None: ...
    def unit_parts(self, account: str, unit: str, version: int) -> list[StoredPart]: ...


class Suppression(msgspec.Struct, frozen=True):
    """An analyst's decision: this traveller (identity digest, never a name) is not this listed entry."""

    identity: str
    list: str
    entry_id: str
    actor: str
    reason: str
    at: str


class Store(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def writable(self) -> bool: ...

    # accounts
    async def seed_account(self, account: AccountRecord) -> AccountRecord: ...
    async def account(self, name: str) -> AccountRecord | None: ...
    async def accounts(self) -> list[AccountRecord]: ...
    async def account_by_token(self, token_sha256: str) -> AccountRecord | None: ...
    async def account_by_certificate(self, fingerprint: str) -> AccountRecord | None: ...
    async def account_by_amqp_user(self, user: str) -> AccountRecord | None: ...
    async def set_account_status(self, name: str, status: str, actor: str) -> AccountRecord | None: ...

    # intake and processing
    async def intake(self, receipt: Receipt, payload: bytes) -> tuple[Receipt, bool]: ...
    async def receipt(self, receipt_id: str) -> Receipt | None: ...
    async def receipts(self, *, account: str | None = None, state: str | None = None, limit: int = 100) -> list[Receipt]: ...
    async def unfinished(self) -> list[Receipt]: ...
    async def payload(self, receipt_id: str) -> bytes | None: ...
    async def acknowledgements(self, receipt_id: str) -> list[StoredAck]: ...
    async def settle(self, decide: Callable[[Lookup], Completion | T]) -> tuple[Completion | T, Receipt | None]: ...
    async def reopen(self, receipt_id: str, actor: str) -> bool: ...
    async def events(self, receipt_id: str) -> list[Event]: ...

    # multi-part assembly
    async def expired_units(self, now: str) -> list[tuple[str, UnitState]]: ...
    async def expire(self, decide: Callable[[Lookup], UnitClosure | None]) -> UnitClosure | None: ...

    # outbox
    async def due_deliveries(self, now: str, limit: int) -> list[OutboxRow]: ...
    async def deliveries(self, receipt_id: str) -> list[OutboxRow]: ...
    async def delivered(self, delivery_id: int) -> None: ...
    async def delivery_failed(self, delivery_id: int, error: str, next_attempt_at: str | None) -> None: ...
    async def redrive(self, receipt_id: str | None, actor: str) -> int: ...
    async def outbox_depth(self) -> dict[str, int]: ...

    # retention
    async def forget(self, *, payloads_before: str, delivered_before: str, parts_before: str) -> dict[str, int]: ...

    # compliance (gateway.compliance): flights seen in traffic, schedules, certifications
    async def flight_messages(self, *, since: str, until: str, carrier: str | None = None,
                              flight: str | None = None) -> list[FlightMessage]: ...
    async def receipts_between(self, since: str, until: str, accounts: tuple[str, ...] = ()) -> list[Receipt]: ...
    async def save_schedule(self, flights: list[ScheduledFlight], actor: str) -> int: ...
    async def schedule(self, *, since: str, until: str, carrier: str | None = None,
                       flight: str | None = None) -> list[ScheduledFlight]: ...
    async def certify(self, certification: Certification) -> Certification | None: ...
    async def certifications(self, account: str | None = None) -> list[Certification]: ...

    # screening decisions (an analyst's allow-list), audited in the same commit
    async def suppress(self, identity: str, list_name: str, entry_id: str, actor: str, reason: str) -> bool: ...
    async def suppressions(self) -> list[Suppression]: ...

    # audit
    async def audit(self, actor: str, action: str, receipt_id: str | None, detail: dict[str, object]) -> None: ...
    async def audit_trail(self, receipt_id: str | None = None, limit: int = 100) -> list[AuditEntry]: ...
