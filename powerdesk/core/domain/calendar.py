"""Working-day calendar of a Taiwanese government office (pure; no Django).

The calendar answers "is this a working day?", "which day is N working days after that one?" and
"how many working hours lie between two instants?" for the office's counters (days) and for the
1911 call centre (hours). It is built in layers, each replacing the verdict of the one below for
the dates it names:

1. **The holidays package** (``holidays.TW``, categories ``public`` and ``government``): weekends,
   the national holidays of 紀念日及節日實施條例, their 補假 (observed days), and the DGPA's
   adjusted days off with their make-up Saturdays (補班). The package stores an adjusted day off
   as a holiday named ``放假日（YYYY-MM-DD 補班）`` and the make-up Saturday in
   ``weekend_workdays``; ``is_working_day`` combines both. The ``optional`` category (Labour Day
   up to 2025, Armed Forces Day) and the ``workday`` category (commemorative days that are
   working days) are not days off for government offices and are left out.
2. **The DGPA office calendar** (行政院人事行政總處「中華民國政府行政機關辦公日曆表」,
   https://data.gov.tw/dataset/14718), when loaded: every row states whether the day is off
   (``2``) or a working day (``0``). The official file lists every day of its year, so a loaded
   year is entirely authoritative; a file that lists only some days overrides only those.
3. **Office overrides**, in the order given (the last one for a date wins): extra days off
   (bridge days), make-up or forced working days, and closures such as a typhoon 停止上班
   announced under 天然災害停止上班及上課作業辦法
   (https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=S0110022), for the whole day or from a
   time of day. A closure from a time of day keeps the day a working day (the office did open)
   but ends its working hours at that time; on a day that is already off it changes nothing.

Day counts follow 行政程序法 第48條第2項 ("期間以日……計算者，其始日不計算在內",
https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=A0030055): the start day itself is never
counted, so the first working day after the start is working day 1. Hour counts follow 第48條
第1項 ("期間以時計算者，即時起算"): they run from the instant given, counting only the office's
open hours in Asia/Taipei.

Performance: building a calendar precomputes, for its years, the sorted working days, the
number of working days up to each day and the cumulative open time, so ``add_working_days``,
``working_days_between``, ``add_working_hours`` and ``working_time_between`` cost O(1) or one
``bisect`` (O(log n)) per call, never a day-by-day walk.
"""

from __future__ import annotations

import csv
import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays

from powerdesk.core.domain.errors import DomainError, Message

TAIPEI = ZoneInfo("Asia/Taipei")
"""Time zone of the office's business hours (Taiwan has observed no DST since 1979)."""

FIRST_SUPPORTED_YEAR = 1998
"""First year of the holidays package's Taiwan calendar (內政部 (87) 台內民字第8706459號令)."""
LAST_SUPPORTED_YEAR = 2099
"""Last year for which the package's Chinese lunisolar tables cover the following year too."""

_MICROSECONDS_PER_HOUR = 3_600_000_000
_WEEKDAY_ZH = ("一", "二", "三", "四", "五", "六", "日")
_DGPA_HEADER = ("西元日期", "星期", "是否放假", "備註")
_OFFICE_HEADER = ("date", "kind", "name_zh", "name_en")
_OFFICE_FROM_TIME = "from_time"
_DGPA_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_HH_MM = re.compile(r"\d{2}:\d{2}")


# --- Errors ---------------------------------------------------------------------------------


class CalendarError(DomainError):
    """Bad input to the working-day calendar (out-of-range date, naive datetime …)."""


class CalendarFileError(CalendarError):
    """A calendar file that cannot be read; names the row (1-based line), column and value."""

    def __init__(
        self, *, code: str, zh_hant: str, en: str, row: int, column: str, value: str
    ) -> None:
        super().__init__(
            code=code,
            zh_hant=f"第 {row} 列「{column}」欄的值「{value}」有誤：{zh_hant}",
            en=f"Row {row}, column {column!r}, value {value!r}: {en}",
            details={"row": row, "column": column, "value": value},
        )

    @property
    def row(self) -> int:
        """1-based line number in the file."""
        return int(self.details["row"])

    @property
    def column(self) -> str:
        """Column name as written in the file's header."""
        return str(self.details["column"])

    @property
    def value(self) -> str:
        """The offending cell (or line) as found."""
        return str(self.details["value"])


# --- Value objects --------------------------------------------------------------------------


class OverrideKind(StrEnum):
    """What an override does to its day."""

    CLOSED = "closed"  # office closed (停止上班), whole day or from ``from_time``
    HOLIDAY = "holiday"  # a day off decided in advance (bridge day 調整放假, extra holiday)
    WORKDAY = "workday"  # a working day: make-up workday (補班) or a forced working day


class OverrideSource(StrEnum):
    """Where an override comes from; decides its layer (office overrides go on top)."""

    DGPA = "dgpa"  # a row of the DGPA office calendar file
    OFFICE = "office"  # recorded by the office (override file, staff entry)


class DayReason(StrEnum):
    """Why a day is, or is not, a working day."""

    WORKING_DAY = "working_day"  # an ordinary or forced working day
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # national holiday, 補假, adjusted day off, office day off
    MAKEUP_WORKDAY = "makeup_workday"  # working day on a weekend (補班)
    CLOSURE = "closure"  # office closed for the whole day (停止上班)
    PARTIAL_CLOSURE = "partial_closure"  # working day, closed from a time of day


class DaySource(StrEnum):
    """Which layer decided the day."""

    WEEKDAY_RULE = "weekday_rule"  # plain Monday–Friday working week
    HOLIDAYS_PACKAGE = "holidays_package"
    DGPA = "dgpa"
    OFFICE = "office"


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """One day's override of the holidays package.

    ``from_time`` (local Asia/Taipei wall time, naive) is allowed only for ``CLOSED``: the office
    closes at that time. A ``from_time`` at or before opening time closes the whole day.
    """

    day: date
    kind: OverrideKind
    name_zh: str = ""
    name_en: str = ""
    from_time: time | None = None
    source: OverrideSource = OverrideSource.OFFICE

    def __post_init__(self) -> None:
        if self.from_time is None:
            return
        if self.kind is not OverrideKind.CLOSED:
            raise CalendarError(
                code="calendar.override_from_time",
                zh_hant=f"{self.day.isoformat()} 的「{self.kind.value}」不能指定起始時間；只有停止上班（closed）可以。",
                en=f"The {self.kind.value!r} override on {self.day.isoformat()} cannot have a from_time; only 'closed' can.",
                field="from_time",
            )
        if self.from_time.tzinfo is not None:
            raise CalendarError(
                code="calendar.override_from_time",
                zh_hant=f"{self.day.isoformat()} 的停止上班時間必須是臺北當地時間，不可帶時區。",
                en=f"The closure time on {self.day.isoformat()} must be a local Asia/Taipei time without a time zone.",
                field="from_time",
            )


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Daily open hours of the office on working days, in Asia/Taipei wall time.

    ``lunch_break`` is ``None`` (counters open through lunch) or a ``(start, end)`` pair inside
    the open hours.
    """

    opens_at: time = time(8, 30)
    closes_at: time = time(17, 30)
    lunch_break: tuple[time, time] | None = None

    def __post_init__(self) -> None:
        times = (self.opens_at, self.closes_at, *(self.lunch_break or ()))
        if any(moment.tzinfo is not None for moment in times):
            raise CalendarError(
                code="calendar.business_hours",
                zh_hant="營業時間必須是臺北當地時間，不可帶時區。",
                en="Business hours must be local Asia/Taipei times without a time zone.",
            )
        if not self.opens_at < self.closes_at:
            raise CalendarError(
                code="calendar.business_hours",
                zh_hant=f"開始營業時間 {self.opens_at:%H:%M} 必須早於結束時間 {self.closes_at:%H:%M}。",
                en=f"Opening time {self.opens_at:%H:%M} must be before closing time {self.closes_at:%H:%M}.",
            )
        if self.lunch_break is not None:
            start, end = self.lunch_break
            if not self.opens_at < start < end < self.closes_at:
                raise CalendarError(
                    code="calendar.business_hours",
                    zh_hant=f"午休 {start:%H:%M}–{end:%H:%M} 必須在營業時間 {self.opens_at:%H:%M}–{self.closes_at:%H:%M} 之內且起迄有序。",
                    en=f"Lunch break {start:%H:%M}–{end:%H:%M} must lie inside the open hours {self.opens_at:%H:%M}–{self.closes_at:%H:%M} and end after it starts.",
                )

    def intervals(self) -> tuple[tuple[time, time], ...]:
        """Return the open intervals of a full working day, in order."""
        if self.lunch_break is None:
            return ((self.opens_at, self.closes_at),)
        start, end = self.lunch_break
        return ((self.opens_at, start), (end, self.closes_at))


DEFAULT_HOURS = BusinessHours()
"""Taipower service counters: 08:30–17:30, Monday to Friday, open through lunch."""


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one day.

    ``closes_at`` is set only for a ``PARTIAL_CLOSURE``: the local time the office closed.
    """

    day: date
    is_working_day: bool
    is_weekend: bool
    reason: DayReason
    label: Message
    source: DaySource
    closes_at: time | None = None


# --- The calendar ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """An immutable working-day calendar covering every day of ``years``.

    ``years`` is normalised to every year from its smallest to its largest. Build it with
    :meth:`build`; add overrides with :meth:`with_overrides` (a new calendar).
    Queries about a date outside the covered years raise ``CalendarError``
    (``calendar.out_of_range``): the holidays of a year not built in are unknown.
    """

    years: tuple[int, ...]
    overrides: tuple[CalendarOverride, ...] = ()
    hours: BusinessHours = DEFAULT_HOURS
    _first_ordinal: int = field(init=False, repr=False, compare=False)
    _days: tuple[DayInfo, ...] = field(init=False, repr=False, compare=False)
    _working: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _rank: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _cumulative_us: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _intervals_us: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        *,
        years: range | tuple[int, ...],
        overrides: Iterable[CalendarOverride] = (),
        hours: BusinessHours = DEFAULT_HOURS,
    ) -> WorkingCalendar:
        """Build the calendar for every year from ``min(years)`` to ``max(years)``.

        Overrides for dates outside those years are kept but have no effect.
        """
        return cls(years=tuple(years), overrides=tuple(overrides), hours=hours)

    def with_overrides(self, overrides: Iterable[CalendarOverride]) -> WorkingCalendar:
        """Return a new calendar with ``overrides`` applied after the existing ones."""
        return WorkingCalendar(
            years=self.years, overrides=(*self.overrides, *overrides), hours=self.hours
        )

    def __post_init__(self) -> None:
        if not self.years:
            raise CalendarError(
                code="calendar.years",
                zh_hant="至少要指定一個年份。",
                en="At least one year is needed.",
                field="years",
            )
        first_year, last_year = min(self.years), max(self.years)
        if first_year < FIRST_SUPPORTED_YEAR or last_year > LAST_SUPPORTED_YEAR:
            raise CalendarError(
                code="calendar.years",
                zh_hant=f"年份 {first_year}–{last_year} 超出支援範圍 {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}。",
                en=f"Years {first_year}–{last_year} are outside the supported range {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}.",
                field="years",
            )
        # Normalised here, so that direct construction is as safe as build().
        object.__setattr__(self, "years", tuple(range(first_year, last_year + 1)))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        base = _package_days(first_year=first_year, last_year=last_year)
        first_ordinal = date(first_year, 1, 1).toordinal()
        days = list(base)
        # DGPA rows first, then the office's: a stable sort keeps each layer's own order.
        layered = sorted(self.overrides, key=lambda item: item.source is OverrideSource.OFFICE)
        for override in layered:
            offset = override.day.toordinal() - first_ordinal
            if 0 <= offset < len(days):
                days[offset] = _apply(
                    days[offset], override=override, package=base[offset], hours=self.hours
                )
        intervals_us = tuple(
            (_time_us(start), _time_us(end)) for start, end in self.hours.intervals()
        )
        working: list[int] = []
        rank: list[int] = []
        cumulative_us = [0]
        for offset, info in enumerate(days):
            if info.is_working_day:
                working.append(first_ordinal + offset)
                open_us = _open_us(intervals_us, closes_at=info.closes_at, until_us=None)
                cumulative_us.append(cumulative_us[-1] + open_us)
            rank.append(len(working))
        object.__setattr__(self, "_first_ordinal", first_ordinal)
        object.__setattr__(self, "_days", tuple(days))
        object.__setattr__(self, "_working", tuple(working))
        object.__setattr__(self, "_rank", tuple(rank))
        object.__setattr__(self, "_cumulative_us", tuple(cumulative_us))
        object.__setattr__(self, "_intervals_us", intervals_us)

    # --- Days ---

    def is_working_day(self, day: date) -> bool:
        """Return whether the office works on ``day``."""
        return self._days[self._offset(day)].is_working_day

    def describe_day(self, day: date) -> DayInfo:
        """Return why ``day`` is or is not a working day, named in zh-Hant and English."""
        return self._days[self._offset(day)]

    def add_working_days(self, start: date, *, days: int) -> date:
        """Return the day ``days`` working days after ``start`` (before it, if negative).

        ``start`` is never counted (行政程序法 §48 II): working day 1 is the first working day
        after ``start``, working day -1 the last one before it; ``days=0`` returns ``start``.
        A case received on Monday 2026-03-02 with a 10-working-day limit is due 2026-03-16.
        ``start`` need not be a working day. Satisfies
        ``working_days_between(start, end=add_working_days(start, days=n)) == n``.
        """
        offset = self._offset(start)
        if days == 0:
            return start
        # Forward: the working days up to and including start are skipped; backward: those
        # strictly before start are the candidates, the nearest being working day -1.
        index = self._rank[offset] + days - 1 if days > 0 else self._rank_before(offset) + days
        if not 0 <= index < len(self._working):
            raise self._out_of_range(
                zh_hant=f"{start.isoformat()} 加 {days} 個工作天超出日曆涵蓋的年份",
                en=f"{days} working days from {start.isoformat()} falls outside the calendar's years",
            )
        return date.fromordinal(self._working[index])

    def working_days_between(self, start: date, *, end: date) -> int:
        """Return the working days passed going from ``start`` to ``end``.

        ``start`` is excluded and ``end`` included, in either direction: for ``end >= start`` the
        count of working days in ``(start, end]``; for ``end < start`` minus the count in
        ``[end, start)``.
        """
        start_offset, end_offset = self._offset(start), self._offset(end)
        if end_offset >= start_offset:
            return self._rank[end_offset] - self._rank[start_offset]
        return self._rank_before(end_offset) - self._rank_before(start_offset)

    def next_working_day(self, day: date) -> date:
        """Return the first working day after ``day``."""
        return self.add_working_days(day, days=1)

    def previous_working_day(self, day: date) -> date:
        """Return the last working day before ``day``."""
        return self.add_working_days(day, days=-1)

    # --- Hours ---

    def is_open(self, at: datetime) -> bool:
        """Return whether the office is open at the instant ``at`` (timezone-aware)."""
        local = _local(at, argument="at")
        offset = self._offset(local.date())
        info = self._days[offset]
        if not info.is_working_day:
            return False
        now_us = _time_us(local.time())
        return any(
            start <= now_us < end
            for start, end in _truncated(self._intervals_us, closes_at=info.closes_at)
        )

    def working_time_between(self, start: datetime, *, end: datetime) -> timedelta:
        """Return the open time of the office from ``start`` to ``end`` (negative if reversed).

        Both instants must be timezone-aware; the office's hours are in Asia/Taipei. Closures
        from a time of day shorten that day's hours.
        """
        start_us = self._elapsed_us(_local(start, argument="start"))
        end_us = self._elapsed_us(_local(end, argument="end"))
        return timedelta(microseconds=end_us - start_us)

    def add_working_hours(self, start: datetime, *, hours: Decimal | int | timedelta) -> datetime:
        """Return the instant ``hours`` of open time after ``start`` (before it, if negative).

        Counting runs from the instant ``start`` (行政程序法 §48 I, "即時起算") through open
        hours only. Going forward the earliest such instant is returned (a limit ending with a
        day's hours ends at closing time, not next morning); going backward the latest (at
        opening time, not the previous evening). The result is in Asia/Taipei and satisfies
        ``working_time_between(start, end=result) == hours``. ``hours`` is a number of hours
        (``Decimal`` or ``int``, exact to the microsecond) or a ``timedelta``.
        """
        local = _local(start, argument="start")
        amount_us = _hours_us(hours)
        if amount_us == 0:
            return local
        target_us = self._elapsed_us(local) + amount_us
        cumulative = self._cumulative_us
        if amount_us > 0:
            index = bisect_left(cumulative, target_us) - 1
            found = index < len(self._working)
        else:
            index = bisect_right(cumulative, target_us) - 1
            found = target_us >= 0
        if not found:
            raise self._out_of_range(
                zh_hant=f"{local.isoformat()} 加工作時間 {timedelta(microseconds=amount_us)} 超出日曆涵蓋的年份",
                en=f"{timedelta(microseconds=amount_us)} of working time from {local.isoformat()} falls outside the calendar's years",
            )
        day = date.fromordinal(self._working[index])
        intervals = _truncated(
            self._intervals_us, closes_at=self._days[self._offset(day)].closes_at
        )
        within_us = target_us - cumulative[index]
        wall_us = (
            _earliest_wall_us(intervals, within_us=within_us)
            if amount_us > 0
            else _latest_wall_us(intervals, within_us=within_us)
        )
        return datetime.combine(day, _us_time(wall_us), tzinfo=TAIPEI)

    # --- Internals ---

    def _offset(self, day: date) -> int:
        if isinstance(day, datetime):
            raise CalendarError(
                code="calendar.not_a_date",
                zh_hant=f"請傳入日期而非日期時間（{day.isoformat()}）；請先換算為臺北當地日期。",
                en=f"Pass a date, not a datetime ({day.isoformat()}); convert it to the Asia/Taipei local date first.",
            )
        offset = day.toordinal() - self._first_ordinal
        if not 0 <= offset < len(self._days):
            raise self._out_of_range(
                zh_hant=f"日期 {day.isoformat()} 不在日曆涵蓋的年份",
                en=f"The date {day.isoformat()} is outside the calendar's years",
            )
        return offset

    def _rank_before(self, offset: int) -> int:
        """Number of working days strictly before the day at ``offset``."""
        return self._rank[offset] - int(self._days[offset].is_working_day)

    def _elapsed_us(self, local: datetime) -> int:
        """Open time from the calendar's first day up to the instant ``local`` [µs]."""
        offset = self._offset(local.date())
        info = self._days[offset]
        elapsed = self._cumulative_us[self._rank_before(offset)]
        if info.is_working_day:
            elapsed += _open_us(
                self._intervals_us, closes_at=info.closes_at, until_us=_time_us(local.time())
            )
        return elapsed

    def _out_of_range(self, *, zh_hant: str, en: str) -> CalendarError:
        first, last = self.years[0], self.years[-1]
        return CalendarError(
            code="calendar.out_of_range",
            zh_hant=f"{zh_hant}（{first}–{last} 年）。",
            en=f"{en} ({first}–{last}).",
            details={"first_year": first, "last_year": last},
        )


# --- Building blocks ------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _package_days(*, first_year: int, last_year: int) -> tuple[DayInfo, ...]:
    """Days of ``first_year``–``last_year`` as the holidays package sees them.

    The following year is populated too: a make-up Saturday at the end of December can belong
    to the next year's adjusted holiday (e.g. 2014-12-27 for 2015-01-02).
    """
    years = range(first_year, last_year + 2)
    categories = (holidays.PUBLIC, holidays.GOVERNMENT)
    zh = holidays.country_holidays("TW", years=years, categories=categories, language="zh_TW")
    en = holidays.country_holidays("TW", years=years, categories=categories, language="en_US")
    first = date(first_year, 1, 1).toordinal()
    result: list[DayInfo] = []
    for ordinal in range(first, date(last_year, 12, 31).toordinal() + 1):
        day = date.fromordinal(ordinal)
        weekend = zh.is_weekend(day)
        if zh.is_working_day(day):
            if weekend:
                result.append(
                    DayInfo(
                        day=day,
                        is_working_day=True,
                        is_weekend=True,
                        reason=DayReason.MAKEUP_WORKDAY,
                        label=Message(zh_hant="補行上班", en="Make-up working day"),
                        source=DaySource.HOLIDAYS_PACKAGE,
                    )
                )
            else:
                result.append(_plain_day(day, working=True))
        elif day in zh:
            result.append(
                DayInfo(
                    day=day,
                    is_working_day=False,
                    is_weekend=weekend,
                    reason=DayReason.HOLIDAY,
                    label=Message(
                        zh_hant="、".join(zh.get_list(day)), en="; ".join(en.get_list(day))
                    ),
                    source=DaySource.HOLIDAYS_PACKAGE,
                )
            )
        else:
            result.append(_plain_day(day, working=False))
    return tuple(result)


def _plain_day(day: date, *, working: bool) -> DayInfo:
    """An ordinary weekday (working) or weekend day (off)."""
    if working:
        return DayInfo(
            day=day,
            is_working_day=True,
            is_weekend=False,
            reason=DayReason.WORKING_DAY,
            label=Message(zh_hant="上班日", en="Working day"),
            source=DaySource.WEEKDAY_RULE,
        )
    return DayInfo(
        day=day,
        is_working_day=False,
        is_weekend=True,
        reason=DayReason.WEEKEND,
        label=Message(zh_hant="週末", en="Weekend"),
        source=DaySource.WEEKDAY_RULE,
    )


def _apply(
    current: DayInfo, *, override: CalendarOverride, package: DayInfo, hours: BusinessHours
) -> DayInfo:
    """Return ``current`` with ``override`` applied (``package`` supplies fallback names)."""
    source = DaySource.DGPA if override.source is OverrideSource.DGPA else DaySource.OFFICE
    weekend = current.is_weekend
    if override.kind is OverrideKind.HOLIDAY:
        if not override.name_zh and weekend:
            reason, zh, en = DayReason.WEEKEND, "週末", "Weekend"
        else:
            named = package.reason is DayReason.HOLIDAY
            reason = DayReason.HOLIDAY
            zh = override.name_zh or (package.label.zh_hant if named else "放假日")
            en = override.name_en or (package.label.en if named else "Day off")
        return DayInfo(
            day=current.day,
            is_working_day=False,
            is_weekend=weekend,
            reason=reason,
            label=Message(zh_hant=zh, en=en),
            source=source,
        )
    if override.kind is OverrideKind.WORKDAY:
        if weekend:
            reason, zh, en = DayReason.MAKEUP_WORKDAY, "補行上班", "Make-up working day"
        else:
            reason, zh, en = DayReason.WORKING_DAY, "上班日", "Working day"
        return DayInfo(
            day=current.day,
            is_working_day=True,
            is_weekend=weekend,
            reason=reason,
            label=Message(zh_hant=override.name_zh or zh, en=override.name_en or en),
            source=source,
        )
    closes_at = override.from_time
    if closes_at is None or closes_at <= hours.opens_at:
        return DayInfo(
            day=current.day,
            is_working_day=False,
            is_weekend=weekend,
            reason=DayReason.CLOSURE,
            label=Message(
                zh_hant=override.name_zh or "停止上班", en=override.name_en or "Office closed"
            ),
            source=source,
        )
    if not current.is_working_day:
        return current
    if current.closes_at is not None:
        closes_at = min(closes_at, current.closes_at)
    return DayInfo(
        day=current.day,
        is_working_day=True,
        is_weekend=weekend,
        reason=DayReason.PARTIAL_CLOSURE,
        label=Message(
            zh_hant=override.name_zh or f"{closes_at:%H:%M} 起停止上班",
            en=override.name_en or f"Office closed from {closes_at:%H:%M}",
        ),
        source=source,
        closes_at=closes_at,
    )


def _time_us(moment: time) -> int:
    """Microseconds since midnight of a wall time."""
    return (
        (moment.hour * 60 + moment.minute) * 60 + moment.second
    ) * 1_000_000 + moment.microsecond


def _us_time(microseconds: int) -> time:
    """Wall time of a number of microseconds since midnight (below 24 h)."""
    seconds, micro = divmod(microseconds, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _truncated(
    intervals_us: tuple[tuple[int, int], ...], *, closes_at: time | None
) -> tuple[tuple[int, int], ...]:
    """The open intervals of a day that closes at ``closes_at`` (``None``: normal hours)."""
    if closes_at is None:
        return intervals_us
    limit = _time_us(closes_at)
    return tuple((start, min(end, limit)) for start, end in intervals_us if start < limit)


def _open_us(
    intervals_us: tuple[tuple[int, int], ...], *, closes_at: time | None, until_us: int | None
) -> int:
    """Open time of a working day up to the wall time ``until_us`` (``None``: whole day) [µs]."""
    total = 0
    for start, end in _truncated(intervals_us, closes_at=closes_at):
        stop = end if until_us is None else min(end, until_us)
        total += max(0, stop - start)
    return total


def _earliest_wall_us(intervals: tuple[tuple[int, int], ...], *, within_us: int) -> int:
    """Earliest wall time at which ``within_us`` (> 0, ≤ the day's total) of open time is done."""
    for start, end in intervals[:-1]:
        if within_us <= end - start:
            return start + within_us
        within_us -= end - start
    return intervals[-1][0] + within_us


def _latest_wall_us(intervals: tuple[tuple[int, int], ...], *, within_us: int) -> int:
    """Latest wall time at which exactly ``within_us`` (≥ 0, < the day's total) is done."""
    for start, end in intervals[:-1]:
        if within_us < end - start:
            return start + within_us
        within_us -= end - start
    return intervals[-1][0] + within_us


def _local(moment: datetime, *, argument: str) -> datetime:
    """``moment`` in Asia/Taipei; naive datetimes are rejected."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(
            code="calendar.naive_datetime",
            zh_hant=f"「{argument}」的日期時間 {moment.isoformat()} 沒有時區；請傳入帶時區的時間（例如 Asia/Taipei）。",
            en=f"The datetime {moment.isoformat()} given as {argument!r} has no time zone; pass a timezone-aware datetime (e.g. Asia/Taipei).",
            field=argument,
        )
    return moment.astimezone(TAIPEI)


def _hours_us(amount: Decimal | int | timedelta) -> int:
    """An amount of working time as whole microseconds."""
    if isinstance(amount, timedelta):
        return amount // timedelta(microseconds=1)
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise CalendarError(
            code="calendar.hours_amount",
            zh_hant=f"工作時數必須是整數、Decimal 或 timedelta，不可為 {type(amount).__name__}。",
            en=f"Working hours must be an int, a Decimal or a timedelta, not {type(amount).__name__}.",
            field="hours",
        )
    if isinstance(amount, int):
        return amount * _MICROSECONDS_PER_HOUR
    microseconds = amount * _MICROSECONDS_PER_HOUR if amount.is_finite() else Decimal("NaN")
    if microseconds != microseconds.to_integral_value():
        raise CalendarError(
            code="calendar.hours_amount",
            zh_hant=f"工作時數 {amount} 必須是有限值，且精確到微秒。",
            en=f"Working hours {amount} must be finite and exact to the microsecond.",
            field="hours",
        )
    return int(microseconds)


# --- Calendar files -------------------------------------------------------------------------


def decode_office_calendar(raw: bytes) -> str:
    """Decode a calendar file: UTF-8 (with or without BOM) first, then Big5 (cp950).

    The DGPA has published the office calendar in both encodings.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp950")
    except UnicodeDecodeError as error:
        raise CalendarError(
            code="calendar_file.encoding",
            zh_hant=f"檔案既非 UTF-8 也非 Big5 編碼（第 {error.start} 位元組無法解讀）。",
            en=f"The file is neither UTF-8 nor Big5 (byte {error.start} cannot be decoded).",
        ) from error


def load_office_calendar(text: str | bytes) -> tuple[CalendarOverride, ...]:
    """Parse a calendar file into overrides; the format is detected from the header row.

    Two formats are accepted:

    * the DGPA office calendar (https://data.gov.tw/dataset/14718): header
      ``西元日期,星期,是否放假,備註``; dates ``YYYYMMDD``; 星期 ``一``…``日`` (checked against the
      date); 是否放假 ``2`` (day off) or ``0`` (working day). Every row becomes an override with
      ``source=DGPA``.
    * the powerdesk override file: header ``date,kind,name_zh,name_en[,from_time]``; dates
      ``YYYY-MM-DD``; ``kind`` one of ``closed``, ``workday``, ``holiday``; ``from_time``
      ``HH:MM`` (only for ``closed``). See ``powerdesk/core/data/office_calendar/README.md``.

    Bytes are decoded as UTF-8 or Big5; a leading BOM is ignored; blank lines and lines starting
    with ``#`` are skipped. The first bad row raises ``CalendarFileError`` naming its line
    number, column and value, and nothing is returned.
    """
    if isinstance(text, bytes):
        text = decode_office_calendar(text)
    rows = [
        (number, next(csv.reader([line])))
        for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise CalendarError(
            code="calendar_file.empty",
            zh_hant="檔案是空的：缺少標題列。",
            en="The file is empty: the header row is missing.",
        )
    header_number, header_cells = rows[0]
    header = tuple(cell.strip() for cell in header_cells)
    if header == _DGPA_HEADER:
        return _load_dgpa(rows[1:])
    if header[:4] == _OFFICE_HEADER and header[4:] in ((), (_OFFICE_FROM_TIME,)):
        return _load_office(rows[1:], header=header)
    raise CalendarFileError(
        code="calendar_file.header",
        zh_hant=f"無法辨識的標題列；應為「{','.join(_DGPA_HEADER)}」（人事總處辦公日曆表）或「{','.join((*_OFFICE_HEADER, _OFFICE_FROM_TIME))}」（本系統格式，from_time 可省略）。",
        en=f"Unrecognised header; expected {','.join(_DGPA_HEADER)!r} (DGPA office calendar) or {','.join((*_OFFICE_HEADER, _OFFICE_FROM_TIME))!r} (powerdesk format, from_time optional).",
        row=header_number,
        column="header",
        value=",".join(header_cells),
    )


def _cells(
    number: int, cells: list[str], *, header: tuple[str, ...], required: int
) -> tuple[str, ...]:
    """The row's stripped cells padded to the header's width; wrong widths are rejected."""
    if not required <= len(cells) <= len(header):
        raise CalendarFileError(
            code="calendar_file.columns",
            zh_hant=f"欄位數為 {len(cells)}，應為 {required} 到 {len(header)} 欄。",
            en=f"The row has {len(cells)} columns; expected {required} to {len(header)}.",
            row=number,
            column="row",
            value=",".join(cells),
        )
    stripped = tuple(cell.strip() for cell in cells)
    return stripped + ("",) * (len(header) - len(stripped))


def _check_unique(
    number: int, *, day: date, seen: dict[date, int], column: str, value: str
) -> None:
    if day in seen:
        raise CalendarFileError(
            code="calendar_file.duplicate_date",
            zh_hant=f"日期重複，已出現在第 {seen[day]} 列。",
            en=f"Duplicate date; already given on row {seen[day]}.",
            row=number,
            column=column,
            value=value,
        )
    seen[day] = number


def _load_dgpa(rows: list[tuple[int, list[str]]]) -> tuple[CalendarOverride, ...]:
    """Rows of the DGPA office calendar (header already checked)."""
    date_column, weekday_column, flag_column, _note = _DGPA_HEADER
    seen: dict[date, int] = {}
    result: list[CalendarOverride] = []
    for number, raw_cells in rows:
        raw_date, weekday, flag, note = _cells(number, raw_cells, header=_DGPA_HEADER, required=3)
        day = _parse_date(
            number, value=raw_date, column=date_column, pattern=_DGPA_DATE, example="20260302"
        )
        if weekday != _WEEKDAY_ZH[day.weekday()]:
            raise CalendarFileError(
                code="calendar_file.weekday",
                zh_hant=f"{day.isoformat()} 是星期{_WEEKDAY_ZH[day.weekday()]}。",
                en=f"{day.isoformat()} is a {day:%A} (星期{_WEEKDAY_ZH[day.weekday()]}).",
                row=number,
                column=weekday_column,
                value=weekday,
            )
        if flag not in ("0", "2"):
            raise CalendarFileError(
                code="calendar_file.day_off_flag",
                zh_hant="只能是 0（上班）或 2（放假）。",
                en="Expected 0 (working day) or 2 (day off).",
                row=number,
                column=flag_column,
                value=flag,
            )
        _check_unique(number, day=day, seen=seen, column=date_column, value=raw_date)
        kind = OverrideKind.HOLIDAY if flag == "2" else OverrideKind.WORKDAY
        result.append(
            CalendarOverride(day=day, kind=kind, name_zh=note, source=OverrideSource.DGPA)
        )
    return tuple(result)


def _load_office(
    rows: list[tuple[int, list[str]]], *, header: tuple[str, ...]
) -> tuple[CalendarOverride, ...]:
    """Rows of the powerdesk override file (header already checked)."""
    seen: dict[date, int] = {}
    result: list[CalendarOverride] = []
    for number, raw_cells in rows:
        raw_date, raw_kind, name_zh, name_en, *rest = _cells(
            number, raw_cells, header=header, required=len(_OFFICE_HEADER)
        )
        day = _parse_date(
            number, value=raw_date, column="date", pattern=_ISO_DATE, example="2026-03-02"
        )
        try:
            kind = OverrideKind(raw_kind)
        except ValueError:
            raise CalendarFileError(
                code="calendar_file.kind",
                zh_hant="只能是 closed（停止上班）、workday（上班／補班）或 holiday（放假）。",
                en="Expected closed, workday or holiday.",
                row=number,
                column="kind",
                value=raw_kind,
            ) from None
        raw_from = rest[0] if rest else ""
        from_time = _parse_from_time(number, value=raw_from, kind=kind) if raw_from else None
        _check_unique(number, day=day, seen=seen, column="date", value=raw_date)
        result.append(
            CalendarOverride(
                day=day, kind=kind, name_zh=name_zh, name_en=name_en, from_time=from_time
            )
        )
    return tuple(result)


def _parse_date(
    number: int, *, value: str, column: str, pattern: re.Pattern[str], example: str
) -> date:
    """A date cell matching ``pattern`` (groups: year, month, day); else ``CalendarFileError``."""
    match = pattern.fullmatch(value)
    if match:
        year, month, day = (int(group) for group in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise CalendarFileError(
        code="calendar_file.date",
        zh_hant=f"不是有效日期；格式應為 {example}。",
        en=f"Not a valid date; expected the form {example}.",
        row=number,
        column=column,
        value=value,
    )


def _parse_from_time(number: int, *, value: str, kind: OverrideKind) -> time:
    """A ``from_time`` cell ``HH:MM``, allowed only for closures."""
    if kind is not OverrideKind.CLOSED:
        raise CalendarFileError(
            code="calendar_file.from_time",
            zh_hant="只有 closed（停止上班）可以指定起始時間。",
            en="Only 'closed' rows can have a from_time.",
            row=number,
            column=_OFFICE_FROM_TIME,
            value=value,
        )
    if _HH_MM.fullmatch(value):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarFileError(
        code="calendar_file.from_time",
        zh_hant="不是有效時間；格式應為 HH:MM（例如 12:00）。",
        en="Not a valid time; expected HH:MM (e.g. 12:00).",
        row=number,
        column=_OFFICE_FROM_TIME,
        value=value,
    )
