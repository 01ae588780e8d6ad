"""Channels a notification can take, the purposes it can serve, and their rules.

A purpose's rules are office policy, written here so that they are reviewed in one place:

- ``urgent`` purposes (an unplanned outage) may reach a customer during quiet hours and go to
  the front of the delivery queue;
- ``implied_consent`` purposes are notices about the customer's own supply contract (planned
  and unplanned outages at the premises): they may use a channel for which the customer
  never answered the consent question, but never one the customer refused. Every other
  purpose needs an explicit "yes" for the channel (customers.ContactConsent).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from powerdesk.core.domain.errors import DomainError


class Channel(StrEnum):
    """A way to reach a customer."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    LETTER = "letter"
    VOICE = "voice"  # a call-list task for staff (or an IVR export)
    LINE = "line"  # LINE Messaging API


class Purpose(StrEnum):
    """Why a customer is contacted."""

    PAYMENT_REMINDER = "payment_reminder"
    CASE_PROGRESS = "case_progress"
    OUTAGE_PLANNED = "outage_planned"
    OUTAGE_EMERGENCY = "outage_emergency"
    QUEUE_CALL_AHEAD = "queue_call_ahead"
    SUBSCRIPTION = "subscription"
    SERVICE_NOTICE = "service_notice"
    VERIFICATION = "verification"  # a one-time code the person asked for a moment ago


@dataclass(frozen=True, slots=True)
class PurposeRule:
    urgent: bool = False  # may break quiet hours; delivered first
    implied_consent: bool = False  # a missing consent answer is not a refusal
    priority: int = 0  # higher is delivered first


PURPOSE_RULES: Final[dict[Purpose, PurposeRule]] = {
    Purpose.PAYMENT_REMINDER: PurposeRule(),
    Purpose.CASE_PROGRESS: PurposeRule(priority=1),
    Purpose.OUTAGE_PLANNED: PurposeRule(implied_consent=True, priority=1),
    Purpose.OUTAGE_EMERGENCY: PurposeRule(urgent=True, implied_consent=True, priority=9),
    Purpose.QUEUE_CALL_AHEAD: PurposeRule(priority=5),
    Purpose.SUBSCRIPTION: PurposeRule(priority=1),
    Purpose.SERVICE_NOTICE: PurposeRule(),
    # A code expires in minutes: held until 08:00 it would be useless, and the person who typed
    # the address asked for it, so no separate consent is needed.
    Purpose.VERIFICATION: PurposeRule(urgent=True, implied_consent=True, priority=8),
}

# The customers app records consent per contact channel; a voice call is its "phone".
# LINE has no consent channel there yet, so LINE is never chosen for a customer.
CONSENT_CHANNEL: Final[dict[Channel, str | None]] = {
    Channel.EMAIL: "email",
    Channel.SMS: "sms",
    Channel.PUSH: "push",
    Channel.LETTER: "letter",
    Channel.VOICE: "phone",
    Channel.LINE: None,
}

CHANNEL_NAMES: Final[dict[Channel, tuple[str, str]]] = {
    Channel.EMAIL: ("電子郵件", "e-mail"),
    Channel.SMS: ("簡訊", "SMS"),
    Channel.PUSH: ("推播", "push"),
    Channel.LETTER: ("信件", "letter"),
    Channel.VOICE: ("電話", "phone call"),
    Channel.LINE: ("LINE", "LINE"),
}


def parse_channel(value: str) -> Channel:
    """Return the channel named ``value``. Code: ``channel.unknown``."""
    try:
        return Channel(value)
    except ValueError:
        known = ", ".join(channel.value for channel in Channel)
        raise DomainError(
            code="channel.unknown",
            zh_hant=f"未知的通知管道「{value}」（可用：{known}）。",
            en=f"Unknown notification channel '{value}' (known: {known}).",
            details={"value": value},
        ) from None


def parse_purpose(value: str) -> Purpose:
    """Return the purpose named ``value``. Code: ``purpose.unknown``."""
    try:
        return Purpose(value)
    except ValueError:
        known = ", ".join(purpose.value for purpose in Purpose)
        raise DomainError(
            code="purpose.unknown",
            zh_hant=f"未知的通知目的「{value}」（可用：{known}）。",
            en=f"Unknown notification purpose '{value}' (known: {known}).",
            details={"value": value},
        ) from None


def parse_channels(values: list[str] | tuple[str, ...]) -> tuple[Channel, ...]:
    """Channels in the caller's order of preference, without repeats.

    Codes: ``channels.required``, ``channels.repeated``, ``channel.unknown``.
    """
    if not values:
        raise DomainError(
            code="channels.required",
            zh_hant="請至少指定一個通知管道。",
            en="Name at least one notification channel.",
        )
    channels = tuple(parse_channel(value) for value in values)
    repeated = sorted({c.value for c in channels if channels.count(c) > 1})
    if repeated:
        raise DomainError(
            code="channels.repeated",
            zh_hant=f"通知管道重複：{', '.join(repeated)}。",
            en=f"Channel named more than once: {', '.join(repeated)}.",
            details={"channels": repeated},
        )
    return channels
