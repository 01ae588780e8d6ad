"""notification_queue: one INSERT in the caller's transaction, idempotent, checks everything."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, transaction

from powerdesk.core.errors import InvalidInputError
from powerdesk.notifications import actions
from powerdesk.notifications.models import AddressSuppression, ChannelPreference, OutboxMessage
from powerdesk.notifications.tests.conftest import BILL_CONTEXT

Status = OutboxMessage.Status


def _queue(**changes):
    arguments = {
        "purpose": "payment_reminder",
        "template": "bill.ready",
        "context": BILL_CONTEXT,
        "channels": ["sms", "email"],
        "idempotency_key": "bill:2026-05:0123456789",
    }
    arguments.update(changes)
    return actions.notification_queue(**arguments)


def _problems(error: InvalidInputError) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in error.problems]


@pytest.mark.django_db
def test_queue_adds_exactly_one_insert_after_its_reads(
    bill_templates, customer, django_assert_num_queries
):
    # when: reads (templates, consents, channel order) then the write
    with django_assert_num_queries(4) as captured:
        message = _queue(customer=customer)
    # then: exactly one write, the outbox INSERT, and it is the last statement
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert statements == ["SELECT", "SELECT", "SELECT", "INSERT"]
    assert 'INTO "notifications_outboxmessage"' in captured.captured_queries[-1]["sql"]
    assert message.pk is not None
    assert message.status == Status.QUEUED


@pytest.mark.django_db
def test_queue_renders_the_sms_in_the_customers_language(bill_templates, make_customer):
    customer = make_customer(language="en")
    message = _queue(customer=customer)
    assert message.channel == "sms"
    assert message.language == "en"
    assert message.recipient == "+886912345678"
    assert message.body_text == "Taipower: account 01-23-4567-89-0, 1,234 NTD due 2026-05-20."
    assert message.sms_parts == [message.body_text]
    assert message.sms_segments == 1
    assert message.context["amount"] == "1,234"


@pytest.mark.django_db
def test_queue_renders_email_text_and_escaped_html(bill_templates, customer):
    message = _queue(
        customer=customer,
        channels=["email"],
        context={**BILL_CONTEXT, "account": "<01>"},
    )
    assert message.subject == "電費帳單通知（電號 <01>）"
    assert message.body_text.startswith(
        "您好：電號 <01> 本期應繳 1,234 元，繳費期限 2026-05-20。\n取消訂閱：http://"
    )
    assert "電號 &lt;01&gt; 本期應繳 <b>1,234</b> 元" in message.body_html
    assert "/notifications/unsubscribe/" in message.context["unsubscribe_url"]


@pytest.mark.django_db
def test_missing_english_template_falls_back_to_chinese(bill_templates, make_customer):
    bill_templates[("sms", "en")].delete()
    message = _queue(customer=make_customer(language="en"), channels=["sms"])
    assert message.language == "zh-hant"
    assert message.body_text == "台電：電號01-23-4567-89-0本期應繳1,234元，期限2026-05-20。"


@pytest.mark.django_db
def test_same_key_never_creates_a_second_row(bill_templates, customer):
    first = _queue(customer=customer)
    second = _queue(customer=customer, context={**BILL_CONTEXT, "amount": "9"})
    assert second.pk == first.pk
    assert second.body_text == first.body_text
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_queue_rolls_back_with_the_callers_transaction(bill_templates, customer):
    def business_change_that_fails() -> None:
        with transaction.atomic():
            _queue(customer=customer)
            raise RuntimeError("the business change failed")

    with pytest.raises(RuntimeError):
        business_change_that_fails()
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_without_sms_consent_the_next_channel_is_used(bill_templates, make_customer):
    customer = make_customer(consents={"sms": False, "email": True})
    assert _queue(customer=customer).channel == "email"


@pytest.mark.django_db
def test_the_customers_own_channel_order_wins(bill_templates, customer):
    ChannelPreference.objects.create(
        customer=customer, channels=["email"], updated_at=datetime.now(UTC)
    )
    assert _queue(customer=customer).channel == "email"


@pytest.mark.django_db
def test_no_consent_on_any_channel_is_refused_with_every_reason(bill_templates, make_customer):
    customer = make_customer(consents={"sms": False})
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer)
    error = raised.value
    assert _problems(error) == [("channels", "notification.no_channel")]
    assert error.problems[0].details == {
        "channels": [
            {"channel": "sms", "reason": "consent_refused"},
            {"channel": "email", "reason": "no_consent"},
        ]
    }
    assert error.as_dict("en")["details"]["fields"][0]["message"] == (
        "No allowed channel can be used (SMS: the customer refused this channel; "
        "e-mail: the customer has not agreed to this channel)."
    )
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("_case", "changes", "expected"),
    [
        ("invalid bare phone", {"address": "0912-34"}, [("address", "phone.length")]),
        ("landline for SMS", {"address": "(03)425-1234"}, [("address", "phone.not_mobile")]),
        (
            "invalid bare e-mail",
            {"address": "wang@", "channels": ["email"]},
            [("address", "email.domain")],
        ),
        ("unknown purpose", {"purpose": "marketing"}, [("purpose", "purpose.unknown")]),
        ("unknown channel", {"channels": ["fax"]}, [("channels", "channel.unknown")]),
        (
            "bad key",
            {"idempotency_key": "a key"},
            [("idempotency_key", "idempotency_key.character")],
        ),
        (
            "float in context",
            {"context": {**BILL_CONTEXT, "amount": 1.5}},
            [("context", "context.type")],
        ),
        (
            "naive time",
            {"not_before": datetime(2026, 5, 1, 9, 0)},  # noqa: DTZ001 - naive on purpose
            [("not_before", "datetime.naive")],
        ),
        ("nobody", {"address": None}, [("recipient", "recipient.required")]),
        (
            "several at once",
            {"purpose": "x", "channels": [], "idempotency_key": ""},
            [
                ("idempotency_key", "idempotency_key.required"),
                ("purpose", "purpose.unknown"),
                ("channels", "channels.required"),
            ],
        ),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_at_enqueue_time(bill_templates, _case, changes, expected):
    arguments = {"address": "0912345678", **changes}
    with pytest.raises(InvalidInputError) as raised:
        _queue(**arguments)
    assert _problems(raised.value) == expected
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_unknown_template_is_refused(bill_templates, customer):
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, template="bill.unknown")
    assert _problems(raised.value) == [("template", "template.unknown")]
    assert (
        raised.value.as_dict("zh-hant")["message"]
        == "輸入資料有誤：template — 沒有名為「bill.unknown」的通知範本。"
    )


@pytest.mark.django_db
def test_template_for_another_purpose_is_refused(bill_templates, customer):
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, purpose="case_progress")
    assert _problems(raised.value) == [("template", "template.purpose_mismatch")]


@pytest.mark.django_db
def test_missing_context_variable_is_refused_naming_it(bill_templates, customer):
    with pytest.raises(InvalidInputError) as raised:
        _queue(customer=customer, context={"account": "01"})
    assert _problems(raised.value) == [("context", "template.missing_variable")]
    assert raised.value.problems[0].details == {"missing": ["amount", "due"]}


@pytest.mark.django_db
def test_too_long_sms_is_refused_or_split_as_the_template_says(clerk, customer, outbox_config):
    outbox_config["SMS_MAX_SEGMENTS"] = 2
    for overflow in ("refuse", "split"):
        actions.template_create(
            actor=clerk,
            key=f"notice.{overflow}",
            purpose="service_notice",
            channel="sms",
            language="zh-hant",
            body_text="${text}",
            sms_overflow=overflow,
        )
    text = "本區將於下週進行電力設備維護，" * 10  # 150 characters: 3 concatenated segments
    with pytest.raises(InvalidInputError) as raised:
        _queue(
            customer=customer,
            purpose="service_notice",
            template="notice.refuse",
            context={"text": text},
            channels=["sms"],
        )
    assert _problems(raised.value) == [("template", "sms.too_long")]
    message = _queue(
        customer=customer,
        purpose="service_notice",
        template="notice.split",
        context={"text": text[:120]},
        channels=["sms"],
    )
    assert [part[-6:] for part in message.sms_parts] == [" (1/2)", " (2/2)"]
    assert message.sms_segments == 2


@pytest.mark.django_db
def test_bare_address_subscription_and_its_unsubscribe(bill_templates):
    message = _queue(address="0912-345-678", idempotency_key="sub:1")
    assert (message.channel, message.recipient, message.customer_id) == (
        "sms",
        "+886912345678",
        None,
    )
    AddressSuppression.objects.create(
        channel="sms", address="+886912345678", created_at=datetime.now(UTC)
    )
    with pytest.raises(InvalidInputError) as raised:
        _queue(address="0912345678", idempotency_key="sub:2", channels=["sms"])
    assert raised.value.problems[0].details == {
        "channels": [{"channel": "sms", "reason": "unsubscribed"}]
    }


@pytest.mark.django_db
def test_quiet_hours_hold_an_sms_until_morning_but_not_an_outage(clerk, customer, outbox_config):
    # given: quiet hours 21:00–08:00 and an outage template
    outbox_config["QUIET_HOURS"] = {**outbox_config["QUIET_HOURS"], "CHANNELS": ["sms", "voice"]}
    actions.template_create(
        actor=clerk,
        key="outage",
        purpose="outage_emergency",
        channel="sms",
        language="zh-hant",
        body_text="停電",
    )
    actions.template_create(
        actor=clerk,
        key="remind",
        purpose="payment_reminder",
        channel="sms",
        language="zh-hant",
        body_text="繳費",
    )
    # when: both are queued at 22:30 Taipei time
    with time_machine.travel(datetime(2026, 3, 2, 14, 30, tzinfo=UTC), tick=False):
        reminder = _queue(
            customer=customer,
            template="remind",
            channels=["sms"],
            context={},
            idempotency_key="q:1",
        )
        outage = _queue(
            customer=customer,
            template="outage",
            purpose="outage_emergency",
            channels=["sms"],
            context={},
            idempotency_key="q:2",
        )
    # then
    assert reminder.not_before == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 08:00 Taipei
    assert outage.not_before == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert outage.priority > reminder.priority


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueues_with_one_key_make_one_row(bill_templates, customer):
    # given: two transactions queueing the same key; the first holds its insert uncommitted
    first_inserted = threading.Event()
    release_first = threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = _queue(customer=customer, idempotency_key="race:1").pk
                first_inserted.set()
                release_first.wait(10)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(10)
            with transaction.atomic():
                results["second"] = _queue(customer=customer, idempotency_key="race:1").pk
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # when: the second waits on the first's uncommitted row; then the first commits
    first_inserted.wait(10)
    threads[1].join(0.5)
    assert threads[1].is_alive()  # blocked by PostgreSQL on the unique key, not failed
    release_first.set()
    for thread in threads:
        thread.join(10)
    # then: both got the same row, and there is one
    assert errors == []
    assert results["first"] == results["second"]
    assert OutboxMessage.objects.filter(idempotency_key="race:1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueue_after_a_rollback_inserts(bill_templates, customer):
    first_inserted = threading.Event()
    release_first = threading.Event()
    results: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                _queue(customer=customer, idempotency_key="race:2")
                first_inserted.set()
                release_first.wait(10)
                raise RuntimeError("business change failed")
        except RuntimeError:
            pass
        finally:
            connection.close()

    def second() -> None:
        first_inserted.wait(10)
        with transaction.atomic():
            results["second"] = _queue(customer=customer, idempotency_key="race:2").pk
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inserted.wait(10)
    threads[1].join(0.5)
    release_first.set()
    for thread in threads:
        thread.join(10)
    assert list(
        OutboxMessage.objects.filter(idempotency_key="race:2").values_list("pk", flat=True)
    ) == [results["second"]]
