"""Benchmark powerdesk's interval pricing against NREL PySAM ``Utilityrate5`` (issue 4, Deliver 8).

Usage:
    .venv/bin/python benchmarks/tariffs_pysam.py [--customers 10000] [--pysam-customers N]
        [--runs 3] [--interval-check 5] [--chunk 500] [--seed 8]

``--pysam-customers`` (default: all) limits the customer-years priced by PySAM and compared;
PySAM's per-bill time is then measured on that subset.

PySAM (``nrel-pysam``) is a benchmark dependency only: ``pip install -e '.[bench]'``.

**Scenario.** N synthetic customer-years of hourly kWh (8,760 values each, seeded numpy; whole
Wh, so both sides read exactly the same numbers): a per-customer mix of a base load, a morning
and an evening bump, daytime use (homes at weekends, shops every day) and air conditioning that
follows a seasonal temperature curve (summer afternoons and nights), with day-to-day and
hour-to-hour noise; annual levels are log-normal (median 700 kWh/month, 住商型 customers), so
some months exceed 2,000 kWh and pay the adder. Each customer-year is priced under 表燈簡易型
時間電價 二段式 and 三段式 (``simple_tou_2``, ``simple_tou_3``): N × 24 monthly bills.

**Calendar.** SAM has one fixed calendar: 365 days, January 1 a Monday (``util::
translate_schedule`` in NREL/ssc starts its weekday counter on a Monday; checked here with a
one-kWh probe). The year priced is therefore **2029** (January 1 is a Monday, not a leap year),
at the latest rate files (2025-10-01, in force until a newer file exists: the year is a
what-if at today's prices, on the new time bands of 2023-01-01). SAM's 12×24 weekday/weekend
matrices cannot express Taipower's 離峰日 (off-peak days such as 1/1, the Spring Festival run,
端午, 中秋, 10/10), so the comparison uses **weekdays and weekends only**: powerdesk is given an
explicit off-peak day list that holds no weekday (``offpeak_days``). The same customers are
also priced on the real Taipower calendar of 2029 (with its 離峰日) and the report says how many
bills change: that is what a PySAM model of these tariffs gets wrong.

**powerdesk side** (timed): the bulk engine has no interval input, so the hourly data is cut
into per-month, per-period kWh with numpy, using the period of every hour of the year as the
scalar engine's calendar gives it (``interval_periods`` on a one-year hourly series, once per
calendar), then priced by the bulk engine (``tou_totals``); each step's time is the median of ``--runs``
runs (per chunk of ``--chunk`` customer-years for the aggregation). One aggregation over the 三段式
windows serves both plans (the 二段式 peak windows are the 三段式 peak + semi-peak windows,
asserted at start-up). Checked, not timed: the scalar engine's interval path
(``bill_from_intervals``, one monthly series per bill) gives the same totals for the first
``--interval-check`` customers, and ``monthly_bill`` gives the exact unrounded amount
(``Bill.unrounded_total``) of every bill compared with PySAM.

**PySAM side** (timed): one ``Utilityrate5`` model per plan, configured once (energy charges in
``ur_ec_tou_mat``, the weekday and weekend 12×24 schedules, the basic charge as
``ur_monthly_fixed_charge``, no minimum, no demand charges, no system: ``gen`` = 0); per
customer-year: assign the 8,760 loads, execute, read ``year1_monthly_utility_bill_w_sys``. The
>2,000 kWh adder is expressed as a second tier in every period (up to 2,000 kWh at the period
price, above it at price + adder): SAM applies tier limits to the month's total kWh and splits
each tier across periods pro rata, so the charge is exactly Σ kWh_p·price_p + (kWh − 2,000)⁺ ×
adder.

**Agreement.** For every compared bill: |PySAM − powerdesk unrounded| ≤ NT$0.01, and the
powerdesk total (whole NT$, rounded half up once) equals PySAM's float rounded half up, except
where the amount lies within 0.01 of a half yuan. Results go to stdout as Markdown.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from powerdesk.tariffs import bulk  # noqa: E402
from powerdesk.tariffs.engine import (  # noqa: E402
    IntervalSeries,
    Plan,
    Season,
    TouKwh,
    TouPeriod,
    TouSchedule,
    bill_from_intervals,
    interval_periods,
    monthly_bill,
    round_half_up,
    schedules_between,
)

type Utilityrate5 = Any
"""A ``PySAM.Utilityrate5`` model (PySAM ships no type information)."""

SEED = 8
YEAR = 2029
"""January 1 is a Monday and the year has 365 days: SAM's fixed calendar (module docstring)."""
HOURS = 8760
MONTHS = 12
PLANS = (Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)
PERIODS = (TouPeriod.PEAK, TouPeriod.SEMI_PEAK, TouPeriod.OFF_PEAK)
"""Column order of the per-period arrays (the three-period windows)."""
WH_PER_KWH = 1000
WEEKDAYS_ONLY = frozenset({date(YEAR, 1, 6)})
"""An explicit 離峰日 list with no weekday (a Saturday is off-peak anyway): weekday/weekend only.
``offpeak_days`` must name a date in every year of the series, hence the one Saturday."""
TOLERANCE = 0.01  # [NT$]


def _local(day: date) -> datetime:
    """Midnight starting ``day``, naive Asia/Taipei local time (as ``IntervalSeries`` wants)."""
    return datetime.combine(day, datetime.min.time())


_MONTH_OF_HOUR = np.array(
    [(_local(date(YEAR, 1, 1)) + timedelta(hours=hour)).month - 1 for hour in range(HOURS)],
    dtype=np.int64,
)
_HOUR_START = [(date(YEAR, month, 1) - date(YEAR, 1, 1)).days * 24 for month in range(1, 13)]
_HOUR_START.append(HOURS)

type WhArray = NDArray[np.int32]
type IntArray = NDArray[np.int64]


# --- Calendar and rates ---------------------------------------------------------------------


def schedule_of(plan: Plan) -> TouSchedule:
    """The one version of ``plan`` in force for the whole of ``YEAR`` (checked)."""
    versions = schedules_between(plan, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31))
    if len(versions) != 1 or not isinstance(versions[0][0], TouSchedule):
        raise SystemExit(f"{plan.value}: expected one simple-TOU version for {YEAR}")
    return versions[0][0]


def period_codes(plan: Plan, *, taipower_calendar: bool) -> NDArray[np.int8]:
    """Index into ``PERIODS`` of every hour of ``YEAR`` under ``plan``, by the scalar engine.

    ``taipower_calendar``: honour Taipower's 離峰日; otherwise weekdays and weekends only.
    """
    series = IntervalSeries(
        start=_local(date(YEAR, 1, 1)), interval_minutes=60, kwh=(Decimal(0),) * HOURS
    )
    periods = interval_periods(
        series, plan=plan, offpeak_days=None if taipower_calendar else WEEKDAYS_ONLY
    )
    return np.array([PERIODS.index(period) for period in periods], dtype=np.int8)


type OneHot = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MonthRuns:
    """The days of one calendar month grouped by their 24-hour period pattern."""

    first_day: int  # day of the year (0-based) of the 1st
    last_day: int  # day of the year after the month's last day
    # per distinct pattern: its (24, 3) hour → period one-hot matrix and its runs of
    # consecutive days (start, stop), counted from the 1st
    patterns: tuple[tuple[OneHot, tuple[tuple[int, int], ...]], ...]


@dataclass(frozen=True, slots=True)
class Grouping:
    """The TOU period of every hour of ``YEAR``, arranged for ``aggregate``."""

    codes: NDArray[np.int8]  # (8760,) index into PERIODS
    months: tuple[MonthRuns, ...]
    order: NDArray[np.intp]  # (8760,) hour indices sorted by (month, period), for the check
    starts: NDArray[np.intp]  # first position of each non-empty (month, period) group
    cells: NDArray[np.intp]  # month × 3 + period of each non-empty group


def _month_runs(day_codes: NDArray[np.int8], *, month: int) -> MonthRuns:
    first_day, last_day = _HOUR_START[month] // 24, _HOUR_START[month + 1] // 24
    runs: dict[bytes, list[list[int]]] = {}
    for day in range(first_day, last_day):
        found = runs.setdefault(day_codes[day].tobytes(), [])
        offset = day - first_day
        if found and found[-1][1] == offset:
            found[-1][1] += 1
        else:
            found.append([offset, offset + 1])
    patterns = []
    for key, found in runs.items():
        pattern = np.frombuffer(key, dtype=np.int8)
        one_hot = np.zeros((24, len(PERIODS)), dtype=np.int64)
        one_hot[np.arange(24), pattern] = 1
        patterns.append((one_hot, tuple((start, stop) for start, stop in found)))
    return MonthRuns(first_day=first_day, last_day=last_day, patterns=tuple(patterns))


def grouping(codes: NDArray[np.int8]) -> Grouping:
    """Arrange the period of every hour by calendar month (see ``aggregate``)."""
    day_codes = codes.reshape(HOURS // 24, 24)
    keys = _MONTH_OF_HOUR * len(PERIODS) + codes.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    cells, starts = np.unique(keys[order], return_index=True)
    return Grouping(
        codes=codes,
        months=tuple(_month_runs(day_codes, month=month) for month in range(MONTHS)),
        order=order,
        starts=starts.astype(np.intp),
        cells=cells.astype(np.intp),
    )


def three_period_codes(*, taipower_calendar: bool) -> NDArray[np.int8]:
    """The 三段式 period of every hour; asserts the 二段式 peak = 三段式 peak + semi-peak."""
    three = period_codes(Plan.SIMPLE_TOU_3, taipower_calendar=taipower_calendar)
    two = period_codes(Plan.SIMPLE_TOU_2, taipower_calendar=taipower_calendar)
    off = PERIODS.index(TouPeriod.OFF_PEAK)
    if not np.array_equal(two == off, three == off) or TouPeriod.SEMI_PEAK in [
        PERIODS[code] for code in np.unique(two)
    ]:
        raise SystemExit("the 二段式 peak windows are not the 三段式 peak + semi-peak windows")
    return three


# --- Synthetic hourly data ------------------------------------------------------------------


def _basis() -> NDArray[np.float64]:
    """Five hourly load shapes over the year: base, morning, evening, daytime, cooling."""
    hours = np.arange(HOURS)
    hour = hours % 24
    day = hours // 24
    weekend = (day % 7) >= 5  # January 1 is a Monday
    base = np.ones(HOURS)
    morning_centre = np.where(weekend, 9.0, 7.0)
    morning = np.exp(-0.5 * ((hour - morning_centre) / 1.2) ** 2)
    evening = np.exp(-0.5 * ((hour - 20.0) / 1.8) ** 2)
    daytime = ((hour >= 9) & (hour < 18)).astype(np.float64)
    # Temperature proxy: 0 in mid-January, 1 in late July; cooling above a threshold.
    season = 0.5 - 0.5 * np.cos(2 * np.pi * (day - 15) / 365)
    diurnal = 0.55 + 0.45 * np.cos(2 * np.pi * (hour - 15) / 24)
    night_ac = ((hour >= 22) | (hour < 6)) * 0.6
    cooling = np.maximum(season - 0.45, 0) / 0.55 * (diurnal + night_ac)
    return np.stack([base, morning, evening, daytime, cooling])


_BASIS = _basis()
_WEEKEND = ((np.arange(HOURS) // 24) % 7) >= 5


def synthetic_load(count: int, *, seed: int, first: int = 0, level_kwh: float = 700.0) -> WhArray:
    """Hourly use [Wh] of customers ``first`` … ``first + count − 1`` (seeded by index).

    Shapes as in the module docstring; a customer's data depends only on (seed, index), so
    any subset can be regenerated. ``level_kwh`` is the median monthly kWh.
    """
    result = np.empty((count, HOURS), dtype=np.int32)
    for row in range(count):
        rng = np.random.default_rng([seed, first + row])
        shop = rng.random() < 0.25
        weights = np.array(
            [
                rng.uniform(0.25, 0.6),  # base
                rng.uniform(0.2, 0.8),  # morning
                rng.uniform(0.5, 1.5),  # evening
                rng.uniform(0.8, 2.0) if shop else rng.uniform(0.0, 0.4),  # daytime
                rng.uniform(0.8, 3.0),  # cooling
            ]
        )
        shape = weights @ _BASIS
        if not shop:  # homes: more daytime use at weekends
            shape = shape + np.where(_WEEKEND, 0.5 * _BASIS[3], 0.0)
        daily = np.repeat(rng.lognormal(0.0, 0.15, HOURS // 24), 24)
        hourly = shape * daily * rng.lognormal(0.0, 0.35, HOURS)
        annual_kwh = 12 * level_kwh * float(np.exp(rng.normal(0.0, 0.55)))
        kwh = hourly * (annual_kwh / hourly.sum())
        result[row] = np.rint(kwh * WH_PER_KWH).astype(np.int32)
    return result


# --- powerdesk ------------------------------------------------------------------------------


_INT32_SAFE_WH = (2**31 - 1) // 31
"""[Wh] Largest hourly value for which 31 days of one hour of the day still fit an int32."""


def aggregate(wh: WhArray, groups: Grouping) -> IntArray:
    """Energy [Wh] per customer, calendar month and period: shape (customers, 12, 3).

    Within a month every day of one kind (an ordinary weekday, or an off-peak day) has the same
    24-hour period pattern, so the days of each pattern are added hour by hour (one int32
    (customers, 24) accumulator per pattern: exact, since no hour exceeds ``_INT32_SAFE_WH``,
    checked; otherwise ``aggregate_exact``), then mapped to periods by the pattern's (24, 3)
    one-hot matrix in int64. Equal to ``aggregate_exact`` (checked by the benchmark and tests).
    """
    if wh.size and (int(wh.min()) < 0 or int(wh.max()) > _INT32_SAFE_WH):
        return aggregate_exact(wh, groups)
    count = wh.shape[0]
    days = wh.reshape(count, HOURS // 24, 24)
    result = np.zeros((count, MONTHS, len(PERIODS)), dtype=np.int64)
    hourly = np.empty((count, 24), dtype=np.int32)
    for index, month in enumerate(groups.months):
        month_days = days[:, month.first_day : month.last_day, :]
        for one_hot, runs in month.patterns:
            hourly.fill(0)
            for start, stop in runs:
                for day in range(start, stop):
                    hourly += month_days[:, day, :]
            result[:, index, :] += hourly.astype(np.int64) @ one_hot
    return result


def aggregate_exact(wh: WhArray, groups: Grouping) -> IntArray:
    """``aggregate`` the plain way, as its check: hours sorted by (month, period), then one
    ``np.add.reduceat`` (int64)."""
    sums = np.add.reduceat(wh[:, groups.order], groups.starts, axis=1, dtype=np.int64)
    result = np.zeros((wh.shape[0], MONTHS * len(PERIODS)), dtype=np.int64)
    result[:, groups.cells] = sums
    return result.reshape(wh.shape[0], MONTHS, len(PERIODS))


def rate_tables() -> dict[Plan, bulk.TouRates]:
    """The bulk engine's monthly rate tables of both plans for ``YEAR``."""
    first = bulk.month_index(year=YEAR, month=1)
    return {
        plan: bulk.tou_rates(plan, first_month=first, last_month=first + MONTHS - 1)
        for plan in PLANS
    }


def bulk_totals(rates: dict[Plan, bulk.TouRates], energy: IntArray) -> dict[Plan, IntArray]:
    """Monthly bill totals [NT$] of every customer under both plans, shape (customers, 12)."""
    count = energy.shape[0]
    months = np.broadcast_to(
        np.arange(MONTHS, dtype=np.int32) + bulk.month_index(year=YEAR, month=1), (count, MONTHS)
    )
    result: dict[Plan, IntArray] = {}
    for plan in PLANS:
        priced = bulk.tou_totals(
            rates[plan],
            months=months,
            peak=energy[:, :, 0],
            semi_peak=energy[:, :, 1],
            off_peak=energy[:, :, 2],
            tax_exempt=np.zeros(count, dtype=np.bool_),
            scale=WH_PER_KWH,
        )
        if not np.all(priced.status == bulk.Status.OK):
            raise SystemExit(f"{plan.value}: the bulk engine refused some bills")
        result[plan] = priced.totals
    return result


def tou_kwh(plan: Plan, cell: IntArray) -> TouKwh:
    """The scalar engine's ``TouKwh`` for one month's (peak, semi-peak, off-peak) Wh."""
    peak, semi_peak, off_peak = (Decimal(int(value)) / WH_PER_KWH for value in cell)
    if plan is Plan.SIMPLE_TOU_2:
        return TouKwh(peak=peak + semi_peak, off_peak=off_peak)
    return TouKwh(peak=peak, semi_peak=semi_peak, off_peak=off_peak)


def exact_amounts(energy: IntArray) -> dict[Plan, list[list[Fraction]]]:
    """The scalar engine's unrounded bill (``monthly_bill``) of every customer-month."""
    return {
        plan: [
            [
                monthly_bill(
                    plan=plan, year=YEAR, month=month + 1, kwh=tou_kwh(plan, row[month])
                ).unrounded_total
                for month in range(MONTHS)
            ]
            for row in energy
        ]
        for plan in PLANS
    }


def interval_path_totals(wh_row: WhArray, *, taipower_calendar: bool) -> dict[Plan, list[int]]:
    """The scalar engine's interval path: ``bill_from_intervals`` per calendar month."""
    result: dict[Plan, list[int]] = {plan: [] for plan in PLANS}
    for month in range(MONTHS):
        lo, hi = _HOUR_START[month], _HOUR_START[month + 1]
        series = IntervalSeries(
            start=_local(date(YEAR, month + 1, 1)),
            interval_minutes=60,
            kwh=tuple(Decimal(int(value)) / WH_PER_KWH for value in wh_row[lo:hi]),
        )
        for plan in PLANS:
            bill = bill_from_intervals(
                series, plan=plan, offpeak_days=None if taipower_calendar else WEEKDAYS_ONLY
            )
            result[plan].append(bill.total)
    return result


# --- PySAM ----------------------------------------------------------------------------------


def pysam_model(schedule: TouSchedule) -> Utilityrate5:
    """A ``Utilityrate5`` model of one simple-TOU version (module docstring), without load."""
    import PySAM.Utilityrate5  # optional benchmark dependency

    model = PySAM.Utilityrate5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.inflation_rate = 0
    model.Lifetime.system_use_lifetime_output = 0
    model.SystemOutput.gen = (0.0,) * HOURS
    model.SystemOutput.degradation = (0,)
    model.Load.load_escalation = (0,)
    rates = model.ElectricityRates
    rates.en_electricity_rates = 1
    rates.rate_escalation = (0,)
    rates.ur_metering_option = 0
    rates.ur_monthly_fixed_charge = float(schedule.basic_charge_per_month)
    rates.ur_monthly_min_charge = 0
    rates.ur_annual_min_charge = 0
    rates.ur_dc_enable = 0
    # SAM periods are 1-based: one per (season, period) the plan prices.
    sam_period: dict[tuple[Season, TouPeriod], int] = {}
    matrix: list[list[float]] = []
    threshold = float(schedule.adder_threshold_kwh)
    adder = float(schedule.adder_per_kwh)
    for season in (Season.SUMMER, Season.NON_SUMMER):
        prices = schedule.prices(season)
        for period in PERIODS:
            price = prices.price(period)
            if price is None:
                continue
            number = len(sam_period) + 1
            sam_period[season, period] = number
            matrix.append([number, 1, threshold, 0, float(price), 0])
            matrix.append([number, 2, 1e38, 0, float(price) + adder, 0])
    rates.ur_ec_tou_mat = matrix
    weekday: list[list[int]] = []
    weekend: list[list[int]] = []
    for month in range(1, MONTHS + 1):
        season = Season.SUMMER if 6 <= month <= 9 else Season.NON_SUMMER
        slots = schedule.bands.slots(season)  # 48 half-hours of an ordinary weekday
        if any(slots[2 * hour] is not slots[2 * hour + 1] for hour in range(24)):
            raise SystemExit(f"{schedule.version}: a band boundary falls on a half hour")
        weekday.append([sam_period[season, slots[2 * hour]] for hour in range(24)])
        weekend.append([sam_period[season, TouPeriod.OFF_PEAK]] * 24)
    rates.ur_ec_sched_weekday = weekday
    rates.ur_ec_sched_weekend = weekend
    return model


def pysam_bills(model: Utilityrate5, wh_row: WhArray) -> list[float]:
    """The 12 monthly bills [NT$, float] of one customer-year."""
    model.Load.load = (wh_row / WH_PER_KWH).tolist()  # hourly: kW = kWh per hour
    model.execute(0)
    return list(model.Outputs.year1_monthly_utility_bill_w_sys)


def check_pysam_calendar() -> None:
    """Check SAM's calendar: January 1 a weekday, January 6–7 a weekend (a Monday start)."""
    import PySAM.Utilityrate5

    model = PySAM.Utilityrate5.new()
    model.Lifetime.analysis_period = 1
    model.Lifetime.inflation_rate = 0
    model.Lifetime.system_use_lifetime_output = 0
    model.SystemOutput.gen = (0.0,) * HOURS
    model.SystemOutput.degradation = (0,)
    model.Load.load_escalation = (0,)
    rates = model.ElectricityRates
    rates.en_electricity_rates = 1
    rates.rate_escalation = (0,)
    rates.ur_metering_option = 0
    rates.ur_monthly_fixed_charge = 0
    rates.ur_ec_tou_mat = [[1, 1, 1e38, 0, 1.0, 0], [2, 1, 1e38, 0, 100.0, 0]]
    rates.ur_ec_sched_weekday = [[1] * 24] * MONTHS
    rates.ur_ec_sched_weekend = [[2] * 24] * MONTHS
    for day in range(7):
        load = [0.0] * HOURS
        load[day * 24 + 12] = 1.0
        model.Load.load = load
        model.execute(0)
        weekend = model.Outputs.year1_monthly_utility_bill_w_sys[0] > 50
        if weekend != (date(YEAR, 1, 1 + day).weekday() >= 5):
            raise SystemExit(f"SAM's calendar does not match {YEAR}: day {day + 1} differs")


# --- The run --------------------------------------------------------------------------------


def _round(value: float) -> int:
    return round_half_up(Decimal(repr(value)))


class Clock:
    """Accumulated wall and CPU seconds of the timed sections."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._started = (0.0, 0.0)

    def __enter__(self) -> Clock:
        self._started = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *_: object) -> None:
        self.wall += time.perf_counter() - self._started[0]
        self.cpu += time.process_time() - self._started[1]


def _powerdesk(
    options: argparse.Namespace, *, count: int, groups: Grouping, rates: dict[Plan, bulk.TouRates]
) -> tuple[IntArray, dict[Plan, IntArray], dict[str, Any]]:
    """Aggregate and price every customer-year; time it; check the aggregation."""
    energy = np.empty((count, MONTHS, len(PERIODS)), dtype=np.int64)
    aggregating, generating = Clock(), Clock()
    for first in range(0, count, options.chunk):
        size = min(options.chunk, count - first)
        with generating:
            wh = synthetic_load(size, seed=options.seed, first=first)
        runs: list[tuple[float, float]] = []
        for _ in range(options.runs):
            with Clock() as clock:
                energy[first : first + size] = aggregate(wh, groups)
            runs.append((clock.wall, clock.cpu))
        aggregating.wall += statistics.median(wall for wall, _ in runs)
        aggregating.cpu += statistics.median(cpu for _, cpu in runs)
        if first == 0 and not np.array_equal(energy[:size], aggregate_exact(wh, groups)):
            raise SystemExit("aggregate differs from aggregate_exact")
    bulk_totals(rates, energy[: min(count, 100)])  # warm up
    pricing = Clock()
    runs = []
    for _ in range(options.runs):
        with Clock() as clock:
            totals = bulk_totals(rates, energy)
        runs.append((clock.wall, clock.cpu))
    pricing.wall = statistics.median(wall for wall, _ in runs)
    pricing.cpu = statistics.median(cpu for _, cpu in runs)
    figures = {
        "generate_s": generating.wall,
        "aggregate_s": aggregating.wall,
        "aggregate_cpu_s": aggregating.cpu,
        "price_s": pricing.wall,
        "price_cpu_s": pricing.cpu,
    }
    return energy, totals, figures


def _memory(
    options: argparse.Namespace,
    *,
    groups: Grouping,
    rates: dict[Plan, bulk.TouRates],
    energy: IntArray,
) -> float:
    """[MB] tracemalloc peak of aggregating one chunk and pricing every customer-year."""
    wh = synthetic_load(min(options.chunk, energy.shape[0]), seed=options.seed)
    tracemalloc.start()
    aggregate(wh, groups)
    bulk_totals(rates, energy)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _pysam(
    options: argparse.Namespace, *, compared: int
) -> tuple[dict[Plan, list[list[float]]], Clock]:
    """PySAM's monthly bills of the first ``compared`` customer-years, timed."""
    check_pysam_calendar()
    models = {plan: pysam_model(schedule_of(plan)) for plan in PLANS}
    sam: dict[Plan, list[list[float]]] = {plan: [] for plan in PLANS}
    clock = Clock()
    for first in range(0, compared, options.chunk):
        size = min(options.chunk, compared - first)
        wh = synthetic_load(size, seed=options.seed, first=first)
        with clock:
            for row in wh:
                for plan in PLANS:
                    sam[plan].append(pysam_bills(models[plan], row))
    return sam, clock


def _agreement(
    *,
    compared: int,
    energy: IntArray,
    totals: dict[Plan, IntArray],
    sam: dict[Plan, list[list[float]]],
) -> dict[str, Any]:
    """Compare PySAM with powerdesk's unrounded amounts and whole-NT$ totals."""
    started = time.perf_counter()
    exact = exact_amounts(energy[:compared])
    scalar_s = time.perf_counter() - started
    worst = 0.0
    over = ties = total_mismatch = scalar_mismatch = 0
    examples: list[str] = []
    tie_examples: list[str] = []
    for plan in PLANS:
        for index in range(compared):
            for month in range(MONTHS):
                amount = exact[plan][index][month]
                theirs = sam[plan][index][month]
                ours = int(totals[plan][index, month])
                difference = abs(theirs - float(amount))
                worst = max(worst, difference)
                if difference > TOLERANCE:
                    over += 1
                    if len(examples) < 5:
                        examples.append(
                            f"{plan.value} customer {index} {YEAR}-{month + 1:02d}: "
                            f"PySAM {theirs:.4f}, powerdesk {float(amount):.4f}"
                        )
                scalar_mismatch += round_half_up(amount) != ours
                if _round(theirs) != ours:
                    fraction = float(amount) % 1
                    if abs(fraction - 0.5) <= TOLERANCE:
                        ties += 1
                        if len(tie_examples) < 3:
                            tie_examples.append(
                                f"{plan.value} customer {index} {YEAR}-{month + 1:02d}: "
                                f"PySAM {theirs!r} → {_round(theirs)}, powerdesk exactly "
                                f"{Decimal(amount.numerator) / amount.denominator} → {ours}"
                            )
                    else:
                        total_mismatch += 1
    return {
        "scalar_s": scalar_s,
        "worst_difference": worst,
        "over_tolerance": over,
        "total_mismatches": total_mismatch,
        "half_yuan_ties": ties,
        "scalar_mismatches": scalar_mismatch,
        "examples": examples,
        "tie_examples": tie_examples,
        "annual_bulk_compared": {plan.value: int(totals[plan][:compared].sum()) for plan in PLANS},
        "annual_pysam_compared": {plan.value: float(np.sum(sam[plan])) for plan in PLANS},
    }


def run(options: argparse.Namespace) -> dict[str, Any]:
    """Generate, price, compare and time; return the figures."""
    count: int = options.customers
    compared: int = min(options.pysam_customers or count, count)
    result: dict[str, Any] = {"customers": count, "pysam_customers": compared}
    result["bills"] = count * MONTHS * len(PLANS)
    result["pysam_bills"] = compared * MONTHS * len(PLANS)

    started = time.perf_counter()
    codes = three_period_codes(taipower_calendar=False)
    groups = grouping(codes)
    rates = rate_tables()
    result["setup_s"] = time.perf_counter() - started
    taipower_codes = three_period_codes(taipower_calendar=True)
    taipower_groups = grouping(taipower_codes)
    result["weekday_offpeak_hours"] = int(np.count_nonzero(codes != taipower_codes))

    energy, totals, figures = _powerdesk(options, count=count, groups=groups, rates=rates)
    result.update(figures)
    result["engine_peak_mb"] = _memory(options, groups=groups, rates=rates, energy=energy)
    monthly_kwh = energy.sum(axis=2) / WH_PER_KWH
    result["median_monthly_kwh"] = float(np.median(monthly_kwh))
    result["months_over_2000"] = int(np.count_nonzero(monthly_kwh > 2000))
    result["kwh_total"] = float(monthly_kwh.sum())

    # The real Taipower calendar (離峰日), which PySAM cannot express (not timed).
    taipower_energy, taipower_totals, _ = _powerdesk(
        options, count=count, groups=taipower_groups, rates=rates
    )
    del taipower_energy
    result["holiday_changed"] = {
        plan.value: int(np.count_nonzero(taipower_totals[plan] != totals[plan])) for plan in PLANS
    }
    result["holiday_saving"] = {
        plan.value: int((totals[plan] - taipower_totals[plan]).sum()) for plan in PLANS
    }

    # The scalar interval path on a few customers (not timed).
    checked = min(options.interval_check, count)
    interval_equal = True
    for index in range(checked):
        wh_row = synthetic_load(1, seed=options.seed, first=index)[0]
        for calendar_rule, reference in ((False, totals), (True, taipower_totals)):
            path = interval_path_totals(wh_row, taipower_calendar=calendar_rule)
            interval_equal &= all(path[plan] == reference[plan][index].tolist() for plan in PLANS)
    result["interval_checked"] = checked
    result["interval_equal"] = interval_equal

    sam, clock = _pysam(options, compared=compared)
    result["pysam_s"], result["pysam_cpu_s"] = clock.wall, clock.cpu
    result.update(_agreement(compared=compared, energy=energy, totals=totals, sam=sam))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def report(result: dict[str, Any], *, argv: list[str], load_before: float) -> None:
    """Print the Markdown report."""
    import PySAM

    bills = result["bills"]
    ours_us = (result["aggregate_s"] + result["price_s"]) / bills * 1e6
    ours_cpu_us = (result["aggregate_cpu_s"] + result["price_cpu_s"]) / bills * 1e6
    sam_us = result["pysam_s"] / result["pysam_bills"] * 1e6
    sam_cpu_us = result["pysam_cpu_s"] / result["pysam_bills"] * 1e6
    command = " ".join(["python benchmarks/tariffs_pysam.py", *argv]).strip()
    print(f"Command: `.venv/bin/{command}`\n")
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"PySAM {PySAM.__version__}; 1-minute load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine slows every figure down).\n"
    )
    header = [
        "customer-years",
        "bills (×12 months ×2 plans)",
        "powerdesk: aggregate [s]",
        "powerdesk: price [s]",
        "powerdesk [µs/bill]",
        "PySAM customer-years",
        "PySAM [s]",
        "PySAM [µs/bill]",
        "ratio PySAM/powerdesk (wall)",
        "ratio (CPU)",
        "compared bills",
        "max |Δ| before rounding [NT$]",
        "over NT$0.01",
        "NT$ totals differing",
        "engine peak (tracemalloc) [MB]",
        "peak RSS [MB]",
    ]
    cells = [
        f"{result['customers']:,}",
        f"{bills:,}",
        f"{result['aggregate_s']:.2f}",
        f"{result['price_s']:.3f}",
        f"{ours_us:.2f}",
        f"{result['pysam_customers']:,}",
        f"{result['pysam_s']:.1f}",
        f"{sam_us:.0f}",
        f"{sam_us / ours_us:,.0f}×",
        f"{sam_cpu_us / ours_cpu_us:,.0f}×",
        f"{result['pysam_bills']:,}",
        f"{result['worst_difference']:.1e}",
        f"{result['over_tolerance']:,}",
        f"{result['total_mismatches']:,}",
        f"{result['engine_peak_mb']:.0f}",
        f"{result['peak_rss_mb']:.0f}",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"- Data: {result['kwh_total']:,.0f} kWh in all; median month "
        f"{result['median_monthly_kwh']:,.0f} kWh; {result['months_over_2000']:,} customer-months "
        f"above 2,000 kWh (adder); generating it took {result['generate_s']:.1f} s (not timed)."
    )
    print(
        f"- powerdesk = aggregation of the hourly data into month × period kWh (numpy; the period "
        f"of every hour from the scalar engine's calendar) + the bulk engine's `tou_totals` for both "
        f"plans: {ours_us:.2f} µs/bill wall, {ours_cpu_us:.2f} µs/bill CPU. The one-off calendar "
        f"and rate-table set-up ({result['setup_s']:.2f} s per year) is not in the per-bill figure."
    )
    print(
        f"- PySAM = one configured `Utilityrate5` model per plan; per customer-year: assign the "
        f"8,760 loads, `execute`, read the 12 monthly bills ({result['pysam_customers']:,} "
        f"customer-years × 2 plans = {result['pysam_customers'] * 2:,} runs): {sam_us:.0f} µs/bill "
        f"wall, {sam_cpu_us:.0f} µs/bill CPU."
    )
    print(
        f"- Agreement on {result['pysam_bills']:,} bills: largest |PySAM − powerdesk unrounded "
        f"(`Bill.unrounded_total`)| = NT${result['worst_difference']:.1e}; "
        f"{result['over_tolerance']} above NT$0.01; whole-NT$ totals (PySAM's float rounded half "
        f"up) differ in {result['total_mismatches']} bills, plus {result['half_yuan_ties']} within "
        f"NT$0.01 of a half yuan (a float cannot settle those); the bulk totals differ from the "
        f"scalar `monthly_bill` totals in {result['scalar_mismatches']} bills (scalar pass: "
        f"{result['scalar_s']:.1f} s, not timed)."
    )
    for line in result["examples"]:
        print(f"  - mismatch: {line}")
    for line in result["tie_examples"]:
        print(f"  - half-yuan tie: {line}")
    ours_annual = ", ".join(
        f"{plan} NT${value:,}" for plan, value in result["annual_bulk_compared"].items()
    )
    sam_annual = ", ".join(
        f"{plan} NT${value:,.2f}" for plan, value in result["annual_pysam_compared"].items()
    )
    print(
        f"- Sum of the compared bills: powerdesk {ours_annual} (each bill rounded to the NT$); "
        f"PySAM {sam_annual} (unrounded)."
    )
    interval = (
        "equal to the bulk totals"
        if result["interval_equal"]
        else "**DIFFERENT** from the bulk totals"
    )
    print(
        f"- Scalar interval path (`bill_from_intervals`, one monthly series per bill) on the first "
        f"{result['interval_checked']} customers, both calendars: {interval}."
    )
    changed = ", ".join(f"{plan} {value:,}" for plan, value in result["holiday_changed"].items())
    saving = ", ".join(f"{plan} NT${value:,}" for plan, value in result["holiday_saving"].items())
    print(
        f"- Taipower's 離峰日 (not expressible in PySAM's 12×24 matrices): {YEAR} has "
        f"{result['weekday_offpeak_hours']} weekday hours that are off-peak only because of them. "
        f"On the real calendar, {changed} of the {result['customers'] * MONTHS:,} monthly bills "
        f"per plan are lower (by {saving} in all): a PySAM model of these tariffs overcharges them."
    )


def main() -> None:
    """Parse the arguments, run, print the Markdown report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument(
        "--pysam-customers",
        type=int,
        default=0,
        help="customer-years priced by PySAM and compared (default: all)",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="powerdesk timings: median of this many runs"
    )
    parser.add_argument("--interval-check", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--seed", type=int, default=SEED)
    options = parser.parse_args()
    try:
        import PySAM.Utilityrate5  # noqa: F401
    except ImportError:
        print("PySAM is not installed: pip install -e '.[bench]' (nrel-pysam)", file=sys.stderr)
        raise SystemExit(2) from None
    load_before = os.getloadavg()[0]
    result = run(options)
    report(result, argv=sys.argv[1:], load_before=load_before)


if __name__ == "__main__":
    main()
