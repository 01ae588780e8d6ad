"""The pure tariff engine of powerdesk: Taipower 表燈 low-voltage lighting tariffs.

No Django: stdlib, ``holidays`` (Chinese lunisolar dates only) and ``tomllib``. Money is
``Decimal``/``Fraction``, rounded once to whole NT$ (rounding.py). Rates are versioned data in
``powerdesk/tariffs/data/<plan>/<effective-from>.toml``; facts the reference marks unknown are
refused with a ``TariffError`` naming what is missing, never guessed.

Units: kWh; NT$; NT$/kWh (5 % business tax included); dates in Asia/Taipei, reading periods
from the first to the last day of use, inclusive.

Input forms:

* (a) typical month per season with shares per period → ``compare_typical``;
* (b) one reading period → ``compute_bill`` (``bill_total`` for the total only;
  ``monthly_bill`` / ``monthly_total`` for a calendar month, the scalar reference for a
  vectorised engine; ``schedule_bill`` for one version and season, no dates);
* (c) interval data → ``parse_interval_csv``, then ``bill_from_intervals`` /
  ``compare_intervals`` / ``interval_periods``.
"""

from powerdesk.tariffs.engine import limits
from powerdesk.tariffs.engine.bill import (
    bill_total,
    compute_bill,
    monthly_bill,
    monthly_total,
    schedule_bill,
)
from powerdesk.tariffs.engine.compare import (
    LOCK_IN_WARNING,
    Comparison,
    MonthEstimate,
    PlanEstimate,
    TouShares,
    compare_typical,
)
from powerdesk.tariffs.engine.intervals import (
    IntervalSeries,
    bill_from_intervals,
    compare_intervals,
    interval_periods,
    parse_interval_csv,
)
from powerdesk.tariffs.engine.loader import (
    load_schedule,
    load_schedules,
    schedule_for,
    schedules_between,
)
from powerdesk.tariffs.engine.model import (
    PLAN_NAMES,
    Bill,
    Billing,
    BillLine,
    Confidence,
    CsvProblem,
    IntervalCsvError,
    LineKind,
    Phase,
    Plan,
    Schedule,
    Season,
    TariffDataError,
    TariffError,
    TieredSchedule,
    TouKwh,
    TouPeriod,
    TouSchedule,
    UnknownSchedule,
)
from powerdesk.tariffs.engine.periods import DayType, day_type, offpeak_days, season_of
from powerdesk.tariffs.engine.rounding import round_half_up

__all__ = [
    "LOCK_IN_WARNING",
    "PLAN_NAMES",
    "Bill",
    "BillLine",
    "Billing",
    "Comparison",
    "Confidence",
    "CsvProblem",
    "DayType",
    "IntervalCsvError",
    "IntervalSeries",
    "LineKind",
    "MonthEstimate",
    "Phase",
    "Plan",
    "PlanEstimate",
    "Schedule",
    "Season",
    "TariffDataError",
    "TariffError",
    "TieredSchedule",
    "TouKwh",
    "TouPeriod",
    "TouSchedule",
    "TouShares",
    "UnknownSchedule",
    "bill_from_intervals",
    "bill_total",
    "compare_intervals",
    "compare_typical",
    "compute_bill",
    "day_type",
    "interval_periods",
    "limits",
    "load_schedule",
    "load_schedules",
    "monthly_bill",
    "monthly_total",
    "offpeak_days",
    "parse_interval_csv",
    "round_half_up",
    "schedule_bill",
    "schedule_for",
    "schedules_between",
    "season_of",
]
