"""powerdesk's simple-TOU bills agree with NREL PySAM ``Utilityrate5`` (issue 4, Deliver 8).

The comparison logic of ``benchmarks/tariffs_pysam.py`` on a few customer-years: the hourly data
cut into month × period kWh, the bulk engine's totals, the scalar engine's unrounded amounts and
interval path, and PySAM configured with the same rates. PySAM (``nrel-pysam``) comes with the
``test`` extra (``make test``) and the ``bench`` extra; on a laptop without it these tests are
skipped with a message, but with ``CI`` set a missing PySAM fails them: CI must run them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from powerdesk.tariffs.engine import Plan, TouPeriod, offpeak_days, round_half_up

if importlib.util.find_spec("PySAM") is None:
    _MESSAGE = "NREL PySAM is not installed: pip install -e '.[test]' (or '.[bench]')"
    if os.environ.get("CI"):
        pytest.fail(_MESSAGE + "; CI must run the PySAM agreement tests.", pytrace=False)
    pytest.skip(_MESSAGE, allow_module_level=True)

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "tariffs_pysam.py"


def _load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tariffs_pysam", BENCHMARK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()
SEED = 20261127


@pytest.fixture(scope="module")
def customers() -> np.ndarray:
    """Three customer-years of hourly Wh: two ordinary, one large (its use multiplied by a
    whole factor so that its largest month exceeds 3,200 kWh: months on both sides of 2,000)."""
    ordinary = bench.synthetic_load(3, seed=SEED)
    largest_month_wh = max(
        int(ordinary[2, start:stop].sum(dtype=np.int64))
        for start, stop in zip(bench._HOUR_START, bench._HOUR_START[1:], strict=False)
    )
    ordinary[2] *= 3_200_000 // largest_month_wh + 1
    return ordinary


@pytest.fixture(scope="module")
def weekday_groups() -> object:
    return bench.grouping(bench.three_period_codes(taipower_calendar=False))


@pytest.fixture(scope="module")
def models() -> dict[Plan, object]:
    return {plan: bench.pysam_model(bench.schedule_of(plan)) for plan in bench.PLANS}


def test_pysam_calendar_is_the_benchmark_year() -> None:
    # SAM's year starts on a Monday and has 365 days; the benchmark year must match.
    assert date(bench.YEAR, 1, 1).weekday() == 0
    assert (date(bench.YEAR + 1, 1, 1) - date(bench.YEAR, 1, 1)).days == 365
    bench.check_pysam_calendar()


def test_aggregate_equals_plain_masked_sums(customers: np.ndarray) -> None:
    for taipower_calendar in (False, True):
        codes = bench.three_period_codes(taipower_calendar=taipower_calendar)
        groups = bench.grouping(codes)
        fast = bench.aggregate(customers, groups)
        assert np.array_equal(fast, bench.aggregate_exact(customers, groups))
        month_of_hour = np.array(
            [
                month
                for month in range(12)
                for _ in range(bench._HOUR_START[month], bench._HOUR_START[month + 1])
            ]
        )
        for month in range(12):
            for column in range(3):
                mask = (month_of_hour == month) & (codes == column)
                plain = customers[:, mask].sum(axis=1, dtype=np.int64)
                assert np.array_equal(fast[:, month, column], plain)
        assert int(fast.sum()) == int(customers.sum(dtype=np.int64))


def test_bills_agree_with_pysam(
    customers: np.ndarray, weekday_groups: object, models: dict[Plan, object]
) -> None:
    energy = bench.aggregate(customers, weekday_groups)
    monthly_kwh = energy.sum(axis=2) / bench.WH_PER_KWH
    # The sample covers both sides of the adder threshold and both seasons.
    assert (monthly_kwh > 2000).sum() >= 3
    assert (monthly_kwh < 2000).sum() >= 12
    totals = bench.bulk_totals(bench.rate_tables(), energy)
    exact = bench.exact_amounts(energy)
    compared = 0
    for plan in bench.PLANS:
        for index, row in enumerate(customers):
            sam = bench.pysam_bills(models[plan], row)
            assert len(sam) == 12
            for month in range(12):
                amount = exact[plan][index][month]
                assert abs(sam[month] - float(amount)) <= bench.TOLERANCE, (plan, index, month)
                assert round_half_up(amount) == totals[plan][index, month]
                assert bench._round(sam[month]) == totals[plan][index, month]
                compared += 1
    assert compared == 72  # 36 customer-months × 2 plans


def test_interval_path_equals_bulk(customers: np.ndarray, weekday_groups: object) -> None:
    # The scalar engine's own interval path gives the same totals on both calendars.
    rates = bench.rate_tables()
    taipower_groups = bench.grouping(bench.three_period_codes(taipower_calendar=True))
    row = customers[2]
    for taipower_calendar, groups in ((False, weekday_groups), (True, taipower_groups)):
        totals = bench.bulk_totals(rates, bench.aggregate(row[None, :], groups))
        path = bench.interval_path_totals(row, taipower_calendar=taipower_calendar)
        for plan in bench.PLANS:
            assert path[plan] == totals[plan][0].tolist()


def test_pysam_cannot_express_offpeak_days(models: dict[Plan, object]) -> None:
    # 2029-01-01 is a Monday and a 離峰日: on Taipower's calendar its weekday peak hours are
    # off-peak, which PySAM's weekday/weekend matrices cannot say. The comparison sees it.
    assert date(bench.YEAR, 1, 1) in offpeak_days(bench.YEAR)
    load = np.zeros((1, bench.HOURS), dtype=np.int32)
    load[0, 18:21] = 2000  # 18:00-21:00 on January 1: peak (二段式) / semi-peak (三段式)
    load[0, 24 * 2 + 18 : 24 * 2 + 21] = 1000  # January 3, an ordinary Wednesday
    taipower = bench.aggregate(
        load, bench.grouping(bench.three_period_codes(taipower_calendar=True))
    )
    weekdays_only = bench.aggregate(
        load, bench.grouping(bench.three_period_codes(taipower_calendar=False))
    )
    off = bench.PERIODS.index(TouPeriod.OFF_PEAK)
    assert taipower[0, 0, off] == 6000
    assert weekdays_only[0, 0, off] == 0
    rates = bench.rate_tables()
    for plan in bench.PLANS:
        sam_january = bench.pysam_bills(models[plan], load[0])[0]
        weekday_bill = bench.bulk_totals(rates, weekdays_only)[plan][0, 0]
        taipower_bill = bench.bulk_totals(rates, taipower)[plan][0, 0]
        assert bench._round(sam_january) == weekday_bill
        assert taipower_bill < weekday_bill - 5  # 6 kWh at (peak − off-peak) ≥ NT$2.49/kWh
