"""The cases JSON API (/api/v1/cases): staff list, search, detail and writes through the core
actions; the public progress lookup (token, or number + last four digits), its enumeration
resistance and its rate limits; bad input → a bilingual 4xx naming the field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from powerdesk.cases.domain.numbers import format_case_number
from powerdesk.cases.models import Case
from powerdesk.core.models import AuditEvent

API = "/api/v1/cases"
VALID_NUMBER = format_case_number(centre="ZL", received_on=date(2026, 3, 2), serial=42)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalogue(departments: None) -> None:
    from powerdesk.cases import actions

    actions.catalogue_sync(actor=None)
    actions.notification_templates_ensure()


@pytest.fixture
def token(catalogue: None, clerk: Any) -> str:
    from powerdesk.staff import actions

    return actions.api_token_create(actor=clerk, user=clerk, name="tests")[1]


def call(method: str, path: str, token: str | None = None, body: Any = None, **extra: Any) -> Any:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    headers.update(extra)
    if method == "get":
        return client.get(path, body or {}, **headers)
    return client.post(
        path, data=json.dumps(body or {}), content_type="application/json", **headers
    )


INQUIRY = {
    "kind": "inquiry",
    "applicant_name": "王小明",
    "applicant_phone": "0912345678",
    "applicant_email": "wang@example.org",
    "address": "桃園市中壢區中正路100號",
    "description": "詢問電費",
    "service_centre": "ZL",
}


@pytest.fixture
def opened(token: str, centre: Any) -> dict[str, Any]:
    response = call("post", API, token, INQUIRY)
    assert response.status_code == 201, response.content
    return response.json()


# --- Staff: open, list, detail -------------------------------------------------------------------


def test_open_a_case_through_the_api(opened: dict[str, Any]) -> None:
    case = Case.objects.get(number=opened["number"])
    assert case.channel == "api"
    assert case.kind.code == "inquiry"
    assert opened["state"] == "received"
    assert opened["masked"] is True
    assert opened["applicant_name"] != "王小明"
    assert "0912345678" not in json.dumps(opened)
    assert opened["timeline"][0]["kind"] == "created"
    assert AuditEvent.objects.filter(verb="case.open", channel="api").exists()


def test_unauthenticated_is_401(catalogue: None) -> None:
    assert call("get", API).status_code == 401
    assert call("post", API, body=INQUIRY).status_code == 401
    assert call("get", API, "pd_wrong").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "castle"}, "kind"),
        ({"applicant_name": ""}, "applicant_name"),
        ({"applicant_phone": "12", "applicant_email": ""}, "applicant_phone"),
        ({"applicant_phone": "", "applicant_email": ""}, "applicant_phone"),
        ({"service_centre": "XX"}, "service_centre"),
        ({"latitude": "north"}, "latitude"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"works_type": "tunnel"}, "works_type"),
    ],
)
def test_open_bad_input_is_422_naming_the_field(
    token: str, centre: Any, change: dict[str, Any], field: str
) -> None:
    before = Case.objects.count()
    response = call("post", API, token, {**INQUIRY, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in json.dumps(body)
    assert body["code"] == "invalid_input"
    assert Case.objects.count() == before


def test_open_bad_input_message_in_chinese_by_default(token: str, centre: Any) -> None:
    response = call("post", API, token, {**INQUIRY, "applicant_name": ""})
    assert response.status_code == 422
    assert "輸入資料有誤" in response.json()["message"]


def test_list_search_filters_and_pagination(token: str, centre: Any) -> None:
    numbers = []
    for index in range(3):
        response = call(
            "post",
            API,
            token,
            {**INQUIRY, "applicant_name": f"陳大文{index}", "applicant_phone": f"091234560{index}"},
        )
        assert response.status_code == 201
        numbers.append(response.json()["number"])
    body = call("get", API, token).json()
    assert body["count"] == 3
    assert {item["number"] for item in body["items"]} == set(numbers)
    assert all(item["masked"] for item in body["items"])
    paged = call("get", API, token, {"page": 2, "page_size": 2}).json()
    assert len(paged["items"]) in (1, 2)
    found = call("get", API, token, {"q": numbers[1]}).json()
    assert [item["number"] for item in found["items"]] == [numbers[1]]
    by_phone = call("get", API, token, {"q": "0912345602"}).json()
    assert [item["number"] for item in by_phone["items"]] == [numbers[2]]
    assert call("get", API, token, {"state": "received", "kind": "inquiry"}).json()["count"] == 3
    assert call("get", API, token, {"state": "scheduled"}).json()["count"] == 0
    assert call("get", API, token, {"channel": "web"}).json()["count"] == 0
    assert call("get", API, token, {"overdue": "true"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"state": "sleeping"}, "state"),
        ({"kind": "castle"}, "kind"),
        ({"sla_state": "late"}, "sla_state"),
        ({"channel": "pigeon"}, "channel"),
        ({"department": "nowhere"}, "department"),
        ({"assignee": "nobody"}, "assignee"),
        ({"open_only": "maybe"}, "open_only"),
    ],
)
def test_list_bad_filter_is_422_naming_the_field(
    token: str, query: dict[str, str], field: str
) -> None:
    response = call("get", API, token, query)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())


def test_detail_has_the_full_timeline(token: str, opened: dict[str, Any]) -> None:
    number = opened["number"]
    call("post", f"{API}/{number}/notes", token, {"text": "內部備註：待查", "public": False})
    call("post", f"{API}/{number}/notes", token, {"text": "已電話聯繫", "public": True})
    detail = call("get", f"{API}/{number}", token).json()
    notes = [entry for entry in detail["timeline"] if entry["kind"] == "note"]
    assert [(entry["note"], entry["public"]) for entry in notes] == [
        ("內部備註：待查", False),
        ("已電話聯繫", True),
    ]
    assert detail["may_work"] is True
    assert "in_review" in detail["allowed_states"]
    # Any spelling of the number works.
    spelled = number.lower().replace("-", "")
    assert call("get", f"{API}/{spelled}", token).json()["number"] == number


def test_unknown_case_is_404(token: str) -> None:
    response = call("get", f"{API}/ZL-20260302-0001-0", token)
    assert response.status_code == 404


def test_other_centre_and_department_are_denied(
    opened: dict[str, Any], make_staff: Any, other_centre: Any
) -> None:
    from powerdesk.staff import actions

    outsider = make_staff("business", centre=other_centre, username="business.dayuan")
    outsider_token = actions.api_token_create(actor=outsider, user=outsider, name="t")[1]
    number = opened["number"]
    assert call("get", f"{API}/{number}", outsider_token).status_code == 404
    assert number not in json.dumps(call("get", API, outsider_token).json())
    # Department scoping: the 工務組 has no step in an inquiry, so the case does not exist for it.
    works = make_staff("works", username="works.office")
    works_token = actions.api_token_create(actor=works, user=works, name="t")[1]
    assert call("get", f"{API}/{number}", works_token).status_code == 404
    assert call("post", f"{API}/{number}/notes", works_token, {"text": "x"}).status_code == 404
    # And it may not open cases (no case.intake).
    assert call("post", API, works_token, INQUIRY).status_code == 403


def test_a_department_sees_but_may_not_work_on_another_departments_case(
    token: str, centre: Any, make_staff: Any
) -> None:
    from powerdesk.staff import actions

    supply = {
        **INQUIRY,
        "kind": "new_supply",
        "attributes": {"capacity_kw": 15, "premises_use": "residential"},
    }
    created = call("post", API, token, supply)
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    designer = make_staff("design", username="design.office")
    design_token = actions.api_token_create(actor=designer, user=designer, name="t")[1]
    seen = call("get", f"{API}/{number}", design_token)
    assert seen.status_code == 200
    assert seen.json()["may_work"] is False
    assert call("post", f"{API}/{number}/notes", design_token, {"text": "x"}).status_code == 403


# --- Staff: writes -------------------------------------------------------------------------------


def test_transition_pause_resume_and_supply_date(token: str, opened: dict[str, Any]) -> None:
    number = opened["number"]
    moved = call("post", f"{API}/{number}/transitions", token, {"state": "in_review"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["state"] == "in_review"
    paused = call(
        "post",
        f"{API}/{number}/pause",
        token,
        {"reason": "documents_missing", "missing": ["identity", "地籍圖謄本"]},
    )
    assert paused.status_code == 200, paused.content
    body = paused.json()
    assert body["paused"] is True
    assert body["state"] == "awaiting_documents"
    texts = [item["text"] for item in body["pauses"][-1]["missing"]]
    assert "地籍圖謄本" in texts
    again = call(
        "post", f"{API}/{number}/pause", token, {"reason": "customer_request", "note": "延後"}
    )
    assert again.status_code == 409
    resumed = call("post", f"{API}/{number}/resume", token, {"note": "補件完成"})
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["paused"] is False
    assert call("post", f"{API}/{number}/resume", token, {}).status_code == 409
    # A bad transition names the field.
    bad = call("post", f"{API}/{number}/transitions", token, {"state": "closed"})
    assert bad.status_code == 422
    assert "state" in json.dumps(bad.json())
    unknown = call("post", f"{API}/{number}/transitions", token, {"state": "sleeping"})
    assert unknown.status_code == 422
    # Supply date: the past is refused, a working day ahead is recorded.
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    refused = call(
        "post",
        f"{API}/{number}/supply-date",
        token,
        {"supply_date": past, "agreed_by": "申請人電話同意"},
    )
    assert refused.status_code == 422
    assert "supply_date" in json.dumps(refused.json())
    from powerdesk.core.selectors import working_calendar

    day = timezone.localdate() + timedelta(days=14)
    calendar = working_calendar()
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    agreed = call(
        "post",
        f"{API}/{number}/supply-date",
        token,
        {"supply_date": day.isoformat(), "agreed_by": "申請人電話同意"},
    )
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["supply_date"] == day.isoformat()
    assert AuditEvent.objects.filter(verb="case.pause").exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("pause", {"reason": "holiday"}, "reason"),
        ("pause", {"reason": "documents_missing"}, "missing"),
        ("notes", {"text": ""}, "text"),
        ("supply-date", {"supply_date": "soon", "agreed_by": "x"}, "supply_date"),
        ("assign", {"assignee": "nobody"}, "assignee"),
        ("transfer", {"department": "nowhere"}, "department"),
    ],
)
def test_write_bad_input_is_422_naming_the_field(
    token: str, opened: dict[str, Any], path: str, body: dict[str, Any], field: str
) -> None:
    response = call("post", f"{API}/{opened['number']}/{path}", token, body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())


def test_assign_and_transfer(token: str, opened: dict[str, Any], make_staff: Any) -> None:
    colleague = make_staff("business", username="business.colleague")
    number = opened["number"]
    assigned = call("post", f"{API}/{number}/assign", token, {"assignee": colleague.username})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignee"] == colleague.username
    mine = call("get", API, token, {"assignee": colleague.username}).json()
    assert [item["number"] for item in mine["items"]] == [number]
    designer = make_staff("design", username="design.office")
    wrong = call("post", f"{API}/{number}/assign", token, {"assignee": designer.username})
    assert wrong.status_code == 422
    moved = call("post", f"{API}/{number}/transfer", token, {"department": "design"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["department"] == "design"
    assert moved.json()["assignee"] is None


# --- Public lookup -------------------------------------------------------------------------------


def test_lookup_by_token(opened: dict[str, Any]) -> None:
    case = Case.objects.get(number=opened["number"])
    response = call("get", f"{API}/progress/{case.lookup_token}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == case.number
    assert body["state"] == "received"
    assert "王小明" not in json.dumps(body, ensure_ascii=False)
    assert "0912345678" not in json.dumps(body)
    assert body["timeline"]
    english = call("get", f"{API}/progress/{case.lookup_token}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["state_label"] == "Received"


def test_lookup_answer_equals_the_schemas_validated_form(
    token: str, opened: dict[str, Any]
) -> None:
    """The lookups skip ninja's response validation; their answer must still be exactly what
    ``PublicCaseOut`` would validate and render, in both languages and every shape (open,
    paused with missing documents, a supply date, completed)."""
    from django.test import RequestFactory
    from django.utils import translation

    from powerdesk.api import api
    from powerdesk.cases import selectors
    from powerdesk.cases.api import public_case_out
    from powerdesk.cases.schemas import PublicCaseOut

    number = opened["number"]
    token_of_case = Case.objects.get(number=number).lookup_token
    path = f"{API}/progress/{token_of_case}"

    def check() -> None:
        for language in ("zh-hant", "en"):
            answer = call("get", path, HTTP_ACCEPT_LANGUAGE=language)
            assert answer.status_code == 200, answer.content
            # what ninja would answer: the same data validated against the schema, then rendered
            with translation.override(language):
                data = public_case_out(selectors.public_lookup_by_token(token_of_case))
            validated = PublicCaseOut.model_validate(data).model_dump()
            rendered = api.renderer.render(
                RequestFactory().get("/"), validated, response_status=200
            )
            assert answer.content.decode() == rendered

    check()
    for step in (
        ("transitions", {"state": "in_review"}),
        ("pause", {"reason": "documents_missing", "missing": ["identity", "地籍圖謄本"]}),
    ):
        assert call("post", f"{API}/{number}/{step[0]}", token, step[1]).status_code == 200
    check()
    assert call("post", f"{API}/{number}/resume", token, {}).status_code == 200
    from powerdesk.core.selectors import working_calendar

    day = timezone.localdate() + timedelta(days=14)
    while not working_calendar().is_working_day(day):
        day += timedelta(days=1)
    agreed = {"supply_date": day.isoformat(), "agreed_by": "申請人電話同意"}
    assert call("post", f"{API}/{number}/supply-date", token, agreed).status_code == 200
    check()
    for state in ("completed",):  # the agreed supply date already scheduled it
        moved = call("post", f"{API}/{number}/transitions", token, {"state": state})
        assert moved.status_code == 200, moved.content
    check()


def test_lookup_by_number_and_last_four(opened: dict[str, Any]) -> None:
    number = opened["number"]
    ok = call("post", f"{API}/lookup", body={"number": number, "last4": "5678"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["number"] == number
    spelled = call(
        "post", f"{API}/lookup", body={"number": number.lower().replace("-", " "), "last4": "5678"}
    )
    assert spelled.status_code == 200


def test_wrong_factor_looks_exactly_like_an_unknown_case(opened: dict[str, Any]) -> None:
    from powerdesk.cases.domain.numbers import CaseNumber

    number = opened["number"]
    wrong = call("post", f"{API}/lookup", body={"number": number, "last4": "0000"})
    parsed = number.split("-")
    unknown_number = str(CaseNumber(centre=parsed[0], received_on=timezone.localdate(), serial=9))
    unknown = call("post", f"{API}/lookup", body={"number": unknown_number, "last4": "5678"})
    bad_token = call("get", f"{API}/progress/{'A' * 32}")
    assert wrong.status_code == unknown.status_code == bad_token.status_code == 404
    assert wrong.content == unknown.content == bad_token.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "TY-2026", "last4": "5678"}, "number"),
        ({"number": VALID_NUMBER, "last4": "56"}, "last4"),
        ({"number": VALID_NUMBER, "last4": "abcd"}, "last4"),
        ({"last4": "5678"}, "number"),
    ],
)
def test_lookup_malformed_input_is_422_naming_the_field(
    catalogue: None, body: dict[str, str], field: str
) -> None:
    response = call("post", f"{API}/lookup", body=body)
    assert response.status_code == 422
    assert field in json.dumps(response.json())


def test_lookups_are_rate_limited_per_client_and_per_number(
    opened: dict[str, Any], settings: Any
) -> None:
    settings.POWERDESK = {
        **settings.POWERDESK,
        "PUBLIC_LOOKUP_RATE": "3/h",
        "LOOKUP_FAILURE_RATE": "3/h",
    }
    moment = timezone.now().replace(minute=0, second=5)
    with time_machine.travel(moment, tick=False):
        number = opened["number"]
        client_a = {"REMOTE_ADDR": "192.0.2.10"}
        codes = [
            call(
                "post", f"{API}/lookup", body={"number": number, "last4": "0000"}, **client_a
            ).status_code
            for _ in range(4)
        ]
        assert codes == [404, 404, 404, 429]
        limited = call(
            "post", f"{API}/lookup", body={"number": number, "last4": "5678"}, **client_a
        )
        assert limited.status_code == 429
        assert limited["Retry-After"] == "3595"
        assert limited.json()["code"] == "rate_limited"
        # Another address is also refused for this number: the number itself had 3 failures.
        client_b = {"REMOTE_ADDR": "192.0.2.11"}
        by_number = call(
            "post", f"{API}/lookup", body={"number": number, "last4": "5678"}, **client_b
        )
        assert by_number.status_code == 429
        # Token lookups count per client.
        case = Case.objects.get(number=number)
        client_c = {"REMOTE_ADDR": "192.0.2.12"}
        token_codes = [
            call("get", f"{API}/progress/{case.lookup_token}", **client_c).status_code
            for _ in range(4)
        ]
        assert token_codes == [200, 200, 200, 429]


def test_api_and_form_share_the_failures_of_a_case_number_and_successes_are_free(
    opened: dict[str, Any], settings: Any, client: Any
) -> None:
    settings.POWERDESK = {
        **settings.POWERDESK,
        "PUBLIC_LOOKUP_RATE": "100/h",
        "PAGE_LOOKUP_RATE": "100/10m",
        "LOOKUP_FAILURE_RATE": "2/h",
    }
    number = opened["number"]
    moment = timezone.now().replace(minute=0, second=5)
    with time_machine.travel(moment, tick=False):
        # The applicant's own lookups (right factor) never use up the allowance of failures.
        right = [
            call("post", f"{API}/lookup", body={"number": number, "last4": "5678"}).status_code
            for _ in range(4)
        ]
        assert right == [200] * 4
        # One wrong guess through the API and one through the web form: the allowance (2) is
        # used up for both channels, from any address.
        wrong_api = call(
            "post",
            f"{API}/lookup",
            body={"number": number, "last4": "0000"},
            REMOTE_ADDR="198.51.100.1",
        )
        wrong_form = client.post(
            "/en/cases/track/",
            {"case_number": number, "second_factor": "0000"},
            REMOTE_ADDR="198.51.100.2",
        )
        assert (wrong_api.status_code, wrong_form.status_code) == (404, 404)
        after_api = call(
            "post",
            f"{API}/lookup",
            body={"number": number, "last4": "5678"},
            REMOTE_ADDR="198.51.100.3",
        )
        after_form = client.post(
            "/en/cases/track/",
            {"case_number": number, "second_factor": "5678"},
            REMOTE_ADDR="198.51.100.4",
        )
        assert (after_api.status_code, after_form.status_code) == (429, 429)
