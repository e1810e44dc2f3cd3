"""Data a national profile can require of every traveller on a list, as data.

Each entry names what is required, says it in words for the finding, and tells whether a
traveller of the typed Manifest carries it. A profile lists the names it wants (``[paxlst]
require = [...]``); adding a requirement is a line here, adding a country a file in configs/.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # profiles read the names of this table, and the Manifest sits above profiles
    from validators.paxlst.manifest import Traveller


class Requirement(NamedTuple):
    words: str
    present: Callable[[Traveller], bool]


REQUIREMENTS: dict[str, Requirement] = {
    "surname": Requirement("a surname", lambda t: bool(t.surname)),
    "given_names": Requirement("given names", lambda t: bool(t.given_names)),
    "gender": Requirement("the gender (ATT)", lambda t: t.gender is not None),
    "date_of_birth": Requirement("the date of birth (DTM+329)", lambda t: t.birth_date is not None),
    "nationality": Requirement("the nationality (NAT)", lambda t: t.nationality is not None),
    "birth_place": Requirement("the place of birth (LOC+180)", lambda t: t.birth_place is not None),
    "residence": Requirement("the country of residence (LOC+174)", lambda t: t.residence is not None),
    "embarkation": Requirement("the place of embarkation (LOC+178)", lambda t: t.embarkation is not None),
    "debarkation": Requirement("the place of debarkation (LOC+179)", lambda t: t.debarkation is not None),
    "reservation_reference": Requirement("the reservation reference (RFF+AVF)", lambda t: "AVF" in t.references),
    "document": Requirement("a travel document (DOC)", lambda t: bool(t.documents)),
    "document_expiry": Requirement("the document expiry date (DTM+36)", lambda t: any(d.expiry for d in t.documents)),
    "document_issuing_state": Requirement("the document issuing state (LOC+91)",
                                          lambda t: any(d.issuing_state for d in t.documents)),
}
