"""Billed readings (dated periods) → the bulk engine's calendar-month ``History``.

The customer database stores every billed reading with its **actual period**: first and last day
of use, inclusive (``customers.MeterReading``). The bulk engine works on calendar months
(``inputs.History``). This module maps one to the other **by the dates only**, and says so when
an account's readings cannot be mapped without guessing. Pure code (no Django): the Django side
(``powerdesk.tariffs.recommending``) turns database rows into the records below.

**The window.** For each account: the 12 calendar months ending with the month in which its
latest reading ends. Every reading that ends inside the window belongs to it.

**Whole calendar months.** A reading is *monthly* when it runs from the 1st to the last day of
one calendar month, *bimonthly* when it runs from the 1st of a month to the last day of the next
month. An account is priced by the bulk engine when every reading of its window is of one kind,
they follow each other day after day (no gap, no overlap) and together cover the whole window:
12 monthly readings, or 6 bimonthly ones.

**Cycle names (the one trap).** The two sides name the bimonthly cycles differently:

* the customer database (``Account.billing_cycle``, and the demo data) names the months in
  which a reading is **taken**, i.e. in which the period **ends**: ``bimonthly_odd`` periods end
  in January, March, …, so they run Dec–Jan, Feb–Mar, …, Oct–Nov;
* the bulk history (``inputs.Cycle``, and the history CSV's ``billing`` column) names the
  **first** calendar month of each reading: ``BIMONTHLY_ODD`` readings run Jan–Feb, Mar–Apr, ….

So database ``bimonthly_odd`` = bulk ``BIMONTHLY_EVEN`` and database ``bimonthly_even`` = bulk
``BIMONTHLY_ODD``. The adapter never reads ``billing_cycle``: it takes the cycle from the dates
(``cycle_of_dates``), so an account whose declared cycle disagrees with its readings is still
priced on what was actually billed. The recommendation output names the window by its first
month (``window_start``) and the reading length (``monthly`` / ``bimonthly``), never by parity.

**Kinds of kWh per reading** (all readings of the window must carry the same kind):

* three registers (peak, semi-peak, off-peak all given): kWh per three-period window, so both
  time-of-use plans are priced exactly by the bulk engine (the two-period peak is the
  three-period peak + semi-peak);
* two registers (peak and off-peak given, semi-peak empty: a 二段式 customer's meter): the
  two-period plan is priced exactly, by the **scalar engine** (``monthly_total`` per month); the
  three-period plan cannot be derived from two registers and is not priced (unless assumed
  shares were given, which then price it as an estimate);
* none: the time-of-use plans are priced only with assumed shares (``recommend.TouBasis``).

**A time-of-use customer's non-time-of-use class** (住宅 / 非營業 / 營業) is not stored in the
database: its tiered plan is reported as not priced (``bulk.tiered_class_unknown``) instead of
guessing a class.

**Readings that are not whole calendar months** (real reading days, 15th to 14th) are priced
by the **scalar engine**, reading by reading (``scalar_account``: ``compute_bill`` from the
first to the last day of each reading, monthly when it spans at most 45 days, bimonthly
otherwise; the engine prorates across tariff changes and seasons). Its window: the readings
ending in the year up to the latest reading's last day; they must follow each other day after
day and cover 330–400 days (``months`` = days ÷ 30.44, rounded). Time-of-use plans need
registers as above (assumed shares are not applied to such readings: a reading that straddles
two seasons has no single share). Same output, same cheapest-plan rule.

**Not priceable** accounts (``Unpriced``, with a stable ``code`` and a bilingual message) are
never priced approximately: no readings, a mix of monthly and bimonthly whole-month readings,
gaps or overlaps in the window, less than a year, inconsistent registers, kWh above
``MAX_KWH``, or bimonthly readings on a time-of-use plan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.bulk import engine
from powerdesk.tariffs.bulk.engine import MAX_KWH, PLANS, Status, month_index, month_of
from powerdesk.tariffs.bulk.inputs import SUMMER_MONTHS, WINDOW_MONTHS, Cycle, History
from powerdesk.tariffs.bulk.recommend import (
    AssumedShares,
    Recommendations,
    TouBasis,
    price_history,
    recommend_prices,
)
from powerdesk.tariffs.engine.bill import compute_bill, monthly_total
from powerdesk.tariffs.engine.model import Plan, TariffError

_ONE_DAY = timedelta(days=1)
_TOU2 = PLANS.index(Plan.SIMPLE_TOU_2)
_TIERED_PLACEHOLDER = PLANS.index(Plan.RESIDENTIAL)
_STATUS_BY_CODE = {code: status for status, code in engine.STATUS_CODES.items() if code}


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """What the bulk run needs of one account (電號)."""

    number: str
    current_plan: Plan
    three_phase: bool = False
    meter_amperes: int = 0  # [A]; 0 = unknown
    tax_exempt: bool = False


@dataclass(frozen=True, slots=True)
class ReadingRecord:
    """One billed reading: first and last day of use (inclusive), kWh and optional registers."""

    start: date
    end: date
    kwh: int
    peak: int | None = None
    semi_peak: int | None = None
    off_peak: int | None = None


class Reason(StrEnum):
    """Why an account could not be priced (stable codes, CSV ``not_priced`` column)."""

    NO_READINGS = "bulk.db.no_readings"
    NOT_CALENDAR_MONTHS = "bulk.db.not_calendar_months"
    MIXED_CYCLE = "bulk.db.mixed_cycle"
    OVERLAP = "bulk.db.overlapping_readings"
    INCOMPLETE = "bulk.db.history_incomplete"
    REGISTERS = "bulk.db.registers_invalid"
    KWH_RANGE = "bulk.db.kwh_out_of_range"
    TOU_BIMONTHLY = "tariff.tou_bimonthly"


REASON_MESSAGES: dict[Reason, Message] = {
    Reason.NO_READINGS: Message(zh_hant="沒有抄表紀錄", en="no readings"),
    Reason.NOT_CALENDAR_MONTHS: Message(
        zh_hant="抄表期間不是完整的日曆月（例如月中開始供電），批次試算不估算",
        en="a reading does not cover whole calendar months (e.g. supply started mid-month): "
        "the bulk run does not estimate",
    ),
    Reason.MIXED_CYCLE: Message(
        zh_hant="最近 12 個月內同時有每月與隔月抄表", en="monthly and bimonthly readings mixed"
    ),
    Reason.OVERLAP: Message(zh_hant="抄表期間重疊", en="reading periods overlap"),
    Reason.INCOMPLETE: Message(
        zh_hant="最近 12 個月的抄表紀錄不完整", en="the last 12 months are not all read"
    ),
    Reason.REGISTERS: Message(
        zh_hant="各時段度數不一致（合計不等於總度數、部分缺漏或非夏月有尖峰）",
        en="kWh per period are inconsistent (do not add up, partly missing, or peak outside "
        "summer)",
    ),
    Reason.KWH_RANGE: Message(
        zh_hant=f"用電度數超過 {MAX_KWH:,} 度", en=f"kWh above {MAX_KWH:,} in a reading"
    ),
    Reason.TOU_BIMONTHLY: Message(
        zh_hant="時間電價用戶的紀錄是隔月抄表", en="bimonthly readings on a time-of-use plan"
    ),
}


@dataclass(frozen=True, slots=True)
class Unpriced:
    """An account the bulk run could not price, and why."""

    account: str
    current_plan: Plan
    reason: Reason
    months: int  # calendar months of the window covered by its readings

    @property
    def message(self) -> Message:
        """The reason in both site languages."""
        return REASON_MESSAGES[self.reason]


class _Registers(StrEnum):
    NONE = "none"
    TWO = "two"
    THREE = "three"


@dataclass(frozen=True, slots=True)
class _Window:
    cycle: Cycle
    first_month: int  # engine.month_index of the first reading
    readings: tuple[ReadingRecord, ...]
    registers: _Registers


def _index(day: date) -> int:
    return month_index(year=day.year, month=day.month)


def reading_months(reading: ReadingRecord) -> int | None:
    """1 or 2 when the reading covers exactly one or two whole calendar months, else None."""
    if reading.start.day != 1 or reading.end >= date.max or (reading.end + _ONE_DAY).day != 1:
        return None
    span = (
        (reading.end.year - reading.start.year) * 12 + reading.end.month - reading.start.month + 1
    )
    return span if span in (1, 2) else None


def cycle_of_dates(readings: Sequence[ReadingRecord]) -> Cycle | None:
    """The bulk cycle of whole-month readings of one length (module docstring), else None.

    Bimonthly readings starting in January, March, … (odd first month) give
    ``Cycle.BIMONTHLY_ODD``; the database calls such an account ``bimonthly_even``.
    """
    spans = {reading_months(reading) for reading in readings}
    if len(spans) != 1 or None in spans:
        return None
    (span,) = spans
    if span == 1:
        return Cycle.MONTHLY
    first_calendar_month = readings[0].start.month
    return Cycle.BIMONTHLY_ODD if first_calendar_month % 2 == 1 else Cycle.BIMONTHLY_EVEN


def _covered(readings: Sequence[ReadingRecord], *, first_month: int) -> int:
    months: set[int] = set()
    for reading in readings:
        months.update(range(max(_index(reading.start), first_month), _index(reading.end) + 1))
    return len(months)


def _registers(readings: Sequence[ReadingRecord]) -> _Registers | None:
    """The common register kind of the window's readings; None when inconsistent."""
    kinds: set[_Registers] = set()
    for reading in readings:
        given = (
            reading.peak is not None,
            reading.semi_peak is not None,
            reading.off_peak is not None,
        )
        if given == (False, False, False):
            kinds.add(_Registers.NONE)
            continue
        peak = reading.peak or 0
        off = reading.off_peak or 0
        if given == (True, True, True):
            kind = _Registers.THREE
            semi = reading.semi_peak or 0
            if peak > 0 and reading.start.month not in SUMMER_MONTHS:
                return None  # the three-period plan has no peak window outside summer
        elif given == (True, False, True):
            kind, semi = _Registers.TWO, 0
        else:
            return None
        if min(peak, semi, off) < 0 or peak + semi + off != reading.kwh:
            return None
        kinds.add(kind)
    if len(kinds) != 1:
        return _Registers.NONE if kinds == {_Registers.NONE} else None
    return kinds.pop()


def account_window(account: AccountRecord, readings: Sequence[ReadingRecord]) -> _Window | Unpriced:
    """The account's 12-month window of whole-month readings, or why there is none."""

    def unpriced(reason: Reason, months: int = 0) -> Unpriced:
        return Unpriced(
            account=account.number, current_plan=account.current_plan, reason=reason, months=months
        )

    if not readings:
        return unpriced(Reason.NO_READINGS)
    ordered = sorted(readings, key=lambda reading: (reading.start, reading.end))
    last_month = max(reading.end.year * 12 + reading.end.month - 1 for reading in ordered)
    first_month = last_month - (WINDOW_MONTHS - 1)
    window = [
        reading
        for reading in ordered
        if reading.end.year * 12 + reading.end.month - 1 >= first_month
    ]

    def covered() -> int:
        return _covered(window, first_month=first_month)

    spans: set[int | None] = set()
    previous: ReadingRecord | None = None
    contiguous = True
    for reading in window:
        if previous is not None:
            if reading.start <= previous.end:
                return unpriced(Reason.OVERLAP, covered())
            contiguous = contiguous and reading.start == previous.end + _ONE_DAY
        spans.add(reading_months(reading))
        previous = reading
    if None in spans:
        return unpriced(Reason.NOT_CALENDAR_MONTHS, covered())
    if len(spans) != 1:
        return unpriced(Reason.MIXED_CYCLE, covered())
    cycle = cycle_of_dates(window)
    if cycle is None:  # pragma: no cover - one whole-month span, checked just above
        return unpriced(Reason.MIXED_CYCLE, covered())
    if not contiguous or len(window) != cycle.readings or _index(window[0].start) != first_month:
        return unpriced(Reason.INCOMPLETE, covered())
    if cycle is not Cycle.MONTHLY and account.current_plan.is_tou:
        return unpriced(Reason.TOU_BIMONTHLY, covered())
    if any(not 0 <= reading.kwh <= MAX_KWH for reading in window):
        return unpriced(Reason.KWH_RANGE, covered())
    registers = _registers(window)
    if registers is None:
        return unpriced(Reason.REGISTERS, covered())
    if cycle is not Cycle.MONTHLY:
        registers = _Registers.NONE  # bimonthly TOU bills do not exist (tariff.tou_bimonthly)
    return _Window(
        cycle=cycle, first_month=first_month, readings=tuple(window), registers=registers
    )


# --- Readings that are not whole calendar months: the scalar engine -------------------------

_MIN_YEAR_DAYS = 330
_MAX_YEAR_DAYS = 400
_MONTHLY_DAYS = 45  # engine.bill.MAX_DAYS[monthly]
_DAYS_PER_MONTH = 30.44


def _scalar_usage(plan: Plan, reading: ReadingRecord) -> object | None:
    """What ``compute_bill`` prices for ``plan`` (None: no kWh per period for a TOU plan)."""
    if not plan.is_tou:
        return reading.kwh
    if reading.peak is None or reading.off_peak is None:
        return None
    if reading.semi_peak is None:
        if plan is Plan.SIMPLE_TOU_3:
            return None
        return {"peak": reading.peak, "off_peak": reading.off_peak}
    if plan is Plan.SIMPLE_TOU_2:
        return {"peak": reading.peak + reading.semi_peak, "off_peak": reading.off_peak}
    return {"peak": reading.peak, "semi_peak": reading.semi_peak, "off_peak": reading.off_peak}


def _scalar_plan(
    account: AccountRecord, plan: Plan, window: Sequence[ReadingRecord]
) -> tuple[int, bool] | str:
    """(annual total, provisional) of ``plan`` over ``window``, or the refusal's code."""
    total = 0
    provisional = False
    for reading in window:
        usage = _scalar_usage(plan, reading)
        if usage is None:
            return engine.STATUS_CODES[Status.NO_PERIOD_KWH]
        days = (reading.end - reading.start).days + 1
        try:
            bill = compute_bill(
                plan=plan,
                start=reading.start,
                end=reading.end,
                kwh=usage,  # type: ignore[arg-type]
                billing="monthly" if days <= _MONTHLY_DAYS else "bimonthly",
                phase="three" if account.three_phase else "single",
                meter_amperes=account.meter_amperes or None,
                tax_exempt=account.tax_exempt,
            )
        except TariffError as error:
            return error.code
        total += bill.total
        provisional = provisional or bill.provisional
    return total, provisional


def scalar_account(
    account: AccountRecord, readings: Sequence[ReadingRecord]
) -> OutputRow | Unpriced:
    """Price an account whose readings are not whole calendar months with the scalar engine
    (module docstring), or say why it cannot be priced."""
    ordered = sorted(readings, key=lambda reading: (reading.start, reading.end))
    last = ordered[-1].end
    try:
        year_before = last.replace(year=last.year - 1)
    except ValueError:  # 29 February
        year_before = last.replace(year=last.year - 1, day=28)
    window = [reading for reading in ordered if reading.end > year_before]
    days = (last - window[0].start).days + 1
    read_days = sum((reading.end - reading.start).days + 1 for reading in window)
    months = round(read_days / _DAYS_PER_MONTH)

    def unpriced(reason: Reason) -> Unpriced:
        return Unpriced(
            account=account.number,
            current_plan=account.current_plan,
            reason=reason,
            months=min(months, WINDOW_MONTHS),
        )

    for previous, reading in pairwise(window):
        if reading.start <= previous.end:
            return unpriced(Reason.OVERLAP)
        if reading.start != previous.end + _ONE_DAY:
            return unpriced(Reason.INCOMPLETE)
    if not _MIN_YEAR_DAYS <= days <= _MAX_YEAR_DAYS:
        return unpriced(Reason.INCOMPLETE)
    if any(not 0 <= reading.kwh <= MAX_KWH for reading in window):
        return unpriced(Reason.KWH_RANGE)
    tou_customer = account.current_plan.is_tou
    plans = (
        (Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)
        if tou_customer
        else (account.current_plan, Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)
    )
    annual: dict[Plan, int] = {}
    refused: dict[str, str] = {}
    provisional = False
    if tou_customer:
        refused["tiered"] = engine.STATUS_CODES[Status.TIERED_CLASS_UNKNOWN]
    for plan in plans:
        result = _scalar_plan(account, plan, window)
        if isinstance(result, str):
            refused[plan.value] = result
        else:
            annual[plan], plan_provisional = result
            provisional = provisional or plan_provisional
    cheapest = (
        min(
            annual,
            key=lambda plan: (annual[plan], plan != account.current_plan, PLANS.index(plan)),
        )
        if annual
        else None
    )
    current = annual.get(account.current_plan)
    saving = None if cheapest is None or current is None else current - annual[cheapest]
    bimonthly = any((r.end - r.start).days + 1 > _MONTHLY_DAYS for r in window)
    return OutputRow(
        account=account.number,
        current_plan=account.current_plan,
        tiered_plan=None if tou_customer else account.current_plan,
        billing="bimonthly" if bimonthly else "monthly",
        window_start=f"{window[0].start:%Y-%m}",
        months=months,
        tou_basis="scalar",
        annual=annual,
        cheapest=cheapest,
        saving=saving,
        complete=not refused,
        lock_in=cheapest is not None and cheapest.is_tou and cheapest != account.current_plan,
        provisional=provisional,
        not_priced=";".join(f"{plan}:{code}" for plan, code in refused.items()),
    )


# --- A batch of accounts --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Batch:
    """A chunk of accounts: the ``History`` of those the bulk engine can price, the rest."""

    history: History
    accounts: tuple[AccountRecord, ...]  # the accounts of ``history``, in its order
    two_registers: Mapping[int, tuple[tuple[int, int], ...]]  # row → (peak, off-peak) per month
    unpriced: tuple[Unpriced, ...]
    scalar: tuple[OutputRow, ...] = ()  # priced by the scalar engine (not whole months)
    order: tuple[str, ...] = field(default=())  # every account number of the chunk, input order


def build_batch(
    accounts: Sequence[AccountRecord], readings: Mapping[str, Sequence[ReadingRecord]]
) -> Batch:
    """Map ``accounts`` and their readings (by account number) to a ``Batch``."""
    windows: list[tuple[AccountRecord, _Window]] = []
    unpriced: list[Unpriced] = []
    scalar: list[OutputRow] = []
    for account in accounts:
        own = readings.get(account.number, ())
        result = account_window(account, own)
        if isinstance(result, Unpriced) and result.reason is Reason.NOT_CALENDAR_MONTHS:
            priced = scalar_account(account, own)
            if isinstance(priced, OutputRow):
                scalar.append(priced)
            else:
                unpriced.append(priced)
        elif isinstance(result, Unpriced):
            unpriced.append(result)
        else:
            windows.append((account, result))
    n = len(windows)
    grid = {name: np.zeros((n, WINDOW_MONTHS), dtype=np.int32) for name in ("kwh", "p", "s", "o")}
    two: dict[int, tuple[tuple[int, int], ...]] = {}
    for row, (_, window) in enumerate(windows):
        for column, reading in enumerate(window.readings):
            grid["kwh"][row, column] = reading.kwh
            if window.registers is _Registers.THREE:
                grid["p"][row, column] = reading.peak or 0
                grid["s"][row, column] = reading.semi_peak or 0
                grid["o"][row, column] = reading.off_peak or 0
        if window.registers is _Registers.TWO:
            two[row] = tuple(
                (reading.peak or 0, reading.off_peak or 0) for reading in window.readings
            )
    plan_index = {plan: index for index, plan in enumerate(PLANS)}
    current = np.array([plan_index[a.current_plan] for a, _ in windows], dtype=np.int8)
    tiered = np.where(
        np.array([a.current_plan.is_tou for a, _ in windows], dtype=np.bool_),
        _TIERED_PLACEHOLDER,
        current,
    ).astype(np.int8)
    history = History(
        accounts=np.array([a.number for a, _ in windows], dtype=np.str_)
        if n
        else np.zeros(0, dtype="<U11"),
        current_plan=current,
        tiered_plan=tiered,
        cycle=np.array([w.cycle for _, w in windows], dtype=np.int8),
        three_phase=np.array([a.three_phase for a, _ in windows], dtype=np.bool_),
        meter_amperes=np.array([a.meter_amperes for a, _ in windows], dtype=np.int32),
        tax_exempt=np.array([a.tax_exempt for a, _ in windows], dtype=np.bool_),
        first_month=np.array([w.first_month for _, w in windows], dtype=np.int32),
        kwh=grid["kwh"],
        has_periods=np.array([w.registers is _Registers.THREE for _, w in windows], dtype=np.bool_),
        peak=grid["p"],
        semi_peak=grid["s"],
        off_peak=grid["o"],
    )
    return Batch(
        history=history,
        accounts=tuple(a for a, _ in windows),
        two_registers=two,
        unpriced=tuple(unpriced),
        scalar=tuple(scalar),
        order=tuple(account.number for account in accounts),
    )


def _scalar_tou2(
    account: AccountRecord, *, first_month: int, registers: tuple[tuple[int, int], ...]
) -> tuple[list[int], list[int]]:
    """Monthly totals and statuses of the two-period plan from two registers (scalar engine)."""
    totals: list[int] = []
    statuses: list[int] = []
    for offset, (peak, off_peak) in enumerate(registers):
        year, month = month_of(first_month + offset)
        try:
            totals.append(
                monthly_total(
                    plan=Plan.SIMPLE_TOU_2,
                    year=year,
                    month=month,
                    kwh={"peak": peak, "off_peak": off_peak},
                    phase="three" if account.three_phase else "single",
                    meter_amperes=account.meter_amperes or None,
                    tax_exempt=account.tax_exempt,
                )
            )
            statuses.append(Status.OK)
        except TariffError as error:
            totals.append(0)
            statuses.append(_STATUS_BY_CODE.get(error.code, Status.RATES_UNKNOWN))
    return totals, statuses


def price_batch(batch: Batch, *, shares: AssumedShares | None = None) -> Recommendations:
    """Recommendations for the priceable accounts of ``batch`` (``History`` order).

    The bulk engine prices every plan; then two-register accounts get their two-period plan
    from the scalar engine (exact), and time-of-use customers' tiered plan is marked
    ``Status.TIERED_CLASS_UNKNOWN`` (module docstring).
    """
    history = batch.history
    prices = price_history(history, shares=shares)
    for row, registers in batch.two_registers.items():
        totals, statuses = _scalar_tou2(
            batch.accounts[row], first_month=int(history.first_month[row]), registers=registers
        )
        prices.totals[row, _TOU2, :] = totals
        prices.status[row, _TOU2, :] = statuses
        prices.provisional[row, _TOU2, :] = False
        prices.tou_basis[row] = TouBasis.INTERVAL if shares is None else prices.tou_basis[row]
    if history.size:
        tou_customer = np.array([a.current_plan.is_tou for a in batch.accounts], dtype=np.bool_)
        rows = np.nonzero(tou_customer)[0]
        prices.totals[rows, _TIERED_PLACEHOLDER, :] = 0
        prices.status[rows, _TIERED_PLACEHOLDER, :] = Status.TIERED_CLASS_UNKNOWN
        prices.provisional[rows, _TIERED_PLACEHOLDER, :] = False
    return recommend_prices(history, prices=prices)


# --- Output rows ----------------------------------------------------------------------------

OUTPUT_COLUMNS = (
    "account",
    "current_plan",
    "tiered_plan",
    "billing",
    "window_start",
    "months",
    "tou_basis",
    *(plan.value for plan in PLANS),
    "cheapest",
    "saving",
    "complete",
    "lock_in",
    "provisional",
    "not_priced",
)
"""Columns of the recommendation table (CSV and database). Plan columns: annual cost [NT$/year],
empty when the plan is not open to the account or not priced; ``not_priced`` lists
``plan:code`` pairs (``;``-separated), or the account's ``Reason`` code when it could not be
priced at all; ``billing`` is ``monthly`` or ``bimonthly`` and ``window_start`` the first
calendar month (``YYYY-MM``) of the months priced; ``months`` the months priced (12, or the
days read ÷ 30.44 for readings priced by the scalar engine, or the months covered when the
account is not priceable); ``tou_basis`` is ``interval`` (kWh per period), ``assumed_shares``,
``none`` or ``scalar`` (priced reading by reading by the scalar engine)."""


@dataclass(frozen=True, slots=True)
class OutputRow:
    """One account's line of the recommendation table (``OUTPUT_COLUMNS``)."""

    account: str
    current_plan: Plan
    tiered_plan: Plan | None
    billing: str  # "monthly" / "bimonthly" / "" (not priceable)
    window_start: str  # "YYYY-MM" or ""
    months: int
    tou_basis: str
    annual: Mapping[Plan, int]
    cheapest: Plan | None
    saving: int | None
    complete: bool
    lock_in: bool
    provisional: bool
    not_priced: str

    def cells(self) -> tuple[str, ...]:
        """The CSV cells, in ``OUTPUT_COLUMNS`` order."""
        return (
            self.account,
            self.current_plan.value,
            "" if self.tiered_plan is None else self.tiered_plan.value,
            self.billing,
            self.window_start,
            str(self.months),
            self.tou_basis,
            *("" if plan not in self.annual else str(self.annual[plan]) for plan in PLANS),
            "" if self.cheapest is None else self.cheapest.value,
            "" if self.saving is None else str(self.saving),
            "true" if self.complete else "false",
            "true" if self.lock_in else "false",
            "true" if self.provisional else "false",
            self.not_priced,
        )


def _priced_rows(
    recommendations: Recommendations, *, first_month: NDArray[np.int32], tou: NDArray[np.bool_]
) -> Iterator[OutputRow]:
    # Whole columns at once (``Recommendations.row`` recomputes ``lock_in`` for every call).
    refused_codes = {
        int(status): code
        for status, code in engine.STATUS_CODES.items()
        if status not in (Status.OK, Status.NOT_ELIGIBLE)
    }
    accounts = recommendations.accounts.tolist()
    current = recommendations.current_plan.tolist()
    tiered = recommendations.tiered_plan.tolist()
    cycles = recommendations.cycle.tolist()
    bases = recommendations.tou_basis.tolist()
    annual = recommendations.annual.tolist()
    status = recommendations.plan_status.tolist()
    eligible = recommendations.plan_status != Status.NOT_ELIGIBLE
    provisional = (recommendations.provisional & eligible).any(axis=1).tolist()
    cheapest = recommendations.cheapest.tolist()
    saving = recommendations.saving.tolist()
    complete = recommendations.complete.tolist()
    lock_in = recommendations.lock_in.tolist()
    months = first_month.tolist()
    tou_list = tou.tolist()
    basis_codes = {int(basis): basis.code for basis in TouBasis}
    for index, account in enumerate(accounts):
        year, month = month_of(months[index])
        not_priced = ";".join(
            f"{'tiered' if code == Status.TIERED_CLASS_UNKNOWN else PLANS[column].value}:"
            f"{refused_codes[code]}"
            for column, code in enumerate(status[index])
            if code in refused_codes
        )
        yield OutputRow(
            account=account,
            current_plan=PLANS[current[index]],
            tiered_plan=None if tou_list[index] else PLANS[tiered[index]],
            billing="monthly" if cycles[index] == Cycle.MONTHLY else "bimonthly",
            window_start=f"{year:04d}-{month:02d}",
            months=WINDOW_MONTHS,
            tou_basis=basis_codes[bases[index]],
            annual={
                plan: annual[index][column]
                for column, plan in enumerate(PLANS)
                if status[index][column] == Status.OK
            },
            cheapest=None if cheapest[index] < 0 else PLANS[cheapest[index]],
            saving=None if saving[index] < 0 else saving[index],
            complete=complete[index],
            lock_in=lock_in[index],
            provisional=provisional[index],
            not_priced=not_priced,
        )


def _unpriced_row(item: Unpriced) -> OutputRow:
    return OutputRow(
        account=item.account,
        current_plan=item.current_plan,
        tiered_plan=None if item.current_plan.is_tou else item.current_plan,
        billing="",
        window_start="",
        months=item.months,
        tou_basis="",
        annual={},
        cheapest=None,
        saving=None,
        complete=False,
        lock_in=False,
        provisional=False,
        not_priced=item.reason.value,
    )


def output_rows(
    batch: Batch, recommendations: Recommendations, *, history: History | None = None
) -> list[OutputRow]:
    """Every account of ``batch`` as an ``OutputRow``, in the batch's input order."""
    source = batch.history if history is None else history
    tou = np.array([a.current_plan.is_tou for a in batch.accounts], dtype=np.bool_)
    by_account = {
        row.account: row
        for row in _priced_rows(recommendations, first_month=source.first_month, tou=tou)
    }
    by_account.update({item.account: _unpriced_row(item) for item in batch.unpriced})
    by_account.update({row.account: row for row in batch.scalar})
    return [by_account[number] for number in batch.order]


def history_output_rows(recommendations: Recommendations, *, history: History) -> list[OutputRow]:
    """``OutputRow``s of a history read from a file (tiered class given by the file)."""
    tou = np.zeros(history.size, dtype=np.bool_)
    return list(_priced_rows(recommendations, first_month=history.first_month, tou=tou))
