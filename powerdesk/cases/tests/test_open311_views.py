"""Open311 GeoReport v2 at /open311/v2/: every method in JSON and XML, the spec's errors, the
API key, rate limiting, no personal data, and an off-the-shelf client (``georeport``) working
unchanged against a live server, plus a POST with plain ``urllib`` exactly as the spec shows.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from powerdesk.cases.models import Case

BASE = "/open311/v2"
JURISDICTION = "taoyuan.taipower.example"
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip

pytestmark = pytest.mark.django_db


def xml_of(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(body)  # noqa: S314 - our own document


def json_of(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def errors_xml(response: Any) -> list[tuple[str, str]]:
    root = xml_of(response)
    assert root.tag == "errors"
    items = [(e.findtext("code") or "", e.findtext("description") or "") for e in root]
    assert items
    assert all(child.tag == "error" for child in root)
    return items


def errors_json(response: Any) -> list[dict[str, Any]]:
    data = json_of(response)
    assert isinstance(data, list)
    assert data
    assert all(set(item) == {"code", "description"} for item in data)
    return data


@pytest.fixture
def catalogue(db: None, departments: None) -> None:
    from powerdesk.cases import actions

    actions.catalogue_sync(actor=None)
    actions.notification_templates_ensure()


@pytest.fixture
def partner(catalogue: None, centre: Any, clerk: Any) -> tuple[Any, str]:
    from powerdesk.cases import actions

    return actions.open311_client_create(actor=clerk, name="FixMyGrid", service_centre=centre)


def new_supply(key: str, **extra: str) -> dict[str, str]:
    data = {
        "api_key": key,
        "jurisdiction_id": JURISDICTION,
        "service_code": "CPS-101",
        "address_string": "桃園市中壢區中正路100號3樓",
        "lat": "24.9577",
        "long": "121.2251",
        "first_name": "大明",
        "last_name": "王",
        "phone": "0912345678",
        "email": "daming@example.org",
        "description": "新建透天厝需要送電，電話 0912345678",
        "attribute[capacity_kw]": "15",
        "attribute[premises_use]": "residential",
    }
    data.update(extra)
    return data


def post(client: Client, fmt: str, data: dict[str, str], **headers: str) -> Any:
    return client.post(
        f"{BASE}/requests.{fmt}",
        data=urllib.parse.urlencode(data),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


@pytest.fixture
def filed(partner: tuple[Any, str]) -> Case:
    """One request filed through Open311."""
    response = post(Client(), "json", new_supply(partner[1]))
    assert response.status_code == 200, response.content
    return Case.objects.get(number=json_of(response)[0]["service_request_id"])


# --- Discovery, services, definitions ----------------------------------------------------------


def test_discovery_in_json_and_xml(catalogue: None) -> None:
    client = Client()
    data = json_of(client.get(f"{BASE}/discovery.json"))
    assert list(data) == ["changeset", "contact", "key_service", "endpoints"]
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint_xml = root.find("endpoints/endpoint")
    assert endpoint_xml is not None
    assert endpoint_xml.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint_xml.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_in_json_and_xml_list_the_public_kinds(catalogue: None) -> None:
    client = Client()
    data = json_of(client.get(f"{BASE}/services.json", {"jurisdiction_id": JURISDICTION}))
    codes = [item["service_code"] for item in data]
    assert "CPS-101" in codes
    assert all(code.startswith("CPS-") for code in codes)  # no 1911 kinds
    assert all(list(item) == SERVICE_FIELDS for item in data)
    first = next(item for item in data if item["service_code"] == "CPS-101")
    assert first["service_name"] == "新設用電"
    assert first["metadata"] is True
    assert first["type"] == "realtime"
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == codes
    assert all([child.tag for child in s] == SERVICE_FIELDS for s in services)
    assert services[0].findtext("metadata") in ("true", "false")


@pytest.mark.parametrize(
    ("query", "headers", "name"),
    [
        ({"locale": "en"}, {}, "New supply"),
        ({"locale": "en_US"}, {"HTTP_ACCEPT_LANGUAGE": "zh-Hant"}, "New supply"),
        ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}, "New supply"),
        ({"locale": "zh_TW"}, {"HTTP_ACCEPT_LANGUAGE": "en"}, "新設用電"),
        ({}, {}, "新設用電"),
    ],
)
def test_language_from_locale_or_accept_language(
    catalogue: None, query: dict[str, str], headers: dict[str, str], name: str
) -> None:
    data = json_of(Client().get(f"{BASE}/services.json", query, **headers))
    assert data[0]["service_name"] == name


def test_service_definition_in_json_and_xml(catalogue: None) -> None:
    client = Client()
    data = json_of(client.get(f"{BASE}/services/CPS-101.json", {"locale": "en"}))
    assert data["service_code"] == "CPS-101"
    by_code = {item["code"]: item for item in data["attributes"]}
    assert by_code["capacity_kw"]["datatype"] == "number"
    assert by_code["capacity_kw"]["required"] is True
    assert [v["key"] for v in by_code["premises_use"]["values"]] == [
        "residential",
        "commercial",
        "industrial",
    ]
    root = xml_of(client.get(f"{BASE}/services/CPS-101.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "CPS-101"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == list(by_code)
    assert [child.tag for child in attributes[0]] == [
        "variable", "code", "datatype", "required", "datatype_description", "order",
        "description", "values",
    ]  # fmt: skip
    premises = next(a for a in attributes if a.findtext("code") == "premises_use")
    assert [v.findtext("key") for v in premises.findall("values/value")] == [
        "residential",
        "commercial",
        "industrial",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_and_jurisdiction_are_404(catalogue: None, fmt: str) -> None:
    client = Client()
    for response in (
        client.get(f"{BASE}/services/NOPE.{fmt}"),
        client.get(f"{BASE}/services/CPS-101.{fmt}", {"jurisdiction_id": "elsewhere.example"}),
        client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "elsewhere.example"}),
        client.get(f"{BASE}/requests.{fmt}", {"jurisdiction_id": "elsewhere.example"}),
    ):
        assert response.status_code == 404
        if fmt == "json":
            assert errors_json(response)[0]["code"] == 404
        else:
            assert errors_xml(response)[0][0] == "404"


# --- POST requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_case_through_the_core(partner: tuple[Any, str], fmt: str) -> None:
    client_row, key = partner
    client = Client(enforce_csrf_checks=True)  # CSRF-exempt: the API key authenticates
    response = post(client, fmt, new_supply(key))
    assert response.status_code == 200, response.content
    if fmt == "json":
        (item,) = json_of(response)
        assert list(item) == ["service_request_id", "service_notice", "account_id"]
        number, notice = item["service_request_id"], item["service_notice"]
        assert item["account_id"] is None
    else:
        root = xml_of(response)
        assert root.tag == "service_requests"
        (request,) = root.findall("request")
        assert [child.tag for child in request] == [
            "service_request_id",
            "service_notice",
            "account_id",
        ]
        number, notice = request.findtext("service_request_id"), request.findtext("service_notice")
    case = Case.objects.get(number=number)
    assert case.channel == Case.Channel.OPEN311
    assert case.open311_client == client_row
    assert case.kind.code == "new_supply"
    assert case.phone_last4 == "5678"
    assert case.attributes["premises_use"] == "residential"
    assert case.requester_last_name == "王"
    assert "標準處理時限" in (notice or "")


def test_post_a_multivaluelist_attribute(partner: tuple[Any, str]) -> None:
    data = [
        (name, value)
        for name, value in new_supply(partner[1], service_code="CPS-401").items()
        if not name.startswith("attribute[")
    ]
    data += [
        ("attribute[account_number]", "12345678901"),
        ("attribute[dispute_type][]", "reading"),
        ("attribute[dispute_type][]", "meter"),
    ]
    response = Client().post(
        f"{BASE}/requests.xml",
        data=urllib.parse.urlencode(data),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    number = xml_of(response).findtext("request/service_request_id")
    case = Case.objects.get(number=number)
    assert case.kind.code == "bill_dispute"
    assert case.attributes["dispute_type"] == ["reading", "meter"]
    assert case.account_number == "12345678901"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", ["", "o311_wrong-key", "revoked"])
def test_post_without_a_valid_key_is_403(
    partner: tuple[Any, str], clerk: Any, fmt: str, key: str
) -> None:
    from powerdesk.cases import actions

    if key == "revoked":
        actions.open311_client_revoke(actor=clerk, client=partner[0])
        key = partner[1]
    before = Case.objects.count()
    response = post(Client(), fmt, new_supply(key))
    assert response.status_code == 403
    if fmt == "json":
        assert errors_json(response)[0]["code"] == 403
    else:
        code, description = errors_xml(response)[0]
        assert code == "403"
        assert "api_key" in description
    assert Case.objects.count() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("change", "status", "mentions"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "CPS-999"}, 404, "CPS-999"),
        ({"attribute[capacity_kw]": ""}, 400, "kW"),
        ({"attribute[premises_use]": "castle"}, 400, "castle"),
        ({"attribute[colour]": "red"}, 400, "colour"),
        ({"lat": "99", "long": "121.2"}, 400, "lat"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "location"),
        ({"phone": "12"}, 400, "phone"),
        ({"media_url": "ftp://x.example/a.jpg"}, 400, "media_url"),
        ({"first_name": "", "last_name": ""}, 400, "first_name"),
        ({"phone": "", "email": ""}, 400, "phone"),
        ({"jurisdiction_id": "elsewhere.example"}, 404, "jurisdiction_id"),
    ],
)
def test_post_bad_input_is_the_spec_error_and_saves_nothing(
    partner: tuple[Any, str], fmt: str, change: dict[str, str], status: int, mentions: str
) -> None:
    before = Case.objects.count()
    response = post(Client(), fmt, new_supply(partner[1], **change), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status, response.content
    if fmt == "json":
        descriptions = " ".join(item["description"] for item in errors_json(response))
        assert {item["code"] for item in errors_json(response)} == {status}
    else:
        items = errors_xml(response)
        descriptions = " ".join(description for _code, description in items)
        assert {code for code, _d in items} == {str(status)}
    assert mentions in descriptions
    assert Case.objects.count() == before


def test_post_errors_in_chinese_by_default(partner: tuple[Any, str]) -> None:
    response = post(Client(), "json", new_supply(partner[1], **{"attribute[capacity_kw]": ""}))
    assert response.status_code == 400
    assert "必填" in errors_json(response)[0]["description"]


def test_get_on_post_only_fields_and_wrong_method(partner: tuple[Any, str]) -> None:
    response = Client().delete(f"{BASE}/requests.json")
    assert response.status_code == 405
    assert errors_json(response)[0]["code"] == 405


# --- GET requests ------------------------------------------------------------------------------


def assert_no_personal_data(body: bytes) -> None:
    text = body.decode("utf-8")
    for secret in ("王", "大明", "0912", "345", "5678", "daming@", "100號", "3樓"):
        assert secret not in text
    assert "送電，電話" not in text  # the free-text description is not published


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_request_by_id(filed: Case, fmt: str) -> None:
    spelled = Client().get(f"{BASE}/requests/{filed.number.lower().replace('-', '')}.{fmt}")
    assert spelled.status_code == 200
    response = Client().get(f"{BASE}/requests/{filed.number}.{fmt}", {"locale": "en"})
    assert response.status_code == 200
    assert_no_personal_data(response.content)
    if fmt == "json":
        (item,) = json_of(response)
        assert list(item) == REQUEST_FIELDS
        assert item["service_request_id"] == filed.number
        assert item["status"] == "open"
        assert item["service_code"] == "CPS-101"
        assert item["service_name"] == "New supply"
        assert item["status_notes"]
        assert item["expected_datetime"].endswith("+08:00")
        assert item["address"] == "桃園市中壢區中正路○○○號○樓"
        assert item["lat"] == pytest.approx(24.958)
        assert item["description"] is None
    else:
        root = xml_of(response)
        (request,) = root.findall("request")
        assert [child.tag for child in request] == REQUEST_FIELDS
        assert request.findtext("service_request_id") == filed.number
        assert request.findtext("status") == "open"
        assert (request.findtext("expected_datetime") or "").endswith("+08:00")
        assert request.find("description") is not None
        assert request.findtext("description") == ""  # <description/>


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(catalogue: None, fmt: str) -> None:
    response = Client().get(f"{BASE}/requests/ZL-20260302-0001-0.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert errors_json(response)[0]["code"] == 404
    else:
        assert errors_xml(response)[0][0] == "404"


def request_ids(response: Any, fmt: str) -> list[str]:
    assert response.status_code == 200, response.content
    if fmt == "json":
        return [item["service_request_id"] for item in json_of(response)]
    root = xml_of(response)
    assert root.tag == "service_requests"
    return [r.findtext("service_request_id") or "" for r in root.findall("request")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_with_the_spec_filters(
    partner: tuple[Any, str], filed: Case, clerk: Any, fmt: str
) -> None:
    from powerdesk.cases import actions

    client = Client()
    inquiry = {
        name: value
        for name, value in new_supply(partner[1], service_code="CPS-501").items()
        if not name.startswith("attribute[")
    }
    created = post(client, "json", inquiry)
    assert created.status_code == 200, created.content
    second = Case.objects.get(number=json_of(created)[0]["service_request_id"])
    actions.case_cancel(actor=clerk, case=second, reason="申請人撤回")
    url = f"{BASE}/requests.{fmt}"
    assert set(request_ids(client.get(url), fmt)) == {filed.number, second.number}
    assert request_ids(client.get(url, {"service_code": "CPS-101"}), fmt) == [filed.number]
    assert set(request_ids(client.get(url, {"service_code": "CPS-101,CPS-501"}), fmt)) == {
        filed.number,
        second.number,
    }
    assert request_ids(client.get(url, {"status": "closed"}), fmt) == [second.number]
    assert request_ids(client.get(url, {"status": "open"}), fmt) == [filed.number]
    assert len(request_ids(client.get(url, {"status": "open,closed"}), fmt)) == 2
    assert request_ids(
        client.get(url, {"service_request_id": f"{second.number},{filed.number}"}), fmt
    ) in ([second.number, filed.number], [filed.number, second.number])
    past = (timezone.now() - timedelta(days=200)).isoformat(timespec="seconds")
    past_end = (timezone.now() - timedelta(days=150)).isoformat(timespec="seconds")
    assert request_ids(client.get(url, {"start_date": past, "end_date": past_end}), fmt) == []
    assert_no_personal_data(client.get(url).content)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"end_date": "yesterday"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"status": "pending"}, "status"),
    ],
)
def test_get_requests_bad_filters_are_400(
    catalogue: None, fmt: str, query: dict[str, str], mentions: str
) -> None:
    response = Client().get(f"{BASE}/requests.{fmt}", {**query, "locale": "en"})
    assert response.status_code == 400
    if fmt == "json":
        assert mentions in errors_json(response)[0]["description"]
    else:
        assert mentions in errors_xml(response)[0][1]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_tokens_are_never_issued(catalogue: None, fmt: str) -> None:
    response = Client().get(f"{BASE}/tokens/abc123.{fmt}")
    assert response.status_code == 404


def test_unknown_format_and_path(catalogue: None) -> None:
    client = Client()
    response = client.get(f"{BASE}/services.html")
    assert response.status_code == 400
    assert errors_xml(response)[0][0] == "400"
    missing = client.get(f"{BASE}/nothing/here.json")
    assert missing.status_code == 404
    assert errors_json(missing)[0]["code"] == 404


def test_rate_limited_with_retry_after(catalogue: None, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.POWERDESK = {**settings.POWERDESK, "OPEN311_RATE": "3/m"}
    client = Client(REMOTE_ADDR="192.0.2.7")
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        codes = [client.get(f"{BASE}/services.json").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get(f"{BASE}/services.xml")
        assert response.status_code == 429
        assert response["Retry-After"] == "55"
        assert errors_xml(response)[0][0] == "429"
        other = Client(REMOTE_ADDR="192.0.2.8").get(f"{BASE}/services.json")
        assert other.status_code == 200
    with time_machine.travel(timezone.now().replace(second=5) + timedelta(minutes=1), tick=False):
        assert client.get(f"{BASE}/services.json").status_code == 200
    cache.clear()


# --- An off-the-shelf client, unchanged, against a live server ---------------------------------


@pytest.mark.enable_socket
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_works_unchanged(
    live_server: Any, partner: tuple[Any, str], fmt: str
) -> None:
    from georeport import GeoReport

    key = partner[1]
    endpoint = f"{live_server.url}/open311/v2"
    # POST exactly as the spec's example: form-encoded, api_key among the arguments.
    form = urllib.parse.urlencode(new_supply(key)).encode("utf-8")
    spec_post = urllib.request.Request(f"{endpoint}/requests.{fmt}", data=form, method="POST")  # noqa: S310
    with urllib.request.urlopen(spec_post, timeout=10) as answer:  # noqa: S310 - live server
        assert answer.status == 200
        body = answer.read()
    number = (
        json.loads(body)[0]["service_request_id"]
        if fmt == "json"
        else ET.fromstring(body).findtext("request/service_request_id")  # noqa: S314
    )
    wrong = urllib.request.Request(  # noqa: S310 - our own live server
        f"{endpoint}/requests.{fmt}",
        data=urllib.parse.urlencode(new_supply("o311_nope")).encode(),
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(wrong, timeout=10)  # noqa: S310 - our own live server
    assert refused.value.code == 403

    client = GeoReport(endpoint, jurisdiction=JURISDICTION, output_format=fmt)
    services = client.get_service_list()
    assert "CPS-101" in [service["service_code"] for service in services]
    definition = client.get_service_definition("CPS-101")
    assert definition["service_code"] == "CPS-101"
    requests_found = client.get_service_requests(service_code="CPS-101", status="open")
    listed = requests_found if isinstance(requests_found, list) else [requests_found]
    assert number in [item["service_request_id"] for item in listed]
    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
