"""The ledger's window rules on hand-made observations (PNR pushes too, which the simulated week
does not send): which window a message counts for, and what each obligation comes to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.compliance.flights import stamp
from gateway.compliance.ledger import flights
from gateway.compliance.schedule import ScheduleError, parse_schedule
from gateway.profiles import load_profile
from gateway.store.base import FlightMessage, ScheduledFlight

DEPARTURE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
UTOPIA = load_profile("utopia").obligations


def message(kind: str, minutes: float, n: int, **fields: object) -> FlightMessage:
    values: dict = {"receipt": f"r{n}", "message": 1, "kind": kind, "carrier": "ZZ", "flight": "ZZ101",
                    "departure_airport": "LHR", "departure_utc": stamp(DEPARTURE),
                    "received_at": stamp(DEPARTURE + timedelta(minutes=minutes)), "verdict": "accepted", **fields}
    return FlightMessage(**values)


def judge(messages: list[FlightMessage], as_of: datetime = DEPARTURE + timedelta(days=1)) -> dict[str, str]:
    scheduled = [ScheduledFlight(carrier="ZZ", flight="ZZ101", departure_airport="LHR", arrival_airport="JFK",
                                 departure_local="2026-11-20T10:00", departure_utc=stamp(DEPARTURE))]
    (flight,) = flights(scheduled, messages, lambda carrier: UTOPIA, as_of)
    return {e.obligation: e.status for e in flight.expectations}


def test_pnr_pushes_count_for_the_window_they_arrive_in():
    got = judge([message("pnr", -36 * 60, 1), message("pnr", 20, 2), message("api", -45, 3), message("api_crew", -50, 4)])
    assert got == {"api_passengers": "on_time", "api_crew": "late", "pnr_early": "on_time", "pnr_closure": "on_time"}


def test_between_windows_is_late_for_the_earlier_and_before_all_is_early():
    got = judge([message("pnr", -12 * 60, 1), message("pnr", -80 * 60, 2)])
    assert got["pnr_early"] == "early"  # the first push came before T-48 h and completed it
    got = judge([message("pnr", -12 * 60, 1)])
    assert got["pnr_early"] == "late" and got["pnr_closure"] == "missing"


def test_rejected_duplicate_pending_and_incomplete():
    assert judge([message("api", -45, 1, rejected=True, verdict="rejected")])["api_passengers"] == "rejected"
    assert judge([message("api", -45, 1, duplicate="content")])["api_passengers"] == "missing"
    assert judge([], as_of=DEPARTURE - timedelta(hours=2))["api_passengers"] == "pending"
    parts = [message("api", -90, 1, sequence=1, first_last="C"), message("api", -80, 2, sequence=3, first_last="F")]
    assert judge(parts)["api_passengers"] == "incomplete"


def test_schedule_from_ssim_type_3_records():
    # columns as SSIM chapter 7 numbers them: 1 type, 2 suffix, 3-5 airline, 6-9 number, 10-11 itinerary variation,
    # 12-13 leg, 14 service type, 15-28 period, 29-35 days, 36 frequency, 37-39 from, 40-47 STD, 48-52 UTC variation,
    # 53-54 terminal, 55-57 to, 58-65 STA, 66-70 UTC variation, 71-72 terminal, 73-75 equipment
    record = "".join(("3", " ", "ZZ ", "0101", "01", "01", "J", "16NOV26", "22NOV26", "1234567", " ", "LHR", "1000", "1000",
                      "+0000", "  ", "JFK", "1320", "1320", "-0500", "  ", "789")).ljust(200)
    assert record[36:39] == "LHR" and record[54:57] == "JFK"
    flights_ = parse_schedule("1AIRLINE STANDARD SCHEDULE DATA SET".ljust(200) + "\n" + record, carrier="ZZ")
    assert len(flights_) == 7 and flights_[0].flight == "ZZ101" and flights_[0].departure_utc.startswith("2026-11-16T10:00")
    try:
        parse_schedule(record, carrier="XX")
    except ScheduleError as error:
        assert "ZZ" in str(error)
    else:
        raise AssertionError("a schedule of another carrier was taken")
