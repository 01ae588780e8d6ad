"""Calls: the voice provider puts one task per message on the service centre's call list;
staff record outcomes (capability-checked, audited) and export the open calls for an IVR."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from powerdesk.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.notifications import actions
from powerdesk.notifications.call_views import IVR_COLUMNS
from powerdesk.notifications.channels.base import OutgoingMessage
from powerdesk.notifications.channels.voice import CallListProvider
from powerdesk.notifications.models import CallTask, OutboxMessage
from powerdesk.notifications.worker import DeliveryWorker

CONTEXT = {"account": "01-23-4567-89-0", "amount": "1,234", "due": "2026-05-20"}


@pytest.fixture
def voice_templates(clerk) -> None:
    for language, text in [
        ("zh-hant", "您好，電號 ${account} 尚欠電費 ${amount} 元，請於 ${due} 前繳納。"),
        ("en", "Account ${account} owes ${amount} NTD, due by ${due}."),
    ]:
        actions.template_create(
            actor=clerk,
            key="bill.call",
            purpose="payment_reminder",
            channel="voice",
            language=language,
            body_text=text,
        )


def _queue(customer: Any, key: str, channels: list[str] | None = None) -> OutboxMessage:
    return actions.notification_queue(
        purpose="payment_reminder",
        template="bill.call",
        context=CONTEXT,
        customer=customer,
        channels=channels or ["voice"],
        idempotency_key=key,
    )


@pytest.fixture
def task(voice_templates, make_customer) -> CallTask:
    customer = make_customer(consents={"phone": True})
    _queue(customer, "call:1")
    DeliveryWorker().run(until_idle=True)
    return CallTask.objects.get()


@pytest.mark.django_db
def test_voice_message_becomes_one_call_task(voice_templates, make_customer, centre) -> None:
    customer = make_customer(consents={"phone": True})
    message = _queue(customer, "call:once")
    assert message.recipient == "+886912345678"
    assert DeliveryWorker().run(until_idle=True) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    task = CallTask.objects.get()
    assert (task.service_centre_id, task.phone, task.status, task.attempt) == (
        centre.pk,
        "+886912345678",
        "open",
        1,
    )
    # a retry after an unknown outcome finds the task already there
    outgoing = OutgoingMessage(
        key="call:once",
        channel="voice",
        recipient=message.recipient,
        subject="",
        body_text=message.body_text,
        body_html="",
        sms_parts=(),
        language="zh-hant",
        created_at=message.created_at,
    )
    result = CallListProvider().send(outgoing)
    assert result.duplicate
    assert result.provider_message_id == f"call:{task.pk}"
    assert CallTask.objects.count() == 1


@pytest.mark.django_db
def test_no_phone_or_no_service_centre_is_refused_at_enqueue(
    voice_templates, make_customer, clerk
) -> None:
    no_phone = make_customer(consents={"phone": True}, mobile="")
    with pytest.raises(InvalidInputError) as raised:
        _queue(no_phone, "call:nophone")
    assert raised.value.problems[0].details["channels"] == [
        {"channel": "voice", "reason": "no_address"}
    ]
    assert "電話" in raised.value.problems[0].message.zh_hant
    from powerdesk.customers.models import Customer

    Customer.objects.filter(pk=no_phone.pk).update(mobile="0912000111", service_centre=None)
    no_phone.refresh_from_db()
    with pytest.raises(InvalidInputError):
        _queue(no_phone, "call:nocentre")
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_no_answer_schedules_a_retry_and_is_audited(task, clerk) -> None:
    before = timezone.now()
    done = actions.call_outcome_record(
        actor=clerk, task=task, outcome="no_answer", note="響了十聲", retry=True
    )
    assert (done.status, done.outcome, done.staff_id) == ("done", "no_answer", clerk.pk)
    retry = CallTask.objects.get(status="open")
    assert retry.attempt == 2
    assert retry.message_id == task.message_id
    assert before + timedelta(hours=4) <= retry.call_after <= timezone.now() + timedelta(hours=4)
    event = AuditEvent.objects.get(verb="notification.call_outcome")
    assert event.details["outcome"] == "no_answer"
    assert event.details["retry_task"] == retry.pk
    with pytest.raises(ConflictError):
        actions.call_outcome_record(actor=clerk, task=task, outcome="reached")


@pytest.mark.django_db
def test_outcome_input_is_checked(task, clerk, make_staff, other_centre) -> None:
    with pytest.raises(InvalidInputError) as raised:
        actions.call_outcome_record(actor=clerk, task=task, outcome="promised_to_pay", retry=True)
    assert [p.field for p in raised.value.problems] == ["promised_on", "retry"]
    with pytest.raises(InvalidInputError) as raised:
        actions.call_outcome_record(actor=clerk, task=task, outcome="maybe")
    assert raised.value.problems[0].field == "outcome"
    elsewhere = make_staff("business", centre=other_centre, username="dy.clerk")
    with pytest.raises(PermissionDeniedError):
        actions.call_outcome_record(actor=elsewhere, task=task, outcome="reached")
    promised = actions.call_outcome_record(
        actor=clerk, task=task, outcome="promised_to_pay", promised_on=date(2026, 5, 25)
    )
    assert promised.promised_on == date(2026, 5, 25)
    assert CallTask.objects.filter(status="open").count() == 0


@pytest.mark.django_db
def test_staff_pages_list_record_and_export(task, clerk, client, centre) -> None:
    client.force_login(clerk)
    listing = client.get(f"/staff/calls/?centre={centre.pk}")
    assert listing.status_code == 200
    assert "+886912345678" in listing.content.decode()  # the clerk may see personal data
    assert AuditEvent.objects.filter(verb="notification.call_list_view").count() == 1
    # export for the IVR system
    export = client.get(f"/staff/calls/export.csv?centre={centre.pk}")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8"))))
    assert rows[0] == IVR_COLUMNS
    assert rows[1][:4] == [str(task.pk), "ZL", "+886912345678", "zh-hant"]
    assert rows[1][4] == "您好，電號 01-23-4567-89-0 尚欠電費 1,234 元，請於 2026-05-20 前繳納。"
    assert rows[1][6:] == ["1", "call:1"]
    assert AuditEvent.objects.filter(verb="notification.call_export").count() == 1
    # the outcome form: an error is shown next to its field, nothing saved
    page = client.get(f"/staff/calls/{task.pk}/")
    assert page.status_code == 200
    wrong = client.post(f"/staff/calls/{task.pk}/", {"outcome": "promised_to_pay"})
    assert wrong.status_code == 422
    task.refresh_from_db()
    assert task.status == "open"
    ok = client.post(f"/staff/calls/{task.pk}/", {"outcome": "reached", "note": "已告知"})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.note) == ("done", "reached", "已告知")


@pytest.mark.django_db
def test_staff_without_personal_access_see_masked_numbers_and_cannot_export(
    task, make_staff, client, centre
) -> None:
    designer = make_staff("design", username="design.office")
    client.force_login(designer)
    listing = client.get(f"/staff/calls/?centre={centre.pk}")
    assert listing.status_code == 200
    assert "+886912345678" not in listing.content.decode()
    assert client.get(f"/staff/calls/export.csv?centre={centre.pk}").status_code == 403
    assert client.post(f"/staff/calls/{task.pk}/", {"outcome": "reached"}).status_code == 403
    task.refresh_from_db()
    assert task.status == "open"
