"""Request and response shapes of the tariff API, and the one conversion of engine results to them.

Input fields that carry numbers, dates or enumerations are declared loosely (``Any``) with an
explicit JSON schema for the OpenAPI document: the engine and ``powerdesk.tariffs.api`` check
them and answer in both site languages, naming the field, instead of pydantic's English-only
messages. The CLI prints exactly the dictionaries built here, so the API and the CLI share one
shape.
"""

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema

from powerdesk.tariffs.engine import PLAN_NAMES, Bill, Billing, Comparison, Phase, Plan

PLAN_CODES = [plan.value for plan in Plan]
TIERED_PLAN_CODES = [plan.value for plan in Plan if not plan.is_tou]

_NUMBER: dict[str, Any] = {
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^\s*\d"}]
}
_PERIODS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "peak": _NUMBER,
        "semi_peak": _NUMBER,
        "off_peak": _NUMBER,
    },
    "additionalProperties": False,
}

PlanField = Annotated[Any, WithJsonSchema({"type": "string", "enum": PLAN_CODES})]
TieredPlanField = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "string", "enum": TIERED_PLAN_CODES}, {"type": "null"}]}),
]
DateField = Annotated[Any, WithJsonSchema({"type": "string", "format": "date"})]
OptionalDateField = Annotated[
    Any, WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]})
]
NumberField = Annotated[Any, WithJsonSchema(_NUMBER)]
OptionalNumberField = Annotated[Any, WithJsonSchema({"anyOf": [_NUMBER, {"type": "null"}]})]
KwhField = Annotated[Any, WithJsonSchema({"anyOf": [_NUMBER, _PERIODS]})]
SharesField = Annotated[Any, WithJsonSchema(_PERIODS)]
BillingField = Annotated[
    Any, WithJsonSchema({"type": "string", "enum": [b.value for b in Billing]})
]
PhaseField = Annotated[Any, WithJsonSchema({"type": "string", "enum": [p.value for p in Phase]})]
BooleanField = Annotated[Any, WithJsonSchema({"type": "boolean"})]
PowerFactorField = Annotated[
    Any,
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 100}, {"type": "null"}]}
    ),
]
OffPeakDaysField = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "format": "date"}},
                {"type": "null"},
            ]
        }
    ),
]


class _CustomerIn(Schema):
    """Customer attributes that change a bill (all optional)."""

    model_config = ConfigDict(extra="forbid")

    phase: PhaseField = Field("single", description="Supply phase: single | three.")
    meter_amperes: OptionalNumberField = Field(
        None,
        description="[A] meter rating, for the minimum charge (底度). Needed only when the "
        "minimum could apply (low use); the answer says so when it is missing.",
    )
    tax_exempt: BooleanField = Field(
        default=False, description="The customer is exempt from business tax (total ÷ 1.05)."
    )
    power_factor: PowerFactorField = Field(
        None, description="[%] whole-percent monthly average power factor (three-phase only)."
    )
    equipment_kva: OptionalNumberField = Field(
        None,
        description="[kVA] installed equipment (three-phase only); the power-factor "
        "adjustment applies from 20 kVA.",
    )


class TariffBillIn(_CustomerIn):
    """One reading period (input form (b))."""

    plan: PlanField = Field(..., description="Tariff plan code.")
    start: DateField = Field(..., description="First day of use (ISO date, YYYY-MM-DD).")
    end: DateField = Field(..., description="Last day of use, inclusive (ISO date).")
    kwh: KwhField = Field(
        ...,
        description="[kWh] the reading's total for a non-time-of-use plan; for simple_tou_2 / "
        'simple_tou_3 an object {"peak", "semi_peak", "off_peak"} (missing periods are 0). '
        "A decimal string is accepted for any number.",
    )
    billing: BillingField = Field(
        "monthly",
        description="monthly | bimonthly (隔月抄表: tier bounds doubled; non-TOU plans only).",
    )


class TariffCompareTypicalIn(_CustomerIn):
    """Input form (a): a typical summer and non-summer month with shares per period."""

    current_plan: PlanField = Field(..., description="The customer's plan today.")
    tiered_plan: TieredPlanField = Field(
        None,
        description="The customer's non-time-of-use class; required when current_plan is a "
        "time-of-use plan, defaults to current_plan otherwise.",
    )
    summer_kwh: NumberField = Field(..., description="[kWh/month] typical use in a summer month.")
    non_summer_kwh: NumberField = Field(
        ..., description="[kWh/month] typical use in a non-summer month."
    )
    summer_shares: SharesField = Field(
        ...,
        description="[%] share of summer use in each period of the three-period plan's weekday "
        "windows (Saturdays, Sundays and off-peak days count as off-peak); sums to 100.",
    )
    non_summer_shares: SharesField = Field(
        ...,
        description="[%] share of non-summer use per period; there is no non-summer peak, so "
        "peak must be 0 (or left out); sums to 100.",
    )
    as_of: OptionalDateField = Field(
        None,
        description="Price with the tariffs in force on this date (default: the newest).",
    )


class TariffCompareCsvIn(_CustomerIn):
    """Input form (c) as JSON: interval data as CSV text."""

    current_plan: PlanField = Field(..., description="The customer's plan today.")
    tiered_plan: TieredPlanField = Field(None, description="As for form (a).")
    csv: str = Field(
        ...,
        description="The interval CSV as text (header timestamp,kwh; 15-, 30- or 60-minute "
        "intervals). Send Big5 files as a multipart upload instead.",
    )
    as_of: OptionalDateField = Field(
        None,
        description="Price every month with the tariffs in force on this date; default: each "
        "month at its own date's tariff.",
    )
    offpeak_days: OffPeakDaysField = Field(
        None,
        description="Taipower's complete list of off-peak days (離峰日) for the years of the "
        "data, replacing the built-in rules (needed for data before 2025-10-01).",
    )


# --- Responses ------------------------------------------------------------------------------


class NoteOut(Schema):
    message: str
    zh_hant: str
    en: str


class TariffBillLineOut(Schema):
    kind: str = Field(
        ..., description="energy | basic | adder | minimum | power_factor | tax_exemption"
    )
    label: str = Field(..., description="In the request's language.")
    label_zh: str
    label_en: str
    kwh: str | None = Field(None, description="[kWh] as a decimal string.")
    unit_price: str | None = Field(None, description="[NT$/kWh] ([NT$/month] for basic).")
    amount: str = Field(..., description="[NT$] before rounding, as a decimal string.")
    approximate: bool = Field(..., description="amount is a 6-decimal display of an exact value.")
    tariff_version: str | None
    season: str | None
    period: str | None
    days: int | None


class TariffBillOut(Schema):
    plan: str
    plan_name: str
    billing: str
    start: str | None
    end: str | None
    total: int = Field(..., description="[NT$] whole NT$, rounded half up once.")
    unrounded_total: str
    tariff_versions: list[str]
    provisional: bool = Field(..., description="Rates of confidence C went into the bill.")
    lines: list[TariffBillLineOut]
    notes: list[NoteOut]


class TariffMonthOut(Schema):
    label: str = Field(..., description="summer / non_summer (form a) or YYYY-MM (form c).")
    weight: str = Field(..., description="Months of the year this bill stands for (a fraction).")
    total: int
    bill: TariffBillOut


class TariffPlanEstimateOut(Schema):
    plan: str
    plan_name: str
    annual_total: int = Field(..., description="[NT$/year]")
    lock_in: bool = Field(..., description="Choosing this plan binds for one year.")
    provisional: bool
    tariff_versions: list[str]
    months: list[TariffMonthOut]


class TariffComparisonOut(Schema):
    current_plan: str
    cheapest: str
    saving: int = Field(..., description="[NT$/year] current − cheapest, ≥ 0.")
    explanation: str
    lock_in_warning: str | None
    assumptions: list[str]
    provisional: bool
    estimates: list[TariffPlanEstimateOut]


def _english(language: str) -> bool:
    return language.lower().startswith("en")


def bill_out(bill: Bill, *, language: str) -> dict[str, Any]:
    """``Bill.as_dict()`` with the plan name, line labels and notes in ``language``."""
    english = _english(language)
    data = bill.as_dict()
    data["plan_name"] = PLAN_NAMES[bill.plan].in_language(language)
    for line in data["lines"]:
        line["label"] = line["label_en"] if english else line["label_zh"]
    data["notes"] = [
        {"message": note.in_language(language), "zh_hant": note.zh_hant, "en": note.en}
        for note in bill.notes
    ]
    return data


def comparison_out(comparison: Comparison, *, language: str) -> dict[str, Any]:
    """A comparison (form (a) or (c)) with every message in ``language``."""
    return {
        "current_plan": comparison.current_plan.value,
        "cheapest": comparison.cheapest.value,
        "saving": comparison.saving,
        "explanation": comparison.explanation.in_language(language),
        "lock_in_warning": (
            comparison.lock_in_warning.in_language(language) if comparison.lock_in_warning else None
        ),
        "assumptions": [message.in_language(language) for message in comparison.assumptions],
        "provisional": comparison.provisional,
        "estimates": [
            {
                "plan": estimate.plan.value,
                "plan_name": PLAN_NAMES[estimate.plan].in_language(language),
                "annual_total": estimate.annual_total,
                "lock_in": estimate.lock_in,
                "provisional": estimate.provisional,
                "tariff_versions": list(estimate.tariff_versions),
                "months": [
                    {
                        "label": month.label,
                        "weight": str(month.weight),
                        "total": month.bill.total,
                        "bill": bill_out(month.bill, language=language),
                    }
                    for month in estimate.months
                ],
            }
            for estimate in comparison.estimates
        ],
    }
