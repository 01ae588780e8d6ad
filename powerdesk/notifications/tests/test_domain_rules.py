"""Pure rules: templates, quiet hours, backoff, channel choice, keys (no database)."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from powerdesk.core.domain.errors import DomainError
from powerdesk.notifications.domain import keys
from powerdesk.notifications.domain.backoff import backoff_delay
from powerdesk.notifications.domain.channels import Channel, Purpose, parse_channels
from powerdesk.notifications.domain.quiet_hours import (
    QuietHours,
    earliest_delivery,
    is_quiet,
    quiet_end,
)
from powerdesk.notifications.domain.selection import (
    ChannelOption,
    Consent,
    channel_choose,
    preference_order,
)
from powerdesk.notifications.domain.templates import check_context, placeholders, render

TAIPEI = ZoneInfo("Asia/Taipei")

# --- templates ------------------------------------------------------------------------------


def test_render_fills_placeholders() -> None:
    assert (
        render("電號 ${account} 應繳 $amount 元", context={"account": "01", "amount": 5})
        == "電號 01 應繳 5 元"
    )


def test_render_reports_every_missing_variable_sorted() -> None:
    with pytest.raises(DomainError) as raised:
        render("${due} ${amount} ${account}", context={"amount": "1"})
    error = raised.value
    assert error.code == "template.missing_variable"
    assert error.details == {"missing": ["account", "due"]}
    assert error.message.zh_hant == "通知範本需要的變數沒有提供：account, due。"
    assert (
        error.message.en
        == "The notification template needs variables that were not given: account, due."
    )


def test_render_escapes_html_values_only_when_asked() -> None:
    context = {"name": "<b>A&B</b>"}
    assert (
        render("<p>${name}</p>", context=context, escape_html=True)
        == "<p>&lt;b&gt;A&amp;B&lt;/b&gt;</p>"
    )
    assert render("${name}", context=context) == "<b>A&B</b>"


def test_render_formats_dates_and_decimals() -> None:
    context = {"due": date(2026, 5, 20), "amount": Decimal("1234.50")}
    assert render("${due} ${amount}", context=context) == "2026-05-20 1234.50"


def test_dollar_sign_must_be_doubled() -> None:
    assert render("NT$$${amount}", context={"amount": "5"}) == "NT$5"
    with pytest.raises(DomainError) as raised:
        placeholders("NT$ 5")
    assert raised.value.code == "template.invalid"


@pytest.mark.parametrize(
    ("_case", "value", "code"),
    [
        ("float", 1.5, "context.type"),
        ("boolean", True, "context.type"),
        ("object", object(), "context.type"),
        ("datetime", datetime(2026, 1, 1, tzinfo=UTC), "context.datetime"),
    ],
)
def test_check_context_refuses_non_plain_values(_case: str, value: object, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        check_context({"x": value})
    assert raised.value.code == code


# --- quiet hours ----------------------------------------------------------------------------

NIGHT = QuietHours()  # 21:00–08:00 Asia/Taipei, SMS and calls


@pytest.mark.parametrize(
    ("_case", "clock", "quiet"),
    [
        ("evening before", time(20, 59), False),
        ("start is quiet", time(21, 0), True),
        ("midnight", time(0, 0), True),
        ("just before the end", time(7, 59), True),
        ("end is allowed", time(8, 0), False),
        ("noon", time(12, 0), False),
    ],
)
def test_is_quiet(_case: str, clock: time, quiet: bool) -> None:
    at = datetime.combine(date(2026, 3, 2), clock, tzinfo=TAIPEI)
    assert is_quiet(at, quiet=NIGHT) is quiet


def test_quiet_end_is_the_next_morning_in_the_callers_zone() -> None:
    evening = datetime(2026, 3, 2, 22, 30, tzinfo=TAIPEI).astimezone(UTC)
    assert quiet_end(evening, quiet=NIGHT) == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00 +08
    early = datetime(2026, 3, 3, 6, 0, tzinfo=TAIPEI)
    assert quiet_end(early, quiet=NIGHT) == datetime(2026, 3, 3, 8, 0, tzinfo=TAIPEI)


def test_a_window_inside_one_day() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(13, 0))
    assert is_quiet(datetime(2026, 3, 2, 12, 30, tzinfo=TAIPEI), quiet=lunch)
    assert not is_quiet(datetime(2026, 3, 2, 13, 0, tzinfo=TAIPEI), quiet=lunch)
    assert quiet_end(datetime(2026, 3, 2, 12, 30, tzinfo=TAIPEI), quiet=lunch) == datetime(
        2026, 3, 2, 13, 0, tzinfo=TAIPEI
    )


@pytest.mark.parametrize(
    ("_case", "channel", "purpose", "expected_hour"),
    [
        ("SMS reminder waits", Channel.SMS, Purpose.PAYMENT_REMINDER, 8),
        ("call waits", Channel.VOICE, Purpose.CASE_PROGRESS, 8),
        ("urgent outage SMS goes now", Channel.SMS, Purpose.OUTAGE_EMERGENCY, 23),
        ("e-mail goes now", Channel.EMAIL, Purpose.PAYMENT_REMINDER, 23),
    ],
)
def test_earliest_delivery(
    _case: str, channel: Channel, purpose: Purpose, expected_hour: int
) -> None:
    at = datetime(2026, 3, 2, 23, 0, tzinfo=TAIPEI)
    when = earliest_delivery(at, channel=channel, purpose=purpose, quiet=NIGHT)
    assert when.astimezone(TAIPEI).hour == expected_hour
    assert when >= at


def test_naive_times_are_refused() -> None:
    with pytest.raises(DomainError) as raised:
        is_quiet(datetime(2026, 3, 2, 23, 0), quiet=NIGHT)  # noqa: DTZ001 - the point of the test
    assert raised.value.code == "datetime.naive"


# --- backoff --------------------------------------------------------------------------------


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (12, 3600)]:
        delays = [
            backoff_delay(attempt, base_seconds=30, cap_seconds=3600, rng=rng) for _ in range(200)
        ]
        assert all(timedelta(0) <= d <= timedelta(seconds=ceiling) for d in delays)
        assert max(delays) > timedelta(seconds=ceiling * 0.9)  # jitter spans the whole range
        assert min(delays) < timedelta(seconds=ceiling * 0.1)


def test_backoff_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        backoff_delay(0, base_seconds=1, cap_seconds=1, rng=random.Random(1))


# --- channels and choice --------------------------------------------------------------------


def test_parse_channels_keeps_order_and_refuses_repeats_and_unknowns() -> None:
    assert parse_channels(["sms", "email"]) == (Channel.SMS, Channel.EMAIL)
    for values, code in [
        ([], "channels.required"),
        (["sms", "sms"], "channels.repeated"),
        (["fax"], "channel.unknown"),
    ]:
        with pytest.raises(DomainError) as raised:
            parse_channels(values)
        assert raised.value.code == code


def test_preference_order_puts_the_customers_choice_first() -> None:
    requested = (Channel.SMS, Channel.EMAIL, Channel.LETTER)
    assert preference_order(requested, preferred=(Channel.LETTER, Channel.PUSH)) == (
        Channel.LETTER,
        Channel.SMS,
        Channel.EMAIL,
    )
    assert preference_order(requested, preferred=()) == requested


def _option(channel: Channel, **changes: object) -> ChannelOption:
    fields: dict[str, object] = {
        "channel": channel,
        "address": "x",
        "consent": Consent.GRANTED,
        "has_template": True,
    }
    fields.update(changes)
    return ChannelOption(**fields)  # type: ignore[arg-type]


def test_channel_choose_takes_the_first_usable_channel() -> None:
    options = [_option(Channel.SMS, consent=Consent.UNKNOWN), _option(Channel.EMAIL)]
    assert channel_choose(options, purpose=Purpose.PAYMENT_REMINDER).channel is Channel.EMAIL


def test_channel_choose_allows_implied_consent_for_outages_but_not_a_refusal() -> None:
    unknown = [_option(Channel.SMS, consent=Consent.UNKNOWN)]
    assert channel_choose(unknown, purpose=Purpose.OUTAGE_PLANNED).channel is Channel.SMS
    with pytest.raises(DomainError):
        channel_choose(
            [_option(Channel.SMS, consent=Consent.REFUSED)], purpose=Purpose.OUTAGE_EMERGENCY
        )


def test_channel_choose_explains_every_refusal_in_both_languages() -> None:
    options = [
        _option(Channel.SMS, consent=Consent.REFUSED),
        _option(Channel.EMAIL, address=""),
        _option(Channel.LETTER, available=False),
        _option(Channel.PUSH, has_template=False),
        _option(Channel.VOICE, consent=Consent.UNKNOWN),
        _option(Channel.LINE, suppressed=True),
    ]
    with pytest.raises(DomainError) as raised:
        channel_choose(options, purpose=Purpose.PAYMENT_REMINDER)
    error = raised.value
    assert error.code == "notification.no_channel"
    assert error.details == {
        "channels": [
            {"channel": "sms", "reason": "consent_refused"},
            {"channel": "email", "reason": "no_address"},
            {"channel": "letter", "reason": "unavailable"},
            {"channel": "push", "reason": "no_template"},
            {"channel": "voice", "reason": "no_consent"},
            {"channel": "line", "reason": "unsubscribed"},
        ]
    }
    assert error.message.zh_hant.startswith(
        "無法以任何指定的管道通知（簡訊：用戶不同意以此管道聯絡；電子郵件：沒有聯絡地址或號碼"
    )
    assert error.message.en.startswith(
        "No allowed channel can be used (SMS: the customer refused this channel; e-mail:"
    )


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "value", "code"),
    [
        ("empty", "", "idempotency_key.required"),
        ("space", "bill 1", "idempotency_key.character"),
        ("Chinese", "帳單:1", "idempotency_key.character"),
        ("too long", "k" * 201, "idempotency_key.length"),
    ],
)
def test_idempotency_key_is_checked(_case: str, value: str, code: str) -> None:
    with pytest.raises(DomainError) as raised:
        keys.validate_idempotency_key(value)
    assert raised.value.code == code


def test_provider_keys_are_stable_and_distinct() -> None:
    client_id = keys.mitake_client_id("bill:2026-05:01234567890")
    assert len(client_id) == 36  # Mitake's maximum
    assert uuid.UUID(client_id).version == 5
    assert client_id == keys.mitake_client_id("bill:2026-05:01234567890")
    assert client_id != keys.mitake_client_id("bill:2026-05:01234567890", part=1)
    assert keys.provider_key("k", resend=0) == "k"
    assert keys.provider_key("k", resend=2) == "k#resend2"
    message_id = keys.smtp_message_id("k", domain="powerdesk.example")
    assert message_id == f"<{hashlib.sha256(b'k').hexdigest()[:40]}@powerdesk.example>"
    assert message_id != keys.smtp_message_id("k#resend1", domain="powerdesk.example")


def test_an_empty_window_is_never_quiet_and_a_free_time_is_kept() -> None:
    at = datetime(2026, 3, 2, 23, 0, tzinfo=TAIPEI)
    assert not is_quiet(at, quiet=QuietHours(start=time(8, 0), end=time(8, 0)))
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=TAIPEI)
    assert quiet_end(noon, quiet=NIGHT) is noon


def test_parse_purpose_and_key_acceptance() -> None:
    from powerdesk.notifications.domain.channels import parse_purpose

    assert parse_purpose("outage_emergency") is Purpose.OUTAGE_EMERGENCY
    with pytest.raises(DomainError) as raised:
        parse_purpose("marketing")
    assert raised.value.code == "purpose.unknown"
    assert raised.value.message.en.startswith("Unknown notification purpose 'marketing' (known: ")
    assert keys.validate_idempotency_key("bill:2026-05:01234567890") == "bill:2026-05:01234567890"


def test_check_context_keeps_plain_values() -> None:
    context = {"a": "x", "n": 3, "d": date(2026, 5, 20), "m": Decimal("1.50")}
    assert check_context(context) == context
