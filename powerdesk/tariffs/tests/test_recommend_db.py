"""Bulk recommendation from the customer database: every annual total equals the scalar engine's
sum of bills over the same dated readings; partitions split the accounts without overlap; each
run is new; readings that are not whole calendar months are reported, never mispriced.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from powerdesk.customers.domain import demo
from powerdesk.customers.models import Account, Customer, MeterReading, Premise, ServiceCentre
from powerdesk.tariffs import recommending
from powerdesk.tariffs.bulk import readings
from powerdesk.tariffs.bulk.inputs import Cycle
from powerdesk.tariffs.engine import Plan, TariffError, bill_total
from powerdesk.tariffs.models import RecommendationRun, TariffRecommendation

UNTIL = date(2026, 11, 1)  # readings 2024-11 … 2026-10


def _owner() -> tuple[ServiceCentre, Customer, Premise]:
    centre = ServiceCentre.objects.create(
        code="TY", name_zh="桃園", name_en="Taoyuan", address="桃園市", phone="(03)000-0000"
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    customer = Customer.objects.create(
        kind="person",
        name="測試",
        id_kind="national_id",
        id_number="A123456789",
        created_at=now,
        updated_at=now,
    )
    premise = Premise.objects.create(
        address="桃園市桃園區中正路1號", city="桃園市", district="桃園區"
    )
    return centre, customer, premise


def load_demo(count: int, *, seed: int = 7) -> int:
    """``count`` demo accounts with their 24 months of readings (one owner for all)."""
    centre, customer, premise = _owner()
    loaded = 0
    for batch in demo.generate(accounts=count, seed=seed, until=UNTIL, batch_size=1000):
        accounts = Account.objects.bulk_create(
            [
                Account(
                    number=record.number,
                    customer=customer,
                    premise=premise,
                    service_centre=centre,
                    tariff_class=record.tariff_class,
                    phase=record.phase,
                    meter_amperes=record.meter_amperes,
                    billing_cycle=record.billing_cycle,
                    opened_on=record.opened_on,
                )
                for record in batch.accounts
            ]
        )
        ids = {account.number: account.pk for account in accounts}
        MeterReading.objects.bulk_create(
            [
                MeterReading(
                    account_id=ids[reading.account_number],
                    period_start=reading.period_start,
                    period_end=reading.period_end,
                    kwh_total=reading.kwh_total,
                    kwh_peak=reading.kwh_peak,
                    kwh_semi_peak=reading.kwh_semi_peak,
                    kwh_off_peak=reading.kwh_off_peak,
                )
                for reading in batch.readings
            ]
        )
        loaded += len(accounts)
    return loaded


def add_account(number: str, *, plan: str, cycle: str, amperes: int, rows: Iterable[Any]) -> None:
    centre = ServiceCentre.objects.get()
    customer = Customer.objects.get()
    premise = Premise.objects.get()
    account = Account.objects.create(
        number=number,
        customer=customer,
        premise=premise,
        service_centre=centre,
        tariff_class=plan,
        meter_amperes=amperes,
        billing_cycle=cycle,
        opened_on=date(2000, 1, 1),
    )
    for start, end, kwh in rows:
        MeterReading.objects.create(
            account=account, period_start=start, period_end=end, kwh_total=kwh
        )


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _months(first: tuple[int, int], count: int, *, step: int = 1) -> list[tuple[date, date]]:
    year, month = first
    periods = []
    for _ in range(count):
        start = date(year, month, 1)
        end_index = year * 12 + month - 1 + step - 1
        periods.append((start, _month_end(end_index // 12, end_index % 12 + 1)))
        index = year * 12 + month - 1 + step
        year, month = index // 12, index % 12 + 1
    return periods


# --- The scalar reference -------------------------------------------------------------------


def _scalar_usage(plan: Plan, reading: MeterReading) -> Any:
    if not plan.is_tou:
        return reading.kwh_total
    if reading.kwh_peak is None or reading.kwh_off_peak is None:
        return None
    if reading.kwh_semi_peak is None:  # two registers: only the two-period plan
        if plan is Plan.SIMPLE_TOU_3:
            return None
        return {"peak": reading.kwh_peak, "off_peak": reading.kwh_off_peak}
    if plan is Plan.SIMPLE_TOU_2:
        return {"peak": reading.kwh_peak + reading.kwh_semi_peak, "off_peak": reading.kwh_off_peak}
    return {
        "peak": reading.kwh_peak,
        "semi_peak": reading.kwh_semi_peak,
        "off_peak": reading.kwh_off_peak,
    }


def scalar_annual(account: Account, plan: Plan) -> int | None:
    """The scalar engine's sum of bills over the account's last 12 months, None if refused."""
    all_readings = list(account.readings.order_by("period_start"))
    last = max(r.period_end for r in all_readings)
    window_start = date(last.year - (1 if last.month < 12 else 0), last.month % 12 + 1, 1)
    total = 0
    for reading in (r for r in all_readings if r.period_end >= window_start):
        usage = _scalar_usage(plan, reading)
        if usage is None:
            return None
        days = (reading.period_end - reading.period_start).days + 1
        try:
            total += bill_total(
                plan=plan,
                start=reading.period_start,
                end=reading.period_end,
                kwh=usage,
                billing="monthly" if days <= 31 else "bimonthly",
                phase=account.phase,
                meter_amperes=Decimal(account.meter_amperes) if account.meter_amperes else None,
                tax_exempt=account.tax_exempt,
            )
        except TariffError:
            return None
    return total


# --- Tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_database_recommendation_equals_the_scalar_engine() -> None:
    # given: 400 demo accounts (monthly, both bimonthly cycles, both TOU plans, vacant spells)
    # and an account with no use at all
    load_demo(400)
    add_account(
        "05999999991",
        plan="residential",
        cycle="monthly",
        amperes=15,
        rows=((start, end, 0) for start, end in _months((2025, 11), 12)),
    )
    # when
    run = recommending.run_database(options=recommending.RunOptions(chunk_size=64))
    # then: every priced plan of every account is the scalar engine's sum to the NT$
    rows = {row.account_number: row for row in run.recommendations.all()}
    assert len(rows) == Account.objects.count() == 401
    compared: dict[str, int] = {"bimonthly": 0, "simple_tou_2": 0, "simple_tou_3": 0, "zero": 0}
    for account in Account.objects.all():
        row = rows[account.number]
        if row.billing == "":
            continue  # not priceable: checked by the tests below
        for plan in Plan:
            stored = getattr(row, f"annual_{plan.value}")
            if stored is None:
                continue
            assert stored == scalar_annual(account, plan), (account.number, plan)
            compared["bimonthly"] += row.billing == "bimonthly"
            compared["zero"] += stored > 0 and not account.readings.exclude(kwh_total=0).exists()
            if plan.is_tou:
                compared[plan.value] += 1
    assert compared["bimonthly"] > 100
    assert compared["simple_tou_2"] > 5
    assert compared["simple_tou_3"] > 0
    assert compared["zero"] >= 1
    assert rows["05999999991"].annual_residential == scalar_annual(
        Account.objects.get(number="05999999991"), Plan.RESIDENTIAL
    )
    # and the cheapest plan is the lowest priced one, with the saving against the current plan
    for row in rows.values():
        priced = {plan: getattr(row, f"annual_{plan.value}") for plan in Plan}
        priced = {plan: value for plan, value in priced.items() if value is not None}
        if not priced:
            assert row.cheapest == ""
            continue
        assert priced[Plan(row.cheapest)] == min(priced.values())
        if row.current_plan in {plan.value for plan in priced}:
            assert row.saving == priced[Plan(row.current_plan)] - min(priced.values())


@pytest.mark.django_db
def test_partitions_cover_every_account_once() -> None:
    # given
    load_demo(150)
    bounds = recommending.db_partitions(4)
    # when
    batch = recommending.new_batch()
    runs = [
        recommending.run_database(bounds=part, partition=(index, 4), batch=batch)
        for index, part in enumerate(bounds)
    ]
    # then
    numbers = [
        row.account_number for run in runs for row in TariffRecommendation.objects.filter(run=run)
    ]
    assert len(numbers) == len(set(numbers)) == 150
    assert set(numbers) == set(Account.objects.values_list("number", flat=True))
    assert [run.accounts for run in runs] == [38, 38, 37, 37]
    assert {run.batch for run in runs} == {batch}


@pytest.mark.django_db
def test_rerunning_writes_a_new_run() -> None:
    # given
    load_demo(40)
    first = recommending.run_database()
    # when
    second = recommending.run_database()
    # then
    assert first.pk != second.pk
    assert first.recommendations.count() == second.recommendations.count() == 40
    assert TariffRecommendation.objects.count() == 80
    assert second.state == RecommendationRun.State.FINISHED
    assert second.finished_at is not None


@pytest.mark.django_db
def test_readings_that_are_not_whole_months_are_priced_by_the_scalar_engine_or_reported() -> None:
    # given: reading days mid-month (priced reading by reading by the scalar engine), the same
    # with a gap, a whole-month gap, a bimonthly TOU account and an account without readings
    _owner()
    mid_month = [
        (
            date(2025, 11, 15) + timedelta(days=30 * i),
            date(2025, 12, 14) + timedelta(days=30 * i),
            300 + 40 * i,
        )
        for i in range(12)
    ]
    add_account("05000000001", plan="commercial", cycle="monthly", amperes=20, rows=mid_month)
    add_account(
        "05000000005",
        plan="residential",
        cycle="monthly",
        amperes=20,
        rows=mid_month[:5] + mid_month[6:],
    )
    gap = [(s, e, 300) for s, e in _months((2025, 11), 12)]
    del gap[4]
    add_account("05000000002", plan="residential", cycle="monthly", amperes=20, rows=gap)
    pairs = [(s, e, 600) for s, e in _months((2024, 11), 6, step=2)]
    add_account("05000000003", plan="simple_tou_2", cycle="bimonthly_odd", amperes=20, rows=pairs)
    add_account("05000000004", plan="residential", cycle="monthly", amperes=20, rows=())
    # when
    run = recommending.run_database()
    # then
    rows = {row.account_number: row for row in run.recommendations.all()}
    reasons = {
        number: (row.not_priced, row.months, row.cheapest)
        for number, row in rows.items()
        if number != "05000000001"
    }
    assert reasons == {
        "05000000002": ("bulk.db.history_incomplete", 11, ""),
        "05000000003": ("tariff.tou_bimonthly", 12, ""),
        "05000000004": ("bulk.db.no_readings", 0, ""),
        "05000000005": ("bulk.db.history_incomplete", 11, ""),
    }
    assert run.not_priceable == 4
    scalar = rows["05000000001"]
    account = Account.objects.get(number="05000000001")
    assert scalar.annual_commercial == scalar_annual(account, Plan.COMMERCIAL)
    assert scalar.annual_commercial is not None
    assert (scalar.tou_basis, scalar.months, scalar.billing) == ("scalar", 12, "monthly")
    assert scalar.cheapest == "commercial"
    assert scalar.saving == 0
    assert scalar.not_priced == ("simple_tou_2:bulk.no_period_kwh;simple_tou_3:bulk.no_period_kwh")


def test_cycle_names_follow_the_dates() -> None:
    # A database "bimonthly_odd" account is read in odd months: its periods end in odd months
    # and start in even ones, which the bulk history calls BIMONTHLY_EVEN.
    feb_mar = readings.ReadingRecord(start=date(2026, 2, 1), end=date(2026, 3, 31), kwh=1)
    jan_feb = readings.ReadingRecord(start=date(2026, 1, 1), end=date(2026, 2, 28), kwh=1)
    june = readings.ReadingRecord(start=date(2026, 6, 1), end=date(2026, 6, 30), kwh=1)
    assert readings.cycle_of_dates([feb_mar]) is Cycle.BIMONTHLY_EVEN
    assert readings.cycle_of_dates([jan_feb]) is Cycle.BIMONTHLY_ODD
    assert readings.cycle_of_dates([june]) is Cycle.MONTHLY
    assert readings.cycle_of_dates([june, feb_mar]) is None
    half = readings.ReadingRecord(start=date(2026, 6, 2), end=date(2026, 6, 30), kwh=1)
    assert readings.reading_months(half) is None


def test_demo_bimonthly_odd_accounts_map_to_the_even_bulk_cycle() -> None:
    batch = next(demo.generate(accounts=60, seed=3, until=UNTIL, batch_size=100))
    by_account: dict[str, list[readings.ReadingRecord]] = {}
    for reading in batch.readings:
        by_account.setdefault(reading.account_number, []).append(
            readings.ReadingRecord(
                start=reading.period_start, end=reading.period_end, kwh=reading.kwh_total
            )
        )
    expected = {"bimonthly_odd": Cycle.BIMONTHLY_EVEN, "bimonthly_even": Cycle.BIMONTHLY_ODD}
    checked = 0
    for account in batch.accounts:
        if account.billing_cycle not in expected or account.opened_on >= date(2025, 1, 1):
            continue
        record = readings.AccountRecord(
            number=account.number, current_plan=Plan(account.tariff_class)
        )
        window = readings.account_window(record, by_account[account.number])
        assert not isinstance(window, readings.Unpriced)
        assert window.cycle is expected[account.billing_cycle]
        checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_a_failed_run_keeps_no_recommendations(tmp_path: Path) -> None:
    # given: 30 accounts priced in chunks of 10, the CSV path turned into a folder so that the
    # final rename fails after every chunk was written
    load_demo(30)
    output = tmp_path / "out.csv"
    output.mkdir()
    # when
    with pytest.raises(OSError):
        recommending.run_database(options=recommending.RunOptions(chunk_size=10), output=output)
    # then
    run = RecommendationRun.objects.get()
    assert run.state == RecommendationRun.State.FAILED
    assert not TariffRecommendation.objects.exists()
