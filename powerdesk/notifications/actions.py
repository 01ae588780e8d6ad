"""Writes of the outbox: enqueue inside the caller's transaction, resend, unsubscribe, receipts.

``notification_queue`` is the one way to notify a customer. It does not write an audit row:
it must add exactly one INSERT to the caller's transaction (the caller's own action audits its
business change), and the outbox row itself records who asked (``requested_by``), what,
when and for whom. Staff actions on messages (resend) and unsubscribes are audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.domain import identifiers
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import ConflictError, InvalidInputError, collect
from powerdesk.customers.models import Account, ContactConsent, Customer
from powerdesk.notifications import links, selectors
from powerdesk.notifications.conf import OutboxSettings, outbox_settings
from powerdesk.notifications.domain import keys
from powerdesk.notifications.domain.channels import (
    CONSENT_CHANNEL,
    PURPOSE_RULES,
    Channel,
    Purpose,
    parse_channels,
    parse_purpose,
)
from powerdesk.notifications.domain.postal import validate_postal_code
from powerdesk.notifications.domain.quiet_hours import earliest_delivery
from powerdesk.notifications.domain.selection import (
    ChannelOption,
    Consent,
    channel_choose,
    preference_order,
)
from powerdesk.notifications.domain.sms import SmsOverflow, sms_fit, sms_measure
from powerdesk.notifications.domain.templates import check_context, render
from powerdesk.notifications.models import (
    AddressSuppression,
    CallTask,
    DeliveryReceipt,
    LetterBatch,
    NotificationTemplate,
    OutboxMessage,
    PushSubscription,
)
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE})


def _problem(field: str, code: str, zh: str, en: str, **details: Any) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=Message(zh_hant=zh, en=en), details=details)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise DomainError(
            code="datetime.naive", zh_hant="時間須含時區。", en="The time must carry a time zone."
        )
    return value


def _mobile_e164(value: str) -> str:
    phone = identifiers.validate_phone(value)
    if phone.kind != identifiers.PhoneKind.MOBILE:
        raise DomainError(
            code="phone.not_mobile",
            zh_hant="簡訊須送至 09 開頭的 10 碼行動電話。",
            en="An SMS needs a 10-digit mobile number starting with 09.",
        )
    return phone.e164


@dataclass(frozen=True, slots=True)
class _BareAddress:
    channels: frozenset[Channel]
    value: str


def _bare_address(value: str) -> _BareAddress:
    """A subscription's own address: an e-mail address, a mobile number (SMS, calls), a web
    push subscription (``push:s<id>``) or a LINE user id (``line:U…``)."""
    if value.startswith("push:"):
        return _BareAddress(channels=frozenset({Channel.PUSH}), value=_push_subscription(value))
    if value.startswith("line:"):
        return _BareAddress(channels=frozenset({Channel.LINE}), value=_line_user(value))
    if "@" in value:
        return _BareAddress(
            channels=frozenset({Channel.EMAIL}), value=identifiers.validate_email(value)
        )
    return _BareAddress(channels=PHONE_CHANNELS, value=_mobile_e164(value))


def _push_subscription(value: str) -> str:
    ident = value.removeprefix("push:s")
    if (
        not value.startswith("push:s")
        or not ident.isdigit()
        or not PushSubscription.objects.filter(pk=int(ident), gone_at__isnull=True).exists()
    ):
        raise DomainError(
            code="push.subscription_unknown",
            zh_hant=f"推播訂閱「{value}」不存在或已失效。",
            en=f"The push subscription '{value}' does not exist or is gone.",
        )
    return f"push:s{int(ident)}"


def _line_user(value: str) -> str:
    user = value.removeprefix("line:")
    if not re.fullmatch(r"U[0-9a-f]{32}", user):
        raise DomainError(
            code="line.user_id",
            zh_hant="LINE 使用者 ID 須為 U 加 32 位十六進位數字。",
            en="A LINE user id is U followed by 32 hexadecimal digits.",
        )
    return f"line:{user}"


def _district_postal_code(city: str, district: str) -> str:
    """The 3-digit postal code of a district (from the gazetteer); "" when unknown."""
    from powerdesk.core.domain.addresses import admin_divisions

    for known_city in admin_divisions():
        if known_city.name == city:
            for known in known_city.districts:
                if known.name == district:
                    return known.postal_code
    return ""


def _letter_account(customer: Customer, account: Account | None) -> Account | None:
    if account is not None:
        return account
    return (
        Account.objects.select_related("premise")
        .filter(customer=customer, status=Account.Status.ACTIVE)
        .order_by("number")
        .first()
    )


def _customer_address(customer: Customer, channel: Channel, account: Account | None = None) -> str:
    """The customer's stored address for ``channel``; "" when missing or unusable.

    Push: every live subscription of the customer (``push:c<id>``); letters: the postal code
    and address of the account's premise (the account named, else the customer's first active
    one); calls: the mobile, else the landline, and only with a service centre to call from.
    """
    try:
        if channel is Channel.EMAIL and customer.email:
            return identifiers.validate_email(customer.email)
        if channel is Channel.SMS and customer.mobile:
            return _mobile_e164(customer.mobile)
        if channel is Channel.VOICE:
            centre = account.service_centre_id if account is not None else None
            if (centre or customer.service_centre_id) is None:
                return ""
            for number in (customer.mobile, customer.landline):
                if number:
                    return identifiers.validate_phone(number).e164
        if channel is Channel.PUSH:
            live = PushSubscription.objects.filter(customer=customer, gone_at__isnull=True)
            return f"push:c{customer.pk}" if live.exists() else ""
        if channel is Channel.LETTER:
            letter_account = _letter_account(customer, account)
            if letter_account is None:
                return ""
            premise = letter_account.premise
            postal = validate_postal_code(
                premise.postal_code or _district_postal_code(premise.city, premise.district)
            )
            if not premise.address.strip():
                return ""
            return f"{postal} {premise.address.strip()}"
    except DomainError:
        return ""
    return ""


def _channel_ready(channel: Channel, conf: OutboxSettings) -> bool:
    """A provider serves the channel (for push: and its VAPID key exists)."""
    if channel.value not in conf.providers:
        return False
    if channel is Channel.PUSH:
        key_file = conf.vapid_private_key_file()
        return key_file is not None and key_file.is_file()
    return True


def _insert_once(message: OutboxMessage) -> bool:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id``: one statement.

    PostgreSQL and SQLite (3.35+) both run it. A concurrent transaction inserting the same key
    makes PostgreSQL wait for it: if it commits, nothing is inserted here; if it rolls back,
    this insert goes ahead. Returns whether the row was inserted (and sets its primary key).
    """
    meta = OutboxMessage._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = [
        field.get_db_prep_save(getattr(message, field.attname), connection) for field in fields
    ]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608 - identifiers from model metadata, values bound
        f"ON CONFLICT ({quote('idempotency_key')}) DO NOTHING RETURNING {quote(str(meta.pk.column))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding = False
    message._state.db = connection.alias
    return True


def notification_queue(
    *,
    purpose: str,
    template: str,
    context: Mapping[str, Any],
    channels: list[str],
    idempotency_key: str,
    customer: Customer | None = None,
    account: Account | None = None,
    address: str | None = None,
    language: str | None = None,
    not_before: datetime | None = None,
    actor: Any = None,
) -> OutboxMessage:
    """Queue one notification inside the caller's transaction; it commits or rolls back with it.

    Everything is checked now, never by the worker: the key, the purpose, the channels, the
    recipient's address, consent, the template and every variable it needs. The first of
    ``channels`` (in the customer's own order, if any) that can be used is taken. SMS and calls
    are held until the end of quiet hours unless the purpose is urgent.

    Database work: up to four reads (the account's customer when only an account is given;
    the templates; the customer's consents and channel order; unsubscribed bare addresses),
    then exactly one write, the INSERT of the outbox row. The same ``idempotency_key`` never
    creates a second row: the existing row is returned (one more read), after the same checks.
    """
    conf = outbox_settings()
    now = timezone.now()
    cleaned, problems = collect(
        {
            "idempotency_key": lambda: keys.validate_idempotency_key(idempotency_key),
            "purpose": lambda: parse_purpose(purpose),
            "channels": lambda: parse_channels(channels),
            "context": lambda: check_context(context),
            "not_before": lambda: _aware(not_before),
            "address": lambda: _bare_address(address) if address else None,
        }
    )
    if account is not None and customer is None:
        customer = account.customer
    if account is not None and customer is not None and account.customer_id != customer.pk:
        problems.append(
            _problem(
                "account",
                "account.other_customer",
                "此電號不屬於此用戶。",
                "The account does not belong to this customer.",
            )
        )
    if customer is None and not address:
        problems.append(
            _problem(
                "recipient",
                "recipient.required",
                "請指定用戶、電號或聯絡地址。",
                "Name a customer, an account or an address.",
            )
        )
    if language is not None and language not in ("zh-hant", "en"):
        problems.append(
            _problem(
                "language",
                "language.unknown",
                "語言須為 zh-hant 或 en。",
                "Language must be zh-hant or en.",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    the_purpose: Purpose = cleaned["purpose"]
    requested: tuple[Channel, ...] = cleaned["channels"]
    bare: _BareAddress | None = cleaned["address"]
    lang = customer.preferred_language if customer is not None else (language or "zh-hant")

    templates = selectors.templates_for(key=template, channels=requested, language=lang)
    if not templates and not selectors.template_key_exists(template):
        raise InvalidInputError(
            [
                _problem(
                    "template",
                    "template.unknown",
                    f"沒有名為「{template}」的通知範本。",
                    f"There is no notification template named '{template}'.",
                    template=template,
                )
            ]
        )
    wrong_purpose = sorted({t.purpose for t in templates.values()} - {the_purpose.value})
    if wrong_purpose:
        raise InvalidInputError(
            [
                _problem(
                    "template",
                    "template.purpose_mismatch",
                    f"範本「{template}」用於 {', '.join(wrong_purpose)}，不是 {the_purpose.value}。",
                    f"Template '{template}' is for {', '.join(wrong_purpose)}, not {the_purpose.value}.",
                )
            ]
        )

    consents: dict[str, Consent] = {}
    order = requested
    if customer is not None:
        consents = selectors.consents_of(customer)
        order = preference_order(requested, preferred=selectors.preferred_channels(customer))
    addresses: dict[Channel, str] = {}
    for channel in order:
        if bare is not None and channel in bare.channels:
            addresses[channel] = bare.value
        elif customer is not None:
            addresses[channel] = _customer_address(customer, channel, account)
        else:
            addresses[channel] = ""
    suppressed = selectors.suppressed_addresses(
        (channel.value, value)
        for channel, value in addresses.items()
        if value and bare is not None and value == bare.value
    )

    def consent_for(channel: Channel) -> Consent:
        if customer is None:
            return Consent.GRANTED  # a bare address is a subscription the person asked for
        consent_channel = CONSENT_CHANNEL[channel]
        if consent_channel is None:
            return Consent.UNKNOWN
        return consents.get(consent_channel, Consent.UNKNOWN)

    options = [
        ChannelOption(
            channel=channel,
            address=addresses[channel],
            consent=consent_for(channel),
            has_template=channel in templates,
            available=_channel_ready(channel, conf),
            suppressed=(channel.value, addresses[channel]) in suppressed,
        )
        for channel in order
    ]
    try:
        chosen = channel_choose(options, purpose=the_purpose)
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="channels") from error

    chosen_template = templates[chosen.channel]
    values = dict(cleaned["context"])
    if chosen.channel is Channel.EMAIL:
        token = links.unsubscribe_token(
            channel=chosen.channel.value,
            customer_id=customer.pk if customer is not None else None,
            address=chosen.address,
        )
        values.setdefault(
            "unsubscribe_url", links.unsubscribe_url(base_url=conf.public_base_url, token=token)
        )
    try:
        subject = render(chosen_template.subject, context=values)
        body_text = render(chosen_template.body_text, context=values)
        body_html = (
            render(chosen_template.body_html, context=values, escape_html=True)
            if chosen.channel is Channel.EMAIL
            else ""
        )
        parts: tuple[str, ...] = ()
        if chosen.channel is Channel.SMS:
            parts = sms_fit(
                body_text,
                overflow=SmsOverflow(chosen_template.sms_overflow),
                max_segments=conf.sms_max_segments,
            )
    except DomainError as error:
        field = "context" if error.code == "template.missing_variable" else "template"
        raise InvalidInputError.from_domain(error, field=field) from error

    due = earliest_delivery(
        cleaned["not_before"] or now,
        channel=chosen.channel,
        purpose=the_purpose,
        quiet=conf.quiet_hours,
    )
    message = OutboxMessage(
        idempotency_key=cleaned["idempotency_key"],
        purpose=the_purpose.value,
        channel=chosen.channel.value,
        recipient=chosen.address,
        customer=customer,
        account=account,
        language=chosen_template.language,
        template=chosen_template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        sms_parts=list(parts),
        sms_segments=sum(sms_measure(part).segments for part in parts),
        context={name: str(value) for name, value in values.items()},
        priority=PURPOSE_RULES[the_purpose].priority,
        not_before=due,
        status=OutboxMessage.Status.QUEUED,
        max_attempts=conf.max_attempts,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_by_label=(
            str(actor.get_username()) if getattr(actor, "is_authenticated", False) else "system"
        ),
        created_at=now,
    )
    if _insert_once(message):
        return message
    return OutboxMessage.objects.get(idempotency_key=message.idempotency_key)


def notification_resend(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Send a dead letter again (staff). It gets a new provider key, so it really goes out."""
    target_centre = message.customer.service_centre_id if message.customer is not None else None
    staff_selectors.require(actor, Capability.CUSTOMER_EDIT, target_centre_id=target_centre)
    conf = outbox_settings()
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.DEAD
        ).update(
            status=OutboxMessage.Status.QUEUED,
            resend_count=message.resend_count + 1,
            max_attempts=message.attempts + conf.max_attempts,
            not_before=timezone.now(),
            first_attempt_at=None,
            last_error="",
        )
        if updated != 1:
            raise ConflictError(
                code="notification.not_dead",
                message=Message(
                    zh_hant="只有失敗終止（dead）的通知可以重送。",
                    en="Only a dead notification can be resent.",
                ),
            )
        audit_record(
            actor=actor,
            verb="notification.resend",
            target=message,
            details={"resend": message.resend_count + 1},
        )
    message.refresh_from_db()
    return message


def notification_unsubscribe(*, token: str, source: str = "link") -> str:
    """Withdraw consent (a customer) or suppress an address (a subscription), from a signed
    link; returns the channel. Works without a login: the signature is the authority."""
    payload = links.read_unsubscribe_token(token)
    channel = Channel(payload["ch"])
    now = timezone.now()
    with transaction.atomic():
        if "c" in payload:
            customer = Customer.objects.get(pk=payload["c"])
            consent_channel = CONSENT_CHANNEL[channel]
            if consent_channel is not None:
                ContactConsent.objects.update_or_create(
                    customer=customer,
                    channel=consent_channel,
                    defaults={
                        "granted": False,
                        "recorded_at": now,
                        "source": f"unsubscribe:{source}",
                    },
                )
            audit_record(
                actor=None,
                verb="notification.unsubscribe",
                target=customer,
                details={"channel": channel.value, "source": source},
            )
        else:
            AddressSuppression.objects.get_or_create(
                channel=channel.value,
                address=payload["a"],
                defaults={"created_at": now, "source": source},
            )
            audit_record(
                actor=None,
                verb="notification.unsubscribe",
                details={"channel": channel.value, "source": source},
            )
    return channel.value


RECEIPT_STATUSES = {
    "delivered": "delivered",
    "failed": "failed",
    "pending": "pending",
    "expired": "failed",
    "cancelled": "failed",
}


def delivery_receipt_record(
    *,
    message_id: int,
    provider: str,
    provider_message_id: str,
    status: str,
    status_text: str = "",
    occurred_at: datetime | None = None,
    raw: Mapping[str, Any] | None = None,
) -> DeliveryReceipt:
    """Record a provider's (already authenticated) status report and update the message."""
    now = timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.filter(pk=message_id).first()
        receipt = DeliveryReceipt.objects.create(
            message=message,
            provider=provider,
            provider_message_id=provider_message_id,
            status=status,
            status_text=status_text[:100],
            occurred_at=occurred_at,
            received_at=now,
            raw=dict(raw or {}),
        )
        if message is not None and status in ("delivered", "failed"):
            changes: dict[str, Any] = {"delivery_status": status}
            if status == "delivered":
                changes["delivered_at"] = occurred_at or now
            OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    return receipt


def template_create(
    *,
    actor: Any,
    key: str,
    purpose: str,
    channel: str,
    language: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    sms_overflow: str = SmsOverflow.REFUSE.value,
) -> NotificationTemplate:
    """Add a template version (the newest active one is used); its placeholders are checked."""
    from powerdesk.notifications.domain.channels import parse_channel
    from powerdesk.notifications.domain.templates import placeholders

    _, problems = collect(
        {
            "purpose": lambda: parse_purpose(purpose),
            "channel": lambda: parse_channel(channel),
            "subject": lambda: placeholders(subject),
            "body_text": lambda: placeholders(body_text),
            "body_html": lambda: placeholders(body_html),
        }
    )
    if not key or len(key) > 80:
        problems.append(
            _problem(
                "key", "template.key", "範本名稱須為 1–80 字。", "The key needs 1–80 characters."
            )
        )
    if language not in ("zh-hant", "en"):
        problems.append(
            _problem(
                "language",
                "language.unknown",
                "語言須為 zh-hant 或 en。",
                "Language must be zh-hant or en.",
            )
        )
    if sms_overflow not in SmsOverflow.__members__.values():
        problems.append(
            _problem(
                "sms_overflow",
                "template.sms_overflow",
                "長簡訊處理方式須為 refuse、shorten 或 split。",
                "Long-SMS handling must be refuse, shorten or split.",
            )
        )
    if not body_text.strip():
        problems.append(
            _problem("body_text", "template.body_required", "請填寫內容。", "Enter the text.")
        )
    if problems:
        raise InvalidInputError(problems)
    with transaction.atomic():
        latest = (
            NotificationTemplate.objects.filter(key=key, channel=channel, language=language)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        template = NotificationTemplate.objects.create(
            key=key,
            purpose=purpose,
            channel=channel,
            language=language,
            version=(latest or 0) + 1,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            sms_overflow=sms_overflow,
            created_at=timezone.now(),
        )
        audit_record(actor=actor, verb="notification.template_create", target=template)
    return template


def push_subscribe(
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    language: str = "zh-hant",
    user_agent: str = "",
    customer: Customer | None = None,
    allow_local_http: bool = False,
) -> PushSubscription:
    """Record a browser's push subscription (from the public page's script); the same endpoint
    again updates its keys and revives it. Audited (no personal data: the id only)."""
    from powerdesk.notifications.domain.push import validate_endpoint, validate_keys

    cleaned, problems = collect(
        {
            "endpoint": lambda: validate_endpoint(endpoint, allow_local_http=allow_local_http),
            "keys": lambda: validate_keys(p256dh, auth),
        }
    )
    if language not in ("zh-hant", "en"):
        language = "zh-hant"
    if problems:
        raise InvalidInputError(problems)
    public_key, secret = cleaned["keys"]
    now = timezone.now()
    with transaction.atomic():
        subscription, created = PushSubscription.objects.update_or_create(
            endpoint=cleaned["endpoint"],
            defaults={
                "p256dh": public_key,
                "auth": secret,
                "language": language,
                "user_agent": user_agent[:200],
                "gone_at": None,
                **({"customer": customer} if customer is not None else {}),
            },
            create_defaults={
                "p256dh": public_key,
                "auth": secret,
                "language": language,
                "user_agent": user_agent[:200],
                "customer": customer,
                "created_at": now,
            },
        )
        audit_record(
            actor=None,
            verb="notification.push_subscribe",
            target=subscription,
            details={"created": created},
        )
    return subscription


def push_unsubscribe(*, endpoint: str) -> bool:
    """The browser withdrew its subscription: mark it gone. Returns whether one was found."""
    with transaction.atomic():
        subscription = PushSubscription.objects.filter(endpoint=endpoint).first()
        if subscription is None:
            return False
        PushSubscription.objects.filter(pk=subscription.pk).update(gone_at=timezone.now())
        audit_record(actor=None, verb="notification.push_unsubscribe", target=subscription)
    return True


CALL_OUTCOMES = {choice.value for choice in CallTask.Outcome}


def call_outcome_record(
    *,
    actor: Any,
    task: CallTask,
    outcome: str,
    promised_on: Any = None,
    note: str = "",
    retry: bool = False,
) -> CallTask:
    """Staff record how a call went (capability-checked for the task's service centre,
    audited). ``promised_to_pay`` needs the promised date; ``no_answer`` with ``retry`` puts a
    new call on the list after ``POWERDESK_CALL_RETRY_HOURS``."""
    from datetime import date, timedelta

    staff_selectors.require(
        actor, Capability.CUSTOMER_EDIT, target_centre_id=task.service_centre_id
    )
    problems: list[FieldProblem] = []
    if outcome not in CALL_OUTCOMES:
        problems.append(
            _problem(
                "outcome",
                "call.outcome",
                "請選擇通話結果。",
                "Choose the outcome of the call.",
            )
        )
    if outcome == CallTask.Outcome.PROMISED_TO_PAY and not isinstance(promised_on, date):
        problems.append(
            _problem(
                "promised_on",
                "call.promised_on",
                "用戶承諾繳費時，請填寫承諾繳費日期。",
                "Enter the date the customer promised to pay by.",
            )
        )
    if len(note) > 500:
        problems.append(
            _problem(
                "note",
                "call.note",
                "備註最多 500 字。",
                "The note may have at most 500 characters.",
            )
        )
    if retry and outcome != CallTask.Outcome.NO_ANSWER:
        problems.append(
            _problem(
                "retry",
                "call.retry",
                "只有「未接聽」可以安排再撥。",
                "Only a call with no answer can be scheduled again.",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    now = timezone.now()
    conf = outbox_settings()
    retry_hours = float(conf.providers.get("voice", {}).get("OPTIONS", {}).get("retry_hours", 4.0))
    with transaction.atomic():
        updated = CallTask.objects.filter(pk=task.pk, status=CallTask.Status.OPEN).update(
            status=CallTask.Status.DONE,
            outcome=outcome,
            promised_on=promised_on if outcome == CallTask.Outcome.PROMISED_TO_PAY else None,
            note=note.strip(),
            staff=actor,
            done_at=now,
        )
        if updated != 1:
            raise ConflictError(
                code="call.not_open",
                message=Message(
                    zh_hant="此通電話已記錄結果。", en="This call's outcome is already recorded."
                ),
            )
        retry_task = None
        if retry:
            retry_task = CallTask.objects.create(
                message_id=task.message_id,
                attempt=task.attempt + 1,
                service_centre_id=task.service_centre_id,
                phone=task.phone,
                call_after=now + timedelta(hours=retry_hours),
                created_at=now,
            )
        audit_record(
            actor=actor,
            verb="notification.call_outcome",
            target=task,
            details={
                "outcome": outcome,
                "promised_on": promised_on.isoformat() if isinstance(promised_on, date) else "",
                "retry_task": retry_task.pk if retry_task is not None else None,
            },
        )
    task.refresh_from_db()
    return task


def letter_batch_mark_printed(*, actor: Any, batch: LetterBatch) -> LetterBatch:
    """Staff confirm a day's letters were printed and posted (audited)."""
    staff_selectors.require(
        actor, Capability.CUSTOMER_EDIT, target_centre_id=batch.service_centre_id
    )
    with transaction.atomic():
        updated = LetterBatch.objects.filter(
            pk=batch.pk, status=LetterBatch.Status.GENERATED
        ).update(status=LetterBatch.Status.PRINTED, printed_at=timezone.now())
        if updated != 1:
            raise ConflictError(
                code="letters.already_printed",
                message=Message(
                    zh_hant="此批信件已標記為已列印。", en="This batch is already marked printed."
                ),
            )
        audit_record(
            actor=actor,
            verb="notification.letters_printed",
            target=batch,
            details={"count": batch.count},
        )
    batch.refresh_from_db()
    return batch


# --- the "send a test notification to this browser" button ---------------------------------

PUSH_TEST_TEMPLATE = "push.test"
PUSH_TEST_BUCKET_SECONDS = 60  # one test notification per subscription and minute: a double
# click (or a retried request) finds the row the first click queued
PUSH_TEST_TEXTS = {
    "zh-hant": (
        "台電推播通知測試",
        "這是一則測試通知：此瀏覽器可以收到台電的停電與服務通知。",
    ),
    "en": (
        "Taipower test notification",
        "This is a test: this browser can receive Taipower's outage and service notices.",
    ),
}


def push_test_template_ensure() -> None:
    """Make the ``push.test`` push template in both languages if it has no version yet
    (idempotent; a concurrent creation of the same version is absorbed by ``get_or_create``).
    Staff may add newer versions with :func:`template_create`; those are used instead."""
    now = timezone.now()
    for language, (subject, body) in PUSH_TEST_TEXTS.items():
        if NotificationTemplate.objects.filter(
            key=PUSH_TEST_TEMPLATE, channel=Channel.PUSH.value, language=language
        ).exists():
            continue
        NotificationTemplate.objects.get_or_create(
            key=PUSH_TEST_TEMPLATE,
            channel=Channel.PUSH.value,
            language=language,
            version=1,
            defaults={
                "purpose": Purpose.SERVICE_NOTICE.value,
                "subject": subject,
                "body_text": body,
                "created_at": now,
            },
        )


def push_test_queue(*, subscription_id: int, language: str) -> OutboxMessage:
    """Queue a test notification for one bare push subscription (the browser that asked for
    it). The idempotency key is the subscription and the current minute, so a repeat within
    the minute returns the row already queued instead of sending twice."""
    push_test_template_ensure()
    bucket = int(timezone.now().timestamp()) // PUSH_TEST_BUCKET_SECONDS
    with transaction.atomic():
        return notification_queue(
            purpose=Purpose.SERVICE_NOTICE.value,
            template=PUSH_TEST_TEMPLATE,
            context={},
            channels=[Channel.PUSH.value],
            address=f"push:s{subscription_id}",
            language="en" if language.lower().startswith("en") else "zh-hant",
            idempotency_key=f"push.test:s{subscription_id}:{bucket}",
        )
