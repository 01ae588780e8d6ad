"""Shared helpers of the staff outbox tests: queue with the real action, make a message dead
through the outbox's own lease functions, a message of another centre, the local SMTP server."""

from __future__ import annotations

import random

import pytest

from powerdesk.notifications import actions, outbox
from powerdesk.notifications.channels.base import PermanentDeliveryError
from powerdesk.notifications.conf import outbox_settings
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.tests import processes
from powerdesk.notifications.tests.conftest import BILL_CONTEXT

Status = OutboxMessage.Status
REFUSAL = "SMTP 550 for the recipient wang@example.com: mailbox unavailable"


def queue(customer, *, key: str, channels: tuple[str, ...] = ("email",)) -> OutboxMessage:
    return actions.notification_queue(
        purpose="payment_reminder",
        template="bill.ready",
        context=BILL_CONTEXT,
        customer=customer,
        channels=list(channels),
        idempotency_key=key,
    )


def make_dead(message: OutboxMessage, *, error: str = REFUSAL) -> OutboxMessage:
    """Through the outbox's own lease functions, as a worker whose provider refused it would."""
    claims = outbox.claim(lease_seconds=30, limit=100)
    held = next(c for c in claims if c.message.pk == message.pk)
    others = [c.message.pk for c in claims if c.message.pk != message.pk]
    if others:
        outbox.release(token=held.token, message_ids=others)
    number = outbox.start(held, worker_id="test-worker-7")
    assert number is not None
    conf = outbox_settings()
    policy = outbox.RetryPolicy(
        base_seconds=0.2, cap_seconds=0.5, quiet=conf.quiet_hours, rng=random.Random(1)
    )
    status = outbox.fail(
        held,
        number=number,
        error=PermanentDeliveryError(error),
        policy=policy,
        dedup_window=None,
    )
    assert status == Status.DEAD
    message.refresh_from_db()
    return message


@pytest.fixture(name="dead")
def dead_fixture(bill_templates, customer) -> OutboxMessage:
    return make_dead(queue(customer, key="pages:dead"))


@pytest.fixture(name="other_customer")
def other_customer_fixture(clerk, other_centre):
    from powerdesk.customers import actions as customer_actions

    return customer_actions.customer_create(
        actor=clerk,
        kind="person",
        name="陳大文",
        id_kind="national_id",
        id_number="B123456780",
        mobile="0922333444",
        email="chen@example.com",
        preferred_language="zh-hant",
        service_centre=other_centre,
        consents={"sms": True, "email": True},
    )


@pytest.fixture(name="other_message")
def other_message_fixture(bill_templates, other_customer) -> OutboxMessage:
    """A dead message to a customer of the other centre (大園)."""
    return make_dead(queue(other_customer, key="pages:other"), error="SMTP 550 no such user")


@pytest.fixture(scope="module", name="smtp_server")
def smtp_server_fixture(tmp_path_factory):
    ledger = tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"
    server = processes.start_smtp(ledger)
    yield server.port, ledger
    server.shutdown()
