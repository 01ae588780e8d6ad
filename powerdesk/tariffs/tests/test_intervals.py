"""Tests of interval data (form (c), intervals.py): CSV parsing, period assignment, bills and
comparisons. Fixtures in tests/data; longer series are built here.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from powerdesk.tariffs.engine import bill as bills
from powerdesk.tariffs.engine import intervals
from powerdesk.tariffs.engine.intervals import IntervalSeries
from powerdesk.tariffs.engine.model import IntervalCsvError, Plan, TariffError, TouKwh, TouPeriod
from powerdesk.tariffs.tests.test_periods import OFFPEAK_2026

DATA = Path(__file__).parent / "data"


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A naive Asia/Taipei wall time, as the engine takes interval starts."""
    return datetime(year, month, day, hour, minute, second, tzinfo=intervals.TAIPEI).replace(
        tzinfo=None
    )


def _csv(*rows: str, header: str = "timestamp,kwh") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _series(
    start: datetime, end: datetime, *, minutes: int, kwh: Callable[[datetime], Decimal]
) -> IntervalSeries:
    values = []
    moment = start
    while moment < end:
        values.append(kwh(moment))
        moment += timedelta(minutes=minutes)
    return IntervalSeries(start=start, interval_minutes=minutes, kwh=tuple(values))


def _flat(value: str) -> Callable[[datetime], Decimal]:
    return lambda _: Decimal(value)


# --- Parsing ----------------------------------------------------------------------------------


def test_parse_hourly_utf8_file() -> None:
    series = intervals.parse_interval_csv((DATA / "hourly_2026-09.csv").read_bytes())

    assert series.interval_minutes == 60
    assert series.start == at(2026, 9, 1)
    assert len(series.kwh) == 720
    assert (series.first_day, series.last_day) == (date(2026, 9, 1), date(2026, 9, 30))
    assert series.end == at(2026, 10, 1)
    assert series.total_kwh == Decimal(720)


def test_parse_quarter_hour_file_with_bom_crlf_and_t_separator() -> None:
    series = intervals.parse_interval_csv((DATA / "quarter_hour_2026-07_bom.csv").read_bytes())

    assert series.interval_minutes == 15
    assert len(series.kwh) == 31 * 96
    assert series.total_kwh == Decimal("744.00")


def test_parse_big5_file_with_a_chinese_header() -> None:
    series = intervals.parse_interval_csv((DATA / "big5_hourly_2026-01-05.csv").read_bytes())

    assert series.start == at(2026, 1, 5)
    assert series.total_kwh == Decimal("12.0")


def test_parse_converts_explicit_offsets_to_taipei_time() -> None:
    data = _csv("2025-12-31T16:00Z,1", "2026-01-01T01:00+08:00,2", "2025-12-31T18:00+00:00,3")

    series = intervals.parse_interval_csv(data)

    assert series.start == at(2026, 1, 1, 0, 0)
    assert series.kwh == (Decimal(1), Decimal(2), Decimal(3))


def test_parse_skips_blank_lines_and_accepts_30_minute_data() -> None:
    series = intervals.parse_interval_csv(
        _csv("", "2026-01-01 00:00,1", "  ,  ", "2026-01-01 00:30,1", "")
    )

    assert series.interval_minutes == 30
    assert series.kwh == (Decimal(1), Decimal(1))


def _problems(data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(IntervalCsvError) as raised:
        intervals.parse_interval_csv(data)
    error = raised.value
    assert error.field == "csv"
    assert error.code == error.problems[0].code
    return [(p.row, p.column, p.code.removeprefix("tariff.csv.")) for p in error.problems]


def test_row_errors_name_row_and_column() -> None:
    with pytest.raises(IntervalCsvError) as raised:
        intervals.parse_interval_csv((DATA / "row_errors.csv").read_bytes())

    assert [(p.row, p.column, p.code) for p in raised.value.problems] == [
        (3, "kwh", "tariff.csv.kwh_not_a_number"),
        (4, "kwh", "tariff.csv.kwh_negative"),
        (5, "timestamp", "tariff.csv.timestamp_invalid"),
        (6, "kwh", "tariff.csv.kwh_missing"),
        (7, "", "tariff.csv.columns"),
    ]
    first = raised.value.problems[0].message
    assert first.en == "Row 3, column 'kwh': 'abc' is not a number."
    assert first.zh_hant == "第 3 列「kwh」欄：「abc」不是數字。"
    assert raised.value.message.en.endswith("(and 4 more problems)")
    assert raised.value.details["problems"][1]["row"] == 4


@pytest.mark.parametrize(
    ("_case", "data", "expected"),
    [
        ("wrong header", _csv("2026-01-01 00:00,1", header="time,energy"), [(1, "", "header")]),
        (
            "three-column header",
            _csv("2026-01-01 00:00,1", header="timestamp,kwh,meter"),
            [(1, "", "header")],
        ),
        ("empty file", b"", [(1, "", "empty")]),
        ("header only", _csv(), [(2, "", "empty")]),
        ("one data row", _csv("2026-01-01 00:00,1"), [(2, "", "too_short")]),
        (
            "seconds",
            _csv("2026-01-01 00:00:30,1", "2026-01-01 00:15,1"),
            [(2, "timestamp", "misaligned")],
        ),
        (
            "words as time",
            _csv("yesterday,1", "2026-01-01 00:15,1"),
            [(2, "timestamp", "timestamp_invalid")],
        ),
        (
            "NaN kWh",
            _csv("2026-01-01 00:00,NaN", "2026-01-01 00:15,1"),
            [(2, "kwh", "kwh_not_a_number")],
        ),
        (
            "NUL in kWh",
            _csv("2026-01-01 00:00,1\x00", "2026-01-01 00:15,1"),
            [(2, "kwh", "kwh_not_a_number")],
        ),
        (
            "duplicate timestamp",
            _csv(
                "2026-01-01 00:00,1",
                "2026-01-01 00:15,1",
                "2026-01-01 00:15,1",
                "2026-01-01 00:30,1",
            ),
            [(4, "timestamp", "duplicate")],
        ),
        (
            "gap and out of order",
            _csv(
                "2026-01-01 00:00,1",
                "2026-01-01 01:00,1",
                "2026-01-01 02:00,1",
                "2026-01-01 04:00,1",
                "2026-01-01 03:00,1",
                "2026-01-01 05:00,1",
            ),
            [(5, "timestamp", "gap"), (6, "timestamp", "out_of_order")],
        ),
        (
            "overlap",
            _csv(
                "2026-01-01 00:00,1",
                "2026-01-01 00:15,1",
                "2026-01-01 00:25,1",
                "2026-01-01 00:45,1",
            ),
            [(4, "timestamp", "misaligned"), (4, "timestamp", "overlap")],
        ),
        (
            "shorter intervals in an hourly file",
            _csv(
                "2026-01-01 00:00,1",
                "2026-01-01 01:00,1",
                "2026-01-01 02:00,1",
                "2026-01-01 02:15,1",
            ),
            [(5, "timestamp", "misaligned"), (5, "timestamp", "mixed_lengths")],
        ),
        (
            "hourly rows in a 15-minute file",
            _csv(
                "2026-01-01 00:00,1",
                "2026-01-01 00:15,1",
                "2026-01-01 00:30,1",
                "2026-01-01 00:45,1",
                "2026-01-01 01:00,1",
                "2026-01-01 02:00,1",
                "2026-01-01 03:00,1",
            ),
            [(7, "timestamp", "mixed_lengths"), (8, "timestamp", "gap")],
        ),
        (
            "20-minute data",
            _csv("2026-01-01 00:00,1", "2026-01-01 00:20,1", "2026-01-01 00:40,1"),
            [(3, "timestamp", "interval_length")],
        ),
        (
            "descending rows",
            _csv("2026-01-01 01:00,1", "2026-01-01 00:00,1"),
            [(3, "timestamp", "out_of_order")],
        ),
        (
            "misaligned first row",
            _csv("2026-01-01 00:30,1", "2026-01-01 01:30,1", "2026-01-01 02:30,1"),
            [
                (2, "timestamp", "misaligned"),
                (3, "timestamp", "misaligned"),
                (4, "timestamp", "misaligned"),
            ],
        ),
        ("field too large", _csv("2026-01-01 00:00," + "1" * 200_000), [(2, "", "malformed")]),
        (
            "not UTF-8 nor Big5",
            b"timestamp,kwh\n2026-01-01 00:00,1\n\xff\xfe\n",
            [(3, "", "encoding")],
        ),
    ],
)
def test_parse_reports_each_problem(
    _case: str, data: bytes, expected: list[tuple[int, str, str]]
) -> None:
    assert _problems(data) == expected


def test_parse_lists_at_most_50_problems() -> None:
    data = _csv(
        *(f"2026-01-01 {h:02d}:00,x" for h in range(24)),
        *(f"2026-01-02 {h:02d}:00,x" for h in range(24)),
        *(f"2026-01-03 {h:02d}:00,x" for h in range(12)),
    )

    with pytest.raises(IntervalCsvError) as raised:
        intervals.parse_interval_csv(data)

    assert len(raised.value.problems) == 50
    assert raised.value.details["more"] == 10
    assert raised.value.message.en.endswith("(and 59 more problems)")
    assert raised.value.message.zh_hant.endswith("（另有 59 個問題）")


def test_single_problem_has_no_count_suffix() -> None:
    with pytest.raises(IntervalCsvError) as raised:
        intervals.parse_interval_csv(_csv("2026-01-01 00:00,1"))

    assert raised.value.message.en == (
        "Row 2: at least two rows are needed to tell the interval length."
    )


@pytest.mark.parametrize(
    ("_case", "kwargs"),
    [
        (
            "unsupported length",
            {"start": at(2026, 1, 1), "interval_minutes": 20, "kwh": (Decimal(1),)},
        ),
        (
            "aware start",
            {
                "start": datetime(2026, 1, 1, tzinfo=UTC),
                "interval_minutes": 60,
                "kwh": (Decimal(1),),
            },
        ),
        (
            "off-grid start",
            {"start": at(2026, 1, 1, 0, 15), "interval_minutes": 60, "kwh": (Decimal(1),)},
        ),
        (
            "seconds in start",
            {"start": at(2026, 1, 1, 0, 0, 5), "interval_minutes": 60, "kwh": (Decimal(1),)},
        ),
        ("no intervals", {"start": at(2026, 1, 1), "interval_minutes": 60, "kwh": ()}),
        ("negative kWh", {"start": at(2026, 1, 1), "interval_minutes": 60, "kwh": (Decimal(-1),)}),
        ("float kWh", {"start": at(2026, 1, 1), "interval_minutes": 60, "kwh": (1.0,)}),
    ],
)
def test_interval_series_validates_itself(_case: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(TariffError) as raised:
        IntervalSeries(**kwargs)  # type: ignore[arg-type]

    assert raised.value.code == "tariff.series_invalid"


def test_interval_series_positions() -> None:
    series = IntervalSeries(start=at(2026, 1, 1, 23, 0), interval_minutes=30, kwh=(Decimal(1),) * 4)

    assert series.end == at(2026, 1, 2, 1, 0)
    assert series.last_day == date(2026, 1, 2)
    assert series.interval_start(2) == at(2026, 1, 2, 0, 0)
    assert series.index_of(at(2026, 1, 2, 0, 30)) == 3


# --- Periods and bills ------------------------------------------------------------------------


def test_interval_periods_of_a_summer_weekday_starting_mid_afternoon() -> None:
    # 2026-07-01 is a Wednesday; three-period summer: semi-peak 09–16, peak 16–22, semi 22–24
    series = IntervalSeries(
        start=at(2026, 7, 1, 15, 0), interval_minutes=60, kwh=(Decimal(1),) * 10
    )

    periods = intervals.interval_periods(series, plan="simple_tou_3")

    assert periods == (
        (TouPeriod.SEMI_PEAK,)  # 15:00
        + (TouPeriod.PEAK,) * 6  # 16:00–21:00
        + (TouPeriod.SEMI_PEAK,) * 2  # 22:00, 23:00
        + (TouPeriod.OFF_PEAK,)  # 00:00 on Thursday
    )


def test_interval_periods_need_a_tou_plan() -> None:
    series = IntervalSeries(start=at(2026, 7, 1), interval_minutes=60, kwh=(Decimal(1),))

    with pytest.raises(TariffError) as raised:
        intervals.interval_periods(series, plan="residential")
    assert raised.value.code == "tariff.plan_not_tou"


def test_bill_from_quarter_hour_data_three_periods() -> None:
    series = intervals.parse_interval_csv((DATA / "quarter_hour_2026-07_bom.csv").read_bytes())

    bill = intervals.bill_from_intervals(series, plan="simple_tou_3")

    # July 2026: 23 weekdays, no 離峰日; 1 kWh per hour.
    # peak 16–22 = 6 h × 23 = 138; semi 09–16 and 22–24 = 9 h × 23 = 207; off 744 − 345 = 399
    # 75 + 138 × 7.13 (983.94) + 207 × 4.69 (970.83) + 399 × 2.06 (821.94) = 2851.71 → 2852
    assert [(line.period, line.kwh) for line in bill.lines[1:]] == [
        (TouPeriod.PEAK, Decimal("138.00")),
        (TouPeriod.SEMI_PEAK, Decimal("207.00")),
        (TouPeriod.OFF_PEAK, Decimal("399.00")),
    ]
    assert bill.total == 2852
    assert bill.provisional is False
    assert (
        bill.total
        == bills.compute_bill(
            plan="simple_tou_3",
            start=date(2026, 7, 1),
            end=date(2026, 7, 31),
            kwh=TouKwh(peak=Decimal(138), semi_peak=Decimal(207), off_peak=Decimal(399)),
        ).total
    )


def test_bill_from_hourly_data_honours_offpeak_days() -> None:
    series = intervals.parse_interval_csv((DATA / "hourly_2026-09.csv").read_bytes())

    bill = intervals.bill_from_intervals(series, plan="simple_tou_3")

    # September 2026: 22 weekdays, of which 9/25 (中秋) and 9/28 (教師節) are 離峰日 → 20.
    # peak 6 h × 20 = 120; semi 9 h × 20 = 180; off 720 − 300 = 420
    # 75 + 120 × 7.13 (855.60) + 180 × 4.69 (844.20) + 420 × 2.06 (865.20) = 2640.00
    assert bill.total == 2640


def test_bill_from_intervals_on_a_tiered_plan_uses_the_total() -> None:
    series = intervals.parse_interval_csv((DATA / "quarter_hour_2026-07_bom.csv").read_bytes())

    bill = intervals.bill_from_intervals(series, plan="residential")

    # 744 kWh summer: 213.60 + 535.50 + 646.00 + 200 × 5.14 (1028.00) + 44 × 6.44 (283.36)
    # = 2706.46 → 2706
    assert bill.total == 2706
    assert (bill.start, bill.end) == (date(2026, 7, 1), date(2026, 7, 31))


def test_hourly_data_across_an_old_half_hour_boundary_is_refused() -> None:
    # 2022-03-01 (Tuesday): the old two-period peak starts at 07:30
    series = _series(at(2022, 3, 1), at(2022, 4, 1), minutes=60, kwh=_flat("1"))

    with pytest.raises(TariffError) as raised:
        intervals.bill_from_intervals(series, plan="simple_tou_2")

    assert raised.value.code == "tariff.interval_spans_boundary"
    assert raised.value.details == {"interval_start": "2022-03-01T07:00:00"}
    assert "07:30" in raised.value.message.en


def test_hourly_data_with_nothing_in_the_straddling_hours_is_priced() -> None:
    # zero at 07:00 and 22:00, the two hours that straddle 07:30 and 22:30
    series = _series(
        at(2022, 3, 1),
        at(2022, 4, 1),
        minutes=60,
        kwh=lambda moment: Decimal(0) if moment.hour in (7, 22) else Decimal(1),
    )

    bill = intervals.bill_from_intervals(series, plan="simple_tou_2")

    # March 2022: 23 weekdays, 8 weekend days, no candidate 離峰日.
    # peak (08:00–21:00 hours inside 07:30–22:30): 14 × 23 = 322
    # off-peak: weekdays 8 h × 23 = 184, weekends 22 h × 8 = 176 → 360
    # 2018-04-01 rates (C): 75 + 322 × 4.23 (1362.06) + 360 × 1.73 (622.80) = 2059.86 → 2060
    assert bill.total == 2060
    assert bill.provisional is True
    assert [note.en.split(":")[0] for note in bill.notes] == [
        "The off-peak day list before 2025-10-01 is unknown",
        "Rates simple_tou_2@2018-04-01 have confidence C (one secondary source or computed)",
    ]


def test_quarter_hour_data_prices_old_half_hour_bands() -> None:
    series = _series(at(2022, 3, 1, 7, 0), at(2022, 3, 1, 8, 0), minutes=15, kwh=_flat("1"))

    periods = intervals.interval_periods(series, plan="simple_tou_2")

    assert periods == (TouPeriod.OFF_PEAK, TouPeriod.OFF_PEAK, TouPeriod.PEAK, TouPeriod.PEAK)


JUNE_2024 = (at(2024, 6, 1), at(2024, 7, 1))


def test_weekday_peak_on_a_candidate_day_of_an_unknown_list_is_refused() -> None:
    # 2024-06-10 (端午, Monday) is on the 2025 list; the 2024 list is unknown (tariffs.md §2.4)
    series = _series(*JUNE_2024, minutes=60, kwh=_flat("1"))

    with pytest.raises(TariffError) as raised:
        intervals.bill_from_intervals(series, plan="simple_tou_2")

    assert raised.value.code == "tariff.offpeak_days_unknown"
    assert raised.value.details == {"dates": ["2024-06-10"]}


def test_candidate_day_with_off_peak_energy_only_is_priced() -> None:
    series = _series(
        *JUNE_2024,
        minutes=60,
        kwh=lambda m: Decimal(0) if m.date() == date(2024, 6, 10) and m.hour >= 9 else Decimal(1),
    )

    bill = intervals.bill_from_intervals(series, plan="simple_tou_2")

    # June 2024: 20 weekdays; 6/10 has energy only before 09:00 (off-peak either way).
    # peak 09–24 = 15 h × 19 = 285; off 720 − 15 (zeroed) − 285 = 420
    # 2024-04-01 rates (C): 75 + 285 × 5.01 (1427.85) + 420 × 1.96 (823.20) = 2326.05 → 2326
    assert bill.total == 2326
    assert bill.provisional is True


def test_caller_supplied_offpeak_days_settle_an_unknown_list() -> None:
    series = _series(*JUNE_2024, minutes=60, kwh=_flat("1"))

    bill = intervals.bill_from_intervals(
        series, plan="simple_tou_2", offpeak_days={date(2024, 6, 10), date(2024, 1, 1)}
    )

    # 19 weekdays after 6/10: peak 15 × 19 = 285; off 720 − 285 = 435
    # 75 + 285 × 5.01 (1427.85) + 435 × 1.96 (852.60) = 2355.45 → 2355 (C rates: provisional)
    assert bill.total == 2355
    assert [note.en.startswith("Rates") for note in bill.notes] == [True]


@pytest.mark.parametrize(
    ("offpeak_days", "code"),
    [
        ({"2024-06-10"}, "tariff.offpeak_days_invalid"),
        ({date(2023, 6, 10)}, "tariff.offpeak_days_incomplete"),
    ],
)
def test_caller_supplied_offpeak_days_are_checked(offpeak_days: set[object], code: str) -> None:
    series = _series(*JUNE_2024, minutes=60, kwh=_flat("1"))

    with pytest.raises(TariffError) as raised:
        intervals.bill_from_intervals(series, plan="simple_tou_2", offpeak_days=offpeak_days)  # type: ignore[arg-type]

    assert raised.value.code == code


@pytest.mark.parametrize(
    ("_case", "start", "end", "billing", "code"),
    [
        (
            "across June 1st",
            at(2026, 5, 20),
            at(2026, 6, 10),
            "monthly",
            "tariff.tou_crosses_boundary",
        ),
        (
            "bimonthly",
            at(2026, 1, 1),
            at(2026, 1, 2),
            "bimonthly",
            "tariff.tou_bimonthly",
        ),
        (
            "too long",
            at(2026, 1, 1),
            at(2026, 3, 1),
            "monthly",
            "tariff.period_too_long",
        ),
        (
            "unknown rates",
            at(2023, 6, 1),
            at(2023, 6, 2),
            "monthly",
            "tariff.rates_unknown",
        ),
    ],
)
def test_bill_from_intervals_refuses_what_compute_bill_refuses(
    _case: str, start: datetime, end: datetime, billing: str, code: str
) -> None:
    series = _series(start, end, minutes=60, kwh=_flat("1"))

    with pytest.raises(TariffError) as raised:
        intervals.bill_from_intervals(series, plan="simple_tou_2", billing=billing)

    assert raised.value.code == code


def test_bill_from_intervals_tiered_bimonthly_is_prorated_like_compute_bill() -> None:
    series = _series(at(2026, 5, 1), at(2026, 7, 1), minutes=60, kwh=_flat("0.5"))

    bill = intervals.bill_from_intervals(series, plan="residential", billing="bimonthly")

    assert bill == bills.compute_bill(
        plan="residential",
        start=date(2026, 5, 1),
        end=date(2026, 6, 30),
        kwh=Decimal("732.0"),
        billing="bimonthly",
    )


# --- Comparisons ------------------------------------------------------------------------------


def _reference_period(plan: str, moment: datetime) -> str:
    """The 2023+ bands of tariffs.md §2.1, typed again here independently of the engine."""
    day = moment.date()
    if day.weekday() >= 5 or day in OFFPEAK_2026:
        return "off_peak"
    hour, summer = moment.hour, 6 <= day.month <= 9
    if plan == "simple_tou_2":
        if summer:
            return "peak" if hour >= 9 else "off_peak"
        return "peak" if 6 <= hour < 11 or hour >= 14 else "off_peak"
    if summer:
        if 16 <= hour < 22:
            return "peak"
        return "semi_peak" if hour >= 9 else "off_peak"
    return "semi_peak" if 6 <= hour < 11 or hour >= 14 else "off_peak"


def _load(moment: datetime) -> Decimal:
    return Decimal(moment.hour % 4 + 1) / 10  # 0.1 … 0.4 kWh per hour


def test_compare_a_full_year_of_hourly_data() -> None:
    series = _series(at(2026, 1, 1), at(2027, 1, 1), minutes=60, kwh=_load)

    result = intervals.compare_intervals(series, current_plan="residential")

    # expected: 12 monthly bills per plan from compute_bill, with kWh per period classified
    # by the independent reference above; the annual estimate of 12 months is their sum
    expected = {}
    for plan in ("residential", "simple_tou_2", "simple_tou_3"):
        annual = 0
        for month in range(1, 13):
            first = date(2026, month, 1)
            last = date(2026, month, calendar.monthrange(2026, month)[1])
            hours = [at(2026, month, 1) + timedelta(hours=h) for h in range(24 * last.day)]
            if plan == "residential":
                kwh: Decimal | TouKwh = sum((_load(h) for h in hours), Decimal(0))
            else:
                split = {"peak": Decimal(0), "semi_peak": Decimal(0), "off_peak": Decimal(0)}
                for h in hours:
                    split[_reference_period(plan, h)] += _load(h)
                kwh = TouKwh(**split)
            annual += bills.compute_bill(plan=plan, start=first, end=last, kwh=kwh).total
        expected[plan] = annual
    assert {e.plan.value: e.annual_total for e in result.estimates} == expected
    assert [m.label for m in result.estimates[0].months] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert result.cheapest is Plan.RESIDENTIAL
    assert "12 complete months from 2026-01-01 to 2026-12-31" in result.explanation.en


def test_compare_drops_partial_months() -> None:
    # 2026-04-15 12:00 … 2026-07-10: April and July are partial, May and June complete
    series = _series(at(2026, 4, 15, 12), at(2026, 7, 10), minutes=60, kwh=_flat("1"))

    result = intervals.compare_intervals(series, current_plan="residential")

    assert [m.label for m in result.estimates[0].months] == ["2026-05", "2026-06"]


def test_compare_needs_both_seasons_and_a_complete_month() -> None:
    only_winter = _series(at(2026, 1, 1), at(2026, 3, 1), minutes=60, kwh=_flat("1"))
    with pytest.raises(TariffError) as raised:
        intervals.compare_intervals(only_winter, current_plan="residential")
    assert raised.value.code == "tariff.intervals_season_missing"

    short = _series(at(2026, 1, 5), at(2026, 1, 20), minutes=60, kwh=_flat("1"))
    with pytest.raises(TariffError) as raised:
        intervals.compare_intervals(short, current_plan="residential")
    assert raised.value.code == "tariff.intervals_no_complete_month"


def test_compare_weights_summer_and_non_summer_means() -> None:
    series = _series(at(2026, 5, 1), at(2026, 7, 1), minutes=60, kwh=_flat("1"))

    result = intervals.compare_intervals(series, current_plan="residential")

    # May (non-summer, 744 kWh) stands for 8 months, June (summer, 720 kWh) for 4:
    # May: 213.60 + 474.60 + 532.10 + 200 × 4.24 (848) + 44 × 5.27 (231.88) = 2300.18 → 2300
    # June: 213.60 + 535.50 + 646.00 + 200 × 5.14 (1028) + 20 × 6.44 (128.80) = 2551.90 → 2552
    # annual = 8 × 2300 + 4 × 2552 = 18400 + 10208 = 28608
    estimate = result.estimate("residential")
    assert [(m.label, m.weight, m.bill.total) for m in estimate.months] == [
        ("2026-05", 8, 2300),
        ("2026-06", 4, 2552),
    ]
    assert estimate.annual_total == 28608


def test_compare_historical_data_at_todays_tariff() -> None:
    series = _series(at(2024, 6, 1), at(2024, 12, 1), minutes=60, kwh=_load)

    # at its own dates, the unknown 2024 list blocks pricing (端午 2024-06-10 etc.)
    with pytest.raises(TariffError) as raised:
        intervals.compare_intervals(series, current_plan="residential")
    assert raised.value.code == "tariff.offpeak_days_unknown"

    # re-priced at the tariff in force on 2026-01-01 (its bands and its 離峰日 rules)
    result = intervals.compare_intervals(series, current_plan="residential", as_of=date(2026, 1, 1))
    assert {v for e in result.estimates for v in e.tariff_versions} == {
        "residential@2025-10-01",
        "simple_tou_2@2025-10-01",
        "simple_tou_3@2025-10-01",
    }
    assert result.provisional is False
    assert "priced at the tariffs in force on 2026-01-01" in result.explanation.en
    assert len(result.estimates[0].months) == 6


def test_compare_at_a_date_without_rates_is_refused() -> None:
    series = _series(at(2026, 5, 1), at(2026, 7, 1), minutes=60, kwh=_flat("1"))

    with pytest.raises(TariffError) as raised:
        intervals.compare_intervals(series, current_plan="residential", as_of=date(2023, 6, 1))
    assert raised.value.code == "tariff.rates_unknown"


def test_compare_intervals_with_a_supplied_offpeak_list() -> None:
    series = _series(at(2024, 5, 1), at(2024, 7, 1), minutes=60, kwh=_flat("1"))
    listed = {date(2024, 5, 1), date(2024, 6, 10)}

    result = intervals.compare_intervals(
        series, current_plan="simple_tou_2", tiered_plan="commercial", offpeak_days=listed
    )

    assert result.estimate("simple_tou_2").provisional is True  # 2024-04-01 TOU rates are C
    assert result.estimate("commercial").provisional is False
