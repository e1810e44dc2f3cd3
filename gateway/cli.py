"""The ``paxgate`` command line.

Stable contract (other tools and people depend on it):

- ``paxgate validate FILE... [--json] [--profile NAME]`` — exit 0 when every file is accepted
  (with or without warnings), 1 when any is rejected, 2 on usage errors.
- ``paxgate ack FILE [--profile NAME] [--as contrl|cusres|ackres]`` — prints the acknowledgement the
  gateway would send (CONTRL by default; ``--as cusres`` the interactive API response with the
  default data-sufficiency decision; ``--as ackres`` the PNRGOV acknowledgement in the profile's
  layout); exit 0 when printed, 1 when no acknowledgement applies (the
  reason goes to stderr), 2 on usage errors.
- ``paxgate manifest FILE... [--profile NAME]`` — the typed Manifest of each PAXLST message and the
  PnrPush of each PNRGOV push as JSON
  (this prints personal data: it is an operator's tool, never a log); exit codes as ``validate``.
- ``paxgate codes [--json | --markdown]`` — the finding catalogue.
- ``paxgate serve [--config FILE] [--data-dir DIR]`` — run the gateway until SIGTERM/SIGINT; exit 2
  when the config is wrong (the message names the file, the key and what was expected).
- ``paxgate receipts list|show ID|redrive [ID]|reprocess ID`` — operations through the operator
  listener's admin API (``--operator-url``, ``--token-file``; defaults from the config).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from conformance.commands import add_conformance_command
from gateway.compliance.cli import add_compliance_command
from gateway.config import ConfigError, load_config
from gateway.profiles import load_profile
from gateway.screening.commands import add_watchlist_command
from validators.acks import Acknowledgement, acknowledge, ackres, cusres
from validators.catalog import RULES
from validators.edifact.contrl import ContrlContext
from validators.profiles import ProfileError
from validators.report import Finding, Report, Severity
from validators.validate import validate

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as error:
        print(f"paxgate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ProfileError as error:
        print(f"paxgate: profile {error}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as error:
        print(f"paxgate: config {error}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paxgate", description="paxgate: API/PNR intake gateway for border agencies.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate_cmd = commands.add_parser("validate", help="check EDIFACT files and explain every finding")
    validate_cmd.add_argument("files", nargs="+", metavar="FILE")
    validate_cmd.add_argument("--json", action="store_true", help="a JSON array, one object per file")
    validate_cmd.add_argument("--profile", metavar="NAME", help="national profile (configs/profiles/NAME.toml or a path)")
    validate_cmd.set_defaults(handler=_validate)

    ack_cmd = commands.add_parser("ack", help="print the acknowledgement the gateway would send for a file")
    ack_cmd.add_argument("file", metavar="FILE")
    ack_cmd.add_argument("--profile", metavar="NAME", help="national profile (configs/profiles/NAME.toml or a path)")
    ack_cmd.add_argument("--now", metavar="ISO8601", help="preparation time to write (default: the current UTC time)")
    ack_cmd.add_argument("--reference", metavar="REF", help="our interchange control reference (default: from the time)")
    ack_cmd.add_argument("--as", dest="kind", choices=("contrl", "cusres", "ackres"), default="contrl",
                         help="which acknowledgement: CONTRL (default), the iAPI response CUSRES, or the PNRGOV ACKRES")
    ack_cmd.set_defaults(handler=_ack)

    manifest_cmd = commands.add_parser("manifest", help="print what PAXLST and PNRGOV files say, as typed JSON (personal data)")
    manifest_cmd.add_argument("files", nargs="+", metavar="FILE")
    manifest_cmd.add_argument("--profile", metavar="NAME", help="national profile (configs/profiles/NAME.toml or a path)")
    manifest_cmd.set_defaults(handler=_manifest)

    codes_cmd = commands.add_parser("codes", help="list every finding code with its meaning")
    form = codes_cmd.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--markdown", action="store_true", help="the table docs/FINDINGS.md is generated from")
    codes_cmd.set_defaults(handler=_codes)

    serve_cmd = commands.add_parser("serve", help="run the gateway (carrier HTTPS, operator listener, outbox)")
    _config_options(serve_cmd)
    serve_cmd.set_defaults(handler=_serve)

    receipts_cmd = commands.add_parser("receipts", help="list, show, redrive or reprocess receipts (admin API)")
    actions = receipts_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    list_cmd = actions.add_parser("list", help="the latest receipts")
    list_cmd.add_argument("--account")
    list_cmd.add_argument("--state", choices=("received", "processed"))
    list_cmd.add_argument("--limit", type=int, default=20)
    show_cmd = actions.add_parser("show", help="one receipt: verdict, findings, acknowledgement, history, deliveries")
    show_cmd.add_argument("receipt")
    redrive_cmd = actions.add_parser("redrive", help="send dead-lettered deliveries again (of one receipt, or all)")
    redrive_cmd.add_argument("receipt", nargs="?")
    reprocess_cmd = actions.add_parser("reprocess", help="validate a stored receipt again (after a profile fix)")
    reprocess_cmd.add_argument("receipt")
    for action in (list_cmd, show_cmd, redrive_cmd, reprocess_cmd):
        _config_options(action)
        action.add_argument("--operator-url", help="the operator listener (default: from the config)")
        action.add_argument("--token-file", help="an operator token (default: DATA_DIR/operator-admin.token)")
        action.set_defaults(handler=_receipts)
    add_conformance_command(commands, load_profile)
    add_compliance_command(commands)
    add_watchlist_command(commands)
    return parser


def _config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="the TOML config (default: the embedded configs/paxgate.toml)")
    parser.add_argument("--data-dir", metavar="DIR", help="overrides data_dir from the config")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None


# --- validate --------------------------------------------------------------------------------------
def _validate(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    results = [(path, validate(_read(path), profile)) for path in args.files]
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode([report_json(path, report) for path, report in results]))
        sys.stdout.write("\n")
    else:
        for path, report in results:
            for finding in report.findings:
                print(format_finding(path, finding))
            print(_summary(path, report))
    return EXIT_REJECTED if any(r.verdict == "rejected" for _, r in results) else EXIT_OK


def report_json(path: str, report: Report) -> dict[str, Any]:
    """One file's result in the JSON shape of DESIGN.md §6.10."""
    return {
        "file": path,
        "verdict": report.verdict.value,
        "format": report.format,
        "messages": report.messages,
        "travellers": report.travellers,
        "pnrs": report.pnrs,
        "interchanges": len(report.interchanges),
        "findings": [msgspec.to_builtins(f) for f in report.findings],
    }


def format_finding(path: str, finding: Finding) -> str:
    loc = finding.location
    where = f"{path}:{loc.line}:{loc.column}" if loc.line is not None else path
    place = []
    if loc.segment_tag:
        place.append(loc.segment_tag + (f" #{loc.segment_position}" if loc.segment_position else ""))
    if loc.element is not None:
        place.append(f"element {loc.element}" + (f".{loc.component}" if loc.component else ""))
    if loc.path:
        place.append(loc.path)
    if loc.message is not None:
        place.append(f"message {loc.message}")
    pointer = f" [{', '.join(place)}]" if place else ""
    syntax = f" (0085={finding.syntax_error})" if finding.syntax_error is not None else ""
    expected = f" Expected: {finding.expected}." if finding.expected else ""
    return f"{where}: {finding.severity.value} {finding.code}{syntax}{pointer}: {finding.message}{expected}"


def _summary(path: str, report: Report) -> str:
    counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    plural = "" if report.messages == 1 else "s"
    return (f"{path}: {report.verdict.value} — {report.messages} {report.format} message{plural}, "
            f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)")


# --- ack -------------------------------------------------------------------------------------------
def _ack(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    report = validate(_read(args.file), profile)
    now = _parse_time(args.now) if args.now is not None else datetime.now(UTC)
    reference = args.reference if args.reference is not None else now.strftime("%y%m%d%H%M%S")
    if not 1 <= len(reference) <= 14 or not reference.isascii() or not reference.isalnum():
        raise UsageError("--reference takes 1 to 14 letters or digits (UNB 0020 is an..14)")
    writer = {"cusres": cusres, "ackres": ackres}.get(args.kind, acknowledge)
    answers = writer(report, profile, ContrlContext(now, reference))
    printed = 0
    for answer in answers:
        if isinstance(answer, Acknowledgement):
            sys.stdout.buffer.write(answer.payload + b"\n")
            printed += 1
        else:
            print(f"paxgate: interchange {answer.interchange}: no acknowledgement: {answer.reason}", file=sys.stderr)
    if not answers:
        reason = report.findings[0].message if report.findings else "no interchange"
        print(f"paxgate: no acknowledgement: {reason}", file=sys.stderr)
    return EXIT_OK if printed else EXIT_REJECTED


def _parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now {value!r} is not an ISO 8601 time such as 2026-11-23T07:00:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- manifest --------------------------------------------------------------------------------------
def _manifest(args: argparse.Namespace) -> int:
    """The typed Manifest of every PAXLST message and PnrPush of every PNRGOV push (EDIFACT or XML,
    sensitive data already masked), one JSON object per file; exit as `validate`."""
    profile = load_profile(args.profile)
    results = [(path, validate(_read(path), profile)) for path in args.files]
    payload = [{"file": path, "verdict": report.verdict.value, "manifests": report.manifests, "pushes": report.pushes}
               for path, report in results]
    sys.stdout.buffer.write(msgspec.json.encode(payload) + b"\n")
    return EXIT_REJECTED if any(r.verdict == "rejected" for _, r in results) else EXIT_OK


# --- codes -----------------------------------------------------------------------------------------
def _codes(args: argparse.Namespace) -> int:
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode([rule._asdict() for rule in RULES.values()]) + b"\n")
    elif args.markdown:
        sys.stdout.write(findings_markdown())
    else:
        for rule in RULES.values():
            syntax = f"0085={rule.syntax_error}" if rule.syntax_error is not None else "-"
            print(f"{rule.code:28} {rule.severity.value:8} {syntax:9} {rule.explanation}")
    return EXIT_OK


def findings_markdown() -> str:
    lines = [
        "# Finding codes",
        "",
        "Generated by `paxgate codes --markdown` from `validators/catalog.py`; do not edit by hand.",
        "Severity is the default; a profile's `[severity]` table may change it where *adjustable* says yes.",
        "`{…}` stand for the values a finding fills in.",
        "",
        "| code | severity | 0085 | adjustable | explanation | what would be right |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        syntax = str(rule.syntax_error) if rule.syntax_error is not None else ""
        cells = [f"`{rule.code}`", rule.severity.value, syntax, "yes" if rule.adjustable else "no",
                 rule.explanation, rule.expected or ""]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --- serve and receipts ----------------------------------------------------------------------------
def _serve(args: argparse.Namespace) -> int:
    from gateway.app import StartError, run  # noqa: PLC0415 - the composition root loads the whole appliance; other commands need none of it

    config = load_config(args.config, data_dir=args.data_dir)
    os.umask(0o077)  # the store, payloads, sinks and SFTP areas hold personal data: owner only
    try:
        asyncio.run(run(config))
    except StartError as error:
        print(f"paxgate: {error}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def _receipts(args: argparse.Namespace) -> int:
    config = load_config(args.config, data_dir=args.data_dir)
    base = (args.operator_url or f"http://{config.operator.host}:{config.operator.port}").rstrip("/")
    token_file = Path(args.token_file) if args.token_file else config.path("operator-admin.token")
    token = _read(str(token_file)).decode("utf-8").strip()
    if args.action == "list":
        query = "&".join(f"{k}={v}" for k, v in (("account", args.account), ("state", args.state), ("limit", args.limit)) if v)
        method, path = "GET", f"/v1/receipts?{query}"
    elif args.action == "show":
        method, path = "GET", f"/v1/receipts/{args.receipt}"
    elif args.action == "redrive":
        method, path = "POST", f"/v1/receipts/{args.receipt}/redrive" if args.receipt else "/v1/outbox/redrive"
    else:
        method, path = "POST", f"/v1/receipts/{args.receipt}/reprocess"
    request = urllib.request.Request(base + path, method=method, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        print(f"paxgate: {method} {path}: {error.code}: {error.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return EXIT_REJECTED
    except urllib.error.URLError as error:
        raise UsageError(f"cannot reach the operator listener at {base}: {error.reason}") from None
    if args.action == "list":
        for row in msgspec.json.decode(body):
            print(f"{row['receipt']}  {row['received_at']}  {row['account']:8} {row['channel']:6} {row['state']:10} "
                  f"{row['format'] or '-':8} {row['verdict'] or '-'}")
    else:
        sys.stdout.buffer.write(msgspec.json.format(body, indent=2) + b"\n")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
