"""Tests of the synthetic demo-data generator (pure: no database)."""

from __future__ import annotations

import itertools
import json
import random
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from powerdesk.core.domain import identifiers
from powerdesk.customers.domain import demo

UNTIL = date(2026, 3, 15)
WINDOW_FIRST = date(2024, 3, 1)
WINDOW_LAST = date(2026, 2, 28)
DISTRICT_POSTAL_CODES = {
    "桃園區": "330",
    "中壢區": "320",
    "平鎮區": "324",
    "八德區": "334",
    "楊梅區": "326",
    "蘆竹區": "338",
    "大溪區": "335",
    "龜山區": "333",
    "大園區": "337",
    "觀音區": "328",
    "新屋區": "327",
    "復興區": "336",
    "龍潭區": "325",
}
SECTION_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


@dataclass(frozen=True)
class Population:
    batches: tuple[demo.DemoBatch, ...]
    customers: tuple[demo.DemoCustomer, ...]
    premises: tuple[demo.DemoPremise, ...]
    accounts: tuple[demo.DemoAccount, ...]
    readings: tuple[demo.DemoReading, ...]


def _collect(batches: list[demo.DemoBatch]) -> Population:
    return Population(
        batches=tuple(batches),
        customers=tuple(itertools.chain.from_iterable(batch.customers for batch in batches)),
        premises=tuple(itertools.chain.from_iterable(batch.premises for batch in batches)),
        accounts=tuple(itertools.chain.from_iterable(batch.accounts for batch in batches)),
        readings=tuple(itertools.chain.from_iterable(batch.readings for batch in batches)),
    )


@pytest.fixture(scope="module")
def population() -> Population:
    return _collect(list(demo.generate(accounts=50_000, seed=2026, until=UNTIL)))


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(demo.DATA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def readings_by_account(population: Population) -> dict[str, list[demo.DemoReading]]:
    result: dict[str, list[demo.DemoReading]] = defaultdict(list)
    for reading in population.readings:
        result[reading.account_number].append(reading)
    return result


# --------------------------------------------------------------------------------------------
# Determinism and batching
# --------------------------------------------------------------------------------------------


def test_generate_gives_the_same_records_for_the_same_seed() -> None:
    # when
    first = list(demo.generate(accounts=3_000, seed=7, until=UNTIL))
    second = list(demo.generate(accounts=3_000, seed=7, until=UNTIL))
    # then
    assert first == second


def test_generate_gives_other_records_for_another_seed() -> None:
    # when
    one = _collect(list(demo.generate(accounts=3_000, seed=1, until=UNTIL)))
    other = _collect(list(demo.generate(accounts=3_000, seed=2, until=UNTIL)))
    # then: nothing but the keys is shared
    assert {c.id_number for c in one.customers}.isdisjoint({c.id_number for c in other.customers})
    assert {a.number for a in one.accounts}.isdisjoint({a.number for a in other.accounts})
    assert [r.kwh_total for r in one.readings[:100]] != [r.kwh_total for r in other.readings[:100]]


def test_generate_leaves_the_global_random_state_alone() -> None:
    # given
    random.seed(99)
    state = random.getstate()
    # when
    list(demo.generate(accounts=200, seed=7, until=UNTIL))
    # then
    assert random.getstate() == state


def test_generate_records_do_not_depend_on_the_batch_size() -> None:
    # when
    small = _collect(list(demo.generate(accounts=2_000, seed=3, until=UNTIL, batch_size=50)))
    large = _collect(list(demo.generate(accounts=2_000, seed=3, until=UNTIL, batch_size=5_000)))
    # then
    assert len(small.batches) > 40
    assert len(large.batches) == 1
    assert small.customers == large.customers
    assert small.premises == large.premises
    assert small.accounts == large.accounts
    assert small.readings == large.readings


@pytest.mark.parametrize("accounts", [0, 1, 7, 1_234])
def test_generate_yields_exactly_the_requested_number_of_accounts(accounts: int) -> None:
    batches = list(demo.generate(accounts=accounts, seed=5, until=UNTIL, batch_size=100))

    assert sum(len(batch.accounts) for batch in batches) == accounts
    assert all(len(batch.accounts) <= 100 for batch in batches)


def test_generate_keeps_each_account_with_its_customer_and_premise(population: Population) -> None:
    for batch in population.batches:
        customer_keys = {customer.key for customer in batch.customers}
        premise_keys = {premise.key for premise in batch.premises}
        account_numbers = {account.number for account in batch.accounts}
        assert len(batch.accounts) <= 5_000
        assert all(account.customer_key in customer_keys for account in batch.accounts)
        assert all(account.premise_key in premise_keys for account in batch.accounts)
        assert all(reading.account_number in account_numbers for reading in batch.readings)
        # and no customer or premise is left without an account
        assert customer_keys == {account.customer_key for account in batch.accounts}
        assert premise_keys == {account.premise_key for account in batch.accounts}


@pytest.mark.parametrize(
    ("_case", "kwargs"),
    [
        ("negative accounts", {"accounts": -1}),
        ("more accounts than seven-digit serials", {"accounts": 10_000_001}),
        ("batch smaller than a customer's accounts", {"accounts": 10, "batch_size": 7}),
    ],
)
def test_generate_rejects_bad_arguments(_case: str, kwargs: dict) -> None:
    with pytest.raises(ValueError, match="must be"):
        demo.generate(until=UNTIL, **kwargs)


@pytest.mark.parametrize(
    ("_case", "until", "expected"),
    [
        ("mid-month", date(2026, 3, 15), (date(2024, 3, 1), date(2026, 2, 28))),
        ("first of the month", date(2026, 3, 1), (date(2024, 3, 1), date(2026, 2, 28))),
        ("January", date(2025, 1, 31), (date(2023, 1, 1), date(2024, 12, 31))),
        ("leap February ends the window", date(2024, 3, 2), (date(2022, 3, 1), date(2024, 2, 29))),
    ],
)
def test_reading_window(_case: str, until: date, expected: tuple[date, date]) -> None:
    assert demo.reading_window(until=until) == expected


# --------------------------------------------------------------------------------------------
# Identifiers, contacts, uniqueness
# --------------------------------------------------------------------------------------------


def test_every_id_number_passes_its_validator_unchanged(population: Population) -> None:
    validators = {
        "national_id": identifiers.validate_national_id,
        "resident_id": identifiers.validate_resident_id,
        "ubn": identifiers.validate_ubn,
    }
    kinds = Counter()
    for customer in population.customers:
        assert validators[customer.id_kind](customer.id_number) == customer.id_number
        kinds[customer.id_kind] += 1
        if customer.id_kind == "ubn":
            assert customer.kind == "organisation"
        else:
            assert customer.kind == "person"
    assert set(kinds) == {"national_id", "resident_id", "ubn"}


def test_every_phone_number_is_in_the_validators_display_form(population: Population) -> None:
    mobiles = landlines = 0
    for customer in population.customers:
        if customer.mobile is not None:
            phone = identifiers.validate_phone(customer.mobile)
            assert (phone.kind, phone.national) == ("mobile", customer.mobile)
            mobiles += 1
        if customer.landline is not None:
            phone = identifiers.validate_phone(customer.landline)
            assert (phone.kind, phone.national) == ("landline", customer.landline)
            assert customer.landline[:5] in {"(03)2", "(03)3", "(03)4"}  # Taoyuan, not Hsinchu
            landlines += 1
    assert mobiles > 30_000
    assert landlines > 10_000


def test_every_email_is_valid_and_on_a_reserved_example_domain(population: Population) -> None:
    emails = [customer.email for customer in population.customers if customer.email is not None]

    assert len(emails) > 20_000
    for email in emails:
        assert identifiers.validate_email(email) == email
        assert email.rsplit("@", 1)[1] in {"example.com", "example.org", "example.net"}


def test_every_account_number_is_eleven_valid_digits(
    population: Population, reference: dict
) -> None:
    areas = {district["name"]: district["meter_area"] for district in reference["districts"]}
    premises = {premise.key: premise for premise in population.premises}
    for account in population.accounts:
        assert identifiers.validate_account_number(account.number) == account.number
        district = premises[account.premise_key].district
        assert account.number[:4] == "05" + areas[district]


def test_identifiers_and_keys_are_unique_across_50000_accounts(population: Population) -> None:
    assert len(population.accounts) == 50_000
    assert len({account.number for account in population.accounts}) == 50_000
    assert len({customer.key for customer in population.customers}) == len(population.customers)
    assert len({premise.key for premise in population.premises}) == len(population.premises)
    assert len({customer.id_number for customer in population.customers}) == len(
        population.customers
    )
    emails = [customer.email for customer in population.customers if customer.email]
    assert len(set(emails)) == len(emails)


def test_keys_count_up_from_one(population: Population) -> None:
    assert [customer.key for customer in population.customers] == list(
        range(1, len(population.customers) + 1)
    )
    assert [premise.key for premise in population.premises] == list(
        range(1, len(population.premises) + 1)
    )


def test_account_numbers_are_spread_over_the_number_space(population: Population) -> None:
    # Consecutive accounts of one district must not get consecutive numbers.
    tails = sorted(
        int(account.number[4:]) for account in population.accounts if account.number[2:4] == "30"
    )
    assert tails[0] < 1_000_000
    assert tails[-1] > 9_000_000
    assert not any(b - a == 1 for a, b in itertools.pairwise(tails[:200]))


# --------------------------------------------------------------------------------------------
# Population shape
# --------------------------------------------------------------------------------------------


def test_customers_hold_about_1_2_accounts_and_some_hold_several(population: Population) -> None:
    per_customer = Counter(account.customer_key for account in population.accounts)

    assert 1.15 <= len(population.accounts) / len(population.customers) <= 1.28
    assert max(per_customer.values()) == 8
    assert (
        0.10 <= sum(1 for count in per_customer.values() if count > 1) / len(per_customer) <= 0.20
    )


def test_tariff_class_shares_are_within_tolerance(population: Population) -> None:
    counts = Counter(account.tariff_class for account in population.accounts)
    shares = {tariff: count / len(population.accounts) for tariff, count in counts.items()}

    assert shares["residential"] == pytest.approx(0.777, abs=0.015)
    assert shares["commercial"] == pytest.approx(0.140, abs=0.012)
    assert shares["non_residential"] == pytest.approx(0.045, abs=0.008)
    assert shares["simple_tou_2"] == pytest.approx(0.030, abs=0.006)
    assert shares["simple_tou_3"] == pytest.approx(0.009, abs=0.004)
    assert demo.TARIFF_SHARE_TARGETS == {
        "residential": 0.777,
        "non_residential": 0.045,
        "commercial": 0.140,
        "simple_tou_2": 0.030,
        "simple_tou_3": 0.009,
    }


def test_contact_and_language_shares(population: Population) -> None:
    persons = [customer for customer in population.customers if customer.kind == "person"]
    with_email = sum(1 for customer in persons if customer.email is not None)
    english = sum(1 for customer in population.customers if customer.preferred_language == "en")

    assert with_email / len(persons) == pytest.approx(0.60, abs=0.02)
    assert english / len(population.customers) == pytest.approx(0.03, abs=0.01)
    assert all(
        customer.preferred_language in {"zh-hant", "en"} for customer in population.customers
    )


def test_consents_need_the_channel(population: Population) -> None:
    for customer in population.customers:
        assert not customer.consent_sms or customer.mobile is not None
        assert not customer.consent_push or customer.mobile is not None
        assert not customer.consent_email or customer.email is not None
        assert (
            not customer.consent_phone
            or customer.mobile is not None
            or customer.landline is not None
        )


def test_account_attributes_stay_in_their_domains(population: Population) -> None:
    centres = {centre.code: set(centre.districts) for centre in demo.service_centres()}
    premises = {premise.key: premise for premise in population.premises}
    feeder_groups: dict[str, str] = {}
    for account in population.accounts:
        if account.phase == "single":
            assert account.meter_amperes in {10, 15, 20, 30, 40, 50, 60, 75, 100}
        else:
            assert account.phase == "three"
            assert account.meter_amperes in {15, 20, 30, 40, 50, 60, 75, 100, 150, 200}
        assert account.load_shedding_group in set("ABCDEF")
        assert (
            feeder_groups.setdefault(account.feeder_code, account.load_shedding_group)
            == account.load_shedding_group
        )
        assert len(account.feeder_code) == 4
        assert premises[account.premise_key].district in centres[account.service_centre_code]
        assert date(1980, 1, 1) <= account.opened_on <= WINDOW_LAST
        if account.tariff_class.startswith("simple_tou"):
            assert account.billing_cycle == "monthly"
        if account.life_support:
            assert account.tariff_class == "residential"


def test_billing_cycles_and_life_support_have_realistic_shares(population: Population) -> None:
    residential = [
        account for account in population.accounts if account.tariff_class == "residential"
    ]
    cycles = Counter(account.billing_cycle for account in residential)
    life_support = sum(1 for account in population.accounts if account.life_support)

    assert (cycles["bimonthly_odd"] + cycles["bimonthly_even"]) / len(residential) == pytest.approx(
        0.97, abs=0.01
    )
    assert cycles["bimonthly_odd"] / cycles["bimonthly_even"] == pytest.approx(1.0, abs=0.06)
    assert 0.001 <= life_support / len(population.accounts) <= 0.006


def test_most_household_meters_are_single_phase_20_to_60_amperes(population: Population) -> None:
    residential = [
        account for account in population.accounts if account.tariff_class == "residential"
    ]
    typical = sum(
        1
        for account in residential
        if account.phase == "single" and 20 <= account.meter_amperes <= 60
    )

    assert typical / len(residential) > 0.6


# --------------------------------------------------------------------------------------------
# Addresses
# --------------------------------------------------------------------------------------------


def test_addresses_use_only_roads_and_villages_from_the_reference_file(
    population: Population, reference: dict
) -> None:
    districts = {district["name"]: district for district in reference["districts"]}
    for premise in population.premises:
        district = districts[premise.district]
        roads = {road["name"]: tuple(road.get("sections", ())) for road in district["roads"]}
        assert premise.city == "桃園市"
        assert premise.postal_code == DISTRICT_POSTAL_CODES[premise.district]
        assert premise.road in roads
        if roads[premise.road]:
            assert premise.section in roads[premise.road]
        else:
            assert premise.section is None
        assert premise.village is None or premise.village in district.get("villages", ())
        expected = (
            f"桃園市{premise.district}{premise.road}"
            + (f"{SECTION_NUMERALS[premise.section]}段" if premise.section else "")
            + (f"{premise.lane}巷" if premise.lane else "")
            + (f"{premise.alley}弄" if premise.alley else "")
            + f"{premise.number}號"
            + (f"{premise.floor}樓" if premise.floor is not None else "")
        )
        assert premise.address == expected
        assert premise.alley is None or premise.lane is not None


def test_premises_lie_inside_their_district_box(population: Population, reference: dict) -> None:
    boxes = {district["name"]: district["bbox"] for district in reference["districts"]}
    for premise in population.premises:
        lat_min, lat_max, lon_min, lon_max = (
            Decimal(str(value)) for value in boxes[premise.district]
        )
        assert lat_min <= premise.latitude < lat_max
        assert lon_min <= premise.longitude < lon_max
        assert premise.latitude.as_tuple().exponent == -6


def test_every_district_gets_premises_roughly_by_population(population: Population) -> None:
    counts = Counter(premise.district for premise in population.premises)

    assert set(counts) == set(DISTRICT_POSTAL_CODES)
    assert counts["桃園區"] > counts["大溪區"] > counts["復興區"] > 0
    assert counts["桃園區"] / len(population.premises) == pytest.approx(465 / 2326, abs=0.02)


def test_reference_file_has_the_13_districts_with_their_postal_codes(reference: dict) -> None:
    districts = {district["name"]: district for district in reference["districts"]}

    assert {
        name: district["postal_code"] for name, district in districts.items()
    } == DISTRICT_POSTAL_CODES
    for name, district in districts.items():
        lat_min, lat_max, lon_min, lon_max = district["bbox"]
        assert 24.6 <= lat_min < lat_max <= 25.12, name
        assert 120.98 <= lon_min < lon_max <= 121.5, name
        # the ten districts of 90,000 people or more have at least 8 roads, the rest at least 3
        assert len(district["roads"]) >= (8 if district["population_k"] >= 90 else 3), name
        assert len({road["name"] for road in district["roads"]}) == len(district["roads"]), name
    assert sum(district["population_k"] >= 90 for district in districts.values()) == 10


# --------------------------------------------------------------------------------------------
# Readings
# --------------------------------------------------------------------------------------------


def test_readings_are_contiguous_and_inside_the_window(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    for account in population.accounts:
        readings = readings_by_account.get(account.number, [])
        for reading in readings:
            assert WINDOW_FIRST <= reading.period_start <= reading.period_end <= WINDOW_LAST
            assert reading.period_start >= account.opened_on
        for before, after in itertools.pairwise(readings):
            assert after.period_start == before.period_end + timedelta(days=1)


def test_bimonthly_periods_end_in_the_accounts_reading_months(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    for account in population.accounts:
        for reading in readings_by_account.get(account.number, []):
            end = reading.period_end
            assert (end + timedelta(days=1)).day == 1  # periods end on a month's last day
            if account.billing_cycle == "bimonthly_odd":
                assert end.month % 2 == 1
            elif account.billing_cycle == "bimonthly_even":
                assert end.month % 2 == 0
            if reading.period_start == account.opened_on:
                continue  # a new account's first, shorter period
            assert reading.period_start.day == 1
            months = (
                (end.year - reading.period_start.year) * 12
                + end.month
                - reading.period_start.month
                + 1
            )
            assert months == (1 if account.billing_cycle == "monthly" else 2)


@pytest.mark.parametrize(
    ("cycle", "expected"),
    [
        # Window 2024-03 … 2026-02: even-month readings cover it exactly; odd-month readings
        # run 2024-04/05 … 2025-12/2026-01, the window's first and last months being cut.
        ("monthly", 24),
        ("bimonthly_even", 12),
        ("bimonthly_odd", 11),
    ],
)
def test_accounts_older_than_the_window_have_every_reading(
    population: Population,
    readings_by_account: dict[str, list[demo.DemoReading]],
    cycle: str,
    expected: int,
) -> None:
    old = [
        a for a in population.accounts if a.billing_cycle == cycle and a.opened_on < WINDOW_FIRST
    ]

    assert len(old) > 1_000
    assert {len(readings_by_account[account.number]) for account in old} == {expected}


def test_new_accounts_start_reading_on_their_supply_date(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    new = [account for account in population.accounts if account.opened_on >= WINDOW_FIRST]
    unread = 0

    assert len(new) > 2_000
    for account in new:
        if account.number not in readings_by_account:
            # only an odd-month account opened in the window's last month (February 2026)
            # has no reading yet: its February–March period is still running
            assert account.billing_cycle == "bimonthly_odd"
            assert account.opened_on >= date(2026, 2, 1)
            unread += 1
            continue
        assert readings_by_account[account.number][0].period_start == account.opened_on
    assert 0 < unread < len(new) / 20


def test_tou_readings_split_their_total(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    tariff_of = {account.number: account.tariff_class for account in population.accounts}
    seen = Counter()
    for reading in population.readings:
        tariff = tariff_of[reading.account_number]
        summer = reading.period_end.month in {6, 7, 8, 9}
        assert reading.kwh_total >= 0
        if tariff == "simple_tou_2":
            assert reading.kwh_semi_peak is None
            assert reading.kwh_peak is not None
            assert reading.kwh_off_peak is not None
            assert min(reading.kwh_peak, reading.kwh_off_peak) >= 0
            assert reading.kwh_peak + reading.kwh_off_peak == reading.kwh_total
        elif tariff == "simple_tou_3":
            assert reading.kwh_peak is not None
            assert reading.kwh_semi_peak is not None
            assert reading.kwh_off_peak is not None
            assert min(reading.kwh_peak, reading.kwh_semi_peak, reading.kwh_off_peak) >= 0
            assert (
                reading.kwh_peak + reading.kwh_semi_peak + reading.kwh_off_peak == reading.kwh_total
            )
            if not summer:
                assert reading.kwh_peak == 0
        else:
            assert (reading.kwh_peak, reading.kwh_semi_peak, reading.kwh_off_peak) == (
                None,
                None,
                None,
            )
        seen[tariff] += 1
    assert seen["simple_tou_2"] > 10_000
    assert seen["simple_tou_3"] > 3_000


def _monthly_kwh(readings: list[demo.DemoReading]) -> list[tuple[int, float]]:
    """(month of the period's end, kWh per month) of each whole-month reading."""
    result = []
    for reading in readings:
        if reading.period_start.day != 1:
            continue
        months = (
            (reading.period_end.year - reading.period_start.year) * 12
            + (reading.period_end.month - reading.period_start.month)
            + 1
        )
        result.append((reading.period_end.month, reading.kwh_total / months))
    return result


def test_household_consumption_is_realistic(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    households = [
        account for account in population.accounts if account.tariff_class == "residential"
    ]
    summer: list[float] = []
    other: list[float] = []
    for account in households:
        for month, kwh in _monthly_kwh(readings_by_account.get(account.number, [])):
            # A bimonthly reading ending in June (May + June) or October (Sep + Oct) mixes seasons.
            if account.billing_cycle == "monthly" or month not in {6, 10}:
                (summer if month in {6, 7, 8, 9} else other).append(kwh)
    year_average = (sum(summer) + sum(other)) / (len(summer) + len(other))

    assert 250 <= year_average <= 400
    assert 1.3 <= (sum(summer) / len(summer)) / (sum(other) / len(other)) <= 1.6


def test_shops_use_more_than_households_and_some_premises_stand_empty(
    population: Population, readings_by_account: dict[str, list[demo.DemoReading]]
) -> None:
    def average(tariff: str) -> float:
        values = [
            kwh
            for account in population.accounts
            if account.tariff_class == tariff
            for _, kwh in _monthly_kwh(readings_by_account.get(account.number, []))
        ]
        return sum(values) / len(values)

    zero = sum(1 for reading in population.readings if reading.kwh_total == 0)

    assert average("commercial") > 2 * average("residential")
    assert 0.003 < zero / len(population.readings) < 0.02


# --------------------------------------------------------------------------------------------
# Service centres and staff
# --------------------------------------------------------------------------------------------


def test_service_centres_cover_every_district_exactly_once() -> None:
    districts = [district for centre in demo.service_centres() for district in centre.districts]

    assert sorted(districts) == sorted(DISTRICT_POSTAL_CODES)


def test_service_centres_take_lunch_payments_except_xinpo_and_xinwu() -> None:
    lunch = {centre.name_zh: centre.lunch_payment for centre in demo.service_centres()}

    assert lunch["新坡服務所"] is False
    assert lunch["新屋服務所"] is False
    assert lunch["桃園服務中心"] is True
    assert lunch["中壢服務所"] is True
    assert lunch["大園服務所"] is True
    assert sum(lunch.values()) == len(lunch) - 2


def test_service_centres_have_valid_phones_addresses_and_hours(reference: dict) -> None:
    roads = {
        district["name"]: {road["name"] for road in district["roads"]}
        for district in reference["districts"]
    }
    codes = [centre.code for centre in demo.service_centres()]
    assert len(set(codes)) == len(codes)
    for centre in demo.service_centres():
        phone = identifiers.validate_phone(centre.phone)
        assert (phone.kind, phone.national) == ("landline", centre.phone)
        district = centre.address[3:6]
        assert centre.address.startswith("桃園市")
        assert any(centre.address[6:].startswith(road) for road in roads[district]), centre.address
        assert demo.opening_hours_json(centre) == {
            day: [["08:30", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")
        }


def test_demo_staff_cover_every_department() -> None:
    staff = demo.demo_staff()
    usernames = [member.username for member in staff]
    departments = {code for code, _, _ in demo.DEPARTMENTS}
    centre_codes = {centre.code for centre in demo.service_centres()}

    assert departments == {
        "business", "billing", "design", "dispatch", "maintenance", "works",
        "general_affairs", "human_resources", "inspection", "director",
    }  # fmt: skip
    assert {member.department_code for member in staff} == departments
    assert len(set(usernames)) == len(usernames)
    assert {"business.clerk", "business.lead", "inspection.auditor", "director"} <= set(usernames)
    assert all(member.service_centre_code in centre_codes | {None} for member in staff)
    staffed = {member.service_centre_code for member in staff if member.service_centre_code}
    assert staffed == centre_codes
    supervisors = {member.department_code for member in staff if member.is_supervisor}
    assert supervisors == departments
    assert next(member for member in staff if member.username == "director").is_supervisor


# --------------------------------------------------------------------------------------------
# Memory and speed
# --------------------------------------------------------------------------------------------


def test_generate_memory_stays_flat_over_200000_accounts() -> None:
    # given: 200,000 accounts in batches of 2,000. tracemalloc slows allocation down about
    # six times, so the first 190,000 accounts are watched through the interpreter's count of
    # allocated memory blocks, and the last 10,000 are traced.
    batches = demo.generate(accounts=200_000, seed=11, until=UNTIL, batch_size=2_000)
    consumed = 0
    blocks_between_batches: list[int] = []
    for batch in batches:
        consumed += len(batch.accounts)
        del batch
        blocks_between_batches.append(sys.getallocatedblocks())
        if consumed >= 190_000:
            break
    # when
    tracemalloc.start()
    try:
        traced_between_batches: list[int] = []
        for batch in batches:
            consumed += len(batch.accounts)
            del batch
            traced_between_batches.append(tracemalloc.get_traced_memory()[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then: every account was produced; what survives a batch does not grow with the number
    # of accounts (keeping one object per account would add 180,000 blocks); and the peak is
    # about one batch of records, far below the hundreds of MB that 200,000 accounts'
    # records take
    assert consumed == 200_000
    assert len(blocks_between_batches) >= 95
    assert max(blocks_between_batches[5:]) - min(blocks_between_batches[5:]) < 10_000
    assert len(traced_between_batches) >= 5
    assert max(traced_between_batches) < 1024 * 1024
    assert peak < 16 * 1024 * 1024


def test_generate_speed_allows_a_million_accounts_in_minutes(
    capsys: pytest.CaptureFixture[str], record_property
) -> None:
    # when: CPU time is what the generator costs; wall time also counts other processes
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    readings = 0
    for batch in demo.generate(accounts=20_000, seed=13, until=UNTIL):
        readings += len(batch.readings)
    wall, cpu = time.perf_counter() - wall_started, time.process_time() - cpu_started
    rate = 20_000 / cpu
    record_property("accounts_per_cpu_second", round(rate))
    with capsys.disabled():
        sys.stdout.write(
            f"\ndemo.generate: {rate:,.0f} accounts and {readings / cpu:,.0f} readings per CPU "
            f"second ({20_000 / wall:,.0f} accounts/s wall clock); 1,000,000 accounts "
            f"≈ {1_000_000 / rate:,.0f} s\n"
        )
    # then: 1,000,000 accounts with 24 months of readings take under 5 minutes of CPU
    assert readings > 240_000
    assert 1_000_000 / rate < 300
