"""Tests of the bill components (charges.py) and the one rounding rule (rounding.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from powerdesk.tariffs.engine import charges
from powerdesk.tariffs.engine.model import Phase, Season, Tier, TouKwh, TouPeriod, TouPrices
from powerdesk.tariffs.engine.rounding import display_decimal, is_terminating, round_half_up

# 2025-10-01 residential tiers (tariffs.md §1a, A).
RESIDENTIAL_2025 = (
    Tier(up_to_kwh=Decimal(120), summer=Decimal("1.78"), non_summer=Decimal("1.78")),
    Tier(up_to_kwh=Decimal(330), summer=Decimal("2.55"), non_summer=Decimal("2.26")),
    Tier(up_to_kwh=Decimal(500), summer=Decimal("3.80"), non_summer=Decimal("3.13")),
    Tier(up_to_kwh=Decimal(700), summer=Decimal("5.14"), non_summer=Decimal("4.24")),
    Tier(up_to_kwh=Decimal(1000), summer=Decimal("6.44"), non_summer=Decimal("5.27")),
    Tier(up_to_kwh=None, summer=Decimal("8.86"), non_summer=Decimal("7.03")),
)


@pytest.mark.parametrize(
    ("_case", "kwh", "factor", "expected"),
    [
        ("nothing", Decimal(0), 1, (0, 0, 0, 0, 0, 0)),
        ("inside the first tier", Decimal(100), 1, (100, 0, 0, 0, 0, 0)),
        ("exactly on the first bound", Decimal(120), 1, (120, 0, 0, 0, 0, 0)),
        ("one past the first bound", Decimal(121), 1, (120, 1, 0, 0, 0, 0)),
        ("fractional kWh", Decimal("120.5"), 1, (120, Decimal("0.5"), 0, 0, 0, 0)),
        ("into the last tier", Decimal(1500), 1, (120, 210, 170, 200, 300, 500)),
        # bimonthly: bounds 240, 660, 1000, 1400, 2000
        ("bimonthly first bound", Decimal(240), 2, (240, 0, 0, 0, 0, 0)),
        ("bimonthly 1200", Decimal(1200), 2, (240, 420, 340, 200, 0, 0)),
        ("bimonthly last tier", Decimal(2001), 2, (240, 420, 340, 400, 600, 1)),
    ],
)
def test_tier_kwh(
    _case: str, kwh: Decimal, factor: int, expected: tuple[int | Decimal, ...]
) -> None:
    assert charges.tier_kwh(RESIDENTIAL_2025, kwh=kwh, factor=factor) == tuple(
        Decimal(x) for x in expected
    )


@pytest.mark.parametrize(
    ("_case", "season", "kwh", "factor", "expected"),
    [
        ("zero", Season.SUMMER, Decimal(0), 1, Decimal("0")),
        # 120 × 1.78 = 213.60
        ("first tier edge", Season.SUMMER, Decimal(120), 1, Decimal("213.60")),
        # 213.60 + 210 × 2.55 = 213.60 + 535.50 = 749.10
        ("summer 330", Season.SUMMER, Decimal(330), 1, Decimal("749.10")),
        # 213.60 + 210 × 2.26 + 170 × 3.13 = 213.60 + 474.60 + 532.10 = 1220.30
        ("non-summer 500", Season.NON_SUMMER, Decimal(500), 1, Decimal("1220.30")),
        # bimonthly 1000: 240 × 1.78 + 420 × 2.26 + 340 × 3.13 = 427.20 + 949.20 + 1064.20 = 2440.60
        ("bimonthly non-summer 1000", Season.NON_SUMMER, Decimal(1000), 2, Decimal("2440.60")),
    ],
)
def test_tiered_energy_charge(
    _case: str, season: Season, kwh: Decimal, factor: int, expected: Decimal
) -> None:
    assert (
        charges.tiered_energy_charge(RESIDENTIAL_2025, season=season, kwh=kwh, factor=factor)
        == expected
    )


def test_tou_energy_charges_lists_the_priced_periods_only() -> None:
    prices = TouPrices(peak=Decimal("5.16"), semi_peak=None, off_peak=Decimal("2.06"))

    rows = charges.tou_energy_charges(prices, kwh=TouKwh(peak=Decimal(100), off_peak=Decimal(50)))

    # 100 × 5.16 = 516.00; 50 × 2.06 = 103.00
    assert rows == (
        (TouPeriod.PEAK, Decimal("5.16"), Decimal("516.00")),
        (TouPeriod.OFF_PEAK, Decimal("2.06"), Decimal("103.00")),
    )


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (Decimal(0), Decimal(0)),
        (Decimal(2000), Decimal(0)),
        (Decimal(2001), Decimal(1)),
        (Decimal("2500.5"), Decimal("500.5")),
    ],
)
def test_adder_kwh_is_the_part_above_the_threshold(total: Decimal, expected: Decimal) -> None:
    assert charges.adder_kwh(total_kwh=total, threshold_kwh=Decimal(2000)) == expected


@pytest.mark.parametrize(
    ("phase", "amperes", "expected"),
    [
        (Phase.SINGLE, Decimal(5), Decimal(10)),  # 2 kWh/A
        (Phase.SINGLE, Decimal(10), Decimal(20)),
        (Phase.SINGLE, Decimal(15), Decimal(20)),  # above 10 A: 20 kWh
        (Phase.THREE, Decimal(5), Decimal(30)),  # 6 kWh/A
        (Phase.THREE, Decimal(10), Decimal(60)),
        (Phase.THREE, Decimal(30), Decimal(60)),  # above 10 A: 60 kWh
    ],
)
def test_minimum_kwh_follows_the_meter_rating(
    phase: Phase, amperes: Decimal, expected: Decimal
) -> None:
    assert charges.minimum_kwh(phase=phase, meter_amperes=amperes) == expected


def test_minimum_kwh_cap() -> None:
    assert charges.minimum_kwh_cap(phase=Phase.SINGLE) == Decimal(20)
    assert charges.minimum_kwh_cap(phase=Phase.THREE) == Decimal(60)


@pytest.mark.parametrize(
    ("power_factor", "expected"),
    [
        (0, Decimal("0.080")),  # 80 points below: +8 %
        (75, Decimal("0.005")),
        (79, Decimal("0.001")),
        (80, Decimal("0.000")),
        (81, Decimal("-0.001")),
        (90, Decimal("-0.010")),
        (95, Decimal("-0.015")),
        (96, Decimal("-0.015")),  # no further discount above 95 %
        (100, Decimal("-0.015")),
    ],
)
def test_power_factor_rate(power_factor: int, expected: Decimal) -> None:
    assert charges.power_factor_rate(power_factor=power_factor) == expected


# --- rounding.py ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "amount", "expected"),
    [
        ("public example 7907.5", Decimal("7907.5"), 7908),
        ("just below a tie", Decimal("7907.49"), 7907),
        ("just above a tie", Decimal("7907.51"), 7908),
        ("integer", 75, 75),
        ("exact fraction 1/2", Fraction(1, 2), 1),
        ("a hair below a tie", Fraction(2 * 10**30 - 1, 4 * 10**30), 0),
        ("negative tie away from zero", Decimal("-2.5"), -3),
        ("negative below a tie", Decimal("-2.4"), -2),
        ("zero", Decimal(0), 0),
    ],
)
def test_round_half_up(_case: str, amount: Decimal | Fraction | int, expected: int) -> None:
    assert round_half_up(amount) == expected


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4))
def test_round_half_up_agrees_with_decimal_round_half_up(amount: Decimal) -> None:
    assert round_half_up(amount) == int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("value", "min_places", "expected"),
    [
        (Fraction(1068, 5), 2, "213.60"),  # terminating: exact, padded to 2 places
        (Fraction(1068, 5), 0, "213.6"),
        (Fraction(1, 64), 2, "0.015625"),  # exact even beyond 6 places when terminating
        (Fraction(1, 3), 2, "0.333333"),  # non-terminating: 6 places, half up
        (Fraction(2, 3), 2, "0.666667"),
        (Fraction(-2, 3), 2, "-0.666667"),
        (Fraction(75), 2, "75.00"),
    ],
)
def test_display_decimal(value: Fraction, min_places: int, expected: str) -> None:
    assert str(display_decimal(value, min_places=min_places)) == expected


def test_is_terminating() -> None:
    assert is_terminating(Fraction(3, 40))
    assert not is_terminating(Fraction(1, 21))
