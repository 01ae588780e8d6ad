"""Case reads: scope by centre and department, queues, search, dashboard, public averages and
the public lookups (a wrong second factor looks exactly like an unknown case)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import NotSupportedError, connection, transaction
from django.test.utils import CaptureQueriesContext

from powerdesk.cases import actions, selectors
from powerdesk.cases.domain import numbers
from powerdesk.cases.models import Case
from powerdesk.cases.tests import test_actions_support as support
from powerdesk.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError

pytestmark = pytest.mark.django_db

clerk = support.clerk
open_case = support.open_case
t = support.t
new_supply_attributes = support.new_supply_attributes


def not_found_text(error: NotFoundError) -> tuple[str, str, str]:
    return (error.code, error.message.zh_hant, error.message.en)


# --- Public lookup -------------------------------------------------------------------------------


def test_lookup_by_token_shows_masked_progress(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
        actions.case_note_add(actor=clerk, case=case, text="內部：客戶很急")
    found = selectors.public_lookup_by_token(case.lookup_token)
    assert found.number == case.number
    assert found.applicant_masked != "王小明"
    assert found.applicant_masked.startswith("王")
    assert "100" not in found.address_masked
    assert found.expected_date == date(2026, 3, 4)
    assert [entry.kind for entry in found.timeline] == ["created"]  # internal note hidden
    assert all("客戶很急" not in entry.note for entry in found.timeline)


@pytest.mark.parametrize("token", ["", "short", "x" * 32, "!" * 32, "a" * 200])
def test_wrong_token_is_not_found(open_case: Callable[..., Case], token: str) -> None:
    open_case()
    with pytest.raises(NotFoundError):
        selectors.public_lookup_by_token(token)


def test_lookup_by_number_and_phone_or_account_digits(open_case: Callable[..., Case]) -> None:
    case = open_case()
    assert selectors.public_lookup_by_number(case.number, "5678").number == case.number
    assert selectors.public_lookup_by_number(case.number, "7895").number == case.number
    spaced = case.number.replace("-", " ").lower()
    assert selectors.public_lookup_by_number(spaced, "５６７８").number == case.number


def test_wrong_factor_looks_exactly_like_an_unknown_case(open_case: Callable[..., Case]) -> None:
    case = open_case()
    parsed = numbers.parse_case_number(case.number)
    unknown = numbers.format_case_number(
        centre=parsed.centre, received_on=parsed.received_on, serial=parsed.serial + 1
    )
    with pytest.raises(NotFoundError) as wrong_factor:
        selectors.public_lookup_by_number(case.number, "0000")
    with pytest.raises(NotFoundError) as no_case:
        selectors.public_lookup_by_number(unknown, "5678")
    assert not_found_text(wrong_factor.value) == not_found_text(no_case.value)
    assert wrong_factor.value.as_dict("en") == no_case.value.as_dict("en")


def test_lookup_is_one_indexed_query(open_case: Callable[..., Case]) -> None:
    case = open_case()
    with CaptureQueriesContext(connection) as queries, pytest.raises(NotFoundError):
        selectors.public_lookup_by_number(case.number, "0000")
    assert len(queries.captured_queries) == 1
    assert '"number" =' in queries.captured_queries[0]["sql"]


def test_lookup_passes_through_execute_wrappers(open_case: Callable[..., Case]) -> None:
    """SQL tools that wrap the connection's queries (query blockers, profilers) see the lookup,
    prepared or not."""
    case = open_case()
    seen: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert selectors.public_lookup_by_token(case.lookup_token).number == case.number
    assert len(seen) == 1
    assert '"lookup_token" =' in seen[0]

    def block(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise RuntimeError("no queries here")

    with connection.execute_wrapper(block), pytest.raises(RuntimeError, match="no queries"):
        selectors.public_lookup_by_token(case.lookup_token)


@pytest.mark.postgres
def test_lookup_is_a_prepared_statement_on_postgresql(open_case: Callable[..., Case]) -> None:
    """On PostgreSQL the lookup is parsed and planned once per connection, then only run."""
    case = open_case()
    for _ in range(3):
        selectors.public_lookup_by_token(case.lookup_token)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), max(generic_plans + custom_plans) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%"cases_case"."lookup_token" = $1%'],
        )
        prepared, runs = cursor.fetchone()
    assert prepared == 1
    assert runs >= 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stale_prepared_statement_is_replaced(open_case: Callable[..., Case]) -> None:
    """A migration that changes a column's type makes the prepared plan stale; the lookup
    drops the connection and answers from a new one instead of failing until it expires."""
    actions.catalogue_sync(actor=None)  # an earlier transactional test may have flushed it
    case = open_case()
    for _ in range(2):
        selectors.public_lookup_by_token(case.lookup_token)
    # the migration runs in another process: another connection
    migrate = connection.get_new_connection(connection.get_connection_params())
    migrate.autocommit = True
    try:
        migrate.execute("ALTER TABLE cases_case ALTER COLUMN applicant_name TYPE varchar(121)")
        assert selectors.public_lookup_by_token(case.lookup_token).number == case.number
        assert selectors.public_lookup_by_token(case.lookup_token).number == case.number
        # inside a transaction the error stands; the connection is replaced after the request
        migrate.execute("ALTER TABLE cases_case ALTER COLUMN applicant_name TYPE varchar(122)")
        with pytest.raises(NotSupportedError), transaction.atomic():
            selectors.public_lookup_by_token(case.lookup_token)
        connection.close_if_unusable_or_obsolete()  # what Django does when a request ends
        assert connection.connection is None
        assert selectors.public_lookup_by_token(case.lookup_token).number == case.number
    finally:
        migrate.execute("ALTER TABLE cases_case ALTER COLUMN applicant_name TYPE varchar(120)")
        migrate.close()


def test_malformed_lookup_input_names_the_field(open_case: Callable[..., Case]) -> None:
    case = open_case()
    with pytest.raises(InvalidInputError) as caught:
        selectors.public_lookup_by_number("TY-2026", "12")
    assert {p.field for p in caught.value.problems} == {"number", "last4"}
    # A single mistyped digit is caught by the check digit, not looked up.
    typo = case.number[:-1] + str((int(case.number[-1]) + 1) % 10)
    with pytest.raises(InvalidInputError):
        selectors.public_lookup_by_number(typo, "5678")


def test_pending_items_and_pause_are_public(open_case: Callable[..., Case], clerk: Any) -> None:
    case = open_case()
    actions.case_pause(
        actor=clerk, case=case, reason="documents_missing", missing=["application_form"]
    )
    found = selectors.public_lookup_by_token(case.lookup_token)
    assert found.paused
    assert found.pause_reason is not None
    assert [item.en for item in found.pending] == ["Name change form"]
    assert found.state_label.zh_hant == "待補件"


# --- Staff scope ---------------------------------------------------------------------------------


def test_queues_are_scoped_by_centre_and_department(
    open_case: Callable[..., Case],
    clerk: Any,
    make_staff: Callable[..., Any],
    centre: Any,
    other_centre: Any,
) -> None:
    supply = open_case(kind="new_supply", attributes=new_supply_attributes())
    rename = open_case()
    far_clerk = make_staff("business", centre=other_centre, username="far")
    far = open_case(actor=far_clerk, service_centre=other_centre)
    director = make_staff("director", username="director")
    designer = make_staff("design", centre=centre)
    hr = make_staff("human_resources", centre=centre)
    assert set(selectors.case_list_for(clerk)) == {supply, rename}
    assert set(selectors.case_list_for(director)) == {supply, rename, far}
    assert set(selectors.case_list_for(designer)) == {supply}
    assert list(selectors.case_queue_for(designer)) == []  # still at 業務組
    assert set(selectors.case_queue_for(clerk)) == {supply, rename}
    with pytest.raises(PermissionDeniedError):
        selectors.case_list_for(hr)
    with pytest.raises(NotFoundError):
        selectors.access_case(hr, rename.number)
    assert selectors.access_case(clerk, rename.pk) == rename


def test_search_by_number_account_phone_name_and_address(
    open_case: Callable[..., Case], clerk: Any
) -> None:
    case = open_case()
    other = open_case(
        applicant_name="林美麗",
        applicant_phone="0922-111-222",
        applicant_email="",
        address="桃園市中壢區環北路5號",
        attributes={"account_number": "09876543210"},
    )
    assert list(selectors.case_search(clerk, case.number.lower())) == [case]
    assert list(selectors.case_search(clerk, "09876543210")) == [other]
    assert list(selectors.case_search(clerk, "0922111222")) == [other]
    assert list(selectors.case_search(clerk, "王小明")) == [case]
    assert list(selectors.case_search(clerk, "環北路")) == [other]
    assert list(selectors.case_search(clerk, "")) == []


def test_overdue_list_and_sla_badges(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        late = open_case()
    with time_machine.travel(t("2026-03-05T10:00"), tick=False):
        fresh = open_case()
        assert list(selectors.case_overdue_list(clerk)) == [late]
        assert selectors.sla_label(late).css == "sla-overdue"
        assert selectors.sla_label(fresh).css == "sla-ok"
        assert selectors.sla_label(fresh).text.en.startswith("On time")


def test_dashboard_counts_and_on_time_share(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        on_time, late, still_open = open_case(), open_case(), open_case()
    with time_machine.travel(t("2026-03-03T10:00"), tick=False):
        actions.case_complete(actor=clerk, case=on_time)
    with time_machine.travel(t("2026-03-06T10:00"), tick=False):
        actions.case_complete(actor=clerk, case=late)
        board = selectors.case_dashboard(clerk, months=3)
    assert (board.open, board.overdue) == (1, 1)
    row = next(r for r in board.by_kind if r.kind_code == "name_change")
    assert (row.completed, row.on_time, row.on_time_share) == (2, 1, Decimal("0.500"))
    march = board.by_month[-1]
    assert march.month == date(2026, 3, 1)
    assert (march.completed, march.on_time) == (2, 1)
    assert still_open.is_open


def test_public_averages_exclude_pauses(open_case: Callable[..., Case], clerk: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        quick, paused = open_case(), open_case()
    with time_machine.travel(t("2026-03-03T09:00"), tick=False):
        actions.case_pause(actor=clerk, case=paused, reason="documents_missing", missing=["補件"])
    with time_machine.travel(t("2026-03-04T10:00"), tick=False):
        actions.case_complete(actor=clerk, case=quick)  # Tue + Wed: 2 days
    with time_machine.travel(t("2026-03-09T08:00"), tick=False):  # Monday before opening
        paused = actions.case_resume(actor=clerk, case=paused)
    with time_machine.travel(t("2026-03-09T11:00"), tick=False):
        actions.case_complete(actor=clerk, case=paused)  # Tue (part) + Mon: 2 days
    rows = selectors.public_average_working_days()
    row = next(r for r in rows if r.kind_code == "name_change")
    assert (row.works_type, row.cases, row.average_days) == ("none", 2, Decimal("2.0"))
    assert row.works_label.zh_hant == "無外線工程"


def test_open311_requests_filters(open_case: Callable[..., Case], clerk: Any) -> None:
    client, _key = actions.open311_client_create(actor=clerk, name="app")
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        mine = actions.case_open(
            actor=None,
            kind="inquiry",
            channel="open311",
            applicant_name="Jane",
            applicant_email="jane@example.org",
            open311_client=client,
        )
        open_case()  # counter case: not published
        assert selectors.open311_requests() == [mine]
        assert selectors.open311_requests(status="closed") == []
        assert selectors.open311_requests(service_request_ids=[mine.number]) == [mine]
        assert selectors.open311_requests(service_code="CPS-101") == []
    assert selectors.kind_by_service_code("CPS-501") is not None
    assert selectors.kind_by_service_code("CPS-999") is None


def test_receipt_data(open_case: Callable[..., Case], centre: Any) -> None:
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        case = open_case()
    receipt = selectors.receipt_data(case)
    assert receipt.tracking_url.endswith(f"/cases/t/{case.lookup_token}/")
    assert receipt.expected_date == date(2026, 3, 4)
    assert receipt.limit_label.zh_hant == "2 個工作天"
    assert [d.code for d in receipt.documents] == ["application_form", "name_change_proof"]
    assert receipt.centre_phone == centre.phone
    assert receipt.applicant_masked != case.applicant_name
