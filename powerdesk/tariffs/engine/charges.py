"""The components of a bill, one pure function each; bill.py chains them.

Every function is exact: ``Decimal`` products of kWh and two-decimal unit prices, never
rounded (rounding happens once, in rounding.py). Sources: tariffs.md §2.3 and §3 with the
Taipower tariff table [T1] 第三章.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from powerdesk.tariffs.engine.model import Phase, Season, Tier, TouKwh, TouPeriod, TouPrices

ZERO = Decimal(0)

BIMONTHLY_TIER_FACTOR = 2
"""隔月抄表: "計費時各段度數係加倍計算" ([T1] p.4–5, p.10 五(一)2; tariffs.md §3.2, A)."""

MINIMUM_CHARGE_PER_MONTH = Decimal(100)
"""[NT$] "按底度計收之電費或當月電費未滿100元者，以100元計收" ([T1] p.9–10 五(一)1, A)."""

TAX_EXEMPT_FACTOR = Fraction(20, 21)
"""Prices include 5 % business tax; tax-exempt customers pay total ÷ 1.05 = total × 20/21
([T1] p.14 七(一); tariffs.md §3.6)."""

POWER_FACTOR_MIN_KVA = Decimal(20)
"""[kVA] The power-factor clause applies to three-phase customers with equipment ≥ 20 kVA
([T1] p.13–14 六; tariffs.md §2.3.6, §3.7)."""

_PF_REFERENCE = 80  # [%] no adjustment at 80 %
_PF_CAP = 95  # [%] no further reduction above 95 %
_PF_STEP = Decimal("0.001")  # 0.1 % of the bill per 1 % of power factor

# 底度 ([T1] p.9–10 五(一)1, A): single-phase 2 kWh/A (20 kWh above 10 A); three-phase 6 kWh/A
# (60 kWh above 10 A).
_MINIMUM_KWH_PER_AMPERE = {Phase.SINGLE: Decimal(2), Phase.THREE: Decimal(6)}
_MINIMUM_KWH_ABOVE_10_A = {Phase.SINGLE: Decimal(20), Phase.THREE: Decimal(60)}
_TEN_AMPERES = Decimal(10)


def tier_kwh(tiers: tuple[Tier, ...], *, kwh: Decimal, factor: int) -> tuple[Decimal, ...]:
    """kWh falling in each tier (分段累計, tariffs.md §3.1).

    Tier i covers (f·l_i, f·u_i] where (l_i, u_i] are the monthly bounds and ``factor`` f is 1
    (monthly) or 2 (bimonthly): q_i = max(0, min(kWh, f·u_i) − f·l_i). The q_i sum to ``kwh``.
    """
    quantities: list[Decimal] = []
    lower = ZERO
    for tier in tiers:
        upper = None if tier.up_to_kwh is None else tier.up_to_kwh * factor
        top = kwh if upper is None else min(kwh, upper)
        quantities.append(max(ZERO, top - lower))
        if upper is not None:
            lower = upper
    return tuple(quantities)


def tiered_energy_charge(
    tiers: tuple[Tier, ...], *, season: Season, kwh: Decimal, factor: int
) -> Decimal:
    """Σ_i q_i × price_i(season) [NT$]: the inclining-block energy charge of ``kwh``."""
    return sum(
        (
            q * tier.price(season)
            for q, tier in zip(tier_kwh(tiers, kwh=kwh, factor=factor), tiers, strict=True)
        ),
        ZERO,
    )


def tou_energy_charges(
    prices: TouPrices, *, kwh: TouKwh
) -> tuple[tuple[TouPeriod, Decimal, Decimal], ...]:
    """(period, unit price [NT$/kWh], amount [NT$]) for each period the season prices.

    The caller has checked that no energy falls in a period without a price.
    """
    result: list[tuple[TouPeriod, Decimal, Decimal]] = []
    for period in TouPeriod:
        price = prices.price(period)
        if price is not None:
            result.append((period, price, kwh.get(period) * price))
    return tuple(result)


def adder_kwh(*, total_kwh: Decimal, threshold_kwh: Decimal) -> Decimal:
    """kWh of the month above the threshold: "每月總度數超過2000度之部分" (tariffs.md §2.2)."""
    return max(ZERO, total_kwh - threshold_kwh)


def minimum_kwh(*, phase: Phase, meter_amperes: Decimal) -> Decimal:
    """底度 [kWh/month] of a low-voltage meter ([T1] p.9–10 五(一)1, A).

    Single-phase: 2 kWh per ampere, 20 kWh if the meter is rated above 10 A; three-phase:
    6 kWh per ampere, 60 kWh above 10 A.
    """
    if meter_amperes > _TEN_AMPERES:
        return _MINIMUM_KWH_ABOVE_10_A[phase]
    return _MINIMUM_KWH_PER_AMPERE[phase] * meter_amperes


def minimum_kwh_cap(*, phase: Phase) -> Decimal:
    """The largest possible 底度 [kWh/month] of a phase (used when the meter rating is unknown)."""
    return _MINIMUM_KWH_ABOVE_10_A[phase]


def power_factor_rate(*, power_factor: int) -> Decimal:
    """Bill adjustment as a fraction of the adjusted amount (+ surcharge, − discount).

    [T1] p.13–14 六 (tariffs.md §2.3.6): each 1 % below 80 % adds 0.1 %; each 1 % above 80 %,
    up to 95 %, takes 0.1 % off. ``power_factor`` is the monthly average in whole percent.
    Examples: 75 % → +0.005; 80 % → 0; 90 % → −0.010; 99 % → −0.015.
    """
    if power_factor < _PF_REFERENCE:
        return _PF_STEP * (_PF_REFERENCE - power_factor)
    return -_PF_STEP * (min(power_factor, _PF_CAP) - _PF_REFERENCE)
