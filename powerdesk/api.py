"""The one NinjaAPI at /api/v1: authentication, the error shape, and the routers of every app."""

from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle

from powerdesk.core.errors import ApplicationError
from powerdesk.core.models import TaskRecord
from powerdesk.core.schemas import ErrorOut


class ApiRequest(HttpRequest):
    """The request as API endpoints see it: ``auth`` is the authenticated staff user."""

    auth: Any


class BearerToken(HttpBearer):
    """``Authorization: Bearer pd_…`` personal tokens (powerdesk token create USER)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from powerdesk.staff import actions

        user = actions.api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class StaffSession(APIKeyCookie):
    """A signed-in staff member's session (CSRF-checked for writes)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


staff_auth = [BearerToken(), StaffSession(csrf=True)]

api = NinjaAPI(
    title="powerdesk API",
    version="1",
    description=(
        "Public and staff API of powerdesk. Errors always have the shape "
        '`{"code": …, "message": …, "details": {…}}`; the message follows the request\'s '
        "language (Accept-Language: zh-Hant or en)."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "details": details or {}}, status=status
    )


def _zh() -> bool:
    return not (get_language() or "zh-hant").startswith("en")


@api.exception_handler(ApplicationError)
def application_error_handler(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    return api.create_response(request, error.as_dict(get_language()), status=error.status)


@api.exception_handler(ValidationError)
def validation_error_handler(request: HttpRequest, error: ValidationError) -> HttpResponse:
    fields = []
    for item in error.errors:
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        fields.append(
            {
                "field": ".".join(location) or "body",
                "code": str(item.get("type", "invalid")),
                "message": str(item.get("msg", "")),
            }
        )
    first = fields[0]["field"] if fields else "body"
    message = f"輸入資料有誤：{first}" if _zh() else f"Invalid input: {first}"
    return error_response(
        request, status=422, code="invalid_input", message=message, details={"fields": fields}
    )


@api.exception_handler(AuthenticationError)
def authentication_error_handler(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    message = "請先登入或提供有效的 API 權杖。" if _zh() else "Sign in or send a valid API token."
    return error_response(request, status=401, code="unauthenticated", message=message)


@api.exception_handler(Http404)
def not_found_handler(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(
        request, status=404, code="not_found", message="查無資料。" if _zh() else "Not found."
    )


@api.exception_handler(HttpError)
def http_error_handler(request: HttpRequest, error: HttpError) -> HttpResponse:
    codes = {
        429: ("rate_limited", "請求過於頻繁，請稍後再試。", "Too many requests; try again later.")
    }
    code, zh, en = codes.get(error.status_code, ("error", str(error.message), str(error.message)))
    return error_response(request, status=error.status_code, code=code, message=zh if _zh() else en)


class HealthOut(Schema):
    status: str
    database: str
    database_vendor: str
    tasks_ready: int


@api.get(
    "/health",
    response={200: HealthOut, 503: ErrorOut},
    tags=["platform"],
    throttle=[AnonRateThrottle("120/m")],
)
def health_api(request: HttpRequest) -> Status[dict[str, Any]]:
    """Checks that the database answers; 503 with the error shape when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        ready = TaskRecord.objects.filter(status=TaskRecord.Status.READY).count()
    except Exception as error:  # any database failure means "unhealthy", never a 500
        return Status(
            503,
            {
                "code": "database_unavailable",
                "message": "資料庫無法連線。" if _zh() else "The database is unavailable.",
                "details": {"error": type(error).__name__},
            },
        )
    return Status(
        200,
        {
            "status": "ok",
            "database": "ok",
            "database_vendor": connection.vendor,
            "tasks_ready": ready,
        },
    )


def _register_routers() -> None:
    from powerdesk.cases.api import router as cases_router
    from powerdesk.core.api import router as core_router
    from powerdesk.core.calendar_api import router as calendar_router
    from powerdesk.customers.api import router as customers_router
    from powerdesk.notifications.api import router as notifications_router
    from powerdesk.staff.api import router as staff_router
    from powerdesk.tariffs.api import router as tariffs_router

    api.add_router("/addresses", core_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/", customers_router)
    api.add_router("/staff", staff_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/tariffs", tariffs_router)
    api.add_router("/cases", cases_router)


_register_routers()
