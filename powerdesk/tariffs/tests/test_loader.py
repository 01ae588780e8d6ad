"""Tests of the rate data files and their loader (pure: no database).

The expected rates below are typed from the tables of tariffs.md §1a, §1b and §2.2 by hand,
independently of the data files, so a transcription error in either shows up here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from powerdesk.tariffs.engine import loader
from powerdesk.tariffs.engine.model import (
    Confidence,
    MovableHoliday,
    OffPeakStatus,
    Plan,
    Season,
    TariffDataError,
    TariffError,
    TieredSchedule,
    TouPeriod,
    TouSchedule,
    UnknownSchedule,
)

DATA_DIR = loader.DATA_DIR

RESIDENTIAL_BOUNDS = (Decimal(120), Decimal(330), Decimal(500), Decimal(700), Decimal(1000), None)
# (summer, non-summer) per tier, tariffs.md §1a.
RESIDENTIAL = {
    "2018-04-01": (
        ("1.63", "1.63"),
        ("2.38", "2.10"),
        ("3.52", "2.89"),
        ("4.80", "3.94"),
        ("5.66", "4.60"),
        ("6.41", "5.03"),
    ),
    "2022-07-01": (
        ("1.63", "1.63"),
        ("2.38", "2.10"),
        ("3.52", "2.89"),
        ("4.80", "3.94"),
        ("5.66", "4.60"),
        ("6.99", "5.48"),
    ),
    "2023-01-01": (
        ("1.63", "1.63"),
        ("2.38", "2.10"),
        ("3.52", "2.89"),
        ("4.80", "3.94"),
        ("5.66", "4.60"),
        ("6.99", "5.48"),
    ),
    "2023-04-01": (
        ("1.63", "1.63"),
        ("2.38", "2.10"),
        ("3.52", "2.89"),
        ("4.80", "3.94"),
        ("5.83", "4.74"),
        ("7.69", "6.03"),
    ),
    "2024-04-01": (
        ("1.68", "1.68"),
        ("2.45", "2.16"),
        ("3.70", "3.03"),
        ("5.04", "4.14"),
        ("6.24", "5.07"),
        ("8.46", "6.63"),
    ),
    "2025-10-01": (
        ("1.78", "1.78"),
        ("2.55", "2.26"),
        ("3.80", "3.13"),
        ("5.14", "4.24"),
        ("6.44", "5.27"),
        ("8.86", "7.03"),
    ),
}
COMMERCIAL_OLD = (("2.53", "2.12"), ("3.55", "2.91"), ("4.25", "3.44"), ("6.43", "5.05"))
# tariffs.md §1b.
COMMERCIAL = {
    "2018-04-01": ((Decimal(330), Decimal(700), Decimal(1500), None), COMMERCIAL_OLD),
    "2022-07-01": ((Decimal(330), Decimal(700), Decimal(1500), None), COMMERCIAL_OLD),
    "2023-01-01": ((Decimal(330), Decimal(700), Decimal(1500), None), COMMERCIAL_OLD),
    "2023-04-01": (
        (Decimal(330), Decimal(700), Decimal(1500), Decimal(3000), None),
        (("2.53", "2.12"), ("3.55", "2.91"), ("4.25", "3.44"), ("6.62", "5.20"), ("6.75", "5.30")),
    ),
    "2024-04-01": (
        (Decimal(330), Decimal(700), Decimal(1500), Decimal(3000), None),
        (("2.61", "2.18"), ("3.66", "3.00"), ("4.46", "3.61"), ("7.08", "5.56"), ("7.43", "5.83")),
    ),
    "2025-10-01": (
        (Decimal(330), Decimal(700), Decimal(1500), Decimal(3000), None),
        (("2.71", "2.28"), ("3.76", "3.10"), ("4.46", "3.61"), ("7.08", "5.56"), ("7.43", "5.83")),
    ),
}
CONFIDENCE = {
    Plan.RESIDENTIAL: "B A A B B A",
    Plan.NON_RESIDENTIAL: "B A A C B A",  # 2023-04-01: "assumed same as residential (C)"
    Plan.COMMERCIAL: "B A A C B A",  # 2023-04-01: computed from +3 %/+5 % (C)
    Plan.SIMPLE_TOU_2: "C ? A ? C A",
    Plan.SIMPLE_TOU_3: "? ? A ? C A",
}
DATES = ("2018-04-01", "2022-07-01", "2023-01-01", "2023-04-01", "2024-04-01", "2025-10-01")
# tariffs.md §2.2: summer (peak, semi, off), non-summer (peak, semi, off), adder, bands.
TOU = {
    ("simple_tou_2", "2018-04-01"): (("4.44", None, "1.80"), ("4.23", None, "1.73"), "0.96", "old"),
    ("simple_tou_2", "2023-01-01"): (("4.57", None, "1.80"), ("4.35", None, "1.73"), "0.96", "new"),
    ("simple_tou_2", "2024-04-01"): (("5.01", None, "1.96"), ("4.78", None, "1.89"), "1.02", "new"),
    ("simple_tou_2", "2025-10-01"): (("5.16", None, "2.06"), ("4.93", None, "1.99"), "1.04", "new"),
    ("simple_tou_3", "2023-01-01"): (
        ("6.30", "4.13", "1.80"),
        (None, "3.94", "1.73"),
        "0.96",
        "new",
    ),
    ("simple_tou_3", "2024-04-01"): (
        ("6.92", "4.54", "1.96"),
        (None, "4.33", "1.89"),
        "1.02",
        "new",
    ),
    ("simple_tou_3", "2025-10-01"): (
        ("7.13", "4.69", "2.06"),
        (None, "4.48", "1.99"),
        "1.04",
        "new",
    ),
}


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def test_load_schedules_has_every_plan_and_date_of_the_reference() -> None:
    schedules = loader.load_schedules()

    for plan in Plan:
        assert [s.effective_from.isoformat() for s in schedules[plan]] == list(DATES)
        assert " ".join(s.confidence.value for s in schedules[plan]) == CONFIDENCE[plan]


def test_load_schedules_chains_effective_to_to_the_next_file() -> None:
    residential = loader.load_schedules()[Plan.RESIDENTIAL]

    assert [s.effective_to for s in residential] == [
        date(2022, 6, 30),
        date(2022, 12, 31),
        date(2023, 3, 31),
        date(2024, 3, 31),
        date(2025, 9, 30),
        None,
    ]


@pytest.mark.parametrize("effective_from", DATES)
def test_residential_and_non_residential_rates_match_the_reference(effective_from: str) -> None:
    for plan in (Plan.RESIDENTIAL, Plan.NON_RESIDENTIAL):
        schedule = loader.schedule_for(plan, on=date.fromisoformat(effective_from))
        assert isinstance(schedule, TieredSchedule)
        assert schedule.effective_from.isoformat() == effective_from
        assert tuple(t.up_to_kwh for t in schedule.tiers) == RESIDENTIAL_BOUNDS
        assert (
            tuple((str(t.summer), str(t.non_summer)) for t in schedule.tiers)
            == RESIDENTIAL[effective_from]
        )


@pytest.mark.parametrize("effective_from", DATES)
def test_commercial_rates_match_the_reference(effective_from: str) -> None:
    schedule = loader.schedule_for(Plan.COMMERCIAL, on=date.fromisoformat(effective_from))
    bounds, prices = COMMERCIAL[effective_from]

    assert isinstance(schedule, TieredSchedule)
    assert tuple(t.up_to_kwh for t in schedule.tiers) == bounds
    assert tuple((str(t.summer), str(t.non_summer)) for t in schedule.tiers) == prices


@pytest.mark.parametrize(("plan", "effective_from"), sorted(TOU))
def test_simple_tou_rates_match_the_reference(plan: str, effective_from: str) -> None:
    summer, non_summer, adder, bands = TOU[(plan, effective_from)]

    schedule = loader.schedule_for(plan, on=date.fromisoformat(effective_from))

    assert isinstance(schedule, TouSchedule)
    assert schedule.effective_from.isoformat() == effective_from
    for season, expected in ((Season.SUMMER, summer), (Season.NON_SUMMER, non_summer)):
        prices = schedule.prices(season)
        assert (prices.peak, prices.semi_peak, prices.off_peak) == tuple(_dec(v) for v in expected)
    assert schedule.adder_per_kwh == Decimal(adder)
    assert schedule.adder_threshold_kwh == Decimal(2000)
    assert schedule.basic_charge_per_month == Decimal("75.00")
    assert schedule.bands.name == bands


@pytest.mark.parametrize(
    ("plan", "effective_from"),
    [
        ("simple_tou_2", "2022-07-01"),
        ("simple_tou_2", "2023-04-01"),
        ("simple_tou_3", "2018-04-01"),
        ("simple_tou_3", "2022-07-01"),
        ("simple_tou_3", "2023-04-01"),
    ],
)
def test_versions_without_rates_in_the_reference_are_unknown(
    plan: str, effective_from: str
) -> None:
    schedule = loader.schedule_for(plan, on=date.fromisoformat(effective_from))

    assert isinstance(schedule, UnknownSchedule)
    assert schedule.confidence is Confidence.UNKNOWN
    assert "?" in schedule.missing.en
    assert "?" in schedule.missing.zh_hant


def test_every_file_cites_a_source() -> None:
    for schedules in loader.load_schedules().values():
        for schedule in schedules:
            assert len(schedule.source) > 40, schedule.version
            assert schedule.name_zh.startswith("表燈")


def test_new_bands_are_the_2023_windows() -> None:
    # tariffs.md §2.1 (A): 二段式 summer peak 09–24; non-summer peak 06–11, 14–24.
    # 三段式 summer peak 16–22, semi 09–16 and 22–24; non-summer semi 06–11, 14–24.
    two = loader.schedule_for("simple_tou_2", on=date(2026, 1, 1))
    three = loader.schedule_for("simple_tou_3", on=date(2026, 1, 1))
    assert isinstance(two, TouSchedule)
    assert isinstance(three, TouSchedule)

    def windows(schedule: TouSchedule, season: Season) -> list[tuple[int, int, str]]:
        bands = schedule.bands.summer if season is Season.SUMMER else schedule.bands.non_summer
        return [(b.start_minute // 60, b.end_minute // 60, b.period.value) for b in bands]

    assert windows(two, Season.SUMMER) == [(0, 9, "off_peak"), (9, 24, "peak")]
    assert windows(two, Season.NON_SUMMER) == [
        (0, 6, "off_peak"),
        (6, 11, "peak"),
        (11, 14, "off_peak"),
        (14, 24, "peak"),
    ]
    assert windows(three, Season.SUMMER) == [
        (0, 9, "off_peak"),
        (9, 16, "semi_peak"),
        (16, 22, "peak"),
        (22, 24, "semi_peak"),
    ]
    assert windows(three, Season.NON_SUMMER) == [
        (0, 6, "off_peak"),
        (6, 11, "semi_peak"),
        (11, 14, "off_peak"),
        (14, 24, "semi_peak"),
    ]


def test_old_two_period_bands_have_half_hour_boundaries() -> None:
    # tariffs.md §2.1 (B): peak 07:30–22:30 on weekdays in both seasons.
    old = loader.schedule_for("simple_tou_2", on=date(2020, 1, 1))
    assert isinstance(old, TouSchedule)

    for season in Season:
        slots = old.bands.slots(season)
        assert slots[14] is TouPeriod.OFF_PEAK  # 07:00–07:30
        assert slots[15] is TouPeriod.PEAK  # 07:30–08:00
        assert slots[44] is TouPeriod.PEAK  # 22:00–22:30
        assert slots[45] is TouPeriod.OFF_PEAK  # 22:30–23:00


def test_offpeak_rules_listed_from_2025_10_and_unknown_before() -> None:
    for plan in ("simple_tou_2", "simple_tou_3"):
        newest = loader.schedule_for(plan, on=date(2026, 1, 1))
        older = loader.schedule_for(plan, on=date(2024, 6, 1))
        assert isinstance(newest, TouSchedule)
        assert isinstance(older, TouSchedule)
        assert newest.offpeak_days.status is OffPeakStatus.LISTED
        assert newest.offpeak_days.confidence is Confidence.B
        assert older.offpeak_days.status is OffPeakStatus.UNKNOWN
        assert newest.offpeak_days.fixed == (
            (1, 1), (2, 28), (4, 4), (5, 1), (9, 28), (10, 10), (10, 25), (12, 25),
        )  # fmt: skip
        assert set(newest.offpeak_days.movable) == set(MovableHoliday)
        # both plans carry the same list
        assert older.offpeak_days.fixed == newest.offpeak_days.fixed


@pytest.mark.parametrize(
    ("_case", "on", "expected"),
    [
        ("first day of the first file", date(2018, 4, 1), "residential@2018-04-01"),
        ("day before a change", date(2025, 9, 30), "residential@2024-04-01"),
        ("day of a change", date(2025, 10, 1), "residential@2025-10-01"),
        ("open-ended newest file", date(2030, 1, 1), "residential@2025-10-01"),
    ],
)
def test_schedule_for_picks_the_newest_file_in_force(_case: str, on: date, expected: str) -> None:
    assert loader.schedule_for(Plan.RESIDENTIAL, on=on).version == expected


def test_schedule_for_refuses_a_date_before_the_first_file() -> None:
    with pytest.raises(TariffError) as raised:
        loader.schedule_for("commercial", on=date(2018, 3, 31))

    assert raised.value.code == "tariff.date_out_of_range"
    assert raised.value.details == {
        "date": "2018-03-31",
        "plan": "commercial",
        "first_known": "2018-04-01",
    }
    assert "2018-03-31" in raised.value.message.zh_hant
    assert "commercial" in raised.value.message.en


def test_schedule_for_refuses_an_unknown_plan() -> None:
    with pytest.raises(TariffError) as raised:
        loader.schedule_for("industrial", on=date(2026, 1, 1))

    assert raised.value.code == "tariff.unknown_plan"
    assert raised.value.field == "plan"
    assert "industrial" in raised.value.message.en


def test_schedules_between_clips_each_version_to_the_range() -> None:
    result = loader.schedules_between(
        "residential", start=date(2025, 9, 16), end=date(2025, 10, 15)
    )

    assert [(s.version, first, last) for s, first, last in result] == [
        ("residential@2024-04-01", date(2025, 9, 16), date(2025, 9, 30)),
        ("residential@2025-10-01", date(2025, 10, 1), date(2025, 10, 15)),
    ]


# --- Validation of data files -----------------------------------------------------------------

TIERED = """code = "residential"
effective_from = 2026-01-01
kind = "tiered"
name_zh = "表燈"
name_en = "Lighting"
confidence = "A"
source = "test"

[[tiers]]
up_to_kwh = "120"
summer = "1.00"
non_summer = "1.00"

[[tiers]]
summer = "2.00"
non_summer = "2.00"
"""

TOU_TEXT = """code = "simple_tou_2"
effective_from = 2026-01-01
kind = "simple_tou"
name_zh = "表燈"
name_en = "Lighting"
confidence = "A"
source = "test"
basic_charge_per_month = "75.00"
adder_threshold_kwh = "2000"
adder_per_kwh = "1.00"

[prices.summer]
peak = "5.00"
off_peak = "2.00"

[prices.non_summer]
peak = "4.00"
off_peak = "1.00"

[bands]
name = "new"
confidence = "A"
source = "test"

[[bands.summer]]
start = "00:00"
end = "09:00"
period = "off_peak"

[[bands.summer]]
start = "09:00"
end = "24:00"
period = "peak"

[[bands.non_summer]]
start = "00:00"
end = "24:00"
period = "off_peak"

[offpeak_days]
status = "listed"
confidence = "B"
source = "test"
fixed = ["01-01"]
movable = ["spring_festival"]
"""

UNKNOWN = """code = "simple_tou_3"
effective_from = 2026-01-01
kind = "unknown"
name_zh = "表燈"
name_en = "Lighting"
confidence = "?"
source = "test"
missing_zh = "缺"
missing_en = "missing"
"""


def _write(tmp_path: Path, text: str, *, plan: str, name: str = "2026-01-01") -> Path:
    path = tmp_path / plan / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("plan", "text"),
    [("residential", TIERED), ("simple_tou_2", TOU_TEXT), ("simple_tou_3", UNKNOWN)],
)
def test_load_schedule_accepts_the_minimal_valid_files(
    tmp_path: Path, plan: str, text: str
) -> None:
    schedule = loader.load_schedule(_write(tmp_path, text, plan=plan))

    assert schedule.version == f"{plan}@2026-01-01"
    assert schedule.effective_to is None


@pytest.mark.parametrize(
    ("_case", "plan", "base", "old", "new", "fragment"),
    [
        ("not TOML", "residential", TIERED, 'code = "residential"', "code = ", "Cannot read"),
        ("missing key", "residential", TIERED, 'source = "test"\n', "", "missing key 'source'"),
        (
            "empty string",
            "residential",
            TIERED,
            'source = "test"',
            'source = " "',
            "non-empty string",
        ),
        (
            "notes not a string",
            "residential",
            TIERED,
            'source = "test"',
            'source = "test"\nnotes = 3',
            "'notes' must be a string",
        ),
        (
            "unknown plan",
            "residential",
            TIERED,
            'code = "residential"',
            'code = "industrial"',
            "unknown plan code",
        ),
        (
            "quoted date",
            "residential",
            TIERED,
            "effective_from = 2026-01-01",
            'effective_from = "2026-01-01"',
            "TOML date",
        ),
        (
            "file name",
            "residential",
            TIERED,
            "effective_from = 2026-01-01",
            "effective_from = 2026-02-01",
            "must be named",
        ),
        (
            "bad confidence",
            "residential",
            TIERED,
            'confidence = "A"',
            'confidence = "D"',
            "allowed: A, B, C, ?",
        ),
        (
            "? for a tiered file",
            "residential",
            TIERED,
            'confidence = "A"',
            'confidence = "?"',
            'only allowed for kind = "unknown"',
        ),
        (
            "unknown needs ?",
            "simple_tou_3",
            UNKNOWN,
            'confidence = "?"',
            'confidence = "C"',
            'must have confidence "?"',
        ),
        (
            "kind for plan",
            "residential",
            TIERED,
            'kind = "tiered"',
            'kind = "simple_tou"',
            "not allowed for plan",
        ),
        (
            "float price",
            "residential",
            TIERED,
            'summer = "2.00"',
            "summer = 2.00",
            "written as a string",
        ),
        (
            "not a decimal",
            "residential",
            TIERED,
            'summer = "2.00"',
            'summer = "two"',
            "is not a decimal",
        ),
        ("negative", "residential", TIERED, 'summer = "2.00"', 'summer = "-2.00"', "non-negative"),
        (
            "infinite",
            "residential",
            TIERED,
            'summer = "2.00"',
            'summer = "Infinity"',
            "non-negative",
        ),
        (
            "unknown key",
            "residential",
            TIERED,
            'source = "test"',
            'source = "test"\nsorce = "x"',
            "unknown keys ['sorce']",
        ),
        (
            "tiers not tables",
            "residential",
            TIERED.split("\n[[tiers]]")[0] + '\ntiers = "x"\n',
            'tiers = "x"',
            'tiers = "x"',
            "non-empty array of tables",
        ),
        (
            "last tier bounded",
            "residential",
            TIERED,
            'summer = "2.00"',
            'up_to_kwh = "500"\nsummer = "2.00"',
            "the last must not have one",
        ),
        (
            "middle tier unbounded",
            "residential",
            TIERED,
            'up_to_kwh = "120"\n',
            "",
            "every tier but the last",
        ),
        (
            "decreasing bounds",
            "residential",
            TIERED.replace(
                '[[tiers]]\nsummer = "2.00"', '[[tiers]]\nup_to_kwh = "100"\nsummer = "2.00"'
            )
            + '\n[[tiers]]\nsummer = "3.00"\nnon_summer = "3.00"\n',
            'up_to_kwh = "100"',
            'up_to_kwh = "100"',
            "increasing whole kWh",
        ),
        (
            "fractional bound",
            "residential",
            TIERED,
            'up_to_kwh = "120"',
            'up_to_kwh = "120.5"',
            "increasing whole kWh",
        ),
        (
            "prices not a table",
            "simple_tou_2",
            TOU_TEXT,
            "[prices.summer]",
            "[prices]\nsummer = 1\n[prices.x]",
            "'summer' must be a table",
        ),
        (
            "missing peak price",
            "simple_tou_2",
            TOU_TEXT,
            'peak = "5.00"\n',
            "",
            "prices must be given for exactly",
        ),
        (
            "extra semi-peak price",
            "simple_tou_2",
            TOU_TEXT,
            'peak = "5.00"',
            'peak = "5.00"\nsemi_peak = "3.00"',
            "prices must be given for exactly",
        ),
        ("bad HH:MM", "simple_tou_2", TOU_TEXT, 'end = "09:00"', 'end = "9h"', "must be HH:MM"),
        (
            "not a half hour",
            "simple_tou_2",
            TOU_TEXT,
            'end = "09:00"',
            'end = "09:15"',
            "must be a half hour",
        ),
        (
            "minutes over 59",
            "simple_tou_2",
            TOU_TEXT,
            'end = "09:00"',
            'end = "08:90"',
            "must be a half hour",
        ),
        (
            "past midnight",
            "simple_tou_2",
            TOU_TEXT,
            'start = "09:00"\nend = "24:00"',
            'start = "09:00"\nend = "24:30"',
            "must be a half hour",
        ),
        (
            "gap in bands",
            "simple_tou_2",
            TOU_TEXT,
            'start = "09:00"',
            'start = "10:00"',
            "without gaps or overlaps",
        ),
        (
            "empty band",
            "simple_tou_2",
            TOU_TEXT,
            'start = "00:00"\nend = "09:00"',
            'start = "00:00"\nend = "00:00"',
            "without gaps or overlaps",
        ),
        (
            "period without price",
            "simple_tou_2",
            TOU_TEXT,
            'end = "24:00"\nperiod = "peak"',
            'end = "24:00"\nperiod = "semi_peak"',
            "has no price",
        ),
        (
            "bands end early",
            "simple_tou_2",
            TOU_TEXT,
            'start = "09:00"\nend = "24:00"',
            'start = "09:00"\nend = "23:00"',
            "end before 24:00",
        ),
        (
            "bands not an array",
            "simple_tou_2",
            TOU_TEXT.replace(
                '[[bands.non_summer]]\nstart = "00:00"\nend = "24:00"\nperiod = "off_peak"', ""
            ).replace('name = "new"', 'name = "new"\nnon_summer = []'),
            "non_summer = []",
            "non_summer = []",
            "non-empty array of tables",
        ),
        ("bad MM-DD", "simple_tou_2", TOU_TEXT, '"01-01"', '"1/1"', "must be MM-DD"),
        ("impossible day", "simple_tou_2", TOU_TEXT, '"01-01"', '"02-30"', "not a calendar day"),
        (
            "unknown movable day",
            "simple_tou_2",
            TOU_TEXT,
            '"spring_festival"',
            '"christmas"',
            "'movable' is 'christmas'",
        ),
        (
            "fixed not strings",
            "simple_tou_2",
            TOU_TEXT,
            'fixed = ["01-01"]',
            "fixed = [1]",
            "array of strings",
        ),
    ],
)
def test_load_schedule_rejects_invalid_files(
    tmp_path: Path, _case: str, plan: str, base: str, old: str, new: str, fragment: str
) -> None:
    # given a valid file with one defect
    assert old in base
    path = _write(tmp_path, base.replace(old, new, 1), plan=plan)

    # when / then
    with pytest.raises(TariffDataError) as raised:
        loader.load_schedule(path)
    assert raised.value.code == "tariff.data_invalid"
    assert fragment in raised.value.message.en
    assert raised.value.details["file"] == str(path)
    assert path.name in raised.value.message.zh_hant


def test_load_schedules_of_a_directory_needs_every_plan(tmp_path: Path) -> None:
    _write(tmp_path, TIERED, plan="residential")

    with pytest.raises(TariffDataError) as raised:
        loader.load_schedules(tmp_path)

    assert "non_residential" in raised.value.message.en


def test_load_schedules_of_a_directory_chains_its_files(tmp_path: Path) -> None:
    # given: two residential files and one file for every other plan
    _write(tmp_path, TIERED, plan="residential", name="2026-01-01")
    _write(
        tmp_path,
        TIERED.replace("2026-01-01", "2026-07-01"),
        plan="residential",
        name="2026-07-01",
    )
    _write(tmp_path, TIERED.replace('"residential"', '"non_residential"'), plan="non_residential")
    _write(tmp_path, TIERED.replace('"residential"', '"commercial"'), plan="commercial")
    _write(tmp_path, TOU_TEXT, plan="simple_tou_2")
    _write(tmp_path, UNKNOWN, plan="simple_tou_3")

    # when
    schedules = loader.load_schedules(tmp_path)

    # then
    assert [s.effective_to for s in schedules[Plan.RESIDENTIAL]] == [date(2026, 6, 30), None]
    assert isinstance(schedules[Plan.SIMPLE_TOU_3][0], UnknownSchedule)
