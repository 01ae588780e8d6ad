"""Binds the request's origin (address, client, id, channel) for the audit log."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from powerdesk.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind a proxy, set POWERDESK_PROXY_COUNT so axes and this agree."""
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return str(address) if address else None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:40] or secrets.token_hex(8)
        channel = "api" if request.path.startswith(("/api/", "/open311/")) else "web"
        token = context.bind(
            context.RequestContext(
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:300],
                request_id=request_id,
                channel=channel,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-Id"] = request_id
        return response


class ApiLanguageMiddleware:
    """API paths are not language-prefixed: take the language from ``?lang=``, the language
    cookie or Accept-Language (LocaleMiddleware would force the default for unprefixed paths)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(("/api/", "/open311/")):
            from django.conf import settings
            from django.utils import translation

            requested = request.GET.get("lang", "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = (
                requested.lower()
                if requested.lower() in supported
                else translation.get_language_from_request(request, check_path=False)
            )
            translation.activate(language)
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)
            return response
        return self.get_response(request)
