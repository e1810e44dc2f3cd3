"""``paxgate conformance``: the carrier conformance kit's command line (stable contract).

- ``paxgate conformance run --offline [--profile NAME] [--scenarios SET] [--junit FILE] [--html FILE]
  [--json FILE] [MESSAGE_FILE…]`` — with files, each file is one test case that passes when the
  file is accepted (with or without warnings); without files, the scenario catalogue runs through the
  validators (scenarios that need a live gateway are reported "online only", not failed).
- ``paxgate conformance run --endpoint URL --carrier CODE [--account NAME] [--scenarios SET]
  [--token-file F | --client-cert F --client-key F | --key F [--known-hosts F] | --password-file F]
  [--cacert F] [--queue-prefix P] [--timeout S] [--junit FILE] [--html FILE] [--json FILE]`` — the
  catalogue against a live gateway over ``https://``, ``sftp://`` or ``amqp(s)://``, as the carrier
  sends in production.
- ``paxgate conformance list [--scenarios SET] [--json]`` — the catalogue.

Exit codes: 0 every case passed, 1 any case failed, 2 usage errors (including an unreachable endpoint).

The gateway's CLI passes its profile loader in, so this package keeps to ``conformance → validators``
(DESIGN.md §1) and still takes profile names from ``configs/profiles``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from conformance import catalogue
from conformance.online import Endpoint, run_online
from conformance.reports import html, junit
from conformance.reports import json as json_report
from conformance.runner import FAILED, PASSED, Renderer, RunResult, new_run_id, run_offline_files, run_offline_scenarios
from validators.profiles import BASELINE, Profile

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ProfileLoader = Callable[[str | None], Profile]


def add_conformance_command(commands: Any, load_profile: ProfileLoader | None = None) -> None:  # noqa: ANN401 - argparse's private _SubParsersAction
    """Register ``conformance run`` and ``conformance list`` on the ``paxgate`` sub-parsers."""
    parser = commands.add_parser("conformance", help="carrier conformance kit: run the scenario catalogue or your own files")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    run = actions.add_parser("run", help="run scenarios offline (validators only) or against a live gateway")
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument("--offline", action="store_true", help="no gateway: the validators with a national profile")
    mode.add_argument("--endpoint", metavar="URL", help="https://HOST:PORT, sftp://USER@HOST:PORT or amqp[s]://USER@HOST:PORT/VHOST")
    run.add_argument("files", nargs="*", metavar="MESSAGE_FILE", help="offline: your own messages, one test case each")
    run.add_argument("--profile", metavar="NAME", help="national profile (configs/profiles/NAME.toml or a path); offline only")
    run.add_argument("--scenarios", metavar="SET", help="scenario set(s), comma-separated (default: all); see 'conformance list'")
    run.add_argument("--carrier", metavar="CODE", help="your airline designator, used in every message (online: required)")
    run.add_argument("--account", metavar="NAME", help="your gateway account (default: the carrier code)")
    run.add_argument("--token-file", metavar="F", help="HTTPS: a file holding your bearer token")
    run.add_argument("--client-cert", metavar="F", help="HTTPS: your client certificate (PEM) for mutual TLS")
    run.add_argument("--client-key", metavar="F", help="HTTPS: its private key (PEM)")
    run.add_argument("--key", metavar="F", help="SFTP: your SSH private key")
    run.add_argument("--known-hosts", metavar="F",
                     help="SFTP: known_hosts holding the gateway's host key (default ~/.ssh/known_hosts)")
    run.add_argument("--password-file", metavar="F", help="AMQP: a file holding the broker password")
    run.add_argument("--queue-prefix", metavar="P", default="paxgate.in.",
                     help="AMQP: the gateway's queue prefix (default paxgate.in.)")
    run.add_argument("--cacert", metavar="F", help="HTTPS/AMQPS: the CA certificate (PEM) to trust for the gateway")
    run.add_argument("--timeout", metavar="S", type=float, default=60.0, help="seconds to wait for each acknowledgement")
    for option, what in (("--junit", "JUnit XML"), ("--html", "HTML"), ("--json", "JSON")):
        run.add_argument(option, metavar="FILE", help=f"write the {what} report here")
    run.set_defaults(handler=lambda args: _run(args, load_profile))

    listing = actions.add_parser("list", help="print the scenario catalogue")
    listing.add_argument("--scenarios", metavar="SET", help="scenario set(s), comma-separated (default: all)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.set_defaults(handler=_list)


def _usage(message: str) -> int:
    print(f"paxgate conformance: {message}", file=sys.stderr)
    return EXIT_USAGE


def _list(args: argparse.Namespace) -> int:
    try:
        scenarios = catalogue.load(args.scenarios)
    except catalogue.CatalogueError as error:
        return _usage(str(error))
    if args.json:
        rows = [{"id": s.id, "set": s.set, "title": s.title, "purpose": s.purpose, "family": s.family or None,
                 "online_only": s.online_only, "channels": list(s.channels),
                 "messages": [{"source": m.source, "expect": _expect(m.expect)}
                              for m in s.messages]} for s in scenarios]
        sys.stdout.buffer.write(msgspec.json.encode(rows) + b"\n")
        return EXIT_OK
    current = None
    for s in scenarios:
        if s.set != current:
            current = s.set
            count = sum(1 for x in scenarios if x.set == current)
            print(f"{current} ({count} scenarios)")
        flags = " [online only]" if s.online_only else ""
        print(f"  {s.id:34} {s.title}{flags}")
        for n, m in enumerate(s.messages, 1):
            print(f"      {n}. {m.source} → {_expect_text(m.expect)}")
    return EXIT_OK


def _expect(expect: catalogue.Expect) -> dict[str, Any]:
    return {k: v for k, v in ((f, getattr(expect, f)) for f in expect.__slots__) if v not in (None, ())}


def _expect_text(expect: catalogue.Expect) -> str:
    return "; ".join(f"{k} {'/'.join(v) if isinstance(v, tuple) else v}" for k, v in _expect(expect).items()) or "anything"


def _run(args: argparse.Namespace, load_profile: ProfileLoader | None) -> int:
    started = datetime.now(UTC)
    run_id = new_run_id()
    if args.offline:
        if args.profile is not None and load_profile is None:
            return _usage("--profile needs the gateway's profile loader (run through 'paxgate')")
        profile = load_profile(args.profile) if load_profile is not None else BASELINE
        carrier = args.carrier or "ZZ"
        try:
            if args.files:
                missing = [f for f in args.files if not Path(f).is_file()]
                if missing:
                    return _usage(f"cannot read {', '.join(missing)}")
                if args.scenarios:
                    return _usage("give either MESSAGE_FILEs or --scenarios, not both")
                cases = run_offline_files([Path(f) for f in args.files], profile)
                scenario_set = None
            else:
                cases = run_offline_scenarios(catalogue.load(args.scenarios), profile, carrier)
                scenario_set = args.scenarios or "all"
        except (catalogue.CatalogueError, ValueError) as error:
            return _usage(str(error))
        result = RunResult(run_id, "offline", started, datetime.now(UTC), carrier if not args.files else args.carrier,
                           profile.name, scenario_set, cases=cases)
    else:
        if args.files:
            return _usage("MESSAGE_FILEs are for --offline; online runs send the scenario catalogue")
        if not args.carrier:
            return _usage("--carrier CODE is required online (your airline designator)")
        try:
            endpoint = _endpoint(args)
            scenarios = catalogue.load(args.scenarios)
            renderer = Renderer(args.carrier, Renderer.online_prefix(), seed_offset=int(run_id[-6:], 16) % 100_000)
        except (catalogue.CatalogueError, ValueError, OSError) as error:
            return _usage(str(error))
        try:
            cases, version = asyncio.run(run_online(scenarios, endpoint, renderer))
        except Exception as error:  # could not connect or log in at all: nothing was tested
            return _usage(f"cannot use {endpoint.shown}: {type(error).__name__}: {error}")
        result = RunResult(run_id, "online", started, datetime.now(UTC), args.carrier, args.profile, args.scenarios or "all",
                           endpoint=endpoint.shown, channel=endpoint.channel, gateway_version=version, cases=cases)
    _print(result)
    for target, writer in ((args.junit, junit.render), (args.html, html.render), (args.json, json_report.render)):
        if target:
            try:
                Path(target).write_bytes(writer(result))
            except OSError as error:
                return _usage(f"cannot write {target}: {error.strerror or error}")
    return EXIT_FAILED if result.failed else EXIT_OK


def _endpoint(args: argparse.Namespace) -> Endpoint:
    def secret(path: str | None) -> str | None:
        return Path(path).read_text(encoding="utf-8").strip() if path else None

    def existing(path: str | None) -> Path | None:
        if path is None:
            return None
        if not Path(path).is_file():
            raise ValueError(f"cannot read {path}")
        return Path(path)

    endpoint = Endpoint(url=args.endpoint, account=args.account or args.carrier, token=secret(args.token_file),
                        cacert=existing(args.cacert), client_cert=existing(args.client_cert),
                        client_key=existing(args.client_key), ssh_key=existing(args.key),
                        known_hosts=existing(args.known_hosts), password=secret(args.password_file),
                        queue_prefix=args.queue_prefix, timeout=args.timeout)
    if endpoint.scheme not in ("https", "http", "sftp", "amqp", "amqps"):
        raise ValueError(f"--endpoint {endpoint.shown}: expected an https://, sftp:// or amqp(s):// URL")
    if endpoint.channel == "https" and not (endpoint.token or endpoint.client_cert):
        raise ValueError("HTTPS needs --token-file or --client-cert/--client-key")
    if endpoint.channel == "sftp" and endpoint.ssh_key is None:
        raise ValueError("SFTP needs --key (your SSH private key)")
    return endpoint


def _print(result: RunResult) -> None:
    for case in result.cases:
        mark = {PASSED: "PASS", FAILED: "FAIL"}.get(case.status, case.status.upper())
        print(f"{mark:14} {case.id:34} {case.title}")
        for index, check in case.failures:
            print(f"{'':14}   message {index}: {check.name}: expected {check.expected}, got {check.actual}")
        for message in case.messages:
            if message.observed.error:
                print(f"{'':14}   message {message.sent.index}: {message.observed.error}")
        if case.status == FAILED:
            for message in case.messages:
                for finding in message.observed.findings or []:
                    if finding.get("severity") == "error":
                        print(f"{'':14}   {finding['code']}: {finding['message']}")
    counts = ", ".join(f"{v} {k}" for k, v in result.counts().items() if v)
    print(f"paxgate conformance {result.mode} run {result.run_id}: {'FAILED' if result.failed else 'PASSED'} ({counts})")
