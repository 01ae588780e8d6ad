"""The engine refuses out-of-range numbers itself (``engine.limits``), with a ``TariffError``
naming the field, quickly, whatever the magnitude or precision: never a bare ``ValueError``,
never minutes of exact arithmetic. The API shell uses the same constants.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from powerdesk.tariffs import api
from powerdesk.tariffs.engine import (
    IntervalSeries,
    TariffError,
    bill_total,
    compare_intervals,
    compare_typical,
    compute_bill,
    limits,
    parse_interval_csv,
)
from powerdesk.tariffs.tests.test_api import year_csv

START, END = date(2025, 6, 1), date(2025, 6, 30)
SETTINGS = settings(max_examples=60, deadline=None)

huge = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=7, max_value=999_999_999),
)
tiny = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E-{exponent}"),
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=15, max_value=999_999_999),
)


def _refused(call: object, *, field: str, code: str) -> None:
    started = time.monotonic()
    with pytest.raises(TariffError) as raised:
        call()  # type: ignore[operator]
    assert time.monotonic() - started < 2
    assert raised.value.code == code
    assert raised.value.field == field
    assert len(raised.value.message.en) < 300


def test_the_api_uses_the_engine_limits() -> None:
    assert api.MAX_KWH is limits.MAX_KWH
    assert api.MAX_INTERVAL_KWH is limits.MAX_INTERVAL_KWH
    assert api.MAX_METER_AMPERES is limits.MAX_METER_AMPERES
    assert api.MAX_DECIMAL_PLACES == limits.MAX_DECIMAL_PLACES


@SETTINGS
@given(value=huge)
@example(value=Decimal("1e400"))
@example(value=Decimal(10**5000))
def test_a_huge_kwh_is_refused_naming_the_field(value: Decimal) -> None:
    _refused(
        lambda: bill_total(plan="residential", start=START, end=END, kwh=value),
        field="kwh",
        code="tariff.number_too_large",
    )
    _refused(
        lambda: compute_bill(
            plan="simple_tou_3",
            start=START,
            end=END,
            kwh={"peak": 1, "off_peak": value},
        ),
        field="kwh.off_peak",
        code="tariff.number_too_large",
    )
    _refused(
        lambda: compare_typical(
            current_plan="residential",
            summer_kwh=value,
            non_summer_kwh=300,
            summer_shares={"peak": 20, "semi_peak": 30, "off_peak": 50},
            non_summer_shares={"semi_peak": 40, "off_peak": 60},
        ),
        field="summer_kwh",
        code="tariff.number_too_large",
    )


@SETTINGS
@given(value=tiny)
@example(value=Decimal("1e-30"))
@example(value=Decimal("1E-999999999"))
def test_a_too_precise_kwh_is_refused_naming_the_field(value: Decimal) -> None:
    _refused(
        lambda: bill_total(plan="residential", start=START, end=END, kwh=value),
        field="kwh",
        code="tariff.number_too_precise",
    )
    _refused(
        lambda: bill_total(plan="residential", start=START, end=END, kwh=300, meter_amperes=value),
        field="meter_amperes",
        code="tariff.number_too_precise",
    )


@SETTINGS
@given(value=st.one_of(huge, tiny))
@example(value=Decimal("1e400"))
@example(value=Decimal("1e-30"))
def test_an_interval_series_refuses_out_of_range_values_by_index(value: Decimal) -> None:
    # given: a year of hourly data with one value out of range
    series = parse_interval_csv(year_csv())
    values = list(series.kwh)
    values[5] = value
    # when / then: the series (and so compare_intervals) refuses it, naming the interval
    code = "tariff.number_too_large" if value > 1 else "tariff.number_too_precise"
    _refused(
        lambda: compare_intervals(
            IntervalSeries(
                start=series.start, interval_minutes=series.interval_minutes, kwh=tuple(values)
            ),
            current_plan="residential",
        ),
        field="series.kwh[5]",
        code=code,
    )


@SETTINGS
@given(value=st.decimals(min_value=0, max_value=limits.MAX_KWH, places=limits.MAX_DECIMAL_PLACES))
def test_values_within_the_limits_are_priced(value: Decimal) -> None:
    total = bill_total(plan="residential", start=START, end=END, kwh=value, meter_amperes=20)
    assert total >= 0


def test_an_interval_csv_names_the_row_of_an_out_of_range_value() -> None:
    # given
    lines = year_csv().decode("utf-8").splitlines()
    stamp = lines[3].split(",")[0]
    lines[3] = f"{stamp},1e400"
    lines[4] = f"{lines[4].split(',')[0]},0.0000001"
    # when
    with pytest.raises(TariffError) as raised:
        parse_interval_csv("\n".join(lines).encode())
    # then
    problems = [(p.row, p.column, p.code) for p in raised.value.problems]  # type: ignore[attr-defined]
    assert problems == [
        (4, "kwh", "tariff.csv.kwh_too_large"),
        (5, "kwh", "tariff.csv.kwh_too_precise"),
    ]
