"""Time `powerdesk demo --accounts N` on a fresh database and report rows per second.

Usage:
    .venv/bin/python benchmarks/demo_load.py --accounts 100000 [--accounts 1000000] [--database-url URL]

Each run uses a fresh temporary data directory (SQLite); with --database-url it loads into that
PostgreSQL database, which must be empty (e.g. `createdb -h 127.0.0.1 -U postgres bench1`). Peak memory is the child process's
maximum resident set size. Results go to stdout as a Markdown table row.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(accounts: int, database_url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="powerdesk-bench-") as data_dir:
        env = dict(
            os.environ, POWERDESK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="powerdesk.settings.dev"
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run(
            [sys.executable, "-m", "powerdesk", "migrate", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "powerdesk",
                "demo",
                "--accounts",
                str(accounts),
                "--no-progress",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        summary = next(line for line in done.stdout.splitlines() if line.startswith("loaded"))
        readings = int(summary.split(" accounts, ")[1].split(" readings")[0].replace(",", ""))
        size = (
            sum(p.stat().st_size for p in Path(data_dir).glob("powerdesk.sqlite3*"))
            if not database_url
            else 0
        )
    return {
        "accounts": accounts,
        "readings": readings,
        "seconds": elapsed,
        "accounts_per_s": accounts / elapsed,
        "rows_per_s": (accounts * 2.2 + readings) / elapsed,
        "peak_mib": max(peak_kib, before) / 1024,
        "db_mib": size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, action="append", required=True)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print("| accounts | readings | seconds | accounts/s | peak RSS (MiB) | database (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for accounts in args.accounts:
        r = run(accounts, args.database_url)
        print(
            f"| {r['accounts']:,} | {r['readings']:,} | {r['seconds']:.1f} | {r['accounts_per_s']:,.0f} "
            f"| {r['peak_mib']:.0f} | {r['db_mib']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
