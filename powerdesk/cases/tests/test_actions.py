"""Case actions end to end: SLA on the office calendar (春節, make-up days), every pause
reason, notifications in the outbox, per-department permissions, attachments, catalogue edits,
and bad input that saves nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from powerdesk.cases import actions, selectors
from powerdesk.cases.models import Case, CaseAttachment, CaseEvent, CaseKind, CasePause
from powerdesk.cases.tests import test_actions_support as support
from powerdesk.core import selectors as core_selectors
from powerdesk.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from powerdesk.core.models import AuditEvent
from powerdesk.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

# Shared fixtures (see test_actions_support).
attachment_root = support.attachment_root
clerk = support.clerk
open_case = support.open_case
t = support.t
new_supply_attributes = support.new_supply_attributes

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fields(error: InvalidInputError) -> set[str]:
    return {problem.field for problem in error.problems}


# --- Opening -------------------------------------------------------------------------------------


def test_counter_case_gets_number_token_due_date_receipt_and_audit(
    open_case: Callable[..., Case], centre: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):  # Monday
        case = open_case()
    assert case.number.startswith("ZL-20260302-0001-")
    assert len(case.lookup_token) == 32
    assert case.state == "received"
    assert case.is_open
    assert case.department_id == "business"
    assert case.step == "intake"
    # name change: 2 working days; Tuesday is day 1 → due Wednesday at closing time.
    assert case.due_at == t("2026-03-04T17:30")
    assert case.phone_last4 == "5678"
    assert case.account_last4 == "7895"
    assert case.account_number == "01234567895"
    message = OutboxMessage.objects.get(idempotency_key=f"case:{case.number}:receipt")
    assert message.purpose == "case_progress"
    assert case.lookup_token in message.body_text
    assert "ZL-20260302-0001" in message.body_text
    assert AuditEvent.objects.filter(verb="case.open", target_id=str(case.pk)).exists()
    assert case.events.get().kind == CaseEvent.Kind.CREATED


def test_serial_counts_per_centre_and_day(open_case: Callable[..., Case]) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        first, second = open_case(), open_case()
    assert first.number.split("-")[2] == "0001"
    assert second.number.split("-")[2] == "0002"


def test_due_date_across_2026_spring_festival(open_case: Callable[..., Case]) -> None:
    # Thursday 2026-02-12, 2 working days: 春節 off 02-14 … 02-22 → due Monday 02-23.
    with time_machine.travel(t("2026-02-12T10:00"), tick=False):
        case = open_case()
    assert case.due_at == t("2026-02-23T17:30")


def test_due_date_counts_the_2025_make_up_saturday(open_case: Callable[..., Case]) -> None:
    # Thursday 2025-02-06, 2 working days: Friday 02-07 and the make-up Saturday 02-08.
    with time_machine.travel(t("2025-02-06T10:00"), tick=False):
        case = open_case()
    assert case.due_at == t("2025-02-08T17:30")


def test_after_hours_receipt_counts_from_next_working_day(
    open_case: Callable[..., Case],
) -> None:
    with time_machine.travel(t("2026-02-13T18:00"), tick=False):  # Friday evening before 春節
        case = open_case()
    assert case.due_at == t("2026-02-25T17:30")  # deemed received Mon 02-23 → +2 days


def test_works_type_decides_the_limit(open_case: Callable[..., Case]) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case(
            kind="new_supply", works_type="overhead", attributes=new_supply_attributes()
        )
    assert case.department_id == "business"
    expected = selectors.case_sla_now(case, at=t("2026-03-02T10:00")).due_at
    assert case.due_at == expected
    assert case.due_at.date() > date(2026, 3, 30)  # 25 working days


def test_call_centre_case_counts_working_hours(open_case: Callable[..., Case]) -> None:
    # 1911 repair: 4 working hours, forwarded Friday 16:00: 1.5 h Friday, 2.5 h Monday.
    with time_machine.travel(t("2026-03-06T16:00"), tick=False):
        case = open_case(kind="call_1911_repair", channel="1911", attributes={})
    assert case.due_at == t("2026-03-09T11:00")
    assert case.department_id == "dispatch"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"kind": "no_such_kind"}, {"kind"}),
        ({"attributes": {}}, {"attributes.account_number"}),
        ({"attributes": {"account_number": "0123"}}, {"attributes.account_number"}),
        ({"attributes": {"account_number": "01234567895", "colour": "red"}}, {"attributes.colour"}),
        ({"applicant_phone": "", "applicant_email": ""}, {"applicant_phone"}),
        ({"applicant_phone": "12345"}, {"applicant_phone"}),
        ({"applicant_email": "not-an-address"}, {"applicant_email"}),
        ({"applicant_name": "  "}, {"applicant_name"}),
        ({"works_type": "underground"}, {"works_type"}),
        ({"latitude": "95"}, {"latitude"}),
        ({"received_at": t("2026-03-03T10:00")}, {"received_at"}),
        ({"received_at": t("2026-01-01T10:00")}, {"received_at"}),
        (
            {
                "kind": "new_supply",
                "attributes": {
                    "capacity_kw": "many",
                    "premises_use": "castle",
                    "wished_supply_date": "2026-03-01",
                },
            },
            {
                "attributes.capacity_kw",
                "attributes.premises_use",
                "attributes.wished_supply_date",
            },
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    open_case: Callable[..., Case], overrides: dict[str, Any], expected: set[str]
) -> None:
    with (
        time_machine.travel(t("2026-03-02T10:00"), tick=False),
        pytest.raises(InvalidInputError) as caught,
    ):
        open_case(**overrides)
    assert expected <= fields(caught.value)
    for problem in caught.value.problems:
        assert problem.message.zh_hant
        assert problem.message.en
    assert not Case.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(verb="case.open").exists()


def test_web_case_needs_a_verified_contact_and_a_public_kind(
    centre: Any, departments: None
) -> None:
    values: dict[str, Any] = {
        "actor": None,
        "kind": "name_change",
        "channel": "web",
        "applicant_name": "陳大文",
        "applicant_email": "wen@example.tw",
        "attributes": {"account_number": "01234567895"},
    }
    with pytest.raises(InvalidInputError) as caught:
        actions.case_open(**values)
    assert "verified_contact" in fields(caught.value)
    with pytest.raises(InvalidInputError) as caught:
        actions.case_open(
            **values | {"kind": "call_1911_repair", "verified_contact": "wen@example.tw"}
        )
    assert "kind" in fields(caught.value)
    case = actions.case_open(**values | {"verified_contact": "WEN@example.tw"})
    assert case.channel == "web"
    assert case.created_by is None
    assert case.service_centre == centre  # the only centre


def test_staff_channels_need_case_intake(
    make_staff: Callable[..., Any], centre: Any, open_case: Callable[..., Case]
) -> None:
    designer = make_staff("design", centre=centre)
    with pytest.raises(PermissionDeniedError):
        open_case(actor=designer)
    with pytest.raises(PermissionDeniedError):
        open_case(actor=None)
    assert not Case.objects.exists()


def test_clerk_cannot_open_a_case_at_another_centre(
    open_case: Callable[..., Case], other_centre: Any
) -> None:
    with pytest.raises(PermissionDeniedError):
        open_case(service_centre=other_centre)
    assert not Case.objects.exists()


def test_open311_needs_an_active_client(centre: Any, clerk: Any) -> None:
    client, key = actions.open311_client_create(actor=clerk, name="City app")
    assert key.startswith("o311_")
    assert selectors.open311_client_for_key(key) == client
    values: dict[str, Any] = {
        "actor": None,
        "kind": "inquiry",
        "channel": "open311",
        "applicant_name": "Jane Doe",
        "applicant_email": "jane@example.org",
        "description": "Street light question",
        "open311_client": client,
        "address": "桃園市中壢區中正路1號",
    }
    case = actions.case_open(**values)
    assert case.service_centre == centre  # by the address's district
    actions.open311_client_revoke(actor=clerk, client=client)
    assert selectors.open311_client_for_key(key) is None
    client.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        actions.case_open(**values)


def test_customer_without_usable_contact_is_recorded_not_refused(
    open_case: Callable[..., Case],
) -> None:
    case = open_case(applicant_email="", applicant_phone="(03)425-1234")  # landline only
    assert not OutboxMessage.objects.exists()
    notice = case.events.get(kind=CaseEvent.Kind.NOTICE)
    assert not notice.public
    assert notice.data["template"] == "case.receipt"


# --- Workflow ------------------------------------------------------------------------------------


def test_state_change_notifies_and_completion_counts_actual_days(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    with time_machine.travel(t("2026-03-02T11:00"), tick=False):
        case = actions.case_transition(actor=clerk, case=case, state="in_review")
    # received → in_review has the same public label? No: 已受理 → 處理中 is public.
    assert OutboxMessage.objects.filter(template__key="case.status").count() == 1
    with time_machine.travel(t("2026-03-04T15:00"), tick=False):
        case = actions.case_complete(actor=clerk, case=case, public_note="已完成更名。")
    assert case.state == "completed"
    assert not case.is_open
    assert case.sla_state == "met"
    assert case.actual_working_days == 2
    assert OutboxMessage.objects.filter(template__key="case.completed").count() == 1
    with time_machine.travel(t("2026-03-05T09:00"), tick=False):
        case = actions.case_close(actor=clerk, case=case)
    assert case.closed_at is not None
    assert OutboxMessage.objects.filter(template__key="case.completed").count() == 1


def test_forbidden_transition_is_a_field_error(open_case: Callable[..., Case], clerk: Any) -> None:
    case = open_case()
    with pytest.raises(InvalidInputError) as caught:
        actions.case_transition(actor=clerk, case=case, state="closed")
    assert fields(caught.value) == {"state"}
    case.refresh_from_db()
    assert case.state == "received"


def test_completing_late_is_breached(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    with time_machine.travel(t("2026-03-06T10:00"), tick=False):
        case = actions.case_complete(actor=clerk, case=case)
    assert case.sla_state == "breached"
    assert case.actual_working_days == 4


def test_documents_missing_pause_stops_the_clock_and_tells_what_is_missing(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    with time_machine.travel(t("2026-03-03T09:00"), tick=False):  # Tuesday
        pause = actions.case_pause(
            actor=clerk,
            case=case,
            reason="documents_missing",
            missing=["name_change_proof", "戶籍謄本正本"],
        )
    case.refresh_from_db()
    assert case.state == "awaiting_documents"
    assert case.paused
    assert pause.missing[0]["code"] == "name_change_proof"
    assert pause.missing[0]["zh_hant"].startswith("更名證明")
    message = OutboxMessage.objects.get(template__key="case.paused")
    assert "戶籍謄本正本" in message.body_text
    public = selectors.public_case(case)
    assert [item.zh_hant for item in public.pending][1] == "戶籍謄本正本"
    with time_machine.travel(t("2026-03-10T09:00"), tick=False):  # a week later
        case = actions.case_resume(actor=clerk, case=case, note="已補件")
    assert case.state == "in_review"
    assert not case.paused
    # Paused Tue 09:00 → Tue 09:00 a week later: exactly 5 working days later than before.
    assert case.due_at == t("2026-03-11T17:30")
    assert AuditEvent.objects.filter(verb="case.pause").exists()
    assert AuditEvent.objects.filter(verb="case.resume").exists()


@pytest.mark.parametrize(
    ("reason", "state_before", "state_during", "state_after"),
    [
        ("customer_request", "in_review", "in_review", "in_review"),
        ("other_agency", "in_review", "in_review", "in_review"),
        ("road_permit", "in_review", "awaiting_permit", "in_works"),
    ],
)
def test_each_pause_reason_stops_the_clock(
    open_case: Callable[..., Case],
    clerk: Any,
    reason: str,
    state_before: str,
    state_during: str,
    state_after: str,
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case(
            kind="new_supply", works_type="overhead", attributes=new_supply_attributes()
        )
        case = actions.case_transition(actor=clerk, case=case, state=state_before)
        due_before = case.due_at
    with time_machine.travel(t("2026-03-03T08:30"), tick=False):
        actions.case_pause(actor=clerk, case=case, reason=reason, note="等待道路挖掘許可")
    case.refresh_from_db()
    assert case.state == state_during
    assert case.paused
    assert case.sla_state == "paused"
    with time_machine.travel(t("2026-03-05T08:30"), tick=False):  # two working days later
        case = actions.case_resume(actor=clerk, case=case)
    assert case.state == state_after
    assert case.due_at.date() == selectors.case_sla_now(case).due_at.date()
    calendar = core_selectors.working_calendar()
    assert case.due_at.date() == calendar.add_working_days(due_before.date(), days=2)
    assert CasePause.objects.get(case=case).reason == reason


def test_awaiting_payment_transition_pauses_and_resumes(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    case = open_case(kind="new_supply", attributes=new_supply_attributes())
    case = actions.case_transition(actor=clerk, case=case, state="in_review")
    case = actions.case_transition(actor=clerk, case=case, state="awaiting_payment")
    assert case.paused
    assert CasePause.objects.get(case=case, ended_at__isnull=True).reason == "customer_request"
    case = actions.case_transition(actor=clerk, case=case, state="in_works")
    assert not case.paused
    assert not CasePause.objects.filter(case=case, ended_at__isnull=True).exists()


def test_pause_errors(open_case: Callable[..., Case], clerk: Any) -> None:
    case = open_case()
    with pytest.raises(InvalidInputError) as caught:
        actions.case_pause(actor=clerk, case=case, reason="documents_missing", missing=[])
    assert fields(caught.value) == {"missing"}
    with pytest.raises(InvalidInputError) as caught:
        actions.case_pause(actor=clerk, case=case, reason="holiday")
    assert fields(caught.value) == {"reason"}
    with pytest.raises(ConflictError):
        actions.case_resume(actor=clerk, case=case)
    actions.case_pause(actor=clerk, case=case, reason="other_agency", note="待建管處回覆")
    with pytest.raises(ConflictError):
        actions.case_pause(actor=clerk, case=case, reason="other_agency", note="again")
    assert CasePause.objects.count() == 1


def test_supply_date_must_be_a_future_working_day(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case(kind="new_supply", attributes=new_supply_attributes())
        case = actions.case_transition(actor=clerk, case=case, state="in_review")
        for bad in (date(2026, 3, 1), date(2026, 3, 7)):  # past; Saturday
            with pytest.raises(InvalidInputError) as caught:
                actions.case_supply_date_set(
                    actor=clerk, case=case, supply_date=bad, agreed_by="申請人電話同意"
                )
            assert fields(caught.value) == {"supply_date"}
        with pytest.raises(InvalidInputError) as caught:
            actions.case_supply_date_set(
                actor=clerk, case=case, supply_date=date(2026, 3, 20), agreed_by=" "
            )
        assert fields(caught.value) == {"agreed_by"}
        case = actions.case_supply_date_set(
            actor=clerk, case=case, supply_date=date(2026, 3, 20), agreed_by="申請人電話同意"
        )
    assert case.state == "scheduled"
    assert case.supply_date == date(2026, 3, 20)
    assert OutboxMessage.objects.filter(template__key="case.supply_date").count() == 1


def test_public_note_notifies_internal_note_does_not(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    case = open_case()
    actions.case_note_add(actor=clerk, case=case, text="客戶來電詢問")
    assert not OutboxMessage.objects.filter(template__key="case.note").exists()
    actions.case_note_add(actor=clerk, case=case, text="請於週五前攜帶印章。", public=True)
    assert OutboxMessage.objects.filter(template__key="case.note").count() == 1
    public = selectors.case_timeline(case, public=True)
    assert [entry.note for entry in public if entry.kind == "note"] == ["請於週五前攜帶印章。"]
    assert all(entry.actor_label == "" for entry in public)


# --- Permissions ---------------------------------------------------------------------------------


def test_other_department_may_not_work_on_a_business_case(
    open_case: Callable[..., Case], make_staff: Callable[..., Any], centre: Any
) -> None:
    case = open_case(kind="new_supply", attributes=new_supply_attributes())
    designer = make_staff("design", centre=centre)
    assert selectors.access_case(designer, case.number) == case  # a design step: may see
    with pytest.raises(PermissionDeniedError):
        actions.case_transition(actor=designer, case=case, state="in_review")
    with pytest.raises(PermissionDeniedError):
        actions.case_note_add(actor=designer, case=case, text="x")
    # Once transferred to design, the designer may work on it.
    clerk = make_staff("business", centre=centre, username="b2")
    case = actions.case_transfer(actor=clerk, case=case, department="design")
    assert case.step == "survey"
    actions.case_note_add(actor=designer, case=case, text="現場勘查已排定")
    # … and a name change (business steps only) is invisible to design.
    other = open_case(actor=clerk)
    with pytest.raises(NotFoundError):
        selectors.access_case(designer, other.number)
    with pytest.raises(NotFoundError):
        actions.case_note_add(actor=designer, case=other, text="x")


def test_case_of_another_centre_is_not_found(
    open_case: Callable[..., Case], make_staff: Callable[..., Any], other_centre: Any
) -> None:
    case = open_case()
    outsider = make_staff("business", centre=other_centre, username="clerk.dy")
    with pytest.raises(NotFoundError):
        selectors.access_case(outsider, case.number)
    with pytest.raises(NotFoundError):
        actions.case_transition(actor=outsider, case=case, state="in_review")
    with pytest.raises(NotFoundError):
        actions.case_assign(actor=outsider, case=case, assignee=outsider)


def test_assign_only_to_staff_of_the_department_and_centre(
    open_case: Callable[..., Case],
    make_staff: Callable[..., Any],
    clerk: Any,
    centre: Any,
    other_centre: Any,
) -> None:
    case = open_case()
    colleague = make_staff("business", centre=centre, username="colleague")
    designer = make_staff("design", centre=centre)
    far = make_staff("business", centre=other_centre, username="far")
    for wrong in (designer, far):
        with pytest.raises(InvalidInputError) as caught:
            actions.case_assign(actor=clerk, case=case, assignee=wrong)
        assert fields(caught.value) == {"assignee"}
    case = actions.case_assign(actor=clerk, case=case, assignee=colleague)
    assert case.assignee == colleague
    assert selectors.staff_notices_for(colleague).count() == 1


def test_bulk_reassign_is_all_or_nothing(
    open_case: Callable[..., Case],
    make_staff: Callable[..., Any],
    centre: Any,
    other_centre: Any,
) -> None:
    lead = make_staff("business", username="lead", supervisor=True)
    first, second = open_case(), open_case()
    far_clerk = make_staff("business", centre=other_centre, username="far")
    far_case = open_case(actor=far_clerk, service_centre=other_centre)
    colleague = make_staff("business", centre=centre, username="colleague")
    with pytest.raises(InvalidInputError) as caught:
        actions.case_bulk_reassign(
            actor=lead, case_ids=[first.pk, second.pk, far_case.pk], assignee=colleague
        )
    assert far_case.number in caught.value.problems[0].message.en
    assert not Case.objects.filter(assignee=colleague).exists()
    assert (
        actions.case_bulk_reassign(actor=lead, case_ids=[first.pk, second.pk], assignee=colleague)
        == 2
    )
    assert Case.objects.filter(assignee=colleague).count() == 2


# --- Attachments ---------------------------------------------------------------------------------


def test_attachment_is_sniffed_stored_outside_and_served_to_permitted_users(
    open_case: Callable[..., Case],
    clerk: Any,
    attachment_root: Path,
    make_staff: Callable[..., Any],
    other_centre: Any,
) -> None:
    case = open_case()
    attachment = actions.case_attachment_add(actor=clerk, case=case, name="身分證.pdf", content=PDF)
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    _found, path = selectors.access_attachment(clerk, attachment.pk)
    assert path.parent == attachment_root
    assert path.read_bytes() == PDF
    outsider = make_staff("business", centre=other_centre, username="outsider")
    with pytest.raises(NotFoundError):
        selectors.access_attachment(outsider, attachment.pk)
    assert AuditEvent.objects.filter(verb="case.attachment_view").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.png", PDF, "file.disguised"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "file.disguised"),
        ("page.html", b"<html></html>", "file.type"),
        ("empty.pdf", b"", "file.empty"),
        ("big.png", PNG + b"\x00" * 2048, "file.too_large"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_kept(
    open_case: Callable[..., Case],
    clerk: Any,
    attachment_root: Path,
    settings: Any,
    name: str,
    content: bytes,
    code: str,
) -> None:
    settings.POWERDESK_CASE_ATTACHMENT_MAX_BYTES = 1024
    case = open_case()
    with pytest.raises(InvalidInputError) as caught:
        actions.case_attachment_add(actor=clerk, case=case, name=name, content=content)
    assert caught.value.problems[0].code == code
    assert not CaseAttachment.objects.exists()
    assert not attachment_root.exists() or not any(attachment_root.iterdir())


class _OuterRollbackError(Exception):
    pass


def _add_then_roll_back(clerk: Any, case: Case) -> None:
    with transaction.atomic():
        actions.case_attachment_add(actor=clerk, case=case, name="lost.pdf", content=PDF)
        raise _OuterRollbackError


def test_sweep_deletes_files_an_outer_rollback_left_and_keeps_the_rest(
    open_case: Callable[..., Case], clerk: Any, attachment_root: Path
) -> None:
    case = open_case()
    kept = actions.case_attachment_add(actor=clerk, case=case, name="kept.pdf", content=PDF)
    # given: a caller's transaction that rolls back after the attachment's file was written
    with pytest.raises(_OuterRollbackError):
        _add_then_roll_back(clerk, case)
    files = sorted(path.name for path in attachment_root.iterdir())
    assert len(files) == 2
    assert CaseAttachment.objects.count() == 1
    orphan = next(name for name in files if name != kept.storage_name)
    (attachment_root / "notes.txt").write_text("not ours")
    # when: the sweep runs while the orphan is still young, then a day later
    assert actions.case_attachment_sweep() == 0
    day_later = timezone.now() + timedelta(days=1, minutes=1)
    deleted = actions.case_attachment_sweep(now=day_later)
    # then: only the orphan is gone, and the sweep is audited
    assert deleted == 1
    assert sorted(path.name for path in attachment_root.iterdir()) == sorted(
        [kept.storage_name, "notes.txt"]
    )
    assert orphan not in {path.name for path in attachment_root.iterdir()}
    _found, path = selectors.access_attachment(clerk, kept.pk)
    assert path.read_bytes() == PDF
    audit = AuditEvent.objects.get(verb="case.attachment_sweep")
    assert audit.details == {"deleted": 1, "files": [orphan]}
    assert actions.case_attachment_sweep(now=day_later) == 0


def test_sweep_refuses_to_delete_a_mass_of_files(clerk: Any, attachment_root: Path) -> None:
    """Many orphans at once (a restored database, a shared folder): nothing is deleted."""
    attachment_root.mkdir(parents=True)
    for number in range(3):
        (attachment_root / f"{number:032x}.bin").write_bytes(PDF)
    later = timezone.now() + timedelta(days=2)
    assert actions.case_attachment_sweep(now=later, max_delete=2) == 0
    assert len(list(attachment_root.iterdir())) == 3
    refused = AuditEvent.objects.get(verb="case.attachment_sweep_refused")
    assert refused.details == {"orphans": 3, "max_delete": 2}
    assert actions.case_attachment_sweep(now=later, max_delete=3) == 3
    assert not list(attachment_root.iterdir())


def test_sweep_without_a_folder_does_nothing(attachment_root: Path) -> None:
    assert not attachment_root.exists()
    assert actions.case_attachment_sweep() == 0


# --- Catalogue -----------------------------------------------------------------------------------


def test_catalogue_is_seeded_and_sync_is_idempotent(clerk: Any) -> None:
    assert CaseKind.objects.filter(code="new_supply", public=True).exists()
    result = actions.catalogue_sync(actor=clerk)
    assert result.created == []
    assert result.updated == []
    kind = CaseKind.objects.get(code="name_change")
    CaseKind.objects.filter(pk=kind.pk).update(name_zh="改過的名稱")
    result = actions.catalogue_sync(actor=None)
    assert result.updated == ["name_change"]
    kind.refresh_from_db()
    assert kind.name_zh == "更名"
    assert kind.version == 2


def test_catalogue_edit_is_checked_versioned_and_audited(
    clerk: Any, make_staff: Callable[..., Any], centre: Any
) -> None:
    kind = CaseKind.objects.get(code="name_change")
    designer = make_staff("design", centre=centre)
    with pytest.raises(PermissionDeniedError):
        actions.catalogue_kind_update(actor=designer, kind=kind, changes={"limits": {"none": 1}})
    with pytest.raises(InvalidInputError) as caught:
        actions.catalogue_kind_update(actor=clerk, kind=kind, changes={"limits": {"none": 0}})
    assert fields(caught.value) == {"limit"}
    with pytest.raises(InvalidInputError):
        actions.catalogue_kind_update(
            actor=clerk,
            kind=kind,
            changes={
                "steps": [
                    {"code": "x", "name": {"zh_hant": "甲", "en": "A"}, "department": "kitchen"}
                ]
            },
        )
    updated = actions.catalogue_kind_update(
        actor=clerk,
        kind=kind,
        changes={
            "limits": {"none": 3},
            "response_templates": [
                {
                    "code": "docs",
                    "name": {"zh_hant": "補件通知", "en": "Documents"},
                    "text": {"zh_hant": "請補正本。", "en": "Please bring the original."},
                }
            ],
        },
    )
    assert updated.version == 2
    assert updated.limits == {"none": 3}
    assert updated.as_domain().limit_for("none").amount == 3
    assert AuditEvent.objects.filter(verb="catalogue.kind_update").count() == 1


def test_a_limit_some_case_uses_cannot_be_removed(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    kind = CaseKind.objects.get(code="new_supply")
    limits = dict(kind.limits)
    case = open_case(kind="new_supply", works_type="overhead", attributes=new_supply_attributes())
    without_overhead = {works: days for works, days in limits.items() if works != "overhead"}
    with pytest.raises(InvalidInputError) as caught:
        actions.catalogue_kind_update(actor=clerk, kind=kind, changes={"limits": without_overhead})
    assert fields(caught.value) == {"limits"}
    assert "overhead" in caught.value.as_dict("en")["message"]
    kind.refresh_from_db()
    assert kind.limits == limits  # nothing saved
    # A finished case is still shown with its limit (its clock, its receipt): still refused.
    actions.case_cancel(actor=clerk, case=case, reason="申請人撤回")
    with pytest.raises(InvalidInputError):
        actions.catalogue_kind_update(actor=clerk, kind=kind, changes={"limits": without_overhead})
    assert selectors.case_sla_now(Case.objects.get(pk=case.pk)).allowed
    # Removing a works type no case uses is allowed, and so is changing the days.
    without_underground = {works: days for works, days in limits.items() if works != "underground"}
    longer = {**without_underground, "overhead": limits["overhead"] + 5}
    updated = actions.catalogue_kind_update(actor=clerk, kind=kind, changes={"limits": longer})
    assert updated.limits == longer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_case_checked_against_a_kind_edited_meanwhile_is_refused(clerk: Any, centre: Any) -> None:
    """An edit of the catalogue commits while a case of that kind is being opened (its input
    was checked against the old version): the case is refused, and no case is left with a
    works type whose limit the edit removed."""
    actions.catalogue_sync(actor=None)  # an earlier transactional test may have flushed it
    kind = CaseKind.objects.get(code="new_supply")
    without_overhead = {works: days for works, days in kind.limits.items() if works != "overhead"}
    edited, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def edit() -> None:
        try:
            with transaction.atomic():
                actions.catalogue_kind_update(
                    actor=clerk, kind=kind, changes={"limits": without_overhead}
                )
                edited.set()
                release.wait(20)  # the edit stays uncommitted until the case waits for it
        finally:
            connection.close()

    def open_() -> None:
        try:
            outcome["case"] = actions.case_open(
                actor=clerk,
                kind="new_supply",
                channel="counter",
                applicant_name="王小明",
                applicant_phone="0912-345-678",
                address="桃園市中壢區中正路100號",
                works_type="overhead",
                attributes=support.new_supply_attributes(),
                service_centre=centre,
            )
        except InvalidInputError as error:
            outcome["error"] = error
        finally:
            connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    assert edited.wait(20)
    opener = threading.Thread(target=open_)
    opener.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # until the opening waits for the edit's lock
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.05)
    finally:
        release.set()
        editor.join(20)
        opener.join(20)
    assert "case" not in outcome
    assert fields(outcome["error"]) == {"kind"}
    assert outcome["error"].problems[0].code == "kind.changed"
    assert not Case.objects.filter(kind__code="new_supply").exists()
    assert "overhead" not in CaseKind.objects.get(code="new_supply").limits


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_openings_of_one_kind_do_not_wait_for_each_other(
    clerk: Any, centre: Any, other_centre: Any, make_staff: Callable[..., Any]
) -> None:
    """The kind's row is share-locked: a counter still uploading its attachments (its
    transaction open) does not hold up another service centre's counter opening a case of the
    same kind. (Within one centre the day's serial number orders openings anyway.)"""
    other_clerk = make_staff("business", centre=other_centre, username="clerk.dy")
    actions.catalogue_sync(actor=None)  # an earlier transactional test may have flushed it
    opened, release = threading.Event(), threading.Event()

    def slow_counter() -> None:
        try:
            with transaction.atomic():
                actions.case_open(
                    actor=clerk,
                    kind="name_change",
                    channel="counter",
                    applicant_name="王小明",
                    applicant_phone="0912-345-678",
                    attributes={"account_number": "01234567895"},
                    service_centre=centre,
                )
                opened.set()
                release.wait(20)
        finally:
            connection.close()

    first = threading.Thread(target=slow_counter)
    first.start()
    try:
        assert opened.wait(20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            second = actions.case_open(
                actor=other_clerk,
                kind="name_change",
                channel="phone",
                applicant_name="李小華",
                applicant_phone="0922-333-444",
                attributes={"account_number": "01234567895"},
                service_centre=other_centre,
            )
    finally:
        release.set()
        first.join(20)
    assert Case.objects.filter(kind__code="name_change").count() == 2
    assert second.service_centre == other_centre


def test_new_limit_applies_to_new_cases(open_case: Callable[..., Case], clerk: Any) -> None:
    kind = CaseKind.objects.get(code="name_change")
    actions.catalogue_kind_update(actor=clerk, kind=kind, changes={"limits": {"none": 5}})
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    assert case.due_at == t("2026-03-09T17:30")
    assert case.kind_version == 2
    assert case.sla_share_used == Decimal("0")


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_receipt_by_sms_when_only_a_mobile_is_given(
    open_case: Callable[..., Case], language: str
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case(applicant_email="", applicant_language=language)
    message = OutboxMessage.objects.get(idempotency_key=f"case:{case.number}:receipt")
    assert message.channel == "sms"
    assert message.language == language
    assert case.lookup_token in "".join(message.sms_parts)


def test_mail_case_may_be_backdated_and_counts_from_receipt(
    open_case: Callable[..., Case],
) -> None:
    with time_machine.travel(t("2026-03-05T10:00"), tick=False):
        case = open_case(channel="mail", received_at=t("2026-03-02T16:00"))
    assert case.received_at == t("2026-03-02T16:00")
    assert case.due_at == t("2026-03-04T17:30")
    assert case.sla_state == "breached"


def test_details_update_recomputes_the_clock_and_is_audited(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case(kind="new_supply", attributes=new_supply_attributes())
        assert case.due_at == t("2026-03-09T17:30")  # 5 working days, no external works
        case = actions.case_details_update(actor=clerk, case=case, works_type="underground")
        assert case.due_at.date() > date(2026, 4, 10)
        with pytest.raises(InvalidInputError) as caught:
            actions.case_details_update(
                actor=clerk, case=case, applicant_phone="", applicant_email=""
            )
        assert fields(caught.value) == {"applicant_phone"}
        with pytest.raises(InvalidInputError) as caught:
            actions.case_details_update(actor=clerk, case=case, state="closed")
        assert fields(caught.value) == {"state"}
    assert AuditEvent.objects.filter(verb="case.details_update").count() == 1


def test_transfer_and_cancel_rules(open_case: Callable[..., Case], clerk: Any) -> None:
    case = open_case(kind="new_supply", attributes=new_supply_attributes())
    with pytest.raises(InvalidInputError) as caught:
        actions.case_transfer(actor=clerk, case=case, department="design", step="meter")
    assert fields(caught.value) == {"step"}
    with pytest.raises(InvalidInputError) as caught:
        actions.case_transfer(actor=clerk, case=case, department="kitchen")
    assert fields(caught.value) == {"department"}
    case = actions.case_transfer(actor=clerk, case=case, department="works")
    assert (case.department_id, case.step) == ("works", "works")
    transfer = case.events.get(kind=CaseEvent.Kind.TRANSFER)
    assert transfer.public
    assert "工務段" in transfer.text_zh
    with pytest.raises(InvalidInputError) as caught:
        actions.case_cancel(actor=clerk, case=case, reason=" ")
    assert fields(caught.value) == {"note"}
    case = actions.case_cancel(actor=clerk, case=case, reason="申請人撤回申請")
    assert case.state == "cancelled"
    assert not case.is_open
    assert case.closed_at is not None
    status = OutboxMessage.objects.filter(template__key="case.status").latest("id")
    assert "申請人撤回申請" in status.body_text


def test_attachments_default_outside_the_web_root(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    if hasattr(settings, "POWERDESK_CASE_ATTACHMENT_DIR"):
        del settings.POWERDESK_CASE_ATTACHMENT_DIR
    folder = actions.attachment_dir()
    assert folder == tmp_path / "case_attachments"
    static_root = Path(str(getattr(settings, "STATIC_ROOT", "") or "/nonexistent"))
    assert static_root not in folder.parents
