"""Staff pages of the outbox: overview, filtered list (CSV/ODS export), dead letters, a message
with its attempts, the audited view of its text, resend, and a customer's history."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from powerdesk.core.errors import (
    ApplicationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from powerdesk.customers import selectors as customer_selectors
from powerdesk.customers.api import customer_out
from powerdesk.notifications import actions, selectors
from powerdesk.notifications.api import FILTER_PARAMS, message_detail_out, message_out
from powerdesk.notifications.forms import (
    CHANNEL_LABELS,
    PURPOSE_LABELS,
    OutboxFilterForm,
    outbox_filters_parse,
)
from powerdesk.notifications.models import DeliveryAttempt, OutboxMessage
from powerdesk.staff import selectors as staff_selectors
from powerdesk.staff.domain import Capability

PAGE_SIZE = 25
Status = OutboxMessage.Status
STATUS_ORDER = (Status.QUEUED, Status.SENDING, Status.SENT, Status.FAILED, Status.DEAD)
# Bar colours of the overview chart (SVG presentation attributes, so no inline style): each
# has at least 4.5:1 contrast on white, and every bar also carries its label and number.
STATUS_COLOURS = {
    Status.QUEUED: "#4a5568",
    Status.SENDING: "#005ea5",
    Status.SENT: "#1b6e3a",
    Status.FAILED: "#8a5300",
    Status.DEAD: "#b00020",
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def _office_wide(request: HttpRequest) -> bool:
    return staff_selectors.centre_id_of(request.user) is None


def _labels(row: dict[str, Any]) -> dict[str, Any]:
    row["status_label"] = Status(row["status"]).label
    row["channel_label"] = CHANNEL_LABELS.get(row["channel"], row["channel"])
    row["purpose_label"] = PURPOSE_LABELS.get(row["purpose"], row["purpose"])
    return row


def _row(message: OutboxMessage) -> dict[str, Any]:
    return _labels(message_out(message, unmasked=False))


def _chart(counts: dict[str, int]) -> dict[str, Any]:
    """Horizontal bars, one per status, drawn on the server (coordinates as attributes)."""
    width, left, right, bar_height, gap = 640, 170, 70, 26, 12
    largest = max(counts.values(), default=0) or 1
    bars = []
    for index, status in enumerate(STATUS_ORDER):
        value = counts.get(status, 0)
        length = round((width - left - right) * value / largest, 1)
        y = gap + index * (bar_height + gap)
        bars.append(
            {
                "status": status.value,
                "label": status.label,
                "value": value,
                "x": left,
                "y": y,
                "width": max(length, 1 if value else 0),
                "height": bar_height,
                "colour": STATUS_COLOURS[status],
                "label_x": left - 10,
                "text_x": left + length + 8,
                "text_y": y + bar_height * 0.7,
            }
        )
    return {"width": width, "height": gap + len(bars) * (bar_height + gap), "bars": bars}


@login_required
def outbox_overview_view(request: HttpRequest) -> HttpResponse:
    """Counts per status in the viewer's scope, as text, a chart and a table."""
    try:
        counts = selectors.outbox_counts_for(request.user)
    except ApplicationError:
        return _forbidden(request)
    statuses = [
        {"status": s.value, "label": s.label, "count": counts.get(s, 0)} for s in STATUS_ORDER
    ]
    return render(
        request,
        "notifications/staff/overview.html",
        {
            "statuses": statuses,
            "total": sum(counts.values()),
            "dead": counts.get(Status.DEAD, 0),
            "chart": _chart(counts),
            "office_wide": _office_wide(request),
        },
    )


def _filtered(
    request: HttpRequest, *, fixed: dict[str, str] | None = None
) -> tuple[OutboxFilterForm, Any, str]:
    """The bound filter form, the filtered queryset (None when a filter is wrong) and the query
    string without ``page``/``format`` (to keep the filters in links)."""
    staff_selectors.require(request.user, Capability.CUSTOMER_VIEW)
    office_wide = _office_wide(request)
    data = {name: request.GET.get(name, "") for name in FILTER_PARAMS}
    data.update(fixed or {})
    form = OutboxFilterForm(request.GET or None, centres=office_wide)
    for name in fixed or {}:
        form.fields.pop(name, None)
    try:
        filters = outbox_filters_parse(data, centres=office_wide)
    except InvalidInputError as error:
        form.add_problems(error)
        return form, None, ""
    found = selectors.outbox_search_for(request.user, filters).select_related("account")
    query = request.GET.copy()
    for name in ("page", "format", *(fixed or {})):
        query.pop(name, None)
    return form, found, query.urlencode()


def _list(
    request: HttpRequest, *, template: str, fixed: dict[str, str] | None = None, **extra: Any
) -> HttpResponseBase:
    try:
        form, found, query = _filtered(request, fixed=fixed)
    except PermissionDeniedError:
        return _forbidden(request)
    export = request.GET.get("format", "")
    if found is not None and export == "csv":
        return _csv(found)
    if found is not None and export == "ods":
        return _ods(found)
    page = Paginator(found if found is not None else OutboxMessage.objects.none(), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    rows = [_row(m) for m in page_obj.object_list]
    context = {
        "form": form,
        "page": page_obj,
        "rows": rows,
        "query": query,
        "invalid": found is None,
        "office_wide": _office_wide(request),
        **extra,
    }
    if request.headers.get("HX-Request"):
        return render(request, "notifications/staff/partials/_results.html", context)
    return render(request, template, context, status=400 if found is None else 200)


@login_required
@vary_on_headers("HX-Request")
def outbox_list_view(request: HttpRequest) -> HttpResponseBase:
    """The outbox, filtered and paginated; ``?format=csv`` or ``ods`` exports every match."""
    return _list(request, template="notifications/staff/list.html")


@login_required
@vary_on_headers("HX-Request")
def outbox_dead_view(request: HttpRequest) -> HttpResponseBase:
    """Dead letters: messages the workers gave up on, for staff to check and resend."""
    return _list(
        request, template="notifications/staff/dead.html", fixed={"status": Status.DEAD.value}
    )


def _detail_page(request: HttpRequest, message: OutboxMessage, *, unmasked: bool) -> HttpResponse:
    detail = _labels(message_detail_out(message, actor=request.user, unmasked=unmasked))
    outcome_labels = dict(DeliveryAttempt.Outcome.choices)
    for attempt in detail["attempt_log"]:
        attempt["outcome_label"] = outcome_labels.get(attempt["outcome"], attempt["outcome"])
    return render(
        request,
        "notifications/staff/detail.html",
        {
            "message": detail,
            "unmasked": unmasked,
            "can_view_content": selectors.may_view_content(request.user, message),
            "is_dead": message.status == Status.DEAD,
        },
    )


@login_required
def outbox_detail_view(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = selectors.access_notification(request.user, message_id)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    return _detail_page(request, message, unmasked=False)


@login_required
@require_POST
def outbox_content_view(request: HttpRequest, message_id: int) -> HttpResponse:
    """The recipient and text unmasked: POST only (a deliberate act), audited by the selector."""
    try:
        message = selectors.access_notification_content(request.user, message_id)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    return _detail_page(request, message, unmasked=True)


@login_required
@require_http_methods(["GET", "POST"])
def outbox_resend_view(request: HttpRequest, message_id: int) -> HttpResponseBase:
    """GET: confirm. POST: queue the dead message again (``notification_resend``, audited)."""
    try:
        message = selectors.access_notification(request.user, message_id)
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    if not selectors.may_resend(request.user, message):
        return _forbidden(request)
    detail_url = reverse("notifications_staff:detail", args=[message.pk])
    if request.method == "POST":
        try:
            actions.notification_resend(actor=request.user, message=message)
        except PermissionDeniedError:
            return _forbidden(request)
        except ConflictError as error:
            messages.error(request, error.text(get_language()))
            return redirect(detail_url)
        messages.success(
            request,
            _("Message %(id)s is queued again and will be sent shortly.") % {"id": message.pk},
        )
        return redirect(detail_url)
    return render(
        request,
        "notifications/staff/resend_confirm.html",
        {"message": _row(message), "is_dead": message.status == Status.DEAD},
    )


@login_required
def customer_history_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Every notification to one customer, newest first (masked)."""
    try:
        customer = customer_selectors.access_customer(request.user, customer_id)
        found = selectors.notification_history_for(
            request.user, customer_id=customer_id
        ).select_related("customer__service_centre", "account")
    except NotFoundError:
        return _not_found(request)
    except ApplicationError:
        return _forbidden(request)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/staff/history.html",
        {
            "customer": customer_out(customer, unmasked=False),
            "page": page,
            "rows": [_row(m) for m in page.object_list],
            "can_customers": staff_selectors.may(
                request.user,
                Capability.CUSTOMER_VIEW,
                target_centre_id=customer.service_centre_id,
            ),
        },
    )


# --- Export (masked, like the list) ------------------------------------------------------


def _export_header() -> list[str]:
    return [
        "id",
        "created_at",
        "status",
        "channel",
        "purpose",
        "recipient",
        "customer_id",
        "customer_name",
        "service_centre",
        "attempts",
        "resend_count",
        "provider",
        "provider_message_id",
        "delivery_status",
        "sent_at",
        "last_error",
    ]


def _export_rows(found: Any) -> Iterator[list[str]]:
    for message in found.iterator(chunk_size=2000):
        row = message_out(message, unmasked=False)
        yield [
            str(row["id"]),
            timezone.localtime(row["created_at"]).isoformat(),
            row["status"],
            row["channel"],
            row["purpose"],
            row["recipient"],
            "" if row["customer_id"] is None else str(row["customer_id"]),
            row["customer_name"],
            row["service_centre"] or "",
            str(row["attempts"]),
            str(row["resend_count"]),
            row["provider"],
            row["provider_message_id"],
            row["delivery_status"],
            timezone.localtime(row["sent_at"]).isoformat() if row["sent_at"] else "",
            row["last_error"],
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _csv(found: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(_export_header())
        for row in _export_rows(found):
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outbox.csv"'
    return response


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _ods_content(rows: Iterable[list[str]]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="outbox">'
    ]
    for row in rows:
        cells = "".join(
            '<table:table-cell office:value-type="string"><text:p>'
            f"{escape(_XML_UNSAFE.sub('', value))}</text:p></table:table-cell>"
            for value in row
        )
        parts.append(f"<table:table-row>{cells}</table:table-row>")
    parts.append("</table:table></office:spreadsheet></office:body></office:document-content>")
    return "".join(parts)


def _ods(found: Any) -> HttpResponse:
    """An OpenDocument spreadsheet (LibreOffice, Excel): the mimetype entry first, stored."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "content.xml",
            _ods_content([_export_header(), *_export_rows(found)]),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
    response = HttpResponse(buffer.getvalue(), content_type=ODS_MIME)
    response["Content-Disposition"] = 'attachment; filename="outbox.ods"'
    return response
