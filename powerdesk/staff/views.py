"""Staff pages: sign-in with optional TOTP, home, authenticator setup, API tokens, audit log."""

from __future__ import annotations

import contextlib
import csv
from datetime import datetime, time, timedelta
from typing import Any

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from powerdesk.core.audit import audit_record
from powerdesk.core.errors import ApplicationError
from powerdesk.core.models import AuditEvent
from powerdesk.staff import actions, selectors
from powerdesk.staff.domain import Capability
from powerdesk.staff.forms import AuditFilterForm, StaffLoginForm, TokenCreateForm, TotpConfirmForm


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = StaffLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        device = getattr(user, "otp_device", None)
        if device is not None:
            otp_login(self.request, device)
        audit_record(
            actor=user,
            verb="staff.login",
            target=user,
            kind=AuditEvent.Kind.LOGIN,
            details={"otp": bool(getattr(user, "otp_device", None))},
        )
        return response


staff_login_view = StaffLoginView.as_view()
staff_logout_view = auth_views.LogoutView.as_view()


@login_required
def staff_home_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    capabilities = selectors.capabilities(user)
    return render(
        request,
        "staff/home.html",
        {
            "capabilities": sorted(capabilities),
            "can_audit": Capability.AUDIT_VIEW in capabilities,
            "can_customers": Capability.CUSTOMER_VIEW in capabilities,
            "can_calendar": Capability.CALENDAR_EDIT in capabilities,
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "verified": user.is_verified(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_totp_setup_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the QR code, confirm with one code."""
    user: Any = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(
                actor=user, verb="staff.totp_confirm", target=user, kind=AuditEvent.Kind.SECURITY
            )
            return redirect("staff:home")
        form.add_error(
            "token", _("The code does not match. Check the time on your phone and try again.")
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR code for your authenticator app")
    )
    return render(
        request, "staff/totp_setup.html", {"form": form, "qr_svg": qr_svg, "secret": _b32(device)}
    )


def _b32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
@require_http_methods(["GET", "POST"])
def staff_tokens_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = TokenCreateForm(request.POST or None)
    new_token = None
    now = timezone.now()
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.api_token_create(
            actor=user, user=user, name=form.cleaned_data["name"]
        )
        form = TokenCreateForm()
    return render(
        request,
        "staff/tokens.html",
        {
            "form": form,
            "tokens": [
                {
                    "token": t,
                    "is_live": t.revoked_at is None
                    and (t.expires_at is None or t.expires_at > now),
                }
                for t in user.api_tokens.all()
            ],
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def staff_token_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    # Already revoked or not this user's: the list shows what is live.
    with contextlib.suppress(ApplicationError):
        user: Any = request.user
        actions.api_token_revoke(actor=user, user=user, prefix=prefix)
    return redirect("staff:tokens")


def _audit_events(request: HttpRequest, form: AuditFilterForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    tz = timezone.get_current_timezone()
    since = data.get("since")
    until = data.get("until")
    return selectors.audit_event_list_for(
        request.user,
        actor_username=data.get("actor", ""),
        verb=data.get("verb", ""),
        target_type=data.get("target_type", ""),
        target_id=data.get("target_id", ""),
        since=datetime.combine(since, time.min, tzinfo=tz) if since else None,
        until=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None,
    )


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponseBase:
    """督導室: browse and filter the audit log; CSV export of the filtered rows."""
    form = AuditFilterForm(request.GET or None)
    try:
        events = _audit_events(request, form)
    except ApplicationError:
        return render(request, "web/403.html", status=403)
    if request.GET.get("format") == "csv":
        return _audit_csv(events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "staff/audit_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit_csv(events: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    header = [
        "at",
        "actor",
        "kind",
        "verb",
        "target_type",
        "target_id",
        "ip_address",
        "channel",
        "request_id",
    ]

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(e.at).isoformat(),
                    e.actor_label,
                    e.kind,
                    e.verb,
                    e.target_type,
                    e.target_id,
                    e.ip_address or "",
                    e.channel,
                    e.request_id,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
