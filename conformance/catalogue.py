"""The scenario catalogue: what certification asks a carrier to send, and what must come back, as data.

Scenarios live in ``conformance/scenarios/<set>.toml`` (one file per scenario set) with the message
files they name under ``conformance/scenarios/messages/``. Keeping them as data means an operator can
read the certification programme without reading Python, a state can add its own set, and the
offline runner, the online runner and ``paxgate conformance list`` all read the same thing.

Everything a scenario says is checked when it is loaded (unknown keys, builder fields, defects,
file names, message cross-references, expected values), so a typo in a scenario file fails the
load with the file, the scenario and the key, never a certification run halfway through.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.builders import DEFECTS, PaxlstSpec, Variant
from validators.catalog import RULES

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
MESSAGE_DIR = SCENARIO_DIR / "messages"
CHANNELS = ("https", "sftp", "amqp")
VERDICTS = ("accepted", "accepted_with_warnings", "rejected")
ACK_KINDS = ("contrl", "cusres", "ackres", "json")
ACTIONS = ("4", "7", "8")  # CONTRL 0083: rejected, acknowledged, receipt only
DUPLICATES = ("none", "content", "interchange")
HISTORY_STAGES = ("validated", "acknowledged", "duplicate", "part_held", "assembled", "queued", "iapi_decided")
# builder fields a scenario may set; carrier and reference come from the run (the carrier's own code,
# a fresh interchange reference for every message sent)
_SPEC_FIELDS = {f.name for f in dataclasses.fields(PaxlstSpec)} - {"carrier", "reference"}
_VARIANT_FIELDS = {f.name for f in dataclasses.fields(Variant)}


class CatalogueError(ValueError):
    """A scenario file that cannot be used: which file, which scenario, which key, what was expected."""


@dataclass(frozen=True, slots=True)
class Expect:
    """What must come back for one message. None / empty: not checked."""

    verdict: tuple[str, ...] = ()  # any of these
    ack: str | None = None  # contrl | cusres | json (no EDIFACT acknowledgement: the receipt document)
    action: str | None = None  # CONTRL UCI action 0083
    findings: tuple[str, ...] = ()  # finding codes that must all be reported
    replayed: bool | None = None  # the gateway answered from its store (same bytes again)
    duplicate: str | None = None  # none | content | interchange
    history: tuple[str, ...] = ()  # receipt history stages that must appear (assembly)
    same_receipt_as: int | None = None  # 1-based index of an earlier message of the scenario


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """One message of a scenario: where its bytes come from, and what must come back."""

    file: str | None = None  # a template under scenarios/messages/ ({{CARRIER}}, {{REF}} filled per run)
    builder: str | None = None  # "paxlst": conformance.builders.paxlst_variant
    spec: dict[str, Any] = field(default_factory=dict)
    variant: dict[str, Any] = field(default_factory=dict)
    defects: tuple[str, ...] = ()
    resend: int | None = None  # the exact bytes of that earlier message again
    content_of: int | None = None  # that earlier message's content under a new interchange reference
    reference_of: int | None = None  # new content under that earlier message's interchange reference
    expect: Expect = Expect()

    @property
    def source(self) -> str:
        """What was sent, in words, for reports."""
        if self.resend is not None:
            return f"message {self.resend} again, byte for byte"
        base = f"file {self.file}" if self.file else self._built()
        if self.content_of is not None:
            return f"message {self.content_of}'s content under a new interchange reference"
        if self.reference_of is not None:
            return f"{base}, under message {self.reference_of}'s interchange reference"
        return base

    def _built(self) -> str:
        parts = [f"{k}={v}" for k, v in {**self.spec, **self.variant}.items()]
        if self.defects:
            parts.append("defects=" + ",".join(self.defects))
        return f"builder {self.builder}(" + ", ".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    set: str
    title: str
    purpose: str
    fix: str  # what a carrier does when this scenario fails
    messages: tuple[MessagePlan, ...]
    online_only: bool = False  # needs the gateway's memory (assembly, duplicates): offline it is "online only"
    channels: tuple[str, ...] = CHANNELS
    family: str = ""  # the rule family a defect scenario stands for


@dataclass(frozen=True, slots=True)
class ScenarioSet:
    name: str
    description: str
    scenarios: tuple[Scenario, ...]


def available_sets() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load(names: str | None = None) -> list[Scenario]:
    """The scenarios of the named sets (comma-separated; None or "all": every set), in file order."""
    wanted = available_sets() if names in (None, "", "all") else [n.strip() for n in (names or "").split(",") if n.strip()]
    scenarios: list[Scenario] = []
    seen: dict[str, str] = {}
    for name in wanted:
        for scenario in load_set(name).scenarios:
            if scenario.id in seen:
                raise CatalogueError(f"scenario {scenario.id} is in sets {seen[scenario.id]} and {name}: ids are unique")
            seen[scenario.id] = name
            scenarios.append(scenario)
    return scenarios


def load_set(name_or_path: str) -> ScenarioSet:
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = SCENARIO_DIR / f"{name_or_path}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"no scenario set {name_or_path!r}; known sets: {', '.join(available_sets())}") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: {error}") from None
    return parse_set(data, str(path))


def parse_set(data: dict[str, Any], source: str) -> ScenarioSet:
    _keys(data, {"set", "description", "scenarios"}, source)
    name = _string(data, "set", source)
    scenarios = []
    ids: set[str] = set()
    for raw in _list(data, "scenarios", source):
        where = f"{source}: scenario {raw.get('id', '?')}"
        scenario = _scenario(raw, name, where)
        if scenario.id in ids:
            raise CatalogueError(f"{where}: id used twice")
        ids.add(scenario.id)
        scenarios.append(scenario)
    if not scenarios:
        raise CatalogueError(f"{source}: the set holds no scenarios")
    return ScenarioSet(name, str(data.get("description", "")), tuple(scenarios))


def _scenario(raw: Any, set_name: str, where: str) -> Scenario:  # noqa: ANN401 - parsed TOML
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a table")
    _keys(raw, {"id", "title", "purpose", "fix", "messages", "online_only", "channels", "family"}, where)
    channels = tuple(raw.get("channels", CHANNELS))
    for channel in channels:
        if channel not in CHANNELS:
            raise CatalogueError(f"{where}: channels: {channel!r}; expected some of {', '.join(CHANNELS)}")
    messages = tuple(_message(m, f"{where}: message {n}", n) for n, m in enumerate(_list(raw, "messages", where), 1))
    if not messages:
        raise CatalogueError(f"{where}: messages: at least one message")
    online_only = bool(raw.get("online_only", False))
    if not online_only and any(m.resend or m.content_of or m.reference_of or m.expect.replayed is not None
                               or m.expect.duplicate or m.expect.history or m.expect.same_receipt_as for m in messages):
        raise CatalogueError(f"{where}: resends, duplicates and history need the gateway's memory: set online_only = true")
    return Scenario(id=_string(raw, "id", where), set=set_name, title=_string(raw, "title", where),
                    purpose=_string(raw, "purpose", where), fix=str(raw.get("fix", "")), messages=messages,
                    online_only=online_only, channels=channels, family=str(raw.get("family", "")))


def _message(raw: Any, where: str, index: int) -> MessagePlan:  # noqa: ANN401 - parsed TOML
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a table")
    _keys(raw, {"file", "builder", "spec", "variant", "defects", "resend", "content_of", "reference_of", "expect"}, where)
    earlier = {}
    for key in ("resend", "content_of", "reference_of"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, int) or not 1 <= value < index):
            raise CatalogueError(f"{where}: {key}: expected the number of an earlier message (1 … {index - 1})")
        earlier[key] = value
    sources = [k for k in ("file", "builder", "resend", "content_of") if raw.get(k) is not None]
    if len(sources) != 1:
        found = ", ".join(sources) or "none"
        raise CatalogueError(f"{where}: name exactly one of file, builder, resend, content_of (found {found})")
    file = raw.get("file")
    if file is not None and not (MESSAGE_DIR / str(file)).is_file():
        raise CatalogueError(f"{where}: file: {file} is not in {MESSAGE_DIR}")
    builder = raw.get("builder")
    if builder is not None and builder != "paxlst":
        raise CatalogueError(f"{where}: builder: {builder!r}; expected 'paxlst'")
    spec, variant = dict(raw.get("spec", {})), dict(raw.get("variant", {}))
    for name, given, known in (("spec", spec, _SPEC_FIELDS), ("variant", variant, _VARIANT_FIELDS)):
        unknown = set(given) - known
        if unknown:
            raise CatalogueError(f"{where}: {name}: unknown field(s) {', '.join(sorted(unknown))}; "
                                 f"known: {', '.join(sorted(known))}")
    defects = tuple(raw.get("defects", ()))
    for defect in defects:
        if defect not in DEFECTS:
            raise CatalogueError(f"{where}: defects: {defect!r} is no defect of conformance.builders.DEFECTS")
    try:  # the builder must accept what the scenario asks for, now rather than during a run
        PaxlstSpec(**spec)
        Variant(**variant)
    except TypeError as error:
        raise CatalogueError(f"{where}: {error}") from None
    return MessagePlan(file=file, builder=builder, spec=spec, variant=variant, defects=defects, resend=earlier["resend"],
                       content_of=earlier["content_of"], reference_of=earlier["reference_of"],
                       expect=_expect(raw.get("expect", {}), f"{where}: expect", index))


def _expect(raw: Any, where: str, index: int) -> Expect:  # noqa: ANN401 - parsed TOML
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a table")
    _keys(raw, {f.name for f in dataclasses.fields(Expect)}, where)
    verdict = raw.get("verdict", ())
    verdict = (verdict,) if isinstance(verdict, str) else tuple(verdict)
    checks = (("verdict", verdict, VERDICTS), ("ack", (raw["ack"],) if "ack" in raw else (), ACK_KINDS),
              ("action", (raw["action"],) if "action" in raw else (), ACTIONS),
              ("duplicate", (raw["duplicate"],) if "duplicate" in raw else (), DUPLICATES),
              ("history", tuple(raw.get("history", ())), HISTORY_STAGES))
    for key, values, allowed in checks:
        for value in values:
            if value not in allowed:
                raise CatalogueError(f"{where}: {key}: {value!r}; expected one of {', '.join(allowed)}")
    findings = tuple(raw.get("findings", ()))
    for code in findings:
        if code not in RULES:
            raise CatalogueError(f"{where}: findings: {code!r} is no finding code (see paxgate codes)")
    same = raw.get("same_receipt_as")
    if same is not None and (not isinstance(same, int) or not 1 <= same < index):
        raise CatalogueError(f"{where}: same_receipt_as: expected the number of an earlier message")
    replayed = raw.get("replayed")
    if replayed is not None and not isinstance(replayed, bool):
        raise CatalogueError(f"{where}: replayed: expected true or false")
    return Expect(verdict=verdict, ack=raw.get("ack"), action=raw.get("action"), findings=findings, replayed=replayed,
                  duplicate=raw.get("duplicate"), history=tuple(raw.get("history", ())), same_receipt_as=same)


def _keys(table: dict[str, Any], known: set[str], where: str) -> None:
    unknown = set(table) - known
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected some of {', '.join(sorted(known))}")


def _string(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{where}: {key}: expected a non-empty string")
    return value


def _list(table: dict[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: {key}: expected a list")
    return value
