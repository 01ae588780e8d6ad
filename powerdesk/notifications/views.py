"""Pages and endpoints reached from outside without a login: the unsubscribe link in a
message (the signed token is the credential) and providers' delivery-receipt callbacks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from powerdesk.core.errors import NotFoundError
from powerdesk.notifications import actions, links

# Mitake status codes in receipts: 0 scheduled, 1 and 2 with the carrier, 4 delivered,
# 5 content error, 6 number error, 7 disabled, 8 expired undelivered, 9 cancelled.
MITAKE_RECEIPT_STATUS = {
    "0": "pending",
    "1": "pending",
    "2": "pending",
    "4": "delivered",
    "5": "failed",
    "6": "failed",
    "7": "failed",
    "8": "failed",
    "9": "failed",
}
MITAKE_ACK_MAGIC = "sms_gateway_rpack"


@csrf_exempt  # RFC 8058 one-click POSTs come from mail systems; the signed token authorises
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button; POST: unsubscribe (also the RFC 8058 one-click POST)."""
    try:
        payload = links.read_unsubscribe_token(token)
    except NotFoundError as error:
        raise Http404 from error
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        channel = actions.notification_unsubscribe(
            token=token, source="one_click" if one_click else "link"
        )
        return render(request, "notifications/unsubscribed.html", {"channel": channel})
    return render(request, "notifications/unsubscribe.html", {"channel": payload["ch"]})


def _mitake_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=ZoneInfo("Asia/Taipei"))
    except ValueError:
        return None


@require_GET
def mitake_receipt_view(request: HttpRequest, token: str) -> HttpResponse:
    """Mitake's status report (the ``response`` URL given with each message). The signed token
    in the path authenticates it and names the message; Mitake expects the acknowledgement
    ``magicid=sms_gateway_rpack`` and the msgid back."""
    try:
        message_id = links.read_receipt_token(token, provider="mitake")
    except NotFoundError as error:
        raise Http404 from error
    msgid = request.GET.get("msgid", "")
    code = request.GET.get("statuscode") or request.GET.get("StatusFlag") or ""
    actions.delivery_receipt_record(
        message_id=message_id,
        provider="mitake",
        provider_message_id=msgid,
        status=MITAKE_RECEIPT_STATUS.get(code, "unknown"),
        status_text=request.GET.get("statusstr", code),
        occurred_at=_mitake_time(request.GET.get("donetime", "")),
        raw=dict(request.GET.items()),
    )
    return HttpResponse(
        f"magicid={MITAKE_ACK_MAGIC}\nmsgid={msgid}\n", content_type="text/plain; charset=utf-8"
    )
