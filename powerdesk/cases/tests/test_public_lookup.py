"""Public progress lookup: by the QR token and by case number + the last four digits.

What is promised: masked progress with the public timeline, the expected date, what is pending
from the customer and the agreed supply date; case numbers read leniently; a wrong second
factor, an unknown case and a wrong token answered identically (status, headers, body, and the
same database work); limits per client address and per case number with 429 + Retry-After;
bad input answered 400 naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from powerdesk.cases import actions
from powerdesk.cases.domain.numbers import format_case_number
from powerdesk.core import selectors as core_selectors
from powerdesk.core.domain import masking
from powerdesk.core.domain.calendar import TAIPEI

pytestmark = pytest.mark.django_db

PHONE = "0912-345-678"
ACCOUNT = "12345678901"
LOOKUP = "/cases/track/"
ADDRESS = "桃園市中壢區中正路三段100巷2號5樓"


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    """Rate-limit counters live in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk(make_staff, centre) -> Any:
    return make_staff("business", centre=centre, username="business.clerk")


@pytest.fixture
def case(clerk, centre) -> Any:
    return actions.case_open(
        actor=clerk,
        kind="new_supply",
        channel="counter",
        applicant_name="王小明",
        applicant_phone=PHONE,
        applicant_email="wang.xiaoming@example.com",
        account_number=ACCOUNT,
        address=ADDRESS,
        works_type="overhead",
        attributes={"capacity_kw": "10", "premises_use": "residential"},
        service_centre=centre,
    )


def _normalised(response: Any) -> bytes:
    """The body with the CSRF token's value blanked: Django masks it afresh in every response
    (BREACH protection), so two renderings of one page differ only there."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"CSRF", response.content)


def _headers(response: Any) -> dict[str, str]:
    """Every header but those that differ per response by design (time, request id)."""
    return {
        name: value
        for name, value in response.headers.items()
        if name not in {"Date", "Expires", "Set-Cookie", "Content-Length", "X-Request-Id"}
    }


# --- the page ----------------------------------------------------------------------------------


def test_case_track_view_shows_masked_progress_and_public_timeline(client, case, clerk) -> None:
    # given: a public note, an internal note and a pause for a missing document
    actions.case_note_add(actor=clerk, case=case, text="內部備註：請設計組確認", public=False)
    actions.case_transition(actor=clerk, case=case, state="in_review")
    actions.case_pause(actor=clerk, case=case, reason="documents_missing", missing=["identity"])
    # when
    response = client.get(f"/en/cases/t/{case.lookup_token}/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert case.number in page
    assert "Awaiting documents" in page
    assert "What we still need from you" in page
    assert "Applicant&#x27;s identity document" in page or "Applicant's identity document" in page
    assert "王○明" in page  # masked name
    assert "王小明" not in page
    assert "345-678" not in page
    assert "0912" not in page
    assert "內部備註" not in page  # internal notes stay inside
    assert masking.mask_address(ADDRESS) in page
    assert ADDRESS not in page
    assert "no-store" in response["Cache-Control"]


def test_case_track_view_shows_expected_and_agreed_supply_dates(client, case, clerk) -> None:
    # given: a supply date agreed on a working day two months ahead
    calendar = core_selectors.working_calendar()
    supply = calendar.next_working_day(timezone.localdate() + timedelta(days=60))
    actions.case_transition(actor=clerk, case=case, state="in_review")
    actions.case_supply_date_set(
        actor=clerk, case=case, supply_date=supply, agreed_by="申請人電話同意"
    )
    case.refresh_from_db()
    expected = case.due_at.astimezone(TAIPEI).date()
    # when
    page = client.get(f"/en/cases/t/{case.lookup_token}/").content.decode()
    # then
    assert f'<dt>Expected completion</dt><dd><time datetime="{expected.isoformat()}">' in page
    assert f'<dt>Agreed supply date</dt><dd><time datetime="{supply.isoformat()}">' in page
    assert "Supply date agreed" in page  # the public timeline entry


@pytest.mark.parametrize(
    ("_case", "spell"),
    [
        ("as printed", lambda n: n),
        ("lower case", lambda n: n.lower()),
        ("no dashes", lambda n: n.replace("-", "")),
        ("full-width", lambda n: n.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})),
        ("spaces around", lambda n: f"  {n}  "),
    ],
)
def test_case_lookup_view_reads_case_numbers_leniently(client, case, _case, spell) -> None:
    # when
    response = client.post(LOOKUP, {"case_number": spell(case.number), "second_factor": "5678"})
    # then
    assert response.status_code == 200
    assert case.number in response.content.decode()


@pytest.mark.parametrize("factor", ["5678", "８９０１", "8901"])
def test_case_lookup_view_accepts_phone_or_account_digits(client, case, factor) -> None:
    response = client.post(LOOKUP, {"case_number": case.number, "second_factor": factor})
    assert response.status_code == 200


# --- enumeration resistance ---------------------------------------------------------------------


def test_wrong_factor_unknown_case_and_wrong_token_get_the_same_answer(client, case) -> None:
    # given: the CSRF cookie already set, so no response sets it
    client.get(LOOKUP)
    unknown_number = format_case_number(
        centre=case.number.split("-")[0],
        received_on=case.received_at.date(),
        serial=9999,
    )
    attempts = {
        "wrong factor": lambda: client.post(
            LOOKUP, {"case_number": case.number, "second_factor": "0000"}
        ),
        "unknown case": lambda: client.post(
            LOOKUP, {"case_number": unknown_number, "second_factor": "5678"}
        ),
        "wrong token": lambda: client.get("/cases/t/" + "A" * 32 + "/"),
        "malformed token": lambda: client.get("/cases/t/not-a-token/"),
    }
    # when
    answers = {}
    queries = {}
    for name, attempt in attempts.items():
        with CaptureQueriesContext(connection) as captured:
            answers[name] = attempt()
        queries[name] = len(captured.captured_queries)
    # then: one status, one set of headers, one body
    reference = answers["wrong factor"]
    assert reference.status_code == 404
    for name, response in answers.items():
        assert response.status_code == 404, name
        assert _headers(response) == _headers(reference), name
        assert _normalised(response) == _normalised(reference), name
    # and the page never repeats what was typed
    assert case.number not in reference.content.decode()
    assert unknown_number not in reference.content.decode()
    # and the same database work for a wrong factor and an unknown case (and a wrong token)
    assert queries["wrong factor"] == queries["unknown case"] == queries["wrong token"]


def test_the_right_factor_differs_from_the_wrong_one(client, case) -> None:
    """The comparison above could pass with every lookup broken; this shows it is not."""
    right = client.post(LOOKUP, {"case_number": case.number, "second_factor": "5678"})
    wrong = client.post(LOOKUP, {"case_number": case.number, "second_factor": "5679"})
    assert (right.status_code, wrong.status_code) == (200, 404)


# --- rate limits -----------------------------------------------------------------------------------


MOMENT = datetime(2026, 3, 2, 2, 5, 0, tzinfo=UTC)  # 300 s into a 600 s window


def test_lookups_per_client_are_limited_with_retry_after(client, case, settings) -> None:
    # given
    settings.POWERDESK = {**settings.POWERDESK, "PAGE_LOOKUP_RATE": "3/10m"}
    url = f"/en/cases/t/{case.lookup_token}/"
    with time_machine.travel(MOMENT, tick=False):
        # when
        statuses = [client.get(url).status_code for _ in range(3)]
        refused = client.get(url)
        other_client = client.get(url, REMOTE_ADDR="203.0.113.9")
    # then
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "Too many requests" in refused.content.decode()
    assert case.number not in refused.content.decode()
    assert other_client.status_code == 200
    # and the next window starts afresh
    with time_machine.travel(MOMENT + timedelta(seconds=300), tick=False):
        assert client.get(url).status_code == 200


def test_failed_lookups_per_case_number_are_limited_from_any_address(
    client, case, settings
) -> None:
    # given
    settings.POWERDESK = {
        **settings.POWERDESK,
        "PAGE_LOOKUP_RATE": "100/10m",
        "LOOKUP_FAILURE_RATE": "2/h",
    }
    spellings = [case.number, case.number.lower(), case.number.replace("-", "")]
    with time_machine.travel(MOMENT, tick=False):
        # when: three wrong guesses from three addresses, each spelling the number differently
        answers = [
            client.post(
                LOOKUP,
                {"case_number": spelling, "second_factor": f"000{index}"},
                REMOTE_ADDR=f"198.51.100.{index}",
            )
            for index, spelling in enumerate(spellings)
        ]
        # then: the third is refused, and so is the right factor now
        right = client.post(
            LOOKUP, {"case_number": case.number, "second_factor": "5678"}, REMOTE_ADDR="192.0.2.1"
        )
    assert [answer.status_code for answer in answers] == [404, 404, 429]
    assert answers[2]["Retry-After"] == str(3600 - (int(MOMENT.timestamp()) % 3600))
    assert right.status_code == 429


def test_successful_lookups_do_not_use_up_the_case_number_limit(client, case, settings) -> None:
    # given: the allowance of failures (2) is smaller than the lookups the applicant makes (5)
    settings.POWERDESK = {
        **settings.POWERDESK,
        "PAGE_LOOKUP_RATE": "100/10m",
        "LOOKUP_FAILURE_RATE": "2/h",
    }
    with time_machine.travel(MOMENT, tick=False):
        # when
        statuses = [
            client.post(LOOKUP, {"case_number": case.number, "second_factor": "5678"}).status_code
            for _ in range(5)
        ]
        # and: failures still count, two wrong guesses use the allowance up
        wrong = [
            client.post(LOOKUP, {"case_number": case.number, "second_factor": "0000"}).status_code
            for _ in range(3)
        ]
    # then
    assert statuses == [200] * 5
    assert wrong == [404, 404, 429]


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "data", "field", "message"),
    [
        (
            "empty",
            {"case_number": "", "second_factor": ""},
            "lookup-case_number",
            "This field is required.",
        ),
        (
            "not a number",
            {"case_number": "hello", "second_factor": "1234"},
            "lookup-case_number",
            "is not in the form",
        ),
        (
            "wrong check digit",
            {"case_number": "ZL-20260302-0042-0", "second_factor": "1234"},
            "lookup-case_number",
            "check digit",
        ),
        (
            "factor too short",
            {"case_number": "ZL-20260302-0042-7", "second_factor": "12"},
            "lookup-second_factor",
            "Enter 4 digits",
        ),
    ],
)
def test_case_lookup_view_refuses_bad_input_naming_the_field(
    client, _case, data, field, message
) -> None:
    response = client.post("/en" + LOOKUP, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#{field}"' in page
    assert message in page


def test_case_lookup_view_in_chinese_names_the_field(client) -> None:
    response = client.post(LOOKUP, {"case_number": "ZL-20260302-0042-0", "second_factor": "1234"})
    assert response.status_code == 400
    assert "案件編號的檢查碼不符" in response.content.decode()
