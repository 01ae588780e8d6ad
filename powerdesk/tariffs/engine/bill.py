"""Bills: the pipeline over the charges (form (b): one reading period).

The arithmetic, step by step. Nothing is rounded before step 7; every intermediate value is
exact (``Decimal`` products, ``Fraction`` for d/D and ÷ 1.05).

**Tiered plans** (residential, non_residential, commercial; tariffs.md §3):

1. Split the reading ``start``..``end`` (D days, both inclusive) at every 6/1, 10/1 and
   effective date of the plan's rate files into parts s of d_s days, each with one schedule
   and one season. Any part without known rates is refused (``tariff.rates_unknown``).
2. Tier factor f = 1 (monthly) or 2 (bimonthly; a fixed factor, not scaled by days, §3.2).
3. Energy E = Σ_s (d_s / D) × C_s(K), where C_s(K) = Σ_i q_i(K) × price_{s,i} and
   q_i(K) = max(0, min(K, f·u_i) − f·l_i) is the kWh of the whole reading in tier i (§3.3's
   day-ratio apportionment of kWh and bounds, in its equivalent homogeneous form). With one
   part, E = C(K) exactly.
4. Minimum charge ([T1] 五(一)1): with 底度 B, G = max(E(max(K, B)), 100). For bimonthly bills
   the reference does not say how the minimum combines ("?"): the engine computes both
   readings, (B, NT$100) and (2B, NT$200), and refuses (``tariff.bimonthly_minimum_unknown``)
   when they differ, i.e. whenever the minimum would bind. When ``meter_amperes`` is unknown
   the bill is refused only if the 底度 could change it (``tariff.meter_amperes_required``).
5. Power factor (three-phase, equipment ≥ 20 kVA): H = G × (1 + r), r from
   ``charges.power_factor_rate``; applied to the whole bill after the minimum.
6. Tax exemption: T = H × 20/21 (÷ 1.05) on the exact value.
7. Total = ``rounding.round_half_up(T)``: whole NT$, .5 up.

**Simple TOU plans** (tariffs.md §2.3): monthly only (bimonthly is refused); a reading must lie
within one season and one rate version, because whether Taipower apportions a TOU reading that
crosses 6/1, 10/1 or a tariff change is unknown ("?", §3.3) (``tariff.tou_crosses_boundary``).
Then E = Σ_p kWh_p × price_p; adder A = (Σ_p kWh_p − 2000)⁺ × adder; basic charge 75 once per
bill, also when nothing was used; no 底度 or NT$100 minimum (the TOU rules [T1] 五(二) name
none, and a zero-use month pays the basic charge 75 < 100); power factor on E + A only (the
basic charge is not adjusted, §2.3.3); then steps 6 and 7.

**Integer recipe** (for a vectorised re-implementation of an unprorated monthly bill with
whole kWh; every amount below is a whole number of cents, prices having two decimals):
k = 1000·r is an integer (−15 … +80, 0 when the clause does not apply), t = 20 if tax-exempt
else 21, and M = 100 · 1000 · 21.

* tiered: e = Σ_i q_i · price_cents_i; e_B = the same at max(K, B) kWh;
  g = max(e_B, 10000); N = g · (1000 + k) · t;
* simple TOU: b = 7500 (basic), e = Σ_p kWh_p · price_cents_p + (K − 2000)⁺ · adder_cents;
  N = (1000 · b + e · (1000 + k)) · t;
* total [NT$] = floor((2·N + M) / (2·M)), i.e. N/M rounded half up (N ≥ 0).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, cast

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.engine import charges
from powerdesk.tariffs.engine.limits import (
    MAX_COMPUTED_PLACES,
    MAX_EQUIPMENT_KVA,
    MAX_KWH,
    MAX_METER_AMPERES,
    check_bounds,
)
from powerdesk.tariffs.engine.loader import parse_plan, schedule_for, schedules_between
from powerdesk.tariffs.engine.model import (
    PERIOD_NAMES,
    SEASON_NAMES,
    Bill,
    Billing,
    BillLine,
    Confidence,
    LineKind,
    Phase,
    Plan,
    Schedule,
    Season,
    TariffError,
    Tier,
    TieredSchedule,
    TouKwh,
    TouPeriod,
    TouPrices,
    TouSchedule,
    UnknownSchedule,
)
from powerdesk.tariffs.engine.periods import season_of, season_starts
from powerdesk.tariffs.engine.rounding import display_decimal, round_half_up

MAX_DAYS = {Billing.MONTHLY: 45, Billing.BIMONTHLY: 75}
"""Longest accepted reading period [days]. Not a Taipower rule: a sanity bound, since tier bounds
do not scale with days (§3.2), so a longer "monthly" reading is almost surely an input error."""

_ZERO = Decimal(0)


# --- Input parsing --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillOptions:
    """Validated customer attributes that affect a bill."""

    phase: Phase = Phase.SINGLE
    meter_amperes: Decimal | None = None  # [A] meter rating; None = unknown
    tax_exempt: bool = False
    power_factor: int | None = None  # [%] monthly average, whole percent
    power_factor_applies: bool = False  # three-phase with equipment ≥ 20 kVA


def parse_kwh(value: object, *, field: str = "kwh") -> Decimal:
    """``value`` as a non-negative, finite kWh ``Decimal`` (``Decimal``, ``int`` or a numeric ``str``).

    ``float`` is refused (binary floats cannot carry exact decimals), as is ``bool``.
    """
    number: Decimal | None = None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise TariffError(
            code="tariff.kwh_not_a_number",
            zh_hant=f"「{field}」的用電度數必須是數字，收到「{value}」。",
            en=f"{field} must be a number of kWh, got {value!r}.",
            field=field,
            details={"value": str(value)},
        )
    if number < 0:
        raise TariffError(
            code="tariff.kwh_negative",
            zh_hant=f"「{field}」的用電度數不可為負數（{number}）。",
            en=f"{field} must not be negative (got {number} kWh).",
            field=field,
            details={"value": str(number)},
        )
    return check_bounds(number, field=field, maximum=MAX_KWH, places=MAX_COMPUTED_PLACES)


def parse_tou_kwh(value: TouKwh | Mapping[str, object], *, field: str = "kwh") -> TouKwh:
    """A ``TouKwh`` with every period checked by ``parse_kwh`` (a mapping may omit periods)."""
    if isinstance(value, TouKwh):
        raw: dict[str, object] = {period.value: value.get(period) for period in TouPeriod}
    else:
        unknown = sorted(set(value) - {period.value for period in TouPeriod})
        if unknown:
            raise TariffError(
                code="tariff.kwh_unknown_period",
                zh_hant=f"「{field}」含未知的時段 {unknown}；可用 peak、semi_peak、off_peak。",
                en=f"{field} has unknown periods {unknown}; use peak, semi_peak and off_peak.",
                field=field,
            )
        raw = {period.value: value.get(period.value, _ZERO) for period in TouPeriod}
    return TouKwh(
        **{name: parse_kwh(amount, field=f"{field}.{name}") for name, amount in raw.items()}
    )


def _parse_enum[E: (Billing, Phase, Season)](value: str, enum: type[E], *, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise TariffError(
            code=f"tariff.unknown_{field}",
            zh_hant=f"「{field}」的值「{value}」無效；可用：{allowed}。",
            en=f"Invalid {field} {value!r}; use one of: {allowed}.",
            field=field,
            details={"value": str(value)},
        ) from None


def parse_billing(value: Billing | str) -> Billing:
    """``value`` as a ``Billing``; raises ``TariffError`` (``tariff.unknown_billing``) otherwise."""
    return _parse_enum(value, Billing, field="billing")


def _positive_decimal(value: object, *, field: str, allow_zero: bool, maximum: Decimal) -> Decimal:
    number: Decimal | None = None
    if isinstance(value, Decimal) and value.is_finite():
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    if number is None or number < 0 or (number == 0 and not allow_zero):
        bound_zh, bound_en = (
            ("不小於 0", "zero or more") if allow_zero else ("大於 0", "above zero")
        )
        raise TariffError(
            code=f"tariff.{field}_invalid",
            zh_hant=f"「{field}」必須是{bound_zh}的數字，收到「{value}」。",
            en=f"{field} must be a number {bound_en}, got {value!r}.",
            field=field,
            details={"value": str(value)},
        )
    return check_bounds(number, field=field, maximum=maximum)


def parse_options(
    *,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> BillOptions:
    """Validate the customer attributes (see ``compute_bill`` for their meaning)."""
    parsed_phase = _parse_enum(phase, Phase, field="phase")
    amperes = (
        None
        if meter_amperes is None
        else _positive_decimal(
            meter_amperes, field="meter_amperes", allow_zero=False, maximum=MAX_METER_AMPERES
        )
    )
    if not isinstance(tax_exempt, bool):
        raise TariffError(
            code="tariff.tax_exempt_invalid",
            zh_hant="「tax_exempt」必須是 true 或 false。",
            en="tax_exempt must be true or false.",
            field="tax_exempt",
        )
    if parsed_phase is Phase.SINGLE and (power_factor is not None or equipment_kva is not None):
        raise TariffError(
            code="tariff.power_factor_single_phase",
            zh_hant="功率因數調整只適用於三相用戶；單相用戶請勿填寫功率因數或設備容量。",
            en="The power-factor adjustment applies to three-phase customers only; leave "
            "power_factor and equipment_kva empty for a single-phase meter.",
            field="power_factor" if power_factor is not None else "equipment_kva",
        )
    given: object = power_factor  # checked at run time: callers may pass anything
    if given is not None and (
        isinstance(given, bool) or not isinstance(given, int) or not 0 <= given <= 100
    ):
        raise TariffError(
            code="tariff.power_factor_invalid",
            zh_hant=f"功率因數必須是 0 到 100 的整數百分比，收到「{power_factor}」。",
            en=f"power_factor must be a whole percentage from 0 to 100, got {power_factor!r}.",
            field="power_factor",
            details={"value": str(power_factor)},
        )
    kva = (
        None
        if equipment_kva is None
        else _positive_decimal(
            equipment_kva, field="equipment_kva", allow_zero=True, maximum=MAX_EQUIPMENT_KVA
        )
    )
    if power_factor is not None and kva is None:
        raise TariffError(
            code="tariff.equipment_kva_required",
            zh_hant="填寫功率因數時也必須填寫設備容量（kVA），才能判斷是否適用功率因數調整（20 kVA 以上）。",
            en="Give equipment_kva with power_factor: the adjustment applies from 20 kVA of equipment.",
            field="equipment_kva",
        )
    applies = kva is not None and kva >= charges.POWER_FACTOR_MIN_KVA
    if applies and power_factor is None:
        raise TariffError(
            code="tariff.power_factor_required",
            zh_hant=f"設備容量 {kva} kVA 的三相用戶適用功率因數調整，請填寫當月平均功率因數（%）。",
            en=f"A three-phase customer with {kva} kVA of equipment is subject to the power-factor "
            "adjustment: give the month's average power factor in percent.",
            field="power_factor",
        )
    return BillOptions(
        phase=parsed_phase,
        meter_amperes=amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        power_factor_applies=applies,
    )


def _check_date(value: object, *, field: str) -> date:
    if type(value) is not date:  # a datetime is a date subclass: refuse it too
        raise TariffError(
            code="tariff.date_invalid",
            zh_hant=f"「{field}」必須是日期，收到「{value}」。",
            en=f"{field} must be a date, got {value!r}.",
            field=field,
        )
    return value


def _check_period(*, start: object, end: object, billing: Billing) -> int:
    start = _check_date(start, field="start")
    end = _check_date(end, field="end")
    if start > end:
        raise TariffError(
            code="tariff.start_after_end",
            zh_hant=f"開始日 {start.isoformat()} 晚於結束日 {end.isoformat()}。",
            en=f"The start date {start.isoformat()} is after the end date {end.isoformat()}.",
            field="start",
            details={"start": start.isoformat(), "end": end.isoformat()},
        )
    days = (end - start).days + 1
    if days > MAX_DAYS[billing]:
        raise TariffError(
            code="tariff.period_too_long",
            zh_hant=(
                f"抄表期間 {days} 日超過{'每月' if billing is Billing.MONTHLY else '隔月'}抄表的上限 "
                f"{MAX_DAYS[billing]} 日；請分成多張帳單計算。"
            ),
            en=(
                f"The reading period of {days} days is longer than {MAX_DAYS[billing]} days, the "
                f"limit for {billing.value} billing; split it into bills."
            ),
            field="end",
            details={"days": days, "limit": MAX_DAYS[billing]},
        )
    return days


# --- Splitting a reading into parts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """A run of days of a reading with one schedule and one season."""

    schedule: TieredSchedule | TouSchedule
    season: Season
    first: date
    last: date

    @property
    def days(self) -> int:
        """Days in the part, both ends inclusive."""
        return (self.last - self.first).days + 1


def rates_unknown(schedule: UnknownSchedule, *, day: date) -> TariffError:
    """The refusal for a day covered by a version whose rates the reference lacks."""
    until = schedule.effective_to.isoformat() if schedule.effective_to else "…"
    return TariffError(
        code="tariff.rates_unknown",
        zh_hant=(
            f"{day.isoformat()} 無法計費：{schedule.plan.value} 方案 "
            f"{schedule.effective_from.isoformat()} 至 {until} 的費率不明——{schedule.missing.zh_hant}"
        ),
        en=(
            f"Cannot bill {day.isoformat()}: the rates of plan {schedule.plan.value!r} from "
            f"{schedule.effective_from.isoformat()} to {until} are unknown: {schedule.missing.en}."
        ),
        field="start",
        details={
            "date": day.isoformat(),
            "plan": schedule.plan.value,
            "version": schedule.version,
        },
    )


def known_schedule(plan: Plan, *, on: date) -> TieredSchedule | TouSchedule:
    """The schedule of ``plan`` on ``on``; refuses a version without known rates."""
    schedule = schedule_for(plan, on=on)
    if isinstance(schedule, UnknownSchedule):
        raise rates_unknown(schedule, day=on)
    return schedule


@functools.lru_cache(maxsize=16384)
def split_reading(plan: Plan, *, start: date, end: date) -> tuple[Part, ...]:
    """Parts of ``start``..``end`` at every season start and rate-file change (step 1).

    Cached: a result depends only on the (immutable) rate data and the arguments.
    """
    parts: list[Part] = []
    for schedule, first, last in schedules_between(plan, start=start, end=end):
        if isinstance(schedule, UnknownSchedule):
            raise rates_unknown(schedule, day=first)
        cuts = (first, *season_starts(start=first, end=last))
        for index, cut in enumerate(cuts):
            part_last = (
                cuts[index + 1].toordinal() - 1 if index + 1 < len(cuts) else last.toordinal()
            )
            parts.append(
                Part(
                    schedule=schedule,
                    season=season_of(cut),
                    first=cut,
                    last=date.fromordinal(part_last),
                )
            )
    return tuple(parts)


# --- Labels ---------------------------------------------------------------------------------


def _tier_range(lower: Decimal, upper: Decimal | None) -> tuple[str, str]:
    """Taipower's wording of a block: "120度以下", "121~330度", "1001度以上" (bounds are whole kWh)."""
    if upper is None:
        return f"{lower + 1} 度以上", f"{lower + 1} kWh and above"
    if lower == 0:
        return f"{upper} 度以下", f"up to {upper} kWh"
    return f"{lower + 1}–{upper} 度", f"{lower + 1}–{upper} kWh"


def _share_suffix(part: Part, *, days: int, prorated: bool) -> tuple[str, str]:
    if not prorated:
        return "", ""
    return (
        f"（{part.first.isoformat()}–{part.last.isoformat()}，{part.days}/{days} 日）",
        f" ({part.first.isoformat()}–{part.last.isoformat()}, {part.days}/{days} days)",
    )


# --- The pipeline ---------------------------------------------------------------------------


def _tiers(part: Part) -> tuple[Tier, ...]:
    # The loader only accepts kind "tiered" for a tiered plan, so a tiered plan's parts always
    # carry a TieredSchedule.
    return cast(TieredSchedule, part.schedule).tiers


def _energy_at(parts: tuple[Part, ...], *, kwh: Decimal, factor: int, days: int) -> Fraction:
    """Step 3: E = Σ_s (d_s / D) × C_s(kwh), exact."""
    if len(parts) == 1:
        part = parts[0]
        return Fraction(
            charges.tiered_energy_charge(_tiers(part), season=part.season, kwh=kwh, factor=factor)
        )
    total = Fraction(0)
    for part in parts:
        cost = charges.tiered_energy_charge(
            _tiers(part), season=part.season, kwh=kwh, factor=factor
        )
        total += Fraction(cost) * Fraction(part.days, days)
    return total


def _minimum_error_bimonthly(energy: Fraction) -> TariffError:
    shown = display_decimal(energy, min_places=2)
    return TariffError(
        code="tariff.bimonthly_minimum_unknown",
        zh_hant=(
            f"隔月抄表帳單的流動電費為 {shown} 元，會受最低電費（底度／100 元）影響，但參考資料未載明"
            "隔月抄表如何適用最低電費（是否加倍），因此不予計算。"
        ),
        en=(
            f"The energy charge of this bimonthly bill (NT${shown}) is low enough for the minimum "
            "charge (底度 / NT$100) to matter, and the reference does not say how the minimum "
            "applies to bimonthly bills (doubled or not), so the bill is not computed."
        ),
        field="billing",
        details={"energy_charge": str(shown)},
    )


_MINIMUM_READINGS = {
    1: ((1, Fraction(charges.MINIMUM_CHARGE_PER_MONTH)),),
    2: (
        (2, Fraction(charges.MINIMUM_CHARGE_PER_MONTH * 2)),
        (1, Fraction(charges.MINIMUM_CHARGE_PER_MONTH)),
    ),
}
_NOTHING = Fraction(0)


def _minimum_charge(
    parts: tuple[Part, ...],
    *,
    kwh: Decimal,
    energy: Fraction,
    factor: int,
    days: int,
    options: BillOptions,
) -> tuple[Fraction, Decimal | None]:
    """G (step 4) and the 底度 [kWh] that set it (None when the NT$100 floor or nothing did)."""
    if factor != 1 and energy < charges.MINIMUM_CHARGE_PER_MONTH * factor:
        # Below the doubled floor the two readings of the bimonthly minimum always differ.
        raise _minimum_error_bimonthly(energy)
    # bimonthly: the undoubled reading too, since the reference is silent
    readings = _MINIMUM_READINGS[factor]
    results: set[tuple[Fraction, Decimal | None]] = set()
    for multiple, floor in readings:
        if options.meter_amperes is None:
            minimum = charges.minimum_kwh_cap(phase=options.phase) * multiple
        else:
            minimum = (
                charges.minimum_kwh(phase=options.phase, meter_amperes=options.meter_amperes)
                * multiple
            )
        at_minimum = (
            energy if kwh >= minimum else _energy_at(parts, kwh=minimum, factor=factor, days=days)
        )
        high = max(at_minimum, floor)
        if options.meter_amperes is not None:
            results.add((high, minimum if at_minimum > energy and at_minimum >= floor else None))
            continue
        low = max(energy, floor)
        if high != low:
            raise TariffError(
                code="tariff.meter_amperes_required",
                zh_hant=(
                    f"用電 {kwh} 度可能低於底度（{options.phase.value} 相最高 {minimum} 度），"
                    "請填寫電表安培數以計算底度。"
                ),
                en=(
                    f"{kwh} kWh may be below the minimum usage (底度, up to {minimum} kWh for a "
                    f"{options.phase.value}-phase meter): give meter_amperes."
                ),
                field="meter_amperes",
            )
        results.add((low, None))
    if len(results) > 1:
        raise _minimum_error_bimonthly(energy)
    return results.pop()


@dataclass(frozen=True, slots=True)
class Amounts:
    """The exact amounts of one bill [NT$]. ``total`` is their sum: the one value rounded."""

    charges: Fraction  # energy charges (+ basic charge and adder for TOU), before the minimum
    minimum_top_up: Fraction  # ≥ 0: what the 底度 / NT$100 minimum adds
    minimum_kwh: Decimal | None  # the 底度 [kWh] that set the minimum (None: the floor did)
    power_factor: Fraction  # + surcharge, − discount
    power_factor_rate: Decimal  # fraction of the adjusted base, e.g. -0.010
    tax_exemption: Fraction  # ≤ 0: total × 20/21 − total when tax-exempt

    @property
    def total(self) -> Fraction:
        """The exact bill before rounding [NT$]."""
        total = self.charges
        for extra in (self.minimum_top_up, self.power_factor, self.tax_exemption):
            if extra:  # skip exact zeros: Fraction additions are the engine's main cost
                total += extra
        return total


def _adjustments(
    *, before: Fraction, pf_base: Fraction, options: BillOptions
) -> tuple[Fraction, Decimal, Fraction]:
    """Steps 5–6: (power-factor amount, its rate, tax-exemption amount)."""
    rate = (
        charges.power_factor_rate(power_factor=options.power_factor)
        if options.power_factor_applies and options.power_factor is not None
        else _ZERO
    )
    power_factor = pf_base * Fraction(rate) if rate else _NOTHING
    if not options.tax_exempt:
        return power_factor, rate, _NOTHING
    pre_tax = before + power_factor
    return power_factor, rate, pre_tax * charges.TAX_EXEMPT_FACTOR - pre_tax


def tiered_amounts(
    parts: tuple[Part, ...], *, kwh: Decimal, billing: Billing, options: BillOptions
) -> Amounts:
    """Steps 2–6 for a tiered plan over already split ``parts`` (module docstring)."""
    factor = charges.BIMONTHLY_TIER_FACTOR if billing is Billing.BIMONTHLY else 1
    days = sum(part.days for part in parts)
    energy = _energy_at(parts, kwh=kwh, factor=factor, days=days)
    minimum, minimum_kwh = _minimum_charge(
        parts, kwh=kwh, energy=energy, factor=factor, days=days, options=options
    )
    power_factor, rate, tax = _adjustments(before=minimum, pf_base=minimum, options=options)
    return Amounts(
        charges=energy,
        minimum_top_up=minimum - energy if minimum != energy else _NOTHING,
        minimum_kwh=minimum_kwh,
        power_factor=power_factor,
        power_factor_rate=rate,
        tax_exemption=tax,
    )


def _check_tou_periods(schedule: TouSchedule, *, season: Season, kwh: TouKwh) -> TouPrices:
    prices = schedule.prices(season)
    for period in TouPeriod:
        if kwh.get(period) > 0 and prices.price(period) is None:
            raise TariffError(
                code="tariff.period_not_in_plan",
                zh_hant=(
                    f"{schedule.plan.value} 方案的{SEASON_NAMES[season].zh_hant}沒有"
                    f"{PERIOD_NAMES[period].zh_hant}時段，但填了 {kwh.get(period)} 度。"
                ),
                en=(
                    f"Plan {schedule.plan.value!r} has no {PERIOD_NAMES[period].en} period in "
                    f"{SEASON_NAMES[season].en}, but {kwh.get(period)} kWh were given for it."
                ),
                field=f"kwh.{period.value}",
            )
    return prices


def tou_amounts(
    schedule: TouSchedule, *, season: Season, kwh: TouKwh, options: BillOptions
) -> Amounts:
    """A simple-TOU monthly bill's amounts: basic + Σ kWh_p × price_p + adder, then steps 5–6."""
    prices = _check_tou_periods(schedule, season=season, kwh=kwh)
    energy = sum((amount for _, _, amount in charges.tou_energy_charges(prices, kwh=kwh)), _ZERO)
    energy += (
        charges.adder_kwh(total_kwh=kwh.total, threshold_kwh=schedule.adder_threshold_kwh)
        * schedule.adder_per_kwh
    )
    before = Fraction(schedule.basic_charge_per_month + energy)
    power_factor, rate, tax = _adjustments(before=before, pf_base=Fraction(energy), options=options)
    return Amounts(
        charges=before,
        minimum_top_up=_NOTHING,
        minimum_kwh=None,
        power_factor=power_factor,
        power_factor_rate=rate,
        tax_exemption=tax,
    )


def _adjustment_lines(
    amounts: Amounts, *, options: BillOptions, scope_zh: str, scope_en: str
) -> list[BillLine]:
    lines: list[BillLine] = []
    if amounts.power_factor:
        rate = amounts.power_factor_rate
        sign = "+" if rate > 0 else "−"
        percent = abs(rate) * 100
        lines.append(
            BillLine(
                kind=LineKind.POWER_FACTOR,
                label_zh=f"功率因數調整（功率因數 {options.power_factor}%，{scope_zh} {sign}{percent}%）",
                label_en=(
                    f"Power-factor adjustment (power factor {options.power_factor} %, "
                    f"{sign}{percent} % of {scope_en})"
                ),
                amount_exact=amounts.power_factor,
            )
        )
    if options.tax_exempt:
        lines.append(
            BillLine(
                kind=LineKind.TAX_EXEMPTION,
                label_zh="免徵營業稅（總額 ÷ 1.05）",
                label_en="Business-tax exemption (total ÷ 1.05)",
                amount_exact=amounts.tax_exemption,
            )
        )
    return lines


def _provisional_notes(schedules: tuple[Schedule, ...]) -> list[Message]:
    return [
        Message(
            zh_hant=f"費率 {schedule.version} 的可信度為 C（單一次要來源或推算），計算結果僅供參考。",
            en=f"Rates {schedule.version} have confidence C (one secondary source or computed): "
            "the result is provisional.",
        )
        for schedule in dict.fromkeys(schedules)
        if schedule.confidence is Confidence.C
    ]


def _bill(
    *,
    plan: Plan,
    billing: Billing,
    start: date | None,
    end: date | None,
    lines: list[BillLine],
    amounts: Amounts,
    schedules: tuple[Schedule, ...],
    extra_provisional: bool,
    notes: list[Message],
) -> Bill:
    provisional_notes = _provisional_notes(schedules)
    return Bill(
        plan=plan,
        billing=billing,
        start=start,
        end=end,
        lines=tuple(lines),
        unrounded_total=amounts.total,
        total=round_half_up(amounts.total),
        tariff_versions=tuple(dict.fromkeys(schedule.version for schedule in schedules)),
        provisional=extra_provisional or bool(provisional_notes),
        notes=(*notes, *provisional_notes),
    )


def tiered_bill(
    parts: tuple[Part, ...],
    *,
    plan: Plan,
    billing: Billing,
    start: date | None,
    end: date | None,
    kwh: Decimal,
    options: BillOptions,
    extra_provisional: bool = False,
) -> Bill:
    """The itemised bill of a tiered plan over already split ``parts`` (module docstring)."""
    amounts = tiered_amounts(parts, kwh=kwh, billing=billing, options=options)
    factor = charges.BIMONTHLY_TIER_FACTOR if billing is Billing.BIMONTHLY else 1
    days = sum(part.days for part in parts)
    prorated = len(parts) > 1
    lines: list[BillLine] = []
    for part in parts:
        tiers = _tiers(part)
        share = Fraction(part.days, days)
        suffix_zh, suffix_en = _share_suffix(part, days=days, prorated=prorated)
        season_zh = SEASON_NAMES[part.season].zh_hant
        season_en = SEASON_NAMES[part.season].en.capitalize()
        lower = _ZERO
        quantities = charges.tier_kwh(tiers, kwh=kwh, factor=factor)
        for number, (tier, quantity) in enumerate(zip(tiers, quantities, strict=True), start=1):
            upper = None if tier.up_to_kwh is None else tier.up_to_kwh * factor
            tier_lower, lower = lower, (upper if upper is not None else lower)
            if quantity == 0:
                continue
            range_zh, range_en = _tier_range(tier_lower, upper)
            price = tier.price(part.season)
            amount = Fraction(quantity * price)
            lines.append(
                BillLine(
                    kind=LineKind.ENERGY,
                    label_zh=f"{season_zh}第 {number} 段（{range_zh}）{suffix_zh}",
                    label_en=f"{season_en} block {number} ({range_en}){suffix_en}",
                    amount_exact=amount * share if prorated else amount,
                    kwh=display_decimal(Fraction(quantity) * share) if prorated else quantity,
                    unit_price=price,
                    tariff_version=part.schedule.version,
                    season=part.season,
                    days=part.days if prorated else None,
                )
            )
    if amounts.minimum_top_up:
        minimum_kwh = amounts.minimum_kwh
        if minimum_kwh is None:
            floor = charges.MINIMUM_CHARGE_PER_MONTH * factor
            label_zh = f"最低電費：電費未滿 {floor} 元以 {floor} 元計收（補足差額）"
            label_en = f"Minimum charge: bills under NT${floor} are charged NT${floor} (top-up)"
        else:
            label_zh = f"底度 {minimum_kwh} 度（{options.meter_amperes} 安培 {options.phase.value} 相電表）補足差額"
            label_en = (
                f"Minimum usage (底度) of {minimum_kwh} kWh for a {options.meter_amperes} A "
                f"{options.phase.value}-phase meter (top-up)"
            )
        lines.append(
            BillLine(
                kind=LineKind.MINIMUM,
                label_zh=label_zh,
                label_en=label_en,
                amount_exact=amounts.minimum_top_up,
                kwh=None if minimum_kwh is None else minimum_kwh - kwh,
            )
        )
    lines += _adjustment_lines(amounts, options=options, scope_zh="全額", scope_en="the bill")
    notes: list[Message] = []
    if prorated:
        notes.append(
            Message(
                zh_hant="抄表期間跨越季節或費率變更，依各期間日數佔全期日數之比例分攤（台電說明，見 tariffs.md §3.3）。",
                en="The reading crosses a season or tariff change: kWh and tier bounds are "
                "apportioned by the share of days in each part (Taipower's rule, tariffs.md §3.3).",
            )
        )
    return _bill(
        plan=plan,
        billing=billing,
        start=start,
        end=end,
        lines=lines,
        amounts=amounts,
        schedules=tuple(part.schedule for part in parts),
        extra_provisional=extra_provisional,
        notes=notes,
    )


def tou_bill(
    schedule: TouSchedule,
    *,
    season: Season,
    kwh: TouKwh,
    start: date | None,
    end: date | None,
    options: BillOptions,
    extra_provisional: bool = False,
    notes: tuple[Message, ...] = (),
) -> Bill:
    """The itemised simple-TOU monthly bill within one season of one version."""
    amounts = tou_amounts(schedule, season=season, kwh=kwh, options=options)
    version = schedule.version
    lines = [
        BillLine(
            kind=LineKind.BASIC,
            label_zh="基本電費（按戶計收，每月）",
            label_en="Basic charge (per household, per month)",
            amount_exact=Fraction(schedule.basic_charge_per_month),
            unit_price=schedule.basic_charge_per_month,
            tariff_version=version,
        )
    ]
    for period, price, amount in charges.tou_energy_charges(schedule.prices(season), kwh=kwh):
        if kwh.get(period) == 0:
            continue
        lines.append(
            BillLine(
                kind=LineKind.ENERGY,
                label_zh=f"{SEASON_NAMES[season].zh_hant}{PERIOD_NAMES[period].zh_hant}流動電費",
                label_en=f"{SEASON_NAMES[season].en.capitalize()} {PERIOD_NAMES[period].en} energy",
                amount_exact=Fraction(amount),
                kwh=kwh.get(period),
                unit_price=price,
                tariff_version=version,
                season=season,
                period=period,
            )
        )
    excess = charges.adder_kwh(total_kwh=kwh.total, threshold_kwh=schedule.adder_threshold_kwh)
    if excess > 0:
        lines.append(
            BillLine(
                kind=LineKind.ADDER,
                label_zh=f"每月總度數超過 {schedule.adder_threshold_kwh} 度部分加計",
                label_en=f"Adder on monthly kWh above {schedule.adder_threshold_kwh}",
                amount_exact=Fraction(excess * schedule.adder_per_kwh),
                kwh=excess,
                unit_price=schedule.adder_per_kwh,
                tariff_version=version,
                season=season,
            )
        )
    lines += _adjustment_lines(
        amounts, options=options, scope_zh="流動電費", scope_en="the energy charges"
    )
    return _bill(
        plan=schedule.plan,
        billing=Billing.MONTHLY,
        start=start,
        end=end,
        lines=lines,
        amounts=amounts,
        schedules=(schedule,),
        extra_provisional=extra_provisional,
        notes=list(notes),
    )


# --- Public entry points --------------------------------------------------------------------


def _usage(plan: Plan, kwh: Any) -> Decimal | TouKwh:
    is_split = isinstance(kwh, (TouKwh, Mapping))
    if plan.is_tou and not is_split:
        raise TariffError(
            code="tariff.total_kwh_for_tou_plan",
            zh_hant=f"時間電價方案 {plan.value} 需要各時段度數（peak、semi_peak、off_peak），不能只給總度數。",
            en=f"Plan {plan.value!r} is time-of-use: give kWh per period (peak, semi_peak, off_peak), not a total.",
            field="kwh",
        )
    if not plan.is_tou and is_split:
        raise TariffError(
            code="tariff.tou_kwh_for_tiered_plan",
            zh_hant=f"非時間電價方案 {plan.value} 只需要總度數，不能分時段填寫。",
            en=f"Plan {plan.value!r} is not time-of-use: give the total kWh, not kWh per period.",
            field="kwh",
        )
    if is_split:
        return parse_tou_kwh(kwh)
    return parse_kwh(kwh)


def _tou_bimonthly() -> TariffError:
    return TariffError(
        code="tariff.tou_bimonthly",
        zh_hant="簡易型時間電價按月計費（每月電費為基本電費與流動電費之總和），不適用隔月抄表。",
        en="Simple time-of-use bills are monthly ([T1] 五(二)); bimonthly billing does not apply.",
        field="billing",
    )


def tou_reading_part(plan: Plan, *, start: date, end: date, billing: Billing) -> Part:
    """Validate a TOU reading (monthly, within one season and one version) and return its part."""
    if billing is Billing.BIMONTHLY:
        raise _tou_bimonthly()
    _check_period(start=start, end=end, billing=billing)
    parts = split_reading(plan, start=start, end=end)
    if len(parts) > 1:
        boundary = parts[1].first.isoformat()
        raise TariffError(
            code="tariff.tou_crosses_boundary",
            zh_hant=(
                f"時間電價帳單的抄表期間跨越 {boundary}（季節或費率變更）；參考資料未載明台電如何分攤，"
                "請在該日分開計算。"
            ),
            en=(
                f"The {plan.value} reading crosses {boundary} (a season or tariff change); how "
                "Taipower apportions such a time-of-use reading is unknown, so split the reading there."
            ),
            field="end",
            details={"boundary": boundary},
        )
    return parts[0]


@dataclass(frozen=True, slots=True)
class Reading:
    """A validated reading period (form (b)) ready to price."""

    plan: Plan
    billing: Billing
    start: date
    end: date
    usage: Decimal | TouKwh
    parts: tuple[Part, ...]
    options: BillOptions


def prepare_reading(
    *,
    plan: Plan | str,
    start: date,
    end: date,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    billing: Billing | str = Billing.MONTHLY,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> Reading:
    """Validate every argument of ``compute_bill`` and split the reading (step 1)."""
    parsed_plan = parse_plan(plan)
    parsed_billing = parse_billing(billing)
    options = parse_options(
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )
    usage = _usage(parsed_plan, kwh)
    if isinstance(usage, TouKwh):
        parts: tuple[Part, ...] = (
            tou_reading_part(parsed_plan, start=start, end=end, billing=parsed_billing),
        )
    else:
        _check_period(start=start, end=end, billing=parsed_billing)
        parts = split_reading(parsed_plan, start=start, end=end)
    return Reading(
        plan=parsed_plan,
        billing=parsed_billing,
        start=start,
        end=end,
        usage=usage,
        parts=parts,
        options=options,
    )


def reading_amounts(reading: Reading) -> Amounts:
    """The exact amounts of a prepared reading."""
    if isinstance(reading.usage, TouKwh):
        part = reading.parts[0]
        # The loader only accepts kind "simple_tou" for a TOU plan.
        return tou_amounts(
            cast(TouSchedule, part.schedule),
            season=part.season,
            kwh=reading.usage,
            options=reading.options,
        )
    return tiered_amounts(
        reading.parts, kwh=reading.usage, billing=reading.billing, options=reading.options
    )


def compute_bill(
    *,
    plan: Plan | str,
    start: date,
    end: date,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    billing: Billing | str = Billing.MONTHLY,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> Bill:
    """The itemised bill for one reading period (input form (b)).

    Args:
        plan: ``residential``, ``non_residential``, ``commercial``, ``simple_tou_2`` or
            ``simple_tou_3``.
        start, end: first and last day of use, both inclusive (at most 45 days monthly,
            75 bimonthly).
        kwh: [kWh] the total for a tiered plan; per period (``TouKwh`` or a mapping with
            ``peak`` / ``semi_peak`` / ``off_peak``) for a TOU plan.
        billing: ``monthly`` or ``bimonthly`` (tier bounds doubled; tiered plans only).
        phase: ``single`` or ``three`` (decides the 底度 and the power-factor clause).
        meter_amperes: [A] meter rating for the 底度; None = unknown (refused only if it matters).
        tax_exempt: the customer is exempt from business tax (total ÷ 1.05).
        power_factor: [%] whole-percent monthly average (three-phase only).
        equipment_kva: [kVA] installed equipment; the power-factor clause applies from 20 kVA.

    Returns the ``Bill``; raises ``TariffError`` with a stable code and field otherwise. The
    arithmetic is described step by step in this module's docstring.
    """
    reading = prepare_reading(
        plan=plan,
        start=start,
        end=end,
        kwh=kwh,
        billing=billing,
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )
    if isinstance(reading.usage, TouKwh):
        part = reading.parts[0]
        return tou_bill(
            cast(TouSchedule, part.schedule),
            season=part.season,
            kwh=reading.usage,
            start=start,
            end=end,
            options=reading.options,
        )
    return tiered_bill(
        reading.parts,
        plan=reading.plan,
        billing=reading.billing,
        start=start,
        end=end,
        kwh=reading.usage,
        options=reading.options,
    )


def bill_total(
    *,
    plan: Plan | str,
    start: date,
    end: date,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    billing: Billing | str = Billing.MONTHLY,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> int:
    """``compute_bill(...).total`` [NT$] without building the itemised lines (same arithmetic)."""
    return round_half_up(
        reading_amounts(
            prepare_reading(
                plan=plan,
                start=start,
                end=end,
                kwh=kwh,
                billing=billing,
                phase=phase,
                meter_amperes=meter_amperes,
                tax_exempt=tax_exempt,
                power_factor=power_factor,
                equipment_kva=equipment_kva,
            )
        ).total
    )


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def monthly_bill(
    *,
    plan: Plan | str,
    year: int,
    month: int,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> Bill:
    """The monthly bill of calendar month ``year``-``month``: ``compute_bill`` from its first to
    its last day, billing ``monthly``. Every current rate file and both seasons start on the 1st
    of a month, so a calendar month is never prorated. ``monthly_total`` gives the same total
    faster.
    """
    first, last = _month(year, month)
    return compute_bill(
        plan=plan,
        start=first,
        end=last,
        kwh=kwh,
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )


def monthly_total(
    *,
    plan: Plan | str,
    year: int,
    month: int,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> int:
    """``monthly_bill(...).total`` [NT$] without the itemised lines: the scalar reference for a
    vectorised engine (same validation, same exact arithmetic, same single rounding).
    """
    first, last = _month(year, month)
    return bill_total(
        plan=plan,
        start=first,
        end=last,
        kwh=kwh,
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )


def schedule_bill(
    schedule: Schedule,
    *,
    season: Season | str,
    kwh: Decimal | int | str | TouKwh | Mapping[str, object],
    billing: Billing | str = Billing.MONTHLY,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> Bill:
    """One whole billing cycle under ``schedule`` entirely in ``season`` (no dates, no proration).

    Used for typical months (form (a)) and the golden snapshots. Same rules as ``compute_bill``.
    """
    if isinstance(schedule, UnknownSchedule):
        raise rates_unknown(schedule, day=schedule.effective_from)
    parsed_season = _parse_enum(season, Season, field="season")
    parsed_billing = parse_billing(billing)
    options = parse_options(
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )
    usage = _usage(schedule.plan, kwh)
    if isinstance(usage, TouKwh):
        if parsed_billing is Billing.BIMONTHLY:
            raise _tou_bimonthly()
        # The loader only accepts kind "simple_tou" for a TOU plan.
        return tou_bill(
            cast(TouSchedule, schedule),
            season=parsed_season,
            kwh=usage,
            start=None,
            end=None,
            options=options,
        )
    part = Part(
        schedule=schedule,
        season=parsed_season,
        first=schedule.effective_from,
        last=schedule.effective_from,
    )
    return tiered_bill(
        (part,),
        plan=schedule.plan,
        billing=parsed_billing,
        start=None,
        end=None,
        kwh=usage,
        options=options,
    )
