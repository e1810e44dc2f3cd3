"""Syntax identifiers (UNB 0001) as data: character repertoire, text encoding, default separators.

The tokenizer works on the file decoded as ISO 8859-1, where one character is one byte, so every
offset it reports is a byte offset. The repertoire check runs on that same text; element values
are decoded as they are split (``tokenizer.Splitter``) for the identifiers whose encoding is not Latin-1
(UTF-8, ISO 8859-2 …).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from validators.edifact.delimiters import IATA_DEFAULT, IATB_DEFAULT, LEVEL_A_DEFAULT, Delimiters

# ISO 9735 level A: upper-case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
_LEVEL_A = "A-Z0-9 .,\\-()/='+:?!\"%&*;<>"
_PRINTABLE_ASCII = "\\x20-\\x7e"
_INFORMATION_SEPARATORS = "\\x1c-\\x1f"  # IS4..IS1, the level B default separators


def _iso8859_defined(part: int) -> str:
    """Regex class of the bytes that ISO 8859-<part> defines in its upper half (some parts have holes)."""
    defined = []
    for byte in range(0xA0, 0x100):
        try:
            bytes([byte]).decode(f"iso8859_{part}")
        except UnicodeDecodeError:
            continue
        defined.append(f"\\x{byte:02x}")
    return "".join(defined)


@dataclass(frozen=True, slots=True)
class SyntaxIdentifier:
    code: str
    description: str
    encoding: str  # Python codec for element values
    allowed: str | None  # regex character class body of allowed characters; None = not checkable
    utf8: bool = False  # validity is checked by decoding, not by a character class
    defaults: Delimiters = LEVEL_A_DEFAULT

    def describe_allowed(self) -> str:
        return f"characters of the {self.description} repertoire"


def _latin(code: str, part: int, name: str) -> SyntaxIdentifier:
    return SyntaxIdentifier(code, f"{code} ({name}, ISO 8859-{part})", f"iso8859_{part}",
                            _PRINTABLE_ASCII + _iso8859_defined(part))


SYNTAX_IDENTIFIERS: dict[str, SyntaxIdentifier] = {
    s.code: s
    for s in (
        SyntaxIdentifier("UNOA", "UNOA (level A: upper-case letters, digits, space and . , - ( ) / = ' + : ? ! \" % & * ; < >)",
                         "ascii", _LEVEL_A),
        SyntaxIdentifier("UNOB", "UNOB (level B: ISO 646 with lower case)", "ascii",
                         _PRINTABLE_ASCII + _INFORMATION_SEPARATORS),
        _latin("UNOC", 1, "Latin-1"),
        _latin("UNOD", 2, "Latin-2"),
        _latin("UNOE", 5, "Latin/Cyrillic"),
        _latin("UNOF", 7, "Latin/Greek"),
        _latin("UNOG", 3, "Latin-3"),
        _latin("UNOH", 4, "Latin-4"),
        _latin("UNOI", 6, "Latin/Arabic"),
        _latin("UNOJ", 8, "Latin/Hebrew"),
        _latin("UNOK", 9, "Latin-5"),
        SyntaxIdentifier("UNOX", "UNOX (ISO 2022 code extension)", "latin-1", None),
        SyntaxIdentifier("UNOY", "UNOY (ISO 10646-1 octets, UTF-8)", "utf-8", None, utf8=True),
        SyntaxIdentifier("UNOW", "UNOW (UTF-8)", "utf-8", None, utf8=True),
        # IATA-controlled identifiers of the PADIS messages (PNRGOV arrives as UNB+IATA:1).
        SyntaxIdentifier("IATA", "IATA (printable ASCII, decimal comma)", "ascii", _PRINTABLE_ASCII,
                         defaults=IATA_DEFAULT),
        SyntaxIdentifier("IATB", "IATB (printable ASCII, IS1/IS3/IS4 separators)", "ascii",
                         _PRINTABLE_ASCII + _INFORMATION_SEPARATORS, defaults=IATB_DEFAULT),
    )
}

SUPPORTED_VERSIONS = frozenset({"1", "2", "3", "4"})


def invalid_characters(identifier: SyntaxIdentifier, delimiters: Delimiters) -> re.Pattern[str] | None:
    """A pattern matching every character the repertoire forbids (line breaks are judged elsewhere).

    The declared service characters are always allowed: a UNA may legitimately pick characters
    outside the repertoire as separators.
    """
    if identifier.allowed is None:
        return None
    extra = "".join(re.escape(c) for c in delimiters.service_characters())
    return re.compile(f"[^{identifier.allowed}{extra}\\r\\n]")  # re caches compiled patterns


@functools.cache
def allowed_bytes(identifier: SyntaxIdentifier, delimiters: Delimiters) -> bytes:
    """Every byte ``invalid_characters`` lets pass (text is read one character per byte), for the
    quick test that a whole interchange is clean: deleting them all leaves nothing."""
    pattern = invalid_characters(identifier, delimiters)
    return bytes(range(256)) if pattern is None else bytes(b for b in range(256) if not pattern.match(chr(b)))


def describe_character(char: str) -> str:
    """What kind of character it is, without repeating the data (it may be part of a name)."""
    if char.islower() and char.isascii():
        return "lower-case letters"
    if char.isalpha():
        return "letters outside A-Z (e.g. with diacritics)"
    if not char.isprintable():
        return f"control character U+{ord(char):04X}"
    return f"the symbol {char!r}" if char.isascii() else f"U+{ord(char):04X}"


def hint(identifier: SyntaxIdentifier, kinds: list[str]) -> str | None:
    """What would be right, for the common cases."""
    if identifier.code == "UNOA" and kinds == ["lower-case letters"]:
        return "upper-case letters (UNOA has no lower case), or declare UNOB or UNOC in UNB S001"
    if any(k.startswith("letters outside") for k in kinds):
        return ("letters as ICAO Doc 9303 transliterates them (e.g. Ü as UE), or a syntax identifier whose repertoire "
                "has them (UNOC, UNOW, UNOY)")
    return None


CONTROL_CHARACTERS = re.compile("[\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f]")
