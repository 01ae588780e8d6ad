"""The delivery worker in-process, against the real local SMTP and Mitake servers."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from powerdesk.notifications import actions, outbox
from powerdesk.notifications.channels.mitake import MitakeProvider
from powerdesk.notifications.channels.smtp import SmtpProvider
from powerdesk.notifications.channels.webhook import WebhookProvider
from powerdesk.notifications.domain.keys import mitake_client_id, smtp_message_id
from powerdesk.notifications.models import DeliveryAttempt, OutboxMessage
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.tests import processes
from powerdesk.notifications.tests.conftest import BILL_CONTEXT
from powerdesk.notifications.worker import DeliveryWorker

Status = OutboxMessage.Status


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"


@pytest.fixture(scope="module")
def servers(ledger_path):
    smtp = processes.start_smtp(ledger_path)
    mitake = processes.start_mitake(ledger_path)
    yield {"smtp": smtp.port, "mitake": mitake.port}
    smtp.shutdown()
    mitake.shutdown()


@pytest.fixture
def ledger(ledger_path, servers) -> Ledger:
    ledger = Ledger(ledger_path)
    ledger.set_config("mitake.hang_after_accept_ms", 0)
    ledger.set_config("smtp.hang_after_accept_ms", 0)
    return ledger


def _providers(servers, *, timeout: float = 2.0, smtp_port: int | None = None):
    return {
        "email": SmtpProvider(
            host="127.0.0.1",
            port=smtp_port or servers["smtp"],
            from_address="notices@powerdesk.example",
            timeout=timeout,
        ),
        "sms": MitakeProvider(
            url=f"http://127.0.0.1:{servers['mitake']}/api/mtk/SmSend",
            username=processes.MITAKE_USER,
            password=processes.MITAKE_PASSWORD,
            timeout=timeout,
        ),
    }


@pytest.fixture(autouse=True)
def _retries_wait_for_the_test(outbox_config) -> None:
    """A retry is never due within one ``run(until_idle=True)``: each test makes it due with
    ``_due_now`` when it wants it. (With the suite's 0.2 s backoff, a loaded machine could reach
    the next claim after the retry fell due and deliver it within the first run.)"""
    outbox_config["BACKOFF_BASE_SECONDS"] = 60.0
    outbox_config["BACKOFF_CAP_SECONDS"] = 120.0


def _queue(customer, *, key: str, channels: list[str], **extra):
    return actions.notification_queue(
        purpose="payment_reminder",
        template="bill.ready",
        context=BILL_CONTEXT,
        customer=customer,
        channels=channels,
        idempotency_key=key,
        **extra,
    )


def _due_now(message: OutboxMessage) -> None:
    """Skip a retry's backoff wait."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        not_before=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_worker_delivers_email_and_sms_exactly_once(bill_templates, customer, servers, ledger):
    # given: one e-mail and one SMS in the outbox
    mail = _queue(customer, key="worker:once:mail", channels=["email"])
    sms = _queue(customer, key="worker:once:sms", channels=["sms"])
    # when
    handled = DeliveryWorker(providers=_providers(servers)).run(until_idle=True)
    # then: both sent, each received once by its server, provider ids recorded
    assert handled == 2
    mail.refresh_from_db()
    sms.refresh_from_db()
    assert (mail.status, sms.status) == (Status.SENT, Status.SENT)
    message_id = smtp_message_id("worker:once:mail", domain="powerdesk.example")
    assert mail.provider == "smtp"
    assert mail.provider_message_id == message_id
    client_id = mitake_client_id("worker:once:sms")
    assert ledger.counts("sms")[client_id].delivered == 1
    assert ledger.counts("sms")[client_id].transmissions == 1
    assert ledger.counts("email")[message_id].delivered == 1
    (row,) = [r for r in ledger.rows("sms") if r[0] == client_id]
    assert sms.provider == "mitake"
    assert sms.provider_message_id == row[2]
    assert row[3] == "0912345678"
    assert row[4] == "台電：電號01-23-4567-89-0本期應繳1,234元，期限2026-05-20。"
    attempts = list(DeliveryAttempt.objects.filter(message=sms).values_list("number", "outcome"))
    assert attempts == [(1, "sent")]


@pytest.mark.django_db
def test_email_is_multipart_with_unsubscribe_headers(bill_templates, customer, servers, ledger):
    _queue(customer, key="worker:mime", channels=["email"])
    DeliveryWorker(providers=_providers(servers)).run(until_idle=True)
    message_id = smtp_message_id("worker:mime", domain="powerdesk.example")
    (row,) = [r for r in ledger.rows("email") if r[0] == message_id]
    assert row[3] == "wang@example.com"
    assert row[4].startswith(
        "Subject: 電費帳單通知（電號 01-23-4567-89-0）\n\n您好：電號 01-23-4567-89-0"
    )


def test_build_email_has_text_and_html_parts() -> None:
    from powerdesk.notifications.channels.base import OutgoingMessage
    from powerdesk.notifications.channels.smtp import build_email

    outgoing = OutgoingMessage(
        key="k:1",
        channel="email",
        recipient="a@example.com",
        subject="主旨",
        body_text="文字",
        body_html="<p>HTML</p>",
        sms_parts=(),
        language="zh-hant",
        created_at=timezone.now(),
        unsubscribe_url="http://127.0.0.1:8000/notifications/unsubscribe/t/",
    )
    mail = email.message_from_bytes(
        build_email(outgoing, from_address="n@x.example", domain="x.example").as_bytes(),
        policy=email.policy.default,
    )
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["Message-ID"] == smtp_message_id("k:1", domain="x.example")
    assert mail["List-Unsubscribe"] == "<http://127.0.0.1:8000/notifications/unsubscribe/t/>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "主旨"


@pytest.mark.django_db
def test_mitake_timeout_after_acceptance_does_not_send_twice(
    bill_templates, customer, servers, ledger
):
    # given: Mitake accepts the message but answers only after the client gave up
    ledger.set_config("mitake.hang_after_accept_ms", 1500)
    sms = _queue(customer, key="worker:timeout", channels=["sms"])
    worker = DeliveryWorker(providers=_providers(servers, timeout=0.5))
    # when: the first attempt times out, and the retry runs
    worker.run(until_idle=True)
    sms.refresh_from_db()
    assert sms.status == Status.FAILED
    assert "no reply within 0.5 s" in sms.last_error
    ledger.set_config("mitake.hang_after_accept_ms", 0)
    _due_now(sms)
    worker.run(until_idle=True)
    # then: Mitake recognised the clientid: one delivery, two transmissions
    sms.refresh_from_db()
    client_id = mitake_client_id("worker:timeout")
    counts = ledger.counts("sms")[client_id]
    assert (counts.delivered, counts.transmissions) == (1, 2)
    assert sms.status == Status.SENT
    attempts = list(
        DeliveryAttempt.objects.filter(message=sms).values_list("number", "outcome", "error")
    )
    assert attempts[0][:2] == (1, "retry")
    assert attempts[1] == (2, "sent", "duplicate recognised by the provider")
    first = next(r for r in ledger.rows("sms") if r[0] == client_id)
    assert sms.provider_message_id == first[2]


@pytest.mark.django_db
def test_rejected_recipient_is_dead_at_once(bill_templates, make_customer, servers, ledger):
    customer = make_customer(email="nobody@reject.invalid")
    mail = _queue(customer, key="worker:reject", channels=["email"])
    DeliveryWorker(providers=_providers(servers)).run(until_idle=True)
    mail.refresh_from_db()
    assert mail.status == Status.DEAD
    assert mail.attempts == 1
    assert mail.last_error.startswith("SMTP 550 for the recipient")


@pytest.mark.django_db
def test_unreachable_provider_is_retried_then_dead(
    bill_templates, customer, servers, outbox_config
):
    # given: at most 3 attempts, and nothing listening where the SMTP server should be
    outbox_config["MAX_ATTEMPTS"] = 3
    mail = _queue(customer, key="worker:unreachable", channels=["email"])
    worker = DeliveryWorker(providers=_providers(servers, smtp_port=1))
    # when / then
    for attempt in (1, 2, 3):
        _due_now(mail)
        worker.run(until_idle=True)
        mail.refresh_from_db()
        assert mail.attempts == attempt
    assert mail.status == Status.DEAD
    outcomes = list(DeliveryAttempt.objects.filter(message=mail).values_list("outcome", flat=True))
    assert outcomes == ["retry", "retry", "failed"]


@pytest.mark.django_db
def test_retry_waits_a_backoff(bill_templates, customer, servers):
    mail = _queue(customer, key="worker:backoff", channels=["email"])
    before = outbox.db_now()
    DeliveryWorker(providers=_providers(servers, smtp_port=1)).run(until_idle=True)
    mail.refresh_from_db()
    assert mail.status == Status.FAILED
    # full jitter on the first retry: between 0 and the 60 s base
    assert before <= mail.not_before <= outbox.db_now() + timedelta(seconds=60)


@pytest.mark.django_db
def test_expired_lease_is_claimed_again_and_old_holder_cannot_write(bill_templates, customer):
    # given: worker A claimed and started the message, then its lease expired
    message = _queue(customer, key="worker:lease", channels=["sms"])
    (held_a,) = outbox.claim(lease_seconds=60, limit=5)
    assert outbox.start(held_a, worker_id="A") == 1
    assert outbox.claim(lease_seconds=60, limit=5) == []
    OutboxMessage.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    # when: worker B claims it
    (held_b,) = outbox.claim(lease_seconds=60, limit=5)
    # then: A's late writes are refused, B's are recorded
    from powerdesk.notifications.channels.base import SendResult, TransientDeliveryError

    assert held_b.message.pk == message.pk
    assert held_b.token != held_a.token
    assert outbox.start(held_a, worker_id="A") is None
    assert outbox.start(held_b, worker_id="B") == 2
    assert outbox.finish(held_a, number=1, result=SendResult("stale"), provider="mitake") is False
    policy = outbox.RetryPolicy(
        base_seconds=1, cap_seconds=1, quiet=outbox_quiet(), rng=__import__("random").Random(1)
    )
    error = TransientDeliveryError("late")
    assert outbox.fail(held_a, number=1, error=error, policy=policy, dedup_window=None) is None
    assert outbox.renew(token=held_a.token, lease_seconds=60) == 0
    assert outbox.finish(held_b, number=2, result=SendResult("fresh"), provider="mitake") is True
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.attempts) == ("sent", "fresh", 2)
    outcomes = dict(
        DeliveryAttempt.objects.filter(message=message).values_list("worker_id", "outcome")
    )
    assert outcomes == {"A": "lease_lost", "B": "sent"}


def outbox_quiet():
    from powerdesk.notifications.conf import outbox_settings

    return outbox_settings().quiet_hours


@pytest.mark.django_db
def test_sms_due_in_quiet_hours_is_deferred_without_an_attempt(
    bill_templates, customer, servers, outbox_config
):
    # given: quiet hours that cover the present moment, and an SMS already due
    sms = _queue(customer, key="worker:quiet", channels=["sms"])
    local_now = timezone.localtime(outbox.db_now())
    start = (local_now - timedelta(hours=1)).strftime("%H:%M")
    end = (local_now + timedelta(hours=1)).strftime("%H:%M")
    outbox_config["QUIET_HOURS"] = {
        **outbox_config["QUIET_HOURS"],
        "START": start,
        "END": end,
        "CHANNELS": ["sms"],
    }
    # when
    DeliveryWorker(providers=_providers(servers)).run(until_idle=True)
    # then: back in the queue until the end of the quiet window, no attempt used
    sms.refresh_from_db()
    assert sms.status == Status.QUEUED
    assert sms.attempts == 0
    assert timezone.localtime(sms.not_before).strftime("%H:%M") == end
    assert sms.lease_token == ""


@pytest.mark.django_db
def test_stranded_sms_past_the_dedup_window_goes_to_staff(
    bill_templates, customer, servers, ledger
):
    # given: an SMS whose first attempt was 13 hours ago and whose worker died
    sms = _queue(customer, key="worker:window", channels=["sms"])
    OutboxMessage.objects.filter(pk=sms.pk).update(
        status=Status.SENDING,
        attempts=1,
        first_attempt_at=timezone.now() - timedelta(hours=13),
        lease_token="dead-worker",
        lease_expires_at=timezone.now() - timedelta(hours=12),
    )
    # when
    DeliveryWorker(providers=_providers(servers)).run(until_idle=True)
    # then: not sent again (Mitake no longer recognises the clientid), dead for staff
    sms.refresh_from_db()
    assert sms.status == Status.DEAD
    assert "no longer recognises this key" in sms.last_error
    assert mitake_client_id("worker:window") not in ledger.counts("sms")


class _WebhookRecorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str, bytes]] = []
    replies: list[int] = []

    def log_message(self, format, *args: object) -> None:
        return

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            (self.headers["Idempotency-Key"], self.headers["X-Powerdesk-Signature"], body)
        )
        status = self.replies.pop(0) if self.replies else 200
        payload = json.dumps({"id": f"hook-{len(self.received)}"}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.mark.django_db
def test_webhook_sends_the_key_and_a_signature_on_every_try(bill_templates, customer):
    # given: a JSON gateway that fails once with 503, then accepts
    _WebhookRecorder.received = []
    _WebhookRecorder.replies = [503]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebhookRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        hook = WebhookProvider(
            url=f"http://127.0.0.1:{server.server_address[1]}/sms", secret="s3cret", timeout=2
        )
        sms = _queue(customer, key="worker:webhook", channels=["sms"])
        worker = DeliveryWorker(providers={"sms": hook})
        # when
        worker.run(until_idle=True)
        _due_now(sms)
        worker.run(until_idle=True)
    finally:
        server.shutdown()
        server.server_close()
    # then
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert sms.provider_message_id == "hook-2"
    assert [key for key, _, _ in _WebhookRecorder.received] == ["worker:webhook", "worker:webhook"]
    for _, signature, body in _WebhookRecorder.received:
        expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert signature == f"sha256={expected}"
    assert json.loads(_WebhookRecorder.received[0][2])["parts"] == [sms.body_text]


@pytest.mark.django_db
def test_smtp_auth_is_used_when_configured(bill_templates, customer, tmp_path):
    # given: an SMTP server that requires AUTH
    ledger = tmp_path / "auth.sqlite3"
    server = processes.start_server(
        "powerdesk.notifications.testing.smtp_server",
        ledger=ledger,
        extra=("--username", "mailer", "--password", "pw"),
    )
    try:

        def provider(password: str) -> SmtpProvider:
            return SmtpProvider(
                host="127.0.0.1",
                port=server.port,
                from_address="n@powerdesk.example",
                username="mailer",
                password=password,
                timeout=2,
            )

        mail = _queue(customer, key="worker:auth", channels=["email"])
        # when: first with a wrong password, then with the right one
        DeliveryWorker(providers={"email": provider("wrong")}).run(until_idle=True)
        mail.refresh_from_db()
        assert mail.status == Status.FAILED
        assert mail.last_error.startswith("SMTP 535")
        _due_now(mail)
        DeliveryWorker(providers={"email": provider("pw")}).run(until_idle=True)
    finally:
        server.shutdown()
    # then
    mail.refresh_from_db()
    assert mail.status == Status.SENT
    assert Ledger(ledger).counts("email")[mail.provider_message_id].delivered == 1
