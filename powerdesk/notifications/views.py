"""Pages and endpoints reached from outside without a login: the unsubscribe link in a
message (the signed token is the credential), providers' delivery-receipt callbacks, and web
push: the VAPID public key, the subscription endpoint the page's script posts to (CSRF token,
rate limit per client address, size limit), the "send a test notification to this browser"
endpoint and the service worker script."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from powerdesk.core.domain.errors import FieldProblem, Message
from powerdesk.core.errors import InvalidInputError, NotFoundError
from powerdesk.core.middleware import client_ip
from powerdesk.core.ratelimit import window_count
from powerdesk.notifications import actions, links
from powerdesk.notifications.conf import outbox_settings
from powerdesk.notifications.models import PushSubscription

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


# --- web push -------------------------------------------------------------------------------

MAX_SUBSCRIPTION_BYTES = 4096
SUBSCRIBE_LIMIT = (20, 600)  # requests per client address per 10 minutes
SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "notifications" / "sw.js"


def _error(status: int, code: str, zh: str, en: str, field: str = "") -> JsonResponse:
    problem = FieldProblem(field=field or "request", code=code, message=Message(zh_hant=zh, en=en))
    return JsonResponse(InvalidInputError([problem]).as_dict(), status=status)


def _rate_limited(request: HttpRequest, *, scope: str) -> bool:
    """A fixed-window counter per client address in the cache (shared by all processes when
    the cache is Redis; per process with the local-memory cache)."""
    limit, window = SUBSCRIBE_LIMIT
    key = f"notifications:{scope}:{client_ip(request) or '-'}"
    return window_count(key, timeout=window) > limit


@require_GET
def push_page_view(request: HttpRequest) -> HttpResponse:
    """A page with the subscribe button (the partial the public site can include anywhere)."""
    return render(request, "notifications/push.html")


@require_GET
def push_key_view(request: HttpRequest) -> JsonResponse:
    """The VAPID application server key for ``pushManager.subscribe``."""
    from powerdesk.notifications.channels.webpush import public_key_b64

    key_file = outbox_settings().vapid_private_key_file()
    if key_file is None or not key_file.is_file():
        return _error(
            503, "push.unavailable", "目前未提供推播通知。", "Push notifications are not available."
        )
    return JsonResponse({"publicKey": public_key_b64(key_file)})


def _json_body(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    if len(request.body) > MAX_SUBSCRIPTION_BYTES:
        return _error(413, "push.too_large", "訂閱資料過大。", "The subscription is too large.")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        return _error(
            400, "push.json", "訂閱資料須為 JSON 物件。", "The subscription must be a JSON object."
        )
    return data


@require_http_methods(["POST"])
def push_subscribe_view(request: HttpRequest) -> JsonResponse:
    """``POST`` a ``PushSubscription.toJSON()`` (with ``X-CSRFToken``); 201 with its id."""
    if _rate_limited(request, scope="push"):
        return _error(
            429, "rate_limited", "請求過於頻繁，請稍後再試。", "Too many requests; try again later."
        )
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    found = data.get("keys")
    keys: dict[str, Any] = found if isinstance(found, dict) else {}
    language = str(data.get("language") or getattr(request, "LANGUAGE_CODE", "zh-hant"))
    try:
        subscription = actions.push_subscribe(
            endpoint=str(data.get("endpoint") or ""),
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
            language="en" if language.startswith("en") else "zh-hant",
            user_agent=request.headers.get("User-Agent", ""),
            allow_local_http=bool(
                settings.DEBUG or getattr(settings, "POWERDESK_PUSH_ALLOW_LOCAL_HTTP", False)
            ),
        )
    except InvalidInputError as error:
        return JsonResponse(error.as_dict(), status=400)
    # this browser session may ask for a test notification to this subscription (only)
    own = [pk for pk in _own_subscriptions(request) if pk != subscription.pk]
    request.session[SESSION_SUBSCRIPTIONS] = [
        *own[-(MAX_SESSION_SUBSCRIPTIONS - 1) :],
        subscription.pk,
    ]
    return JsonResponse({"id": subscription.pk, "address": f"push:s{subscription.pk}"}, status=201)


SESSION_SUBSCRIPTIONS = "notifications.push_subscriptions"
MAX_SESSION_SUBSCRIPTIONS = 5
# test notifications per client address, and per subscription, per 10 minutes
PUSH_TEST_LIMIT = (3, 600)


# The push services of the browsers (Chrome/Edge/Opera: FCM; Firefox: Mozilla autopush;
# Safari: Apple; legacy Edge: WNS). The test button lets anyone make the server POST to the
# subscription's endpoint, so it only does so for these hosts (and 127.0.0.1 where local http
# is allowed); ``POWERDESK_PUSH_TEST_HOSTS`` replaces the list.
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


def _known_push_service(endpoint: str) -> bool:
    from urllib.parse import urlsplit

    from powerdesk.notifications.domain.push import LOCAL_HOSTS

    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http":
        return host in LOCAL_HOSTS and bool(
            settings.DEBUG or getattr(settings, "POWERDESK_PUSH_ALLOW_LOCAL_HTTP", False)
        )
    hosts = getattr(settings, "POWERDESK_PUSH_TEST_HOSTS", PUSH_SERVICE_HOSTS)
    return parts.scheme == "https" and any(
        host == known or host.endswith("." + known) for known in hosts
    )


def _own_subscriptions(request: HttpRequest) -> list[int]:
    stored = request.session.get(SESSION_SUBSCRIPTIONS, [])
    return [int(pk) for pk in stored if isinstance(pk, int)] if isinstance(stored, list) else []


def _say(status: int, code: str, zh: str, en: str, **extra: Any) -> JsonResponse:
    """A JSON answer with a message in the page's language (``code``, ``message``)."""
    text = Message(zh_hant=zh, en=en).in_language(get_language() or "zh-hant")
    return JsonResponse({"code": code, "message": text, **extra}, status=status)


def _window_exceeded(key: str, *, limit: int, window: int) -> int:
    """Count a request in a fixed window (the cache); the seconds until the window ends when
    the count is over ``limit``, else 0."""
    now = time.time()
    bucket = int(now // window)
    full_key = f"notifications:{key}:{bucket}"
    count = window_count(full_key, timeout=window)
    if count <= limit:
        return 0
    return max(1, int((bucket + 1) * window - now) + 1)


def _too_many(retry_after: int) -> JsonResponse:
    response = _say(
        429,
        "rate_limited",
        "測試通知已送出數次，請稍後再試。",
        "Several test notifications were sent already; please try again later.",
    )
    response["Retry-After"] = str(retry_after)
    return response


def _requested_subscription(request: HttpRequest) -> int | str | None:
    """The subscription id the request names (JSON ``{"id": …}`` or a form field ``id``);
    None when it names none; "" when what it names is not an id."""
    raw: Any = None
    if request.content_type == "application/json":
        if len(request.body) > MAX_SUBSCRIPTION_BYTES:
            return ""
        try:
            data = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return ""
        if not isinstance(data, dict):
            return ""
        raw = data.get("id")
    else:
        raw = request.POST.get("id") or None
    if raw is None:
        return None
    if isinstance(raw, bool) or not str(raw).isdigit():
        return ""
    return int(raw)


@require_http_methods(["POST"])
def push_test_view(request: HttpRequest) -> JsonResponse:
    """``POST {"id": <subscription id>}`` (with ``X-CSRFToken``): queue a test notification
    to a subscription this browser session made; 202. Another subscription, or none → 404;
    more than 3 per 10 minutes from one address or for one subscription → 429."""
    limit, window = PUSH_TEST_LIMIT
    address = client_ip(request) or "-"
    retry_after = _window_exceeded(f"push_test:address:{address}", limit=limit, window=window)
    if retry_after:
        return _too_many(retry_after)
    own = _own_subscriptions(request)
    requested = _requested_subscription(request)
    if requested is None and own:
        requested = own[-1]
    if not isinstance(requested, int) or requested not in own:
        return _say(
            404,
            "push.not_yours",
            "此瀏覽器尚未訂閱推播通知，請先按「在此瀏覽器接收通知」。",
            "This browser has not subscribed yet: press 'Get notifications in this browser' first.",
        )
    subscription = PushSubscription.objects.filter(pk=requested, gone_at__isnull=True).first()
    if subscription is None:
        return _say(
            404,
            "push.subscription_gone",
            "此瀏覽器的推播訂閱已失效，請重新訂閱。",
            "This browser's subscription has ended; please subscribe again.",
        )
    if not _known_push_service(subscription.endpoint):
        return _say(
            400,
            "push.service_unknown",
            "此瀏覽器使用的推播服務不在我們的清單中，無法傳送測試通知。",
            "This browser's push service is not one we send test notifications to.",
        )
    retry_after = _window_exceeded(f"push_test:s{requested}", limit=limit, window=window)
    if retry_after:
        return _too_many(retry_after)
    try:
        message = actions.push_test_queue(
            subscription_id=requested, language=get_language() or "zh-hant"
        )
    except InvalidInputError:
        return _say(
            503, "push.unavailable", "目前未提供推播通知。", "Push notifications are not available."
        )
    return _say(
        202,
        "push.test_queued",
        "已送出：通知應在一分鐘內出現。",
        "On its way: the notification should appear within a minute.",
        id=message.pk,
    )


@require_http_methods(["POST"])
def push_unsubscribe_view(request: HttpRequest) -> JsonResponse:
    """``POST {"endpoint": …}``: the browser withdrew its subscription."""
    if _rate_limited(request, scope="push"):
        return _error(
            429, "rate_limited", "請求過於頻繁，請稍後再試。", "Too many requests; try again later."
        )
    data = _json_body(request)
    if isinstance(data, JsonResponse):
        return data
    found = actions.push_unsubscribe(endpoint=str(data.get("endpoint") or ""))
    return JsonResponse({"unsubscribed": found})


@require_GET
def service_worker_view(request: HttpRequest) -> HttpResponse:
    """The service worker script, allowed to control the whole site (``Service-Worker-Allowed:
    /``) wherever it is served from, never cached for long (browsers check it for updates)."""
    response = HttpResponse(
        SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
