"""The labelled accuracy set: recall ≥ 0.95 and precision ≥ 0.9, per perturbation kind printed."""

from __future__ import annotations

import pytest

from gateway.screening.accuracy import NEGATIVE_KINDS, POSITIVE_KINDS, build_cases, evaluate
from gateway.screening.generate import generate
from gateway.screening.screener import ListSpec, Screener


@pytest.mark.parametrize("seed", [11, 23])
def test_recall_and_precision(seed: int) -> None:
    entries = generate(5000, seed=seed)
    screener = Screener.from_entries([(ListSpec("generated", "memory"), entries)])
    cases = build_cases(entries, seed=seed, per_kind=40)
    assert {c.kind for c in cases} == set(POSITIVE_KINDS) | set(NEGATIVE_KINDS)
    result = evaluate(screener, cases)
    print(f"\nseed {seed}: recall {result.recall:.3f} precision {result.precision:.3f} "
          f"(TP {result.true_positives}, FN {result.false_negatives}, FP {result.false_positives}, TN {result.true_negatives})")
    for kind, (correct, total) in sorted(result.by_kind.items()):
        print(f"  {kind:16} {correct}/{total}")
    assert result.recall >= 0.95, result.misses
    assert result.precision >= 0.9, result.misses
