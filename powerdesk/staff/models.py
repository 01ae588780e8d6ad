"""Staff users, their departments and their personal API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.staff.domain import DepartmentCode


class Department(models.Model):
    code = models.CharField(
        _("code"),
        primary_key=True,
        max_length=30,
        choices=[(c.value, c.value) for c in DepartmentCode],
    )
    name_zh = models.CharField(_("name (zh-Hant)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        ordering = ("code",)
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class User(AbstractUser):
    """A member of staff. Citizens do not have accounts in powerdesk."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    service_centre = models.ForeignKey(
        "customers.ServiceCentre",
        verbose_name=_("service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Empty for staff who work for the whole district office."),
    )
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hant", "繁體中文"), ("en", "English")],
        default="zh-hant",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A personal token for machine clients (``Authorization: Bearer pd_…``).

    Only a SHA-256 digest is stored; the token itself is shown once, when it is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
