"""Scorecards as JSON and CSV, for engagement staff's spreadsheets and the airline meeting.

JSON is the full scorecard (trend and findings included); CSV is one row per carrier with the
headline figures, stable column names, empty cells for "no data" (never 0, which would be a figure).
Neither holds personal data: counts, percentages, finding codes and receipt ids only.
"""

from __future__ import annotations

import csv
import io

import msgspec

from gateway.compliance.scorecards import Scorecard
from validators.obligations import ELEMENTS

CSV_COLUMNS = ("carrier", "period", "status", "flights", "scheduled_flights", "unscheduled_flights", "obligations_due",
               "obligations_pending", "on_time", "early", "late", "incomplete", "rejected", "missing", "timeliness_pct",
               "previous_timeliness_pct", "receipts", "rejected_receipts", "duplicate_receipts", "rejection_pct",
               "previous_rejection_pct", "travellers", "sufficiency_pct", *(f"{e}_pct" for e in ELEMENTS), "top_finding",
               "top_finding_receipts")


def scorecards_json(cards: list[Scorecard]) -> bytes:
    """A JSON array, one object per carrier (DESIGN.md §6.10: arrays of objects for machines)."""
    return msgspec.json.format(msgspec.json.encode(cards), indent=2)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def scorecards_csv(cards: list[Scorecard]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in cards:
        top = c.findings[0] if c.findings else None
        writer.writerow([_cell(v) for v in (
            c.carrier, c.period, c.status, c.flights, c.scheduled_flights, c.unscheduled_flights, c.obligations_due,
            c.obligations_pending, *(c.outcomes.get(s, 0) for s in ("on_time", "early", "late", "incomplete", "rejected",
                                                                     "missing")),
            c.timeliness, c.previous_timeliness, c.receipts, c.rejected_receipts, c.duplicate_receipts, c.rejection,
            c.previous_rejection, c.travellers, c.sufficiency, *(c.elements.get(e) for e in ELEMENTS),
            top.code if top else None, top.receipts if top else None)])
    return out.getvalue()
