"""Tests for powerdesk.core.domain.addresses (pure: no database)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from powerdesk.core.domain import addresses
from powerdesk.core.domain.addresses import (
    Address,
    AddressError,
    NumberRange,
    Parity,
    int_to_numeral,
    normalize_address,
    numeral_to_int,
    parse_address,
    parse_number_range,
    same_address,
)
from powerdesk.core.domain.errors import DomainError

DATA_TSV = Path(__file__).parent / "data" / "addresses.tsv"
DIVISIONS_JSON = Path(addresses.__file__).parent / "data" / "tw_admin_divisions.json"


def _read_rows() -> list[list[str]]:
    lines = DATA_TSV.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert rows[0] == [
        "input",
        "canonical",
        "postal_code",
        "city",
        "district",
        "road",
        "number",
        "floor",
    ]
    return rows[1:]


ROWS = _read_rows()
VALID_ROWS = [row for row in ROWS if not row[1].startswith("ERROR:")]
ERROR_ROWS = [row for row in ROWS if row[1].startswith("ERROR:")]


def _none_if_empty(cell: str) -> str | None:
    return cell or None


# ------------------------------------------------------------------------------------------------
# The address corpus (addresses.tsv)
# ------------------------------------------------------------------------------------------------


def test_address_corpus_is_large_and_well_formed():
    # then: the corpus is big enough to mean something, and every row has eight cells
    assert len(VALID_ROWS) >= 350
    assert len(ERROR_ROWS) >= 20
    assert all(len(row) == 8 for row in ROWS)
    assert len({row[0] for row in ROWS}) == len(ROWS)  # no duplicate inputs


@pytest.mark.parametrize(
    ("text", "canonical", "postal_code", "city", "district", "road", "number", "floor"),
    VALID_ROWS,
    ids=[row[0] for row in VALID_ROWS],
)
def test_parse_address_corpus(text, canonical, postal_code, city, district, road, number, floor):
    # when
    address = parse_address(text)

    # then
    assert address.canonical == canonical
    assert address.postal_code == _none_if_empty(postal_code)
    assert address.city == _none_if_empty(city)
    assert address.district == _none_if_empty(district)
    assert address.road == _none_if_empty(road)
    assert address.number == _none_if_empty(number)
    assert address.floor == (int(floor) if floor else None)


@pytest.mark.parametrize("row", VALID_ROWS, ids=[row[0] for row in VALID_ROWS])
def test_normalize_address_corpus_is_idempotent_and_round_trips(row):
    # given
    first = parse_address(row[0])

    # when
    again = parse_address(first.canonical)

    # then: parsing the canonical form gives the same components, minus the postal code
    assert again == dataclasses.replace(first, postal_code=None)
    assert normalize_address(first.canonical) == first.canonical


@pytest.mark.parametrize(
    ("text", "expected"),
    [(row[0], row[1].removeprefix("ERROR:")) for row in ERROR_ROWS],
    ids=[row[0] for row in ERROR_ROWS],
)
def test_parse_address_corpus_errors(text, expected):
    # when
    with pytest.raises(AddressError) as caught:
        parse_address(text)

    # then: a stable code, a message in both languages, and it is a DomainError
    assert caught.value.code == expected
    assert isinstance(caught.value, DomainError)
    assert caught.value.message.zh_hant
    assert caught.value.message.en


# ------------------------------------------------------------------------------------------------
# Administrative divisions data
# ------------------------------------------------------------------------------------------------

EXPECTED_DISTRICT_COUNTS = {
    "臺北市": 12,
    "新北市": 29,
    "桃園市": 13,
    "臺中市": 29,
    "臺南市": 37,
    "高雄市": 38,
    "基隆市": 7,
    "新竹市": 3,
    "嘉義市": 2,
    "新竹縣": 13,
    "苗栗縣": 18,
    "彰化縣": 26,
    "南投縣": 13,
    "雲林縣": 20,
    "嘉義縣": 18,
    "屏東縣": 33,
    "宜蘭縣": 12,
    "花蓮縣": 13,
    "臺東縣": 16,
    "澎湖縣": 6,
    "金門縣": 6,
    "連江縣": 4,
}


def test_admin_divisions_counts_per_city_and_total():
    # when
    cities = addresses.admin_divisions()

    # then: 22 縣市 and 368 鄉鎮市區 (內政部, as of 2024)
    assert {c.name: len(c.districts) for c in cities} == EXPECTED_DISTRICT_COUNTS
    assert len(cities) == 22
    assert sum(len(c.districts) for c in cities) == 368
    assert sum(EXPECTED_DISTRICT_COUNTS.values()) == 368


def test_admin_divisions_kinds():
    # given
    cities = {c.name: c for c in addresses.admin_divisions()}

    # then: 6 直轄市, 3 市, 13 縣
    assert sorted(n for n, c in cities.items() if c.kind == "直轄市") == sorted(
        ["臺北市", "新北市", "桃園市", "臺中市", "臺南市", "高雄市"]
    )
    assert sorted(n for n, c in cities.items() if c.kind == "市") == sorted(
        ["基隆市", "新竹市", "嘉義市"]
    )
    assert sum(1 for c in cities.values() if c.kind == "縣") == 13
    # districts of 直轄市 and 市 are all 區; counties have 縣轄市, 鎮 and 鄉 but no 區
    for city in cities.values():
        kinds = {d.kind for d in city.districts}
        if city.kind == "縣":
            assert "區" not in kinds
        else:
            assert kinds == {"區"}
    county_cities = sorted(
        d.name for c in cities.values() for d in c.districts if d.kind == "縣轄市"
    )
    assert len(county_cities) == 14
    assert "頭份市" in county_cities
    assert "員林市" in county_cities


def test_admin_divisions_taoyuan_is_complete_with_postal_codes():
    # given
    taoyuan = next(c for c in addresses.admin_divisions() if c.name == "桃園市")

    # then
    assert {d.name: d.postal_code for d in taoyuan.districts} == {
        "桃園區": "330",
        "中壢區": "320",
        "平鎮區": "324",
        "八德區": "334",
        "楊梅區": "326",
        "蘆竹區": "338",
        "大溪區": "335",
        "龜山區": "333",
        "大園區": "337",
        "觀音區": "328",
        "新屋區": "327",
        "復興區": "336",
        "龍潭區": "325",
    }
    assert all(d.city == "桃園市" for d in taoyuan.districts)


def test_admin_divisions_postal_codes_are_consistent():
    # given
    districts = [d for c in addresses.admin_divisions() for d in c.districts]
    by_code: dict[str, set[str]] = {}
    for d in districts:
        by_code.setdefault(d.postal_code, set()).add(d.city)

    # then: 3 digits; every code belongs to one city; only 新竹市 and 嘉義市 share codes
    assert all(len(d.postal_code) == 3 and d.postal_code.isdigit() for d in districts)
    assert all(len(cities) == 1 for cities in by_code.values())
    shared = {code for code in by_code if sum(d.postal_code == code for d in districts) > 1}
    assert shared == {"300", "600"}
    assert len(by_code) == 368 - 2 - 1  # 新竹市: 3 districts, 1 code; 嘉義市: 2 districts, 1 code


def test_admin_divisions_use_official_tai_and_unique_names():
    # given
    names = [c.name for c in addresses.admin_divisions()] + [
        d.name for c in addresses.admin_divisions() for d in c.districts
    ]

    # then
    assert not any("台" in name for name in names)
    assert "臺東市" in names
    assert "臺西鄉" in names
    assert "霧臺鄉" in names
    for city in addresses.admin_divisions():
        assert len({d.name for d in city.districts}) == len(city.districts)


def test_admin_divisions_file_cites_sources_and_renames():
    # given
    raw = json.loads(DIVISIONS_JSON.read_text(encoding="utf-8"))

    # then
    assert raw["sources"]
    assert {r["old"]: (r["new"], r["since"]) for r in raw["renamed_cities"]} == {
        "臺北縣": ("新北市", "2010-12-25"),
        "臺中縣": ("臺中市", "2010-12-25"),
        "臺南縣": ("臺南市", "2010-12-25"),
        "高雄縣": ("高雄市", "2010-12-25"),
        "桃園縣": ("桃園市", "2014-12-25"),
    }


# ------------------------------------------------------------------------------------------------
# Components and canonical form
# ------------------------------------------------------------------------------------------------


def test_parse_address_full_example_components():
    # when
    address = parse_address(
        "32041 台灣桃園市中壢區中堅里5鄰中正路三段12之1巷3弄5-1號7F-2 705室 (遠東大樓)"
    )

    # then
    assert address.components() == {
        "postal_code": "32041",
        "city": "桃園市",
        "district": "中壢區",
        "village": "中堅里",
        "neighborhood": 5,
        "road": "中正路",
        "section": 3,
        "lane": "12之1",
        "alley": "3",
        "number": "5之1",
        "floor": 7,
        "floor_sub": 2,
        "room": "705",
        "extra": "(遠東大樓)",
    }
    assert list(address.components()) == [f.name for f in dataclasses.fields(Address)]
    assert (
        address.canonical
        == "桃園市中壢區中堅里5鄰中正路三段12之1巷3弄5之1號7樓之2 705室 (遠東大樓)"
    )
    assert address.canonical_street == "桃園市中壢區中正路三段12之1巷3弄5之1號"


@pytest.mark.parametrize(
    ("_case", "address", "canonical", "street"),
    [
        ("empty", Address(), "", ""),
        ("extra only", Address(extra="遠東大樓"), "遠東大樓", ""),
        (
            "floor sub without floor is ignored",
            Address(road="中正路", floor_sub=2),
            "中正路",
            "中正路",
        ),
        (
            "basement with sub",
            Address(road="中正路", number="1", floor=-2, floor_sub=1),
            "中正路1號地下2樓之1",
            "中正路1號",
        ),
        (
            "village and neighbourhood",
            Address(city="桃園市", village="中堅里", neighborhood=3),
            "桃園市中堅里3鄰",
            "桃園市",
        ),
        (
            "section eleven",
            Address(road="臺灣大道", section=11),
            "臺灣大道十一段",
            "臺灣大道十一段",
        ),
        (
            "room without floor",
            Address(road="中正路", number="1", room="A"),
            "中正路1號A室",
            "中正路1號",
        ),
    ],
)
def test_address_canonical_of_built_addresses(_case, address, canonical, street):
    assert address.canonical == canonical
    assert address.canonical_street == street


def test_address_is_frozen_with_slots():
    # given
    address = parse_address("桃園市中壢區中正路1號")

    # then
    with pytest.raises(dataclasses.FrozenInstanceError):
        address.city = "臺北市"  # type: ignore[misc]
    assert not hasattr(address, "__dict__")


@pytest.mark.parametrize(
    ("_case", "text", "default_city", "expected"),
    [
        (
            "ambiguous district takes the default city",
            "中正區重慶南路一段122號",
            "臺北市",
            "臺北市中正區重慶南路一段122號",
        ),
        ("default city given with 台", "中正區義一路1號", "台北市", "臺北市中正區義一路1號"),
        (
            "default city in the other candidate",
            "中正區義一路1號",
            "基隆市",
            "基隆市中正區義一路1號",
        ),
        ("default city that has no such district", "中正區義一路1號", "桃園市", "中正區義一路1號"),
        (
            "unique district wins over the default",
            "板橋區文化路一段1號",
            "桃園市",
            "新北市板橋區文化路一段1號",
        ),
        ("default fills a missing city", "中正路1號", "桃園市", "桃園市中正路1號"),
        ("default by its former name", "中正路1號", "桃園縣", "桃園市中正路1號"),
        ("explicit city wins over the default", "臺北市中正路1號", "桃園市", "臺北市中正路1號"),
        (
            "postal code wins over the default",
            "100中正區重慶南路一段122號",
            "基隆市",
            "臺北市中正區重慶南路一段122號",
        ),
        (
            "old township narrowed by the default",
            "東勢鎮中山路1號",
            "臺中市",
            "臺中市東勢區中山路1號",
        ),
    ],
)
def test_parse_address_default_city(_case, text, default_city, expected):
    assert normalize_address(text, default_city=default_city) == expected


def test_parse_address_rejects_unknown_default_city():
    with pytest.raises(ValueError, match="default_city"):
        parse_address("中正路1號", default_city="東京都")


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        ("short city needs a district or road", "新竹中正路1號", "新竹中正路1號"),
        ("short 新竹 with a 新竹市 district", "新竹北區中正路1號", "新竹市北區中正路1號"),
        ("a lone district stem is not an address", "中壢", None),
        ("stem of a short city name means the city", "桃園中正路1號", "桃園市中正路1號"),
        ("bare stem before a village", "高雄市三民里中正路5號", "高雄市三民里中正路5號"),
        ("village name containing 村", "三村里5鄰12號", "三村里5鄰12號"),
        ("road-like village is a road", "新村路5號", "新村路5號"),
        ("road 大道 right after a stem", "臺中市豐原大道1號", "臺中市豐原大道1號"),
        (
            "zip code in brackets then country",
            "(320)臺灣桃園市中壢區中正路1號",
            "桃園市中壢區中正路1號",
        ),
        ("臺灣大道 is not the country", "臺中市臺灣大道一段1號", "臺中市臺灣大道一段1號"),
        ("number is not a postal code", "123號", "123號"),
        (
            "invisible characters are dropped",
            "桃園市\u200b中壢區\ufeff中正路1號",
            "桃園市中壢區中正路1號",
        ),
        ("Kangxi radical from a PDF", "桃園市中壢區\u2f27安路1號", "桃園市中壢區宀安路1號"),
        ("dashes of every kind", "中正路5—1號", "中正路5之1號"),
        ("ideographic space and tab", "桃園市\u3000中壢區\t中正路1號", "桃園市中壢區中正路1號"),
        ("number sub after 號 not taken before a floor", "中正路5號之17樓", "中正路5號 之17樓"),
        ("dash floor range is not a sub-floor", "中正路5號5樓-7樓", "中正路5號5樓 -7樓"),
        ("bare number needs a road", "中壢區100", "桃園市中壢區 100"),
    ],
)
def test_parse_address_edge_cases(_case, text, expected):
    if expected is None:
        with pytest.raises(AddressError) as caught:
            parse_address(text)
        assert caught.value.code == "address.unrecognised"
    else:
        assert normalize_address(text) == expected


def test_parse_address_empty_and_whitespace():
    for text in ("", "   ", "\u3000\t\n", ",,", "\u200b"):
        with pytest.raises(AddressError) as caught:
            parse_address(text)
        assert caught.value.code == "address.empty"


def test_parse_address_bad_character_names_character_and_position():
    # when
    with pytest.raises(AddressError) as caught:
        parse_address("桃園市中壢區中正路５號＄")

    # then: position in the text as typed (0-based in details, 1-based in the message)
    error = caught.value
    assert error.code == "address.bad_character"
    assert error.details == {"position": 11, "character": "＄"}
    assert "第 12 個字元「＄」" in error.message.zh_hant
    assert "Character 12" in error.message.en
    assert "U+FF04" in error.message.en


def test_parse_address_control_character_is_bad():
    with pytest.raises(AddressError) as caught:
        parse_address("中正路\x005號")
    assert caught.value.details == {"position": 3, "character": "\x00"}


def test_parse_address_unknown_district_details():
    with pytest.raises(AddressError) as caught:
        parse_address("桃園市板橋區文化路一段100號")
    assert caught.value.details == {
        "city": "桃園市",
        "district": "板橋區",
        "found_in": ["新北市"],
    }
    assert caught.value.message.zh_hant == "桃園市沒有「板橋區」（新北市才有）。"


def test_parse_address_ambiguous_district_details():
    with pytest.raises(AddressError) as caught:
        parse_address("東勢鎮中山路1號")
    assert caught.value.details == {"candidates": ["臺中市東勢區", "雲林縣東勢鄉"]}


def test_parse_address_error_with_field():
    # given
    with pytest.raises(AddressError) as caught:
        parse_address("")

    # when
    named = caught.value.with_field("address")

    # then
    assert named.field == "address"
    assert named.code == "address.empty"


# ------------------------------------------------------------------------------------------------
# same_address
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "a", "b", "expected"),
    [
        (
            "typed differently",
            "桃園縣中壢市中正路3段5號7F",
            "320 桃園市中壢區中正路三段五號七樓",
            True,
        ),
        (
            "village and neighbourhood ignored",
            "桃園市中壢區中堅里5鄰中正路5號",
            "桃園市中壢區中正路5號",
            True,
        ),
        ("postal code ignored", "32001桃園市中壢區中正路5號", "桃園市中壢區中正路5號", True),
        ("other floor", "桃園市中壢區中正路5號7樓", "桃園市中壢區中正路5號8樓", False),
        (
            "other floor sub-number",
            "桃園市中壢區中正路5號7樓之1",
            "桃園市中壢區中正路5號7樓",
            False,
        ),
        ("other room", "中正路5號7樓701室", "中正路5號7樓702室", False),
        ("missing district is not assumed", "桃園市中正路5號", "桃園市桃園區中正路5號", False),
        ("sub-number matters", "中正路5之1號", "中正路5號", False),
        ("unread text matters", "中正路5號 (後棟)", "中正路5號", False),
    ],
)
def test_same_address(_case, a, b, expected):
    assert same_address(parse_address(a), parse_address(b)) is expected
    assert same_address(parse_address(b), parse_address(a)) is expected


# ------------------------------------------------------------------------------------------------
# Numerals
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("〇", 0),
        ("零", 0),
        ("7", 7),
        ("０１２", 12),
        ("一", 1),
        ("兩", 2),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十一", 21),
        ("廿", 20),
        ("廿一", 21),
        ("卅", 30),
        ("卅五", 35),
        ("卌", 40),
        ("一二三", 123),
        ("一〇五", 105),
        ("一百", 100),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一百十五", 115),
        ("一百二十三", 123),
        ("兩百", 200),
        ("三百廿一", 321),
        ("一千", 1000),
        ("一千零一十", 1010),
        ("一千零五十", 1050),
        ("壹佰貳拾參", 123),
        ("參", 3),
        ("拾", 10),
        ("仟", None),
        ("一萬", 10_000),
        ("十萬", 100_000),
        ("一萬零五", 10_005),
        ("一萬二千三百四十五", 12_345),
        (" 五 ", 5),
    ],
)
def test_numeral_to_int(text, expected):
    if expected is None:
        with pytest.raises(AddressError):
            numeral_to_int(text)
    else:
        assert numeral_to_int(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "空白"),
        ("二三十", "兩個數字相連"),
        ("十百", "位數順序錯誤"),
        ("十十", "位數順序錯誤"),
        ("百", "「百」前缺少數字"),
        ("一千百", "「百」前缺少數字"),
        ("十廿", "位數順序錯誤"),
        ("五廿", "位數順序錯誤"),
        ("萬", "「萬」用法錯誤"),
        ("一萬一萬", "「萬」用法錯誤"),
        ("五號", "「號」不是數字"),
        ("a", "「a」不是數字"),
        ("一百五", "口語省略寫法"),
        ("一萬五", "口語省略寫法"),
        ("一百零", "以「零」結尾"),
    ],
)
def test_numeral_to_int_rejects(text, reason):
    with pytest.raises(AddressError) as caught:
        numeral_to_int(text)
    assert caught.value.code == "address.bad_numeral"
    assert reason in caught.value.message.zh_hant
    assert caught.value.details == {"text": text}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (3, "三"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1010, "一千零一十"),
        (10_010, "一萬零一十"),
        (100_000, "十萬"),
        (120_000, "十二萬"),
        (99_999_999, "九千九百九十九萬九千九百九十九"),
    ],
)
def test_int_to_numeral(n, expected):
    assert int_to_numeral(n) == expected


@pytest.mark.parametrize("n", [-1, 100_000_000])
def test_int_to_numeral_rejects_out_of_range(n):
    with pytest.raises(ValueError, match="int_to_numeral"):
        int_to_numeral(n)


@given(st.integers(min_value=0, max_value=99_999_999))
def test_numeral_round_trip(n):
    assert numeral_to_int(int_to_numeral(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_numeral_to_int_reads_arabic_and_digit_by_digit(n):
    digits = str(n)
    assert numeral_to_int(digits) == n
    assert numeral_to_int("".join("〇一二三四五六七八九"[int(d)] for d in digits)) == n


# ------------------------------------------------------------------------------------------------
# Property tests: canonical form
# ------------------------------------------------------------------------------------------------

_CITIES = addresses.admin_divisions()
_SHARED_DISTRICT_NAMES = sorted(
    {
        d.name
        for c in _CITIES
        for d in c.districts
        if sum(d.name == e.name for k in _CITIES for e in k.districts) > 1
    }
)
_ROADS = [
    "中正路",
    "中山北路",
    "民生東路",
    "環北路",
    "復興路",
    "臺灣大道",
    "市民大道",
    "新街路",
    "大興西路",
    "縣府路",
    "光明六路",
    "工業區一路",
    "中豐路上林段",
    "祥和一路東段",
]
_VILLAGES = ["中堅里", "興南里", "介壽村", "三民里", "三村里"]
_EXTRAS = ["(遠東大樓)", "A棟", "巷口", "1、2樓"]


@st.composite
def _admin(draw: st.DrawFn) -> tuple[str | None, str | None]:
    city = draw(st.sampled_from(_CITIES))
    district = draw(st.sampled_from(city.districts))
    return draw(
        st.sampled_from(
            [
                (city.name, district.name),
                (city.name, None),
                (None, None),
                (None, draw(st.sampled_from(_SHARED_DISTRICT_NAMES))),
            ]
        )
    )


def _numbered(draw: st.DrawFn) -> str:
    main = draw(st.integers(min_value=1, max_value=2000))
    sub = draw(st.none() | st.integers(min_value=1, max_value=30))
    return f"{main}" if sub is None else f"{main}之{sub}"


@st.composite
def _addresses(draw: st.DrawFn) -> Address:
    city, district = draw(_admin())
    road = draw(st.none() | st.sampled_from(_ROADS))
    section = None
    if road is not None and road[-1] != "段":
        section = draw(st.none() | st.integers(min_value=1, max_value=12))
    lane = _numbered(draw) if draw(st.booleans()) else None
    alley = _numbered(draw) if draw(st.booleans()) else None
    number = _numbered(draw) if draw(st.booleans()) else None
    floor = draw(st.none() | st.integers(min_value=-5, max_value=101).filter(bool))
    floor_sub = draw(st.none() | st.integers(min_value=1, max_value=20)) if floor else None
    room = draw(
        st.none() | st.integers(min_value=1, max_value=9999).map(str) | st.sampled_from(["A", "B2"])
    )
    address = Address(
        city=city,
        district=district,
        village=draw(st.none() | st.sampled_from(_VILLAGES)),
        neighborhood=draw(st.none() | st.integers(min_value=1, max_value=40)),
        road=road,
        section=section,
        lane=lane,
        alley=alley,
        number=number,
        floor=floor,
        floor_sub=floor_sub,
        room=room,
        extra=draw(st.none() | st.sampled_from(_EXTRAS)),
    )
    # An address needs something besides unread text; a lone room reads as a room anyway.
    assume(address.canonical_street or address.village or address.neighborhood or floor or room)
    # Without a road, a bare lane/alley/number after a district reads the same; keep it simple.
    assume(road is not None or (lane is None and alley is None))
    return address


@given(_addresses())
def test_canonical_round_trips_every_component(address):
    # when
    parsed = parse_address(address.canonical)

    # then
    assert parsed == address
    assert parsed.canonical == address.canonical


@given(_addresses())
def test_normalize_address_twice_changes_nothing(address):
    once = normalize_address(address.canonical)
    assert normalize_address(once) == once


_FULL_WIDTH = str.maketrans("0123456789-FB", "０１２３４５６７８９－ＦＢ")


@st.composite
def _messy(draw: st.DrawFn) -> tuple[Address, str]:
    """An address and a way a person might type it (台, spaces, 之 as -, F floors, full width)."""
    address = draw(_addresses())
    assume(address.extra is None)
    sep = draw(st.sampled_from(["", " ", ",", " , ", "　"]))
    chinese = draw(st.booleans())

    def num(value: str) -> str:
        main, _, sub = value.partition("之")
        if chinese:
            main = int_to_numeral(int(main))
            sub = int_to_numeral(int(sub)) if sub else ""
        dash = draw(st.sampled_from(["之", "-"])) if not chinese else "之"
        return main + (dash + sub if sub else "")

    parts: list[str] = []
    if address.city:
        parts.append(address.city.replace("臺", draw(st.sampled_from(["臺", "台"]))))
    if address.district:
        parts.append(address.district)
    if address.village:
        parts.append(address.village)
    if address.neighborhood:
        parts.append(f"{address.neighborhood:03d}鄰")
    if address.road:
        road = address.road
        if address.section:
            road += (int_to_numeral(address.section) if chinese else str(address.section)) + "段"
        parts.append(road)
    if address.lane:
        parts.append(num(address.lane) + "巷")
    if address.alley:
        parts.append(num(address.alley) + "弄")
    if address.number:
        parts.append(num(address.number) + "號")
    if address.floor:
        if address.floor < 0:
            floor = draw(
                st.sampled_from(
                    [f"B{-address.floor}", f"地下{-address.floor}樓", f"B{-address.floor}F"]
                )
            )
        else:
            floor = draw(
                st.sampled_from([f"{address.floor}樓", f"{address.floor}F", f"{address.floor}f"])
            )
        if address.floor_sub:
            floor += draw(st.sampled_from(["之", "-"])) + str(address.floor_sub)
        parts.append(floor)
    if address.room:
        # 7樓之2705室 and B11室 are ambiguous to anyone; people (and the canonical form) separate them
        gap = " " if parts and parts[-1][-1].isdigit() and address.room[0].isdigit() else ""
        parts.append(gap + address.room.lower() + "室")
    text = sep.join(parts)
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH)
    return address, text


@given(_messy())
def test_messy_typing_normalises_to_the_canonical_form(pair):
    address, text = pair
    assert normalize_address(text) == address.canonical


# ------------------------------------------------------------------------------------------------
# Number ranges
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "中正路三段 1-99號單號",
            NumberRange(road="中正路", section=3, first=1, last=99, parity=Parity.ODD),
        ),
        (
            "中正路 2號至120號(雙號)",
            NumberRange(road="中正路", first=2, last=120, parity=Parity.EVEN),
        ),
        ("中正路全段", NumberRange(road="中正路")),
        ("中正路", NumberRange(road="中正路")),
        ("中正路全段雙號", NumberRange(road="中正路", parity=Parity.EVEN)),
        ("中正路（單）", NumberRange(road="中正路", parity=Parity.ODD)),
        ("中正路(全)", NumberRange(road="中正路")),
        ("中正路單號1~99號", NumberRange(road="中正路", first=1, last=99, parity=Parity.ODD)),
        ("中正路單號1-99號(單號)", NumberRange(road="中正路", first=1, last=99, parity=Parity.ODD)),
        ("中正路一至九十九號單數", NumberRange(road="中正路", first=1, last=99, parity=Parity.ODD)),
        (
            "中正路 1 - 99 號 ( 雙數 )",
            NumberRange(road="中正路", first=1, last=99, parity=Parity.EVEN),
        ),
        ("中正路自2號起至120號止", NumberRange(road="中正路", first=2, last=120)),
        ("中正路2號到120號", NumberRange(road="中正路", first=2, last=120)),
        ("中正路100號以上", NumberRange(road="中正路", first=100)),
        ("中正路100號以後", NumberRange(road="中正路", first=100)),
        ("中正路100號起", NumberRange(road="中正路", first=100)),
        ("中正路50號以下", NumberRange(road="中正路", last=50)),
        ("中正路50號以前", NumberRange(road="中正路", last=50)),
        ("中正路5號", NumberRange(road="中正路", first=5, last=5)),
        (
            "桃園市中壢區中正路三段12巷全巷",
            NumberRange(road="中正路", city="桃園市", district="中壢區", section=3, lane="12"),
        ),
        (
            "中壢區中正路12巷3弄1-20號",
            NumberRange(
                road="中正路",
                city="桃園市",
                district="中壢區",
                lane="12",
                alley="3",
                first=1,
                last=20,
            ),
        ),
        (
            "台中市臺灣大道二段 100-200號 雙號",
            NumberRange(
                road="臺灣大道", city="臺中市", section=2, first=100, last=200, parity=Parity.EVEN
            ),
        ),
        (
            "龍潭區中豐路上林段1-99號",
            NumberRange(road="中豐路上林段", city="桃園市", district="龍潭區", first=1, last=99),
        ),
    ],
)
def test_parse_number_range(text, expected):
    assert parse_number_range(text) == expected


def test_parse_number_range_default_city():
    assert parse_number_range("中正區中正路1-9號", default_city="臺北市") == NumberRange(
        road="中正路", city="臺北市", district="中正區", first=1, last=9
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1-99號", "address.bad_range"),
        ("桃園市中壢區", "address.bad_range"),
        ("中正路1-99號單號雙號", "address.bad_range"),
        ("中正路單號1-99號雙號", "address.bad_range"),
        ("中正路1-99號附近", "address.bad_range"),
        ("中正路99-1號", "address.range_reversed"),
        ("中正路0-9號", "address.bad_numeral"),
        ("", "address.empty"),
    ],
)
def test_parse_number_range_rejects(text, code):
    with pytest.raises(AddressError) as caught:
        parse_number_range(text)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("_case", "kwargs", "code"),
    [
        ("zero first", {"first": 0}, "address.bad_range"),
        ("negative last", {"last": -3}, "address.bad_range"),
        ("reversed", {"first": 9, "last": 1}, "address.range_reversed"),
    ],
)
def test_number_range_validation(_case, kwargs, code):
    with pytest.raises(AddressError) as caught:
        NumberRange(road="中正路", **kwargs)
    assert caught.value.code == code


def test_number_range_parity_from_plain_string_and_rejects_unknown():
    assert NumberRange(road="中正路", parity="odd").parity is Parity.ODD  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="prime"):
        NumberRange(road="中正路", parity="prime")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("_case", "range_text", "address_text", "expected"),
    [
        ("odd number in an odd range", "中正路三段 1-99號單號", "桃園市中壢區中正路三段5號", True),
        ("even number in an odd range", "中正路三段 1-99號單號", "中正路三段6號", False),
        ("beyond the last number", "中正路三段 1-99號", "中正路三段101號", False),
        ("before the first number", "中正路 2號至120號", "中正路1號", False),
        ("even in even range", "中正路 2號至120號(雙號)", "中正路120號", True),
        ("sub-number counts as its main number", "中正路1-5號", "中正路5之1號", True),
        ("other section", "中正路三段 1-99號", "中正路二段5號", False),
        ("range without a section matches any section", "中正路 1-99號", "中正路二段5號", True),
        ("other road", "中正路1-99號", "中山路5號", False),
        ("lane placed by its lane number", "中正路1-99號單號", "中正路13巷200號", True),
        ("lane placed by its lane number, even", "中正路1-99號單號", "中正路12巷3號", False),
        ("lane with sub-number", "中正路1-20號", "中正路12之1巷3號", True),
        ("alley straight off the road", "中正路1-20號", "中正路7弄30號", True),
        ("inside the named lane", "中正路12巷1-20號", "中正路12巷3弄40號", True),
        ("inside the named lane, by number", "中正路12巷1-20號", "中正路12巷15號", True),
        ("other lane", "中正路12巷1-20號", "中正路14巷15號", False),
        ("inside the named alley", "中正路12巷3弄1-9號", "中正路12巷3弄9號", True),
        ("other alley", "中正路12巷3弄1-9號", "中正路12巷4弄9號", False),
        ("whole road, no number", "中正路全段", "桃園市中壢區中正路", True),
        ("numbered range, no number", "中正路1-9號", "中正路", False),
        ("whole road with parity, no number", "中正路雙號", "中正路", False),
        ("open-ended above", "中正路100號以上", "中正路5000號", True),
        ("open-ended below", "中正路50號以下", "中正路51號", False),
        ("district given and matching", "中壢區中正路1-9號", "桃園市中壢區中正路5號", True),
        ("district given, address lacks it", "中壢區中正路1-9號", "桃園市中正路5號", False),
        ("city given, address in another city", "桃園市中正路1-9號", "臺北市中正路5號", False),
    ],
)
def test_number_range_contains(_case, range_text, address_text, expected):
    assert parse_number_range(range_text).contains(parse_address(address_text)) is expected


@given(
    first=st.integers(min_value=1, max_value=500),
    length=st.integers(min_value=0, max_value=500),
    number=st.integers(min_value=1, max_value=1200),
    sub=st.none() | st.integers(min_value=1, max_value=9),
)
def test_number_range_parities_partition_the_range(first, length, number, sub):
    # given
    last = first + length
    address = Address(road="中正路", number=str(number) if sub is None else f"{number}之{sub}")
    ranges = {p: NumberRange(road="中正路", first=first, last=last, parity=p) for p in Parity}

    # then: 全 = 單 ∪ 雙, 單 ∩ 雙 = ∅, and 全 is exactly first..last
    inside = ranges[Parity.ALL].contains(address)
    assert inside == (first <= number <= last)
    assert ranges[Parity.ODD].contains(address) == (inside and number % 2 == 1)
    assert ranges[Parity.EVEN].contains(address) == (inside and number % 2 == 0)
    assert not (ranges[Parity.ODD].contains(address) and ranges[Parity.EVEN].contains(address))


@given(
    first=st.integers(min_value=1, max_value=999),
    length=st.integers(min_value=0, max_value=999),
    parity=st.sampled_from(list(Parity)),
    chinese=st.booleans(),
)
def test_parse_number_range_reads_what_it_is_given(first, length, parity, chinese):
    # given
    last = first + length
    word = {Parity.ALL: "", Parity.ODD: "(單號)", Parity.EVEN: "雙號"}[parity]
    write = int_to_numeral if chinese else str
    text = f"中正路{write(first)}-{write(last)}號{word}"

    # then
    assert parse_number_range(text) == NumberRange(
        road="中正路", first=first, last=last, parity=parity
    )


@given(
    first=st.integers(min_value=1, max_value=300), last=st.integers(min_value=300, max_value=600)
)
def test_number_range_open_ends_are_supersets(first, last):
    # given
    closed = NumberRange(road="中正路", first=first, last=last)
    open_above = NumberRange(road="中正路", first=first)
    open_below = NumberRange(road="中正路", last=last)
    whole = NumberRange(road="中正路")

    # then: a house in the closed range is in every wider one
    for n in (first, last, (first + last) // 2):
        address = Address(road="中正路", number=str(n))
        assert closed.contains(address)
        assert open_above.contains(address)
        assert open_below.contains(address)
        assert whole.contains(address)
