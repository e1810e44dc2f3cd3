"""PNRGOV EDIFACT: paxgate's full ``validate`` against pydifact's parse alone, same run, same bytes.

    .venv/bin/python bench/pnrgov_edifact.py [--seconds 3] [--pnrs 300]

Input: a realistic PNRGOV 11.1 full push built by ``conformance.pnrgov`` (UNA, UNB ``IATA:1``,
UNG, UNH with 0068 and S010, level-0 MSG/ORG/TVL/EQN, then per PNR SRC, RCI, DAT, ORG, ADD,
travellers with REF, SSR DOCS/TKNE/INFT, TKT/MON/TXD/FOP, itineraries with codeshare TVL/TRA,
RPI, APD, seats; two hours before departure, so check-in groups with TRI/TIF/SSD/TBD too; a
few sensitive SSRs and OSIs), once as one line and once with CR/LF after every segment.

What is timed, per document, bytes in (each reader decodes the bytes as Latin-1 itself):

* paxgate's syntax pass alone (``validators.preprocess.read_interchanges``), for reference.
* paxgate ``validate(data)``: everything the CLI does to a PNRGOV push. Today that is the syntax
  pass plus whatever PNRGOV structure, element and content checks (and the PnrPush model and the
  sensitive-data filter) are wired in; the same script measures the full path as they land.
* pydifact ``list(Parser().parse(text))`` and ``Interchange.from_str(text)``: a parse and no
  validation at all (its warnings about the missing segments.xml are silenced).

The methods take turns, one call each per round (``machine.measure``), for about ``--seconds`` per
method (at least 5, at most 5,000 rounds) after one warm-up run each; the table gives the median
and the best. Nothing asserts on time: the script prints
the figures and whether the 5x target (our full ``validate`` against pydifact's parse) is met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout even without the editable install

from machine import MAX_RUNS, MIN_RUNS, measure, python_and_system, version, worker_gc  # noqa: E402 - bench/, this script's folder
from pydifact.parser import Parser  # noqa: E402
from pydifact.segmentcollection import Interchange  # noqa: E402

from conformance.pnrgov import PushSpec, push  # noqa: E402
from validators.edifact.tokenizer import LineIndex  # noqa: E402
from validators.findings import Findings  # noqa: E402
from validators.preprocess import read_interchanges  # noqa: E402
from validators.profiles import BASELINE  # noqa: E402
from validators.validate import validate  # noqa: E402

TARGET = 5.0


def syntax_pass(data: bytes) -> object:
    text = data.decode("latin-1")
    return read_interchanges(text, Findings(BASELINE, LineIndex(text)))


def ours(data: bytes) -> object:
    return validate(data)


def pydifact_parse(data: bytes) -> object:
    return list(Parser().parse(data.decode("latin-1")))


def pydifact_interchange(data: bytes) -> object:
    return Interchange.from_str(data.decode("latin-1"))


FULL = "paxgate `validate` (everything wired for PNRGOV)"
PARSE = "pydifact `Parser().parse` (list of segments)"
METHODS: list[tuple[str, Callable[[bytes], object]]] = [
    ("paxgate syntax pass alone", syntax_pass),
    (FULL, ours),
    (PARSE, pydifact_parse),
    ("pydifact `Interchange.from_str`", pydifact_interchange),
]



def same_reading(data: bytes) -> bool:
    """Our (tag, elements) list equals pydifact's on this document (its UNA pseudo-segment aside)."""
    report = validate(data)
    mine = [(s.tag, [c[0] if len(c) == 1 else c for c in s.elements])
            for interchange in report.interchanges for s in interchange.segments]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [(s.tag, list(s.elements)) for s in Parser().parse(data.decode("latin-1")) if s.tag != "UNA"]
    return mine == theirs


def what_ran(data: bytes) -> str:
    """Which checks ``validate`` ran on the push, told by what it found and built."""
    report = validate(data)
    codes = Counter(f.code.split("-")[0] for f in report.findings)
    pushes = getattr(report, "pushes", [])  # the typed model, once PNRGOV builds one
    model = f"{len(pushes)} PnrPush" if pushes else "no PnrPush model"
    found = ", ".join(f"{family} {n}" for family, n in sorted(codes.items())) or "none"
    return f"verdict {report.verdict.value}, findings by family: {found}; {model}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per method and document (default 3)")
    parser.add_argument("--pnrs", type=int, default=300, help="PNRs in the push (default 300)")
    args = parser.parse_args(argv)

    spec = PushSpec(pnrs=args.pnrs, hours_before=2, sensitive=min(10, args.pnrs))
    documents = [("one line", push(spec)), ("CR/LF after each segment", push(replace(spec, newlines=True)))]
    print("# PNRGOV EDIFACT: paxgate validate vs pydifact parse\n")
    print(f"- {python_and_system()}, {os.cpu_count()} CPUs; one core used")
    print(f"- {worker_gc()}")
    print(f"- paxgate {version('paxgate')}, pydifact {version('pydifact')}")
    print(f"- budget: about {args.seconds:g} s per method and document, the methods taking turns; median of the runs "
          f"(between {MIN_RUNS} and {MAX_RUNS})")
    for name, data in documents:
        segments = sum(len(i.segments) for i in validate(data).interchanges)
        print(f"- document ({name}): PNRGOV 11.1 full push, {args.pnrs} PNRs, {len(data):,} bytes "
              f"({len(data) / 1024:.1f} KiB), {segments:,} segments (UNA aside); {what_ran(data)}; "
              f"same (tag, elements) as pydifact: {'yes' if same_reading(data) else 'NO'}")
    print()
    print("| method | document | ms / push (median) | best ms | runs | MB/s | segments/s | vs pydifact parse |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")

    verdicts: list[tuple[str, float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns on every service segment (no segments.xml shipped)
        for name, data in documents:
            segments = sum(len(i.segments) for i in validate(data).interchanges)
            results = measure(dict(METHODS), data, args.seconds)
            reference = statistics.median(results[PARSE])
            for label, times in results.items():
                median = statistics.median(times)
                print(f"| {label} | {name} | {median * 1000:.2f} | {min(times) * 1000:.2f} | {len(times)} | "
                      f"{len(data) / median / 1e6:.2f} | {segments / median:,.0f} | {reference / median:.1f}x |")
            verdicts.append((name, reference / statistics.median(results[FULL])))
    print()
    for name, ratio in verdicts:
        met = "MET" if ratio >= TARGET else "NOT MET"
        print(f"{TARGET:g}x target (paxgate full validate vs pydifact Parser().parse, {name}): {met} - {ratio:.1f}x faster")
    overall = "MET" if all(ratio >= TARGET for _, ratio in verdicts) else "NOT MET"
    print(f"{TARGET:g}x target overall: {overall}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
