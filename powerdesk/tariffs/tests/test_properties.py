"""Property tests (hypothesis) of the bill arithmetic over every rate file."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerdesk.tariffs.engine import bill as bills
from powerdesk.tariffs.engine import charges, loader
from powerdesk.tariffs.engine.model import (
    TIERED_PLANS,
    Bill,
    Billing,
    Season,
    TieredSchedule,
    TouKwh,
    TouPeriod,
    TouSchedule,
)

ALL = [s for schedules in loader.load_schedules().values() for s in schedules]
TIERED = [s for s in ALL if isinstance(s, TieredSchedule)]
TOU = [s for s in ALL if isinstance(s, TouSchedule)]

tiered_schedules = st.sampled_from(TIERED)
tou_schedules = st.sampled_from(TOU)
seasons = st.sampled_from(list(Season))
kwh_values = st.decimals(min_value=0, max_value=6000, places=2)
SETTINGS = settings(max_examples=200, deadline=None)


def _max_price(schedule: TieredSchedule) -> Decimal:
    return max(max(t.summer, t.non_summer) for t in schedule.tiers)


def _tiered(
    schedule: TieredSchedule, season: Season, kwh: Decimal, billing: str = "monthly"
) -> Bill:
    # meter_amperes given so the 底度 is known; single phase
    return bills.schedule_bill(schedule, season=season, kwh=kwh, billing=billing, meter_amperes=10)


@SETTINGS
@given(tiered_schedules, seasons, kwh_values, kwh_values)
def test_tiered_bill_is_non_decreasing_in_kwh(
    schedule: TieredSchedule, season: Season, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))

    first, second = _tiered(schedule, season, low), _tiered(schedule, season, high)

    assert first.unrounded_total <= second.unrounded_total
    assert first.total <= second.total


@SETTINGS
@given(tiered_schedules, seasons, st.integers(min_value=100, max_value=5999))
def test_tiered_bill_is_continuous_at_tier_bounds(
    schedule: TieredSchedule, season: Season, kwh: int
) -> None:
    # one more kWh adds at most one unit price (the price of the block it falls in), also
    # across a bound; the rounded total moves by at most that price + 1
    price = _max_price(schedule)

    before, after = (
        _tiered(schedule, season, Decimal(kwh)),
        _tiered(schedule, season, Decimal(kwh + 1)),
    )

    step = after.unrounded_total - before.unrounded_total
    assert 0 < step <= price
    assert after.total - before.total <= price + 1


@SETTINGS
@given(tiered_schedules, seasons)
def test_tiered_step_at_each_bound_is_the_next_block_price(
    schedule: TieredSchedule, season: Season
) -> None:
    for lower, upper in zip(schedule.tiers, schedule.tiers[1:], strict=False):
        bound = lower.up_to_kwh
        assert bound is not None
        at = _tiered(schedule, season, bound).unrounded_total
        assert _tiered(schedule, season, bound + 1).unrounded_total - at == upper.price(season)
        assert at - _tiered(schedule, season, bound - 1).unrounded_total == lower.price(season)


def _independent_parts(
    plan: str, start: date, end: date
) -> list[tuple[TieredSchedule, Season, int]]:
    """(schedule, season, days) runs, found day by day (independent of split_reading)."""
    runs: list[tuple[TieredSchedule, Season, int]] = []
    day = start
    while day <= end:
        schedule = loader.schedule_for(plan, on=day)
        assert isinstance(schedule, TieredSchedule)
        season = Season.SUMMER if 6 <= day.month <= 9 else Season.NON_SUMMER
        if runs and runs[-1][0] is schedule and runs[-1][1] is season:
            runs[-1] = (schedule, season, runs[-1][2] + 1)
        else:
            runs.append((schedule, season, 1))
        day += timedelta(days=1)
    return runs


@SETTINGS
@given(
    st.sampled_from([p.value for p in TIERED_PLANS]),
    st.dates(min_value=date(2018, 4, 1), max_value=date(2027, 10, 1)),
    st.integers(min_value=1, max_value=75),
    st.sampled_from(["monthly", "bimonthly"]),
    st.decimals(min_value=400, max_value=5000, places=1),
)
@example("residential", date(2025, 5, 10), 61, "bimonthly", Decimal(1200))  # across 6/1
@example("commercial", date(2022, 5, 20), 57, "bimonthly", Decimal(2400))  # across 6/1 and a change
@example("non_residential", date(2025, 9, 16), 30, "monthly", Decimal(400))  # tariff change on 10/1
def test_proration_equals_the_day_weighted_sum_of_the_parts(
    plan: str, start: date, length: int, billing: str, kwh: Decimal
) -> None:
    days = min(length, bills.MAX_DAYS[Billing(billing)])
    end = start + timedelta(days=days - 1)

    bill = bills.compute_bill(
        plan=plan, start=start, end=end, kwh=kwh, billing=billing, meter_amperes=10
    )

    parts = _independent_parts(plan, start, end)
    expected = sum(
        (
            Fraction(part_days, days) * _tiered(schedule, season, kwh, billing).unrounded_total
            for schedule, season, part_days in parts
        ),
        Fraction(0),
    )
    assert bill.unrounded_total == expected
    assert bill.tariff_versions == tuple(dict.fromkeys(s.version for s, _, _ in parts))


@SETTINGS
@given(tiered_schedules, seasons, st.decimals(min_value=100, max_value=5000, places=2))
def test_bimonthly_bill_is_twice_a_monthly_bill_of_half_the_kwh(
    schedule: TieredSchedule, season: Season, monthly_kwh: Decimal
) -> None:
    monthly = _tiered(schedule, season, monthly_kwh)
    bimonthly = _tiered(schedule, season, monthly_kwh * 2, "bimonthly")

    assert bimonthly.unrounded_total == 2 * monthly.unrounded_total
    # rounding once vs twice may differ by one yuan (e.g. 2 × 100.25: 201 vs 2 × 100 = 200)
    assert abs(bimonthly.total - 2 * monthly.total) <= 1


tou_kwh = st.builds(TouKwh, peak=kwh_values, semi_peak=kwh_values, off_peak=kwh_values)


def _fit(schedule: TouSchedule, season: Season, kwh: TouKwh) -> TouKwh:
    """Drop the periods the season does not price."""
    prices = schedule.prices(season)
    return TouKwh(
        **{p.value: kwh.get(p) if prices.price(p) is not None else Decimal(0) for p in TouPeriod}
    )


@SETTINGS
@given(
    tou_schedules,
    seasons,
    tou_kwh,
    st.sampled_from(list(TouPeriod)),
    st.decimals(min_value=0, max_value=500, places=2),
)
def test_tou_bill_is_non_decreasing_in_every_period(
    schedule: TouSchedule, season: Season, kwh: TouKwh, period: TouPeriod, extra: Decimal
) -> None:
    base = _fit(schedule, season, kwh)
    more = _fit(
        schedule,
        season,
        TouKwh(**{p.value: base.get(p) + (extra if p is period else 0) for p in TouPeriod}),
    )

    first = bills.schedule_bill(schedule, season=season, kwh=base)
    second = bills.schedule_bill(schedule, season=season, kwh=more)

    assert first.unrounded_total <= second.unrounded_total


@SETTINGS
@given(tou_schedules, seasons, st.sampled_from(list(TouPeriod)))
def test_tou_step_at_2000_kwh_adds_the_adder(
    schedule: TouSchedule, season: Season, period: TouPeriod
) -> None:
    price = schedule.prices(season).price(period)
    if price is None:
        return
    at = bills.schedule_bill(schedule, season=season, kwh=TouKwh(**{period.value: Decimal(2000)}))
    above = bills.schedule_bill(
        schedule, season=season, kwh=TouKwh(**{period.value: Decimal(2001)})
    )

    assert above.unrounded_total - at.unrounded_total == price + schedule.adder_per_kwh


@SETTINGS
@given(
    st.sampled_from(
        ["residential", "non_residential", "commercial", "simple_tou_2", "simple_tou_3"]
    ),
    st.integers(min_value=2024, max_value=2027),
    st.integers(min_value=1, max_value=12),
    tou_kwh,
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
)
def test_lean_total_equals_the_itemised_bill(
    plan: str, year: int, month: int, kwh: TouKwh, tax_exempt: bool, power_factor: int | None
) -> None:
    if year == 2024 and month < 4:
        month += 3  # TOU rates are unknown before 2024-04-01
    season = Season.SUMMER if 6 <= month <= 9 else Season.NON_SUMMER
    schedule = loader.schedule_for(plan, on=date(year, month, 1))
    usage: Decimal | TouKwh = kwh.total if isinstance(schedule, TieredSchedule) else kwh
    if isinstance(schedule, TouSchedule):
        usage = _fit(schedule, season, kwh)
    options = {
        "phase": "three",
        "meter_amperes": 30,
        "tax_exempt": tax_exempt,
        "power_factor": power_factor,
        "equipment_kva": None if power_factor is None else 25,
    }

    bill = bills.monthly_bill(plan=plan, year=year, month=month, kwh=usage, **options)

    assert (
        bills.monthly_total(plan=plan, year=year, month=month, kwh=usage, **options) == bill.total
    )
    assert sum((line.amount_exact for line in bill.lines), Fraction(0)) == bill.unrounded_total


@SETTINGS
@given(
    st.sampled_from(["residential", "commercial", "simple_tou_2", "simple_tou_3"]),
    st.integers(min_value=2024, max_value=2027),
    st.integers(min_value=4, max_value=12),
    st.integers(min_value=0, max_value=4000),
    st.lists(st.integers(min_value=0, max_value=1500), min_size=3, max_size=3),
    st.sampled_from([None, 0, 70, 80, 90, 99]),
    st.booleans(),
)
def test_integer_recipe_of_the_bill_docstring_reproduces_monthly_total(
    plan: str,
    year: int,
    month: int,
    kwh: int,
    split: list[int],
    power_factor: int | None,
    tax_exempt: bool,
) -> None:
    # the recipe documented in bill.py for a vectorised engine, in plain integers
    schedule = loader.schedule_for(plan, on=date(year, month, 1))
    season = Season.SUMMER if 6 <= month <= 9 else Season.NON_SUMMER
    k = (
        0
        if power_factor is None
        else int(charges.power_factor_rate(power_factor=power_factor) * 1000)
    )
    t = 20 if tax_exempt else 21
    m = 100 * 1000 * 21
    usage: Decimal | TouKwh
    if isinstance(schedule, TieredSchedule):
        cents = [int(p.price(season) * 100) for p in schedule.tiers]
        q_b = charges.tier_kwh(schedule.tiers, kwh=Decimal(max(kwh, 60)), factor=1)  # 30 A: 60 kWh
        e_b = sum(int(a) * c for a, c in zip(q_b, cents, strict=True))
        n = max(e_b, 10000) * (1000 + k) * t
        usage = Decimal(kwh)
    else:
        assert isinstance(schedule, TouSchedule)
        prices = schedule.prices(season)
        usage = TouKwh(
            **{
                p.value: Decimal(a) if prices.price(p) is not None else Decimal(0)
                for p, a in zip(TouPeriod, split, strict=True)
            }
        )
        e = sum(int(usage.get(p)) * int((prices.price(p) or 0) * 100) for p in TouPeriod)
        e += max(0, int(usage.total) - 2000) * int(schedule.adder_per_kwh * 100)
        n = (1000 * 7500 + e * (1000 + k)) * t

    total = bills.monthly_total(
        plan=plan,
        year=year,
        month=month,
        kwh=usage,
        phase="three",
        meter_amperes=30,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=None if power_factor is None else 25,
    )

    assert total == (2 * n + m) // (2 * m)
