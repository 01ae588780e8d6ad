"""The demo wiring: demo notices queued, delivered to the real local servers, listed on the demo
inbox page and by ``powerdesk notifications_ledger``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.http import Http404
from django.test import RequestFactory

from powerdesk.notifications.demo_inbox import demo_inbox_view, demo_notifications_queue
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.tests import processes
from powerdesk.notifications.tests.test_worker import _providers
from powerdesk.notifications.worker import DeliveryWorker


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo") / "ledger.sqlite3"


@pytest.fixture(scope="module")
def servers(ledger_path):
    smtp = processes.start_smtp(ledger_path)
    mitake = processes.start_mitake(ledger_path)
    yield {"smtp": smtp.port, "mitake": mitake.port}
    smtp.shutdown()
    mitake.shutdown()


def _get(user):
    request = RequestFactory().get("/staff/demo-inbox/")
    request.user = user
    return demo_inbox_view(request)


@pytest.mark.django_db
def test_demo_notices_arrive_and_the_demo_inbox_lists_them(
    make_customer, clerk, servers, ledger_path, monkeypatch
):
    # given: two demo customers, one reachable only by SMS
    by_mail = make_customer(email="chen@example.com", mobile="0911222333")
    by_sms = make_customer(consents={"sms": True, "email": False}, mobile="0922333444")
    # when: the demo queues its notices (twice: the keys repeat) and a worker delivers them
    assert demo_notifications_queue(limit=5) == 2
    assert demo_notifications_queue(limit=5) == 2
    assert OutboxMessage.objects.filter(idempotency_key__startswith="demo:").count() == 2
    assert DeliveryWorker(providers=_providers(servers)).run(until_idle=True) == 2
    # then: the page lists what the local servers received
    monkeypatch.setenv("POWERDESK_DEMO_LEDGER", str(ledger_path))
    response = _get(clerk)
    assert response.status_code == 200
    page = response.content.decode()
    sms = OutboxMessage.objects.get(customer=by_sms)
    assert sms.channel == "sms"
    assert "0922333444" in page
    assert sms.body_text in page
    mail = OutboxMessage.objects.get(customer=by_mail)
    assert mail.recipient in page
    assert "電費帳單通知" in page
    # and the command prints the same counts
    out = io.StringIO()
    call_command("notifications_ledger", ledger=str(ledger_path), stdout=out)
    assert "SMS: 1 delivered, 1 transmissions, 0 delivered twice" in out.getvalue()
    assert "0922333444" in out.getvalue()


@pytest.mark.django_db
def test_demo_inbox_is_for_signed_in_staff_of_a_demo_only(clerk, ledger_path, monkeypatch):
    monkeypatch.delenv("POWERDESK_DEMO_LEDGER", raising=False)
    with pytest.raises(Http404):
        _get(clerk)
    monkeypatch.setenv("POWERDESK_DEMO_LEDGER", str(ledger_path.parent / "missing.sqlite3"))
    with pytest.raises(Http404):
        _get(clerk)
    response = _get(AnonymousUser())
    assert response.status_code == 302


def test_notifications_ledger_without_a_ledger_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as raised:
        call_command("notifications_ledger", ledger=str(tmp_path / "none.sqlite3"))
    assert raised.value.code == 2
    assert "No ledger" in capsys.readouterr().err
