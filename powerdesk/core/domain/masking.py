"""The one place that decides how personal data is masked on public pages and in the API.

Every function takes the value as stored (or ``None``) and returns a string that is safe to
show to anyone; empty input gives ``""``. The rules follow common Taiwanese practice for
個人資料 (個人資料保護法 第2條 (Personal Data Protection Act, Art. 2) lists names, ID card
numbers and contact details among personal data):

=================  ==========================================  ============================
what               rule                                        example
=================  ==========================================  ============================
Chinese name       keep the surname and, from three characters  王小明 → 王○明,
                   on, the last character; mask the rest with   歐陽小明 → 歐陽○明
                   ○ (two-character surnames stay whole)
other names        keep the first character of every part       John Smith → J*** S****
organisation       not masked: not personal data                台灣電力股份有限公司
phone              keep the prefix (area code, 09xx, 0800) and  0912-***-678,
                   the last group; drop any extension           (03)***-1234
ID number          keep the first three and last three          A12****789
e-mail             keep the first and last character before @   w*******g@example.com
                   and the domain
電號               keep the first four digits and the last one   12-34-****-**-1
address            keep city, district, village, road, section,  …中正路三段12巷○○號○樓
                   lane (巷) and alley (弄); mask the numbers
                   of 鄰, 號, 之, 樓, 室
=================  ==========================================  ============================

A value that does not parse as what it claims to be (an ID number that fails its check, a
phone number with letters) is masked completely — every letter and digit becomes ``*`` — so a
typing error never leaks more than a correct value would.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from powerdesk.core.domain import identifiers

__all__ = [
    "COMPOUND_SURNAMES",
    "NARROW_MASK",
    "WIDE_MASK",
    "looks_like_organisation",
    "mask_account_number",
    "mask_address",
    "mask_email",
    "mask_name",
    "mask_national_id",
    "mask_phone",
]

WIDE_MASK: Final = "○"  # U+25CB WHITE CIRCLE, the customary mask for Chinese characters
NARROW_MASK: Final = "*"

# 複姓 (two-character surnames) and the Taiwanese double surnames (雙姓, e.g. 張簡, 范姜).
# A name that starts with one keeps both characters.
COMPOUND_SURNAMES: Final = frozenset(
    {
        "歐陽", "司馬", "諸葛", "上官", "司徒", "皇甫", "東方", "夏侯", "公孫", "慕容",
        "長孫", "令狐", "端木", "尉遲", "鍾離", "鐘離", "宇文", "呼延", "軒轅", "南宮",
        "百里", "西門", "司空", "司寇", "聞人", "淳于", "單于", "澹臺", "澹台", "太史",
        "申屠", "公羊", "赫連", "濮陽", "万俟", "拓跋", "左丘", "東郭", "第五", "羊舌",
        "張簡", "范姜", "張廖", "簡黃", "周黃", "劉張", "江謝",
    }
)  # fmt: skip

# Words that appear in the names of organisations (companies, associations, schools,
# hospitals, temples, public bodies) and not in personal names. Showing a personal name
# unmasked is worse than masking an organisation's name, so words that also occur as given
# names (建設, 國中, 高中, 中心 …) are deliberately absent; pass ``is_organisation=True``
# when the caller knows better.
_ORGANISATION_WORDS: Final = (
    "公司", "股份", "有限", "合夥", "企業", "集團", "商行", "商號", "行號", "工作室",
    "協會", "學會", "公會", "工會", "農會", "漁會", "基金會", "委員會", "管委會", "商會",
    "合作社", "社區", "學校", "大學", "學院", "國小", "國民小學", "國民中學", "幼兒園",
    "托嬰", "醫院", "診所", "藥局", "政府", "公所", "機關", "部隊", "教會", "寺廟",
    "宮廟", "服務中心", "事務所", "研究所", "銀行", "工廠", "大樓", "管理處", "實業",
    "電力", "營造", "貿易",
)  # fmt: skip
# Single characters that end organisation names (福德宮, 中壢區公所, 工務局, 養護工程處,
# 出版社, 龍山寺) but could appear inside a personal name, so they count only at the end
# of a name of three or more characters.
_ORGANISATION_SUFFIXES: Final = frozenset("社廟宮寺局處所署院部校店廠館隊")
# "Co" alone is a surname (Filipino-Chinese 許 → Co), so only "Co." counts; likewise
# Temple, Church and Bank are left out because they are surnames too.
_LATIN_ORGANISATION: Final = re.compile(
    r"\bco\.|\b(?:corp|corporation|company|inc|incorporated|ltd|limited|llc|plc|gmbh|"
    r"association|foundation|society|university|school|hospital|clinic|"
    r"government|council|department|bureau|ministry)\b",
    re.IGNORECASE,
)
# Separators between the parts of a name: spaces, and the middle dots used in transcribed
# aboriginal and foreign names (瓦歷斯‧諾幹, 麥可・喬丹).
_NAME_SEPARATORS: Final = re.compile(r"([\s\u00b7\u2027\u2022\u30fb\uff65\u2219]+)")


def looks_like_organisation(name: str) -> bool:
    """Guess whether ``name`` names an organisation rather than a person."""
    text = name.strip()
    if not text:
        return False
    if any(word in text for word in _ORGANISATION_WORDS):
        return True
    if len(text) >= 3 and text[-1] in _ORGANISATION_SUFFIXES:
        return True
    return _LATIN_ORGANISATION.search(text) is not None


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def _mask_char_for(char: str) -> str:
    return WIDE_MASK if _is_wide(char) else NARROW_MASK


def _mask_chinese_name(name: str) -> str:
    length = len(name)
    if length == 1:
        return WIDE_MASK
    surname_length = 2 if length >= 3 and name[:2] in COMPOUND_SURNAMES else 1
    given_length = length - surname_length
    if given_length == 1:
        return name[:surname_length] + WIDE_MASK
    return name[:surname_length] + WIDE_MASK * (given_length - 1) + name[-1]


def _mask_part(part: str) -> str:
    """Keep the first character of one part of a name and mask the others."""
    return part[:1] + "".join(_mask_char_for(char) for char in part[1:])


def mask_name(name: str | None, *, is_organisation: bool | None = None) -> str:
    """Mask a personal name for public display; organisation names are returned unchanged.

    ``is_organisation=None`` guesses from the name (see :func:`looks_like_organisation`).

    * One part, starting with a Chinese character: keep the surname (two characters for a
      compound surname, :data:`COMPOUND_SURNAMES`) and, when the given name has two or more
      characters, its last character: 王明 → 王○, 王小明 → 王○明, 李大中華 → 李○○華,
      范姜明 → 范姜○, 歐陽小明 → 歐陽○明. A single character becomes ○.
    * Several parts (spaces or middle dots, as in 瓦歷斯‧諾幹 or John Smith) or a non-Chinese
      name: keep the first character of every part, mask the others with ○ (wide characters)
      or * (others): J*** S****. If that would reveal everything (every part one character
      long), only the first part is kept.
    """
    text = (name or "").strip()
    if not text:
        return ""
    organisation = looks_like_organisation(text) if is_organisation is None else is_organisation
    if organisation:
        return text
    pieces = _NAME_SEPARATORS.split(text)
    parts = pieces[0::2]
    if len(parts) == 1 and _is_wide(text[0]):
        return _mask_chinese_name(text)
    masked = [_mask_part(part) for part in parts]
    if masked == parts:
        masked = [parts[0], *("".join(_mask_char_for(char) for char in part) for part in parts[1:])]
    if len(masked) == 1 and masked[0] == text:  # one narrow character
        return NARROW_MASK
    pieces[0::2] = masked
    return "".join(pieces)


def _mask_everything(text: str) -> str:
    """Replace every letter and digit with ``*``; keep separators and punctuation."""
    return "".join(NARROW_MASK if char.isalnum() else char for char in text)


def _star_digits(text: str) -> str:
    return "".join(NARROW_MASK if char.isdigit() else char for char in text)


def mask_phone(phone: str | None) -> str:
    """Mask a phone number, keeping the prefix and the last group of its display form.

    0912-345-678 → 0912-***-678; (03)425-1234 → (03)***-1234; (02)2345-6789 → (02)****-6789;
    0800-123-456 → 0800-***-456. Any extension is dropped. Unparseable input is fully masked.
    """
    text = (phone or "").strip()
    if not text:
        return ""
    try:
        parsed = identifiers.validate_phone(text)
    except identifiers.IdentifierError:
        return _mask_everything(text)
    display = parsed.national
    if display.startswith("("):
        area, _, subscriber = display.partition(")")
        head, _, tail = subscriber.rpartition("-")
        return f"{area}){_star_digits(head)}-{tail}"
    first, middle, last = display.split("-")
    return f"{first}-{_star_digits(middle)}-{last}"


def mask_national_id(value: str | None) -> str:
    """Mask a national ID or resident ID number: keep the first three and last three
    characters (A123456789 → A12****789).

    The first three give the area letter, the gender and one serial digit; four of the seven
    serial digits stay hidden. Values that are not a valid ID number are fully masked.
    """
    text = (value or "").strip()
    if not text:
        return ""
    try:
        person_id = identifiers.validate_person_id(text)
    except identifiers.IdentifierError:
        return _mask_everything(text)
    number = person_id.value
    return number[:3] + NARROW_MASK * 4 + number[-3:]


def _mask_local_part(local: str) -> str:
    if len(local) == 1:
        return NARROW_MASK
    if len(local) == 2:
        return local[0] + NARROW_MASK
    return local[0] + NARROW_MASK * (len(local) - 2) + local[-1]


def mask_email(email: str | None) -> str:
    """Mask an e-mail address: keep the first and last character before ``@`` and the domain.

    wang.ming@example.com → w*******g@example.com; ab@example.com → a*@example.com;
    a@example.com → *@example.com. Invalid addresses are fully masked.
    """
    text = (email or "").strip()
    if not text:
        return ""
    try:
        address = identifiers.validate_email(text)
    except identifiers.IdentifierError:
        return _mask_everything(text)
    local, _, domain = address.rpartition("@")
    return f"{_mask_local_part(local)}@{domain}"


def mask_account_number(value: str | None) -> str:
    """Mask a Taipower 電號: keep the first four digits and the last one.

    12345678901 → 12-34-****-**-1: six of the eleven digits stay hidden, while the kept ones
    let a customer tell their own accounts apart. Invalid input is fully masked.
    """
    text = (value or "").strip()
    if not text:
        return ""
    try:
        formatted = identifiers.format_account_number(text)
    except identifiers.IdentifierError:
        return _mask_everything(text)
    return formatted[:6] + _star_digits(formatted[6:-1]) + formatted[-1]


# Numerals as they appear in addresses: ASCII, full-width and Chinese.
_NUMERAL: Final = "[0-9０-９〇零一二三四五六七八九十百千]"
_NUMBER: Final = f"{_NUMERAL}+"
_JOIN: Final = r"\s*[之\-－]\s*"
# 鄰, house numbers (12號, 12之3號, 12-3號), floors (5樓, 5F, 地下1樓) and rooms (503室).
_HOUSE_PART: Final = re.compile(
    rf"{_NUMBER}(?:{_JOIN}{_NUMBER})*\s*(?:鄰|號|号|樓|楼|室|[Ff](?![A-Za-z]))"
)
# 之N after a house number or floor: 12號之3, 5樓之2.
_AFTER_PART: Final = re.compile(rf"(?<=[號号樓楼室])(?:{_JOIN}){_NUMBER}")
# A bare number at the very end, as in "中正路12".
_TRAILING_NUMBER: Final = re.compile(r"[0-9０-９]+(?=\s*$)")
_NUMERAL_CHAR: Final = re.compile(_NUMERAL)


def _circle_numerals(match: re.Match[str]) -> str:
    return _NUMERAL_CHAR.sub(WIDE_MASK, match.group(0))


def mask_address(text: str | None) -> str:
    """Mask the parts of a Taiwanese address that single out a household.

    City, district, village (里/村), road, section (段), lane (巷) and alley (弄) stay, so the
    address still says where in the service area a case is; every numeral of 鄰, house number
    (號, 之), floor (樓, F) and room (室) becomes ○, one ○ per numeral:
    桃園市中壢區中正路三段12巷34號5樓 → 桃園市中壢區中正路三段12巷○○號○樓.
    A bare number at the end (…中正路12) is masked as well.
    """
    value = (text or "").strip()
    if not value:
        return ""
    masked = _HOUSE_PART.sub(_circle_numerals, value)
    masked = _AFTER_PART.sub(_circle_numerals, masked)
    return _TRAILING_NUMBER.sub(_circle_numerals, masked)
