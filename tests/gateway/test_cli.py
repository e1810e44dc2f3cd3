"""The ``paxgate`` console script, run as a real subprocess, against its stable contract.

Contract (gateway/cli.py): ``validate`` exits 0 when every file is accepted (with or without
warnings), 1 when any is rejected, 2 on usage errors; ``ack`` prints the acknowledgement and exits
0, or exits 1 with the reason on stderr, 2 on usage errors; ``codes`` prints the catalogue.

Expected CONTRLs below were written by hand from the layout rules (validators/edifact/contrl.py,
STANDARDS.md §4), not copied from the program's output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from validators.catalog import RULES

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path("tests") / "fixtures" / "edifact"  # relative to REPO: the CLI echoes paths as given
CLEAN = FIXTURES / "paxlst-d05b-clean.edi"
BROKEN = FIXTURES / "paxlst-broken-envelope.edi"
TYPEB = FIXTURES / "paxlst-typeb-wrapped.edi"
V3_CREW = FIXTURES / "paxlst-v3-crew.edi"
PNRGOV = FIXTURES / "pnrgov-iata-push.edi"
NOW = "2026-11-23T07:00:00Z"
REF = "ACK0001"

# The console script installed into the virtualenv running these tests, never one from elsewhere.
_VENV_BIN = Path(sys.executable).parent
PAXGATE = shutil.which("paxgate", path=str(_VENV_BIN))


def paxgate(*args: object, cwd: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    if PAXGATE is None:
        pytest.fail(f"the paxgate console script is not installed in {_VENV_BIN} (pip install -e .)")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([PAXGATE, *map(str, args)], cwd=cwd, capture_output=True, timeout=120, env=env,
                          check=False)


def out(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stdout.decode("utf-8")


def err(result: subprocess.CompletedProcess[bytes]) -> str:
    return result.stderr.decode("utf-8")


def validate_json(*args: object) -> tuple[int, list[dict]]:
    result = paxgate("validate", "--json", *args)
    assert result.stderr == b"", err(result)
    return result.returncode, json.loads(result.stdout)


def fixture_bytes(path: Path) -> bytes:
    return (REPO / path).read_bytes()


def write_variant(tmp_path: Path, name: str, source: Path, old: bytes, new: bytes) -> Path:
    data = fixture_bytes(source)
    assert data.count(old) >= 1, f"{old!r} not in {source}"
    target = tmp_path / name
    target.write_bytes(data.replace(old, new, 1))
    return target


def segments_of(contrl: bytes, terminator: bytes = b"'") -> list[bytes]:
    """A CONTRL we wrote split into segments (no released terminators occur in these)."""
    body = contrl.rstrip(b"\n")
    assert body.endswith(terminator)
    return body[:-1].split(terminator)


# --- validate: exit codes -----------------------------------------------------------------------
def test_validate_clean_file_exits_0():
    result = paxgate("validate", CLEAN)
    assert result.returncode == 0, err(result)
    assert result.stderr == b""


def test_validate_warnings_only_still_exits_0(tmp_path: Path):
    trailing = write_variant(tmp_path, "trailing.edi", CLEAN, b"RFF+AVF:K3QW7Z'", b"RFF+AVF:K3QW7Z+'")
    code, [report] = validate_json(trailing)
    assert code == 0
    assert report["verdict"] == "accepted_with_warnings"
    assert [f["code"] for f in report["findings"] if f["severity"] == "warning"] == ["EDI-SEG-TRAILING-SEPARATOR"]


def test_validate_rejected_file_exits_1():
    result = paxgate("validate", BROKEN)
    assert result.returncode == 1
    assert result.stderr == b""


@pytest.mark.parametrize("path", [CLEAN, TYPEB, V3_CREW, PNRGOV])
def test_validate_every_accepted_fixture_exits_0(path: Path):
    assert paxgate("validate", path).returncode == 0


def test_validate_several_files_one_rejected_exits_1():
    assert paxgate("validate", CLEAN, PNRGOV, BROKEN, V3_CREW).returncode == 1
    assert paxgate("validate", CLEAN, PNRGOV, V3_CREW).returncode == 0


@pytest.mark.parametrize("args", [
    ("validate",),                                 # no files
    ("validate", "--frobnicate", str(CLEAN)),      # unknown option
    ("validate", "--profile"),                     # option without its value
    ("frobnicate", str(CLEAN)),                    # unknown command
    (),                                            # no command at all
    ("codes", "--json", "--markdown"),             # exclusive forms
    ("ack",),                                      # ack without a file
    ("ack", str(CLEAN), str(BROKEN)),              # ack takes one file
])
def test_usage_errors_exit_2(args: tuple[str, ...]):
    result = paxgate(*args)
    assert result.returncode == 2
    assert result.stdout == b""
    assert "usage:" in err(result)


def test_nonexistent_file_exits_2_and_names_it():
    result = paxgate("validate", CLEAN, "tests/fixtures/edifact/no-such-file.edi")
    assert result.returncode == 2
    assert "no-such-file.edi" in err(result)
    assert result.stdout == b""  # nothing half-reported


def test_unreadable_path_exits_2(tmp_path: Path):
    # A directory cannot be read as a file whatever the user's privileges (tests may run as root,
    # where chmod 000 does not stop reading).
    result = paxgate("validate", tmp_path)
    assert result.returncode == 2
    assert str(tmp_path) in err(result)


def test_unknown_profile_exits_2_and_lists_known_ones():
    result = paxgate("validate", "--profile", "atlantis", CLEAN)
    assert result.returncode == 2
    message = err(result)
    assert "atlantis" in message
    assert "baseline" in message and "strict-iso9735" in message
    assert result.stdout == b""


@pytest.mark.parametrize(("toml", "key"), [
    ('colour = "red"\n', "colour"),
    ('[severity]\n"EDI-NO-SUCH-CODE" = "reject"\n', "EDI-NO-SUCH-CODE"),
    ('[severity]\n"EDI-SEG-WHITESPACE" = "loudly"\n', "EDI-SEG-WHITESPACE"),
    ('[severity]\n"EDI-PRE-EMPTY" = "accept"\n', "EDI-PRE-EMPTY"),  # not adjustable
    ('[acknowledgements]\ncontrl = "sometimes"\n', "acknowledgements.contrl"),
    ('[acknowledgements]\nctrl = "always"\n', "acknowledgements.ctrl"),
    ('[envelope]\nrecipients = "PAXGATE"\n', "envelope.recipients"),
    ("[severity\n", "(syntax)"),
])
def test_broken_profile_file_exits_2_naming_file_and_key(tmp_path: Path, toml: str, key: str):
    profile = tmp_path / "broken-profile.toml"
    profile.write_text(toml, encoding="utf-8")
    for command in (("validate", CLEAN), ("ack", CLEAN, "--now", NOW)):
        result = paxgate(command[0], "--profile", profile, *command[1:])
        assert result.returncode == 2, (command, err(result))
        assert str(profile) in err(result)
        assert key in err(result)
        assert result.stdout == b""


def test_profile_extending_a_missing_profile_names_the_extending_file(tmp_path: Path):
    """The error must lead to the line to fix: the file that says ``extends = "atlantis"`` and its
    key, not only the path of the profile that does not exist."""
    profile = tmp_path / "national.toml"
    profile.write_text('extends = "atlantis"\n', encoding="utf-8")
    result = paxgate("validate", "--profile", profile, CLEAN)
    assert result.returncode == 2
    assert "atlantis" in err(result)
    assert str(profile) in err(result) and "extends" in err(result), err(result)


def test_profile_extending_itself_exits_2(tmp_path: Path):
    profile = tmp_path / "loop.toml"
    profile.write_text(f'extends = "{profile}"\n', encoding="utf-8")
    result = paxgate("validate", "--profile", profile, CLEAN)
    assert result.returncode == 2
    assert "extends" in err(result) and str(profile) in err(result)


# --- validate: human output -----------------------------------------------------------------------
def human_lines(path: Path, *args: object) -> list[str]:
    result = paxgate("validate", *args, path)
    return out(result).splitlines()


def test_human_output_for_the_broken_envelope():
    path = str(BROKEN)
    data = fixture_bytes(BROKEN)
    lines = human_lines(BROKEN)
    by_code = {m.group(1): line for line in lines if (m := re.search(r": (?:error|warning|info) (EDI-[A-Z0-9-]+)", line))}
    assert set(by_code) == {"EDI-SEG-WHITESPACE", "EDI-CHAR-INVALID", "EDI-SEG-TRAILING-SEPARATOR",
                            "EDI-UNT-COUNT", "EDI-UNZ-REFERENCE"}

    # UNT says 47; UNH (line 4) … UNT (line 52) are 49 segments, so UNT is segment 49 of the message.
    assert data.splitlines()[51].startswith(b"UNT+47+PAX001")
    unt = by_code["EDI-UNT-COUNT"]
    assert unt.startswith(f"{path}:52:1: error EDI-UNT-COUNT (0085=29) [UNT #49, element 1, message 1]: "), unt
    assert "47" in unt and unt.endswith("Expected: 49.")

    # NAD+FL+++O?'Brien…: line 14, the 11th segment after UNH; 'r' of "Brien" is column 14.
    line14 = data.splitlines()[13]
    assert line14.startswith(b"NAD+FL+++O?'Brien") and line14.index(b"r") + 1 == 14
    char = by_code["EDI-CHAR-INVALID"]
    assert char.startswith(f"{path}:14:14: error EDI-CHAR-INVALID (0085=21) [NAD #11, element 4.1, message 1]: "), char
    assert "UNOA" in char and "4 character(s)" in char and "Expected: " in char

    unz = by_code["EDI-UNZ-REFERENCE"]
    assert unz.startswith(f"{path}:54:1: error EDI-UNZ-REFERENCE (0085=28) [UNZ, element 2]: "), unz
    assert "ZZ2611230699" in unz and unz.endswith("Expected: ZZ2611230645.")

    trailing = by_code["EDI-SEG-TRAILING-SEPARATOR"]
    assert trailing.startswith(f"{path}:21:15: warning EDI-SEG-TRAILING-SEPARATOR (0085=45) [RFF #18, element 2"), trailing

    whitespace = by_code["EDI-SEG-WHITESPACE"]
    assert whitespace.startswith(f"{path}:1:10: info EDI-SEG-WHITESPACE: "), whitespace  # CR after UNA:+.? '

    assert lines[-1] == f"{path}: rejected — 1 paxlst message, 3 error(s), 1 warning(s), 1 note(s)"
    assert len(lines) == 6


def test_human_output_one_finding_line_shape():
    pattern = re.compile(
        r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<code>EDI-[A-Z0-9-]+)"
        r"(?: \(0085=(?P<s>\d+)\))?(?: \[(?P<where>[^\]]+)\])?: (?P<text>.+?)(?: Expected: (?P<exp>.+)\.)?$")
    for line in human_lines(BROKEN)[:-1]:
        match = pattern.match(line)
        assert match, line
        assert match["file"] == str(BROKEN)
        rule = RULES[match["code"]]
        assert (int(match["s"]) if match["s"] else None) == rule.syntax_error


def test_human_summary_line_per_file_in_order():
    lines = out(paxgate("validate", CLEAN, PNRGOV, BROKEN, V3_CREW)).splitlines()
    summaries = [line for line in lines if " — " in line]
    assert summaries == [
        f"{CLEAN}: accepted — 1 paxlst message, 0 error(s), 0 warning(s), 1 note(s)",
        f"{PNRGOV}: accepted — 1 pnrgov message, 0 error(s), 0 warning(s), 1 note(s)",
        f"{BROKEN}: rejected — 1 paxlst message, 3 error(s), 1 warning(s), 1 note(s)",
        f"{V3_CREW}: accepted — 1 paxlst message, 0 error(s), 0 warning(s), 0 note(s)",
    ]


def test_human_and_json_report_the_same_findings():
    lines = human_lines(BROKEN)
    _, [report] = validate_json(BROKEN)
    assert len(lines) == len(report["findings"]) + 1
    for line, finding in zip(lines, report["findings"], strict=False):
        loc = finding["location"]
        assert line.startswith(f"{BROKEN}:{loc['line']}:{loc['column']}: {finding['severity']} {finding['code']}")
        assert finding["message"] in line


# --- validate --json --------------------------------------------------------------------------------
FINDING_KEYS = {"code", "severity", "message", "syntax_error", "location"}
LOCATION_KEYS = {"segment_position", "segment_tag", "element", "component", "line", "column", "offset"}


def _service_characters(data: bytes) -> tuple[int, int]:
    """Segment terminator and release character: from the UNA when there is one, else ' and ?."""
    una = data.find(b"UNA")
    if una != -1 and data[una + 3:una + 9].strip(b" ") != b"":
        return data[una + 8], data[una + 6]
    return ord("'"), ord("?")


def _segment_start(data: bytes, offset: int) -> int:
    """Where the segment holding byte ``offset`` begins: after the previous unreleased terminator."""
    terminator, release = _service_characters(data)
    k = offset - 1
    while k >= 0:
        if data[k] == terminator:
            run = k
            while run > 0 and data[run - 1] == release:
                run -= 1
            if (k - run) % 2 == 0:
                break
        k -= 1
    start = k + 1
    while data[start:start + 1] in (b" ", b"\r", b"\n", b"\t"):
        start += 1
    return start


def check_locations(data: bytes, findings: list[dict]) -> None:
    for finding in findings:
        assert finding.keys() >= FINDING_KEYS, finding
        loc = finding["location"]
        assert loc.keys() >= LOCATION_KEYS, loc
        offset = loc["offset"]
        if offset is None:
            continue
        assert 0 <= offset < len(data)
        assert loc["line"] == data.count(b"\n", 0, offset) + 1, finding
        assert loc["column"] == offset - (data.rfind(b"\n", 0, offset) + 1) + 1, finding
        tag = loc["segment_tag"]
        if tag is not None:
            start = _segment_start(data, offset)
            assert data[start:start + 3] == tag.encode(), (finding, data[start:start + 20])
            if loc["element"] is None or finding["code"] in ("EDI-UNT-COUNT", "EDI-UNZ-REFERENCE"):
                assert data[offset:offset + 3] == tag.encode(), finding


def test_json_shape_and_locations_for_the_broken_envelope():
    code, reports = validate_json(BROKEN)
    assert code == 1
    [report] = reports
    assert {"file", "verdict", "format", "messages", "findings"} <= report.keys()
    assert (report["file"], report["verdict"], report["format"], report["messages"]) == (
        str(BROKEN), "rejected", "paxlst", 1)
    data = fixture_bytes(BROKEN)
    check_locations(data, report["findings"])
    found = {f["code"]: f for f in report["findings"]}

    unt = found["EDI-UNT-COUNT"]
    assert (unt["severity"], unt["syntax_error"]) == ("error", 29)
    assert {k: unt["location"][k] for k in ("segment_position", "segment_tag", "element", "component", "line", "column")} == {
        "segment_position": 49, "segment_tag": "UNT", "element": 1, "component": None, "line": 52, "column": 1}
    assert unt["location"]["offset"] == data.index(b"UNT+47+PAX001")

    char = found["EDI-CHAR-INVALID"]
    assert (char["severity"], char["syntax_error"]) == ("error", 21)
    loc = char["location"]
    assert (loc["segment_position"], loc["segment_tag"], loc["element"], loc["component"], loc["line"], loc["column"]) == (
        11, "NAD", 4, 1, 14, 14)
    assert loc["offset"] == data.index(b"Brien") + 1 and data[loc["offset"]:loc["offset"] + 1] == b"r"

    unz = found["EDI-UNZ-REFERENCE"]
    assert unz["location"]["segment_position"] is None  # envelope segments have a tag, no position
    assert unz["location"]["offset"] == data.index(b"UNZ+1+ZZ2611230699")
    assert unz["expected"] == "ZZ2611230645"

    trailing = found["EDI-SEG-TRAILING-SEPARATOR"]
    assert data[trailing["location"]["offset"]:trailing["location"]["offset"] + 2] == b"+'"


@pytest.mark.parametrize("path", [CLEAN, BROKEN, TYPEB, V3_CREW, PNRGOV])
def test_json_locations_agree_with_the_file_bytes(path: Path):
    _, [report] = validate_json(path)
    check_locations(fixture_bytes(path), report["findings"])


def test_json_several_files_in_order_with_mixed_verdicts(tmp_path: Path):
    xml = tmp_path / "manifest.xml"
    xml.write_text('<?xml version="1.0"?><PassengerList/>\n', encoding="utf-8")
    trailing = write_variant(tmp_path, "trailing.edi", CLEAN, b"RFF+AVF:K3QW7Z'", b"RFF+AVF:K3QW7Z+'")
    files = [CLEAN, BROKEN, xml, PNRGOV, trailing, TYPEB]
    code, reports = validate_json(*files)
    assert code == 1
    assert len(reports) == len(files)
    assert [r["file"] for r in reports] == [str(f) for f in files]
    assert [r["verdict"] for r in reports] == [
        "accepted", "rejected", "rejected", "accepted", "accepted_with_warnings", "accepted"]
    assert [r["format"] for r in reports] == ["paxlst", "paxlst", "pnrgov-xml", "pnrgov", "paxlst", "paxlst"]
    assert [r["messages"] for r in reports] == [1, 1, 0, 1, 1, 1]
    assert [f["code"] for f in reports[2]["findings"]] == ["PNR-XML-ROOT"]  # XML goes to the PNRGOV XML path
    assert "PassengerList" in reports[2]["findings"][0]["message"]


def test_json_all_accepted_exits_0():
    code, reports = validate_json(CLEAN, V3_CREW, PNRGOV, TYPEB)
    assert code == 0
    assert all(r["verdict"] in ("accepted", "accepted_with_warnings") for r in reports)


# --- profiles -------------------------------------------------------------------------------------
def test_strict_profile_turns_typeb_and_whitespace_notes_into_errors():
    code, [baseline] = validate_json(TYPEB)
    assert code == 0 and baseline["verdict"] == "accepted"
    notes = {f["code"]: f["severity"] for f in baseline["findings"]}
    assert notes == {"EDI-PRE-TYPEB": "info", "EDI-SEG-WHITESPACE": "info"}

    code, [strict] = validate_json("--profile", "strict-iso9735", TYPEB)
    assert code == 1 and strict["verdict"] == "rejected"
    assert {f["code"]: f["severity"] for f in strict["findings"]} == {
        "EDI-PRE-TYPEB": "error", "EDI-SEG-WHITESPACE": "error"}


def test_strict_profile_by_path_equals_by_name():
    by_name = paxgate("validate", "--json", "--profile", "strict-iso9735", TYPEB)
    by_path = paxgate("validate", "--json", "--profile", "configs/profiles/strict-iso9735.toml", TYPEB)
    assert by_name.returncode == by_path.returncode == 1
    assert by_name.stdout == by_path.stdout


def test_custom_profile_file_changes_the_verdict(tmp_path: Path):
    trailing = write_variant(tmp_path, "trailing.edi", CLEAN, b"RFF+AVF:K3QW7Z'", b"RFF+AVF:K3QW7Z+'")
    profile = tmp_path / "no-trailing.toml"
    profile.write_text('name = "no-trailing"\n[severity]\n"EDI-SEG-TRAILING-SEPARATOR" = "reject"\n', encoding="utf-8")

    code, [before] = validate_json(trailing)
    assert code == 0 and before["verdict"] == "accepted_with_warnings"

    code, [after] = validate_json("--profile", profile, trailing)
    assert code == 1 and after["verdict"] == "rejected"
    [finding] = [f for f in after["findings"] if f["code"] == "EDI-SEG-TRAILING-SEPARATOR"]
    assert finding["severity"] == "error" and finding["syntax_error"] == 45
    assert finding["location"]["segment_tag"] == "RFF" and finding["location"]["segment_position"] == 18

    # …and the CONTRL now rejects the message at that segment with 0085 = 45.
    contrl = paxgate("ack", trailing, "--profile", profile, "--now", NOW, "--reference", REF)
    assert contrl.returncode == 0, err(contrl)
    segments = segments_of(contrl.stdout)
    assert b"UCM+PAX001+PAXLST:D:05B:UN:IATA+4" in segments
    i = segments.index(b"UCS+18")
    assert segments[i + 1].startswith(b"UCD+45+3")


# --- ack --------------------------------------------------------------------------------------------
def ack(path: Path, *args: object) -> subprocess.CompletedProcess[bytes]:
    return paxgate("ack", path, "--now", NOW, "--reference", REF, *args)


# UNB: the sender's syntax (UNOA:4) and UNA, sender/recipient swapped, date in the sender's YYMMDD
# form, our reference. UNH: CONTRL:4:1:UN for syntax 4. UCI: the interchange answered (its 0020,
# S002, S003), 7 = accepted. One UCF per group and one UCM per message. UNT counts UNH…UNT.
CLEAN_CONTRL = (
    b"UNA:+.? '"
    b"UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'"
    b"UNH+1+CONTRL:4:1:UN'"
    b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+7'"
    b"UCF+1+ZZ AIRLINES:ZZ+PAXGATE:ZZ+7'"
    b"UCM+PAX001+PAXLST:D:05B:UN:IATA+7'"
    b"UNT+5+1'"
    b"UNZ+1+ACK0001'\n"
)

# The broken envelope: UNZ reference mismatch is the interchange's error (UCI 4 + 28 at UNZ element
# 2); the group is rejected with it; UNT count (29 at UNT element 1) goes in the UCM; the lower-case
# letters go in UCS 11 / UCD 21 at element 4 component 1. The trailing separator is only a warning
# and stays out of the CONTRL.
BROKEN_CONTRL = (
    b"UNA:+.? '"
    b"UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'"
    b"UNH+1+CONTRL:4:1:UN'"
    b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+4+28+UNZ+3'"
    b"UCF+1+ZZ AIRLINES:ZZ+PAXGATE:ZZ+4'"
    b"UCM+PAX001+PAXLST:D:05B:UN:IATA+4+29+UNT+2'"
    b"UCS+11'"
    b"UCD+21+5:1'"
    b"UNT+7+1'"
    b"UNZ+1+ACK0001'\n"
)

# Syntax 3, no UNA sent so none answered, no groups: UCM straight after UCI; CONTRL:D:3:UN.
V3_CONTRL = (
    b"UNB+UNOA:3+PAXGATE+ZZCREW+261123:0700+ACK0001'"
    b"UNH+1+CONTRL:D:3:UN'"
    b"UCI+000000017+ZZCREW+PAXGATE+7'"
    b"UCM+1+PAXLST:D:02B:UN:IATA+7'"
    b"UNT+4+1'"
    b"UNZ+1+ACK0001'\n"
)


@pytest.mark.parametrize(("path", "expected"), [(CLEAN, CLEAN_CONTRL), (BROKEN, BROKEN_CONTRL), (V3_CREW, V3_CONTRL)])
def test_ack_prints_the_exact_contrl(path: Path, expected: bytes):
    result = ack(path)
    assert result.returncode == 0, err(result)
    assert result.stderr == b""
    assert result.stdout == expected


@pytest.mark.parametrize("path", [CLEAN, BROKEN, V3_CREW, PNRGOV, TYPEB])
def test_printed_contrl_is_itself_accepted(tmp_path: Path, path: Path):
    result = ack(path)
    assert result.returncode == 0, err(result)
    contrl = tmp_path / "answer.contrl.edi"
    contrl.write_bytes(result.stdout)
    code, [report] = validate_json(contrl)
    assert code == 0
    assert report["verdict"] == "accepted", report["findings"]
    assert report["format"] == "contrl" and report["messages"] == 1


@pytest.mark.parametrize("now", ["2026-11-23T08:00:00+01:00", "2026-11-23T07:00:00", "2026-11-23T07:00:59.999Z"])
def test_ack_now_is_read_as_utc(now: str):
    result = paxgate("ack", CLEAN, "--now", now, "--reference", REF)
    assert result.returncode == 0
    assert result.stdout == CLEAN_CONTRL


def test_ack_reference_of_14_characters_is_accepted_15_is_a_usage_error():
    ok = paxgate("ack", CLEAN, "--now", NOW, "--reference", "R" * 14)
    assert ok.returncode == 0
    assert ok.stdout.endswith(b"UNZ+1+" + b"R" * 14 + b"'\n")
    assert b"+261123:0700+" + b"R" * 14 + b"'" in ok.stdout
    too_long = paxgate("ack", CLEAN, "--now", NOW, "--reference", "R" * 15)
    assert too_long.returncode == 2
    assert too_long.stdout == b""
    assert "--reference" in err(too_long) and "14" in err(too_long)


@pytest.mark.parametrize("now", ["yesterday", "2026-13-01T00:00:00Z", "23/11/2026 07:00", "07:00"])
def test_ack_bad_now_is_a_usage_error(now: str):
    result = paxgate("ack", CLEAN, "--now", now, "--reference", REF)
    assert result.returncode == 2
    assert result.stdout == b""
    assert "--now" in err(result)


def test_ack_empty_now_is_a_usage_error_not_the_clock():
    """``--now ""`` (a script's unset variable) is not an ISO 8601 time. Falling back to the clock
    silently makes the output depend on when it ran, which is what --now exists to prevent."""
    result = paxgate("ack", CLEAN, "--now", "", "--reference", REF)
    assert result.returncode == 2, out(result)
    assert "--now" in err(result)


def test_ack_without_options_uses_the_clock():
    result = paxgate("ack", CLEAN)
    assert result.returncode == 0
    segments = segments_of(result.stdout)
    unb = segments[1].split(b"+")
    reference = unb[5]
    assert re.fullmatch(rb"\d{12}", reference), unb  # YYMMDDHHMMSS from the clock
    assert segments[-1] == b"UNZ+1+" + reference


def test_ack_on_a_file_without_interchange_exits_1(tmp_path: Path):
    xml = tmp_path / "manifest.xml"
    xml.write_text('<?xml version="1.0"?>\n<PassengerList><Flight>ZZ0123</Flight></PassengerList>\n', encoding="utf-8")
    result = ack(xml)
    assert result.returncode == 1
    assert result.stdout == b""
    assert "no acknowledgement" in err(result)
    assert "root element is PassengerList, not a PNRGOV push" in err(result)  # XML is read, and refused for what it is


def test_ack_on_an_empty_file_exits_1(tmp_path: Path):
    empty = tmp_path / "empty.edi"
    empty.write_bytes(b"")
    result = ack(empty)
    assert result.returncode == 1
    assert result.stdout == b""
    assert "empty" in err(result)


def test_a_contrl_is_never_answered_with_a_contrl(tmp_path: Path):
    contrl = tmp_path / "their.contrl.edi"
    contrl.write_bytes(CLEAN_CONTRL)
    result = ack(contrl)
    assert result.returncode == 1
    assert result.stdout == b""
    assert "CONTRL" in err(result) and "never" in err(result)


# --- ack: when is a CONTRL due (UNB 0031 and the profile) -------------------------------------------
@pytest.fixture
def when_requested(tmp_path: Path) -> Path:
    profile = tmp_path / "on-request.toml"
    profile.write_text('name = "on-request"\n[acknowledgements]\ncontrl = "when-requested"\n', encoding="utf-8")
    return profile


def test_when_requested_profile_without_0031_gives_no_contrl(tmp_path: Path, when_requested: Path):
    unasked = write_variant(tmp_path, "unasked.edi", CLEAN, b"++APIS++1'", b"++APIS'")
    result = ack(unasked, "--profile", when_requested)
    assert result.returncode == 1
    assert result.stdout == b""
    assert "0031" in err(result) and "on-request" in err(result)
    # The baseline sends CONTRL always: the same file is answered.
    assert ack(unasked).returncode == 0


def test_when_requested_profile_with_0031_1_prints_contrl(when_requested: Path):
    result = ack(CLEAN, "--profile", when_requested)
    assert result.returncode == 0, err(result)
    assert result.stdout == CLEAN_CONTRL


def test_when_requested_v3_file_without_0031(when_requested: Path):
    result = ack(V3_CREW, "--profile", when_requested)
    assert result.returncode == 1
    assert "0031" in err(result)


def test_indication_of_receipt_gets_action_8_only(tmp_path: Path, when_requested: Path):
    receipt = write_variant(tmp_path, "receipt.edi", CLEAN, b"++APIS++1'", b"++APIS++2'")
    expected = (
        b"UNA:+.? '"
        b"UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'"
        b"UNH+1+CONTRL:4:1:UN'"
        b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+8'"
        b"UNT+3+1'"
        b"UNZ+1+ACK0001'\n"
    )
    for profile in (when_requested, "baseline"):
        result = ack(receipt, "--profile", profile)
        assert result.returncode == 0, err(result)
        assert result.stdout == expected
        assert b"UCM" not in result.stdout and b"UCF" not in result.stdout


def test_indication_of_receipt_carries_no_syntax_result(tmp_path: Path):
    """0083 = 8 means "interchange received", with no syntax result (STANDARDS.md §4.3; DESIGN.md
    §6.3: "a CONTRL with action 8 only"). Even when the interchange has errors, the UCI must not
    carry an 0085 error code and pointer next to action 8: that would say "received, no verdict"
    and "rejected for reason 28" in the same segment."""
    receipt = write_variant(tmp_path, "receipt-broken.edi", BROKEN, b"++APIS++1'", b"++APIS++2'")
    result = ack(receipt)
    assert result.returncode == 0, err(result)
    segments = segments_of(result.stdout)
    [uci] = [s for s in segments if s.startswith(b"UCI+")]
    assert uci == b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+8"


def test_no_contrl_reason_names_the_profile_that_was_used(tmp_path: Path):
    """A profile file without ``name`` inherits the baseline's name, so the reason reads "profile
    'baseline' sends CONTRL only on request" although the baseline sends CONTRL always."""
    profile = tmp_path / "quiet.toml"
    profile.write_text('[acknowledgements]\ncontrl = "when-requested"\n', encoding="utf-8")
    result = ack(V3_CREW, "--profile", profile)
    assert result.returncode == 1
    assert "0031" in err(result)
    assert "'baseline'" not in err(result), err(result)


@pytest.mark.parametrize("places", [1, 20, 21, 40])
def test_invalid_characters_in_a_message_never_reject_the_interchange_level(tmp_path: Path, places: int):
    """Lower-case letters under UNOA inside message segments reject the message (UCM 4, UCS/UCD 21),
    "at the deepest level you can locate" (STANDARDS.md §1.5), however many places hold them: past
    the 20th place the rest are summed up in one finding, still placed on a segment of the message,
    so the fault never moves up to UCI and the interchange stays acknowledged."""
    body = "".join(f"FTX+BAG+++remark{i}'" for i in range(places))
    text = (f"UNB+UNOA:4+ZZAIR+PAXGATE+261123:0645+R1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ0123'"
            f"NAD+FL+++SMITH'{body}UNT+{places + 5}+1'UNZ+1+R1'")
    source = tmp_path / "remarks.edi"
    source.write_bytes(text.encode("ascii"))
    code, [report] = validate_json(source)
    assert code == 1
    assert {f["code"] for f in report["findings"]} == {"EDI-CHAR-INVALID"}
    invalid = [f for f in report["findings"] if f["code"] == "EDI-CHAR-INVALID"]
    assert sum(int(f["message"].split()[0]) for f in invalid) == 6 * places  # r-e-m-a-r-k in each

    result = ack(source)
    assert result.returncode == 0, err(result)
    segments = segments_of(result.stdout)
    assert b"UCI+R1+ZZAIR+PAXGATE+7" in segments, segments[:4]
    assert b"UCM+1+PAXLST:D:05B:UN:IATA+4" in segments
    assert b"UCS+5" in segments and any(s.startswith(b"UCD+21+5") for s in segments)


def test_ack_answers_each_interchange_of_a_bundle(tmp_path: Path, when_requested: Path):
    bundle = tmp_path / "bundle.edi"
    bundle.write_bytes(fixture_bytes(CLEAN) + fixture_bytes(V3_CREW))
    result = ack(bundle, "--profile", when_requested)
    assert result.returncode == 0  # one acknowledgement printed
    assert result.stdout == CLEAN_CONTRL
    assert "interchange 2" in err(result) and "0031" in err(result)


# --- codes ------------------------------------------------------------------------------------------
def test_codes_lists_every_rule_once():
    result = paxgate("codes")
    assert result.returncode == 0
    lines = out(result).splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert line.split()[1] == rule.severity.value
        assert (f"0085={rule.syntax_error}" if rule.syntax_error is not None else "-") == line.split()[2]


def test_codes_json_matches_the_catalogue():
    result = paxgate("codes", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == list(RULES)
    for row in rows:
        rule = RULES[row["code"]]
        assert row == {"code": rule.code, "severity": rule.severity.value, "syntax_error": rule.syntax_error,
                       "explanation": rule.explanation, "expected": rule.expected, "adjustable": rule.adjustable}


def test_codes_markdown_equals_the_committed_findings_doc():
    result = paxgate("codes", "--markdown")
    assert result.returncode == 0
    committed = (REPO / "docs" / "FINDINGS.md").read_bytes()
    assert result.stdout == committed, "docs/FINDINGS.md is stale: run `make docs`"
    table = [line for line in out(result).splitlines() if line.startswith("| `")]
    assert [line.split("`")[1] for line in table] == list(RULES)
