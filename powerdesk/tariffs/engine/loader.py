"""Rate data files → schedules: validation and selection by date.

Layout: ``powerdesk/tariffs/data/<plan>/<effective-from>.toml``, one file per plan and effective
date of the reference (tariffs.md §0), never edited after its date (add a file instead). A file
is in force from its ``effective_from`` to the day before the next file of the same plan; the
newest file stays in force until a newer one is added (``schedule_for`` picks the newest file
whose ``effective_from <= on``, style.md §7.6).

Three kinds of file:

* ``kind = "tiered"``: 表燈非時間電價; ``[[tiers]]`` with a monthly ``up_to_kwh`` (absent on the
  last tier) and ``summer`` / ``non_summer`` prices;
* ``kind = "simple_tou"``: 表燈簡易型時間電價; basic charge, adder, ``[prices.<season>]``,
  ``[bands]`` (weekday time windows) and ``[offpeak_days]`` (離峰日 rules);
* ``kind = "unknown"``: the reference has no rates for this version ("?"); ``missing_zh`` /
  ``missing_en`` say what is missing, and the engine refuses the dates it covers.

Every number is a TOML string parsed as ``Decimal`` (never through float). Every file carries
``source`` and ``confidence`` (A/B/C, or "?" for an unknown version). Unknown keys are errors,
so a typo cannot silently drop a rate.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.engine.model import (
    BandSet,
    Confidence,
    MovableHoliday,
    OffPeakDayRules,
    OffPeakStatus,
    Plan,
    Schedule,
    ScheduleHeader,
    Season,
    TariffDataError,
    TariffError,
    Tier,
    TieredSchedule,
    TimeBand,
    TouPeriod,
    TouPrices,
    TouSchedule,
    UnknownSchedule,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""The package's rate data directory."""

MINUTES_PER_DAY = 24 * 60
SLOT_MINUTES = 30
"""Band boundaries must lie on a half hour; periods are looked up per half-hour slot."""

_HH_MM = re.compile(r"(\d{2}):(\d{2})")
_MM_DD = re.compile(r"(\d{2})-(\d{2})")
_PERIODS_BY_STAGES: dict[int, dict[Season, frozenset[TouPeriod]]] = {
    2: {
        Season.SUMMER: frozenset({TouPeriod.PEAK, TouPeriod.OFF_PEAK}),
        Season.NON_SUMMER: frozenset({TouPeriod.PEAK, TouPeriod.OFF_PEAK}),
    },
    # 三段式 has no peak outside summer ([T1] p.6: 非夏月 半尖峰 / 離峰 only).
    3: {
        Season.SUMMER: frozenset({TouPeriod.PEAK, TouPeriod.SEMI_PEAK, TouPeriod.OFF_PEAK}),
        Season.NON_SUMMER: frozenset({TouPeriod.SEMI_PEAK, TouPeriod.OFF_PEAK}),
    },
}
_STAGES_BY_PLAN = {Plan.SIMPLE_TOU_2: 2, Plan.SIMPLE_TOU_3: 3}


class _Table:
    """A TOML table being read: typed access by key, and a final check for unknown keys."""

    def __init__(self, data: Mapping[str, Any], *, path: Path, where: str) -> None:
        self._data = data
        self._path = path
        self._where = where
        self._seen: set[str] = set()

    def fail(self, problem: str) -> TariffDataError:
        where = f"{self._where}: " if self._where else ""
        return TariffDataError(
            code="tariff.data_invalid",
            zh_hant=f"費率資料檔 {self._path.name} 有誤：{where}{problem}",
            en=f"Rate data file {self._path}: {where}{problem}",
            details={"file": str(self._path)},
        )

    def raw(self, key: str, *, required: bool = True) -> Any:
        self._seen.add(key)
        if key not in self._data:
            if required:
                raise self.fail(f"missing key {key!r}")
            return None
        return self._data[key]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key!r} must be a non-empty string")
        return value

    def optional_text(self, key: str) -> str:
        value = self.raw(key, required=False)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string")
        return value

    def decimal(self, key: str) -> Decimal:
        return self._to_decimal(key, self.raw(key))

    def optional_decimal(self, key: str) -> Decimal | None:
        value = self.raw(key, required=False)
        return None if value is None else self._to_decimal(key, value)

    def _to_decimal(self, key: str, value: Any) -> Decimal:
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a decimal written as a string, not {value!r}")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.fail(f"{key!r} is not a decimal: {value!r}") from None
        if not number.is_finite() or number < 0:
            raise self.fail(f"{key!r} must be a finite non-negative decimal: {value!r}")
        return number

    def table(self, key: str) -> _Table:
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(f"{key!r} must be a table")
        return _Table(
            value, path=self._path, where=f"{self._where}{'.' if self._where else ''}{key}"
        )

    def tables(self, key: str) -> list[_Table]:
        value = self.raw(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{key!r} must be a non-empty array of tables")
        prefix = f"{self._where}{'.' if self._where else ''}{key}"
        return [
            _Table(item, path=self._path, where=f"{prefix}[{index}]")
            for index, item in enumerate(value)
        ]

    def strings(self, key: str) -> list[str]:
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key!r} must be an array of strings")
        return list(value)

    def choice[E: StrEnum](self, key: str, enum: type[E]) -> E:
        return self.enum_value(self.text(key), enum, key=key)

    def enum_value[E: StrEnum](self, value: str, enum: type[E], *, key: str) -> E:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.fail(f"{key!r} is {value!r}; allowed: {allowed}") from None

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._seen)
        if unknown:
            raise self.fail(f"unknown keys {unknown}")


def _minutes(table: _Table, key: str) -> int:
    value = table.text(key)
    match = _HH_MM.fullmatch(value)
    if match is None:
        raise table.fail(f"{key!r} must be HH:MM, not {value!r}")
    minutes = int(match[1]) * 60 + int(match[2])
    if int(match[2]) >= 60 or minutes > MINUTES_PER_DAY or minutes % SLOT_MINUTES:
        raise table.fail(f"{key!r} must be a half hour between 00:00 and 24:00, not {value!r}")
    return minutes


def _bands(
    table: _Table, *, season: Season, allowed: frozenset[TouPeriod]
) -> tuple[tuple[TimeBand, ...], tuple[TouPeriod, ...]]:
    bands: list[TimeBand] = []
    expected_start = 0
    for item in table.tables(season.value):
        start, end = _minutes(item, "start"), _minutes(item, "end")
        period = item.choice("period", TouPeriod)
        item.finish()
        if start != expected_start or end <= start:
            raise item.fail("bands must run from 00:00 to 24:00 in order, without gaps or overlaps")
        if period not in allowed:
            raise item.fail(f"period {period.value!r} has no price in {season.value}")
        bands.append(TimeBand(start_minute=start, end_minute=end, period=period))
        expected_start = end
    if expected_start != MINUTES_PER_DAY:
        raise table.fail(f"the {season.value} bands end before 24:00")
    slots = tuple(
        next(band.period for band in bands if band.start_minute <= minute < band.end_minute)
        for minute in range(0, MINUTES_PER_DAY, SLOT_MINUTES)
    )
    return tuple(bands), slots


def _prices(table: _Table, *, season: Season, allowed: frozenset[TouPeriod]) -> TouPrices:
    prices = table.table(season.value)
    off_peak = prices.decimal(TouPeriod.OFF_PEAK.value)
    peak = prices.optional_decimal(TouPeriod.PEAK.value)
    semi_peak = prices.optional_decimal(TouPeriod.SEMI_PEAK.value)
    prices.finish()
    given = {TouPeriod.OFF_PEAK, TouPeriod.PEAK, TouPeriod.SEMI_PEAK}
    if peak is None:
        given.discard(TouPeriod.PEAK)
    if semi_peak is None:
        given.discard(TouPeriod.SEMI_PEAK)
    if given != allowed:
        names = sorted(period.value for period in allowed)
        raise prices.fail(f"prices must be given for exactly {names}")
    return TouPrices(peak=peak, semi_peak=semi_peak, off_peak=off_peak)


def _offpeak_rules(table: _Table) -> OffPeakDayRules:
    rules = table.table("offpeak_days")
    status = rules.choice("status", OffPeakStatus)
    confidence = rules.choice("confidence", Confidence)
    source = rules.text("source")
    fixed: list[tuple[int, int]] = []
    for value in rules.strings("fixed"):
        match = _MM_DD.fullmatch(value)
        if match is None:
            raise rules.fail(f"fixed day {value!r} must be MM-DD")
        try:
            date(2000, int(match[1]), int(match[2]))  # 2000 is a leap year: 02-29 is allowed
        except ValueError:
            raise rules.fail(f"fixed day {value!r} is not a calendar day") from None
        fixed.append((int(match[1]), int(match[2])))
    movable = tuple(
        rules.enum_value(value, MovableHoliday, key="movable") for value in rules.strings("movable")
    )
    rules.finish()
    return OffPeakDayRules(
        status=status, confidence=confidence, source=source, fixed=tuple(fixed), movable=movable
    )


def _tiers(table: _Table) -> tuple[Tier, ...]:
    tiers: list[Tier] = []
    items = table.tables("tiers")
    previous = Decimal(0)
    for index, item in enumerate(items):
        bound = item.optional_decimal("up_to_kwh")
        last = index == len(items) - 1
        tier = Tier(
            up_to_kwh=bound,
            summer=item.decimal("summer"),
            non_summer=item.decimal("non_summer"),
        )
        item.finish()
        if (bound is None) != last:
            raise item.fail("every tier but the last needs up_to_kwh; the last must not have one")
        if bound is not None and (bound <= previous or bound != bound.to_integral_value()):
            raise item.fail("tier bounds must be increasing whole kWh")
        previous = bound if bound is not None else previous
        tiers.append(tier)
    return tuple(tiers)


def load_schedule(path: Path) -> Schedule:
    """Read and validate one rate data file (``effective_to`` is left open: see ``load_schedules``).

    Raises ``TariffDataError`` naming the file and the offending key.
    """
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise TariffDataError(
            code="tariff.data_invalid",
            zh_hant=f"無法讀取費率資料檔 {path.name}：{error}",
            en=f"Cannot read rate data file {path}: {error}",
            details={"file": str(path)},
        ) from None
    root = _Table(document, path=path, where="")
    code = root.text("code")
    try:
        plan = Plan(code)
    except ValueError:
        raise root.fail(f"unknown plan code {code!r}") from None
    effective_from = root.raw("effective_from")
    if type(effective_from) is not date:
        raise root.fail("effective_from must be a TOML date (YYYY-MM-DD, unquoted)")
    if path.parent.name != plan.value or path.stem != effective_from.isoformat():
        raise root.fail(
            f"the file must be named {plan.value}/{effective_from.isoformat()}.toml to match "
            "its code and effective_from"
        )
    kind = root.text("kind")
    header = ScheduleHeader(
        plan=plan,
        effective_from=effective_from,
        effective_to=None,
        confidence=root.choice("confidence", Confidence),
        source=root.text("source"),
        name_zh=root.text("name_zh"),
        name_en=root.text("name_en"),
        notes=root.optional_text("notes"),
    )
    fields = {f.name: getattr(header, f.name) for f in dataclasses.fields(ScheduleHeader) if f.init}
    schedule: Schedule
    if kind == "unknown":
        if header.confidence is not Confidence.UNKNOWN:
            raise root.fail('an unknown version must have confidence "?"')
        missing = Message(zh_hant=root.text("missing_zh"), en=root.text("missing_en"))
        schedule = UnknownSchedule(**fields, missing=missing)
    elif header.confidence is Confidence.UNKNOWN:
        raise root.fail('confidence "?" is only allowed for kind = "unknown"')
    elif kind == "tiered" and not plan.is_tou:
        schedule = TieredSchedule(**fields, tiers=_tiers(root))
    elif kind == "simple_tou" and plan.is_tou:
        schedule = _tou_schedule(root, fields=fields, stages=_STAGES_BY_PLAN[plan])
    else:
        raise root.fail(f"kind {kind!r} is not allowed for plan {plan.value!r}")
    root.finish()
    return schedule


def _tou_schedule(root: _Table, *, fields: dict[str, Any], stages: int) -> TouSchedule:
    periods = _PERIODS_BY_STAGES[stages]
    prices = root.table("prices")
    summer = _prices(prices, season=Season.SUMMER, allowed=periods[Season.SUMMER])
    non_summer = _prices(prices, season=Season.NON_SUMMER, allowed=periods[Season.NON_SUMMER])
    prices.finish()
    bands = root.table("bands")
    band_name = bands.text("name")
    band_confidence = bands.choice("confidence", Confidence)
    band_source = bands.text("source")
    summer_bands, summer_slots = _bands(bands, season=Season.SUMMER, allowed=periods[Season.SUMMER])
    non_summer_bands, non_summer_slots = _bands(
        bands, season=Season.NON_SUMMER, allowed=periods[Season.NON_SUMMER]
    )
    bands.finish()
    return TouSchedule(
        **fields,
        stages=stages,
        basic_charge_per_month=root.decimal("basic_charge_per_month"),
        adder_threshold_kwh=root.decimal("adder_threshold_kwh"),
        adder_per_kwh=root.decimal("adder_per_kwh"),
        summer=summer,
        non_summer=non_summer,
        bands=BandSet(
            name=band_name,
            confidence=band_confidence,
            source=band_source,
            summer=summer_bands,
            non_summer=non_summer_bands,
            slots_summer=summer_slots,
            slots_non_summer=non_summer_slots,
        ),
        offpeak_days=_offpeak_rules(root),
    )


def load_schedules(data_dir: Path | None = None) -> dict[Plan, tuple[Schedule, ...]]:
    """Load every rate data file: plan → its schedules, oldest first, with ``effective_to`` set.

    ``data_dir`` defaults to the package's ``data`` directory (that result is cached). Every
    plan must have at least one file.
    """
    if data_dir is None:
        return _default_schedules()
    return _load_dir(data_dir)


@functools.cache
def _default_schedules() -> dict[Plan, tuple[Schedule, ...]]:
    return _load_dir(DATA_DIR)


def _load_dir(data_dir: Path) -> dict[Plan, tuple[Schedule, ...]]:
    result: dict[Plan, tuple[Schedule, ...]] = {}
    for plan in Plan:
        files = sorted((data_dir / plan.value).glob("*.toml"))
        if not files:
            raise TariffDataError(
                code="tariff.data_invalid",
                zh_hant=f"費率資料目錄缺少 {plan.value} 的檔案。",
                en=f"No rate data files for plan {plan.value!r} in {data_dir}.",
                details={"file": str(data_dir / plan.value)},
            )
        loaded = [load_schedule(path) for path in files]
        chained: list[Schedule] = []
        for index, schedule in enumerate(loaded):
            following = loaded[index + 1] if index + 1 < len(loaded) else None
            effective_to = (
                None if following is None else following.effective_from - timedelta(days=1)
            )
            chained.append(dataclasses.replace(schedule, effective_to=effective_to))
        result[plan] = tuple(chained)
    return result


def parse_plan(value: Plan | str, *, field: str = "plan") -> Plan:
    """``value`` as a ``Plan``; raises ``TariffError`` (``tariff.unknown_plan``) otherwise."""
    try:
        return Plan(value)
    except ValueError:
        allowed = ", ".join(plan.value for plan in Plan)
        raise TariffError(
            code="tariff.unknown_plan",
            zh_hant=f"未知的電價方案「{value}」；可用：{allowed}。",
            en=f"Unknown tariff plan {value!r}; use one of: {allowed}.",
            field=field,
            details={"value": str(value), "allowed": [plan.value for plan in Plan]},
        ) from None


@functools.cache
def _starts(plan: Plan) -> tuple[date, ...]:
    return tuple(schedule.effective_from for schedule in _default_schedules()[plan])


def _index_for(plan: Plan, on: date) -> int:
    starts = _starts(plan)
    index = bisect_right(starts, on) - 1
    if index < 0:
        raise date_out_of_range(plan=plan, day=on, first=starts[0])
    return index


def schedule_for(code: Plan | str, *, on: date) -> Schedule:
    """The schedule of plan ``code`` in force on ``on`` (the newest file with effective_from <= on).

    The result may be an ``UnknownSchedule`` (the reference has no rates for that date); the
    bill functions refuse those. Raises ``TariffError`` for an unknown plan
    (``tariff.unknown_plan``) or a date before the plan's first file
    (``tariff.date_out_of_range``, naming the date and the plan).
    """
    plan = parse_plan(code)
    return _default_schedules()[plan][_index_for(plan, on)]


def schedules_between(
    code: Plan | str, *, start: date, end: date
) -> tuple[tuple[Schedule, date, date], ...]:
    """The schedules of plan ``code`` in force from ``start`` to ``end`` (inclusive).

    Returns ``(schedule, first_day, last_day)`` per schedule, clipped to the range, in order.
    """
    plan = parse_plan(code)
    index = _index_for(plan, start)
    schedules = _default_schedules()[plan]
    result: list[tuple[Schedule, date, date]] = []
    for schedule in schedules[index:]:
        if schedule.effective_from > end:
            break
        first_day = max(start, schedule.effective_from)
        last_day = end if schedule.effective_to is None else min(end, schedule.effective_to)
        result.append((schedule, first_day, last_day))
    return tuple(result)


def date_out_of_range(*, plan: Plan, day: date, first: date) -> TariffError:
    """The error for a date before the first known tariff of ``plan``."""
    return TariffError(
        code="tariff.date_out_of_range",
        zh_hant=(
            f"{day.isoformat()} 不在已知電價範圍內：{plan.value} 方案的費率資料自 "
            f"{first.isoformat()} 起才有。"
        ),
        en=(
            f"{day.isoformat()} is outside the known tariffs: rates of plan {plan.value!r} "
            f"are known from {first.isoformat()} only."
        ),
        field="start",
        details={"date": day.isoformat(), "plan": plan.value, "first_known": first.isoformat()},
    )
