"""Structured JSON logs for the appliance, private by design.

Why: API (PAXLST) and PNR (PNRGOV) data are personal data about travellers (names, document
numbers, dates of birth, itineraries, sometimes sensitive PNR fields). A log line is copied to
terminals, log shippers, tickets and backups that none of the retention jobs reach, so personal data
must never get there in the first place (DESIGN.md §5: "Log events are snake_case verbs with ids,
never personal data"; §6.7: unmasked data is "never forwarded, logged or displayed").

How: every line passes :func:`redact` before it is rendered, and :func:`redact` is an **allowlist**,
not a denylist. Only keys in :data:`SAFE_KEYS` keep their values; any other key keeps its name (so an
operator sees that something was dropped) but its value becomes ``"[redacted]"``. A denylist (drop
``surname``, ``document``, ...) fails open: the first new key a developer invents leaks by default.
An allowlist fails closed: a new key shows up as ``"[redacted]"`` until someone argues in review
that it is safe and adds it to :data:`SAFE_KEYS` with the reason.

Values of allowed keys are still checked, because an allowed key can be handed the wrong thing
(``reason=str(segment)``, ``error=exc``):

- a string that looks like a payload fragment (EDIFACT segments or service segments, XML tags, an
  ICAO MRZ filler run) or is longer than :data:`MAX_VALUE_CHARS` becomes
  ``"[redacted: looks like payload]"``; raw ``bytes`` always do;
- an exception object becomes its type name only, never its message;
- dicts, lists, msgspec structs and dataclasses are cleaned recursively with the same rules (nested
  keys go through the allowlist too, and a nested key that is not a plain identifier is renamed,
  since data-derived keys such as a name can themselves be personal data);
- any other object becomes ``"[redacted]"`` (its ``repr`` could hold anything), except a few value
  types that cannot hold personal data (datetimes, UUIDs, enums, paths, IP addresses, decimals);
- ``event`` must be a snake_case name; anything else (``f"got {payload}"``) is redacted;
- ``exception`` (the text structlog's :data:`structlog.processors.format_exc_info` renders from
  ``exc_info`` before redaction) keeps only the exception type names and the ``File "...", line N,
  in f`` frame lines. Exception messages, notes and source lines are dropped: parsers put the
  offending bytes into their messages, and a source line can quote a literal;
- ``path`` and ``url`` lose their query strings and fragments, ``url`` its user info.

What this cannot catch: personal data in the exact shape of a safe value (a surname passed as
``carrier="DOE"``), or a free-text ``reason`` that quotes a name outside any payload syntax. Those
are caller bugs the allowlist makes rare and review must catch: pass ids, counts and codes.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from pathlib import PurePath
from typing import TextIO
from urllib.parse import urlsplit, urlunsplit

import msgspec
import structlog
from structlog.typing import EventDict, FilteringBoundLogger, WrappedLogger

__all__ = [
    "LOOKS_LIKE_PAYLOAD",
    "MAX_VALUE_CHARS",
    "REDACTED",
    "SAFE_KEYS",
    "configure_logging",
    "get_logger",
    "looks_like_payload",
    "redact",
    "scrub_exception_text",
]

REDACTED = "[redacted]"
LOOKS_LIKE_PAYLOAD = "[redacted: looks like payload]"
NOT_SNAKE_CASE = "[redacted: event is not snake_case]"
REDACTED_EXCEPTION_TYPE = "[redacted exception type]"

MAX_VALUE_CHARS = 300
"""A longer string in a log value is a dump, not a label: ids, codes and reasons are short."""

MAX_DEPTH = 6
"""Nesting below this depth is redacted whole (and cycles cannot recurse forever)."""

# Each key is safe because of what the code puts there: ids, counts, codes, names of our own
# components, operator configuration, or fixed vocabularies. None of them is a field of a traveller,
# a PNR or a payload. Add a key only with its reason.
SAFE_KEYS: frozenset[str] = frozenset(
    {
        # -- added by the processors themselves
        "event",  # the event name; checked to be snake_case (DESIGN.md §5)
        "level",  # add_log_level
        "timestamp",  # TimeStamper, UTC ISO 8601
        "exception",  # rendered traceback; scrubbed to exception types and frame locations (see module doc)
        # -- ids of our own making or of the sender's organisation, never of a person
        "receipt",  # receipt id assigned at intake (DESIGN.md §2.2)
        "account",  # sending account id: a carrier or service provider organisation (§6.5)
        "carrier",  # airline designator (IATA/ICAO), an organisation
        "flight",  # flight number: an operation, not a person
        "part",  # multipart part number / sequence (§2.6)
        "idempotency_key",  # receipt id + part (§2.8); plain "key" is not allowed, it could be a secret
        "sha256",  # digest of the stored bytes: identifies a message without revealing it
        "fingerprint",  # TLS/SSH credential fingerprint of an account: a digest of a public key
        "worker",  # worker or process-pool slot id
        "pid",  # operating-system process id
        # -- fixed vocabularies of ours
        "channel",  # https / sftp / amqp
        "format",  # detected format: paxlst, pnrgov, cusres, xml ...
        "verdict",  # accepted / warnings / rejected
        "duplicate",  # duplicate decision of DESIGN.md §6.1 (a flag or its kind)
        "status",  # our status words (delivered, pending, dead ...)
        "stage",  # pipeline stage (intake, preprocess, validate, ...)
        "state",  # assembly / outbox / carrier certification state
        "sink",  # configured sink name (webhook, amqp, directory)
        "listener",  # carrier / operator listener name
        "profile",  # national profile name
        "method",  # HTTP method
        "route",  # HTTP route template, e.g. /v1/messages
        "path",  # HTTP request path (query string and fragment are stripped) or an XML finding path
        "action",  # admin or CLI action (redrive, reprocess, promote ...)
        "role",  # operator role name, not the operator
        "tag",  # a segment tag such as NAD: the name of a field, never its content
        # -- finding codes (catalogue codes, CONTRL 0085, HTTP status)
        "code",
        "codes",
        "http_status",
        "findings",  # a count, or finding records whose own keys go through this allowlist again
        "errors",  # a count, or records checked the same way
        # -- numbers
        "attempt",
        "attempts",
        "size",  # bytes
        "ms",
        "seconds",
        "messages",  # counts as named in DESIGN.md §6.10 ...
        "travellers",  # ... a count; a list of traveller records would be cleaned key by key
        "pnrs",
        "count",
        "deliveries",  # number of outbox rows written
        "counts",  # a dict of named counters; its keys go through this allowlist again
        "depth",  # queue / outbox depth
        "limit",  # size / rate limit
        "offset",  # byte offset of a finding
        # -- short free text of our own, checked for payload shape (see module doc)
        "reason",  # why something was refused, e.g. "connection refused", "rate limit"
        "error",  # an error description or exception object (rendered as its type only)
        # -- operator configuration and environment
        "host",  # listener / sink / broker host, not a traveller
        "port",
        "url",  # sink or decision-hook URL; user info, query and fragment are stripped
        "queue",  # AMQP queue name (paxgate.in.<ACCOUNT>)
        "exchange",  # AMQP exchange name
        "config",  # path of the configuration file
        "data_dir",  # data directory path
        "version",  # paxgate / syntax / profile version
    }
)

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_MAX_EVENT_CHARS = 80

# Payload shapes. EDIFACT (default service characters of ISO 9735 and UNA): a segment terminator
# followed by the next tag ('NAD+), a service segment (UNB+, UNH+, UNA:+.? '), or any segment with
# at least two separators (DTM+329:800101, NAD+FL+++DOE). XML: a declaration, doctype, CDATA or tag.
# ICAO 9303 MRZ: a filler run (<<) or a filler between capitals/digits (P<UTO, L898902C<3).
_EDIFACT_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"'\s*[A-Z][A-Z0-9]{2}[+:]"),
    re.compile(r"\bUN[ABEGHOTZ][+:]"),
    re.compile(r"\bUNA\W{3}"),
    re.compile(r"\b[A-Z][A-Z0-9]{2}\+[^\s']*[+:]"),
)
_PAYLOAD_PATTERNS: tuple[re.Pattern[str], ...] = (
    *_EDIFACT_PATTERNS,
    re.compile(r"<\?xml|<!DOCTYPE|<!\[CDATA\[", re.IGNORECASE),
    re.compile(r"</?[A-Za-z_][\w.:-]*(?:\s|/?>)"),
    re.compile(r"<<"),
    re.compile(r"[A-Z0-9]<[A-Z0-9]"),
)

# The lines Python's traceback module writes around frames. Only these, frame locations and
# exception type names survive in an ``exception`` text.
_TRACEBACK_HEADERS = frozenset({"Traceback (most recent call last):", "Exception Group Traceback (most recent call last):"})
_CHAIN_SENTENCES = frozenset(
    {
        "The above exception was the direct cause of the following exception:",
        "During handling of the above exception, another exception occurred:",
    }
)
_GROUP_MARGIN = re.compile(r"(?:[ ]*[|+] ?)*")  # the "  | " / "  + " margins of exception groups
_GROUP_SEPARATOR = re.compile(r"[ |+]*\+-[-+]*(?: (?:\d+|\.\.\.) -+)?")
_GROUP_MORE = re.compile(r"and \d+ more exceptions?")
_FRAME = re.compile(r'  File "(?P<file>[^"\n]{1,300})", line (?P<line>\d{1,9})(?:, in (?P<func><?[A-Za-z_][\w.]*>?))?')
_EXCEPTION_TYPE_LINE = re.compile(r"(?P<type>[A-Za-z_][\w.]*)(?::|$)")
# Module path in lower case, class name CamelCase with at least one lower-case letter: "DOE" or
# "P12345678" at the start of a message line is never mistaken for an exception type.
_EXCEPTION_TYPE_NAME = re.compile(r"(?:[a-z_][a-z0-9_]*\.)*_*[A-Z][A-Za-z0-9_]*[a-z][A-Za-z0-9_]*")

_SAFE_SCALARS = (uuid.UUID, PurePath, Decimal, IPv4Address, IPv6Address, IPv4Network, IPv6Network)


def looks_like_payload(text: str) -> bool:
    """True for a string that could be (part of) a message: too long, or EDIFACT/XML/MRZ-shaped."""
    return len(text) > MAX_VALUE_CHARS or any(pattern.search(text) for pattern in _PAYLOAD_PATTERNS)


def redact(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: keep the values of :data:`SAFE_KEYS` (checked), redact every other value.

    Keys are kept so an operator can see that a value was dropped; a key that is not a plain
    identifier (``**{name: ...}``) is renamed to ``[redacted key N]``.
    """
    return _clean_mapping(event_dict, depth=0)


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    """Send JSON log lines (one object per line) at ``level`` or above to ``stream`` (default stderr).

    Safe to call again: loggers from :func:`get_logger`, even ones made before, follow the newest
    configuration because structlog is told not to cache them.
    """
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_level_number(level)),
        context_class=dict,
        logger_factory=structlog.WriteLoggerFactory(file=stream if stream is not None else sys.stderr),
        cache_logger_on_first_use=False,
    )
    _bridge_standard_logging()


class _LibraryRecords(logging.Handler):
    """Standard-library log records (asyncssh, aiohttp, aio-pika …) through the same redaction:
    the library's message goes under ``error``, which keeps it only when it does not look like
    payload. Without this bridge such records would bypass the allow-list entirely."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a library's broken format string must not break logging
            message = record.msg if isinstance(record.msg, str) else "unformattable"
        logger = structlog.get_logger("library")
        method = logger.error if record.levelno >= logging.ERROR else logger.warning
        method("library_log", route=record.name, error=message)


def _bridge_standard_logging() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _LibraryRecords):
            root.removeHandler(handler)
    root.addHandler(_LibraryRecords(level=logging.WARNING))
    root.setLevel(logging.WARNING)  # library chatter below warning (connection details, file paths) stays out


def get_logger(**bound: object) -> FilteringBoundLogger:
    """A logger with ``bound`` values on every line (redacted like any other value).

    It is structlog's lazy proxy, so it may be created at import time, before
    :func:`configure_logging` runs.
    """
    logger: FilteringBoundLogger = structlog.get_logger(**bound)
    return logger


# -- configuration helpers


def _level_number(level: str) -> int:
    names = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "warn": logging.WARNING}
    names |= {"error": logging.ERROR, "critical": logging.CRITICAL}
    try:
        return names[level.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}; expected one of {', '.join(sorted(names))}") from None


def _never_encoded(obj: object) -> str:
    return REDACTED  # redact() leaves only JSON types; anything else would be a bypass, so it says nothing


_ENCODER = msgspec.json.Encoder(enc_hook=_never_encoded)


def _dumps(event_dict: EventDict, **_kwargs: object) -> str:
    return _ENCODER.encode(event_dict).decode("utf-8")


# -- redaction


def _clean_mapping(mapping: Mapping[object, object], depth: int) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    renamed = 0
    for raw_key, value in mapping.items():
        key = raw_key if isinstance(raw_key, str) else str(raw_key)
        if key in SAFE_KEYS:
            cleaned[key] = _clean_safe(key, value, depth)
        elif _is_identifier_like(key):
            cleaned[key] = REDACTED
        else:
            renamed += 1
            cleaned[f"[redacted key {renamed}]"] = REDACTED
    return cleaned


def _clean_safe(key: str, value: object, depth: int) -> object:
    if key == "event" and depth == 0:
        return value if isinstance(value, str) and _is_identifier_like(value) else NOT_SNAKE_CASE
    if key == "exception":
        if isinstance(value, BaseException):
            return _type_name(type(value))
        return scrub_exception_text(value) if isinstance(value, str) else _clean_value(value, depth)
    if key == "path" and isinstance(value, str):
        value = _strip_query(value)
    elif key == "url" and isinstance(value, str):
        url = _strip_url(value)
        if url is None:
            return REDACTED
        value = url
    return _clean_value(value, depth)


def _clean_value(value: object, depth: int) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return LOOKS_LIKE_PAYLOAD if looks_like_payload(value) else value
    if isinstance(value, bytes | bytearray | memoryview):
        return LOOKS_LIKE_PAYLOAD  # raw bytes in a log are message bytes until proven otherwise
    if isinstance(value, BaseException):
        return _type_name(type(value))  # the message may quote the payload; the type says what happened
    if isinstance(value, Enum):
        return _clean_value(value.value, depth)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, _SAFE_SCALARS):
        return _clean_value(str(value), depth)
    if depth >= MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        return _clean_mapping(value, depth + 1)
    if isinstance(value, msgspec.Struct):
        return _clean_mapping(msgspec.structs.asdict(value), depth + 1)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _clean_mapping({field.name: getattr(value, field.name) for field in dataclasses.fields(value)}, depth + 1)
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean_value(item, depth + 1) for item in value]
    return REDACTED  # an unknown object's str() or repr() could hold anything


def _is_identifier_like(text: str) -> bool:
    return len(text) <= _MAX_EVENT_CHARS and _SNAKE_CASE.fullmatch(text) is not None


def _type_name(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module in {"builtins", "__main__"} else f"{module}.{cls.__qualname__}"


def _strip_query(path: str) -> str:
    return path.split("?", 1)[0].split("#", 1)[0]


def _strip_url(url: str) -> str | None:
    """Scheme, host, port and path only: user info, query and fragment can carry secrets or data."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None  # not a URL (bad port, unbalanced brackets): say nothing about it
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def scrub_exception_text(text: str) -> str:
    """Keep only the skeleton of a Python traceback: headers, frame locations and exception types.

    Exception messages (and the lines that continue them), ``add_note`` notes, source lines and
    caret lines are dropped, so a message quoting the payload leaves no trace. Chained exceptions
    and exception groups keep their structure.
    """
    kept: list[str] = []
    expecting_type = True  # at the start, after a chain sentence or separator, and after frames
    in_frames = False
    for line in text.splitlines():
        if _GROUP_SEPARATOR.fullmatch(line):
            kept.append(line)
            expecting_type, in_frames = True, False
            continue
        margin_end = _GROUP_MARGIN.match(line)
        margin, body = (line[: margin_end.end()], line[margin_end.end() :]) if margin_end else ("", line)
        if body in _TRACEBACK_HEADERS:
            kept.append(line)
            expecting_type, in_frames = True, True
        elif body in _CHAIN_SENTENCES or _GROUP_MORE.fullmatch(body):
            kept.append(line)
            expecting_type, in_frames = True, False
        elif not body.strip():
            continue
        elif body[0].isspace():
            frame = _FRAME.fullmatch(body) if in_frames else None
            if frame is not None:
                kept.append(margin + _clean_frame(frame))
            # else: a source line, a caret line or an indented message line
        elif expecting_type:
            match = _EXCEPTION_TYPE_LINE.match(body)
            name = match.group("type") if match else ""
            ok = _EXCEPTION_TYPE_NAME.fullmatch(name) is not None and not looks_like_payload(name)
            kept.append(margin + (name if ok else REDACTED_EXCEPTION_TYPE))
            expecting_type, in_frames = False, False
        # else: a line of the exception message or of a note
    return "\n".join(kept)


def _clean_frame(frame: re.Match[str]) -> str:
    file_name = frame.group("file")
    if any(pattern.search(file_name) for pattern in _EDIFACT_PATTERNS):
        file_name = REDACTED  # EDIFACT shapes only: "<frozen runpy>" and "<string>" are fine
    line = f'  File "{file_name}", line {frame.group("line")}'
    return line if frame.group("func") is None else f"{line}, in {frame.group('func')}"
