"""``paxgate watchlist …``: screen message files against lists, print list statistics, generate lists.

- ``paxgate watchlist check --list PATH [--list PATH …] [--format un|ftm|csv] [--threshold T] MESSAGE_FILE…
  [--json] [--profile NAME]`` — screens every traveller of the PAXLST and PNRGOV files (EDIFACT or
  XML) and prints, per traveller with hits, each hit's list, entry id, score (0..1) and explanation.
  A list is ``PATH`` (named after the file) or ``NAME=PATH``. Exit 0 when no traveller has a hit,
  **1 when any hit is at or above its list's threshold**, 2 on usage errors (unreadable list or file).
  This prints personal data: it is an operator's tool, never a log.
- ``paxgate watchlist stats --list PATH… [--format …] [--json]`` — entries, index size, load and build times.
- ``paxgate watchlist generate --format un|ftm|csv --entries N [--seed S] OUT`` — a realistic generated list.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path
from typing import Any

import msgspec

from gateway.logs import configure_logging
from gateway.screening.generate import generate, write_list
from gateway.screening.lists import FORMATS, ListError
from gateway.screening.screener import ListSpec, Screener
from gateway.screening.subjects import Subject, subjects_of_manifest, subjects_of_push

EXIT_OK, EXIT_HITS, EXIT_USAGE = 0, 1, 2


def add_watchlist_command(commands: Any) -> None:  # noqa: ANN401 - argparse's _SubParsersAction is private
    """Register ``watchlist check|stats|generate`` on the ``paxgate`` sub-parsers object."""
    watchlist = commands.add_parser("watchlist", help="screen travellers against watchlists; list statistics; generate lists")
    actions = watchlist.add_subparsers(dest="action", required=True, metavar="ACTION")

    check = actions.add_parser(
        "check", help="screen the travellers of PAXLST/PNRGOV files (exit 1 when any hit reaches its threshold)",
        description="Screen every traveller of the message files against the lists. Exit status: 0 no hit, "
                    "1 at least one hit at or above its list's threshold, 2 usage error. Prints personal data.")
    check.add_argument("files", nargs="+", metavar="MESSAGE_FILE")
    _list_options(check)
    check.add_argument("--threshold", type=float, default=0.85, help="alert threshold on the 0..1 score scale (default 0.85)")
    check.add_argument("--json", action="store_true", help="a JSON array, one object per file")
    check.add_argument("--profile", metavar="NAME", help="national profile (configs/profiles/NAME.toml or a path)")
    check.set_defaults(handler=_check)

    stats = actions.add_parser("stats", help="entries, index size and load time of lists")
    _list_options(stats)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=_stats)

    gen = actions.add_parser("generate", help="write a realistic generated list (synthetic people, any size)")
    gen.add_argument("out", metavar="OUT")
    gen.add_argument("--format", required=True, choices=FORMATS)
    gen.add_argument("--entries", required=True, type=int, metavar="N")
    gen.add_argument("--seed", type=int, default=1)
    gen.set_defaults(handler=_generate)


def _list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--list", dest="lists", action="append", required=True, metavar="PATH",
                        help="a list file, or NAME=PATH; repeat for several lists")
    parser.add_argument("--format", choices=FORMATS, help="the lists' format (default: detected from the content)")


def _specs(args: argparse.Namespace, threshold: float = 0.85) -> list[ListSpec]:
    specs = []
    for value in args.lists:
        name, _, path = value.partition("=") if "=" in value else (Path(value).stem, "", value)
        specs.append(ListSpec(name, path, args.format, threshold))
    return specs


def _load(specs: list[ListSpec]) -> Screener | None:
    configure_logging("warning")  # stdout is the command's output (JSON with --json); logs go to stderr, redacted
    try:
        return Screener.load(specs)
    except ListError as error:
        print(f"paxgate: watchlist {error}", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    from gateway.profiles import load_profile  # noqa: PLC0415 - only `check` reads messages
    from validators.validate import validate  # noqa: PLC0415

    if not 0 < args.threshold <= 1:
        print("paxgate: --threshold is on the 0..1 score scale", file=sys.stderr)
        return EXIT_USAGE
    profile = load_profile(args.profile)
    files: list[tuple[str, str, list[Subject]]] = []
    for path in args.files:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            print(f"paxgate: cannot read {path}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        report = validate(data, profile)
        subjects = [s for m in report.manifests for s in subjects_of_manifest(m)]
        subjects += [s for p in report.pushes for s in subjects_of_push(p)]
        files.append((path, report.verdict.value, subjects))
    screener = _load(_specs(args, args.threshold))
    if screener is None:
        return EXIT_USAGE
    any_hit = False
    output: list[dict[str, Any]] = []
    for path, verdict, subjects in files:
        results = screener.screen(subjects)
        any_hit = any_hit or bool(results)
        if args.json:
            output.append({"file": path, "verdict": verdict, "travellers": len(subjects),
                           "results": [msgspec.to_builtins(r) for r in results]})
            continue
        by_ref = {s.ref: s for s in subjects}
        for result in results:
            subject = by_ref[result.subject_ref]
            name = " ".join((subject.surname, *subject.given_names))
            print(f"{path}: {result.subject_ref} {name} ({subject.birth_date or 'no date of birth'}): "
                  f"{len(result.hits)} hit(s), identity {result.identity}")
            for hit in result.hits:
                print(f"  {hit.list} {hit.entry_id} score {hit.score:.2f}: {hit.matched_name}")
                for line in hit.explanation:
                    print(f"    - {line}")
        print(f"{path}: {verdict}, {len(subjects)} traveller(s) screened, {len(results)} with hits")
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode(output) + b"\n")
    return EXIT_HITS if any_hit else EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    screener = _load(_specs(args))
    if screener is None:
        return EXIT_USAGE
    stats = screener.stats()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        sys.stdout.buffer.write(msgspec.json.encode({"lists": stats, "max_rss_mb": round(rss, 1)}) + b"\n")
        return EXIT_OK
    for s in stats:
        r = s.report
        print(f"{s.name}: {s.format} {s.path}: {s.entries} entries, {s.names} names, {s.tokens} tokens, {s.postings} postings, "
              f"index ~{s.index_bytes / 2**20:.1f} MB; load {s.load_seconds:.2f} s, build {s.build_seconds:.2f} s; "
              f"skipped {r.skipped_records}, unreadable dates {r.unreadable_dates}, unknown countries {r.unknown_countries}, "
              f"empty documents {r.empty_documents}")
    print(f"process peak RSS {rss:.0f} MB")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    if args.entries < 1:
        print("paxgate: --entries must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        write_list(generate(args.entries, args.seed), args.format, args.out)
    except OSError as error:
        print(f"paxgate: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.out}: {args.entries} generated entries ({args.format}, seed {args.seed})")
    return EXIT_OK
