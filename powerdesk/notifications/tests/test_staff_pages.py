"""Staff pages of the outbox: overview, filters, dead letters, detail, audited content, resend,
customer history, export; scope by service centre and department."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from powerdesk.core.models import AuditEvent
from powerdesk.notifications.channels.smtp import SmtpProvider
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.tests.staff_support import (  # noqa: F401 - fixtures
    dead_fixture,
    other_customer_fixture,
    other_message_fixture,
    queue,
    smtp_server_fixture,
)
from powerdesk.notifications.worker import DeliveryWorker

Status = OutboxMessage.Status
BASE = "/staff/notifications/"
EN = "/en/staff/notifications/"


@pytest.mark.django_db
def test_overview_counts_each_status_as_text_chart_and_table(client, clerk, dead, customer):
    # given: one dead and two queued
    queue(customer, key="pages:q1")
    queue(customer, key="pages:q2", channels=("sms",))
    client.force_login(clerk)
    # when
    response = client.get(EN)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 message could not be delivered and needs a decision." in html
    assert "Messages by status (3 messages in all)" in html
    assert [(s["status"], s["count"]) for s in response.context["statuses"]] == [
        ("queued", 2),
        ("sending", 0),
        ("sent", 0),
        ("failed", 0),
        ("dead", 1),
    ]
    assert "Dead letter" in html
    bars = {bar["status"]: bar for bar in response.context["chart"]["bars"]}
    assert bars["queued"]["width"] == 2 * bars["dead"]["width"] > 0
    assert bars["sent"]["width"] == 0
    assert 'role="img"' in html


@pytest.mark.django_db
def test_list_filters_by_status_channel_and_recipient(client, clerk, dead, customer):
    sms = queue(customer, key="pages:sms", channels=("sms",))
    client.force_login(clerk)
    by_status = client.get(BASE + "messages/?status=dead")
    by_channel = client.get(BASE + "messages/?channel=sms")
    by_phone = client.get(BASE + "messages/?q=0912-345-678")
    by_nothing = client.get(BASE + "messages/?q=nobody%40example.org")
    assert [r["id"] for r in by_status.context["rows"]] == [dead.pk]
    assert [r["id"] for r in by_channel.context["rows"]] == [sms.pk]
    assert [r["id"] for r in by_phone.context["rows"]] == [sms.pk]
    assert by_nothing.context["rows"] == []
    # masked: no full address or name on the page
    html = by_status.content.decode()
    assert "wang@example.com" not in html
    assert "王小明" not in html


@pytest.mark.django_db
def test_list_date_range_is_inclusive_in_taiwan_time(client, clerk, dead, customer):
    today = timezone.localdate()
    client.force_login(clerk)
    inside = client.get(BASE + f"messages/?since={today}&until={today}")
    before = client.get(BASE + f"messages/?until={today - timedelta(days=1)}")
    assert [r["id"] for r in inside.context["rows"]] == [dead.pk]
    assert before.context["rows"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "english"),
    [
        ("status=lost", "status", "Unknown status 'lost'"),
        ("channel=pigeon", "channel", "Unknown channel 'pigeon'"),
        ("since=2026-13-01", "since", "The from date must be a date as YYYY-MM-DD"),
        ("since=2026-05-02&until=2026-05-01", "until", "The to date cannot be before"),
        ("centre=XX", "centre", "No service centre with code 'XX'"),
        ("customer=abc", "customer", "The customer number must be a whole number."),
    ],
)
def test_bad_filters_are_named_in_both_languages(client, clerk, dead, query, field, english):
    client.force_login(clerk)
    response = client.get(EN + "messages/?" + query)
    chinese = client.get(BASE + "messages/?" + query)
    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(english)
    assert response.context["rows"] == []
    assert chinese.status_code == 400
    assert chinese.context["form"].errors[field][0] == CHINESE[field]


CHINESE = {
    "status": "狀態「lost」不存在；可用：queued, sending, sent, failed, dead。",
    "channel": "管道「pigeon」不存在；可用：email, sms, push, letter, voice, line。",
    "since": "起始日期須為 YYYY-MM-DD 格式的日期（收到「2026-13-01」）。",
    "until": "結束日期不可早於起始日期。",
    "centre": "查無服務中心代碼「XX」。",
    "customer": "用戶編號須為數字。",
}


@pytest.mark.django_db
def test_dead_letter_page_lists_only_dead_and_links_to_resend(client, clerk, dead, customer):
    queue(customer, key="pages:alive")
    client.force_login(clerk)
    response = client.get(BASE + "dead/")
    assert [r["id"] for r in response.context["rows"]] == [dead.pk]
    assert "status" not in response.context["form"].fields
    detail = client.get(BASE + f"messages/{dead.pk}/")
    assert f'href="/staff/notifications/messages/{dead.pk}/resend/"' in detail.content.decode()


@pytest.mark.django_db
def test_detail_shows_attempts_with_worker_and_masked_error(client, clerk, dead):
    client.force_login(clerk)
    response = client.get(EN + f"messages/{dead.pk}/")
    html = response.content.decode()
    (attempt,) = response.context["message"]["attempt_log"]
    assert attempt["worker_id"] == "test-worker-7"
    assert attempt["outcome"] == "failed"
    assert attempt["error"] == "SMTP 550 for the recipient w**g@example.com: mailbox unavailable"
    assert "wang@example.com" not in html
    assert "電費帳單通知" not in html  # the text is hidden until asked for (audited)
    assert "Show recipient and text (recorded in the audit log)" in html
    assert not AuditEvent.objects.filter(verb="notification.view_content").exists()


@pytest.mark.django_db
def test_showing_content_is_a_post_and_is_audited(client, clerk, dead):
    client.force_login(clerk)
    assert client.get(BASE + f"messages/{dead.pk}/content/").status_code == 405
    response = client.post(BASE + f"messages/{dead.pk}/content/")
    html = response.content.decode()
    assert "wang@example.com" in html
    assert "電費帳單通知（電號 01-23-4567-89-0）" in html
    event = AuditEvent.objects.get(verb="notification.view_content")
    assert (event.actor_label, event.target_id, event.kind) == (
        "business.clerk",
        str(dead.pk),
        "view_personal",
    )


@pytest.mark.django_db
def test_design_section_sees_masked_but_cannot_unmask_or_resend(client, make_staff, dead):
    designer = make_staff("design")
    client.force_login(designer)
    detail = client.get(BASE + f"messages/{dead.pk}/")
    assert detail.status_code == 200
    assert "content/" not in detail.content.decode()
    assert client.post(BASE + f"messages/{dead.pk}/content/").status_code == 403
    assert client.get(BASE + f"messages/{dead.pk}/resend/").status_code == 403
    assert client.post(BASE + f"messages/{dead.pk}/resend/").status_code == 403
    dead.refresh_from_db()
    assert dead.status == Status.DEAD
    assert not AuditEvent.objects.filter(
        verb__in=["notification.resend", "notification.view_content"]
    ).exists()


@pytest.mark.django_db
def test_hr_has_no_outbox(client, make_staff, dead):
    client.force_login(make_staff("human_resources"))
    assert client.get(BASE).status_code == 403
    assert client.get(BASE + "messages/").status_code == 403
    assert client.get(BASE + f"messages/{dead.pk}/").status_code == 403


@pytest.mark.django_db
def test_another_centre_message_looks_absent(client, make_staff, centre, dead, other_message):
    zhongli = make_staff("business", centre=centre, username="zl.clerk")
    client.force_login(zhongli)
    listed = client.get(BASE + "messages/")
    assert [r["id"] for r in listed.context["rows"]] == [dead.pk]
    assert "centre" not in listed.context["form"].fields  # centre staff cannot pick a centre
    for path in ("", "content/", "resend/"):
        method = client.post if path else client.get
        assert method(BASE + f"messages/{other_message.pk}/{path}").status_code == 404
    missing = client.get(BASE + "messages/999999/")
    assert missing.status_code == 404
    other_message.refresh_from_db()
    assert other_message.status == Status.DEAD
    history = client.get(BASE + f"customers/{other_message.customer_id}/")
    assert history.status_code == 404


@pytest.mark.django_db
def test_office_wide_staff_filter_by_centre(client, clerk, dead, other_message):
    client.force_login(clerk)
    response = client.get(BASE + "messages/?centre=DY")
    assert [r["id"] for r in response.context["rows"]] == [other_message.pk]


@pytest.mark.django_db
def test_resend_confirms_then_queues_and_is_audited(client, clerk, dead):
    client.force_login(clerk)
    confirm = client.get(EN + f"messages/{dead.pk}/resend/")
    assert "Yes, resend it" in confirm.content.decode()
    dead.refresh_from_db()
    assert dead.status == Status.DEAD  # GET changes nothing
    response = client.post(BASE + f"messages/{dead.pk}/resend/", follow=True)
    dead.refresh_from_db()
    assert response.redirect_chain == [(f"/staff/notifications/messages/{dead.pk}/", 302)]
    assert dead.status == Status.QUEUED
    assert dead.resend_count == 1
    event = AuditEvent.objects.get(verb="notification.resend")
    assert (event.actor_label, event.target_id) == ("business.clerk", str(dead.pk))
    # a second POST (double click) is refused with a message, not a 500, and not audited again
    again = client.post(EN + f"messages/{dead.pk}/resend/", follow=True)
    assert "Only a dead notification can be resent." in again.content.decode()
    assert AuditEvent.objects.filter(verb="notification.resend").count() == 1


@pytest.mark.django_db
def test_resend_needs_csrf(clerk, dead):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(clerk)
    assert strict.post(BASE + f"messages/{dead.pk}/resend/").status_code == 403
    dead.refresh_from_db()
    assert dead.status == Status.DEAD


@pytest.mark.django_db
def test_resent_dead_letter_is_delivered_once_by_the_worker(
    client, clerk, bill_templates, customer, smtp_server, outbox_config
):
    port, ledger_path = smtp_server
    outbox_config["MAX_ATTEMPTS"] = 1
    message = queue(customer, key="pages:resend-delivery")
    # given: dead after its only attempt, nothing listening where the SMTP server should be
    unreachable = {
        "email": SmtpProvider(host="127.0.0.1", port=1, from_address="n@powerdesk.example")
    }
    DeliveryWorker(providers=unreachable).run(until_idle=True)
    message.refresh_from_db()
    assert message.status == Status.DEAD
    # when: staff resend it, and a worker runs against the real (local) SMTP server
    client.force_login(clerk)
    client.post(BASE + f"messages/{message.pk}/resend/")
    providers = {
        "email": SmtpProvider(host="127.0.0.1", port=port, from_address="n@powerdesk.example")
    }
    DeliveryWorker(providers=providers).run(until_idle=True)
    DeliveryWorker(providers=providers).run(until_idle=True)  # nothing left to do
    # then: sent, received exactly once, both attempts on the page
    message.refresh_from_db()
    assert message.status == Status.SENT
    counts = Ledger(ledger_path).counts("email")
    assert counts[message.provider_message_id].delivered == 1
    detail = client.get(BASE + f"messages/{message.pk}/")
    outcomes = [a["outcome"] for a in detail.context["message"]["attempt_log"]]
    assert outcomes == ["failed", "sent"]


@pytest.mark.django_db
def test_customer_history_page(client, clerk, dead, customer, other_message):
    client.force_login(clerk)
    response = client.get(BASE + f"customers/{customer.pk}/")
    assert [r["id"] for r in response.context["rows"]] == [dead.pk]
    assert "王小明" not in response.content.decode()
    assert client.get(BASE + "customers/999999/").status_code == 404


@pytest.mark.django_db
def test_csv_and_ods_export_the_filtered_rows_masked(client, clerk, dead, customer):
    queue(customer, key="pages:export-other", channels=("sms",))
    client.force_login(clerk)
    response = client.get(BASE + "messages/?status=dead&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["id", "created_at", "status"]
    assert [row[0] for row in rows[1:]] == [str(dead.pk)]
    assert rows[1][5] == "w**g@example.com"
    assert "wang@example.com" not in text
    ods = client.get(BASE + "messages/?status=dead&format=ods")
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    with zipfile.ZipFile(io.BytesIO(ods.content)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        content = archive.read("content.xml").decode()
    assert f"<text:p>{dead.pk}</text:p>" in content
    assert "wang@example.com" not in content


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_rows(
    client, clerk, bill_templates, customer, django_assert_max_num_queries
):
    for n in range(30):
        queue(customer, key=f"pages:many:{n}")
    client.force_login(clerk)
    with django_assert_max_num_queries(8):
        response = client.get(BASE + "messages/")
    assert len(response.context["rows"]) == 25


@pytest.mark.django_db
def test_resend_page_of_a_message_that_is_not_dead_explains_and_offers_no_button(
    client, clerk, bill_templates, customer
):
    queued = queue(customer, key="pages:not-dead")
    client.force_login(clerk)
    response = client.get(EN + f"messages/{queued.pk}/resend/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only a dead letter can be resent; this message is “Queued”." in html
    assert "Yes, resend it" not in html
    detail = client.get(EN + f"messages/{queued.pk}/").content.decode()
    assert "/resend/" not in detail
