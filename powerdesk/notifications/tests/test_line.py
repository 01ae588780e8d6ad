"""LINE Messaging API push (optional channel) against a local server speaking the same API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from powerdesk.core.errors import InvalidInputError
from powerdesk.notifications import actions
from powerdesk.notifications.channels.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from powerdesk.notifications.channels.line import LineProvider, line_retry_key
from powerdesk.notifications.models import OutboxMessage
from powerdesk.notifications.testing.ledger import Ledger
from powerdesk.notifications.testing.line_server import serve
from powerdesk.notifications.worker import DeliveryWorker

USER = "U" + "0123456789abcdef" * 2
TOKEN = "line-test-token"


@pytest.fixture
def line(tmp_path) -> Any:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    server = serve(ledger, token=TOKEN)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "ledger": ledger}
    server.shutdown()
    server.server_close()


def _outgoing(key: str, *, to: str = f"line:{USER}", text: str = "停電通知") -> OutgoingMessage:
    return OutgoingMessage(
        key=key,
        channel="line",
        recipient=to,
        subject="",
        body_text=text,
        body_html="",
        sms_parts=(),
        language="zh-hant",
        created_at=datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_retry_key_makes_a_repeat_a_success_without_sending_again(line) -> None:
    provider = LineProvider(token=TOKEN, api_url=line["url"])
    first = provider.send(_outgoing("line:1"))
    again = provider.send(_outgoing("line:1"))
    assert not first.duplicate
    assert again.duplicate
    assert again.provider_message_id == first.provider_message_id
    counts = line["ledger"].counts("line")[line_retry_key("line:1")]
    assert (counts.delivered, counts.transmissions) == (1, 2)
    (row, _) = line["ledger"].rows("line")
    assert row[3:] == (USER, "停電通知")


def test_errors_are_permanent_or_transient_as_line_answers(line) -> None:
    with pytest.raises(PermanentDeliveryError, match="401"):
        LineProvider(token="wrong", api_url=line["url"]).send(_outgoing("line:2"))
    provider = LineProvider(token=TOKEN, api_url=line["url"])
    with pytest.raises(PermanentDeliveryError, match="400"):
        provider.send(_outgoing("line:3", to="line:Unothex"))
    line["ledger"].set_config("line.status", 429)
    with pytest.raises(TransientDeliveryError, match="429"):
        provider.send(_outgoing("line:4"))
    line["ledger"].set_config("line.status", 500)
    with pytest.raises(TransientDeliveryError, match="500"):
        provider.send(_outgoing("line:4"))
    line["ledger"].set_config("line.status", 0)
    with pytest.raises(TransientDeliveryError, match="connection"):
        LineProvider(token=TOKEN, api_url="http://127.0.0.1:9", timeout=1).send(_outgoing("l:5"))


@pytest.fixture
def line_templates(clerk) -> None:
    for language, text in [("zh-hant", "${area} 明日停電。"), ("en", "Outage in ${area}.")]:
        actions.template_create(
            actor=clerk,
            key="outage.line",
            purpose="outage_planned",
            channel="line",
            language=language,
            body_text=text,
        )


def _queue(**extra: Any) -> OutboxMessage:
    return actions.notification_queue(
        purpose="outage_planned", template="outage.line", context={"area": "中壢區"}, **extra
    )


@pytest.mark.django_db
def test_line_is_off_unless_configured(line_templates) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _queue(address=f"line:{USER}", channels=["line"], idempotency_key="line:off")
    assert raised.value.problems[0].details["channels"] == [
        {"channel": "line", "reason": "unavailable"}
    ]
    with pytest.raises(InvalidInputError) as raised:
        _queue(address="line:someone", channels=["line"], idempotency_key="line:bad")
    assert raised.value.problems[0].field == "address"
    assert raised.value.problems[0].code == "line.user_id"


@pytest.mark.django_db
def test_configured_line_delivers_through_the_worker(line, line_templates, outbox_config) -> None:
    outbox_config["PROVIDERS"]["line"] = {
        "BACKEND": "powerdesk.notifications.channels.line.LineProvider",
        "OPTIONS": {"token": TOKEN, "api_url": line["url"], "timeout": 2},
    }
    message = _queue(address=f"line:{USER}", channels=["line"], idempotency_key="line:worker")
    assert DeliveryWorker().run(until_idle=True) == 1
    message.refresh_from_db()
    assert (message.status, message.provider) == (OutboxMessage.Status.SENT, "line")
    assert line["ledger"].counts("line")[line_retry_key("line:worker")].delivered == 1
