"""Staff API of the outbox: list with filters and pagination, counts, detail with attempts,
audited unmasked detail, resend, customer history; scope, denial and bad filters."""

from __future__ import annotations

import pytest

from powerdesk.core.models import AuditEvent
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.tests.staff_support import (  # noqa: F401 - fixtures
    dead_fixture,
    other_customer_fixture,
    other_message_fixture,
    queue,
)
from powerdesk.staff import actions as staff_actions

Status = OutboxMessage.Status
API = "/api/v1/notifications"


@pytest.mark.django_db
def test_list_is_masked_filtered_and_paginated(client, clerk, dead, customer):
    sms = queue(customer, key="api:sms", channels=("sms",))
    client.force_login(clerk)
    everything = client.get(f"{API}/messages").json()
    dead_only = client.get(f"{API}/messages?status=dead").json()
    by_phone = client.get(f"{API}/messages?q=0912345678").json()
    assert everything["count"] == 2
    assert [m["id"] for m in everything["items"]] == [sms.pk, dead.pk]
    assert [m["id"] for m in dead_only["items"]] == [dead.pk]
    assert [m["id"] for m in by_phone["items"]] == [sms.pk]
    item = dead_only["items"][0]
    assert item["recipient"] == "w**g@example.com"
    assert item["customer_name"] == "王○明"
    assert item["subject"] == ""
    assert item["masked"] is True
    assert item["service_centre"] == "ZL"
    assert "wang@example.com" not in str(everything)


@pytest.mark.django_db
def test_list_pages(client, clerk, bill_templates, customer, django_assert_max_num_queries):
    for n in range(52):
        queue(customer, key=f"api:page:{n}")
    client.force_login(clerk)
    with django_assert_max_num_queries(6):
        first = client.get(f"{API}/messages").json()
    second = client.get(f"{API}/messages?page=2").json()
    assert first["count"] == 52
    assert (len(first["items"]), len(second["items"])) == (50, 2)
    assert not {m["id"] for m in first["items"]} & {m["id"] for m in second["items"]}


@pytest.mark.django_db
def test_counts(client, clerk, dead, customer):
    queue(customer, key="api:count")
    client.force_login(clerk)
    body = client.get(f"{API}/messages/counts").json()
    assert body == {"queued": 1, "sending": 0, "sent": 0, "failed": 0, "dead": 1, "total": 2}


@pytest.mark.django_db
def test_detail_has_attempts_and_is_masked(client, clerk, dead):
    client.force_login(clerk)
    body = client.get(f"{API}/messages/{dead.pk}").json()
    assert body["status"] == "dead"
    assert body["body_text"] == ""
    assert body["may_resend"] is True
    (attempt,) = body["attempt_log"]
    assert attempt["number"] == 1
    assert attempt["worker_id"] == "test-worker-7"
    assert attempt["outcome"] == "failed"
    assert attempt["finished_at"] is not None
    assert "wang@example.com" not in str(body)
    assert not AuditEvent.objects.filter(verb="notification.view_content").exists()


@pytest.mark.django_db
def test_unmasked_detail_is_audited_and_refused_to_design(client, clerk, make_staff, dead):
    client.force_login(clerk)
    body = client.get(f"{API}/messages/{dead.pk}?unmasked=true").json()
    assert body["recipient"] == "wang@example.com"
    assert body["subject"] == "電費帳單通知（電號 01-23-4567-89-0）"
    assert body["body_text"].startswith("您好：電號 01-23-4567-89-0 本期應繳 1,234 元")
    event = AuditEvent.objects.get(verb="notification.view_content")
    assert (event.actor_label, event.channel) == ("business.clerk", "api")
    client.force_login(make_staff("design"))
    refused = client.get(f"{API}/messages/{dead.pk}?unmasked=true")
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(verb="notification.view_content").count() == 1


@pytest.mark.django_db
def test_resend_with_a_token(client, clerk, dead):
    _token, raw = staff_actions.api_token_create(actor=clerk, user=clerk, name="script")
    response = client.post(f"{API}/messages/{dead.pk}/resend", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    assert response.json()["resend_count"] == 1
    event = AuditEvent.objects.get(verb="notification.resend")
    assert event.target_id == str(dead.pk)
    again = client.post(
        f"{API}/messages/{dead.pk}/resend",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "notification.not_dead"


@pytest.mark.django_db
def test_resend_refused_without_customer_edit(client, make_staff, dead):
    client.force_login(make_staff("design"))
    response = client.post(f"{API}/messages/{dead.pk}/resend")
    assert response.status_code == 403
    dead.refresh_from_db()
    assert dead.status == Status.DEAD
    assert not AuditEvent.objects.filter(verb="notification.resend").exists()


@pytest.mark.django_db
def test_unauthenticated_is_401(client, dead):
    assert client.get(f"{API}/messages").status_code == 401
    assert client.post(f"{API}/messages/{dead.pk}/resend").status_code == 401


@pytest.mark.django_db
def test_another_centre_looks_absent(client, make_staff, centre, dead, other_message):
    client.force_login(make_staff("business", centre=centre, username="zl.clerk"))
    listed = client.get(f"{API}/messages").json()
    assert [m["id"] for m in listed["items"]] == [dead.pk]
    hidden = client.get(f"{API}/messages/{other_message.pk}")
    missing = client.get(f"{API}/messages/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.post(f"{API}/messages/{other_message.pk}/resend").status_code == 404
    history = client.get(f"{API}/customers/{other_message.customer_id}/messages")
    assert history.status_code == 404
    other_message.refresh_from_db()
    assert other_message.status == Status.DEAD


@pytest.mark.django_db
def test_customer_history(client, clerk, dead, customer, other_message):
    client.force_login(clerk)
    body = client.get(f"{API}/customers/{customer.pk}/messages").json()
    assert [m["id"] for m in body["items"]] == [dead.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "english", "chinese"),
    [
        ("status=lost", "status", "Unknown status 'lost'", "狀態「lost」不存在"),
        ("channel=fax", "channel", "Unknown channel 'fax'", "管道「fax」不存在"),
        ("purpose=spam", "purpose", "Unknown purpose 'spam'", "用途「spam」不存在"),
        ("since=yesterday", "since", "The from date must be", "起始日期須為"),
        ("until=2026-02-30", "until", "The to date must be", "結束日期須為"),
        ("customer=1e3", "customer", "The customer number", "用戶編號須為數字"),
        ("centre=XX", "centre", "No service centre", "查無服務中心"),
        ("q=" + "x" * 101, "q", "The search text", "搜尋文字最多"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, clerk, query, field, english, chinese):
    client.force_login(clerk)
    en = client.get(f"{API}/messages?{query}", HTTP_ACCEPT_LANGUAGE="en")
    zh = client.get(f"{API}/messages?{query}", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert en.status_code == zh.status_code == 422
    assert en.json()["details"]["fields"][0]["field"] == field
    assert en.json()["message"].startswith(f"Invalid input: {field} — {english}")
    assert zh.json()["message"].startswith(f"輸入資料有誤：{field} — {chinese}")


@pytest.mark.django_db
def test_bad_page_and_id_are_not_500(client, clerk, dead):
    client.force_login(clerk)
    assert client.get(f"{API}/messages?page=0").status_code == 422
    assert client.get(f"{API}/messages?page=abc").status_code == 422
    assert client.get(f"{API}/messages/abc").status_code in (404, 422)
    assert client.get(f"{API}/customers/abc/messages").status_code in (404, 422)
