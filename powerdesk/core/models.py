"""Platform tables: the append-only audit log and the background-task queue."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLogImmutableError(Exception):
    """Raised on any attempt to change or remove an audit row through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit rows cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditLogImmutableError("Audit rows cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit rows cannot be updated.")


class AuditEvent(models.Model):
    """Who did what to which object, when, from where. Append-only.

    The application refuses updates and deletes (model and queryset), and database triggers
    (migration 0002) refuse them for any other client of the same database too.
    """

    class Kind(models.TextChoices):
        WRITE = "write", _("Change")
        VIEW_PERSONAL = "view_personal", _("View of personal data")
        LOGIN = "login", _("Sign-in")
        SECURITY = "security", _("Security")

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    verb = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("object type"), max_length=80, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("client"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("-at", "-id")
        indexes = [
            models.Index(fields=("target_type", "target_id"), name="audit_target_idx"),
            models.Index(fields=("actor", "at"), name="audit_actor_at_idx"),
        ]
        default_permissions = ("view",)
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.verb} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogImmutableError("Audit rows cannot be updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogImmutableError("Audit rows cannot be deleted.")


class TaskRecord(models.Model):
    """One enqueued run of a Django task, claimed by workers with a lease (see task_backend)."""

    class Status(models.TextChoices):
        READY = "READY", _("Queued")
        RUNNING = "RUNNING", _("Running")
        SUCCESSFUL = "SUCCESSFUL", _("Done")
        FAILED = "FAILED", _("Failed")

    id = models.CharField(primary_key=True, max_length=32)
    task_path = models.CharField(max_length=200)
    queue_name = models.CharField(max_length=40, default="default")
    backend = models.CharField(max_length=40, default="default")
    priority = models.SmallIntegerField(default=0)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    run_after = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_ids = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    return_value = models.JSONField(null=True, blank=True)
    unique_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=("status", "queue_name", "run_after"), name="task_due_idx"),
            models.Index(fields=("status", "lease_expires_at"), name="task_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_path} [{self.status}]"


class ScheduleRun(models.Model):
    """The last slot at which a periodic schedule was enqueued (one row per schedule name)."""

    name = models.CharField(primary_key=True, max_length=100)
    last_slot = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_slot:%Y-%m-%d %H:%M}"


class OfficeCalendarDay(models.Model):
    """An office calendar override for one day: a DGPA calendar row or a staff record
    (typhoon closure 停止上班, bridge day, make-up workday). Changes are audited."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Office closed (停止上班)")
        HOLIDAY = "holiday", _("Day off")
        WORKDAY = "workday", _("Working day (補班)")

    class Source(models.TextChoices):
        DGPA = "dgpa", _("Government office calendar")
        OFFICE = "office", _("Recorded by the office")

    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_time = models.TimeField(_("closed from"), null=True, blank=True)
    name_zh = models.CharField(_("reason (zh-Hant)"), max_length=100, blank=True)
    name_en = models.CharField(_("reason (English)"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ("day", "source")
        constraints = [
            models.UniqueConstraint(
                fields=("day", "source"), name="calendar_one_per_day_and_source"
            )
        ]
        verbose_name = _("office calendar day")
        verbose_name_plural = _("office calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.kind} ({self.source})"
