"""The frozen airport time-zone table against the package it was generated from (a real peer)."""

from __future__ import annotations

import airportsdata

from validators.reference.airports import AIRPORT_ZONES, AIRPORTS_SOURCE


def test_table_equals_airportsdata():
    peer = {code: row["tz"] for code, row in airportsdata.load("IATA").items() if row.get("tz")}
    missing = sorted(set(peer) - set(AIRPORT_ZONES))[:10]
    extra = sorted(set(AIRPORT_ZONES) - set(peer))[:10]
    changed = sorted(c for c in set(peer) & set(AIRPORT_ZONES) if peer[c] != AIRPORT_ZONES[c])[:10]
    assert (missing, extra, changed) == ([], [], []), f"regenerate from airportsdata (table: {AIRPORTS_SOURCE})"


def test_well_known_airports():
    assert AIRPORT_ZONES["LHR"] == "Europe/London" and AIRPORT_ZONES["JFK"] == "America/New_York"
    assert AIRPORT_ZONES["SIN"] == "Asia/Singapore" and AIRPORT_ZONES["GRU"] == "America/Sao_Paulo"
