"""Fixtures of the notification tests: templates in both languages, consenting customers."""

from __future__ import annotations

from typing import Any

import pytest

BILL_TEMPLATES = {
    ("email", "zh-hant"): {
        "subject": "電費帳單通知（電號 ${account}）",
        "body_text": "您好：電號 ${account} 本期應繳 ${amount} 元，繳費期限 ${due}。\n取消訂閱：${unsubscribe_url}",
        "body_html": "<p>您好：電號 ${account} 本期應繳 <b>${amount}</b> 元，繳費期限 ${due}。</p>"
        '<p><a href="${unsubscribe_url}">取消訂閱</a></p>',
    },
    ("email", "en"): {
        "subject": "Your electricity bill (account ${account})",
        "body_text": "Account ${account}: ${amount} NTD due by ${due}.\nUnsubscribe: ${unsubscribe_url}",
        "body_html": "<p>Account ${account}: <b>${amount}</b> NTD due by ${due}.</p>",
    },
    ("sms", "zh-hant"): {"body_text": "台電：電號${account}本期應繳${amount}元，期限${due}。"},
    ("sms", "en"): {"body_text": "Taipower: account ${account}, ${amount} NTD due ${due}."},
}


@pytest.fixture
def bill_templates(clerk) -> dict[tuple[str, str], Any]:
    from powerdesk.notifications import actions

    created = {}
    for (channel, language), texts in BILL_TEMPLATES.items():
        created[(channel, language)] = actions.template_create(
            actor=clerk,
            key="bill.ready",
            purpose="payment_reminder",
            channel=channel,
            language=language,
            **texts,
        )
    return created


@pytest.fixture
def make_customer(clerk, centre):
    from powerdesk.customers import actions

    counter = iter(range(1, 10_000))

    def make(
        *,
        language: str = "zh-hant",
        consents: dict[str, bool] | None = None,
        mobile: str = "0912345678",
        email: str = "wang@example.com",
    ) -> Any:
        from powerdesk.core.domain.identifiers import make_national_id

        serial = f"{next(counter):07d}"
        return actions.customer_create(
            actor=clerk,
            kind="person",
            name="王小明",
            id_kind="national_id",
            id_number=make_national_id(letter="A", gender_digit=1, serial7=serial),
            mobile=mobile,
            email=email,
            preferred_language=language,
            service_centre=centre,
            consents={"sms": True, "email": True} if consents is None else consents,
        )

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


BILL_CONTEXT = {"account": "01-23-4567-89-0", "amount": "1,234", "due": "2026-05-20"}


@pytest.fixture(autouse=True)
def outbox_config(request) -> dict[str, Any]:
    """Outbox settings for tests: no quiet hours unless a test sets them (tests run at any
    hour), small retry delays. Tests change the returned dict's entries as they need. (Pure
    tests run without pytest-django too; then there are no settings to change.)"""
    from powerdesk.notifications.conf import settings_from_environment

    try:
        settings = request.getfixturevalue("settings")
    except pytest.FixtureLookupError:
        return {}

    config = settings_from_environment()
    config["QUIET_HOURS"] = {**config["QUIET_HOURS"], "CHANNELS": []}
    config["BACKOFF_BASE_SECONDS"] = 0.2
    config["BACKOFF_CAP_SECONDS"] = 0.5
    settings.POWERDESK_NOTIFICATIONS = config
    return config
