"""Bulk plan recommendation: every account priced under every plan open to it, over its last
12 months, with the cheapest plan and the saving against its current plan.

**Plans open to an account** (``eligible_plans``): its non-time-of-use class (住宅用 /
住宅以外非營業用 / 營業用, set by the use of the premises: the bulk run never moves a customer
to another class) and the two simple time-of-use plans (二段式, 三段式). Taipower's own
calculator compares exactly these three plans, 非時間 / 二段式 / 三段式 (tariffs.md §5,
confidence C), and so does ``powerdesk.tariffs.engine.compare.compared_plans``. The reference
names no class of 表燈 customer barred from 簡易型時間電價 and gives only suitability guidance
(住宅 800–4,400 kWh/month, shops 1,600–4,400, §5), so residential, non-residential and
commercial customers alike are offered both TOU plans. A current TOU customer's class comes
from ``tiered_plan``.

**Annual cost of a plan** = the sum of the account's bill totals over its readings (12 monthly
bills, or 6 bimonthly bills for tiered plans), each bill exactly the scalar engine's total.
A plan any of whose bills is refused (unknown rates, 底度 questions, …) is **not priced**: its
annual cost is left empty and the reason is recorded.

**Time-of-use pricing needs kWh per period**, which only interval data or TOU registers give
(``TouBasis``):

* ``interval``: the history has kWh per period for every month: TOU plans are priced exactly;
* ``assumed_shares``: no per-period data, but the caller passed ``AssumedShares`` (the same
  per-season percentages as Taipower's calculator, form (a)): TOU plans are priced on kWh split
  by those shares: an estimate, flagged in the output;
* ``none``: neither: TOU plans are **not priced** (``bulk.no_period_kwh``). The engine ships no
  default load profile: the reference has no sourced typical profile for Taiwanese households.
* Bimonthly accounts (隔月抄表): TOU bills are monthly and a two-month reading cannot be split
  into months without guessing, so TOU plans are not priced (``tariff.tou_bimonthly``).

**Cheapest plan**: the lowest annual cost among the priced plans; ties go to the current plan,
then to the non-TOU plan, then to 二段式 (as ``compare.build_comparison``). **Saving** = annual
cost of the current plan − that of the cheapest (empty when the current plan is not priced).
Choosing a TOU plan locks the customer in for a year ([T1] p.14 七(五)): ``lock_in``.
"""

from __future__ import annotations

import csv
import functools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from powerdesk.tariffs.bulk import engine, partitions
from powerdesk.tariffs.bulk.engine import PLANS, Priced, Status
from powerdesk.tariffs.bulk.inputs import WINDOW_MONTHS, Cycle, History
from powerdesk.tariffs.engine.compare import TouShares, parse_shares
from powerdesk.tariffs.engine.model import Plan, Season, TariffError

type Progress = Callable[[int, int], None]
"""``progress(accounts_done, accounts_total)``, called after every chunk (e.g. a progress bar)."""

_PLAN_COUNT = len(PLANS)
_TOU_COLUMNS = tuple(index for index, plan in enumerate(PLANS) if plan.is_tou)
_TIERED_COLUMNS = tuple(index for index, plan in enumerate(PLANS) if not plan.is_tou)
_BASIS_POINTS = 10_000  # shares in hundredths of a percent: they sum to 10,000


class TouBasis(IntEnum):
    """What the TOU prices of an account rest on (module docstring)."""

    INTERVAL = 0
    ASSUMED_SHARES = 1
    NONE = 2

    @property
    def code(self) -> str:
        """The stable text code (CSV)."""
        return _BASIS_CODES[self]


_BASIS_CODES = {
    TouBasis.INTERVAL: "interval",
    TouBasis.ASSUMED_SHARES: "assumed_shares",
    TouBasis.NONE: "none",
}


@dataclass(frozen=True, slots=True)
class AssumedShares:
    """Share of a month's kWh per three-period window [basis points: 1/100 %], per season.

    Build with ``assumed_shares`` (validated: each season sums to 100 %, no non-summer peak).
    """

    summer: tuple[int, int, int]  # peak, semi-peak, off-peak
    non_summer: tuple[int, int, int]  # 0, semi-peak, off-peak


def _basis_points(value: Decimal, *, field: str) -> int:
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise TariffError(
            code="bulk.share_precision",
            zh_hant=f"「{field}」最多兩位小數（%），收到 {value}。",
            en=f"{field} may have at most two decimals (percent), got {value}.",
            field=field,
        )
    return int(scaled)


def assumed_shares(
    *,
    summer: TouShares | Mapping[str, object],
    non_summer: TouShares | Mapping[str, object],
) -> AssumedShares:
    """Validated shares [%] as in ``compare_typical`` (``compare.parse_shares``): numbers ≥ 0
    with at most two decimals, summing to exactly 100 per season, no peak outside summer."""
    result: list[tuple[int, int, int]] = []
    for season, value, field in (
        (Season.SUMMER, summer, "summer_shares"),
        (Season.NON_SUMMER, non_summer, "non_summer_shares"),
    ):
        shares = parse_shares(value, field=field, season=season)
        result.append(
            (
                _basis_points(shares.peak, field=f"{field}.peak"),
                _basis_points(shares.semi_peak, field=f"{field}.semi_peak"),
                _basis_points(shares.off_peak, field=f"{field}.off_peak"),
            )
        )
    return AssumedShares(summer=result[0], non_summer=result[1])


def eligible_plans(tiered_plan: Plan) -> tuple[Plan, ...]:
    """The plans open to a customer of non-TOU class ``tiered_plan`` (module docstring)."""
    if tiered_plan.is_tou:
        raise ValueError(f"{tiered_plan.value} is not a non-time-of-use class")
    return (tiered_plan, Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)


# --- Pricing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryPrices:
    """Every bill of every account under every plan: arrays of shape (n, plans, 12).

    Plan axis: ``engine.PLANS``. Readings beyond an account's count (6 for bimonthly) have
    status OK and total 0; plans not open to the account have ``Status.NOT_ELIGIBLE``.
    """

    totals: NDArray[np.int64]  # [NT$] per bill; 0 where refused
    status: NDArray[np.int8]  # engine.Status per bill
    provisional: NDArray[np.bool_]  # the bill uses rates of confidence C
    readings: NDArray[np.int64]  # (n,) 12 or 6
    tou_basis: NDArray[np.int8]  # (n,) TouBasis


@functools.cache
def _tiered_rates(plan: Plan, first_year: int, last_year: int) -> engine.TieredRates:
    return engine.tiered_rates(
        plan,
        first_month=engine.month_index(year=first_year, month=1),
        last_month=engine.month_index(year=last_year, month=12),
    )


@functools.cache
def _tou_rates(plan: Plan, first_year: int, last_year: int) -> engine.TouRates:
    return engine.tou_rates(
        plan,
        first_month=engine.month_index(year=first_year, month=1),
        last_month=engine.month_index(year=last_year, month=12),
    )


def _fill(
    prices: HistoryPrices, *, rows: NDArray[np.intp], column: int, readings: int, priced: Priced
) -> None:
    prices.totals[rows, column, :readings] = priced.totals
    prices.status[rows, column, :readings] = priced.status
    prices.provisional[rows, column, :readings] = priced.provisional


def _share_kwh(
    kwh: NDArray[np.int64], *, summer: NDArray[np.bool_], shares: AssumedShares
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """kWh per period [1/10,000 kWh]: kWh × basis points of the month's season."""
    result = []
    for period in range(3):
        points = np.where(summer, shares.summer[period], shares.non_summer[period])
        result.append(kwh * points)
    return result[0], result[1], result[2]


def price_history(history: History, *, shares: AssumedShares | None = None) -> HistoryPrices:
    """Price every bill of every account under every plan open to it (vectorised, exact).

    Each (account, plan, reading) equals the scalar engine: ``monthly_total`` for a monthly
    reading, ``bill_total`` with ``billing="bimonthly"`` for a two-month reading (both with
    ``phase``, ``meter_amperes`` (None when 0) and ``tax_exempt`` of the account), or carries
    the scalar error code in ``status``.
    """
    n = history.size
    prices = HistoryPrices(
        totals=np.zeros((n, _PLAN_COUNT, WINDOW_MONTHS), dtype=np.int64),
        status=np.zeros((n, _PLAN_COUNT, WINDOW_MONTHS), dtype=np.int8),
        provisional=np.zeros((n, _PLAN_COUNT, WINDOW_MONTHS), dtype=np.bool_),
        readings=np.where(history.cycle == Cycle.MONTHLY, WINDOW_MONTHS, WINDOW_MONTHS // 2),
        tou_basis=np.where(
            history.has_periods,
            TouBasis.INTERVAL,
            TouBasis.NONE if shares is None else TouBasis.ASSUMED_SHARES,
        ).astype(np.int8),
    )
    if n == 0:
        return prices
    months = history.reading_months()
    first_year = int(history.first_month.min()) // 12
    last_year = (int(months.max()) + 1) // 12  # + 1: a bimonthly reading's second month
    monthly = history.cycle == Cycle.MONTHLY
    unused = np.arange(WINDOW_MONTHS)[None, :] >= prices.readings[:, None]
    for column in range(_PLAN_COUNT):
        plan = PLANS[column]
        if plan.is_tou:
            continue
        prices.status[:, column, :] = np.where(
            (history.tiered_plan[:, None] == column) | unused, Status.OK, Status.NOT_ELIGIBLE
        )
        rates = _tiered_rates(plan, first_year, last_year)
        for is_monthly in (True, False):
            rows = np.nonzero((history.tiered_plan == column) & (monthly == is_monthly))[0]
            if rows.size == 0:
                continue
            readings = WINDOW_MONTHS if is_monthly else WINDOW_MONTHS // 2
            _fill(
                prices,
                rows=rows,
                column=column,
                readings=readings,
                priced=engine.tiered_totals(
                    rates,
                    months=months[rows, :readings],
                    kwh=history.kwh[rows, :readings].astype(np.int64),
                    bimonthly=not is_monthly,
                    three_phase=history.three_phase[rows],
                    meter_amperes=history.meter_amperes[rows],
                    tax_exempt=history.tax_exempt[rows],
                ),
            )
    bimonthly = ~monthly
    no_data = monthly & ~history.has_periods & (shares is None)
    for column in _TOU_COLUMNS:
        prices.status[:, column, :] = np.where(
            unused,
            Status.OK,
            np.where(
                bimonthly[:, None],
                Status.TOU_BIMONTHLY,
                np.where(no_data[:, None], Status.NO_PERIOD_KWH, Status.OK),
            ),
        )
        rates_tou = _tou_rates(PLANS[column], first_year, last_year)
        rows = np.nonzero(monthly & history.has_periods)[0]
        if rows.size:
            _fill(
                prices,
                rows=rows,
                column=column,
                readings=WINDOW_MONTHS,
                priced=engine.tou_totals(
                    rates_tou,
                    months=months[rows],
                    peak=history.peak[rows].astype(np.int64),
                    semi_peak=history.semi_peak[rows].astype(np.int64),
                    off_peak=history.off_peak[rows].astype(np.int64),
                    tax_exempt=history.tax_exempt[rows],
                ),
            )
        rows = np.nonzero(monthly & ~history.has_periods)[0]
        if rows.size and shares is not None:
            summer = rates_tou.summer[months[rows] - rates_tou.first_month]
            peak, semi_peak, off_peak = _share_kwh(
                history.kwh[rows].astype(np.int64), summer=summer, shares=shares
            )
            _fill(
                prices,
                rows=rows,
                column=column,
                readings=WINDOW_MONTHS,
                priced=engine.tou_totals(
                    rates_tou,
                    months=months[rows],
                    peak=peak,
                    semi_peak=semi_peak,
                    off_peak=off_peak,
                    tax_exempt=history.tax_exempt[rows],
                    scale=_BASIS_POINTS,
                ),
            )
    return prices


# --- Recommendations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecommendationRow:
    """One account's recommendation (a row of the table)."""

    account: str
    current_plan: Plan
    tiered_plan: Plan
    billing: Cycle
    tou_basis: TouBasis
    annual: Mapping[Plan, int]  # [NT$/year] the priced eligible plans
    not_priced: Mapping[Plan, str]  # eligible plans not priced → status code
    cheapest: Plan | None  # None when no plan could be priced
    saving: int | None  # [NT$/year] None when the current plan is not priced
    complete: bool  # every eligible plan was priced
    lock_in: bool  # the cheapest is a TOU plan other than the current one
    provisional: bool  # a priced plan uses rates of confidence C


@dataclass(frozen=True, slots=True)
class Recommendations:
    """Recommendations of ``n`` accounts, column by column (plan axis: ``engine.PLANS``)."""

    accounts: NDArray[np.str_]  # (n,)
    current_plan: NDArray[np.int8]  # (n,)
    tiered_plan: NDArray[np.int8]  # (n,)
    cycle: NDArray[np.int8]  # (n,) inputs.Cycle
    tou_basis: NDArray[np.int8]  # (n,) TouBasis
    annual: NDArray[np.int64]  # (n, plans) [NT$/year]; −1 = not eligible or not priced
    plan_status: NDArray[np.int8]  # (n, plans) Status of the first refused bill, else OK
    provisional: NDArray[np.bool_]  # (n, plans)
    cheapest: NDArray[np.int8]  # (n,) plan index; −1 = none
    saving: NDArray[np.int64]  # (n,) [NT$/year]; −1 = unknown
    complete: NDArray[np.bool_]  # (n,)

    @property
    def size(self) -> int:
        """Number of accounts."""
        return int(self.accounts.shape[0])

    @property
    def lock_in(self) -> NDArray[np.bool_]:
        """(n,) the cheapest plan is a TOU plan other than the current one."""
        tou = np.isin(self.cheapest, _TOU_COLUMNS)
        result: NDArray[np.bool_] = tou & (self.cheapest != self.current_plan)
        return result

    def row(self, index: int) -> RecommendationRow:
        """The recommendation of the ``index``-th account."""
        annual: dict[Plan, int] = {}
        not_priced: dict[Plan, str] = {}
        for column, plan in enumerate(PLANS):
            status = Status(int(self.plan_status[index, column]))
            if status is Status.OK:
                annual[plan] = int(self.annual[index, column])
            elif status is not Status.NOT_ELIGIBLE:
                not_priced[plan] = engine.STATUS_CODES[status]
        cheapest = int(self.cheapest[index])
        saving = int(self.saving[index])
        eligible = self.plan_status[index] != Status.NOT_ELIGIBLE
        return RecommendationRow(
            account=str(self.accounts[index]),
            current_plan=PLANS[int(self.current_plan[index])],
            tiered_plan=PLANS[int(self.tiered_plan[index])],
            billing=Cycle(int(self.cycle[index])),
            tou_basis=TouBasis(int(self.tou_basis[index])),
            annual=annual,
            not_priced=not_priced,
            cheapest=None if cheapest < 0 else PLANS[cheapest],
            saving=None if saving < 0 else saving,
            complete=bool(self.complete[index]),
            lock_in=bool(self.lock_in[index]),
            provisional=bool((self.provisional[index] & eligible).any()),
        )

    def slice(self, *, start: int, stop: int) -> Recommendations:
        """Accounts ``start`` … ``stop − 1`` (numpy views)."""
        return Recommendations(
            **{
                name: getattr(self, name)[start:stop]
                for name in Recommendations.__dataclass_fields__
            }
        )

    def rows(self) -> Iterator[RecommendationRow]:
        """Every account's ``RecommendationRow``, in order."""
        for index in range(self.size):
            yield self.row(index)


def _first_refusal(status: NDArray[np.int8]) -> NDArray[np.int8]:
    """(n, plans): the status of the first non-OK reading of each plan, else OK."""
    refused = status != Status.OK
    first = np.argmax(refused, axis=2)
    picked = np.take_along_axis(status, first[:, :, None], axis=2)[:, :, 0]
    result: NDArray[np.int8] = np.where(refused.any(axis=2), picked, Status.OK).astype(np.int8)
    return result


def recommend_prices(history: History, *, prices: HistoryPrices) -> Recommendations:
    """Annual costs, cheapest plan and saving per account from its priced bills."""
    n = history.size
    plan_status = _first_refusal(prices.status)
    priced = plan_status == Status.OK
    eligible = plan_status != Status.NOT_ELIGIBLE
    annual = np.where(priced, prices.totals.sum(axis=2), -1)
    plan_index = np.arange(_PLAN_COUNT)[None, :]
    current = history.current_plan.astype(np.int64)
    # Lowest annual cost; ties: the current plan, then the plan order (tiered class, 二段式,
    # 三段式: the tiered class always precedes the TOU plans in engine.PLANS).
    key = np.where(
        priced,
        annual * (4 * _PLAN_COUNT) + (plan_index != current[:, None]) * _PLAN_COUNT + plan_index,
        np.iinfo(np.int64).max,
    )
    cheapest = np.where(priced.any(axis=1), np.argmin(key, axis=1), -1)
    rows = np.arange(n)
    current_annual = annual[rows, current]
    cheapest_annual = annual[rows, np.maximum(cheapest, 0)]
    saving = np.where((cheapest >= 0) & (current_annual >= 0), current_annual - cheapest_annual, -1)
    return Recommendations(
        accounts=history.accounts,
        current_plan=history.current_plan,
        tiered_plan=history.tiered_plan,
        cycle=history.cycle,
        tou_basis=prices.tou_basis,
        annual=annual.astype(np.int64),
        plan_status=plan_status,
        provisional=prices.provisional.any(axis=2) & priced,
        cheapest=cheapest.astype(np.int8),
        saving=saving.astype(np.int64),
        complete=(priced | ~eligible).all(axis=1),
    )


def merge(blocks: Iterable[Recommendations]) -> Recommendations:
    """Concatenate recommendations of consecutive account ranges (chunks or partitions)."""
    parts = list(blocks)
    if not parts:
        raise ValueError("nothing to merge")
    return Recommendations(
        accounts=np.concatenate([part.accounts for part in parts]),
        current_plan=np.concatenate([part.current_plan for part in parts]),
        tiered_plan=np.concatenate([part.tiered_plan for part in parts]),
        cycle=np.concatenate([part.cycle for part in parts]),
        tou_basis=np.concatenate([part.tou_basis for part in parts]),
        annual=np.concatenate([part.annual for part in parts]),
        plan_status=np.concatenate([part.plan_status for part in parts]),
        provisional=np.concatenate([part.provisional for part in parts]),
        cheapest=np.concatenate([part.cheapest for part in parts]),
        saving=np.concatenate([part.saving for part in parts]),
        complete=np.concatenate([part.complete for part in parts]),
    )


def recommend_partition(
    history: History,
    *,
    partition: partitions.Partition,
    shares: AssumedShares | None = None,
    chunk_size: int = partitions.DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> Recommendations:
    """Recommend for the accounts of ``partition``, ``chunk_size`` accounts at a time.

    ``progress(done, total)`` counts accounts within the partition.
    """
    blocks: list[Recommendations] = []
    for start, stop in partitions.chunk_ranges(
        start=partition.start, stop=partition.stop, chunk_size=chunk_size
    ):
        chunk = history.slice(start=start, stop=stop)
        blocks.append(recommend_prices(chunk, prices=price_history(chunk, shares=shares)))
        if progress is not None:
            progress(stop - partition.start, partition.size)
    if not blocks:
        empty = history.slice(start=0, stop=0)
        blocks.append(recommend_prices(empty, prices=price_history(empty, shares=shares)))
    return merge(blocks)


def recommend_accounts(
    history: History,
    *,
    shares: AssumedShares | None = None,
    chunk_size: int = partitions.DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> Recommendations:
    """Recommend a plan for every account of ``history`` (module docstring), in one process.

    Args:
        history: the accounts' last 12 months (``inputs.History``).
        shares: assumed TOU shares for monthly accounts without kWh per period; None = do not
            price TOU plans for them.
        chunk_size: accounts priced at once (memory bound).
        progress: called as ``progress(done, total)`` after every chunk.
    """
    (whole,) = partitions.plan_partitions(history.size, partitions=1)
    return recommend_partition(
        history, partition=whole, shares=shares, chunk_size=chunk_size, progress=progress
    )


def _run_partition(
    history: History, shares: AssumedShares | None, chunk_size: int
) -> Recommendations:
    (whole,) = partitions.plan_partitions(history.size, partitions=1)
    return recommend_partition(history, partition=whole, shares=shares, chunk_size=chunk_size)


def recommend_parallel(
    history: History,
    *,
    workers: int,
    shares: AssumedShares | None = None,
    chunk_size: int = partitions.DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> Recommendations:
    """``recommend_accounts`` with the accounts split into ``workers`` partitions priced by as many
    processes; the merged result is identical. ``progress`` is called per finished partition.
    """
    parts = partitions.plan_partitions(history.size, partitions=workers)
    if len(parts) == 1:
        return recommend_accounts(history, shares=shares, chunk_size=chunk_size, progress=progress)
    results: dict[int, Recommendations] = {}
    done = 0
    # "forkserver": forking a multi-threaded parent (web server, worker heartbeat) can deadlock.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
        futures = {
            pool.submit(
                _run_partition,
                history.slice(start=part.start, stop=part.stop),
                shares,
                chunk_size,
            ): part
            for part in parts
        }
        for future, part in futures.items():
            results[part.index] = future.result()
            done += part.size
            if progress is not None:
                progress(done, history.size)
    return merge(results[index] for index in range(len(parts)))


# --- Summary and CSV ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals over all accounts of a recommendation run."""

    accounts: int
    complete: int  # accounts with every eligible plan priced
    would_save: int  # accounts whose cheapest plan is not their current plan (saving > 0)
    total_saving: int  # [NT$/year] Σ saving of those accounts
    cheapest: Mapping[Plan, int]  # accounts per cheapest plan
    tou_basis: Mapping[TouBasis, int]  # accounts per TOU basis
    not_priced: Mapping[str, int]  # (account, eligible plan) pairs not priced, per status code
    provisional: int  # accounts with a priced plan on rates of confidence C


def summarize(recommendations: Recommendations) -> Summary:
    """The ``Summary`` of ``recommendations``."""
    switch = (recommendations.cheapest != recommendations.current_plan) & (
        recommendations.saving > 0
    )
    cheapest_counts = np.bincount(
        recommendations.cheapest[recommendations.cheapest >= 0], minlength=_PLAN_COUNT
    )
    basis_counts = np.bincount(recommendations.tou_basis, minlength=len(TouBasis))
    status_counts = np.bincount(recommendations.plan_status.ravel(), minlength=len(Status))
    return Summary(
        accounts=recommendations.size,
        complete=int(recommendations.complete.sum()),
        would_save=int(switch.sum()),
        total_saving=int(recommendations.saving[switch].sum()),
        cheapest={plan: int(cheapest_counts[index]) for index, plan in enumerate(PLANS)},
        tou_basis={basis: int(basis_counts[basis]) for basis in TouBasis},
        not_priced={
            engine.STATUS_CODES[status]: int(status_counts[status])
            for status in Status
            if status not in (Status.OK, Status.NOT_ELIGIBLE) and status_counts[status]
        },
        provisional=int(recommendations.provisional.any(axis=1).sum()),
    )


CSV_COLUMNS = (
    "account",
    "current_plan",
    "tiered_plan",
    "billing",
    "tou_basis",
    *(plan.value for plan in PLANS),
    "cheapest",
    "saving",
    "complete",
    "lock_in",
    "provisional",
    "not_priced",
)
"""Columns of the recommendation CSV. Plan columns hold the annual cost [NT$/year], empty when
the plan is not open to the account or not priced (then listed in ``not_priced`` as
``plan:code``, ``;``-separated); ``saving`` [NT$/year] is empty when unknown."""


_WRITE_ROWS = 65_536


def _text(values: NDArray[np.int64]) -> list[str]:
    return ["" if value < 0 else str(value) for value in values.tolist()]


def _flags(values: NDArray[np.bool_]) -> list[str]:
    return ["true" if value else "false" for value in values.tolist()]


def _block_rows(block: Recommendations) -> Iterator[tuple[str, ...]]:
    plan_codes = [plan.value for plan in PLANS]
    cycles = {int(cycle): cycle.code for cycle in Cycle}
    bases = {int(basis): basis.code for basis in TouBasis}
    annual = [_text(block.annual[:, column]) for column in range(_PLAN_COUNT)]
    reasons: list[str] = [""] * block.size
    refused = (block.plan_status != Status.OK) & (block.plan_status != Status.NOT_ELIGIBLE)
    for index in np.nonzero(refused.any(axis=1))[0].tolist():
        reasons[index] = ";".join(
            f"{plan_codes[column]}:{engine.STATUS_CODES[Status(int(code))]}"
            for column, code in enumerate(block.plan_status[index].tolist())
            if refused[index, column]
        )
    eligible = block.plan_status != Status.NOT_ELIGIBLE
    columns = (
        block.accounts.tolist(),
        [plan_codes[value] for value in block.current_plan.tolist()],
        [plan_codes[value] for value in block.tiered_plan.tolist()],
        [cycles[value] for value in block.cycle.tolist()],
        [bases[value] for value in block.tou_basis.tolist()],
        *annual,
        ["" if value < 0 else plan_codes[value] for value in block.cheapest.tolist()],
        _text(block.saving),
        _flags(block.complete),
        _flags(block.lock_in),
        _flags((block.provisional & eligible).any(axis=1)),
        reasons,
    )
    return zip(*columns, strict=True)


def write_recommendations(rows: Recommendations | Iterable[Recommendations], *, path: Path) -> int:
    """Write the recommendation table as UTF-8 CSV (``CSV_COLUMNS``); returns the rows written.

    ``rows`` is one ``Recommendations`` or several consecutive blocks (e.g. per partition),
    written in order as they come.
    """
    blocks = [rows] if isinstance(rows, Recommendations) else rows
    written = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for block in blocks:
            # Text is built _WRITE_ROWS accounts at a time, so memory stays flat.
            for start, stop in partitions.chunk_ranges(
                start=0, stop=block.size, chunk_size=_WRITE_ROWS
            ):
                writer.writerows(_block_rows(block.slice(start=start, stop=stop)))
            written += block.size
    return written
