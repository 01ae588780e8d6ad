"""Choosing the channel of a notification: the first of the allowed channels that can be used.

The caller names the channels it allows, in its order of preference; a customer who stated a
preference of their own gets their order among those channels. A channel is usable when a
provider serves it, there is an address for it, the address has not unsubscribed, the customer
consented (see :mod:`channels` for implied consent), and a template exists in the customer's
language. When none is usable, the error names every channel and why, in both languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from powerdesk.core.domain.errors import DomainError
from powerdesk.notifications.domain.channels import (
    CHANNEL_NAMES,
    PURPOSE_RULES,
    Channel,
    Purpose,
)


class Consent(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    UNKNOWN = "unknown"  # never asked, or never answered


@dataclass(frozen=True, slots=True)
class ChannelOption:
    """What is known about one candidate channel for one recipient."""

    channel: Channel
    address: str  # the validated address, "" when there is none
    consent: Consent
    has_template: bool
    available: bool = True  # a provider is configured for the channel
    suppressed: bool = False  # the address unsubscribed


@dataclass(frozen=True, slots=True)
class Rejection:
    channel: Channel
    reason: str
    zh_hant: str
    en: str


def preference_order(
    requested: Sequence[Channel], *, preferred: Sequence[Channel]
) -> tuple[Channel, ...]:
    """``requested`` reordered so that the customer's preferred channels come first, in the
    customer's order; the others follow in the caller's order. Nothing is added."""
    first = [channel for channel in preferred if channel in requested]
    rest = [channel for channel in requested if channel not in first]
    return (*first, *rest)


def _rejection(option: ChannelOption, *, purpose: Purpose) -> Rejection | None:
    def reject(reason: str, zh_hant: str, en: str) -> Rejection:
        return Rejection(channel=option.channel, reason=reason, zh_hant=zh_hant, en=en)

    if not option.available:
        return reject("unavailable", "目前未提供此管道", "this channel is not available")
    if not option.address:
        return reject("no_address", "沒有聯絡地址或號碼", "there is no address or number")
    if option.suppressed:
        return reject("unsubscribed", "已取消訂閱", "the address unsubscribed")
    if option.consent is Consent.REFUSED:
        return reject(
            "consent_refused", "用戶不同意以此管道聯絡", "the customer refused this channel"
        )
    if option.consent is Consent.UNKNOWN and not PURPOSE_RULES[purpose].implied_consent:
        return reject(
            "no_consent", "用戶未同意以此管道聯絡", "the customer has not agreed to this channel"
        )
    if not option.has_template:
        return reject(
            "no_template", "沒有此管道的通知範本", "there is no template for this channel"
        )
    return None


def channel_choose(options: Sequence[ChannelOption], *, purpose: Purpose) -> ChannelOption:
    """The first usable option. Code: ``notification.no_channel`` (``details["channels"]``
    lists ``{"channel", "reason"}`` for each refused channel)."""
    rejections: list[Rejection] = []
    for option in options:
        rejection = _rejection(option, purpose=purpose)
        if rejection is None:
            return option
        rejections.append(rejection)
    zh = "；".join(f"{CHANNEL_NAMES[r.channel][0]}：{r.zh_hant}" for r in rejections)
    en = "; ".join(f"{CHANNEL_NAMES[r.channel][1]}: {r.en}" for r in rejections)
    raise DomainError(
        code="notification.no_channel",
        zh_hant=f"無法以任何指定的管道通知（{zh}）。",
        en=f"No allowed channel can be used ({en}).",
        details={
            "channels": [{"channel": r.channel.value, "reason": r.reason} for r in rejections]
        },
    )
