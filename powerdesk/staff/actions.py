"""Staff writes: API tokens, departments, users."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import NotFoundError
from powerdesk.staff.domain import DEPARTMENT_NAMES
from powerdesk.staff.models import ApiToken, Department, User

TOKEN_PREFIX = "pd_"  # noqa: S105 - a public marker, not a secret


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def departments_ensure() -> int:
    """Create or refresh the plan's departments; return how many exist."""
    for code, (zh, en) in DEPARTMENT_NAMES.items():
        Department.objects.update_or_create(
            code=code.value, defaults={"name_zh": zh, "name_en": en}
        )
    return Department.objects.count()


def api_token_create(
    *, actor: Any, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100] or "token",
            prefix=raw[:10],
            digest=token_digest(raw),
            created_at=timezone.now(),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor, verb="api_token.create", target=token, details={"user": user.username}
        )
    return token, raw


def api_token_revoke(*, actor: Any, user: User, prefix: str) -> int:
    """Revoke the user's live tokens starting with ``prefix``; return how many."""
    with transaction.atomic():
        tokens = list(
            ApiToken.objects.filter(user=user, prefix__startswith=prefix, revoked_at__isnull=True)
        )
        if not tokens:
            raise NotFoundError(what=Message(zh_hant="查無此權杖。", en="No such token."))
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor, verb="api_token.revoke", target=token, details={"user": user.username}
            )
    return len(tokens)


def api_token_authenticate(raw: str) -> User | None:
    """The active user a live token belongs to, or None; records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
