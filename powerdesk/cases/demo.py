"""Demo counter cases: every state, every channel, several centres, pauses of every reason,
overdue cases and completed ones (for the public page of average working days).

Cases are built directly (like the customers demo loader) with received, paused and completed
instants in the past, and their clocks computed by the same domain code the actions use; no
notification is queued (the demo must not message anyone). Called by ``powerdesk demo``.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from powerdesk.cases import actions
from powerdesk.cases.domain import numbers
from powerdesk.cases.domain.sla import PAUSE_REASON_LABELS, PauseReason, actual_working_days
from powerdesk.cases.domain.states import STATES, CaseState
from powerdesk.cases.models import Case, CaseEvent, CaseKind, CasePause, Open311Client
from powerdesk.core import selectors as core_selectors
from powerdesk.core.audit import audit_record
from powerdesk.core.domain.calendar import TAIPEI, WorkingCalendar
from powerdesk.core.domain.errors import Message
from powerdesk.customers.models import Account, ServiceCentre
from powerdesk.staff.models import Department, User

DEMO_CASES: Final = 160
_SURNAMES: Final = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
_GIVEN: Final = ("淑芬", "志明", "雅婷", "家豪", "怡君", "俊傑", "美玲", "冠廷", "佳穎", "建宏")
_STAFF_CHANNELS: Final = ("counter", "counter", "counter", "phone", "mail", "fax", "api")
_WAITING: Final[dict[CaseState, PauseReason]] = {
    CaseState.AWAITING_DOCUMENTS: PauseReason.DOCUMENTS_MISSING,
    CaseState.AWAITING_PAYMENT: PauseReason.CUSTOMER_REQUEST,
    CaseState.AWAITING_PERMIT: PauseReason.ROAD_PERMIT,
}


@dataclass(frozen=True, slots=True)
class DemoCasesSummary:
    cases: int
    open311_key: str  # shown once by the demo command


def _working_instant(rng: random.Random, calendar: WorkingCalendar, day: date) -> datetime:
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    minutes = rng.randrange(0, 9 * 60)
    return datetime.combine(day, time(8, 30), tzinfo=TAIPEI) + timedelta(minutes=minutes)


def _event(case: Case, kind: str, at: datetime, text: Message, **extra: Any) -> CaseEvent:
    return CaseEvent(
        case=case,
        kind=kind,
        at=at,
        public=extra.pop("public", True),
        text_zh=text.zh_hant,
        text_en=text.en,
        actor_label=extra.pop("actor_label", "demo"),
        **extra,
    )


def demo_cases(
    *, seed: int = 5, now: datetime | None = None, count: int = DEMO_CASES
) -> DemoCasesSummary:
    """Create the demo cases unless cases exist already (then nothing is done)."""
    if Case.objects.exists():
        return DemoCasesSummary(cases=0, open311_key="")
    moment = now or timezone.now()
    today = moment.astimezone(TAIPEI).date()
    calendar = core_selectors.working_calendar(today=today)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    centres = list(ServiceCentre.objects.order_by("code"))
    kinds = list(CaseKind.objects.filter(active=True).order_by("position", "code"))
    if not centres or not kinds:
        return DemoCasesSummary(cases=0, open311_key="")
    departments = {d.code: d for d in Department.objects.all()}
    staff: dict[tuple[str, int | None], list[User]] = {}
    for user in User.objects.filter(is_active=True, department__isnull=False).order_by("pk"):
        staff.setdefault((str(user.department_id), user.service_centre_id), []).append(user)
    accounts = {
        centre.pk: list(Account.objects.filter(service_centre=centre).order_by("number")[:60])
        for centre in centres
    }
    states = list(CaseState)
    _response_templates_load(kinds, now=moment)
    created = 0
    open311_key = ""
    with transaction.atomic():
        client = Open311Client.objects.filter(name="Demo 311 app").first()
        if client is None:
            key = "o311_" + secrets.token_urlsafe(32)
            client = Open311Client.objects.create(
                name="Demo 311 app",
                key_prefix=key[:10],
                key_hash=actions.open311_key_hash(key),
                service_centre=centres[0],
                created_at=moment,
            )
            open311_key = key
        for index in range(count):
            state = states[index % len(states)]
            kind = kinds[(index * 7 + rng.randrange(len(kinds))) % len(kinds)]
            domain_kind = kind.as_domain()
            centre = centres[index % len(centres)]
            # Closed cases spread over 9 months (monthly on-time share); open ones are recent,
            # some old enough to be overdue.
            if state in (CaseState.COMPLETED, CaseState.CLOSED, CaseState.CANCELLED):
                days_back = rng.randrange(5, 270)
            elif index % 5 == 0:
                days_back = rng.randrange(20, 45)  # overdue
            else:
                days_back = rng.randrange(0, 6)
            received = _working_instant(rng, calendar, today - timedelta(days=days_back))
            if received > moment:
                received = moment - timedelta(minutes=5)
            works = rng.choice(domain_kind.works_types)
            if kind.limit_unit == "working_hours":
                channel = "1911"
            elif kind.public and index % 6 == 1:
                channel = "web"
            elif kind.public and index % 6 == 4:
                channel = "open311"
            else:
                channel = rng.choice(_STAFF_CHANNELS)
            account = rng.choice(accounts[centre.pk]) if accounts[centre.pk] else None
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            mobile = f"09{rng.randrange(10**8):08d}"
            phone = f"{mobile[:4]}-{mobile[4:7]}-{mobile[7:]}"
            attributes: dict[str, Any] = {}
            for attribute in domain_kind.attributes:
                if attribute.code == "account_number" and account is not None:
                    attributes["account_number"] = account.number
                elif attribute.values:
                    attributes[attribute.code] = attribute.values[0].key
                elif attribute.datatype.value == "number":
                    attributes[attribute.code] = str(rng.choice([6, 10, 15, 30, 99]))
                elif attribute.required:
                    attributes[attribute.code] = "示範資料"
            first = domain_kind.steps[0]
            department = departments.get(first.department.value)
            if department is None:
                continue
            number = actions._next_number(centre, received.astimezone(TAIPEI).date())
            case = Case(
                number=number,
                lookup_token=numbers.new_lookup_token(),
                kind=kind,
                kind_version=kind.version,
                channel=channel,
                customer=account.customer if account is not None and channel != "open311" else None,
                applicant_name=name,
                applicant_phone=phone,
                applicant_email=f"demo{index}@example.tw" if index % 3 else "",
                phone_last4=mobile[-4:],
                account=account,
                account_number=account.number if account else "",
                account_last4=account.number[-4:] if account else "",
                address=account.premise.address if account else centre.address,
                works_type=works.value,
                attributes=attributes,
                state=CaseState.RECEIVED.value,
                step=first.code,
                service_centre=centre,
                department=department,
                received_at=received,
                due_at=received,
                open311_client=client if channel == "open311" else None,
                created_at=received,
                updated_at=received,
            )
            case.save()
            events = [
                _event(
                    case,
                    CaseEvent.Kind.CREATED,
                    received,
                    Message(
                        zh_hant=f"已受理「{domain_kind.name.zh_hant}」申請（{actions.CHANNEL_NAMES[channel].zh_hant}）。",
                        en=f"Application received: {domain_kind.name.en} ({actions.CHANNEL_NAMES[channel].en}).",
                    ),
                    state_to=CaseState.RECEIVED.value,
                )
            ]
            pauses: list[CasePause] = []
            step_time = received + timedelta(hours=1)
            if state is not CaseState.RECEIVED:
                events.append(
                    _event(
                        case,
                        CaseEvent.Kind.STATE,
                        step_time,
                        Message(zh_hant="狀態：處理中", en="Status: Being processed"),
                        state_from="received",
                        state_to="in_review",
                    )
                )
            # Completed cases: one in three waited for documents on the way.
            if state in (CaseState.COMPLETED, CaseState.CLOSED) and index % 3 == 0:
                pause_start = step_time + timedelta(hours=2)
                pauses.append(
                    CasePause(
                        case=case,
                        reason=PauseReason.DOCUMENTS_MISSING.value,
                        started_at=pause_start,
                        ended_at=pause_start + timedelta(days=rng.randrange(2, 8)),
                        missing=[_missing(domain_kind)],
                    )
                )
            if state in _WAITING:
                reason = _WAITING[state]
                pause_start = min(step_time + timedelta(hours=3), moment)
                pauses.append(
                    CasePause(
                        case=case,
                        reason=reason.value,
                        started_at=pause_start,
                        missing=[_missing(domain_kind)]
                        if reason is PauseReason.DOCUMENTS_MISSING
                        else [],
                        note="" if reason is PauseReason.DOCUMENTS_MISSING else "示範：等待中",
                    )
                )
                label = PAUSE_REASON_LABELS[reason]
                events.append(
                    _event(
                        case,
                        CaseEvent.Kind.PAUSE,
                        pause_start,
                        Message(
                            zh_hant=f"暫停計算處理時限：{label.zh_hant}",
                            en=f"Time limit paused: {label.en}",
                        ),
                    )
                )
            if (index // len(states)) % 3 == 1 and state in (
                CaseState.IN_REVIEW,
                CaseState.IN_WORKS,
            ):
                pause_start = min(step_time + timedelta(hours=4), moment)
                pauses.append(
                    CasePause(
                        case=case,
                        reason=PauseReason.OTHER_AGENCY.value,
                        started_at=pause_start,
                        note="示範：待建管單位回覆",
                    )
                )
            for pause in pauses:
                pause.started_at = max(pause.started_at, received)
                if pause.ended_at is not None:
                    pause.ended_at = min(pause.ended_at, moment)
            case.state = state.value
            info = STATES[state]
            if state in (CaseState.COMPLETED, CaseState.CLOSED):
                limit = domain_kind.limit_for(works).amount
                spent = rng.randrange(1, limit + 3) if kind.limit_unit == "working_days" else 0
                done_day = calendar.add_working_days(received.astimezone(TAIPEI).date(), days=spent)
                pause_days = sum(
                    (p.ended_at - p.started_at).days for p in pauses if p.ended_at is not None
                )
                done_day += timedelta(days=pause_days)
                completed = _working_instant(rng, calendar, done_day)
                if kind.limit_unit == "working_hours":
                    completed = calendar.add_working_hours(
                        received, hours=rng.randrange(1, limit + 2)
                    )
                completed = min(max(completed, received + timedelta(minutes=30)), moment)
                pauses = [p for p in pauses if p.started_at <= completed]
                for pause in pauses:
                    if pause.ended_at is None or pause.ended_at > completed:
                        pause.ended_at = completed
                case.completed_at = completed
                case.is_open = False
                if state is CaseState.CLOSED:
                    case.closed_at = min(completed + timedelta(days=1), moment)
                events.append(
                    _event(
                        case,
                        CaseEvent.Kind.STATE,
                        completed,
                        Message(zh_hant="狀態：已完成", en="Status: Completed"),
                        state_to="completed",
                    )
                )
            elif info.terminal:
                case.is_open = False
                case.closed_at = min(step_time + timedelta(days=1), moment)
                events.append(
                    _event(
                        case,
                        CaseEvent.Kind.STATE,
                        case.closed_at,
                        Message(
                            zh_hant=f"狀態：{info.public_label.zh_hant}",
                            en=f"Status: {info.public_label.en}",
                        ),
                        state_to=state.value,
                        note="示範：申請人撤回" if state is CaseState.CANCELLED else "",
                    )
                )
            if state is CaseState.SCHEDULED:
                supply = calendar.add_working_days(today, days=rng.randrange(2, 15))
                case.supply_date = supply
                case.supply_date_agreed_at = min(step_time + timedelta(hours=2), moment)
                case.supply_date_agreed_by = "申請人電話同意（示範）"
                events.append(
                    _event(
                        case,
                        CaseEvent.Kind.SUPPLY_DATE,
                        case.supply_date_agreed_at,
                        Message(
                            zh_hant=f"已與您約定供電日期：{supply.isoformat()}",
                            en=f"Supply date agreed with you: {supply.isoformat()}",
                        ),
                    )
                )
            if state in (CaseState.IN_WORKS, CaseState.AWAITING_PERMIT, CaseState.SCHEDULED):
                works_step = next(
                    (s for s in domain_kind.steps if s.department.value == "works"), None
                )
                if works_step is not None and "works" in departments:
                    case.department = departments["works"]
                    case.step = works_step.code
            CasePause.objects.bulk_create(pauses)
            people = staff.get((case.department_id, centre.pk)) or staff.get(
                (case.department_id, None)
            )
            if people and index % 4:
                case.assignee = people[index % len(people)]
            case_pauses = list(case.pauses.all())
            actions.refresh_sla(
                case, now=moment, kind=domain_kind, pauses=case_pauses, calendar=calendar
            )
            if case.completed_at is not None:
                clock = actions.case_clock(case, kind=domain_kind, pauses=case_pauses)
                case.actual_working_days = actual_working_days(clock, calendar=calendar)
            if not case.is_open:
                case.paused = False
            case.updated_at = moment
            case.save()
            CaseEvent.objects.bulk_create(events)
            created += 1
        audit_record(actor=None, verb="demo.cases", details={"cases": created, "seed": seed})
    return DemoCasesSummary(cases=created, open311_key=open311_key)


def _missing(kind: Any) -> dict[str, Any]:
    if kind.documents:
        document = kind.documents[-1]
        return {"code": document.code, "zh_hant": document.name.zh_hant, "en": document.name.en}
    return {"code": None, "zh_hant": "申請書簽名", "en": "Signature on the form"}


def _response_templates_load(kinds: list[CaseKind], *, now: datetime) -> None:
    """Two reply templates per kind that has none yet (staff insert them into public notes)."""
    for kind in kinds:
        if kind.response_templates:
            continue
        domain_kind = kind.as_domain()
        documents_zh = "、".join(doc.name.zh_hant for doc in domain_kind.documents if doc.required)
        documents_en = "; ".join(doc.name.en for doc in domain_kind.documents if doc.required)
        kind.response_templates = [
            {
                "code": "documents",
                "name": {"zh_hant": "請補齊文件", "en": "Documents needed"},
                "text": {
                    "zh_hant": f"您的「{kind.name_zh}」申請尚缺文件，請補齊：{documents_zh or '申請書'}。"
                    "補件期間不計入處理時限。",
                    "en": f"Your {kind.name_en} application still needs: {documents_en or 'the form'}. "
                    "The time limit is paused until we have them.",
                },
            },
            {
                "code": "in_progress",
                "name": {"zh_hant": "辦理中說明", "en": "In progress"},
                "text": {
                    "zh_hant": "您的申請正由本處辦理中，完成後將主動通知您。",
                    "en": "We are working on your application and will tell you when it is done.",
                },
            },
        ]
        kind.updated_at = now
        kind.save(update_fields=["response_templates", "updated_at"])
