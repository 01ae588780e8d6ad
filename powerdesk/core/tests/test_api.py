"""The API's promises: health, OpenAPI, one error shape in the request's language, no 500s."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_health_api_checks_the_database(client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


def test_openapi_document_validates(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(json.loads(response.content))


def test_api_docs_page_is_served_with_local_assets(client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in response.content
    assert b"cdn" not in response.content.lower()


@pytest.mark.parametrize(
    ("_case", "language", "expected"),
    [("zh-Hant by default", None, "查無資料。"), ("English on request", "en", "Not found.")],
)
def test_unknown_api_path_gives_the_error_shape(
    client, _case: str, language: str | None, expected: str
) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get("/api/v1/no-such-thing", **headers)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": expected, "details": {}}


@pytest.mark.django_db
def test_unauthenticated_staff_endpoint_gives_the_error_shape(client) -> None:
    response = client.get("/api/v1/customers", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Sign in or send a valid API token.",
        "details": {},
    }


@pytest.mark.django_db
def test_schema_validation_error_names_the_field(client, clerk) -> None:
    client.force_login(clerk)
    response = client.post(
        "/api/v1/customers",
        data={"kind": "person"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {f["field"] for f in body["details"]["fields"]} >= {"name", "id_kind", "id_number"}


@pytest.mark.django_db
def test_malformed_json_is_a_clear_error_not_a_500(client, clerk) -> None:
    client.force_login(clerk)
    response = client.post("/api/v1/customers", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("_case", "query", "canonical"),
    [
        ("full-width and 台", "台北市大安區羅斯福路四段１號", "臺北市大安區羅斯福路四段1號"),
        ("missing city", "中壢區中正路3號", "桃園市中壢區中正路3號"),
    ],
)
def test_address_normalize_api(client, _case: str, query: str, canonical: str) -> None:
    response = client.get("/api/v1/addresses/normalize", {"q": query})
    assert response.status_code == 200
    body = response.json()
    assert body["canonical"] == canonical
    assert body["components"]["number"] is not None


@pytest.mark.parametrize("query", ["", " ", "x" * 301, "桃園市中壢區中正路3號<script>"])
def test_address_normalize_api_bad_input(client, query: str) -> None:
    response = client.get("/api/v1/addresses/normalize", {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["details"]["fields"][0]["field"] == "q"
    assert body["message"].startswith("Invalid input: q")
