"""Golden snapshots: reference bills for every rate data file (holidays' ``make snapshot``).

``powerdesk/tariffs/snapshots/<plan>@<effective-from>.json`` records, for each rate file, the
bills of a fixed set of reference consumptions: 0 kWh, every tier bound ± 1 (doubled for
bimonthly bills), 2,000 / 2,001 kWh for the TOU adder, in both seasons. A version without known
rates records the refusal. Any change to rates or to the engine shows up as a JSON diff;
test_snapshots compares every file.

Regenerate after a deliberate change (then review the diff)::

    python -m powerdesk.tariffs.engine.snapshots            # rewrite the snapshot files
    python -m powerdesk.tariffs.engine.snapshots --check    # exit 1 if any file differs
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from powerdesk.tariffs.engine.bill import schedule_bill
from powerdesk.tariffs.engine.loader import load_schedules
from powerdesk.tariffs.engine.model import (
    Bill,
    Billing,
    Schedule,
    Season,
    TariffError,
    TieredSchedule,
    TouKwh,
    TouPeriod,
    TouSchedule,
)

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshots"

_BASE_KWH = (0, 1, 50, 100, 5000)
_TOU_TOTALS = (0, 1, 100, 500, 1000, 1999, 2000, 2001, 3000, 5000)
# Splits of a TOU total [% per period]; only those whose periods exist in the season are used.
_TOU_SPLITS: tuple[dict[TouPeriod, int], ...] = (
    {TouPeriod.PEAK: 100},
    {TouPeriod.SEMI_PEAK: 100},
    {TouPeriod.OFF_PEAK: 100},
    {TouPeriod.PEAK: 60, TouPeriod.OFF_PEAK: 40},
    {TouPeriod.PEAK: 20, TouPeriod.SEMI_PEAK: 30, TouPeriod.OFF_PEAK: 50},
    {TouPeriod.SEMI_PEAK: 50, TouPeriod.OFF_PEAK: 50},
)


def reference_kwh(schedule: TieredSchedule, *, factor: int) -> tuple[Decimal, ...]:
    """0, 1, 50, 100, 5000 and every tier bound b ± 1, all bounds multiplied by ``factor``."""
    values = {Decimal(v) * factor for v in _BASE_KWH}
    for tier in schedule.tiers:
        if tier.up_to_kwh is not None:
            bound = tier.up_to_kwh * factor
            values.update((bound - 1, bound, bound + 1))
    return tuple(sorted(values))


def _entry(bill: Bill) -> dict[str, Any]:
    return {"total": bill.total, "unrounded": str(bill.unrounded_total_decimal)}


def _tiered_bills(schedule: TieredSchedule) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for billing, factor in ((Billing.MONTHLY, 1), (Billing.BIMONTHLY, 2)):
        for season in Season:
            for kwh in reference_kwh(schedule, factor=factor):
                row: dict[str, Any] = {
                    "billing": billing.value,
                    "season": season.value,
                    "kwh": str(kwh),
                }
                try:
                    row |= _entry(schedule_bill(schedule, season=season, kwh=kwh, billing=billing))
                except TariffError as error:
                    row["error"] = error.code
                rows.append(row)
    return rows


def _tou_bills(schedule: TouSchedule) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for season in Season:
        prices = schedule.prices(season)
        for split in _TOU_SPLITS:
            if any(prices.price(period) is None for period in split):
                continue
            for total in _TOU_TOTALS:
                amounts = {
                    period.value: Decimal(total) * share / 100 for period, share in split.items()
                }
                kwh = TouKwh(**amounts)
                rows.append(
                    {"season": season.value, "kwh": {k: str(v) for k, v in amounts.items()}}
                    | _entry(schedule_bill(schedule, season=season, kwh=kwh))
                )
    return rows


def snapshot(schedule: Schedule) -> dict[str, Any]:
    """The snapshot document of one schedule (JSON-ready)."""
    document: dict[str, Any] = {
        "version": schedule.version,
        "effective_to": None
        if schedule.effective_to is None
        else schedule.effective_to.isoformat(),
        "confidence": schedule.confidence.value,
    }
    if isinstance(schedule, TieredSchedule):
        document["bills"] = _tiered_bills(schedule)
    elif isinstance(schedule, TouSchedule):
        document["bills"] = _tou_bills(schedule)
    else:
        try:
            schedule_bill(schedule, season=Season.SUMMER, kwh=0)
        except TariffError as error:
            document["error"] = error.code
        document["missing_en"] = schedule.missing.en
    return document


def render(schedule: Schedule) -> str:
    """The snapshot file text of ``schedule``: one bill per line, for readable diffs."""
    document = snapshot(schedule)
    lines = []
    for key, value in document.items():
        if key == "bills":
            rows = [f"  {json.dumps(row, ensure_ascii=False)}" for row in value]
            lines.append(' "bills": [\n' + ",\n".join(rows) + "\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def snapshot_name(schedule: Schedule) -> str:
    """File name of the snapshot: ``<plan>@<effective-from>.json``."""
    return f"{schedule.version}.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) every snapshot; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--output", type=Path, default=SNAPSHOT_DIR, help="snapshot directory")
    args = parser.parse_args(argv)
    output: Path = args.output
    differing: list[str] = []
    for schedules in load_schedules().values():
        for schedule in schedules:
            path = output / snapshot_name(schedule)
            text = render(schedule)
            if args.check:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    differing.append(path.name)
            else:
                output.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    if differing:
        print("Snapshots differ:", ", ".join(differing))  # noqa: T201 - a command's output
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
