"""Taiwanese postal addressing for letters (中華郵政 envelope layout), without Django.

A postal code (郵遞區號) is 3 digits (the district), 3+2 (5 digits, the older delivery
section) or 3+3 (6 digits, since 2020). On a window envelope the recipient block reads, top
to bottom: the postal code, the address, then the name with a respectful closing — 君 啟 (or
先生／女士 啟) for a person, 台啟 for an organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from powerdesk.core.domain.errors import DomainError


def validate_postal_code(value: str) -> str:
    """A postal code of 3, 5 or 6 digits (spaces and hyphens ignored). Code: ``postal_code``."""
    digits = "".join(char for char in (value or "") if char not in " -")
    if not digits.isdigit() or not digits.isascii() or len(digits) not in (3, 5, 6):
        raise DomainError(
            code="postal_code",
            zh_hant=f"郵遞區號「{value}」須為 3、5 或 6 位數字。",
            en=f"The postal code '{value}' must have 3, 5 or 6 digits.",
            details={"value": value},
        )
    return digits


def postal_code_display(code: str) -> str:
    """``"320004"`` → ``"320-004"``, ``"32001"`` → ``"320-01"``, ``"320"`` → ``"320"``."""
    digits = validate_postal_code(code)
    return digits if len(digits) == 3 else f"{digits[:3]}-{digits[3:]}"


def addressee(name: str, *, organisation: bool, title: str = "") -> str:
    """The name line: ``王小明 君 啟``, ``王小明 先生 啟`` (with a title), ``某公司 台啟``."""
    name = name.strip()
    if organisation:
        return f"{name} 台啟"
    return f"{name} {title or '君'} 啟"


@dataclass(frozen=True, slots=True)
class AddressBlock:
    postal_code: str  # as printed: 320-004
    address_lines: tuple[str, ...]
    name_line: str


def address_block(
    *, postal_code: str, address: str, name: str, organisation: bool, width: int = 22
) -> AddressBlock:
    """The recipient block; an address longer than ``width`` characters wraps."""
    text = address.strip()
    lines = tuple(text[i : i + width] for i in range(0, len(text), width)) or ("",)
    return AddressBlock(
        postal_code=postal_code_display(postal_code),
        address_lines=lines,
        name_line=addressee(name, organisation=organisation),
    )
