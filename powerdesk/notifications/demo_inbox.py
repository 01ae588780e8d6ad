"""The demo inbox: what the local SMTP and Mitake servers received, for ``make demo``.

``powerdesk serve --with-local-providers`` starts both local servers (127.0.0.1, any free
port), points the e-mail and SMS providers of its worker processes at them, and sets
``POWERDESK_DEMO_LEDGER`` to their shared ledger. This page (signed-in staff, and only while
that variable is set: never in a real deployment) lists what arrived: each e-mail and SMS, and
whether a repeated transmission was recognised as a duplicate. ``powerdesk notifications_ledger``
prints the same from the command line.

:func:`demo_notifications_queue` queues a few demo bill notices (``powerdesk demo``), so the
demo has messages to show.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

LEDGER_ENV = "POWERDESK_DEMO_LEDGER"
DEMO_TEMPLATE_KEY = "demo.bill_ready"
SHOWN = 50

DEMO_TEMPLATES = {
    ("email", "zh-hant"): {
        "subject": "電費帳單通知（${month}）",
        "body_text": "${name} 您好：${month} 電費 ${amount} 元，繳費期限 ${due}。"
        "\n取消訂閱：${unsubscribe_url}",
        "body_html": "<p>${name} 您好：${month} 電費 <b>${amount}</b> 元，繳費期限 ${due}。</p>"
        '<p><a href="${unsubscribe_url}">取消訂閱</a></p>',
    },
    ("email", "en"): {
        "subject": "Your electricity bill (${month})",
        "body_text": "Dear ${name}: your bill for ${month} is ${amount} NTD, due by ${due}."
        "\nUnsubscribe: ${unsubscribe_url}",
        "body_html": "<p>Dear ${name}: your bill for ${month} is <b>${amount}</b> NTD, due by "
        '${due}.</p><p><a href="${unsubscribe_url}">Unsubscribe</a></p>',
    },
    ("sms", "zh-hant"): {"body_text": "台電：${month}電費${amount}元，期限${due}。"},
    ("sms", "en"): {"body_text": "Taipower: ${month} bill ${amount} NTD, due ${due}."},
}


def ledger_path() -> Path | None:
    """The ledger of the local providers this site was started with, if any."""
    value = os.environ.get(LEDGER_ENV, "").strip()
    return Path(value) if value else None


def _entries(ledger: Any, channel: str) -> list[dict[str, Any]]:
    return [
        {
            "recipient": item.recipient,
            "body": item.body,
            "new": item.new,
            "provider_id": item.provider_id,
            "received_at": datetime.fromtimestamp(item.received_at, tz=UTC),
        }
        for item in ledger.recent(channel, limit=SHOWN)
    ]


def _summary(ledger: Any, channel: str) -> dict[str, int]:
    counts = ledger.counts(channel).values()
    return {
        "keys": len(counts),
        "delivered": sum(c.delivered for c in counts),
        "transmissions": sum(c.transmissions for c in counts),
        "twice": sum(1 for c in counts if c.delivered > 1),
    }


@require_GET
@login_required
def demo_inbox_view(request: HttpRequest) -> HttpResponse:
    """E-mails and SMS the local demo servers received, newest first (demo only)."""
    path = ledger_path()
    if path is None or not path.exists():
        raise Http404
    from powerdesk.notifications.testing.ledger import Ledger

    ledger = Ledger(path)
    return render(
        request,
        "notifications/demo_inbox.html",
        {
            "email": {"summary": _summary(ledger, "email"), "items": _entries(ledger, "email")},
            "sms": {"summary": _summary(ledger, "sms"), "items": _entries(ledger, "sms")},
            "shown": SHOWN,
        },
    )


def demo_notifications_queue(*, limit: int = 20) -> int:
    """Queue a bill notice to each of the first ``limit`` demo customers who can be reached
    (e-mail or SMS, by their own channel order and consents); creates the demo templates the
    first time. Returns how many were queued. Safe to run again: the keys repeat."""
    from powerdesk.core.errors import InvalidInputError
    from powerdesk.customers.models import Customer
    from powerdesk.notifications import actions
    from powerdesk.notifications.models import NotificationTemplate

    with transaction.atomic():
        for (channel, language), texts in DEMO_TEMPLATES.items():
            exists = NotificationTemplate.objects.filter(
                key=DEMO_TEMPLATE_KEY, channel=channel, language=language
            ).exists()
            if not exists:
                actions.template_create(
                    actor=None,
                    key=DEMO_TEMPLATE_KEY,
                    purpose="payment_reminder",
                    channel=channel,
                    language=language,
                    **texts,
                )
    queued = 0
    for customer in Customer.objects.order_by("pk")[: limit * 5].iterator():
        if queued >= limit:
            break
        try:
            with transaction.atomic():
                actions.notification_queue(
                    purpose="payment_reminder",
                    template=DEMO_TEMPLATE_KEY,
                    context={
                        "name": customer.name,
                        "month": "2026-10",
                        "amount": f"{800 + 37 * (customer.pk % 50):,}",
                        "due": "2026-11-30",
                    },
                    customer=customer,
                    channels=["email", "sms"],
                    idempotency_key=f"demo:bill:2026-10:{customer.pk}",
                )
        except InvalidInputError:
            continue  # no consent or no address on this customer: try the next one
        queued += 1
    return queued
