"""Value objects of the tariff engine: plans, seasons, rate schedules, bills and errors.

Units used throughout the engine (and named in every field comment):

* energy in kWh (度), as ``Decimal`` (meters read whole kWh; decimals are accepted);
* money in NT$ (新臺幣元); unit prices in NT$/kWh with two decimals, **including** the 5 %
  business tax, as every 表燈 table states (tariffs.md §3.6);
* dates are calendar days in Asia/Taipei; a reading period runs from its first to its last day
  of use, both inclusive.

Sources are cited as in the project's tariff research notes (tariffs.md / tariffs_data.json):
[T1] is Taipower's 詳細電價表 in force from 2025-10-01, [T2] its 簡要電價表.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from powerdesk.core.domain.errors import DomainError, Message
from powerdesk.tariffs.engine.rounding import display_decimal, is_terminating

# --- Errors ---------------------------------------------------------------------------------


class TariffError(DomainError):
    """Bad input to the tariff engine, or a question the reference data cannot answer.

    ``code`` is stable (``"tariff.kwh_negative"``); ``field`` names the input concerned;
    ``message`` carries zh-Hant and English. Where the reference marks a fact as unknown ("?"),
    the engine raises this error naming what is missing instead of guessing.
    """


class TariffDataError(TariffError):
    """A rate data file that cannot be loaded (a bug in the data, never in the user's input)."""


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One problem in an interval CSV file: 1-based ``row`` (the header is row 1) and column."""

    row: int
    column: str  # canonical column name: "timestamp", "kwh", or "" for the whole row/file
    code: str
    message: Message


class IntervalCsvError(TariffError):
    """An interval CSV file with one or more row-level problems (all listed in ``problems``)."""

    def __init__(self, problems: tuple[CsvProblem, ...], *, more: int = 0) -> None:
        first = problems[0]
        suffix_zh = (
            f"（另有 {len(problems) - 1 + more} 個問題）" if len(problems) + more > 1 else ""
        )
        suffix_en = (
            f" (and {len(problems) - 1 + more} more problems)" if len(problems) + more > 1 else ""
        )
        super().__init__(
            code=first.code,
            zh_hant=first.message.zh_hant + suffix_zh,
            en=first.message.en + suffix_en,
            field="csv",
            details={
                "problems": [
                    {
                        "row": problem.row,
                        "column": problem.column,
                        "code": problem.code,
                        "zh_hant": problem.message.zh_hant,
                        "en": problem.message.en,
                    }
                    for problem in problems
                ],
                "more": more,
            },
        )
        self.problems = problems


# --- Enumerations ---------------------------------------------------------------------------


class Plan(StrEnum):
    """The tariff plans (stable codes, used as data directory names and by the API)."""

    RESIDENTIAL = "residential"  # 表燈非時間電價 住宅用
    NON_RESIDENTIAL = "non_residential"  # 表燈非時間電價 住宅以外非營業用
    COMMERCIAL = "commercial"  # 表燈非時間電價 營業用
    SIMPLE_TOU_2 = "simple_tou_2"  # 表燈簡易型時間電價 二段式
    SIMPLE_TOU_3 = "simple_tou_3"  # 表燈簡易型時間電價 三段式

    @property
    def is_tou(self) -> bool:
        """Whether the plan is a (simple) time-of-use plan."""
        return self in (Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)


PLAN_NAMES: dict[Plan, Message] = {
    Plan.RESIDENTIAL: Message(
        zh_hant="表燈非時間電價（住宅用）", en="Lighting tariff, non-time-of-use (residential)"
    ),
    Plan.NON_RESIDENTIAL: Message(
        zh_hant="表燈非時間電價（住宅以外非營業用）",
        en="Lighting tariff, non-time-of-use (non-residential, non-business)",
    ),
    Plan.COMMERCIAL: Message(
        zh_hant="表燈非時間電價（營業用）", en="Lighting tariff, non-time-of-use (business)"
    ),
    Plan.SIMPLE_TOU_2: Message(
        zh_hant="簡易型時間電價（二段式）", en="Simple time-of-use tariff (two periods)"
    ),
    Plan.SIMPLE_TOU_3: Message(
        zh_hant="簡易型時間電價（三段式）", en="Simple time-of-use tariff (three periods)"
    ),
}
"""Display names of the plans in both site languages."""

TIERED_PLANS = (Plan.RESIDENTIAL, Plan.NON_RESIDENTIAL, Plan.COMMERCIAL)
TOU_PLANS = (Plan.SIMPLE_TOU_2, Plan.SIMPLE_TOU_3)


class Season(StrEnum):
    """夏月 6/1–9/30 and 非夏月 (every other day) for all 表燈 tariffs (tariffs.md §0, A)."""

    SUMMER = "summer"
    NON_SUMMER = "non_summer"


SEASON_NAMES: dict[Season, Message] = {
    Season.SUMMER: Message(zh_hant="夏月", en="summer"),
    Season.NON_SUMMER: Message(zh_hant="非夏月", en="non-summer"),
}


class TouPeriod(StrEnum):
    """Time-of-use periods (尖峰 / 半尖峰 / 離峰)."""

    PEAK = "peak"
    SEMI_PEAK = "semi_peak"
    OFF_PEAK = "off_peak"


PERIOD_NAMES: dict[TouPeriod, Message] = {
    TouPeriod.PEAK: Message(zh_hant="尖峰", en="peak"),
    TouPeriod.SEMI_PEAK: Message(zh_hant="半尖峰", en="semi-peak"),
    TouPeriod.OFF_PEAK: Message(zh_hant="離峰", en="off-peak"),
}


class Billing(StrEnum):
    """Reading cycle: every month, or every two months (隔月抄表) with doubled tier bounds."""

    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"


class Phase(StrEnum):
    """Supply phase of the low-voltage meter (decides the 底度 and the power-factor clause)."""

    SINGLE = "single"
    THREE = "three"


class Confidence(StrEnum):
    """Confidence label of a reference fact (tariffs.md "Confidence labels")."""

    A = "A"  # read in an official Taipower tariff document
    B = "B"  # two independent secondary sources, or confirmed by announced policy
    C = "C"  # one secondary source, or computed: provisional
    UNKNOWN = "?"  # not found


class LineKind(StrEnum):
    """What a bill line charges for."""

    ENERGY = "energy"  # 流動電費 (tiered block or time-of-use period)
    BASIC = "basic"  # 基本電費 (simple TOU: per household per month)
    ADDER = "adder"  # simple TOU: monthly kWh above 2,000
    MINIMUM = "minimum"  # top-up to the 底度 / NT$100 minimum charge
    POWER_FACTOR = "power_factor"  # 功率因數調整
    TAX_EXEMPTION = "tax_exemption"  # 免徵營業稅: total ÷ 1.05


# --- Rate schedules (one per data file) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """One block of an inclining-block (累進) tariff: kWh in (previous bound, ``up_to_kwh``]."""

    up_to_kwh: Decimal | None  # [kWh/month] inclusive upper bound; None = unbounded
    summer: Decimal  # [NT$/kWh]
    non_summer: Decimal  # [NT$/kWh]

    def price(self, season: Season) -> Decimal:
        """Unit price [NT$/kWh] in ``season``."""
        return self.summer if season is Season.SUMMER else self.non_summer


@dataclass(frozen=True, slots=True)
class TouPrices:
    """Energy prices [NT$/kWh] of one season of a simple TOU plan; None = no such period."""

    peak: Decimal | None
    semi_peak: Decimal | None
    off_peak: Decimal

    def price(self, period: TouPeriod) -> Decimal | None:
        """Unit price [NT$/kWh] of ``period``, or None when the season has no such period."""
        if period is TouPeriod.PEAK:
            return self.peak
        if period is TouPeriod.SEMI_PEAK:
            return self.semi_peak
        return self.off_peak


@dataclass(frozen=True, slots=True)
class TimeBand:
    """A weekday time window [start, end) in minutes after local midnight, and its period."""

    start_minute: int
    end_minute: int
    period: TouPeriod


@dataclass(frozen=True, slots=True)
class BandSet:
    """Weekday time bands of a TOU version (Saturday, Sunday and 離峰日 are off-peak all day).

    ``slots_summer`` / ``slots_non_summer`` give the period of each half hour of the day
    (48 entries), which is how the engine looks periods up; every band boundary lies on a
    half hour (the old bands use 07:30 and 22:30, tariffs.md §2.1).
    """

    name: str  # "old" (原時間帶, until 2022-12-31) or "new" (新時間帶, from 2023-01-01)
    confidence: Confidence
    source: str
    summer: tuple[TimeBand, ...]
    non_summer: tuple[TimeBand, ...]
    slots_summer: tuple[TouPeriod, ...]
    slots_non_summer: tuple[TouPeriod, ...]

    def slots(self, season: Season) -> tuple[TouPeriod, ...]:
        """The 48 half-hour periods of a weekday in ``season``."""
        return self.slots_summer if season is Season.SUMMER else self.slots_non_summer


class OffPeakStatus(StrEnum):
    """Whether the 離峰日 list of a version is known."""

    LISTED = "listed"  # the tariff table lists the days (from 2025-10-01, [T1] p.9)
    UNKNOWN = "unknown"  # not found ("?"): the rules only name candidate dates


class MovableHoliday(StrEnum):
    """離峰日 whose Gregorian date changes every year."""

    SPRING_FESTIVAL = "spring_festival"  # 春節: lunar 除夕前1日 through lunar 1/5
    TOMB_SWEEPING = "tomb_sweeping"  # 民族掃墓節: the 清明 solar term (4/4 or 4/5)
    DRAGON_BOAT = "dragon_boat"  # 端午節: lunar 5/5
    MID_AUTUMN = "mid_autumn"  # 中秋節: lunar 8/15


@dataclass(frozen=True, slots=True)
class OffPeakDayRules:
    """The 離峰日 rules of a TOU version (tariffs.md §2.4)."""

    status: OffPeakStatus
    confidence: Confidence
    source: str
    fixed: tuple[tuple[int, int], ...]  # (month, day) every year
    movable: tuple[MovableHoliday, ...]


@dataclass(frozen=True, slots=True)
class ScheduleHeader:
    """What every rate data file states about itself."""

    plan: Plan
    effective_from: date
    effective_to: date | None  # last day in force (the day before the next file); None = open
    confidence: Confidence  # of the prices
    source: str  # decision number, document and page, or the secondary sources
    name_zh: str
    name_en: str
    notes: str
    version: str = field(init=False)  # "code@effective_from", e.g. "residential@2025-10-01"

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", f"{self.plan.value}@{self.effective_from.isoformat()}")


@dataclass(frozen=True, slots=True)
class TieredSchedule(ScheduleHeader):
    """表燈非時間電價: inclining blocks per month, priced by season."""

    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class TouSchedule(ScheduleHeader):
    """表燈簡易型時間電價: basic charge, period prices, >2,000 kWh adder, bands, 離峰日."""

    stages: int  # 2 or 3
    basic_charge_per_month: Decimal  # [NT$/month] per household
    adder_threshold_kwh: Decimal  # [kWh/month]
    adder_per_kwh: Decimal  # [NT$/kWh]
    summer: TouPrices
    non_summer: TouPrices
    bands: BandSet
    offpeak_days: OffPeakDayRules

    def prices(self, season: Season) -> TouPrices:
        """Energy prices of ``season``."""
        return self.summer if season is Season.SUMMER else self.non_summer


@dataclass(frozen=True, slots=True)
class UnknownSchedule(ScheduleHeader):
    """A version whose rates the reference does not have: the engine refuses to price it."""

    missing: Message  # what is missing, in both languages


Schedule = TieredSchedule | TouSchedule | UnknownSchedule


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TouKwh:
    """Energy of one reading by TOU period [kWh] (a 2-period plan has no semi-peak)."""

    peak: Decimal = Decimal(0)
    semi_peak: Decimal = Decimal(0)
    off_peak: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """All periods together [kWh]."""
        return self.peak + self.semi_peak + self.off_peak

    def get(self, period: TouPeriod) -> Decimal:
        """Energy of ``period`` [kWh]."""
        if period is TouPeriod.PEAK:
            return self.peak
        if period is TouPeriod.SEMI_PEAK:
            return self.semi_peak
        return self.off_peak


# --- Output ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillLine:
    """One itemised line of a bill.

    ``amount_exact`` [NT$] is the line's exact value before rounding; the lines of a bill sum
    exactly to ``Bill.unrounded_total``. ``amount`` shows it as a ``Decimal``: exact, unless the
    line involves a day-ratio share or the ÷ 1.05 of tax exemption (then ``approximate`` is true
    and it is shown to 6 decimals).
    """

    kind: LineKind
    label_zh: str
    label_en: str
    amount_exact: Fraction  # [NT$] before rounding
    kwh: Decimal | None = None  # [kWh] billed on this line (day-ratio share: 6 decimals)
    unit_price: Decimal | None = None  # [NT$/kWh]; [NT$/month] for the basic charge
    tariff_version: str | None = None  # code@effective_from of the rates used
    season: Season | None = None
    period: TouPeriod | None = None
    days: int | None = None  # days of the sub-period when the bill is prorated by day ratio

    @property
    def amount(self) -> Decimal:
        """The amount [NT$] before rounding, as a decimal (see the class docstring)."""
        return display_decimal(self.amount_exact, min_places=2)

    @property
    def approximate(self) -> bool:
        """Whether ``amount`` is a rounded display of a non-terminating exact value."""
        return not is_terminating(self.amount_exact)


@dataclass(frozen=True, slots=True)
class Bill:
    """A computed bill: itemised lines, the total in whole NT$, and the versions used.

    ``total`` = ``round_half_up(unrounded_total)``, the only rounding (rounding.py).
    ``provisional`` is true when any data of confidence C (or an assumption the reference
    marks unknown, such as the pre-2025-10 離峰日 list) went into the bill.
    """

    plan: Plan
    billing: Billing
    start: date | None  # first day of use (None for a season-only typical month)
    end: date | None  # last day of use, inclusive
    lines: tuple[BillLine, ...]
    unrounded_total: Fraction  # [NT$] exact
    total: int  # [NT$]
    tariff_versions: tuple[str, ...]
    provisional: bool
    notes: tuple[Message, ...] = field(default=())

    @property
    def days(self) -> int | None:
        """Days of use (both ends inclusive), when the bill has dates."""
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    @property
    def unrounded_total_decimal(self) -> Decimal:
        """``unrounded_total`` for display (exact when terminating, else 6 decimals)."""
        return display_decimal(self.unrounded_total, min_places=2)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (decimals as strings) for the API and the CLI."""
        return {
            "plan": self.plan.value,
            "billing": self.billing.value,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "total": self.total,
            "unrounded_total": str(self.unrounded_total_decimal),
            "tariff_versions": list(self.tariff_versions),
            "provisional": self.provisional,
            "lines": [
                {
                    "kind": line.kind.value,
                    "label_zh": line.label_zh,
                    "label_en": line.label_en,
                    "kwh": None if line.kwh is None else str(line.kwh),
                    "unit_price": None if line.unit_price is None else str(line.unit_price),
                    "amount": str(line.amount),
                    "approximate": line.approximate,
                    "tariff_version": line.tariff_version,
                    "season": None if line.season is None else line.season.value,
                    "period": None if line.period is None else line.period.value,
                    "days": line.days,
                }
                for line in self.lines
            ],
            "notes": [{"zh_hant": note.zh_hant, "en": note.en} for note in self.notes],
        }
