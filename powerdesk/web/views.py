"""Public pages: home, services overview, service centres, accessibility statement."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from powerdesk.customers import selectors as customer_selectors


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"services": SERVICES()})


def SERVICES() -> list[dict[str, str]]:  # noqa: N802 - a constant list that needs translations at request time
    return [
        {
            "slug": "cases",
            "title": _("Apply and track your application"),
            "text": _(
                "New supply, capacity changes, transfers, name changes, termination and reconnection; follow your case with the QR code on your receipt."
            ),
            "url": reverse("cases:index"),
            "status": "",
        },
        {
            "slug": "queue",
            "title": _("Take a queue number"),
            "text": _(
                "See waiting times at each service centre and take a ticket before you come."
            ),
            "status": _("Coming soon"),
        },
        {
            "slug": "tariffs",
            "title": _("Compare tariffs"),
            "text": _(
                "Try the simple time-of-use tariffs against your tiered tariff with your own usage."
            ),
            "url": reverse("tariffs:calculator"),
            "status": "",
        },
        {
            "slug": "outages",
            "title": _("Planned outages"),
            "text": _("Find planned power cuts for your address and your load-shedding group."),
            "status": _("Coming soon"),
        },
        {
            "slug": "bills",
            "title": _("Bills and payment reminders"),
            "text": _("E-bills, due dates and reminders by SMS, e-mail or letter."),
            "status": _("Coming soon"),
        },
        {
            "slug": "centres",
            "title": _("Service centres"),
            "text": _("Addresses, phone numbers and opening hours of our counters."),
            "url": reverse("web:service_centres"),
            "status": "",
        },
    ]


@require_GET
def service_centres_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/service_centres.html", {"centres": customer_selectors.service_centre_list()}
    )


@require_GET
def accessibility_view(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")):
        zh = not (
            request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "zh-hant"
        ).startswith("en")
        return JsonResponse(
            {"code": "not_found", "message": "查無資料。" if zh else "Not found.", "details": {}},
            status=404,
        )
    return render(request, "web/404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse(
            {
                "code": "server_error",
                "message": "系統發生錯誤，請稍後再試。 / Something went wrong; try again later.",
                "details": {},
            },
            status=500,
        )
    # No context processors and no database: the error may be the database itself.
    return HttpResponseServerError(loader.render_to_string("web/500.html"))


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/400.html", status=400)
