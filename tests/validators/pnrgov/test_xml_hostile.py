"""Hostile PNRGOV XML: every attack gives a finding, nothing expands, no file is read, no socket opened.

Proof, not trust: a secret file sits on disk and the attacks name it (XXE, XInclude, external DTD);
its content must appear nowhere in what validate() returns. A local TCP listener is named by every
network attack (entities, DTDs, parameter entities, XInclude, stylesheet PIs, schema-location
hints on an invalid document, which sends it down xmlschema's path too); it must accept nothing.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import msgspec
import pytest
from lxml import etree

from validators.pnrgov.xml import schema_problem
from validators.profiles import BASELINE
from validators.report import Report, Verdict
from validators.validate import validate

REPO = Path(__file__).resolve().parents[3]
SCHEMA_PATH = REPO / "configs" / "schemas" / "pnrgov-xml-13.1.xsd"
WITH_SCHEMA = msgspec.structs.replace(BASELINE, pnrgov_xml_schema=SCHEMA_PATH.read_text(encoding="utf-8"),
                                      pnrgov_xml_schema_name=SCHEMA_PATH.name)
SECRET = "TOP-SECRET-7f3a9c"
IATA = "http://www.iata.org/IATA/2007/00"


class Listener:
    """A TCP port on 127.0.0.1 that records every connection it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "secret.txt"
    path.write_text(SECRET)
    return path


def _push(body: str = "") -> str:
    return (f'<IATA_PNRGOV_NotifRQ xmlns="{IATA}"><Originator AirlineCode="LH"/>'
            f'<FlightLeg CarrierCode="LH" FlightNumber="474"><DepartureAirport LocationCode="FRA"/>'
            f'<ArrivalAirport LocationCode="YUL"/></FlightLeg><PNRs><PNR><BookingRefID ID="ABC123"/>'
            f'<Passenger><Surname>{body or "X"}</Surname></Passenger></PNR></PNRs></IATA_PNRGOV_NotifRQ>')


def payloads(secret: Path, port: int) -> dict[str, tuple[bytes, str]]:
    """name -> (document, the finding code it must give)."""
    url = f"http://127.0.0.1:{port}"
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return {
        "xxe-file": (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>{_push("&x;")}'.encode(),
                     "PNR-XML-DOCTYPE"),
        "xxe-network": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/x">]>{_push("&x;")}'.encode(), "PNR-XML-DOCTYPE"),
        "external-dtd": (f'<!DOCTYPE IATA_PNRGOV_NotifRQ SYSTEM "{url}/ext.dtd">{_push()}'.encode(), "PNR-XML-DOCTYPE"),
        "external-dtd-file": (f'<!DOCTYPE IATA_PNRGOV_NotifRQ SYSTEM "{secret}">{_push()}'.encode(), "PNR-XML-DOCTYPE"),
        "parameter-entity": (f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]>{_push("&leak;")}'.encode(),
                             "PNR-XML-DOCTYPE"),
        "parameter-entity-file": (f'<!DOCTYPE r [<!ENTITY % f SYSTEM "file://{secret}"><!ENTITY % e "<!ENTITY x \'%f;\'>"> %e;]>'
                                  f'{_push("&x;")}'.encode(), "PNR-XML-DOCTYPE"),
        "billion-laughs": (f"<!DOCTYPE r [{lol}]>{_push('&l9;')}".encode(), "PNR-XML-DOCTYPE"),
        "quadratic-blowup": (('<!DOCTYPE r [<!ENTITY a "' + "A" * 50_000 + '">]>' + _push("&a;" * 20_000)).encode(),
                             "PNR-XML-DOCTYPE"),
        "doctype-utf16": (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>{_push("&x;")}'.encode("utf-16"),
                          "PNR-XML-DOCTYPE"),
        "undeclared-entity": (_push("&x;").encode(), "PNR-XML-MALFORMED"),
        "xinclude-file": (_push(f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" parse="text"/>')
                          .encode(), "PNR-XML-XINCLUDE"),
        "xinclude-network": (_push(f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}/x.xml"/>').encode(),
                             "PNR-XML-XINCLUDE"),
        "stylesheet-pi": (f'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="{url}/s.xsl"?>{_push()}'.encode(),
                          "PNR-XML-PI"),
        "schema-location-hint": (_push("X</Surname><Bogus/><Surname>Y").replace(
            f'xmlns="{IATA}"', f'xmlns="{IATA}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                               f'xsi:schemaLocation="{IATA} {url}/official.xsd"').encode(), "PNR-XML-SCHEMA"),
        "no-namespace-schema-hint": (_push("X</Surname><Bogus/><Surname>Y").replace(
            f' xmlns="{IATA}"', f' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                f'xsi:noNamespaceSchemaLocation="file://{secret}"').encode(), "PNR-XML-SCHEMA"),
        "deep-nesting": ((_push("<a>" * 3000 + "</a>" * 3000)).encode(), "PNR-XML-LIMIT"),
        "huge-attribute": (_push().replace('ID="ABC123"', 'ID="' + "A" * 11_000_000 + '"').encode(), "PNR-XML-LIMIT"),
        "huge-text": (_push("B" * 11_000_000).encode(), "PNR-XML-LIMIT"),
        "junk": (b"<<<\x00\xff>>> not xml", "PNR-XML-MALFORMED"),
        "truncated": (_push().encode()[:-30], "PNR-XML-MALFORMED"),
        "two-roots": ((_push() + _push()).encode(), "PNR-XML-MALFORMED"),
        "says-utf16-is-utf8": (f'<?xml version="1.0" encoding="UTF-16"?>{_push()}'.encode(), "PNR-XML-ENCODING"),
        "says-utf8-is-latin1": (f'<?xml version="1.0" encoding="UTF-8"?>{_push("MÜLLER")}'.encode("latin-1"),
                                "PNR-XML-ENCODING"),
        "unknown-encoding": (f'<?xml version="1.0" encoding="x-evil-8"?>{_push()}'.encode(), "PNR-XML-ENCODING"),
        "bom-contradicts": (b"\xef\xbb\xbf" + f'<?xml version="1.0" encoding="ISO-8859-1"?>{_push()}'.encode(),
                            "PNR-XML-ENCODING"),
        "nul-bytes": (_push("A\x00B").encode(), "PNR-XML-MALFORMED"),
    }


NAMES = sorted(payloads(Path("/x"), 1))


@pytest.mark.parametrize("name", NAMES)
def test_hostile_document_gives_a_finding_and_touches_nothing(name, secret, listener):
    data, code = payloads(secret, listener.port)[name]
    before = listener.connections
    for profile in (WITH_SCHEMA, BASELINE):
        started = time.perf_counter()
        report = validate(data, profile)
        elapsed = time.perf_counter() - started
        assert isinstance(report, Report) and report.format == "pnrgov-xml"
        found = [f.code for f in report.findings]
        if code == "PNR-XML-SCHEMA" and profile is BASELINE:
            assert "PNR-XML-NO-SCHEMA" in found  # no schema: the hint is simply never looked at
        else:
            assert code in found, (name, found)
        output = msgspec.json.encode([report.findings, report.pushes])
        assert SECRET.encode() not in output
        assert len(output) < 20_000, f"{name}: {len(output)} bytes of output: something expanded"
        assert elapsed < 3, f"{name} took {elapsed:.2f} s"
        if code not in ("PNR-XML-PI", "PNR-XML-NO-SCHEMA"):
            assert report.verdict is Verdict.REJECTED or (profile is BASELINE and code == "PNR-XML-SCHEMA")
    time.sleep(0.02)  # give a stray connection time to land before counting
    assert listener.connections == before, f"{name} opened a connection"


def test_refusal_of_a_doctype_happens_before_parsing(monkeypatch, secret):
    """A DOCTYPE is refused from the bytes: the parser is never even built."""
    def no_parser(*args, **kwargs):
        raise AssertionError("parsed a document that has a DOCTYPE")

    monkeypatch.setattr(etree, "XMLParser", no_parser)
    report = validate(f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode(), WITH_SCHEMA)
    assert [f.code for f in report.findings] == ["PNR-XML-DOCTYPE"]
    assert report.findings[0].location.offset == 0 and report.findings[0].location.line == 1


def test_hostile_profile_schema_is_refused_without_fetching(listener, secret):
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    before = listener.connections
    hostile = [
        text.replace("<xs:annotation>", f'<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:{listener.port}/x.xsd"/>'
                                        "<xs:annotation>", 1),
        text.replace("<xs:annotation>", f'<xs:include schemaLocation="file://{secret}"/><xs:annotation>', 1),
        f'<!DOCTYPE xs:schema [<!ENTITY x SYSTEM "file://{secret}">]>' + text.split("?>", 1)[1],
    ]
    for schema in hostile:
        problem = schema_problem(schema)
        assert problem is not None and SECRET not in problem
    time.sleep(0.1)
    assert listener.connections == before
