"""Every defect the PNRGOV builder seeds (conformance/pnrgov.py) gives exactly the finding its label
names, at the place the label names; a clean push of every shape gives no warning or error.

The labels are written by the builder from where it put the defect, not from the validator, so
these tests hold the validator to an independent account of each message."""

from __future__ import annotations

import pytest

from conformance.pnrgov import DEFECTS, PushSpec, multipart_push, push, push_with_defects
from gateway.profiles import load_profile
from validators.validate import validate

PROFILE = load_profile(None)
QUIET = {"EDI-SEG-WHITESPACE", "PNR-SENSITIVE-MASKED"}


@pytest.mark.parametrize("spec", [
    PushSpec(), PushSpec(pnrs=12, seed=7, version="13.1"), PushSpec(kind="update", cancelled=2, pnrs=6, seed=3),
    PushSpec(hours_before=2, pnrs=5, seed=4, newlines=True), PushSpec(una=False, groups=False, pnrs=4, seed=9),
    PushSpec(sensitive=3, pnrs=5, seed=11),
], ids=["default", "13.1", "update-cancelled", "check-in", "no-una-decimal-comma", "sensitive"])
def test_clean_pushes_are_accepted_without_findings(spec: PushSpec):
    report = validate(push(spec), PROFILE)
    assert report.verdict == "accepted", [(f.code, f.location.segment_tag, f.location.segment_position, f.message)
                                          for f in report.findings if f.code not in QUIET]
    assert [f.code for f in report.findings if f.code not in QUIET] == []
    [model] = report.pushes
    assert len(model.pnrs) == spec.pnrs and model.declared_pnrs == spec.pnrs
    assert sum(p.cancelled for p in model.pnrs) == spec.cancelled
    masked = sum(p.masked for p in model.pnrs)
    assert (masked > 0) == (spec.sensitive > 0)


@pytest.mark.parametrize("name", list(DEFECTS))
def test_each_seeded_defect_is_found_where_its_label_says(name: str):
    data, labels = push_with_defects(PushSpec(pnrs=4, seed=5), [name], seed=2)
    report = validate(data, PROFILE)
    expected = sorted((e.code, e.segment_tag, e.segment_position, e.element, e.component)
                      for label in labels for e in label.findings)
    found = sorted((f.code, f.location.segment_tag, f.location.segment_position, f.location.element, f.location.component)
                   for f in report.findings if f.code not in QUIET)
    assert found == expected


def test_multipart_parts_share_the_reference_and_declare_the_whole_push():
    parts = multipart_push(PushSpec(pnrs=7, seed=6), 3)
    models = [validate(p, PROFILE).pushes[0] for p in parts]
    assert len({m.part.common_access_reference for m in models}) == 1
    assert [(m.part.sequence, m.part.first_last) for m in models] == [(1, "C"), (2, "C"), (3, "F")]
    assert sum(len(m.pnrs) for m in models) == 7 and {m.declared_pnrs for m in models} == {7}
    # EQN counts the whole push: no part is faulted for holding fewer PNRs (the gateway checks the total)
    assert all("PNR-EQN-TOTAL" not in [f.code for f in validate(p, PROFILE).findings] for p in parts)
