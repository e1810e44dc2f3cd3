"""National profiles and carrier tolerances, as data (sans-I/O: callers read the TOML).

A profile says how strictly a state applies the rules: which findings it downgrades or upgrades
(severity overrides keyed by finding code), which acknowledgements it sends, and who the gateway
is (UNB recipient ids). A carrier's tolerance is the same kind of table laid over its profile, so
"this carrier sends CR/LF between segments" is a line of configuration, not code.

Profiles live in ``configs/profiles/<name>.toml``; one may ``extends`` another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from validators.catalog import RULES
from validators.obligations import DEFAULT_OBLIGATIONS, Obligation, read_obligations
from validators.paxlst.requirements import REQUIREMENTS
from validators.pnrgov.ackres_layout import DEFAULT_LAYOUT, AckresLayout
from validators.pnrgov.sensitive_codes import DEFAULT_FREE_TEXT, DEFAULT_SSR_CODES
from validators.report import Severity

ContrlPolicy = Literal["always", "when-requested"]
_CONTRL_POLICIES = ("always", "when-requested")

# interactive API directives a state names codes for (validators/paxlst/cusres.py: Directives)
_DIRECTIVES = ("board", "no_board", "advisory", "insufficient", "exception")

# PNRGOV versions a profile accepts unless it says otherwise: the first guide (10.1) to today's yearly releases
PNRGOV_VERSIONS: tuple[str, ...] = tuple(f"{major}.1" for major in range(10, 26))

# Tolerance words carriers and operators use, and the severity each stands for.
_LEVELS = {"reject": Severity.ERROR, "warn": Severity.WARNING, "accept": Severity.INFO}


# Further profile tables, each read by its own function into Profile field updates: a message family adds
# its table here (its reader lives beside its rules) rather than growing ``Profile.overlay``.
SectionReader = Callable[["Profile", Mapping[str, Any], str], dict[str, Any]]
SECTIONS: dict[str, SectionReader] = {}


class ProfileError(ValueError):
    """A profile that cannot be used, with the key at fault and what was expected."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


class Profile(msgspec.Struct, frozen=True):
    name: str
    description: str = ""
    contrl: ContrlPolicy = "always"
    recipients: tuple[str, ...] = ()
    severity: dict[str, Severity] = {}
    paxlst_directories: tuple[str, ...] = ("02B", "05B")  # UNH S009 0054 releases accepted for PAXLST
    paxlst_require: tuple[str, ...] = ()  # names from validators.paxlst.requirements every traveller must carry
    iapi_directives: dict[str, str] = {}  # interactive API ERC codes by directive (board, no_board, …); empty: defaults
    iapi_references: tuple[str, ...] = ("IAPI",)  # UNB 0026 values that mark a PAXLST as an interactive request
    assembly_minutes: int = 30  # how long the gateway waits for the missing parts of a multi-part list or push
    # PNRGOV XML: the XSD text the gateway's profile loader read (configs/schemas, or the official schema a
    # deployment holds, named by [pnrgov] xml_schema); None: checked for well-formedness and shape only
    pnrgov_xml_schema: str | None = None
    pnrgov_xml_schema_name: str | None = None  # where that XSD came from, for findings
    pnrgov_versions: tuple[str, ...] = PNRGOV_VERSIONS  # UNH S009 version.release accepted ([pnrgov] versions)
    pnrgov_push_number: str = "none"  # where a push's number comes from: none, sequence (S010), reference-suffix (0068)
    # SSR code → category, and category → free-text patterns, masked at ingress ([sensitive])
    sensitive_ssr: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_SSR_CODES))
    sensitive_text: dict[str, tuple[str, ...]] = msgspec.field(default_factory=lambda: dict(DEFAULT_FREE_TEXT))
    ackres: AckresLayout = DEFAULT_LAYOUT  # the PNRGOV acknowledgement's layout and codes ([ackres])
    obligations: tuple[Obligation, ...] = DEFAULT_OBLIGATIONS  # what is due per flight, when (validators.obligations)

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code) or RULES[code].severity

    def overlay(self, mapping: Mapping[str, Any], source: str) -> Profile:
        """This profile with ``mapping`` (a parsed TOML table) laid over it."""
        known = {"name", "description", "extends", "acknowledgements", "envelope", "severity", "paxlst", "iapi", "assembly",
                 *SECTIONS}
        for key in mapping:
            if key not in known:
                raise ProfileError(source, key, f"unknown key; expected one of {', '.join(sorted(known))}")
        contrl = self.contrl
        acks = _table(mapping, "acknowledgements", source)
        for key, value in acks.items():
            if key != "contrl":
                raise ProfileError(source, f"acknowledgements.{key}", "unknown key; expected 'contrl'")
            if value not in _CONTRL_POLICIES:
                raise ProfileError(source, "acknowledgements.contrl", f"expected one of {', '.join(_CONTRL_POLICIES)}")
            contrl = value
        recipients = self.recipients
        envelope = _table(mapping, "envelope", source)
        for key, value in envelope.items():
            if key != "recipients":
                raise ProfileError(source, f"envelope.{key}", "unknown key; expected 'recipients'")
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ProfileError(source, "envelope.recipients", "expected a list of UNB recipient ids (strings)")
            recipients = tuple(value)
        severity = dict(self.severity)
        for code, level in _table(mapping, "severity", source).items():
            rule = RULES.get(code)
            if rule is None:
                raise ProfileError(source, f"severity.{code}", "unknown finding code (see `paxgate codes`)")
            if not rule.adjustable:
                raise ProfileError(source, f"severity.{code}",
                                   "this finding cannot be tolerated: the message cannot be read without it")
            if level not in _LEVELS:
                raise ProfileError(source, f"severity.{code}", f"expected one of {', '.join(_LEVELS)}")
            severity[code] = _LEVELS[level]
        directories, require = self.paxlst_directories, self.paxlst_require
        for key, value in _table(mapping, "paxlst", source).items():
            if key == "directories":
                directories = _strings(value, source, "paxlst.directories", "directory releases such as \"05B\"")
            elif key == "require":
                require = _strings(value, source, "paxlst.require", "requirement names")
                unknown = [name for name in require if name not in REQUIREMENTS]
                if unknown:
                    raise ProfileError(source, "paxlst.require",
                                       f"unknown {', '.join(unknown)}; expected names from: {', '.join(REQUIREMENTS)}")
            else:
                raise ProfileError(source, f"paxlst.{key}", "unknown key; expected 'directories' or 'require'")
        directives = dict(self.iapi_directives)
        references = self.iapi_references
        for key, value in _table(mapping, "iapi", source).items():
            if key == "application_references":
                references = _strings(value, source, "iapi.application_references", "UNB 0026 values such as \"IAPI\"")
                continue
            if key not in _DIRECTIVES:
                raise ProfileError(source, f"iapi.{key}",
                                   f"unknown key; expected application_references or a directive: {', '.join(_DIRECTIVES)}")
            if not isinstance(value, str) or not 1 <= len(value) <= 8:
                raise ProfileError(source, f"iapi.{key}", "expected an ERC 9321 code (an..8), such as \"0Z\"")
            directives[key] = value
        assembly_minutes = self.assembly_minutes
        for key, value in _table(mapping, "assembly", source).items():
            if key != "timeout_minutes":
                raise ProfileError(source, f"assembly.{key}", "unknown key; expected 'timeout_minutes'")
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 7 * 24 * 60:
                raise ProfileError(source, "assembly.timeout_minutes", "expected whole minutes, 1 to 10080 (a week)")
            assembly_minutes = value
        name = mapping.get("name", self.name)
        description = mapping.get("description", self.description)
        if not isinstance(name, str) or not isinstance(description, str):
            raise ProfileError(source, "name", "expected a string")
        updates: dict[str, Any] = {}
        for section, read in SECTIONS.items():
            if section in mapping:
                updates.update(read(self, _table(mapping, section, source), source))
        return msgspec.structs.replace(
            self, name=name, description=description, contrl=contrl, recipients=recipients, severity=severity,
            paxlst_directories=directories, paxlst_require=require, iapi_directives=directives, iapi_references=references,
            assembly_minutes=assembly_minutes, **updates)


def _strings(value: object, source: str, key: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProfileError(source, key, f"expected a list of {what}")
    return tuple(value)


def _table(mapping: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = mapping.get(key, {})
    if not isinstance(value, Mapping):
        raise ProfileError(source, key, "expected a table")
    return value


BASELINE = Profile(
    name="baseline",
    description="The WCO/IATA/ICAO guideline baseline with ISO 9735 syntax rules; real-world dirt is reported, not rejected.",
)

SECTIONS["obligations"] = read_obligations  # the [obligations] table (validators.obligations)

import validators.pnrgov.profile  # noqa: E402, F401 - registers the [pnrgov], [sensitive] and [ackres] tables
