"""Golden snapshots: every rate file's reference bills must match its JSON file.

Regenerate after a deliberate change to rates or engine, then review the diff:
``python -m powerdesk.tariffs.engine.snapshots``.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

from powerdesk.tariffs.engine import loader, snapshots
from powerdesk.tariffs.engine.model import Schedule

ALL_SCHEDULES = [s for schedules in loader.load_schedules().values() for s in schedules]


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=lambda s: s.version)
def test_reference_bills_match_the_snapshot(schedule: Schedule) -> None:
    path = snapshots.SNAPSHOT_DIR / snapshots.snapshot_name(schedule)

    assert snapshots.snapshot(schedule) == json.loads(path.read_text(encoding="utf-8"))
    assert snapshots.render(schedule) == path.read_text(encoding="utf-8")


def test_every_data_file_has_a_snapshot_and_no_snapshot_is_orphaned() -> None:
    data_files = {f"{p.parent.name}@{p.stem}.json" for p in loader.DATA_DIR.glob("*/*.toml")}

    assert {p.name for p in snapshots.SNAPSHOT_DIR.glob("*.json")} == data_files
    assert len(data_files) == 30


def test_snapshot_content_of_a_known_file() -> None:
    document = json.loads((snapshots.SNAPSHOT_DIR / "residential@2025-10-01.json").read_text())
    rows = {(r["billing"], r["season"], r["kwh"]): r for r in document["bills"]}

    # 120 × 1.78 = 213.60 → 214; bimonthly 0 kWh: the minimum is unknown, refused
    assert rows[("monthly", "summer", "120")] == {
        "billing": "monthly",
        "season": "summer",
        "kwh": "120",
        "total": 214,
        "unrounded": "213.60",
    }
    assert rows[("bimonthly", "summer", "0")]["error"] == "tariff.bimonthly_minimum_unknown"
    assert ("bimonthly", "non_summer", "2001") in rows  # doubled bound 1000 × 2 + 1
    unknown = json.loads((snapshots.SNAPSHOT_DIR / "simple_tou_3@2023-04-01.json").read_text())
    assert unknown["error"] == "tariff.rates_unknown"
    tou = json.loads((snapshots.SNAPSHOT_DIR / "simple_tou_2@2025-10-01.json").read_text())
    adder = [r for r in tou["bills"] if r["season"] == "summer" and r["kwh"] == {"peak": "2001"}]
    # 75 + 2001 × 5.16 + 1 × 1.04 = 10401.20
    assert adder == [
        {"season": "summer", "kwh": {"peak": "2001"}, "total": 10401, "unrounded": "10401.20"}
    ]


def test_regeneration_writes_identical_files(tmp_path: Path) -> None:
    assert snapshots.main(["--output", str(tmp_path)]) == 0

    for path in tmp_path.iterdir():
        assert path.read_text() == (snapshots.SNAPSHOT_DIR / path.name).read_text()
    assert len(list(tmp_path.iterdir())) == 30


def test_check_reports_differences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snapshots.main(["--output", str(tmp_path)])
    (tmp_path / "residential@2025-10-01.json").write_text("{}\n")
    (tmp_path / "commercial@2018-04-01.json").unlink()

    assert snapshots.main(["--check", "--output", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "residential@2025-10-01.json" in out
    assert "commercial@2018-04-01.json" in out


def test_module_entry_point_checks_the_committed_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["snapshots", "--check"])
    # run the module fresh, as `python -m` does (runpy warns if it is already imported)
    monkeypatch.delitem(sys.modules, "powerdesk.tariffs.engine.snapshots")

    with pytest.raises(SystemExit) as exited:
        runpy.run_module("powerdesk.tariffs.engine.snapshots", run_name="__main__")

    assert exited.value.code == 0
