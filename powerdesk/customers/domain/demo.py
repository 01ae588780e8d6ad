"""Deterministic synthetic demo data for a Taipower district office in Taoyuan (桃園市).

Nothing produced here describes a real customer. The module yields plain frozen records; the
caller turns them into database rows with bulk inserts. Everything depends only on the
arguments: the same ``seed`` and ``until`` give the same records, byte for byte, on the same
Python version (``random.Random`` with an integer seed; no global random state is touched).

What is real and what is invented (details in ``data/taoyuan.json``, key ``_about``):

* Real: the 13 districts of 桃園市 with their postal codes (中華郵政), road names and their
  段 numbers (each checked against public addresses in that district), some 里 names, surname
  shares (內政部 surname statistics, Hakka surnames raised for Taoyuan), rough district boxes.
* Rules the records follow:
  - ID numbers pass the checksums of ``powerdesk.core.domain.identifiers`` (national ID and the
    2021 new-format resident ID: 內政部 / 內政部移民署 coding rules; UBN: 財政部 2023 rule).
  - Telephone numbers follow the NCC numbering plan (mobile 09 + 8 digits; Taoyuan landlines
    (03) + 7 digits) and are written in the display form that ``validate_phone`` returns.
  - E-mail addresses use only the reserved example domains of RFC 2606 §3.
  - Bimonthly reading (隔月抄表, for residences and small shops since 1985-07) with about half
    the customers read in odd and half in even months (台電「電價表」第三章 五(一)2); 簡易型
    時間電價 (simple TOU) is billed monthly (same table, 五(二)). The project's research note
    on these rules is shared/reference/tariffs.md §2.3 and §3.
  - Summer months (夏月) are June to September (台電「電價表」).
  - Load-shedding (限電) groups printed on bills are the letters A–F; H, I and J label
    defence / transport, extra-high-voltage and plant feeders, which low-voltage accounts do
    not sit on, so only A–F are generated (台電 限電資訊揭露 and press reports of 2021-05-13,
    summarised in the research note shared/reference/peers.md §1.4).
* Invented: every name, ID number, phone number, e-mail address, house number, account number
  (電號), feeder code, consumption figure and service-centre detail. The 電號 layout
  ``XX-XX-XXXX-XX-X`` is real; its digits here are ``05`` (a made-up office prefix), the
  district's postal code without its leading 3, and seven digits from a bijection of a
  per-district sequence, so numbers are unique and look scattered. Taipower publishes no
  check digit for the 電號, so none is computed.

Consumption model [kWh per calendar month]: a log-normal base per account (households: median
290 kWh, σ = 0.5, so about 330 kWh/month on average and 380 kWh/month with summer included),
multiplied by a per-account summer factor in June–September (households 1.3–1.6) and by a
month-to-month log-normal noise (σ = 0.10); 3 % of accounts have a vacant spell of 2–10 months
with zero use. A bimonthly reading is the sum of its two months. Simple-TOU readings are split
into peak / semi-peak / off-peak shares that follow the 2023 time bands (三段式 has no peak
outside summer).
"""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from statistics import NormalDist
from typing import Final, Literal, TypeVar

from powerdesk.core.domain import identifiers

__all__ = [
    "DATA_PATH",
    "DEPARTMENTS",
    "MAX_ACCOUNTS_PER_CUSTOMER",
    "TARIFF_SHARE_TARGETS",
    "DemoAccount",
    "DemoBatch",
    "DemoCustomer",
    "DemoPremise",
    "DemoReading",
    "DemoServiceCentre",
    "DemoStaff",
    "demo_staff",
    "generate",
    "opening_hours_json",
    "reading_window",
    "service_centres",
]

DATA_PATH: Final = Path(__file__).resolve().parent / "data" / "taoyuan.json"

CustomerKind = Literal["person", "organisation"]
IdKind = Literal["national_id", "resident_id", "ubn"]
Language = Literal["zh-hant", "en"]
TariffClass = Literal[
    "residential", "non_residential", "commercial", "simple_tou_2", "simple_tou_3"
]
Phase = Literal["single", "three"]
BillingCycle = Literal["monthly", "bimonthly_odd", "bimonthly_even"]

# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoServiceCentre:
    """A counter office (服務中心/服務所) and the districts it serves.

    ``lunch_payment``: whether the counter takes payments 12:00–13:00 (the office's plan keeps
    it open except at 新坡 and 新屋). ``opening_hours``: ``(weekday, opens, closes)`` triples,
    weekdays ``"mon"`` … ``"sun"``, local time; a missing weekday means closed.
    """

    code: str
    name_zh: str
    name_en: str
    address: str
    phone: str
    districts: tuple[str, ...]
    lunch_payment: bool
    opening_hours: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """A customer (用戶): a person or an organisation, with contact channels and consents."""

    key: int
    kind: CustomerKind
    name: str
    id_kind: IdKind
    id_number: str
    mobile: str | None
    landline: str | None
    email: str | None
    preferred_language: Language
    consent_sms: bool
    consent_email: bool
    consent_letter: bool
    consent_phone: bool
    consent_push: bool


@dataclass(frozen=True, slots=True)
class DemoPremise:
    """A supplied address (用電場所) with its parts and WGS 84 coordinates [degrees].

    ``address`` is the canonical form 桃園市 + district + road + 段 + 巷 + 弄 + 號 + 樓, with
    the 段 in Chinese numerals and the other numbers in ASCII digits (``…中華路一段12巷3弄
    5之1號4樓``). ``lane``/``alley`` hold the digits only; ``number`` may carry 之 (``"5之1"``).
    """

    key: int
    address: str
    city: str
    district: str
    village: str | None
    road: str
    section: int | None
    lane: str | None
    alley: str | None
    number: str
    floor: int | None
    latitude: Decimal
    longitude: Decimal
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """A supply contract (電號) at a premise.

    ``meter_amperes`` is the meter rating [A]; ``opened_on`` the first day of supply.
    """

    number: str
    customer_key: int
    premise_key: int
    tariff_class: TariffClass
    phase: Phase
    meter_amperes: int
    billing_cycle: BillingCycle
    load_shedding_group: str
    feeder_code: str
    service_centre_code: str
    life_support: bool
    opened_on: date


@dataclass(frozen=True, slots=True)
class DemoReading:
    """One reading period, first and last day of use inclusive; energies in kWh.

    The three period energies are set for simple-TOU accounts only (``kwh_semi_peak`` only on
    the three-period tariff) and add up to ``kwh_total``.
    """

    account_number: str
    period_start: date
    period_end: date
    kwh_total: int
    kwh_peak: int | None
    kwh_semi_peak: int | None
    kwh_off_peak: int | None


@dataclass(frozen=True, slots=True)
class DemoBatch:
    """Records to insert together: every account's customer and premise is in the same batch."""

    customers: tuple[DemoCustomer, ...]
    premises: tuple[DemoPremise, ...]
    accounts: tuple[DemoAccount, ...]
    readings: tuple[DemoReading, ...]


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """A demo staff login; ``department_code`` is one of :data:`DEPARTMENTS`."""

    username: str
    display_name: str
    department_code: str
    service_centre_code: str | None
    is_supervisor: bool


# --------------------------------------------------------------------------------------------
# Parameters of the synthetic population (approximations, documented where they come from)
# --------------------------------------------------------------------------------------------

#: Approximate share of each tariff class among generated accounts (a consequence of the
#: per-customer-kind tables below; tests check the generated shares against these).
TARIFF_SHARE_TARGETS: Final[dict[str, float]] = {
    "residential": 0.777,
    "non_residential": 0.045,
    "commercial": 0.140,
    "simple_tou_2": 0.030,
    "simple_tou_3": 0.009,
}

_PERSON_SHARE: Final = 0.92  # share of customers that are persons
_RESIDENT_SHARE: Final = 0.025  # foreign residents among persons (居留證 holders)
MAX_ACCOUNTS_PER_CUSTOMER: Final = 8
_PERSON_ACCOUNT_COUNTS: Final = ((1, 0.87), (2, 0.10), (3, 0.03))  # mean 1.16
_ORG_ACCOUNT_COUNTS: Final = ((1, 0.62), (2, 0.18), (3, 0.08), (4, 0.05), (5, 0.04), (8, 0.03))
_PERSON_TARIFFS: Final[tuple[tuple[TariffClass, float], ...]] = (
    ("residential", 0.885),
    ("non_residential", 0.02),
    ("commercial", 0.07),
    ("simple_tou_2", 0.02),
    ("simple_tou_3", 0.005),
)
_BUSINESS_TARIFFS: Final[tuple[tuple[TariffClass, float], ...]] = (
    ("commercial", 0.84),
    ("simple_tou_2", 0.11),
    ("simple_tou_3", 0.05),
)
_NON_PROFIT_TARIFFS: Final[tuple[tuple[TariffClass, float], ...]] = (
    ("non_residential", 0.93),
    ("simple_tou_2", 0.07),
)
# National ID area letters of Taoyuan residents (H = 桃園); others moved in from elsewhere.
_NATIONAL_ID_LETTERS: Final = (
    ("H", 0.70), ("F", 0.07), ("A", 0.06), ("J", 0.03), ("K", 0.03), ("B", 0.03), ("O", 0.02),
    ("E", 0.02), ("N", 0.02), ("D", 0.01), ("G", 0.01),
)  # fmt: skip
_RESIDENT_ID_LETTERS: Final = (("H", 0.80), ("F", 0.10), ("A", 0.10))
_EMAIL_DOMAINS: Final = ("example.com", "example.org", "example.net")  # RFC 2606 §3

# Consumption model per tariff class: (median kWh/month, log-normal σ, summer factor range,
# share of accounts read bimonthly, share of three-phase meters).
_CONSUMPTION: Final[dict[str, tuple[float, float, float, float, float, float]]] = {
    "residential": (290.0, 0.5, 1.30, 1.60, 0.97, 0.03),
    "non_residential": (180.0, 0.9, 1.10, 1.40, 0.90, 0.25),
    "commercial": (700.0, 0.95, 1.15, 1.45, 0.75, 0.35),
    "simple_tou_2": (1300.0, 0.45, 1.30, 1.60, 0.0, 0.25),  # TOU is billed monthly
    "simple_tou_3": (1600.0, 0.45, 1.30, 1.60, 0.0, 0.30),
}
_MONTHLY_NOISE_SIGMA: Final = 0.10
_VACANCY_SHARE: Final = 0.03
_LIFE_SUPPORT_SHARE: Final = 0.003  # of all accounts; only households' residential accounts
_LIFE_SUPPORT_GIVEN_RESIDENTIAL: Final = _LIFE_SUPPORT_SHARE / TARIFF_SHARE_TARGETS["residential"]
_NEW_ACCOUNT_SHARE: Final = 0.05  # accounts opened inside the 24-month window
_OLDEST_ACCOUNT: Final = date(1980, 1, 1)
_SUMMER_MONTHS: Final = frozenset((6, 7, 8, 9))
# Standard meter ratings [A]; a meter is sized for its base load with some headroom.
_SINGLE_PHASE_AMPERES: Final = (10, 15, 20, 30, 40, 50, 60, 75, 100)
_THREE_PHASE_AMPERES: Final = (15, 20, 30, 40, 50, 60, 75, 100, 150, 200)
# kWh per month that one ampere carries at a 0.15 load factor (small consumers draw their
# peak for a few hours a day): 0.22 kV x 730 h x 0.15 for single phase, 0.38 kV x √3 x 730 h
# x 0.15 for three phase.
_LOAD_FACTOR: Final = 0.15
_KWH_PER_AMPERE_SINGLE: Final = 0.22 * 730 * _LOAD_FACTOR
_KWH_PER_AMPERE_THREE: Final = 0.38 * math.sqrt(3) * 730 * _LOAD_FACTOR

_TIERED_TARIFFS: Final = frozenset(("residential", "non_residential", "commercial"))
_LOAD_SHEDDING_GROUPS: Final = "ABCDEF"
_FEEDERS_PER_SUBSTATION: Final = 36
_ACCOUNT_PREFIX: Final = "05"  # invented office prefix of the 電號
_SERIAL_SPACE: Final = 10_000_000  # seven-digit serials
# Coprime with 10**7, so n -> (a*n + b) mod 10**7 is a bijection of the seven-digit serials.
_SERIAL_MULTIPLIER: Final = 3_021_377
_SECTION_NUMERALS: Final = "〇一二三四五六七八九"
_WINDOW_MONTHS: Final = 24
_NOISE_BITS: Final = 12


def _noise_table(sigma: float) -> tuple[float, ...]:
    """Quantiles of a log-normal factor with median 1, so one draw of 12 random bits picks one."""
    normal = NormalDist()
    size = 1 << _NOISE_BITS
    return tuple(math.exp(sigma * normal.inv_cdf((index + 0.5) / size)) for index in range(size))


_MONTHLY_NOISE: Final = _noise_table(_MONTHLY_NOISE_SIGMA)

# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Road:
    name: str
    sections: tuple[int, ...]
    max_number: int


@dataclass(frozen=True, slots=True)
class _District:
    index: int
    name: str
    postal_code: str
    weight: int
    meter_area: str
    lat_range: tuple[int, int]  # micro-degrees, half-open
    lon_range: tuple[int, int]
    landline_first_digits: str
    substations: tuple[str, ...]
    roads: tuple[_Road, ...]
    road_cum_weights: tuple[int, ...]
    villages: tuple[str, ...]
    service_centre_code: str


@dataclass(frozen=True, slots=True)
class _ForeignOrigin:
    family: tuple[str, ...]
    given_male: tuple[str, ...]
    given_female: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _OrganisationPattern:
    kind: str  # company, shop, clinic, community, temple
    template: str


@dataclass(frozen=True, slots=True)
class _Reference:
    city: str
    districts: tuple[_District, ...]
    district_cum_weights: tuple[int, ...]
    surnames: tuple[str, ...]
    surname_cum_weights: tuple[int, ...]
    romanisation: dict[str, str]
    male_characters: str
    female_characters: str
    foreign: tuple[_ForeignOrigin, ...]
    foreign_cum_weights: tuple[int, ...]
    brands: tuple[str, ...]
    industries: tuple[str, ...]
    clinic_specialties: tuple[str, ...]
    community_words: tuple[str, ...]
    temple_deities: tuple[str, ...]
    patterns: tuple[_OrganisationPattern, ...]
    pattern_cum_weights: tuple[int, ...]
    mobile_prefixes: tuple[str, ...]
    centres: tuple[DemoServiceCentre, ...]


def _cumulative(weights: Sequence[float]) -> tuple[int, ...]:
    """Running totals of weights scaled to integers, for ``bisect`` look-ups."""
    total = 0
    result: list[int] = []
    for weight in weights:
        total += round(weight * 1000)
        result.append(total)
    return tuple(result)


def _micro(value: float) -> int:
    return round(value * 1_000_000)


@cache
def _reference() -> _Reference:
    raw = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    hours = tuple(
        (day, opens, closes)
        for day, spans in raw["opening_hours"].items()
        for opens, closes in spans
    )
    centres = tuple(
        DemoServiceCentre(
            code=item["code"],
            name_zh=item["name_zh"],
            name_en=item["name_en"],
            address=item["address"],
            phone=item["phone"],
            districts=tuple(item["districts"]),
            lunch_payment=bool(item["lunch_payment"]),
            opening_hours=hours,
        )
        for item in raw["service_centres"]
    )
    centre_of = {district: centre.code for centre in centres for district in centre.districts}
    districts: list[_District] = []
    for index, item in enumerate(raw["districts"]):
        roads = tuple(
            _Road(
                name=road["name"],
                sections=tuple(road.get("sections", ())),
                max_number=int(road["max_number"]),
            )
            for road in item["roads"]
        )
        lat_min, lat_max, lon_min, lon_max = item["bbox"]
        districts.append(
            _District(
                index=index,
                name=item["name"],
                postal_code=item["postal_code"],
                weight=int(item["population_k"]),
                meter_area=item["meter_area"],
                lat_range=(_micro(lat_min), _micro(lat_max)),
                lon_range=(_micro(lon_min), _micro(lon_max)),
                landline_first_digits="".join(item["landline_first_digits"]),
                substations=tuple(item["substations"]),
                roads=roads,
                # Longer roads (more house numbers, more sections) hold more premises.
                road_cum_weights=_cumulative(
                    [road.max_number * max(1, len(road.sections)) / 1000 for road in roads]
                ),
                villages=tuple(item.get("villages", ())),
                service_centre_code=centre_of[item["name"]],
            )
        )
    surnames = raw["surnames"]
    foreign = raw["foreign_names"]
    organisation = raw["organisation_names"]
    return _Reference(
        city=raw["city"],
        districts=tuple(districts),
        district_cum_weights=_cumulative([district.weight for district in districts]),
        surnames=tuple(name for name, _ in surnames),
        surname_cum_weights=_cumulative([weight for _, weight in surnames]),
        romanisation=dict(raw["surname_romanisation"]),
        male_characters=raw["given_name_characters"]["male"],
        female_characters=raw["given_name_characters"]["female"],
        foreign=tuple(
            _ForeignOrigin(
                family=tuple(item["family"]),
                given_male=tuple(item["given_male"]),
                given_female=tuple(item["given_female"]),
            )
            for item in foreign
        ),
        foreign_cum_weights=_cumulative([item["weight"] for item in foreign]),
        brands=tuple(organisation["brands"]),
        industries=tuple(organisation["industries"]),
        clinic_specialties=tuple(organisation["clinic_specialties"]),
        community_words=tuple(organisation["community_words"]),
        temple_deities=tuple(organisation["temple_deities"]),
        patterns=tuple(
            _OrganisationPattern(kind=item["kind"], template=item["template"])
            for item in organisation["patterns"]
        ),
        pattern_cum_weights=_cumulative([item["weight"] for item in organisation["patterns"]]),
        mobile_prefixes=tuple(
            f"0{number}"
            for low, high in raw["mobile_prefix_ranges"]
            for number in range(low, high + 1)
        ),
        centres=centres,
    )


def service_centres() -> tuple[DemoServiceCentre, ...]:
    """The demo service centres; together they cover every district of 桃園市 exactly once."""
    return _reference().centres


def opening_hours_json(centre: DemoServiceCentre) -> dict[str, list[list[str]]]:
    """Opening hours as ``ServiceCentre.opening_hours`` stores them.

    The shape is ``{"mon": [["08:30", "17:30"]], …}``; a missing weekday means closed.
    """
    result: dict[str, list[list[str]]] = {}
    for day, opens, closes in centre.opening_hours:
        result.setdefault(day, []).append([opens, closes])
    return result


# --------------------------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------------------------

#: (code, zh-Hant name, English name) of the district office's departments.
DEPARTMENTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("business", "業務組", "Customer Service"),
    ("billing", "電費組", "Billing"),
    ("design", "設計組", "Distribution Design"),
    ("dispatch", "調度組", "Dispatching"),
    ("maintenance", "維護組", "Maintenance"),
    ("works", "工務段", "Field Works"),
    ("general_affairs", "總務組", "General Affairs"),
    ("human_resources", "人資組", "Human Resources"),
    ("inspection", "督導室", "Inspection"),
    ("director", "區處長室", "Director's Office"),
)

_STAFF: Final[tuple[DemoStaff, ...]] = (
    DemoStaff("director", "林振宇", "director", None, is_supervisor=True),
    DemoStaff("business.lead", "陳淑芬", "business", None, is_supervisor=True),
    DemoStaff("business.clerk", "王怡君", "business", "TY", is_supervisor=False),
    DemoStaff("billing.lead", "黃志明", "billing", None, is_supervisor=True),
    DemoStaff("billing.clerk", "張雅婷", "billing", None, is_supervisor=False),
    DemoStaff("design.lead", "李建宏", "design", None, is_supervisor=True),
    DemoStaff("design.engineer", "吳冠廷", "design", None, is_supervisor=False),
    DemoStaff("dispatch.lead", "劉家豪", "dispatch", None, is_supervisor=True),
    DemoStaff("dispatch.operator", "蔡承翰", "dispatch", None, is_supervisor=False),
    DemoStaff("maintenance.lead", "楊俊傑", "maintenance", None, is_supervisor=True),
    DemoStaff("maintenance.technician", "許哲瑋", "maintenance", None, is_supervisor=False),
    DemoStaff("works.lead", "徐國榮", "works", None, is_supervisor=True),
    DemoStaff("works.engineer", "彭宗佑", "works", None, is_supervisor=False),
    DemoStaff("general_affairs.lead", "鄭美玲", "general_affairs", None, is_supervisor=True),
    DemoStaff("general_affairs.clerk", "謝佳欣", "general_affairs", None, is_supervisor=False),
    DemoStaff("human_resources.lead", "郭惠如", "human_resources", None, is_supervisor=True),
    DemoStaff("human_resources.officer", "邱詩涵", "human_resources", None, is_supervisor=False),
    DemoStaff("inspection.lead", "洪正德", "inspection", None, is_supervisor=True),
    DemoStaff("inspection.auditor", "曾雅雯", "inspection", None, is_supervisor=False),
)


def demo_staff() -> tuple[DemoStaff, ...]:
    """Demo logins: a lead and a member for every department, the director, and one counter
    clerk (``counter.<centre>``, 業務組) at every service centre other than 桃園服務中心, whose
    counter is staffed by ``business.clerk``."""
    names = ("廖欣怡", "賴柏翰", "周芳瑜", "葉承恩", "蘇品妤", "莊志偉", "鍾佳蓉", "羅冠宇",
             "范姜秀麗", "江俊宏")  # fmt: skip
    counters = tuple(
        DemoStaff(
            f"counter.{centre.code.lower()}", name, "business", centre.code, is_supervisor=False
        )
        for centre, name in zip(
            (centre for centre in service_centres() if centre.code != "TY"), names, strict=False
        )
    )
    return _STAFF + counters


# --------------------------------------------------------------------------------------------
# Reading window
# --------------------------------------------------------------------------------------------


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def reading_window(*, until: date) -> tuple[date, date]:
    """First and last day of the 24 calendar months before the month of ``until``.

    ``until=2026-03-15`` gives 2024-03-01 … 2026-02-28. Every generated reading lies inside.
    """
    first = date(*_add_months(until.year, until.month, -_WINDOW_MONTHS), 1)
    last = date(until.year, until.month, 1) - timedelta(days=1)
    return first, last


# A reading period over the window's months: (first month index, last month index, first
# day, last day, whether the last month is a summer month, whether it is a head period). A
# head period is the window's first month when a bimonthly period ends there: the period
# began before the window, so only an account whose supply started inside it is read for it.
_Period = tuple[int, int, date, date, bool, bool]


@dataclass(frozen=True, slots=True)
class _Window:
    first: date
    last: date
    month_starts: tuple[date, ...]
    month_ends: tuple[date, ...]
    month_days: tuple[int, ...]
    summer: tuple[bool, ...]
    periods: dict[str, tuple[_Period, ...]]
    # The same periods without head periods, as (first month index, first day, last day).
    whole_months: tuple[tuple[int, date, date], ...]
    whole_pairs: dict[str, tuple[tuple[int, date, date], ...]]


def _window(until: date) -> _Window:
    first, last = reading_window(until=until)
    starts: list[date] = []
    ends: list[date] = []
    for offset in range(_WINDOW_MONTHS):
        year, month = _add_months(first.year, first.month, offset)
        next_year, next_month = _add_months(year, month, 1)
        starts.append(date(year, month, 1))
        ends.append(date(next_year, next_month, 1) - timedelta(days=1))
    summer = tuple(start.month in _SUMMER_MONTHS for start in starts)
    monthly = tuple(
        (index, index, starts[index], ends[index], summer[index], False)
        for index in range(_WINDOW_MONTHS)
    )

    def bimonthly(parity: int) -> tuple[_Period, ...]:
        # A bimonthly period is read in the month it ends in: "odd" accounts are read in
        # January, March …, so their periods run from an even month to an odd month. Only
        # whole periods inside the window count, so one parity gets 12 readings and the other
        # 11 (its first and last window months belong to periods cut by the window).
        head: tuple[_Period, ...] = ()
        if starts[0].month % 2 == parity:
            head = ((0, 0, starts[0], ends[0], summer[0], True),)
        return head + tuple(
            (index - 1, index, starts[index - 1], ends[index], summer[index], False)
            for index in range(1, _WINDOW_MONTHS)
            if starts[index].month % 2 == parity
        )

    periods = {"monthly": monthly, "bimonthly_odd": bimonthly(1), "bimonthly_even": bimonthly(0)}
    return _Window(
        first=first,
        last=last,
        month_starts=tuple(starts),
        month_ends=tuple(ends),
        month_days=tuple((end - start).days + 1 for start, end in zip(starts, ends, strict=True)),
        summer=summer,
        periods=periods,
        whole_months=tuple((period[0], period[2], period[3]) for period in monthly),
        whole_pairs={
            cycle: tuple(
                (period[0], period[2], period[3]) for period in periods[cycle] if not period[5]
            )
            for cycle in ("bimonthly_odd", "bimonthly_even")
        },
    )


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


class _Generator:
    """State of one ``generate`` call: the random stream, the counters and the window.

    Draws use ``Random.random()`` and ``getrandbits()`` (both in C) rather than ``randrange``
    and ``choice`` (Python code around them): a uniform index is ``int(random() * n)``, whose
    bias is below 2**-40 for the small ``n`` used here.
    """

    def __init__(self, *, seed: int, until: date) -> None:
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.rng = rng
        self.random = rng.random
        self.ref = _reference()
        self.window = _window(until)
        # Offsets of the serial bijections depend on the seed, so seeds give different IDs.
        self.offsets = {
            kind: rng.randrange(_SERIAL_SPACE) for kind in ("national", "resident", "ubn")
        }
        self.account_offsets = [rng.randrange(_SERIAL_SPACE) for _ in self.ref.districts]
        self.counters = {"national": 0, "resident": 0, "ubn": 0}
        self.account_sequence = [0] * len(self.ref.districts)
        self.customer_key = 0
        self.premise_key = 0
        self.window_first_ordinal = self.window.first.toordinal()
        self.window_days = self.window.last.toordinal() - self.window_first_ordinal + 1
        self.oldest_ordinal = _OLDEST_ACCOUNT.toordinal()

    # -- drawing helpers ------------------------------------------------------------------

    def _below(self, bound: int) -> int:
        """A uniform integer in ``[0, bound)``."""
        return int(self.random() * bound)

    def _one_of(self, items: Sequence[_T]) -> _T:
        return items[int(self.random() * len(items))]

    def _weighted(self, items: Sequence[_T], cum_weights: Sequence[int]) -> _T:
        return items[bisect.bisect_right(cum_weights, self.random() * cum_weights[-1])]

    def _pick(self, table: Sequence[tuple[_T, float]]) -> _T:
        """A value from ``(value, probability)`` pairs whose probabilities add up to 1."""
        draw = self.random()
        for value, share in table:
            draw -= share
            if draw < 0:
                return value
        return table[-1][0]

    def _serial(self, kind: str) -> str:
        count = self.counters[kind]
        if count >= _SERIAL_SPACE:  # pragma: no cover - generate() caps the total below this
            raise ValueError(f"more than {_SERIAL_SPACE} {kind} numbers requested")
        self.counters[kind] = count + 1
        return f"{(count * _SERIAL_MULTIPLIER + self.offsets[kind]) % _SERIAL_SPACE:07d}"

    def district(self) -> _District:
        return self._weighted(self.ref.districts, self.ref.district_cum_weights)

    def account_count(self, *, person: bool) -> int:
        return self._pick(_PERSON_ACCOUNT_COUNTS if person else _ORG_ACCOUNT_COUNTS)

    # -- names and contacts ---------------------------------------------------------------

    def _surname(self) -> str:
        return self._weighted(self.ref.surnames, self.ref.surname_cum_weights)

    def _chinese_name(self, *, male: bool) -> tuple[str, str]:
        """A name and the romanised surname (for the e-mail address)."""
        characters = self.ref.male_characters if male else self.ref.female_characters
        surname = self._surname()
        first = self._one_of(characters)
        if self.random() < 0.08:  # single-character given name
            return surname + first, self.ref.romanisation[surname]
        second = self._one_of(characters)
        while second == first:
            second = self._one_of(characters)
        return surname + first + second, self.ref.romanisation[surname]

    def _foreign_name(self, *, male: bool) -> tuple[str, str]:
        """A name as printed on a resident certificate (family name first, upper case)."""
        origin = self._weighted(self.ref.foreign, self.ref.foreign_cum_weights)
        given = self._one_of(origin.given_male if male else origin.given_female)
        if origin.family:
            family = self._one_of(origin.family)
            return f"{family} {given}", family.split()[0].lower()
        return given, given.split()[0].lower()

    def _mobile(self) -> str:
        digits = f"{self._below(1_000_000):06d}"
        return f"{self._one_of(self.ref.mobile_prefixes)}-{digits[:3]}-{digits[3:]}"

    def _landline(self, district: _District) -> str:
        subscriber = f"{self._one_of(district.landline_first_digits)}{self._below(1_000_000):06d}"
        return f"(03){subscriber[:3]}-{subscriber[3:]}"

    def _email(self, handle: str, key: int) -> str:
        separator = self._one_of(("", ".", "_"))
        return f"{handle}{separator}{key}@{self._one_of(_EMAIL_DOMAINS)}"

    def _organisation_name(self, district: _District) -> tuple[str, str]:
        """A name and its kind (company, shop, clinic, community, temple)."""
        ref = self.ref
        pattern = self._weighted(ref.patterns, ref.pattern_cum_weights)
        name = pattern.template.format(
            brand=self._one_of(ref.brands),
            industry=self._one_of(ref.industries),
            clinic=self._one_of(ref.clinic_specialties),
            community=self._one_of(ref.community_words),
            deity=self._one_of(ref.temple_deities),
            surname=self._surname(),
            place=district.name[:-1],
        )
        return name, pattern.kind

    # -- one customer with its accounts ---------------------------------------------------

    def customer(self, *, accounts: int, person: bool, out: _Buffer) -> None:
        """Append one customer with ``accounts`` accounts, their premises and readings."""
        rnd = self.random
        self.customer_key += 1
        key = self.customer_key
        home = self.district()
        organisation_kind = ""
        id_kind: IdKind
        if person:
            male = rnd() < 0.5
            if rnd() < _RESIDENT_SHARE:
                id_kind = "resident_id"
                id_number = identifiers.make_resident_id(
                    letter=self._pick(_RESIDENT_ID_LETTERS),
                    gender_digit=8 if male else 9,
                    serial7=self._serial("resident"),
                )
                name, handle = self._foreign_name(male=male)
                english = rnd() < 0.6
            else:
                id_kind = "national_id"
                id_number = identifiers.make_national_id(
                    letter=self._pick(_NATIONAL_ID_LETTERS),
                    gender_digit=1 if male else 2,
                    serial7=self._serial("national"),
                )
                name, handle = self._chinese_name(male=male)
                english = rnd() < 0.015
            mobile = self._mobile() if rnd() < 0.95 else None
            landline = self._landline(home) if rnd() < 0.30 else None
            email = self._email(handle, key) if rnd() < 0.60 else None
        else:
            ubn = identifiers.make_ubn(first7=self._serial("ubn"))
            if ubn is None:  # pragma: no cover - make_ubn always completes a number today
                raise ValueError("make_ubn found no check digit")
            id_kind, id_number = "ubn", ubn
            name, organisation_kind = self._organisation_name(home)
            english = rnd() < 0.01
            mobile = self._mobile() if rnd() < 0.45 else None
            landline = self._landline(home) if rnd() < 0.95 else None
            email = (
                self._email(self._one_of(("service", "info", "office")), key)
                if rnd() < 0.55
                else None
            )
        out.customers.append(
            DemoCustomer(
                key=key,
                kind="person" if person else "organisation",
                name=name,
                id_kind=id_kind,
                id_number=id_number,
                mobile=mobile,
                landline=landline,
                email=email,
                preferred_language="en" if english else "zh-hant",
                consent_sms=mobile is not None and rnd() < 0.75,
                consent_email=email is not None and rnd() < 0.70,
                consent_letter=rnd() < 0.97,
                consent_phone=(mobile is not None or landline is not None) and rnd() < 0.55,
                consent_push=mobile is not None and rnd() < 0.22,
            )
        )
        if person:
            tariffs = _PERSON_TARIFFS
        elif organisation_kind in ("community", "temple"):
            tariffs = _NON_PROFIT_TARIFFS
        else:
            tariffs = _BUSINESS_TARIFFS
        first_premise: DemoPremise | None = None
        for index in range(accounts):
            district = home if index == 0 or rnd() < 0.7 else self.district()
            if first_premise is not None and rnd() < 0.05:
                premise, district = first_premise, home  # a second meter at the same address
            else:
                premise = self._premise(district, residential=person)
                out.premises.append(premise)
                if first_premise is None:
                    first_premise = premise
            self._account(
                customer_key=key,
                premise_key=premise.key,
                district=district,
                tariff=self._pick(tariffs),
                person=person,
                out=out,
            )

    def _premise(self, district: _District, *, residential: bool) -> DemoPremise:
        rnd = self.random
        self.premise_key += 1
        road = self._weighted(district.roads, district.road_cum_weights)
        section = self._one_of(road.sections) if road.sections else None
        lane = alley = None
        if rnd() < 0.45:
            lane = str(1 + self._below(min(road.max_number, 400)))
            if rnd() < 0.35:
                alley = str(1 + self._below(40))
            house = 1 + self._below(120)
        else:
            house = 1 + self._below(road.max_number)
        number = f"{house}之{1 + self._below(5)}" if rnd() < 0.06 else str(house)
        floor: int | None = None
        draw = rnd()
        if residential:
            if draw < 0.40:
                floor = None  # a house: the whole building
            elif draw < 0.50:
                floor = 1
            elif draw < 0.85:
                floor = 2 + self._below(6)
            else:
                floor = 8 + self._below(17)
        elif draw < 0.50:
            floor = 1
        elif draw < 0.70:
            floor = 2 + self._below(11)
        parts = [self.ref.city, district.name, road.name]
        if section is not None:
            parts.append(f"{_SECTION_NUMERALS[section]}段")
        if lane is not None:
            parts.append(f"{lane}巷")
        if alley is not None:
            parts.append(f"{alley}弄")
        parts.append(f"{number}號")
        if floor is not None:
            parts.append(f"{floor}樓")
        village = self._one_of(district.villages) if district.villages and rnd() < 0.5 else None
        lat_low, lat_high = district.lat_range
        lon_low, lon_high = district.lon_range
        return DemoPremise(
            key=self.premise_key,
            address="".join(parts),
            city=self.ref.city,
            district=district.name,
            village=village,
            road=road.name,
            section=section,
            lane=lane,
            alley=alley,
            number=number,
            floor=floor,
            latitude=Decimal(lat_low + self._below(lat_high - lat_low)).scaleb(-6),
            longitude=Decimal(lon_low + self._below(lon_high - lon_low)).scaleb(-6),
            postal_code=district.postal_code,
        )

    def _account_number(self, district: _District) -> str:
        index = district.index
        sequence = self.account_sequence[index]
        self.account_sequence[index] = sequence + 1
        body = (sequence * _SERIAL_MULTIPLIER + self.account_offsets[index]) % _SERIAL_SPACE
        return f"{_ACCOUNT_PREFIX}{district.meter_area}{body:07d}"

    def _account(
        self,
        *,
        customer_key: int,
        premise_key: int,
        district: _District,
        tariff: TariffClass,
        person: bool,
        out: _Buffer,
    ) -> None:
        rnd = self.random
        median, sigma, summer_low, summer_high, bimonthly_share, three_phase_share = _CONSUMPTION[
            tariff
        ]
        base = median * math.exp(sigma * self.rng.gauss(0.0, 1.0))  # [kWh/month]
        summer = summer_low + (summer_high - summer_low) * rnd()
        headroom = 1.3 + 1.2 * rnd()
        three_phase = (
            rnd() < three_phase_share
            or base * headroom / _KWH_PER_AMPERE_SINGLE > _SINGLE_PHASE_AMPERES[-1]
        )
        ratings: tuple[int, ...]
        if three_phase:
            ratings, needed = _THREE_PHASE_AMPERES, base * headroom / _KWH_PER_AMPERE_THREE
        else:
            ratings, needed = _SINGLE_PHASE_AMPERES, base * headroom / _KWH_PER_AMPERE_SINGLE
        amperes = ratings[min(bisect.bisect_left(ratings, needed), len(ratings) - 1)]
        cycle: BillingCycle
        if rnd() < bimonthly_share:
            cycle = "bimonthly_odd" if rnd() < 0.5 else "bimonthly_even"
        else:
            cycle = "monthly"
        substation = self._one_of(district.substations)
        feeder = 1 + self._below(_FEEDERS_PER_SUBSTATION)
        if rnd() < _NEW_ACCOUNT_SHARE:
            opened = self.window_first_ordinal + self._below(self.window_days)
        else:
            opened = self.oldest_ordinal + self._below(
                self.window_first_ordinal - self.oldest_ordinal
            )
        account = DemoAccount(
            number=self._account_number(district),
            customer_key=customer_key,
            premise_key=premise_key,
            tariff_class=tariff,
            phase="three" if three_phase else "single",
            meter_amperes=amperes,
            billing_cycle=cycle,
            load_shedding_group=_feeder_group(substation, feeder),
            feeder_code=f"{substation}{feeder:02d}",
            service_centre_code=district.service_centre_code,
            life_support=person
            and tariff == "residential"
            and rnd() < _LIFE_SUPPORT_GIVEN_RESIDENTIAL,
            opened_on=date.fromordinal(opened),
        )
        out.accounts.append(account)
        self._readings(account, base=base, summer=summer, readings=out.readings)

    def _readings(
        self, account: DemoAccount, *, base: float, summer: float, readings: list[DemoReading]
    ) -> None:
        rnd = self.random
        window = self.window
        noise = _MONTHLY_NOISE
        getrandbits = self.rng.getrandbits
        high = base * summer
        # Energy of each month of the window [kWh].
        energy = [
            (high if is_summer else base) * noise[getrandbits(_NOISE_BITS)]
            for is_summer in window.summer
        ]
        if rnd() < _VACANCY_SHARE:
            length = 2 + self._below(9)
            first_vacant = self._below(_WINDOW_MONTHS - length + 1)
            energy[first_vacant : first_vacant + length] = [0.0] * length
        opened_on = account.opened_on
        tariff = account.tariff_class
        number = account.number
        new_account = opened_on >= window.first
        if not new_account and tariff in _TIERED_TARIFFS:
            # The common case, kept tight: whole periods, no split (about 90 % of accounts).
            if account.billing_cycle == "monthly":
                readings.extend(
                    [
                        DemoReading(number, start, end, round(energy[first]), None, None, None)
                        for first, start, end in window.whole_months
                    ]
                )
            else:
                readings.extend(
                    [
                        DemoReading(
                            number,
                            start,
                            end,
                            round(energy[first] + energy[first + 1]),
                            None,
                            None,
                            None,
                        )
                        for first, start, end in window.whole_pairs[account.billing_cycle]
                    ]
                )
            return
        periods = window.periods[account.billing_cycle]
        append = readings.append
        for first, last, start, end, summer_period, head in periods:
            if head and not new_account:
                continue
            if new_account and (head or start < opened_on):
                if end < opened_on:
                    continue
                start, total_kwh = (
                    opened_on,
                    self._partial(energy, first=first, last=last, opened_on=opened_on),
                )
            elif first == last:
                total_kwh = energy[first]
            else:
                total_kwh = energy[first] + energy[last]
            total = round(total_kwh)
            if tariff == "simple_tou_2":
                # New bands (2023): weekday 09:00-24:00 (summer) or 06:00-11:00 and
                # 14:00-24:00 are peak, so a little over half of the use is peak.
                peak = round(total * (0.50 + (0.05 if summer_period else 0.0) + 0.15 * rnd()))
                append(DemoReading(number, start, end, total, peak, None, total - peak))
            elif tariff == "simple_tou_3":
                if summer_period:
                    peak = round(total * (0.18 + 0.10 * rnd()))
                    semi = round(total * (0.30 + 0.10 * rnd()))
                else:
                    peak = 0  # 三段式 has no peak outside summer
                    semi = round(total * (0.45 + 0.15 * rnd()))
                append(DemoReading(number, start, end, total, peak, semi, total - peak - semi))
            else:
                append(DemoReading(number, start, end, total, None, None, None))

    def _partial(self, energy: list[float], *, first: int, last: int, opened_on: date) -> float:
        """Energy of a period that the supply started in, by the share of days supplied."""
        window = self.window
        total = 0.0
        for month in range(first, last + 1):
            month_end = window.month_ends[month]
            if month_end >= opened_on:
                days = (month_end - max(window.month_starts[month], opened_on)).days + 1
                total += energy[month] * days / window.month_days[month]
        return total


_T = TypeVar("_T")


@dataclass(slots=True)
class _Buffer:
    """Records collected for the batch being filled."""

    customers: list[DemoCustomer] = field(default_factory=list)
    premises: list[DemoPremise] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    readings: list[DemoReading] = field(default_factory=list)

    def take(self) -> DemoBatch:
        """Return the collected records as a batch and start an empty one.

        The lists are emptied in place, so the suspended generator keeps no reference to a
        batch once its consumer has dropped it.
        """
        batch = DemoBatch(
            tuple(self.customers), tuple(self.premises), tuple(self.accounts), tuple(self.readings)
        )
        self.customers.clear()
        self.premises.clear()
        self.accounts.clear()
        self.readings.clear()
        return batch


def _feeder_group(substation: str, feeder: int) -> str:
    """The load-shedding group of a feeder: fixed per feeder, whatever the seed."""
    return _LOAD_SHEDDING_GROUPS[
        (sum(map(ord, substation)) * 7 + feeder) % len(_LOAD_SHEDDING_GROUPS)
    ]


def generate(
    *, accounts: int, seed: int = 2026, until: date, batch_size: int = 5_000
) -> Iterator[DemoBatch]:
    """Yield batches of synthetic customers, premises, accounts and readings for 桃園市.

    ``accounts`` accounts are produced in all (at most 10,000,000), about 1.2 per customer;
    each batch holds at most ``batch_size`` accounts together with their customers, premises
    and readings, and nothing is kept between batches, so memory stays flat whatever
    ``accounts`` is. Readings cover the 24 calendar months before the month of ``until``
    (:func:`reading_window`): monthly periods for monthly accounts, two-month periods ending
    in odd or even months for bimonthly ones, starting with the supply start for accounts
    opened inside the window. Batch boundaries do not change the records: the same
    ``seed`` and ``until`` give the same sequence for any ``batch_size``.

    Raises ``ValueError`` for a negative ``accounts``, more than 10,000,000 accounts, or a
    ``batch_size`` below the largest number of accounts one customer can hold (8).
    """
    if not 0 <= accounts <= _SERIAL_SPACE:
        raise ValueError(f"accounts must be between 0 and {_SERIAL_SPACE}, got {accounts}")
    if batch_size < MAX_ACCOUNTS_PER_CUSTOMER:
        raise ValueError(
            f"batch_size must be at least {MAX_ACCOUNTS_PER_CUSTOMER}, got {batch_size}"
        )
    return _batches(accounts=accounts, seed=seed, until=until, batch_size=batch_size)


def _batches(*, accounts: int, seed: int, until: date, batch_size: int) -> Iterator[DemoBatch]:
    generator = _Generator(seed=seed, until=until)
    buffer = _Buffer()
    remaining = accounts
    while remaining > 0:
        person = generator.random() < _PERSON_SHARE
        count = min(generator.account_count(person=person), remaining)
        if len(buffer.accounts) + count > batch_size:
            yield buffer.take()
        generator.customer(accounts=count, person=person, out=buffer)
        remaining -= count
    if buffer.accounts:
        yield buffer.take()
