"""The audit log is append-only: the application and the database refuse changes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from powerdesk.core import context
from powerdesk.core.audit import audit_record
from powerdesk.core.models import AuditEvent, AuditLogImmutableError


@pytest.mark.django_db
def test_audit_record_captures_who_what_where(clerk) -> None:
    token = context.bind(
        context.RequestContext(
            ip_address="192.0.2.7", user_agent="pytest", request_id="r1", channel="web"
        )
    )
    try:
        event = audit_record(actor=clerk, verb="customer.create", target=clerk, details={"x": 1})
    finally:
        context.reset(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_label, event.verb, event.target_type, event.target_id) == (
        "business.clerk",
        "customer.create",
        "staff.user",
        str(clerk.pk),
    )
    assert (event.ip_address, event.user_agent, event.request_id, event.channel) == (
        "192.0.2.7",
        "pytest",
        "r1",
        "web",
    )
    assert event.details == {"x": 1}


@pytest.mark.django_db
def test_audit_row_cannot_be_updated_or_deleted_by_the_application(clerk) -> None:
    event = audit_record(actor=clerk, verb="x.y")
    event.verb = "changed"
    with pytest.raises(AuditLogImmutableError):
        event.save()
    with pytest.raises(AuditLogImmutableError):
        event.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="changed")
    with pytest.raises(AuditLogImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"


@pytest.mark.django_db
def test_audit_row_cannot_be_updated_in_raw_sql(clerk) -> None:
    event = audit_record(actor=clerk, verb="x.y")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET verb = 'changed' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"


@pytest.mark.postgres
@pytest.mark.django_db
def test_audit_row_cannot_be_deleted_in_raw_sql_on_postgres(clerk) -> None:
    event = audit_record(actor=clerk, verb="x.y")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_audit_list_is_for_the_inspection_office_only(client, auditor, clerk) -> None:
    audit_record(actor=clerk, verb="customer.create")
    client.force_login(clerk)
    denied = client.get("/api/v1/staff/audit")
    client.force_login(auditor)
    allowed = client.get("/api/v1/staff/audit?verb=customer")
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    assert allowed.status_code == 200
    assert [item["verb"] for item in allowed.json()["items"]] == ["customer.create"]
