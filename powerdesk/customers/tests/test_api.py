"""Customer API: masking, audited unmasking, centre scope, tokens, bad input."""

from __future__ import annotations

import pytest

from powerdesk.core.models import AuditEvent
from powerdesk.customers import actions
from powerdesk.staff import actions as staff_actions


@pytest.fixture
def customer(clerk, centre):
    customer = actions.customer_create(
        actor=clerk,
        kind="person",
        name="王小明",
        id_kind="national_id",
        id_number="A123456789",
        mobile="0912345678",
        email="wang.ming@example.com",
        service_centre=centre,
    )
    actions.account_open(
        actor=clerk,
        customer=customer,
        number="12345678901",
        address="桃園市中壢區中正路100號",
        service_centre=centre,
        tariff_class="residential",
        phase="single",
        meter_amperes=30,
        billing_cycle="monthly",
    )
    return customer


@pytest.mark.django_db
def test_customer_get_api_is_masked_by_default(client, clerk, customer) -> None:
    client.force_login(clerk)
    body = client.get(f"/api/v1/customers/{customer.pk}").json()
    assert body["masked"] is True
    assert body["name"] == "王○明"
    assert "王小明" not in str(body)
    assert "A123456789" not in str(body)
    assert "0912345678" not in str(body).replace("-", "")
    assert not AuditEvent.objects.filter(kind="view_personal").exists()


@pytest.mark.django_db
def test_customer_get_api_unmasked_is_audited(client, clerk, customer) -> None:
    client.force_login(clerk)
    body = client.get(f"/api/v1/customers/{customer.pk}?unmasked=true").json()
    assert body["name"] == "王小明"
    assert body["id_number"] == "A123456789"
    event = AuditEvent.objects.get(kind="view_personal")
    assert (event.actor_label, event.target_id, event.channel) == (
        "business.clerk",
        str(customer.pk),
        "api",
    )


@pytest.mark.django_db
def test_unmasked_view_denied_to_design_and_nothing_audited(client, make_staff, customer) -> None:
    client.force_login(make_staff("design"))
    response = client.get(f"/api/v1/customers/{customer.pk}?unmasked=true")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not AuditEvent.objects.filter(kind="view_personal").exists()


@pytest.mark.django_db
def test_customer_of_another_centre_looks_absent(
    client, make_staff, other_centre, customer
) -> None:
    client.force_login(make_staff("business", centre=other_centre))
    response = client.get(f"/api/v1/customers/{customer.pk}")
    missing = client.get("/api/v1/customers/999999")
    assert response.status_code == 404
    assert response.json() == missing.json()
    assert client.get("/api/v1/customers").json()["count"] == 0


@pytest.mark.django_db
def test_customer_list_api_search_and_pagination(
    client, clerk, customer, django_assert_max_num_queries
) -> None:
    client.force_login(clerk)
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/customers?q=12345678901").json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "王○明"


@pytest.mark.django_db
def test_bearer_token_works_and_revocation_stops_it(client, clerk, customer) -> None:
    token, raw = staff_actions.api_token_create(actor=clerk, user=clerk, name="script")
    ok = client.get("/api/v1/accounts/12-34-5678-90-1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    staff_actions.api_token_revoke(actor=clerk, user=clerk, prefix=token.prefix)
    revoked = client.get("/api/v1/accounts/12345678901", HTTP_AUTHORIZATION=f"Bearer {raw}")
    wrong = client.get("/api/v1/accounts/12345678901", HTTP_AUTHORIZATION="Bearer pd_wrong")
    assert ok.status_code == 200
    assert ok.json()["number_display"] == "12-34-5678-90-1"
    assert revoked.status_code == 401
    assert wrong.status_code == 401


@pytest.mark.django_db
def test_customer_create_api_bad_id_names_the_field_in_english(client, clerk) -> None:
    client.force_login(clerk)
    response = client.post(
        "/api/v1/customers",
        data={
            "kind": "person",
            "name": "王小明",
            "id_kind": "national_id",
            "id_number": "A123456780",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["details"]["fields"][0]["field"] == "id_number"
    assert body["details"]["fields"][0]["code"] == "national_id.checksum"
    assert body["message"].startswith("Invalid input: id_number")


@pytest.mark.django_db
def test_customer_create_api_bad_id_in_chinese_by_default(client, clerk) -> None:
    client.force_login(clerk)
    response = client.post(
        "/api/v1/customers",
        data={
            "kind": "person",
            "name": "王小明",
            "id_kind": "national_id",
            "id_number": "A123456780",
        },
        content_type="application/json",
    )
    assert response.json()["message"].startswith("輸入資料有誤：id_number")


@pytest.mark.django_db
def test_account_open_api_unknown_centre(client, clerk, customer) -> None:
    client.force_login(clerk)
    response = client.post(
        "/api/v1/accounts",
        data={
            "customer_id": customer.pk,
            "number": "98765432109",
            "address": "桃園市桃園區中正路1號",
            "service_centre": "",
            "tariff_class": "residential",
            "meter_amperes": 30,
            "billing_cycle": "monthly",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "service_centre"


@pytest.mark.django_db
def test_service_centres_are_public(client, centre) -> None:
    body = client.get("/api/v1/service-centres").json()
    assert [c["code"] for c in body] == ["ZL"]


@pytest.mark.parametrize("query", ["0912345678", "0912-345-678", "345678", "王小明"])
@pytest.mark.django_db
def test_customer_search_by_phone_digits_or_name(client, clerk, customer, query) -> None:
    client.force_login(clerk)
    body = client.get("/api/v1/customers", {"q": query}).json()
    assert [item["id"] for item in body["items"]] == [customer.pk]


@pytest.mark.django_db
def test_detail_page_offers_unmasking_only_to_those_allowed(
    client, make_staff, clerk, customer
) -> None:
    client.force_login(clerk)
    allowed = client.get(f"/staff/customers/{customer.pk}/")
    client.force_login(make_staff("design"))
    denied = client.get(f"/staff/customers/{customer.pk}/")
    assert allowed.context["can_view_personal"] is True
    assert denied.context["can_view_personal"] is False
    assert b"/personal/" not in denied.content
