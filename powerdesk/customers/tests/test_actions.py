"""Customer and account writes: validation naming the field, nothing half-saved, audit, scope."""

from __future__ import annotations

import pytest

from powerdesk.core.errors import ConflictError, InvalidInputError, PermissionDeniedError
from powerdesk.core.models import AuditEvent
from powerdesk.customers import actions
from powerdesk.customers.models import Account, ContactConsent, Customer, Premise

VALID_ID = "A123456789"


def _customer(actor, **overrides):
    fields = {
        "kind": "person",
        "name": "王小明",
        "id_kind": "national_id",
        "id_number": VALID_ID,
        "mobile": "0912345678",
        "email": "wang@example.com",
        "consents": {"sms": True, "email": False},
    }
    fields.update(overrides)
    return actions.customer_create(actor=actor, **fields)


@pytest.mark.django_db
def test_customer_create_normalises_and_audits(clerk) -> None:
    customer = _customer(clerk, id_number=" a123456789 ", mobile="0912-345-678")
    assert customer.id_number == VALID_ID
    assert customer.mobile == "0912-345-678"
    assert dict(customer.consents.values_list("channel", "granted")) == {
        "sms": True,
        "email": False,
    }
    event = AuditEvent.objects.get(verb="customer.create")
    assert event.target_id == str(customer.pk)
    assert event.actor_label == "business.clerk"


@pytest.mark.parametrize(
    ("_case", "overrides", "field", "code"),
    [
        (
            "bad national id checksum",
            {"id_number": "A123456788"},
            "id_number",
            "national_id.checksum",
        ),
        (
            "bad ubn",
            {"kind": "organisation", "id_kind": "ubn", "id_number": "12345678"},
            "id_number",
            "ubn.checksum",
        ),
        ("landline as mobile", {"mobile": "034251234"}, "mobile", "phone.not_mobile"),
        ("bad e-mail", {"email": "wang@"}, "email", None),
        ("empty name", {"name": "  "}, "name", "name.required"),
        (
            "person with ubn",
            {"id_kind": "ubn", "id_number": "04595257"},
            "id_kind",
            "id_kind.mismatch",
        ),
        ("unknown channel", {"consents": {"fax": True}}, "consents", "consent.unknown_channel"),
    ],
)
@pytest.mark.django_db
def test_customer_create_refuses_bad_input_and_saves_nothing(
    clerk, _case, overrides, field, code
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _customer(clerk, **overrides)
    problem = next(p for p in raised.value.problems if p.field == field)
    if code:
        assert problem.code == code
    assert problem.message.zh_hant
    assert problem.message.en
    assert Customer.objects.count() == 0
    assert ContactConsent.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="customer.create").exists()


@pytest.mark.django_db
def test_customer_create_reports_every_bad_field_at_once(clerk) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _customer(clerk, id_number="A1", mobile="12", email="nope")
    assert {p.field for p in raised.value.problems} == {"id_number", "mobile", "email"}


@pytest.mark.django_db
def test_customer_create_duplicate_id_is_a_conflict(clerk) -> None:
    _customer(clerk)
    with pytest.raises(ConflictError):
        _customer(clerk, name="王大明")
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_customer_create_denied_for_design_department(make_staff) -> None:
    designer = make_staff("design")
    with pytest.raises(PermissionDeniedError):
        _customer(designer)
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_centre_clerk_cannot_create_for_another_centre(make_staff, centre, other_centre) -> None:
    centre_clerk = make_staff("business", centre=centre)
    with pytest.raises(PermissionDeniedError):
        _customer(centre_clerk, service_centre=other_centre)
    assert _customer(centre_clerk, service_centre=centre).service_centre == centre


def _open(actor, customer, centre, **overrides):
    fields = {
        "number": "12-34-5678-90-1",
        "address": "桃園市中壢區中正路三段12巷3號5樓",
        "service_centre": centre,
        "tariff_class": "residential",
        "phase": "single",
        "meter_amperes": 30,
        "billing_cycle": "bimonthly_odd",
        "load_shedding_group": "c",
    }
    fields.update(overrides)
    return actions.account_open(actor=actor, customer=customer, **fields)


@pytest.mark.django_db
def test_account_open_parses_address_and_number(clerk, centre) -> None:
    account = _open(clerk, _customer(clerk), centre)
    assert account.number == "12345678901"
    assert str(account) == "12-34-5678-90-1"
    assert account.load_shedding_group == "C"
    assert account.premise.district == "中壢區"
    assert account.premise.section == 3
    assert account.premise.floor == 5
    assert AuditEvent.objects.filter(verb="account.open", target_id=str(account.pk)).exists()


@pytest.mark.parametrize(
    ("_case", "overrides", "field"),
    [
        ("short number", {"number": "1234"}, "number"),
        ("letters in number", {"number": "1234567890A"}, "number"),
        ("unknown tariff", {"tariff_class": "free"}, "tariff_class"),
        ("bad group", {"load_shedding_group": "AB"}, "load_shedding_group"),
        ("zero amperes", {"meter_amperes": 0}, "meter_amperes"),
        ("no district", {"address": "中正路3號"}, "address"),
    ],
)
@pytest.mark.django_db
def test_account_open_refuses_bad_input_and_saves_nothing(
    clerk, centre, _case, overrides, field
) -> None:
    customer = _customer(clerk)
    with pytest.raises(InvalidInputError) as raised:
        _open(clerk, customer, centre, **overrides)
    assert field in {p.field for p in raised.value.problems}
    assert Account.objects.count() == 0
    assert Premise.objects.count() == 0


@pytest.mark.django_db
def test_account_open_duplicate_number_saves_no_premise(clerk, centre) -> None:
    customer = _customer(clerk)
    _open(clerk, customer, centre)
    with pytest.raises(ConflictError):
        _open(clerk, customer, centre)
    assert Premise.objects.count() == 1
