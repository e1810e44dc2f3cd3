"""Finding and reading national profiles from ``configs/profiles`` (the I/O half of profiles).

The rules of a profile live in ``validators.profiles``; this module only reads TOML files, follows
``extends`` chains and reports a broken file with its path and key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from validators.pnrgov.xml import schema_problem
from validators.profiles import BASELINE, Profile, ProfileError

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
PROFILE_DIR = CONFIG_DIR / "profiles"
DEFAULT_XML_SCHEMA = CONFIG_DIR / "schemas" / "pnrgov-xml-13.1.xsd"  # paxgate's own PNRGOV XML schema


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
    mapping, schema_path = _xml_schema_key(mapping, path, source)
    profile = base.overlay(mapping, source)
    return _with_xml_schema(profile, base, schema_path, source)


def _xml_schema_key(mapping: Mapping[str, Any], path: Path, source: str) -> tuple[Mapping[str, Any], Path | None]:
    """``[pnrgov] xml_schema`` taken out of the table (reading the file is this module's job, not the
    overlay's), as a path: relative paths are relative to the profile's own file."""
    table = mapping.get("pnrgov")
    if not isinstance(table, Mapping) or "xml_schema" not in table:
        return mapping, None
    value = table["xml_schema"]
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(source, "pnrgov.xml_schema", "expected the path of an XSD file")
    rest = {key: item for key, item in table.items() if key != "xml_schema"}
    mapping = {**mapping, "pnrgov": rest} if rest else {key: item for key, item in mapping.items() if key != "pnrgov"}
    schema = Path(value).expanduser()
    return mapping, schema if schema.is_absolute() else path.parent / schema


def _with_xml_schema(profile: Profile, base: Profile, schema_path: Path | None, source: str) -> Profile:
    """The profile holding the XSD text its PNRGOV XML is validated against: its own ``[pnrgov]
    xml_schema``, else what the profile it extends holds, else paxgate's schema. Read and compiled
    here, so a missing or unusable schema stops the profile from loading instead of rejecting traffic."""
    if schema_path is not None:
        text = _read_xml_schema(schema_path, source)
        name = schema_path.name
    elif base.pnrgov_xml_schema is not None:
        text, name = base.pnrgov_xml_schema, base.pnrgov_xml_schema_name
    else:
        text, name = _read_xml_schema(DEFAULT_XML_SCHEMA, source), DEFAULT_XML_SCHEMA.name
    return msgspec.structs.replace(profile, pnrgov_xml_schema=text, pnrgov_xml_schema_name=name)


def _read_xml_schema(path: Path, source: str) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ProfileError(source, "pnrgov.xml_schema", f"no such XSD file: {path}") from None
    except OSError as error:
        raise ProfileError(source, "pnrgov.xml_schema", f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ProfileError(source, "pnrgov.xml_schema", f"{path} is not UTF-8 text") from None
    problem = schema_problem(text)
    if problem is not None:
        raise ProfileError(source, "pnrgov.xml_schema", f"{path} cannot be used: {problem}")
    return text
