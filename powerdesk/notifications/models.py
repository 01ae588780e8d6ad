"""The transactional outbox: templates, outbox rows, delivery attempts, receipts, choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerdesk.notifications.domain.channels import Channel, Purpose
from powerdesk.notifications.domain.sms import SmsOverflow

CHANNEL_CHOICES = [(c.value, c.value) for c in Channel]
PURPOSE_CHOICES = [(p.value, p.value) for p in Purpose]
LANGUAGE_CHOICES = [("zh-hant", "繁體中文"), ("en", "English")]


class NotificationTemplate(models.Model):
    """One version of the text of a notification for a channel and language.

    ``key`` names the template across channels and languages (``"payment_reminder.first"``);
    the newest active version is used. Bodies use ``${name}`` placeholders
    (:mod:`powerdesk.notifications.domain.templates`).
    """

    key = models.CharField(_("key"), max_length=80)
    purpose = models.CharField(_("purpose"), max_length=30, choices=PURPOSE_CHOICES)
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNEL_CHOICES)
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    sms_overflow = models.CharField(
        _("long SMS"),
        max_length=10,
        choices=[(o.value, o.value) for o in SmsOverflow],
        default=SmsOverflow.REFUSE.value,
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("key", "channel", "language", "version"), name="template_one_version"
            )
        ]
        indexes = [
            models.Index(fields=("key", "channel", "language", "active"), name="template_pick_idx")
        ]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return f"{self.key} {self.channel} {self.language} v{self.version}"


class OutboxMessage(models.Model):
    """One notification to one address on one channel, committed with the business change.

    Status: ``queued`` (due at ``not_before``), ``sending`` (leased by a worker until
    ``lease_expires_at``), ``failed`` (the last attempt failed; retried at ``not_before``),
    ``sent`` (the provider accepted it), ``dead`` (gave up; staff may resend).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Dead letter")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    purpose = models.CharField(_("purpose"), max_length=30, choices=PURPOSE_CHOICES)
    channel = models.CharField(_("channel"), max_length=10, choices=CHANNEL_CHOICES)
    recipient = models.CharField(_("recipient"), max_length=254)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    language = models.CharField(_("language"), max_length=10, choices=LANGUAGE_CHOICES)
    template = models.ForeignKey(
        NotificationTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    # SMS only: the messages to send (one, or the numbered parts of a split text).
    sms_parts = models.JSONField(_("SMS parts"), default=list, blank=True)
    sms_segments = models.PositiveSmallIntegerField(_("SMS segments billed"), default=0)
    context = models.JSONField(_("context"), default=dict, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0)
    not_before = models.DateTimeField(_("not before"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=8)
    resend_count = models.PositiveSmallIntegerField(_("resends by staff"), default=0)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivery_status = models.CharField(_("delivery status"), max_length=20, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by_label = models.CharField(_("requested by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"))
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=("status", "not_before"), name="outbox_due_idx"),
            models.Index(fields=("status", "lease_expires_at"), name="outbox_lease_idx"),
            models.Index(fields=("customer", "created_at"), name="outbox_customer_idx"),
            models.Index(fields=("lease_token",), name="outbox_token_idx"),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} [{self.status}]"


class DeliveryAttempt(models.Model):
    """One try to hand a message to its provider, by one worker."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started (no outcome recorded)")
        SENT = "sent", _("Accepted by the provider")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed for good")
        LEASE_LOST = "lease_lost", _("Lease lost to another worker")

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="attempts_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    worker_id = models.CharField(_("worker"), max_length=100)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.STARTED
    )
    error = models.TextField(_("error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=200, blank=True)

    class Meta:
        ordering = ("message", "number")
        constraints = [
            models.UniqueConstraint(fields=("message", "number"), name="attempt_number_once")
        ]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"message {self.message_id} attempt {self.number}: {self.outcome}"


class DeliveryReceipt(models.Model):
    """A provider's report on a sent message (Mitake's status callback, a webhook receipt)."""

    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="receipts"
    )
    provider = models.CharField(_("provider"), max_length=40)
    provider_message_id = models.CharField(_("provider message id"), max_length=200)
    status = models.CharField(_("status"), max_length=20)
    status_text = models.CharField(_("provider status"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    raw = models.JSONField(_("raw report"), default=dict)

    class Meta:
        ordering = ("-received_at",)
        indexes = [models.Index(fields=("provider", "provider_message_id"), name="receipt_idx")]
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_message_id}: {self.status}"


class ChannelPreference(models.Model):
    """A customer's own order of channels (first = most preferred)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="channel_preference"
    )
    channels = models.JSONField(_("channels in order"), default=list)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self) -> str:
        return f"{self.customer_id}: {', '.join(self.channels)}"


class AddressSuppression(models.Model):
    """An address that unsubscribed (bare subscriptions; customers withdraw consent instead)."""

    channel = models.CharField(_("channel"), max_length=10, choices=CHANNEL_CHOICES)
    address = models.CharField(_("address"), max_length=254)
    created_at = models.DateTimeField(_("unsubscribed"))
    source = models.CharField(_("source"), max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("channel", "address"), name="suppression_once")
        ]
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (W3C Push API; RFC 8030 endpoint, RFC 8291 keys).

    ``customer`` is set when the subscription was made by, or linked to, a customer; a bare
    subscription (a visitor who asked for outage alerts) has none and is addressed by its id.
    ``gone_at``: the push service answered 404/410, the subscription no longer exists.
    """

    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key (p256dh)"), max_length=100)
    auth = models.CharField(_("authentication secret"), max_length=40)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=LANGUAGE_CHOICES, default="zh-hant"
    )
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    gone_at = models.DateTimeField(_("gone"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("customer", "gone_at"), name="push_customer_idx")]
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push subscription #{self.pk}"


class LetterBatch(models.Model):
    """One day's letters of one service centre, rendered into one PDF for printing."""

    class Status(models.TextChoices):
        GENERATED = "generated", _("Generated")
        PRINTED = "printed", _("Printed")

    date = models.DateField(_("date"))
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="letter_batches",
    )
    count = models.PositiveIntegerField(_("letters"), default=0)
    pdf_path = models.CharField(_("PDF file"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.GENERATED
    )
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    printed_at = models.DateTimeField(_("printed"), null=True, blank=True)

    class Meta:
        ordering = ("-date", "service_centre")
        constraints = [
            models.UniqueConstraint(fields=("date", "service_centre"), name="letter_batch_once")
        ]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")

    def __str__(self) -> str:
        return f"letters {self.date} centre {self.service_centre_id} ({self.count})"


class LetterItem(models.Model):
    """A letter filed by the letter provider for its day's batch (one per outbox message)."""

    message = models.OneToOneField(
        OutboxMessage, on_delete=models.CASCADE, related_name="letter", verbose_name=_("message")
    )
    date = models.DateField(_("date"))
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch = models.ForeignKey(
        LetterBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    postal_code = models.CharField(_("postal code"), max_length=6)
    address = models.CharField(_("address"), max_length=200)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(_("filed"))

    class Meta:
        ordering = ("date", "postal_code", "id")
        indexes = [models.Index(fields=("date", "service_centre"), name="letter_day_idx")]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"letter for message {self.message_id}"


class CallTask(models.Model):
    """A call staff at the customer's service centre make (the ``voice`` channel)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To call")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        PROMISED_TO_PAY = "promised_to_pay", _("Promised to pay")

    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="call_tasks",
        verbose_name=_("message"),
    )
    attempt = models.PositiveSmallIntegerField(_("call"), default=1)
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="call_tasks",
    )
    phone = models.CharField(_("phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    call_after = models.DateTimeField(_("call after"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ("call_after", "id")
        constraints = [
            models.UniqueConstraint(fields=("message", "attempt"), name="call_task_once")
        ]
        indexes = [
            models.Index(fields=("service_centre", "status", "call_after"), name="call_list_idx")
        ]
        verbose_name = _("call task")
        verbose_name_plural = _("call tasks")

    def __str__(self) -> str:
        return f"call {self.attempt} for message {self.message_id}"
