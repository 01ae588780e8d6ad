"""Rendering notification templates strictly, with :class:`string.Template`.

Templates use ``$name`` or ``${name}`` placeholders and ``$$`` for a literal dollar sign
(Python documentation, "Template strings"). Deliberately not Django templates: no logic, no
attribute access, nothing a template author can use to reach other data, and every missing
variable is found before anything is stored, so a message is never discovered half-filled by
the delivery worker. HTML bodies get every value HTML-escaped.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from powerdesk.core.domain.errors import DomainError

ContextValue = str | int | Decimal | date
_ALLOWED_TYPES: Final = (str, int, Decimal, date)


def placeholders(text: str) -> frozenset[str]:
    """The variable names a template uses. Code: ``template.invalid`` for a stray ``$``."""
    template = string.Template(text)
    if not template.is_valid():
        raise DomainError(
            code="template.invalid",
            zh_hant="範本有不正確的「$」用法（變數請寫成 ${名稱}，金額符號請寫成 $$）。",
            en="The template uses '$' wrongly (write variables as ${name} and a literal "
            "dollar sign as $$).",
        )
    return frozenset(template.get_identifiers())


def _text(value: ContextValue) -> str:
    if isinstance(value, datetime):
        raise DomainError(
            code="context.datetime",
            zh_hant="請先將日期時間格式化為文字再放入通知內容。",
            en="Format date-times as text before putting them in a notification.",
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def check_context(context: Mapping[str, object]) -> dict[str, ContextValue]:
    """Check that every context value is plain data (text, integer, Decimal, date).

    Codes: ``context.type`` (e.g. a float, a model object), ``context.datetime``.
    """
    checked: dict[str, ContextValue] = {}
    for name, value in context.items():
        if isinstance(value, float | bool) or not isinstance(value, _ALLOWED_TYPES):
            raise DomainError(
                code="context.type",
                zh_hant=f"通知內容變數「{name}」的型別 {type(value).__name__} 不可使用"
                "（可用文字、整數、Decimal、日期）。",
                en=f"Context variable '{name}' has type {type(value).__name__}, which is not "
                "allowed (text, integer, Decimal, date are).",
                details={"variable": name, "type": type(value).__name__},
            )
        if isinstance(value, datetime):
            _text(value)
        checked[name] = value
    return checked


def render(text: str, *, context: Mapping[str, ContextValue], escape_html: bool = False) -> str:
    """Fill ``text`` with ``context``; every missing variable is reported at once.

    Codes: ``template.invalid``, ``template.missing_variable`` (``details["missing"]`` lists
    the names, sorted).
    """
    needed = placeholders(text)
    missing = sorted(needed - set(context))
    if missing:
        names = ", ".join(missing)
        raise DomainError(
            code="template.missing_variable",
            zh_hant=f"通知範本需要的變數沒有提供：{names}。",
            en=f"The notification template needs variables that were not given: {names}.",
            details={"missing": missing},
        )
    values = {name: _text(context[name]) for name in needed}
    if escape_html:
        values = {name: html.escape(value) for name, value in values.items()}
    return string.Template(text).substitute(values)
