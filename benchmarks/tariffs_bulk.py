"""Benchmark the bulk tariff engine against the scalar engine (issue 4, Deliver 8, first bullet).

Usage:
    .venv/bin/python benchmarks/tariffs_bulk.py [--sizes 100000 1000000] [--runs 3]
        [--scalar-sample 2000] [--workers 1 2] [--csv-read-accounts 20000]

Scenario: N synthetic accounts (numpy, seeded), each with 12 monthly readings (2025-11 …
2026-10, the last 12 months when this was written) and kWh per period (as from AMI data),
priced under the 3 plans open to it (its non-TOU class, 二段式, 三段式): N × 36 bills. kWh are realistic: a per-account level drawn
from a log-normal distribution (median 280 kWh/month residential, 400 non-residential, 900
commercial), +35 % in summer, monthly noise, 1.5 % empty months; 8 % three-phase meters.

Each size runs in its own child process, so its peak memory (``ru_maxrss``) is its own:

* bulk: ``recommend_accounts`` (pricing, annual costs, cheapest plan, saving) over the
  in-memory history, the median of ``--runs`` runs, and ``recommend_parallel`` with 2 worker
  processes; throughput in bills per second;
* memory: the input arrays, the peak traced by ``tracemalloc`` during one run (the engine's
  working memory over the input), and the child's peak RSS;
* scalar: ``monthly_total`` for every bill of the first ``--scalar-sample`` accounts of the same
  history, in the same process; the ratio is scalar seconds per bill ÷ bulk seconds per bill.
  The sample's annual costs are checked equal to the bulk ones.

Not timed as part of the bulk figure: generating the data; writing the CSV table
(``write_recommendations``) and reading a history CSV (``read_history``) are reported on their
own. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from powerdesk.tariffs import bulk  # noqa: E402
from powerdesk.tariffs.bulk import inputs  # noqa: E402
from powerdesk.tariffs.engine import Plan, TariffError, monthly_total  # noqa: E402

SEED = 4
FIRST_MONTH = bulk.month_index(year=2025, month=11)
PLANS_PER_ACCOUNT = 3
READINGS = 12
_MEDIAN_KWH = np.array([280.0, 400.0, 900.0])  # residential, non_residential, commercial
_SUMMER = (6, 7, 8, 9)


def synthetic_history(accounts: int, *, seed: int = SEED, chunk: int = 100_000) -> bulk.History:
    """``accounts`` realistic monthly accounts with kWh per period (module docstring)."""
    rng = np.random.default_rng(seed)
    n = accounts
    tiered = rng.choice(3, size=n, p=[0.80, 0.05, 0.15]).astype(np.int8)
    current = tiered.copy()
    draw = rng.random(n)
    current[draw < 0.03] = 3  # 二段式
    current[draw < 0.01] = 4  # 三段式
    three_phase = rng.random(n) < 0.08
    amperes = np.where(
        three_phase,
        rng.choice([10, 15, 20, 30], size=n),
        rng.choice([15, 20, 30, 40, 50, 60], size=n),
    )
    amperes = np.where(rng.random(n) < 0.95, amperes, 0).astype(np.int32)
    months = FIRST_MONTH + np.arange(READINGS)
    summer = np.isin(months % 12 + 1, _SUMMER)
    kwh = np.empty((n, READINGS), dtype=np.int32)
    peak = np.empty((n, READINGS), dtype=np.int32)
    semi_peak = np.empty((n, READINGS), dtype=np.int32)
    off_peak = np.empty((n, READINGS), dtype=np.int32)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        size = stop - start
        level = _MEDIAN_KWH[tiered[start:stop]] * np.exp(rng.normal(0.0, 0.7, size))
        monthly = (
            level[:, None]
            * np.where(summer, 1.35, 1.0)
            * np.exp(rng.normal(0.0, 0.2, (size, READINGS)))
        )
        monthly[rng.random((size, READINGS)) < 0.015] = 0
        total = np.minimum(np.rint(monthly), bulk.MAX_KWH).astype(np.int64)
        peak_share = np.where(summer, rng.uniform(0.20, 0.35, (size, READINGS)), 0.0)
        semi_share = np.where(
            summer,
            rng.uniform(0.30, 0.45, (size, READINGS)),
            rng.uniform(0.50, 0.65, (size, READINGS)),
        )
        block_peak = np.floor(total * peak_share).astype(np.int64)
        block_semi = np.floor(total * semi_share).astype(np.int64)
        kwh[start:stop] = total
        peak[start:stop] = block_peak
        semi_peak[start:stop] = block_semi
        off_peak[start:stop] = total - block_peak - block_semi
    return bulk.History(
        accounts=np.char.zfill(np.arange(n).astype("U11"), 11),
        current_plan=current,
        tiered_plan=tiered,
        cycle=np.zeros(n, dtype=np.int8),
        three_phase=three_phase,
        meter_amperes=amperes,
        tax_exempt=rng.random(n) < 0.01,
        first_month=np.full(n, FIRST_MONTH, dtype=np.int32),
        kwh=kwh,
        has_periods=np.ones(n, dtype=np.bool_),
        peak=peak,
        semi_peak=semi_peak,
        off_peak=off_peak,
    )


def _input_bytes(history: bulk.History) -> int:
    return sum(getattr(history, name).nbytes for name in bulk.History.__dataclass_fields__)


def _scalar_annual(
    history: bulk.History, *, accounts: int
) -> tuple[tuple[float, float], int, np.ndarray]:
    """Time (wall, CPU) the scalar engine on every bill of the first ``accounts`` accounts."""
    annual = np.full((accounts, len(bulk.PLANS)), -1, dtype=np.int64)
    bills = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    for index in range(accounts):
        options: dict[str, Any] = {
            "phase": "three" if history.three_phase[index] else "single",
            "meter_amperes": int(history.meter_amperes[index]) or None,
            "tax_exempt": bool(history.tax_exempt[index]),
        }
        for plan in bulk.eligible_plans(bulk.PLANS[int(history.tiered_plan[index])]):
            column = bulk.PLANS.index(plan)
            total = 0
            for reading in range(READINGS):
                year, month = bulk.month_of(FIRST_MONTH + reading)
                peak = int(history.peak[index, reading])
                semi_peak = int(history.semi_peak[index, reading])
                off_peak = int(history.off_peak[index, reading])
                kwh: Any
                if plan is Plan.SIMPLE_TOU_2:
                    kwh = {"peak": peak + semi_peak, "off_peak": off_peak}
                elif plan.is_tou:
                    kwh = {"peak": peak, "semi_peak": semi_peak, "off_peak": off_peak}
                else:
                    kwh = int(history.kwh[index, reading])
                bills += 1
                try:
                    total += monthly_total(plan=plan, year=year, month=month, kwh=kwh, **options)
                except TariffError:
                    total = -1
                    break
            annual[index, column] = total
    return (time.perf_counter() - started, time.process_time() - started_cpu), bills, annual


def child(*, size: int, runs: int, scalar_sample: int, workers: list[int]) -> dict[str, Any]:
    """Measure one size in this process (called in a subprocess by ``main``)."""
    started = time.perf_counter()
    history = synthetic_history(size)
    generated = time.perf_counter() - started
    rss_after_input = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bills = size * PLANS_PER_ACCOUNT * READINGS
    result: dict[str, Any] = {
        "size": size,
        "bills": bills,
        "generate_s": generated,
        "input_mb": _input_bytes(history) / 2**20,
        "rss_after_input_mb": rss_after_input / 1024,
    }
    bulk.recommend_accounts(history.slice(start=0, stop=min(size, 1000)))  # warm the rate cache
    times: dict[int, list[float]] = {count: [] for count in workers}
    recommendations = bulk.recommend_accounts(history)
    cpu: list[float] = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        recommendations = bulk.recommend_accounts(history)
        times[1] = [*times.get(1, []), time.perf_counter() - started]
        cpu.append(time.process_time() - started_cpu)
    result["bulk_cpu_s"] = statistics.median(cpu)
    result["peak_rss_one_process_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    bulk.recommend_accounts(history)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["engine_peak_mb"] = (peak - before) / 2**20
    with tempfile.TemporaryDirectory(prefix="powerdesk-bulk-") as directory:
        started = time.perf_counter()
        bulk.write_recommendations(recommendations, path=Path(directory) / "out.csv")
        result["write_csv_s"] = time.perf_counter() - started
    summary = bulk.summarize(recommendations)
    result["would_save"] = summary.would_save
    result["total_saving"] = summary.total_saving
    result["complete"] = summary.complete
    sample = min(scalar_sample, size)
    scalar_s, scalar_bills, scalar_annual = _scalar_annual(history, accounts=sample)
    bulk_annual = np.where(
        recommendations.plan_status[:sample] == 0, recommendations.annual[:sample], -1
    )
    eligible = recommendations.plan_status[:sample] != bulk.Status.NOT_ELIGIBLE
    result["scalar_s"], result["scalar_cpu_s"] = scalar_s
    result["scalar_bills"] = scalar_bills
    result["sample_equal"] = bool(np.array_equal(scalar_annual[eligible], bulk_annual[eligible]))
    for count in workers:
        if count == 1:
            continue
        for _ in range(runs):
            started = time.perf_counter()
            parallel = bulk.recommend_parallel(history, workers=count)
            times[count].append(time.perf_counter() - started)
        if not np.array_equal(parallel.annual, recommendations.annual):
            raise AssertionError("the parallel run differs")
    result["bulk_s"] = {str(key): statistics.median(value) for key, value in times.items()}
    result["bulk_runs_s"] = {str(key): value for key, value in times.items()}
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def csv_read_child(*, accounts: int) -> dict[str, Any]:
    """Time ``read_history`` on a CSV of ``accounts`` synthetic accounts (12 rows each)."""
    history = synthetic_history(accounts)
    rows: list[dict[str, object]] = []
    for index in range(accounts):
        for reading in range(READINGS):
            year, month = bulk.month_of(FIRST_MONTH + reading)
            rows.append(
                {
                    "account": str(history.accounts[index]),
                    "current_plan": bulk.PLANS[int(history.current_plan[index])].value,
                    "tiered_plan": bulk.PLANS[int(history.tiered_plan[index])].value,
                    "billing": "monthly",
                    "phase": "three" if history.three_phase[index] else "single",
                    "meter_amperes": int(history.meter_amperes[index]) or "",
                    "tax_exempt": "true" if history.tax_exempt[index] else "false",
                    "month": f"{year}-{month:02d}",
                    "kwh": int(history.kwh[index, reading]),
                    "peak": int(history.peak[index, reading]),
                    "semi_peak": int(history.semi_peak[index, reading]),
                    "off_peak": int(history.off_peak[index, reading]),
                }
            )
    data = inputs.rows_to_csv(rows)
    started = time.perf_counter()
    read = bulk.parse_history_csv(data)
    elapsed = time.perf_counter() - started
    assert read.problem_count == 0  # noqa: S101
    assert read.history.size == accounts  # noqa: S101
    assert np.array_equal(read.history.kwh, history.kwh)  # noqa: S101
    return {"accounts": accounts, "rows": len(rows), "read_s": elapsed, "mb": len(data) / 2**20}


def _run_child(arguments: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *arguments],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Parse the arguments; run a child per size; print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scalar-sample", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--csv-read-accounts", type=int, default=20_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv-child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        result = child(
            size=options.child,
            runs=options.runs,
            scalar_sample=options.scalar_sample,
            workers=options.workers,
        )
        print(json.dumps(result))
        return
    if options.csv_child:
        print(json.dumps(csv_read_child(accounts=options.csv_child)))
        return
    load_before = os.getloadavg()
    common = ["--runs", str(options.runs), "--scalar-sample", str(options.scalar_sample)]
    common += ["--workers", *map(str, options.workers)]
    results = [_run_child(["--child", str(size), *common]) for size in options.sizes]
    load_after = os.getloadavg()
    command = "python benchmarks/tariffs_bulk.py " + " ".join(sys.argv[1:])
    print(f"Command: `.venv/bin/{command.strip()}`\n")
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, numpy {np.__version__}; "
        f"1-minute load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        "(other work on the machine slows every figure down).\n"
    )
    workers = [str(count) for count in options.workers]
    header = ["accounts", "bills (×3 plans ×12)"]
    header += [f"bulk, {count} process{'es' if count != '1' else ''} [s]" for count in workers]
    header += [
        "bulk throughput [bills/s]",
        "scalar sample [bills, s]",
        "scalar [µs/bill]",
        "bulk [µs/bill]",
        "ratio scalar/bulk",
        "ratio, CPU time",
        "sample equal",
        "input arrays [MB]",
        "engine peak (tracemalloc) [MB]",
        "RSS after input [MB]",
        "peak RSS, 1 process [MB]",
        "write CSV [s]",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for result in results:
        one = result["bulk_s"]["1"] if "1" in result["bulk_s"] else min(result["bulk_s"].values())
        bulk_us = one / result["bills"] * 1e6
        scalar_us = result["scalar_s"] / result["scalar_bills"] * 1e6
        cells = [f"{result['size']:,}", f"{result['bills']:,}"]
        cells += [f"{result['bulk_s'][count]:.2f}" for count in workers]
        cells += [
            f"{result['bills'] / one / 1e6:.1f} M",
            f"{result['scalar_bills']:,} in {result['scalar_s']:.2f}",
            f"{scalar_us:.1f}",
            f"{bulk_us:.3f}",
            f"{scalar_us / bulk_us:,.0f}×",
            f"{(result['scalar_cpu_s'] / result['scalar_bills']) / (result['bulk_cpu_s'] / result['bills']):,.0f}×",
            "yes" if result["sample_equal"] else "**NO**",
            f"{result['input_mb']:.0f}",
            f"{result['engine_peak_mb']:.0f}",
            f"{result['rss_after_input_mb']:.0f}",
            f"{result['peak_rss_one_process_mb']:.0f}",
            f"{result['write_csv_s']:.2f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print()
    for result in results:
        runs = {
            key: [round(value, 2) for value in values]
            for key, values in result["bulk_runs_s"].items()
        }
        print(
            f"- {result['size']:,} accounts: runs per process count {runs}; "
            f"would save: {result['would_save']:,} accounts, NT${result['total_saving']:,}/year; "
            f"data generation {result['generate_s']:.1f} s; "
            f"peak RSS including the parallel runs {result['peak_rss_mb']:.0f} MB"
        )
    if options.csv_read_accounts:
        read = _run_child(["--csv-child", str(options.csv_read_accounts)])
        print(
            f"- read_history on a {read['mb']:.0f} MB CSV of {read['accounts']:,} accounts "
            f"({read['rows']:,} rows): {read['read_s']:.2f} s, "
            f"{read['rows'] / read['read_s']:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
