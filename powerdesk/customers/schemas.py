from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema


class ServiceCentreOut(Schema):
    code: str
    name_zh: str
    name_en: str
    address: str
    phone: str
    districts: list[str]
    opening_hours: dict[str, list[list[str]]]
    lunch_payment: bool


class CustomerOut(Schema):
    """A customer as staff see it; personal fields are masked unless unmasked access was granted."""

    id: int
    kind: str
    name: str
    id_kind: str
    id_number: str
    mobile: str
    landline: str
    email: str
    preferred_language: str
    service_centre: str | None
    masked: bool


class CustomerCreateIn(Schema):
    kind: str = Field(description="person | organisation")
    name: str = Field(max_length=200)
    id_kind: str = Field(description="national_id | resident_id | ubn")
    id_number: str = Field(max_length=40)
    mobile: str = Field("", max_length=40)
    landline: str = Field("", max_length=40)
    email: str = Field("", max_length=300)
    preferred_language: str = "zh-hant"
    service_centre: str | None = Field(None, description="service centre code")
    consents: dict[str, bool] = Field(
        default_factory=dict, description="channel → granted (sms, email, push, letter, phone)"
    )


class AccountOut(Schema):
    number: str
    number_display: str
    customer_id: int
    address: str
    district: str
    service_centre: str
    tariff_class: str
    phase: str
    meter_amperes: int
    billing_cycle: str
    load_shedding_group: str
    feeder_code: str
    life_support: bool
    status: str
    opened_on: date


class AccountOpenIn(Schema):
    customer_id: int
    number: str = Field(max_length=40)
    address: str = Field(max_length=300)
    service_centre: str
    tariff_class: str
    phase: str = "single"
    meter_amperes: int = Field(ge=1, le=2000)
    billing_cycle: str
    load_shedding_group: str = Field("", max_length=2)
    feeder_code: str = Field("", max_length=12)
    life_support: bool = False
    tax_exempt: bool = False
    latitude: Decimal | None = None
    longitude: Decimal | None = None
