"""Customers, their 電號 accounts, the premises they supply and the service centres."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ServiceCentre(models.Model):
    """服務中心/服務所: a counter office of the district office."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_zh = models.CharField(_("name (zh-Hant)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    districts = models.JSONField(_("districts served"), default=list, blank=True)
    # {"mon": [["08:30", "17:30"]], …}; a day missing means closed.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    lunch_payment = models.BooleanField(_("payments taken 12:00–13:00"), default=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class IdKind(models.TextChoices):
        NATIONAL_ID = "national_id", _("National ID number")
        RESIDENT_ID = "resident_id", _("Resident certificate number")
        UBN = "ubn", _("Unified business number")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    id_kind = models.CharField(_("ID kind"), max_length=12, choices=IdKind.choices)
    id_number = models.CharField(_("ID number"), max_length=12)
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    landline = models.CharField(_("landline"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hant", "繁體中文"), ("en", "English")],
        default="zh-hant",
    )
    service_centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("service centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=("id_kind", "id_number"), name="customer_unique_id")
        ]
        indexes = [
            models.Index(fields=("mobile",), name="customer_mobile_idx"),
            models.Index(fields=("name",), name="customer_name_idx"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"customer #{self.pk}"


class ContactConsent(models.Model):
    """Whether a customer agreed to be contacted on a channel, with when and how it was recorded."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        PUSH = "push", _("App / web push")
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone call")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded"))
    source = models.CharField(_("source"), max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("customer", "channel"), name="consent_one_per_channel")
        ]
        verbose_name = _("contact consent")
        verbose_name_plural = _("contact consents")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel}={self.granted}"


class Premise(models.Model):
    """用電場所: a supplied address, normalised, with WGS 84 coordinates."""

    address = models.CharField(_("address"), max_length=200, help_text=_("Canonical form"))
    address_raw = models.CharField(_("address as given"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=10)
    district = models.CharField(_("district"), max_length=10)
    village = models.CharField(_("village"), max_length=20, blank=True)
    road = models.CharField(_("road"), max_length=40, blank=True)
    section = models.PositiveSmallIntegerField(_("section"), null=True, blank=True)
    lane = models.CharField(_("lane"), max_length=10, blank=True)
    alley = models.CharField(_("alley"), max_length=10, blank=True)
    number = models.CharField(_("number"), max_length=12, blank=True)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        indexes = [
            models.Index(fields=("district", "road", "section"), name="premise_street_idx"),
            models.Index(fields=("address",), name="premise_address_idx"),
        ]
        verbose_name = _("premise")
        verbose_name_plural = _("premises")

    def __str__(self) -> str:
        return f"premise #{self.pk}"


class Account(models.Model):
    """電號: one supply contract, keyed by its 11-digit number."""

    class TariffClass(models.TextChoices):
        RESIDENTIAL = "residential", _("Lighting, residential (tiered)")
        NON_RESIDENTIAL = "non_residential", _("Lighting, non-residential non-business (tiered)")
        COMMERCIAL = "commercial", _("Lighting, business (tiered)")
        SIMPLE_TOU_2 = "simple_tou_2", _("Simple time-of-use, two periods")
        SIMPLE_TOU_3 = "simple_tou_3", _("Simple time-of-use, three periods")

    class Phase(models.TextChoices):
        SINGLE = "single", _("Single phase")
        THREE = "three", _("Three phase")

    class BillingCycle(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        BIMONTHLY_ODD = "bimonthly_odd", _("Every two months (odd months)")
        BIMONTHLY_EVEN = "bimonthly_even", _("Every two months (even months)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In supply")
        SUSPENDED = "suspended", _("Supply suspended")
        TERMINATED = "terminated", _("Contract terminated")

    number = models.CharField(_("account number"), max_length=11, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="accounts"
    )
    premise = models.ForeignKey(
        Premise, verbose_name=_("premise"), on_delete=models.PROTECT, related_name="accounts"
    )
    service_centre = models.ForeignKey(
        ServiceCentre,
        verbose_name=_("service centre"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    tariff_class = models.CharField(_("tariff"), max_length=20, choices=TariffClass.choices)
    phase = models.CharField(_("phase"), max_length=6, choices=Phase.choices, default=Phase.SINGLE)
    meter_amperes = models.PositiveSmallIntegerField(_("meter amperes"))
    billing_cycle = models.CharField(
        _("billing cycle"), max_length=15, choices=BillingCycle.choices
    )
    load_shedding_group = models.CharField(_("load-shedding group"), max_length=1, blank=True)
    feeder_code = models.CharField(_("feeder"), max_length=12, blank=True)
    life_support = models.BooleanField(_("life-support equipment"), default=False)
    tax_exempt = models.BooleanField(_("tax exempt"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    opened_on = models.DateField(_("supply since"))

    class Meta:
        ordering = ("number",)
        indexes = [
            models.Index(fields=("service_centre", "status"), name="account_centre_idx"),
            models.Index(fields=("feeder_code",), name="account_feeder_idx"),
            models.Index(fields=("load_shedding_group",), name="account_group_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^[0-9]{11}$"), name="account_number_11_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(load_shedding_group__regex=r"^[A-Z]?$"),
                name="account_group_letter",
            ),
        ]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        from powerdesk.core.domain.identifiers import format_account_number

        return format_account_number(self.number)


class MeterReading(models.Model):
    """One billed reading period of an account (first and last day of use, inclusive)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="readings")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    kwh_total = models.PositiveIntegerField(_("kWh"))
    kwh_peak = models.PositiveIntegerField(_("peak kWh"), null=True, blank=True)
    kwh_semi_peak = models.PositiveIntegerField(_("semi-peak kWh"), null=True, blank=True)
    kwh_off_peak = models.PositiveIntegerField(_("off-peak kWh"), null=True, blank=True)

    class Meta:
        ordering = ("account", "period_start")
        constraints = [
            models.UniqueConstraint(
                fields=("account", "period_start"), name="reading_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reading_period_order",
            ),
        ]
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")

    def __str__(self) -> str:
        return f"{self.account_id} {self.period_start}–{self.period_end}: {self.kwh_total} kWh"
