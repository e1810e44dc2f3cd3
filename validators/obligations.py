"""What a state expects a carrier to send for each flight, and when: a profile's ``[obligations]``.

Why data and not code: timing rules differ by programme and several are only known from memory
(STANDARDS.md §8 tags them [M]); a state corrects them in its profile, not in a release. Each
obligation is a *window* relative to the flight's scheduled departure (minutes, negative = before):
the message is due no earlier than ``opens_minutes`` and no later than ``due_minutes``. "At door
close" or "at flight closure" is approximated by the scheduled departure (the gateway does not learn
the real door-close time; a state that needs it sets ``due_minutes`` accordingly).

A profile table looks like::

    [obligations.api_passengers]
    message = "api"                # api (passenger list, BGM 745), api_crew (BGM 250), pnr (PNRGOV push)
    opens_minutes = -4320          # not before T-72 h
    due_minutes = -30              # no later than T-30 min
    elements = ["document", "nationality", "date_of_birth"]   # data-element sufficiency (API only)
    description = "APIS-30 style: passenger list no later than 30 minutes before departure"

Naming an obligation replaces the one of that name from the profile it extends; ``enabled = false``
removes it. Pure: no I/O; the profile loader reads the TOML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    from validators.profiles import Profile

MessageKind = Literal["api", "api_crew", "pnr"]
MESSAGE_KINDS: tuple[str, ...] = ("api", "api_crew", "pnr")
# sufficiency elements a traveller record can be checked for (validators.paxlst.requirements names)
ELEMENTS: tuple[str, ...] = ("surname", "given_names", "gender", "date_of_birth", "nationality", "birth_place", "residence",
                             "embarkation", "debarkation", "reservation_reference", "document", "document_expiry",
                             "document_issuing_state")
_WEEK_MINUTES = 14 * 24 * 60  # a window further than two weeks from departure is a typo, not a rule


class Obligation(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    message: MessageKind
    opens_minutes: int  # relative to the scheduled departure; negative = before
    due_minutes: int
    elements: tuple[str, ...] = ()  # required per traveller, measured as sufficiency (API passenger lists)
    description: str = ""


# The baseline's obligations when a profile names none: an API passenger list between 72 h before and
# the scheduled departure (EU 2004/82 "at the end of check-in" [V]; departure as the closure proxy [D]).
DEFAULT_OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(name="api_passengers", message="api", opens_minutes=-72 * 60, due_minutes=0,
               elements=("surname", "given_names", "date_of_birth", "gender", "nationality", "document", "document_expiry"),
               description="API passenger list by the end of check-in (scheduled departure)"),
)

_KEYS = ("message", "opens_minutes", "due_minutes", "elements", "description", "enabled")


def read_obligations(profile: Profile, table: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The ``[obligations]`` table of a profile as the ``obligations`` field update (validators.profiles.SECTIONS)."""
    from validators.profiles import ProfileError  # noqa: PLC0415 - profiles imports this module to register the reader

    current = {o.name: o for o in profile.obligations}
    for name, entry in table.items():
        key = f"obligations.{name}"
        if not isinstance(entry, Mapping):
            raise ProfileError(source, key, "expected a table (message, opens_minutes, due_minutes, elements, description)")
        unknown = [k for k in entry if k not in _KEYS]
        if unknown:
            raise ProfileError(source, f"{key}.{unknown[0]}", f"unknown key; expected one of {', '.join(_KEYS)}")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ProfileError(source, f"{key}.enabled", "expected true or false")
        if not enabled:
            current.pop(name, None)
            continue
        base = current.get(name)
        message = entry.get("message", base.message if base else None)
        if message not in MESSAGE_KINDS:
            raise ProfileError(source, f"{key}.message", f"expected one of {', '.join(MESSAGE_KINDS)}")
        minutes = {}
        for field in ("opens_minutes", "due_minutes"):
            value = entry.get(field, getattr(base, field) if base else None)
            if not isinstance(value, int) or isinstance(value, bool) or not -_WEEK_MINUTES <= value <= _WEEK_MINUTES:
                raise ProfileError(source, f"{key}.{field}",
                                   f"expected whole minutes relative to departure, {-_WEEK_MINUTES} to {_WEEK_MINUTES}")
            minutes[field] = value
        if minutes["opens_minutes"] > minutes["due_minutes"]:
            raise ProfileError(source, f"{key}.opens_minutes", "the window opens after it is due")
        elements = entry.get("elements", list(base.elements) if base else [])
        if not isinstance(elements, list) or not all(isinstance(e, str) for e in elements):
            raise ProfileError(source, f"{key}.elements", "expected a list of element names")
        wrong = [e for e in elements if e not in ELEMENTS]
        if wrong:
            raise ProfileError(source, f"{key}.elements",
                               f"unknown {', '.join(wrong)}; expected names from: {', '.join(ELEMENTS)}")
        if elements and message != "api":
            raise ProfileError(source, f"{key}.elements", "sufficiency is measured on API passenger lists only")
        description = entry.get("description", base.description if base else "")
        if not isinstance(description, str):
            raise ProfileError(source, f"{key}.description", "expected a string")
        current[name] = Obligation(name=name, message=message, opens_minutes=minutes["opens_minutes"],
                                   due_minutes=minutes["due_minutes"], elements=tuple(elements), description=description)
    return {"obligations": tuple(current.values())}
