"""Load the synthetic Taoyuan demo data (powerdesk.customers.domain.demo) with bulk inserts.

Rows are written in batches of a few thousand accounts, each batch in its own transaction, so
memory stays flat up to a million accounts. Staff demo users get passwords that only this
loader prints; it refuses to run against a database that already has customers unless asked.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.customers.domain import demo
from powerdesk.customers.models import (
    Account,
    ContactConsent,
    Customer,
    MeterReading,
    Premise,
    ServiceCentre,
)
from powerdesk.staff import actions as staff_actions
from powerdesk.staff.models import User

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True, slots=True)
class DemoSummary:
    centres: int
    staff: dict[str, str]  # username → password (printed once by the command)
    customers: int
    accounts: int
    readings: int


def demo_centres_load() -> dict[str, ServiceCentre]:
    centres: dict[str, ServiceCentre] = {}
    for centre in demo.service_centres():
        hours = {day: [["08:30", "17:30"]] for day in WEEKDAYS}
        centres[centre.code], _ = ServiceCentre.objects.update_or_create(
            code=centre.code,
            defaults={
                "name_zh": centre.name_zh,
                "name_en": centre.name_en,
                "address": centre.address,
                "phone": centre.phone,
                "districts": list(centre.districts),
                "opening_hours": hours,
                "lunch_payment": centre.lunch_payment,
            },
        )
    return centres


def demo_staff_load(*, centres: dict[str, ServiceCentre]) -> dict[str, str]:
    staff_actions.departments_ensure()
    passwords: dict[str, str] = {}
    for member in demo.demo_staff():
        password = secrets.token_urlsafe(9)
        user, _ = User.objects.update_or_create(
            username=member.username,
            defaults={
                "display_name": member.display_name,
                "department_id": member.department_code,
                "service_centre": centres.get(member.service_centre_code)
                if member.service_centre_code
                else None,
                "is_supervisor": member.is_supervisor,
                "is_staff": member.department_code == "inspection",
            },
        )
        user.set_password(password)
        user.save()
        passwords[member.username] = password
    return passwords


def demo_load(
    *,
    accounts: int,
    seed: int,
    until: date | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], object] | None = None,
) -> DemoSummary:
    """Load centres, staff and ``accounts`` synthetic accounts with 24 months of readings."""
    with transaction.atomic():
        centres = demo_centres_load()
        passwords = demo_staff_load(centres=centres)
        audit_record(actor=None, verb="demo.load", details={"accounts": accounts, "seed": seed})
    now = timezone.now()
    totals = {"customers": 0, "accounts": 0, "readings": 0}
    for batch in demo.generate(
        accounts=accounts, seed=seed, until=until or timezone.localdate(), batch_size=batch_size
    ):
        with transaction.atomic():
            customer_rows = [
                Customer(
                    kind=c.kind,
                    name=c.name,
                    id_kind=c.id_kind,
                    id_number=c.id_number,
                    mobile=c.mobile or "",
                    landline=c.landline or "",
                    email=c.email or "",
                    preferred_language=c.preferred_language,
                    created_at=now,
                    updated_at=now,
                )
                for c in batch.customers
            ]
            Customer.objects.bulk_create(customer_rows, batch_size=1000)
            customer_ids = _ids_by_key(
                Customer, [c.id_number for c in batch.customers], "id_number"
            )
            customer_pk = {c.key: customer_ids[c.id_number] for c in batch.customers}
            consents = [
                ContactConsent(
                    customer_id=customer_pk[c.key],
                    channel=channel,
                    granted=granted,
                    recorded_at=now,
                    source="demo",
                )
                for c in batch.customers
                for channel, granted in (
                    ("sms", c.consent_sms),
                    ("email", c.consent_email),
                    ("letter", c.consent_letter),
                    ("phone", c.consent_phone),
                    ("push", c.consent_push),
                )
            ]
            ContactConsent.objects.bulk_create(consents, batch_size=2000)
            premise_rows = [
                Premise(
                    address=p.address,
                    address_raw=p.address,
                    city=p.city,
                    district=p.district,
                    village=p.village or "",
                    road=p.road,
                    section=p.section,
                    lane=p.lane or "",
                    alley=p.alley or "",
                    number=p.number,
                    floor=p.floor,
                    latitude=p.latitude,
                    longitude=p.longitude,
                )
                for p in batch.premises
            ]
            created_premises = Premise.objects.bulk_create(premise_rows, batch_size=1000)
            premise_pk = _pks_in_order(Premise, created_premises, batch.premises)
            account_rows = [
                Account(
                    number=a.number,
                    customer_id=customer_pk[a.customer_key],
                    premise_id=premise_pk[a.premise_key],
                    service_centre=centres[a.service_centre_code],
                    tariff_class=a.tariff_class,
                    phase=a.phase,
                    meter_amperes=a.meter_amperes,
                    billing_cycle=a.billing_cycle,
                    load_shedding_group=a.load_shedding_group,
                    feeder_code=a.feeder_code,
                    life_support=a.life_support,
                    opened_on=a.opened_on,
                )
                for a in batch.accounts
            ]
            Account.objects.bulk_create(account_rows, batch_size=1000)
            account_pk = _ids_by_key(Account, [a.number for a in batch.accounts], "number")
            first_centre = {a.customer_key: a.service_centre_code for a in reversed(batch.accounts)}
            for code in set(first_centre.values()):
                keys = [customer_pk[k] for k, v in first_centre.items() if v == code]
                Customer.objects.filter(pk__in=keys).update(service_centre=centres[code])
            reading_rows = [
                MeterReading(
                    account_id=account_pk[r.account_number],
                    period_start=r.period_start,
                    period_end=r.period_end,
                    kwh_total=r.kwh_total,
                    kwh_peak=r.kwh_peak,
                    kwh_semi_peak=r.kwh_semi_peak,
                    kwh_off_peak=r.kwh_off_peak,
                )
                for r in batch.readings
            ]
            MeterReading.objects.bulk_create(reading_rows, batch_size=5000)
        totals["customers"] += len(customer_rows)
        totals["accounts"] += len(account_rows)
        totals["readings"] += len(reading_rows)
        if progress is not None:
            progress(len(account_rows))
    return DemoSummary(centres=len(centres), staff=passwords, **totals)


def _ids_by_key(
    model: type[Customer] | type[Account], keys: list[str], field: str
) -> dict[str, int]:
    result: dict[str, int] = {}
    for start in range(0, len(keys), 900):  # SQLite's bound-parameter limit
        chunk = keys[start : start + 900]
        result.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return result


def _pks_in_order(
    model: type[Premise], created: list[Premise], records: tuple[demo.DemoPremise, ...]
) -> dict[int, int]:
    """Premises have no natural key: bulk_create returns primary keys on PostgreSQL and SQLite ≥ 3.35."""
    return {record.key: row.pk for record, row in zip(records, created, strict=True)}
