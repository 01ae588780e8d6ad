"""Tests of the bill rules (bill.py), each with its expected value computed by hand.

Rates: tariffs.md §1a/§1b/§2.2. 2025-10-01 residential: 1.78 / 2.55|2.26 / 3.80|3.13 /
5.14|4.24 / 6.44|5.27 / 8.86|7.03 (summer|non-summer); bounds 120/330/500/700/1000.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from powerdesk.tariffs.engine import bill as bills
from powerdesk.tariffs.engine import loader
from powerdesk.tariffs.engine.model import (
    Billing,
    LineKind,
    Plan,
    Season,
    TariffError,
    TouKwh,
    TouPeriod,
)

JAN_2026 = {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}
JUL_2026 = {"start": date(2026, 7, 1), "end": date(2026, 7, 31)}


def _lines(bill: bills.Bill) -> list[tuple[str, str | None, str | None, str]]:
    return [
        (
            line.kind.value,
            None if line.kwh is None else str(line.kwh),
            None if line.unit_price is None else str(line.unit_price),
            str(line.amount),
        )
        for line in bill.lines
    ]


# --- Tiered plans -----------------------------------------------------------------------------


def test_residential_non_summer_month() -> None:
    bill = bills.compute_bill(plan="residential", kwh=Decimal(500), **JAN_2026)

    # 120 × 1.78 = 213.60; 210 × 2.26 = 474.60; 170 × 3.13 = 532.10 → 1220.30 → 1220
    assert _lines(bill) == [
        ("energy", "120", "1.78", "213.60"),
        ("energy", "210", "2.26", "474.60"),
        ("energy", "170", "3.13", "532.10"),
    ]
    assert bill.unrounded_total == Fraction("1220.30")
    assert bill.total == 1220
    assert bill.tariff_versions == ("residential@2025-10-01",)
    assert bill.provisional is False
    assert bill.days == 31
    assert [line.label_en for line in bill.lines] == [
        "Non-summer block 1 (up to 120 kWh)",
        "Non-summer block 2 (121–330 kWh)",
        "Non-summer block 3 (331–500 kWh)",
    ]
    assert bill.lines[1].label_zh == "非夏月第 2 段（121–330 度）"


def test_residential_summer_month() -> None:
    bill = bills.compute_bill(plan="residential", kwh=500, **JUL_2026)

    # 213.60 + 210 × 2.55 (535.50) + 170 × 3.80 (646.00) = 1395.10 → 1395
    assert bill.total == 1395
    assert bill.unrounded_total == Fraction("1395.10")


def test_non_residential_equals_residential_from_2022() -> None:
    # tariffs.md §1a notes: 住宅以外非營業用 equals 住宅用 in both official tables.
    for month in ((2022, 8), (2023, 2), (2024, 7), (2026, 1), (2026, 8)):
        for kwh in (Decimal(0), Decimal(450), Decimal(1500)):
            assert (
                bills.monthly_bill(
                    plan="non_residential", year=month[0], month=month[1], kwh=kwh
                ).total
                == bills.monthly_bill(
                    plan="residential", year=month[0], month=month[1], kwh=kwh
                ).total
            )


def test_commercial_summer_total_with_a_half_yuan_rounds_up() -> None:
    bill = bills.compute_bill(plan="commercial", kwh=Decimal(2000), **JUL_2026)

    # 330 × 2.71 = 894.30; 370 × 3.76 = 1391.20; 800 × 4.46 = 3568.00; 500 × 7.08 = 3540.00
    # → 9393.50 → 9394 (half up)
    assert bill.unrounded_total == Fraction("9393.5")
    assert bill.total == 9394


def test_commercial_fifth_tier() -> None:
    bill = bills.compute_bill(plan="commercial", kwh=Decimal(3500), **JAN_2026)

    # 330 × 2.28 = 752.40; 370 × 3.10 = 1147.00; 800 × 3.61 = 2888.00; 1500 × 5.56 = 8340.00;
    # 500 × 5.83 = 2915.00 → 16042.40 → 16042
    assert bill.total == 16042
    assert bill.lines[-1].label_en == "Non-summer block 5 (3001 kWh and above)"


def test_residential_tie_rounds_up() -> None:
    # 213.60 + 15 × 2.26 (33.90) = 247.50 → 248
    bill = bills.compute_bill(plan="residential", kwh=Decimal(135), **JAN_2026)

    assert bill.unrounded_total == Fraction("247.5")
    assert bill.total == 248


def test_bimonthly_doubles_every_tier_bound() -> None:
    bill = bills.compute_bill(
        plan="residential",
        start=date(2026, 1, 1),
        end=date(2026, 2, 28),
        kwh=Decimal(1000),
        billing="bimonthly",
    )

    # bounds 240 / 660 / 1000: 240 × 1.78 = 427.20; 420 × 2.26 = 949.20; 340 × 3.13 = 1064.20
    # → 2440.60 → 2441
    assert _lines(bill) == [
        ("energy", "240", "1.78", "427.20"),
        ("energy", "420", "2.26", "949.20"),
        ("energy", "340", "3.13", "1064.20"),
    ]
    assert bill.total == 2441
    assert bill.billing is Billing.BIMONTHLY
    assert bill.lines[1].label_en == "Non-summer block 2 (241–660 kWh)"


def test_bimonthly_reading_across_june_first_is_prorated_by_days() -> None:
    # 2025-05-10..2025-07-09: Decimal = 61 days, 22 non-summer (5/10–5/31), 39 summer; 2024-04-01 rates.
    bill = bills.compute_bill(
        plan="residential",
        start=date(2025, 5, 10),
        end=date(2025, 7, 9),
        kwh=Decimal(1200),
        billing="bimonthly",
    )

    # tiers of 1200 kWh (bimonthly): 240, 420, 340, 200
    # non-summer: 240×1.68 + 420×2.16 + 340×3.03 + 200×4.14 = 403.2+907.2+1030.2+828 = 3168.6
    # summer:     240×1.68 + 420×2.45 + 340×3.70 + 200×5.04 = 403.2+1029+1258+1008 = 3698.2
    # E = (22 × 3168.6 + 39 × 3698.2) / 61 = 213939 / 61 = 3507.1967… → 3507
    assert bill.unrounded_total == Fraction(213939, 61)
    assert bill.total == 3507
    assert [(line.season, line.days) for line in bill.lines] == [(Season.NON_SUMMER, 22)] * 4 + [
        (Season.SUMMER, 39)
    ] * 4
    assert bill.lines[0].approximate is True
    assert str(bill.lines[0].kwh) == "86.557377"  # 240 × 22/61
    assert bill.lines[0].label_en.endswith("(2025-05-10–2025-05-31, 22/61 days)")
    assert len(bill.notes) == 1
    assert "§3.3" in bill.notes[0].en


def test_reading_across_a_tariff_change_uses_both_versions() -> None:
    # 2025-09-16..2025-10-15: 15 days summer under 2024-04-01, 15 days non-summer under 2025-10-01
    bill = bills.compute_bill(
        plan="residential", start=date(2025, 9, 16), end=date(2025, 10, 15), kwh=Decimal(400)
    )

    # summer 2024: 120×1.68 + 210×2.45 + 70×3.70 = 201.6 + 514.5 + 259 = 975.1
    # non-summer 2025: 120×1.78 + 210×2.26 + 70×3.13 = 213.6 + 474.6 + 219.1 = 907.3
    # E = (15 × 975.1 + 15 × 907.3) / 30 = 941.2 → 941
    assert bill.unrounded_total == Fraction("941.2")
    assert bill.total == 941
    assert bill.tariff_versions == ("residential@2024-04-01", "residential@2025-10-01")


def test_reading_across_a_season_and_a_tariff_change_has_three_parts() -> None:
    # 2022-05-20..2022-07-15 (57 days): 12 days 2018 non-summer, 30 days 2018 summer,
    # 15 days 2022-07-01 summer.
    bill = bills.compute_bill(
        plan="residential",
        start=date(2022, 5, 20),
        end=date(2022, 7, 15),
        kwh=Decimal(2400),
        billing="bimonthly",
    )

    # tiers of 2400 (bimonthly): 240, 420, 340, 400, 600, 400
    # C1 = 240×1.63 + 420×2.10 + 340×2.89 + 400×3.94 + 600×4.60 + 400×5.03 = 8603.8
    # C2 = 240×1.63 + 420×2.38 + 340×3.52 + 400×4.80 + 600×5.66 + 400×6.41 = 10467.6
    # C3 = C2 − 400×6.41 + 400×6.99 = 10699.6
    # E = (12×8603.8 + 30×10467.6 + 15×10699.6) / 57 = 577767.6 / 57 = 10136.27… → 10136
    assert bill.unrounded_total == Fraction("577767.6") / 57
    assert bill.total == 10136
    assert bill.tariff_versions == ("residential@2018-04-01", "residential@2022-07-01")
    assert sorted({line.days for line in bill.lines if line.days}) == [12, 15, 30]


def test_lines_sum_exactly_to_the_unrounded_total() -> None:
    bill = bills.compute_bill(
        plan="residential",
        start=date(2022, 5, 20),
        end=date(2022, 7, 15),
        kwh=Decimal(2400),
        billing="bimonthly",
        tax_exempt=True,
    )

    assert sum((line.amount_exact for line in bill.lines), Fraction(0)) == bill.unrounded_total


# --- Minimum charge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "kwh", "expected_total", "expected_lines"),
    [
        # nothing used: the NT$100 floor
        ("zero", Decimal(0), 100, [("minimum", None, None, "100.00")]),
        # 30 × 1.78 = 53.40 < 100: top-up 46.60
        (
            "below the floor",
            Decimal(30),
            100,
            [("energy", "30", "1.78", "53.40"), ("minimum", None, None, "46.60")],
        ),
        # 60 × 1.78 = 106.80 ≥ 100: no minimum
        ("above the floor", Decimal(60), 107, [("energy", "60", "1.78", "106.80")]),
    ],
)
def test_monthly_floor_of_100(
    _case: str, kwh: Decimal, expected_total: int, expected_lines: list[tuple[str, Any, Any, str]]
) -> None:
    bill = bills.compute_bill(plan="residential", kwh=kwh, **JAN_2026)

    assert bill.total == expected_total
    assert _lines(bill) == expected_lines


def test_minimum_usage_of_a_three_phase_meter() -> None:
    # three-phase 20 A: 底度 60 kWh. 10 kWh used: 10 × 1.78 = 17.80; 60 × 1.78 = 106.80 ≥ 100
    bill = bills.compute_bill(
        plan="residential", kwh=Decimal(10), phase="three", meter_amperes=20, **JAN_2026
    )

    assert _lines(bill) == [("energy", "10", "1.78", "17.80"), ("minimum", "50", None, "89.00")]
    assert bill.total == 107
    assert bill.lines[1].label_en == (
        "Minimum usage (底度) of 60 kWh for a 20 A three-phase meter (top-up)"
    )


def test_small_three_phase_meter_falls_back_to_the_floor() -> None:
    # three-phase 5 A: 底度 30 kWh → 53.40 < 100 → the NT$100 floor sets the bill
    bill = bills.compute_bill(
        plan="residential", kwh=Decimal(10), phase="three", meter_amperes=Decimal(5), **JAN_2026
    )

    assert bill.total == 100
    assert bill.lines[-1].label_en.startswith("Minimum charge: bills under NT$100")


def test_unknown_meter_rating_is_refused_only_when_it_matters() -> None:
    # three-phase, 10 kWh: the 底度 could be up to 60 kWh (106.80), which would beat the floor
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(plan="residential", kwh=Decimal(10), phase="three", **JAN_2026)
    assert raised.value.code == "tariff.meter_amperes_required"
    assert raised.value.field == "meter_amperes"

    # single-phase: the 底度 is at most 20 kWh (35.60), below the floor anyway → 100
    assert bills.compute_bill(plan="residential", kwh=Decimal(5), **JAN_2026).total == 100
    # three-phase at 70 kWh: above any 底度 → 70 × 1.78 = 124.60 → 125
    assert (
        bills.compute_bill(plan="residential", kwh=Decimal(70), phase="three", **JAN_2026).total
        == 125
    )


def test_bimonthly_minimum_is_refused_when_it_would_bind() -> None:
    # 100 kWh bimonthly: 178.00 < 200, so "doubled" (200) and "not doubled" (100) readings differ
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(
            plan="residential",
            start=date(2026, 1, 1),
            end=date(2026, 2, 28),
            kwh=Decimal(100),
            billing="bimonthly",
        )
    assert raised.value.code == "tariff.bimonthly_minimum_unknown"
    assert raised.value.field == "billing"
    assert raised.value.details == {"energy_charge": "178.00"}


def test_bimonthly_minimum_usage_readings_that_differ_are_refused() -> None:
    # three-phase 20 A, 115 kWh bimonthly: 115 × 1.78 = 204.70 ≥ 200, but the doubled 底度
    # (120 kWh → 213.60) binds while the undoubled one (60 kWh) does not.
    kwargs: dict[str, Any] = {
        "plan": "residential",
        "start": date(2026, 1, 1),
        "end": date(2026, 2, 28),
        "kwh": Decimal(115),
        "billing": "bimonthly",
        "phase": "three",
    }
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(**kwargs, meter_amperes=20)
    assert raised.value.code == "tariff.bimonthly_minimum_unknown"
    # without the rating the 底度 itself is unknown
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(**kwargs)
    assert raised.value.code == "tariff.meter_amperes_required"
    # 130 kWh: above both readings; all in the first bimonthly block (240): 130 × 1.78 = 231.40
    assert bills.compute_bill(**(kwargs | {"kwh": Decimal(130)}), meter_amperes=20).total == 231


# --- Simple TOU -------------------------------------------------------------------------------


def test_two_period_summer_month() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_2", kwh=TouKwh(peak=Decimal(300), off_peak=Decimal(200)), **JUL_2026
    )

    # 75 + 300 × 5.16 (1548.00) + 200 × 2.06 (412.00) = 2035.00
    assert _lines(bill) == [
        ("basic", None, "75.00", "75.00"),
        ("energy", "300", "5.16", "1548.00"),
        ("energy", "200", "2.06", "412.00"),
    ]
    assert bill.total == 2035
    assert [line.period for line in bill.lines] == [None, TouPeriod.PEAK, TouPeriod.OFF_PEAK]


def test_three_period_non_summer_month_from_a_mapping() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_3", kwh={"semi_peak": 500, "off_peak": "500"}, **JAN_2026
    )

    # 75 + 500 × 4.48 (2240.00) + 500 × 1.99 (995.00) = 3310.00
    assert bill.total == 3310


def test_zero_use_month_pays_the_full_basic_charge() -> None:
    bill = bills.compute_bill(plan="simple_tou_2", kwh=TouKwh(), **JAN_2026)

    # no 底度 / NT$100 minimum for simple TOU: 75 only
    assert _lines(bill) == [("basic", None, "75.00", "75.00")]
    assert bill.total == 75


@pytest.mark.parametrize(
    ("kwh", "expected_unrounded", "expected_total"),
    [
        # 75 + 2000 × 5.16 = 10395.00, no adder at exactly 2,000 kWh
        (Decimal(2000), "10395", 10395),
        # 75 + 2001 × 5.16 (10325.16) + 1 × 1.04 = 10401.20 → 10401
        (Decimal(2001), "10401.2", 10401),
    ],
)
def test_adder_above_2000_kwh(kwh: Decimal, expected_unrounded: str, expected_total: int) -> None:
    bill = bills.compute_bill(plan="simple_tou_2", kwh=TouKwh(peak=kwh), **JUL_2026)

    assert bill.unrounded_total == Fraction(expected_unrounded)
    assert bill.total == expected_total


def test_adder_counts_every_period() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_3",
        kwh=TouKwh(peak=Decimal(500), semi_peak=Decimal(900), off_peak=Decimal(1000)),
        **JUL_2026,
    )

    # 75 + 500×7.13 (3565) + 900×4.69 (4221) + 1000×2.06 (2060) + 400 × 1.04 (416) = 10337
    assert bill.total == 10337
    adder = bill.lines[-1]
    assert (adder.kind, adder.kwh, adder.unit_price) == (
        LineKind.ADDER,
        Decimal(400),
        Decimal("1.04"),
    )
    assert adder.label_en == "Adder on monthly kWh above 2000"


@pytest.mark.parametrize(
    ("_case", "plan", "kwh", "when", "field"),
    [
        (
            "semi-peak on a two-period plan",
            "simple_tou_2",
            TouKwh(semi_peak=Decimal(1)),
            JUL_2026,
            "kwh.semi_peak",
        ),
        (
            "peak outside summer on three periods",
            "simple_tou_3",
            TouKwh(peak=Decimal(1)),
            JAN_2026,
            "kwh.peak",
        ),
    ],
)
def test_energy_in_a_period_the_plan_lacks_is_refused(
    _case: str, plan: str, kwh: TouKwh, when: dict[str, date], field: str
) -> None:
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(plan=plan, kwh=kwh, **when)

    assert raised.value.code == "tariff.period_not_in_plan"
    assert raised.value.field == field


def test_tou_refuses_bimonthly_billing() -> None:
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(
            plan="simple_tou_2",
            start=date(2026, 1, 1),
            end=date(2026, 2, 28),
            kwh=TouKwh(peak=Decimal(1)),
            billing="bimonthly",
        )

    assert raised.value.code == "tariff.tou_bimonthly"


def test_tou_reading_across_june_first_is_refused() -> None:
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(
            plan="simple_tou_2",
            start=date(2026, 5, 20),
            end=date(2026, 6, 19),
            kwh=TouKwh(peak=Decimal(100)),
        )

    assert raised.value.code == "tariff.tou_crosses_boundary"
    assert raised.value.details == {"boundary": "2026-06-01"}


@pytest.mark.parametrize(
    ("plan", "day", "version"),
    [
        ("simple_tou_3", date(2020, 3, 1), "simple_tou_3@2018-04-01"),
        ("simple_tou_2", date(2022, 8, 1), "simple_tou_2@2022-07-01"),
        ("simple_tou_2", date(2023, 6, 1), "simple_tou_2@2023-04-01"),
    ],
)
def test_tou_dates_without_known_rates_are_refused(plan: str, day: date, version: str) -> None:
    with pytest.raises(TariffError) as raised:
        bills.compute_bill(plan=plan, start=day, end=day, kwh=TouKwh(off_peak=Decimal(1)))

    assert raised.value.code == "tariff.rates_unknown"
    assert raised.value.details["version"] == version
    assert day.isoformat() in raised.value.message.en
    assert "?" in raised.value.message.zh_hant


def test_old_band_two_period_rates_are_provisional() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_2",
        start=date(2020, 1, 1),
        end=date(2020, 1, 31),
        kwh=TouKwh(peak=Decimal(100), off_peak=Decimal(100)),
    )

    # 75 + 100 × 4.23 + 100 × 1.73 = 671.00
    assert bill.total == 671
    assert bill.provisional is True
    assert "confidence C" in bill.notes[0].en


# --- Tax exemption and power factor -----------------------------------------------------------


def test_tax_exempt_divides_the_exact_total_by_1_05() -> None:
    bill = bills.compute_bill(plan="residential", kwh=Decimal(500), tax_exempt=True, **JAN_2026)

    # 1220.30 × 20/21 = 24406/21 = 1162.190476… → 1162 (one rounding, at the end)
    assert bill.unrounded_total == Fraction(24406, 21)
    assert bill.total == 1162
    tax = bill.lines[-1]
    assert tax.kind is LineKind.TAX_EXEMPTION
    assert tax.approximate is True
    assert str(tax.amount) == "-58.109524"


def test_tax_exempt_tou_bill() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_3",
        kwh=TouKwh(peak=Decimal(500), semi_peak=Decimal(900), off_peak=Decimal(1000)),
        tax_exempt=True,
        **JUL_2026,
    )

    # 10337 × 20/21 = 9844.7619… → 9845
    assert bill.total == 9845


@pytest.mark.parametrize(
    ("_case", "power_factor", "kva", "expected_total", "has_line"),
    [
        # energy 1000 kWh non-summer: 213.60 + 474.60 + 532.10 + 200×4.24 (848) + 300×5.27 (1581)
        # = 3649.30
        ("70 %: +1.0 % → 3649.30 + 36.493 = 3685.793", 70, 25, 3686, True),
        ("80 %: no adjustment", 80, 25, 3649, False),
        ("90 %: −1.0 % → 3612.807", 90, 25, 3613, True),
        ("99 %: capped at 95 %, −1.5 % → 3594.5605", 99, 25, 3595, True),
        ("below 20 kVA: clause does not apply", 70, 10, 3649, False),
    ],
)
def test_power_factor_adjustment_on_tiered_bills(
    _case: str, power_factor: int, kva: int, expected_total: int, has_line: bool
) -> None:
    bill = bills.compute_bill(
        plan="residential",
        kwh=Decimal(1000),
        phase="three",
        power_factor=power_factor,
        equipment_kva=kva,
        **JAN_2026,
    )

    assert bill.total == expected_total
    assert any(line.kind is LineKind.POWER_FACTOR for line in bill.lines) is has_line


def test_power_factor_line_label() -> None:
    bill = bills.compute_bill(
        plan="residential",
        kwh=Decimal(1000),
        phase="three",
        power_factor=90,
        equipment_kva=Decimal(25),
        **JAN_2026,
    )

    assert bill.lines[-1].label_en == (
        "Power-factor adjustment (power factor 90 %, −1.000 % of the bill)"
    )
    assert bill.lines[-1].amount == Decimal("-36.493")


def test_power_factor_on_tou_spares_the_basic_charge() -> None:
    bill = bills.compute_bill(
        plan="simple_tou_2",
        kwh=TouKwh(peak=Decimal(1000)),
        phase="three",
        power_factor=70,
        equipment_kva=30,
        **JUL_2026,
    )

    # energy 1000 × 5.16 = 5160.00; +1 % of the energy only = 51.60; 75 + 5160 + 51.60 = 5286.60
    assert bill.unrounded_total == Fraction("5286.6")
    assert bill.total == 5287
    assert bill.lines[-1].label_en.endswith("+1.000 % of the energy charges)")


def test_power_factor_then_tax_exemption() -> None:
    bill = bills.compute_bill(
        plan="residential",
        kwh=Decimal(1000),
        phase="three",
        power_factor=90,
        equipment_kva=25,
        tax_exempt=True,
        **JAN_2026,
    )

    # 3612.807 × 20/21 = 3440.7685… → 3441
    assert bill.total == 3441
    assert [line.kind for line in bill.lines][-2:] == [
        LineKind.POWER_FACTOR,
        LineKind.TAX_EXEMPTION,
    ]


# --- Input validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "overrides", "code", "field"),
    [
        ("negative kWh", {"kwh": Decimal(-1)}, "tariff.kwh_negative", "kwh"),
        ("non-numeric kWh", {"kwh": "abc"}, "tariff.kwh_not_a_number", "kwh"),
        ("float kWh", {"kwh": 1.5}, "tariff.kwh_not_a_number", "kwh"),
        ("boolean kWh", {"kwh": True}, "tariff.kwh_not_a_number", "kwh"),
        ("NaN kWh", {"kwh": Decimal("NaN")}, "tariff.kwh_not_a_number", "kwh"),
        (
            "per-period kWh on a tiered plan",
            {"kwh": TouKwh(peak=Decimal(1))},
            "tariff.tou_kwh_for_tiered_plan",
            "kwh",
        ),
        ("mapping on a tiered plan", {"kwh": {"peak": 1}}, "tariff.tou_kwh_for_tiered_plan", "kwh"),
        (
            "total on a TOU plan",
            {"plan": "simple_tou_2", "kwh": Decimal(1)},
            "tariff.total_kwh_for_tou_plan",
            "kwh",
        ),
        (
            "unknown period",
            {"plan": "simple_tou_2", "kwh": {"night": 1}},
            "tariff.kwh_unknown_period",
            "kwh",
        ),
        (
            "negative period",
            {"plan": "simple_tou_2", "kwh": {"peak": -1}},
            "tariff.kwh_negative",
            "kwh.peak",
        ),
        ("unknown plan", {"plan": "farm"}, "tariff.unknown_plan", "plan"),
        ("unknown billing", {"billing": "weekly"}, "tariff.unknown_billing", "billing"),
        ("unknown phase", {"phase": "two"}, "tariff.unknown_phase", "phase"),
        ("zero amperes", {"meter_amperes": 0}, "tariff.meter_amperes_invalid", "meter_amperes"),
        (
            "string amperes",
            {"meter_amperes": "10"},
            "tariff.meter_amperes_invalid",
            "meter_amperes",
        ),
        ("tax flag not a bool", {"tax_exempt": "yes"}, "tariff.tax_exempt_invalid", "tax_exempt"),
        (
            "power factor on single phase",
            {"power_factor": 90},
            "tariff.power_factor_single_phase",
            "power_factor",
        ),
        (
            "kVA on single phase",
            {"equipment_kva": 25},
            "tariff.power_factor_single_phase",
            "equipment_kva",
        ),
        (
            "power factor over 100",
            {"phase": "three", "power_factor": 101, "equipment_kva": 25},
            "tariff.power_factor_invalid",
            "power_factor",
        ),
        (
            "power factor as text",
            {"phase": "three", "power_factor": "90", "equipment_kva": 25},
            "tariff.power_factor_invalid",
            "power_factor",
        ),
        (
            "power factor as bool",
            {"phase": "three", "power_factor": True, "equipment_kva": 25},
            "tariff.power_factor_invalid",
            "power_factor",
        ),
        (
            "negative kVA",
            {"phase": "three", "equipment_kva": -1},
            "tariff.equipment_kva_invalid",
            "equipment_kva",
        ),
        (
            "power factor without kVA",
            {"phase": "three", "power_factor": 90},
            "tariff.equipment_kva_required",
            "equipment_kva",
        ),
        (
            "20 kVA without power factor",
            {"phase": "three", "equipment_kva": 20},
            "tariff.power_factor_required",
            "power_factor",
        ),
        ("start after end", {"start": date(2026, 2, 1)}, "tariff.start_after_end", "start"),
        (
            "datetime start",
            {"start": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            "tariff.date_invalid",
            "start",
        ),
        ("string end", {"end": "2026-01-31"}, "tariff.date_invalid", "end"),
        ("monthly reading of 46 days", {"end": date(2026, 2, 15)}, "tariff.period_too_long", "end"),
        (
            "bimonthly reading of 76 days",
            {"end": date(2026, 3, 17), "billing": "bimonthly"},
            "tariff.period_too_long",
            "end",
        ),
        (
            "date before the known tariffs",
            {"start": date(2018, 3, 20), "end": date(2018, 4, 10)},
            "tariff.date_out_of_range",
            "start",
        ),
    ],
)
def test_compute_bill_refuses_bad_input(
    _case: str, overrides: dict[str, Any], code: str, field: str
) -> None:
    kwargs: dict[str, Any] = {"plan": "residential", "kwh": Decimal(300), **JAN_2026} | overrides

    with pytest.raises(TariffError) as raised:
        bills.compute_bill(**kwargs)

    assert raised.value.code == code
    assert raised.value.field == field
    assert raised.value.message.zh_hant
    assert raised.value.message.en


def test_numeric_strings_and_integers_are_accepted_as_kwh() -> None:
    assert bills.compute_bill(plan="residential", kwh=" 135 ", **JAN_2026).total == 248
    assert bills.compute_bill(plan="residential", kwh=135, **JAN_2026).total == 248


def test_provisional_flag_for_confidence_c_rates() -> None:
    # commercial 2023-04-01: 6.62/6.75 computed from +3 %/+5 % (C)
    bill = bills.monthly_bill(plan="commercial", year=2023, month=7, kwh=Decimal(3500))

    # 330×2.53 + 370×3.55 + 800×4.25 + 1500×6.62 + 500×6.75
    # = 834.90 + 1313.50 + 3400.00 + 9930.00 + 3375.00 = 18853.40 → 18853
    assert bill.total == 18853
    assert bill.provisional is True
    assert bill.tariff_versions == ("commercial@2023-04-01",)


# --- Entry points -----------------------------------------------------------------------------


def test_monthly_bill_and_totals_agree_with_compute_bill() -> None:
    full = bills.compute_bill(plan="residential", kwh=Decimal(777), **JUL_2026)

    assert bills.monthly_bill(plan="residential", year=2026, month=7, kwh=Decimal(777)) == full
    assert (
        bills.monthly_total(plan="residential", year=2026, month=7, kwh=Decimal(777)) == full.total
    )
    assert bills.bill_total(plan="residential", kwh=Decimal(777), **JUL_2026) == full.total
    assert (
        bills.monthly_total(
            plan="simple_tou_2",
            year=2026,
            month=7,
            kwh=TouKwh(peak=Decimal(300), off_peak=Decimal(200)),
        )
        == 2035
    )


def test_schedule_bill_prices_one_version_and_season_without_dates() -> None:
    schedule = loader.schedule_for(Plan.RESIDENTIAL, on=date(2023, 2, 1))

    # the 2023-01-01 version has no summer day in force, but its summer rates still price:
    # 120 × 1.63 + 210 × 2.38 + 70 × 3.52 = 195.60 + 499.80 + 246.40 = 941.80 → 942
    bill = bills.schedule_bill(schedule, season="summer", kwh=Decimal(400))

    assert bill.total == 942
    assert (bill.start, bill.end, bill.days) == (None, None, None)


def test_schedule_bill_refuses_unknown_versions_and_bad_input() -> None:
    unknown = loader.schedule_for(Plan.SIMPLE_TOU_3, on=date(2020, 1, 1))
    tou = loader.schedule_for(Plan.SIMPLE_TOU_3, on=date(2026, 1, 1))

    with pytest.raises(TariffError) as raised:
        bills.schedule_bill(unknown, season=Season.SUMMER, kwh=TouKwh())
    assert raised.value.code == "tariff.rates_unknown"
    with pytest.raises(TariffError) as raised:
        bills.schedule_bill(tou, season="winter", kwh=TouKwh())
    assert raised.value.code == "tariff.unknown_season"
    with pytest.raises(TariffError) as raised:
        bills.schedule_bill(tou, season=Season.SUMMER, kwh=TouKwh(), billing="bimonthly")
    assert raised.value.code == "tariff.tou_bimonthly"


def test_bill_as_dict() -> None:
    bill = bills.compute_bill(plan="residential", kwh=Decimal(135), **JAN_2026)

    assert bill.as_dict() == {
        "plan": "residential",
        "billing": "monthly",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "total": 248,
        "unrounded_total": "247.50",
        "tariff_versions": ["residential@2025-10-01"],
        "provisional": False,
        "lines": [
            {
                "kind": "energy",
                "label_zh": "非夏月第 1 段（120 度以下）",
                "label_en": "Non-summer block 1 (up to 120 kWh)",
                "kwh": "120",
                "unit_price": "1.78",
                "amount": "213.60",
                "approximate": False,
                "tariff_version": "residential@2025-10-01",
                "season": "non_summer",
                "period": None,
                "days": None,
            },
            {
                "kind": "energy",
                "label_zh": "非夏月第 2 段（121–330 度）",
                "label_en": "Non-summer block 2 (121–330 kWh)",
                "kwh": "15",
                "unit_price": "2.26",
                "amount": "33.90",
                "approximate": False,
                "tariff_version": "residential@2025-10-01",
                "season": "non_summer",
                "period": None,
                "days": None,
            },
        ],
        "notes": [],
    }
    schedule = loader.schedule_for(Plan.SIMPLE_TOU_2, on=date(2026, 1, 1))
    dated_less = bills.schedule_bill(
        schedule, season="summer", kwh=TouKwh(peak=Decimal(1))
    ).as_dict()
    assert (dated_less["start"], dated_less["end"]) == (None, None)
    assert dated_less["lines"][1]["period"] == "peak"
