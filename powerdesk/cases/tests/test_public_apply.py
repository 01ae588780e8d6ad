"""The web application: kinds the catalogue marks public, the 一次告知 checklist, the one-time code
sent through the outbox, and the receipt page. Bad input is answered 400 naming the field, and
nothing is saved before the code matches."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from powerdesk.cases.domain.catalogue import default_catalogue
from powerdesk.cases.models import Case
from powerdesk.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

APPLY = "/cases/apply/"
VERIFY = "/cases/apply/verify/"


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def application(centre, departments) -> dict[str, str]:
    return {
        "kind": "new_supply",
        "applicant_name": "王小明",
        "contact_channel": "sms",
        "mobile": "0912345678",
        "email": "",
        "account_number": "",
        "address": "桃園市中壢區中正路100號",
        "attr_capacity_kw": "10",
        "attr_premises_use": "residential",
        "attr_wished_supply_date": "",
        "description": "",
    }


def _code(outbox: OutboxMessage) -> str:
    found = re.search(r"\b(\d{6})\b", outbox.body_text)
    assert found, outbox.body_text
    return found.group(1)


def _pending_id(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    found = re.search(r"[?&]p=([\w-]+)", response["Location"])
    assert found
    return found.group(1)


# --- choosing a kind ---------------------------------------------------------------------------


def test_case_apply_view_lists_only_public_kinds(client, centre) -> None:
    page = client.get("/en" + APPLY).content.decode()
    catalogue = default_catalogue()
    for kind in catalogue:
        shown = f'value="{kind.code}"' in page
        assert shown is kind.public, kind.code


def test_case_apply_view_shows_the_whole_checklist_for_the_chosen_kind(client, centre) -> None:
    kind = default_catalogue().kind("new_supply")
    response = client.get("/en" + APPLY, {"kind": "new_supply"})
    page = response.content.decode()
    assert response.status_code == 200
    for document in kind.documents:
        assert document.name.en.replace("'", "&#x27;") in page
    assert "25 working days" in page  # overhead works
    for attribute in kind.attributes:
        assert f'name="attr_{attribute.code}"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_case_apply_view_refuses_an_unknown_kind(client, centre, method) -> None:
    response = getattr(client, method)("/en" + APPLY, {"kind": "free_electricity"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Application kind" in page
    assert "free_electricity" in page
    assert Case.objects.count() == 0


def test_case_apply_view_refuses_a_kind_the_public_may_not_file(client, centre) -> None:
    internal = next(kind for kind in default_catalogue() if not kind.public)
    response = client.get(APPLY, {"kind": internal.code})
    assert response.status_code == 400


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "change", "field", "message"),
    [
        (
            "missing capacity",
            {"attr_capacity_kw": ""},
            "apply-attr_capacity_kw",
            "This field is required.",
        ),
        (
            "capacity not a number",
            {"attr_capacity_kw": "lots"},
            "apply-attr_capacity_kw",
            "Enter a number",
        ),
        (
            "unknown premises use",
            {"attr_premises_use": "castle"},
            "apply-attr_premises_use",
            "Select a valid choice",
        ),
        (
            "wished date in the past",
            {"attr_wished_supply_date": (timezone.localdate() - timedelta(days=3)).isoformat()},
            "apply-attr_wished_supply_date",
            "in the past",
        ),
        ("no name", {"applicant_name": ""}, "apply-applicant_name", "This field is required."),
        ("no address", {"address": ""}, "apply-address", "This field is required."),
        ("sms without mobile", {"mobile": ""}, "apply-mobile", "Enter your mobile phone number"),
        ("landline for sms", {"mobile": "03-4220000"}, "apply-mobile", "mobile"),
        (
            "e-mail without address",
            {"contact_channel": "email"},
            "apply-email",
            "Enter your e-mail address",
        ),
    ],
)
def test_case_apply_view_refuses_bad_input_naming_the_field(
    client, application, _case, change, field, message
) -> None:
    # when
    response = client.post("/en" + APPLY, {**application, **change})
    page = response.content.decode()
    # then
    assert response.status_code == 400
    assert f'href="#{field}"' in page
    assert message in page
    assert Case.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


# --- the whole flow ---------------------------------------------------------------------------------


def test_web_application_with_sms_code_files_the_case_and_shows_the_receipt(
    client, application
) -> None:
    # when: the form is sent
    response = client.post(APPLY, application)
    pending = _pending_id(response)
    # then: a code went to the mobile through the outbox, and nothing is filed yet
    message = OutboxMessage.objects.get()
    assert message.channel == "sms"
    assert message.recipient.endswith("912345678")
    assert Case.objects.count() == 0
    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200
    assert "0912" not in verify_page.content.decode() or "***" in verify_page.content.decode()
    # when: the code comes back
    filed = client.post(VERIFY, {"challenge": pending, "code": _code(message)})
    # then: the case exists, from the web, and the browser goes to its receipt
    case = Case.objects.get()
    assert case.channel == "web"
    assert case.kind.code == "new_supply"
    assert case.attributes["capacity_kw"] == "10"
    assert filed.status_code == 302
    assert filed["Location"] == f"/cases/t/{case.lookup_token}/receipt/"
    receipt = client.get(filed["Location"])
    page = receipt.content.decode()
    assert receipt.status_code == 200
    assert case.number in page
    assert f"/cases/t/{case.lookup_token}/" in page  # the tracking link
    assert "<svg" in page  # the QR code
    assert f"/cases/t/{case.lookup_token}/receipt.pdf" in page
    # and the PDF downloads
    pdf = client.get(f"/cases/t/{case.lookup_token}/receipt.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_web_application_by_email(client, application) -> None:
    response = client.post(
        "/en" + APPLY, {**application, "contact_channel": "email", "email": "a.b@example.com"}
    )
    pending = _pending_id(response)
    message = OutboxMessage.objects.get()
    assert message.channel == "email"
    filed = client.post("/en" + VERIFY, {"challenge": pending, "code": _code(message)})
    assert filed.status_code == 302
    case = Case.objects.get()
    assert case.applicant_email == "a.b@example.com"
    assert case.applicant_language == "en"


def test_wrong_code_files_nothing_and_says_so(client, application) -> None:
    pending = _pending_id(client.post("/en" + APPLY, application))
    code = _code(OutboxMessage.objects.get())
    wrong = "000000" if code != "000000" else "111111"
    # when
    response = client.post("/en" + VERIFY, {"challenge": pending, "code": wrong})
    # then
    assert response.status_code == 400
    assert 'href="#verify-code"' in response.content.decode()
    assert Case.objects.count() == 0
    # and the right code still works afterwards
    assert client.post("/en" + VERIFY, {"challenge": pending, "code": code}).status_code == 302
    assert Case.objects.count() == 1


def test_unknown_or_used_challenge_files_nothing(client, application) -> None:
    pending = _pending_id(client.post(APPLY, application))
    code = _code(OutboxMessage.objects.get())
    assert client.post(VERIFY, {"challenge": pending, "code": code}).status_code == 302
    # when: the same code again, and a made-up challenge
    again = client.post("/en" + VERIFY, {"challenge": pending, "code": code})
    made_up = client.post("/en" + VERIFY, {"challenge": "x" * 32, "code": code})
    # then
    assert again.status_code == made_up.status_code == 400
    assert "expired" in again.content.decode()
    assert Case.objects.count() == 1


def test_kind_asking_for_the_account_number_uses_the_account_field(
    client, centre, departments
) -> None:
    # given: name change asks for the 電號 as its own question
    page = client.get("/en" + APPLY, {"kind": "name_change"}).content.decode()
    assert page.count('name="account_number"') == 1
    assert 'name="attr_account_number"' not in page
    # when: it is left empty
    data = {
        "kind": "name_change",
        "applicant_name": "陳大文",
        "contact_channel": "email",
        "email": "chen@example.com",
        "address": "桃園市中壢區中正路100號",
        "account_number": "",
    }
    refused = client.post("/en" + APPLY, data)
    # then
    assert refused.status_code == 400
    assert 'href="#apply-account_number"' in refused.content.decode()
    # and filled in, it reaches the case
    pending = _pending_id(client.post("/en" + APPLY, {**data, "account_number": "12-34-5678-90-1"}))
    filed = client.post(
        "/en" + VERIFY, {"challenge": pending, "code": _code(OutboxMessage.objects.get())}
    )
    assert filed.status_code == 302
    assert Case.objects.get().account_number == "12345678901"


def test_five_wrong_codes_use_up_the_challenge(client, application) -> None:
    pending = _pending_id(client.post("/en" + APPLY, application))
    code = _code(OutboxMessage.objects.get())
    wrong = "000000" if code != "000000" else "111111"
    answers = [client.post("/en" + VERIFY, {"challenge": pending, "code": wrong}) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [400] * 5
    assert "Too many wrong codes" in answers[-1].content.decode()
    # the right code no longer helps
    late = client.post("/en" + VERIFY, {"challenge": pending, "code": code})
    assert late.status_code == 400
    assert Case.objects.count() == 0


def test_codes_to_one_address_are_limited_per_hour(client, application) -> None:
    moment = datetime.now(tz=UTC).replace(minute=45, second=0, microsecond=0)
    with time_machine.travel(moment, tick=False):
        statuses = [client.post("/en" + APPLY, application).status_code for _ in range(6)]
        refused = client.post("/en" + APPLY, application)
    assert statuses == [302] * 5 + [429]
    assert refused["Retry-After"] == "900"  # the hour's window ends at :00
    assert "Too many codes" in refused.content.decode()
    assert OutboxMessage.objects.count() == 5
