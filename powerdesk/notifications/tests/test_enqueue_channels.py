"""Enqueue-time address resolution across the new channels: the first usable channel is
taken, and when none is usable every channel is named with its reason, in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from powerdesk.core.errors import InvalidInputError
from powerdesk.notifications import actions
from powerdesk.notifications.models import OutboxMessage

CONTEXT = {"area": "中壢區"}


@pytest.fixture
def templates(clerk) -> None:
    for channel in ("push", "letter", "voice", "sms"):
        for language in ("zh-hant", "en"):
            actions.template_create(
                actor=clerk,
                key="outage.any",
                purpose="outage_planned",
                channel=channel,
                language=language,
                subject="停電通知",
                body_text="${area} 停電。",
            )


@pytest.fixture
def vapid(tmp_path, outbox_config) -> None:
    import os

    key = tmp_path / "vapid.pem"
    outbox_config["PROVIDERS"]["push"]["OPTIONS"]["private_key_file"] = str(key)
    call_command("notifications_vapid", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _queue(customer: Any, key: str) -> OutboxMessage:
    return actions.notification_queue(
        purpose="outage_planned",
        template="outage.any",
        context=CONTEXT,
        customer=customer,
        channels=["push", "letter", "voice", "sms"],
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_first_usable_channel_is_taken(templates, vapid, make_customer) -> None:
    # no push subscription, no account (so no mailing address): the call list is next
    customer = make_customer()
    assert _queue(customer, "any:1").channel == "voice"


@pytest.mark.django_db
def test_every_refusal_is_named(templates, vapid, make_customer) -> None:
    customer = make_customer(mobile="", consents={"sms": True})
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer, "any:2")
    problem = raised.value.problems[0]
    assert problem.details["channels"] == [
        {"channel": "push", "reason": "no_address"},
        {"channel": "letter", "reason": "no_address"},
        {"channel": "voice", "reason": "no_address"},
        {"channel": "sms", "reason": "no_address"},
    ]
    assert problem.message.zh_hant.startswith("無法以任何指定的管道通知（推播：沒有聯絡地址")
    assert problem.message.en.startswith("No allowed channel can be used (push: there is no")
    assert OutboxMessage.objects.count() == 0
