"""Open311 GeoReport v2 at /open311/v2/ (https://wiki.open311.org/GeoReport_v2).

The documents themselves are rendered by the pure :mod:`powerdesk.cases.domain.open311`; these
views read the catalogue and the cases, check the partner's API key, open cases through the
core action, and answer every problem in the spec's error format
(``<errors><error><code/><description/></error></errors>`` / ``[{"code", "description"}]``)
with the matching HTTP status: 400 bad argument, 403 missing or wrong ``api_key``, 404 unknown
``jurisdiction_id``, ``service_code`` or request, 429 too many calls (with ``Retry-After``).

What is published. Every service is ``realtime``: a POST answers with the new
``service_request_id`` (the case number), never a token, so ``tokens/{token}`` always answers
404. ``GET requests`` lists only the cases that came in *through Open311*
(``selectors.open311_requests``: people who file through a 311 app expect their report to be
public; a counter or web applicant did not agree to that), and of those only what is not
personal: the service, the status (open / closed) with ``status_notes``, the dates
(``expected_datetime`` is the SLA due time while the case is open), the department
responsible, the address masked to the street (house numbers and floors as ○) and coordinates
rounded to about 100 m. Names, phone numbers, e-mail addresses, 電號, device
and account ids, the free-text description and the media URL are never returned.

A POST needs ``api_key`` (an :class:`~powerdesk.cases.models.Open311Client`, form field as the
spec says); it is CSRF-exempt because the key, not a cookie, authenticates it. The case is
opened by ``actions.case_open`` with channel ``open311``; the office needs a way to reach the
requester, so a name (``first_name``/``last_name``) and a ``phone`` or ``email`` are required.

Language: ``locale`` (``en``, ``en_US``, ``zh_TW``, ``zh-Hant`` …) or ``lang`` in the query,
else ``Accept-Language`` (the language middleware), picks zh-Hant or English texts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from powerdesk.cases import actions, limits, selectors
from powerdesk.cases.domain import open311
from powerdesk.cases.domain.catalogue import AttributeDatatype, Catalogue
from powerdesk.cases.domain.numbers import NumberError, parse_case_number
from powerdesk.cases.domain.open311 import Open311Error, Open311Problem
from powerdesk.cases.domain.states import state_info
from powerdesk.core.domain import masking
from powerdesk.core.domain.errors import DomainError, Message
from powerdesk.core.errors import ApplicationError, InvalidInputError
from powerdesk.core.middleware import client_ip
from powerdesk.core.ratelimit import rate_wait

FORMATS: Final = ("json", "xml")
CONTENT_TYPES: Final = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
DEFAULT_JURISDICTION: Final = "taoyuan.taipower.example"
CHANGESET: Final = "2026-11-27T00:00:00+08:00"
MAX_BODY: Final = 64 * 1024

type View = Callable[..., HttpResponse]


# --- Settings ----------------------------------------------------------------------------------


def _powerdesk_setting(name: str, default: str) -> str:
    value = getattr(settings, "POWERDESK", {}).get(name)
    return str(value) if value else default


def jurisdiction_id() -> str:
    return _powerdesk_setting("OPEN311_JURISDICTION", DEFAULT_JURISDICTION)


def _rate() -> tuple[int, int]:
    return limits.configured_rate("OPEN311_RATE")


# --- Language, format, errors -------------------------------------------------------------------


def language_of(request: HttpRequest) -> str:
    """``en`` or ``zh-hant``: the ``locale`` argument first, then the request's language."""
    raw = (request.GET.get("locale") or request.POST.get("locale") or "").strip().lower()
    if raw.startswith("en"):
        return "en"
    if raw.startswith("zh"):
        return "zh-hant"
    language = getattr(request, "LANGUAGE_CODE", "") or "zh-hant"
    return "en" if language.lower().startswith("en") else "zh-hant"


def _document(text: str, *, fmt: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type=CONTENT_TYPES[fmt], status=status)
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _naming_fields(error: Open311Error) -> Open311Error:
    """Every description names the argument it concerns (``phone: …``) if it does not yet."""
    problems = []
    for problem in error.problems:
        field, message = problem.field, problem.message
        if field and field not in message.en:
            message = Message(zh_hant=f"{field}：{message.zh_hant}", en=f"{field}: {message.en}")
        problems.append(Open311Problem(message=message, code=problem.code, field=field))
    return Open311Error(status=error.status, problems=problems)


def _error(
    request: HttpRequest, error: Open311Error, *, fmt: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    error = _naming_fields(error)
    response = _document(
        open311.render_errors(error, fmt=fmt, language=language_of(request)),
        fmt=fmt,
        status=error.status,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _problem(status: int, zh_hant: str, en: str, *, field: str | None = None) -> Open311Error:
    return Open311Error(
        status=status,
        problems=[
            Open311Problem(message=Message(zh_hant=zh_hant, en=en), code=status, field=field)
        ],
    )


def _rate_limited(request: HttpRequest) -> int:
    return rate_wait((f"open311:rate:{client_ip(request) or '-'}", _rate()))


def open311_view(*methods: str) -> Callable[[View], View]:
    """Check the method, the format and the rate; turn every known error into the spec's."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return _error(
                    request,
                    _problem(
                        400,
                        f"不支援的格式「{fmt}」；請用 .xml 或 .json。",
                        f"Unsupported format {fmt!r}; use .xml or .json.",
                        field="format",
                    ),
                    fmt="xml",
                )
            if request.method not in methods:
                response = _error(
                    request,
                    _problem(
                        405,
                        f"此資源不接受 {request.method} 方法。",
                        f"This resource does not accept {request.method}.",
                    ),
                    fmt=fmt,
                )
                response["Allow"] = ", ".join(methods)
                return response
            wait = _rate_limited(request)
            if wait:
                return _error(
                    request,
                    _problem(
                        429,
                        "請求過於頻繁，請稍後再試。",
                        "Too many requests; try again later.",
                    ),
                    fmt=fmt,
                    headers={"Retry-After": str(wait)},
                )
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return _error(request, error, fmt=fmt)
            except InvalidInputError as error:
                problems = [
                    Open311Problem(message=problem.message, field=problem.field)
                    for problem in error.problems
                ]
                return _error(request, Open311Error(status=400, problems=problems), fmt=fmt)
            except ApplicationError as error:
                status = error.status if error.status in (400, 403, 404, 409) else 400
                return _error(
                    request,
                    Open311Error(
                        status=status,
                        problems=[Open311Problem(message=error.message, code=status)],
                    ),
                    fmt=fmt,
                )
            except DomainError as error:
                return _error(
                    request,
                    Open311Error(
                        status=400,
                        problems=[Open311Problem(message=error.message, field=error.field)],
                    ),
                    fmt=fmt,
                )

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _params(request: HttpRequest, *, post: bool = False) -> dict[str, list[str]]:
    source = request.POST if post else request.GET
    return {key: source.getlist(key) for key in source}


def _check_jurisdiction(request: HttpRequest) -> None:
    """GET calls: an unknown ``jurisdiction_id`` is a 404 (the parsers do this for the rest)."""
    values = [value.strip() for value in request.GET.getlist("jurisdiction_id") if value.strip()]
    if values and any(value != jurisdiction_id() for value in values):
        raise _problem(
            404,
            f"找不到 jurisdiction_id「{values[0]}」；本端點只服務「{jurisdiction_id()}」。",
            f"jurisdiction_id {values[0]!r} was not found; this endpoint serves "
            f"{jurisdiction_id()!r} only.",
            field="jurisdiction_id",
        )


# --- Reading -----------------------------------------------------------------------------------


def _catalogue() -> Catalogue:
    return Catalogue(
        kinds=tuple(kind.as_domain() for kind in selectors.kind_list(public_only=True))
    )


def _rounded(value: Decimal | None) -> float | None:
    """A coordinate to three decimals (about 100 m): where, not whose house."""
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN))


def _department_name(case: Any, language: str) -> str | None:
    department = getattr(case, "department", None)
    if department is None:
        return None
    return str(department.name_en if language == "en" else department.name_zh)


def service_request_of(case: Any, *, language: str) -> open311.ServiceRequest:
    """A case as the public Open311 service request (no personal data; see the module doc)."""
    info = state_info(case.state)
    kind = case.kind.as_domain()
    note = (case.public_note or "").strip()
    return open311.ServiceRequest(
        service_request_id=case.number,
        status=info.open311_status,
        status_notes=note or info.status_notes.in_language(language),
        service_name=kind.name.in_language(language),
        service_code=kind.open311_service_code or kind.code,
        requested_datetime=case.received_at,
        updated_datetime=case.updated_at,
        description=None,
        agency_responsible=_department_name(case, language),
        service_notice=open311.service_notice_for(kind, language=language),
        expected_datetime=case.due_at if case.is_open else None,
        address=masking.mask_address(case.address) or None,
        lat=_rounded(case.latitude),
        long=_rounded(case.longitude),
    )


@open311_view("GET", "HEAD")
def discovery_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """Service discovery: where the GeoReport v2 endpoint is and what it speaks."""
    language = language_of(request)
    base = request.build_absolute_uri(reverse("open311:root"))
    contact = Message(
        zh_hant=f"{settings.POWERDESK.get('OFFICE_NAME', '')} 業務組",
        en=f"{settings.POWERDESK.get('OFFICE_NAME', '')}, business section",
    )
    document = open311.Discovery(
        changeset=CHANGESET,
        contact=contact.in_language(language),
        key_service=Message(
            zh_hant="API 金鑰由業務組核發：請來函或至服務中心洽詢。",
            en="API keys are issued by the business section: write to us or ask at a service centre.",
        ).in_language(language),
        endpoints=(
            open311.Endpoint(
                url=base.rstrip("/"),
                changeset=CHANGESET,
                type="production",
            ),
        ),
    )
    return _document(open311.render_discovery(document, fmt=fmt), fmt=fmt)


@open311_view("GET", "HEAD")
def services_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET services: the kinds the public may file."""
    _check_jurisdiction(request)
    services = open311.services_for(_catalogue(), language=language_of(request))
    return _document(open311.render_services(services, fmt=fmt), fmt=fmt)


@open311_view("GET", "HEAD")
def service_definition_view(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    """GET service definition: the extra attributes of one service."""
    _check_jurisdiction(request)
    row = selectors.kind_by_service_code(service_code)
    kind = row.as_domain() if row is not None else None
    if kind is None:
        raise _problem(
            404,
            f"找不到 service_code「{service_code}」。",
            f"service_code {service_code!r} was not found.",
            field="service_code",
        )
    definition = open311.service_definition_for(kind, language=language_of(request))
    return _document(open311.render_service_definition(definition, fmt=fmt), fmt=fmt)


def _canonical_id(raw: str) -> str:
    """A case number in its printed form if it reads as one (any spelling), else as given."""
    try:
        return str(parse_case_number(raw))
    except NumberError:
        return raw.strip()


def _list_requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    query = open311.parse_requests_query(
        _params(request), now=timezone.now(), jurisdiction_id=jurisdiction_id()
    )
    if query.service_request_ids:
        cases = list(
            selectors.open311_requests(
                service_request_ids=[_canonical_id(item) for item in query.service_request_ids],
                limit=query.limit,
            )
        )
    else:
        # The selector takes one service code and one status; the spec allows lists.
        status = query.statuses[0].value if len(query.statuses) == 1 else None
        found: dict[int, Any] = {}
        for code in query.service_codes or (None,):
            for case in selectors.open311_requests(
                service_code=code,
                start_date=query.start,
                end_date=query.end,
                status=status,
                limit=query.limit,
            ):
                found[case.pk] = case
        cases = sorted(found.values(), key=lambda case: (case.received_at, case.pk), reverse=True)
    language = language_of(request)
    items = [service_request_of(case, language=language) for case in cases[: query.limit]]
    return _document(open311.render_requests(items, fmt=fmt), fmt=fmt)


_FIELDS: Final = {
    "applicant_name": "first_name",
    "applicant_phone": "phone",
    "applicant_email": "email",
    "account_number": "account_id",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "kind": "service_code",
    "channel": "service_code",
}


def _open311_field(field: str) -> str:
    if field.startswith("attributes."):
        return f"attribute[{field.removeprefix('attributes.')}]"
    return _FIELDS.get(field, field)


def _client_for(key: str) -> Any:
    client = selectors.open311_client_for_key(key.strip()) if key.strip() else None
    if client is None:
        raise _problem(
            403,
            "api_key 缺少或無效。",
            "The api_key is missing or not valid.",
            field="api_key",
        )
    return client


def _attribute_answers(new: open311.NewServiceRequest) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    datatypes = {attribute.code: attribute.datatype for attribute in new.kind.attributes}
    for code, values in new.attributes.items():
        if datatypes.get(code) is AttributeDatatype.MULTIVALUELIST:
            answers[code] = list(values)
        else:
            answers[code] = values[0]
    return answers


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def _full_name(first: str, last: str) -> str:
    """王 + 大明 → 王大明 (family name first, no space); Ada + Lovelace → Ada Lovelace."""
    first, last = first.strip(), last.strip()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _open_case(new: open311.NewServiceRequest, *, client: Any, language: str) -> Any:
    name = _full_name(new.first_name or "", new.last_name or "")
    try:
        return actions.case_open(
            actor=None,
            kind=new.kind.code,
            channel="open311",
            applicant_name=name,
            applicant_phone=new.phone or "",
            applicant_email=new.email or "",
            applicant_language=language,
            account_number=new.account_id or "",
            address=new.address_string or "",
            latitude=new.lat,
            longitude=new.long,
            description=new.description or "",
            attributes=_attribute_answers(new),
            open311_client=client,
            media_url=new.media_url or "",
            requester_first_name=new.first_name or "",
            requester_last_name=new.last_name or "",
            device_id=new.device_id or "",
            requester_account_id=new.account_id or "",
            address_id=new.address_id or "",
        )
    except InvalidInputError as error:
        problems = [
            Open311Problem(message=problem.message, field=_open311_field(problem.field))
            for problem in error.problems
        ]
        raise Open311Error(status=400, problems=problems) from error


def _post_request(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if len(request.body) > MAX_BODY:
        raise _problem(
            400,
            f"請求內容超過 {MAX_BODY // 1024} KiB。",
            f"The request body exceeds {MAX_BODY // 1024} KiB.",
        )
    client = _client_for(request.POST.get("api_key", ""))
    new = open311.parse_service_request(
        _params(request, post=True), catalogue=_catalogue(), jurisdiction_id=jurisdiction_id()
    )
    language = language_of(request)
    case = _open_case(new, client=client, language=language)
    response = open311.PostResponse(
        service_request_id=case.number,
        service_notice=open311.service_notice_for(new.kind, language=language),
        account_id=None,
    )
    return _document(open311.render_post_response(response, fmt=fmt), fmt=fmt)


@csrf_exempt
@open311_view("GET", "HEAD", "POST")
def requests_view(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET requests (the spec's filters) or POST a request (with an ``api_key``)."""
    if request.method == "POST":
        return _post_request(request, fmt=fmt)
    return _list_requests(request, fmt=fmt)


@open311_view("GET", "HEAD")
def request_view(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    """GET one request by its id (the case number)."""
    _check_jurisdiction(request)
    found = selectors.open311_requests(
        service_request_ids=[_canonical_id(service_request_id)], limit=1
    )
    case = next(iter(found), None)
    if case is None:
        raise _problem(
            404,
            f"找不到 service_request_id「{service_request_id}」。",
            f"service_request_id {service_request_id!r} was not found.",
            field="service_request_id",
        )
    item = service_request_of(case, language=language_of(request))
    return _document(open311.render_requests([item], fmt=fmt), fmt=fmt)


@open311_view("GET", "HEAD")
def token_view(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    """GET tokens: every service is realtime, so no token is ever handed out: always 404."""
    _check_jurisdiction(request)
    raise _problem(
        404,
        "找不到此 token；本端點的服務皆即時回覆 service_request_id，不使用 token。",
        "The token was not found; every service here answers with a service_request_id "
        "at once and never hands out tokens.",
        field="token",
    )


def not_found_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's error document, 404."""
    fmt = "json" if path.endswith(".json") else "xml"
    return _error(
        request,
        _problem(404, "找不到此資源。", "There is no such resource.", field="path"),
        fmt=fmt,
    )
