"""The 7-3-1 check digit against the verified vectors of STANDARDS.md §6.1 and an independent reference.

The reference below maps characters with ``int(ch, 36)`` (``0``-``9`` → 0-9, ``A``-``Z`` → 10-35)
instead of the module's table, so a slip in either shows up as a disagreement.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validators.icao.check_digit import MRZ_ALPHABET, char_value, check_digit, check_digit_char, is_mrz_text, verify

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def ref_value(ch: str) -> int:
    return 0 if ch == "<" else int(ch, 36)


def ref_digit(text: str) -> int:
    return sum(ref_value(ch) * (7, 3, 1)[i % 3] for i, ch in enumerate(text)) % 10


TD3_LINE2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1_LINE1 = "I<UTOD231458907ABC<<<<<<<<<<<<"
TD1_LINE2 = "7408122F1204159UTO<<<<<<<<<<<1"
TD2_LINE2 = "D231458907UTO7408122F1204159<<<<<<<6"


@pytest.mark.parametrize(("text", "digit"), [
    ("L898902C3", 6),  # ICAO specimen passport number
    ("740812", 2),  # date of birth
    ("120415", 9),  # expiry
    ("ZE184226B<<<<<", 1),  # personal number
    ("AB2134<<<", 5),
    ("520727", 3),
    (TD3_LINE2[0:10] + TD3_LINE2[13:20] + TD3_LINE2[21:43], 0),  # TD3 composite
    (TD1_LINE1[5:30] + TD1_LINE2[0:7] + TD1_LINE2[8:15] + TD1_LINE2[18:29], 1),  # TD1 composite
    (TD2_LINE2[0:10] + TD2_LINE2[13:20] + TD2_LINE2[21:35], 6),  # TD2 composite
])
def test_verified_vectors(text: str, digit: int) -> None:
    assert check_digit(text) == digit
    assert check_digit_char(text) == str(digit)
    assert verify(text, str(digit))
    assert not verify(text, str((digit + 1) % 10))


def test_worked_by_hand() -> None:
    # L=21 8 9 8 9 0 2 C=12 3, weights 7 3 1 7 3 1 7 3 1:
    # 147 + 24 + 9 + 56 + 27 + 0 + 14 + 36 + 3 = 316 -> 6
    assert check_digit("L898902C3") == 6
    # 7 4 0 8 1 2 -> 49 + 12 + 0 + 56 + 3 + 2 = 122 -> 2
    assert check_digit("740812") == 2


def test_character_values() -> None:
    assert char_value("0") == 0
    assert char_value("9") == 9
    assert char_value("A") == 10
    assert char_value("Z") == 35
    assert char_value("<") == 0
    assert MRZ_ALPHABET == ALPHABET


def test_fillers_and_empty_count_as_zero() -> None:
    assert check_digit("") == 0
    assert check_digit("<<<<<<<<<<<<<<") == 0
    assert check_digit("AB<") == check_digit("AB0") == check_digit("AB")


@pytest.mark.parametrize("bad", ["a", " ", "-", "É", "\n", "*", "٣"])
def test_other_characters_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="not an MRZ character"):
        check_digit(f"AB{bad}12")
    assert not is_mrz_text(f"AB{bad}")
    assert not verify(f"AB{bad}", "0")


def test_char_value_wants_one_character() -> None:
    with pytest.raises(ValueError, match="one character"):
        char_value("AB")


@pytest.mark.parametrize("digit", ["<", "A", "", "10", " "])
def test_verify_needs_a_single_decimal_digit(digit: str) -> None:
    assert not verify("<<<", digit)


mrz_text = st.text(alphabet=ALPHABET, max_size=40)


@given(mrz_text)
def test_matches_independent_reference(text: str) -> None:
    assert check_digit(text) == ref_digit(text)
    assert is_mrz_text(text)


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40), st.data())
def test_single_substitution_detected_exactly_when_values_differ_mod_10(text: str, data: st.DataObject) -> None:
    """Weights 7, 3 and 1 are coprime with 10: the digit changes iff the value changes modulo 10."""
    i = data.draw(st.integers(0, len(text) - 1))
    new = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != text[i]))
    changed = text[:i] + new + text[i + 1:]
    detected = check_digit(changed) != check_digit(text)
    assert detected == ((ref_value(new) - ref_value(text[i])) % 10 != 0)


@given(st.text(alphabet="0123456789", min_size=1, max_size=20), st.data())
def test_any_single_digit_substitution_in_a_numeric_field_is_detected(text: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(text) - 1))
    new = data.draw(st.sampled_from("0123456789").filter(lambda c: c != text[i]))
    assert check_digit(text[:i] + new + text[i + 1:]) != check_digit(text)


def test_known_blind_spots() -> None:
    """What the scheme cannot see, stated so nobody relies on it: A (10) vs K (20), < vs 0."""
    assert check_digit("A1234") == check_digit("K1234")
    assert check_digit("12<") == check_digit("120")
