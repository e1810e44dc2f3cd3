"""The assembly decisions, without a store: what is a part, when is a unit complete, what is missing."""

from __future__ import annotations

import msgspec

from gateway.assembly import completeness, describe, is_multipart, push_totals, unit_identity
from gateway.processing import UnitPart
from gateway.store.base import StoredPart


def stored(sequence: int, final: bool) -> StoredPart:
    return StoredPart(unit="u", version=1, sequence=sequence, final=final, receipt="r", message=1, received_at="", document=b"{}")


def test_completeness_names_the_gaps_up_to_the_final_part():
    assert completeness([stored(1, False), stored(3, True)]).missing == (2,)
    assert completeness([stored(2, False), stored(1, False)]).complete is False  # no final part yet
    assert completeness([stored(2, True), stored(1, False)]).complete is True


def test_what_counts_as_a_part():
    assert not is_multipart(UnitPart(message=1, format="paxlst", sequence=1, first_last="F"))
    assert not is_multipart(UnitPart(message=1, format="paxlst"))
    assert is_multipart(UnitPart(message=1, format="paxlst", sequence=1, first_last="C"))
    assert is_multipart(UnitPart(message=1, format="paxlst", sequence=2, first_last="F"))


def test_a_unit_identity_reads_back_even_with_slashes_in_the_reference():
    unit = UnitPart(message=1, format="paxlst", flight="ZZ1", flight_date="2026-11-24", common_access_reference="ZZ1/261124/1030",
                    document_type="250")
    assert describe(unit_identity(unit)) == {"format": "paxlst", "document": "250", "flight": "ZZ1", "flight_date": "2026-11-24",
                                             "common_access_reference": "ZZ1/261124/1030"}
    passengers = UnitPart(message=1, format="paxlst", flight="ZZ1", flight_date="2026-11-24", document_type="745")
    assert unit_identity(passengers) != unit_identity(msgspec.structs.replace(passengers, document_type="250"))


def _push_part(sequence: int, declared: int | None, pnrs: int) -> StoredPart:
    push = {"declared_pnrs": declared, "pnrs": [{"locator": f"L{sequence}{n}"} for n in range(pnrs)]}
    return StoredPart(unit="u", version=1, sequence=sequence, final=False, receipt="r", message=1, received_at="",
                      document=msgspec.json.encode({"push": push}))


def test_push_totals_hold_eqn_against_the_pnrs_of_all_parts():
    assert push_totals([_push_part(1, 5, 2), _push_part(2, 5, 3)]) == {
        "declared_pnrs": [5], "pnrs": 5, "consistent": True, "matches": True}
    assert push_totals([_push_part(1, 5, 2), _push_part(2, 5, 2)])["matches"] is False  # type: ignore[index]
    disagree = push_totals([_push_part(1, 5, 2), _push_part(2, 6, 3)])
    assert disagree == {"declared_pnrs": [5, 6], "pnrs": 5, "consistent": False, "matches": False}
    assert push_totals([stored(1, False)]) is None  # a PAXLST unit has no push totals
