"""CONTRL: byte-exact answers, in the sender's syntax version and separators."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from validators.acks import Acknowledgement, NoAcknowledgement, acknowledge
from validators.edifact.contrl import ContrlContext
from validators.profiles import BASELINE
from validators.validate import validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "edifact"
CONTEXT = ContrlContext(datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "ACK0001")


def answer(data: bytes | str, profile=BASELINE) -> bytes:
    raw = data.encode("latin-1") if isinstance(data, str) else data
    answers = acknowledge(validate(raw, profile), profile, CONTEXT)
    assert len(answers) == 1 and isinstance(answers[0], Acknowledgement), answers
    payload = answers[0].payload
    assert [f for f in validate(payload).findings if f.severity == "error"] == []  # our CONTRL passes our own checks
    return payload


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("latin-1")


def test_clean_interchange_with_group_v4():
    assert answer(fixture("paxlst-d05b-clean.edi")) == (
        b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'UNH+1+CONTRL:4:1:UN'"
        b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+7'UCF+1+ZZ AIRLINES:ZZ+PAXGATE:ZZ+7'"
        b"UCM+PAX001+PAXLST:D:05B:UN:IATA+7'UNT+5+1'UNZ+1+ACK0001'"
    )


def test_clean_interchange_v3_without_una_or_groups():
    assert answer(fixture("paxlst-v3-crew.edi")) == (
        b"UNB+UNOA:3+PAXGATE+ZZCREW+261123:0700+ACK0001'UNH+1+CONTRL:D:3:UN'"
        b"UCI+000000017+ZZCREW+PAXGATE+7'UCM+1+PAXLST:D:02B:UN:IATA+7'UNT+4+1'UNZ+1+ACK0001'"
    )


def test_rejection_points_at_each_level():
    # UNZ reference wrong (UCI), UNT count wrong (UCM), lower case under UNOA in NAD element 4.1 (UCS/UCD);
    # the trailing separator is only a warning and is not in the CONTRL
    assert answer(fixture("paxlst-broken-envelope.edi")) == (
        b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'UNH+1+CONTRL:4:1:UN'"
        b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+4+28+UNZ+3'UCF+1+ZZ AIRLINES:ZZ+PAXGATE:ZZ+4'"
        b"UCM+PAX001+PAXLST:D:05B:UN:IATA+4+29+UNT+2'UCS+11'UCD+21+5:1'UNT+7+1'UNZ+1+ACK0001'"
    )


def test_message_level_rejection_keeps_the_interchange_acknowledged():
    text = fixture("paxlst-v3-crew.edi").replace("UNT+29+1", "UNT+31+1")
    assert answer(text) == (
        b"UNB+UNOA:3+PAXGATE+ZZCREW+261123:0700+ACK0001'UNH+1+CONTRL:D:3:UN'"
        b"UCI+000000017+ZZCREW+PAXGATE+7'UCM+1+PAXLST:D:02B:UN:IATA+4+29+UNT+2'UNT+4+1'UNZ+1+ACK0001'"
    )


def test_several_segment_errors_share_a_ucs_per_segment():
    text = fixture("paxlst-v3-crew.edi").replace("NAD+FM+++OKAFOR:CHIAMAKA", "NAD+FM+++Okafor:Chiamaka")
    payload = answer(text)
    assert b"UCM+1+PAXLST:D:02B:UN:IATA+4'UCS+10'UCD+21+5:1'UCD+21+5:2'UNT+" in payload


def test_codes_unknown_to_version_3_are_sent_as_unspecified():
    strict = BASELINE.overlay({"severity": {"EDI-SEG-TRAILING-SEPARATOR": "reject"}}, "test")
    text = fixture("paxlst-v3-crew.edi").replace("NAT+2+JPN'", "NAT+2+JPN+'")
    payload = answer(text, strict)
    assert b"UCS+24'UCD+18+4'" in payload  # 0085 code 45 (trailing separator) exists only in syntax version 4
    v4 = answer(text.replace("UNOA:3", "UNOA:4"), strict)
    assert b"UCS+24'UCD+45+4'" in v4


def test_receipt_only_when_indication_of_receipt_is_requested():
    text = fixture("paxlst-d05b-clean.edi").replace("++APIS++1'", "++APIS++2'")
    assert answer(text) == (
        b"UNA:+.? 'UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+261123:0700+ACK0001'UNH+1+CONTRL:4:1:UN'"
        b"UCI+ZZ2611230645+ZZAIR:ZZ+PAXGATE:ZZ+8'UNT+3+1'UNZ+1+ACK0001'"
    )


def test_answers_in_the_senders_separators_and_marks_tests():
    text = fixture("paxlst-typeb-wrapped.edi").replace("((APIS-", "((APIS((((1-")
    assert answer(text) == (
        b"UNA:(.) -UNB(UNOA:4(PAXGATE(ZZ:ZZ(261123:0700(ACK0001((((((1-UNH(1(CONTRL:4:1:UN-"
        b"UCI(ZZ8323504(ZZ:ZZ(PAXGATE(7-UCF(ZZ8323505(ZZ AIRLINES:ZZ(PAXGATE(7-UCM(1(PAXLST:D:05B:UN:IATA(7-"
        b"UNT(5(1-UNZ(1(ACK0001-"
    )


def test_echoed_values_are_released():
    text = fixture("paxlst-v3-crew.edi").replace("UNB+UNOA:3+ZZCREW+", "UNB+UNOA:3+ZZ?+CREW+")
    assert b"UCI+000000017+ZZ?+CREW+PAXGATE+7'" in answer(text)


def test_eight_digit_dates_are_answered_in_kind():
    text = fixture("paxlst-d05b-clean.edi").replace("+261123:0645+ZZ", "+20261123:0645+ZZ")
    assert b"UNB+UNOA:4+PAXGATE:ZZ+ZZAIR:ZZ+20261123:0700+ACK0001'" in answer(text)


def test_iata_interchange_is_answered_under_iata():
    assert answer(fixture("pnrgov-iata-push.edi")) == (
        b"UNB+IATA:1+PAXGATEPNR+ZZ+261123:0700+ACK0001'UNH+1+CONTRL:D:3:UN'"
        b"UCI+PNR0000000042+ZZ+PAXGATEPNR+7'UCF+PNR0000000042+ZZ+PAXGATEPNR+7'UCM+1+PNRGOV:11:1:IA+7'"
        b"UNT+5+1'UNZ+1+ACK0001'"
    )


def test_no_contrl_for_a_contrl():
    contrl = answer(fixture("paxlst-v3-crew.edi"))
    answers = acknowledge(validate(contrl), BASELINE, CONTEXT)
    assert isinstance(answers[0], NoAcknowledgement) and "never answered" in answers[0].reason


def test_no_contrl_without_a_header():
    answers = acknowledge(validate(b"UNA:+.? 'UNH+1+PAXLST:D:05B:UN'UNT+2+1'UNB"), BASELINE, CONTEXT)
    assert answers and all(isinstance(a, NoAcknowledgement) for a in answers)


def test_when_requested_policy_follows_unb_0031():
    policy = BASELINE.overlay({"acknowledgements": {"contrl": "when-requested"}}, "test")
    unrequested = fixture("paxlst-v3-crew.edi")
    answers = acknowledge(validate(unrequested.encode()), policy, CONTEXT)
    assert isinstance(answers[0], NoAcknowledgement) and "0031" in answers[0].reason
    requested = unrequested.replace("+000000017'", "+000000017++++1'", 1)
    assert isinstance(acknowledge(validate(requested.encode()), policy, CONTEXT)[0], Acknowledgement)


def test_one_contrl_per_interchange_in_a_bundle():
    text = fixture("paxlst-d05b-clean.edi") + fixture("paxlst-v3-crew.edi")
    answers = acknowledge(validate(text.encode()), BASELINE, CONTEXT)
    assert [a.interchange for a in answers] == [1, 2]
    assert all(isinstance(a, Acknowledgement) for a in answers)


def test_uci_carries_the_error_that_explains_the_others():
    # UNZ reference wrong (28) and recipient not us (7): the UCI's one 0085 slot gets 7
    profile = BASELINE.overlay({"envelope": {"recipients": ["NOTUS"]}}, "test")
    text = fixture("paxlst-v3-crew.edi").replace("UNZ+1+000000017", "UNZ+1+000000018")
    # S003 is data element 3, position 4 when the tag counts as 1 (0098); it is composite: 0010 is 4:1
    assert b"UCI+000000017+ZZCREW+PAXGATE+4+7+UNB+4:1'" in answer(text, profile)


def test_bare_messages_are_answered_before_groups():
    # SG1 (UCM of messages outside groups) comes before SG3 (UCF) in the CONTRL table
    bare = "UNH+M2+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ0123'UNT+4+M2'"
    text = fixture("paxlst-d05b-clean.edi").replace("UNZ+1+", bare + "UNZ+1+")
    payload = acknowledge(validate(text.encode("latin-1")), BASELINE, CONTEXT)[0].payload  # mixed: rejected (0085 30)
    assert payload.index(b"UCM+M2+") < payload.index(b"UCF+1+") < payload.index(b"UCM+PAX001+")


def test_contrl_messages_are_read_against_their_own_table():
    good = answer(fixture("paxlst-v3-crew.edi"))
    assert [f.code for f in validate(good).findings if f.code.startswith("MSG-")] == []
    broken = good.replace(b"UCI+", b"UCS+3'UCI+").replace(b"UNT+4+1", b"UNT+5+1")
    # no UCS before UCI
    assert [f.code for f in validate(broken).findings if f.code.startswith("MSG-")] == ["MSG-SEGMENT-UNEXPECTED"]
