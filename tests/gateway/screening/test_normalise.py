"""Name, date, document and country normalisation rules of screening."""

from __future__ import annotations

import pytest

from gateway.screening.normalise import all_forms, country_code, document_number, fold_tokens, keys, parse_dob, skeleton


@pytest.mark.parametrize(("raw", "tokens"), [
    ("al-Rashid, Omar", ["AL", "RASHID", "OMAR"]),
    ("Mr John O'Brien", ["JOHN", "OBRIEN"]),  # title dropped, apostrophe omitted
    ("García López, José", ["GARCIA", "LOPEZ", "JOSE"]),
    ("Nguyễn Thị Minh", ["NGUYEN", "THI", "MINH"]),
    ("Щукин Юрий", ["SHCHUKIN", "IURII"]),  # the Doc 9303 Cyrillic table
    ("محمد علي", ["MHMD", "ALY"]),  # the screening Arabic fold (consonant level)
    ("Sheikh Dr. Ali", ["ALI"]),
    ("Wang 王 Wei", ["WANG", "WEI"]),  # Han has no A-Z form: left out
])
def test_fold_tokens(raw: str, tokens: list[str]) -> None:
    assert fold_tokens(raw) == tokens


@pytest.mark.parametrize(("raw", "tokens"), [
    ("Γιώργος Παπαδόπουλος", ["GIORGOS", "PAPADOPOULOS"]),  # accents dropped, ΟΥ is OU
    ("ΕΥΑΓΓΕΛΟΣ", ["EVANGELOS"]),  # ΕΥ before a voiced sound is EV, ΓΓ is NG
    ("ΕΥΘΥΜΙΟΣ", ["EFTHYMIOS"]),  # ΕΥ before a voiceless one is EF
    ("Παύλος", ["PAVLOS"]),
    ("ΜΠΑΚΟΓΙΑΝΝΗΣ", ["BAKOGIANNIS"]),  # ΜΠ opening a word is B
    ("ΠΑΠΑΝΤΩΝΙΟΥ", ["PAPANTONIOU"]),  # ΝΤ inside it is NT
    ("Ντόρα", ["DORA"]),
    ("Ξανθή Ψαρρού", ["XANTHI", "PSARROU"]),
    ("Χρήστος Τσιρώνης", ["CHRISTOS", "TSIRONIS"]),
    ("Ταϋγέτη", ["TAYGETI"]),  # a diaeresis keeps Υ out of the diphthong
])
def test_greek_folds_by_elot_743(raw: str, tokens: list[str]) -> None:
    """The Latin form Greek passports print (ELOT 743 / ISO 843): before, Greek folded to no token at all."""
    assert fold_tokens(raw) == tokens


@pytest.mark.parametrize(("raw", "tokens"), [
    ("בנימין נתניהו", ["BNYMYN", "NTNYHW"]),
    ("בִּנְיָמִין", ["BNYMYN"]),  # points dropped
    ("ג׳ורג׳", ["JWRJ"]),  # geresh letters
    ("דוד בן-גוריון", ["DWD", "BN", "GWRYWN"]),
])
def test_hebrew_folds_to_consonants(raw: str, tokens: list[str]) -> None:
    assert fold_tokens(raw) == tokens


def test_greek_and_hebrew_names_meet_their_latin_spellings() -> None:
    assert skeleton(fold_tokens("Παπαδόπουλος")[0]) == skeleton("PAPADOPOULOS")
    assert [skeleton(t) for t in fold_tokens("בנימין נתניהו")] == [skeleton("BINYAMIN"), skeleton("NETANYAHU")]


def test_umlauts_give_both_doc9303_spellings() -> None:
    assert all_forms("Müller Hans") == [("MUELLER", "HANS"), ("MULLER", "HANS")]
    assert all_forms("Åsa Öberg") == [("AASA", "OEBERG"), ("ASA", "OBERG")]


@pytest.mark.parametrize(("raw", "forms"), [
    ("VAN DER BERG Jan", [("BERG", "JAN"), ("VANDERBERG", "JAN")]),
    ("Abu Bakr al-Baghdadi", [("ABU", "BAKR", "BAGHDADI"), ("ABU", "BAKR", "ALBAGHDADI")]),
    ("Omar bin Laden", [("OMAR", "LADEN"), ("OMAR", "BINLADEN")]),
    ("DE", [("DE",)]),  # a name that is only a particle keeps it
    ("Anna Petrova", [("ANNA", "PETROVA")]),
])
def test_particles_dropped_and_glued(raw: str, forms: list[tuple[str, ...]]) -> None:
    assert all_forms(raw) == forms


@pytest.mark.parametrize("variants", [
    ("MOHAMMED", "MUHAMMAD", "MOHAMED", "MHMD"),
    ("YUSUF", "YOUSEF", "IUSUF", "YOUSSEF"),
    ("KHALID", "HALID", "KHALED"),
    ("SHCHUKIN", "SCHUKIN"),
    ("MAHMOUD", "MAHMUD", "MHMWD"),
])
def test_transliteration_variants_share_a_skeleton(variants: tuple[str, ...]) -> None:
    assert len({skeleton(v) for v in variants}) == 1


@pytest.mark.parametrize(("a", "b"), [
    ("PETROV", "PERTOV"),  # neighbours swapped
    ("PETROV", "PETRIV"),  # vowel changed (same skeleton)
    ("KOWALSKI", "KOVALSKI"),  # substitution
    ("ABDULRAHMAN", "ABDURRAHMAN"),  # deletion + substitution folded by the skeleton
    ("OKAFOR", "OKAFFOR"),  # insertion
    ("TESTOVSKY", "TESTOWSKY"),
])
def test_one_edit_apart_tokens_share_a_blocking_key(a: str, b: str) -> None:
    assert set(keys(a)) & set(keys(b))


def test_unrelated_tokens_share_no_key() -> None:
    assert not set(keys("PETROV")) & set(keys("NAKAMURA"))


@pytest.mark.parametrize(("text", "parsed"), [
    ("1971-03-04", (1971, 1971, 3, 4, False)),
    ("1971", (1971, 1971, 0, 0, False)),
    ("1971-03", (1971, 1971, 3, 0, False)),
    ("1970..1972", (1970, 1970 + 2, 0, 0, False)),
    ("1972 to 1970", (1970, 1972, 0, 0, False)),
    ("circa 1965", (1965, 1965, 0, 0, True)),
    ("1990-13-45", None), ("nineteen sixty", None), ("", None), ("1990-02-30", None),
])
def test_parse_dob(text: str, parsed: tuple[int, int, int, int, bool] | None) -> None:
    assert parse_dob(text) == parsed


@pytest.mark.parametrize(("raw", "number"), [
    ("D 123-456 ", "D123456"), ("a05 551 234", "A05551234"), ("N/A", None), ("0", None), (None, None),
])
def test_document_numbers(raw: str | None, number: str | None) -> None:
    assert document_number(raw) == number


@pytest.mark.parametrize(("value", "code"), [
    ("IRQ", "IRQ"), ("iq", "IRQ"), ("Iraq", "IRQ"), ("Iran (Islamic Republic of)", "IRN"),
    ("Democratic People's Republic of Korea", "PRK"), ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ("Syrian Arab Republic", "SYR"), ("Côte d'Ivoire", "CIV"), ("Russian Federation", "RUS"), ("D", "DEU"),
    ("xk", "RKS"), ("Democratic Republic of the Congo", "COD"), ("Viet Nam", "VNM"), ("Narnia", None), ("", None),
])
def test_country_names_and_codes(value: str, code: str | None) -> None:
    assert country_code(value) == code
