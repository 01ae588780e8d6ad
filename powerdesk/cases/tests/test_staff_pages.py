"""Staff case pages: counter intake, queues and search, bulk reassignment, the case page and
its actions, attachments, the receipt, the dashboard and export, the catalogue editor; scope by
department and service centre; bad input gives 400 with the field named and saves nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from powerdesk.cases import actions
from powerdesk.cases.models import Case, CaseAttachment, CaseEvent, CaseKind, CasePause
from powerdesk.cases.tests import test_actions_support as support
from powerdesk.core.models import AuditEvent
from powerdesk.notifications.tests.test_letters import pdf_pages

pytestmark = pytest.mark.django_db

attachment_root = support.attachment_root
t = support.t

BASE = "/staff/cases/"
EN = "/en/staff/cases/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ACCOUNT = "01234567895"


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[None]:
    """Every test runs on Monday 2 March 2026, 10:00 Taiwan time (a working day)."""
    with time_machine.travel(t("2026-03-02T10:00"), tick=False):
        yield


@pytest.fixture
def clerk(make_staff: Callable[..., Any], centre: Any) -> Any:
    """業務組 counter clerk of centre ZL."""
    return make_staff("business", centre=centre, username="clerk.zl")


@pytest.fixture
def colleague(make_staff: Callable[..., Any], centre: Any) -> Any:
    return make_staff("business", centre=centre, username="colleague.zl")


@pytest.fixture
def other_clerk(make_staff: Callable[..., Any], other_centre: Any) -> Any:
    """業務組 clerk of centre DY (another centre)."""
    return make_staff("business", centre=other_centre, username="clerk.dy")


@pytest.fixture
def designer(make_staff: Callable[..., Any], centre: Any) -> Any:
    """設計組 of centre ZL: sees cases with a design step, works only on design's cases."""
    return make_staff("design", centre=centre, username="design.zl")


@pytest.fixture
def inspector(make_staff: Callable[..., Any]) -> Any:
    """督導室, office-wide: reads and supervises, does not work on cases."""
    return make_staff("inspection", username="inspection.office")


@pytest.fixture
def customer(clerk: Any, centre: Any) -> Any:
    from powerdesk.customers import actions as customer_actions

    person = customer_actions.customer_create(
        actor=clerk,
        kind="person",
        name="王小明",
        id_kind="national_id",
        id_number="A123456789",
        mobile="0912345678",
        email="wang.xiaoming@example.com",
        service_centre=centre,
        consents={"sms": True, "email": True},
    )
    customer_actions.account_open(
        actor=clerk,
        customer=person,
        number=ACCOUNT,
        address="桃園市中壢區中正路三段100巷2號5樓",
        service_centre=centre,
        tariff_class="residential",
        phase="single",
        meter_amperes=30,
        billing_cycle="bimonthly_odd",
    )
    return person


@pytest.fixture
def open_case(clerk: Any, centre: Any) -> Callable[..., Case]:
    def make(**overrides: Any) -> Case:
        values: dict[str, Any] = {
            "actor": clerk,
            "kind": "name_change",
            "channel": "counter",
            "applicant_name": "王小明",
            "applicant_phone": "0912-345-678",
            "applicant_email": "ming@example.tw",
            "address": "桃園市中壢區中正路100號",
            "attributes": {"account_number": ACCOUNT},
            "service_centre": centre,
        }
        values.update(overrides)
        return actions.case_open(**values)

    return make


def intake_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "name_change",
        "channel": "counter",
        "works_type": "none",
        "applicant_name": "王小明",
        "applicant_phone": "0912-345-678",
        "applicant_email": "",
        "applicant_language": "zh-hant",
        "address": "桃園市中壢區中正路100號",
        "attr_account_number": ACCOUNT,
        "customer_query": "",
    }
    data.update(overrides)
    return data


def stored_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*")) if folder.exists() else []


# --- Counter intake -----------------------------------------------------------------------------


def test_intake_shows_the_checklist_of_the_kind_without_javascript(client, clerk):
    # given
    client.force_login(clerk)
    # when: the kind typed by part of its name, submitted as a plain GET form
    response = client.get(EN + "intake/", {"kind": "Name change"})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Name change form" in html
    assert "Proof of the change (household record or amended registration)" in html
    assert "2 working days" in html
    assert 'name="attr_account_number"' in html
    assert 'list="kind-options"' in html


def test_intake_kind_fragment_for_htmx_finds_the_kind_by_chinese_name(client, clerk):
    client.force_login(clerk)
    response = client.get(BASE + "intake/kind/", {"kind": "更名"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "更名申請書" in html
    assert '<input type="hidden" name="kind" value="name_change">' in html
    assert "<html" not in html


def test_intake_kind_fragment_says_so_when_nothing_matches(client, clerk):
    client.force_login(clerk)
    response = client.get(EN + "intake/kind/", {"kind": "no such thing"})
    assert 'No single kind matches "no such thing"' in response.content.decode()


def test_intake_customer_lookup_lists_masked_customers_and_accounts(client, clerk, customer):
    client.force_login(clerk)
    response = client.get(BASE + "intake/customers/", {"customer_query": "0912345678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{customer.pk}"' in html
    assert f'value="{ACCOUNT}"' in html
    assert "王小明" not in html  # masked
    assert "王○明" in html or "王*明" in html or "王" in html


def test_intake_opens_a_case_with_an_attachment_and_goes_to_its_page(
    client, clerk, customer, attachment_root
):
    # given
    client.force_login(clerk)
    upload = SimpleUploadedFile("申請書.pdf", PDF, content_type="application/pdf")
    # when: the customer chosen from the lookup, contact left to the customer's record
    response = client.post(
        EN + "intake/",
        intake_data(
            applicant_name="",
            applicant_phone="",
            customer=str(customer.pk),
            account_choice=ACCOUNT,
            attr_account_number="",
            queue_ticket_ref="A012",
            attachments=upload,
        ),
    )
    # then
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/cases/{case.number}/?new=1"
    assert (case.kind.code, case.channel, case.customer_id) == (
        "name_change",
        "counter",
        customer.pk,
    )
    assert (case.applicant_name, case.account_number) == ("王小明", ACCOUNT)
    assert case.queue_ticket_ref == "A012"
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.original_name == "申請書.pdf"
    assert len(stored_files(attachment_root)) == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f"Case {case.number} was opened" in html
    assert f"/en/staff/cases/{case.number}/receipt.pdf" in html
    assert "Print the receipt (PDF)" in html


def test_intake_bad_input_is_400_naming_the_fields_and_saves_nothing(
    client, clerk, attachment_root
):
    # given
    client.force_login(clerk)
    before = AuditEvent.objects.count()
    # when: no name, no phone or e-mail, and no account number for a name change
    response = client.post(
        EN + "intake/",
        intake_data(applicant_name="", applicant_phone="", attr_account_number=""),
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Account number (電號, 11 digits)" in html
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_intake_of_a_forwarded_1911_call(client, clerk):
    client.force_login(clerk)
    response = client.post(
        EN + "intake/",
        intake_data(
            kind="call_1911_inquiry",
            channel="1911",
            attr_account_number="",
            description="用戶詢問電費計算方式",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.kind.code, case.channel) == ("call_1911_inquiry", "1911")
    page = client.get(response["Location"]).content.decode()
    assert "working hours" in page


def test_intake_unknown_kind_is_400(client, clerk):
    client.force_login(clerk)
    response = client.post(EN + "intake/", intake_data(kind="teleportation"))
    assert response.status_code == 400
    assert "There is no application kind &#x27;teleportation&#x27;" in response.content.decode()
    assert Case.objects.count() == 0


def test_intake_disguised_attachment_refuses_the_whole_intake(client, clerk, attachment_root):
    # given: a PNG named .pdf, after a good PDF
    client.force_login(clerk)
    good = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    bad = SimpleUploadedFile("b.pdf", PNG, content_type="application/pdf")
    # when
    response = client.post(EN + "intake/", intake_data(attachments=[good, bad]))
    # then: no case, no attachment row, no file left behind
    assert response.status_code == 400
    assert "does not match its extension" in response.content.decode()
    assert Case.objects.count() == 0
    assert CaseAttachment.objects.count() == 0
    assert stored_files(attachment_root) == []


def test_intake_is_for_the_business_section_only(client, designer, inspector):
    for user in (designer, inspector):
        client.force_login(user)
        assert client.get(BASE + "intake/").status_code == 403
        response = client.post(BASE + "intake/", intake_data())
        assert response.status_code == 403
    assert Case.objects.count() == 0


# --- Queues, search, bulk reassignment ----------------------------------------------------------


def test_queue_lists_the_department_cases_with_sla_text_and_masked_names(client, clerk, open_case):
    # given
    first = open_case()
    second = open_case(applicant_name="李大華", address="桃園市中壢區中央西路二段5號")
    client.force_login(clerk)
    # when
    response = client.get(EN)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert [row["number"] for row in response.context["rows"]] == [first.number, second.number]
    assert "On time (0% used)" in html
    assert 'class="sla sla-ok"' in html
    assert "王小明" not in html
    assert "李大華" not in html
    assert "2 cases match." in html


def test_office_wide_inspection_sees_every_department_and_centre(
    client, inspector, open_case, other_clerk, other_centre
):
    here = open_case()
    there = open_case(actor=other_clerk, service_centre=other_centre)
    client.force_login(inspector)
    response = client.get(EN)
    assert {r["number"] for r in response.context["rows"]} == {here.number, there.number}
    assert response.context["may_bulk"] is True  # 督導室 supervises: may reassign in bulk


def test_queue_queries_do_not_grow_with_the_rows(client, clerk, open_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    open_case()
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as one:
        client.get(BASE)
    for _ in range(4):
        open_case()
    with CaptureQueriesContext(connection) as five:
        response = client.get(BASE)
    assert len(response.context["rows"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_queue_search_by_number_account_and_phone(client, clerk, open_case):
    case = open_case()
    other = open_case(applicant_phone="0933-111-222", attributes={"account_number": "98765432103"})
    client.force_login(clerk)
    by_number = client.get(BASE, {"q": case.number.lower()})
    by_account = client.get(BASE, {"q": "98765432103"})
    by_phone = client.get(BASE, {"q": "0933111222"})
    assert [r["number"] for r in by_number.context["rows"]] == [case.number]
    assert [r["number"] for r in by_account.context["rows"]] == [other.number]
    assert [r["number"] for r in by_phone.context["rows"]] == [other.number]


def test_queue_htmx_search_returns_only_the_results(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    response = client.get(BASE, {"q": case.number}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert case.number in html


def test_queue_filters_overdue_and_kind(client, clerk, open_case):
    # given: a name change (2 working days) opened on Monday, looked at on Friday
    case = open_case()
    with time_machine.travel(t("2026-03-06T10:00"), tick=False):
        client.force_login(clerk)  # a new session: staff sessions are short
        overdue = client.get(EN, {"sla": "overdue"})
        due_soon = client.get(EN, {"sla": "due_soon"})
        other_kind = client.get(EN, {"kind": "termination"})
    assert [r["number"] for r in overdue.context["rows"]] == [case.number]
    assert "Overdue" in overdue.content.decode()
    assert due_soon.context["rows"] == []
    assert other_kind.context["rows"] == []


def test_queue_bad_filter_is_400_naming_it(client, clerk):
    client.force_login(clerk)
    response = client.get(EN, {"state": "lost", "sort": "sideways"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Unknown state &#x27;lost&#x27;" in html
    assert "Unknown sort order &#x27;sideways&#x27;" in html


def test_queue_exports_csv_and_ods_masked(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    response = client.get(BASE, {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["number", "kind", "state"]
    assert rows[1][:3] == [case.number, "name_change", "received"]
    assert "王小明" not in text
    ods = client.get(BASE, {"format": "ods"})
    archive = zipfile.ZipFile(io.BytesIO(ods.content))
    assert archive.namelist()[0] == "mimetype"
    assert case.number in archive.read("content.xml").decode()


def test_my_cases_lists_only_the_cases_assigned_to_me(client, clerk, colleague, open_case):
    mine = open_case()
    open_case()
    actions.case_assign(actor=clerk, case=mine, assignee=colleague)
    client.force_login(colleague)
    response = client.get(BASE + "mine/")
    assert [r["number"] for r in response.context["rows"]] == [mine.number]


def test_my_cases_shows_my_notices_and_marks_them_read(client, clerk, colleague, open_case):
    # given: an assignment tells the assignee
    case = open_case()
    actions.case_assign(actor=clerk, case=case, assignee=colleague)
    client.force_login(colleague)
    # when
    page = client.get(EN + "mine/")
    notices = page.context["notices"]
    # then
    assert [(n["code"], n["number"]) for n in notices] == [("assigned", case.number)]
    assert "Notices for you" in page.content.decode()
    client.force_login(clerk)
    assert client.post(EN + f"notices/{notices[0]['id']}/read/").status_code == 404
    client.force_login(colleague)
    read = client.post(EN + f"notices/{notices[0]['id']}/read/")
    assert read.status_code == 302
    assert client.get(EN + "mine/").context["notices"] == []


def test_department_filter_shows_that_department_only(client, clerk, open_case):
    business = open_case()
    moved = open_case(kind="new_supply", attributes=support.new_supply_attributes())
    actions.case_transfer(actor=clerk, case=moved, department="design")
    client.force_login(clerk)
    own = client.get(BASE)
    design = client.get(BASE, {"department": "design"})
    everyone = client.get(BASE, {"department": "all"})
    assert [r["number"] for r in own.context["rows"]] == [business.number]
    assert [r["number"] for r in design.context["rows"]] == [moved.number]
    assert {r["number"] for r in everyone.context["rows"]} == {business.number, moved.number}


def test_bulk_reassignment_assigns_every_ticked_case_and_audits(
    client, clerk, colleague, open_case
):
    # given
    first, second = open_case(), open_case()
    client.force_login(clerk)
    # when
    response = client.post(
        EN + "bulk-assign/",
        {"case_ids": [first.pk, second.pk], "assignee": colleague.pk, "next": "/en/staff/cases/"},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/en/staff/cases/"
    assert set(Case.objects.values_list("assignee_id", flat=True)) == {colleague.pk}
    assert (
        AuditEvent.objects.filter(
            verb__startswith="case.",
            target_id__in=[str(first.pk), str(second.pk)],
            verb__contains="assign",
        ).count()
        >= 2
    )


def test_bulk_reassignment_without_a_person_is_400_and_changes_nothing(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    response = client.post(EN + "bulk-assign/", {"case_ids": [case.pk], "assignee": ""})
    assert response.status_code == 400
    assert "Choose the person to assign the cases to." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee_id is None


def test_bulk_reassignment_of_another_centres_case_changes_nothing(
    client, other_clerk, clerk, colleague, open_case
):
    case = open_case()
    client.force_login(other_clerk)
    response = client.post(EN + "bulk-assign/", {"case_ids": [case.pk], "assignee": colleague.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assignee_id is None


# --- The case page ------------------------------------------------------------------------------


def test_case_page_shows_facts_sla_bar_and_a_marked_timeline(client, clerk, open_case):
    # given
    case = open_case()
    actions.case_note_add(actor=clerk, case=case, text="內部：已核對戶籍謄本")
    client.force_login(clerk)
    # when
    response = client.get(EN + f"{case.number}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Case {case.number}" in html
    assert '<meter id="sla-meter"' in html
    assert "內部：已核對戶籍謄本" in html
    assert "timeline__item--internal" in html
    assert "timeline__item--public" in html
    assert ">Internal<" in html
    assert ">Public<" in html
    assert "王小明" not in html  # masked until asked
    assert "0912-345-678" not in html
    assert ACCOUNT not in html  # also where the kind asked for it


def test_unmasking_the_applicant_is_a_post_and_is_audited(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    assert client.get(BASE + f"{case.number}/personal/").status_code == 405
    response = client.post(BASE + f"{case.number}/personal/")
    assert response.status_code == 200
    assert "王小明" in response.content.decode()
    assert AuditEvent.objects.filter(verb="case.view_personal", target_id=str(case.pk)).count() == 1


def test_another_centres_case_is_not_found_and_its_forms_change_nothing(
    client, other_clerk, open_case
):
    # given
    case = open_case()
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(other_clerk)
    # when / then
    assert client.get(BASE + f"{case.number}/").status_code == 404
    assert client.get(BASE + f"{case.number}/receipt.pdf").status_code == 404
    assert (
        client.post(
            BASE + f"{case.number}/note/", {"note-text": "x", "note-public": "0"}
        ).status_code
        == 404
    )
    assert (
        client.post(BASE + f"{case.number}/state/", {"transition-state": "in_review"}).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.state == "received"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_another_department_may_read_but_not_work_on_a_business_case(client, designer, open_case):
    # given: a new supply has a design step, so design sees it, but it sits with business
    case = open_case(kind="new_supply", attributes=support.new_supply_attributes())
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(designer)
    # when
    page = client.get(EN + f"{case.number}/")
    note = client.post(EN + f"{case.number}/note/", {"note-text": "設計意見", "note-public": "0"})
    # then
    assert page.status_code == 200
    assert "Your role lets you read this case but not work on it." in page.content.decode()
    assert note.status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_department_without_a_step_does_not_see_the_case(client, designer, open_case):
    case = open_case()  # name change: business only
    client.force_login(designer)
    assert client.get(BASE + f"{case.number}/").status_code == 404


def test_transition_changes_the_state_and_a_bad_one_is_400(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    bad = client.post(EN + f"{case.number}/state/", {"transition-state": "closed"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    good = client.post(EN + f"{case.number}/state/", {"transition-state": "in_review"})
    assert good.status_code == 302
    case.refresh_from_db()
    assert case.state == "in_review"


def test_complete_then_close_shows_the_time_limit_met(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    for state in ("in_review", "completed"):
        response = client.post(EN + f"{case.number}/state/", {"transition-state": state})
        assert response.status_code == 302
    page = client.get(EN + f"{case.number}/").content.decode()
    assert "Completed on time" in page
    closed = client.post(EN + f"{case.number}/state/", {"transition-state": "closed"})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.is_open, case.sla_state) == ("closed", False, "met")
    page = client.get(EN + f"{case.number}/").content.decode()
    assert 'action="/en/staff/cases/' + case.number + '/state/"' not in page


def test_cancel_without_a_reason_is_400_naming_the_note(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    response = client.post(EN + f"{case.number}/state/", {"transition-state": "cancelled"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "received"


def test_public_and_internal_notes(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    client.post(BASE + f"{case.number}/note/", {"note-text": "內部備註", "note-public": "0"})
    client.post(BASE + f"{case.number}/note/", {"note-text": "已收到您的文件", "note-public": "1"})
    notes = CaseEvent.objects.filter(case=case, kind="note").order_by("id")
    assert [(n.note, n.public) for n in notes] == [("內部備註", False), ("已收到您的文件", True)]
    empty = client.post(EN + f"{case.number}/note/", {"note-text": "", "note-public": "0"})
    assert empty.status_code == 400
    assert CaseEvent.objects.filter(case=case, kind="note").count() == 2


def test_response_template_fills_the_public_note(client, clerk, open_case):
    # given: a template added to the kind through the catalogue action
    kind = CaseKind.objects.get(code="name_change")
    actions.catalogue_kind_update(
        actor=clerk,
        kind=kind,
        changes={
            "response_templates": [
                {
                    "code": "docs_ok",
                    "name": {"zh_hant": "文件齊全", "en": "Documents complete"},
                    "text": {
                        "zh_hant": "您的文件已齊全，我們將儘速辦理。",
                        "en": "Your documents are complete.",
                    },
                }
            ]
        },
    )
    case = open_case()
    client.force_login(clerk)
    # when
    response = client.get(EN + f"{case.number}/", {"template": "docs_ok"})
    # then
    html = response.content.decode()
    assert "Documents complete" in html
    assert "您的文件已齊全，我們將儘速辦理。</textarea>" in html


def test_pause_for_missing_documents_and_resume(client, clerk, open_case):
    case = open_case()
    client.force_login(clerk)
    missing = client.post(EN + f"{case.number}/pause/", {"pause-reason": "documents_missing"})
    assert missing.status_code == 400  # what is missing must be said
    assert not CasePause.objects.filter(case=case).exists()
    paused = client.post(
        EN + f"{case.number}/pause/",
        {"pause-reason": "documents_missing", "pause-missing": ["name_change_proof"]},
    )
    assert paused.status_code == 302
    case.refresh_from_db()
    assert (case.paused, case.state) == (True, "awaiting_documents")
    page = client.get(EN + f"{case.number}/").content.decode()
    assert "Clock paused" in page
    assert "Proof of the change (household record or amended registration)" in page
    again = client.post(
        EN + f"{case.number}/pause/",
        {"pause-reason": "customer_request"},
    )
    assert again.status_code == 400
    resumed = client.post(EN + f"{case.number}/resume/", {"resume-note": "文件已補齊"})
    assert resumed.status_code == 302
    case.refresh_from_db()
    assert (case.paused, case.state) == (False, "in_review")


def test_supply_date_needs_the_customers_agreement_and_a_future_working_day(
    client, clerk, open_case
):
    case = open_case(kind="new_supply", attributes=support.new_supply_attributes())
    client.force_login(clerk)
    past = client.post(
        EN + f"{case.number}/supply-date/",
        {"supply-supply_date": "2026-02-27", "supply-agreed_by": "申請人電話同意"},
    )
    assert past.status_code == 400
    nobody = client.post(EN + f"{case.number}/supply-date/", {"supply-supply_date": "2026-03-10"})
    assert nobody.status_code == 400
    case.refresh_from_db()
    assert case.supply_date is None
    good = client.post(
        EN + f"{case.number}/supply-date/",
        {"supply-supply_date": "2026-03-10", "supply-agreed_by": "申請人王先生電話同意"},
    )
    assert good.status_code == 302
    case.refresh_from_db()
    assert (case.supply_date, case.supply_date_agreed_by) == (
        date(2026, 3, 10),
        "申請人王先生電話同意",
    )


def test_attachment_upload_and_permission_checked_download(
    client, clerk, other_clerk, open_case, attachment_root
):
    # given
    case = open_case()
    client.force_login(clerk)
    # when
    disguised = client.post(
        EN + f"{case.number}/attachments/",
        {"attachment-file": SimpleUploadedFile("x.pdf", PNG)},
    )
    uploaded = client.post(
        EN + f"{case.number}/attachments/",
        {
            "attachment-file": SimpleUploadedFile("圖面.pdf", PDF),
            "attachment-description": "配線圖",
        },
    )
    # then
    assert disguised.status_code == 400
    assert "does not match its extension" in disguised.content.decode()
    assert uploaded.status_code == 302
    attachment = CaseAttachment.objects.get(case=case)
    download = client.get(BASE + f"attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(verb="case.attachment_view").count() == 1
    client.force_login(other_clerk)
    assert client.get(BASE + f"attachments/{attachment.pk}/").status_code == 404


def test_assign_and_transfer(client, clerk, colleague, open_case):
    case = open_case(kind="new_supply", attributes=support.new_supply_attributes())
    client.force_login(clerk)
    assigned = client.post(EN + f"{case.number}/assign/", {"assign-assignee": colleague.pk})
    assert assigned.status_code == 302
    case.refresh_from_db()
    assert case.assignee_id == colleague.pk
    nobody = client.post(EN + f"{case.number}/transfer/", {"transfer-department": "nowhere"})
    assert nobody.status_code == 400
    moved = client.post(EN + f"{case.number}/transfer/", {"transfer-department": "design"})
    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.department_id == "design"


def test_staff_receipt_prints_the_number_checklist_and_tracking_link(
    client, clerk, open_case, tmp_path
):
    # given
    case = open_case()
    client.force_login(clerk)
    # when
    response = client.get(BASE + f"{case.number}/receipt.pdf")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.content)
    text = "".join("\n".join(pdf_pages(path)[0]).split())
    assert case.number in text
    assert "更名申請書" in text
    assert f"/cases/t/{case.lookup_token}/" in text


# --- Dashboard and overdue list -----------------------------------------------------------------


def test_dashboard_counts_charts_and_tables_of_the_same_numbers(client, clerk, open_case):
    # given: one case overdue by Friday, one fresh
    open_case()
    with time_machine.travel(t("2026-03-06T10:00"), tick=False):
        fresh = open_case(kind="termination", attributes={"account_number": ACCOUNT})
        client.force_login(clerk)
        # when
        response = client.get(EN + "dashboard/")
        csv_response = client.get(EN + "dashboard/", {"format": "csv", "table": "kind"})
        overdue = client.get(EN + "overdue/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.open, board.overdue) == (2, 1)
    assert html.count('role="img"') >= 2
    assert "Open and overdue cases by kind" in html
    kinds = {row["code"]: row for row in response.context["kinds"]}
    assert (kinds["name_change"]["open"], kinds["name_change"]["overdue"]) == (1, 1)
    assert 'style="' not in html
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "name_change" in text
    assert "termination" in text
    assert [r["number"] for r in overdue.context["rows"]] != [fresh.number]
    assert len(overdue.context["rows"]) == 1


def test_dashboard_month_table_exports_as_ods(client, clerk, open_case):
    case = open_case()
    actions.case_transition(actor=clerk, case=case, state="in_review")
    actions.case_complete(actor=clerk, case=Case.objects.get(pk=case.pk))
    client.force_login(clerk)
    page = client.get(EN + "dashboard/")
    march = next(m for m in page.context["months"] if m["month_label"] == "2026-03")
    assert (march["completed"], march["on_time"], march["share_text"]) == (1, 1, "100.0 %")
    ods = client.get(EN + "dashboard/", {"format": "ods", "table": "month"})
    content = zipfile.ZipFile(io.BytesIO(ods.content)).read("content.xml").decode()
    assert "2026-03" in content
    assert "100.0 %" in content


def test_dashboard_is_for_supervisors(client, designer, inspector):
    client.force_login(designer)
    assert client.get(BASE + "dashboard/").status_code == 403
    client.force_login(inspector)
    assert client.get(BASE + "dashboard/").status_code == 200


# --- Catalogue ----------------------------------------------------------------------------------


def test_catalogue_lists_kinds_and_saves_an_edit_as_a_new_version(client, clerk):
    # given
    kind = CaseKind.objects.get(code="name_change")
    client.force_login(clerk)
    listing = client.get(EN + "catalogue/")
    assert "Name change" in listing.content.decode()
    page = client.get(EN + "catalogue/name_change/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"limit_none": "3", "active": "on"})
    data["documents"] += "\nseal | optional | 印章 | Seal"
    # when
    response = client.post(EN + "catalogue/name_change/", data)
    # then
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.limits == {"none": 3}
    assert kind.documents[-1]["code"] == "seal"
    assert kind.version == 2
    assert AuditEvent.objects.filter(verb="catalogue.kind_update").count() == 1


def test_catalogue_bad_line_is_400_naming_the_line_and_saves_nothing(client, clerk):
    kind = CaseKind.objects.get(code="name_change")
    client.force_login(clerk)
    page = client.get(EN + "catalogue/name_change/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["fees"] = "stamp | ten dollars | 印花 | Stamp"
    response = client.post(EN + "catalogue/name_change/", data)
    assert response.status_code == 400
    assert "fees, line 1" in response.content.decode()
    kind.refresh_from_db()
    assert kind.version == 1


def test_catalogue_is_for_the_business_section(client, designer):
    client.force_login(designer)
    assert client.get(BASE + "catalogue/").status_code == 403
    assert client.post(BASE + "catalogue/name_change/", {"name_zh": "x"}).status_code == 403
