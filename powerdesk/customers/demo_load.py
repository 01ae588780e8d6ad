"""Load the synthetic Taoyuan demo data (powerdesk.customers.domain.demo) with bulk inserts.

Rows are written in batches of a few thousand accounts, each batch in its own transaction, so
memory stays flat up to a million accounts. Staff demo users get passwords that only this
loader prints; it refuses to run against a database that already has customers unless asked.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.bulk import bulk_insert_rows
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
    members = demo.demo_staff()
    passwords = {member.username: secrets.token_urlsafe(9) for member in members}
    # Password hashing is deliberately slow (PBKDF2); hashlib releases the GIL, so hash in threads.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        hashes = dict(zip(passwords, pool.map(make_password, passwords.values()), strict=True))
    for member in members:
        User.objects.update_or_create(
            username=member.username,
            defaults={
                "display_name": member.display_name,
                "department_id": member.department_code,
                "service_centre": centres.get(member.service_centre_code)
                if member.service_centre_code
                else None,
                "is_supervisor": member.is_supervisor,
                "password": hashes[member.username],
            },
        )
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
    centre_pk = {code: centre.pk for code, centre in centres.items()}
    # The loader refuses a database that already has customers, so primary keys can be assigned
    # here (no lookups after each insert); sequences are reset at the end (PostgreSQL).
    customer_base = _next_id(Customer) - 1
    premise_base = _next_id(Premise) - 1
    account_next = _next_id(Account)
    totals = {"customers": 0, "accounts": 0, "readings": 0}
    for batch in demo.generate(
        accounts=accounts, seed=seed, until=until or timezone.localdate(), batch_size=batch_size
    ):
        account_pk: dict[str, int] = {}
        for a in batch.accounts:
            account_pk[a.number] = account_next
            account_next += 1
        home_centre: dict[int, str] = {}
        for a in batch.accounts:
            home_centre.setdefault(a.customer_key, a.service_centre_code)
        with transaction.atomic():
            bulk_insert_rows(
                Customer,
                (
                    "id",
                    "kind",
                    "name",
                    "id_kind",
                    "id_number",
                    "mobile",
                    "landline",
                    "email",
                    "preferred_language",
                    "service_centre",
                    "created_at",
                    "updated_at",
                ),
                (
                    (
                        customer_base + c.key,
                        c.kind,
                        c.name,
                        c.id_kind,
                        c.id_number,
                        c.mobile or "",
                        c.landline or "",
                        c.email or "",
                        c.preferred_language,
                        centre_pk[home_centre[c.key]],
                        now,
                        now,
                    )
                    for c in batch.customers
                ),
            )
            bulk_insert_rows(
                ContactConsent,
                ("customer", "channel", "granted", "recorded_at", "source"),
                (
                    (customer_base + c.key, channel, granted, now, "demo")
                    for c in batch.customers
                    for channel, granted in (
                        ("sms", c.consent_sms),
                        ("email", c.consent_email),
                        ("letter", c.consent_letter),
                        ("phone", c.consent_phone),
                        ("push", c.consent_push),
                    )
                ),
            )
            bulk_insert_rows(
                Premise,
                (
                    "id",
                    "address",
                    "address_raw",
                    "postal_code",
                    "city",
                    "district",
                    "village",
                    "road",
                    "section",
                    "lane",
                    "alley",
                    "number",
                    "floor",
                    "latitude",
                    "longitude",
                ),
                (
                    (
                        premise_base + p.key,
                        p.address,
                        p.address,
                        p.postal_code,
                        p.city,
                        p.district,
                        p.village or "",
                        p.road,
                        p.section,
                        p.lane or "",
                        p.alley or "",
                        p.number,
                        p.floor,
                        str(p.latitude),
                        str(p.longitude),
                    )
                    for p in batch.premises
                ),
            )
            bulk_insert_rows(
                Account,
                (
                    "id",
                    "number",
                    "customer",
                    "premise",
                    "service_centre",
                    "tariff_class",
                    "phase",
                    "meter_amperes",
                    "billing_cycle",
                    "load_shedding_group",
                    "feeder_code",
                    "life_support",
                    "tax_exempt",
                    "status",
                    "opened_on",
                ),
                (
                    (
                        account_pk[a.number],
                        a.number,
                        customer_base + a.customer_key,
                        premise_base + a.premise_key,
                        centre_pk[a.service_centre_code],
                        a.tariff_class,
                        a.phase,
                        a.meter_amperes,
                        a.billing_cycle,
                        a.load_shedding_group,
                        a.feeder_code,
                        a.life_support,
                        False,
                        Account.Status.ACTIVE,
                        a.opened_on,
                    )
                    for a in batch.accounts
                ),
            )
            readings = bulk_insert_rows(
                MeterReading,
                (
                    "account",
                    "period_start",
                    "period_end",
                    "kwh_total",
                    "kwh_peak",
                    "kwh_semi_peak",
                    "kwh_off_peak",
                ),
                (
                    (
                        account_pk[r.account_number],
                        r.period_start,
                        r.period_end,
                        r.kwh_total,
                        r.kwh_peak,
                        r.kwh_semi_peak,
                        r.kwh_off_peak,
                    )
                    for r in batch.readings
                ),
            )
        totals["customers"] += len(batch.customers)
        totals["accounts"] += len(batch.accounts)
        totals["readings"] += readings
        if progress is not None:
            progress(len(batch.accounts))
    _sequences_reset(Customer, Premise, Account, ContactConsent, MeterReading)
    return DemoSummary(centres=len(centres), staff=passwords, **totals)


def _next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def _sequences_reset(*models: type[Model]) -> None:
    """After explicit ids, move PostgreSQL's identity sequences past them (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
