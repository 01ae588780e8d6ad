"""Case numbers, public lookup tokens and the second factor of a progress lookup (pure).

**Case number** (printed on the receipt, read out on the phone): ``CC-YYYYMMDD-NNNN-K`` — the
service centre's code (2–10 upper-case letters or digits, e.g. ``TY``), the local receipt date,
the day's serial at that centre (0001–9999) and a check digit ``K``. The check digit is the
Damm algorithm (H. M. Damm, 2004, the totally anti-symmetric quasigroup of order 10) over the
digits of the number with each letter written as its two-digit value A=10 … Z=35; it catches
every single-digit error and every swap of adjacent digits. Input is read leniently (full-width
characters, lower case, spaces, any dash look-alike or none at all).

**Lookup token** (in the receipt's QR code URL): ``secrets.token_urlsafe(24)`` — 192 random bits,
32 URL-safe characters. A case number is guessable; a token is not. The token alone shows only
masked progress; anything more needs the second factor.

**Second factor**: the last four digits of the applicant's phone number, or the last four digits
of the 11-digit 電號 the case concerns. Compared with :func:`hmac.compare_digest` against
*both* candidates every time, so timing reveals neither which one matched nor how many digits
did.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Final

from powerdesk.core.domain.errors import DomainError
from powerdesk.core.domain.identifiers import to_half_width

__all__ = [
    "TOKEN_BYTES",
    "CaseNumber",
    "NumberError",
    "check_digit",
    "format_case_number",
    "new_lookup_token",
    "parse_case_number",
    "second_factor_matches",
    "validate_lookup_token",
]

TOKEN_BYTES: Final = 24  # 192 bits
_TOKEN_LENGTH: Final = 32
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{32}")
_PAYLOAD: Final = re.compile(r"[0-9A-Z]*")
_CENTRE: Final = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_NUMBER: Final = re.compile(r"([A-Z][A-Z0-9]{1,9})-?(\d{8})-?(\d{4})-?(\d)")
_DASHES: Final = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-")
)
_MAX_SERIAL: Final = 9999

# Damm's quasigroup (weak totally anti-symmetric, zero diagonal).
_DAMM: Final = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


class NumberError(DomainError):
    """A malformed case number, token or second factor."""


@dataclass(frozen=True, slots=True)
class CaseNumber:
    centre: str
    received_on: date
    serial: int

    def __str__(self) -> str:
        return format_case_number(
            centre=self.centre, received_on=self.received_on, serial=self.serial
        )


def _digits(payload: str) -> str:
    return "".join(str(int(char, 36)) if char.isalpha() else char for char in payload)


def check_digit(payload: str) -> int:
    """The Damm check digit of ``payload`` (digits and upper-case letters A=10 … Z=35)."""
    if not _PAYLOAD.fullmatch(payload):
        raise NumberError(
            code="case_number.payload",
            zh_hant="檢查碼只能由數字及大寫英文字母計算。",
            en="A check digit is computed over digits and upper-case letters only.",
            field="case_number",
        )
    interim = 0
    for char in _digits(payload):
        interim = _DAMM[interim][int(char)]
    return interim


def format_case_number(*, centre: str, received_on: date, serial: int) -> str:
    """``TY-20260302-0042-K`` for centre ``TY``'s 42nd case received on 2026-03-02."""
    if not _CENTRE.fullmatch(centre):
        raise NumberError(
            code="case_number.centre",
            zh_hant=f"服務中心代碼「{centre}」必須是 2–10 個大寫英文字母或數字，且以字母開頭。",
            en=f"Service centre code {centre!r} must be 2–10 upper-case letters or digits, starting with a letter.",
            field="centre",
        )
    if isinstance(serial, bool) or not 1 <= serial <= _MAX_SERIAL:
        raise NumberError(
            code="case_number.serial",
            zh_hant=f"當日流水號 {serial} 必須介於 1 與 {_MAX_SERIAL} 之間。",
            en=f"The day's serial {serial} must be between 1 and {_MAX_SERIAL}.",
            field="serial",
        )
    payload = f"{centre}{received_on:%Y%m%d}{serial:04d}"
    return f"{centre}-{received_on:%Y%m%d}-{serial:04d}-{check_digit(payload)}"


def _number_error(code: str, *, zh_hant: str, en: str) -> NumberError:
    return NumberError(code=code, zh_hant=zh_hant, en=en, field="case_number")


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number as typed; raise ``NumberError`` if malformed or mistyped."""
    compact = re.sub(r"\s+", "", to_half_width(text or "").translate(_DASHES)).upper()
    if not compact:
        raise _number_error(
            "case_number.empty", zh_hant="請輸入案件編號。", en="Please enter the case number."
        )
    match = _NUMBER.fullmatch(compact)
    if match is None:
        raise _number_error(
            "case_number.format",
            zh_hant=f"案件編號「{text.strip()}」格式不符；應如 TY-20260302-0042-7。",
            en=f"The case number {text.strip()!r} is not in the form TY-20260302-0042-7.",
        )
    centre, raw_date, raw_serial, raw_check = match.groups()
    try:
        received_on = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:]))
    except ValueError:
        raise _number_error(
            "case_number.date",
            zh_hant=f"案件編號中的日期 {raw_date} 不存在。",
            en=f"The date {raw_date} in the case number does not exist.",
        ) from None
    serial = int(raw_serial)
    if serial == 0 or check_digit(f"{centre}{raw_date}{raw_serial}") != int(raw_check):
        raise _number_error(
            "case_number.check_digit",
            zh_hant="案件編號的檢查碼不符，請再核對一次。",
            en="The case number's check digit does not match; please check it again.",
        )
    return CaseNumber(centre=centre, received_on=received_on, serial=serial)


def new_lookup_token() -> str:
    """A fresh unguessable lookup token (192 bits, 32 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def validate_lookup_token(text: str) -> str:
    """Return ``text`` stripped if it has the shape of a token; else ``NumberError``."""
    token = (text or "").strip()
    if len(token) != _TOKEN_LENGTH or not _TOKEN.fullmatch(token):
        raise NumberError(
            code="lookup_token.format",
            zh_hant="查詢連結無效；請重新掃描收據上的 QR 碼。",
            en="The lookup link is not valid; please scan the QR code on your receipt again.",
            field="token",
        )
    return token


def _last_four(value: str | None) -> str:
    digits = "".join(char for char in to_half_width(value or "") if char.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def second_factor_matches(given: str, *, phone: str | None, account_number: str | None) -> bool:
    """Whether ``given`` (4 digits) is the end of the applicant's phone or of the 電號.

    Malformed input (not exactly four digits after removing spaces and dashes) raises
    ``NumberError``; a known value shorter than four digits never matches.
    """
    compact = re.sub(r"[\s-]", "", to_half_width(given or "").translate(_DASHES))
    if not re.fullmatch(r"\d{4}", compact):
        raise NumberError(
            code="second_factor.format",
            zh_hant="請輸入 4 位數字：申請人電話末 4 碼，或電號末 4 碼。",
            en="Enter 4 digits: the last four of the applicant's phone number or of the account number.",
            field="second_factor",
        )
    entered = compact.encode("ascii")
    # Both comparisons always run; a missing candidate compares against a value of another
    # length, which compare_digest rejects without revealing anything about ``given``.
    by_phone = hmac.compare_digest(entered, _last_four(phone).encode("ascii") or b"-")
    by_account = hmac.compare_digest(entered, _last_four(account_number).encode("ascii") or b"-")
    return by_phone | by_account
