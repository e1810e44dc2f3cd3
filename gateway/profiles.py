"""Finding and reading national profiles from ``configs/profiles`` (the I/O half of profiles).

The rules of a profile live in ``validators.profiles``; this module only reads TOML files, follows
``extends`` chains and reports a broken file with its path and key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from validators.profiles import BASELINE, Profile, ProfileError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
PROFILE_DIR = CONFIG_DIR / "profiles"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | None) -> Profile:
    """The profile called ``name`` in configs/profiles, or the TOML file at a path; None = baseline."""
    if name_or_path is None:
        name_or_path = "baseline"
    return _load(name_or_path, seen=())


def _load(name_or_path: str, seen: tuple[str, ...]) -> Profile:
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = PROFILE_DIR / f"{name_or_path}.toml"
    source = str(path)
    if source in seen:
        raise ProfileError(source, "extends", "profiles extend each other in a circle: " + " -> ".join((*seen, source)))
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(available_profiles()) or "none"
        raise ProfileError(source, "(file)", f"no such profile; known profiles: {known}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(source, "(syntax)", str(error)) from None
    parent = mapping.get("extends")
    if parent is None:
        base = BASELINE
    elif isinstance(parent, str):
        try:
            base = _load(parent, (*seen, source))
        except ProfileError as error:
            if error.key == "extends" and seen:
                raise  # already names the file that holds the broken extends
            raise ProfileError(source, "extends", f"{parent!r}: {error}") from None
    else:
        raise ProfileError(source, "extends", "expected the name of another profile")
    if "name" not in mapping:
        mapping = {**mapping, "name": path.stem}  # a profile is called after its file unless it says otherwise
    return base.overlay(mapping, source)
