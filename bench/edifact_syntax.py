"""EDIFACT syntax pass: paxgate against pydifact 0.2.3, measured in the same run on the same bytes.

    .venv/bin/python bench/edifact_syntax.py [--seconds 3] [--passengers 500]

Input: a realistic PAXLST D:05B interchange built by ``conformance.builders`` (UNA, UNB, UNG,
UNH, header segments, 11-12 segments per traveller with released apostrophes and plus signs, CNT,
UNT, UNE, UNZ), once as one line and once with CR/LF after every segment.

What is timed, per document, bytes in (each reader decodes the bytes as Latin-1 itself):

* paxgate's full syntax pass (``validators.preprocess.read_interchanges``: UNA, tokenizing with
  offsets, envelope nesting and counts, service data element checks, character repertoire). Data
  elements of ordinary segments are split lazily, on first use.
* paxgate ``validate(data)``: everything the CLI does to a PAXLST: the syntax pass, the message
  structure (segment groups against the guideline table), every data element against its segment
  layout (which splits every element, as pydifact does), the typed Manifest and the content rules.
* pydifact ``list(Parser().parse(text))`` and ``Interchange.from_str(text)`` (its warnings about
  the missing segments.xml are silenced, as an application would).

The methods take turns, one call each per round (``machine.measure``), for about ``--seconds`` per
method (at least 5 and at most 5,000 rounds) after one warm-up run each; the table gives the median
and the best. Nothing here asserts on time: the script
prints the figures and whether the targets are met on this machine: our full syntax pass at least
10x faster than pydifact's parse, and the full PAXLST validation at least 5x faster than it (issue 3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout even without the editable install

from machine import MAX_RUNS, MIN_RUNS, measure, python_and_system, version, worker_gc  # noqa: E402 - bench/, this script's folder
from pydifact.parser import Parser  # noqa: E402
from pydifact.segmentcollection import Interchange  # noqa: E402

from conformance.builders import PaxlstSpec, paxlst  # noqa: E402
from validators.edifact.tokenizer import LineIndex  # noqa: E402
from validators.findings import Findings  # noqa: E402
from validators.preprocess import read_interchanges  # noqa: E402
from validators.profiles import BASELINE  # noqa: E402
from validators.validate import validate  # noqa: E402

SYNTAX_TARGET = 10.0  # the full syntax pass against pydifact's parse
VALIDATE_TARGET = 5.0  # everything validate does for a PAXLST against pydifact's parse


def syntax_pass(data: bytes) -> object:
    text = data.decode("latin-1")
    return read_interchanges(text, Findings(BASELINE, LineIndex(text)))


def ours(data: bytes) -> object:
    return validate(data)


def pydifact_parse(data: bytes) -> object:
    return list(Parser().parse(data.decode("latin-1")))


def pydifact_interchange(data: bytes) -> object:
    return Interchange.from_str(data.decode("latin-1"))


METHODS: list[tuple[str, Callable[[bytes], object]]] = [
    ("paxgate full syntax pass", syntax_pass),
    ("paxgate `validate` (syntax, structure, elements, Manifest, content rules)", ours),
    ("pydifact `Parser().parse` (list of segments)", pydifact_parse),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per method and document (default 3)")
    parser.add_argument("--passengers", type=int, default=500, help="travellers in the PAXLST (default 500)")
    args = parser.parse_args(argv)

    documents = [
        ("one line", paxlst(PaxlstSpec(passengers=args.passengers))),
        ("CR/LF after each segment", paxlst(PaxlstSpec(passengers=args.passengers, newlines=True))),
    ]
    print("# EDIFACT syntax pass: paxgate vs pydifact\n")
    print(f"- {python_and_system()}, {os.cpu_count()} CPUs; one core used")
    print(f"- {worker_gc()}")
    print(f"- paxgate {version('paxgate')}, pydifact {version('pydifact')}")
    print(f"- budget: about {args.seconds:g} s per method and document, the methods taking turns; median of the runs "
          f"(between {MIN_RUNS} and {MAX_RUNS})")
    for name, data in documents:
        report = validate(data)
        segments = sum(len(i.segments) for i in report.interchanges)
        print(f"- document ({name}): PAXLST D:05B, {args.passengers} travellers, {len(data):,} bytes "
              f"({len(data) / 1024:.1f} KiB), {segments:,} segments (UNA aside), verdict {report.verdict.value}; "
              f"same (tag, elements) as pydifact: {'yes' if same_reading(data) else 'NO'}")
    print()
    print("| method | document | ms / interchange (median) | best ms | runs | MB/s | segments/s | vs pydifact parse |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")

    verdicts: list[tuple[str, float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydifact warns on every service segment (no segments.xml shipped)
        for name, data in documents:
            segments = sum(len(i.segments) for i in validate(data).interchanges)
            results = measure(dict(METHODS), data, args.seconds)
            reference = statistics.median(results[METHODS[2][0]])
            for label, times in results.items():
                median = statistics.median(times)
                ratio = reference / median
                print(f"| {label} | {name} | {median * 1000:.2f} | {min(times) * 1000:.2f} | {len(times)} | "
                      f"{len(data) / median / 1e6:.2f} | {segments / median:,.0f} | {ratio:.1f}x |")
            for index, target in ((0, SYNTAX_TARGET), (1, VALIDATE_TARGET)):
                verdicts.append((METHODS[index][0], name, target, reference / statistics.median(results[METHODS[index][0]])))
    print()
    for label, name, target, ratio in verdicts:
        met = "MET" if ratio >= target else "NOT MET"
        print(f"{target:g}x target ({label} vs pydifact Parser().parse, {name}): {met} - {ratio:.1f}x faster")
    overall = "MET" if all(ratio >= target for _, _, target, ratio in verdicts) else "NOT MET"
    print(f"targets overall: {overall}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
