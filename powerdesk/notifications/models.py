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
