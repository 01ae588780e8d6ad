"""Tests of the working-day calendar (pure; no database).

Expected dates were worked out by hand from the DGPA office calendars (行政院人事行政總處
「政府行政機關辦公日曆表」) as documented by the holidays package, which cites them:

* 2025 春節: off Sat 01-25 to Sun 02-02; Mon 01-27 an adjusted day off (調整放假) made up on
  Sat 02-08 (補行上班).
* 2026 春節: off Sat 02-14 to Sun 02-22, no make-up day; 和平紀念日 (Sat 02-28) observed Fri
  02-27; 國慶日 (Sat 10-10) observed Fri 10-09.
* 2027 春節: off Thu 02-04 to Wed 02-10 (小年夜 and 除夕 Thu/Fri, 初一/初二 on the weekend
  observed Tue/Wed), no make-up day; 2027-12-31 off as 2028 New Year's Day (Sat) observed. These
  come from the package's rules (holidays 0.109 is checked against DGPA calendars up to 2026).

``data/dgpa-2025-sample.csv`` is January and February 2025 in the DGPA file format (UTF-8 with
BOM, CRLF). Its day-off flags match the published 114年 calendar, and
``test_dgpa_fixture_flags_agree_with_the_holidays_package`` checks them against the package.
The 備註 wording follows the published files' style.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerdesk.core.domain.calendar import (
    DEFAULT_HOURS,
    TAIPEI,
    BusinessHours,
    CalendarError,
    CalendarFileError,
    CalendarOverride,
    DayReason,
    DaySource,
    OverrideKind,
    OverrideSource,
    WorkingCalendar,
    decode_office_calendar,
    load_office_calendar,
)

DGPA_2025 = Path(__file__).parent / "data" / "dgpa-2025-sample.csv"
SAMPLE_2026 = Path(__file__).parents[1] / "data" / "office_calendar" / "sample-2026.csv"
YEARS = range(2024, 2029)
CALENDAR = WorkingCalendar.build(years=YEARS)
LUNCH_HOURS = BusinessHours(
    opens_at=time(8, 30), closes_at=time(17, 30), lunch_break=(time(12), time(13))
)


def d(text: str) -> date:
    return date.fromisoformat(text)


NAIVE = datetime.fromisoformat("2026-03-02T09:00")  # no tzinfo: what callers must not pass


def taipei(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TAIPEI)


def closed(day: str, *, from_time: time | None = None, **names: str) -> CalendarOverride:
    return CalendarOverride(day=d(day), kind=OverrideKind.CLOSED, from_time=from_time, **names)


# --- Building ---------------------------------------------------------------------------------


def test_build_covers_every_year_between_the_smallest_and_largest() -> None:
    # when
    calendar = WorkingCalendar.build(years=(2027, 2025))
    # then
    assert calendar.years == (2025, 2026, 2027)
    assert calendar.is_working_day(d("2026-03-02")) is True


@pytest.mark.parametrize(
    ("_case", "years"),
    [("no year", ()), ("before 1998", (1997, 2000)), ("after 2099", range(2090, 2101))],
)
def test_build_rejects_unsupported_years(_case: str, years: tuple[int, ...] | range) -> None:
    with pytest.raises(CalendarError) as raised:
        WorkingCalendar.build(years=years)
    assert raised.value.code == "calendar.years"
    assert raised.value.field == "years"


def test_calendars_with_the_same_inputs_are_equal_and_hashable() -> None:
    other = WorkingCalendar.build(years=range(2024, 2029))
    assert other == CALENDAR
    assert hash(other) == hash(CALENDAR)
    assert other != CALENDAR.with_overrides([closed("2025-07-07")])


def test_with_overrides_returns_a_new_calendar_and_leaves_the_original_alone() -> None:
    # when
    changed = CALENDAR.with_overrides([closed("2025-07-07")])
    # then
    assert changed.is_working_day(d("2025-07-07")) is False
    assert CALENDAR.is_working_day(d("2025-07-07")) is True
    assert CALENDAR.overrides == ()
    assert changed.overrides == (closed("2025-07-07"),)


def test_overrides_outside_the_years_are_kept_but_have_no_effect() -> None:
    calendar = WorkingCalendar.build(years=(2026,), overrides=[closed("2025-07-07")])
    assert calendar.overrides == (closed("2025-07-07"),)
    # 2026-01-01 is a holiday, so (01-01, 12-31] holds all 245 working days of 2026.
    assert calendar.working_days_between(d("2026-01-01"), end=d("2026-12-31")) == 245


# --- Working days from the holidays package -------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "day", "expected"),
    [
        ("2025 last day before the break", "2025-01-24", True),
        ("2025 break starts on Saturday", "2025-01-25", False),
        ("2025 adjusted day off (bridge)", "2025-01-27", False),
        ("2025 除夕", "2025-01-28", False),
        ("2025 初三", "2025-01-31", False),
        ("2025 break ends on Sunday", "2025-02-02", False),
        ("2025 first day back", "2025-02-03", True),
        ("2025 make-up Saturday", "2025-02-08", True),
        ("2025 ordinary Saturday", "2025-02-15", False),
        ("2026 last day before the break", "2026-02-13", True),
        ("2026 break starts on Saturday", "2026-02-14", False),
        ("2026 除夕 observed", "2026-02-20", False),
        ("2026 break ends on Sunday", "2026-02-22", False),
        ("2026 first day back", "2026-02-23", True),
        ("2026 和平紀念日補假", "2026-02-27", False),
        ("2026 國慶日補假", "2026-10-09", False),
        ("2026 Labour Day is a national holiday from 2026", "2026-05-01", False),
        ("2025 Labour Day is not a day off for government offices", "2025-05-01", True),
        ("2027 last day before the break", "2027-02-03", True),
        ("2027 小年夜", "2027-02-04", False),
        ("2027 初二 observed", "2027-02-10", False),
        ("2027 first day back", "2027-02-11", True),
        ("2027 New Year's Day 2028 observed", "2027-12-31", False),
    ],
)
def test_is_working_day(_case: str, day: str, *, expected: bool) -> None:
    assert CALENDAR.is_working_day(d(day)) is expected


@pytest.mark.parametrize(
    ("_case", "start", "days", "expected"),
    [
        ("10 working days from a Monday", "2026-03-02", 10, "2026-03-16"),
        ("day 1 is the next working day", "2026-03-02", 1, "2026-03-03"),
        ("from a Saturday", "2026-03-07", 1, "2026-03-09"),
        ("day 0 is the start, even on a holiday", "2025-01-29", 0, "2025-01-29"),
        ("across 2025 春節", "2025-01-22", 5, "2025-02-05"),
        ("over the 2025 break in one step", "2025-01-24", 1, "2025-02-03"),
        ("onto the 2025 make-up Saturday", "2025-02-05", 3, "2025-02-08"),
        ("from the make-up Saturday", "2025-02-08", 1, "2025-02-10"),
        ("across 2026 春節", "2026-02-12", 2, "2026-02-23"),
        ("over the 2026 break in one step", "2026-02-13", 1, "2026-02-23"),
        ("over 和平紀念日補假", "2026-02-26", 1, "2026-03-02"),
        ("over 國慶日補假", "2026-10-08", 1, "2026-10-12"),
        ("across 2027 春節", "2027-02-03", 1, "2027-02-11"),
        ("into the next year over New Year's Day", "2025-12-31", 1, "2026-01-02"),
        ("over an observed New Year's Day in December", "2027-12-30", 1, "2028-01-03"),
        ("backwards 10 working days", "2026-03-16", -10, "2026-03-02"),
        ("backwards over New Year's Day", "2026-01-02", -1, "2025-12-31"),
        ("backwards over 2026 春節", "2026-02-23", -1, "2026-02-13"),
        ("backwards onto the make-up Saturday", "2025-02-10", -1, "2025-02-08"),
        ("backwards from a Saturday", "2026-03-07", -1, "2026-03-06"),
        ("backwards from a holiday", "2025-01-29", -1, "2025-01-24"),
        ("backwards over the observed New Year's Day", "2028-01-03", -1, "2027-12-30"),
    ],
)
def test_add_working_days(_case: str, start: str, days: int, expected: str) -> None:
    assert CALENDAR.add_working_days(d(start), days=days) == d(expected)


@pytest.mark.parametrize(
    ("_case", "start", "end", "expected"),
    [
        ("the 10-day example", "2026-03-02", "2026-03-16", 10),
        ("reversed", "2026-03-16", "2026-03-02", -10),
        ("same day", "2026-03-02", "2026-03-02", 0),
        ("over the 2025 break", "2025-01-24", "2025-02-03", 1),
        ("Saturday back to Friday", "2026-03-07", "2026-03-06", -1),
        ("weekend only", "2026-03-07", "2026-03-08", 0),
        # 2026 starts on a Thursday: 104 weekend days and 16 weekday holidays leave 245.
        ("the whole of 2026", "2025-12-31", "2026-12-31", 245),
        # 2025: 104 weekend days, 15 weekday days off, one make-up Saturday: 247.
        ("the whole of 2025", "2024-12-31", "2025-12-31", 247),
    ],
)
def test_working_days_between(_case: str, start: str, end: str, expected: int) -> None:
    assert CALENDAR.working_days_between(d(start), end=d(end)) == expected


def test_next_and_previous_working_day() -> None:
    assert CALENDAR.next_working_day(d("2026-02-13")) == d("2026-02-23")
    assert CALENDAR.previous_working_day(d("2026-02-23")) == d("2026-02-13")
    assert CALENDAR.next_working_day(d("2025-02-07")) == d("2025-02-08")
    assert CALENDAR.previous_working_day(d("2025-02-03")) == d("2025-01-24")


@pytest.mark.parametrize(
    ("_case", "day", "reason", "zh", "en", "working", "weekend", "source"),
    [
        (
            "ordinary weekday",
            "2026-03-02",
            DayReason.WORKING_DAY,
            "上班日",
            "Working day",
            True,
            False,
            DaySource.WEEKDAY_RULE,
        ),
        (
            "ordinary weekend",
            "2026-03-07",
            DayReason.WEEKEND,
            "週末",
            "Weekend",
            False,
            True,
            DaySource.WEEKDAY_RULE,
        ),
        (
            "補假",
            "2026-02-27",
            DayReason.HOLIDAY,
            "和平紀念日（補假）",
            "Peace Memorial Day (observed)",
            False,
            False,
            DaySource.HOLIDAYS_PACKAGE,
        ),
        (
            "國慶日補假",
            "2026-10-09",
            DayReason.HOLIDAY,
            "國慶日（補假）",
            "National Day (observed)",
            False,
            False,
            DaySource.HOLIDAYS_PACKAGE,
        ),
        (
            "holiday on a Saturday",
            "2026-04-04",
            DayReason.HOLIDAY,
            "兒童節",
            "Children's Day",
            False,
            True,
            DaySource.HOLIDAYS_PACKAGE,
        ),
        (
            "two holidays on one day",
            "2024-04-04",
            DayReason.HOLIDAY,
            "兒童節、民族掃墓節",
            "Children's Day; Tomb-Sweeping Day",
            False,
            False,
            DaySource.HOLIDAYS_PACKAGE,
        ),
        (
            "adjusted day off",
            "2025-01-27",
            DayReason.HOLIDAY,
            "放假日（2025-02-08 補班）",
            "Day off (substituted from 02/08/2025)",
            False,
            False,
            DaySource.HOLIDAYS_PACKAGE,
        ),
        (
            "make-up Saturday",
            "2025-02-08",
            DayReason.MAKEUP_WORKDAY,
            "補行上班",
            "Make-up working day",
            True,
            True,
            DaySource.HOLIDAYS_PACKAGE,
        ),
    ],
)
def test_describe_day(
    _case: str,
    day: str,
    reason: DayReason,
    zh: str,
    en: str,
    *,
    working: bool,
    weekend: bool,
    source: DaySource,
) -> None:
    info = CALENDAR.describe_day(d(day))
    assert info.day == d(day)
    assert info.reason is reason
    assert info.label.zh_hant == zh
    assert info.label.en == en
    assert info.label.in_language("en") == en
    assert info.is_working_day is working
    assert info.is_weekend is weekend
    assert info.source is source
    assert info.closes_at is None


def test_working_days_match_the_holidays_package_day_by_day() -> None:
    # given: the package's own day-by-day verdict, as an independent reference
    package = holidays.country_holidays("TW", years=range(2024, 2030), categories=("public",))
    day = d("2024-01-01")
    # when / then
    while day <= d("2028-12-31"):
        assert CALENDAR.is_working_day(day) is package.is_working_day(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("_case", "call"),
    [
        ("day before the range", lambda: CALENDAR.is_working_day(d("2023-12-31"))),
        ("day after the range", lambda: CALENDAR.describe_day(d("2029-01-01"))),
        ("result after the range", lambda: CALENDAR.add_working_days(d("2028-12-20"), days=10)),
        ("result before the range", lambda: CALENDAR.add_working_days(d("2024-01-05"), days=-5)),
        (
            "end after the range",
            lambda: CALENDAR.working_days_between(d("2028-01-01"), end=d("2029-01-02")),
        ),
        ("no working day left", lambda: CALENDAR.next_working_day(d("2028-12-29"))),
    ],
)
def test_dates_outside_the_calendar_are_rejected(_case: str, call) -> None:
    with pytest.raises(CalendarError) as raised:
        call()
    assert raised.value.code == "calendar.out_of_range"
    assert raised.value.details == {"first_year": 2024, "last_year": 2028}
    assert "2024–2028" in raised.value.message.en
    assert "2024–2028" in raised.value.message.zh_hant


def test_a_datetime_is_not_accepted_as_a_day() -> None:
    with pytest.raises(CalendarError) as raised:
        CALENDAR.is_working_day(datetime(2026, 3, 1, 20, tzinfo=UTC))
    assert raised.value.code == "calendar.not_a_date"


# --- Office overrides -------------------------------------------------------------------------


def test_typhoon_closure_is_not_a_working_day_and_shifts_deadlines() -> None:
    # given
    calendar = CALENDAR.with_overrides([closed("2025-07-07")])
    # when
    due = calendar.add_working_days(d("2025-07-04"), days=1)
    # then
    assert CALENDAR.add_working_days(d("2025-07-04"), days=1) == d("2025-07-07")
    assert due == d("2025-07-08")
    assert calendar.working_days_between(d("2025-07-04"), end=d("2025-07-08")) == 1
    info = calendar.describe_day(d("2025-07-07"))
    assert info.reason is DayReason.CLOSURE
    assert info.source is DaySource.OFFICE
    assert (info.label.zh_hant, info.label.en) == ("停止上班", "Office closed")


def test_closure_names_are_kept() -> None:
    calendar = CALENDAR.with_overrides(
        [closed("2025-07-07", name_zh="颱風停止上班", name_en="Typhoon closure")]
    )
    info = calendar.describe_day(d("2025-07-07"))
    assert (info.label.zh_hant, info.label.en) == ("颱風停止上班", "Typhoon closure")


def test_closure_from_opening_time_closes_the_whole_day() -> None:
    calendar = CALENDAR.with_overrides([closed("2025-07-07", from_time=time(8, 30))])
    assert calendar.describe_day(d("2025-07-07")).reason is DayReason.CLOSURE
    assert calendar.is_working_day(d("2025-07-07")) is False


def test_afternoon_closure_keeps_the_day_but_shortens_its_hours() -> None:
    # given: the office closes at 12:00 on Monday 2025-07-07
    calendar = CALENDAR.with_overrides([closed("2025-07-07", from_time=time(12))])
    start = taipei("2025-07-07T10:00")
    # when
    due = calendar.add_working_hours(start, hours=4)
    # then: 10:00–12:00 on Monday, 08:30–10:30 on Tuesday
    assert due == taipei("2025-07-08T10:30")
    assert CALENDAR.add_working_hours(start, hours=4) == taipei("2025-07-07T14:00")
    assert calendar.is_working_day(d("2025-07-07")) is True
    assert calendar.add_working_days(d("2025-07-04"), days=1) == d("2025-07-07")
    assert calendar.working_time_between(
        taipei("2025-07-07T08:30"), end=taipei("2025-07-08T08:30")
    ) == timedelta(hours=3, minutes=30)
    assert calendar.is_open(taipei("2025-07-07T11:59:59")) is True
    assert calendar.is_open(taipei("2025-07-07T12:00")) is False
    info = calendar.describe_day(d("2025-07-07"))
    assert info.reason is DayReason.PARTIAL_CLOSURE
    assert info.closes_at == time(12)
    assert (info.label.zh_hant, info.label.en) == ("12:00 起停止上班", "Office closed from 12:00")


@pytest.mark.parametrize(
    ("_case", "first", "second"),
    [("later then earlier", time(15), time(12)), ("earlier then later", time(12), time(15))],
)
def test_two_partial_closures_on_one_day_keep_the_earlier_time(
    _case: str, first: time, second: time
) -> None:
    calendar = CALENDAR.with_overrides(
        [closed("2025-07-07", from_time=first), closed("2025-07-07", from_time=second)]
    )
    assert calendar.describe_day(d("2025-07-07")).closes_at == time(12)


def test_partial_closure_on_a_day_off_changes_nothing() -> None:
    calendar = CALENDAR.with_overrides([closed("2025-07-06", from_time=time(12))])
    assert calendar.describe_day(d("2025-07-06")) == CALENDAR.describe_day(d("2025-07-06"))


def test_the_last_override_for_a_day_wins() -> None:
    # given: a closure recorded by mistake, then corrected with a working day
    calendar = CALENDAR.with_overrides(
        [closed("2025-07-07"), CalendarOverride(day=d("2025-07-07"), kind=OverrideKind.WORKDAY)]
    )
    # then
    info = calendar.describe_day(d("2025-07-07"))
    assert info.is_working_day is True
    assert info.reason is DayReason.WORKING_DAY
    assert info.source is DaySource.OFFICE


def test_bridge_day_and_make_up_saturday() -> None:
    # given: Thu 2026-12-24 off, made up on Sat 2026-12-19
    calendar = CALENDAR.with_overrides(
        [
            CalendarOverride(
                day=d("2026-12-24"),
                kind=OverrideKind.HOLIDAY,
                name_zh="調整放假",
                name_en="Bridge day",
            ),
            CalendarOverride(day=d("2026-12-19"), kind=OverrideKind.WORKDAY),
        ]
    )
    # then
    assert calendar.add_working_days(d("2026-12-18"), days=1) == d("2026-12-19")
    assert calendar.add_working_days(d("2026-12-23"), days=1) == d("2026-12-28")
    bridge = calendar.describe_day(d("2026-12-24"))
    assert (bridge.reason, bridge.label.zh_hant, bridge.label.en) == (
        DayReason.HOLIDAY,
        "調整放假",
        "Bridge day",
    )
    saturday = calendar.describe_day(d("2026-12-19"))
    assert (saturday.reason, saturday.label.zh_hant, saturday.label.en) == (
        DayReason.MAKEUP_WORKDAY,
        "補行上班",
        "Make-up working day",
    )
    assert saturday.is_weekend is True


@pytest.mark.parametrize(
    ("_case", "day", "reason", "zh", "en"),
    [
        ("unnamed day off on a weekday", "2026-12-24", DayReason.HOLIDAY, "放假日", "Day off"),
        (
            "unnamed day off on a holiday keeps its name",
            "2026-02-27",
            DayReason.HOLIDAY,
            "和平紀念日（補假）",
            "Peace Memorial Day (observed)",
        ),
        ("unnamed day off on a weekend", "2026-12-19", DayReason.WEEKEND, "週末", "Weekend"),
    ],
)
def test_unnamed_day_off_overrides(
    _case: str, day: str, reason: DayReason, zh: str, en: str
) -> None:
    calendar = CALENDAR.with_overrides([CalendarOverride(day=d(day), kind=OverrideKind.HOLIDAY)])
    info = calendar.describe_day(d(day))
    assert (info.is_working_day, info.reason, info.label.zh_hant, info.label.en) == (
        False,
        reason,
        zh,
        en,
    )


def test_forced_working_day_on_a_holiday() -> None:
    calendar = CALENDAR.with_overrides(
        [CalendarOverride(day=d("2026-02-27"), kind=OverrideKind.WORKDAY, name_zh="照常上班")]
    )
    info = calendar.describe_day(d("2026-02-27"))
    assert (info.is_working_day, info.reason, info.label.zh_hant, info.label.en) == (
        True,
        DayReason.WORKING_DAY,
        "照常上班",
        "Working day",
    )
    assert calendar.add_working_days(d("2026-02-26"), days=1) == d("2026-02-27")


@pytest.mark.parametrize(
    ("_case", "kind", "from_time"),
    [
        ("from_time on a holiday", OverrideKind.HOLIDAY, time(12)),
        ("from_time on a workday", OverrideKind.WORKDAY, time(12)),
        ("aware from_time", OverrideKind.CLOSED, time(12, tzinfo=TAIPEI)),
    ],
)
def test_override_rejects_bad_from_time(_case: str, kind: OverrideKind, from_time: time) -> None:
    with pytest.raises(CalendarError) as raised:
        CalendarOverride(day=d("2026-08-04"), kind=kind, from_time=from_time)
    assert raised.value.code == "calendar.override_from_time"
    assert raised.value.field == "from_time"


# --- DGPA office calendar files ---------------------------------------------------------------


def test_dgpa_fixture_loads_every_row() -> None:
    # when
    overrides = load_office_calendar(DGPA_2025.read_bytes())
    # then
    assert len(overrides) == 59
    assert {item.source for item in overrides} == {OverrideSource.DGPA}
    assert overrides[0] == CalendarOverride(
        day=d("2025-01-01"),
        kind=OverrideKind.HOLIDAY,
        name_zh="開國紀念日",
        source=OverrideSource.DGPA,
    )
    by_day = {item.day: item for item in overrides}
    assert by_day[d("2025-02-08")] == CalendarOverride(
        day=d("2025-02-08"),
        kind=OverrideKind.WORKDAY,
        name_zh="補行上班",
        source=OverrideSource.DGPA,
    )
    assert by_day[d("2025-01-27")].kind is OverrideKind.HOLIDAY


def test_dgpa_fixture_flags_agree_with_the_holidays_package() -> None:
    for item in load_office_calendar(DGPA_2025.read_bytes()):
        assert CALENDAR.is_working_day(item.day) is (item.kind is OverrideKind.WORKDAY), item


@pytest.mark.parametrize(
    ("_case", "encode"),
    [
        ("UTF-8 with BOM as bytes", lambda text: ("\ufeff" + text).encode("utf-8")),
        ("UTF-8 without BOM", lambda text: text.encode("utf-8")),
        ("Big5 (cp950)", lambda text: text.encode("cp950")),
        ("text with BOM", lambda text: "\ufeff" + text),
        ("text", lambda text: text),
    ],
)
def test_dgpa_file_in_every_encoding_gives_the_same_overrides(_case: str, encode) -> None:
    text = DGPA_2025.read_bytes().decode("utf-8-sig")
    assert load_office_calendar(encode(text)) == load_office_calendar(DGPA_2025.read_bytes())


def test_decode_rejects_bytes_that_are_neither_utf8_nor_big5() -> None:
    with pytest.raises(CalendarError) as raised:
        decode_office_calendar("西元日期".encode() + b"\x80")
    assert raised.value.code == "calendar_file.encoding"


def test_loaded_dgpa_calendar_builds_the_same_working_days() -> None:
    # given
    calendar = CALENDAR.with_overrides(load_office_calendar(DGPA_2025.read_bytes()))
    # then
    assert calendar.add_working_days(d("2025-02-05"), days=3) == d("2025-02-08")
    assert calendar.add_working_days(d("2025-01-22"), days=5) == d("2025-02-05")
    saturday = calendar.describe_day(d("2025-02-08"))
    assert (saturday.reason, saturday.source, saturday.label.zh_hant) == (
        DayReason.MAKEUP_WORKDAY,
        DaySource.DGPA,
        "補行上班",
    )
    bridge = calendar.describe_day(d("2025-01-27"))
    assert (bridge.reason, bridge.label.zh_hant, bridge.label.en) == (
        DayReason.HOLIDAY,
        "調整放假",
        "Day off (substituted from 02/08/2025)",
    )
    weekend = calendar.describe_day(d("2025-01-04"))
    assert (weekend.reason, weekend.source) == (DayReason.WEEKEND, DaySource.DGPA)
    weekday = calendar.describe_day(d("2025-01-02"))
    assert (weekday.reason, weekday.label.zh_hant) == (DayReason.WORKING_DAY, "上班日")


def test_dgpa_rows_are_authoritative_over_the_holidays_package() -> None:
    # given: a DGPA file that works on 行憲紀念日 (as the 2025 calendar did before the 2025
    # amendment) and gives an unnamed day off on a Friday
    text = "西元日期,星期,是否放假,備註\n20251225,四,0,\n20251226,五,2,\n"
    # when
    calendar = CALENDAR.with_overrides(load_office_calendar(text))
    # then
    assert CALENDAR.is_working_day(d("2025-12-25")) is False
    assert calendar.is_working_day(d("2025-12-25")) is True
    assert calendar.describe_day(d("2025-12-25")).source is DaySource.DGPA
    off = calendar.describe_day(d("2025-12-26"))
    assert (off.is_working_day, off.label.zh_hant, off.label.en) == (False, "放假日", "Day off")


def test_closures_apply_over_a_dgpa_year_in_any_order() -> None:
    # given: the closure comes before the DGPA rows in the list
    calendar = WorkingCalendar.build(
        years=YEARS,
        overrides=(
            closed("2025-02-08", name_zh="颱風停止上班"),
            *load_office_calendar(DGPA_2025.read_bytes()),
        ),
    )
    # then: the DGPA make-up Saturday is closed after all
    info = calendar.describe_day(d("2025-02-08"))
    assert (info.is_working_day, info.reason, info.label.zh_hant) == (
        False,
        DayReason.CLOSURE,
        "颱風停止上班",
    )
    assert calendar.add_working_days(d("2025-02-07"), days=1) == d("2025-02-10")


def test_dgpa_row_without_trailing_comma_is_accepted() -> None:
    overrides = load_office_calendar("西元日期,星期,是否放假,備註\r\n20250208,六,0\r\n")
    assert overrides == (
        CalendarOverride(
            day=d("2025-02-08"), kind=OverrideKind.WORKDAY, source=OverrideSource.DGPA
        ),
    )


@pytest.mark.parametrize(
    ("_case", "row", "code", "column", "value"),
    [
        ("impossible date", "20250230,日,2,", "calendar_file.date", "西元日期", "20250230"),
        ("ISO date", "2025-02-08,六,0,", "calendar_file.date", "西元日期", "2025-02-08"),
        ("wrong weekday", "20250208,五,0,", "calendar_file.weekday", "星期", "五"),
        ("unknown flag", "20250208,六,1,", "calendar_file.day_off_flag", "是否放假", "1"),
        (
            "too many columns",
            "20250208,六,0,補行上班,x",
            "calendar_file.columns",
            "row",
            "20250208,六,0,補行上班,x",
        ),
        ("too few columns", "20250208,六", "calendar_file.columns", "row", "20250208,六"),
        (
            "duplicate date",
            "20250101,三,2,",
            "calendar_file.duplicate_date",
            "西元日期",
            "20250101",
        ),
    ],
)
def test_bad_dgpa_rows_are_rejected_with_row_column_and_value(
    _case: str, row: str, code: str, column: str, value: str
) -> None:
    # given: a good row 2, a blank line 3, and the bad row on line 4
    text = f"西元日期,星期,是否放假,備註\n20250101,三,2,開國紀念日\n\n{row}\n20250102,四,0,\n"
    # when
    with pytest.raises(CalendarFileError) as raised:
        load_office_calendar(text)
    # then
    error = raised.value
    assert (error.code, error.row, error.column, error.value) == (code, 4, column, value)
    assert error.details == {"row": 4, "column": column, "value": value}
    assert error.message.en.startswith(f"Row 4, column {column!r}, value {value!r}: ")
    assert error.message.zh_hant.startswith(f"第 4 列「{column}」欄的值「{value}」有誤：")


def test_duplicate_date_names_the_first_row() -> None:
    with pytest.raises(CalendarFileError) as raised:
        load_office_calendar("西元日期,星期,是否放假,備註\n20250101,三,2,\n20250101,三,2,\n")
    assert "row 2" in raised.value.message.en
    assert "第 2 列" in raised.value.message.zh_hant


# --- powerdesk override files -----------------------------------------------------------------


def test_sample_override_file_loads() -> None:
    overrides = load_office_calendar(SAMPLE_2026.read_text(encoding="utf-8"))
    assert overrides == (
        CalendarOverride(
            day=d("2026-08-03"),
            kind=OverrideKind.CLOSED,
            name_zh="颱風停止上班（範例）",
            name_en="Typhoon closure (example)",
        ),
        CalendarOverride(
            day=d("2026-08-04"),
            kind=OverrideKind.CLOSED,
            name_zh="颱風下午停止上班（範例）",
            name_en="Typhoon closure from 12:00 (example)",
            from_time=time(12),
        ),
        CalendarOverride(
            day=d("2026-12-24"),
            kind=OverrideKind.HOLIDAY,
            name_zh="調整放假（範例）",
            name_en="Bridge day off (example)",
        ),
        CalendarOverride(
            day=d("2026-12-19"),
            kind=OverrideKind.WORKDAY,
            name_zh="補行上班（範例）",
            name_en="Make-up working day (example)",
        ),
    )


def test_override_file_without_from_time_column() -> None:
    text = "# source: example\ndate,kind,name_zh,name_en\n2025-07-07,closed,停止上班,Closed\n"
    assert load_office_calendar(text) == (
        CalendarOverride(
            day=d("2025-07-07"), kind=OverrideKind.CLOSED, name_zh="停止上班", name_en="Closed"
        ),
    )


@pytest.mark.parametrize(
    ("_case", "row", "code", "column", "value"),
    [
        ("slashed date", "2026/08/03,closed,,,", "calendar_file.date", "date", "2026/08/03"),
        ("impossible date", "2026-02-30,closed,,,", "calendar_file.date", "date", "2026-02-30"),
        ("unknown kind", "2026-08-03,typhoon,,,", "calendar_file.kind", "kind", "typhoon"),
        (
            "from_time on a holiday",
            "2026-08-03,holiday,,,12:00",
            "calendar_file.from_time",
            "from_time",
            "12:00",
        ),
        (
            "impossible time",
            "2026-08-03,closed,,,25:00",
            "calendar_file.from_time",
            "from_time",
            "25:00",
        ),
        (
            "time with seconds",
            "2026-08-03,closed,,,12:00:00",
            "calendar_file.from_time",
            "from_time",
            "12:00:00",
        ),
        (
            "too few columns",
            "2026-08-03,closed,颱風",
            "calendar_file.columns",
            "row",
            "2026-08-03,closed,颱風",
        ),
        (
            "duplicate date",
            "2026-08-04,holiday,,,",
            "calendar_file.duplicate_date",
            "date",
            "2026-08-04",
        ),
    ],
)
def test_bad_override_rows_are_rejected_with_row_column_and_value(
    _case: str, row: str, code: str, column: str, value: str
) -> None:
    # given: a comment on line 1, the header on line 2, a good row 3, the bad row on line 4
    text = f"# sample\ndate,kind,name_zh,name_en,from_time\n2026-08-04,closed,,,\n{row}\n"
    with pytest.raises(CalendarFileError) as raised:
        load_office_calendar(text)
    error = raised.value
    assert (error.code, error.row, error.column, error.value) == (code, 4, column, value)


def test_five_cells_under_a_four_column_header_are_rejected() -> None:
    with pytest.raises(CalendarFileError) as raised:
        load_office_calendar("date,kind,name_zh,name_en\n2026-08-04,closed,,,12:00\n")
    assert (raised.value.code, raised.value.row) == ("calendar_file.columns", 2)


@pytest.mark.parametrize(
    ("_case", "text"),
    [
        ("English DGPA-like header", "date,weekday,holiday,note\n"),
        ("extra column", "date,kind,name_zh,name_en,from_time,source\n"),
        ("data without a header", "2026-08-04,closed,,,\n"),
    ],
)
def test_unknown_header_is_rejected(_case: str, text: str) -> None:
    with pytest.raises(CalendarFileError) as raised:
        load_office_calendar(text)
    assert (raised.value.code, raised.value.row, raised.value.column) == (
        "calendar_file.header",
        1,
        "header",
    )


@pytest.mark.parametrize(("_case", "text"), [("empty", ""), ("comments only", "# x\n\n  \n")])
def test_empty_file_is_rejected(_case: str, text: str) -> None:
    with pytest.raises(CalendarError) as raised:
        load_office_calendar(text)
    assert raised.value.code == "calendar_file.empty"


def test_header_only_file_gives_no_overrides() -> None:
    assert load_office_calendar("date,kind,name_zh,name_en,from_time\n") == ()


# --- Business hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "opens_at", "closes_at", "lunch_break"),
    [
        ("closes before it opens", time(17, 30), time(8, 30), None),
        ("opens and closes at once", time(8, 30), time(8, 30), None),
        ("lunch before opening", time(8, 30), time(17, 30), (time(8), time(9))),
        ("lunch ends before it starts", time(8, 30), time(17, 30), (time(13), time(12))),
        ("lunch until closing", time(8, 30), time(17, 30), (time(12), time(17, 30))),
        ("aware time", time(8, 30, tzinfo=TAIPEI), time(17, 30), None),
        ("aware lunch", time(8, 30), time(17, 30), (time(12), time(13, tzinfo=UTC))),
    ],
)
def test_business_hours_are_validated(
    _case: str, opens_at: time, closes_at: time, lunch_break: tuple[time, time] | None
) -> None:
    with pytest.raises(CalendarError) as raised:
        BusinessHours(opens_at=opens_at, closes_at=closes_at, lunch_break=lunch_break)
    assert raised.value.code == "calendar.business_hours"


def test_default_hours_are_the_counter_hours() -> None:
    assert DEFAULT_HOURS.intervals() == ((time(8, 30), time(17, 30)),)
    assert LUNCH_HOURS.intervals() == ((time(8, 30), time(12)), (time(13), time(17, 30)))


@pytest.mark.parametrize(
    ("_case", "at", "expected"),
    [
        ("before opening", "2026-03-02T08:29:59.999999", False),
        ("at opening", "2026-03-02T08:30", True),
        ("just before closing", "2026-03-02T17:29:59", True),
        ("at closing", "2026-03-02T17:30", False),
        ("Saturday", "2026-03-07T10:00", False),
        ("holiday", "2026-02-27T10:00", False),
        ("make-up Saturday", "2025-02-08T10:00", True),
    ],
)
def test_is_open(_case: str, at: str, *, expected: bool) -> None:
    assert CALENDAR.is_open(taipei(at)) is expected


def test_is_open_converts_other_time_zones_to_taipei() -> None:
    # 2026-03-02 00:30 UTC is 08:30 in Taipei
    assert CALENDAR.is_open(datetime(2026, 3, 2, 0, 30, tzinfo=UTC)) is True
    assert CALENDAR.is_open(datetime(2026, 3, 2, 0, 29, tzinfo=UTC)) is False


@pytest.mark.parametrize(
    ("_case", "at", "expected"),
    [
        ("morning", "2026-03-02T11:59", True),
        ("lunch", "2026-03-02T12:00", False),
        ("afternoon", "2026-03-02T13:00", True),
    ],
)
def test_is_open_with_a_lunch_break(_case: str, at: str, *, expected: bool) -> None:
    calendar = WorkingCalendar.build(years=YEARS, hours=LUNCH_HOURS)
    assert calendar.is_open(taipei(at)) is expected


@pytest.mark.parametrize(
    ("_case", "start", "hours", "expected"),
    [
        ("within a day", "2026-03-02T09:00", 2, "2026-03-02T11:00"),
        ("a full day ends at closing, not next morning", "2026-03-02T08:30", 9, "2026-03-02T17:30"),
        ("over a weekend", "2026-03-06T16:30", 2, "2026-03-09T09:30"),
        ("before opening", "2026-03-02T07:00", 1, "2026-03-02T09:30"),
        ("from a Saturday", "2026-03-07T10:00", 1, "2026-03-09T09:30"),
        ("over 2026 春節", "2026-02-13T17:00", 1, "2026-02-23T09:00"),
        ("onto the make-up Saturday", "2025-02-07T17:00", 1, "2025-02-08T09:00"),
        ("decimal hours", "2026-03-02T09:00", Decimal("1.5"), "2026-03-02T10:30"),
        ("timedelta", "2026-03-02T09:00", timedelta(minutes=45), "2026-03-02T09:45"),
        ("backwards within a day", "2026-03-02T11:00", -2, "2026-03-02T09:00"),
        (
            "backwards to opening, not the evening before",
            "2026-03-09T09:00",
            Decimal("-0.5"),
            "2026-03-09T08:30",
        ),
        ("backwards over a weekend", "2026-03-09T08:30", -1, "2026-03-06T16:30"),
        ("zero from a Saturday", "2026-03-07T10:00", 0, "2026-03-07T10:00"),
    ],
)
def test_add_working_hours(
    _case: str, start: str, hours: Decimal | int | timedelta, expected: str
) -> None:
    result = CALENDAR.add_working_hours(taipei(start), hours=hours)
    assert result == taipei(expected)
    assert result.tzinfo is TAIPEI


@pytest.mark.parametrize(
    ("_case", "start", "hours", "expected"),
    [
        ("to the start of lunch", "2026-03-02T11:00", 1, "2026-03-02T12:00"),
        ("over lunch", "2026-03-02T11:00", Decimal("1.5"), "2026-03-02T13:30"),
        ("from lunch", "2026-03-02T12:30", 1, "2026-03-02T14:00"),
        ("backwards to the end of lunch", "2026-03-02T14:00", -1, "2026-03-02T13:00"),
        ("backwards over lunch", "2026-03-02T13:30", -1, "2026-03-02T11:30"),
        ("afternoon closure inside lunch", "2026-03-02T10:00", 3, "2026-03-03T09:30"),
    ],
)
def test_add_working_hours_with_a_lunch_break(
    _case: str, start: str, hours: Decimal | int, expected: str
) -> None:
    # given: 2026-03-02 closes at 12:30 (inside lunch), so that day ends at 12:00
    calendar = WorkingCalendar.build(
        years=YEARS,
        hours=LUNCH_HOURS,
        overrides=[closed("2026-03-02", from_time=time(12, 30))]
        if _case == "afternoon closure inside lunch"
        else (),
    )
    assert calendar.add_working_hours(taipei(start), hours=hours) == taipei(expected)


def test_add_working_hours_accepts_other_time_zones_and_answers_in_taipei() -> None:
    result = CALENDAR.add_working_hours(datetime(2026, 3, 2, 1, tzinfo=UTC), hours=1)
    assert result == taipei("2026-03-02T10:00")
    assert result.tzinfo is TAIPEI


@pytest.mark.parametrize(
    ("_case", "start", "end", "expected"),
    [
        ("same day", "2026-03-02T09:00", "2026-03-02T11:15", timedelta(hours=2, minutes=15)),
        ("reversed", "2026-03-02T11:15", "2026-03-02T09:00", -timedelta(hours=2, minutes=15)),
        ("weekend only", "2026-03-07T09:00", "2026-03-08T18:00", timedelta(0)),
        ("over a weekend", "2026-03-06T17:00", "2026-03-09T09:00", timedelta(minutes=60)),
        ("a whole week", "2026-03-02T00:00", "2026-03-09T00:00", timedelta(hours=45)),
        ("over 2026 春節", "2026-02-13T08:30", "2026-02-23T17:30", timedelta(hours=18)),
    ],
)
def test_working_time_between(_case: str, start: str, end: str, expected: timedelta) -> None:
    assert CALENDAR.working_time_between(taipei(start), end=taipei(end)) == expected


@pytest.mark.parametrize(
    ("_case", "call", "argument"),
    [
        ("is_open", lambda: CALENDAR.is_open(NAIVE), "at"),
        (
            "add_working_hours",
            lambda: CALENDAR.add_working_hours(NAIVE, hours=1),
            "start",
        ),
        (
            "working_time_between start",
            lambda: CALENDAR.working_time_between(NAIVE, end=taipei("2026-03-02T10:00")),
            "start",
        ),
        (
            "working_time_between end",
            lambda: CALENDAR.working_time_between(taipei("2026-03-02T10:00"), end=NAIVE),
            "end",
        ),
    ],
)
def test_naive_datetimes_are_rejected(_case: str, call, argument: str) -> None:
    with pytest.raises(CalendarError) as raised:
        call()
    assert (raised.value.code, raised.value.field) == ("calendar.naive_datetime", argument)
    assert "2026-03-02T09:00:00" in raised.value.message.en


@pytest.mark.parametrize(
    ("_case", "hours"),
    [
        ("float", 1.5),
        ("bool", True),
        ("string", "1"),
        ("NaN", Decimal("NaN")),
        ("signalling NaN", Decimal("sNaN")),
        ("infinity", Decimal("Infinity")),
        ("finer than a microsecond", Decimal("0.0000000001")),
    ],
)
def test_bad_hour_amounts_are_rejected(_case: str, hours: object) -> None:
    with pytest.raises(CalendarError) as raised:
        CALENDAR.add_working_hours(taipei("2026-03-02T09:00"), hours=hours)  # type: ignore[arg-type]
    assert (raised.value.code, raised.value.field) == ("calendar.hours_amount", "hours")


@pytest.mark.parametrize(
    ("_case", "start", "hours"),
    [
        ("past the last year", "2028-12-29T16:00", 100),
        ("before the first year", "2024-01-02T09:00", -100),
    ],
)
def test_working_hours_outside_the_calendar_are_rejected(
    _case: str, start: str, hours: int
) -> None:
    with pytest.raises(CalendarError) as raised:
        CALENDAR.add_working_hours(taipei(start), hours=hours)
    assert raised.value.code == "calendar.out_of_range"


# --- Properties -------------------------------------------------------------------------------

PACKAGE = holidays.country_holidays("TW", years=range(2024, 2030), categories=("public",))
DAYS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
PROPERTY_CALENDARS = st.sampled_from(
    [
        CALENDAR,
        WorkingCalendar.build(
            years=YEARS,
            hours=LUNCH_HOURS,
            overrides=[
                closed("2025-07-07"),
                closed("2026-03-04", from_time=time(12, 30)),
                closed("2026-03-05", from_time=time(15)),
                CalendarOverride(day=d("2026-03-07"), kind=OverrideKind.WORKDAY),
            ],
        ),
    ]
)


def walk(start: date, *, days: int, is_working_day) -> date:
    """Reference: step day by day, counting working days after ``start``."""
    step = timedelta(days=1 if days > 0 else -1)
    day, left = start, abs(days)
    while left:
        day += step
        left -= is_working_day(day)
    return day


@given(start=DAYS, days=st.integers(min_value=-250, max_value=250))
def test_working_days_between_inverts_add_working_days(start: date, days: int) -> None:
    end = CALENDAR.add_working_days(start, days=days)
    assert CALENDAR.working_days_between(start, end=end) == days


@given(start=DAYS, days=st.integers(min_value=-120, max_value=120))
def test_add_working_days_matches_a_day_by_day_walk_over_the_package(
    start: date, days: int
) -> None:
    expected = walk(start, days=days, is_working_day=PACKAGE.is_working_day)
    assert CALENDAR.add_working_days(start, days=days) == expected


@given(start=DAYS, end=DAYS)
def test_working_days_between_counts_the_days_passed(start: date, end: date) -> None:
    step = timedelta(days=1 if end >= start else -1)
    passed = 0
    day = start
    while day != end:
        day += step
        passed += CALENDAR.is_working_day(day)
    expected = passed if end >= start else -passed
    assert CALENDAR.working_days_between(start, end=end) == expected


@given(start=DAYS, days=st.integers(min_value=-250, max_value=249))
def test_add_working_days_lands_on_increasing_working_days(start: date, days: int) -> None:
    here = CALENDAR.add_working_days(start, days=days)
    there = CALENDAR.add_working_days(start, days=days + 1)
    assert here < there
    assert CALENDAR.is_working_day(there if days + 1 else here)


INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2027, 12, 31, 23, 59),  # noqa: DTZ001
).map(lambda value: value.replace(tzinfo=TAIPEI))


@settings(max_examples=300)
@given(
    calendar=PROPERTY_CALENDARS,
    start=INSTANTS,
    minutes=st.integers(min_value=-30_000, max_value=30_000),
)
def test_working_time_between_inverts_add_working_hours(
    calendar: WorkingCalendar, start: datetime, minutes: int
) -> None:
    hours = timedelta(minutes=minutes)
    result = calendar.add_working_hours(start, hours=hours)
    assert calendar.working_time_between(start, end=result) == hours
    if minutes > 0:
        assert result > start
        assert calendar.is_open(result - timedelta(microseconds=1))
    if minutes < 0:
        assert result < start
        assert calendar.is_open(result)


def test_direct_construction_normalises_years_like_build() -> None:
    calendar = WorkingCalendar(years=(2027, 2025))
    assert calendar == WorkingCalendar.build(years=range(2025, 2028))
    assert calendar.add_working_days(d("2027-02-03"), days=1) == d("2027-02-11")
