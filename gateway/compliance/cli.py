"""``paxgate compliance``: scorecards and schedule imports from the command line.

Reads and writes the store directly (the data directory of the config), not through the operator
API: month-end reports must work when the gateway is stopped, the appliance's file permissions
already guard the store, and there is one code path for the figures (gateway.compliance.service)
whichever door they leave by. SQLite in WAL mode lets this run beside a serving gateway; a schedule
import is one short write transaction, audited as ``cli:<login user>``.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import datetime
from pathlib import Path

from gateway.compliance.exports import scorecards_csv, scorecards_json
from gateway.compliance.schedule import ScheduleError, parse_schedule
from gateway.compliance.scorecards import Period
from gateway.compliance.service import Compliance, PeriodError, parse_period
from gateway.config import load_config
from gateway.profiles import load_profile
from gateway.store.base import ScheduledFlight
from gateway.store.sqlite import SqliteStore


def add_compliance_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``paxgate compliance report|import-schedule`` on the CLI's subparsers."""
    compliance = commands.add_parser("compliance", help="carrier compliance: scorecards and schedule imports")
    actions = compliance.add_subparsers(dest="action", required=True, metavar="ACTION")
    report = actions.add_parser("report", help="a carrier's (or every carrier's) scorecard for a period")
    report.add_argument("--carrier", help="carrier designator (default: every known carrier)")
    report.add_argument("--period", required=True, help="YYYY-MM, YYYY-Www, YYYY-MM-DD or FROM..TO")
    report.add_argument("--as-of", help="judge as at this UTC time (ISO 8601; default: now)")
    form = report.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="the full scorecards as a JSON array")
    form.add_argument("--csv", action="store_true", help="one CSV row per carrier")
    importing = actions.add_parser("import-schedule", help="import a schedule (IATA SSIM type 3 records or CSV)")
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--carrier", required=True, help="the carrier whose schedule it is")
    for action in (report, importing):
        action.add_argument("--config", help="config file (default: the embedded defaults)")
        action.add_argument("--data-dir", help="data directory (default: from the config)")
        action.set_defaults(handler=run_compliance)


def run_compliance(args: argparse.Namespace) -> int:
    from gateway.cli import UsageError  # noqa: PLC0415 - the CLI imports this module to register the command

    config = load_config(args.config, data_dir=args.data_dir)
    path = config.path(config.store.path)
    if args.action == "report" and not path.exists():
        raise UsageError(f"no store at {path} (is --data-dir right?)")
    try:
        if args.action == "report":
            period = parse_period(args.period)
            as_of = datetime.fromisoformat(args.as_of.replace("Z", "+00:00")) if args.as_of else None
            return asyncio.run(_report(path, args, period, as_of))
        text = Path(args.file).read_text(encoding="utf-8")
        flights = parse_schedule(text, carrier=args.carrier.upper(), source=Path(args.file).name)
        return asyncio.run(_import(path, flights))
    except (PeriodError, ScheduleError, ValueError, OSError) as error:
        raise UsageError(str(error)) from None


async def _report(path: Path, args: argparse.Namespace, period: Period, as_of: datetime | None) -> int:
    store = SqliteStore(path)
    await store.open()
    try:
        compliance = Compliance(store, load_profile)
        cards = await compliance.scorecards(period, as_of, args.carrier.upper() if args.carrier else None)
    finally:
        await store.close()
    if args.json:
        sys.stdout.write(scorecards_json(cards).decode() + "\n")
    elif args.csv:
        sys.stdout.write(scorecards_csv(cards))
    else:
        for c in cards:
            print(f"{c.carrier} {c.period} [{c.status or 'no account'}]: {c.flights} flights, "
                  f"timeliness {_pct(c.timeliness)} ({c.outcomes['on_time']}/{c.obligations_due} due on time; "
                  f"{c.outcomes['late']} late, {c.outcomes['missing']} missing, {c.outcomes['incomplete']} incomplete, "
                  f"{c.outcomes['rejected']} rejected), rejection {_pct(c.rejection)} "
                  f"({c.rejected_receipts}/{c.receipts}), sufficiency {_pct(c.sufficiency)}")
            for f in c.findings[:3]:
                print(f"  {f.code} in {f.receipts} receipt(s), e.g. {', '.join(f.examples)}")
    return 0


async def _import(path: Path, flights: list[ScheduledFlight]) -> int:
    store = SqliteStore(path)
    await store.open()
    try:
        count = await store.save_schedule(flights, f"cli:{getpass.getuser()}")
    finally:
        await store.close()
    print(f"imported {count} scheduled flight(s)")
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"
