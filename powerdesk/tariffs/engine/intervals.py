"""Interval (AMI) data: CSV parsing, assignment to TOU periods, bills and comparisons (form (c)).

**CSV format** (documented simple format; one file = one meter):

* Encoding UTF-8 (with or without BOM) or Big5 (decoded as cp950, Microsoft's Big5 used by
  Windows in Taiwan); tried in that order.
* A header row ``timestamp,kwh`` (case-insensitive; ``時間`` / ``日期時間`` and ``度數`` /
  ``用電度數`` are accepted as the same columns), then one row per interval. Blank lines are
  skipped.
* ``timestamp`` is the interval **start** in ISO 8601, ``YYYY-MM-DD HH:MM`` or
  ``YYYY-MM-DDTHH:MM`` (seconds ``:00`` allowed), Asia/Taipei local time. An explicit offset
  (``+08:00``, ``Z``, …) is converted to Taipei time (Taiwan has had no daylight saving since
  1979, so local time is unambiguous).
* ``kwh`` is the energy of the interval, a decimal ≥ 0.
* All intervals have one length: 15, 30 or 60 minutes, the most common step between rows.
  Rows must be in time order, on that grid, without gaps, duplicates or overlaps.

Every problem is reported with its 1-based row (the header is row 1) and column in an
``IntervalCsvError`` (up to 50 problems, then a count). Problems of single rows (columns,
values) are reported first; the sequence (order, duplicates, gaps, lengths, grid) is checked
once every row parses.

**Assignment to periods**: each interval takes the period of the half-hour slot it starts in,
under the TOU version in force on its day (or on ``as_of``), the season of its day and the day's
type (weekday / Saturday-Sunday / 離峰日, periods.py). An hourly interval that spans a band
boundary on a half hour (the pre-2023 bands change at 07:30 and 22:30) cannot be split without
guessing: such an interval with energy is refused (``tariff.interval_spans_boundary``); use
15- or 30-minute data. The new bands change on whole hours only.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import NoReturn, cast

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.engine import bill as bills
from powerdesk.tariffs.engine import compare
from powerdesk.tariffs.engine.compare import Comparison
from powerdesk.tariffs.engine.limits import (
    MAX_DECIMAL_PLACES,
    MAX_INTERVAL_KWH,
    check_bounds,
    decimal_places,
)
from powerdesk.tariffs.engine.loader import SLOT_MINUTES, parse_plan
from powerdesk.tariffs.engine.model import (
    Bill,
    Billing,
    CsvProblem,
    IntervalCsvError,
    OffPeakStatus,
    Phase,
    Plan,
    Season,
    TariffError,
    TouKwh,
    TouPeriod,
    TouSchedule,
)
from powerdesk.tariffs.engine.periods import DayType, day_slots, season_of

INTERVAL_MINUTES = (15, 30, 60)
"""Supported interval lengths [min]."""

MAX_PROBLEMS = 50
TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")
_MINUTES_PER_DAY = 24 * 60
_HEADER = {
    "timestamp": frozenset({"timestamp", "時間", "日期時間"}),
    "kwh": frozenset({"kwh", "度數", "用電度數"}),
}
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?"
)


# --- The series -----------------------------------------------------------------------------


def _is_kwh(value: object) -> bool:
    return isinstance(value, Decimal) and value.is_finite() and value >= 0


@dataclass(frozen=True, slots=True)
class IntervalSeries:
    """Contiguous interval energy of one meter.

    ``start`` is the naive Asia/Taipei local start of the first interval; interval i covers
    [start + i·L, start + (i+1)·L) with L = ``interval_minutes``; ``kwh[i]`` is its energy.
    """

    start: datetime
    interval_minutes: int  # [min] 15, 30 or 60
    kwh: tuple[Decimal, ...]  # [kWh] per interval

    def __post_init__(self) -> None:
        problem = None
        if self.interval_minutes not in INTERVAL_MINUTES:
            problem = f"interval_minutes must be one of {INTERVAL_MINUTES}"
        elif self.start.tzinfo is not None:
            problem = "start must be a naive Asia/Taipei local time"
        elif (self.start.hour * 60 + self.start.minute) % self.interval_minutes or (
            self.start.second or self.start.microsecond
        ):
            problem = "start must lie on the interval grid"
        elif not self.kwh:
            problem = "the series has no intervals"
        elif not all(_is_kwh(value) for value in self.kwh):
            problem = "every kwh must be a finite Decimal of zero or more"
        else:
            self._check_bounds()
        if problem is not None:
            raise TariffError(
                code="tariff.series_invalid",
                zh_hant=f"區間用電資料無效：{problem}。",
                en=f"Invalid interval series: {problem}.",
                field="series",
            )

    def _check_bounds(self) -> None:
        """Refuse an interval above ``MAX_INTERVAL_KWH`` or with too many decimals, by index."""
        for index, value in enumerate(self.kwh):
            if value > MAX_INTERVAL_KWH or decimal_places(value) > MAX_DECIMAL_PLACES:
                check_bounds(value, field=f"series.kwh[{index}]", maximum=MAX_INTERVAL_KWH)

    @property
    def end(self) -> datetime:
        """End of the last interval (exclusive)."""
        return self.start + timedelta(minutes=self.interval_minutes * len(self.kwh))

    @property
    def first_day(self) -> date:
        """Day of the first interval."""
        return self.start.date()

    @property
    def last_day(self) -> date:
        """Day of the last interval."""
        return (self.end - timedelta(minutes=self.interval_minutes)).date()

    @property
    def total_kwh(self) -> Decimal:
        """All intervals together [kWh]."""
        return sum(self.kwh, Decimal(0))

    def interval_start(self, index: int) -> datetime:
        """Start of interval ``index``."""
        return self.start + timedelta(minutes=self.interval_minutes * index)

    def index_of(self, moment: datetime) -> int:
        """Index of the interval starting at ``moment`` (may lie outside the series)."""
        return int((moment - self.start) / timedelta(minutes=self.interval_minutes))


# --- CSV parsing ----------------------------------------------------------------------------


def _problem(row: int, column: str, code: str, zh_hant: str, en: str) -> CsvProblem:
    where_zh = f"第 {row} 列" + (f"「{column}」欄" if column else "")
    where_en = f"Row {row}" + (f", column {column!r}" if column else "")
    return CsvProblem(
        row=row,
        column=column,
        code=f"tariff.csv.{code}",
        message=Message(zh_hant=f"{where_zh}：{zh_hant}", en=f"{where_en}: {en}"),
    )


def _fail(problems: list[CsvProblem]) -> NoReturn:
    raise IntervalCsvError(
        tuple(problems[:MAX_PROBLEMS]), more=max(0, len(problems) - MAX_PROBLEMS)
    )


def _raise_if(problems: list[CsvProblem]) -> None:
    if problems:
        _fail(problems)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp950")
        except UnicodeDecodeError as big5_error:
            offset = max(utf8_error.start, big5_error.start)
            row = data.count(b"\n", 0, offset) + 1
            _fail(
                [
                    _problem(
                        row,
                        "",
                        "encoding",
                        f"檔案不是 UTF-8 或 Big5 編碼（第 {offset + 1} 個位元組無法解讀）。",
                        f"the file is neither UTF-8 nor Big5 (byte {offset + 1} cannot be decoded).",
                    )
                ]
            )


def _parse_timestamp(text: str) -> datetime | None:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(TAIPEI).replace(tzinfo=None)
    return moment


def _parse_row(
    row: int, fields: list[str], problems: list[CsvProblem]
) -> tuple[datetime, Decimal] | None:
    if len(fields) != len(_HEADER):
        problems.append(
            _problem(
                row,
                "",
                "columns",
                f"應有 2 欄（timestamp,kwh），實際有 {len(fields)} 欄。",
                f"expected 2 columns (timestamp,kwh), found {len(fields)}.",
            )
        )
        return None
    stamp_text, kwh_text = fields[0].strip(), fields[1].strip()
    moment = _parse_timestamp(stamp_text)
    if moment is None:
        problems.append(
            _problem(
                row,
                "timestamp",
                "timestamp_invalid",
                f"「{stamp_text}」不是有效的時間（格式 YYYY-MM-DD HH:MM）。",
                f"{stamp_text!r} is not a valid timestamp (use YYYY-MM-DD HH:MM).",
            )
        )
    elif moment.second:
        problems.append(
            _problem(
                row,
                "timestamp",
                "misaligned",
                f"「{stamp_text}」的秒數必須為 00。",
                f"{stamp_text!r}: seconds must be 00.",
            )
        )
        moment = None
    kwh: Decimal | None = None
    if not kwh_text:
        problems.append(
            _problem(row, "kwh", "kwh_missing", "缺少用電度數。", "the kWh value is missing.")
        )
    else:
        try:
            kwh = Decimal(kwh_text)
        except InvalidOperation:
            kwh = None
        if kwh is None or not kwh.is_finite():
            problems.append(
                _problem(
                    row,
                    "kwh",
                    "kwh_not_a_number",
                    f"「{kwh_text}」不是數字。",
                    f"{kwh_text!r} is not a number.",
                )
            )
            kwh = None
        elif kwh < 0:
            problems.append(
                _problem(
                    row,
                    "kwh",
                    "kwh_negative",
                    f"用電度數不可為負數（{kwh_text}）。",
                    f"kWh must not be negative ({kwh_text}).",
                )
            )
            kwh = None
        elif kwh > MAX_INTERVAL_KWH:
            problems.append(
                _problem(
                    row,
                    "kwh",
                    "kwh_too_large",
                    f"每個區間的用電度數不可大於 {MAX_INTERVAL_KWH:,}（收到 {kwh_text[:32]}）。",
                    f"the kWh of one interval must be at most {MAX_INTERVAL_KWH:,} "
                    f"(got {kwh_text[:32]}).",
                )
            )
            kwh = None
        elif decimal_places(kwh) > MAX_DECIMAL_PLACES:
            problems.append(
                _problem(
                    row,
                    "kwh",
                    "kwh_too_precise",
                    f"用電度數最多 {MAX_DECIMAL_PLACES} 位小數（收到 {kwh_text[:32]}）。",
                    f"kWh may have at most {MAX_DECIMAL_PLACES} decimal places "
                    f"(got {kwh_text[:32]}).",
                )
            )
            kwh = None
    if moment is None or kwh is None:
        return None
    return moment, kwh


def _check_header(row: int, fields: list[str]) -> None:
    names = [field.strip().lower() for field in fields]
    if len(names) == len(_HEADER) and all(
        name in aliases for name, aliases in zip(names, _HEADER.values(), strict=True)
    ):
        return
    shown = ",".join(field.strip() for field in fields)
    _fail(
        [
            _problem(
                row,
                "",
                "header",
                f"標題列必須是「timestamp,kwh」，實際是「{shown}」。",
                f"the header must be 'timestamp,kwh', found {shown!r}.",
            )
        ]
    )


def _read_rows(text: str) -> list[tuple[int, datetime, Decimal]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[CsvProblem] = []
    records: list[tuple[int, datetime, Decimal]] = []
    header_seen = False
    try:
        for fields in reader:
            row = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if not header_seen:
                _check_header(row, fields)
                header_seen = True
                continue
            parsed = _parse_row(row, fields, problems)
            if parsed is not None:
                records.append((row, *parsed))
    except csv.Error as error:
        problems.append(
            _problem(
                reader.line_num,
                "",
                "malformed",
                f"無法解析此列（{error}）。",
                f"the row cannot be parsed ({error}).",
            )
        )
    _raise_if(problems)
    if not header_seen or not records:
        _fail(
            [
                _problem(
                    1 if not header_seen else 2,
                    "",
                    "empty",
                    "檔案沒有任何資料列。",
                    "the file has no data rows.",
                )
            ]
        )
    return records


def _minutes(delta: timedelta) -> int:
    return int(delta / timedelta(minutes=1))


def _interval_length(records: list[tuple[int, datetime, Decimal]]) -> int:
    if len(records) < 2:
        _fail(
            [
                _problem(
                    records[0][0],
                    "",
                    "too_short",
                    "至少需要兩列資料才能判斷區間長度。",
                    "at least two rows are needed to tell the interval length.",
                )
            ]
        )
    steps = Counter(
        _minutes(records[i][1] - records[i - 1][1])
        for i in range(1, len(records))
        if records[i][1] > records[i - 1][1]
    )
    if not steps:
        _fail(
            [
                _problem(
                    records[1][0],
                    "timestamp",
                    "out_of_order",
                    "時間沒有依序遞增；請依時間排序。",
                    "the timestamps never increase from one row to the next; sort the rows by time.",
                )
            ]
        )
    length = steps.most_common(1)[0][0]
    if length not in INTERVAL_MINUTES:
        row = next(
            r[0]
            for i, r in enumerate(records[1:], start=1)
            if _minutes(r[1] - records[i - 1][1]) == length
        )
        _fail(
            [
                _problem(
                    row,
                    "timestamp",
                    "interval_length",
                    f"資料間隔為 {length} 分鐘；只支援 15、30 或 60 分鐘。",
                    f"the rows are {length} minutes apart; only 15, 30 or 60 minutes are supported.",
                )
            ]
        )
    return length


def _check_sequence(records: list[tuple[int, datetime, Decimal]], *, length: int) -> None:
    problems: list[CsvProblem] = []
    seen: dict[datetime, int] = {}
    latest: datetime | None = None
    for index, (row, moment, _) in enumerate(records):
        text = moment.strftime("%Y-%m-%d %H:%M")
        if moment in seen:
            problems.append(
                _problem(
                    row,
                    "timestamp",
                    "duplicate",
                    f"時間 {text} 與第 {seen[moment]} 列重複。",
                    f"timestamp {text} repeats row {seen[moment]}.",
                )
            )
            continue
        seen[moment] = row
        if (moment.hour * 60 + moment.minute) % length:
            problems.append(
                _problem(
                    row,
                    "timestamp",
                    "misaligned",
                    f"時間 {text} 不在 {length} 分鐘的區間格點上。",
                    f"timestamp {text} is not on the {length}-minute grid.",
                )
            )
        if latest is not None:
            step = _minutes(moment - latest)
            if step < 0:
                problems.append(
                    _problem(
                        row,
                        "timestamp",
                        "out_of_order",
                        f"時間 {text} 早於前面的資料列；請依時間排序。",
                        f"timestamp {text} is earlier than a previous row; sort the rows by time.",
                    )
                )
                continue
            if step < length:
                if step in INTERVAL_MINUTES:
                    problems.append(
                        _problem(
                            row,
                            "timestamp",
                            "mixed_lengths",
                            f"與前一列相隔 {step} 分鐘，但檔案的區間長度是 {length} 分鐘（區間長度混用）。",
                            f"{step} minutes after the previous row, but the file's interval is "
                            f"{length} minutes (mixed interval lengths).",
                        )
                    )
                else:
                    problems.append(
                        _problem(
                            row,
                            "timestamp",
                            "overlap",
                            f"時間 {text} 落在前一列的 {length} 分鐘區間內（區間重疊）。",
                            f"timestamp {text} starts inside the previous row's {length}-minute "
                            "interval (overlap).",
                        )
                    )
            elif step > length and step % length == 0:
                following = records[index + 1][1] if index + 1 < len(records) else None
                if (
                    step in INTERVAL_MINUTES
                    and following is not None
                    and _minutes(following - moment) == step
                ):
                    problems.append(
                        _problem(
                            row,
                            "timestamp",
                            "mixed_lengths",
                            f"從此列起資料間隔為 {step} 分鐘，但檔案的區間長度是 {length} 分鐘（區間長度混用）。",
                            f"rows are {step} minutes apart from here, but the file's interval is "
                            f"{length} minutes (mixed interval lengths).",
                        )
                    )
                else:
                    missing = step // length - 1
                    problems.append(
                        _problem(
                            row,
                            "timestamp",
                            "gap",
                            f"與前一列之間缺少 {missing} 個區間（{latest:%Y-%m-%d %H:%M} 之後）。",
                            f"{missing} intervals are missing before this row (after "
                            f"{latest:%Y-%m-%d %H:%M}).",
                        )
                    )
        latest = moment
    _raise_if(problems)


def parse_interval_csv(data: bytes) -> IntervalSeries:
    """Parse an AMI interval CSV (format in the module docstring) into an ``IntervalSeries``.

    Raises ``IntervalCsvError`` listing every problem found with its row and column.
    """
    records = _read_rows(_decode(data))
    length = _interval_length(records)
    _check_sequence(records, length=length)
    return IntervalSeries(
        start=records[0][1], interval_minutes=length, kwh=tuple(record[2] for record in records)
    )


# --- Assignment to periods ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Walk:
    periods: tuple[TouPeriod, ...]
    totals: dict[tuple[TouSchedule, Season], dict[TouPeriod, Decimal]]
    provisional: bool


def _check_override(series: IntervalSeries, offpeak_days: Collection[date] | None) -> None:
    if offpeak_days is None:
        return
    if not all(type(day) is date for day in offpeak_days):
        raise TariffError(
            code="tariff.offpeak_days_invalid",
            zh_hant="「offpeak_days」必須全部是日期。",
            en="offpeak_days must contain dates only.",
            field="offpeak_days",
        )
    years = {day.year for day in offpeak_days}
    missing = [y for y in range(series.first_day.year, series.last_day.year + 1) if y not in years]
    if missing:
        raise TariffError(
            code="tariff.offpeak_days_incomplete",
            zh_hant=f"「offpeak_days」必須是完整的離峰日清單，但沒有 {missing} 年的日期。",
            en=f"offpeak_days must be the complete off-peak day list, but it has no date in {missing}.",
            field="offpeak_days",
            details={"years": missing},
        )


def _tou_schedule(plan: Plan, *, day: date, as_of: date | None) -> TouSchedule:
    # The loader gives TOU plans TOU files only.
    return cast(TouSchedule, bills.known_schedule(plan, on=as_of or day))


def _walk(
    series: IntervalSeries,
    *,
    plan: Plan,
    lo: int,
    hi: int,
    as_of: date | None,
    offpeak_days: Collection[date] | None,
) -> _Walk:
    length = series.interval_minutes
    per_day = _MINUTES_PER_DAY // length
    offset = (series.start.hour * 60 + series.start.minute) // length
    periods: list[TouPeriod] = []
    totals: dict[tuple[TouSchedule, Season], dict[TouPeriod, Decimal]] = {}
    unknown_days: list[date] = []
    provisional = False
    index = lo
    while index < hi:
        day_number, first_slot = divmod(offset + index, per_day)
        day = series.first_day + timedelta(days=day_number)
        count = min(per_day - first_slot, hi - index)
        schedule = _tou_schedule(plan, day=day, as_of=as_of)
        slots, kind = day_slots(schedule, day=day, offpeak_days=offpeak_days)
        if (
            kind in (DayType.WEEKDAY, DayType.UNKNOWN)
            and offpeak_days is None
            and schedule.offpeak_days.status is OffPeakStatus.UNKNOWN
        ):
            provisional = True
        bucket = totals.setdefault((schedule, season_of(day)), dict.fromkeys(TouPeriod, Decimal(0)))
        needs_list = False
        for step in range(count):
            minute = (first_slot + step) * length
            period = slots[minute // SLOT_MINUTES]
            kwh = series.kwh[index + step]
            if kwh and slots[(minute + length - 1) // SLOT_MINUTES] is not period:
                moment = series.interval_start(index + step)
                boundary = moment.replace(minute=SLOT_MINUTES)
                raise TariffError(
                    code="tariff.interval_spans_boundary",
                    zh_hant=(
                        f"{moment:%Y-%m-%d %H:%M} 起的 {length} 分鐘區間跨越 {boundary:%H:%M} 的時段交界，"
                        "無法不經推測分配；請改用 15 或 30 分鐘資料。"
                    ),
                    en=(
                        f"The {length}-minute interval starting {moment:%Y-%m-%d %H:%M} spans the "
                        f"{boundary:%H:%M} band boundary and cannot be split without guessing; use "
                        "15- or 30-minute data."
                    ),
                    field="series",
                    details={"interval_start": moment.isoformat()},
                )
            needs_list = needs_list or bool(
                kwh and kind is DayType.UNKNOWN and period is not TouPeriod.OFF_PEAK
            )
            periods.append(period)
            bucket[period] += kwh
        if needs_list:
            unknown_days.append(day)
        index += count
    if unknown_days:
        shown = ", ".join(day.isoformat() for day in unknown_days[:10])
        raise TariffError(
            code="tariff.offpeak_days_unknown",
            zh_hant=(
                f"{shown} 可能是離峰日，但 2025-10-01 以前台電的離峰日清單不明（?），這些日子的尖峰用電"
                "無法確定計價；請提供台電當年的時間電價日曆（offpeak_days），或以現行費率（as_of）比較。"
            ),
            en=(
                f"{shown} may be off-peak days, but Taipower's off-peak day list before 2025-10-01 "
                "is unknown (?), so their weekday-peak energy cannot be priced; pass Taipower's "
                "calendar for that year (offpeak_days) or compare at the current tariff (as_of)."
            ),
            field="series",
            details={"dates": [day.isoformat() for day in unknown_days]},
        )
    return _Walk(periods=tuple(periods), totals=totals, provisional=provisional)


_OFFPEAK_ASSUMPTION = Message(
    zh_hant="2025-10-01 以前的離峰日清單不明：除 2025 年清單所列日期外，週一至週五均以一般平日計價（暫定）。",
    en="The off-peak day list before 2025-10-01 is unknown: weekdays other than the 2025 "
    "list's dates are priced as ordinary weekdays (provisional).",
)


def interval_periods(
    series: IntervalSeries,
    *,
    plan: Plan | str,
    as_of: date | None = None,
    offpeak_days: Collection[date] | None = None,
) -> tuple[TouPeriod, ...]:
    """The TOU period of every interval under ``plan`` (a TOU plan).

    ``as_of``: use the version in force on that date for every interval (None = each interval's
    own date). ``offpeak_days``: the caller's complete 離峰日 list, replacing the built-in rules.
    """
    parsed = _tou_plan(plan)
    _check_override(series, offpeak_days)
    return _walk(
        series, plan=parsed, lo=0, hi=len(series.kwh), as_of=as_of, offpeak_days=offpeak_days
    ).periods


def _tou_plan(plan: Plan | str) -> Plan:
    parsed = parse_plan(plan)
    if not parsed.is_tou:
        raise TariffError(
            code="tariff.plan_not_tou",
            zh_hant=f"方案 {parsed.value} 不是時間電價，沒有時段。",
            en=f"Plan {parsed.value!r} is not time-of-use and has no periods.",
            field="plan",
        )
    return parsed


def _tou_kwh(totals: dict[TouPeriod, Decimal]) -> TouKwh:
    return TouKwh(
        peak=totals[TouPeriod.PEAK],
        semi_peak=totals[TouPeriod.SEMI_PEAK],
        off_peak=totals[TouPeriod.OFF_PEAK],
    )


def bill_from_intervals(
    series: IntervalSeries,
    *,
    plan: Plan | str,
    billing: Billing | str = Billing.MONTHLY,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
    offpeak_days: Collection[date] | None = None,
) -> Bill:
    """The bill for the reading period covered by ``series`` (its first to its last day).

    A tiered plan is billed on the series' total kWh (``compute_bill`` rules, day-ratio
    proration included). A TOU plan is billed on the kWh per period from the calendar; the
    series must lie within one season and one version (``tariff.tou_crosses_boundary``).
    Other arguments as for ``compute_bill``; ``offpeak_days`` as for ``interval_periods``.
    """
    parsed_plan = parse_plan(plan)
    start, end = series.first_day, series.last_day
    if not parsed_plan.is_tou:
        return bills.compute_bill(
            plan=parsed_plan,
            start=start,
            end=end,
            kwh=series.total_kwh,
            billing=billing,
            phase=phase,
            meter_amperes=meter_amperes,
            tax_exempt=tax_exempt,
            power_factor=power_factor,
            equipment_kva=equipment_kva,
        )
    options = bills.parse_options(
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )
    parsed_billing = bills.parse_billing(billing)
    _check_override(series, offpeak_days)
    part = bills.tou_reading_part(parsed_plan, start=start, end=end, billing=parsed_billing)
    walk = _walk(
        series, plan=parsed_plan, lo=0, hi=len(series.kwh), as_of=None, offpeak_days=offpeak_days
    )
    totals = walk.totals[(cast(TouSchedule, part.schedule), part.season)]
    return bills.tou_bill(
        cast(TouSchedule, part.schedule),
        season=part.season,
        kwh=_tou_kwh(totals),
        start=start,
        end=end,
        options=options,
        extra_provisional=walk.provisional,
        notes=(_OFFPEAK_ASSUMPTION,) if walk.provisional else (),
    )


def complete_months(series: IntervalSeries) -> tuple[tuple[date, date], ...]:
    """(first day, last day) of every calendar month the series covers completely."""
    months: list[tuple[date, date]] = []
    cursor = date(series.first_day.year, series.first_day.month, 1)
    while cursor <= series.last_day:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        if (
            datetime.combine(cursor, datetime.min.time()) >= series.start
            and datetime.combine(following, datetime.min.time()) <= series.end
        ):
            months.append((cursor, following - timedelta(days=1)))
        cursor = following
    return tuple(months)


def compare_intervals(
    series: IntervalSeries,
    *,
    current_plan: Plan | str,
    tiered_plan: Plan | str | None = None,
    as_of: date | None = None,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
    offpeak_days: Collection[date] | None = None,
) -> Comparison:
    """Compare the plans open to the customer on their own interval data (form (c)).

    Every complete calendar month of the series is priced as a monthly bill under each plan
    (partial months at either end are left out). ``as_of`` prices every month with the
    versions in force on that date ("what would this use cost today"); None prices each month
    at its own date's tariff. The annual estimate is 4 × the mean summer monthly bill + 8 × the
    mean non-summer monthly bill, which for twelve consecutive months is their plain sum; at
    least one complete month of each season is required.
    """
    plans = compare.compared_plans(current_plan=current_plan, tiered_plan=tiered_plan)
    options = bills.parse_options(
        phase=phase,
        meter_amperes=meter_amperes,
        tax_exempt=tax_exempt,
        power_factor=power_factor,
        equipment_kva=equipment_kva,
    )
    _check_override(series, offpeak_days)
    months = complete_months(series)
    if not months:
        raise TariffError(
            code="tariff.intervals_no_complete_month",
            zh_hant="區間資料沒有涵蓋任何完整的月份（從 1 日 00:00 到月底 24:00）。",
            en="The interval data covers no complete calendar month (1st 00:00 to month end 24:00).",
            field="series",
        )
    counts = Counter(season_of(first) for first, _ in months)
    if counts[Season.SUMMER] == 0 or counts[Season.NON_SUMMER] == 0:
        raise TariffError(
            code="tariff.intervals_season_missing",
            zh_hant="估計一年電費至少需要一個完整的夏月（6–9 月）與一個完整的非夏月。",
            en="An annual estimate needs at least one complete summer month (June–September) "
            "and one complete non-summer month.",
            field="series",
        )
    weights = {
        Season.SUMMER: Fraction(compare.SUMMER_MONTHS, counts[Season.SUMMER]),
        Season.NON_SUMMER: Fraction(compare.NON_SUMMER_MONTHS, counts[Season.NON_SUMMER]),
    }
    estimates = []
    for plan in plans:
        monthly: list[compare.MonthEstimate] = []
        for first, last in months:
            lo = series.index_of(datetime.combine(first, datetime.min.time()))
            hi = series.index_of(datetime.combine(last + timedelta(days=1), datetime.min.time()))
            season = season_of(first)
            if plan.is_tou:
                # one version and one season per month (refused otherwise, as in form (b))
                schedule = cast(
                    TouSchedule,
                    bills.known_schedule(plan, on=as_of)
                    if as_of is not None
                    else bills.tou_reading_part(
                        plan, start=first, end=last, billing=Billing.MONTHLY
                    ).schedule,
                )
                walk = _walk(
                    series, plan=plan, lo=lo, hi=hi, as_of=as_of, offpeak_days=offpeak_days
                )
                month_bill = bills.tou_bill(
                    schedule,
                    season=season,
                    kwh=_tou_kwh(walk.totals[(schedule, season)]),
                    start=first,
                    end=last,
                    options=options,
                    extra_provisional=walk.provisional,
                    notes=(_OFFPEAK_ASSUMPTION,) if walk.provisional else (),
                )
            else:
                kwh = sum(series.kwh[lo:hi], Decimal(0))
                month_bill = _tiered_month(
                    plan, first=first, last=last, kwh=kwh, as_of=as_of, options=options
                )
            monthly.append(
                compare.MonthEstimate(
                    label=f"{first:%Y-%m}", weight=weights[season], bill=month_bill
                )
            )
        estimates.append(compare.plan_estimate(plan, months=tuple(monthly)))
    first_day, last_day = months[0][0], months[-1][1]
    priced_zh = f"，以 {as_of.isoformat()} 的現行費率計算" if as_of else ""
    priced_en = f", priced at the tariffs in force on {as_of.isoformat()}" if as_of else ""
    basis = Message(
        zh_hant=f"依 {first_day.isoformat()} 至 {last_day.isoformat()} 共 {len(months)} 個完整月份的實際用電{priced_zh}，",
        en=f"Based on your metered use in {len(months)} complete months from {first_day.isoformat()} "
        f"to {last_day.isoformat()}{priced_en}:",
    )
    annual = Message(
        zh_hant="年電費 = 4 × 夏月平均月帳單 + 8 × 非夏月平均月帳單（連續 12 個月時即為 12 張月帳單之和）。",
        en="Annual bill = 4 × the mean summer monthly bill + 8 × the mean non-summer monthly bill "
        "(for 12 consecutive months, the sum of the 12 bills).",
    )
    return compare.build_comparison(
        current_plan=parse_plan(current_plan, field="current_plan"),
        estimates=tuple(estimates),
        basis=basis,
        assumptions=(annual, compare.MONTHLY_BILLING_ASSUMPTION),
    )


def _tiered_month(
    plan: Plan,
    *,
    first: date,
    last: date,
    kwh: Decimal,
    as_of: date | None,
    options: bills.BillOptions,
) -> Bill:
    if as_of is None:
        parts = bills.split_reading(plan, start=first, end=last)
    else:
        parts = (
            bills.Part(
                schedule=bills.known_schedule(plan, on=as_of),
                season=season_of(first),
                first=first,
                last=last,
            ),
        )
    return bills.tiered_bill(
        parts, plan=plan, billing=Billing.MONTHLY, start=first, end=last, kwh=kwh, options=options
    )
