"""The demo loader: what it writes matches the generator, addresses are canonical, staff can sign in."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from powerdesk.core.domain import addresses
from powerdesk.customers import demo_load
from powerdesk.customers.domain import demo
from powerdesk.customers.models import (
    Account,
    ContactConsent,
    Customer,
    MeterReading,
    Premise,
    ServiceCentre,
)
from powerdesk.staff.models import User


def test_demo_addresses_are_already_canonical() -> None:
    for batch in demo.generate(accounts=2000, seed=7, until=date(2026, 11, 1)):
        for premise in batch.premises:
            parsed = addresses.parse_address(premise.address)
            assert parsed.canonical == premise.address
            assert (parsed.district, parsed.road, parsed.number) == (
                premise.district,
                premise.road,
                premise.number,
            )


@pytest.mark.django_db
def test_demo_load_writes_what_the_generator_gives(client) -> None:
    # given
    expected = list(demo.generate(accounts=300, seed=5, until=date(2026, 11, 1), batch_size=100))
    # when
    summary = demo_load.demo_load(accounts=300, seed=5, until=date(2026, 11, 1), batch_size=100)
    # then
    assert summary.accounts == Account.objects.count() == 300
    assert summary.customers == Customer.objects.count() == sum(len(b.customers) for b in expected)
    assert (
        summary.readings == MeterReading.objects.count() == sum(len(b.readings) for b in expected)
    )
    assert Premise.objects.count() == sum(len(b.premises) for b in expected)
    assert ContactConsent.objects.count() == 5 * summary.customers
    assert not Customer.objects.filter(service_centre__isnull=True).exists()
    first = expected[0].accounts[0]
    account = Account.objects.select_related("customer", "premise").get(number=first.number)
    assert account.tariff_class == first.tariff_class
    assert account.premise.address == next(
        p.address for p in expected[0].premises if p.key == first.premise_key
    )
    assert ServiceCentre.objects.count() == len(demo.service_centres())
    # and a demo staff member signs in with the printed password
    username, password = next(iter(summary.staff.items()))
    assert User.objects.get(username=username).check_password(password)
    # and new rows after the bulk load get fresh primary keys
    extra = Customer.objects.create(
        kind="person",
        name="x",
        id_kind="national_id",
        id_number="Z",
        created_at=account.customer.created_at,
        updated_at=account.customer.updated_at,
    )
    assert extra.pk > max(Customer.objects.exclude(pk=extra.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_demo_command_loads_once(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", "--accounts", "50", "--no-progress", stdout=out)
    again = io.StringIO()
    call_command("demo", "--accounts", "50", "--if-empty", stdout=again)
    assert f"loaded {len(demo.service_centres())} service centres" in out.getvalue()
    assert " 50 accounts" in out.getvalue()
    assert "already loaded" in again.getvalue()
    assert Account.objects.count() == 50
    assert (tmp_path / "demo-staff-passwords.txt").stat().st_mode & 0o077 == 0
