"""Tests of powerdesk.core.domain.identifiers (pure: no database).

The national-ID and UBN checks are cross-checked against small reference implementations
written here independently of the module (a different letter table, the old and new UBN rules
written out as the 財政部 note states them), so a shared mistake cannot hide.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerdesk.core.domain import identifiers
from powerdesk.core.domain.errors import DomainError
from powerdesk.core.domain.identifiers import (
    IdentifierError,
    PersonId,
    PersonIdKind,
    Phone,
    PhoneKind,
)

# --------------------------------------------------------------------------------------------
# Independent reference implementations
# --------------------------------------------------------------------------------------------

# The letters in order of their codes 10, 11, … 35: the well-known way to write the irregular
# 內政部 table (I=34, O=35, W=32, X=30, Y=31, Z=33) as one string.
_LETTERS_BY_CODE = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def _reference_letter_code(letter: str) -> int:
    return _LETTERS_BY_CODE.index(letter) + 10


def _reference_id_ok(value: str) -> bool:
    code = _reference_letter_code(value[0])
    second = int(value[1]) if value[1].isdigit() else _reference_letter_code(value[1]) % 10
    digits = [code // 10, code % 10, second, *(int(char) for char in value[2:])]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def _reference_ubn_z(value: str) -> int:
    """Z as the 財政部 note computes it: 28 → 2 + 8 = 10 stays 10."""
    weights = [1, 2, 1, 2, 1, 2, 4, 1]
    return sum(sum(int(c) for c in str(int(d) * w)) for d, w in zip(value, weights, strict=True))


def _reference_ubn_old(value: str) -> bool:
    z = _reference_ubn_z(value)
    return z % 10 == 0 or (value[6] == "7" and (z + 1) % 10 == 0)


def _reference_ubn_new(value: str) -> bool:
    z = _reference_ubn_z(value)
    return z % 5 == 0 or (value[6] == "7" and (z + 1) % 5 == 0)


# --------------------------------------------------------------------------------------------
# Half-width mapping
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        ("full-width letters and digits", "Ａ１２３", "A123"),
        ("full-width punctuation", "＠．－（）＃", "@.-()#"),
        ("ideographic space", "A\u3000B", "A B"),
        ("dash look-alikes", "1\u20132\u20143\u22124", "1-2-3-4"),
        ("CJK untouched", "王小明", "王小明"),
        ("ASCII untouched", "abc-123", "abc-123"),
    ],
)
def test_to_half_width(_case: str, text: str, expected: str) -> None:
    assert identifiers.to_half_width(text) == expected


# --------------------------------------------------------------------------------------------
# National ID
# --------------------------------------------------------------------------------------------

# One per area letter, cross-checked with _reference_id_ok (see the test below); A123456789 is
# checked by hand: A=10 → 1×1 + 0×9 = 1; 1×8 + 2×7 + 3×6 + 4×5 + 5×4 + 6×3 + 7×2 + 8×1 = 120;
# + 9×1 → 130, divisible by 10.
VALID_NATIONAL_IDS = [
    "A123456789",
    "A176749366",
    "B236861564",
    "C298502941",
    "D184981540",
    "E169937092",
    "F244314238",
    "G260642416",
    "H256013364",
    "I278351635",
    "J149667628",
    "K115866458",
    "L126842366",
    "M197957153",
    "N283064577",
    "O271004723",
    "P111878133",
    "Q258558228",
    "R209718733",
    "S280558834",
    "T211326489",
    "U291985956",
    "V127251082",
    "W112126841",
    "X235725020",
    "Y199862638",
    "Z294691848",
]


@pytest.mark.parametrize("value", VALID_NATIONAL_IDS)
def test_validate_national_id_accepts_valid_numbers(value: str) -> None:
    assert _reference_id_ok(value)
    assert identifiers.validate_national_id(value) == value


@pytest.mark.parametrize("value", VALID_NATIONAL_IDS)
def test_validate_national_id_rejects_every_other_check_digit(value: str) -> None:
    for digit in "0123456789":
        if digit == value[-1]:
            continue
        wrong = value[:-1] + digit
        assert not _reference_id_ok(wrong)
        with pytest.raises(IdentifierError) as excinfo:
            identifiers.validate_national_id(wrong)
        assert excinfo.value.code == "national_id.checksum"
        assert excinfo.value.details == {"rule": "checksum", "position": 10, "character": digit}


def test_validate_national_id_irregular_letters_use_official_codes() -> None:
    # given: the same digits under I (34) and under the letter after H in table order (J, 18)
    # when/then: only the official code makes each checksum work
    assert identifiers.validate_national_id("I278351635") == "I278351635"
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_national_id("J278351635")
    assert excinfo.value.code == "national_id.checksum"


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("lower case", "a123456789", "A123456789"),
        ("spaces", " A 123 456 789 ", "A123456789"),
        ("dashes", "A-123-456-789", "A123456789"),
        ("full width", "Ａ１２３４５６７８９", "A123456789"),
        (
            "ideographic space and full-width dash",
            "\u3000Ａ１２３－４５６７８９\u3000",
            "A123456789",
        ),
        ("tab", "A123456789\t", "A123456789"),
    ],
)
def test_validate_national_id_normalises(_case: str, value: str, expected: str) -> None:
    assert identifiers.validate_national_id(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "national_id.format", {"rule": "required"}),
        ("blank", "   ", "national_id.format", {"rule": "required"}),
        (
            "digit first",
            "1123456789",
            "national_id.format",
            {"rule": "letter", "position": 1, "character": "1"},
        ),
        (
            "letter inside",
            "A12345X789",
            "national_id.format",
            {"rule": "digit", "position": 7, "character": "X"},
        ),
        (
            "position counts the typed spaces",
            "A 12345X789",
            "national_id.format",
            {"rule": "digit", "position": 8, "character": "X"},
        ),
        (
            "symbol",
            "A12345678#",
            "national_id.format",
            {"rule": "digit", "position": 10, "character": "#"},
        ),
        (
            "CJK character",
            "王123456789",
            "national_id.format",
            {"rule": "letter", "position": 1, "character": "王"},
        ),
        (
            "too short",
            "A12345678",
            "national_id.format",
            {"rule": "length", "expected": 10, "actual": 9},
        ),
        (
            "too long",
            "A1234567890",
            "national_id.format",
            {"rule": "length", "expected": 10, "actual": 11},
        ),
        (
            "old resident ID",
            "AA00000009",
            "national_id.format",
            {"rule": "digit", "position": 2, "character": "A"},
        ),
        (
            "gender digit 3",
            "A323456789",
            "national_id.gender_digit",
            {"rule": "gender_digit", "position": 2, "character": "3"},
        ),
        (
            "gender digit 0",
            "A023456789",
            "national_id.gender_digit",
            {"rule": "gender_digit", "position": 2, "character": "0"},
        ),
        (
            "new resident ID",
            "A800000014",
            "national_id.gender_digit",
            {"rule": "gender_digit", "position": 2, "character": "8"},
        ),
        (
            "checksum",
            "A123456788",
            "national_id.checksum",
            {"rule": "checksum", "position": 10, "character": "8"},
        ),
    ],
)
def test_validate_national_id_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_national_id(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


def test_identifier_error_is_a_bilingual_domain_error() -> None:
    with pytest.raises(DomainError) as excinfo:
        identifiers.validate_national_id("A12345X789")
    error = excinfo.value
    assert isinstance(error, IdentifierError)
    assert error.message.zh_hant == "身分證統一編號第 7 碼「X」應為數字。"
    assert error.message.en == "National ID number: character 7 ('X') must be a digit 0–9."
    assert str(error) == error.message.en


def test_national_id_gender_digit_message_hints_at_resident_ids() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_national_id("A900000000")
    assert "外來人口統一證號" in excinfo.value.message.zh_hant
    assert "resident ID" in excinfo.value.message.en


def test_national_id_checksum_message_names_position_and_character() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_national_id("A123456780")
    assert excinfo.value.message.zh_hant == (
        "身分證統一編號的檢查碼（第 10 碼「0」）不符，請檢查是否輸入錯誤。"
    )
    assert excinfo.value.message.en == (
        "National ID number: the check digit (character 10, '0') does not match; "
        "please check for a typing error."
    )


# --------------------------------------------------------------------------------------------
# Resident IDs
# --------------------------------------------------------------------------------------------

VALID_OLD_RESIDENT_IDS = [
    "AA00000009",
    "AA57586490",
    "FB93774751",
    "HC95912431",
    "ZD29381535",
    "IA63079631",
    "OC78260078",
    "WB44439411",
    "YD75892049",
]
VALID_NEW_RESIDENT_IDS = [
    "A800000014",
    "A958120234",
    "F857840196",
    "H982789673",
    "I858090722",
    "O906323682",
    "W958388978",
    "X945774495",
    "Z920690562",
]


@pytest.mark.parametrize("value", VALID_OLD_RESIDENT_IDS + VALID_NEW_RESIDENT_IDS)
def test_validate_resident_id_accepts_both_formats(value: str) -> None:
    assert _reference_id_ok(value)
    assert identifiers.validate_resident_id(value.lower()) == value


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "resident_id.format", {"rule": "required"}),
        (
            "digit first",
            "8A00000009",
            "resident_id.format",
            {"rule": "letter", "position": 1, "character": "8"},
        ),
        (
            "symbol second",
            "A*00000009",
            "resident_id.format",
            {"rule": "letter_or_digit", "position": 2, "character": "*"},
        ),
        (
            "letter third",
            "AAB0000009",
            "resident_id.format",
            {"rule": "digit", "position": 3, "character": "B"},
        ),
        (
            "too short",
            "AA0000009",
            "resident_id.format",
            {"rule": "length", "expected": 10, "actual": 9},
        ),
        (
            "old format, second letter E",
            "AE00000009",
            "resident_id.second_letter",
            {"rule": "second_letter", "position": 2, "character": "E"},
        ),
        (
            "national ID",
            "A123456789",
            "resident_id.gender_digit",
            {"rule": "gender_digit", "position": 2, "character": "1"},
        ),
        (
            "new format, second digit 7",
            "A700000014",
            "resident_id.gender_digit",
            {"rule": "gender_digit", "position": 2, "character": "7"},
        ),
        (
            "old format checksum",
            "AB00000009",
            "resident_id.checksum",
            {"rule": "checksum", "position": 10, "character": "9"},
        ),
        (
            "new format checksum",
            "A800000015",
            "resident_id.checksum",
            {"rule": "checksum", "position": 10, "character": "5"},
        ),
    ],
)
def test_validate_resident_id_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_resident_id(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


def test_resident_id_gender_digit_message_hints_at_national_ids() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_resident_id("A223456789")
    assert "國民身分證" in excinfo.value.message.zh_hant
    assert "national ID" in excinfo.value.message.en


def test_old_resident_id_second_letter_counts_as_last_digit_of_its_code() -> None:
    # given: B's code is 11, so B contributes 1 × 8 = 8; AA00000009 has A → 0 in that place
    # when/then: the same serial with B needs a check digit 8 smaller (mod 10): 9 - 8 = 1
    assert identifiers.validate_resident_id("AB00000001") == "AB00000001"


# --------------------------------------------------------------------------------------------
# Person IDs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("national ID", "a123456789", PersonId(PersonIdKind.NATIONAL_ID, "A123456789")),
        ("female national ID", "B236861564", PersonId(PersonIdKind.NATIONAL_ID, "B236861564")),
        ("old resident ID", "AA00000009", PersonId(PersonIdKind.RESIDENT_ID_OLD, "AA00000009")),
        (
            "new resident ID, male",
            "A800000014",
            PersonId(PersonIdKind.RESIDENT_ID_NEW, "A800000014"),
        ),
        (
            "new resident ID, female",
            "A958120234",
            PersonId(PersonIdKind.RESIDENT_ID_NEW, "A958120234"),
        ),
    ],
)
def test_validate_person_id_tells_the_kind(_case: str, value: str, expected: PersonId) -> None:
    assert identifiers.validate_person_id(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "person_id.format", {"rule": "required"}),
        (
            "digit first",
            "1234567890",
            "person_id.format",
            {"rule": "letter", "position": 1, "character": "1"},
        ),
        ("one letter", "A", "person_id.format", {"rule": "length", "expected": 10, "actual": 1}),
        (
            "symbol second",
            "A#23456789",
            "person_id.format",
            {"rule": "letter_or_digit", "position": 2, "character": "#"},
        ),
        (
            "unknown second digit",
            "A323456789",
            "person_id.format",
            {"rule": "second_character", "position": 2, "character": "3"},
        ),
        (
            "national ID checksum passes through",
            "A123456788",
            "national_id.checksum",
            {"rule": "checksum", "position": 10, "character": "8"},
        ),
        (
            "old resident ID letter passes through",
            "AZ00000009",
            "resident_id.second_letter",
            {"rule": "second_letter", "position": 2, "character": "Z"},
        ),
        (
            "new resident ID checksum passes through",
            "A800000015",
            "resident_id.checksum",
            {"rule": "checksum", "position": 10, "character": "5"},
        ),
    ],
)
def test_validate_person_id_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_person_id(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


# --------------------------------------------------------------------------------------------
# ID generators
# --------------------------------------------------------------------------------------------


def test_make_national_id_known_value() -> None:
    assert (
        identifiers.make_national_id(letter="A", gender_digit=1, serial7="2345678") == "A123456789"
    )
    assert (
        identifiers.make_national_id(letter="i", gender_digit=2, serial7="7835163") == "I278351635"
    )


def test_make_resident_id_known_value() -> None:
    assert (
        identifiers.make_resident_id(letter="A", gender_digit=8, serial7="0000001") == "A800000014"
    )


_serials = st.text(alphabet="0123456789", min_size=7, max_size=7)
_letters = st.sampled_from(string.ascii_uppercase)


@given(letter=_letters, gender_digit=st.sampled_from([1, 2]), serial7=_serials)
def test_make_national_id_is_always_valid(letter: str, gender_digit: int, serial7: str) -> None:
    value = identifiers.make_national_id(letter=letter, gender_digit=gender_digit, serial7=serial7)
    assert value[:9] == f"{letter}{gender_digit}{serial7}"
    assert _reference_id_ok(value)
    assert identifiers.validate_national_id(value) == value
    assert identifiers.validate_person_id(value) == PersonId(PersonIdKind.NATIONAL_ID, value)


@given(letter=_letters, gender_digit=st.sampled_from([8, 9]), serial7=_serials)
def test_make_resident_id_is_always_valid(letter: str, gender_digit: int, serial7: str) -> None:
    value = identifiers.make_resident_id(letter=letter, gender_digit=gender_digit, serial7=serial7)
    assert value[:9] == f"{letter}{gender_digit}{serial7}"
    assert _reference_id_ok(value)
    assert identifiers.validate_resident_id(value) == value
    assert identifiers.validate_person_id(value) == PersonId(PersonIdKind.RESIDENT_ID_NEW, value)


@pytest.mark.parametrize(
    ("_case", "letter", "gender_digit", "serial7", "rule"),
    [
        ("two letters", "AB", 1, "2345678", "letter"),
        ("digit as letter", "1", 1, "2345678", "letter"),
        ("empty letter", "", 1, "2345678", "letter"),
        ("gender 3", "A", 3, "2345678", "gender_digit"),
        ("gender 12", "A", 12, "2345678", "gender_digit"),
        ("resident gender", "A", 8, "2345678", "gender_digit"),
        ("short serial", "A", 1, "234567", "serial"),
        ("letter in serial", "A", 1, "23456X8", "serial"),
    ],
)
def test_make_national_id_rejects_bad_input(
    _case: str, letter: str, gender_digit: int, serial7: str, rule: str
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.make_national_id(letter=letter, gender_digit=gender_digit, serial7=serial7)
    assert excinfo.value.code == "national_id.format"
    assert excinfo.value.details["rule"] == rule


def test_make_resident_id_rejects_national_gender_digit() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.make_resident_id(letter="A", gender_digit=1, serial7="2345678")
    assert excinfo.value.code == "resident_id.format"
    assert excinfo.value.details["rule"] == "gender_digit"


# --------------------------------------------------------------------------------------------
# UBN
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value"),
    [
        ("財政部 example, 7th digit 7 counted as 0", "10458575"),
        ("common example", "53212539"),
        ("common example", "88117125"),
        ("7th digit 7 counted as 1, old rule too", "12345675"),
        ("7th digit 7 counted as 0, old rule too", "12345676"),
        ("7th digit 7 counted as 1, old rule too", "22550077"),
        ("new rule only, Z = 35", "04595252"),
        ("new rule only, 7th digit 7 counted as 0 (Z = 35)", "12345671"),
        ("new rule only, 7th digit 7 counted as 1 (Z + 1 = 35)", "12345670"),
        ("spaces and dashes", "1234-5675"),
        ("full width", "１２３４５６７５"),
    ],
)
def test_validate_ubn_accepts(_case: str, value: str) -> None:
    expected = identifiers.to_half_width(value).replace("-", "")
    assert _reference_ubn_new(expected)
    assert identifiers.validate_ubn(value) == expected


@pytest.mark.parametrize("value", ["04595252", "12345671", "12345670"])
def test_ubn_examples_valid_only_under_the_2023_rule(value: str) -> None:
    # These would have been rejected before April 2023 (Z not divisible by 10).
    assert not _reference_ubn_old(value)
    assert identifiers.validate_ubn(value) == value


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "ubn.format", {"rule": "required"}),
        ("letter", "1234567A", "ubn.format", {"rule": "digit", "position": 8, "character": "A"}),
        ("too short", "1234567", "ubn.format", {"rule": "length", "expected": 8, "actual": 7}),
        ("too long", "123456750", "ubn.format", {"rule": "length", "expected": 8, "actual": 9}),
        ("checksum", "88117126", "ubn.checksum", {"rule": "checksum"}),
        (
            "7th digit 7, neither 0 nor 1 works (Z = 36)",
            "12345672",
            "ubn.checksum",
            {"rule": "checksum"},
        ),
        (
            "7th digit 7, neither 0 nor 1 works (Z = 43)",
            "12345679",
            "ubn.checksum",
            {"rule": "checksum"},
        ),
        (
            "the exception is only for the 7th digit",
            "12345765",
            "ubn.checksum",
            {"rule": "checksum"},
        ),
    ],
)
def test_validate_ubn_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_ubn(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


_ubns = st.text(alphabet="0123456789", min_size=8, max_size=8)


@given(value=_ubns)
def test_validate_ubn_agrees_with_the_reference_rule(value: str) -> None:
    if _reference_ubn_new(value):
        assert identifiers.validate_ubn(value) == value
    else:
        with pytest.raises(IdentifierError) as excinfo:
            identifiers.validate_ubn(value)
        assert excinfo.value.code == "ubn.checksum"


@given(value=_ubns)
def test_every_number_valid_under_the_old_rule_is_still_valid(value: str) -> None:
    if _reference_ubn_old(value):
        assert identifiers.validate_ubn(value) == value


@given(first7=st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_ubn_valid_last_digits_per_prefix(first7: str) -> None:
    # A final digit adds itself to Z, so two of ten work (Z ≡ 0 mod 5); with 7 in 7th place
    # the sum may also count 1 instead of 0, which doubles it to four.
    valid = []
    for digit in "0123456789":
        try:
            identifiers.validate_ubn(first7 + digit)
        except IdentifierError:
            continue
        valid.append(digit)
    assert len(valid) == (4 if first7[6] == "7" else 2)


@given(first7=st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_make_ubn_is_valid_under_both_rules(first7: str) -> None:
    value = identifiers.make_ubn(first7=first7)
    assert value is not None
    assert value[:7] == first7
    assert identifiers.validate_ubn(value) == value
    assert _reference_ubn_old(value)


def test_make_ubn_known_values() -> None:
    assert identifiers.make_ubn(first7="0459525") == "04595257"
    assert identifiers.make_ubn(first7="5321253") == "53212539"
    assert identifiers.make_ubn(first7="1045857") == "10458575"


@pytest.mark.parametrize(
    ("_case", "first7", "rule"),
    [("letter", "12345A7", "digit"), ("too short", "123456", "length"), ("empty", "", "length")],
)
def test_make_ubn_rejects_bad_input(_case: str, first7: str, rule: str) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.make_ubn(first7=first7)
    assert excinfo.value.code == "ubn.format"
    assert excinfo.value.details["rule"] == rule


# --------------------------------------------------------------------------------------------
# Taipower account numbers (電號)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "digits", "formatted"),
    [
        ("plain", "12345678901", "12345678901", "12-34-5678-90-1"),
        ("printed grouping", "12-34-5678-90-1", "12345678901", "12-34-5678-90-1"),
        ("spaces", " 12 34 5678 90 1 ", "12345678901", "12-34-5678-90-1"),
        ("full width", "０１－２３－４５６７－８９－０", "01234567890", "01-23-4567-89-0"),
        ("leading zeros kept", "00000000000", "00000000000", "00-00-0000-00-0"),
    ],
)
def test_account_number_accepts_and_formats(
    _case: str, value: str, digits: str, formatted: str
) -> None:
    assert identifiers.validate_account_number(value) == digits
    assert identifiers.format_account_number(value) == formatted


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "account_number.format", {"rule": "required"}),
        (
            "letter",
            "12-34-5678-9O-1",
            "account_number.format",
            {"rule": "digit", "position": 13, "character": "O"},
        ),
        (
            "too short",
            "1234567890",
            "account_number.length",
            {"rule": "length", "expected": 11, "actual": 10},
        ),
        (
            "too long",
            "123456789012",
            "account_number.length",
            {"rule": "length", "expected": 11, "actual": 12},
        ),
    ],
)
def test_account_number_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_account_number(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


def test_account_number_has_no_invented_check_digit() -> None:
    # Every final digit is accepted: Taipower publishes no check-digit rule.
    accepted = [identifiers.validate_account_number(f"1234567890{digit}") for digit in "0123456789"]
    assert len(accepted) == 10


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

M, L, T = PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.TOLL_FREE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # mobile
        ("0912345678", Phone(M, "+886912345678", "0912-345-678")),
        ("0912-345-678", Phone(M, "+886912345678", "0912-345-678")),
        ("0912 345 678", Phone(M, "+886912345678", "0912-345-678")),
        ("(0912)345678", Phone(M, "+886912345678", "0912-345-678")),
        ("0912.345.678", Phone(M, "+886912345678", "0912-345-678")),
        ("+886912345678", Phone(M, "+886912345678", "0912-345-678")),
        ("+886 912 345 678", Phone(M, "+886912345678", "0912-345-678")),
        ("+886-912-345-678", Phone(M, "+886912345678", "0912-345-678")),
        ("886912345678", Phone(M, "+886912345678", "0912-345-678")),
        ("+886 0912 345 678", Phone(M, "+886912345678", "0912-345-678")),
        ("０９１２－３４５－６７８", Phone(M, "+886912345678", "0912-345-678")),
        ("  0988 765 432  ", Phone(M, "+886988765432", "0988-765-432")),
        ("0912345678#9", Phone(M, "+886912345678", "0912-345-678", "9")),
        # landlines
        ("(02)2345-6789", Phone(L, "+886223456789", "(02)2345-6789")),
        ("02-23456789", Phone(L, "+886223456789", "(02)2345-6789")),
        ("+886-2-2345-6789", Phone(L, "+886223456789", "(02)2345-6789")),
        ("+886 (0)2 2345 6789", Phone(L, "+886223456789", "(02)2345-6789")),
        ("(03)425-1234", Phone(L, "+88634251234", "(03)425-1234")),
        ("03-4251234", Phone(L, "+88634251234", "(03)425-1234")),
        ("(03)5123456", Phone(L, "+88635123456", "(03)512-3456")),
        ("(037)323-456", Phone(L, "+88637323456", "(037)323-456")),
        ("04-2345-6789", Phone(L, "+886423456789", "(04)2345-6789")),
        ("04-7123456", Phone(L, "+88647123456", "(04)712-3456")),
        ("04-8234567", Phone(L, "+88648234567", "(04)823-4567")),
        ("049-2345678", Phone(L, "+886492345678", "(049)234-5678")),
        ("05-2345678", Phone(L, "+88652345678", "(05)234-5678")),
        ("06-2345678", Phone(L, "+88662345678", "(06)234-5678")),
        ("06-9271234", Phone(L, "+88669271234", "(06)927-1234")),
        ("07-3456789", Phone(L, "+88673456789", "(07)345-6789")),
        ("08-7654321", Phone(L, "+88687654321", "(08)765-4321")),
        ("082-323456", Phone(L, "+88682323456", "(082)323-456")),
        ("0826-56345", Phone(L, "+88682656345", "(0826)56-345")),
        ("0836-22381", Phone(L, "+88683622381", "(0836)22-381")),
        ("089-321456", Phone(L, "+88689321456", "(089)321-456")),
        # extensions
        ("(03)425-1234#123", Phone(L, "+88634251234", "(03)425-1234", "123")),
        ("03-4251234 #123", Phone(L, "+88634251234", "(03)425-1234", "123")),
        ("03-4251234 分機123", Phone(L, "+88634251234", "(03)425-1234", "123")),
        ("03-4251234分機 56", Phone(L, "+88634251234", "(03)425-1234", "56")),
        ("03-4251234 轉 8", Phone(L, "+88634251234", "(03)425-1234", "8")),
        ("02 2345 6789 ext 12", Phone(L, "+886223456789", "(02)2345-6789", "12")),
        ("02 2345 6789 EXT. 12", Phone(L, "+886223456789", "(02)2345-6789", "12")),
        ("02 2345 6789 x12", Phone(L, "+886223456789", "(02)2345-6789", "12")),
        ("02 2345 6789 ＃１２", Phone(L, "+886223456789", "(02)2345-6789", "12")),
        # toll-free
        ("0800-123-456", Phone(T, "+886800123456", "0800-123-456")),
        ("0800123456", Phone(T, "+886800123456", "0800-123-456")),
        ("0809-123-456", Phone(T, "+886809123456", "0809-123-456")),
        ("+886 800 123 456", Phone(T, "+886800123456", "0800-123-456")),
    ],
)
def test_validate_phone_accepts(value: str, expected: Phone) -> None:
    assert identifiers.validate_phone(value) == expected


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "phone.format", {"rule": "required"}),
        ("only separators", "--", "phone.format", {"rule": "required"}),
        ("foreign country", "+1 212 555 1234", "phone.format", {"rule": "country_code"}),
        ("no trunk prefix", "912345678", "phone.format", {"rule": "prefix"}),
        (
            "letter",
            "091234567A",
            "phone.bad_character",
            {"rule": "character", "position": 10, "character": "A"},
        ),
        (
            "words",
            "王先生0912345678",
            "phone.bad_character",
            {"rule": "character", "position": 1, "character": "王"},
        ),
        (
            "plus in the middle",
            "0912+345678",
            "phone.bad_character",
            {"rule": "character", "position": 5, "character": "+"},
        ),
        (
            "extension marker without digits",
            "0912345678#",
            "phone.bad_character",
            {"rule": "character", "position": 11, "character": "#"},
        ),
        (
            "01 is not an area code",
            "01-2345678",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0123"},
        ),
        (
            "00 international prefix",
            "002886912345678",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0028"},
        ),
        (
            "subscriber starting with 1",
            "02-12345678",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0212"},
        ),
        (
            "037 is never re-read as 03 + 7",
            "037-123456",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0371"},
        ),
        (
            "083 other than 0836",
            "083-712345",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0837"},
        ),
        (
            "VoIP 070 is not accepted",
            "070-1234-5678",
            "phone.area_code",
            {"rule": "area_code", "prefix": "0701"},
        ),
        ("a lone 0", "0", "phone.area_code", {"rule": "area_code", "prefix": "0"}),
        (
            "mobile too short",
            "0912-345-67",
            "phone.length",
            {"rule": "length", "expected": 10, "actual": 9},
        ),
        (
            "mobile too long",
            "09123456789",
            "phone.length",
            {"rule": "length", "expected": 10, "actual": 11},
        ),
        (
            "toll-free too long",
            "0800-123-4567",
            "phone.length",
            {"rule": "length", "expected": 10, "actual": 11},
        ),
        (
            "Taipei with 7 digits",
            "02-2345678",
            "phone.length",
            {"rule": "length", "expected": 8, "actual": 7},
        ),
        (
            "Taoyuan with 8 digits",
            "03-42512345",
            "phone.length",
            {"rule": "length", "expected": 7, "actual": 8},
        ),
        (
            "Miaoli with 7 digits",
            "037-3234567",
            "phone.length",
            {"rule": "length", "expected": 6, "actual": 7},
        ),
        (
            "Taichung with 7 digits",
            "04-2345678",
            "phone.length",
            {"rule": "length", "expected": 8, "actual": 7},
        ),
        (
            "Changhua with 8 digits",
            "04-71234567",
            "phone.length",
            {"rule": "length", "expected": 7, "actual": 8},
        ),
        (
            "Matsu with 6 digits",
            "0836-223812",
            "phone.length",
            {"rule": "length", "expected": 5, "actual": 6},
        ),
        ("area code alone", "037", "phone.length", {"rule": "length", "expected": 6, "actual": 0}),
    ],
)
def test_validate_phone_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_phone(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


def test_phone_length_message_names_the_area() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_phone("037-3234567")
    assert (
        excinfo.value.message.zh_hant
        == "電話號碼：（037）苗栗的市話號碼（不含區碼）應為 6 碼，輸入了 7 碼。"
    )
    assert excinfo.value.message.en == (
        "Phone number: A (037) Miaoli landline number without the area code has 6 digits; got 7."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("(03)425-1234#123", "(03)425-1234#123"), ("0912345678", "0912-345-678")],
)
def test_phone_national_with_extension(value: str, expected: str) -> None:
    assert identifiers.validate_phone(value).national_with_extension == expected


@given(subscriber=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_every_mobile_number_round_trips(subscriber: str) -> None:
    phone = identifiers.validate_phone(f"+886 9{subscriber}")
    assert phone.kind is PhoneKind.MOBILE
    assert phone.e164 == f"+8869{subscriber}"
    assert identifiers.validate_phone(phone.national) == phone
    assert identifiers.validate_phone(phone.e164) == phone


# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "expected"),
    [
        ("plain", "wang.ming@example.com", "wang.ming@example.com"),
        ("domain lower-cased, local part kept", "Wang.Ming@Example.COM", "Wang.Ming@example.com"),
        ("surrounding spaces", "  wang@example.com.tw ", "wang@example.com.tw"),
        ("plus tag", "wang+bill@example.com", "wang+bill@example.com"),
        (
            "all atext symbols",
            "a!#$%&'*+-/=?^_`{|}~z@example.com",
            "a!#$%&'*+-/=?^_`{|}~z@example.com",
        ),
        ("full width from an IME", "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "wang@example.com"),
        ("ideographic full stop", "wang@example。com", "wang@example.com"),
        ("IDN returned as typed", "wang@例子.台灣", "wang@例子.台灣"),
        ("IDN lower-cased", "wang@BÜCHER.de", "wang@bücher.de"),
        ("punycode domain", "wang@xn--fsqu00a.xn--kpry57d", "wang@xn--fsqu00a.xn--kpry57d"),
        ("hyphen inside a label", "a@my-host.example.com", "a@my-host.example.com"),
        ("64-character local part", "a" * 64 + "@x.com", "a" * 64 + "@x.com"),
        ("digits in labels", "a@123.example.com", "a@123.example.com"),
    ],
)
def test_validate_email_accepts(_case: str, value: str, expected: str) -> None:
    assert identifiers.validate_email(value) == expected


_LONG_DOMAIN = ".".join(["b" * 63] * 3) + ".com"  # 195 characters


@pytest.mark.parametrize(
    ("_case", "value", "code", "details"),
    [
        ("empty", "", "email.format", {"rule": "required"}),
        ("no @", "wang.example.com", "email.format", {"rule": "at_sign"}),
        (
            "two @",
            "a@b@example.com",
            "email.format",
            {"rule": "at_sign", "position": 4, "character": "@"},
        ),
        ("empty local part", "@example.com", "email.local_part", {"rule": "required"}),
        (
            "space in local part",
            "wang ming@example.com",
            "email.local_part",
            {"rule": "character", "position": 5, "character": " "},
        ),
        (
            "CJK local part",
            "王@example.com",
            "email.local_part",
            {"rule": "character", "position": 1, "character": "王"},
        ),
        (
            "quoted local part",
            '"wang"@example.com',
            "email.local_part",
            {"rule": "character", "position": 1, "character": '"'},
        ),
        ("leading dot", ".wang@example.com", "email.local_part", {"rule": "dots"}),
        ("trailing dot", "wang.@example.com", "email.local_part", {"rule": "dots"}),
        ("double dot", "wang..ming@example.com", "email.local_part", {"rule": "dots"}),
        (
            "65-character local part",
            "a" * 65 + "@x.com",
            "email.local_part",
            {"rule": "length", "expected": 64, "actual": 65},
        ),
        ("empty domain", "wang@", "email.domain", {"rule": "required"}),
        (
            "underscore in domain",
            "wang@my_host.com",
            "email.domain",
            {"rule": "character", "position": 8, "character": "_"},
        ),
        (
            "space in domain",
            "wang@exa mple.com",
            "email.domain",
            {"rule": "character", "position": 9, "character": " "},
        ),
        (
            "domain literal",
            "wang@[127.0.0.1]",
            "email.domain",
            {"rule": "character", "position": 6, "character": "["},
        ),
        ("single label", "wang@localhost", "email.domain", {"rule": "labels"}),
        ("empty label", "wang@example..com", "email.domain", {"rule": "labels"}),
        ("trailing dot", "wang@example.com.", "email.domain", {"rule": "labels"}),
        ("leading hyphen", "wang@-example.com", "email.domain", {"rule": "hyphen"}),
        ("trailing hyphen", "wang@example-.com", "email.domain", {"rule": "hyphen"}),
        (
            "64-character label",
            "wang@" + "a" * 64 + ".com",
            "email.domain",
            {"rule": "label_length"},
        ),
        ("IDN label too long", "wang@" + "例" * 60 + ".com", "email.domain", {"rule": "idna"}),
        (
            "IDN label with a prohibited character",
            "wang@例\ue000.com",
            "email.domain",
            {"rule": "idna"},
        ),
        ("IDN label turning into a space", "wang@a\u00a0例.com", "email.domain", {"rule": "idna"}),
        ("numeric top-level domain", "wang@example.123", "email.domain", {"rule": "top_level"}),
        (
            "255 characters",
            "a" * 59 + "@" + _LONG_DOMAIN,
            "email.length",
            {"rule": "length", "expected": 254, "actual": 255},
        ),
    ],
)
def test_validate_email_rejects(
    _case: str, value: str, code: str, details: dict[str, object]
) -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_email(value)
    assert excinfo.value.code == code
    assert excinfo.value.details == details


def test_email_of_exactly_254_characters_is_accepted() -> None:
    value = "a" * 58 + "@" + _LONG_DOMAIN
    assert len(value) == 254
    assert identifiers.validate_email(value) == value


def test_email_message_is_bilingual() -> None:
    with pytest.raises(IdentifierError) as excinfo:
        identifiers.validate_email("wang")
    assert excinfo.value.message.zh_hant == "電子郵件地址：缺少「@」。"
    assert excinfo.value.message.en == "E-mail address: the '@' is missing."
