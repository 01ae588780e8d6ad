"""Seasons, time-of-use bands and 離峰日 (Taipower's off-peak days).

* **Season** (tariffs.md §0, A): 夏月 runs 6/1–9/30 for every 表燈 tariff, TOU or not; every
  other day is 非夏月. (The 5/16–10/15 summer of high-voltage tariffs does not apply.)
* **Day type** of a simple-TOU day (tariffs.md §2.1, §2.4): Saturday and Sunday are off-peak all
  day; so is every 離峰日; Monday–Friday otherwise follow the weekday bands of the version in
  force (``TouSchedule.bands``).
* **離峰日** are exactly the dates the tariff table lists ([T1] p.9, "離峰日如下表所列日期"):
  1/1, 春節 (from the day **before** 除夕 through lunar 1/5; the 2027 run is 2/4–2/10, B),
  2/28, 4/4, 民族掃墓節 (the 清明 solar term, 4/4 or 4/5), 5/1, 端午 (lunar 5/5), 中秋
  (lunar 8/15), 9/28, 10/10, 10/25 and 12/25. Government 補假, bridge days (彈性放假) and
  typhoon days (颱風假) are **not** off-peak days: the government holiday calendar is
  deliberately not used (tariffs.md §2.4).
* **Before 2025-10-01 the list is unknown** ("?"). Decision, recorded in the data files
  (``offpeak_days.status = "unknown"``): the 2025 list is treated as the set of *candidate*
  dates. tariffs.md §2.4 says earlier lists "probably lack" three of its days and that 勞動節 is
  uncertain, i.e. the earlier lists are believed to be subsets of it. A weekday candidate date
  therefore has an UNKNOWN type and interval pricing that depends on it is refused; every other
  weekday is an ordinary weekday, and bills relying on this are marked provisional. Callers who
  hold Taipower's annual TOU calendar can pass the list explicitly (``offpeak_days=``).

Lunar dates come from the ``holidays`` package's Chinese lunisolar tables
(``holidays.calendars.chinese._ChineseLunisolar``, astronomical tables for 1901–2099; a private
class of the package, used only for its date tables). 除夕 is the day before lunar new year.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date, timedelta
from enum import StrEnum
from typing import cast

from holidays.calendars.chinese import _ChineseLunisolar

from powerdesk.tariffs.engine.loader import schedules_between
from powerdesk.tariffs.engine.model import (
    MovableHoliday,
    OffPeakDayRules,
    OffPeakStatus,
    Plan,
    Season,
    TariffError,
    TouPeriod,
    TouSchedule,
)

FIRST_CALENDAR_YEAR = 1901
LAST_CALENDAR_YEAR = 2099
"""Years covered by the lunisolar tables of the holidays package."""

_SUMMER_START = (6, 1)
_SUMMER_END = (9, 30)
_LUNAR = _ChineseLunisolar()
_SATURDAY = 5
_SPRING_FESTIVAL_RUN = range(-2, 5)  # 除夕前1日 (new year − 2) … 初五 (new year + 4)


def season_of(day: date) -> Season:
    """夏月 (6/1–9/30) or 非夏月 for ``day`` (tariffs.md §0, A)."""
    return (
        Season.SUMMER if _SUMMER_START <= (day.month, day.day) <= _SUMMER_END else Season.NON_SUMMER
    )


def season_starts(*, start: date, end: date) -> tuple[date, ...]:
    """The days in (start, end] on which a new season begins (every 6/1 and 10/1)."""
    result: list[date] = []
    for year in range(start.year, end.year + 1):
        for month in (6, 10):
            day = date(year, month, 1)
            if start < day <= end:
                result.append(day)
    return tuple(result)


class DayType(StrEnum):
    """How a simple-TOU tariff treats a calendar day."""

    WEEKDAY = "weekday"  # Monday–Friday, not a 離峰日: weekday bands apply
    WEEKEND = "weekend"  # Saturday or Sunday: off-peak all day
    OFFPEAK_DAY = "offpeak_day"  # a listed 離峰日: off-peak all day
    UNKNOWN = "unknown"  # a weekday candidate date of a version whose list is unknown


def _require_calendar_year(year: int) -> None:
    if not FIRST_CALENDAR_YEAR <= year <= LAST_CALENDAR_YEAR:
        raise TariffError(
            code="tariff.calendar_out_of_range",
            zh_hant=(
                f"無法計算 {year} 年的離峰日：農曆資料只涵蓋 {FIRST_CALENDAR_YEAR}–"
                f"{LAST_CALENDAR_YEAR} 年。"
            ),
            en=(
                f"Cannot compute the off-peak days of {year}: the lunar calendar covers "
                f"{FIRST_CALENDAR_YEAR}–{LAST_CALENDAR_YEAR} only."
            ),
            details={"year": year},
        )


def _lunar(value: tuple[date | None, bool]) -> date:
    # The package returns None only outside its tables; _require_calendar_year keeps the year
    # inside 1901–2099, where every date is present (checked by test_periods).
    return cast(date, value[0])


@functools.cache
def movable_dates(holiday: MovableHoliday, *, year: int) -> tuple[date, ...]:
    """Gregorian dates of a movable 離峰日 in ``year`` (春節 gives its 7-day run)."""
    _require_calendar_year(year)
    if holiday is MovableHoliday.SPRING_FESTIVAL:
        new_year = _lunar(_LUNAR.lunar_new_year_date(year))
        return tuple(new_year + timedelta(days=offset) for offset in _SPRING_FESTIVAL_RUN)
    if holiday is MovableHoliday.TOMB_SWEEPING:
        return (_LUNAR.qingming_date(year)[0],)
    if holiday is MovableHoliday.DRAGON_BOAT:
        return (_lunar(_LUNAR.dragon_boat_date(year)),)
    return (_lunar(_LUNAR.mid_autumn_date(year)),)


@functools.cache
def listed_dates(rules: OffPeakDayRules, *, year: int) -> frozenset[date]:
    """Every date of ``year`` that ``rules`` name (listed 離峰日, or candidates if unknown).

    Includes dates that fall on a Saturday or Sunday (off-peak anyway).
    """
    days = {date(year, month, day) for month, day in rules.fixed}
    for holiday in rules.movable:
        days.update(movable_dates(holiday, year=year))
    return frozenset(days)


def day_type(
    day: date, *, rules: OffPeakDayRules, offpeak_days: Collection[date] | None = None
) -> DayType:
    """How a simple-TOU tariff with 離峰日 ``rules`` treats ``day``.

    ``offpeak_days``, when given, is the caller's complete 離峰日 list (e.g. from Taipower's
    annual 時間電價日曆表) and replaces ``rules``.
    """
    if day.weekday() >= _SATURDAY:
        return DayType.WEEKEND
    if offpeak_days is not None:
        return DayType.OFFPEAK_DAY if day in offpeak_days else DayType.WEEKDAY
    if day not in listed_dates(rules, year=day.year):
        return DayType.WEEKDAY
    return DayType.OFFPEAK_DAY if rules.status is OffPeakStatus.LISTED else DayType.UNKNOWN


def weekday_slots(schedule: TouSchedule, *, season: Season) -> tuple[TouPeriod, ...]:
    """The period of each half hour (48 slots) of an ordinary weekday."""
    return schedule.bands.slots(season)


OFF_PEAK_DAY_SLOTS: tuple[TouPeriod, ...] = (TouPeriod.OFF_PEAK,) * 48
"""Saturday, Sunday and 離峰日: off-peak all day."""


def day_slots(
    schedule: TouSchedule,
    *,
    day: date,
    offpeak_days: Collection[date] | None = None,
) -> tuple[tuple[TouPeriod, ...], DayType]:
    """The 48 half-hour periods of ``day`` under ``schedule``, and the day's type.

    For an UNKNOWN day the weekday slots are returned: the caller decides whether the unknown
    status matters (it does not when all of the day's energy is off-peak anyway).
    """
    kind = day_type(day, rules=schedule.offpeak_days, offpeak_days=offpeak_days)
    if kind in (DayType.WEEKEND, DayType.OFFPEAK_DAY):
        return OFF_PEAK_DAY_SLOTS, kind
    return weekday_slots(schedule, season=season_of(day)), kind


def offpeak_days(year: int) -> frozenset[date]:
    """Taipower's 離峰日 of ``year`` (every listed date, including those on a weekend).

    Answers only for years wholly under a version whose list is known (from 2025-10-01 on,
    tariffs.md §2.4); earlier years raise ``tariff.offpeak_days_unknown``. Both simple-TOU plans
    share the list; the two-period plan's files are read.
    """
    result: set[date] = set()
    versions = schedules_between(Plan.SIMPLE_TOU_2, start=date(year, 1, 1), end=date(year, 12, 31))
    for schedule, first, last in versions:
        if (
            not isinstance(schedule, TouSchedule)
            or schedule.offpeak_days.status is not OffPeakStatus.LISTED
        ):
            raise TariffError(
                code="tariff.offpeak_days_unknown",
                zh_hant=f"{year} 年有部分期間（{first.isoformat()} 起）的台電離峰日清單不明（?）。",
                en=f"Taipower's off-peak day list for part of {year} (from {first.isoformat()}) is unknown (?).",
                field="year",
                details={"year": year, "from": first.isoformat()},
            )
        result.update(
            d for d in listed_dates(schedule.offpeak_days, year=year) if first <= d <= last
        )
    return frozenset(result)
