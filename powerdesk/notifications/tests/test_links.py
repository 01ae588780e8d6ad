"""Unsubscribe links, delivery-receipt callbacks, staff resend of dead letters."""

from __future__ import annotations

import time

import pytest

from powerdesk.core.errors import ConflictError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.customers.models import ContactConsent
from powerdesk.notifications import actions, links
from powerdesk.notifications.channels.mitake import MitakeProvider
from powerdesk.notifications.models import AddressSuppression, DeliveryReceipt, OutboxMessage
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.tests import processes
from powerdesk.notifications.tests.conftest import BILL_CONTEXT
from powerdesk.notifications.worker import DeliveryWorker


def _queue(customer, **changes):
    arguments = {
        "purpose": "payment_reminder",
        "template": "bill.ready",
        "context": BILL_CONTEXT,
        "channels": ["email"],
        "idempotency_key": "links:1",
        "customer": customer,
    }
    arguments.update(changes)
    return actions.notification_queue(**arguments)


@pytest.mark.django_db
def test_unsubscribe_link_withdraws_the_customers_consent(client, bill_templates, customer):
    # given: an e-mail with its unsubscribe link
    message = _queue(customer)
    path = message.context["unsubscribe_url"].removeprefix("http://127.0.0.1:8000")
    # when: the page is opened, then its button pressed (no login)
    page = client.get(path)
    done = client.post(path)
    # then
    assert page.status_code == 200
    assert (
        '<form method="post">' in page.content.decode()
    )  # strings await zh_Hant catalogue entries
    assert done.status_code == 200
    consent = ContactConsent.objects.get(customer=customer, channel="email")
    assert (consent.granted, consent.source) == (False, "unsubscribe:link")
    assert (
        AuditEvent.objects.filter(
            verb="notification.unsubscribe", target_id=str(customer.pk)
        ).count()
        == 1
    )
    with pytest.raises(Exception, match="No allowed channel"):
        _queue(customer, idempotency_key="links:2")


@pytest.mark.django_db
def test_one_click_unsubscribe_of_a_bare_address(client, bill_templates):
    message = _queue(None, address="reader@example.com", idempotency_key="links:3")
    path = message.context["unsubscribe_url"].removeprefix("http://127.0.0.1:8000")
    response = client.post(path, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert response.status_code == 200
    suppression = AddressSuppression.objects.get()
    assert (suppression.channel, suppression.address, suppression.source) == (
        "email",
        "reader@example.com",
        "one_click",
    )


@pytest.mark.django_db
def test_altered_unsubscribe_link_is_not_found(client, bill_templates, customer):
    token = links.unsubscribe_token(channel="email", customer_id=customer.pk, address="")
    response = client.post(f"/notifications/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 404
    assert not ContactConsent.objects.filter(
        customer=customer, channel="email", granted=False
    ).exists()


@pytest.mark.django_db
def test_mitake_receipt_is_authenticated_recorded_and_acknowledged(
    client, bill_templates, customer
):
    message = _queue(customer, channels=["sms"])
    url = links.receipt_url(base_url="", message_id=message.pk, provider="mitake")
    response = client.get(
        url,
        {
            "msgid": "0000000042",
            "dstaddr": "0912345678",
            "statuscode": "4",
            "statusstr": "DELIVRD",
            "donetime": "20260520093000",
        },
    )
    assert response.status_code == 200
    assert response.content.decode() == "magicid=sms_gateway_rpack\nmsgid=0000000042\n"
    receipt = DeliveryReceipt.objects.get()
    assert (receipt.message_id, receipt.status, receipt.provider_message_id) == (
        message.pk,
        "delivered",
        "0000000042",
    )
    message.refresh_from_db()
    assert message.delivery_status == "delivered"
    assert message.delivered_at.isoformat() == "2026-05-20T01:30:00+00:00"
    forged = url.replace("/receipts/mitake/", "/receipts/mitake/x")
    assert client.get(forged, {"msgid": "1", "statuscode": "4"}).status_code == 404
    assert DeliveryReceipt.objects.count() == 1


@pytest.mark.django_db
def test_staff_resend_a_dead_letter_with_a_new_provider_key(
    bill_templates, customer, clerk, make_staff
):
    message = _queue(customer)
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead", attempts=8, last_error="x")
    message.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        actions.notification_resend(
            actor=make_staff("design", username="design.viewer"), message=message
        )
    resent = actions.notification_resend(actor=clerk, message=message)
    assert (resent.status, resent.resend_count, resent.max_attempts, resent.last_error) == (
        "queued",
        1,
        16,
        "",
    )
    assert (
        AuditEvent.objects.filter(verb="notification.resend", target_id=str(message.pk)).count()
        == 1
    )
    with pytest.raises(ConflictError):
        actions.notification_resend(actor=clerk, message=resent)


@pytest.mark.django_db(transaction=True)
def test_mitake_calls_back_with_the_delivery_status(
    bill_templates, customer, live_server, tmp_path, outbox_config
):
    # given: a Mitake stand-in, and receipts asked for at this test's live server
    ledger_path = tmp_path / "ledger.sqlite3"
    mitake = processes.start_mitake(ledger_path)
    outbox_config["RECEIPT_BASE_URL"] = live_server.url
    try:
        message = _queue(customer, channels=["sms"])
        provider = MitakeProvider(
            url=f"http://127.0.0.1:{mitake.port}/api/mtk/SmSend",
            username=processes.MITAKE_USER,
            password=processes.MITAKE_PASSWORD,
            timeout=2,
        )
        # when
        DeliveryWorker(providers={"sms": provider}).run(until_idle=True)
        deadline = time.monotonic() + 10
        while not DeliveryReceipt.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        mitake.shutdown()
    # then
    message.refresh_from_db()
    receipt = DeliveryReceipt.objects.get()
    assert receipt.message_id == message.pk
    assert receipt.provider_message_id == message.provider_message_id
    assert message.delivery_status == "delivered"
    assert Ledger(ledger_path).counts("sms")
