"""Tests of the bulk engine (powerdesk.tariffs.bulk): equality with the scalar engine on more
than 10,000 random accounts, hand-computed bills, the history reader, partitions and the
recommendation table.

The equality test prices every account × eligible plan × reading with both engines: the
scalar ``monthly_total`` / ``bill_total`` (the reference) and ``bulk.price_history``. Totals
must be the same integer NT$ and refusals the same error code.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from powerdesk.tariffs import bulk
from powerdesk.tariffs.bulk import engine as bulk_engine
from powerdesk.tariffs.bulk import inputs, recommend
from powerdesk.tariffs.engine import Plan, TariffError, bill_total, monthly_bill, monthly_total

ACCOUNTS = 10_240
SEED = 20_260_401
SHARES = bulk.assumed_shares(
    summer={"peak": "27.35", "semi_peak": "41.65", "off_peak": "31"},
    non_summer={"semi_peak": "55.5", "off_peak": "44.5"},
)
_SUMMER = (6, 7, 8, 9)
_TIER_BOUNDS = {
    0: (120, 330, 500, 700, 1000),  # residential (tariffs.md §1a)
    1: (120, 330, 500, 700, 1000),  # non_residential
    2: (330, 700, 1500, 3000),  # commercial (§1b)
}


def _month(year: int, month: int) -> int:
    return bulk.month_index(year=year, month=month)


# --- Random accounts --------------------------------------------------------------------------


def _random_history(*, seed: int, accounts: int) -> bulk.History:
    """Accounts built to hit every rule: tier bounds (exact, ±1, doubled for bimonthly), the
    2,000 kWh TOU adder, the 底度 of small single- and three-phase meters (×1 and ×2), zero
    months, readings across 6/1, 10/1 and tariff changes, months before the first tariff and
    TOU months whose rates are unknown, tax-exempt customers, with and without kWh per period.
    """
    rng = np.random.default_rng(seed)
    n = accounts
    tiered = rng.choice(3, size=n, p=[0.5, 0.2, 0.3]).astype(np.int8)
    cycle = rng.choice(3, size=n, p=[0.5, 0.25, 0.25]).astype(np.int8)
    monthly = cycle == inputs.Cycle.MONTHLY
    current = tiered.copy()
    tou = monthly & (rng.random(n) < 0.25)
    current[tou] = rng.choice([3, 4], size=int(tou.sum()))
    three_phase = rng.random(n) < 0.4
    amperes = rng.choice([0, 1, 2, 3, 5, 7, 9, 10, 11, 15, 30, 60], size=n).astype(np.int32)
    tax_exempt = rng.random(n) < 0.2
    # Windows: a third start from 2017-10 (before the first tariff, old bands, unknown TOU
    # rates), the rest from 2024-01 (the 2024-04-01 and 2025-10-01 changes).
    early = rng.integers(_month(2017, 10), _month(2024, 1), size=n)
    late = rng.integers(_month(2024, 1), _month(2025, 12) + 1, size=n)
    first = np.where(rng.random(n) < 0.35, early, late)
    odd_start = (first % 12) % 2 == 0
    wrong = ((cycle == inputs.Cycle.BIMONTHLY_ODD) & ~odd_start) | (
        (cycle == inputs.Cycle.BIMONTHLY_EVEN) & odd_start
    )
    first = (first - wrong).astype(np.int32)
    factor = np.where(monthly, 1, 2)[:, None]
    shape = (n, 12)
    kind = rng.choice(6, size=shape, p=[0.3, 0.25, 0.12, 0.1, 0.13, 0.1])
    realistic = np.rint(300 * factor * np.exp(rng.normal(0, 0.8, size=shape)))
    bounds = np.array([(*_TIER_BOUNDS[int(c)], 1000)[:5] for c in range(3)])  # pad commercial
    bound = bounds[tiered[:, None], rng.integers(0, 5, size=shape)] * factor
    offset = rng.integers(-1, 2, size=shape)
    minimum = np.where(
        (amperes > 0) & (amperes <= 10), np.where(three_phase, 6, 2) * amperes, 0
    ) + np.where((amperes == 0) | (amperes > 10), np.where(three_phase, 60, 20), 0)
    small_bound = np.where(
        rng.random(shape) < 0.5,
        np.broadcast_to(2000, shape),
        minimum[:, None] * rng.integers(1, 3, size=shape),
    )
    kwh = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4],
        [
            realistic,
            bound + offset,
            small_bound + offset,
            np.zeros(shape),
            rng.integers(0, 131, size=shape) * factor,
        ],
        rng.integers(0, 8001, size=shape) * factor,
    )
    kwh = np.clip(kwh, 0, None).astype(np.int64)
    kwh[~monthly, 6:] = 0
    months = first[:, None] + np.arange(12)[None, :]
    summer = np.isin(months % 12 + 1, _SUMMER)
    has_periods = monthly & (rng.random(n) < 0.5)
    peak = np.where(summer, np.floor(kwh * rng.random(shape) * 0.5), 0).astype(np.int64)
    semi_peak = np.floor((kwh - peak) * rng.random(shape)).astype(np.int64)
    off_peak = kwh - peak - semi_peak
    given = has_periods[:, None]
    return bulk.History(
        accounts=np.array([f"{index:011d}" for index in range(n)]),
        current_plan=current,
        tiered_plan=tiered,
        cycle=cycle,
        three_phase=three_phase,
        meter_amperes=amperes,
        tax_exempt=tax_exempt,
        first_month=first,
        kwh=kwh.astype(np.int32),
        has_periods=has_periods,
        peak=np.where(given, peak, 0).astype(np.int32),
        semi_peak=np.where(given, semi_peak, 0).astype(np.int32),
        off_peak=np.where(given, off_peak, 0).astype(np.int32),
    )


# --- The scalar reference ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ScalarRun:
    totals: NDArray[np.int64]  # (n, plans, 12)
    codes: list[list[list[str | None]]]  # None = not compared (not eligible / no reading)
    compared: int  # bills compared


def _tou_kwh(
    history: bulk.History, *, index: int, reading: int, plan: Plan, month: int
) -> dict[str, Decimal | int]:
    if history.has_periods[index]:
        peak = int(history.peak[index, reading])
        semi_peak = int(history.semi_peak[index, reading])
        off_peak = int(history.off_peak[index, reading])
        if plan is Plan.SIMPLE_TOU_2:
            return {"peak": peak + semi_peak, "off_peak": off_peak}
        return {"peak": peak, "semi_peak": semi_peak, "off_peak": off_peak}
    kwh = Decimal(int(history.kwh[index, reading]))
    points = SHARES.summer if month in _SUMMER else SHARES.non_summer
    shares = [kwh * Decimal(point) / Decimal(10_000) for point in points]
    if plan is Plan.SIMPLE_TOU_2:
        return {"peak": shares[0] + shares[1], "off_peak": shares[2]}
    return {"peak": shares[0], "semi_peak": shares[1], "off_peak": shares[2]}


def _last_day(year: int, month: int) -> date:
    return date(year, month, bulk_engine.month_days(_month(year, month)))


def _scalar(history: bulk.History) -> _ScalarRun:
    """Every bill the bulk engine prices, computed by the scalar engine (shares: ``SHARES``)."""
    n = history.size
    totals = np.zeros((n, len(bulk.PLANS), 12), dtype=np.int64)
    codes: list[list[list[str | None]]] = [[[None] * 12 for _ in bulk.PLANS] for _ in range(n)]
    compared = 0
    for index in range(n):
        monthly = history.cycle[index] == inputs.Cycle.MONTHLY
        options: dict[str, Any] = {
            "phase": "three" if history.three_phase[index] else "single",
            "meter_amperes": int(history.meter_amperes[index]) or None,
            "tax_exempt": bool(history.tax_exempt[index]),
        }
        plans = recommend.eligible_plans(bulk.PLANS[int(history.tiered_plan[index])])
        for plan in plans:
            column = bulk.PLANS.index(plan)
            for reading in range(12 if monthly else 6):
                first = int(history.first_month[index]) + (reading if monthly else 2 * reading)
                year, month = bulk.month_of(first)
                try:
                    if monthly and plan.is_tou:
                        kwh = _tou_kwh(
                            history, index=index, reading=reading, plan=plan, month=month
                        )
                        total = monthly_total(plan=plan, year=year, month=month, kwh=kwh, **options)
                    elif monthly:
                        kwh_total = int(history.kwh[index, reading])
                        total = monthly_total(
                            plan=plan, year=year, month=month, kwh=kwh_total, **options
                        )
                    else:
                        end_year, end_month = bulk.month_of(first + 1)
                        usage: Any = int(history.kwh[index, reading])
                        if plan.is_tou:
                            usage = {"off_peak": usage}
                        total = bill_total(
                            plan=plan,
                            start=date(year, month, 1),
                            end=_last_day(end_year, end_month),
                            kwh=usage,
                            billing="bimonthly",
                            **options,
                        )
                    code = ""
                except TariffError as error:
                    total, code = 0, error.code
                totals[index, column, reading] = total
                codes[index][column][reading] = code
                compared += 1
    return _ScalarRun(totals=totals, codes=codes, compared=compared)


@functools.cache
def _random_run() -> tuple[bulk.History, bulk.HistoryPrices, _ScalarRun]:
    history = _random_history(seed=SEED, accounts=ACCOUNTS)
    return history, bulk.price_history(history, shares=SHARES), _scalar(history)


# --- Equality with the scalar engine ---------------------------------------------------------


def test_bulk_equals_scalar_for_every_account_plan_and_reading() -> None:
    # given: 10,240 random accounts priced by both engines
    history, prices, scalar = _random_run()

    # when: every compared bill is set side by side
    mismatches: list[tuple[str, str, int, tuple[int, str], tuple[int, str]]] = []
    outcomes: dict[str, int] = {}
    for index in range(history.size):
        for column, plan in enumerate(bulk.PLANS):
            for reading in range(12):
                code = scalar.codes[index][column][reading]
                if code is None:
                    continue
                status = bulk.Status(int(prices.status[index, column, reading]))
                got = (int(prices.totals[index, column, reading]), bulk.STATUS_CODES[status])
                want = (int(scalar.totals[index, column, reading]), code)
                outcomes[code] = outcomes.get(code, 0) + 1
                if got != want:
                    mismatches.append(
                        (str(history.accounts[index]), plan.value, reading, want, got)
                    )

    # then: the same integer NT$ and the same refusals, for every bill
    assert mismatches[:5] == []
    assert scalar.compared == sum(outcomes.values())
    assert scalar.compared > 250_000
    # every rule was exercised: priced bills and every refusal the data can produce
    assert outcomes[""] > 150_000
    for code in (
        "tariff.date_out_of_range",
        "tariff.rates_unknown",
        "tariff.meter_amperes_required",
        "tariff.bimonthly_minimum_unknown",
        "tariff.tou_bimonthly",
    ):
        assert outcomes[code] > 100, code


def test_random_accounts_cover_the_boundaries() -> None:
    # given
    history, prices, _ = _random_run()
    monthly = history.cycle == inputs.Cycle.MONTHLY
    kwh = history.kwh.astype(np.int64)

    # then: the sample really contains the cases the equality test is meant to cover
    assert history.size >= 10_000
    for bound in (120, 330, 500, 700, 1000, 1500, 3000):
        for offset in (-1, 0, 1):
            assert (kwh[monthly] == bound + offset).sum() > 10
            assert (kwh[~monthly][:, :6] == 2 * bound + offset).sum() > 3
    for value in (1999, 2000, 2001):
        assert (kwh[monthly] == value).sum() > 10
    assert (kwh[monthly] == 0).sum() > 1000
    small_three_phase = (
        history.three_phase & (history.meter_amperes > 0) & (history.meter_amperes <= 10)
    )
    assert small_three_phase.sum() > 1000
    assert history.tax_exempt.sum() > 1500
    months = history.reading_months() % 12 + 1
    crosses_june = ~monthly[:, None] & (months == 5)
    crosses_october = ~monthly[:, None] & (months == 9)
    assert crosses_june.sum() > 500
    assert crosses_october.sum() > 500
    assert (prices.tou_basis == recommend.TouBasis.INTERVAL).sum() > 2000
    assert (prices.tou_basis == recommend.TouBasis.ASSUMED_SHARES).sum() > 2000


def test_provisional_flag_equals_the_scalar_bill() -> None:
    # given: the first 300 random accounts' monthly bills, itemised by the scalar engine
    history, prices, scalar = _random_run()
    checked = 0
    for index in range(300):
        if history.cycle[index] != inputs.Cycle.MONTHLY:
            continue
        plan = bulk.PLANS[int(history.tiered_plan[index])]
        column = bulk.PLANS.index(plan)
        for reading in range(12):
            if scalar.codes[index][column][reading] != "":
                continue
            year, month = bulk.month_of(int(history.first_month[index]) + reading)
            bill = monthly_bill(
                plan=plan,
                year=year,
                month=month,
                kwh=int(history.kwh[index, reading]),
                phase="three" if history.three_phase[index] else "single",
                meter_amperes=int(history.meter_amperes[index]) or None,
                tax_exempt=bool(history.tax_exempt[index]),
            )

            # then
            assert bool(prices.provisional[index, column, reading]) is bill.provisional
            checked += 1
    assert checked > 500


def test_recommendations_follow_from_the_scalar_bills() -> None:
    # given
    history, _, scalar = _random_run()

    # when
    result = bulk.recommend_accounts(history, shares=SHARES, chunk_size=3_000)

    # then: annual cost = Σ scalar bills; cheapest with compare.py's tie-break; saving
    for index in range(history.size):
        row = result.row(index)
        annual: dict[Plan, int] = {}
        refused: dict[Plan, str] = {}
        for plan in recommend.eligible_plans(row.tiered_plan):
            column = bulk.PLANS.index(plan)
            codes = [code for code in scalar.codes[index][column] if code is not None]
            first_refusal = next((code for code in codes if code), None)
            if first_refusal is None:
                annual[plan] = int(scalar.totals[index, column].sum())
            else:
                refused[plan] = first_refusal
        order = recommend.eligible_plans(row.tiered_plan)
        cheapest = min(
            annual,
            key=lambda plan: (annual[plan], plan is not row.current_plan, order.index(plan)),
            default=None,
        )
        current = annual.get(row.current_plan)
        assert row.annual == annual
        assert row.not_priced == refused
        assert row.cheapest is cheapest
        assert row.saving == (
            None if current is None or cheapest is None else current - annual[cheapest]
        )
        assert row.complete is (not refused)


# --- Hand-computed bills ----------------------------------------------------------------------


def _one_account(**overrides: Any) -> bulk.History:
    """One monthly residential account, window 2025-10 … 2026-09, 0 kWh unless overridden."""
    values: dict[str, Any] = {
        "accounts": np.array(["00000000001"]),
        "current_plan": np.array([0], dtype=np.int8),
        "tiered_plan": np.array([0], dtype=np.int8),
        "cycle": np.array([0], dtype=np.int8),
        "three_phase": np.array([False]),
        "meter_amperes": np.array([30], dtype=np.int32),
        "tax_exempt": np.array([False]),
        "first_month": np.array([_month(2025, 10)], dtype=np.int32),
        "kwh": np.zeros((1, 12), dtype=np.int32),
        "has_periods": np.array([False]),
        "peak": np.zeros((1, 12), dtype=np.int32),
        "semi_peak": np.zeros((1, 12), dtype=np.int32),
        "off_peak": np.zeros((1, 12), dtype=np.int32),
    }
    values.update(overrides)
    return bulk.History(**values)


def _tiered(
    plan: Plan,
    *,
    month: int,
    kwh: int,
    bimonthly: bool = False,
    three_phase: bool = False,
    amperes: int = 30,
    tax_exempt: bool = False,
) -> tuple[int, str]:
    rates = bulk.tiered_rates(plan, first_month=_month(2017, 1), last_month=_month(2027, 12))
    priced = bulk.tiered_totals(
        rates,
        months=np.array([[month]], dtype=np.int32),
        kwh=np.array([[kwh]], dtype=np.int64),
        bimonthly=bimonthly,
        three_phase=np.array([three_phase]),
        meter_amperes=np.array([amperes], dtype=np.int32),
        tax_exempt=np.array([tax_exempt]),
    )
    return int(priced.totals[0, 0]), bulk.STATUS_CODES[bulk.Status(int(priced.status[0, 0]))]


@pytest.mark.parametrize(
    ("_case", "plan", "arguments", "expected"),
    [
        # 120 × 1.78 + 210 × 2.26 + 170 × 3.13 = 1220.30 → 1220 (test_bill)
        ("non-summer tiers", Plan.RESIDENTIAL, {"month": _month(2026, 1), "kwh": 500}, (1220, "")),
        # 213.60 + 210 × 2.55 + 170 × 3.80 = 1395.10 → 1395
        ("summer tiers", Plan.RESIDENTIAL, {"month": _month(2026, 7), "kwh": 500}, (1395, "")),
        # 213.60 + 15 × 2.26 = 247.50: the tie rounds up
        ("tie rounds up", Plan.RESIDENTIAL, {"month": _month(2026, 1), "kwh": 135}, (248, "")),
        # 247.50 × 20/21 = 235.714… → 236
        (
            "tax-exempt",
            Plan.RESIDENTIAL,
            {"month": _month(2026, 1), "kwh": 135, "tax_exempt": True},
            (236, ""),
        ),
        # 30 × 1.78 = 53.40 < NT$100
        ("NT$100 floor", Plan.RESIDENTIAL, {"month": _month(2026, 1), "kwh": 30}, (100, "")),
        # three-phase 10 A: 底度 60 kWh → 60 × 1.78 = 106.80 → 107
        (
            "three-phase 底度",
            Plan.RESIDENTIAL,
            {"month": _month(2026, 1), "kwh": 3, "three_phase": True, "amperes": 10},
            (107, ""),
        ),
        (
            "unknown amperes that matter",
            Plan.RESIDENTIAL,
            {"month": _month(2026, 1), "kwh": 58, "three_phase": True, "amperes": 0},
            (0, "tariff.meter_amperes_required"),
        ),
        # bounds 240 / 660 / 1000: 427.20 + 949.20 + 1064.20 = 2440.60 → 2441 (test_bill)
        (
            "bimonthly doubles the bounds",
            Plan.RESIDENTIAL,
            {"month": _month(2026, 1), "kwh": 1000, "bimonthly": True},
            (2441, ""),
        ),
        # May (31 days, non-summer) + June (30 days, summer) under the 2024-04-01 rates:
        # (31 × 3168.6 + 30 × 3698.2) / 61 = 209172.6 / 61 = 3429.059… → 3429
        (
            "bimonthly across June 1",
            Plan.RESIDENTIAL,
            {"month": _month(2025, 5), "kwh": 1200, "bimonthly": True},
            (3429, ""),
        ),
        # 209172.6 / 61 × 20/21 = 3265.770… → 3266
        (
            "bimonthly across June 1, tax-exempt",
            Plan.RESIDENTIAL,
            {"month": _month(2025, 5), "kwh": 1200, "bimonthly": True, "tax_exempt": True},
            (3266, ""),
        ),
        # 100 × 1.78 = 178 < NT$200
        (
            "bimonthly minimum",
            Plan.RESIDENTIAL,
            {"month": _month(2026, 1), "kwh": 100, "bimonthly": True},
            (0, "tariff.bimonthly_minimum_unknown"),
        ),
        (
            "before the first tariff",
            Plan.COMMERCIAL,
            {"month": _month(2018, 3), "kwh": 500},
            (0, "tariff.date_out_of_range"),
        ),
        # 2018-04-01 business: 330 × 2.12 + 170 × 2.91 = 699.60 + 494.70 = 1194.30 → 1194
        ("commercial 2018", Plan.COMMERCIAL, {"month": _month(2018, 4), "kwh": 500}, (1194, "")),
    ],
)
def test_tiered_totals_by_hand(
    _case: str, plan: Plan, arguments: dict[str, Any], expected: tuple[int, str]
) -> None:
    assert _tiered(plan, **arguments) == expected


@pytest.mark.parametrize(
    ("_case", "plan", "month", "periods", "tax_exempt", "expected"),
    [
        # 75 + 300 × 4.48 + 200 × 1.99 = 75 + 1344 + 398 = 1817
        (
            "three-period winter",
            Plan.SIMPLE_TOU_3,
            _month(2026, 1),
            (0, 300, 200),
            False,
            (1817, ""),
        ),
        # two-period winter: peak = 300 (semi-peak windows) → 75 + 300 × 4.93 + 200 × 1.99 = 1952
        ("two-period winter", Plan.SIMPLE_TOU_2, _month(2026, 1), (0, 300, 200), False, (1952, "")),
        # 75 + 100 × 7.13 + 1000 × 4.69 + 1000 × 2.06 + 100 × 1.04 = 75 + 713 + 4690 + 2060 + 104
        ("adder", Plan.SIMPLE_TOU_3, _month(2026, 7), (100, 1000, 1000), False, (7642, "")),
        # 7642 × 20/21 = 7278.09… → 7278
        (
            "adder tax-exempt",
            Plan.SIMPLE_TOU_3,
            _month(2026, 7),
            (100, 1000, 1000),
            True,
            (7278, ""),
        ),
        (
            "zero use pays the basic charge",
            Plan.SIMPLE_TOU_2,
            _month(2026, 1),
            (0, 0, 0),
            False,
            (75, ""),
        ),
        (
            "peak outside summer",
            Plan.SIMPLE_TOU_3,
            _month(2026, 1),
            (1, 0, 0),
            False,
            (0, "tariff.period_not_in_plan"),
        ),
        (
            "unknown rates",
            Plan.SIMPLE_TOU_2,
            _month(2023, 6),
            (10, 10, 10),
            False,
            (0, "tariff.rates_unknown"),
        ),
    ],
)
def test_tou_totals_by_hand(
    _case: str,
    plan: Plan,
    month: int,
    periods: tuple[int, int, int],
    tax_exempt: bool,
    expected: tuple[int, str],
) -> None:
    rates = bulk.tou_rates(plan, first_month=_month(2023, 1), last_month=_month(2026, 12))
    peak, semi_peak, off_peak = (np.array([[value]], dtype=np.int64) for value in periods)

    priced = bulk.tou_totals(
        rates,
        months=np.array([[month]], dtype=np.int32),
        peak=peak,
        semi_peak=semi_peak,
        off_peak=off_peak,
        tax_exempt=np.array([tax_exempt]),
    )

    got = (int(priced.totals[0, 0]), bulk.STATUS_CODES[bulk.Status(int(priced.status[0, 0]))])
    assert got == expected


def test_rate_tables_come_from_the_data_files() -> None:
    # when
    rates = bulk.tiered_rates(
        Plan.RESIDENTIAL, first_month=_month(2025, 9), last_month=_month(2025, 10)
    )

    # then: September 2025 = 2024-04-01 summer (B), October = 2025-10-01 non-summer (A)
    assert rates.upper_kwh.tolist() == [[120, 330, 500, 700, 1000, bulk_engine.INFINITE_KWH]] * 2
    assert rates.price_cents.tolist() == [
        [168, 245, 370, 504, 624, 846],
        [178, 226, 313, 424, 527, 703],
    ]
    assert rates.days.tolist() == [30, 31]
    assert rates.provisional.tolist() == [False, False]
    tou = bulk.tou_rates(
        Plan.SIMPLE_TOU_2, first_month=_month(2025, 9), last_month=_month(2025, 10)
    )
    assert tou.peak_cents.tolist() == [501, 493]
    assert tou.semi_peak_cents.tolist() == [501, 493]  # 二段式: semi-peak windows are peak
    assert tou.off_peak_cents.tolist() == [196, 199]
    assert tou.provisional.tolist() == [True, False]  # 2024-04-01 TOU prices are confidence C


def test_readings_outside_the_rate_table_are_refused() -> None:
    rates = bulk.tiered_rates(
        Plan.RESIDENTIAL, first_month=_month(2026, 1), last_month=_month(2026, 1)
    )

    with pytest.raises(ValueError, match="outside the rate table"):
        bulk.tiered_totals(
            rates,
            months=np.array([[_month(2026, 2)]], dtype=np.int32),
            kwh=np.array([[1]], dtype=np.int64),
            bimonthly=False,
            three_phase=np.array([False]),
            meter_amperes=np.array([30], dtype=np.int32),
            tax_exempt=np.array([False]),
        )


# --- The history: construction and the CSV reader --------------------------------------------


@pytest.mark.parametrize(
    ("_case", "overrides", "message"),
    [
        ("negative kWh", {"kwh": np.full((1, 12), -1, dtype=np.int32)}, "kwh must be"),
        ("wrong dtype", {"kwh": np.zeros((1, 12), dtype=np.int64)}, "kwh must be a int32"),
        (
            "TOU customer billed bimonthly",
            {
                "current_plan": np.array([3], dtype=np.int8),
                "cycle": np.array([1], dtype=np.int8),
                "first_month": np.array([_month(2025, 11)], dtype=np.int32),
            },
            "billed monthly",
        ),
        (
            "cycle parity",
            {"cycle": np.array([1], dtype=np.int8)},  # odd cycle, but 2025-10 is even
            "does not match the bimonthly cycle",
        ),
        (
            "periods that do not add up",
            {"has_periods": np.array([True]), "kwh": np.ones((1, 12), dtype=np.int32)},
            "do not sum to kwh",
        ),
        (
            "class differs from a tiered current plan",
            {"tiered_plan": np.array([2], dtype=np.int8)},
            "differs from the (non-TOU) current plan",
        ),
    ],
)
def test_history_refuses_inconsistent_arrays(
    _case: str, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(TariffError, match=re.escape(message)) as raised:
        _one_account(**overrides)

    assert raised.value.code == "bulk.history_invalid"


def _rows(
    account: str,
    *,
    start: tuple[int, int],
    kwh: list[int],
    billing: str = "monthly",
    **attributes: object,
) -> list[dict[str, object]]:
    step = 1 if billing == "monthly" else 2
    rows = []
    for reading, value in enumerate(kwh):
        year, month = bulk.month_of(_month(*start) + step * reading)
        rows.append(
            {
                "account": account,
                "current_plan": "residential",
                "billing": billing,
                "month": f"{year}-{month:02d}",
                "kwh": value,
                **attributes,
            }
        )
    return rows


def test_read_history_builds_the_arrays() -> None:
    # given: a monthly account with periods (older rows too) and a bimonthly commercial account
    rows = _rows("A1", start=(2024, 9), kwh=[999] * 1 + list(range(100, 112)), meter_amperes=15)
    for row in rows:
        month = int(str(row["month"])[5:])
        total = int(str(row["kwh"]))
        peak = 10 if month in _SUMMER else 0
        row.update(peak=peak, semi_peak=20, off_peak=total - peak - 20)
    rows += _rows(
        "B2",
        start=(2025, 3),
        kwh=[600, 700, 800, 900, 1000, 1100],
        billing="bimonthly_odd",
        current_plan="commercial",
        phase="three",
        tax_exempt="true",
    )
    data = inputs.rows_to_csv(rows)

    # when
    read = bulk.parse_history_csv(data)

    # then
    history = read.history
    assert read.problems == ()
    assert read.ignored_rows == 1
    assert history.accounts.tolist() == ["A1", "B2"]
    assert history.current_plan.tolist() == [0, 2]
    assert history.tiered_plan.tolist() == [0, 2]
    assert history.cycle.tolist() == [0, 1]
    assert history.three_phase.tolist() == [False, True]
    assert history.meter_amperes.tolist() == [15, 0]
    assert history.tax_exempt.tolist() == [False, True]
    assert history.first_month.tolist() == [_month(2024, 10), _month(2025, 3)]
    assert history.kwh.tolist() == [
        list(range(100, 112)),
        [600, 700, 800, 900, 1000, 1100, 0, 0, 0, 0, 0, 0],
    ]
    assert history.has_periods.tolist() == [True, False]
    # 2024-10 … 2025-09: June–September are readings 8–11
    assert history.peak[0].tolist() == [0] * 8 + [10] * 4
    assert history.semi_peak[0].tolist() == [20] * 12


def test_read_history_accepts_bom_big5_and_blank_kwh_with_periods(tmp_path: Path) -> None:
    # given: the same history as UTF-8 with BOM and as Big5 with a Chinese header
    rows = _rows("A1", start=(2025, 1), kwh=[""] * 12)  # type: ignore[list-item]
    for row in rows:
        row.update(peak=0, semi_peak=60, off_peak=40)
    text = inputs.rows_to_csv(rows).decode("utf-8")
    big5 = text.replace("account", "電號", 1).encode("cp950")
    path = tmp_path / "history.csv"
    path.write_bytes("\ufeff".encode() + text.encode())

    # when
    from_bom = bulk.read_history(path)
    from_big5 = bulk.parse_history_csv(big5)

    # then
    for read in (from_bom, from_big5):
        assert read.problems == ()
        assert read.history.kwh.tolist() == [[100] * 12]


def _problems(read: bulk.HistoryRead) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.column, problem.code) for problem in read.problems]


def test_read_history_reports_row_level_problems() -> None:
    # given: one good account and bad rows of every kind (row numbers: the header is row 1)
    good = _rows("GOOD", start=(2025, 1), kwh=[100] * 12)  # rows 2–13
    bad_cells = _rows("CELLS", start=(2025, 1), kwh=[100] * 12)  # rows 14–25
    bad_cells[0]["kwh"] = "12.5"  # row 14
    bad_cells[1]["kwh"] = -3  # row 15
    bad_cells[2]["month"] = "2025/03"  # row 16
    bad_cells[3]["current_plan"] = "cheap"  # row 17
    bad_cells[4].update(peak=1, semi_peak=2, off_peak=3)  # row 18: 6 ≠ 100
    odd = _rows("ODD", start=(2025, 2), kwh=[500] * 6, billing="bimonthly_odd")  # rows 26–31
    differs = _rows("DIFF", start=(2025, 1), kwh=[100] * 12)  # rows 32–43
    differs[5]["phase"] = "three"  # row 37
    duplicate = _rows("DUP", start=(2025, 1), kwh=[100] * 12)  # rows 44–55
    duplicate[3]["month"] = "2025-03"  # row 47 repeats 2025-03, so 2025-04 is missing
    gap = _rows("GAP", start=(2025, 1), kwh=[100] * 11)  # rows 56–66: only 11 months
    tou = _rows(
        "TOU",
        start=(2025, 1),
        kwh=[100] * 6,
        billing="bimonthly_odd",
        current_plan="simple_tou_2",
        tiered_plan="residential",
    )  # rows 67–72
    winter_peak = _rows("PEAK", start=(2025, 1), kwh=[10] * 12)  # rows 73–84
    for row in winter_peak:
        row.update(peak=0, semi_peak=5, off_peak=5)
    winter_peak[0].update(peak=5, semi_peak=0)  # row 73: January has no peak window
    data = inputs.rows_to_csv(
        good + bad_cells + odd + differs + duplicate + gap + tou + winter_peak
    )

    # when
    read = bulk.parse_history_csv(data)

    # then
    assert _problems(read) == [
        (14, "kwh", "bulk.csv.not_whole_number"),
        (15, "kwh", "bulk.csv.out_of_range"),
        (16, "month", "bulk.csv.month_invalid"),
        (17, "current_plan", "bulk.csv.current_plan_invalid"),
        (18, "kwh", "bulk.csv.periods_sum"),
        (26, "month", "bulk.csv.month_not_in_cycle"),
        (27, "month", "bulk.csv.month_not_in_cycle"),
        (28, "month", "bulk.csv.month_not_in_cycle"),
        (29, "month", "bulk.csv.month_not_in_cycle"),
        (30, "month", "bulk.csv.month_not_in_cycle"),
        (31, "month", "bulk.csv.month_not_in_cycle"),
        (37, "phase", "bulk.csv.attribute_differs"),
        (47, "month", "bulk.csv.month_duplicate"),
        (66, "month", "bulk.csv.history_incomplete"),
        (67, "billing", "bulk.csv.tou_bimonthly"),
        (73, "peak", "bulk.csv.peak_outside_summer"),
    ]
    assert read.history.accounts.tolist() == ["GOOD"]
    assert read.rejected_accounts == 7
    assert read.problem_count == 16
    first = read.problems[0].message
    assert first.en == "Row 14, column 'kwh': '12.5' is not a whole number."
    assert first.zh_hant == "第 14 列「kwh」欄：「12.5」不是整數。"
    # GAP's latest reading is 2025-11, so its window is 2024-12 … 2025-11
    assert "lacks readings for 2024-12" in read.problems[13].message.en


def test_read_history_skips_blank_lines_and_refuses_extra_cells() -> None:
    # given: rows 2–13 of A1 (one with a trailing empty cell), a blank line (14), a line of
    # empty cells (15), and a row of A2 with a value beyond the header (16)
    lines = ["account,current_plan,billing,month,kwh"]
    lines += [f"A1,residential,monthly,2025-{month:02d},{month}" for month in range(1, 13)]
    lines[5] += ","
    lines += ["", ",,,,", "A2,residential,monthly,2025-01,5,oops"]
    data = ("\n".join(lines) + "\n").encode()

    # when
    read = bulk.parse_history_csv(data)

    # then
    assert read.history.accounts.tolist() == ["A1"]
    assert read.history.kwh.tolist() == [list(range(1, 13))]
    assert _problems(read) == [(16, "", "bulk.csv.extra_cells")]
    assert read.rejected_accounts == 1


@pytest.mark.parametrize(
    ("_case", "change", "expected"),
    [
        ("account missing", {"account": ""}, (5, "account", "bulk.csv.account_missing")),
        (
            "tiered_plan invalid",
            {"tiered_plan": "shop"},
            (5, "tiered_plan", "bulk.csv.tiered_plan_invalid"),
        ),
        ("phase invalid", {"phase": "two"}, (5, "phase", "bulk.csv.phase_invalid")),
        ("billing invalid", {"billing": "weekly"}, (5, "billing", "bulk.csv.billing_invalid")),
        (
            "tax_exempt invalid",
            {"tax_exempt": "maybe"},
            (5, "tax_exempt", "bulk.csv.tax_exempt_invalid"),
        ),
        ("amperes zero", {"meter_amperes": 0}, (5, "meter_amperes", "bulk.csv.out_of_range")),
        ("kWh too large", {"kwh": bulk.MAX_KWH + 1}, (5, "kwh", "bulk.csv.out_of_range")),
        ("kWh missing", {"kwh": ""}, (5, "kwh", "bulk.csv.kwh_missing")),
        ("one period only", {"peak": 1}, (5, "peak", "bulk.csv.periods_partial")),
        (
            "periods too large",
            {"kwh": "", "peak": 0, "semi_peak": bulk.MAX_KWH, "off_peak": 1},
            (5, "kwh", "bulk.csv.out_of_range"),
        ),
        (
            "tiered_plan on one row only",
            {"tiered_plan": "commercial"},
            (5, "tiered_plan", "bulk.csv.attribute_differs"),
        ),
    ],
)
def test_read_history_names_the_cell(
    _case: str, change: dict[str, object], expected: tuple[int, str, str]
) -> None:
    # given: a complete monthly account whose 4th row (row 5) is changed
    rows = _rows("A1", start=(2025, 1), kwh=[100] * 12)
    rows[3].update(change)

    # when
    read = bulk.parse_history_csv(inputs.rows_to_csv(rows))

    # then
    assert _problems(read)[:1] == [expected]
    assert read.history.size == 0
    assert read.rejected_accounts == 1


@pytest.mark.parametrize(
    ("_case", "attributes", "expected"),
    [
        (
            "TOU customer without a class",
            {"current_plan": "simple_tou_3"},
            (2, "tiered_plan", "bulk.csv.tiered_plan_required"),
        ),
        (
            "class that is not the current plan",
            {"tiered_plan": "commercial"},
            (2, "tiered_plan", "bulk.csv.tiered_plan_mismatch"),
        ),
        (
            "periods on a bimonthly reading",
            {"billing": "bimonthly_odd", "peak": 0, "semi_peak": 50, "off_peak": 50},
            (2, "peak", "bulk.csv.periods_bimonthly"),
        ),
    ],
)
def test_read_history_checks_the_account(
    _case: str, attributes: dict[str, object], expected: tuple[int, str, str]
) -> None:
    # given: a complete history of the account
    others = {key: value for key, value in attributes.items() if key != "billing"}
    billing = str(attributes.get("billing", "monthly"))
    readings = 12 if billing == "monthly" else 6
    rows = _rows("A1", start=(2025, 1), kwh=[100] * readings, billing=billing, **others)

    # when
    read = bulk.parse_history_csv(inputs.rows_to_csv(rows))

    # then
    assert _problems(read)[0] == expected
    assert read.history.size == 0


def test_read_history_keeps_the_first_problems_and_counts_all() -> None:
    # given: 1,100 accounts with one month each (all incomplete)
    rows = [
        row for index in range(1_100) for row in _rows(f"A{index:04d}", start=(2025, 1), kwh=[1])
    ]

    # when
    read = bulk.parse_history_csv(inputs.rows_to_csv(rows))

    # then
    assert len(read.problems) == inputs.MAX_PROBLEMS
    assert read.problem_count == 1_100
    assert read.rejected_accounts == 1_100
    assert read.history.size == 0


@pytest.mark.parametrize(
    ("_case", "data", "code"),
    [
        ("unknown column", b"account,current_plan,billing,month,kwh,color\n", "bulk.csv.header"),
        ("missing column", b"account,current_plan,billing,month\n", "bulk.csv.header"),
        (
            "some period columns",
            b"account,current_plan,billing,month,kwh,peak\n",
            "bulk.csv.header_periods",
        ),
        ("empty file", b"", "bulk.csv.empty"),
        ("neither UTF-8 nor Big5", b"account\xff\xfe,kwh\n", "bulk.csv.encoding"),
    ],
)
def test_read_history_refuses_unreadable_files(_case: str, data: bytes, code: str) -> None:
    with pytest.raises(bulk.HistoryCsvError) as raised:
        bulk.parse_history_csv(data)

    assert raised.value.code == code
    assert raised.value.problem.row == 1


def test_parquet_needs_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a machine without pyarrow (an optional extra): importing it fails
    path = tmp_path / "history.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)

    # when / then
    with pytest.raises(bulk.HistoryCsvError) as raised:
        bulk.read_history(path)
    assert raised.value.code == "bulk.csv.parquet_unsupported"


def test_read_history_reads_parquet_with_pyarrow(tmp_path: Path) -> None:
    # given: the rows of a CSV history written as Parquet (typed columns)
    import pyarrow  # a test dependency (pyproject [test]); an optional extra at run time
    import pyarrow.parquet as parquet

    rows = _rows("A1", start=(2025, 1), kwh=list(range(100, 112)), tax_exempt=True)
    rows.append({**rows[0], "account": "A2", "kwh": -5})  # row 14
    path = tmp_path / "history.parquet"
    parquet.write_table(pyarrow.Table.from_pylist(rows), path)

    # when
    read = bulk.read_history(path)

    # then
    assert read.history.accounts.tolist() == ["A1"]
    assert read.history.kwh.tolist() == [list(range(100, 112))]
    assert read.history.tax_exempt.tolist() == [True]
    assert _problems(read) == [(14, "kwh", "bulk.csv.out_of_range")]


# --- Recommendations, partitions, CSV ---------------------------------------------------------


def test_recommend_prices_eligible_plans_and_explains_the_rest() -> None:
    # given: 2025-10 … 2026-09, 500 kWh every month, no kWh per period, no assumed shares
    history = _one_account(kwh=np.full((1, 12), 500, dtype=np.int32))

    # when
    row = bulk.recommend_accounts(history).row(0)

    # then: 8 non-summer months × 1220 + 4 summer months × 1395 = 9760 + 5580
    assert row.annual == {Plan.RESIDENTIAL: 15340}
    assert row.not_priced == {
        Plan.SIMPLE_TOU_2: "bulk.no_period_kwh",
        Plan.SIMPLE_TOU_3: "bulk.no_period_kwh",
    }
    assert row.cheapest is Plan.RESIDENTIAL
    assert row.saving == 0
    assert row.complete is False
    assert row.tou_basis is recommend.TouBasis.NONE


def test_recommend_picks_the_cheapest_plan_with_interval_data() -> None:
    # given: 2025-10 … 2026-09, 1000 kWh a month, mostly off-peak (semi-peak 100, off-peak 900)
    kwh = np.full((1, 12), 1000, dtype=np.int32)
    history = _one_account(
        kwh=kwh,
        has_periods=np.array([True]),
        semi_peak=np.full((1, 12), 100, dtype=np.int32),
        off_peak=np.full((1, 12), 900, dtype=np.int32),
    )

    # when
    row = bulk.recommend_accounts(history).row(0)

    # then: residential non-summer 1000 kWh: 213.60 + 474.60 + 532.10 + 848.00 + 1581.00
    # = 3649.30 → 3649; summer: 213.60 + 535.50 + 646.00 + 1028.00 + 1932.00 = 4355.10 → 4355
    # 三段式 non-summer: 75 + 448 + 1791 = 2314; summer: 75 + 469 + 1854 = 2398
    # 二段式 non-summer: 75 + 493 + 1791 = 2359; summer: 75 + 516 + 1854 = 2445
    assert row.annual == {
        Plan.RESIDENTIAL: 8 * 3649 + 4 * 4355,
        Plan.SIMPLE_TOU_2: 8 * 2359 + 4 * 2445,
        Plan.SIMPLE_TOU_3: 8 * 2314 + 4 * 2398,
    }
    assert row.cheapest is Plan.SIMPLE_TOU_3
    assert row.saving == (8 * 3649 + 4 * 4355) - (8 * 2314 + 4 * 2398)
    assert row.lock_in is True
    assert row.complete is True
    assert row.tou_basis is recommend.TouBasis.INTERVAL


def test_a_tie_goes_to_the_current_plan() -> None:
    # given: zero use all year: 三段式 and 二段式 both cost 12 × 75 = 900; residential 1200
    history = _one_account(current_plan=np.array([4], dtype=np.int8), has_periods=np.array([True]))

    # when
    row = bulk.recommend_accounts(history).row(0)

    # then
    assert row.annual == {Plan.RESIDENTIAL: 1200, Plan.SIMPLE_TOU_2: 900, Plan.SIMPLE_TOU_3: 900}
    assert row.cheapest is Plan.SIMPLE_TOU_3
    assert row.saving == 0
    assert row.lock_in is False


def test_saving_is_unknown_when_the_current_plan_is_not_priced() -> None:
    # given: a TOU customer whose window starts in the unknown-rates year (2023-04 … 2024-03)
    history = _one_account(
        current_plan=np.array([3], dtype=np.int8),
        first_month=np.array([_month(2023, 4)], dtype=np.int32),
        kwh=np.full((1, 12), 300, dtype=np.int32),
        has_periods=np.array([True]),
        off_peak=np.full((1, 12), 300, dtype=np.int32),
    )

    # when
    row = bulk.recommend_accounts(history).row(0)

    # then
    assert row.not_priced == {
        Plan.SIMPLE_TOU_2: "tariff.rates_unknown",
        Plan.SIMPLE_TOU_3: "tariff.rates_unknown",
    }
    assert row.cheapest is Plan.RESIDENTIAL
    assert row.saving is None


def test_chunks_and_parallel_partitions_give_the_same_result() -> None:
    # given
    history = _random_history(seed=7, accounts=3_001)
    whole = bulk.recommend_accounts(history, shares=SHARES)

    # when
    chunked = bulk.recommend_accounts(history, shares=SHARES, chunk_size=250)
    parallel = bulk.recommend_parallel(history, workers=2, shares=SHARES, chunk_size=1_000)
    parts = bulk.plan_partitions(history.size, partitions=3)
    merged = bulk.merge(
        bulk.recommend_partition(history, partition=part, shares=SHARES) for part in parts
    )

    # then
    for other in (chunked, parallel, merged):
        for name in recommend.Recommendations.__dataclass_fields__:
            assert np.array_equal(getattr(other, name), getattr(whole, name)), name


def test_plan_partitions_cover_every_account_once() -> None:
    parts = bulk.plan_partitions(10, partitions=3)

    assert [(part.index, part.start, part.stop) for part in parts] == [
        (0, 0, 4),
        (1, 4, 7),
        (2, 7, 10),
    ]
    assert [part.count for part in parts] == [3, 3, 3]
    assert bulk.plan_partitions(2, partitions=5) == (
        bulk.Partition(index=0, count=2, start=0, stop=1),
        bulk.Partition(index=1, count=2, start=1, stop=2),
    )
    assert bulk.plan_partitions(0, partitions=4) == (
        bulk.Partition(index=0, count=1, start=0, stop=0),
    )
    assert list(bulk.chunk_ranges(start=5, stop=12, chunk_size=3)) == [(5, 8), (8, 11), (11, 12)]


def test_progress_is_reported_after_every_chunk() -> None:
    # given
    history = _random_history(seed=3, accounts=25)
    calls: list[tuple[int, int]] = []

    # when
    bulk.recommend_accounts(
        history, chunk_size=10, progress=lambda done, total: calls.append((done, total))
    )

    # then
    assert calls == [(10, 25), (20, 25), (25, 25)]


def test_write_recommendations_and_summary(tmp_path: Path) -> None:
    # given: the account of test_recommend_picks_the_cheapest_plan_with_interval_data and one
    # without kWh per period
    with_periods = _one_account(
        kwh=np.full((1, 12), 1000, dtype=np.int32),
        has_periods=np.array([True]),
        semi_peak=np.full((1, 12), 100, dtype=np.int32),
        off_peak=np.full((1, 12), 900, dtype=np.int32),
    )
    without = _one_account(
        accounts=np.array(["00000000002"]), kwh=np.full((1, 12), 500, dtype=np.int32)
    )
    result = bulk.merge([bulk.recommend_accounts(with_periods), bulk.recommend_accounts(without)])
    path = tmp_path / "recommendations.csv"

    # when
    written = bulk.write_recommendations(result, path=path)
    summary = bulk.summarize(result)

    # then
    assert written == 2
    assert path.read_text(encoding="utf-8").splitlines() == [
        "account,current_plan,tiered_plan,billing,tou_basis,residential,non_residential,"
        "commercial,simple_tou_2,simple_tou_3,cheapest,saving,complete,lock_in,provisional,"
        "not_priced",
        "00000000001,residential,residential,monthly,interval,46612,,,28652,28104,simple_tou_3,"
        "18508,true,true,false,",
        "00000000002,residential,residential,monthly,none,15340,,,,,residential,0,false,false,"
        "false,simple_tou_2:bulk.no_period_kwh;simple_tou_3:bulk.no_period_kwh",
    ]
    assert summary.accounts == 2
    assert summary.complete == 1
    assert summary.would_save == 1
    assert summary.total_saving == 18508
    assert summary.cheapest[Plan.SIMPLE_TOU_3] == 1
    assert summary.cheapest[Plan.RESIDENTIAL] == 1
    assert summary.tou_basis == {
        recommend.TouBasis.INTERVAL: 1,
        recommend.TouBasis.ASSUMED_SHARES: 0,
        recommend.TouBasis.NONE: 1,
    }
    assert summary.not_priced == {"bulk.no_period_kwh": 2}
    assert summary.provisional == 0


def test_misuse_is_refused() -> None:
    with pytest.raises(ValueError, match="not a tiered plan"):
        bulk.tiered_rates(
            Plan.SIMPLE_TOU_2, first_month=_month(2026, 1), last_month=_month(2026, 1)
        )
    with pytest.raises(ValueError, match="not a time-of-use plan"):
        bulk.tou_rates(Plan.RESIDENTIAL, first_month=_month(2026, 1), last_month=_month(2026, 1))
    with pytest.raises(ValueError, match="kWh must be whole numbers"):
        _tiered(Plan.RESIDENTIAL, month=_month(2026, 1), kwh=-1)
    with pytest.raises(ValueError, match="partitions"):
        bulk.plan_partitions(10, partitions=0)
    with pytest.raises(ValueError, match="chunk_size"):
        list(bulk.chunk_ranges(start=0, stop=10, chunk_size=0))
    with pytest.raises(ValueError, match="nothing to merge"):
        bulk.merge([])
    with pytest.raises(TariffError, match="accounts must be a 1-d array of str"):
        _one_account(accounts=np.array([1]))


@pytest.mark.parametrize(
    ("_case", "value", "message"),
    [
        ("price with three decimals", Decimal("1.234"), "more than two decimals"),
        ("fractional kWh bound", Decimal("120.5"), "not a whole kWh"),
    ],
)
def test_rate_data_the_bulk_engine_cannot_use_is_refused(
    _case: str, value: Decimal, message: str
) -> None:
    convert = bulk_engine._cents if "decimals" in message else bulk_engine._whole_kwh

    with pytest.raises(TariffError, match=message) as raised:
        convert(value, what="x", version="residential@2099-01-01")

    assert raised.value.code == "tariff.data_invalid"


def test_empty_history_and_one_worker() -> None:
    # given
    history = _random_history(seed=11, accounts=40)
    empty = history.slice(start=0, stop=0)

    # when
    nothing = bulk.recommend_accounts(empty)
    one_worker = bulk.recommend_parallel(history, workers=1)

    # then
    assert nothing.size == 0
    assert bulk.summarize(nothing).accounts == 0
    assert np.array_equal(one_worker.annual, bulk.recommend_accounts(history).annual)
    assert [row.account for row in one_worker.rows()] == history.accounts.tolist()


def test_assumed_shares_are_validated() -> None:
    with pytest.raises(TariffError) as raised:
        bulk.assumed_shares(
            summer={"peak": "30", "semi_peak": "40", "off_peak": "30"},
            non_summer={"semi_peak": "50.555", "off_peak": "49.445"},
        )
    assert raised.value.code == "bulk.share_precision"

    with pytest.raises(TariffError) as raised:
        bulk.assumed_shares(
            summer={"peak": "30", "semi_peak": "40", "off_peak": "20"},
            non_summer={"semi_peak": "50", "off_peak": "50"},
        )
    assert raised.value.code == "tariff.shares_sum"
    assert SHARES.summer == (2735, 4165, 3100)
    assert SHARES.non_summer == (0, 5550, 4450)


def test_eligible_plans_follow_the_customer_class() -> None:
    assert bulk.eligible_plans(Plan.COMMERCIAL) == (
        Plan.COMMERCIAL,
        Plan.SIMPLE_TOU_2,
        Plan.SIMPLE_TOU_3,
    )
    assert bulk.eligible_plans(Plan.NON_RESIDENTIAL)[0] is Plan.NON_RESIDENTIAL
    with pytest.raises(ValueError, match="not a non-time-of-use class"):
        bulk.eligible_plans(Plan.SIMPLE_TOU_2)
