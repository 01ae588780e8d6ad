"""Validators and synthetic generators for the identifiers a Taiwanese utility office handles.

Every ``validate_*`` function normalises its input first (strips it, maps full-width characters
to half-width ones, upper-cases letters where case carries no meaning, removes spaces and dashes
where they are only grouping) and returns the normalised value, or raises
:class:`IdentifierError` with a stable ``code`` and a message in zh-Hant and English that names
the rule and, where one exists, the offending character and its 1-based position. Positions
count characters of the value as entered, after leading whitespace.

Rules and their sources:

* 國民身分證統一編號 (national ID): 內政部 (Ministry of the Interior) coding rule, one letter
  for the registering area and nine digits; the checksum is the weighted sum given in
  :func:`validate_national_id`. Letter codes follow the official, irregular table (I=34, O=35, W=32, X=30, Y=31, Z=33).
* 外來人口統一證號 (resident ID): 內政部移民署 (National Immigration Agency). The old format
  has two letters and eight digits; the new format, issued from 110年1月2日 (2021-01-02), uses
  the national ID's layout with 8 (male) or 9 (female) as the second character ("新式統一證號
  比照國民身分證統一編號編碼原則"). Old numbers stay valid during the transition, which the
  agency announced would end on 120年1月1日 (2031-01-01).
* 營利事業統一編號 (UBN): 財政部財政資訊中心, 「營利事業統一編號檢查碼邏輯修正說明」,
  https://www.fia.gov.tw/singlehtml/3?cntId=c4d9cff38c8642ef8872774ee9987283 — the check was
  widened from "divisible by 10" to "divisible by 5" (systems to be changed by 112年3月31日,
  new numbers released from 112年4月 / April 2023).
* 電號 (Taipower account number): 11 digits, printed on every bill as ``XX-XX-XXXX-XX-X``.
  Taipower publishes no check-digit algorithm for it, so none is checked or invented here.
* Telephone numbers: 國家通訊傳播委員會 (NCC), 「電信網路編碼計畫」 (Telecommunications
  Numbering Plan; 電信法/電信管理法 numbering rules): area codes 02–08 with fixed subscriber
  lengths, mobile 09 + 8 digits, toll-free 0800/0809 + 6 digits.
* E-mail: RFC 5321 §4.5.3.1 (local part ≤ 64 octets, path ≤ 256 octets, so an address
  ≤ 254), RFC 5322 §3.2.3/§3.4.1 (dot-atom local part), RFC 1035 §2.3.1 and RFC 5890 (domain
  labels, IDNA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from powerdesk.core.domain.errors import DomainError

__all__ = [
    "IdentifierError",
    "PersonId",
    "PersonIdKind",
    "Phone",
    "PhoneKind",
    "format_account_number",
    "make_national_id",
    "make_resident_id",
    "make_ubn",
    "to_half_width",
    "validate_account_number",
    "validate_email",
    "validate_national_id",
    "validate_person_id",
    "validate_phone",
    "validate_resident_id",
    "validate_ubn",
]


class IdentifierError(DomainError):
    """An identifier (ID number, UBN, 電號, phone number, e-mail address) failed validation."""


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_FULL_WIDTH_FIRST: Final = 0xFF01  # "！"
_FULL_WIDTH_LAST: Final = 0xFF5E  # "～"
_FULL_WIDTH_OFFSET: Final = 0xFEE0  # "！" (U+FF01) - "!" (U+0021)
_IDEOGRAPHIC_SPACE: Final = "\u3000"
# Dash look-alikes that input methods and word processors produce instead of "-".
_DASH_VARIANTS: Final = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
_DIGITS: Final = frozenset("0123456789")
_UPPER: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _half_width_char(char: str) -> str:
    code = ord(char)
    if _FULL_WIDTH_FIRST <= code <= _FULL_WIDTH_LAST:
        return chr(code - _FULL_WIDTH_OFFSET)
    if char == _IDEOGRAPHIC_SPACE:
        return " "
    if char in _DASH_VARIANTS:
        return "-"
    return char


def to_half_width(text: str) -> str:
    """Map full-width ASCII forms (U+FF01–U+FF5E), the ideographic space and dash look-alikes
    to their half-width ASCII equivalents, one character for one character.

    The mapping keeps the length, so positions in the result are positions in ``text``.
    """
    return "".join(_half_width_char(char) for char in text)


@dataclass(frozen=True, slots=True)
class _Compact:
    """A value with grouping characters removed, remembering where each character came from."""

    text: str
    positions: tuple[int, ...]  # 1-based position of each character in the stripped input


def _compact(value: str, *, upper: bool) -> _Compact:
    """Strip, map to half-width, drop whitespace and dashes and, if asked, upper-case a–z."""
    stripped = to_half_width(value).strip()
    chars: list[str] = []
    positions: list[int] = []
    for position, char in enumerate(stripped, start=1):
        if char.isspace() or char == "-":
            continue
        chars.append(char.upper() if upper and "a" <= char <= "z" else char)
        positions.append(position)
    return _Compact(text="".join(chars), positions=tuple(positions))


@dataclass(frozen=True, slots=True)
class _Label:
    """How messages name an identifier in both languages."""

    zh_hant: str
    en: str


def _error(code: str, *, zh_hant: str, en: str, **details: Any) -> IdentifierError:
    return IdentifierError(code=code, zh_hant=zh_hant, en=en, details=details)


def _require_not_empty(compact: _Compact, *, label: _Label, code: str) -> None:
    if not compact.text:
        raise _error(
            code,
            zh_hant=f"請輸入{label.zh_hant}。",
            en=f"Enter the {label.en}.",
            rule="required",
        )


# Character classes per position: "L" = letter A–Z, "D" = digit, "A" = letter or digit.
def _check_characters(compact: _Compact, *, pattern: str, label: _Label, code: str) -> None:
    """Raise on the first character that does not fit ``pattern``; extra characters must be
    digits (the length check that follows reports the count)."""
    for index, char in enumerate(compact.text):
        kind = pattern[index] if index < len(pattern) else "D"
        position = compact.positions[index]
        if kind == "L" and char not in _UPPER:
            raise _error(
                code,
                zh_hant=f"{label.zh_hant}第 {position} 碼「{char}」應為英文字母。",
                en=f"{label.en}: character {position} ('{char}') must be a letter A–Z.",
                rule="letter",
                position=position,
                character=char,
            )
        if kind == "D" and char not in _DIGITS:
            raise _error(
                code,
                zh_hant=f"{label.zh_hant}第 {position} 碼「{char}」應為數字。",
                en=f"{label.en}: character {position} ('{char}') must be a digit 0–9.",
                rule="digit",
                position=position,
                character=char,
            )
        if kind == "A" and char not in _UPPER and char not in _DIGITS:
            raise _error(
                code,
                zh_hant=f"{label.zh_hant}第 {position} 碼「{char}」應為英文字母或數字。",
                en=f"{label.en}: character {position} ('{char}') must be a letter or a digit.",
                rule="letter_or_digit",
                position=position,
                character=char,
            )


def _length_error(compact: _Compact, *, length: int, label: _Label, code: str) -> IdentifierError:
    count = len(compact.text)
    return _error(
        code,
        zh_hant=f"{label.zh_hant}應為 {length} 碼，輸入了 {count} 碼。",
        en=f"{label.en}: expected {length} characters, got {count}.",
        rule="length",
        expected=length,
        actual=count,
    )


def _check_length(compact: _Compact, *, length: int, label: _Label, code: str) -> None:
    if len(compact.text) != length:
        raise _length_error(compact, length=length, label=label, code=code)


# --------------------------------------------------------------------------------------------
# National ID and resident IDs
# --------------------------------------------------------------------------------------------

# 內政部 area-letter codes. The irregular ones (I, O, W–Z) were added after the first 22 letters
# had been given consecutive codes 10–33 in table order.
_LETTER_CODES: Final[dict[str, int]] = {
    "A": 10,  # 臺北市
    "B": 11,  # 臺中市
    "C": 12,  # 基隆市
    "D": 13,  # 臺南市
    "E": 14,  # 高雄市
    "F": 15,  # 新北市
    "G": 16,  # 宜蘭縣
    "H": 17,  # 桃園市
    "I": 34,  # 嘉義市
    "J": 18,  # 新竹縣
    "K": 19,  # 苗栗縣
    "L": 20,  # 臺中縣 (merged into 臺中市 2010)
    "M": 21,  # 南投縣
    "N": 22,  # 彰化縣
    "O": 35,  # 新竹市
    "P": 23,  # 雲林縣
    "Q": 24,  # 嘉義縣
    "R": 25,  # 臺南縣 (merged 2010)
    "S": 26,  # 高雄縣 (merged 2010)
    "T": 27,  # 屏東縣
    "U": 28,  # 花蓮縣
    "V": 29,  # 臺東縣
    "W": 32,  # 金門縣
    "X": 30,  # 澎湖縣
    "Y": 31,  # 陽明山管理局 (historical)
    "Z": 33,  # 連江縣
}
# Weights of the eleven digits: the letter's two-digit code, the second character, the seven
# serial digits and the check digit.
_ID_WEIGHTS: Final = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_NATIONAL_GENDER_DIGITS: Final = "12"  # 1 = male, 2 = female
_NEW_RESIDENT_GENDER_DIGITS: Final = "89"  # 8 = male, 9 = female (新式統一證號)
_OLD_RESIDENT_SECOND_LETTERS: Final = "ABCD"

_NATIONAL_ID: Final = _Label("身分證統一編號", "National ID number")
_RESIDENT_ID: Final = _Label("統一證號", "Resident ID number")
_PERSON_ID: Final = _Label("身分證號或統一證號", "ID number")


def _id_weighted_sum(*, letter: str, second_value: int, digits: str) -> int:
    """Weighted sum over the letter code, the (numeric value of the) second character and the
    remaining digits (seven serial digits, plus the check digit when present)."""
    code = _LETTER_CODES[letter]
    values = (code // 10, code % 10, second_value, *(int(digit) for digit in digits))
    return sum(weight * value for weight, value in zip(_ID_WEIGHTS, values, strict=False))


def _second_value(second: str) -> int:
    """A digit counts as itself; an old-format letter counts as the last digit of its code."""
    if second in _DIGITS:
        return int(second)
    return _LETTER_CODES[second] % 10


def _check_id_checksum(value: str, *, label: _Label, code: str) -> None:
    total = _id_weighted_sum(
        letter=value[0], second_value=_second_value(value[1]), digits=value[2:]
    )
    if total % 10 != 0:
        raise _error(
            code,
            zh_hant=f"{label.zh_hant}的檢查碼（第 10 碼「{value[9]}」）不符，請檢查是否輸入錯誤。",
            en=f"{label.en}: the check digit (character 10, '{value[9]}') does not match; "
            "please check for a typing error.",
            rule="checksum",
            position=10,
            character=value[9],
        )


def validate_national_id(value: str) -> str:
    """Validate a 中華民國國民身分證統一編號 and return it normalised (``"A123456789"``).

    Rule (內政部): one letter (area of first registration) + ``1`` (male) or ``2`` (female) +
    seven serial digits + one check digit. The letter becomes its two-digit code (A=10 … with
    I=34, O=35, W=32, X=30, Y=31, Z=33); the eleven digits are weighted 1, 9, 8, 7, 6, 5, 4, 3,
    2, 1, 1 and the sum must be divisible by 10.

    Codes: ``national_id.format``, ``national_id.gender_digit``, ``national_id.checksum``.
    """
    compact = _compact(value, upper=True)
    code = "national_id.format"
    _require_not_empty(compact, label=_NATIONAL_ID, code=code)
    _check_characters(compact, pattern="L" + "D" * 9, label=_NATIONAL_ID, code=code)
    _check_length(compact, length=10, label=_NATIONAL_ID, code=code)
    text = compact.text
    if text[1] not in _NATIONAL_GENDER_DIGITS:
        position = compact.positions[1]
        hint_zh = "（第 2 碼為 8 或 9 的是外來人口統一證號）" if text[1] in "89" else ""
        hint_en = " (8 or 9 there means a resident ID number)" if text[1] in "89" else ""
        raise _error(
            "national_id.gender_digit",
            zh_hant=f"身分證統一編號第 {position} 碼「{text[1]}」應為 1（男）或 2（女）{hint_zh}。",
            en=f"National ID number: character {position} ('{text[1]}') must be 1 (male) "
            f"or 2 (female){hint_en}.",
            rule="gender_digit",
            position=position,
            character=text[1],
        )
    _check_id_checksum(text, label=_NATIONAL_ID, code="national_id.checksum")
    return text


def validate_resident_id(value: str) -> str:
    """Validate a 外來人口統一證號 (居留證 number) in the old or the new format.

    * Old format: two letters + eight digits; the second letter is A–D (A/B: 臺灣地區無戶籍
      國民、大陸地區人民、港澳居民; C/D: 外國人、無國籍人; A/C male, B/D female). In the
      checksum the second letter counts as the last digit of its code (A=10→0, B→1, C→2, D→3).
    * New format (內政部移民署 新式統一證號, issued from 110年1月2日 / 2021-01-02): one letter +
      ``8`` (male) or ``9`` (female) + eight digits, with exactly the national ID's checksum.

    Codes: ``resident_id.format``, ``resident_id.second_letter``, ``resident_id.gender_digit``,
    ``resident_id.checksum``.
    """
    compact = _compact(value, upper=True)
    code = "resident_id.format"
    _require_not_empty(compact, label=_RESIDENT_ID, code=code)
    _check_characters(compact, pattern="LA" + "D" * 8, label=_RESIDENT_ID, code=code)
    _check_length(compact, length=10, label=_RESIDENT_ID, code=code)
    text = compact.text
    second = text[1]
    position = compact.positions[1]
    if second in _UPPER and second not in _OLD_RESIDENT_SECOND_LETTERS:
        raise _error(
            "resident_id.second_letter",
            zh_hant=f"舊式統一證號第 {position} 碼「{second}」應為 A、B、C 或 D。",
            en=f"Old-format resident ID number: character {position} ('{second}') must be "
            "A, B, C or D.",
            rule="second_letter",
            position=position,
            character=second,
        )
    if second in _DIGITS and second not in _NEW_RESIDENT_GENDER_DIGITS:
        hint_zh = "（第 2 碼為 1 或 2 的是國民身分證統一編號）" if second in "12" else ""
        hint_en = " (1 or 2 there means a national ID number)" if second in "12" else ""
        raise _error(
            "resident_id.gender_digit",
            zh_hant=f"新式統一證號第 {position} 碼「{second}」應為 8（男）或 9（女）{hint_zh}。",
            en=f"New-format resident ID number: character {position} ('{second}') must be "
            f"8 (male) or 9 (female){hint_en}.",
            rule="gender_digit",
            position=position,
            character=second,
        )
    _check_id_checksum(text, label=_RESIDENT_ID, code="resident_id.checksum")
    return text


class PersonIdKind(StrEnum):
    """Which scheme a personal ID number belongs to."""

    NATIONAL_ID = "national_id"
    RESIDENT_ID_OLD = "resident_id_old"
    RESIDENT_ID_NEW = "resident_id_new"


@dataclass(frozen=True, slots=True)
class PersonId:
    """A validated personal ID number and the scheme it belongs to."""

    kind: PersonIdKind
    value: str


def validate_person_id(value: str) -> PersonId:
    """Validate a national ID or a resident ID (old or new format), telling which it is.

    The second character decides: ``1``/``2`` → national ID, ``8``/``9`` → new-format resident
    ID, a letter → old-format resident ID. Errors of the specific scheme are raised unchanged
    (``national_id.checksum`` …); an unrecognisable second character raises
    ``person_id.format``.
    """
    compact = _compact(value, upper=True)
    code = "person_id.format"
    _require_not_empty(compact, label=_PERSON_ID, code=code)
    head = _Compact(text=compact.text[:2], positions=compact.positions[:2])
    _check_characters(head, pattern="LA", label=_PERSON_ID, code=code)
    if len(compact.text) < 2:
        raise _length_error(compact, length=10, label=_PERSON_ID, code=code)
    second = compact.text[1]
    if second in _NATIONAL_GENDER_DIGITS:
        return PersonId(kind=PersonIdKind.NATIONAL_ID, value=validate_national_id(value))
    if second in _NEW_RESIDENT_GENDER_DIGITS:
        return PersonId(kind=PersonIdKind.RESIDENT_ID_NEW, value=validate_resident_id(value))
    if second in _UPPER:
        return PersonId(kind=PersonIdKind.RESIDENT_ID_OLD, value=validate_resident_id(value))
    position = compact.positions[1]
    raise _error(
        code,
        zh_hant=f"身分證號或統一證號第 {position} 碼「{second}」應為 1、2（身分證）、"
        "8、9（新式統一證號）或英文字母（舊式統一證號）。",
        en=f"ID number: character {position} ('{second}') must be 1 or 2 (national ID), "
        "8 or 9 (new resident ID) or a letter (old resident ID).",
        rule="second_character",
        position=position,
        character=second,
    )


def _require_generator_input(
    *, letter: str, gender_digit: int, serial7: str, allowed_gender: str, label: _Label, code: str
) -> str:
    upper = letter.upper()
    if len(upper) != 1 or upper not in _LETTER_CODES:
        raise _error(
            code,
            zh_hant=f"{label.zh_hant}的區域碼「{letter}」應為一個英文字母。",
            en=f"{label.en}: the area letter '{letter}' must be one letter A–Z.",
            rule="letter",
        )
    if gender_digit not in tuple(int(digit) for digit in allowed_gender):
        raise _error(
            code,
            zh_hant=f"{label.zh_hant}的性別碼「{gender_digit}」應為 {'或'.join(allowed_gender)}。",
            en=f"{label.en}: the gender digit {gender_digit} must be "
            f"{' or '.join(allowed_gender)}.",
            rule="gender_digit",
        )
    if len(serial7) != 7 or any(char not in _DIGITS for char in serial7):
        raise _error(
            code,
            zh_hant=f"{label.zh_hant}的流水號「{serial7}」應為 7 個數字。",
            en=f"{label.en}: the serial '{serial7}' must be exactly seven digits.",
            rule="serial",
        )
    return upper


def _with_check_digit(*, letter: str, gender_digit: int, serial7: str) -> str:
    total = _id_weighted_sum(letter=letter, second_value=gender_digit, digits=serial7)
    check = (10 - total % 10) % 10
    return f"{letter}{gender_digit}{serial7}{check}"


def make_national_id(*, letter: str, gender_digit: int, serial7: str) -> str:
    """Build a checksum-valid national ID number for synthetic demo data.

    ``letter`` is the area letter (A–Z), ``gender_digit`` 1 or 2, ``serial7`` seven digits; the
    check digit is computed. Raises ``IdentifierError("national_id.format")`` on bad input.
    """
    upper = _require_generator_input(
        letter=letter,
        gender_digit=gender_digit,
        serial7=serial7,
        allowed_gender=_NATIONAL_GENDER_DIGITS,
        label=_NATIONAL_ID,
        code="national_id.format",
    )
    return _with_check_digit(letter=upper, gender_digit=gender_digit, serial7=serial7)


def make_resident_id(*, letter: str, gender_digit: int, serial7: str) -> str:
    """Build a checksum-valid new-format (2021) resident ID number for synthetic demo data.

    ``gender_digit`` is 8 or 9. Raises ``IdentifierError("resident_id.format")`` on bad input.
    """
    upper = _require_generator_input(
        letter=letter,
        gender_digit=gender_digit,
        serial7=serial7,
        allowed_gender=_NEW_RESIDENT_GENDER_DIGITS,
        label=_RESIDENT_ID,
        code="resident_id.format",
    )
    return _with_check_digit(letter=upper, gender_digit=gender_digit, serial7=serial7)


# --------------------------------------------------------------------------------------------
# UBN (營利事業統一編號)
# --------------------------------------------------------------------------------------------

_UBN_WEIGHTS: Final = (1, 2, 1, 2, 1, 2, 4, 1)
_UBN_SPECIAL_INDEX: Final = 6  # the 7th digit
_UBN_DIVISOR: Final = 5  # 財政部 2023 rule; it was 10 before
_UBN: Final = _Label("統一編號", "Business ID number (UBN)")


def _digit_sum(number: int) -> int:
    return number // 10 + number % 10


def _ubn_sums(digits: str) -> tuple[int, ...]:
    """The possible sums Z of the UBN check over ``digits`` (7 or 8 digits).

    Each digit is multiplied by its weight and the tens and units of each product are added.
    If the 7th digit is 7, its product 4 × 7 = 28 gives 2 + 8 = 10, which the rule counts as
    either 1 (1 + 0) or 0; both sums are returned, the one counting 0 first.
    """
    base = 0
    for index, digit in enumerate(digits):
        if index == _UBN_SPECIAL_INDEX and digit == "7":
            continue
        base += _digit_sum(int(digit) * _UBN_WEIGHTS[index])
    if len(digits) > _UBN_SPECIAL_INDEX and digits[_UBN_SPECIAL_INDEX] == "7":
        return (base, base + 1)
    return (base,)


def validate_ubn(value: str) -> str:
    """Validate a 營利事業統一編號 and return its eight digits.

    Rule (財政部財政資訊中心「營利事業統一編號檢查碼邏輯修正說明」,
    https://www.fia.gov.tw/singlehtml/3?cntId=c4d9cff38c8642ef8872774ee9987283): multiply the
    digits by 1, 2, 1, 2, 1, 2, 4, 1, add the tens and units digits of every product, and sum
    them to Z. The number is valid when Z is divisible by 5 (before April 2023: by 10, so every
    number valid under the old rule remains valid). Exception: when the 7th digit is 7 its
    product 28 gives 10, which counts as 1 or 0 — the number is valid if either sum is
    divisible by 5.

    Codes: ``ubn.format``, ``ubn.checksum``.
    """
    compact = _compact(value, upper=False)
    code = "ubn.format"
    _require_not_empty(compact, label=_UBN, code=code)
    _check_characters(compact, pattern="D" * 8, label=_UBN, code=code)
    _check_length(compact, length=8, label=_UBN, code=code)
    text = compact.text
    if not any(total % _UBN_DIVISOR == 0 for total in _ubn_sums(text)):
        raise _error(
            "ubn.checksum",
            zh_hant="統一編號檢查碼不符（各位數乘以 1、2、1、2、1、2、4、1 後位數和應可被 5 整除），"
            "請檢查是否輸入錯誤。",
            en="Business ID number (UBN): the check does not add up (the digit sums of the "
            "products with 1, 2, 1, 2, 1, 2, 4, 1 must be divisible by 5); please check for "
            "a typing error.",
            rule="checksum",
        )
    return text


def make_ubn(*, first7: str) -> str | None:
    """Complete seven digits to a valid UBN for synthetic demo data.

    The last digit has weight 1, so it adds itself to Z. The digit chosen makes Z divisible by
    10, which satisfies both the 2023 rule (÷5) and the old rule (÷10), so systems that still
    check the old rule accept the number too. Under both rules such a digit always exists, so
    ``None`` (kept in the signature for a future rule without that guarantee) is never
    returned today. Raises ``IdentifierError("ubn.format")`` unless ``first7`` is seven digits.
    """
    compact = _compact(first7, upper=False)
    _check_characters(compact, pattern="D" * 7, label=_UBN, code="ubn.format")
    _check_length(compact, length=7, label=_UBN, code="ubn.format")
    base = _ubn_sums(compact.text)[0]
    return f"{compact.text}{(10 - base % 10) % 10}"


# --------------------------------------------------------------------------------------------
# Taipower account number (電號)
# --------------------------------------------------------------------------------------------

_ACCOUNT: Final = _Label("電號", "Taipower account number")
_ACCOUNT_GROUPS: Final = (2, 2, 4, 2, 1)


def validate_account_number(value: str) -> str:
    """Validate a Taipower 電號 and return its 11 digits (``"12345678901"``).

    Accepts the printed grouping ``12-34-5678-90-1``, spaces and full-width digits. Taipower
    publishes no check-digit algorithm for the 電號, so only the characters and the length
    are checked; inventing a check digit would reject real accounts.

    Codes: ``account_number.format`` (a character that is not a digit),
    ``account_number.length``.
    """
    compact = _compact(value, upper=False)
    _require_not_empty(compact, label=_ACCOUNT, code="account_number.format")
    _check_characters(compact, pattern="D" * 11, label=_ACCOUNT, code="account_number.format")
    _check_length(compact, length=11, label=_ACCOUNT, code="account_number.length")
    return compact.text


def format_account_number(value: str) -> str:
    """Validate a 電號 and return it in the printed grouping ``XX-XX-XXXX-XX-X``."""
    digits = validate_account_number(value)
    groups: list[str] = []
    start = 0
    for size in _ACCOUNT_GROUPS:
        groups.append(digits[start : start + size])
        start += size
    return "-".join(groups)


# --------------------------------------------------------------------------------------------
# Telephone numbers
# --------------------------------------------------------------------------------------------


class PhoneKind(StrEnum):
    """Kind of a Taiwanese telephone number."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    TOLL_FREE = "toll_free"


@dataclass(frozen=True, slots=True)
class Phone:
    """A validated Taiwanese telephone number.

    ``e164`` is the international form (``"+886912345678"``); ``national`` is the display
    form used in Taiwan (``"0912-345-678"``, ``"(03)425-1234"``, ``"0800-123-456"``);
    ``extension`` holds the digits of an extension, if one was given.
    """

    kind: PhoneKind
    e164: str
    national: str
    extension: str | None = None

    @property
    def national_with_extension(self) -> str:
        """The display form followed by ``#extension`` when there is one."""
        if self.extension is None:
            return self.national
        return f"{self.national}#{self.extension}"


@dataclass(frozen=True, slots=True)
class _AreaCode:
    prefix: str  # with the trunk prefix 0
    region_zh: str
    region_en: str
    subscriber_length: int
    first_digits: str = "23456789"


# NCC 電信網路編碼計畫, fixed-network area codes. Longest prefix first; the first entry whose
# prefix and first subscriber digit match wins. Subscriber numbers never start with 0 or 1
# (0 is the trunk prefix, 1 the special-service range). The table checks area codes and
# lengths, not which number blocks are currently assigned to an operator.
_AREA_CODES: Final = (
    _AreaCode("0826", "烏坵", "Wuqiu", 5),
    _AreaCode("0836", "馬祖", "Matsu", 5),
    _AreaCode("037", "苗栗", "Miaoli", 6),
    _AreaCode("049", "南投", "Nantou", 7),
    _AreaCode("082", "金門", "Kinmen", 6),
    _AreaCode("089", "臺東", "Taitung", 6),
    _AreaCode("02", "臺北、新北、基隆", "Taipei, New Taipei, Keelung", 8),
    _AreaCode("03", "桃園、新竹、花蓮、宜蘭", "Taoyuan, Hsinchu, Hualien, Yilan", 7),
    _AreaCode("04", "彰化", "Changhua", 7, first_digits="78"),
    _AreaCode("04", "臺中", "Taichung", 8, first_digits="23456"),
    _AreaCode("05", "嘉義、雲林", "Chiayi, Yunlin", 7),
    _AreaCode("06", "臺南、澎湖", "Tainan, Penghu", 7),
    _AreaCode("07", "高雄", "Kaohsiung", 7),
    # 082, 0826, 0836 and 089 are matched above, so Pingtung numbers start with 4–8.
    _AreaCode("08", "屏東", "Pingtung", 7, first_digits="45678"),
)
_MOBILE_PREFIX: Final = "09"
_MOBILE_LENGTH: Final = 10  # 09 + 8 digits
_TOLL_FREE_PREFIXES: Final = ("0800", "0809")
_TOLL_FREE_LENGTH: Final = 10  # 0800 + 6 digits
_COUNTRY_CODE: Final = "886"
_PHONE_SEPARATORS: Final = frozenset(" -().")
_EXTENSION: Final = re.compile(
    r"\s*(?:#|分機|轉|extension|ext\.?|x)\s*:?\s*(?P<ext>[0-9]{1,6})\s*$", re.IGNORECASE
)


def _phone_error(code: str, *, zh_hant: str, en: str, **details: Any) -> IdentifierError:
    return _error(code, zh_hant=f"電話號碼：{zh_hant}", en=f"Phone number: {en}", **details)


def _group(digits: str) -> str:
    """Group a subscriber number the way Taiwan prints it: 8 → 4-4, 7 → 3-4, 6 → 3-3, 5 → 2-3."""
    tail = 4 if len(digits) >= 7 else 3
    return f"{digits[:-tail]}-{digits[-tail:]}"


def _national_digits(main: str) -> str:
    """Return the national number (with its leading 0) from the part before any extension."""
    digits = "".join(char for char in main if char in _DIGITS)
    if not digits:
        raise _phone_error(
            "phone.format", zh_hant="沒有任何數字。", en="there are no digits.", rule="required"
        )
    if main.startswith("+") or digits.startswith(_COUNTRY_CODE):
        if not digits.startswith(_COUNTRY_CODE):
            raise _phone_error(
                "phone.format",
                zh_hant="只接受臺灣號碼（國碼 +886）。",
                en="only Taiwanese numbers (country code +886) are accepted.",
                rule="country_code",
            )
        # "+886 (0)3 …" and "+886 09…" are common; the trunk 0 is dropped after the country code.
        rest = digits[len(_COUNTRY_CODE) :]
        return "0" + rest.removeprefix("0")
    if not digits.startswith("0"):
        raise _phone_error(
            "phone.format",
            zh_hant="應以 0（區碼或 09）或 +886 開頭。",
            en="must start with 0 (area code or 09) or with +886.",
            rule="prefix",
        )
    return digits


def _area_code_for(national: str) -> _AreaCode | None:
    """The plan entry for a landline number: the longest matching area code decides (a number
    under 037 is never re-read as 03 + 7…); under it, the first subscriber digit picks the
    entry (04 臺中 vs 彰化). A number that ends right after its area code gets that area's
    entry, so that the length error can name it. ``None``: no such area code or number range.
    """
    matching = [area for area in _AREA_CODES if national.startswith(area.prefix)]
    if not matching:
        return None
    longest = max(len(area.prefix) for area in matching)
    subscriber = national[longest:]
    for area in matching:
        if len(area.prefix) == longest and (not subscriber or subscriber[0] in area.first_digits):
            return area
    return None


def _check_phone_length(number: str, *, expected: int, what_zh: str, what_en: str) -> None:
    if len(number) != expected:
        raise _phone_error(
            "phone.length",
            zh_hant=f"{what_zh}應為 {expected} 碼，輸入了 {len(number)} 碼。",
            en=f"{what_en} has {expected} digits; got {len(number)}.",
            rule="length",
            expected=expected,
            actual=len(number),
        )


def validate_phone(value: str) -> Phone:
    """Validate a Taiwanese telephone number and return its parts.

    Accepts spaces, dashes, dots and parentheses as grouping, full-width digits, the prefixes
    ``+886``/``886`` (with or without the trunk ``0`` after them) and an extension written
    ``#123``, ``分機123``, ``轉123``, ``ext 123`` or ``x123``.

    Numbering (NCC 電信網路編碼計畫): mobile ``09`` + 8 digits; toll-free ``0800``/``0809`` +
    6 digits; landlines by area code — 02 (8 digits), 03 (7), 037 苗栗 (6), 04 臺中 (8) /
    彰化 (7, starting 7 or 8), 049 南投 (7), 05 (7), 06 (7), 07 (7), 08 屏東 (7), 082 金門
    (6), 0826 烏坵 (5), 0836 馬祖 (5), 089 臺東 (6). VoIP (070) and premium-rate (0204 …)
    numbers are not accepted.

    Codes: ``phone.format``, ``phone.bad_character``, ``phone.area_code``, ``phone.length``.
    """
    text = to_half_width(value).strip()
    extension: str | None = None
    match = _EXTENSION.search(text)
    main = text
    if match is not None:
        extension = match.group("ext")
        main = text[: match.start()]
    for index, char in enumerate(main):
        if char in _DIGITS or char in _PHONE_SEPARATORS or (char == "+" and index == 0):
            continue
        position = index + 1
        raise _phone_error(
            "phone.bad_character",
            zh_hant=f"第 {position} 個字元「{char}」不是數字或分隔符號（空白、-、括號）。",
            en=f"character {position} ('{char}') is not a digit or a separator "
            "(space, dash, parentheses).",
            rule="character",
            position=position,
            character=char,
        )
    national = _national_digits(main)
    e164 = f"+{_COUNTRY_CODE}{national[1:]}"
    if national.startswith(_MOBILE_PREFIX):
        _check_phone_length(
            national, expected=_MOBILE_LENGTH, what_zh="手機號碼", what_en="A mobile number"
        )
        display = f"{national[:4]}-{national[4:7]}-{national[7:]}"
        return Phone(kind=PhoneKind.MOBILE, e164=e164, national=display, extension=extension)
    if national.startswith(_TOLL_FREE_PREFIXES):
        _check_phone_length(
            national, expected=_TOLL_FREE_LENGTH, what_zh="免付費電話", what_en="A toll-free number"
        )
        display = f"{national[:4]}-{national[4:7]}-{national[7:]}"
        return Phone(kind=PhoneKind.TOLL_FREE, e164=e164, national=display, extension=extension)
    area = _area_code_for(national)
    if area is not None:
        subscriber = national[len(area.prefix) :]
        _check_phone_length(
            subscriber,
            expected=area.subscriber_length,
            what_zh=f"（{area.prefix}）{area.region_zh}的市話號碼（不含區碼）",
            what_en=f"A ({area.prefix}) {area.region_en} landline number without the area code",
        )
        display = f"({area.prefix}){_group(subscriber)}"
        return Phone(kind=PhoneKind.LANDLINE, e164=e164, national=display, extension=extension)
    raise _phone_error(
        "phone.area_code",
        zh_hant=f"「{national[:4]}」不是有效的區碼或門號開頭（市話 02–08、手機 09、免付費 0800/0809）。",
        en=f"'{national[:4]}' is not a valid area code or prefix (landlines 02–08, mobile 09, "
        "toll-free 0800/0809).",
        rule="area_code",
        prefix=national[:4],
    )


# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------

_ATEXT: Final = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~"
)
_LDH: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_MAX_LOCAL: Final = 64  # RFC 5321 §4.5.3.1.1
_MAX_ADDRESS: Final = 254  # RFC 5321 §4.5.3.1.3: 256-octet path minus the angle brackets
_MAX_LABEL: Final = 63  # RFC 1035 §2.3.4


def _email_error(code: str, *, zh_hant: str, en: str, **details: Any) -> IdentifierError:
    return _error(code, zh_hant=f"電子郵件地址：{zh_hant}", en=f"E-mail address: {en}", **details)


def _check_local_part(local: str) -> None:
    if not local:
        raise _email_error(
            "email.local_part",
            zh_hant="「@」前面不可空白。",
            en="the part before '@' is empty.",
            rule="required",
        )
    for index, char in enumerate(local):
        if char not in _ATEXT and char != ".":
            position = index + 1
            raise _email_error(
                "email.local_part",
                zh_hant=f"第 {position} 個字元「{char}」不可用於「@」前面"
                "（可用英文字母、數字及 . ! # $ % & ' * + - / = ? ^ _ ` { | } ~）。",
                en=f"character {position} ('{char}') is not allowed before '@' (letters, "
                "digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~ are).",
                rule="character",
                position=position,
                character=char,
            )
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise _email_error(
            "email.local_part",
            zh_hant="「@」前面的「.」不可在開頭、結尾或連續出現。",
            en="a '.' before '@' may not come first, last or twice in a row.",
            rule="dots",
        )
    if len(local) > _MAX_LOCAL:
        raise _email_error(
            "email.local_part",
            zh_hant=f"「@」前面最多 {_MAX_LOCAL} 個字元，輸入了 {len(local)} 個。",
            en=f"the part before '@' may have at most {_MAX_LOCAL} characters; it has {len(local)}.",
            rule="length",
            expected=_MAX_LOCAL,
            actual=len(local),
        )


def _idna_error(label: str) -> IdentifierError:
    return _email_error(
        "email.domain",
        zh_hant=f"網域名稱的「{label}」不是有效的國際化網域名稱（IDNA），或轉換後超過 "
        f"{_MAX_LABEL} 個字元。",
        en=f"the domain label '{label}' is not a valid internationalised (IDNA) label, or "
        f"is longer than {_MAX_LABEL} characters once converted.",
        rule="idna",
    )


def _label_to_ascii(label: str) -> str:
    """Convert one domain label to ASCII with Python's ``idna`` codec (IDNA 2003 ToASCII).

    The codec's nameprep step applies NFKC, which can turn a non-ASCII character into one
    that is not allowed in a host name (U+00A0 → space), so the result is checked again.
    """
    if label.isascii():
        return label
    try:
        ascii_label = label.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _idna_error(label) from exc
    if not set(ascii_label) <= _LDH:
        raise _idna_error(label)
    return ascii_label


def _domain_to_ascii(domain: str, *, offset: int) -> str:
    """Check the typed domain and return its ASCII (punycode) form."""
    if not domain:
        raise _email_error(
            "email.domain",
            zh_hant="「@」後面不可空白。",
            en="the domain after '@' is empty.",
            rule="required",
        )
    for index, char in enumerate(domain):
        if char.isascii() and char not in _LDH and char != ".":
            position = offset + index + 1
            raise _email_error(
                "email.domain",
                zh_hant=f"第 {position} 個字元「{char}」不可用於網域名稱（可用英文字母、數字、-、.）。",
                en=f"character {position} ('{char}') is not allowed in a domain name "
                "(letters, digits, '-' and '.' are).",
                rule="character",
                position=position,
                character=char,
            )
    labels = domain.split(".")
    if len(labels) < 2 or any(not label for label in labels):
        raise _email_error(
            "email.domain",
            zh_hant="網域名稱須由「.」分隔的多個部分組成，且各部分不可空白（例如 example.com.tw）。",
            en="the domain must be at least two non-empty labels separated by '.' "
            "(e.g. example.com.tw).",
            rule="labels",
        )
    ascii_labels = [_label_to_ascii(label) for label in labels]
    for label in ascii_labels:
        if len(label) > _MAX_LABEL:
            raise _email_error(
                "email.domain",
                zh_hant=f"網域名稱每一段最多 {_MAX_LABEL} 個字元。",
                en=f"each domain label may have at most {_MAX_LABEL} characters.",
                rule="label_length",
            )
        if label.startswith("-") or label.endswith("-"):
            raise _email_error(
                "email.domain",
                zh_hant=f"網域名稱的「{label}」不可以「-」開頭或結尾。",
                en=f"the domain label '{label}' may not start or end with '-'.",
                rule="hyphen",
            )
    if ascii_labels[-1].isdigit():
        raise _email_error(
            "email.domain",
            zh_hant="網域名稱的最後一段（頂級網域）不可全為數字。",
            en="the last domain label (the top-level domain) may not be all digits.",
            rule="top_level",
        )
    return ".".join(ascii_labels)


def validate_email(value: str) -> str:
    """Validate an e-mail address pragmatically and return it as typed, domain lower-cased.

    Checks (RFC 5321/5322, RFC 5890): exactly one ``@``; a dot-atom local part of at most 64
    characters (quoted local parts and non-ASCII local parts are refused: few mail systems
    deliver them); a domain of at least two labels of letters, digits and hyphens (an
    internationalised domain such as ``例子.台灣`` is converted with the ``idna`` codec for
    the check but returned as typed); at most 254 characters in total in ASCII form. Full-width
    characters typed with a Chinese input method are mapped to half-width first.

    Codes: ``email.format``, ``email.local_part``, ``email.domain``, ``email.length``.
    """
    text = to_half_width(value).strip().replace("\u3002", ".").replace("\uff61", ".")
    if not text:
        raise _email_error(
            "email.format", zh_hant="不可空白。", en="enter an address.", rule="required"
        )
    if "@" not in text:
        raise _email_error(
            "email.format", zh_hant="缺少「@」。", en="the '@' is missing.", rule="at_sign"
        )
    first_at = text.index("@")
    second_at = text.find("@", first_at + 1)
    if second_at != -1:
        position = second_at + 1
        raise _email_error(
            "email.format",
            zh_hant=f"只能有一個「@」（第 {position} 個字元是第二個）。",
            en=f"only one '@' is allowed (character {position} is a second one).",
            rule="at_sign",
            position=position,
            character="@",
        )
    local, domain = text[:first_at], text[first_at + 1 :].lower()
    _check_local_part(local)
    ascii_domain = _domain_to_ascii(domain, offset=first_at + 1)
    total = len(local) + 1 + len(ascii_domain)
    if total > _MAX_ADDRESS:
        raise _email_error(
            "email.length",
            zh_hant=f"最多 {_MAX_ADDRESS} 個字元，輸入了 {total} 個。",
            en=f"at most {_MAX_ADDRESS} characters are allowed; it has {total}.",
            rule="length",
            expected=_MAX_ADDRESS,
            actual=total,
        )
    return f"{local}@{domain}"
