"""Public pages of counter cases (mounted at /cases/ and /en/cases/).

* ``t/<token>/``: the progress page the receipt's QR code opens (the unguessable token is the
  credential); ``track/``: the lookup form, case number + the last four digits of the
  applicant's phone or of the 電號. Both show masked progress only.
* ``apply/``: the web application for kinds the catalogue marks public, in two steps (the form,
  then the one-time code sent to the applicant's e-mail or mobile); ``t/<token>/receipt/``: the
  receipt page (number, tracking link, QR code, PDF) and ``t/<token>/receipt.pdf``.
* ``averages/``: average actual working days per kind and works type of completed cases.

Enumeration resistance: a wrong second factor, an unknown case number and a wrong token all get
:func:`_not_found`, the same 404 page (same status, same headers, same body: the lookup form,
never the input), after the same work (one indexed query and a constant-time comparison in the
selectors; the answer is built only after the rate limits are settled). Lookups are limited per client address and, for the form, by the failed lookups of
the case number (shared with the API), with fixed-window counters in the cache (Redis in
production, so all web processes count together; see :mod:`powerdesk.cases.limits`); past the
limit the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
import math
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from powerdesk.cases import actions, limits, selectors, verification
from powerdesk.cases.domain.catalogue import WORKS_TYPE_LABELS, ApplicationKind
from powerdesk.cases.forms import ApplicationForm, CodeForm, LookupForm
from powerdesk.cases.receipt import qr_for, receipt_for_token, render_receipt
from powerdesk.core.domain import masking
from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import ConflictError, InvalidInputError, NotFoundError
from powerdesk.core.middleware import client_ip
from powerdesk.core.ratelimit import rate_wait
from powerdesk.notifications.channels.letter_pdf import FontMissingError

logger = logging.getLogger(__name__)


def _language() -> str:
    return get_language() or "zh-hant"


def _text(message: Message) -> str:
    return message.in_language(_language())


# --- rate limits ------------------------------------------------------------------------------


def _client_wait(request: HttpRequest) -> int:
    """Count a public page's lookup against the client's allowance: seconds to wait, or 0."""
    digest = hashlib.sha256(_client(request).encode()).hexdigest()[:32]
    return rate_wait((f"cases:page:client:{digest}", limits.configured_rate("PAGE_LOOKUP_RATE")))


def _client(request: HttpRequest) -> str:
    return client_ip(request) or "-"


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "cases/public/rate_limited.html",
        {"minutes": max(1, math.ceil(retry_after / 60)), "lookup_path": reverse("cases:lookup")},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    """Progress pages hold personal (if masked) data: never stored by caches or indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    """The one answer to a wrong token, an unknown case number and a wrong second factor."""
    response = render(
        request,
        "cases/public/lookup.html",
        {"form": LookupForm(), "not_found": True, "lookup_path": reverse("cases:lookup")},
        status=404,
    )
    return _private(response)


# --- landing page -----------------------------------------------------------------------------


@require_GET
def cases_index_view(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/public/index.html")


# --- progress ---------------------------------------------------------------------------------


def _date_text(value: Any) -> str:
    from powerdesk.cases.receipt import format_day

    return format_day(value, language=_language()) if value else ""


def progress_context(public: Any) -> dict[str, Any]:
    """What the progress page shows, in the active language (``public``: a ``PublicCase``)."""
    return {
        "number": public.number,
        "kind": _text(public.kind_name),
        "state": public.state,
        "state_label": _text(public.state_label),
        "status_notes": _text(public.status_notes),
        "public_note": public.public_note,
        "is_open": public.is_open,
        "paused": public.paused,
        "pause_reason": _text(public.pause_reason) if public.pause_reason else "",
        "received_at": public.received_at,
        "expected_date": public.expected_date,
        "supply_date": public.supply_date,
        "completed_at": public.completed_at,
        "pending": [_text(item) for item in public.pending],
        "applicant": public.applicant_masked,
        "address": public.address_masked,
        "documents": [
            {
                "name": _text(document.name),
                "required": document.required,
                "note": _text(document.note) if document.note else "",
            }
            for document in public.documents
        ],
        "timeline": [
            {"at": entry.at, "text": _text(entry.text), "note": entry.note}
            for entry in public.timeline
        ],
        "token": public.token,
    }


def _progress(request: HttpRequest, public: Any) -> HttpResponse:
    context = {"case": progress_context(public), "lookup_path": reverse("cases:lookup")}
    return _private(render(request, "cases/public/track.html", context))


@never_cache
@require_GET
def case_track_view(request: HttpRequest, token: str) -> HttpResponse:
    """The QR target: masked progress through the lookup token."""
    wait = _client_wait(request)
    if wait:
        return _too_many(request, wait)
    try:
        public = selectors.public_lookup_by_token(token)
    except NotFoundError:
        return _not_found(request)
    return _progress(request, public)


@never_cache
@require_http_methods(["GET", "POST"])
def case_lookup_view(request: HttpRequest) -> HttpResponse:
    """Case number + last four digits of the applicant's phone or of the 電號."""
    context: dict[str, Any] = {"lookup_path": reverse("cases:lookup")}
    if request.method != "POST":
        return _private(
            render(request, "cases/public/lookup.html", {**context, "form": LookupForm()})
        )
    wait = _client_wait(request)
    if wait:
        return _too_many(request, wait)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _private(
            render(request, "cases/public/lookup.html", {**context, "form": form}, status=400)
        )
    number = form.cleaned_data["case_number"]
    # Built and shown only once the number's allowance of failures is settled (cases.limits);
    # up to then a right and a wrong second factor cost the same work.
    match = selectors.public_match_by_number(number, form.cleaned_data["second_factor"])
    wait = limits.number_wait(number, found=match is not None)
    if wait:
        return _too_many(request, wait)
    if match is None:
        return _not_found(request)
    return _progress(request, match.case())


# --- receipt ----------------------------------------------------------------------------------


def qr_svg(url: str, *, title: str) -> str:
    """The receipt's QR code as inline SVG (no script, no style attribute)."""
    return str(qr_for(url).svg_inline(scale=4, dark="#000", light="#fff", title=title))


@never_cache
@require_GET
def case_receipt_view(request: HttpRequest, token: str) -> HttpResponse:
    """The receipt page after a web application: number, tracking link, QR code, PDF."""
    wait = _client_wait(request)
    if wait:
        return _too_many(request, wait)
    try:
        receipt = receipt_for_token(token)
    except NotFoundError:
        return _not_found(request)
    language = _language()
    context = {
        "receipt": receipt,
        "kind": receipt.kind_name.in_language(language),
        "limit": receipt.limit_label.in_language(language),
        "works": receipt.works_label.in_language(language),
        "centre": receipt.centre_name.in_language(language),
        "expected_date": receipt.expected_date,
        "documents": [
            {
                "name": document.name.in_language(language),
                "required": document.required,
                "note": document.note.in_language(language) if document.note else "",
            }
            for document in receipt.documents
        ],
        "fees": [
            {
                "name": fee.name.in_language(language),
                "amount": fee.amount,
                "note": fee.note.in_language(language) if fee.note else "",
            }
            for fee in receipt.fees
        ],
        "qr_svg": qr_svg(receipt.tracking_url, title=_("QR code of your progress page")),
        # the link on the page stays on this site and in this language; the QR code and the PDF
        # carry the configured public address, as the notifications do
        "track_link": request.build_absolute_uri(reverse("cases:track", args=[receipt.token])),
        "lookup_path": reverse("cases:lookup"),
    }
    return _private(render(request, "cases/public/receipt.html", context))


def receipt_pdf_response(request: HttpRequest, receipt: Any, *, language: str) -> HttpResponse:
    """The receipt PDF as a download (shared with the staff receipt view).

    Without the Chinese font (a deployment fault that ``check`` reports as
    ``notifications.W001``) the answer is a 503 page saying so, not a server error."""
    try:
        pdf = render_receipt(receipt, language=language)
    except FontMissingError as error:
        logger.error("receipt PDF for %s: %s", receipt.number, error)
        response = render(request, "cases/public/receipt_unavailable.html", status=503)
        response["Retry-After"] = "3600"
        return _private(response)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    return _private(response)


@never_cache
@require_GET
def case_receipt_pdf_view(request: HttpRequest, token: str) -> HttpResponse:
    wait = _client_wait(request)
    if wait:
        return _too_many(request, wait)
    try:
        receipt = receipt_for_token(token)
    except NotFoundError:
        return _not_found(request)
    return receipt_pdf_response(request, receipt, language=_language())


# --- web application --------------------------------------------------------------------------


def _public_kinds() -> tuple[ApplicationKind, ...]:
    return tuple(kind.as_domain() for kind in selectors.kind_list(public_only=True))


def _public_kind(code: str) -> ApplicationKind | None:
    for kind in _public_kinds():
        if kind.code == code:
            return kind
    return None


def _checklist(kind: ApplicationKind) -> list[dict[str, Any]]:
    return [
        {
            "name": _text(document.name),
            "required": document.required,
            "note": _text(document.note) if document.note else "",
        }
        for document in kind.documents
    ]


def _fees(kind: ApplicationKind) -> list[dict[str, Any]]:
    return [
        {
            "name": _text(fee.name),
            "amount": fee.amount,
            "note": _text(fee.note) if fee.note else "",
        }
        for fee in kind.fees
    ]


def _choose(request: HttpRequest, *, unknown: str | None = None) -> HttpResponse:
    """The list of kinds the public may file; ``unknown``: the code asked for does not exist."""
    kinds = [
        {"code": kind.code, "name": _text(kind.name), "description": _text(kind.description)}
        for kind in _public_kinds()
    ]
    error = ""
    if unknown is not None:
        error = _(
            "There is no application kind “%(kind)s” that can be filed online; choose one from the list."
        ) % {"kind": unknown[:40]}
    return render(
        request,
        "cases/public/apply_choose.html",
        {"kinds": kinds, "error": error},
        status=400 if error else 200,
    )


def _application_page(
    request: HttpRequest, form: ApplicationForm, *, status: int = 200
) -> HttpResponse:
    kind = form.application_kind
    limits = [
        {"works": _text(WORKS_TYPE_LABELS[works]), "limit": _text(kind.limit_for(works).label)}
        for works in kind.works_types
    ]
    context = {
        "form": form,
        "kind": kind,
        "kind_name": _text(kind.name),
        "kind_description": _text(kind.description),
        "checklist": _checklist(kind),
        "fees": _fees(kind),
        "limits": limits,
    }
    response = render(request, "cases/public/apply_form.html", context, status=status)
    return _private(response)


@never_cache
@require_http_methods(["GET", "POST"])
def case_apply_view(request: HttpRequest) -> HttpResponse:
    """Step one: choose the kind (GET ?kind=…), then the form; POST sends the code."""
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("kind")
    if code is None:
        return _choose(request)
    kind = _public_kind(code)
    if kind is None:
        return _choose(request, unknown=code)
    if request.method != "POST":
        return _application_page(request, ApplicationForm(kind=kind))
    form = ApplicationForm(request.POST, kind=kind)
    if not form.is_valid():
        return _application_page(request, form, status=400)
    channel = form.cleaned_data["contact_channel"]
    address = form.cleaned_data["email" if channel == "email" else "mobile"]
    try:
        pending = verification.challenge_start(
            channel=channel,
            address=address,
            language=_language(),
            data=verification.data_of(request.POST),
        )
    except InvalidInputError as error:
        form.attach(error)
        return _application_page(request, form, status=400)
    except ConflictError as error:
        form.add_error(None, error.text(_language()))
        response = _application_page(request, form, status=429)
        response["Retry-After"] = str(error.details.get("retry_after", 3600))
        return response
    return redirect(
        f"{reverse('cases:apply_verify')}?{urlencode({'p': pending.id})}", permanent=False
    )


def _masked_contact(pending: verification.Challenge) -> str:
    if pending.channel == "email":
        return masking.mask_email(pending.address)
    return masking.mask_phone(pending.address)


def _verify_page(
    request: HttpRequest,
    form: CodeForm,
    pending: verification.Challenge | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "pending": pending,
        "contact": _masked_contact(pending) if pending else "",
        "minutes": verification.CODE_TTL_SECONDS // 60,
    }
    return _private(render(request, "cases/public/apply_verify.html", context, status=status))


def _open_case(pending: verification.Challenge, form: ApplicationForm) -> Any:
    data = form.cleaned_data
    return actions.case_open(
        actor=None,
        kind=form.application_kind.code,
        channel="web",
        applicant_name=data["applicant_name"],
        applicant_phone=pending.address if pending.channel == "sms" else data.get("mobile", ""),
        applicant_email=pending.address if pending.channel == "email" else data.get("email", ""),
        applicant_language="en" if _language().startswith("en") else "zh-hant",
        account_number=data.get("account_number", "") or "",
        address=data["address"],
        description=data.get("description", "") or "",
        attributes=form.attributes(),
        verified_contact=pending.address,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def case_apply_verify_view(request: HttpRequest) -> HttpResponse:
    """Step two: the one-time code; a right code files the application."""
    if request.method != "POST":
        pending = verification.challenge_get(request.GET.get("p", ""))
        if pending is None:
            form = CodeForm({"challenge": "", "code": ""})
            form.is_valid()
            form.errors.clear()
            form.attach(verification.challenge_expired_error())
            return _verify_page(request, form, None, status=400)
        return _verify_page(request, CodeForm(initial={"challenge": pending.id}), pending)
    form = CodeForm(request.POST)
    challenge_id = request.POST.get("challenge", "")
    if not form.is_valid():
        return _verify_page(request, form, verification.challenge_get(challenge_id), status=400)
    try:
        pending = verification.challenge_verify(challenge_id, form.cleaned_data["code"])
    except InvalidInputError as error:
        form.attach(error)
        return _verify_page(request, form, verification.challenge_get(challenge_id), status=400)
    kind = _public_kind((pending.data.get("kind") or [""])[0])
    if kind is None:
        return _choose(request, unknown=(pending.data.get("kind") or [""])[0])
    application = ApplicationForm(_query_dict(pending.data), kind=kind)
    if not application.is_valid():
        return _application_page(request, application, status=400)
    try:
        case = _open_case(pending, application)
    except InvalidInputError as error:
        application.attach(error)
        return _application_page(request, application, status=400)
    return redirect("cases:receipt", token=case.lookup_token)


def _query_dict(data: dict[str, list[str]]) -> Any:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return query


# --- averages ---------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}"


def averages_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of a horizontal bar chart: one bar per kind and works type [working days].

    Each row's label sits above its bar, so long Chinese names need no label column and the
    chart stays readable at 320 CSS px. Coordinates are SVG user units, as strings.
    """
    width, left, right = 360.0, 2.0, 40.0
    label_height, bar_height, gap, top = 13.0, 10.0, 7.0, 4.0
    plot = width - left - right
    largest = max((float(row["average"]) for row in rows), default=0.0)
    step = max(1, _nice_step(largest))
    axis_max = max(step, math.ceil(largest / step) * step)
    scale = plot / axis_max
    bars = []
    y = top
    for row in rows:
        value = float(row["average"])
        bar_y = y + label_height
        bar_width = value * scale
        bars.append(
            {
                "label": row["label"],
                "label_y": _n(y + 10),
                "x": _n(left),
                "y": _n(bar_y),
                "width": _n(max(bar_width, 0.5)),
                "height": _n(bar_height),
                "value": row["average_text"],
                "text_x": _n(left + bar_width + 3),
                "text_y": _n(bar_y + bar_height - 1.5),
            }
        )
        y = bar_y + bar_height + gap
    bottom = y - gap + 4
    ticks = [
        {"x": _n(left + value * scale), "label": str(value)}
        for value in range(0, axis_max + 1, step)
    ]
    return {
        "width": _n(width),
        "height": _n(bottom + 18),
        "plot_top": _n(top),
        "plot_bottom": _n(bottom),
        "tick_label_y": _n(bottom + 13),
        "left": _n(left),
        "bars": bars,
        "ticks": ticks,
    }


def _nice_step(maximum: float) -> int:
    if maximum <= 0:
        return 1
    raw = maximum / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _days_text(value: Decimal) -> str:
    return f"{value:.1f}"


@require_GET
def case_averages_view(request: HttpRequest) -> HttpResponse:
    """平均實際處理日數: completed cases, pauses (customer delay, permits) excluded."""
    rows = [
        {
            "kind": _text(row.kind_name),
            "works": _text(row.works_label),
            "label": f"{_text(row.kind_name)} · {_text(row.works_label)}",
            "cases": row.cases,
            "average": row.average_days,
            "average_text": _days_text(row.average_days),
        }
        for row in selectors.public_average_working_days()
    ]
    context = {"rows": rows, "chart": averages_chart(rows) if rows else None}
    return render(request, "cases/public/averages.html", context)
