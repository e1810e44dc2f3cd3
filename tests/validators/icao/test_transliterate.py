"""ICAO Doc 9303 Part 3 transliteration of names into MRZ characters."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validators.icao.transliterate import CYRILLIC, LATIN, Transliteration, mrz_name, mrz_name_field, transliterate

MRZ_NAME = re.compile(r"[A-Z<]*")


@pytest.mark.parametrize(("given_name", "expected"), [
    ("Ä", "AE"), ("Å", "AA"), ("Æ", "AE"), ("Ö", "OE"), ("Ø", "OE"), ("Ü", "UE"), ("ß", "SS"), ("Þ", "TH"),
    ("Ĳ", "IJ"), ("Œ", "OE"), ("ä", "AE"), ("å", "AA"), ("æ", "AE"), ("ø", "OE"), ("þ", "TH"), ("ĳ", "IJ"), ("œ", "OE"),
    ("Ð", "D"), ("ð", "D"), ("Đ", "D"), ("Ł", "L"), ("ł", "L"), ("Ħ", "H"), ("ı", "I"), ("Ŋ", "N"), ("Ŧ", "T"),
    ("É", "E"), ("è", "E"), ("Ç", "C"), ("Ñ", "N"), ("ñ", "N"), ("Š", "S"), ("ž", "Z"), ("Ő", "O"), ("Ș", "S"),
    ("Ț", "T"), ("Ą", "A"), ("ę", "E"), ("Ů", "U"), ("ř", "R"), ("İ", "I"), ("Ğ", "G"), ("ễ", "E"),
])
def test_latin(given_name: str, expected: str) -> None:
    assert transliterate(given_name) == Transliteration(expected)


@pytest.mark.parametrize(("given_name", "expected"), [
    ("Müller", "MUELLER"), ("Åsa Ørsted", "AASA<OERSTED"), ("Straße", "STRASSE"),
    ("Þórður Guðmundsson", "THORDUR<GUDMUNDSSON"), ("Łódź", "LODZ"), ("Nguyễn Thị Minh", "NGUYEN<THI<MINH"),
    ("Đorđe Ćosić", "DORDE<COSIC"), ("François", "FRANCOIS"), ("Ĳsbrand", "IJSBRAND"),
])
def test_latin_names(given_name: str, expected: str) -> None:
    assert transliterate(given_name).text == expected


@pytest.mark.parametrize(("given_name", "expected"), [
    ("Ж", "ZH"), ("Х", "KH"), ("Ц", "TS"), ("Ч", "CH"), ("Ш", "SH"), ("Щ", "SHCH"), ("Ю", "IU"), ("Я", "IA"),
    ("Й", "I"), ("Ы", "Y"), ("Ъ", "IE"), ("Ь", ""), ("Ё", "E"), ("Э", "E"), ("Є", "IE"), ("Ї", "I"), ("Ґ", "G"),
    ("Ў", "U"), ("Ј", "J"), ("Љ", "LJ"), ("Њ", "NJ"), ("Џ", "DZ"), ("Ѕ", "DZ"), ("Ђ", "D"), ("Ћ", "C"), ("Ѓ", "G"),
    ("Ќ", "K"),
])
def test_cyrillic_letters(given_name: str, expected: str) -> None:
    assert transliterate(given_name) == Transliteration(expected)
    assert transliterate(given_name.lower()) == Transliteration(expected)


@pytest.mark.parametrize(("given_name", "expected"), [
    ("Щукин", "SHCHUKIN"), ("Юрий", "IURII"), ("Хрущёв", "KHRUSHCHEV"), ("Ольга Ильинична", "OLGA<ILINICHNA"),
    ("Ярослав", "IAROSLAV"), ("Цветаева", "TSVETAEVA"), ("Подъячев", "PODIEIACHEV"), ("Чайковский", "CHAIKOVSKII"),
    ("Новак Ђоковић", "NOVAK<DOKOVIC"),
])
def test_cyrillic_names(given_name: str, expected: str) -> None:
    assert transliterate(given_name).text == expected


def test_decomposed_input_gives_the_same_result() -> None:
    for name in ("Müller", "Йорданов", "Ёлкин", "Ørsted", "Ñúñez"):
        assert transliterate(unicodedata.normalize("NFD", name)) == transliterate(name)


@pytest.mark.parametrize(("given_name", "expected"), [
    ("D'Artagnan", "DARTAGNAN"), ("O’Connor", "OCONNOR"), ("Marie-Élise", "MARIE<ELISE"), ("Anna Maria", "ANNA<MARIA"),
    ("  Jean  -  Paul ", "JEAN<PAUL"), ("St. John", "ST<JOHN"), ("Smith, Jr", "SMITH<JR"), ("-Anna-", "ANNA"),
])
def test_punctuation(given_name: str, expected: str) -> None:
    assert transliterate(given_name) == Transliteration(expected)


def test_untransliterated_characters_are_reported_once_in_order() -> None:
    t = transliterate("Σωκράτης Σ")
    assert t.text == ""
    assert t.untransliterated == ("Σ", "ω", "κ", "ρ", "ά", "τ", "η", "ς")
    assert not t.complete
    t = transliterate("李 Anna 3rd")
    assert (t.text, t.untransliterated) == ("ANNA<RD", ("李", "3"))
    assert transliterate("محمد").untransliterated == ("م", "ح", "د")
    assert transliterate("Anna").complete


def test_mrz_name() -> None:
    assert mrz_name("Eriksson", "Anna María") == "ERIKSSON<<ANNA<MARIA"
    assert mrz_name("Eriksson", "Anna María", 39) == "ERIKSSON<<ANNA<MARIA".ljust(39, "<")
    assert mrz_name("Madonna") == "MADONNA"
    assert mrz_name("Madonna", "", 30) == "MADONNA".ljust(30, "<")
    assert mrz_name("van der Berg", "Jan-Willem") == "VAN<DER<BERG<<JAN<WILLEM"
    assert mrz_name("Wolfeschlegelsteinhausenbergerdorff", "Hubert", 30) == "WOLFESCHLEGELSTEINHAUSENBERGER"  # cut, see docstring
    field = mrz_name_field("Σμιθ", "Анна")
    assert (field.text, field.untransliterated) == ("<<ANNA", ("Σ", "μ", "ι", "θ"))


def test_tables_produce_only_mrz_letters() -> None:
    for source, target in (LATIN | CYRILLIC).items():
        assert re.fullmatch(r"[A-Z]*", target), source


@given(st.text(max_size=40))
def test_output_is_always_mrz_safe(name: str) -> None:
    t = transliterate(name)
    assert MRZ_NAME.fullmatch(t.text)
    assert "<<" not in t.text
    assert not t.text.startswith("<") and not t.text.endswith("<")
    assert all(ch in name or ch in unicodedata.normalize("NFC", name) for ch in t.untransliterated)


@given(st.text(max_size=30), st.text(max_size=30), st.integers(1, 44))
def test_field_has_the_asked_width(primary: str, secondary: str, width: int) -> None:
    field = mrz_name(primary, secondary, width)
    assert len(field) == width
    assert MRZ_NAME.fullmatch(field)


@given(st.lists(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=4))
def test_plain_latin_words_pass_through(words: list[str]) -> None:
    t = transliterate(" ".join(words))
    assert t == Transliteration("<".join(w.upper() for w in words))
