"""Tests of the typical-month plan comparison (form (a), compare.py), computed by hand.

2025-10-01 rates (tariffs.md §1a, §2.2): 二段式 5.16/2.06 summer, 4.93/1.99 non-summer;
三段式 7.13/4.69/2.06 summer, 4.48/1.99 non-summer; basic 75; adder 1.04 above 2,000 kWh.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from powerdesk.tariffs.engine import compare
from powerdesk.tariffs.engine.compare import TouShares
from powerdesk.tariffs.engine.model import Plan, TariffError, TouKwh

LOW_USE: dict[str, Any] = {
    "summer_kwh": Decimal(500),
    "non_summer_kwh": Decimal(300),
    "summer_shares": {"peak": 20, "semi_peak": 30, "off_peak": 50},
    "non_summer_shares": {"semi_peak": 40, "off_peak": 60},
}
HIGH_OFF_PEAK_USE: dict[str, Any] = {
    "summer_kwh": 1500,
    "non_summer_kwh": "1200",
    "summer_shares": TouShares(peak=Decimal(5), semi_peak=Decimal(15), off_peak=Decimal(80)),
    "non_summer_shares": TouShares(semi_peak=Decimal(20), off_peak=Decimal(80)),
}


def test_low_use_household_stays_on_the_tiered_tariff() -> None:
    result = compare.compare_typical(current_plan="residential", **LOW_USE)

    # residential: summer 500 → 213.60 + 535.50 + 646.00 = 1395.10 → 1395;
    #   non-summer 300 → 213.60 + 180 × 2.26 = 620.40 → 620; annual 4×1395 + 8×620 = 10540
    # 二段式: summer peak 50 % = 250, off 250 → 75 + 1290 + 515 = 1880;
    #   non-summer peak 40 % = 120, off 180 → 75 + 591.60 + 358.20 = 1024.80 → 1025;
    #   annual 4×1880 + 8×1025 = 15720
    # 三段式: summer 100/150/250 → 75 + 713 + 703.50 + 515 = 2006.50 → 2007;
    #   non-summer semi 120, off 180 → 75 + 537.60 + 358.20 = 970.80 → 971;
    #   annual 4×2007 + 8×971 = 15796
    assert [(e.plan, e.annual_total) for e in result.estimates] == [
        (Plan.RESIDENTIAL, 10540),
        (Plan.SIMPLE_TOU_2, 15720),
        (Plan.SIMPLE_TOU_3, 15796),
    ]
    assert result.cheapest is Plan.RESIDENTIAL
    assert result.saving == 0
    assert result.lock_in_warning is None
    assert result.provisional is False
    assert "already the cheapest" in result.explanation.en
    assert "已是最省的方案" in result.explanation.zh_hant
    tou2 = result.estimate("simple_tou_2")
    assert [(m.label, m.weight, m.bill.total) for m in tou2.months] == [
        ("summer", Fraction(4), 1880),
        ("non_summer", Fraction(8), 1025),
    ]
    assert tou2.lock_in is True
    assert result.estimate(Plan.RESIDENTIAL).lock_in is False
    assert tou2.tariff_versions == ("simple_tou_2@2025-10-01",)


def test_high_off_peak_use_recommends_three_periods_with_the_lock_in_warning() -> None:
    result = compare.compare_typical(current_plan="residential", **HIGH_OFF_PEAK_USE)

    # residential: summer 1500 → 4355.10 + 500 × 8.86 = 8785.10 → 8785;
    #   non-summer 1200 → 3649.30 + 200 × 7.03 = 5055.30 → 5055; annual 35140 + 40440 = 75580
    # 二段式: summer 300 peak, 1200 off → 75 + 1548 + 2472 = 4095;
    #   non-summer 240 peak, 960 off → 75 + 1183.20 + 1910.40 = 3168.60 → 3169;
    #   annual 16380 + 25352 = 41732
    # 三段式: summer 75/225/1200 → 75 + 534.75 + 1055.25 + 2472 = 4137;
    #   non-summer 240 semi, 960 off → 75 + 1075.20 + 1910.40 = 3060.60 → 3061;
    #   annual 16548 + 24488 = 41036
    assert [e.annual_total for e in result.estimates] == [75580, 41732, 41036]
    assert result.cheapest is Plan.SIMPLE_TOU_3
    assert result.saving == 75580 - 41036
    assert result.lock_in_warning == compare.LOCK_IN_WARNING
    assert "about NT$34,544 a year less" in result.explanation.en
    assert "每年約省 34,544 元" in result.explanation.zh_hant
    assert "NT$75,580" in result.explanation.en
    assert len(result.assumptions) == 3
    assert "4 summer + 8 non-summer" in result.assumptions[0].en


def test_current_tou_customer_names_their_tiered_class() -> None:
    result = compare.compare_typical(
        current_plan="simple_tou_2", tiered_plan="residential", **HIGH_OFF_PEAK_USE
    )

    assert [e.plan for e in result.estimates] == [
        Plan.RESIDENTIAL,
        Plan.SIMPLE_TOU_2,
        Plan.SIMPLE_TOU_3,
    ]
    assert result.saving == 41732 - 41036  # 696
    assert result.lock_in_warning is not None


def test_current_cheapest_tou_plan_gets_no_warning() -> None:
    result = compare.compare_typical(
        current_plan="simple_tou_3", tiered_plan="commercial", **HIGH_OFF_PEAK_USE
    )

    assert result.cheapest is Plan.SIMPLE_TOU_3
    assert result.saving == 0
    assert result.lock_in_warning is None


def test_comparison_at_a_past_date_with_provisional_rates() -> None:
    result = compare.compare_typical(current_plan="residential", on=date(2024, 6, 1), **LOW_USE)

    assert result.estimate("simple_tou_2").tariff_versions == ("simple_tou_2@2024-04-01",)
    assert result.provisional is True
    assert "provisional" in result.explanation.en
    assert "暫定" in result.explanation.zh_hant


def test_comparison_at_a_date_without_tou_rates_is_refused() -> None:
    with pytest.raises(TariffError) as raised:
        compare.compare_typical(current_plan="residential", on=date(2023, 6, 1), **LOW_USE)

    assert raised.value.code == "tariff.rates_unknown"


def test_typical_usage_splits_by_shares() -> None:
    shares = TouShares(peak=Decimal(20), semi_peak=Decimal(30), off_peak=Decimal(50))

    assert compare.typical_usage(Plan.SIMPLE_TOU_3, kwh=Decimal(500), shares=shares) == TouKwh(
        peak=Decimal(100), semi_peak=Decimal(150), off_peak=Decimal(250)
    )
    assert compare.typical_usage(Plan.SIMPLE_TOU_2, kwh=Decimal(500), shares=shares) == TouKwh(
        peak=Decimal(250), off_peak=Decimal(250)
    )
    assert compare.typical_usage(Plan.RESIDENTIAL, kwh=Decimal(500), shares=shares) == Decimal(500)


@pytest.mark.parametrize(
    ("_case", "overrides", "code", "field"),
    [
        (
            "summer shares sum to 90",
            {"summer_shares": {"peak": 20, "semi_peak": 20, "off_peak": 50}},
            "tariff.shares_sum",
            "summer_shares",
        ),
        (
            "non-summer shares sum to 110",
            {"non_summer_shares": {"semi_peak": 50, "off_peak": 60}},
            "tariff.shares_sum",
            "non_summer_shares",
        ),
        (
            "negative share",
            {"summer_shares": {"peak": -10, "semi_peak": 60, "off_peak": 50}},
            "tariff.share_negative",
            "summer_shares.peak",
        ),
        (
            "non-numeric share",
            {"summer_shares": {"peak": "x", "off_peak": 100}},
            "tariff.share_not_a_number",
            "summer_shares.peak",
        ),
        (
            "unknown share key",
            {"summer_shares": {"night": 100}},
            "tariff.share_unknown_period",
            "summer_shares",
        ),
        (
            "peak outside summer",
            {"non_summer_shares": {"peak": 10, "semi_peak": 30, "off_peak": 60}},
            "tariff.share_not_in_season",
            "non_summer_shares.peak",
        ),
        ("negative kWh", {"summer_kwh": -5}, "tariff.kwh_negative", "summer_kwh"),
        (
            "non-numeric kWh",
            {"non_summer_kwh": "lots"},
            "tariff.kwh_not_a_number",
            "non_summer_kwh",
        ),
        ("unknown plan", {"current_plan": "farm"}, "tariff.unknown_plan", "current_plan"),
        (
            "TOU customer without class",
            {"current_plan": "simple_tou_2"},
            "tariff.tiered_plan_required",
            "tiered_plan",
        ),
        (
            "class that is TOU",
            {"tiered_plan": "simple_tou_3"},
            "tariff.tiered_plan_invalid",
            "tiered_plan",
        ),
        (
            "class differs from current",
            {"tiered_plan": "commercial"},
            "tariff.tiered_plan_mismatch",
            "tiered_plan",
        ),
    ],
)
def test_compare_typical_refuses_bad_input(
    _case: str, overrides: dict[str, Any], code: str, field: str
) -> None:
    kwargs: dict[str, Any] = {"current_plan": "residential", **LOW_USE} | overrides

    with pytest.raises(TariffError) as raised:
        compare.compare_typical(**kwargs)

    assert raised.value.code == code
    assert raised.value.field == field


def test_estimate_of_a_plan_not_compared() -> None:
    result = compare.compare_typical(current_plan="residential", **LOW_USE)

    with pytest.raises(TariffError) as raised:
        result.estimate("commercial")
    assert raised.value.code == "tariff.plan_not_compared"


def test_comparison_options_reach_every_bill() -> None:
    result = compare.compare_typical(current_plan="residential", tax_exempt=True, **LOW_USE)

    # residential summer 1395.10 × 20/21 = 1328.666… → 1329; non-summer 620.40 × 20/21 =
    # 590.857… → 591; annual 4×1329 + 8×591 = 5316 + 4728 = 10044
    assert result.estimate("residential").annual_total == 10044
