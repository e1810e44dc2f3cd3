"""The ICAO Doc 9303 check digit: weights 7-3-1 over character values, sum modulo 10.

Character values: ``0``-``9`` are 0-9, ``A``-``Z`` are 10-35, the filler ``<`` is 0 (STANDARDS.md
§6.1). Any other character raises :class:`ValueError` rather than returning ``None``: a ``None``
would be too easy to confuse with the digit 0 in a truthiness test, and a caller that feeds lower-case
or non-MRZ text has a bug or unchecked input that must not pass silently. Callers that validate
untrusted MRZ text check the character set first (``mrz.py`` does) or use :func:`is_mrz_text`.

Mathematical limits worth knowing (they decide what a check digit can prove): each weight is coprime
with 10, so changing one character changes the digit exactly when the two character values differ
modulo 10. Every substitution of one digit by another is caught; ``A`` (10) for ``K`` (20), or ``<``
for ``0`` (both 0), is not.
"""

from __future__ import annotations

WEIGHTS: tuple[int, int, int] = (7, 3, 1)
MRZ_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"

_VALUES: dict[str, int] = {ch: i for i, ch in enumerate(MRZ_ALPHABET[:36])} | {"<": 0}


def char_value(ch: str) -> int:
    """The value of one MRZ character; ``ValueError`` for anything outside ``0-9 A-Z <``."""
    try:
        return _VALUES[ch]
    except KeyError:
        raise ValueError(f"not an MRZ character: {ch!r} (U+{ord(ch):04X})" if len(ch) == 1
                         else f"expected one character, got {len(ch)}") from None


def is_mrz_text(text: str) -> bool:
    """True when every character is in the MRZ set (upper-case letters, digits, ``<``)."""
    return all(ch in _VALUES for ch in text)


def check_digit(text: str) -> int:
    """The 7-3-1 check digit of ``text`` (0-9). Raises ``ValueError`` on a character outside ``0-9 A-Z <``.

    The empty string has check digit 0, like a field made only of fillers.
    """
    total = 0
    for i, ch in enumerate(text):
        total += char_value(ch) * WEIGHTS[i % 3]
    return total % 10


def check_digit_char(text: str) -> str:
    """:func:`check_digit` as the character written in the MRZ."""
    return str(check_digit(text))


def verify(text: str, digit: str) -> bool:
    """True when ``digit`` is the correct check digit character for ``text``.

    False (never an exception) when ``digit`` is not a single decimal digit or ``text`` holds a
    character outside the MRZ set: the field is then wrong either way.
    """
    if len(digit) != 1 or digit not in "0123456789" or not is_mrz_text(text):
        return False
    return check_digit(text) == int(digit)
