"""Scoring rules: every rule of gateway.screening.match, through the screener a caller uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.screening.generate import generate
from gateway.screening.lists import Dob, Entry
from gateway.screening.match import (
    COMMON_TOKENS,
    DOB_BONUS_MAX,
    NATIONALITY_BONUS_MAX,
    dob_evidence,
    name_score,
    nationality_evidence,
    token_sim,
    token_weight,
)
from gateway.screening.screener import ListSpec, Screener
from gateway.screening.subjects import Subject

LISTED = [
    Entry("E-TESTOV", ("KARIM ABDUL TESTOV",), ("ABU TESTA",), (Dob(1971, 1971, 3, 4),), ("IRQ",), (("A1234567", "IRQ"),)),
    Entry("E-ALI", ("ALI",), (), (Dob(1980, 1980, 5, 6),)),
    Entry("E-PETROVA", ("ANNA MARIA PETROVSKAYA",), (), (Dob(1985, 1985, 11, 7),), ("RUS",)),
    Entry("E-SMITH", ("JOHN SMITH",), (), (Dob(1970, 1970, 1, 1),)),
    Entry("E-RANGE", ("OBINNA CHUKWUEMEKA EZEKWESILI",), (), (Dob(1960, 1964),)),
    Entry("E-NODOC-STATE", ("NGOZI ADAEZE OKONKWO",), (), (), (), (("B7654321", None),)),
]


@pytest.fixture(scope="module")
def screener() -> Screener:
    # the generated background makes token frequencies realistic; thresholds at the default 0.85
    return Screener.from_entries([(ListSpec("test", "memory"), LISTED + generate(2000, seed=3))])


def hit(screener: Screener, subject: Subject, entry_id: str) -> float | None:
    """The subject's score against one entry when it is a hit (at or above threshold), else None."""
    for result in screener.screen([subject]):
        for h in result.hits:
            if h.entry_id == entry_id:
                return h.score
    return None


def explain(screener: Screener, subject: Subject, entry_id: str) -> list[str]:
    return next(h.explanation for r in screener.screen([subject]) for h in r.hits if h.entry_id == entry_id)


def test_exact_name_and_date(screener: Screener) -> None:
    assert hit(screener, Subject("t", "TESTOV", ("KARIM", "ABDUL"), "1971-03-04", "IRQ"), "E-TESTOV") == 1.0


def test_swapped_given_and_family_names_still_match(screener: Screener) -> None:
    assert hit(screener, Subject("t", "KARIM", ("ABDUL", "TESTOV"), "1971-03-04"), "E-TESTOV") == pytest.approx(1.0, abs=0.03)


def test_transliteration_missing_middle_and_typo(screener: Screener) -> None:
    assert hit(screener, Subject("t", "TESTOV", ("KAREEM",), "1971-03-04"), "E-TESTOV")  # KAREEM ~ KARIM, ABDUL omitted
    assert hit(screener, Subject("t", "PETROVSKAIA", ("ANNA",), "1985-11-07"), "E-PETROVA")  # typo/translit, no middle name
    assert hit(screener, Subject("t", "PETRVOSKAYA", ("ANNA", "MARIA"), "1985-11-07"), "E-PETROVA")  # swapped letters


def test_initials(screener: Screener) -> None:
    assert hit(screener, Subject("t", "PETROVSKAYA", ("A", "MARIA"), "1985-11-07"), "E-PETROVA")
    assert any("initial" in line for line in explain(screener, Subject("t", "PETROVSKAYA", ("A", "MARIA"), "1985-11-07"),
                                                        "E-PETROVA"))


def test_common_short_token_never_scores_full_alone() -> None:
    weights = [token_weight("ALI", "ALI" in COMMON_TOKENS)]
    score, detail = name_score(["ALI"], weights, ["ALI"], weights, detail=True)
    assert score < 0.75 and detail is not None and detail.capped
    rare = [token_weight("TESTOVSKY", False), token_weight("KARIMOVICH", False)]
    assert name_score(["TESTOVSKY", "KARIMOVICH"], rare, ["TESTOVSKY", "KARIMOVICH"], rare)[0] == 1.0


def test_common_single_name_does_not_alert_even_with_exact_date(screener: Screener) -> None:
    assert hit(screener, Subject("t", "ALI", (), "1980-05-06"), "E-ALI") is None


def test_weak_alias_never_alerts_alone(screener: Screener) -> None:
    assert hit(screener, Subject("t", "TESTA", ("ABU",), None), "E-TESTOV") is None  # name only
    assert hit(screener, Subject("t", "TESTA", ("ABU",), "1950-01-01"), "E-TESTOV") is None  # contradicting date
    confirmed = Subject("t", "TESTA", ("ABU",), "1971-03-04")
    assert hit(screener, confirmed, "E-TESTOV")  # the date confirms it
    assert any("weak" in line for line in explain(screener, confirmed, "E-TESTOV"))


def test_date_of_birth_moves_the_score_both_ways(screener: Screener) -> None:
    def score(dob: str | None) -> float | None:
        return hit(screener, Subject("t", "PETROVSKAYA", ("ANNA",), dob), "E-PETROVA")

    exact, swapped, year, one_off, none = (score("1985-11-07"), score("1985-07-11"), score("1985-02-02"), score("1986-11-07"),
                                           score(None))
    assert exact is not None and swapped is not None and year is not None and one_off is not None and none is not None
    assert exact > swapped > year > one_off == none
    assert score("1975-11-07") is None  # ten years apart: the date contradicts, no hit
    assert hit(screener, Subject("t", "EZEKWESILI", ("OBINNA", "CHUKWUEMEKA"), "1963-06-01"), "E-RANGE")  # inside a range


def test_contradicting_date_explained(screener: Screener) -> None:
    subject = Subject("t", "TESTOV", ("KARIM", "ABDUL"), "1990-01-01", None, (("A 1234567", "IRQ"),))
    lines = explain(screener, subject, "E-TESTOV")  # still a hit: the document is a strong key
    assert any("contradicts" in line for line in lines)


def test_same_common_name_different_person(screener: Screener) -> None:
    assert hit(screener, Subject("t", "SMITH", ("JOHN",), "1970-01-01"), "E-SMITH")
    assert hit(screener, Subject("t", "SMITH", ("JOHN",), "1991-08-08"), "E-SMITH") is None


def test_document_number_and_state_are_a_strong_key(screener: Screener) -> None:
    other_name = Subject("t", "DOE", ("JANE",), "2001-01-01", "GBR", (("a123-4567", "IRQ"),))
    assert hit(screener, other_name, "E-TESTOV") == 1.0
    assert "strong key" in explain(screener, other_name, "E-TESTOV")[0]
    assert hit(screener, Subject("t", "DOE", ("JANE",), None, None, (("A1234567", "GBR"),)), "E-TESTOV") is None  # other state
    assert hit(screener, Subject("t", "DOE", ("JANE",), None, None, (("B7654321", "NGA"),)), "E-NODOC-STATE") == 0.95


def test_nationality_is_weak_evidence(screener: Screener) -> None:
    same = hit(screener, Subject("t", "PETROVSKAYA", ("ANNA",), "1985-11-07", "RUS"), "E-PETROVA")
    other = hit(screener, Subject("t", "PETROVSKAYA", ("ANNA",), "1985-11-07", "FRA"), "E-PETROVA")
    assert same is not None and other is not None and same > other


def test_per_list_thresholds() -> None:
    lenient = Screener.from_entries([(ListSpec("lenient", "m", threshold=0.6), LISTED), (ListSpec("strict", "m2", threshold=0.99),
                                                                                         LISTED)])
    results = lenient.screen([Subject("t", "PETROVSKAYA", ("ANNA",), None)])
    assert {h.list for r in results for h in r.hits} == {"lenient"}


def test_token_similarity_rules() -> None:
    assert token_sim("KAREEM", "KARIM") == 0.92  # phonetic: same skeleton
    assert token_sim("J", "JOHN") == 0.8 and token_sim("J", "MARY") == 0.0
    assert token_sim("RASHID", "RASHIDNAJ") == 0.0  # a shared prefix is not a match
    assert token_sim("PETROV", "NAKAMURA") == 0.0


@st.composite
def _dates(draw: st.DrawFn) -> tuple[tuple[int, int, int], list[Dob]]:
    """A traveller's date of birth and listed dates near it: equal, swapped, same year, ranges, approximate."""
    year, month, day = draw(st.integers(1930, 2010)), draw(st.integers(1, 12)), draw(st.integers(1, 12))
    near = st.builds(lambda dy, span, m, d, approx: Dob(year + dy, year + dy + span, 0 if span else m, 0 if span or not m else d,
                                                        approx),
                     st.integers(-3, 3), st.sampled_from((0, 0, 0, 1, 3)), st.sampled_from((0, month, day)),
                     st.sampled_from((day, month, 1)), st.booleans())
    exact = st.sampled_from((Dob(year, year, month, day), Dob(year, year, day, month), Dob(year, year, month)))
    return (year, month, day), draw(st.lists(st.one_of(exact, near), max_size=3))


@given(_dates(), st.sampled_from((None, "IRQ", "RUS")), st.lists(st.sampled_from(("IRQ", "RUS", "JOR")), max_size=2))
def test_no_date_or_nationality_adds_more_than_the_bonus_the_index_allows_for(
        dates: tuple[tuple[int, int, int], list[Dob]], nationality: str | None, listed: list[str]) -> None:
    """The index drops candidates that cannot reach the threshold even with DOB_BONUS_MAX and NATIONALITY_BONUS_MAX
    added: a larger bonus here would lose hits without a sound."""
    born, dobs = dates
    assert dob_evidence(born, dobs)[0] <= DOB_BONUS_MAX
    assert nationality_evidence(nationality, listed)[0] <= NATIONALITY_BONUS_MAX
