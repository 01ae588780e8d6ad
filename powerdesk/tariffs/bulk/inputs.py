"""Monthly history of many accounts as columnar arrays, read from a CSV (or Parquet) file.

**The history** (``History``): per account, its last 12 calendar months of use, as readings:

* ``monthly`` accounts: 12 readings, one per calendar month;
* ``bimonthly_odd`` / ``bimonthly_even`` accounts (隔月抄表, tariffs.md §3.2): 6 two-month
  readings, each covering a calendar month and the month after. The cycle names the first month
  of each reading: odd (Jan–Feb, Mar–Apr, …, Nov–Dec) or even (Feb–Mar, …, Dec–Jan). Real
  reading days are not calendar-aligned (tariffs.md §6.3); this is the calendar-month view of
  the history the bulk recommendation works on.

Optionally, for monthly accounts, the kWh of every month **per period of the three-period
windows** (peak / semi-peak / off-peak; non-summer has no peak window, so its peak is 0): from
AMI interval data (the scalar engine's ``interval_periods`` with ``plan="simple_tou_3"``
gives each interval's period; sum them per calendar month) or TOU meter registers. The two-period plan's
periods follow from them (its peak windows are the three-period peak and semi-peak windows).

**CSV format** (one row per reading; UTF-8 with or without BOM, or Big5 read as cp950, tried in
that order, as for interval files):

``account,current_plan,tiered_plan,billing,phase,meter_amperes,tax_exempt,month,kwh,peak,semi_peak,off_peak``

* header names are case-insensitive, in any order; ``電號`` = account, ``度數`` / ``用電度數``
  = kwh. Required: account, current_plan, billing, month, kwh. Optional: tiered_plan, phase
  (default single), meter_amperes (blank = unknown), tax_exempt (default false), and the three
  period columns (all or none). Any other column is an error (a typo must not drop data);
* ``current_plan``: residential, non_residential, commercial, simple_tou_2, simple_tou_3;
  ``tiered_plan``: the customer's non-time-of-use class (defaults to current_plan; required
  when current_plan is a TOU plan);
* ``billing``: monthly, bimonthly_odd or bimonthly_even; ``phase``: single or three;
  ``meter_amperes``: whole amperes ≥ 1; ``tax_exempt``: true/false (also 1/0, yes/no);
* ``month``: ``YYYY-MM``, the (first) calendar month of the reading; ``kwh``: whole kWh of the
  reading (may be blank when the periods are given: their sum);
* the account's attributes (plan, billing, phase, amperes, tax) must be the same on all its rows;
* empty lines are skipped; a row with more (non-empty) cells than the header is an error.

Only each account's last 12 months are used (older rows are ignored) and they must be complete.
Every problem is reported with its row (the header is row 1) and column; an account with any
problem is left out of the history and the rest are read (``HistoryRead``). File-level problems
(encoding, header) raise ``HistoryCsvError``.

**Parquet** files (same columns) are read only when ``pyarrow`` is installed; it is not a
dependency of powerdesk, so without it ``read_history`` refuses ``.parquet`` files
(``bulk.csv.parquet_unsupported``).
"""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.bulk.engine import MAX_KWH, PLANS, month_index, month_of
from powerdesk.tariffs.engine.model import CsvProblem, TariffError

WINDOW_MONTHS = 12
"""The recommendation prices each account's last 12 calendar months."""

MAX_PROBLEMS = 1000
"""Problems kept with their message (all are counted)."""

SUMMER_MONTHS = frozenset({6, 7, 8, 9})
"""夏月 6/1–9/30 (tariffs.md §0): whole calendar months."""


class Cycle(IntEnum):
    """Reading cycle of an account (see the module docstring)."""

    MONTHLY = 0
    BIMONTHLY_ODD = 1
    BIMONTHLY_EVEN = 2

    @property
    def code(self) -> str:
        """The stable text code (CSV, CLI)."""
        return _CYCLE_CODES[self]

    @property
    def readings(self) -> int:
        """Readings in the 12-month window."""
        return WINDOW_MONTHS if self is Cycle.MONTHLY else WINDOW_MONTHS // 2


_CYCLE_CODES = {
    Cycle.MONTHLY: "monthly",
    Cycle.BIMONTHLY_ODD: "bimonthly_odd",
    Cycle.BIMONTHLY_EVEN: "bimonthly_even",
}
_CYCLES = {code: cycle for cycle, code in _CYCLE_CODES.items()}
_PLAN_INDEX = {plan.value: index for index, plan in enumerate(PLANS)}
_TIERED = np.array([not plan.is_tou for plan in PLANS], dtype=np.bool_)
_SUMMER_BY_MONTH0 = np.array([month + 1 in SUMMER_MONTHS for month in range(12)], dtype=np.bool_)


class HistoryCsvError(TariffError):
    """A history file that cannot be read at all (encoding, header, format)."""

    def __init__(self, problem: CsvProblem) -> None:
        super().__init__(
            code=problem.code,
            zh_hant=problem.message.zh_hant,
            en=problem.message.en,
            field="csv",
            details={"row": problem.row, "column": problem.column},
        )
        self.problem = problem


def _invalid(what: str) -> TariffError:
    return TariffError(
        code="bulk.history_invalid",
        zh_hant=f"批次用電歷史資料無效：{what}",
        en=f"Invalid bulk history: {what}",
        field="history",
    )


def _readings_per_account(cycle: NDArray[np.int8]) -> NDArray[np.int64]:
    counts: NDArray[np.int64] = np.where(cycle == Cycle.MONTHLY, WINDOW_MONTHS, WINDOW_MONTHS // 2)
    return counts


@dataclass(frozen=True, slots=True)
class History:
    """Columnar 12-month history of ``n`` accounts (validated on construction).

    Reading r of account i covers calendar month ``first_month[i] + r`` (monthly) or months
    ``first_month[i] + 2r`` and the one after (bimonthly). Arrays of shape (n, 12) use columns
    0–5 for bimonthly accounts; columns 6–11 are then 0.
    """

    accounts: NDArray[np.str_]  # (n,) account numbers (電號)
    current_plan: NDArray[np.int8]  # (n,) index into engine.PLANS
    tiered_plan: NDArray[np.int8]  # (n,) the non-TOU class: 0 residential, 1 non_res., 2 comm.
    cycle: NDArray[np.int8]  # (n,) Cycle
    three_phase: NDArray[np.bool_]  # (n,)
    meter_amperes: NDArray[np.int32]  # (n,) [A] whole amperes; 0 = unknown
    tax_exempt: NDArray[np.bool_]  # (n,)
    first_month: NDArray[np.int32]  # (n,) engine.month_index of reading 0
    kwh: NDArray[np.int32]  # (n, 12) [kWh] per reading
    has_periods: NDArray[np.bool_]  # (n,) kWh per period given (monthly accounts only)
    peak: NDArray[np.int32]  # (n, 12) [kWh] three-period windows; 0 without periods
    semi_peak: NDArray[np.int32]  # (n, 12)
    off_peak: NDArray[np.int32]  # (n, 12)

    def __post_init__(self) -> None:
        self._check_shapes()
        self._check_values()

    def _check_shapes(self) -> None:
        n = self.accounts.shape[0]
        expected: dict[str, tuple[tuple[int, ...], type[np.generic]]] = {
            "current_plan": ((n,), np.int8),
            "tiered_plan": ((n,), np.int8),
            "cycle": ((n,), np.int8),
            "three_phase": ((n,), np.bool_),
            "meter_amperes": ((n,), np.int32),
            "tax_exempt": ((n,), np.bool_),
            "first_month": ((n,), np.int32),
            "kwh": ((n, WINDOW_MONTHS), np.int32),
            "has_periods": ((n,), np.bool_),
            "peak": ((n, WINDOW_MONTHS), np.int32),
            "semi_peak": ((n, WINDOW_MONTHS), np.int32),
            "off_peak": ((n, WINDOW_MONTHS), np.int32),
        }
        if self.accounts.ndim != 1 or self.accounts.dtype.kind != "U":
            raise _invalid("accounts must be a 1-d array of str")
        for name, (shape, dtype) in expected.items():
            array = getattr(self, name)
            if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != dtype:
                raise _invalid(f"{name} must be a {np.dtype(dtype).name} array of shape {shape}")

    def _first_bad(self, mask: NDArray[np.bool_], what: str) -> None:
        if mask.any():
            index = int(np.argmax(mask))
            raise _invalid(f"{what} (account {self.accounts[index]!s}, position {index})")

    def _check_values(self) -> None:
        plans = len(PLANS)
        self._first_bad((self.current_plan < 0) | (self.current_plan >= plans), "unknown plan")
        tiered = _TIERED[np.clip(self.tiered_plan, 0, plans - 1)]
        self._first_bad(
            (self.tiered_plan < 0) | (self.tiered_plan >= plans) | ~tiered,
            "tiered_plan must be residential, non_residential or commercial",
        )
        current_tiered = _TIERED[np.clip(self.current_plan, 0, plans - 1)]
        self._first_bad(
            current_tiered & (self.tiered_plan != self.current_plan),
            "tiered_plan differs from the (non-TOU) current plan",
        )
        self._first_bad((self.cycle < 0) | (self.cycle > Cycle.BIMONTHLY_EVEN), "unknown cycle")
        monthly = self.cycle == Cycle.MONTHLY
        self._first_bad(~current_tiered & ~monthly, "a TOU customer is billed monthly")
        self._first_bad(self.meter_amperes < 0, "meter_amperes must be 0 (unknown) or more")
        first_is_odd = (self.first_month % 12) % 2 == 0  # month_index 0 is January
        self._first_bad(
            ((self.cycle == Cycle.BIMONTHLY_ODD) & ~first_is_odd)
            | ((self.cycle == Cycle.BIMONTHLY_EVEN) & first_is_odd),
            "first_month does not match the bimonthly cycle",
        )
        self._first_bad(self.has_periods & ~monthly, "kWh per period on a bimonthly account")
        readings = _readings_per_account(self.cycle)
        given = self.has_periods
        problems: dict[str, NDArray[np.bool_]] = {
            f"kwh must be 0 … {MAX_KWH}": np.zeros(self.size, dtype=np.bool_),
            "kwh beyond the last reading": np.zeros(self.size, dtype=np.bool_),
            "negative kWh per period": np.zeros(self.size, dtype=np.bool_),
            "the periods do not sum to kwh": np.zeros(self.size, dtype=np.bool_),
            "kWh per period without has_periods": np.zeros(self.size, dtype=np.bool_),
            "peak kWh outside summer (the three-period non-summer has no peak window)": np.zeros(
                self.size, dtype=np.bool_
            ),
        }
        checks = list(problems.values())
        # Column by column: the temporaries stay one account-vector long (flat memory).
        for column in range(WINDOW_MONTHS):
            kwh = self.kwh[:, column]
            peak = self.peak[:, column]
            semi_peak = self.semi_peak[:, column]
            off_peak = self.off_peak[:, column]
            summer = _SUMMER_BY_MONTH0[(self.first_month + column) % 12]
            checks[0] |= (kwh < 0) | (kwh > MAX_KWH)
            checks[1] |= (column >= readings) & (kwh != 0)
            checks[2] |= (peak < 0) | (semi_peak < 0) | (off_peak < 0)
            summed = peak.astype(np.int64) + semi_peak + off_peak
            checks[3] |= given & (summed != kwh)
            checks[4] |= ~given & ((peak != 0) | (semi_peak != 0) | (off_peak != 0))
            checks[5] |= given & ~summer & (peak != 0)
        for what, mask in problems.items():
            self._first_bad(mask, what)

    @property
    def size(self) -> int:
        """Number of accounts."""
        return int(self.accounts.shape[0])

    def slice(self, *, start: int, stop: int) -> History:
        """Accounts ``start`` … ``stop − 1`` (numpy views, re-validated)."""
        return History(
            accounts=self.accounts[start:stop],
            current_plan=self.current_plan[start:stop],
            tiered_plan=self.tiered_plan[start:stop],
            cycle=self.cycle[start:stop],
            three_phase=self.three_phase[start:stop],
            meter_amperes=self.meter_amperes[start:stop],
            tax_exempt=self.tax_exempt[start:stop],
            first_month=self.first_month[start:stop],
            kwh=self.kwh[start:stop],
            has_periods=self.has_periods[start:stop],
            peak=self.peak[start:stop],
            semi_peak=self.semi_peak[start:stop],
            off_peak=self.off_peak[start:stop],
        )

    def reading_months(self) -> NDArray[np.int32]:
        """(n, 12) ``month_index`` of each reading's first month (unused columns continue on)."""
        step = np.where(self.cycle == Cycle.MONTHLY, 1, 2).astype(np.int32)
        months: NDArray[np.int32] = (
            self.first_month[:, None] + step[:, None] * np.arange(WINDOW_MONTHS, dtype=np.int32)
        ).astype(np.int32)
        return months


@dataclass(frozen=True, slots=True)
class HistoryRead:
    """The result of reading a history file: the valid accounts and every problem found."""

    history: History
    problems: tuple[CsvProblem, ...]  # the first MAX_PROBLEMS problems, in row order
    problem_count: int  # all problems
    rejected_accounts: int  # accounts left out because of a problem
    ignored_rows: int  # valid rows older than the account's 12-month window


# --- Parsing --------------------------------------------------------------------------------

_ALIASES = {
    "電號": "account",
    "度數": "kwh",
    "用電度數": "kwh",
}
_REQUIRED = ("account", "current_plan", "billing", "month", "kwh")
_OPTIONAL = ("tiered_plan", "phase", "meter_amperes", "tax_exempt")
_PERIODS = ("peak", "semi_peak", "off_peak")
_TRUE = frozenset({"true", "1", "yes", "y", "是"})
_FALSE = frozenset({"false", "0", "no", "n", "否", ""})
_PHASES = {"single": False, "three": True, "": False}


_MAX_AMPERES = 100_000
_MIN_YEAR = 1900

type _Values = tuple[str, int, int, int, int, int, int, int, int, int, int, int]
"""account, current, tiered, cycle, three-phase, amperes (0 = unknown), tax-exempt, month,
kWh, peak, semi-peak, off-peak (−1 = no periods): one valid row."""


def _in_cycle(month: int, *, cycle: int) -> bool:
    """Whether a reading starting in ``month`` fits the cycle (odd: Jan, Mar, …; even: Feb, …)."""
    if cycle == Cycle.MONTHLY:
        return True
    starts_odd = (month % 12) % 2 == 0  # month_index 0 is January
    return starts_odd == (cycle == Cycle.BIMONTHLY_ODD)


def _problem(row: int, column: str, code: str, zh_hant: str, en: str) -> CsvProblem:
    where_zh = f"第 {row} 列" + (f"「{column}」欄" if column else "")
    where_en = f"Row {row}" + (f", column {column!r}" if column else "")
    return CsvProblem(
        row=row,
        column=column,
        code=f"bulk.csv.{code}",
        message=Message(zh_hant=f"{where_zh}：{zh_hant}", en=f"{where_en}: {en}"),
    )


def _header(fields: list[str]) -> dict[str, int]:
    names = [_ALIASES.get(name.strip(), name.strip().lower()) for name in fields]
    allowed = (*_REQUIRED, *_OPTIONAL, *_PERIODS)
    unknown = [name for name in names if name not in allowed]
    missing = [name for name in _REQUIRED if name not in names]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    periods = [name for name in _PERIODS if name in names]
    problem = None
    if unknown or missing or duplicated:
        problem = _problem(
            1,
            "",
            "header",
            f"標題列不正確：缺少 {missing}、未知 {unknown}、重複 {duplicated}；欄位："
            f"{', '.join(allowed)}。",
            f"wrong header: missing {missing}, unknown {unknown}, repeated {duplicated}; "
            f"columns: {', '.join(allowed)}.",
        )
    elif periods and len(periods) != len(_PERIODS):
        problem = _problem(
            1,
            "",
            "header_periods",
            "peak、semi_peak、off_peak 三欄必須同時存在或同時省略。",
            "give all three of peak, semi_peak and off_peak, or none.",
        )
    if problem is not None:
        raise HistoryCsvError(problem)
    return {name: index for index, name in enumerate(names)}


@dataclass(slots=True)
class _Rows:
    """Parsed rows, column by column (Python lists: appended once per row)."""

    line: list[int]
    account: list[str]
    current: list[int]
    tiered: list[int]  # −1 = blank
    cycle: list[int]
    three: list[bool]
    amperes: list[int]
    tax: list[bool]
    month: list[int]
    kwh: list[int]  # −1 = blank
    peak: list[int]  # −1 = blank
    semi: list[int]
    off: list[int]


def _empty_rows() -> _Rows:
    return _Rows([], [], [], [], [], [], [], [], [], [], [], [], [])


class _Parser:
    """Row-by-row validation into ``_Rows``, collecting problems."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.width = max(columns.values()) + 1
        self.rows = _empty_rows()
        self.problems: list[CsvProblem] = []
        self.problem_count = 0
        self.bad_accounts: set[str] = set()
        absent = self.width  # records are padded with one empty cell at this position
        self._indices = tuple(
            columns.get(name, absent) for name in (*_REQUIRED, *_OPTIONAL, *_PERIODS)
        )

    def report(self, problem: CsvProblem, *, account: str | None) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        if account is not None:
            self.bad_accounts.add(account)

    def _cell(self, record: list[str], name: str) -> str:
        index = self.columns.get(name)
        return "" if index is None else record[index].strip()

    def _whole(
        self, line: int, record: list[str], name: str, *, account: str, minimum: int, maximum: int
    ) -> int | None:
        """A whole number in [minimum, maximum]; −1 for a blank cell; None after a problem."""
        text = self._cell(record, name)
        if not text:
            return -1
        try:
            value = int(text)
        except ValueError:
            self.report(
                _problem(
                    line,
                    name,
                    "not_whole_number",
                    f"「{text}」不是整數。",
                    f"{text!r} is not a whole number.",
                ),
                account=account,
            )
            return None
        if not minimum <= value <= maximum:
            self.report(
                _problem(
                    line,
                    name,
                    "out_of_range",
                    f"{value} 超出範圍 {minimum}–{maximum}。",
                    f"{value} is outside {minimum}–{maximum}.",
                ),
                account=account,
            )
            return None
        return value

    def _choice(
        self, line: int, record: list[str], name: str, *, account: str, choices: dict[str, int]
    ) -> int | None:
        text = self._cell(record, name)
        value = choices.get(text.lower())
        if value is None:
            allowed = ", ".join(key for key in choices if key)
            self.report(
                _problem(
                    line,
                    name,
                    f"{name}_invalid",
                    f"「{text}」無效；可用：{allowed}。",
                    f"{text!r} is not valid; use one of: {allowed}.",
                ),
                account=account,
            )
        return value

    def add(self, line: int, record: list[str]) -> None:
        """Validate one data row (``line`` is its 1-based row number, the header being 1).

        A row is first read by ``_fast``, which accepts only rows without any problem; any
        other row goes through ``_checked``, which names every problem.
        """
        if len(record) > self.width:
            if any(cell.strip() for cell in record[self.width :]):
                self.report(
                    _problem(
                        line,
                        "",
                        "extra_cells",
                        f"此列有 {len(record)} 格，多於標題列的 {self.width} 欄。",
                        f"the row has {len(record)} cells, more than the {self.width} columns "
                        "of the header.",
                    ),
                    account=self._cell(record, "account") or None,
                )
                return
            record = record[: self.width]
        record = record + [""] * (self.width + 1 - len(record))
        try:
            values = self._fast(record)
        except (KeyError, ValueError):
            values = None
        if values is None:
            if not any(cell.strip() for cell in record):
                return  # a line of empty cells
            values = self._checked(line, record)
        if values is not None:
            self._append(line, values)

    def _fast(self, record: list[str]) -> _Values | None:
        """The values of a row with no problem; None (or KeyError/ValueError) otherwise."""
        (
            i_account,
            i_current,
            i_billing,
            i_month,
            i_kwh,
            i_tiered,
            i_phase,
            i_amperes,
            i_tax,
            i_peak,
            i_semi,
            i_off,
        ) = self._indices
        account = record[i_account].strip()
        current = _PLAN_INDEX[record[i_current].strip().lower()]
        tiered_text = record[i_tiered].strip()
        tiered = _TIERED_INDEX[tiered_text.lower()] if tiered_text else -1
        cycle = _CYCLE_INDEX[record[i_billing].strip().lower()]
        three = _PHASE_INDEX[record[i_phase].strip().lower()]
        tax = _TAX_INDEX[record[i_tax].strip().lower()]
        amperes_text = record[i_amperes].strip()
        amperes = int(amperes_text) if amperes_text else 0
        text = record[i_month].strip()
        if (
            not account
            or (amperes_text and not 1 <= amperes <= _MAX_AMPERES)
            or len(text) != 7
            or text[4] != "-"
            or not (text[:4].isdecimal() and text[5:].isdecimal())
        ):
            return None
        year, number = int(text[:4]), int(text[5:])
        month = month_index(year=year, month=number)
        if not 1 <= number <= 12 or year < _MIN_YEAR or not _in_cycle(month, cycle=cycle):
            return None
        kwh_text = record[i_kwh].strip()
        peak_text, semi_text, off_text = (record[i].strip() for i in (i_peak, i_semi, i_off))
        if not (peak_text or semi_text or off_text):
            kwh = int(kwh_text)
            return (
                (account, current, tiered, cycle, three, amperes, tax, month, kwh, -1, -1, -1)
                if 0 <= kwh <= MAX_KWH
                else None
            )
        peak, semi, off = int(peak_text), int(semi_text), int(off_text)
        total = peak + semi + off
        kwh = int(kwh_text) if kwh_text else total
        if (
            min(peak, semi, off) < 0
            or total > MAX_KWH
            or kwh != total
            or cycle != Cycle.MONTHLY
            or (peak > 0 and number not in SUMMER_MONTHS)
        ):
            return None
        return (account, current, tiered, cycle, three, amperes, tax, month, kwh, peak, semi, off)

    def _append(self, line: int, values: _Values) -> None:
        rows = self.rows
        account, current, tiered, cycle, three, amperes, tax, month, kwh, peak, semi, off = values
        rows.line.append(line)
        rows.account.append(account)
        rows.current.append(current)
        rows.tiered.append(tiered)
        rows.cycle.append(cycle)
        rows.three.append(bool(three))
        rows.amperes.append(amperes)
        rows.tax.append(bool(tax))
        rows.month.append(month)
        rows.kwh.append(kwh)
        rows.peak.append(peak)
        rows.semi.append(semi)
        rows.off.append(off)

    def _checked(self, line: int, record: list[str]) -> _Values | None:
        """The values of a row, or None after reporting each of its problems."""
        account = self._cell(record, "account")
        if not account:
            self.report(
                _problem(line, "account", "account_missing", "缺少電號。", "the account is empty."),
                account=None,
            )
            return None
        current = self._choice(line, record, "current_plan", account=account, choices=_PLAN_INDEX)
        tiered_text = self._cell(record, "tiered_plan")
        tiered: int | None = -1
        if tiered_text:
            tiered = self._choice(
                line, record, "tiered_plan", account=account, choices=_TIERED_INDEX
            )
        cycle = self._choice(line, record, "billing", account=account, choices=_CYCLE_INDEX)
        three = self._choice(line, record, "phase", account=account, choices=_PHASE_INDEX)
        tax = self._choice(line, record, "tax_exempt", account=account, choices=_TAX_INDEX)
        amperes = self._whole(
            line, record, "meter_amperes", account=account, minimum=1, maximum=_MAX_AMPERES
        )
        month = self._month(line, record, account=account, cycle=cycle)
        kwh = self._whole(line, record, "kwh", account=account, minimum=0, maximum=MAX_KWH)
        periods = [
            self._whole(line, record, name, account=account, minimum=0, maximum=MAX_KWH)
            for name in _PERIODS
        ]
        peak, semi, off = periods
        if (
            current is None
            or tiered is None
            or cycle is None
            or three is None
            or tax is None
            or amperes is None
            or month is None
            or kwh is None
            or peak is None
            or semi is None
            or off is None
        ):
            return None
        if not self._usage_ok(line, account=account, kwh=kwh, periods=(peak, semi, off)):
            return None
        if cycle != Cycle.MONTHLY and peak >= 0:
            self.report(
                _problem(
                    line,
                    "peak",
                    "periods_bimonthly",
                    "隔月抄表的紀錄不能填各時段度數（時間電價按月計費）。",
                    "kWh per period cannot be given on a bimonthly reading (TOU bills are monthly).",
                ),
                account=account,
            )
            return None
        if peak > 0 and month_of(month)[1] not in SUMMER_MONTHS:
            self.report(
                _problem(
                    line,
                    "peak",
                    "peak_outside_summer",
                    "非夏月沒有尖峰時段（三段式時間帶），peak 必須為 0。",
                    "there is no peak window outside summer (three-period windows): peak must be 0.",
                ),
                account=account,
            )
            return None
        return (
            account,
            current,
            tiered,
            cycle,
            three,
            max(amperes, 0),
            tax,
            month,
            kwh if kwh >= 0 else peak + semi + off,
            peak,
            semi,
            off,
        )

    def _month(
        self, line: int, record: list[str], *, account: str, cycle: int | None
    ) -> int | None:
        text = self._cell(record, "month")
        value = None
        if len(text) == 7 and text[4] == "-" and text[:4].isdecimal() and text[5:].isdecimal():
            year, month = int(text[:4]), int(text[5:])
            if 1 <= month <= 12 and year >= _MIN_YEAR:
                value = month_index(year=year, month=month)
        if value is None:
            self.report(
                _problem(
                    line,
                    "month",
                    "month_invalid",
                    f"「{text}」不是 YYYY-MM 格式的月份。",
                    f"{text!r} is not a month in YYYY-MM form.",
                ),
                account=account,
            )
            return None
        if cycle is not None and not _in_cycle(value, cycle=cycle):
            expected_zh, expected_en = (
                ("單", "odd") if cycle == Cycle.BIMONTHLY_ODD else ("雙", "even")
            )
            self.report(
                _problem(
                    line,
                    "month",
                    "month_not_in_cycle",
                    f"隔月抄表（{expected_zh}月起算）的紀錄必須從{expected_zh}月開始，收到 {text}。",
                    f"a {_CYCLE_CODES[Cycle(cycle)]} reading must start in an {expected_en} "
                    f"month, got {text}.",
                ),
                account=account,
            )
            return None
        return value

    def _usage_ok(
        self, line: int, *, account: str, kwh: int, periods: tuple[int, int, int]
    ) -> bool:
        given = [value >= 0 for value in periods]
        problem = None
        if any(given) and not all(given):
            problem = _problem(
                line,
                "peak",
                "periods_partial",
                "peak、semi_peak、off_peak 必須同時填寫或同時留空。",
                "fill in all of peak, semi_peak and off_peak, or none.",
            )
        elif not any(given) and kwh < 0:
            problem = _problem(
                line, "kwh", "kwh_missing", "缺少用電度數。", "the kWh of the reading are missing."
            )
        elif all(given) and kwh >= 0 and sum(periods) != kwh:
            problem = _problem(
                line,
                "kwh",
                "periods_sum",
                f"各時段度數合計 {sum(periods)} 不等於總度數 {kwh}。",
                f"the periods add up to {sum(periods)} kWh, not {kwh}.",
            )
        elif all(given) and sum(periods) > MAX_KWH:
            problem = _problem(
                line,
                "kwh",
                "out_of_range",
                f"總度數超過 {MAX_KWH}。",
                f"the total exceeds {MAX_KWH} kWh.",
            )
        if problem is not None:
            self.report(problem, account=account)
            return False
        return True


_TIERED_INDEX = {plan.value: index for index, plan in enumerate(PLANS) if not plan.is_tou}
_CYCLE_INDEX = {code: int(cycle) for code, cycle in _CYCLES.items()}
_PHASE_INDEX = {key: int(value) for key, value in _PHASES.items()}
_TAX_INDEX = {**dict.fromkeys(_TRUE, 1), **dict.fromkeys(_FALSE, 0)}


def _lazy_report(
    parser: _Parser, *, lines: NDArray[np.int64], column: str, code: str, zh: str, en: str
) -> None:
    """Report one problem per line in ``lines`` (messages built only while they are kept)."""
    for line in lines.tolist():
        if len(parser.problems) < MAX_PROBLEMS:
            parser.problems.append(_problem(line, column, code, zh, en))
        parser.problem_count += 1


def _missing_months(month: NDArray[np.int64], *, first: int, step: int, readings: int) -> str:
    have = set(month.tolist())
    wanted = (first + step * reading for reading in range(readings))
    return ", ".join(
        f"{year}-{number:02d}" for year, number in (month_of(w) for w in wanted if w not in have)
    )


def _assemble(parser: _Parser) -> HistoryRead:
    """Group the valid rows by account, check each account's window, build the ``History``."""
    rows = parser.rows
    names = np.array(rows.account, dtype=np.str_) if rows.account else np.zeros(0, dtype="<U1")
    unique, account_id = np.unique(names, return_inverse=True)
    order = np.lexsort((np.array(rows.month, dtype=np.int64), account_id))

    def column(values: list[int] | list[bool], dtype: type[np.generic]) -> NDArray[Any]:
        return np.array(values, dtype=dtype)[order]

    ids: NDArray[np.int64] = account_id[order].astype(np.int64)
    line = column(rows.line, np.int64)
    month = column(rows.month, np.int64)
    attributes = {
        "current_plan": column(rows.current, np.int64),
        "tiered_plan": column(rows.tiered, np.int64),
        "billing": column(rows.cycle, np.int64),
        "phase": column(rows.three, np.bool_),
        "meter_amperes": column(rows.amperes, np.int64),
        "tax_exempt": column(rows.tax, np.bool_),
        "peak": column(rows.peak, np.int64) >= 0,  # whether the row has kWh per period
    }
    count = int(unique.shape[0])
    starts = np.searchsorted(ids, np.arange(count))
    bad = np.isin(unique, np.array(sorted(parser.bad_accounts), dtype=np.str_))
    for name, values in attributes.items():
        differs = values != values[starts][ids]
        mixed_periods = name == "peak"
        _lazy_report(
            parser,
            lines=line[differs],
            column=name,
            code="periods_mixed" if mixed_periods else "attribute_differs",
            zh="同一電號的各時段度數必須每列都填或都不填。"
            if mixed_periods
            else "同一電號各列的此欄必須相同。",
            en="give kWh per period on every row of the account or on none."
            if mixed_periods
            else "this column must be the same on every row of the account.",
        )
        bad[ids[differs]] = True
    duplicate = np.zeros(ids.shape, dtype=np.bool_)
    duplicate[1:] = (ids[1:] == ids[:-1]) & (month[1:] == month[:-1])
    _lazy_report(
        parser,
        lines=line[duplicate],
        column="month",
        code="month_duplicate",
        zh="同一電號的月份重複。",
        en="the account already has a reading for this month.",
    )
    bad[ids[duplicate]] = True
    first = {name: values[starts] for name, values in attributes.items()}
    current, tiered, cycle = first["current_plan"], first["tiered_plan"], first["billing"]
    is_tou = ~_TIERED[current]
    account_rules = (
        (
            is_tou & (cycle != Cycle.MONTHLY),
            "billing",
            "tou_bimonthly",
            "時間電價用戶按月抄表，不能是隔月抄表。",
            "a time-of-use customer is billed monthly, not bimonthly.",
        ),
        (
            is_tou & (tiered < 0),
            "tiered_plan",
            "tiered_plan_required",
            "時間電價用戶必須填寫非時間電價類別（tiered_plan）。",
            "a time-of-use customer needs tiered_plan (residential, non_residential or "
            "commercial).",
        ),
        (
            ~is_tou & (tiered >= 0) & (tiered != current),
            "tiered_plan",
            "tiered_plan_mismatch",
            "非時間電價用戶的 tiered_plan 必須與 current_plan 相同。",
            "tiered_plan must equal current_plan for a non-time-of-use customer.",
        ),
    )
    for mask, name, code, zh, en in account_rules:
        _lazy_report(parser, lines=line[starts[mask & ~bad]], column=name, code=code, zh=zh, en=en)
        bad |= mask
    # The window: the last 12 months up to the account's latest reading (rows are sorted).
    ends = np.append(starts[1:], ids.shape[0]).astype(np.int64)
    last = month[ends - 1] if count else np.zeros(0, dtype=np.int64)
    step = np.where(cycle == Cycle.MONTHLY, 1, 2)
    readings = np.where(cycle == Cycle.MONTHLY, WINDOW_MONTHS, WINDOW_MONTHS // 2)
    first_month = last - step * (readings - 1)
    in_window = month >= first_month[ids]
    present = np.bincount(ids[in_window & ~duplicate], minlength=count)
    incomplete = (present < readings) & ~bad
    for position in np.nonzero(incomplete)[0].tolist():
        parser.problem_count += 1
        if len(parser.problems) >= MAX_PROBLEMS:
            continue
        missing = _missing_months(
            month[starts[position] : ends[position]],
            first=int(first_month[position]),
            step=int(step[position]),
            readings=int(readings[position]),
        )
        parser.problems.append(
            _problem(
                int(line[ends[position] - 1]),
                "month",
                "history_incomplete",
                f"電號 {unique[position]} 最近 12 個月的紀錄不完整，缺少：{missing}。",
                f"account {unique[position]} lacks readings for {missing} in its last 12 months.",
            )
        )
    bad |= incomplete
    keep = ~bad
    keep_rows = keep[ids] & in_window
    target = (np.cumsum(keep) - 1)[ids[keep_rows]]
    slots = ((month - first_month[ids]) // step[ids])[keep_rows]
    n = int(keep.sum())

    def grid(values: list[int]) -> NDArray[np.int32]:
        data = np.zeros((n, WINDOW_MONTHS), dtype=np.int32)
        data[target, slots] = np.maximum(column(values, np.int64)[keep_rows], 0)
        return data

    history = History(
        accounts=unique[keep],
        current_plan=current[keep].astype(np.int8),
        tiered_plan=np.where(tiered < 0, current, tiered)[keep].astype(np.int8),
        cycle=cycle[keep].astype(np.int8),
        three_phase=first["phase"][keep],
        meter_amperes=first["meter_amperes"][keep].astype(np.int32),
        tax_exempt=first["tax_exempt"][keep],
        first_month=first_month[keep].astype(np.int32),
        kwh=grid(rows.kwh),
        has_periods=first["peak"][keep],
        peak=grid(rows.peak),
        semi_peak=grid(rows.semi),
        off_peak=grid(rows.off),
    )
    valid_bad = int(bad.sum())
    return HistoryRead(
        history=history,
        problems=tuple(sorted(parser.problems, key=lambda problem: problem.row)),
        problem_count=parser.problem_count,
        rejected_accounts=valid_bad + len(parser.bad_accounts.difference(unique.tolist())),
        ignored_rows=int((~in_window & keep[ids]).sum()),
    )


def _parse_records(records: Iterator[tuple[int, list[str]]]) -> HistoryRead:
    try:
        _, header = next(records)
    except StopIteration:
        raise HistoryCsvError(
            _problem(1, "", "empty", "檔案是空的。", "the file is empty.")
        ) from None
    parser = _Parser(_header(header))
    for line, record in records:
        if record:  # csv gives [] for an empty line; blank cells are checked by ``add``
            parser.add(line, record)
    return _assemble(parser)


def _csv_records(stream: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(stream)
    for record in reader:
        yield reader.line_num, record


def _parse_stream(binary: BinaryIO) -> HistoryRead:
    for encoding in ("utf-8-sig", "cp950"):
        binary.seek(0)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            return _parse_records(_csv_records(text))
        except UnicodeDecodeError:
            continue
        finally:
            text.detach()
    raise HistoryCsvError(
        _problem(
            1,
            "",
            "encoding",
            "檔案不是 UTF-8 或 Big5 編碼。",
            "the file is neither UTF-8 nor Big5.",
        )
    )


def parse_history_csv(data: bytes) -> HistoryRead:
    """Read a history CSV given as bytes (module docstring for the format)."""
    return _parse_stream(io.BytesIO(data))


def _parquet_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        parquet: Any = importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise HistoryCsvError(
            _problem(
                1,
                "",
                "parquet_unsupported",
                "讀取 Parquet 檔需要安裝 pyarrow；請改用 CSV。",
                "reading Parquet needs pyarrow, which is not installed: use CSV instead.",
            )
        ) from None
    source = parquet.ParquetFile(path)
    names: list[str] = list(source.schema_arrow.names)
    yield 1, names
    line = 1
    for batch in source.iter_batches(batch_size=65_536):
        columns = [batch.column(index).to_pylist() for index in range(len(names))]
        for values in zip(*columns, strict=True):
            line += 1
            yield line, ["" if value is None else str(value) for value in values]


def read_history(path: Path) -> HistoryRead:
    """Read a history file: ``.parquet`` (needs pyarrow) or CSV (any other suffix), streamed."""
    if path.suffix.lower() == ".parquet":
        return _parse_records(_parquet_records(path))
    with path.open("rb") as binary:
        return _parse_stream(binary)


def rows_to_csv(rows: Iterable[dict[str, object]]) -> bytes:
    """Write history rows (dicts keyed by column name) as a UTF-8 CSV (tests, examples)."""
    columns = (*_REQUIRED, *_OPTIONAL, *_PERIODS)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")
