"""Seeded generator of realistic watchlists in every supported format (fixtures, demos, the benchmark).

Nothing is downloaded and no real person's data is used: names are drawn from per-culture pools of
common name parts plus surnames built from per-culture syllables, so a list of any size has a
realistic, heavy-tailed name distribution (a few very common tokens, a long tail of rare ones — the
shape that breaks naive blocking, see ``shared/WATCHLIST.md`` §6.2). Cultures and scripts covered:
Arabic (with the name also in Arabic script), Russian (written in Cyrillic and transliterated by
ICAO Doc 9303 and by English habit), Chinese pinyin, Hispanic double surnames, Vietnamese, Nigerian
(Yoruba and Igbo), South Asian, and Germanic/Dutch with particles (VAN DER, VON, DE) and umlauts.

Dates of birth come in the shapes lists use: exact, year only, ranges, "approximately", several per
person, none. Aliases include other transliterations and word orders (good quality) and "ABU …"
style nicknames (low quality). Documents carry numbers with spaces and dashes, sometimes no state.
The same seed always gives the same list.
"""

from __future__ import annotations

import bisect
import io
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import msgspec

from gateway.screening.lists import Dob, Entry, write_csv
from gateway.screening.normalise import country_code
from validators.icao.countries import ISO_3166_1
from validators.icao.transliterate import transliterate


def _words(text: str) -> list[str]:
    """A word list written as one string (data reads better as prose than as a list of quoted words)."""
    return text.split()


_CULTURES: dict[str, dict[str, object]] = {
    "arabic": {
        "given": _words("MOHAMMED AHMED ALI OMAR KHALID YUSUF IBRAHIM HASSAN HUSSEIN ABDULLAH MAHMOUD MUSTAFA SAID KARIM "
                        "TARIQ WALID "
                 "SAMIR NABIL FAISAL HAMZA BILAL ZIYAD JAMAL RASHID FATIMA AISHA MARYAM ZAINAB LAYLA NOOR SALMA HUDA"),
        "syllables": _words("RASH ID HAK IM ZAH RAN QAS SIM BAGH DAD NAJ JAR HAD KUB AIS TAM IMI SHAM MAR ZAW AHRI HAM DAN SUL "
                     "TAN MUT AIRI QAH TAN OTAIB ANZI DOS ARI HAR BI SHEH RI"),
        "prefix": ("AL-", "AL ", "", "", "EL-"),
        "countries": ("IRQ", "SYR", "YEM", "SAU", "EGY", "JOR", "LBY", "SDN"),
    },
    "russian": {
        "given_cyr": _words("Иван Сергей Алексей Дмитрий Юрий Андрей Николай Михаил Пётр Владимир Олег Евгений Ольга Наталья "
                     "Татьяна Юлия Ксения Светлана"),
        "roots_cyr": _words("Петр Иван Смирн Кузнец Волк Сокол Лебед Козл Новик Мороз Жук Щерб Хрущ Цвет Юрь Яков Бел Орл Зайц "
                     "Медвед Гусь Шишк Кисел Ершов Федор Чернышёв Громык Щукин Жидк Ковал"),
        "suffix_cyr": ("ов", "ев", "ин", "ский", "енко", "ович"),
        "countries": ("RUS", "UKR", "BLR", "KAZ"),
    },
    "chinese": {
        "surnames": _words("WANG LI ZHANG LIU CHEN YANG HUANG ZHAO WU ZHOU XU SUN MA ZHU HU GUO HE GAO LIN LUO ZHENG LIANG XIE "
                    "SONG TANG XU HAN FENG DENG CAO PENG ZENG XIAO TIAN DONG YUAN PAN YU JIANG CAI"),
        "syllables": _words("XIAO MING JIAN HUA WEI LI NA FANG YONG JUN JIE TAO HONG YAN LING QIANG PING GANG HUI BO YU ZHI "
                     "CHUN DONG MEI XIA SHAN KAI"),
        "countries": ("CHN", "TWN", "SGP", "HKG"),
    },
    "hispanic": {
        "given": _words("JOSE MARIA JUAN CARLOS LUIS JORGE PEDRO MANUEL ANTONIO FRANCISCO JESUS MIGUEL ANA LUCIA CARMEN ROSA "
                 "ISABEL ALEJANDRO DIEGO FERNANDO RAUL SOFIA VALENTINA"),
        "surnames": _words("GARCIA LOPEZ RODRIGUEZ MARTINEZ HERNANDEZ GONZALEZ PEREZ SANCHEZ RAMIREZ TORRES FLORES DIAZ GOMEZ "
                    "SILVA SANTOS ORTIZ MORALES VARGAS CASTILLO JIMENEZ RUIZ MENDOZA"),
        "syllables": _words("BAR VAL ZU ETA GA LLE CAS TRO MON TE NE GRO ARA GON ESC OBAR QUI ROGA SAL AZAR"),
        "countries": ("MEX", "COL", "VEN", "ESP", "PER", "ARG", "GTM"),
    },
    "vietnamese": {
        "surnames": _words("NGUYEN TRAN LE PHAM HOANG HUYNH PHAN VU VO DANG BUI DO HO NGO DUONG LY"),
        "middle": ("VAN", "THI", "DUC", "MINH", "NGOC", "HUU"),
        "given": _words("ANH BAO CHI DUNG HA HAI HIEU HOA HUNG KHANH LAN LINH LONG MAI NAM PHUONG QUANG SON THANH THAO TUAN "
                 "TRUNG VIET XUAN YEN"),
        "countries": ("VNM",),
    },
    "nigerian": {
        "given": _words("CHUKWUEMEKA NNAMDI OLUWASEUN ADEBAYO CHIAMAKA NGOZI EMEKA IFEANYI TUNDE FOLASADE YETUNDE BABATUNDE "
                 "OBINNA KEHINDE TAIWO AMINU MUSA IBRAHIM HALIMA"),
        "syllables": _words("OLU WA SEUN ADE BAYO OKA FOR EZE OBI NNA KWE CHU KWU EME KA IFE ANYI OGU NDU ONYE AKIN DELE BAN "
                     "JO OKO NKWO"),
        "countries": ("NGA", "GHA", "CMR", "BEN"),
    },
    "south_asian": {
        "given": _words("RAHUL PRIYA SANJAY ANIL SUNIL AMIT DEEPAK POOJA RAJESH VIKRAM ARJUN NEHA KAVITA IMRAN FARHAN AYESHA "
                 "MOHAMMED ABDUL HAMID SHAHID"),
        "surnames": _words("SHARMA PATEL SINGH KUMAR GUPTA SHAH KHAN QURESHI CHAUDHRY MALIK IYER REDDY NAIR MENON JOSHI"),
        "syllables": _words("RAJ PUT CHAND RA SEN GUP TA VAR MA DWI VEDI SRI VAS TAVA BHAT NAGAR KAR ANI WALA DESAI"),
        "countries": ("IND", "PAK", "BGD", "LKA", "AFG"),
    },
    "germanic": {
        "given": _words("HANS JAN PIETER KLAUS JÜRGEN JÖRG ANNA GRETA SÖREN LARS DIRK WILLEM HENDRIK FRIEDRICH KARL LUKAS "
                 "SOPHIE EMMA MAARTEN"),
        "roots": _words("BERG MÜLL SCHRÖD BRÜCK HAUS WALD STEIN FELD BACH DORF HOLZ KÖNIG GRÜN BRAND ZIEGL HOEK DIJK WOUD "
                 "VELDE LINDE"),
        "suffix": ("ER", "MANN", "HOFF", "E", "EN", "ERT", ""),
        "particles": ("VAN DER ", "VAN ", "VON ", "DE ", "TER ", "", "", ""),
        "countries": ("DEU", "NLD", "AUT", "CHE", "BEL"),
    },
}
_CULTURE_WEIGHTS = {"arabic": 3, "russian": 2, "chinese": 2, "hispanic": 2, "vietnamese": 1, "nigerian": 1, "south_asian": 2,
                    "germanic": 1}
# A rough Latin → Arabic consonant map, only to give Arabic names an original-script form.
_TO_ARABIC = {"SH": "ش", "KH": "خ", "TH": "ث", "GH": "غ", "DH": "ذ", "B": "ب", "T": "ت", "J": "ج", "H": "ه", "D": "د",
              "R": "ر", "Z": "ز", "S": "س", "F": "ف", "Q": "ق", "K": "ك", "L": "ل", "M": "م", "N": "ن", "W": "و", "Y": "ي",
              "A": "ا", "I": "ي", "U": "و", "O": "و", "E": ""}
_ENGLISH_HABIT = (("IU", "YU"), ("IA", "YA"), ("II", "Y"), ("KH", "H"), ("EI", "EY"), ("IEV", "YEV"))


def _zipf_cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))


class _Pool:
    """A culture's name parts in a fixed random order with Zipf weights: a few common, a long tail."""

    def __init__(self, items: list[str], s: float) -> None:
        self.items = items
        self.cum = _zipf_cum(len(items), s)

    def draw(self, rnd: random.Random) -> str:
        return self.items[bisect.bisect_left(self.cum, rnd.random() * self.cum[-1])]


def _syllable_names(rnd: random.Random, syllables: list[str], count: int) -> list[str]:
    names: set[str] = set()
    combos = [a + b for a in syllables for b in syllables if a != b] + [a + b + c for a in syllables[:15] for b in syllables
                                                                         for c in syllables[:12] if len({a, b, c}) == 3]
    rnd.shuffle(combos)
    for combo in combos:
        if 4 <= len(combo) <= 13:
            names.add(combo)
        if len(names) >= count:
            break
    out = sorted(names)
    rnd.shuffle(out)
    return out


class Generator:
    """Draws synthetic listed persons; ``entries(n)`` yields :class:`Entry` records with ids ``G{seed}-{n}``."""

    def __init__(self, seed: int = 1) -> None:
        self.seed = seed
        self.rnd = rnd = random.Random(seed)
        self.cultures = list(_CULTURE_WEIGHTS)
        self.culture_cum = list(itertools.accumulate(_CULTURE_WEIGHTS[c] for c in self.cultures))
        c = _CULTURES
        self.pools: dict[str, dict[str, _Pool]] = {
            "arabic": {"given": _Pool(list(c["arabic"]["given"]), 1.0),  # type: ignore[arg-type]
                       "surname": _Pool(_syllable_names(rnd, c["arabic"]["syllables"], 6000), 0.8)},  # type: ignore[arg-type]
            "chinese": {"surname": _Pool(list(c["chinese"]["surnames"]), 1.0),  # type: ignore[arg-type]
                        "given": _Pool([a + b for a in c["chinese"]["syllables"] for b in c["chinese"]["syllables"]]  # type: ignore[attr-defined]
                                       + list(c["chinese"]["syllables"]), 0.6)},  # type: ignore[arg-type]
            "hispanic": {"given": _Pool(list(c["hispanic"]["given"]), 1.0),  # type: ignore[arg-type]
                         "surname": _Pool(list(c["hispanic"]["surnames"]) + [s + "EZ" for s in _syllable_names(  # type: ignore[operator]
                             rnd, c["hispanic"]["syllables"], 4000)], 0.9)},  # type: ignore[arg-type]
            "vietnamese": {"surname": _Pool(list(c["vietnamese"]["surnames"]), 1.2),  # type: ignore[arg-type]
                           "given": _Pool(list(c["vietnamese"]["given"]), 0.7)},  # type: ignore[arg-type]
            "nigerian": {"given": _Pool(list(c["nigerian"]["given"]), 0.9),  # type: ignore[arg-type]
                         "surname": _Pool(_syllable_names(rnd, c["nigerian"]["syllables"], 6000), 0.8)},  # type: ignore[arg-type]
            "south_asian": {"given": _Pool(list(c["south_asian"]["given"]), 1.0),  # type: ignore[arg-type]
                            "surname": _Pool(list(c["south_asian"]["surnames"]) + _syllable_names(  # type: ignore[operator]
                                rnd, c["south_asian"]["syllables"], 5000), 0.9)},  # type: ignore[arg-type]
            "russian": {"given": _Pool(list(c["russian"]["given_cyr"]), 1.0),  # type: ignore[arg-type]
                        "surname": _Pool([r + s for r in c["russian"]["roots_cyr"] for s in c["russian"]["suffix_cyr"]]  # type: ignore[attr-defined]
                                         + [r + s for r in _syllable_names(rnd, _words("KOR BAS MAK RYB LOV TIK "
                                            "SHIL GRIG NIK FOM KRA SNOV PAL ZUB"), 3000)
                                            for s in ("OV",)], 0.8)},
            "germanic": {"given": _Pool(list(c["germanic"]["given"]), 1.0),  # type: ignore[arg-type]
                         "surname": _Pool([r + s for r in c["germanic"]["roots"] for s in c["germanic"]["suffix"]]  # type: ignore[attr-defined]
                                          + _syllable_names(rnd, _words("BRO EK HOF MAN STRA WIN KEL HU BER TEN GEL"), 2000),
                                          0.8)},
        }
        self.count = 0

    # --- one person ------------------------------------------------------------------------------------
    def culture(self) -> str:
        return self.cultures[bisect.bisect_left(self.culture_cum, self.rnd.random() * self.culture_cum[-1])]

    def person_names(self, culture: str) -> tuple[str, list[str], list[str], str | None]:
        """(primary name, good aliases, low aliases, original-script name) for one person of a culture."""
        rnd, pools = self.rnd, self.pools[culture]
        good: list[str] = []
        weak: list[str] = []
        original: str | None = None
        if culture == "arabic":
            given, father = pools["given"].draw(rnd), pools["given"].draw(rnd)
            prefix = rnd.choice(_CULTURES["arabic"]["prefix"])  # type: ignore[arg-type]
            family = prefix + pools["surname"].draw(rnd)
            primary = f"{given} {father} {family}" if rnd.random() < 0.6 else f"{given} {family}"
            original = _arabic_script(primary)
            if rnd.random() < 0.4:
                good.append(f"{_vowel_variant(given)} {family.replace('AL-', 'AL ')}")
            if rnd.random() < 0.3:
                weak.append(f"ABU {pools['given'].draw(rnd)}")
        elif culture == "russian":
            given_cyr, surname_cyr = pools["given"].draw(rnd), pools["surname"].draw(rnd)
            if given_cyr.endswith(("а", "я")) and surname_cyr.endswith(("ов", "ев", "ин")):
                surname_cyr += "а"
            patronymic = rnd.choice(("Иванович", "Сергеевич", "Петрович", "Алексеевич", ""))
            cyr = " ".join(p for p in (surname_cyr, given_cyr, patronymic) if p)
            primary = transliterate(cyr).text.replace("<", " ")
            original = cyr
            english = primary
            for old, new in _ENGLISH_HABIT:
                english = english.replace(old, new)
            if english != primary:
                good.append(english)
        elif culture == "chinese":
            surname, given = pools["surname"].draw(rnd), pools["given"].draw(rnd)
            primary = f"{surname} {given}"
            if len(given) > 4 and rnd.random() < 0.4:
                good.append(f"{given} {surname}")
        elif culture == "hispanic":
            given = pools["given"].draw(rnd) + (f" {pools['given'].draw(rnd)}" if rnd.random() < 0.3 else "")
            paternal, maternal = pools["surname"].draw(rnd), pools["surname"].draw(rnd)
            primary = f"{given} {paternal} {maternal}"
            if rnd.random() < 0.4:
                good.append(f"{given} {paternal}")
            if rnd.random() < 0.2:
                weak.append(f"EL {rnd.choice(('FLACO', 'GORDO', 'CHINO', 'TIGRE', 'COMPADRE'))}")
        elif culture == "vietnamese":
            primary = f"{pools['surname'].draw(rnd)} {rnd.choice(_CULTURES['vietnamese']['middle'])} {pools['given'].draw(rnd)}"  # type: ignore[arg-type]
        elif culture == "nigerian":
            primary = f"{pools['given'].draw(rnd)} {pools['surname'].draw(rnd)}"
            if rnd.random() < 0.3:
                primary = f"{pools['given'].draw(rnd)} {primary}"
        elif culture == "south_asian":
            primary = f"{pools['given'].draw(rnd)} {pools['surname'].draw(rnd)}"
            if rnd.random() < 0.2:
                good.append(primary.replace("MOHAMMED", "MD").replace("MOHAMMAD", "MD"))
        else:
            particle = rnd.choice(_CULTURES["germanic"]["particles"])  # type: ignore[arg-type]
            surname = pools["surname"].draw(rnd)
            primary = f"{pools['given'].draw(rnd)} {particle}{surname.capitalize() if rnd.random() < 0.2 else surname}"
        good = [g for g in dict.fromkeys(good) if g != primary]
        return primary, good, weak, original

    def dobs(self) -> tuple[Dob, ...]:
        rnd = self.rnd
        year = rnd.randint(1940, 2002)
        shape = rnd.random()
        if shape < 0.05:
            return ()
        if shape < 0.60:
            return (Dob(year, year, rnd.randint(1, 12), rnd.randint(1, 28)),)
        if shape < 0.75:
            return (Dob(year, year),)
        if shape < 0.80:
            return (Dob(year - 1, year + 1),)
        if shape < 0.85:
            return (Dob(year, year, approximate=True),)
        if shape < 0.90:
            return (Dob(year, year, rnd.randint(1, 12)),)
        other = year + rnd.choice((-1, 1, 2))
        return (Dob(year, year, rnd.randint(1, 12), rnd.randint(1, 28)), Dob(min(other, year + 1), max(other, year + 1)))

    def documents(self, nationality: str) -> tuple[tuple[str, str | None], ...]:
        rnd = self.rnd
        if rnd.random() < 0.5:
            return ()
        number = f"{rnd.choice('ABCDEHKLNPX')}{rnd.randrange(10 ** 7):07d}"
        state: str | None = nationality if rnd.random() < 0.85 else None
        return ((number, state),)

    def entry(self) -> Entry:
        self.count += 1
        culture = self.culture()
        primary, good, weak, original = self.person_names(culture)
        names = [primary, *good] + ([original] if original else [])
        nationality = self.rnd.choice(_CULTURES[culture]["countries"])  # type: ignore[arg-type]
        return Entry(f"G{self.seed}-{self.count:07d}", tuple(dict.fromkeys(names)), tuple(weak), self.dobs(), (nationality,),
                     self.documents(nationality), culture, f"generated {culture} entry")

    def entries(self, n: int) -> Iterator[Entry]:
        for _ in range(n):
            yield self.entry()


def _vowel_variant(name: str) -> str:
    return name.replace("OU", "U").replace("EE", "I").replace("MOHAMMED", "MUHAMMAD").replace("YUSUF", "YOUSEF")


def _arabic_script(name: str) -> str:
    out = []
    for word in name.replace("-", " ").split():
        i, letters = 0, []
        while i < len(word):
            pair = word[i:i + 2]
            if pair in _TO_ARABIC:
                letters.append(_TO_ARABIC[pair])
                i += 2
            else:
                letters.append(_TO_ARABIC.get(word[i], ""))
                i += 1
        out.append("".join(letters))
    return " ".join(out)


def generate(n: int, seed: int = 1) -> list[Entry]:
    """``n`` generated entries (deterministic for a seed)."""
    return list(Generator(seed).entries(n))


# --- writers -------------------------------------------------------------------------------------------

def _country_name(code: str) -> str:
    row = ISO_3166_1.get(code)
    return (row[2] or row[1]) if row else code


def write_un(entries: list[Entry], out: io.TextIOBase) -> None:
    """The UN Consolidated List XML shape (INDIVIDUAL records; countries as English names)."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">\n<INDIVIDUALS>\n')
    for n, e in enumerate(entries, 1):
        parts = e.names[0].split()
        extra = [nm for nm in e.names[1:] if not nm.isascii()]
        good = [nm for nm in e.names[1:] if nm.isascii()]
        x = [f"<INDIVIDUAL><DATAID>{6_900_000 + n}</DATAID><VERSIONNUM>1</VERSIONNUM>"]
        for tag, part in zip(("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"),
                             [*parts[:3], " ".join(parts[3:])] if len(parts) > 4 else parts, strict=False):
            x.append(f"<{tag}>{escape(part)}</{tag}>")
        x.append(f"<UN_LIST_TYPE>{escape(e.source or 'Generated')}</UN_LIST_TYPE>")
        x.append(f"<REFERENCE_NUMBER>{escape(e.id)}</REFERENCE_NUMBER>")
        x.append("<LISTED_ON>2020-01-02</LISTED_ON>")
        if extra:
            x.append(f"<NAME_ORIGINAL_SCRIPT>{escape(extra[0])}</NAME_ORIGINAL_SCRIPT>")
        x.append(f"<COMMENTS1>{escape(e.reason or '')}</COMMENTS1>")
        values = "".join(f"<VALUE>{escape(_country_name(c))}</VALUE>" for c in e.nationalities)
        x.append(f"<NATIONALITY>{values}</NATIONALITY>")
        x.append("<LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE><LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED>")
        for alias in good:
            x.append(f"<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>{escape(alias)}</ALIAS_NAME></INDIVIDUAL_ALIAS>")
        for alias in e.weak_names:
            x.append(f"<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>{escape(alias)}</ALIAS_NAME></INDIVIDUAL_ALIAS>")
        x.append("<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>")
        for d in e.dobs:
            if d.year_from != d.year_to:
                x.append("<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>"
                         f"<FROM_YEAR>{d.year_from}</FROM_YEAR><TO_YEAR>{d.year_to}</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>")
            elif d.month and d.day:
                x.append("<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>"
                         f"<DATE>{d.year_from:04d}-{d.month:02d}-{d.day:02d}</DATE></INDIVIDUAL_DATE_OF_BIRTH>")
            else:
                kind = "APPROXIMATELY" if d.approximate else "EXACT"
                x.append(f"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>{kind}</TYPE_OF_DATE><YEAR>{d.year_from}</YEAR>"
                         "</INDIVIDUAL_DATE_OF_BIRTH>")
        for number, state in e.documents:
            spaced = f"{number[:1]} {number[1:4]}-{number[4:]}" if len(number) > 5 else number
            country = f"<ISSUING_COUNTRY>{escape(_country_name(state))}</ISSUING_COUNTRY>" if state else ""
            x.append(f"<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>{spaced} </NUMBER>{country}"
                     "</INDIVIDUAL_DOCUMENT>")
        x.append("<INDIVIDUAL_DOCUMENT/><SORT_KEY/><SORT_KEY_LAST_MOD/></INDIVIDUAL>\n")
        out.write("".join(x))
    out.write("</INDIVIDUALS>\n<ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>GENERATED TRADING CO</FIRST_NAME>"
              "<REFERENCE_NUMBER>GEe.1</REFERENCE_NUMBER></ENTITY></ENTITIES>\n</CONSOLIDATED_LIST>\n")


def write_ftm(entries: list[Entry], out: io.TextIOBase) -> None:
    """FollowTheMoney JSON lines: Person entities, plus a Passport entity for every other document."""
    encoder = msgspec.json.Encoder()
    for e in entries:
        props: dict[str, list[str]] = {"name": [e.names[0]]}
        if e.names[1:]:
            props["alias"] = list(e.names[1:])
        if e.weak_names:
            props["weakAlias"] = list(e.weak_names)
        dobs = [d.describe().removeprefix("circa ") for d in e.dobs if d.year_from == d.year_to]
        if dobs:
            props["birthDate"] = dobs
        props["nationality"] = [ISO_3166_1[c][0].lower() for c in e.nationalities if c in ISO_3166_1]
        props["topics"] = ["sanction"]
        entity = {"id": e.id, "schema": "Person", "properties": props, "datasets": ["generated"]}
        out.write(encoder.encode(entity).decode() + "\n")
        for k, (number, state) in enumerate(e.documents):
            doc = {"id": f"{e.id}-doc{k}", "schema": "Passport",
                   "properties": {"holder": [e.id], "number": [number], **({"country": [ISO_3166_1[state][0].lower()]}
                                                                         if state in ISO_3166_1 else {})}}
            out.write(encoder.encode(doc).decode() + "\n")


def write_list(entries: list[Entry], fmt: str, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        if fmt == "un":
            write_un(entries, out)  # type: ignore[arg-type]
        elif fmt == "ftm":
            write_ftm(entries, out)  # type: ignore[arg-type]
        elif fmt == "csv":
            write_csv(entries, out, "GENERATED")  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown format {fmt!r}")


__all__ = ["Generator", "country_code", "generate", "write_list"]
