"""Who is screened: the travellers of a PAXLST manifest and the passengers of a PNRGOV push, as Subjects.

A :class:`Subject` carries only what screening compares (names, date of birth, nationality,
documents) and a ``ref`` that points back into the message without repeating personal data:
``m1/t12`` is message 1, the traveller whose NAD is at segment position 12; ``p3/ABC123/2`` is
message 3, PNR ``ABC123``, passenger reference 2 (``p3/ABC123/#2`` is the second passenger when the
carrier sent no reference, so the two forms never collide).

:func:`identity_key` is a stable digest of the normalised identity (name tokens, date of birth,
documents), never the raw name: the analyst allow-list is keyed by it, so a decided false positive
stays decided for the same person on the next flight, and the store never needs the name to do it.
"""

from __future__ import annotations

import hashlib

import msgspec

from gateway.screening.normalise import all_forms, document_number
from validators.paxlst.manifest import Manifest
from validators.pnrgov.model import PnrPush

IDENTITY_VERSION = "paxgate-screening-identity-v1"


class Subject(msgspec.Struct, frozen=True):
    ref: str
    surname: str
    given_names: tuple[str, ...] = ()
    birth_date: str | None = None  # ISO 8601 date
    nationality: str | None = None  # ISO 3166-1 alpha-3 (as the message gives it)
    documents: tuple[tuple[str, str | None], ...] = ()  # (number as sent, issuing state)


def subjects_of_manifest(manifest: Manifest) -> list[Subject]:
    """Every traveller of one PAXLST message (passengers and crew alike: both cross the border)."""
    return [
        Subject(
            ref=f"m{manifest.message}/t{traveller.position}",
            surname=traveller.surname,
            given_names=traveller.given_names,
            birth_date=traveller.birth_date,
            nationality=traveller.nationality,
            documents=tuple((d.number, d.issuing_state) for d in traveller.documents if d.number),
        )
        for traveller in manifest.travellers
    ]


def subjects_of_push(push: PnrPush) -> list[Subject]:
    """Every passenger of every PNR of one PNRGOV message; cancelled PNRs carry nobody to screen."""
    out: list[Subject] = []
    for pnr in push.pnrs:
        if pnr.cancelled:
            continue
        locator = pnr.locator or "-"
        for index, passenger in enumerate(pnr.passengers, 1):
            nationality = passenger.nationality or next((d.nationality for d in passenger.documents if d.nationality), None)
            out.append(Subject(
                ref=f"p{push.message}/{locator}/{passenger.reference or f'#{index}'}",
                surname=passenger.surname,
                given_names=passenger.given_names,
                birth_date=passenger.birth_date,
                nationality=nationality,
                documents=tuple((d.number, d.issuing_state) for d in passenger.documents if d.number),
            ))
    return out


def identity_key(subject: Subject) -> str:
    """A stable 32-hex digest of the normalised name, date of birth and documents (never the raw name).

    Name order, case, diacritics, titles and punctuation do not change it (tokens are folded and
    sorted); a different date of birth or document does, on purpose: a decision about one person must
    not silence screening of another with the same name.
    """
    forms = all_forms(" ".join((subject.surname, *subject.given_names)))
    name = " ".join(sorted(forms[0])) if forms else ""
    documents = sorted(f"{n}:{(s or '').upper()}" for number, s in subject.documents if (n := document_number(number)))
    text = "|".join((IDENTITY_VERSION, name, subject.birth_date or "", ",".join(documents)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
