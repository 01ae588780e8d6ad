"""The office's working-day calendar: public reads, staff records (typhoon closures …)."""

from datetime import date, timedelta
from typing import Any

from django.utils.translation import get_language
from ninja import Router
from ninja.responses import Status
from ninja.throttling import AnonRateThrottle

from powerdesk.api import ApiRequest, staff_auth
from powerdesk.core import actions, selectors
from powerdesk.core.domain.calendar import DayInfo
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import InvalidInputError
from powerdesk.core.schemas import CalendarDayOut, CalendarDayRecordIn, WorkingDaysOut

router = Router(tags=["calendar"])

MAX_RANGE_DAYS = 400


def day_out(info: DayInfo) -> dict[str, Any]:
    return {
        "day": info.day,
        "is_working_day": info.is_working_day,
        "is_weekend": info.is_weekend,
        "reason": info.reason.value,
        "label": info.label.in_language(get_language() or "zh-hant"),
        "source": info.source.value,
        "closes_at": info.closes_at,
    }


def _problem(field: str, zh: str, en: str) -> InvalidInputError:
    return InvalidInputError(
        [FieldProblem(field=field, code=f"calendar.{field}", message=Message(zh_hant=zh, en=en))]
    )


@router.get("/days", response=list[CalendarDayOut], throttle=[AnonRateThrottle("300/m")])
def calendar_day_list_api(request: ApiRequest, start: date, end: date) -> Any:
    """Every day from ``start`` to ``end`` (inclusive, at most 400 days) and why it is or is not
    a working day."""
    if end < start:
        raise _problem(
            "end", "結束日不可早於開始日。", "The end date cannot be before the start date."
        )
    if (end - start).days >= MAX_RANGE_DAYS:
        raise _problem(
            "end",
            f"一次最多查詢 {MAX_RANGE_DAYS} 天。",
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.",
        )
    working = selectors.working_calendar()
    try:
        return [
            day_out(working.describe_day(start + timedelta(days=n)))
            for n in range((end - start).days + 1)
        ]
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="start") from error


@router.get("/add-working-days", response=WorkingDaysOut, throttle=[AnonRateThrottle("300/m")])
def calendar_add_working_days_api(request: ApiRequest, start: date, days: int) -> Any:
    """The date ``days`` working days after ``start`` (the start day itself is not counted)."""
    if not -1000 <= days <= 1000:
        raise _problem(
            "days", "天數須介於 -1000 與 1000 之間。", "days must be between -1000 and 1000."
        )
    try:
        result = selectors.working_calendar().add_working_days(start, days=days)
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="start") from error
    return {"start": start, "days": days, "result": result}


@router.post("/days", response={201: CalendarDayOut}, auth=staff_auth)
def calendar_day_record_api(request: ApiRequest, payload: CalendarDayRecordIn) -> Any:
    """Record an office decision for a day (typhoon closure, day off, make-up workday)."""
    try:
        selectors.working_calendar().describe_day(payload.day)  # inside the calendar's years?
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field="day") from error
    actions.calendar_day_record(
        actor=request.auth,
        day=payload.day,
        kind=payload.kind,
        name_zh=payload.name_zh,
        name_en=payload.name_en,
        from_time=payload.from_time,
    )
    return Status(201, day_out(selectors.working_calendar().describe_day(payload.day)))
