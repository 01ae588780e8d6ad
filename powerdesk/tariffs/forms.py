"""Forms of the tariff calculator page: (a) typical month, (b) one reading period, (c) CSV upload.

The forms only check presence and shape (a date is a date, a file is there); every number and
every tariff rule is checked by ``powerdesk.tariffs.api``'s shared calculations, so the page
gives the same answers and the same messages as the API and the CLI. ``attach`` puts those
messages on the right inputs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.core.errors import InvalidInputError
from powerdesk.tariffs.api import CsvInvalidError
from powerdesk.tariffs.engine import PLAN_NAMES, Plan

OPTION_FIELDS = ("phase", "meter_amperes", "tax_exempt", "power_factor", "equipment_kva")


def _number(label: Any, *, required: bool = True, help_text: Any = "", initial: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        initial=initial or None,
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "input--number"}
        ),
    )


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> Any:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


def plan_choices(*, tiered_only: bool = False) -> list[tuple[str, str]]:
    """Plan codes with their names in the active language."""
    language = get_language() or "zh-hant"
    return [
        (plan.value, PLAN_NAMES[plan].in_language(language))
        for plan in Plan
        if not (tiered_only and plan.is_tou)
    ]


class CustomerForm(forms.Form):
    """Customer attributes that change a bill; shown in a collapsed "more details" group."""

    phase = forms.ChoiceField(
        label=_("Supply phase"),
        choices=[("single", _("Single-phase")), ("three", _("Three-phase"))],
        initial="single",
    )
    meter_amperes = _number(
        _("Meter rating (amperes)"),
        required=False,
        help_text=_(
            "Sets the minimum charge. Needed only when you use very little; we ask for it then."
        ),
    )
    tax_exempt = forms.BooleanField(label=_("Exempt from business tax"), required=False)
    power_factor = _number(
        _("Average power factor (%)"),
        required=False,
        help_text=_(
            "Three-phase customers with 20 kVA or more of equipment only: a whole number, such as 85."
        ),
    )
    equipment_kva = _number(
        _("Installed equipment (kVA)"),
        required=False,
        help_text=_("Three-phase customers only."),
    )

    form_name = ""
    renames: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.form_name}-%s")
        super().__init__(*args, **kwargs)
        self.csv_rows: list[dict[str, Any]] = []  # row-level CSV problems, for the report table
        self.csv_more = 0  # problems beyond those listed

    def options(self) -> dict[str, Any]:
        """The customer attributes as the shared calculations take them."""
        return {name: self.cleaned_data.get(name) for name in OPTION_FIELDS}

    def options_open(self) -> bool:
        """Show the details group open when one of its fields has a value or an error."""
        if not self.is_bound:
            return False
        return any(self[name].errors for name in OPTION_FIELDS) or any(
            self.data.get(name) not in (None, "", "single") for name in OPTION_FIELDS
        )

    def field_for(self, field: str) -> str | None:
        """The form field that shows an error the calculations report for ``field``."""
        name = self.renames.get(field, field)
        return name if name in self.fields else None

    def attach(self, error: InvalidInputError) -> None:
        """Put every problem of ``error`` on its input (or on the form when it has none)."""
        language = get_language() or "zh-hant"
        if isinstance(error, CsvInvalidError):
            self.csv_rows = [
                {
                    "row": problem.row,
                    "column": problem.column,
                    "message": problem.message.in_language(language),
                }
                for problem in error.rows
            ]
            self.csv_more = error.more
        for problem in error.problems:
            name = self.field_for(problem.field)
            if name is not None and name in self.errors:
                continue  # one message per input is enough
            self.add_error(name, problem.message.in_language(language))


class TypicalForm(CustomerForm):
    """Form (a): typical monthly use per season and the share of use per period."""

    form_name = "typical"
    renames = {
        "summer_shares": "summer_peak",
        "summer_shares.peak": "summer_peak",
        "summer_shares.semi_peak": "summer_semi_peak",
        "summer_shares.off_peak": "summer_off_peak",
        "non_summer_shares": "non_summer_semi_peak",
        "non_summer_shares.semi_peak": "non_summer_semi_peak",
        "non_summer_shares.off_peak": "non_summer_off_peak",
    }

    current_plan = forms.ChoiceField(label=_("Your plan now"), initial=Plan.RESIDENTIAL.value)
    tiered_plan = forms.ChoiceField(
        label=_("Your customer class"),
        required=False,
        help_text=_(
            "Only if you are on a time-of-use plan now: the non-time-of-use class you would go back to."
        ),
    )
    summer_kwh = _number(
        _("Typical monthly use in summer (kWh)"), help_text=_("June to September.")
    )
    non_summer_kwh = _number(
        _("Typical monthly use in the other months (kWh)"),
        help_text=_("October to May."),
    )
    summer_peak = _number(_("Summer peak (%)"), initial="20")
    summer_semi_peak = _number(_("Summer semi-peak (%)"), initial="30")
    summer_off_peak = _number(_("Summer off-peak (%)"), initial="50")
    non_summer_semi_peak = _number(_("Semi-peak in the other months (%)"), initial="40")
    non_summer_off_peak = _number(_("Off-peak in the other months (%)"), initial="60")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["current_plan"].choices = plan_choices()  # type: ignore[attr-defined]
        self.fields["tiered_plan"].choices = [  # type: ignore[attr-defined]
            ("", _("Not needed: I am not on a time-of-use plan")),
            *plan_choices(tiered_only=True),
        ]

    def shares(self, season: str) -> dict[str, Any]:
        data = self.cleaned_data
        if season == "summer":
            return {
                "peak": data["summer_peak"],
                "semi_peak": data["summer_semi_peak"],
                "off_peak": data["summer_off_peak"],
            }
        return {"semi_peak": data["non_summer_semi_peak"], "off_peak": data["non_summer_off_peak"]}


class ReadingForm(CustomerForm):
    """Form (b): one reading period, as on a bill."""

    form_name = "reading"

    plan = forms.ChoiceField(label=_("Plan"), initial=Plan.RESIDENTIAL.value)
    start = _date(_("First day of use"), help_text=_("The day after the previous meter reading."))
    end = _date(_("Last day of use"), help_text=_("The day of this meter reading."))
    kwh = _number(
        _("Electricity used (kWh)"),
        required=False,
        help_text=_("For a non-time-of-use plan: the total on your bill."),
    )
    peak = _number(_("Peak (kWh)"), required=False)
    semi_peak = _number(_("Semi-peak (kWh)"), required=False)
    off_peak = _number(_("Off-peak (kWh)"), required=False)
    billing = forms.ChoiceField(
        label=_("Meter reading"),
        choices=[("monthly", _("Every month")), ("bimonthly", _("Every two months"))],
        initial="monthly",
        help_text=_("Time-of-use plans are read every month."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = plan_choices()  # type: ignore[attr-defined]
        self.sent_periods = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periods = {name: data.get(name) for name in ("peak", "semi_peak", "off_peak")}
        given = any(periods.values())
        if given and data.get("kwh"):
            self.add_error(
                "kwh",
                _("Give either the total or the kWh per period, not both."),
            )
        elif not given and not data.get("kwh") and "kwh" not in self.errors:
            self.add_error(
                "kwh",
                forms.ValidationError(
                    _(
                        "Enter the electricity used: the total, or the kWh per period for a time-of-use plan."
                    ),
                    code="required",
                ),
            )
        return data

    def usage(self) -> Any:
        """The total, or the kWh per period (blank periods left out, so they count as 0)."""
        data = self.cleaned_data
        periods = {name: data[name] for name in ("peak", "semi_peak", "off_peak") if data.get(name)}
        self.sent_periods = bool(periods)
        return periods or data["kwh"]

    def field_for(self, field: str) -> str | None:
        if field == "kwh" and self.sent_periods:
            return "peak"
        if field.startswith("kwh."):
            return super().field_for(field.removeprefix("kwh."))
        return super().field_for(field)


class IntervalsForm(CustomerForm):
    """Form (c): interval data from the meter, as a CSV file."""

    form_name = "intervals"
    renames = {"series": "csv"}

    current_plan = forms.ChoiceField(label=_("Your plan now"), initial=Plan.RESIDENTIAL.value)
    tiered_plan = forms.ChoiceField(
        label=_("Your customer class"),
        required=False,
        help_text=_(
            "Only if you are on a time-of-use plan now: the non-time-of-use class you would go back to."
        ),
    )
    csv = forms.FileField(
        label=_("Interval data (CSV file)"),
        help_text=_(
            "Columns timestamp,kwh; 15-, 30- or 60-minute intervals; UTF-8 or Big5; at most 5 MB."
        ),
    )
    as_of = _date(
        _("Price at the tariffs in force on"),
        required=False,
        help_text=_(
            "Leave empty to price each month at the tariff of its own date (data before October 2025 then needs Taipower's off-peak day list)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["current_plan"].choices = plan_choices()  # type: ignore[attr-defined]
        self.fields["tiered_plan"].choices = [  # type: ignore[attr-defined]
            ("", _("Not needed: I am not on a time-of-use plan")),
            *plan_choices(tiered_only=True),
        ]
