"""PNRGOV XML: paxgate's XML path against xmlschema-only validation, in the same run on the same bytes.

    .venv/bin/python bench/pnrgov_xml.py [--seconds 3] [--pnrs 300]

Input: a realistic full PNRGOV XML push from ``conformance.pnrgov_xml`` (IATA namespace; 300 PNRs,
about 2.8 travellers each, with documents, tickets, payments, seats, bags, check-in, codeshares,
infants and group bookings), validated against paxgate's own schema
(``configs/schemas/pnrgov-xml-13.1.xsd``).

What is timed, per document, bytes in:

* paxgate ``validate(data, profile)``: everything the gateway does to an XML push — DOCTYPE and
  encoding checks, hardened lxml parse, XSD validation with lxml (the schema compiled once and
  cached, as in the gateway), hazard checks, the typed PnrPush, business rules, findings.
* the same minus the model: hardened lxml parse + lxml XSD validation only (where the time goes).
* xmlschema alone, bytes in: ``XMLSchema.is_valid(data)`` (it parses with its own defused reader),
  the schema built once beforehand — what a gateway using xmlschema only would do. The ratio is
  taken against this one.
* xmlschema on a tree lxml already parsed (``is_valid(tree)``), for reference.

A second table times an invalid push (one seeded schema fault), where paxgate also re-explains the
failure with xmlschema to name the place: the slow path, paid only by documents that fail.

The methods take turns, one call each per round (``machine.measure``), for about ``--seconds`` per
method (at least 5 and at most 5,000 rounds) after one warm-up each; the median is reported. Nothing
asserts on time: the script prints the figures and whether the 10x target (paxgate's full path vs
xmlschema-only, valid push) is met on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run from a checkout even without the editable install

import msgspec  # noqa: E402
import xmlschema  # noqa: E402
from lxml import etree  # noqa: E402
from machine import MAX_RUNS, MIN_RUNS, measure, python_and_system, version, worker_gc  # noqa: E402 - bench/, this script's folder

from conformance.pnrgov_xml import pnrgov_xml_push  # noqa: E402
from validators.pnrgov.xml import _compile  # noqa: E402 - the cached compiled schema the validator uses
from validators.profiles import BASELINE  # noqa: E402
from validators.validate import validate  # noqa: E402

TARGET = 10.0
SCHEMA_PATH = ROOT / "configs" / "schemas" / "pnrgov-xml-13.1.xsd"



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time budget per method and document (default 3)")
    parser.add_argument("--pnrs", type=int, default=300, help="PNRs in the push (default 300)")
    args = parser.parse_args(argv)

    schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
    profile = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=schema_text, pnrgov_xml_schema_name=SCHEMA_PATH.name)
    compiled = _compile(schema_text).lxml
    alone = xmlschema.XMLSchema(schema_text)  # built once, outside the timing, like our compiled schema

    def paxgate(data: bytes) -> object:
        return validate(data, profile)

    def lxml_only(data: bytes) -> object:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        return compiled.validate(etree.fromstring(data, parser))

    def xmlschema_bytes(data: bytes) -> object:
        return alone.is_valid(data)

    def xmlschema_tree(data: bytes) -> object:
        return alone.is_valid(etree.fromstring(data))

    methods: list[tuple[str, Callable[[bytes], object]]] = [
        ("paxgate `validate` (parse, XSD, PnrPush, rules, findings)", paxgate),
        ("lxml hardened parse + XSD validate only", lxml_only),
        ("xmlschema `is_valid(bytes)` (xmlschema-only validation)", xmlschema_bytes),
        ("xmlschema `is_valid(lxml tree)` (tree pre-parsed)", xmlschema_tree),
    ]
    documents = [("valid push", pnrgov_xml_push(args.pnrs, seed=1)),
                 ("invalid push (1 schema fault)", pnrgov_xml_push(args.pnrs, seed=1, defects=["bad-birth-date"]))]

    print("# PNRGOV XML: paxgate vs xmlschema-only validation\n")
    print(f"- {python_and_system()}, {os.cpu_count()} CPUs; one core used")
    print(f"- {worker_gc()}")
    print(f"- lxml {version('lxml')} (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), xmlschema {version('xmlschema')}")
    print(f"- budget: about {args.seconds:g} s per method and document, the methods taking turns; "
          f"median of the runs (between {MIN_RUNS} and {MAX_RUNS})")
    for name, data in documents:
        report = validate(data, profile)
        travellers = sum(len(p.passengers) for push in report.pushes for p in push.pnrs)
        print(f"- {name}: {args.pnrs} PNRs, {travellers} travellers, {len(data):,} bytes ({len(data) / 1e6:.2f} MB), "
              f"paxgate verdict {report.verdict.value} ({len(report.findings)} finding(s)); xmlschema says valid: "
              f"{alone.is_valid(data)}")
    print()
    print("| method | document | ms / push (median) | best ms | runs | MB/s | vs xmlschema bytes |")
    print("|---|---|---:|---:|---:|---:|---:|")
    ratios: dict[str, float] = {}
    for name, data in documents:
        results = measure(dict(methods), data, args.seconds)
        reference = statistics.median(results[methods[2][0]])
        for label, times in results.items():
            median = statistics.median(times)
            print(f"| {label} | {name} | {median * 1000:.1f} | {min(times) * 1000:.1f} | {len(times)} | "
                  f"{len(data) / median / 1e6:.1f} | {reference / median:.1f}x |")
        ratios[name] = reference / statistics.median(results[methods[0][0]])
    print()
    ratio = ratios["valid push"]
    print(f"10x target (paxgate validate vs xmlschema is_valid(bytes), valid {args.pnrs}-PNR push): "
          f"{'MET' if ratio >= TARGET else 'NOT MET'} - {ratio:.1f}x faster")
    print(f"invalid push (paxgate re-explains with xmlschema): {ratios['invalid push (1 schema fault)']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
