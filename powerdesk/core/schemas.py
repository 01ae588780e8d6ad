from __future__ import annotations

from datetime import date, time
from typing import Any

from ninja import Field, Schema


class AddressComponentsOut(Schema):
    postal_code: str | None
    city: str | None
    district: str | None
    village: str | None
    neighborhood: int | None
    road: str | None
    section: int | None
    lane: str | None
    alley: str | None
    number: str | None
    floor: int | None
    floor_sub: int | None
    room: str | None
    extra: str | None


class AddressNormalizeOut(Schema):
    input: str
    canonical: str
    canonical_street: str
    components: AddressComponentsOut


class CalendarDayOut(Schema):
    day: date
    is_working_day: bool
    is_weekend: bool
    reason: str
    label: str
    source: str
    closes_at: time | None


class WorkingDaysOut(Schema):
    start: date
    days: int
    result: date


class CalendarDayRecordIn(Schema):
    day: date
    kind: str = Field(description="closed | holiday | workday")
    name_zh: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    from_time: time | None = Field(
        None, description="closed only: the office closed from this local time"
    )


class ErrorOut(Schema):
    """The one error shape of every endpoint: a stable code, a message in the request's language,
    and details such as the field problems."""

    code: str
    message: str
    details: dict[str, Any]
