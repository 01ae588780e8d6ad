"""Reads of counter cases, scoped by service centre and department, and the public lookups.

Staff scope: a member sees the cases of their service centre (office-wide staff: every centre);
業務組, 督導室 and 區處長室 see every kind, other departments the cases they handle now or
whose kind has a step of theirs. A case outside the scope is *not found*, never "forbidden".

Public lookups (by QR token, or by case number + last four digits of the applicant's phone or
of the 電號) make one statement through a unique index (the case, its kind's version, its open
pause and its public events; compiled once per connection) and compare the second factor in
constant time; a wrong factor raises exactly the same :class:`NotFoundError` as an unknown
number. The kind's public data is decoded once per kind version and process.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Final

from django.db import connections
from django.db.models import Avg, Count, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Replace, TruncMonth
from django.utils import timezone

from powerdesk.cases.domain import numbers
from powerdesk.cases.domain.catalogue import (
    WORKS_TYPE_LABELS,
    ApplicationKind,
    Fee,
    RequiredDocument,
    WorksType,
)
from powerdesk.cases.domain.sla import (
    PAUSE_REASON_LABELS,
    CaseClock,
    Pause,
    PauseReason,
    SlaState,
    SlaStatus,
    sla_status,
)
from powerdesk.cases.domain.states import CaseState, state_info
from powerdesk.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseKind,
    CasePause,
    Open311Client,
    StaffNotice,
)
from powerdesk.core import selectors as core_selectors
from powerdesk.core.audit import audit_record
from powerdesk.core.domain import masking
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.customers.models import ServiceCentre
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability, DepartmentCode

_db_logger = logging.getLogger("django.db.backends")

CASE_NOT_FOUND: Final = Message(zh_hant="查無此案件。", en="No such case.")
ATTACHMENT_NOT_FOUND: Final = Message(zh_hant="查無此附件。", en="No such attachment.")
# Departments that see every kind of case of their centre.
ALL_KINDS_DEPARTMENTS: Final = frozenset(
    {DepartmentCode.BUSINESS.value, DepartmentCode.INSPECTION.value, DepartmentCode.DIRECTOR.value}
)
DUE_SOON_WORKING_DAYS: Final = 2
WARN_SHARE: Final = Decimal("0.8")


# --- Links -------------------------------------------------------------------------------------


def tracking_path(case: Case) -> str:
    """The public progress page of the case (the QR code's target, without the host)."""
    return f"/cases/t/{case.lookup_token}/"


def tracking_url(case: Case) -> str:
    from powerdesk.notifications.conf import outbox_settings

    return f"{outbox_settings().public_base_url}{tracking_path(case)}"


# --- Access ------------------------------------------------------------------------------------


def may_view(actor: Any, case: Case) -> bool:
    if not staff_selectors.may(
        actor, Capability.CASE_VIEW, target_centre_id=case.service_centre_id
    ):
        return False
    department = staff_selectors.department_of(actor)
    if department in ALL_KINDS_DEPARTMENTS or department == case.department_id:
        return True
    return case.kind_id in _kind_ids_with_department(str(department))


def may_work(actor: Any, case: Case) -> bool:
    """Whether the actor may change the case (notes, states, pauses, attachments, dates)."""
    department = staff_selectors.department_of(actor)
    return staff_selectors.may(
        actor, Capability.CASE_WORK, target_centre_id=case.service_centre_id
    ) and (department == DepartmentCode.BUSINESS.value or department == case.department_id)


def may_assign(actor: Any, case: Case) -> bool:
    department = staff_selectors.department_of(actor)
    return staff_selectors.may(
        actor, Capability.CASE_ASSIGN, target_centre_id=case.service_centre_id
    ) and (department == DepartmentCode.BUSINESS.value or department == case.department_id)


def may_supervise(actor: Any) -> bool:
    return staff_selectors.may(actor, Capability.CASE_SUPERVISE)


def _kind_ids_with_department(department: str) -> set[int]:
    return {
        kind.pk
        for kind in CaseKind.objects.only("pk", "steps")
        if any(step.get("department") == department for step in kind.steps)
    }


def _scoped(actor: Any) -> QuerySet[Case]:
    """The cases the actor may see (raises PermissionDeniedError without case.view)."""
    staff_selectors.require(actor, Capability.CASE_VIEW)
    cases = Case.objects.select_related("kind", "service_centre", "department", "assignee")
    centre_id = staff_selectors.centre_id_of(actor)
    if centre_id is not None:
        cases = cases.filter(service_centre_id=centre_id)
    department = staff_selectors.department_of(actor)
    if department not in ALL_KINDS_DEPARTMENTS:
        cases = cases.filter(
            Q(department_id=department) | Q(kind_id__in=_kind_ids_with_department(str(department)))
        )
    return cases


def access_case(actor: Any, number_or_id: str | int) -> Case:
    """The case, if the actor may see it; else NotFoundError (also for another centre's case)."""
    if not staff_selectors.may(actor, Capability.CASE_VIEW):
        raise NotFoundError(what=CASE_NOT_FOUND)
    lookup: Q
    if isinstance(number_or_id, int) or str(number_or_id).strip().isdigit():
        lookup = Q(pk=int(number_or_id))
    else:
        try:
            lookup = Q(number=str(numbers.parse_case_number(str(number_or_id))))
        except numbers.NumberError as error:
            raise NotFoundError(what=CASE_NOT_FOUND) from error
    case = (
        Case.objects.select_related("kind", "service_centre", "department", "assignee", "customer")
        .filter(lookup)
        .first()
    )
    if case is None or not may_view(actor, case):
        raise NotFoundError(what=CASE_NOT_FOUND)
    return case


# --- Lists -------------------------------------------------------------------------------------


def case_list_for(
    actor: Any,
    *,
    department: str | None = None,
    assignee: Any = None,
    mine: bool = False,
    state: str | None = None,
    open_only: bool = True,
    sla_state: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
) -> QuerySet[Case]:
    """Cases the actor may see, filtered; due first."""
    cases = _scoped(actor)
    if open_only:
        cases = cases.filter(is_open=True)
    if department:
        cases = cases.filter(department_id=department)
    if mine:
        cases = cases.filter(assignee=actor)
    elif assignee is not None:
        cases = cases.filter(assignee=assignee)
    if state:
        cases = cases.filter(state=state)
    if sla_state:
        cases = cases.filter(sla_state=sla_state)
    if kind:
        cases = cases.filter(kind__code=kind)
    if channel:
        cases = cases.filter(channel=channel)
    return cases.order_by("due_at", "id")


def case_queue_for(
    actor: Any, *, department: str | None = None, mine: bool = False
) -> QuerySet[Case]:
    """Open cases of a department (default: the actor's own) or of the actor; due first."""
    if mine:
        return case_list_for(actor, mine=True)
    return case_list_for(actor, department=department or staff_selectors.department_of(actor))


def case_search(actor: Any, query: str) -> QuerySet[Case]:
    """Search by case number, 電號, phone, name or address (open and closed); newest first."""
    cases = _scoped(actor)
    text = " ".join((query or "").split())
    if not text:
        return cases.none()
    try:
        number = str(numbers.parse_case_number(text))
    except numbers.NumberError:
        number = ""
    if number:
        return cases.filter(number=number)
    digits = "".join(ch for ch in text if ch.isdigit())
    condition = Q(applicant_name__icontains=text) | Q(address__icontains=text)
    condition |= Q(number__icontains=text.upper())
    if len(digits) == 11 and len(text.replace("-", "").replace(" ", "")) == 11:
        condition |= Q(account_number=digits)
    if len(digits) >= 6:
        cases = cases.annotate(
            phone_digits=Replace(
                Replace(
                    Replace(
                        Replace("applicant_phone", Value("-"), Value("")), Value("("), Value("")
                    ),
                    Value(")"),
                    Value(""),
                ),
                Value(" "),
                Value(""),
            )
        )
        condition |= Q(phone_digits__endswith=digits[-9:])
    return cases.filter(condition).order_by("-received_at", "-id")


def case_overdue_list(actor: Any, *, department: str | None = None) -> QuerySet[Case]:
    """Open cases past their due time, most overdue first."""
    cases = _scoped(actor).filter(is_open=True, due_at__lt=timezone.now())
    if department:
        cases = cases.filter(department_id=department)
    return cases.order_by("due_at", "id")


# --- One case ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: Message
    note: str
    actor_label: str
    public: bool


def case_timeline(case: Case, *, public: bool) -> list[TimelineEntry]:
    """The case's events, oldest first; ``public=True``: only public ones, no staff names."""
    events = CaseEvent.objects.filter(case=case).order_by("at", "id")
    if public:
        events = events.filter(public=True)
    return [
        TimelineEntry(
            at=event.at,
            kind=event.kind,
            text=event.text,
            note=event.note,
            actor_label="" if public else event.actor_label,
            public=event.public,
        )
        for event in events
    ]


def case_pauses(case: Case) -> list[CasePause]:
    return list(case.pauses.order_by("started_at", "id"))


def case_kind_for(case: Case) -> ApplicationKind:
    return case.kind.as_domain()


def case_sla_now(case: Case, *, at: datetime | None = None) -> SlaStatus:
    """The SLA clock computed now (not the stored columns)."""
    kind = case.kind.as_domain()
    clock = CaseClock(
        received_at=case.received_at,
        limit=kind.limit_for(case.works_type),
        pauses=tuple(
            Pause(reason=PauseReason(p.reason), start=p.started_at, end=p.ended_at)
            for p in case.pauses.all()
        ),
        completed_at=case.completed_at,
    )
    return sla_status(clock, at=at or timezone.now(), calendar=core_selectors.working_calendar())


@dataclass(frozen=True, slots=True)
class SlaBadge:
    state: str  # ok, warn, overdue, paused, met, breached, closed
    text: Message
    css: str
    share_percent: int


def sla_label(case: Case, *, now: datetime | None = None) -> SlaBadge:
    """How to show the case's time limit: text and a CSS class (never colour alone)."""
    moment = now or timezone.now()
    percent = int(case.sla_share_used * 100)
    if not case.is_open:
        if case.completed_at is None:
            return SlaBadge("closed", Message(zh_hant="已結束", en="Finished"), "sla-done", percent)
        if case.sla_state == SlaState.BREACHED.value:
            return SlaBadge(
                "breached", Message(zh_hant="逾期完成", en="Completed late"), "sla-overdue", percent
            )
        return SlaBadge(
            "met", Message(zh_hant="如期完成", en="Completed on time"), "sla-done", percent
        )
    if case.sla_state == SlaState.BREACHED.value or case.due_at < moment:
        return SlaBadge("overdue", Message(zh_hant="已逾期", en="Overdue"), "sla-overdue", percent)
    if case.paused:
        return SlaBadge(
            "paused", Message(zh_hant="暫停計時", en="Clock paused"), "sla-paused", percent
        )
    if case.sla_share_used >= WARN_SHARE:
        return SlaBadge(
            "warn",
            Message(zh_hant=f"即將到期（已用 {percent}%）", en=f"Due soon ({percent}% used)"),
            "sla-warn",
            percent,
        )
    return SlaBadge(
        "ok",
        Message(zh_hant=f"時限內（已用 {percent}%）", en=f"On time ({percent}% used)"),
        "sla-ok",
        percent,
    )


@dataclass(frozen=True, slots=True)
class ResponseTemplate:
    code: str
    name: Message
    text: Message


def response_templates_for(case: Case) -> list[ResponseTemplate]:
    return [
        ResponseTemplate(
            code=str(item["code"]),
            name=Message(zh_hant=item["name"]["zh_hant"], en=item["name"]["en"]),
            text=Message(zh_hant=item["text"]["zh_hant"], en=item["text"]["en"]),
        )
        for item in case.kind.response_templates
    ]


# --- Dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindRow:
    kind_code: str
    kind_name: Message
    open: int
    overdue: int
    completed: int
    on_time: int
    on_time_share: Decimal | None


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: date
    completed: int
    on_time: int
    on_time_share: Decimal | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    open: int
    due_soon: int
    overdue: int
    by_kind: list[KindRow]
    by_month: list[MonthRow]


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def case_dashboard(actor: Any, *, today: date | None = None, months: int = 12) -> Dashboard:
    """Open, due soon, overdue, and on-time share by kind and by month of completion."""
    cases = _scoped(actor)
    now = timezone.now()
    day = today or now.astimezone(TAIPEI).date()
    calendar = core_selectors.working_calendar()
    soon_day = calendar.add_working_days(
        day if calendar.is_working_day(day) else calendar.previous_working_day(day),
        days=DUE_SOON_WORKING_DAYS,
    )
    soon = datetime.combine(soon_day + timedelta(days=1), datetime.min.time(), tzinfo=TAIPEI)
    since = datetime.combine(_month_start(day, months - 1), datetime.min.time(), tzinfo=TAIPEI)
    completed = Q(completed_at__gte=since)
    on_time = completed & Q(sla_state=SlaState.MET.value)
    totals = cases.aggregate(
        open=Count("id", filter=Q(is_open=True)),
        overdue=Count("id", filter=Q(is_open=True, due_at__lt=now)),
        due_soon=Count("id", filter=Q(is_open=True, due_at__gte=now, due_at__lt=soon)),
    )
    kinds = {kind.code: kind for kind in CaseKind.objects.all()}
    by_kind = []
    for row in (
        cases.order_by()
        .values("kind__code")
        .annotate(
            open=Count("id", filter=Q(is_open=True)),
            overdue=Count("id", filter=Q(is_open=True, due_at__lt=now)),
            completed=Count("id", filter=completed),
            on_time=Count("id", filter=on_time),
        )
        .order_by("kind__code")
    ):
        kind = kinds[row["kind__code"]]
        by_kind.append(
            KindRow(
                kind_code=kind.code,
                kind_name=kind.name,
                open=row["open"],
                overdue=row["overdue"],
                completed=row["completed"],
                on_time=row["on_time"],
                on_time_share=_share(row["on_time"], row["completed"]),
            )
        )
    by_kind.sort(key=lambda r: (kinds[r.kind_code].position, r.kind_code))
    monthly = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row
        for row in cases.filter(completed)
        .order_by()
        .annotate(month=TruncMonth("completed_at", tzinfo=TAIPEI))
        .values("month")
        .annotate(
            completed=Count("id"), on_time=Count("id", filter=Q(sla_state=SlaState.MET.value))
        )
    }
    by_month = []
    for back in range(months - 1, -1, -1):
        start = _month_start(day, back)
        month_row = monthly.get(start)
        done = month_row["completed"] if month_row else 0
        good = month_row["on_time"] if month_row else 0
        by_month.append(
            MonthRow(month=start, completed=done, on_time=good, on_time_share=_share(good, done))
        )
    return Dashboard(
        open=totals["open"],
        due_soon=totals["due_soon"],
        overdue=totals["overdue"],
        by_kind=by_kind,
        by_month=by_month,
    )


@dataclass(frozen=True, slots=True)
class AverageRow:
    kind_code: str
    kind_name: Message
    works_type: str
    works_label: Message
    cases: int
    average_days: Decimal


def public_average_working_days(*, since: date | None = None) -> list[AverageRow]:
    """Average actual working days per public kind and works type, pauses excluded.

    Computed from completed cases (``actual_working_days`` is set at completion by the domain's
    ``actual_working_days``: holidays, weekends and paused days are not counted).
    """
    cases = Case.objects.filter(kind__public=True, actual_working_days__isnull=False)
    if since is not None:
        cases = cases.filter(
            completed_at__gte=datetime.combine(since, datetime.min.time(), tzinfo=TAIPEI)
        )
    kinds = {kind.code: kind for kind in CaseKind.objects.filter(public=True)}
    rows = (
        cases.order_by()
        .values("kind__code", "works_type")
        .annotate(n=Count("id"), average=Avg("actual_working_days"))
    )
    result = []
    for row in rows:
        kind = kinds.get(row["kind__code"])
        if kind is None:
            continue
        works = WorksType(row["works_type"])
        result.append(
            AverageRow(
                kind_code=kind.code,
                kind_name=kind.name,
                works_type=works.value,
                works_label=WORKS_TYPE_LABELS[works],
                cases=row["n"],
                average_days=Decimal(str(row["average"])).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                ),
            )
        )
    order = list(WorksType)
    result.sort(key=lambda r: (kinds[r.kind_code].position, order.index(WorksType(r.works_type))))
    return result


# --- Public lookup -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicCase:
    number: str
    kind_code: str
    kind_name: Message
    channel: str
    received_at: datetime
    state: str
    state_label: Message
    status_notes: Message
    public_note: str
    is_open: bool
    expected_date: date | None
    paused: bool
    pause_reason: Message | None
    pending: list[Message]
    supply_date: date | None
    completed_at: datetime | None
    applicant_masked: str
    address_masked: str
    documents: tuple[RequiredDocument, ...]
    timeline: list[TimelineEntry]
    token: str
    open311_status: str


@dataclass(frozen=True, slots=True)
class _PublicKind:
    """What the progress page shows of a kind (decoded once per kind version and process)."""

    key: tuple[Any, ...]
    code: str
    name: Message
    documents: tuple[RequiredDocument, ...]


# kind id → the kind's public data at one (version, updated_at). The catalogue changes rarely and
# every change raises the version (``actions.catalogue_sync``/``catalogue_kind_update``), so a
# lookup that reads a newer version or change time (an edit in any process) misses and re-reads
# the row. One entry per kind: a new version replaces the old one.
_PUBLIC_KINDS: dict[int, _PublicKind] = {}
_PAYMENT_PENDING: Final = (Message(zh_hant="繳交通知之費用", en="Pay the charges notified"),)
# The one statement of a public lookup, made before it is known whether the factor matches (the
# same statement for a found case, an unknown one and a wrong factor): the case's columns, its
# kind's version, its open pause (at most one: ``case_one_open_pause``) and its public events,
# one row per event (one row with empty event columns when there is none), oldest first.
_PUBLIC_FIELDS: Final = (
    "id",
    "number",
    "lookup_token",
    "phone_last4",
    "account_last4",
    "kind_id",
    "channel",
    "received_at",
    "state",
    "public_note",
    "is_open",
    "due_at",
    "paused",
    "supply_date",
    "completed_at",
    "applicant_name",
    "address",
    "kind__version",
    "kind__updated_at",
    "open_pause__reason",
    "open_pause__missing",
    "public_events__at",
    "public_events__kind",
    "public_events__text_zh",
    "public_events__text_en",
    "public_events__note",
)
_EVENT_FROM: Final = _PUBLIC_FIELDS.index("public_events__at")


def _public_kind(kind_id: int, version: int, updated_at: datetime) -> _PublicKind:
    key = (version, updated_at)
    cached = _PUBLIC_KINDS.get(kind_id)
    if cached is not None and cached.key == key:
        return cached
    row = CaseKind.objects.get(pk=kind_id)
    kind = _PublicKind(
        key=(row.version, row.updated_at),
        code=row.code,
        name=row.name,
        documents=row.as_domain().documents,
    )
    _PUBLIC_KINDS[kind_id] = kind
    return kind


_I: Final = {name: index for index, name in enumerate(_PUBLIC_FIELDS)}


def _public_from_rows(rows: list[tuple[Any, ...]]) -> PublicCase:
    """The :class:`PublicCase` of the rows of one case (the factor already checked)."""
    row = rows[0]
    state = row[_I["state"]]
    info = state_info(state)
    kind = _public_kind(row[_I["kind_id"]], row[_I["kind__version"]], row[_I["kind__updated_at"]])
    is_open = row[_I["is_open"]]
    paused = row[_I["paused"]] and is_open
    pending: list[Message] = []
    pause_reason: Message | None = None
    reason = row[_I["open_pause__reason"]]
    if paused and reason is not None:
        pause_reason = PAUSE_REASON_LABELS[PauseReason(reason)]
        pending = [
            Message(zh_hant=str(item.get("zh_hant", "")), en=str(item.get("en", "")))
            for item in row[_I["open_pause__missing"]] or ()
        ]
    if state == CaseState.AWAITING_PAYMENT.value and not pending:
        pending = list(_PAYMENT_PENDING)
    address = row[_I["address"]]
    timeline = [
        TimelineEntry(
            at=at,
            kind=event_kind,
            text=Message(zh_hant=text_zh, en=text_en),
            note=note,
            actor_label="",
            public=True,
        )
        for at, event_kind, text_zh, text_en, note in (r[_EVENT_FROM:] for r in rows)
        if at is not None
    ]
    return PublicCase(
        number=row[_I["number"]],
        kind_code=kind.code,
        kind_name=kind.name,
        channel=row[_I["channel"]],
        received_at=row[_I["received_at"]],
        state=state,
        state_label=info.public_label,
        status_notes=info.status_notes,
        public_note=row[_I["public_note"]],
        is_open=is_open,
        expected_date=row[_I["due_at"]].astimezone(TAIPEI).date() if is_open else None,
        paused=paused,
        pause_reason=pause_reason,
        pending=pending,
        supply_date=row[_I["supply_date"]],
        completed_at=row[_I["completed_at"]],
        applicant_masked=masking.mask_name(row[_I["applicant_name"]]),
        address_masked=masking.mask_address(address) if address else "",
        documents=kind.documents,
        timeline=timeline,
        token=row[_I["lookup_token"]],
        open311_status=info.open311_status.value,
    )


@dataclass(frozen=True, slots=True)
class _Statement:
    """The compiled public-lookup statement of one connection and lookup column."""

    sql: str
    params: tuple[Any, ...]
    slot: int  # where the looked-up value goes in ``params``
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


# Compiled once per database connection and lookup column: the ORM builds the same statement
# for every lookup, so building it per request (most of a lookup's Python time) is skipped.
_STATEMENTS: weakref.WeakKeyDictionary[Any, dict[str, _Statement]] = weakref.WeakKeyDictionary()
_SLOT: Final = "\x00public-lookup\x00"


def _statement(database: Any, field: str) -> _Statement:
    by_field = _STATEMENTS.setdefault(database, {})
    found = by_field.get(field)
    if found is not None:
        return found
    query = (
        Case.objects.using(database.alias)
        .filter(**{field: _SLOT})
        .annotate(
            public_events=FilteredRelation("events", condition=Q(events__public=True)),
            open_pause=FilteredRelation("pauses", condition=Q(pauses__ended_at__isnull=True)),
        )
        .order_by("public_events__at", "public_events__id")
        .values_list(*_PUBLIC_FIELDS)
        .query
    )
    compiler = query.get_compiler(connection=database)
    sql, params = compiler.as_sql()
    slots = [index for index, value in enumerate(params) if value == _SLOT]
    if len(slots) != 1:  # pragma: no cover - the ORM placed the value elsewhere
        raise RuntimeError("cannot compile the public lookup")
    converters = compiler.get_converters([column[0] for column in compiler.select])
    found = _Statement(
        sql=sql,
        params=tuple(params),
        slot=slots[0],
        converters=tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in converters.items()
        ),
    )
    by_field[field] = found
    return found


def _fetch(database: Any, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run the lookup statement; on PostgreSQL as a prepared statement when allowed.

    Django's own PostgreSQL cursors bind parameters on the client and never prepare, so every
    lookup would be planned again (most of its database time). With ``prepare_threshold`` set
    (``DATABASE_PREPARED_STATEMENTS``, on by default) the statement runs through a
    server-binding psycopg cursor with ``prepare=True``: parsed and planned once per
    connection, then only executed. The ORM's SQL is unchanged (psycopg turns ``%s`` into
    ``$n``); the query still passes through the connection's execute wrappers and is recorded
    and logged (``django.db.backends``) where Django records queries (tests, DEBUG).

    A prepared statement goes stale when a migration changes a column's type ("cached plan
    must not change result type"), or is lost behind a pooler that swapped the server
    connection. Then the connection is dropped: outside a transaction the lookup runs again
    on a new one at once; inside one, the error stands and the connection is replaced at the
    end of the request.
    """
    with database.cursor() as cursor:  # Django's checks: thread, health check, connection
        raw = database.connection
        if database.vendor != "postgresql" or getattr(raw, "prepare_threshold", None) is None:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    stale = (
        psycopg.errors.FeatureNotSupported,
        psycopg.errors.InvalidSqlStatementName,
        psycopg.errors.DuplicatePreparedStatement,
    )

    # Django's execute-wrapper protocol: (sql, params, many, context), positionally.
    def prepared(sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:  # noqa: FBT001
        with psycopg.Cursor(raw) as server:
            server.execute(sql, params, prepare=True)
            return server.fetchall()

    executor: Any = prepared  # Django's execute wrappers see it like any other query
    for wrapper in reversed(database.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    started = time.monotonic()
    with database.wrap_database_errors:
        try:
            many = False  # Django's wrapper protocol passes it positionally
            rows: list[tuple[Any, ...]] = executor(
                sql, params, many, {"connection": database, "cursor": None}
            )
        except stale:
            if database.in_atomic_block:
                database.close_at = 0.0  # replaced when the request ends
                raise
            database.close()
            with database.cursor() as cursor:  # a new connection, Django's own cursor
                cursor.execute(sql, params)
                return cursor.fetchall()
    if database.queries_logged:  # as Django's debug cursor records and logs a query
        duration = time.monotonic() - started
        database.queries_log.append(
            {"sql": f"{sql} -- prepared {params!r}", "time": f"{duration:.3f}"}
        )
        _db_logger.debug(
            "(%.3f) %s; args=%s; alias=%s; prepared",
            duration,
            sql,
            params,
            database.alias,
            extra={"duration": duration, "sql": sql, "params": params, "alias": database.alias},
        )
    return rows


def _public_rows(field: str, value: str) -> list[tuple[Any, ...]]:
    """The one indexed read of a public lookup: ``_PUBLIC_FIELDS`` rows, empty if no case.

    The statement joins the kind (its version), the open pause and the public events; it is
    the ORM's own SQL and value converters, compiled once per connection (``_statement``).
    """
    database = connections[Case.objects.db]
    statement = _statement(database, field)
    params = list(statement.params)
    params[statement.slot] = value
    fetched = _fetch(database, statement.sql, params)
    if not statement.converters:
        return [tuple(row) for row in fetched]
    rows = []
    for fetched_row in fetched:
        row = list(fetched_row)
        for position, functions, expression in statement.converters:
            converted = row[position]
            for function in functions:
                converted = function(converted, expression, database)
            row[position] = converted
        rows.append(tuple(row))
    return rows


def public_case(case: Case) -> PublicCase:
    """What the applicant may see of ``case`` (personal data masked)."""
    return _public_from_rows(_public_rows("number", case.number))


def public_lookup_by_token(token: str) -> PublicCase:
    """The case of a QR token; anything wrong → NotFoundError(CASE_NOT_FOUND)."""
    try:
        valid = numbers.validate_lookup_token(token)
    except numbers.NumberError as error:
        raise NotFoundError(what=CASE_NOT_FOUND) from error
    rows = _public_rows("lookup_token", valid)
    found = rows[0][_I["lookup_token"]] if rows else ""
    if not rows or not hmac.compare_digest(found.encode(), valid.encode()):
        raise NotFoundError(what=CASE_NOT_FOUND)
    return _public_from_rows(rows)


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A case whose number and second factor matched; :meth:`case` builds what may be shown.

    Kept apart so that a caller can settle its rate limits between the match and building the
    answer: up to the match, a right and a wrong second factor cost the same work."""

    rows: list[tuple[Any, ...]]

    def case(self) -> PublicCase:
        return _public_from_rows(self.rows)


def public_match_by_number(number: str, last4: str) -> NumberMatch | None:
    """The case of ``number`` if ``last4`` ends its phone or 電號, else ``None``.

    A malformed number or second factor is an InvalidInputError (it reveals nothing about any
    case); an unknown number and a wrong factor give ``None`` after the same work (one indexed
    read, two constant-time comparisons).
    """
    problems: list[FieldProblem] = []
    parsed = ""
    try:
        parsed = str(numbers.parse_case_number(number))
    except numbers.NumberError as error:
        problems.append(FieldProblem(field="number", code=error.code, message=error.message))
    try:
        numbers.second_factor_matches(last4, phone=None, account_number=None)
    except DomainError as error:
        problems.append(FieldProblem(field="last4", code=error.code, message=error.message))
    if problems:
        raise InvalidInputError(problems)
    rows = _public_rows("number", parsed)
    phone_last4 = rows[0][_I["phone_last4"]] if rows else ""
    account_last4 = rows[0][_I["account_last4"]] if rows else ""
    matches = numbers.second_factor_matches(
        last4, phone=phone_last4 or None, account_number=account_last4 or None
    )
    return NumberMatch(rows) if rows and matches else None


def public_lookup_by_number(number: str, last4: str) -> PublicCase:
    """The case of ``number`` if ``last4`` ends its phone or 電號; else NotFoundError (see
    :func:`public_match_by_number`)."""
    match = public_match_by_number(number, last4)
    if match is None:
        raise NotFoundError(what=CASE_NOT_FOUND)
    return match.case()


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the receipt of a case prints (the applicant's name masked)."""

    number: str
    token: str
    tracking_url: str
    kind: ApplicationKind
    kind_name: Message
    received_at: datetime
    expected_date: date | None
    limit_label: Message
    works_label: Message
    documents: tuple[RequiredDocument, ...]
    fees: tuple[Fee, ...]
    centre_name: Message
    centre_phone: str
    centre_address: str
    applicant_masked: str
    channel: str


def receipt_data(case: Case) -> Receipt:
    """The receipt of ``case`` (no permission check: the caller got ``case`` from a lookup)."""
    kind = case.kind.as_domain()
    works = WorksType(case.works_type)
    centre = case.service_centre
    return Receipt(
        number=case.number,
        token=case.lookup_token,
        tracking_url=tracking_url(case),
        kind=kind,
        kind_name=kind.name,
        received_at=case.received_at,
        expected_date=case.due_at.astimezone(TAIPEI).date() if case.is_open else None,
        limit_label=kind.limit_for(works).label,
        works_label=WORKS_TYPE_LABELS[works],
        documents=kind.documents,
        fees=kind.fees,
        centre_name=Message(zh_hant=centre.name_zh, en=centre.name_en),
        centre_phone=centre.phone,
        centre_address=centre.address,
        applicant_masked=masking.mask_name(case.applicant_name),
        channel=case.channel,
    )


# --- Attachments -------------------------------------------------------------------------------


def access_attachment(actor: Any, attachment_id: int) -> tuple[CaseAttachment, Path]:
    """The attachment and its file, for a user who may see the case; the view is audited."""
    from powerdesk.cases.actions import attachment_dir

    attachment = (
        CaseAttachment.objects.select_related("case", "case__kind").filter(pk=attachment_id).first()
    )
    if attachment is None or not may_view(actor, attachment.case):
        raise NotFoundError(what=ATTACHMENT_NOT_FOUND)
    path = attachment_dir() / attachment.storage_name
    if not path.is_file():
        raise NotFoundError(what=ATTACHMENT_NOT_FOUND)
    audit_record(
        actor=actor,
        verb="case.attachment_view",
        target=attachment.case,
        kind=AuditEvent.Kind.VIEW_PERSONAL,
        details={"attachment": attachment.pk},
    )
    return attachment, path


# --- Catalogue -------------------------------------------------------------------------------


def kind_list(*, public_only: bool = False, include_inactive: bool = False) -> QuerySet[CaseKind]:
    kinds = CaseKind.objects.order_by("position", "code")
    if not include_inactive:
        kinds = kinds.filter(active=True)
    if public_only:
        kinds = kinds.filter(public=True)
    return kinds


def kind_get(code: str, *, public_only: bool = False) -> CaseKind:
    kind = kind_list(public_only=public_only).filter(code=code).first()
    if kind is None:
        raise NotFoundError(
            what=Message(zh_hant=f"沒有申請類別「{code}」。", en=f"No application kind {code!r}.")
        )
    return kind


def kind_by_service_code(service_code: str) -> CaseKind | None:
    return kind_list(public_only=True).filter(open311_service_code=service_code).first()


# --- Staff notices, centres, Open311 ------------------------------------------------------------


def staff_notices_for(actor: Any, *, unread_only: bool = True) -> QuerySet[StaffNotice]:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDeniedError()
    notices = StaffNotice.objects.filter(recipient=actor).select_related("case")
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices.order_by("-created_at", "-id")


def service_centre_for_address(address: str) -> ServiceCentre | None:
    """The centre whose districts the address names (longest district name first)."""
    text = (address or "").replace("台", "臺")
    if not text:
        return None
    best: tuple[int, ServiceCentre] | None = None
    for centre in ServiceCentre.objects.order_by("code"):
        for district in centre.districts or []:
            name = str(district).replace("台", "臺")
            if name and name in text and (best is None or len(name) > best[0]):
                best = (len(name), centre)
    return best[1] if best else None


def open311_client_for_key(key: str) -> Open311Client | None:
    """The active partner with this API key (compared by SHA-256), or None."""
    if not key or len(key) > 200:
        return None
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    client = Open311Client.objects.filter(key_hash=digest, active=True).first()
    if client is None:
        return None
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def open311_requests(
    *,
    service_request_ids: list[str] | None = None,
    service_code: str | None = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: str | None = None,
    channel: str | None = Case.Channel.OPEN311.value,
    limit: int = 1000,
) -> list[Case]:
    """Requests for GeoReport v2 ``GET requests`` (see the contract)."""
    cases = Case.objects.select_related("kind", "department").filter(kind__public=True)
    if channel:
        cases = cases.filter(channel=channel)
    if service_request_ids:
        return list(cases.filter(number__in=service_request_ids).order_by("-received_at")[:limit])
    if service_code:
        cases = cases.filter(kind__open311_service_code=service_code)
    if start_date is None and end_date is None:
        start_date = timezone.now() - timedelta(days=90)
    if start_date is not None:
        cases = cases.filter(received_at__gte=start_date)
    if end_date is not None:
        cases = cases.filter(received_at__lte=end_date)
    if status == "open":
        cases = cases.filter(is_open=True)
    elif status == "closed":
        cases = cases.filter(is_open=False)
    return list(cases.order_by("-received_at", "-id")[:limit])


__all__ = [
    "ATTACHMENT_NOT_FOUND",
    "CASE_NOT_FOUND",
    "AverageRow",
    "Dashboard",
    "KindRow",
    "MonthRow",
    "PublicCase",
    "Receipt",
    "ResponseTemplate",
    "SlaBadge",
    "TimelineEntry",
    "access_attachment",
    "access_case",
    "case_dashboard",
    "case_kind_for",
    "case_list_for",
    "case_overdue_list",
    "case_pauses",
    "case_queue_for",
    "case_search",
    "case_sla_now",
    "case_timeline",
    "kind_by_service_code",
    "kind_get",
    "kind_list",
    "may_assign",
    "may_supervise",
    "may_view",
    "may_work",
    "open311_client_for_key",
    "open311_requests",
    "public_average_working_days",
    "public_case",
    "public_lookup_by_number",
    "public_lookup_by_token",
    "receipt_data",
    "response_templates_for",
    "service_centre_for_address",
    "sla_label",
    "staff_notices_for",
    "tracking_path",
    "tracking_url",
]
