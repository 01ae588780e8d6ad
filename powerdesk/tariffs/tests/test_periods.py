"""Tests of seasons, time bands and Taipower's off-peak days (離峰日) (periods.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from powerdesk.tariffs.engine import loader, periods
from powerdesk.tariffs.engine.model import (
    Confidence,
    MovableHoliday,
    OffPeakDayRules,
    OffPeakStatus,
    Plan,
    Season,
    TariffError,
    TouPeriod,
    TouSchedule,
)
from powerdesk.tariffs.engine.periods import DayType


def _tou(plan: str, on: date) -> TouSchedule:
    schedule = loader.schedule_for(plan, on=on)
    assert isinstance(schedule, TouSchedule)
    return schedule


RULES_2025 = _tou("simple_tou_2", date(2026, 1, 1)).offpeak_days
RULES_UNKNOWN = _tou("simple_tou_2", date(2024, 6, 1)).offpeak_days


@pytest.mark.parametrize(
    ("day", "season"),
    [
        (date(2026, 5, 31), Season.NON_SUMMER),
        (date(2026, 6, 1), Season.SUMMER),
        (date(2026, 9, 30), Season.SUMMER),
        (date(2026, 10, 1), Season.NON_SUMMER),
        (date(2026, 1, 1), Season.NON_SUMMER),
    ],
)
def test_season_of(day: date, season: Season) -> None:
    assert periods.season_of(day) is season


def test_season_starts_lists_june_and_october_firsts_after_the_start() -> None:
    assert periods.season_starts(start=date(2025, 6, 1), end=date(2026, 10, 1)) == (
        date(2025, 10, 1),
        date(2026, 6, 1),
        date(2026, 10, 1),
    )
    assert periods.season_starts(start=date(2026, 1, 1), end=date(2026, 1, 31)) == ()


# 2026: 1/1, 春節 run 2/15–2/21 (除夕 2/16, 初五 2/21), 2/28, 4/4, 清明 4/5, 5/1, 端午 6/19,
# 中秋 9/25, 9/28, 10/10, 10/25, 12/25.
OFFPEAK_2026 = {
    date(2026, 1, 1),
    *(date(2026, 2, 15) + timedelta(days=i) for i in range(7)),
    date(2026, 2, 28),
    date(2026, 4, 4),
    date(2026, 4, 5),
    date(2026, 5, 1),
    date(2026, 6, 19),
    date(2026, 9, 25),
    date(2026, 9, 28),
    date(2026, 10, 10),
    date(2026, 10, 25),
    date(2026, 12, 25),
}
# 2027: 春節 run 2/4–2/10 (除夕 2/5, 初五 2/10; tariffs.md §2.4), 清明 4/5, 端午 6/9, 中秋 9/15.
OFFPEAK_2027 = {
    date(2027, 1, 1),
    *(date(2027, 2, 4) + timedelta(days=i) for i in range(7)),
    date(2027, 2, 28),
    date(2027, 4, 4),
    date(2027, 4, 5),
    date(2027, 5, 1),
    date(2027, 6, 9),
    date(2027, 9, 15),
    date(2027, 9, 28),
    date(2027, 10, 10),
    date(2027, 10, 25),
    date(2027, 12, 25),
}


def test_offpeak_days_2026() -> None:
    assert periods.offpeak_days(2026) == OFFPEAK_2026


def test_offpeak_days_2027_spring_festival_run_is_feb_4_to_10() -> None:
    days = periods.offpeak_days(2027)

    assert days == OFFPEAK_2027
    assert date(2027, 2, 3) not in days  # the day before the run (a Wednesday)
    assert date(2027, 2, 11) not in days  # 初六


def test_offpeak_days_before_2025_10_are_unknown() -> None:
    with pytest.raises(TariffError) as raised:
        periods.offpeak_days(2025)

    assert raised.value.code == "tariff.offpeak_days_unknown"
    assert raised.value.details == {"year": 2025, "from": "2025-01-01"}


def test_offpeak_days_before_the_first_tariff_are_out_of_range() -> None:
    with pytest.raises(TariffError) as raised:
        periods.offpeak_days(2017)

    assert raised.value.code == "tariff.date_out_of_range"


@pytest.mark.parametrize(
    ("_case", "day", "expected"),
    [
        ("ordinary Wednesday", date(2027, 2, 3), DayType.WEEKDAY),
        ("Thursday in the 春節 run", date(2027, 2, 4), DayType.OFFPEAK_DAY),
        ("初五, last day of the run", date(2027, 2, 10), DayType.OFFPEAK_DAY),
        ("初六", date(2027, 2, 11), DayType.WEEKDAY),
        ("教師節 on a Tuesday", date(2027, 9, 28), DayType.OFFPEAK_DAY),
        ("光復節 on a Monday", date(2027, 10, 25), DayType.OFFPEAK_DAY),
        ("Saturday", date(2026, 2, 28), DayType.WEEKEND),
        ("Sunday", date(2026, 3, 1), DayType.WEEKEND),
        # 2/28/2026 is a Saturday; the government gives Friday 2/27 as 補假: not an off-peak day
        ("補假 for 和平紀念日", date(2026, 2, 27), DayType.WEEKDAY),
        # 10/10/2026 is a Saturday; Friday 10/9 is the government 補假: not an off-peak day
        ("補假 for 國慶日", date(2026, 10, 9), DayType.WEEKDAY),
        ("中秋 on a Friday", date(2026, 9, 25), DayType.OFFPEAK_DAY),
    ],
)
def test_day_type_under_the_2025_list(_case: str, day: date, expected: DayType) -> None:
    assert periods.day_type(day, rules=RULES_2025) is expected


@pytest.mark.parametrize(
    "typhoon_day",
    [
        date(2024, 7, 25),  # Typhoon Gaemi: 颱風假 in Taoyuan (Thursday)
        date(2024, 10, 31),  # Typhoon Kong-rey: 颱風假 in Taoyuan (Thursday)
    ],
)
def test_a_typhoon_day_is_not_an_offpeak_day(typhoon_day: date) -> None:
    # Taipower does not give off-peak prices on 颱風假 (tariffs.md §2.4): the calendar never
    # consults typhoon closures, under either the listed or the unknown-list rules.
    assert periods.day_type(typhoon_day, rules=RULES_2025) is DayType.WEEKDAY
    assert periods.day_type(typhoon_day, rules=RULES_UNKNOWN) is DayType.WEEKDAY


def test_candidate_dates_are_unknown_before_the_2025_list() -> None:
    # 2024-09-17 (中秋, Tuesday) and 2024-10-10 (Thursday) are candidates of an unknown list
    assert periods.day_type(date(2024, 9, 17), rules=RULES_UNKNOWN) is DayType.UNKNOWN
    assert periods.day_type(date(2024, 10, 10), rules=RULES_UNKNOWN) is DayType.UNKNOWN
    assert periods.day_type(date(2024, 10, 9), rules=RULES_UNKNOWN) is DayType.WEEKDAY


def test_caller_supplied_list_replaces_the_rules() -> None:
    listed = {date(2024, 10, 10)}

    assert periods.day_type(date(2024, 10, 10), rules=RULES_UNKNOWN, offpeak_days=listed) is (
        DayType.OFFPEAK_DAY
    )
    assert periods.day_type(date(2024, 9, 17), rules=RULES_UNKNOWN, offpeak_days=listed) is (
        DayType.WEEKDAY
    )


def test_both_tou_plans_share_the_offpeak_list() -> None:
    for on in (date(2026, 1, 1), date(2024, 6, 1), date(2023, 2, 1)):
        assert _tou("simple_tou_2", on).offpeak_days == _tou("simple_tou_3", on).offpeak_days


@pytest.mark.parametrize(
    ("holiday", "year", "expected"),
    [
        (MovableHoliday.TOMB_SWEEPING, 2024, (date(2024, 4, 4),)),
        (MovableHoliday.TOMB_SWEEPING, 2026, (date(2026, 4, 5),)),
        (MovableHoliday.DRAGON_BOAT, 2025, (date(2025, 5, 31),)),
        (MovableHoliday.MID_AUTUMN, 2025, (date(2025, 10, 6),)),
    ],
)
def test_movable_dates(holiday: MovableHoliday, year: int, expected: tuple[date, ...]) -> None:
    assert periods.movable_dates(holiday, year=year) == expected


def test_lunar_tables_cover_every_supported_year() -> None:
    # justifies periods._lunar's cast: every year 1901–2099 has all three lunar dates
    for year in range(periods.FIRST_CALENDAR_YEAR, periods.LAST_CALENDAR_YEAR + 1):
        run = periods.movable_dates(MovableHoliday.SPRING_FESTIVAL, year=year)
        assert len(run) == 7
        assert run[0].year == year
        assert periods.movable_dates(MovableHoliday.DRAGON_BOAT, year=year)[0].year == year
        assert periods.movable_dates(MovableHoliday.MID_AUTUMN, year=year)[0].year == year


def test_years_outside_the_lunar_tables_are_refused() -> None:
    with pytest.raises(TariffError) as raised:
        periods.movable_dates(MovableHoliday.SPRING_FESTIVAL, year=2100)

    assert raised.value.code == "tariff.calendar_out_of_range"
    assert raised.value.details == {"year": 2100}


def test_listed_dates_of_hand_made_rules() -> None:
    rules = OffPeakDayRules(
        status=OffPeakStatus.LISTED,
        confidence=Confidence.A,
        source="test",
        fixed=((12, 25),),
        movable=(MovableHoliday.DRAGON_BOAT,),
    )

    assert periods.listed_dates(rules, year=2026) == {date(2026, 12, 25), date(2026, 6, 19)}


def test_day_slots() -> None:
    schedule = _tou("simple_tou_3", date(2026, 7, 1))

    weekday, kind = periods.day_slots(schedule, day=date(2026, 7, 1))  # a Wednesday
    assert kind is DayType.WEEKDAY
    assert weekday[17] is TouPeriod.OFF_PEAK  # 08:30–09:00
    assert weekday[18] is TouPeriod.SEMI_PEAK  # 09:00–09:30
    assert weekday[32] is TouPeriod.PEAK  # 16:00
    assert weekday[44] is TouPeriod.SEMI_PEAK  # 22:00

    holiday, kind = periods.day_slots(schedule, day=date(2026, 9, 25))  # 中秋, Friday
    assert kind is DayType.OFFPEAK_DAY
    assert set(holiday) == {TouPeriod.OFF_PEAK}

    saturday, kind = periods.day_slots(schedule, day=date(2026, 7, 4))
    assert kind is DayType.WEEKEND
    assert saturday == periods.OFF_PEAK_DAY_SLOTS

    # unknown day: weekday slots are returned for the caller to judge
    older = _tou("simple_tou_3", date(2024, 9, 17))
    slots, kind = periods.day_slots(older, day=date(2024, 9, 17))
    assert kind is DayType.UNKNOWN
    assert slots == older.bands.slots(Season.SUMMER)


def test_weekday_slots_of_old_and_new_bands() -> None:
    new = _tou("simple_tou_2", date(2026, 1, 1))
    old = _tou("simple_tou_2", date(2020, 1, 1))

    new_summer = periods.weekday_slots(new, season=Season.SUMMER)
    assert (new_summer[17], new_summer[18]) == (TouPeriod.OFF_PEAK, TouPeriod.PEAK)  # 09:00
    old_summer = periods.weekday_slots(old, season=Season.SUMMER)
    assert (old_summer[14], old_summer[15]) == (TouPeriod.OFF_PEAK, TouPeriod.PEAK)  # 07:30


# tariffs.md §2.1 (B): the old three-period windows, typed here as (start, end, period) in
# half hours, to check that the two-period peak is the union of three-period peak and semi-peak.
OLD_THREE_PERIOD = {
    Season.SUMMER: [
        (0, 15, "off_peak"),
        (15, 20, "semi_peak"),
        (20, 24, "peak"),
        (24, 26, "semi_peak"),
        (26, 34, "peak"),
        (34, 45, "semi_peak"),
        (45, 48, "off_peak"),
    ],
    Season.NON_SUMMER: [(0, 15, "off_peak"), (15, 45, "semi_peak"), (45, 48, "off_peak")],
}


def _two_of_three(period: TouPeriod) -> TouPeriod:
    return TouPeriod.OFF_PEAK if period is TouPeriod.OFF_PEAK else TouPeriod.PEAK


@pytest.mark.parametrize("season", list(Season))
def test_two_period_peak_is_three_period_peak_plus_semi_peak(season: Season) -> None:
    # new bands (both plans in the data)
    two = _tou("simple_tou_2", date(2026, 1, 1)).bands.slots(season)
    three = _tou("simple_tou_3", date(2026, 1, 1)).bands.slots(season)
    assert two == tuple(_two_of_three(p) for p in three)
    # old bands (three-period windows typed from the reference)
    old_two = _tou("simple_tou_2", date(2020, 1, 1)).bands.slots(season)
    old_three = [
        TouPeriod(name) for start, end, name in OLD_THREE_PERIOD[season] for _ in range(start, end)
    ]
    assert old_two == tuple(_two_of_three(p) for p in old_three)


def test_plan_of_offpeak_days_is_the_two_period_files() -> None:
    assert periods.offpeak_days(2026) == periods.listed_dates(
        _tou(Plan.SIMPLE_TOU_3, date(2026, 1, 1)).offpeak_days, year=2026
    )
