"""Parse and normalise Taiwanese postal addresses (門牌地址) into components and one canonical form.

Pure domain code: stdlib only, no Django. The administrative divisions (22 縣市, 368 鄉鎮市區 and
their 3-digit postal codes) live in ``data/tw_admin_divisions.json``; that file cites its sources
(內政部 行政區域代碼, 中華郵政 3+3 郵遞區號).

What the parser accepts
    Full-width and half-width characters (Unicode NFKC, which also folds CJK compatibility and
    Kangxi-radical look-alikes from PDFs), 台 or 臺, the miswritten 巿 for 市, ○ for the numeral 〇,
    simplified forms of the address keywords only (号 楼 区 县 乡 镇 邻 层), invisible zero-width
    characters, spaces and commas between parts (、 is text, not a separator: 1、2樓 stays together),
    a leading country (中華民國, 臺灣 before a city name, 臺灣省, 福建省), a leading 3-, 5- or 6-digit
    postal code (``330``, ``33041``, ``330041``, ``(330)``), Chinese or Arabic numerals in
    段/巷/弄/號/樓/鄰/室 (三段, 第三段, 一二三號, 一百二十三號, 壹佰號, 十五樓, 二十之一號, 廿一巷), 之
    sub-numbers written ``12之3``, ``12-3`` or ``12號之3``, floors written ``7樓``, ``七樓``, ``7F``,
    ``7f``, ``B1``, ``B1F``, ``地下一樓``, ``地下1層``, ``5樓之2``, ``5F-2`` or ``5-2樓``, rooms
    (``705室``, ``A室``), 里/村 and 鄰, a house number without 號 when a space or the end follows
    (``中正路100 5F``), and roads ending in 路/街/大道 with a numbered section (中正路三段) or a named
    one (中豐路上林段, 祥和一路東段: kept as part of the road name).

Administrative names
    * A city (直轄市/市/縣) may be missing: a district name that exists in one city only gives the
      city (中壢區 → 桃園市). An ambiguous district (中正區: 臺北市 and 基隆市) leaves the city
      unknown unless a postal code or ``default_city`` settles it. Evidence in the text (a unique
      district, a postal code) wins over ``default_city``, which only fills a gap.
    * A postal code must agree with the city and district (``address.postal_code_mismatch``);
      its first three digits identify the district (新竹市 300 and 嘉義市 600 only the city), so it
      also fills in a missing city or district.
    * Old names are mapped to today's: 桃園縣 → 桃園市 (直轄市 since 2014-12-25), and on 2010-12-25
      臺北縣 → 新北市, 臺中縣 → 臺中市, 臺南縣 → 臺南市, 高雄縣 → 高雄市. A former 鄉/鎮/縣轄市 is found by
      its name with another suffix (桃園縣中壢市 → 桃園市中壢區, 員林鎮 → 員林市), and the few renames
      that are not suffix changes are listed in the data file (高雄縣三民鄉 → 那瑪夏區, not 三民區;
      臺南市中區/西區 → 中西區). A former name that fits several of today's districts (東勢鎮: 臺中市東勢區
      or 雲林縣東勢鄉) raises ``address.ambiguous_district`` unless the city is known. 村 are not
      renamed 里 (復興鄉澤仁村 stays 澤仁村): the village names are not in the data.
    * A short city name (桃園, 台北) is read as a city when a district of that city follows
      (``桃園中壢區``, ``新竹東區`` → 新竹市), or, for the short name of a single city, when a road of at
      least two characters follows (``台北中山北路``); ``桃園市`` alone is the 直轄市, never the former
      縣轄市 (now 桃園區), and ``臺東市`` is the 縣轄市 of 臺東縣.
    * A district may be written without its suffix (``桃園市中壢中正路``) only when the stem has two
      or more characters, names exactly one district in scope (and, without a city, is not also a
      short city name), and a road of at least two characters follows it; so
      ``臺北市松山路`` stays the road 松山路, ``高雄市左營大路`` the road 左營大路, and ``三民里中正路`` the
      village 三民里.
    * A district that belongs to another city (``桃園市板橋區``) raises ``address.unknown_district``.
    * A 里/村 counts when a space, the end, or another component follows it (新村路 stays a road);
      the longest such name wins (三村里).

Canonical form (``Address.canonical``)
    ``{city}{district}{village}{N鄰}{road}{section as Chinese numeral}段{lane}巷{alley}弄{number}號
    {floor}樓[之{floor_sub}]{room}室`` with every missing part left out, e.g.
    ``桃園市中壢區中正路三段12巷3弄5之1號7樓之2``. Rules: 臺 everywhere (the official form, also in road
    names, so 台灣大道 and 臺灣大道 compare equal); half-width Arabic digits without leading zeros for
    鄰/巷/弄/號/樓/室; sections as Chinese numerals, as on road signs and in the 內政部 門牌 data;
    basements as ``地下1樓``; one space between 樓之N and a room number (``7樓之2 705室``, since
    ``7樓之2705室`` is ambiguous); 里/村 and 鄰 only when the input gave them (the household registry
    writes them, street signs do not): ``canonical_street`` leaves them, the floor and the room out
    for matching. The postal code is not part of the canonical form; it is a separate component.
    Text that cannot be read as a component (a building name, 巷口, an intersection) is never
    dropped: everything from the first unreadable character on is kept in ``extra`` and appended
    after one space. Parsing the canonical form gives back the same components (apart from
    ``postal_code``), so normalising is idempotent.

Not supported (documented limits rather than guesses)
    English-style addresses (``No. 5, Zhongzheng Rd., Taoyuan``) raise ``address.english_format``;
    Simplified Chinese beyond the keywords above, land lots (地號), named lanes (福德巷), a fourth
    level below 弄 (衖) and anything after them end up in ``extra`` (or, before a road, in the road
    name). A house number is not mandatory: road-only and village-only addresses exist
    (連江縣南竿鄉介壽村76號).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from powerdesk.core.domain.errors import DomainError

__all__ = [
    "Address",
    "AddressError",
    "City",
    "District",
    "NumberRange",
    "Parity",
    "admin_divisions",
    "int_to_numeral",
    "normalize_address",
    "numeral_to_int",
    "parse_address",
    "parse_number_range",
    "same_address",
]

_DATA_FILE: Final = Path(__file__).parent / "data" / "tw_admin_divisions.json"


class AddressError(DomainError):
    """An address, numeral or number range that cannot be read without guessing."""


# ------------------------------------------------------------------------------------------------
# Numerals
# ------------------------------------------------------------------------------------------------

_DIGIT_VALUES: Final[dict[str, int]] = {
    **{str(d): d for d in range(10)},
    "〇": 0,
    "零": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "貳": 2,
    "兩": 2,
    "三": 3,
    "參": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNIT_VALUES: Final[dict[str, int]] = {
    "十": 10,
    "拾": 10,
    "百": 100,
    "佰": 100,
    "千": 1000,
    "仟": 1000,
}
_TENS_VALUES: Final[dict[str, int]] = {"廿": 20, "卅": 30, "卌": 40}
_MYRIAD: Final = "萬"
_DIGIT_CHARS: Final = "零一二三四五六七八九"


def _bad_numeral(text: str, *, reason_zh: str, reason_en: str) -> AddressError:
    return AddressError(
        code="address.bad_numeral",
        zh_hant=f"「{text}」不是可辨識的數字：{reason_zh}。",
        en=f"'{text}' is not a readable number: {reason_en}.",
        details={"text": text},
    )


def numeral_to_int(text: str) -> int:
    """Return the value of a number written in Chinese or Arabic (full- or half-width) numerals.

    Accepts digit-by-digit forms (``一二三`` = 123, ``一〇五`` = 105), positional forms with
    十/百/千/萬 (``一百零五``, ``十五``, ``二十``), 兩 for 2, 廿/卅/卌 for 20/30/40, and the financial
    forms (壹貳參…拾佰仟). The colloquial abbreviation ``一百五`` (=150) is rejected as ambiguous.
    Raise ``AddressError`` (code ``address.bad_numeral``) for anything else.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise _bad_numeral(text, reason_zh="空白", reason_en="it is empty")
    if all(ch in _DIGIT_VALUES for ch in s):
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in s))
    total = 0  # completed 萬 group, already multiplied
    group = 0  # value inside the current 萬 group
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 10_000  # units must strictly decrease inside a group
    zero_gap = False  # a 零 was written since the last unit
    for ch in s:
        if ch in _DIGIT_VALUES:
            if pending is not None:
                raise _bad_numeral(text, reason_zh="兩個數字相連", reason_en="two digits in a row")
            value = _DIGIT_VALUES[ch]
            if value == 0:
                zero_gap = True
            else:
                pending = value
        elif ch in _UNIT_VALUES:
            unit = _UNIT_VALUES[ch]
            if unit >= last_unit:
                raise _bad_numeral(text, reason_zh="位數順序錯誤", reason_en="units out of order")
            if pending is None and unit != 10:
                raise _bad_numeral(
                    text, reason_zh=f"「{ch}」前缺少數字", reason_en=f"no digit before '{ch}'"
                )
            group += (pending or 1) * unit
            pending, last_unit, zero_gap = None, unit, False
        elif ch in _TENS_VALUES:
            if pending is not None or last_unit <= 10:
                raise _bad_numeral(text, reason_zh="位數順序錯誤", reason_en="units out of order")
            group += _TENS_VALUES[ch]
            last_unit, zero_gap = 10, False
        elif ch == _MYRIAD:
            group += pending or 0
            if total or not group:
                raise _bad_numeral(text, reason_zh="「萬」用法錯誤", reason_en="misplaced '萬'")
            total, group, pending, last_unit, zero_gap = group * 10_000, 0, None, 10_000, False
        else:
            raise _bad_numeral(
                text, reason_zh=f"「{ch}」不是數字", reason_en=f"'{ch}' is not a numeral"
            )
    if pending is not None:
        if last_unit != 10 and not zero_gap:
            raise _bad_numeral(
                text,
                reason_zh="口語省略寫法（如「一百五」）有歧義",
                reason_en="the colloquial short form (like 一百五 for 150) is ambiguous",
            )
        group += pending
    elif zero_gap:
        raise _bad_numeral(text, reason_zh="以「零」結尾", reason_en="it ends with 零")
    return total + group


def _below_10000(n: int, *, leading: bool) -> str:
    """Chinese numeral for 1 <= n <= 9999; ``leading`` writes 10-19 as 十… rather than 一十…."""
    if leading and 10 <= n < 20:
        return "十" + (_DIGIT_CHARS[n - 10] if n > 10 else "")
    out: list[str] = []
    zero = False
    for unit, unit_char in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit)
        if digit:
            if zero:
                out.append("零")
                zero = False
            out.append(_DIGIT_CHARS[digit] + unit_char)
        elif out:
            zero = True
    return "".join(out)


def int_to_numeral(n: int) -> str:
    """Write 0 <= n < 100,000,000 in Chinese numerals (3 → 三, 12 → 十二, 105 → 一百零五)."""
    if not 0 <= n < 100_000_000:
        raise ValueError(f"int_to_numeral handles 0 to 99,999,999, not {n}")
    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    out = _below_10000(high, leading=True) + _MYRIAD if high else ""
    if low:
        if high and low < 1000:
            out += "零"
        out += _below_10000(low, leading=not high)
    return out


# ------------------------------------------------------------------------------------------------
# Administrative divisions
# ------------------------------------------------------------------------------------------------

_DISTRICT_KINDS: Final[dict[str, str]] = {"區": "區", "市": "縣轄市", "鎮": "鎮", "鄉": "鄉"}
_DISTRICT_SUFFIXES: Final = frozenset(_DISTRICT_KINDS)


@dataclass(frozen=True, slots=True)
class District:
    """One 鄉鎮市區 (district, county-administered city, urban or rural township)."""

    name: str  # official name with 臺, e.g. "中壢區", "臺東市"
    city: str  # official name of its 縣市
    postal_code: str  # 3-digit 郵遞區號

    @property
    def kind(self) -> str:
        """區, 縣轄市, 鎮 or 鄉 (from the name's suffix)."""
        return _DISTRICT_KINDS[self.name[-1]]


@dataclass(frozen=True, slots=True)
class City:
    """One of the 22 縣市: a 直轄市, a (provincial) 市 or a 縣."""

    name: str
    kind: str  # "直轄市", "市" or "縣"
    districts: tuple[District, ...]


@dataclass(frozen=True, slots=True)
class _Scope:
    """Lookup tables for district names, either inside one city or across the whole country."""

    exact: dict[str, tuple[District, ...]]  # official and renamed names
    stems: dict[str, tuple[District, ...]]  # name without its suffix (two or more characters)
    bare: dict[str, District]  # stems that may stand without a suffix: unique in the scope


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    cities: tuple[City, ...]
    by_city: dict[str, City]
    city_names: dict[str, str]  # official and former full names → official name
    short_names: dict[str, tuple[str, ...]]  # 桃園 → (桃園市,), 新竹 → (新竹市, 新竹縣)
    in_city: dict[str, _Scope]
    country: _Scope
    by_postal_code: dict[str, tuple[District, ...]]


def _add(table: dict[str, tuple[District, ...]], key: str, district: District) -> None:
    table[key] = (*table.get(key, ()), district)


def _load_gazetteer() -> _Gazetteer:
    raw = json.loads(_DATA_FILE.read_text(encoding="utf-8"))
    cities = tuple(
        City(
            name=c["name"],
            kind=c["kind"],
            districts=tuple(
                District(name=d["name"], city=c["name"], postal_code=d["postal_code"])
                for d in c["districts"]
            ),
        )
        for c in raw["cities"]
    )
    city_names = {c.name: c.name for c in cities}
    city_names.update({r["old"]: r["new"] for r in raw["renamed_cities"]})
    short_names: dict[str, tuple[str, ...]] = {}
    for city in cities:
        short_names[city.name[:-1]] = (*short_names.get(city.name[:-1], ()), city.name)
    by_name = {(d.city, d.name): d for c in cities for d in c.districts}
    in_city: dict[str, _Scope] = {}
    country = _Scope(exact={}, stems={}, bare={})
    for city in cities:
        scope = _Scope(exact={}, stems={}, bare={})
        for district in city.districts:
            _add(scope.exact, district.name, district)
            _add(country.exact, district.name, district)
            stem = district.name[:-1]
            if len(stem) >= 2:
                _add(scope.stems, stem, district)
                _add(country.stems, stem, district)
        scope.bare.update(
            {stem: found[0] for stem, found in scope.stems.items() if len(found) == 1}
        )
        in_city[city.name] = scope
    # Without a city, a bare stem that is also a short city name (桃園) means the city.
    country.bare.update(
        {
            stem: found[0]
            for stem, found in country.stems.items()
            if len(found) == 1 and stem not in short_names
        }
    )
    for rename in raw["renamed_districts"]:
        district = by_name[(rename["city"], rename["new"])]
        in_city[rename["city"]].exact[rename["old"]] = (district,)
        if rename["old"] not in country.exact:  # today's names win over former ones
            country.exact[rename["old"]] = (district,)
    by_postal_code: dict[str, tuple[District, ...]] = {}
    for city in cities:
        for district in city.districts:
            _add(by_postal_code, district.postal_code, district)
    return _Gazetteer(
        cities=cities,
        by_city={c.name: c for c in cities},
        city_names=city_names,
        short_names=short_names,
        in_city=in_city,
        country=country,
        by_postal_code=by_postal_code,
    )


_GAZETTEER: Final = _load_gazetteer()


def admin_divisions() -> tuple[City, ...]:
    """Return the 22 縣市 with their 鄉鎮市區 and postal codes, as loaded from the data file."""
    return _GAZETTEER.cities


# ------------------------------------------------------------------------------------------------
# Text preparation
# ------------------------------------------------------------------------------------------------

_CHAR_MAP: Final = str.maketrans(
    {
        "台": "臺",
        "巿": "市",  # U+5DFF, a frequent typo for 市
        "号": "號",
        "楼": "樓",
        "区": "區",
        "县": "縣",
        "乡": "鄉",
        "镇": "鎮",
        "邻": "鄰",
        "层": "層",
        "○": "〇",  # U+25CB, widely typed for the numeral 〇
        "◯": "〇",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "─": "-",
        "〜": "~",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_SPACES_RE: Final = re.compile(r"[\s,]+")
_CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f〇"
_BAD_CHAR_RE: Final = re.compile(rf"[^{_CJK}0-9A-Za-z ,.\-()/#~、&'「」『』:;·]")
_ENGLISH_RE: Final = re.compile(
    r"(?<![A-Za-z])(?:no|rd|road|st|street|ave|avenue|blvd|sec|section|ln|lane|aly|alley|dist|"
    r"district|city|county|township|vil|village|fl|floor|taiwan|roc|r\.o\.c|taipei|taoyuan|"
    r"taichung|tainan|kaohsiung|keelung|hsinchu|miaoli|changhua|nantou|yunlin|chiayi|pingtung|"
    r"yilan|hualien|taitung|penghu|kinmen|lienchiang|matsu)(?![A-Za-z])",
    re.IGNORECASE,
)
_COUNTRY_RE: Final = re.compile(r"(?:中華民國|臺灣省|福建省)+ ?")


_NEEDS_MAP_RE: Final = re.compile("[" + "".join(chr(c) for c in _CHAR_MAP) + "]")


def _normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_CHAR_MAP) if _NEEDS_MAP_RE.search(text) else text


def _prepare(text: str) -> str:
    """Normalise width, variants and separators; reject text that is not a Chinese address."""
    s = _SPACES_RE.sub(" ", _normalise_chars(text)).strip()
    if not s:
        raise AddressError(
            code="address.empty", zh_hant="地址是空白的。", en="The address is empty."
        )
    if _BAD_CHAR_RE.search(s):
        index, char = next(
            (i, ch) for i, ch in enumerate(text) if _BAD_CHAR_RE.search(_normalise_chars(ch))
        )
        raise AddressError(
            code="address.bad_character",
            zh_hant=f"地址第 {index + 1} 個字元「{char}」(U+{ord(char):04X}) 不能用於地址。",
            en=(
                f"Character {index + 1} of the address, '{char}' (U+{ord(char):04X}), "
                "is not allowed in an address."
            ),
            details={"position": index, "character": char},
        )
    english = _ENGLISH_RE.search(s)
    if english:
        raise AddressError(
            code="address.english_format",
            zh_hant=f"請以中文書寫地址（發現英文地址用語「{english.group()}」）。",
            en=(
                f"Write the address in Chinese; English-style addresses ('{english.group()}') "
                "are not supported."
            ),
            details={"word": english.group()},
        )
    return s


# ------------------------------------------------------------------------------------------------
# Component patterns
# ------------------------------------------------------------------------------------------------

_CN_NUM: Final = "〇零一二三四五六七八九十百千兩廿卅卌壹貳參叁肆伍陸柒捌玖拾佰仟"
_NUM: Final = rf"(?:\d+|[{_CN_NUM}]+)"
_NOT_AFTER_SUB: Final = rf"(?![\d{_CN_NUM}樓層Ff])"
_POSTAL_RE: Final = re.compile(
    r"\(?(\d{3}(?:\d{3}|\d{2})?)\)? ?(?![巷弄號樓鄰室段之層])(?=[\u3400-\u9fff])"
)
_NEIGHBOURHOOD_RE: Final = re.compile(rf"第? ?({_NUM}) ?鄰")
_SECTION_RE: Final = re.compile(rf"第? ?({_NUM}) ?段")
_NAMED_SECTION_RE: Final = re.compile(rf"(?!全段|第)[{_CJK}]{{1,3}}?段")
_LANE_RE: Final = re.compile(rf"({_NUM})(?: ?[-之] ?({_NUM}))? ?巷")
_ALLEY_RE: Final = re.compile(rf"({_NUM})(?: ?[-之] ?({_NUM}))? ?弄")
_NUMBER_RE: Final = re.compile(rf"({_NUM})(?: ?[-之] ?({_NUM}))? ?號")
_NUMBER_SUB_AFTER_RE: Final = re.compile(rf" ?之 ?({_NUM}){_NOT_AFTER_SUB}")
_BARE_NUMBER_RE: Final = re.compile(r"(\d+)(?: ?[-之] ?(\d+))?(?= |$)")
_FLOOR_RE: Final = re.compile(
    rf"(?:(?:[Bb]|地下) ?(?>({_NUM}))(?! ?室) ?(?:[Ff]|樓|層)?|({_NUM}) ?(?:[Ff]|樓))"
    rf"(?: ?[-之] ?({_NUM}){_NOT_AFTER_SUB})?"
)
_FLOOR_DASH_RE: Final = re.compile(rf"({_NUM}) ?[-之] ?({_NUM}) ?(?:[Ff]|樓)")  # 5-1樓 = 5樓之1
_ROOM_RE: Final = re.compile(rf"(\d+[A-Za-z]|\d+|[A-Za-z]\d*|[{_CN_NUM}]+) ?室")
_STREET_NEXT_RE: Final = re.compile(
    rf"$| |\d|-|第|[{_CN_NUM}]+ ?[段巷弄號樓室]|[{_CJK}]{{1,3}}段|[Bb] ?\d|地下|[A-Za-z]\d* ?室"
)
_AFTER_VILLAGE_RE: Final = re.compile(
    "|".join(
        r.pattern
        for r in (
            _NEIGHBOURHOOD_RE,
            _LANE_RE,
            _ALLEY_RE,
            _NUMBER_RE,
            _FLOOR_RE,
            _FLOOR_DASH_RE,
            _ROOM_RE,
        )
    )
)
_CN_ONLY_RE: Final = re.compile(rf"[{_CN_NUM}]+")
_ROAD_FOLLOWERS: Final = "路街道"
_MAX_ROAD_CHARS: Final = 12
_MAX_VILLAGE_CHARS: Final = 4


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or ch >= "\U00020000" or ch == "〇"


def _skip_space(s: str, p: int) -> int:
    return p + 1 if p < len(s) and s[p] == " " else p


def _positive(text: str) -> int:
    value = int(text) if text.isdecimal() and text.isascii() else numeral_to_int(text)
    if value == 0:
        raise AddressError(
            code="address.bad_numeral",
            zh_hant=f"地址中的號碼「{text}」不能是 0。",
            en=f"The number '{text}' in the address cannot be 0.",
            details={"text": text},
        )
    return value


def _with_sub(main: str, sub: str | None) -> str:
    text = str(_positive(main))
    return f"{text}之{_positive(sub)}" if sub else text


def _main_number(text: str | None) -> int | None:
    """The main house number of "12" or "12之3" (sub-numbers share their main number's place)."""
    return None if text is None else int(text.partition("之")[0])


def _road_end(s: str, p: int, *, min_name: int, fallback: bool) -> int | None:
    """Return where a road name (…路, …街, …大道) starting at ``p`` ends, or None.

    Of several possible ends (新街路 ends at 路, not at 街), the first one followed by something an
    address can continue with wins; with ``fallback`` the first possible end is taken otherwise.
    """
    first: int | None = None
    n = len(s)
    i = p
    while i < n and i - p < _MAX_ROAD_CHARS and _is_cjk(s[i]):
        ch = s[i]
        is_suffix = ch in "路街" or (ch == "道" and i > p and s[i - 1] == "大")
        name_chars = i - p - (1 if ch == "道" else 0)
        end = i + 1
        if is_suffix and name_chars >= min_name and (end == n or s[end] not in _ROAD_FOLLOWERS):
            if _STREET_NEXT_RE.match(s, end):
                return end
            first = end if first is None else first
        i += 1
    return first if fallback else None


# ------------------------------------------------------------------------------------------------
# Addresses
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Address:
    """A Taiwanese address split into components (see the module docstring for the rules)."""

    postal_code: str | None = None  # as given: 3, 5 or 6 digits
    city: str | None = None  # official 縣市 name, e.g. "桃園市"
    district: str | None = None  # official 鄉鎮市區 name, e.g. "中壢區"
    village: str | None = None  # 里 or 村 with its suffix, e.g. "中堅里"
    neighborhood: int | None = None  # 鄰
    road: str | None = None  # road with 路/街/大道, without its numbered section
    section: int | None = None  # 段
    lane: str | None = None  # 巷: "12" or "12之1"
    alley: str | None = None  # 弄: "3" or "3之2"
    number: str | None = None  # 號: "5" or "5之1"
    floor: int | None = None  # 樓; negative below ground (地下1樓 = -1)
    floor_sub: int | None = None  # 樓之N
    room: str | None = None  # 室
    extra: str | None = None  # text that could not be read as a component, kept verbatim

    @property
    def canonical_street(self) -> str:
        """City to house number, without 里/村, 鄰, floor, room or unread text (for matching)."""
        parts = [self.city or "", self.district or "", self.road or ""]
        if self.section is not None:
            parts.append(f"{int_to_numeral(self.section)}段")
        if self.lane is not None:
            parts.append(f"{self.lane}巷")
        if self.alley is not None:
            parts.append(f"{self.alley}弄")
        if self.number is not None:
            parts.append(f"{self.number}號")
        return "".join(parts)

    @property
    def canonical(self) -> str:
        """The one canonical spelling of this address (deterministic; parsing it gives it back)."""
        head = [self.city or "", self.district or "", self.village or ""]
        if self.neighborhood is not None:
            head.append(f"{self.neighborhood}鄰")
        street = self.canonical_street[len(self.city or "") + len(self.district or "") :]
        tail = [street]
        if self.floor is not None:
            tail.append(f"地下{-self.floor}樓" if self.floor < 0 else f"{self.floor}樓")
            if self.floor_sub is not None:
                tail.append(f"之{self.floor_sub}")
                if self.room is not None and self.room[0].isdigit():
                    tail.append(" ")  # 7樓之2 705室, not 7樓之2705室
        if self.room is not None:
            tail.append(f"{self.room}室")
        structured = "".join(head) + "".join(tail)
        if self.extra:
            return f"{structured} {self.extra}" if structured else self.extra
        return structured

    def components(self) -> dict[str, str | int | None]:
        """All components by field name, in address order."""
        return {
            "postal_code": self.postal_code,
            "city": self.city,
            "district": self.district,
            "village": self.village,
            "neighborhood": self.neighborhood,
            "road": self.road,
            "section": self.section,
            "lane": self.lane,
            "alley": self.alley,
            "number": self.number,
            "floor": self.floor,
            "floor_sub": self.floor_sub,
            "room": self.room,
            "extra": self.extra,
        }


@dataclass(frozen=True, slots=True)
class _Admin:
    end: int
    postal_code: str | None
    city: str | None
    district: str | None


def _resolve_default_city(default_city: str | None) -> str | None:
    if default_city is None:
        return None
    name = _GAZETTEER.city_names.get(_normalise_chars(default_city).strip())
    if name is None:
        raise ValueError(f"default_city must name one of the 22 縣市, not {default_city!r}")
    return name


def _unknown_district(name: str, *, city: str, elsewhere: tuple[District, ...]) -> AddressError:
    cities = "、".join(sorted({d.city for d in elsewhere}))
    return AddressError(
        code="address.unknown_district",
        zh_hant=f"{city}沒有「{name}」（{cities}才有）。",
        en=f"{city} has no district '{name}' (it is in {cities}).",
        details={"city": city, "district": name, "found_in": sorted({d.city for d in elsewhere})},
    )


def _match_district(
    s: str, p: int, scope: _Scope, *, stem_only: bool
) -> tuple[tuple[District, ...], int] | None:
    """Match a district name at ``p``: exact, a former suffix (中壢市), or (optionally) a bare stem."""
    for length in (4, 3, 2):
        found = scope.exact.get(s[p : p + length])
        if found:
            return found, p + length
    for length in (3, 2):
        found = scope.stems.get(s[p : p + length])
        suffix = s[p + length : p + length + 1]
        if found and suffix in _DISTRICT_SUFFIXES and s[p + length : p + length + 2] != "市場":
            return found, p + length + 1
    if stem_only:
        for length in (3, 2):
            bare = scope.bare.get(s[p : p + length])
            after = _skip_space(s, p + length)
            if (
                bare is not None
                and s[after : after + 1] not in ("里", "村")  # 三民里中正路: a village
                and _road_end(s, after, min_name=2, fallback=False) is not None
            ):
                return (bare,), p + length
    return None


_NOT_AFTER_SHORT_CITY: Final = frozenset("市縣區鄉鎮")


def _match_short_city(s: str, p: int) -> tuple[str | None, tuple[District, ...] | None, int] | None:
    """Read a city written without 市/縣 (桃園, 台北): (city, districts, end) or None.

    It counts when one of its districts follows (桃園中壢區, 新竹東區 → 新竹市), or, for a short name
    of a single city, when a road follows (台北中山北路 → 臺北市).
    """
    cities = _GAZETTEER.short_names.get(s[p : p + 2])
    if not cities:
        return None
    start = _skip_space(s, p + 2)
    found = [
        match
        for city in cities
        if (match := _match_district(s, start, _GAZETTEER.in_city[city], stem_only=True))
    ]
    if len(found) == 1:
        return None, *found[0]
    if (
        len(cities) == 1
        and s[p + 2 : p + 3] not in _NOT_AFTER_SHORT_CITY  # 臺東市, 桃園區: not 臺東/桃園 + a road
        and _road_end(s, start, min_name=2, fallback=False) is not None
    ):
        return cities[0], None, start
    return None


def _skip_country(s: str, p: int) -> int:
    country = _COUNTRY_RE.match(s, p)
    if country:
        p = country.end()
    if s.startswith("臺灣", p) and _starts_with_city(s, _skip_space(s, p + 2)):
        p = _skip_space(s, p + 2)
    return p


def _starts_with_city(s: str, p: int) -> bool:
    return s[p : p + 3] in _GAZETTEER.city_names or _match_short_city(s, p) is not None


def _postal_districts(postal_code: str) -> tuple[District, ...]:
    found = _GAZETTEER.by_postal_code.get(postal_code[:3])
    if found is None:
        raise AddressError(
            code="address.unknown_postal_code",
            zh_hant=f"郵遞區號「{postal_code}」的前三碼不屬於任何鄉鎮市區。",
            en=f"The first three digits of postal code '{postal_code}' match no district.",
            details={"postal_code": postal_code},
        )
    return found


def _parse_admin(s: str, *, default_city: str | None) -> _Admin:
    """Read the postal code, 縣市 and 鄉鎮市區 at the start of ``s``."""
    p = _skip_country(s, 0)
    postal_code: str | None = None
    postal = _POSTAL_RE.match(s, p)
    if postal:
        postal_code = postal.group(1)
        p = _skip_country(s, postal.end())

    city: str | None = None
    candidates: tuple[District, ...] | None = None  # districts the text may mean
    name = _GAZETTEER.city_names.get(s[p : p + 3])
    if name is not None:
        city = name
        p = _skip_space(s, p + 3)
        match = _match_district(s, p, _GAZETTEER.in_city[city], stem_only=True)
        if match:
            candidates, p = match
        else:
            foreign = _match_district(s, p, _GAZETTEER.country, stem_only=False)
            if foreign:
                raise _unknown_district(s[p : foreign[1]], city=city, elsewhere=foreign[0])
    else:
        short = _match_short_city(s, p)
        if short:
            city, candidates, p = short
        else:
            match = _match_district(s, p, _GAZETTEER.country, stem_only=True)
            if match:
                candidates, p = match

    if postal_code is not None:
        in_postal_code = _postal_districts(postal_code)
        if candidates is not None:
            pool = candidates
        elif city is not None:
            pool = _GAZETTEER.by_city[city].districts
        else:
            pool = in_postal_code
        matching = tuple(d for d in pool if d in in_postal_code)
        if not matching:
            raise AddressError(
                code="address.postal_code_mismatch",
                zh_hant=f"郵遞區號「{postal_code}」與地址的縣市或鄉鎮市區不符。",
                en=f"Postal code '{postal_code}' does not match the address's city or district.",
                details={"postal_code": postal_code},
            )
        if candidates is not None or len(matching) == 1:
            candidates = matching
        else:  # 新竹市 (300) and 嘉義市 (600) share one code across their districts
            city = matching[0].city
    if candidates is not None and len(candidates) > 1 and default_city is not None:
        in_default = tuple(d for d in candidates if d.city == default_city)
        candidates = in_default or candidates
    district: str | None = None
    if candidates is not None:
        if len({d.name for d in candidates}) > 1:
            names = "、".join(f"{d.city}{d.name}" for d in candidates)
            raise AddressError(
                code="address.ambiguous_district",
                zh_hant=f"無法判斷是哪個鄉鎮市區：{names}。請寫出縣市。",
                en=f"The district could be any of {names}; write the city too.",
                details={"candidates": [f"{d.city}{d.name}" for d in candidates]},
            )
        district = candidates[0].name
        if len(candidates) == 1:
            city = candidates[0].city
    if city is None and district is None:
        city = default_city
    return _Admin(end=_skip_space(s, p), postal_code=postal_code, city=city, district=district)


def _match_village(s: str, p: int) -> tuple[str, int] | None:
    """A 里/村 counts only when a space, the end, or another component follows it (新村路 is a road).

    The longest name wins: 三村里中正路 is the village 三村里, not 三村 and a road 里中正路.
    """
    run = 0
    while run < _MAX_VILLAGE_CHARS and p + run < len(s) and _is_cjk(s[p + run]):
        run += 1
    for length in range(run, 0, -1):
        q = p + length
        if s[q : q + 1] in ("里", "村"):
            after = _skip_space(s, q + 1)
            if (
                after != q + 1  # a space
                or after == len(s)
                or _AFTER_VILLAGE_RE.match(s, after)
                or _road_end(s, after, min_name=2, fallback=False) is not None
            ):
                return s[p : q + 1], q + 1
    return None


def _parse_road(s: str, p: int) -> tuple[str | None, int | None, int]:
    """Read a road with its named or numbered section at ``p``: (road, section, end)."""
    end = _road_end(s, p, min_name=1, fallback=True)
    if end is None:
        return None, None, p
    road = s[p:end]
    named = _NAMED_SECTION_RE.match(s, end)
    if named and not _CN_ONLY_RE.fullmatch(named.group()[:-1]):
        road += named.group()
        end = named.end()
    section: int | None = None
    q = _skip_space(s, end)
    numbered = _SECTION_RE.match(s, q)
    if numbered:
        section = _positive(numbered.group(1))
        end = numbered.end()
    return road, section, end


def _parse_lane_alley(s: str, p: int) -> tuple[str | None, str | None, int]:
    lane = alley = None
    q = _skip_space(s, p)
    m = _LANE_RE.match(s, q)
    if m:
        lane, p = _with_sub(m.group(1), m.group(2)), m.end()
        q = _skip_space(s, p)
    m = _ALLEY_RE.match(s, q)
    if m:
        alley, p = _with_sub(m.group(1), m.group(2)), m.end()
    return lane, alley, p


def _parse(text: str, *, default_city: str | None) -> Address:
    s = _prepare(text)
    admin = _parse_admin(s, default_city=_resolve_default_city(default_city))
    p = admin.end
    village = None
    found = _match_village(s, p)
    if found:
        village, p = found
    neighborhood = None
    m = _NEIGHBOURHOOD_RE.match(s, _skip_space(s, p))
    if m:
        neighborhood, p = _positive(m.group(1)), m.end()
    road, section, p = _parse_road(s, _skip_space(s, p))
    lane, alley, p = _parse_lane_alley(s, p)

    number = None
    q = _skip_space(s, p)
    m = _NUMBER_RE.match(s, q)
    if m:
        number, p = _with_sub(m.group(1), m.group(2)), m.end()
        sub = None if m.group(2) else _NUMBER_SUB_AFTER_RE.match(s, p)
        if sub:
            number, p = f"{number}之{_positive(sub.group(1))}", sub.end()
    elif road or lane or alley:
        bare = _BARE_NUMBER_RE.match(s, q)
        if bare:
            number, p = _with_sub(bare.group(1), bare.group(2)), bare.end()

    floor = floor_sub = None
    q = _skip_space(s, p)
    m = _FLOOR_RE.match(s, q)
    if m:
        floor = -_positive(m.group(1)) if m.group(1) else _positive(m.group(2))
        floor_sub = _positive(m.group(3)) if m.group(3) else None
        p = m.end()
    else:
        m = _FLOOR_DASH_RE.match(s, q)
        if m:
            floor, floor_sub, p = _positive(m.group(1)), _positive(m.group(2)), m.end()

    room = None
    q = _skip_space(s, p)
    m = _ROOM_RE.match(s, q)
    if m:
        raw_room = m.group(1)
        if raw_room.isascii() and not raw_room.isdigit():
            room = raw_room.upper()
        else:
            room = str(_positive(raw_room))
        p = m.end()

    extra = s[p:].strip() or None
    address = Address(
        postal_code=admin.postal_code,
        city=admin.city,
        district=admin.district,
        village=village,
        neighborhood=neighborhood,
        road=road,
        section=section,
        lane=lane,
        alley=alley,
        number=number,
        floor=floor,
        floor_sub=floor_sub,
        room=room,
        extra=extra,
    )
    if not address.canonical_street and (village, neighborhood, floor, room) == (None,) * 4:
        raise AddressError(
            code="address.unrecognised",
            zh_hant=f"無法從「{text.strip()}」辨識出縣市、鄉鎮市區、里、道路或門牌號碼。",
            en=f"No city, district, village, road or house number could be read in '{text.strip()}'.",
            details={"text": text},
        )
    return address


def parse_address(text: str, *, default_city: str | None = None) -> Address:
    """Split a Taiwanese address into components (rules in the module docstring).

    ``default_city`` (e.g. "桃園市" for a Taoyuan office; 台/臺 and former names accepted) fills in
    the city when the text names none and its district does not settle it; a name that is not one
    of the 22 縣市 raises ``ValueError``. Raise ``AddressError`` with code

    * ``address.empty``: nothing but spaces and separators;
    * ``address.bad_character``: a character no address uses (details: 0-based ``position`` in
      the text as given, and the ``character``);
    * ``address.english_format``: English-style address words (No., Rd., Taoyuan …);
    * ``address.unknown_postal_code`` / ``address.postal_code_mismatch``;
    * ``address.unknown_district``: a district of another city (details: ``found_in``);
    * ``address.ambiguous_district``: a former name that fits several districts;
    * ``address.bad_numeral``: an unreadable or zero number (一百五, 十十, 0號);
    * ``address.unrecognised``: no component at all could be read.
    """
    return _parse(text, default_city=default_city)


def normalize_address(text: str, *, default_city: str | None = None) -> str:
    """Return the canonical form of an address (``parse_address(...).canonical``)."""
    return _parse(text, default_city=default_city).canonical


def same_address(a: Address, b: Address) -> bool:
    """Whether two addresses name the same unit.

    Compare street (city to house number), floor, floor sub-number, room and unread text; ignore
    里/村, 鄰 and the postal code, which do not change the place. A missing city or district makes
    addresses different (桃園市 has a 中正路 in several districts), never equal by assumption.
    """
    return (a.canonical_street, a.floor, a.floor_sub, a.room, a.extra) == (
        b.canonical_street,
        b.floor,
        b.floor_sub,
        b.room,
        b.extra,
    )


# ------------------------------------------------------------------------------------------------
# Number ranges (outage notices, load-shedding lists)
# ------------------------------------------------------------------------------------------------


class Parity(StrEnum):
    """Which house numbers of a range are meant: 全 (all), 單號 (odd) or 雙號 (even)."""

    ALL = "all"
    ODD = "odd"
    EVEN = "even"


_PARITY_WORDS: Final[dict[str, Parity]] = {
    "單號": Parity.ODD,
    "單數": Parity.ODD,
    "單": Parity.ODD,
    "雙號": Parity.EVEN,
    "雙數": Parity.EVEN,
    "雙": Parity.EVEN,
    "全": Parity.ALL,
}
_PARITY_RE: Final = re.compile(r"\(?(單號|雙號|單數|雙數|單|雙|全)\)?")
_WHOLE_RE: Final = re.compile(r"全(?:段|路|街|巷|弄|線)")
_SPAN_RE: Final = re.compile(
    rf"自?({_NUM})號?(?:起(?=[-~至到]))?"
    rf"(?:[-~至到]({_NUM})號?止?|(以上|以後|起)|(以下|以前|止))?"
)


def _range_error(text: str, *, code: str, zh: str, en: str) -> AddressError:
    return AddressError(code=code, zh_hant=zh, en=en, details={"text": text})


@dataclass(frozen=True, slots=True)
class NumberRange:
    """A run of house numbers on one road (or lane, or alley), as outage notices list them.

    ``None`` in city, district, section, lane or alley means "any". ``first``/``last`` are
    inclusive; ``None`` leaves that end open, both ``None`` is the whole road (全段). Sub-numbers
    share their main number's place (5之1 counts as 5). An address that lacks a part the range
    names (no district, say) is not contained: the answer is never a guess.

    The range applies at the level below its most specific part. On a road, an address in a lane
    is placed by its lane number, and in a lane an alley by its alley number, because lanes and
    alleys are numbered after the house number where they leave the road or lane: 花蓮縣道路命名暨
    門牌編釘自治條例 art. 4 ("巷(弄)以路、街(巷)門牌號次命名"), 嘉義市道路命名及門牌編釘辦法
    ("巷…依…之門牌次序定為巷號", "弄號依通往巷之門牌次序定之"); other cities' ordinances say the
    same. Known limits of that rule, from the same texts: a lane longer than 200 m may carry the
    numbers of the roads at both ends, and rural lanes may be named rather than numbered.
    Odd and even numbers lie on opposite sides of a road (基隆市門牌編釘自治條例: "雙面採奇偶制").
    """

    road: str
    city: str | None = None
    district: str | None = None
    section: int | None = None
    lane: str | None = None
    alley: str | None = None
    first: int | None = None
    last: int | None = None
    parity: Parity = Parity.ALL

    def __post_init__(self) -> None:
        object.__setattr__(self, "parity", Parity(self.parity))
        for bound in (self.first, self.last):
            if bound is not None and bound < 1:
                raise _range_error(
                    str(bound),
                    code="address.bad_range",
                    zh="門牌號碼範圍必須從 1 以上開始。",
                    en="House-number ranges start at 1.",
                )
        if self.first is not None and self.last is not None and self.first > self.last:
            raise _range_error(
                f"{self.first}-{self.last}",
                code="address.range_reversed",
                zh=f"門牌號碼範圍 {self.first}-{self.last} 起訖顛倒。",
                en=f"The house-number range {self.first}-{self.last} runs backwards.",
            )

    def _position(self, address: Address) -> tuple[bool, int | None]:
        """Whether the address is on this range's lane/alley, and its number on that level."""
        if self.alley is not None:
            on_level = address.lane == self.lane and address.alley == self.alley
            return on_level, _main_number(address.number)
        if self.lane is not None:
            return address.lane == self.lane, _main_number(address.alley or address.number)
        return True, _main_number(address.lane or address.alley or address.number)

    def contains(self, address: Address) -> bool:
        """Whether the address lies in this range (see the class docstring for the rules)."""
        if address.road != self.road:
            return False
        for wanted, actual in (
            (self.city, address.city),
            (self.district, address.district),
            (self.section, address.section),
        ):
            if wanted is not None and wanted != actual:
                return False
        on_level, position = self._position(address)
        if not on_level:
            return False
        if position is None:
            return self.first is None and self.last is None and self.parity is Parity.ALL
        if self.first is not None and position < self.first:
            return False
        if self.last is not None and position > self.last:
            return False
        if self.parity is Parity.ODD:
            return position % 2 == 1
        if self.parity is Parity.EVEN:
            return position % 2 == 0
        return True


def parse_number_range(text: str, *, default_city: str | None = None) -> NumberRange:
    """Read a phrase such as ``中正路三段 1-99號單號``, ``中正路 2號至120號(雙號)`` or ``中正路全段``.

    The phrase may start with a postal code, city and district as an address does, then names a
    road (with section, lane and alley) and ends with a whole-road word (全段, 全巷…), a single
    number, a span (1-99號, 2號至120號, 自2號起至120號止, 100號以上, 50號以下) and/or a parity (單號,
    雙號, 全; before or after the span, in brackets or not). A road alone means the whole road.
    """
    s = _prepare(text)
    admin = _parse_admin(s, default_city=_resolve_default_city(default_city))
    road, section, p = _parse_road(s, admin.end)
    if road is None:
        raise _range_error(
            text,
            code="address.bad_range",
            zh=f"「{text.strip()}」沒有路名。",
            en=f"'{text.strip()}' names no road.",
        )
    lane, alley, p = _parse_lane_alley(s, p)
    tail = s[p:].replace(" ", "")
    parities: list[Parity] = []
    q = 0
    m = _PARITY_RE.match(tail, q)
    if m and not _WHOLE_RE.match(tail, q):
        parities.append(_PARITY_WORDS[m.group(1)])
        q = m.end()
    first = last = None
    whole = _WHOLE_RE.match(tail, q)
    if whole:
        q = whole.end()
    else:
        span = _SPAN_RE.match(tail, q)
        if span:
            first = last = _positive(span.group(1))
            if span.group(2):
                last = _positive(span.group(2))
            elif span.group(3):
                last = None
            elif span.group(4):
                first = None
            q = span.end()
    m = _PARITY_RE.match(tail, q)
    if m:
        parities.append(_PARITY_WORDS[m.group(1)])
        q = m.end()
    if q != len(tail):
        raise _range_error(
            text,
            code="address.bad_range",
            zh=f"無法辨識門牌號碼範圍中的「{tail[q:]}」。",
            en=f"Cannot read '{tail[q:]}' in the house-number range.",
        )
    if len(set(parities)) > 1:
        raise _range_error(
            text,
            code="address.bad_range",
            zh="門牌號碼範圍同時寫了不同的單雙號。",
            en="The house-number range names two different parities.",
        )
    return NumberRange(
        road=road,
        city=admin.city,
        district=admin.district,
        section=section,
        lane=lane,
        alley=alley,
        first=first,
        last=last,
        parity=parities[0] if parities else Parity.ALL,
    )
