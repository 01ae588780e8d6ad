"""Tests of case numbers, lookup tokens and the second factor (pure; no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerdesk.cases.domain.numbers import (
    CaseNumber,
    NumberError,
    check_digit,
    format_case_number,
    new_lookup_token,
    parse_case_number,
    second_factor_matches,
    validate_lookup_token,
)


def test_format_case_number():
    # given / when
    number = format_case_number(centre="TY", received_on=date(2026, 3, 2), serial=42)
    # then: T=29, Y=34 → Damm over 2934202603020042
    assert number == "TY-20260302-0042-4"


def test_damm_check_digit_of_the_published_example():
    # Damm's own worked example: 572 → check digit 4
    assert check_digit("572") == 4


@pytest.mark.parametrize(
    "typed",
    [
        "TY-20260302-0042-4",
        "ty-20260302-0042-4",
        "TY2026030200424",
        " ＴＹ－２０２６０３０２－００４２－４ ",
        "TY 20260302 0042 4",
        "TY–20260302–0042–4",
    ],
)
def test_parse_case_number_is_lenient_about_form(typed):
    assert parse_case_number(typed) == CaseNumber(
        centre="TY", received_on=date(2026, 3, 2), serial=42
    )


def test_case_number_str_round_trips():
    number = CaseNumber(centre="GS", received_on=date(2025, 2, 8), serial=9999)
    assert parse_case_number(str(number)) == number


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "case_number.empty"),
        ("TY-2026032-0042-4", "case_number.format"),
        ("12-20260302-0042-4", "case_number.format"),
        ("TY-20260230-0042-4", "case_number.date"),
        ("TY-20260302-0042-3", "case_number.check_digit"),
        ("TY-20260302-0024-4", "case_number.check_digit"),
        ("TY-20260302-0000-0", "case_number.check_digit"),
    ],
)
def test_bad_case_numbers(typed, code):
    with pytest.raises(NumberError) as caught:
        parse_case_number(typed)
    assert caught.value.code == code
    assert caught.value.field == "case_number"
    assert caught.value.message.zh_hant
    assert caught.value.message.en


@pytest.mark.parametrize(
    ("centre", "serial", "code"),
    [
        ("T", 1, "case_number.centre"),
        ("ty", 1, "case_number.centre"),
        ("TY", 0, "case_number.serial"),
        ("TY", 10000, "case_number.serial"),
    ],
)
def test_format_refuses_bad_parts(centre, serial, code):
    with pytest.raises(NumberError) as caught:
        format_case_number(centre=centre, received_on=date(2026, 3, 2), serial=serial)
    assert caught.value.code == code


@settings(max_examples=200)
@given(
    serial=st.integers(min_value=1, max_value=9999),
    day=st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)),
    position=st.integers(min_value=0, max_value=12),
    data=st.data(),
)
def test_any_single_digit_error_or_adjacent_swap_is_caught(serial, day, position, data):
    # given a valid number and its 13 digits (8 of the date, 4 of the serial, check digit)
    number = format_case_number(centre="TY", received_on=day, serial=serial)
    digits = list(number.replace("-", "")[2:])
    # when one digit is changed
    changed = list(digits)
    changed[position] = data.draw(
        st.sampled_from([d for d in "0123456789" if d != digits[position]])
    )
    # then
    typed = "TY" + "".join(changed)
    with pytest.raises(NumberError):
        parse_case_number(typed)
    # and when two different adjacent digits are swapped
    if position < 12 and digits[position] != digits[position + 1]:
        swapped = list(digits)
        swapped[position], swapped[position + 1] = swapped[position + 1], swapped[position]
        with pytest.raises(NumberError):
            parse_case_number("TY" + "".join(swapped))


def test_lookup_tokens_are_long_random_and_url_safe():
    tokens = {new_lookup_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 32  # 24 random bytes = 192 bits
        assert validate_lookup_token(f" {token} ") == token


@pytest.mark.parametrize("bad", ["", "short", "a" * 31, "a" * 33, "a" * 31 + "/", "a" * 31 + "="])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(NumberError) as caught:
        validate_lookup_token(bad)
    assert caught.value.code == "lookup_token.format"


@pytest.mark.parametrize(
    ("given_value", "phone", "account", "expected"),
    [
        ("5678", "0912-345-678", None, True),
        ("3456", "0912-345-678", None, False),
        ("1234", "(03)425-1234", "12345678901", True),
        ("8901", "0912345678", "12-34-5678-90-1", True),
        ("８９０１", None, "12345678901", True),
        ("89-01", None, "12345678901", True),
        ("0000", "0912345678", "12345678901", False),
        ("0000", None, None, False),
        ("0000", "000", None, False),
    ],
)
def test_second_factor(given_value, phone, account, expected):
    assert second_factor_matches(given_value, phone=phone, account_number=account) is expected


@pytest.mark.parametrize("bad", ["", "123", "12345", "12a4"])
def test_second_factor_needs_four_digits(bad):
    with pytest.raises(NumberError) as caught:
        second_factor_matches(bad, phone="0912345678", account_number=None)
    assert caught.value.code == "second_factor.format"
    assert caught.value.field == "second_factor"


def test_check_digit_refuses_other_characters():
    with pytest.raises(NumberError) as caught:
        check_digit("TY-1")
    assert caught.value.code == "case_number.payload"
