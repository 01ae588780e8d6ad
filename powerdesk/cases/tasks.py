"""Background work of the cases app, for ``powerdesk worker`` (schedules in core/schedules.py).

* :func:`sla_recompute` — recompute the SLA columns of every open case, set-based: open cases
  are read in primary-key chunks with their pauses (two queries per chunk), the clock is
  computed by the pure domain, and the changed rows are written back with one statement per
  chunk. A row is rewritten when its due time, SLA state or pause flag changes or when the
  whole percent of the limit used changes (what every page shows, and the 80 % "due soon"
  line): the stored share stays exact as of the row's ``sla_computed_at``, and most rows
  of a run five minutes after the last one are left alone (each rewrite of a row updates every
  index of the table, the bulk of the job's time on PostgreSQL). Then the time-limit warnings: each threshold (50 / 80 / 100 %) is sent once per
  case (``CaseEscalation`` is unique per case and percent) to the assignee, and from the roles
  the threshold names on to the supervisors of the case's department.
* :func:`daily_digest` — one staff notice per supervisor a day: open, due soon and overdue
  cases of their department (and centre).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from powerdesk.cases.domain import sla as domain_sla
from powerdesk.cases.domain.catalogue import ApplicationKind
from powerdesk.cases.domain.sla import (
    DEFAULT_POLICY,
    CaseClock,
    NotifyRole,
    Pause,
    PauseReason,
    SlaPolicy,
    SlaState,
    SlaUnit,
    Threshold,
)
from powerdesk.cases.models import Case, CaseEscalation, CaseEvent, CaseKind, CasePause, StaffNotice
from powerdesk.core import selectors as core_selectors
from powerdesk.core.domain.calendar import TAIPEI, WorkingCalendar
from powerdesk.core.domain.errors import DomainError
from powerdesk.staff.models import User

DEFAULT_CHUNK: Final = 2000
WRITE_BATCH: Final = 500  # rows per INSERT/UPDATE statement of the warnings
MAX_SHARE: Final = Decimal("9999.9999")
_CASE_FIELDS: Final = (
    "id",
    "number",
    "kind_id",
    "works_type",
    "received_at",
    "completed_at",
    "due_at",
    "sla_state",
    "sla_share_used",
    "paused",
    "sla_warned_percent",
    "assignee_id",
    "department_id",
    "service_centre_id",
)


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    number: str
    kind_id: int
    works_type: str
    received_at: datetime
    completed_at: datetime | None
    due_at: datetime
    sla_state: str
    sla_share_used: Decimal
    paused: bool
    sla_warned_percent: int
    assignee_id: int | None
    department_id: str
    service_centre_id: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the bulk job needs of the clock: ``sla_status`` without the crossing instants."""

    state: SlaState
    due_at: datetime
    share_used: Decimal
    crossed: tuple[Threshold, ...]


_ZERO: Final = timedelta(0)
_US: Final = timedelta(microseconds=1)
_PLACES: Final = Decimal("0.0001")


def sla_snapshot(
    clock: CaseClock,
    *,
    at: datetime,
    calendar: WorkingCalendar,
    policy: SlaPolicy = DEFAULT_POLICY,
    frames: dict[tuple[Any, ...], tuple[datetime, datetime, timedelta]] | None = None,
    elapsed_cache: dict[tuple[datetime, datetime], timedelta] | None = None,
) -> Snapshot:
    """The same state, due time, share and crossed thresholds as ``domain.sla.sla_status``.

    Built from the domain's own clock arithmetic; it skips what the bulk job does not need
    (the instants at which thresholds will be crossed) and, for an unpaused day-limit case,
    reuses the frame (start, due, allowed) of every case deemed received on the same day with
    the same limit (``frames``), and the working time elapsed between the same start and the
    same horizon (``elapsed_cache``: every open case of a run shares the horizon ``at``). ``test_tasks`` checks it against ``sla_status``.
    """
    horizon = domain_sla._horizon(clock, at)  # the domain's own rules
    if not clock.pauses and clock.limit.unit is SlaUnit.WORKING_DAYS:
        receipt = domain_sla.deemed_receipt_day(clock.received_at, calendar=calendar, policy=policy)
        key = (receipt, clock.limit.amount)
        cached = frames.get(key) if frames is not None else None
        if cached is None:
            frame = domain_sla._frame(clock, at=at, calendar=calendar, policy=policy)
            cached = (frame.start, frame.due_at, frame.allowed)
            if frames is not None:
                frames[key] = cached
        start, due, allowed = cached
        if horizon <= start:
            elapsed = _ZERO
        elif elapsed_cache is None:
            elapsed = calendar.working_time_between(start, end=horizon)
        else:
            span = (start, horizon)
            known = elapsed_cache.get(span)
            if known is None:
                known = elapsed_cache[span] = calendar.working_time_between(start, end=horizon)
            elapsed = known
        active = None
    else:
        frame = domain_sla._frame(clock, at=at, calendar=calendar, policy=policy)
        due, allowed = frame.due_at, frame.allowed
        elapsed = domain_sla._running_between(
            frame.start, horizon, pauses=frame.pauses, calendar=calendar
        )
        active = next(
            (p for p in clock.pauses if p.start <= at and (p.end is None or at < p.end)), None
        )
    completed = clock.completed_at is not None and clock.completed_at <= at
    if completed:
        state = SlaState.MET if elapsed <= allowed else SlaState.BREACHED
    elif elapsed > allowed:
        state = SlaState.BREACHED
    elif active is not None:
        state = SlaState.PAUSED
    else:
        state = SlaState.RUNNING
    allowed_us, elapsed_us = allowed // _US, elapsed // _US
    crossed = tuple(
        threshold
        for threshold in policy.thresholds
        if elapsed_us * 100 >= allowed_us * threshold.percent
    )
    share = (Decimal(elapsed_us) / Decimal(allowed_us)).quantize(_PLACES, rounding=ROUND_FLOOR)
    return Snapshot(state=state, due_at=due, share_used=share, crossed=crossed)


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    cases: int
    changed: int
    warnings: int
    errors: int
    seconds: float


def _pauses_by_case(case_ids: list[int]) -> dict[int, list[Pause]]:
    found: dict[int, list[Pause]] = defaultdict(list)
    for case_id, reason, started, ended in CasePause.objects.filter(
        case_id__in=case_ids
    ).values_list("case_id", "reason", "started_at", "ended_at"):
        found[case_id].append(Pause(reason=PauseReason(reason), start=started, end=ended))
    return found


def _write(rows: list[tuple[Any, ...]]) -> None:
    """Write (due_at, sla_state, sla_share_used, sla_computed_at, paused, id) rows back.

    PostgreSQL: one ``UPDATE … FROM unnest(arrays)`` per chunk (one round trip). SQLite (in
    process, no round trips): one ``executemany``.
    """
    if not rows:
        return
    table = connection.ops.quote_name(Case._meta.db_table)
    if connection.vendor == "postgresql":
        ids, dues, states, shares, computed, paused = [], [], [], [], [], []
        for due, state, share, at, is_paused, pk in rows:
            ids.append(pk)
            dues.append(due)
            states.append(state)
            shares.append(share)
            computed.append(at)
            paused.append(is_paused)
        sql = (
            f"UPDATE {table} AS c SET due_at = v.due_at, sla_state = v.sla_state, "  # noqa: S608
            "sla_share_used = v.share, sla_computed_at = v.computed, paused = v.paused "
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[], %s::numeric[], "
            "%s::timestamptz[], %s::boolean[]) AS v(id, due_at, sla_state, share, computed, paused) "
            "WHERE c.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [ids, dues, states, shares, computed, paused])
        return
    sql = (
        f"UPDATE {table} SET due_at = %s, sla_state = %s, sla_share_used = %s, "  # noqa: S608
        "sla_computed_at = %s, paused = %s WHERE id = %s"
    )
    due_field = Case._meta.get_field("due_at")
    share_field = Case._meta.get_field("sla_share_used")
    prepared = [
        (
            due_field.get_db_prep_value(due, connection),
            state,
            share_field.get_db_prep_save(share, connection),
            due_field.get_db_prep_value(at, connection),
            is_paused,
            pk,
        )
        for due, state, share, at, is_paused, pk in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def sla_recompute(
    *, now: datetime | None = None, chunk: int = DEFAULT_CHUNK, warn: bool = True
) -> RecomputeResult:
    """Recompute due time, SLA state and share used of every open case; send warnings."""
    started = time.monotonic()
    moment = now or timezone.now()
    calendar = core_selectors.working_calendar()
    kinds: dict[int, ApplicationKind] = {k.pk: k.as_domain() for k in CaseKind.objects.all()}
    frames: dict[tuple[Any, ...], tuple[datetime, datetime, timedelta]] = {}
    elapsed: dict[tuple[datetime, datetime], timedelta] = {}
    total = changed = warnings = errors = 0
    last_id = 0
    while True:
        cases = list(
            Case.objects.filter(is_open=True, pk__gt=last_id)
            .order_by("pk")
            .values_list(*_CASE_FIELDS)[:chunk]
        )
        if not cases:
            break
        last_id = cases[-1][0]
        total += len(cases)
        pauses = _pauses_by_case([row[0] for row in cases])
        rows: list[tuple[Any, ...]] = []
        crossed: list[tuple[_Row, Snapshot]] = []
        for values in cases:
            case = _Row(*values)
            case_pauses = pauses.get(case.id, [])
            try:
                snapshot = sla_snapshot(
                    CaseClock(
                        received_at=case.received_at,
                        limit=kinds[case.kind_id].limit_for(case.works_type),
                        pauses=tuple(case_pauses),
                        completed_at=case.completed_at,
                    ),
                    at=moment,
                    calendar=calendar,
                    frames=frames,
                    elapsed_cache=elapsed,
                )
            except DomainError:
                errors += 1  # e.g. a works type the edited catalogue no longer has
                continue
            share = min(snapshot.share_used, MAX_SHARE)
            paused = any(p.end is None for p in case_pauses)
            if (
                case.due_at != snapshot.due_at
                or case.sla_state != snapshot.state.value
                or int(case.sla_share_used * 100) != int(share * 100)
                or case.paused != paused
            ):
                rows.append((snapshot.due_at, snapshot.state.value, share, moment, paused, case.id))
            if snapshot.crossed and snapshot.crossed[-1].percent > case.sla_warned_percent:
                crossed.append((case, snapshot))
        with transaction.atomic():
            _write(rows)
            if warn:
                warnings += _send_warnings(crossed, now=moment)
        changed += len(rows)
    return RecomputeResult(
        cases=total,
        changed=changed,
        warnings=warnings,
        errors=errors,
        seconds=time.monotonic() - started,
    )


def _supervisors(department_id: str, centre_id: int) -> list[User]:
    return list(
        User.objects.filter(is_active=True, is_supervisor=True, department_id=department_id)
        .filter(Q(service_centre_id=centre_id) | Q(service_centre__isnull=True))
        .order_by("pk")
    )


def _send_warnings(crossed: list[tuple[_Row, Snapshot]], *, now: datetime) -> int:
    """Warn once per case and threshold; returns how many staff notices were created.

    Set-based: the escalations, notices and timeline events of the chunk are inserted with a
    few ``bulk_create`` statements (``ignore_conflicts`` on the unique keys of
    ``CaseEscalation`` and ``StaffNotice``, so a rerun or a concurrent run adds nothing twice),
    and the cases' ``sla_warned_percent`` with one ``UPDATE`` per threshold.
    """
    if not crossed:
        return 0
    supervisors: dict[tuple[str, int], list[User]] = {}
    assignees = {
        user.pk: user
        for user in User.objects.filter(
            pk__in={row.assignee_id for row, _ in crossed if row.assignee_id}, is_active=True
        )
    }
    escalations: list[CaseEscalation] = []
    notices: list[StaffNotice] = []
    events: list[CaseEvent] = []
    warned: dict[int, list[int]] = defaultdict(list)
    for case, snapshot in crossed:
        new = [th for th in snapshot.crossed if th.percent > case.sla_warned_percent]
        top = new[-1]
        escalations.extend(
            CaseEscalation(
                case_id=case.id,
                percent=threshold.percent,
                roles=[role.value for role in threshold.notify],
                at=now,
            )
            for threshold in new
        )
        recipients: list[User] = []
        assignee = assignees.get(case.assignee_id) if case.assignee_id else None
        if NotifyRole.ASSIGNEE in top.notify and assignee is not None:
            recipients.append(assignee)
        if NotifyRole.SUPERVISOR in top.notify or assignee is None:
            key = (case.department_id, case.service_centre_id)
            if key not in supervisors:
                supervisors[key] = _supervisors(*key)
            recipients.extend(user for user in supervisors[key] if user not in recipients)
        due = snapshot.due_at.astimezone(TAIPEI)
        notices.extend(
            StaffNotice(
                key=f"sla:{case.id}:{top.percent}:{user.pk}",
                recipient=user,
                kind=StaffNotice.Kind.SLA_WARNING,
                case_id=case.id,
                subject_zh=f"案件 {case.number} 已用處理時限 {top.percent}%",
                subject_en=f"Case {case.number} has used {top.percent}% of its time limit",
                body_zh=f"到期：{due:%Y-%m-%d %H:%M}",
                body_en=f"Due: {due:%Y-%m-%d %H:%M}",
                data={"percent": top.percent, "number": case.number},
                created_at=now,
            )
            for user in recipients
        )
        events.append(
            CaseEvent(
                case_id=case.id,
                kind=CaseEvent.Kind.ESCALATION,
                at=now,
                public=False,
                text_zh=f"處理時限已用 {top.percent}%，已通知：{'、'.join(str(u) for u in recipients) or '（無人）'}",
                text_en=f"{top.percent}% of the time limit used; told: {', '.join(str(u) for u in recipients) or '(nobody)'}",
                data={"percent": top.percent, "recipients": [u.pk for u in recipients]},
                actor_label="system",
            )
        )
        warned[top.percent].append(case.id)
    CaseEscalation.objects.bulk_create(escalations, batch_size=WRITE_BATCH, ignore_conflicts=True)
    # Count what is new (the notices already there are left alone by ignore_conflicts).
    existing: set[str] = set()
    for start in range(0, len(notices), WRITE_BATCH):
        existing.update(
            StaffNotice.objects.filter(
                key__in=[notice.key for notice in notices[start : start + WRITE_BATCH]]
            ).values_list("key", flat=True)
        )
    fresh = [notice for notice in notices if notice.key not in existing]
    StaffNotice.objects.bulk_create(fresh, batch_size=WRITE_BATCH, ignore_conflicts=True)
    CaseEvent.objects.bulk_create(events, batch_size=WRITE_BATCH)
    for percent, case_ids in warned.items():
        for start in range(0, len(case_ids), WRITE_BATCH):
            Case.objects.filter(pk__in=case_ids[start : start + WRITE_BATCH]).update(
                sla_warned_percent=percent
            )
    return len(fresh)


def daily_digest(*, today: date | None = None) -> int:
    """One notice per supervisor of a case-handling department; returns how many were new."""
    now = timezone.now()
    day = today or now.astimezone(TAIPEI).date()
    calendar = core_selectors.working_calendar()
    soon_day = calendar.add_working_days(
        day if calendar.is_working_day(day) else calendar.previous_working_day(day), days=2
    )
    soon = datetime.combine(soon_day + timedelta(days=1), datetime.min.time(), tzinfo=TAIPEI)
    departments = {
        step["department"] for kind in CaseKind.objects.only("steps") for step in kind.steps
    }
    created = 0
    for user in User.objects.filter(
        is_active=True, is_supervisor=True, department_id__in=departments
    ).order_by("pk"):
        cases = Case.objects.filter(is_open=True, department_id=user.department_id)
        if user.service_centre_id is not None:
            cases = cases.filter(service_centre_id=user.service_centre_id)
        open_count = cases.count()
        overdue = list(
            cases.filter(due_at__lt=now).order_by("due_at").values_list("number", flat=True)[:50]
        )
        overdue_count = cases.filter(due_at__lt=now).count()
        due_soon = cases.filter(due_at__gte=now, due_at__lt=soon).count()
        listed = "、".join(overdue) if overdue else "—"
        _, made = StaffNotice.objects.get_or_create(
            key=f"digest:{day.isoformat()}:{user.pk}",
            defaults={
                "recipient": user,
                "kind": StaffNotice.Kind.DIGEST,
                "subject_zh": f"{day.isoformat()} 案件日報：待辦 {open_count} 件，逾期 {overdue_count} 件",
                "subject_en": f"Cases on {day.isoformat()}: {open_count} open, {overdue_count} overdue",
                "body_zh": f"2 個工作天內到期：{due_soon} 件。逾期案件：{listed}",
                "body_en": f"Due within 2 working days: {due_soon}. Overdue: {listed.replace('、', ', ')}",
                "data": {
                    "open": open_count,
                    "overdue": overdue_count,
                    "due_soon": due_soon,
                    "overdue_numbers": overdue,
                },
                "created_at": now,
            },
        )
        created += int(made)
    return created


@task(queue_name="default")
def cases_sla_recompute_task() -> dict[str, Any]:
    """Scheduled every 5 minutes (``cases.sla_recompute``)."""
    result = sla_recompute()
    return {
        "cases": result.cases,
        "changed": result.changed,
        "warnings": result.warnings,
        "errors": result.errors,
        "seconds": round(result.seconds, 3),
    }


@task(queue_name="default")
def cases_daily_digest_task() -> int:
    """Scheduled daily (``cases.daily_digest``)."""
    return daily_digest()


@task(queue_name="default")
def cases_attachment_sweep_task() -> int:
    """Scheduled daily (``cases.attachment_sweep``): stored files no attachment row names."""
    from powerdesk.cases.actions import case_attachment_sweep

    return case_attachment_sweep()
