"""The calculator page: plain POST forms without JavaScript, htmx partials, errors on the right
inputs, the chart and its table, and the same totals as the API and the CLI.
"""

from __future__ import annotations

import html as html_module
import json
import re
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from powerdesk.tariffs import api as tariff_api
from powerdesk.tariffs import engine, views
from powerdesk.tariffs.tests.test_api import year_csv

PAGE = "/tariffs/"
DATA = Path(__file__).resolve().parent / "data"

TYPICAL = {
    "form": "typical",
    "current_plan": "residential",
    "tiered_plan": "",
    "summer_kwh": "900",
    "non_summer_kwh": "350",
    "summer_peak": "5",
    "summer_semi_peak": "25",
    "summer_off_peak": "70",
    "non_summer_semi_peak": "20",
    "non_summer_off_peak": "80",
    "phase": "single",
}
READING = {
    "form": "reading",
    "plan": "residential",
    "start": "2025-06-01",
    "end": "2025-06-30",
    "kwh": "500",
    "billing": "monthly",
    "phase": "single",
}


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _annual(html: str) -> dict[str, int]:
    return {
        plan: int(total)
        for plan, total in re.findall(r'data-plan="(\w+)" data-annual="(\d+)"', html)
    }


def _total(html: str) -> int:
    found = re.findall(r'class="bill-total" data-total="(\d+)"', html)
    assert len(found) == 1, html
    return int(found[0])


def _field_errors(html: str, field_id: str) -> list[str]:
    block = re.search(
        rf'<ul class="field__error" id="{field_id}_error">(.*?)</ul>', html, flags=re.S
    )
    if block is None:
        return []
    return [
        html_module.unescape(
            re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">.*?</span>', "", item))
        ).strip()
        for item in re.findall(r"<li>(.*?)</li>", block.group(1), flags=re.S)
    ]


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "prefix", "language"), [("zh-Hant", "", "zh-hant"), ("en", "/en", "en")]
)
def test_tariff_calculator_view_shows_three_forms_and_the_period_hours(
    client, _case, prefix, language
) -> None:
    # given
    with translation.override(language):
        heading = translation.gettext("Time-of-use tariff trial calculator for homes and shops")
    # when
    response = client.get(prefix + PAGE)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<h1>(.*?)</h1>", html).group(1) == heading
    assert response["Content-Language"] == language
    for form in ("typical", "reading", "intervals"):
        assert f'<input type="hidden" name="form" value="{form}">' in html
    assert "16:00–22:00" in html  # three-period summer peak (new bands)
    assert "09:00–16:00, 22:00–24:00" in html  # three-period summer semi-peak
    assert 'src="/static/vendor/htmx/htmx.min.js"' in html
    assert "<script>" not in html
    assert " style=" not in html
    assert "HX-Request" in response["Vary"]


def test_typical_form_without_javascript_answers_with_the_whole_page(client) -> None:
    # when
    response = client.post("/en" + PAGE, TYPICAL)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert _annual(html) == {"residential": 20852, "simple_tou_2": 18880, "simple_tou_3": 18564}
    assert 'data-cheapest="simple_tou_3" data-saving="2288"' in html
    assert engine.LOCK_IN_WARNING.en in html
    assert 'role="img" aria-labelledby="typical-chart-title typical-chart-desc"' in html
    assert '<title id="typical-chart-title">' in html
    assert '<desc id="typical-chart-desc">' in html
    assert html.count('class="chart__bar"/>') == 36 + 3  # 12 months x 3 plans, 3 legend swatches
    assert "hx-swap-oob" not in html


def test_typical_form_with_htmx_answers_with_the_partial_and_a_status(client) -> None:
    # when
    response = client.post("/en" + PAGE, TYPICAL, HTTP_HX_REQUEST="true")
    # then
    html = response.content.decode()
    assert "<html" not in html
    assert _annual(html) == {"residential": 20852, "simple_tou_2": 18880, "simple_tou_3": 18564}
    assert re.search(r'<p id="tariffs-status" hx-swap-oob="innerHTML">(.*?)</p>', html).group(
        1
    ) == (
        "Updated: the cheapest plan is Simple time-of-use tariff (three periods), about NT$2,288 a year less."
    )


def test_typical_form_puts_engine_errors_on_their_inputs(client) -> None:
    # when: the summer shares add up to 105 %
    response = client.post("/en" + PAGE, {**TYPICAL, "summer_peak": "10"})
    # then
    html = response.content.decode()
    assert _field_errors(html, "typical-summer_peak") == [
        "The shares in summer_shares must add up to 100 %, not 105 %."
    ]
    assert 'role="alert"' in html
    assert "data-error-summary" in html
    assert '<a href="#typical-summer_peak">' in html
    assert _annual(html) == {}


def test_typical_form_errors_in_chinese(client) -> None:
    response = client.post(PAGE, {**TYPICAL, "summer_kwh": "-3"})
    assert _field_errors(response.content.decode(), "typical-summer_kwh") == [
        "「summer_kwh」的用電度數不可為負數（-3）。"
    ]


def test_live_update_is_quiet_about_empty_fields_but_not_about_wrong_ones(client) -> None:
    # given: only the plan chosen so far
    partial = {"form": "typical", "current_plan": "commercial", "live": "1"}
    # when
    quiet = client.post("/en" + PAGE, partial, HTTP_HX_REQUEST="true").content.decode()
    loud = client.post(
        "/en" + PAGE, {**TYPICAL, "summer_kwh": "lots", "live": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    # then: nothing to complain about yet, the choice kept
    assert "error-summary" not in quiet
    assert '<option value="commercial" selected>' in quiet
    assert '<p id="tariffs-status" hx-swap-oob="innerHTML"></p>' in quiet
    # but a wrong value is reported at once in the result area (htmx swaps only that),
    # linked to its input, without interrupting (no alert role)
    result = loud[loud.index('<div id="typical-result"') :]
    assert (
        '<a href="#typical-summer_kwh">Typical monthly use in summer (kWh): '
        "summer_kwh must be a number of kWh, got &#x27;lots&#x27;.</a>"
    ) in result
    assert 'role="alert"' not in loud
    assert "There is a problem with 1 of your entries; see the form." in loud


def test_button_submission_reports_missing_fields_even_with_htmx(client) -> None:
    response = client.post(
        "/en" + PAGE, {"form": "typical", "current_plan": "residential"}, HTTP_HX_REQUEST="true"
    )
    result = response.content.decode().split('<div id="typical-result"', 1)[1]
    assert (
        '<a href="#typical-summer_kwh">Typical monthly use in summer (kWh): This field is required.</a>'
        in result
    )


# --- Form (b) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "change", "expected"),
    [
        ("residential total", {}, 1345),
        (
            "three-period TOU per period",
            {
                "plan": "simple_tou_3",
                "start": "2025-07-01",
                "end": "2025-07-31",
                "kwh": "",
                "peak": "100",
                "semi_peak": "200",
                "off_peak": "300",
            },
            engine.bill_total(
                plan="simple_tou_3",
                start=date(2025, 7, 1),
                end=date(2025, 7, 31),
                kwh={"peak": 100, "semi_peak": 200, "off_peak": 300},
            ),
        ),
        (
            "bimonthly, tax exempt",
            {
                "billing": "bimonthly",
                "start": "2025-05-01",
                "end": "2025-06-30",
                "kwh": "900",
                "tax_exempt": "on",
            },
            engine.bill_total(
                plan="residential",
                start=date(2025, 5, 1),
                end=date(2025, 6, 30),
                kwh=900,
                billing="bimonthly",
                tax_exempt=True,
            ),
        ),
    ],
)
def test_reading_form_prices_the_bill(client, _case, change, expected) -> None:
    response = client.post("/en" + PAGE, {**READING, **change})
    html = response.content.decode()
    assert _total(html) == expected
    assert "Itemised bill" in html


@pytest.mark.parametrize(
    ("_case", "change", "field_id", "message"),
    [
        (
            "both total and periods",
            {"peak": "5"},
            "reading-kwh",
            "Give either the total or the kWh per period, not both.",
        ),
        (
            "neither",
            {"kwh": ""},
            "reading-kwh",
            "Enter the electricity used: the total, or the kWh per period for a time-of-use plan.",
        ),
        (
            "total for a TOU plan",
            {"plan": "simple_tou_2"},
            "reading-kwh",
            "Plan 'simple_tou_2' is time-of-use: give kWh per period (peak, semi_peak, off_peak), not a total.",
        ),
        (
            "periods for a tiered plan",
            {"kwh": "", "peak": "5", "off_peak": "9"},
            "reading-peak",
            "Plan 'residential' is not time-of-use: give the total kWh, not kWh per period.",
        ),
        (
            "semi-peak on the two-period plan",
            {"plan": "simple_tou_2", "kwh": "", "peak": "5", "semi_peak": "9"},
            "reading-semi_peak",
            "Plan 'simple_tou_2' has no semi-peak period in summer, but 9 kWh were given for it.",
        ),
        (
            "start after end",
            {"start": "2025-07-01"},
            "reading-start",
            "The start date 2025-07-01 is after the end date 2025-06-30.",
        ),
        ("not a date", {"end": "30/06/2025"}, "reading-end", "Enter a valid date."),
        (
            "power factor on single phase",
            {"power_factor": "80"},
            "reading-power_factor",
            "The power-factor adjustment applies to three-phase customers only; leave power_factor and equipment_kva empty for a single-phase meter.",
        ),
    ],
)
def test_reading_form_errors(client, _case, change, field_id, message) -> None:
    html = client.post("/en" + PAGE, {**READING, **change}).content.decode()
    assert _field_errors(html, field_id) == [message]
    assert "bill-total" not in html


def test_reading_form_opens_the_supply_details_when_they_have_an_error(client) -> None:
    html = client.post("/en" + PAGE, {**READING, "power_factor": "80"}).content.decode()
    reading = html[html.index('id="reading-body"') :]
    assert '<details class="more-options" open>' in reading


# --- Form (c) -------------------------------------------------------------------------------


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("meter.csv", data, content_type="text/csv")


def test_intervals_form_lists_the_problems_row_by_row(client) -> None:
    # when
    response = client.post(
        "/en" + PAGE,
        {
            "form": "intervals",
            "current_plan": "residential",
            "phase": "single",
            "csv": _upload((DATA / "row_errors.csv").read_bytes()),
        },
    )
    # then
    html = response.content.decode()
    table = html[html.index("intervals-problems-caption") :]
    rows = re.findall(r'<th scope="row">(\d+)</th>\s*<td data-label="Column">([^<]*)</td>', table)
    assert rows == [("3", "kwh"), ("4", "kwh"), ("5", "timestamp"), ("6", "kwh"), ("7", "—")]
    assert (
        "Row 5, column &#x27;timestamp&#x27;: &#x27;2026-13-01 00:45&#x27; is not a valid timestamp"
        in table
    )
    assert _field_errors(html, "intervals-csv") == [
        "Row 3, column 'kwh': 'abc' is not a number. (and 4 more problems)"
    ]


def test_intervals_form_compares_a_year_of_data(client) -> None:
    # given
    data = year_csv()
    expected = engine.compare_intervals(
        engine.parse_interval_csv(data), current_plan="residential", as_of=date(2026, 1, 1)
    )
    # when
    response = client.post(
        "/en" + PAGE,
        {
            "form": "intervals",
            "current_plan": "residential",
            "as_of": "2026-01-01",
            "phase": "single",
            "csv": _upload(data),
        },
        HTTP_HX_REQUEST="true",
    )
    # then
    html = response.content.decode()
    assert _annual(html) == {e.plan.value: e.annual_total for e in expected.estimates}
    assert ">2026-01<" in html
    assert ">2026-12<" in html


def test_intervals_form_refuses_a_file_above_the_limit(client, monkeypatch) -> None:
    monkeypatch.setattr(tariff_api, "MAX_CSV_BYTES", 100)
    html = client.post(
        "/en" + PAGE,
        {
            "form": "intervals",
            "current_plan": "residential",
            "phase": "single",
            "csv": _upload(year_csv()),
        },
    ).content.decode()
    assert _field_errors(html, "intervals-csv")[0].startswith("The CSV file may be at most 0 MB")


def test_intervals_form_requires_a_file(client) -> None:
    html = client.post(
        "/en" + PAGE, {"form": "intervals", "current_plan": "residential", "phase": "single"}
    ).content.decode()
    assert _field_errors(html, "intervals-csv") == ["This field is required."]


# --- The chart ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "largest", "step"),
    [
        ("zero", 0, 1),
        ("small", 7, 2),
        ("hundreds", 751, 200),
        ("thousands", 3711, 1000),
        ("round", 5000, 1000),
    ],
)
def test_chart_ticks_are_round_numbers(_case, largest, step) -> None:
    assert views._nice_step(largest) == step


def test_comparison_chart_bars_are_proportional_to_the_bills() -> None:
    # when
    chart = views.comparison_chart(months=["a", "b"], series=[[1000, 2000], [0, 4000]], prefix="t")
    # then: the axis ends at 4,000 = the 290-unit plot width
    widths = [float(bar.width) for bar in chart["bars"]]
    assert widths == [72.5, 0.5, 145.0, 290.0]  # a zero bill keeps a hairline bar
    assert [bar.value for bar in chart["bars"]] == ["1,000", "0", "2,000", "4,000"]
    assert [tick["label"] for tick in chart["ticks"]] == ["0", "1,000", "2,000", "3,000", "4,000"]


# --- API, CLI and page agree ----------------------------------------------------------------


def _cli(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("tariffs", *args, stdout=out)
    return json.loads(out.getvalue())


BILL_CASES = [
    (
        {"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": "500"},
        ["--kwh", "500"],
        {"kwh": "500"},
    ),
    (
        {
            "plan": "commercial",
            "start": "2025-09-15",
            "end": "2025-10-14",
            "kwh": "1234.5",
            "meter_amperes": "40",
        },
        ["--kwh", "1234.5", "--meter-amperes", "40"],
        {"kwh": "1234.5", "meter_amperes": "40"},
    ),
    (
        {
            "plan": "non_residential",
            "start": "2025-03-01",
            "end": "2025-04-30",
            "kwh": "880",
            "billing": "bimonthly",
            "tax_exempt": True,
        },
        ["--kwh", "880", "--billing", "bimonthly", "--tax-exempt"],
        {"kwh": "880", "billing": "bimonthly", "tax_exempt": "on"},
    ),
    (
        {
            "plan": "simple_tou_2",
            "start": "2026-02-01",
            "end": "2026-02-28",
            "kwh": {"peak": "210", "off_peak": "390"},
        },
        ["--peak", "210", "--off-peak", "390"],
        {"kwh": "", "peak": "210", "off_peak": "390"},
    ),
]


@pytest.mark.parametrize(("api_body", "cli_args", "form_fields"), BILL_CASES)
def test_api_cli_and_page_give_the_same_bill(client, api_body, cli_args, form_fields) -> None:
    # when
    api_total = client.post(
        "/api/v1/tariffs/bill", data=json.dumps(api_body), content_type="application/json"
    ).json()["total"]
    cli_total = _cli(
        "bill",
        "--plan",
        api_body["plan"],
        "--start",
        api_body["start"],
        "--end",
        api_body["end"],
        *cli_args,
    )["total"]
    page = client.post(
        PAGE,
        {
            **READING,
            "plan": api_body["plan"],
            "start": api_body["start"],
            "end": api_body["end"],
            **form_fields,
        },
    ).content.decode()
    # then
    assert api_total == cli_total == _total(page)


COMPARE_CASES = [
    ("residential", "500", "300", ("20", "30", "50"), ("40", "60")),
    ("commercial", "2400", "1600", ("30", "40", "30"), ("55", "45")),
    ("non_residential", "180", "120", ("10", "20", "70"), ("25", "75")),
]


@pytest.mark.parametrize(
    ("plan", "summer", "other", "summer_shares", "other_shares"), COMPARE_CASES
)
def test_api_cli_and_page_give_the_same_comparison(
    client, plan, summer, other, summer_shares, other_shares
) -> None:
    # when
    api_body = {
        "current_plan": plan,
        "summer_kwh": summer,
        "non_summer_kwh": other,
        "summer_shares": dict(zip(("peak", "semi_peak", "off_peak"), summer_shares, strict=True)),
        "non_summer_shares": dict(zip(("semi_peak", "off_peak"), other_shares, strict=True)),
    }
    api_answer = client.post(
        "/api/v1/tariffs/compare", data=json.dumps(api_body), content_type="application/json"
    ).json()
    cli_answer = _cli(
        "compare",
        "--current-plan",
        plan,
        "--summer-kwh",
        summer,
        "--non-summer-kwh",
        other,
        "--summer-shares",
        ",".join(summer_shares),
        "--non-summer-shares",
        ",".join(other_shares),
    )
    page = client.post(
        PAGE,
        {
            **TYPICAL,
            "current_plan": plan,
            "summer_kwh": summer,
            "non_summer_kwh": other,
            "summer_peak": summer_shares[0],
            "summer_semi_peak": summer_shares[1],
            "summer_off_peak": summer_shares[2],
            "non_summer_semi_peak": other_shares[0],
            "non_summer_off_peak": other_shares[1],
        },
    ).content.decode()
    # then
    totals = {e["plan"]: e["annual_total"] for e in api_answer["estimates"]}
    assert totals == {e["plan"]: e["annual_total"] for e in cli_answer["estimates"]}
    assert totals == _annual(page)
    assert api_answer["cheapest"] == cli_answer["cheapest"]


def test_api_cli_and_page_give_the_same_interval_comparison(client, tmp_path) -> None:
    # given
    data = year_csv(step=30)
    path = tmp_path / "meter.csv"
    path.write_bytes(data)
    # when
    api_answer = client.post(
        "/api/v1/tariffs/compare",
        {"csv": _upload(data), "current_plan": "residential", "as_of": "2026-01-01"},
    ).json()
    cli_answer = _cli("compare", "--csv", str(path), "--as-of", "2026-01-01")
    page = client.post(
        PAGE,
        {
            "form": "intervals",
            "current_plan": "residential",
            "as_of": "2026-01-01",
            "phase": "single",
            "csv": _upload(data),
        },
    ).content.decode()
    # then
    totals = {e["plan"]: e["annual_total"] for e in api_answer["estimates"]}
    assert totals == {e["plan"]: e["annual_total"] for e in cli_answer["estimates"]}
    assert totals == _annual(page)
