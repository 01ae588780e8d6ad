"""Tests of Open311 GeoReport v2 rendering and parsing (pure; no database).

Every expected document is written out by hand from the spec's examples
(https://wiki.open311.org/GeoReport_v2, https://wiki.open311.org/Service_Discovery).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from powerdesk.cases.domain.catalogue import AttributeDatatype, default_catalogue
from powerdesk.cases.domain.open311 import (
    Discovery,
    Endpoint,
    Open311Error,
    Open311Problem,
    PostResponse,
    RequestsQuery,
    Service,
    ServiceAttribute,
    ServiceAttributeValue,
    ServiceDefinition,
    ServiceRequest,
    ServiceType,
    TokenResponse,
    format_datetime,
    parse_requests_query,
    parse_service_request,
    parse_w3c_datetime,
    render_discovery,
    render_errors,
    render_post_response,
    render_requests,
    render_service_definition,
    render_services,
    render_token,
    service_definition_for,
    service_notice_for,
    services_for,
)
from powerdesk.cases.domain.states import Open311Status
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import DomainError, Message

JURISDICTION = "taoyuan.taipower.example"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=TAIPEI)


def xml_and_json(
    xml_text: str, json_text: str, *, expected_xml: str, expected_json: object
) -> None:
    assert xml_text == expected_xml
    ET.fromstring(xml_text.encode("utf-8"))  # noqa: S314 - well-formed
    assert json.loads(json_text) == expected_json
    assert json_text.endswith("\n")


# --- Rendering -------------------------------------------------------------------------------


def test_discovery():
    document = Discovery(
        changeset="2026-03-01 09:00",
        contact="桃園區營業處 (03)339-0011",
        key_service="API keys: https://example.org/keys",
        endpoints=(
            Endpoint(
                url="https://example.org/open311/v2",
                changeset="2026-03-01 09:00",
                type="production",
            ),
        ),
    )
    xml_and_json(
        render_discovery(document, fmt="xml"),
        render_discovery(document, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<discovery>
  <changeset>2026-03-01 09:00</changeset>
  <contact>桃園區營業處 (03)339-0011</contact>
  <key_service>API keys: https://example.org/keys</key_service>
  <endpoints>
    <endpoint>
      <specification>http://wiki.open311.org/GeoReport_v2</specification>
      <url>https://example.org/open311/v2</url>
      <changeset>2026-03-01 09:00</changeset>
      <type>production</type>
      <formats>
        <format>text/xml</format>
        <format>application/json</format>
      </formats>
    </endpoint>
  </endpoints>
</discovery>
""",
        expected_json={
            "changeset": "2026-03-01 09:00",
            "contact": "桃園區營業處 (03)339-0011",
            "key_service": "API keys: https://example.org/keys",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": "https://example.org/open311/v2",
                    "changeset": "2026-03-01 09:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


SERVICES = [
    Service(
        service_code="CPS-202",
        service_name="更名",
        description="同一用電人更改戶名 & 其他",
        metadata=True,
        type=ServiceType.REALTIME,
        keywords="更名, 改名",
        group="account",
    ),
    Service(
        service_code="CPS-501",
        service_name="一般諮詢",
        description="",
        metadata=False,
        type=ServiceType.REALTIME,
        keywords="",
        group="general",
    ),
]


def test_services():
    xml_and_json(
        render_services(SERVICES, fmt="xml"),
        render_services(SERVICES, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>CPS-202</service_code>
    <service_name>更名</service_name>
    <description>同一用電人更改戶名 &amp; 其他</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>更名, 改名</keywords>
    <group>account</group>
  </service>
  <service>
    <service_code>CPS-501</service_code>
    <service_name>一般諮詢</service_name>
    <description/>
    <metadata>false</metadata>
    <type>realtime</type>
    <keywords/>
    <group>general</group>
  </service>
</services>
""",
        expected_json=[
            {
                "service_code": "CPS-202",
                "service_name": "更名",
                "description": "同一用電人更改戶名 & 其他",
                "metadata": True,
                "type": "realtime",
                "keywords": "更名, 改名",
                "group": "account",
            },
            {
                "service_code": "CPS-501",
                "service_name": "一般諮詢",
                "description": "",
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "general",
            },
        ],
    )


def test_json_keeps_the_spec_field_order():
    first = json.loads(render_services(SERVICES, fmt="json"))[0]
    assert list(first) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]


def test_service_definition():
    definition = ServiceDefinition(
        service_code="CPS-101",
        attributes=(
            ServiceAttribute(
                variable=True,
                code="premises_use",
                datatype=AttributeDatatype.SINGLEVALUELIST,
                required=True,
                datatype_description=None,
                order=1,
                description="用電場所用途",
                values=(
                    ServiceAttributeValue(key="residential", name="住宅"),
                    ServiceAttributeValue(key="commercial", name="商業"),
                ),
            ),
            ServiceAttribute(
                variable=True,
                code="capacity_kw",
                datatype=AttributeDatatype.NUMBER,
                required=False,
                datatype_description="數字",
                order=2,
                description="申請用電容量（瓩）",
            ),
        ),
    )
    xml_and_json(
        render_service_definition(definition, fmt="xml"),
        render_service_definition(definition, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<service_definition>
  <service_code>CPS-101</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>premises_use</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description/>
      <order>1</order>
      <description>用電場所用途</description>
      <values>
        <value>
          <key>residential</key>
          <name>住宅</name>
        </value>
        <value>
          <key>commercial</key>
          <name>商業</name>
        </value>
      </values>
    </attribute>
    <attribute>
      <variable>true</variable>
      <code>capacity_kw</code>
      <datatype>number</datatype>
      <required>false</required>
      <datatype_description>數字</datatype_description>
      <order>2</order>
      <description>申請用電容量（瓩）</description>
      <values/>
    </attribute>
  </attributes>
</service_definition>
""",
        expected_json={
            "service_code": "CPS-101",
            "attributes": [
                {
                    "variable": True,
                    "code": "premises_use",
                    "datatype": "singlevaluelist",
                    "required": True,
                    "datatype_description": None,
                    "order": 1,
                    "description": "用電場所用途",
                    "values": [
                        {"key": "residential", "name": "住宅"},
                        {"key": "commercial", "name": "商業"},
                    ],
                },
                {
                    "variable": True,
                    "code": "capacity_kw",
                    "datatype": "number",
                    "required": False,
                    "datatype_description": "數字",
                    "order": 2,
                    "description": "申請用電容量（瓩）",
                    "values": [],
                },
            ],
        },
    )


REQUEST = ServiceRequest(
    service_request_id="TY-20260302-0042-4",
    status=Open311Status.OPEN,
    status_notes="已與您約定供電日期。",
    service_name="新設用電",
    service_code="CPS-101",
    requested_datetime=datetime(2026, 3, 2, 1, 15, tzinfo=TAIPEI) + timedelta(hours=1),
    updated_datetime=datetime(2026, 3, 3, 9, 0, 5, 999, tzinfo=TAIPEI),
    description="新建透天 <3F>",
    agency_responsible="台電桃園區營業處",
    service_notice="標準處理時限：無外線工程 5 個工作天。",
    expected_datetime=datetime(2026, 3, 9, 9, 30, tzinfo=TAIPEI),
    address="桃園市桃園區○○路**號",
    address_id=None,
    zipcode="330",
    lat=24.99368,
    long=121.30106,
    media_url=None,
)
CLOSED = ServiceRequest(
    service_request_id="TY-20260301-0001-0",
    status=Open311Status.CLOSED,
    service_name="更名",
    service_code="CPS-202",
    requested_datetime=datetime(2026, 3, 1, 0, 0, tzinfo=TAIPEI),
    updated_datetime=datetime(2026, 3, 2, 0, 0, tzinfo=TAIPEI),
)

REQUEST_XML = """  <request>
    <service_request_id>TY-20260302-0042-4</service_request_id>
    <status>open</status>
    <status_notes>已與您約定供電日期。</status_notes>
    <service_name>新設用電</service_name>
    <service_code>CPS-101</service_code>
    <description>新建透天 &lt;3F&gt;</description>
    <agency_responsible>台電桃園區營業處</agency_responsible>
    <service_notice>標準處理時限：無外線工程 5 個工作天。</service_notice>
    <requested_datetime>2026-03-02T02:15:00+08:00</requested_datetime>
    <updated_datetime>2026-03-03T09:00:05+08:00</updated_datetime>
    <expected_datetime>2026-03-09T09:30:00+08:00</expected_datetime>
    <address>桃園市桃園區○○路**號</address>
    <address_id/>
    <zipcode>330</zipcode>
    <lat>24.99368</lat>
    <long>121.30106</long>
    <media_url/>
  </request>
"""
REQUEST_JSON = {
    "service_request_id": "TY-20260302-0042-4",
    "status": "open",
    "status_notes": "已與您約定供電日期。",
    "service_name": "新設用電",
    "service_code": "CPS-101",
    "description": "新建透天 <3F>",
    "agency_responsible": "台電桃園區營業處",
    "service_notice": "標準處理時限：無外線工程 5 個工作天。",
    "requested_datetime": "2026-03-02T02:15:00+08:00",
    "updated_datetime": "2026-03-03T09:00:05+08:00",
    "expected_datetime": "2026-03-09T09:30:00+08:00",
    "address": "桃園市桃園區○○路**號",
    "address_id": None,
    "zipcode": "330",
    "lat": 24.99368,
    "long": 121.30106,
    "media_url": None,
}


def test_requests_list():
    xml_and_json(
        render_requests([REQUEST, CLOSED], fmt="xml"),
        render_requests([REQUEST, CLOSED], fmt="json"),
        expected_xml='<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n'
        + REQUEST_XML
        + """  <request>
    <service_request_id>TY-20260301-0001-0</service_request_id>
    <status>closed</status>
    <status_notes/>
    <service_name>更名</service_name>
    <service_code>CPS-202</service_code>
    <description/>
    <agency_responsible/>
    <service_notice/>
    <requested_datetime>2026-03-01T00:00:00+08:00</requested_datetime>
    <updated_datetime>2026-03-02T00:00:00+08:00</updated_datetime>
    <expected_datetime/>
    <address/>
    <address_id/>
    <zipcode/>
    <lat/>
    <long/>
    <media_url/>
  </request>
</service_requests>
""",
        expected_json=[
            REQUEST_JSON,
            {
                "service_request_id": "TY-20260301-0001-0",
                "status": "closed",
                "status_notes": None,
                "service_name": "更名",
                "service_code": "CPS-202",
                "description": None,
                "agency_responsible": None,
                "service_notice": None,
                "requested_datetime": "2026-03-01T00:00:00+08:00",
                "updated_datetime": "2026-03-02T00:00:00+08:00",
                "expected_datetime": None,
                "address": None,
                "address_id": None,
                "zipcode": None,
                "lat": None,
                "long": None,
                "media_url": None,
            },
        ],
    )


def test_single_request():
    xml_and_json(
        render_requests([REQUEST], fmt="xml"),
        render_requests([REQUEST], fmt="json"),
        expected_xml='<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n'
        + REQUEST_XML
        + "</service_requests>\n",
        expected_json=[REQUEST_JSON],
    )


def test_empty_request_list():
    xml_and_json(
        render_requests([], fmt="xml"),
        render_requests([], fmt="json"),
        expected_xml='<?xml version="1.0" encoding="utf-8"?>\n<service_requests/>\n',
        expected_json=[],
    )


def test_datetimes_in_utc_are_shown_in_taipei_time():
    assert (
        format_datetime(datetime.fromisoformat("2026-03-02T01:15:00+00:00"))
        == "2026-03-02T09:15:00+08:00"
    )
    with pytest.raises(DomainError):
        format_datetime(datetime(2026, 3, 2))  # noqa: DTZ001


def test_post_response_with_an_id():
    response = PostResponse(
        service_request_id="TY-20260302-0042-4", service_notice="標準處理時限：5 個工作天。"
    )
    xml_and_json(
        render_post_response(response, fmt="xml"),
        render_post_response(response, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>TY-20260302-0042-4</service_request_id>
    <service_notice>標準處理時限：5 個工作天。</service_notice>
    <account_id/>
  </request>
</service_requests>
""",
        expected_json=[
            {
                "service_request_id": "TY-20260302-0042-4",
                "service_notice": "標準處理時限：5 個工作天。",
                "account_id": None,
            }
        ],
    )


def test_post_response_with_a_token_and_the_token_lookup():
    deferred = PostResponse(token="abc123", account_id="12345678901")
    found = TokenResponse(service_request_id="TY-20260302-0042-4", token="abc123")
    xml_and_json(
        render_post_response(deferred, fmt="xml"),
        render_post_response(deferred, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <token>abc123</token>
    <service_notice/>
    <account_id>12345678901</account_id>
  </request>
</service_requests>
""",
        expected_json=[{"token": "abc123", "service_notice": None, "account_id": "12345678901"}],
    )
    xml_and_json(
        render_token(found, fmt="xml"),
        render_token(found, fmt="json"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>TY-20260302-0042-4</service_request_id>
    <token>abc123</token>
  </request>
</service_requests>
""",
        expected_json=[{"service_request_id": "TY-20260302-0042-4", "token": "abc123"}],
    )


def test_post_response_needs_exactly_one_of_id_and_token():
    with pytest.raises(DomainError):
        PostResponse()
    with pytest.raises(DomainError):
        PostResponse(service_request_id="1", token="2")


def test_errors_in_either_language():
    error = Open311Error(
        status=400,
        problems=[
            Open311Problem(
                message=Message(zh_hant="缺少 service_code。", en="service_code was not provided.")
            ),
            Open311Problem(
                message=Message(zh_hant="描述過長。", en="description is too long."), code=400
            ),
        ],
    )
    xml_and_json(
        render_errors(error, fmt="xml", language="zh-hant"),
        render_errors(error, fmt="json", language="en"),
        expected_xml="""<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>400</code>
    <description>缺少 service_code。</description>
  </error>
  <error>
    <code>400</code>
    <description>描述過長。</description>
  </error>
</errors>
""",
        expected_json=[
            {"code": 400, "description": "service_code was not provided."},
            {"code": 400, "description": "description is too long."},
        ],
    )


def test_unknown_format_is_refused():
    with pytest.raises(DomainError) as caught:
        render_services(SERVICES, fmt="csv")
    assert caught.value.field == "format"


# --- From the catalogue ----------------------------------------------------------------------


def test_services_from_the_catalogue_list_public_kinds_only():
    # when
    services = services_for(default_catalogue(), language="en")
    # then
    assert services[0] == Service(
        service_code="CPS-101",
        service_name="New supply",
        description="Supply to a new building or premises.",
        metadata=True,
        type=ServiceType.REALTIME,
        keywords="new connection, new meter, supply",
        group="supply",
    )
    assert len(services) == 13
    assert "call_centre" not in {service.group for service in services}
    inquiry = next(service for service in services if service.service_code == "CPS-501")
    assert inquiry.metadata is False


def test_service_definition_from_the_catalogue():
    # when
    definition = service_definition_for(default_catalogue().kind("new_supply"), language="zh-hant")
    # then
    assert definition.service_code == "CPS-101"
    assert definition.attributes[1] == ServiceAttribute(
        variable=True,
        code="premises_use",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        required=True,
        datatype_description="請選擇一項",
        order=2,
        description="用電場所用途",
        values=(
            ServiceAttributeValue(key="residential", name="住宅"),
            ServiceAttributeValue(key="commercial", name="商業"),
            ServiceAttributeValue(key="industrial", name="工業"),
        ),
    )


def test_service_notice_states_the_limits():
    catalogue = default_catalogue()
    assert service_notice_for(catalogue.kind("new_supply"), language="en") == (
        "Standard time limit (time waiting for documents, at the customer's request, for a road-dig "
        "permit or for another agency excluded): no external works: 5 working days; overhead works: "
        "25 working days; underground works: 35 working days."
    )
    assert service_notice_for(catalogue.kind("name_change"), language="zh-hant") == (
        "標準處理時限（不含補件、用戶要求延後、路權申請及他機關辦理期間）：無外線工程 2 個工作天。"
    )
    assert (
        service_notice_for(catalogue.kind("call_1911_repair"), language="zh-hant")
        == "標準處理時限：4 個上班小時。"
    )


# --- GET requests filters --------------------------------------------------------------------


def test_requests_query_defaults_to_the_last_90_days():
    query = parse_requests_query({}, now=NOW, jurisdiction_id=JURISDICTION)
    assert query == RequestsQuery(start=NOW - timedelta(days=90), end=NOW, limit=1000)


def test_requests_query_with_every_filter():
    query = parse_requests_query(
        {
            "jurisdiction_id": JURISDICTION,
            "service_code": ["CPS-101,CPS-102", "CPS-101"],
            "status": "open,closed",
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2026-02-01T00:00:00+08:00",
        },
        now=NOW,
        jurisdiction_id=JURISDICTION,
    )
    assert query.service_codes == ("CPS-101", "CPS-102")
    assert query.statuses == (Open311Status.OPEN, Open311Status.CLOSED)
    assert query.start == datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    assert query.end == datetime.fromisoformat("2026-02-01T00:00:00+08:00")
    assert query.service_request_ids == ()


def test_requests_query_one_bound_spans_90_days():
    start_only = parse_requests_query(
        {"start_date": "2026-01-01T00:00:00+08:00"}, now=NOW, jurisdiction_id=JURISDICTION
    )
    end_only = parse_requests_query(
        {"end_date": "2026-01-01T00:00:00+08:00"}, now=NOW, jurisdiction_id=JURISDICTION
    )
    assert start_only.end == datetime.fromisoformat("2026-04-01T00:00:00+08:00")
    assert end_only.start == datetime.fromisoformat("2025-10-03T00:00:00+08:00")


def test_service_request_ids_override_the_other_filters():
    query = parse_requests_query(
        {"service_request_id": "A-1, B-2,,A-1", "status": "nonsense", "start_date": "garbage"},
        now=NOW,
        jurisdiction_id=JURISDICTION,
    )
    assert query == RequestsQuery(service_request_ids=("A-1", "B-2"))


def test_empty_arguments_are_treated_as_absent():
    query = parse_requests_query(
        {"status": "", "start_date": " "}, now=NOW, jurisdiction_id=JURISDICTION
    )
    assert query == RequestsQuery(start=NOW - timedelta(days=90), end=NOW)


@pytest.mark.parametrize(
    ("_case", "params", "fields"),
    [
        ("bad status", {"status": "pending"}, ["status"]),
        ("naive date", {"start_date": "2026-01-01T00:00:00"}, ["start_date"]),
        ("date only", {"end_date": "2026-01-01"}, ["end_date"]),
        ("both bad", {"status": "x", "end_date": "soon"}, ["status", "end_date"]),
        (
            "reversed",
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            ["end_date"],
        ),
        (
            "more than 90 days",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"},
            ["end_date"],
        ),
        (
            "repeated date",
            {"start_date": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]},
            ["start_date"],
        ),
    ],
)
def test_bad_requests_queries_are_400(_case, params, fields):
    with pytest.raises(Open311Error) as caught:
        parse_requests_query(params, now=NOW, jurisdiction_id=JURISDICTION)
    assert caught.value.status == 400
    assert [problem.field for problem in caught.value.problems] == fields
    assert all(problem.code == 400 for problem in caught.value.problems)


def test_unknown_jurisdiction_is_404():
    with pytest.raises(Open311Error) as caught:
        parse_requests_query(
            {"jurisdiction_id": "sfgov.org"}, now=NOW, jurisdiction_id=JURISDICTION
        )
    assert caught.value.status == 404
    assert caught.value.problems[0].code == 404
    assert "sfgov.org" in caught.value.message.en


def test_w3c_datetime_parsing():
    assert parse_w3c_datetime("2026-03-02T09:15+08:00", field="x") == datetime(
        2026, 3, 2, 9, 15, tzinfo=TAIPEI
    )
    with pytest.raises(Open311Error):
        parse_w3c_datetime("2026-02-30T09:15:00Z", field="x")


# --- POST requests ---------------------------------------------------------------------------

VALID_POST = {
    "jurisdiction_id": JURISDICTION,
    "service_code": "CPS-101",
    "lat": "24.99368",
    "long": "121.30106",
    "attribute[capacity_kw]": "10.5",
    "attribute[premises_use]": "residential",
    "email": "someone@example.org",
    "phone": "0912345678",
    "account_id": "12-34-5678-90-1",
    "first_name": "小明",
    "last_name": "王",
    "description": "新建透天\n需送電",
    "media_url": "https://example.org/photo.jpg",
}


def test_valid_post_is_parsed_and_normalised():
    request = parse_service_request(
        VALID_POST, catalogue=default_catalogue(), jurisdiction_id=JURISDICTION
    )
    assert request.kind.code == "new_supply"
    assert request.lat == Decimal("24.99368")
    assert request.long == Decimal("121.30106")
    assert dict(request.attributes) == {"capacity_kw": ("10.5",), "premises_use": ("residential",)}
    assert request.phone == "0912-345-678"
    assert request.account_id == "12345678901"
    assert request.description == "新建透天\n需送電"


def test_post_with_an_address_and_a_multivaluelist():
    request = parse_service_request(
        {
            "service_code": "CPS-401",
            "address_string": "桃園市桃園區中正路1號",
            "attribute[account_number]": "12345678901",
            "attribute[dispute_type][]": ["reading", "meter"],
        },
        catalogue=default_catalogue(),
        jurisdiction_id=JURISDICTION,
    )
    assert request.attributes["dispute_type"] == ("reading", "meter")
    assert request.lat is None


def test_post_without_service_code_is_400():
    with pytest.raises(Open311Error) as caught:
        parse_service_request(
            {"lat": "1", "long": "2"}, catalogue=default_catalogue(), jurisdiction_id=JURISDICTION
        )
    assert caught.value.status == 400
    assert caught.value.problems[0].field == "service_code"


@pytest.mark.parametrize("code", ["CPS-999", "call_1911_repair"])
def test_post_with_an_unknown_or_internal_service_is_404(code):
    with pytest.raises(Open311Error) as caught:
        parse_service_request(
            {"service_code": code, "address_string": "x"},
            catalogue=default_catalogue(),
            jurisdiction_id=JURISDICTION,
        )
    assert caught.value.status == 404
    assert caught.value.problems[0].code == 404


@pytest.mark.parametrize(
    ("_case", "changes", "fields"),
    [
        ("no location", {"lat": None, "long": None}, ["address_string"]),
        ("lat without long", {"long": None}, ["lat", "address_string"]),
        ("latitude out of range", {"lat": "91"}, ["lat"]),
        ("longitude not a number", {"long": "east"}, ["long"]),
        (
            "required attribute missing",
            {"attribute[premises_use]": None},
            ["attribute[premises_use]"],
        ),
        (
            "value not in the list",
            {"attribute[premises_use]": "castle"},
            ["attribute[premises_use]"],
        ),
        (
            "two values for a single list",
            {"attribute[premises_use]": ["residential", "commercial"]},
            ["attribute[premises_use]"],
        ),
        ("number attribute", {"attribute[capacity_kw]": "lots"}, ["attribute[capacity_kw]"]),
        (
            "datetime attribute",
            {"attribute[wished_supply_date]": "next week"},
            ["attribute[wished_supply_date]"],
        ),
        ("unknown attribute", {"attribute[colour]": "red"}, ["attribute[colour]"]),
        ("bad e-mail", {"email": "someone@"}, ["email"]),
        ("bad phone", {"phone": "12345"}, ["phone"]),
        ("bad 電號", {"account_id": "1234"}, ["account_id"]),
        ("description too long", {"description": "字" * 4001}, ["description"]),
        ("media URL not http", {"media_url": "javascript:alert(1)"}, ["media_url"]),
        ("several at once", {"email": "x", "media_url": "ftp://a/b"}, ["email", "media_url"]),
    ],
)
def test_bad_posts_report_every_problem_with_400(_case, changes, fields):
    params = {key: value for key, value in {**VALID_POST, **changes}.items() if value is not None}
    with pytest.raises(Open311Error) as caught:
        parse_service_request(params, catalogue=default_catalogue(), jurisdiction_id=JURISDICTION)
    assert caught.value.status == 400
    assert [problem.field for problem in caught.value.problems] == fields
    for problem in caught.value.problems:
        assert problem.message.zh_hant
        assert problem.message.en


def test_string_attribute_may_not_contain_line_breaks():
    params = {
        "service_code": "CPS-202",
        "address_id": "A1",
        "attribute[account_number]": "123\n456",
    }
    with pytest.raises(Open311Error) as caught:
        parse_service_request(params, catalogue=default_catalogue(), jurisdiction_id=JURISDICTION)
    assert "line breaks" in caught.value.problems[0].message.en


def test_post_with_a_datetime_attribute():
    params = {**VALID_POST, "attribute[wished_supply_date]": "2026-04-01T09:00:00+08:00"}
    request = parse_service_request(
        params, catalogue=default_catalogue(), jurisdiction_id=JURISDICTION
    )
    assert request.attributes["wished_supply_date"] == ("2026-04-01T09:00:00+08:00",)


def test_rendering_something_else_is_a_programming_error():
    with pytest.raises(TypeError):
        render_requests(["not a request"], fmt="json")  # type: ignore[list-item]


def test_characters_xml_cannot_carry_are_dropped():
    service = Service(
        service_code="X",
        service_name="bell\x07",
        description="tab\tand newline\n",
        metadata=False,
        type=ServiceType.REALTIME,
        keywords="",
        group="g",
    )
    text = render_services([service], fmt="xml")
    ET.fromstring(text.encode("utf-8"))  # noqa: S314
    assert "<service_name>bell</service_name>" in text
    assert "<description>tab\tand newline\n</description>" in text
