"""The public tariff calculator page (住商型簡易時間電價試算).

One page, three forms: (a) a typical month per season, (b) one reading period, (c) an interval
CSV upload. Each is a plain POST form that works without JavaScript; with htmx, a form posts in
the background (when the button is pressed, and for forms (a) and (b) also as fields change)
and only its result area is replaced (``partials/_<form>.html``; the form itself stays as the
user left it), while a short status line is swapped out of band into the page's live region. All results come from the
calculations in ``powerdesk.tariffs.api``, shared with the API and the CLI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from powerdesk.core.errors import InvalidInputError
from powerdesk.tariffs import api, engine
from powerdesk.tariffs.engine import PLAN_NAMES, Plan, TouPeriod, TouSchedule
from powerdesk.tariffs.forms import CustomerForm, IntervalsForm, ReadingForm, TypicalForm

FORMS: dict[str, type[CustomerForm]] = {
    "typical": TypicalForm,
    "reading": ReadingForm,
    "intervals": IntervalsForm,
}
SUMMER_MONTHS = (6, 7, 8, 9)


def _money(amount: int) -> str:
    return f"{amount:,}"


# --- What the periods mean ------------------------------------------------------------------


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def period_hours(language: str) -> dict[str, Any]:
    """Weekday hours of each period in the newest schedules of both simple TOU plans."""
    rows = []
    effective = None
    for plan in (Plan.SIMPLE_TOU_3, Plan.SIMPLE_TOU_2):
        schedule = next(
            s for s in reversed(engine.load_schedules()[plan]) if isinstance(s, TouSchedule)
        )
        effective = schedule.effective_from
        for season, bands in (
            (engine.Season.SUMMER, schedule.bands.summer),
            (engine.Season.NON_SUMMER, schedule.bands.non_summer),
        ):
            cells = {}
            for period in TouPeriod:
                spans = [
                    f"{_hhmm(band.start_minute)}–{_hhmm(band.end_minute)}"
                    for band in bands
                    if band.period is period
                ]
                cells[period.value] = spans
            rows.append(
                {
                    "plan": PLAN_NAMES[plan].in_language(language),
                    "season": season.value,
                    "peak": cells["peak"],
                    "semi_peak": cells["semi_peak"],
                    "off_peak": cells["off_peak"],
                }
            )
    return {"rows": rows, "effective_from": effective}


# --- Chart and tables of a comparison -------------------------------------------------------


def _n(value: float) -> str:
    """An SVG coordinate: one decimal, never localised (templates would localise a float)."""
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the chart; coordinates are SVG user units, as strings."""

    x: str
    y: str
    width: str
    height: str
    series: int
    value: str
    text_x: str
    text_y: str


def _nice_step(maximum: int) -> int:
    """A round tick step giving at most five ticks up to ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def comparison_chart(*, months: list[str], series: list[list[int]], prefix: str) -> dict[str, Any]:
    """Geometry of a horizontal grouped bar chart: one group per month, one bar per plan.

    ``series[p][m]`` is the bill of plan p in month m [NT$]. Coordinates are SVG user units;
    the template draws them, so the chart needs no JavaScript and no inline style.
    """
    label_width, plot_width, value_width = 78.0, 290.0, 56.0
    bar_height, bar_gap, group_gap, top = 9.0, 1.5, 9.0, 6.0
    axis_height = 26.0
    plans = len(series)
    group_height = plans * bar_height + (plans - 1) * bar_gap
    largest = max((value for values in series for value in values), default=0)
    step = _nice_step(largest)
    axis_max = max(step, math.ceil(largest / step) * step)
    scale = plot_width / axis_max
    bars: list[Bar] = []
    groups = []
    for m, label in enumerate(months):
        group_top = top + m * (group_height + group_gap)
        groups.append({"label": label, "y": _n(group_top + group_height / 2 + 3.5)})
        for p, values in enumerate(series):
            y = group_top + p * (bar_height + bar_gap)
            width = values[m] * scale
            bars.append(
                Bar(
                    x=_n(label_width),
                    y=_n(y),
                    width=_n(max(width, 0.5)),
                    height=_n(bar_height),
                    series=p,
                    value=_money(values[m]),
                    text_x=_n(label_width + width + 3),
                    text_y=_n(y + bar_height - 1.5),
                )
            )
    plot_bottom = top + len(months) * (group_height + group_gap) - group_gap + 4
    ticks = [
        {"x": _n(label_width + value * scale), "label": _money(value)}
        for value in range(0, axis_max + 1, step)
    ]
    return {
        "width": _n(label_width + plot_width + value_width),
        "height": _n(plot_bottom + axis_height),
        "label_x": _n(label_width - 6),
        "plot_left": _n(label_width),
        "plot_top": _n(top - 3),
        "plot_bottom": _n(plot_bottom),
        "tick_label_y": _n(plot_bottom + 14),
        "bars": bars,
        "groups": groups,
        "ticks": ticks,
        "prefix": prefix,
    }


def comparison_context(
    comparison: engine.Comparison, *, language: str, form: str, typical: bool
) -> dict[str, Any]:
    """Everything the comparison partial shows: summary, annual table, chart, monthly table."""
    estimates = comparison.estimates
    current = comparison.estimate(comparison.current_plan)
    if typical:
        # Form (a): the year as 12 calendar months, June–September at the summer bill.
        by_label = [{month.label: month.bill.total for month in e.months} for e in estimates]
        months = [date_format(date(2000, m, 1), "M") for m in range(1, 13)]
        seasons = ["summer" if m in SUMMER_MONTHS else "non_summer" for m in range(1, 13)]
        series = [[totals[season] for season in seasons] for totals in by_label]
    else:
        months = [month.label for month in estimates[0].months]
        seasons = [
            "summer" if int(label[5:7]) in SUMMER_MONTHS else "non_summer" for label in months
        ]
        series = [[month.bill.total for month in e.months] for e in estimates]
    plans = [
        {
            "code": e.plan.value,
            "name": PLAN_NAMES[e.plan].in_language(language),
            "annual": _money(e.annual_total),
            "annual_total": e.annual_total,
            "difference": e.annual_total - current.annual_total,
            "difference_text": _money(abs(e.annual_total - current.annual_total)),
            "cheapest": e.plan is comparison.cheapest,
            "current": e.plan is comparison.current_plan,
            "lock_in": e.lock_in,
            "provisional": e.provisional,
            "versions": ", ".join(e.tariff_versions),
            "series": index,
        }
        for index, e in enumerate(estimates)
    ]
    rows = [
        {
            "label": label,
            "summer": season == "summer",
            "values": [_money(values[m]) for values in series],
        }
        for m, (label, season) in enumerate(zip(months, seasons, strict=True))
    ]
    return {
        "form": form,
        "typical": typical,
        "plans": plans,
        "rows": rows,
        "cheapest": PLAN_NAMES[comparison.cheapest].in_language(language),
        "cheapest_code": comparison.cheapest.value,
        "cheapest_is_current": comparison.cheapest is comparison.current_plan,
        "current": PLAN_NAMES[comparison.current_plan].in_language(language),
        "saving": _money(comparison.saving),
        "saving_total": comparison.saving,
        "explanation": comparison.explanation.in_language(language),
        "lock_in_warning": (
            comparison.lock_in_warning.in_language(language) if comparison.lock_in_warning else ""
        ),
        "assumptions": [a.in_language(language) for a in comparison.assumptions],
        "provisional": comparison.provisional,
        "chart": comparison_chart(months=months, series=series, prefix=f"{form}-chart"),
    }


def bill_context(bill: engine.Bill, *, language: str) -> dict[str, Any]:
    """The itemised bill as the bill partial shows it."""
    english = language.lower().startswith("en")
    return {
        "plan": PLAN_NAMES[bill.plan].in_language(language),
        "total": _money(bill.total),
        "total_value": bill.total,
        "start": bill.start,
        "end": bill.end,
        "days": bill.days,
        "versions": list(bill.tariff_versions),
        "provisional": bill.provisional,
        "notes": [note.in_language(language) for note in bill.notes],
        "unrounded": _decimal(bill.unrounded_total_decimal),
        "lines": [
            {
                "label": line.label_en if english else line.label_zh,
                "kwh": "" if line.kwh is None else _decimal(line.kwh),
                "unit_price": "" if line.unit_price is None else str(line.unit_price),
                "amount": _decimal(line.amount),
                "approximate": line.approximate,
            }
            for line in bill.lines
        ],
    }


def _decimal(value: Decimal) -> str:
    return f"{value:,f}"


# --- The view -------------------------------------------------------------------------------


def _calculate(name: str, *, form: CustomerForm, language: str) -> dict[str, Any] | None:
    """Run the form's calculation; on bad input attach the problems and return None."""
    data = form.cleaned_data
    try:
        if isinstance(form, TypicalForm):
            comparison = api.tariff_compare_typical(
                current_plan=data["current_plan"],
                tiered_plan=data["tiered_plan"],
                summer_kwh=data["summer_kwh"],
                non_summer_kwh=data["non_summer_kwh"],
                summer_shares=form.shares("summer"),
                non_summer_shares=form.shares("non_summer"),
                **form.options(),
            )
            return comparison_context(comparison, language=language, form=name, typical=True)
        if isinstance(form, ReadingForm):
            bill = api.tariff_bill(
                plan=data["plan"],
                start=data["start"],
                end=data["end"],
                kwh=form.usage(),
                billing=data["billing"],
                **form.options(),
            )
            return bill_context(bill, language=language)
        # the third form: IntervalsForm
        upload = data["csv"]
        if upload.size is not None and upload.size > api.MAX_CSV_BYTES:
            raise api.invalid_input(api.csv_too_large(upload.size))
        content = upload.read()
        comparison = api.tariff_compare_csv(
            data=content,
            current_plan=data["current_plan"],
            tiered_plan=data["tiered_plan"],
            as_of=data["as_of"],
            **form.options(),
        )
        return comparison_context(comparison, language=language, form=name, typical=False)
    except InvalidInputError as error:
        form.attach(error)
        return None


def _only_missing(form: CustomerForm) -> bool:
    """Whether every problem of ``form`` is a required field left empty."""
    return all(
        error.code == "required" for errors in form.errors.as_data().values() for error in errors
    )


def _status(name: str, *, form: CustomerForm, result: dict[str, Any] | None) -> str:
    """The short text announced in the live region after an htmx update."""
    if result is None:
        count = sum(len(errors) for errors in form.errors.values())
        return _("There is a problem with %(count)d of your entries; see the form.") % {
            "count": count
        }
    if name == "reading":
        return _("The bill is NT$%(total)s.") % {"total": result["total"]}
    if result["cheapest_is_current"]:
        return _("Updated: your current plan is already the cheapest.")
    return _("Updated: the cheapest plan is %(plan)s, about NT$%(saving)s a year less.") % {
        "plan": result["cheapest"],
        "saving": result["saving"],
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def tariff_calculator_view(request: HttpRequest) -> HttpResponse:
    language = get_language() or "zh-hant"
    posted = request.POST.get("form") if request.method == "POST" else None
    forms: dict[str, CustomerForm] = {}
    for name, form_class in FORMS.items():
        if name == posted:
            forms[name] = form_class(request.POST, request.FILES)
        elif name == "intervals":
            forms[name] = form_class(initial={"as_of": timezone.localdate()})
        else:
            forms[name] = form_class()
    results: dict[str, dict[str, Any] | None] = dict.fromkeys(FORMS)
    htmx = request.headers.get("HX-Request") == "true"
    # htmx "live" updates (sent as you change a field, not by the button) stay quiet about
    # fields not filled in yet: no errors, no result, nothing announced.
    live = htmx and request.POST.get("live") == "1"
    quiet = False
    if posted in forms:
        form = forms[posted]
        if form.is_valid():
            results[posted] = _calculate(posted, form=form, language=language)
        elif live and _only_missing(form):
            forms[posted] = FORMS[posted](initial=request.POST.dict())
            quiet = True
    context = {
        "forms": forms,
        "typical_form": forms["typical"],
        "reading_form": forms["reading"],
        "intervals_form": forms["intervals"],
        "typical_result": results["typical"],
        "reading_result": results["reading"],
        "intervals_result": results["intervals"],
        "posted": posted,
        "htmx": htmx,
        "periods": period_hours(language),
        "max_csv_mb": api.MAX_CSV_BYTES // 1_000_000,
    }
    if htmx and posted in forms:
        context["status"] = (
            "" if quiet else _status(posted, form=forms[posted], result=results[posted])
        )
        return render(request, f"tariffs/partials/_{posted}.html", context)
    return render(request, "tariffs/calculator.html", context)
