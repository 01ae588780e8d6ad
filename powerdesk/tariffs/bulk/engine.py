"""Vectorised bill totals: numpy arrays over accounts, exact integer arithmetic.

This is the scalar engine's arithmetic (``powerdesk.tariffs.engine.bill``, module docstring,
"Integer recipe") applied to whole arrays of readings at once. Every total equals
``monthly_total`` (a calendar month) or ``bill_total`` (a two-month reading) of the scalar engine
to the NT$, and every refusal carries the scalar engine's error code:

* **Rates** come from the same versioned data files, through the scalar loader
  (``schedules_between``), one row per calendar month: ``TieredRates`` / ``TouRates``. Every
  effective date and season start (6/1, 10/1) falls on the 1st of a month, so one calendar
  month has exactly one schedule and one season (checked when the table is built).
* **Units.** kWh are whole numbers (``int64``); prices are whole cents (every unit price has
  two decimals, checked); amounts are whole cents times a known integer denominator, so nothing
  is ever rounded before the final step.
* **Tiered plans** (tariffs.md §3): a monthly reading costs C(K) = Σ_i q_i(K)·price_i cents.
  A bimonthly reading covers two calendar months a and b (d_a + d_b = D days); its tier bounds
  are doubled (§3.2) and it is apportioned by days (§3.3), so it costs
  E = (d_a·C_a(K) + d_b·C_b(K)) / D, kept as the integer D·E (the scalar engine's
  Σ_s (d_s/D)·C_s(K); when both months share a schedule and season it is D·C(K)/D = C(K), the
  scalar engine's single part). The minimum charge (底度 and NT$100, [T1] 五(一)1) follows
  ``bill._minimum_charge`` step by step, including its two refusals
  (``tariff.meter_amperes_required``, ``tariff.bimonthly_minimum_unknown``).
* **Simple TOU plans** (§2.3): monthly only; basic charge + Σ_p kWh_p·price_p + the adder on
  kWh above the threshold. kWh may be given in units of 1/``scale`` kWh (assumed shares give
  kWh × basis points, ``scale`` = 10,000), which scales every amount by the same integer.
* **Tax exemption and rounding** (§3.4, §3.6): with A the exact amount in units of
  1/(D·scale) cents, t = 20 (tax-exempt: ÷ 1.05 = × 20/21) or 21 and M = 100·21·D·scale, the
  bill is A·t/M NT$ and its total is ``floor((2·A·t + M) / (2·M))``: the same rational rounded
  half up, ``rounding.round_half_up``'s rule.

Not supported (callers must not pass such accounts or must accept the difference): the
three-phase power-factor adjustment (the bulk input carries no monthly power factor; every bill
is computed as ``compute_bill`` without ``power_factor``/``equipment_kva``), fractional kWh and
fractional meter amperes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.engine import charges
from powerdesk.tariffs.engine.loader import load_schedules, schedules_between
from powerdesk.tariffs.engine.model import (
    Confidence,
    Plan,
    Season,
    TariffDataError,
    TariffError,
    TieredSchedule,
    TouPeriod,
    TouSchedule,
    UnknownSchedule,
)
from powerdesk.tariffs.engine.periods import season_of

PLANS: tuple[Plan, ...] = tuple(Plan)
"""Plan order used by every bulk array with a plan axis (index = position)."""

MAX_KWH = 10_000_000
"""[kWh] Largest accepted reading: far above any low-voltage meter, and small enough that
every intermediate product stays below 2⁶³ (checked in ``_check_kwh``)."""

INFINITE_KWH = 1 << 40
"""Upper bound of an unbounded tier (above any doubled ``MAX_KWH``)."""

_CENTS = 100
_TAX_INCLUDED = 21  # prices include 5 % business tax: the full total is 21/21 of itself …
_TAX_EXEMPT = 20  # … and a tax-exempt total is 20/21 of it (÷ 1.05, [T1] p.14 七(一))
_FLOOR_CENTS = int(charges.MINIMUM_CHARGE_PER_MONTH) * _CENTS  # NT$100 ([T1] 五(一)1)


class Status(IntEnum):
    """Outcome of one reading under one plan (0 = priced). ``STATUS_CODES`` gives the codes."""

    OK = 0
    DATE_OUT_OF_RANGE = 1
    RATES_UNKNOWN = 2
    METER_AMPERES_REQUIRED = 3
    BIMONTHLY_MINIMUM_UNKNOWN = 4
    PERIOD_NOT_IN_PLAN = 5
    TOU_BIMONTHLY = 6
    NO_PERIOD_KWH = 7
    NOT_ELIGIBLE = 8
    TIERED_CLASS_UNKNOWN = 9


STATUS_CODES: dict[Status, str] = {
    Status.OK: "",
    Status.DATE_OUT_OF_RANGE: "tariff.date_out_of_range",
    Status.RATES_UNKNOWN: "tariff.rates_unknown",
    Status.METER_AMPERES_REQUIRED: "tariff.meter_amperes_required",
    Status.BIMONTHLY_MINIMUM_UNKNOWN: "tariff.bimonthly_minimum_unknown",
    Status.PERIOD_NOT_IN_PLAN: "tariff.period_not_in_plan",
    Status.TOU_BIMONTHLY: "tariff.tou_bimonthly",
    Status.NO_PERIOD_KWH: "bulk.no_period_kwh",
    Status.NOT_ELIGIBLE: "bulk.not_eligible",
    Status.TIERED_CLASS_UNKNOWN: "bulk.tiered_class_unknown",
}
"""Stable codes; the ``tariff.*`` ones are exactly the scalar engine's ``TariffError.code``."""

STATUS_MESSAGES: dict[Status, Message] = {
    Status.OK: Message(zh_hant="已計算", en="priced"),
    Status.DATE_OUT_OF_RANGE: Message(
        zh_hant="抄表月份早於已知電價", en="a reading is older than the known tariffs"
    ),
    Status.RATES_UNKNOWN: Message(
        zh_hant="部分月份的費率不明（參考資料查無）",
        en="the rates of some months are unknown (not in the reference)",
    ),
    Status.METER_AMPERES_REQUIRED: Message(
        zh_hant="用電可能低於底度，需要電表安培數",
        en="usage may be below the 底度 minimum: the meter amperes are needed",
    ),
    Status.BIMONTHLY_MINIMUM_UNKNOWN: Message(
        zh_hant="隔月抄表的最低電費如何適用不明",
        en="how the minimum charge applies to a bimonthly bill is unknown",
    ),
    Status.PERIOD_NOT_IN_PLAN: Message(
        zh_hant="有度數落在該方案沒有的時段", en="kWh fall in a period the plan does not have"
    ),
    Status.TOU_BIMONTHLY: Message(
        zh_hant="時間電價按月計費，隔月抄表的紀錄無法換算成每月各時段度數",
        en="time-of-use bills are monthly: bimonthly readings give no monthly kWh per period",
    ),
    Status.NO_PERIOD_KWH: Message(
        zh_hant="沒有各時段度數（無區間資料），未假設時段比例",
        en="no kWh per period (no interval data) and no assumed shares",
    ),
    Status.NOT_ELIGIBLE: Message(zh_hant="不適用此方案", en="plan not open to this customer"),
    Status.TIERED_CLASS_UNKNOWN: Message(
        zh_hant="時間電價用戶的非時間電價類別（住宅／非營業／營業）不明",
        en="the non-time-of-use class of this time-of-use customer is unknown",
    ),
}
"""What each status means, in both site languages (for the CLI and the CSV legend)."""

_DATE_STATUS = {
    "tariff.date_out_of_range": Status.DATE_OUT_OF_RANGE,
    "tariff.rates_unknown": Status.RATES_UNKNOWN,
}

type IntArray = NDArray[np.int64]
type StatusArray = NDArray[np.int8]
type BoolArray = NDArray[np.bool_]


def month_index(*, year: int, month: int) -> int:
    """The bulk engine's month number: months since January of year 0 (``year·12 + month − 1``)."""
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    """(year, month) of a ``month_index``."""
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def month_days(index: int) -> int:
    """Days in the calendar month ``index``."""
    year, month = month_of(index)
    return calendar.monthrange(year, month)[1]


def _cents(value: Decimal, *, what: str, version: str) -> int:
    scaled = value * _CENTS
    if scaled != scaled.to_integral_value():
        raise TariffDataError(
            code="tariff.data_invalid",
            zh_hant=f"費率 {version} 的 {what}（{value}）超過兩位小數，批次引擎無法以整數分計算。",
            en=f"{version}: {what} {value} has more than two decimals; the bulk engine needs whole cents.",
            details={"version": version},
        )
    return int(scaled)


def _whole_kwh(value: Decimal, *, what: str, version: str) -> int:
    if value != value.to_integral_value():
        raise TariffDataError(
            code="tariff.data_invalid",
            zh_hant=f"費率 {version} 的 {what}（{value}）不是整數度，批次引擎無法計算。",
            en=f"{version}: {what} {value} is not a whole kWh; the bulk engine needs whole kWh.",
            details={"version": version},
        )
    return int(value)


def _month_schedule(plan: Plan, index: int) -> tuple[Status, TieredSchedule | TouSchedule | None]:
    """The one schedule of ``plan`` in force for the whole calendar month ``index``."""
    year, month = month_of(index)
    first = date(year, month, 1)
    last = date(year, month, month_days(index))
    try:
        versions = schedules_between(plan, start=first, end=last)
    except TariffError as error:
        return _DATE_STATUS[error.code], None
    if len(versions) != 1:
        raise TariffDataError(
            code="tariff.data_invalid",
            zh_hant=f"{plan.value} 的費率在 {year}-{month:02d} 月中變更；批次引擎只支援月初生效的費率。",
            en=f"The {plan.value} rates change within {year}-{month:02d}; the bulk engine needs "
            "effective dates on the 1st of a month.",
            details={"plan": plan.value},
        )
    schedule = versions[0][0]
    if isinstance(schedule, UnknownSchedule):
        return Status.RATES_UNKNOWN, None
    return Status.OK, schedule


@dataclass(frozen=True, slots=True)
class TieredRates:
    """A tiered plan's rates per calendar month ``first_month`` … ``first_month + len − 1``.

    Row m holds the schedule and season in force for the whole month (tariffs.md §0: 夏月 is
    6/1–9/30; every effective date is a 1st of the month).
    """

    plan: Plan
    first_month: int  # month_index of row 0
    status: StatusArray  # (months,) OK, DATE_OUT_OF_RANGE or RATES_UNKNOWN
    upper_kwh: IntArray  # (months, tiers) monthly upper bound [kWh]; INFINITE_KWH = unbounded
    price_cents: IntArray  # (months, tiers) [NT$/100 per kWh] of the month's season; padding 0
    days: IntArray  # (months,) days in the month
    provisional: BoolArray  # (months,) rates of confidence C


@dataclass(frozen=True, slots=True)
class TouRates:
    """A simple-TOU plan's rates per calendar month (see ``TieredRates``).

    Prices are per period of the **three-period windows** (peak / semi-peak / off-peak): the
    two-period plan's peak windows are exactly the three-period peak and semi-peak windows
    (compare.py, checked by test_compare), so its semi-peak price is its peak price. A period
    the plan does not have in the month's season (三段式 non-summer peak) has ``has_peak`` false.
    """

    plan: Plan
    first_month: int
    status: StatusArray  # (months,)
    peak_cents: IntArray  # (months,)
    semi_peak_cents: IntArray
    off_peak_cents: IntArray
    has_peak: BoolArray  # (months,) the season has a peak price
    basic_cents: IntArray  # (months,) basic charge per month
    adder_threshold_kwh: IntArray  # (months,)
    adder_cents: IntArray  # (months,) per kWh above the threshold
    summer: BoolArray  # (months,) the month is in 夏月
    provisional: BoolArray  # (months,)


def tiered_rates(plan: Plan, *, first_month: int, last_month: int) -> TieredRates:
    """Build the monthly rate table of tiered ``plan`` for ``first_month`` … ``last_month``."""
    if plan.is_tou:
        raise ValueError(f"{plan.value} is not a tiered plan")
    count = last_month - first_month + 1
    tiers = max(
        len(schedule.tiers)
        for schedule in load_schedules()[plan]
        if isinstance(schedule, TieredSchedule)
    )
    status = np.zeros(count, dtype=np.int8)
    upper = np.full((count, tiers), INFINITE_KWH, dtype=np.int64)
    price = np.zeros((count, tiers), dtype=np.int64)
    days = np.zeros(count, dtype=np.int64)
    provisional = np.zeros(count, dtype=np.bool_)
    for row in range(count):
        index = first_month + row
        days[row] = month_days(index)
        outcome, schedule = _month_schedule(plan, index)
        status[row] = outcome
        if not isinstance(schedule, TieredSchedule):
            continue
        year, month = month_of(index)
        season = season_of(date(year, month, 1))
        provisional[row] = schedule.confidence is Confidence.C
        for column, tier in enumerate(schedule.tiers):
            if tier.up_to_kwh is not None:
                upper[row, column] = _whole_kwh(
                    tier.up_to_kwh, what="up_to_kwh", version=schedule.version
                )
            price[row, column] = _cents(
                tier.price(season), what="tier price", version=schedule.version
            )
    return TieredRates(
        plan=plan,
        first_month=first_month,
        status=status,
        upper_kwh=upper,
        price_cents=price,
        days=days,
        provisional=provisional,
    )


def tou_rates(plan: Plan, *, first_month: int, last_month: int) -> TouRates:
    """Build the monthly rate table of simple-TOU ``plan`` for ``first_month`` … ``last_month``."""
    if not plan.is_tou:
        raise ValueError(f"{plan.value} is not a time-of-use plan")
    count = last_month - first_month + 1
    arrays = {
        name: np.zeros(count, dtype=np.int64)
        for name in (
            "peak_cents",
            "semi_peak_cents",
            "off_peak_cents",
            "basic_cents",
            "adder_threshold_kwh",
            "adder_cents",
        )
    }
    status = np.zeros(count, dtype=np.int8)
    has_peak = np.zeros(count, dtype=np.bool_)
    summer = np.zeros(count, dtype=np.bool_)
    provisional = np.zeros(count, dtype=np.bool_)
    for row in range(count):
        index = first_month + row
        year, month = month_of(index)
        season = season_of(date(year, month, 1))
        summer[row] = season is Season.SUMMER
        outcome, schedule = _month_schedule(plan, index)
        status[row] = outcome
        if not isinstance(schedule, TouSchedule):
            continue
        version = schedule.version
        prices = schedule.prices(season)
        provisional[row] = schedule.confidence is Confidence.C
        peak = prices.price(TouPeriod.PEAK)
        semi_peak = prices.price(TouPeriod.SEMI_PEAK)
        has_peak[row] = peak is not None
        peak_cents = 0 if peak is None else _cents(peak, what="peak price", version=version)
        arrays["peak_cents"][row] = peak_cents
        # 二段式: the three-period semi-peak windows are part of its peak (class docstring).
        arrays["semi_peak_cents"][row] = (
            peak_cents
            if semi_peak is None
            else _cents(semi_peak, what="semi-peak price", version=version)
        )
        arrays["off_peak_cents"][row] = _cents(
            prices.off_peak, what="off-peak price", version=version
        )
        arrays["basic_cents"][row] = _cents(
            schedule.basic_charge_per_month, what="basic charge", version=version
        )
        arrays["adder_threshold_kwh"][row] = _whole_kwh(
            schedule.adder_threshold_kwh, what="adder threshold", version=version
        )
        arrays["adder_cents"][row] = _cents(schedule.adder_per_kwh, what="adder", version=version)
    return TouRates(
        plan=plan,
        first_month=first_month,
        status=status,
        has_peak=has_peak,
        summer=summer,
        provisional=provisional,
        **arrays,
    )


@dataclass(frozen=True, slots=True)
class Priced:
    """Per-reading results of one plan: shape (accounts, readings)."""

    totals: IntArray  # [NT$] the bill total; 0 where refused
    status: StatusArray  # Status per reading
    provisional: BoolArray  # the bill uses rates of confidence C


def _check_kwh(kwh: IntArray) -> None:
    if kwh.size and (int(kwh.min()) < 0 or int(kwh.max()) > MAX_KWH):
        raise ValueError(f"kWh must be whole numbers from 0 to {MAX_KWH}")


def _rows(first_month: int, count: int, months: NDArray[np.int32]) -> NDArray[np.intp]:
    rows = months.astype(np.intp) - first_month
    if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= count):
        raise ValueError("a reading month lies outside the rate table")
    return rows


def _round_total(amount: IntArray, *, tax: IntArray, denominator: IntArray | int) -> IntArray:
    """The total [NT$] of a bill of ``amount`` / (100 · ``denominator``) NT$ × ``tax`` / 21.

    ``amount`` is in units of 1/``denominator`` cents; ``tax`` is 21 (prices include the 5 %
    business tax) or 20 (tax-exempt, ÷ 1.05). Rounded half up exactly, in integers.
    """
    numerator = amount * tax
    modulus = np.asarray(denominator, dtype=np.int64) * (_CENTS * _TAX_INCLUDED)
    total: IntArray = (2 * numerator + modulus) // (2 * modulus)
    return total


def _tier_energy(
    rates: TieredRates, *, rows: NDArray[np.intp], kwh: IntArray, factor: int
) -> IntArray:
    """C(K) [cents] per reading: Σ_i price_i × max(0, min(K, f·u_i) − f·u_{i−1})."""
    energy = np.zeros(kwh.shape, dtype=np.int64)
    lower = np.zeros(kwh.shape, dtype=np.int64)
    for tier in range(rates.upper_kwh.shape[1]):
        upper = rates.upper_kwh[:, tier][rows]
        if factor != 1:
            upper = np.where(upper == INFINITE_KWH, INFINITE_KWH, upper * factor)
        quantity = np.minimum(kwh, upper) - lower
        np.maximum(quantity, 0, out=quantity)
        energy += quantity * rates.price_cents[:, tier][rows]
        lower = upper
    return energy


@dataclass(frozen=True, slots=True)
class _Reading:
    """Rows of the rate table and day weights of each reading (monthly: one month, weight 1)."""

    rows_a: NDArray[np.intp]
    rows_b: NDArray[np.intp] | None  # second month of a bimonthly reading
    weight_a: IntArray | int
    weight_b: IntArray | int
    denominator: IntArray | int  # D (bimonthly) or 1
    factor: int

    def energy(self, rates: TieredRates, kwh: IntArray) -> IntArray:
        """D·E(K) [cents·days]: the day-weighted energy charge at ``kwh`` (module docstring)."""
        energy_a = _tier_energy(rates, rows=self.rows_a, kwh=kwh, factor=self.factor)
        if self.rows_b is None:
            return energy_a
        energy_b = _tier_energy(rates, rows=self.rows_b, kwh=kwh, factor=self.factor)
        weighted: IntArray = self.weight_a * energy_a + self.weight_b * energy_b
        return weighted


def _energy_at_least(
    reading: _Reading,
    rates: TieredRates,
    *,
    kwh: IntArray,
    energy: IntArray,
    minimum: IntArray,
    candidates: BoolArray,
) -> IntArray:
    """D·E(max(K, minimum)) among ``candidates``: ``energy`` where K ≥ minimum (bill.py: "energy
    if kwh >= minimum"), else the energy at ``minimum`` (computed only for those readings)."""
    below = candidates & (kwh < minimum)
    result = energy.copy()
    if below.any():
        picked = np.nonzero(below)
        sub = _Reading(
            rows_a=reading.rows_a[picked],
            rows_b=None if reading.rows_b is None else reading.rows_b[picked],
            weight_a=_pick(reading.weight_a, picked),
            weight_b=_pick(reading.weight_b, picked),
            denominator=_pick(reading.denominator, picked),
            factor=reading.factor,
        )
        result[picked] = sub.energy(rates, minimum[picked])
    return result


def _pick(value: IntArray | int, picked: tuple[NDArray[np.intp], ...]) -> IntArray | int:
    if isinstance(value, int):
        return value
    chosen: IntArray = value[picked]
    return chosen


def _reading_status(
    status: StatusArray, *, rows_a: NDArray[np.intp], rows_b: NDArray[np.intp] | None
) -> StatusArray:
    """The date status of each reading: its first month's, else its second month's (the scalar
    engine walks the schedules in order and refuses at the first unknown or missing one)."""
    first: StatusArray = status[rows_a]
    if rows_b is None:
        return first
    second = status[rows_b]
    combined: StatusArray = np.where(first != Status.OK, first, second).astype(np.int8)
    return combined


def tiered_totals(
    rates: TieredRates,
    *,
    months: NDArray[np.int32],
    kwh: IntArray,
    bimonthly: bool,
    three_phase: BoolArray,
    meter_amperes: NDArray[np.int32],
    tax_exempt: BoolArray,
) -> Priced:
    """Bill totals of a tiered plan for readings of shape (accounts, readings).

    Args:
        rates: the plan's ``TieredRates`` covering every month used (second months too).
        months: ``month_index`` of each reading's (first) calendar month.
        kwh: [kWh] whole kWh of each reading (two months' use for a bimonthly reading).
        bimonthly: every reading covers ``months`` and the month after, bounds doubled.
        three_phase, meter_amperes, tax_exempt: per account (shape (accounts,));
            ``meter_amperes`` 0 = unknown (as ``meter_amperes=None`` in the scalar engine).

    Returns ``Priced``; a reading equals ``bill_total(plan=…, start=first day, end=last day,
    billing=…, kwh=…, phase=…, meter_amperes=…, tax_exempt=…)`` or carries its error code.
    """
    _check_kwh(kwh)
    count = rates.status.shape[0]
    rows_a = _rows(rates.first_month, count, months)
    rows_b = _rows(rates.first_month, count, months + 1) if bimonthly else None
    status = _reading_status(rates.status, rows_a=rows_a, rows_b=rows_b)
    provisional = rates.provisional[rows_a]
    if rows_b is not None:
        provisional = provisional | rates.provisional[rows_b]
        weight_a: IntArray | int = rates.days[rows_a]
        weight_b: IntArray | int = rates.days[rows_b]
        denominator: IntArray | int = rates.days[rows_a] + rates.days[rows_b]
        factor = charges.BIMONTHLY_TIER_FACTOR
    else:
        weight_a, weight_b, denominator, factor = 1, 0, 1, 1
    reading = _Reading(
        rows_a=rows_a,
        rows_b=rows_b,
        weight_a=weight_a,
        weight_b=weight_b,
        denominator=denominator,
        factor=factor,
    )
    shape = kwh.shape
    dated = status == Status.OK
    energy = reading.energy(rates, kwh)
    # 底度 per account ([T1] 五(一)1): charges.minimum_kwh, or its cap when amperes are unknown.
    per_ampere = np.where(three_phase, 6, 2).astype(np.int64)
    above_ten = np.where(three_phase, 60, 20).astype(np.int64)
    amperes = meter_amperes.astype(np.int64)
    known = amperes > 0
    base = np.where(known & (amperes <= 10), per_ampere * amperes, above_ten)
    base = np.broadcast_to(base[:, None], shape)
    known_2d = np.broadcast_to(known[:, None], shape)
    scale = np.asarray(denominator, dtype=np.int64)
    if factor == 1:
        floor = _FLOOR_CENTS * scale
        at_minimum = _energy_at_least(
            reading, rates, kwh=kwh, energy=energy, minimum=base, candidates=dated
        )
        high = np.maximum(at_minimum, floor)
        low = np.maximum(energy, floor)
        refused = dated & ~known_2d & (high != low)
        status = np.where(refused, np.int8(Status.METER_AMPERES_REQUIRED), status).astype(np.int8)
        amount = np.where(known_2d, high, low)
    else:
        amount, status = _bimonthly_minimum(
            reading,
            rates,
            kwh=kwh,
            energy=energy,
            base=base,
            known=known_2d,
            status=status,
            scale=scale,
        )
    tax = np.where(tax_exempt, _TAX_EXEMPT, _TAX_INCLUDED).astype(np.int64)[:, None]
    totals = _round_total(amount, tax=tax, denominator=denominator)
    ok = status == Status.OK
    return Priced(
        totals=np.where(ok, totals, 0),
        status=status,
        provisional=provisional & ok,
    )


def _bimonthly_minimum(
    reading: _Reading,
    rates: TieredRates,
    *,
    kwh: IntArray,
    energy: IntArray,
    base: IntArray,
    known: BoolArray,
    status: StatusArray,
    scale: IntArray,
) -> tuple[IntArray, StatusArray]:
    """``bill._minimum_charge`` for bimonthly readings (factor 2), vectorised.

    The reference does not say how the minimum applies to a bimonthly bill ("?", tariffs.md
    §3.5): the scalar engine computes it both with (2·底度, NT$200) and with (底度, NT$100) and
    refuses when the two differ. Order of its checks, kept here: energy below NT$200 →
    ``bimonthly_minimum_unknown``; unknown amperes → ``meter_amperes_required`` if the first,
    then the second reading depends on the 底度; the two readings' (amount, 底度 used) differ →
    ``bimonthly_minimum_unknown``.
    """
    dated = status == Status.OK
    doubled_floor = 2 * _FLOOR_CENTS * scale
    single_floor = _FLOOR_CENTS * scale
    below_floor = dated & (energy < doubled_floor)
    status = np.where(below_floor, np.int8(Status.BIMONTHLY_MINIMUM_UNKNOWN), status).astype(
        np.int8
    )
    live = dated & ~below_floor
    results: list[tuple[IntArray, IntArray]] = []
    unknown_refused = np.zeros(kwh.shape, dtype=np.bool_)
    for multiple, floor in ((2, doubled_floor), (1, single_floor)):
        minimum = base * multiple
        at_minimum = _energy_at_least(
            reading, rates, kwh=kwh, energy=energy, minimum=minimum, candidates=live
        )
        high = np.maximum(at_minimum, floor)
        low = np.maximum(energy, floor)
        unknown_refused |= live & ~known & ~unknown_refused & (high != low)
        # The 底度 that set the amount (bill.py: "minimum if at_minimum > energy and
        # at_minimum >= floor else None"); −1 stands for None. Unknown amperes: (low, None).
        used = np.where((at_minimum > energy) & (at_minimum >= floor), minimum, -1)
        results.append((np.where(known, high, low), np.where(known, used, -1)))
    (amount_2, used_2), (amount_1, used_1) = results
    status = np.where(unknown_refused, np.int8(Status.METER_AMPERES_REQUIRED), status).astype(
        np.int8
    )
    differ = live & ~unknown_refused & ((amount_2 != amount_1) | (used_2 != used_1))
    status = np.where(differ, np.int8(Status.BIMONTHLY_MINIMUM_UNKNOWN), status).astype(np.int8)
    return amount_2, status


def tou_totals(
    rates: TouRates,
    *,
    months: NDArray[np.int32],
    peak: IntArray,
    semi_peak: IntArray,
    off_peak: IntArray,
    tax_exempt: BoolArray,
    scale: int = 1,
) -> Priced:
    """Monthly simple-TOU bill totals for readings of shape (accounts, readings).

    Args:
        rates: the plan's ``TouRates`` covering every month used.
        months: ``month_index`` of each reading's calendar month.
        peak, semi_peak, off_peak: energy per period of the **three-period** windows
            (``TouRates``), in units of 1/``scale`` kWh (whole kWh when ``scale`` is 1).
        tax_exempt: per account.
        scale: the kWh unit; the total kWh of each reading must be a whole kWh (it is for
            assumed shares in basis points summing to 10,000).

    Returns ``Priced``; a reading equals ``monthly_total(plan=…, year=…, month=…,
    kwh={"peak": …, "semi_peak": …, "off_peak": …}, tax_exempt=…)`` with the two-period plan's
    peak = peak + semi-peak, or carries its error code.
    """
    rows = _rows(rates.first_month, rates.status.shape[0], months)
    status: StatusArray = rates.status[rows]
    status = np.where(
        (status == Status.OK) & ~rates.has_peak[rows] & (peak > 0),
        np.int8(Status.PERIOD_NOT_IN_PLAN),
        status,
    ).astype(np.int8)
    total_kwh = peak + semi_peak + off_peak
    _check_kwh(total_kwh // scale)
    energy = (
        peak * rates.peak_cents[rows]
        + semi_peak * rates.semi_peak_cents[rows]
        + off_peak * rates.off_peak_cents[rows]
    )
    excess = np.maximum(total_kwh - rates.adder_threshold_kwh[rows] * scale, 0)
    amount = rates.basic_cents[rows] * scale + energy + excess * rates.adder_cents[rows]
    tax = np.where(tax_exempt, _TAX_EXEMPT, _TAX_INCLUDED).astype(np.int64)[:, None]
    totals = _round_total(amount, tax=tax, denominator=scale)
    ok = status == Status.OK
    return Priced(
        totals=np.where(ok, totals, 0),
        status=status,
        provisional=rates.provisional[rows] & ok,
    )
