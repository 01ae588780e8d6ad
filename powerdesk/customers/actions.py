"""Writes of customers, consents, premises and accounts: validated, audited, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from powerdesk.core.audit import audit_record
from powerdesk.core.domain import addresses, identifiers
from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import ConflictError, InvalidInputError, collect
from powerdesk.customers.models import Account, ContactConsent, Customer, Premise, ServiceCentre
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability


def _problem(field: str, code: str, zh: str, en: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, message=Message(zh_hant=zh, en=en))


def _optional(check: Callable[[str], Any], value: str | None) -> Callable[[], Any]:
    return lambda: check(value) if value else ""


def _validate_id(kind: str, id_number: str) -> str:
    if kind == Customer.IdKind.NATIONAL_ID:
        return identifiers.validate_national_id(id_number)
    if kind == Customer.IdKind.RESIDENT_ID:
        return identifiers.validate_resident_id(id_number)
    if kind == Customer.IdKind.UBN:
        return identifiers.validate_ubn(id_number)
    raise DomainError(
        code="id_kind.unknown",
        zh_hant=f"不支援的證件種類「{kind}」。",
        en=f"Unknown ID kind '{kind}'.",
    )


def _phone_text(value: str) -> str:
    return identifiers.validate_phone(value).national


def _mobile_text(value: str) -> str:
    phone = identifiers.validate_phone(value)
    if phone.kind != "mobile":
        raise DomainError(
            code="phone.not_mobile",
            zh_hant="手機號碼須為 09 開頭的 10 碼行動電話。",
            en="A mobile number must be a 10-digit number starting with 09.",
        )
    return phone.national


def customer_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    id_kind: str,
    id_number: str,
    mobile: str = "",
    landline: str = "",
    email: str = "",
    preferred_language: str = "zh-hant",
    service_centre: ServiceCentre | None = None,
    consents: Mapping[str, bool] | None = None,
    source: str = "counter",
) -> Customer:
    """Create a customer after validating every field; nothing is saved if any field is wrong."""
    staff_selectors.require(
        actor,
        Capability.CUSTOMER_EDIT,
        target_centre_id=service_centre.pk if service_centre else None,
    )
    cleaned, problems = collect(
        {
            "id_number": lambda: _validate_id(id_kind, id_number),
            "mobile": _optional(_mobile_text, mobile),
            "landline": _optional(_phone_text, landline),
            "email": _optional(identifiers.validate_email, email),
        }
    )
    name = " ".join(name.split())
    if not name:
        problems.append(_problem("name", "name.required", "請填寫姓名或名稱。", "Enter the name."))
    elif len(name) > 120:
        problems.append(
            _problem(
                "name",
                "name.too_long",
                "姓名或名稱最多 120 字。",
                "The name may have at most 120 characters.",
            )
        )
    if kind not in Customer.Kind.values:
        problems.append(
            _problem(
                "kind",
                "kind.unknown",
                "用戶類別須為個人或法人。",
                "Kind must be person or organisation.",
            )
        )
    elif (kind == Customer.Kind.ORGANISATION) != (
        id_kind == Customer.IdKind.UBN
    ) and id_kind in Customer.IdKind.values:
        problems.append(
            _problem(
                "id_kind",
                "id_kind.mismatch",
                "個人須使用身分證字號或居留證號，法人須使用統一編號。",
                "A person needs a national ID or resident certificate number; an organisation needs a unified business number.",
            )
        )
    if preferred_language not in ("zh-hant", "en"):
        problems.append(
            _problem(
                "preferred_language",
                "language.unknown",
                "語言須為 zh-hant 或 en。",
                "Language must be zh-hant or en.",
            )
        )
    unknown_channels = set(consents or {}) - set(ContactConsent.Channel.values)
    if unknown_channels:
        problems.append(
            _problem(
                "consents",
                "consent.unknown_channel",
                f"未知的聯絡管道：{', '.join(sorted(unknown_channels))}。",
                f"Unknown contact channel: {', '.join(sorted(unknown_channels))}.",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    now = timezone.now()
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                kind=kind,
                name=name,
                id_kind=id_kind,
                id_number=cleaned["id_number"],
                mobile=cleaned["mobile"],
                landline=cleaned["landline"],
                email=cleaned["email"],
                preferred_language=preferred_language,
                service_centre=service_centre,
                created_at=now,
                updated_at=now,
            )
            ContactConsent.objects.bulk_create(
                ContactConsent(
                    customer=customer,
                    channel=channel,
                    granted=granted,
                    recorded_at=now,
                    source=source,
                )
                for channel, granted in (consents or {}).items()
            )
            audit_record(
                actor=actor,
                verb="customer.create",
                target=customer,
                details={"consents": dict(consents or {}), "source": source},
            )
    except IntegrityError as error:
        raise ConflictError(
            code="customer.duplicate_id",
            message=Message(
                zh_hant="此證號已有用戶資料。", en="A customer with this ID number already exists."
            ),
            field="id_number",
        ) from error
    return customer


def customer_consent_set(
    *, actor: Any, customer: Customer, channel: str, granted: bool, source: str
) -> ContactConsent:
    staff_selectors.require(
        actor, Capability.CUSTOMER_EDIT, target_centre_id=customer.service_centre_id
    )
    if channel not in ContactConsent.Channel.values:
        raise InvalidInputError(
            [
                _problem(
                    "channel",
                    "consent.unknown_channel",
                    f"未知的聯絡管道：{channel}。",
                    f"Unknown contact channel: {channel}.",
                )
            ]
        )
    with transaction.atomic():
        consent, _ = ContactConsent.objects.update_or_create(
            customer=customer,
            channel=channel,
            defaults={"granted": granted, "recorded_at": timezone.now(), "source": source},
        )
        audit_record(
            actor=actor,
            verb="customer.consent_set",
            target=customer,
            details={"channel": channel, "granted": granted},
        )
    return consent


def premise_fields(address_text: str, *, field: str = "address") -> dict[str, Any]:
    """Parse an address into Premise fields (raises InvalidInputError naming ``field``)."""
    try:
        parsed = addresses.parse_address(address_text, default_city="桃園市")
    except DomainError as error:
        raise InvalidInputError.from_domain(error, field=field) from error
    if not parsed.city or not parsed.district:
        raise InvalidInputError(
            [
                _problem(
                    field,
                    "address.incomplete",
                    "地址須包含縣市與鄉鎮市區。",
                    "The address must include the city and the district.",
                )
            ]
        )
    return {
        "address": parsed.canonical,
        "address_raw": address_text.strip()[:200],
        "postal_code": parsed.postal_code or "",
        "city": parsed.city,
        "district": parsed.district,
        "village": parsed.village or "",
        "road": parsed.road or "",
        "section": parsed.section,
        "lane": parsed.lane or "",
        "alley": parsed.alley or "",
        "number": parsed.number or "",
        "floor": parsed.floor,
    }


def account_open(
    *,
    actor: Any,
    customer: Customer,
    number: str,
    address: str,
    service_centre: ServiceCentre,
    tariff_class: str,
    phase: str,
    meter_amperes: int,
    billing_cycle: str,
    load_shedding_group: str = "",
    feeder_code: str = "",
    life_support: bool = False,
    tax_exempt: bool = False,
    opened_on: date | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Account:
    """Open a supply account (電號) at a premise, validating every field first."""
    staff_selectors.require(actor, Capability.ACCOUNT_EDIT, target_centre_id=service_centre.pk)
    cleaned, problems = collect({"number": lambda: identifiers.validate_account_number(number)})
    premise_data: dict[str, Any] = {}
    try:
        premise_data = premise_fields(address)
    except InvalidInputError as error:
        problems.extend(error.problems)
    choices = {
        "tariff_class": (tariff_class, Account.TariffClass.values),
        "phase": (phase, Account.Phase.values),
        "billing_cycle": (billing_cycle, Account.BillingCycle.values),
    }
    for field, (value, allowed) in choices.items():
        if value not in allowed:
            problems.append(
                _problem(
                    field,
                    f"{field}.unknown",
                    f"「{value}」不是有效的選項（可用：{', '.join(allowed)}）。",
                    f"'{value}' is not a valid choice (one of: {', '.join(allowed)}).",
                )
            )
    group = load_shedding_group.strip().upper()
    if group and (len(group) != 1 or not "A" <= group <= "Z"):
        problems.append(
            _problem(
                "load_shedding_group",
                "group.format",
                "限電分組須為一個英文字母 A–Z。",
                "The load-shedding group is one letter A–Z.",
            )
        )
    if not 1 <= meter_amperes <= 2000:
        problems.append(
            _problem(
                "meter_amperes",
                "amperes.range",
                "電表安培數須介於 1 與 2000 之間。",
                "Meter amperes must be between 1 and 2000.",
            )
        )
    if latitude is not None and not Decimal(21) <= latitude <= Decimal(27):
        problems.append(
            _problem(
                "latitude",
                "latitude.range",
                "緯度不在臺灣範圍內。",
                "The latitude is outside Taiwan.",
            )
        )
    if longitude is not None and not Decimal(118) <= longitude <= Decimal(123):
        problems.append(
            _problem(
                "longitude",
                "longitude.range",
                "經度不在臺灣範圍內。",
                "The longitude is outside Taiwan.",
            )
        )
    if problems:
        raise InvalidInputError(problems)
    try:
        with transaction.atomic():
            premise = Premise.objects.create(latitude=latitude, longitude=longitude, **premise_data)
            account = Account.objects.create(
                number=cleaned["number"],
                customer=customer,
                premise=premise,
                service_centre=service_centre,
                tariff_class=tariff_class,
                phase=phase,
                meter_amperes=meter_amperes,
                billing_cycle=billing_cycle,
                load_shedding_group=group,
                feeder_code=feeder_code.strip()[:12],
                life_support=life_support,
                tax_exempt=tax_exempt,
                opened_on=opened_on or timezone.localdate(),
            )
            audit_record(
                actor=actor,
                verb="account.open",
                target=account,
                details={"customer_id": customer.pk},
            )
    except IntegrityError as error:
        raise ConflictError(
            code="account.duplicate_number",
            message=Message(zh_hant="此電號已存在。", en="This account number already exists."),
            field="number",
        ) from error
    return account
