"""``powerdesk tariffs recommend``: from the database or a CSV/Parquet history, to a CSV and the
database table; partitions, the worker task, and bad input (exit 2, row and column named in
zh-Hant or English).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from powerdesk.core.models import TaskRecord
from powerdesk.customers.models import Account
from powerdesk.tariffs import bulk
from powerdesk.tariffs.bulk import inputs
from powerdesk.tariffs.bulk.readings import OUTPUT_COLUMNS
from powerdesk.tariffs.engine import Plan
from powerdesk.tariffs.models import RecommendationRun, TariffRecommendation
from powerdesk.tariffs.tasks import tariffs_recommend_partition_task
from powerdesk.tariffs.tests.test_recommend_db import load_demo


def _history_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for index in range(12):
        year, month = (2025 + (index + 10) // 12, (index + 10) % 12 + 1)  # 2025-11 … 2026-10
        summer = month in (6, 7, 8, 9)
        rows.append(
            {
                "account": "A1",
                "current_plan": "residential",
                "billing": "monthly",
                "month": f"{year}-{month:02d}",
                "kwh": 400 + index,
                "meter_amperes": 20,
            }
        )
        rows.append(
            {
                "account": "B2",
                "current_plan": "simple_tou_3",
                "tiered_plan": "commercial",
                "billing": "monthly",
                "month": f"{year}-{month:02d}",
                "kwh": 2000,
                "peak": 500 if summer else 0,
                "semi_peak": 700 if summer else 1200,
                "off_peak": 800,
            }
        )
    for index in range(6):
        year, month = (2025 + (2 * index + 10) // 12, (2 * index + 10) % 12 + 1)  # 2025-11 …
        rows.append(
            {
                "account": "C3",
                "current_plan": "commercial",
                "billing": "bimonthly_odd",
                "month": f"{year}-{month:02d}",
                "kwh": 1500,
            }
        )
    return rows


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _fails(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("tariffs", "recommend", *args, stdout=StringIO())
    assert raised.value.returncode == 2
    return str(raised.value)


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_recommend_from_a_file_writes_the_csv_and_the_table(tmp_path: Path, suffix: str) -> None:
    # given
    rows = _history_rows()
    path = tmp_path / f"history.{suffix}"
    if suffix == "csv":
        path.write_bytes(inputs.rows_to_csv(rows))
    else:
        import pyarrow  # type: ignore[import-untyped]
        import pyarrow.parquet as parquet  # type: ignore[import-untyped]

        columns = sorted({key for row in rows for key in row})
        columns_data = {
            key: [None if row.get(key) is None else str(row[key]) for row in rows]
            for key in columns
        }
        parquet.write_table(pyarrow.Table.from_pydict(columns_data), path)
    output = tmp_path / "out.csv"
    # when
    stdout = StringIO()
    call_command(
        "tariffs", "recommend", "--input", str(path), "--output", str(output), "--language", "en",
        stdout=stdout,
    )  # fmt: skip
    # then: the CSV has every account, priced as the bulk engine (= the scalar engine, test_bulk)
    table = _read_csv(output)
    assert list(table[0]) == list(OUTPUT_COLUMNS)
    expected = bulk.recommend_accounts(inputs.parse_history_csv(inputs.rows_to_csv(rows)).history)
    by_account = {row["account"]: row for row in table}
    assert sorted(by_account) == ["A1", "B2", "C3"]
    for recommendation in expected.rows():
        line = by_account[recommendation.account]
        for plan in Plan:
            cell = line[plan.value]
            assert cell == (
                "" if plan not in recommendation.annual else str(recommendation.annual[plan])
            )
        assert recommendation.cheapest is not None
        assert line["cheapest"] == recommendation.cheapest.value
        assert line["months"] == "12"
    assert by_account["C3"]["billing"] == "bimonthly"
    assert by_account["C3"]["window_start"] == "2025-11"
    assert by_account["B2"]["tou_basis"] == "interval"
    # the database table holds the same, and the summary is printed
    run = RecommendationRun.objects.get()
    assert run.source == RecommendationRun.Source.FILE
    assert run.accounts == 3
    stored = {row.account_number: row for row in TariffRecommendation.objects.filter(run=run)}
    assert str(stored["A1"].annual_residential) == by_account["A1"]["residential"]
    assert "accounts: 3" in stdout.getvalue()
    assert not (tmp_path / "out.csv.part").exists()


@pytest.mark.django_db
def test_recommend_from_the_database_with_partitions(tmp_path: Path) -> None:
    # given
    load_demo(90)
    output = tmp_path / "rec.csv"
    # when: three partitions, run one after another by two commands
    call_command("tariffs", "recommend", "--from-db", "--partitions", "3", "--partition", "2",
                 "--output", str(output), "--quiet", "--chunk-size", "7", stdout=StringIO())  # fmt: skip
    call_command("tariffs", "recommend", "--partitions", "3", "--output", str(output),
                 "--quiet", stdout=StringIO())  # fmt: skip
    # then: each partition file holds its accounts; together every account exactly once
    files = [tmp_path / f"rec-{index}-of-3.csv" for index in (1, 2, 3)]
    numbers = [row["account"] for path in files for row in _read_csv(path)]
    assert len(numbers) == len(set(numbers)) == 90
    assert set(numbers) == set(Account.objects.values_list("number", flat=True))
    single = {row["account"]: row for row in _read_csv(files[1])}
    assert len(single) == 30
    runs = RecommendationRun.objects.order_by("id")
    assert [(run.partition_index, run.accounts) for run in runs] == [
        (1, 30), (0, 30), (1, 30), (2, 30)
    ]  # fmt: skip
    # the same partition gives the same rows whatever the chunk size
    again = {
        row.account_number: row.cheapest for row in TariffRecommendation.objects.filter(run=runs[2])
    }
    assert again == {number: row["cheapest"] for number, row in single.items()}


@pytest.mark.django_db
def test_enqueue_runs_the_partitions_as_tasks() -> None:
    # given
    load_demo(30)
    # when
    stdout = StringIO()
    call_command("tariffs", "recommend", "--partitions", "2", "--enqueue", "--language", "en",
                 stdout=stdout)  # fmt: skip
    records = list(TaskRecord.objects.order_by("enqueued_at", "id"))
    for record in records:
        tariffs_recommend_partition_task.call(*record.args, **record.kwargs)
    # then
    assert "enqueued 2 partition task(s)" in stdout.getvalue()
    assert [record.queue_name for record in records] == ["bulk", "bulk"]
    numbers = list(TariffRecommendation.objects.values_list("account_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 30
    assert len({run.batch for run in RecommendationRun.objects.all()}) == 1


def _bad_header(path: Path) -> None:
    path.write_text("account,current_plan,billing,month,kwhh\nA1,residential,monthly,2025-01,1\n")


def _big5_bad_value(path: Path) -> None:
    text = inputs.rows_to_csv(_history_rows()).decode("utf-8").replace("account", "電號", 1)
    lines = text.splitlines()
    lines[3] = lines[3].replace(",401,", ",四百,")  # row 4: A1's second month
    path.write_bytes("\n".join(lines).encode("cp950"))


def _bom_duplicate(path: Path) -> None:
    rows = _history_rows()
    rows.append(dict(rows[0]))  # row 32 repeats A1's first month
    path.write_bytes(b"\xef\xbb\xbf" + inputs.rows_to_csv(rows))


def _gap(path: Path) -> None:
    rows = [row for row in _history_rows() if row["account"] == "A1"]
    del rows[5]
    path.write_bytes(inputs.rows_to_csv(rows))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("write", "zh_hant", "en"),
    [
        (_bad_header, "kwhh", "kwhh"),
        (_big5_bad_value, "第 4 列「kwh」欄", "Row 4, column 'kwh'"),
        (_bom_duplicate, "第 32 列「month」欄", "Row 32, column 'month'"),
        (_gap, "第 12 列「month」欄", "Row 12, column 'month'"),
    ],
)
def test_bad_files_exit_2_naming_row_and_column(
    tmp_path: Path, write: object, zh_hant: str, en: str
) -> None:
    # given
    path = tmp_path / "bad.csv"
    write(path)  # type: ignore[operator]
    output = tmp_path / "out.csv"
    # when
    message_zh = _fails("--input", str(path), "--output", str(output))
    message_en = _fails("--input", str(path), "--output", str(output), "--language", "en")
    # then: named in each language; nothing written
    assert zh_hant in message_zh
    assert en in message_en
    assert not output.exists()
    assert not RecommendationRun.objects.exists()


@pytest.mark.django_db
def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert "--partition" in _fails("--partitions", "2", "--partition", "3", "--language", "en")
    assert "--chunk-size" in _fails("--chunk-size", "0")
    assert "--input" in _fails("--input", str(tmp_path / "missing.csv"), "--language", "en")
    assert "--enqueue" in _fails("--input", str(tmp_path / "x.csv"), "--enqueue")
    assert "--non-summer-shares" in _fails("--summer-shares", "20,30,50", "--language", "en")
    assert "summer_shares" in _fails(
        "--summer-shares", "20,30,60", "--non-summer-shares", "40,60", "--language", "en"
    )


def test_the_language_follows_lang_and_there_is_no_traceback(tmp_path: Path) -> None:
    # given
    path = tmp_path / "bad.csv"
    _big5_bad_value(path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "powerdesk.settings.test",
        "POWERDESK_DATA_DIR": str(tmp_path),
    }
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    command = [sys.executable, "-m", "powerdesk", "tariffs", "recommend", "--input", str(path)]
    # when
    english = subprocess.run(  # noqa: S603
        command, env={**env, "LANG": "en_US.UTF-8"}, capture_output=True, text=True,
        cwd=settings.BASE_DIR, timeout=120, check=False,
    )  # fmt: skip
    chinese = subprocess.run(  # noqa: S603
        command, env={**env, "LANG": "zh_TW.UTF-8"}, capture_output=True, text=True,
        cwd=settings.BASE_DIR, timeout=120, check=False,
    )  # fmt: skip
    # then
    assert english.returncode == chinese.returncode == 2
    assert "Row 4, column 'kwh'" in english.stderr
    assert "第 4 列「kwh」欄" in chinese.stderr
    assert "Traceback" not in english.stderr + chinese.stderr


@pytest.mark.django_db
def test_a_file_that_is_not_parquet_exits_2(tmp_path: Path) -> None:
    # given
    path = tmp_path / "history.parquet"
    path.write_bytes(b"not parquet at all")
    # when
    message = _fails("--input", str(path), "--language", "en")
    # then
    assert "cannot read the file history.parquet" in message


@pytest.mark.django_db
def test_assumed_shares_price_the_tou_plans_as_estimates(tmp_path: Path) -> None:
    # given
    load_demo(40)
    output = tmp_path / "rec.csv"
    # when
    call_command("tariffs", "recommend", "--output", str(output), "--quiet",
                 "--summer-shares", "20,30,50", "--non-summer-shares", "40,60",
                 stdout=StringIO())  # fmt: skip
    # then: monthly tiered accounts get both TOU plans priced on the shares, flagged
    table = _read_csv(output)
    monthly_tiered = [
        row for row in table
        if row["billing"] == "monthly" and row["current_plan"] in {"residential", "commercial", "non_residential"}
    ]  # fmt: skip
    assert monthly_tiered
    for row in monthly_tiered:
        assert row["tou_basis"] == "assumed_shares"
        assert row["simple_tou_2"] != "" or "simple_tou_2:" in row["not_priced"]
    run = RecommendationRun.objects.get()
    assert run.parameters["summer_shares"] == [2000, 3000, 5000]
