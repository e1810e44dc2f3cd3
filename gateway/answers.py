"""How a receipt is shown to the carrier that sent it, to operators and on the command line: one
JSON shape everywhere (DESIGN.md §6.10), so nobody has to learn two."""

from __future__ import annotations

from typing import Any

import msgspec

from gateway.store import Event, OutboxRow, Receipt, StoredAck

ACK_MEDIA_TYPE = "application/edifact"


def receipt_document(receipt: Receipt, acks: list[StoredAck], *, replayed: bool = False,
                     events: list[Event] | None = None, deliveries: list[OutboxRow] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = msgspec.json.decode(receipt.result) if receipt.result else {}
    document: dict[str, Any] = {
        "receipt": receipt.id,
        "account": receipt.account,
        "channel": receipt.channel,
        "received_at": receipt.received_at,
        "sha256": receipt.sha256,
        "size": receipt.size,
        "test": receipt.test,
        "state": receipt.state,
        "replayed": replayed,
        "format": receipt.format,
        "verdict": receipt.verdict,
        "messages": receipt.messages,
        "travellers": receipt.travellers,
        "duplicate": receipt.duplicate,
        "duplicate_of": receipt.duplicate_of,
        "findings": result.get("findings", []),
        "acknowledgements": [{"kind": a.kind, "interchange": a.interchange, "payload": a.payload.decode("latin-1")}
                             for a in acks],
        "no_acknowledgement": result.get("no_acknowledgement", []),
    }
    if receipt.filename is not None:
        document["filename"] = receipt.filename
    if events is not None:
        document["history"] = [{"at": e.at, "stage": e.stage, **e.detail} for e in events]
    if deliveries is not None:
        document["deliveries"] = [{"sink": d.sink, "key": d.key, "state": d.state, "attempts": d.attempts,
                                   "last_error": d.last_error, "delivered_at": d.delivered_at} for d in deliveries]
    return document


def acknowledgement_bytes(acks: list[StoredAck]) -> bytes:
    """The acknowledgement interchanges of one submission, one per line."""
    return b"\n".join(a.payload for a in acks)
