"""Bulk plan recommendation runs: from the customer database or a history file, to a CSV file
and the ``TariffRecommendation`` table (``powerdesk tariffs recommend``, the worker's
``tariffs_recommend_partition_task``).

* **From the database**: accounts are streamed in chunks of ``chunk_size`` ordered by id (keyset
  pagination, never all at once); each chunk's readings are fetched with one query, mapped to
  calendar months by ``bulk.readings`` (its docstring defines the mapping of dated readings and
  cycle names) and priced by the vectorised engine. Memory is bounded by the chunk.
* **Partitions**: ``db_partitions(n)`` splits the accounts into ``n`` ranges of account ids of
  near-equal size (boundaries taken from the current table), so several workers price disjoint
  ranges whose union is every account; the last range is open-ended.
* **From a file** (CSV or Parquet, ``bulk.inputs`` format): any problem refuses the whole file
  (``HistoryFileError`` naming rows and columns); nothing is written.
* **Writing**: each run is a new ``RecommendationRun`` (never over an older one); its rows are
  inserted in bulk, one short transaction per chunk (so parallel partitions on one SQLite file
  only wait for each other's chunk), and the run is marked ``finished`` with its counts at the
  end: only a finished run's recommendations count. A failed run's rows are deleted and the run
  marked ``failed``. The CSV is written to ``<name>.part`` and renamed when complete.
"""

from __future__ import annotations

import csv
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from powerdesk.core.bulk import bulk_insert_rows
from powerdesk.core.domain.errors import Message
from powerdesk.customers.models import Account, MeterReading
from powerdesk.tariffs import api
from powerdesk.tariffs.bulk import inputs, partitions, readings
from powerdesk.tariffs.bulk.recommend import AssumedShares, recommend_prices
from powerdesk.tariffs.bulk.recommend import price_history as bulk_price_history
from powerdesk.tariffs.engine.model import CsvProblem, IntervalCsvError, Plan
from powerdesk.tariffs.models import RecommendationRun, TariffRecommendation

DEFAULT_CHUNK_SIZE = 10_000
"""Accounts read from the database and priced at once (bounds memory)."""

type Progress = Callable[[int], None]
"""``progress(accounts)``: called with the number of accounts just finished."""

type Bounds = tuple[int | None, int | None]
"""Account ids ``first ≤ id < stop`` of a partition (None = open end)."""


class HistoryFileError(api.CsvInvalidError):
    """A history file with problems: every row/column problem listed (``rows``, ``more``)."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Parameters of a run (stored on ``RecommendationRun.parameters``)."""

    chunk_size: int = DEFAULT_CHUNK_SIZE
    shares: AssumedShares | None = None

    def as_json(self) -> dict[str, Any]:
        """The parameters as JSON."""
        return {
            "chunk_size": self.chunk_size,
            "summer_shares": None if self.shares is None else list(self.shares.summer),
            "non_summer_shares": None if self.shares is None else list(self.shares.non_summer),
        }


def new_batch() -> str:
    """A fresh id shared by the partitions of one run."""
    return secrets.token_hex(8)


# --- Partitions -----------------------------------------------------------------------------


def db_partitions(count: int) -> list[Bounds]:
    """Split all accounts into ``count`` id ranges of near-equal size (fewer when fewer accounts).

    The ranges are disjoint and cover every id (the first starts at None, the last is open).
    """
    total = Account.objects.count()
    parts = partitions.plan_partitions(total, partitions=count)
    ordered = Account.objects.order_by("id").values_list("id", flat=True)
    starts: list[int | None] = [None, *(ordered[part.start] for part in parts[1:])]
    stops: list[int | None] = [*starts[1:], None]
    return list(zip(starts, stops, strict=True))


def _accounts(bounds: Bounds) -> Any:
    first, stop = bounds
    query = Account.objects.order_by("id")
    if first is not None:
        query = query.filter(id__gte=first)
    if stop is not None:
        query = query.filter(id__lt=stop)
    return query


# --- Reading the database -------------------------------------------------------------------

_PLANS = {plan.value: plan for plan in Plan}


@dataclass(frozen=True, slots=True)
class _Chunk:
    ids: dict[str, int]  # account number → Account.id
    accounts: list[readings.AccountRecord]
    readings: dict[str, list[readings.ReadingRecord]]


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _reading_rows(*, first: int, last: int) -> Iterator[tuple[Any, ...]]:
    """Readings of accounts ``first`` … ``last`` (ids) as plain tuples, dates as ``date``.

    The ORM's query, run on a plain cursor: Django's per-value converters cost more than the
    rest of the run on SQLite, where dates come back as ISO text (``date.fromisoformat``).
    """
    query = (
        MeterReading.objects.filter(account_id__gte=first, account_id__lte=last)
        .order_by()
        .values_list(
            "account_id",
            "period_start",
            "period_end",
            "kwh_total",
            "kwh_peak",
            "kwh_semi_peak",
            "kwh_off_peak",
        )
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(20_000):
            for pk, start, end, kwh, peak, semi, off in batch:
                yield pk, _day(start), _day(end), kwh, peak, semi, off


def db_chunks(bounds: Bounds, *, chunk_size: int) -> Iterator[_Chunk]:
    """The accounts of ``bounds`` with all their readings, ``chunk_size`` accounts at a time."""
    after: int | None = None
    while True:
        query = _accounts(bounds)
        if after is not None:
            query = query.filter(id__gt=after)
        rows = list(
            query.values_list(
                "id", "number", "tariff_class", "phase", "meter_amperes", "tax_exempt"
            )[:chunk_size]
        )
        if not rows:
            return
        after = rows[-1][0]
        ids = {number: pk for pk, number, *_ in rows}
        numbers = {pk: number for pk, number, *_ in rows}
        accounts = [
            readings.AccountRecord(
                number=number,
                current_plan=_PLANS[tariff],
                three_phase=phase == Account.Phase.THREE,
                meter_amperes=int(amperes or 0),
                tax_exempt=bool(exempt),
            )
            for _pk, number, tariff, phase, amperes, exempt in rows
        ]
        by_account: dict[str, list[readings.ReadingRecord]] = defaultdict(list)
        for pk, start, end, kwh, peak, semi, off in _reading_rows(first=rows[0][0], last=after):
            number = numbers.get(pk)
            if number is not None:  # ids between the chunk's that belong to another range
                by_account[number].append(
                    readings.ReadingRecord(
                        start=start, end=end, kwh=kwh, peak=peak, semi_peak=semi, off_peak=off
                    )
                )
        yield _Chunk(ids=ids, accounts=accounts, readings=by_account)


# --- Writing --------------------------------------------------------------------------------

_FIELDS = (
    "run",
    "account",
    "account_number",
    "current_plan",
    "tiered_plan",
    "billing",
    "window_start",
    "months",
    "tou_basis",
    "annual_residential",
    "annual_non_residential",
    "annual_commercial",
    "annual_simple_tou_2",
    "annual_simple_tou_3",
    "cheapest",
    "saving",
    "complete",
    "lock_in",
    "provisional",
    "not_priced",
)


@dataclass(slots=True)
class _Counts:
    accounts: int = 0
    complete: int = 0
    not_priceable: int = 0
    would_save: int = 0
    total_saving: int = 0

    def add(self, row: readings.OutputRow) -> None:
        self.accounts += 1
        self.complete += row.complete
        self.not_priceable += row.billing == ""
        if row.cheapest is not None and row.cheapest != row.current_plan and (row.saving or 0) > 0:
            self.would_save += 1
            self.total_saving += row.saving or 0


def _db_row(
    run: RecommendationRun, row: readings.OutputRow, *, account_id: int | None
) -> tuple[Any, ...]:
    return (
        run.pk,
        account_id,
        row.account,
        row.current_plan.value,
        "" if row.tiered_plan is None else row.tiered_plan.value,
        row.billing,
        row.window_start,
        row.months,
        row.tou_basis,
        *(row.annual.get(plan) for plan in Plan),
        "" if row.cheapest is None else row.cheapest.value,
        row.saving,
        row.complete,
        row.lock_in,
        row.provisional,
        row.not_priced[:300],
    )


class _Output:
    """The CSV output (optional), written to ``<path>.part`` and renamed when complete."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.partial = None if path is None else path.with_name(path.name + ".part")
        self.stream: TextIO | None = None
        self.writer: Any = None

    def __enter__(self) -> _Output:
        if self.partial is not None:
            self.stream = self.partial.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.stream, lineterminator="\n")
            self.writer.writerow(readings.OUTPUT_COLUMNS)
        return self

    def write(self, rows: Sequence[readings.OutputRow]) -> None:
        if self.writer is not None:
            self.writer.writerows(row.cells() for row in rows)

    def __exit__(self, kind: object, *_: object) -> None:
        if self.stream is None or self.partial is None or self.path is None:
            return
        self.stream.close()
        if kind is None:
            self.partial.replace(self.path)
        else:
            self.partial.unlink(missing_ok=True)


def _run(
    run: RecommendationRun,
    blocks: Iterator[tuple[list[readings.OutputRow], dict[str, int]]],
    *,
    output: Path | None,
    progress: Progress | None,
) -> RecommendationRun:
    counts = _Counts()
    try:
        with _Output(output) as out:
            for rows, ids in blocks:
                # One short transaction per chunk: parallel partitions (several workers on one
                # SQLite file) wait for each other's chunk, not for a whole run.
                with transaction.atomic():
                    bulk_insert_rows(
                        TariffRecommendation,
                        _FIELDS,
                        (_db_row(run, row, account_id=ids.get(row.account)) for row in rows),
                    )
                out.write(rows)
                for row in rows:
                    counts.add(row)
                if progress is not None:
                    progress(len(rows))
        run.accounts = counts.accounts
        run.complete = counts.complete
        run.not_priceable = counts.not_priceable
        run.would_save = counts.would_save
        run.total_saving = counts.total_saving
        run.state = RecommendationRun.State.FINISHED
        run.finished_at = timezone.now()
        run.save()
    except BaseException:
        _discard(run)
        raise
    return run


def _discard(run: RecommendationRun) -> None:
    """A failed run keeps no recommendations and is marked failed (best effort)."""
    try:
        with transaction.atomic():
            TariffRecommendation.objects.filter(run=run).delete()
            RecommendationRun.objects.filter(pk=run.pk).update(
                state=RecommendationRun.State.FAILED, finished_at=timezone.now()
            )
    except DatabaseError:  # the database itself failed: the run stays "running", never finished
        pass


def count_accounts(bounds: Bounds) -> int:
    """How many accounts a database partition holds now (for a progress bar)."""
    count: int = _accounts(bounds).count()
    return count


def run_database(
    *,
    bounds: Bounds = (None, None),
    partition: tuple[int, int] = (0, 1),
    options: RunOptions | None = None,
    output: Path | None = None,
    progress: Progress | None = None,
    batch: str | None = None,
) -> RecommendationRun:
    """Recommend for the accounts with ``bounds[0] ≤ id < bounds[1]`` (module docstring)."""
    options = options or RunOptions()
    run = RecommendationRun.objects.create(
        batch=batch or new_batch(),
        source=RecommendationRun.Source.DATABASE,
        partition_index=partition[0],
        partition_count=partition[1],
        first_account_id=bounds[0],
        stop_account_id=bounds[1],
        chunk_size=options.chunk_size,
        parameters=options.as_json(),
        started_at=timezone.now(),
    )

    def blocks() -> Iterator[tuple[list[readings.OutputRow], dict[str, int]]]:
        for chunk in db_chunks(bounds, chunk_size=options.chunk_size):
            batch_ = readings.build_batch(chunk.accounts, chunk.readings)
            recommendations = readings.price_batch(batch_, shares=options.shares)
            yield readings.output_rows(batch_, recommendations), chunk.ids

    return _run(run, blocks(), output=output, progress=progress)


def read_history_file(path: Path) -> inputs.HistoryRead:
    """Read a history file; raise ``HistoryFileError`` on any problem (rows and columns named)."""
    try:
        read = inputs.read_history(path)
    except inputs.HistoryCsvError as error:
        raise HistoryFileError(IntervalCsvError((error.problem,))) from error
    except (OSError, ValueError) as error:  # unreadable, or not Parquet (pyarrow's ArrowInvalid)
        reason = getattr(error, "strerror", None) or type(error).__name__
        problem = CsvProblem(
            row=1,
            column="",
            code="bulk.csv.unreadable",
            message=Message(
                zh_hant=f"無法讀取檔案 {path.name}（{reason}）。",
                en=f"cannot read the file {path.name} ({reason}).",
            ),
        )
        raise HistoryFileError(IntervalCsvError((problem,))) from error
    if read.problems:
        raise HistoryFileError(
            IntervalCsvError(read.problems, more=read.problem_count - len(read.problems))
        )
    return read


def run_file(
    history: inputs.History,
    *,
    input_name: str,
    partition: tuple[int, int] = (0, 1),
    options: RunOptions | None = None,
    output: Path | None = None,
    progress: Progress | None = None,
    batch: str | None = None,
) -> RecommendationRun:
    """Recommend for partition ``partition[0]`` of ``partition[1]`` of a history read from a file."""
    options = options or RunOptions()
    index, count = partition
    parts = partitions.plan_partitions(history.size, partitions=count)
    part = (
        parts[index]
        if index < len(parts)  # fewer accounts than partitions: the extra ones are empty
        else partitions.Partition(index=index, count=count, start=0, stop=0)
    )
    run = RecommendationRun.objects.create(
        batch=batch or new_batch(),
        source=RecommendationRun.Source.FILE,
        input_name=input_name[:255],
        partition_index=partition[0],
        partition_count=partition[1],
        chunk_size=options.chunk_size,
        parameters=options.as_json(),
        started_at=timezone.now(),
    )

    def blocks() -> Iterator[tuple[list[readings.OutputRow], dict[str, int]]]:
        for start, stop in partitions.chunk_ranges(
            start=part.start, stop=part.stop, chunk_size=options.chunk_size
        ):
            chunk = history.slice(start=start, stop=stop)
            prices = bulk_price_history(chunk, shares=options.shares)
            recommendations = recommend_prices(chunk, prices=prices)
            yield readings.history_output_rows(recommendations, history=chunk), {}

    return _run(run, blocks(), output=output, progress=progress)
