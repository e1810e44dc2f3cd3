"""Screening in the pipeline: every traveller of every unit part is checked before the outbox row is
written, and the hits travel inside the forwarded document (DESIGN.md §2 step 7, §6.2).

Runs in the main process, in a thread (rapidfuzz releases the GIL; the index lives here, once), on
the documents the validation worker already wrote. Screening informs, it never decides: a unit is
forwarded whatever its hits, and no acknowledgement changes. The document gains a ``screening``
object: which lists were consulted (name and version time), and per traveller the hits with list,
entry id, score and explanation. Receipt events and logs get counts only.
"""

from __future__ import annotations

import asyncio

import msgspec

from gateway.processing import Outcome, UnitPart
from gateway.screening.screener import AllowList, Screener
from gateway.screening.subjects import Subject, subjects_of_manifest, subjects_of_push
from validators.paxlst.manifest import Manifest
from validators.pnrgov.model import PnrPush


class _Models(msgspec.Struct):
    """The typed part of a unit document; everything else in it is kept as it was."""

    manifest: Manifest | None = None
    push: PnrPush | None = None


class Screened(msgspec.Struct, frozen=True):
    outcome: Outcome
    travellers: int  # screened
    hits: int  # travellers with at least one hit


def _subjects(part: UnitPart) -> list[Subject]:
    models = msgspec.json.decode(part.document, type=_Models)
    if models.manifest is not None:
        return subjects_of_manifest(models.manifest)
    if models.push is not None:
        return subjects_of_push(models.push)
    return []


def screen_outcome(screener: Screener, outcome: Outcome, allow: AllowList | None = None) -> Screened:
    """The outcome with a ``screening`` object in each unit part's document (blocking: run in a thread)."""
    lists = [{"name": s.name, "entries": s.entries} for s in screener.stats()]
    parts: list[UnitPart] = []
    screened = hits = 0
    for part in outcome.units:
        subjects = _subjects(part)
        found = screener.screen(subjects, allow) if subjects else []
        screened += len(subjects)
        hits += len(found)
        document = msgspec.json.decode(part.document)
        document["screening"] = {"lists": lists, "travellers": len(subjects),
                                 "hits": [msgspec.to_builtins(h) for h in found]}
        parts.append(msgspec.structs.replace(part, document=msgspec.json.encode(document)))
    return Screened(msgspec.structs.replace(outcome, units=tuple(parts)), screened, hits)


async def screen_async(screener: Screener, outcome: Outcome, allow: AllowList | None = None) -> Screened:
    return await asyncio.get_running_loop().run_in_executor(None, screen_outcome, screener, outcome, allow)
