"""The validators' front door: bytes in, a report out. Pure: no files, no sockets, no clock."""

from __future__ import annotations

from validators.admission import Admission, check_admission
from validators.edifact.tokenizer import LineIndex
from validators.findings import Findings
from validators.messages import check_messages
from validators.preprocess import detect_format, read_interchanges
from validators.profiles import BASELINE, Profile
from validators.report import Report


def validate(data: bytes, profile: Profile = BASELINE, admission: Admission | None = None) -> Report:
    """Check one file's bytes; never raises on bad input, whatever the bytes are. ``admission``
    carries what the gateway knows of the sending account (validators.admission)."""
    text = data.decode("latin-1")  # one character per byte: offsets stay byte offsets
    findings = Findings(profile, LineIndex(text))
    interchanges = read_interchanges(text, findings)
    manifests = check_messages(interchanges, findings)
    if admission is not None:
        check_admission(interchanges, findings, admission)
    return Report(format=detect_format(interchanges), findings=findings.result(), interchanges=interchanges,
                  manifests=manifests)
