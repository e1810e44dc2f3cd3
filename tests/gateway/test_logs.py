"""gateway/logs.py: JSON log lines that never carry personal data, whatever the caller passes.

Each test configures real structlog logging into a StringIO, logs through the public API and reads the
lines back as JSON. The personal data below is made up: a PAXLST fragment for JOHN DOE, passport
P12345678, born 1980-01-01 (EDIFACT DTM+329:800101).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import msgspec
import pytest
import structlog

from gateway.logs import (
    LOOKS_LIKE_PAYLOAD,
    REDACTED,
    SAFE_KEYS,
    configure_logging,
    get_logger,
    looks_like_payload,
    redact,
    scrub_exception_text,
)

PAXLST = "UNA:+.? 'UNB+UNOA:4+ZZ+XYZ+261123:0700+REF1'NAD+FL+++DOE:JOHN'DOC+P:110:111+P12345678'DTM+329:800101'"
PERSONAL = ("DOE", "JOHN", "P12345678", "800101")
XML = '<?xml version="1.0"?><PNRGOV><Passenger><Surname>DOE</Surname><DateOfBirth>1980-01-01</DateOfBirth></Passenger></PNRGOV>'
MRZ = "P<UTODOE<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nP123456784UTO8001014M2601012<<<<<<<<<<<<<<06"
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)")


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging("debug", stream=out)
    yield out
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()


def read_lines(out: io.StringIO) -> list[dict[str, object]]:
    """Every line is one JSON object with a timestamp and a level; nothing else is written."""
    text = out.getvalue()
    assert text.endswith("\n")
    records = []
    for line in text.splitlines():
        record = json.loads(line)
        assert isinstance(record, dict)
        assert ISO_UTC.fullmatch(str(record["timestamp"])), record["timestamp"]
        assert record["level"] in {"debug", "info", "warning", "error", "critical"}
        records.append(record)
    return records


def assert_no_personal_data(text: str) -> None:
    for secret in PERSONAL:
        assert secret not in text, f"{secret!r} leaked into the log: {text}"


def parse_message(payload: str) -> None:
    """Stands in for a validator that quotes the offending bytes, as real parsers do."""
    raise ValueError(f"unexpected segment in\n{payload}\nDOE: JOHN P12345678")


# -- the whole story: one intake with personal data everywhere


def test_personal_data_never_reaches_the_log(stream: io.StringIO) -> None:
    log = get_logger(receipt="R-2026-000042", account="acct-xy")
    log.info(
        "message_received",
        carrier="XY",
        channel="https",
        size=len(PAXLST),
        verdict="accepted",
        surname="DOE",
        given_names="JOHN",
        document="P12345678",
        birth_date="800101",
        payload=PAXLST,
        raw=PAXLST.encode(),
        reason=PAXLST,  # an allowed key handed the payload
        findings=[
            {"code": "PAXLST-DOC-012", "tag": "DOC", "offset": 93, "document": "P12345678"},
            {"code": "PAXLST-NAD-003", "traveller": {"surname": "DOE", "forename": "JOHN"}, "segment": "NAD+FL+++DOE:JOHN"},
        ],
        counts={"travellers": 1, "DOE JOHN": 1},
    )
    try:
        try:
            parse_message(PAXLST)
        except ValueError as error:
            raise RuntimeError("could not validate DOE JOHN P12345678 800101") from error
    except RuntimeError:
        log.exception("validation_failed", stage="validate")
    log.error("forward_failed", error=ValueError(PAXLST), sink="webhook", attempt=3)
    log.warning(f"received {PAXLST}")  # an event that is not an event name

    assert_no_personal_data(stream.getvalue())
    received, failed, forward, bad_event = read_lines(stream)

    # allowed keys keep their values, bound ones included
    assert received["event"] == "message_received"
    assert received["level"] == "info"
    assert received["receipt"] == "R-2026-000042"
    assert received["account"] == "acct-xy"
    assert received["carrier"] == "XY"
    assert received["channel"] == "https"
    assert received["verdict"] == "accepted"
    assert received["size"] == len(PAXLST)
    # other keys stay visible but lose their values
    for key in ("surname", "given_names", "document", "birth_date", "payload", "raw"):
        assert received[key] == REDACTED, key
    # an allowed key that was handed the payload
    assert received["reason"] == LOOKS_LIKE_PAYLOAD
    # nested records go through the same allowlist
    assert received["findings"] == [
        {"code": "PAXLST-DOC-012", "tag": "DOC", "offset": 93, "document": REDACTED},
        {"code": "PAXLST-NAD-003", "traveller": REDACTED, "segment": REDACTED},
    ]
    assert received["counts"] == {"travellers": 1, "[redacted key 1]": REDACTED}

    assert failed["level"] == "error"
    assert failed["stage"] == "validate"
    exception = str(failed["exception"])
    frame = r'  File ".*test_logs\.py", line \d+, in '
    expected = [
        "Traceback (most recent call last):",
        frame + "test_personal_data_never_reaches_the_log",
        frame + "parse_message",  # its source line quotes DOE JOHN P12345678: dropped
        "ValueError",
        "The above exception was the direct cause of the following exception:",
        "Traceback (most recent call last):",
        frame + "test_personal_data_never_reaches_the_log",
        "RuntimeError",
    ]
    lines = exception.splitlines()
    assert len(lines) == len(expected), exception
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line) if pattern.startswith("  File") else line == pattern, (line, pattern)
    assert "unexpected segment" not in exception and "could not validate" not in exception

    assert forward["error"] == "ValueError"  # the type, never the message
    assert forward["sink"] == "webhook" and forward["attempt"] == 3

    assert bad_event["event"] != f"received {PAXLST}"
    assert bad_event["event"].startswith("[redacted")
    assert bad_event["level"] == "warning"


def test_exception_from_a_process_pool_worker_keeps_both_tracebacks_and_no_message(stream: io.StringIO) -> None:
    # Validation runs in a process pool (DESIGN.md §3); the worker's traceback comes back as the text
    # of a _RemoteTraceback, message included. int() quotes its input just like a parser would.
    with ProcessPoolExecutor(max_workers=1) as pool:
        try:
            pool.submit(int, PAXLST).result()
        except ValueError:
            get_logger().exception("validation_failed", receipt="R1")
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    lines = str(record["exception"]).splitlines()
    assert lines[0] == "concurrent.futures.process._RemoteTraceback"
    assert any(line.endswith(", in _process_worker") for line in lines)  # the worker's frames survive
    assert lines.count("ValueError") == 2
    assert "invalid literal" not in record["exception"]


# -- values of allowed keys


def test_long_string_in_an_allowed_key_is_redacted(stream: io.StringIO) -> None:
    get_logger().info("sink_failed", reason="x" * 301, error="y" * 300)
    [record] = read_lines(stream)
    assert record["reason"] == LOOKS_LIKE_PAYLOAD
    assert record["error"] == "y" * 300


def test_ordinary_short_reasons_survive(stream: io.StringIO) -> None:
    log = get_logger()
    log.warning("sink_failed", sink="webhook", reason="connection refused", error="connection refused", http_status=503)
    log.info("message_rejected", reason="missing segment 'NAD'", code="PAXLST-NAD-001", codes=["UNB-0020", "12"])
    log.info("request_done", method="POST", route="/v1/messages", path="/v1/messages", ms=12.5, status="ok")
    sink, rejected, request = read_lines(stream)
    assert sink["reason"] == "connection refused" and sink["error"] == "connection refused"
    assert sink["http_status"] == 503
    assert rejected["reason"] == "missing segment 'NAD'"
    assert rejected["codes"] == ["UNB-0020", "12"]
    assert request == request | {"method": "POST", "route": "/v1/messages", "path": "/v1/messages", "ms": 12.5}


@pytest.mark.parametrize(
    "text",
    [
        PAXLST,
        "UNB+UNOA:4+ZZ",
        "UNH+1+PAXLST:D:05B:UN:IATA'",
        "UNA:+.? '",
        "'NAD+FL+++DOE:JOHN",
        "NAD+FL+++DOE:JOHN",
        "DOC+P:110:111+P12345678",
        "DTM+329:800101",
        XML,
        "<Surname>DOE</Surname>",
        MRZ,
        "P<UTODOE<<JOHN",
        "x" * 301,
    ],
)
def test_payload_shapes_are_recognised(text: str) -> None:
    assert looks_like_payload(text)


@pytest.mark.parametrize(
    "text",
    [
        "connection refused",
        "missing segment 'NAD'",
        "UNB 0020 does not match the account",
        "PAXLST-DOC-012",
        "/v1/messages",
        "/PNRGOV/PNR[23]/Passenger[1]/DateOfBirth",
        "rate limit 10/s exceeded",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x" * 300,
    ],
)
def test_ordinary_values_are_not_payload(text: str) -> None:
    assert not looks_like_payload(text)


def test_payload_in_allowed_keys_at_any_depth(stream: io.StringIO) -> None:
    get_logger().info(
        "message_stored",
        error=XML,
        reason=MRZ,
        state=b"UNB+",
        findings={"errors": [{"code": "X", "reason": PAXLST}], "code": ["Y", XML]},
    )
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    assert record["error"] == LOOKS_LIKE_PAYLOAD
    assert record["reason"] == LOOKS_LIKE_PAYLOAD
    assert record["state"] == LOOKS_LIKE_PAYLOAD  # raw bytes are payload
    assert record["findings"] == {"errors": [{"code": "X", "reason": LOOKS_LIKE_PAYLOAD}], "code": ["Y", LOOKS_LIKE_PAYLOAD]}


class Traveller(msgspec.Struct):
    surname: str
    document: str
    size: int


@dataclasses.dataclass
class Passenger:
    surname: str
    code: str


class Opaque:
    def __repr__(self) -> str:
        return "Opaque(DOE JOHN)"

    __str__ = __repr__


def test_objects_are_cleaned_field_by_field_or_dropped(stream: io.StringIO) -> None:
    get_logger().info(
        "manifest_parsed",
        travellers=[Traveller("DOE", "P12345678", 3), Passenger("DOE", "OK")],
        error=Opaque(),
        timestamp_of_receipt=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
        version=datetime(2026, 11, 23, 7, 0, tzinfo=UTC),
    )
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    assert record["travellers"] == [
        {"surname": REDACTED, "document": REDACTED, "size": 3},
        {"surname": REDACTED, "code": "OK"},
    ]
    assert record["error"] == REDACTED  # its str() is not trusted
    assert record["timestamp_of_receipt"] == REDACTED
    assert record["version"] == "2026-11-23T07:00:00+00:00"


def test_urls_and_paths_lose_credentials_and_query_strings(stream: io.StringIO) -> None:
    get_logger().info(
        "request_done",
        path="/v1/messages?surname=DOE#JOHN",
        url="https://user:P12345678@sink.example:8443/hook?dob=800101#x",
        host="sink.example",
        port=8443,
    )
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    assert record["path"] == "/v1/messages"
    assert record["url"] == "https://sink.example:8443/hook"
    assert record["host"] == "sink.example" and record["port"] == 8443


def test_keys_that_are_data_are_renamed(stream: io.StringIO) -> None:
    get_logger().info("counts_done", **{"DOE JOHN": 1, "P12345678": 2, "seat_map": 3})
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    assert record["[redacted key 1]"] == REDACTED
    assert record["[redacted key 2]"] == REDACTED
    assert record["seat_map"] == REDACTED


@pytest.mark.parametrize("event", ["message_stored", "outbox_row_delivered", "tls_handshake_failed", "v2_started"])
def test_snake_case_events_are_kept(stream: io.StringIO, event: str) -> None:
    get_logger().info(event)
    assert read_lines(stream)[0]["event"] == event


@pytest.mark.parametrize("event", ["Message stored", "DOE", "stored DOE JOHN", "message-stored", PAXLST, "a" * 81, ""])
def test_other_events_are_redacted(stream: io.StringIO, event: str) -> None:
    get_logger().info(event)
    record = read_lines(stream)[0]
    assert record["event"] != event
    assert str(record["event"]).startswith("[redacted")


# -- bound context and configuration


def test_contextvars_and_bound_values_are_redacted_too(stream: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(receipt="R7", surname="DOE")
    get_logger(document="P12345678", carrier="XY").info("message_stored")
    assert_no_personal_data(stream.getvalue())
    [record] = read_lines(stream)
    assert record["receipt"] == "R7" and record["carrier"] == "XY"
    assert record["surname"] == REDACTED and record["document"] == REDACTED


def test_level_filters_lines(stream: io.StringIO) -> None:
    out = io.StringIO()
    configure_logging("WARNING", stream=out)
    log = get_logger()
    log.debug("noise")
    log.info("noise")
    log.warning("disk_low", size=1)
    log.error("disk_full", size=0)
    assert [record["event"] for record in read_lines(out)] == ["disk_low", "disk_full"]
    assert stream.getvalue() == ""


def test_reconfiguring_moves_existing_loggers(stream: io.StringIO) -> None:
    log = get_logger(worker=1)  # made once, e.g. at import time
    log.info("first_line")
    second = io.StringIO()
    configure_logging("info", stream=second)
    log.info("second_line")
    assert [record["event"] for record in read_lines(stream)] == ["first_line"]
    assert [(record["event"], record["worker"]) for record in read_lines(second)] == [("second_line", 1)]


def test_default_stream_is_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging()
    try:
        get_logger().info("started", version="0.1.0")
        get_logger().debug("hidden")
    finally:
        structlog.reset_defaults()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert [json.loads(line)["event"] for line in captured.err.splitlines()] == ["started"]


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging("loud")


def test_allowlist_holds_no_obviously_personal_keys() -> None:
    personal = {"name", "surname", "given_names", "document", "passport", "dob", "birth_date", "payload", "raw", "message"}
    assert not SAFE_KEYS & personal
    assert "key" not in SAFE_KEYS  # too close to a secret


# -- the processor and the traceback scrubber on their own


def test_redact_works_as_a_plain_processor() -> None:
    event = {"event": "message_stored", "receipt": "R1", "surname": "DOE", "reason": PAXLST}
    assert redact(None, "info", event) == {
        "event": "message_stored",
        "receipt": "R1",
        "surname": REDACTED,
        "reason": LOOKS_LIKE_PAYLOAD,
    }


def test_redact_scrubs_text_rendered_by_format_exc_info() -> None:
    try:
        parse_message(PAXLST)
    except ValueError:
        event = structlog.processors.format_exc_info(None, "error", {"event": "failed", "exc_info": sys.exc_info()})
    assert "DOE" in event["exception"]  # the renderer itself keeps everything ...
    cleaned = redact(None, "error", event)
    assert_no_personal_data(json.dumps(cleaned))  # ... the redaction drops it
    assert cleaned["exception"].splitlines()[-1] == "ValueError"


def test_exception_groups_keep_their_shape() -> None:
    try:
        raise ExceptionGroup("while reading DOE", [ValueError(PAXLST), KeyError("P12345678")])
    except ExceptionGroup:
        text = structlog.processors.format_exc_info(None, "error", {"exc_info": True})["exception"]
    scrubbed = scrub_exception_text(text)
    assert_no_personal_data(scrubbed)
    assert [line.strip(" |") for line in scrubbed.splitlines() if "Error" in line or "Group" in line] == [
        "+ Exception Group Traceback (most recent call last):",
        "ExceptionGroup",
        "ValueError",
        "KeyError",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "DOE: JOHN",  # not an exception at all
        "P12345678",
        "Traceback (most recent call last):\nDOE: JOHN",  # names are upper case, exception types are not
    ],
)
def test_text_that_is_not_a_traceback_says_nothing(text: str) -> None:
    assert_no_personal_data(scrub_exception_text(text))


def test_standard_library_records_pass_the_same_redaction():
    stream = io.StringIO()
    configure_logging("info", stream)
    logging.getLogger("asyncssh").warning("upload of %s failed", "NAD+FL+++DOE:JOHN'DOC+P:110:111+P12345678'")
    logging.getLogger("aiohttp.server").error("connection reset by peer")
    logging.getLogger("asyncssh").info("user DOE logged in")  # below warning: not logged at all
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["route"] for line in lines] == ["asyncssh", "aiohttp.server"]
    assert lines[1]["error"] == "connection reset by peer" and lines[1]["level"] == "error"
    assert "DOE" not in stream.getvalue() and "P12345678" not in stream.getvalue()
