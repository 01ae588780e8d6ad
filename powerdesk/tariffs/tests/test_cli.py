"""``powerdesk tariffs bill|compare``: JSON out in the API's shape; bad input exits with status 2
and names the option (or the CSV row and column) in the language of ``--language``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from powerdesk.tariffs.management.commands import tariffs as tariffs_command
from powerdesk.tariffs.tests.test_api import year_csv

DATA = Path(__file__).resolve().parent / "data"
JUNE = ["--plan", "residential", "--start", "2025-06-01", "--end", "2025-06-30"]
TYPICAL = [
    "--summer-kwh",
    "500",
    "--non-summer-kwh",
    "300",
    "--summer-shares",
    "20,30,50",
    "--non-summer-shares",
    "40,60",
]


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("tariffs", *args, stdout=out)
    return json.loads(out.getvalue())


def _fails(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("tariffs", *args, stdout=StringIO())
    assert raised.value.returncode == 2
    return str(raised.value)


def test_tariffs_bill_prints_the_api_shape(client) -> None:
    # given
    api_answer = client.post(
        "/api/v1/tariffs/bill",
        data=json.dumps(
            {"plan": "residential", "start": "2025-06-01", "end": "2025-06-30", "kwh": 500}
        ),
        content_type="application/json",
    ).json()
    # when
    answer = _run("bill", *JUNE, "--kwh", "500")
    # then: the same dictionary, key for key
    assert answer == api_answer
    assert answer["total"] == 1345


def test_tariffs_bill_per_period_for_a_tou_plan() -> None:
    answer = _run(
        "bill",
        "--plan",
        "simple_tou_3",
        "--start",
        "2025-07-01",
        "--end",
        "2025-07-31",
        "--peak",
        "100",
        "--semi-peak",
        "200",
        "--off-peak",
        "300",
        "--language",
        "en",
    )
    assert [line["period"] for line in answer["lines"] if line["kind"] == "energy"] == [
        "peak",
        "semi_peak",
        "off_peak",
    ]
    assert answer["lines"][0]["label"] == answer["lines"][0]["label_en"]


def test_tariffs_compare_typical_prints_the_api_shape(client) -> None:
    # given
    api_answer = client.post(
        "/api/v1/tariffs/compare",
        data=json.dumps(
            {
                "current_plan": "residential",
                "summer_kwh": 500,
                "non_summer_kwh": 300,
                "summer_shares": {"peak": 20, "semi_peak": 30, "off_peak": 50},
                "non_summer_shares": {"semi_peak": 40, "off_peak": 60},
            }
        ),
        content_type="application/json",
    ).json()
    # when
    answer = _run("compare", *TYPICAL)
    # then
    assert answer == api_answer
    assert [e["annual_total"] for e in answer["estimates"]] == [10540, 15720, 15796]


def test_tariffs_compare_with_three_non_summer_shares() -> None:
    answer = _run("compare", *TYPICAL[:-1], "0,40,60")
    assert [e["annual_total"] for e in answer["estimates"]] == [10540, 15720, 15796]


def test_tariffs_compare_csv(tmp_path) -> None:
    path = tmp_path / "meter.csv"
    path.write_bytes(year_csv())
    answer = _run("compare", "--csv", str(path), "--language", "en")
    assert [m["label"] for m in answer["estimates"][0]["months"]][:2] == ["2026-01", "2026-02"]
    assert answer["explanation"].startswith("Based on your metered use in 12 complete months")


@pytest.mark.parametrize(
    ("_case", "args", "message"),
    [
        (
            "negative kWh",
            ["bill", *JUNE, "--kwh", "-5"],
            "--kwh: 「kwh」的用電度數不可為負數（-5）。",
        ),
        (
            "negative kWh in English",
            ["bill", *JUNE, "--kwh", "-5", "--language", "en"],
            "--kwh: kwh must not be negative (got -5 kWh).",
        ),
        (
            "unknown plan",
            [
                "bill",
                "--plan",
                "farm",
                "--start",
                "2025-06-01",
                "--end",
                "2025-06-30",
                "--kwh",
                "5",
                "--language",
                "en",
            ],
            "--plan: Unknown tariff plan 'farm'; use one of: residential, non_residential, commercial, simple_tou_2, simple_tou_3.",
        ),
        (
            "periods for a tiered plan",
            ["bill", *JUNE, "--peak", "5", "--language", "en"],
            "--peak/--semi-peak/--off-peak: Plan 'residential' is not time-of-use: give the total kWh, not kWh per period.",
        ),
        (
            "both total and periods",
            ["bill", *JUNE, "--kwh", "5", "--peak", "5", "--language", "en"],
            "Give either --kwh or --peak/--semi-peak/--off-peak, not both.",
        ),
        (
            "neither",
            ["bill", *JUNE, "--language", "en"],
            "Give --kwh (non-time-of-use plans) or --peak/--semi-peak/--off-peak (time-of-use plans).",
        ),
        (
            "start after end",
            [
                "bill",
                "--plan",
                "residential",
                "--start",
                "2025-07-01",
                "--end",
                "2025-06-30",
                "--kwh",
                "5",
                "--language",
                "en",
            ],
            "--start: The start date 2025-07-01 is after the end date 2025-06-30.",
        ),
        (
            "not a date",
            [
                "bill",
                "--plan",
                "residential",
                "--start",
                "June",
                "--end",
                "2025-06-30",
                "--kwh",
                "5",
                "--language",
                "en",
            ],
            "--start: start must be a valid date as YYYY-MM-DD, got 'June'.",
        ),
        (
            "semi-peak share missing",
            ["compare", *TYPICAL[:5], "20,80", *TYPICAL[6:], "--language", "en"],
            "--summer-shares must be percentages PEAK,SEMI_PEAK,OFF_PEAK separated by commas, got '20,80'.",
        ),
        (
            "shares not 100",
            ["compare", *TYPICAL[:5], "20,30,40", *TYPICAL[6:], "--language", "en"],
            "--summer-shares: The shares in summer_shares must add up to 100 %, not 90 %.",
        ),
        (
            "a typical value missing",
            ["compare", *TYPICAL[:2], "--language", "en"],
            "Give --non-summer-kwh (or --csv with interval data).",
        ),
        (
            "csv and typical values",
            ["compare", "--csv", "x.csv", *TYPICAL[:2], "--language", "en"],
            "--csv cannot be combined with --summer-kwh.",
        ),
    ],
)
def test_tariffs_bad_input_exits_2_naming_the_option(_case, args, message) -> None:
    assert _fails(*args) == message


def test_tariffs_compare_csv_problems_list_every_row() -> None:
    message = _fails("compare", "--csv", str(DATA / "row_errors.csv"), "--language", "en")
    assert message.splitlines() == [
        "Row 3, column 'kwh': 'abc' is not a number.",
        "Row 4, column 'kwh': kWh must not be negative (-0.2).",
        "Row 5, column 'timestamp': '2026-13-01 00:45' is not a valid timestamp (use YYYY-MM-DD HH:MM).",
        "Row 6, column 'kwh': the kWh value is missing.",
        "Row 7: expected 2 columns (timestamp,kwh), found 3.",
    ]


def test_tariffs_compare_unreadable_file(tmp_path) -> None:
    message = _fails("compare", "--csv", str(tmp_path / "missing.csv"), "--language", "en")
    assert message == f"--csv: cannot read {tmp_path / 'missing.csv'} (No such file or directory)."


def test_tariffs_subcommands_can_be_added(monkeypatch) -> None:
    # given: what the bulk module does for `recommend`
    def add_arguments(parser: Any) -> None:
        parser.add_argument("--accounts", type=int, required=True)

    def run(command: Any, options: dict[str, Any]) -> dict[str, Any]:
        return {"accounts": options["accounts"]}

    monkeypatch.setitem(
        tariffs_command.SUBCOMMANDS,
        "recommend",
        tariffs_command.Subcommand(help="test", add_arguments=add_arguments, run=run),
    )
    # when / then
    assert _run("recommend", "--accounts", "3") == {"accounts": 3}


def test_powerdesk_tariffs_exit_status_is_2_on_bad_input() -> None:
    # given: the real console entry point, in a child process
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    command = [sys.executable, "-m", "powerdesk", "tariffs", "bill", *JUNE]
    # when
    good = subprocess.run(  # noqa: S603
        [*command, "--kwh", "500"], capture_output=True, text=True, env=environment, check=False
    )
    bad = subprocess.run(  # noqa: S603
        [*command, "--kwh", "lots", "--language", "en"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    # then
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["total"] == 1345
    assert bad.returncode == 2
    assert bad.stderr.strip() == "CommandError: --kwh: kwh must be a number of kWh, got 'lots'."
