"""SLA recomputation, threshold warnings (time travel) and the daily digest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from powerdesk.cases import actions, tasks
from powerdesk.cases.models import Case, CaseEscalation, CaseEvent, StaffNotice
from powerdesk.cases.tests import test_actions_support as support
from powerdesk.core.schedules import SCHEDULES

pytestmark = pytest.mark.django_db

clerk = support.clerk
open_case = support.open_case
t = support.t


def notices(user: Any) -> list[str]:
    return sorted(
        StaffNotice.objects.filter(recipient=user, kind="sla_warning").values_list("key", flat=True)
    )


def test_schedules_are_registered() -> None:
    names = {schedule.name: schedule.task_path for schedule in SCHEDULES}
    assert names["cases.sla_recompute"] == "powerdesk.cases.tasks.cases_sla_recompute_task"
    assert names["cases.daily_digest"] == "powerdesk.cases.tasks.cases_daily_digest_task"
    assert names["cases.attachment_sweep"] == "powerdesk.cases.tasks.cases_attachment_sweep_task"


def test_recompute_updates_share_state_and_overdue(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):  # Monday; due Wed 17:30
        case = open_case()
    result = tasks.sla_recompute(now=t("2026-03-03T13:00"), warn=False)  # Tuesday 13:00
    case.refresh_from_db()
    assert result.cases == 1
    assert result.changed == 1
    # Budget: Tue + Wed = 18 h; used Tue 08:30–13:00 = 4.5 h → 25 %.
    assert str(case.sla_share_used) == "0.2500"
    assert case.sla_state == "running"
    tasks.sla_recompute(now=t("2026-03-05T09:00"), warn=False)
    case.refresh_from_db()
    assert case.sla_state == "breached"
    # Unchanged cases are not written again.
    assert tasks.sla_recompute(now=t("2026-03-05T09:00"), warn=False).changed == 0


def test_warnings_at_50_80_100_percent_go_to_assignee_then_supervisor(
    open_case: Callable[..., Case],
    clerk: Any,
    make_staff: Callable[..., Any],
    centre: Any,
) -> None:
    handler = make_staff("business", centre=centre, username="handler")
    lead = make_staff("business", username="lead", supervisor=True)  # office-wide supervisor
    other_centre_lead = make_staff("design", username="design.lead", supervisor=True)
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
        actions.case_assign(actor=clerk, case=case, assignee=handler)
    # Budget 18 working hours from Mon 17:30: 50 % = 9 h → Tue 17:30; 80 % = 14.4 h → Wed 13:54.
    with time_machine.travel(t("2026-03-03T17:00"), tick=False):
        assert tasks.sla_recompute().warnings == 0
    with time_machine.travel(t("2026-03-03T17:30"), tick=False):
        assert tasks.sla_recompute().warnings == 1
        assert tasks.sla_recompute().warnings == 0  # idempotent
    assert notices(handler) == [f"sla:{case.pk}:50:{handler.pk}"]
    assert notices(lead) == []
    with time_machine.travel(t("2026-03-04T13:50"), tick=False):
        assert tasks.sla_recompute().warnings == 0
    with time_machine.travel(t("2026-03-04T14:00"), tick=False):
        assert tasks.sla_recompute().warnings == 2
    assert notices(lead) == [f"sla:{case.pk}:80:{lead.pk}"]
    assert notices(other_centre_lead) == []
    with time_machine.travel(t("2026-03-04T17:30"), tick=False):
        assert tasks.sla_recompute().warnings == 2
    assert sorted(CaseEscalation.objects.values_list("percent", flat=True)) == [50, 80, 100]
    case.refresh_from_db()
    assert case.sla_warned_percent == 100
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATION, public=False).count() == 3


def test_paused_case_does_not_reach_its_threshold(
    open_case: Callable[..., Case], clerk: Any, make_staff: Callable[..., Any], centre: Any
) -> None:
    handler = make_staff("business", centre=centre, username="handler")
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
        actions.case_assign(actor=clerk, case=case, assignee=handler)
    with time_machine.travel(t("2026-03-03T09:00"), tick=False):
        actions.case_pause(actor=clerk, case=case, reason="other_agency", note="待公所回覆")
    with time_machine.travel(t("2026-03-06T17:30"), tick=False):
        result = tasks.sla_recompute()
    case.refresh_from_db()
    assert result.warnings == 0
    assert case.sla_state == "paused"
    assert case.due_at > t("2026-03-06T17:30")


def test_unassigned_case_warns_the_supervisors(
    open_case: Callable[..., Case], make_staff: Callable[..., Any], centre: Any
) -> None:
    lead = make_staff("business", centre=centre, username="lead", supervisor=True)
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    with time_machine.travel(t("2026-03-03T17:30"), tick=False):
        tasks.sla_recompute()
    assert notices(lead) == [f"sla:{case.pk}:50:{lead.pk}"]


def test_daily_digest_once_per_supervisor_and_day(
    open_case: Callable[..., Case], make_staff: Callable[..., Any], centre: Any
) -> None:
    lead = make_staff("business", centre=centre, username="lead", supervisor=True)
    make_staff("human_resources", username="hr.lead", supervisor=True)  # handles no cases
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        late = open_case()
        open_case()
    with time_machine.travel(t("2026-03-05T08:00"), tick=False):
        assert tasks.daily_digest() == 1
        assert tasks.daily_digest() == 0
    digest = StaffNotice.objects.get(kind="digest")
    assert digest.recipient == lead
    assert digest.data["open"] == 2
    assert digest.data["overdue"] == 2
    assert late.number in digest.data["overdue_numbers"]


def test_recompute_of_many_cases_is_chunked(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        cases = [open_case() for _ in range(7)]
    result = tasks.sla_recompute(now=t("2026-03-03T13:00"), chunk=3, warn=False)
    assert result.cases == 7
    assert result.changed == 7
    assert {str(c.sla_share_used) for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {
        "0.2500"
    }


def test_bulk_snapshot_agrees_with_the_domain_clock() -> None:
    import random
    from datetime import timedelta

    from powerdesk.cases.domain.sla import (
        CaseClock,
        Pause,
        PauseReason,
        SlaLimit,
        SlaUnit,
        sla_status,
    )
    from powerdesk.core import selectors as core_selectors

    calendar = core_selectors.working_calendar()
    rng = random.Random(11)
    frames: dict[Any, Any] = {}
    start = t("2025-01-20T07:00")
    for _ in range(400):
        received = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        unit = rng.choice([SlaUnit.WORKING_DAYS, SlaUnit.WORKING_HOURS])
        pauses = []
        if rng.random() < 0.4:
            begin = received + timedelta(hours=rng.randrange(0, 200))
            end = begin + timedelta(hours=rng.randrange(1, 300)) if rng.random() < 0.6 else None
            pauses.append(Pause(reason=PauseReason.DOCUMENTS_MISSING, start=begin, end=end))
        clock = CaseClock(
            received_at=received,
            limit=SlaLimit(amount=rng.choice([1, 2, 5, 25]), unit=unit),
            pauses=tuple(pauses),
        )
        at = received + timedelta(hours=rng.randrange(0, 24 * 50))
        if pauses and pauses[0].start > at:
            at = pauses[0].start
        expected = sla_status(clock, at=at, calendar=calendar)
        got = tasks.sla_snapshot(clock, at=at, calendar=calendar, frames=frames)
        assert (got.state, got.due_at, got.share_used, got.crossed) == (
            expected.state,
            expected.due_at,
            expected.share_used,
            expected.crossed,
        )


def test_commands(tmp_path: Any, capsys: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("cases_catalogue_sync", stdout=out)
    assert "created 0, updated 0" in out.getvalue()
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = 1\n[[kind]]\ncode = 'x'\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        call_command("cases_catalogue_sync", "--path", str(bad), stderr=io.StringIO())
    assert stopped.value.code == 2
    out = io.StringIO()
    call_command("cases_sla_recompute", stdout=out)
    assert "0 open cases" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("cases_sla_recompute", "--chunk", "0", stderr=io.StringIO())
