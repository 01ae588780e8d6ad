"""Filters of the staff outbox pages and API, and display labels of channels and purposes.

One parser (:func:`outbox_filters_parse`) checks filter values for both the pages and the API,
so a bad value gets the same bilingual message naming the field wherever it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.core.domain.errors import FieldProblem, Message
from powerdesk.core.errors import InvalidInputError
from powerdesk.customers.models import ServiceCentre
from powerdesk.notifications.domain.channels import Channel, Purpose
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.selectors import OutboxFilters

CHANNEL_LABELS: dict[str, Any] = {
    Channel.EMAIL.value: _("E-mail"),
    Channel.SMS.value: _("SMS"),
    Channel.PUSH.value: _("Push notification"),
    Channel.LETTER.value: _("Letter"),
    Channel.VOICE.value: _("Phone call"),
    Channel.LINE.value: _("LINE"),
}
PURPOSE_LABELS: dict[str, Any] = {
    Purpose.PAYMENT_REMINDER.value: _("Payment reminder"),
    Purpose.CASE_PROGRESS.value: _("Case progress"),
    Purpose.OUTAGE_PLANNED.value: _("Planned outage"),
    Purpose.OUTAGE_EMERGENCY.value: _("Emergency outage"),
    Purpose.QUEUE_CALL_AHEAD.value: _("Queue call-ahead"),
    Purpose.SUBSCRIPTION.value: _("Subscription"),
    Purpose.SERVICE_NOTICE.value: _("Service notice"),
}
STATUSES = tuple(OutboxMessage.Status.values)
MAX_QUERY = 100

FIELD_NAMES: dict[str, tuple[str, str]] = {
    "status": ("狀態", "status"),
    "channel": ("管道", "channel"),
    "purpose": ("用途", "purpose"),
    "since": ("起始日期", "from date"),
    "until": ("結束日期", "to date"),
    "q": ("搜尋", "search"),
    "customer": ("用戶編號", "customer number"),
    "centre": ("服務中心", "service centre"),
}


def _problem(field: str, code: str, zh: str, en: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=Message(zh_hant=zh, en=en))


def _choice(
    data: Mapping[str, Any], field: str, allowed: tuple[str, ...], problems: list[FieldProblem]
) -> str:
    value = str(data.get(field) or "").strip()
    if value and value not in allowed:
        zh, en = FIELD_NAMES[field]
        problems.append(
            _problem(
                field,
                f"{field}.unknown",
                f"{zh}「{value[:40]}」不存在；可用：{', '.join(allowed)}。",
                f"Unknown {en} '{value[:40]}'; use one of: {', '.join(allowed)}.",
            )
        )
        return ""
    return value


def _date(data: Mapping[str, Any], field: str, problems: list[FieldProblem]) -> date | None:
    value = str(data.get(field) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        zh, en = FIELD_NAMES[field]
        problems.append(
            _problem(
                field,
                "date.invalid",
                f"{zh}須為 YYYY-MM-DD 格式的日期（收到「{value[:40]}」）。",
                f"The {en} must be a date as YYYY-MM-DD (got '{value[:40]}').",
            )
        )
        return None


def outbox_filters_parse(data: Mapping[str, Any], *, centres: bool = True) -> OutboxFilters:
    """Check filter values (strings, as from a query string); raise ``InvalidInputError`` naming
    every bad field in both languages. ``centres``: whether the centre filter is offered."""
    problems: list[FieldProblem] = []
    status = _choice(data, "status", STATUSES, problems)
    channel = _choice(data, "channel", tuple(c.value for c in Channel), problems)
    purpose = _choice(data, "purpose", tuple(p.value for p in Purpose), problems)
    since = _date(data, "since", problems)
    until = _date(data, "until", problems)
    if since is not None and until is not None and until < since:
        problems.append(
            _problem(
                "until",
                "date.range",
                "結束日期不可早於起始日期。",
                "The to date cannot be before the from date.",
            )
        )
    query = str(data.get("q") or "").strip()
    if len(query) > MAX_QUERY:
        problems.append(
            _problem(
                "q",
                "q.too_long",
                f"搜尋文字最多 {MAX_QUERY} 字。",
                f"The search text can have at most {MAX_QUERY} characters.",
            )
        )
    customer_text = str(data.get("customer") or "").strip()
    customer_id: int | None = None
    if customer_text:
        if customer_text.isascii() and customer_text.isdigit() and len(customer_text) <= 12:
            customer_id = int(customer_text)
        else:
            problems.append(
                _problem(
                    "customer",
                    "customer.invalid",
                    "用戶編號須為數字。",
                    "The customer number must be a whole number.",
                )
            )
    centre = str(data.get("centre") or "").strip() if centres else ""
    if centre and not ServiceCentre.objects.filter(code=centre).exists():
        problems.append(
            _problem(
                "centre",
                "service_centre.unknown",
                f"查無服務中心代碼「{centre[:20]}」。",
                f"No service centre with code '{centre[:20]}'.",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    return OutboxFilters(
        status=status,
        channel=channel,
        purpose=purpose,
        since=since,
        until=until,
        query=query,
        customer_id=customer_id,
        centre=centre,
    )


def _blank(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class _LenientChoiceField(forms.ChoiceField):
    """A select whose value is checked by the parser (one message, in both languages)."""

    def valid_value(self, value: Any) -> bool:
        return True


class OutboxFilterForm(forms.Form):
    """The filter form of the outbox list. Only renders and carries values: checking is done by
    :func:`outbox_filters_parse`, whose problems are attached with :meth:`add_problems`."""

    q = forms.CharField(
        label=_("Recipient or customer"),
        help_text=_(
            "E-mail, mobile number, customer name or number, 11-digit account number (電號), "
            "or the provider's message id"
        ),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "spellcheck": "false",
                "maxlength": str(MAX_QUERY),
            }
        ),
    )
    status = _LenientChoiceField(label=_("Status"), required=False)
    channel = _LenientChoiceField(label=_("Channel"), required=False)
    purpose = _LenientChoiceField(label=_("Purpose"), required=False)
    since = forms.CharField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.CharField(
        label=_("To (date, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    centre = _LenientChoiceField(label=_("Service centre"), required=False)
    customer = forms.CharField(label=_("Customer number"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, centres: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["status"].choices = _blank(list(OutboxMessage.Status.choices), _("Any status"))
        fields["channel"].choices = _blank(list(CHANNEL_LABELS.items()), _("Any channel"))
        fields["purpose"].choices = _blank(list(PURPOSE_LABELS.items()), _("Any purpose"))
        if centres:
            english = (get_language() or "").startswith("en")
            fields["centre"].choices = _blank(
                [
                    (c.code, c.name_en if english else c.name_zh)
                    for c in ServiceCentre.objects.order_by("code")
                ],
                _("All service centres"),
            )
        else:
            del self.fields["centre"]

    def add_problems(self, error: InvalidInputError) -> None:
        self.is_valid()  # sets up cleaned_data and errors; the fields themselves accept anything
        language = get_language() or "zh-hant"
        for problem in error.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message.in_language(language))
