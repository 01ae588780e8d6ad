"""Open311 GeoReport v2: rendering and request parsing, from plain dataclasses (pure).

Specification: https://wiki.open311.org/GeoReport_v2 (frozen), its Service Discovery page
(https://wiki.open311.org/Service_Discovery) and the Spark convention for JSON. What this module
follows, point by point:

* XML is schemaless, without namespace, UTF-8, preceded by ``<?xml version="1.0"
  encoding="utf-8"?>``; JSON is the Spark mapping of the same tree (a list element becomes an
  array, e.g. ``<services><service>…`` → ``[{…}]``; ``<formats><format>…`` → ``["…"]``).
* Element names and order are those of the spec: services list (``service_code, service_name,
  description, metadata, type, keywords, group``), service definition (``service_code``,
  ``attributes`` of ``variable, code, datatype, required, datatype_description, order,
  description, values`` of ``key, name``), service requests (``service_request_id, status,
  status_notes, service_name, service_code, description, agency_responsible, service_notice,
  requested_datetime, updated_datetime, expected_datetime, address, address_id, zipcode, lat,
  long, media_url``), POST response (``service_request_id`` *or* ``token``, never both, then
  ``service_notice, account_id``), token lookup (``service_request_id, token``), errors
  (``<errors><error><code/><description/>``), discovery (``changeset, contact, key_service,
  endpoints`` of ``specification, url, changeset, type, formats``).
* Date/times are W3C/ISO 8601 with the offset, rendered in Asia/Taipei
  (``2026-03-02T10:15:00+08:00``); inputs must carry ``Z`` or an ``±HH:MM`` offset.
* Absent values are ``null`` in JSON and empty elements (``<status_notes/>``) in XML.
* GET requests: ``service_request_id`` (comma list) overrides all other filters;
  ``service_code`` and ``status`` are comma lists that may also be repeated; ``start_date`` /
  ``end_date`` default to the most recent 90 days and may not span more than 90 days; at most
  1000 requests are returned.
* Errors: 400 for a missing or malformed argument, 404 for an unknown ``jurisdiction_id`` or
  ``service_code``, 403 for a missing or invalid ``api_key``; several problems may be returned
  at once. Descriptions are in the requester's language (zh-Hant or English).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from powerdesk.cases.domain.catalogue import (
    WORKS_TYPE_LABELS,
    ApplicationKind,
    AttributeDatatype,
    Catalogue,
    KindAttribute,
)
from powerdesk.cases.domain.sla import SlaUnit
from powerdesk.cases.domain.states import Open311Status
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import DomainError, Message
from powerdesk.core.domain.identifiers import (
    IdentifierError,
    validate_account_number,
    validate_email,
    validate_phone,
)

__all__ = [
    "DEFAULT_SPAN",
    "MAX_REQUESTS",
    "SPECIFICATION",
    "Discovery",
    "Endpoint",
    "NewServiceRequest",
    "Open311Error",
    "Open311Problem",
    "PostResponse",
    "RequestsQuery",
    "Service",
    "ServiceAttribute",
    "ServiceAttributeValue",
    "ServiceDefinition",
    "ServiceRequest",
    "ServiceType",
    "TokenResponse",
    "format_datetime",
    "parse_requests_query",
    "parse_service_request",
    "parse_w3c_datetime",
    "render_discovery",
    "render_errors",
    "render_post_response",
    "render_requests",
    "render_service_definition",
    "render_services",
    "render_token",
    "service_definition_for",
    "service_notice_for",
    "services_for",
]

SPECIFICATION: Final = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS: Final = 1000
DEFAULT_SPAN: Final = timedelta(days=90)
MAX_DESCRIPTION: Final = 4000
XML_DECLARATION: Final = '<?xml version="1.0" encoding="utf-8"?>'
_W3C: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})"
)
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTRIBUTE: Final = re.compile(r"attribute\[([^\[\]]+)\](\[\])?")


# --- Data ----------------------------------------------------------------------------------


class ServiceType(StrEnum):
    REALTIME = "realtime"
    BATCH = "batch"
    BLACKBOX = "blackbox"


@dataclass(frozen=True, slots=True)
class Endpoint:
    url: str
    changeset: str
    type: str  # "production" or "test"
    formats: tuple[str, ...] = ("text/xml", "application/json")
    specification: str = SPECIFICATION


@dataclass(frozen=True, slots=True)
class Discovery:
    changeset: str
    contact: str
    key_service: str
    endpoints: tuple[Endpoint, ...]


@dataclass(frozen=True, slots=True)
class Service:
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: ServiceType
    keywords: str
    group: str


@dataclass(frozen=True, slots=True)
class ServiceAttributeValue:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class ServiceAttribute:
    variable: bool
    code: str
    datatype: AttributeDatatype
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: tuple[ServiceAttributeValue, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceDefinition:
    service_code: str
    attributes: tuple[ServiceAttribute, ...]


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    service_request_id: str
    status: Open311Status
    service_name: str
    service_code: str
    requested_datetime: datetime
    updated_datetime: datetime
    status_notes: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


@dataclass(frozen=True, slots=True)
class PostResponse:
    """Answer to POST requests: ``service_request_id`` (realtime) or ``token`` (batch)."""

    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None

    def __post_init__(self) -> None:
        if (self.service_request_id is None) == (self.token is None):
            raise DomainError(
                code="open311.post_response",
                zh_hant="回應必須恰有 service_request_id 或 token 其中之一。",
                en="A POST response carries exactly one of service_request_id and token.",
            )


@dataclass(frozen=True, slots=True)
class TokenResponse:
    service_request_id: str
    token: str


@dataclass(frozen=True, slots=True)
class Open311Problem:
    message: Message
    code: int = 400
    field: str | None = None


class Open311Error(DomainError):
    """One or more problems with an Open311 call, answered with HTTP ``status``."""

    def __init__(self, *, status: int, problems: Sequence[Open311Problem]) -> None:
        items = tuple(problems)
        super().__init__(
            code=f"open311.{status}",
            zh_hant="；".join(problem.message.zh_hant for problem in items),
            en="; ".join(problem.message.en for problem in items),
            field=items[0].field if len(items) == 1 else None,
            details={"status": status},
        )
        self.status = status
        self.problems = items


# --- Rendering -----------------------------------------------------------------------------

type _Scalar = str | int | float | bool | datetime | None


@dataclass(frozen=True, slots=True)
class _List:
    """A list element: XML ``<name><item>…</item>…</name>``, JSON an array."""

    item: str
    entries: tuple[_Content, ...]


type _Content = _Scalar | _List | tuple[tuple[str, _Content], ...]


def format_datetime(moment: datetime) -> str:
    """W3C date/time with the offset, in Asia/Taipei: ``2026-03-02T10:15:00+08:00``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DomainError(
            code="open311.naive_datetime",
            zh_hant=f"時間 {moment.isoformat()} 沒有時區。",
            en=f"The time {moment.isoformat()} has no time zone.",
        )
    return moment.astimezone(TAIPEI).isoformat(timespec="seconds")


def _json_value(content: _Content) -> object:
    if isinstance(content, _List):
        return [_json_value(entry) for entry in content.entries]
    if isinstance(content, tuple):
        return {name: _json_value(value) for name, value in content}
    if isinstance(content, datetime):
        return format_datetime(content)
    return content


def _xml_scalar(value: _Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    # Characters XML 1.0 cannot carry at all are dropped rather than making the document invalid.
    return escape(_NOT_XML.sub("", str(value)))


def _xml(name: str, content: _Content, *, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    children: tuple[tuple[str, _Content], ...]
    if isinstance(content, _List):
        children = tuple((content.item, entry) for entry in content.entries)
    elif isinstance(content, tuple):
        children = content
    else:
        if content is None or content == "":
            lines.append(f"{pad}<{name}/>")
        else:
            lines.append(f"{pad}<{name}>{_xml_scalar(content)}</{name}>")
        return
    if not children:
        lines.append(f"{pad}<{name}/>")
        return
    lines.append(f"{pad}<{name}>")
    for child_name, child in children:
        _xml(child_name, child, depth=depth + 1, lines=lines)
    lines.append(f"{pad}</{name}>")


def _endpoint(item: Endpoint) -> _Content:
    return (
        ("specification", item.specification),
        ("url", item.url),
        ("changeset", item.changeset),
        ("type", item.type),
        ("formats", _List("format", item.formats)),
    )


def _service(item: Service) -> _Content:
    return (
        ("service_code", item.service_code),
        ("service_name", item.service_name),
        ("description", item.description),
        ("metadata", item.metadata),
        ("type", item.type.value),
        ("keywords", item.keywords),
        ("group", item.group),
    )


def _attribute(item: ServiceAttribute) -> _Content:
    return (
        ("variable", item.variable),
        ("code", item.code),
        ("datatype", item.datatype.value),
        ("required", item.required),
        ("datatype_description", item.datatype_description),
        ("order", item.order),
        ("description", item.description),
        (
            "values",
            _List(
                "value", tuple((("key", value.key), ("name", value.name)) for value in item.values)
            ),
        ),
    )


def _request_item(item: object) -> _Content:
    if isinstance(item, ServiceRequest):
        return (
            ("service_request_id", item.service_request_id),
            ("status", item.status.value),
            ("status_notes", item.status_notes),
            ("service_name", item.service_name),
            ("service_code", item.service_code),
            ("description", item.description),
            ("agency_responsible", item.agency_responsible),
            ("service_notice", item.service_notice),
            ("requested_datetime", item.requested_datetime),
            ("updated_datetime", item.updated_datetime),
            ("expected_datetime", item.expected_datetime),
            ("address", item.address),
            ("address_id", item.address_id),
            ("zipcode", item.zipcode),
            ("lat", item.lat),
            ("long", item.long),
            ("media_url", item.media_url),
        )
    if isinstance(item, PostResponse):
        first = (
            ("service_request_id", item.service_request_id)
            if item.service_request_id is not None
            else ("token", item.token)
        )
        return (first, ("service_notice", item.service_notice), ("account_id", item.account_id))
    if isinstance(item, TokenResponse):
        return (("service_request_id", item.service_request_id), ("token", item.token))
    raise TypeError(f"Not an Open311 request item: {type(item).__name__}")


def _error(item: Open311Problem, *, language: str) -> _Content:
    return (("code", item.code), ("description", item.message.in_language(language)))


def _render(name: str, content: _Content, *, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_json_value(content), ensure_ascii=False, indent=2) + "\n"
    if fmt == "xml":
        lines = [XML_DECLARATION]
        _xml(name, content, depth=0, lines=lines)
        return "\n".join(lines) + "\n"
    raise DomainError(
        code="open311.format",
        zh_hant=f"不支援的格式「{fmt}」；可用 xml 或 json。",
        en=f"Unsupported format {fmt!r}; use xml or json.",
        field="format",
    )


def render_discovery(document: Discovery, *, fmt: str) -> str:
    """The service discovery document (``discovery.xml`` / ``discovery.json``)."""
    return _render(
        "discovery",
        (
            ("changeset", document.changeset),
            ("contact", document.contact),
            ("key_service", document.key_service),
            ("endpoints", _List("endpoint", tuple(_endpoint(item) for item in document.endpoints))),
        ),
        fmt=fmt,
    )


def render_services(services: Sequence[Service], *, fmt: str) -> str:
    """GET services."""
    return _render(
        "services", _List("service", tuple(_service(item) for item in services)), fmt=fmt
    )


def render_service_definition(definition: ServiceDefinition, *, fmt: str) -> str:
    """GET services/[service_code]."""
    return _render(
        "service_definition",
        (
            ("service_code", definition.service_code),
            (
                "attributes",
                _List("attribute", tuple(_attribute(item) for item in definition.attributes)),
            ),
        ),
        fmt=fmt,
    )


def render_requests(requests: Sequence[ServiceRequest], *, fmt: str) -> str:
    """GET requests and GET requests/[service_request_id] (a list of one)."""
    return _render(
        "service_requests",
        _List("request", tuple(_request_item(item) for item in requests)),
        fmt=fmt,
    )


def render_post_response(response: PostResponse, *, fmt: str) -> str:
    """POST requests."""
    return _render("service_requests", _List("request", (_request_item(response),)), fmt=fmt)


def render_token(response: TokenResponse, *, fmt: str) -> str:
    """GET tokens/[token]."""
    return _render("service_requests", _List("request", (_request_item(response),)), fmt=fmt)


def render_errors(error: Open311Error, *, fmt: str, language: str) -> str:
    """Any error: ``<errors><error><code/><description/></error>…</errors>``."""
    return _render(
        "errors",
        _List("error", tuple(_error(item, language=language) for item in error.problems)),
        fmt=fmt,
    )


# --- From the catalogue --------------------------------------------------------------------

_DATATYPE_HELP: Final[dict[AttributeDatatype, Message]] = {
    AttributeDatatype.STRING: Message(zh_hant="單行文字", en="One line of text"),
    AttributeDatatype.NUMBER: Message(zh_hant="數字", en="A number"),
    AttributeDatatype.DATETIME: Message(
        zh_hant="日期時間，例如 2026-03-02T09:00:00+08:00",
        en="A date and time, e.g. 2026-03-02T09:00:00+08:00",
    ),
    AttributeDatatype.TEXT: Message(zh_hant="文字，可分行", en="Text; line breaks allowed"),
    AttributeDatatype.SINGLEVALUELIST: Message(zh_hant="請選擇一項", en="Choose one"),
    AttributeDatatype.MULTIVALUELIST: Message(zh_hant="可選擇多項", en="Choose one or more"),
}


def service_notice_for(kind: ApplicationKind, *, language: str) -> str:
    """The standard limits of ``kind`` in words, for ``service_notice``."""
    if kind.limit_unit is SlaUnit.WORKING_HOURS:
        limit = kind.limit_for().label
        return Message(
            zh_hant=f"標準處理時限：{limit.zh_hant}。",
            en=f"Standard time limit: {limit.en}.",
        ).in_language(language)
    parts = [
        Message(
            zh_hant=f"{WORKS_TYPE_LABELS[works].zh_hant} {kind.limit_for(works).label.zh_hant}",
            en=f"{WORKS_TYPE_LABELS[works].en.lower()}: {kind.limit_for(works).label.en}",
        )
        for works in kind.works_types
    ]
    return Message(
        zh_hant="標準處理時限（不含補件、用戶要求延後、路權申請及他機關辦理期間）："
        + "；".join(part.zh_hant for part in parts)
        + "。",
        en="Standard time limit (time waiting for documents, at the customer's request, for a "
        "road-dig permit or for another agency excluded): "
        + "; ".join(part.en for part in parts)
        + ".",
    ).in_language(language)


def services_for(catalogue: Catalogue, *, language: str) -> list[Service]:
    """GET services: every kind the public may file, in catalogue order."""
    return [
        Service(
            service_code=kind.open311_service_code or kind.code,
            service_name=kind.name.in_language(language),
            description=kind.description.in_language(language),
            metadata=bool(kind.attributes),
            type=ServiceType.REALTIME,
            keywords=kind.keywords.in_language(language),
            group=kind.group,
        )
        for kind in catalogue.public_kinds()
    ]


def _service_attribute(attribute: KindAttribute, *, language: str) -> ServiceAttribute:
    return ServiceAttribute(
        variable=True,
        code=attribute.code,
        datatype=attribute.datatype,
        required=attribute.required,
        datatype_description=_DATATYPE_HELP[attribute.datatype].in_language(language),
        order=attribute.order,
        description=attribute.description.in_language(language),
        values=tuple(
            ServiceAttributeValue(key=value.key, name=value.name.in_language(language))
            for value in attribute.values
        ),
    )


def service_definition_for(kind: ApplicationKind, *, language: str) -> ServiceDefinition:
    """GET service definition of a public kind."""
    return ServiceDefinition(
        service_code=kind.open311_service_code or kind.code,
        attributes=tuple(
            _service_attribute(attribute, language=language) for attribute in kind.attributes
        ),
    )


# --- Parsing -------------------------------------------------------------------------------

type Params = Mapping[str, str | Sequence[str]]


def _values(params: Params, name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [item for item in items if item.strip()]


def _single(params: Params, name: str, problems: list[Open311Problem]) -> str | None:
    """A single-valued argument; empty means absent ("Optional Arguments" in the spec)."""
    values = _values(params, name)
    if len(values) > 1:
        problems.append(
            Open311Problem(
                message=Message(
                    zh_hant=f"參數「{name}」只能給一次。",
                    en=f"The argument {name!r} may be given only once.",
                ),
                field=name,
            )
        )
    return values[0].strip() if values else None


def _comma_list(params: Params, name: str) -> tuple[str, ...]:
    result: list[str] = []
    for value in _values(params, name):
        result.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(dict.fromkeys(result))


def parse_w3c_datetime(text: str, *, field: str) -> datetime:
    """A W3C date/time with ``Z`` or an offset; else ``Open311Error`` (400) naming ``field``."""
    value = text.strip()
    if _W3C.fullmatch(value):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise Open311Error(
        status=400,
        problems=[
            Open311Problem(
                message=Message(
                    zh_hant=f"「{field}」的值「{value}」不是含時區的 W3C 日期時間（例如 2026-03-02T00:00:00+08:00）。",
                    en=f"{field} {value!r} is not a W3C date/time with a time zone (e.g. 2026-03-02T00:00:00+08:00).",
                ),
                field=field,
            )
        ],
    )


def _check_jurisdiction(
    params: Params, *, jurisdiction_id: str, problems: list[Open311Problem]
) -> None:
    given = _single(params, "jurisdiction_id", problems)
    if given is not None and given != jurisdiction_id:
        raise Open311Error(
            status=404,
            problems=[
                Open311Problem(
                    code=404,
                    message=Message(
                        zh_hant=f"找不到 jurisdiction_id「{given}」；本端點只服務「{jurisdiction_id}」。",
                        en=f"jurisdiction_id {given!r} was not found; this endpoint serves {jurisdiction_id!r} only.",
                    ),
                    field="jurisdiction_id",
                )
            ],
        )


def _raise(problems: list[Open311Problem]) -> None:
    if problems:
        raise Open311Error(status=400, problems=problems)


@dataclass(frozen=True, slots=True)
class RequestsQuery:
    """Filters of GET requests. With ``service_request_ids`` set, the other filters are unset."""

    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[Open311Status, ...] = ()
    limit: int = MAX_REQUESTS


def parse_requests_query(params: Params, *, now: datetime, jurisdiction_id: str) -> RequestsQuery:
    """Parse the query string of GET requests (see the module docstring for the rules)."""
    problems: list[Open311Problem] = []
    _check_jurisdiction(params, jurisdiction_id=jurisdiction_id, problems=problems)
    ids = _comma_list(params, "service_request_id")
    if ids:
        _raise(problems)
        return RequestsQuery(service_request_ids=ids[:MAX_REQUESTS])
    statuses: list[Open311Status] = []
    for raw in _comma_list(params, "status"):
        try:
            statuses.append(Open311Status(raw))
        except ValueError:
            problems.append(
                Open311Problem(
                    message=Message(
                        zh_hant=f"status「{raw}」無效；只能是 open 或 closed。",
                        en=f"status {raw!r} is invalid; use open or closed.",
                    ),
                    field="status",
                )
            )
    bounds: dict[str, datetime] = {}
    for name in ("start_date", "end_date"):
        raw_value = _single(params, name, problems)
        if raw_value is not None:
            try:
                bounds[name] = parse_w3c_datetime(raw_value, field=name)
            except Open311Error as error:
                problems.extend(error.problems)
    _raise(problems)
    start, end = bounds.get("start_date"), bounds.get("end_date")
    if start is None:
        end = end or now
        start = end - DEFAULT_SPAN
    elif end is None:
        end = start + DEFAULT_SPAN
    if end < start:
        problems.append(
            Open311Problem(
                message=Message(
                    zh_hant="end_date 早於 start_date。", en="end_date is before start_date."
                ),
                field="end_date",
            )
        )
    elif end - start > DEFAULT_SPAN:
        problems.append(
            Open311Problem(
                message=Message(
                    zh_hant="查詢區間不可超過 90 天。",
                    en="The date range may not span more than 90 days.",
                ),
                field="end_date",
            )
        )
    _raise(problems)
    return RequestsQuery(
        service_codes=_comma_list(params, "service_code"),
        start=start,
        end=end,
        statuses=tuple(dict.fromkeys(statuses)),
    )


@dataclass(frozen=True, slots=True)
class NewServiceRequest:
    """A validated POST requests call."""

    kind: ApplicationKind
    service_code: str
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str | None = None
    address_id: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    description: str | None = None
    media_url: str | None = None


def _problem(field_name: str, zh_hant: str, en: str, *, code: int = 400) -> Open311Problem:
    return Open311Problem(message=Message(zh_hant=zh_hant, en=en), code=code, field=field_name)


def _coordinate(
    raw: str | None, *, name: str, bound: int, problems: list[Open311Problem]
) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not -bound <= value <= bound:
        problems.append(
            _problem(
                name,
                f"{name}「{raw}」必須是介於 -{bound} 與 {bound} 之間的 WGS84 座標。",
                f"{name} {raw!r} must be a WGS84 coordinate between -{bound} and {bound}.",
            )
        )
        return None
    return value


def _attribute_values(params: Params) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in params:
        match = _ATTRIBUTE.fullmatch(key)
        if match:
            found.setdefault(match.group(1), []).extend(_values(params, key))
    return found


def _check_attribute(
    attribute: KindAttribute, values: list[str], *, problems: list[Open311Problem]
) -> tuple[str, ...]:
    name = f"attribute[{attribute.code}]"
    label = attribute.description
    if not values:
        if attribute.required:
            problems.append(
                _problem(name, f"「{label.zh_hant}」為必填。", f"{label.en} is required.")
            )
        return ()
    datatype = attribute.datatype
    if datatype is not AttributeDatatype.MULTIVALUELIST and len(values) > 1:
        problems.append(
            _problem(name, f"「{label.zh_hant}」只能有一個值。", f"{label.en} takes one value.")
        )
        return ()
    keys = {value.key for value in attribute.values}
    for value in values:
        bad: tuple[str, str] | None = None
        if datatype in (AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST):
            if value not in keys:
                options = ", ".join(sorted(keys))
                bad = (f"不是可選的值（{options}）", f"is not one of the options ({options})")
        elif datatype is AttributeDatatype.NUMBER:
            try:
                number_ok = Decimal(value).is_finite()
            except InvalidOperation:
                number_ok = False
            if not number_ok:
                bad = ("不是數字", "is not a number")
        elif datatype is AttributeDatatype.DATETIME:
            if not _W3C.fullmatch(value.strip()):
                bad = ("不是含時區的日期時間", "is not a date/time with a time zone")
        elif datatype is AttributeDatatype.STRING and ("\n" in value or "\r" in value):
            bad = ("不可分行", "may not contain line breaks")
        if bad is not None:
            problems.append(
                _problem(
                    name,
                    f"「{label.zh_hant}」的值「{value}」{bad[0]}。",
                    f"{label.en}: {value!r} {bad[1]}.",
                )
            )
    return tuple(
        value.strip() if datatype is not AttributeDatatype.TEXT else value for value in values
    )


def parse_service_request(
    params: Params, *, catalogue: Catalogue, jurisdiction_id: str
) -> NewServiceRequest:
    """Validate the form parameters of POST requests; every problem is reported at once."""
    problems: list[Open311Problem] = []
    _check_jurisdiction(params, jurisdiction_id=jurisdiction_id, problems=problems)
    service_code = _single(params, "service_code", problems)
    if service_code is None:
        problems.append(
            _problem("service_code", "缺少 service_code。", "service_code was not provided.")
        )
        raise Open311Error(status=400, problems=problems)
    kind = catalogue.by_service_code(service_code)
    if kind is None:
        raise Open311Error(
            status=404,
            problems=[
                _problem(
                    "service_code",
                    f"找不到 service_code「{service_code}」。",
                    f"service_code {service_code!r} was not found.",
                    code=404,
                )
            ],
        )
    single = {
        name: _single(params, name, problems)
        for name in (
            "lat", "long", "address_string", "address_id", "email", "device_id", "account_id",
            "first_name", "last_name", "phone", "description", "media_url",
        )
    }  # fmt: skip
    lat = _coordinate(single["lat"], name="lat", bound=90, problems=problems)
    long = _coordinate(single["long"], name="long", bound=180, problems=problems)
    has_point = single["lat"] is not None and single["long"] is not None
    if (single["lat"] is None) != (single["long"] is None):
        problems.append(
            _problem("lat", "lat 與 long 必須同時提供。", "lat and long must be sent together.")
        )
    if not (has_point or single["address_string"] or single["address_id"]):
        problems.append(
            _problem(
                "address_string",
                "請提供位置：lat 與 long、address_string 或 address_id 其中之一。",
                "A location is required: lat and long, address_string or address_id.",
            )
        )
    attribute_values = _attribute_values(params)
    known = {attribute.code: attribute for attribute in kind.attributes}
    problems.extend(
        _problem(
            f"attribute[{code}]",
            f"此服務沒有屬性「{code}」。",
            f"This service has no attribute {code!r}.",
        )
        for code in attribute_values
        if code not in known
    )
    attributes = {
        attribute.code: checked
        for attribute in kind.attributes
        if (
            checked := _check_attribute(
                attribute,
                attribute_values.get(attribute.code, []),
                problems=problems,
            )
        )
    }
    email, phone, account_id = single["email"], single["phone"], single["account_id"]
    try:
        email = validate_email(email) if email else None
    except IdentifierError as error:
        problems.append(Open311Problem(message=error.message, field="email"))
    try:
        phone = validate_phone(phone).national if phone else None
    except IdentifierError as error:
        problems.append(Open311Problem(message=error.message, field="phone"))
    try:
        account_id = validate_account_number(account_id) if account_id else None
    except IdentifierError as error:
        problems.append(Open311Problem(message=error.message, field="account_id"))
    description = single["description"]
    if description is not None and len(description) > MAX_DESCRIPTION:
        problems.append(
            _problem(
                "description",
                f"description 不可超過 {MAX_DESCRIPTION} 字（目前 {len(description)} 字）。",
                f"description is limited to {MAX_DESCRIPTION} characters (got {len(description)}).",
            )
        )
    media_url = single["media_url"]
    if media_url is not None:
        parts = urlsplit(media_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                _problem(
                    "media_url",
                    "media_url 必須是 http 或 https 網址。",
                    "media_url must be an http or https URL.",
                )
            )
    _raise(problems)
    return NewServiceRequest(
        kind=kind,
        service_code=service_code,
        lat=lat,
        long=long,
        address_string=single["address_string"],
        address_id=single["address_id"],
        attributes=attributes,
        email=email,
        device_id=single["device_id"],
        account_id=account_id,
        first_name=single["first_name"],
        last_name=single["last_name"],
        phone=phone,
        description=description,
        media_url=media_url,
    )
