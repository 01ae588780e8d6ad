"""Tests of powerdesk.core.domain.masking (pure: no database)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from powerdesk.core.domain import identifiers, masking

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "name", "expected"),
    [
        ("three characters", "王小明", "王○明"),
        ("two characters", "王明", "王○"),
        ("one character", "王", "○"),
        ("four characters, single surname", "李大中華", "李○○華"),
        ("five characters", "林黃美玲子", "林○○○子"),
        ("compound surname + two", "歐陽小明", "歐陽○明"),
        ("compound surname + one", "司馬光", "司馬○"),
        ("double surname + one", "范姜明", "范姜○"),
        ("double surname + two", "張簡美玲", "張簡○玲"),
        ("double surname + three", "張廖文雅君", "張廖○○君"),
        ("compound surname alone is a two-character name", "歐陽", "歐○"),
        ("surrounding spaces", "  王小明 ", "王○明"),
        ("aboriginal name with hyphenation point", "瓦歷斯‧諾幹", "瓦○○‧諾○"),
        ("katakana middle dot", "麥可・喬丹", "麥○・喬○"),
        ("middle dot", "伊斯坦大·貝雅夫·正福", "伊○○○·貝○○·正○"),
        ("space in a Chinese name", "王 小明", "王 小○"),
        ("Latin name", "John Smith", "J*** S****"),
        ("Latin name, three parts", "Mary Ann Lee", "M*** A** L**"),
        ("romanised aboriginal name", "Walis Nokan", "W**** N****"),
        ("Latin single word", "Madonna", "M******"),
        ("Latin initial", "J. Smith", "J* S****"),
        ("every part one character", "A B", "A *"),
        ("every part one character, CJK", "王 明", "王 ○"),
        ("one Latin character", "J", "*"),
        ("leading middle dot", "・王小明", "・王○○"),
        ("separators only", "・", "・"),
    ],
)
def test_mask_name(_case: str, name: str, expected: str) -> None:
    assert masking.mask_name(name) == expected


@pytest.mark.parametrize(
    ("_case", "name"),
    [
        ("company", "台灣電力股份有限公司"),
        ("limited company", "大同實業有限公司"),
        ("association", "桃園市電器商業同業公會"),
        ("cooperative", "中壢區農會"),
        ("school", "桃園市中壢區中正國民小學"),
        ("university", "國立中央大學"),
        ("hospital", "衛生福利部桃園醫院"),
        ("temple", "中壢仁海宮"),
        ("temple, 寺", "龍山寺"),
        ("government", "桃園市政府"),
        ("bureau", "桃園市政府工務局"),
        ("district office", "中壢區公所"),
        ("management committee", "翡翠大樓管理委員會"),
        ("foundation", "財團法人電業基金會"),
        ("service centre", "中壢服務中心"),
        ("publisher", "遠流出版社"),
        ("Latin company", "Acme Co., Ltd."),
        ("Latin inc", "Example Inc"),
        ("Latin university", "National Central University"),
    ],
)
def test_mask_name_leaves_organisations_alone(_case: str, name: str) -> None:
    assert masking.looks_like_organisation(name)
    assert masking.mask_name(name) == name


@pytest.mark.parametrize(
    ("_case", "name"),
    [
        ("plain name", "王小明"),
        ("given name that is also a word", "李建設"),
        ("given name 國中", "陳國中"),
        ("Filipino-Chinese surname Co", "Roberto Co"),
        ("surname Temple", "Shirley Temple"),
        ("surname Church", "Charlotte Church"),
        ("two characters ending in a suffix character", "王宮"),
        ("empty", ""),
        ("blank", "   "),
    ],
)
def test_looks_like_organisation_false_for_people(_case: str, name: str) -> None:
    assert not masking.looks_like_organisation(name)


def test_mask_name_explicit_flag_overrides_the_guess() -> None:
    # given: an organisation name the guess does not recognise, and a person's name it would
    assert masking.mask_name("阿明小吃", is_organisation=True) == "阿明小吃"
    assert masking.mask_name("台灣電力公司", is_organisation=False) == "台○○○○司"
    assert masking.mask_name("  大同公司  ", is_organisation=True) == "大同公司"


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_mask_name_empty(empty: str | None) -> None:
    assert masking.mask_name(empty) == ""


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_compound = st.sampled_from(sorted(masking.COMPOUND_SURNAMES))


def _revealed(original: str, masked: str) -> set[int]:
    assert len(masked) == len(original)
    return {index for index, (a, b) in enumerate(zip(original, masked, strict=True)) if a == b}


@given(name=st.text(alphabet=_CJK, min_size=2, max_size=8))
def test_chinese_names_reveal_at_most_surname_and_last_character(name: str) -> None:
    # when
    masked = masking.mask_name(name, is_organisation=False)
    # then
    assert masked != name
    compound = name[:2] in masking.COMPOUND_SURNAMES
    allowed = {0, 1} if compound else {0}
    if len(name) >= 3 and len(name) - len(allowed) >= 2:
        allowed.add(len(name) - 1)
    assert _revealed(name, masked) <= allowed
    assert set(masked) - set(name) <= {masking.WIDE_MASK}
    assert masked.count(masking.WIDE_MASK) >= 1


@given(surname=_compound, given_name=st.text(alphabet=_CJK, min_size=1, max_size=4))
def test_compound_surnames_stay_whole(surname: str, given_name: str) -> None:
    masked = masking.mask_name(surname + given_name, is_organisation=False)
    assert masked.startswith(surname)
    assert masked[2] == masking.WIDE_MASK


_latin_part = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10
)


@given(parts=st.lists(_latin_part, min_size=1, max_size=4))
def test_latin_names_reveal_at_most_one_letter_per_part(parts: list[str]) -> None:
    name = " ".join(parts)
    assume(len(name) >= 2)
    masked = masking.mask_name(name, is_organisation=False)
    assert masked != name
    revealed_letters = _revealed(name, masked) - {i for i, char in enumerate(name) if char == " "}
    assert len(revealed_letters) <= len(parts)
    assert len(revealed_letters) < sum(len(part) for part in parts)


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "phone", "expected"),
    [
        ("mobile", "0912345678", "0912-***-678"),
        ("mobile, international", "+886 912 345 678", "0912-***-678"),
        ("Taoyuan landline", "(03)425-1234", "(03)***-1234"),
        ("Taipei landline", "02-23456789", "(02)****-6789"),
        ("Miaoli landline", "037-323456", "(037)***-456"),
        ("Matsu landline", "0836-22381", "(0836)**-381"),
        ("extension dropped", "(03)425-1234#123", "(03)***-1234"),
        ("toll-free", "0800-123-456", "0800-***-456"),
        ("unparseable is fully masked", "王先生 0912", "*** ****"),
        ("wrong length is fully masked", "0912-345-67", "****-***-**"),
        ("empty", "", ""),
        ("None", None, ""),
    ],
)
def test_mask_phone(_case: str, phone: str | None, expected: str) -> None:
    assert masking.mask_phone(phone) == expected


@given(subscriber=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_mask_phone_hides_the_middle_of_every_mobile_number(subscriber: str) -> None:
    number = "09" + subscriber
    masked = masking.mask_phone(number)
    assert masked == f"{number[:4]}-***-{number[7:]}"
    assert number not in masked.replace("-", "")


# --------------------------------------------------------------------------------------------
# ID numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("national ID", "A123456789", "A12****789"),
        ("national ID, typed loosely", "a 123-456-789", "A12****789"),
        ("old resident ID", "AA00000009", "AA0****009"),
        ("new resident ID", "A800000014", "A80****014"),
        ("invalid checksum is fully masked", "A123456788", "**********"),
        ("garbage is fully masked", "A-12", "*-**"),
        ("empty", "", ""),
        ("None", None, ""),
    ],
)
def test_mask_national_id(_case: str, value: str | None, expected: str) -> None:
    assert masking.mask_national_id(value) == expected


@given(
    letter=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    gender_digit=st.sampled_from([1, 2]),
    serial7=st.text(alphabet="0123456789", min_size=7, max_size=7),
)
def test_mask_national_id_reveals_exactly_six_characters(
    letter: str, gender_digit: int, serial7: str
) -> None:
    value = identifiers.make_national_id(letter=letter, gender_digit=gender_digit, serial7=serial7)
    masked = masking.mask_national_id(value)
    assert masked == value[:3] + "****" + value[-3:]
    assert masked != value


# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "email", "expected"),
    [
        ("ordinary", "wang.ming@example.com", "w*******g@example.com"),
        ("domain lower-cased", "Wang.Ming@Example.COM", "W*******g@example.com"),
        ("three characters", "abc@example.com", "a*c@example.com"),
        ("two characters", "ab@example.com", "a*@example.com"),
        ("one character", "a@example.com", "*@example.com"),
        ("IDN domain kept as typed", "wang@例子.台灣", "w**g@例子.台灣"),
        ("invalid is fully masked", "wang ming@example", "**** ****@*******"),
        ("empty", "", ""),
        ("None", None, ""),
    ],
)
def test_mask_email(_case: str, email: str | None, expected: str) -> None:
    assert masking.mask_email(email) == expected


@given(local=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=64))
def test_mask_email_reveals_at_most_two_characters_of_the_local_part(local: str) -> None:
    masked = masking.mask_email(f"{local}@example.com")
    masked_local, _, domain = masked.partition("@")
    assert domain == "example.com"
    assert len(masked_local) == len(local)
    revealed = [char for char in masked_local if char != "*"]
    assert len(revealed) <= min(2, len(local) - 1)


# --------------------------------------------------------------------------------------------
# Account numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("digits", "12345678901", "12-34-****-**-1"),
        ("printed grouping", "01-23-4567-89-0", "01-23-****-**-0"),
        ("full width", "１２３４５６７８９０１", "12-34-****-**-1"),
        ("invalid is fully masked", "1234-567", "****-***"),
        ("empty", "", ""),
        ("None", None, ""),
    ],
)
def test_mask_account_number(_case: str, value: str | None, expected: str) -> None:
    assert masking.mask_account_number(value) == expected


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "address", "expected"),
    [
        (
            "house number and floor",
            "桃園市中壢區中正路三段12巷34號5樓",
            "桃園市中壢區中正路三段12巷○○號○樓",
        ),
        (
            "鄰 and 之 after 號",
            "桃園市中壢區中山里5鄰中山路12號之3",
            "桃園市中壢區中山里○鄰中山路○○號之○",
        ),
        (
            "Chinese numerals",
            "臺北市大安區仁愛路四段十二號五樓之二",
            "臺北市大安區仁愛路四段○○號○樓之○",
        ),
        (
            "dash number and room",
            "新北市板橋區文化路一段12-3號503室",
            "新北市板橋區文化路一段○○-○號○○○室",
        ),
        ("之 before 號", "中壢區延平路12之1號", "中壢區延平路○○之○號"),
        (
            "lane, alley and F floor",
            "桃園市平鎮區環南路66巷18弄2號3F",
            "桃園市平鎮區環南路66巷18弄○號○F",
        ),
        ("basement", "中正路1號地下1樓", "中正路○號地下○樓"),
        ("full-width digits", "中正路１２號", "中正路○○號"),
        ("spaces around numbers", "中正路 12 號 5 樓", "中正路 ○○ 號 ○ 樓"),
        ("bare number at the end", "桃園市中壢區中正路12", "桃園市中壢區中正路○○"),
        ("numerals in place names stay", "桃園市八德區介壽路一段", "桃園市八德區介壽路一段"),
        ("no numbers", "桃園市中壢區", "桃園市中壢區"),
        ("empty", "", ""),
        ("None", None, ""),
    ],
)
def test_mask_address(_case: str, address: str | None, expected: str) -> None:
    assert masking.mask_address(address) == expected


@given(
    lane=st.integers(min_value=1, max_value=999),
    house=st.integers(min_value=1, max_value=9999),
    sub=st.none() | st.integers(min_value=1, max_value=99),
    floor=st.none() | st.integers(min_value=1, max_value=99),
)
def test_mask_address_never_shows_house_or_floor_numbers(
    lane: int, house: int, sub: int | None, floor: int | None
) -> None:
    # given
    address = f"桃園市中壢區中正路二段{lane}巷{house}號"
    if sub is not None:
        address += f"之{sub}"
    if floor is not None:
        address += f"{floor}樓"
    # when
    masked = masking.mask_address(address)
    # then: the lane is the only number left
    assert masked.startswith(f"桃園市中壢區中正路二段{lane}巷")
    tail = masked.removeprefix(f"桃園市中壢區中正路二段{lane}巷")
    assert not any(char.isdigit() for char in tail)
    assert tail.count(masking.WIDE_MASK) == (
        len(str(house)) + len(str(sub or "")) + len(str(floor or ""))
    )
