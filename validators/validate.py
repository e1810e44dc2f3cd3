"""The validators' front door: bytes in, a report out. Pure: no files, no sockets, no clock."""

from __future__ import annotations

from validators.admission import Admission, check_admission, check_push_admission
from validators.edifact.tokenizer import LineIndex
from validators.findings import Findings
from validators.messages import check_messages
from validators.pnrgov.filter import filter_sensitive
from validators.pnrgov.xml import FORMAT as PNRGOV_XML
from validators.pnrgov.xml import check_xml, is_xml
from validators.preprocess import detect_format, read_interchanges
from validators.profiles import BASELINE, Profile
from validators.report import Report


def validate(data: bytes, profile: Profile = BASELINE, admission: Admission | None = None) -> Report:
    """Check one file's bytes; never raises on bad input, whatever the bytes are. ``admission``
    carries what the gateway knows of the sending account (validators.admission)."""
    text = data.decode("latin-1")  # one character per byte: offsets stay byte offsets
    findings = Findings(profile, LineIndex(text))
    if is_xml(data):  # '<' after an optional byte-order mark and whitespace: PNRGOV XML, never EDIFACT
        pushes = check_xml(data, findings, profile.pnrgov_xml_schema, profile.pnrgov_xml_schema_name)
        if admission is not None:
            check_push_admission(pushes, findings, admission)
        return Report(format=PNRGOV_XML, findings=findings.result(), pushes=pushes)
    interchanges = read_interchanges(text, findings)
    models = check_messages(interchanges, findings)
    if admission is not None:
        check_admission(interchanges, findings, admission)
    pushes, masked = models.pushes, None
    if pushes:
        pushes, masked = filter_sensitive(data, interchanges, pushes, findings)
    return Report(format=detect_format(interchanges), findings=findings.result(), interchanges=interchanges,
                  manifests=models.manifests, pushes=pushes, masked=masked)
