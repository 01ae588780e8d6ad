"""The tariff API's promises: exact totals from the engine, the documented shapes, one error shape
naming the field (or the CSV row and column) in the request's language, and never a 500.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from openapi_spec_validator import validate

from powerdesk.tariffs import api as tariff_api
from powerdesk.tariffs import engine

BILL = "/api/v1/tariffs/bill"
COMPARE = "/api/v1/tariffs/compare"
DATA = Path(__file__).resolve().parent / "data"

JUNE_500 = {"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": 500}
TYPICAL = {
    "current_plan": "residential",
    "summer_kwh": 500,
    "non_summer_kwh": 300,
    "summer_shares": {"peak": 20, "semi_peak": 30, "off_peak": 50},
    "non_summer_shares": {"semi_peak": 40, "off_peak": 60},
}
TOU_WINS = {
    "current_plan": "residential",
    "summer_kwh": 900,
    "non_summer_kwh": 350,
    "summer_shares": {"peak": 5, "semi_peak": 25, "off_peak": 70},
    "non_summer_shares": {"semi_peak": 20, "off_peak": 80},
}


def year_csv(*, year: int = 2026, step: int = 60) -> bytes:
    """Interval data for a whole year: 0.9 kWh/h from 16:00 to 22:00, 0.3 at night, 0.5 else."""
    lines = ["timestamp,kwh"]
    moment = datetime(year, 1, 1)  # noqa: DTZ001 - naive Asia/Taipei wall time, as in the CSV
    factor = Decimal(step) / 60
    while moment.year == year:
        hourly = (
            Decimal("0.9")
            if 16 <= moment.hour < 22
            else Decimal("0.3")
            if moment.hour < 7
            else Decimal("0.5")
        )
        lines.append(f"{moment:%Y-%m-%d %H:%M},{hourly * factor}")
        moment += timedelta(minutes=step)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()  # the anonymous throttle counts per address in the cache


def _post(client, path: str, body: Any, *, language: str | None = None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **headers)


# --- POST /tariffs/bill ---------------------------------------------------------------------


def test_tariff_bill_api_itemises_a_residential_summer_bill(client) -> None:
    # when
    response = _post(client, BILL, JUNE_500)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1345
    assert body["tariff_versions"] == ["residential@2024-04-01"]
    assert body["unrounded_total"] == "1345.10"
    assert [(line["kwh"], line["unit_price"], line["amount"]) for line in body["lines"]] == [
        ("120", "1.68", "201.60"),
        ("210", "2.45", "514.50"),
        ("170", "3.70", "629.00"),
    ]
    assert body["lines"][0]["label"] == "夏月第 1 段（120 度以下）"
    assert body["plan_name"] == "表燈非時間電價（住宅用）"
    assert body["provisional"] is False


def test_tariff_bill_api_labels_follow_the_request_language(client) -> None:
    response = _post(client, BILL, JUNE_500, language="en")
    body = response.json()
    assert body["lines"][0]["label"] == "Summer block 1 (up to 120 kWh)"
    assert body["plan_name"] == "Lighting tariff, non-time-of-use (residential)"


@pytest.mark.parametrize(
    ("_case", "kwh"),
    [
        ("integer", 500),
        ("decimal string", "500"),
        ("float", 500.0),
        ("string with spaces", " 500 "),
    ],
)
def test_tariff_bill_api_takes_numbers_as_json_numbers_or_strings(client, _case, kwh) -> None:
    response = _post(client, BILL, {**JUNE_500, "kwh": kwh})
    assert response.status_code == 200
    assert response.json()["total"] == 1345


def test_tariff_bill_api_keeps_decimal_kwh_exact(client) -> None:
    # given: 0.1 kWh steps are not exact binary floats
    expected = engine.compute_bill(
        plan="residential", start=date(2025, 6, 1), end=date(2025, 6, 30), kwh=Decimal("330.1")
    )
    # when
    response = _post(client, BILL, {**JUNE_500, "kwh": 330.1})
    # then
    assert response.json()["unrounded_total"] == str(expected.unrounded_total_decimal)
    assert response.json()["total"] == expected.total


@pytest.mark.parametrize(
    ("_case", "body", "kwargs"),
    [
        (
            "three-period TOU",
            {
                "plan": "simple_tou_3",
                "start": "2025-07-01",
                "end": "2025-07-31",
                "kwh": {"peak": 100, "semi_peak": 200, "off_peak": 300},
            },
            {"kwh": {"peak": 100, "semi_peak": 200, "off_peak": 300}},
        ),
        (
            "two-period TOU, semi-peak left out",
            {
                "plan": "simple_tou_2",
                "start": "2026-01-01",
                "end": "2026-01-31",
                "kwh": {"peak": "150.5", "off_peak": 420},
            },
            {"kwh": {"peak": Decimal("150.5"), "off_peak": 420}},
        ),
        (
            "bimonthly, commercial, tax exempt",
            {
                "plan": "commercial",
                "start": "2025-04-15",
                "end": "2025-06-14",
                "kwh": 1800,
                "billing": "bimonthly",
                "tax_exempt": True,
            },
            {"kwh": 1800, "billing": "bimonthly", "tax_exempt": True},
        ),
        (
            "three-phase with power factor",
            {
                "plan": "non_residential",
                "start": "2025-10-01",
                "end": "2025-10-31",
                "kwh": 2500,
                "phase": "three",
                "meter_amperes": 60,
                "power_factor": 75.0,
                "equipment_kva": 30,
            },
            {
                "kwh": 2500,
                "phase": "three",
                "meter_amperes": 60,
                "power_factor": 75,
                "equipment_kva": 30,
            },
        ),
        (
            "low use with the meter rating (minimum charge)",
            {
                "plan": "residential",
                "start": "2025-11-01",
                "end": "2025-11-30",
                "kwh": 3,
                "meter_amperes": 30,
            },
            {"kwh": 3, "meter_amperes": 30},
        ),
    ],
)
def test_tariff_bill_api_total_is_the_engines(client, _case, body, kwargs) -> None:
    # given
    expected = engine.compute_bill(
        plan=body["plan"],
        start=date.fromisoformat(body["start"]),
        end=date.fromisoformat(body["end"]),
        **kwargs,
    )
    # when
    response = _post(client, BILL, body)
    # then
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["total"] == expected.total
    assert answer["tariff_versions"] == list(expected.tariff_versions)
    assert [line["amount"] for line in answer["lines"]] == [
        str(line.amount) for line in expected.lines
    ]


BAD_BILLS = [
    ("negative kWh", {"kwh": -5}, "kwh", "tariff.kwh_negative"),
    ("kWh not a number", {"kwh": "abc"}, "kwh", "tariff.kwh_not_a_number"),
    ("kWh true", {"kwh": True}, "kwh", "tariff.kwh_not_a_number"),
    ("kWh a list", {"kwh": [500]}, "kwh", "tariff.kwh_not_a_number"),
    ("kWh null", {"kwh": None}, "kwh", "tariff.kwh_not_a_number"),
    ("kWh string NaN", {"kwh": "NaN"}, "kwh", "tariff.kwh_not_a_number"),
    ("kWh string Infinity", {"kwh": "Infinity"}, "kwh", "tariff.kwh_not_a_number"),
    ("huge kWh", {"kwh": 1e30}, "kwh", "tariff.number_too_large"),
    ("huge kWh string", {"kwh": "9" * 5000}, "kwh", "tariff.number_too_large"),
    ("tiny exponent", {"kwh": "1e-999999999"}, "kwh", "tariff.number_too_precise"),
    ("7 decimal places", {"kwh": "0.1234567"}, "kwh", "tariff.number_too_precise"),
    ("unknown plan", {"plan": "industrial"}, "plan", "tariff.unknown_plan"),
    ("plan a number", {"plan": 5}, "plan", "tariff.unknown_plan"),
    (
        "TOU kWh for a tiered plan",
        {"kwh": {"peak": 100, "off_peak": 400}},
        "kwh",
        "tariff.tou_kwh_for_tiered_plan",
    ),
    ("total for a TOU plan", {"plan": "simple_tou_2"}, "kwh", "tariff.total_kwh_for_tou_plan"),
    (
        "unknown period",
        {"plan": "simple_tou_3", "kwh": {"night": 5}},
        "kwh",
        "tariff.kwh_unknown_period",
    ),
    (
        "negative period kWh",
        {"plan": "simple_tou_3", "kwh": {"peak": -1}},
        "kwh.peak",
        "tariff.kwh_negative",
    ),
    (
        "semi-peak for the two-period plan",
        {"plan": "simple_tou_2", "kwh": {"peak": 1, "semi_peak": 5}},
        "kwh.semi_peak",
        "tariff.period_not_in_plan",
    ),
    ("start after end", {"start": "2025-07-01"}, "start", "tariff.start_after_end"),
    (
        "before the known tariffs",
        {"start": "2010-06-01", "end": "2010-06-30"},
        "start",
        "tariff.date_out_of_range",
    ),
    ("no such day", {"start": "2025-02-30"}, "start", "tariff.date_invalid"),
    ("date with slashes", {"end": "2025/06/30"}, "end", "tariff.date_invalid"),
    ("date a number", {"start": 20250601}, "start", "tariff.date_invalid"),
    ("week date", {"start": "2025-W23-1"}, "start", "tariff.date_invalid"),
    ("reading too long", {"end": "2025-08-30"}, "end", "tariff.period_too_long"),
    ("unknown billing", {"billing": "weekly"}, "billing", "tariff.unknown_billing"),
    (
        "bimonthly TOU",
        {"plan": "simple_tou_2", "kwh": {"peak": 1}, "billing": "bimonthly"},
        "billing",
        "tariff.tou_bimonthly",
    ),
    ("unknown phase", {"phase": "two"}, "phase", "tariff.unknown_phase"),
    ("negative meter", {"meter_amperes": -1}, "meter_amperes", "tariff.meter_amperes_invalid"),
    ("huge meter", {"meter_amperes": 10**9}, "meter_amperes", "tariff.number_too_large"),
    ("tax_exempt not boolean", {"tax_exempt": "maybe"}, "tax_exempt", "tariff.tax_exempt_invalid"),
    (
        "power factor out of range",
        {"phase": "three", "equipment_kva": 30, "power_factor": 150},
        "power_factor",
        "tariff.power_factor_invalid",
    ),
    (
        "power factor not whole",
        {"phase": "three", "equipment_kva": 30, "power_factor": 85.5},
        "power_factor",
        "tariff.power_factor_invalid",
    ),
    (
        "power factor on single phase",
        {"power_factor": 80},
        "power_factor",
        "tariff.power_factor_single_phase",
    ),
    (
        "minimum needs the meter rating",
        {
            "plan": "commercial",
            "phase": "three",
            "kwh": 2,
            "start": "2025-11-01",
            "end": "2025-11-30",
        },
        "meter_amperes",
        "tariff.meter_amperes_required",
    ),
]


@pytest.mark.parametrize(("_case", "change", "field", "code"), BAD_BILLS)
def test_tariff_bill_api_names_the_bad_field(client, _case, change, field, code) -> None:
    # when
    response = _post(client, BILL, {**JUNE_500, **change})
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [(f["field"], f["code"]) for f in body["details"]["fields"]] == [(field, code)]
    assert body["message"].startswith(f"輸入資料有誤：{field} — ")


def test_tariff_bill_api_reports_every_interface_level_problem_at_once(client) -> None:
    response = _post(
        client, BILL, {**JUNE_500, "start": "x", "end": "y", "kwh": 1e30}, language="en"
    )
    fields = response.json()["details"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [
        ("start", "tariff.date_invalid"),
        ("end", "tariff.date_invalid"),
        ("kwh", "tariff.number_too_large"),
    ]
    assert fields[0]["message"] == "start must be a valid date as YYYY-MM-DD, got 'x'."


@pytest.mark.parametrize(
    ("_case", "language", "message"),
    [
        ("zh-Hant by default", None, "輸入資料有誤：kwh — 「kwh」的用電度數不可為負數（-5）。"),
        ("English", "en", "Invalid input: kwh — kwh must not be negative (got -5 kWh)."),
    ],
)
def test_tariff_bill_api_error_is_in_the_request_language(client, _case, language, message):
    response = _post(client, BILL, {**JUNE_500, "kwh": -5}, language=language)
    assert response.json()["message"] == message


@pytest.mark.parametrize(
    ("_case", "raw"),
    [
        (
            "NaN literal",
            '{"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": NaN}',
        ),
        (
            "Infinity literal",
            '{"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": Infinity}',
        ),
        (
            "overflowing float",
            '{"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": 1e400}',
        ),
    ],
)
def test_tariff_bill_api_refuses_non_finite_json_numbers(client, _case, raw) -> None:
    response = _post(client, BILL, raw)
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["code"] == "tariff.kwh_not_a_number"


@pytest.mark.parametrize(
    ("_case", "raw", "status"),
    [
        ("not JSON", "{not json", 400),
        ("5000-digit integer", '{"kwh": ' + "9" * 5000 + "}", 400),
        ("a list", "[1, 2]", 422),
        ("missing fields", "{}", 422),
        ("unknown field", json.dumps({**JUNE_500, "kWh": 5}), 422),
    ],
)
def test_tariff_bill_api_malformed_bodies_get_the_error_shape(client, _case, raw, status) -> None:
    response = _post(client, BILL, raw)
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}


def test_tariff_bill_api_missing_fields_are_named(client) -> None:
    response = _post(client, BILL, {"plan": "residential"})
    fields = {f["field"]: f["code"] for f in response.json()["details"]["fields"]}
    assert fields == {"start": "missing", "end": "missing", "kwh": "missing"}


# --- POST /tariffs/compare: form (a) --------------------------------------------------------


def test_tariff_compare_api_form_a_prices_every_plan(client) -> None:
    # when
    response = _post(client, COMPARE, TYPICAL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert [(e["plan"], e["annual_total"], e["lock_in"]) for e in body["estimates"]] == [
        ("residential", 10540, False),
        ("simple_tou_2", 15720, True),
        ("simple_tou_3", 15796, True),
    ]
    assert body["cheapest"] == "residential"
    assert body["saving"] == 0
    assert body["lock_in_warning"] is None
    months = body["estimates"][0]["months"]
    assert [(m["label"], m["weight"], m["total"]) for m in months] == [
        ("summer", "4", 1395),
        ("non_summer", "8", 620),
    ]
    assert body["explanation"].endswith("您目前的表燈非時間電價（住宅用）已是最省的方案。")


def test_tariff_compare_api_form_a_warns_of_the_lock_in_when_tou_is_cheapest(client) -> None:
    response = _post(client, COMPARE, TOU_WINS, language="en")
    body = response.json()
    assert [e["annual_total"] for e in body["estimates"]] == [20852, 18880, 18564]
    assert body["cheapest"] == "simple_tou_3"
    assert body["saving"] == 2288
    assert body["lock_in_warning"] == engine.LOCK_IN_WARNING.en


@pytest.mark.parametrize(
    ("_case", "change", "field", "code"),
    [
        (
            "shares not 100",
            {"summer_shares": {"peak": 20, "semi_peak": 30, "off_peak": 40}},
            "summer_shares",
            "tariff.shares_sum",
        ),
        (
            "non-summer peak",
            {"non_summer_shares": {"peak": 10, "semi_peak": 30, "off_peak": 60}},
            "non_summer_shares.peak",
            "tariff.share_not_in_season",
        ),
        (
            "share not a number",
            {"summer_shares": {"peak": "x", "semi_peak": 30, "off_peak": 50}},
            "summer_shares.peak",
            "tariff.share_not_a_number",
        ),
        (
            "share above 100",
            {"summer_shares": {"peak": 1000, "semi_peak": 0, "off_peak": 0}},
            "summer_shares.peak",
            "tariff.number_too_large",
        ),
        ("negative kWh", {"summer_kwh": -1}, "summer_kwh", "tariff.kwh_negative"),
        ("kWh a string", {"non_summer_kwh": "lots"}, "non_summer_kwh", "tariff.kwh_not_a_number"),
        ("unknown plan", {"current_plan": "x"}, "current_plan", "tariff.unknown_plan"),
        (
            "TOU customer without class",
            {"current_plan": "simple_tou_2"},
            "tiered_plan",
            "tariff.tiered_plan_required",
        ),
        ("as_of before the tariffs", {"as_of": "2010-01-01"}, "as_of", "tariff.date_out_of_range"),
        ("as_of not a date", {"as_of": "soon"}, "as_of", "tariff.date_invalid"),
    ],
)
def test_tariff_compare_api_form_a_names_the_bad_field(client, _case, change, field, code):
    response = _post(client, COMPARE, {**TYPICAL, **change})
    assert response.status_code == 422
    assert [(f["field"], f["code"]) for f in response.json()["details"]["fields"]] == [
        (field, code)
    ]


def test_tariff_compare_api_form_a_with_form_c_fields_is_refused(client) -> None:
    response = _post(client, COMPARE, {**TYPICAL, "offpeak_days": ["2026-01-01"]})
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "offpeak_days"


# --- POST /tariffs/compare: form (c) --------------------------------------------------------


def _expected_intervals(data: bytes, **kwargs: Any) -> list[int]:
    series = engine.parse_interval_csv(data)
    comparison = engine.compare_intervals(series, current_plan="residential", **kwargs)
    return [e.annual_total for e in comparison.estimates]


def test_tariff_compare_api_form_c_as_json_text(client) -> None:
    # given
    data = year_csv()
    # when
    response = _post(client, COMPARE, {"current_plan": "residential", "csv": data.decode()})
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [e["annual_total"] for e in body["estimates"]] == _expected_intervals(data)
    assert [m["label"] for m in body["estimates"][0]["months"]] == [
        f"2026-{month:02d}" for month in range(1, 13)
    ]


def test_tariff_compare_api_form_c_as_upload_with_as_of(client) -> None:
    # given: 2025 data, before the off-peak day list is known: priced at today's tariffs
    data = year_csv(year=2025, step=15)
    # when
    response = client.post(
        COMPARE,
        {
            "csv": _upload(data),
            "current_plan": "simple_tou_2",
            "tiered_plan": "residential",
            "as_of": "2025-10-01",
            "tax_exempt": "false",
        },
    )
    # then
    assert response.status_code == 200, response.json()
    series = engine.parse_interval_csv(data)
    expected = engine.compare_intervals(
        series, current_plan="simple_tou_2", tiered_plan="residential", as_of=date(2025, 10, 1)
    )
    body = response.json()
    assert [e["annual_total"] for e in body["estimates"]] == [
        e.annual_total for e in expected.estimates
    ]
    assert body["current_plan"] == "simple_tou_2"


def test_tariff_compare_api_form_c_without_as_of_needs_the_offpeak_days(client) -> None:
    response = client.post(
        COMPARE, {"csv": _upload(year_csv(year=2025)), "current_plan": "residential"}
    )
    assert response.status_code == 422
    problem = response.json()["details"]["fields"][0]
    assert (problem["field"], problem["code"]) == ("csv", "tariff.offpeak_days_unknown")


def _upload(data: bytes, name: str = "meter.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_tariff_compare_api_lists_csv_problems_by_row_and_column(client) -> None:
    # when
    response = client.post(
        COMPARE,
        {"csv": _upload((DATA / "row_errors.csv").read_bytes()), "current_plan": "residential"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then
    assert response.status_code == 422
    details = response.json()["details"]
    assert details["fields"][0]["field"] == "csv"
    assert [(r["row"], r["column"], r["code"]) for r in details["rows"]] == [
        (3, "kwh", "tariff.csv.kwh_not_a_number"),
        (4, "kwh", "tariff.csv.kwh_negative"),
        (5, "timestamp", "tariff.csv.timestamp_invalid"),
        (6, "kwh", "tariff.csv.kwh_missing"),
        (7, "", "tariff.csv.columns"),
    ]
    assert details["rows"][0]["message"] == "Row 3, column 'kwh': 'abc' is not a number."
    assert details["more"] == 0


@pytest.mark.parametrize(
    ("_case", "data", "expected"),
    [
        (
            "wrong header",
            b"time,energy\n2026-01-01 00:00,1\n",
            [(1, "", "tariff.csv.header")],
        ),
        (
            "gap",
            b"timestamp,kwh\n2026-01-01 00:00,1\n2026-01-01 01:00,1\n2026-01-01 03:00,1\n"
            b"2026-01-01 04:00,1\n",
            [(4, "timestamp", "tariff.csv.gap")],
        ),
        (
            "duplicate",
            b"timestamp,kwh\n2026-01-01 00:00,1\n2026-01-01 01:00,1\n2026-01-01 01:00,1\n"
            b"2026-01-01 02:00,1\n",
            [(4, "timestamp", "tariff.csv.duplicate")],
        ),
        (
            "not a number",
            b"timestamp,kwh\n2026-01-01 00:00,one\n",
            [(2, "kwh", "tariff.csv.kwh_not_a_number")],
        ),
        (
            "neither UTF-8 nor Big5",
            b"timestamp,kwh\n2026-01-01 00:00,\xff\xff\n",
            [(2, "", "tariff.csv.encoding")],
        ),
        ("empty file", b"", [(1, "", "tariff.csv.empty")]),
        (
            "huge value after a blank line",
            b"timestamp,kwh\n2026-01-01 00:00,1\n\n2026-01-01 01:00,1e9\n",
            [(4, "kwh", "tariff.csv.kwh_too_large")],
        ),
        (
            "tiny exponent",
            b"timestamp,kwh\n2026-01-01 00:00,1e-999999999\n2026-01-01 01:00,1\n",
            [(2, "kwh", "tariff.csv.kwh_too_precise")],
        ),
    ],
)
def test_tariff_compare_api_csv_problems(client, _case, data, expected) -> None:
    response = client.post(COMPARE, {"csv": _upload(data), "current_plan": "residential"})
    assert response.status_code == 422
    rows = response.json()["details"]["rows"]
    assert [(r["row"], r["column"], r["code"]) for r in rows][: len(expected)] == expected


@pytest.mark.parametrize(
    ("_case", "name", "code"),
    [
        (
            "Big5 with a Chinese header",
            "big5_hourly_2026-01-05.csv",
            "tariff.intervals_no_complete_month",
        ),
        ("UTF-8 with BOM", "quarter_hour_2026-07_bom.csv", "tariff.intervals_season_missing"),
    ],
)
def test_tariff_compare_api_reads_big5_and_bom_files(client, _case, name, code) -> None:
    # given: files that decode and parse, but cover too little for a year's estimate
    response = client.post(
        COMPARE, {"csv": _upload((DATA / name).read_bytes()), "current_plan": "residential"}
    )
    # then: the answer is about the data, not the encoding
    assert response.status_code == 422
    problem = response.json()["details"]["fields"][0]
    assert (problem["field"], problem["code"]) == ("csv", code)


@pytest.mark.parametrize(
    ("_case", "fields", "field", "code"),
    [
        ("no file", {"current_plan": "residential"}, "csv", "tariff.upload_invalid"),
        (
            "unknown field",
            {"current_plan": "residential", "colour": "red", "csv": "FILE"},
            "colour",
            "tariff.upload_invalid",
        ),
        (
            "bad as_of",
            {"current_plan": "residential", "as_of": "tomorrow", "csv": "FILE"},
            "as_of",
            "tariff.date_invalid",
        ),
        (
            "bad off-peak day",
            {"current_plan": "residential", "offpeak_days": "2026-01-01,2026-13-01", "csv": "FILE"},
            "offpeak_days[1]",
            "tariff.date_invalid",
        ),
        (
            "bad power factor",
            {
                "current_plan": "residential",
                "phase": "three",
                "equipment_kva": "30",
                "power_factor": "high",
                "csv": "FILE",
            },
            "power_factor",
            "tariff.power_factor_invalid",
        ),
    ],
)
def test_tariff_compare_api_upload_fields_are_checked(client, _case, fields, field, code) -> None:
    body = {key: _upload(year_csv()) if value == "FILE" else value for key, value in fields.items()}
    response = client.post(COMPARE, body)
    assert response.status_code == 422
    problem = response.json()["details"]["fields"][0]
    assert (problem["field"], problem["code"]) == (field, code)


def test_tariff_compare_api_refuses_a_csv_above_the_size_limit(client, monkeypatch) -> None:
    monkeypatch.setattr(tariff_api, "MAX_CSV_BYTES", 1000)
    response = client.post(COMPARE, {"csv": _upload(year_csv()), "current_plan": "residential"})
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["code"] == "tariff.csv_too_large"


def test_tariff_compare_api_json_body_too_large_gets_413(client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(client, COMPARE, {"current_plan": "residential", "csv": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("_case", "raw", "content_type", "status", "code"),
    [
        ("not JSON", "{oops", "application/json", 400, "invalid_json"),
        ("JSON list", "[]", "application/json", 400, "invalid_json"),
        (
            "5000-digit number",
            '{"summer_kwh": ' + "9" * 5000 + "}",
            "application/json",
            400,
            "invalid_json",
        ),
        ("plain text", "hello", "text/plain", 415, "unsupported_media_type"),
        ("missing fields", "{}", "application/json", 422, "invalid_input"),
    ],
)
def test_tariff_compare_api_bad_bodies_get_the_error_shape(
    client, _case, raw, content_type, status, code
) -> None:
    response = client.post(COMPARE, data=raw, content_type=content_type)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code


def test_tariff_compare_api_is_throttled_per_address(client) -> None:
    # given: 60 requests a minute are allowed
    for _ in range(60):
        assert client.post(COMPARE, data="x", content_type="text/plain").status_code == 415
    # when
    response = client.post(COMPARE, data="x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_openapi_document_describes_both_tariff_endpoints(client) -> None:
    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.content)
    validate(document)
    compare = document["paths"]["/api/v1/tariffs/compare"]["post"]
    assert set(compare["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    bill = document["paths"]["/api/v1/tariffs/bill"]["post"]
    assert "422" in bill["responses"]
